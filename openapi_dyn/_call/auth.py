"""Credentials and the spec's security schemes.

A :class:`Credentials` object holds what the user gave (``api_key=``, per-scheme
``credentials=``) and knows which environment variables stand for which scheme
(for the bundled specs the registry in ``schemas/bundled.json`` names them, for
example ``OPENAI_API_KEY`` and ``OPENAI_ADMIN_KEY``).  :func:`apply_security`
puts the right credential where the operation's security requirement says.

A credential may also be a callable that returns a fresh one (an access token
that expires: Vertex AI's), called each time a request is prepared, and a
profile may name a token provider (:mod:`.google_auth`: Application Default
Credentials) used when nothing else gives one.

Keys are kept in :class:`Secret` wrappers whose ``repr`` and ``str`` never show
them, so a client, a prepared request or an exception can be printed safely.
Leading and trailing whitespace of a key is dropped (a key read from a file
ends in a newline); a key with a line break, carriage return or NUL inside is
refused with a :class:`~openapi_dyn.UsageError` that names where it came from,
never its value.  Where each key goes is recorded in the request's
:class:`~openapi_dyn.SecretPlaces`, which decides what is masked.
"""
from __future__ import annotations

import base64
import os
from typing import Any, Dict, List, Mapping, Optional, Tuple

from .._errors import UsageError
from .redact import MASK, SecretPlaces, mask_text

__all__ = ["Secret", "Credentials", "apply_security", "mask", "MASK"]


class Secret:
    """A string that does not print itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('****')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


def clean_credential(value: Any, source: str) -> str:
    """``value`` as text without surrounding whitespace; a CR, LF or NUL
    inside is a :class:`UsageError` naming ``source`` (never the value):
    it would end the header early or be refused by the HTTP library with
    the key in its message."""
    text = value.reveal() if isinstance(value, Secret) else str(value)
    text = text.strip()
    if any(c in text for c in "\r\n\0"):
        raise UsageError(f"the credential from {source} contains a line break or NUL character "
                         f"(not shown); a key is one line of text")
    return text


class TokenSource:
    """A callable credential (``api_key=get_token``): asked for a fresh value
    each time a request needs one, so a token that expires is renewed by
    whoever issued it.  What it returns is checked like any key."""

    __slots__ = ("_fetch", "_source")

    def __init__(self, fetch: Any, source: str):
        self._fetch = fetch
        self._source = source

    def current(self) -> Optional["Secret"]:
        try:
            value = self._fetch()
        except Exception as exc:  # the caller's code: say where, never the value
            raise UsageError(f"the credential callable from {self._source} failed: "
                             f"{type(exc).__name__}: {exc}") from None
        if value is None or value == "":
            return None
        if not isinstance(value, (str, Secret)):
            if hasattr(value, "close") and hasattr(value, "send"):  # a coroutine: never awaited, closed
                value.close()
            raise UsageError(f"the credential callable from {self._source} returned {type(value).__name__}, "
                             f"not a string (pass a plain function, not an async one)")
        return Secret(clean_credential(value, f"the callable from {self._source}"))

    def __repr__(self) -> str:
        return f"<TokenSource from {self._source}>"

    def __bool__(self) -> bool:
        return True


def _secret(value: Any, source: str) -> Any:
    if value is None:
        return value
    if callable(value) and not isinstance(value, (str, bytes, Secret)):
        return TokenSource(value, source)
    if isinstance(value, tuple):  # (user, password) for http basic
        return (clean_credential(value[0], source), _secret(value[1], source))
    return Secret(clean_credential(value, source))


class Credentials:
    """What the client may authenticate with.

    Sources, most specific first (:attr:`LEVELS`): ``credentials[scheme]``,
    then ``api_key``, then the scheme's environment variable
    (``env[scheme]``), then the default environment variable (``env["*"]``)
    for schemes that have none of their own.  What is passed explicitly beats
    the environment.  Nothing is read from the environment
    before a call needs it, so a client can be built without any key.
    """

    def __init__(self, api_key: Any = None, per_scheme: Optional[Mapping[str, Any]] = None,
                 env: Optional[Mapping[str, Any]] = None, api_key_schemes: Any = (),
                 provider: Any = None, required: bool = False):
        self._api_key = _secret(api_key, "api_key=")
        #: the schemes ``api_key`` is for (empty: all of them), from the profile
        self.api_key_schemes = frozenset(api_key_schemes or ())
        self._per_scheme = {k: _secret(v, f"credentials[{k!r}]") for k, v in (per_scheme or {}).items()}
        #: scheme -> variable, or variables tried in order (the first set wins)
        self.env: Dict[str, Any] = dict(env or {})
        #: the profile's token provider (``None``: none), asked last, for
        #: bearer schemes (http bearer, oauth2, openIdConnect) only
        self.provider = provider
        #: the profile says every operation needs a credential, whatever
        #: optional (``{}``) alternative the document lists
        self.required = required

    def __repr__(self) -> str:
        given = sorted(self._per_scheme) + (["api_key"] if self._api_key else [])
        return f"<Credentials given={given} env={self.env}>"

    #: Where a credential may come from, most specific first.
    LEVELS = ("credentials", "api_key", "scheme variable", "default variable", "token provider")

    def lookup(self, scheme: str, level: int, kind: str = "") -> Any:
        """The credential for ``scheme`` (of type ``kind``, as its security
        scheme says) from source ``LEVELS[level]``, or None."""
        if level == 0:
            return _current(self._per_scheme.get(scheme))
        if level == 1:
            if self.api_key_schemes and scheme not in self.api_key_schemes:
                return None
            return _current(self._api_key) or None
        if level == 4:
            if self.provider is None or kind.lower() not in _BEARER_KINDS:
                return None
            return self.provider.current()
        var = self.env.get(scheme) if level == 2 else (self.env.get("*") if scheme not in self.env else None)
        for name in _variables(var):
            if os.environ.get(name, "").strip():
                return Secret(clean_credential(os.environ[name], f"the {name} environment variable"))
        return None

    def hint(self, scheme: str, api_key_option: Optional[str] = None, kind: str = "") -> str:
        """How the user can supply a credential for ``scheme`` (for error
        messages).  ``api_key_option`` names the way ``api_key`` is given
        where that is not Python (the command line's ``--api-key KEY``); the
        per-scheme ``credentials=`` is then not offered."""
        ways = [] if api_key_option else [f"credentials={{{scheme!r}: ...}}"]
        if not self.api_key_schemes or scheme in self.api_key_schemes:
            ways.insert(0, api_key_option or "api_key=")
        names = _variables(self.env.get(scheme) or (self.env.get("*") if scheme not in self.env else None))
        if len(names) == 1:
            ways.append(f"the {names[0]} environment variable")
        elif names:
            ways.append("the " + " or ".join(names) + " environment variables")
        if self.provider is not None and kind.lower() in _BEARER_KINDS:
            ways.append(self.provider.hint())
        if not ways:
            return "no way to give it here"
        return ", ".join(ways[:-1]) + " or " + ways[-1] if len(ways) > 1 else ways[0]


#: Security scheme types whose credential is a bearer token.
_BEARER_KINDS = frozenset({"http", "oauth2", "openidconnect"})


def _current(value: Any) -> Any:
    """A stored credential as it is now (a :class:`TokenSource` asked)."""
    return value.current() if isinstance(value, TokenSource) else value


def _variables(var: Any) -> Tuple[str, ...]:
    """A profile's variable entry (a name or a list of names) as a tuple."""
    if not var:
        return ()
    return (var,) if isinstance(var, str) else tuple(var)


def apply_security(operation, creds: Credentials, headers: Dict[str, str],
                   query: List[Tuple[str, str]], cookies: List[str],
                   secrets: SecretPlaces) -> Optional[str]:
    """Add the credentials the operation needs, recording each in ``secrets``
    with its place.  Returns ``None`` when satisfied
    (or nothing is needed), else a message saying what is missing; the caller
    decides whether that is fatal (sending) or not (``prepare`` / dry run)."""
    requirements = operation.security
    if creds.required:
        requirements = [req for req in requirements if req] or requirements
    if not requirements or any(not req for req in requirements):
        # No security, or an empty requirement ({}) that makes it optional:
        # still send a credential when one is at hand for a listed scheme.
        optional = True
    else:
        optional = False
    schemes = operation.spec.security_schemes
    # Sources are tried most specific first, each over all alternatives, so a
    # key given for one scheme decides which alternative is used (Azure's
    # api-key header rather than the bearer token of its first alternative),
    # and what is passed explicitly beats the environment.
    for level in range(len(Credentials.LEVELS)):
        for req in requirements:
            if not req:
                continue
            found = {}
            for name in req:
                value = creds.lookup(name, level, str((schemes.get(name) or {}).get("type", "http")))
                if value is None:
                    break
                found[name] = value
            else:
                for name, value in found.items():
                    _apply_one(name, schemes.get(name) or {}, value, headers, query, cookies, secrets)
                return None
    if optional:
        return None
    return missing_message(operation, creds)


def missing_message(operation, creds: Credentials, api_key_option: Optional[str] = None) -> str:
    """What credentials ``operation`` needs and how to give them (see
    :meth:`Credentials.hint` for ``api_key_option``)."""
    schemes = operation.spec.security_schemes
    alternatives = [" and ".join(f"{n} ({creds.hint(n, api_key_option, str((schemes.get(n) or {}).get('type', '')))})"
                                 for n in req)
                    for req in operation.security if req]
    return f"{operation.operation_id} needs credentials: " + " or ".join(alternatives)


def _apply_one(name: str, scheme: Mapping[str, Any], value: Any, headers: Dict[str, str],
               query: List[Tuple[str, str]], cookies: List[str], secrets: SecretPlaces) -> None:
    kind = str(scheme.get("type", "http")).lower()
    if isinstance(value, tuple):
        user, password = value[0], value[1].reveal() if isinstance(value[1], Secret) else str(value[1])
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
        secrets.add_header("Authorization", token)
        secrets.values.append(password)
        return
    raw = value.reveal() if isinstance(value, Secret) else str(value)
    if kind == "apikey":
        where, key_name = scheme.get("in", "header"), str(scheme.get("name", "api_key"))
        if where == "query":
            from urllib.parse import quote
            query.append((quote(key_name, safe=""), quote(raw, safe="")))
            secrets.add_query(key_name, raw)
        elif where == "cookie":
            cookies.append(f"{key_name}={raw}")
            secrets.add_cookie(key_name, raw)
        else:
            headers[key_name] = raw
            secrets.add_header(key_name, raw)
        return
    http_scheme = str(scheme.get("scheme", "bearer")).lower()
    if kind == "http" and http_scheme == "basic":
        user, _, password = raw.partition(":")
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
        secrets.add_header("Authorization", token)
        secrets.values.append(raw)
        return
    # http bearer, oauth2 and openIdConnect all carry a bearer token
    headers["Authorization"] = f"Bearer {raw}"
    secrets.add_header("Authorization", raw)


def mask(text: str, secrets: List[str]) -> str:
    """Fallback masking of free text (see :func:`openapi_dyn._call.redact.mask_text`):
    only values of at least 8 characters are searched for."""
    return mask_text(text, secrets)
