"""Many calls through a vendor's batch engine, handed back as if each had
been made live.

    with client.batch(state="run1.batch.json") as b:
        h = b.createChatCompletion(body={...})      # validated now, like a live call
    b.wait()
    h.result()                                      # the answer, or the APIError it would raise

A :class:`Batch` validates every queued call exactly as
:meth:`Client.prepare <openapi_dyn.Client.prepare>` does (it *is* a
``prepare()`` call), gives it a ``custom_id`` and appends it to a local
request file, one line at a time: memory does not grow with the requests'
size.  The file is split into *chunks* whenever the next line would pass the
vendor's request-count or byte limit.  Submitting uploads and creates one
vendor batch per chunk; waiting polls them, downloads their result files as
they end and maps every result line back to its handle by ``custom_id``.

Everything needed to carry on is kept in a state file (see
:mod:`._batch_state`), written atomically after every step, so
:meth:`Batch.resume` in another process continues where a dead one stopped:
nothing is uploaded, created or collected twice.

Which operations a vendor's batch endpoint accepts, its limits and its wire
protocol come from the ``batch`` section of the vendor profile
(:mod:`._batch_protocols`); a spec whose profile has none cannot batch.
"""
from __future__ import annotations

import functools
import json
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

from .protocols import STATUSES, TERMINAL, BatchRules, protocol_for
from .state import BatchState
from .._errors import APIError, BatchError, BatchRequestNotRun, RequestValidationError, UsageError, ValidationProblem

__all__ = ["Batch", "BatchHandle", "batch_rules"]

#: Call options that make no sense inside a batch line.
_LIVE_ONLY = ("headers", "timeout", "max_retries", "save_to", "validate_responses")

#: Bytes of request lines buffered before they are written out.
_WRITE_BUFFER = 1 << 20

#: Polling without ``poll_interval``: first wait, growth factor, longest wait.
BACKOFF = (2.0, 1.5, 60.0)


def batch_rules(client) -> BatchRules:
    """The vendor's batch conventions, or :class:`UsageError` when its profile has none."""
    raw = client.profile.raw.get("batch") if isinstance(client.profile.raw, Mapping) else None
    if not raw:
        raise UsageError(f"the {client.profile.name or 'spec'}'s profile has no batch section: this API "
                         f"has no batch engine openapi_dyn knows (see docs/batch.md)")
    return BatchRules(raw)


class BatchHandle:
    """One queued call: ``custom_id`` names it, ``position`` is its place in
    the run, :meth:`result` gives what the live call would have returned."""

    __slots__ = ("_batch", "custom_id", "position", "operation_id")

    def __init__(self, batch: "Batch", custom_id: str, position: int, operation_id: str):
        self._batch = batch
        self.custom_id = custom_id
        self.position = position
        self.operation_id = operation_id

    def result(self) -> Any:
        """The decoded answer, as :meth:`Client.call` returns it; or raises
        the :class:`APIError` subclass the live call would have raised, or
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


class Batch:
    """A batch run; made by :meth:`Client.batch` or :meth:`Client.batch_resume`.

    :param endpoint: the vendor's batch endpoint (``"/v1/chat/completions"``);
        by default that of the first queued call.  One run, one endpoint.
    :param completion_window: OpenAI's ``"24h"`` (the default); Anthropic has none.
    :param state: the state file; by default a new file in the user's data
        directory (``b.state_path`` says which).
    :param metadata: sent with each created batch (OpenAI).
    :param max_requests, max_bytes: split below the vendor's limits.
    """

    def __init__(self, client, *, endpoint: Optional[str] = None, completion_window: Optional[str] = None,
                 state: Any = None, metadata: Optional[Mapping[str, str]] = None,
                 max_requests: Optional[int] = None, max_bytes: Optional[int] = None,
                 _state: Optional[BatchState] = None):
        self.client = client
        self.rules = batch_rules(client)
        self.protocol = protocol_for(client, self.rules)
        self._handles: List[BatchHandle] = []
        self._chunk_of: Dict[str, int] = {}   # custom_id -> index of the chunk holding its latest request
        self._writer = None
        self._index: Optional[Dict[str, Tuple[int, str, int]]] = None
        self._shown: Optional[str] = None
        if _state is not None:
            self._state = _state
            self._load_handles()
            return
        rules = self.rules
        if endpoint is not None and endpoint not in rules.endpoints.values():
            raise UsageError(f"endpoint={endpoint!r}: the batch endpoint takes one of "
                             f"{', '.join(sorted(set(rules.endpoints.values())))}")
        if rules.completion_windows:
            window = completion_window or rules.completion_windows[0]
            if window not in rules.completion_windows:
                raise UsageError(f"completion_window={window!r}: the vendor offers "
                                 f"{', '.join(rules.completion_windows)}")
        elif completion_window is not None:
            raise UsageError(f"completion_window=: {client.profile.name}'s batches take none")
        else:
            window = None
        for name, value, limit in (("max_requests", max_requests, rules.max_requests),
                                   ("max_bytes", max_bytes, rules.max_bytes)):
            if value is not None and not (isinstance(value, int) and 0 < value <= limit):
                raise UsageError(f"{name}={value!r}: must be a whole number from 1 to the vendor's {limit}")
        header = {"spec": client.spec.bundled_name or client.spec.origin, "profile": client.profile.name,
                  "protocol": rules.protocol, "endpoint": endpoint, "completion_window": window,
                  "operation": None, "metadata": dict(metadata or {}) or None,
                  "max_requests": max_requests or rules.max_requests, "max_bytes": max_bytes or rules.max_bytes}
        self._state = BatchState.create(state, header)

    # ------------------------------------------------------------ surface
    @property
    def state_path(self) -> Path:
        """The state file: give it to :meth:`Client.batch_resume` to carry on."""
        return self._state.path

    @property
    def handles(self) -> List[BatchHandle]:
        """Every queued call, in the order queued."""
        return list(self._handles)

    def __len__(self) -> int:
        return len(self._handles)

    def __repr__(self) -> str:
        return (f"<Batch {self.rules.protocol} {self._state.data.get('endpoint')}: {len(self._handles)} "
                f"requests in {len(self._state.chunks)} chunk(s), {self.status}; state {self.state_path}>")

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        op = self.client.operation(name)  # UnknownOperationError is an AttributeError
        method = self.__dict__[name] = functools.partial(self.call, op.operation_id)
        return method

    def __enter__(self) -> "Batch":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.submit()
        elif not self._state.data["submitted"]:
            self.discard()

    # ----------------------------------------------------------- queuing
    def call(self, operation_id: str, /, *, custom_id: Optional[str] = None, **kwargs: Any) -> BatchHandle:
        """Queue one call, validated exactly as a live call would be
        (:class:`RequestValidationError` naming every problem, nothing
        queued); returns its :class:`BatchHandle`."""
        data = self._state.data
        if data["submitted"]:
            raise UsageError("this batch is submitted; start a new one with client.batch()")
        op = self.client.operation(operation_id)
        url = self.rules.endpoints.get(op.operation_id)
        if url is None:
            raise UsageError(f"{op.operation_id} cannot go in a {self.client.profile.name} batch; the batch "
                             f"endpoint takes {', '.join(self.rules.endpoints)}")
        if data["endpoint"] not in (None, url):
            raise UsageError(f"{op.operation_id} goes to {url}, but this batch is for {data['endpoint']}: "
                             f"one batch, one endpoint")
        for name in _LIVE_ONLY:
            if name in kwargs:
                raise UsageError(f"{name}= cannot travel in a batch request")
        problems = self._custom_id_problems(custom_id)
        flag = self.client.profile.stream_body_flag
        body = kwargs.get("body")
        if flag and isinstance(body, Mapping) and body.get(flag) is True:
            problems.append(ValidationProblem(f"body.{flag}", "a batched request cannot stream its answer"))
        try:
            prepared = self.client.prepare(op.operation_id, **kwargs)
        except RequestValidationError as exc:
            problems = problems + exc.errors
            prepared = None
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
        chunk = self._state.chunks[-1] if self._writer is not None else None
        if chunk is not None and (chunk["count"] >= data["max_requests"] or
                                  chunk["bytes"] + len(proto.separator) + len(line) + len(proto.tail)
                                  > data["max_bytes"]):
            self._close_chunk()
            chunk = None
        if chunk is None:
            chunk = self._open_chunk(resubmit=False)
            self._writer.write(line)
            chunk["bytes"] += len(line)
        else:
            self._writer.write(proto.separator + line)
            chunk["bytes"] += len(proto.separator) + len(line)
        chunk["count"] += 1

    def _open_chunk(self, resubmit: bool) -> Dict[str, Any]:
        chunks = self._state.chunks
        index = len(chunks)
        name = f"chunk-{index:04d}.requests.jsonl"
        chunk = {"index": index, "file": name, "count": 0, "bytes": len(self.protocol.head),
                 "status": "built", "resubmit": resubmit}
        chunks.append(chunk)
        self._writer = open(self._state.file(name), "wb", buffering=_WRITE_BUFFER)
        self._writer.write(self.protocol.head)
        return chunk

    def _close_chunk(self) -> None:
        if self._writer is None:
            return
        self._writer.write(self.protocol.tail)
        self._state.chunks[-1]["bytes"] += len(self.protocol.tail)
        self._writer.close()
        self._writer = None

    # --------------------------------------------------------- submitting
    def submit(self) -> "Batch":
        """Close the request files and create one vendor batch per chunk
        (uploading each file first where the vendor wants that).  Submitting
        twice does nothing more."""
        data = self._state.data
        if not data["submitted"]:
            self._close_chunk()
            if not self._state.chunks:
                raise UsageError("nothing to submit: no call was queued")
            data["submitted"] = True
            self._state.save()
        self._submit_pending()
        return self

    def discard(self) -> None:
        """Forget an unsubmitted batch: its request files and state are removed."""
        if self._state.data["submitted"]:
            raise UsageError("this batch is submitted; cancel() it instead")
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._state.remove()

    def _submit_pending(self) -> None:
        data = self._state.data
        for chunk in self._state.chunks:
            if not chunk.get("batch_id"):
                self.protocol.submit(chunk, self._state.file(chunk["file"]), data["endpoint"],
                                     data["completion_window"], data.get("metadata"), self._state.save)

    def cancel(self) -> "Batch":
        """Ask the vendor to cancel every batch of this run still running."""
        for chunk in self._state.chunks:
            if chunk.get("batch_id") and chunk.get("status") not in TERMINAL:
                self.protocol.cancel(chunk)
        self._state.save()
        return self

    # ------------------------------------------------------------ waiting
    def poll(self) -> Dict[str, Any]:
        """One round: submit what a dead process left unsubmitted, ask the
        status of every running batch, download the results of those that
        ended.  Returns :attr:`summary`."""
        if not self._state.data["submitted"]:
            raise UsageError("this batch is not submitted yet: call submit() (or leave the with block)")
        self._submit_pending()
        for chunk in self._state.chunks:
            if chunk.get("collected"):
                continue
            if chunk.get("status") not in TERMINAL:
                self.protocol.poll(chunk)
            if chunk.get("status") in TERMINAL:
                chunk["results"] = self.protocol.fetch(chunk, self._state.directory)
                chunk["collected"] = True
                self._index = None
            self._state.save()
        return self.summary

    @property
    def finished(self) -> bool:
        """Every batch of the run has ended and its results are downloaded."""
        chunks = self._state.chunks
        return bool(chunks) and all(c.get("collected") for c in chunks)

    @property
    def status(self) -> str:
        """The run's status in the vendor's words: the least advanced of its
        running batches, else ``completed`` when all completed, else how
        the others ended (``expired``, ``failed``, ``cancelled``)."""
        chunks = self._state.chunks
        if not self._state.data["submitted"]:
            return "building"
        running = [c.get("status") for c in chunks if c.get("status") not in TERMINAL]
        if running:
            return min(running, key=lambda s: STATUSES.index(s) if s in STATUSES else -1)
        ended = [c["status"] for c in chunks if c["status"] != "completed"]
        return ended[0] if ended else "completed"

    @property
    def summary(self) -> Dict[str, Any]:
        """``status``, ``total``, ``completed``, ``failed`` and, per chunk,
        its batch id, status and counts."""
        chunks = []
        total = completed = failed = 0
        for c in self._state.chunks:
            counts = c.get("counts") or {"total": c["count"], "completed": 0, "failed": 0}
            total += c["count"]
            completed += counts["completed"]
            failed += counts["failed"]
            chunks.append({"batch_id": c.get("batch_id"), "status": c.get("status"), "requests": c["count"],
                           "completed": counts["completed"], "failed": counts["failed"],
                           "resubmit": c.get("resubmit", False), "errors": c.get("errors", [])})
        return {"status": self.status, "total": total, "completed": completed, "failed": failed,
                "state": str(self.state_path), "chunks": chunks}

    def wait(self, progress: Optional[bool] = None, poll_interval: Optional[float] = None,
             timeout: Optional[float] = None) -> "Batch":
        """Poll until every batch has ended and its results are in.

        ``poll_interval``: seconds between polls (default: a backoff from 2 s
        growing to 60 s).  ``progress``: show completed/failed/total on
        standard error (default: when it is a terminal).  ``timeout``: give
        up after that many seconds with :class:`BatchError` (the run goes
        on at the vendor; resume it later)."""
        if not self._state.data["submitted"]:
            self.submit()
        show = sys.stderr.isatty() if progress is None else progress
        start = time.monotonic()
        delay = poll_interval if poll_interval is not None else BACKOFF[0]
        while True:
            summary = self.poll()
            if show:
                self._progress(summary)
            if self.finished:
                if show and self._shown is not None and sys.stderr.isatty():
                    sys.stderr.write("\n")
                return self
            if timeout is not None and time.monotonic() - start + delay > timeout:
                raise BatchError(f"the batch is still {summary['status']} after {timeout:g} s "
                                 f"({summary['completed']}/{summary['total']} done); resume it with "
                                 f"client.batch_resume({str(self.state_path)!r})")
            time.sleep(delay)
            if poll_interval is None:
                delay = min(delay * BACKOFF[1], BACKOFF[2])

    def _progress(self, summary: Mapping[str, Any]) -> None:
        text = (f"batch: {summary['completed']}/{summary['total']} done, {summary['failed']} failed "
                f"[{summary['status']}]")
        if sys.stderr.isatty():
            sys.stderr.write("\r" + text)
            sys.stderr.flush()
        elif text != self._shown:
            sys.stderr.write(text + "\n")
        self._shown = text

    # ------------------------------------------------------------ results
    def results(self) -> Iterator[Tuple[BatchHandle, Any]]:
        """``(handle, result)`` for every queued call, in order: the decoded
        answer, or the exception :meth:`BatchHandle.result` would raise."""
        if not self.finished:
            raise UsageError(f"the batch is still {self.status}: call wait() first")
        files: Dict[str, Any] = {}
        try:
            for handle in self._handles:
                ok, value = self._outcome(handle, files)
                yield handle, value
        finally:
            for fh in files.values():
                fh.close()

    def _collected(self, custom_id: str) -> bool:
        chunk = self._state.chunks[self._chunk_of[custom_id]]
        return bool(chunk.get("collected"))

    def _results_index(self) -> Dict[str, Tuple[int, str, int]]:
        """custom_id -> (chunk, result file, offset of its line); chunks in
        order, so a resubmitted request's newer result wins."""
        if self._index is None:
            index: Dict[str, Tuple[int, str, int]] = {}
            for chunk in self._state.chunks:
                if not chunk.get("collected"):
                    continue
                for name in (chunk.get("results") or {}).values():
                    with open(self._state.file(name), "rb") as fh:
                        offset = 0
                        for raw in fh:
                            if raw.strip():
                                index[json.loads(raw)["custom_id"]] = (chunk["index"], name, offset)
                            offset += len(raw)
            self._index = index
        return self._index

    def _outcome(self, handle: BatchHandle, files: Optional[Dict[str, Any]] = None) -> Tuple[bool, Any]:
        cid = handle.custom_id
        chunk = self._state.chunks[self._chunk_of[cid]]
        if not chunk.get("collected"):
            raise UsageError(f"{cid}: its batch is {chunk.get('status')}; call wait() first")
        found = self._results_index().get(cid)
        if found is not None and found[0] == chunk["index"]:
            _, name, offset = found
            if files is not None:
                fh = files.get(name) or files.setdefault(name, open(self._state.file(name), "rb"))
                fh.seek(offset)
                record = json.loads(fh.readline())
            else:
                with open(self._state.file(name), "rb") as fh:
                    fh.seek(offset)
                    record = json.loads(fh.readline())
            return self.protocol.outcome(record, handle.operation_id, self._state.data["endpoint"],
                                         chunk["batch_id"])
        status = chunk.get("status")
        reason = status if status in ("expired", "cancelled", "failed") else "failed"
        said = "; ".join(str(e.get("message")) for e in chunk.get("errors") or [] if e.get("message"))
        return False, BatchRequestNotRun(cid, reason, said or f"no result for it in batch {chunk['batch_id']}")

    # -------------------------------------------------------- resubmitting
    def resubmit(self, reasons: Tuple[str, ...] = ("expired", "cancelled", "failed"),
                 errors: bool = False) -> int:
        """Send again, as new batches of this run, the requests that never
        ran for one of ``reasons`` (and, with ``errors=True``, those answered
        with an error status).  Their handles then wait for the new
        results.  Returns how many were resubmitted."""
        if not self.finished:
            raise UsageError(f"the batch is still {self.status}: call wait() first")
        picked = set()
        for handle, value in self.results():
            if isinstance(value, BatchRequestNotRun) and value.reason in reasons or \
                    errors and isinstance(value, APIError):
                picked.add(handle.custom_id)
        if not picked:
            return 0
        lines: Dict[str, bytes] = {}
        for chunk in self._state.chunks:
            for cid, line in self.protocol.custom_ids(self._state.file(chunk["file"])):
                if cid in picked:
                    lines[cid] = line
        data = self._state.data
        for handle in self._handles:
            line = lines.get(handle.custom_id)
            if line is None:
                continue
            chunk = self._state.chunks[-1] if self._writer is not None else None
            if chunk is None or chunk["count"] >= data["max_requests"] or \
                    chunk["bytes"] + len(self.protocol.separator) + len(line) + len(self.protocol.tail) \
                    > data["max_bytes"]:
                self._close_chunk()
                chunk = self._open_chunk(resubmit=True)
                self._writer.write(line)
                chunk["bytes"] += len(line)
            else:
                self._writer.write(self.protocol.separator + line)
                chunk["bytes"] += len(self.protocol.separator) + len(line)
            chunk["count"] += 1
            self._chunk_of[handle.custom_id] = chunk["index"]
        self._close_chunk()
        self._state.save()
        self._index = None
        self._submit_pending()
        return len(lines)

    # ------------------------------------------------------------ resuming
    @classmethod
    def resume(cls, client, path: Any) -> "Batch":
        """The run recorded in the state file ``path``, ready to :meth:`wait`
        and collect; nothing already submitted is submitted again."""
        state = BatchState.load(path)
        data = state.data
        rules = batch_rules(client)
        if data.get("protocol") != rules.protocol or data.get("profile") != client.profile.name:
            raise BatchError(f"{state.path} is a {data.get('profile')} batch ({data.get('protocol')}); "
                             f"this client speaks {client.profile.name} ({rules.protocol})")
        if not data.get("submitted"):
            raise BatchError(f"{state.path} was never submitted (the process stopped while queuing): "
                             f"nothing was sent; build the batch again")
        return cls(client, _state=state)

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
