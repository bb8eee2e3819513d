"""The spec's own examples of a call: collected as candidates while an
operation is documented, and shown only once :func:`check_examples` has run
them through the client's validation.

A documented example that the spec itself refuses would teach a call that
fails; so every example passes ``client.prepare`` (nothing is sent) before
any format prints it.
"""
from __future__ import annotations

from typing import Any, List, Optional

from ._curl import example_from_curl
from ._doc import ExampleDoc, OperationDoc


def collect_examples(op, doc: OperationDoc) -> List[ExampleDoc]:
    """The candidate examples of ``op``: each ``x-oaiMeta`` curl request
    that reads as a call of it, else the request body's ``example`` when every
    required parameter has an example too.  None is checked yet."""
    out: List[ExampleDoc] = []
    meta = op.raw.get("x-oaiMeta")
    if isinstance(meta, dict):
        exs = meta.get("examples")
        exs = exs if isinstance(exs, list) else [exs] if isinstance(exs, dict) else []
        for i, ex in enumerate(exs):
            curl = _curl_of(ex)
            parsed = example_from_curl(op, curl) if curl is not None else None
            if parsed is None:
                continue
            params, body = parsed
            title = str(ex.get("title") or "") or (f"Example {i + 1}" if len(exs) > 1 else "Example")
            out.append(ExampleDoc(title=title, source="x-oaiMeta", params=params, body=body))
    required = {p.name: p for p in doc.parameters if p.required}
    if not any(e.has_body for e in out):
        for mt, media in op.request_body.items():
            value = media.example if media.example is not None else media.schema.get("example")
            if value is None or mt != op.default_media_type():
                continue
            params = {n: p.example for n, p in required.items() if p.has_example}
            if len(params) == len(required):
                out.append(ExampleDoc(title="Example request body", source="example", params=params, body=value))
    return out


def _curl_of(example: Any) -> Optional[str]:
    """The curl command of one ``x-oaiMeta`` example: its ``request``, or
    that request's ``curl``."""
    request = example.get("request") if isinstance(example, dict) else None
    curl = request.get("curl") if isinstance(request, dict) else request
    return curl if isinstance(curl, str) else None


def check_examples(client, doc: OperationDoc) -> OperationDoc:
    """Run each example of ``doc`` through ``client.prepare`` (validation on,
    nothing sent) and record whether it passed; only passing examples are
    rendered."""
    from .._errors import OpenAPIDynError

    for ex in doc.examples:
        if ex.valid is not None:
            continue
        kwargs = dict(ex.params)
        if ex.has_body:
            kwargs["body"] = ex.body
        try:
            client.prepare(doc.operation_id, validate=True, **kwargs)
        except OpenAPIDynError as exc:
            ex.valid, ex.problem = False, str(exc)
        except Exception as exc:  # a validator failure is the example's loss, not the reference's
            ex.valid, ex.problem = False, f"{type(exc).__name__}: {exc}"
        else:
            ex.valid = True
    return doc

