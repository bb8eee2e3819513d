"""One behaviour under every transport: each case runs on the five paths
of :mod:`transport_paths` against real servers on 127.0.0.1, and a case
that fails on one path fails the suite.

Covered: redirects (301/302/303/307/308, same and another origin) with
credentials from every source (api_key=, credentials=, client, call and
profile headers, a caller's session or http client headers, auth and
cookies); path and query bytes exactly as serialized (the server records
the raw request target); proxies from the environment (HTTP_PROXY,
HTTPS_PROXY, NO_PROXY); header values no library sends alike; connection
refused and dropped; impossible ports; timeouts; cancellation; gzip and br;
event streams; uploads; downloads; cookies; event-loop reuse; options
changed while threads (or tasks) call.  Cancellation and event loops are
the asynchronous paths' own; threads, the synchronous ones'."""
from __future__ import annotations

import asyncio
import gzip
import socket
import threading

import pytest

from openapi_dyn import (APIConnectionError, APITimeoutError, RedirectError, RequestValidationError, UsageError)

from faultserver import FaultServer, events, reply, reset, stall
from transport_paths import ASYNC_PATHS, CALLER_POOLS, PATHS, SYNC_PATHS, TunnelRefuser, open_path

KEY = "sk-bearer-secret-0001"
HEADER_KEY = "hk-header-secret-0002"
CLIENT_SECRET = "client-token-secret-0003"
CALL_SECRET = "call-token-secret-0004"
POOL_SECRET = "pool-secret-value-0005"

JSON_OK = {"200": {"description": "ok", "content": {"application/json": {}}}}
SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "matrix", "version": "1"},
    "components": {"securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer"},
        "header": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
    }},
    # optional: sent when given, so a pool's own credentials can stand alone
    "security": [{"bearer": [], "header": []}, {}],
    "paths": {
        "/files/{id}": {"get": {
            "operationId": "getFile",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                           {"name": "q", "in": "query", "schema": {"type": "string"}}],
            "responses": JSON_OK}},
        "/pair/{a}{b}/end": {"get": {
            "operationId": "getPair",
            "parameters": [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
                           for n in ("a", "b")],
            "responses": JSON_OK}},
        "/dot/.{a}/end": {"get": {
            "operationId": "getDotted",
            "parameters": [{"name": "a", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": JSON_OK}},
        "/things": {
            "get": {"operationId": "listThings", "responses": JSON_OK},
            "post": {"operationId": "createThing",
                     "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                     "responses": JSON_OK}},
        "/upload": {"put": {"operationId": "upload", "requestBody": {"content": {"application/octet-stream": {}}},
                            "responses": JSON_OK}},
        "/blob": {"get": {"operationId": "download", "responses": {
            "200": {"description": "bytes", "content": {"application/octet-stream": {}}}}}},
        "/events": {"get": {"operationId": "watch", "responses": {
            "200": {"description": "events", "content": {"text/event-stream": {}}}}}},
    },
}


@pytest.fixture
def servers():
    a, b = FaultServer(), FaultServer()
    yield a, b
    a.stop()
    b.stop()


@pytest.fixture
def opened():
    paths = []
    yield paths
    for p in paths:
        p.close()


def make(name, url, monkeypatch, opened, configure_pool=None, **options):
    options.setdefault("max_retries", 0)
    path = open_path(name, SPEC, monkeypatch, configure_pool, base_url=url, profile=False, cache=False, **options)
    opened.append(path)
    return path


def everything(rec) -> str:
    """All a server was told, but the body: target and headers."""
    return rec.target + "\n" + "\n".join(f"{k}: {v}" for k, v in rec.headers.items())


# ------------------------------------------------------------- redirects
STATUSES = (301, 302, 303, 307, 308)


GIVEN = {"api_key": ({"api_key": KEY}, (KEY,)),
         "credentials": ({"credentials": {"bearer": KEY, "header": HEADER_KEY}}, (KEY, HEADER_KEY))}


@pytest.mark.parametrize("given", sorted(GIVEN))
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("path", PATHS)
def test_credentials_stay_with_their_origin(path, status, given, servers, monkeypatch, opened):
    a, b = servers
    a.plan(reply(status, headers={"Location": b.url + "/landing"}))
    b.always(reply(json={"where": "b"}))
    options, secrets = GIVEN[given]
    p = make(path, a.url, monkeypatch, opened, headers={"X-Client-Token": CLIENT_SECRET}, **options)
    assert p.call("listThings", headers={"X-Call-Secret": CALL_SECRET}) == {"where": "b"}
    home, away = everything(a.requests[0]), everything(b.requests[0])
    for secret in secrets + (CLIENT_SECRET, CALL_SECRET):
        assert secret in home
        assert secret not in away, f"{secret} reached the other origin on {path}"
    assert "authorization" not in away.lower()


PROFILE_SECRET = "profile-token-secret-0006"


@pytest.mark.parametrize("path", PATHS)
def test_a_profiles_headers_stay_with_their_origin(path, servers, monkeypatch, opened):
    a, b = servers
    a.plan(reply(302, headers={"Location": b.url + "/landing"}))
    b.always(reply(json={"where": "b"}))
    monkeypatch.setenv("MATRIX_PROFILE_TOKEN", PROFILE_SECRET)
    profile = {"format": 1, "name": "matrix", "environment": {"headers": {"X-Tenant-Token": "MATRIX_PROFILE_TOKEN"}}}
    p = open_path(path, SPEC, monkeypatch, None, base_url=a.url, profile=profile, cache=False, max_retries=0)
    opened.append(p)
    assert p.call("listThings") == {"where": "b"}
    assert PROFILE_SECRET in everything(a.requests[0])
    assert PROFILE_SECRET not in everything(b.requests[0])


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("path", PATHS)
def test_same_origin_redirect_keeps_credentials(path, status, servers, monkeypatch, opened):
    a, _ = servers
    a.plan(reply(status, headers={"Location": "/landing"}), reply(json={"where": "a"}))
    p = make(path, a.url, monkeypatch, opened, api_key=KEY, headers={"X-Client-Token": CLIENT_SECRET})
    assert p.call("listThings") == {"where": "a"}
    assert [r.path for r in a.requests] == ["/things", "/landing"]
    assert KEY in everything(a.requests[1]) and CLIENT_SECRET in everything(a.requests[1])


def _pool_headers(pool):
    pool.headers["Authorization"] = f"Bearer {POOL_SECRET}"
    pool.headers["X-Pool-Key"] = POOL_SECRET


def _pool_auth(pool):
    pool.auth = ("someone", POOL_SECRET)


def _pool_cookies(pool):
    pool.cookies.set("session", POOL_SECRET)


@pytest.mark.parametrize("path", CALLER_POOLS)
def test_a_callers_pools_own_query_parameters_follow_the_calls(path, servers, monkeypatch, opened):
    a, _ = servers
    a.always(reply(json={}))

    def params(pool):
        pool.params = {"team": "blue", "tag": ["a b", "c"]}

    p = make(path, a.url, monkeypatch, opened, configure_pool=params)
    p.call("getFile", id="..", q="x")
    assert a.requests[0].target == "/files/%2E%2E?q=x&team=blue&tag=a+b&tag=c"


@pytest.mark.parametrize("status", (302, 307))
@pytest.mark.parametrize("source", [_pool_headers, _pool_auth, _pool_cookies], ids=["headers", "auth", "cookies"])
@pytest.mark.parametrize("path", CALLER_POOLS)
def test_a_callers_pool_credentials_stay_with_their_origin(path, source, status, servers, monkeypatch, opened):
    import base64

    a, b = servers
    a.plan(reply(status, headers={"Location": b.url + "/landing"}))
    b.always(reply(json={"where": "b"}))
    p = make(path, a.url, monkeypatch, opened, configure_pool=source)
    assert p.call("listThings") == {"where": "b"}
    basic = base64.b64encode(f"someone:{POOL_SECRET}".encode()).decode()
    home, away = everything(a.requests[0]), everything(b.requests[0])
    assert POOL_SECRET in home or basic in home
    assert POOL_SECRET not in away and basic not in away
    assert "authorization" not in away.lower() and "cookie" not in away.lower()


@pytest.mark.parametrize("path", PATHS)
def test_the_clients_own_pool_keeps_no_cookies(path, servers, monkeypatch, opened):
    a, _ = servers
    a.always(reply(json={}, headers={"Set-Cookie": "sid=tenant-one; Path=/"}))
    p = make(path, a.url, monkeypatch, opened)
    p.call("listThings")
    p.call("listThings")
    # a caller's session or http client keeps its jar, as it would without us
    wanted = "sid=tenant-one" if path in CALLER_POOLS else None
    assert a.requests[1].headers.get("Cookie") == wanted


# ------------------------------------------------------- wire-exact URLs
@pytest.mark.parametrize("value", ["..", ".", "a/b", "../admin", "%2E%2E", "a b", "ü", "x?y#z", "ft:model@org"])
@pytest.mark.parametrize("path", PATHS)
def test_the_server_receives_the_url_as_serialized(path, value, servers, monkeypatch, opened):
    a, _ = servers
    a.always(reply(json={}))
    p = make(path, a.url + "/v1", monkeypatch, opened)
    wanted = p.client.prepare("getFile", id=value, q=value).url
    p.call("getFile", id=value, q=value)
    target = a.requests[0].target
    assert a.url + target == wanted
    path_part = target.split("?", 1)[0]
    assert path_part.startswith("/v1/files/") and path_part.count("/") == 3, path_part


@pytest.mark.parametrize("path", PATHS)
def test_parameters_cannot_make_a_dot_segment_with_their_neighbours(path, servers, monkeypatch, opened):
    a, _ = servers
    a.always(reply(json={}))
    p = make(path, a.url, monkeypatch, opened)
    p.call("getPair", a=".", b=".")
    p.call("getPair", a="x.", b="y")
    p.call("getDotted", a=".")  # the template's own dot beside the value's
    assert [r.target for r in a.requests] == ["/pair/%2E%2E/end", "/pair/x.y/end", "/dot/.%2E/end"]


def test_dot_segments_are_encoded_to_stay_in_their_segment():
    assert Client_url("..").endswith("/files/%2E%2E")
    assert Client_url(".").endswith("/files/%2E")


def Client_url(value):
    from openapi_dyn import Client

    return Client(SPEC, base_url="http://127.0.0.1:9/v1", profile=False, cache=False).prepare(
        "getFile", id=value).url


@pytest.mark.parametrize("value", ["..", ".", " .. ", "a/b", "../admin", "a\\b"])
def test_a_models_path_argument_that_names_another_path_is_a_tool_error(value, servers):
    from openapi_dyn import Client

    a, _ = servers
    a.always(reply(json={}))
    client = Client(SPEC, base_url=a.url, profile=False, cache=False)
    result = client.call_tool("getFile", {"id": value})
    assert result.is_error and result.content["error"] == "invalid_arguments"
    assert result.content["problems"][0]["argument"] == "id"
    assert a.requests == []
    assert not client.call_tool("getFile", {"id": "file-..x.y"}).is_error  # dots inside a name are fine
    assert a.requests[0].target == "/files/file-..x.y"


# ------------------------------------------------------------- proxies
@pytest.mark.parametrize("path", PATHS)
def test_the_environments_proxy_is_used(path, servers, monkeypatch, opened):
    proxy, _ = servers
    proxy.always(reply(json={"via": "proxy"}))
    for var in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    # a host that does not resolve: only a proxy can answer for it
    p = make(path, "http://api.example.invalid:8080/v1", monkeypatch, opened)
    assert p.call("listThings") == {"via": "proxy"}
    assert proxy.requests[0].target == "http://api.example.invalid:8080/v1/things"


PROXY_VARS = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy",
              "NO_PROXY", "no_proxy")


@pytest.mark.parametrize("path", PATHS)
def test_https_goes_through_the_environments_https_proxy(path, monkeypatch, opened):
    proxy = TunnelRefuser()
    try:
        for var in PROXY_VARS:
            monkeypatch.delenv(var, raising=False)
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        p = make(path, "https://api.example.invalid/v1", monkeypatch, opened)
        with pytest.raises(APIConnectionError):
            p.call("listThings")
        assert [line.rsplit(" ", 1)[0] for line in proxy.seen] == ["CONNECT api.example.invalid:443"]
    finally:
        proxy.stop()


@pytest.mark.parametrize("path", PATHS)
def test_no_proxy_is_honoured(path, servers, monkeypatch, opened):
    proxy, direct = servers
    proxy.always(reply(json={"via": "proxy"}))
    direct.always(reply(json={"via": "direct"}))
    for var in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    p = make(path, direct.url, monkeypatch, opened)
    assert p.call("listThings") == {"via": "direct"}
    assert proxy.requests == []


# ------------------------------------------------------------- headers
@pytest.mark.parametrize("value", ["café", "naïve ☃", "a\x01b", "a\x7fb", "line\nbreak"])
@pytest.mark.parametrize("path", PATHS)
def test_unsendable_header_values_are_refused_before_sending(path, value, servers, monkeypatch, opened):
    a, _ = servers
    a.always(reply(json={}))
    p = make(path, a.url, monkeypatch, opened)
    with pytest.raises(RequestValidationError) as info:
        p.call("listThings", headers={"X-Note": value})
    assert "header.X-Note" in str(info.value) and value not in str(info.value)
    assert a.requests == []


@pytest.mark.parametrize("path", CALLER_POOLS)
def test_a_callers_pool_with_an_unsendable_header_is_refused_when_given(path, servers, monkeypatch, opened):
    a, _ = servers

    def bad(pool):
        pool.headers["X-Pool-Note"] = "a\x01b"

    with pytest.raises(UsageError, match="(?i)x-pool-note"):
        make(path, a.url, monkeypatch, opened, configure_pool=bad)


@pytest.mark.parametrize("path", PATHS)
def test_tabs_and_visible_ascii_are_sent_as_given(path, servers, monkeypatch, opened):
    a, _ = servers
    a.always(reply(json={}))
    p = make(path, a.url, monkeypatch, opened)
    p.call("listThings", headers={"X-Note": "a\tb ~!"})
    assert a.requests[0].headers["X-Note"] == "a\tb ~!"


# ------------------------------------------------------------- failures
def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.mark.parametrize("path", PATHS)
def test_connection_refused(path, monkeypatch, opened):
    p = make(path, f"http://127.0.0.1:{_closed_port()}", monkeypatch, opened, max_retries=1)
    p.client.transport.backoff_factor = 0.001
    p.client.transport.backoff_jitter = 0
    with pytest.raises(APIConnectionError) as info:
        p.call("listThings")
    assert not isinstance(info.value, APITimeoutError)
    assert "after 2 attempts" in str(info.value)


@pytest.mark.parametrize("port", ["70000", "0", "65536"])
@pytest.mark.parametrize("path", PATHS)
def test_an_impossible_port_is_a_usage_error(path, port, monkeypatch, opened):
    p = make(path, f"http://127.0.0.1:{port}", monkeypatch, opened, max_retries=3)
    with pytest.raises(UsageError, match="port"):
        p.call("listThings")


@pytest.mark.parametrize("path", PATHS)
def test_a_redirect_to_an_impossible_port(path, servers, monkeypatch, opened):
    a, _ = servers
    a.plan(reply(302, headers={"Location": "http://127.0.0.1:99999/x"}))
    p = make(path, a.url, monkeypatch, opened)
    with pytest.raises(RedirectError, match="port"):
        p.call("listThings")


@pytest.mark.parametrize("retries", [0, 1])
@pytest.mark.parametrize("path", PATHS)
def test_a_dropped_connection_is_sent_again_only_as_max_retries_says(path, retries, servers, monkeypatch, opened):
    a, _ = servers
    a.always(reset())
    p = make(path, a.url, monkeypatch, opened, max_retries=retries)
    p.client.transport.backoff_factor = 0.001
    p.client.transport.backoff_jitter = 0
    with pytest.raises(APIConnectionError):
        p.call("listThings")
    assert len(a.requests) == retries + 1


@pytest.mark.parametrize("path", PATHS)
def test_read_timeout(path, servers, monkeypatch, opened):
    a, _ = servers
    a.always(stall(3))
    p = make(path, a.url, monkeypatch, opened, timeout=0.3)
    with pytest.raises(APITimeoutError, match="did not answer in time"):
        p.call("listThings")


@pytest.fixture
def full_backlog():
    """A port whose listen queue is full: a new connection is never taken
    (the kernel drops its SYN), so connecting times out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    waiting = []
    for _ in range(8):
        s = socket.socket()
        s.setblocking(False)
        try:
            s.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        waiting.append(s)
    yield port
    for s in waiting:
        s.close()
    listener.close()


@pytest.mark.parametrize("path", PATHS)
def test_connect_timeout(path, full_backlog, monkeypatch, opened):
    p = make(path, f"http://127.0.0.1:{full_backlog}", monkeypatch, opened, timeout=(0.2, 5), max_retries=1)
    p.client.transport.backoff_factor = 0.001
    p.client.transport.backoff_jitter = 0
    with pytest.raises(APITimeoutError, match="could not connect in time .* after 2 attempts"):
        p.call("createThing", body={})  # a POST: retried, as it cannot have reached the server


@pytest.mark.parametrize("path", ASYNC_PATHS)
def test_cancellation_leaves_the_client_usable(path, servers, monkeypatch, opened):
    a, _ = servers
    a.plan(stall(3))
    a.always(reply(json={"n": 2}))
    p = make(path, a.url, monkeypatch, opened)

    async def cancel_one():
        task = asyncio.ensure_future(p.client.call("listThings"))
        for _ in range(200):  # until the server has it (at most 2 s)
            if a.requests:
                break
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return await p.client.call("listThings")

    assert p.run(cancel_one()) == {"n": 2}
    assert len(a.requests) == 2


# ------------------------------------------------------------- bodies
@pytest.mark.parametrize("encoding", ["gzip", "br"])
@pytest.mark.parametrize("path", PATHS)
def test_compressed_answers(path, encoding, servers, monkeypatch, opened):
    import brotli

    a, _ = servers
    raw = b'{"big": "' + b"x" * 5000 + b'"}'
    packed = gzip.compress(raw) if encoding == "gzip" else brotli.compress(raw)
    a.always(reply(body=packed, content_type="application/json", headers={"Content-Encoding": encoding}))
    p = make(path, a.url, monkeypatch, opened)
    assert p.call("listThings") == {"big": "x" * 5000}
    assert encoding in a.requests[0].headers["Accept-Encoding"]


@pytest.mark.parametrize("path", PATHS)
def test_a_long_answer_header(path, servers, monkeypatch, opened):
    a, _ = servers
    link = "<https://api.example/next?cursor=" + "c" * 20000 + '>; rel="next"'
    a.always(reply(json={"ok": True}, headers={"Link": link}))
    p = make(path, a.url, monkeypatch, opened)
    response = p.request("listThings")
    assert response.data == {"ok": True} and response.headers["Link"] == link


@pytest.mark.parametrize("path", PATHS)
def test_event_streams(path, servers, monkeypatch, opened):
    a, _ = servers
    a.plan(events(b'data: {"n": 1}\n\n', b'data: {"n": 2}\n\n', b"data: [DONE]\n\n"))
    p = make(path, a.url, monkeypatch, opened)
    assert p.events("watch") == [{"n": 1}, {"n": 2}]


@pytest.mark.parametrize("kind", ["bytes", "file"])
@pytest.mark.parametrize("path", PATHS)
def test_uploads(path, kind, servers, monkeypatch, opened, tmp_path):
    a, _ = servers
    a.always(reply(json={"ok": True}))
    data = bytes(range(256)) * 1000
    source = tmp_path / "up.bin"
    source.write_bytes(data)
    p = make(path, a.url, monkeypatch, opened)
    with open(source, "rb") as f:
        p.call("upload", body=data if kind == "bytes" else f)
    assert a.requests[0].body == data
    assert a.requests[0].headers["Content-Length"] == str(len(data))


@pytest.mark.parametrize("path", PATHS)
def test_downloads(path, servers, monkeypatch, opened, tmp_path):
    a, _ = servers
    data = bytes(range(256)) * 2000
    a.always(reply(body=data, content_type="application/octet-stream"))
    p = make(path, a.url, monkeypatch, opened)
    target = tmp_path / "down.bin"
    p.request("download", save_to=str(target))
    assert target.read_bytes() == data


# ------------------------------------------------------------- lifetime
@pytest.mark.parametrize("path", ASYNC_PATHS)
def test_a_second_event_loop_is_one_clear_usage_error(path, servers, monkeypatch, opened):
    a, _ = servers
    a.always(reply(json={"n": 1}))
    p = make(path, a.url, monkeypatch, opened)
    assert p.call("listThings") == {"n": 1}
    with pytest.raises(UsageError, match="one AsyncClient per event loop"):
        asyncio.run(p.client.call("listThings"))
    assert p.call("listThings") == {"n": 1}  # still fine on its own loop
    assert len(a.requests) == 2


@pytest.mark.parametrize("path", SYNC_PATHS)
def test_options_changed_while_threads_call(path, servers, monkeypatch, opened):
    a, _ = servers
    a.always(reply(json={"ok": True}))
    p = make(path, a.url, monkeypatch, opened, headers={"X-Version": "1"})
    errors = []

    def work():
        for _ in range(10):
            try:
                p.call("listThings")
            except Exception as exc:  # pragma: no cover - shown by the assertion below
                errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for n in range(2, 12):
        p.client.headers = {"X-Version": str(n)}
        p.client.timeout = 5 + n
        p.client.max_retries = n % 2
    for t in threads:
        t.join(10)
    assert errors == [] and not any(t.is_alive() for t in threads)
    assert len(a.requests) == 40
    assert {r.headers["X-Version"] for r in a.requests} <= {str(n) for n in range(1, 12)}
    p.call("listThings")
    assert a.requests[-1].headers["X-Version"] == "11"


@pytest.mark.parametrize("path", ASYNC_PATHS)
def test_options_changed_while_tasks_call(path, servers, monkeypatch, opened):
    a, _ = servers
    a.always(reply(json={"ok": True}))
    p = make(path, a.url, monkeypatch, opened, headers={"X-Version": "1"})

    async def run():
        async def work():
            for _ in range(10):
                await p.client.call("listThings")

        tasks = [asyncio.ensure_future(work()) for _ in range(4)]
        for n in range(2, 12):
            p.client.headers = {"X-Version": str(n)}
            p.client.timeout = 5 + n
            await asyncio.sleep(0)
        await asyncio.gather(*tasks)

    p.run(run())
    assert len(a.requests) == 40
    assert {r.headers["X-Version"] for r in a.requests} <= {str(n) for n in range(1, 12)}
