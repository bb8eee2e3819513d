"""Sending with httpx, for :class:`~openapi_dyn.AsyncClient`: the same rules
as :mod:`.transport` (retries and waits from :mod:`.retrying`, redirects from
:mod:`.redirects`, identity headers from :mod:`.wire`, errors translated by
:func:`~.transport.translate_error`), with the event loop's sleep.

Without an ``http_client=`` the transport makes its own
:class:`httpx.AsyncClient` (at most ``max_connections`` connections, 100 by
default, kept alive between calls) and closes it with the client; when
aiohttp is installed (the ``fast`` extra) that client's connections are
aiohttp's (:mod:`.aiohttp_transport`), which cost far less per request than
httpx's own pool with many requests in flight.  A
caller's ``httpx.AsyncClient`` is used as it is (its headers, cookies, auth,
proxies, TLS settings, transport and limits) and never closed by the client.
"""
from __future__ import annotations

import logging
import os
from typing import Any, AsyncIterator, Dict, List, Optional

import anyio
import httpx

from ._errors import MissingCredentialsError
from ._profile import RetryRules
from ._redirects import MAX_REDIRECTS, Hop, is_redirect, next_request, too_many
from ._retrying import CONNECT, READ, Attempts, RetryTiming
from ._logmask import log_masker as _log_masker
from ._redact import mask_url
from ._transport import (ASYNC_LOGGERS, Timeout, _body_position, _secret_values, _strip_query, normalize_timeout,
                        translated)
from ._wire import add_identity

log = logging.getLogger("openapi_dyn")

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


class AsyncTransport(RetryTiming):
    """Owns (or borrows) an :class:`httpx.AsyncClient`; sends
    :class:`~openapi_dyn._request.PreparedRequest`\\ s.  Tunable like
    :class:`~openapi_dyn._transport.Transport`."""

    follow_redirects = True
    max_redirects = MAX_REDIRECTS

    def __init__(self, http_client: Optional[httpx.AsyncClient] = None, timeout: Timeout = None,
                 max_retries: int = 2, retry_rules: Optional[RetryRules] = None,
                 max_connections: Optional[int] = None, max_response_bytes: Optional[int] = None):
        from ._logmask import protect_loggers
        from ._transport import DEFAULT_MAX_RESPONSE_BYTES

        protect_loggers(ASYNC_LOGGERS)
        self.max_response_bytes = DEFAULT_MAX_RESPONSE_BYTES if max_response_bytes is None else max_response_bytes
        self.owns_client = http_client is None
        if http_client is None:
            size = max_connections or DEFAULT_MAX_CONNECTIONS
            try:  # aiohttp's pool when installed: many times cheaper than httpcore's under load
                from ._aiohttp_transport import AiohttpTransport
            except ImportError:
                pool = {"limits": httpx.Limits(max_connections=size, max_keepalive_connections=size)}
            else:
                pool = {"transport": AiohttpTransport(size)}
            http_client = httpx.AsyncClient(follow_redirects=False, **pool)
        self.http_client = http_client
        self.timeout = normalize_timeout(timeout)
        self.max_retries = max_retries
        self.retry_rules = retry_rules or RetryRules()
        # httpx asks for what it can decode (br when a Brotli package is installed)
        self.accept_encoding = http_client.headers.get("accept-encoding") or "gzip, deflate"

    async def send(self, prepared, *, timeout: Timeout = None, max_retries: Optional[int] = None,
                   stream: bool = False) -> httpx.Response:
        """Send ``prepared``; with ``stream=True`` the body is left unread."""
        if prepared.missing_credentials:
            raise MissingCredentialsError(prepared.missing_credentials)
        timeout_pair = normalize_timeout(timeout) if timeout is not None else self.timeout
        wanted = self.max_retries if max_retries is None else max_retries
        attempts = Attempts(self.retry_rules, self, wanted, prepared.method, prepared.headers,
                            prepared.replayable, prepared.url)
        if prepared._secrets:
            _log_masker.remember(prepared._secrets)
        log.debug("%s %s", prepared.method, prepared.masked_url)
        start = _body_position(prepared.body)
        not_retried = wanted > 0 and not prepared.replayable
        connect, read = timeout_pair
        limits = httpx.Timeout(read, connect=connect)
        while True:
            error: Optional[BaseException] = None
            try:
                # left on the wire whatever ``stream`` says: a body is read
                # by async_response.read_body, within max_response_bytes
                raw = await self._follow(prepared, limits, True, start)
            except httpx.HTTPError as exc:
                wait = attempts.after_error(failure_kind(exc), exc)
                if wait is None:
                    error, cause = translated(exc, prepared, timeout_pair=timeout_pair,
                                              attempts=attempts.made, not_retried=not_retried)
            else:
                wait = None
            if error is not None:
                # outside the except clause: a cause that shows a secret is
                # left out, and must not come back as __context__
                raise error from cause
            if wait is not None:
                if wait > 0:
                    await anyio.sleep(wait)
                continue
            if raw.status_code < 400:
                break
            wait = attempts.after_status(raw.status_code, raw.headers)
            if wait is None:
                break
            await raw.aclose()
            if wait > 0:
                await anyio.sleep(wait)
        raw.openapi_dyn_attempts = attempts.made
        raw.openapi_dyn_max_bytes = self.max_response_bytes
        raw.openapi_dyn_not_retried = not_retried
        return raw

    def _request(self, method: str, url: str, headers, body: Any, limits: httpx.Timeout) -> httpx.Request:
        if body is None or isinstance(body, (bytes, str)):
            return self.http_client.build_request(method, url, headers=headers, content=body, timeout=limits)
        size = _length(body)
        if size is not None:
            headers = httpx.Headers(headers)
            headers["Content-Length"] = str(size)
        return self.http_client.build_request(method, url, headers=headers, content=_AsyncBody(body),
                                              timeout=limits)

    async def _follow(self, prepared, limits: httpx.Timeout, stream: bool, start: Optional[int]) -> httpx.Response:
        """One attempt: send, follow redirects hop by hop, and read the body
        unless ``stream``."""
        client = self.http_client
        headers = httpx.Headers(prepared.headers)
        add_identity(headers, prepared.operation, self.accept_encoding, {} if self.owns_client else _given(client))
        method, url, body = prepared.method, prepared.url, prepared.body
        if start is not None:
            body.seek(start)
        hops: List[Hop] = []
        crossed = False
        while True:
            request = self._request(method, url, headers, body, limits)
            if crossed:
                raw = await client.send(request, stream=True, follow_redirects=False, auth=None)
            else:
                raw = await client.send(request, stream=True, follow_redirects=False)
            if not self.follow_redirects or not is_redirect(raw.status_code, raw.headers):
                break
            location = raw.headers["Location"]
            await raw.aclose()
            hops.append(Hop(raw.status_code, mask_url(url, prepared._secrets), mask_url(location, prepared._secrets)))
            if len(hops) > self.max_redirects:
                raise too_many(prepared.operation_id, hops)
            nxt = next_request(raw.status_code, location, method, url, dict(headers.items()), _secret_values(prepared),
                               body is not None, prepared.replayable, prepared.operation_id)
            method, url = nxt.method, nxt.url
            headers = httpx.Headers(nxt.headers)
            crossed = crossed or nxt.cross_origin
            if not nxt.keep_body:
                body = None
            elif start is not None:
                body.seek(start)
            log.debug("redirected (%s) to %s", raw.status_code, _strip_query(url))
        raw.openapi_dyn_history = hops
        if not stream:
            try:
                await raw.aread()
            except BaseException:
                await raw.aclose()
                raise
        return raw

    async def aclose(self) -> None:
        """Close the http client if this transport made it."""
        if self.owns_client:
            await self.http_client.aclose()
