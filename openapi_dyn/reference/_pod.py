"""The reference as POD, in the shape of a Perl ``Methods.pod``: operations
grouped by tag (``=head1``), one ``=head2`` per operation, its parameters and
body properties as ``=over``/``=item`` lists.

The output passes ``podchecker`` without errors or warnings: ``<``/``>`` are
always written ``E<lt>``/``E<gt>``, a paragraph never opens with ``=`` or
whitespace unless it is meant as a command or verbatim block, lists are never
empty, and the file declares ``=encoding utf8``.  The order of what is said
is :mod:`._walk`'s; this module is only POD's markup for it.
"""
from __future__ import annotations

from typing import Dict, List, Optional

from . import _model as model
from ._facts import body_heading_facts, one_of, param_facts, property_facts, source_note
from ._markup import pod_code, pod_escape, pod_paragraph, pod_verbatim, to_pod
from ._synopsis import py_literal
from ._walk import Backend, Walk, choice_lead, variant_head


def _head(level: int, text: str) -> str:
    return f"=head{min(level, 4)} {text}"


def _facts(facts: List[str]) -> str:
    return "I<" + pod_escape(", ".join(facts)) + ">"


def _plain(text: str) -> str:
    return pod_paragraph(pod_escape(text))


class _Pod(Backend):
    """POD paragraphs in ``out`` (joined with blank lines by the caller)."""

    def __init__(self, site: Optional[str], level: int = 2):
        self.site = site
        self.level = level
        self.out: List[str] = []

    def add(self, *paragraphs: str) -> None:
        self.out.extend(p for p in paragraphs if p)

    def description(self, text: str) -> None:
        self.add(*to_pod(text, self.site))

    long_description = description

    def open_operation(self, doc: model.OperationDoc) -> None:
        self.add(_head(self.level, pod_escape(doc.operation_id)))
        self.description(doc.summary)
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
            self.add(_plain(" ".join(facts)))
        if doc.deprecated:
            self.add("B<Deprecated.>")

    def synopsis(self, lines: List[str]) -> None:
        self.add(pod_verbatim("\n".join(lines)))

    def open_parameters(self) -> None:
        self.add(_head(self.level + 1, "Parameters"), "=over 4")

    def open_parameter(self, p: model.ParamDoc) -> None:
        self.add(f"=item {pod_code(p.name)}", _facts(param_facts(p)))

    def keyword_note(self, note: str) -> None:
        self.add(_plain(note[0].upper() + note[1:] + "."))

    def example_value(self, value_text: str) -> None:
        self.add("Example: " + pod_code(value_text))

    def close_parameters(self) -> None:
        self.add("=back")

    def open_body(self, doc: model.OperationDoc, body: model.BodyDoc) -> None:
        self.add(_head(self.level + 1, "Request body: " + pod_escape(body.media_type)),
                 _facts(body_heading_facts(doc, body)))

    def open_responses(self) -> None:
        self.add(_head(self.level + 1, "Responses"), "=over 4")

    def open_response(self, r: model.ResponseDoc, content: List[str]) -> None:
        self.add(f"=item {pod_code(r.status)}")
        if content:
            self.add(_plain("; ".join(content)))
        elif not r.description:
            self.add("No body.")

    def answer_lead(self, text: str) -> None:
        self.add(_plain(text))

    close_responses = close_parameters

    def examples(self, doc: model.OperationDoc, shown: list) -> None:
        if shown:
            self.add(_head(self.level + 1, "Examples"))
        for ex in shown:
            self.add(pod_paragraph(pod_escape(ex.title) + ":"), pod_verbatim(doc.example_code(ex)))

    def enum(self, values) -> None:
        self.add(one_of(values, pod_code) + ".")

    def open_fields(self) -> None:
        self.add("=over 4")

    def open_field(self, p: model.PropertyDoc) -> None:
        self.add(f"=item {pod_code(p.name)}", _facts(property_facts(p)))

    def see_above(self, schema_name: Optional[str]) -> None:
        self.add(pod_paragraph(f"Structure: {pod_escape(schema_name or 'the same schema')}, described above."))

    def nested_elsewhere(self, schema_name: Optional[str]) -> None:
        self.add(pod_paragraph("Nested fields: see the schema" + (f" {pod_escape(schema_name)}." if schema_name else ".")))

    close_fields = close_variants = close_parameters

    def open_variants(self, kind: Optional[str]) -> None:
        self.add(choice_lead(kind), "=over 4")

    def open_variant(self, v: model.VariantDoc) -> None:
        head = variant_head(v, pod_escape, pod_escape)
        self.add(f"=item * {head}" + (" (described above)" if v.see_above else ""))

    def variant_lead(self, sentence: str) -> None:
        self.add(_plain(sentence))


def _operation(doc: model.OperationDoc, site: Optional[str], level: int) -> List[str]:
    pod = _Pod(site, level)
    Walk(pod).operation(doc)
    return pod.out


def _preamble(ref: model.ReferenceDoc, title: str) -> List[str]:
    w = _Pod(ref.site)
    w.add("=encoding utf8", "=head1 NAME", _plain(title))
    first = ref.operations[0] if ref.operations else None
    synopsis = ["from openapi_dyn import Client", "", f"client = Client({py_literal(ref.spec_name)})"]
    if first is not None:
        synopsis += first.synopsis_statements[0].split("\n")
    w.add("=head1 SYNOPSIS", pod_verbatim("\n".join(synopsis)))
    w.add("=head1 DESCRIPTION")
    w.description(ref.description)
    w.add(_plain(
        f"The operations of {ref.title} {ref.version}, as called with openapi_dyn: "
        f"{len(ref.operations)} operations in {len(ref.groups)} group{'' if len(ref.groups) == 1 else 's'}. "
        f"Base URL: {ref.base_url}. {source_note(ref)}"))
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
    w = _Pod(ref.site)
    w.add(_head(level, pod_escape(group.name)))
    w.description(group.description)
    for doc in group.operations:
        w.out += _operation(doc, ref.site, level + 1)
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
                _plain(f"{ref.title}: {g.name} - method reference for openapi_dyn")]
        body += render_group(ref, g, level=1) + ["=cut"]
        files[path] = "\n\n".join(body) + "\n"
        ops = ", ".join(pod_code(d.operation_id) for d in g.operations)
        index += [f"=item {pod_escape(g.name)}", pod_paragraph(f"File {pod_escape(path)}: {ops}")]
    index += ["=back", "=cut"]
    files[f"{stem}.pod"] = "\n\n".join(index) + "\n"
    return files


def render_operation(doc: model.OperationDoc, site: Optional[str] = None) -> str:
    """One operation as a standalone POD document."""
    return "\n\n".join(["=encoding utf8", *_operation(doc, site, 1), "=cut"]) + "\n"
