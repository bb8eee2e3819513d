"""openapi_dyn: call any operation of an OpenAPI-described HTTP API by its
operationId, with arguments validated against the spec before anything is sent.

    >>> from openapi_dyn import Client
    >>> client = Client()                # the bundled OpenAI spec
    >>> client.prepare("createRun", thread_id="thread_abc", body={"assistant_id": "asst_abc"})

Everything public is importable from here.
"""
__version__ = "0.1.0"

from .errors import (  # noqa: E402
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    MissingCredentialsError,
    NotFoundError,
    OpenAPIDynError,
    PermissionDeniedError,
    RateLimitError,
    RequestValidationError,
    ResponseTooLargeError,
    ResponseValidationError,
    SpecError,
    StreamError,
    UnknownOperationError,
    UnprocessableEntityError,
    UsageError,
    ValidationProblem,
)


def __getattr__(name):
    # Client pulls in requests; keep ``import openapi_dyn`` itself cheap.
    if name == "Client":
        from .client import Client
        return Client
    raise AttributeError(f"module 'openapi_dyn' has no attribute {name!r}")


__all__ = [
    "Client", "__version__",
    "OpenAPIDynError", "SpecError", "UsageError", "UnknownOperationError",
    "ValidationProblem", "RequestValidationError", "MissingCredentialsError",
    "APIConnectionError", "APITimeoutError", "APIError", "BadRequestError",
    "AuthenticationError", "PermissionDeniedError", "NotFoundError", "ConflictError",
    "UnprocessableEntityError", "RateLimitError", "InternalServerError",
    "ResponseValidationError", "StreamError", "ResponseTooLargeError",
]
