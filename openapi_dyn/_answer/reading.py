"""Reading an answer's body whole within the client's ``max_response_bytes``
(counted after decompression: a gzip bomb stops there too), the same way in
both clients: :class:`WholeBody` keeps the count and says when to stop,
:func:`read_all` reads a :class:`requests.Response` with it and
:func:`~openapi_dyn._answer.async_response.read_body` an :class:`httpx.Response`.
A connection that breaks mid-body (or a body that does not decompress)
becomes :class:`~openapi_dyn.APIConnectionError`."""
from __future__ import annotations

from typing import List, Optional

from .._errors import ResponseTooLargeError
from .._library_internals import keep_requests_body, requests_body_is_read as _is_read

#: Bytes read per block when a body is read whole.
READ_CHUNK = 64 * 1024


class WholeBody:
    """The blocks of one body read whole, counted against ``limit`` (the
    answer's ``openapi_dyn_max_bytes``; ``None``: no limit)."""

    __slots__ = ("prepared", "limit", "blocks", "size")

    def __init__(self, raw, prepared):
        self.prepared = prepared
        self.limit: Optional[int] = getattr(raw, "openapi_dyn_max_bytes", None)
        self.blocks: List[bytes] = []
        self.size = 0

    def too_large_announced(self, headers) -> Optional[ResponseTooLargeError]:
        """The error to raise when ``Content-Length`` is over the limit
        already (nothing need be read), else ``None``."""
        declared = headers.get("Content-Length", "")
        if declared.strip().isdigit() and int(declared) > self.limit:
            return self.too_large(f"it announces {int(declared)} bytes")
        return None

    def add(self, block: bytes) -> Optional[ResponseTooLargeError]:
        """Keep ``block``; the error to raise when the body went over the
        limit with it."""
        self.size += len(block)
        if self.size > self.limit:
            return self.too_large("more arrived")
        self.blocks.append(block)
        return None

    def content(self) -> bytes:
        return b"".join(self.blocks)

    def too_large(self, why: str) -> ResponseTooLargeError:
        prepared = self.prepared
        return ResponseTooLargeError(
            f"{prepared.method} {prepared.shown_url}: the answer is larger than max_response_bytes "
            f"({self.limit} bytes): {why}; reading stopped and the connection was closed", request=prepared)


def read_all(raw, prepared) -> bytes:
    """Read a body left on the wire (see the module docstring), stopping
    with :class:`~openapi_dyn.ResponseTooLargeError` past the client's
    ``max_response_bytes``.  (An httpx answer has been read by the
    asynchronous client already.)"""
    if hasattr(raw, "aread"):
        return raw.content
    import requests

    from .failures import translated

    if _is_read(raw):
        return raw.content
    body = WholeBody(raw, prepared)
    failure = None
    if body.limit is None:
        try:
            return raw.content
        except requests.RequestException as exc:
            failure, cause = translated(exc, prepared)
        raise failure from cause
    over = body.too_large_announced(raw.headers)
    try:
        for block in ([] if over else raw.iter_content(READ_CHUNK)):
            over = body.add(block)
            if over:
                break
    except requests.RequestException as exc:
        failure, cause = translated(exc, prepared)
    if failure is not None:
        raise failure from cause
    if over:
        raw.close()
        raise over
    return keep_requests_body(raw, body.content())
