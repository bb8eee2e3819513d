"""Sending: one pooled :class:`requests.Session`, timeouts, retries, and the
translation of requests' exceptions into openapi_dyn's own.

Nothing outside this module touches requests' exceptions; a caller sees
:class:`~openapi_dyn.APIConnectionError` or :class:`~openapi_dyn.APITimeoutError`
with the original as ``__cause__``, unless the original's text shows a
secret of the request (urllib3 puts the whole URL, query string and all, in
its messages): then the cause is left out (not even as ``__context__``) and
its description, masked, is in the message.

Retries are urllib3's :class:`~urllib3.util.Retry`, configured like the
official OpenAI SDK: up to ``max_retries`` (default 2) more attempts on
connection errors, read timeouts and the statuses 408, 409, 429 and 5xx, for
every method (the SDK retries POST too), waiting what ``Retry-After`` or
``retry-after-ms`` asks (capped at :attr:`Transport.retry_after_max`) or else
an exponential backoff with jitter.  urllib3 does the work: it re-sends the
request, drains the failed answer, rewinds file bodies and only hands back a
response it will not retry, which is also why an event stream can never be
retried once its first event has been read.
"""
from __future__ import annotations

import contextvars
import logging
import random
import time
from typing import Any, Optional, Tuple, Union

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .errors import APIConnectionError, APITimeoutError, MissingCredentialsError
# Log records of urllib3 (request lines with their query strings, retries
# with the URL), requests and this library are masked: see logmask.LogMasker.
from .logmask import log_masker as _log_masker
from .logmask import protect_loggers

log = logging.getLogger("openapi_dyn")

Timeout = Union[None, float, Tuple[float, float]]
DEFAULT_TIMEOUT: Tuple[float, float] = (5.0, 600.0)  # connect, read (seconds)
#: The largest body read whole, and the most an event stream may send
#: between two events (``Client(max_response_bytes=...)``).
DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024

#: Answers worth another attempt: timeouts, lock conflicts, rate limits,
#: server errors (the official SDK's list).
RETRY_STATUSES = frozenset([408, 409, 429] + list(range(500, 600)))

#: The largest answer drained (read and dropped) to reuse its connection
#: before a retry; a larger one, or one of unknown size, closes it.
DRAIN_LIMIT = 64 * 1024

#: Why a request was sent once only, appended to the error when it fails.
NOT_REPLAYABLE = ("not retried: the request body is a one-shot stream (a pipe, socket or generator) "
                  "that cannot be sent twice; pass bytes, a path or a seekable file to allow retries")


def normalize_timeout(timeout: Any) -> Tuple[Optional[float], Optional[float]]:
    """``10`` -> ``(10, 10)``; ``(3, 60)`` stays; ``None`` -> the default."""
    if timeout is None:
        return DEFAULT_TIMEOUT
    if isinstance(timeout, (tuple, list)):
        connect, read = timeout
        return (connect, read)
    return (float(timeout), float(timeout))


class RetryPolicy(Retry):
    """urllib3's :class:`~urllib3.util.Retry` with three changes:

    * ``retry-after-ms`` (milliseconds, sent by OpenAI and Azure) is read
      before ``Retry-After``; urllib3 only knows the latter;
    * an unreadable ``Retry-After`` falls back to the backoff instead of
      raising urllib3's ``InvalidHeader`` out of the request;
    * the first retry waits too: urllib3 retries the first failure at once
      (its backoff is 0 for one error), which is what a rate-limited or
      overloaded server least wants.  The delay is
      ``backoff_factor * 2 ** (n - 1)`` plus up to ``backoff_jitter`` seconds
      of random jitter, at most ``backoff_max`` (0.5, 1, 2, 4, 8 by default).

    Every wait is logged at INFO on the ``openapi_dyn`` logger, with the
    numbers in the record (``retry_wait``, ``retry_source``).
    """

    def get_backoff_time(self) -> float:
        errors = 0
        for entry in reversed(self.history):
            if entry.redirect_location is not None:
                break
            errors += 1
        if errors == 0:
            return 0.0
        delay = self.backoff_factor * (2 ** (errors - 1))
        if self.backoff_jitter:
            delay += random.random() * self.backoff_jitter
        return float(max(0.0, min(self.backoff_max, delay)))

    def get_retry_after(self, response) -> Optional[float]:
        headers = response.headers
        ms = headers.get("retry-after-ms")
        if ms is not None:
            try:
                return max(0.0, min(float(ms) / 1000.0, self.retry_after_max))
            except ValueError:
                pass
        value = headers.get("Retry-After")
        if value is None:
            return None
        try:
            return self.parse_retry_after(value)  # seconds or HTTP date, capped by urllib3
        except Exception:
            return None

    def sleep(self, response=None) -> None:
        wait: Optional[float] = None
        source = "Retry-After"
        if self.respect_retry_after_header and response is not None:
            wait = self.get_retry_after(response)
        if not wait:
            wait, source = self.get_backoff_time(), "backoff"
        last = self.history[-1] if self.history else None
        why = (f"status {last.status}" if last is not None and last.status
               else f"{type(last.error).__name__}" if last is not None and last.error else "error")
        log.info("retrying %s %s after %s: waiting %.3f s (%s)",
                 last.method if last else "", _strip_query(last.url) if last else "", why, wait, source,
                 extra={"retry_wait": wait, "retry_source": source})
        if wait > 0:
            time.sleep(wait)

    def increment(self, *args: Any, **kwargs: Any) -> Retry:
        # urllib3 drains (reads whole, into memory) the answer it is about to
        # retry, to reuse the connection.  An answer of unknown or large size
        # is dropped with its connection instead: an endless error body must
        # not be read before the retry.
        # The last answer (retries exhausted: super() raises) is kept whole.
        new = super().increment(*args, **kwargs)
        response = kwargs.get("response")
        if response is not None:
            length = response.headers.get("Content-Length", "")
            if not length.strip().isdigit() or int(length) > DRAIN_LIMIT:
                response.close()
        return new


def _strip_query(url: Optional[str]) -> str:
    return (url or "").split("?", 1)[0]  # query strings may carry API keys


# The retry policy of the request being sent.  An HTTPAdapter has one fixed
# ``max_retries``, but ``max_retries`` here is per call and a session (and its
# adapters) is shared between threads.  Mounting an adapter per call would
# race; looping around ``session.send`` by hand would re-implement what
# urllib3 already does well (Retry-After dates, draining, rewinding bodies).
# So the adapter reads its policy from a context variable that send() sets
# for the duration of one call: per call, per thread, and urllib3 still runs
# the retries.
_current_policy: contextvars.ContextVar[Optional[Retry]] = contextvars.ContextVar(
    "openapi_dyn_retry_policy", default=None)


# The secrets of the request being sent, for _Session.rebuild_auth (set and
# reset by Transport.send, like the retry policy).
_current_secrets: contextvars.ContextVar[Any] = contextvars.ContextVar("openapi_dyn_secrets", default=None)


class _Session(requests.Session):
    """requests' Session drops ``Authorization`` when a redirect leads to
    another origin; this one also drops every other header that carries a
    credential of the request (``x-api-key``, ``api-key``...) or whose name
    says it is secret, so that a redirect cannot hand a key to another host."""

    def rebuild_auth(self, prepared_request, response) -> None:
        super().rebuild_auth(prepared_request, response)
        if self.should_strip_auth(response.request.url, prepared_request.url):
            from .redact import is_secret_header

            places = _current_secrets.get()
            named = places.headers if places is not None else ()
            for name in [k for k in prepared_request.headers if k.lower() in named or is_secret_header(k)]:
                del prepared_request.headers[name]


class RetryingAdapter(HTTPAdapter):
    """An :class:`~requests.adapters.HTTPAdapter` whose ``max_retries`` is the
    policy of the call in progress (or the adapter's own outside a call)."""

    @property  # type: ignore[override]
    def max_retries(self) -> Retry:
        policy = _current_policy.get()
        return policy if policy is not None else self._own_retries

    @max_retries.setter
    def max_retries(self, value: Retry) -> None:
        self._own_retries = value


class Transport:
    """Owns the session; sends :class:`~openapi_dyn.request.PreparedRequest`\\ s.

    The retry timing can be tuned on the instance (``client.transport``):
    ``backoff_factor`` (0.5 s), ``backoff_max`` (8 s), ``backoff_jitter``
    (0.25 s) and ``retry_after_max`` (60 s: a longer ``Retry-After`` is
    shortened to it).

    A session passed in keeps its own adapters for the prefixes it mounted
    itself; its stock ``http://`` and ``https://`` adapters are replaced by a
    :class:`RetryingAdapter` (same pool settings), without which retries
    would not happen.
    """

    backoff_factor = 0.5
    backoff_max = 8.0
    backoff_jitter = 0.25
    retry_after_max = 60.0

    def __init__(self, session: Optional[requests.Session] = None, timeout: Timeout = None,
                 max_retries: int = 2, *, max_response_bytes: Optional[int] = None):
        self.session = session or _Session()
        self.timeout = normalize_timeout(timeout)
        self.max_retries = max_retries
        self.max_response_bytes = DEFAULT_MAX_RESPONSE_BYTES if max_response_bytes is None else max_response_bytes
        protect_loggers()
        self._env_settings: dict = {}  # see _environment_settings
        for prefix in ("http://", "https://"):
            current = self.session.adapters.get(prefix)
            if current is None or type(current) is HTTPAdapter:
                self.session.mount(prefix, RetryingAdapter())

    def policy(self, retries: int) -> Retry:
        """The :class:`RetryPolicy` for up to ``retries`` more attempts."""
        if retries <= 0:
            # requests' own default: one attempt, errors raised as they are.
            return Retry(0, read=False)
        return RetryPolicy(
            total=retries, connect=None, read=None, status=None, redirect=None,
            allowed_methods=None,  # every method, as the official SDK does
            status_forcelist=RETRY_STATUSES,
            raise_on_status=False,  # the last answer comes back and becomes an APIError
            respect_retry_after_header=True,
            backoff_factor=self.backoff_factor, backoff_max=self.backoff_max,
            backoff_jitter=self.backoff_jitter, retry_after_max=self.retry_after_max)

    def send(self, prepared, *, timeout: Timeout = None, max_retries: Optional[int] = None,
             stream: bool = False) -> requests.Response:
        """Send ``prepared``; with ``stream=True`` the body is left unread
        (for event streams and downloads)."""
        if prepared.missing_credentials:
            raise MissingCredentialsError(prepared.missing_credentials)
        req = requests.PreparedRequest()
        req.method = prepared.method
        req.url = prepared.url
        req.headers = requests.structures.CaseInsensitiveDict(prepared.headers)
        # requests keeps a redirect's Set-Cookie here (prepare_cookies would
        # set it, at the price of a cookie-policy pass per request)
        req._cookies = requests.cookies.RequestsCookieJar()
        req.body = prepared.body
        if prepared.body is None:
            if prepared.method in ("POST", "PUT", "PATCH"):
                req.headers["Content-Length"] = "0"
        elif isinstance(prepared.body, (bytes, str)):
            req.headers["Content-Length"] = str(len(prepared.body))
        else:
            req.prepare_body(prepared.body, None)  # streamed: chunked transfer or known length
            req.headers.update({k: v for k, v in prepared.headers.items() if k.lower() == "content-type"})
        timeout_pair = normalize_timeout(timeout) if timeout is not None else self.timeout
        wanted = self.max_retries if max_retries is None else max_retries
        retries = wanted if prepared.replayable else 0
        # always left on the wire by requests (which would read it whole,
        # however large): read below, within max_response_bytes
        settings = self._environment_settings(req.url, True)
        secrets = prepared._secrets
        if secrets:
            _log_masker.remember(secrets)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s", prepared.method, prepared.masked_url)
        token = _current_policy.set(self.policy(retries))
        secrets_token = _current_secrets.set(secrets)
        try:
            raw = self.session.send(req, timeout=timeout_pair, allow_redirects=True, **settings)
        except requests.RequestException as exc:
            error = translate_error(exc, prepared, timeout_pair, retries,
                                    not_retried=wanted > 0 and not prepared.replayable)
            cause = safe_cause(exc, prepared)
        except ValueError as exc:  # http.client refusing a header that bypassed our checks
            error, cause = bad_header_error(exc, prepared, req.headers), None
        else:
            # read by raise_for_status(): an error status here was not retried
            # only because the body could not be sent again
            raw.openapi_dyn_not_retried = wanted > 0 and not prepared.replayable
            raw.openapi_dyn_max_bytes = self.max_response_bytes
            if not stream:
                from .response import read_all

                read_all(raw, prepared)
            return raw
        finally:
            _current_policy.reset(token)
            _current_secrets.reset(secrets_token)
        # raised here, outside the except clause: a cause left out must not
        # come back as __context__ (Python prints that in tracebacks too)
        raise error from cause

    def _environment_settings(self, url: str, stream: bool) -> dict:
        """What requests takes from the environment for ``url`` (proxies,
        ``NO_PROXY``, CA bundle variables, ``verify``/``cert`` of the session),
        read once per origin and session setting rather than on every call:
        requests scans the whole environment twice per request for it.  (The
        official SDK reads its proxies once, when its client is made.)"""
        session = self.session
        origin = url.split("/", 3)[:3]
        key = ("/".join(origin), session.trust_env, repr(session.proxies), repr(session.verify),
               repr(session.cert))
        cache = self._env_settings
        settings = cache.get(key)
        if settings is None:
            settings = session.merge_environment_settings(url, {}, False, None, None)
            if len(cache) > 64:
                cache.clear()
            cache[key] = settings
        return dict(settings, stream=stream)

    def close(self) -> None:
        self.session.close()


def _chain(exc: BaseException):
    """``exc`` and what it wraps: requests puts urllib3's error in ``args[0]``,
    urllib3's ``MaxRetryError`` keeps the last failure in ``reason``."""
    seen = 0
    while exc is not None and seen < 10:
        yield exc
        seen += 1
        nxt = getattr(exc, "reason", None)
        if not isinstance(nxt, BaseException):
            nxt = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        exc = nxt  # type: ignore[assignment]


def translate_error(exc: BaseException, prepared, timeout_pair=None, retries: int = 0,
                    not_retried: bool = False) -> APIConnectionError:
    """requests'/urllib3's exception -> :class:`APIConnectionError` or
    :class:`APITimeoutError`, message saying what failed, how many attempts
    were made and (for one-shot bodies) why there was only one."""
    from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError, ReadTimeoutError

    chain = list(_chain(exc))
    exhausted = any(isinstance(e, MaxRetryError) for e in chain)
    attempts = retries + 1 if exhausted else 1
    tail = f" after {attempts} attempts" if attempts > 1 else ""
    if not_retried:
        tail += f" ({NOT_REPLAYABLE})"
    what = f"{prepared.method} {prepared.masked_url}"
    # urllib3's NewConnectionError (refused, unreachable) subclasses
    # ConnectTimeoutError for historical reasons; it is not a timeout.
    if any(isinstance(e, (requests.ConnectTimeout, ConnectTimeoutError)) and not isinstance(e, NewConnectionError)
           for e in chain) and not isinstance(chain[-1], NewConnectionError):
        limit = f" (connect timeout {timeout_pair[0]} s)" if timeout_pair else ""
        return APITimeoutError(f"{what}: could not connect in time{limit}{tail}", request=prepared)
    if any(isinstance(e, (requests.ReadTimeout, ReadTimeoutError)) for e in chain):
        limit = f" (read timeout {timeout_pair[1]} s)" if timeout_pair else ""
        return APITimeoutError(f"{what}: the server did not answer in time{limit}{tail}", request=prepared)
    return APIConnectionError(f"{what} failed{tail}: {_describe(chain[-1], prepared)}", request=prepared)


def _describe(exc: BaseException, prepared) -> str:
    """A one-line reason for a connection failure, with secrets masked."""
    from .redact import mask_places_text

    text = f"{type(exc).__name__}: {exc}"
    return mask_places_text(text, prepared._secrets)


def _texts(exc: BaseException):
    """The text of ``exc`` and of everything it wraps or was caused by."""
    seen: set = set()
    todo = [exc]
    while todo and len(seen) < 32:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        try:
            yield f"{e!r} {e}"
        except Exception:
            yield type(e).__name__
        todo.extend(x for x in _chain(e) if x is not e)
        todo.extend(x for x in (e.__cause__, e.__context__, getattr(e, "request", None)) if isinstance(x, BaseException))
        for arg in getattr(e, "args", ()):
            if isinstance(arg, BaseException):
                todo.append(arg)


def safe_cause(exc: BaseException, prepared) -> Optional[BaseException]:
    """``exc`` when it may be chained to the error raised for it, ``None``
    when its text (or that of anything it wraps) shows a secret of the
    request: it is then left out, its description masked in the message."""
    secrets = getattr(prepared, "_secrets", None)
    if not secrets:
        return exc
    for text in _texts(exc):
        if secrets.appears_in(text):
            return None
    return exc


def bad_header_error(exc: BaseException, prepared, headers) -> Exception:
    """The HTTP library refused the request with a ``ValueError``: mostly a
    header that reached it after our checks (changed on the prepared request,
    or added by the session), named with its value never shown; else the
    failure, described with secrets masked."""
    from .errors import RequestValidationError
    from .headers import header_problems

    problems = header_problems(headers)
    if problems:
        return RequestValidationError(prepared.operation_id, problems)
    return APIConnectionError(f"{prepared.method} {prepared.masked_url} failed: {_describe(exc, prepared)}",
                              request=prepared)
