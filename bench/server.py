"""A keep-alive HTTP server on 127.0.0.1 for the end-to-end benchmark.

Run by ``bench/run.py`` in a process of its own (so the clients being timed do
not share an interpreter lock with it).  Every ``POST`` gets the same small
chat completion, as ``application/json`` with a ``Content-Length``, over
HTTP/1.1 keep-alive; it prints the port it listens on, then serves until its
standard input closes.
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


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body leave in two writes; without TCP_NODELAY the second
    # waits for the client's delayed ACK (40 ms on Linux)
    disable_nagle_algorithm = True

    def do_POST(self):  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
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
