"""JSON pointers into a document (RFC 6901), as they appear in ``$ref``
fragments: ``#/components/schemas/Pet``, ``#/paths/~1pets~1{id}/get``.

One reading for every module that follows a pointer (the loader, the repair
step, overlays, the validators), so they can never disagree on ``~1``, ``~0``
or percent-encoding: the fragment is percent-decoded first, then split, then
each token unescaped.
"""
from __future__ import annotations

from typing import Any, List, Tuple
from urllib.parse import quote, unquote


def tokens(ref: str) -> List[str]:
    """``"#/a/b~1c"`` -> ``["a", "b/c"]``; ``"#"`` -> ``[]``.  Raises
    ``ValueError`` for a fragment that is not a JSON pointer (``#Pet``)."""
    fragment = unquote(ref[1:] if ref.startswith("#") else ref)
    if not fragment:
        return []
    if not fragment.startswith("/"):
        raise ValueError(f"{ref!r} is not a JSON pointer")
    return [unescape(t) for t in fragment[1:].split("/")]


def walk(document: Any, ref: str) -> Tuple[Any, List[Any]]:
    """``(node, steps)``: the node ``ref`` points at in ``document`` and the
    keys taken to reach it (``int`` for list items).  Raises ``LookupError``
    when it points at nothing, ``ValueError`` when it is not a pointer."""
    node = document
    steps: List[Any] = []
    for token in tokens(ref):
        if isinstance(node, list):
            try:
                step: Any = int(token)
                node = node[step]
            except (ValueError, IndexError):
                raise LookupError(f"{ref!r}: no item {token!r}") from None
        elif isinstance(node, dict) and token in node:
            step = token
            node = node[token]
        else:
            raise LookupError(f"{ref!r}: no {token!r}")
        steps.append(step)
    return node, steps


def escape(token: Any) -> str:
    """One reference token written into a pointer: ``"a/b~c"`` -> ``"a~1b~0c"``."""
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    """The inverse of :func:`escape`."""
    return token.replace("~1", "/").replace("~0", "~")


def join(pointer: str, *parts: Any) -> str:
    """``pointer`` with ``parts`` appended, each escaped:
    ``join("#/paths", "/pets")`` -> ``"#/paths/~1pets"``."""
    return pointer + "".join("/" + escape(p) for p in parts)


def from_tokens(parts) -> str:
    """``["paths", "/pets"]`` -> ``"/paths/~1pets"`` (no ``#``)."""
    return "".join("/" + escape(p) for p in parts)


#: What may stand unencoded in a URI fragment (RFC 3986 pchar, and "/").
_FRAGMENT_SAFE = "/~!$&'()*+,;=:@"
#: More that parsers of ``$ref`` read unencoded, and authors write so
#: (``#/paths/~1pets~1{id}``): the loader keeps them as they were written.
_AS_WRITTEN_SAFE = _FRAGMENT_SAFE + "-._{}[]|^`<>\""


def to_fragment(pointer: str, as_written: bool = False) -> str:
    """A JSON pointer (``"#/a/b c"`` or ``"/a/b c"``) as a ``$ref`` fragment
    ``"#/a/b%20c"``: characters a URI cannot hold percent-encoded.  With
    ``as_written``, also the ones ``$ref`` readers accept unencoded (``{}``,
    ``[]``...) stay as they are."""
    body = pointer[1:] if pointer.startswith("#") else pointer
    return "#" + quote(body, safe=_AS_WRITTEN_SAFE if as_written else _FRAGMENT_SAFE)


def fragment_of(parts) -> str:
    """``/a/b`` of the tokens ``parts``, percent-encoded as the loader writes
    ``$ref`` fragments (:func:`to_fragment` ``as_written``; no ``#``)."""
    return to_fragment(from_tokens(parts), as_written=True)[1:]


# A pointer being built during a walk is a chain ``(parent_chain, token)``
# (``None`` for the root): one tuple a step, no list copied per node.

def chain_tokens(chain) -> List[Any]:
    """The tokens of a chain, root first."""
    out = []
    while chain is not None:
        chain, key = chain
        out.append(key)
    out.reverse()
    return out


def chain_of(parts) -> Any:
    """The chain of a list of tokens."""
    chain = None
    for t in parts:
        chain = (chain, t)
    return chain


def target(document: Any, ref: Any, default: Any = None) -> Any:
    """What the local reference ``ref`` (``"#/..."``) points at in
    ``document``, or ``default`` when it is not a local JSON pointer or
    points at nothing: the lookup a validator does."""
    if not isinstance(ref, str) or not ref.startswith("#"):
        return default
    try:
        return walk(document, ref)[0]
    except (LookupError, ValueError):
        return default
