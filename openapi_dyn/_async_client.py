"""The :class:`AsyncClient`: :class:`~openapi_dyn.Client` for asyncio
applications, on httpx.

Everything but sending and reading is the synchronous client's own code
(:class:`~openapi_dyn._client.BaseClient`): the same constructor arguments,
operations, ``prepare()``, validation, encoding, method-style calls with the
same signatures and ``help()``.  Sending is :mod:`._async_transport`, reading
:mod:`._async_response`; retries, redirects and identity headers follow the
rules the synchronous transport follows (one module each, shared).
"""
from __future__ import annotations

import threading
from typing import Any, Mapping, Optional

from ._client import BaseClient


class AsyncClient(BaseClient):
    """An asynchronous client for one OpenAPI spec::

        async with AsyncClient(api_key="sk-...") as client:
            reply = await client.call("createChatCompletion", body={...})
            run = await client.createRun(thread_id="thread_abc", body={...})
            async for item in client.paginate("listAssistants", limit=100): ...
            stream = await client.call("createChatCompletion", body={..., "stream": True})
            async for chunk in stream: ...

    Takes the arguments :class:`~openapi_dyn.Client` takes, except that a
    caller's :class:`httpx.AsyncClient` is passed as ``http_client=`` (its
    headers, cookies, auth, proxies, TLS settings and limits apply; it is
    never closed by this client).  ``max_connections`` bounds the client's
    own pool (default 100).  :meth:`prepare` does no I/O and is not awaited.
    One client may be shared by many tasks; options set after construction
    (``timeout``, ``max_retries``, ``headers``, ``validate``,
    ``validate_responses``) take effect on the next request.  Close it with
    ``await client.aclose()`` or ``async with``.
    """

    _kind = "AsyncClient"
    _async = True
    _pool_option = "http_client"

    async def request(self, operation_id: str, /, **kwargs: Any):
        """Like :meth:`call`, but returns the whole
        :class:`~openapi_dyn.Response` (status, headers, data, raw)."""
        prepared, how = self._to_send(operation_id, kwargs)
        return await self.send(prepared, **how)

    async def call(self, operation_id: str, /, **kwargs: Any) -> Any:
        """Call an operation and return the decoded body; the arguments and
        options of :meth:`Client.call <openapi_dyn.Client.call>`.  An
        event-stream answer comes back as an
        :class:`~openapi_dyn.AsyncStream` to ``async for`` over."""
        return (await self.request(operation_id, **kwargs)).data

    async def send(self, prepared, *, timeout: Any = None, max_retries: Optional[int] = None,
                   save_to: Any = None, validate_responses: Optional[bool] = None):
        """Send a :class:`~openapi_dyn.PreparedRequest`; returns a
        :class:`~openapi_dyn.Response`, raises :class:`APIError` for
        non-2xx answers."""
        from ._answer.async_response import finish

        how = self._sending(prepared, timeout, max_retries, save_to)
        raw = await self.transport.send(prepared, **how)
        return await finish(raw, prepared, **self._finishing(save_to, validate_responses))

    async def upload(self, operation_id: str, /, file: Any, **kwargs: Any) -> Any:
        """:meth:`Client.upload <openapi_dyn.Client.upload>`, awaited."""
        from ._http.resumable import upload_async

        return (await upload_async(self, operation_id, file, **kwargs)).data

    def paginate(self, operation_id: str, /, **kwargs: Any):
        """Every item of a paginated list operation, fetched lazily:
        ``async for a in client.paginate("listAssistants", limit=100)``
        (``.pages()`` yields whole pages); see :meth:`Client.paginate
        <openapi_dyn.Client.paginate>`."""
        from ._answer.pagination import AsyncPaginator

        return AsyncPaginator(self, self.operation(operation_id), kwargs)

    @property
    def transport(self):
        """The :class:`~openapi_dyn._http.async_transport.AsyncTransport` (created
        on first send)."""
        if self._transport is None:
            from ._http.async_transport import AsyncTransport

            return self._made_transport(AsyncTransport, self._pool)
        return self._transport

    async def call_tool(self, name: str, arguments: Any = None, *, prefix: str = "", dry_run: bool = False):
        """Validate and send a model's tool call; returns a
        :class:`~openapi_dyn.ToolResult` (``is_error`` set for invalid
        arguments and API errors; with ``dry_run`` the prepared request,
        masked, instead of sending; see :func:`openapi_dyn._agents.tool_calls.call_tool`)."""
        from ._agents.tool_calls import call_tool_async

        return await call_tool_async(self, name, arguments, prefix=prefix, dry_run=dry_run)

    # ------------------------------------------------------------- batches
    def batch(self, **options: Any):
        """A :class:`~openapi_dyn.Batch`, as :meth:`Client.batch
        <openapi_dyn.Client.batch>` makes it.  Its few vendor calls (upload,
        create, poll, download) are made by a synchronous client sharing this
        one's spec, profile, credentials and options; in a coroutine, wait
        in a thread: ``await asyncio.to_thread(b.wait)``."""
        from ._batch.bridge import Batch

        return Batch(self._batch_client(), **options)

    def batch_resume(self, state_path: Any, adopt: Optional[Mapping[int, str]] = None):
        """The batch run recorded in ``state_path``, continued (as
        :meth:`Client.batch_resume <openapi_dyn.Client.batch_resume>`)."""
        from ._batch.bridge import Batch

        return Batch.resume(self._batch_client(), state_path, adopt)

    def _batch_client(self):
        """The synchronous twin batches use: this client's settings on a
        requests session of its own (made once, closed by :meth:`aclose`)."""
        twin = self.__dict__.get("_twin")
        if twin is None:
            from ._client import Client

            twin = Client.__new__(Client)
            twin.__dict__.update({k: v for k, v in self.__dict__.items() if k != "_http_client"})
            twin._transport, twin._transport_lock = None, threading.Lock()
            twin._session, twin._methods = None, {}
            self.__dict__["_twin"] = twin
        return twin

    async def aclose(self) -> None:
        """Close the connection pool (an ``http_client=`` passed in is left
        open: it is the caller's)."""
        twin = self.__dict__.pop("_twin", None)
        if twin is not None:
            twin.close()
        if self._transport is not None:
            await self._transport.aclose()

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()


