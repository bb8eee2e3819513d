"""The :class:`Client`: load a spec once, call any of its operations by
operationId, as ``client.call("createRun", ...)`` or ``client.createRun(...)``.

The client itself holds little logic: binding, validation and encoding live in
:mod:`._request`, sending in :mod:`._transport` (the send loop in
:mod:`._exchange`), decoding in :mod:`._response`; finding operations in
:mod:`._operations`, what ``help()`` shows of a method in :mod:`._signatures`.
:class:`BaseClient` is everything but sending, shared with
:class:`~openapi_dyn.AsyncClient` (:mod:`._async_client`).
"""
from __future__ import annotations

import difflib
import os
import threading
from functools import cached_property
from typing import Any, Callable, Dict, List, Mapping, Optional

from ._call.auth import Credentials
from ._call.context import Conventions
from ._errors import OpenAPIDynError, SpecError, UnknownOperationError, UsageError, ValidationProblem
from ._call.headers import check_headers
from ._call.options import CALL_OPTIONS
from ._spec.profile import Profile, load_profile
from ._call.redact import is_secret_header
from ._operations import OperationNamespace, Operations
from ._signatures import _make_method
from ._spec import Spec


_SEND_OPTIONS = ("timeout", "max_retries", "save_to", "validate_responses")



class BaseClient:
    """What :class:`Client` and :class:`~openapi_dyn.AsyncClient` share:
    the spec, the profile, the options, finding operations, binding,
    validating and encoding calls (:meth:`prepare`), method-style calls and
    their ``help()``.  Only sending and reading differ between the two
    (how operations are reached: see :class:`Client`).

    Options set after construction take effect on the next request:
    ``timeout``, ``max_retries``, ``headers`` (a dict: add, change or remove
    entries, or assign a new one), ``validate`` and ``validate_responses``.
    """

    #: The name ``repr()`` and method-style calls' qualified names show.
    _kind = "Client"

    def __init__(self, spec: Any = "openai", *, base_url: Optional[str] = None,
                 api_key: Any = None, credentials: Optional[Mapping[str, Any]] = None,
                 headers: Optional[Mapping[str, str]] = None, timeout: Any = None,
                 max_retries: int = 2, validate: bool = True, validate_responses: Any = False,
                 session: Any = None, http_client: Any = None, cache: bool = True, strict: bool = False,
                 server_variables: Optional[Mapping[str, str]] = None, profile: Any = None,
                 defaults: Optional[Mapping[str, Any]] = None, api_version: Optional[str] = None,
                 max_connections: Optional[int] = None, attribute_access: bool = True,
                 max_response_bytes: Optional[int] = None):
        self._take_pool(session, http_client)
        self.spec: Spec = spec if isinstance(spec, Spec) else Spec(spec, cache=cache, strict=strict)
        self.profile: Profile = load_profile(profile, self.spec.bundled_name)
        prof = self.profile
        if not base_url:
            base_url = prof.environment_base_url()
        self.base_url: Optional[str] = base_url.rstrip("/") if base_url else None
        variables = {name: os.environ[var] for name, var in prof.server_variable_env.items()
                     if os.environ.get(var)}
        variables.update(server_variables or {})
        self.server_variables: Dict[str, str] = variables
        self.validate = validate
        self.validate_responses = validate_responses
        self.attribute_access = attribute_access
        self.timeout = timeout
        self.max_retries = max_retries
        from ._call.google_auth import provider_for

        self._credentials = Credentials(api_key, credentials, prof.credential_env, prof.api_key_schemes,
                                        provider_for(prof.token_provider), prof.auth_required)
        default_headers: Dict[str, str] = {}
        for header, var in prof.header_env.items():
            if os.environ.get(var, "").strip():
                default_headers[header] = os.environ[var].strip()
                check_headers({header: default_headers[header]}, f"the {var} environment variable")
        check_headers(headers or {}, f"{self._kind}(headers=...)")
        default_headers.update(headers or {})
        self._default_headers = default_headers
        self._signer = None
        if prof.signing:
            from ._call.sigv4 import signer_for

            self._signer = signer_for(prof.signing, self)
        self.max_connections = max_connections
        self.max_response_bytes = max_response_bytes
        self._transport = None
        self._transport_lock = threading.Lock()
        self._methods: Dict[str, Any] = {}
        self._aliases: Optional[Dict[str, str]] = None
        self._base_urls: Dict[str, str] = {}
        self._conventions: Dict[str, Conventions] = {}
        given = {name: os.environ[var] for name, var in prof.parameter_env.items() if os.environ.get(var)}
        if api_version is not None:
            if not prof.api_version:
                raise UsageError(f"api_version=: the {prof.name or 'spec'}'s profile names no API-version "
                                 f"parameter; pass defaults={{'<parameter>': ...}} instead")
            given[prof.api_version] = api_version
        checked = dict(defaults or {})
        given.update(checked)
        self.defaults: Dict[str, Any] = given
        if checked:
            self._check_defaults(checked)

    #: The constructor argument that hands this kind of client its HTTP
    #: library's client object: ``session`` or ``http_client``.
    _pool_option = "session"

    def _take_pool(self, session: Any, http_client: Any) -> None:
        """Keep the caller's HTTP library client: a :class:`requests.Session`
        for :class:`Client`, an :class:`httpx.AsyncClient` for
        :class:`~openapi_dyn.AsyncClient`.  Both are named in the one
        constructor both clients share (so that their options are written
        once, for type checkers and ``inspect.signature`` alike); each client
        refuses the other's."""
        given, other = (session, http_client) if self._pool_option == "session" else (http_client, session)
        other_name = "http_client" if self._pool_option == "session" else "session"
        if other is not None:
            partner = "AsyncClient" if self._pool_option == "session" else "Client"
            raise UsageError(f"{self._kind}() takes {self._pool_option}=, not {other_name}= "
                             f"({other_name}= is {partner}'s)")
        if given is not None and getattr(given, "headers", None):
            check_headers(given.headers, f"the {self._pool_option}'s headers")
        self._pool = given

    # -------------------------------------------------------------- tools
    def tools(self, format: str = "openai", **options: Any):
        """Tool definitions for a language model, one per chosen operation:
        ``format`` is ``"openai"``, ``"openai-responses"``, ``"anthropic"``
        or ``"mcp"``; options ``operations``, ``tags``, ``search``,
        ``prefix``, ``names`` (``"operationId"`` or ``"snake"``), ``strict``,
        ``refs``, ``read_only``, ``allow_write`` (see
        :func:`openapi_dyn._agents.tools.tool_definitions`).  Only operations that
        change nothing (GET, HEAD, OPTIONS, QUERY) are offered unless
        ``allow_write=True`` or ``operations=`` names them."""
        from ._agents.tools import tool_definitions

        return tool_definitions(self, format, **options)

    # ------------------------------------------------------------ surface
    @property
    def operations(self) -> Operations:
        """Every operation, by operationId (see :class:`Operations`)."""
        return Operations(self.spec.operations)

    def search(self, words: str) -> List[Any]:
        """Operations matching ``words`` (see :meth:`Operations.search`)."""
        return self.operations.search(words)

    def operation(self, name: str):
        """The :class:`~openapi_dyn.Operation` called ``name`` (an
        operationId or its identifier alias); raises :class:`UnknownOperationError`."""
        ops = self.spec.operations
        op = ops.get(name)
        if op is None:
            real = self._alias_map(shadowing=True).get(name)
            if real is None:
                raise UnknownOperationError(name, self._suggest(name))
            op = ops[real]
        return op

    def prepare(self, operation_id: str, /, **kwargs: Any):
        """Validate and encode a call without sending it; returns a
        :class:`~openapi_dyn.PreparedRequest`."""
        from ._call.request import build_request
        from ._call.routes import route

        op = self.operation(operation_id)
        opts = _split_options(kwargs)
        validate = self.validate if opts.get("validate") is None else opts["validate"]
        op, kwargs, opts = route(op, kwargs, opts, self.profile, self.operation)
        try:
            prepared = build_request(self._call_context, op, kwargs, opts.get("body"), body_given="body" in opts,
                                     content_type=opts.get("content_type"), headers=opts.get("headers"),
                                     validate=validate)
            if self._signer is not None:
                self._signer.attach(prepared)
            return prepared
        except (TypeError, AttributeError, KeyError, IndexError, ValueError, RecursionError) as exc:
            if isinstance(exc, OpenAPIDynError):
                raise
            # Arguments are checked before use; what fails here is a part of
            # the spec of a shape nothing checked (a malformed document).
            raise SpecError(f"{op.operation_id} cannot be prepared: the spec describes it in a way this "
                            f"client cannot use ({type(exc).__name__}: {str(exc)[:200]})", op.pointer) from None

    @property
    def headers(self) -> Dict[str, str]:
        """The headers added to every request (live: changes apply to the
        next request)."""
        return self._default_headers

    @headers.setter
    def headers(self, value: Mapping[str, str]) -> None:
        check_headers(value or {}, f"{self._kind}.headers")
        self._default_headers = dict(value or {})

    @property
    def _header_secrets(self) -> List[str]:
        """Values of client headers whose names say they hold a secret (kept
        out of logs and error messages)."""
        return [str(v) for k, v in self._default_headers.items() if v is not None and is_secret_header(k)]

    def _check_sendable(self, prepared) -> None:
        if not prepared.url.startswith(("http://", "https://")):
            raise UsageError(f"no absolute server URL for {prepared.operation_id} "
                             f"({prepared.url.split('?')[0]}): pass base_url= to {self._kind}()")

    # ------------------------------------------- sending (both clients)
    def _to_send(self, operation_id: str, kwargs: Dict[str, Any]):
        """``(prepared request, send() options)`` for :meth:`request`: the
        options that belong to sending taken out of ``kwargs``."""
        how = {name: kwargs.pop(name, None) for name in _SEND_OPTIONS}
        return self.prepare(operation_id, **kwargs), how

    def _sending(self, prepared, timeout: Any, max_retries: Optional[int], save_to: Any) -> Dict[str, Any]:
        """The transport's ``send()`` options for ``prepared`` (checked to
        have a server URL first): the call's own or the client's."""
        from ._answer.response import wants_stream

        self._check_sendable(prepared)
        return {"timeout": self.timeout if timeout is None else timeout,
                "max_retries": self.max_retries if max_retries is None else max_retries,
                "stream": wants_stream(prepared, save_to, self.profile)}

    def _finishing(self, save_to: Any, validate_responses: Any) -> Dict[str, Any]:
        """The options of ``finish()`` for an answer."""
        return {"save_to": save_to,
                "validate": self.validate_responses if validate_responses is None else validate_responses,
                "profile": self.profile, "attribute_access": self.attribute_access}

    def _made_transport(self, factory: Any, pool: Any):
        """The transport, made by ``factory`` around the caller's ``pool``
        (a session or http client, or ``None``) on first use; threads or
        tasks sharing a client share one."""
        with self._transport_lock:
            if self._transport is None:
                self._transport = factory(pool, self.timeout, self.max_retries, retry_rules=self.profile.retry,
                                          max_connections=self.max_connections,
                                          max_response_bytes=self.max_response_bytes)
        return self._transport

    def __repr__(self) -> str:
        ops = len(self.spec.operations)
        base = self.base_url or self._server_url(None)
        return (f"<openapi_dyn.{self._kind} {self.spec.title!r} {self.spec.info.get('version', '')} "
                f"from {self.spec.origin}{_derived(self.spec)}: {ops} operations, base_url={base!r}>")

    # --------------------------------------------------------- conventions
    @cached_property
    def _call_context(self) -> "ClientCallContext":
        """This client's side of binding a call (see :func:`call_context`)."""
        return ClientCallContext(self)

    def _conventions_for(self, operation) -> Conventions:
        """The profile's headers and parameter rules and the client's
        defaults that apply to ``operation``, resolved once."""
        found = self._conventions.get(operation.operation_id)
        if found is None:
            header_rules, param_rules = self.profile.rules_for(operation)
            headers: Dict[str, str] = {}
            for rule in header_rules:
                from ._call.request import put_header

                put_header(headers, rule.name, rule.value)
            by_name = _parameters_by_name(operation)
            params = [(by_name[rule.name.lower()], rule) for rule in param_rules
                      if rule.name.lower() in by_name]
            defaults = []
            for key, value in self.defaults.items():
                p = _find_parameter(operation, key)
                if p is not None and value is not None:
                    defaults.append((p, value))
            found = self._conventions[operation.operation_id] = Conventions(headers, params, defaults,
                                                                           self.profile.wire_for(operation))
        return found

    def _check_defaults(self, defaults: Mapping[str, Any]) -> None:
        """Every default names a parameter of some operation and is valid for
        each distinct schema that parameter has; else :class:`UsageError`
        listing every problem."""
        import json

        problems: List[ValidationProblem] = []
        for key, value in defaults.items():
            seen = set()
            found = False
            for op in self.spec.operations.values():
                p = _find_parameter(op, key)
                if p is None:
                    continue
                found = True
                if value is None or not self.validate:
                    continue
                schema_key = json.dumps(p.schema, sort_keys=True, default=str)
                if schema_key in seen:
                    continue
                seen.add(schema_key)
                from ._call.validation import validator_for

                for problem in validator_for(op).check_parameter(p, value):
                    problems.append(ValidationProblem(f"defaults[{key!r}]", f"{problem.message} "
                                                      f"(as {problem.location} of {op.operation_id})"))
            if not found:
                problems.append(ValidationProblem(f"defaults[{key!r}]", "no operation of this spec has "
                                                  "such a parameter"))
        if problems:
            raise UsageError("defaults= cannot be used:\n" + "\n".join(f"  - {p}" for p in problems))

    # ------------------------------------------------- method-style calls
    @property
    def ops(self) -> OperationNamespace:
        """Every operation as a method, by operationId or alias, including
        those a method of this class shadows (see :class:`OperationNamespace`)."""
        return OperationNamespace(self)

    @property
    def shadowed(self) -> List[str]:
        """operationIds that a :class:`Client` attribute hides in method
        style; reach them as ``client.ops.<name>`` or ``client.call(name)``."""
        taken = set(dir(type(self)))
        return [op_id for op_id in self.spec.operations if op_id in taken]

    def __getattr__(self, name: str):
        # Only called for names that are not real attributes.  Private names
        # are never operations (and must fail fast while __init__ runs).
        if name.startswith("_"):
            raise AttributeError(name)
        return self._method_for(name)

    def _method_for(self, name: str):
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

    def _alias_map(self, shadowing: bool = False) -> Dict[str, str]:
        """identifier alias -> operationId, for operationIds that are not
        identifiers; an alias never shadows a real operationId, nor (unless
        ``shadowing``: under ``client.ops``) a Client attribute."""
        if self._aliases is None:
            ops = self.spec.operations
            aliases: Dict[str, str] = {}
            for op_id, op in ops.items():
                if op.alias != op_id and op.alias not in ops and op.alias not in aliases:
                    aliases[op.alias] = op_id
            self._aliases = aliases
        if shadowing:
            return self._aliases
        taken = set(dir(type(self)))
        return {a: o for a, o in self._aliases.items() if a not in taken}

    def _suggest(self, name: str) -> List[str]:
        candidates = list(self.spec.operations) + list(self._alias_map())
        lowered = {c.lower(): c for c in candidates}
        if name.lower() in lowered:
            return [lowered[name.lower()]]
        close = difflib.get_close_matches(name.lower(), list(lowered), n=3, cutoff=0.6)
        return [lowered[c] for c in close]

    # --------------------------------------------------------------- URLs
    def server_url(self, operation=None) -> str:
        """The spec's server URL for ``operation`` (None: the document's own
        ``servers``), its variables filled from ``server_variables``; a
        ``base_url=`` given to the client does not change it."""
        return self._server_url(operation)

    def _server_url(self, operation) -> str:
        servers = self.spec.servers(operation)
        server = servers[0] if servers else {"url": "/"}
        if self.server_variables and not _declares(server, self.server_variables):
            # a value for a variable only a later server has picks that server
            # (a converted Discovery document's locational endpoint)
            server = next((s for s in servers[1:] if _declares(s, self.server_variables)), server)
        url = str(server.get("url") or "/")
        for var, spec in (server.get("variables") or {}).items():
            value = str(self.server_variables.get(var, (spec or {}).get("default", "")))
            url = url.replace("{" + var + "}", value.rstrip("/"))
        rest = url.partition("://")[2]
        if rest.startswith(("http://", "https://")):
            url = rest  # "https://{endpoint}" given "https://host": the value's own scheme wins
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


def _declares(server: Mapping[str, Any], variables: Mapping[str, str]) -> bool:
    """Whether ``server`` has a variable named in ``variables``."""
    declared = server.get("variables") if isinstance(server, Mapping) else None
    return isinstance(declared, Mapping) and any(name in declared for name in variables)


class Client(BaseClient):
    """A client for one OpenAPI spec.

    Every operation is a method: ``client.createRun(...)``; operationIds that
    are not identifiers through an alias (``client.admin_api_keys_list``).
    ``client.ops.<operationId>`` always reaches an operation, also one whose
    name a method of this class already has (``search``, ``send``,
    ``close``, ``call``, ``request``, ``prepare``, ``paginate``...), and
    ``client.call("<operationId>", ...)`` works for every name.

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
    :param validate_responses: validate answers against the spec too (known drift
        accepted with a warning; ``"strict"`` refuses it too, see docs/calling.md).
    :param session: a :class:`requests.Session` to use; its headers,
        cookies, auth, proxies, ``verify``/``cert`` and adapters apply, and
        the client never closes it.
    :param max_connections: connections kept open per host by the client's
        own session (default 10).
    :param max_response_bytes: the largest body read whole, and the most an
        event stream may send between two events (default 256 MiB); more
        raises :class:`~openapi_dyn.ResponseTooLargeError`.
    :param cache: keep the parsed, repaired spec in the user's cache directory.
    :param strict: check the spec with openapi-spec-validator first.
    :param profile: the vendor profile: what the real API needs beyond the
        document (beta and version headers, environment variables, retry
        hints, the error envelope; see :mod:`openapi_dyn._spec.profile`).  By
        default the bundled spec's own; a bundled profile's name, a YAML
        file, a dict, or ``False`` for none.
    :param defaults: parameter values sent with every call of every
        operation that has the parameter, unless the call gives its own
        (``{"api-version": "2024-10-21"}``; ``"query.name"`` picks a
        location).  Checked against the parameters' schemas here.
    :param api_version: shorthand for the default of the parameter the
        profile names as the API version (Azure's ``api-version``).
    :param attribute_access: JSON objects in answers (and event streams) come
        back as :class:`~openapi_dyn.Record`, a ``dict`` whose keys
        are also attributes (``reply.choices[0].message.content``); ``False``
        gives plain dicts.

    Options set after construction (``timeout``, ``max_retries``,
    ``headers``, ``validate``, ``validate_responses``) take effect on the
    next request.  One client may be shared by many threads.
    """

    def request(self, operation_id: str, /, **kwargs: Any):
        """Like :meth:`call`, but returns the whole
        :class:`~openapi_dyn.Response` (status, headers, data, raw)."""
        prepared, how = self._to_send(operation_id, kwargs)
        return self.send(prepared, **how)

    def call(self, operation_id: str, /, **kwargs: Any) -> Any:
        """Call an operation and return the decoded body (JSON as Python
        objects, text as ``str``, anything else as ``bytes``).

        Parameters are keyword arguments named as in the spec (or by their
        identifier alias, or ``"query.name"`` to pick a location); the request
        body is ``body=``; options: ``headers``, ``timeout``, ``validate``,
        ``max_retries``, ``content_type``, ``save_to`` (write the answer's body
        to a path or binary file as it arrives; returns that path or file),
        ``validate_responses``.  An event-stream answer comes back as a
        :class:`~openapi_dyn.Stream` to loop over.
        """
        return self.request(operation_id, **kwargs).data

    def send(self, prepared, *, timeout: Any = None, max_retries: Optional[int] = None,
             save_to: Any = None, validate_responses: Optional[bool] = None):
        """Send a :class:`~openapi_dyn.PreparedRequest`; returns a
        :class:`~openapi_dyn.Response`, raises :class:`APIError` for
        non-2xx answers (see :func:`openapi_dyn._answer.response.finish`)."""
        from ._answer.response import finish

        how = self._sending(prepared, timeout, max_retries, save_to)
        return finish(self.transport.send(prepared, **how), prepared, **self._finishing(save_to, validate_responses))

    def paginate(self, operation_id: str, /, **kwargs: Any):
        """Every item of a cursor-paginated list operation, fetched lazily,
        one request per page: ``for a in client.paginate("listAssistants",
        limit=100)``.  Takes the same arguments as :meth:`call`; see
        :mod:`openapi_dyn._answer.pagination` for which operations qualify (others
        raise :class:`UsageError`).  ``.pages()`` on the result yields whole
        pages instead."""
        from ._answer.pagination import Paginator

        return Paginator(self, self.operation(operation_id), kwargs)

    def upload(self, operation_id: str, /, file: Any, **kwargs: Any) -> Any:
        """Upload ``file`` (a path or a binary file object, read one chunk at
        a time) with the vendor's resumable protocol (Gemini's
        ``generativelanguage.media.upload``); returns the decoded final
        answer.  ``mime_type=``, ``size=`` (for a file object that cannot
        seek), ``chunk_size=``; the rest is the operation's call
        (``body={"file": {"displayName": ...}}``).  See :mod:`openapi_dyn._http.resumable`."""
        from ._http.resumable import upload

        return upload(self, operation_id, file, **kwargs).data

    @property
    def transport(self):
        """The :class:`~openapi_dyn._http.sync_transport.Transport` (created on first send)."""
        if self._transport is None:
            from ._http.sync_transport import Transport

            return self._made_transport(Transport, self._pool)
        return self._transport

    def close(self) -> None:
        """Close the connection pool (a ``session=`` passed in is left open:
        it is the caller's)."""
        if self._transport is not None:
            self._transport.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def call_tool(self, name: str, arguments: Any = None, *, prefix: str = "", dry_run: bool = False):
        """Validate and send a model's tool call; returns a
        :class:`~openapi_dyn.ToolResult` (``is_error`` set for invalid
        arguments and API errors; with ``dry_run`` the prepared request,
        masked, instead of sending; see :func:`openapi_dyn._agents.tool_calls.call_tool`)."""
        from ._agents.tool_calls import call_tool

        return call_tool(self, name, arguments, prefix=prefix, dry_run=dry_run)

    # ------------------------------------------------------------- batches
    def batch(self, **options: Any):
        """A :class:`~openapi_dyn.Batch`: queue validated calls, run
        them through the vendor's batch engine, get each result back as the
        live call would give it.  Options: ``endpoint``,
        ``completion_window``, ``state`` (the state file), ``metadata``,
        ``max_requests``, ``max_bytes``.  See docs/batch.md."""
        from ._batch.bridge import Batch

        return Batch(self, **options)

    def batch_resume(self, state_path: Any, adopt: Optional[Mapping[int, str]] = None):
        """The batch run recorded in ``state_path``, continued: nothing
        already submitted is submitted again (see :meth:`Batch.resume
        <openapi_dyn.Batch.resume>`; ``adopt`` settles a creation the vendor
        could not confirm)."""
        from ._batch.bridge import Batch

        return Batch.resume(self, state_path, adopt)




def _reads_live(attribute: str, what: str) -> property:
    """A property of :class:`ClientCallContext` reading ``attribute`` of its
    client at each access."""
    return property(lambda context: getattr(context._client, attribute), doc=what)


class ClientCallContext:
    """A client's :class:`~openapi_dyn._call.context.CallContext`: what
    binding a call reads from the client, read live (options changed after
    construction apply to the next call).  One per client, made on first
    use; it binds the client's own methods, so a call through it costs no
    more than a call of the client's."""

    __slots__ = ("_client", "conventions_for", "base_url_for")

    def __init__(self, client: BaseClient):
        self._client = client
        self.conventions_for: Callable[[Any], Conventions] = client._conventions_for
        self.base_url_for: Callable[[Any], str] = client._base_url_for

    default_headers = _reads_live("_default_headers", "the client's headers= and the profile's environment headers")
    credentials = _reads_live("_credentials", "the client's credentials by scheme")
    header_secrets = _reads_live("_header_secrets", "header values to mask wherever they appear")



def _derived(spec: Any) -> str:
    """`` (overlay ... on bundled:openai)`` for a spec made by a vendor overlay."""
    derived = getattr(spec, "derived_from", None)
    return f" ({derived})" if derived else ""


def _split_options(kwargs: Dict[str, Any]) -> Dict[str, Any]:
    """Take the call options out of ``kwargs`` (in place)."""
    opts = {}
    for name in CALL_OPTIONS:
        if name in kwargs:
            opts[name] = kwargs.pop(name)
    return opts


def _parameters_by_name(operation) -> Dict[str, Any]:
    """lower-cased name -> parameter (the first, when locations share it)."""
    out: Dict[str, Any] = {}
    for p in operation.parameters:
        out.setdefault(p.name.lower(), p)
    return out


def _find_parameter(operation, key: str):
    """The parameter ``key`` (a name, or ``"<in>.<name>"``) addresses in
    ``operation``, or ``None``; header names match case-insensitively."""
    for p in operation.parameters:
        if key == p.name or key == p.qualified_name:
            return p
        if p.location == "header" and key.lower() in (p.name.lower(), p.qualified_name.lower()):
            return p
    return None
