"""The facts of the documentation model as words, the same in every format:
``(query, integer, optional, default 20)``, "One of: ...", how to pass a
parameter whose name is no keyword, what an answer's field list is of.

Each back end only marks these words up (code spans, italics, escaping);
saying them once keeps the five formats in agreement.
"""
from __future__ import annotations

import json
from typing import Any, Callable, List, Optional

from ._model import _NO_DEFAULT, BodyDoc, OperationDoc, ParamDoc, PropertyDoc, ReferenceDoc, ResponseDoc
from ._synopsis import py_literal

MAX_ENUM_SHOWN = 40


def value_text(value: Any) -> str:
    """A default, enum value or example as Python source, kept short."""
    text = py_literal(value, width=10_000)
    return text if len(text) <= 200 else text[:197] + "..."


def param_facts(p: ParamDoc) -> List[str]:
    """``["query", "integer", "optional", "default 20"]``."""
    facts = [p.location, p.type + (f" ({p.format})" if p.format else ""),
             "required" if p.required else "optional"]
    if p.deprecated:
        facts.append("deprecated")
    if p.has_default:
        facts.append("default " + value_text(p.default))
    facts += p.constraints
    return facts


def property_facts(p: PropertyDoc) -> List[str]:
    facts = [p.type + (f" ({p.format})" if p.format else ""), "required" if p.required else "optional"]
    if p.nullable:
        facts.append("nullable")
    if p.deprecated:
        facts.append("deprecated")
    if p.const is not _NO_DEFAULT:
        facts.append("always " + value_text(p.const))
    if p.has_default:
        facts.append("default " + value_text(p.default))
    facts += p.constraints
    return facts


def one_of(values: Optional[List[Any]], code: Callable[[str], str] = str, ellipsis: str = "...") -> str:
    """``One of: "a", "b", ... (52 values)``: the first
    :data:`MAX_ENUM_SHOWN` values, each marked up by ``code``."""
    values = values or []
    shown = ", ".join(code(value_text(v)) for v in values[:MAX_ENUM_SHOWN])
    more = f", {ellipsis} ({len(values)} values)" if len(values) > MAX_ENUM_SHOWN else ""
    return f"One of: {shown}{more}"


def keyword_note(p: ParamDoc) -> str:
    """How to pass a parameter whose spec name is no Python keyword."""
    if p.keyword is None and p.address != p.name:
        return f"pass it as **{{{json.dumps(p.address)}: ...}}"
    if p.keyword is None:
        return f'pass it as **{{{json.dumps(p.name)}: ...}} or "{p.location}.{p.name}"'
    if p.keyword != p.name:
        return f"keyword argument: {p.keyword}"
    return ""


def body_heading_facts(doc: OperationDoc, body: BodyDoc) -> List[str]:
    facts = [body.media_type, "required" if doc.body_required else "optional"]
    if body.schema_name:
        facts.append("schema " + body.schema_name)
    elif body.type not in ("object", "any"):
        facts.append(body.type)
    if body.properties or body.variants:
        facts.append("fields also as keyword arguments")  # client.op(model=..., messages=...)
    return facts


def answer_lead(r: ResponseDoc) -> str:
    """The sentence before an answer's fields ("" when none are listed)."""
    if r.see_above:
        return f"Fields: those of {r.see_above}, described above."
    if not r.documented:
        return ""
    if r.items_of:
        return f"Fields of each item ({r.items_of}):"
    return "Fields:"


def route_facts(doc: OperationDoc, route: str, code: Callable[[str], str],
                escape: Callable[[str], str]) -> List[str]:
    """What a heading's line of facts says (Markdown, HTML): the route
    (marked up already), the method, tags, streaming, authentication."""
    facts = [route]
    if doc.alias:
        facts.append("method " + code("client." + doc.alias))
    if doc.tags:
        facts.append("tags: " + escape(", ".join(doc.tags)))
    if doc.streams:
        facts.append("streams (text/event-stream)")
    if doc.security:
        facts.append("auth: " + escape(" or ".join(doc.security)))
    return facts


def response_line(r: ResponseDoc) -> List[str]:
    """``["application/json: RunObject", ...]`` for one response."""
    return [f"{mt}: {name or label}" for mt, label, name in r.content]


def first_sentence(text: str) -> str:
    """The first sentence of a CommonMark text, as plain text (a variant's
    one-line introduction)."""
    from ._markup import inline_text

    line = inline_text(text)
    cut = line.find(". ")
    return line if cut < 0 else line[: cut + 1]


def source_note(ref: ReferenceDoc) -> str:
    """Which format the document came in: "Described in Swagger 2.0 (converted
    to OpenAPI 3.0 when loaded)." or "Described in OpenAPI 3.1." """
    version = f" {ref.openapi_version}" if ref.openapi_version else " 3"
    if ref.source_format == "swagger-2.0":
        return f"Described in Swagger 2.0 (converted to OpenAPI{version} when loaded)."
    if ref.source_format == "discovery":
        return f"Described in a Google Discovery document (converted to OpenAPI{version} when loaded)."
    return f"Described in OpenAPI{version}."
