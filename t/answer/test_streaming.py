"""Server-sent events: the WHATWG parsing rules on their own, then streams
from a real server that sends events slowly, in odd chunks, with errors, or
cut off; the connection is closed when the caller stops early, and nothing is
re-sent once an event has been delivered."""
import threading

import pytest

from openapi_dyn import APITimeoutError, Client, StreamError
from openapi_dyn._answer.sse import IncompleteEvent, ServerSentEvent, parse_events
from openapi_dyn._answer.streams import Stream

from conftest import DATA
from faultserver import events, reply, reset, status

MEDIA = DATA / "media.yaml"
PROFILE = str(DATA / "media-profile.yaml")  # OpenAI-like conventions for it


def parse(*chunks):
    return [(e.event, e.data, e.id, e.retry) for e in parse_events(list(chunks))]


# ------------------------------------------------------- parsing rules
def test_line_endings_and_chunk_boundaries():
    # CRLF, LF and CR, with a CRLF split across two chunks
    assert parse(b"data: a\r\n\r\ndata: b\r", b"\n\r\ndata: c\r\r") == [
        ("message", "a", None, None), ("message", "b", None, None), ("message", "c", None, None)]
    # a multi-byte character split across chunks
    assert parse(b"data: caf\xc3", b"\xa9\n\n") == [("message", "café", None, None)]


def test_multi_line_data_comments_and_fields():
    stream = (b": keep-alive\n"
              b"event: thread.run.created\nid: 7\nretry: 2500\ndata: {\"a\":\ndata: 1}\n\n"
              b"data:no space\ndata:  two spaces\n\n"
              b"unknown: x\ndata\n\n")
    assert parse(stream) == [
        ("thread.run.created", '{"a":\n1}', "7", 2500),
        ("message", "no space\n two spaces", "7", None),  # the id stays in effect
        ("message", "", "7", None),                        # "data" alone is an empty line of data
    ]


def test_what_does_not_dispatch():
    # no data: nothing dispatched, and the event type does not leak into the next event
    assert parse(b"event: ping\n\n", b"id: 1\n\n", b"data: x\n\n") == [("message", "x", "1", None)]
    # a BOM is dropped once; an id containing NUL and a retry that is not digits are ignored
    assert parse(b"\xef\xbb\xbfid: a\x00b\nretry: 1s\ndata: y\n\n") == [("message", "y", None, None)]


def test_an_event_cut_off_at_the_end_is_reported():
    with pytest.raises(IncompleteEvent) as info:
        parse(b"data: whole\n\n", b"data: hal")
    assert info.value.partial == "data: hal"
    with pytest.raises(IncompleteEvent):
        parse(b"data: no blank line after me\n")
    assert parse(b"data: x\n\n: trailing comment\n") == [("message", "x", None, None)]


def test_event_objects():
    e = ServerSentEvent('{"a": 1}', "update", "9")
    assert e.json() == {"a": 1} and e.decoded() == {"a": 1}
    assert ServerSentEvent("plain").decoded() == "plain"
    assert "update" in repr(e)


# ------------------------------------------------------ against a server
def drain(stream, error):
    """Read ``stream`` until it raises ``error``: (data read, the exception)."""
    got = []
    with pytest.raises(error) as info:
        for data in stream:
            got.append(data)
    return got, info.value


@pytest.fixture
def client(faultserver):
    c = Client(str(MEDIA), profile=PROFILE, base_url=faultserver.url + "/v1", max_retries=2)
    c.transport.backoff_factor = 0.001
    c.transport.backoff_jitter = 0
    return c


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "close-delimited"])
def test_events_arrive_one_by_one(client, faultserver, chunked):
    gate = threading.Event()
    faultserver.plan(events(b'data: {"n": 1}\n\n', gate, b'data: {"n": 2}\n\n', b"data: [DONE]\n\n",
                            b"data: after done\n\n", chunked=chunked))
    got = []
    stream = client.call("chat", body={"prompt": "hi", "stream": True})
    assert isinstance(stream, Stream)
    for data in stream:
        got.append(data)
        # The server holds the second event until the first has reached us:
        # this loop would never see event 1 if the body were read whole.
        gate.set()
    assert got == [{"n": 1}, {"n": 2}]
    assert faultserver.requests[0].gates_missed == 0
    assert stream.closed


def test_a_body_with_stream_true_streams_even_where_the_spec_lists_only_json(client, faultserver):
    faultserver.plan(events(b"event: thread.run.created\ndata: {\"id\": \"run_1\"}\n\n",
                            b"event: thread.run.completed\nid: 2\ndata: {\"id\": \"run_1\"}\n\n",
                            b"event: done\ndata: [DONE]\n\n"))
    response = client.request("createRun", body={"assistant_id": "a", "stream": True})
    assert response.is_stream
    with response.data as stream:
        names = [(e.event, e.json()["id"]) for e in stream.events()]
    assert names == [("thread.run.created", "run_1"), ("thread.run.completed", "run_1")]
    assert stream.last_event_id == "2"


def test_without_stream_the_same_operation_answers_json(client, faultserver):
    faultserver.plan(reply(json={"id": "c1", "text": "hello"}))
    assert client.call("chat", body={"prompt": "hi"}) == {"id": "c1", "text": "hello"}


def test_an_operation_that_only_streams(client, faultserver):
    faultserver.plan(events(b"data: one\n\n", b"data: two\n\n", chunked=False))
    assert list(client.call("watchEvents")) == ["one", "two"]  # ends at the end of the body


def test_leaving_the_loop_early_closes_the_connection(client, faultserver):
    gate = threading.Event()
    many = [b"data: %d\n\n" % i for i in range(2, 2000)]
    faultserver.plan(events(b"data: 1\n\n", gate, *many))
    for data in client.call("watchEvents"):
        assert data == 1
        break
    gate.set()
    (rec,) = faultserver.requests
    assert rec.done.wait(5)
    assert rec.client_gone  # the server's writes failed: nobody was reading any more


def test_the_context_manager_closes_an_unread_stream(client, faultserver):
    gate = threading.Event()
    faultserver.plan(events(b"data: 1\n\n", gate, *[b"data: x\n\n"] * 2000))
    with client.call("watchEvents") as stream:
        assert not stream.closed
    assert stream.closed
    gate.set()
    rec = faultserver.requests[0]
    assert rec.done.wait(5) and rec.client_gone
    with pytest.raises(RuntimeError, match="closed"):
        list(stream.events())
    # and a stream is read once only
    faultserver.plan(events(b"data: 1\n\n"))
    stream = client.call("watchEvents")
    list(stream)
    with pytest.raises(RuntimeError):
        list(stream)


def test_an_error_event_raises(client, faultserver):
    faultserver.plan(events(b"data: 1\n\n",
                            b'event: error\ndata: {"error": {"message": "overloaded", "type": "server_error"}}\n\n',
                            b"data: 2\n\n"))
    got, error = drain(client.call("watchEvents"), StreamError)
    assert got == [1]
    assert "overloaded" in str(error)
    assert error.body == {"error": {"message": "overloaded", "type": "server_error"}}
    assert error.status_code == 200


def test_an_error_payload_raises(client, faultserver):
    faultserver.plan(events(b'data: {"error": {"message": "bad things", "code": "x"}}\n\n'))
    with pytest.raises(StreamError, match="bad things"):
        list(client.call("chat", body={"prompt": "p", "stream": True}))
    # objects that merely have an empty "error" field are ordinary events
    faultserver.plan(events(b'data: {"id": "r", "error": null}\n\n'))
    assert list(client.call("chat", body={"prompt": "p", "stream": True})) == [{"id": "r", "error": None}]


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "close-delimited"])
def test_a_stream_cut_mid_event_raises_and_is_not_retried(client, faultserver, chunked):
    faultserver.plan(events(b"data: 1\n\n", b"data: {\"half\":", chunked=chunked, cut=True))
    faultserver.always(events(b"data: should never be fetched\n\n"))
    got, error = drain(client.call("watchEvents"), StreamError)
    assert got == [1]
    assert "broke off" in str(error)
    assert len(faultserver.requests) == 1  # max_retries=2, yet one request


def test_failures_before_the_stream_starts_are_retried(client, faultserver):
    faultserver.plan(status(503), reset(), events(b"data: ok\n\n"))
    assert list(client.call("chat", body={"prompt": "p", "stream": True})) == ["ok"]
    assert len(faultserver.requests) == 3
    assert all(r.json()["stream"] is True for r in faultserver.requests)


def test_an_error_status_on_a_streaming_call_is_an_api_error(client, faultserver):
    faultserver.plan(reply(400, json={"error": {"message": "stream not allowed"}}))
    from openapi_dyn import BadRequestError
    with pytest.raises(BadRequestError, match="stream not allowed"):
        client.call("chat", body={"prompt": "p", "stream": True})


def test_a_stalled_stream_times_out(client, faultserver):
    faultserver.plan(events(b"data: 1\n\n", 5.0, b"data: 2\n\n"))
    got, error = drain(client.call("watchEvents", timeout=(2, 0.3)), APITimeoutError)
    assert got == [1] and "stalled" in str(error)
    assert len(faultserver.requests) == 1


def test_an_event_stream_read_whole_is_a_list():
    # request() with a session that already read the body: decode_body parses it
    import requests

    from openapi_dyn._answer.response import decode_body

    raw = requests.Response()
    raw.headers["Content-Type"] = "text/event-stream"
    raw._content = b"data: 1\n\ndata: two\n\ndata: [DONE]\n\n"
    assert decode_body(raw) == [1, "two"]
