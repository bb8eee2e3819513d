"""Sending: one pooled :class:`requests.Session`, timeouts, retries, and the
translation of requests' exceptions into openapi_dyn's own.

Nothing outside this module touches requests' exceptions; a caller sees
:class:`~openapi_dyn.APIConnectionError` or :class:`~openapi_dyn.APITimeoutError`
with the original as ``__cause__``.
"""
from __future__ import annotations

import logging
from typing import Any, Optional, Tuple, Union

import requests

from .errors import APIConnectionError, APITimeoutError, MissingCredentialsError

log = logging.getLogger("openapi_dyn")

Timeout = Union[None, float, Tuple[float, float]]
DEFAULT_TIMEOUT: Tuple[float, float] = (5.0, 600.0)  # connect, read (seconds)


def normalize_timeout(timeout: Any) -> Tuple[Optional[float], Optional[float]]:
    """``10`` -> ``(10, 10)``; ``(3, 60)`` stays; ``None`` -> the default."""
    if timeout is None:
        return DEFAULT_TIMEOUT
    if isinstance(timeout, (tuple, list)):
        connect, read = timeout
        return (connect, read)
    return (float(timeout), float(timeout))


class Transport:
    """Owns the session; sends :class:`~openapi_dyn.request.PreparedRequest`\\ s."""

    def __init__(self, session: Optional[requests.Session] = None, timeout: Timeout = None,
                 max_retries: int = 2):
        self.session = session or requests.Session()
        self.timeout = normalize_timeout(timeout)
        self.max_retries = max_retries

    def send(self, prepared, *, timeout: Timeout = None, max_retries: Optional[int] = None,
             stream: bool = False) -> requests.Response:
        if prepared.missing_credentials:
            raise MissingCredentialsError(prepared.missing_credentials)
        req = requests.PreparedRequest()
        req.method = prepared.method
        req.url = prepared.url
        req.headers = requests.structures.CaseInsensitiveDict(prepared.headers)
        req.body = prepared.body
        if prepared.body is None:
            if prepared.method in ("POST", "PUT", "PATCH"):
                req.headers["Content-Length"] = "0"
        elif isinstance(prepared.body, (bytes, str)):
            req.headers["Content-Length"] = str(len(prepared.body))
        else:
            req.prepare_body(prepared.body, None)  # streamed: chunked transfer or known length
            req.headers.update({k: v for k, v in prepared.headers.items() if k.lower() == "content-type"})
        timeout_pair = normalize_timeout(timeout) if timeout is not None else self.timeout
        log.debug("%s %s", prepared.method, prepared.masked_url)
        try:
            return self.session.send(req, timeout=timeout_pair, stream=stream, allow_redirects=True)
        except requests.Timeout as exc:
            raise APITimeoutError(f"{prepared.method} {prepared.masked_url} timed out "
                                  f"(connect {timeout_pair[0]} s, read {timeout_pair[1]} s)",
                                  request=prepared) from None
        except requests.RequestException as exc:
            raise APIConnectionError(f"{prepared.method} {prepared.masked_url} failed: "
                                     f"{_describe(exc, prepared)}", request=prepared) from None

    def close(self) -> None:
        self.session.close()


def _describe(exc: BaseException, prepared) -> str:
    """A one-line reason for a connection failure, with secrets masked."""
    from .auth import mask

    text = f"{type(exc).__name__}: {exc}"
    return mask(text, prepared._secrets)
