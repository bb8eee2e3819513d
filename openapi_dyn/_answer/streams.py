"""The event streams a call returns: :class:`Stream` and :class:`AsyncStream`.

:class:`Stream` is what a call returns for an event-stream answer.  Iterating
it yields each event's data, JSON-decoded when it parses, as soon as the event
is complete.  It stops at a ``[DONE]`` data line (the OpenAI convention) or at
the end of the stream, raises :class:`~openapi_dyn.StreamError` for an
``error`` event, a payload of the form ``{"error": ...}``, or a stream that
breaks off in the middle of an event, and closes the connection whenever the
loop ends, early or not.  Nothing is ever re-sent: once the first event has
been delivered, a failure is the caller's to handle.

The bytes are parsed by :mod:`.sse` (server-sent events) or, for an AWS event
stream (Claude on Bedrock), by :mod:`.eventstream`; both hand over
:class:`~openapi_dyn.ServerSentEvent`\\ s, so a stream behaves the same
whichever the wire format.
"""
from __future__ import annotations

import json
from typing import Any, AsyncIterator, Iterator, Optional

from .._errors import APITimeoutError, OpenAPIDynError, ResponseTooLargeError, StreamError
from .._errors import _IncompleteEvent as IncompleteEvent
from .sse import EventParser, ServerSentEvent

_READ_SIZE = 64 * 1024
_UNSET = object()


def _tell(payload: Any, shape: Any) -> None:
    """:func:`.record_schema.tell`, imported on the first event that needs
    it rather than on every event."""
    global _tell
    from .record_schema import tell

    _tell = tell
    tell(payload, shape)


def _error_message(payload: Any) -> str:
    """What an error event says, read like an error answer's envelope
    (:func:`~openapi_dyn._answer.envelope.error_fields`), else the payload itself."""
    from .envelope import error_fields

    fields = error_fields(payload)
    for key in ("message", "type", "code"):
        if fields[key] not in (None, ""):
            return str(fields[key])
    text = payload if isinstance(payload, str) else json.dumps(payload, default=str)
    return text[:500] or "error event"


def _parser_for(raw) -> Any:
    """The parser of the answer's stream format: server-sent events, or an
    AWS event stream (:mod:`.eventstream`, Claude on Bedrock)."""
    ctype = (getattr(raw, "headers", None) or {}).get("Content-Type") or ""
    if ctype.split(";", 1)[0].strip().lower() == "application/vnd.amazon.eventstream":
        from .eventstream import EventStreamParser

        return EventStreamParser()
    return EventParser()


class _StreamBase:
    """What both kinds of stream share: the answer's status and headers,
    and what each event means (``[DONE]``, an error event or payload)."""

    def __init__(self, raw, request=None, attribute_access: bool = True):
        self.raw = raw  # the HTTP library's response, body not yet read
        self.request = request
        self.attribute_access = attribute_access
        self.last_event_id: Optional[str] = None
        self.retry: Optional[int] = None
        self.events_seen = 0
        self._pending_bytes = 0
        self._started = False
        self._closed = False
        self._done = False  # [DONE] was read
        self._parser = _parser_for(raw)
        self._limit = getattr(raw, "openapi_dyn_max_bytes", None)
        #: event names that are keep-alives (the profile's ``streaming.skip_events``,
        #: Anthropic's ``ping``): iterating the stream passes them over,
        #: :meth:`events` (every event as sent) keeps them
        self.skip_events: frozenset = frozenset()
        self._event_shape: Any = _UNSET  # the shape of the spec's schema of this stream's events, once looked up

    @property
    def status_code(self) -> int:
        return self.raw.status_code

    @property
    def headers(self):
        return self.raw.headers

    @property
    def closed(self) -> bool:
        return self._closed

    def _fail(self, message: str, body: Any = None) -> StreamError:
        from .envelope import error_fields, request_id_of

        fields = error_fields(body)
        where = ""
        if self.request is not None:
            where = f" ({self.request.operation_id})"
        return StreamError(f"{message}{where}", status_code=self.raw.status_code, headers=self.raw.headers,
                           body=body, request_id=request_id_of(self.raw.headers), response=self.raw,
                           error_message=fields["message"], error_type=fields["type"], code=fields["code"],
                           param=fields["param"])

    def _start(self) -> None:
        if self._started:
            raise RuntimeError("this stream has already been consumed")
        if self._closed:
            raise RuntimeError("this stream was closed before it was read")
        self._started = True

    def _accept(self, event: ServerSentEvent) -> bool:
        """True to hand ``event`` out, False at ``[DONE]``; raises
        :class:`StreamError` for an error event or payload."""
        event.attribute_access = self.attribute_access
        self.last_event_id = event.id
        if event.retry is not None:
            self.retry = event.retry
        if event.data.strip() == "[DONE]":
            return False
        if event.event == "error":
            payload = event.decoded()
            raise self._fail(f"error event in the stream: {_error_message(payload)}", payload)
        if event.data.startswith("{"):
            payload = event.decoded()
            if isinstance(payload, dict) and payload.get("error"):
                raise self._fail(f"error in the stream: {_error_message(payload)}", payload)
            if self.attribute_access and isinstance(payload, dict):
                self._tell_schema(payload)
        self.events_seen += 1
        self._pending_bytes = 0
        return True

    def _tell_schema(self, payload: Any) -> None:
        """An event's records told their schema, the spec's for this
        stream's events (see :mod:`openapi_dyn._answer.record_schema`)."""
        shape = self._event_shape
        if shape is _UNSET:
            from .record_schema import response_schema, shape_of

            operation = getattr(self.request, "operation", None)
            try:
                schema = response_schema(operation, self.raw.status_code, "text/event-stream") if operation else None
                shape = shape_of(schema, operation.spec) if schema is not None else None
            except OpenAPIDynError:  # a schema that does not resolve: the records stay as they are
                shape = None
            self._event_shape = shape
        if shape is not None:
            try:
                _tell(payload, shape)
            except OpenAPIDynError:
                self._event_shape = None

    def _feed(self, chunk: bytes) -> Iterator[ServerSentEvent]:
        """The events ``chunk`` completes, each handed out only once the
        one before it was taken (an error event after a good one raises
        when it is reached); sets ``_done`` at ``[DONE]``.  The sans-I/O
        core of both streams: they only bring the chunks."""
        limit = self._limit
        if limit is not None:
            # bytes since the last event delivered: one endless event, or
            # an endless run of comments, stops here
            self._pending_bytes += len(chunk)
            if self._pending_bytes > limit:
                raise self._too_large(limit)
        return self._deliver(self._parser.feed(chunk))

    def _end(self) -> Iterator[ServerSentEvent]:
        """The events left when the body ends (see :meth:`_feed`)."""
        return self._deliver(self._parser.close())

    def _deliver(self, events: list) -> Iterator[ServerSentEvent]:
        for event in events:
            if not self._accept(event):
                self._done = True
                return
            yield event

    def _ended_badly(self, exc: BaseException, stalled: bool, broken: bool) -> bool:
        """Raise what ``exc``, raised while reading, means: a stream that
        ended inside an event (unless that event is ``[DONE]``: then return
        True, the stream simply ended), one that went quiet (``stalled``:
        :class:`APITimeoutError`) or broke (``broken``: :class:`StreamError`);
        False when it is none of these (the caller re-raises it)."""
        if isinstance(exc, IncompleteEvent):
            if exc.partial.strip() == "[DONE]":
                return True
            raise self._fail(f"the event stream broke off in the middle of an event after "
                             f"{self.events_seen} event(s)", exc.partial) from None
        if stalled:
            raise self._stalled() from self._cause(exc)
        if broken:
            raise self._broken(exc) from self._cause(exc)
        return False

    def _stalled(self) -> APITimeoutError:
        return APITimeoutError(f"the event stream stalled: no data within the read timeout after "
                               f"{self.events_seen} event(s)", request=self.request)

    def _broken(self, exc: BaseException) -> StreamError:
        from .._call.redact import mask_places_text

        text = mask_places_text(f"{type(exc).__name__}: {exc}", getattr(self.request, "_secrets", None))
        return self._fail(f"the event stream broke off after {self.events_seen} event(s): {text}")

    def _too_large(self, limit: int) -> Exception:
        from .._errors import ResponseTooLargeError

        where = f" ({self.request.operation_id})" if self.request is not None else ""
        return ResponseTooLargeError(
            f"the event stream{where} sent more than max_response_bytes ({limit} bytes) without "
            f"completing an event, after {self.events_seen} event(s); the connection was closed",
            request=self.request)

    def _cause(self, exc: BaseException):
        """``exc``, or ``None`` when its text shows a secret of the request."""
        if self.request is None:
            return exc
        from .failures import safe_cause

        return safe_cause(exc, self.request)

    def _masked(self, text: str) -> str:
        from .._call.redact import mask_places_text

        return mask_places_text(text, getattr(self.request, "_secrets", None))

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        op = f" {self.request.operation_id}" if self.request is not None else ""
        return f"<{type(self).__name__}{op} {state}, {self.events_seen} event(s) read>"


class Stream(_StreamBase):
    """An event-stream answer, consumed while it arrives.

    ``for data in stream`` yields each event's decoded data, keep-alive
    events that the vendor profile names (Anthropic's ``ping``) left out;
    :meth:`events` yields every event as a :class:`ServerSentEvent` instead
    (to see event names such as ``thread.run.completed``, pings included).  Either can be consumed
    once.  Use it as a context manager, or just loop: leaving the loop early
    closes the connection.  ``last_event_id`` and ``retry`` (the server's
    reconnection delay, ms) keep the latest values the stream sent; the
    client never reconnects by itself.  A compressed stream (``gzip``...)
    is decompressed as it arrives.
    """

    # ------------------------------------------------------------- reading
    def _chunks(self) -> Iterator[bytes]:
        reader = getattr(self.raw.raw, "read1", None)
        if reader is None:  # not urllib3 underneath: fall back to requests
            return self.raw.iter_content(chunk_size=None)
        # decode_content: compressed streams are decompressed as they arrive
        return iter(lambda: reader(_READ_SIZE, decode_content=True), b"")

    def events(self) -> Iterator[ServerSentEvent]:
        """Every event as a :class:`ServerSentEvent`, up to ``[DONE]`` (not
        included) or the end of the stream; errors raise :class:`StreamError`."""
        self._start()
        return self._generate()

    def _generate(self) -> Iterator[ServerSentEvent]:
        import requests
        from urllib3.exceptions import ReadTimeoutError

        try:
            for chunk in self._chunks():
                yield from self._feed(chunk)
                if self._done:
                    return
            yield from self._end()
        except (StreamError, ResponseTooLargeError):
            raise
        except Exception as exc:  # GeneratorExit (loop left early) is not an Exception
            stalled = isinstance(exc, (ReadTimeoutError, requests.Timeout)) or _is_read_timeout(exc)
            if not self._ended_badly(exc, stalled, not stalled and _is_network_error(exc)):
                raise
        finally:
            self.close()

    def __iter__(self) -> Iterator[Any]:
        events = self.events()
        skip = self.skip_events
        try:
            for event in events:
                if event.event in skip:
                    continue
                yield event.decoded()
        finally:
            events.close()  # now, not when the garbage collector gets to it

    def close(self) -> None:
        """Close the connection (unread data is dropped, the socket is not
        returned to the pool)."""
        if not self._closed:
            self._closed = True
            self.raw.close()

    def __enter__(self) -> "Stream":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:  # a stream dropped unread must not keep its socket
        try:
            self.close()
        except Exception:
            pass


class AsyncStream(_StreamBase):
    """The :class:`Stream` of :class:`~openapi_dyn.AsyncClient`: ``async for
    data in stream``, ``async for event in stream.events()``, ``async with``
    and ``await stream.aclose()``; the same events, errors and rules.  A task
    cancelled while reading closes the connection."""

    def events(self) -> AsyncIterator[ServerSentEvent]:
        self._start()
        return self._generate()

    async def _generate(self) -> AsyncIterator[ServerSentEvent]:
        import httpx

        try:
            async for chunk in self.raw.aiter_bytes():
                for event in self._feed(chunk):
                    yield event
                if self._done:
                    return
            for event in self._end():
                yield event
        except (IncompleteEvent, httpx.TransportError, httpx.DecodingError, httpx.StreamError) as exc:
            self._ended_badly(exc, isinstance(exc, httpx.TimeoutException), True)
        finally:
            await self.aclose()

    async def __aiter__(self) -> AsyncIterator[Any]:
        events = self.events()
        skip = self.skip_events
        try:
            async for event in events:
                if event.event in skip:
                    continue
                yield event.decoded()
        finally:
            await events.aclose()

    async def aclose(self) -> None:
        """Close the connection."""
        if not self._closed:
            self._closed = True
            await self.raw.aclose()

    def __del__(self) -> None:
        # dropped unread: give the connection back to the pool soon (closing
        # is a coroutine, so it is scheduled on the running loop, if any)
        if not self._closed:
            self._closed = True
            try:
                import asyncio

                asyncio.get_running_loop().create_task(self.raw.aclose())
            except Exception:
                pass

    async def __aenter__(self) -> "AsyncStream":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()


def _is_read_timeout(exc: BaseException) -> bool:
    from urllib3.exceptions import ReadTimeoutError

    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, ReadTimeoutError):
            return True
        nxt = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc.__context__
        exc = nxt  # type: ignore[assignment]
        seen += 1
    return False


def _is_network_error(exc: BaseException) -> bool:
    import http.client

    import requests
    from urllib3.exceptions import HTTPError as Urllib3Error

    return isinstance(exc, (requests.RequestException, Urllib3Error, http.client.HTTPException, OSError))
