"""Parameter and form-body serialization as the OpenAPI 3.0/3.1 spec defines it.

The ``style``/``explode``/``allowReserved`` fields of a Parameter or Encoding
Object are shorthand for RFC 6570 URI-template expansion (spec Appendix C), so
the functions below follow RFC 6570 section 3.2 and reproduce the spec's
"Style Examples" table exactly.  Everything here is pure and cheap because it
runs for every parameter of every call.

Rules shared by all functions:

* Scalars become text as JSON would write them: ``True`` -> ``true``, ``3`` ->
  ``3``, ``1.0`` -> ``1.0``; dates and times use ``isoformat()``; ``bytes`` are
  refused (Appendix B leaves binary-to-text to the caller, e.g. base64).
* ``None`` inside an array or object is skipped.  A value that RFC 6570 calls
  undefined (``None``, an empty list or dict, or one holding only ``None``)
  produces nothing: ``""`` or ``[]``.  The caller omits such parameters; the
  spec table's "undefined" column is what the empty string ``""`` produces.
* Arrays or objects nested inside an array/object value have no defined style
  serialization; they are written as compact JSON (``deepObject`` excepted).
* Combinations the spec table marks *n/a* fall back to the nearest defined
  behaviour instead of failing: a scalar with ``spaceDelimited``,
  ``pipeDelimited`` or ``deepObject`` is ``name=value``; those styles with
  ``explode=true`` (and ``deepObject`` with a non-object) act as exploded
  ``form``; ``deepObject`` ignores ``explode``.
* Percent-encoding leaves only RFC 3986 unreserved characters (``A-Z a-z 0-9
  - . _ ~``) alone unless a function says otherwise.
"""
from __future__ import annotations

import datetime as _dt
import json
import re
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import quote, quote_plus

from ._operation import is_json

__all__ = ["path_param", "query_param", "header_param", "cookie_param", "form_urlencoded"]

Pairs = List[Tuple[str, str]]

# With allowReserved, RFC 6570 reserved expansion would keep all of
# :/?#[]@!$&'()*+,;= and existing %XX triples.  The spec still makes the
# application encode what the query string cannot carry ([ ] #) or what
# form-urlencoded parsers treat specially (& = +).  ";" is encoded as well:
# some parsers split pairs on it (HTML 4, older Python) and Go rejects it.
_RESERVED_KEPT = ":/?@!$'()*,"
_PCT_TRIPLE = re.compile(r"(%[0-9A-Fa-f]{2})")
_HEADER_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # HTAB is legal

_PRIM, _LIST, _DICT = 1, 2, 3


# ------------------------------------------------------------------ helpers
def _text(v: Any) -> str:
    """One scalar as text; containers nested where no style reaches become JSON."""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, (_dt.date, _dt.time)):
        return v.isoformat()
    if isinstance(v, (dict, list, tuple)):
        return _json(v)
    if isinstance(v, (bytes, bytearray)):
        raise TypeError("cannot serialize bytes as a parameter; encode them as text first (e.g. base64)")
    return str(v)


def _json(v: Any) -> str:
    """Compact JSON, as the spec's form-body example assumes.  JSON can say
    ``null``, so nulls are kept here rather than skipped."""
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False, default=_text)


def _classify(value: Any) -> Tuple[Optional[int], Any]:
    """Sort a value into scalar / list / object with ``None`` members dropped;
    ``(None, None)`` when RFC 6570 would call it undefined."""
    if value is None:
        return None, None
    if isinstance(value, dict):
        pairs = [(_text(k), v) for k, v in value.items() if v is not None]
        return (_DICT, pairs) if pairs else (None, None)
    if isinstance(value, (list, tuple)):
        items = [v for v in value if v is not None]
        return (_LIST, items) if items else (None, None)
    return _PRIM, value


def _pct(s: str) -> str:
    """RFC 6570 simple expansion: everything but unreserved is encoded."""
    return quote(s, safe="")


def _pct_path(s: str) -> str:
    """Path values: like :func:`_pct`, but ``:`` and ``@`` stay literal.  Both
    are allowed in a path segment (RFC 3986 ``pchar``), cannot end or split one,
    and real identifiers carry them (``ft:gpt-4o:org:abc``, ``user@example.com``);
    servers and the vendors' own SDKs send them as they are."""
    return quote(s, safe=":@")


def _pct_reserved(s: str) -> str:
    """RFC 6570 reserved expansion (allowReserved), minus the characters listed
    at ``_RESERVED_KEPT``.  Existing ``%XX`` triples pass through so callers can
    pre-encode a delimiter (the spec's ``x%2By`` example); a lone ``%`` is
    still encoded."""
    if "%" not in s:
        return quote(s, safe=_RESERVED_KEPT)
    parts = _PCT_TRIPLE.split(s)  # odd indexes are the triples
    return "".join(p if i % 2 else quote(p, safe=_RESERVED_KEPT) for i, p in enumerate(parts))


def _same(s: str) -> str:
    return s


def _expand(name: str, kind: int, data: Any, explode: bool, enc: Callable[[str], str],
            first: str, sep: str, named: bool) -> str:
    """One variable through an RFC 6570 operator (simple "", label ".",
    matrix ";").  Only matrix is *named*; its ``ifemp`` is "" so an empty
    value is written as the bare name (``;color``)."""
    def nv(n: str, v: str) -> str:
        return f"{n}={v}" if v else n

    if kind == _PRIM:
        v = enc(_text(data))
        return first + (nv(name, v) if named else v)
    if kind == _LIST:
        vals = [enc(_text(i)) for i in data]
        if explode:
            return first + sep.join([nv(name, v) for v in vals] if named else vals)
        joined = ",".join(vals)
    else:
        pairs = [(enc(k), enc(_text(v))) for k, v in data]
        if explode:
            return first + sep.join(nv(k, v) if named else f"{k}={v}" for k, v in pairs)
        joined = ",".join(f"{k},{v}" for k, v in pairs)
    return first + (nv(name, joined) if named else joined)


def _form_pairs(name: str, kind: int, data: Any, explode: bool,
                enc: Callable[[str], str], delim: str) -> Pairs:
    """form / spaceDelimited / pipeDelimited as (name, value) pairs; ``delim``
    joins non-exploded members.  Exploded objects use their keys as names."""
    if kind == _PRIM:
        return [(name, enc(_text(data)))]
    if kind == _LIST:
        vals = [enc(_text(i)) for i in data]
        return [(name, v) for v in vals] if explode else [(name, delim.join(vals))]
    pairs = [(enc(k), enc(_text(v))) for k, v in data]
    if explode:
        return pairs
    return [(name, delim.join(f"{k}{delim}{v}" for k, v in pairs))]


def _deep_pairs(prefix: str, value: Any, enc: Callable[[str], str], out: Pairs) -> Pairs:
    """deepObject: ``name[key]=v``, recursing as ``name[a][b]=v``.  Arrays of
    scalars become ``name[key][]=v`` repeated (read as a list by PHP, Rails,
    Node's qs and Stripe-style APIs); arrays holding objects or arrays get
    explicit indexes, ``name[key][0][a]=v``.  The brackets are percent-encoded
    as in the spec's table (``color%5BR%5D=100``)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if v is not None:
                _deep_pairs(f"{prefix}%5B{enc(_text(k))}%5D", v, enc, out)
    elif isinstance(value, (list, tuple)):
        items = [v for v in value if v is not None]
        if any(isinstance(v, (dict, list, tuple)) for v in items):
            for i, v in enumerate(items):
                _deep_pairs(f"{prefix}%5B{i}%5D", v, enc, out)
        else:
            out.extend((prefix + "%5B%5D", enc(_text(v))) for v in items)
    else:
        out.append((prefix, enc(_text(value))))
    return out


def _query_name(name: str) -> str:
    """Names are encoded like values, except that ``[`` and ``]`` stay literal
    so names such as ``include[]`` read as the API documents them."""
    return quote(name, safe="[]")


# ------------------------------------------------------------------ public
def path_param(name: str, value: Any, style: str = "simple", explode: bool = False,
               allow_reserved: bool = False) -> str:
    """The text that replaces ``{name}`` in a path template.

    Styles ``simple``, ``label`` and ``matrix``.  Values are encoded (all but
    unreserved characters, ``:`` and ``@``), so ``/ ? #`` and ``%`` can never
    alter the path.  A result that is exactly
    ``.`` or ``..`` would be a dot-segment that URL normalisation removes
    (``/files/{id}`` with ``..`` reaching ``/``), so its dots become ``%2E``.
    That guarantee covers an expression that fills a whole path segment.

    ``allow_reserved`` is RFC 6570's reserved expansion (``{+name}``), for a
    value that is itself a path (``models/gemini-2.0-flash``): ``/`` is kept,
    as are the characters :func:`_pct_reserved` keeps, but ``?`` and ``#``
    are still encoded (they would end the path) and a ``.`` or ``..``
    segment has its dots encoded, so a value cannot climb out of its place.
    """
    if style == "simple":
        first, sep, named = "", ",", False
    elif style == "label":
        first, sep, named = ".", ".", False
    elif style == "matrix":
        first, sep, named = ";", ";", True
    else:
        raise ValueError(f"style {style!r} is not defined for path parameters")
    kind, data = _classify(value)
    if kind is None:
        return ""
    if allow_reserved and style == "simple":
        out = _expand(_pct(name), kind, data, explode, _pct_reserved_path, first, sep, named)
        return "/".join(seg.replace(".", "%2E") if seg in (".", "..") else seg for seg in out.split("/"))
    out = _expand(_pct(name), kind, data, explode, _pct_path, first, sep, named)
    if out == "." or out == "..":
        out = out.replace(".", "%2E")
    return out


def _pct_reserved_path(s: str) -> str:
    """Reserved expansion inside a path: ``/`` kept, ``?`` and ``#`` encoded."""
    return _pct_reserved(s).replace("?", "%3F").replace("#", "%23")


def query_param(name: str, value: Any, style: str = "form", explode: Optional[bool] = None,
                allow_reserved: bool = False) -> Pairs:
    """Encoded ``(name, value)`` pairs; the caller joins them as ``k=v`` with ``&``.

    Styles ``form``, ``spaceDelimited`` (members joined by ``%20``),
    ``pipeDelimited`` (``%7C``) and ``deepObject`` (see ``_deep_pairs``).
    ``explode=None`` means the spec default: true for ``form``, false otherwise.
    ``allow_reserved`` keeps ``:/?@!$'()*,`` and ``%XX`` triples as they are,
    but ``& = + # [ ] ;`` and spaces are always encoded, because inside a value
    they would split or corrupt the query.
    """
    if explode is None:
        explode = style == "form"
    kind, data = _classify(value)
    if kind is None:
        return []
    enc = _pct_reserved if allow_reserved else _pct
    qname = _query_name(name)
    if style == "deepObject":
        if kind == _DICT:
            return _deep_pairs(qname, value, enc, [])
        return _form_pairs(qname, kind, data, True, enc, ",")
    if style == "form":
        delim = ","
    elif style == "spaceDelimited":
        delim = "%20"
    elif style == "pipeDelimited":
        delim = "%7C"
    else:
        raise ValueError(f"style {style!r} is not defined for query parameters")
    return _form_pairs(qname, kind, data, explode, enc, delim)


def header_param(name: str, value: Any, style: str = "simple", explode: bool = False) -> str:
    """The header value (without the header name), style ``simple``.

    The spec forbids percent-encoding header values and leaves quoting to the
    caller, so text passes through unchanged, non-ASCII included.  A CR or LF
    would let a value start a new header (header injection), so it is refused
    with ``ValueError``, as are other control characters (HTAB is allowed).
    """
    if style != "simple":
        raise ValueError(f"style {style!r} is not defined for header parameters")
    kind, data = _classify(value)
    if kind is None:
        return ""
    out = _expand(name, kind, data, explode, _same, "", ",", False)
    if "\r" in out or "\n" in out:
        raise ValueError(f"header value contains a line break (header {name!r})")
    bad = _HEADER_CONTROL.search(out)
    if bad:
        raise ValueError(f"header value contains control character U+{ord(bad.group()):04X} (header {name!r})")
    return out


def cookie_param(name: str, value: Any, style: str = "form", explode: bool = True) -> str:
    """The ``name=value`` fragment(s) for a ``Cookie`` header, style ``form``.

    Names and values are percent-encoded as for ``form``, which also keeps out
    the ``;``, ``,``, space and quote characters a cookie cannot hold.  Exploded
    arrays/objects give several cookies joined by ``"; "``, because Appendix D
    notes that form's ``&`` is never right in a Cookie header.
    """
    if style != "form":
        raise ValueError(f"style {style!r} is not defined for cookie parameters")
    kind, data = _classify(value)
    if kind is None:
        return ""
    pairs = _form_pairs(_pct(name), kind, data, explode, _pct, ",")
    return "; ".join(f"{k}={v}" for k, v in pairs)


def form_urlencoded(body: Optional[Dict[str, Any]], encoding: Optional[Dict[str, Any]] = None) -> str:
    """An ``application/x-www-form-urlencoded`` body, per the Encoding Object.

    A property whose encoding sets any of ``style``, ``explode`` or
    ``allowReserved`` is serialized like a query parameter with those fields
    (missing ones take their defaults: form, explode true).  Otherwise its
    ``contentType`` decides (spec 3.1 and 3.0.4 agree): a JSON media type
    JSON-encodes the whole value; with no contentType the defaults apply,
    i.e. scalars as text, objects as JSON, arrays as one repeated key per item
    (``StatusCallbackEvent=a&StatusCallbackEvent=b``), object items as JSON.
    This content-based path uses RFC 1866 encoding (space as ``+``), matching
    the spec's example.  ``None`` properties are left out.
    """
    if not body:
        return ""
    encoding = encoding or {}
    pairs: Pairs = []
    for name, value in body.items():
        if value is None:
            continue
        enc = encoding.get(name) or {}
        if "style" in enc or "explode" in enc or "allowReserved" in enc:
            style = enc.get("style", "form")
            pairs += query_param(name, value, style, enc.get("explode"),
                                 bool(enc.get("allowReserved", False)))
            continue
        qname = quote_plus(name, safe="[]")
        content_type = enc.get("contentType")
        if content_type and is_json(content_type.split(",")[0]):
            pairs.append((qname, quote_plus(_json(value), safe="")))
        elif isinstance(value, (list, tuple)):
            pairs += [(qname, quote_plus(_text(v), safe="")) for v in value if v is not None]
        else:
            pairs.append((qname, quote_plus(_text(value), safe="")))
    return "&".join(f"{k}={v}" for k, v in pairs)
