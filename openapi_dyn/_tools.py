"""Every operation of a spec as a tool a language model can call.

:func:`tool_definitions` (``client.tools()``) describes the chosen operations
in the format each consumer expects; :func:`call_tool` (``client.call_tool()``)
takes a tool call back to its operation, validates and sends it with the
client, and returns a :class:`ToolResult` a model can read, errors included.

One tool per operation.  Its input schema is one JSON Schema object holding
the operation's path, query, header and cookie parameters, and its body:
flattened into the same object when that is unambiguous (a JSON, multipart or
form body that is an object of named fields, none of them called like a
parameter), else as a ``body`` property.  Parameters the client fills in by
itself (the profile's headers, ``defaults=``, ``api_version=``) are left out:
the model does not choose them.  File fields of multipart bodies and raw
binary bodies take base64 text.

The pieces of :func:`call_tool` — :func:`find_tool`,
:func:`tool_arguments_to_call`, :func:`result_for` and :func:`error_result` —
take any client, so an asynchronous one can reuse them around its own
``await client.request(...)``.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import weakref
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from ._errors import (APIConnectionError, APIError, MissingCredentialsError, OpenAPIDynError,
                     RequestValidationError, ResponseValidationError, StreamError,
                     UnknownOperationError, UsageError, ValidationProblem)
from ._operation import is_json
from ._toolschema import SchemaWriter, strict_variant, trim

#: Tool names every consumer accepts (OpenAI's rule; Anthropic's and MCP's
#: are wider).
TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
#: Top-level argument names every consumer accepts (Anthropic's rule).
PROPERTY_NAME = re.compile(r"^[a-zA-Z0-9_.-]{1,64}$")
#: Characters kept of a tool's description (OpenAI's limit for a function).
TOOL_DESCRIPTION_BUDGET = 1024
FORMATS = ("openai", "openai-responses", "anthropic", "mcp")
NAMINGS = ("operationId", "snake")
#: Methods that change nothing: ``readOnlyHint``, and what ``--read-only`` keeps.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
DESTRUCTIVE_METHODS = frozenset({"DELETE", "PUT"})
#: At most this many events of an event-stream answer are collected.
MAX_EVENTS = 10_000

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
                      search: Optional[str] = None, read_only: bool = False) -> List[Any]:
    """The operations to offer, in spec order: those named in
    ``operations`` (operationIds or aliases; an unknown one raises
    :class:`UnknownOperationError`), carrying one of ``tags``, matching
    every word of ``search``, and only safe methods with ``read_only``;
    every given condition must hold."""
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
    if read_only:
        ops = [op for op in ops if op.method in SAFE_METHODS]
    return ops


# ----------------------------------------------------------------- shape
class ToolShape:
    """How one operation looks as a tool for one client: which argument is
    which parameter, whether the body is flattened, which body fields are
    files, the input schema and the description."""

    def __init__(self, client, operation, refs: str = "defs"):
        from ._client import call_context
        from ._signatures import client_defaults

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
                     read_only: bool = False) -> ToolList:
    """Tool definitions for the chosen operations (see :func:`select_operations`)
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
    for op in select_operations(client, operations, tags, search, read_only):
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


def tool_arguments_to_call(client, name: str, arguments: Any, prefix: str = "") -> Tuple[str, Dict[str, Any]]:
    """``(operationId, keyword arguments)`` for ``client.request()`` from a
    tool call.  ``None`` arguments are left out (strict mode sends ``null``
    for what the model does not give); file fields are decoded from base64.
    Raises :class:`RequestValidationError` for arguments that are not an
    object or not base64 where a file is expected."""
    op = find_tool(client, name, prefix)
    shape = shape_for(client, op)
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments) if arguments.strip() else {}
        except ValueError as exc:
            raise RequestValidationError(op.operation_id, [ValidationProblem("arguments", f"not JSON: {exc}")])
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, dict):
        raise RequestValidationError(op.operation_id, [ValidationProblem(
            "arguments", f"must be an object, not {type(arguments).__name__}")])
    kwargs: Dict[str, Any] = {}
    body: Dict[str, Any] = {}
    unknown: List[str] = []
    for key, value in arguments.items():
        if value is None:
            continue
        if key in shape.params:
            kwargs[shape.params[key].qualified_name] = value
        elif shape.flattened and key in shape.body_fields:
            body[key] = _drop_nulls(value, op.request_body[shape.media_type].schema.get("properties", {}).get(key),
                                    op.spec)
        elif key == "body" and not shape.flattened and op.request_body:
            if shape.file_fields == [""]:
                body = value
            else:
                schema = op.request_body[shape.media_type].schema
                body = _drop_nulls(value, schema, op.spec)
        else:
            unknown.append(key)
    if shape.flattened:
        if body or op.body_required:
            kwargs["body"] = body
    elif "body" in arguments and arguments["body"] is not None:
        kwargs["body"] = body
    if "body" in kwargs:
        kwargs["body"] = _decode_files(op, shape, kwargs["body"])
        if shape.media_type:
            kwargs["content_type"] = shape.media_type
    if unknown:
        # Never handed to the client: a name like "headers" or "save_to" is an
        # option there.  The client's own findings are listed with them.
        takes = ", ".join(list(shape.params) + shape.body_fields + ([] if shape.flattened or not op.request_body
                                                                   else ["body"]))
        problems = [ValidationProblem(f"argument.{key}", f"unknown argument; this tool takes {takes or 'none'}")
                    for key in unknown]
        try:
            client.prepare(op.operation_id, **kwargs)
        except RequestValidationError as exc:
            problems.extend(exc.errors)
        except OpenAPIDynError:
            pass
        raise RequestValidationError(op.operation_id, problems)
    return op.operation_id, kwargs


def _drop_nulls(value: Any, schema: Any, spec) -> Any:
    """``value`` without ``null`` s for optional object properties that the
    spec does not allow to be null (how strict mode says "not given")."""
    schema = spec.resolve(schema) if isinstance(schema, dict) else None
    if isinstance(value, dict) and isinstance(schema, dict) and isinstance(schema.get("properties"), dict):
        props, required = schema["properties"], set(schema.get("required") or ())
        out = {}
        for k, v in value.items():
            sub = spec.resolve(props.get(k)) if k in props else None
            if v is None and k in props and k not in required and not _allows_null(sub):
                continue
            out[k] = _drop_nulls(v, sub, spec) if sub is not None else v
        return out
    if isinstance(value, list) and isinstance(schema, dict) and isinstance(schema.get("items"), dict):
        return [_drop_nulls(v, schema["items"], spec) for v in value]
    return value


def _allows_null(schema: Any) -> bool:
    if not isinstance(schema, dict) or not schema:
        return True
    t = schema.get("type")
    if schema.get("nullable") is True or t == "null" or (isinstance(t, list) and "null" in t):
        return True
    return any(_allows_null(s) for k in ("anyOf", "oneOf") for s in schema.get(k) or () if isinstance(s, dict))


def _decode_files(op, shape: ToolShape, body: Any) -> Any:
    problems: List[ValidationProblem] = []

    def decode(value: Any, where: str) -> Any:
        if isinstance(value, str):
            content, filename, media_type = value, None, None
        elif isinstance(value, dict) and isinstance(value.get("content_base64"), str):
            content, filename, media_type = value["content_base64"], value.get("filename"), value.get("media_type")
        else:
            problems.append(ValidationProblem(where, "a file: base64 text, or an object with content_base64"))
            return value
        try:
            data = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            problems.append(ValidationProblem(where, "not valid base64"))
            return value
        if filename:
            return (filename, data, media_type) if media_type else (filename, data)
        return data

    if shape.file_fields == [""]:
        body = decode(body, "body")
    elif isinstance(body, dict):
        body = dict(body)
        for name in shape.file_fields:
            if name in body:
                value = body[name]
                if isinstance(value, list):
                    body[name] = [decode(v, f"body.{name}[{i}]") for i, v in enumerate(value)]
                else:
                    body[name] = decode(value, f"body.{name}")
    if problems:
        raise RequestValidationError(op.operation_id, problems)
    return body


class ToolResult:
    """What a tool call gave: ``is_error``, ``content`` (JSON-serializable:
    the decoded answer; ``{"media_type", "base64", "size"}`` for binary;
    ``{"events": [...]}`` for an event stream; an error's details),
    ``status`` (the HTTP status, when there was an answer) and
    ``media_type``.  ``text`` is what to show the model."""

    __slots__ = ("is_error", "content", "status", "media_type")

    def __init__(self, content: Any, *, is_error: bool = False, status: Optional[int] = None,
                 media_type: Optional[str] = None):
        self.content = content
        self.is_error = is_error
        self.status = status
        self.media_type = media_type

    @property
    def text(self) -> str:
        if self.is_error and isinstance(self.content, dict) and "text" in self.content:
            return self.content["text"]
        if isinstance(self.content, str):
            return self.content
        if self.content is None:
            return f"(no content; HTTP {self.status})" if self.status else "(no content)"
        return json.dumps(self.content, ensure_ascii=False)

    @property
    def binary(self) -> bool:
        return isinstance(self.content, dict) and "base64" in self.content and not self.is_error

    def to_dict(self) -> Dict[str, Any]:
        return {"is_error": self.is_error, "status": self.status, "media_type": self.media_type,
                "content": self.content}

    def __repr__(self) -> str:
        kind = "error" if self.is_error else "result"
        return f"<ToolResult {kind} status={self.status} {self.text[:60]!r}>"


def result_for(response) -> ToolResult:
    """A :class:`ToolResult` from a :class:`~openapi_dyn.Response`:
    JSON as is, text as text, binary as base64 with its media type, an event
    stream collected into ``{"events": [...]}`` (at most :data:`MAX_EVENTS`)."""
    from ._sse import Stream

    data = response.data
    media_type = (response.headers.get("Content-Type") or "").split(";", 1)[0].strip() or None
    status = response.status_code
    if isinstance(data, Stream):
        events: List[Any] = []
        with data:
            for event in data.events():
                payload = event.decoded()
                events.append(payload if event.event == "message" else {"event": event.event, "data": payload})
                if len(events) >= MAX_EVENTS:
                    break
        return ToolResult({"events": events}, status=status, media_type="text/event-stream")
    if isinstance(data, (bytes, bytearray)):
        return ToolResult({"media_type": media_type or "application/octet-stream",
                           "base64": base64.b64encode(bytes(data)).decode("ascii"), "size": len(data)},
                          status=status, media_type=media_type)
    if data is None or isinstance(data, (str, int, float, bool, list, dict)):
        return ToolResult(data, status=status, media_type=media_type)
    return ToolResult(str(data), status=status, media_type=media_type)


async def call_tool_async(client, name: str, arguments: Any = None, *, prefix: str = "") -> ToolResult:
    """:func:`call_tool` for :class:`~openapi_dyn.AsyncClient`: the same
    mapping, validation and results; the call is awaited and an event stream
    is collected as it arrives."""
    from ._sse import AsyncStream

    op = find_tool(client, name, prefix)
    shape = shape_for(client, op)
    try:
        op_id, kwargs = tool_arguments_to_call(client, name, arguments, prefix)
        response = await client.request(op_id, **kwargs)
        data = response.data
        if isinstance(data, AsyncStream):
            events: List[Any] = []
            async with data:
                async for event in data.events():
                    payload = event.decoded()
                    events.append(payload if event.event == "message" else {"event": event.event, "data": payload})
                    if len(events) >= MAX_EVENTS:
                        break
            result = ToolResult({"events": events}, status=response.status_code, media_type="text/event-stream")
        else:
            result = result_for(response)
    except OpenAPIDynError as exc:
        result = error_result(exc, shape)
    return scrub(result, secrets_of(client))


def argument_of(shape: Optional[ToolShape], location: str) -> str:
    """The tool argument a problem location names: ``query.limit`` ->
    ``limit``; ``body.messages[0].role`` -> ``messages[0].role`` when the
    body is flattened; ``argument.foo`` -> ``foo``."""
    if location.startswith("argument."):
        return location[len("argument."):]
    if shape is None:
        return location
    for name, p in shape.params.items():
        if location == p.qualified_name or location.startswith(p.qualified_name + "["):
            return name + location[len(p.qualified_name):]
    if shape.flattened and location.startswith("body."):
        return location[len("body."):]
    return location


def error_result(exc: BaseException, shape: Optional[ToolShape] = None) -> ToolResult:
    """A tool error from an exception of the client: every located problem of
    a validation failure, or what the API said (status, message, type,
    code), so the model can correct itself."""
    if isinstance(exc, (RequestValidationError, ResponseValidationError)):
        sent = isinstance(exc, ResponseValidationError)
        problems = [{"argument": argument_of(shape, p.location) if not sent else p.location,
                     "location": p.location, "message": p.message} for p in exc.errors]
        head = ("The answer did not match the API's description:" if sent else
                f"The arguments are not valid; nothing was sent. {len(problems)} problem(s):")
        text = "\n".join([head] + [f"- {p['argument']}: {p['message']}" for p in problems])
        return ToolResult({"error": "response_invalid" if sent else "invalid_arguments",
                           "problems": problems, "text": text}, is_error=True)
    if isinstance(exc, APIError):
        detail = {"error": "api_error", "status": exc.status_code, "message": exc.message,
                  "type": exc.type, "code": exc.code, "param": exc.param, "request_id": exc.request_id}
        said = exc.message or (str(exc.body)[:500] if exc.body else str(exc))
        kind = f" ({exc.type})" if exc.type else ""
        code = f" [code {exc.code}]" if exc.code else ""
        param = f" (parameter {exc.param})" if exc.param else ""
        detail["text"] = f"The API answered HTTP {exc.status_code}{kind}{code}: {said}{param}"
        return ToolResult(detail, is_error=True, status=exc.status_code or None)
    if isinstance(exc, StreamError):
        return ToolResult({"error": "stream_error", "status": exc.status_code, "message": exc.message,
                           "type": exc.type, "code": exc.code, "request_id": exc.request_id,
                           "text": f"The event stream failed: {exc}"}, is_error=True)
    if isinstance(exc, MissingCredentialsError):
        return ToolResult({"error": "missing_credentials", "text": str(exc)}, is_error=True)
    if isinstance(exc, APIConnectionError):
        return ToolResult({"error": "connection_error", "text": f"The API could not be reached: {exc}"},
                          is_error=True)
    if isinstance(exc, (UsageError, OpenAPIDynError)):
        return ToolResult({"error": "usage_error", "text": str(exc)}, is_error=True)
    raise exc


def secrets_of(client) -> List[str]:
    """Every credential ``client`` could send: what it was given and what the
    environment holds for its schemes (masked out of every result)."""
    from ._auth import Secret
    from ._client import call_context

    context = call_context(client)
    creds = context.credentials
    schemes = list((client.spec.document.get("components") or {}).get("securitySchemes") or {})
    found: List[str] = list(context.header_secrets)
    for scheme in schemes or ["*"]:
        for level in range(len(creds.LEVELS)):
            value = creds.lookup(scheme, level)
            values = value if isinstance(value, tuple) else (value,)
            for v in values:
                if isinstance(v, Secret):
                    v = v.reveal()
                if isinstance(v, str) and len(v) >= 4:
                    found.append(v)
    return found


def scrub(result: ToolResult, secrets: Sequence[str]) -> ToolResult:
    """``result`` with every secret replaced by ``****``."""
    from ._auth import mask

    if not secrets:
        return result
    text = json.dumps(result.content, ensure_ascii=False)
    if not any(s in text for s in secrets):
        return result
    result.content = json.loads(mask(text, list(secrets)))
    return result


def call_tool(client, name: str, arguments: Any = None, *, prefix: str = "") -> ToolResult:
    """Take a tool call back to its operation, validate and send it with
    ``client``, and return a :class:`ToolResult`; invalid arguments and API
    errors come back as results with ``is_error`` set, never as exceptions
    (an unknown tool name raises :class:`UnknownOperationError`)."""
    op = find_tool(client, name, prefix)
    shape = shape_for(client, op)
    try:
        op_id, kwargs = tool_arguments_to_call(client, name, arguments, prefix)
        result = result_for(client.request(op_id, **kwargs))
    except OpenAPIDynError as exc:
        result = error_result(exc, shape)
    return scrub(result, secrets_of(client))
