"""The headers every request carries besides what the call, the spec and the
credentials put there, shared by both transports: who is calling
(``User-Agent: openapi-dyn/<version> python/<x.y>``), what the operation can
answer (``Accept``, from the media types its responses document) and which
compressions the client can decode (``Accept-Encoding``: gzip and deflate,
br when a Brotli package is installed, as the HTTP library underneath
reports).  A header the caller set (on the call, the client or their own
session) is never replaced."""
from __future__ import annotations

import sys
from typing import Dict, List, MutableMapping

from .._version import __version__

USER_AGENT = f"openapi-dyn/{__version__} python/{sys.version_info[0]}.{sys.version_info[1]}"


def accept_of(operation) -> str:
    """``Accept`` for ``operation``: every media type its responses document,
    success answers first; ``*/*`` when it documents none."""
    def build(op) -> str:
        ordered = sorted(op.responses.items(), key=lambda kv: not kv[0].startswith("2"))
        seen: List[str] = []
        for _, resp in ordered:
            for media_type in resp["content"]:
                if media_type not in seen:
                    seen.append(media_type)
        return ", ".join(seen) if seen else "*/*"

    return operation.caches.accept_header_or(build)


def add_identity(headers: MutableMapping[str, str], operation, accept_encoding: str,
                 given: Dict[str, str] = None) -> None:
    """Put ``User-Agent``, ``Accept`` and ``Accept-Encoding`` into
    ``headers`` (a case-insensitive mapping) unless ``headers`` or ``given``
    (lower-cased names of headers a caller's session sets) has them."""
    given = given or {}
    if "User-Agent" not in headers and "user-agent" not in given:
        headers["User-Agent"] = USER_AGENT
    if "Accept" not in headers and "accept" not in given:
        headers["Accept"] = accept_of(operation)
    if "Accept-Encoding" not in headers and "accept-encoding" not in given:
        headers["Accept-Encoding"] = accept_encoding
