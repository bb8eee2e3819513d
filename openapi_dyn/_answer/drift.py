"""Reading answers the way a live API sends them: documented drift is
tolerated, wrong types are not.

A spec describes an API on the day it was written; the service moves on.
Answers gain enum values the spec does not list yet (a fine-tuning job that is
``"paused"``), fields become null before the spec says they may, and fields
the spec marks required appear later than the spec claims (or never, on older
objects).  The vendors' own example answers in the OpenAI spec show all three.
Checking answers strictly against the spec would make ``validate_responses``
raise on most real traffic, so it would be turned off and help no one.

So answers are read in two passes:

1. strictly, against the (repaired) spec; an answer that passes is fine;
2. if it fails, against a *lenient* reading of the same spec, in which

   * ``required`` lists are not enforced (fields may be missing),
   * ``additionalProperties: false`` is not enforced (fields may be new),
   * a string ``enum`` of two or more values is not enforced (values may be
     new; the ``type`` still is), while one-value enums and ``const`` - the
     way alternatives are told apart (``"type": "message"``) - stay,
   * every typed schema also accepts ``null``,
   * ``oneOf`` is read as ``anyOf`` and discriminators are dropped (the
     relaxations above can make alternatives overlap).

   If the answer passes that, the strict problems are *drift*: returned
   separately (and attached to the :class:`~openapi_dyn.Response`,
   and issued as a :class:`ResponseDriftWarning`), not raised.  If it fails,
   the lenient problems are real - a string where the spec says integer, an
   object where it says array, a negative size below ``minimum`` - and are
   raised as :class:`~openapi_dyn.ResponseValidationError`.

``validate_responses="strict"`` skips the second pass: every difference from
the spec is a problem.

The lenient reading is a relaxed copy of the document, made once per spec on
the first answer that needs it; validators over it are built by the same
openapi-core machinery as every other (:mod:`._validation`).
"""
from __future__ import annotations

import copy
import threading
import weakref
from typing import Any, Dict, List

from .._errors import ResponseDriftWarning  # noqa: F401  (where drift is announced)

__all__ = ["ResponseDriftWarning", "lenient_problems"]

_JSON_TYPES = frozenset(("string", "number", "integer", "boolean", "array", "object"))
_lock = threading.Lock()
#: Spec -> its lenient reading, made once per spec (and dropped with it)
_lenient_specs: "weakref.WeakKeyDictionary[Any, _LenientSpec]" = weakref.WeakKeyDictionary()


class _LenientSpec:
    """The parts of a :class:`~openapi_dyn.Spec` a validator reads,
    over the relaxed copy of its document."""

    def __init__(self, spec):
        self.document: Dict[str, Any] = relaxed(spec.document, spec.version)
        self.version = spec.version
        self._schema_path = None

    @property
    def schema_path(self):
        if self._schema_path is None:
            from jsonschema_path import SchemaPath

            self._schema_path = SchemaPath.from_dict(self.document)
        return self._schema_path


class _LenientOperation:
    """An operation as the validator sees it, on the lenient spec."""

    def __init__(self, operation):
        self.operation_id = operation.operation_id
        spec = operation.spec
        with _lock:
            lenient = _lenient_specs.get(spec)
            if lenient is None:
                lenient = _lenient_specs[spec] = _LenientSpec(spec)
        self.spec = lenient


def _lenient_validator(operation):
    from .._call.validation import OperationValidator

    return OperationValidator(_LenientOperation(operation))


def _validator(operation):
    found = operation.caches.lenient_validator
    return found if found is not None else operation.caches.lenient_validator_or(_lenient_validator)


def lenient_problems(operation, key, pointer: str, data: Any, prefix: str) -> List[Any]:
    """The problems of ``data`` against the lenient reading of the schema at
    ``pointer`` (a pointer into the operation's document): what is wrong even
    allowing for drift."""
    return _validator(operation).check(key, pointer, data, prefix)


def relaxed(document: Dict[str, Any], version: str) -> Dict[str, Any]:
    """A copy of ``document`` in which every schema reads answers leniently
    (see the module text).  Shared objects stay shared; the original is not
    changed.  Non-schema nodes that happen to hold these keywords are
    relaxed too, harmlessly: only schemas are validated against."""
    doc = copy.deepcopy(document)
    v31 = not version.startswith("3.0")
    seen = set()
    stack: List[Any] = [doc]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            _relax(node, v31)
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, (dict, list)))
    return doc


def _relax(node: Dict[str, Any], v31: bool) -> None:
    if isinstance(node.get("required"), list):
        del node["required"]
    for key in ("additionalProperties", "unevaluatedProperties"):
        if node.get(key) is False:
            del node[key]
    enum = node.get("enum")
    if isinstance(enum, list):
        values = [v for v in enum if v is not None]
        if len(values) > 1 and all(isinstance(v, str) for v in values):
            del node["enum"]
        elif None not in enum:
            node["enum"] = enum + [None]
    if "const" in node and node["const"] is not None and not isinstance(node["const"], dict):
        node["enum"] = [node.pop("const"), None]
    t = node.get("type")
    if isinstance(t, str) and t in _JSON_TYPES or isinstance(t, list) and all(isinstance(x, str) for x in t):
        if v31:
            types = [t] if isinstance(t, str) else list(t)
            if "null" not in types:
                node["type"] = types + ["null"]
        else:
            node["nullable"] = True
    if isinstance(node.get("oneOf"), list):
        alternatives = node.pop("oneOf")
        if isinstance(node.get("anyOf"), list):
            node.setdefault("allOf", [])
            if isinstance(node["allOf"], list):
                node["allOf"] = node["allOf"] + [{"anyOf": alternatives}]
        else:
            node["anyOf"] = alternatives
    if isinstance(node.get("discriminator"), dict) and isinstance(node["discriminator"].get("propertyName"), str):
        del node["discriminator"]
