"""JSON answers with attribute access that are still plain data.

Users of the official SDKs write ``reply.choices[0].message.content``; users
of plain JSON write ``reply["choices"][0]["message"]["content"]``.  A
:class:`Record` is a ``dict`` (equal to one, ``json.dumps``-able, picklable,
shown as a dict) whose keys are also attributes, so both work on the same
object.  Keys that are not identifiers, or that a dict method already owns
(``items``, ``keys``, ``copy``...), stay reachable by ``[]``.

:func:`loads` decodes JSON text into records (objects nested in lists too);
``Client(attribute_access=False)`` gives plain dicts instead.
"""
from __future__ import annotations

import difflib
import json
from typing import Any, FrozenSet, Optional

__all__ = ["Record", "loads", "to_plain"]


class Record(dict):
    """A JSON object: a ``dict`` whose keys are also readable (and settable)
    as attributes.  A missing attribute raises ``AttributeError`` naming the
    keys that are there.

    A record that knows its schema (an answer decoded by the client, see
    :func:`with_schema`) reads a property the schema declares but the answer
    left out as ``None``, as the vendors' SDK models do, and names the
    schema's closest properties for a name it does not declare."""

    __slots__ = ()

    #: the property names of this object's schema, or None when unknown
    _declared: Optional[FrozenSet[str]] = None

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            if name.startswith("__"):
                raise AttributeError(name) from None
            declared = type(self)._declared
            if declared is not None:
                if name in declared:
                    return None
                names = sorted(declared | {k for k in self if isinstance(k, str)})
                close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
                parts = [f"{name!r} is not a property of this object's schema"]
                if close:
                    parts.append(f"did you mean {' or '.join(repr(c) for c in close)}?")
                listed = ", ".join(repr(n) for n in names[:12]) + (", ..." if len(names) > 12 else "")
                parts.append(f"properties: {listed or 'none'}")
                raise AttributeError("; ".join(parts)) from None
            keys = ", ".join(repr(k) for k in list(self)[:12])
            raise AttributeError(f"no key {name!r} in this object (keys: {keys or 'none'})") from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __dir__(self):
        names = set(type(self)._declared or ()) | {k for k in self if isinstance(k, str)}
        return sorted(set(dir(dict)) | {k for k in names if k.isidentifier()})

    def __reduce__(self):
        # picklable without this module's class needing a __dict__
        return (Record, (dict(self),))

    def __repr__(self) -> str:
        return dict.__repr__(self)


#: one decoder for every answer (``json.loads(..., object_hook=)`` builds a new one per call)
_RECORD_DECODER = json.JSONDecoder(object_hook=Record)


def loads(text: Any, attribute_access: bool = True) -> Any:
    """``json.loads`` giving :class:`Record` objects (or plain dicts)."""
    if attribute_access:
        if isinstance(text, (bytes, bytearray)):
            text = text.decode(json.detect_encoding(text), "surrogatepass")
        return _RECORD_DECODER.decode(text)
    return json.loads(text)


def to_plain(value: Any) -> Any:
    """``value`` with every :class:`Record` turned back into a plain ``dict``."""
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    return value
