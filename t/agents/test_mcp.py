"""`openapi-dyn mcp` run as a subprocess and driven by the official `mcp`
client over stdio, against a local fake of the API (t/faultserver.py).

Everything the server writes to stdout goes through `tee` into a file, and
its standard error into another, so the tests can check that the key it
authenticates with appears in neither.
"""
import json
import os
import sys

import pytest
from jsonschema import Draft202012Validator
from mcp.shared.exceptions import MCPError

from data_tools import DATA_OPERATIONS, EXPECTED
from faultserver import reply

from mcp_driver import KEY, TIMEOUT
from mcp_driver import run_session as _run
from mcp_driver import session_params as _session


def test_data_tools_listed_called_and_refused(tmp_path, session_cache_dir, faultserver):
    params, out_path, err_path = _session(
        tmp_path, session_cache_dir, faultserver.url,
        "--prefix", "openai_data", "--names", "snake", "--operations", ",".join(DATA_OPERATIONS))
    faultserver.plan(
        reply(json={"object": "list", "data": [{"id": "file_1", "object": "vector_store.file"}],
                    "first_id": "file_1", "last_id": "file_1", "has_more": False}),
        reply(json={"id": "vs_9", "object": "vector_store", "name": "notes"}),
        reply(404, json={"error": {"message": "No vector store found with id 'vs_x'.",
                                   "type": "invalid_request_error", "param": None, "code": "not_found"}}),
    )

    async def body(session):
        listed = await session.list_tools()
        ok = await session.call_tool("openai_data_list_vector_store_files",
                                     {"vector_store_id": "vs_1", "limit": 2, "order": "asc"})
        made = await session.call_tool("openai_data_create_vector_store",
                                       {"name": "notes", "metadata": {"team": "docs"}})
        bad = await session.call_tool("openai_data_list_vector_store_files",
                                      {"limit": "many", "order": "sideways", "colour": "red"})
        missing = await session.call_tool("openai_data_get_vector_store", {"vector_store_id": "vs_x"})
        with pytest.raises(MCPError):
            await session.call_tool("openai_data_no_such_tool", {})
        return listed, ok, made, bad, missing

    listed, ok, made, bad, missing = _run(params, err_path, body)

    tools = {t.name: t for t in listed.tools}
    assert sorted(tools) == sorted(EXPECTED)
    meta = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    for tool in listed.tools:
        assert list(meta.iter_errors(tool.input_schema)) == [], tool.name
        assert tool.input_schema["type"] == "object"
        assert tool.description
    delete = tools["openai_data_delete_vector_store"].annotations
    assert delete.destructive_hint is True and delete.idempotent_hint is True and delete.read_only_hint is False
    assert tools["openai_data_list_files"].annotations.read_only_hint is True
    create = tools["openai_data_create_vector_store"].annotations
    assert create.read_only_hint is False and create.destructive_hint is False
    files_schema = tools["openai_data_list_vector_store_files"].input_schema
    assert files_schema["required"] == ["vector_store_id"]
    assert {"limit", "order", "after", "before", "filter"} <= set(files_schema["properties"])

    # The successful calls: what the fake API received, and what came back.
    assert not ok.is_error
    assert json.loads(ok.content[0].text)["data"][0]["id"] == "file_1"
    first, second = faultserver.requests[0], faultserver.requests[1]
    assert (first.method, first.path) == ("GET", "/vector_stores/vs_1/files")
    assert first.args == {"limit": "2", "order": "asc"}
    assert first.headers["Authorization"] == f"Bearer {KEY}"
    assert first.headers["OpenAI-Beta"] == "assistants=v2"
    assert (second.method, second.path) == ("POST", "/vector_stores")
    assert second.json() == {"name": "notes", "metadata": {"team": "docs"}}
    assert made.structured_content["id"] == "vs_9"

    # Invalid arguments: nothing sent, every problem named.
    assert bad.is_error
    text = bad.content[0].text
    for word in ("vector_store_id", "limit", "order", "colour"):
        assert word in text
    assert len(faultserver.requests) == 3     # the invalid call never reached the API

    # An API error comes back as a tool error with what the API said.
    assert missing.is_error
    assert "404" in missing.content[0].text and "No vector store found" in missing.content[0].text

    # The key went to the API, and nowhere else.
    sent = out_path.read_text()
    logged = err_path.read_text()
    assert "openai_data_list_vector_store_files" in sent and "tools/call" in logged
    assert KEY not in sent and KEY not in logged


def test_read_only_server_serves_and_accepts_only_safe_methods(tmp_path, session_cache_dir, faultserver):
    params, out_path, err_path = _session(tmp_path, session_cache_dir, faultserver.url,
                                          "--tag", "Vector stores", "--read-only")

    async def body(session):
        listed = await session.list_tools()
        with pytest.raises(MCPError):
            await session.call_tool("deleteVectorStore", {"vector_store_id": "vs_1"})
        return listed

    listed = _run(params, err_path, body)
    names = {t.name for t in listed.tools}
    assert names == {"listVectorStores", "getVectorStore", "getVectorStoreFileBatch", "listFilesInVectorStoreBatch",
                     "listVectorStoreFiles", "getVectorStoreFile", "retrieveVectorStoreFileContent"}
    assert all(t.annotations.read_only_hint for t in listed.tools)
    assert faultserver.requests == []


def test_binary_answer_is_an_embedded_resource(tmp_path, session_cache_dir, faultserver):
    params, out_path, err_path = _session(tmp_path, session_cache_dir, faultserver.url,
                                          "--operations", "downloadFile")
    payload = bytes(range(256))
    faultserver.plan(reply(body=payload, content_type="application/octet-stream"))

    async def body(session):
        return await session.call_tool("downloadFile", {"file_id": "file_1"})

    result = _run(params, err_path, body)
    import base64

    assert not result.is_error
    blobs = [c for c in result.content if c.type == "resource"]
    assert len(blobs) == 1
    assert base64.b64decode(blobs[0].resource.blob) == payload
    assert blobs[0].resource.mime_type == "application/octet-stream"
    assert faultserver.requests[0].path == "/files/file_1/content"


def test_unknown_operation_exits_with_a_usage_error(session_cache_dir):
    import subprocess

    env = dict(os.environ, OPENAPI_DYN_CACHE_DIR=str(session_cache_dir))
    done = subprocess.run([sys.executable, "-m", "openapi_dyn", "mcp", "--operations", "listFiles,listFilez"],
                          input="", capture_output=True, text=True, timeout=TIMEOUT, env=env)
    assert done.returncode == 2
    assert "listFilez" in done.stderr and "listFiles" in done.stderr
    assert done.stdout == ""


def test_writes_are_served_only_when_allowed_and_a_dry_run_sends_nothing(tmp_path, session_cache_dir,
                                                                         faultserver):
    # By default: the reads of the tag only; a write is an unknown tool.
    params, out_path, err_path = _session(tmp_path, session_cache_dir, faultserver.url, "--tag", "Vector stores")

    async def reads(session):
        listed = await session.list_tools()
        with pytest.raises(MCPError):
            await session.call_tool("deleteVectorStore", {"vector_store_id": "vs_1"})
        return listed

    init, listed = _run(params, err_path, reads, with_init=True)
    assert {t.name for t in listed.tools} == {
        "listVectorStores", "getVectorStore", "getVectorStoreFileBatch", "listFilesInVectorStoreBatch",
        "listVectorStoreFiles", "getVectorStoreFile", "retrieveVectorStoreFileContent"}
    assert "the OpenAI API:" in init.instructions and "API API" not in init.instructions
    assert faultserver.requests == []

    # --allow-write --dry-run: every operation of the tag, honestly annotated; calls are answered
    # with the prepared request, the key masked, and nothing reaches the API.
    params, out_path, err_path = _session(tmp_path, session_cache_dir, faultserver.url,
                                          "--tag", "Vector stores", "--allow-write", "--dry-run")

    async def writes(session):
        listed = await session.list_tools()
        deleted = await session.call_tool("deleteVectorStore", {"vector_store_id": "vs_1"})
        made = await session.call_tool("createVectorStore", {"name": "notes"})
        bad = await session.call_tool("createVectorStore", {"name": 5})
        return listed, deleted, made, bad

    init, (listed, deleted, made, bad) = _run(params, err_path, writes, with_init=True)
    tools = {t.name: t.annotations for t in listed.tools}
    assert len(tools) == 16
    assert tools["deleteVectorStore"].destructive_hint is True and tools["deleteVectorStore"].idempotent_hint is True
    assert tools["modifyVectorStore"].read_only_hint is False and tools["modifyVectorStore"].destructive_hint is False
    assert "dry run" in init.instructions
    assert not deleted.is_error
    request = deleted.structured_content
    assert request["dry_run"] is True and request["method"] == "DELETE"
    assert request["url"] == faultserver.url + "/vector_stores/vs_1"
    assert request["headers"]["Authorization"] == "Bearer ****"
    assert made.structured_content["body"] == {"name": "notes"}
    assert bad.is_error and "name" in bad.content[0].text
    assert faultserver.requests == []
    assert KEY not in out_path.read_text() and KEY not in err_path.read_text()
