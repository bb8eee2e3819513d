"""The reference as plain text, for the terminal and for ``help()``.

``render_operation(op)`` is what ``client.createRun.__doc__`` holds.  It builds
the documentation model only (fast: no validator is loaded), so the spec's
examples are listed only when they have been checked already; pass
``client=`` to check them first (``openapi-dyn show`` does).  The order of
what is said is :mod:`._walk`'s; this module lays it out as indented,
wrapped lines.
"""
from __future__ import annotations

import textwrap
from typing import List, Optional

from . import _model as model
from ._facts import body_heading_facts, one_of, param_facts, property_facts, source_note
from ._markup import to_text
from ._walk import Backend, Walk, choice_lead, variant_head

WIDTH = 78


def _desc(text: str, indent: int, site: Optional[str]) -> List[str]:
    if not text:
        return []
    body = to_text(text, site, width=WIDTH - indent)
    return [textwrap.indent(body, " " * indent).rstrip()] if body else []


class _Text(Backend):
    """Lines in ``out``; ``indents`` says how deep what is opened last sits."""

    def __init__(self, site: Optional[str], examples_note: bool = True):
        self.site = site
        self.examples_note = examples_note
        self.out: List[str] = []
        self.indents = [4]

    def line(self, text: str) -> None:
        self.out.append(" " * self.indents[-1] + text)

    def head(self, text: str, deeper: int) -> None:
        """A line at this depth; what follows sits ``deeper`` further in."""
        indent = self.indents[-1]
        self.out.append(" " * indent + text)
        self.indents.append(indent + deeper)

    def pop(self) -> None:
        self.indents.pop()

    def description(self, text: str) -> None:
        self.out += _desc(text, self.indents[-1], self.site)

    def open_operation(self, doc: model.OperationDoc) -> None:
        head = doc.operation_id + (f" - {doc.summary_text}" if doc.summary else "")
        self.out += [head, "=" * min(len(head), WIDTH), ""]
        self.line(f"{doc.method} {doc.path}")
        if doc.alias:
            self.line(f"Method: client.{doc.alias}(...)")
        if doc.tags:
            self.line("Tags: " + ", ".join(doc.tags))
        if doc.streams:
            self.line("Streams: yes (text/event-stream)")
        if doc.security:
            self.line("Auth: " + " or ".join(doc.security))
        if doc.deprecated:
            self.line("DEPRECATED")

    def section(self, title: str) -> None:
        self.out += ["", title]

    def synopsis(self, lines: List[str]) -> None:
        self.section("SYNOPSIS")
        for line in lines:
            self.line(line)

    def long_description(self, text: str) -> None:
        self.section("DESCRIPTION")
        self.description(text)

    def open_parameters(self) -> None:
        self.section("PARAMETERS")

    def open_parameter(self, p: model.ParamDoc) -> None:
        self.head(f"{p.name}  ({', '.join(param_facts(p))})", 4)

    def keyword_note(self, note: str) -> None:
        self.line(f"({note})")

    def example_value(self, value_text: str) -> None:
        self.line("Example: " + value_text)

    close_parameter = close_field = close_variant = close_response = close_body = close_variants = pop

    def open_body(self, doc: model.OperationDoc, body: model.BodyDoc) -> None:
        self.section(f"REQUEST BODY  ({', '.join(body_heading_facts(doc, body))})")
        self.indents.append(4)

    def open_responses(self) -> None:
        self.section("RESPONSES")

    def open_response(self, r: model.ResponseDoc, content: List[str]) -> None:
        self.head(f"{r.status}  " + ("; ".join(content) if content else "(no body)"), 4)

    def answer_lead(self, text: str) -> None:
        self.line(text)

    def examples(self, doc: model.OperationDoc, shown: list) -> None:
        if shown:
            self.section("EXAMPLES")
            for ex in shown:
                self.head(f"{ex.title}:", 4)
                for line in doc.example_code(ex).split("\n"):
                    self.line(line)
                self.pop()
                self.out.append("")
            self.out.pop()
        elif self.examples_note and any(e.valid is None for e in doc.examples):
            n = len(doc.examples)
            self.section("EXAMPLES")
            self.line(f"The spec has {n} example{'s' if n > 1 else ''} for this operation; they are shown")
            self.line(f"once checked against the spec: openapi-dyn show {doc.operation_id}")
            self.line(f"(or doc({doc.operation_id!r}) in openapi-dyn repl)")

    def enum(self, values) -> None:
        i = self.indents[-1]
        self.out += textwrap.wrap(one_of(values), WIDTH, initial_indent=" " * i,
                                  subsequent_indent=" " * (i + 4), break_long_words=False)

    def open_field(self, p: model.PropertyDoc) -> None:
        self.head(f"{p.name}  ({', '.join(property_facts(p))})", 4)

    def see_above(self, schema_name: Optional[str]) -> None:
        self.line(f"({schema_name or 'same structure'}: described above)")

    def nested_elsewhere(self, schema_name: Optional[str]) -> None:
        self.line("(nested fields: see the schema" + (f" {schema_name})" if schema_name else ")"))

    def open_variants(self, kind: Optional[str]) -> None:
        self.head(choice_lead(kind), 2)

    def open_variant(self, v: model.VariantDoc) -> None:
        self.head("- " + variant_head(v, str, str) + ("  (described above)" if v.see_above else ""), 4)

    variant_lead = description


def operation_lines(doc: model.OperationDoc, site: Optional[str] = None, *, examples_note: bool = True) -> List[str]:
    text = _Text(site, examples_note)
    Walk(text).operation(doc)
    return text.out


def render_operation(op, *, client=None, site: Optional[str] = None) -> str:
    """The plain-text reference of one operation.  With ``client``, the spec's
    examples are validated first and the passing ones included."""
    doc = model.document_operation(op)
    if client is not None:
        from ._examples import check_examples

        check_examples(client, doc)
    if site is None:
        site = model.site_of(op.spec)
    return "\n".join(operation_lines(doc, site)).rstrip() + "\n"


def render(ref: model.ReferenceDoc) -> str:
    """The whole reference as one text document."""
    out = [f"{ref.title} {ref.version}".strip(), "", f"Base URL: {ref.base_url}",
           f"Operations: {len(ref.operations)}", source_note(ref), ""]
    if ref.description:
        out += _desc(ref.description, 0, ref.site) + [""]
    for g in ref.groups:
        out += ["", "#" * WIDTH, f"# {g.name}", "#" * WIDTH, ""]
        if g.description:
            out += _desc(g.description, 0, ref.site) + [""]
        for doc in g.operations:
            out += operation_lines(doc, ref.site, examples_note=False) + ["", ""]
    return "\n".join(out).rstrip() + "\n"
