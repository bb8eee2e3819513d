"""`client.call_tool()`: a model's tool call taken back to its operation,
validated, sent to a local fake API (t/faultserver.py), and the answer or
the error returned as a JSON-serializable result."""
import base64
import json

import pytest

from faultserver import events, reply
from openapi_dyn import Client, UnknownOperationError
from openapi_dyn._agents.tool_calls import tool_result_from_error, tool_result_from_response, tool_arguments_to_call

KEY = "sk-tool-test-9a8b7c6d5e4f"

PETS = {
    "openapi": "3.1.0",
    "info": {"title": "Pets", "version": "1"},
    "servers": [{"url": "https://pets.example/v1"}],
    "security": [{"bearer": []}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Owner": {"type": "object", "properties": {"name": {"type": "string"}, "phone": {"type": "string"},
                                                       "note": {"type": ["string", "null"]}}},
            "Pet": {"type": "object", "required": ["name", "kind"], "properties": {
                "name": {"type": "string", "minLength": 1},
                "kind": {"type": "string", "enum": ["cat", "dog"]},
                "age": {"type": "integer", "minimum": 0},
                "owner": {"$ref": "#/components/schemas/Owner"}}},
        },
    },
    "paths": {
        "/pets": {
            "get": {"operationId": "listPets", "summary": "List pets.",
                    "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 50}},
                                   {"name": "X-Trace", "in": "header", "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "ok"}}},
            "post": {"operationId": "createPet", "summary": "Create a pet.",
                     "requestBody": {"required": True, "content": {"application/json": {
                         "schema": {"$ref": "#/components/schemas/Pet"}}}},
                     "responses": {"200": {"description": "ok"}}},
        },
        "/pets/{pet_id}/photo": {
            "put": {"operationId": "uploadPhoto",
                    "parameters": [{"name": "pet_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                        "type": "object", "required": ["photo"], "properties": {
                            "photo": {"type": "string", "format": "binary"}, "caption": {"type": "string"}}}}}},
                    "responses": {"200": {"description": "ok"}}},
            "get": {"operationId": "getPhoto",
                    "parameters": [{"name": "pet_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "ok", "content": {"image/png": {
                        "schema": {"type": "string", "format": "binary"}}}}}},
        },
        "/pets/{pet_id}/events": {
            "get": {"operationId": "watchPet",
                    "parameters": [{"name": "pet_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "ok", "content": {"text/event-stream": {
                        "schema": {"type": "string"}}}}}},
        },
    },
}


@pytest.fixture
def pets(faultserver):
    with Client(PETS, base_url=faultserver.url, api_key=KEY, cache=False, max_retries=0) as client:
        yield client


def test_parameters_and_flattened_body_arrive_as_the_spec_says(pets, faultserver):
    faultserver.plan(reply(json={"data": [{"name": "Rex"}]}), reply(json={"id": "pet_1", "name": "Rex"}))
    listed = pets.call_tool("listPets", {"limit": 5, "X-Trace": "t-1"})
    made = pets.call_tool("createPet", {"name": "Rex", "kind": "dog", "owner": {"name": "Ann"}})
    assert not listed.is_error and listed.content == {"data": [{"name": "Rex"}]}
    assert listed.status == 200 and listed.media_type == "application/json"
    assert made.content == {"id": "pet_1", "name": "Rex"}
    first, second = faultserver.requests
    assert first.args == {"limit": "5"} and first.headers["X-Trace"] == "t-1"
    assert first.headers["Authorization"] == f"Bearer {KEY}"
    assert (second.method, second.path) == ("POST", "/pets")
    assert second.json() == {"name": "Rex", "kind": "dog", "owner": {"name": "Ann"}}
    json.dumps(made.to_dict())      # JSON-serializable as it is


def test_arguments_as_json_text_and_nulls_meaning_not_given(pets, faultserver):
    faultserver.plan(reply(json={}), reply(json={}))
    pets.call_tool("createPet", json.dumps({"name": "Tom", "kind": "cat", "age": None,
                                            "owner": {"name": "Bo", "phone": None, "note": None}}))
    pets.call_tool("listPets", {"limit": None})
    assert faultserver.requests[0].json() == {"name": "Tom", "kind": "cat", "owner": {"name": "Bo", "note": None}}
    assert faultserver.requests[1].args == {}


def test_invalid_arguments_name_every_problem_by_argument_and_send_nothing(pets, faultserver):
    result = pets.call_tool("createPet", {"name": "", "kind": "cow", "age": -1, "colour": "red"})
    assert result.is_error
    arguments = {p["argument"] for p in result.content["problems"]}
    assert {"name", "kind", "age", "colour"} <= arguments
    assert {p["location"] for p in result.content["problems"]} >= {"body.name", "body.kind", "body.age"}
    for word in ("name", "kind", "age", "colour", "nothing was sent"):
        assert word in result.text
    bad_limit = pets.call_tool("listPets", {"limit": 500})
    assert bad_limit.is_error and bad_limit.content["problems"][0]["argument"] == "limit"
    assert faultserver.requests == []


def test_client_options_cannot_be_reached_through_arguments(pets, faultserver, tmp_path):
    target = tmp_path / "out.bin"
    result = pets.call_tool("listPets", {"save_to": str(target), "headers": {"Authorization": "x"},
                                         "timeout": 0.001})
    assert result.is_error
    assert {p["argument"] for p in result.content["problems"]} == {"save_to", "headers", "timeout"}
    assert not target.exists() and faultserver.requests == []


def test_file_fields_take_base64(pets, faultserver):
    faultserver.plan(reply(json={"ok": True}), reply(json={"ok": True}))
    photo = b"\x89PNG\r\n\x1a\nfake"
    plain = pets.call_tool("uploadPhoto", {"pet_id": "p1", "photo": base64.b64encode(photo).decode(),
                                           "caption": "hi"})
    named = pets.call_tool("uploadPhoto", {"pet_id": "p1", "photo": {
        "filename": "rex.png", "content_base64": base64.b64encode(photo).decode(), "media_type": "image/png"}})
    assert not plain.is_error and not named.is_error
    parts = {p["name"]: p for p in faultserver.requests[0].multipart()}
    assert parts["photo"]["data"] == photo and parts["caption"]["data"] == b"hi"
    part = {p["name"]: p for p in faultserver.requests[1].multipart()}["photo"]
    assert (part["filename"], part["content_type"], part["data"]) == ("rex.png", "image/png", photo)
    broken = pets.call_tool("uploadPhoto", {"pet_id": "p1", "photo": "not base64!"})
    assert broken.is_error and broken.content["problems"][0]["argument"] == "photo"
    assert len(faultserver.requests) == 2


def test_binary_answer_comes_back_as_base64_with_its_media_type(pets, faultserver):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(40))
    faultserver.plan(reply(body=png, content_type="image/png"))
    result = pets.call_tool("getPhoto", {"pet_id": "p1"})
    assert result.binary and result.media_type == "image/png"
    assert result.content["media_type"] == "image/png" and result.content["size"] == len(png)
    assert base64.b64decode(result.content["base64"]) == png
    json.dumps(result.to_dict())


def test_event_stream_is_collected_into_one_result(pets, faultserver):
    faultserver.plan(events(b'data: {"n": 1}\n\n', b"event: moved\ndata: {\"n\": 2}\n\n", b"data: [DONE]\n\n"))
    result = pets.call_tool("watchPet", {"pet_id": "p1"})
    assert not result.is_error
    assert result.content == {"events": [{"n": 1}, {"event": "moved", "data": {"n": 2}}]}


def test_api_errors_come_back_with_status_message_type_and_code(pets, faultserver):
    faultserver.plan(reply(409, json={"error": {"message": "Rex exists", "type": "conflict", "code": "duplicate",
                                                "param": "name"}}))
    result = pets.call_tool("createPet", {"name": "Rex", "kind": "dog"})
    assert result.is_error and result.status == 409
    assert {k: result.content[k] for k in ("status", "message", "type", "code", "param")} == {
        "status": 409, "message": "Rex exists", "type": "conflict", "code": "duplicate", "param": "name"}
    assert "409" in result.text and "Rex exists" in result.text


def test_a_key_echoed_by_the_api_is_masked(pets, faultserver):
    def echo(rec):
        return reply(401, json={"error": {"message": f"bad key {rec.headers['Authorization']}"}})

    faultserver.always(echo)
    result = pets.call_tool("listPets", {})
    assert result.is_error and result.status == 401
    assert KEY not in json.dumps(result.to_dict()) and KEY not in result.text
    assert "****" in result.text


def test_unreachable_server_and_missing_key_are_tool_errors(faultserver):
    url = faultserver.url
    faultserver.stop()
    with Client(PETS, base_url=url, api_key=KEY, cache=False, max_retries=0) as client:
        down = client.call_tool("listPets", {})
    assert down.is_error and down.content["error"] == "connection_error"
    with Client(PETS, base_url=url, cache=False) as client:
        keyless = client.call_tool("listPets", {})
    assert keyless.is_error and keyless.content["error"] == "missing_credentials"


def test_names_with_prefix_and_snake_case_lead_back(pets, faultserver):
    faultserver.always(reply(json={"ok": True}))
    assert not pets.call_tool("pets_list_pets", {}, prefix="pets").is_error
    assert not pets.call_tool("list_pets", {}).is_error
    with pytest.raises(UnknownOperationError):
        pets.call_tool("pets_remove_pet", {}, prefix="pets")


def test_openai_chat_call_round_trip(faultserver):
    faultserver.plan(reply(json={"id": "chatcmpl-1", "object": "chat.completion", "choices": []}))
    with Client(base_url=faultserver.url, api_key=KEY, cache=False, max_retries=0) as client:
        bad = client.call_tool("createChatCompletion", {"model": "gpt-4o",
                                                        "messages": [{"role": "robot", "content": "hi"}]})
        good = client.call_tool("createChatCompletion", {"model": "gpt-4o",
                                                         "messages": [{"role": "user", "content": "hi"}]})
    assert bad.is_error and any(p["argument"].startswith("messages[0]") for p in bad.content["problems"])
    assert good.content["id"] == "chatcmpl-1"
    (sent,) = faultserver.requests
    assert sent.path == "/chat/completions"
    assert sent.json() == {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}


def test_the_pieces_work_for_any_client(pets, faultserver):
    # What an asynchronous client reuses: arguments -> call, response -> result, error -> result.
    faultserver.plan(reply(json={"n": 1}))
    op_id, kwargs = tool_arguments_to_call(pets, "listPets", {"limit": 3})
    assert (op_id, kwargs) == ("listPets", {"query.limit": 3})
    assert tool_result_from_response(pets.request(op_id, **kwargs)).content == {"n": 1}
    try:
        pets.request("createPet", body={})
    except Exception as exc:     # noqa: BLE001 - the client's own error, turned into a result
        assert tool_result_from_error(exc).is_error
    else:
        pytest.fail("an empty pet passed validation")


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_async_client_tool_calls(faultserver, anyio_backend):
    """AsyncClient.call_tool: the same mapping, located problems and results,
    an event stream collected as it arrives."""
    from openapi_dyn import AsyncClient

    async with AsyncClient(PETS, base_url=faultserver.url, api_key=KEY, cache=False, max_retries=0) as client:
        bad = await client.call_tool("createPet", {"name": "", "kind": "cow"})
        assert bad.is_error and {"name", "kind"} <= {p["argument"] for p in bad.content["problems"]}
        assert faultserver.requests == []
        faultserver.plan(events(b'data: {"n": 1}\n\n', b"event: moved\ndata: {\"n\": 2}\n\n", b"data: [DONE]\n\n"))
        result = await client.call_tool("watchPet", {"pet_id": "p1"})
        assert result.content == {"events": [{"n": 1}, {"event": "moved", "data": {"n": 2}}]}
        assert faultserver.requests[-1].path == "/pets/p1/events"
        assert len(client.tools("mcp", allow_write=True)) == len(client.spec.operations)


def test_only_reads_are_offered_unless_writes_are_allowed_or_named(faultserver):
    client = Client(PETS, base_url=faultserver.url, api_key=KEY, cache=False)
    assert [t["name"] for t in client.tools("mcp")] == ["listPets", "getPhoto", "watchPet"]
    everything = [t["name"] for t in client.tools("mcp", allow_write=True)]
    assert everything == list(client.spec.operations)
    assert [t["name"] for t in client.tools("mcp", operations=["createPet", "listPets"])] == ["listPets", "createPet"]
    assert [t["name"] for t in client.tools("mcp", operations=["createPet", "listPets"], read_only=True)] == [
        "listPets"]
    (photo,) = client.tools("mcp", operations=["uploadPhoto"])
    assert photo["annotations"]["destructiveHint"] is True and photo["annotations"]["idempotentHint"] is True


@pytest.mark.parametrize("asynchronous", [False, True])
def test_a_dry_run_returns_the_masked_request_and_sends_nothing(faultserver, asynchronous):
    import asyncio

    from openapi_dyn import AsyncClient

    args = {"name": "Rex", "kind": "dog", "owner": {"name": "Ann", "phone": KEY}}
    if asynchronous:
        async def run():
            async with AsyncClient(PETS, base_url=faultserver.url, api_key=KEY, cache=False) as client:
                return (await client.call_tool("createPet", args, dry_run=True),
                        await client.call_tool("createPet", {"name": ""}, dry_run=True))
        result, bad = asyncio.run(run())
    else:
        client = Client(PETS, base_url=faultserver.url, api_key=KEY, cache=False)
        result = client.call_tool("createPet", args, dry_run=True)
        bad = client.call_tool("createPet", {"name": ""}, dry_run=True)
    assert not result.is_error
    assert result.content["dry_run"] is True
    assert (result.content["method"], result.content["url"]) == ("POST", faultserver.url + "/pets")
    assert result.content["headers"]["Authorization"] == "Bearer ****"
    assert result.content["body"]["name"] == "Rex" and result.content["body"]["owner"]["phone"] == "****"
    assert KEY not in json.dumps(result.to_dict())
    assert bad.is_error and {"name", "kind"} <= {p["argument"] for p in bad.content["problems"]}
    assert faultserver.requests == []


@pytest.mark.parametrize("model, refused", [
    ("models/gemini-2.0-flash", False),          # a reserved expansion spans segments by design
    ("models/gemini-1.5-pro-002", False),
    ("models/../tunedModels/x", True),           # but no step may climb out of the path
    ("models/./gemini", True),
    ("..", True),
    ("models\\gemini", True),
])
def test_a_reserved_path_argument_may_span_segments_but_not_step_out(model, refused):
    from openapi_dyn import Client

    client = Client("gemini", api_key="test-key", cache=False)
    result = client.call_tool("generativelanguage_models_countTokens",
                              {"model": model, "contents": [{"parts": [{"text": "hi"}]}]}, dry_run=True)
    assert result.is_error is refused, result.content
    if not refused:
        assert "/v1beta/" + model + ":countTokens" in result.content["url"]
