"""What a failure of the HTTP library becomes: the translation of requests',
urllib3's and httpx's exceptions into :class:`~openapi_dyn.APIConnectionError`
and :class:`~openapi_dyn.APITimeoutError`, shared by both transports, the
response readers and the event streams (it sits below all of them).

The message says what failed, how many attempts were made and, for a
one-shot body, why there was only one; secrets of the request are masked in
it.  The original exception is chained as ``__cause__`` only when neither
its text nor that of anything it wraps shows a secret (urllib3 puts the whole
URL, query string and all, in its messages): see :func:`safe_cause` and
:func:`translated`.  This module imports neither requests nor httpx at load
time; httpx's exceptions are recognised by name.
"""
from __future__ import annotations

from typing import Any, Optional

from .._errors import APIConnectionError, APITimeoutError

#: Why a request was sent once only, appended to the error when it fails.
NOT_REPLAYABLE = ("not retried: the request body is a one-shot stream (a pipe, socket or generator) "
                  "that cannot be sent twice; pass bytes, a path or a seekable file to allow retries")


def chain(exc: BaseException):
    """``exc`` and what it wraps: requests puts urllib3's error in ``args[0]``,
    urllib3's ``MaxRetryError`` keeps the last failure in ``reason``."""
    seen = 0
    while exc is not None and seen < 10:
        yield exc
        seen += 1
        nxt = getattr(exc, "reason", None)
        if not isinstance(nxt, BaseException):
            nxt = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        exc = nxt  # type: ignore[assignment]


def translate_error(exc: BaseException, prepared, timeout_pair=None, retries: int = 0,
                    not_retried: bool = False, attempts: Optional[int] = None) -> APIConnectionError:
    """requests'/urllib3's (or httpx's) exception -> :class:`APIConnectionError`
    or :class:`APITimeoutError`, message saying what failed, how many
    attempts were made and (for one-shot bodies) why there was only one."""
    import requests
    from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError, ReadTimeoutError

    links = list(chain(exc))
    if attempts is None:
        exhausted = any(isinstance(e, MaxRetryError) for e in links)
        attempts = retries + 1 if exhausted else 1
    tail = f" after {attempts} attempts" if attempts > 1 else ""
    if not_retried:
        tail += f" ({NOT_REPLAYABLE})"
    what = f"{prepared.method} {prepared.shown_url}"
    # urllib3's NewConnectionError (refused, unreachable) subclasses
    # ConnectTimeoutError for historical reasons; it is not a timeout.
    if any(isinstance(e, (requests.ConnectTimeout, ConnectTimeoutError)) and not isinstance(e, NewConnectionError)
           or _is_httpx(e, "ConnectTimeout", "PoolTimeout") for e in links) \
            and not isinstance(links[-1], NewConnectionError):
        limit = f" (connect timeout {timeout_pair[0]} s)" if timeout_pair else ""
        return APITimeoutError(f"{what}: could not connect in time{limit}{tail}", request=prepared)
    if any(isinstance(e, (requests.ReadTimeout, ReadTimeoutError)) or _is_httpx(e, "ReadTimeout", "WriteTimeout")
           for e in links):
        limit = f" (read timeout {timeout_pair[1]} s)" if timeout_pair else ""
        return APITimeoutError(f"{what}: the server did not answer in time{limit}{tail}", request=prepared)
    return APIConnectionError(f"{what} failed{tail}: {_describe(links[-1], prepared)}", request=prepared)


def _is_httpx(exc: BaseException, *names: str) -> bool:
    """Is ``exc`` one of httpx's exception classes ``names`` (checked by
    name: this module does not import httpx)?"""
    return type(exc).__module__.startswith("httpx") and any(
        c.__name__ in names for c in type(exc).__mro__)


def _describe(exc: BaseException, prepared) -> str:
    """A one-line reason for a connection failure, with secrets masked."""
    from .._call.redact import mask_places_text

    text = f"{type(exc).__name__}: {exc}"
    return mask_places_text(text, prepared.secret_places)


def _texts(exc: BaseException):
    """The text of ``exc`` and of everything it wraps or was caused by."""
    seen: set = set()
    todo = [exc]
    while todo and len(seen) < 32:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        try:
            yield f"{e!r} {e}"
        except Exception:
            yield type(e).__name__
        todo.extend(x for x in chain(e) if x is not e)
        todo.extend(x for x in (e.__cause__, e.__context__, getattr(e, "request", None)) if isinstance(x, BaseException))
        for arg in getattr(e, "args", ()):
            if isinstance(arg, BaseException):
                todo.append(arg)


def safe_cause(exc: BaseException, prepared) -> Optional[BaseException]:
    """``exc`` when it may be chained to the error raised for it, ``None``
    when its text (or that of anything it wraps) shows a secret of the
    request: it is then left out, its description masked in the message."""
    secrets = getattr(prepared, "secret_places", None)
    if not secrets:
        return exc
    for text in _texts(exc):
        if secrets.appears_in(text):
            return None
    return exc


def translated(exc: BaseException, prepared, **how: Any):
    """``(error, cause)`` for a failure of the HTTP library: the
    :func:`translate_error` to raise, and the cause it may be chained to
    (``None`` when ``exc`` shows a secret; see :func:`safe_cause`).  Raise it
    as ``raise error from cause`` outside the ``except`` clause, so a cause
    left out does not come back as ``__context__``."""
    return translate_error(exc, prepared, **how), safe_cause(exc, prepared)


def bad_header_error(exc: BaseException, prepared, headers) -> Exception:
    """The HTTP library refused the request with a ``ValueError``: mostly a
    header that reached it after our checks (changed on the prepared request,
    or added by the session), named with its value never shown; else the
    failure, described with secrets masked."""
    from .._errors import RequestValidationError
    from .._call.headers import header_problems

    problems = header_problems(headers)
    if problems:
        return RequestValidationError(prepared.operation_id, problems)
    return APIConnectionError(f"{prepared.method} {prepared.shown_url} failed: {_describe(exc, prepared)}",
                              request=prepared)
