"""Discriminator analysis: can a discriminator tell the alternatives of its
``oneOf``/``anyOf`` apart exactly as the alternatives themselves do?

openapi-core's validator, given a discriminator, validates a payload against
the one schema its ``mapping`` (or the implicit mapping by schema name)
selects, and never against the ``oneOf``/``anyOf``.  The answer decides what
the repair rule (:meth:`.repair._Repairer._fix_discriminator`) does: add the
mapping entries the implicit mapping cannot resolve, or remove the
discriminator.  Working it out means reading every alternative's possible
values of the discriminating property; that reading is kept here, apart
from the rules, and changes nothing.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from .pointer import to_fragment
from .schema_facts import MISSING, UNMAPPABLE, SchemaFacts, is_pure_ref

__all__ = ["analyse"]


def analyse(facts: SchemaFacts, ptr: str, schema: Dict[str, Any], key: str, prop: str,
            mapping: Dict[str, str]) -> Tuple[Optional[str], Dict[str, str]]:
    """``(problem, added)`` for the discriminator of ``schema`` (at ``ptr``)
    on property ``prop``, over its ``key`` (``"oneOf"`` or ``"anyOf"``), whose
    explicit ``mapping`` is already resolvable.

    ``problem`` says why no mapping can cover every payload the alternatives
    accept (an alternative that accepts non-objects, does not require
    ``prop``, has no derivable value and is not reachable by name; a value
    shared by two alternatives or that cannot be a mapping key); ``None``
    when a mapping can.  ``added`` is then the entries (value -> ``$ref``)
    the mapping needs beyond the explicit and implicit ones.
    """
    problem = None
    claims: Dict[Any, List[int]] = {}
    targets: List[str] = []
    explicit_targets = {id(facts.resolve(t)) for t in mapping.values()}
    for i, member in enumerate(schema[key]):
        if is_pure_ref(member) and isinstance(member["$ref"], str):
            target = member["$ref"]
        else:
            target = to_fragment(f"{ptr}/{key}/{i}")
        targets.append(target)
        resolved = facts.resolve(target)
        if facts.accepts_non_object(member):
            problem = f"alternative {i} accepts values that are not objects"
            break
        if not facts.requires(member, prop, set()):
            problem = f"alternative {i} does not require {prop!r}"
            break
        values = facts.prop_values(member, prop, set())
        if not values:
            # reachable through the implicit mapping: the value is the schema's name
            named = resolved is not MISSING and target.startswith("#/components/schemas/") and not (
                set(target[len("#/components/schemas/"):]) & set("~%/"))
            if id(resolved) in explicit_targets or named:
                continue
            problem = f"no value of {prop!r} can be derived for alternative {i}"
            break
        for value in values:
            claims.setdefault(value, []).append(i)
    added: Dict[str, str] = {}
    if problem is None:
        for value, members in sorted(claims.items(), key=lambda kv: (kv[0] is UNMAPPABLE, str(kv[0]))):
            if isinstance(value, str) and value in mapping:
                continue
            if value is UNMAPPABLE or not isinstance(value, str) or value == "":
                problem = f"value {value!r} of {prop!r} cannot be a mapping key" if value is not UNMAPPABLE \
                    else f"a value of {prop!r} cannot be a mapping key"
                break
            if len(members) > 1:
                problem = f"value {value!r} of {prop!r} is allowed by alternatives {members}"
                break
            target = targets[members[0]]
            if facts.resolve("#/components/schemas/" + value) is not facts.resolve(target):
                added[value] = target
    return problem, added
