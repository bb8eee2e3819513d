"""Sending with httpx, for :class:`~openapi_dyn.AsyncClient`: the I/O of
the :class:`~openapi_dyn._http.exchange.Exchange` that :mod:`._transport` runs too
(retries and waits from :mod:`._retrying`, redirects from :mod:`._redirects`,
identity headers from :mod:`._wire`, errors translated by :mod:`._failures`),
with the event loop's sleep.

Without an ``http_client=`` the transport makes its own
:class:`httpx.AsyncClient` (at most ``max_connections`` connections, 100 by
default, kept alive between calls) and closes it with the client; when
aiohttp is installed (the ``fast`` extra) that client's connections are
aiohttp's (:mod:`._aiohttp_transport`), which cost far less per request than
httpx's own pool with many requests in flight.  A
caller's ``httpx.AsyncClient`` is used as it is (its headers, cookies, auth,
proxies, TLS settings, transport and limits; its credentials dropped after
a redirect to another origin, see :mod:`._redirects`) and never closed by
the client.

A transport belongs to the event loop it first sends on (its connections
do): a send from another loop is a :class:`~openapi_dyn.UsageError`.
"""
from __future__ import annotations

import asyncio
import http.cookiejar
import os
from typing import Any, AsyncIterator, Dict, Optional

import anyio
import httpx

from .exchange import ASYNC_LOGGERS, CLOSE, DEFAULT_MAX_RESPONSE_BYTES, DONE, SEND, Exchange, Failed, Timeout, normalize_timeout
from .._errors import UsageError
from .logmask import protect_loggers
from .._spec.profile import RetryRules
from .redirects import MAX_REDIRECTS, drop_credentials
from .retrying import CONNECT, READ, RetryTiming


#: Connections an AsyncClient's own pool holds at most, unless
#: ``max_connections=`` says otherwise.
DEFAULT_MAX_CONNECTIONS = 100

#: What httpx sends by itself; a caller's client that changed one of these
#: set it on purpose.
_STOCK = {"accept": "*/*", "connection": "keep-alive"}

_CHUNK = 64 * 1024


def _given(client: httpx.AsyncClient) -> Dict[str, str]:
    out = {}
    for k, v in client.headers.items():
        k = k.lower()
        if _STOCK.get(k) == v or k == "accept-encoding" or (k == "user-agent" and v.startswith("python-httpx/")):
            continue
        out[k] = v
    return out


class _AsyncBody:
    """A streamed request body (a file, a path, a multipart body, an
    iterable of bytes) handed to httpx as the async iterable it needs; the
    blocks are read from the source as httpx asks for them."""

    def __init__(self, body: Any):
        self.body = body

    async def __aiter__(self) -> AsyncIterator[bytes]:
        body = self.body
        if hasattr(body, "read"):
            while True:
                block = body.read(_CHUNK)
                if not block:
                    return
                yield block.encode("utf-8") if isinstance(block, str) else block
        else:
            for block in body:
                yield block.encode("utf-8") if isinstance(block, str) else block


def _length(body: Any) -> Optional[int]:
    """The bytes a streamed body will send, when that can be known."""
    try:
        return len(body)
    except TypeError:
        pass
    if hasattr(body, "fileno") and hasattr(body, "tell"):
        try:
            return os.fstat(body.fileno()).st_size - body.tell()
        except (OSError, ValueError, AttributeError):
            return None
    return None


def failure_kind(exc: httpx.HTTPError) -> str:
    """:data:`~.retrying.CONNECT` when the request cannot have reached the
    server, else :data:`~.retrying.READ`."""
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return CONNECT
    return READ


class _NoCookies(http.cookiejar.CookieJar):
    """The cookie jar of the transport's own client: keeps nothing, as the
    synchronous client's own session does, so a cookie one answer sets never
    rides along with a later call (perhaps another tenant's).  A caller's
    http client keeps its own jar."""

    def set_cookie(self, cookie) -> None:
        return None

    def extract_cookies(self, response, request) -> None:
        return None


#: Whether an AsyncClient's own pool is aiohttp's when aiohttp is installed
#: (switched off to run on httpx's own pool, as the transport tests do).
PREFER_AIOHTTP = True


def _own_pool(size: int) -> Dict[str, Any]:
    """The ``httpx.AsyncClient`` arguments of the transport's own pool:
    aiohttp's connections when installed (many times cheaper than
    httpcore's under load), else httpx's own."""
    if PREFER_AIOHTTP:
        try:
            from .aiohttp_transport import AiohttpTransport
        except ImportError:
            pass
        else:
            return {"transport": AiohttpTransport(size)}
    return {"limits": httpx.Limits(max_connections=size, max_keepalive_connections=size)}


class AsyncTransport(RetryTiming):
    """Owns (or borrows) an :class:`httpx.AsyncClient`; sends
    :class:`~openapi_dyn.PreparedRequest`\\ s.  Tunable like
    :class:`~openapi_dyn._http.sync_transport.Transport`."""

    follow_redirects = True
    max_redirects = MAX_REDIRECTS
    headers_class = httpx.Headers

    def __init__(self, http_client: Optional[httpx.AsyncClient] = None, timeout: Timeout = None,
                 max_retries: int = 2, retry_rules: Optional[RetryRules] = None,
                 max_connections: Optional[int] = None, max_response_bytes: Optional[int] = None):
        protect_loggers(ASYNC_LOGGERS)
        self.max_response_bytes = DEFAULT_MAX_RESPONSE_BYTES if max_response_bytes is None else max_response_bytes
        self.owns_client = http_client is None
        if http_client is None:
            size = max_connections or DEFAULT_MAX_CONNECTIONS
            http_client = httpx.AsyncClient(follow_redirects=False, cookies=_NoCookies(), **_own_pool(size))
        self.http_client = http_client
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self.timeout = normalize_timeout(timeout)
        self.max_retries = max_retries
        self.retry_rules = retry_rules or RetryRules()
        # httpx asks for what it can decode (br when a Brotli package is installed)
        self.accept_encoding = http_client.headers.get("accept-encoding") or "gzip, deflate"

    async def send(self, prepared, *, timeout: Timeout = None, max_retries: Optional[int] = None,
                   stream: bool = False) -> httpx.Response:
        """Send ``prepared``; the body is left on the wire whatever
        ``stream`` says (:mod:`._async_response` reads it, within
        ``max_response_bytes``)."""
        self._check_loop()
        exchange = Exchange(self, prepared, timeout, max_retries)
        connect, read = exchange.timeout
        limits = httpx.Timeout(read, connect=connect)
        steps = exchange.steps()
        kind, what = next(steps)
        while kind is not DONE:
            if kind is SEND:
                try:
                    what = await self._send_once(what, limits)
                except httpx.HTTPError as exc:
                    what = Failed(exc, failure_kind(exc))
            elif kind is CLOSE:
                what = await what.aclose()
            else:
                what = await anyio.sleep(what)
            kind, what = steps.send(what)
        return what

    def given_headers(self) -> Dict[str, str]:
        """Headers a caller's client sets (none for the transport's own)."""
        return {} if self.owns_client else _given(self.http_client)

    def _request(self, method: str, url: str, headers, body: Any, limits: httpx.Timeout) -> httpx.Request:
        if body is None or isinstance(body, (bytes, str)):
            return self.http_client.build_request(method, url, headers=headers, content=body, timeout=limits)
        size = _length(body)
        if size is not None:
            headers = httpx.Headers(headers)
            headers["Content-Length"] = str(size)
        return self.http_client.build_request(method, url, headers=headers, content=_AsyncBody(body),
                                              timeout=limits)

    async def _send_once(self, request, limits: httpx.Timeout) -> httpx.Response:
        built = self._request(request.method, request.url, request.headers, request.body, limits)
        if not self.owns_client and self.http_client.params:
            # httpx merging its client's params drops the query the URL had:
            # the URL as serialized, the client's parameters after it
            extra = str(self.http_client.params)
            built.url = httpx.URL(request.url + ("&" if "?" in request.url else "?") + extra)
        if request.crossed:
            drop_credentials(built.headers, request.secrets)
            return await self.http_client.send(built, stream=True, follow_redirects=False, auth=None)
        return await self.http_client.send(built, stream=True, follow_redirects=False)

    def _check_loop(self) -> None:
        """An httpx client's connections belong to the event loop they were
        opened on; from another loop (a second ``asyncio.run()``) they fail
        with "Event loop is closed" or hang.  Refused with one clear error
        on every path instead."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # another async library (trio through anyio): nothing to compare
            return
        if self._loop is None:
            self._loop = loop
        elif self._loop is not loop:
            raise UsageError("this AsyncClient was first used on another event loop (an earlier asyncio.run()?); "
                             "its connections belong to that loop: make one AsyncClient per event loop, for "
                             "example inside the coroutine that asyncio.run() runs")

    async def aclose(self) -> None:
        """Close the http client if this transport made it."""
        if self.owns_client:
            await self.http_client.aclose()
