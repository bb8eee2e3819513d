"""Reading a batch run's results: every result line of the downloaded
files mapped back to its handle by ``custom_id``, and each turned into what
the live call would have given: the decoded answer (JSON objects as
:class:`~openapi_dyn.Record`, plain dicts with ``attribute_access=False``,
as ``client.call()`` gives them), or the exception it would have raised.

The index (custom_id -> file and offset) is built once per collected chunk
set; a result is read by seeking to its line, so memory holds offsets, not
answers.  :class:`Reading` is the part of :class:`~openapi_dyn.Batch` that
does this.
"""
from __future__ import annotations

import json
from typing import Any, Dict, Iterator, Optional, Tuple

from .._errors import BatchRequestNotRun, UsageError
from .._answer.records import loads


class Reading:
    """Results, mapped back (a part of :class:`~openapi_dyn.Batch`)."""

    def results(self) -> Iterator[Tuple[Any, Any]]:
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

    def _read_record(self, name: str, offset: int, files: Optional[Dict[str, Any]]) -> Any:
        """The result line at ``offset`` of ``name``, decoded as the client
        decodes answers."""
        if files is not None:
            fh = files.get(name) or files.setdefault(name, open(self._state.file(name), "rb"))
            fh.seek(offset)
            return loads(fh.readline(), self.client.attribute_access)
        with open(self._state.file(name), "rb") as fh:
            fh.seek(offset)
            return loads(fh.readline(), self.client.attribute_access)

    def _outcome(self, handle: Any, files: Optional[Dict[str, Any]] = None) -> Tuple[bool, Any]:
        cid = handle.custom_id
        chunk = self._state.chunks[self._chunk_of[cid]]
        if not chunk.get("collected"):
            raise UsageError(f"{cid}: its batch is {chunk.get('status')}; call wait() first")
        found = self._results_index().get(cid)
        if found is not None and found[0] == chunk["index"]:
            _, name, offset = found
            record = self._read_record(name, offset, files)
            return self.protocol.outcome(record, handle.operation_id, self._state.data["endpoint"],
                                         chunk["batch_id"])
        status = chunk.get("status")
        reason = status if status in ("expired", "cancelled", "failed") else "failed"
        said = "; ".join(str(e.get("message")) for e in chunk.get("errors") or [] if e.get("message"))
        return False, BatchRequestNotRun(cid, reason, said or f"no result for it in batch {chunk['batch_id']}")
