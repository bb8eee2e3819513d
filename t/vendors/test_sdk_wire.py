"""The OpenAI and Anthropic profiles put on the wire what the official SDKs
put there, where the services notice the difference: array names
(``include[]``, ``timestamp_granularities[]``, ``image[]``), base64
embeddings decoded back to floats, ``headers={name: None}``, ``{}`` for an
optional JSON body left out, Anthropic's 529 and its ``ping`` events.

Each is tried against the local stand-ins of t/vendor_servers.py (which
answer as the services are reported to: a repeated plain name keeps only
its last value, an empty ``OpenAI-Beta`` is refused) with both clients,
and side by side with the official SDK (a test-only dependency) pointed at
the same server: the raw requests are compared."""
import json
import struct

import pytest

from openapi_dyn import (AsyncClient, BadRequestError, Client, InternalServerError, OverloadedError, StreamError,
                         APIError)

from faultserver import events, reply
from vendor_servers import embedding_vector, embeddings_answer, form_pairs, openai_service

CLAUDE = {"model": "claude-sonnet-4-5", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}]}
AUDIO = b"RIFF-not-really-audio"


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="module")
def anthropic_spec():
    from openapi_dyn._spec import Spec

    return Spec("anthropic")


def _call(kind, spec, base_url, operation_id, api_key="sk-test", **kwargs):
    """One call with a fresh Client or AsyncClient: the same call, both ways."""
    options = {k: kwargs.pop(k) for k in ("headers_default", "profile") if k in kwargs}
    made = {"base_url": base_url, "api_key": api_key, "max_retries": 0}
    if "headers_default" in options:
        made["headers"] = options["headers_default"]
    if "profile" in options:
        made["profile"] = options["profile"]
    if kind == "sync":
        with Client(spec, **made) as client:
            return client.call(operation_id, **kwargs)
    import anyio

    async def run():
        async with AsyncClient(spec, **made) as client:
            return await client.call(operation_id, **kwargs)
    return anyio.run(run)


def _stream_types(kind, spec, base_url, raw_events):
    """The ``type`` of every item the stream iterator yields, and of every
    event :meth:`events` yields, for the same answer (two calls)."""
    if kind == "sync":
        with Client(spec, base_url=base_url, api_key="sk-ant-test", max_retries=0) as client:
            with client.call("messages_post", body={**CLAUDE, "stream": True}) as stream:
                data = [d["type"] for d in stream]
            with client.call("messages_post", body={**CLAUDE, "stream": True}) as stream:
                raw = [e.event for e in stream.events()]
        return data, raw
    import anyio

    async def run():
        async with AsyncClient(spec, base_url=base_url, api_key="sk-ant-test", max_retries=0) as client:
            stream = await client.call("messages_post", body={**CLAUDE, "stream": True})
            data = [d["type"] async for d in stream]
            stream = await client.call("messages_post", body={**CLAUDE, "stream": True})
            raw = [e.event async for e in stream.events()]
        return data, raw
    return anyio.run(run)


def _sdk_openai(faultserver):
    openai = pytest.importorskip("openai")
    return openai.OpenAI(api_key="sk-test", base_url=faultserver.url + "/v1", max_retries=0)


def _parts(rec):
    """A multipart body as sorted (name, filename, content type, text or size)."""
    return sorted((p["name"], p["filename"], p["content_type"] if p["filename"] else None,
                   p["data"].decode() if p["filename"] is None else len(p["data"])) for p in rec.multipart())


KINDS = ["sync", "async"]


# ------------------------------------------------------------ array names
@pytest.mark.parametrize("kind", KINDS)
def test_multipart_arrays_reach_the_service_whole(openai_client, faultserver, kind):
    faultserver.always(openai_service(echo=True))
    body = {"file": AUDIO, "model": "whisper-1", "response_format": "verbose_json",
            "timestamp_granularities": ["word", "segment"]}
    got = _call(kind, openai_client.spec, faultserver.url + "/v1", "createTranscription", body=body)
    assert got["form"]["timestamp_granularities"] == ["word", "segment"]
    names = [name for name, _ in form_pairs(faultserver.requests[-1])]
    assert names.count("timestamp_granularities[]") == 2 and "timestamp_granularities" not in names
    # the document's own form (a plain name repeated) loses all but the last value at the service
    plain = _call(kind, openai_client.spec, faultserver.url + "/v1", "createTranscription", body=body,
                  profile=False)
    assert plain["form"]["timestamp_granularities"] == "segment"


@pytest.mark.parametrize("kind", KINDS)
def test_query_arrays_reach_the_service_whole(openai_client, faultserver, kind):
    faultserver.always(openai_service(echo=True))
    include = ["file_search_call.results", "message.output_text.logprobs"]
    got = _call(kind, openai_client.spec, faultserver.url + "/v1", "getResponse", response_id="resp_1",
                include=include)
    assert got["query"]["include"] == include
    assert [k for k, _ in faultserver.requests[-1].query] == ["include[]", "include[]"]
    plain = _call(kind, openai_client.spec, faultserver.url + "/v1", "getResponse", response_id="resp_1",
                  include=include, profile=False)
    assert plain["query"]["include"] == include[-1]


def test_a_name_the_spec_writes_with_brackets_gets_no_second_pair(openai_client):
    url = openai_client.prepare("getRunStep", thread_id="t", run_id="r", step_id="s",
                                **{"include[]": ["step_details.tool_calls[*].file_search.results[*].content"]}).url
    assert "include[]=" in url and "include[][]" not in url


def test_the_sdk_and_the_client_send_the_same_multipart_arrays(openai_client, faultserver):
    sdk = _sdk_openai(faultserver)
    faultserver.always(openai_service(echo=True))
    sdk.audio.transcriptions.with_raw_response.create(
        file=AUDIO, model="gpt-4o-transcribe", response_format="json", include=["logprobs"],
        timestamp_granularities=["word", "segment"], known_speaker_names=["ann", "bob"])
    sdk.images.with_raw_response.edit(image=[b"png-one", b"png-two"], prompt="a hat", model="gpt-image-1")
    sdk.images.with_raw_response.edit(image=b"png-one", prompt="a hat")
    client = Client(openai_client.spec, base_url=faultserver.url + "/v1", api_key="sk-test", max_retries=0)
    client.call("createTranscription", body={
        "file": AUDIO, "model": "gpt-4o-transcribe", "response_format": "json", "include": ["logprobs"],
        "timestamp_granularities": ["word", "segment"], "known_speaker_names": ["ann", "bob"]})
    client.call("createImageEdit", body={"image": [b"png-one", b"png-two"], "prompt": "a hat",
                                         "model": "gpt-image-1"})
    client.call("createImageEdit", body={"image": b"png-one", "prompt": "a hat"})
    recs = faultserver.requests
    assert len(recs) == 6
    for theirs, ours in zip(recs[:3], recs[3:]):
        assert (ours.method, ours.path) == (theirs.method, theirs.path)
        assert _parts(ours) == _parts(theirs)
    names = [p[0] for p in _parts(recs[4])]
    assert names.count("image[]") == 2


def test_the_sdk_and_the_client_send_the_same_query_arrays(openai_client, faultserver):
    sdk = _sdk_openai(faultserver)
    faultserver.always(openai_service(echo=True))
    sdk.responses.with_raw_response.retrieve("resp_1", include=["file_search_call.results", "reasoning.encrypted_content"])
    sdk.conversations.items.with_raw_response.list("conv_1", include=["file_search_call.results"], limit=5)
    client = Client(openai_client.spec, base_url=faultserver.url + "/v1", api_key="sk-test", max_retries=0)
    client.call("getResponse", response_id="resp_1",
                include=["file_search_call.results", "reasoning.encrypted_content"])
    client.call("listConversationItems", conversation_id="conv_1", include=["file_search_call.results"], limit=5)
    recs = faultserver.requests
    for theirs, ours in zip(recs[:2], recs[2:]):
        assert (ours.method, ours.path) == (theirs.method, theirs.path)
        assert sorted(ours.query) == sorted(theirs.query)


# ------------------------------------------------------------- embeddings
def _same_float32(a, b):
    return len(a) == len(b) and struct.pack(f"<{len(a)}f", *a) == struct.pack(f"<{len(b)}f", *b)


@pytest.mark.parametrize("kind", KINDS)
def test_embeddings_travel_as_base64_and_come_back_as_floats(openai_client, faultserver, kind):
    faultserver.always(openai_service())
    url = faultserver.url + "/v1"
    body = {"model": "text-embedding-3-small", "input": ["first", "second"]}
    got = _call(kind, openai_client.spec, url, "createEmbedding", body=body)
    assert faultserver.requests[-1].json() == {**body, "encoding_format": "base64"}
    assert body == {"model": "text-embedding-3-small", "input": ["first", "second"]}  # the caller's, untouched
    vectors = [item["embedding"] for item in got["data"]]
    assert vectors == [embedding_vector("first", 1536), embedding_vector("second", 1536)]
    assert all(type(v) is float for v in vectors[0])
    # what a float answer gives, to float32 precision (the service's own)
    floats = _call(kind, openai_client.spec, url, "createEmbedding", body={**body, "encoding_format": "float"})
    assert faultserver.requests[-1].json()["encoding_format"] == "float"
    assert [_same_float32(a["embedding"], b["embedding"]) for a, b in zip(floats["data"], got["data"])] == [True] * 2


@pytest.mark.parametrize("kind", KINDS)
def test_a_chosen_base64_encoding_is_handed_over_as_sent(openai_client, faultserver, kind):
    faultserver.always(openai_service())
    got = _call(kind, openai_client.spec, faultserver.url + "/v1", "createEmbedding",
                body={"model": "text-embedding-3-small", "input": "x", "encoding_format": "base64"})
    text = got["data"][0]["embedding"]
    assert isinstance(text, str)
    assert list(struct.unpack("<1536f", __import__("base64").b64decode(text))) == embedding_vector("x", 1536)


def test_the_sdk_and_the_client_ask_for_and_decode_the_same_vectors(openai_client, faultserver):
    sdk = _sdk_openai(faultserver)
    faultserver.always(openai_service())
    theirs = sdk.embeddings.create(model="text-embedding-3-small", input=["alpha", "beta"])
    client = Client(openai_client.spec, base_url=faultserver.url + "/v1", api_key="sk-test", max_retries=0)
    ours = client.call("createEmbedding", body={"model": "text-embedding-3-small", "input": ["alpha", "beta"]})
    sent_by_sdk, sent_by_us = faultserver.requests
    assert sent_by_us.json() == sent_by_sdk.json()
    assert [d["embedding"] for d in ours["data"]] == [list(map(float, d.embedding)) for d in theirs.data]


def test_base64_answers_are_a_fraction_of_float_answers():
    """The size of one 1536-dimension answer both ways (the figure quoted
    in docs/vendors.md)."""
    as_float = len(embeddings_answer({"model": "m", "input": "hello"}))
    as_base64 = len(embeddings_answer({"model": "m", "input": "hello", "encoding_format": "base64"}))
    ratio = as_base64 / as_float
    print(f"base64 {as_base64} bytes, float {as_float} bytes, ratio {ratio:.2f}")
    assert 0.2 < ratio < 0.4


def test_a_vectors_rule_of_a_user_profile_is_checked_and_applied(openai_client):
    profile = {"vectors": [{"when": {"operations": ["createEmbedding"]}, "field": "encoding_format",
                            "value": "base64"}]}
    client = Client(openai_client.spec, profile=profile, api_key="sk-test")
    assert json.loads(client.prepare("createEmbedding", body={"model": "m", "input": "x"}).body)[
        "encoding_format"] == "base64"
    assert client.prepare("createModeration", body={"input": "x"}).vectors is None
    from openapi_dyn import ProfileError

    with pytest.raises(ProfileError, match=r"vectors\[0\]\.field"):
        Client(openai_client.spec, profile={"vectors": [{"field": ""}]})


# ---------------------------------------------------------------- headers
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("where", ["call", "client"])
def test_none_removes_the_profiles_header(openai_client, faultserver, kind, where):
    faultserver.always(openai_service())
    url = faultserver.url + "/v1"
    given = {"headers": {"OpenAI-Beta": None}} if where == "call" else {"headers_default": {"openai-beta": None}}
    with pytest.raises(BadRequestError) as info:
        _call(kind, openai_client.spec, url, "listAssistants", **given)
    assert "openai-beta" not in {k.lower() for k in faultserver.requests[-1].headers.keys()}
    assert info.value.code == "missing_beta_header"     # not sent at all
    with pytest.raises(BadRequestError) as info:        # an empty value is what the service refuses
        _call(kind, openai_client.spec, url, "listAssistants", headers={"OpenAI-Beta": ""})
    assert info.value.code == "invalid_beta"


def test_none_removes_a_header_under_any_spelling_and_a_value_replaces_it(openai_client):
    client = Client(openai_client.spec, api_key="sk-test", headers={"X-Trace": "1"})
    prepared = client.prepare("listAssistants", headers={"openai-BETA": None, "x-trace": None})
    assert "OpenAI-Beta" not in prepared.headers and "X-Trace" not in prepared.headers
    assert client.prepare("listAssistants", headers={"OpenAI-Beta": "assistants=v3"}).headers[
        "openai-beta"] == "assistants=v3"


# ------------------------------------------------------- an optional body
@pytest.mark.parametrize("kind", KINDS)
def test_an_optional_json_body_left_out_is_sent_as_an_empty_object(openai_client, faultserver, kind):
    faultserver.always(openai_service())
    _call(kind, openai_client.spec, faultserver.url + "/v1", "createThread")
    rec = faultserver.requests[-1]
    assert rec.body == b"{}" and rec.headers["Content-Type"] == "application/json"
    assert rec.headers["OpenAI-Beta"] == "assistants=v2"
    # the document alone sends nothing
    _call(kind, openai_client.spec, faultserver.url + "/v1", "createThread", profile=False,
          headers={"OpenAI-Beta": "assistants=v2"})
    rec = faultserver.requests[-1]
    assert rec.body == b"" and "Content-Type" not in rec.headers


@pytest.mark.filterwarnings("ignore:The Assistants API is deprecated:DeprecationWarning")
def test_the_sdk_and_the_client_send_the_same_empty_body(openai_client, faultserver):
    sdk = _sdk_openai(faultserver)
    faultserver.always(openai_service())
    sdk.beta.threads.with_raw_response.create()
    client = Client(openai_client.spec, base_url=faultserver.url + "/v1", api_key="sk-test", max_retries=0)
    client.createThread()
    theirs, ours = faultserver.requests
    assert (ours.method, ours.path, ours.body) == (theirs.method, theirs.path, theirs.body)
    assert ours.headers["Content-Type"] == theirs.headers["Content-Type"]
    assert ours.headers["OpenAI-Beta"] == theirs.headers["OpenAI-Beta"]


def test_bodyless_operations_stay_bodyless(openai_client):
    for op, args in [("listAssistants", {}), ("deleteAssistant", {"assistant_id": "a"})]:
        prepared = openai_client.prepare(op, **args)
        assert prepared.body is None and "Content-Type" not in prepared.headers


# ------------------------------------------------------------- Anthropic
OVERLOADED = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}


@pytest.mark.parametrize("kind", KINDS)
def test_529_is_an_overloaded_error(anthropic_spec, faultserver, kind):
    faultserver.always(reply(529, json=OVERLOADED, headers={"request-id": "req_529"}))
    with pytest.raises(OverloadedError) as info:
        _call(kind, anthropic_spec, faultserver.url, "messages_post", api_key="sk-ant-test", body=CLAUDE)
    assert isinstance(info.value, InternalServerError)
    assert (info.value.status_code, info.value.type, info.value.request_id) == (529, "overloaded_error", "req_529")
    # without the profile it is a 5xx like any other
    with pytest.raises(InternalServerError) as info:
        _call(kind, anthropic_spec, faultserver.url, "messages_post", api_key="sk-ant-test", body=CLAUDE,
              profile=False, headers={"anthropic-version": "2023-06-01"})
    assert not isinstance(info.value, OverloadedError)


def test_the_sdk_raises_its_overloaded_error_for_the_same_answer(anthropic_spec, faultserver):
    anthropic = pytest.importorskip("anthropic")
    faultserver.always(reply(529, json=OVERLOADED, headers={"request-id": "req_529"}))
    sdk = anthropic.Anthropic(api_key="sk-ant-test", base_url=faultserver.url, max_retries=0)
    with pytest.raises(anthropic.OverloadedError):
        sdk.messages.create(**CLAUDE)
    with pytest.raises(OverloadedError):
        Client(anthropic_spec, base_url=faultserver.url, api_key="sk-ant-test", max_retries=0).call(
            "messages_post", body=CLAUDE)


def test_529_is_retried_like_any_5xx(anthropic_spec, faultserver):
    faultserver.plan(reply(529, json=OVERLOADED), reply(json={"id": "msg_1", "type": "message"}))
    client = Client(anthropic_spec, base_url=faultserver.url, api_key="sk-ant-test", max_retries=1)
    client.call("messages_post", body=CLAUDE, timeout=5)
    assert len(faultserver.requests) == 2


def _sse(name, payload):
    return f"event: {name}\ndata: {json.dumps(payload)}\n\n".encode()


MESSAGE_STREAM = [
    _sse("message_start", {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant",
                                                                "content": [], "model": "claude-sonnet-4-5",
                                                                "stop_reason": None, "stop_sequence": None,
                                                                "usage": {"input_tokens": 1, "output_tokens": 1}}}),
    _sse("ping", {"type": "ping"}),
    _sse("content_block_start", {"type": "content_block_start", "index": 0,
                                 "content_block": {"type": "text", "text": ""}}),
    _sse("ping", {"type": "ping"}),
    _sse("content_block_delta", {"type": "content_block_delta", "index": 0,
                                 "delta": {"type": "text_delta", "text": "Hi"}}),
    _sse("content_block_stop", {"type": "content_block_stop", "index": 0}),
    _sse("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                           "usage": {"output_tokens": 2}}),
    _sse("message_stop", {"type": "message_stop"}),
]


@pytest.mark.parametrize("kind", KINDS)
def test_pings_are_kept_out_of_the_events_but_not_out_of_the_raw_stream(anthropic_spec, faultserver, kind):
    faultserver.always(events(*MESSAGE_STREAM))
    data, raw = _stream_types(kind, anthropic_spec, faultserver.url, MESSAGE_STREAM)
    assert "ping" not in data and len(data) == 6
    assert raw.count("ping") == 2 and len(raw) == 8
    assert [t for t in raw if t != "ping"] == data


def test_the_sdk_drops_the_same_pings(anthropic_spec, faultserver):
    anthropic = pytest.importorskip("anthropic")
    faultserver.always(events(*MESSAGE_STREAM))
    sdk = anthropic.Anthropic(api_key="sk-ant-test", base_url=faultserver.url, max_retries=0)
    theirs = [e.type for e in sdk.messages.create(**CLAUDE, stream=True)]
    ours, _ = _stream_types("sync", anthropic_spec, faultserver.url, MESSAGE_STREAM)
    assert ours == theirs


def test_a_batched_embedding_asks_for_floats(openai_client, tmp_path, monkeypatch):
    """A batch's results are read from a file as sent, never decoded: the
    request goes as the caller wrote it."""
    from batch_server import BatchServer

    monkeypatch.setenv("OPENAPI_DYN_DATA_DIR", str(tmp_path / "data"))
    server = BatchServer()
    try:
        client = Client(openai_client.spec, base_url=server.url, api_key="sk-test", max_retries=0)
        with client.batch(state=tmp_path / "s.json") as b:
            b.createEmbedding(body={"model": "text-embedding-3-small", "input": "x"})
            b.createEmbedding(body={"model": "text-embedding-3-small", "input": "y", "encoding_format": "base64"})
        (content,) = [f["content"] for f in server.files.values() if f["purpose"] == "batch"]
    finally:
        server.stop()
    assert [json.loads(line)["body"] for line in content.splitlines()] == [
        {"model": "text-embedding-3-small", "input": "x"},
        {"model": "text-embedding-3-small", "input": "y", "encoding_format": "base64"}]


@pytest.mark.parametrize("profile, where", [
    ({"arrays": {"query": "commas"}}, r"arrays\.query"),
    ({"errors": {"classes": {"529": "TiredError"}}}, r"errors\.classes\.529"),
    ({"errors": {"classes": {"52": "OverloadedError"}}}, r"errors\.classes"),
    ({"streaming": {"skip_events": "ping"}}, r"streaming\.skip_events"),
    ({"empty_json_body": "yes"}, r"empty_json_body"),
])
def test_the_new_profile_keys_are_checked(openai_client, profile, where):
    from openapi_dyn import ProfileError

    with pytest.raises(ProfileError, match=where):
        Client(openai_client.spec, profile=profile)


def test_decoded_vectors_pass_response_validation(openai_client, faultserver):
    faultserver.always(openai_service())
    client = Client(openai_client.spec, base_url=faultserver.url + "/v1", api_key="sk-test", max_retries=0,
                    validate_responses="strict")
    response = client.request("createEmbedding", body={"model": "text-embedding-3-small", "input": "x"})
    assert response.data["data"][0]["embedding"] == embedding_vector("x", 1536) and response.drift == []


def test_a_profile_of_ones_own_can_name_an_error_class(openai_client, faultserver):
    faultserver.always(reply(503, json={"error": {"message": "busy"}}))
    client = Client(openai_client.spec, base_url=faultserver.url + "/v1", api_key="sk-test", max_retries=0,
                    profile={"errors": {"classes": {"503": "OverloadedError"}}})
    with pytest.raises(OverloadedError, match="busy"):
        client.call("listModels")


def test_pings_are_left_out_of_an_event_stream_read_whole(anthropic_spec, faultserver):
    """An answer that was not asked for as a stream (no ``"stream": true``)
    but comes as one is read whole by Client into a list: pings left out
    there too.  (AsyncClient hands such an answer out as a stream, whose
    pings the test above covers.)"""
    faultserver.always(events(*MESSAGE_STREAM))
    got = _call("sync", anthropic_spec, faultserver.url, "messages_post", api_key="sk-ant-test", body=CLAUDE)
    assert isinstance(got, list) and [d["type"] for d in got] == [
        "message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta",
        "message_stop"]


# An overloaded service can also say so in the middle of a 200 stream, as an
# ``error`` event.  The anthropic SDK raises its base APIStatusError for it
# (``make_status_error`` picks the class by the answer's status, which is
# 200, and finds none), not OverloadedError: the client raises its own
# StreamError, with the event's type, message and body, and no 5xx class.
OVERLOADED_MID_STREAM = MESSAGE_STREAM[:3] + [_sse("error", OVERLOADED)] + MESSAGE_STREAM[3:]


def _stream_until_error(kind, spec, base_url):
    got = []
    if kind == "sync":
        with Client(spec, base_url=base_url, api_key="sk-ant-test", max_retries=0) as client:
            with pytest.raises(StreamError) as info:
                for item in client.call("messages_post", body={**CLAUDE, "stream": True}):
                    got.append(item["type"])
        return got, info.value
    import anyio

    async def run():
        async with AsyncClient(spec, base_url=base_url, api_key="sk-ant-test", max_retries=0) as client:
            stream = await client.call("messages_post", body={**CLAUDE, "stream": True})
            with pytest.raises(StreamError) as info:
                async for item in stream:
                    got.append(item["type"])
        return got, info.value
    return anyio.run(run)


@pytest.mark.parametrize("kind", KINDS)
def test_an_overloaded_error_event_mid_stream_is_a_stream_error(anthropic_spec, faultserver, kind):
    faultserver.always(events(*OVERLOADED_MID_STREAM, headers={"request-id": "req_mid"}))
    got, err = _stream_until_error(kind, anthropic_spec, faultserver.url)
    assert got == ["message_start", "content_block_start"]      # the ping is skipped, the events before kept
    assert (err.status_code, err.type, err.message) == (200, "overloaded_error", "Overloaded")
    assert err.body == OVERLOADED and err.request_id == "req_mid"
    assert "Overloaded" in str(err)
    assert not isinstance(err, (APIError, OverloadedError))
    assert len(faultserver.requests) == 1                        # a stream half read is not sent again


def test_the_sdk_raises_its_base_status_error_for_the_same_event(anthropic_spec, faultserver):
    anthropic = pytest.importorskip("anthropic")
    faultserver.always(events(*OVERLOADED_MID_STREAM))
    sdk = anthropic.Anthropic(api_key="sk-ant-test", base_url=faultserver.url, max_retries=0)
    theirs = []
    with pytest.raises(anthropic.APIStatusError) as info:
        for event in sdk.messages.create(**CLAUDE, stream=True):
            theirs.append(event.type)
    assert not isinstance(info.value, (anthropic.OverloadedError, anthropic.InternalServerError))
    assert info.value.status_code == 200 and info.value.body == OVERLOADED
    ours, err = _stream_until_error("sync", anthropic_spec, faultserver.url)
    assert ours == theirs and err.body == info.value.body
