"""Sending with requests: one pooled :class:`requests.Session`, timeouts,
retries, redirects, and the translation of requests' exceptions into
openapi_dyn's own.

Nothing outside this module touches requests' exceptions; a caller sees
:class:`~openapi_dyn.APIConnectionError` or :class:`~openapi_dyn.APITimeoutError`
with the original as ``__cause__``, unless the original's text shows a
secret of the request (urllib3 puts the whole URL, query string and all, in
its messages): then the cause is left out (not even as ``__context__``) and
its description, masked, is in the message.

Retries: up to ``max_retries`` (default 2) more attempts.  Which failures
are retried and how long to wait is decided in :mod:`.retrying`, shared with
the asynchronous transport: the vendor profile's
:class:`~openapi_dyn._profile.RetryRules` (for the bundled vendors, as their
SDKs do, every method on 408, 409, 429 and 5xx, the server's
``x-should-retry`` obeyed first; for a spec without a profile only
idempotent methods or requests carrying an ``Idempotency-Key``), and
``Retry-After``/``retry-after-ms`` or an exponential backoff with jitter.  A
connection that fails before the request reached the server is retried
whatever the method.  Nothing is retried once the answer's headers have
been handed on: an event stream cut off after its first event is the
caller's to handle.

Redirects are followed here, hop by hop, by the rules of :mod:`.redirects`.

The session: without one the transport makes its own (plain
:class:`~requests.adapters.HTTPAdapter`\\ s keeping up to
``max_connections`` connections per host, no urllib3 retries of their own)
and closes it with the client.  A caller's session is used as it is: its
headers, cookies, auth, proxies, ``verify``/``cert`` and mounted adapters
apply to every request, and it is never closed by the client.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Dict, List, Optional, Tuple, Union

import requests
from requests.adapters import HTTPAdapter

from ._errors import APIConnectionError, APITimeoutError, MissingCredentialsError
from ._profile import DEFAULT_RETRY_STATUSES, RetryRules
from ._redirects import MAX_REDIRECTS, Hop, is_redirect, next_request, too_many
from ._retrying import CONNECT, READ, Attempts, RetryTiming
from ._wire import add_identity
# Log records of urllib3 (request lines with their query strings, retries
# with the URL), requests and this library are masked: see logmask.LogMasker.
from ._logmask import log_masker as _log_masker
from ._logmask import protect_loggers
from ._redact import mask_url

log = logging.getLogger("openapi_dyn")

Timeout = Union[None, float, Tuple[float, float]]
DEFAULT_TIMEOUT: Tuple[float, float] = (5.0, 600.0)  # connect, read (seconds)
#: The largest body read whole, and the most an event stream may send
#: between two events (``Client(max_response_bytes=...)``).
DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024

#: Connections kept per host by a client's own session unless
#: ``max_connections=`` says otherwise (requests' own default).
DEFAULT_POOL_SIZE = 10

#: Answers worth another attempt by default: timeouts, lock conflicts, rate
#: limits, server errors (the official SDKs' list).
RETRY_STATUSES = DEFAULT_RETRY_STATUSES

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


#: The loggers whose records are masked besides urllib3's, requests' and this
#: library's (see :mod:`.logmask`): httpx's and httpcore's, which the
#: asynchronous client writes to.
ASYNC_LOGGERS = ("httpx", "httpcore")


def _strip_query(url: Optional[str]) -> str:
    return (url or "").split("?", 1)[0]  # query strings may carry API keys


def _no_auth(request):
    """Stands for "no auth" on a hop to another origin, where a caller's
    session auth must not follow the request."""
    return request


def _session_given(session: requests.Session) -> Dict[str, str]:
    """Headers a caller's session sets on purpose (lower-cased name ->
    value): its headers minus requests' stock defaults."""
    stock = requests.utils.default_headers()
    return {k.lower(): v for k, v in session.headers.items() if stock.get(k) != v}


class Transport(RetryTiming):
    """Owns (or borrows) the session; sends
    :class:`~openapi_dyn._request.PreparedRequest`\\ s.

    The retry timing can be tuned on the instance (``client.transport``):
    ``backoff_factor`` (0.5 s), ``backoff_max`` (8 s), ``backoff_jitter``
    (0.25 s) and ``retry_after_max`` (60 s: a longer ``Retry-After`` is
    shortened to it); ``follow_redirects`` (on) and ``max_redirects`` (20).
    """

    follow_redirects = True
    max_redirects = MAX_REDIRECTS

    def __init__(self, session: Optional[requests.Session] = None, timeout: Timeout = None,
                 max_retries: int = 2, retry_rules: Optional[RetryRules] = None,
                 max_connections: Optional[int] = None, max_response_bytes: Optional[int] = None):
        self.owns_session = session is None
        if session is None:
            session = requests.Session()
            size = max_connections or DEFAULT_POOL_SIZE
            for prefix in ("http://", "https://"):
                session.mount(prefix, HTTPAdapter(pool_connections=size, pool_maxsize=size, max_retries=0))
        self.session = session
        self.timeout = normalize_timeout(timeout)
        self.max_retries = max_retries
        self.retry_rules = retry_rules or RetryRules()
        self.max_response_bytes = DEFAULT_MAX_RESPONSE_BYTES if max_response_bytes is None else max_response_bytes
        protect_loggers(ASYNC_LOGGERS)
        self._env_settings: dict = {}  # see _environment_settings
        import urllib3

        self.accept_encoding: str = urllib3.util.make_headers(accept_encoding=True)["accept-encoding"]

    def send(self, prepared, *, timeout: Timeout = None, max_retries: Optional[int] = None,
             stream: bool = False) -> requests.Response:
        """Send ``prepared``, following redirects and retrying as the rules
        say; with ``stream=True`` the body is left unread (for event streams
        and downloads)."""
        if prepared.missing_credentials:
            raise MissingCredentialsError(prepared.missing_credentials)
        timeout_pair = normalize_timeout(timeout) if timeout is not None else self.timeout
        wanted = self.max_retries if max_retries is None else max_retries
        attempts = Attempts(self.retry_rules, self, wanted, prepared.method, prepared.headers,
                            prepared.replayable, prepared.url)
        if prepared._secrets:
            _log_masker.remember(prepared._secrets)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s", prepared.method, prepared.masked_url)
        start = _body_position(prepared.body)
        not_retried = wanted > 0 and not prepared.replayable
        while True:
            error: Optional[BaseException] = None
            try:
                # left on the wire by requests (which would read it whole,
                # however large): read below, within max_response_bytes
                raw = self._follow(prepared, timeout_pair, True, start)
            except requests.RequestException as exc:
                wait = attempts.after_error(failure_kind(exc), exc)
                if wait is None:
                    error, cause = translated(exc, prepared, timeout_pair=timeout_pair,
                                              attempts=attempts.made, not_retried=not_retried)
            except ValueError as exc:  # http.client refusing a header that bypassed our checks
                error, cause = bad_header_error(exc, prepared, prepared.headers), None
            else:
                wait = None
            if error is not None:
                # raised here, outside the except clause: a cause left out
                # (it shows a secret) must not come back as __context__
                raise error from cause
            if wait is not None:
                _sleep(wait)
                continue
            if raw.status_code < 400:
                break
            wait = attempts.after_status(raw.status_code, raw.headers)
            if wait is None:
                break
            raw.close()
            _sleep(wait)
        raw.openapi_dyn_attempts = attempts.made
        # read by raise_for_status(): an error status here was not retried
        # only because the body could not be sent again
        raw.openapi_dyn_not_retried = not_retried
        raw.openapi_dyn_max_bytes = self.max_response_bytes
        if not stream:
            from ._response import read_all

            read_all(raw, prepared)
        return raw

    def _follow(self, prepared, timeout_pair, stream: bool, start: Optional[int]) -> requests.Response:
        """One attempt: send, and follow redirects hop by hop."""
        session = self.session
        own = self.owns_session
        given = {} if own else _session_given(session)
        headers = requests.structures.CaseInsensitiveDict(prepared.headers)
        add_identity(headers, prepared.operation, self.accept_encoding, given)
        method, url, body = prepared.method, prepared.url, prepared.body
        if start is not None:
            body.seek(start)
        hops: List[Hop] = []
        crossed = False
        while True:
            if own:
                req = _build(method, url, headers, body)
            else:
                req = session.prepare_request(requests.Request(
                    method, url, headers=headers, data=body, auth=_no_auth if crossed else None))
            raw = session.send(req, timeout=timeout_pair, allow_redirects=False,
                               **self._environment_settings(url, stream))
            if not self.follow_redirects or not is_redirect(raw.status_code, raw.headers):
                raw.openapi_dyn_history = hops
                return raw
            location = raw.headers["Location"]
            raw.close()
            hops.append(Hop(raw.status_code, mask_url(url, prepared._secrets), mask_url(location, prepared._secrets)))
            if len(hops) > self.max_redirects:
                raise too_many(prepared.operation_id, hops)
            nxt = next_request(raw.status_code, location, method, url, headers, _secret_values(prepared),
                               body is not None, prepared.replayable, prepared.operation_id)
            method, url = nxt.method, nxt.url
            headers = requests.structures.CaseInsensitiveDict(nxt.headers)
            crossed = crossed or nxt.cross_origin
            if not nxt.keep_body:
                body = None
            elif start is not None:
                body.seek(start)
            log.debug("redirected (%s) to %s", raw.status_code, _strip_query(url))

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
        """Close the session if this transport made it (a caller's session
        is the caller's to close)."""
        if self.owns_session:
            self.session.close()


def _build(method: str, url: str, headers: requests.structures.CaseInsensitiveDict,
           body: Any) -> requests.PreparedRequest:
    """A :class:`requests.PreparedRequest` made directly from what
    :mod:`.request` already encoded (requests' own preparation would parse
    and re-encode the URL and merge the session's settings again)."""
    req = requests.PreparedRequest()
    req.method = method
    req.url = url
    req.headers = headers  # a CaseInsensitiveDict made for this attempt
    req.body = body
    req._cookies = requests.cookies.RequestsCookieJar()
    if body is None:
        if method in ("POST", "PUT", "PATCH"):
            req.headers["Content-Length"] = "0"
    elif isinstance(body, (bytes, str)):
        req.headers["Content-Length"] = str(len(body))
    else:
        ctype = req.headers.get("Content-Type")
        req.prepare_body(body, None)  # streamed: chunked transfer or known length
        if ctype:
            req.headers["Content-Type"] = ctype
    return req


def _sleep(seconds: float) -> None:
    if seconds > 0:
        time.sleep(seconds)


def failure_kind(exc: BaseException) -> str:
    """:data:`~.retrying.CONNECT` when the request cannot have reached the
    server (refused, unreachable, connect timeout), else
    :data:`~.retrying.READ`."""
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

    for e in _chain(exc):
        if isinstance(e, (requests.ConnectTimeout, ConnectTimeoutError, NewConnectionError)):
            return CONNECT
    return READ


def _secret_values(prepared) -> List[str]:
    """The secret values of a prepared request (what a redirect to another
    origin must not carry)."""
    places = prepared._secrets
    return list(places.values) if places else []


def _body_position(body: Any) -> Optional[int]:
    """Where a seekable file body starts, to rewind it for another attempt
    (bytes and re-iterable bodies need nothing)."""
    if body is None or isinstance(body, (bytes, str)) or not hasattr(body, "seek"):
        return None
    try:
        return body.tell()
    except (OSError, ValueError):
        return None


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
                    not_retried: bool = False, attempts: Optional[int] = None) -> APIConnectionError:
    """requests'/urllib3's (or httpx's) exception -> :class:`APIConnectionError`
    or :class:`APITimeoutError`, message saying what failed, how many
    attempts were made and (for one-shot bodies) why there was only one."""
    from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError, ReadTimeoutError

    chain = list(_chain(exc))
    if attempts is None:
        exhausted = any(isinstance(e, MaxRetryError) for e in chain)
        attempts = retries + 1 if exhausted else 1
    tail = f" after {attempts} attempts" if attempts > 1 else ""
    if not_retried:
        tail += f" ({NOT_REPLAYABLE})"
    what = f"{prepared.method} {prepared.masked_url}"
    # urllib3's NewConnectionError (refused, unreachable) subclasses
    # ConnectTimeoutError for historical reasons; it is not a timeout.
    if any(isinstance(e, (requests.ConnectTimeout, ConnectTimeoutError)) and not isinstance(e, NewConnectionError)
           or _is_httpx(e, "ConnectTimeout", "PoolTimeout") for e in chain) \
            and not isinstance(chain[-1], NewConnectionError):
        limit = f" (connect timeout {timeout_pair[0]} s)" if timeout_pair else ""
        return APITimeoutError(f"{what}: could not connect in time{limit}{tail}", request=prepared)
    if any(isinstance(e, (requests.ReadTimeout, ReadTimeoutError)) or _is_httpx(e, "ReadTimeout", "WriteTimeout")
           for e in chain):
        limit = f" (read timeout {timeout_pair[1]} s)" if timeout_pair else ""
        return APITimeoutError(f"{what}: the server did not answer in time{limit}{tail}", request=prepared)
    return APIConnectionError(f"{what} failed{tail}: {_describe(chain[-1], prepared)}", request=prepared)


def _is_httpx(exc: BaseException, *names: str) -> bool:
    """Is ``exc`` one of httpx's exception classes ``names`` (checked by
    name: this module does not import httpx)?"""
    return type(exc).__module__.startswith("httpx") and any(
        c.__name__ in names for c in type(exc).__mro__)


def _describe(exc: BaseException, prepared) -> str:
    """A one-line reason for a connection failure, with secrets masked."""
    from ._redact import mask_places_text

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


def translated(exc: BaseException, prepared, **how: Any):
    """``(error, cause)`` for a failure of the HTTP library: the
    :func:`translate_error` to raise, and the cause it may be chained to
    (``None`` when ``exc`` shows a secret; see :func:`safe_cause`).  Raise it
    as ``raise error from cause`` outside the ``except`` clause, so a cause
    left out does not come back as ``__context__``."""
    return translate_error(exc, prepared, **how), safe_cause(exc, prepared)


def bad_header_error(exc: BaseException, prepared, headers) -> Exception:
    """The HTTP library refused the request with a ``ValueError``: mostly a
    header that reached it after our checks (changed on the prepared request,
    or added by the session), named with its value never shown; else the
    failure, described with secrets masked."""
    from ._errors import RequestValidationError
    from ._headers import header_problems

    problems = header_problems(headers)
    if problems:
        return RequestValidationError(prepared.operation_id, problems)
    return APIConnectionError(f"{prepared.method} {prepared.masked_url} failed: {_describe(exc, prepared)}",
                              request=prepared)
