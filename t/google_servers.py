"""Local stand-ins for the Gemini API and Vertex AI, for
:class:`faultserver.FaultServer`: ``server.always(gemini_service(server))``.

Each refuses what the real service refuses although the Discovery document
allows it, with Google's error envelope (``{"error": {"code", "message",
"status", "details"}}``):

* Gemini: no ``x-goog-api-key`` header (403 ``PERMISSION_DENIED``, as for an
  unregistered caller), except on an upload session's own URL, which is
  its credential; ``streamGenerateContent`` without ``alt=sse`` (400:
  the answer would be a JSON array, not events); an upload chunk at the
  wrong offset or to an unknown session;
* Vertex AI: no bearer token (401 ``UNAUTHENTICATED``).

Anything else gets a small answer shaped like the real one: candidates,
event streams (``data: ...`` lines ended by CRLF CRLF, as Google sends
them), embeddings, token counts, model lists paged by ``pageToken``, the
resumable upload's session URL and its final ``{"file": ...}`` (an
operation for a file search store), cached contents, batch operations.
"""
from __future__ import annotations

import json
import re
import threading

from faultserver import events, reply

MODELS = [f"models/gemini-{i}" for i in range(5)]
PAGE = 2  # models per page when the caller gives no pageSize


def google_error(code: int, status: str, message: str, details=None):
    """Google's error envelope as an action."""
    error = {"code": code, "message": message, "status": status}
    if details is not None:
        error["details"] = details
    return reply(code, json={"error": error})


def _candidate(text: str):
    return {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]},
                            "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 2, "totalTokenCount": 5},
            "modelVersion": "gemini-test"}


def _model(name: str):
    return {"name": name, "displayName": name.split("/")[-1], "version": "001",
            "inputTokenLimit": 1024, "outputTokenLimit": 256,
            "supportedGenerationMethods": ["generateContent", "countTokens"]}


def _operation(name: str, done: bool = False):
    return {"name": name, "metadata": {"@type": "type.googleapis.com/google.ai.generativelanguage.v1main."
                                       "GenerateContentBatch", "name": name, "displayName": "b",
                                       "model": "models/gemini-0", "state": "BATCH_STATE_PENDING"},
            "done": done}


class _Uploads:
    """Upload sessions: id -> (declared size, bytes received, metadata)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sessions = {}
        self.finished = []  # (metadata, bytes) of each finalized upload

    def start(self, size: int, meta, target: str = ""):
        with self.lock:
            sid = f"up{len(self.sessions) + 1}"
            self.sessions[sid] = [size, bytearray(), meta, target]
            return sid


def _method_of(path: str):
    """``/v1beta/models/x:generateContent`` -> ``("/v1beta/models/x", "generateContent")``."""
    head, _, verb = path.rpartition(":")
    if head and "/" not in verb:
        return head, verb
    return path, ""


def _answer_common(rec, path: str, prefix: str):
    """What Gemini and Vertex answer alike once the caller is let in
    (``path``: the request's, without Vertex's project and location)."""
    resource, verb = _method_of(path)
    if verb == "streamGenerateContent":
        if rec.args.get("alt") != "sse":
            return google_error(400, "INVALID_ARGUMENT",
                                "streamGenerateContent without alt=sse answers a JSON array; this "
                                "server only streams events")
        chunks = [_candidate("Hel"), _candidate("lo")]
        return events(*[b"data: " + json.dumps(c).encode() + b"\r\n\r\n" for c in chunks])
    if verb == "generateContent":
        body = rec.json()
        if not body.get("contents"):
            return google_error(400, "INVALID_ARGUMENT", "* GenerateContentRequest.contents: contents is "
                                "not specified", [{"@type": "type.googleapis.com/google.rpc.BadRequest",
                                                   "fieldViolations": [{"field": "contents"}]}])
        return reply(json=_candidate("Hello"))
    if verb == "countTokens":
        return reply(json={"totalTokens": 7})
    if verb == "embedContent":
        return reply(json={"embedding": {"values": [0.25, -0.5, 1.0]}})
    if verb == "batchEmbedContents":
        n = len(rec.json().get("requests") or [])
        return reply(json={"embeddings": [{"values": [0.25, -0.5, float(i)]} for i in range(n)]})
    if verb == "predict":
        return reply(json={"predictions": [{"embeddings": {"values": [0.25, -0.5, 1.0],
                                                           "statistics": {"token_count": 2}}}]})
    if verb == "batchGenerateContent":
        return reply(json=_operation("batches/b1"))
    if verb == "cancel":
        return reply(json={})
    if rec.method == "GET" and path == f"{prefix}/models":
        size = int(rec.args.get("pageSize") or PAGE)
        start = int(rec.args.get("pageToken") or 0)
        page = {"models": [_model(m) for m in MODELS[start:start + size]]}
        if start + size < len(MODELS):
            page["nextPageToken"] = str(start + size)
        return reply(json=page)
    if rec.method == "GET" and path.startswith(f"{prefix}/models/"):
        return reply(json=_model(path[len(prefix) + 1:]))
    if path == f"{prefix}/cachedContents" and rec.method == "POST":
        body = rec.json()
        return reply(json=dict(body, name="cachedContents/c1", expireTime="2030-01-01T00:00:00Z"))
    if path == f"{prefix}/cachedContents" and rec.method == "GET":
        return reply(json={"cachedContents": [{"name": "cachedContents/c1", "model": "models/gemini-0"}]})
    if path.startswith(f"{prefix}/cachedContents/"):
        return reply(json={"name": path[len(prefix) + 1:], "model": "models/gemini-0"})
    if path == f"{prefix}/batches" and rec.method == "GET":
        return reply(json={"operations": [_operation("batches/b1")]})
    if path.startswith(f"{prefix}/batches/"):
        return reply(json=_operation(path[len(prefix) + 1:], done=True))
    if path == f"{prefix}/batchPredictionJobs" and rec.method == "POST":  # Vertex AI's batches
        return reply(json=dict(rec.json(), name=f"{rec.path}/123", state="JOB_STATE_PENDING"))
    if path.startswith(f"{prefix}/batchPredictionJobs/"):
        return reply(json={"name": rec.path[len(prefix) + 1:], "state": "JOB_STATE_SUCCEEDED"})
    if path == f"{prefix}/files" and rec.method == "GET":
        return reply(json={"files": [{"name": "files/f1", "mimeType": "text/plain"}]})
    if path.startswith(f"{prefix}/files/"):
        return reply(json={"name": path[len(prefix) + 1:], "mimeType": "text/plain", "state": "ACTIVE"})
    return google_error(404, "NOT_FOUND", f"no such method {rec.method} {path}")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _upload(rec, base_url: str, uploads: _Uploads, prefix: str):
    """The resumable protocol: ``start`` (metadata JSON, size and type in
    ``X-Goog-Upload-Header-*``) answers a session URL; ``upload`` commands
    carry chunks at ``X-Goog-Upload-Offset``; ``finalize`` ends it."""
    command = [c.strip() for c in (rec.headers.get("X-Goog-Upload-Command") or "").split(",")]
    if rec.headers.get("X-Goog-Upload-Protocol") == "resumable" and command == ["start"]:
        size = rec.headers.get("X-Goog-Upload-Header-Content-Length")
        if size is None or not size.isdigit():
            return google_error(400, "INVALID_ARGUMENT", "X-Goog-Upload-Header-Content-Length is required")
        sid = uploads.start(int(size), rec.json() if rec.body else {}, rec.path)
        return reply(json={}, headers={
            "X-Goog-Upload-URL": f"{base_url}{prefix and '/upload' + prefix}/files?upload_id={sid}"
                                 f"&upload_protocol=resumable",
            "X-Goog-Upload-Status": "active", "X-Goog-Upload-Chunk-Granularity": "8388608"})
    sid = rec.args.get("upload_id")
    with uploads.lock:
        session = uploads.sessions.get(sid)
        if session is None or "upload" not in command:
            return google_error(400, "INVALID_ARGUMENT", "not a resumable upload session")
        size, data, meta, target = session
        if rec.headers.get("X-Goog-Upload-Offset") != str(len(data)):
            return google_error(400, "INVALID_ARGUMENT",
                                f"offset {rec.headers.get('X-Goog-Upload-Offset')} is not {len(data)}")
        data += rec.body
        if "finalize" not in command:
            return reply(json={}, headers={"X-Goog-Upload-Status": "active"})
        if len(data) != size:
            return google_error(400, "INVALID_ARGUMENT", f"received {len(data)} bytes, declared {size}")
        uploads.finished.append((meta, bytes(data)))
        if target.endswith(":uploadToFileSearchStore"):  # the document is imported by a long operation
            store = target[len("/upload" + prefix) + 1:-len(":uploadToFileSearchStore")]
            return reply(json={"name": f"{store}/upload/operations/{sid}", "done": False},
                         headers={"X-Goog-Upload-Status": "final"})
        # the service reads proto JSON (either spelling) and answers camelCase
        file = {_camel(k): v for k, v in ((meta or {}).get("file") or {}).items()}
        file.setdefault("name", f"files/{sid}")
        file.update(sizeBytes=str(size), state="ACTIVE", uri=f"{base_url}/v1beta/{file['name']}")
    return reply(json={"file": file}, headers={"X-Goog-Upload-Status": "final"})


def gemini_service(server, prefix: str = "/v1beta"):
    """The Gemini API (``generativelanguage.googleapis.com``) at ``server.url``.
    ``server.uploads`` keeps what resumable uploads delivered."""
    uploads = server.uploads = _Uploads()

    def pick(rec):
        if rec.path.startswith("/upload/") and rec.args.get("upload_id"):
            return _upload(rec, server.url, uploads, prefix)  # the session URL is the credential
        if not rec.headers.get("x-goog-api-key") and not rec.args.get("key"):
            return google_error(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers "
                                "(callers without established identity). Please use API Key or other "
                                "form of API consumer identity to call this API.")
        if rec.headers.get("x-goog-api-key") == "bad-key":
            return google_error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
                                [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                  "reason": "API_KEY_INVALID", "domain": "googleapis.com"}])
        if rec.path.startswith("/upload/"):
            return _upload(rec, server.url, uploads, prefix)
        return _answer_common(rec, rec.path, prefix)
    return pick


VERTEX_PREFIX = re.compile(r"^/v1(?:/projects/[^/]+/locations/[^/]+)?(?:/publishers/google)?(?=/)")


def vertex_service(server):
    """Vertex AI (``{location}-aiplatform.googleapis.com``, API version v1) at
    ``server.url``: a bearer token on every call; past the project and
    location prefix of the path it answers as Gemini does."""
    def pick(rec):
        auth = rec.headers.get("Authorization") or ""
        if not auth.startswith("Bearer ") or not auth[7:].strip():
            return google_error(401, "UNAUTHENTICATED", "Request is missing required authentication "
                                "credential. Expected OAuth 2 access token, login cookie or other valid "
                                "authentication credential.")
        m = VERTEX_PREFIX.match(rec.path)
        if not m:
            return google_error(404, "NOT_FOUND", f"no such resource {rec.path}")
        return _answer_common(rec, "/v1" + rec.path[m.end():], "/v1")
    return pick
