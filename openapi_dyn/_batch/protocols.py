"""How each vendor's batch engine is spoken to: the line format of a queued
request, how a chunk is submitted, polled, cancelled and its results
fetched, and how one result line becomes what a live call would have
returned or raised.

Which protocol a vendor uses, its limits and the operations it accepts are
data, in the ``batch`` section of the vendor profile (``schemas/profile-*.yaml``,
see docs/vendors.md); this module only knows the two wire protocols:

* ``openai-files``: requests are lines ``{custom_id, method, url, body}`` of
  a JSONL file uploaded with ``purpose=batch``; a batch is created on it;
  results come back as an output file (answers) and an error file (error
  answers and requests that never ran), lines ``{custom_id, response:
  {status_code, request_id, body}, error: {code, message}}``.
* ``anthropic-inline``: the requests ``{custom_id, params}`` travel in the
  body of the create call itself (the local chunk file *is* that body,
  streamed from disk); results are a JSONL stream of ``{custom_id, result:
  {type: succeeded|errored|canceled|expired, ...}}``.

Every call made here goes through the :class:`~openapi_dyn.Client`,
so it is validated, authenticated, retried and decoded like any other.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

from .._errors import APIError, BatchError, BatchRequestNotRun, error_class_for
from .._answer.envelope import error_fields

#: Pages of a vendor's list searched at most when reconciling.
MAX_PAGES = 1000


def _epoch(value: Any) -> Optional[float]:
    """An RFC 3339 time (Anthropic's ``created_at``) or epoch seconds, as epoch seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        from datetime import datetime

        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    return None

#: Statuses after which a batch changes no more.
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})

#: Every status a batch can be in (OpenAI's vocabulary; Anthropic's
#: ``processing_status`` is mapped onto it).
STATUSES = ("validating", "in_progress", "finalizing", "completed", "failed", "expired",
            "cancelling", "cancelled")


class BatchRules:
    """The ``batch`` section of a vendor profile, read."""

    def __init__(self, raw: Mapping[str, Any]):
        self.protocol: str = raw["protocol"]
        self.max_requests: int = int(raw.get("max_requests") or 50_000)
        self.max_bytes: int = int(raw.get("max_bytes") or 200 * 1024 * 1024)
        self.completion_windows = tuple(raw.get("completion_windows") or ())
        pattern = raw.get("custom_id_pattern")
        self.custom_id_pattern: Optional[re.Pattern] = re.compile(pattern) if pattern else None
        self.operations: Dict[str, str] = dict(raw["operations"])
        self.endpoints: Dict[str, str] = dict(raw["endpoints"])
        self.error_statuses: Dict[str, int] = dict(raw.get("error_statuses") or {})


def protocol_for(client, rules: BatchRules) -> "Protocol":
    cls = {"openai-files": OpenAIFiles, "anthropic-inline": AnthropicInline}[rules.protocol]
    return cls(client, rules)


class Protocol:
    """What the two protocols share; see the module docstring."""

    #: bytes before the first line, between lines, after the last one
    head = b""
    separator = b""
    tail = b""
    #: whether a chunk file is uploaded (else sent as the create body)
    uploads = False

    def __init__(self, client, rules: BatchRules):
        self.client = client
        self.rules = rules
        self._middle: Dict[Tuple[str, str], bytes] = {}

    # --------------------------------------------------------- building
    def line(self, custom_id: str, url: str, prepared) -> bytes:  # pragma: no cover - abstract
        raise NotImplementedError

    def custom_ids(self, path: Path) -> Iterator[Tuple[str, bytes]]:
        """``(custom_id, request line)`` of every request in a chunk file, in order."""
        with open(path, "rb") as fh:
            for raw in fh:
                text = raw.strip().rstrip(b",")
                if not text or text in (self.head.strip(), self.tail.strip()):
                    continue  # the head or tail of an inline body
                yield json.loads(text)["custom_id"], text

    # ------------------------------------------------------- summarising
    @staticmethod
    def _counts(total: int = 0, completed: int = 0, failed: int = 0) -> Dict[str, int]:
        return {"total": int(total or 0), "completed": int(completed or 0), "failed": int(failed or 0)}

    # ---------------------------------------------------------- results
    def api_error(self, custom_id: str, operation_id: str, url: str, status: int, body: Any,
                  request_id: Optional[str], batch_id: str) -> APIError:
        """The :class:`APIError` subclass a live call answered ``status``
        with ``body`` would have raised, its fields read from the vendor's
        error envelope."""
        fields = error_fields(body, "application/json", self.client.profile)
        cls = error_class_for(status)
        text = f"{status} from POST {url} ({operation_id}) in batch {batch_id}, request {custom_id}: "
        if fields["type"] or fields["code"]:
            text += f"[{fields['code'] or fields['type']}] "
        text += str(fields["message"] or "error")
        if fields["param"]:
            text += f" (param: {fields['param']})"
        if request_id:
            text += f" [request id {request_id}]"
        return cls(text, status_code=status, headers={}, body=body, request_id=request_id,
                   error_message=fields["message"], error_type=fields["type"], code=fields["code"],
                   param=fields["param"])


class OpenAIFiles(Protocol):
    """OpenAI's Batch API (see the module docstring)."""

    separator = b"\n"
    tail = b"\n"
    uploads = True

    def line(self, custom_id: str, url: str, prepared) -> bytes:
        # The body is already the exact JSON a live call would send.
        middle = self._middle.get((prepared.method, url))
        if middle is None:
            middle = self._middle[(prepared.method, url)] = (
                b',"method":' + json.dumps(prepared.method).encode() + b',"url":' + json.dumps(url).encode() +
                b',"body":')
        return b'{"custom_id":' + json.dumps(custom_id).encode() + middle + prepared.body + b'}'

    def upload(self, path: Path, name: str) -> str:
        """Upload a chunk file under ``name``; returns its file id."""
        uploaded = self.client.call(self.rules.operations["upload"], body={"file": (name, path), "purpose": "batch"})
        return uploaded["id"]

    def find_upload(self, name: str, since: Optional[float]) -> Optional[str]:
        """The id of the batch file called ``name`` uploaded since ``since``
        (by a process that died before recording it), looked for over every
        page of the vendor's list, newest first."""
        for item in self._pages(self.rules.operations["list_files"], since, purpose="batch", order="desc"):
            if item.get("filename") == name:
                return item.get("id")
        return None

    def create(self, chunk: Dict[str, Any], path: Path, endpoint: str, window: Optional[str],
               metadata: Mapping[str, str]) -> Mapping[str, Any]:
        body: Dict[str, Any] = {"input_file_id": chunk["input_file_id"], "endpoint": endpoint,
                                "completion_window": window, "metadata": dict(metadata)}
        return self.client.call(self.rules.operations["create"], body=body)

    def find_created(self, chunk: Mapping[str, Any], metadata: Mapping[str, str], since: Optional[float],
                     slack: float, taken: Any) -> List[Mapping[str, Any]]:
        """The batches whose metadata names this run and chunk, over every
        page of the vendor's list back to the intent."""
        keys = ("openapi_dyn_run", "openapi_dyn_chunk")
        found = []
        start = None if since is None else since - slack
        for item in self._pages(self.rules.operations["list"], start):
            meta = item.get("metadata") or {}
            if isinstance(meta, Mapping) and all(meta.get(k) == metadata[k] for k in keys):
                found.append(item)
        return found

    def _pages(self, operation_id: str, since: Optional[float], **params: Any) -> Iterator[Mapping[str, Any]]:
        """Every item of a cursor-paginated list (newest first), stopping at
        the first one created before ``since`` or after :data:`MAX_PAGES`."""
        after = None
        for _ in range(MAX_PAGES):
            page = self.client.call(operation_id, limit=100, **params, **({"after": after} if after else {}))
            items = [i for i in (page or {}).get("data") or () if isinstance(i, Mapping)]
            for item in items:
                created = item.get("created_at")
                if since is not None and isinstance(created, (int, float)) and created < since:
                    return
                yield item
            if not page.get("has_more") or not items:
                return
            after = items[-1].get("id")
        raise BatchError(f"more than {MAX_PAGES} pages of {operation_id} to search; adopt the batch by hand")

    def poll(self, chunk: Dict[str, Any]) -> None:
        self.update(chunk, self.client.call(self.rules.operations["retrieve"], batch_id=chunk["batch_id"]))

    def update(self, chunk: Dict[str, Any], batch: Mapping[str, Any]) -> None:
        chunk["status"] = batch.get("status") or "validating"
        counts = batch.get("request_counts") or {}
        chunk["counts"] = self._counts(counts.get("total", chunk["count"]), counts.get("completed"),
                                       counts.get("failed"))
        for key in ("output_file_id", "error_file_id"):
            if batch.get(key):
                chunk[key] = batch[key]
        errors = (batch.get("errors") or {}).get("data") or []
        if errors:
            chunk["errors"] = [{k: e.get(k) for k in ("code", "message", "line")} for e in errors[:50]
                               if isinstance(e, Mapping)]

    def cancel(self, chunk: Dict[str, Any]) -> None:
        self.update(chunk, self.client.call(self.rules.operations["cancel"], batch_id=chunk["batch_id"]))

    def fetch(self, chunk: Dict[str, Any], directory: Path) -> Dict[str, str]:
        """Download the output and error files; returns the local names."""
        out = {}
        for key, kind in (("output_file_id", "output"), ("error_file_id", "errors")):
            file_id = chunk.get(key)
            if file_id:
                name = f"chunk-{chunk['index']:04d}.{kind}.jsonl"
                self.client.call(self.rules.operations["download"], file_id=file_id, save_to=directory / name)
                out[kind] = name
        return out

    def outcome(self, record: Mapping[str, Any], operation_id: str, url: str, batch_id: str) -> Tuple[bool, Any]:
        """``(True, body)`` for a 2xx answer, else ``(False, exception)``."""
        custom_id = record.get("custom_id")
        response = record.get("response")
        if isinstance(response, Mapping) and response.get("status_code") is not None:
            status = int(response["status_code"])
            body = response.get("body")
            if 200 <= status < 300:
                return True, body
            return False, self.api_error(custom_id, operation_id, url, status, body,
                                         response.get("request_id"), batch_id)
        error = record.get("error") or {}
        code = error.get("code") if isinstance(error, Mapping) else None
        message = error.get("message") if isinstance(error, Mapping) else str(error)
        reason = {"batch_expired": "expired", "batch_cancelled": "cancelled"}.get(code or "", "failed")
        return False, BatchRequestNotRun(custom_id, reason, message or "", code)


class AnthropicInline(Protocol):
    """Anthropic's Message Batches (see the module docstring)."""

    head = b'{"requests":[\n'
    separator = b",\n"
    tail = b"\n]}\n"

    _STATUS = {"in_progress": "in_progress", "canceling": "cancelling"}

    def line(self, custom_id: str, url: str, prepared) -> bytes:
        return b'{"custom_id":' + json.dumps(custom_id).encode() + b',"params":' + prepared.body + b'}'

    def create(self, chunk: Dict[str, Any], path: Path, endpoint: str, window: Optional[str],
               metadata: Mapping[str, str]) -> Mapping[str, Any]:
        from .._call.bodies import PathBody

        # Every params object was validated as a messages_post body when it
        # was queued; the wrapper is checked here, the file streamed.
        prepared = self.client.prepare(self.rules.operations["create"], body={"requests": []}, validate=False)
        prepared.body = PathBody(path)
        return self.client.send(prepared).data

    def find_created(self, chunk: Mapping[str, Any], metadata: Mapping[str, str], since: Optional[float],
                     slack: float, taken: Any) -> List[Mapping[str, Any]]:
        """The batches created since the intent (less ``slack``) holding as
        many requests as the chunk and not taken by another chunk: Anthropic
        keeps nothing of ours on a batch, so these are the candidates."""
        start = None if since is None else since - slack
        found = []
        after = None
        for _ in range(MAX_PAGES):
            page = self.client.call(self.rules.operations["list"], limit=100,
                                    **({"after_id": after} if after else {}))
            items = [i for i in (page or {}).get("data") or () if isinstance(i, Mapping)]
            for item in items:
                created = _epoch(item.get("created_at"))
                if start is not None and created is not None and created < start:
                    return found
                counts = item.get("request_counts") or {}
                total = sum(int(counts.get(k) or 0) for k in
                            ("processing", "succeeded", "errored", "expired", "canceled"))
                if total == chunk["count"] and item.get("id") not in taken:
                    found.append(item)
            if not page.get("has_more") or not items:
                return found
            after = page.get("last_id") or items[-1].get("id")
        raise BatchError(f"more than {MAX_PAGES} pages of batches to search; adopt the batch by hand")

    def poll(self, chunk: Dict[str, Any]) -> None:
        self.update(chunk, self.client.call(self.rules.operations["retrieve"], message_batch_id=chunk["batch_id"]))

    def update(self, chunk: Dict[str, Any], batch: Mapping[str, Any]) -> None:
        raw = batch.get("processing_status") or "in_progress"
        if raw == "ended":
            status = "cancelled" if batch.get("cancel_initiated_at") else "completed"
        else:
            status = self._STATUS.get(raw, raw)
        chunk["status"] = status
        c = batch.get("request_counts") or {}
        failed = sum(int(c.get(k) or 0) for k in ("errored", "expired", "canceled"))
        total = sum(int(c.get(k) or 0) for k in ("processing", "succeeded", "errored", "expired", "canceled"))
        chunk["counts"] = self._counts(total or chunk["count"], c.get("succeeded"), failed)

    def cancel(self, chunk: Dict[str, Any]) -> None:
        self.update(chunk, self.client.call(self.rules.operations["cancel"], message_batch_id=chunk["batch_id"]))

    def fetch(self, chunk: Dict[str, Any], directory: Path) -> Dict[str, str]:
        name = f"chunk-{chunk['index']:04d}.results.jsonl"
        self.client.call(self.rules.operations["results"], message_batch_id=chunk["batch_id"],
                         save_to=directory / name)
        return {"results": name}

    def outcome(self, record: Mapping[str, Any], operation_id: str, url: str, batch_id: str) -> Tuple[bool, Any]:
        custom_id = record.get("custom_id")
        result = record.get("result") or {}
        kind = result.get("type")
        if kind == "succeeded":
            return True, result.get("message")
        if kind == "errored":
            body = result.get("error")
            fields = error_fields(body, "application/json", self.client.profile)
            status = self.rules.error_statuses.get(str(fields["type"] or ""), 0)
            return False, self.api_error(custom_id, operation_id, url, status, body, None, batch_id)
        reason = {"canceled": "cancelled", "expired": "expired"}.get(str(kind), "failed")
        return False, BatchRequestNotRun(custom_id, reason, f"the request was {kind}", kind)
