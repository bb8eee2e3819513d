"""Every operation of a spec as a tool a language model can call.

:func:`tool_definitions` (``client.tools()``) describes the chosen operations
in the format each consumer expects; :func:`call_tool` (``client.call_tool()``)
takes a tool call back to its operation, validates and sends it with the
client, and returns a :class:`~openapi_dyn.ToolResult` a model can read,
errors included (:mod:`._tool_calls`).

One tool per operation.  Its input schema is one JSON Schema object holding
the operation's path, query, header and cookie parameters, and its body:
flattened into the same object when that is unambiguous (a JSON, multipart or
form body that is an object of named fields, none of them called like a
parameter), else as a ``body`` property.  Parameters the client fills in by
itself (the profile's headers, ``defaults=``, ``api_version=``) are left out:
the model does not choose them.  File fields of multipart bodies and raw
binary bodies take base64 text.

This module holds the definitions: names, the input schema of each
operation (:class:`ToolShape`) and the formats; :mod:`._tool_calls` the way
back from a tool call.
"""
from __future__ import annotations

import hashlib
import re
import weakref
from typing import Any, Dict, Iterable, List, Optional, Tuple

from .._errors import UnknownOperationError, UsageError
from .._spec.operation import is_json
from .toolschema import SchemaWriter, strict_variant, trim

#: Tool names every consumer accepts (OpenAI's rule; Anthropic's and MCP's
#: are wider).
TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
#: Top-level argument names every consumer accepts (Anthropic's rule).
PROPERTY_NAME = re.compile(r"^[a-zA-Z0-9_.-]{1,64}$")
#: Characters kept of a tool's description (OpenAI's limit for a function).
TOOL_DESCRIPTION_BUDGET = 1024
FORMATS = ("openai", "openai-responses", "anthropic", "mcp")
NAMINGS = ("operationId", "snake")
#: Methods that change nothing: ``readOnlyHint``, and all that is offered
#: unless writes are allowed (``allow_write=True``) or operations are named.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "QUERY"})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "QUERY", "PUT", "DELETE"})
#: Methods that remove, replace or change what is there: ``destructiveHint``.
DESTRUCTIVE_METHODS = frozenset({"DELETE", "PUT", "PATCH"})

_FILE_SCHEMA = {"anyOf": [
    {"type": "string", "contentEncoding": "base64", "description": "the file's content, base64-encoded"},
    {"type": "object", "properties": {
        "filename": {"type": "string", "description": "the file's name (its extension may tell its type)"},
        "content_base64": {"type": "string", "contentEncoding": "base64"},
        "media_type": {"type": "string", "description": "e.g. application/pdf"}},
     "required": ["content_base64"], "additionalProperties": False}]}


# ----------------------------------------------------------------- names
def snake_case(name: str) -> str:
    """``createVectorStoreFileBatch`` -> ``create_vector_store_file_batch``,
    ``ListOpenAIKeys`` -> ``list_open_ai_keys``, ``admin-api-keys-list`` ->
    ``admin_api_keys_list``: a word starts at each lower-to-upper step and
    before the last capital of a run of capitals followed by a lower-case
    letter; anything not a letter or digit separates words."""
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    return re.sub(r"[^0-9a-zA-Z]+", "_", s).strip("_").lower()


def _base_name(operation_id: str, prefix: str, names: str) -> str:
    stem = snake_case(operation_id) if names == "snake" else operation_id
    if prefix:
        stem = prefix + ("" if prefix.endswith(("_", "-")) else "_") + stem
    name = re.sub(r"[^A-Za-z0-9_-]", "_", stem) or "tool"
    if len(name) > 64:
        name = name[:55] + "_" + hashlib.sha1(operation_id.encode()).hexdigest()[:8]
    return name


class ToolNames:
    """Tool name <-> operationId for every operation of a spec under one
    prefix and naming rule; names are unique (a clash gets a hash suffix, in
    spec order, so the same spec always gives the same names)."""

    def __init__(self, operation_ids: Iterable[str], prefix: str, names: str):
        self.by_operation: Dict[str, str] = {}
        self.by_name: Dict[str, str] = {}
        for op_id in operation_ids:
            name = _base_name(op_id, prefix, names)
            if name in self.by_name:
                name = name[:55] + "_" + hashlib.sha1(op_id.encode()).hexdigest()[:8]
            self.by_operation[op_id] = name
            self.by_name[name] = op_id


#: spec -> (prefix, naming) -> its ToolNames (dropped with the spec)
_NAMES: "weakref.WeakKeyDictionary[Any, Dict[Tuple[str, str], ToolNames]]" = weakref.WeakKeyDictionary()


def tool_names(spec, prefix: str = "", names: str = "operationId") -> ToolNames:
    """The :class:`ToolNames` of ``spec`` (made once per spec)."""
    if names not in NAMINGS:
        raise UsageError(f"names= must be one of {', '.join(NAMINGS)}, not {names!r}")
    cache = _NAMES.get(spec)
    if cache is None:
        cache = _NAMES.setdefault(spec, {})
    found = cache.get((prefix, names))
    if found is None:
        found = cache[(prefix, names)] = ToolNames(spec.operations, prefix, names)
    return found


# ------------------------------------------------------------- selection
def select_operations(client, operations: Optional[Iterable[str]] = None, tags: Any = None,
                      search: Optional[str] = None, read_only: bool = False,
                      allow_write: bool = False) -> List[Any]:
    """The operations to offer, in spec order: those named in
    ``operations`` (operationIds or aliases; an unknown one raises
    :class:`UnknownOperationError`), carrying one of ``tags``, matching
    every word of ``search``; every given condition must hold.

    Safe by default: only the methods that change nothing (:data:`SAFE_METHODS`)
    are offered unless ``allow_write`` is true or the operations are named
    one by one in ``operations`` (a caller who names ``deleteFile`` means it).
    ``read_only`` keeps only safe methods even then."""
    ops = list(client.spec.operations.values())
    if operations is not None:
        if isinstance(operations, str):
            operations = [operations]
        wanted = {client.operation(name).operation_id for name in operations}
        ops = [op for op in ops if op.operation_id in wanted]
    if tags:
        if isinstance(tags, str):
            tags = [tags]
        lowered = {t.lower() for t in tags}
        ops = [op for op in ops if any(t.lower() in lowered for t in op.tags)]
    if search:
        found = {op.operation_id for op in client.search(search)}
        ops = [op for op in ops if op.operation_id in found]
    if read_only or not (allow_write or operations is not None):
        ops = [op for op in ops if op.method in SAFE_METHODS]
    return ops


# ----------------------------------------------------------------- shape
class ToolShape:
    """How one operation looks as a tool for one client: which argument is
    which parameter, whether the body is flattened, which body fields are
    files, the input schema and the description."""

    def __init__(self, client, operation, refs: str = "defs"):
        from .._call.context import call_context
        from .._call.context import client_defaults

        self.operation = operation
        self.params: Dict[str, Any] = {}          # argument name -> Parameter
        self.flattened = False
        self.body_fields: List[str] = []          # flattened body fields, in order
        self.file_fields: List[str] = []          # body fields taking files ("" = the whole body)
        self.media_type = operation.default_media_type()
        writer = SchemaWriter(operation.spec.document, refs)
        hidden = set(client_defaults(operation, client))
        fixed_headers = {h.lower() for h in call_context(client).conventions_for(operation).headers}
        shown = [p for p in operation.parameters
                 if p not in hidden and not (p.location == "header" and p.name.lower() in fixed_headers)]
        counts: Dict[str, int] = {}
        for p in shown:
            counts[p.name] = counts.get(p.name, 0) + 1
        properties: Dict[str, Any] = {}
        required: List[str] = []
        for p in sorted(shown, key=lambda p: not p.required):
            name = p.name if counts[p.name] == 1 else p.qualified_name
            if not PROPERTY_NAME.match(name) or name in self.params or name == "body":
                name = p.alias if p.alias not in self.params and p.alias != "body" else p.qualified_name
            self.params[name] = p
            properties[name] = self._parameter_schema(p, writer)
            if p.required:
                required.append(name)
        if self.media_type is not None:
            self._add_body(writer, properties, required)
        schema: Dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            schema["required"] = required
        schema["additionalProperties"] = False
        self.input_schema = writer.finish(schema)
        self.description = describe(operation)

    @staticmethod
    def _parameter_schema(p, writer: SchemaWriter) -> Dict[str, Any]:
        node = p.raw.get("schema")
        if node is None and isinstance(p.raw.get("content"), dict) and p.raw["content"]:
            node = (next(iter(p.raw["content"].values())) or {}).get("schema")
        out = writer.convert(node) if node is not None else {}
        out = dict(out) if isinstance(out, dict) else {}
        text = trim(p.description, 300)
        if text:
            out["description"] = text
        if p.deprecated:
            out["deprecated"] = True
        return out

    def _add_body(self, writer: SchemaWriter, properties: Dict[str, Any], required: List[str]) -> None:
        op, mt = self.operation, self.media_type
        media = op.request_body[mt]
        structured = is_json(mt) or mt.startswith(("multipart/form-data", "application/x-www-form-urlencoded"))
        resolved = media.schema
        node = media.raw.get("schema")
        if not structured and not (resolved.get("type") == "string" and "format" not in resolved
                                   and mt.startswith("text/")):
            self.file_fields = [""]
            properties["body"] = dict(_FILE_SCHEMA, description=trim(op.body_description, 300)
                                      or f"the request body ({mt}), base64-encoded")
            if op.body_required:
                required.append("body")
            return
        view = _object_view(op.spec, node) if structured else None
        if view is not None:
            fields, field_required = view
            fields = {n: raw for n, raw in fields.items() if not writer.read_only(raw)}
            names_ok = all(PROPERTY_NAME.match(n) and n not in properties and n != "body" for n in fields)
            if fields and names_ok and (op.body_required or not field_required):
                self.flattened = True
                files = self._files(fields)
                for name, raw in fields.items():
                    if name in files:
                        properties[name] = {"type": "array", "items": _FILE_SCHEMA} if files[name] else dict(_FILE_SCHEMA)
                        self.file_fields.append(name)
                    else:
                        properties[name] = writer.convert(raw)
                    self.body_fields.append(name)
                if op.body_required:
                    required.extend(n for n in dict.fromkeys(field_required) if n in fields)
                return
        converted = writer.convert(node) if node is not None else {}
        converted = dict(converted) if isinstance(converted, dict) else {}
        if isinstance(converted.get("properties"), dict):
            files = self._files(resolved.get("properties") or {})
            if files:
                converted["properties"] = dict(converted["properties"])
                for name, many in files.items():
                    if name in converted["properties"]:
                        converted["properties"][name] = ({"type": "array", "items": _FILE_SCHEMA} if many
                                                         else dict(_FILE_SCHEMA))
                        self.file_fields.append(name)
        if op.body_description and "description" not in converted:
            converted["description"] = trim(op.body_description, 300)
        properties["body"] = converted
        if op.body_required:
            required.append("body")

    def _files(self, fields: Dict[str, Any]) -> Dict[str, bool]:
        """Which of the body ``fields`` (name -> schema) hold files: name ->
        whether a list of them."""
        out: Dict[str, bool] = {}
        spec = self.operation.spec
        for name, sub in fields.items():
            sub = spec.resolve(sub)
            if not isinstance(sub, dict):
                continue
            if _is_file(sub):
                out[name] = False
            elif sub.get("type") == "array" and _is_file(spec.resolve(sub.get("items"))):
                out[name] = True
        return out

    @property
    def annotations(self) -> Dict[str, Any]:
        """MCP tool annotations, from the HTTP method."""
        method = self.operation.method
        out: Dict[str, Any] = {"title": self.operation.short_summary or self.operation.operation_id,
                               "readOnlyHint": method in SAFE_METHODS}
        if method not in SAFE_METHODS:
            out["destructiveHint"] = method in DESTRUCTIVE_METHODS
            out["idempotentHint"] = method in IDEMPOTENT_METHODS
        out["openWorldHint"] = True
        return out


def _object_view(spec, node: Any, depth: int = 0) -> Optional[Tuple[Dict[str, Any], List[str]]]:
    """``(fields, required)`` when the schema ``node`` is a plain object of
    named fields (or an ``allOf`` of such: a field two members name must
    match both) that could be spread into the tool's arguments; else None."""
    node = spec.resolve(node) if depth < 16 else None
    if not isinstance(node, dict):
        return None
    if any(k in node for k in ("oneOf", "anyOf", "not", "if", "patternProperties")) or node.get("nullable"):
        return None
    if node.get("type", "object") != "object" or node.get("additionalProperties") not in (None, False):
        return None
    fields = dict(node.get("properties") or {})
    required = [r for r in node.get("required") or () if isinstance(r, str)]
    for member in node.get("allOf") or ():
        sub = _object_view(spec, member, depth + 1)
        if sub is None:
            return None
        for name, schema in sub[0].items():
            fields[name] = {"allOf": [fields[name], schema]} if name in fields else schema
        required += sub[1]
    return fields, required


def _is_file(schema: Any) -> bool:
    return (isinstance(schema, dict) and schema.get("type") in ("string", None)
            and (schema.get("format") == "binary" or "contentMediaType" in schema))


def describe(operation) -> str:
    """The tool description: summary, then the description, within
    :data:`TOOL_DESCRIPTION_BUDGET` characters."""
    summary, text = operation.summary, operation.description
    parts = [summary] if summary else []
    if text and text != summary:
        parts.append(text)
    if not parts:
        parts.append(f"{operation.method} {operation.path}")
    if operation.deprecated:
        parts.insert(0, "Deprecated.")
    return trim("\n\n".join(parts), TOOL_DESCRIPTION_BUDGET)


_SHAPES: "weakref.WeakKeyDictionary[Any, Dict[Tuple[str, str], ToolShape]]" = weakref.WeakKeyDictionary()


def shape_for(client, operation, refs: str = "defs") -> ToolShape:
    """The :class:`ToolShape` of ``operation`` for ``client`` (made once)."""
    shapes = _SHAPES.get(client)
    if shapes is None:
        shapes = _SHAPES.setdefault(client, {})
    key = (operation.operation_id, refs)
    found = shapes.get(key)
    if found is None:
        found = shapes[key] = ToolShape(client, operation, refs)
    return found


# ----------------------------------------------------------- definitions
class ToolList(list):
    """Tool definitions, ready to hand to a consumer; ``not_strict`` maps
    each tool that was asked to be strict and cannot be to the reason."""

    def __init__(self, items: Iterable[Any] = (), format: str = "openai"):
        super().__init__(items)
        self.format = format
        self.not_strict: Dict[str, str] = {}


def tool_definitions(client, format: str = "openai", *, operations: Optional[Iterable[str]] = None,
                     tags: Any = None, search: Optional[str] = None, prefix: str = "",
                     names: str = "operationId", strict: bool = False, refs: str = "defs",
                     read_only: bool = False, allow_write: bool = False) -> ToolList:
    """Tool definitions for the chosen operations (see :func:`select_operations`:
    read-only ones unless ``allow_write=True`` or ``operations=`` names them)
    in ``format``: ``"openai"`` (Chat Completions), ``"openai-responses"``,
    ``"anthropic"`` or ``"mcp"``.  ``names="snake"`` snake-cases the
    operationIds; ``prefix`` goes in front, joined by ``_``.  ``strict``
    (OpenAI formats) gives each tool the strict form where it has one.
    ``refs="inline"`` inlines referenced schemas instead of gathering them
    under ``$defs`` (recursive ones stay in ``$defs``)."""
    if format not in FORMATS:
        raise UsageError(f"format= must be one of {', '.join(FORMATS)}, not {format!r}")
    if refs not in ("defs", "inline"):
        raise UsageError(f"refs= must be 'defs' or 'inline', not {refs!r}")
    naming = tool_names(client.spec, prefix, names)
    out = ToolList(format=format)
    for op in select_operations(client, operations, tags, search, read_only, allow_write):
        shape = shape_for(client, op, refs)
        name = naming.by_operation[op.operation_id]
        schema = shape.input_schema
        if format == "anthropic":
            out.append({"name": name, "description": shape.description, "input_schema": schema})
        elif format == "mcp":
            out.append({"name": name, "description": shape.description, "inputSchema": schema,
                        "annotations": shape.annotations})
        else:
            is_strict = False
            if strict:
                variant, reason = strict_variant(schema)
                if variant is None:
                    out.not_strict[name] = reason
                else:
                    schema, is_strict = variant, True
            function = {"name": name, "description": shape.description, "parameters": schema,
                        "strict": is_strict}
            out.append({"type": "function", "function": function} if format == "openai"
                       else dict({"type": "function"}, **function))
    return out


# ------------------------------------------------------------------ calls
def find_tool(client, name: str, prefix: str = ""):
    """The operation a tool called ``name`` stands for: under ``prefix``,
    named by operationId or snake-cased, or an operationId (or alias)
    itself; raises :class:`UnknownOperationError`."""
    for names in NAMINGS:
        op_id = tool_names(client.spec, prefix, names).by_name.get(name)
        if op_id is not None:
            return client.spec.operations[op_id]
    try:
        return client.operation(name)
    except UnknownOperationError:
        pass
    suggestions = [n for n in tool_names(client.spec, prefix, "operationId").by_name
                   if n.lower() == name.lower()]
    raise UnknownOperationError(name, suggestions)
