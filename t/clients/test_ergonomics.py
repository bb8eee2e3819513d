"""Calling like a Python user expects: body fields as keyword arguments,
answers with attribute access that stay plain data, every operation
reachable whatever its name, case-insensitive request headers, a complete
package namespace and a search that ranks the closest names first."""
import copy
import inspect
import json
import pickle

import pytest

import openapi_dyn
from openapi_dyn import Client, Record, RequestValidationError

from conftest import DATA
from faultserver import events, reply

MEDIA = DATA / "media.yaml"
CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
COMPLETION = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o",
              "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                           "message": {"role": "assistant", "content": "Hello!", "refusal": None}}],
              "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
              "x-odd key": 1, "items": [1, 2]}


@pytest.fixture
def local(openai_client, faultserver):
    return Client(openai_client.spec, base_url=faultserver.url + "/v1", api_key="sk-test", max_retries=0)


# ------------------------------------------------------------ body keywords
def test_body_fields_as_keywords(openai_client):
    req = openai_client.prepare("createChatCompletion", model="gpt-4o", messages=CHAT["messages"],
                                temperature=0.2)
    assert json.loads(req.body) == dict(CHAT, temperature=0.2)
    # same request as body=
    assert req.body == openai_client.prepare("createChatCompletion", body=dict(CHAT, temperature=0.2)).body


def test_body_keywords_merge_with_body(openai_client):
    req = openai_client.prepare("createChatCompletion", body={"model": "gpt-4o"}, messages=CHAT["messages"])
    assert json.loads(req.body) == CHAT
    with pytest.raises(RequestValidationError) as info:
        openai_client.prepare("createChatCompletion", body=CHAT, model="gpt-4o-mini")
    assert [str(p) for p in info.value.errors] == ["body.model: given twice (in body= and as a keyword)"]


def test_body_keyword_problems_are_located_and_unknown_names_suggested(openai_client):
    with pytest.raises(RequestValidationError) as info:
        openai_client.prepare("createChatCompletion", model="gpt-4o", mesages=CHAT["messages"], temperature="hot")
    found = {p.location: p.message for p in info.value.errors}
    assert "did you mean messages" in found["argument.mesages"]
    assert found["body.messages"] == "required property is missing"
    assert "body.temperature" in found


def test_a_parameter_keeps_its_name_over_a_body_field(faultserver):
    client = Client(str(MEDIA), base_url=faultserver.url + "/v1", max_retries=0)
    op = client.operation("listItems")
    # media.yaml's listItems takes a query 'limit'; the name stays the parameter's
    req = client.prepare("listItems", limit=3)
    assert "limit=3" in req.url and op.request_body == {}


def test_parameter_and_field_of_the_same_name(openai_client):
    """createRun's ``include`` is a query parameter; a body field of the same
    name would be reached through body=; the keyword goes to the parameter
    and an invalid value says so."""
    op = openai_client.operation("createRun")
    from openapi_dyn._call.request import binder_for

    shared = [n for n in binder_for(op).body_names if n in binder_for(op).index]
    for name in shared:
        with pytest.raises(RequestValidationError) as info:
            openai_client.prepare("createRun", thread_id="t", assistant_id="a", **{name: object()})
        assert any("use body=" in p.message for p in info.value.errors)


def test_signatures_show_body_keywords(openai_client):
    sig = inspect.signature(openai_client.createChatCompletion)
    assert sig.parameters["model"].default is inspect.Parameter.empty
    assert sig.parameters["messages"].default is inspect.Parameter.empty
    assert sig.parameters["temperature"].default is None
    assert sig.parameters["body"].default is None


# ---------------------------------------------------------- attribute access
def test_answers_have_attribute_access_and_stay_plain_data(local, faultserver):
    faultserver.always(reply(json=COMPLETION))
    out = local.createChatCompletion(**CHAT)
    assert out.choices[0].message.content == "Hello!"
    assert out["choices"][0]["message"]["content"] == "Hello!"
    assert isinstance(out, dict) and isinstance(out.choices[0], Record)
    assert out == COMPLETION and json.loads(json.dumps(out)) == COMPLETION
    assert pickle.loads(pickle.dumps(out)) == out and type(pickle.loads(pickle.dumps(out))) is Record
    assert copy.deepcopy(out) == out
    assert repr(out.usage) == repr(COMPLETION["usage"])
    # keys a dict method owns, or that are not identifiers, by []
    assert out["items"] == [1, 2] and callable(out.items) and out["x-odd key"] == 1
    with pytest.raises(AttributeError, match="'nope' is not a property of this object's schema"):
        out.nope
    assert "choices" in dir(out)


def test_attribute_access_can_be_turned_off(openai_client, faultserver):
    client = Client(openai_client.spec, base_url=faultserver.url + "/v1", api_key="sk-test", max_retries=0,
                    attribute_access=False)
    faultserver.always(reply(json=COMPLETION))
    out = client.createChatCompletion(**CHAT)
    assert type(out) is dict and type(out["choices"][0]) is dict


def test_streams_yield_records(local, faultserver):
    chunk = b'data: {"choices": [{"index": 0, "delta": {"content": "Hi"}}]}\n\n'
    faultserver.always(events(chunk, b"data: [DONE]\n\n"))
    with local.createChatCompletion(**CHAT, stream=True) as stream:
        got = [c.choices[0].delta.content for c in stream]
    assert got == ["Hi"]


def test_error_bodies_are_records(local, faultserver):
    faultserver.always(reply(400, json={"error": {"message": "bad", "type": "invalid_request_error"}}))
    with pytest.raises(openapi_dyn.BadRequestError) as info:
        local.createChatCompletion(**CHAT)
    assert info.value.body.error.message == "bad"


# -------------------------------------------------------------- namespace
def test_shadowed_operation_ids_are_reachable(faultserver, tmp_path):
    spec = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "servers": [{"url": faultserver.url}],
            "paths": {"/search": {"get": {"operationId": "search", "responses": {"200": {"description": "ok"}}}},
                      "/send": {"post": {"operationId": "send", "responses": {"200": {"description": "ok"}}}},
                      "/x": {"get": {"operationId": "get-x", "responses": {"200": {"description": "ok"}}}}}}
    client = Client(spec, max_retries=0)
    assert client.shadowed == ["search", "send"]
    assert [op.operation_id for op in client.search("x")] == ["get-x"]   # the Client method
    faultserver.always(reply(json={"ok": True}))
    assert client.ops.search() == {"ok": True}                     # the operation
    assert client.ops.send() == {"ok": True} and client.ops["get-x"]() == {"ok": True}
    assert client.ops.get_x() == {"ok": True}
    assert [r.path for r in faultserver.requests] == ["/search", "/send", "/x", "/x"]
    assert {"search", "send", "get-x", "get_x"} <= set(dir(client.ops))
    assert "client.ops" in Client.__doc__
    with pytest.raises(AttributeError):
        client.ops.nothing


def test_package_exports_are_visible():
    names = dir(openapi_dyn)
    for name in ("Client", "Response", "PreparedRequest", "Stream", "Spec", "Record", "Profile",
                 "RequestValidationError", "ProfileError"):
        assert name in names and name in openapi_dyn.__all__
        assert getattr(openapi_dyn, name) is not None


# ----------------------------------------------------------------- headers
def test_prepared_headers_ignore_case(openai_client):
    req = openai_client.prepare("listAssistants", headers={"X-Trace": "t1"})
    assert req.headers.get("openai-beta") == "assistants=v2" and "OPENAI-BETA" in req.headers
    assert req.headers["x-trace"] == "t1"
    req.headers["openai-beta"] = "assistants=v1"
    assert list(k for k in req.headers if k.lower() == "openai-beta") == ["openai-beta"]


# ------------------------------------------------------------------ search
def test_search_ranks_the_closest_operation_ids_first(openai_client):
    found = [op.operation_id for op in openai_client.search("vector store")]
    assert found[0] == "createVectorStore" or found[0] in ("getVectorStore", "listVectorStores")
    assert found.index("createVectorStore") < found.index("createFile")
    assert [op.operation_id for op in openai_client.search("create vector store")][0] == "createVectorStore"
    assert openai_client.search("chat completion")[0].operation_id in ("createChatCompletion",
                                                                         "listChatCompletions")


def test_the_reference_says_body_fields_are_keywords(openai_client):
    from openapi_dyn.reference import render_operation

    for fmt in ("text", "markdown", "pod", "html"):
        page = render_operation(openai_client, "createChatCompletion", fmt, check=False)
        assert "fields also as keyword arguments" in page, fmt
    # a body that is not an object with fields says nothing of the kind
    page = render_operation(openai_client, "getAssistant", "text", check=False)
    assert "keyword arguments" not in page
