"""Retries and timeouts against a server that resets connections, answers
500/503/429 with and without Retry-After, and stalls.  Attempts are counted
on the server; waits are checked as the values the client chose (logged),
never by measuring time."""
import email.utils
import logging
import socket
import time

import pytest

from openapi_dyn import (APIConnectionError, APITimeoutError, Client, ConflictError, InternalServerError,
                         RateLimitError)
from openapi_dyn._http.retrying import RetryTiming
from openapi_dyn._http.sync_transport import Transport

from conftest import DATA
from faultserver import reply, reset, stall, status

MEDIA = DATA / "media.yaml"
PROFILE = str(DATA / "media-profile.yaml")  # OpenAI-like conventions for it
ITEM = {"id": "i1", "size": 1}


def fast(client):
    """Keep the backoff tiny so the suite stays quick (the values chosen are
    still checked through the log)."""
    t = client.transport
    t.backoff_factor, t.backoff_jitter, t.retry_after_max = 0.001, 0, 0.05
    return client


@pytest.fixture
def client(faultserver):
    return fast(Client(str(MEDIA), profile=PROFILE, base_url=faultserver.url + "/v1"))


@pytest.fixture
def waits(caplog):
    """The (seconds, source) of every retry wait the client chose."""
    caplog.set_level(logging.INFO, logger="openapi_dyn")

    def get():
        return [(r.retry_wait, r.retry_source) for r in caplog.records if hasattr(r, "retry_wait")]
    return get


def test_resets_and_server_errors_are_retried(client, faultserver):
    faultserver.plan(reset(), status(500), reply(json=ITEM))
    assert client.call("getItem", id="i1") == ITEM
    assert len(faultserver.requests) == 3
    assert all(r.path == "/v1/items/i1" for r in faultserver.requests)


@pytest.mark.parametrize("code", [408, 409, 429, 500, 502, 503, 504, 599])
def test_retryable_statuses(client, faultserver, code):
    faultserver.plan(status(code), reply(json=ITEM))
    assert client.call("getItem", id="i1") == ITEM
    assert len(faultserver.requests) == 2


@pytest.mark.parametrize("code", [400, 401, 403, 404, 422])
def test_other_statuses_are_not_retried(client, faultserver, code):
    faultserver.plan(status(code), reply(json=ITEM))
    with pytest.raises(Exception) as info:
        client.call("getItem", id="i1")
    assert info.value.status_code == code
    assert len(faultserver.requests) == 1


def test_post_is_retried_with_the_same_body(client, faultserver):
    faultserver.plan(status(503), reset(), reply(json={"id": "c", "text": "t"}))
    client.call("chat", body={"prompt": "same every time"})
    assert [r.json() for r in faultserver.requests] == [{"prompt": "same every time"}] * 3


def test_when_retries_run_out_the_last_answer_is_the_error(client, faultserver):
    faultserver.always(status(503, message="still down"))
    with pytest.raises(InternalServerError, match="still down") as info:
        client.call("getItem", id="i1")
    assert info.value.status_code == 503
    assert len(faultserver.requests) == 3  # the default: 2 retries


def test_max_retries_per_client_and_per_call(faultserver):
    faultserver.always(status(429))
    client = fast(Client(str(MEDIA), profile=PROFILE, base_url=faultserver.url + "/v1", max_retries=4))
    with pytest.raises(RateLimitError):
        client.call("getItem", id="i1")
    assert len(faultserver.requests) == 5
    with pytest.raises(RateLimitError):
        client.call("getItem", id="i1", max_retries=1)
    assert len(faultserver.requests) == 5 + 2
    with pytest.raises(RateLimitError):
        client.call("getItem", id="i1", max_retries=0)
    assert len(faultserver.requests) == 5 + 2 + 1


def test_connection_errors_exhaust_into_api_connection_error(faultserver, waits):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = fast(Client(str(MEDIA), profile=PROFILE, base_url=f"http://127.0.0.1:{port}/v1", max_retries=2))
    with pytest.raises(APIConnectionError) as info:
        client.call("getItem", id="i1")
    assert not isinstance(info.value, APITimeoutError)
    assert "after 3 attempts" in str(info.value)
    assert len(waits()) == 2 and all(source == "backoff" for _, source in waits())


def test_a_reset_on_every_attempt(client, faultserver):
    faultserver.always(reset())
    with pytest.raises(APIConnectionError, match="after 3 attempts"):
        client.call("getItem", id="i1")
    assert len(faultserver.requests) == 3


# ------------------------------------------------------------ waiting
def test_retry_after_seconds_and_ms(client, faultserver, waits):
    client.transport.retry_after_max = 60
    faultserver.plan(status(429, retry_after_ms="25"), status(503, retry_after="0"), reply(json=ITEM))
    client.call("getItem", id="i1")
    (w1, s1), (w2, s2) = waits()
    assert (w1, s1) == (0.025, "Retry-After")
    assert s2 == "backoff"  # "0" means "no particular wait": the backoff applies


def test_retry_after_is_capped(client, faultserver, waits):
    faultserver.plan(status(429, retry_after="3600"), reply(json=ITEM))
    client.call("getItem", id="i1")
    assert waits() == [(0.05, "Retry-After")]  # retry_after_max


def test_retry_after_ms_wins_over_retry_after(client, faultserver, waits):
    faultserver.plan(status(429, retry_after="30", retry_after_ms="10"), reply(json=ITEM))
    client.call("getItem", id="i1")
    assert waits() == [(0.01, "Retry-After")]


def test_an_unreadable_retry_after_falls_back_to_backoff(client, faultserver, waits):
    faultserver.plan(status(503, retry_after="soon-ish"), reply(json=ITEM))
    assert client.call("getItem", id="i1") == ITEM
    assert [s for _, s in waits()] == ["backoff"]


def test_retry_after_as_an_http_date():
    timing = Transport()
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    wait = timing.retry_after({"Retry-After": later})
    assert 25 <= wait <= 30
    past = email.utils.formatdate(time.time() - 30, usegmt=True)
    assert timing.retry_after({"Retry-After": past}) == 0
    assert timing.retry_after({"retry-after-ms": "1500"}) == 1.5
    assert timing.retry_after({"Retry-After": "120"}) == 60  # capped
    assert timing.retry_after({"Retry-After": "soon"}) is None
    assert timing.retry_after({}) is None


def test_backoff_grows_and_is_capped():
    t = Transport()
    t.backoff_jitter = 0
    assert [t.backoff(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    t.backoff_jitter = 0.25
    assert 0.5 <= t.backoff(1) <= 0.75
    assert isinstance(t, RetryTiming)


# ------------------------------------------------------------ timeouts
def test_a_stalled_answer_times_out_per_call(client, faultserver):
    faultserver.plan(stall(), stall())
    with pytest.raises(APITimeoutError) as info:
        client.call("getItem", id="i1", timeout=(2, 0.2), max_retries=1)
    assert "did not answer in time" in str(info.value) and "read timeout 0.2 s" in str(info.value)
    assert "after 2 attempts" in str(info.value)
    assert len(faultserver.requests) == 2


def test_client_timeout_and_a_retry_that_succeeds(faultserver):
    client = fast(Client(str(MEDIA), profile=PROFILE, base_url=faultserver.url + "/v1", timeout=0.2, max_retries=1))
    faultserver.plan(stall(), reply(json=ITEM))
    assert client.call("getItem", id="i1") == ITEM
    faultserver.plan(stall())
    with pytest.raises(APITimeoutError, match="read timeout 0.2 s"):
        client.call("getItem", id="i1", max_retries=0)


# --------------------------------------------------- one-shot bodies
class OneShot:
    """A body that can be read once, like a pipe."""

    def __init__(self, data):
        self.data = data

    def read(self, n=-1):
        out, self.data = self.data, b""
        return out


def test_a_one_shot_raw_body_is_not_retried(client, faultserver):
    faultserver.plan(reset(), reply(json={}))
    with pytest.raises(APIConnectionError) as info:
        client.call("putBlob", name="x", body=OneShot(b"pipe data"))
    assert "not retried" in str(info.value) and "one-shot stream" in str(info.value)
    assert len(faultserver.requests) == 1


def test_one_shot_body_with_retries_off_says_nothing_about_it(client, faultserver):
    faultserver.plan(reset(), status(503))
    with pytest.raises(APIConnectionError) as info:
        client.call("putBlob", name="x", body=OneShot(b"pipe data"), max_retries=0)
    assert "not retried" not in str(info.value)
    with pytest.raises(InternalServerError) as info:
        client.call("putBlob", name="x", body=OneShot(b"pipe data"), max_retries=0)
    assert "not retried" not in str(info.value)


def test_conflict_is_retried_then_reported(client, faultserver):
    faultserver.always(status(409, message="locked"))
    with pytest.raises(ConflictError, match="locked"):
        client.call("getItem", id="i1", max_retries=1)
    assert len(faultserver.requests) == 2


def test_attempts_are_visible_on_the_response(client, faultserver):
    faultserver.plan(status(500), status(500), reply(json=ITEM))
    assert client.request("getItem", id="i1").attempts == 3
    faultserver.plan(reply(json=ITEM))
    assert client.request("getItem", id="i1").attempts == 1


def test_a_user_session_keeps_its_own_adapters():
    import requests
    from requests.adapters import HTTPAdapter

    class Mine(HTTPAdapter):
        pass

    session = requests.Session()
    mine = Mine()
    stock = session.adapters["http://"]
    session.mount("https://", mine)
    Transport(session).close()
    assert session.adapters["https://"] is mine
    assert session.adapters["http://"] is stock  # not replaced either
