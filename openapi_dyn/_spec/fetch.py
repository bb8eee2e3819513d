"""Reading the files and URLs a spec is made of, each once, within limits.

Loading and bundling ask for a location's bytes; this module knows how to get
them (a local file, or an http(s) URL with the size, deadline, redirect and
document-count limits of :mod:`.limits`), remembers what it read (bytes,
stat stamp, sha256) so that the cache can tell later whether anything
changed, and remembers failures (a URL that timed out is not asked twice).
"""
from __future__ import annotations

import hashlib
import os
import stat
import time
from typing import Any, Dict, List, Optional

from .._errors import SpecError, _Unresolved as Unresolved
from . import limits as _limits

__all__ = ["Reader", "Unresolved", "URL_TIMEOUT", "abspath", "is_url", "stamp", "url2pathname"]

URL_TIMEOUT = (10, 60)          # connect, read (seconds)


def is_url(s: str) -> bool:
    return s[:8].lower().startswith(("http://", "https://"))


def url2pathname(path: str) -> str:
    from urllib.request import url2pathname as conv   # urllib.request is slow to import
    return conv(path)


def abspath(p: str) -> str:
    return os.path.normpath(os.path.abspath(os.path.expanduser(p)))


def stamp(st: os.stat_result) -> List[int]:
    """What tells a file changed without reading it (ctime too: tools that
    restore mtimes cannot restore it)."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


class Reader:
    """Reads each file or URL once; remembers bytes, stat and hash, and
    failures (a URL that timed out is not asked twice)."""

    def __init__(self) -> None:
        self.data: Dict[str, Any] = {}                       # loc -> bytes or Unresolved
        self.stamp: Dict[str, Optional[List[int]]] = {}
        self._session = None
        self.fetched = 0                                     # remote documents asked for

    def read(self, loc: str) -> bytes:
        """Bytes of ``loc``; raises Unresolved (not found, HTTP error)."""
        got = self.data.get(loc)
        if got is None:
            try:
                got = self._read(loc)
            except Unresolved as e:
                got = e
            self.data[loc] = got
        if isinstance(got, Unresolved):
            raise Unresolved(*got.args)
        return got

    def _read(self, loc: str) -> bytes:
        if is_url(loc):
            self.stamp[loc] = None
            return self._fetch(loc)
        try:
            # O_NONBLOCK: opening a named pipe must not wait for a writer
            fd = os.open(loc, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            with open(fd, "rb") as f:
                st = os.fstat(f.fileno())
                if not stat.S_ISREG(st.st_mode):
                    if stat.S_ISDIR(st.st_mode):
                        raise IsADirectoryError(loc)
                    raise Unresolved(f"{loc} is not a regular file (a device, pipe or socket): not read")
                limit = _limits.MAX_LOCAL_BYTES
                got = f.read(limit + 1)
                if len(got) > limit:
                    raise SpecError(f"the file is larger than {limit} bytes (openapi_dyn.limits.MAX_LOCAL_BYTES)",
                                    loc)
        except FileNotFoundError:
            raise Unresolved(f"file not found: {loc}") from None
        except IsADirectoryError:
            raise Unresolved(f"{loc} is a directory, not a file") from None
        except OSError as e:
            raise Unresolved(f"cannot read {loc}: {e.strerror or e}") from None
        self.stamp[loc] = stamp(st)
        return got

    def sha(self, loc: str) -> str:
        return hashlib.sha256(self.read(loc)).hexdigest()

    def _fetch(self, url: str) -> bytes:
        """The body at ``url``, within the limits of :mod:`.limits`: http(s)
        only, redirects included; a size, a deadline, a number of documents."""
        import requests
        if not is_url(url):
            raise Unresolved(f"cannot fetch {url}: only http and https URLs are read")
        self.fetched += 1
        if self.fetched > _limits.MAX_REMOTE_DOCUMENTS:
            raise SpecError(f"more than {_limits.MAX_REMOTE_DOCUMENTS} remote documents for one spec "
                            f"(openapi_dyn.limits.MAX_REMOTE_DOCUMENTS)", url)
        if self._session is None:
            self._session = requests.Session()
            self._session.max_redirects = _limits.MAX_REDIRECTS
        limit, deadline = _limits.MAX_REMOTE_BYTES, time.monotonic() + _limits.REMOTE_DEADLINE
        try:
            with self._session.get(url, timeout=URL_TIMEOUT, stream=True,
                                   headers={"Accept": "application/yaml, application/json;q=0.9, */*;q=0.5"}) as r:
                if r.status_code >= 400:
                    raise Unresolved(f"cannot fetch {url}: HTTP {r.status_code} {r.reason or ''}".rstrip())
                if not is_url(r.url):
                    raise Unresolved(f"cannot fetch {url}: redirected to a URL that is not http(s)")
                declared = r.headers.get("Content-Length", "")
                if declared.strip().isdigit() and int(declared) > limit:
                    raise SpecError(f"the document is {int(declared)} bytes, more than {limit} "
                                    f"(openapi_dyn.limits.MAX_REMOTE_BYTES)", url)
                blocks, size = [], 0
                read1 = getattr(r.raw, "read1", None)   # what has arrived: the deadline is seen often
                chunks = (iter(lambda: read1(64 * 1024, decode_content=True), b"") if read1 is not None
                          else r.iter_content(64 * 1024))
                for block in chunks:
                    size += len(block)
                    if size > limit:
                        raise SpecError(f"the document is larger than {limit} bytes "
                                        f"(openapi_dyn.limits.MAX_REMOTE_BYTES)", url)
                    if time.monotonic() > deadline:
                        raise SpecError(f"the document took longer than {_limits.REMOTE_DEADLINE} s to "
                                        f"arrive (openapi_dyn.limits.REMOTE_DEADLINE)", url)
                    blocks.append(block)
                return b"".join(blocks)
        except requests.RequestException as e:
            raise Unresolved(f"cannot fetch {url}: {type(e).__name__}: {e}") from None

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
