"""What a client offers for finding operations: ``client.operations`` (the
:class:`Operations` mapping, with lookups by tag and ranked search by words)
and ``client.ops`` (:class:`OperationNamespace`, every operation as a method,
including those a method of the client shadows).  Apart from the client
because it is about the spec's operations, not about calling them."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Mapping

from ._errors import UnknownOperationError

if TYPE_CHECKING:  # for annotations only
    from ._client import BaseClient


class Operations(Mapping):
    """operationId -> :class:`~openapi_dyn.Operation`, in spec order,
    with lookups by tag and by words."""

    def __init__(self, ops: Dict[str, Any]):
        self._ops = ops

    def __getitem__(self, key: str):
        return self._ops[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._ops)

    def __len__(self) -> int:
        return len(self._ops)

    def __repr__(self) -> str:
        return f"<Operations: {len(self._ops)}>"

    @property
    def tags(self) -> List[str]:
        """Every tag used, in first-seen order."""
        seen: Dict[str, None] = {}
        for op in self._ops.values():
            for t in op.tags:
                seen.setdefault(t, None)
        return list(seen)

    def by_tag(self, tag: str) -> List[Any]:
        """Operations carrying ``tag`` (case-insensitive)."""
        tag = tag.lower()
        return [op for op in self._ops.values() if any(t.lower() == tag for t in op.tags)]

    def search(self, words: str) -> List[Any]:
        """Operations whose operationId, summary, description, path or tags
        contain every word of ``words`` (case-insensitive), best first: the
        words found together in the operationId (``vector store`` in
        ``createVectorStore``), then matches in the operationId's own words,
        the summary, the path and the tags; matches only in the description
        come last; spec order breaks ties."""
        terms = [w.lower() for w in words.split() if w]
        if not terms:
            return list(self._ops.values())
        joined = "".join(terms)
        scored = []
        for n, op in enumerate(self._ops.values()):
            op_id = op.operation_id.lower()
            id_words = set(_words(op.operation_id))
            summary, path, tags = op.summary.lower(), op.path.lower(), " ".join(op.tags).lower()
            head = f"{op_id} {summary} {path} {tags}"
            if all(t in head for t in terms):
                score = 10.0 if joined in op_id.replace("_", "").replace("-", "") else 0.0
                for t in terms:
                    score += (3 if t in id_words or t.rstrip("s") in id_words else 1.5 if t in op_id else 0)
                    score += (2 if t in summary else 0) + (1 if t in path else 0) + (0.5 if t in tags else 0)
                # fewer extra words in the operationId: the closer match
                score -= 0.1 * max(0, len(id_words) - len(terms))
                scored.append((-score, n, op))
            elif all(t in head or t in op.description.lower() for t in terms):
                scored.append((0.0, n, op))
        return [op for _, _, op in sorted(scored, key=lambda x: (x[0], x[1]))]


def _words(name: str) -> List[str]:
    """``createVectorStoreFile`` -> ``["create", "vector", "store", "file"]``."""
    import re

    return [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name)]


class OperationNamespace:
    """``client.ops.<operationId>``: every operation as a method, whatever
    it is called, including operationIds that a :class:`Client` method
    already uses (``search``, ``send``, ``close``...) and those that are not
    identifiers (``client.ops["admin-api-keys-list"]`` or its alias)."""

    __slots__ = ("_client",)

    def __init__(self, client: "BaseClient"):
        self._client = client

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._client._method_for(name)

    def __getitem__(self, name: str):
        try:
            return self._client._method_for(name)
        except UnknownOperationError as exc:
            raise KeyError(str(exc)) from None

    def __dir__(self) -> List[str]:
        return sorted(set(self._client.spec.operations) | set(self._client._alias_map(shadowing=True)))

    def __iter__(self) -> Iterator[str]:
        return iter(self._client.spec.operations)

    def __repr__(self) -> str:
        return f"<operations of {self._client.spec.title!r}: {len(self._client.spec.operations)}>"


#: The options of ``request()`` that belong to ``send()``.
