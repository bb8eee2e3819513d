"""The loaded spec: one self-contained, repaired OpenAPI document and what the
client derives from it (operations, servers, security schemes).

Loading, bundling of multi-file documents and the on-disk cache live in
:mod:`.load` and :mod:`.cache`; known defects of real-world specs are fixed in
:mod:`.repair`.  This module only holds the result and answers questions about
it, cheaply: :class:`Spec` builds its :class:`~openapi_dyn.Operation`
objects on first use and each of those parses its own parameters lazily.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional
from .._errors import SpecError
from . import pointer as _pointer
from .walk import METHODS
from .walk import operations as path_operations

#: The fixed methods of a Path Item Object (3.2 adds ``query``; ``additionalOperations`` add any).
HTTP_METHODS = METHODS


class Spec:
    """An OpenAPI 3.x document ready for calls.

    ``document`` is the repaired document (every ``$ref`` local), ``repairs``
    what the repair step changed in it (a list of ``Repair(pointer, action)``),
    ``origin`` where it came from, ``version`` ``"3.0"``, ``"3.1"`` or ``"3.2"``.
    """

    def __init__(self, source: Any = "openai", *, cache: bool = True, strict: bool = False):
        from .load import load_spec

        loaded = load_spec(source, cache=cache, strict=strict)
        self.cache_enabled = cache  # texts derived from the spec are cached alike
        self.document: Dict[str, Any] = loaded.document
        self.repairs: list = list(loaded.repairs)
        self.origin: str = loaded.origin
        self.content_hash: str = loaded.content_hash
        self.bundled_name: Optional[str] = getattr(loaded, "bundled_name", None)
        #: what the document was written in: "openapi-3.x" or "swagger-2.0" (converted at load)
        self.source_format: str = getattr(loaded, "source_format", "openapi-3.x")
        #: what converting it to OpenAPI 3 did, as ``Repair(pointer, action)`` (empty for OpenAPI)
        self.conversions: list = list(getattr(loaded, "conversions", ()))
        raw_version = str(self.document.get("openapi", ""))
        self.version = raw_version[:3]
        self._operations: Optional[Dict[str, Any]] = None
        self._schema_path = None

    # ------------------------------------------------------------ basics
    @property
    def info(self) -> Dict[str, Any]:
        return self.document.get("info") or {}

    @property
    def title(self) -> str:
        return str(self.info.get("title") or "untitled")

    def __repr__(self) -> str:
        return f"<Spec {self.title!r} {self.info.get('version', '')} from {self.origin}: {len(self.operations)} operations>"

    def resolve(self, node: Any, _seen: int = 0) -> Any:
        """Follow a local ``$ref`` (repeatedly) and return what it points at."""
        while isinstance(node, dict) and "$ref" in node:
            node = self.pointer(node["$ref"])
            _seen += 1
            if _seen > 64:
                raise SpecError("$ref chain too long or circular", node.get("$ref") if isinstance(node, dict) else None)
        return node

    def pointer(self, ref: str) -> Any:
        """The node at a local JSON pointer ``#/a/b``."""
        if not ref.startswith("#"):
            raise SpecError(f"$ref {ref!r} is not local after bundling", ref)
        try:
            return _pointer.walk(self.document, ref)[0]
        except (LookupError, ValueError):
            raise SpecError(f"$ref {ref!r} does not resolve", ref) from None

    @property
    def schema_path(self):
        """The document as a :class:`jsonschema_path.SchemaPath` for openapi-core
        (built on first validation, not at load)."""
        if self._schema_path is None:
            from jsonschema_path import SchemaPath

            self._schema_path = SchemaPath.from_dict(self.document)
        return self._schema_path

    # -------------------------------------------------------- operations
    @property
    def operations(self) -> Dict[str, Any]:
        """operationId -> :class:`~openapi_dyn.Operation`, in document order."""
        if self._operations is None:
            self._operations = self._build_operations()
        return self._operations

    def _build_operations(self) -> Dict[str, Any]:
        from .._operation import Operation, synthesize_operation_id

        ops: Dict[str, Any] = {}
        paths = self.document.get("paths") or {}
        for path, item in paths.items():
            item = self.resolve(item)
            if not isinstance(item, dict):
                continue
            for method, place, raw in path_operations(item):
                op_id = raw.get("operationId")
                if not isinstance(op_id, str) or not op_id:
                    op_id = synthesize_operation_id(method, path)
                if op_id in ops:
                    # Duplicate operationIds break call-by-name; keep the first,
                    # give the later one a unique name and say so.
                    new_id = synthesize_operation_id(method, path)
                    if new_id in ops:
                        new_id = f"{op_id}_{len(ops)}"
                    self.repairs.append(_repair(
                        _pointer.join("#/paths", path) + f"/{place}/operationId",
                        f"duplicate operationId {op_id!r} renamed to {new_id!r}"))
                    op_id = new_id
                ops[op_id] = Operation(self, op_id, method, path, raw, item, place)
        return ops

    def servers(self, operation=None) -> List[Dict[str, Any]]:
        """The Server Objects that apply to ``operation`` (operation level, then
        path level, then document level)."""
        if operation is not None:
            for holder in (operation.raw, operation.path_item):
                if holder.get("servers"):
                    return holder["servers"]
        return self.document.get("servers") or [{"url": "/"}]

    @property
    def security_schemes(self) -> Dict[str, Dict[str, Any]]:
        comps = self.document.get("components") or {}
        return {k: self.resolve(v) for k, v in (comps.get("securitySchemes") or {}).items()}


def _repair(pointer: str, action: str):
    try:
        from .repair import Repair
        return Repair(pointer, action)
    except ImportError:  # pragma: no cover - repair module always ships
        return (pointer, action)
