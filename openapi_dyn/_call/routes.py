"""Where a call goes when the body decides it, and body fields the vendor
always wants: the steps between the caller's arguments and binding.

Claude on Bedrock has one operation at two addresses: a call with
``stream=True`` goes to ``/model/{modelId}/invoke-with-response-stream``,
any other to ``/model/{modelId}/invoke``, and ``stream`` itself is never
sent (the address says it).  The vendor overlay records that as data on the
operation (``x-openapi-dyn-routes``: conditions on body fields and the
operation they lead to; ``x-openapi-dyn-selectors``: the body fields that
only choose, see :mod:`openapi_dyn._spec.vendor_overlay`); this module reads
it for each call.  The profile's ``body`` rules (Bedrock's
``anthropic_version``) are filled in here too, so validation sees the body
that will be sent.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

__all__ = ["route"]

_ROUTES = "x-openapi-dyn-routes"
_SELECTORS = "x-openapi-dyn-selectors"


def _field(kwargs: Dict[str, Any], opts: Dict[str, Any], name: str) -> Any:
    body = opts.get("body")
    if isinstance(body, dict) and name in body:
        return body[name]
    return kwargs.get(name)


def route(operation, kwargs: Dict[str, Any], opts: Dict[str, Any], profile: Any,
          lookup) -> Tuple[Any, Dict[str, Any], Dict[str, Any]]:
    """``(operation, kwargs, opts)`` to bind: the operation a route picks
    (``lookup(operationId)`` finds it), the selecting fields taken out and
    the profile's body defaults put in.  ``kwargs`` and ``opts`` are the
    caller's keyword arguments and call options, never changed in place."""
    raw = operation.raw
    routes = raw.get(_ROUTES)
    if routes:
        for rule in routes:
            when = rule.get("when") or {}
            if all(_field(kwargs, opts, key[len("body."):]) == value for key, value in when.items()):
                operation = lookup(rule["operationId"])
                break
    selectors = operation.raw.get(_SELECTORS) or raw.get(_SELECTORS) or ()
    rules = [r for r in getattr(profile, "body", ()) if r.when.matches(operation)]
    if not selectors and not rules:
        return operation, kwargs, opts
    names = [key[len("body."):] for key in selectors]
    kwargs = {k: v for k, v in kwargs.items() if k not in names}
    opts = dict(opts)
    body: Optional[Any] = opts.get("body")
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k not in names}
        for rule in rules:
            body.setdefault(rule.name, rule.value)
        opts["body"] = body
    elif "body" not in opts or body is None:
        for rule in rules:
            kwargs.setdefault(rule.name, rule.value)
    return operation, kwargs, opts
