"""The tool figures of issue 13: ``client.tools(format="openai")`` for all
271 OpenAI operations, and ``openapi-dyn mcp`` from start-up to its first
served ``tools/list`` (target: at most 1 s warm).

    pip install -e '.[mcp]'
    python bench/tools.py            # --rounds N (default 7), --json PATH

How each figure is taken
------------------------
* ``tools()``: in this process, over a spec cache filled beforehand.
  "first" is the first call on a new ``Client`` (every tool's schema is
  built); "again" a second call on the same client (the shapes are kept per
  client).  Medians over the rounds, a new client each round.
* ``mcp`` start-up: the official ``mcp`` client starts ``python -m
  openapi_dyn mcp ...`` over stdio and the time runs from spawning it to
  the ``tools/list`` answer (the ``initialize`` handshake included).  Warm:
  bytecode and the spec cache are written by a first, unmeasured run; the
  cache is a private folder, the user's own is left alone.  For comparison,
  a fresh interpreter doing openapi_dyn's part alone (``Client()`` and
  the tool list, no SDK), importing only the ``mcp`` SDK, and doing nothing.
Nothing is asserted; the tests in t/ check behaviour only.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "t"))
from data_tools import DATA_OPERATIONS  # noqa: E402


def tools_figures(rounds: int) -> Dict[str, float]:
    from openapi_dyn import Client

    Client().tools("openai", allow_write=True)   # fills the spec cache
    out: Dict[str, List[float]] = {"first": [], "again": [], "strict": [], "mcp": []}
    for _ in range(rounds):
        client = Client()
        t0 = time.perf_counter()
        tools = client.tools("openai", allow_write=True)   # all 271, writes included
        t1 = time.perf_counter()
        client.tools("openai", allow_write=True)
        t2 = time.perf_counter()
        client.tools("openai", strict=True, allow_write=True)
        t3 = time.perf_counter()
        client.tools("mcp", allow_write=True)
        t4 = time.perf_counter()
        assert len(tools) == 271
        out["first"].append(t1 - t0)
        out["again"].append(t2 - t1)
        out["strict"].append(t3 - t2)
        out["mcp"].append(t4 - t3)
    return {k: statistics.median(v) for k, v in out.items()}


def mcp_startup(args: List[str], env: Dict[str, str]) -> float:
    import anyio
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(command=sys.executable, args=["-m", "openapi_dyn", "mcp", *args], env=env)
    took = {}

    async def main():
        with anyio.fail_after(120):
            with open(os.devnull, "w") as errlog:
                start = time.perf_counter()
                async with stdio_client(params, errlog=errlog) as (read, write):
                    async with ClientSession(read, write) as session:
                        await session.initialize()
                        listed = await session.list_tools()
                        took["t"] = time.perf_counter() - start
                        took["n"] = len(listed.tools)

    anyio.run(main)
    return took["t"]


def process(code: str, env: Dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    return time.perf_counter() - start


def main(argv: List[str] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", metavar="PATH")
    opts = parser.parse_args(argv)
    figures: Dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="openapi-dyn-bench-tools-") as cache:
        os.environ["OPENAPI_DYN_CACHE_DIR"] = cache
        env = {"OPENAPI_DYN_CACHE_DIR": cache, "PATH": os.environ.get("PATH", ""),
               "PYTHONPATH": os.pathsep.join(sys.path), "OPENAI_API_KEY": "sk-bench-0000"}
        tools = tools_figures(opts.rounds)
        figures.update({f"tools_openai_271_{k}_ms": v * 1000 for k, v in tools.items()})
        data = ["--operations", ",".join(DATA_OPERATIONS), "--prefix", "openai_data", "--names", "snake"]
        for label, args in (("all_271", ["--allow-write"]), ("data_50", data)):
            mcp_startup(args, env)           # bytecode and spec cache: the warm state
            samples = [mcp_startup(args, env) for _ in range(opts.rounds)]
            figures[f"mcp_startup_{label}_ms"] = statistics.median(samples) * 1000
        ours = ("from openapi_dyn import Client; from openapi_dyn._agents.mcp_server import content_for; "
                f"Client().tools('mcp', operations={DATA_OPERATIONS!r}, prefix='openai_data', names='snake')")
        process(ours, env)
        figures["ours_only_ms"] = statistics.median(process(ours, env) for _ in range(opts.rounds)) * 1000
        process("import mcp.server.lowlevel, mcp.server.stdio", env)
        figures["import_mcp_sdk_ms"] = statistics.median(
            process("import mcp.server.lowlevel, mcp.server.stdio", env) for _ in range(opts.rounds)) * 1000
        figures["bare_python_ms"] = statistics.median(process("pass", env) for _ in range(opts.rounds)) * 1000
    rows = [
        ("tools(format='openai'), 271 operations, first call on a client", "tools_openai_271_first_ms"),
        ("tools(format='openai'), same client again", "tools_openai_271_again_ms"),
        ("tools(format='openai', strict=True), same client", "tools_openai_271_strict_ms"),
        ("tools(format='mcp'), same client", "tools_openai_271_mcp_ms"),
        ("openapi-dyn mcp: start-up to first tools/list, 271 tools (warm)", "mcp_startup_all_271_ms"),
        ("openapi-dyn mcp: start-up to first tools/list, 50 data tools (warm)", "mcp_startup_data_50_ms"),
        ("  of which ours: python, Client(), tools('mcp') for the 50", "ours_only_ms"),
        ("  for comparison: python importing the mcp SDK only", "import_mcp_sdk_ms"),
        ("  for comparison: python doing nothing", "bare_python_ms"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  median")
    for label, key in rows:
        print(f"{label:<{width}}  {figures[key]:8.1f} ms")
    target = figures["mcp_startup_data_50_ms"]
    print(f"target: start-up to first tools/list <= 1000 ms warm: {'met' if target <= 1000 else 'not met'} "
          f"({target:.0f} ms for the 50 data tools)")
    if opts.json:
        Path(opts.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
