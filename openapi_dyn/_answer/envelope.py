"""What an answer says about itself apart from its data: the request id the
server gave, and the fields of a vendor's error envelope (``message``,
``type``, ``code``, ``param``).  Read by error answers
(:mod:`.response`), error events of a stream (:mod:`.streams`) and batch
results alike, so it sits below all of them."""
from __future__ import annotations

from typing import Any, Dict, Mapping, Optional


def request_id_of(headers: Mapping[str, str], profile: Any = None) -> Optional[str]:
    """The request id the server sent, from the headers the profile names
    (``x-request-id``, Anthropic's ``request-id``, Azure's
    ``apim-request-id``)."""
    names = getattr(profile, "request_id_headers", None) or ("x-request-id", "request-id")
    for name in names:
        value = headers.get(name)
        if value:
            return value
    return None


#: Where error bodies keep their fields when no profile says otherwise: the
#: ``{"error": {...}}`` envelope most JSON APIs use, then top-level fields.
GENERIC_ERROR_FIELDS = {
    "message": ("error.message", "message", "detail", "error_description", "title", "error"),
    "type": ("error.type", "type"),
    "code": ("error.code", "code"),
    "param": ("error.param", "param"),
    "details": ("error.details",),
}


def _dig(body: Any, path: str) -> Any:
    node = body
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def error_fields(body: Any, ctype: str = "", profile: Any = None,
                 headers: Optional[Mapping[str, str]] = None) -> Dict[str, Any]:
    """``message``, ``type``, ``code``, ``param`` and ``details`` of an error
    body: from the paths the profile's ``errors`` section lists, then the
    generic ones (``details`` is kept as it is: Google's list of typed
    detail objects);
    an RFC 9457 problem document (``application/problem+json``) gives
    ``detail`` (or ``title``) as the message and its ``type`` URI as the
    type.  A text body is its own message (shortened).  A field the body
    does not give is then read from the answer's ``headers`` the profile's
    ``errors.headers`` names (see :func:`_from_headers`)."""
    out = _from_body(body, ctype, profile)
    named = getattr(profile, "error_header_fields", None) or {}
    if headers is not None and named:
        for key, value in _from_headers(headers, named).items():
            if out.get(key) in (None, ""):
                out[key] = value
    return out


def _from_headers(headers: Mapping[str, str], named: Mapping[str, Any]) -> Dict[str, Any]:
    """The error fields the headers ``named`` lists carry.  AWS services send
    the error type as ``x-amzn-ErrorType: ValidationException:http://...``;
    as botocore does, a type or code is cut at its first colon, since the
    rest is a namespace, not part of the name."""
    out: Dict[str, Any] = {}
    for key, names in named.items():
        for name in names or ():
            value = (headers.get(name) or "").strip()
            if key in ("type", "code"):
                value = value.split(":", 1)[0].strip()
            if value:
                out[key] = value[:500]
                break
    return out


def _from_body(body: Any, ctype: str, profile: Any) -> Dict[str, Any]:
    out: Dict[str, Any] = {"message": None, "type": None, "code": None, "param": None, "details": None}
    if isinstance(body, str):
        out["message"] = body.strip()[:500] or None
        return out
    if not isinstance(body, Mapping):
        return out
    if ctype == "application/problem+json":
        detail = body.get("detail") if isinstance(body.get("detail"), str) else None
        title = body.get("title") if isinstance(body.get("title"), str) else None
        out["message"] = detail or title
        out["type"] = body.get("type") if isinstance(body.get("type"), str) else None
        return out
    given = getattr(profile, "error_fields", None) or {}
    for key, generic in GENERIC_ERROR_FIELDS.items():
        for path in tuple(given.get(key) or ()) + generic:
            value = _dig(body, path)
            if key == "message" and isinstance(value, Mapping):
                continue
            if key == "details":
                if isinstance(value, (list, Mapping)) and value:
                    out[key] = value
                    break
                continue
            if isinstance(value, (str, int, float)) and not isinstance(value, bool) and value != "":
                out[key] = value
                break
    return out
