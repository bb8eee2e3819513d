"""An httpx transport that sends with aiohttp: the connection pool under
:class:`~openapi_dyn.AsyncClient`'s own ``httpx.AsyncClient`` when aiohttp
is installed (the ``fast`` extra).

httpx's own pool (httpcore) costs several milliseconds per request with
dozens of requests in flight, many times aiohttp's (see
``docs/performance.md``).  Everything above the pool stays httpx: requests,
responses, decompression (aiohttp hands the bytes over as they came),
authentication, cookies, and the exceptions openapi_dyn translates;
aiohttp's exceptions are turned into httpx's here.

So that this path behaves as the others do: the URL goes out exactly as
httpx holds it (aiohttp would re-parse it, decoding ``%2E`` and resolving
the dot segments that makes); the proxies of the environment
(``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``, read once, as
httpx and the official SDKs do) are used, which httpx leaves to a transport
it is given; aiohttp's own silent second attempt of an idempotent request on
a dropped connection is turned off, retries being the send loop's, counted
against ``max_retries``; and answer header lines up to 64 KiB are read.

httpx-aiohttp, the maintained package doing the same, was measured against
this and not taken: it hands aiohttp the URL as text (so ``/files/%2E%2E``
reaches the server as ``/``), keeps a cookie jar of its own across calls,
and reports a dropped connection as a connect timeout (retried as if the
request never left).
"""
from __future__ import annotations

import asyncio
import urllib.request
from typing import AsyncIterator, Dict, Optional, Tuple

import aiohttp
import httpx
from multidict import CIMultiDict
from yarl import URL

from .._library_internals import aiohttp_pool_counts, aiohttp_without_hidden_retry


def _error(exc: BaseException, request: httpx.Request, connecting: bool) -> httpx.HTTPError:
    """aiohttp's (or asyncio's) exception -> the httpx exception for it."""
    connect_timeout = getattr(aiohttp, "ConnectionTimeoutError", ())  # aiohttp >= 3.10
    if isinstance(exc, connect_timeout) or (connecting and isinstance(exc, aiohttp.ServerTimeoutError)
                                            and "connect" in str(exc).lower()):
        return httpx.ConnectTimeout(str(exc) or "connect timeout", request=request)
    if isinstance(exc, (asyncio.TimeoutError, aiohttp.ServerTimeoutError)):
        return httpx.ReadTimeout(str(exc) or "read timeout", request=request)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError(str(exc), request=request)
    if isinstance(exc, (aiohttp.ClientPayloadError, aiohttp.ServerDisconnectedError)):
        return httpx.RemoteProtocolError(str(exc) or type(exc).__name__, request=request)
    return httpx.ReadError(f"{type(exc).__name__}: {exc}", request=request)


class _Body(httpx.AsyncByteStream):
    """The answer's bytes as aiohttp reads them (still compressed: httpx
    decodes)."""

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request):
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise _error(exc, self._request, False) from exc

    async def aclose(self) -> None:
        if self._response.content.is_eof():
            self._response.release()  # read to the end: the connection goes back to the pool
        else:
            self._response.close()  # left early: the rest is not wanted, drop the connection


#: The longest answer header line taken: http.client's limit, under which
#: httpx takes them too (aiohttp's own, 8 KiB, refuses what the other
#: transports read: a long ``Link`` or ``Set-Cookie`` header).
_MAX_HEADER_LINE = 65536


class AiohttpTransport(httpx.AsyncBaseTransport):
    """``httpx.AsyncClient(transport=AiohttpTransport(limit))``: at most
    ``limit`` connections, kept alive between requests."""

    def __init__(self, limit: int = 100):
        self._limit = limit
        self._session: Optional[aiohttp.ClientSession] = None
        self._proxies = {k: v for k, v in urllib.request.getproxies().items() if v}
        self._proxy_for: Dict[Tuple[str, str], Optional[str]] = {}

    def _proxy(self, url: httpx.URL) -> Optional[str]:
        """The environment's proxy for ``url``, or ``None`` (``NO_PROXY``
        honoured), worked out once per origin."""
        if not self._proxies:
            return None
        key = (url.scheme, url.netloc.decode("ascii"))
        if key not in self._proxy_for:
            proxy = self._proxies.get(url.scheme) or self._proxies.get("all")
            if proxy and urllib.request.proxy_bypass_environment(key[1], self._proxies):
                proxy = None
            if len(self._proxy_for) > 64:
                self._proxy_for.clear()
            self._proxy_for[key] = proxy
        return self._proxy_for[key]

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp_without_hidden_retry(aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._limit, limit_per_host=self._limit),
                auto_decompress=False, cookie_jar=aiohttp.DummyCookieJar(),
                max_line_size=_MAX_HEADER_LINE, max_field_size=_MAX_HEADER_LINE))
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        limits = request.extensions.get("timeout") or {}
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=limits.get("connect"),
                                        sock_read=limits.get("read"))
        # aiohttp frames the body itself (chunked when no Content-Length is given)
        headers = CIMultiDict((k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw
                              if k.lower() != b"transfer-encoding")
        data = None
        if request.method not in ("GET", "HEAD") or request.headers.get("content-length") not in (None, "0"):
            data = request.stream  # an httpx stream: an async iterable of bytes
            if isinstance(data, httpx.ByteStream):
                data = b"".join([bytes(c) for c in data])
        try:
            response = await self._client().request(
                # the URL is encoded already: yarl must not encode it again nor
                # remove dot segments (a path parameter ".." sent as %2E%2E)
                request.method, URL(str(request.url), encoded=True), headers=headers, data=data, timeout=timeout,
                allow_redirects=False, compress=None, chunked=None, skip_auto_headers=("Content-Type",),
                proxy=self._proxy(request.url))
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise _error(exc, request, True) from exc
        return httpx.Response(response.status, headers=list(response.raw_headers), stream=_Body(response, request),
                              extensions={"http_version": b"HTTP/1.1",
                                          "reason_phrase": (response.reason or "").encode()})

    def connections(self):
        """``(in use, idle)``: connections lent to requests now, and kept
        open for the next ones."""
        connector = self._session.connector if self._session is not None else None
        if connector is None:
            return 0, 0
        return aiohttp_pool_counts(connector)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
