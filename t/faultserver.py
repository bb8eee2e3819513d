"""A misbehaving HTTP server on 127.0.0.1 for tests of retries, timeouts,
streams and uploads.

Every request is recorded (:class:`Recorded`: method, path, query, headers,
body) before it is answered, so a test can count attempts and look at what
each one carried.  What the server does with the next request comes from a
plan of actions, consumed in order (``server.plan(reset(), status(503),
reply(json={...}))``); once the plan is used up the ``fallback`` action
answers (404 unless set with ``server.always(...)``).  An action is a
function ``(handler, recorded) -> None``; a function taking only the
:class:`Recorded` and returning an action picks one per request.

Actions: :func:`reply`, :func:`status`, :func:`reset` (TCP reset, no
answer), :func:`stall` (answer late, or never), :func:`events` (an event
stream in chunks, with pauses and gates, optionally cut off mid-event),
:func:`send_body` (a body written in pieces, optionally cut short),
:func:`endless` (a body that never ends).

Waiting is bounded everywhere: stalls and gates give up after a few seconds
and all of them are released when the server stops.
"""
from __future__ import annotations

import email.parser
import email.policy
import json
import socket
import socketserver
import struct
import threading
from http.server import BaseHTTPRequestHandler
from typing import Any, Callable, List, Optional
from urllib.parse import parse_qsl, urlsplit

GATE_TIMEOUT = 5.0


def _dumps(value: Any) -> bytes:
    return json.dumps(value).encode()


class Recorded:
    """One request as the server received it."""

    def __init__(self, method: str, target: str, headers, body: bytes):
        self.method = method
        self.target = target  # the request target as it came, byte for byte
        parts = urlsplit(target)
        self.path = parts.path
        self.query = parse_qsl(parts.query, keep_blank_values=True)
        self.headers = headers
        self.body = body
        self.client_gone = False  # a write to the client failed
        self.gates_missed = 0  # gates that were never opened (the server went on after GATE_TIMEOUT)
        self.done = threading.Event()  # the handler has finished with it

    @property
    def args(self) -> dict:
        return dict(self.query)

    def json(self) -> Any:
        return json.loads(self.body)

    def multipart(self) -> List[dict]:
        """The parts of a multipart/form-data body, parsed with the standard
        library's MIME parser: ``name``, ``filename``, ``content_type`` (the
        part's header, ``None`` when absent) and ``data`` (bytes)."""
        head = f"Content-Type: {self.headers['Content-Type']}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + self.body)
        assert message.is_multipart(), "the body is not multipart"
        parts = []
        for part in message.iter_parts():
            parts.append({
                "name": part.get_param("name", header="content-disposition"),
                "filename": part.get_filename(),
                "content_type": part["Content-Type"],
                "data": part.get_payload(decode=True),
            })
        return parts

    def __repr__(self) -> str:
        return f"<Recorded {self.method} {self.path} {len(self.body)} bytes>"


# ----------------------------------------------------------------- actions
def reply(status: int = 200, json: Any = None, body: bytes = b"", headers: Optional[dict] = None,
          content_type: Optional[str] = None):
    """A complete answer (``json=`` sets the body and the Content-Type)."""
    if json is not None:
        body = _dumps(json)
        content_type = content_type or "application/json"

    def act(h, rec):
        h.send_response(status)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        if content_type:
            h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        h.send_header("Connection", "close")
        h.end_headers()
        h.write(rec, body)
    return act


def status(code: int, retry_after: Optional[str] = None, retry_after_ms: Optional[str] = None,
           message: str = "fault"):
    """An error answer with an OpenAI-style JSON body, optionally with
    ``Retry-After`` / ``retry-after-ms``."""
    headers = {}
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    if retry_after_ms is not None:
        headers["retry-after-ms"] = retry_after_ms
    return reply(code, json={"error": {"message": message, "type": "server_error"}}, headers=headers)


def reset():
    """Read the request, then drop the connection with a TCP RST."""
    def act(h, rec):
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.close_connection = True
        h.connection.close()
    return act


def stall(seconds: float = GATE_TIMEOUT, then=None):
    """Say nothing for ``seconds`` (ended early when the server stops), then
    run ``then`` (an action) or hang up."""
    def act(h, rec):
        h.server.stopping.wait(seconds)
        if then is not None:
            then(h, rec)
    return act


def events(*items, chunked: bool = True, cut: bool = False, status_code: int = 200,
           headers: Optional[dict] = None):
    """An event stream.  ``items`` are ``bytes`` (written and flushed one at
    a time), numbers (a pause, in seconds) or :class:`threading.Event`\\ s (wait
    until the test sets it).  ``cut=True`` hangs up without ending the stream
    properly (for chunked streams: no final chunk)."""
    def act(h, rec):
        h.send_response(status_code)
        h.send_header("Content-Type", "text/event-stream; charset=utf-8")
        h.send_header("Cache-Control", "no-cache")
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        if chunked:
            h.send_header("Transfer-Encoding", "chunked")
        h.send_header("Connection", "close")
        h.end_headers()
        for item in items:
            if isinstance(item, (bytes, bytearray)):
                data = bytes(item)
                if not h.write(rec, b"%x\r\n%s\r\n" % (len(data), data) if chunked else data):
                    return
            elif isinstance(item, threading.Event):
                if not item.wait(GATE_TIMEOUT):
                    rec.gates_missed += 1
            else:
                h.server.stopping.wait(float(item))
        if cut:
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.connection.close()
            return
        if chunked:
            h.write(rec, b"0\r\n\r\n")
    return act


def send_body(data: bytes, content_type: str = "application/octet-stream", pieces: int = 4,
              cut_after: Optional[int] = None, headers: Optional[dict] = None):
    """A binary answer written in ``pieces`` flushes; with ``cut_after`` the
    connection drops after that many bytes although Content-Length promised
    all of them."""
    def act(h, rec):
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.send_header("Connection", "close")
        h.end_headers()
        payload = data if cut_after is None else data[:cut_after]
        step = max(1, len(payload) // pieces)
        for i in range(0, len(payload), step):
            if not h.write(rec, payload[i:i + step]):
                return
        if cut_after is not None:
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.connection.close()
    return act


def endless(piece: bytes, content_type: str = "application/json", limit: int = 1 << 30,
            status_code: int = 200):
    """A chunked answer that repeats ``piece`` until the client hangs up (or,
    to stay bounded, ``limit`` bytes have gone out): a hostile server's
    endless body or event stream."""
    def act(h, rec):
        h.send_response(status_code)
        h.send_header("Content-Type", content_type)
        h.send_header("Transfer-Encoding", "chunked")
        h.send_header("Connection", "close")
        h.end_headers()
        frame = b"%x\r\n%s\r\n" % (len(piece), piece)
        for _ in range(max(1, limit // max(1, len(piece)))):
            if h.server.stopping.is_set() or not h.write(rec, frame):
                return
    return act


# ------------------------------------------------------------------ server
class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output clean
        pass

    def write(self, rec: Recorded, data: bytes) -> bool:
        try:
            self.wfile.write(data)
            self.wfile.flush()
            return True
        except OSError:
            rec.client_gone = True
            self.close_connection = True
            return False

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            out = bytearray()
            for _ in range(1_000_000):  # bounded: at most a million chunks
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                out += self.rfile.read(size)
                self.rfile.readline()
            return bytes(out)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self):
        rec = Recorded(self.command, self.path, self.headers, self._read_body())
        server = self.server
        with server.lock:
            server.requests.append(rec)
            action = server.queue.pop(0) if server.queue else server.fallback
        try:
            if getattr(action, "__code__", None) is not None and action.__code__.co_argcount == 1:
                action = action(rec)
            action(self, rec)
        except OSError:
            rec.client_gone = True
        finally:
            self.close_connection = True
            rec.done.set()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle


class _Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


class FaultServer:
    """The server; ``url`` is its base (``http://127.0.0.1:PORT``),
    ``requests`` every :class:`Recorded` request in arrival order."""

    def __init__(self):
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.requests = []
        self._server.queue = []
        self._server.fallback = reply(404, json={"error": {"message": "nothing planned"}})
        self._server.lock = threading.Lock()
        self._server.stopping = threading.Event()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    @property
    def requests(self) -> List[Recorded]:
        return self._server.requests

    def plan(self, *actions: Callable) -> "FaultServer":
        """Answer the next requests with ``actions``, in order."""
        with self._server.lock:
            self._server.queue.extend(actions)
        return self

    def always(self, action: Callable) -> "FaultServer":
        """Answer every request beyond the plan with ``action``."""
        self._server.fallback = action
        return self

    def stop(self) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(GATE_TIMEOUT)
