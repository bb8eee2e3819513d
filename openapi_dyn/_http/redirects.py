"""Following redirects (RFC 9110, section 15.4), the same way in the
synchronous and the asynchronous client.

* 301, 302, 303, 307 and 308 with a ``Location`` are followed, up to
  :data:`MAX_REDIRECTS` hops; the location is resolved against the URL that
  answered.
* 303 turns any method but HEAD into GET without a body; 301 and 302 turn a
  POST into GET without a body (what every HTTP client does, and what the
  RFC allows); 307 and 308 keep the method and the body, and a body that can
  only be read once (a pipe, a generator) cannot be sent again, so such a
  redirect is refused with :class:`~openapi_dyn.RedirectError`.
* Credentials are bound to the origin the call was made to (the spec's
  server or ``base_url``).  Once a redirect leaves it (scheme, host or port
  differ, so an https to http downgrade counts) every credential is
  **dropped**, for that hop and all after it, whoever set it: a header
  :func:`is_credential` names (``Authorization``, ``Proxy-Authorization``,
  ``Cookie``, a header whose name says it holds a secret, a header carrying
  one of the request's secrets) and query parameters whose value is a
  secret.  The transports apply :func:`drop_credentials` once more to the
  request their library built, after it merged in a caller's session or
  http client headers, auth and cookies, so no source can leak.  Dropping,
  not refusing, is what makes storage redirects of downloads work (a file
  endpoint answering 302 with a signed URL on another host); the target
  origin never sees the key.
"""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, MutableMapping, NamedTuple, Optional, Tuple
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from .._call.redact import is_secret_header

REDIRECT_STATUSES = frozenset((301, 302, 303, 307, 308))
MAX_REDIRECTS = 20

_CREDENTIAL_HEADERS = ("authorization", "proxy-authorization", "cookie")
_BODY_HEADERS = ("content-type", "content-length", "transfer-encoding", "content-encoding")


class Hop(NamedTuple):
    """One redirect that was followed: the answer's ``status_code``, the
    ``url`` that gave it and the ``location`` it pointed to (credentials in
    either shown as ``****``)."""

    status_code: int
    url: str
    location: str


class NextRequest(NamedTuple):
    method: str
    url: str
    headers: Dict[str, str]
    keep_body: bool
    cross_origin: bool


def origin(url: str) -> Tuple[str, str, Optional[int]]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def is_credential(name: str, value: Any, secrets: List[str]) -> bool:
    """Whether the header ``name: value`` carries a credential: by its name
    (``Authorization``, ``Cookie``, ``*key*``, ``*token*``...; see
    :func:`~openapi_dyn._call.redact.is_secret_header`) or because it holds one
    of the request's ``secrets``."""
    if name.lower() in _CREDENTIAL_HEADERS or is_secret_header(name):
        return True
    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return any(s and s in text for s in secrets)


def drop_credentials(headers: MutableMapping[Any, Any], secrets: List[str]) -> None:
    """Remove every header of ``headers`` (a library's mapping, names str or
    bytes) that :func:`is_credential` names."""
    for key in [k for k in list(headers.keys())
                if is_credential(k.decode("latin-1") if isinstance(k, bytes) else k, headers[k], secrets)]:
        del headers[key]


def is_redirect(status: int, headers: Mapping[str, str]) -> bool:
    return status in REDIRECT_STATUSES and bool(headers.get("Location") or headers.get("location"))


def next_request(status: int, location: str, method: str, url: str, headers: Mapping[str, str],
                 secrets: List[str], has_body: bool, replayable: bool, operation_id: str = "") -> NextRequest:
    """The request to send after a redirect answer, or
    :class:`~openapi_dyn.RedirectError` when it cannot be followed."""
    from .._errors import RedirectError

    target = urljoin(url, location.strip())
    if not target.startswith(("http://", "https://")):
        raise RedirectError(f"{operation_id}: redirected ({status}) to {_strip(target)!r}, which is not an "
                            f"http(s) URL")
    try:
        urlsplit(target).port
    except ValueError:
        raise RedirectError(f"{operation_id}: redirected ({status}) to {_strip(target)!r}, whose port is not "
                            f"a port number") from None
    new_method = method
    keep_body = has_body
    if status == 303 and method != "HEAD":
        new_method, keep_body = "GET", False
    elif status in (301, 302) and method == "POST":
        new_method, keep_body = "GET", False
    if keep_body and not replayable:
        raise RedirectError(f"{operation_id}: redirected ({status}) to {_strip(target)}, but the request body "
                            f"is a one-shot stream that cannot be sent again; pass bytes, a path or a "
                            f"seekable file")
    out = dict(headers)
    if not keep_body:
        for key in [k for k in out if k.lower() in _BODY_HEADERS]:
            del out[key]
    cross = origin(target) != origin(url)
    if cross:
        drop_credentials(out, secrets)
        target = _without_secret_query(target, secrets)
    for key in [k for k in out if k.lower() == "host"]:
        del out[key]
    return NextRequest(new_method, target, out, keep_body, cross)


def _without_secret_query(url: str, secrets: List[str]) -> str:
    parts = urlsplit(url)
    if not parts.query or not any(s and s in parts.query for s in secrets):
        return url
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if v not in secrets]
    return urlunsplit(parts._replace(query=urlencode(pairs)))


def _strip(url: str) -> str:
    return url.split("?", 1)[0]


def too_many(operation_id: str, hops: List[Any]) -> Exception:
    from .._errors import RedirectError

    return RedirectError(f"{operation_id}: more than {MAX_REDIRECTS} redirects (last to "
                         f"{_strip(hops[-1].location) if hops else '?'})")
