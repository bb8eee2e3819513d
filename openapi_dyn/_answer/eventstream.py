"""AWS event streams (``application/vnd.amazon.eventstream``) read as the
events of a server-sent event stream.

Bedrock streams Claude's answer as binary frames (a prelude with lengths
and a CRC, typed headers, a payload, a CRC of the whole), each ``chunk``
event's JSON payload holding the Anthropic event, base64-encoded, in
``bytes``.  :class:`EventStreamParser` has the interface of
:class:`.sse.EventParser` (``feed(chunk) -> events``, ``close()``), so the
same :class:`~openapi_dyn.Stream` reads either, and a Bedrock stream yields
the events an Anthropic SSE stream yields: ``message_start``,
``content_block_delta``... named by their ``type``.

An ``exception`` or ``error`` frame (``throttlingException``,
``modelStreamErrorException``) becomes an ``error`` event with Anthropic's
envelope, which the stream raises as :class:`~openapi_dyn.StreamError`; a
frame whose CRC does not match, or a stream that ends inside a frame, is a
broken stream (:class:`~openapi_dyn.StreamError`).  The frames are parsed by botocore's ``EventStreamBuffer``
(botocore is the ``bedrock`` extra, also needed to sign the requests).
"""
from __future__ import annotations

import base64
import json
from typing import Any, List

from .._errors import UsageError
from .._errors import _IncompleteEvent as IncompleteEvent

__all__ = ["MEDIA_TYPE", "EventStreamParser"]

MEDIA_TYPE = "application/vnd.amazon.eventstream"


class EventStreamParser:
    """Frames in, :class:`.sse.ServerSentEvent`\\ s out (see the module
    docstring)."""

    __slots__ = ("_buffer", "_pending", "_broken")

    def __init__(self) -> None:
        try:
            from botocore.eventstream import EventStreamBuffer
        except ImportError:
            raise UsageError("an AWS event stream is read with botocore: "
                             "pip install 'openapi_dyn[bedrock]'") from None
        self._buffer = EventStreamBuffer()
        self._pending = 0  # bytes fed that no whole frame has used yet
        self._broken = ""  # a corrupt frame, raised once the events before it are out

    def feed(self, chunk: bytes) -> list:
        from botocore.eventstream import ParserError

        if self._broken:
            raise IncompleteEvent(self._broken)
        self._buffer.add_data(chunk)
        self._pending += len(chunk)
        out: List[Any] = []
        try:
            for message in self._buffer:
                self._pending -= message.prelude.total_length
                event = _event(message.headers, message.payload)
                if event is not None:
                    out.append(event)
        except ParserError as exc:
            # read as a stream that broke off (StreamError, by the stream),
            # after the good events before it
            self._broken = f"corrupt AWS event-stream frame ({type(exc).__name__})"
        return out

    def close(self) -> list:
        if self._broken:
            raise IncompleteEvent(self._broken)
        if self._pending:
            raise IncompleteEvent(f"{self._pending} bytes of an unfinished event-stream frame")
        return []


def _event(headers: dict, payload: bytes) -> Any:
    from .sse import ServerSentEvent

    kind = headers.get(":message-type")
    if kind == "exception" or kind == "error":
        name = str(headers.get(":exception-type") or headers.get(":error-code") or "error")
        message = headers.get(":error-message")
        if message is None:
            try:
                message = json.loads(payload or b"{}").get("message")
            except (ValueError, AttributeError):
                message = payload.decode("utf-8", "replace")
        data = {"type": "error", "error": {"type": name, "message": str(message or name)}}
        return ServerSentEvent(json.dumps(data), event="error")
    if kind != "event" or headers.get(":event-type") != "chunk":
        return None  # initial-response and other frames carry no Anthropic event
    try:
        raw = base64.b64decode(json.loads(payload)["bytes"])
    except (ValueError, KeyError, TypeError):
        raise IncompleteEvent("an AWS event-stream chunk without a base64 bytes field") from None
    text = raw.decode("utf-8", "replace")
    try:
        decoded = json.loads(text)
    except ValueError:
        decoded = None
    name = decoded.get("type") if isinstance(decoded, dict) else None
    return ServerSentEvent(text, event=str(name) if isinstance(name, str) else "message")
