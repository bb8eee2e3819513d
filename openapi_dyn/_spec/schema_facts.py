"""What the schemas of one document allow: read-only questions that repair
rules ask before changing anything.

A repair rule must be sure of what it changes: that a discriminator would
reject a payload its ``oneOf`` accepts, that two ``oneOf`` alternatives can
match the same value, that a schema rejects null.  Answering takes following
``$ref``\\ s, ``allOf`` and ``oneOf``/``anyOf`` through the document; those
answers live here, apart from the rules (:mod:`.repair`) that act on them and
the discriminator analysis (:mod:`.discriminator`), and none of them changes
the document.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Dict, List, Optional, Set

from .jsontype import json_type
from .pointer import escape, target, to_fragment

# Keywords that only describe a schema; a schema made of nothing else accepts any instance.
ANNOTATIONS = frozenset((
    "title", "description", "default", "example", "examples", "deprecated", "readOnly",
    "writeOnly", "externalDocs", "xml", "$comment",
))

#: What :meth:`SchemaFacts.resolve` returns for a reference that points nowhere.
MISSING = object()
UNMAPPABLE = object()  # stands for a discriminator value no mapping can express


def types_of(schema: dict) -> Optional[List[str]]:
    """The type names a schema's ``type`` lists, or None when it has none."""
    t = schema.get("type")
    if isinstance(t, str):
        return [t]
    if isinstance(t, list):
        return [x for x in t if isinstance(x, str)]
    return None


def is_pure_ref(schema: Any) -> bool:
    """A reference with nothing but annotations next to it (so it means just its target)."""
    return isinstance(schema, dict) and "$ref" in schema and all(
        k == "$ref" or k in ANNOTATIONS or k.startswith("x-") for k in schema)


def _intersect(sets: List[Optional[Set[Any]]]) -> Optional[Set[Any]]:
    known = [s for s in sets if s is not None]
    if not known:
        return None
    result = set(known[0])
    for s in known[1:]:
        result &= s
    return result


def _value_set(values: List[Any]) -> Set[Any]:
    """Discriminating values: mapping keys are strings; null cannot discriminate at all."""
    return {v if isinstance(v, str) else UNMAPPABLE for v in values if v is not None}


def _widen(types: Set[str]) -> Set[str]:
    """An integer is a number, and a number may be an integer."""
    return types | {"number"} if "integer" in types else types | {"integer"} if "number" in types else types


class SchemaFacts:
    """Questions about the schemas of ``doc`` (an OpenAPI document, every
    ``$ref`` local).  ``v31``: the document uses JSON Schema 2020-12 (3.1 and
    later), not 3.0's dialect."""

    def __init__(self, doc: dict, v31: bool = False) -> None:
        self.doc = doc
        self.v31 = v31
        comps = doc.get("components")
        schemas = comps.get("schemas") if isinstance(comps, dict) else None
        self.schemas: Dict[str, Any] = schemas if isinstance(schemas, dict) else {}

    def resolve(self, ref: Any) -> Any:
        """The target of a local reference, or ``MISSING``; the same lookup the validator does."""
        return target(self.doc, ref, MISSING)

    def deref(self, schema: Any) -> Any:
        """Follow a chain of pure references (``{"$ref": ...}`` and annotations only)."""
        for _ in range(50):
            if not is_pure_ref(schema):
                return schema
            target = self.resolve(schema["$ref"])
            if target is MISSING:
                return schema
            schema = target
        return schema

    def mapping_target(self, target: Any) -> Optional[str]:
        """A mapping value as a resolvable reference, or None (bare schema names are allowed)."""
        if not isinstance(target, str):
            return None
        if self.resolve(target) is not MISSING:
            return target
        if "/" not in target and "#" not in target and target in self.schemas:
            return to_fragment(f"#/components/schemas/{escape(target)}")
        return None

    def rejects_null(self, schema: Any) -> bool:
        """Whether a schema certainly rejects null (so a null alternative cannot overlap it)."""
        schema = self.deref(schema)
        if not isinstance(schema, dict):
            return schema is False
        types = types_of(schema)
        if schema.get("nullable") is True:  # (in a 3.1 document, about to be translated)
            return False
        if types is not None:
            return "null" not in types
        if isinstance(schema.get("enum"), list):
            return None not in schema["enum"]
        if "const" in schema:
            return schema["const"] is not None
        return any(self.rejects_null(s) for s in schema.get("allOf") or ())

    def accepts_non_object(self, schema: Any, depth: int = 0) -> bool:
        """Whether a schema explicitly allows instances that are not objects (typeless: no)."""
        schema = self.deref(schema)
        if not isinstance(schema, dict) or depth > 20:
            return schema is True
        types = types_of(schema)
        if types is not None:
            return any(t != "object" for t in types) or (not self.v31 and schema.get("nullable") is True)
        if "$ref" in schema and self.accepts_non_object(self.resolve(schema["$ref"]), depth + 1):
            return True
        return any(self.accepts_non_object(s, depth + 1)
                   for k in ("oneOf", "anyOf") for s in schema.get(k) or ())

    def requires(self, schema: Any, prop: str, seen: Set[int]) -> bool:
        """Whether every instance valid against ``schema`` must contain ``prop``."""
        schema = self.deref(schema)
        if not isinstance(schema, dict) or id(schema) in seen:
            return False
        seen.add(id(schema))
        req = schema.get("required")
        if isinstance(req, list) and prop in req:
            return True
        if "$ref" in schema and self.requires(self.resolve(schema["$ref"]), prop, seen):
            return True
        if any(self.requires(s, prop, seen) for s in schema.get("allOf") or ()):
            return True
        for key in ("oneOf", "anyOf"):
            alts = [s for s in schema.get(key) or () if not self.only_non_object(s)]
            if alts and all(self.requires(s, prop, set(seen)) for s in alts):
                return True
        return False

    def prop_values(self, schema: Any, prop: str, seen: Set[int]) -> Optional[Set[Any]]:
        """The values ``properties.<prop>`` may take in ``schema``, or None if unconstrained."""
        def own(s: dict) -> list:
            props = s.get("properties")
            return [self.const_values(props[prop], set())] if isinstance(props, dict) and prop in props else []
        return self._gather(schema, seen, own, self.only_non_object)

    def const_values(self, schema: Any, seen: Set[int]) -> Optional[Set[Any]]:
        """The values a (property) schema allows when it is an enumeration, else None."""
        def own(s: dict) -> list:
            known = [_value_set([s["const"]])] if "const" in s else []
            if isinstance(s.get("enum"), list):
                known.append(_value_set(s["enum"]))
            return known
        return self._gather(schema, seen, own, self.is_null_schema)

    def only_non_object(self, schema: Any) -> bool:
        schema = self.deref(schema)
        types = types_of(schema) if isinstance(schema, dict) else None
        return types is not None and "object" not in types

    def is_null_schema(self, schema: Any) -> bool:
        schema = self.deref(schema)
        return isinstance(schema, dict) and (types_of(schema) == ["null"] or schema.get("enum") == [None])

    def merged(self, schema: Any, seen: Set[int]) -> List[dict]:
        """The schema and, through ``$ref`` and ``allOf``, every schema it includes."""
        schema = self.deref(schema)
        if not isinstance(schema, dict) or id(schema) in seen:
            return []
        seen.add(id(schema))
        out = [schema]
        if "$ref" in schema:
            out += self.merged(self.resolve(schema["$ref"]), seen)
        for sub in schema.get("allOf") or ():
            out += self.merged(sub, seen)
        return out

    def forbids(self, schema: Any, prop: str) -> bool:
        """Whether ``schema`` rejects every object that has ``prop``."""
        for s in self.merged(schema, set()):
            if s.get("additionalProperties") is False and not s.get("patternProperties") and prop not in (
                    s.get("properties") or {}):
                return True
            if (s.get("properties") or {}).get(prop) is False:
                return True
        return False

    def prop_rejects_null(self, schema: Any, prop: str) -> bool:
        return any(isinstance(s.get("properties"), dict) and prop in s["properties"]
                   and self.rejects_null(s["properties"][prop]) for s in self.merged(schema, set()))

    def type_set(self, schema: Any, seen: Set[int]) -> Optional[Set[str]]:
        """The JSON types a schema can accept, or None when it does not say."""
        def own(s: dict) -> list:
            known: List[Optional[Set[str]]] = []
            types = types_of(s)
            if types is not None:
                t = set(types)
                if not self.v31 and s.get("nullable") is True:
                    t.add("null")
                known.append(t)
            for key in ("enum", "const"):
                values = s.get("enum") if key == "enum" else [s["const"]] if "const" in s else None
                if isinstance(values, list):
                    known.append({json_type(v) for v in values} | (
                        {"number"} if any(json_type(v) == "integer" for v in values) else set()))
            return known
        return self._gather(schema, seen, own, lambda s: False)

    def _gather(self, schema: Any, seen: Set[int], own: Callable[[dict], list],
                skip: Callable[[Any], bool]) -> Optional[Set[Any]]:
        """What ``own`` says of ``schema`` (a list of sets), of each schema it
        includes (``$ref``, ``allOf``: all of them hold) and of its
        ``oneOf``/``anyOf`` alternatives but those ``skip`` leaves out (any of
        them may hold: their union, when each says something): the
        intersection, or None when nothing says anything."""
        schema = self.deref(schema)
        if not isinstance(schema, dict) or id(schema) in seen:
            return None
        seen = seen | {id(schema)}
        known = own(schema)
        if "$ref" in schema:
            known.append(self._gather(self.resolve(schema["$ref"]), seen, own, skip))
        for sub in schema.get("allOf") or ():
            known.append(self._gather(sub, seen, own, skip))
        for key in ("oneOf", "anyOf"):
            alts = [s for s in schema.get(key) or () if not skip(s)]
            if alts:
                found = [self._gather(s, seen, own, skip) for s in alts]
                if all(v is not None for v in found):
                    known.append(set().union(*found))
        return _intersect(known)

    def enum_set(self, schema: Any) -> Optional[Set[str]]:
        """The values (as JSON texts) a schema's ``enum``/``const`` allow, or None."""
        known: List[Optional[Set[str]]] = []
        for s in self.merged(schema, set()):
            if isinstance(s.get("enum"), list):
                known.append({json.dumps(v, sort_keys=True, default=str) for v in s["enum"]})
            if "const" in s:
                known.append({json.dumps(s["const"], sort_keys=True, default=str)})
        return _intersect(known)

    def required_names(self, schema: Any) -> List[str]:
        names: List[str] = []
        for s in self.merged(schema, set()):
            for n in s.get("required") or ():
                if isinstance(n, str) and n not in names:
                    names.append(n)
        return names

    def disjoint(self, a: Any, b: Any) -> bool:
        ra, rb = set(self.required_names(a)), set(self.required_names(b))
        if ra - rb and rb - ra:
            return True  # each needs a property the other does not: "exactly one of" by design
        va, vb = self.enum_set(a), self.enum_set(b)
        if va is not None and vb is not None and not (va & vb):
            return True
        ta, tb = self.type_set(a, set()), self.type_set(b, set())
        if ta is not None and tb is not None:
            shared = _widen(ta) & _widen(tb)
            if not shared:
                return True
        else:
            shared = (ta if ta is not None else tb) or {"string"}  # typeless: any type
        if shared - {"object"}:
            return False  # both accept some non-object value: no properties tell them apart
        for first, second in ((a, b), (b, a)):
            for prop in self.required_names(first):
                if self.forbids(second, prop):
                    return True
                va, vb = self.prop_values(first, prop, set()), self.prop_values(second, prop, set())
                if va is None or vb is None or UNMAPPABLE in va or UNMAPPABLE in vb:
                    continue
                if not (va & vb) and (self.prop_rejects_null(first, prop) or self.prop_rejects_null(second, prop)):
                    return True
        return False
