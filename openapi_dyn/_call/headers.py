"""One check for every header, wherever it comes from.

Headers reach a request from the call (``headers=``), the client
(``Client(headers=...)`` and the vendor's environment variables), the
credentials, a vendor profile and the HTTP session.  A carriage return, line
feed or NUL in a name or a value would either split the header (a request
smuggled into the request) or be refused deep inside the HTTP library with the
value, perhaps a key, in the message.  Every source is checked here, the same
way; problems name the header and its source, never the value.

A value is visible US-ASCII, spaces and tabs (RFC 9110, section 5.5).  Other
control characters and anything beyond ASCII are refused too: the HTTP
libraries disagree about them (http.client sends Latin-1, httpx raises
``UnicodeEncodeError``, aiohttp sends UTF-8), so refusing them before
sending is the one behaviour every transport can share.  A value that needs
other characters is encoded by the caller (percent-encoding, RFC 8187).
"""
from __future__ import annotations

import re
from typing import Any, List, Mapping

from .._errors import UsageError, ValidationProblem

_FORBIDDEN = re.compile(r"[\r\n\0]")
# control characters (tab excepted), DEL, and everything beyond ASCII
_NOT_SENDABLE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\U0010ffff]")
# what http.client itself accepts as a name (no colon, no whitespace first, no line break)
_NAME = re.compile(r"[^:\s\0][^:\r\n\0]*\Z")


def header_problem(name: Any, value: Any) -> str:
    """What is wrong with one header, or ``""``."""
    if not isinstance(name, str) or not _NAME.match(name):
        return "not a valid header name (empty, or with a colon, line break or NUL)"
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    elif not isinstance(value, str):
        value = str(value)
    if _FORBIDDEN.search(value):
        return "the value contains a line break (CR or LF) or a NUL character (value not shown)"
    bad = _NOT_SENDABLE.search(value)
    if bad:
        what = "a control character" if bad.group() < "\x80" else "a character beyond ASCII"
        return (f"the value contains {what} at position {bad.start()} (value not shown); header values are "
                f"visible ASCII, spaces and tabs: percent-encode other text (RFC 8187)")
    return ""


def header_problems(headers: Mapping[Any, Any], prefix: str = "header") -> List[ValidationProblem]:
    """A :class:`ValidationProblem` (``header.<name>``) per bad header."""
    search = _NOT_SENDABLE.search
    for name, value in headers.items():   # the usual case, quickly: nothing wrong
        if (type(name) is not str or type(value) is not str or search(value) or search(name)
                or not name or ":" in name or name[0].isspace()):
            break
    else:
        return []
    out = []
    for name, value in headers.items():
        problem = header_problem(name, value)
        if problem:
            out.append(ValidationProblem(f"{prefix}.{_shown_name(name)}", problem))
    return out


def check_headers(headers: Mapping[Any, Any], source: str) -> None:
    """Raise :class:`UsageError` naming every bad header of ``source``
    (``"Client(headers=...)"``, ``"the session"``...)."""
    problems = header_problems(headers)
    if problems:
        raise UsageError(f"{source}: " + "; ".join(str(p) for p in problems))


def _shown_name(name: Any) -> str:
    text = name if isinstance(name, str) else repr(name)
    return _FORBIDDEN.sub("?", text)[:100]
