"""Secrets stay secret, and hostile headers and answers stay harmless: each
test plays the attack (or the unlucky accident) against a real server on
127.0.0.1 and shows it fails."""
import logging
import os
import socket
import subprocess
import sys
import textwrap

import pytest
import requests

from openapi_dyn import (APIConnectionError, Client, RequestValidationError, ResponseTooLargeError,
                         UsageError)

from conftest import DATA, REPO
from faultserver import endless, events, reply, reset, status

TOY = DATA / "toy.yaml"
SECRET = "sk-test-very-secret-123"
STREAMING = {"openapi": "3.0.3", "info": {"title": "events", "version": "1"}, "paths": {"/events": {"get": {
    "operationId": "events", "responses": {"200": {"description": "a stream", "content": {
        "text/event-stream": {"schema": {"type": "string"}}}}}}}}}


def _quick(client):
    t = client.transport
    t.backoff_factor, t.backoff_jitter = 0.001, 0.0
    return client


def _everything_logged(caplog):
    """Every record of every logger, formatted as a handler would (message
    and any exception with its traceback)."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(r) for r in caplog.records)


# ------------------------------------------------------------------ logs
@pytest.mark.parametrize("key", [SECRET, "k1"])
def test_query_string_key_is_masked_in_every_logger_during_retries(faultserver, caplog, key):
    """urllib3 logs the URL with its query string from connectionpool (the
    request line, a dropped connection) and this library each retry; all of
    them, at DEBUG, whatever the key's length."""
    caplog.set_level(logging.DEBUG)  # the root logger: every logger of the stack
    faultserver.plan(status(503), reset(), reply(json={"ok": True}))
    client = _quick(Client(str(TOY), base_url=faultserver.url, credentials={"queryKey": key},
                           max_retries=3))
    assert client.call("keyed") == {"ok": True}
    assert [r.args["api_key"] for r in faultserver.requests] == [key] * 3  # the key did go out
    text = _everything_logged(caplog)
    names = {r.name for r in caplog.records}
    assert {"urllib3.connectionpool", "openapi_dyn"} <= names, names
    assert "api_key=****" in text
    assert f"api_key={key}" not in text
    if len(key) >= 8:
        assert key not in text


def test_logged_exception_tracebacks_are_masked_too(faultserver, caplog):
    caplog.set_level(logging.DEBUG)
    faultserver.always(reset())
    client = _quick(Client(str(TOY), base_url=faultserver.url, credentials={"queryKey": SECRET},
                           max_retries=1))
    with pytest.raises(APIConnectionError):
        client.call("keyed")
    try:
        client.call("keyed")
    except APIConnectionError:
        logging.getLogger("openapi_dyn.test").exception("the call failed")
    text = _everything_logged(caplog)
    assert "the call failed" in text and "Traceback" in text
    assert SECRET not in text


def test_masking_knows_the_secrets_of_live_clients_only(faultserver, caplog):
    """A process that makes a client per tenant: each client's key is masked
    while the client lives, and forgotten with it, so the log filter's work
    does not grow with the clients made (bench/logmask.py measures it)."""
    import gc

    from openapi_dyn._http.logmask import MAX_SECRETS_PER_OWNER, log_masker

    caplog.set_level(logging.DEBUG)
    faultserver.always(reply(json={"ok": True}))
    keys = [f"tenant-{i:03d}-secret-key" for i in range(40)]
    for key in keys:
        client = Client(str(TOY), base_url=faultserver.url, credentials={"queryKey": key}, max_retries=0)
        assert client.call("keyed") == {"ok": True}
        logging.getLogger("openapi_dyn.test").debug("tenant key %s in a record", key)
        client.close()
        del client
    gc.collect()
    text = _everything_logged(caplog)
    assert text.count("tenant key **** in a record") == len(keys)
    assert not any(key in text for key in keys)
    assert not set(keys) & log_masker.values                 # every dropped client's key is forgotten

    live = Client(str(TOY), base_url=faultserver.url, credentials={"queryKey": SECRET}, max_retries=0)
    live.call("keyed")
    assert SECRET in log_masker.values
    caplog.clear()
    logging.getLogger("openapi_dyn.test").debug("live key %s", SECRET)
    assert SECRET not in _everything_logged(caplog) and "live key ****" in caplog.text

    # one owner's set is bounded: the least recently sent go first
    owner = type("Owner", (), {})()
    many = [f"rotating-key-{i:05d}" for i in range(MAX_SECRETS_PER_OWNER + 10)]
    from openapi_dyn import SecretPlaces
    for key in many:
        log_masker.remember(SecretPlaces([key]), owner)
    kept = log_masker.values
    assert many[-1] in kept and many[0] not in kept
    assert len([k for k in many if k in kept]) == MAX_SECRETS_PER_OWNER
    del owner
    gc.collect()
    assert not set(many) & log_masker.values


# ------------------------------------------------------------ exceptions
def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_uncaught_connection_error_prints_no_key(tmp_path):
    """The traceback Python prints for an uncaught error shows the whole
    chain of causes; urllib3's messages there hold the URL, query included."""
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        from openapi_dyn import Client
        client = Client({str(TOY)!r}, base_url="http://127.0.0.1:{_closed_port()}",
                        credentials={{"queryKey": {SECRET!r}}}, max_retries=1)
        client.transport.backoff_factor = 0.001
        client.call("keyed")
    """)
    env = dict(os.environ, OPENAPI_DYN_CACHE_DIR=str(tmp_path / "cache"))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1
    assert "openapi_dyn.APIConnectionError" in done.stderr
    assert "api_key=****" in done.stderr          # the information is kept, masked
    assert "Connection refused" in done.stderr or "NewConnectionError" in done.stderr
    assert SECRET not in done.stderr and SECRET not in done.stdout


def test_connection_error_chains_the_cause_only_when_it_shows_no_secret():
    port = _closed_port()
    keyed = Client(str(TOY), base_url=f"http://127.0.0.1:{port}", credentials={"queryKey": SECRET}, max_retries=0)
    with pytest.raises(APIConnectionError) as info:
        keyed.call("keyed")
    err = info.value
    assert err.__cause__ is None and err.__context__ is None
    assert SECRET not in str(err) and "api_key=****" in str(err)
    bearer = Client(str(TOY), base_url=f"http://127.0.0.1:{port}", api_key=SECRET, max_retries=0)
    with pytest.raises(APIConnectionError) as info:
        bearer.call("listPets")
    assert isinstance(info.value.__cause__, requests.ConnectionError)  # nothing secret in it: kept
    assert SECRET not in str(info.value.__cause__)


# ------------------------------------------------------------- whitespace
def test_key_read_from_a_file_with_its_newline_works(faultserver, tmp_path, monkeypatch):
    key_file = tmp_path / "key"
    key_file.write_text(SECRET + "\n")
    faultserver.always(reply(json={"data": []}))
    client = Client(str(TOY), base_url=faultserver.url, api_key=key_file.read_text(), max_retries=0)
    assert client.call("listPets") == {"data": []}
    assert faultserver.requests[-1].headers["Authorization"] == f"Bearer {SECRET}"
    monkeypatch.setenv("OPENAI_API_KEY", f"  {SECRET}\r\n")
    monkeypatch.setenv("OPENAI_ORG_ID", "org-1\n")
    prepared = Client().prepare("listModels")
    assert prepared.headers["Authorization"] == f"Bearer {SECRET}"
    assert prepared.headers["OpenAI-Organization"] == "org-1"
    basic = Client(str(TOY), api_key=(" user ", f"{SECRET}\n"))
    assert basic.prepare("getFile", name="x").headers["Authorization"].startswith("Basic ")


# -------------------------------------------------------- header sources
BROKEN = [f"{SECRET}\r\nX-Injected: 1", f"{SECRET}\nX: 1", f"{SECRET}\0"]


@pytest.mark.parametrize("bad", BROKEN)
def test_line_breaks_are_refused_from_every_header_source(bad, monkeypatch):
    def refused(exc_type, fn):
        with pytest.raises(exc_type) as info:
            fn()
        assert SECRET not in str(info.value) and "\n" + "X" not in str(info.value)
        return str(info.value)

    # per call
    toy = Client(str(TOY), api_key="sk-fine-key-0000")
    msg = refused(RequestValidationError, lambda: toy.prepare("listPets", headers={"X-Note": bad}))
    assert "header.X-Note" in msg
    # client headers=
    msg = refused(UsageError, lambda: Client(str(TOY), headers={"X-Api-Token": bad}))
    assert "Client(headers=...)" in msg and "X-Api-Token" in msg
    # credentials: api_key=, credentials=, the environment
    assert "api_key=" in refused(UsageError, lambda: Client(str(TOY), api_key=bad))
    assert "headerKey" in refused(UsageError, lambda: Client(str(TOY), credentials={"headerKey": bad}))
    if "\0" not in bad:  # the environment cannot hold a NUL
        monkeypatch.setenv("OPENAI_API_KEY", bad)
        assert "OPENAI_API_KEY" in refused(UsageError, lambda: Client().prepare("listModels"))
        monkeypatch.delenv("OPENAI_API_KEY")
        monkeypatch.setenv("OPENAI_PROJECT_ID", bad)
        assert "OPENAI_PROJECT_ID" in refused(UsageError, lambda: Client())
        monkeypatch.delenv("OPENAI_PROJECT_ID")
    # the session's headers
    session = requests.Session()
    session.headers["X-Session-Key"] = bad
    assert "X-Session-Key" in refused(UsageError, lambda: Client(str(TOY), session=session))
    # a header name that would split the request
    refused(RequestValidationError, lambda: toy.prepare("listPets", headers={"X-A\r\nX-B": "1"}))


def test_header_changed_after_prepare_is_refused_at_send(faultserver):
    client = Client(str(TOY), base_url=faultserver.url, api_key=SECRET, max_retries=0)
    prepared = client.prepare("listPets")
    prepared.headers["Authorization"] = f"Bearer {SECRET}\r\nX-Injected: 1"
    with pytest.raises(RequestValidationError) as info:
        client.send(prepared)
    assert "header.Authorization" in str(info.value) and SECRET not in str(info.value)
    assert faultserver.requests == []


# ------------------------------------------------------------- dry runs
def test_short_keys_are_masked_by_place_not_by_searching_text():
    client = Client(api_key="k")
    req = client.prepare("createChatCompletion", body={
        "model": "gpt-4o", "messages": [{"role": "user", "content": "keep kites"}], "max_tokens": 100})
    shown = req.describe()
    assert '"max_tokens": 100' in shown and "keep kites" in shown
    assert "Authorization: Bearer ****" in shown
    toy = Client(str(TOY), credentials={"queryKey": "k", "cookieKey": "k"}, headers={"X-Api-Token": "t"})
    keyed = toy.prepare("keyed", **{"query.timeout": 5})
    assert keyed.masked_url.endswith("/keyed?timeout=5&api_key=****")
    assert "api_key=k" not in repr(keyed) and "api_key=****" in repr(keyed)
    assert keyed.masked_headers()["X-Api-Token"] == "****"
    header_keyed = Client(str(TOY), credentials={"headerKey": "k"}).prepare("headerKeyed")
    assert header_keyed.masked_headers()["X-API-Key"] == "****"


def test_cookie_keys_and_per_call_secret_headers_are_masked():
    toy = Client(str(TOY), credentials={"cookieKey": SECRET})
    req = toy.prepare("keyed", headers={"Authorization": "Bearer sk-per-call-secret"})
    shown = req.describe()
    assert f"session={SECRET}" in req.headers["Cookie"]
    assert "session=****" in shown and SECRET not in shown
    assert "Bearer ****" in shown and "sk-per-call-secret" not in shown


# ------------------------------------------------------ hostile answers
def test_endless_body_stops_at_max_response_bytes(faultserver):
    faultserver.always(endless(b"[" * 65536))
    client = Client(str(TOY), base_url=faultserver.url, api_key=SECRET, max_retries=0,
                    max_response_bytes=2_000_000)
    with pytest.raises(ResponseTooLargeError) as info:
        client.call("listPets")
    assert "max_response_bytes (2000000 bytes)" in str(info.value)
    faultserver.requests[0].done.wait(10)
    assert faultserver.requests[0].client_gone  # the connection was dropped, not drained


def test_announced_oversized_body_is_refused_before_reading(faultserver):
    faultserver.always(reply(body=b"x" * 5000, content_type="application/json"))
    client = Client(str(TOY), base_url=faultserver.url, api_key=SECRET, max_retries=0, max_response_bytes=4096)
    with pytest.raises(ResponseTooLargeError) as info:
        client.call("listPets")
    assert "announces 5000 bytes" in str(info.value)
    roomy = Client(str(TOY), base_url=faultserver.url, api_key=SECRET, max_retries=0, max_response_bytes=5000)
    assert roomy.request("listPets").content == b"x" * 5000


def test_error_bodies_are_bounded_too(faultserver):
    faultserver.always(endless(b"{" * 65536, status_code=500))
    client = _quick(Client(str(TOY), base_url=faultserver.url, api_key=SECRET, max_retries=2,
                           max_response_bytes=1 << 20))
    with pytest.raises(ResponseTooLargeError):
        client.call("getPet", **{"path.id": "x"})
    assert len(faultserver.requests) == 3  # retried: each endless answer dropped, not drained


@pytest.mark.parametrize("piece", [b"data: " + b"x" * 65536,        # one event that never ends
                                   b": keep-alive\n" * 4096])       # comments, never an event
def test_endless_event_stream_stops_at_max_response_bytes(faultserver, piece):
    faultserver.always(endless(piece, content_type="text/event-stream"))
    client = Client(STREAMING, base_url=faultserver.url, max_retries=0, max_response_bytes=1_000_000)
    stream = client.call("events")
    with pytest.raises(ResponseTooLargeError) as info:
        for _ in stream:
            pass
    assert "without completing an event" in str(info.value)
    assert stream.closed


def test_a_long_stream_of_small_events_is_not_cut(faultserver):
    """The limit is per event, not per stream: a stream may go on as long
    as it delivers events."""
    chunk = b"".join(b'data: {"n": %d}\n\n' % i for i in range(1000))
    faultserver.always(events(*([chunk] * 40) + [b"data: [DONE]\n\n"]))
    client = Client(STREAMING, base_url=faultserver.url, max_retries=0, max_response_bytes=20_000)
    got = list(client.call("events"))
    assert len(got) == 40_000 and got[-1] == {"n": 999}


def test_compressed_answer_is_bounded_after_decompression(faultserver):
    import gzip

    bomb = gzip.compress(b"[" * (4 << 20), 9)
    assert len(bomb) < 64 * 1024
    faultserver.always(reply(body=bomb, content_type="application/json", headers={"Content-Encoding": "gzip"}))
    client = Client(str(TOY), base_url=faultserver.url, api_key=SECRET, max_retries=0, max_response_bytes=1 << 20)
    with pytest.raises(ResponseTooLargeError, match="more arrived"):
        client.call("listPets")


# ------------------------------------------------------------ redirects
def test_a_redirect_to_another_origin_carries_no_credential_header(faultserver):
    from faultserver import FaultServer

    other = FaultServer()
    try:
        other.always(reply(json={"ok": True}))
        faultserver.always(reply(302, headers={"Location": other.url + "/landed"}))
        for creds in ({"headerKey": SECRET}, {"bearer": SECRET}):
            client = Client(str(TOY), base_url=faultserver.url, credentials=creds, max_retries=0,
                            headers={"X-Tenant-Token": "tenant-secret", "X-Trace": "t1"})
            op = "headerKeyed" if "headerKey" in creds else "listPets"
            assert client.call(op) == {"ok": True}
            first, landed = faultserver.requests[-1], other.requests[-1]
            assert SECRET in (first.headers.get("X-API-Key") or first.headers.get("Authorization"))
            assert landed.path == "/landed"
            assert "X-API-Key" not in landed.headers and "Authorization" not in landed.headers
            assert "X-Tenant-Token" not in landed.headers and landed.headers["X-Trace"] == "t1"
        same = Client(str(TOY), base_url=faultserver.url, credentials={"headerKey": SECRET}, max_retries=0)
        faultserver.plan(reply(302, headers={"Location": faultserver.url + "/moved"}), reply(json={"ok": 1}))
        assert same.call("headerKeyed") == {"ok": 1}
        assert faultserver.requests[-1].headers["X-API-Key"] == SECRET   # same origin: kept
        # a cookie credential: kept on the same origin, like the others,
        # never carried to another one
        cookie = Client(str(TOY), base_url=faultserver.url, credentials={"cookieKey": SECRET}, max_retries=0)
        faultserver.plan(reply(302, headers={"Location": faultserver.url + "/moved"}), reply(json={"ok": 2}))
        assert cookie.call("keyed") == {"ok": 2}
        assert SECRET in faultserver.requests[-2].headers["Cookie"]
        assert SECRET in faultserver.requests[-1].headers["Cookie"]
        faultserver.plan(reply(302, headers={"Location": other.url + "/landed"}))
        assert cookie.call("keyed") == {"ok": True}
        assert SECRET in faultserver.requests[-1].headers["Cookie"]
        assert "Cookie" not in other.requests[-1].headers
    finally:
        other.stop()


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_async_client_endless_body_stops_at_max_response_bytes(faultserver, anyio_backend):
    """The same limit in AsyncClient for a body read whole."""
    from openapi_dyn import AsyncClient

    async with AsyncClient(str(TOY), base_url=faultserver.url, api_key=SECRET, max_retries=0,
                           max_response_bytes=1_000_000) as client:
        faultserver.always(endless(b"[" * 65536))
        with pytest.raises(ResponseTooLargeError, match="max_response_bytes"):
            await client.call("listPets")
