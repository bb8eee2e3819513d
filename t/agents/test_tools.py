"""Tool definitions (`client.tools()`) for every operation of the bundled
specs, in every format: valid JSON Schema 2020-12, names each consumer
accepts, descriptions within the documented budget, a strict variant where
the schema allows one and a reason where it does not."""
import json

import pytest
from jsonschema import Draft202012Validator

from data_tools import DATA_OPERATIONS, EXPECTED
from openapi_dyn import Client, UnknownOperationError, UsageError
from openapi_dyn._agents.toolschema import SCHEMA_DESCRIPTION_BUDGET, strict_variant
from openapi_dyn._agents.tools import FORMATS, PROPERTY_NAME, TOOL_DESCRIPTION_BUDGET, TOOL_NAME, find_tool, shape_for, snake_case

BUNDLED = ["openai", "anthropic", "cohere", "azure-openai", "azure-openai-preview"]
META = Draft202012Validator(Draft202012Validator.META_SCHEMA)


@pytest.fixture(scope="module")
def clients():
    return {name: Client(name) for name in BUNDLED}


def _walk(node, path="#"):
    """Every (path, schema object) inside a tool's input schema."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            if key in ("properties", "$defs", "patternProperties") and isinstance(value, dict):
                for name, sub in value.items():
                    yield from _walk(sub, f"{path}/{key}/{name}")
            elif key in ("enum", "const", "default", "required"):
                continue
            elif isinstance(value, (dict, list)):
                yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from _walk(sub, f"{path}/{i}")


def _parts(tool, fmt):
    if fmt == "openai":
        f = tool["function"]
        return f["name"], f["description"], f["parameters"]
    if fmt == "openai-responses":
        return tool["name"], tool["description"], tool["parameters"]
    if fmt == "anthropic":
        return tool["name"], tool["description"], tool["input_schema"]
    return tool["name"], tool["description"], tool["inputSchema"]


def _check_schema(schema, where):
    assert list(META.iter_errors(schema)) == [], where
    assert schema["type"] == "object" and schema["additionalProperties"] is False, where
    for name in schema["properties"]:
        assert PROPERTY_NAME.match(name), (where, name)
    refs = set()
    for path, node in _walk(schema):
        text = node.get("description")
        if isinstance(text, str):
            assert len(text) <= SCHEMA_DESCRIPTION_BUDGET, (where, path)
        for key in ("nullable", "discriminator", "readOnly", "example"):
            assert key not in node, (where, path, key)
        assert not any(k.startswith("x-") for k in node), (where, path)
        ref = node.get("$ref")
        if isinstance(ref, str):
            assert ref.startswith("#/$defs/"), (where, path, ref)
            assert ref[len("#/$defs/"):] in schema.get("$defs", {}), (where, path, ref)
            refs.add(ref[len("#/$defs/"):])
    assert refs == set(schema.get("$defs", {})), f"{where}: unused or missing $defs"


@pytest.mark.parametrize("spec", BUNDLED)
def test_every_operation_in_every_format(clients, spec):
    client = clients[spec]
    checked = set()
    for fmt in FORMATS:
        tools = client.tools(fmt, allow_write=True)
        assert len(tools) == len(client.operations)
        names = []
        for tool in tools:
            name, description, schema = _parts(tool, fmt)
            assert TOOL_NAME.match(name), name
            assert 0 < len(description) <= TOOL_DESCRIPTION_BUDGET, name
            names.append(name)
            if id(schema) not in checked:
                checked.add(id(schema))
                _check_schema(schema, f"{spec}:{name}")
            if fmt in ("openai", "openai-responses"):
                assert tool["type"] == "function"
                assert (tool["function"] if fmt == "openai" else tool)["strict"] is False
            if fmt == "mcp":
                hints = tool["annotations"]
                op = find_tool(client, name)
                assert hints["readOnlyHint"] is (op.method in ("GET", "HEAD", "OPTIONS", "QUERY"))
                if op.method == "DELETE":
                    assert hints["destructiveHint"] is True and hints["idempotentHint"] is True
                if op.method in ("PUT", "PATCH"):
                    assert hints["destructiveHint"] is True
                    assert hints["idempotentHint"] is (op.method == "PUT")
                if op.method == "POST":
                    assert hints["destructiveHint"] is False and hints["idempotentHint"] is False
        assert len(set(names)) == len(names)
    if spec == "openai":
        assert len(client.operations) == 271


@pytest.mark.parametrize("spec", BUNDLED)
def test_strict_variant_or_a_reason(clients, spec):
    client = clients[spec]
    tools = client.tools("openai-responses", strict=True, allow_write=True)
    strict = [t for t in tools if t["strict"]]
    assert strict, "some operation of every bundled spec has a strict form"
    for tool in tools:
        if not tool["strict"]:
            reason = tools.not_strict[tool["name"]]
            assert "strict mode" in reason or "deeper" in reason or "more than" in reason
            continue
        schema = tool["parameters"]
        assert list(META.iter_errors(schema)) == [], tool["name"]
        for path, node in _walk(schema):
            assert not {"oneOf", "allOf", "not", "patternProperties"} & set(node), (tool["name"], path)
            if "properties" in node:
                assert node["additionalProperties"] is False, (tool["name"], path)
                assert node["required"] == list(node["properties"]), (tool["name"], path)
    assert set(tools.not_strict) == {t["name"] for t in tools if not t["strict"]}


def test_strict_variant_makes_optional_fields_nullable_and_refuses_free_form_maps():
    schema = {"type": "object", "additionalProperties": False, "required": ["a"],
              "properties": {"a": {"type": "string"}, "b": {"type": "integer", "enum": [1, 2]},
                             "c": {"oneOf": [{"type": "string"}, {"type": "number"}]}}}
    strict, reason = strict_variant(schema)
    assert reason == ""
    assert strict["required"] == ["a", "b", "c"]
    assert strict["properties"]["a"] == {"type": "string"}
    assert strict["properties"]["b"] == {"type": ["integer", "null"], "enum": [1, 2, None]}
    assert strict["properties"]["c"] == {"anyOf": [{"anyOf": [{"type": "string"}, {"type": "number"}]},
                                                   {"type": "null"}]}
    free = dict(schema, properties=dict(schema["properties"], metadata={"type": "object",
                                                                        "additionalProperties": {"type": "string"}}))
    strict, reason = strict_variant(free)
    assert strict is None and "arguments.metadata" in reason and "free-form" in reason


def test_the_data_tools_have_the_expected_names(openai_client):
    tools = openai_client.tools("mcp", operations=DATA_OPERATIONS, prefix="openai_data", names="snake")
    assert sorted(t["name"] for t in tools) == sorted(EXPECTED)
    assert len(tools) == len(DATA_OPERATIONS) == 50
    for tool in tools:   # each name leads back to its operation
        op = find_tool(openai_client, tool["name"], "openai_data")
        assert "openai_data_" + snake_case(op.operation_id) == tool["name"]


@pytest.mark.parametrize("name, snake", [
    ("createVectorStoreFileBatch", "create_vector_store_file_batch"),
    ("listFilesInVectorStoreBatch", "list_files_in_vector_store_batch"),
    ("ListThreadItemsMethod", "list_thread_items_method"),
    ("admin-api-keys-list", "admin_api_keys_list"),
    ("ChatCompletions_Create", "chat_completions_create"),
    ("getHTTPResponse", "get_http_response"),
    ("Compactconversation", "compactconversation"),
    ("beta_list_files_v1_files_get", "beta_list_files_v1_files_get"),
    ("v1.chat", "v1_chat"),
])
def test_snake_case(name, snake):
    assert snake_case(name) == snake


def test_long_and_odd_operation_ids_get_valid_unique_names():
    long_id = "get" + "VeryLongOperationName" * 5
    doc = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {
        "/a": {"get": {"operationId": long_id, "responses": {"200": {"description": "ok"}}}},
        "/b": {"get": {"operationId": long_id + "Two", "responses": {"200": {"description": "ok"}}}},
        "/c": {"get": {"operationId": "pets.list", "responses": {"200": {"description": "ok"}}}},
        "/d": {"get": {"operationId": "pets_list", "responses": {"200": {"description": "ok"}}}},
    }}
    client = Client(doc, cache=False)
    names = [t["name"] for t in client.tools("anthropic", prefix="api", allow_write=True)]
    assert all(TOOL_NAME.match(n) for n in names)
    assert len(set(names)) == 4
    assert len(names[0]) == 64 and names[2] == "api_pets_list" and names[3] != names[2]
    assert [find_tool(client, n, "api").operation_id for n in names] == list(client.operations)


def test_selection_by_tag_search_operations_and_read_only(openai_client):
    by_tag = openai_client.tools("mcp", tags=["Vector stores"], allow_write=True)
    assert len(by_tag) == 16
    read_only = openai_client.tools("mcp", tags="vector stores", read_only=True)
    assert {t["name"] for t in read_only} < {t["name"] for t in by_tag}
    assert all(t["annotations"]["readOnlyHint"] for t in read_only)
    found = openai_client.tools("anthropic", search="vector store file batch", allow_write=True)
    assert {t["name"] for t in found} >= {"createVectorStoreFileBatch", "cancelVectorStoreFileBatch"}
    with pytest.raises(UnknownOperationError):
        openai_client.tools("mcp", operations=["createVectorStor"])
    with pytest.raises(UsageError):
        openai_client.tools("gemini")
    with pytest.raises(UsageError):
        openai_client.tools("mcp", names="kebab")


def test_body_flattened_when_unambiguous(openai_client):
    (chat,) = openai_client.tools("anthropic", operations=["createChatCompletion"])
    schema = chat["input_schema"]
    assert {"model", "messages", "temperature", "top_logprobs"} <= set(schema["properties"])
    assert set(schema["required"]) == {"model", "messages"}
    assert "body" not in schema["properties"]
    (upload,) = openai_client.tools("anthropic", operations=["createFile"])
    file_schema = upload["input_schema"]["properties"]["file"]
    assert file_schema["anyOf"][0]["contentEncoding"] == "base64"
    assert upload["input_schema"]["required"] == ["file", "purpose"]


def test_body_kept_whole_when_a_field_shares_a_parameters_name():
    doc = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/pets/{name}": {"put": {
        "operationId": "renamePet",
        "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}}}},
        "responses": {"200": {"description": "ok"}}}}}}
    client = Client(doc, cache=False)
    (tool,) = client.tools("mcp", allow_write=True)
    schema = tool["inputSchema"]
    assert set(schema["properties"]) == {"name", "body"}
    assert schema["required"] == ["name", "body"]
    assert schema["properties"]["body"]["properties"] == {"name": {"type": "string"}}
    assert tool["annotations"] == {"title": "renamePet", "readOnlyHint": False, "destructiveHint": True,
                                   "idempotentHint": True, "openWorldHint": True}


def test_openapi_30_idioms_become_2020_12():
    doc = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/n": {"post": {
        "operationId": "setNumber",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "properties": {
                "n": {"type": "integer", "minimum": 0, "exclusiveMinimum": True, "nullable": True,
                      "example": 3, "x-note": "ignored"},
                "kind": {"type": "string", "enum": ["a", "b"], "nullable": True},
                "id": {"type": "string", "readOnly": True}},
            "required": ["id"]}}}},
        "responses": {"200": {"description": "ok"}}}}}}
    client = Client(doc, cache=False)
    (tool,) = client.tools("mcp", allow_write=True)
    props = tool["inputSchema"]["properties"]
    assert props["n"] == {"type": ["integer", "null"], "exclusiveMinimum": 0}
    assert props["kind"] == {"type": ["string", "null"], "enum": ["a", "b", None]}
    assert "id" not in props and "required" not in tool["inputSchema"]
    assert list(META.iter_errors(tool["inputSchema"])) == []


def test_refs_inline_keeps_defs_only_for_recursion(openai_client):
    inline = openai_client.tools("openai", refs="inline", operations=["createVectorStore", "listFiles"])
    for tool in inline:
        assert "$defs" not in tool["function"]["parameters"]
        assert "$ref" not in json.dumps(tool["function"]["parameters"])
    doc = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
           "components": {"schemas": {"Node": {"type": "object", "properties": {
               "value": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}}}},
           "paths": {"/t": {"post": {"operationId": "putTree", "requestBody": {"required": True, "content": {
               "application/json": {"schema": {"$ref": "#/components/schemas/Node"}}}},
               "responses": {"200": {"description": "ok"}}}}}}
    client = Client(doc, cache=False)
    (tool,) = client.tools("anthropic", refs="inline", allow_write=True)
    schema = tool["input_schema"]
    assert set(schema["$defs"]) == {"Node"}
    _check_schema(schema, "putTree")
    check = Draft202012Validator(schema)
    assert check.is_valid({"value": "a", "children": [{"value": "b", "children": [{"value": "c"}]}]})
    assert not check.is_valid({"children": [{"children": [{"value": 1}]}]})


def test_parameters_the_client_fills_in_are_not_offered(openai_client):
    (run,) = openai_client.tools("mcp", operations=["createRun"])
    assert "OpenAI-Beta" not in run["inputSchema"]["properties"]
    azure = Client("azure-openai", api_version="2024-10-21")
    (chat,) = azure.tools("mcp", operations=["ChatCompletions_Create"])
    assert "api-version" not in chat["inputSchema"]["properties"]
    assert "deployment-id" in chat["inputSchema"]["required"]
    plain = Client("azure-openai")
    (chat,) = plain.tools("mcp", operations=["ChatCompletions_Create"])
    assert "api-version" in chat["inputSchema"]["properties"]


def test_no_key_in_any_definition(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-0123456789abcdef")
    client = Client(api_key="sk-given-0123456789abcdef", headers={"X-Api-Key": "sk-header-0123456789"})
    text = json.dumps([client.tools(fmt, allow_write=True) for fmt in FORMATS])
    for secret in ("sk-env-0123456789abcdef", "sk-given-0123456789abcdef", "sk-header-0123456789"):
        assert secret not in text


def test_shapes_are_made_once_per_client(openai_client):
    op = openai_client.operation("createChatCompletion")
    assert shape_for(openai_client, op) is shape_for(openai_client, op)
    assert shape_for(openai_client, op).flattened


@pytest.mark.parametrize("spec", BUNDLED)
def test_inlined_schemas_are_valid_too(clients, spec):
    for tool in clients[spec].tools("anthropic", refs="inline", allow_write=True):
        schema = tool["input_schema"]
        assert list(META.iter_errors(schema)) == [], tool["name"]
        refs = {n[len("#/$defs/"):] for _, n in
                ((p, node.get("$ref")) for p, node in _walk(schema)) if isinstance(n, str)}
        assert refs == set(schema.get("$defs", {})), tool["name"]


def test_the_default_offers_no_write_of_the_bundled_spec(openai_client):
    """`openapi-dyn mcp --spec openai` used to hand a model all 271 operations,
    the admin key creation and deletion among them."""
    offered = {t["name"]: t["annotations"] for t in openai_client.tools("mcp")}
    methods = {op.operation_id: op.method for op in openai_client.spec.operations.values()}
    assert offered and all(methods[name] in ("GET", "HEAD", "OPTIONS", "QUERY") for name in offered)
    assert all(hints["readOnlyHint"] for hints in offered.values())
    assert "admin-api-keys-list" in offered
    assert "admin-api-keys-create" not in offered and "admin-api-keys-delete" not in offered
    assert len(offered) == sum(m == "GET" for m in methods.values())
