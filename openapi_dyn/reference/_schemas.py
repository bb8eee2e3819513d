"""Reading JSON Schemas for the reference: short type labels
(``array[RunObject]``, ``string | null``), nullability, ``allOf`` merging and
the choices a ``oneOf``/``anyOf`` really offers.

It exists apart from the documentation model because these answers depend
on the schema alone: :mod:`._model` asks them while it builds property and
variant docs, and nothing here knows what a reference shows.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from .._spec.jsontype import json_type

_SCALARS = {"string", "integer", "number", "boolean", "null"}


class SchemaReader:
    """Answers about (possibly ``$ref``) schema nodes of one spec."""

    def __init__(self, spec):
        self.spec = spec

    def resolve(self, node: Any) -> Dict[str, Any]:
        try:
            out = self.spec.resolve(node)
        except Exception:
            return {}
        return out if isinstance(out, dict) else {}

    @staticmethod
    def ref_name(node: Any) -> Optional[str]:
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if "/components/schemas/" in ref or ref.startswith("#/definitions/"):
                return ref.rsplit("/", 1)[-1]
        return None

    def non_null(self, variants: List[Any]) -> Tuple[List[Any], bool]:
        kept, nullable = [], False
        for v in variants:
            r = self.resolve(v)
            if r.get("type") == "null" or r.get("enum") == [None]:
                nullable = True
            else:
                kept.append(v)
        return kept, nullable

    def label(self, node: Any, _depth: int = 0) -> str:
        if _depth > 6:
            return "any"
        name = self.ref_name(node)
        s = self.resolve(node)
        if name:
            inner = self.label(s, _depth + 1)
            return inner if inner in _SCALARS else name
        for kind in ("oneOf", "anyOf"):
            if isinstance(s.get(kind), list):
                kept, nullable = self.non_null(s[kind])
                labels = []
                for v in kept:
                    lab = self.label(v, _depth + 1)
                    if lab not in labels:
                        labels.append(lab)
                if len(labels) > 4:
                    text = f"{kind}[{len(labels)} variants]"
                else:
                    text = " | ".join(labels) or "any"
                return text
        if isinstance(s.get("allOf"), list):
            parts = s["allOf"]
            if len(parts) == 1:
                return self.label(parts[0], _depth + 1)
            return "object"
        t = s.get("type")
        if isinstance(t, list):
            kept = [str(x) for x in t if x != "null"]
            if kept == ["array"]:
                return f"array[{self.label(s.get('items'), _depth + 1)}]"
            return " | ".join(kept) or "null"
        if t == "array":
            return f"array[{self.label(s.get('items'), _depth + 1)}]"
        if t:
            return str(t)
        if "const" in s:
            return json_type(s["const"], "any")
        if isinstance(s.get("enum"), list) and s["enum"]:
            first = next((e for e in s["enum"] if e is not None), None)
            return "any" if first is None else json_type(first, "any")
        if "properties" in s:
            return "object"
        return "any"

    def nullable(self, node: Any) -> bool:
        s = self.resolve(node)
        if s.get("nullable") is True:
            return True
        t = s.get("type")
        if isinstance(t, list) and "null" in t:
            return True
        for kind in ("oneOf", "anyOf"):
            if isinstance(s.get(kind), list) and self.non_null(s[kind])[1]:
                return True
        return False

    def merged(self, node: Any, _depth: int = 0) -> Tuple[Dict[str, Any], List[str]]:
        """Properties and required names of an object schema, ``allOf``
        members merged in order."""
        s = self.resolve(node)
        props: Dict[str, Any] = {}
        required: List[str] = []
        if _depth < 8:
            for part in s.get("allOf") or []:
                p, r = self.merged(part, _depth + 1)
                props.update(p)
                required += [x for x in r if x not in required]
        props.update(s.get("properties") or {})
        required += [x for x in (s.get("required") or []) if x not in required]
        return props, required

    def variants_of(self, node: Any) -> Tuple[Optional[str], List[Any]]:
        """(``"oneOf"``/``"anyOf"``, alternatives without ``null``) when the
        schema really offers a choice, else (None, [])."""
        s = self.resolve(node)
        for kind in ("oneOf", "anyOf"):
            if isinstance(s.get(kind), list):
                kept, _ = self.non_null(s[kind])
                if len(kept) >= 2:
                    return kind, kept
                if len(kept) == 1:
                    return self.variants_of(kept[0])
        if isinstance(s.get("allOf"), list) and len(s["allOf"]) == 1:
            return self.variants_of(s["allOf"][0])
        return None, []

    def single(self, node: Any) -> Any:
        """``anyOf: [X, null]`` -> X; allOf of one -> it."""
        s = self.resolve(node)
        for kind in ("oneOf", "anyOf"):
            if isinstance(s.get(kind), list):
                kept, _ = self.non_null(s[kind])
                if len(kept) == 1:
                    return self.single(kept[0])
        if isinstance(s.get("allOf"), list) and len(s["allOf"]) == 1 and "properties" not in s:
            return self.single(s["allOf"][0])
        return node


def constraints_of(s: Dict[str, Any]) -> List[str]:
    """A schema's bounds as words: ``[">= 1", "at most 64 characters"]``."""
    out = []
    for key, text in (("minimum", ">= {}"), ("maximum", "<= {}"), ("exclusiveMinimum", "> {}"),
                      ("exclusiveMaximum", "< {}"), ("minLength", "at least {} characters"),
                      ("maxLength", "at most {} characters"), ("minItems", "at least {} items"),
                      ("maxItems", "at most {} items"), ("pattern", "matches {}"),
                      ("multipleOf", "multiple of {}")):
        v = s.get(key)
        if v is not None and not isinstance(v, bool):
            out.append(text.format(v))
    return out


def is_array(s: Dict[str, Any]) -> bool:
    """Whether a resolved schema's type is (or includes) ``array``."""
    t = s.get("type")
    return t == "array" or (isinstance(t, list) and "array" in t)
