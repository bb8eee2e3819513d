"""Answers' records told their schema: after decoding, each JSON object of
an answer learns which properties its schema declares (see
:class:`~openapi_dyn._answer.records.Record`), so ``msg.tool_calls`` is ``None``
when the answer left the optional field out, and a misspelt name is refused
with the schema's closest names.

The walk follows the data, not the schema: it visits only the objects the
answer holds, and works out each schema's shape (declared names, the schema
of each property, of array items, of further keys) once per schema.
``oneOf``/``anyOf`` alternatives count together: a name any alternative
declares is declared.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from .._spec.operation import find_media
from .records import Record, declared_type

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
        shape.record_type = declared_type(frozenset(declared))
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
        _walk(data, shape, 0)
    return data


def _walk(data: Any, shape: _Shape, depth: int) -> None:
    if depth > _DEPTH:
        return
    if isinstance(data, Record):
        if shape.record_type is not None and type(data) is Record:
            # Record.__setattr__ writes keys: switch the class underneath it
            object.__setattr__(data, "__class__", shape.record_type)
        for key, value in data.items():
            if isinstance(value, (Record, list)):
                kid = shape.child(key)
                if kid is not None:
                    _walk(value, kid, depth + 1)
    elif isinstance(data, list):
        kid = shape.child(None)
        if kid is not None:
            for value in data:
                if isinstance(value, (Record, list)):
                    _walk(value, kid, depth + 1)


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
