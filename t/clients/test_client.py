"""The core client against a real HTTP server on 127.0.0.1: calling by
operationId and by method, binding, validation errors, serialization on the
wire, auth, errors and secrets."""
import inspect
import json
import logging

import pytest
from werkzeug.wrappers import Response as WResponse

import openapi_dyn
from openapi_dyn import (APIConnectionError, APIError, APITimeoutError, AuthenticationError,
                         Client, InternalServerError, MissingCredentialsError, NotFoundError,
                         OpenAPIDynError, RateLimitError, RequestValidationError,
                         UnknownOperationError, UsageError)

from conftest import DATA

TOY = DATA / "toy.yaml"
SECRET = "sk-test-very-secret-123"


@pytest.fixture
def toy(httpserver):
    return Client(str(TOY), base_url=httpserver.url_for("/v2"), api_key=SECRET, max_retries=0)


def test_call_and_method_style_send_the_same_request(toy, httpserver):
    httpserver.expect_request("/v2/pets", method="GET").respond_with_json({"data": [1, 2]})
    assert toy.call("listPets", limit=5) == {"data": [1, 2]}
    assert toy.listPets(limit=5) == {"data": [1, 2]}
    first, second = [r for r, _ in httpserver.log]
    assert first.url == second.url and first.url.endswith("/v2/pets?limit=5")
    assert first.headers["Authorization"] == f"Bearer {SECRET}"


def test_dashed_operation_id_and_alias(toy, httpserver):
    httpserver.expect_request("/v2/pets", method="POST").respond_with_json({"id": 1}, status=201)
    assert toy.call("create-pet", body={"name": "Tom", "kind": "cat"}) == {"id": 1}
    assert toy.create_pet(body={"name": "Tom", "kind": "cat"}) == {"id": 1}
    sent = [r for r, _ in httpserver.log]
    assert json.loads(sent[0].data) == {"name": "Tom", "kind": "cat"}
    assert sent[0].headers["Content-Type"] == "application/json"


def test_non_identifier_parameter_names(toy, httpserver):
    httpserver.expect_request("/v2/pets").respond_with_json({})
    toy.call("listPets", **{"include[]": ["owner", "tags"]}, x_trace_id=None)
    toy.listPets(include=["owner"], x_trace_id="abc")
    (r1, _), (r2, _) = httpserver.log
    assert r1.args.getlist("include[]") == ["owner", "tags"] and list(r1.args) == ["include[]"]
    assert r2.args.getlist("include[]") == ["owner"]
    assert r2.headers["X-Trace-Id"] == "abc"


def test_same_name_in_two_locations_is_addressed_explicitly(toy, httpserver):
    httpserver.expect_request("/v2/pets/a b").respond_with_json({})
    with pytest.raises(RequestValidationError) as info:
        toy.call("getPet", id="x")
    assert "path.id" in str(info.value) and "query.id" in str(info.value)
    toy.call("getPet", **{"path.id": "a b", "query.id": 7})
    request = httpserver.log[0][0]
    assert request.query_string == b"id=7"


def test_unknown_argument_is_refused_with_suggestion(toy):
    with pytest.raises(RequestValidationError) as info:
        toy.prepare("listPets", limt=5)
    (problem,) = info.value.errors
    assert problem.location == "argument.limt"
    assert "did you mean limit" in problem.message


def test_every_problem_is_reported_with_its_location(toy, httpserver):
    with pytest.raises(RequestValidationError) as info:
        toy.call("create-pet", body={"kind": "cow", "tags": [1], "extra": True, "born": "yesterday"})
    locations = {p.location: p.message for p in info.value.errors}
    assert set(locations) == {"body.name", "body.kind", "body.tags[0]", "body.extra", "body.born"}
    assert locations["body.kind"] == "'cow' is not one of ['cat', 'dog']"
    assert locations["body.name"] == "required property is missing"
    assert locations["body.extra"] == "unexpected property (not in the schema)"
    assert locations["body.tags[0]"] == "1 is not of type 'string'"
    assert locations["body.born"] == "'yesterday' is not a valid 'date'"
    text = str(info.value)
    assert all(loc in text for loc in locations)
    assert isinstance(info.value, ValueError)
    assert httpserver.log == []  # nothing was sent


def test_parameter_errors(toy):
    with pytest.raises(RequestValidationError) as info:
        toy.prepare("listPets", limit=0, **{"include[]": ["nope"]})
    assert [str(p) for p in info.value.errors] == ["query.limit: too small: 0 < 1 (minimum)",
                                                   "query.include[][0]: 'nope' is not one of ['owner', 'tags']"]
    with pytest.raises(RequestValidationError) as info:
        toy.prepare("listPets", limit=101)
    assert [str(p) for p in info.value.errors] == ["query.limit: too large: 101 > 100 (maximum)"]
    with pytest.raises(RequestValidationError) as info:
        toy.prepare("getPet")
    assert [p.location for p in info.value.errors] == ["path.id"]
    with pytest.raises(RequestValidationError) as info:
        toy.prepare("create-pet")
    assert [p.location for p in info.value.errors] == ["body"]
    with pytest.raises(RequestValidationError) as info:
        toy.prepare("listPets", body={"a": 1})
    assert [p.location for p in info.value.errors] == ["body"]


def test_validate_false_skips_validation(toy):
    prepared = toy.prepare("listPets", limit=0, validate=False)
    assert prepared.url.endswith("limit=0")
    no_check = Client(str(TOY), base_url="http://127.0.0.1:1", validate=False)
    assert no_check.prepare("create-pet", body={"kind": "cow"}).json == {"kind": "cow"}


def test_path_values_cannot_escape_the_path(toy):
    prepared = toy.prepare("getPet", **{"path.id": "../../admin"})
    assert prepared.url.endswith("/v2/pets/..%2F..%2Fadmin")
    prepared = toy.prepare("getPet", **{"path.id": ".."})
    assert prepared.url.endswith("/v2/pets/%2E%2E")


def test_path_traversal_never_reaches_the_server_as_a_dot_segment(toy, httpserver):
    httpserver.expect_request("/v2/pets/..").respond_with_json({"ok": 1})
    assert toy.call("getPet", **{"path.id": ".."}) == {"ok": 1}
    request = httpserver.log[0][0]
    assert request.environ["REQUEST_URI"] == "/v2/pets/%2E%2E"


def test_header_injection_is_refused(toy):
    with pytest.raises(RequestValidationError) as info:
        toy.prepare("listPets", x_trace_id="a\r\nX-Evil: 1")
    assert info.value.errors[0].location == "header.X-Trace-Id"
    with pytest.raises(RequestValidationError):
        toy.prepare("listPets", headers={"X-Other": "a\nb"})


def test_server_variables_and_base_url():
    client = Client(str(TOY))
    assert client.prepare("listPets").url == "https://eu.toy.example/v2/pets"
    client = Client(str(TOY), base_url="http://127.0.0.1:9/api/")
    assert client.prepare("listPets").url == "http://127.0.0.1:9/api/pets"


def test_unknown_operation(toy):
    with pytest.raises(UnknownOperationError) as info:
        toy.call("listPet")
    assert "did you mean listPets" in str(info.value)
    assert not hasattr(toy, "listPet")
    assert hasattr(toy, "listPets") and hasattr(toy, "create_pet")
    with pytest.raises(AttributeError):
        toy.nothing_like_this


def test_dir_lists_operations_and_aliases(toy):
    names = dir(toy)
    assert {"listPets", "create_pet", "getPet", "call", "prepare"} <= set(names)


def test_signature_shows_real_arguments(toy):
    sig = inspect.signature(toy.listPets)
    assert list(sig.parameters)[:3] == ["limit", "include", "X_Trace_Id"] or \
        {"limit", "include", "x_trace_id"} <= set(sig.parameters) or \
        {"limit", "include"} <= set(sig.parameters)
    sig = inspect.signature(toy.create_pet)
    # the required body's fields are keywords too: its required ones have no
    # default, and body= becomes the other way to give them
    pet = toy.spec.document["components"]["schemas"]["Pet"]
    for name in pet["properties"]:
        expected = inspect.Parameter.empty if name in pet.get("required", []) else None
        assert sig.parameters[name].default is expected
    assert sig.parameters["body"].default is None


def test_basic_auth_and_api_key_locations(httpserver):
    httpserver.expect_request("/files/f.txt").respond_with_data(b"\x00\x01", content_type="application/octet-stream")
    httpserver.expect_request("/keyed").respond_with_json({})
    httpserver.expect_request("/header-keyed").respond_with_json({})
    base = httpserver.url_for("")
    c = Client(str(TOY), base_url=base, credentials={"basic": ("ann", "pw"), "cookieKey": "c00kie",
                                                        "headerKey": "hk"})
    assert c.call("getFile", name="f.txt") == b"\x00\x01"
    c.call("keyed", **{"query.timeout": 3})
    c.call("headerKeyed")
    files, keyed, header = [r for r, _ in httpserver.log]
    assert files.headers["Authorization"] == "Basic YW5uOnB3"
    assert keyed.headers["Cookie"] == "session=c00kie" and keyed.query_string == b"timeout=3"
    assert header.headers["X-API-Key"] == "hk"
    q = Client(str(TOY), base_url=base, credentials={"queryKey": "qk"})
    assert q.prepare("keyed").url.endswith("/keyed?api_key=qk")


def test_missing_key_is_an_error_at_call_time_not_construction(httpserver):
    client = Client(str(TOY), base_url=httpserver.url_for(""))  # fine without a key
    prepared = client.prepare("listPets")  # preparing works without one too
    assert "Authorization" not in prepared.headers
    with pytest.raises(MissingCredentialsError) as info:
        client.call("listPets")
    assert "bearer" in str(info.value) and "api_key=" in str(info.value)
    assert httpserver.log == []
    httpserver.expect_request("/pets/1", method="DELETE").respond_with_data("", status=204)
    assert client.call("deletePet", id="1") is None  # security: [] needs no key


def test_secrets_never_show(toy, httpserver, caplog):
    httpserver.expect_request("/v2/pets").respond_with_json({"error": {"message": "bad key"}}, status=401)
    caplog.set_level(logging.DEBUG)
    prepared = toy.prepare("listPets", limit=2)
    assert SECRET not in repr(toy) and SECRET not in repr(prepared)
    assert SECRET not in prepared.describe() and "Bearer ****" in prepared.describe()
    with pytest.raises(AuthenticationError) as info:
        toy.call("listPets")
    assert SECRET not in str(info.value) and SECRET not in repr(info.value)
    assert SECRET not in caplog.text
    assert SECRET not in repr(toy._credentials)
    q = Client(str(TOY), base_url=httpserver.url_for(""), credentials={"queryKey": SECRET})
    assert SECRET not in q.prepare("keyed").describe() and SECRET not in repr(q.prepare("keyed"))


@pytest.mark.parametrize("status, cls", [(400, openapi_dyn.BadRequestError), (401, AuthenticationError),
                                         (403, openapi_dyn.PermissionDeniedError), (404, NotFoundError),
                                         (409, openapi_dyn.ConflictError),
                                         (422, openapi_dyn.UnprocessableEntityError),
                                         (429, RateLimitError), (503, InternalServerError),
                                         (418, APIError)])
def test_status_errors(toy, httpserver, status, cls):
    httpserver.expect_request("/v2/pets").respond_with_response(WResponse(
        json.dumps({"error": {"message": "nope", "type": "x"}}), status=status,
        headers={"x-request-id": "req_123", "Content-Type": "application/json"}))
    with pytest.raises(cls) as info:
        toy.call("listPets")
    err = info.value
    assert err.status_code == status and err.request_id == "req_123"
    assert err.body == {"error": {"message": "nope", "type": "x"}}
    assert "nope" in str(err) and "req_123" in str(err)
    assert isinstance(err, OpenAPIDynError)


def test_full_response(toy, httpserver):
    httpserver.expect_request("/v2/pets").respond_with_json({"a": 1}, headers={"x-request-id": "r1"})
    resp = toy.request("listPets")
    assert resp.status_code == 200 and resp.data == {"a": 1} and resp.request_id == "r1"
    assert resp.headers["Content-Type"] == "application/json"


def test_text_response(toy, httpserver):
    httpserver.expect_request("/v2/pets").respond_with_data("hello", content_type="text/plain")
    assert toy.call("listPets") == "hello"


def test_connection_refused_is_translated():
    client = Client(str(TOY), base_url="http://127.0.0.1:9", api_key=SECRET, max_retries=0)
    with pytest.raises(APIConnectionError) as info:
        client.call("listPets")
    assert SECRET not in str(info.value)
    assert not isinstance(info.value, APITimeoutError)


def test_relative_server_without_base_url_is_a_clear_error():
    spec = {"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "servers": [{"url": "/api"}],
            "paths": {"/x": {"get": {"operationId": "x", "responses": {"200": {"description": "ok"}}}}}}
    with pytest.raises(UsageError) as info:
        Client(spec).call("x")
    assert "base_url" in str(info.value)


def test_default_and_per_call_headers(httpserver):
    httpserver.expect_request("/v2/pets").respond_with_json({})
    c = Client(str(TOY), base_url=httpserver.url_for("/v2"), api_key="k", headers={"X-Default": "1"})
    c.call("listPets", headers={"OpenAI-Beta": "assistants=v2"})
    request = httpserver.log[0][0]
    assert request.headers["X-Default"] == "1" and request.headers["OpenAI-Beta"] == "assistants=v2"


def test_operations_listing(toy):
    ops = toy.operations
    assert list(ops)[:2] == ["listPets", "create-pet"]
    op = ops["create-pet"]
    assert (op.method, op.path, op.summary, op.tags) == ("POST", "/pets", "Create a pet.", ["pets"])
    assert repr(op) == "<POST /pets create-pet: Create a pet.>"
    assert [p.qualified_name for p in ops["getPet"].parameters] == ["path.id", "query.id"]
    assert list(ops["create-pet"].request_body) == ["application/json"]
    assert [o.operation_id for o in toy.search("pet create")] == ["create-pet"]
    assert [o.operation_id for o in ops.by_tag("PETS")] == ["listPets", "create-pet"]


def test_server_variables_override_defaults():
    client = Client(str(TOY), server_variables={"region": "us"})
    assert client.prepare("listPets").url == "https://us.toy.example/v2/pets"


def test_scheme_specific_credential_wins_over_the_first_alternative(monkeypatch):
    """Azure offers bearer (oauth2) or an api-key header: a key given for the
    apiKey scheme, or in its variable, goes in the api-key header."""
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "azure-secret")
    client = Client("azure-openai", server_variables={"endpoint": "res.openai.azure.com"})
    prepared = client.prepare("ChatCompletions_Create", **{"deployment-id": "gpt", "api-version": "2024-10-21"},
                              body={"messages": [{"role": "user", "content": "hi"}]})
    assert prepared.url.startswith("https://res.openai.azure.com/openai/deployments/gpt/")
    assert prepared.headers["api-key"] == "azure-secret" and "Authorization" not in prepared.headers
    # api_key= is the api-key header, as with the SDK's AzureOpenAI(api_key=...)
    keyed = Client("azure-openai", api_key="azure-key").prepare(
        "ChatCompletions_Create", **{"deployment-id": "gpt", "api-version": "2024-10-21"},
        body={"messages": [{"role": "user", "content": "hi"}]})
    assert keyed.headers["api-key"] == "azure-key" and "Authorization" not in keyed.headers
    # an Entra ID token is the bearer scheme's credential
    token = Client("azure-openai", credentials={"bearer": "aad-token"}).prepare(
        "ChatCompletions_Create", **{"deployment-id": "gpt", "api-version": "2024-10-21"},
        body={"messages": [{"role": "user", "content": "hi"}]})
    assert token.headers["Authorization"] == "Bearer aad-token"


def test_anthropic_key_goes_in_x_api_key(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-secret")
    client = Client("anthropic")
    prepared = client.prepare("messages_post", **{"anthropic-version": "2023-06-01"},
                              body={"model": "claude-sonnet-4-5", "max_tokens": 16,
                                    "messages": [{"role": "user", "content": "hi"}]})
    assert prepared.headers["x-api-key"] == "sk-ant-secret"
    assert "sk-ant-secret" not in prepared.describe()
    assert any("overlay-anthropic.yaml" in r.action for r in client.spec.repairs)


def test_openai_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    monkeypatch.setenv("OPENAI_ADMIN_KEY", "sk-admin-env")
    monkeypatch.setenv("OPENAI_ORG_ID", "org-1")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-1")
    client = Client()
    normal = client.prepare("listModels")
    admin = client.prepare("admin-api-keys-list")
    assert normal.headers["Authorization"] == "Bearer sk-env"
    assert admin.headers["Authorization"] == "Bearer sk-admin-env"
    assert normal.headers["OpenAI-Organization"] == "org-1" and normal.headers["OpenAI-Project"] == "proj-1"
    explicit = Client(api_key="sk-explicit", credentials={"AdminApiKeyAuth": "sk-admin-explicit"})
    assert explicit.prepare("listModels").headers["Authorization"] == "Bearer sk-explicit"
    assert explicit.prepare("admin-api-keys-list").headers["Authorization"] == "Bearer sk-admin-explicit"


def test_unencodable_body_without_validation_is_our_error(toy):
    with pytest.raises(RequestValidationError) as info:
        toy.prepare("create-pet", body={"name": "x", "kind": "cat", "tags": {1, 2}}, validate=False)
    assert info.value.errors[0].location == "body" and "application/json" in str(info.value)


def test_query_key_never_reaches_debug_logs(httpserver, caplog):
    """urllib3 logs request lines, query string included, at DEBUG level."""
    httpserver.expect_request("/keyed").respond_with_json({})
    caplog.set_level(logging.DEBUG)
    client = Client(str(TOY), base_url=httpserver.url_for(""), credentials={"queryKey": SECRET})
    client.call("keyed")
    ours = [r for r in caplog.records if not r.name.startswith("werkzeug")]  # the server's own log is not ours
    assert any("/keyed?api_key=****" in r.getMessage() for r in ours)  # urllib3's line, masked
    assert not any(SECRET in r.getMessage() for r in ours)
