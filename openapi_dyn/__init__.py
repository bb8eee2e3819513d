"""openapi_dyn: call any operation of an OpenAPI-described HTTP API by its
operationId, with arguments validated against the spec before anything is sent.

    >>> from openapi_dyn import Client
    >>> client = Client()                # the bundled OpenAI spec
    >>> client.prepare("createRun", thread_id="thread_abc", body={"assistant_id": "asst_abc"})

``AsyncClient`` is the same for asyncio applications (``await client.call(...)``).

Everything public is importable from here.
"""
from typing import TYPE_CHECKING

from ._version import __version__
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BatchError,
    BatchRequestNotRun,
    ConflictError,
    DocumentationError,
    DownloadError,
    InternalServerError,
    MissingCredentialsError,
    NotFoundError,
    OpenAPIDynError,
    PermissionDeniedError,
    RateLimitError,
    RedirectError,
    RequestValidationError,
    ResponseDriftWarning,
    ResponseTooLargeError,
    ResponseValidationError,
    ProfileError,
    SpecError,
    StreamError,
    UnknownFormatError,
    UnknownOperationError,
    UnprocessableEntityError,
    UsageError,
    ValidationProblem,
)

# Tracebacks and reprs name each error as a program imports it
# (``openapi_dyn.APIConnectionError``), not by the private module that
# defines it; pickling finds them here too.
for _error in (value for value in list(globals().values())
               if isinstance(value, type) and value.__module__ == "openapi_dyn._errors"):
    _error.__module__ = __name__
del _error


#: Public names defined in modules that import requests or other heavy
#: dependencies: loaded on first use, so ``import openapi_dyn`` stays cheap.
#: Every module of the package but this one and ``reference`` is private
#: (``_``-prefixed); what is public is named here or in ``_errors``.
_LAZY = {
    "Client": "._client",
    "AsyncClient": "._async_client",
    "Operations": "._operations",
    "Operation": "._operation",
    "Spec": "._spec",
    "Profile": "._profile",
    "PreparedRequest": "._request",
    "Response": "._response",
    "Stream": "._sse",
    "AsyncStream": "._sse",
    "ServerSentEvent": "._sse",
    "Record": "._records",
    "SecretPlaces": "._redact",
    "Batch": "._batch",
    "ToolResult": "._tool_calls",
    "tool_arguments_to_call": "._tool_calls",
    "result_for": "._tool_calls",
    "error_result": "._tool_calls",
    "protect_loggers": "._logmask",
    "MASKED_LOGGERS": "._logmask",
}

if TYPE_CHECKING:
    # What type checkers see of the lazy names (this block never runs): the
    # stubs in _typed/ type Client and AsyncClient by the bundled spec's name
    # (docs/types.md); the others are the classes themselves.
    from ._typed import AsyncClient as AsyncClient, Client as Client
    from ._operations import Operations as Operations
    from ._operation import Operation as Operation
    from ._spec import Spec as Spec
    from ._profile import Profile as Profile
    from ._request import PreparedRequest as PreparedRequest
    from ._response import Response as Response
    from ._sse import AsyncStream as AsyncStream, ServerSentEvent as ServerSentEvent, Stream as Stream
    from ._records import Record as Record

#: Public modules: ``openapi_dyn.reference`` (the reference generator) and
#: ``openapi_dyn.limits`` (the bounds on loading a spec, module attributes an
#: application may raise).
_MODULES = {
    "reference": ".reference",
    "limits": "._spec.limits",
}


def __getattr__(name):
    import importlib

    if name in _MODULES:
        value = importlib.import_module(_MODULES[name], __name__)
    elif name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    else:
        raise AttributeError(f"module 'openapi_dyn' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    # the public names and the module's own dunders; not the private modules
    return sorted(set(__all__) | {n for n in globals() if n.startswith("__")})


__all__ = [
    "Client", "AsyncClient", "__version__",
    "OpenAPIDynError", "SpecError", "ProfileError", "UsageError", "UnknownOperationError",
    "ValidationProblem", "RequestValidationError", "MissingCredentialsError",
    "APIConnectionError", "APITimeoutError", "APIError", "BadRequestError",
    "AuthenticationError", "PermissionDeniedError", "NotFoundError", "ConflictError",
    "UnprocessableEntityError", "RateLimitError", "InternalServerError",
    "ResponseValidationError", "ResponseDriftWarning", "StreamError", "DocumentationError",
    "UnknownFormatError",
    "Operations", "Operation", "Spec", "Profile", "PreparedRequest", "Response", "Stream", "AsyncStream",
    "ServerSentEvent", "Record", "SecretPlaces",
    "Batch", "BatchError", "BatchRequestNotRun",
    "ToolResult", "tool_arguments_to_call", "result_for", "error_result",
    "protect_loggers", "MASKED_LOGGERS",
    "reference", "limits",
    "RedirectError", "DownloadError",
    "ResponseTooLargeError",
]
