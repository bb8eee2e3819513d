"""Decoding answers: the body by media type, event streams, downloads to a
file, response validation, and non-2xx statuses into the
:class:`~openapi_dyn.APIError` family.

:func:`finish` is what :meth:`Client.send` runs on every answer.  Whether the
body is read at once or left on the wire is decided before sending
(:func:`wants_stream`): event streams and downloads with ``save_to=`` are
read while they arrive, everything else is read whole and decoded.
"""
from __future__ import annotations

import json
import os
from typing import Any, List, Mapping, Optional
from urllib.parse import parse_qsl, urlsplit

from .errors import ResponseValidationError, ValidationProblem, error_class_for


class Response:
    """The full answer to a call: ``status_code``, ``headers``, ``data`` (the
    decoded body, as :meth:`Client.call` returns it: JSON as Python objects,
    text as ``str``, binary as ``bytes``, an event stream as a
    :class:`~openapi_dyn.sse.Stream`, a download as the path or file it was
    written to), ``content`` (raw bytes), ``request`` (the
    :class:`~openapi_dyn.request.PreparedRequest`), ``raw`` (the
    :class:`requests.Response`), ``attempts`` (how many times it was sent)
    and ``saved_bytes`` (for downloads)."""

    __slots__ = ("raw", "request", "_data", "_decoded", "saved_bytes")

    def __init__(self, raw, request):
        self.raw = raw
        self.request = request
        self._decoded = False
        self._data = None
        self.saved_bytes: Optional[int] = None

    @property
    def status_code(self) -> int:
        return self.raw.status_code

    @property
    def headers(self) -> Mapping[str, str]:
        return self.raw.headers

    @property
    def content(self) -> bytes:
        return self.raw.content

    @property
    def request_id(self) -> Optional[str]:
        return request_id_of(self.raw.headers)

    @property
    def attempts(self) -> int:
        """1 plus the retries urllib3 made before this answer came back."""
        retries = getattr(self.raw.raw, "retries", None)
        return 1 + len(getattr(retries, "history", ()) or ())

    @property
    def is_stream(self) -> bool:
        """True when the body is an event stream left on the wire."""
        return isinstance(self._data, _stream_type())

    @property
    def data(self) -> Any:
        if not self._decoded:
            self._data = decode_body(self.raw)
            self._decoded = True
        return self._data

    def __repr__(self) -> str:
        return f"<Response {self.status_code} {self.request.operation_id}>"


def request_id_of(headers: Mapping[str, str]) -> Optional[str]:
    return headers.get("x-request-id") or headers.get("request-id")


def _stream_type():
    from .sse import Stream
    return Stream


def content_type_of(raw) -> str:
    """The answer's media type, lower case, without parameters."""
    return (raw.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()


def decode_body(raw) -> Any:
    """JSON -> Python objects, ``text/*`` -> ``str``, empty -> ``None``, an
    event stream read whole -> the list of its events' decoded data, anything
    else -> ``bytes``."""
    content = raw.content
    if not content:
        return None
    ctype = content_type_of(raw)
    if ctype == "text/event-stream":
        return _events_of(content)
    if ctype == "application/json" or ctype.endswith("+json"):
        try:
            return json.loads(content)
        except ValueError:
            return raw.text
    if ctype.startswith("text/") or ctype in ("application/xml", "application/yaml", "application/sdp"):
        return raw.text
    if not ctype:
        try:
            return json.loads(content)
        except ValueError:
            return content
    return content


def _events_of(content: bytes) -> List[Any]:
    from .sse import IncompleteEvent, parse_events

    out: List[Any] = []
    try:
        for event in parse_events([content]):
            if event.data.strip() == "[DONE]":
                break
            out.append(event.decoded())
    except IncompleteEvent:
        pass  # read whole: keep the complete events
    return out


def raise_for_status(raw, prepared) -> None:
    """Raise the :class:`APIError` subclass for a non-2xx answer."""
    status = raw.status_code
    if 200 <= status < 300:
        return
    read_all(raw, prepared)
    body = decode_body(raw)
    message = _error_message(body) or raw.reason or "error"
    cls = error_class_for(status)
    rid = request_id_of(raw.headers)
    text = f"{status} from {prepared.method} {prepared.masked_url} ({prepared.operation_id}): {message}"
    if rid:
        text += f" [request id {rid}]"
    from .transport import NOT_REPLAYABLE, RETRY_STATUSES

    if status in RETRY_STATUSES and getattr(raw, "openapi_dyn_not_retried", False):
        text += f" ({NOT_REPLAYABLE})"
    raise cls(text, status_code=status, headers=raw.headers, body=body, request_id=rid, response=raw)


#: Bytes read per block when a body is read whole.
READ_CHUNK = 64 * 1024


def read_all(raw, prepared) -> bytes:
    """Read a body left on the wire, translating a connection that breaks
    mid-body into :class:`APIConnectionError`, and stopping with
    :class:`ResponseTooLargeError` past the client's ``max_response_bytes``
    (counted after decompression: a gzip bomb stops there too)."""
    import requests

    from .transport import safe_cause, translate_error

    if _is_read(raw):
        return raw.content
    limit = getattr(raw, "openapi_dyn_max_bytes", None)
    if limit is None:
        failure = None
        try:
            return raw.content
        except requests.RequestException as exc:
            failure, cause = translate_error(exc, prepared), safe_cause(exc, prepared)
        raise failure from cause
    declared = raw.headers.get("Content-Length", "")
    if declared.strip().isdigit() and int(declared) > limit:
        raw.close()
        raise _too_large(prepared, limit, f"it announces {int(declared)} bytes")
    blocks, size, failure = [], 0, None
    try:
        for block in raw.iter_content(READ_CHUNK):
            size += len(block)
            if size > limit:
                raw.close()
                raise _too_large(prepared, limit, "more arrived")
            blocks.append(block)
    except requests.RequestException as exc:
        failure, cause = translate_error(exc, prepared), safe_cause(exc, prepared)
    if failure is not None:
        raise failure from cause
    raw._content = b"".join(blocks)
    raw._content_consumed = True
    return raw._content


def _too_large(prepared, limit: int, why: str):
    from .errors import ResponseTooLargeError

    return ResponseTooLargeError(
        f"{prepared.method} {prepared.masked_url}: the answer is larger than max_response_bytes "
        f"({limit} bytes): {why}; reading stopped and the connection was closed", request=prepared)


# ------------------------------------------------------- after sending
def wants_stream(prepared, save_to: Any = None) -> bool:
    """Leave the body on the wire?  Yes for downloads (``save_to``), for
    operations whose 2xx answers include ``text/event-stream``, and for any
    call that asks the server to stream: a body with ``"stream": true``
    (createRun declares no event stream, yet streams) or a ``stream=true``
    query parameter.  Whether a :class:`Stream` comes back is then decided by
    the answer's Content-Type, not by this guess."""
    if save_to is not None:
        return True
    op = prepared.operation
    if getattr(op, "streams", False):
        return True
    body = prepared.json
    if isinstance(body, Mapping) and body.get("stream") is True:
        return True
    query = urlsplit(prepared.url).query
    if "stream" not in query:  # the usual case: no need to parse the query string
        return False
    return any(k == "stream" and v.lower() == "true" for k, v in parse_qsl(query))


def finish(raw, prepared, *, save_to: Any = None, validate: bool = False) -> Response:
    """Turn a :class:`requests.Response` into a :class:`Response`: raise for
    non-2xx statuses, hand an event stream out unread, write a download to
    ``save_to``, read anything else whole, and validate it when asked."""
    raise_for_status(raw, prepared)
    response = Response(raw, prepared)
    if content_type_of(raw) == "text/event-stream" and save_to is None and not _is_read(raw):
        from .sse import Stream

        response._data = Stream(raw, prepared)
        response._decoded = True
        return response
    if save_to is not None:
        response._data, response.saved_bytes = save_body(raw, prepared, save_to)
        response._decoded = True
        return response
    read_all(raw, prepared)
    if validate:
        problems = response_problems(prepared.operation, raw.status_code, content_type_of(raw), response.data)
        if problems:
            raise ResponseValidationError(prepared.operation_id, problems, response=response)
    return response


def _is_read(raw) -> bool:
    return bool(getattr(raw, "_content_consumed", False))


#: Bytes read per block when a download is written to a file.
DOWNLOAD_CHUNK = 64 * 1024


def save_body(raw, prepared, target: Any):
    """Write the body to ``target`` block by block; returns ``(what to hand
    back, bytes written)``.  A path (``str`` or ``os.PathLike``) is written
    through a temporary file beside it and renamed at the end, so a broken
    download never leaves a truncated file under the real name; a file object
    (anything with ``write``) is written as is and left open."""
    import requests

    from .transport import safe_cause, translate_error

    def chunks():
        failure = None
        try:
            yield from raw.iter_content(DOWNLOAD_CHUNK)
        except requests.RequestException as exc:
            failure, cause = translate_error(exc, prepared), safe_cause(exc, prepared)
        finally:
            raw.close()
        if failure is not None:
            raise failure from cause

    if hasattr(target, "write"):
        n = 0
        for block in chunks():
            target.write(block)
            n += len(block)
        return target, n
    if not isinstance(target, (str, os.PathLike)):
        from .errors import UsageError
        raw.close()
        raise UsageError(f"save_to must be a path or a binary file object, not {type(target).__name__}")
    import pathlib
    import tempfile

    path = pathlib.Path(target).expanduser()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=str(path.parent))
    n = 0
    try:
        with os.fdopen(fd, "wb") as fh:
            for block in chunks():
                fh.write(block)
                n += len(block)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path, n


# ------------------------------------------------ response validation
def _spec_response(operation, status: int) -> Optional[Mapping[str, Any]]:
    responses = operation.responses
    code = str(status)
    for key in (code, code[0] + "XX", code[0] + "xx", "default"):
        if key in responses:
            return responses[key]
    return None


def response_problems(operation, status: int, ctype: str, data: Any) -> List[ValidationProblem]:
    """Where a decoded answer disagrees with what the spec documents for its
    status: an undocumented status (when there is no ``default``), a media
    type the spec does not list, or a JSON body that fails its schema
    (located as ``response.body.data[0].id``).  Bodies that are not JSON are
    not checked beyond their media type."""
    from .operation import is_json

    spec = _spec_response(operation, status)
    if spec is None:
        documented = ", ".join(operation.responses) or "none"
        return [ValidationProblem("response.status", f"{status} is not documented for "
                                  f"{operation.operation_id} (documented: {documented})")]
    content = spec.get("content") or {}
    if not content:
        return []
    from .operation import find_media

    media = find_media(content, ctype)
    if media is None:
        if data is None:
            return []
        return [ValidationProblem("response.content_type", f"{ctype or 'no Content-Type'} is not a media "
                                  f"type the spec lists for {status} ({', '.join(content)})")]
    if not is_json(media.media_type) or not media.schema or isinstance(data, (bytes, str)) and not is_json(ctype):
        return []
    return _check_response_body(operation, status, media, data)


def _check_response_body(operation, status: int, media, data: Any) -> List[ValidationProblem]:
    from .validation import validator_for

    # the "response" kind gives openapi-core's read rules in 3.0 documents
    key = ("response", f"{status} {media.media_type}")
    return validator_for(operation).check(key, media.schema_pointer, data, "response.body")


def _error_message(body: Any) -> Optional[str]:
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            for key in ("message", "detail", "error_description", "title"):
                if isinstance(err.get(key), str):
                    return err[key]
        if isinstance(err, str):
            return err
        for key in ("message", "detail"):
            if isinstance(body.get(key), str):
                return body[key]
    if isinstance(body, str):
        return body.strip()[:500] or None
    return None
