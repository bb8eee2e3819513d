"""Prepared schemas are validated by a validator built through jsonschema's
public constructor: the prepared schema with the document's top-level
members beside it, so the $refs left in it (cycles, discriminator mappings)
resolve; no private resolver is handed over."""
import pytest

from openapi_dyn import Client, RequestValidationError
from openapi_dyn._call import inline
from openapi_dyn._call.validation import validator_for

DOC = {
    "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
    "paths": {"/pets": {"post": {"operationId": "addPet", "requestBody": {"required": True, "content": {
        "application/json": {"schema": {
            "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
            "discriminator": {"propertyName": "kind",
                              "mapping": {"cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"}}}}}},
        "responses": {"200": {"description": "ok"}}}}},
    "components": {"schemas": {
        "Cat": {"type": "object", "required": ["kind", "lives"],
                "properties": {"kind": {"const": "cat"}, "lives": {"type": "integer"},
                               "kittens": {"type": "array", "items": {"$ref": "#/components/schemas/Cat"}}}},
        "Dog": {"type": "object", "required": ["kind"], "properties": {"kind": {"const": "dog"}}},
    }},
}


def test_discriminator_and_cycle_resolve_in_the_rooted_schema():
    client = Client(DOC, base_url="http://127.0.0.1:9")
    client.prepare("addPet", body={"kind": "cat", "lives": 9, "kittens": [{"kind": "cat", "lives": 1}]})
    with pytest.raises(RequestValidationError) as exc:
        client.prepare("addPet", body={"kind": "cat", "lives": 9, "kittens": [{"kind": "cat", "lives": "x"}]})
    assert [p.location for p in exc.value.errors] == ["body.kittens[0].lives"]
    used = list(validator_for(client.operation("addPet"))._validators.values())
    roots = [v.validator.schema for v in used if v is not None]
    assert roots and all("components" in r and "paths" in r for r in roots)


def test_a_schema_that_sets_its_own_base_uri_is_not_rooted():
    doc = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
           "components": {"schemas": {"S": {"$id": "https://example.com/s", "type": "integer"}}}}
    p = inline.Preparer(doc)
    assert p.rooted(doc["components"]["schemas"]["S"], {}) is None
    assert p.rooted({"type": "string", "paths": 1}, {}) is None          # would hide the document's paths
    rooted = p.rooted({"type": "string"}, {})
    assert rooted["type"] == "string" and rooted["paths"] is doc["paths"]
