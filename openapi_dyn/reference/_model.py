"""The documentation model: everything the reference says about an operation,
built once from :class:`~openapi_dyn._operation.Operation` and formatted by the
renderers (:mod:`.pod`, :mod:`.markdown`, :mod:`.html`, :mod:`.text`).

Descriptions stay CommonMark here; each renderer converts them with
:mod:`.markup`.  Building the model is cheap: no validator is imported.  The
spec's own examples are collected as candidates and shown only after
:func:`check_examples` has run them through ``client.prepare``.
"""
from __future__ import annotations

import json
import keyword
import re
import shlex
from dataclasses import dataclass, field
from typing import Any, Dict, List, NamedTuple, Optional, Tuple
from urllib.parse import parse_qsl, urlsplit

from .._jsontype import json_type
from .._options import CALL_OPTIONS

#: How deep nested object properties are documented (0 = top-level only).
MAX_DEPTH = 2
#: More variants than this are listed by name only.
MAX_VARIANTS_EXPANDED = 12
_SCALARS = {"string", "integer", "number", "boolean", "null"}
_NO_DEFAULT = object()


@dataclass
class ParamDoc:
    """One parameter, as the reference shows it."""

    name: str
    keyword: Optional[str]          # the keyword argument (None: only **{name: ...})
    location: str
    type: str
    required: bool
    description: str = ""
    default: Any = _NO_DEFAULT
    example: Any = _NO_DEFAULT
    enum: Optional[List[Any]] = None
    deprecated: bool = False
    format: Optional[str] = None
    constraints: List[str] = field(default_factory=list)

    @property
    def has_default(self) -> bool:
        return self.default is not _NO_DEFAULT

    @property
    def has_example(self) -> bool:
        return self.example is not _NO_DEFAULT


@dataclass
class VariantDoc:
    """One ``oneOf``/``anyOf`` alternative: its name (schema name, title or
    type), description and, for objects, properties."""

    name: str
    type: str
    description: str = ""
    properties: List["PropertyDoc"] = field(default_factory=list)
    see_above: bool = False         # a named schema already described in this operation


@dataclass
class PropertyDoc:
    """One property of a request body (or of a nested object in it)."""

    name: str
    type: str
    required: bool
    depth: int
    description: str = ""
    default: Any = _NO_DEFAULT
    enum: Optional[List[Any]] = None
    const: Any = _NO_DEFAULT
    nullable: bool = False
    deprecated: bool = False
    read_only: bool = False
    format: Optional[str] = None
    schema_name: Optional[str] = None
    constraints: List[str] = field(default_factory=list)
    properties: List["PropertyDoc"] = field(default_factory=list)
    variant_kind: Optional[str] = None    # "oneOf" / "anyOf" when variants are listed
    variants: List[VariantDoc] = field(default_factory=list)
    see_above: bool = False
    truncated: bool = False               # has more structure below MAX_DEPTH

    @property
    def has_default(self) -> bool:
        return self.default is not _NO_DEFAULT


@dataclass
class BodyDoc:
    """The request body for one media type."""

    media_type: str
    type: str
    schema_name: Optional[str]
    description: str = ""
    properties: List[PropertyDoc] = field(default_factory=list)
    variant_kind: Optional[str] = None
    variants: List[VariantDoc] = field(default_factory=list)
    required_names: List[str] = field(default_factory=list)


@dataclass
class ResponseDoc:
    """One response status: its media types and, for a successful JSON
    answer, its fields documented like a request body's (``properties``, or
    ``variants`` when the answer is one of several shapes; for an array,
    those of its items, ``items_of`` naming it)."""

    status: str
    description: str
    content: List[Tuple[str, str, Optional[str]]]   # (media type, type label, schema name)
    properties: List[PropertyDoc] = field(default_factory=list)  # top level of the JSON answer
    variant_kind: Optional[str] = None
    variants: List[VariantDoc] = field(default_factory=list)
    items_of: Optional[str] = None                  # "array[X]" when the fields are those of each item
    see_above: Optional[str] = None                 # the schema, already described in this operation

    @property
    def documented(self) -> bool:
        return bool(self.properties or self.variants or self.see_above)


@dataclass
class ExampleDoc:
    """An example call taken from the spec (``x-oaiMeta`` or an ``example``).
    ``valid`` is None until :func:`check_examples` has tried it."""

    title: str
    source: str
    params: Dict[str, Any]
    body: Any = _NO_DEFAULT
    valid: Optional[bool] = None
    problem: str = ""

    @property
    def has_body(self) -> bool:
        return self.body is not _NO_DEFAULT


@dataclass
class OperationDoc:
    """Everything the reference says about one operation."""

    operation_id: str
    alias: Optional[str]            # the method name when the operationId is no identifier
    method: str
    path: str
    tags: List[str]
    summary: str                    # CommonMark: the first paragraph of the spec's summary
    description: str
    deprecated: bool
    parameters: List[ParamDoc]
    bodies: List[BodyDoc]
    body_required: bool
    responses: List[ResponseDoc]
    streams: bool
    security: List[str]
    synopsis: List[str]
    examples: List[ExampleDoc]
    anchor: str

    @property
    def method_name(self) -> str:
        """The attribute that calls this operation (``client.<method_name>``)."""
        return self.alias or self.operation_id

    @property
    def summary_text(self) -> str:
        """The summary as one line of plain text of at most 100 characters
        (for headings and tables of contents)."""
        from ._markup import inline_text

        line = inline_text(self.summary)
        return line if len(line) <= 100 else line[:99].rstrip() + "…"

    @property
    def synopsis_statements(self) -> List[str]:
        """The synopsis as whole statements (``client.call(...)``, then
        ``client.<method>(...)``), each possibly spanning several lines."""
        out: List[str] = []
        for line in self.synopsis:
            if line.startswith("client.") or not out:
                out.append(line)
            else:
                out[-1] += "\n" + line
        return out

    @property
    def valid_examples(self) -> List[ExampleDoc]:
        return [e for e in self.examples if e.valid]

    def example_code(self, example: ExampleDoc) -> str:
        return call_code(self, example.params, example.body if example.has_body else _NO_DEFAULT)


@dataclass
class TagGroup:
    name: str
    description: str
    operations: List[OperationDoc]
    anchor: str


@dataclass
class ReferenceDoc:
    """The whole reference: the spec's facts and the operations grouped by
    tag (each operation once, under its first tag)."""

    title: str
    version: str
    description: str
    spec_name: str
    base_url: str
    site: Optional[str]
    groups: List[TagGroup]

    @property
    def operations(self) -> List[OperationDoc]:
        return [op for g in self.groups for op in g.operations]

    @property
    def stem(self) -> str:
        """A file name stem for this reference: the bundled spec's name, else
        the title (``pets`` for "Pets"), lowercase, safe in any file system."""
        name = self.spec_name
        if "/" in name or "\\" in name or name.endswith((".yaml", ".yml", ".json")):
            name = self.title
        return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-").lower() or "reference"


# ------------------------------------------------------------------ helpers
def anchor_for(name: str, prefix: str = "op") -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "x"
    return f"{prefix}-{slug}"


def keyword_for(op, param) -> Optional[str]:
    """The keyword argument that addresses ``param`` in a call of ``op``
    (the spec name when it is a usable identifier, else its alias), or None."""
    from .._request import binder_for

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


def py_literal(value: Any, indent: int = 0, width: int = 76) -> str:
    """``value`` (JSON data) as Python source, one line when it fits."""
    flat = _py_flat(value)
    if len(flat) + indent <= width or not isinstance(value, (dict, list)) or not value:
        return flat
    pad = " " * (indent + 4)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(str(k), ensure_ascii=False)}: {py_literal(v, indent + 4, width)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + ",\n" + " " * indent + "}"
    items = [pad + py_literal(v, indent + 4, width) for v in value]
    return "[\n" + ",\n".join(items) + ",\n" + " " * indent + "]"


def _py_flat(value: Any) -> str:
    if value is Ellipsis:
        return "..."
    if value is None:
        return "None"
    if value is True:
        return "True"
    if value is False:
        return "False"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)}: {_py_flat(v)}"
                               for k, v in value.items()) + "}"
    if isinstance(value, tuple):  # a file: (filename, content[, content type])
        return "(" + ", ".join(_py_flat(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(_py_flat(v) for v in value) + "]"
    if isinstance(value, bytes):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def call_code(doc: OperationDoc, params: Dict[str, Any], body: Any = _NO_DEFAULT,
              style: str = "both") -> str:
    """The Python for one call: ``client.call("op", a=1, body={...})`` and/or
    ``client.op(a=1, body={...})``."""
    by_name = {p.name: p for p in doc.parameters}
    args: List[Tuple[str, str]] = []
    extra: Dict[str, Any] = {}
    for name, value in params.items():
        p = by_name.get(name)
        kw = p.keyword if p is not None else (name if name.isidentifier() and not keyword.iskeyword(name) else None)
        if kw is None:
            extra[name] = value
        else:
            args.append((kw, value))
    if body is not _NO_DEFAULT:
        args.append(("body", body))

    def render(head: str) -> str:
        parts = [f"{k}={py_literal(v, 4)}" for k, v in args]
        if extra:
            parts.append("**" + py_literal(extra, 4))
        one = head + ", ".join(parts) + ")"
        if len(one) <= 76 and "\n" not in one:
            return one
        return head.rstrip() + "\n" + "".join(f"    {p},\n" for p in parts) + ")"

    out = []
    if style in ("both", "call"):
        first = f'client.call({json.dumps(doc.operation_id)}' + (", " if args or extra else "")
        out.append(render(first))
    if style in ("both", "method"):
        out.append(render(f"client.{doc.method_name}("))
    return "\n".join(out)


# --------------------------------------------------------------- the schema
class _Schemas:
    """Turns (possibly ``$ref``) schema nodes into labels and property docs,
    describing each named schema in full once per operation."""

    def __init__(self, spec):
        self.spec = spec
        self.described: set = set()

    def resolve(self, node: Any) -> Dict[str, Any]:
        try:
            out = self.spec.resolve(node)
        except Exception:
            return {}
        return out if isinstance(out, dict) else {}

    @staticmethod
    def ref_name(node: Any) -> Optional[str]:
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if "/components/schemas/" in ref or ref.startswith("#/definitions/"):
                return ref.rsplit("/", 1)[-1]
        return None

    def non_null(self, variants: List[Any]) -> Tuple[List[Any], bool]:
        kept, nullable = [], False
        for v in variants:
            r = self.resolve(v)
            if r.get("type") == "null" or r.get("enum") == [None]:
                nullable = True
            else:
                kept.append(v)
        return kept, nullable

    def label(self, node: Any, _depth: int = 0) -> str:
        if _depth > 6:
            return "any"
        name = self.ref_name(node)
        s = self.resolve(node)
        if name:
            inner = self.label(s, _depth + 1)
            return inner if inner in _SCALARS else name
        for kind in ("oneOf", "anyOf"):
            if isinstance(s.get(kind), list):
                kept, nullable = self.non_null(s[kind])
                labels = []
                for v in kept:
                    lab = self.label(v, _depth + 1)
                    if lab not in labels:
                        labels.append(lab)
                if len(labels) > 4:
                    text = f"{kind}[{len(labels)} variants]"
                else:
                    text = " | ".join(labels) or "any"
                return text
        if isinstance(s.get("allOf"), list):
            parts = s["allOf"]
            if len(parts) == 1:
                return self.label(parts[0], _depth + 1)
            return "object"
        t = s.get("type")
        if isinstance(t, list):
            kept = [str(x) for x in t if x != "null"]
            if kept == ["array"]:
                return f"array[{self.label(s.get('items'), _depth + 1)}]"
            return " | ".join(kept) or "null"
        if t == "array":
            return f"array[{self.label(s.get('items'), _depth + 1)}]"
        if t:
            return str(t)
        if "const" in s:
            return json_type(s["const"], "any")
        if isinstance(s.get("enum"), list) and s["enum"]:
            first = next((e for e in s["enum"] if e is not None), None)
            return "any" if first is None else json_type(first, "any")
        if "properties" in s:
            return "object"
        return "any"

    def nullable(self, node: Any) -> bool:
        s = self.resolve(node)
        if s.get("nullable") is True:
            return True
        t = s.get("type")
        if isinstance(t, list) and "null" in t:
            return True
        for kind in ("oneOf", "anyOf"):
            if isinstance(s.get(kind), list) and self.non_null(s[kind])[1]:
                return True
        return False

    def merged(self, node: Any, _depth: int = 0) -> Tuple[Dict[str, Any], List[str]]:
        """Properties and required names of an object schema, ``allOf``
        members merged in order."""
        s = self.resolve(node)
        props: Dict[str, Any] = {}
        required: List[str] = []
        if _depth < 8:
            for part in s.get("allOf") or []:
                p, r = self.merged(part, _depth + 1)
                props.update(p)
                required += [x for x in r if x not in required]
        props.update(s.get("properties") or {})
        required += [x for x in (s.get("required") or []) if x not in required]
        return props, required

    def variants_of(self, node: Any) -> Tuple[Optional[str], List[Any]]:
        """(``"oneOf"``/``"anyOf"``, alternatives without ``null``) when the
        schema really offers a choice, else (None, [])."""
        s = self.resolve(node)
        for kind in ("oneOf", "anyOf"):
            if isinstance(s.get(kind), list):
                kept, _ = self.non_null(s[kind])
                if len(kept) >= 2:
                    return kind, kept
                if len(kept) == 1:
                    return self.variants_of(kept[0])
        if isinstance(s.get("allOf"), list) and len(s["allOf"]) == 1:
            return self.variants_of(s["allOf"][0])
        return None, []

    def single(self, node: Any) -> Any:
        """``anyOf: [X, null]`` -> X; allOf of one -> it."""
        s = self.resolve(node)
        for kind in ("oneOf", "anyOf"):
            if isinstance(s.get(kind), list):
                kept, _ = self.non_null(s[kind])
                if len(kept) == 1:
                    return self.single(kept[0])
        if isinstance(s.get("allOf"), list) and len(s["allOf"]) == 1 and "properties" not in s:
            return self.single(s["allOf"][0])
        return node

    #: "readOnly" while documenting what is sent, "writeOnly" for answers:
    #: the properties that do not belong to that direction.
    hidden = "readOnly"

    def properties(self, node: Any, depth: int) -> List["PropertyDoc"]:
        props, required = self.merged(node)
        out = []
        for name, sub in props.items():
            if self.resolve(sub).get(self.hidden) is True or (isinstance(sub, dict) and sub.get(self.hidden) is True):
                continue
            out.append(self.property(str(name), sub, name in required, depth))
        return out

    def property(self, name: str, node: Any, required: bool, depth: int) -> "PropertyDoc":
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
        if s.get("type") == "array" or (isinstance(s.get("type"), list) and "array" in s["type"]):
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


def constraints_of(s: Dict[str, Any]) -> List[str]:
    out = []
    for key, text in (("minimum", ">= {}"), ("maximum", "<= {}"), ("exclusiveMinimum", "> {}"),
                      ("exclusiveMaximum", "< {}"), ("minLength", "at least {} characters"),
                      ("maxLength", "at most {} characters"), ("minItems", "at least {} items"),
                      ("maxItems", "at most {} items"), ("pattern", "matches {}"),
                      ("multipleOf", "multiple of {}")):
        v = s.get(key)
        if v is not None and not isinstance(v, bool):
            out.append(text.format(v))
    return out


# -------------------------------------------------------------- operations
def document_operation(op) -> OperationDoc:
    """The :class:`OperationDoc` of ``op`` (built once, cached on it)."""
    return op.caches.reference_doc_or(_build)


def _build(op) -> OperationDoc:
    schemas = _Schemas(op.spec)
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
    doc.synopsis = _synopsis(doc)
    doc.examples = _examples(op, doc)
    return doc


def _is_json(media_type: str) -> bool:
    mt = media_type.split(";", 1)[0].strip().lower()
    return mt == "application/json" or mt.endswith("+json")


def _document_answer(schemas: "_Schemas", r: ResponseDoc, node: Any) -> None:
    """Fill ``r`` with the fields of a successful JSON answer, as deep as a
    request body's and with its variants.  Error answers keep their schema
    name only: they share one envelope across the whole spec."""
    s = schemas.resolve(schemas.single(node))
    if s.get("type") == "array" or (isinstance(s.get("type"), list) and "array" in s["type"]):
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


def _placeholder(p: ParamDoc) -> Any:
    if p.has_example:
        return p.example
    if p.enum:
        return p.enum[0]
    if p.has_default:
        return p.default
    return ...


def _body_placeholder(body: BodyDoc) -> Any:
    if body.media_type.startswith("multipart/") or body.media_type.startswith("application/x-www-form"):
        out: Dict[str, Any] = {}
        for prop in body.properties:
            if prop.required:
                out[prop.name] = ...
        return out
    if body.type in ("string",) and not body.properties:
        return ...
    if body.properties or body.type == "object":
        out = {}
        for prop in body.properties:
            if prop.required:
                if prop.const is not _NO_DEFAULT:
                    out[prop.name] = prop.const
                elif prop.enum and len(prop.enum) == 1:
                    out[prop.name] = prop.enum[0]
                else:
                    out[prop.name] = ...
        return out
    return ...


def _synopsis(doc: OperationDoc) -> List[str]:
    """``client.call(...)`` and ``client.<method>(...)`` with every required
    argument (``...`` where the caller must fill in a value) and the optional
    parameters that have a default, to show their names."""
    params: Dict[str, Any] = {}
    for p in doc.parameters:
        if p.required:
            params[p.name] = _placeholder(p)
    optional = [p for p in doc.parameters if not p.required and (p.has_default or p.has_example)
                and p.keyword and not p.deprecated]
    for p in optional[:3]:
        params[p.name] = p.example if p.has_example else p.default
    body: Any = _NO_DEFAULT
    if doc.bodies:
        b = doc.bodies[0]
        if doc.body_required or any(x.required for x in b.properties):
            body = _body_placeholder(b)
    return call_code(doc, params, body).split("\n")


# ---------------------------------------------------------------- examples
def _examples(op, doc: OperationDoc) -> List[ExampleDoc]:
    out: List[ExampleDoc] = []
    meta = op.raw.get("x-oaiMeta")
    if isinstance(meta, dict):
        exs = meta.get("examples")
        exs = exs if isinstance(exs, list) else [exs] if isinstance(exs, dict) else []
        for i, ex in enumerate(exs):
            if not isinstance(ex, dict):
                continue
            req = ex.get("request")
            curl = req.get("curl") if isinstance(req, dict) else req if isinstance(req, str) else None
            if not isinstance(curl, str):
                continue
            parsed = example_from_curl(op, curl)
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


def _curl_words(curl: str) -> Optional[List[str]]:
    text = curl.replace("\\\r\n", " ").replace("\\\n", " ")
    try:
        return shlex.split(text)
    except ValueError:
        return None


class CurlField(NamedTuple):
    """One ``-F`` of a curl command: ``kind`` is ``"text"`` (``name=value``),
    ``"file"`` (``name=@path``: a file part) or ``"content"`` (``name=<path``:
    a text part read from a file); ``content_type`` is its ``;type=``."""

    name: str
    kind: str
    value: str
    content_type: Optional[str] = None


class CurlRequest(NamedTuple):
    """What a curl command sends: ``method`` (``-X``, else None), ``url``,
    ``data`` (``-d``, else None) and ``form`` (the ``-F`` fields, in order)."""

    method: Optional[str]
    url: str
    data: Optional[str]
    form: List[CurlField]


_WITH_ARGUMENT = ("-H", "--header", "-u", "--user", "-o", "--output", "-D", "--dump-header",
                  "-A", "--user-agent", "-e", "--referer", "-m", "--max-time")


def curl_request(curl: str) -> Optional[CurlRequest]:
    """The request a documented ``curl ...`` command makes, or None when the
    text is not a curl command shlex can read (unbalanced quotes)."""
    words = _curl_words(curl)
    if not words or words[0] != "curl":
        return None
    url = method = data = None
    form: List[CurlField] = []
    i = 1
    while i < len(words):
        w = words[i]
        arg = words[i + 1] if i + 1 < len(words) else None
        if w in ("-d", "--data", "--data-raw", "--data-binary", "--json"):
            if arg is None:
                return None
            data = arg
            i += 2
        elif w in ("-F", "--form"):
            if arg is None or "=" not in arg:
                return None
            form.append(_curl_field(arg))
            i += 2
        elif w in ("-X", "--request"):
            method = (arg or "").upper() or None
            i += 2
        elif w in _WITH_ARGUMENT:
            i += 2
        else:
            if url is None and (w.startswith("http://") or w.startswith("https://")):
                url = w
            i += 1
    if url is None:
        return None
    return CurlRequest(method, url, data, form)


def _curl_field(arg: str) -> CurlField:
    """``name=value``, ``name=@path;type=t`` or ``name=<path``, as curl reads
    a ``-F`` argument (only the ``;type=``/``;filename=`` suffixes are curl's:
    other semicolons belong to the value, as in ``data:audio/wav;base64,...``)."""
    name, value = arg.split("=", 1)
    kind = "text"
    if value.startswith("@"):
        kind, value = "file", value[1:]
    elif value.startswith("<"):
        kind, value = "content", value[1:]
    content_type = None
    filename = None
    while True:
        m = re.search(r";(type|filename)=([^;]*)$", value)
        if m is None:
            break
        if m.group(1) == "type":
            content_type = m.group(2)
        else:
            filename = m.group(2)
        value = value[:m.start()]
    if kind == "file" and filename:
        value = filename
    return CurlField(name, kind, value, content_type)


def example_from_curl(op, curl: str) -> Optional[Tuple[Dict[str, Any], Any]]:
    """(parameters, body) of a ``curl`` example: path and query parameters
    from its URL (typed per their schema), the body from ``-d`` JSON or from
    ``-F`` fields (a multipart body: files as ``(filename, b"")`` or
    ``(filename, b"", content_type)`` tuples, values typed per the body
    schema, ``name[]=`` items gathered in a list, ``name[key]=`` in an
    object).  A shell variable standing for a path segment (``$CALL_ID``)
    becomes its name.  None when the example cannot be read this way (not a
    curl command, another endpoint, a body that is not JSON)."""
    req = curl_request(curl)
    if req is None:
        return None
    parts = urlsplit(req.url)
    pattern = "".join(
        "(?P<p%d>[^/]+)" % n if k % 2 else re.escape(piece)
        for n, (k, piece) in enumerate(enumerate(re.split(r"{([^{}]+)}", op.path))))
    names = re.findall(r"{([^{}]+)}", op.path)
    m = re.search(pattern + "$", parts.path.rstrip("/") if op.path != "/" else parts.path)
    if m is None:
        return None
    by_loc = {(p.location, p.name): p for p in op.parameters}
    params: Dict[str, Any] = {}
    groups = [g for g in m.groups()]
    for name, value in zip(names, groups):
        if re.fullmatch(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?", value):
            value = value.strip("${}")  # a shell variable holding the value
        elif "$" in value:
            return None
        p = by_loc.get(("path", name))
        params[name] = _typed(p.schema if p else {}, value)
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        base, sub = _bracketed(key)
        p = by_loc.get(("query", key)) or by_loc.get(("query", base))
        if p is None:
            return None
        if p.name != key and sub:  # metadata[key]=value: an object parameter (deepObject)
            params.setdefault(p.name, {})[sub] = value
            continue
        typed = _typed(p.schema, value)
        if _schema_type(p.schema) == "array":
            params.setdefault(p.name, []).extend(typed)
        else:
            params[p.name] = typed
    body: Any = _NO_DEFAULT
    if req.data is not None and req.form:
        return None
    if req.data is not None and req.data.strip():
        try:
            body = json.loads(req.data)
        except ValueError:
            return None
    elif req.form:
        body = _form_body(op, req.form)
    return params, body


def _bracketed(key: str) -> Tuple[str, str]:
    """``name[sub]`` -> (``name``, ``sub``); ``name[]`` -> (``name``, ""); else (key, "")."""
    m = re.fullmatch(r"([^\[\]]+)\[([^\[\]]*)\]", key)
    return (m.group(1), m.group(2)) if m else (key, "")


def _schema_type(schema: Dict[str, Any]) -> Optional[str]:
    t = schema.get("type") if isinstance(schema, dict) else None
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), None)
    return t


def _form_body(op, form: List[CurlField]) -> Dict[str, Any]:
    """The ``body=`` a multipart call takes for curl's ``-F`` fields."""
    media = op.request_body.get("multipart/form-data") or next(iter(op.request_body.values()), None)
    props = (media.schema.get("properties") if media is not None else None) or {}
    resolve = op.spec.resolve
    body: Dict[str, Any] = {}
    for f in form:
        base, sub = _bracketed(f.name)
        name = base if base in props or f.name not in props else f.name
        schema = resolve(props.get(name)) if isinstance(props.get(name), dict) else {}
        if f.kind == "file":
            filename = f.value.replace("\\", "/").rsplit("/", 1)[-1]
            value: Any = (filename, b"", f.content_type) if f.content_type else (filename, b"")
        elif f.kind == "content":
            value = ""  # the text of a local file the example reads: unknown here
        elif f.content_type and "json" in f.content_type:
            try:
                value = json.loads(f.value)
            except ValueError:
                value = f.value
        else:
            if name != f.name and sub:
                item = (schema.get("properties") or {}).get(sub)
            else:
                item = _items_of(schema) if "array" in _types_of(schema) and name != f.name else schema
            value = _typed(resolve(item) if isinstance(item, dict) else {}, f.value)
        if name != f.name and sub:
            body.setdefault(name, {})[sub] = value
        elif name != f.name or (name in body and _schema_type(schema) == "array"):
            body.setdefault(name, [])
            if not isinstance(body[name], list):
                body[name] = [body[name]]
            body[name].append(value)
        else:
            body[name] = value
    return body


def _typed(schema: Dict[str, Any], value: str) -> Any:
    """A value written as text (in a URL or a form field) as the type its
    schema gives it; alternatives (``anyOf: [boolean, null]``) are tried in
    order, and text that fits none stays text."""
    types = _types_of(schema)
    if "string" in types:
        return value
    for t in types:
        try:
            if t == "integer":
                return int(value)
            if t == "number":
                return float(value) if "." in value else int(value)
            if t == "boolean" and value.lower() in ("true", "false"):
                return value.lower() == "true"
            if t == "array":
                items = _items_of(schema)
                return [_typed(items, v) for v in value.split(",")]
        except ValueError:
            continue
    return value


def _types_of(schema: Any) -> List[str]:
    """The non-null types a schema names, its own or its alternatives', in order."""
    if not isinstance(schema, dict):
        return []
    t = schema.get("type")
    if isinstance(t, str):
        return [t] if t != "null" else []
    if isinstance(t, list):
        return [x for x in t if x != "null"]
    out: List[str] = []
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key) or ():
            out += [x for x in _types_of(sub) if x not in out]
    return out


def _items_of(schema: Dict[str, Any]) -> Dict[str, Any]:
    if isinstance(schema.get("items"), dict):
        return schema["items"]
    for key in ("anyOf", "oneOf"):
        for sub in schema.get(key) or ():
            if isinstance(sub, dict) and isinstance(sub.get("items"), dict):
                return sub["items"]
    return {}


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


# ------------------------------------------------------------------ the spec
def _with_client_defaults(doc: OperationDoc, op, client) -> OperationDoc:
    """``doc`` with the values ``client`` sends by itself (its ``defaults=``,
    the profile's parameter rules: Anthropic's ``anthropic-version``) shown
    as the parameters' defaults; the shared ``doc`` is left as it is."""
    from dataclasses import replace

    from .._client import client_defaults

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
        base_url = client._server_url(None)
    except Exception:
        base_url = ""
    return ReferenceDoc(
        title=spec.title, version=str(info.get("version") or ""),
        description=str(info.get("description") or "").strip(),
        spec_name=spec.bundled_name or _strip_prefix(spec.origin, "bundled:"), base_url=base_url,
        site=site_of(spec), groups=groups)


# ------------------------------------------------------- facts, as words
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


def enum_text(values: Optional[List[Any]]) -> str:
    if not values:
        return ""
    shown = [value_text(v) for v in values[:MAX_ENUM_SHOWN]]
    more = f", ... ({len(values)} values)" if len(values) > MAX_ENUM_SHOWN else ""
    return ", ".join(shown) + more


def keyword_note(p: ParamDoc) -> str:
    """How to pass a parameter whose spec name is no Python keyword."""
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


def response_line(r: ResponseDoc) -> List[str]:
    """``["application/json: RunObject", ...]`` for one response."""
    return [f"{mt}: {name or label}" for mt, label, name in r.content]


def _strip_prefix(text: str, prefix: str) -> str:
    return text[len(prefix):] if text.startswith(prefix) else text
