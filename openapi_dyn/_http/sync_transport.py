"""Sending with requests: one pooled :class:`requests.Session`, timeouts,
retries, redirects, and the translation of requests' exceptions into
openapi_dyn's own.

Nothing outside this module touches requests' exceptions; a caller sees
:class:`~openapi_dyn.APIConnectionError` or :class:`~openapi_dyn.APITimeoutError`
with the original as ``__cause__``, unless the original's text shows a
secret of the request (urllib3 puts the whole URL, query string and all, in
its messages): then the cause is left out (not even as ``__context__``) and
its description, masked, is in the message.

What to send, when to retry, which redirects to follow and what a failure
becomes is worked out by :class:`~openapi_dyn._http.exchange.Exchange`, shared
with the asynchronous transport; this module only does requests' I/O.

Retries: up to ``max_retries`` (default 2) more attempts.  Which failures
are retried and how long to wait is decided in :mod:`._retrying`: the vendor profile's
:class:`~openapi_dyn._spec.profile.RetryRules` (for the bundled vendors, as their
SDKs do, every method on 408, 409, 429 and 5xx, the server's
``x-should-retry`` obeyed first; for a spec without a profile only
idempotent methods or requests carrying an ``Idempotency-Key``), and
``Retry-After``/``retry-after-ms`` or an exponential backoff with jitter.  A
connection that fails before the request reached the server is retried
whatever the method.  Nothing is retried once the answer's headers have
been handed on: an event stream cut off after its first event is the
caller's to handle.

Redirects are followed here, hop by hop, by the rules of :mod:`._redirects`.

The session: without one the transport makes its own (plain
:class:`~requests.adapters.HTTPAdapter`\\ s keeping up to
``max_connections`` connections per host, no urllib3 retries of their own)
and closes it with the client.  A caller's session is used as it is: its
headers, cookies, auth, proxies, ``verify``/``cert`` and mounted adapters
apply to every request at the call's origin (its credentials are dropped
after a redirect to another origin, see :mod:`._redirects`), the URL is sent
exactly as serialized, and it is never closed by the client.
"""
from __future__ import annotations

import time
from typing import Any, Dict, Optional
from urllib.parse import urlencode

import requests
from requests.adapters import HTTPAdapter

from .exchange import ASYNC_LOGGERS, CLOSE, DEFAULT_MAX_RESPONSE_BYTES, REFUSED, SEND, Exchange, Failed, Timeout, normalize_timeout
from .._answer.failures import chain
from .._spec.profile import RetryRules
from .redirects import MAX_REDIRECTS, drop_credentials
from .retrying import CONNECT, READ, RetryTiming
# Log records of urllib3 (request lines with their query strings, retries
# with the URL), requests and this library are masked: see logmask.LogMasker.
from .logmask import protect_loggers

__all__ = ["Transport", "DEFAULT_POOL_SIZE", "failure_kind"]

#: Connections kept per host by a client's own session unless
#: ``max_connections=`` says otherwise (requests' own default).
DEFAULT_POOL_SIZE = 10


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
    :class:`~openapi_dyn.PreparedRequest`\\ s.

    The retry timing can be tuned on the instance (``client.transport``):
    ``backoff_factor`` (0.5 s), ``backoff_max`` (8 s), ``backoff_jitter``
    (0.25 s) and ``retry_after_max`` (60 s: a longer ``Retry-After`` is
    shortened to it); ``follow_redirects`` (on) and ``max_redirects`` (20).
    """

    follow_redirects = True
    max_redirects = MAX_REDIRECTS
    headers_class = requests.structures.CaseInsensitiveDict

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
        raw = Exchange(self, prepared, timeout, max_retries).drive(self._io)
        if not stream:
            from .._answer.reading import read_all

            read_all(raw, prepared)
        return raw

    def given_headers(self) -> Dict[str, str]:
        """Headers a caller's session sets (none for the transport's own)."""
        return {} if self.owns_session else _session_given(self.session)

    def _io(self, kind: str, what: Any, exchange: Exchange) -> Any:
        """Do one step of an :class:`~openapi_dyn._http.exchange.Exchange`."""
        if kind is SEND:
            try:
                # left on the wire by requests (which would read it whole,
                # however large): read later, within max_response_bytes
                return self._send_once(what, exchange.timeout)
            except requests.RequestException as exc:
                return Failed(exc, failure_kind(exc))
            except ValueError as exc:  # http.client refusing a header that bypassed our checks
                return Failed(exc, REFUSED)
        if kind is CLOSE:
            what.close()
        else:
            time.sleep(what)
        return None

    def _send_once(self, request, timeout_pair) -> requests.Response:
        session = self.session
        method, url, headers, body = request.method, request.url, request.headers, request.body
        if self.owns_session:
            req = _build(method, url, headers, body)
        else:
            req = _with_session(session, method, url, headers, body, request.crossed)
            if request.crossed:
                drop_credentials(req.headers, request.secrets)
        return session.send(req, timeout=timeout_pair, allow_redirects=False,
                            **self._environment_settings(url, True))

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


def _with_session(session: requests.Session, method: str, url: str, headers: Any, body: Any,
                  crossed: bool) -> requests.PreparedRequest:
    """The request as a caller's ``session`` makes it (its headers, cookies
    and auth merged in; none of its auth on a hop to another origin), on
    the URL exactly as serialized: requests' preparation re-quotes a URL,
    turning ``%2E%2E`` back into a ``..`` segment the server resolves."""
    req = session.prepare_request(requests.Request(method, url, headers=headers, data=body, auth=_no_auth))
    req.url = url
    if session.params:  # the session's own query parameters, encoded as requests would
        extra = urlencode(list(session.params.items()) if isinstance(session.params, dict) else session.params,
                          doseq=True)
        if extra:
            req.url = url + ("&" if "?" in url else "?") + extra
    if not crossed:
        auth = session.auth
        if auth is None and session.trust_env:
            auth = requests.utils.get_netrc_auth(url)
        if auth is not None:
            req.prepare_auth(auth, url)
    return req


def _build(method: str, url: str, headers: requests.structures.CaseInsensitiveDict,
           body: Any) -> requests.PreparedRequest:
    """A :class:`requests.PreparedRequest` made directly from what
    :mod:`._request` already encoded (requests' own preparation would parse
    and re-encode the URL and merge the session's settings again)."""
    req = requests.PreparedRequest()
    req.method = method
    req.url = url
    req.headers = headers  # a CaseInsensitiveDict made for this attempt
    req.body = body
    # an empty jar of its own (requests' public way to give it one): requests
    # works out a redirect's next request, cookies included, even when it does
    # not follow it; no Cookie header comes of it
    req.prepare_cookies(requests.cookies.RequestsCookieJar())
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


def failure_kind(exc: BaseException) -> str:
    """:data:`~.retrying.CONNECT` when the request cannot have reached the
    server (refused, unreachable, connect timeout), else
    :data:`~.retrying.READ`."""
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

    for e in chain(exc):
        if isinstance(e, (requests.ConnectTimeout, ConnectTimeoutError, NewConnectionError)):
            return CONNECT
    return READ
