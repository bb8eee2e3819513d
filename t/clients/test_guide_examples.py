"""Every Python example of the README and of the user guide pages on
bodies, streams, downloads, pagination, retries and sending runs, unchanged,
against the bundled OpenAI spec: ``Client`` and ``AsyncClient`` are pointed
at a local server that answers like the API would, so the examples' calls are validated, encoded and sent for real."""
import re

import pytest

import openapi_dyn
from openapi_dyn import Client

from conftest import REPO
from faultserver import events, reply, send_body
from google_servers import gemini_service

PAGES = ["../README.md", "calling.md", "uploads.md", "streaming.md", "pagination.md", "retries.md",
         "sending.md", "vendors.md"]

#: Where each bundled spec's paths start on the local server (its servers' base paths).
BASE_PATHS = {"openai": "/v1", "anthropic": "", "cohere": "", "azure-openai": "/openai"}
BASE_PATHS.update(gemini="", vertex="")
#: Paths the local Gemini service answers (t/google_servers.py).
GOOGLE_PATHS = ("/v1beta/", "/upload/v1beta/")
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def examples():
    for page in PAGES:
        text = (REPO / "docs" / page).read_text()
        for i, code in enumerate(BLOCK.findall(text)):
            yield pytest.param(code, id=f"{page}-{i}")


def answer(rec):
    """What the OpenAI, Anthropic and Azure APIs would say, enough for the
    examples; like the real services, Anthropic refuses a request without
    ``anthropic-version`` and Azure one without ``api-version``."""
    path, method = rec.path, rec.method
    if path == "/v1/messages":
        if rec.headers.get("anthropic-version") != "2023-06-01":
            return reply(400, json={"type": "error", "error": {"type": "invalid_request_error",
                                                               "message": "anthropic-version is required"}})
        return reply(json={"id": "msg_1", "type": "message", "role": "assistant",
                           "content": [{"type": "text", "text": "Hello!"}]})
    if path.startswith("/openai/deployments/"):
        if not rec.args.get("api-version"):
            return reply(404, json={"error": {"code": "404", "message": "Resource not found"}})
        return reply(json={"id": "chatcmpl-1", "object": "chat.completion", "choices": [
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Hello!"}}]})
    if method == "POST" and path == "/v1/files":
        return reply(json={"id": "file-1", "object": "file", "bytes": 17, "filename": "notes.jsonl"})
    if path == "/v1/audio/transcriptions":
        return reply(json={"text": "hello"})
    if path == "/v1/chat/completions" and b'"stream":true' not in (rec.body or b""):
        return reply(json={"id": "chatcmpl-1", "object": "chat.completion", "choices": [
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Hello!"}}]})
    if path.startswith("/v1/assistants/"):
        return reply(json={"id": path.rsplit("/", 1)[-1], "object": "assistant", "name": "helper"})
    if path == "/v1/organization/admin_api_keys":
        return reply(json={"object": "list", "data": [], "has_more": False})
    if path == "/v1/chat/completions":
        chunks = [b'data: {"choices": [{"index": 0, "delta": {"content": "%d "}}]}\n\n' % n for n in range(1, 6)]
        return events(*chunks, b"data: [DONE]\n\n")
    if path.startswith("/v1/threads/") and path.endswith("/runs") and b'"stream":true' not in (rec.body or b""):
        return reply(json={"id": "run_1", "object": "thread.run", "status": "queued"})
    if path.startswith("/v1/threads/") and path.endswith("/runs"):
        delta = b'{"delta": {"content": [{"index": 0, "type": "text", "text": {"value": "Hi"}}]}}'
        return events(b"event: thread.run.created\ndata: {\"id\": \"run_1\"}\n\n",
                      b"event: thread.message.delta\ndata: " + delta + b"\n\n",
                      b"event: done\ndata: [DONE]\n\n")
    if path == "/v1/audio/speech":
        return send_body(b"ID3" + b"\x00" * 5000, "audio/mpeg")
    if path.endswith("/content"):
        return send_body(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 5000, "video/mp4")
    if path in ("/v1/assistants", "/v1/files"):
        after = rec.args.get("after")
        ids = {None: ["a1", "a2"], "a2": ["a3"]}[after]
        data = [{"id": i, "name": f"n-{i}"} for i in ids]
        return reply(json={"object": "list", "data": data, "first_id": ids[0], "last_id": ids[-1],
                           "has_more": after is None})
    if path.startswith("/v1/models"):
        return reply(json={"id": "gpt-4o", "object": "model", "created": 1, "owned_by": "openai"})
    return reply(404, json={"error": {"message": f"no example answer for {method} {path}"}})


@pytest.mark.parametrize("code", list(examples()))
def test_guide_example(code, faultserver, monkeypatch, tmp_path, openai_client):
    class LocalClient(Client):
        def __init__(self, spec=None, **kwargs):
            kwargs.setdefault("base_url", faultserver.url + BASE_PATHS.get(spec if isinstance(spec, str) else
                                                                            "openai", "/v1"))
            kwargs.setdefault("api_key", "sk-test")
            super().__init__(spec if spec is not None else openai_client.spec, **kwargs)

    class LocalAsyncClient(openapi_dyn.AsyncClient):
        def __init__(self, spec=None, **kwargs):
            kwargs.setdefault("base_url", faultserver.url + "/v1")
            kwargs.setdefault("api_key", "sk-test")
            super().__init__(spec if spec is not None else openai_client.spec, **kwargs)

    monkeypatch.setattr(openapi_dyn, "Client", LocalClient, raising=False)
    monkeypatch.setattr(openapi_dyn, "AsyncClient", LocalAsyncClient, raising=False)

    monkeypatch.chdir(tmp_path)
    (tmp_path / "meeting.mp3").write_bytes(b"ID3" + b"\x00" * 100)
    google = gemini_service(faultserver)
    faultserver.always(lambda rec: google(rec) if rec.path.startswith(GOOGLE_PATHS) else answer(rec))
    exec(compile(code, "<guide example>", "exec"), {"__name__": "guide_example"})
    # an unexpected request would have met a 404 and failed the example
    assert all(rec.path.startswith(("/v1/", "/openai/") + GOOGLE_PATHS) for rec in faultserver.requests)


def test_guide_pages_have_examples():
    assert len(list(examples())) >= 25
