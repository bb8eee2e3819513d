"""The one walk over the documentation model that every format shares.

An operation is always told in the same order: its heading and facts, the
synopsis, the description, the parameters, each request body with its
fields and variants, the responses with the fields of a successful answer,
and the checked examples.  :class:`Walk` holds that order (and the recursion
through nested fields and ``oneOf``/``anyOf`` variants) once; a format is a
:class:`Backend` that answers a small set of hooks, each of which writes one
piece of the output in its own markup.  Hooks a format has no use for are
left as the no-ops below.
"""
from __future__ import annotations

from typing import Any, Callable, List, Optional

from ._facts import answer_lead, first_sentence, keyword_note, response_line, value_text
from ._doc import OperationDoc, ParamDoc, PropertyDoc, ResponseDoc, VariantDoc


class Backend:
    """The hooks :class:`Walk` calls, in the order it calls them.  ``open_*``
    and ``close_*`` come in pairs around what they hold, so a back end can
    keep its own nesting (indentation, list items, HTML elements)."""

    # -------------------------------------------------------- an operation
    def open_operation(self, doc: OperationDoc) -> None:
        """The heading, the summary, the route and its facts, ``Deprecated``."""

    def synopsis(self, lines: List[str]) -> None:
        """The calls with every required argument (Python source lines)."""

    def long_description(self, text: str) -> None:
        """The operation's description (CommonMark), when it is not the summary."""

    def open_parameters(self) -> None: ...

    def open_parameter(self, p: ParamDoc) -> None:
        """One parameter's head: its name and facts."""

    def keyword_note(self, note: str) -> None:
        """How to pass a parameter whose name is no Python keyword."""

    def example_value(self, value_text: str) -> None:
        """A parameter's example value, as Python source."""

    def close_parameter(self) -> None: ...

    def close_parameters(self) -> None: ...

    def open_body(self, doc: OperationDoc, body) -> None:
        """A request body's heading and facts."""

    def close_body(self) -> None: ...

    def open_responses(self) -> None: ...

    def open_response(self, r: ResponseDoc, content: List[str]) -> None:
        """One status: its media types (``content``)."""

    def answer_lead(self, text: str) -> None:
        """The sentence before an answer's fields."""

    def close_response(self) -> None: ...

    def close_responses(self) -> None: ...

    def examples(self, doc: OperationDoc, shown: list) -> None:
        """The checked examples (``shown``, possibly none) as calls."""

    def close_operation(self) -> None: ...

    # ------------------------------------------------- fields and variants
    def description(self, text: str) -> None:
        """A description (CommonMark) of what was opened last."""

    def enum(self, values: List[Any]) -> None:
        """The values allowed (never empty)."""

    def open_fields(self) -> None: ...

    def open_field(self, p: PropertyDoc) -> None:
        """One field's head: its name and facts."""

    def see_above(self, schema_name: Optional[str]) -> None:
        """The field's structure was described earlier in this operation."""

    def nested_elsewhere(self, schema_name: Optional[str]) -> None:
        """The field has more structure than the reference goes deep."""

    def close_field(self) -> None: ...

    def close_fields(self) -> None: ...

    def open_variants(self, kind: Optional[str]) -> None:
        """``oneOf`` ("One of these:") or ``anyOf`` ("Any of these:")."""

    def open_variant(self, v: VariantDoc) -> None:
        """One variant's head: its name, type, ``(described above)``."""

    def variant_lead(self, sentence: str) -> None:
        """The first sentence of a variant's description (plain text)."""

    def close_variant(self) -> None: ...

    def close_variants(self) -> None: ...


class Stacked(Backend):
    """A back end that builds its output on a stack of frames: the
    operation's pieces at the bottom (joined with :attr:`joiner`), what is
    open (a list, an item) above it."""

    joiner = "\n"

    def __init__(self, site: Optional[str], level: int = 3):
        self.site = site
        self.level = level
        self.frames: List[List[str]] = [[]]
        self.add = self.frames[0].append     # add(piece): onto the frame on top

    def open(self, *first: str) -> None:
        frame = list(first)
        self.frames.append(frame)
        self.add = frame.append

    def pop(self) -> List[str]:
        """The frame on top, taken off the stack.  Take it off before adding
        what is made of it: ``self.add(f(self.pop()))`` would look ``add`` up
        first, and add to the frame taken off."""
        frame = self.frames.pop()
        self.add = self.frames[-1].append
        return frame

    def text(self) -> str:
        return self.joiner.join(x for x in self.frames[0] if x)

    def long_description(self, text: str) -> None:
        self.description(text)


class Walk:
    """Walks operations (and their fields) through one :class:`Backend`."""

    def __init__(self, out: Backend):
        self.out = out

    def operation(self, doc: OperationDoc) -> None:
        out = self.out
        out.open_operation(doc)
        out.synopsis(doc.synopsis)
        if doc.description and doc.description != doc.summary:
            out.long_description(doc.description)
        if doc.parameters:
            out.open_parameters()
            for p in doc.parameters:
                self.parameter(p)
            out.close_parameters()
        for body in doc.bodies:
            out.open_body(doc, body)
            out.description(body.description)
            self.fields(body.properties)
            self.variants(body.variant_kind, body.variants)
            out.close_body()
        if doc.responses:
            out.open_responses()
            for r in doc.responses:
                self.response(r)
            out.close_responses()
        out.examples(doc, doc.valid_examples)
        out.close_operation()

    def parameter(self, p: ParamDoc) -> None:
        out = self.out
        out.open_parameter(p)
        note = keyword_note(p)
        if note:
            out.keyword_note(note)
        out.description(p.description)
        if p.enum:
            out.enum(p.enum)
        if p.has_example:
            out.example_value(value_text(p.example))
        out.close_parameter()

    def response(self, r: ResponseDoc) -> None:
        out = self.out
        out.open_response(r, response_line(r))
        out.description(r.description)
        lead = answer_lead(r)
        if lead:
            out.answer_lead(lead)
        self.fields(r.properties)
        self.variants(r.variant_kind, r.variants)
        out.close_response()

    def fields(self, props: List[PropertyDoc]) -> None:
        if not props:
            return
        out = self.out
        out.open_fields()
        for p in props:
            out.open_field(p)
            if p.description:
                out.description(p.description)
            if p.enum:
                out.enum(p.enum)
            if p.see_above:
                out.see_above(p.schema_name)
            if p.properties:
                self.fields(p.properties)
            if p.variants:
                self.variants(p.variant_kind, p.variants)
            elif p.truncated:
                out.nested_elsewhere(p.schema_name)
            out.close_field()
        out.close_fields()

    def variants(self, kind: Optional[str], variants: List[VariantDoc]) -> None:
        if not variants:
            return
        out = self.out
        out.open_variants(kind)
        for v in variants:
            out.open_variant(v)
            if v.properties:
                if v.description:
                    out.variant_lead(first_sentence(v.description))
                self.fields(v.properties)
            out.close_variant()
        out.close_variants()


def choice_lead(kind: Optional[str]) -> str:
    """"One of these:" for ``oneOf``, "Any of these:" for ``anyOf``."""
    return "One of these:" if kind == "oneOf" else "Any of these:"


def variant_head(v: VariantDoc, name: Callable[[str], str], type_: Callable[[str], str]) -> str:
    """``name (type)``, or the name alone when the type says no more; each
    marked up by its function."""
    return name(v.name) if v.name == v.type else f"{name(v.name)} ({type_(v.type)})"
