"""Minimal values that satisfy a schema, for exercising every operation of a
spec: required parameters and a body where the spec gives no example.

The generator prefers what the spec itself says (``example``, ``default``,
``const``, the first ``enum`` value) and otherwise builds the smallest value
its type, format and bounds allow: objects get their required properties only,
arrays their ``minItems``, ``oneOf``/``anyOf`` their first alternative, with a
discriminator's property set to the value that selects it.
"""
from functools import lru_cache
from typing import Any, Dict

FORMATS = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "12:00:00Z",
    "uuid": "123e4567-e89b-12d3-a456-426614174000",
    "email": "user@example.com",
    "uri": "https://example.com/x",
    "url": "https://example.com/x",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "byte": "c2FtcGxl",
    "duration": "P1D",
}


@lru_cache(maxsize=None)
def matching(pattern: str) -> str:
    """The simplest non-empty string that fully matches ``pattern``."""
    from hypothesis import find, settings, strategies as st

    return find(st.from_regex(pattern, fullmatch=True), lambda s: s != "",
                settings=settings(database=None, max_examples=200))


class Sampler:
    """``binary``: what a ``format: binary`` string becomes (bytes for
    multipart file fields, a string inside JSON)."""

    def __init__(self, spec, binary: Any = b"sample"):
        self.spec = spec
        self.binary = binary

    def resolve(self, node: Any) -> Dict[str, Any]:
        node = self.spec.resolve(node)
        return node if isinstance(node, dict) else {}

    def flatten(self, s: Dict[str, Any], depth: int = 0) -> Dict[str, Any]:
        """An ``allOf`` of object schemas as one object schema (properties and
        required lists joined); anything else is returned as it is."""
        parts = [self.resolve(p) for p in s.get("allOf") or []]
        parts = [self.flatten(p, depth + 1) if "allOf" in p and depth < 8 else p for p in parts]
        if not all(p.get("type") in (None, "object") and "allOf" not in p for p in parts):
            return s
        out = {k: v for k, v in s.items() if k != "allOf"}
        props = dict(out.get("properties") or {})
        required = list(out.get("required") or [])
        for p in parts:
            props.update(p.get("properties") or {})
            required += p.get("required") or []
            for k, v in p.items():
                if k not in ("properties", "required"):
                    out.setdefault(k, v)
        out["properties"], out["required"] = props, list(dict.fromkeys(required))
        out.setdefault("type", "object")
        return out

    def value(self, node: Any, depth: int = 0, use_examples: bool = True) -> Any:
        s = self.resolve(node)
        if depth > 12:
            return None
        if use_examples:
            for key in ("const", "default", "example"):
                if key in s and s[key] is not None:
                    return s[key]
            if isinstance(s.get("examples"), list) and s["examples"]:
                return s["examples"][0]
        if "const" in s:
            return s["const"]
        if isinstance(s.get("enum"), list) and s["enum"]:
            values = [v for v in s["enum"] if v is not None]
            return values[0] if values else None
        if "allOf" in s:
            s = self.flatten(s)
            if "allOf" in s:  # parts that are not objects: the first decides
                return self.value(s["allOf"][0], depth + 1, use_examples)
        for key in ("oneOf", "anyOf"):
            if s.get(key):
                alternatives = [a for a in s[key] if self.resolve(a).get("type") != "null"] or s[key]
                first = alternatives[0]
                base = {k: val for k, val in s.items() if k not in (key, "discriminator")}
                alt = self.resolve(first)
                if base.get("properties") or base.get("required"):
                    # an alternative that only adds constraints to the outer object
                    merged = dict(base, **{k: val for k, val in alt.items() if k not in ("properties", "required")})
                    merged["properties"] = dict(base.get("properties") or {}, **(alt.get("properties") or {}))
                    merged["required"] = list(dict.fromkeys((base.get("required") or []) + (alt.get("required") or [])))
                    v = self.value(merged, depth + 1, use_examples)
                else:
                    v = self.value(first, depth + 1, use_examples)
                disc = s.get("discriminator")
                if isinstance(disc, dict) and isinstance(v, dict):
                    prop = disc.get("propertyName")
                    ref = first.get("$ref") if isinstance(first, dict) else None
                    for name, target in (disc.get("mapping") or {}).items():
                        if target == ref:
                            v[prop] = name
                            break
                return v
        types = s.get("type")
        if isinstance(types, list):
            types = next((t for t in types if t != "null"), "null")
        if types is None:
            is_object = any(k in s for k in ("properties", "required", "additionalProperties"))
            types = "object" if is_object else ("array" if "items" in s else "string")
        if types == "object":
            out = {}
            props = s.get("properties") or {}
            for name in s.get("required") or []:
                out[name] = self.value(props.get(name, {}), depth + 1, use_examples)
            return out
        if types == "array":
            n = max(int(s.get("minItems") or 0), 1 if depth == 0 else 0)
            return [self.value(s.get("items") or {}, depth + 1, use_examples) for _ in range(n)]
        if types in ("integer", "number"):
            low = s.get("minimum", s.get("exclusiveMinimum", 0))
            if isinstance(low, bool):
                low = s.get("minimum", 0)
            value = low if "exclusiveMinimum" not in s or isinstance(s["exclusiveMinimum"], bool) else low + 1
            if s.get("exclusiveMinimum") is True:
                value = low + 1
            high = s.get("maximum")
            if isinstance(high, (int, float)) and value > high:
                value = high
            return int(value) if types == "integer" else value
        if types == "boolean":
            return False
        if types == "null":
            return None
        fmt = s.get("format")
        if fmt == "binary":
            return self.binary
        if fmt in FORMATS:
            return FORMATS[fmt]
        if isinstance(s.get("pattern"), str):
            return matching(s["pattern"])
        text = "sample"
        if s.get("minLength"):
            text = text.ljust(int(s["minLength"]), "x")
        if s.get("maxLength") is not None:
            text = text[: int(s["maxLength"])]
        return text
