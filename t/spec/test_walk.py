"""The one table of where things occur in an OpenAPI document
(openapi_dyn._spec.walk), for 3.0, 3.1 and 3.2, and the steps that read it:
bundling, repair and schema preparation."""
import json

from openapi_dyn._spec.load import load_spec
from openapi_dyn._spec.repair import repair_document
from openapi_dyn._spec.walk import map_subschemas, objects, operations, subschemas


def _found(doc, kind=None):
    return [(p, k) for p, k, _ in objects(doc) if kind is None or k == kind]


def _pointers(doc, kind):
    return [p for p, k in _found(doc, kind)]


DOC_32 = {
    "openapi": "3.2.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/search": {
            "query": {
                "operationId": "search",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Q"}}}},
                "responses": {"200": {"description": "rows", "content": {
                    "application/jsonl": {"itemSchema": {"type": "object", "properties": {"id": {"type": "int"}}}},
                    "multipart/mixed": {"schema": {"type": "array"},
                                        "prefixEncoding": [{"headers": {"X-Part": {"schema": {"type": "string"}}}}],
                                        "itemEncoding": {"contentType": "text/plain"}}}}},
            },
            "additionalOperations": {
                "COPY": {"operationId": "copyIt",
                         "parameters": [{"name": "to", "in": "header", "schema": {"type": "string"}}],
                         "responses": {"204": {"description": "done"}}},
            },
        },
    },
    "components": {
        "schemas": {"Q": {"type": "object", "properties": {"q": {"type": "string"}}}},
        "mediaTypes": {"Rows": {"itemSchema": {"type": "object"}}},
    },
}


def test_32_query_additional_operations_and_item_schema():
    ops = _pointers(DOC_32, "operation")
    assert ops == ["#/paths/~1search/query", "#/paths/~1search/additionalOperations/COPY"]
    schemas = _pointers(DOC_32, "schema")
    assert "#/paths/~1search/query/responses/200/content/application~1jsonl/itemSchema" in schemas
    assert "#/paths/~1search/additionalOperations/COPY/parameters/0/schema" in schemas
    assert "#/components/mediaTypes/Rows/itemSchema" in schemas
    assert "#/components/schemas/Q" in schemas
    # headers inside a positional encoding, and the encodings themselves
    assert ("#/paths/~1search/query/responses/200/content/multipart~1mixed/prefixEncoding/0/headers/X-Part/schema"
            in schemas)
    assert _pointers(DOC_32, "encoding") == [
        "#/paths/~1search/query/responses/200/content/multipart~1mixed/prefixEncoding/0",
        "#/paths/~1search/query/responses/200/content/multipart~1mixed/itemEncoding"]
    assert [(m, s) for m, s, _ in operations(DOC_32["paths"]["/search"])] == [
        ("query", "query"), ("COPY", "additionalOperations/COPY")]


def test_32_repair_reaches_item_schemas_and_additional_operations():
    doc = json.loads(json.dumps(DOC_32))
    doc["paths"]["/search"]["additionalOperations"]["COPY"]["parameters"][0]["schema"] = {"type": "str"}
    repairs = {r.pointer for r in repair_document(doc)}
    assert "#/paths/~1search/query/responses/200/content/application~1jsonl/itemSchema/properties/id/type" in repairs
    assert "#/paths/~1search/additionalOperations/COPY/parameters/0/schema/type" in repairs
    item = doc["paths"]["/search"]["query"]["responses"]["200"]["content"]["application/jsonl"]["itemSchema"]
    assert item["properties"]["id"]["type"] == "integer"


DOC_31 = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "webhooks": {
        "newPet": {"post": {"requestBody": {"content": {"application/json": {
            "schema": {"type": "object", "properties": {"name": {"type": "string"}}}}}},
            "responses": {"200": {"description": "ok"}}}},
        "x-note": {"post": {"requestBody": {"content": {"application/json": {"schema": {"type": "string"}}}}}},
    },
    "components": {
        "pathItems": {"Ping": {"get": {"parameters": [{"$ref": "#/components/parameters/Q"}],
                                       "responses": {"200": {"$ref": "#/components/responses/Ok"}}}}},
        "parameters": {"Q": {"name": "q", "in": "query", "schema": {"type": "string"}}},
        "responses": {"Ok": {"description": "ok", "headers": {"X-Rate": {"schema": {"type": "integer"}}}}},
        "schemas": {"Pet": {"type": "object", "examples": [{"type": "not a schema"}],
                            "x-extra": {"type": "not a schema either"}}},
    },
}


def test_31_webhooks_and_path_items():
    found = _found(DOC_31)
    assert ("#/webhooks/newPet", "pathItem") in found
    assert ("#/webhooks/newPet/post", "operation") in found
    assert ("#/webhooks/newPet/post/requestBody/content/application~1json/schema", "schema") in found
    assert ("#/components/pathItems/Ping/get", "operation") in found
    # x- keys of webhooks are extensions, not path items
    assert not any(p.startswith("#/webhooks/x-note") for p, _ in found)
    # Reference Objects are not reported: what they point at is, at its own place
    assert not any(p.startswith("#/components/pathItems/Ping/get/parameters/") for p, _ in found)
    assert ("#/components/parameters/Q", "parameter") in found
    assert ("#/components/responses/Ok/headers/X-Rate/schema", "schema") in found
    # a schema is reported, not walked into: examples and extensions are data
    assert _pointers(DOC_31, "schema").count("#/components/schemas/Pet") == 1
    assert not any("examples" in p or "x-extra" in p for p, _ in found)


DOC_30 = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/subscribe": {
            "parameters": [{"name": "v", "in": "query", "schema": {"type": "string"}}],
            "post": {
                "callbacks": {"onEvent": {"{$request.body#/url}": {"post": {
                    "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                    "responses": {"200": {"description": "ok"}}}}}},
                "responses": {"201": {"description": "made", "links": {
                    "get": {"operationId": "getIt", "parameters": {"id": "$response.body#/id"}}}}},
            },
        },
    },
}


def test_30_callbacks_and_links():
    found = _found(DOC_30)
    assert found[:4] == [("#/paths/~1subscribe", "pathItem"), ("#/paths/~1subscribe/parameters/0", "parameter"),
                         ("#/paths/~1subscribe/parameters/0/schema", "schema"),
                         ("#/paths/~1subscribe/post", "operation")]
    cb = "#/paths/~1subscribe/post/callbacks/onEvent"
    assert (cb, "callback") in found
    assert (cb + "/{$request.body#~1url}", "pathItem") in found
    assert (cb + "/{$request.body#~1url}/post/requestBody/content/application~1json/schema", "schema") in found
    assert ("#/paths/~1subscribe/post/responses/201/links/get", "link") in found
    assert ("#/paths/~1subscribe/post/responses", "responses") in found
    # parents come before their children
    pointers = [p for p, _ in found]
    assert pointers.index("#/paths/~1subscribe/post") < pointers.index(cb)


def test_kinds_limit_what_is_reported_and_cycles_end():
    doc = json.loads(json.dumps(DOC_30))
    item = doc["paths"]["/subscribe"]
    item["post"]["callbacks"]["onEvent"]["{$request.body#/url}"] = item     # a cycle, as YAML aliases make
    got = list(objects(doc, frozenset(["operation"])))
    assert [k for _, k, _ in got] == ["operation"] * len(got) and 1 <= len(got) <= 3


def test_subschemas_every_keyword():
    schema = {
        "properties": {"a/b": {"type": "string"}}, "patternProperties": {"^x": {}}, "$defs": {"D": {}},
        "definitions": {"E": {}}, "dependentSchemas": {"a": {}}, "additionalProperties": {},
        "items": {}, "prefixItems": [{}, True], "allOf": [{}], "anyOf": [{}], "oneOf": [{}], "not": {},
        "if": {}, "then": {}, "else": {}, "contains": {}, "propertyNames": {}, "unevaluatedItems": {},
        "unevaluatedProperties": {}, "contentSchema": {},
        "enum": [{}], "default": {}, "example": {}, "x-thing": {}, "discriminator": {"propertyName": "a"},
    }
    got = [(p, k) for p, k, _ in subschemas(schema, "#/S")]
    assert ("#/S/properties/a~1b", "properties") in got
    assert ("#/S/prefixItems/0", "prefixItems") in got and ("#/S/prefixItems/1", "prefixItems") not in got
    keywords = {k for _, k in got}
    assert keywords == {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas",
                        "additionalProperties", "items", "prefixItems", "allOf", "anyOf", "oneOf", "not",
                        "if", "then", "else", "contains", "propertyNames", "unevaluatedItems",
                        "unevaluatedProperties", "contentSchema"}
    assert list(subschemas({"items": [{"type": "string"}]})) == [("/items/0", "items", {"type": "string"})]


def test_map_subschemas_rebuilds_only_what_changed():
    inner = {"type": "string"}
    schema = {"properties": {"a": inner, "b": {"type": "integer"}}, "allOf": [inner, False], "not": {"x": 1}}
    changes = map_subschemas(schema, lambda s: {"done": True} if s is inner else s)
    assert set(changes) == {"properties", "allOf"}
    assert changes["allOf"] == [{"done": True}, False]
    assert changes["properties"]["b"] is schema["properties"]["b"]
    assert schema["properties"]["a"] is inner            # the schema itself is never changed
    assert map_subschemas(schema, lambda s: s) == {}


def test_bundling_knows_additional_operations_hold_parameters(tmp_path):
    (tmp_path / "common.yaml").write_text(
        "Dest: {name: to, in: header, schema: {type: string}}\n")
    (tmp_path / "api.yaml").write_text(
        "openapi: 3.2.0\ninfo: {title: t, version: '1'}\npaths:\n  /f:\n    additionalOperations:\n"
        "      COPY:\n        operationId: copyIt\n        parameters: [{$ref: 'common.yaml#/Dest'}]\n"
        "        responses: {'204': {description: done}}\n")
    doc = load_spec(tmp_path / "api.yaml", cache=False).document
    param = doc["paths"]["/f"]["additionalOperations"]["COPY"]["parameters"][0]
    assert param == {"$ref": "#/components/parameters/Dest"}
    assert doc["components"]["parameters"]["Dest"]["name"] == "to"
