"""JSON Schemas as Python type annotations, for the stub files of
:mod:`.generate`.

A schema is written two ways, because an answer and an argument are used
differently: a *model* (an answer) is a class over
:class:`~openapi_dyn.Record` whose attributes are the schema's properties
(``X | None`` where the property is optional or nullable), so
``reply.choices[0].message.content`` is known to a type checker; a *param*
(an argument) is a ``TypedDict``, so a plain dict literal is accepted and a
missing required key, a misspelt key or a wrong value is not.

Only what is reached is written: each named schema (``$ref``) becomes one
class per side the first time an operation reaches it, inline objects are
named after where they occur (``CreateRunRequestTools``), so a spec of a
thousand schemas yields only the types its operations use.
"""
from __future__ import annotations

import keyword
import re
from typing import Any, Dict, List, Optional, Set, Tuple

__all__ = ["TypeWriter", "camel", "literal", "typed_dict", "union"]

MODEL, PARAM = "model", "param"

#: dict methods: a property of that name is read with ``[]``, never as an attribute
_DICT_NAMES = frozenset(dir(dict))
#: names the annotations use: a class attribute or TypedDict key of that name
#: would hide them inside the class body (an attribute is skipped, reached by
#: ``[]``; a TypedDict takes the functional form)
SHADOWING = frozenset({"str", "int", "float", "bool", "bytes", "list", "dict", "tuple", "Any", "Literal",
                       "Required", "TypeAlias", "TypedDict", "Unpack", "Mapping", "Optional", "overload"})
_WORD = re.compile(r"[0-9A-Za-z]+")
_DEPTH = 40


def camel(text: str) -> str:
    """``create-chat_completion`` -> ``CreateChatCompletion`` (an identifier)."""
    words = _WORD.findall(text)
    name = "".join(w[:1].upper() + w[1:] for w in words) or "Schema"
    return "_" + name if name[0].isdigit() else name


def literal(value: Any) -> Optional[str]:
    """``value`` as a member of ``Literal[...]``, or ``None`` when it cannot be one."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return repr(value)
    if isinstance(value, str):
        return repr(value)
    return None


def union(parts: List[str]) -> str:
    """``A | B | None`` from annotations, each member once, ``None`` last (``Any`` absorbs all)."""
    seen: List[str] = []
    for part in parts:
        for piece in _split_top(part):
            if piece not in seen:
                seen.append(piece)
    if "Any" in seen:
        return "Any"
    if "None" in seen:  # None last, as people write it
        seen = [p for p in seen if p != "None"] + ["None"]
    return " | ".join(seen) if seen else "Any"


def _split_top(text: str) -> List[str]:
    """``A | list[B | C] | None`` -> ``["A", "list[B | C]", "None"]``."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(text[start:i].strip())
            start = i + 1
    out.append(text[start:].strip())
    return [p for p in out if p]


def _merge_literals(parts: List[str]) -> List[str]:
    """``Literal['a'] | Literal['b']`` -> ``Literal['a', 'b']``."""
    lits = [p for p in parts if p.startswith("Literal[")]
    if len(lits) < 2:
        return parts
    members: List[str] = []
    for p in lits:
        for m in p[len("Literal["):-1].split(", "):
            if m not in members:
                members.append(m)
    merged = f"Literal[{', '.join(members)}]"
    out, done = [], False
    for p in parts:
        if p.startswith("Literal["):
            if not done:
                out.append(merged)
                done = True
        else:
            out.append(p)
    return out


def _variant_name(member: Any, index: int) -> str:
    """An inline alternative's name: its ``title``, else the one value its
    ``type`` property takes (``"auto"`` -> ``Auto``), else ``Variant<n>``."""
    if isinstance(member, dict):
        if isinstance(member.get("title"), str) and member["title"].strip():
            return camel(member["title"])
        tag = (member.get("properties") or {}).get("type") if isinstance(member.get("properties"), dict) else None
        if isinstance(tag, dict):
            values = [tag["const"]] if "const" in tag else tag.get("enum")
            if isinstance(values, list) and len(values) == 1 and isinstance(values[0], str):
                return camel(values[0])
    return f"Variant{index + 1}"


def _is_null(schema: Any) -> bool:
    return isinstance(schema, dict) and (schema.get("type") == "null" or schema.get("enum") == [None])


class TypeWriter:
    """Turns the schemas of one spec into annotations, collecting the class
    definitions they need (:attr:`blocks`, in the order they were first
    needed) under names unique in the module."""

    def __init__(self, spec: Any, reserved: Set[str] = frozenset()):  # type: ignore[assignment]
        self.spec = spec
        self.blocks: List[str] = []
        self._names: Dict[Tuple[str, Any], str] = {}
        self._taken: Set[str] = set(reserved)
        self._keep: List[Any] = []  # inline schemas named by id(): kept alive while named

    # ------------------------------------------------------------ names
    def unique(self, wanted: str) -> str:
        """``wanted`` (made an identifier), or it with a number, never used twice."""
        base = camel(wanted) if not wanted.isidentifier() or keyword.iskeyword(wanted) else wanted
        if keyword.iskeyword(base):  # None, True, False
            base += "_"
        name, n = base, 2
        while name in self._taken:
            name, n = f"{base}{n}", n + 1
        self._taken.add(name)
        return name

    # ------------------------------------------------------- annotations
    def annotation(self, schema: Any, side: str, where: str, depth: int = 0) -> str:
        """The annotation for ``schema`` (raw: a ``$ref`` is followed here);
        ``where`` names an inline object's class."""
        if not isinstance(schema, dict) or depth > _DEPTH:
            return "Any"
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return self._named(ref, side, depth)
        return self._inline(schema, side, where, depth)

    def _named(self, ref: str, side: str, depth: int) -> str:
        key = (side, ref)
        if key in self._names:
            return self._names[key]
        target = self.spec.resolve({"$ref": ref})
        if not isinstance(target, dict):
            return "Any"
        base = ref.rsplit("/", 1)[-1]
        suffix = "Param" if side == PARAM and not camel(base).endswith("Param") else ""
        if self._is_object(target):
            name = self._names[key] = self.unique(camel(base) + suffix)
            self._object_class(name, target, side, depth)
            return name
        # a named enum, union, array...: an alias, so it is written once
        name = self._names[key] = self.unique(camel(base) + suffix)
        text = self._inline(target, side, camel(base), depth + 1)
        self.blocks.append(f"{name}: TypeAlias = {text}\n")
        return name

    def _inline(self, schema: Dict[str, Any], side: str, where: str, depth: int) -> str:
        nullable = bool(schema.get("nullable"))
        if "const" in schema:
            lit = literal(schema["const"])
            if lit is not None:
                return f"Literal[{lit}]"
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            lits = [literal(v) for v in enum]
            if all(lit is not None for lit in lits):
                members = [m for m in dict.fromkeys(lits) if m != "None"]  # type: ignore[arg-type]
                parts = [f"Literal[{', '.join(members)}]"] if members else []
                if "None" in lits or nullable:
                    parts.append("None")
                return union(parts)
        for key in ("oneOf", "anyOf"):
            members = schema.get(key)
            if isinstance(members, list) and members:
                several = sum(1 for m in members if not _is_null(self.spec.resolve(m))) > 1
                parts = [self.annotation(m, side, where + _variant_name(m, i) if several else where, depth + 1)
                         for i, m in enumerate(members)]
                own = self._own_type(schema, side, where, depth, without=(key,))
                if own not in ("Any", "None") and not self._is_object(schema):
                    parts = [own] if all(p == "Any" for p in parts) else parts
                if nullable:
                    parts.append("None")
                return union(_merge_literals([p for q in parts for p in _split_top(q)]))
        all_of = schema.get("allOf")
        if isinstance(all_of, list) and all_of:
            rest = {k: v for k, v in schema.items() if k not in ("allOf", "description", "title")}
            if len(all_of) == 1 and not rest.get("properties"):
                text = self.annotation(all_of[0], side, where, depth + 1)
                return union([text, "None"]) if nullable else text
            if self._is_object(schema):
                name = self._inline_class(schema, side, where, depth)
                return union([name, "None"]) if nullable else name
        text = self._own_type(schema, side, where, depth)
        return union([text, "None"]) if nullable and text != "Any" else text

    def _own_type(self, schema: Dict[str, Any], side: str, where: str, depth: int,
                  without: Tuple[str, ...] = ()) -> str:
        types = schema.get("type")
        if isinstance(types, list):
            parts = [self._one_type(t, schema, side, where, depth) for t in types if isinstance(t, str)]
            return union(parts) if parts else "Any"
        if isinstance(types, str):
            return self._one_type(types, schema, side, where, depth)
        if self._is_object(schema):
            return self._one_type("object", schema, side, where, depth)
        if "items" in schema:
            return self._one_type("array", schema, side, where, depth)
        return "Any"

    def _one_type(self, kind: str, schema: Dict[str, Any], side: str, where: str, depth: int) -> str:
        if kind == "string":
            if schema.get("format") == "binary":
                return "Any" if side == PARAM else "bytes"
            return "str"
        if kind == "integer":
            return "int"
        if kind == "number":
            return "float"
        if kind == "boolean":
            return "bool"
        if kind == "null":
            return "None"
        if kind == "array":
            items = schema.get("items")
            inner = self.annotation(items, side, where + "Item", depth + 1) if isinstance(items, dict) else "Any"
            return f"list[{inner}]"
        if kind == "object":
            if self._has_properties(schema):
                return self._inline_class(schema, side, where, depth)
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                return f"dict[str, {self.annotation(extra, side, where + 'Value', depth + 1)}]"
            return "dict[str, Any]"
        return "Any"

    # ------------------------------------------------------------ objects
    def _has_properties(self, schema: Dict[str, Any]) -> bool:
        return isinstance(schema.get("properties"), dict) and bool(schema["properties"])

    def _is_object(self, schema: Dict[str, Any]) -> bool:
        """An object with named properties (its own or through ``allOf``)."""
        if self._has_properties(schema):
            return True
        parts = schema.get("allOf")
        if isinstance(parts, list) and len(parts) > 1:
            return any(isinstance(self.spec.resolve(p), dict) and self._is_object(self.spec.resolve(p))
                       for p in parts)
        return False

    def _inline_class(self, schema: Dict[str, Any], side: str, where: str, depth: int) -> str:
        key = (side, id(schema))
        if key in self._names:
            return self._names[key]
        self._keep.append(schema)
        name = self._names[key] = self.unique(where + ("Param" if side == PARAM else ""))
        self._object_class(name, schema, side, depth)
        return name

    def properties(self, schema: Any, depth: int = 0) -> Tuple[Dict[str, Any], Set[str]]:
        """The properties (name -> raw schema) and required names of an object
        schema, ``allOf`` parts merged."""
        props: Dict[str, Any] = {}
        required: Set[str] = set()
        node = self.spec.resolve(schema)
        if not isinstance(node, dict) or depth > 8:
            return props, required
        for part in node.get("allOf") or ():
            p, r = self.properties(part, depth + 1)
            props.update(p)
            required |= r
        own = node.get("properties")
        if isinstance(own, dict):
            props.update((k, v) for k, v in own.items() if isinstance(k, str))
        required |= {r for r in node.get("required") or () if isinstance(r, str)}
        return props, required

    def _object_class(self, name: str, schema: Dict[str, Any], side: str, depth: int) -> None:
        props, required = self.properties(schema)
        at = len(self.blocks)
        self.blocks.append("")  # its place: classes come before the ones they need, as first reached
        fields = []
        for prop, sub in props.items():
            text = self.annotation(sub, side, name.removesuffix("Param") + camel(prop), depth + 1)
            fields.append((prop, text, prop in required))
        if side == MODEL:
            lines = [f"class {name}(_Model):"]
            for prop, text, req in fields:
                if not prop.isidentifier() or keyword.iskeyword(prop) or prop in _DICT_NAMES or prop in SHADOWING:
                    continue
                lines.append(f"    {prop}: {text if req else union([text, 'None'])}")
            if len(lines) == 1:
                lines.append("    pass")
            self.blocks[at] = "\n".join(lines) + "\n"
            return
        self.blocks[at] = typed_dict(name, [(p, t, r) for p, t, r in fields])


def typed_dict(name: str, fields: List[Tuple[str, str, bool]], base: str = "TypedDict") -> str:
    """A ``TypedDict`` class (``total=False``, required keys ``Required``);
    the functional form when a key is not an identifier."""
    if all(p.isidentifier() and not keyword.iskeyword(p) and p not in SHADOWING for p, _t, _r in fields):
        lines = [f"class {name}({base}, total=False):"]
        lines += [f"    {p}: {f'Required[{t}]' if r else t}" for p, t, r in fields]
        if len(lines) == 1:
            lines.append("    pass")
        return "\n".join(lines) + "\n"
    items = ", ".join(f"{p!r}: {f'Required[{t}]' if r else t}" for p, t, r in fields)
    if base != "TypedDict":  # the functional form has no base: the base's keys come along
        return (f"{name}_Keys = TypedDict({name + '_Keys'!r}, {{{items}}}, total=False)\n"
                f"class {name}({base}, {name}_Keys):\n    pass\n")
    return f"{name} = TypedDict({name!r}, {{{items}}}, total=False)\n"
