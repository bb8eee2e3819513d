"""Bundling: a document whose ``$ref``\\ s reach into other files (relative to
the file holding the ``$ref``, over http(s) too) made into one self-contained
document whose every ``$ref`` is local.

Every ``$ref`` is resolved once.  Targets in other files are moved into
``components/<kind>/<name>`` and the ``$ref`` rewritten to point there; path
items, operations and anything outside a component kind are inlined in place.
What kind of object a ``$ref`` stands for comes from the table of
:mod:`.walk`.  A ``$ref`` that resolves nowhere is a :class:`SpecError`
naming the file and JSON pointer of the ``$ref``, except inside ``x-``
extensions, where it is renamed ``x-unresolved-$ref`` (vendor specs ship such
links to example files they do not ship).  Files are read through
:mod:`.fetch` and parsed by :mod:`.parse`.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import unquote, urljoin, urlsplit

from .._errors import SpecError
from .fetch import Reader, Unresolved, abspath, is_url, url2pathname
from .parse import DICT_ORIGIN, parse_text
from .pointer import chain_of, chain_tokens, fragment_of, join, to_fragment
from .pointer import tokens as pointer_tokens
from .walk import COMPONENT_SECTIONS, LITERAL, TYPES

log = logging.getLogger("openapi_dyn._spec.load")

__all__ = ["Bundler", "content_hash"]

_MAX_HOPS = 64                  # chained $refs followed before calling it a cycle

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


def _file_stem(loc: str) -> str:
    path = urlsplit(loc).path if is_url(loc) else loc
    base = os.path.basename(path.rstrip("/")) or "ref"
    return os.path.splitext(base)[0] or base


#: system trees a $ref never reads (process environments, devices)
_SYSTEM_TREES = ("/proc", "/sys", "/dev")


def _allowed(base: str, target: str) -> str:
    """``target``, the local file a ``$ref`` written in ``base`` reaches, if
    a spec may read it: not in a hidden file or directory (``.ssh``,
    ``.aws``, ``.env``) that ``base`` is not itself in, nor under
    ``/proc``, ``/sys`` or ``/dev`` (see :mod:`.limits`)."""
    own = set() if base == DICT_ORIGIN else set(os.path.realpath(base).split(os.sep)[:-1]) | set(
        os.path.abspath(base).split(os.sep)[:-1])
    # as written and where symbolic links lead: a link shipped with a spec is no way around it
    for absolute in {os.path.abspath(target), os.path.realpath(target)}:
        for tree in _SYSTEM_TREES:
            if absolute == tree or absolute.startswith(tree + os.sep):
                raise Unresolved(f"it reaches into {tree}, which a spec is not allowed to read")
        for part in absolute.split(os.sep):
            if part.startswith(".") and part not in (".", "..") and part not in own:
                raise Unresolved(f"it reaches into the hidden file or directory {part!r}, which a spec is not "
                                  f"allowed to read")
    return target


class Bundler:
    """Resolves every $ref of a document once and makes them all local."""

    def __init__(self, root: dict, root_loc: str, origin: str, reader: Reader):
        self.root = root
        self.root_loc = root_loc
        self.origin = origin
        self.reader = reader
        reader.root = root_loc          # every other URL read is a $ref target, checked as one
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
        #: applied to each other file as it is parsed (another format's front end, see .load)
        self.convert: Optional[Callable[[Any, str], Any]] = None

    # --------------------------------------------------------- places
    def display(self, loc: str) -> str:
        return self.origin if loc == self.root_loc else loc

    def where(self, loc: str, chain) -> str:
        return f"{self.display(loc)}#{fragment_of(chain_tokens(chain))}"

    def doc(self, loc: str) -> Any:
        got = self.docs.get(loc, self)
        if got is not self:
            return got
        data = self.reader.read(loc)
        self.externals.append(loc)
        ext = os.path.splitext(urlsplit(loc).path if is_url(loc) else loc)[1].lower()
        if ext in _STRUCTURED_EXT:
            got = parse_text(data, loc)
            if self.convert is not None:
                got = self.convert(got, loc)
        else:
            try:
                got = data.decode("utf-8")
            except UnicodeDecodeError:
                raise Unresolved(f"{loc} is neither YAML/JSON nor UTF-8 text") from None
        self.docs[loc] = got
        return got

    def join(self, base: str, ref_file: str) -> str:
        if is_url(ref_file):
            return ref_file
        if is_url(base):
            url = urljoin(base, ref_file)
            if not is_url(url):
                raise Unresolved("a spec fetched from a URL cannot refer to local files")
            return url
        if ref_file.lower().startswith("file:"):
            return _allowed(base, abspath(url2pathname(urlsplit(ref_file).path)))
        path = unquote(ref_file)
        if base == DICT_ORIGIN:
            if os.path.isabs(path):
                return _allowed(base, os.path.normpath(path))
            raise Unresolved("a relative reference in a spec given as a dict has nothing to be "
                              "relative to; load the spec from its file or URL instead")
        return _allowed(base, os.path.normpath(os.path.join(os.path.dirname(base), path)))

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
            raise Unresolved(f"the fragment #{unquote(frag)} is not a JSON pointer") from None
        got = self.walkfragment_of(loc, toks, depth)
        self._ref_cache[key] = got
        return got

    def walkfragment_of(self, loc: str, tokens: List[str], depth: int) -> Tuple[str, tuple, Any]:
        if depth > _MAX_HOPS:
            raise Unresolved("too many chained $refs (a cycle of references?)")
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
                        return self.walkfragment_of(l2, list(t2) + tokens[i:], depth + 1)
                    raise Unresolved(f"{self.display(cur_loc)}#{fragment_of(cur)} has no {tok!r}")
            elif type(node) is list:
                if not tok.isdigit() or int(tok) >= len(node):
                    raise Unresolved(f"{self.display(cur_loc)}#{fragment_of(cur)} has no item {tok!r}")
                node = node[int(tok)]
            else:
                raise Unresolved(f"{self.display(cur_loc)}#{fragment_of(cur)} is a "
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
            is_dict = type(obj) is dict
            if children:
                # a dict's values are of the types its type's fields say; a
                # list's items are of the list's type
                if is_dict:
                    fields, default, xkeys = types[typ]
                for k, v in (obj.items() if is_dict else enumerate(obj)):
                    tv = type(v)
                    if tv is not dict and tv is not list:
                        continue
                    if is_dict:
                        ct = fields.get(k)
                        if ct is None:
                            ct = "ext" if xkeys and k[:2] == "x-" else default
                    else:
                        ct = typ
                    oid = id(v)
                    if oid not in walked:
                        walked.add(oid)
                        stack.append((v, loc, ct, (chain, k), obj, k, 0, True))
                    else:
                        self.repeats.append(v)
                if typ == "discriminator" and is_dict:
                    self.mapping(obj, loc, chain)
            if is_dict:
                ref = obj.get("$ref")
                if type(ref) is str:
                    self.handle_ref(obj, ref, loc, typ, chain, parent, key, hops)

    def handle_ref(self, obj, ref, loc, typ, chain, parent, key, hops) -> None:
        base = self.root_loc if id(obj) in self.rewritten else loc
        if typ == _LIT and ref.startswith("#"):
            return          # literal data; only a reference to another file is taken as one
        try:
            tloc, ttoks, target = self.resolve(base, ref)
        except (Unresolved, SpecError) as e:
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
        if (typ in _KIND or typ == "pathItem") and type(target) is not dict and \
                not (type(target) is bool and typ == "schema"):
            raise SpecError(f"$ref {ref!r} leads to a {type(target).__name__}, not an object this place "
                            f"can hold", self.where(loc, chain))
        if tloc == self.root_loc:
            new = "#" + fragment_of(ttoks)
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
            self.push(new, tloc, typ, chain_of(ttoks), parent, key, hops + 1, force=True)

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
            self.push(target, tloc, typ, chain_of(ttoks), section, name)
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
            except (Unresolved, SpecError) as e:      # left for the repair step to judge
                log.debug("discriminator mapping %r at %s does not resolve: %s", value, self.where(loc, chain), e)
                continue
            if tloc == self.root_loc:
                m[name] = "#" + fragment_of(ttoks)
            else:
                m[name] = self.hoist("schemas", "schema", tloc, ttoks, target)

    # --------------------------------------------------------- result
    def files(self) -> List[list]:
        """[location, stat stamp or None, sha256] of every file read, root
        first (the root only when it is a file or URL)."""
        locs = ([] if self.root_loc == DICT_ORIGIN else [self.root_loc]) + self.externals
        return [[loc, self.reader.stamp.get(loc), self.reader.sha(loc)] for loc in locs]


def content_hash(root_sha: str, root_loc: str, files: List[list]) -> str:
    """sha256 of the root; for a multi-file spec, of the root's hash and each
    other file's (relative) name and hash."""
    ext = [f for f in files if f[0] != root_loc]
    if not ext:
        return root_sha
    h = hashlib.sha256(root_sha.encode())
    root_dir = os.path.dirname(root_loc) if not is_url(root_loc) and root_loc != DICT_ORIGIN else None
    rows = []
    for loc, _stamp, sha in ext:
        name = loc
        if root_dir is not None and not is_url(loc):
            name = os.path.relpath(loc, root_dir).replace(os.sep, "/")
        rows.append(f"{name}\t{sha}")
    for row in sorted(rows):
        h.update(b"\n" + row.encode("utf-8"))
    return h.hexdigest()
