"""``multipart/related`` request bodies (RFC 2387): a JSON part, then a file.

This is how Google's APIs take metadata and content in one request
(``uploadType=multipart`` on an ``/upload/...`` path).  The body is given as
``{"metadata": {...}, "media": file}``, where ``media`` is anything a
``multipart/form-data`` file may be (bytes, a path, a binary file object, or
``(filename, content[, content_type])``); the file's content type is the one
given in the tuple, else guessed from its name, else
``application/octet-stream``.  Unlike form data, the parts carry no names:
their order says what they are, so a body with other keys is refused.

The encoder reuses :mod:`._multipart`'s streaming parts, so a file is read in
blocks while it is sent and a path or seekable file can be sent again on a
retry.
"""
from __future__ import annotations

import json
import secrets
from typing import Any, List, Mapping, Tuple

from ._errors import ValidationProblem
from ._multipart import MultipartBody, _File, _file_content_type, _Part, file_problems, is_file

__all__ = ["validate_related", "encode_related", "RelatedBody"]

_FIELDS = ("metadata", "media")


class RelatedBody(MultipartBody):
    """A ``multipart/related`` body produced while it is sent."""

    def __init__(self, parts: List[_Part], boundary: str):
        super().__init__(parts, boundary)
        self.content_type = f'multipart/related; boundary="{boundary}"'

    def __repr__(self) -> str:
        return f"<multipart/related: {', '.join(repr(p.file) if p.file else 'metadata' for p in self.parts)}>"


def validate_related(checker, media, body: Any) -> List[ValidationProblem]:
    """Problems with a ``multipart/related`` body (empty when it is fine):
    a mapping of ``metadata`` (checked against the schema) and ``media`` (a file)."""
    if not isinstance(body, Mapping):
        return [ValidationProblem("body", f"a multipart/related body must be a dict "
                                          f"{{'metadata': {{...}}, 'media': file}}, not {type(body).__name__}")]
    problems = [ValidationProblem(f"body.{k}", "unknown part; a multipart/related body has 'metadata' and 'media'")
                for k in body if k not in _FIELDS]
    file = body.get("media")
    if file is None:
        problems.append(ValidationProblem("body.media", "required: the file to upload"))
    elif not is_file(file):
        problems.append(ValidationProblem("body.media", f"must be bytes, a path, a binary file or a "
                                                        f"(filename, content[, content_type]) tuple, "
                                                        f"not {type(file).__name__}"))
    else:
        problems.extend(file_problems(file, "body.media"))
    if problems:
        return problems
    shadow = {"media": "<file>"}
    if body.get("metadata") is not None:
        shadow["metadata"] = body["metadata"]
    return checker.check_body(media, shadow)


def encode_related(media, body: Mapping[str, Any]) -> Tuple[Any, str, bool]:
    """``(data, content type header, replayable)``: the metadata as a JSON
    part (``{}`` when not given), then the file."""
    boundary = "openapi-dyn-" + secrets.token_hex(16)
    metadata = body.get("metadata")
    text = json.dumps({} if metadata is None else metadata, separators=(",", ":"), ensure_ascii=False)
    parts = [_Part("metadata", f"--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n"
                   .encode("ascii"), text=text.encode("utf-8"))]
    file = _File(body["media"])
    file.content_type = _file_content_type(file, None, {})
    parts.append(_Part("media", f"--{boundary}\r\nContent-Type: {file.content_type}\r\n\r\n".encode("utf-8"),
                       file=file))
    related = RelatedBody(parts, boundary)
    data: Any = related if related.size is not None else iter(related)
    return data, related.content_type, related.replayable
