"""Submitting a batch run, durably: one vendor batch per chunk, never two,
whenever the process submitting it dies.

Each step that creates something at the vendor (uploading a chunk file,
creating a batch) is preceded by an *intent* written atomically to the state
(``chunk["uploading"]``, ``chunk["creating"]``: the time it was written), and
followed by the id it produced.  A process that dies between the two leaves
the intent behind, and whoever carries on asks the vendor before doing the
step again:

* an upload is looked for among the vendor's files by its name, which is
  unique to the run and chunk (``<run>-chunk-0000.jsonl``): found, it is
  used; a resume never uploads a chunk twice, and no file is left orphaned;
* OpenAI batches carry the run and chunk in their ``metadata``: every page of
  the batch list since the intent is searched;
* Anthropic batches carry nothing of ours: the batches created since the
  intent (allowing :data:`CLOCK_SLACK` for clocks that differ) whose request
  count is the chunk's, and which no other chunk of the run has taken, are
  the candidates.  None: the create never arrived, and it is sent.  One: it
  is taken.  More: the vendor cannot tell which is ours, and the resume
  refuses with :class:`BatchError` naming them and how to adopt the right
  one (``client.batch_resume(path, adopt={chunk: batch_id})``).

A listing that fails is an error too (nothing is created on a guess).
:class:`Submitting` is the part of :class:`~openapi_dyn.Batch` that does this.
"""
from __future__ import annotations

import time
from typing import Any, Dict, List, Mapping, Optional, Tuple

from .protocols import TERMINAL
from .._errors import APIError, BatchError, BatchRequestNotRun, OpenAPIDynError, UsageError

#: Seconds a vendor's clock may be behind ours when matching creation times.
CLOCK_SLACK = 300.0


def upload_name(run: str, chunk: Mapping[str, Any]) -> str:
    """The file name a chunk is uploaded under: unique to the run and chunk,
    so a resume can find it at the vendor."""
    return f"{run}-chunk-{chunk['index']:04d}.jsonl"


def intent_time(value: Any) -> Optional[float]:
    """When an intent was written (``None`` for a state written before
    intents had a time: then no time bounds the search)."""
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


class Submitting:
    """Submitting, cancelling, resubmitting (a part of :class:`~openapi_dyn.Batch`)."""

    def submit(self):
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

    def _submit_pending(self) -> None:
        for chunk in self._state.chunks:
            if not chunk.get("batch_id"):
                self._submit_chunk(chunk)

    def _submit_chunk(self, chunk: Dict[str, Any]) -> None:
        proto, state = self.protocol, self._state
        data = state.data
        path = state.file(chunk["file"])
        if proto.uploads and not chunk.get("input_file_id"):
            name = upload_name(data["run"], chunk)
            if "uploading" in chunk:
                since = intent_time(chunk["uploading"])
                found = self._ask(lambda: proto.find_upload(name, None if since is None else since - CLOCK_SLACK),
                                  chunk, "uploaded")
                if found:
                    chunk["input_file_id"] = found
            if not chunk.get("input_file_id"):
                chunk["uploading"] = time.time()
                state.save()
                chunk["input_file_id"] = proto.upload(path, name)
            chunk.pop("uploading", None)
            state.save()
        if "creating" in chunk:
            found = self._reconcile(chunk)
            if found is not None:
                chunk["batch_id"] = found["id"]
                proto.update(chunk, found)
        if not chunk.get("batch_id"):
            chunk["creating"] = time.time()
            state.save()
            created = proto.create(chunk, path, data["endpoint"], data["completion_window"],
                                   self._metadata(chunk))
            chunk["batch_id"] = created["id"]
            proto.update(chunk, created)
        chunk.pop("creating", None)
        state.save()

    def _metadata(self, chunk: Mapping[str, Any]) -> Dict[str, str]:
        """The caller's metadata plus what names the run and chunk (OpenAI)."""
        out = dict(self._state.data.get("metadata") or {})
        out.update({"openapi_dyn_run": self._state.data["run"], "openapi_dyn_chunk": str(chunk["index"])})
        return out

    def _ask(self, question, chunk: Mapping[str, Any], what: str) -> Any:
        """The vendor's answer to ``question()``; a failure is a
        :class:`BatchError`: nothing is done on a guess."""
        try:
            return question()
        except OpenAPIDynError as exc:
            raise BatchError(f"cannot tell whether chunk {chunk['index']} of {self._state.path} was {what} "
                             f"before the process stopped: asking the vendor failed ({exc}); nothing was "
                             f"sent again: resume later") from None

    def _reconcile(self, chunk: Dict[str, Any]) -> Optional[Mapping[str, Any]]:
        """The batch a dead process created for ``chunk`` without recording
        it, or ``None`` when the vendor shows none; :class:`BatchError` when
        it cannot tell which."""
        taken = {c.get("batch_id") for c in self._state.chunks if c.get("batch_id")}
        since = intent_time(chunk["creating"])
        candidates: List[Mapping[str, Any]] = self._ask(
            lambda: self.protocol.find_created(chunk, self._metadata(chunk), since, CLOCK_SLACK, taken),
            chunk, "created")
        if not candidates:
            return None
        if len(candidates) == 1:
            return candidates[0]
        ids = ", ".join(str(c.get("id")) for c in candidates)
        raise BatchError(f"chunk {chunk['index']} of {self._state.path} ({chunk['count']} requests) may have been "
                         f"created before the process stopped, and the vendor cannot tell which of these "
                         f"batches is it: {ids}.  Nothing was created.  Look at them, then adopt the right one: "
                         f"client.batch_resume({str(self._state.path)!r}, adopt={{{chunk['index']}: "
                         f"'<batch id>'}})")

    def _adopt(self, adopt: Mapping[Any, str]) -> None:
        """Record the batches a caller says belong to chunks whose creation
        was left in doubt (see :meth:`_reconcile`)."""
        chunks = self._state.chunks
        for index, batch_id in adopt.items():
            try:
                chunk = chunks[int(index)]
            except (ValueError, TypeError, IndexError):
                raise UsageError(f"adopt={{{index!r}: ...}}: the run has chunks 0 to {len(chunks) - 1}") from None
            if chunk.get("batch_id") == batch_id:
                continue
            if chunk.get("batch_id") or "creating" not in chunk:
                raise UsageError(f"adopt={{{index}: {batch_id!r}}}: chunk {index} is not waiting for its batch "
                                 f"(it has {chunk.get('batch_id') or 'not been created yet'})")
            chunk["batch_id"] = batch_id
            chunk["status"] = "validating"
            chunk.pop("creating", None)
        self._state.save()

    def cancel(self):
        """Ask the vendor to cancel every batch of this run still running."""
        for chunk in self._state.chunks:
            if chunk.get("batch_id") and chunk.get("status") not in TERMINAL:
                self.protocol.cancel(chunk)
        self._state.save()
        return self

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
        for handle in self._handles:
            line = lines.get(handle.custom_id)
            if line is None:
                continue
            chunk = self._write_line(line, resubmit=True)
            self._chunk_of[handle.custom_id] = chunk["index"]
        self._close_chunk()
        self._state.save()
        self._index = None
        self._submit_pending()
        return len(lines)
