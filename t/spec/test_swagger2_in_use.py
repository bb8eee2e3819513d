"""Swagger 2.0 documents used as a user would, and as an attacker would
write them: the forms of ``swagger:`` accepted and refused, ``x-servers``,
a converted document served over MCP (the official ``mcp`` client, as
t/agents/test_mcp.py drives it) and written as a man page by the command line, and
hostile documents: ``$ref`` cycles, ``$ref``\\ s into devices, hidden files
and system trees, a file that is not a regular file, huge arrays.
"""
import json
import os
import pathlib
import subprocess
import sys

import pytest
import yaml

from openapi_dyn import Client, SpecError
from openapi_dyn._spec import limits
from openapi_dyn._spec.load import load_spec

from faultserver import reply

SHOP = pathlib.Path(__file__).resolve().parents[1] / "data" / "swagger2" / "shop.yaml"
KEY = "shop-key-5b1e9c0d7a"


def _doc(**extra):
    doc = {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "host": "api.example.com",
           "paths": {"/a": {"get": {"operationId": "a", "responses": {"200": {"description": "ok"}}}}}}
    doc.update(extra)
    return doc


def _write(tmp_path, doc, name="api.yaml"):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc) if isinstance(doc, dict) else doc)
    return path


# ------------------------------------------------------- swagger: "2.0"
def test_an_unquoted_2_0_in_yaml_is_the_same_document(tmp_path):
    text = SHOP.read_text().replace('swagger: "2.0"', "swagger: 2.0")
    assert "swagger: 2.0\n" in text
    path = _write(tmp_path, text)
    assert yaml.safe_load(text)["swagger"] == 2.0          # YAML reads it as a number
    unquoted = load_spec(path, cache=False)
    assert unquoted.source_format == "swagger-2.0"
    assert unquoted.document == load_spec(SHOP, cache=False).document


@pytest.mark.parametrize("value", [2, "2", "2.0.0"])
def test_other_spellings_of_two_are_refused_naming_the_fix(tmp_path, value):
    path = _write(tmp_path, json.dumps(_doc(swagger=value)), "api.json")
    with pytest.raises(SpecError) as info:
        load_spec(path, cache=False)
    assert 'swagger: "2.0"' in info.value.what and info.value.where.endswith("#/swagger")


# ------------------------------------------------------------ x-servers
def test_x_servers_at_every_level_become_servers(tmp_path):
    doc = _doc(**{"x-servers": [{"url": "https://{region}.api.example.com/v2",
                                 "variables": {"region": {"default": "eu", "enum": ["eu", "us"]}}}]})
    doc["paths"]["/b"] = {"x-servers": [{"url": "https://b.example.com"}],
                          "get": {"operationId": "b", "responses": {"200": {"description": "ok"}}}}
    doc["paths"]["/c"] = {"get": {"operationId": "c", "schemes": ["http"],
                                  "x-servers": [{"url": "https://c.example.com"}],
                                  "responses": {"200": {"description": "ok"}}}}
    loaded = load_spec(_write(tmp_path, doc), cache=False)
    out = loaded.document
    assert out["servers"] == doc["x-servers"] and "x-servers" not in json.dumps(out)
    assert out["paths"]["/b"]["servers"] == [{"url": "https://b.example.com"}]
    assert out["paths"]["/c"]["get"]["servers"] == [{"url": "https://c.example.com"}]
    assert any(r.pointer == "#/x-servers" for r in loaded.conversions)
    client = Client(str(tmp_path / "api.yaml"), cache=False)
    assert client.prepare("a").url == "https://eu.api.example.com/v2/a"
    assert client.prepare("b").url == "https://b.example.com/b"
    assert client.prepare("c").url == "https://c.example.com/c"
    us = Client(str(tmp_path / "api.yaml"), cache=False, server_variables={"region": "us"})
    assert us.prepare("a").url == "https://us.api.example.com/v2/a"


@pytest.mark.parametrize("value, pointer", [
    ({"url": "https://x"}, "#/x-servers"),
    ([], "#/x-servers"),
    ([{"description": "no url"}], "#/x-servers/0"),
    ([{"url": "https://{v}.x", "variables": {"v": {"enum": ["a"]}}}], "#/x-servers/0/variables"),
])
def test_a_malformed_x_servers_is_refused_saying_where(tmp_path, value, pointer):
    path = _write(tmp_path, json.dumps(_doc(**{"x-servers": value})), "api.json")
    with pytest.raises(SpecError) as info:
        load_spec(path, cache=False)
    assert info.value.where == f"{path}{pointer}"


# ------------------------------------------ MCP and man on a converted document
def test_the_mcp_server_serves_a_converted_document(tmp_path, session_cache_dir, faultserver):
    from mcp_driver import run_session as _run

    from mcp.client.stdio import StdioServerParameters

    faultserver.always(reply(json=[{"name": "desk", "kind": "table"}]))
    err = tmp_path / "stderr.txt"
    env = {"OPENAPI_DYN_CACHE_DIR": str(session_cache_dir), "PYTHONPATH": os.pathsep.join(sys.path),
           "PATH": os.environ.get("PATH", "")}
    params = StdioServerParameters(command=sys.executable, args=[
        "-m", "openapi_dyn", "--spec", str(SHOP), "--base-url", faultserver.url, "--api-key", KEY, "mcp",
        "--operations", "listItems,addItem,uploadPhoto"], env=env)

    async def body(session):
        listed = await session.list_tools()
        called = await session.call_tool("listItems", {"ids": [1, 2], "tags": ["a", "b"], "page_size": 5})
        refused = await session.call_tool("listItems", {"page_size": 500})
        return listed, called, refused

    listed, called, refused = _run(params, err, body)
    tools = {t.name: t for t in listed.tools}
    assert sorted(tools) == ["addItem", "listItems", "uploadPhoto"]
    props = tools["listItems"].input_schema["properties"]
    assert props["ids"]["type"] == "array" and props["page_size"]["maximum"] == 100
    assert not called.is_error and json.loads(called.content[0].text) == [{"name": "desk", "kind": "table"}]
    assert refused.is_error and "page_size" in refused.content[0].text
    assert len(faultserver.requests) == 1
    rec = faultserver.requests[0]
    assert rec.path == "/items" and rec.headers["X-Api-Key"] == KEY
    assert sorted(rec.query) == [("ids", "1,2"), ("page_size", "5"), ("tags", "a"), ("tags", "b")]
    assert KEY not in err.read_text()


def test_the_command_line_writes_a_man_page_of_a_converted_document(tmp_path):
    import shutil

    if not shutil.which("pod2man"):
        pytest.skip("pod2man is not installed: the man format needs it")
    out = tmp_path / "man"
    done = subprocess.run([sys.executable, "-m", "openapi_dyn", "--spec", str(SHOP), "docs", "--format", "man",
                           "-o", str(out), "--name", "shop"], capture_output=True, text=True, timeout=180,
                          env={**os.environ, "OPENAPI_DYN_CACHE_DIR": str(tmp_path / "cache")})
    assert done.returncode == 0, done.stderr
    pages = list(out.iterdir())
    assert len(pages) == 1
    page = pages[0].read_text()
    assert page.startswith(".\\\"") and ".TH" in page
    for name in ("listItems", "addItem", "renameItem", "uploadPhoto", "Swagger 2.0"):
        assert name in page, name
    if shutil.which("groff"):
        shown = subprocess.run(["groff", "-man", "-Tutf8"], input=page, capture_output=True, text=True, timeout=60)
        assert shown.returncode == 0 and "uploadPhoto" in shown.stdout


# ------------------------------------------------------------- hostile input
def test_schemas_that_only_refer_to_each_other_are_refused(tmp_path):
    doc = _doc(definitions={"A": {"$ref": "#/definitions/B"}, "B": {"$ref": "#/definitions/A"},
                            "Tree": {"type": "object", "properties": {"kids": {
                                "type": "array", "items": {"$ref": "#/definitions/Tree"}}}}})
    doc["paths"]["/a"]["get"]["responses"]["200"]["schema"] = {"$ref": "#/definitions/A"}
    with pytest.raises(SpecError) as info:
        load_spec(_write(tmp_path, doc), cache=False)
    assert "cycle" in info.value.what and info.value.where.endswith("#/components/schemas/A")
    # a schema that holds itself further down is a tree, not a cycle
    doc["paths"]["/a"]["get"]["responses"]["200"]["schema"] = {"$ref": "#/definitions/Tree"}
    del doc["definitions"]["A"], doc["definitions"]["B"]
    doc["paths"]["/a"]["post"] = {"operationId": "plant", "parameters": [
        {"name": "tree", "in": "body", "schema": {"$ref": "#/definitions/Tree"}}],
        "responses": {"200": {"description": "ok"}}}
    client = Client(str(_write(tmp_path, doc, "tree.yaml")), cache=False)
    from openapi_dyn import RequestValidationError
    from openapi_dyn.reference import render
    assert "kids" in render(client, "markdown")
    assert json.loads(client.prepare("plant", body={"kids": [{"kids": [{"kids": []}]}]}).body)
    with pytest.raises(RequestValidationError) as info:
        client.prepare("plant", body={"kids": [{"kids": [{"kids": 3}]}]})
    assert "body.kids[0].kids[0].kids" in [p.location for p in info.value.errors]


@pytest.mark.parametrize("kind", ["parameters", "paths"])
def test_parameter_and_path_cycles_are_refused(tmp_path, kind):
    doc = _doc()
    if kind == "parameters":
        doc["parameters"] = {"p1": {"$ref": "#/parameters/p2"}, "p2": {"$ref": "#/parameters/p1"}}
        doc["paths"]["/a"]["get"]["parameters"] = [{"$ref": "#/parameters/p1"}]
    else:
        doc["paths"] = {"/a": {"$ref": "#/paths/~1b"}, "/b": {"$ref": "#/paths/~1a"}}
    with pytest.raises(SpecError, match="cycle"):
        load_spec(_write(tmp_path, doc), cache=False)


def test_a_ref_to_a_device_is_not_read(tmp_path):
    doc = _doc()
    doc["paths"]["/a"]["get"]["responses"]["200"]["schema"] = {"$ref": "/dev/zero"}
    with pytest.raises(SpecError) as info:
        load_spec(_write(tmp_path, doc), cache=False)
    assert "/dev" in info.value.what
    # nor the same device reached through a relative path or a file: URL
    for ref in ("../" * 12 + "dev/zero", "file:///dev/urandom", "/proc/self/environ"):
        doc["paths"]["/a"]["get"]["responses"]["200"]["schema"] = {"$ref": ref}
        with pytest.raises(SpecError, match="not allowed to read"):
            load_spec(_write(tmp_path, doc), cache=False)


def test_a_named_pipe_is_not_opened_and_waited_on(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    pipe = tmp_path / "defs.yaml"
    os.mkfifo(pipe)
    doc = _doc()
    doc["paths"]["/a"]["get"]["responses"]["200"]["schema"] = {"$ref": "defs.yaml#/Thing"}
    with pytest.raises(SpecError, match="not a regular file"):
        load_spec(_write(tmp_path, doc), cache=False)
    with pytest.raises(SpecError, match="not a regular file"):
        load_spec(pipe, cache=False)


def test_refs_into_hidden_files_of_the_home_directory_are_not_read(tmp_path):
    secret = tmp_path / "home" / ".aws" / "credentials.yaml"
    secret.parent.mkdir(parents=True)
    secret.write_text("aws_secret_access_key: wJalrXUtnFEMI-very-secret\n")
    dotenv = tmp_path / "project" / ".env"
    dotenv.parent.mkdir(parents=True)
    dotenv.write_text("OPENAI_API_KEY=sk-from-dotenv-123456\n")
    for ref in ("../home/.aws/credentials.yaml#/aws_secret_access_key", ".env", str(secret)):
        doc = _doc()
        doc["paths"]["/a"]["get"]["responses"]["200"]["examples"] = {"application/json": {"$ref": ref}}
        doc["paths"]["/a"]["get"]["responses"]["200"]["schema"] = {"type": "string"}
        path = _write(tmp_path / "project", doc)
        try:
            loaded = load_spec(path, cache=False)
        except SpecError as e:
            assert "very-secret" not in str(e) and "sk-from-dotenv" not in str(e)
            continue
        text = json.dumps(loaded.document)
        assert "very-secret" not in text and "sk-from-dotenv" not in text, ref


def test_a_symbolic_link_shipped_with_a_spec_is_no_way_around_it(tmp_path):
    secret = tmp_path / ".aws" / "config.yaml"
    secret.parent.mkdir()
    secret.write_text("token: very-secret-token\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "defs.yaml").symlink_to(secret)
    doc = _doc()
    doc["paths"]["/a"]["get"]["responses"]["200"]["schema"] = {"$ref": "defs.yaml"}
    with pytest.raises(SpecError, match="hidden file or directory '.aws'") as info:
        load_spec(_write(project, doc), cache=False)
    assert "very-secret" not in str(info.value)


def test_a_document_inside_a_hidden_directory_still_reads_its_own_files(tmp_path):
    home = tmp_path / ".specs"
    (home / "defs.yaml").parent.mkdir(parents=True)
    (home / "defs.yaml").write_text(yaml.safe_dump({"Thing": {"type": "object", "properties": {
        "id": {"type": "integer"}}}}))
    doc = _doc()
    doc["paths"]["/a"]["get"]["responses"]["200"]["schema"] = {"$ref": "defs.yaml#/Thing"}
    loaded = load_spec(_write(home, doc), cache=False)
    assert loaded.document["components"]["schemas"]["Thing"]["properties"]["id"] == {"type": "integer"}


def test_a_ref_to_a_text_file_where_a_schema_belongs_is_refused(tmp_path):
    (tmp_path / "notes").write_text("just some words, not a schema\n")
    doc = _doc()
    doc["paths"]["/a"]["get"]["responses"]["200"]["schema"] = {"$ref": "notes"}
    with pytest.raises(SpecError) as info:
        load_spec(_write(tmp_path, doc), cache=False)
    assert "leads to a str" in info.value.what and "/responses/200" in info.value.where
    assert "just some words" not in str(info.value)


def test_a_local_file_larger_than_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_LOCAL_BYTES", 1000)
    with pytest.raises(SpecError, match="MAX_LOCAL_BYTES"):
        load_spec(SHOP, cache=False)


def test_a_huge_collection_format_array_is_sent_whole(faultserver):
    """A csv array of 20,000 items becomes one value, a multi array 20,000
    pairs: nothing is dropped or repeated."""
    faultserver.always(reply(json=[]))
    client = Client(str(SHOP), base_url=faultserver.url, api_key=KEY, max_retries=0)
    n = 20000
    req = client.prepare("listItems", ids=list(range(n)), tags=[f"t{i}" for i in range(n)])
    assert req.url.count("tags=") == n and req.url.count("ids=") == 1
    n = 5000                       # what fits in the stand-in's request line (64 KiB)
    client.listItems(ids=list(range(n)))
    assert faultserver.requests[-1].query == [("ids", ",".join(str(i) for i in range(n)))]


def test_an_error_about_a_huge_url_does_not_repeat_it_whole(faultserver):
    faultserver.always(reply(414, json={"message": "URI too long"}))
    client = Client(str(SHOP), base_url=faultserver.url, api_key=KEY, max_retries=0)
    from openapi_dyn import APIError

    with pytest.raises(APIError) as info:
        client.listItems(ids=list(range(5000)))
    text = str(info.value)
    assert info.value.status_code == 414 and "URI too long" in text
    assert len(text) < 1000 and "characters" in text


def test_a_document_from_a_url_reads_no_local_file(faultserver):
    doc = _doc()
    ok = {"description": "ok", "schema": {"$ref": "defs.yaml#/Thing"}}
    doc["paths"]["/a"]["get"]["responses"]["200"] = ok

    def pick(rec):
        if rec.path == "/specs/api.yaml":
            return reply(body=yaml.safe_dump(doc).encode(), content_type="application/yaml")
        if rec.path == "/specs/defs.yaml":
            return reply(body=b"Thing: {type: object}\n", content_type="application/yaml")
        return reply(404, json={"message": "no such file"})
    faultserver.always(pick)
    url = faultserver.url + "/specs/api.yaml"
    loaded = load_spec(url, cache=False)
    assert loaded.source_format == "swagger-2.0"
    assert loaded.document["servers"] == [{"url": "http://api.example.com"}]   # the URL's scheme
    assert loaded.document["components"]["schemas"]["Thing"] == {"type": "object"}
    for ref, message in (("file:///etc/passwd", "cannot refer to local files"), ("/etc/passwd", "HTTP 404")):
        ok["schema"] = {"$ref": ref}
        with pytest.raises(SpecError, match=message) as info:
            load_spec(url, cache=False)
        assert "root:" not in str(info.value)
    assert all(r.path.startswith("/") and r.headers["Host"].startswith("127.0.0.1") for r in faultserver.requests)


def test_a_huge_default_or_enum_does_not_swell_the_reference(tmp_path):
    """An array parameter with a 50,000-value default and enum: the synopsis
    leaves it out, the facts show its first values only."""
    n = 50000
    doc = _doc()
    doc["paths"]["/a"]["get"]["parameters"] = [{
        "name": "ids", "in": "query", "type": "array", "collectionFormat": "csv", "default": list(range(n)),
        "items": {"type": "integer", "enum": list(range(n))}}, {
        "name": "size", "in": "query", "type": "integer", "default": 20}]
    client = Client(str(_write(tmp_path, doc)), cache=False)
    from openapi_dyn.reference import render

    for fmt in ("text", "markdown", "pod", "html"):
        text = render(client, fmt)
        assert len(text) < 20000, (fmt, len(text))
        assert "size=20" in text and "49999" not in text, fmt
    assert len(client.ops.a.__doc__) < 5000
    assert client.prepare("a", ids=[n - 1]).url.endswith("?ids=49999")


# ------------------------------------------------ $refs to other hosts (SSRF)
@pytest.mark.parametrize("ref", ["http://169.254.169.254/latest/meta-data/iam/security-credentials/role",
                                 "http://metadata.google.internal/computeMetadata/v1/",
                                 "http://[fe80::1]/x.yaml"])
def test_a_ref_to_a_cloud_metadata_service_is_not_fetched(tmp_path, ref):
    doc = _doc()
    doc["paths"]["/a"]["get"]["responses"]["200"]["schema"] = {"$ref": ref}
    with pytest.raises(SpecError, match="metadata service") as info:
        load_spec(_write(tmp_path, doc), cache=False)
    assert "not fetched" in info.value.what


def test_a_redirect_to_a_metadata_service_is_not_followed(faultserver):
    doc = _doc()
    doc["paths"]["/a"]["get"]["responses"]["200"]["schema"] = {"$ref": "defs.yaml#/Thing"}

    def pick(rec):
        if rec.path == "/api.yaml":
            return reply(body=yaml.safe_dump(doc).encode(), content_type="application/yaml")
        return reply(302, body=b"", headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    faultserver.always(pick)
    with pytest.raises(SpecError, match="redirects to http://169.254.169.254"):
        load_spec(faultserver.url + "/api.yaml", cache=False)
    assert [r.path for r in faultserver.requests] == ["/api.yaml", "/defs.yaml"]


def test_a_spec_on_a_public_host_may_not_reach_this_machine_or_a_private_network():
    from openapi_dyn._spec.fetch import ref_url_problem

    public = "http://93.184.216.34/spec.yaml"
    for url in ("http://127.0.0.1:8080/x.yaml", "http://10.0.0.7/x.yaml", "http://[::1]/x.yaml",
                "http://192.168.1.1/x.yaml"):
        assert "private network" in ref_url_problem(url, public), url
    assert ref_url_problem("http://93.184.216.34/other.yaml", public) is None        # its own host
    assert ref_url_problem("http://8.8.8.8/x.yaml", public) is None                  # another public host
    # from a file or a private host, private addresses are fine (an internal schema server)
    for root in ("/home/me/spec.yaml", "http://127.0.0.1:9000/spec.yaml"):
        assert ref_url_problem("http://10.0.0.7/x.yaml", root) is None
        assert "link-local" in ref_url_problem("http://169.254.169.254/", root)
