"""The reference as one Markdown document: a table of contents, then the
operations grouped by tag, each with an explicit anchor (``#op-createRun``).

The order of what is said is :mod:`._walk`'s; this module is only
Markdown's markup for it: nested lists whose items hold their blocks
indented under them.
"""
from __future__ import annotations

from typing import List, Optional

from . import _model as model
from ._facts import body_heading_facts, one_of, param_facts, property_facts, route_facts, source_note
from ._markup import md_code, md_escape, to_markdown
from ._synopsis import py_literal
from ._walk import Stacked, Walk, choice_lead, variant_head


def _indent(text: str, pad: str) -> str:
    return "\n".join(pad + line if line else "" for line in text.split("\n"))


def _item(head: str, blocks: List[str]) -> str:
    """A list item: ``- head`` and its blocks indented under it."""
    body = "\n\n".join(b for b in blocks if b)
    return f"- {head}" + ("\n\n" + _indent(body, "  ") if body else "")


def _list(items: List[str]) -> str:
    """Items one a line while each is one line, else a blank line apart."""
    return "\n".join(items) if all("\n" not in i for i in items) else "\n\n".join(items)


def _facts(facts: List[str]) -> str:
    return "(" + md_escape(", ".join(facts)) + ")"


class _Markdown(Stacked):
    """Blocks on a stack of frames: the operation's blocks at the bottom, a
    list's items or an item's head and blocks above it."""

    joiner = "\n\n"

    def close_item(self) -> None:
        head, *blocks = self.pop()
        self.add(_item(head, blocks))

    def close_list(self) -> None:
        items = self.pop()
        self.add(_list(items))

    def description(self, text: str) -> None:
        self.add(to_markdown(text, self.site))

    def open_operation(self, doc: model.OperationDoc) -> None:
        self.add(f'<a id="{doc.anchor}"></a>')
        self.add(f"{'#' * self.level} {md_code(doc.operation_id)}")
        self.description(doc.summary)
        facts = route_facts(doc, md_code(f"{doc.method} {doc.path}"), md_code, md_escape)
        self.add(" · ".join(facts))
        if doc.deprecated:
            self.add("**Deprecated.**")

    def synopsis(self, lines: List[str]) -> None:
        self.add("```python\n" + "\n".join(lines) + "\n```")

    def section(self, title: str) -> None:
        self.add(f"{'#' * (self.level + 1)} {title}")

    def open_parameters(self) -> None:
        self.section("Parameters")
        self.open()

    def open_parameter(self, p: model.ParamDoc) -> None:
        self.open(f"{md_code(p.name)} {_facts(param_facts(p))}")

    def keyword_note(self, note: str) -> None:
        self.add(md_escape(note[0].upper() + note[1:] + "."))

    def example_value(self, value_text: str) -> None:
        self.add("Example: " + md_code(value_text))

    close_parameter = close_field = close_variant = close_response = close_item

    def close_parameters(self) -> None:
        items = self.pop()
        self.add("\n\n".join(items))

    def open_body(self, doc: model.OperationDoc, body: model.BodyDoc) -> None:
        self.section(f"Request body: {md_escape(body.media_type)}")
        self.add(_facts(body_heading_facts(doc, body)))

    def open_responses(self) -> None:
        self.section("Responses")
        self.open()

    def open_response(self, r: model.ResponseDoc, content: List[str]) -> None:
        self.open(md_code(r.status) + (" " + md_escape("; ".join(content)) if content else ""))

    def answer_lead(self, text: str) -> None:
        self.add(md_escape(text))

    close_responses = close_fields = close_list

    def examples(self, doc: model.OperationDoc, shown: list) -> None:
        if shown:
            self.section("Examples")
        for ex in shown:
            self.add(md_escape(ex.title) + ":")
            self.add("```python\n" + doc.example_code(ex) + "\n```")

    def enum(self, values) -> None:
        self.add(one_of(values, md_code, "…"))

    def open_fields(self) -> None:
        self.open()

    def open_field(self, p: model.PropertyDoc) -> None:
        self.open(f"{md_code(p.name)} {_facts(property_facts(p))}")

    def see_above(self, schema_name: Optional[str]) -> None:
        self.add(f"Structure: {md_escape(schema_name or 'the same schema')}, described above.")

    def nested_elsewhere(self, schema_name: Optional[str]) -> None:
        self.add("Nested fields: see the schema" + (f" {md_escape(schema_name)}." if schema_name else "."))

    def open_variants(self, kind: Optional[str]) -> None:
        self.open(choice_lead(kind))

    def open_variant(self, v: model.VariantDoc) -> None:
        head = variant_head(v, lambda name: f"**{md_escape(name)}**", md_escape)
        self.open(head + (" (described above)" if v.see_above else ""))

    def variant_lead(self, sentence: str) -> None:
        self.add(md_escape(sentence))

    def close_variants(self) -> None:
        lead, *items = self.pop()
        self.add(lead + "\n\n" + "\n\n".join(items))


def _operation(doc: model.OperationDoc, site: Optional[str], level: int) -> str:
    md = _Markdown(site, level)
    Walk(md).operation(doc)
    return md.text()


def render(ref: model.ReferenceDoc) -> str:
    """The whole reference as one Markdown document."""
    out = [f"# {md_escape(ref.title)} {md_escape(ref.version)} — method reference".strip()]
    if ref.description:
        out.append(to_markdown(ref.description, ref.site))
    out.append(f"Base URL: {md_code(ref.base_url)} · {len(ref.operations)} operations. {source_note(ref)} "
               f"Call any of them as `client.call(\"operationId\", ...)` or `client.operationId(...)` "
               f"with `client = Client({md_escape(py_literal(ref.spec_name))})`.")
    toc = ["## Contents", ""]
    for g in ref.groups:
        toc.append(f"- [{md_escape(g.name)}](#{g.anchor})")
        for d in g.operations:
            summary = f" — {md_escape(d.summary_text)}" if d.summary else ""
            toc.append(f"  - [{md_escape(d.operation_id)}](#{d.anchor}){summary}")
    out.append("\n".join(toc))
    for g in ref.groups:
        out.append(f'<a id="{g.anchor}"></a>\n\n## {md_escape(g.name)}')
        if g.description:
            out.append(to_markdown(g.description, ref.site))
        for d in g.operations:
            out.append(_operation(d, ref.site, 3))
    return "\n\n".join(out) + "\n"


def render_operation(doc: model.OperationDoc, site: Optional[str] = None) -> str:
    return _operation(doc, site, 1) + "\n"
