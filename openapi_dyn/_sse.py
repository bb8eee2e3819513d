"""Server-sent events (``text/event-stream``), read as they arrive.

:func:`parse_events` turns byte chunks into :class:`ServerSentEvent`\\ s
following the WHATWG HTML "event stream interpretation" rules: lines end in
CRLF, LF or CR; a leading BOM is dropped; lines starting with ``:`` are
comments; ``data:`` lines accumulate (joined with ``\\n``); a blank line
dispatches the event, unless it has no data; one space after the colon is
removed; ``id`` values containing NUL are ignored; ``retry`` must be digits.

:class:`Stream` is what a call returns for an event-stream answer.  Iterating
it yields each event's data, JSON-decoded when it parses, as soon as the event
is complete.  It stops at a ``[DONE]`` data line (the OpenAI convention) or at
the end of the stream, raises :class:`~openapi_dyn.StreamError` for an
``error`` event, a payload of the form ``{"error": ...}``, or a stream that
breaks off in the middle of an event, and closes the connection whenever the
loop ends, early or not.  Nothing is ever re-sent: once the first event has
been delivered, a failure is the caller's to handle.
"""
from __future__ import annotations

import codecs
import json
import re
from typing import Any, AsyncIterator, Iterable, Iterator, Optional

from ._errors import APITimeoutError, OpenAPIDynError, ResponseTooLargeError, StreamError
from ._errors import _IncompleteEvent as IncompleteEvent
from ._records import loads

__all__ = ["ServerSentEvent", "Stream", "AsyncStream", "EventParser", "parse_events"]

_LINE_END = re.compile(r"\r\n|\r|\n")
_DIGITS = re.compile(r"[0-9]+\Z")
_READ_SIZE = 64 * 1024
_UNSET = object()


class ServerSentEvent:
    """One dispatched event: ``event`` (``"message"`` when the stream gave no
    type), ``data`` (the text, lines joined with ``\\n``), ``id`` (the last
    event ID in effect, or ``None``), ``retry`` (milliseconds, when this event
    carried a ``retry:`` field)."""

    __slots__ = ("event", "data", "id", "retry", "_decoded", "attribute_access")

    def __init__(self, data: str, event: str = "message", id: Optional[str] = None,
                 retry: Optional[int] = None):
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry
        self._decoded: Any = _UNSET
        #: JSON objects as :class:`~openapi_dyn.Record` (attribute access)
        self.attribute_access = True

    def json(self) -> Any:
        """``data`` parsed as JSON (raises ``ValueError`` when it is not)."""
        return loads(self.data, self.attribute_access)

    def decoded(self) -> Any:
        """``data`` as JSON when it parses, else the text itself (worked out
        once per event)."""
        if self._decoded is _UNSET:
            try:
                self._decoded = self.json()
            except ValueError:
                self._decoded = self.data
        return self._decoded

    def __eq__(self, other: Any) -> bool:
        return (isinstance(other, ServerSentEvent) and (self.event, self.data, self.id, self.retry)
                == (other.event, other.data, other.id, other.retry))

    def __repr__(self) -> str:
        data = self.data if len(self.data) <= 60 else self.data[:57] + "..."
        extra = f" id={self.id!r}" if self.id is not None else ""
        return f"<ServerSentEvent {self.event}{extra}: {data!r}>"


class EventParser:
    """The same rules as :func:`parse_events`, fed one chunk at a time
    (what an asynchronous reader needs): :meth:`feed` returns the events a
    chunk completes, :meth:`close` checks the end of the stream."""

    __slots__ = ("_decoder", "_buf", "_started", "_data", "_event", "_id", "_retry", "_pending")

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buf = ""
        self._started = False
        self._data: list = []
        self._event = ""
        self._id: Optional[str] = None
        self._retry: Optional[int] = None
        self._pending = False  # a field line was read since the last dispatch

    def feed(self, chunk: bytes) -> list:
        text = self._decoder.decode(chunk)
        if not text:
            return []
        if not self._started:
            self._started = True
            if text.startswith("\ufeff"):
                text = text[1:]
        buf = self._buf + text
        out: list = []
        pos = 0
        for m in _LINE_END.finditer(buf):
            if m.end() == len(buf) and m.group() == "\r":
                break  # maybe the first half of a CRLF split across chunks
            self._line(buf[pos:m.start()], out)
            pos = m.end()
        self._buf = buf[pos:]
        return out

    def close(self) -> list:
        """The last events; :class:`IncompleteEvent` if the stream ended
        inside one."""
        rest = self._buf + self._decoder.decode(b"", final=True)
        self._buf = ""
        out: list = []
        if rest.endswith("\r"):  # held back above; no LF came
            self._line(rest[:-1], out)
        elif rest:
            raise IncompleteEvent("\n".join(self._data + [rest]))
        if self._pending and self._data:
            raise IncompleteEvent("\n".join(self._data))
        return out

    def _line(self, line: str, out: list) -> None:
        if not line:
            if self._data:
                out.append(ServerSentEvent("\n".join(self._data), self._event or "message", self._id,
                                           self._retry))
            self._data, self._event, self._retry, self._pending = [], "", None, False
            return
        if line[0] == ":":
            return
        self._pending = True
        field, sep, value = line.partition(":")
        if sep and value[:1] == " ":
            value = value[1:]
        if field == "data":
            self._data.append(value)
        elif field == "event":
            self._event = value
        elif field == "id":
            if "\0" not in value:
                self._id = value
        elif field == "retry":
            if _DIGITS.match(value):
                self._retry = int(value)


def parse_events(chunks: Iterable[bytes]) -> Iterator[ServerSentEvent]:
    """Events from byte chunks (see the module docstring for the rules).
    Raises :class:`IncompleteEvent` if the stream ends inside an event."""
    parser = EventParser()
    for chunk in chunks:
        yield from parser.feed(chunk)
    yield from parser.close()


def _error_message(payload: Any) -> str:
    """What an error event says, read like an error answer's envelope
    (:func:`~openapi_dyn._envelope.error_fields`), else the payload itself."""
    from ._envelope import error_fields

    fields = error_fields(payload)
    for key in ("message", "type", "code"):
        if fields[key] not in (None, ""):
            return str(fields[key])
    text = payload if isinstance(payload, str) else json.dumps(payload, default=str)
    return text[:500] or "error event"


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
        self._parser = EventParser()
        self._limit = getattr(raw, "openapi_dyn_max_bytes", None)
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
        from ._envelope import error_fields, request_id_of

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
        stream's events (see :mod:`openapi_dyn._record_schema`)."""
        from ._record_schema import response_schema, shape_of, tell

        shape = self._event_shape
        if shape is _UNSET:
            operation = getattr(self.request, "operation", None)
            try:
                schema = response_schema(operation, self.raw.status_code, "text/event-stream") if operation else None
                shape = shape_of(schema, operation.spec) if schema is not None else None
            except OpenAPIDynError:  # a schema that does not resolve: the records stay as they are
                shape = None
            self._event_shape = shape
        if shape is not None:
            try:
                tell(payload, shape)
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
        from ._redact import mask_places_text

        text = mask_places_text(f"{type(exc).__name__}: {exc}", getattr(self.request, "_secrets", None))
        return self._fail(f"the event stream broke off after {self.events_seen} event(s): {text}")

    def _too_large(self, limit: int) -> Exception:
        from ._errors import ResponseTooLargeError

        where = f" ({self.request.operation_id})" if self.request is not None else ""
        return ResponseTooLargeError(
            f"the event stream{where} sent more than max_response_bytes ({limit} bytes) without "
            f"completing an event, after {self.events_seen} event(s); the connection was closed",
            request=self.request)

    def _cause(self, exc: BaseException):
        """``exc``, or ``None`` when its text shows a secret of the request."""
        if self.request is None:
            return exc
        from ._failures import safe_cause

        return safe_cause(exc, self.request)

    def _masked(self, text: str) -> str:
        from ._redact import mask_places_text

        return mask_places_text(text, getattr(self.request, "_secrets", None))

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        op = f" {self.request.operation_id}" if self.request is not None else ""
        return f"<{type(self).__name__}{op} {state}, {self.events_seen} event(s) read>"


class Stream(_StreamBase):
    """An event-stream answer, consumed while it arrives.

    ``for data in stream`` yields each event's decoded data;
    :meth:`events` yields :class:`ServerSentEvent` objects instead (to see
    event names such as ``thread.run.completed``).  Either can be consumed
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
        try:
            for event in events:
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
        try:
            async for event in events:
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
