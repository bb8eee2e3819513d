"""The documentation model's types: everything the reference says about an
operation, as dataclasses, and nothing that builds them.

They sit apart from :mod:`._model` (which builds them from an
:class:`~openapi_dyn.Operation`) so that the modules the builder uses, the
examples (:mod:`._examples`, :mod:`._curl`) and the generated Python
(:mod:`._synopsis`), can name the types without importing the builder.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from .._call.options import CALL_OPTIONS

#: How deep nested object properties are documented (0 = top-level only).
MAX_DEPTH = 2
#: More variants than this are listed by name only.
MAX_VARIANTS_EXPANDED = 12
_NO_DEFAULT = object()


class _MayHaveDefault:
    """A parameter or property, whose ``default`` the spec may not give."""

    default: Any

    @property
    def has_default(self) -> bool:
        return self.default is not _NO_DEFAULT


@dataclass
class ParamDoc(_MayHaveDefault):
    """One parameter, as the reference shows it."""

    name: str
    keyword: Optional[str]          # the keyword argument (None: only **{address: ...})
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
    def has_example(self) -> bool:
        return self.example is not _NO_DEFAULT

    @property
    def address(self) -> str:
        """The key that reaches this parameter in ``**{...}``: its name, or
        ``"<in>.<name>"`` when a call option has that name (a call reads
        ``save_to=`` as the option, never as a parameter)."""
        return f"{self.location}.{self.name}" if self.name in CALL_OPTIONS else self.name


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
class PropertyDoc(_MayHaveDefault):
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
    code: str = ""                  # the call as Python, filled in when the operation is documented

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
        """The Python call that ``example`` shows (written when the model
        was built, by :func:`._synopsis.call_code`)."""
        return example.code


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
    #: what the document was written in: "openapi-3.x" or "swagger-2.0" (converted at load)
    source_format: str = "openapi-3.x"
    #: the OpenAPI version the client reads it as ("3.0", "3.1", ...)
    openapi_version: str = ""

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
