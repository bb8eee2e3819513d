"""From call arguments to a validated, encoded request.

:class:`Binder` (one per operation, built on first use) knows which keyword
names address which parameter; :func:`build_request` binds the arguments,
validates them (all problems collected, none sent), serializes parameters per
their style and encodes the body.  The result is a :class:`PreparedRequest`:
everything that would go on the wire, printable without revealing a secret.
"""
from __future__ import annotations

import difflib
import json
import re
from typing import Any, Dict, Iterator, List, Optional, Tuple

from . import bodies, serialize
from .auth import apply_security
from .context import CallContext
from .._errors import RequestValidationError, ValidationProblem
from .headers import header_problems
from .._spec.operation import find_media, is_json, media_matches
from .._spec.profile import PLAIN_WIRE
from .redact import SecretPlaces, mask_headers, mask_places_text, mask_url
from .validation import validator_for

_AMBIGUOUS = object()
_TEMPLATE_VAR = re.compile(r"{([^{}]+)}")


class Headers(dict):
    """Request headers: a ``dict`` (in the order set, names as written) whose
    lookups ignore case, as header names do (``headers.get("openai-beta")``
    finds ``OpenAI-Beta``).  Setting a name replaces it under any spelling."""

    __slots__ = ()

    def _key(self, name: Any) -> Any:
        if isinstance(name, str) and not dict.__contains__(self, name):
            lowered = name.lower()
            for key in self:
                if key.lower() == lowered:
                    return key
        return name

    def __getitem__(self, name: Any) -> str:
        return dict.__getitem__(self, self._key(name))

    def __contains__(self, name: Any) -> bool:
        return dict.__contains__(self, self._key(name))

    def get(self, name: Any, default: Any = None) -> Any:
        return dict.get(self, self._key(name), default)

    def __setitem__(self, name: str, value: str) -> None:
        put_header(self, name, value)

    def __delitem__(self, name: Any) -> None:
        dict.__delitem__(self, self._key(name))

    def pop(self, name: Any, *default: Any) -> Any:
        return dict.pop(self, self._key(name), *default)


class PreparedRequest:
    """A request that passed validation and is ready to send.

    ``method``, ``url`` (with the query string), ``headers``, ``body`` (bytes,
    or a stream/iterable for uploads), ``json`` (the body as given, for JSON
    requests), ``content_type``, ``operation_id``.  ``missing_credentials`` is a
    message when the operation needs a key that was not found (preparing works
    without one; sending does not).  ``replayable`` is false when the body is a
    stream that cannot be sent twice (such requests are not retried).
    ``vectors`` is set when the vendor profile asked for base64 embedding
    vectors that the caller did not ask for (see ``vectors`` in
    docs/vendors.md): the answer's vectors are then decoded to floats.
    """

    __slots__ = ("operation_id", "method", "url", "headers", "body", "json",
                 "content_type", "missing_credentials", "replayable", "_secrets", "operation", "vectors",
                 "signer")

    def __init__(self, operation, method: str, url: str, headers: Dict[str, str], body: Any,
                 json_body: Any, content_type: Optional[str], secrets: SecretPlaces,
                 missing_credentials: Optional[str], replayable: bool = True):
        self.operation = operation
        self.operation_id = operation.operation_id
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.json = json_body
        self.content_type = content_type
        self._secrets = secrets
        self.missing_credentials = missing_credentials
        self.replayable = replayable
        #: the profile's VectorRule when the client asked for base64 vectors
        #: on the caller's behalf: the answer is decoded back to floats
        self.vectors: Any = None
        #: signs each attempt as it is sent (``sign(method, url, headers,
        #: body, crossed)``), for APIs whose profile says so (:mod:`openapi_dyn._call.sigv4`)
        self.signer: Any = None

    @property
    def secret_places(self) -> SecretPlaces:
        """Where this request carries secrets (header, query and cookie
        names, and the values): what the transports mask in what they log
        and raise about it."""
        return self._secrets

    def masked_headers(self) -> Dict[str, str]:
        """The headers with every credential replaced by ``****``: the headers
        the security schemes filled, those whose names mark them as secret
        (``*key*``, ``*token*``, ``Authorization``...) and cookie values;
        ``Authorization`` keeps its scheme (``Bearer ****``)."""
        return mask_headers(self.headers, self._secrets)

    @property
    def masked_url(self) -> str:
        """The URL with the value of every secret query parameter masked."""
        return mask_url(self.url, self._secrets)

    @property
    def shown_url(self) -> str:
        """:attr:`masked_url` as error messages show it: a URL longer than
        300 characters (a query with thousands of values) is cut, saying how
        long it was, so an error stays readable."""
        url = self.masked_url
        return url if len(url) <= 300 else f"{url[:300]}... ({len(url)} characters)"

    def describe(self) -> str:
        """A person-readable dump of the request (method, URL, headers, body),
        secrets masked: what ``--dry-run`` prints.  Secrets are masked where
        they are (headers, query parameters, cookies); the body is the
        caller's own text, in which only a key of at least 8 characters would
        be masked."""
        lines = [f"{self.method} {self.masked_url}"]
        lines += [f"{k}: {v}" for k, v in self.masked_headers().items()]
        if self.signer is not None:
            lines.append(f"Authorization: **** ({self.signer.describe()}, made when sent)")
        if self.json is not None:
            lines += ["", mask_places_text(json.dumps(self.json, indent=2, ensure_ascii=False, default=str),
                                           self._secrets)]
        elif isinstance(self.body, (bytes, str)):
            text = self.body.decode("utf-8", "replace") if isinstance(self.body, bytes) else self.body
            lines += ["", mask_places_text(text if len(text) < 4000 else text[:4000] + f"... ({len(text)} characters)",
                                           self._secrets)]
        elif self.body is not None:
            lines += ["", f"<streamed body: {type(self.body).__name__}>"]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<PreparedRequest {self.operation_id}: {self.method} {self.masked_url}>"


class Binder:
    """Keyword names -> parameters for one operation, and the pieces of its
    URL template, computed once."""

    def __init__(self, operation):
        self.operation = operation
        params = operation.parameters
        index: Dict[str, Any] = {}
        by_name: Dict[str, List[Any]] = {}
        for p in params:
            by_name.setdefault(p.name, []).append(p)
        for p in params:
            index[p.qualified_name] = p
        for name, ps in by_name.items():
            index.setdefault(name, ps[0] if len(ps) == 1 else _AMBIGUOUS)
        for p in params:  # aliases last: they never shadow a real name
            if p.alias not in index:
                index[p.alias] = p if len(by_name[p.name]) == 1 else _AMBIGUOUS
        self.index = index
        self.required = [p for p in params if p.required]
        self.path_pieces = _TEMPLATE_VAR.split(operation.path)
        #: top-level fields of the operation's object body: they may be given
        #: as keyword arguments (a parameter of the same name wins)
        self.body_names = body_field_names(operation)

    def ambiguity(self, name: str) -> str:
        choices = [p.qualified_name for p in self.operation.parameters
                   if p.name == name or p.alias == name]
        return f"ambiguous: several parameters are called {name!r}; use " + " or ".join(repr(c) for c in choices)

    def suggest(self, name: str) -> str:
        schemes = self.operation.spec.security_schemes
        for req in self.operation.security:
            for scheme in req or {}:
                found = schemes.get(scheme) or {}
                if found.get("type") == "apiKey" and str(found.get("name", "")).lower() == name.lower():
                    return (f"{name!r} is a credential, the {found.get('in', 'header')} of the security scheme "
                            f"{scheme!r}: pass api_key= or credentials={{{scheme!r}: ...}} to the client")
        names = [k for k, v in self.index.items() if v is not _AMBIGUOUS and "." not in k]
        fields = sorted(self.body_names - set(names))
        close = difflib.get_close_matches(name, names + fields + ["body"], n=3, cutoff=0.6)
        if close:
            return "unknown argument; did you mean " + " or ".join(close) + "?"
        if names or fields:
            return ("unknown argument; this operation takes " + ", ".join(sorted(set(names)) + fields))[:300]
        return "unknown argument; this operation takes no parameters"


#: Media types whose bodies are objects with named fields.
_FIELD_MEDIA = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")


def _object_parts(operation, schema: Any, keys: tuple) -> Iterator[Dict[str, Any]]:
    """``schema`` (resolved) and, recursively, its members under ``keys``
    (``allOf``, and ``oneOf``/``anyOf`` where alternatives count), each once
    the ``$ref``s are followed; bounded in depth."""
    spec = operation.spec
    stack = [(schema, 0)]
    while stack:
        node, depth = stack.pop()
        node = spec.resolve(node)
        if not isinstance(node, dict) or depth > 6:
            continue
        yield node
        for key in keys:
            stack.extend((member, depth + 1) for member in node.get(key) or ())


def body_required_fields(operation) -> frozenset:
    """The fields the default media type's object body requires (``allOf``
    parts merged); empty when the body itself is optional."""
    media = operation.request_body.get(operation.default_media_type() or "")
    if media is None or not operation.body_required:
        return frozenset()
    return frozenset(r for part in _object_parts(operation, media.raw.get("schema"), ("allOf",))
                     for r in part.get("required") or () if isinstance(r, str))


def body_field_names(operation) -> frozenset:
    """The top-level property names of the operation's object request body
    (every JSON, form or multipart media type; ``allOf`` parts and the
    alternatives of a ``oneOf``/``anyOf`` included), minus the call options,
    which keep their meaning."""
    from .options import CALL_OPTIONS

    return frozenset({name for name, _schema in _body_properties(operation)} - set(CALL_OPTIONS))


def body_text_fields(operation) -> frozenset:
    """The top-level body fields declared as strings only, wherever they
    occur (the command line keeps their values as text instead of reading
    them as JSON: ``model=gpt-4o``, ``name=123``)."""
    kinds: Dict[str, set] = {}
    for name, schema in _body_properties(operation):
        schema = operation.spec.resolve(schema)
        t = schema.get("type") if isinstance(schema, dict) else None
        kinds.setdefault(name, set()).update(t if isinstance(t, list) else [t])
    return frozenset(name for name, types in kinds.items() if types == {"string"})


def _body_properties(operation) -> Iterator[Tuple[str, Any]]:
    """``(name, schema)`` of every top-level property of the operation's
    object request bodies (see :func:`body_field_names`)."""
    for mt, media in operation.request_body.items():
        if any(media_matches(pattern, mt) for pattern in _FIELD_MEDIA) or is_json(mt):
            for part in _object_parts(operation, media.raw.get("schema"), ("allOf", "oneOf", "anyOf")):
                props = part.get("properties")
                if isinstance(props, dict):
                    yield from ((k, v) for k, v in props.items() if isinstance(k, str))


def put_header(headers: Dict[str, str], name: str, value: str) -> None:
    """Set ``name`` in ``headers``, replacing it under any spelling: header
    names are case-insensitive, and a later source (a parameter, the call's
    ``headers=``) overrides an earlier one (the profile, the client)."""
    if not dict.__contains__(headers, name):
        lowered = name.lower()
        for key in [k for k in headers if k.lower() == lowered]:
            dict.__delitem__(headers, key)
    dict.__setitem__(headers, name, value)


def drop_header(headers: Dict[str, str], name: Any) -> None:
    """Remove ``name`` from ``headers`` under every spelling: what
    ``headers={name: None}`` asks for (a header sent empty is not the same:
    OpenAI answers an empty ``OpenAI-Beta`` with 400 ``invalid_beta``)."""
    if isinstance(name, str):
        lowered = name.lower()
        for key in [k for k in headers if isinstance(k, str) and k.lower() == lowered]:
            dict.__delitem__(headers, key)


def binder_for(operation) -> Binder:
    """The :class:`Binder` of ``operation``, built on first use."""
    found = operation.caches.binder
    return found if found is not None else operation.caches.binder_or(Binder)


def build_request(context: CallContext, operation, args: Dict[str, Any], body: Any = None, *,
                  body_given: bool = False, content_type: Optional[str] = None,
                  headers: Optional[Dict[str, str]] = None, validate: bool = True) -> PreparedRequest:
    """Bind, validate and encode one call of ``operation``, with what the
    calling client adds (``context``: its conventions, headers, credentials
    and base URL).  Raises :class:`RequestValidationError` listing every
    problem; never sends."""
    binder = binder_for(operation)
    problems: List[ValidationProblem] = []
    values: Dict[Any, Any] = {}
    left_out = set()
    fields: Dict[str, Any] = {}
    for key, value in args.items():
        p = binder.index.get(key)
        if p is None and key in binder.body_names:
            if value is not None:  # None: the field is left out (body={...: None} sends null)
                fields[key] = value
        elif p is None:
            problems.append(ValidationProblem(f"argument.{key}", binder.suggest(key)))
        elif p is _AMBIGUOUS:
            problems.append(ValidationProblem(f"argument.{key}", binder.ambiguity(key)))
        elif p in values or p in left_out:
            problems.append(ValidationProblem(p.qualified_name, f"given twice (as {key!r} and another name)"))
        elif value is not None:
            values[p] = value
        else:  # None means "not given": the parameter is left out, defaults too
            left_out.add(p)
    conventions = context.conventions_for(operation)
    wire = conventions.wire or PLAIN_WIRE
    # A profile's own value is sent as written, unchecked: it is there because
    # the document is incomplete (Gemini's alt=sse is not in alt's enum).
    from_profile = set()
    for p, rule in conventions.parameters:
        if p in left_out:
            continue
        if p in values:
            values[p] = rule.combine(values[p])
        else:
            values[p] = rule.value
            from_profile.add(p)
    for p, value in conventions.defaults:
        if p not in values and p not in left_out:
            values[p] = value
    for p in binder.required:
        if p not in values and (validate or p.location == "path"):
            problems.append(ValidationProblem(p.qualified_name, "required parameter is missing"))
    if fields:
        if not body_given or body is None:
            body, body_given = fields, True
        elif not isinstance(body, dict):
            problems.append(ValidationProblem("body", "body= is not an object, so body fields cannot also be "
                                              "given as keyword arguments (" + ", ".join(fields) + ")"))
        else:
            for key in fields:
                if key in body:
                    problems.append(ValidationProblem(f"body.{key}", "given twice (in body= and as a keyword)"))
            body = {**body, **fields}

    checker = validator_for(operation) if validate else None
    if checker is not None:
        for p, value in values.items():
            if p in from_profile:
                continue
            found = checker.check_parameter(p, value)
            if found and p.name in binder.body_names:  # the keyword went to the parameter
                found = [ValidationProblem(x.location, f"{x.message} (this keyword is the {p.location} "
                                           f"parameter; for the body field {p.name!r} use body={{...}})")
                         for x in found]
            problems.extend(found)

    media = None
    media_types = operation.request_body
    if body_given and body is not None:
        if not media_types:
            problems.append(ValidationProblem("body", "this operation takes no request body"))
        else:
            chosen = content_type or bodies.default_media_type(operation, body)
            media = find_media(media_types, chosen) if chosen else None
            if media is None:
                problems.append(ValidationProblem(
                    "body", f"content type {chosen!r} is not offered; choose one of {sorted(media_types)}"))
    elif operation.body_required and validate:
        problems.append(ValidationProblem("body", "required request body is missing"))

    if media is not None and checker is not None:
        problems.extend(bodies.validate_body(checker, media, body))

    if problems:
        raise RequestValidationError(operation.operation_id, problems)

    # ---- serialize (values are valid here, or validation was switched off)
    path_values: Dict[str, str] = {}
    query: List[Tuple[str, str]] = []
    out_headers: Dict[str, str] = Headers(conventions.headers)
    for name, value in context.default_headers.items():
        if value is None:  # Client(headers={name: None}): the profile's header is not sent
            drop_header(out_headers, name)
        else:
            put_header(out_headers, name, value)
    cookies: List[str] = []
    for p, value in values.items():
        loc = p.location
        if p.content_type is not None:
            value = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        try:
            if loc == "path":
                text = serialize.path_param(p.name, value, p.style, p.explode, p.allow_reserved)
                if not text:
                    raise ValueError("a path parameter cannot be empty (it would leave an empty path segment)")
                path_values[p.name] = text
            elif loc == "query":
                # Swagger 2.0's collectionFormat tsv has no OpenAPI 3 style; its conversion keeps the extension
                style = "tabDelimited" if p.raw.get("x-collectionFormat") == "tsv" else p.style
                query.extend(serialize.query_param(p.name, value, style, p.explode, p.allow_reserved,
                                                   wire.query_brackets))
            elif loc == "header":
                put_header(out_headers, p.name, serialize.header_param(p.name, value, p.style, p.explode))
            elif loc == "cookie":
                cookies.append(serialize.cookie_param(p.name, value, p.style, p.explode))
        except (ValueError, TypeError) as exc:
            problems.append(ValidationProblem(p.qualified_name, str(exc)))
    if headers is not None and not isinstance(headers, dict):
        problems.append(ValidationProblem("headers", f"headers= must be a dict of header names to values, "
                                                     f"not {type(headers).__name__}"))
        headers = None
    for name, value in (headers or {}).items():
        if value is None:  # headers={name: None}: not sent at all, whoever added it
            drop_header(out_headers, name)
            continue
        try:
            put_header(out_headers, name, serialize.header_param(name, value))
        except (ValueError, TypeError) as exc:
            problems.append(ValidationProblem(f"header.{name}", str(exc)))
    if problems:
        raise RequestValidationError(operation.operation_id, problems)

    secrets = SecretPlaces(context.header_secrets)
    missing = apply_security(operation, context.credentials, out_headers, query, cookies, secrets)
    if cookies:
        out_headers["Cookie"] = "; ".join(cookies)
    # every source at once: client, profile, parameters, per call, credentials
    problems = header_problems(out_headers)
    if problems:
        raise RequestValidationError(operation.operation_id, problems)

    pieces = binder.path_pieces
    if len(pieces) > 1:
        parts = []
        for i, piece in enumerate(pieces):
            if i % 2:
                parts.append(path_values.get(piece, "{" + piece + "}"))
            else:
                parts.append(piece)
        path = "".join(parts)
    else:
        path = operation.path
    url = context.base_url_for(operation) + path
    if query:
        url += ("&" if "?" in url else "?") + "&".join(f"{k}={v}" for k, v in query)

    vectors = None
    if media is None and wire.empty_json_body and media_types and not operation.body_required \
            and operation.method in ("POST", "PUT", "PATCH"):
        # nothing given for an optional JSON body: the vendor's SDK sends {}
        default = operation.default_media_type()
        if default and is_json(default):
            media, body = media_types[default], {}
    if wire.vectors is not None and media is not None and is_json(media.media_type) \
            and isinstance(body, dict) and wire.vectors.field not in body:
        # the caller chose no encoding: ask for the compact one, decode the answer
        vectors = wire.vectors
        body = {**body, vectors.field: vectors.value}
    data = None
    json_body = None
    replayable = True
    ctype = None
    if media is not None:
        try:
            # a range the spec offers (*/*, image/*) is no Content-Type: the caller's choice is sent
            named = content_type if content_type and "*" in media.media_type else None
            data, ctype, replayable = bodies.encode_body(media, body, named,
                                                        multipart_brackets=wire.multipart_brackets)
        except Exception as exc:  # reachable with validate=False: any object, any failure
            if isinstance(exc, RequestValidationError):
                raise
            raise RequestValidationError(operation.operation_id, [ValidationProblem(
                "body", f"cannot be encoded as {media.media_type}: {exc}")]) from None
        if is_json(media.media_type):
            json_body = body
        if ctype:
            out_headers["Content-Type"] = ctype
    prepared = PreparedRequest(operation, operation.method, url, out_headers, data, json_body,
                               ctype, secrets, missing, replayable)
    prepared.vectors = vectors
    return prepared
