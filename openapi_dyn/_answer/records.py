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

import json
from typing import Any

__all__ = ["Record", "loads", "to_plain"]


class Record(dict):
    """A JSON object: a ``dict`` whose keys are also readable (and settable)
    as attributes.  A missing attribute raises ``AttributeError`` naming the
    keys that are there."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            if name.startswith("__"):
                raise AttributeError(name) from None
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
        return sorted(set(dir(dict)) | {k for k in self if isinstance(k, str) and k.isidentifier()})

    def __reduce__(self):
        # picklable without this module's class needing a __dict__
        return (Record, (dict(self),))

    def __repr__(self) -> str:
        return dict.__repr__(self)


def loads(text: Any, attribute_access: bool = True) -> Any:
    """``json.loads`` giving :class:`Record` objects (or plain dicts)."""
    if attribute_access:
        return json.loads(text, object_hook=Record)
    return json.loads(text)


def to_plain(value: Any) -> Any:
    """``value`` with every :class:`Record` turned back into a plain ``dict``."""
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    return value
