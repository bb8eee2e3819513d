"""Swagger 2.0 documents, converted to OpenAPI 3.0 at load time: what maps to
what, the same result from a file, a URL and a dict, multi-file documents,
the cache, clear errors for malformed documents, the same limits as OpenAPI,
requests sent to a local server, and every face (help, reference, CLI,
tools) on real documents.  The comparison with swagger2openapi is in
t/spec/test_swagger2_reference.py."""
import copy
import importlib.metadata
import json
import pathlib
import subprocess
import sys

import pytest
import yaml

from openapi_dyn import Client, RequestValidationError, SpecError
from openapi_dyn._spec import Spec
from openapi_dyn._spec import limits
from openapi_dyn._spec.load import load_spec, stats

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "swagger2"
SHOP = DATA / "shop.yaml"
MULTI = DATA / "multi" / "api.yaml"


def shop_dict():
    return yaml.safe_load(SHOP.read_text())


def prance_file(rel):
    path = pathlib.Path(importlib.metadata.distribution("prance").locate_file(rel))
    assert path.is_file(), f"prance no longer ships {rel}"
    return path


@pytest.fixture
def no_cache(monkeypatch):
    monkeypatch.setenv("OPENAPI_DYN_CACHE", "0")


@pytest.fixture(scope="module")
def server():
    from pytest_httpserver import HTTPServer
    srv = HTTPServer(host="127.0.0.1", port=0)
    srv.start()
    yield srv
    srv.clear()
    if srv.is_running():
        srv.stop()


# ------------------------------------------------------------------ what maps to what
@pytest.fixture(scope="module")
def shop():
    return load_spec(SHOP, cache=False)


def test_servers_from_host_base_path_and_schemes(shop):
    assert shop.source_format == "swagger-2.0"
    doc = shop.document
    assert doc["openapi"] == "3.0.3" and "swagger" not in doc
    assert doc["servers"] == [{"url": "https://shop.example.com:8443/api"},
                              {"url": "http://shop.example.com:8443/api"}]
    for key in ("host", "basePath", "schemes", "consumes", "produces", "definitions", "parameters",
                "responses", "securityDefinitions"):
        assert key not in doc, key


def test_collection_formats_become_style_and_explode(shop):
    params = {p.get("name") or p["$ref"]: p for p in shop.document["paths"]["/items"]["get"]["parameters"]}
    got = {name: (p.get("style"), p.get("explode")) for name, p in params.items() if "name" in p}
    assert got == {"ids": ("form", False), "tags": (None, True), "words": ("spaceDelimited", None),
                   "codes": ("pipeDelimited", None), "cells": ("form", False), "X-Trace": ("simple", None)}
    assert params["cells"]["x-collectionFormat"] == "tsv"
    assert params["ids"]["schema"] == {"type": "array", "items": {"type": "integer"}}
    for p in params.values():
        assert "type" not in p and "items" not in p and "collectionFormat" not in p


def test_body_and_form_parameters_become_request_bodies(shop):
    paths = shop.document["paths"]
    add = paths["/items"]["post"]
    assert "parameters" not in add
    assert add["requestBody"]["required"] is True
    assert add["x-codegen-request-body-name"] == "item"
    assert {mt: m["schema"] for mt, m in add["requestBody"]["content"].items()} == {
        "application/json": {"$ref": "#/components/schemas/Item"},
        "application/xml": {"$ref": "#/components/schemas/Item"}}
    rename = paths["/items/{id}"]["put"]["requestBody"]["content"]
    assert list(rename) == ["application/x-www-form-urlencoded"]
    assert rename["application/x-www-form-urlencoded"]["schema"]["required"] == ["name"]
    assert rename["application/x-www-form-urlencoded"]["encoding"] == {"labels": {"style": "form", "explode": False}}
    upload = paths["/items/{id}/photo"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]
    assert upload["multipart/form-data"]["schema"]["properties"]["photo"] == {"type": "string", "format": "binary"}
    # the path item's parameter stays where it was, as a 3.0 parameter
    assert paths["/items/{id}"]["parameters"] == [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[a-z0-9]+$"}}]


def test_responses_headers_and_produces(shop):
    paths = shop.document["paths"]
    ok = paths["/items"]["get"]["responses"]["200"]
    assert ok["headers"] == {"X-Total": {"description": "how many there are", "schema": {"type": "integer"}}}
    assert ok["content"]["application/json"]["schema"]["items"] == {"$ref": "#/components/schemas/Item"}
    assert ok["content"]["application/json"]["examples"] == {"response": {"value": [{"name": "desk", "kind": "table"}]}}
    assert paths["/items"]["get"]["responses"]["default"] == {"$ref": "#/components/responses/NotFound"}
    photo = paths["/items/{id}/photo"]["get"]["responses"]["200"]["content"]
    assert photo == {mt: {"schema": {"type": "string", "format": "binary"}} for mt in ("image/png", "image/jpeg")}
    assert list(paths["/items/{id}/photo"]["post"]["responses"]["200"]["content"]) == ["text/plain"]


def test_components_security_and_extensions(shop):
    doc = shop.document
    comps = doc["components"]
    assert sorted(comps["schemas"]) == ["Error", "Item", "Lamp"]
    assert comps["parameters"] == {"pageSize": {"name": "page_size", "in": "query", "schema": {
        "type": "integer", "minimum": 1, "maximum": 100, "default": 20}}}
    assert comps["requestBodies"]["itemBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Item"}
    assert comps["responses"]["NotFound"]["content"] == {
        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    schemes = comps["securitySchemes"]
    assert schemes["basicAuth"] == {"type": "http", "scheme": "basic"}
    assert schemes["keyHeader"] == {"type": "apiKey", "in": "header", "name": "X-Api-Key"}
    assert schemes["implicitAuth"]["flows"] == {"implicit": {
        "authorizationUrl": "https://auth.example.com/authorize", "scopes": {"read": "read things"}}}
    assert list(schemes["passwordAuth"]["flows"]) == ["password"]
    assert schemes["appAuth"]["flows"] == {"clientCredentials": {"tokenUrl": "https://auth.example.com/token",
                                                                 "scopes": {}}}
    assert set(schemes["codeAuth"]["flows"]["authorizationCode"]) == {"authorizationUrl", "tokenUrl", "scopes"}
    item = comps["schemas"]["Item"]
    assert item["discriminator"]["propertyName"] == "kind"
    assert item["properties"]["note"] == {"type": "string", "nullable": True}
    assert item["x-storage"] == "items"
    assert doc["x-audience"] == "internal" and doc["paths"]["/items"]["x-owner"] == "catalogue"
    assert doc["paths"]["/items"]["post"]["x-rate-class"] == "slow"
    assert comps["schemas"]["Lamp"]["allOf"][0] == {"$ref": "#/components/schemas/Item"}


def test_conversions_are_listed(shop):
    text = "\n".join(f"{c.pointer} {c.action}" for c in shop.conversions)
    for words in ("converted to OpenAPI 3.0.3", "became servers", "definitions (3) moved to components/schemas",
                  "securityDefinitions (7)", "collectionFormat tsv", "body parameters became request bodies",
                  "formData parameters became form request bodies", "type: file became binary",
                  "x-nullable became nullable", "discriminators given as a property name"):
        assert words in text, words
    assert all(c.pointer.startswith("#") for c in shop.conversions)
    assert shop.repairs == [] or all("Swagger" not in r.action for r in shop.repairs)


def test_openapi_documents_say_so():
    loaded = load_spec({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}, cache=False)
    assert loaded.source_format == "openapi-3.x" and loaded.conversions == ()
    spec = Spec(SHOP, cache=False)
    assert spec.source_format == "swagger-2.0" and spec.version == "3.0" and spec.conversions


def test_strict_validation_accepts_the_result():
    loaded = load_spec(SHOP, cache=False, strict=True)
    assert loaded.source_format == "swagger-2.0"


# ------------------------------------------------------------------ file, URL, dict, other files
def test_file_url_and_dict_give_the_same_document(server, no_cache):
    from_file = load_spec(SHOP).document
    from_dict = load_spec(shop_dict()).document
    server.clear()
    server.expect_request("/shop.yaml").respond_with_data(SHOP.read_bytes(), content_type="application/yaml")
    from_url = load_spec(server.url_for("/shop.yaml")).document
    assert from_file == from_dict == from_url


def test_no_host_or_scheme_takes_those_of_the_url(server, no_cache):
    doc = shop_dict()
    del doc["host"], doc["schemes"]
    server.clear()
    server.expect_request("/s.json").respond_with_json(doc)
    url = server.url_for("/s.json")
    assert load_spec(url).document["servers"] == [{"url": url.rsplit("/", 1)[0] + "/api"}]
    # from a file or a dict: the base path alone, relative to base_url
    assert load_spec(doc).document["servers"] == [{"url": "/api"}]
    doc["host"] = "api.example.com"
    assert load_spec(doc).document["servers"] == [{"url": "https://api.example.com/api"}]


def test_a_document_in_several_files(server, no_cache):
    loaded = load_spec(MULTI)
    doc = loaded.document
    assert loaded.source_format == "swagger-2.0"
    text = json.dumps(doc)
    assert ".yaml" not in text and "#/definitions/" not in text
    comps = doc["components"]
    assert comps["schemas"]["Pet"]["properties"]["owner"] == {"$ref": "#/components/schemas/Owner"}
    assert comps["schemas"]["Owner"]["properties"]["nick"] == {"type": "string", "nullable": True}
    assert comps["parameters"]["limit"] == {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 50}}
    assert comps["responses"]["error"]["content"]["*/*"]["schema"]["properties"]["message"] == {"type": "string"}
    one = doc["paths"]["/pets/{petId}"]
    assert one["parameters"][0]["schema"] == {"type": "integer"}
    assert one["get"]["parameters"][0]["style"] == "pipeDelimited"
    assert doc["paths"]["/pets"]["post"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Pet"}
    server.clear()
    for p in MULTI.parent.iterdir():
        server.expect_request(f"/m/{p.name}").respond_with_data(p.read_bytes())
    remote = load_spec(server.url_for("/m/api.yaml")).document
    # no schemes: the one the document was fetched with
    assert remote.pop("servers") == [{"url": "http://split.example.com/v1"}]
    assert doc["servers"] == [{"url": "https://split.example.com/v1"}]
    assert remote == {k: v for k, v in doc.items() if k != "servers"}


def test_a_dict_cannot_refer_to_other_files(no_cache):
    doc = yaml.safe_load(MULTI.read_text())
    with pytest.raises(SpecError) as e:
        load_spec(doc)
    assert "common.yaml#/limit" in e.value.what and "#/paths/~1pets/get/parameters/0" in e.value.where


def test_cached_with_its_format_and_conversions(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAPI_DYN_CACHE_DIR", str(tmp_path / "cache"))
    first = load_spec(MULTI)
    hits = stats["cache_hit"]
    again = load_spec(MULTI)
    assert stats["cache_hit"] == hits + 1
    assert again.document == first.document
    assert again.source_format == "swagger-2.0"
    assert list(again.conversions) == list(first.conversions) and first.conversions
    same_content = load_spec(yaml.safe_load(SHOP.read_text()))
    assert same_content.source_format == "swagger-2.0"
    assert load_spec(shop_dict()).conversions == same_content.conversions


# ------------------------------------------------------------------ malformed documents
def _broken(change):
    doc = shop_dict()
    change(doc)
    return doc


def _set(path, value):
    def change(doc):
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return change


MALFORMED = [
    ("paths not a mapping", _set(["paths"], ["x"]), "'paths' must be a mapping", "#/paths"),
    ("no paths", lambda d: d.pop("paths"), "no 'paths'", "#"),
    ("parameter without in", _set(["paths", "/items", "get", "parameters", 1, "in"], "nowhere"),
     "'in' must be one of", "#/paths/~1items/get/parameters/1/in"),
    ("parameter without type", lambda d: d["paths"]["/items"]["get"]["parameters"][1].pop("type"),
     "needs a 'type'", "#/paths/~1items/get/parameters/1"),
    ("unknown collectionFormat", _set(["paths", "/items", "get", "parameters", 1, "collectionFormat"], "commas"),
     "unknown collectionFormat 'commas'", "#/paths/~1items/get/parameters/1/collectionFormat"),
    ("two bodies", lambda d: d["paths"]["/items"]["post"]["parameters"].append(
        {"name": "b2", "in": "body", "schema": {}}), "at most one body parameter",
     "#/paths/~1items/post/parameters/1"),
    ("body without schema", lambda d: d["parameters"]["itemBody"].pop("schema"), "needs a 'schema'",
     "#/parameters/itemBody"),
    ("body and form", lambda d: d["paths"]["/items"]["post"]["parameters"].append(
        {"name": "f", "in": "formData", "type": "string"}), "both a body parameter and formData",
     "#/paths/~1items/post/parameters/1"),
    ("host with scheme", _set(["host"], "https://shop.example.com"), "'host' must be a host name", "#/host"),
    ("base path", _set(["basePath"], "api"), "'basePath' must start with '/'", "#/basePath"),
    ("security type", _set(["securityDefinitions", "basicAuth", "type"], "magic"),
     "unknown security scheme type 'magic'", "#/securityDefinitions/basicAuth/type"),
    ("oauth2 flow", _set(["securityDefinitions", "implicitAuth", "flow"], "sideways"),
     "unknown oauth2 flow 'sideways'", "#/securityDefinitions/implicitAuth/flow"),
    ("oauth2 url", lambda d: d["securityDefinitions"]["codeAuth"].pop("tokenUrl"),
     "accessCode flow needs 'tokenUrl'", "#/securityDefinitions/codeAuth"),
    ("dangling ref", _set(["paths", "/items", "get", "parameters", 0, "$ref"], "#/parameters/nope"),
     "'#/components/parameters/nope' does not resolve", "#/paths/~1items/get/parameters/0"),
    ("file outside a form", _set(["paths", "/items", "get", "parameters", 1, "type"], "file"),
     "type 'file' is only allowed for formData", "#/paths/~1items/get/parameters/1/type"),
    ("responses missing", lambda d: d["paths"]["/items"]["get"].pop("responses"), "needs 'responses'",
     "#/paths/~1items/get"),
]


@pytest.mark.parametrize("what,change,message,pointer", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_documents_are_refused_saying_where(what, change, message, pointer, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_broken(change)))
    with pytest.raises(SpecError) as e:
        load_spec(path, cache=False)
    assert message in e.value.what, e.value.what
    assert e.value.where == f"{path}{pointer}", e.value.where
    assert "Traceback" not in str(e.value)


def test_neither_format_gets_the_usual_refusal(tmp_path):
    for text, message in (("swagger: '1.2'\npaths: {}\n", "Swagger '1.2' is not supported"),
                          ("info: {title: t}\npaths: {}\n", "no 'openapi' field"),
                          ("swagger: 3\n", "Swagger 3 is not supported")):
        path = tmp_path / "doc.yaml"
        path.write_text(text)
        with pytest.raises(SpecError) as e:
            load_spec(path, cache=False)
        assert message in e.value.what, e.value.what


def test_the_same_limits_as_openapi(tmp_path, server, monkeypatch, no_cache):
    deep = shop_dict()
    node = deep["definitions"]["Item"]["properties"]
    for _ in range(limits.MAX_DEPTH + 5):
        node["x"] = {"type": "object", "properties": {}}
        node = node["x"]["properties"]
    with pytest.raises(SpecError) as e:
        load_spec(deep)
    assert "deep" in e.value.what or "depth" in e.value.what.lower()
    # items of a parameter nested past the limit: refused where they are, not a RecursionError
    items = {"type": "string"}
    for _ in range(limits.MAX_DEPTH + 5):
        items = {"type": "array", "items": items}
    doc = shop_dict()
    doc["paths"]["/items"]["get"]["parameters"][1]["items"] = items
    path = tmp_path / "deep.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(SpecError) as e:
        load_spec(path)
    assert "nested more than" in e.value.what and "#/paths/~1items/get/parameters/1/items" in e.value.where
    # a remote document larger than allowed, and a remote $ref to one
    monkeypatch.setattr(limits, "MAX_REMOTE_BYTES", 2000)
    server.clear()
    server.expect_request("/big.yaml").respond_with_data(SHOP.read_bytes())
    with pytest.raises(SpecError) as e:
        load_spec(server.url_for("/big.yaml"))
    assert "MAX_REMOTE_BYTES" in e.value.what
    for p in MULTI.parent.iterdir():
        body = p.read_bytes() + (b"\n# padding" * 300 if p.name == "defs.yaml" else b"")
        server.expect_request(f"/m/{p.name}").respond_with_data(body)
    with pytest.raises(SpecError) as e:
        load_spec(server.url_for("/m/api.yaml"))
    assert "MAX_REMOTE_BYTES" in e.value.what and "defs.yaml" in str(e.value)


def test_yaml_aliases_are_expanded_within_the_same_bounds(tmp_path, no_cache):
    lines = ["swagger: '2.0'", "info: {title: t, version: '1'}", "definitions:", "  a: &a {type: string}"]
    prev = "a"
    for i in range(30):
        lines.append(f"  l{i}: &l{i} {{type: array, items: [*{prev}, *{prev}, *{prev}, *{prev}]}}")
        prev = f"l{i}"
    lines += ["paths:", "  /x:", "    get:", "      responses:", "        '200': {description: ok, schema: *" + prev + "}"]
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(SpecError) as e:
        load_spec(path)
    assert "expan" in e.value.what or "nodes" in e.value.what


# ------------------------------------------------------------------ requests against a local server
@pytest.fixture
def shop_client(server):
    server.clear()
    return Client(str(SHOP), base_url=server.url_for("/api"),
                  credentials={"basicAuth": ("ann", "s3cret"), "keyHeader": "hdr-key", "keyQuery": "qry-key"})


def test_query_arrays_by_collection_format(shop_client, server):
    server.expect_ordered_request("/api/items", method="GET").respond_with_json([])
    shop_client.call("listItems", page_size=5, ids=[1, 2], tags=["a", "b"], words=["x", "y"], codes=["p", "q"],
                     cells=["c", "d"], **{"X-Trace": ["t1", "t2"]})
    req, _ = server.log[-1]
    assert req.query_string.decode() == ("page_size=5&ids=1,2&tags=a&tags=b&words=x%20y&codes=p%7Cq&cells=c%09d")
    assert req.headers["X-Trace"] == "t1,t2" and req.headers["X-Api-Key"] == "hdr-key"
    assert req.args.getlist("cells") == ["c\td"]


def test_body_parameter_and_basic_auth(shop_client, server):
    server.expect_ordered_request("/api/items", method="POST").respond_with_json(
        {"name": "desk", "kind": "table"}, status=201)
    answer = shop_client.call("addItem", body={"name": "desk", "kind": "table"})
    req, _ = server.log[-1]
    assert json.loads(req.data) == {"name": "desk", "kind": "table"}
    assert req.headers["Content-Type"] == "application/json"
    assert req.authorization.type == "basic" and req.authorization.username == "ann" \
        and req.authorization.password == "s3cret"
    assert answer["name"] == "desk"


def test_form_urlencoded_and_api_key_in_query(shop_client, server):
    server.expect_ordered_request("/api/items/desk1", method="PUT").respond_with_data("", status=204)
    shop_client.call("renameItem", id="desk1", body={"name": "big desk", "labels": ["a", "b"]})
    req, _ = server.log[-1]
    assert req.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert req.form.getlist("labels") == ["a,b"] and req.form["name"] == "big desk"
    assert req.args["api_key"] == "qry-key"


def test_multipart_with_a_file(shop_client, server, tmp_path):
    photo = tmp_path / "desk.png"
    photo.write_bytes(b"\x89PNG fake image bytes")
    server.expect_ordered_request("/api/items/desk1/photo", method="POST").respond_with_data(
        "stored", content_type="text/plain")
    answer = shop_client.call("uploadPhoto", id="desk1", body={"photo": photo, "caption": "my desk"})
    req, _ = server.log[-1]
    assert req.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert req.files["photo"].read() == b"\x89PNG fake image bytes"
    assert req.form["caption"] == "my desk"
    assert answer == "stored"


def test_invalid_calls_are_refused_before_sending(shop_client, server):
    before = len(server.log)
    with pytest.raises(RequestValidationError) as e:
        shop_client.prepare("addItem", body={"name": "x" * 30, "kind": 3})
    assert "body.name" in str(e.value) and "body.kind" in str(e.value)
    with pytest.raises(RequestValidationError) as e:
        shop_client.prepare("listItems", page_size=500)
    assert "page_size" in str(e.value)
    with pytest.raises(RequestValidationError):
        shop_client.prepare("renameItem", id="Not Valid!", body={"name": "n"})
    with pytest.raises(RequestValidationError):
        shop_client.prepare("uploadPhoto", id="a1", body={"caption": "no photo"})
    with pytest.raises(RequestValidationError):
        shop_client.call("addItem", body={"name": "desk"})
    assert len(server.log) == before


# ------------------------------------------------------------------ real documents and every face
def test_petstore_2(tmp_path):
    path = prance_file("tests/examples/v2.0/json/petstore.json")
    raw = json.loads(path.read_text())
    client = Client(str(path), credentials={"api_key": "k", "petstore_auth": "tok"})
    assert client.spec.source_format == "swagger-2.0"
    expected = {op["operationId"] for item in raw["paths"].values() for op in item.values()}
    assert set(client.operations) == expected and len(expected) == 20
    req = client.prepare("findPetsByStatus", status=["available", "sold"])
    assert req.url == "https://petstore.swagger.io/v2/pet/findByStatus?status=available&status=sold"
    req = client.prepare("updatePetWithForm", petId=7, name="rex")
    assert req.headers["Content-Type"] == "application/x-www-form-urlencoded" and req.body == b"name=rex"
    assert req.headers["Authorization"] == "Bearer tok"
    req = client.prepare("getInventory")
    assert req.headers["api_key"] == "k"
    with pytest.raises(RequestValidationError) as e:
        client.prepare("addPet", body={"name": "rex"})
    assert "photoUrls" in str(e.value)
    assert "petId" in client.ops.getPetById.__doc__


def test_kubernetes(tmp_path):
    path = prance_file("tests/specs/kubernetes_api_docs.json")
    raw = json.loads(path.read_text())
    client = Client(str(path), base_url="https://k8s.example.com:6443", api_key="tok")
    spec = client.spec
    assert spec.source_format == "swagger-2.0"
    methods = ("get", "put", "post", "delete", "options", "head", "patch")
    count = sum(1 for item in raw["paths"].values() for m in item if m in methods)
    assert len(spec.operations) == count > 1000
    req = client.prepare("listCoreV1NamespacedPod", namespace="default", labelSelector="app=web", limit=10)
    assert req.url == "https://k8s.example.com:6443/api/v1/namespaces/default/pods?labelSelector=app%3Dweb&limit=10"
    assert req.headers["authorization"] == "tok"    # an apiKey scheme named for the header
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"a": "b"}}
    req = client.prepare("createCoreV1NamespacedConfigMap", namespace="default", body=body)
    assert json.loads(req.body) == body
    assert req.headers["Content-Type"] == "application/json"     # the document says */*
    with pytest.raises(RequestValidationError) as e:
        client.prepare("createCoreV1NamespacedConfigMap", namespace="default", body={**body, "data": {"a": 1}})
    assert "body.data.a" in str(e.value)


def test_kubernetes_tools_and_reference():
    """Every operation of a large real document becomes a tool; a sample of
    them is documented in every format."""
    from openapi_dyn import reference
    client = Client(str(prance_file("tests/specs/kubernetes_api_docs.json")), base_url="https://k8s.example.com")
    tools = client.tools("openai", allow_write=True)
    assert len(tools) == len(client.operations)
    pods = next(t for t in tools if t["function"]["name"] == "listCoreV1NamespacedPod")
    assert "labelSelector" in json.dumps(pods["function"]["parameters"])
    for op in list(client.operations)[::60]:
        for fmt in ("text", "markdown", "pod", "html"):
            assert op in reference.render_operation(client, op, fmt), (op, fmt)


def test_reference_in_every_format_says_the_source_format(tmp_path):
    from openapi_dyn import reference
    client = Client(str(SHOP))
    for fmt in ("text", "pod", "markdown", "html"):
        text = reference.render(client, fmt)
        assert "Swagger 2.0 (converted to OpenAPI 3.0 when loaded)" in text, fmt
        assert "uploadPhoto" in text
    openapi = Client({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
                      "paths": {"/a": {"get": {"operationId": "a", "responses": {"200": {"description": "ok"}}}}}})
    assert "Described in OpenAPI 3.1." in reference.render(openapi, "text")
    import shutil
    if shutil.which("groff") or shutil.which("pod2man"):
        try:
            assert "Swagger 2.0" in reference.render(client, "man")
        except reference.ManUnavailable:
            pass


def test_help_and_signature_of_a_converted_operation():
    import inspect
    client = Client(str(SHOP))
    sig = inspect.signature(client.ops.listItems)
    assert {"page_size", "ids", "tags", "cells"} <= set(sig.parameters)
    doc = client.ops.renameItem.__doc__
    assert "name" in doc and "labels" in doc


def test_tools_from_a_converted_document():
    client = Client(str(SHOP))
    tools = client.tools("openai", allow_write=True)
    names = {t["function"]["name"] for t in tools}
    assert {"listItems", "addItem", "renameItem", "uploadPhoto"} <= names
    add = next(t for t in tools if t["function"]["name"] == "addItem")
    assert "kind" in json.dumps(add["function"]["parameters"])


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "openapi_dyn", *args], capture_output=True, text=True, timeout=180)


def test_cli_list_and_dry_run(tmp_path):
    path = prance_file("tests/examples/v2.0/json/petstore.json")
    done = _cli("--spec", str(path), "list")
    assert done.returncode == 0, done.stderr
    assert "findPetsByStatus" in done.stdout and "uploadFile" in done.stdout
    done = _cli("--spec", str(path), "--api-key", "secret-key-123", "call", "getPetById", "petId=7", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "GET https://petstore.swagger.io/v2/pet/7" in done.stdout
    assert "secret-key-123" not in done.stdout + done.stderr
    done = _cli("--spec", str(path), "call", "getPetById", "petId=seven", "--dry-run")
    assert done.returncode == 3 and "petId" in done.stderr


def test_repl_completion_and_the_async_client():
    from openapi_dyn import AsyncClient
    from openapi_dyn._cli.repl import Completer
    client = Client(str(SHOP))
    line = 'client.call("upl'
    assert Completer({"client": client}, lambda: line).candidates(line, "upl") == ["uploadPhoto"]
    line = "client.listItems(pa"
    assert "page_size=" in Completer({"client": client}, lambda: line).candidates(line, "pa")
    aclient = AsyncClient(str(SHOP), credentials={"keyHeader": "k"})
    req = aclient.prepare("listItems", tags=["a", "b"], cells=["x", "y"])
    assert req.url == "https://shop.example.com:8443/api/items?tags=a&tags=b&cells=x%09y"


def _places(node, path=()):
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return
    for k, v in items:
        yield path + (k,)
        yield from _places(v, path + (k,))


def test_odd_values_anywhere_give_a_spec_error_or_a_document():
    """Every place of the shop document replaced in turn by a value of the
    wrong kind: the load succeeds or raises SpecError, never anything else."""
    base = shop_dict()
    tried = 0
    for place in list(_places(base)):
        for odd in (None, 7, "x", [], {}, {"$ref": "#/definitions/nope"}):
            doc = copy.deepcopy(base)
            node = doc
            for key in place[:-1]:
                node = node[key]
            node[place[-1]] = odd
            tried += 1
            try:
                load_spec(doc, cache=False)
            except SpecError as e:
                assert e.where.startswith("<dict>"), (place, odd, e.where)
    assert tried > 1000
