"""What masking costs a DEBUG log record in a process that has made many
clients, each with its own key (a multi-tenant service).

    python bench/logmask.py            # --clients N (default 2000), --records N, --json PATH

How the figure is taken
-----------------------
A local HTTP server on 127.0.0.1 answers every request.  ``--clients``
clients are made one after the other, each with its own API key, and each
sends one request (that is when a client's secrets become known to the log
filter); then every client is dropped.  Then ``--records`` DEBUG records are
written to the ``openapi_dyn`` logger (a handler formatting into memory) and
the median time per record over the rounds is printed, next to the same
figure in a process that made one client.  ``--keep`` keeps the clients
alive instead (what masking costs while they all are).  Run it against another checkout
with ``PYTHONPATH=/that/checkout python bench/logmask.py`` to compare.
Nothing is asserted.
"""
from __future__ import annotations

import argparse
import gc
import io
import json
import logging
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SPEC = {
    "openapi": "3.0.3", "info": {"title": "bench", "version": "1"},
    "components": {"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}}},
    "security": [{"key": []}],
    "paths": {"/ping": {"get": {"operationId": "ping", "responses": {"200": {"description": "ok"}}}}},
}


class _Ok(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")


def per_record(records: int, rounds: int) -> float:
    """Median seconds per DEBUG record on the ``openapi_dyn`` logger."""
    logger = logging.getLogger("openapi_dyn.bench")
    sink = logging.StreamHandler(io.StringIO())
    logger.addHandler(sink)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        times = []
        for _ in range(rounds):
            sink.stream = io.StringIO()
            start = time.perf_counter()
            for i in range(records):
                logger.debug("GET http://127.0.0.1/ping?n=%d answered 200", i)
            times.append((time.perf_counter() - start) / records)
        return statistics.median(times)
    finally:
        logger.removeHandler(sink)


def make_clients(n: int, url: str, keep: list = None) -> None:
    from openapi_dyn import Client

    for i in range(n):
        client = Client(SPEC, base_url=url, api_key=f"tenant-key-{i:06d}-abcdefghijkl", max_retries=0)
        client.call("ping")
        client.close()
        if keep is not None:
            keep.append(client)
    gc.collect()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=2000)
    ap.add_argument("--records", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--keep", action="store_true", help="keep every client alive while measuring")
    ap.add_argument("--json")
    args = ap.parse_args()
    kept: list = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        make_clients(1, url)
        one = per_record(args.records, args.rounds)
        make_clients(args.clients - 1, url, kept if args.keep else None)
        many = per_record(args.records, args.rounds)
    finally:
        httpd.shutdown()
        httpd.server_close()
    figures = {"clients": args.clients, "kept_alive": args.keep, "after_one_client_us": one * 1e6,
               "after_many_clients_us": many * 1e6}
    print(f"DEBUG record, after 1 client:       {one * 1e6:8.1f} us")
    alive = "alive" if args.keep else "made and dropped"
    print(f"DEBUG record, {args.clients} clients {alive}: {many * 1e6:8.1f} us")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(figures, fh, indent=1)


if __name__ == "__main__":
    main()
