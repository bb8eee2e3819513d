"""curl commands -> call arguments.

The OpenAI spec documents each operation with ``curl`` examples
(``x-oaiMeta``); the reference shows them as Python calls.  This module reads
such a command (words, ``-d``/``-F``/``-X``, its URL) and turns it into the
``(parameters, body)`` of a call of one operation, typing each value by its
schema.  It knows nothing of how examples are checked or shown.
"""
from __future__ import annotations

import json
import re
import shlex
from typing import Any, Dict, List, NamedTuple, Optional, Tuple
from urllib.parse import parse_qsl, urlsplit

from ._doc import _NO_DEFAULT


def _curl_words(curl: str) -> Optional[List[str]]:
    text = curl.replace("\\\r\n", " ").replace("\\\n", " ")
    try:
        return shlex.split(text)
    except ValueError:
        return None


class CurlField(NamedTuple):
    """One ``-F`` of a curl command: ``kind`` is ``"text"`` (``name=value``),
    ``"file"`` (``name=@path``: a file part) or ``"content"`` (``name=<path``:
    a text part read from a file); ``content_type`` is its ``;type=``."""

    name: str
    kind: str
    value: str
    content_type: Optional[str] = None


class CurlRequest(NamedTuple):
    """What a curl command sends: ``method`` (``-X``, else None), ``url``,
    ``data`` (``-d``, else None) and ``form`` (the ``-F`` fields, in order)."""

    method: Optional[str]
    url: str
    data: Optional[str]
    form: List[CurlField]


_WITH_ARGUMENT = ("-H", "--header", "-u", "--user", "-o", "--output", "-D", "--dump-header",
                  "-A", "--user-agent", "-e", "--referer", "-m", "--max-time")


def curl_request(curl: str) -> Optional[CurlRequest]:
    """The request a documented ``curl ...`` command makes, or None when the
    text is not a curl command shlex can read (unbalanced quotes)."""
    words = _curl_words(curl)
    if not words or words[0] != "curl":
        return None
    url = method = data = None
    form: List[CurlField] = []
    i = 1
    while i < len(words):
        w = words[i]
        arg = words[i + 1] if i + 1 < len(words) else None
        if w in ("-d", "--data", "--data-raw", "--data-binary", "--json"):
            if arg is None:
                return None
            data = arg
            i += 2
        elif w in ("-F", "--form"):
            if arg is None or "=" not in arg:
                return None
            form.append(_curl_field(arg))
            i += 2
        elif w in ("-X", "--request"):
            method = (arg or "").upper() or None
            i += 2
        elif w in _WITH_ARGUMENT:
            i += 2
        else:
            if url is None and (w.startswith("http://") or w.startswith("https://")):
                url = w
            i += 1
    if url is None:
        return None
    return CurlRequest(method, url, data, form)


def _curl_field(arg: str) -> CurlField:
    """``name=value``, ``name=@path;type=t`` or ``name=<path``, as curl reads
    a ``-F`` argument (only the ``;type=``/``;filename=`` suffixes are curl's:
    other semicolons belong to the value, as in ``data:audio/wav;base64,...``)."""
    name, value = arg.split("=", 1)
    kind = "text"
    if value.startswith("@"):
        kind, value = "file", value[1:]
    elif value.startswith("<"):
        kind, value = "content", value[1:]
    content_type = None
    filename = None
    while True:
        m = re.search(r";(type|filename)=([^;]*)$", value)
        if m is None:
            break
        if m.group(1) == "type":
            content_type = m.group(2)
        else:
            filename = m.group(2)
        value = value[:m.start()]
    if kind == "file" and filename:
        value = filename
    return CurlField(name, kind, value, content_type)


def example_from_curl(op, curl: str) -> Optional[Tuple[Dict[str, Any], Any]]:
    """(parameters, body) of a ``curl`` example: path and query parameters
    from its URL (typed per their schema), the body from ``-d`` JSON or from
    ``-F`` fields (a multipart body: files as ``(filename, b"")`` or
    ``(filename, b"", content_type)`` tuples, values typed per the body
    schema, ``name[]=`` items gathered in a list, ``name[key]=`` in an
    object).  A shell variable standing for a path segment (``$CALL_ID``)
    becomes its name.  None when the example cannot be read this way (not a
    curl command, another endpoint, a body that is not JSON)."""
    req = curl_request(curl)
    if req is None:
        return None
    parts = urlsplit(req.url)
    pattern = "".join(
        "(?P<p%d>[^/]+)" % n if k % 2 else re.escape(piece)
        for n, (k, piece) in enumerate(enumerate(re.split(r"{([^{}]+)}", op.path))))
    names = re.findall(r"{([^{}]+)}", op.path)
    m = re.search(pattern + "$", parts.path.rstrip("/") if op.path != "/" else parts.path)
    if m is None:
        return None
    by_loc = {(p.location, p.name): p for p in op.parameters}
    params: Dict[str, Any] = {}
    groups = [g for g in m.groups()]
    for name, value in zip(names, groups):
        if re.fullmatch(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?", value):
            value = value.strip("${}")  # a shell variable holding the value
        elif "$" in value:
            return None
        p = by_loc.get(("path", name))
        params[name] = _typed(p.schema if p else {}, value)
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        base, sub = _bracketed(key)
        p = by_loc.get(("query", key)) or by_loc.get(("query", base))
        if p is None:
            return None
        if p.name != key and sub:  # metadata[key]=value: an object parameter (deepObject)
            params.setdefault(p.name, {})[sub] = value
            continue
        typed = _typed(p.schema, value)
        if _schema_type(p.schema) == "array":
            params.setdefault(p.name, []).extend(typed)
        else:
            params[p.name] = typed
    body: Any = _NO_DEFAULT
    if req.data is not None and req.form:
        return None
    if req.data is not None and req.data.strip():
        try:
            body = json.loads(req.data)
        except ValueError:
            return None
    elif req.form:
        body = _form_body(op, req.form)
    return params, body


def _bracketed(key: str) -> Tuple[str, str]:
    """``name[sub]`` -> (``name``, ``sub``); ``name[]`` -> (``name``, ""); else (key, "")."""
    m = re.fullmatch(r"([^\[\]]+)\[([^\[\]]*)\]", key)
    return (m.group(1), m.group(2)) if m else (key, "")


def _schema_type(schema: Dict[str, Any]) -> Optional[str]:
    t = schema.get("type") if isinstance(schema, dict) else None
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), None)
    return t


def _form_body(op, form: List[CurlField]) -> Dict[str, Any]:
    """The ``body=`` a multipart call takes for curl's ``-F`` fields."""
    media = op.request_body.get("multipart/form-data") or next(iter(op.request_body.values()), None)
    props = (media.schema.get("properties") if media is not None else None) or {}
    resolve = op.spec.resolve
    body: Dict[str, Any] = {}
    for f in form:
        base, sub = _bracketed(f.name)
        name = base if base in props or f.name not in props else f.name
        schema = resolve(props.get(name)) if isinstance(props.get(name), dict) else {}
        if f.kind == "file":
            filename = f.value.replace("\\", "/").rsplit("/", 1)[-1]
            value: Any = (filename, b"", f.content_type) if f.content_type else (filename, b"")
        elif f.kind == "content":
            value = ""  # the text of a local file the example reads: unknown here
        elif f.content_type and "json" in f.content_type:
            try:
                value = json.loads(f.value)
            except ValueError:
                value = f.value
        else:
            if name != f.name and sub:
                item = (schema.get("properties") or {}).get(sub)
            else:
                item = _items_of(schema) if "array" in _types_of(schema) and name != f.name else schema
            value = _typed(resolve(item) if isinstance(item, dict) else {}, f.value)
        if name != f.name and sub:
            body.setdefault(name, {})[sub] = value
        elif name != f.name or (name in body and _schema_type(schema) == "array"):
            body.setdefault(name, [])
            if not isinstance(body[name], list):
                body[name] = [body[name]]
            body[name].append(value)
        else:
            body[name] = value
    return body


def _typed(schema: Dict[str, Any], value: str) -> Any:
    """A value written as text (in a URL or a form field) as the type its
    schema gives it; alternatives (``anyOf: [boolean, null]``) are tried in
    order, and text that fits none stays text."""
    types = _types_of(schema)
    if "string" in types:
        return value
    for t in types:
        try:
            if t == "integer":
                return int(value)
            if t == "number":
                return float(value) if "." in value else int(value)
            if t == "boolean" and value.lower() in ("true", "false"):
                return value.lower() == "true"
            if t == "array":
                items = _items_of(schema)
                return [_typed(items, v) for v in value.split(",")]
        except ValueError:
            continue
    return value


def _types_of(schema: Any) -> List[str]:
    """The non-null types a schema names, its own or its alternatives', in order."""
    if not isinstance(schema, dict):
        return []
    t = schema.get("type")
    if isinstance(t, str):
        return [t] if t != "null" else []
    if isinstance(t, list):
        return [x for x in t if x != "null"]
    out: List[str] = []
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key) or ():
            out += [x for x in _types_of(sub) if x not in out]
    return out


def _items_of(schema: Dict[str, Any]) -> Dict[str, Any]:
    if isinstance(schema.get("items"), dict):
        return schema["items"]
    for key in ("anyOf", "oneOf"):
        for sub in schema.get(key) or ():
            if isinstance(sub, dict) and isinstance(sub.get("items"), dict):
                return sub["items"]
    return {}

