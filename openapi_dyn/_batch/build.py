"""Building a batch run: each queued call validated exactly as a live call
would be, turned into one request line and appended to the current chunk
file, a new chunk started whenever the next line would pass the vendor's
request-count or byte limit.

A call that cannot travel in a batch is refused here, however it is
written: options that only make sense live (``headers=``, ``save_to=``...),
an operation the batch endpoint does not take, a body that is not JSON, and
a request that asks for a streamed answer, whether ``stream`` was given in
``body=`` or as a body keyword (``b.createChatCompletion(..., stream=True)``):
the check reads the body the call would send, not the way it was written.

:class:`Building` is the part of :class:`~openapi_dyn.Batch` that does this;
it works on the batch's state (:mod:`._batch_state`) and protocol
(:mod:`._batch_protocols`).
"""
from __future__ import annotations

import json

from typing import Any, Dict, List, Mapping, Optional

from .state import open_private
from .._errors import RequestValidationError, UsageError, ValidationProblem

#: Call options that make no sense inside a batch line.
LIVE_ONLY = ("headers", "timeout", "max_retries", "save_to", "validate_responses")

#: Bytes of request lines buffered before they are written out.
WRITE_BUFFER = 1 << 20


class BatchHandle:
    """One queued call: ``custom_id`` names it, ``position`` is its place in
    the run, :meth:`result` gives what the live call would have returned."""

    __slots__ = ("_batch", "custom_id", "position", "operation_id")

    def __init__(self, batch: Any, custom_id: str, position: int, operation_id: str):
        self._batch = batch
        self.custom_id = custom_id
        self.position = position
        self.operation_id = operation_id

    def result(self) -> Any:
        """The decoded answer, as :meth:`Client.call` returns it (JSON
        objects as :class:`~openapi_dyn.Record`); or raises the
        :class:`APIError` subclass the live call would have raised, or
        :class:`BatchRequestNotRun` when the request never ran (its batch
        expired, was cancelled or failed).  :class:`UsageError` while its
        batch is still running."""
        ok, value = self._batch._outcome(self)
        if ok:
            return value
        raise value

    @property
    def done(self) -> bool:
        """Whether the result is in (successful or not)."""
        return self._batch._collected(self.custom_id)

    def __repr__(self) -> str:
        return f"<BatchHandle {self.custom_id} #{self.position} {self.operation_id}>"


class Building:
    """Queuing calls and writing chunk files (a part of :class:`~openapi_dyn.Batch`)."""

    def call(self, operation_id: str, /, *, custom_id: Optional[str] = None, **kwargs: Any):
        """Queue one call, validated exactly as a live call would be
        (:class:`RequestValidationError` naming every problem, nothing
        queued); returns its :class:`BatchHandle`."""
        data = self._state.data
        if data["submitted"]:
            raise UsageError("this batch is submitted; start a new one with client.batch()")
        op = self.client.operation(operation_id)
        url = self.rules.endpoints.get(op.operation_id)
        if url is None:
            raise UsageError(f"{op.operation_id} cannot go in a batch for {self.client.profile.name}; the batch "
                             f"endpoint takes {', '.join(self.rules.endpoints)}")
        if data["endpoint"] not in (None, url):
            raise UsageError(f"{op.operation_id} goes to {url}, but this batch is for {data['endpoint']}: "
                             f"one batch, one endpoint")
        for name in LIVE_ONLY:
            if name in kwargs:
                raise UsageError(f"{name}= cannot travel in a batch request")
        problems = self._custom_id_problems(custom_id)
        try:
            prepared = self.client.prepare(op.operation_id, **kwargs)
        except RequestValidationError as exc:
            problems = problems + exc.errors
            prepared = None
        if prepared is not None:
            problems += self._stream_problems(prepared, kwargs)
        if problems:
            raise RequestValidationError(op.operation_id, problems)
        if not isinstance(prepared.body, bytes):
            raise UsageError(f"{op.operation_id}: only JSON bodies travel in a batch (files go by URL or id)")
        if prepared.vectors is not None:
            # the profile's base64 vectors are decoded only in a live answer; a
            # batch's results come back from a file as sent: ask for the floats
            body = {k: v for k, v in prepared.json.items() if k != prepared.vectors.field}
            prepared.body = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        query = prepared.url.partition("?")[2]
        position = len(self._handles)
        cid = custom_id if custom_id is not None else self._new_custom_id(position)
        line = self.protocol.line(cid, url + ("?" + query if query else ""), prepared)
        self._append(line, op.operation_id)
        data["endpoint"], data["operation"] = url, op.operation_id
        handle = BatchHandle(self, cid, position, op.operation_id)
        self._handles.append(handle)
        self._chunk_of[cid] = len(self._state.chunks) - 1
        return handle

    def _stream_problems(self, prepared, kwargs: Mapping[str, Any]) -> List[ValidationProblem]:
        """A batched request cannot stream its answer: refused when the body
        it would send asks for a stream, however the flag was given."""
        flag = self.client.profile.stream_body_flag
        body = prepared.json
        if flag and isinstance(body, Mapping) and body.get(flag) is True:
            where = f"body.{flag}" if isinstance(kwargs.get("body"), Mapping) and flag in kwargs["body"] else flag
            return [ValidationProblem(where, "a batched request cannot stream its answer")]
        return []

    def _custom_id_problems(self, custom_id: Optional[str]) -> List[ValidationProblem]:
        if custom_id is None:
            return []
        if not isinstance(custom_id, str) or not custom_id:
            return [ValidationProblem("custom_id", "must be a non-empty string")]
        pattern = self.rules.custom_id_pattern
        if pattern is not None and not pattern.search(custom_id):
            return [ValidationProblem("custom_id", f"{custom_id!r} does not match {pattern.pattern}")]
        if custom_id in self._chunk_of:
            return [ValidationProblem("custom_id", f"{custom_id!r} is already used in this batch")]
        return []

    def _new_custom_id(self, position: int) -> str:
        cid = f"req-{position}"
        n = 0
        while cid in self._chunk_of:  # a caller's own id took it
            n += 1
            cid = f"req-{position}-{n}"
        return cid

    def _append(self, line: bytes, operation_id: str) -> None:
        """Write one request line, starting a new chunk when it would pass
        a limit."""
        proto = self.protocol
        data = self._state.data
        lone = len(proto.head) + len(line) + len(proto.tail)
        if lone > data["max_bytes"]:
            raise RequestValidationError(operation_id, [ValidationProblem(
                "body", f"the request takes {lone} bytes in the batch file; a batch holds at most "
                        f"{data['max_bytes']}")])
        self._write_line(line, resubmit=False)

    def _write_line(self, line: bytes, resubmit: bool) -> Dict[str, Any]:
        """Append ``line`` to the open chunk, or to a new one when the open
        one is full (or none is open); returns the chunk it went to."""
        proto = self.protocol
        data = self._state.data
        chunk = self._state.chunks[-1] if self._writer is not None else None
        if chunk is not None and (chunk["count"] >= data["max_requests"] or
                                  chunk["bytes"] + len(proto.separator) + len(line) + len(proto.tail)
                                  > data["max_bytes"]):
            self._close_chunk()
            chunk = None
        if chunk is None:
            chunk = self._open_chunk(resubmit)
            self._writer.write(line)
            chunk["bytes"] += len(line)
        else:
            self._writer.write(proto.separator + line)
            chunk["bytes"] += len(proto.separator) + len(line)
        chunk["count"] += 1
        return chunk

    def _open_chunk(self, resubmit: bool) -> Dict[str, Any]:
        chunks = self._state.chunks
        index = len(chunks)
        name = f"chunk-{index:04d}.requests.jsonl"
        chunk = {"index": index, "file": name, "count": 0, "bytes": len(self.protocol.head),
                 "status": "built", "resubmit": resubmit}
        chunks.append(chunk)
        self._writer = open_private(self._state.file(name), "wb", WRITE_BUFFER)
        self._writer.write(self.protocol.head)
        return chunk

    def _close_chunk(self) -> None:
        if self._writer is None:
            return
        self._writer.write(self.protocol.tail)
        self._state.chunks[-1]["bytes"] += len(self.protocol.tail)
        self._writer.close()
        self._writer = None

    def discard(self) -> None:
        """Forget an unsubmitted batch: its request files and state are removed."""
        if self._state.data["submitted"]:
            raise UsageError("this batch is submitted; cancel() it instead")
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._state.remove()

    def _load_handles(self) -> None:
        """Rebuild handles and the custom_id -> chunk map from the request
        files: their line order is the run's order."""
        operation = self._state.data.get("operation")
        for chunk in self._state.chunks:
            path = self._state.file(chunk["file"])
            for cid, _line in self.protocol.custom_ids(path):
                if not chunk.get("resubmit"):
                    self._handles.append(BatchHandle(self, cid, len(self._handles), operation))
                self._chunk_of[cid] = chunk["index"]
