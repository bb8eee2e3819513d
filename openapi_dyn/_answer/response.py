"""Decoding answers: the body by media type, event streams, downloads to a
file, response validation, and non-2xx statuses into the
:class:`~openapi_dyn.APIError` family.

:func:`finish` is what :meth:`Client.send` runs on every answer.  Whether the
body is read at once or left on the wire is decided before sending
(:func:`wants_stream`): event streams and downloads with ``save_to=`` are
read while they arrive, everything else is read whole and decoded.
"""
from __future__ import annotations

from typing import Any, List, Mapping, NamedTuple, Optional
from urllib.parse import parse_qsl, urlsplit

from .envelope import error_fields, request_id_of
from .._errors import OpenAPIDynError, ResponseValidationError, ValidationProblem, error_class_for
from .reading import _is_read, read_all


class Response:
    """The full answer to a call: ``status_code``, ``headers``, ``data`` (the
    decoded body, as :meth:`Client.call` returns it: JSON as Python objects,
    text as ``str``, binary as ``bytes``, an event stream as a
    :class:`~openapi_dyn.Stream`, a download as the path or file it was
    written to), ``content`` (raw bytes), ``request`` (the
    :class:`~openapi_dyn.PreparedRequest`), ``raw`` (the
    :class:`requests.Response`, or the :class:`httpx.Response` for
    :class:`~openapi_dyn.AsyncClient`), ``attempts`` (how many times it was
    sent), ``url`` (the final URL, after redirects), ``history`` (the
    redirects followed, each a :class:`~openapi_dyn._http.redirects.Hop`),
    ``saved_bytes`` (for downloads) and ``drift`` (with ``validate_responses``:
    the differences from the spec that were accepted as drift)."""

    __slots__ = ("raw", "request", "_data", "_decoded", "saved_bytes", "profile", "attribute_access", "drift")

    def __init__(self, raw, request, profile: Any = None, attribute_access: bool = True):
        self.raw = raw
        self.request = request
        self.profile = profile  # the vendor profile: which header holds the request id
        self.attribute_access = attribute_access  # JSON objects as Records
        self._decoded = False
        self._data = None
        self.saved_bytes: Optional[int] = None
        #: with ``validate_responses``: where the answer drifted from the spec
        #: in ways it was accepted anyway (see :mod:`openapi_dyn._answer.drift`)
        self.drift: List[ValidationProblem] = []

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
        return request_id_of(self.raw.headers, self.profile)

    @property
    def attempts(self) -> int:
        """1 plus the retries made before this answer came back."""
        return getattr(self.raw, "openapi_dyn_attempts", 1)

    @property
    def url(self) -> str:
        """The URL that gave this answer (the last hop of any redirects),
        with any credential in it shown as ``****``."""
        from .._call.redact import mask_url

        return mask_url(str(self.raw.url), self.request.secret_places)

    @property
    def history(self) -> list:
        """The redirects followed on the way, oldest first (empty when none)."""
        return list(getattr(self.raw, "openapi_dyn_history", ()))

    @property
    def is_stream(self) -> bool:
        """True when the body is an event stream left on the wire."""
        return isinstance(self._data, _stream_type())

    @property
    def data(self) -> Any:
        if not self._decoded:
            self._data = decode_body(self.raw, self.attribute_access,
                                     getattr(self.profile, "skip_events", frozenset()))
            vectors = getattr(self.request, "vectors", None)
            if vectors is not None:  # asked for as base64 by the profile, not by the caller
                self._data = vectors.decode(self._data)
            if self.attribute_access and isinstance(self._data, (dict, list)):
                self._data = _told_schema(self._data, self)
            self._decoded = True
        return self._data

    def __repr__(self) -> str:
        return f"<Response {self.status_code} {self.request.operation_id}>"


def _told_schema(data: Any, response: "Response") -> Any:
    """``data``'s records told the properties the spec declares for this
    answer (see :mod:`openapi_dyn._answer.record_schema`)."""
    from .record_schema import apply_schema, response_schema

    operation = getattr(response.request, "operation", None)
    if operation is None:
        return data
    try:
        schema = response_schema(operation, response.status_code, content_type_of(response.raw))
        return apply_schema(data, schema, operation.spec)
    except OpenAPIDynError:  # a schema that does not resolve: the records stay as they are
        return data


def _stream_type():
    from .streams import _StreamBase
    return _StreamBase


def content_type_of(raw) -> str:
    """The answer's media type, lower case, without parameters."""
    return (raw.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()


def decode_body(raw, attribute_access: bool = True, skip_events: frozenset = frozenset()) -> Any:
    """JSON -> Python objects (objects as :class:`~openapi_dyn.Record`,
    or plain dicts without ``attribute_access``), ``text/*`` -> ``str``,
    empty -> ``None``, an event stream read whole -> the list of its events'
    decoded data (keep-alive events named in ``skip_events`` left out, as
    iterating a stream leaves them out), anything else -> ``bytes``."""
    from .records import loads

    content = raw.content
    if not content:
        return None
    ctype = content_type_of(raw)
    if ctype == "text/event-stream":
        return _events_of(content, attribute_access, skip_events)
    if ctype == "application/json" or ctype.endswith("+json"):
        try:
            return loads(content, attribute_access)
        except ValueError:
            return raw.text
    if ctype.startswith("text/") or ctype in ("application/xml", "application/yaml", "application/sdp"):
        return raw.text
    if not ctype:
        try:
            return loads(content, attribute_access)
        except ValueError:
            return content
    return content


def _events_of(content: bytes, attribute_access: bool = True, skip_events: frozenset = frozenset()) -> List[Any]:
    from .sse import IncompleteEvent, parse_events

    out: List[Any] = []
    try:
        for event in parse_events([content]):
            event.attribute_access = attribute_access
            if event.data.strip() == "[DONE]":
                break
            if event.event not in skip_events:
                out.append(event.decoded())
    except IncompleteEvent:
        pass  # read whole: keep the complete events
    return out


def raise_for_status(raw, prepared, profile: Any = None) -> None:
    """Raise the :class:`APIError` subclass for a non-2xx answer, with what
    the vendor's error envelope says read into its fields."""
    status = raw.status_code
    if 200 <= status < 300:
        return
    read_all(raw, prepared)
    body = decode_body(raw)
    fields = error_fields(body, content_type_of(raw), profile, raw.headers)
    message = fields["message"] or getattr(raw, "reason", None) or getattr(raw, "reason_phrase", None) or "error"
    cls = error_class_for(status, getattr(profile, "error_classes", None))
    rid = request_id_of(raw.headers, profile)
    text = f"{status} from {prepared.method} {prepared.shown_url} ({prepared.operation_id}): "
    if fields["type"] or fields["code"]:
        # a code that only repeats the status (Google's) says less than the type
        label = fields["type"] if fields["type"] and fields["code"] == status else fields["code"] or fields["type"]
        text += f"[{label}] "
    text += str(message)
    if fields["param"]:
        text += f" (param: {fields['param']})"
    if rid:
        text += f" [request id {rid}]"
    from .failures import NOT_REPLAYABLE
    from .._spec.profile import DEFAULT_RETRY_STATUSES as RETRY_STATUSES

    if status in RETRY_STATUSES and getattr(raw, "openapi_dyn_not_retried", False):
        text += f" ({NOT_REPLAYABLE})"
    raise cls(text, status_code=status, headers=raw.headers, body=body, request_id=rid, response=raw,
              error_message=fields["message"], error_type=fields["type"], code=fields["code"],
              param=fields["param"], details=fields["details"])


# ------------------------------------------------------- after sending
def wants_stream(prepared, save_to: Any = None, profile: Any = None) -> bool:
    """Leave the body on the wire?  Yes for downloads (``save_to``), for
    operations whose 2xx answers include ``text/event-stream``, and for any
    call that asks the server to stream the way the vendor profile says
    (``streaming.body_flag``: a body with ``"stream": true``, which OpenAI's
    createRun needs although it declares no event stream;
    ``streaming.query_flag``: ``?stream=true``; ``streaming.query``: a
    parameter's value, Google's ``alt=sse``).  Whether a :class:`Stream`
    comes back is then decided by the answer's Content-Type, not by this
    guess.  Without a profile only the document decides."""
    if save_to is not None:
        return True
    op = prepared.operation
    if getattr(op, "streams", False):
        return True
    if profile is None:
        return False
    flag = profile.stream_body_flag
    body = prepared.json
    if flag and isinstance(body, Mapping) and body.get(flag) is True:
        return True
    wanted = getattr(profile, "stream_query_values", None)
    if wanted:
        query = urlsplit(prepared.url).query
        if any(wanted.get(k) == v for k, v in parse_qsl(query)):
            return True
    flag = profile.stream_query_flag
    if not flag:
        return False
    query = urlsplit(prepared.url).query
    if flag not in query:  # the usual case: no need to parse the query string
        return False
    return any(k == flag and v.lower() == "true" for k, v in parse_qsl(query))


#: What :func:`finishing` asks its driver for: read the body whole (answer
#: anything), write it to ``save_to`` (answer ``(what to hand back, bytes
#: written)``), hand it out as an event stream (answer the stream); ``DONE``
#: comes with the finished :class:`Response`.
READ, SAVE, STREAM, DONE = "read", "save", "stream", "done"

#: Answers handed out as a :class:`~openapi_dyn.Stream`: server-sent events,
#: and AWS event streams (Claude on Bedrock, read by :mod:`.eventstream`).
STREAM_TYPES = ("text/event-stream", "application/vnd.amazon.eventstream")


def finishing(raw, prepared, is_read: bool, save_to: Any = None, profile: Any = None,
              attribute_access: bool = True):
    """What becomes of an answer, worked out once for both clients, without
    I/O: a generator of ``(kind, response)`` steps (see :data:`READ`) that is
    sent what the driver read.  Raises for non-2xx statuses (the body read
    first), hands an event stream out unread, saves a download, reads
    anything else whole.  ``is_read``: the body is in memory already."""
    if not 200 <= raw.status_code < 300:
        if not is_read:
            yield READ, None
        raise_for_status(raw, prepared, profile)
    response = Response(raw, prepared, profile, attribute_access)
    if content_type_of(raw) in STREAM_TYPES and save_to is None and not is_read:
        response._data = yield STREAM, None
        response._decoded = True
        if profile is not None and profile.skip_events:
            response._data.skip_events = profile.skip_events
    elif save_to is not None:
        response._data, response.saved_bytes = yield SAVE, None
        response._decoded = True
    elif not is_read:
        yield READ, None
    yield DONE, response


def finish(raw, prepared, *, save_to: Any = None, validate: bool = False, profile: Any = None,
           attribute_access: bool = True) -> Response:
    """Turn a :class:`requests.Response` into a :class:`Response`: raise for
    non-2xx statuses, hand an event stream out unread, write a download to
    ``save_to``, read anything else whole (:func:`finishing`), and validate
    it when asked."""
    steps = finishing(raw, prepared, _is_read(raw), save_to, profile, attribute_access)
    kind, response = next(steps)
    while kind is not DONE:
        if kind is STREAM:
            from .streams import Stream

            got: Any = Stream(raw, prepared, attribute_access)
        else:
            got = read_all(raw, prepared) if kind is READ else save_body(raw, prepared, save_to)
        kind, response = steps.send(got)
    return validated(response, prepared, validate)


def validated(response: "Response", prepared, validate: Any) -> "Response":
    """``response``, its body checked with :func:`validate_answer` when
    ``validate`` asks for it and the body was read whole (a stream or a
    saved file is not decoded here); both clients end with this."""
    if validate and not response._decoded:
        validate_answer(response, prepared, validate)
    return response


def validate_answer(response: "Response", prepared, validate: Any) -> None:
    """Check a decoded answer against the spec (both clients): raise
    :class:`ResponseValidationError` for real problems; known drift (new
    enum values, nulls, missing fields: see :mod:`openapi_dyn._answer.drift`) is
    kept in ``response.drift`` and announced by a
    :class:`~openapi_dyn.ResponseDriftWarning`, unless ``validate`` is
    ``"strict"``."""
    raw = response.raw
    check = check_response(prepared.operation, raw.status_code, content_type_of(raw), response.data,
                           strict=validate == "strict")
    response.drift = check.drift
    if check.problems:
        raise ResponseValidationError(prepared.operation_id, check.problems, response=response)
    if check.drift:
        import warnings

        from .._errors import ResponseDriftWarning

        shown = "; ".join(str(p) for p in check.drift[:5])
        more = f" (and {len(check.drift) - 5} more)" if len(check.drift) > 5 else ""
        warnings.warn(f"{prepared.operation_id}: the answer drifted from the spec, accepted: {shown}{more}",
                      ResponseDriftWarning, stacklevel=3)


def save_body(raw, prepared, target: Any):
    """Write the (decompressed) body to ``target`` block by block; returns
    ``(what to hand back, bytes written)``; see :mod:`._download`.  Whatever
    goes wrong, the connection is closed and no partial file is left."""
    import requests

    from .download import DOWNLOAD_CHUNK, Saving

    with Saving(target, prepared, requests.RequestException, raw.close) as saving:
        for block in raw.iter_content(DOWNLOAD_CHUNK):
            saving.write(block)
    return saving.result()


# ------------------------------------------------ response validation
def _spec_response(operation, status: int) -> Optional[Mapping[str, Any]]:
    responses = operation.responses
    code = str(status)
    for key in (code, code[0] + "XX", code[0] + "xx", "default"):
        if key in responses:
            return responses[key]
    return None


class ResponseCheck(NamedTuple):
    """What :func:`check_response` found: ``problems`` (the answer is wrong)
    and ``drift`` (it differs from the spec the way live APIs drift, and was
    accepted: see :mod:`openapi_dyn._answer.drift`)."""

    problems: List[ValidationProblem]
    drift: List[ValidationProblem]


def response_problems(operation, status: int, ctype: str, data: Any, *,
                      strict: bool = False) -> List[ValidationProblem]:
    """The problems of :func:`check_response` (drift left out)."""
    return check_response(operation, status, ctype, data, strict=strict).problems


def check_response(operation, status: int, ctype: str, data: Any, *, strict: bool = False) -> ResponseCheck:
    """Where a decoded answer disagrees with what the spec documents for its
    status: an undocumented status (when there is no ``default``), a media
    type the spec does not list, or a JSON body that fails its schema
    (located as ``response.body.data[0].id``).  Bodies that are not JSON are
    not checked beyond their media type.

    A body that fails the schema only where live APIs are known to drift
    (missing required fields, new fields, new enum values, nulls) is
    accepted, with those differences as ``drift``; ``strict=True`` makes
    every difference a problem."""
    from .._spec.operation import is_json

    spec = _spec_response(operation, status)
    if spec is None:
        documented = ", ".join(operation.responses) or "none"
        return ResponseCheck([ValidationProblem("response.status", f"{status} is not documented for "
                                                f"{operation.operation_id} (documented: {documented})")], [])
    content = spec.get("content") or {}
    if not content:
        return ResponseCheck([], [])
    from .._spec.operation import find_media

    media = find_media(content, ctype)
    if media is None:
        if data is None:
            return ResponseCheck([], [])
        return ResponseCheck([ValidationProblem("response.content_type", f"{ctype or 'no Content-Type'} is not "
                                                f"a media type the spec lists for {status} ({', '.join(content)})")],
                             [])
    if not is_json(media.media_type) or not media.schema or isinstance(data, (bytes, str)) and not is_json(ctype):
        return ResponseCheck([], [])
    return _check_response_body(operation, status, media, data, strict)


def _check_response_body(operation, status: int, media, data: Any, strict: bool) -> ResponseCheck:
    from .._call.validation import validator_for

    # the "response" kind gives openapi-core's read rules in 3.0 documents
    key = ("response", f"{status} {media.media_type}")
    problems = validator_for(operation).check(key, media.schema_pointer, data, "response.body")
    if not problems or strict:
        return ResponseCheck(problems, [])
    from .drift import lenient_problems

    real = lenient_problems(operation, key, media.schema_pointer, data, "response.body")
    if real:
        return ResponseCheck(real, [])
    return ResponseCheck([], problems)
