"""The reference as POD, in the shape of a Perl ``Methods.pod``: operations
grouped by tag (``=head1``), one ``=head2`` per operation, its parameters and
body properties as ``=over``/``=item`` lists.

The output passes ``podchecker`` without errors or warnings: ``<``/``>`` are
always written ``E<lt>``/``E<gt>``, a paragraph never opens with ``=`` or
whitespace unless it is meant as a command or verbatim block, lists are never
empty, and the file declares ``=encoding utf8``.
"""
from __future__ import annotations

from typing import Dict, List, Optional

from . import _model as model
from ._markup import pod_code, pod_escape, pod_paragraph, pod_verbatim, to_pod


def _head(level: int, text: str) -> str:
    return f"=head{min(level, 4)} {text}"


def _facts(facts: List[str]) -> str:
    return "I<" + pod_escape(", ".join(facts)) + ">"


def _enum(values) -> str:
    return "One of: " + ", ".join(pod_code(model.value_text(v)) for v in values[: model.MAX_ENUM_SHOWN]) + (
        f", ... ({len(values)} values)." if len(values) > model.MAX_ENUM_SHOWN else ".")


class _Writer:
    def __init__(self, site: Optional[str]):
        self.site = site
        self.out: List[str] = []

    def add(self, *paragraphs: str) -> None:
        self.out.extend(p for p in paragraphs if p)

    def desc(self, text: str) -> None:
        self.add(*to_pod(text, self.site))

    def properties(self, props: List[model.PropertyDoc]) -> None:
        if not props:
            return
        self.add("=over 4")
        for p in props:
            self.add(f"=item {pod_code(p.name)}", _facts(model.property_facts(p)))
            self.desc(p.description)
            if p.enum:
                self.add(_enum(p.enum))
            if p.see_above:
                self.add(pod_paragraph(f"Structure: {pod_escape(p.schema_name or 'the same schema')}, described above."))
            self.properties(p.properties)
            self.variants(p.variant_kind, p.variants)
            if p.truncated and not p.variants:
                self.add(pod_paragraph("Nested fields: see the schema"
                                       + (f" {pod_escape(p.schema_name)}." if p.schema_name else ".")))
        self.add("=back")

    def variants(self, kind: Optional[str], variants: List[model.VariantDoc]) -> None:
        if not variants:
            return
        self.add("One of these:" if kind == "oneOf" else "Any of these:", "=over 4")
        for v in variants:
            head = pod_escape(v.name if v.name == v.type else f"{v.name} ({v.type})")
            self.add(f"=item * {head}" + (" (described above)" if v.see_above else ""))
            if v.properties:
                if v.description:
                    from ._text import model_first_sentence

                    self.add(pod_paragraph(pod_escape(model_first_sentence(v.description))))
                self.properties(v.properties)
        self.add("=back")

    def operation(self, doc: model.OperationDoc, level: int) -> None:
        self.add(_head(level, pod_escape(doc.operation_id)))
        if doc.summary:
            self.desc(doc.summary)
        where = [f"{doc.method} {doc.path}"]
        if doc.alias:
            where.append(f"Method: client.{doc.alias}(...)")
        self.add(pod_verbatim("\n".join(where)))
        facts = []
        if doc.tags:
            facts.append("Tags: " + ", ".join(doc.tags) + ".")
        if doc.streams:
            facts.append("Streams server-sent events (text/event-stream).")
        if doc.security:
            facts.append("Authentication: " + " or ".join(doc.security) + ".")
        if facts:
            self.add(pod_paragraph(pod_escape(" ".join(facts))))
        if doc.deprecated:
            self.add("B<Deprecated.>")
        self.add(pod_verbatim("\n".join(doc.synopsis)))
        if doc.description and doc.description != doc.summary:
            self.desc(doc.description)
        if doc.parameters:
            self.add(_head(level + 1, "Parameters"), "=over 4")
            for p in doc.parameters:
                self.add(f"=item {pod_code(p.name)}", _facts(model.param_facts(p)))
                note = model.keyword_note(p)
                if note:
                    self.add(pod_paragraph(pod_escape(note[0].upper() + note[1:] + ".")))
                self.desc(p.description)
                if p.enum:
                    self.add(_enum(p.enum))
                if p.has_example:
                    self.add("Example: " + pod_code(model.value_text(p.example)))
            self.add("=back")
        for body in doc.bodies:
            self.add(_head(level + 1, "Request body: " + pod_escape(body.media_type)),
                     _facts(model.body_heading_facts(doc, body)))
            self.desc(body.description)
            self.properties(body.properties)
            self.variants(body.variant_kind, body.variants)
        if doc.responses:
            self.add(_head(level + 1, "Responses"), "=over 4")
            for r in doc.responses:
                self.add(f"=item {pod_code(r.status)}")
                content = model.response_line(r)
                if content:
                    self.add(pod_paragraph(pod_escape("; ".join(content))))
                self.desc(r.description)
                if not content and not r.description:
                    self.add("No body.")
                lead = model.answer_lead(r)
                if lead:
                    self.add(pod_paragraph(pod_escape(lead)))
                self.properties(r.properties)
                self.variants(r.variant_kind, r.variants)
            self.add("=back")
        shown = doc.valid_examples
        if shown:
            self.add(_head(level + 1, "Examples"))
            for ex in shown:
                self.add(pod_paragraph(pod_escape(ex.title) + ":"), pod_verbatim(doc.example_code(ex)))


def _preamble(ref: model.ReferenceDoc, title: str) -> List[str]:
    w = _Writer(ref.site)
    w.add("=encoding utf8", "=head1 NAME", pod_paragraph(pod_escape(title)))
    first = ref.operations[0] if ref.operations else None
    synopsis = ["from openapi_dyn import Client", "", f"client = Client({model.py_literal(ref.spec_name)})"]
    if first is not None:
        synopsis += first.synopsis_statements[0].split("\n")
    w.add("=head1 SYNOPSIS", pod_verbatim("\n".join(synopsis)))
    w.add("=head1 DESCRIPTION")
    w.desc(ref.description)
    w.add(pod_paragraph(pod_escape(
        f"The operations of {ref.title} {ref.version}, as called with openapi_dyn: "
        f"{len(ref.operations)} operations in {len(ref.groups)} group{'' if len(ref.groups) == 1 else 's'}. "
        f"Base URL: {ref.base_url}.")))
    w.add(pod_paragraph("Each method is called as C<client.call(\"operationId\", ...)> or "
                        "C<client.operationId(...)>; parameters are keyword arguments, the request "
                        "body is C<body=>. Every call is validated against the spec before it is sent."))
    return w.out


def render(ref: model.ReferenceDoc, name: Optional[str] = None) -> str:
    """The whole reference as one POD document.  ``name`` (a man page's
    name) makes NAME read ``name - title...``, as ``mandb`` expects."""
    title = f"{ref.title} - method reference for openapi_dyn"
    if name:
        title = f"{name} - {ref.title} {ref.version}, method reference for openapi_dyn".replace("  ", " ")
    out = _preamble(ref, title)
    for g in ref.groups:
        out += render_group(ref, g, level=1)
    out.append("=cut")
    return "\n\n".join(out) + "\n"


def render_group(ref: model.ReferenceDoc, group: model.TagGroup, level: int = 1) -> List[str]:
    w = _Writer(ref.site)
    w.add(_head(level, pod_escape(group.name)))
    w.desc(group.description)
    for doc in group.operations:
        w.operation(doc, level + 1)
    return w.out


def render_split(ref: model.ReferenceDoc, stem: str) -> Dict[str, str]:
    """One POD file per tag plus an index, for large specs:
    ``{"<stem>.pod": index, "<stem>/<Tag>.pod": ...}``."""
    files: Dict[str, str] = {}
    index = _preamble(ref, f"{ref.title} - method reference for openapi_dyn (index)")
    index += ["=head1 GROUPS", "=over 4"]
    for g in ref.groups:
        name = model.anchor_for(g.name, "").lstrip("-")
        path = f"{stem}/{name}.pod"
        body = ["=encoding utf8", "=head1 NAME",
                pod_paragraph(pod_escape(f"{ref.title}: {g.name} - method reference for openapi_dyn"))]
        body += render_group(ref, g, level=1) + ["=cut"]
        files[path] = "\n\n".join(body) + "\n"
        ops = ", ".join(pod_code(d.operation_id) for d in g.operations)
        index += [f"=item {pod_escape(g.name)}", pod_paragraph(f"File {pod_escape(path)}: {ops}")]
    index += ["=back", "=cut"]
    files[f"{stem}.pod"] = "\n\n".join(index) + "\n"
    return files


def render_operation(doc: model.OperationDoc, site: Optional[str] = None) -> str:
    """One operation as a standalone POD document."""
    w = _Writer(site)
    w.add("=encoding utf8")
    w.operation(doc, 1)
    w.add("=cut")
    return "\n\n".join(w.out) + "\n"
