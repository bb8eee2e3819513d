"""Answers' records told their schema: after decoding, each JSON object of
an answer learns which properties its schema declares (see
:class:`~openapi_dyn._answer.records.Record`), so ``msg.tool_calls`` is ``None``
when the answer left the optional field out, and a misspelt name is refused
with the schema's closest names.

Telling is lazy: the answer's top-level object (or the objects of a
top-level list) learns its schema when the answer is decoded, and each
nested object when it is reached through an attribute (``reply.choices``
tells the choices, ``choice.message`` the message), so an answer or an
event that is never read below its top costs nothing more to decode.  Each
schema's shape (declared names, the schema of each property, of array
items, of further keys) is worked out once.
``oneOf``/``anyOf`` alternatives count together: a name any alternative
declares is declared.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from .._spec.operation import find_media
from .records import Record

__all__ = ["apply_schema", "response_schema", "shape_of", "tell"]

_DEPTH = 64


class _Shape:
    """What an object or array schema says about the data under it; the
    shapes of its properties and items are worked out on first need."""

    __slots__ = ("record_type", "properties", "items", "additional", "schema", "spec", "_kids")

    def __init__(self, schema: Any, spec: Any):
        self.schema = schema  # kept alive: shapes are cached by its id()
        self.spec = spec
        self.record_type: Optional[type] = None
        self.properties: Dict[str, Any] = {}
        self.items: List[Any] = []
        self.additional: List[Any] = []
        self._kids: Dict[Any, Optional["_Shape"]] = {}

    def child(self, key: Any) -> Optional["_Shape"]:
        """The shape of property ``key`` (``None``: of the array's items)."""
        try:
            return self._kids[key]
        except KeyError:
            pass
        if key is None:
            sub = self.items[0] if self.items else None
        else:
            sub = self.properties.get(key)
            if sub is None and self.additional:
                sub = self.additional[0]
        kid = self._kids[key] = _shape(sub, self.spec) if sub is not None else None
        return kid


_SHAPES: Dict[int, _Shape] = {}


def _shape(schema: Any, spec: Any) -> Optional[_Shape]:
    node = spec.resolve(schema)
    if not isinstance(node, dict):
        return None
    found = _SHAPES.get(id(node))
    if found is not None and found.schema is node:
        return found
    shape = _Shape(node, spec)
    declared = set()
    has_props = False
    for part in _parts(node, spec):
        props = part.get("properties")
        if isinstance(props, dict):
            has_props = True
            for name, sub in props.items():
                declared.add(name)
                shape.properties.setdefault(name, sub)
        if isinstance(part.get("items"), dict):
            shape.items.append(part["items"])
        if isinstance(part.get("additionalProperties"), dict):
            shape.additional.append(part["additionalProperties"])
    if has_props:
        shape.record_type = _shaped_type(frozenset(declared), shape)
    if len(_SHAPES) > 50000:
        _SHAPES.clear()
    _SHAPES[id(node)] = shape
    return shape


def _parts(node: Dict[str, Any], spec: Any) -> List[Dict[str, Any]]:
    """``node`` and its ``allOf``/``oneOf``/``anyOf`` members, resolved, each once."""
    out: List[Dict[str, Any]] = []
    seen = set()
    stack: List[Tuple[Any, int]] = [(node, 0)]
    while stack:
        part, depth = stack.pop()
        part = spec.resolve(part)
        if not isinstance(part, dict) or id(part) in seen or depth > 8:
            continue
        seen.add(id(part))
        out.append(part)
        for key in ("allOf", "oneOf", "anyOf"):
            members = part.get(key)
            if isinstance(members, list):
                stack.extend((m, depth + 1) for m in reversed(members))
    return out


def apply_schema(data: Any, schema: Any, spec: Any) -> Any:
    """Tell every :class:`Record` in ``data`` the properties its part of
    ``schema`` declares (in place; ``data`` is returned)."""
    if schema is not None and isinstance(data, (Record, list)):
        tell(data, shape_of(schema, spec))
    return data


def shape_of(schema: Any, spec: Any) -> Optional[_Shape]:
    """What :func:`tell` needs of ``schema`` (kept by a caller that tells
    many answers of one schema, such as the events of a stream)."""
    return _shape(schema, spec) if schema is not None else None


def tell(data: Any, shape: Optional[_Shape]) -> Any:
    """:func:`apply_schema` with the schema's shape worked out already."""
    if shape is not None:
        _tell(data, shape, 0)
    return data


def _tell(data: Any, shape: _Shape, depth: int) -> Any:
    """``data`` told ``shape``: a record's class switched to the schema's (its
    own objects wait until an attribute reaches them); a list's records
    likewise, one level down (lists of lists all the way)."""
    if depth > _DEPTH:
        return data
    if isinstance(data, Record):
        if shape.record_type is not None and type(data) is Record:
            # Record.__setattr__ writes keys: switch the class underneath it
            object.__setattr__(data, "__class__", shape.record_type)
    elif isinstance(data, list):
        kid = shape.child(None)
        if kid is not None:
            for value in data:
                if isinstance(value, (Record, list)):
                    _tell(value, kid, depth + 1)
    return data


class _ShapedRecord(Record):
    """A record whose schema is known: what its properties hold learns its
    own schema when an attribute reaches it."""

    __slots__ = ()

    #: the shape of this object's schema
    _shape: Optional[_Shape] = None

    def __getattr__(self, name: str) -> Any:
        try:
            value = self[name]
        except KeyError:
            return Record.__getattr__(self, name)
        if type(value) is Record or type(value) is list:
            kid = type(self)._shape.child(name)  # type: ignore[union-attr]
            if kid is not None:
                if type(value) is list:
                    # told once: the told list replaces the plain one
                    value = _ToldList(value)
                    dict.__setitem__(self, name, value)
                _tell(value, kid, 0)
        return value


class _ToldList(list):
    """A list whose records know their schema (so reaching it again through
    an attribute does not tell them again).  A ``list`` in every other way."""

    __slots__ = ()

    def __reduce__(self):
        return (list, (list(self),))


_TYPES: Dict[int, type] = {}


def _shaped_type(names: frozenset, shape: _Shape) -> type:
    """The record class of ``shape``'s objects: declares ``names`` and knows
    the shape (one class per shape; it adds no storage, so a record's class
    can be switched to it in place)."""
    cls = _TYPES.get(id(shape))
    if cls is None or cls._shape is not shape:
        if len(_TYPES) > 50000:
            _TYPES.clear()
        cls = _TYPES[id(shape)] = type("Record", (_ShapedRecord,), {
            "__slots__": (), "_declared": names, "_shape": shape,
            "__module__": Record.__module__, "__qualname__": "Record"})
    return cls


def response_schema(operation: Any, status: int, media_type: str) -> Any:
    """The raw schema the spec gives for an answer of ``status`` and
    ``media_type`` (exact status, then ``2XX``, then ``default``), or None."""
    responses = operation.responses
    for key in (str(status), f"{str(status)[0]}XX", f"{str(status)[0]}xx", "default"):
        resp = responses.get(key)
        if resp is not None:
            media = find_media(resp["content"], media_type)
            return media.raw.get("schema") if media is not None else None
    return None
