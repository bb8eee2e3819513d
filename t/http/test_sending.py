"""The HTTP layer of both clients against real local servers: redirects
(same origin and across origins, with the credentials checked at the other
end), a caller's session and http client, compression, identity headers,
failure paths that give the connection back, options changed after the
first call, and one client shared by threads and by tasks."""
import gzip
import threading
import zlib

import anyio
import httpx
import pytest
import requests

from openapi_dyn import (APIConnectionError, AsyncClient, Client, DownloadError, RedirectError, __version__)
from openapi_dyn._http.wire import USER_AGENT

from conftest import DATA
from faultserver import FaultServer, events, reply, send_body, stall

MEDIA = DATA / "media.yaml"
PROFILE = str(DATA / "media-profile.yaml")
ITEM = {"id": "i1", "size": 1}
KEY = "sk-very-secret-0001"

#: A small API whose operations need a bearer token, an apiKey header and
#: an apiKey query parameter all at once.
SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "keys", "version": "1"},
    "components": {"securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer"},
        "header": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
        "query": {"type": "apiKey", "in": "query", "name": "api_key"},
    }},
    "security": [{"bearer": [], "header": [], "query": []}],
    "paths": {
        "/files/{id}/content": {"get": {
            "operationId": "downloadFile",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "the bytes", "content": {"application/octet-stream": {}}}}}},
        "/things": {
            "post": {"operationId": "createThing",
                     "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                     "responses": {"200": {"description": "ok", "content": {"application/json": {}}}}},
            "put": {"operationId": "putThing",
                    "requestBody": {"content": {"application/octet-stream": {}}},
                    "responses": {"200": {"description": "ok", "content": {"application/json": {}}}}},
            "get": {"operationId": "listThings",
                    "responses": {"200": {"description": "ok", "content": {"application/json": {}}},
                                  "default": {"description": "error",
                                              "content": {"application/problem+json": {}}}}}},
    },
}


def keyed(url, **kw):
    return Client(SPEC, base_url=url, api_key=KEY, profile=False, cache=False, max_retries=0, **kw)


def async_keyed(url, **kw):
    return AsyncClient(SPEC, base_url=url, api_key=KEY, profile=False, cache=False, max_retries=0, **kw)


@pytest.fixture
def other():
    """A second server: another origin (another port)."""
    server = FaultServer()
    yield server
    server.stop()


@pytest.fixture
def anyio_backend():
    return "asyncio"


def carries_no_key(rec):
    text = " ".join(f"{k}: {v}" for k, v in rec.headers.items()) + " " + repr(rec.query)
    return KEY not in text and "Authorization" not in rec.headers and "Cookie" not in rec.headers


def redirect(code, location):
    return reply(code, headers={"Location": location})


# ------------------------------------------------------------ redirects
def test_a_same_origin_redirect_keeps_the_credentials(faultserver):
    client = keyed(faultserver.url)
    faultserver.plan(redirect(301, "/things?page=2"), reply(json={"moved": True}))
    response = client.request("listThings")
    assert response.data == {"moved": True}
    first, second = faultserver.requests
    assert second.path == "/things" and second.args == {"page": "2"}
    assert second.headers["Authorization"] == f"Bearer {KEY}" and second.headers["X-Api-Key"] == KEY
    assert response.url == faultserver.url + "/things?page=2"
    assert [(h.status_code, h.location) for h in response.history] == [(301, "/things?page=2")]


def test_a_download_redirected_to_another_origin_drops_every_credential(faultserver, other, tmp_path):
    client = keyed(faultserver.url, headers={"Cookie": "session=abc"})
    faultserver.plan(redirect(302, other.url + "/storage/blob?sig=signed"))
    other.plan(send_body(b"file bytes"))
    target = tmp_path / "f.bin"
    response = client.request("downloadFile", id="f1", save_to=target)
    assert target.read_bytes() == b"file bytes" and response.url.startswith(other.url)
    (first,) = faultserver.requests
    assert first.headers["Authorization"] == f"Bearer {KEY}" and first.args["api_key"] == KEY
    (hop,) = other.requests
    assert hop.args == {"sig": "signed"} and carries_no_key(hop)


def test_a_location_echoing_the_key_loses_it_across_origins(faultserver, other):
    client = keyed(faultserver.url)
    faultserver.plan(redirect(307, f"{other.url}/things?api_key={KEY}&keep=1"))
    other.plan(reply(json={}))
    client.call("listThings")
    (hop,) = other.requests
    assert hop.args == {"keep": "1"} and carries_no_key(hop)


def test_303_becomes_get_and_307_308_keep_method_and_body(faultserver):
    client = keyed(faultserver.url)
    faultserver.plan(redirect(303, "/things"), reply(json={"n": 1}))
    client.call("createThing", body={"a": 1})
    post, get = faultserver.requests
    assert (post.method, get.method, get.body) == ("POST", "GET", b"")
    assert "Content-Type" not in get.headers
    for code in (307, 308):
        faultserver.requests.clear()
        faultserver.plan(redirect(code, "/things"), reply(json={"n": 2}))
        client.call("createThing", body={"a": 2})
        assert [(r.method, r.json()) for r in faultserver.requests] == [("POST", {"a": 2})] * 2


def test_a_307_with_a_file_body_rewinds_and_a_one_shot_body_is_refused(faultserver, tmp_path):
    client = keyed(faultserver.url)
    blob = tmp_path / "b.bin"
    blob.write_bytes(b"abc" * 1000)
    faultserver.plan(redirect(307, "/things"), reply(json={}))
    with open(blob, "rb") as fh:
        client.call("putThing", body=fh)
    assert [r.body for r in faultserver.requests] == [b"abc" * 1000] * 2

    class Pipe:  # readable once, not seekable
        def read(self, n=-1):
            return b""

    faultserver.plan(redirect(307, "/things"))
    with pytest.raises(RedirectError, match="one-shot"):
        client.call("putThing", body=Pipe())


def test_redirect_loops_end_in_an_error(faultserver):
    client = keyed(faultserver.url)
    faultserver.always(redirect(302, "/things"))
    with pytest.raises(RedirectError, match="more than 20 redirects"):
        client.call("listThings")
    assert len(faultserver.requests) == 21


@pytest.mark.anyio
async def test_async_redirects_same_and_cross_origin(faultserver, other, tmp_path):
    async with async_keyed(faultserver.url) as client:
        faultserver.plan(redirect(308, "/things"), reply(json={"ok": 1}))
        response = await client.request("listThings")
        assert response.data == {"ok": 1} and len(response.history) == 1
        assert faultserver.requests[1].headers["Authorization"] == f"Bearer {KEY}"
        faultserver.plan(redirect(302, other.url + "/blob"))
        other.plan(send_body(b"remote"))
        target = tmp_path / "r.bin"
        await client.call("downloadFile", id="x", save_to=target)
        assert target.read_bytes() == b"remote" and carries_no_key(other.requests[0])
        faultserver.plan(redirect(303, "/things"), reply(json={}))
        await client.call("createThing", body={"a": 1})
        assert faultserver.requests[-1].method == "GET" and faultserver.requests[-1].body == b""
        faultserver.always(redirect(302, "/things"))
        with pytest.raises(RedirectError):
            await client.call("listThings")


# ------------------------------------------------------ caller's session
def test_a_callers_session_is_used_as_it_is_and_not_closed(faultserver, other):
    session = requests.Session()
    session.headers["X-Team"] = "blue"
    session.cookies.set("sid", "c1", domain="127.0.0.1")
    session.auth = ("user", "pass")
    stock = session.adapters["http://"]
    client = Client(str(MEDIA), profile=PROFILE, base_url=faultserver.url + "/v1", session=session)
    faultserver.plan(reply(json=ITEM))
    assert client.call("getItem", id="i1") == ITEM
    rec = faultserver.requests[0]
    assert rec.headers["X-Team"] == "blue" and "sid=c1" in rec.headers["Cookie"]
    assert rec.headers["Authorization"].startswith("Basic ")
    assert rec.headers["User-Agent"] == USER_AGENT        # requests' stock agent is replaced
    assert session.adapters["http://"] is stock
    client.close()
    faultserver.plan(reply(json=ITEM))
    assert session.get(faultserver.url + "/v1/items/i1").json() == ITEM  # still usable
    session.headers["User-Agent"] = "mine/1"
    faultserver.plan(reply(json=ITEM))
    client.call("getItem", id="i1")
    assert faultserver.requests[-1].headers["User-Agent"] == "mine/1"


def test_a_callers_session_auth_does_not_follow_a_cross_origin_redirect(faultserver, other):
    session = requests.Session()
    session.auth = ("user", "pass")
    client = Client(str(MEDIA), profile=PROFILE, base_url=faultserver.url + "/v1", session=session)
    faultserver.plan(redirect(302, other.url + "/elsewhere"))
    other.plan(reply(json=ITEM))
    assert client.call("getItem", id="i1") == ITEM
    assert "Authorization" not in other.requests[0].headers


@pytest.mark.anyio
async def test_a_callers_http_client_is_used_as_it_is_and_not_closed(faultserver):
    async with httpx.AsyncClient(headers={"X-Team": "green"}, cookies={"sid": "c2"}, auth=("u", "p")) as http:
        client = AsyncClient(str(MEDIA), profile=PROFILE, base_url=faultserver.url + "/v1", http_client=http)
        faultserver.plan(reply(json=ITEM))
        assert await client.call("getItem", id="i1") == ITEM
        rec = faultserver.requests[0]
        assert rec.headers["X-Team"] == "green" and "sid=c2" in rec.headers["Cookie"]
        assert rec.headers["Authorization"].startswith("Basic ")
        assert rec.headers["User-Agent"] == USER_AGENT
        await client.aclose()
        assert not http.is_closed
        faultserver.plan(reply(json=ITEM))
        assert (await http.get(faultserver.url + "/v1/items/i1")).json() == ITEM


# ---------------------------------------------------------- compression
def _gzip_stream(*events_):
    """Each event compressed and flushed on its own, as a server streaming
    gzip does."""
    comp = zlib.compressobj(wbits=31)
    return [comp.compress(e) + comp.flush(zlib.Z_SYNC_FLUSH) for e in events_] + [comp.flush()]


BIG = {"data": [{"id": f"item-{i}", "embedding": [0.0] * 16} for i in range(200)]}


def test_compressed_json_events_and_downloads(faultserver, tmp_path):
    import json

    client = Client(str(MEDIA), profile=PROFILE, base_url=faultserver.url + "/v1", max_retries=0)
    packed = gzip.compress(json.dumps(BIG).encode())
    faultserver.plan(reply(body=packed, content_type="application/json", headers={"Content-Encoding": "gzip"}))
    assert client.call("getItem", id="i1") == BIG
    assert "gzip" in faultserver.requests[0].headers["Accept-Encoding"]
    assert "br" in faultserver.requests[0].headers["Accept-Encoding"]  # brotli is in the test extra
    faultserver.plan(events(*_gzip_stream(b"data: 1\n\n", b"data: 2\n\n", b"data: [DONE]\n\n"),
                            headers={"Content-Encoding": "gzip"}))
    assert list(client.call("watchEvents")) == [1, 2]
    faultserver.plan(send_body(zlib.compress(b"A" * 100_000), headers={"Content-Encoding": "deflate"}))
    target = tmp_path / "a.bin"
    assert client.request("getBlob", name="a", save_to=target).saved_bytes == 100_000
    assert target.read_bytes() == b"A" * 100_000


@pytest.mark.anyio
async def test_async_compressed_json_and_events(faultserver):
    import json

    async with AsyncClient(str(MEDIA), profile=PROFILE, base_url=faultserver.url + "/v1") as client:
        faultserver.plan(reply(body=gzip.compress(json.dumps(BIG).encode()), content_type="application/json",
                               headers={"Content-Encoding": "gzip"}))
        assert await client.call("getItem", id="i1") == BIG
        faultserver.plan(events(*_gzip_stream(b"data: 1\n\n", b"data: 2\n\n"), headers={"Content-Encoding": "gzip"}))
        assert [x async for x in await client.call("watchEvents")] == [1, 2]


def test_a_body_that_does_not_decompress_is_a_connection_error(faultserver):
    client = Client(str(MEDIA), profile=PROFILE, base_url=faultserver.url + "/v1", max_retries=0)
    faultserver.plan(reply(body=b"not gzip at all", content_type="application/json",
                           headers={"Content-Encoding": "gzip"}))
    with pytest.raises(APIConnectionError):
        client.call("getItem", id="i1")


# -------------------------------------------------------------- identity
def test_user_agent_and_accept(faultserver):
    client = keyed(faultserver.url)
    faultserver.plan(reply(json={}), reply(json={}), reply(json={}))
    client.call("listThings")
    client.call("downloadFile", id="f")
    client.call("listThings", headers={"User-Agent": "app/2", "Accept": "application/json"})
    a, b, c = faultserver.requests
    assert a.headers["User-Agent"] == f"openapi-dyn/{__version__} python/" + USER_AGENT.rsplit("/", 1)[1]
    assert a.headers["Accept"] == "application/json, application/problem+json"
    assert b.headers["Accept"] == "application/octet-stream"
    assert (c.headers["User-Agent"], c.headers["Accept"]) == ("app/2", "application/json")
    client = Client(SPEC, base_url=faultserver.url, api_key=KEY, profile=False, cache=False,
                    headers={"User-Agent": "client-wide/1"})
    faultserver.plan(reply(json={}))
    client.call("listThings")
    assert faultserver.requests[-1].headers["User-Agent"] == "client-wide/1"


# ------------------------------------------------------- failure paths
def _idle(client):
    """Connections the client's pool holds ready (urllib3 keeps None
    placeholders in the queue for connections not yet made)."""
    adapter = client.transport.session.get_adapter("http://")
    return sum(pool.pool.qsize() for pool in adapter.poolmanager.pools._container.values())


def test_failures_give_the_connection_back(faultserver, tmp_path):
    client = Client(str(MEDIA), profile=PROFILE, base_url=faultserver.url + "/v1", max_retries=0,
                    max_connections=2)
    faultserver.plan(reply(json=ITEM))
    client.call("getItem", id="i1")
    full = _idle(client)
    assert full == 2
    faultserver.plan(send_body(b"abc"))
    with pytest.raises(DownloadError, match="missing"):
        client.call("getBlob", name="x", save_to=tmp_path / "missing" / "x.bin")
    assert _idle(client) == full and list(tmp_path.iterdir()) == []
    faultserver.plan(send_body(b"A" * 200_000, cut_after=50_000))
    with pytest.raises(APIConnectionError):
        client.call("getBlob", name="x", save_to=tmp_path / "x.bin")
    assert _idle(client) == full and list(tmp_path.iterdir()) == []
    faultserver.plan(events(b"data: 1\n\n", b"data: {\"cut", cut=True))
    with pytest.raises(Exception):
        list(client.call("watchEvents"))
    assert _idle(client) == full
    faultserver.plan(reply(json=ITEM))
    assert client.call("getItem", id="i1") == ITEM


def test_ctrl_c_during_a_download_leaves_no_file(faultserver, tmp_path):
    client = Client(str(MEDIA), profile=PROFILE, base_url=faultserver.url + "/v1", max_retries=0)
    faultserver.plan(send_body(b"B" * 300_000, pieces=8))

    from openapi_dyn._answer import download

    real = download.Destination.write

    def write(self, block):
        real(self, block)
        raise KeyboardInterrupt

    download.Destination.write = write
    try:
        with pytest.raises(KeyboardInterrupt):
            client.call("getBlob", name="x", save_to=tmp_path / "x.bin")
    finally:
        download.Destination.write = real
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------- options after construction
def test_options_changed_after_the_first_call_apply(faultserver):
    client = Client(str(MEDIA), profile=PROFILE, base_url=faultserver.url + "/v1", max_retries=0)
    client.transport.backoff_factor = 0.001
    faultserver.plan(reply(json=ITEM))
    client.call("getItem", id="i1")
    client.max_retries = 2
    client.headers["X-Later"] = "yes"
    faultserver.plan(reply(503, json={}), reply(503, json={}), reply(json=ITEM))
    assert client.call("getItem", id="i1") == ITEM
    assert len(faultserver.requests) == 4 and faultserver.requests[-1].headers["X-Later"] == "yes"
    client.timeout = 0.2
    client.max_retries = 0
    faultserver.plan(stall())
    with pytest.raises(APIConnectionError, match="read timeout 0.2 s"):
        client.call("getItem", id="i1")
    client.headers = {"Authorization-Token": "tok-123456"}
    faultserver.plan(reply(json=ITEM))
    client.call("getItem", id="i1")
    assert faultserver.requests[-1].headers["Authorization-Token"] == "tok-123456"
    assert "X-Later" not in faultserver.requests[-1].headers
    assert "tok-123456" in client._header_secrets  # a secret added later is masked too


@pytest.mark.anyio
async def test_async_options_changed_after_the_first_call_apply(faultserver):
    async with AsyncClient(str(MEDIA), profile=PROFILE, base_url=faultserver.url + "/v1", max_retries=0) as client:
        faultserver.plan(reply(json=ITEM))
        await client.call("getItem", id="i1")
        client.timeout = 0.2
        client.headers["X-Later"] = "yes"
        faultserver.plan(stall())
        with pytest.raises(APIConnectionError, match="read timeout 0.2 s"):
            await client.call("getItem", id="i1")
        assert faultserver.requests[-1].headers["X-Later"] == "yes"


# ------------------------------------------------------------ concurrency
def connections(client):
    """``(in use, idle)`` connections of an AsyncClient's own pool: aiohttp's
    when installed (as in the test extra), else httpcore's."""
    transport = client.transport.http_client._transport
    if hasattr(transport, "connections"):
        return transport.connections()
    pool = transport._pool
    idle = [c for c in pool.connections if c.is_idle()]
    return len(pool.connections) - len(idle) + len(pool._requests), len(idle)


def test_eight_threads_share_one_client(faultserver):
    client = Client(str(MEDIA), profile=PROFILE, base_url=faultserver.url + "/v1", max_connections=4)
    faultserver.always(lambda rec: reply(json={"id": rec.path.rsplit("/", 1)[1], "size": 1}))
    results, errors = {}, []

    def work(n):
        try:
            for i in range(10):
                key = f"t{n}-{i}"
                results[key] = client.call("getItem", id=key)["id"]
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and len(results) == 80 and all(k == v for k, v in results.items())
    assert len(faultserver.requests) == 80


@pytest.mark.anyio
async def test_two_hundred_tasks_share_one_async_client(faultserver):
    faultserver.always(lambda rec: reply(json={"id": rec.path.rsplit("/", 1)[1], "size": 1}))
    results = {}
    async with AsyncClient(str(MEDIA), profile=PROFILE, base_url=faultserver.url + "/v1",
                           max_connections=20) as client:
        async def one(n):
            results[n] = (await client.getItem(id=f"k{n}"))["id"]

        async with anyio.create_task_group() as tg:
            for n in range(200):
                tg.start_soon(one, n)
        used, idle = connections(client)
        assert used == 0 and idle <= 20  # the fault server closes every connection after its answer
    assert results == {n: f"k{n}" for n in range(200)}
    assert len(faultserver.requests) == 200


@pytest.mark.anyio
async def test_async_failures_give_the_connection_back(faultserver, tmp_path):
    async with AsyncClient(str(MEDIA), profile=PROFILE, base_url=faultserver.url + "/v1", max_retries=0,
                           max_connections=2) as client:
        faultserver.plan(reply(json=ITEM))
        await client.call("getItem", id="i1")
        def busy():
            return connections(client)[0]

        faultserver.plan(send_body(b"abc"))
        with pytest.raises(DownloadError, match="missing"):
            await client.call("getBlob", name="x", save_to=tmp_path / "missing" / "x.bin")
        assert busy() == 0
        faultserver.plan(send_body(b"A" * 200_000, cut_after=50_000))
        with pytest.raises(APIConnectionError):
            await client.call("getBlob", name="x", save_to=tmp_path / "x.bin")
        assert busy() == 0 and list(tmp_path.iterdir()) == []
        faultserver.plan(events(b"data: 1\n\n", b"data: {\"cut", cut=True))
        with pytest.raises(Exception):
            async for _ in await client.call("watchEvents"):
                pass
        assert busy() == 0
        faultserver.plan(reply(body=b"not gzip", content_type="application/json", headers={"Content-Encoding": "gzip"}))
        with pytest.raises(APIConnectionError):
            await client.call("getItem", id="i1")
        assert busy() == 0
        faultserver.plan(reply(json=ITEM))
        assert await client.call("getItem", id="i1") == ITEM


def test_the_hops_never_show_the_key(faultserver):
    client = keyed(faultserver.url)
    faultserver.plan(redirect(302, f"/things?api_key={KEY}&n=2"), reply(json={}))
    response = client.request("listThings")
    assert len(response.history) == 1 and KEY not in repr(response.history)
    assert "****" in response.history[0].url and KEY not in response.url
