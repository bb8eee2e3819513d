"""What ``help()``, ``inspect.signature`` and IDEs see of an operation's
method: its keyword arguments (parameters, body fields, ``body``, the call
options, with the client's defaults shown as defaults) and its reference
text, kept in the spec cache.  Apart from the client because it describes
calls and makes none."""
from __future__ import annotations

import inspect
import keyword
from typing import Any, Optional

from ._call.context import call_context, client_defaults
from ._call.options import CALL_OPTIONS


def _make_method(client, op, name: str):
    """A real function per operation, so ``help()``, ``inspect.signature`` and
    IDEs see its parameters and reference text."""
    op_id = op.operation_id

    if getattr(client, "_async", False):
        async def method(**kwargs: Any) -> Any:
            return await client.call(op_id, **kwargs)
    else:
        def method(**kwargs: Any) -> Any:
            return client.call(op_id, **kwargs)

    method.__name__ = name if name.isidentifier() else op.alias
    method.__qualname__ = f"{client._kind}.{method.__name__}"
    method.__signature__ = signature_of(op, client)  # type: ignore[attr-defined]
    method.__doc__ = doc_of(op, client) + _defaults_note(op, client)
    method.operation = op  # type: ignore[attr-defined]
    return method



def _defaults_note(op, client) -> str:
    """The ``help()`` lines naming what this client sends by itself."""
    values = client_defaults(op, client)
    headers = call_context(client).conventions_for(op).headers
    if not values and not headers:
        return ""
    lines = ["", "", "Client defaults (sent unless the call gives its own; None leaves one out):"]
    lines += [f"    {p.name} = {v!r}" for p, v in values.items()]
    lines += [f"    header {k}: {v}" for k, v in headers.items()]
    return "\n".join(lines)


def signature_of(op, client: Optional[Any] = None) -> inspect.Signature:
    """The keyword arguments a call of ``op`` takes: its parameters (spec name
    when it is an identifier, else the alias), ``body``, then the options.
    Parameters ``client`` fills in by itself show that value as their
    default."""
    from ._call.request import binder_for

    given = client_defaults(op, client)
    params = []
    used = set()
    binder = binder_for(op)
    for p in sorted(op.parameters, key=lambda p: not p.required):
        usable = p.name.isidentifier() and not keyword.iskeyword(p.name)
        name = p.name if usable and binder.index.get(p.name) is p else p.alias
        if binder.index.get(name) is not p or name in used or name in CALL_OPTIONS:
            continue
        used.add(name)
        default = inspect.Parameter.empty if p.required else None
        if p in given:
            default = given[p]
        params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default))
    fields = [f for f in sorted(binder.body_names) if f.isidentifier() and not keyword.iskeyword(f)
              and f not in used and binder.index.get(f) is None]
    if fields:
        # body fields may be keywords; the required ones of a required body
        # have no default (body= is the other way to give them)
        from ._call.request import body_required_fields

        required = body_required_fields(op)
        for f in sorted(fields, key=lambda f: f not in required):
            default = inspect.Parameter.empty if f in required else None
            params.append(inspect.Parameter(f, inspect.Parameter.KEYWORD_ONLY, default=default))
    if op.request_body:
        default = inspect.Parameter.empty if op.body_required and not fields else None
        params.append(inspect.Parameter("body", inspect.Parameter.KEYWORD_ONLY, default=default))
    for opt in CALL_OPTIONS[1:]:
        params.append(inspect.Parameter(opt, inspect.Parameter.KEYWORD_ONLY, default=None))
    return inspect.Signature(params)


def doc_of(op, client: Optional[Any] = None) -> str:
    """The plain-text reference of ``op``, as ``help()`` shows it: the same
    text as ``openapi-dyn show``, with the spec's examples that pass
    ``client``'s validation.

    Rendering it means importing the reference modules and markdown-it-py,
    parsing every description of the operation and validating its examples;
    the text depends only on the spec's content and this library's code, so
    it is kept in the spec cache and a later process that asks for the same
    help reads it back."""
    from .reference import reference_stamp
    from ._spec.cache import SpecCache

    store = SpecCache.open(op.spec.cache_enabled)
    checked = "checked" if client is not None else "unchecked"
    name = f"{op.spec.content_hash}\0text-{checked}\0{op.operation_id}\0{reference_stamp()}"
    text = store.read_text(name) if store is not None else None
    if text is None:
        from .reference import _text as reference_text

        text = reference_text.render_operation(op, client=client)
        if store is not None:
            store.write_text(name, text)
    return text
