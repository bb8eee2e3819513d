"""The reference as plain text, for the terminal and for ``help()``.

``render_operation(op)`` is what ``client.createRun.__doc__`` holds.  It builds
the documentation model only (fast: no validator is loaded), so the spec's
examples are listed only when they have been checked already; pass
``client=`` to check them first (``openapi-dyn show`` does).
"""
from __future__ import annotations

import textwrap
from typing import List, Optional

from . import _model as model
from ._markup import to_text

WIDTH = 78


def _desc(text: str, indent: int, site: Optional[str]) -> List[str]:
    if not text:
        return []
    body = to_text(text, site, width=WIDTH - indent)
    return [textwrap.indent(body, " " * indent).rstrip()] if body else []


def _lines_for_property(p: model.PropertyDoc, indent: int, site: Optional[str]) -> List[str]:
    out = [" " * indent + f"{p.name}  ({', '.join(model.property_facts(p))})"]
    sub = indent + 4
    out += _desc(p.description, sub, site)
    if p.enum:
        out += textwrap.wrap("One of: " + model.enum_text(p.enum), WIDTH, initial_indent=" " * sub,
                             subsequent_indent=" " * (sub + 4), break_long_words=False)
    if p.see_above:
        out.append(" " * sub + f"({p.schema_name or 'same structure'}: described above)")
    for child in p.properties:
        out += _lines_for_property(child, sub, site)
    if p.variants:
        out.append(" " * sub + ("One of these:" if p.variant_kind == "oneOf" else "Any of these:"))
        for v in p.variants:
            out += _lines_for_variant(v, sub + 2, site)
    if p.truncated and not p.variants:
        out.append(" " * sub + "(nested fields: see the schema" + (f" {p.schema_name})" if p.schema_name else ")"))
    return out


def _lines_for_variant(v: model.VariantDoc, indent: int, site: Optional[str]) -> List[str]:
    head = v.name if v.name == v.type else f"{v.name} ({v.type})"
    out = [" " * indent + "- " + head + ("  (described above)" if v.see_above else "")]
    if v.description and v.properties:
        out += _desc(model_first_sentence(v.description), indent + 4, site)
    for child in v.properties:
        out += _lines_for_property(child, indent + 4, site)
    return out


def model_first_sentence(text: str) -> str:
    from ._markup import inline_text

    line = inline_text(text)
    cut = line.find(". ")
    return line if cut < 0 else line[: cut + 1]


def operation_lines(doc: model.OperationDoc, site: Optional[str] = None, *, examples_note: bool = True) -> List[str]:
    head = doc.operation_id + (f" - {doc.summary_text}" if doc.summary else "")
    out = [head, "=" * min(len(head), WIDTH), ""]
    out.append(f"    {doc.method} {doc.path}")
    if doc.alias:
        out.append(f"    Method: client.{doc.alias}(...)")
    if doc.tags:
        out.append("    Tags: " + ", ".join(doc.tags))
    if doc.streams:
        out.append("    Streams: yes (text/event-stream)")
    if doc.security:
        out.append("    Auth: " + " or ".join(doc.security))
    if doc.deprecated:
        out.append("    DEPRECATED")
    out += ["", "SYNOPSIS"] + ["    " + line for line in doc.synopsis]
    if doc.description and doc.description != doc.summary:
        out += ["", "DESCRIPTION"] + _desc(doc.description, 4, site)
    if doc.parameters:
        out += ["", "PARAMETERS"]
        for p in doc.parameters:
            out.append(f"    {p.name}  ({', '.join(model.param_facts(p))})")
            note = model.keyword_note(p)
            if note:
                out.append(f"        ({note})")
            out += _desc(p.description, 8, site)
            if p.enum:
                out += textwrap.wrap("One of: " + model.enum_text(p.enum), WIDTH, initial_indent=" " * 8,
                                     subsequent_indent=" " * 12, break_long_words=False)
            if p.has_example:
                out.append("        Example: " + model.value_text(p.example))
    for body in doc.bodies:
        out += ["", f"REQUEST BODY  ({', '.join(model.body_heading_facts(doc, body))})"]
        out += _desc(body.description, 4, site)
        for prop in body.properties:
            out += _lines_for_property(prop, 4, site)
        if body.variants:
            out.append("    " + ("One of these:" if body.variant_kind == "oneOf" else "Any of these:"))
            for v in body.variants:
                out += _lines_for_variant(v, 6, site)
    if doc.responses:
        out += ["", "RESPONSES"]
        for r in doc.responses:
            content = model.response_line(r)
            out.append(f"    {r.status}  " + ("; ".join(content) if content else "(no body)"))
            if r.description:
                out += _desc(r.description, 8, site)
            lead = model.answer_lead(r)
            if lead:
                out.append("        " + lead)
            for prop in r.properties:
                out += _lines_for_property(prop, 8, site)
            if r.variants:
                out.append("        " + ("One of these:" if r.variant_kind == "oneOf" else "Any of these:"))
                for v in r.variants:
                    out += _lines_for_variant(v, 10, site)
    shown = doc.valid_examples
    if shown:
        out += ["", "EXAMPLES"]
        for ex in shown:
            out.append(f"    {ex.title}:")
            out += ["        " + line for line in doc.example_code(ex).split("\n")]
            out.append("")
        out.pop()
    elif examples_note and any(e.valid is None for e in doc.examples):
        n = len(doc.examples)
        out += ["", "EXAMPLES",
                f"    The spec has {n} example{'s' if n > 1 else ''} for this operation; they are shown",
                f"    once checked against the spec: openapi-dyn show {doc.operation_id}",
                f"    (or doc({doc.operation_id!r}) in openapi-dyn repl)"]
    return out


def render_operation(op, *, client=None, site: Optional[str] = None) -> str:
    """The plain-text reference of one operation.  With ``client``, the spec's
    examples are validated first and the passing ones included."""
    doc = model.document_operation(op)
    if client is not None:
        model.check_examples(client, doc)
    if site is None:
        site = model.site_of(op.spec)
    return "\n".join(operation_lines(doc, site)).rstrip() + "\n"


def render(ref: model.ReferenceDoc) -> str:
    """The whole reference as one text document."""
    out = [f"{ref.title} {ref.version}".strip(), "", f"Base URL: {ref.base_url}",
           f"Operations: {len(ref.operations)}", ""]
    if ref.description:
        out += _desc(ref.description, 0, ref.site) + [""]
    for g in ref.groups:
        out += ["", "#" * WIDTH, f"# {g.name}", "#" * WIDTH, ""]
        if g.description:
            out += _desc(g.description, 0, ref.site) + [""]
        for doc in g.operations:
            out += operation_lines(doc, ref.site, examples_note=False) + ["", ""]
    return "\n".join(out).rstrip() + "\n"
