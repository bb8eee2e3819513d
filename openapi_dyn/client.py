"""The :class:`Client`: load a spec once, call any of its operations by
operationId, as ``client.call("createRun", ...)`` or ``client.createRun(...)``.

The client itself holds little logic: binding, validation and encoding live in
:mod:`.request`, sending in :mod:`.transport`, decoding in :mod:`.response`.
"""
from __future__ import annotations

import difflib
import inspect
import keyword
import os
from typing import Any, Dict, Iterator, List, Mapping, Optional

from .auth import Credentials
from .errors import OpenAPIDynError, SpecError, UnknownOperationError, UsageError
from .headers import check_headers
from .redact import is_secret_header
from .spec import Spec

#: Keyword arguments of :meth:`Client.call` that are options, not parameters.
#: A spec parameter with one of these names is addressed as ``"query.timeout"``.
CALL_OPTIONS = ("body", "headers", "timeout", "validate", "max_retries", "content_type",
                "save_to", "validate_responses")



class Operations(Mapping):
    """operationId -> :class:`~openapi_dyn.operation.Operation`, in spec order,
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
        contain every word of ``words`` (case-insensitive); those matching in
        the operationId or summary first."""
        terms = [w.lower() for w in words.split() if w]
        strong, weak = [], []
        for op in self._ops.values():
            head = f"{op.operation_id} {op.summary} {op.path} {' '.join(op.tags)}".lower()
            if all(t in head for t in terms):
                strong.append(op)
            elif all(t in head or t in op.description.lower() for t in terms):
                weak.append(op)
        return strong + weak


class Client:
    """A client for one OpenAPI spec.

    :param spec: a bundled name (``"openai"``, the default; ``"anthropic"``,
        ``"cohere"``, ``"azure-openai"``...), a path to a YAML/JSON file, an
        ``http(s)://`` URL, an already parsed ``dict``, or a :class:`Spec`.
    :param base_url: overrides the spec's ``servers``.
    :param server_variables: values for the server URL's variables
        (``{"endpoint": "my-resource.openai.azure.com"}``); the rest keep
        their defaults.
    :param api_key: the credential for the spec's security schemes (bearer
        token, API key, or ``(user, password)`` for http basic).  For bundled
        specs it defaults to the vendor's environment variable
        (``OPENAI_API_KEY``...), read when a call needs it.
    :param credentials: per security scheme, ``{"AdminApiKeyAuth": "..."}``.
    :param headers: headers added to every request.
    :param timeout: seconds, or ``(connect, read)``; default ``(5, 600)``.
    :param max_retries: retries of failed requests (see the README).
    :param validate: validate every call before sending (default on).
    :param validate_responses: validate answers against the spec too.
    :param session: a :class:`requests.Session` to use.
    :param max_response_bytes: the largest body read whole, and the largest
        single event of an event stream (default 256 MiB); a larger one
        raises :class:`~openapi_dyn.ResponseTooLargeError`.
    :param cache: keep the parsed, repaired spec in the user's cache directory.
    :param strict: check the spec with openapi-spec-validator first.
    """

    def __init__(self, spec: Any = "openai", *, base_url: Optional[str] = None,
                 api_key: Any = None, credentials: Optional[Mapping[str, Any]] = None,
                 headers: Optional[Mapping[str, str]] = None, timeout: Any = None,
                 max_retries: int = 2, validate: bool = True, validate_responses: bool = False,
                 session: Any = None, cache: bool = True, strict: bool = False,
                 server_variables: Optional[Mapping[str, str]] = None,
                 max_response_bytes: Optional[int] = None):
        self.spec: Spec = spec if isinstance(spec, Spec) else Spec(spec, cache=cache, strict=strict)
        entry = _bundled_entry(self.spec.bundled_name)
        self.base_url: Optional[str] = base_url.rstrip("/") if base_url else None
        self.server_variables: Dict[str, str] = dict(server_variables or {})
        self.validate = validate
        self.validate_responses = validate_responses
        self.timeout = timeout
        self.max_retries = max_retries
        self._credentials = Credentials(api_key, credentials, entry.get("auth_env"))
        default_headers: Dict[str, str] = {}
        for var, header in (entry.get("header_env") or {}).items():
            if os.environ.get(var, "").strip():
                default_headers[header] = os.environ[var].strip()
                check_headers({header: default_headers[header]}, f"the {var} environment variable")
        check_headers(headers or {}, "Client(headers=...)")
        default_headers.update(headers or {})
        self._default_headers = default_headers
        self._header_secrets = [str(v) for k, v in default_headers.items() if is_secret_header(k)]
        if session is not None and getattr(session, "headers", None):
            check_headers(session.headers, "the session's headers")
        self.max_response_bytes = max_response_bytes
        self._session = session
        self._transport = None
        self._methods: Dict[str, Any] = {}
        self._aliases: Optional[Dict[str, str]] = None
        self._base_urls: Dict[str, str] = {}

    # ------------------------------------------------------------ surface
    @property
    def operations(self) -> Operations:
        """Every operation, by operationId (see :class:`Operations`)."""
        return Operations(self.spec.operations)

    def search(self, words: str) -> List[Any]:
        """Operations matching ``words`` (see :meth:`Operations.search`)."""
        return self.operations.search(words)

    def operation(self, name: str):
        """The :class:`~openapi_dyn.operation.Operation` called ``name`` (an
        operationId or its identifier alias); raises :class:`UnknownOperationError`."""
        ops = self.spec.operations
        op = ops.get(name)
        if op is None:
            real = self._alias_map().get(name)
            if real is None:
                raise UnknownOperationError(name, self._suggest(name))
            op = ops[real]
        return op

    def prepare(self, operation_id: str, /, **kwargs: Any):
        """Validate and encode a call without sending it; returns a
        :class:`~openapi_dyn.request.PreparedRequest`."""
        from .request import build_request

        op = self.operation(operation_id)
        opts = _split_options(kwargs)
        validate = self.validate if opts.get("validate") is None else opts["validate"]
        try:
            return build_request(self, op, kwargs, opts.get("body"), body_given="body" in opts,
                                 content_type=opts.get("content_type"), headers=opts.get("headers"),
                                 validate=validate)
        except (TypeError, AttributeError, KeyError, IndexError, ValueError, RecursionError) as exc:
            if isinstance(exc, OpenAPIDynError):
                raise
            # Arguments are checked before use; what fails here is a part of
            # the spec of a shape nothing checked (a malformed document).
            raise SpecError(f"{op.operation_id} cannot be prepared: the spec describes it in a way this "
                            f"client cannot use ({type(exc).__name__}: {str(exc)[:200]})", op.pointer) from None

    def request(self, operation_id: str, /, **kwargs: Any):
        """Like :meth:`call`, but returns the whole
        :class:`~openapi_dyn.response.Response` (status, headers, data, raw)."""
        timeout = kwargs.pop("timeout", None)
        max_retries = kwargs.pop("max_retries", None)
        save_to = kwargs.pop("save_to", None)
        validate_responses = kwargs.pop("validate_responses", None)
        prepared = self.prepare(operation_id, **kwargs)
        return self.send(prepared, timeout=timeout, max_retries=max_retries, save_to=save_to,
                         validate_responses=validate_responses)

    def call(self, operation_id: str, /, **kwargs: Any) -> Any:
        """Call an operation and return the decoded body (JSON as Python
        objects, text as ``str``, anything else as ``bytes``).

        Parameters are keyword arguments named as in the spec (or by their
        identifier alias, or ``"query.name"`` to pick a location); the request
        body is ``body=``; options: ``headers``, ``timeout``, ``validate``,
        ``max_retries``, ``content_type``, ``save_to`` (write the answer's body
        to a path or binary file as it arrives; returns that path or file),
        ``validate_responses``.  An event-stream answer comes back as a
        :class:`~openapi_dyn.sse.Stream` to loop over.
        """
        return self.request(operation_id, **kwargs).data

    def send(self, prepared, *, timeout: Any = None, max_retries: Optional[int] = None,
             save_to: Any = None, validate_responses: Optional[bool] = None):
        """Send a :class:`~openapi_dyn.request.PreparedRequest`; returns a
        :class:`~openapi_dyn.response.Response`, raises :class:`APIError` for
        non-2xx answers (see :func:`openapi_dyn.response.finish`)."""
        from .response import finish, wants_stream

        if not prepared.url.startswith(("http://", "https://")):
            raise UsageError(f"no absolute server URL for {prepared.operation_id} "
                             f"({prepared.url.split('?')[0]}): pass base_url= to Client()")
        raw = self.transport.send(prepared, timeout=timeout, max_retries=max_retries,
                                  stream=wants_stream(prepared, save_to))
        validate = self.validate_responses if validate_responses is None else validate_responses
        return finish(raw, prepared, save_to=save_to, validate=validate)

    def paginate(self, operation_id: str, /, **kwargs: Any):
        """Every item of a cursor-paginated list operation, fetched lazily,
        one request per page: ``for a in client.paginate("listAssistants",
        limit=100)``.  Takes the same arguments as :meth:`call`; see
        :mod:`openapi_dyn.pagination` for which operations qualify (others
        raise :class:`UsageError`).  ``.pages()`` on the result yields whole
        pages instead."""
        from .pagination import Paginator

        return Paginator(self, self.operation(operation_id), kwargs)

    @property
    def transport(self):
        """The :class:`~openapi_dyn.transport.Transport` (created on first send)."""
        if self._transport is None:
            from .transport import Transport

            self._transport = Transport(self._session, self.timeout, self.max_retries,
                                        max_response_bytes=self.max_response_bytes)
        return self._transport

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        ops = len(self.spec.operations)
        base = self.base_url or self._server_url(None)
        return (f"<openapi_dyn.Client {self.spec.title!r} {self.spec.info.get('version', '')} "
                f"from {self.spec.origin}: {ops} operations, base_url={base!r}>")

    # ------------------------------------------------- method-style calls
    def __getattr__(self, name: str):
        # Only called for names that are not real attributes.  Private names
        # are never operations (and must fail fast while __init__ runs).
        if name.startswith("_"):
            raise AttributeError(name)
        method = self._methods.get(name)
        if method is None:
            op = self.operation(name)  # UnknownOperationError is an AttributeError
            method = self._methods[name] = _make_method(self, op, name)
        return method

    def __dir__(self) -> List[str]:
        names = set(super().__dir__())
        names.update(op_id for op_id in self.spec.operations if op_id.isidentifier())
        names.update(self._alias_map())
        return sorted(names)

    def _alias_map(self) -> Dict[str, str]:
        """identifier alias -> operationId, for operationIds that are not
        identifiers; an alias never shadows a real operationId or a Client
        attribute."""
        if self._aliases is None:
            ops = self.spec.operations
            taken = set(dir(type(self))) | set(ops)
            aliases: Dict[str, str] = {}
            for op_id, op in ops.items():
                if op.alias != op_id and op.alias not in taken and op.alias not in aliases:
                    aliases[op.alias] = op_id
            self._aliases = aliases
        return self._aliases

    def _suggest(self, name: str) -> List[str]:
        candidates = list(self.spec.operations) + list(self._alias_map())
        lowered = {c.lower(): c for c in candidates}
        if name.lower() in lowered:
            return [lowered[name.lower()]]
        close = difflib.get_close_matches(name.lower(), list(lowered), n=3, cutoff=0.6)
        return [lowered[c] for c in close]

    # --------------------------------------------------------------- URLs
    def _server_url(self, operation) -> str:
        servers = self.spec.servers(operation)
        server = servers[0] if servers else {"url": "/"}
        url = str(server.get("url") or "/")
        for var, spec in (server.get("variables") or {}).items():
            value = self.server_variables.get(var, (spec or {}).get("default", ""))
            url = url.replace("{" + var + "}", str(value))
        if url.startswith("/") or not url.startswith(("http://", "https://")):
            origin = self.spec.origin
            if origin.startswith(("http://", "https://")):
                from urllib.parse import urljoin
                url = urljoin(origin, url)
        return url.rstrip("/")

    def _base_url_for(self, operation) -> str:
        if self.base_url:
            return self.base_url
        url = self._base_urls.get(operation.operation_id)
        if url is None:
            url = self._base_urls[operation.operation_id] = self._server_url(operation)
        return url


def _split_options(kwargs: Dict[str, Any]) -> Dict[str, Any]:
    """Take the call options out of ``kwargs`` (in place)."""
    opts = {}
    for name in CALL_OPTIONS:
        if name in kwargs:
            opts[name] = kwargs.pop(name)
    return opts


def _bundled_entry(name: Optional[str]) -> Dict[str, Any]:
    if not name:
        return {}
    from .spec import bundled

    try:
        return bundled.entry(name) or {}
    except Exception:  # an entry without extras is fine
        return {}


def _make_method(client: Client, op, name: str):
    """A real function per operation, so ``help()``, ``inspect.signature`` and
    IDEs see its parameters and reference text."""
    op_id = op.operation_id

    def method(**kwargs: Any) -> Any:
        return client.call(op_id, **kwargs)

    method.__name__ = name if name.isidentifier() else op.alias
    method.__qualname__ = f"Client.{method.__name__}"
    method.__signature__ = signature_of(op)  # type: ignore[attr-defined]
    method.__doc__ = doc_of(op, client)
    method.operation = op  # type: ignore[attr-defined]
    return method


def signature_of(op) -> inspect.Signature:
    """The keyword arguments a call of ``op`` takes: its parameters (spec name
    when it is an identifier, else the alias), ``body``, then the options."""
    from .request import binder_for

    params = []
    used = set()
    binder = binder_for(op)
    for p in sorted(op.parameters, key=lambda p: not p.required):
        usable = p.name.isidentifier() and not keyword.iskeyword(p.name)
        name = p.name if usable and binder.index.get(p.name) is p else p.alias
        if binder.index.get(name) is not p or name in used or name in CALL_OPTIONS:
            continue
        used.add(name)
        default = inspect.Parameter.empty if p.required else None
        params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default))
    if op.request_body:
        default = inspect.Parameter.empty if op.body_required else None
        params.append(inspect.Parameter("body", inspect.Parameter.KEYWORD_ONLY, default=default))
    for opt in CALL_OPTIONS[1:]:
        params.append(inspect.Parameter(opt, inspect.Parameter.KEYWORD_ONLY, default=None))
    return inspect.Signature(params)


def doc_of(op, client: Optional[Client] = None) -> str:
    """The plain-text reference of ``op``, as ``help()`` shows it: the same
    text as ``openapi-dyn show``, with the spec's examples that pass
    ``client``'s validation.

    Rendering it means importing the reference modules and markdown-it-py,
    parsing every description of the operation and validating its examples;
    the text depends only on the spec's content and this library's code, so
    it is kept in the spec cache and a later process that asks for the same
    help reads it back."""
    from .reference import reference_stamp
    from .spec.cache import SpecCache

    store = SpecCache.open(op.spec.cache_enabled)
    checked = "checked" if client is not None else "unchecked"
    name = f"{op.spec.content_hash}\0text-{checked}\0{op.operation_id}\0{reference_stamp()}"
    text = store.read_text(name) if store is not None else None
    if text is None:
        from .reference import text as reference_text

        text = reference_text.render_operation(op, client=client)
        if store is not None:
            store.write_text(name, text)
    return text
