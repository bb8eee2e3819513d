"""Every exception openapi_dyn raises, in one place.

All of them derive from :class:`OpenAPIDynError`, so ``except OpenAPIDynError``
catches anything the library can raise.  Exceptions of the libraries underneath
(requests, PyYAML, openapi-core, jsonschema) are translated at the boundary
where they occur and never reach the caller untranslated; the original stays
available as ``__cause__``.

Grouped by when they happen:

* loading a spec: :class:`SpecError`
* building a call: :class:`UnknownOperationError`, :class:`RequestValidationError`,
  :class:`MissingCredentialsError`, :class:`UsageError`
* sending it: :class:`APIConnectionError`, :class:`APITimeoutError`,
  :class:`RedirectError`, :class:`ResponseTooLargeError`
* the answer: :class:`APIError` and one subclass per common status,
  :class:`ResponseValidationError`, :class:`StreamError` (an error inside a
  successful event stream, not an :class:`APIError`), :class:`DownloadError`
* generating the reference: :class:`DocumentationError`,
  :class:`UnknownFormatError`
* batches: :class:`BatchError`, :class:`BatchRequestNotRun`

The last section holds the private signals the library raises and catches
inside itself (:class:`_IncompleteEvent`, :class:`_NotStrict`), turns into
an exit status (:class:`_CommandFailed`) or into that status's message
(:class:`_MCPUnavailable`, an ``ImportError`` for a missing optional
package); none of them is an :class:`OpenAPIDynError`, and each is
re-exported under its old name by the module that uses it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, List, Mapping, Optional, Sequence


class OpenAPIDynError(Exception):
    """Base of every exception raised by openapi_dyn."""


# --------------------------------------------------------------------- specs
class SpecError(OpenAPIDynError, ValueError):
    """The spec cannot be used: not found, not YAML/JSON, not OpenAPI 3.x, a
    ``$ref`` that does not resolve.  ``where`` names the file and/or JSON
    pointer at fault."""

    def __init__(self, what: str, where: Optional[str] = None):
        self.what = what
        self.where = where
        super().__init__(f"{what} (at {where})" if where else what)


class ProfileError(SpecError):
    """A vendor profile (``Client(profile=...)``) cannot be used: not found,
    not YAML, or not of the profile schema; the message names every key at
    fault."""


# ------------------------------------------------------------- building calls
class UsageError(OpenAPIDynError, TypeError):
    """The client itself was used wrongly (a bad option, a paginated call on an
    operation that does not paginate, ...)."""


class UnknownOperationError(OpenAPIDynError, AttributeError, LookupError):
    """No operation has that operationId.  It is an ``AttributeError`` too, so
    ``hasattr(client, "nope")`` stays truthful; ``suggestions`` holds the
    closest real operationIds."""

    def __init__(self, name: str, suggestions: Sequence[str] = ()):
        self.name = name
        self.suggestions = list(suggestions)
        msg = f"unknown operation {name!r}"
        if self.suggestions:
            msg += "; did you mean " + " or ".join(self.suggestions) + "?"
        super().__init__(msg)

    def __str__(self) -> str:  # LookupError would otherwise repr() the message
        return self.args[0]


@dataclass(frozen=True)
class ValidationProblem:
    """One problem with a call: where it is and what is wrong.

    ``location`` is ``"<in>.<name>"`` for parameters (``path.thread_id``,
    ``query.limit``, ``header.OpenAI-Beta``), ``body`` or ``body.messages[0].role``
    for the request body, and ``argument.<name>`` for a keyword argument that
    matches nothing in the operation."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class RequestValidationError(OpenAPIDynError, ValueError):
    """The call does not match the spec; nothing was sent.  ``errors`` lists
    every problem found, each a :class:`ValidationProblem`."""

    def __init__(self, operation_id: str, errors: Iterable[ValidationProblem]):
        self.operation_id = operation_id
        self.errors: List[ValidationProblem] = list(errors)
        lines = [f"{operation_id}: {len(self.errors)} problem(s), request not sent:"]
        lines += [f"  - {e}" for e in self.errors]
        super().__init__("\n".join(lines))


class MissingCredentialsError(OpenAPIDynError):
    """The operation needs credentials and none were given (neither ``api_key=``
    nor the environment variable named in the message)."""


# ------------------------------------------------------------------- sending
class APIConnectionError(OpenAPIDynError):
    """The server could not be reached or the connection broke."""

    def __init__(self, message: str, *, request: Any = None):
        self.request = request
        super().__init__(message)


class APITimeoutError(APIConnectionError):
    """Connecting or reading took longer than the timeout allowed."""


class RedirectError(APIConnectionError):
    """A redirect could not be followed: too many hops, a target that is not
    an http(s) URL, or a 307/308 that would need a one-shot body sent again."""


class DownloadError(OpenAPIDynError, OSError):
    """``save_to=`` could not write the answer (a missing folder, a full
    disk, no permission); nothing is left under the target name and the
    connection is released."""


class ResponseTooLargeError(APIConnectionError):
    """The answer's body (read whole), or one event of an event stream, is
    larger than the client's ``max_response_bytes``; reading stopped there
    and the connection was closed."""


# ---------------------------------------------------------------- responses
class ErrorAnswer:
    """What the server said about an error, kept on the exception raised for
    it: ``status_code``, ``headers``, ``body`` (decoded: JSON as Python
    objects, else text), ``request_id`` (from the header the vendor profile
    names: ``x-request-id``, Anthropic's ``request-id``...), ``response``
    (the HTTP library's response) and what the vendor's error envelope says,
    read into ``message``, ``type``, ``code``, ``param`` and ``details``
    (Google's list of typed detail objects) (``None`` where the body does
    not say).  Shared by :class:`APIError` (an error status)
    and :class:`StreamError` (an error inside an event stream); not raised
    by itself."""

    def __init__(self, message: str, *, status_code: int, headers: Mapping[str, str],
                 body: Any, request_id: Optional[str] = None, response: Any = None,
                 error_message: Optional[str] = None, error_type: Optional[str] = None,
                 code: Any = None, param: Optional[str] = None, details: Any = None):
        self.status_code = status_code
        self.headers = headers
        self.body = body
        self.request_id = request_id
        self.response = response
        self.message: Optional[str] = error_message
        self.type: Optional[str] = error_type
        self.code = code
        self.param: Optional[str] = param
        self.details: Any = details
        super().__init__(message)


class APIError(ErrorAnswer, OpenAPIDynError):
    """The server answered with a non-2xx status.

    ``status_code``, ``headers``, ``body``, ``request_id``, ``response`` and
    the error envelope's ``message``, ``type``, ``code`` and ``param`` (see
    :class:`ErrorAnswer`): OpenAI's and Azure's ``{"error": {"message",
    "type", "code", "param"}}``, Anthropic's ``{"type": "error", "error":
    {"type", "message"}}``, Cohere's ``{"message"}``, and RFC 9457
    ``application/problem+json`` (``title``/``detail`` as the message,
    ``type`` as the type) for any spec.
    """

    status_code: int = 0


class BadRequestError(APIError):
    """400 Bad Request."""


class AuthenticationError(APIError):
    """401 Unauthorized: the key is missing, wrong or revoked."""


class PermissionDeniedError(APIError):
    """403 Forbidden."""


class NotFoundError(APIError):
    """404 Not Found."""


class ConflictError(APIError):
    """409 Conflict."""


class UnprocessableEntityError(APIError):
    """422 Unprocessable Entity."""


class RateLimitError(APIError):
    """429 Too Many Requests."""


class InternalServerError(APIError):
    """Any 5xx status."""


class OverloadedError(InternalServerError):
    """The service is overloaded (Anthropic's 529 ``overloaded_error``): a
    5xx like any other, retried like one, with a class of its own because a
    caller may want to back off longer or switch models.  Raised where the
    vendor profile names it (``errors.classes``)."""


STATUS_ERRORS = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


#: The classes a profile's ``errors.classes`` may name, by name.
NAMED_ERRORS = {cls.__name__: cls for cls in (*STATUS_ERRORS.values(), InternalServerError, OverloadedError)}


def error_class_for(status: int, named: Optional[Mapping[int, str]] = None) -> type:
    """The :class:`APIError` subclass that stands for ``status``; ``named``
    (a profile's ``errors.classes``) may give the status a class of its own."""
    if named:
        found = NAMED_ERRORS.get(named.get(status, ""))
        if found is not None:
            return found
    if status >= 500:
        return InternalServerError
    return STATUS_ERRORS.get(status, APIError)


class ResponseValidationError(OpenAPIDynError, ValueError):
    """With ``validate_responses=True``: the answer does not match the spec.
    ``errors`` lists :class:`ValidationProblem` (``response.body.data[0].id``)."""

    def __init__(self, operation_id: str, errors: Iterable[ValidationProblem], *, response: Any = None):
        self.operation_id = operation_id
        self.errors = list(errors)
        self.response = response
        lines = [f"{operation_id}: response does not match the spec:"]
        lines += [f"  - {e}" for e in self.errors]
        super().__init__("\n".join(lines))


class ResponseDriftWarning(UserWarning):
    """An answer differs from the spec in a way live APIs are known to drift
    (a missing required field, a new enum value, an unexpected null, a new
    field): accepted, and reported with this warning (see
    :mod:`openapi_dyn._answer.drift`)."""


class StreamError(ErrorAnswer, OpenAPIDynError):
    """An event stream delivered an error event or error payload, or broke
    off in the middle: the answer's status was a success (``status_code``
    is that status, usually 200), so this is not an :class:`APIError`.
    ``body`` is the error payload (or the partial event), read like an error
    envelope into ``message``, ``type``, ``code`` and ``param`` (see
    :class:`ErrorAnswer`)."""


# ----------------------------------------------------------- the reference
class DocumentationError(OpenAPIDynError, RuntimeError):
    """The reference could not be generated: a tool it needs is missing
    (``pod2man`` for man pages) or failed.  (Not named ``ReferenceError``,
    which would shadow Python's built-in of that name.)"""


class UnknownFormatError(UsageError, ValueError):
    """The reference was asked for in a format it does not offer; the
    message lists the formats that exist."""


# ------------------------------------------------------------------ batches
class BatchError(OpenAPIDynError):
    """A batch run cannot go on: its state file is unreadable or belongs to
    another spec, the vendor refused the batch as a whole, or waiting ran
    past its ``timeout``.  The state file is left as it was; the run can be
    resumed."""


class BatchRequestNotRun(BatchError):
    """One request of a batch was never executed: its batch ``expired``
    before reaching it, was ``cancelled``, or ``failed`` as a whole
    (``reason``).  ``custom_id`` names the request; ``code`` and ``message``
    are what the vendor said.  Such requests can be sent again with
    :meth:`Batch.resubmit <openapi_dyn.Batch.resubmit>`."""

    def __init__(self, custom_id: str, reason: str, message: str = "", code: Optional[str] = None):
        self.custom_id = custom_id
        self.reason = reason
        self.code = code
        self.message = message
        text = f"{custom_id}: not run ({reason})"
        if code or message:
            text += ": " + (f"[{code}] " if code else "") + (message or "")
        super().__init__(text.rstrip())


# ------------------------------------------------- signals inside the library
class _Unresolved(Exception):
    """A $ref target that cannot be found while bundling; turned into a
    :class:`SpecError` naming the $ref's place by whoever knows it."""


class ManUnavailable(DocumentationError):
    """``pod2man`` is not installed (the ``man`` format needs it); exported
    by :mod:`openapi_dyn.reference`."""


class _IncompleteEvent(Exception):
    """An event stream ended inside an event (``partial`` holds what was
    read); the stream readers turn it into :class:`StreamError`, or ignore it
    when the partial event is ``[DONE]``."""

    def __init__(self, partial: str):
        self.partial = partial
        super().__init__(partial)


class _NotStrict(Exception):
    """Why a tool schema has no form OpenAI's strict mode accepts (the
    message says what and where); :func:`openapi_dyn._agents.toolschema.strict_variant`
    returns it as a reason."""


class _MCPUnavailable(ImportError):
    """The ``mcp`` package, which the MCP server needs, is not installed."""


class _CommandFailed(Exception):
    """The command line tool stops: ``message`` goes to standard error and
    ``code`` is the exit status (see :mod:`openapi_dyn._cli.main`)."""

    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code
