"""Polling a batch run: one round asks the vendor the status of every batch
still running and downloads the results of those that ended; waiting repeats
rounds (a backoff from 2 s to 60 s, or a fixed interval) until all are in,
showing progress on standard error when asked.

A round first finishes any submission a dead process left half done
(:mod:`._batch_submit`), so resuming and waiting is all a caller does after
a crash.  :class:`Polling` is the part of :class:`~openapi_dyn.Batch` that
does this.
"""
from __future__ import annotations

import json
import sys
import time
from typing import Any, Dict, Mapping, Optional

from .protocols import STATUSES, TERMINAL
from .._errors import BatchError, UsageError

#: Polling without ``poll_interval``: first wait, growth factor, longest wait.
BACKOFF = (2.0, 1.5, 60.0)


class Polling:
    """Status, summary, polling and waiting (a part of :class:`~openapi_dyn.Batch`)."""

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
                results = self.protocol.fetch(chunk, self._state.directory)
                self._check_results(chunk, results)
                chunk["results"] = results
                chunk["collected"] = True
                self._index = None
            self._state.save()
        return self.summary

    def _check_results(self, chunk: Mapping[str, Any], results: Mapping[str, str]) -> None:
        """The results of a chunk's batch answer the chunk's requests: a
        batch adopted by mistake (``adopt=``) is found out here, not as
        requests that silently never ran."""
        asked = {cid for cid, _ in self.protocol.custom_ids(self._state.file(chunk["file"]))}
        for name in results.values():
            with open(self._state.file(name), "rb") as fh:
                for raw in fh:
                    if raw.strip():
                        cid = json.loads(raw).get("custom_id")
                        if cid not in asked:
                            raise BatchError(f"batch {chunk['batch_id']} answers a request {cid!r} that chunk "
                                             f"{chunk['index']} of {self.state_path} never held: it is not this "
                                             f"chunk's batch (adopted by mistake?)")

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
             timeout: Optional[float] = None):
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
