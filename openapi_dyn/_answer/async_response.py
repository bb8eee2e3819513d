"""Reading an answer in :class:`~openapi_dyn.AsyncClient`: the asynchronous
side of :func:`openapi_dyn._answer.response.finish`.  The body is read (or streamed,
or saved) with the event loop; status errors, decoding, the event-stream
decision and response validation are the synchronous client's own code, run
on the body once it is read.  Whatever fails, or a cancelled task, closes
the response and leaves no partial file."""
from __future__ import annotations

from typing import Any

import httpx

from .._library_internals import httpx_body_is_read, keep_httpx_body
from .reading import WholeBody
from .response import DONE, READ, SAVE, Response, finishing, validated


async def read_body(raw: httpx.Response, prepared) -> bytes:
    """Read the whole body (see :mod:`._reading`), translating a connection
    that breaks (or a body that does not decompress) into
    :class:`~openapi_dyn.APIConnectionError`, and stopping with
    :class:`~openapi_dyn.ResponseTooLargeError` past the client's
    ``max_response_bytes``."""
    from .failures import translated

    body = WholeBody(raw, prepared)
    failure = over = None
    try:
        if body.limit is None:
            return await raw.aread()
        over = body.too_large_announced(raw.headers)
        if over is None:
            async for block in raw.aiter_bytes():
                over = body.add(block)
                if over is not None:
                    break
            else:
                return keep_httpx_body(raw, body.content())
    except httpx.HTTPError as exc:
        failure, cause = translated(exc, prepared)
    finally:
        if not raw.is_closed and not httpx_body_is_read(raw):
            await raw.aclose()
    if over is not None:
        raise over
    raise failure from cause


async def save_body(raw: httpx.Response, prepared, target: Any):
    """Write the (decompressed) body to ``target`` as it arrives; see
    :mod:`._download`.  Returns ``(what to hand back, bytes written)``."""
    from .download import DOWNLOAD_CHUNK, Saving

    try:
        with Saving(target, prepared, httpx.HTTPError) as saving:
            async for block in raw.aiter_bytes(DOWNLOAD_CHUNK):
                saving.write(block)
    finally:
        await raw.aclose()
    return saving.result()


async def finish(raw: httpx.Response, prepared, *, save_to: Any = None, validate: Any = False,
                 profile: Any = None, attribute_access: bool = True) -> Response:
    """:func:`openapi_dyn._answer.response.finish` with the event loop: the same
    steps (:func:`~openapi_dyn._answer.response.finishing`), an event stream handed
    out as an :class:`~openapi_dyn.AsyncStream`; whatever fails, or a
    cancelled task, closes the response."""
    steps = finishing(raw, prepared, httpx_body_is_read(raw), save_to, profile, attribute_access)
    try:
        kind, response = next(steps)
        while kind is not DONE:
            if kind is READ:
                kind, response = steps.send(await read_body(raw, prepared))
            elif kind is SAVE:
                kind, response = steps.send(await save_body(raw, prepared, save_to))
            else:
                from .streams import AsyncStream

                kind, response = steps.send(AsyncStream(raw, prepared, attribute_access))
    except BaseException:
        await raw.aclose()
        raise
    return validated(response, prepared, validate)
