"""The one place that touches other libraries' private attributes.

Each function here does something the library offers no public way to do,
and says why it is needed.  ``t/package/test_dependency_layout.py`` exercises every
one of them against the installed libraries, so an upgrade that renames an
attribute fails that test by name instead of breaking a call somewhere
else.  (openapi-core's deferred ``__init__`` is the other such reliance;
it lives in :mod:`openapi_dyn._call.engine` with its own checks in the same test
file.)
"""
from __future__ import annotations

from typing import Any, Tuple


def keep_requests_body(raw: Any, content: bytes) -> bytes:
    """Hand a body read within ``max_response_bytes`` back to a
    ``requests.Response``, so that ``.content``, ``.text`` and ``.json()``
    return it without reading the (now drained) connection again.  requests
    reads a body only whole, with no limit, through ``.content``; there is
    no public setter."""
    raw._content = content
    raw._content_consumed = True
    return content


def requests_body_is_read(raw: Any) -> bool:
    """Whether a ``requests.Response``'s body has been read already (with
    ``stream=False`` requests reads it itself); requests only says so
    through ``_content_consumed``."""
    return bool(getattr(raw, "_content_consumed", False))


def keep_httpx_body(raw: Any, content: bytes) -> bytes:
    """The same for an ``httpx.Response``: after this ``.content`` and
    ``.json()`` return ``content`` and ``aread()`` reads nothing more.
    httpx's public ``aread()`` reads without a limit."""
    raw._content = content
    return content


def httpx_body_is_read(raw: Any) -> bool:
    """Whether an ``httpx.Response``'s body is held (``.content`` would not
    raise ``ResponseNotRead``)."""
    return hasattr(raw, "_content")


def aiohttp_pool_counts(connector: Any) -> Tuple[int, int]:
    """``(in use, idle)`` connections of an aiohttp connector; aiohttp
    exposes only the limits, not the counts."""
    return len(connector._acquired), sum(len(c) for c in connector._conns.values())


def aiohttp_without_hidden_retry(session: Any) -> Any:
    """Stop an aiohttp ``ClientSession`` from sending an idempotent request
    a second time by itself when the connection drops (aiohttp does so once,
    whatever the caller's retry policy): the retries are the send loop's,
    counted against ``max_retries`` as on every other transport.  aiohttp
    has no public switch; its own test client turns the same attribute off.
    Should a release drop the attribute, nothing is set (and
    ``t/package/test_dependency_layout.py`` says so by name)."""
    if hasattr(session, "_retry_connection"):
        session._retry_connection = False
    return session
