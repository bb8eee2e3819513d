"""Schemas prepared for openapi-core's validators: local ``$ref``\\ s resolved
ahead of time and annotations left out.

openapi-core's validators (jsonschema underneath) follow a ``$ref`` by
looking the pointer up in a ``referencing`` registry and descending into what
it finds, on every call, and they visit every keyword of every schema they
descend into, ``description``, ``title`` and ``x-`` extensions included.  For
a small chat request that was about a third of the time spent validating it.

:func:`prepare` gives a validator built by openapi-core's factory (its class,
format checker and discriminator handling unchanged: they still decide what is
valid) a copy of its schema in which

* a ``$ref`` standing alone (or next to annotations only) is replaced by the
  schema it points at, itself prepared the same way; a ``$ref`` that would
  make the schema contain itself stays a ``$ref``, as does one beside
  keywords that validate, or one into a schema with ``$id``/``$anchor``;
* annotations (``description``, ``title``, ``example(s)``, ``default``,
  ``deprecated``, ``externalDocs``, ``xml``, ``$comment``, ``x-*``), which no
  validator of either dialect acts on, are dropped.

Prepared schemas are shared: each schema of the document is prepared once per
:class:`~openapi_dyn.Spec` (keyed by the identity of the original node)
and reused by every operation that reaches it; nodes that need no change are
the document's own objects, never copies.  The ``$ref``\\ s that remain (cycles,
and the ones a discriminator builds from ``mapping``) are looked up in the
root the validator is built on, the prepared schema with the document's
top-level members beside it, whose ``#/components/schemas/...`` are the
prepared schemas too, prepared on first lookup (:meth:`Preparer.rooted`:
jsonschema's public constructor, no private resolver handed over).  The
document itself is never changed.

Set :data:`ENABLED` to false to validate against the document as it is.
"""
from __future__ import annotations

import threading
from typing import Any, Dict, Optional

from .._spec.pointer import target
from .._spec.walk import map_subschemas

#: Prepare schemas (the default).  Tests turn it off to compare the results.
ENABLED = True

#: Keywords that only annotate: no validator of the OpenAPI 3.0 or 3.1/3.2
#: dialects acts on them (openapi-core maps some to a no-op, which still costs
#: a call per schema visited).  ``readOnly``/``writeOnly``/``nullable`` act, and
#: stay.
ANNOTATIONS = frozenset({"description", "title", "example", "examples", "default", "deprecated",
                         "$comment", "externalDocs", "xml"})
#: Keywords that change the base URI or dialect: a schema holding one is left
#: exactly as it is, and a ``$ref`` into it is kept.
_SCOPE = ("$id", "$anchor", "$dynamicAnchor", "$schema", "id")


def _annotation(key: str) -> bool:
    return key in ANNOTATIONS or key.startswith("x-")


class Preparer:
    """Prepares the schemas of one document (see the module text); safe to
    share between threads."""

    def __init__(self, document: Dict[str, Any]):
        self.document = document
        self._memo: Dict[int, Any] = {}
        self._active: set = set()
        self._lock = threading.RLock()
        self._members: Optional[Dict[str, Any]] = None

    def schema(self, node: Any) -> Any:
        """The prepared form of the schema ``node`` (a node of the document)."""
        if not isinstance(node, dict):
            return node
        with self._lock:
            return self._prepare(node)

    def _prepare(self, node: Dict[str, Any]) -> Any:
        key = id(node)
        done = self._memo.get(key)
        if done is not None:
            return done
        if key in self._active:        # a cycle: the caller keeps its $ref
            return node
        self._active.add(key)
        try:
            out = self._build(node)
        finally:
            self._active.discard(key)
        self._memo[key] = out
        return out

    def _build(self, node: Dict[str, Any]) -> Any:
        ref = node.get("$ref")
        if ref is not None and all(k == "$ref" or _annotation(k) for k in node):
            target = self._target(ref)
            if (isinstance(target, dict) and id(target) not in self._active
                    and not any(k in target for k in _SCOPE)):
                return self._prepare(target)
        if any(k in node for k in _SCOPE):
            return node
        changes = map_subschemas(node, self._prepare)
        if not changes and not any(_annotation(k) for k in node):
            return node
        out = {k: v for k, v in node.items() if not _annotation(k)}
        out.update(changes)
        return out

    def _target(self, ref: Any) -> Any:
        return target(self.document, ref) if ref != "#" else None     # "#": the document, not a schema

    def rooted(self, schema: Any, keywords) -> Any:
        """``schema`` (prepared) as the root a validator is built on: its own
        members and, beside them, the document's top-level members
        (``components``, ``paths``, ...), so that a local ``$ref`` left in it
        (``#/components/schemas/Pet``, a discriminator's mapping) resolves
        where it does in the document, the prepared schemas standing in
        ``components/schemas``.  A validator takes this root through its
        public constructor; no resolver needs to be handed to it.  ``None``
        when that cannot be done without changing what ``schema`` says: it
        sets its own base URI or dialect, or uses a name the document uses
        at its top (or ``keywords``, the validator's, holds one).
        """
        if not isinstance(schema, dict) or any(k in schema for k in _SCOPE):
            return None
        members = self._document_members()
        if any(k in schema or k in keywords for k in members):
            return None
        out = dict(schema)
        out.update(members)
        return out

    def _document_members(self) -> Dict[str, Any]:
        """The document's top-level members, ``components/schemas`` standing
        for the prepared schemas (made once)."""
        with self._lock:
            if self._members is None:
                members = dict(self.document)
                components = members.get("components")
                if isinstance(components, dict) and isinstance(components.get("schemas"), dict):
                    members["components"] = dict(components)
                    members["components"]["schemas"] = _PreparedSchemas(components["schemas"], self)
                self._members = members
            return self._members

    def resolver(self):
        """A ``referencing`` resolver over the document in which
        ``#/components/schemas/<name>`` are the prepared schemas (what a
        ``$ref`` left in a prepared schema finds)."""
        from referencing import Registry
        from referencing.jsonschema import DRAFT202012

        root = DRAFT202012.create_resource(self._document_members())
        return Registry().with_resource("", root).resolver(base_uri="")


class _PreparedSchemas(dict):
    """``components/schemas`` as the resolver sees it: each prepared on first
    lookup (a resolver only ever asks for one name at a time)."""

    def __init__(self, source: Dict[str, Any], preparer: Preparer):
        super().__init__()
        self._source = source
        self._preparer = preparer

    def __missing__(self, name: str) -> Any:
        value = self._preparer.schema(self._source[name])
        self[name] = value
        return value


def preparer_for(spec) -> Preparer:
    """The :class:`Preparer` of ``spec`` (one per spec, made on first use)."""
    p = spec.__dict__.get("_preparer")
    if p is None:
        p = spec.__dict__.setdefault("_preparer", Preparer(spec.document))
    return p


def prepare(spec, validator, node: Any):
    """``validator`` (an openapi-core ``SchemaValidator`` made by a factory for
    ``node``, a schema of ``spec.document``) checking the prepared form of
    ``node`` instead; ``validator`` itself when preparing is off or fails."""
    if not ENABLED or not isinstance(node, dict):
        return validator
    try:
        from openapi_core.validation.schemas.validators import SchemaValidator

        preparer = preparer_for(spec)
        inner = validator.validator
        root = preparer.rooted(preparer.schema(node), inner.VALIDATORS)
        if root is None:
            return validator
        # the class openapi-core chose, built anew the public way: the same
        # format checker, references resolved in ``root``
        return SchemaValidator(validator.schema, type(inner)(root, format_checker=inner.format_checker))
    except Exception:  # pragma: no cover - any surprise: validate the plain way
        return validator
