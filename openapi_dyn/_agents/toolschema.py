"""Spec schemas turned into the JSON Schema that LLM tool definitions carry.

A tool's input schema must be plain JSON Schema 2020-12 that stands on its
own: no ``$ref`` into ``#/components/...`` of a document the consumer never
sees, no OpenAPI-only keywords.  :class:`SchemaWriter` converts the schemas of
one spec:

* every local ``$ref`` is gathered under ``$defs`` of the tool's schema (named
  after the component) and rewritten to ``#/$defs/<name>``, or, with
  ``refs="inline"``, replaced by the schema it points at, except where that
  would never end (a recursive schema keeps a ``$defs`` entry);
* OpenAPI 3.0 idioms become 2020-12: ``nullable: true`` adds ``"null"`` to the
  type, boolean ``exclusiveMinimum``/``exclusiveMaximum`` become numbers;
* keywords no consumer needs and some reject are dropped: ``x-*``,
  ``discriminator``, ``xml``, ``externalDocs``, ``example(s)``, ``readOnly``,
  ``writeOnly``, ``$id``/``$schema``/``$anchor``; properties marked
  ``readOnly`` (the server sets them) are left out of request schemas;
* every ``description`` is cut to :data:`SCHEMA_DESCRIPTION_BUDGET` characters.

:func:`strict_variant` derives the form OpenAI's ``strict`` function calling
accepts, or says why there is none.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Set, Tuple

from .._errors import _NotStrict as NotStrict
from .._spec.pointer import unescape, walk
from .._spec.walk import SUBSCHEMAS

#: Characters kept of each ``description`` inside a schema (parameters, body
#: fields): enough for the sentence that says what a field is, short enough
#: that 270 tools stay affordable in a model's context.
SCHEMA_DESCRIPTION_BUDGET = 300

#: Keywords left out of tool schemas: OpenAPI's own vocabulary and
#: annotations that cost tokens without telling a model what to send.
DROPPED = frozenset({"discriminator", "xml", "externalDocs", "example", "examples", "readOnly",
                     "writeOnly", "nullable", "$id", "$schema", "$anchor", "$dynamicAnchor",
                     "$comment", "$dynamicRef", "contentSchema"})

_DEF_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def trim(text: Any, budget: int) -> str:
    """``text`` with its whitespace runs collapsed to single spaces (line
    breaks between paragraphs kept), cut at a word boundary to at most
    ``budget`` characters, ending in ``…`` when cut."""
    if not isinstance(text, str):
        return ""
    paragraphs = [" ".join(p.split()) for p in text.strip().split("\n\n")]
    text = "\n\n".join(p for p in paragraphs if p)
    if len(text) <= budget:
        return text
    cut = text[: budget - 1]
    space = cut.rfind(" ")
    if space > budget // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:\n") + "…"


class SchemaWriter:
    """Converts schemas of one spec document for one tool; ``defs`` collects
    what ``$ref`` s point at (see the module text)."""

    def __init__(self, document: Dict[str, Any], refs: str = "defs"):
        self.document = document
        self.inline = refs == "inline"
        self.defs: Dict[str, Any] = {}
        self._names: Dict[str, str] = {}      # $ref -> name under $defs
        self._active: List[str] = []          # $refs being inlined (cycle guard)
        self._recursive: Set[str] = set()
        self._inlined: Dict[str, Any] = {}

    # ----------------------------------------------------------- public
    def convert(self, schema: Any, request: bool = True) -> Any:
        """The tool form of ``schema`` (a node of the document)."""
        return self._node(schema, request)

    def finish(self, schema: Dict[str, Any]) -> Dict[str, Any]:
        """``schema`` with the ``$defs`` it reaches attached."""
        used: Set[str] = set()
        todo = [schema]
        while todo:
            for ref in _refs_in(todo.pop()):
                name = ref[len("#/$defs/"):]
                if name not in used and name in self.defs:
                    used.add(name)
                    todo.append(self.defs[name])
        if used:
            schema["$defs"] = {name: self.defs[name] for name in sorted(used)}
        return schema

    # ---------------------------------------------------------- walking
    def _name_for(self, ref: str) -> str:
        name = self._names.get(ref)
        if name is None:
            last = ref.rsplit("/", 1)[-1] if "/components/schemas/" in ref else ref.lstrip("#/")
            base = _DEF_NAME.sub("_", unescape(last)).strip("_") or "schema"
            name, n = base, 2
            taken = set(self._names.values())
            while name in taken:
                name, n = f"{base}_{n}", n + 1
            self._names[ref] = name
        return name

    def _target(self, ref: str) -> Any:
        try:
            return walk(self.document, ref)[0]
        except (LookupError, ValueError):
            return None

    def _ref(self, node: Dict[str, Any], request: bool) -> Any:
        ref = node["$ref"]
        target = self._target(ref) if isinstance(ref, str) and ref.startswith("#") else None
        if target is None:        # nothing to point at: accept anything rather than a dead link
            return {}
        if self.inline:
            if ref in self._active:
                self._recursive.add(ref)
                out: Dict[str, Any] = {"$ref": "#/$defs/" + self._name_for(ref)}
            else:
                done = self._inlined.get(ref)
                if done is None:
                    self._active.append(ref)
                    try:
                        done = self._node(target, request)
                    finally:
                        self._active.pop()
                    self._inlined[ref] = done
                    if ref in self._recursive:
                        self.defs[self._name_for(ref)] = done
                out = dict(done) if isinstance(done, dict) else done
        else:
            name = self._name_for(ref)
            if name not in self.defs:
                self.defs[name] = {}          # placeholder: a cycle meets it and stops
                self.defs[name] = self._node(target, request)
            out = {"$ref": "#/$defs/" + name}
        if isinstance(out, dict) and isinstance(node.get("description"), str):
            out["description"] = trim(node["description"], SCHEMA_DESCRIPTION_BUDGET)
        return out

    def read_only(self, node: Any) -> bool:
        """Whether ``node`` (after its ``$ref`` s) is marked ``readOnly``."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 32:
            node = self._target(node["$ref"]) if isinstance(node["$ref"], str) else None
            seen += 1
        return isinstance(node, dict) and node.get("readOnly") is True

    def _node(self, node: Any, request: bool) -> Any:
        if not isinstance(node, dict):
            return node if isinstance(node, bool) else {}
        if "$ref" in node:
            return self._ref(node, request)
        out: Dict[str, Any] = {}
        for key, value in node.items():
            if key in DROPPED or key.startswith("x-"):
                continue
            shape = SUBSCHEMAS.get(key)   # where schemas sit inside a schema: _spec/walk.py
            if key == "description":
                text = trim(value, SCHEMA_DESCRIPTION_BUDGET)
                if text:
                    out[key] = text
            elif key == "properties" and isinstance(value, dict):
                props = {}
                for name, sub in value.items():
                    if request and self.read_only(sub):
                        continue
                    props[name] = self._node(sub, request)
                out[key] = props
            elif key == "required" and isinstance(value, list):
                out[key] = list(dict.fromkeys(v for v in value if isinstance(v, str)))
            elif key == "items":
                if isinstance(value, list):      # the tuple form of older drafts
                    out["prefixItems"] = [self._node(v, request) for v in value]
                else:
                    out[key] = self._node(value, request)
            elif key in ("$defs", "definitions"):
                continue
            elif shape in ("one", "one|list"):
                out[key] = ([self._node(v, request) for v in value] if isinstance(value, list)
                            else self._node(value, request))
            elif shape == "list" and isinstance(value, list):
                out[key] = [self._node(v, request) for v in value]
            elif shape == "map" and isinstance(value, dict):
                out[key] = {k: self._node(v, request) if isinstance(v, dict) else v for k, v in value.items()}
            elif key in ("exclusiveMinimum", "exclusiveMaximum") and isinstance(value, bool):
                bound = "minimum" if key == "exclusiveMinimum" else "maximum"
                if value and isinstance(node.get(bound), (int, float)):
                    out[key] = node[bound]
            else:
                out[key] = value
        for key in ("exclusiveMinimum", "exclusiveMaximum"):
            bound = "minimum" if key == "exclusiveMinimum" else "maximum"
            if node.get(key) is True and bound in out:
                del out[bound]
        if "required" in out and isinstance(out.get("properties"), dict) and request:
            dropped = {n for n in (node.get("properties") or {}) if n not in out["properties"]}
            out["required"] = [n for n in out["required"] if n not in dropped]
        if node.get("nullable") is True:
            out = _nullable(out)
        return out


def _refs_in(node: Any):
    """Every ``$ref`` value inside ``node``."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            ref = n.get("$ref")
            if isinstance(ref, str):
                yield ref
            stack.extend(v for k, v in n.items() if k != "$defs")
        elif isinstance(n, list):
            stack.extend(n)


def _nullable(schema: Dict[str, Any]) -> Dict[str, Any]:
    """``schema`` also accepting ``null`` (OpenAPI 3.0's ``nullable``)."""
    t = schema.get("type")
    if isinstance(t, str):
        schema["type"] = [t, "null"]
    elif isinstance(t, list):
        if "null" not in t:
            schema["type"] = t + ["null"]
    else:
        return {"anyOf": [schema, {"type": "null"}]}
    if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
        schema["enum"] = schema["enum"] + [None]
    return schema


# ------------------------------------------------------------ strict mode
#: Keywords OpenAI's strict mode understands; others that only narrow what
#: is valid are dropped (the client still validates every call against the
#: spec), and the ones that change the shape make strict mode impossible.
STRICT_KEEP = frozenset({"type", "properties", "required", "additionalProperties", "items", "enum",
                         "const", "anyOf", "$ref", "$defs", "description", "pattern", "format",
                         "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
                         "minItems", "maxItems"})
STRICT_REFUSED = ("allOf", "not", "if", "then", "else", "patternProperties", "dependentSchemas",
                  "dependentRequired", "prefixItems", "contains", "propertyNames",
                  "unevaluatedProperties", "unevaluatedItems")
#: OpenAI's published limits for strict schemas.
STRICT_MAX_DEPTH = 10
STRICT_MAX_PROPERTIES = 5000
STRICT_MAX_ENUM = 1000


def strict_variant(schema: Dict[str, Any]) -> Tuple[Optional[Dict[str, Any]], str]:
    """``(strict schema, "")`` when ``schema`` (a tool input schema as
    :class:`SchemaWriter` writes it) has a form OpenAI's strict mode accepts,
    else ``(None, reason)``.

    The strict form lists every property in ``required`` and lets the
    optional ones be ``null`` (a null argument is taken as "not given"), sets
    ``additionalProperties: false`` on every object and uses ``anyOf`` where
    the spec says ``oneOf``.  There is none when some object is free-form
    (a map such as ``metadata``: strict mode needs every key named), when a
    value is unconstrained (no type), or when the schema uses ``allOf``,
    ``not``, conditionals, ``patternProperties`` or goes past OpenAI's limits.
    """
    counter = [0]
    try:
        defs = {name: _strict(sub, f"$defs.{name}", 1, counter)
                for name, sub in (schema.get("$defs") or {}).items()}
        top = {k: v for k, v in schema.items() if k != "$defs"}
        out = _strict(top, "arguments", 0, counter)
    except NotStrict as exc:
        return None, str(exc)
    if defs:
        out["$defs"] = defs
    return out, ""


def _strict(node: Any, where: str, depth: int, counter: List[int]) -> Dict[str, Any]:
    if node is True or node == {} or not isinstance(node, dict):
        raise NotStrict(f"{where} accepts any value; strict mode needs a type")
    if depth > STRICT_MAX_DEPTH:
        raise NotStrict(f"{where} is nested deeper than {STRICT_MAX_DEPTH} levels")
    for key in STRICT_REFUSED:
        if key in node:
            raise NotStrict(f"{where} uses {key}, which strict mode does not support")
    if "$ref" in node:
        return {"$ref": node["$ref"]}
    out: Dict[str, Any] = {k: v for k, v in node.items() if k in STRICT_KEEP}
    variants = node.get("anyOf", node.get("oneOf"))
    if isinstance(variants, list):
        out["anyOf"] = [_strict(v, f"{where}.anyOf[{i}]", depth + 1, counter) for i, v in enumerate(variants)]
        if "type" not in node:
            return out
    if isinstance(out.get("enum"), list) and len(out["enum"]) > STRICT_MAX_ENUM:
        raise NotStrict(f"{where} has more than {STRICT_MAX_ENUM} enum values")
    t = node.get("type")
    types = set(t) if isinstance(t, list) else {t}
    if not t and "enum" not in node and "const" not in node and "anyOf" not in out:
        raise NotStrict(f"{where} accepts any value; strict mode needs a type")
    if "object" in types or (not t and "properties" in node):
        props = node.get("properties")
        extra = node.get("additionalProperties")
        if not isinstance(props, dict) or not props:
            raise NotStrict(f"{where} is a free-form object; strict mode needs every key named")
        if extra not in (None, False):
            raise NotStrict(f"{where} allows keys beyond its named properties; strict mode does not")
        counter[0] += len(props)
        if counter[0] > STRICT_MAX_PROPERTIES:
            raise NotStrict(f"more than {STRICT_MAX_PROPERTIES} properties in all")
        required = set(node.get("required") or ())
        new_props = {}
        for name, sub in props.items():
            converted = _strict(sub, f"{where}.{name}", depth + 1, counter)
            new_props[name] = converted if name in required else _or_null(converted)
        out["properties"] = new_props
        out["required"] = list(props)
        out["additionalProperties"] = False
    if "array" in types:
        items = node.get("items")
        if items is None:
            raise NotStrict(f"{where} is an array of anything; strict mode needs an item type")
        out["items"] = _strict(items, f"{where}[]", depth + 1, counter)
    return out


def _or_null(schema: Dict[str, Any]) -> Dict[str, Any]:
    t = schema.get("type")
    if isinstance(t, str) and "anyOf" not in schema:
        out = dict(schema, type=[t, "null"])
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = out["enum"] + [None]
        return out
    if isinstance(t, list) and "anyOf" not in schema:
        if "null" in t:
            return schema
        out = dict(schema, type=t + ["null"])
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = out["enum"] + [None]
        return out
    return {"anyOf": [schema, {"type": "null"}]}
