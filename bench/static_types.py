"""What the static types cost (issue 22): how long mypy takes on a script
using ``Client("openai")`` with no configuration and an empty cache, whether
the stubs are imported at run time, and how much they add to the package.

    python bench/static_types.py [--rounds N]

mypy runs in a fresh temporary folder each round (its cache there, empty),
finding the package on ``PYTHONPATH`` as it finds an installed one.  The
import figure counts the stub modules a process that imports the package
and builds a client has loaded, and times ``import openapi_dyn`` +
``Client()`` next to the same on a copy of the package without the stubs.  The size is the
``.pyi`` files' bytes on disk and deflated as a wheel stores them.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any, Dict

ROOT = Path(__file__).resolve().parent.parent
TYPED = ROOT / "openapi_dyn" / "_typed"

SCRIPT = '''\
from openapi_dyn import Client

client = Client("openai")
reply = client.createChatCompletion(model="gpt-4o", messages=[{"role": "user", "content": "Say hello"}])
text: str | None = reply.choices[0].message.content
print(text)
'''

IMPORTED = ("import sys, time; t = time.perf_counter(); import openapi_dyn; c = openapi_dyn.Client(); "
            "t = time.perf_counter() - t; "
            "print(t, len([m for m in sys.modules if m.startswith(('openapi_dyn._typed', 'openapi_dyn._stub'))]))")


def mypy_seconds(rounds: int) -> Dict[str, Any]:
    times = []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory(prefix="bench-types-") as d:
            Path(d, "script.py").write_text(SCRIPT, encoding="utf-8")
            env = dict(os.environ, PYTHONPATH=str(ROOT))
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(Path(d, "cache")), "script.py"],
                                  cwd=d, env=env, capture_output=True, text=True)
            times.append(time.perf_counter() - started)
            if done.returncode != 0:
                raise SystemExit(f"mypy rejected the sample:\n{done.stdout}{done.stderr}")
    return {"seconds": statistics.median(times), "max": max(times)}


def import_cost(rounds: int) -> Dict[str, Any]:
    """(median seconds, stub modules loaded) with the stubs, and the median
    of a copy of the package without them, rounds alternating."""
    with tempfile.TemporaryDirectory(prefix="bench-types-") as d:
        bare = Path(d, "bare")
        shutil.copytree(ROOT / "openapi_dyn", bare / "openapi_dyn",
                        ignore=shutil.ignore_patterns("_typed", "__pycache__"))
        env = dict(os.environ, OPENAPI_DYN_CACHE_DIR=str(Path(d, "cache")))
        with_env = dict(env, PYTHONPATH=str(ROOT))
        bare_env = dict(env, PYTHONPATH=str(bare))
        for e in (with_env, bare_env):  # warm the spec cache and the bytecode
            subprocess.run([sys.executable, "-c", IMPORTED], env=e, check=True, capture_output=True)
        with_stubs, without, loaded = [], [], 0
        for _ in range(rounds):
            out = subprocess.run([sys.executable, "-c", IMPORTED], env=with_env, check=True, capture_output=True,
                                 text=True)
            seconds, count = out.stdout.split()
            with_stubs.append(float(seconds))
            loaded = max(loaded, int(count))
            out = subprocess.run([sys.executable, "-c", IMPORTED], env=bare_env, check=True, capture_output=True,
                                 text=True)
            without.append(float(out.stdout.split()[0]))
    return {"with": statistics.median(with_stubs), "without": statistics.median(without), "modules": loaded}


def size() -> Dict[str, Any]:
    files = sorted(TYPED.glob("*.pyi"))
    raw = sum(p.stat().st_size for p in files)
    deflated = sum(len(zlib.compress(p.read_bytes(), 6)) for p in files)
    return {"files": len(files), "bytes": raw, "deflated": deflated}


def measure(rounds: int = 5) -> Dict[str, Any]:
    return {"mypy": mypy_seconds(rounds), "import": import_cost(rounds), "size": size()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    opts = ap.parse_args()
    if shutil.which("mypy") is None and not _has_mypy():
        print("needs mypy: pip install -e '.[test]'", file=sys.stderr)
        return 2
    got = measure(opts.rounds)
    m, i, s = got["mypy"], got["import"], got["size"]
    print(f"mypy, a script using Client('openai'), empty cache: {m['seconds']:.1f} s median, {m['max']:.1f} s max")
    print(f"import openapi_dyn + Client(): {i['with'] * 1e3:.0f} ms with the stubs, "
          f"{i['without'] * 1e3:.0f} ms without; stub modules loaded: {i['modules']}")
    print(f"stubs: {s['files']} files, {s['bytes'] / 2**20:.2f} MB on disk, {s['deflated'] / 2**20:.2f} MB in a wheel")
    return 0


def _has_mypy() -> bool:
    try:
        import mypy  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
