"""Request bodies: validating them and encoding them per media type.

JSON (``application/json`` and ``*+json``) is validated in full and sent
compact; ``application/x-www-form-urlencoded`` is validated as an object and
encoded per the spec's Encoding Object; text and binary media types
(``text/plain``, ``application/sdp``, ``application/octet-stream``...) take
``str``/``bytes``/a binary file object as given.
"""
from __future__ import annotations

import json
from typing import Any, List, Optional, Tuple

from . import serialize
from .errors import ValidationProblem
from .operation import is_json


def _base(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


def validate_body(checker, media, body: Any) -> List[ValidationProblem]:
    """Problems with ``body`` for ``media`` (empty when it is fine)."""
    mt = _base(media.media_type)
    if is_json(mt) or mt == "application/x-www-form-urlencoded":
        return checker.check_body(media, body)
    if mt.startswith("multipart/"):
        from .multipart import validate_multipart
        return validate_multipart(checker, media, body)
    if isinstance(body, (bytes, bytearray, str, memoryview)) or hasattr(body, "read") or _is_path(body):
        return []
    return [ValidationProblem("body", f"a {mt} body must be bytes, str, a path or a binary file, not {type(body).__name__}")]


def encode_body(media, body: Any, content_type: Optional[str] = None) -> Tuple[Any, str, bool]:
    """``(data, content type header, replayable)`` for ``body`` sent as ``media``."""
    mt = content_type or media.media_type
    base = _base(mt)
    if is_json(base):
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8"), mt, True
    if base == "application/x-www-form-urlencoded":
        return serialize.form_urlencoded(body, media.encoding).encode("ascii"), mt, True
    if base.startswith("multipart/"):
        from .multipart import encode_multipart
        return encode_multipart(media, body)
    if isinstance(body, str):
        return body.encode("utf-8"), mt, True
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body), mt, True
    if _is_path(body):
        return open(body, "rb"), mt, False  # streamed by requests, closed after sending
    return body, mt, False  # file object or iterable: streamed, cannot be replayed


def _is_path(value: Any) -> bool:
    import os
    return isinstance(value, os.PathLike)
