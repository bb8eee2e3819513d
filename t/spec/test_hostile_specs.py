"""Hostile or broken specs are bounded: expansion bombs, self-containing
documents, oversized or too many remote documents, a cache that only grows;
and loading changes nothing another thread can see."""
import gc
import json
import os
import signal
import threading
import tracemalloc

import pytest

from openapi_dyn import Client, SpecError
from openapi_dyn._spec import limits
from openapi_dyn._spec.load import load_spec, stats

from faultserver import endless, reply

SMALL = {"openapi": "3.0.3", "info": {"title": "small", "version": "1"},
         "paths": {"/x": {"get": {"operationId": "x", "responses": {"200": {"description": "ok"}}}}}}


@pytest.fixture
def hang_guard():
    """Fails a test that runs away instead of hanging the suite (a bound,
    not a measurement)."""
    def alarm(*_):
        raise AssertionError("still running after 60 s")
    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def _laughs(levels: int = 9, width: int = 10) -> str:
    lines = ['lol0: &lol0 "lol"']
    for i in range(1, levels + 1):
        lines.append(f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * width) + "]")
    body = "\n".join("  " + line for line in lines)
    return ("openapi: 3.0.3\ninfo: {title: laughs, version: '1'}\n"
            "paths:\n  /x:\n    get:\n      operationId: x\n      responses: {'200': {description: ok}}\n"
            f"x-laughs:\n{body}\n")


def _tree_bytes(path):
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def test_alias_bomb_is_refused_before_anything_is_written(tmp_path, monkeypatch, hang_guard):
    cache = tmp_path / "cache"
    monkeypatch.setenv("OPENAPI_DYN_CACHE_DIR", str(cache))
    spec = tmp_path / "laughs.yaml"
    spec.write_text(_laughs())
    assert spec.stat().st_size < 1000          # a billion strings once expanded
    tracemalloc.start()
    try:
        with pytest.raises(SpecError) as info:
            Client(str(spec))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "expansion bomb" in str(info.value) and str(spec) in str(info.value)
    assert peak < 50 * 2**20, peak             # the expansion never happened in memory
    assert _tree_bytes(cache) < 64 * 1024      # nor on disk


def test_moderate_sharing_is_fine(tmp_path):
    spec = tmp_path / "shared.yaml"
    spec.write_text(_laughs(levels=3, width=10))   # 1,000 strings: a normal use of anchors
    client = Client(str(spec), cache=False)
    assert len(client.spec.document["x-laughs"]["lol3"]) == 10


def test_dict_bomb_and_self_containing_documents_are_refused(tmp_path):
    level = ["lol"]
    for _ in range(30):                        # 2**30 leaves, 31 lists
        level = [level, level]
    with pytest.raises(SpecError, match="expansion bomb"):
        Client(dict(SMALL, **{"x-bomb": level}))
    looped = dict(SMALL)
    looped["x-self"] = looped
    with pytest.raises(SpecError, match="contains itself|nested more than"):
        Client(looped)
    spec = tmp_path / "cycle.yaml"
    spec.write_text("openapi: 3.0.3\ninfo: {title: c, version: '1'}\npaths: {}\nx-cycle: &c [*c]\n")
    with pytest.raises(SpecError, match="contains itself"):
        Client(str(spec), cache=False)


def test_too_deep_json_is_a_spec_error(tmp_path):
    spec = tmp_path / "deep.json"
    spec.write_text('{"openapi": "3.0.3", "x-deep": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(SpecError, match="nested too deeply"):
        Client(str(spec), cache=False)


# ------------------------------------------------------------- remote
def _serve(faultserver, files):
    def pick(rec):
        if rec.path in files:
            got = files[rec.path]
            return got if callable(got) else reply(body=got.encode(), content_type="application/yaml")
        return reply(404, json={"error": "no such file"})
    faultserver.always(pick)


def _root_with_refs(*targets):
    schemas = {f"S{i}": {"$ref": t} for i, t in enumerate(targets)}
    return json.dumps(dict(SMALL, components={"schemas": schemas}))


def test_oversized_remote_ref_is_refused(faultserver, hang_guard):
    _serve(faultserver, {"/api.json": _root_with_refs("big.yaml#/Pet"),
                         "/big.yaml": endless(b"#" * 65536, content_type="application/yaml")})
    with pytest.raises(SpecError) as info:
        Client(faultserver.url + "/api.json", cache=False)
    assert f"larger than {limits.MAX_REMOTE_BYTES} bytes" in str(info.value)
    assert "/big.yaml" in str(info.value)
    big = [r for r in faultserver.requests if r.path == "/big.yaml"][0]
    big.done.wait(10)
    assert big.client_gone                     # reading stopped at the limit


def test_oversized_remote_spec_is_refused(faultserver, hang_guard):
    _serve(faultserver, {"/api.yaml": endless(b"# comment\n" * 6000, content_type="application/yaml")})
    with pytest.raises(SpecError, match="larger than"):
        Client(faultserver.url + "/api.yaml", cache=False)


def test_remote_documents_are_counted(faultserver, monkeypatch):
    files = {f"/s{i}.yaml": "Pet: {type: string}\n" for i in range(6)}
    files["/api.json"] = _root_with_refs(*[f"s{i}.yaml#/Pet" for i in range(6)])
    _serve(faultserver, files)
    assert len(Client(faultserver.url + "/api.json", cache=False).spec.document["components"]["schemas"]) == 6
    monkeypatch.setattr(limits, "MAX_REMOTE_DOCUMENTS", 4)
    with pytest.raises(SpecError, match="more than 4 remote documents"):
        Client(faultserver.url + "/api.json", cache=False)


@pytest.mark.parametrize("target", ["file:///etc/passwd#/x", "ftp://127.0.0.1/x.yaml#/x", "/etc/passwd#/x"])
def test_remote_spec_reads_only_http(faultserver, target):
    _serve(faultserver, {"/api.json": _root_with_refs(target)})
    with pytest.raises(SpecError) as info:
        Client(faultserver.url + "/api.json", cache=False)
    assert "does not resolve" in str(info.value)
    assert all(r.path == "/api.json" for r in faultserver.requests) or "/etc/passwd" in target


# ------------------------------------------------------------- process
def test_loading_leaves_the_collector_alone_while_other_threads_run():
    seen = []
    stop = threading.Event()

    def watch():
        for _ in range(200_000):               # bounded
            seen.append(gc.isenabled())
            if stop.wait(0.0005):
                return

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        load_spec("openai", cache=False)
    finally:
        stop.set()
        watcher.join(30)
    assert len(seen) > 10 and all(seen)


# ------------------------------------------------------------- cache
def test_cache_is_bounded_and_keeps_the_recently_used(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("OPENAPI_DYN_CACHE_DIR", str(cache))
    paths = []
    for i in range(6):
        doc = dict(SMALL, info={"title": f"spec {i}", "version": "1", "description": "x" * 20_000})
        p = tmp_path / f"s{i}.json"
        p.write_text(json.dumps(doc))
        paths.append(p)
    load_spec(str(paths[0]))
    one = _tree_bytes(cache)
    monkeypatch.setenv("OPENAPI_DYN_CACHE_MAX_BYTES", str(3 * one))
    for p in paths[1:]:
        load_spec(str(p))
        load_spec(str(paths[0]))               # used again and again: stays
    assert _tree_bytes(cache) <= 3 * one
    hits = stats["cache_hit"]
    load_spec(str(paths[0]))
    assert stats["cache_hit"] == hits + 1
    misses = stats["cache_miss"]
    load_spec(str(paths[1]))                   # long unused: evicted
    assert stats["cache_miss"] == misses + 1
    monkeypatch.setenv("OPENAPI_DYN_CACHE_MAX_BYTES", "1000")
    big = tmp_path / "big.json"
    big.write_text(json.dumps(dict(SMALL, info={"title": "big", "version": "1", "description": "y" * 5000})))
    load_spec(str(big))
    assert not any("y" * 5000 in f.read_text() for f in cache.iterdir() if f.is_file())
    assert os.listdir(cache) is not None


def test_compressed_remote_documents_are_read_and_bounded_after_decompression(faultserver, hang_guard):
    import gzip

    spec = json.dumps(dict(SMALL, info={"title": "zipped", "version": "1", "description": "z" * 200_000}))
    bomb = gzip.compress(b" " * (limits.MAX_REMOTE_BYTES + 1024 * 1024), 9)   # ~65 KB on the wire
    _serve(faultserver, {
        "/zipped.json": reply(body=gzip.compress(spec.encode()), content_type="application/json",
                              headers={"Content-Encoding": "gzip"}),
        "/bomb.json": reply(body=bomb, content_type="application/json", headers={"Content-Encoding": "gzip"}),
    })
    assert Client(faultserver.url + "/zipped.json", cache=False).spec.title == "zipped"
    assert len(bomb) < 1024 * 1024
    with pytest.raises(SpecError, match="larger than"):
        Client(faultserver.url + "/bomb.json", cache=False)
