"""Building a batch: what validating and writing 50,000 requests costs next to
50,000 plain ``prepare()`` calls, and how memory grows with the run.

    python bench/batch.py [--requests 50000] [--rounds 3]

Time: the same 50,000 chat bodies (each one different) go through
``client.prepare("createChatCompletion", body=...)`` and through a batch
builder (``b.createChatCompletion(body=...)``, which prepares, serializes the
line and writes it to the chunk file, plus closing the file at the end).
Rounds alternate the two, so a busy moment falls on both; medians are shown.
The builder's own share (the time not spent inside ``prepare()``) is shown
too: on a shared machine it is steadier than the ratio.

Memory: the peak and final resident size of fresh processes that load the client and
then make 50,000 ``prepare()`` calls (keeping nothing), or build a batch of
10,000 or of 50,000 requests.  The request lines go to disk as they are
written; what stays is each request's handle (its custom_id and position).
Nothing is sent.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def bodies(n: int):
    for i in range(n):
        yield {"model": "gpt-4o-mini", "temperature": 0.2, "max_tokens": 200, "messages": [
            {"role": "system", "content": "You answer in one short sentence."},
            {"role": "user", "content": f"Question {i}: what is {i} times {i % 97}?"}]}


def run_prepare(client, n: int) -> None:
    for body in bodies(n):
        client.prepare("createChatCompletion", body=body)


#: seconds spent inside prepare() by the last run_batch() call
INSIDE = [0.0]


def run_batch(client, n: int, where: Path) -> int:
    real = client.prepare

    def timed(*args, **kwargs):
        t = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            INSIDE[0] += time.perf_counter() - t

    INSIDE[0] = 0.0
    client.prepare = timed    # to tell the builder's own cost from validation's
    try:
        b = client.batch(state=where / f"bench-{time.monotonic_ns()}.batch.json")
        for body in bodies(n):
            b.createChatCompletion(body=body)
        b._close_chunk()      # flush and close the request file: what submit() does before uploading
    finally:
        del client.prepare
    return sum(c["bytes"] for c in b._state.chunks)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=50_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    n = args.requests
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("OPENAPI_DYN_CACHE_DIR", str(Path(tmp) / "cache"))
        from openapi_dyn import Client

        client = Client()
        run_prepare(client, 200)                 # validators built, caches warm
        run_batch(client, 200, Path(tmp))
        prep, build, own = [], [], []
        size = 0
        for _ in range(args.rounds):
            t = time.perf_counter()
            run_prepare(client, n)
            prep.append(time.perf_counter() - t)
            t = time.perf_counter()
            size = run_batch(client, n, Path(tmp))
            build.append(time.perf_counter() - t)
            own.append(build[-1] - INSIDE[0])
        p, b = statistics.median(prep), statistics.median(build)
        print(f"{n:,} prepare() calls:            {p:6.2f} s  ({p / n * 1e6:5.0f} µs each)")
        print(f"{n:,}-request batch built:        {b:6.2f} s  ({b / n * 1e6:5.0f} µs each), "
              f"{size / 1e6:.1f} MB written")
        print(f"ratio build / prepare:            {b / p:6.2f}x   (rounds: {args.rounds}, medians)")
        o = statistics.median(own)
        print(f"of the build, outside prepare():  {o:6.2f} s  ({o / n * 1e6:5.0f} µs each: custom_id, line, "
              f"write, handle)")

        for label, what, count in ((f"{n:,} prepare() calls", "prepare", n),
                                   (f"{n // 5:,}-request batch built", "batch", n // 5),
                                   (f"{n:,}-request batch built", "batch", n)):
            peak, now = rss(what, count)
            print(f"{label + ':':34} peak RSS {peak:6.1f} MB, resident at the end {now:6.1f} MB")
        print(f"(the {size / n:.0f}-byte request lines go to disk; each request keeps only its handle)")


CHILD = """
import os, resource, sys, tempfile
from pathlib import Path
sys.path.insert(0, {here!r})
import batch as bench
from openapi_dyn import Client
client = Client()
with tempfile.TemporaryDirectory() as tmp:
    if {what!r} == "prepare":
        bench.run_prepare(client, {n})
    else:
        bench.run_batch(client, {n}, Path(tmp))
    now = int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, now)
"""


def rss(what: str, n: int):
    """Peak and final resident memory (MB) of a fresh process that loads
    the client and then prepares ``n`` calls or builds an ``n``-request
    batch (Linux: the final figure is read from /proc)."""
    import subprocess

    code = CHILD.format(here=str(Path(__file__).resolve().parent), what=what, n=n)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=dict(os.environ))
    peak, now = out.stdout.strip().splitlines()[-1].split()
    return int(peak) / 1024, int(now) / 1024

if __name__ == "__main__":
    main()
