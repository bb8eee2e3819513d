"""A model's tool call taken back to its operation, and the answer back to
the model: the arguments become the keyword arguments of a call (files
decoded from base64, nulls the model sent for absent fields dropped), the
answer or the failure becomes a :class:`ToolResult` the model can read, and
every credential the client holds is scrubbed from it.  :func:`call_tool`
(``client.call_tool()``) does all of it with a client.

The pieces — :func:`~openapi_dyn._agents.tools.find_tool`,
:func:`tool_arguments_to_call`, :func:`tool_result_from_response` and :func:`tool_result_from_error` —
take any client, so an asynchronous one can reuse them around its own
``await client.request(...)``.  The tool definitions are :mod:`._tools`.
"""
from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .._errors import APIConnectionError, APIError, MissingCredentialsError, OpenAPIDynError, RequestValidationError, ResponseValidationError, StreamError, UsageError, ValidationProblem
from .tools import ToolShape, find_tool, shape_for

#: At most this many events of an event-stream answer are collected.
MAX_EVENTS = 10_000


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
            _refuse_segment_escape(op, key, shape.params[key], value)
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


def _refuse_segment_escape(op, key: str, param, value: Any) -> None:
    """A path parameter from a model that reads as a path step of its own
    (``.``, ``..``, a ``/``; for a reserved expansion, which spans segments by
    design, a ``.`` or ``..`` step) is refused, although the serializer encodes it
    to stay in its segment: a model that writes ``"../admin"`` for a file id
    is confused or being steered, and what it meant cannot be guessed."""
    if param.location != "path" or not isinstance(value, str):
        return
    if getattr(param, "allow_reserved", False):
        # a reserved expansion ({+name}: Discovery's "models/gemini-2.0-flash")
        # spans segments by design; none of them may step out of the path
        if "\\" in value or any(step.strip() in (".", "..") for step in value.split("/")):
            raise RequestValidationError(op.operation_id, [ValidationProblem(
                f"argument.{key}", "a path parameter cannot hold a '.' or '..' step or a '\\' (it would name "
                                   "another path); give the resource name itself")])
        return
    if value.strip() in (".", "..") or "/" in value or "\\" in value:
        raise RequestValidationError(op.operation_id, [ValidationProblem(
            f"argument.{key}", "a path parameter cannot be '.' or '..' or contain '/' or '\\' (it would name "
                               "another path); give the identifier itself")])


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


def tool_result_from_response(response) -> ToolResult:
    """A :class:`ToolResult` from a :class:`~openapi_dyn.Response`:
    JSON as is, text as text, binary as base64 with its media type, an event
    stream collected into ``{"events": [...]}`` (at most :data:`MAX_EVENTS`)."""
    from .._answer.streams import Stream

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


def dry_run_result(prepared) -> ToolResult:
    """What a dry run answers instead of sending: the prepared request,
    secrets masked where they are (headers, query, cookies) and in the body."""
    from .._call.redact import mask_places_text

    body: Any = None
    if prepared.json is not None:
        body = json.loads(mask_places_text(json.dumps(prepared.json, ensure_ascii=False, default=str),
                                           prepared.secret_places))
    elif prepared.body is not None:
        body = prepared.describe().partition("\n\n")[2] or f"<{type(prepared.body).__name__} body>"
    return ToolResult({"dry_run": True, "operation": prepared.operation_id, "method": prepared.method,
                       "url": prepared.masked_url, "headers": prepared.masked_headers(), "body": body})


def _bound(client, name: str, arguments: Any, prefix: str, dry_run: bool):
    """``(shape, (operationId, keyword arguments, result))`` for a tool call:
    the result is set when nothing is to be sent, an error for arguments that
    do not bind, the masked request for a dry run; else ``None``."""
    shape = shape_for(client, find_tool(client, name, prefix))
    try:
        op_id, kwargs = tool_arguments_to_call(client, name, arguments, prefix)
        if dry_run:
            return shape, (op_id, kwargs, scrub(dry_run_result(client.prepare(op_id, **kwargs)), secrets_of(client)))
    except OpenAPIDynError as exc:
        return shape, ("", {}, scrub(tool_result_from_error(exc, shape), secrets_of(client)))
    return shape, (op_id, kwargs, None)


async def call_tool_async(client, name: str, arguments: Any = None, *, prefix: str = "",
                          dry_run: bool = False) -> ToolResult:
    """:func:`call_tool` for :class:`~openapi_dyn.AsyncClient`: the same
    mapping, validation and results; the call is awaited and an event stream
    is collected as it arrives."""
    from .._answer.streams import AsyncStream

    shape, (op_id, kwargs, dry) = _bound(client, name, arguments, prefix, dry_run)
    if dry is not None:
        return dry
    try:
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
            result = tool_result_from_response(response)
    except OpenAPIDynError as exc:
        result = tool_result_from_error(exc, shape)
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


def tool_result_from_error(exc: BaseException, shape: Optional[ToolShape] = None) -> ToolResult:
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
    from .._call.auth import Secret
    from .._call.context import call_context

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
    from .._call.auth import mask

    if not secrets:
        return result
    text = json.dumps(result.content, ensure_ascii=False)
    if not any(s in text for s in secrets):
        return result
    result.content = json.loads(mask(text, list(secrets)))
    return result


def call_tool(client, name: str, arguments: Any = None, *, prefix: str = "",
              dry_run: bool = False) -> ToolResult:
    """Take a tool call back to its operation, validate and send it with
    ``client``, and return a :class:`ToolResult`; invalid arguments and API
    errors come back as results with ``is_error`` set, never as exceptions
    (an unknown tool name raises :class:`UnknownOperationError`).  With
    ``dry_run`` nothing is sent: the result is the prepared request, masked
    (:func:`dry_run_result`)."""
    shape, (op_id, kwargs, dry) = _bound(client, name, arguments, prefix, dry_run)
    if dry is not None:
        return dry
    try:
        result = tool_result_from_response(client.request(op_id, **kwargs))
    except OpenAPIDynError as exc:
        result = tool_result_from_error(exc, shape)
    return scrub(result, secrets_of(client))
