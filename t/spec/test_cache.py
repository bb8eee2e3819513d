"""The on-disk spec cache: used when valid, rebuilt when not, never trusted
when someone else could have written it, safe with concurrent writers."""
import json
import os
import pathlib
import shutil
import stat
import subprocess
import sys
import threading

import pytest

from openapi_dyn._spec import cache as cache_mod
from openapi_dyn._spec import load as load_mod
from openapi_dyn._spec.cache import SpecCache
from openapi_dyn._spec.load import load_spec

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "load"
POSIX = os.name == "posix" and hasattr(os, "geteuid")


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("OPENAPI_DYN_CACHE_DIR", str(d))
    monkeypatch.delenv("OPENAPI_DYN_CACHE", raising=False)
    SpecCache._warned.clear()
    return d


@pytest.fixture
def spec(tmp_path):
    """A private copy of the petstore, free to be changed."""
    p = tmp_path / "src" / "petstore.yaml"
    p.parent.mkdir()
    shutil.copy(DATA / "petstore.yaml", p)
    return p


@pytest.fixture
def multi(tmp_path):
    root = tmp_path / "multi"
    shutil.copytree(DATA / "multi", root)
    return root / "api" / "openapi.yaml"


class Counts:
    """What load_spec did between two points: files parsed, hits, misses."""

    def __init__(self):
        self.start = dict(load_mod.stats)

    def __getattr__(self, name):
        return load_mod.stats[name] - self.start.get(name, 0)


def entries(d, prefix="spec-"):
    return sorted(p for p in d.iterdir() if p.name.startswith(prefix))


# ------------------------------------------------------------------ hits
def test_second_load_comes_from_the_cache(cache_dir, spec):
    first = load_spec(spec)
    assert entries(cache_dir) and entries(cache_dir, "loc-")
    c = Counts()
    second = load_spec(spec)
    assert (c.parsed, c.cache_hit, c.cache_miss) == (0, 1, 0)
    assert second.document == first.document
    assert second.repairs == first.repairs
    assert second.content_hash == first.content_hash
    assert second.origin == first.origin == str(spec)


def test_cache_file_is_json_never_pickle(cache_dir, spec):
    load_spec(spec)
    for p in entries(cache_dir) + entries(cache_dir, "loc-"):
        raw = p.read_bytes()
        header, body = raw.split(b"\n", 1)
        header = json.loads(header)
        assert header["magic"] == cache_mod.MAGIC
        assert header["body_length"] == len(body)
        json.loads(body)


def test_hit_does_not_read_the_source(cache_dir, spec, monkeypatch):
    load_spec(spec)

    def no_reading(self, loc):
        raise AssertionError(f"read {loc} on a cache hit")

    monkeypatch.setattr(load_mod._Reader, "read", no_reading)
    assert load_spec(spec).document["openapi"] == "3.0.3"


def test_bundled_hit_does_not_read_the_file(cache_dir, monkeypatch):
    load_spec("azure-openai")
    monkeypatch.setattr(load_mod._Reader, "read", lambda self, loc: pytest.fail(f"read {loc}"))
    c = Counts()
    loaded = load_spec("azure-openai")
    assert (c.parsed, c.cache_hit) == (0, 1)
    assert loaded.origin == "bundled:azure-openai"


def test_touched_but_unchanged_file_is_still_a_hit(cache_dir, spec):
    load_spec(spec)
    st = spec.stat()
    os.utime(spec, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    c = Counts()
    load_spec(spec)
    assert (c.parsed, c.cache_hit) == (0, 1)
    c = Counts()
    load_spec(spec)           # the index was updated with the new mtime
    assert (c.parsed, c.cache_hit) == (0, 1)


def test_changed_file_is_reloaded(cache_dir, spec):
    first = load_spec(spec)
    spec.write_text(spec.read_text().replace("title: Petstore", "title: Changed"))
    c = Counts()
    second = load_spec(spec)
    assert (c.parsed, c.cache_miss) == (1, 1)
    assert second.document["info"]["title"] == "Changed"
    assert second.content_hash != first.content_hash
    # the entry of the old content is gone
    assert len(entries(cache_dir)) == 1


def test_changed_external_file_is_reloaded(cache_dir, multi):
    load_spec(multi)
    c = Counts()
    load_spec(multi)
    assert (c.parsed, c.cache_hit) == (0, 1)
    address = multi.parent.parent / "shared" / "address.yaml"
    address.write_text(address.read_text().replace("city", "town"))
    c = Counts()
    loaded = load_spec(multi)
    assert c.cache_miss == 1 and c.parsed > 1
    assert "town" in loaded.document["components"]["schemas"]["address"]["properties"]


def test_same_content_elsewhere_reuses_the_entry(cache_dir, spec, tmp_path):
    load_spec(spec)
    other = tmp_path / "elsewhere.yaml"
    shutil.copy(spec, other)
    loaded = load_spec(other)
    assert len(entries(cache_dir)) == 1
    assert loaded.origin == str(other)


def test_dict_source_is_cached_too(cache_dir):
    doc = load_mod.parse_text((DATA / "petstore.yaml").read_bytes())
    first = load_spec(doc)
    c = Counts()
    second = load_spec(doc)
    assert c.cache_hit == 1
    assert second.document == first.document and second.document is not first.document


def test_url_source_is_cached(cache_dir):
    from pytest_httpserver import HTTPServer
    srv = HTTPServer(host="127.0.0.1", port=0)
    srv.start()
    try:
        srv.expect_request("/p.yaml").respond_with_data((DATA / "petstore.yaml").read_bytes())
        url = srv.url_for("/p.yaml")
        first = load_spec(url)
        c = Counts()
        second = load_spec(url)
        assert (c.parsed, c.cache_hit) == (0, 1)   # fetched again and hashed, not parsed
        assert second.document == first.document
    finally:
        srv.clear()
        srv.stop()


def test_strict_on_a_hit_validates_once(cache_dir, spec, monkeypatch):
    load_spec(spec)
    calls = []
    real = load_mod._validate
    monkeypatch.setattr(load_mod, "_validate", lambda doc, where: calls.append(where) or real(doc, where))
    load_spec(spec, strict=True)
    load_spec(spec, strict=True)
    assert len(calls) == 1


# ------------------------------------------------------------------ disabled
def test_cache_false_writes_nothing(cache_dir, spec):
    load_spec(spec, cache=False)
    assert not cache_dir.exists() or not any(cache_dir.iterdir())
    c = Counts()
    load_spec(spec, cache=False)
    assert c.parsed == 1


def test_env_disables_the_cache(cache_dir, spec, monkeypatch):
    monkeypatch.setenv("OPENAPI_DYN_CACHE", "0")
    load_spec(spec)
    load_spec(spec)
    assert not cache_dir.exists()


def test_default_directory_is_the_user_cache_dir(monkeypatch):
    import platformdirs
    monkeypatch.delenv("OPENAPI_DYN_CACHE_DIR", raising=False)
    monkeypatch.delenv("OPENAPI_DYN_CACHE", raising=False)
    assert cache_mod.cache_dir() == pathlib.Path(platformdirs.user_cache_dir("openapi_dyn"))


# ------------------------------------------------------------------ damage
def test_truncated_entry_is_rebuilt(cache_dir, spec):
    first = load_spec(spec)
    (entry,) = entries(cache_dir)
    raw = entry.read_bytes()
    entry.write_bytes(raw[: len(raw) // 2])
    c = Counts()
    again = load_spec(spec)
    assert (c.cache_miss, c.parsed) == (1, 1)
    assert again.document == first.document
    c = Counts()
    load_spec(spec)
    assert (c.cache_hit, c.parsed) == (1, 0)


@pytest.mark.parametrize("damage", [
    lambda raw: b"",
    lambda raw: b"garbage\n" + raw,
    lambda raw: raw.replace(b'"openapi"', b'"openapj"', 1),          # body no longer matches its hash
    lambda raw: raw.split(b"\n", 1)[0] + b"\n[]",                   # wrong length
    lambda raw: raw.replace(b'"format":1', b'"format":99', 1),      # another format
])
def test_corrupted_entry_is_ignored_and_rebuilt(cache_dir, spec, damage):
    first = load_spec(spec)
    (entry,) = entries(cache_dir)
    entry.write_bytes(damage(entry.read_bytes()))
    c = Counts()
    assert load_spec(spec).document == first.document
    assert c.cache_miss == 1
    c = Counts()
    load_spec(spec)
    assert c.cache_hit == 1


def test_entry_of_another_key_is_not_used(cache_dir, spec, tmp_path):
    load_spec(spec)
    (mine,) = entries(cache_dir)
    other = tmp_path / "other.yaml"
    other.write_text(spec.read_text().replace("title: Petstore", "title: Other"))
    load_spec(other)
    (theirs,) = [p for p in entries(cache_dir) if p != mine]
    shutil.copy(theirs, mine)           # a file whose header names another key
    c = Counts()
    assert load_spec(spec).document["info"]["title"] == "Petstore"
    assert c.cache_miss == 1


def test_corrupted_index_is_ignored(cache_dir, spec):
    load_spec(spec)
    (index,) = entries(cache_dir, "loc-")
    index.write_text("{not json")
    c = Counts()
    load_spec(spec)
    assert c.cache_miss == 1
    c = Counts()
    load_spec(spec)
    assert c.cache_hit == 1


# ------------------------------------------------------------------ trust (POSIX)
@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_directory_is_created_private(cache_dir, spec):
    load_spec(spec)
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    for p in cache_dir.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) & 0o077 == 0


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_group_writable_entry_is_not_trusted(cache_dir, spec, caplog):
    load_spec(spec)
    (entry,) = entries(cache_dir)
    entry.chmod(0o664)
    c = Counts()
    load_spec(spec)
    assert (c.cache_miss, c.parsed) == (1, 1)
    assert any("writable by group/others" in r.getMessage() for r in caplog.records)
    # replaced by a private file, which is trusted again
    (entry,) = entries(cache_dir)
    assert stat.S_IMODE(entry.stat().st_mode) & 0o022 == 0
    c = Counts()
    load_spec(spec)
    assert c.cache_hit == 1


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_world_writable_index_is_not_trusted(cache_dir, spec):
    load_spec(spec)
    (index,) = entries(cache_dir, "loc-")
    index.chmod(0o646)
    c = Counts()
    load_spec(spec)
    assert c.cache_miss == 1


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_entry_owned_by_someone_else_is_not_trusted(cache_dir, spec, monkeypatch):
    load_spec(spec)
    monkeypatch.setattr(cache_mod.os, "geteuid", lambda: os.getuid() + 4242)
    assert not cache_mod._trusted(entries(cache_dir)[0].stat(), want_dir=False)
    # the directory is not ours either: the cache is not used at all
    assert SpecCache.open() is None


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_shared_directory_is_not_used(cache_dir, spec, caplog):
    cache_dir.mkdir(mode=0o700)
    cache_dir.chmod(0o777)
    c = Counts()
    load_spec(spec)
    load_spec(spec)
    assert c.parsed == 2 and c.cache_hit == 0
    assert list(cache_dir.iterdir()) == []
    assert any("not owned by this user or is writable" in r.getMessage() for r in caplog.records)


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_symlinked_entry_is_not_followed(cache_dir, spec, tmp_path):
    load_spec(spec)
    (entry,) = entries(cache_dir)
    target = tmp_path / "elsewhere.json"
    entry.rename(target)
    entry.symlink_to(target)
    c = Counts()
    load_spec(spec)
    assert c.cache_miss == 1
    assert not entry.is_symlink()        # replaced by a real file


# ------------------------------------------------------------------ concurrency
def test_concurrent_writers_in_threads_leave_a_valid_cache(cache_dir, spec):
    results, errors = [], []
    barrier = threading.Barrier(8)

    def worker():
        try:
            barrier.wait()
            results.append(load_spec(spec))
        except Exception as e:          # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(r.document == results[0].document for r in results)
    assert not [p for p in cache_dir.iterdir() if p.name.startswith(".tmp-")]
    c = Counts()
    assert load_spec(spec).document == results[0].document
    assert c.cache_hit == 1


def test_concurrent_writers_in_processes_leave_a_valid_cache(cache_dir, multi):
    code = ("import sys; from openapi_dyn._spec.load import load_spec; "
            "r = load_spec(sys.argv[1]); print(r.content_hash)")
    env = dict(os.environ, OPENAPI_DYN_CACHE_DIR=str(cache_dir))
    procs = [subprocess.Popen([sys.executable, "-c", code, str(multi)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1].decode()[-500:] for o in outs]
    hashes = {o[0].decode().strip() for o in outs}
    assert len(hashes) == 1
    c = Counts()
    loaded = load_spec(multi)
    assert c.cache_hit == 1
    assert loaded.content_hash in hashes


def test_concurrent_raw_writes_of_one_entry(cache_dir):
    cache_dir.mkdir(mode=0o700)
    store = SpecCache(cache_dir)
    docs = [{"openapi": "3.1.0", "paths": {}, "n": i, "pad": "x" * 200_000} for i in range(6)]
    threads = [threading.Thread(target=store.write_entry, args=("h" * 64, d, [("/p", f"r{i}")]))
               for i, d in enumerate(docs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    entry = store.read_entry("h" * 64)
    assert entry is not None
    n = entry.document["n"]
    assert entry.document == docs[n] and entry.repairs == [["/p", f"r{n}"]]


def test_unreachable_url_is_asked_once_per_load(cache_dir):
    from pytest_httpserver import HTTPServer
    from openapi_dyn._errors import SpecError
    srv = HTTPServer(host="127.0.0.1", port=0)
    srv.start()
    try:
        srv.expect_request("/p.yaml").respond_with_data((DATA / "petstore.yaml").read_bytes())
        url = srv.url_for("/p.yaml")
        load_spec(url)                           # cached, with an index to check on the next load
        srv.clear()
        srv.expect_request("/p.yaml").respond_with_data("gone", status=503)
        with pytest.raises(SpecError) as e:
            load_spec(url)
        assert "HTTP 503" in e.value.what and e.value.where == url
        assert len(srv.log) == 1                 # the cache check and the load share one answer
    finally:
        srv.clear()
        srv.stop()


def test_files_of_other_code_versions_are_pruned_on_a_miss(tmp_path, monkeypatch):
    """Entries written by another version of the loading code are never read
    again; the next miss removes them (and only them)."""
    from openapi_dyn._spec import cache as cache_mod
    from openapi_dyn._spec.cache import SpecCache

    monkeypatch.setenv("OPENAPI_DYN_CACHE_DIR", str(tmp_path / "c"))
    store = SpecCache.open(True)
    store.write_entry("a" * 64, {"openapi": "3.1.0"}, [])
    kept = store.entry_path("a" * 64)
    monkeypatch.setattr(cache_mod, "fingerprint", lambda: "another version")
    stale = store.entry_path("b" * 64)
    stale.write_text('{"magic": "openapi_dyn-spec-cache", "fingerprint": "old"}\n{}')
    foreign = store.directory / "notes.txt"
    foreign.write_text("not ours")
    store.write_entry("c" * 64, {"openapi": "3.1.0"}, [])
    assert not kept.exists() and not stale.exists()  # other fingerprints
    assert store.entry_path("c" * 64).exists() and foreign.exists()


def test_help_text_is_cached_and_read_back_without_rendering(tmp_path):
    """A second process asking for the same help reads the rendered text from
    the cache: markdown-it-py and the reference modules are not imported."""
    from openapi_dyn.reference._text import render_operation

    env = dict(os.environ, OPENAPI_DYN_CACHE_DIR=str(tmp_path / "c"))
    code = ("import sys; from openapi_dyn import Client; c = Client(); "
            "sys.stdout.write(c.createRun.__doc__); "
            "sys.stderr.write(repr(['markdown_it' in sys.modules, 'openapi_dyn.reference._text' in sys.modules]))")
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert first.stderr.endswith("[True, True]")      # rendered
    assert second.stderr.endswith("[False, False]")   # read back
    assert first.stdout == second.stdout
    from openapi_dyn import Client
    client = Client()
    rendered = render_operation(client.operation("createRun"), client=client)
    assert second.stdout.startswith(rendered)
    # what the client adds by itself (the OpenAI profile's beta header) follows it
    assert "header OpenAI-Beta: assistants=v2" in second.stdout[len(rendered):]
    # the help text, and the bundled profile's parsed form
    assert len(list((tmp_path / "c").glob("doc-*.json"))) == 2


def test_help_text_is_not_cached_when_the_cache_is_off(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAPI_DYN_CACHE_DIR", str(tmp_path / "c"))
    from openapi_dyn import Client

    client = Client("openai", cache=False)
    assert "createRun" in client.createRun.__doc__
    assert not list((tmp_path / "c").glob("doc-*.json"))
