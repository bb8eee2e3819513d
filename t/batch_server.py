"""A local stand-in for the vendors' batch engines, on 127.0.0.1.

OpenAI: ``POST /v1/files`` (multipart, ``purpose=batch``), ``GET
/v1/files/{id}/content``, ``POST /v1/batches``, ``GET /v1/batches[/{id}]``,
``POST /v1/batches/{id}/cancel``.  Anthropic: ``POST /v1/messages/batches``,
``GET /v1/messages/batches/{id}[/results]``, ``POST .../cancel``.

Lists: ``GET /v1/files`` and ``GET /v1/batches`` (newest first, ``limit``
and ``after``), ``GET /v1/messages/batches`` (``limit`` and ``after_id``),
each with ``created_at``, as the vendors page them.

Each retrieve moves a batch one status further along its plan (``validating
-> in_progress -> finalizing -> completed`` by default); while ``hold`` is
set, a batch stays ``in_progress``.  ``stall(step, when)`` makes the next
upload or create wait for ``release()`` (bounded) before doing anything
(``"before"``: it is then dropped, as a request that never arrived) or after
doing it but before answering (``"after"``: the answer is lost), so a test can
kill the client with the request in flight.  ``made(kind)`` counts what was
really created, whatever the requests.  What each request "answers" depends on
its text: ``FAIL`` gives a 400 with the vendor's error envelope, ``BUSY`` a
429 (Anthropic: ``overloaded_error``, 529); anything else succeeds, echoing
the text upper-cased.  A plan ending in ``expired`` or ``cancelled`` runs only
the first half of the requests; ``failed`` runs none.  Results are written in
reverse order, so only the ``custom_id`` can match them back.
"""
from __future__ import annotations

import pytest
import email.parser
import email.policy
import json
import re
import threading
import time
from datetime import datetime, timezone
from urllib.parse import parse_qs
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional

CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


class BatchServer:
    def __init__(self, openai_limits=(50_000, 200 * 1024 * 1024), anthropic_limits=(100_000, 256 * 1024 * 1024)):
        self.lock = threading.Lock()
        self.files: Dict[str, Dict[str, Any]] = {}
        self.batches: Dict[str, Dict[str, Any]] = {}
        self.log: List[tuple] = []           # (method, path)
        self.plans: List[List[str]] = []     # plans for the next batches created, in order
        self.hold = threading.Event()        # set: running batches stay in_progress
        self.openai_limits = openai_limits
        self.anthropic_limits = anthropic_limits
        self.counter = 0
        self.stalls: Dict[str, str] = {}      # "upload" | "create" -> "before" | "after"
        self.stalled = threading.Event()     # a stalled request has arrived
        self.released = threading.Event()    # let it go on
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _body(self) -> bytes:
                n = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(n) if n else b""

            def _send(self, status: int, payload: Any = None, raw: Optional[bytes] = None,
                      ctype: str = "application/json", headers: Optional[dict] = None):
                data = raw if raw is not None else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def close_connection_now(self):
                """Answer nothing: the connection is dropped."""
                self.close_connection = True

            def do_GET(self):
                server._dispatch(self, "GET", b"")

            def do_POST(self):
                server._dispatch(self, "POST", self._body())

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    @property
    def anthropic_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        self.hold.clear()
        self.released.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def count(self, method: str, pattern: str) -> int:
        with self.lock:
            return sum(1 for m, p in self.log if m == method and re.fullmatch(pattern, p))

    def made(self, kind: str) -> int:
        """Batches (``"openai"``, ``"anthropic"``) or uploaded batch files (``"file"``) really created."""
        if kind == "file":
            return sum(1 for f in self.files.values() if f["purpose"] == "batch")
        return sum(1 for b in self.batches.values() if b["kind"] == kind)

    def stall(self, step: str, when: str) -> None:
        self.stalled.clear()
        self.released.clear()
        self.stalls[step] = when

    def release(self) -> None:
        self.released.set()

    def _stall(self, step: str, when: str) -> bool:
        """Wait (bounded) when ``step`` is to stall ``when``; true if it did."""
        if self.stalls.get(step) != when:
            return False
        del self.stalls[step]
        self.stalled.set()
        self.released.wait(30)
        return True

    def _new_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}_{self.counter:04d}"

    # ----------------------------------------------------------- dispatch
    def _dispatch(self, h, method: str, body: bytes) -> None:
        path, _, query = h.path.partition("?")
        h.query = {k: v[0] for k, v in parse_qs(query).items()}
        with self.lock:
            self.log.append((method, path))
        if path.startswith("/v1/messages/batches"):
            if not h.headers.get("x-api-key") or not h.headers.get("anthropic-version"):
                return h._send(401, {"type": "error", "error": {"type": "authentication_error",
                                                                "message": "x-api-key and anthropic-version needed"}})
            return self._anthropic(h, method, path, body)
        if not (h.headers.get("Authorization") or "").startswith("Bearer "):
            return h._send(401, {"error": {"message": "no key", "type": "invalid_request_error"}})
        return self._openai(h, method, path, body)

    # ------------------------------------------------------------- OpenAI
    def _openai(self, h, method: str, path: str, body: bytes) -> None:
        m = re.fullmatch(r"/v1/files/([^/]+)/content", path)
        if method == "GET" and m:
            f = self.files.get(m.group(1))
            if f is None:
                return h._send(404, {"error": {"message": "no such file", "type": "invalid_request_error"}})
            return h._send(200, raw=f["content"], ctype="application/octet-stream")
        if method == "GET" and path == "/v1/files":
            items = [dict(f["public"]) for f in self.files.values()
                     if "public" in f and f["purpose"] == h.query.get("purpose", f["purpose"])][::-1]
            return h._send(200, _page(items, h.query, "after", openai=True))
        if method == "POST" and path == "/v1/files":
            if self._stall("upload", "before"):
                return h.close_connection_now()
            fields = _multipart(h.headers.get("Content-Type", ""), body)
            if fields.get("purpose", (None, b""))[1] != b"batch" or "file" not in fields:
                return h._send(400, {"error": {"message": "purpose batch and a file needed",
                                               "type": "invalid_request_error", "param": "purpose"}})
            fid = self._new_id("file")
            public = {"id": fid, "object": "file", "purpose": "batch", "bytes": len(fields["file"][1]),
                      "filename": fields["file"][0], "created_at": int(time.time())}
            self.files[fid] = {"content": fields["file"][1], "filename": fields["file"][0], "purpose": "batch",
                               "public": public}
            if self._stall("upload", "after"):
                return h.close_connection_now()
            return h._send(200, public)
        if method == "POST" and path == "/v1/batches":
            if self._stall("create", "before"):
                return h.close_connection_now()
            req = json.loads(body)
            f = self.files.get(req.get("input_file_id"))
            if f is None or req.get("completion_window") != "24h":
                return h._send(400, {"error": {"message": "bad input_file_id or completion_window",
                                               "type": "invalid_request_error"}})
            lines = [json.loads(x) for x in f["content"].splitlines() if x.strip()]
            if len(lines) > self.openai_limits[0] or len(f["content"]) > self.openai_limits[1]:
                return h._send(400, {"error": {"message": "too many requests or bytes in the file",
                                               "type": "invalid_request_error"}})
            bid = self._new_id("batch")
            plan = self.plans.pop(0) if self.plans else ["validating", "in_progress", "finalizing", "completed"]
            self.batches[bid] = {"id": bid, "object": "batch", "endpoint": req["endpoint"],
                                 "input_file_id": req["input_file_id"], "completion_window": "24h",
                                 "status": plan[0], "plan": plan[1:], "lines": lines, "kind": "openai",
                                 "request_counts": {"total": len(lines), "completed": 0, "failed": 0},
                                 "metadata": req.get("metadata"), "created_at": int(time.time())}
            if self._stall("create", "after"):
                return h.close_connection_now()
            return h._send(200, self._public(self.batches[bid]))
        if method == "GET" and path == "/v1/batches":
            data = [self._public(b) for b in self.batches.values() if b["kind"] == "openai"][::-1]
            return h._send(200, _page(data, h.query, "after", openai=True))
        m = re.fullmatch(r"/v1/batches/([^/]+)(/cancel)?", path)
        if m and m.group(1) in self.batches:
            b = self.batches[m.group(1)]
            if m.group(2) and method == "POST":
                if b["status"] not in ("completed", "failed", "expired", "cancelled"):
                    b["status"], b["plan"] = "cancelling", ["cancelled"]
            elif method == "GET":
                self._advance(b)
            return h._send(200, self._public(b))
        return h._send(404, {"error": {"message": f"no route {method} {path}", "type": "invalid_request_error"}})

    def _public(self, b: Dict[str, Any]) -> Dict[str, Any]:
        return {k: v for k, v in b.items() if k not in ("plan", "lines", "kind", "results", "final")}

    def _advance(self, b: Dict[str, Any]) -> None:
        if self.hold.is_set() and b["status"] in ("validating", "in_progress"):
            b["status"] = "in_progress"
            return
        if not b["plan"]:
            return
        b["status"] = b["plan"].pop(0)
        if b["status"] in ("completed", "expired", "cancelled", "failed", "ended"):
            self._finish(b)

    def _finish(self, b: Dict[str, Any]) -> None:
        final = b["status"] if b["kind"] == "openai" else b["final"]
        lines = b["lines"]
        run = {"completed": len(lines), "expired": len(lines) // 2, "cancelled": len(lines) // 2,
               "failed": 0}[final]
        if b["kind"] == "anthropic":
            return self._finish_anthropic(b, lines, run, final)
        if final == "failed":
            b["errors"] = {"object": "list", "data": [{"code": "invalid_request", "message":
                                                       "the input file was refused", "line": 1}]}
            b["request_counts"]["failed"] = len(lines)
            return
        out, err = [], []
        for i, line in enumerate(lines):
            cid = line["custom_id"]
            if i >= run:
                code = "batch_expired" if final == "expired" else "batch_cancelled"
                err.append({"id": f"breq_{i}", "custom_id": cid, "response": None,
                            "error": {"code": code, "message": f"not run: {final}"}})
                continue
            text = _text_of(line["body"])
            if "FAIL" in text or "BUSY" in text:
                status = 400 if "FAIL" in text else 429
                err.append({"id": f"breq_{i}", "custom_id": cid, "error": None, "response": {
                    "status_code": status, "request_id": f"req_{cid}",
                    "body": {"error": {"message": f"refused: {text}", "type": "invalid_request_error",
                                       "param": "messages", "code": "bad_thing" if status == 400 else "busy"}}}})
            else:
                out.append({"id": f"breq_{i}", "custom_id": cid, "error": None, "response": {
                    "status_code": 200, "request_id": f"req_{cid}", "body": _answer(line["url"], line["body"], text)}})
        b["request_counts"]["completed"] = len(out)
        b["request_counts"]["failed"] = len(err)
        if out:
            fid = self._new_id("file")
            self.files[fid] = {"content": _jsonl(out[::-1]), "purpose": "batch_output"}
            b["output_file_id"] = fid
        if err:
            fid = self._new_id("file")
            self.files[fid] = {"content": _jsonl(err[::-1]), "purpose": "batch_output"}
            b["error_file_id"] = fid

    # ---------------------------------------------------------- Anthropic
    def _anthropic(self, h, method: str, path: str, body: bytes) -> None:
        def refuse(status, message):
            return h._send(status, {"type": "error", "error": {"type": "invalid_request_error", "message": message}},
                           headers={"request-id": "req_x"})

        if method == "GET" and path == "/v1/messages/batches":
            data = [self._public(b) for b in self.batches.values() if b["kind"] == "anthropic"][::-1]
            return h._send(200, _page(data, h.query, "after_id", openai=False))
        if method == "POST" and path == "/v1/messages/batches":
            if self._stall("create", "before"):
                return h.close_connection_now()
            if len(body) > self.anthropic_limits[1]:
                return refuse(413, "request too large")
            try:
                reqs = json.loads(body)["requests"]
            except (ValueError, KeyError, TypeError):
                return refuse(400, "body must be {requests: [...]}")
            if not 1 <= len(reqs) <= self.anthropic_limits[0]:
                return refuse(400, "requests: 1 to the limit")
            ids = [r.get("custom_id") for r in reqs]
            if len(set(ids)) != len(ids) or not all(isinstance(i, str) and CUSTOM_ID.match(i) for i in ids):
                return refuse(400, "custom_id must be unique and match ^[a-zA-Z0-9_-]{1,64}$")
            bid = self._new_id("msgbatch")
            plan = self.plans.pop(0) if self.plans else ["in_progress", "in_progress", "ended"]
            final = "completed"
            if plan[-1] in ("expired", "cancelled"):
                final, plan = plan[-1], plan[:-1] + ["ended"]
            self.batches[bid] = {"id": bid, "type": "message_batch", "processing_status": "in_progress",
                                 "plan": plan, "lines": reqs, "kind": "anthropic", "final": final,
                                 "request_counts": {"processing": len(reqs), "succeeded": 0, "errored": 0,
                                                    "canceled": 0, "expired": 0},
                                 "cancel_initiated_at": None, "results_url": None,
                                 "created_at": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")}
            if self._stall("create", "after"):
                return h.close_connection_now()
            return h._send(200, self._public(self.batches[bid]))
        m = re.fullmatch(r"/v1/messages/batches/([^/]+)(/cancel|/results)?", path)
        if not m or m.group(1) not in self.batches:
            return refuse(404, f"no route {method} {path}")
        b = self.batches[m.group(1)]
        if m.group(2) == "/results":
            if b["processing_status"] != "ended":
                return refuse(400, "results are not ready")
            return h._send(200, raw=_jsonl(b["results"]), ctype="application/x-jsonl")
        if m.group(2) == "/cancel" and method == "POST":
            if b["processing_status"] != "ended":
                b["processing_status"], b["plan"] = "canceling", ["ended"]
                b["cancel_initiated_at"] = "2026-01-01T00:00:00Z"
                b["final"] = "cancelled"
            return h._send(200, self._public(b))
        if method == "GET" and not m.group(2):
            if self.hold.is_set() and b["processing_status"] == "in_progress":
                return h._send(200, self._public(b))
            if b["plan"]:
                b["processing_status"] = b["plan"].pop(0)
                if b["processing_status"] == "ended":
                    b["status"] = "ended"
                    self._finish(b)
            return h._send(200, self._public(b))
        return refuse(404, f"no route {method} {path}")

    def _finish_anthropic(self, b, lines, run, final) -> None:
        results = []
        counts = {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
        for i, req in enumerate(lines):
            cid = req["custom_id"]
            if i >= run:
                kind = "expired" if final == "expired" else "canceled"
                counts[kind] += 1
                results.append({"custom_id": cid, "result": {"type": kind}})
                continue
            text = _text_of(req["params"])
            if "FAIL" in text or "BUSY" in text:
                kind = "invalid_request_error" if "FAIL" in text else "overloaded_error"
                counts["errored"] += 1
                results.append({"custom_id": cid, "result": {"type": "errored", "error": {
                    "type": "error", "error": {"type": kind, "message": f"refused: {text}"}}}})
            else:
                counts["succeeded"] += 1
                results.append({"custom_id": cid, "result": {"type": "succeeded", "message": {
                    "id": f"msg_{cid}", "type": "message", "role": "assistant", "model": req["params"]["model"],
                    "content": [{"type": "text", "text": text.upper()}], "stop_reason": "end_turn"}}})
        b["request_counts"] = counts
        b["results"] = results[::-1]
        b["results_url"] = f"{self.anthropic_url}/v1/messages/batches/{b['id']}/results"
        b["ended_at"] = "2026-01-01T00:00:00Z"


def _page(items: List[Dict[str, Any]], query: Dict[str, str], cursor: str, openai: bool) -> Dict[str, Any]:
    """One page of ``items`` (newest first) after the id named by ``cursor``."""
    limit = int(query.get("limit") or 20)
    after = query.get(cursor)
    if after is not None:
        ids = [i["id"] for i in items]
        items = items[ids.index(after) + 1:] if after in ids else []
    page, more = items[:limit], len(items) > limit
    if openai:
        return {"object": "list", "data": page, "has_more": more,
                "first_id": page[0]["id"] if page else None, "last_id": page[-1]["id"] if page else None}
    return {"data": page, "has_more": more, "first_id": page[0]["id"] if page else None,
            "last_id": page[-1]["id"] if page else None}


def _text_of(body: Dict[str, Any]) -> str:
    if "messages" in body:
        content = body["messages"][-1]["content"]
        return content if isinstance(content, str) else json.dumps(content)
    value = body.get("input", "")
    return value if isinstance(value, str) else json.dumps(value)


def _answer(url: str, body: Dict[str, Any], text: str) -> Dict[str, Any]:
    if url.startswith("/v1/embeddings"):
        return {"object": "list", "model": body["model"], "data": [
            {"object": "embedding", "index": 0, "embedding": [float(len(text))]}]}
    return {"id": "chatcmpl-1", "object": "chat.completion", "model": body["model"], "choices": [
        {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text.upper()}}]}


def _jsonl(records: List[Any]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def _multipart(ctype: str, body: bytes) -> Dict[str, tuple]:
    """name -> (filename, content) of a multipart/form-data body."""
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body)
    out = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        out[name] = (part.get_filename(), part.get_payload(decode=True))
    return out


@pytest.fixture
def server():
    """A :class:`BatchServer` on 127.0.0.1, stopped after the test (import it
    into a test module to use it there)."""
    s = BatchServer()
    yield s
    s.stop()
