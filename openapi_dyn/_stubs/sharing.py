"""Which definitions of a stub module are the same as its base's.

A bundled spec that is an overlay on another (``base`` in
``schemas/bundled.json``: Groq on OpenAI, Bedrock on Anthropic) reaches
mostly the same schemas, so most of its generated classes come out exactly
as the base's.  Writing them again would copy the base's stub module per
vendor; instead :mod:`.generate` imports them from the base's module and
writes only what differs.

Identity is decided by the generated text, never by a name alone: a
definition is shared when its text is the base's word for word *and* every
class of the module it refers to is shared as well (a ``Message`` that reads
the same but names a ``Content`` the vendor changed is the vendor's own).
That is the largest set closed under the rule, found by removing, until
nothing changes, any candidate that refers to a definition outside the set.
"""
from __future__ import annotations

import re
from typing import Dict, Iterable, List, Sequence, Set, Tuple

__all__ = ["defined_names", "shared_definitions", "shared_methods"]

_DEFINED = re.compile(r"^(?:class\s+)?([A-Za-z_][A-Za-z_0-9]*)", re.M)
_WORD = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def defined_names(block: str) -> List[str]:
    """The names a definition block binds at module level (its unindented
    lines: ``class X(...)``, ``X: TypeAlias = ...``, ``X = TypedDict(...)``)."""
    return [m.group(1) for m in _DEFINED.finditer(block)]


def _words(text: str) -> Set[str]:
    return set(_WORD.findall(text))


def shared_definitions(own: Sequence[str], base: Sequence[str]) -> Set[str]:
    """The names, among those ``own`` blocks define, whose definitions can be
    imported from the module of the ``base`` blocks unchanged."""
    base_text: Dict[str, str] = {}
    for block in base:
        for name in defined_names(block):
            base_text[name] = block
    owner: Dict[str, int] = {}
    names_of: List[List[str]] = []
    for i, block in enumerate(own):
        names = defined_names(block)
        names_of.append(names)
        for name in names:
            owner[name] = i
    candidates = {i for i, block in enumerate(own)
                  if names_of[i] and all(base_text.get(n) == block for n in names_of[i])}
    refers = {i: {owner[w] for w in _words(own[i]) if w in owner} - {i} for i in candidates}
    changed = True
    while changed:  # ends: every pass but the last removes a candidate
        changed = False
        for i in sorted(candidates):
            if not refers[i] <= candidates:
                candidates.discard(i)
                changed = True
    return {name for i in candidates for name in names_of[i]}


def shared_methods(own: Iterable[Tuple[str, List[str]]], base: Iterable[Tuple[str, List[str]]],
                   local: Set[str]) -> List[str] | None:
    """The method groups a client class over its base's client class must
    write itself (differing text, or naming a definition of its own module,
    ``local``), or ``None`` when it cannot be such a subclass: it lacks a
    method the base has (a subclass cannot take one away)."""
    own_groups = dict(own)
    base_groups = dict(base)
    if not set(base_groups) <= set(own_groups):
        return None
    differ = []
    for name, lines in own_groups.items():
        text = "\n".join(lines)
        if base_groups.get(name) != lines or _words(text) & local:
            differ.append(name)
    return differ
