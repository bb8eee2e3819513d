"""The performance benchmark of issues 5 and 9: every target measured side by
side with its anchor in one run, reported as medians and ratios.

    pip install -e '.[bench]'      # the openai SDK, the anchor of most rows
    python bench/run.py            # about a minute on two cores

Options: ``--rounds N`` (default 7, at least 5) repetitions of everything;
``--markdown`` prints the table as Markdown (what docs/performance.md holds);
``--json PATH`` also writes every figure.  Nothing here asserts anything;
the tests in t/ check behaviour only.

How each figure is taken
------------------------
* Cold start (targets 1, 2, 5): a fresh ``python`` process per sample, timed
  from spawn to exit by this process, peak RSS from ``wait4``.  Subject and
  anchor alternate, so a busy moment of the machine falls on both.  Bytecode
  caches are allowed (a first unmeasured run writes them), as on any installed
  system, and the spec cache is warm (a first unmeasured run fills a private
  cache folder), except for "first load", which starts each sample from an
  empty one.
* Per call (targets 3, 6): in this process, each function run in chunks of
  about 0.1 s, chunks of subject and anchor alternating, the median over
  the chunks of the time per call.
* End to end (target 4): the same, against ``bench/server.py`` (threaded
  ``http.server``, HTTP/1.1 keep-alive, 127.0.0.1) running in a process of
  its own.
* Issue 9 (async, streaming, big bodies): each sample a fresh process
  running one job of ``bench/jobs.py``, subject and anchor alternating,
  against ``bench/server.py`` (streams, big bodies) or, for the 50
  concurrent requests of the async row, ``bench/fast_server.py`` (asyncio:
  the threaded server would be what is measured).  Wall time of the work,
  peak RSS and RSS growth as the job measures them (``VmHWM`` of its own
  address space: ``wait4``'s figure would include this large parent's peak
  from before ``exec``).
* Static types (issue 22): ``bench/static_types.py``: mypy in a fresh
  folder with an empty cache per round, the package found on ``PYTHONPATH``
  as an installed one is; the stub modules a process importing the package
  and building a client has loaded; the ``.pyi`` files' size.
* Growth (target 6): a synthetic spec ten times the OpenAI one, made here
  from the bundled document: its paths copied under ten prefixes
  (``/p0/...``), operationIds suffixed (``_p0``), and its components copied
  likewise with every ``$ref`` and discriminator mapping of a copy pointing
  into that copy, so the document is ten times larger and holds ten times as
  many distinct schemas.  The 1x file is the same document saved as JSON, so
  both are read the same way.
* By name (issue 21): ``Client(name)`` for each bundled spec in
  :data:`BY_NAME` and for ``openai``, names alternating in fresh processes,
  from an empty cache (emptied before each sample) and from a warm one;
  ``--by-name`` runs only these rows.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

HERE = Path(__file__).resolve().parent
BODY = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
KEY = "sk-bench-0000"

# ------------------------------------------------------------ cold scripts
SDK_COLD = f"""
import openai
client = openai.OpenAI(api_key={KEY!r})
# one request built by the SDK's own create(), stopped where it would send
class Built(openai.OpenAIError):
    pass
def send(request, **kwargs):
    raise Built(request)
client._send_request = send
try:
    client.chat.completions.create(model="gpt-4o", messages=[{{"role": "user", "content": "hi"}}])
except Built:
    pass
"""

OURS_VALIDATED = f"""
from openapi_dyn import Client
client = Client(api_key={KEY!r})
client.prepare("createChatCompletion", body={BODY!r})
"""

OURS_EXPLORING = """
from openapi_dyn import Client
client = Client()
names = list(client.operations)
page = client.createChatCompletion.__doc__   # what help(client.createChatCompletion) shows
"""

OURS_LOAD = """
import sys
from openapi_dyn import Client
Client(sys.argv[1] if len(sys.argv) > 1 else "openai")
"""


#: Bundled specs whose loading by name is compared with OpenAI's (issue 21).
BY_NAME = ("gemini", "vertex")


def by_name(work: Path, rounds: int) -> Dict[str, Dict[str, Dict[str, float]]]:
    """``Client(name)`` in fresh processes, OpenAI's and each of
    :data:`BY_NAME` alternating: from an empty cache (emptied before each
    sample) and from a warm one."""
    import shutil

    names = ("openai",) + BY_NAME
    empty, warm = work / "by-name-empty", work / "by-name-warm"
    first = cold({n: (OURS_LOAD, child_env(empty), (n,)) for n in names}, rounds,
                 lambda _n: shutil.rmtree(empty, ignore_errors=True))
    for n in names:
        run_process(OURS_LOAD, child_env(warm), (n,))
    return {"first": first, "warm": cold({n: (OURS_LOAD, child_env(warm), (n,)) for n in names}, rounds)}


def child_env(cache_dir: Path) -> Dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)   # as installed: bytecode caches used
    env["OPENAPI_DYN_CACHE_DIR"] = str(cache_dir)
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAPI_DYN_CACHE"):
        env.pop(var, None)
    return env


def run_process(code: str, env: Dict[str, str], args: Tuple[str, ...] = ()) -> Tuple[float, int]:
    """(wall seconds, peak RSS in bytes) of ``python -c code``."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark process failed ({proc.returncode}):\n{err[-3000:]}")
    rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return wall, rss


def cold(jobs: Dict[str, Tuple[str, Dict[str, str], Tuple[str, ...]]], rounds: int,
         prepare: Callable[[str], None] = lambda name: None) -> Dict[str, Dict[str, float]]:
    """Fresh processes, jobs alternating; medians of wall time and peak RSS.
    ``prepare(name)`` runs (untimed) before each sample."""
    samples: Dict[str, List[Tuple[float, int]]] = {name: [] for name in jobs}
    for _ in range(rounds):
        for name, (code, env, args) in jobs.items():
            prepare(name)
            samples[name].append(run_process(code, env, args))
    return {name: {"seconds": statistics.median(s[0] for s in got),
                   "rss": statistics.median(s[1] for s in got)}
            for name, got in samples.items()}


# --------------------------------------------------------- per-call timing
def per_call(fns: Dict[str, Callable[[], Any]], rounds: int, chunk: float = 0.1) -> Dict[str, float]:
    """Median seconds per call of each function, chunks alternating."""
    import gc

    gc.collect()        # not in the timings: what earlier steps left behind
    counts = {}
    for name, fn in fns.items():
        fn()
        n, spent = 1, 0.0
        while spent < chunk / 4:
            n *= 2
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            spent = time.perf_counter() - t0
        counts[name] = max(1, int(n * chunk / spent))
    samples: Dict[str, List[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            n = counts[name]
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            samples[name].append((time.perf_counter() - t0) / n)
    return {name: statistics.median(s) for name, s in samples.items()}


# ------------------------------------------------------ issue 9's jobs
ASYNC_ROUNDS = 3


def job_rounds(jobs: Tuple[str, ...], base: str, rounds: int) -> Dict[str, Dict[str, float]]:
    """Each job of ``bench/jobs.py`` in a fresh process, ``rounds`` times,
    jobs alternating: medians of every figure it prints (``rss``, its own
    peak RSS, among them)."""
    samples: Dict[str, List[Dict[str, float]]] = {j: [] for j in jobs}
    env = dict(os.environ)
    for _ in range(rounds):
        for job in jobs:
            proc = subprocess.Popen([sys.executable, str(HERE / "jobs.py"), job, base], env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            _, status, usage = os.wait4(proc.pid, 0)
            out, err = proc.stdout.read(), proc.stderr.read()
            proc.stdout.close()
            proc.stderr.close()
            if os.waitstatus_to_exitcode(status) != 0:
                raise RuntimeError(f"benchmark job {job} failed:\n{err.decode(errors='replace')[-3000:]}")
            got = json.loads(out.decode().strip().splitlines()[-1])
            got.setdefault("rss", usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024))
            samples[job].append(got)
    return {j: {k: statistics.median(s[k] for s in got) for k in got[0]} for j, got in samples.items()}


# ------------------------------------------------------------ the anchors
def sdk_request_builder(base_url: str):
    """The official SDK building one chat request, no I/O: ``create()`` up to
    the hand-off to its HTTP client, and ``_build_request`` alone."""
    import openai
    from openai._models import FinalRequestOptions

    class Built(openai.OpenAIError):
        pass

    client = openai.OpenAI(api_key=KEY, base_url=base_url, max_retries=0)

    def send(request, **kwargs):
        raise Built(request)

    client._send_request = send
    messages = BODY["messages"]

    def create():
        try:
            client.chat.completions.create(model="gpt-4o", messages=messages)
        except Built as done:
            return done.args[0]

    def build():
        options = FinalRequestOptions.construct(method="post", url="/chat/completions",
                                                json_data={"model": "gpt-4o", "messages": messages})
        return client._build_request(options)

    return create, build


def naive_openapi_core(document: Dict[str, Any]):
    """openapi-core used directly: a request validator made for each call,
    which finds the operation by matching the URL."""
    import requests
    from jsonschema_path import SchemaPath
    from openapi_core import V31RequestValidator
    from openapi_core.contrib.requests import RequestsOpenAPIRequest

    spec = SchemaPath.from_dict(document)
    server = document["servers"][0]["url"].rstrip("/")

    def validate():
        request = requests.Request("POST", server + "/chat/completions", json=BODY,
                                   headers={"Authorization": f"Bearer {KEY}"}).prepare()
        V31RequestValidator(spec).validate(RequestsOpenAPIRequest(request))

    return validate


# ---------------------------------------------------------- synthetic spec
def _retarget(node: Any, suffix: str, kinds: Dict[str, dict]) -> Any:
    """A copy of ``node`` whose references into ``components`` point at the
    copies named with ``suffix``."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                out[k] = _ref(v, suffix, kinds)
            elif k == "mapping" and isinstance(v, dict) and all(isinstance(x, str) for x in v.values()):
                out[k] = {m: _ref(x, suffix, kinds) for m, x in v.items()}
            else:
                out[k] = _retarget(v, suffix, kinds)
        return out
    if isinstance(node, list):
        return [_retarget(v, suffix, kinds) for v in node]
    return node


def _ref(ref: str, suffix: str, kinds: Dict[str, dict]) -> str:
    parts = ref.split("/")
    if len(parts) >= 4 and parts[:2] == ["#", "components"] and parts[3] in kinds.get(parts[2], ()):
        parts[3] += suffix
    return "/".join(parts)


def synthetic(document: Dict[str, Any], copies: int = 10) -> Dict[str, Any]:
    """``document`` ``copies`` times over (see the module text)."""
    components = document.get("components") or {}
    copied = {kind: dict.fromkeys(section) for kind, section in components.items()
              if kind != "securitySchemes" and isinstance(section, dict)}
    # the rest (webhooks...) once, pointing into the first copy
    out = {k: _retarget(v, "_p0", copied) for k, v in document.items() if k not in ("paths", "components")}
    out["paths"] = {}
    out["components"] = {"securitySchemes": components.get("securitySchemes", {})}
    for i in range(copies):
        suffix = f"_p{i}"
        for path, item in (document.get("paths") or {}).items():
            item = _retarget(item, suffix, copied)
            for op in item.values():
                if isinstance(op, dict) and isinstance(op.get("operationId"), str):
                    op["operationId"] += suffix
            out["paths"][f"/p{i}{path}"] = item
        for kind, names in copied.items():
            section = out["components"].setdefault(kind, {})
            for name in names:
                section[name + suffix] = _retarget(components[kind][name], suffix, copied)
    return out


# ------------------------------------------------------------------- main
def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import openai
    import openapi_core

    from openapi_dyn import __version__
    return (f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; openapi_dyn {__version__}, openapi-core "
            f"{openapi_core.__version__}, openai {openai.__version__}")


#: The specs loaded by name in issue 21's rows; "openai" is the anchor.
VENDORS = ("openai", "groq", "deepseek", "together", "xai", "anthropic", "anthropic-bedrock")


def vendor_rows(rows: List[Dict[str, Any]], figures: Dict[str, Any], env: Dict[str, str], work: Path,
                rounds: int, log: Callable[[str], None]) -> None:
    """Issue 21: ``Client(name)`` in a fresh process for every bundled
    vendor, warm cache, against ``Client("openai")``; and the first load
    (empty cache) of an overlay, for context."""
    import shutil

    log("vendors: warming the caches")
    for name in VENDORS:
        run_process(OURS_LOAD, env, (name,))
    log(f"vendors: {rounds} rounds of fresh processes")
    got = cold({name: (OURS_LOAD, env, (name,)) for name in VENDORS}, rounds)
    empty = work / "empty-vendors"

    def fresh(_name: str) -> None:
        shutil.rmtree(empty, ignore_errors=True)

    first = cold({name: (OURS_LOAD, child_env(empty), (name,)) for name in ("openai", "groq", "anthropic-bedrock")},
                 max(5, rounds // 2 + 2), fresh)
    figures["vendors"] = {"warm": got, "first": first}
    anchor = got["openai"]["seconds"]
    for name in VENDORS[1:]:
        r = got[name]["seconds"] / anchor
        rows.append({"target": "21 load by name", "what": f'Client("{name}"), warm cache',
                     "value": f"{got[name]['seconds'] * 1e3:,.0f} ms", "anchor_what": 'Client("openai"), same',
                     "anchor": f"{anchor * 1e3:,.0f} ms", "ratio": r, "goal": "≤ 1.0× (±5%)", "met": r <= 1.05})
    for name in ("groq", "anthropic-bedrock"):
        r = first[name]["seconds"] / first["openai"]["seconds"]
        rows.append({"target": "21 (context)", "what": f'Client("{name}"), empty cache (base parsed too)',
                     "value": f"{first[name]['seconds'] * 1e3:,.0f} ms", "anchor_what": 'Client("openai"), same',
                     "anchor": f"{first['openai']['seconds'] * 1e3:,.0f} ms", "ratio": r, "goal": "", "met": None})


def main(argv: List[str] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--json", metavar="PATH")
    ap.add_argument("--http-only", action="store_true",
                    help="only the rows of the HTTP layer (per call, end to end, async, streaming, big bodies)")
    ap.add_argument("--vendors-only", action="store_true",
                    help="only the rows of issue 21 (loading each bundled vendor by name against OpenAI)")
    ap.add_argument("--by-name", action="store_true",
                    help="only the rows of loading bundled specs by name (" + ", ".join(BY_NAME) + ") against OpenAI")
    opts = ap.parse_args(argv)
    rounds = max(5, opts.rounds)
    started = time.perf_counter()
    rows: List[Dict[str, Any]] = []
    figures: Dict[str, Any] = {}

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {msg}", file=sys.stderr, flush=True)

    def by_name_rows() -> None:
        got = figures["by_name"]
        for label, where in (("first load", "no cache"), ("warm load", "warm cache")):
            base = got["first" if label == "first load" else "warm"]
            for n in BY_NAME:
                r = base[n]["seconds"] / base["openai"]["seconds"]
                rows.append({"target": f"21 by name, {label}", "what": f"Client({n!r}), {where}",
                             "value": f"{base[n]['seconds'] * 1e3:,.0f} ms", "anchor_what": "Client('openai'), same",
                             "anchor": f"{base['openai']['seconds'] * 1e3:,.0f} ms", "ratio": r, "goal": "≤ 1.0×",
                             "met": r <= 1.0})

    if opts.by_name:
        work = Path(tempfile.mkdtemp(prefix="openapi-dyn-bench-"))
        try:
            log(f"by name: {rounds} rounds of Client(name) in fresh processes")
            figures["by_name"] = by_name(work, rounds)
            by_name_rows()
        finally:
            import shutil

            shutil.rmtree(work, ignore_errors=True)
        figures.update(machine=machine(), rounds=rounds, rows=rows, seconds=time.perf_counter() - started)
        print(render(rows, figures, markdown=opts.markdown))
        return 0

    try:
        import openai  # noqa: F401
    except ImportError:
        print("the benchmark needs the openai SDK: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    import atexit
    import shutil

    work = Path(tempfile.mkdtemp(prefix="openapi-dyn-bench-"))
    atexit.register(shutil.rmtree, work, True)
    warm_cache = work / "cache"
    env = child_env(warm_cache)
    # this process's clients use the same private cache, not the user's
    os.environ["OPENAPI_DYN_CACHE_DIR"] = str(warm_cache)

    def report() -> int:
        """Print the table of ``rows`` (and write every figure with --json)."""
        figures.update(machine=machine(), rounds=rounds, rows=rows, seconds=time.perf_counter() - started)
        print(render(rows, figures, markdown=opts.markdown))
        if opts.json:
            Path(opts.json).write_text(json.dumps(figures, indent=2, default=str))
        return 0

    if opts.vendors_only:
        vendor_rows(rows, figures, env, work, rounds, log)
        return report()

    if not opts.http_only:
        # ---- targets 1, 2, 5: cold start, warm cache
        log("cold start: warming bytecode and spec caches")
        for code in (SDK_COLD, OURS_VALIDATED, OURS_EXPLORING):
            run_process(code, env)
        log(f"cold start: {rounds} rounds of fresh processes")
        got = cold({"sdk": (SDK_COLD, env, ()), "validated": (OURS_VALIDATED, env, ()),
                    "exploring": (OURS_EXPLORING, env, ()), "bare": ("pass", env, ())}, rounds)
        figures["cold"] = got
        sdk_s, sdk_rss = got["sdk"]["seconds"], got["sdk"]["rss"]

        # the very first load of the bundled spec: an empty cache each time
        empty = work / "empty"

        def fresh(_name: str) -> None:
            shutil.rmtree(empty, ignore_errors=True)

        first = cold({"first": (OURS_LOAD, child_env(empty), ())}, max(5, rounds // 2 + 2), fresh)["first"]
        figures["first_load"] = first
        log(f"by name: {rounds} rounds of Client(name) in fresh processes")
        figures["by_name"] = by_name(work, rounds)

    # ---- target 3: per call, steady state (in this process)
    log("per call: prepare() against the SDK's request build")
    from openapi_dyn import Client

    client = Client(api_key=KEY)
    create, build = sdk_request_builder("https://api.openai.com/v1")

    def prepare():
        return client.prepare("createChatCompletion", body=BODY)

    def prepare_unvalidated():
        return client.prepare("createChatCompletion", body=BODY, validate=False)

    naive = naive_openapi_core(client.spec.document)
    calls = per_call({"prepare": prepare, "sdk_build": build, "sdk_create": create,
                      "unvalidated": prepare_unvalidated}, rounds)
    calls.update(per_call({"naive": naive}, max(5, rounds // 2)))
    figures["per_call"] = calls

    # ---- target 4: end to end
    log("end to end: local keep-alive server")
    server = subprocess.Popen([sys.executable, str(HERE / "server.py")], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())
        base = f"http://127.0.0.1:{port}/v1"
        import openai
        import requests

        session = requests.Session()
        plain_session = requests.Session()
        plain_session.trust_env = False       # no environment scan per request
        sdk = openai.OpenAI(api_key=KEY, base_url=base)
        ours = Client(api_key=KEY, base_url=base)

        def bare():
            return session.post(base + "/chat/completions", json=BODY,
                                headers={"Authorization": f"Bearer {KEY}"}).json()

        def bare_no_env():
            return plain_session.post(base + "/chat/completions", json=BODY,
                                      headers={"Authorization": f"Bearer {KEY}"}).json()

        def sdk_call():
            return sdk.chat.completions.create(model="gpt-4o", messages=BODY["messages"])

        def ours_call():
            return ours.call("createChatCompletion", body=BODY)

        assert ours_call()["choices"][0]["message"]["role"] == "assistant"
        e2e = per_call({"call": ours_call, "sdk": sdk_call, "requests": bare,
                        "requests_no_env": bare_no_env}, rounds, chunk=0.2)
        figures["end_to_end"] = e2e
        ours.close()
        sdk.close()
        session.close()
        plain_session.close()

        # ---- issue 9: async, streaming, big bodies (a process per sample)
        log(f"async: {ASYNC_ROUNDS} rounds of 2,000 calls at concurrency 50, ours and AsyncOpenAI")
        fast = subprocess.Popen([sys.executable, str(HERE / "fast_server.py")], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True, cwd=str(HERE))
        try:
            fast_base = f"http://127.0.0.1:{int(fast.stdout.readline())}/v1"
            figures["async"] = job_rounds(("async-ours", "async-sdk"), fast_base, ASYNC_ROUNDS)
        finally:
            fast.stdin.close()
            fast.wait(timeout=10)
        log(f"streaming: {rounds} rounds of a 20,000-event stream, sync and async, ours and the SDK's")
        figures["stream"] = job_rounds(("stream-ours", "stream-sdk", "astream-ours", "astream-sdk"), base, rounds)
        log("1 GiB uploads and downloads, sync and async")
        figures["big"] = job_rounds(("download", "upload", "adownload", "aupload"), base, 1)
    finally:
        server.stdin.close()
        server.wait(timeout=10)

    if not opts.http_only:
        # ---- target 6: growth
        log("growth: synthetic spec ten times the OpenAI one")
        from openapi_dyn._spec import bundled
        from openapi_dyn._spec.load import parse_text

        original = parse_text(bundled.get("openai").path().read_bytes(), "openai")
        one = work / "openai-1x.json"
        ten = work / "openai-10x.json"
        one.write_text(json.dumps(original))
        ten.write_text(json.dumps(synthetic(original, 10)))
        del original
        size_ratio = ten.stat().st_size / one.stat().st_size
        growth_env = child_env(work / "growth-cache")

        def empty_growth_cache(_name: str) -> None:
            shutil.rmtree(work / "growth-cache", ignore_errors=True)

        loads_first = cold({"1x": (OURS_LOAD, growth_env, (str(one),)),
                            "10x": (OURS_LOAD, growth_env, (str(ten),))}, 5, empty_growth_cache)
        for path in (one, ten):           # fill the cache for the warm loads
            run_process(OURS_LOAD, growth_env, (str(path),))
        loads_warm = cold({"1x": (OURS_LOAD, growth_env, (str(one),)),
                           "10x": (OURS_LOAD, growth_env, (str(ten),))}, 5)
        c1 = Client(str(one), api_key=KEY)
        c10 = Client(str(ten), api_key=KEY)
        growth_calls = per_call({
            "1x": lambda: c1.prepare("createChatCompletion", body=BODY),
            "10x": lambda: c10.prepare("createChatCompletion_p7", body=BODY),
        }, rounds + 4)
        figures["growth"] = {"size_ratio": size_ratio, "bytes_1x": one.stat().st_size,
                             "bytes_10x": ten.stat().st_size, "first_load": loads_first,
                             "warm_load": loads_warm, "per_call": growth_calls}

        # ---- issue 22: static types
        log("static types: mypy on a script using Client('openai'), import cost, stub size")
        import static_types

        figures["types"] = static_types.measure(rounds)
    if not opts.http_only:
        # ---- issue 20: Vertex AI's Discovery document (bench/discovery.py)
        log("discovery: Vertex AI's document, this client and googleapiclient")
        try:
            import googleapiclient  # noqa: F401
            from discovery import measure as measure_discovery
        except ImportError as exc:
            log(f"discovery: skipped ({exc}; pip install -e '.[bench]')")
        else:
            figures["discovery"] = measure_discovery(rounds, work / "discovery")

    # ---- the table
    def ratio(a: float, b: float) -> float:
        return a / b if b else float("nan")

    def row(target, what, value, anchor_what, anchor, r, goal, met):
        rows.append({"target": target, "what": what, "value": value, "anchor_what": anchor_what,
                     "anchor": anchor, "ratio": r, "goal": goal, "met": met})

    ms = lambda s: f"{s * 1e3:,.0f} ms"      # noqa: E731
    us = lambda s: f"{s * 1e6:,.0f} µs"      # noqa: E731
    mb = lambda b: f"{b / 2**20:.1f} MB"     # noqa: E731
    if not opts.http_only:
        sdk_cold_what = "import openai + OpenAI() + build one request"
        r1 = ratio(got["validated"]["seconds"], sdk_s)
        row("1 cold start, validated", "import + Client() + one validated prepare()", ms(got["validated"]["seconds"]),
            sdk_cold_what, ms(sdk_s), r1, "≤ 0.7×", r1 <= 0.7)
        row("1 first load (empty cache)", "Client() on the bundled spec, no cache", ms(first["seconds"]),
            "", "", None, "≤ ~1.2 s", first["seconds"] <= 1.2)
        r2 = ratio(got["exploring"]["seconds"], sdk_s)
        row("2 cold start, exploring", "Client() + list operations + text reference of one",
            ms(got["exploring"]["seconds"]), sdk_cold_what, ms(sdk_s), r2, "≤ 0.2×", r2 <= 0.2)
        row("1, 2 (context)", "python -c pass (interpreter start and exit)", ms(got["bare"]["seconds"]),
            sdk_cold_what, ms(sdk_s), ratio(got["bare"]["seconds"], sdk_s), "", None)
    r3 = ratio(calls["prepare"], calls["sdk_build"])
    row("3 per call", "prepare() createChatCompletion, validated", us(calls["prepare"]),
        "SDK _build_request()", us(calls["sdk_build"]), r3, "≤ 1.0×", r3 <= 1.0)
    row("3 (context)", "same, validate=False", us(calls["unvalidated"]), "", "", None, "", None)
    r3b = ratio(calls["prepare"], calls["sdk_create"])
    row("3 (context)", "prepare(), validated", us(calls["prepare"]),
        "SDK create() up to sending", us(calls["sdk_create"]), r3b, "", None)
    r3c = ratio(calls["prepare"], calls["naive"])
    row("3 (context)", "prepare(), validated", us(calls["prepare"]),
        "openapi-core request validator per call", us(calls["naive"]), r3c, "", None)
    r4a = ratio(e2e["call"], e2e["sdk"])
    row("4 end to end", "call() validated, JSON decoded", us(e2e["call"]),
        "SDK create()", us(e2e["sdk"]), r4a, "≤ 1.0×", r4a <= 1.0)
    r4b = ratio(e2e["call"], e2e["requests"])
    row("4 end to end", "call() validated, JSON decoded", us(e2e["call"]),
        "requests.Session POST + .json()", us(e2e["requests"]), r4b, "≤ 1.3×", r4b <= 1.3)
    row("4 (context)", "call() validated, JSON decoded", us(e2e["call"]),
        "same, session.trust_env = False", us(e2e["requests_no_env"]),
        ratio(e2e["call"], e2e["requests_no_env"]), "", None)
    if not opts.http_only:
        r5 = ratio(got["validated"]["rss"], sdk_rss)
        row("5 memory", "peak RSS of target 1's process", mb(got["validated"]["rss"]),
            "peak RSS, SDK process", mb(sdk_rss), r5, "≤ 1.2×", r5 <= 1.2)
        r6 = ratio(growth_calls["10x"], growth_calls["1x"])
        row("6 growth, per call", "prepare() on the 10x spec", us(growth_calls["10x"]),
            "same on the 1x spec", us(growth_calls["1x"]), r6, "≤ 1.2×", r6 <= 1.2)
        for label, loads in (("first load", loads_first), ("warm load", loads_warm)):
            r = ratio(loads["10x"]["seconds"], loads["1x"]["seconds"])
            row(f"6 growth, {label}", f"Client() on the 10x spec ({size_ratio:.1f}x the bytes)",
                ms(loads["10x"]["seconds"]), "same on the 1x spec", ms(loads["1x"]["seconds"]), r,
                f"≤ {size_ratio:.1f}× (linear)", r <= size_ratio)

    if "discovery" in figures:
        d = figures["discovery"]
        anchor_what = "googleapiclient build_from_document + 1 request"
        for key, what, goal, limit in (("cold", "first load (empty cache)", "< 2 s", 2.0),
                                       ("warm", "load from the cache", "< 0.3 s", 0.3),
                                       ("warm_call", "cached load + 1 validated prepare()", "", None)):
            row("20 Discovery", f"Vertex AI ({d['bytes'] / 2**20:.1f} MB): {what}", ms(d[key]), anchor_what,
                ms(d["anchor"]), ratio(d[key], d["anchor"]), goal, None if limit is None else d[key] < limit)

    # issue 9
    sync_build = ratio(calls["prepare"], calls["sdk_build"])
    row("9 sync per call", "prepare() createChatCompletion, validated", us(calls["prepare"]),
        "SDK _build_request()", us(calls["sdk_build"]), sync_build, "≤ 0.75×", sync_build <= 0.75)
    row("9 sync end to end", "call() validated, JSON decoded", us(e2e["call"]),
        "SDK create()", us(e2e["sdk"]), r4a, "≤ 0.6×", r4a <= 0.6)
    row("9 sync end to end", "call() validated, JSON decoded", us(e2e["call"]),
        "requests.Session POST + .json()", us(e2e["requests"]), r4b, "≤ 1.0×", r4b <= 1.0)
    a = figures["async"]
    r = ratio(a["async-ours"]["seconds"], a["async-sdk"]["seconds"])
    row("9 async", "AsyncClient: 2,000 validated calls, 50 at a time", ms(a["async-ours"]["seconds"]),
        "AsyncOpenAI create(), same", ms(a["async-sdk"]["seconds"]), r, "≤ 0.8×", r <= 0.8)
    r = ratio(a["async-ours"]["rss"], a["async-sdk"]["rss"])
    row("9 async memory", "peak RSS of that process", mb(a["async-ours"]["rss"]),
        "peak RSS, AsyncOpenAI process", mb(a["async-sdk"]["rss"]), r, "≤ 1.0×", r <= 1.0)
    st = figures["stream"]
    eps = lambda f: f["events"] / f["seconds"]        # noqa: E731
    for label, ours_job, sdk_job in (("sync", "stream-ours", "stream-sdk"), ("async", "astream-ours", "astream-sdk")):
        r = ratio(eps(st[ours_job]), eps(st[sdk_job]))
        row(f"9 streaming, {label}", "events/s of a 20,000-event chat stream", f"{eps(st[ours_job]):,.0f}/s",
            "the SDK's stream, same", f"{eps(st[sdk_job]):,.0f}/s", r, "≥ 1.5×", r >= 1.5)
    big = figures["big"]
    for job, what in (("upload", "1 GiB multipart upload, Client"), ("download", "1 GiB download (save_to), Client"),
                      ("aupload", "1 GiB multipart upload, AsyncClient"),
                      ("adownload", "1 GiB download (save_to), AsyncClient")):
        g = big[job]["growth"]
        row("9 big bodies", what, f"RSS +{mb(g)}", "", "", None, "< 50 MB", g < 50 * 2**20)

    if not opts.http_only:  # issue 22
        t = figures["types"]
        row("22 types", "mypy, a script using Client('openai'), no config, empty cache",
            f"{t['mypy']['seconds']:.1f} s", "", "", None, "< 20 s", t["mypy"]["seconds"] < 20)
        imp = t["import"]
        row("22 types", f"import + Client(); stub modules loaded: {imp['modules']}", ms(imp["with"]),
            "same, a copy without the stubs", ms(imp["without"]), ratio(imp["with"], imp["without"]),
            "none loaded", imp["modules"] == 0)
        sz = t["size"]
        row("22 types", f"package growth: {sz['files']} .pyi files on disk (in a wheel)",
            f"{mb(sz['bytes'])} ({mb(sz['deflated'])})", "", "", None, "a few MB", sz["bytes"] < 5 * 2**20)

    if not opts.http_only:
        by_name_rows()
    return report()


def render(rows: List[Dict[str, Any]], figures: Dict[str, Any], markdown: bool) -> str:
    head = ["target", "measured", "value", "anchor", "anchor value", "ratio", "goal", "met"]
    table = []
    for r in rows:
        met = "" if r["met"] is None else ("yes" if r["met"] else "NO")
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}×"
        table.append([r["target"], r["what"], r["value"], r["anchor_what"], r["anchor"], ratio, r["goal"], met])
    foot = (f"Medians of {figures['rounds']} rounds, all measured in one run of "
            f"{figures['seconds']:.0f} s.  Machine: {figures['machine']}.")
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(cells) + " |" for cells in table]
        return "\n".join(lines) + "\n\n" + foot
    widths = [max(len(str(x)) for x in col) for col in zip(head, *table)]
    fmt = "  ".join("{:<%d}" % w for w in widths)
    lines = [fmt.format(*head), fmt.format(*("-" * w for w in widths))]
    lines += [fmt.format(*cells) for cells in table]
    return "\n".join(lines) + "\n\n" + textwrap.fill(foot, 100)


if __name__ == "__main__":
    sys.exit(main())
