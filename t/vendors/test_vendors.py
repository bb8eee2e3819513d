"""The bundled vendor profiles against local servers that refuse what the
real services refuse (t/vendor_servers.py): beta and version headers the
documents never mention, Azure's api-version, base URLs and keys from the
environment, retry hints, and the vendors' error envelopes read into
APIError's fields."""
import json
import logging

import pytest

from openapi_dyn import (APIError, BadRequestError, Client, InternalServerError, ProfileError,
                         RequestValidationError, UsageError)
from openapi_dyn._spec.profile import bundled_profile, check, load_profile

from conftest import DATA
from faultserver import reply, status
from vendor_servers import anthropic_service, azure_service, cohere_service, openai_service

MEDIA = DATA / "media.yaml"
CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
CLAUDE = {"model": "claude-sonnet-4-5", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture
def openai(openai_client, faultserver):
    faultserver.always(openai_service())
    return Client(openai_client.spec, base_url=faultserver.url + "/v1", api_key="sk-test", max_retries=0)


@pytest.fixture(scope="module")
def anthropic_spec():
    from openapi_dyn._spec import Spec

    return Spec("anthropic")


@pytest.fixture
def anthropic(anthropic_spec, faultserver):
    faultserver.always(anthropic_service())
    return Client(anthropic_spec, base_url=faultserver.url, api_key="sk-ant-test", max_retries=0)


# ------------------------------------------------------------------ OpenAI
def test_the_readme_example_reaches_the_assistants_api(openai, faultserver):
    openai.createRun(thread_id="thread_abc", body={"assistant_id": "asst_abc"})
    (rec,) = faultserver.requests
    assert rec.path == "/v1/threads/thread_abc/runs"
    assert rec.headers["OpenAI-Beta"] == "assistants=v2"


@pytest.mark.parametrize("op, args, beta", [
    ("listAssistants", {}, "assistants=v2"),
    ("createVectorStore", {"body": {}}, "assistants=v2"),
    ("getMessage", {"thread_id": "t", "message_id": "m"}, "assistants=v2"),
    ("CreateChatSessionMethod", None, "chatkit_beta=v1"),
    ("ListThreadsMethod", {}, "chatkit_beta=v1"),
])
def test_beta_families_get_their_header(openai, faultserver, op, args, beta):
    if args is None:
        args = {"body": {"workflow": {"id": "wf_1"}, "user": "u1"}}
    openai.call(op, **args)
    assert faultserver.requests[-1].headers["OpenAI-Beta"] == beta


def test_other_operations_get_no_beta_header(openai, faultserver):
    openai.call("createChatCompletion", body=CHAT)
    openai.call("listFiles")
    assert all(r.headers.get("OpenAI-Beta") is None for r in faultserver.requests)


def test_the_caller_can_override_a_profile_header(openai, faultserver):
    with pytest.raises(BadRequestError) as info:
        openai.call("listAssistants", headers={"openai-beta": "assistants=v1"})
    (rec,) = faultserver.requests
    assert rec.headers.get_all("OpenAI-Beta") == ["assistants=v1"]  # replaced, not sent twice
    err = info.value
    assert (err.code, err.type, err.param) == ("missing_beta_header", "invalid_request_error", None)
    assert err.message.startswith("You must provide the 'OpenAI-Beta' header")
    assert err.request_id == "req_beta"
    assert "[missing_beta_header]" in str(err) and "req_beta" in str(err)


def test_without_the_profile_the_service_refuses(openai_client, faultserver):
    faultserver.always(openai_service())
    bare = Client(openai_client.spec, base_url=faultserver.url + "/v1", api_key="sk-test",
                  max_retries=0, profile=False)
    with pytest.raises(BadRequestError, match="OpenAI-Beta"):
        bare.createRun(thread_id="thread_abc", body={"assistant_id": "asst_abc"})


def test_openai_base_url_and_organization_from_the_environment(openai_client, faultserver, monkeypatch):
    faultserver.always(openai_service())
    monkeypatch.setenv("OPENAI_BASE_URL", faultserver.url + "/v1/")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    monkeypatch.setenv("OPENAI_ORG_ID", "org-123")
    client = Client(openai_client.spec, max_retries=0)
    assert client.base_url == faultserver.url + "/v1"
    client.call("listModels")
    (rec,) = faultserver.requests
    assert rec.headers["Authorization"] == "Bearer sk-from-env"
    assert rec.headers["OpenAI-Organization"] == "org-123"
    # an explicit base_url beats the environment
    assert Client(openai_client.spec, base_url="http://127.0.0.1:9/v1").base_url == "http://127.0.0.1:9/v1"


# --------------------------------------------------------------- Anthropic
def test_anthropic_messages_carry_the_version(anthropic, faultserver):
    reply_body = anthropic.messages_post(body=CLAUDE)
    assert reply_body == {"id": "msg_1", "type": "message"}
    (rec,) = faultserver.requests
    assert rec.headers["anthropic-version"] == "2023-06-01"
    assert rec.headers["x-api-key"] == "sk-ant-test"
    assert rec.headers.get("anthropic-beta") is None


@pytest.mark.parametrize("op, args, flag", [
    ("beta_list_files_v1_files_get", {}, "files-api-2025-04-14"),
    ("beta_message_batches_list", {}, "message-batches-2024-09-24"),
    ("beta_messages_count_tokens_post", {"body": {"model": "claude-sonnet-4-5",
                                                  "messages": [{"role": "user", "content": "hi"}]}},
     "token-counting-2024-11-01"),
    ("beta_list_skills_v1_skills_get", {}, "skills-2025-10-02"),
])
def test_anthropic_beta_resources_carry_their_flag(anthropic, faultserver, op, args, flag):
    anthropic.call(op, **args)
    assert faultserver.requests[-1].headers["anthropic-beta"] == flag


def test_anthropic_betas_given_are_extended_not_replaced(anthropic, faultserver):
    anthropic.call("beta_list_files_v1_files_get", anthropic_beta="my-beta-2025-01-01")
    assert faultserver.requests[-1].headers["anthropic-beta"] == "my-beta-2025-01-01,files-api-2025-04-14"
    anthropic.call("beta_list_files_v1_files_get", anthropic_beta="files-api-2025-04-14")
    assert faultserver.requests[-1].headers["anthropic-beta"] == "files-api-2025-04-14"


def test_anthropic_version_can_be_overridden_or_left_out(anthropic, faultserver):
    with pytest.raises(BadRequestError) as info:
        anthropic.messages_post(body=CLAUDE, anthropic_version="2021-01-01")
    assert faultserver.requests[-1].headers["anthropic-version"] == "2021-01-01"
    err = info.value
    assert err.type == "invalid_request_error" and "anthropic-version" in err.message
    assert err.request_id == "req_invalid_request_error"
    with pytest.raises(BadRequestError):
        anthropic.messages_post(body=CLAUDE, anthropic_version=None)  # None: left out, default too
    assert faultserver.requests[-1].headers.get("anthropic-version") is None


def test_anthropic_key_and_base_url_from_the_environment(anthropic_spec, faultserver, monkeypatch):
    faultserver.always(anthropic_service())
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-env")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", faultserver.url)
    Client(anthropic_spec, max_retries=0).messages_post(body=CLAUDE)
    assert faultserver.requests[-1].headers["x-api-key"] == "sk-ant-env"


def test_anthropic_errors_are_read(anthropic_spec, faultserver):
    faultserver.always(anthropic_service())
    client = Client(anthropic_spec, base_url=faultserver.url, max_retries=0,
                    credentials={"ApiKeyAuth": "k" * 10})
    faultserver.plan(reply(529, json={"type": "error", "error": {"type": "overloaded_error",
                                                                 "message": "Overloaded"}},
                           headers={"request-id": "req_529"}))
    with pytest.raises(InternalServerError) as info:
        client.messages_post(body=CLAUDE)
    assert (info.value.type, info.value.message, info.value.request_id) == ("overloaded_error", "Overloaded",
                                                                           "req_529")


# ------------------------------------------------------------------- Azure
def test_azure_chat_with_api_version_set_once(faultserver, monkeypatch):
    faultserver.always(azure_service())
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", faultserver.url + "/")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "azure-key-123")
    client = Client("azure-openai", api_version="2024-10-21", max_retries=0)
    assert client.base_url == faultserver.url + "/openai"
    client.call("ChatCompletions_Create", **{"deployment-id": "gpt-4o"}, body={"messages": CHAT["messages"]})
    client.call("embeddings_create", **{"deployment-id": "ada"}, body={"input": "hi"})
    for rec in faultserver.requests:
        assert rec.args["api-version"] == "2024-10-21"
        assert rec.headers["api-key"] == "azure-key-123"
    assert faultserver.requests[0].path == "/openai/deployments/gpt-4o/chat/completions"
    # per call, the default can be overridden
    client.call("ChatCompletions_Create", **{"deployment-id": "gpt-4o", "api-version": "2025-01-01"},
                body={"messages": CHAT["messages"]})
    assert faultserver.requests[-1].args["api-version"] == "2025-01-01"


def test_azure_api_version_from_the_environment(faultserver, monkeypatch):
    faultserver.always(azure_service())
    monkeypatch.setenv("OPENAI_API_VERSION", "2024-06-01")
    client = Client("azure-openai", base_url=faultserver.url + "/openai", api_key="k" * 12, max_retries=0)
    response = client.request("ChatCompletions_Create", **{"deployment-id": "d"},
                              body={"messages": CHAT["messages"]})
    assert faultserver.requests[-1].args["api-version"] == "2024-06-01"
    assert response.request_id == "apim_ok"  # Azure's header, named by its profile


def test_azure_without_an_api_version_is_refused_before_sending(faultserver, monkeypatch):
    monkeypatch.delenv("OPENAI_API_VERSION", raising=False)
    client = Client("azure-openai", base_url=faultserver.url + "/openai", api_key="k" * 12)
    with pytest.raises(RequestValidationError) as info:
        client.call("ChatCompletions_Create", **{"deployment-id": "d"}, body={"messages": CHAT["messages"]})
    assert [p.location for p in info.value.errors] == ["query.api-version"]
    assert faultserver.requests == []


def test_azure_endpoint_given_as_a_server_variable_with_its_scheme():
    client = Client("azure-openai", server_variables={"endpoint": "https://res.openai.azure.com/"},
                    api_version="2024-10-21")
    req = client.prepare("ChatCompletions_Create", **{"deployment-id": "d"}, body={"messages": CHAT["messages"]})
    assert req.url.startswith("https://res.openai.azure.com/openai/deployments/d/chat/completions?")


def test_azure_errors_are_read(faultserver):
    faultserver.always(azure_service())
    client = Client("azure-openai", base_url=faultserver.url + "/openai", max_retries=0,
                    api_key="azure-key-123", api_version="2024-10-21")
    faultserver.plan(reply(400, json={"error": {"code": "content_filter", "message": "filtered",
                                                "param": "prompt", "type": None}},
                           headers={"apim-request-id": "apim_1"}))
    with pytest.raises(BadRequestError) as info:
        client.call("ChatCompletions_Create", **{"deployment-id": "d"}, body={"messages": CHAT["messages"]})
    err = info.value
    assert (err.code, err.param, err.message, err.request_id) == ("content_filter", "prompt", "filtered", "apim_1")
    assert faultserver.requests[-1].headers["api-key"] == "azure-key-123"  # api_key= is the api-key header
    assert "Authorization" not in faultserver.requests[-1].headers


# ------------------------------------------------------------------ Cohere
def test_cohere_chat(faultserver, monkeypatch):
    faultserver.always(cohere_service())
    monkeypatch.setenv("CO_API_KEY", "co-key-123")
    monkeypatch.setenv("CO_API_URL", faultserver.url)
    client = Client("cohere", max_retries=0)
    out = client.call("chatv2", body={"model": "command-a-03-2025", "messages": [{"role": "user", "content": "hi"}]})
    assert out["finish_reason"] == "COMPLETE"
    assert faultserver.requests[-1].headers["Authorization"] == "Bearer co-key-123"
    faultserver.plan(reply(400, json={"id": "e", "message": "invalid model"}, headers={"x-request-id": "co_1"}))
    with pytest.raises(BadRequestError) as info:
        client.call("chatv2", body={"model": "nope", "messages": [{"role": "user", "content": "hi"}]})
    assert (info.value.message, info.value.request_id) == ("invalid model", "co_1")


# ----------------------------------------------------------- retry hints
def fast(client):
    t = client.transport
    t.backoff_factor, t.backoff_jitter, t.retry_after_max = 0.001, 0, 0.05
    return client


def test_x_should_retry_false_is_obeyed(openai_client, faultserver):
    client = fast(Client(openai_client.spec, base_url=faultserver.url + "/v1", api_key="sk-t", max_retries=2))
    faultserver.always(reply(500, json={"error": {"message": "down", "type": "server_error"}},
                             headers={"x-should-retry": "false"}))
    with pytest.raises(InternalServerError):
        client.call("listModels")
    assert len(faultserver.requests) == 1


def test_x_should_retry_true_retries_a_400(openai_client, faultserver):
    client = fast(Client(openai_client.spec, base_url=faultserver.url + "/v1", api_key="sk-t", max_retries=2))
    faultserver.plan(reply(400, json={"error": {"message": "again"}}, headers={"x-should-retry": "true"}),
                     reply(json={"object": "list", "data": []}))
    assert client.call("listModels") == {"object": "list", "data": []}
    assert len(faultserver.requests) == 2


def test_without_a_profile_only_idempotent_requests_are_retried(faultserver):
    client = fast(Client(str(MEDIA), base_url=faultserver.url + "/v1", max_retries=2))
    faultserver.always(status(503))
    with pytest.raises(InternalServerError):
        client.call("chat", body={"prompt": "p"})
    assert len(faultserver.requests) == 1  # a POST: sent once
    with pytest.raises(InternalServerError):
        client.call("getItem", id="i1")
    assert len(faultserver.requests) == 1 + 3  # a GET: retried twice
    faultserver.plan(status(503), reply(json={"id": "c", "text": "t"}))
    client.call("chat", body={"prompt": "p"}, headers={"Idempotency-Key": "k1"})
    assert len(faultserver.requests) == 4 + 2  # a POST with an Idempotency-Key may repeat


def test_without_a_profile_the_hint_header_means_nothing(faultserver):
    client = fast(Client(str(MEDIA), base_url=faultserver.url + "/v1", max_retries=2))
    faultserver.always(reply(400, json={"error": {"message": "x"}}, headers={"x-should-retry": "true"}))
    with pytest.raises(BadRequestError):
        client.call("getItem", id="i1")
    assert len(faultserver.requests) == 1


# ------------------------------------------------------------ any spec's errors
def test_problem_json_errors_for_any_spec(faultserver):
    client = Client(str(MEDIA), base_url=faultserver.url + "/v1", max_retries=0)
    faultserver.plan(reply(422, body=json.dumps({"type": "https://example.com/probs/out-of-credit",
                                                 "title": "You do not have enough credit.",
                                                 "detail": "Your balance is 30, but that costs 50.",
                                                 "status": 422}).encode(),
                           content_type="application/problem+json"))
    with pytest.raises(APIError) as info:
        client.call("getItem", id="i1")
    err = info.value
    assert err.message == "Your balance is 30, but that costs 50."
    assert err.type == "https://example.com/probs/out-of-credit"
    assert err.code is None and err.param is None


# ------------------------------------------------------------ defaults=
def test_client_defaults_are_checked_when_the_client_is_built():
    with pytest.raises(UsageError) as info:
        Client("azure-openai", defaults={"api-version": 20241021, "deployment_idd": "x"})
    text = str(info.value)
    assert "defaults['api-version']: 20241021 is not of type 'string'" in text
    assert "defaults['deployment_idd']: no operation of this spec has such a parameter" in text


def test_api_version_needs_a_profile_that_names_one():
    with pytest.raises(UsageError, match="names no API-version parameter"):
        Client(str(MEDIA), api_version="2024-01-01")


def test_client_defaults_apply_to_every_operation_that_has_the_parameter(faultserver):
    client = Client(str(MEDIA), base_url=faultserver.url + "/v1", max_retries=0, defaults={"limit": 5})
    faultserver.always(reply(json={"data": [], "has_more": False}))
    client.call("listItems")
    client.call("listItems", limit=7)
    client.call("listItems", limit=None)
    assert [r.args.get("limit") for r in faultserver.requests] == ["5", "7", None]


def test_defaults_show_in_signatures():
    import inspect

    client = Client("azure-openai", api_version="2024-10-21")
    sig = inspect.signature(client.ChatCompletions_Create)
    assert sig.parameters["api_version"].default == "2024-10-21"
    assert "api-version" in client.ChatCompletions_Create.__doc__ and "2024-10-21" in \
        client.ChatCompletions_Create.__doc__.split("Client defaults", 1)[1]


# -------------------------------------------------------------- validate=False
def test_validate_false_skips_validation_but_not_what_cannot_be_encoded(openai_client):
    client = Client(openai_client.spec, validate=False)
    req = client.prepare("createChatCompletion")  # the required body is not there
    assert req.body is None
    req = client.prepare("listBatches", limit="many")
    assert "limit=many" in req.url
    with pytest.raises(RequestValidationError) as info:
        client.prepare("getAssistant")  # a path needs its value
    assert [p.location for p in info.value.errors] == ["path.assistant_id"]


# ---------------------------------------------------------------- profiles
@pytest.mark.parametrize("name", ["openai", "anthropic", "cohere", "azure-openai"])
def test_bundled_profiles_match_the_profile_schema(name):
    from importlib import resources

    import yaml

    text = resources.files("openapi_dyn.schemas").joinpath(f"profile-{name}.yaml").read_text()
    check(yaml.safe_load(text), name)
    assert bundled_profile(name).name == name


def test_every_profile_rule_selects_operations_of_its_spec():
    """A rule that selects nothing is a typo (a wrong path prefix or id)."""
    from openapi_dyn._spec import Spec

    for spec_name, profile_name in [("openai", "openai"), ("anthropic", "anthropic"),
                                    ("azure-openai", "azure-openai")]:
        ops = list(Spec(spec_name).operations.values())
        profile = bundled_profile(profile_name)
        for rule in profile.headers + profile.parameters:
            hits = [op for op in ops if rule.when.matches(op)]
            assert hits, (profile_name, rule.name, rule.value)


def test_a_profile_is_checked_with_located_problems(tmp_path):
    with pytest.raises(ProfileError) as info:
        load_profile({"headers": [{"name": "X-Beta", "value": "a\r\nb"}], "retry": {"methods": 3},
                      "colour": "blue"})
    text = str(info.value)
    assert "headers[0].value" in text and "retry.methods" in text and "colour" in text
    bad = tmp_path / "p.yaml"
    bad.write_text("headers: [unclosed")
    with pytest.raises(ProfileError, match="not YAML"):
        load_profile(str(bad))
    with pytest.raises(ProfileError, match="no bundled profile 'nope'"):
        load_profile("nope")


def test_a_user_profile_for_another_api(faultserver, tmp_path):
    profile = tmp_path / "media.yaml"
    profile.write_text(
        "format: 1\n"
        "name: media\n"
        "headers:\n"
        "  - {name: X-Api-Generation, value: '2', when: {path_prefix: [/items]}}\n"
        "parameters:\n"
        "  - {name: order, value: desc, when: {operations: [listItems]}}\n"
        "errors: {message: [fault.text], code: [fault.id]}\n"
        "request_id: [x-trace]\n")
    client = Client(str(MEDIA), base_url=faultserver.url + "/v1", max_retries=0, profile=str(profile))
    faultserver.plan(reply(json={"data": [], "has_more": False}),
                     reply(409, json={"fault": {"id": "E42", "text": "busy"}}, headers={"x-trace": "t-1"}))
    client.call("listItems")
    rec = faultserver.requests[-1]
    assert rec.headers["X-Api-Generation"] == "2" and rec.args["order"] == "desc"
    with pytest.raises(APIError) as info:
        client.call("getItem", id="i1")
    assert (info.value.code, info.value.message, info.value.request_id) == ("E42", "busy", "t-1")
