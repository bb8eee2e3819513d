"""AsyncClient against the fault server: the twin of every fault-server test
of the synchronous client (retries, Retry-After, timeouts, event streams,
cut streams, pagination, re-sent uploads, downloads), plus what only an
asynchronous client has: cancelled tasks and the method-style coroutines."""
import inspect
import io
import logging
import socket
import threading

import anyio
import pytest

import openapi_dyn

from openapi_dyn import (APIConnectionError, APITimeoutError, AsyncClient, BadRequestError, Client, ConflictError,
                         DownloadError, InternalServerError, NotFoundError, RateLimitError, StreamError, UsageError)
from openapi_dyn._answer.streams import AsyncStream

from conftest import DATA
from faultserver import events, reply, reset, send_body, stall, status

MEDIA = DATA / "media.yaml"
PROFILE = str(DATA / "media-profile.yaml")
ITEM = {"id": "i1", "size": 1}
AUDIO = bytes(range(256)) * 4096  # 1 MiB

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


def fast(client):
    t = client.transport
    t.backoff_factor, t.backoff_jitter, t.retry_after_max = 0.001, 0, 0.05
    return client


@pytest.fixture
async def client(faultserver, anyio_backend):
    c = fast(AsyncClient(str(MEDIA), profile=PROFILE, base_url=faultserver.url + "/v1"))
    yield c
    await c.aclose()


@pytest.fixture
def waits(caplog):
    caplog.set_level(logging.INFO, logger="openapi_dyn")

    def get():
        return [(r.retry_wait, r.retry_source) for r in caplog.records if hasattr(r, "retry_wait")]
    return get


async def drain(stream, error):
    got = []
    with pytest.raises(error) as info:
        async for data in stream:
            got.append(data)
    return got, info.value


# ------------------------------------------------------------- surface
async def test_same_surface_as_the_sync_client(client, faultserver):
    sync = Client(str(MEDIA), profile=PROFILE)
    assert inspect.iscoroutinefunction(client.getItem)
    assert inspect.signature(client.getItem) == inspect.signature(sync.getItem)
    assert client.getItem.__doc__ == sync.getItem.__doc__
    assert client.getItem.__qualname__ == "AsyncClient.getItem"
    params = inspect.signature(AsyncClient).parameters
    # one constructor for both: session= is Client's, http_client= AsyncClient's (each refuses the other's)
    assert params == inspect.signature(Client).parameters and {"session", "http_client"} <= set(params)
    prepared = client.prepare("getItem", id="i1")           # no I/O, not awaited
    assert prepared.url == faultserver.url + "/v1/items/i1"
    faultserver.plan(reply(json=ITEM), reply(json=ITEM))
    assert await client.getItem(id="i1") == ITEM
    response = await client.send(prepared)
    assert response.status_code == 200 and response.data == ITEM
    assert "AsyncClient" in repr(client)


# ------------------------------------------------------------- retries
async def test_resets_and_server_errors_are_retried(client, faultserver):
    faultserver.plan(reset(), status(500), reply(json=ITEM))
    assert await client.call("getItem", id="i1") == ITEM
    assert len(faultserver.requests) == 3


@pytest.mark.parametrize("code", [408, 409, 429, 500, 503, 599])
async def test_retryable_statuses(client, faultserver, code):
    faultserver.plan(status(code), reply(json=ITEM))
    assert await client.call("getItem", id="i1") == ITEM
    assert len(faultserver.requests) == 2


@pytest.mark.parametrize("code", [400, 401, 404, 422])
async def test_other_statuses_are_not_retried(client, faultserver, code):
    faultserver.plan(status(code), reply(json=ITEM))
    with pytest.raises(Exception) as info:
        await client.call("getItem", id="i1")
    assert info.value.status_code == code
    assert len(faultserver.requests) == 1


async def test_post_is_retried_with_the_same_body(client, faultserver):
    faultserver.plan(status(503), reset(), reply(json={"id": "c", "text": "t"}))
    await client.call("chat", body={"prompt": "same every time"})
    assert [r.json() for r in faultserver.requests] == [{"prompt": "same every time"}] * 3


async def test_when_retries_run_out_the_last_answer_is_the_error(client, faultserver):
    faultserver.always(status(503, message="still down"))
    with pytest.raises(InternalServerError, match="still down"):
        await client.call("getItem", id="i1")
    assert len(faultserver.requests) == 3


async def test_max_retries_per_client_and_per_call(faultserver):
    faultserver.always(status(429))
    async with AsyncClient(str(MEDIA), profile=PROFILE, base_url=faultserver.url + "/v1", max_retries=4) as client:
        fast(client)
        with pytest.raises(RateLimitError):
            await client.call("getItem", id="i1")
        assert len(faultserver.requests) == 5
        with pytest.raises(RateLimitError):
            await client.call("getItem", id="i1", max_retries=1)
        assert len(faultserver.requests) == 5 + 2


async def test_connection_errors_exhaust_into_api_connection_error(waits, anyio_backend):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    async with AsyncClient(str(MEDIA), profile=PROFILE, base_url=f"http://127.0.0.1:{port}/v1") as client:
        fast(client)
        with pytest.raises(APIConnectionError) as info:
            await client.call("getItem", id="i1")
    assert not isinstance(info.value, APITimeoutError)
    assert "after 3 attempts" in str(info.value)
    assert len(waits()) == 2 and all(source == "backoff" for _, source in waits())


async def test_retry_after_seconds_ms_cap_and_unreadable(client, faultserver, waits):
    client.transport.retry_after_max = 60
    faultserver.plan(status(429, retry_after_ms="25"), status(503, retry_after="0"), reply(json=ITEM))
    await client.call("getItem", id="i1")
    (w1, s1), (_, s2) = waits()
    assert (w1, s1) == (0.025, "Retry-After") and s2 == "backoff"
    client.transport.retry_after_max = 0.05
    faultserver.plan(status(429, retry_after="3600"), status(503, retry_after="soon-ish"), reply(json=ITEM))
    await client.call("getItem", id="i1")
    assert waits()[2:] == [(0.05, "Retry-After"), (0.001 * 2, "backoff")]


async def test_x_should_retry_is_obeyed(openai_client, faultserver, anyio_backend):
    async with AsyncClient(openai_client.spec, base_url=faultserver.url + "/v1", api_key="sk-t") as client:
        fast(client)
        faultserver.plan(reply(500, json={"error": {"message": "down"}}, headers={"x-should-retry": "false"}))
        with pytest.raises(InternalServerError):
            await client.call("listModels")
        assert len(faultserver.requests) == 1
        faultserver.plan(reply(400, json={"error": {"message": "again"}}, headers={"x-should-retry": "true"}),
                         reply(json={"object": "list", "data": []}))
        assert await client.call("listModels") == {"object": "list", "data": []}
        assert len(faultserver.requests) == 3


async def test_a_stalled_answer_times_out_per_call(client, faultserver):
    faultserver.plan(stall(), stall())
    with pytest.raises(APITimeoutError) as info:
        await client.call("getItem", id="i1", timeout=(2, 0.2), max_retries=1)
    assert "read timeout 0.2 s" in str(info.value) and "after 2 attempts" in str(info.value)
    assert len(faultserver.requests) == 2


async def test_client_timeout_and_a_retry_that_succeeds(faultserver):
    async with AsyncClient(str(MEDIA), profile=PROFILE, base_url=faultserver.url + "/v1", timeout=0.2,
                           max_retries=1) as client:
        fast(client)
        faultserver.plan(stall(), reply(json=ITEM))
        assert await client.call("getItem", id="i1") == ITEM
        faultserver.plan(stall())
        with pytest.raises(APITimeoutError, match="read timeout 0.2 s"):
            await client.call("getItem", id="i1", max_retries=0)


class OneShot:
    def __init__(self, data):
        self.data = data

    def read(self, n=-1):
        out, self.data = self.data, b""
        return out


async def test_a_one_shot_raw_body_is_not_retried(client, faultserver):
    faultserver.plan(reset(), reply(json={}))
    with pytest.raises(APIConnectionError) as info:
        await client.call("putBlob", name="x", body=OneShot(b"pipe data"))
    assert "one-shot stream" in str(info.value)
    assert len(faultserver.requests) == 1


async def test_conflict_is_retried_then_reported(client, faultserver):
    faultserver.always(status(409, message="locked"))
    with pytest.raises(ConflictError, match="locked"):
        await client.call("getItem", id="i1", max_retries=1)
    assert len(faultserver.requests) == 2


async def test_attempts_are_visible_on_the_response(client, faultserver):
    faultserver.plan(status(500), status(500), reply(json=ITEM))
    assert (await client.request("getItem", id="i1")).attempts == 3


# ----------------------------------------------------------- uploads
async def test_a_path_is_reopened_and_a_file_rewound_when_retried(client, faultserver, tmp_path):
    blob = tmp_path / "blob.bin"
    blob.write_bytes(b"0123456789" * 300)
    faultserver.plan(status(503), reset(), reply(json={"id": "f", "bytes": 3000}))
    await client.call("uploadFile", body={"file": blob, "purpose": "assistants"})
    bodies = [r.body for r in faultserver.requests]
    assert len(bodies) == 3 and bodies[0] == bodies[1] == bodies[2]
    assert b"0123456789" * 300 in bodies[2]
    faultserver.requests.clear()
    faultserver.plan(status(500), reply(json={}))
    with open(blob, "rb") as fh:
        fh.read(5)
        await client.call("putBlob", name="a", body=fh)
    assert [r.body for r in faultserver.requests] == [b"0123456789" * 300][:1] * 0 + [blob.read_bytes()[5:]] * 2
    assert faultserver.requests[0].headers["Content-Length"] == str(3000 - 5)


# ----------------------------------------------------------- streams
async def test_events_arrive_one_by_one(client, faultserver):
    gate = threading.Event()
    faultserver.plan(events(b'data: {"n": 1}\n\n', gate, b'data: {"n": 2}\n\n', b"data: [DONE]\n\n",
                            b"data: after done\n\n"))
    got = []
    stream = await client.call("chat", body={"prompt": "hi", "stream": True})
    assert isinstance(stream, AsyncStream)
    async for data in stream:
        got.append(data)
        gate.set()
    assert got == [{"n": 1}, {"n": 2}]
    assert faultserver.requests[0].gates_missed == 0 and stream.closed


async def test_named_events_and_the_context_manager(client, faultserver):
    faultserver.plan(events(b"event: thread.run.created\ndata: {\"id\": \"run_1\"}\n\n",
                            b"event: thread.run.completed\nid: 2\ndata: {\"id\": \"run_1\"}\n\n",
                            b"event: done\ndata: [DONE]\n\n"))
    response = await client.request("createRun", body={"assistant_id": "a", "stream": True})
    assert response.is_stream
    async with response.data as stream:
        names = [(e.event, e.json()["id"]) async for e in stream.events()]
    assert names == [("thread.run.created", "run_1"), ("thread.run.completed", "run_1")]
    assert stream.last_event_id == "2"


async def test_leaving_the_loop_early_closes_the_connection(client, faultserver):
    gate = threading.Event()
    faultserver.plan(events(b"data: 1\n\n", gate, *[b"data: %d\n\n" % i for i in range(2, 2000)]))
    stream = await client.call("watchEvents")
    async for data in stream:
        assert data == 1
        break
    await stream.aclose()
    # a transport closes its socket on the event loop's next turns (asyncio's
    # close() schedules it): let them run before the server writes again, or a
    # busy machine lets the server's writes land in buffers before the close
    for _ in range(5):
        await anyio.sleep(0)
    gate.set()
    (rec,) = faultserver.requests
    # wait in a thread: the event loop must run to finish closing the socket
    assert await anyio.to_thread.run_sync(rec.done.wait, 5) and rec.client_gone


async def test_an_error_event_raises(client, faultserver):
    faultserver.plan(events(b"data: 1\n\n", b'event: error\ndata: {"error": {"message": "overloaded"}}\n\n'))
    got, error = await drain(await client.call("watchEvents"), StreamError)
    assert got == [1] and "overloaded" in str(error)


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "close-delimited"])
async def test_a_stream_cut_mid_event_raises_and_is_not_retried(client, faultserver, chunked):
    faultserver.plan(events(b"data: 1\n\n", b"data: {\"half\":", chunked=chunked, cut=True))
    faultserver.always(events(b"data: should never be fetched\n\n"))
    got, error = await drain(await client.call("watchEvents"), StreamError)
    assert got == [1] and "broke off" in str(error)
    assert len(faultserver.requests) == 1


async def test_failures_before_the_stream_starts_are_retried(client, faultserver):
    faultserver.plan(status(503), reset(), events(b"data: ok\n\n"))
    assert [x async for x in await client.call("chat", body={"prompt": "p", "stream": True})] == ["ok"]
    assert len(faultserver.requests) == 3


async def test_an_error_status_on_a_streaming_call_is_an_api_error(client, faultserver):
    faultserver.plan(reply(400, json={"error": {"message": "stream not allowed"}}))
    with pytest.raises(BadRequestError, match="stream not allowed"):
        await client.call("chat", body={"prompt": "p", "stream": True})


async def test_a_stalled_stream_times_out(client, faultserver):
    faultserver.plan(events(b"data: 1\n\n", 5.0, b"data: 2\n\n"))
    got, error = await drain(await client.call("watchEvents", timeout=(2, 0.3)), APITimeoutError)
    assert got == [1] and "stalled" in str(error)


async def test_a_cancelled_task_closes_its_stream(client, faultserver):
    gate = threading.Event()
    faultserver.plan(events(b"data: 1\n\n", gate, *[b"data: x\n\n"] * 2000))
    seen = []
    holder = {}

    async def read():
        stream = holder["stream"] = await client.call("watchEvents")
        async for data in stream:
            seen.append(data)
            await anyio.sleep(10)  # cancelled here

    async with anyio.create_task_group() as tg:
        tg.start_soon(read)
        for _ in range(500):  # bounded wait for the first event
            if seen:
                break
            await anyio.sleep(0.01)
        tg.cancel_scope.cancel()
    # the loop's generator is finalized by the event loop right after the
    # task ends (bounded wait); ``async with stream`` closes it at once
    for _ in range(200):
        if holder["stream"].closed:
            break
        await anyio.sleep(0.01)
    assert seen == [1] and holder["stream"].closed
    gate.set()
    rec = faultserver.requests[0]
    assert await anyio.to_thread.run_sync(rec.done.wait, 5) and rec.client_gone


# --------------------------------------------------------- downloads
async def test_binary_answers_and_save_to(client, faultserver, tmp_path):
    faultserver.plan(send_body(AUDIO, "audio/mpeg"), send_body(AUDIO, "audio/mpeg", pieces=16),
                     send_body(AUDIO, "audio/mpeg"))
    assert await client.call("getBlob", name="speech") == AUDIO
    target = tmp_path / "speech.mp3"
    response = await client.request("getBlob", name="speech", save_to=str(target))
    assert response.data == target and response.saved_bytes == len(AUDIO)
    assert target.read_bytes() == AUDIO and [p.name for p in tmp_path.iterdir()] == ["speech.mp3"]
    sink = io.BytesIO()
    assert await client.call("getBlob", name="speech", save_to=sink) is sink
    assert sink.getvalue() == AUDIO


async def test_a_broken_download_raises_and_leaves_no_file(client, faultserver, tmp_path):
    target = tmp_path / "speech.mp3"
    target.write_bytes(b"old")
    faultserver.plan(send_body(AUDIO, "audio/mpeg", cut_after=300_000))
    with pytest.raises(APIConnectionError):
        await client.call("getBlob", name="speech", save_to=target, max_retries=0)
    assert [p.name for p in tmp_path.iterdir()] == ["speech.mp3"] and target.read_bytes() == b"old"


async def test_an_error_answer_is_not_saved_and_save_to_is_checked(client, faultserver, tmp_path):
    faultserver.plan(reply(404, json={"error": {"message": "no such blob"}}), send_body(b"abc"), send_body(b"abc"))
    with pytest.raises(NotFoundError, match="no such blob"):
        await client.call("getBlob", name="x", save_to=tmp_path / "x.bin")
    with pytest.raises(UsageError, match="save_to"):
        await client.call("getBlob", name="x", save_to=42)
    with pytest.raises(DownloadError, match="cannot create"):
        await client.call("getBlob", name="x", save_to=tmp_path / "missing" / "x.bin")
    assert list(tmp_path.iterdir()) == []


async def test_a_cancelled_download_leaves_no_partial_file(client, faultserver, tmp_path):
    gate = threading.Event()
    faultserver.plan(events(b"x" * 70_000, gate, b"y" * 1000, chunked=True, headers={}))
    target = tmp_path / "big.bin"
    with anyio.move_on_after(0.5):
        await client.call("getBlob", name="x", save_to=target)
    gate.set()
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------- pagination
PAGES = {
    None: {"object": "list", "data": [{"id": "a"}, {"id": "b"}], "last_id": "b", "has_more": True},
    "b": {"object": "list", "data": [{"id": "c"}, {"id": "d"}], "last_id": "d", "has_more": True},
    "d": {"object": "list", "data": [{"id": "e"}], "last_id": "e", "has_more": False},
}


async def test_every_item_across_pages_lazily(client, faultserver):
    faultserver.always(lambda rec: reply(json=PAGES[rec.args.get("after")]))
    pager = client.paginate("listItems", limit=2)
    assert faultserver.requests == []
    got = []
    async for item in pager:
        got.append(item["id"])
        if item["id"] == "b":
            assert len(faultserver.requests) == 1  # one page at a time
    assert got == list("abcde")
    assert [r.args.get("after") for r in faultserver.requests] == [None, "b", "d"]
    pages = [p async for p in client.paginate("listItems", after="b").pages()]
    assert [p["last_id"] for p in pages] == ["d", "e"]
    with pytest.raises(TypeError, match="async for"):
        list(client.paginate("listItems"))


# --------------------------------------------------- response validation
async def test_responses_are_validated_when_asked(faultserver, anyio_backend):
    from openapi_dyn import ResponseValidationError

    async with AsyncClient(str(MEDIA), base_url=faultserver.url + "/v1", max_retries=0,
                           validate_responses="strict") as client:
        faultserver.plan(reply(json={"object": "list", "data": [{"id": "a", "size": 1}], "has_more": False}),
                         reply(json={"object": "list", "data": [{"id": "a"}, {"size": -1}], "has_more": "no"}),
                         reply(json={"id": 5}),
                         reply(json={"object": "list", "data": [{"size": 1}], "has_more": False}))
        assert (await client.call("listItems"))["data"] == [{"id": "a", "size": 1}]
        with pytest.raises(ResponseValidationError) as info:
            await client.call("listItems")
        assert {p.location for p in info.value.errors} == {
            "response.body.data[1].id", "response.body.data[1].size", "response.body.has_more"}
        assert await client.call("getItem", id="x", validate_responses=False) == {"id": 5}
        # the default reading accepts a missing field as drift, as the sync client does
        with pytest.warns(openapi_dyn.ResponseDriftWarning):
            response = await client.request("listItems", validate_responses=True)
        assert [p.location for p in response.drift] == ["response.body.data[0].id"]


# -------------------------------------------------------- request bodies
async def test_multipart_form_and_raw_bodies(client, faultserver, tmp_path):
    audio = tmp_path / "speech.mp3"
    audio.write_bytes(b"ID3" + bytes(range(256)) * 40)
    faultserver.plan(*[reply(json={"id": "f", "bytes": 1}) for _ in range(4)])
    await client.call("uploadFile", body={"file": audio, "purpose": "assistants", "tags": ["a", "b"]})
    await client.call("submitForm", body={"To": "+1 555", "Attempts": 3})
    await client.call("putBlob", name="a", body=b"\x00raw")
    await client.call("putBlob", name="d", body="plain words", content_type="text/plain")
    upload, form, raw, text = faultserver.requests
    parts = {p["name"]: p for p in upload.multipart()}
    assert parts["file"]["data"] == audio.read_bytes() and parts["file"]["filename"] == "speech.mp3"
    assert upload.headers["Content-Length"] == str(len(upload.body))
    from urllib.parse import parse_qsl
    assert parse_qsl(form.body.decode()) == [("To", "+1 555"), ("Attempts", "3")]
    assert raw.body == b"\x00raw" and text.body == b"plain words"
