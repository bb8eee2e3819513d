"""Reading an answer in :class:`~openapi_dyn.AsyncClient`: the asynchronous
side of :func:`openapi_dyn._response.finish`.  The body is read (or streamed,
or saved) with the event loop; status errors, decoding, the event-stream
decision and response validation are the synchronous client's own code, run
on the body once it is read.  Whatever fails, or a cancelled task, closes
the response and leaves no partial file."""
from __future__ import annotations

from typing import Any

import httpx

from ._response import Response, content_type_of, raise_for_status, validate_answer


async def read_body(raw: httpx.Response, prepared) -> bytes:
    """Read the whole body, translating a connection that breaks (or a body
    that does not decompress) into :class:`~openapi_dyn.APIConnectionError`,
    and stopping with :class:`~openapi_dyn.ResponseTooLargeError` past the
    client's ``max_response_bytes`` (counted after decompression)."""
    from ._response import _too_large
    from ._failures import translated

    limit = getattr(raw, "openapi_dyn_max_bytes", None)
    failure = None
    try:
        if limit is None:
            return await raw.aread()
        declared = raw.headers.get("Content-Length", "")
        if declared.strip().isdigit() and int(declared) > limit:
            raise _too_large(prepared, limit, f"it announces {int(declared)} bytes")
        blocks, size = [], 0
        async for block in raw.aiter_bytes():
            size += len(block)
            if size > limit:
                raise _too_large(prepared, limit, "more arrived")
            blocks.append(block)
        raw._content = b"".join(blocks)
        return raw._content
    except httpx.HTTPError as exc:
        failure, cause = translated(exc, prepared)
    finally:
        if not raw.is_closed and not hasattr(raw, "_content"):
            await raw.aclose()
    raise failure from cause


async def save_body(raw: httpx.Response, prepared, target: Any):
    """Write the (decompressed) body to ``target`` as it arrives; see
    :mod:`.download`.  Returns ``(what to hand back, bytes written)``."""
    from ._download import DOWNLOAD_CHUNK, Destination
    from ._failures import translated

    dest = None
    try:
        dest = Destination(target, prepared.operation_id).open()
        async for block in raw.aiter_bytes(DOWNLOAD_CHUNK):
            dest.write(block)
        return dest.commit(), dest.written
    except BaseException as exc:  # Ctrl-C and cancellation too: no partial file
        if dest is not None:
            dest.abort()
        if not isinstance(exc, httpx.HTTPError):
            raise
        failure, cause = translated(exc, prepared)
    finally:
        await raw.aclose()
    # outside the except clause: a cause that shows a secret is left out
    raise failure from cause


async def finish(raw: httpx.Response, prepared, *, save_to: Any = None, validate: Any = False,
                 profile: Any = None, attribute_access: bool = True) -> Response:
    """Like :func:`openapi_dyn._response.finish`: raise for non-2xx statuses,
    hand an event stream out unread (as an
    :class:`~openapi_dyn._sse.AsyncStream`), save a download, read anything
    else whole, validate it when asked."""
    is_read = hasattr(raw, "_content")
    try:
        if not 200 <= raw.status_code < 300:
            if not is_read:
                await read_body(raw, prepared)
            raise_for_status(raw, prepared, profile)
        response = Response(raw, prepared, profile, attribute_access)
        if content_type_of(raw) == "text/event-stream" and save_to is None and not is_read:
            from ._sse import AsyncStream

            response._data = AsyncStream(raw, prepared, attribute_access)
            response._decoded = True
            return response
        if save_to is not None:
            response._data, response.saved_bytes = await save_body(raw, prepared, save_to)
            response._decoded = True
            return response
        if not is_read:
            await read_body(raw, prepared)
    except BaseException:
        await raw.aclose()
        raise
    if validate:
        validate_answer(response, prepared, validate)
    return response
