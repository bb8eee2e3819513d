"""Server-sent events (``text/event-stream``): the parser, with no I/O.

:func:`parse_events` (and :class:`EventParser`, fed chunk by chunk) turns
bytes into :class:`ServerSentEvent`\\ s following the WHATWG HTML "event
stream interpretation" rules: lines end in CRLF, LF or CR; a leading BOM is
dropped; lines starting with ``:`` are comments; ``data:`` lines accumulate
(joined with ``\\n``); a blank line dispatches the event, unless it has no
data; one space after the colon is removed; ``id`` values containing NUL are
ignored; ``retry`` must be digits.  The stream objects that read a live
answer with it are in :mod:`.streams`.
"""
from __future__ import annotations

import codecs
import re
from typing import Any, Iterable, Iterator, Optional

from .._errors import _IncompleteEvent as IncompleteEvent
from .records import loads

__all__ = ["ServerSentEvent", "EventParser", "parse_events", "IncompleteEvent"]

_LINE_END = re.compile(r"\r\n|\r|\n")
_DIGITS = re.compile(r"[0-9]+\Z")
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
