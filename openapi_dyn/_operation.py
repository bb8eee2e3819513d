"""What the spec says about one call: :class:`Operation`, its
:class:`Parameter` list, its request body media types and its responses.

These objects are read-only views over the spec document.  They are the single
source for the client (binding, validation, encoding) and for the reference
generator, so the two can never disagree about an operation.
"""
from __future__ import annotations

import keyword
import re
import threading
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple

if TYPE_CHECKING:  # the types of what OperationCaches holds, for annotations only
    from ._request import Binder
    from ._validation import OperationValidator
    from .reference._model import OperationDoc

from ._spec.pointer import escape

LOCATIONS = ("path", "query", "header", "cookie")
_NON_IDENT = re.compile(r"[^0-9a-zA-Z_]+")


def python_name(name: str) -> str:
    """An identifier alias for a spec name: ``OpenAI-Beta`` -> ``openai_beta``,
    ``include[]`` -> ``include``, ``admin-api-keys-list`` -> ``admin_api_keys_list``."""
    if name.isidentifier() and not keyword.iskeyword(name):
        return name
    alias = _NON_IDENT.sub("_", name).strip("_").lower()
    if not alias:
        alias = "param"
    if alias[0].isdigit():
        alias = "_" + alias
    if keyword.iskeyword(alias):
        alias += "_"
    return alias


def synthesize_operation_id(method: str, path: str) -> str:
    """A stable name for an operation that has no operationId: ``get_pets_petId``."""
    words = [w for w in re.split(r"[^0-9A-Za-z]+", path) if w]
    return "_".join([method.lower()] + words) or method.lower()


class Parameter:
    """One parameter: ``name``, ``location`` (path, query, header, cookie),
    ``required``, ``schema`` (resolved), ``style``/``explode``/``allow_reserved``
    with the spec's defaults applied, ``content_type`` for content-based
    parameters (serialized as JSON), ``alias`` (a Python identifier)."""

    __slots__ = ("name", "location", "required", "schema", "style", "explode",
                 "allow_reserved", "description", "deprecated", "example",
                 "content_type", "raw", "pointer", "alias", "schema_pointer")

    def __init__(self, raw: Dict[str, Any], spec, pointer: str):
        self.raw = raw
        self.pointer = pointer
        self.name: str = str(raw.get("name"))
        self.location: str = str(raw.get("in"))
        self.required: bool = bool(raw.get("required")) or self.location == "path"
        self.description: str = raw.get("description") or ""
        self.deprecated: bool = bool(raw.get("deprecated"))
        self.content_type: Optional[str] = None
        schema = raw.get("schema")
        self.schema_pointer = pointer + "/schema"
        if schema is None and isinstance(raw.get("content"), dict) and raw["content"]:
            self.content_type, media = next(iter(raw["content"].items()))
            schema = (media or {}).get("schema")
            self.schema_pointer = f"{pointer}/content/{escape(self.content_type)}/schema"
        if isinstance(schema, dict) and "$ref" in schema:
            self.schema_pointer = schema["$ref"]
        self.schema: Dict[str, Any] = spec.resolve(schema) if schema is not None else {}
        if not isinstance(self.schema, dict):
            self.schema = {}
        default_style = {"query": "form", "cookie": "form"}.get(self.location, "simple")
        self.style: str = raw.get("style") or default_style
        explode = raw.get("explode")
        self.explode: bool = (self.style == "form") if explode is None else bool(explode)
        # OpenAPI allows allowReserved on query parameters only; a path
        # parameter says it with x-allowReserved (RFC 6570's {+name}, as in
        # converted Discovery documents)
        self.allow_reserved: bool = bool(raw.get("allowReserved") or self.location == "path"
                                         and raw.get("x-allowReserved"))
        example = raw.get("example", self.schema.get("example"))
        if example is None and isinstance(raw.get("examples"), dict):
            first = next(iter(raw["examples"].values()), None)
            if isinstance(first, dict):
                example = spec.resolve(first).get("value")
        self.example = example
        self.alias: str = python_name(self.name)

    @property
    def qualified_name(self) -> str:
        """``query.limit``: the name that addresses this parameter even when
        another parameter shares its name in a different location."""
        return f"{self.location}.{self.name}"

    @property
    def type(self) -> str:
        """The schema type as one word for people (``string``, ``array[string]``...)."""
        return schema_type_label(self.schema)

    def __repr__(self) -> str:
        req = " required" if self.required else ""
        return f"<Parameter {self.qualified_name} {self.type}{req}>"


class MediaType:
    """One request or response media type: ``media_type``, ``schema`` (resolved),
    ``schema_pointer`` (where it is in the document), ``encoding``, ``example``."""

    __slots__ = ("media_type", "schema", "schema_pointer", "encoding", "example", "raw")

    def __init__(self, media_type: str, raw: Dict[str, Any], spec, pointer: str):
        self.media_type = media_type
        self.raw = raw or {}
        schema = self.raw.get("schema")
        self.schema_pointer = pointer + "/schema"
        if isinstance(schema, dict) and "$ref" in schema:
            self.schema_pointer = schema["$ref"]
        self.schema: Dict[str, Any] = spec.resolve(schema) if schema is not None else {}
        if not isinstance(self.schema, dict):
            self.schema = {}
        self.encoding: Dict[str, Any] = self.raw.get("encoding") or {}
        example = self.raw.get("example")
        if example is None and isinstance(self.raw.get("examples"), dict):
            first = next(iter(self.raw["examples"].values()), None)
            if isinstance(first, dict):
                example = spec.resolve(first).get("value")
        self.example = example

    @property
    def schema_name(self) -> Optional[str]:
        """The component name of the schema, when it is a named one."""
        p = self.schema_pointer
        if "/components/schemas/" in p:
            return p.rsplit("/", 1)[-1]
        return None

    def __repr__(self) -> str:
        return f"<MediaType {self.media_type} {self.schema_name or ''}>".replace(" >", ">")


class Operation:
    """One operation of the spec, named by its operationId.

    ``method`` (upper case), ``path`` (the template), ``summary``,
    ``description``, ``tags``, ``deprecated``, ``parameters`` (path-level and
    operation-level merged: the operation's win on the same name and location),
    ``request_body`` (media type -> :class:`MediaType`, or empty),
    ``body_required``, ``responses`` (status -> description and media types),
    ``security`` (the requirements that apply), ``alias`` (identifier form).
    """

    def __init__(self, spec, operation_id: str, method: str, path: str,
                 raw: Dict[str, Any], path_item: Dict[str, Any], place: Optional[str] = None):
        self.spec = spec
        self.operation_id = operation_id
        # place: where in the path item (get, additionalOperations/COPY, whose method is sent as written)
        self.method = method if place and "/" in place else method.upper()
        # A path key may end in " (note)" to keep several operations of one
        # template and method apart (converted Discovery documents, where
        # "v1/{+name}" serves dozens of methods): the note is never sent.
        self.path_key = path
        self.path = path.split(" (", 1)[0] if path.endswith(")") else path
        self.raw = raw
        self.path_item = path_item
        self.pointer = f"#/paths/{escape(path)}/{place or method.lower()}"
        self.alias = python_name(operation_id)
        #: what the layers above derive from this operation, each built once
        self.caches = OperationCaches(self)

    # One-line facts, cheap.
    @property
    def summary(self) -> str:
        return (self.raw.get("summary") or "").strip()

    @property
    def description(self) -> str:
        return (self.raw.get("description") or "").strip()

    @property
    def tags(self) -> List[str]:
        return list(self.raw.get("tags") or [])

    @property
    def deprecated(self) -> bool:
        return bool(self.raw.get("deprecated"))

    @property
    def extensions(self) -> Dict[str, Any]:
        """The operation's ``x-`` keys (``x-oaiMeta`` and friends)."""
        return {k: v for k, v in self.raw.items() if k.startswith("x-")}

    # Parsed on first use.
    @cached_property
    def parameters(self) -> List[Parameter]:
        merged: Dict[Tuple[str, str], Parameter] = {}
        for holder, base in ((self.path_item, f"#/paths/{escape(self.path_key)}"), (self.raw, self.pointer)):
            for i, raw in enumerate(holder.get("parameters") or []):
                pointer = raw["$ref"] if isinstance(raw, dict) and "$ref" in raw else f"{base}/parameters/{i}"
                resolved = self.spec.resolve(raw)
                if not isinstance(resolved, dict) or "name" not in resolved or "in" not in resolved:
                    continue
                p = Parameter(resolved, self.spec, pointer)
                merged[(p.location, p.name)] = p
        return list(merged.values())

    @cached_property
    def _body(self) -> Tuple[Dict[str, MediaType], bool, str]:
        rb = self.raw.get("requestBody")
        if rb is None:
            return {}, False, ""
        pointer = rb["$ref"] if isinstance(rb, dict) and "$ref" in rb else self.pointer + "/requestBody"
        rb = self.spec.resolve(rb) or {}
        content = rb.get("content") or {}
        media = {mt: MediaType(mt, m, self.spec, f"{pointer}/content/{escape(mt)}")
                 for mt, m in content.items()}
        return media, bool(rb.get("required")), (rb.get("description") or "").strip()

    @property
    def request_body(self) -> Dict[str, MediaType]:
        return self._body[0]

    @property
    def body_required(self) -> bool:
        return self._body[1]

    @property
    def body_description(self) -> str:
        return self._body[2]

    @cached_property
    def responses(self) -> Dict[str, Dict[str, Any]]:
        """status -> ``{"description": str, "content": {media type: MediaType}, "headers": {...}}``."""
        out: Dict[str, Dict[str, Any]] = {}
        for status, resp in (self.raw.get("responses") or {}).items():
            pointer = resp["$ref"] if isinstance(resp, dict) and "$ref" in resp else f"{self.pointer}/responses/{status}"
            resp = self.spec.resolve(resp) or {}
            content = {mt: MediaType(mt, m, self.spec, f"{pointer}/content/{escape(mt)}")
                       for mt, m in (resp.get("content") or {}).items()}
            out[str(status)] = {"description": (resp.get("description") or "").strip(),
                                "content": content, "headers": resp.get("headers") or {}}
        return out

    @cached_property
    def security(self) -> List[Dict[str, List[str]]]:
        """Security requirements (OR of ANDs); ``[]`` means none needed."""
        sec = self.raw.get("security")
        if sec is None:
            sec = self.spec.document.get("security")
        if not isinstance(sec, list) or not all(isinstance(req, dict) for req in sec):
            if sec:
                from ._errors import SpecError
                raise SpecError("security must be a list of requirement objects", f"{self.pointer}/security")
            return []
        return list(sec)

    @property
    def streams(self) -> bool:
        """True when some success response is an event stream."""
        return any("text/event-stream" in r["content"] for s, r in self.responses.items() if s.startswith("2"))

    def default_media_type(self) -> Optional[str]:
        """The body media type used when the caller does not pick one: JSON
        first, then multipart, then form, then whatever the spec lists first."""
        types = list(self.request_body)
        if not types:
            return None
        for pred in (is_json, lambda t: t.startswith("multipart/form-data"),
                     lambda t: t.startswith("application/x-www-form-urlencoded")):
            for t in types:
                if pred(t):
                    return t
        return types[0]

    @property
    def short_summary(self) -> str:
        """The summary as one line of at most 100 characters (some specs put
        whole paragraphs there)."""
        line = " ".join(self.summary.split("\n\n", 1)[0].split())
        return line if len(line) <= 100 else line[:99].rstrip() + "…"

    def __repr__(self) -> str:
        summary = f": {self.short_summary}" if self.summary else ""
        return f"<{self.method} {self.path} {self.operation_id}{summary}>"


_keep_lock = threading.Lock()


class OperationCaches:
    """What the layers above derive from one :class:`Operation`, built on
    first use by the module that owns each field and kept for the
    operation's life:

    ``validator``
        its :class:`~openapi_dyn._validation.OperationValidator`
        (:func:`~openapi_dyn._validation.validator_for`);
    ``lenient_validator``
        the validator over the drift-tolerant reading of the spec
        (:mod:`openapi_dyn._drift`);
    ``binder``
        its :class:`~openapi_dyn._request.Binder`
        (:func:`~openapi_dyn._request.binder_for`);
    ``accept_header``
        the ``Accept`` header its calls send (:mod:`openapi_dyn._wire`);
    ``reference_doc``
        its documentation model (:mod:`openapi_dyn.reference`).

    Each field is ``None`` until built.  ``<field>_or(build)`` returns the
    field, first setting it to ``build(operation)`` when it is unset.
    Threads may share an operation: two of them may build a field at once,
    and then both get the value stored first, so every caller sees one
    object.  Fields are named here, not invented by their owners, so this
    class is the list of what is cached per operation.
    """

    __slots__ = ("operation", "validator", "lenient_validator", "binder", "accept_header",
                 "reference_doc")

    def __init__(self, operation: "Operation"):
        self.operation = operation
        self.validator: Optional["OperationValidator"] = None
        self.lenient_validator: Optional["OperationValidator"] = None
        self.binder: Optional["Binder"] = None
        self.accept_header: Optional[str] = None
        self.reference_doc: Optional["OperationDoc"] = None

    def validator_or(self, build: Callable[["Operation"], "OperationValidator"]) -> "OperationValidator":
        found = self.validator
        return found if found is not None else self._keep("validator", build)

    def lenient_validator_or(self, build: Callable[["Operation"], "OperationValidator"]) -> "OperationValidator":
        found = self.lenient_validator
        return found if found is not None else self._keep("lenient_validator", build)

    def binder_or(self, build: Callable[["Operation"], "Binder"]) -> "Binder":
        found = self.binder
        return found if found is not None else self._keep("binder", build)

    def accept_header_or(self, build: Callable[["Operation"], str]) -> str:
        found = self.accept_header
        return found if found is not None else self._keep("accept_header", build)

    def reference_doc_or(self, build: Callable[["Operation"], "OperationDoc"]) -> "OperationDoc":
        found = self.reference_doc
        return found if found is not None else self._keep("reference_doc", build)

    def _keep(self, field: str, build: Callable[["Operation"], Any]) -> Any:
        value = build(self.operation)  # outside the lock: building may take long
        with _keep_lock:
            found = getattr(self, field)
            if found is None:
                setattr(self, field, value)
                found = value
        return found

    def __repr__(self) -> str:
        built = [f for f in self.__slots__[1:] if getattr(self, f) is not None]
        return f"<OperationCaches of {self.operation.operation_id}: {', '.join(built) or 'nothing built'}>"


def is_json(media_type: str) -> bool:
    mt = media_type.split(";", 1)[0].strip().lower()
    return mt == "application/json" or mt.endswith("+json")


def media_matches(pattern: str, media_type: str) -> bool:
    """Whether ``media_type`` is one that ``pattern`` (as a spec lists it)
    stands for: the same type, ``image/*`` for ``image/png``, or ``*/*``;
    parameters (``; charset=utf-8``) and case are ignored."""
    p = pattern.split(";", 1)[0].strip().lower()
    m = media_type.split(";", 1)[0].strip().lower()
    return p == m or p == "*/*" or (p.endswith("/*") and m.startswith(p[:-1]))


def find_media(content: Dict[str, Any], media_type: str) -> Any:
    """The entry of a spec ``content`` map that ``media_type`` falls under
    (exact key first, then by :func:`media_matches`), or None."""
    if media_type in content:
        return content[media_type]
    for pattern, media in content.items():
        if media_matches(pattern, media_type):
            return media
    return None


def schema_type_label(schema: Any) -> str:
    """``string``, ``integer``, ``array[string]``, ``object``, ``string|null``,
    ``oneOf``... a short human label for a (resolved) schema."""
    if not isinstance(schema, dict) or not schema:
        return "any"
    t = schema.get("type")
    if isinstance(t, list):
        return "|".join(str(x) for x in t)
    if t == "array":
        items = schema.get("items")
        if isinstance(items, dict) and "$ref" in items:
            return f"array[{items['$ref'].rsplit('/', 1)[-1]}]"
        return f"array[{schema_type_label(items)}]"
    if t:
        return str(t)
    for k in ("oneOf", "anyOf", "allOf"):
        if k in schema:
            return k
    if "enum" in schema:
        return "enum"
    if "properties" in schema:
        return "object"
    return "any"

