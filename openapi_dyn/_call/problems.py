"""jsonschema errors (as openapi-core reports them) turned into located
:class:`~openapi_dyn.ValidationProblem`\\ s that name the real problem.

jsonschema says *that* a value failed and keeps the rest in the error: which
keyword, where in the instance, and, for ``oneOf``/``anyOf``, every
alternative's own errors in ``context`` (each sub-error's schema path starts
with the index of its alternative).  This module reads that to say *what* is
wrong, in the words of the API rather than of JSON Schema:

* a missing required property is reported at its own name
  (``body.model: required property is missing``), an unexpected one likewise;
* bounds are stated with their numbers (``too many items: 2049 > 2048 allowed``);
* a union that matched nothing is explained by the alternative the value was
  meant for: the one whose discriminating property (a ``const``/``enum`` such
  as ``type``) accepts the value's, else the one that got furthest (the
  value's kind accepted, fewest problems); its problems are all reported,
  the ones nearest the top first, so ``too many items`` comes before anything
  about a single item.  When no alternative accepts the discriminating value,
  the values accepted across all of them are listed.

It runs only when validation has already failed; a valid call never gets here.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Sequence

from .._errors import ValidationProblem
from .._spec.pointer import walk

_UNIONS = ("oneOf", "anyOf")


def format_location(prefix: str, path: Iterable[Any]) -> str:
    """``body`` + ``["messages", 0, "role"]`` -> ``body.messages[0].role``."""
    out = prefix
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and part.replace("_", "a").replace("-", "a").isalnum():
            out += f".{part}"
        else:
            out += f"[{part!r}]"
    return out


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _values(values: Sequence[Any]) -> str:
    return ", ".join(_short(v, 40) for v in values)


def _accepted(prop: str) -> str:
    """What the values of a discriminating property are called: ``types``,
    ``roles``; ``values of status`` where a plural would be a guess."""
    if prop.isalpha() and prop.islower() and not prop.endswith("s"):
        return prop + "s"
    return f"values of {prop}"


def unique(problems: Iterable[ValidationProblem]) -> List[ValidationProblem]:
    """``problems`` in order, each reported once (the same location and
    message can come from several branches of an ``allOf``)."""
    return list(dict.fromkeys(problems))


def translate_all(errors: Iterable[Any], prefix: str, document: Any = None) -> List[ValidationProblem]:
    """Every error of one validation -> its problems, each once.

    Wording a message never hides the problem: should an error's shape
    surprise :func:`translate`, it is reported where jsonschema puts it, in
    jsonschema's words.
    """
    problems: List[ValidationProblem] = []
    for error in errors:
        try:
            problems.extend(translate(error, prefix, document))
        except Exception:  # noqa: BLE001 - the problem still has to be named
            problems.append(ValidationProblem(format_location(prefix, error.absolute_path), error.message))
    return unique(problems)


def translate(error, prefix: str, document: Any = None) -> List[ValidationProblem]:
    """One jsonschema error -> located problems (see the module docstring).

    ``document`` is the spec the schemas come from: a ``$ref`` left in an
    alternative is looked up there when the values it accepts are listed.
    """
    kind = error.validator
    path = list(error.absolute_path)
    if kind == "required" and isinstance(error.instance, dict):
        missing = [p for p in (error.validator_value or []) if p not in error.instance]
        if missing:
            return [ValidationProblem(format_location(prefix, path + [m]), "required property is missing")
                    for m in missing]
    if kind in ("additionalProperties", "unevaluatedProperties") and isinstance(error.instance, dict):
        allowed = set((error.schema or {}).get("properties") or {})
        extra = [k for k in error.instance if k not in allowed]
        if extra and error.validator_value is False:
            return [ValidationProblem(format_location(prefix, path + [k]), "unexpected property (not in the schema)")
                    for k in extra]
    if kind in _UNIONS:
        return unique(_translate_union(error, prefix, path, document))
    return [ValidationProblem(format_location(prefix, path), _message(error))]


def _message(error) -> str:
    """The message of one keyword's failure, with its numbers."""
    kind, value, instance = error.validator, error.validator_value, error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    if kind == "enum":
        return f"{_short(instance)} is not one of {value!r}"
    if kind == "const":
        return f"expected {_short(value)}, got {_short(instance)}"
    if kind == "type":
        types = value if isinstance(value, list) else [value]
        return f"{_short(instance)} is not of type " + " or ".join(repr(t) for t in types)
    if kind in ("maxItems", "minItems") and isinstance(instance, list):
        if kind == "maxItems":
            return f"too many items: {len(instance)} > {value} allowed"
        return f"too few items: {len(instance)} < {value} required"
    if kind in ("maxLength", "minLength") and isinstance(instance, str):
        if kind == "maxLength":
            return f"too long: {len(instance)} characters > {value} allowed"
        return f"too short: {len(instance)} characters < {value} required"
    if kind in ("maxProperties", "minProperties") and isinstance(instance, dict):
        if kind == "maxProperties":
            return f"too many properties: {len(instance)} > {value} allowed"
        return f"too few properties: {len(instance)} < {value} required"
    if kind in ("maximum", "exclusiveMaximum"):
        # 3.0 (draft 4) spells an exclusive bound as ``exclusiveMaximum: true``
        # beside ``maximum``; 3.1 as ``exclusiveMaximum: <number>``.
        if kind == "maximum" and schema.get("exclusiveMaximum") is not True:
            return f"too large: {_short(instance)} > {value} (maximum)"
        bound = schema.get("maximum") if isinstance(value, bool) else value
        return f"too large: {_short(instance)} >= {bound} (exclusive maximum)"
    if kind in ("minimum", "exclusiveMinimum"):
        if kind == "minimum" and schema.get("exclusiveMinimum") is not True:
            return f"too small: {_short(instance)} < {value} (minimum)"
        bound = schema.get("minimum") if isinstance(value, bool) else value
        return f"too small: {_short(instance)} <= {bound} (exclusive minimum)"
    if kind == "pattern" and isinstance(instance, str):
        return f"{_short(instance)} does not match {value!r}"
    if kind == "format" and isinstance(instance, str) and isinstance(value, str):
        return f"{_short(instance)} is not a valid {value!r}"
    if kind == "multipleOf":
        return f"{_short(instance)} is not a multiple of {value}"
    return error.message


# ------------------------------------------------------------------ unions
def _by_alternative(context) -> Dict[int, list]:
    """A union's sub-errors grouped by the alternative they belong to."""
    groups: Dict[int, list] = {}
    for sub in context:
        rel = sub.relative_schema_path
        index = rel[0] if rel and isinstance(rel[0], int) else -1
        groups.setdefault(index, []).append(sub)
    return groups


def _kind_mismatch(errors, path: list) -> bool:
    """True if the alternative rejected the value for its kind (a string
    where it takes an object), not for something inside it."""
    for e in errors:
        if list(e.absolute_path) != path:
            continue
        if e.validator == "type":
            return True
        if e.validator in ("enum", "const") and not _kind_accepted(e):
            return True
        if e.validator in _UNIONS:
            if not e.context:
                if _discriminator_wants_object(e):
                    return True
                continue
            if all(_kind_mismatch(g, path) for g in _by_alternative(e.context).values()):
                return True
    return False


def _kind(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "boolean" if isinstance(value, bool) else "null"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", dict: "object", list: "array"}.get(type(value), "other")


def _kind_accepted(error) -> bool:
    """Whether a ``const``/``enum`` failure lists a value of the
    instance's own kind (an object is never one of a list of strings)."""
    values = _selector_values(error) or []
    return _kind(error.instance) in {_kind(v) for v in values}


def _discriminator_wants_object(error) -> bool:
    schema = error.schema if isinstance(error.schema, dict) else {}
    return "discriminator" in schema and not isinstance(error.instance, dict)


def _types(errors, path: list) -> List[str]:
    """The kinds the alternatives in ``errors`` would have taken."""
    out: List[str] = []
    for e in errors:
        if list(e.absolute_path) != path:
            continue
        if e.validator == "type":
            vv = e.validator_value
            out.extend(vv if isinstance(vv, list) else [vv])
        elif e.validator in ("enum", "const"):
            out.extend(_kind(v) for v in _selector_values(e) or [])
        elif e.validator in _UNIONS:
            if e.context:
                out.extend(_types(e.context, path))
            elif _discriminator_wants_object(e):
                out.append("object")
    return out


def _selector_values(error) -> Optional[List[Any]]:
    """The values ``error`` says its property accepts, if it is a
    ``const``/``enum`` failure (or a union of those and ``null``)."""
    if error.validator == "enum" and isinstance(error.validator_value, list):
        return list(error.validator_value)
    if error.validator == "const":
        return [error.validator_value]
    if error.validator in _UNIONS and error.context:
        found: List[Any] = []
        for group in _by_alternative(error.context).values():
            got = [v for e in group for v in (_selector_values(e) or [])]
            if not got and not all(e.validator == "type" and e.validator_value == "null" for e in group):
                return None  # an alternative not limited to a few values
            found.extend(got)
        return found or None
    return None


def _deref(node: Any, document: Any, depth: int = 0) -> Any:
    """``node``, or what its local ``$ref`` points at in ``document``."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and depth < 8:
        ref = node["$ref"]
        if not ref.startswith("#") or document is None:
            return node
        try:
            node, _ = walk(document, ref)
        except (LookupError, ValueError):
            return None
        depth += 1
    return node


def _schema_values(schema: Any, prop: str, document: Any, depth: int = 0) -> List[Any]:
    """The ``const``/``enum`` values an alternative's schema gives ``prop``
    (looking through ``allOf`` and local ``$ref``\\ s: the schemas may be the
    document's own or ones prepared with their ``$ref``\\ s resolved)."""
    schema = _deref(schema, document)
    if not isinstance(schema, dict) or depth > 8:
        return []
    out: List[Any] = []
    node = _deref((schema.get("properties") or {}).get(prop), document)
    if isinstance(node, dict):
        members = [_deref(n, document) for key in _UNIONS for n in node.get(key) or []]
        for sub in [node] + members:
            if not isinstance(sub, dict):
                continue
            if "const" in sub:
                out.append(sub["const"])
            elif sub.get("enum"):
                out.extend(sub["enum"])
            elif sub is not node and sub.get("type") != "null":
                return []  # a member not limited to a few values
    for sub in schema.get("allOf") or []:
        out.extend(_schema_values(sub, prop, document, depth + 1))
    return out


def _ordered_unique(values: Iterable[Any]) -> List[Any]:
    out: List[Any] = []
    for v in values:
        if v is not None and v not in out:
            out.append(v)
    return out


def _alternative_schemas(error) -> List[Any]:
    value = error.validator_value
    return list(value) if isinstance(value, list) else []


def _translate_union(error, prefix: str, path: list, document: Any) -> List[ValidationProblem]:
    """A value that matched none (or, for oneOf, several) of the alternatives.

    In order: a discriminator that stopped before trying any alternative;
    a value of a kind no alternative takes (its kinds listed); values that
    are only not in any alternative's ``enum`` (all of them listed); a
    selecting property whose value no alternative accepts, or that is
    missing (the accepted values listed); otherwise the problems of the
    best alternative: the fewest selecting properties against it, then the
    fewest problems, then the deepest, then the first.
    """
    instance = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    disc = schema.get("discriminator")
    if isinstance(disc, dict) and disc.get("propertyName") and not error.context:
        found = _discriminator_problem(error, disc, prefix, path, document)
        if found:
            return found
    context = list(error.context or [])
    if not context:
        if error.validator == "oneOf" and "is valid under each of" in str(error.message):
            return [ValidationProblem(format_location(prefix, path),
                                      f"{_short(instance)} matches more than one alternative (oneOf)")]
        return [ValidationProblem(format_location(prefix, path),
                                  f"{_short(instance)} matches none of the allowed alternatives ({error.validator})")]
    groups = _by_alternative(context)
    pool = {i: errs for i, errs in groups.items() if not _kind_mismatch(errs, path)}
    if not pool:
        names = " or ".join(repr(t) for t in dict.fromkeys(_types(context, path)))
        if names:
            return [ValidationProblem(format_location(prefix, path), f"{_short(instance)} is not of type {names}")]
        pool = groups
    merged = _merged_values(pool, path)
    if merged:
        return [ValidationProblem(format_location(prefix, path), f"{_short(instance)} is not one of {merged!r}")]
    failing: Dict[int, set] = {i: set() for i in pool}
    if isinstance(instance, dict) and len(pool) > 1:
        found = _selector_problem(error, pool, failing, prefix, path, document)
        if found:
            return found
    best = max(pool, key=lambda i: (-len(failing[i]), -len(pool[i]),
                                    max(len(e.absolute_path) for e in pool[i]), -i))
    ordered = sorted(pool[best], key=lambda e: len(e.absolute_path))
    return [p for e in ordered for p in translate(e, prefix, document)]


def _merged_values(pool: Dict[int, list], path: list) -> List[Any]:
    """If every alternative only rejects the value itself for not being one
    of its ``const``/``enum`` values: all those values, else nothing."""
    values: List[Any] = []
    for errs in pool.values():
        for e in errs:
            if list(e.absolute_path) != path or e.validator not in ("enum", "const"):
                return []
            values.extend(_selector_values(e) or [])
    return _ordered_unique(values) if len(pool) > 1 else []


def _selector_problem(error, pool: Dict[int, list], failing: Dict[int, set],
                      prefix: str, path: list, document: Any) -> List[ValidationProblem]:
    """Find the properties that select an alternative (a ``const``/``enum``
    failing directly below the union's value) and which alternatives each
    one rules out (filling ``failing``).  If one of them rules out every
    alternative, that is the problem: report it with the values accepted."""
    instance = error.instance
    depth = len(path)
    values: Dict[str, List[Any]] = {}
    for errs in pool.values():
        for e in errs:
            p = list(e.absolute_path)
            if len(p) == depth + 1 and p[:depth] == path and isinstance(p[-1], str):
                got = _selector_values(e)
                if got is not None:
                    values.setdefault(p[-1], []).extend(got)
    required_missing: Dict[int, set] = {}
    for i, errs in pool.items():
        for e in errs:
            p = list(e.absolute_path)
            if len(p) == depth + 1 and p[:depth] == path and p[-1] in values:
                if _selector_values(e) is not None:
                    failing[i].add(p[-1])
            elif e.validator == "required" and p == path:
                missing = {q for q in (e.validator_value or []) if q not in instance}
                required_missing.setdefault(i, set()).update(missing)
                failing[i].update(q for q in missing if q in values)
    alternatives = _alternative_schemas(error)
    # A selecting property every alternative rejects the value of.
    everywhere = [q for q in values if q in instance and all(q in failing[i] for i in pool)]
    if everywhere:
        q = "type" if "type" in everywhere else everywhere[0]
        accepted = list(values[q])
        for i in pool:
            if 0 <= i < len(alternatives):
                accepted.extend(_schema_values(alternatives[i], q, document))
        accepted = _ordered_unique(accepted)
        return [ValidationProblem(format_location(prefix, path + [q]),
                                  f"{_short(instance[q])} is not one of the accepted {_accepted(q)}: "
                                  f"{_values(accepted)}")]
    # A selecting property left out, that every alternative requires.
    if pool and all(i in required_missing for i in pool):
        shared = set.intersection(*(required_missing[i] for i in pool))
        for q in sorted(shared, key=lambda q: (q != "type", q)):
            accepted = _ordered_unique(v for i in pool if 0 <= i < len(alternatives)
                                       for v in _schema_values(alternatives[i], q, document))
            if accepted:
                return [ValidationProblem(format_location(prefix, path + [q]),
                                          f"required property is missing (accepted {_accepted(q)}: "
                                          f"{_values(accepted)})")]
    return []


def _discriminator_problem(error, disc: dict, prefix: str, path: list, document: Any) -> List[ValidationProblem]:
    """openapi-core's discriminator handling failed before trying any
    alternative: the value is not an object, lacks the property, or names
    no alternative."""
    instance = error.instance
    prop = disc["propertyName"]
    if not isinstance(instance, dict):
        return [ValidationProblem(format_location(prefix, path), f"{_short(instance)} is not of type 'object'")]
    accepted = list((disc.get("mapping") or {}).keys())
    if not accepted:
        accepted = _ordered_unique(v for alt in _alternative_schemas(error)
                                   for v in _schema_values(alt, prop, document))
    where = format_location(prefix, path + [prop])
    listed = f"accepted {_accepted(prop)}: {_values(accepted)}" if accepted else ""
    if prop not in instance:
        return [ValidationProblem(where, "required property is missing" + (f" ({listed})" if listed else ""))]
    if accepted and instance[prop] not in accepted:
        return [ValidationProblem(where, f"{_short(instance[prop])} is not one of the {listed}")]
    return []
