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
    OverloadedError,
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


if TYPE_CHECKING:
    # What type checkers and editors see of the lazily loaded names below (this
    # block never runs): the stubs in _typed/ type Client and AsyncClient by the
    # bundled spec's name (docs/types.md); the others are the classes themselves.
    from . import reference
    from ._agents.tool_calls import ToolResult, tool_result_from_error, tool_result_from_response, tool_arguments_to_call
    from ._answer.records import Record
    from ._answer.response import Response
    from ._answer.sse import ServerSentEvent
    from ._answer.streams import AsyncStream, Stream
    from ._batch.bridge import Batch
    from ._call.redact import SecretPlaces
    from ._call.request import PreparedRequest
    from ._http.logmask import masked_loggers, protect_loggers
    from ._operations import Operations
    from ._spec import Spec
    from ._spec import limits
    from ._spec.operation import Operation
    from ._spec.profile import Profile
    from ._typed import AsyncClient as AsyncClient, Client as Client


#: Public names defined in modules that import requests or other heavy
#: dependencies: loaded on first use, so ``import openapi_dyn`` stays cheap.
#: Every module of the package but this one and ``reference`` is private
#: (``_``-prefixed); what is public is named here or in ``_errors``.
_LAZY = {
    "Client": "._client",
    "AsyncClient": "._async_client",
    "Operations": "._operations",
    "Operation": "._spec.operation",
    "Spec": "._spec",
    "Profile": "._spec.profile",
    "PreparedRequest": "._call.request",
    "Response": "._answer.response",
    "Stream": "._answer.streams",
    "AsyncStream": "._answer.streams",
    "ServerSentEvent": "._answer.sse",
    "Record": "._answer.records",
    "SecretPlaces": "._call.redact",
    "Batch": "._batch.bridge",
    "ToolResult": "._agents.tool_calls",
    "tool_arguments_to_call": "._agents.tool_calls",
    "tool_result_from_response": "._agents.tool_calls",
    "tool_result_from_error": "._agents.tool_calls",
    "protect_loggers": "._http.logmask",
    "masked_loggers": "._http.logmask",
}

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
    "UnprocessableEntityError", "RateLimitError", "InternalServerError", "OverloadedError",
    "ResponseValidationError", "ResponseDriftWarning", "StreamError", "DocumentationError",
    "UnknownFormatError",
    "Operations", "Operation", "Spec", "Profile", "PreparedRequest", "Response", "Stream", "AsyncStream",
    "ServerSentEvent", "Record", "SecretPlaces",
    "Batch", "BatchError", "BatchRequestNotRun",
    "ToolResult", "tool_arguments_to_call", "tool_result_from_response", "tool_result_from_error",
    "protect_loggers", "masked_loggers",
    "reference", "limits",
    "RedirectError", "DownloadError",
    "ResponseTooLargeError",
]
