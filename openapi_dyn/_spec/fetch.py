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


#: host names of cloud metadata services (their addresses are link-local too)
_METADATA_HOSTS = frozenset(("metadata.google.internal", "metadata", "instance-data", "metadata.azure.internal"))


def _addresses(host: str) -> List[Any]:
    """The IP addresses ``host`` is, or resolves to (none when it does not
    resolve: fetching it will say so)."""
    import ipaddress
    import socket

    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return []
    out = []
    for info in infos:
        try:
            out.append(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]))
        except ValueError:
            continue
    return out


def ref_url_problem(url: str, root: Optional[str]) -> Optional[str]:
    """Why a ``$ref`` of the spec read from ``root`` may not fetch ``url``,
    or None.  Never a cloud metadata service (a link-local address, or one of
    their names): its answer holds credentials a spec must not copy into
    tool descriptions or the reference.  From a spec on a public host, never
    this machine or a private network: a spec someone publishes must not
    read what only the reader can reach.  The spec's own host is always
    allowed; a spec read from a file or from a private address may refer to
    private addresses (a company's internal schemas)."""
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    root_host = (urlsplit(root).hostname or "").lower() if root and is_url(root) else None
    if host and host == root_host:
        return None
    if host in _METADATA_HOSTS:
        return f"{host} is a cloud metadata service"
    addresses = _addresses(host) if host else []
    for address in addresses:
        if address.is_link_local or (address.version == 6 and address.ipv4_mapped is not None
                                     and address.ipv4_mapped.is_link_local):
            return f"{host} is a link-local address (a cloud metadata service)"
    if root_host is not None:
        root_public = any(a.is_global for a in _addresses(root_host))
        if root_public and any(not a.is_global for a in addresses):
            return f"{host} is on this machine or a private network, and the spec is from a public host"
    return None


class Reader:
    """Reads each file or URL once; remembers bytes, stat and hash, and
    failures (a URL that timed out is not asked twice)."""

    def __init__(self) -> None:
        self.data: Dict[str, Any] = {}                       # loc -> bytes or Unresolved
        self.stamp: Dict[str, Optional[List[int]]] = {}
        self._session = None
        self.fetched = 0                                     # remote documents asked for
        #: the spec's own location: every other URL is a $ref target, checked
        #: with :func:`ref_url_problem` before it is asked for and after redirects
        self.root: Optional[str] = None

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
                if st.st_size > limit:
                    raise SpecError(f"the file is larger than {limit} bytes (openapi_dyn.limits.MAX_LOCAL_BYTES)",
                                    loc)
                # read(n) sets n bytes aside first: ask for what the file holds
                # (and a byte more, to see it did not grow since the stat)
                got = f.read(st.st_size + 1)
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
        guarded = self.root is not None and url != self.root
        hooks = {}
        if guarded:
            problem = ref_url_problem(url, self.root)
            if problem:
                raise Unresolved(f"not fetched: {problem}")

            def check_redirect(response, *args, **kwargs):
                # called for each answer before requests follows its Location
                if response.is_redirect:
                    from urllib.parse import urljoin

                    target = urljoin(response.url, response.headers.get("Location") or "")
                    why = ref_url_problem(target, self.root)
                    if why:
                        response.close()
                        raise Unresolved(f"not fetched: {url} redirects to {target}, and {why}")
                return response
            hooks = {"response": check_redirect}
        self.fetched += 1
        if self.fetched > _limits.MAX_REMOTE_DOCUMENTS:
            raise SpecError(f"more than {_limits.MAX_REMOTE_DOCUMENTS} remote documents for one spec "
                            f"(openapi_dyn.limits.MAX_REMOTE_DOCUMENTS)", url)
        if self._session is None:
            self._session = requests.Session()
            self._session.max_redirects = _limits.MAX_REDIRECTS
        limit, deadline = _limits.MAX_REMOTE_BYTES, time.monotonic() + _limits.REMOTE_DEADLINE
        try:
            with self._session.get(url, timeout=URL_TIMEOUT, stream=True, hooks=hooks,
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
