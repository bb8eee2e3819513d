"""The reference as one Markdown document: a table of contents, then the
operations grouped by tag, each with an explicit anchor (``#op-createRun``)."""
from __future__ import annotations

from typing import List, Optional

from . import _model as model
from ._markup import md_code, md_escape, to_markdown


def _indent(text: str, pad: str) -> str:
    return "\n".join(pad + line if line else "" for line in text.split("\n"))


def _item(head: str, blocks: List[str]) -> str:
    """A list item: ``- head`` and its blocks indented under it."""
    body = "\n\n".join(b for b in blocks if b)
    return f"- {head}" + ("\n\n" + _indent(body, "  ") if body else "")


def _facts(facts: List[str]) -> str:
    return "(" + md_escape(", ".join(facts)) + ")"


def _enum(values) -> str:
    return "One of: " + ", ".join(md_code(model.value_text(v)) for v in values[: model.MAX_ENUM_SHOWN]) + (
        f", … ({len(values)} values)" if len(values) > model.MAX_ENUM_SHOWN else "")


class _Writer:
    def __init__(self, site: Optional[str]):
        self.site = site

    def desc(self, text: str) -> str:
        return to_markdown(text, self.site)

    def properties(self, props: List[model.PropertyDoc]) -> str:
        items = []
        for p in props:
            blocks = [self.desc(p.description)]
            if p.enum:
                blocks.append(_enum(p.enum))
            if p.see_above:
                blocks.append(f"Structure: {md_escape(p.schema_name or 'the same schema')}, described above.")
            if p.properties:
                blocks.append(self.properties(p.properties))
            if p.variants:
                blocks.append(self.variants(p.variant_kind, p.variants))
            if p.truncated and not p.variants:
                blocks.append("Nested fields: see the schema" + (f" {md_escape(p.schema_name)}." if p.schema_name else "."))
            items.append(_item(f"{md_code(p.name)} {_facts(model.property_facts(p))}", blocks))
        return "\n".join(items) if all("\n" not in i for i in items) else "\n\n".join(items)

    def variants(self, kind: Optional[str], variants: List[model.VariantDoc]) -> str:
        items = []
        for v in variants:
            head = f"**{md_escape(v.name)}**" + ("" if v.name == v.type else f" ({md_escape(v.type)})")
            if v.see_above:
                head += " (described above)"
            blocks = []
            if v.properties:
                from ._text import model_first_sentence

                if v.description:
                    blocks.append(md_escape(model_first_sentence(v.description)))
                blocks.append(self.properties(v.properties))
            items.append(_item(head, blocks))
        lead = "One of these:" if kind == "oneOf" else "Any of these:"
        return lead + "\n\n" + "\n\n".join(items)

    def operation(self, doc: model.OperationDoc, level: int = 3) -> str:
        h = "#" * level
        out = [f'<a id="{doc.anchor}"></a>', f"{h} {md_code(doc.operation_id)}"]
        if doc.summary:
            out.append(self.desc(doc.summary))
        facts = [md_code(f"{doc.method} {doc.path}")]
        if doc.alias:
            facts.append(f"method {md_code('client.' + doc.alias)}")
        if doc.tags:
            facts.append("tags: " + md_escape(", ".join(doc.tags)))
        if doc.streams:
            facts.append("streams (text/event-stream)")
        if doc.security:
            facts.append("auth: " + md_escape(" or ".join(doc.security)))
        out.append(" · ".join(facts))
        if doc.deprecated:
            out.append("**Deprecated.**")
        out.append("```python\n" + "\n".join(doc.synopsis) + "\n```")
        if doc.description and doc.description != doc.summary:
            out.append(self.desc(doc.description))
        if doc.parameters:
            out.append(f"{h}# Parameters")
            items = []
            for p in doc.parameters:
                blocks = []
                note = model.keyword_note(p)
                if note:
                    blocks.append(md_escape(note[0].upper() + note[1:] + "."))
                blocks.append(self.desc(p.description))
                if p.enum:
                    blocks.append(_enum(p.enum))
                if p.has_example:
                    blocks.append("Example: " + md_code(model.value_text(p.example)))
                items.append(_item(f"{md_code(p.name)} {_facts(model.param_facts(p))}", blocks))
            out.append("\n\n".join(items))
        for body in doc.bodies:
            out.append(f"{h}# Request body: {md_escape(body.media_type)}")
            out.append(_facts(model.body_heading_facts(doc, body)))
            if body.description:
                out.append(self.desc(body.description))
            if body.properties:
                out.append(self.properties(body.properties))
            if body.variants:
                out.append(self.variants(body.variant_kind, body.variants))
        if doc.responses:
            out.append(f"{h}# Responses")
            items = []
            for r in doc.responses:
                content = model.response_line(r)
                head = md_code(r.status) + (" " + md_escape("; ".join(content)) if content else "")
                blocks = [self.desc(r.description)]
                lead = model.answer_lead(r)
                if lead:
                    blocks.append(md_escape(lead))
                if r.properties:
                    blocks.append(self.properties(r.properties))
                if r.variants:
                    blocks.append(self.variants(r.variant_kind, r.variants))
                items.append(_item(head, blocks))
            out.append("\n".join(items) if all("\n" not in i for i in items) else "\n\n".join(items))
        shown = doc.valid_examples
        if shown:
            out.append(f"{h}# Examples")
            for ex in shown:
                out.append(md_escape(ex.title) + ":")
                out.append("```python\n" + doc.example_code(ex) + "\n```")
        return "\n\n".join(x for x in out if x)


def render(ref: model.ReferenceDoc) -> str:
    """The whole reference as one Markdown document."""
    w = _Writer(ref.site)
    out = [f"# {md_escape(ref.title)} {md_escape(ref.version)} — method reference".strip()]
    if ref.description:
        out.append(w.desc(ref.description))
    out.append(f"Base URL: {md_code(ref.base_url)} · {len(ref.operations)} operations. "
               f"Call any of them as `client.call(\"operationId\", ...)` or `client.operationId(...)` "
               f"with `client = Client({md_escape(model.py_literal(ref.spec_name))})`.")
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
            out.append(w.desc(g.description))
        for d in g.operations:
            out.append(w.operation(d, 3))
    return "\n\n".join(out) + "\n"


def render_operation(doc: model.OperationDoc, site: Optional[str] = None) -> str:
    return _Writer(site).operation(doc, 1) + "\n"
