"""Loading a large Swagger 2.0 document: Kubernetes' (5.5 MB, 1,077
operations, shipped by the ``prance`` test dependency), converted to OpenAPI
3.0 at load time.

    python bench/swagger2.py [--rounds N]

Each round runs in a fresh process (timed from after the import), so nothing
is warm but the OS file cache:
"cold" loads with an empty spec cache folder (read, parse, convert, bundle,
repair, write the cache), "cached" loads the same document again from that
folder.  The anchor is swagger2openapi (the reference converter, ``t/run``
installs it into ``.venv/node``) converting the same file to a file, node's
start-up included, when node is installed.  Medians are printed; nothing is
asserted.
"""
from __future__ import annotations

import argparse
import importlib.metadata
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LOAD = ("import sys, time; from openapi_dyn._spec import Spec; t = time.perf_counter(); "
        "s = Spec(sys.argv[1]); n = len(s.operations); "
        "print(time.perf_counter() - t, n, s.source_format)")


def _load(path: str, cache_dir: str):
    env = {**os.environ, "OPENAPI_DYN_CACHE_DIR": cache_dir}
    out = subprocess.run([sys.executable, "-c", LOAD, path], capture_output=True, text=True, env=env,
                         check=True, timeout=300).stdout.split()
    return float(out[0]), int(out[1]), out[2]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args(argv)
    path = str(importlib.metadata.distribution("prance").locate_file("tests/specs/kubernetes_api_docs.json"))
    cold, warm = [], []
    ops = fmt = None
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as d:
            seconds, ops, fmt = _load(path, d)
            cold.append(seconds)
            warm.append(_load(path, d)[0])
    print(f"Kubernetes Swagger 2.0 ({os.path.getsize(path) / 1e6:.1f} MB, {ops} operations, {fmt}):")
    print(f"  load, empty cache: {statistics.median(cold) * 1000:.0f} ms (median of {args.rounds})")
    print(f"  load, from cache:  {statistics.median(warm) * 1000:.0f} ms")
    s2o = os.environ.get("SWAGGER2OPENAPI") or str(Path(sys.prefix) / "node" / "node_modules" / ".bin" /
                                                   "swagger2openapi")
    if shutil.which("node") and os.path.exists(s2o):
        times = []
        with tempfile.TemporaryDirectory() as d:
            for _ in range(args.rounds):
                t = time.perf_counter()
                subprocess.run([s2o, "--patch", "--warnOnly", path, "-o", os.path.join(d, "out.json")],
                               check=True, capture_output=True, timeout=300)
                times.append(time.perf_counter() - t)
        print(f"  anchor, swagger2openapi converting it to a file: {statistics.median(times) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
