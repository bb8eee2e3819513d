"""openapi_dyn: call any operation of an OpenAPI-described HTTP API by its
operationId, with arguments validated against the spec before anything is sent.

    >>> from openapi_dyn import Client
    >>> client = Client()                # the bundled OpenAI spec
    >>> client.prepare("createRun", thread_id="thread_abc", body={"assistant_id": "asst_abc"})

``AsyncClient`` is the same for asyncio applications (``await client.call(...)``).

Everything public is importable from here.
"""
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




#: Public names defined in modules that import requests or other heavy
#: dependencies: loaded on first use, so ``import openapi_dyn`` stays cheap.
_LAZY = {
    "Client": "._client",
    "AsyncClient": "._async_client",
    "Operations": "._client",
    "Spec": "._spec",
    "Profile": "._profile",
    "PreparedRequest": "._request",
    "Response": "._response",
    "Stream": "._sse",
    "ServerSentEvent": "._sse",
    "Record": "._records",
}


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'openapi_dyn' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__():
    # The import system sets every imported submodule (``_client``,
    # ``reference``...) as an attribute of the package; they are not names
    # this namespace offers, so dir() leaves them out.
    from types import ModuleType

    return sorted(name for name in set(globals()) | set(__all__)
                  if name in __all__ or not isinstance(globals().get(name), ModuleType))


__all__ = [
    "Client", "AsyncClient", "__version__",
    "OpenAPIDynError", "SpecError", "ProfileError", "UsageError", "UnknownOperationError",
    "ValidationProblem", "RequestValidationError", "MissingCredentialsError",
    "APIConnectionError", "APITimeoutError", "APIError", "BadRequestError",
    "AuthenticationError", "PermissionDeniedError", "NotFoundError", "ConflictError",
    "UnprocessableEntityError", "RateLimitError", "InternalServerError",
    "ResponseValidationError", "ResponseDriftWarning", "StreamError", "DocumentationError",
    "UnknownFormatError",
    "Operations", "Spec", "Profile", "PreparedRequest", "Response", "Stream", "ServerSentEvent", "Record",
    "BatchError", "BatchRequestNotRun",
    "RedirectError", "DownloadError",
    "ResponseTooLargeError",
]
