"""On-disk cache of loaded specs: the bundled, repaired document and its repairs,
stored as JSON (nothing is ever unpickled).

Two kinds of files live in the cache directory:

* ``spec-<key>.json``: one loaded spec, keyed by the spec's content hash plus
  everything that changes what loading produces (the openapi_dyn version, the
  cache and repair format versions, a stamp of the loading/repair code).
* ``doc-<key>.json``: a text rendered from a loaded spec (the plain-text
  reference ``help()`` shows), keyed by the spec's content hash, the
  operation and a stamp of the rendering code.
* ``loc-<key>.json``: an index, keyed by where a spec comes from (a file path,
  a URL), recording the content hash and, for every file that went into it,
  its size, mtime, ctime and inode and its sha256.  A later load of the same path checks the files
  with ``os.stat`` only and goes straight to the ``spec-`` entry, without
  reading or hashing the source; when a stat differs the file is hashed, and
  only a changed hash means a reload.

Each file is one line of JSON header (magic, format, kind, key, body length
and sha256), a newline, then the JSON body.  A file whose header does not match
what the reader expects, or whose body is short or has another hash, is ignored
and rebuilt.  Files are written to a temporary file in the same directory and
moved into place with :func:`os.replace`, so readers never see a partial file
and concurrent writers are safe (the last one wins, both were complete).

On POSIX the directory is created with mode 0700; a directory or file not
owned by the current user, or writable by group or others, is not trusted:
the directory is then not used at all, a file is ignored (and replaced by a
fresh one).

The cache holds at most :func:`max_bytes` (512 MiB unless
``$OPENAPI_DYN_CACHE_MAX_BYTES`` says otherwise): a file larger than that is
not written at all, and after a new spec is written the least recently used
files (a file's mtime is set whenever it is read) are removed until the rest
fits.

Location: ``$OPENAPI_DYN_CACHE_DIR``, else ``platformdirs.user_cache_dir(
"openapi_dyn")``.  ``OPENAPI_DYN_CACHE=0`` (or ``false``/``no``/``off``)
disables the cache, as does ``load_spec(..., cache=False)``.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, NamedTuple, Optional

log = logging.getLogger(__name__)

#: Version of the cache file layout.
CACHE_FORMAT = 1
#: Version of what the load + repair steps produce; bump it when either one
#: changes its output without a change of ``openapi_dyn.__version__``.
REPAIR_FORMAT = 3

MAGIC = "openapi_dyn-spec-cache"
_FALSE = {"0", "false", "no", "off"}
_POSIX = os.name == "posix" and hasattr(os, "geteuid")

__all__ = ["SpecCache", "CacheEntry", "cache_dir", "CACHE_FORMAT", "REPAIR_FORMAT"]


DEFAULT_MAX_BYTES = 512 * 1024 * 1024


def max_bytes() -> int:
    """The most the cache directory may hold: ``$OPENAPI_DYN_CACHE_MAX_BYTES``
    when it is a number, else 512 MiB."""
    text = os.environ.get("OPENAPI_DYN_CACHE_MAX_BYTES", "").strip()
    return int(text) if text.isdigit() else DEFAULT_MAX_BYTES


def cache_dir() -> Optional[Path]:
    """The cache directory in use, or ``None`` when the environment disables
    caching.  Not created here."""
    if os.environ.get("OPENAPI_DYN_CACHE", "").strip().lower() in _FALSE:
        return None
    env = os.environ.get("OPENAPI_DYN_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs
    return Path(platformdirs.user_cache_dir("openapi_dyn"))


def code_stamp(files) -> str:
    """Size and mtime of each file: changes whenever the code is edited or
    reinstalled, so what it produced before is not reused."""
    stamps = []
    for path in files:
        try:
            st = os.stat(path)
            stamps.append(f"{path.name}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            stamps.append(f"{path.name}:-")
    return ",".join(stamps)


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """Everything besides the content that decides what a load produces."""
    from .._version import __version__
    here = Path(__file__).resolve().parent
    files = [here / name for name in ("load.py", "repair.py", "overlay.py", "swagger2.py", "discovery.py")]
    try:
        from importlib import resources
        files += sorted(Path(str(f)) for f in resources.files("openapi_dyn.schemas").iterdir()
                        if f.name.startswith("overlay-"))
    except (ImportError, OSError, TypeError):
        pass
    return f"{__version__}|{CACHE_FORMAT}|{REPAIR_FORMAT}|{code_stamp(files)}"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _trusted(st: os.stat_result, want_dir: bool) -> bool:
    if want_dir and not stat.S_ISDIR(st.st_mode):
        return False
    if not want_dir and not stat.S_ISREG(st.st_mode):
        return False
    if not _POSIX:
        return True
    return st.st_uid == os.geteuid() and not (st.st_mode & 0o022)


class CacheEntry(NamedTuple):
    document: Dict[str, Any]
    repairs: List[list]      # each Repair as the list of its fields
    header: Dict[str, Any]
    conversions: List[list] = []    # what converting another format (Swagger 2.0) did, as repairs

    @property
    def source_format(self) -> str:
        """What the document was written in: ``"openapi-3.x"``, ``"swagger-2.0"``."""
        return str(self.header.get("source_format") or "openapi-3.x")

    @property
    def validated(self) -> bool:
        """Whether strict validation passed on this document."""
        return bool(self.header.get("validated"))


class SpecCache:
    """One cache directory.  Every method swallows I/O problems (logging them
    at debug level): a cache that does not work is a cache miss."""

    _warned: set = set()

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    @classmethod
    def open(cls, enabled: bool = True) -> Optional["SpecCache"]:
        """The cache to use, or ``None`` (disabled, or the directory cannot be
        created or is not trusted)."""
        if not enabled:
            return None
        d = cache_dir()
        if d is None:
            return None
        try:
            os.makedirs(d, mode=0o700, exist_ok=True)
            st = os.stat(d)
        except OSError as e:
            cls._warn_once(d, f"spec cache disabled: cannot create {d}: {e}")
            return None
        if not _trusted(st, want_dir=True):
            cls._warn_once(d, f"spec cache disabled: {d} is not owned by this user or is "
                              f"writable by group/others (mode {stat.S_IMODE(st.st_mode):o})")
            return None
        return cls(d)

    @classmethod
    def _warn_once(cls, d: Path, msg: str) -> None:
        if str(d) not in cls._warned:
            cls._warned.add(str(d))
            log.warning(msg)

    # ------------------------------------------------------------ keys
    @staticmethod
    def entry_key(content_hash: str) -> str:
        return _sha(f"spec\0{content_hash}\0{fingerprint()}")

    @staticmethod
    def index_key(location: str, extra: str = "") -> str:
        return _sha(f"loc\0{location}\0{extra}\0{fingerprint()}")

    def entry_path(self, content_hash: str) -> Path:
        return self.directory / f"spec-{self.entry_key(content_hash)[:40]}.json"

    def index_path(self, location: str, extra: str = "") -> Path:
        return self.directory / f"loc-{self.index_key(location, extra)[:40]}.json"

    # ------------------------------------------------------------ entries
    def read_entry(self, content_hash: str) -> Optional[CacheEntry]:
        key = self.entry_key(content_hash)
        got = self._read(self.entry_path(content_hash), "spec", key)
        if got is None:
            return None
        header, body = got
        if (not isinstance(body, dict) or not isinstance(body.get("document"), dict)
                or not isinstance(body.get("repairs"), list)
                or header.get("content_hash") != content_hash):
            log.debug("spec cache: malformed entry for %s", content_hash)
            return None
        conversions = body.get("conversions", [])
        if not isinstance(conversions, list):
            return None
        return CacheEntry(body["document"], body["repairs"], header, conversions)

    def write_entry(self, content_hash: str, document: Dict[str, Any], repairs: List[Any],
                    *, validated: bool = False, origin: str = "", source_format: str = "openapi-3.x",
                    conversions: List[Any] = ()) -> bool:
        try:
            rows = [list(r) for r in repairs]
            converted = [list(r) for r in conversions]
        except TypeError:
            log.debug("spec cache: repairs are not tuples, not caching")
            return False
        header = {"content_hash": content_hash, "validated": bool(validated), "origin": origin,
                  "source_format": source_format}
        ok = self._write(self.entry_path(content_hash), "spec", self.entry_key(content_hash),
                         header, {"document": document, "repairs": rows, "conversions": converted})
        if ok:
            self.prune()
        return ok

    def prune(self) -> int:
        """Remove files made by another version of the loading code (their
        fingerprint differs: nothing will ever read them again) and temporary
        files left by a writer that died.  Runs after a new entry is written,
        that is on a cache miss, never on the fast path.  Returns how many."""
        import time

        current = fingerprint()
        removed = 0
        for name in self._names():
            path = self.directory / name
            try:
                if name.startswith(".tmp-"):
                    stale = time.time() - os.stat(path).st_mtime > 3600
                elif _is_entry(name):
                    with open(path, "rb") as f:
                        first = f.readline(4096)
                    try:
                        header = json.loads(first)
                    except ValueError:
                        header = None
                    stale = not isinstance(header, dict) or header.get("fingerprint") != current
                else:
                    continue
                if stale:
                    os.unlink(path)
                    removed += 1
            except OSError:
                continue
        return removed + self._evict(max_bytes())

    def _evict(self, limit: int) -> int:
        """Remove the least recently used files until the rest holds at most
        ``limit`` bytes; returns how many were removed."""
        files = []
        try:
            with os.scandir(self.directory) as it:
                for e in it:
                    if e.name.startswith(("spec-", "loc-", "doc-")) and e.name.endswith(".json"):
                        try:
                            st = e.stat(follow_symlinks=False)
                        except OSError:
                            continue
                        files.append((st.st_mtime_ns, st.st_size, e.path))
        except OSError:
            return 0
        total = sum(f[1] for f in files)
        removed = 0
        for _, size, path in sorted(files):
            if total <= limit:
                break
            try:
                os.unlink(path)
                total -= size
                removed += 1
            except OSError:
                continue
        return removed

    # ------------------------------------------------------------ texts
    def text_path(self, name: str) -> Path:
        return self.directory / f"doc-{_sha(f'doc{chr(0)}{name}{chr(0)}{fingerprint()}')[:40]}.json"

    def read_text(self, name: str) -> Optional[str]:
        """A text derived from a loaded spec (a rendered reference), stored
        under ``name`` by :meth:`write_text`; ``name`` must say everything
        the text depends on (content hash, what, the producing code's stamp)."""
        got = self._read(self.text_path(name), "doc", _sha(f"doc\0{name}"))
        if got is None or not isinstance(got[1], str):
            return None
        return got[1]

    def write_text(self, name: str, text: str) -> bool:
        return self._write(self.text_path(name), "doc", _sha(f"doc\0{name}"), {}, text)

    # ------------------------------------------------------------ index
    def read_index(self, location: str, extra: str = "") -> Optional[Dict[str, Any]]:
        got = self._read(self.index_path(location, extra), "loc", self.index_key(location, extra))
        if got is None:
            return None
        header, body = got
        if (not isinstance(body, dict) or not isinstance(body.get("content_hash"), str)
                or not isinstance(body.get("files"), list) or header.get("location") != location):
            return None
        for f in body["files"]:
            if not (isinstance(f, list) and len(f) == 3 and isinstance(f[0], str) and isinstance(f[2], str)):
                return None
        return body

    def write_index(self, location: str, content_hash: str, files: List[list], extra: str = "") -> bool:
        """Record that ``location`` loads to ``content_hash`` from ``files``
        (``[location, stat stamp, sha256]`` each; the stamp is ``None`` for
        URLs).  The entry of the content it pointed at before, if any, is
        removed: it is stale for this location."""
        path = self.index_path(location, extra)
        old = self.read_index(location, extra)
        ok = self._write(path, "loc", self.index_key(location, extra), {"location": location},
                         {"content_hash": content_hash, "files": files})
        if ok and old is not None and old["content_hash"] != content_hash:
            try:
                os.unlink(self.entry_path(old["content_hash"]))
            except OSError:
                pass
        if ok:
            self._evict(max_bytes())
        return ok

    def clear(self) -> int:
        """Remove every cache file; returns how many."""
        n = 0
        for name in self._names():
            if _is_entry(name) or name.startswith(".tmp-"):
                try:
                    os.unlink(self.directory / name)
                    n += 1
                except OSError:
                    pass
        return n

    # ------------------------------------------------------------ files
    def _names(self) -> list:
        """The names in the cache directory (none when it cannot be read)."""
        try:
            return os.listdir(self.directory)
        except OSError:
            return []

    def _read(self, path: Path, kind: str, key: str):
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(path, flags)
        except OSError:
            return None
        try:
            st = os.fstat(fd)
            if not _trusted(st, want_dir=False):
                log.warning("spec cache: ignoring %s: not owned by this user or writable by "
                            "group/others (mode %o)", path, stat.S_IMODE(st.st_mode))
                return None
            with os.fdopen(fd, "rb") as f:
                fd = -1
                raw = f.read()
                try:
                    os.utime(f.fileno())     # recently used: pruned last
                except (OSError, NotImplementedError, TypeError):
                    pass
        except OSError as e:
            log.debug("spec cache: cannot read %s: %s", path, e)
            return None
        finally:
            if fd >= 0:
                os.close(fd)
        nl = raw.find(b"\n")
        try:
            header = json.loads(raw[:nl]) if nl > 0 else None
        except ValueError:
            header = None
        if (not isinstance(header, dict) or header.get("magic") != MAGIC
                or header.get("format") != CACHE_FORMAT or header.get("kind") != kind
                or header.get("key") != key):
            log.debug("spec cache: %s has a missing or mismatched header; ignoring it", path)
            return None
        body = memoryview(raw)[nl + 1:]
        if len(body) != header.get("body_length") or hashlib.sha256(body).hexdigest() != header.get("body_sha256"):
            log.debug("spec cache: %s is truncated or corrupted; ignoring it", path)
            return None
        try:
            return header, json.loads(bytes(body))
        except ValueError:
            log.debug("spec cache: %s does not hold JSON; ignoring it", path)
            return None

    def _write(self, path: Path, kind: str, key: str, header: Dict[str, Any], body: Any) -> bool:
        try:
            data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        except (TypeError, ValueError) as e:   # not JSON (a YAML !!set, a self-containing alias)
            log.debug("spec cache: cannot store %s as JSON: %s", path.name, e)
            return False
        if len(data) > max_bytes():
            log.debug("spec cache: %s would be %d bytes, more than the cache may hold; not written",
                      path.name, len(data))
            return False
        head = dict(header, magic=MAGIC, format=CACHE_FORMAT, kind=kind, key=key, fingerprint=fingerprint(),
                    body_length=len(data), body_sha256=hashlib.sha256(data).hexdigest())
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=self.directory)
            with os.fdopen(fd, "wb") as f:
                f.write(json.dumps(head, ensure_ascii=True, separators=(",", ":")).encode("ascii"))
                f.write(b"\n")
                f.write(data)
            os.replace(tmp, path)
            tmp = None
            return True
        except OSError as e:
            log.debug("spec cache: cannot write %s: %s", path, e)
            return False
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass


def _is_entry(name: str) -> bool:
    """Whether ``name`` is a cache file this module writes (not a temporary one)."""
    return name.startswith(("spec-", "loc-", "doc-")) and name.endswith(".json")
