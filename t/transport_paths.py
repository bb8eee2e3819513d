"""The five ways a call reaches the network, made alike for tests: ``Client``
on its own requests session or on a caller's ``session=``, ``AsyncClient``
on its own httpx pool, on aiohttp's connections, or on a caller's
``http_client=``.

:func:`open_path` gives a :class:`Path` whose :meth:`Path.call`,
:meth:`Path.request` and :meth:`Path.events` run the call and hand back its
result the same way on every path (an asynchronous client runs on an event
loop of its own, made for the test and closed after it), so a test states
one behaviour and checks it on all five.
"""
from __future__ import annotations

import asyncio
from typing import Any, Callable, Dict, List, Optional

import httpx
import requests

from openapi_dyn import AsyncClient, Client
from openapi_dyn._http import async_transport as _async_transport

SYNC_PATHS = ("sync-own", "sync-session")
ASYNC_PATHS = ("async-httpx", "async-aiohttp", "async-http-client")
PATHS = SYNC_PATHS + ASYNC_PATHS
#: the paths on an HTTP client object the caller made
CALLER_POOLS = ("sync-session", "async-http-client")


class Path:
    """One client on one path (see the module docstring)."""

    def __init__(self, name: str, client: Any, pool: Any = None, loop: Optional[asyncio.AbstractEventLoop] = None):
        self.name = name
        self.client = client
        self.pool = pool  # the caller's session or http client, if any
        self.loop = loop

    @property
    def is_async(self) -> bool:
        return self.loop is not None

    def run(self, value: Any) -> Any:
        """``value`` itself, or awaited on this path's loop when it is a coroutine."""
        if self.is_async and asyncio.iscoroutine(value):
            return self.loop.run_until_complete(value)
        return value

    def call(self, operation_id: str, **kwargs: Any) -> Any:
        return self.run(self.client.call(operation_id, **kwargs))

    def request(self, operation_id: str, **kwargs: Any) -> Any:
        return self.run(self.client.request(operation_id, **kwargs))

    def events(self, operation_id: str, limit: int = 100, **kwargs: Any) -> List[Any]:
        """The items of an event stream, read to the end (at most ``limit``)."""
        stream = self.call(operation_id, **kwargs)
        if not self.is_async:
            out = []
            for item in stream:
                out.append(item)
                if len(out) >= limit:
                    break
            return out

        async def read() -> List[Any]:
            out = []
            async for item in stream:
                out.append(item)
                if len(out) >= limit:
                    break
            return out

        return self.loop.run_until_complete(read())

    def close(self) -> None:
        if self.is_async:
            self.loop.run_until_complete(self.client.aclose())
            if self.pool is not None:
                self.loop.run_until_complete(self.pool.aclose())
            self.loop.close()
        else:
            self.client.close()
            if self.pool is not None:
                self.pool.close()


def open_path(name: str, spec: Any, monkeypatch, configure_pool: Optional[Callable[[Any], None]] = None,
              **options: Any) -> Path:
    """A client for ``spec`` on path ``name``; ``configure_pool`` is given
    the caller's session or http client (on those two paths) before use."""
    if name == "sync-own":
        return Path(name, Client(spec, **options))
    if name == "sync-session":
        session = requests.Session()
        if configure_pool:
            configure_pool(session)
        return Path(name, Client(spec, session=session, **options), session)
    monkeypatch.setattr(_async_transport, "PREFER_AIOHTTP", name == "async-aiohttp")
    loop = asyncio.new_event_loop()
    if name == "async-http-client":
        async def make() -> httpx.AsyncClient:
            return httpx.AsyncClient()

        pool = loop.run_until_complete(make())
        if configure_pool:
            configure_pool(pool)
        client = AsyncClient(spec, http_client=pool, **options)
        path = Path(name, client, pool, loop)
    else:
        path = Path(name, AsyncClient(spec, **options), None, loop)
    if name == "async-aiohttp":
        from openapi_dyn._http.aiohttp_transport import AiohttpTransport

        # the transport is made on first use: make it now, on the path chosen above
        assert isinstance(path.client.transport.http_client._transport, AiohttpTransport)
    elif name == "async-httpx":
        assert isinstance(path.client.transport.http_client._transport, httpx.AsyncHTTPTransport)
    return path


class TunnelRefuser:
    """A proxy on 127.0.0.1 that records each ``CONNECT`` request line (how
    a client asks a proxy for an https tunnel) and refuses it with 403."""

    def __init__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        seen = self.seen = []

        class Handler(BaseHTTPRequestHandler):
            def do_CONNECT(self):
                seen.append(self.requestline)
                self.send_response(403)
                self.send_header("Content-Length", "0")
                self.end_headers()
                self.close_connection = True

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
