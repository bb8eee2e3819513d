"""Where a request's secrets are, and how they are hidden when something is shown.

Credentials are known values at known places: the header a security scheme
names (``Authorization``, ``x-api-key``...), the query parameter an apiKey
scheme names (``?key=``), cookies, and headers whose names mark them as secret
(``headers={"X-Api-Token": ...}``).  :class:`SecretPlaces` records them while a
request is built, and :func:`mask_headers` / :func:`mask_url` replace the
values at those places with ``****``, whatever their length, without searching
any other text.  This is what dry runs, ``describe()``, ``repr()`` and error
messages show.

Text that did not come from this library (a dependency's exception message, a
log line of urllib3) can only be masked by searching it: :func:`mask_text`
replaces the secret values that are at least :data:`MIN_SUBSTRING` characters
long (a shorter one would mangle ordinary words: a key ``"k"`` must not turn
``max_tokens`` into ``max_to****ens``) and the value of every secret query
parameter in a URL, by its name, whatever its length.

:mod:`._logmask` applies :func:`mask_text` to the log records of every logger
the client's stack writes to.
"""
from __future__ import annotations

import re
from typing import Dict, Iterable, List, Mapping, Optional
from urllib.parse import quote, unquote

MASK = "****"

#: Secret values shorter than this are never searched for in free text.
MIN_SUBSTRING = 8

#: Header names containing one of these words carry secrets, whoever set them.
SECRET_HEADER_WORDS = ("authorization", "key", "token", "secret", "cookie", "password", "credential")

def is_secret_header(name: str) -> bool:
    """Whether a header called ``name`` holds a secret, judged by its name."""
    lowered = name.lower()
    return any(word in lowered for word in SECRET_HEADER_WORDS)


class SecretPlaces:
    """The secrets of one request: ``values`` (the raw strings, for the
    fallback search), ``headers`` (lower-case names of headers that are
    secret as a whole), ``query`` (names of query parameters that are) and
    ``cookies`` (names of secret cookies)."""

    __slots__ = ("values", "headers", "query", "cookies")

    def __init__(self, values: Iterable[str] = ()):
        self.values: List[str] = [v for v in values if v]
        self.headers: set = set()
        self.query: set = set()
        self.cookies: set = set()

    def add_header(self, name: str, value: str) -> None:
        self.headers.add(name.lower())
        self.values.append(value)

    def add_query(self, name: str, value: str) -> None:
        self.query.add(name)
        self.values.append(value)

    def add_cookie(self, name: str, value: str) -> None:
        self.cookies.add(name)
        self.values.append(value)

    def __bool__(self) -> bool:
        return bool(self.values or self.query)

    def appears_in(self, text: str) -> bool:
        """Whether ``text`` shows any secret (any length: used to decide what
        to keep, never to rewrite text), or a URL with a secret query value."""
        if any(v in text for v in self.values if v):
            return True
        return any(_query_pattern(name).search(text) for name in self.query)

    def __repr__(self) -> str:
        return f"<SecretPlaces {len(self.values)} value(s)>"


def _mask_one(name: str, value: str) -> str:
    if name.lower() in ("authorization", "proxy-authorization") and " " in value.strip():
        return f"{value.strip().split(' ', 1)[0]} {MASK}"   # "Bearer ****": the scheme is not secret
    return MASK


def mask_cookie_header(value: str) -> str:
    """``a=1; b=2`` -> ``a=****; b=****``: cookie values are credentials as a rule."""
    parts = []
    for piece in value.split(";"):
        name, sep, _ = piece.partition("=")
        parts.append(f"{name}={MASK}" if sep else piece)
    return ";".join(parts)


def mask_headers(headers: Mapping[str, str], places: Optional[SecretPlaces]) -> Dict[str, str]:
    """``headers`` with the secret ones' values replaced: those ``places``
    names, those whose names say so (:func:`is_secret_header`) and every
    cookie value."""
    named = places.headers if places is not None else ()
    out: Dict[str, str] = {}
    for k, v in headers.items():
        lowered = k.lower()
        text = v if isinstance(v, str) else str(v)
        if lowered == "cookie":
            out[k] = mask_cookie_header(text)
        elif lowered in named or is_secret_header(lowered):
            out[k] = _mask_one(lowered, text)
        else:
            out[k] = text
    return out


def mask_url(url: str, places: Optional[SecretPlaces]) -> str:
    """``url`` with the value of every secret query parameter replaced."""
    if places is None or not places.query or "?" not in url:
        return url
    base, _, rest = url.partition("?")
    query, hash_, fragment = rest.partition("#")
    pieces = []
    for piece in query.split("&"):
        name, sep, _ = piece.partition("=")
        if sep and unquote(name) in places.query:
            piece = f"{name}={MASK}"
        pieces.append(piece)
    return base + "?" + "&".join(pieces) + hash_ + fragment


_query_patterns: Dict[str, "re.Pattern[str]"] = {}


def _query_pattern(name: str) -> "re.Pattern[str]":
    pat = _query_patterns.get(name)
    if pat is None:
        names = {re.escape(name), re.escape(quote(name, safe=""))}
        pat = re.compile(r"([?&](?:%s)=)[^&#\s'\"<>)\]]*" % "|".join(sorted(names)))
        if len(_query_patterns) < 256:
            _query_patterns[name] = pat
    return pat


def ordered_masks(values: Iterable[str]) -> List[str]:
    """The texts :func:`mask_text` replaces for ``values``: each secret of at
    least :data:`MIN_SUBSTRING` characters and its URL-encoded form, longest
    first (worked out once by a caller that masks many texts)."""
    found = set()
    for v in values:
        if v and len(v) >= MIN_SUBSTRING:
            found.add(v)
            encoded = quote(v, safe="")
            if encoded != v:
                found.add(encoded)
    return sorted(found, key=len, reverse=True)


def mask_text(text: str, values: Iterable[str] = (), query: Iterable[str] = (),
              ordered: Optional[List[str]] = None) -> str:
    """Fallback for text this library did not write: every secret value of at
    least :data:`MIN_SUBSTRING` characters (and its URL-encoded form), and the
    value of every ``?name=`` / ``&name=`` for a secret query parameter,
    replaced by ``****``.  ``ordered``: :func:`ordered_masks` of the values,
    given instead of them."""
    for name in query:
        text = _query_pattern(name).sub(lambda m: m.group(1) + MASK, text)
    for v in ordered if ordered is not None else ordered_masks(values):
        if v in text:
            text = text.replace(v, MASK)
    return text


def mask_places_text(text: str, places: Optional[SecretPlaces]) -> str:
    """:func:`mask_text` with the secrets of one request."""
    if places is None:
        return text
    return mask_text(text, places.values, places.query)
