"""Vendor profiles: what a real API needs that its OpenAPI document never says.

The official SDKs add beta and version headers, read keys, base URLs and API
versions from the environment, obey retry hints and read the vendor's error
envelope, all silently.  A client that does only what the document says is
refused by the real service, so those conventions are written down here as
data: one YAML file per bundled spec (``schemas/profile-*.yaml``), or a dict
or file the user passes for any other API (``Client(spec, profile=...)``).

A profile is checked against ``schemas/profile.schema.json`` when it is read,
and problems are reported as :class:`~openapi_dyn.ProfileError` naming
the key at fault.  Everything in it is optional; :data:`EMPTY` (the profile of
a spec that has none) keeps to what HTTP itself makes safe: only idempotent
methods, or requests that carry an ``Idempotency-Key``, are retried, and
nothing is paginated or streamed beyond what the document says.

The sections, each used by one part of the client:

* ``environment``: variables for credentials (per security scheme), the base
  URL, headers, parameter values and server variables (:mod:`._client`,
  :mod:`._auth`);
* ``headers``: headers the document does not declare, sent on the operations
  a ``when`` selects unless the call sets them (:mod:`._request`);
* ``parameters``: defaults for declared parameters, optionally *extending* a
  value the caller gives (Anthropic's ``anthropic-beta``) (:mod:`._request`);
* ``api_version``: the parameter ``Client(api_version=...)`` sets;
* ``retry``: statuses, methods and the server's retry-hint header
  (:mod:`._transport`);
* ``errors`` and ``request_id``: where an error body keeps its message, type,
  code and parameter, and which header carries the request id
  (:mod:`._response`);
* ``pagination`` and ``streaming``: which list operations page how, and which
  body or query flag asks for an event stream (:mod:`._pagination`,
  :mod:`._response`);
* ``token_provider``: where a bearer token comes from when the caller gives
  none (Google's Application Default Credentials, :mod:`openapi_dyn._call.google_auth`);
* ``uploads``: the operations whose file goes up by a resumable upload
  protocol (Google's, :mod:`openapi_dyn._http.resumable`);
* ``batch``: the vendor's batch engine, its limits and the operations it
  accepts (read by :mod:`._batch_protocols`, kept as raw data here);
* ``arrays``, ``empty_json_body`` and ``vectors``: how the vendor's SDK puts
  arrays and objects on the wire, sends a body nobody filled in, and asks
  for compact embedding vectors (:class:`WireRules`, read by
  :mod:`._request` and :mod:`._response`);
* ``errors.classes`` and ``streaming.skip_events``: statuses with an error
  class of their own (Anthropic's 529) and events that are keep-alives, not
  answers (Anthropic's ``ping``).
* ``body``: defaults for fields of JSON object bodies (Bedrock's
  ``anthropic_version``), set when the call leaves them out (:mod:`openapi_dyn._call.routes`);
* ``signing``: requests signed per attempt instead of carrying a key
  (AWS Signature Version 4 for Bedrock, :mod:`openapi_dyn._call.sigv4`).

A profile may start from another bundled one: ``extends: openai`` takes the
parent's sections, the child's own replace them whole, and ``drop`` lists
parent sections left out (``[headers, batch]``).  The OpenAI-compatible
vendors say that way which of OpenAI's conventions apply to them.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from importlib import resources
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple

from .._errors import ProfileError

__all__ = ["Profile", "RetryRules", "HeaderRule", "ParameterRule", "BodyRule", "PaginationRule", "WireRules",
           "VectorRule", "load_profile", "EMPTY", "IDEMPOTENT_METHODS"]

#: Methods that RFC 9110 defines as idempotent: safe to send twice.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})

#: Answers worth another attempt: timeouts, lock conflicts, rate limits,
#: server errors (what both official SDKs retry).
DEFAULT_RETRY_STATUSES = frozenset([408, 409, 429] + list(range(500, 600)))


class Selector:
    """Which operations a rule is for: ``operations`` (operationIds),
    ``path_prefix`` (the path as the document writes it, before the server's
    base path), ``tags`` and ``methods``; all given conditions must hold, and
    an empty selector matches every operation.  A path prefix matches whole
    segments: ``/files`` matches ``/files/{id}`` and ``/files?beta=true``,
    not ``/filesystems``."""

    __slots__ = ("operations", "path_prefix", "tags", "methods")

    def __init__(self, raw: Optional[Mapping[str, Any]]):
        raw = raw or {}
        self.operations = frozenset(raw.get("operations") or ())
        self.path_prefix = tuple(p.rstrip("/") for p in raw.get("path_prefix") or ())
        self.tags = frozenset(t.lower() for t in raw.get("tags") or ())
        self.methods = frozenset(m.upper() for m in raw.get("methods") or ())

    def matches(self, op) -> bool:
        if self.operations and op.operation_id not in self.operations:
            return False
        if self.methods and op.method not in self.methods:
            return False
        if self.tags and not any(t.lower() in self.tags for t in op.tags):
            return False
        if self.path_prefix:
            path = op.path
            if not any(path == p or path[len(p):len(p) + 1] in ("/", "?") and path.startswith(p)
                       for p in self.path_prefix):
                return False
        return True


class HeaderRule:
    """A header the document does not declare, sent on the selected
    operations unless the call sets it (``OpenAI-Beta: assistants=v2``)."""

    __slots__ = ("name", "value", "when", "why")

    def __init__(self, raw: Mapping[str, Any]):
        self.name = str(raw["name"])
        self.value = str(raw["value"])
        self.when = Selector(raw.get("when"))
        self.why = str(raw.get("why") or "")


class ParameterRule:
    """A default for a declared parameter of the selected operations.  With
    ``extend`` (a separator such as ``","``) a value the caller gives is kept
    and the default appended to it, as the Anthropic SDK does with its beta
    flags; otherwise the caller's value replaces it."""

    __slots__ = ("name", "value", "extend", "when", "why")

    def __init__(self, raw: Mapping[str, Any]):
        self.name = str(raw["name"])
        self.value = raw["value"]
        self.extend: Optional[str] = raw.get("extend")
        self.when = Selector(raw.get("when"))
        self.why = str(raw.get("why") or "")

    def combine(self, given: Any) -> Any:
        """The value to send when the caller gave ``given``."""
        if not self.extend:
            return given
        sep = self.extend
        items = [str(x) for x in given] if isinstance(given, (list, tuple)) else \
            [x.strip() for x in str(given).split(sep) if x.strip()]
        if str(self.value) not in items:
            items.append(str(self.value))
        return sep.join(items)


class BodyRule:
    """A default for a top-level field of a JSON object body of the
    selected operations, set when the call does not give the field."""

    __slots__ = ("name", "value", "when", "why")

    def __init__(self, raw: Mapping[str, Any]):
        self.name = str(raw["name"])
        self.value = raw["value"]
        self.when = Selector(raw.get("when"))
        self.why = str(raw.get("why") or "")


class RetryRules:
    """When an answer is worth another attempt.

    ``statuses``: the retried status codes; ``methods``: the retried methods
    (``None``: all of them, as the official SDKs do for their own APIs);
    ``idempotency_header``: a request carrying it may be retried whatever its
    method; ``hint_header``: a header by which the server says ``true`` (retry,
    whatever the status) or ``false`` (don't); it is obeyed before anything
    else, and a request that may not be repeated (see ``methods``) is still
    never repeated."""

    __slots__ = ("statuses", "methods", "idempotency_header", "hint_header")

    def __init__(self, statuses: Iterable[int] = DEFAULT_RETRY_STATUSES,
                 methods: Optional[Iterable[str]] = IDEMPOTENT_METHODS,
                 idempotency_header: Optional[str] = "Idempotency-Key",
                 hint_header: Optional[str] = None):
        self.statuses: FrozenSet[int] = frozenset(statuses)
        self.methods: Optional[FrozenSet[str]] = None if methods is None else frozenset(m.upper() for m in methods)
        self.idempotency_header = idempotency_header
        self.hint_header = hint_header

    def may_repeat(self, method: str, request_headers: Mapping[str, str]) -> bool:
        """May this request be sent again at all (after a failure or an
        error status)?"""
        if self.methods is None or method.upper() in self.methods:
            return True
        if self.idempotency_header:
            wanted = self.idempotency_header.lower()
            return any(k.lower() == wanted and v for k, v in request_headers.items())
        return False

    def retry_status(self, method: str, status: int, headers: Mapping[str, str],
                     request_headers: Mapping[str, str]) -> bool:
        """Retry after an answer with ``status`` and ``headers``?"""
        if not self.may_repeat(method, request_headers):
            return False
        if self.hint_header:
            hint = (headers.get(self.hint_header) or "").strip().lower()
            if hint == "true":
                return True
            if hint == "false":
                return False
        return status in self.statuses

    def __repr__(self) -> str:
        methods = "all" if self.methods is None else ",".join(sorted(self.methods))
        return f"<RetryRules methods={methods} statuses={len(self.statuses)} hint={self.hint_header}>"


class PaginationRule:
    """One way a list operation pages: the query parameter ``param`` carries
    the cursor; the answer holds the items in ``items`` and says whether more
    follow in ``has_more`` (when the profile names one); the next cursor is
    the first of ``next`` that is present (``@last.id``: the ``id`` of the
    last item).  ``requires`` lists answer fields that must be documented for
    the rule to apply."""

    __slots__ = ("param", "items", "has_more", "next", "requires")

    def __init__(self, raw: Mapping[str, Any], base: Mapping[str, Any]):
        self.param = str(raw["param"])
        self.items = str(raw.get("items", base.get("items", "data")))
        has_more = raw.get("has_more", base.get("has_more", "has_more"))
        self.has_more: Optional[str] = str(has_more) if has_more else None
        self.next: Tuple[str, ...] = tuple(raw.get("next") or ("@last.id",))
        self.requires: Tuple[str, ...] = tuple(raw.get("requires") or ())

    def next_cursor(self, page: Mapping[str, Any]) -> Optional[str]:
        for field in self.next:
            if field == "@last.id":
                data = page.get(self.items) or []
                last = data[-1] if isinstance(data, list) and data else None
                value = last.get("id") if isinstance(last, Mapping) else None
            else:
                value = page.get(field)
            if isinstance(value, (str, int)) and not isinstance(value, bool) and value != "":
                return str(value)
        return None


class VectorRule:
    """Embedding vectors asked for as base64 and decoded by the client: the
    request field ``field`` is set to ``value`` when the caller leaves it
    out, and each ``items[i].<vector>`` string of the answer is decoded from
    little-endian float32 back to the list of floats a float answer holds.
    A 1536-dimension answer shrinks to about a quarter of the float answer
    as OpenAI indents it (40 % of a compact float array), and the caller
    still gets floats.  When the caller chooses the field's value, nothing
    is added or decoded."""

    __slots__ = ("field", "value", "items", "vector", "when", "why")

    def __init__(self, raw: Mapping[str, Any]):
        self.field = str(raw.get("field", "encoding_format"))
        self.value = str(raw.get("value", "base64"))
        self.items = str(raw.get("items", "data"))
        self.vector = str(raw.get("vector", "embedding"))
        self.when = Selector(raw.get("when"))
        self.why = str(raw.get("why") or "")

    def decode(self, data: Any) -> Any:
        """``data`` (a decoded answer) with each base64 vector replaced, in
        place, by its list of floats; anything else is left as it is."""
        import base64
        import binascii
        import struct

        items = data.get(self.items) if isinstance(data, Mapping) else None
        for item in items if isinstance(items, list) else ():
            text = item.get(self.vector) if isinstance(item, Mapping) else None
            if not isinstance(text, str):
                continue
            try:
                raw = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                continue  # not base64 after all: handed over as sent
            if len(raw) % 4:
                continue
            item[self.vector] = list(struct.unpack(f"<{len(raw) // 4}f", raw))
        return data


class WireRules:
    """How one operation's requests are put on the wire beyond what the
    document says (see :meth:`Profile.wire_for`).

    ``query_brackets``: a list in a form-style query parameter is sent as
    ``name[]=a&name[]=b`` (a name that ends in ``[]`` already is kept);
    ``multipart_brackets``: a list field of a multipart body without an
    Encoding Object goes as ``name[]`` parts, an object field as
    ``name[key]`` parts (recursively, as the OpenAI SDK's form encoder
    does); ``empty_json_body``: an optional JSON body that the call leaves
    out is sent as ``{}``; ``vectors``: the :class:`VectorRule` of the
    operation, or ``None``."""

    __slots__ = ("query_brackets", "multipart_brackets", "empty_json_body", "vectors")

    def __init__(self, query_brackets: bool = False, multipart_brackets: bool = False,
                 empty_json_body: bool = False, vectors: Optional[VectorRule] = None):
        self.query_brackets = query_brackets
        self.multipart_brackets = multipart_brackets
        self.empty_json_body = empty_json_body
        self.vectors = vectors

    def __repr__(self) -> str:
        return (f"<WireRules query_brackets={self.query_brackets} multipart_brackets={self.multipart_brackets} "
                f"empty_json_body={self.empty_json_body} vectors={self.vectors is not None}>")


#: What the document alone says: nothing added.
PLAIN_WIRE = WireRules()


class Profile:
    """One vendor's conventions (see the module docstring).  Built from a
    checked mapping; use :func:`load_profile` to read one."""

    def __init__(self, raw: Mapping[str, Any], origin: str = "<dict>"):
        self.raw = raw
        self.origin = origin
        self.name: str = str(raw.get("name") or "")
        env = raw.get("environment") or {}
        #: security scheme -> variable, or variables tried in order (``*``:
        #: schemes without their own)
        self.credential_env: Dict[str, Any] = dict(env.get("credentials") or {})
        base = env.get("base_url")
        self.base_url_env: Optional[Tuple[str, str]] = (
            (base["variable"], base.get("suffix", "")) if isinstance(base, Mapping) else None)
        #: header -> variable
        self.header_env: Dict[str, str] = dict(env.get("headers") or {})
        #: parameter -> variable
        self.parameter_env: Dict[str, str] = dict(env.get("parameters") or {})
        #: server variable -> variable
        self.server_variable_env: Dict[str, str] = dict(env.get("server_variables") or {})
        self.headers: List[HeaderRule] = [HeaderRule(h) for h in raw.get("headers") or ()]
        self.parameters: List[ParameterRule] = [ParameterRule(p) for p in raw.get("parameters") or ()]
        self.api_version: Optional[str] = raw.get("api_version")
        #: the security schemes ``api_key=`` is for (empty: every scheme)
        self.api_key_schemes: Tuple[str, ...] = tuple(raw.get("api_key_schemes") or ())
        #: a credential is demanded even where the document makes it optional
        self.auth_required: bool = bool(raw.get("auth_required"))
        retry = raw.get("retry")
        if retry is None:
            self.retry = RetryRules()
        else:
            self.retry = RetryRules(
                statuses=_statuses(retry.get("statuses")) if "statuses" in retry else DEFAULT_RETRY_STATUSES,
                methods=None if retry.get("methods", list(IDEMPOTENT_METHODS)) == "*" else retry.get(
                    "methods", IDEMPOTENT_METHODS),
                idempotency_header=retry.get("idempotency_header", "Idempotency-Key"),
                hint_header=retry.get("hint_header"))
        errors = raw.get("errors") or {}
        self.error_fields: Dict[str, Tuple[str, ...]] = {
            k: tuple(errors.get(k) or ()) for k in ("message", "type", "code", "param", "details")}
        #: error fields read from the answer's headers when the body has none
        #: (``errors.headers``: Bedrock's ``x-amzn-ErrorType``)
        self.error_header_fields: Dict[str, Tuple[str, ...]] = {
            k: tuple(v or ()) for k, v in (errors.get("headers") or {}).items()}
        self.request_id_headers: Tuple[str, ...] = tuple(raw.get("request_id") or ("x-request-id", "request-id"))
        pag = raw.get("pagination") or {}
        self.pagination: List[PaginationRule] = [PaginationRule(r, pag) for r in pag.get("rules") or ()]
        stream = raw.get("streaming") or {}
        self.stream_body_flag: Optional[str] = stream.get("body_flag")
        self.stream_query_flag: Optional[str] = stream.get("query_flag")
        #: event names that are keep-alives: left out of a stream's events, kept in its raw lines
        self.skip_events: FrozenSet[str] = frozenset(stream.get("skip_events") or ())
        #: status -> the name of the APIError subclass raised for it (``529: OverloadedError``)
        self.error_classes: Dict[int, str] = {int(k): str(v) for k, v in (errors.get("classes") or {}).items()}
        arrays = raw.get("arrays") or {}
        self._arrays = (arrays.get("query") == "brackets", arrays.get("multipart") == "brackets")
        self._empty_json_body = bool(raw.get("empty_json_body"))
        self.vectors: List[VectorRule] = [VectorRule(v) for v in raw.get("vectors") or ()]
        self._wire: Dict[str, WireRules] = {}
        self.body: List[BodyRule] = [BodyRule(b) for b in raw.get("body") or ()]
        #: how requests are signed (``{"method": "aws-sigv4", ...}``), or None
        self.signing: Optional[Mapping[str, Any]] = raw.get("signing")
        #: the bundled profile this one extends
        self.extends: Optional[str] = raw.get("extends")
        #: query parameter -> the value that asks for an event stream (Google's ``alt=sse``)
        self.stream_query_values: Dict[str, str] = dict(stream.get("query") or {})
        #: where a bearer token comes from when the caller gives none (``token_provider``)
        self.token_provider: Optional[Dict[str, Any]] = raw.get("token_provider")
        #: the resumable upload protocol and the operations it is for (``uploads``)
        self.uploads: Dict[str, Any] = dict(raw.get("uploads") or {})
        self._per_op: Dict[str, Tuple[List[HeaderRule], List[ParameterRule]]] = {}
        #: operationId -> (Pagination or None, why not): filled by _pagination, once per operation
        self.pagination_cache: Dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"<Profile {self.name or '(unnamed)'} from {self.origin}>"

    def rules_for(self, op) -> Tuple[List[HeaderRule], List[ParameterRule]]:
        """The header and parameter rules that apply to ``op`` (a parameter
        rule only where ``op`` declares that parameter), computed once."""
        found = self._per_op.get(op.operation_id)
        if found is None:
            headers = [h for h in self.headers if h.when.matches(op)]
            declared = {p.name.lower() for p in op.parameters}
            params = [p for p in self.parameters if p.when.matches(op) and p.name.lower() in declared]
            found = self._per_op[op.operation_id] = (headers, params)
        return found

    def wire_for(self, op) -> WireRules:
        """The :class:`WireRules` of ``op`` (:data:`PLAIN_WIRE` when the
        profile says nothing about the wire), computed once."""
        found = self._wire.get(op.operation_id)
        if found is None:
            vectors = next((v for v in self.vectors if v.when.matches(op)), None)
            if self._arrays == (False, False) and not self._empty_json_body and vectors is None:
                found = PLAIN_WIRE
            else:
                found = WireRules(self._arrays[0], self._arrays[1], self._empty_json_body, vectors)
            self._wire[op.operation_id] = found
        return found

    def environment_base_url(self) -> Optional[str]:
        if self.base_url_env is None:
            return None
        var, suffix = self.base_url_env
        value = os.environ.get(var, "").strip()
        if not value:
            return None
        return value.rstrip("/") + (suffix or "")


def _statuses(values: Sequence[Any]) -> FrozenSet[int]:
    """``[408, 429, "5xx"]`` -> the set of codes."""
    out = set()
    for v in values or ():
        if isinstance(v, str) and len(v) == 3 and v[1:].lower() == "xx" and v[0].isdigit():
            start = int(v[0]) * 100
            out.update(range(start, start + 100))
        else:
            out.add(int(v))
    return frozenset(out)


#: The profile of a spec that has none: conservative retries, nothing else.
EMPTY = Profile({}, "<none>")


@lru_cache(maxsize=1)
def _schema() -> Dict[str, Any]:
    text = resources.files("openapi_dyn.schemas").joinpath("profile.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def check(raw: Any, origin: str) -> None:
    """Raise :class:`ProfileError` listing every problem of ``raw`` against
    the profile schema, each located (``headers[0].value``)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(_schema())
    problems = []
    for err in sorted(validator.iter_errors(raw), key=lambda e: list(e.absolute_path)):
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path).lstrip(".")
        problems.append(f"{where or '(top)'}: {err.message}")
    if problems:
        raise ProfileError("the profile is not usable: " + "; ".join(problems), origin)


@lru_cache(maxsize=16)
def bundled_profile(name: str) -> Profile:
    """The profile shipped as ``schemas/profile-<name>.yaml``.

    Bundled profiles are checked against the schema by the test suite, not
    here, and their parsed form is kept in the spec cache: a process that
    only explores a bundled spec never imports PyYAML or jsonschema."""
    files = resources.files("openapi_dyn.schemas")
    entry = files.joinpath(f"profile-{name}.yaml")
    if not entry.is_file():
        known = sorted(p.name[len("profile-"):-len(".yaml")] for p in files.iterdir()
                       if p.name.startswith("profile-") and p.name.endswith(".yaml"))
        raise ProfileError(f"no bundled profile {name!r}; bundled: {', '.join(known)} "
                           f"(or pass a dict or a YAML file)", name)
    text = entry.read_text(encoding="utf-8")
    import hashlib

    from .cache import SpecCache

    store = SpecCache.open()
    key = f"profile\0{hashlib.sha256(text.encode()).hexdigest()}"
    cached = store.read_text(key) if store is not None else None
    if cached is not None:
        try:
            return Profile(_extended(json.loads(cached), f"bundled:{name}"), f"bundled:{name}")
        except (ValueError, TypeError, KeyError):
            pass  # unreadable: parse the file again
    raw = _parse(text, f"bundled:{name}")
    if store is not None:
        store.write_text(key, json.dumps(raw))
    return Profile(_extended(raw, f"bundled:{name}"), f"bundled:{name}")


#: The sections ``drop`` may name.
SECTIONS = ("environment", "headers", "parameters", "api_version", "api_key_schemes", "retry", "errors",
            "request_id", "pagination", "streaming", "batch", "body", "signing")


def _extended(raw: Any, origin: str, depth: int = 0) -> Any:
    """``raw`` with the sections of the profile it ``extends`` filled in
    (see the module docstring); the child's ``extends`` stays, ``drop``
    goes."""
    if not isinstance(raw, Mapping) or not raw.get("extends"):
        return raw
    if depth > 4:
        raise ProfileError("extends: the chain of profiles is too long (or circular)", origin)
    parent = bundled_profile(str(raw["extends"])).raw
    merged = {k: v for k, v in parent.items() if k not in ("name", "title", "source", "extends")}
    merged.update({k: v for k, v in raw.items() if k != "drop"})
    for section in raw.get("drop") or ():
        merged.pop(section, None)
    return merged


def _parse(text: str, origin: str) -> Any:
    import yaml

    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ProfileError(f"the profile is not YAML: {exc}", origin) from None
    return {} if raw is None else raw


def _from_text(text: str, origin: str) -> Profile:
    raw = _parse(text, origin)
    check(raw, origin)
    return Profile(_extended(raw, origin), origin)


def load_profile(value: Any, bundled_name: Optional[str] = None) -> Profile:
    """A :class:`Profile` from what ``Client(profile=...)`` was given:

    * ``None``: the bundled spec's own profile (``bundled_name``), else :data:`EMPTY`;
    * ``False``: :data:`EMPTY` (the document alone);
    * a bundled profile's name (``"openai"``, ``"anthropic"``...);
    * a path to a YAML or JSON file;
    * a mapping (checked, never modified);
    * a :class:`Profile`.
    """
    if value is None:
        if bundled_name:
            from . import bundled

            name = (bundled.entry(bundled_name) or {}).get("profile")
            if name:
                return bundled_profile(name)
        return EMPTY
    if value is False:
        return EMPTY
    if isinstance(value, Profile):
        return value
    if isinstance(value, Mapping):
        raw = json.loads(json.dumps(value))  # a private copy of plain data
        check(raw, "<dict>")
        return Profile(_extended(raw, "<dict>"), "<dict>")
    if isinstance(value, (str, os.PathLike)):
        text = str(value)
        if isinstance(value, str) and "/" not in text and os.sep not in text and not text.endswith(
                (".yaml", ".yml", ".json")):
            return bundled_profile(text)
        try:
            with open(text, encoding="utf-8") as fh:
                return _from_text(fh.read(), text)
        except OSError as exc:
            raise ProfileError(f"cannot read the profile: {exc.strerror or exc}", text) from None
    raise ProfileError(f"profile= takes a bundled name, a path, a dict or a Profile, "
                       f"not {type(value).__name__}")
