"""A keep-alive HTTP server on 127.0.0.1 for the end-to-end benchmarks.

Run by ``bench/run.py`` in a process of its own (so the clients being timed do
not share an interpreter lock with it).  It prints the port it listens on,
then serves until its standard input closes.  Over HTTP/1.1 keep-alive:

* ``POST /v1/chat/completions``: the same small chat completion, as
  ``application/json`` with a ``Content-Length``; with ``"stream": true`` in
  the body, a stream of ``STREAM_EVENTS`` chat completion chunks (``data:``
  lines, then ``[DONE]``), written 200 events at a time;
* ``GET /v1/files/<id>/content``: ``DOWNLOAD_BYTES`` bytes, 1 MiB per write;
* ``POST /v1/files``: reads the whole (multipart) upload and discards it,
  answering with the byte count.
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COMPLETION = json.dumps({
    "id": "chatcmpl-bench",
    "object": "chat.completion",
    "created": 1700000000,
    "model": "gpt-4o-2024-08-06",
    "choices": [{
        "index": 0,
        "message": {"role": "assistant", "content": "Hello! How can I help you today?",
                    "refusal": None, "annotations": []},
        "logprobs": None,
        "finish_reason": "stop",
    }],
    "usage": {"prompt_tokens": 8, "completion_tokens": 9, "total_tokens": 17},
    "service_tier": "default",
    "system_fingerprint": "fp_bench",
}).encode()


STREAM_EVENTS = 20_000
DOWNLOAD_BYTES = 1 << 30

_CHUNK = json.dumps({
    "id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1700000000,
    "model": "gpt-4o-2024-08-06", "system_fingerprint": "fp_bench",
    "choices": [{"index": 0, "delta": {"content": "tok"}, "logprobs": None, "finish_reason": None}],
}, separators=(",", ":")).encode()
_EVENTS = b"".join(b"data: " + _CHUNK + b"\n\n" for _ in range(200))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body leave in two writes; without TCP_NODELAY the second
    # waits for the client's delayed ACK (40 ms on Linux)
    disable_nagle_algorithm = True

    def _read_body(self) -> int:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return total
                while size:
                    got = len(self.rfile.read(min(size, 1 << 20)))
                    size -= got
                    total += got
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        left = length
        while left:
            left -= len(self.rfile.read(min(left, 1 << 20)))
        return length

    def do_GET(self):  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(DOWNLOAD_BYTES))
        self.end_headers()
        block = b"\0" * (1 << 20)
        for _ in range(DOWNLOAD_BYTES >> 20):
            self.wfile.write(block)

    def _stream(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for _ in range(STREAM_EVENTS // 200):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(_EVENTS), _EVENTS))
        done = b"data: [DONE]\n\n"
        self.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(done), done))

    def do_POST(self):  # noqa: N802 (http.server's naming)
        if self.path.startswith("/v1/files"):
            n = self._read_body()
            body = json.dumps({"id": "file-bench", "object": "file", "bytes": n, "created_at": 0,
                               "filename": "big.bin", "purpose": "batch", "status": "processed"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else b""
        if b'"stream":true' in data.replace(b" ", b""):
            self._stream()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(COMPLETION)))
        self.send_header("x-request-id", "req_bench")
        self.end_headers()
        self.wfile.write(COMPLETION)

    def log_message(self, *args):
        pass


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    sys.stdin.read()        # the parent closes our stdin to stop us
    server.shutdown()


if __name__ == "__main__":
    main()
