"""Bounds on what loading a spec may cost, whoever wrote the spec.

A spec is data from elsewhere: a URL, a file a colleague sent, a vendor's
repository.  A few hundred bytes of YAML with nested aliases (a "billion
laughs") parse into a small graph of shared objects that is a billion nodes
once written out as JSON, and a ``$ref`` may point at an endless download.
The limits here are checked before anything is written to the cache and
before the repair step walks the document:

* :data:`MAX_EXPANSION` and :data:`MAX_NODES`: the document, with every
  shared object (YAML alias, ``$ref`` inlined in several places) counted once
  per place, may have at most ``MAX_EXPANSION`` times the nodes of the
  document as parsed (and never fewer than :data:`MIN_EXPANSION_BUDGET`), and
  at most ``MAX_NODES`` in all;
* :data:`MAX_DEPTH`: containers nested at most that deep (the deepest real
  spec we know nests 21 levels);
* a document that contains itself (a YAML alias to its own ancestor) is
  refused;
* remote documents (the spec and each remote ``$ref`` target): only
  ``http``/``https``, at most :data:`MAX_REMOTE_BYTES` each (after
  decompression), :data:`REMOTE_DEADLINE` seconds each from the request to
  the last byte, :data:`MAX_REMOTE_DOCUMENTS` per load and
  :data:`MAX_REDIRECTS` redirects each;
* local files (the spec and each ``$ref`` target): regular files only (not
  ``/dev/zero``, a pipe or a socket), at most :data:`MAX_LOCAL_BYTES` each;
  a ``$ref`` may not reach into a hidden file or directory (``.ssh``,
  ``.aws``, ``.env``) the file holding it is not itself in, nor into
  ``/proc``, ``/sys`` or ``/dev``: a spec someone else wrote must not copy
  credentials into tool descriptions or the reference.

Each is a module attribute, so an application that needs more can raise it.
"""
from __future__ import annotations

from typing import Any, List, Tuple

from .._errors import SpecError

MAX_EXPANSION = 100
MIN_EXPANSION_BUDGET = 1_000_000
MAX_NODES = 50_000_000
MAX_DEPTH = 200

MAX_REMOTE_BYTES = 64 * 1024 * 1024
REMOTE_DEADLINE = 120.0
MAX_REMOTE_DOCUMENTS = 500
MAX_REDIRECTS = 5

MAX_LOCAL_BYTES = 256 * 1024 * 1024


def measure(doc: Any, where: str) -> Tuple[int, int, int]:
    """``(nodes as written out, nodes as held in memory, depth)`` of a
    document of dicts and lists that may share objects; raises
    :class:`SpecError` when it contains itself or breaks a limit of this
    module.  Every shared object is walked once (the graph, not its
    expansion), so this costs what the parsed document holds."""
    memo: dict = {}
    unique = _sizes(doc, memo, where)
    if type(doc) is not dict and type(doc) is not list:
        return 1, 1, 0
    size, height = memo[id(doc)]
    return size, unique, height


def check_shared(doc: Any, repeats: List[Any], where: str) -> None:
    """The cheap form of :func:`measure` for a document in which the objects
    of ``repeats`` appear once more each time they are listed (what the
    bundler saw): only their subtrees are walked.  When the nodes they add
    stay within :data:`MIN_EXPANSION_BUDGET`, that is all; otherwise the
    whole document is measured against its own size."""
    memo: dict = {}
    extra = 0
    for obj in repeats:
        if type(obj) is dict or type(obj) is list:
            if id(obj) not in memo:
                _sizes(obj, memo, where)
            extra += memo[id(obj)][0]
            if extra > MIN_EXPANSION_BUDGET:
                measure(doc, where)
                return


def _sizes(doc: Any, memo: dict, where: str) -> int:
    """Fill ``memo`` (id -> (expanded size, height)) for ``doc`` and what it
    holds; returns how many containers were walked."""
    active: set = set()       # ids on the path from the root to the object being expanded
    stack = [(doc, False)]
    unique = 0
    while stack:
        obj, done = stack.pop()
        oid = id(obj)
        if done:
            size, height = 1, 0
            for c in (obj.values() if type(obj) is dict else obj):
                tc = type(c)
                if tc is dict or tc is list:
                    s, h = memo[id(c)]
                    size += s
                    if h > height:
                        height = h
                else:
                    size += 1
            height += 1
            memo[oid] = (size, height)
            active.discard(oid)
            _check(size, unique, height, where)
            continue
        if oid in memo:
            continue
        unique += 1
        active.add(oid)
        stack.append((obj, True))
        for c in (obj.values() if type(obj) is dict else obj):
            tc = type(c)
            if tc is dict or tc is list:
                cid = id(c)
                if cid in active:
                    raise SpecError("the document contains itself (a YAML alias or reference to one of "
                                    "its own ancestors); it cannot be written out", where)
                if cid not in memo:
                    stack.append((c, False))
    return unique


def _check(size: int, unique: int, height: int, where: str) -> None:
    if height > MAX_DEPTH:
        raise SpecError(f"the document nests more than {MAX_DEPTH} levels deep (the limit is "
                        f"openapi_dyn.limits.MAX_DEPTH)", where)
    budget = min(MAX_NODES, max(MIN_EXPANSION_BUDGET, MAX_EXPANSION * unique))
    if size > budget:
        raise SpecError(f"the document expands to more than {budget} nodes once its shared parts "
                        f"(YAML aliases, references inlined in several places) are written out: more "
                        f"than {MAX_EXPANSION} times what it holds, or more than {MAX_NODES} in all "
                        f"(openapi_dyn.limits); refused as an expansion bomb", where)
