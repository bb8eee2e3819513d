"""One call's way through the network, worked out without touching it: the
attempts, the waits between them, the redirects followed hop by hop, and
what a failure becomes.  Both transports run it, so the synchronous and the
asynchronous client cannot drift apart; each only does the I/O its library
does (:mod:`._transport` with requests, :mod:`._async_transport` with httpx).

:meth:`Exchange.steps` is a generator that says what to do next, as
``(kind, what)`` pairs, and is sent what happened:

* ``(SEND, request)``: send this :class:`Request` once, without following
  redirects, the body left on the wire; answer with the library's response,
  or with :class:`Failed` holding the exception the library raised.
* ``(CLOSE, raw)``: drop this response (a redirect, or an error status that
  is retried); answer ``None``.
* ``(WAIT, seconds)``: sleep that long (always more than 0); answer ``None``.
* ``(DONE, raw)``: the answer to hand on; the generator is finished.

The generator raises what the call ends with: the translated connection
failure (:mod:`._failures`), :class:`~openapi_dyn.RedirectError`, or
:class:`~openapi_dyn.RequestValidationError` for a header the library
refused.  Which failures are retried and how long to wait is
:mod:`._retrying`; how a redirect is followed is :mod:`._redirects`.
"""
from __future__ import annotations

import logging
from typing import Any, List, NamedTuple, Optional, Sequence, Tuple, Union
from urllib.parse import urlsplit

from .._errors import MissingCredentialsError, UsageError
from .._answer.failures import bad_header_error, translated
from .logmask import log_masker
from .._call.redact import mask_url
from .redirects import Hop, is_redirect, next_request, too_many
from .retrying import Attempts
from .wire import add_identity

log = logging.getLogger("openapi_dyn")

Timeout = Union[None, float, Tuple[float, float]]
DEFAULT_TIMEOUT: Tuple[float, float] = (5.0, 600.0)  # connect, read (seconds)
#: The largest body read whole, and the most an event stream may send
#: between two events (``Client(max_response_bytes=...)``).
DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024

#: The loggers whose records are masked besides urllib3's, requests' and this
#: library's (see :mod:`._logmask`): httpx's and httpcore's, which the
#: asynchronous client writes to.
ASYNC_LOGGERS = ("httpx", "httpcore")

SEND, CLOSE, WAIT, DONE = "send", "close", "wait", "done"

#: How a send failed, besides :data:`~.retrying.CONNECT` and
#: :data:`~.retrying.READ`: the library refused the request itself (a header
#: value http.client will not send).
REFUSED = "refused"


def normalize_timeout(timeout: Any) -> Tuple[Optional[float], Optional[float]]:
    """``10`` -> ``(10, 10)``; ``(3, 60)`` stays; ``None`` -> the default."""
    if timeout is None:
        return DEFAULT_TIMEOUT
    if isinstance(timeout, (tuple, list)):
        connect, read = timeout
        return (connect, read)
    return (float(timeout), float(timeout))


class Request(NamedTuple):
    """One request to put on the wire: ``headers`` is the transport's own
    case-insensitive mapping; ``crossed`` is true once a redirect went to
    another origin: the transport then drops every credential its library
    adds (a caller's session or http client headers, auth and cookies) with
    :func:`~openapi_dyn._http.redirects.drop_credentials`, given ``secrets``."""

    method: str
    url: str
    headers: Any
    body: Any
    crossed: bool
    secrets: Sequence[str] = ()


class Failed(NamedTuple):
    """The answer to ``SEND`` when the HTTP library raised ``error``;
    ``how`` is :data:`~.retrying.CONNECT` (the request cannot have reached
    the server), :data:`~.retrying.READ` or :data:`REFUSED`."""

    error: BaseException
    how: str


def strip_query(url: Optional[str]) -> str:
    return (url or "").split("?", 1)[0]  # query strings may carry API keys


def secret_values(prepared) -> List[str]:
    """The secret values of a prepared request (what a redirect to another
    origin must not carry)."""
    places = prepared.secret_places
    return list(places.values) if places else []


def body_position(body: Any) -> Optional[int]:
    """Where a seekable file body starts, to rewind it for another attempt
    (bytes and re-iterable bodies need nothing)."""
    if body is None or isinstance(body, (bytes, str)) or not hasattr(body, "seek"):
        return None
    try:
        return body.tell()
    except (OSError, ValueError):
        return None


def check_port(url: str, operation_id: str) -> None:
    """Refuse a URL whose port no connection can reach (``:0``, ``:70000``,
    ``:http``) with a :class:`~openapi_dyn.UsageError`: every HTTP library
    fails on it differently, and trying again cannot help."""
    try:
        port = urlsplit(url).port
    except ValueError as exc:
        raise UsageError(f"{operation_id}: the URL's port is not a port number from 1 to 65535 ({exc}); "
                         f"check base_url or the spec's servers") from None
    if port == 0:
        raise UsageError(f"{operation_id}: the URL's port is 0, which no server listens on; check base_url "
                         f"or the spec's servers")


class Exchange:
    """The sending of one :class:`~openapi_dyn.PreparedRequest` by
    ``transport`` (which gives the settings: ``timeout``, ``max_retries``,
    ``retry_rules``, the retry timing, ``follow_redirects``,
    ``max_redirects``, ``max_response_bytes``, ``accept_encoding``, the
    ``headers_class`` of its library and the headers its caller's client
    sets, ``given_headers()``).  ``timeout`` and ``max_retries`` are the
    call's own, ``None`` for the transport's."""

    __slots__ = ("transport", "prepared", "timeout", "attempts", "start", "not_retried")

    def __init__(self, transport, prepared, timeout: Timeout = None, max_retries: Optional[int] = None):
        if prepared.missing_credentials:
            raise MissingCredentialsError(prepared.missing_credentials)
        check_port(prepared.url, prepared.operation_id)
        self.transport = transport
        self.prepared = prepared
        self.timeout = normalize_timeout(timeout) if timeout is not None else transport.timeout
        wanted = transport.max_retries if max_retries is None else max_retries
        self.attempts = Attempts(transport.retry_rules, transport, wanted, prepared.method, prepared.headers,
                                 prepared.replayable, prepared.url)
        if prepared.secret_places:
            log_masker.remember(prepared.secret_places, transport)  # forgotten with the transport
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s", prepared.method, prepared.masked_url)
        self.start = body_position(prepared.body)
        self.not_retried = wanted > 0 and not prepared.replayable

    def drive(self, io) -> Any:
        """Run :meth:`steps` with ``io(kind, what, exchange)`` doing each
        step's I/O (a synchronous transport's way); returns the answer."""
        steps = self.steps()
        reply = None
        while True:
            kind, what = steps.send(reply)
            if kind is DONE:
                return what
            reply = io(kind, what, self)

    def steps(self):
        """The generator described in the module docstring."""
        prepared, attempts = self.prepared, self.attempts
        while True:
            raw = yield from self._attempt()
            if isinstance(raw, Failed):
                wait = None
                if raw.how == REFUSED:
                    error, cause = bad_header_error(raw.error, prepared, prepared.headers), None
                else:
                    wait = attempts.after_error(raw.how, raw.error)
                    if wait is None:
                        error, cause = translated(raw.error, prepared, timeout_pair=self.timeout,
                                                  attempts=attempts.made, not_retried=self.not_retried)
                if wait is None:
                    raise error from cause
            elif raw.status_code < 400:
                break
            else:
                wait = attempts.after_status(raw.status_code, raw.headers)
                if wait is None:
                    break
                yield CLOSE, raw
            if wait > 0:
                yield WAIT, wait
        raw.openapi_dyn_attempts = attempts.made
        # read by raise_for_status(): an error status here was not retried
        # only because the body could not be sent again
        raw.openapi_dyn_not_retried = self.not_retried
        raw.openapi_dyn_max_bytes = self.transport.max_response_bytes
        yield DONE, raw

    def _attempt(self):
        """One attempt: send, and follow redirects hop by hop; returns the
        last answer (or :class:`Failed`)."""
        prepared, transport = self.prepared, self.transport
        headers = transport.headers_class(prepared.headers)
        add_identity(headers, prepared.operation, transport.accept_encoding, transport.given_headers())
        method, url, body = prepared.method, prepared.url, prepared.body
        start = self.start
        if start is not None:
            body.seek(start)
        hops: List[Hop] = []
        crossed = False
        signer = getattr(prepared, "signer", None)
        secrets = secret_values(prepared)
        while True:
            if signer is not None:  # per attempt and hop, over the exact bytes sent; never for another origin
                signer.sign(method, url, headers, body, crossed)
            raw = yield SEND, Request(method, url, headers, body, crossed, secrets)
            if isinstance(raw, Failed):
                return raw
            if not transport.follow_redirects or not is_redirect(raw.status_code, raw.headers):
                raw.openapi_dyn_history = hops
                return raw
            location = raw.headers["Location"]
            yield CLOSE, raw
            hops.append(Hop(raw.status_code, mask_url(url, prepared.secret_places), mask_url(location, prepared.secret_places)))
            if len(hops) > transport.max_redirects:
                raise too_many(prepared.operation_id, hops)
            nxt = next_request(raw.status_code, location, method, url, dict(headers.items()), secrets,
                               body is not None, prepared.replayable, prepared.operation_id)
            method, url = nxt.method, nxt.url
            headers = transport.headers_class(nxt.headers)
            crossed = crossed or nxt.cross_origin
            if not nxt.keep_body:
                body = None
            elif start is not None:
                body.seek(start)
            log.debug("redirected (%s) to %s", raw.status_code, strip_query(url))

