"""Decoding answers: the body by media type, and non-2xx statuses into the
:class:`~openapi_dyn.APIError` family."""
from __future__ import annotations

import json
from typing import Any, Mapping, Optional

from .errors import error_class_for


class Response:
    """The full answer to a call: ``status_code``, ``headers``, ``data`` (the
    decoded body, as :meth:`Client.call` returns it), ``content`` (raw bytes),
    ``request`` (the :class:`~openapi_dyn.request.PreparedRequest`) and ``raw``
    (the :class:`requests.Response`)."""

    __slots__ = ("raw", "request", "_data", "_decoded")

    def __init__(self, raw, request):
        self.raw = raw
        self.request = request
        self._decoded = False
        self._data = None

    @property
    def status_code(self) -> int:
        return self.raw.status_code

    @property
    def headers(self) -> Mapping[str, str]:
        return self.raw.headers

    @property
    def content(self) -> bytes:
        return self.raw.content

    @property
    def request_id(self) -> Optional[str]:
        return request_id_of(self.raw.headers)

    @property
    def data(self) -> Any:
        if not self._decoded:
            self._data = decode_body(self.raw)
            self._decoded = True
        return self._data

    def __repr__(self) -> str:
        return f"<Response {self.status_code} {self.request.operation_id}>"


def request_id_of(headers: Mapping[str, str]) -> Optional[str]:
    return headers.get("x-request-id") or headers.get("request-id")


def decode_body(raw) -> Any:
    """JSON -> Python objects, ``text/*`` -> ``str``, empty -> ``None``,
    anything else -> ``bytes``."""
    content = raw.content
    if not content:
        return None
    ctype = (raw.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
    if ctype == "application/json" or ctype.endswith("+json"):
        try:
            return json.loads(content)
        except ValueError:
            return raw.text
    if ctype.startswith("text/") or ctype in ("application/xml", "application/yaml", "application/sdp"):
        return raw.text
    if not ctype:
        try:
            return json.loads(content)
        except ValueError:
            return content
    return content


def raise_for_status(raw, prepared) -> None:
    """Raise the :class:`APIError` subclass for a non-2xx answer."""
    status = raw.status_code
    if 200 <= status < 300:
        return
    try:
        body = decode_body(raw)
    except Exception:  # pragma: no cover - decoding never fails in practice
        body = raw.content
    message = _error_message(body) or raw.reason or "error"
    cls = error_class_for(status)
    rid = request_id_of(raw.headers)
    text = f"{status} from {prepared.method} {prepared.masked_url} ({prepared.operation_id}): {message}"
    if rid:
        text += f" [request id {rid}]"
    raise cls(text, status_code=status, headers=raw.headers, body=body, request_id=rid, response=raw)


def _error_message(body: Any) -> Optional[str]:
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            for key in ("message", "detail", "error_description", "title"):
                if isinstance(err.get(key), str):
                    return err[key]
        if isinstance(err, str):
            return err
        for key in ("message", "detail"):
            if isinstance(body.get(key), str):
                return body[key]
    if isinstance(body, str):
        return body.strip()[:500] or None
    return None
