"""``multipart/form-data`` request bodies: validation and a streaming encoder.

The body is given as a ``dict`` of fields.  A field is a *file* when its value
is one of

* ``bytes`` (or ``bytearray``/``memoryview``): sent as a file named ``upload``;
* a ``pathlib.Path`` (any ``os.PathLike``): the file is opened when the body
  is sent and read in blocks, so it is never held in memory;
* an open binary file object: read in blocks from its current position;
* a tuple ``(filename, content)`` or ``(filename, content, content_type)``
  where ``content`` is any of the above or a ``str``.

A list whose items are files sends one part per file under the same name, as
RFC 7578 recommends for several values of one field.  Every other value is a
*text* field, encoded per the spec's Encoding Object (see :func:`encode_multipart`).

Validation replaces each file by a placeholder string and runs the JSON schema
on the result, so non-file fields are checked in full and a missing required
file is reported like any missing property.
"""
from __future__ import annotations

import io
import json
import mimetypes
import os
import secrets
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple
from urllib.parse import unquote

from .._errors import ValidationProblem
from .._spec.operation import is_json, media_matches

__all__ = ["validate_multipart", "encode_multipart", "MultipartBody", "is_file"]

#: Block size used when reading files into the request.
CHUNK_SIZE = 64 * 1024
#: File name used when a file is given as bare ``bytes`` or a nameless stream
#: (the same default as the official OpenAI SDK).
DEFAULT_FILENAME = "upload"
_FILE_PLACEHOLDER = "<file>"


# ------------------------------------------------------------------ values
def _is_bytes(value: Any) -> bool:
    return isinstance(value, (bytes, bytearray, memoryview))


def _is_stream(value: Any) -> bool:
    return hasattr(value, "read") and not isinstance(value, (str, bytes))


def is_file(value: Any) -> bool:
    """True when ``value`` is sent as a file part (see the module docstring).
    Tuples are always file specifications; use a list for an array of values."""
    if _is_bytes(value) or isinstance(value, os.PathLike) or _is_stream(value):
        return True
    return isinstance(value, tuple) and len(value) in (2, 3) and (value[0] is None or isinstance(value[0], str))


def _seekable(stream: Any) -> bool:
    try:
        return bool(stream.seekable())
    except Exception:
        return False


class _File:
    """One file part's source: where its bytes come from and how many there are."""

    __slots__ = ("filename", "content_type", "data", "path", "stream", "start", "size")

    def __init__(self, value: Any):
        filename: Optional[str] = None
        content_type: Optional[str] = None
        content = value
        if isinstance(value, tuple):
            filename, content = value[0], value[1]
            content_type = value[2] if len(value) == 3 else None
            if isinstance(content, str):
                content = content.encode("utf-8")
        self.data: Optional[bytes] = None
        self.path: Optional[str] = None
        self.stream: Any = None
        self.start = 0
        self.size: Optional[int] = None
        if _is_bytes(content):
            self.data = bytes(content)
            self.size = len(self.data)
        elif isinstance(content, os.PathLike):
            self.path = os.fspath(content)
            self.size = os.stat(self.path).st_size
            if filename is None:
                filename = os.path.basename(self.path)
        elif _is_stream(content):
            self.stream = content
            if filename is None:
                name = getattr(content, "name", None)
                if isinstance(name, str) and name and not name.startswith("<"):
                    filename = os.path.basename(name)
            if _seekable(content):
                self.start = content.tell()
                end = content.seek(0, io.SEEK_END)
                content.seek(self.start)
                self.size = end - self.start
        else:
            raise TypeError(f"file content must be bytes, str, a path or a binary file object, "
                            f"not {type(content).__name__}")
        self.filename = DEFAULT_FILENAME if filename is None else filename
        self.content_type = content_type

    @property
    def replayable(self) -> bool:
        return self.stream is None or _seekable(self.stream)

    def chunks(self) -> Iterator[bytes]:
        if self.data is not None:
            yield self.data
        elif self.path is not None:
            with open(self.path, "rb") as fh:
                while True:
                    block = fh.read(CHUNK_SIZE)
                    if not block:
                        break
                    yield block
        else:
            if _seekable(self.stream):
                self.stream.seek(self.start)
            while True:
                block = self.stream.read(CHUNK_SIZE)
                if not block:
                    break
                if isinstance(block, str):
                    raise TypeError(f"file {self.filename!r} is open in text mode; open it with 'rb'")
                yield block

    def __repr__(self) -> str:
        size = f"{self.size} bytes" if self.size is not None else "unknown size"
        return f"<file {self.filename!r} {self.content_type} {size}>"


class _Part:
    __slots__ = ("name", "head", "text", "file")

    def __init__(self, name: str, head: bytes, text: Optional[bytes] = None, file: Optional[_File] = None):
        self.name = name
        self.head = head
        self.text = text
        self.file = file

    @property
    def size(self) -> Optional[int]:
        body = len(self.text) if self.text is not None else self.file.size  # type: ignore[union-attr]
        return None if body is None else len(self.head) + body + 2


class MultipartBody:
    """A ``multipart/form-data`` body that is produced while it is sent.

    Iterating yields the encoded body block by block; files are read only
    then.  Iterating again starts over (files given as paths are reopened,
    seekable file objects rewound), which is what lets a failed request be
    retried.  ``len()`` is the exact byte length, so the request carries a
    ``Content-Length`` instead of chunked transfer encoding; when a part comes
    from a stream of unknown size, :func:`encode_multipart` hands out a plain
    generator instead, and the body goes out chunked.
    """

    def __init__(self, parts: List[_Part], boundary: str):
        self.parts = parts
        self.boundary = boundary
        self.content_type = f"multipart/form-data; boundary={boundary}"

    def __iter__(self) -> Iterator[bytes]:
        for part in self.parts:
            if part.text is not None:
                yield part.head + part.text + b"\r\n"
            else:
                yield part.head
                yield from part.file.chunks()  # type: ignore[union-attr]
                yield b"\r\n"
        yield f"--{self.boundary}--\r\n".encode("ascii")

    @property
    def size(self) -> Optional[int]:
        total = len(self.boundary) + 6
        for part in self.parts:
            n = part.size
            if n is None:
                return None
            total += n
        return total

    @property
    def replayable(self) -> bool:
        return all(p.file is None or p.file.replayable for p in self.parts)

    def __len__(self) -> int:
        size = self.size
        if size is None:  # pragma: no cover - encode_multipart never hands these out
            raise TypeError("the size of this multipart body is not known in advance")
        return size

    def to_bytes(self) -> bytes:
        """The whole body at once (reads every file; for tests and ``--dry-run``)."""
        return b"".join(self)

    def __repr__(self) -> str:
        fields = []
        for p in self.parts:
            if p.file is not None:
                fields.append(f"{p.name}={p.file!r}")
            else:
                text = p.text.decode("utf-8", "replace")  # type: ignore[union-attr]
                fields.append(f"{p.name}={text if len(text) < 60 else text[:57] + '...'!r}")
        return f"<multipart/form-data: {', '.join(fields)}>"


# ----------------------------------------------------------- validation
def _placeholder(value: Any) -> Any:
    if is_file(value):
        return _FILE_PLACEHOLDER
    if isinstance(value, list):
        return [_placeholder(v) for v in value]
    return value


def file_problems(value: Any, location: str) -> List[ValidationProblem]:
    """A path that is not a file, or a file object open in text mode."""
    content = value[1] if isinstance(value, tuple) and is_file(value) else value
    if isinstance(content, os.PathLike) and not os.path.isfile(content):
        return [ValidationProblem(location, f"no such file: {os.fspath(content)}")]
    if isinstance(content, io.TextIOBase):
        return [ValidationProblem(location, "the file is open in text mode; open it with 'rb'")]
    return []


def _nested_files(value: Any, location: str) -> List[ValidationProblem]:
    """Files deeper than a field or an item of a field's array cannot be sent."""
    problems: List[ValidationProblem] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if is_file(v):
                problems.append(ValidationProblem(f"{location}.{k}", "a file can only be a field of the "
                                                  "form or an item of a field's list, not inside an object"))
            else:
                problems.extend(_nested_files(v, f"{location}.{k}"))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            if isinstance(v, (dict, list)):
                problems.extend(_nested_files(v, f"{location}[{i}]"))
    return problems


def validate_multipart(checker, media, body: Any) -> List[ValidationProblem]:
    """Problems with a multipart ``body`` (empty when it is fine): the body
    must be a mapping; files stand in as strings for the schema check, so
    required files and every non-file field are checked."""
    if not isinstance(body, Mapping):
        return [ValidationProblem("body", f"a multipart/form-data body must be a dict of fields, "
                                          f"not {type(body).__name__}")]
    problems: List[ValidationProblem] = []
    shadow: Dict[str, Any] = {}
    for name, value in body.items():
        if not isinstance(name, str):
            problems.append(ValidationProblem(f"body[{name!r}]", "field names must be strings"))
            continue
        if value is None:
            continue  # left out, like any None argument
        if isinstance(value, tuple) and is_file(value):
            content = value[1]
            if not (isinstance(content, str) or _is_bytes(content) or isinstance(content, os.PathLike)
                    or _is_stream(content)):
                problems.append(ValidationProblem(f"body.{name}", "a (filename, content[, content_type]) tuple "
                                                  "needs bytes, str, a path or a binary file as content"))
        for i, item in enumerate(value if isinstance(value, list) else [value]):
            where = f"body.{name}[{i}]" if isinstance(value, list) else f"body.{name}"
            problems.extend(file_problems(item, where))
        problems.extend(_nested_files(value, f"body.{name}"))
        shadow[name] = _placeholder(value)
    if not problems:
        problems.extend(checker.check_body(media, shadow))
    return problems


# ------------------------------------------------------------- encoding
def _scalar_text(value: Any) -> str:
    """A scalar as a text part: the same rule as parameters (``true``/
    ``false``, numbers as written, dates in ISO 8601)."""
    from .serialize import _text

    return _text(value)


def _quote_header(text: str) -> str:
    """Field and file names in Content-Disposition, escaped as browsers do
    (the HTML form encoding: ``"`` CR LF become %22 %0D %0A)."""
    return text.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _concrete(content_type: Optional[str]) -> Optional[str]:
    """The first specific media type of an Encoding Object ``contentType``
    (a comma-separated list that may hold wildcards such as ``image/*``)."""
    if not content_type:
        return None
    for item in content_type.split(","):
        item = item.strip()
        if item and "*" not in item:
            return item
    return None


def _file_content_type(file: _File, declared: Optional[str], schema: Dict[str, Any]) -> str:
    """An explicit tuple type wins; then the type guessed from the file name
    when the spec's ``contentType`` list allows it (``image/png, image/jpeg``
    and ``photo.jpg`` give ``image/jpeg``); then the first specific type the
    spec lists, or the schema's ``contentMediaType``; then the guess; then
    ``application/octet-stream``, the spec's default for binary."""
    if file.content_type:
        return file.content_type
    guessed = mimetypes.guess_type(file.filename)[0] if file.filename else None
    if declared and guessed and any(media_matches(p, guessed) for p in declared.split(",")):
        return guessed
    for candidate in (_concrete(declared), _concrete(schema.get("contentMediaType"))):
        if candidate:
            return candidate
    return guessed or "application/octet-stream"


def _schema_of(node: Any) -> Dict[str, Any]:
    """A property schema as far as it is inline (a ``$ref`` counts as unknown:
    the schema is only consulted for ``contentMediaType``)."""
    return node if isinstance(node, dict) and "$ref" not in node else {}


def encode_multipart(media, body: Mapping[str, Any], brackets: bool = False) -> Tuple[Any, str, bool]:
    """``(data, content type header, replayable)`` for a multipart ``body``.

    Per field (``None`` values are left out):

    * files become file parts with a ``filename`` and a ``Content-Type``;
    * an Encoding Object with ``style``/``explode``/``allowReserved`` expands
      the value like a query parameter (so ``deepObject`` gives
      ``meta[a]``, ``meta[b]`` parts), without percent-encoding;
    * otherwise its ``contentType`` applies, or the spec's default: objects
      are JSON parts (``Content-Type: application/json``), arrays repeat the
      field name once per item, scalars are text (``true``/``false`` for
      booleans) sent without a Content-Type, which means ``text/plain``.

    With ``brackets`` (a vendor profile's ``arrays.multipart: brackets``) a
    field without an Encoding Object is flattened the way the OpenAI SDK's
    form encoder does it: a list as ``name[]`` parts (files included), an
    object as ``name[key]`` parts, recursively (``name[key][]``); a name
    that already ends in ``[]`` gets no second pair.

    ``data`` is a :class:`MultipartBody` when its length is known, else a
    generator (sent with chunked transfer encoding).  ``replayable`` is false
    when a file is a stream that cannot be rewound.
    """
    encoding = getattr(media, "encoding", None) or {}
    schema = getattr(media, "schema", None) or {}
    properties = schema.get("properties") or {}
    boundary = "openapi-dyn-" + secrets.token_hex(16)
    parts: List[_Part] = []

    def add_text(name: str, text: str, content_type: Optional[str] = None) -> None:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{_quote_header(name)}"\r\n'
        if content_type:
            head += f"Content-Type: {content_type}\r\n"
        parts.append(_Part(name, (head + "\r\n").encode("utf-8"), text=text.encode("utf-8")))

    def add_file(name: str, value: Any, declared: Optional[str], prop: Dict[str, Any]) -> None:
        file = _File(value)
        file.content_type = _file_content_type(file, declared, prop)
        head = (f'--{boundary}\r\nContent-Disposition: form-data; name="{_quote_header(name)}"; '
                f'filename="{_quote_header(file.filename)}"\r\nContent-Type: {file.content_type}\r\n\r\n')
        parts.append(_Part(name, head.encode("utf-8"), file=file))

    def add_value(name: str, value: Any, declared: Optional[str], prop: Dict[str, Any]) -> None:
        if is_file(value):
            add_file(name, value, declared, prop)
            return
        text_type = _concrete(declared)
        if text_type and is_json(text_type) or isinstance(value, (dict, list, tuple)):
            add_text(name, json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_scalar_text),
                     text_type or "application/json")
        else:  # text/plain is the default: said only when the spec says it
            add_text(name, _scalar_text(value), text_type)

    def flatten(name: str, value: Any, prop: Dict[str, Any]) -> None:
        if value is None:
            return
        if isinstance(value, dict):
            for key, item in value.items():
                flatten(f"{name}[{key}]", item, {})
        elif isinstance(value, list):
            item_name = name if name.endswith("[]") else name + "[]"
            item_prop = _schema_of(prop.get("items"))
            for item in value:
                flatten(item_name, item, item_prop)
        elif is_file(value):
            add_file(name, value, None, prop)
        else:
            add_text(name, _scalar_text(value))

    for name, value in body.items():
        if value is None:
            continue
        enc = encoding.get(name) or {}
        prop = _schema_of(properties.get(name))
        if any(k in enc for k in ("style", "explode", "allowReserved")) and not is_file(value):
            from .serialize import query_param

            for qname, qvalue in query_param(name, value, enc.get("style", "form"), enc.get("explode"), False):
                add_text(unquote(qname), unquote(qvalue))
            continue
        declared = enc.get("contentType") or None
        if brackets and not declared and isinstance(value, (list, dict)):
            flatten(name, value, prop)
            continue
        if isinstance(value, list):
            item_prop = _schema_of(prop.get("items"))
            for item in value:
                if item is not None:
                    add_value(name, item, declared, item_prop)
        else:
            add_value(name, value, declared, prop)

    multipart = MultipartBody(parts, boundary)
    data: Any = multipart if multipart.size is not None else iter(multipart)
    return data, multipart.content_type, multipart.replayable
