"""Request bodies: validating them and encoding them per media type.

JSON (``application/json`` and ``*+json``) is validated in full and sent
compact; ``application/x-www-form-urlencoded`` is validated as an object and
encoded per the spec's Encoding Object; text and binary media types
(``text/plain``, ``application/sdp``, ``application/octet-stream``...) take
``str``/``bytes``/a path/a binary file object as given.

Bodies read from a path are opened when sent and read in blocks; a path or a
seekable file object can be sent again when a request is retried, a pipe or a
generator cannot (``replayable`` is false and the request is not retried).
"""
from __future__ import annotations

import json
from typing import Any, List, Optional, Tuple

from . import _serialize as serialize
from ._errors import ValidationProblem
from ._operation import is_json


def _base(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


def validate_body(checker, media, body: Any) -> List[ValidationProblem]:
    """Problems with ``body`` for ``media`` (empty when it is fine)."""
    mt = _base(media.media_type)
    if is_json(mt) or mt == "application/x-www-form-urlencoded":
        return checker.check_body(media, body)
    if mt == "multipart/related":
        from ._related import validate_related
        return validate_related(checker, media, body)
    if mt.startswith("multipart/"):
        from ._multipart import validate_multipart
        return validate_multipart(checker, media, body)
    if _is_path(body) or hasattr(body, "read"):
        from ._multipart import file_problems
        return file_problems(body, "body")
    if isinstance(body, (bytes, bytearray, str, memoryview)):
        return []
    return [ValidationProblem("body", f"a {mt} body must be bytes, str, a path or a binary file, not {type(body).__name__}")]


def default_media_type(operation, body: Any) -> Optional[str]:
    """The media type a body is sent as when the caller names none: the
    operation's default (JSON first, see ``Operation.default_media_type``),
    except that a body holding files goes as ``multipart/form-data`` when the
    operation offers it (a file cannot travel in JSON), and raw ``bytes``, a
    path or a file object go as the operation's first non-JSON, non-form type
    (``application/octet-stream``, ``application/sdp``...)."""
    default = operation.default_media_type()
    offered = list(operation.request_body)
    if isinstance(body, dict):
        multipart = [mt for mt in offered if _base(mt) in ("multipart/form-data", "multipart/related")]
        if multipart:   # else there is nothing to switch to: no need to look for files
            from ._multipart import is_file

            def has_file(v: Any) -> bool:
                return is_file(v) or isinstance(v, list) and any(is_file(x) for x in v)

            if any(has_file(v) for v in body.values()):
                return multipart[0]
    elif (isinstance(body, (bytes, bytearray, memoryview)) or hasattr(body, "read") or _is_path(body)
          or isinstance(body, str) and not (default and is_json(default))):
        for mt in offered:
            base = _base(mt)
            if not (is_json(base) or base.startswith("multipart/") or base == "application/x-www-form-urlencoded"):
                return mt
    return default


def encode_body(media, body: Any, content_type: Optional[str] = None) -> Tuple[Any, str, bool]:
    """``(data, content type header, replayable)`` for ``body`` sent as ``media``."""
    mt = content_type or media.media_type
    base = _base(mt)
    if is_json(base):
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8"), mt, True
    if base == "application/x-www-form-urlencoded":
        return serialize.form_urlencoded(body, media.encoding).encode("ascii"), mt, True
    if base == "multipart/related":
        from ._related import encode_related
        return encode_related(media, body)
    if base.startswith("multipart/"):
        from ._multipart import encode_multipart
        return encode_multipart(media, body)
    if isinstance(body, str):
        return body.encode("utf-8"), mt, True
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body), mt, True
    if _is_path(body):
        return PathBody(body), mt, True
    # A file object is sent from where it stands; urllib3 rewinds seekable ones
    # before a retry.  Anything else (a pipe, a generator) is one-shot.
    return body, mt, _seekable(body)


class PathBody:
    """A file sent as the whole request body: opened each time the body is
    sent, read in blocks, closed at the end.  ``len()`` gives the request a
    ``Content-Length``."""

    CHUNK_SIZE = 64 * 1024

    def __init__(self, path: Any):
        import os
        self.path = os.fspath(path)
        self.size = os.stat(self.path).st_size

    def __len__(self) -> int:
        return self.size

    def __iter__(self):
        with open(self.path, "rb") as fh:
            while True:
                block = fh.read(self.CHUNK_SIZE)
                if not block:
                    return
                yield block

    def __repr__(self) -> str:
        return f"<file {self.path!r}, {self.size} bytes>"


def _seekable(body: Any) -> bool:
    try:
        return bool(body.seekable())
    except Exception:
        return False


def _is_path(value: Any) -> bool:
    import os
    return isinstance(value, os.PathLike)
