"""The documentation model: everything the reference says about an operation
(dataclasses), and building it from an
:class:`~openapi_dyn.Operation` (once, kept on the operation) and
the whole :class:`ReferenceDoc` from a client's spec.

It exists so that every format says the same things: the back ends
(:mod:`._pod`, :mod:`._markdown`, :mod:`._html`, :mod:`._text`, walked by
:mod:`._walk`) only format this model.  Descriptions stay CommonMark here;
each back end converts them with :mod:`._markup`.  Building the model is
cheap: no validator is imported.  The spec's own examples are collected as
candidates (:mod:`._examples`) and shown only once checked.
"""
from __future__ import annotations

import keyword
import re
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlsplit

from .._call.options import CALL_OPTIONS
from ._doc import (BodyDoc, MAX_DEPTH, MAX_VARIANTS_EXPANDED, OperationDoc, ParamDoc, PropertyDoc, ReferenceDoc, ResponseDoc, TagGroup, VariantDoc, _NO_DEFAULT)
from ._schemas import SchemaReader, constraints_of, is_array

# ------------------------------------------------------------------ helpers
def anchor_for(name: str, prefix: str = "op") -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "x"
    return f"{prefix}-{slug}"


def keyword_for(op, param) -> Optional[str]:
    """The keyword argument that addresses ``param`` in a call of ``op``
    (the spec name when it is a usable identifier, else its alias), or None."""
    from .._call.request import binder_for

    index = binder_for(op).index
    for name in (param.name, param.alias):
        if name.isidentifier() and not keyword.iskeyword(name) and index.get(name) is param \
                and name not in CALL_OPTIONS:
            return name
    return None


def site_of(spec) -> Optional[str]:
    """The documentation site that relative links in descriptions point into:
    ``externalDocs.url``'s origin, else that of the first documentation URL in
    ``info.description`` (``https://platform.openai.com/docs/...``)."""
    doc = spec.document
    url = (doc.get("externalDocs") or {}).get("url")
    if not url:
        m = re.search(r"https?://[^\s)>\]]+/docs\b", str((doc.get("info") or {}).get("description") or ""))
        url = m.group(0) if m else None
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


# ------------------------------------------------------- schemas as docs
class _Documenter(SchemaReader):
    """Turns the schemas of one operation into property and variant docs,
    describing each named schema in full once per operation."""

    def __init__(self, spec):
        super().__init__(spec)
        self.described: set = set()

    #: "readOnly" while documenting what is sent, "writeOnly" for answers:
    #: the properties that do not belong to that direction.
    hidden = "readOnly"

    def properties(self, node: Any, depth: int) -> List[PropertyDoc]:
        props, required = self.merged(node)
        out = []
        for name, sub in props.items():
            if self.resolve(sub).get(self.hidden) is True or (isinstance(sub, dict) and sub.get(self.hidden) is True):
                continue
            out.append(self.property(str(name), sub, name in required, depth))
        return out

    def property(self, name: str, node: Any, required: bool, depth: int) -> PropertyDoc:
        s = self.resolve(node)
        target = self.single(node)
        ts = self.resolve(target)
        description = str(s.get("description") or ts.get("description") or s.get("title") or "").strip()
        enum = s.get("enum") if isinstance(s.get("enum"), list) else ts.get("enum") if isinstance(ts.get("enum"), list) else None
        if enum is not None:
            enum = [e for e in enum if e is not None] or None
        doc = PropertyDoc(
            name=name, type=self.label(node), required=required, depth=depth,
            description=description,
            default=s["default"] if "default" in s else ts["default"] if "default" in ts else _NO_DEFAULT,
            enum=enum,
            const=s["const"] if "const" in s else ts["const"] if "const" in ts else _NO_DEFAULT,
            nullable=self.nullable(node), deprecated=bool(s.get("deprecated") or ts.get("deprecated")),
            read_only=bool(s.get("readOnly") or ts.get("readOnly")),
            format=ts.get("format") if isinstance(ts.get("format"), str) else None,
            schema_name=self.ref_name(target) or self.ref_name(node),
            constraints=constraints_of(ts),
        )
        self.expand(doc, target, depth)
        return doc

    def expand(self, doc, node: Any, depth: int) -> None:
        """Fill ``doc.properties`` / ``doc.variants`` for an object, an array of
        objects, or a choice of schemas."""
        s = self.resolve(node)
        if is_array(s):
            node = self.single(s.get("items") or {})
            s = self.resolve(node)
        name = self.ref_name(node)
        kind, variants = self.variants_of(node)
        props, _ = self.merged(node)
        if not kind and not props:
            return
        if name and name in self.described:
            doc.see_above = True
            return
        if depth >= MAX_DEPTH:
            doc.truncated = True
            if kind:
                doc.variant_kind = kind
                doc.variants = [self.variant(v, depth, expand=False) for v in variants]
            return
        if name:
            self.described.add(name)
        if kind:
            doc.variant_kind = kind
            expand = len(variants) <= MAX_VARIANTS_EXPANDED
            doc.variants = [self.variant(v, depth + 1, expand=expand) for v in variants]
        if props:
            doc.properties = self.properties(node, depth + 1)

    def variant(self, node: Any, depth: int, expand: bool = True) -> VariantDoc:
        s = self.resolve(node)
        name = self.ref_name(node) or str(s.get("title") or "") or self.label(node)
        v = VariantDoc(name=name, type=self.label(node),
                       description=str(s.get("description") or "").strip())
        ref = self.ref_name(node)
        props, _ = self.merged(node)
        if not expand or not props:
            return v
        if ref and ref in self.described:
            v.see_above = True
            return v
        if depth > MAX_DEPTH:
            return v
        if ref:
            self.described.add(ref)
        v.properties = self.properties(node, depth)
        return v


# -------------------------------------------------------------- operations
def document_operation(op) -> OperationDoc:
    """The :class:`OperationDoc` of ``op`` (built once, cached on it)."""
    return op.caches.reference_doc_or(_build)


def _build(op) -> OperationDoc:
    schemas = _Documenter(op.spec)
    params = []
    for p in op.parameters:
        s = p.schema
        enum = s.get("enum") if isinstance(s.get("enum"), list) else None
        if enum is None and s.get("type") == "array":
            items = schemas.resolve(s.get("items"))
            enum = items.get("enum") if isinstance(items.get("enum"), list) else None
        params.append(ParamDoc(
            name=p.name, keyword=keyword_for(op, p), location=p.location,
            type=schemas.label(p.raw.get("schema") if p.content_type is None else p.schema),
            required=p.required,
            description=(p.description or str(s.get("description") or "")).strip(),
            default=s["default"] if "default" in s else _NO_DEFAULT,
            example=p.example if p.example is not None else _NO_DEFAULT,
            enum=[e for e in enum if e is not None] if enum else None,
            deprecated=p.deprecated, format=s.get("format") if isinstance(s.get("format"), str) else None,
            constraints=constraints_of(s),
        ))
    bodies = []
    for mt, media in op.request_body.items():
        raw_schema = media.raw.get("schema")
        body = BodyDoc(media_type=mt, type=schemas.label(raw_schema) if raw_schema is not None else "any",
                       schema_name=media.schema_name,
                       description=str(media.schema.get("description") or "").strip())
        kind, variants = schemas.variants_of(raw_schema)
        if kind:
            body.variant_kind = kind
            body.variants = [schemas.variant(v, 1, expand=len(variants) <= MAX_VARIANTS_EXPANDED)
                             for v in variants]
        else:
            if media.schema_name:
                schemas.described.add(media.schema_name)
            body.properties = schemas.properties(raw_schema, 0)
            body.required_names = schemas.merged(raw_schema)[1]
        bodies.append(body)
    responses = []
    for status, resp in op.responses.items():
        content = []
        json_schema: Any = None
        for mt, media in resp["content"].items():
            raw_schema = media.raw.get("schema")
            label = schemas.label(raw_schema) if raw_schema is not None else "any"
            content.append((mt, label, media.schema_name))
            if json_schema is None and raw_schema is not None and _is_json(mt):
                json_schema = raw_schema
        r = ResponseDoc(status=status, description=resp["description"], content=content)
        if json_schema is not None and str(status)[:1] == "2":
            schemas.hidden = "writeOnly"
            try:
                _document_answer(schemas, r, json_schema)
            finally:
                schemas.hidden = "readOnly"
        responses.append(r)
    # The summary is CommonMark like any description (OpenAI's hold links and
    # bold text); its first paragraph is the summary, the rest (when there is
    # no description) the description.
    first, _, rest = op.summary.strip().partition("\n\n")
    summary = first.strip()
    rest = re.sub(r"^(?:\s*(?:-{3,}|\*{3,}|_{3,})[ \t]*(?:\n|$))+", "", rest.strip())  # a leading rule
    description = op.description or rest.strip()
    security = []
    for req in op.security:
        names = " + ".join(req) if req else "none"
        if names not in security:
            security.append(names)
    doc = OperationDoc(
        operation_id=op.operation_id,
        alias=op.alias if op.alias != op.operation_id else None,
        method=op.method, path=op.path, tags=op.tags, summary=summary,
        description=description,
        deprecated=op.deprecated, parameters=params, bodies=bodies,
        body_required=op.body_required, responses=responses, streams=op.streams,
        security=security, synopsis=[], examples=[], anchor=anchor_for(op.operation_id),
    )
    from ._examples import collect_examples
    from ._synopsis import call_code, synopsis

    doc.synopsis = synopsis(doc)
    doc.examples = collect_examples(op, doc)
    for example in doc.examples:
        example.code = call_code(doc, example.params, example.body if example.has_body else _NO_DEFAULT)
    return doc


def _is_json(media_type: str) -> bool:
    mt = media_type.split(";", 1)[0].strip().lower()
    return mt == "application/json" or mt.endswith("+json")


def _document_answer(schemas: _Documenter, r: ResponseDoc, node: Any) -> None:
    """Fill ``r`` with the fields of a successful JSON answer, as deep as a
    request body's and with its variants.  Error answers keep their schema
    name only: they share one envelope across the whole spec."""
    s = schemas.resolve(schemas.single(node))
    if is_array(s):
        r.items_of = schemas.label(node)
        node = schemas.single(s.get("items") or {})
    name = schemas.ref_name(schemas.single(node))
    if name and name in schemas.described:
        r.see_above = name
        return
    kind, variants = schemas.variants_of(node)
    if kind:
        r.variant_kind = kind
        r.variants = [schemas.variant(v, 1, expand=len(variants) <= MAX_VARIANTS_EXPANDED)
                      for v in variants]
        return
    if name:
        schemas.described.add(name)
    r.properties = schemas.properties(node, 0)


# ------------------------------------------------------------------ the spec
def _with_client_defaults(doc: OperationDoc, op, client) -> OperationDoc:
    """``doc`` with the values ``client`` sends by itself (its ``defaults=``,
    the profile's parameter rules: Anthropic's ``anthropic-version``) shown
    as the parameters' defaults; the shared ``doc`` is left as it is."""
    from dataclasses import replace

    from .._call.context import client_defaults

    given = {p.name: v for p, v in client_defaults(op, client).items()}
    if not given:
        return doc
    params = [replace(pd, default=given[pd.name]) if pd.name in given else pd for pd in doc.parameters]
    return replace(doc, parameters=params)


_VERSION_SEGMENT = re.compile(r"^v\d+([._-]?\w+)?$|^\d[\d.-]*$", re.I)


def path_group(path: str) -> Tuple[str, str]:
    """(group name, path prefix) for an untagged operation: its path's first
    segment that is neither a version (``v1``, ``2024-01-01``) nor a parameter:
    ``/v1/messages/batches`` -> ``("messages", "/v1/messages")``."""
    segments = path.split("?", 1)[0].strip("/").split("/")
    for n, seg in enumerate(segments):
        if seg and not seg.startswith("{") and not _VERSION_SEGMENT.match(seg):
            return seg, "/" + "/".join(segments[: n + 1])
    return "/", "/"


def document_spec(client, *, check: bool = True, progress=None) -> ReferenceDoc:
    """The :class:`ReferenceDoc` of ``client``'s spec: every operation once,
    grouped under its first tag in the order of the spec's ``tags`` list
    (then first use); untagged ones last under "Other", or, when no
    operation has a tag, by the first segment of their path
    (:func:`path_group`).  With ``check``, the
    examples are validated (this loads the validator)."""
    from ._examples import check_examples

    spec = client.spec
    ops = list(spec.operations.values())
    declared = [t.get("name") for t in (spec.document.get("tags") or []) if isinstance(t, dict)]
    tag_desc = {t.get("name"): str(t.get("description") or "") for t in (spec.document.get("tags") or [])
                if isinstance(t, dict)}
    order: Dict[str, List[OperationDoc]] = {}
    for name in declared:
        order.setdefault(str(name), [])
    untagged: List[OperationDoc] = []
    for n, op in enumerate(ops):
        doc = _with_client_defaults(document_operation(op), op, client)
        if check:
            check_examples(client, doc)
        if progress is not None:
            progress(n + 1, len(ops))
        if op.tags:
            order.setdefault(str(op.tags[0]), []).append(doc)
        else:
            untagged.append(doc)
    groups = [TagGroup(name, tag_desc.get(name, ""), docs, anchor_for(name, "tag"))
              for name, docs in order.items() if docs]
    if untagged and not groups:
        # No tags at all (Anthropic's spec): one group per resource instead
        # of a single "Other" holding everything.
        by_segment: Dict[str, List[OperationDoc]] = {}
        prefix: Dict[str, str] = {}
        for doc in untagged:
            name, head = path_group(doc.path)
            by_segment.setdefault(name, []).append(doc)
            prefix.setdefault(name, head)
        if len(by_segment) > 1:
            groups = [TagGroup(name, f"The operations on `{prefix[name]}`.", docs, anchor_for(name, "tag"))
                      for name, docs in by_segment.items()]
            untagged = []
    if untagged:
        name = "Other" if "Other" not in order else "Other operations"
        groups.append(TagGroup(name, "", untagged, anchor_for(name, "tag")))
    info = spec.info
    try:
        base_url = client.server_url()
    except Exception:
        base_url = ""
    return ReferenceDoc(
        title=spec.title, version=str(info.get("version") or ""),
        description=_with_derivation(str(info.get("description") or "").strip(), spec),
        spec_name=spec.bundled_name or _strip_prefix(spec.origin, "bundled:"), base_url=base_url,
        site=site_of(spec), groups=groups, source_format=getattr(spec, "source_format", "openapi-3.x"),
        openapi_version=str(getattr(spec, "version", "") or ""))


def _with_derivation(description: str, spec) -> str:
    """A vendor overlay's spec says what it was made from, first."""
    derived = getattr(spec, "derived_from", None)
    if not derived:
        return description
    return f"Made from {derived}.\n\n{description}".strip()


def _strip_prefix(text: str, prefix: str) -> str:
    return text[len(prefix):] if text.startswith(prefix) else text
