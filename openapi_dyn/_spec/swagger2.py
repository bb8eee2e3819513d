"""Swagger 2.0 documents made OpenAPI 3.0 at load time, so that nothing after
the load pipeline needs to know the older format.

    >>> conv = Swagger2Converter(doc, "petstore.json", resolve)
    >>> conv.convert()              # doc is now OpenAPI 3.0.3, in place
    >>> ...                         # bundling makes every $ref local
    >>> conv.finish(doc)            # schemas (x-nullable, type: file, discriminator)
    >>> conv.records                # Repair(pointer, action): what was converted and why

The work is done in three steps because a Swagger 2.0 document may reach into
other files, and only the bundler knows where a ``$ref`` leads:

1. :func:`relayout` (every file, the root and each file the bundler reads):
   ``definitions``/``parameters``/``responses``/``securityDefinitions`` move
   to their ``components`` sections and every ``$ref`` is rewritten to match
   (``other.yaml#/definitions/Pet`` becomes ``other.yaml#/components/schemas/Pet``).
2. :meth:`Swagger2Converter.convert` (the root): servers from ``host``,
   ``basePath`` and ``schemes`` (or from ``x-servers`` at the root, a path
   item or an operation, as swagger2openapi reads it); each operation's parameters (``in: body`` and
   ``in: formData`` become the request body, ``collectionFormat`` becomes
   ``style``/``explode``, the type keywords move into ``schema``) and
   responses (``schema`` under each media type of ``produces``, ``headers``
   with a schema); security schemes.  Objects behind a ``$ref`` into another
   file are converted where they are, through the ``resolve`` callback.
3. :meth:`Swagger2Converter.finish` (after bundling): the Schema Objects of
   the whole document, wherever they came from: ``type: file`` is a binary
   string, ``x-nullable`` is ``nullable``, a discriminator given as a property
   name is a Discriminator Object.

The result is what swagger2openapi (the reference converter) writes wherever
the two formats can say the same thing; where this module decides otherwise
(a request body is written in place rather than shared under
``components/requestBodies``; no scheme means ``https`` rather than a
scheme-relative URL; ``tsv`` is not exploded; ``collectionFormat`` of form
fields is kept as an encoding) docs/specs.md says why, and
t/spec/test_swagger2_reference.py checks it against swagger2openapi itself.
"""
from __future__ import annotations

import copy
import re
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import urlsplit

from .._errors import SpecError
from . import limits as _limits
from .pointer import escape
from .pointer import walk as _walk
from .repair import Repair
from .walk import each_subschema

__all__ = ["SOURCE_FORMAT", "OPENAPI_VERSION", "is_swagger2", "relayout", "Swagger2Converter"]

SOURCE_FORMAT = "swagger-2.0"
#: the OpenAPI version a converted document declares
OPENAPI_VERSION = "3.0.3"

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
_LOCATIONS = ("query", "header", "path", "formData", "body")

#: Swagger 2.0 section -> the components section it becomes
_SECTIONS = {"definitions": "schemas", "parameters": "parameters", "responses": "responses",
             "securityDefinitions": "securitySchemes"}
_REF_PREFIX = re.compile(r"^/(definitions|parameters|responses|securityDefinitions)(?=/|$)")

#: keywords of a non-body parameter (or header, or items) that describe its value
_VALUE_KEYS = ("type", "format", "items", "default", "maximum", "exclusiveMaximum", "minimum",
               "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems",
               "uniqueItems", "enum", "multipleOf")
_COLLECTION_FORMATS = ("csv", "ssv", "tsv", "pipes", "multi")

#: Resolves a ``$ref`` written in the file at ``base`` (``None``: the root);
#: returns the file the target is in and the target itself.
Resolver = Callable[[Optional[str], str], Tuple[Optional[str], Any]]


def is_swagger2(doc: Any) -> bool:
    """Whether ``doc`` declares itself Swagger 2.0 (``swagger: "2.0"``; YAML
    may also have read it as the number 2.0)."""
    if not isinstance(doc, dict):
        return False
    version = doc.get("swagger")
    return (isinstance(version, str) and version.strip() == "2.0") or \
        (isinstance(version, float) and version == 2.0)


# =================================================================== step 1: layout
def rewrite_ref(ref: str) -> str:
    """A Swagger 2.0 ``$ref`` rewritten to where its target is after
    :func:`relayout`; anything else unchanged."""
    file_part, hash_, frag = ref.partition("#")
    if not hash_:
        return ref
    m = _REF_PREFIX.match(frag)
    if m is None:
        return ref
    return f"{file_part}#/components/{_SECTIONS[m.group(1)]}{frag[m.end():]}"


def _rewrite_refs(node: Any) -> None:
    stack = [node]
    seen = set()
    while stack:
        cur = stack.pop()
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        if type(cur) is dict:
            ref = cur.get("$ref")
            if type(ref) is str:
                new = rewrite_ref(ref)
                if new is not ref:
                    cur["$ref"] = new
            disc = cur.get("discriminator")
            if type(disc) is dict and type(disc.get("mapping")) is dict:
                m = disc["mapping"]
                for k, v in m.items():
                    if type(v) is str:
                        m[k] = rewrite_ref(v)
            stack.extend(v for v in cur.values() if type(v) in (dict, list))
        else:
            stack.extend(v for v in cur if type(v) in (dict, list))


def relayout(doc: Any, where: str) -> Any:
    """Step 1 for one file: its reusable sections moved to ``components`` and
    every ``$ref`` in it rewritten to match.  A file that is neither a mapping
    nor has any of those sections keeps its shape (a schema of its own, a
    mapping of named schemas), its ``$ref``\\ s still rewritten."""
    if type(doc) is not dict and type(doc) is not list:
        return doc
    _rewrite_refs(doc)
    if type(doc) is dict and any(k in doc for k in _SECTIONS):
        comps = doc.get("components")
        if comps is None:
            comps = {}
        elif type(comps) is not dict:
            raise SpecError("'components' must be a mapping", f"{where}#/components")
        for old, new in _SECTIONS.items():
            if old not in doc:
                continue
            section = doc.pop(old)
            if section is None:
                continue
            if type(section) is not dict:
                raise SpecError(f"'{old}' must be a mapping, not a {type(section).__name__}", f"{where}#/{old}")
            comps.setdefault(new, {}).update(section)
        doc["components"] = comps
    return doc


# =================================================================== steps 2 and 3
class Swagger2Converter:
    """Converts one Swagger 2.0 document (and what it refers to) in place."""

    def __init__(self, doc: dict, where: str, resolve: Optional[Resolver] = None, source_url: str = ""):
        self.doc = doc
        self.where = where
        self.resolve = resolve
        self.source_url = source_url     # the URL the document was read from, if any
        self.records: List[Repair] = []
        self._done: set = set()          # id() of objects converted already (shared through $refs)
        self._keep: list = []            # keeps those objects alive so their id() stays theirs
        self._counts: Dict[str, int] = {}
        self._unplaced: List[str] = []     # body and formData parameters, no Parameter Objects in 3.0
        self._global_schemes: Any = None   # the document's schemes, to tell an operation's own apart

    # ------------------------------------------------------------ helpers
    def note(self, pointer: str, action: str) -> None:
        self.records.append(Repair(pointer if pointer.startswith("#") else "#" + pointer, action))

    def count(self, what: str) -> None:
        self._counts[what] = self._counts.get(what, 0) + 1

    def fail(self, message: str, pointer: str) -> SpecError:
        return SpecError(f"Swagger 2.0: {message}", f"{self.where}#{pointer}")

    def _first_time(self, obj: Any) -> bool:
        if id(obj) in self._done:
            return False
        self._done.add(id(obj))
        self._keep.append(obj)
        return True

    def _follow(self, obj: Any, base: Optional[str], pointer: str) -> Tuple[Any, Optional[str]]:
        """The object behind ``obj`` when it is a ``$ref`` (and the file it is in)."""
        hops = 0
        while type(obj) is dict and type(obj.get("$ref")) is str:
            ref = obj["$ref"]
            hops += 1
            if hops > 32:
                raise self.fail(f"$ref {ref!r} is part of a cycle of references", pointer)
            if ref.startswith("#") and base is None:
                try:
                    obj = _walk(self.doc, ref)[0]
                except (LookupError, ValueError):
                    raise self.fail(f"$ref {ref!r} does not resolve", pointer) from None
                continue
            if self.resolve is None:
                raise self.fail(f"$ref {ref!r} reaches into another file, which a document "
                                f"given as a dict cannot do", pointer)
            try:
                base, obj = self.resolve(base, ref)
            except SpecError:
                raise
            except Exception as e:      # the bundler's own "does not resolve"
                raise self.fail(f"$ref {ref!r} does not resolve: {e}", pointer) from None
        return obj, base

    def _media_list(self, value: Any, pointer: str) -> Optional[List[str]]:
        """``consumes``/``produces`` as a list without repeats (a lone string accepted)."""
        if value is None:
            return None
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail("must be a list of media types", pointer)
        out: List[str] = []
        for v in value:
            if v not in out:
                out.append(v)
        return out

    # ------------------------------------------------------------ step 2
    def convert(self) -> None:
        """Make the root an OpenAPI 3.0 document, in place."""
        doc = self.doc
        if doc.get("paths") is None:
            raise self.fail("the document has no 'paths': it describes nothing to call", "")
        if not isinstance(doc["paths"], dict):
            raise self.fail(f"'paths' must be a mapping, not a {type(doc['paths']).__name__}", "/paths")
        if not isinstance(doc.get("info", {}), dict):
            raise self.fail("'info' must be a mapping", "/info")
        consumes = self._media_list(doc.get("consumes"), "/consumes") or []
        produces = self._media_list(doc.get("produces"), "/produces") or []
        servers = self._servers(doc)
        declared = self._x_servers(doc, "")
        if declared is not None:
            servers = declared
        self._global_schemes = doc.get("schemes")

        relayout(doc, self.where)
        new: Dict[str, Any] = {"openapi": OPENAPI_VERSION}
        for key, value in doc.items():
            if key in ("swagger", "host", "basePath", "schemes", "consumes", "produces"):
                continue
            new[key] = value
            if key == "info" and servers:
                new["servers"] = servers
        if servers and "servers" not in new:
            new["servers"] = servers
        doc.clear()
        doc.update(new)
        self.note("#/swagger", f"Swagger 2.0 document converted to OpenAPI {OPENAPI_VERSION} at load time")
        if declared is not None:
            self.note("#/x-servers", "x-servers became servers: " + ", ".join(s["url"] for s in servers))
        elif servers:
            self.note("#/host", "host, basePath and schemes became servers: "
                      + ", ".join(s["url"] for s in servers))
        comps = doc.get("components") or {}
        for old, section in _SECTIONS.items():
            if comps.get(section):
                self.note(f"#/{old}", f"{old} ({len(comps[section])}) moved to components/{section}, "
                                      f"every $ref to them rewritten")

        self._components(comps, consumes, produces)
        for path, item in doc["paths"].items():
            if isinstance(path, str) and path.startswith("x-"):
                continue
            ptr = f"/paths/{escape(path)}"
            if not isinstance(item, dict):
                raise self.fail(f"a Path Item must be a mapping, not a {type(item).__name__}", ptr)
            target, base = self._follow(item, None, ptr)
            if not isinstance(target, dict):
                raise self.fail("a Path Item must be a mapping", ptr)
            if self._first_time(target):
                self._path_item(target, base, ptr, consumes, produces)
        for what, n in sorted(self._counts.items()):
            self.note("#/paths", f"{n} {what}")
        params = comps.get("parameters")
        if isinstance(params, dict) and self._unplaced:
            for name in self._unplaced:
                params.pop(name, None)
            if not params:
                del comps["parameters"]

    def _servers(self, doc: dict) -> List[Dict[str, Any]]:
        host, base_path, schemes = doc.get("host"), doc.get("basePath"), doc.get("schemes")
        if host is not None and (not isinstance(host, str) or "/" in host or "://" in host):
            raise self.fail(f"'host' must be a host name with an optional port, without scheme "
                            f"or path: {host!r}", "/host")
        if base_path is not None and (not isinstance(base_path, str) or not base_path.startswith("/")):
            raise self.fail(f"'basePath' must start with '/': {base_path!r}", "/basePath")
        if schemes is not None and (not isinstance(schemes, list)
                                    or not all(isinstance(s, str) for s in schemes)):
            raise self.fail("'schemes' must be a list of strings", "/schemes")
        base = (base_path or "").rstrip("/")
        src = urlsplit(self.source_url) if self.source_url else None
        if not host and src is not None and src.netloc:
            host = src.netloc         # "the host serving the documentation"
        if not host:
            return [{"url": base}] if base_path else []
        if not schemes:               # "the scheme used to access the Swagger definition"
            schemes = [src.scheme] if src is not None and src.scheme else ["https"]
        out = []
        for s in schemes:
            if s.lower() in ("ws", "wss"):
                continue              # no HTTP operations are described on those
            out.append({"url": f"{s.lower()}://{host}{base}"})
        return out or [{"url": f"https://{host}{base}"}]

    def _x_servers(self, obj: dict, ptr: str) -> Optional[List[Dict[str, Any]]]:
        """``x-servers`` taken out of ``obj`` (the root, a path item or an
        operation), checked: OpenAPI 3 Server Objects written into a Swagger
        2.0 document, which swagger2openapi and the converters going the
        other way use to carry servers ``host`` cannot say (several hosts,
        URL variables).  ``None`` when there is none."""
        if "x-servers" not in obj:
            return None
        value = obj.pop("x-servers")
        where = f"{ptr}/x-servers"
        if not isinstance(value, list) or not value:
            raise self.fail("'x-servers' must be a non-empty list of Server Objects", where)
        for i, server in enumerate(value):
            if not isinstance(server, dict) or not isinstance(server.get("url"), str):
                raise self.fail("a Server Object needs a 'url' string", f"{where}/{i}")
            variables = server.get("variables")
            if variables is not None and not (isinstance(variables, dict) and all(
                    isinstance(v, dict) and isinstance(v.get("default"), str) for v in variables.values())):
                raise self.fail("server variables must each have a 'default' string", f"{where}/{i}/variables")
        return [dict(server) for server in value]

    def _components(self, comps: dict, consumes: List[str], produces: List[str]) -> None:
        params = comps.get("parameters")
        if isinstance(params, dict):
            bodies = {}
            for name, p in list(params.items()):
                ptr = f"/parameters/{escape(name)}"
                if not isinstance(p, dict):
                    raise self.fail("a Parameter must be a mapping", ptr)
                if "$ref" in p:
                    continue
                where = p.get("in")
                if where == "body":
                    bodies[name] = self._body(p, consumes, ptr)
                    self._unplaced.append(name)
                elif where == "formData":
                    self._unplaced.append(name)     # inlined into each operation's form body
                else:
                    self._first_time(p)
                    self._parameter(p, ptr)
            if bodies:
                comps.setdefault("requestBodies", {}).update(bodies)
                self.note("#/parameters", f"body parameters {sorted(bodies)} became components/requestBodies")
        responses = comps.get("responses")
        if isinstance(responses, dict):
            for name, r in responses.items():
                ptr = f"/responses/{escape(name)}"
                if isinstance(r, dict) and "$ref" not in r and self._first_time(r):
                    self._response(r, produces, ptr)
        schemes = comps.get("securitySchemes")
        if isinstance(schemes, dict):
            for name, s in schemes.items():
                self._security_scheme(s, f"/securityDefinitions/{escape(name)}")

    def _security_scheme(self, s: Any, ptr: str) -> None:
        if not isinstance(s, dict):
            raise self.fail("a Security Scheme must be a mapping", ptr)
        kind = s.get("type")
        if not isinstance(kind, str):
            raise self.fail(f"a security scheme needs a 'type' (basic, apiKey, oauth2), not {kind!r}", ptr + "/type")
        if kind == "basic":
            s["type"] = "http"
            s["scheme"] = "basic"
        elif kind == "apiKey":
            if s.get("in") not in ("query", "header"):
                raise self.fail(f"an apiKey scheme goes 'in' query or header, not {s.get('in')!r}", ptr + "/in")
            if not isinstance(s.get("name"), str):
                raise self.fail("an apiKey scheme needs the 'name' of its header or query parameter", ptr)
        elif kind == "oauth2":
            flow = s.pop("flow", None)
            names = {"implicit": "implicit", "password": "password", "application": "clientCredentials",
                     "accessCode": "authorizationCode"}
            if not isinstance(flow, str) or flow not in names:
                raise self.fail(f"unknown oauth2 flow {flow!r} (implicit, password, application, "
                                f"accessCode)", ptr + "/flow")
            out: Dict[str, Any] = {}
            for key, needed in (("authorizationUrl", ("implicit", "accessCode")),
                                ("tokenUrl", ("password", "application", "accessCode"))):
                value = s.pop(key, None)
                if flow in needed:
                    if not isinstance(value, str):
                        raise self.fail(f"an oauth2 {flow} flow needs '{key}'", ptr)
                    out[key] = value
            scopes = s.pop("scopes", None)
            out["scopes"] = scopes if isinstance(scopes, dict) else {}
            s["flows"] = {names[flow]: out}
        else:
            raise self.fail(f"unknown security scheme type {kind!r} (basic, apiKey, oauth2)", ptr + "/type")

    def _path_item(self, item: dict, base: Optional[str], ptr: str, consumes: List[str],
                   produces: List[str]) -> None:
        shared = item.get("parameters")
        if shared is not None and not isinstance(shared, list):
            raise self.fail("'parameters' must be a list", ptr + "/parameters")
        declared = self._x_servers(item, ptr)
        if declared is not None:
            item["servers"] = declared
            self.note("#" + ptr, "x-servers became servers")
        shared_resolved = [self._follow(p, base, f"{ptr}/parameters/{i}")[0]
                           for i, p in enumerate(shared or [])]
        for i, p in enumerate(shared_resolved):
            self._check_parameter(p, f"{ptr}/parameters/{i}")
        # body and formData parameters of the path item belong to each operation's body
        keep_shared = []
        for i, (p, raw) in enumerate(zip(shared_resolved, shared or [])):
            if isinstance(p, dict) and p.get("in") in ("body", "formData"):
                continue
            keep_shared.append(raw)
            if isinstance(p, dict) and self._first_time(p):
                self._parameter(p, f"{ptr}/parameters/{i}")
        if shared is not None:
            if keep_shared:
                item["parameters"] = keep_shared
            else:
                del item["parameters"]
        for method in _METHODS:
            op = item.get(method)
            if op is None:
                continue
            optr = f"{ptr}/{method}"
            if not isinstance(op, dict):
                raise self.fail(f"an Operation must be a mapping, not a {type(op).__name__}", optr)
            self._operation(op, base, optr, consumes, produces, list(zip(shared_resolved, shared or [])))

    def _operation(self, op: dict, base: Optional[str], ptr: str, consumes: List[str], produces: List[str],
                   shared: list) -> None:
        op_consumes = self._media_list(op.pop("consumes", None), ptr + "/consumes")
        op_produces = self._media_list(op.pop("produces", None), ptr + "/produces")
        consumes = op_consumes if op_consumes is not None else consumes
        produces = op_produces if op_produces is not None else produces
        schemes = op.pop("schemes", None)
        if schemes and schemes != self._global_schemes:
            servers = []
            for s in schemes:
                for server in self.doc.get("servers") or []:
                    url = server["url"]
                    rest = url.split("://", 1)[1] if "://" in url else url.lstrip("/")
                    new = {"url": f"{s}://{rest}"}
                    if new not in servers:
                        servers.append(new)
            if servers:
                op["servers"] = servers
        declared = self._x_servers(op, ptr)
        if declared is not None:
            op["servers"] = declared      # the document's own servers win over ones made from schemes
            self.note("#" + ptr, "x-servers became servers")
        params = op.get("parameters")
        if params is not None and not isinstance(params, list):
            raise self.fail("'parameters' must be a list", ptr + "/parameters")
        own = []
        for i, raw in enumerate(params or []):
            p, _ = self._follow(raw, base, f"{ptr}/parameters/{i}")
            self._check_parameter(p, f"{ptr}/parameters/{i}")
            own.append((p, raw, f"{ptr}/parameters/{i}"))
        # an operation's parameter overrides the path item's of the same name and place
        seen = {(p.get("name"), p.get("in")) for p, _, _ in own}
        for j, (p, raw) in enumerate(shared):
            if isinstance(p, dict) and p.get("in") in ("body", "formData") and \
                    (p.get("name"), p.get("in")) not in seen:
                own.append((p, raw, f"{ptr.rsplit('/', 1)[0]}/parameters/{j}"))
        kept, body, form = [], None, []
        for p, raw, pptr in own:
            where = p.get("in")
            if where == "body":
                if body is not None:
                    raise self.fail("an operation has at most one body parameter", pptr)
                body = (p, pptr)
            elif where == "formData":
                form.append((p, pptr))
            else:
                if self._first_time(p):
                    self._parameter(p, pptr)
                kept.append(raw)
        if body is not None and form:
            raise self.fail("an operation cannot have both a body parameter and formData parameters",
                            form[0][1])
        if params is not None or kept:
            if kept:
                op["parameters"] = kept
            else:
                op.pop("parameters", None)
        if body is not None:
            p, pptr = body
            if "requestBody" in op:
                raise self.fail("an operation has both a body parameter and a requestBody", pptr)
            op["requestBody"] = self._body(p, consumes, pptr)
            if isinstance(p.get("name"), str):      # the name the parameter had, as generators keep it
                op["x-codegen-request-body-name"] = p["name"]
            self.count("body parameters became request bodies")
        elif form:
            op["requestBody"] = self._form(form, consumes, ptr)
            self.count("sets of formData parameters became form request bodies")
        responses = op.get("responses")
        if responses is None:
            raise self.fail("an operation needs 'responses'", ptr)
        if not isinstance(responses, dict):
            raise self.fail("'responses' must be a mapping", ptr + "/responses")
        for code, r in responses.items():
            rptr = f"{ptr}/responses/{escape(str(code))}"
            if isinstance(code, str) and code.startswith("x-"):
                continue
            if not isinstance(r, dict):
                raise self.fail("a Response must be a mapping", rptr)
            if "$ref" in r:
                if not isinstance(r["$ref"], str):
                    raise self.fail("a $ref must be a string", rptr + "/$ref")
                if base is None and r["$ref"].startswith("#"):
                    continue       # a component response, converted with the document's produces
                target, _ = self._follow(r, base, rptr)
                if isinstance(target, dict) and self._first_time(target):
                    self._response(target, produces, rptr)
                continue
            if self._first_time(r):
                self._response(r, produces, rptr)

    # ------------------------------------------------------------ parameters
    def _check_parameter(self, p: Any, ptr: str) -> None:
        if not isinstance(p, dict):
            raise self.fail("a Parameter must be a mapping", ptr)
        if not isinstance(p.get("name"), str):
            raise self.fail("a parameter needs a 'name'", ptr)
        if not isinstance(p.get("in"), str) or p["in"] not in _LOCATIONS:
            raise self.fail(f"parameter {p['name']!r}: 'in' must be one of {', '.join(_LOCATIONS)}, "
                            f"not {p.get('in')!r}", ptr + "/in")

    def _value_schema(self, p: dict, ptr: str, depth: int = 0) -> Dict[str, Any]:
        """The Schema Object of a non-body parameter, header or items object,
        its value keywords moved out of ``p``."""
        if depth > _limits.MAX_DEPTH:
            raise self.fail(f"items nested more than {_limits.MAX_DEPTH} levels deep", ptr)
        schema: Dict[str, Any] = {}
        if "schema" in p and isinstance(p["schema"], dict):
            schema = p.pop("schema")
        for key in _VALUE_KEYS:
            if key in p:
                schema[key] = p.pop(key)
        items = schema.get("items")
        if isinstance(items, dict):
            cf = items.pop("collectionFormat", None)
            if cf is not None and cf != "csv":
                self.note(ptr + "/items/collectionFormat", f"collectionFormat {cf!r} of nested array items "
                          f"cannot be expressed in OpenAPI 3 and was dropped")
            if "$ref" not in items:
                schema["items"] = self._value_schema(items, ptr + "/items", depth + 1)
        if schema.get("type") == "file":
            schema["type"] = "string"
            schema["format"] = "binary"
        if "x-nullable" in p:
            schema["nullable"] = bool(p.pop("x-nullable"))
        return schema

    def _parameter(self, p: dict, ptr: str) -> None:
        """A query, header or path parameter, in place."""
        where = p.get("in")
        if not isinstance(p.get("name"), str):
            raise self.fail("a parameter needs a 'name'", ptr)
        if where not in _LOCATIONS:
            raise self.fail(f"parameter {p['name']!r}: 'in' must be one of {', '.join(_LOCATIONS)}, "
                            f"not {where!r}", ptr + "/in")
        if "schema" in p and "type" not in p:
            return                                   # already converted (shared through a $ref)
        if "type" not in p:
            raise self.fail(f"parameter {p['name']!r} ({where}) needs a 'type'", ptr)
        if p["type"] == "file":
            raise self.fail(f"parameter {p['name']!r}: type 'file' is only allowed for formData "
                            f"parameters", ptr + "/type")
        cf = p.pop("collectionFormat", None)
        if p.get("type") == "array" and cf is None:
            cf = "csv"
        if cf is not None:
            if cf not in _COLLECTION_FORMATS:
                raise self.fail(f"parameter {p['name']!r}: unknown collectionFormat {cf!r} "
                                f"({', '.join(_COLLECTION_FORMATS)})", ptr + "/collectionFormat")
            self._style(p, cf, where, ptr)
        if where == "path" and p.get("required") is not True:
            p["required"] = True
            self.note(ptr + "/required", f"path parameter {p['name']!r} made required, as every path "
                                         f"parameter is")
        p["schema"] = self._value_schema(p, ptr)

    def _style(self, p: dict, cf: str, where: str, ptr: str) -> None:
        if where in ("query", "cookie"):
            if cf == "csv":
                p["style"], p["explode"] = "form", False
            elif cf == "ssv":
                p["style"] = "spaceDelimited"
            elif cf == "pipes":
                p["style"] = "pipeDelimited"
            elif cf == "multi":
                p["explode"] = True
            elif cf == "tsv":
                # OpenAPI 3 has no tab-delimited style; the serializer reads the extension
                p["style"], p["explode"] = "form", False
                p["x-collectionFormat"] = "tsv"
                self.note(ptr + "/collectionFormat", f"parameter {p['name']!r}: collectionFormat tsv has no "
                          f"OpenAPI 3 style; kept as x-collectionFormat: tsv (values joined by tabs)")
            return
        if cf == "csv":
            p["style"] = "simple"
            return
        self.note(ptr + "/collectionFormat", f"parameter {p['name']!r} ({where}): collectionFormat {cf} "
                  f"cannot be expressed in OpenAPI 3 outside the query; the values are sent comma-separated")

    def _body(self, p: dict, consumes: List[str], ptr: str) -> Dict[str, Any]:
        schema = p.get("schema")
        if not isinstance(schema, dict):
            raise self.fail(f"body parameter {p.get('name')!r} needs a 'schema'", ptr)
        out: Dict[str, Any] = {}
        if p.get("description"):
            out["description"] = p["description"]
        types = consumes or ["application/json"]
        out["content"] = {mt: {"schema": schema if i == 0 else copy.deepcopy(schema)}
                          for i, mt in enumerate(types)}
        if p.get("required") is True:
            out["required"] = True
        out.update({k: v for k, v in p.items() if isinstance(k, str) and k.startswith("x-")})
        return out

    def _form(self, form: list, consumes: List[str], ptr: str) -> Dict[str, Any]:
        has_file = any(p.get("type") == "file" for p, _ in form)
        multipart = "multipart/form-data" in consumes or has_file
        media = "multipart/form-data" if multipart else "application/x-www-form-urlencoded"
        if has_file and "multipart/form-data" not in consumes:
            self.note(ptr, "formData with type: file sent as multipart/form-data, the only form "
                           "encoding that carries a file")
        props: Dict[str, Any] = {}
        required: List[str] = []
        encoding: Dict[str, Any] = {}
        for p, pptr in form:
            name = p.get("name")
            if not isinstance(name, str):
                raise self.fail("a parameter needs a 'name'", pptr)
            if "type" not in p:
                raise self.fail(f"formData parameter {name!r} needs a 'type'", pptr)
            q = dict(p)
            cf = q.pop("collectionFormat", None)
            if q.get("type") == "array" and cf is None:
                cf = "csv"
            if cf is not None and cf not in _COLLECTION_FORMATS:
                raise self.fail(f"parameter {name!r}: unknown collectionFormat {cf!r}", pptr + "/collectionFormat")
            schema = self._value_schema(q, pptr)
            if q.get("description"):
                schema["description"] = q["description"]
            for k, v in q.items():
                if isinstance(k, str) and k.startswith("x-"):
                    schema[k] = v
            props[name] = schema
            if p.get("required") is True:
                required.append(name)
            if cf is not None and not multipart:
                style = {"csv": ("form", False), "multi": ("form", True), "ssv": ("spaceDelimited", False),
                         "pipes": ("pipeDelimited", False), "tsv": ("form", False)}[cf]
                encoding[name] = {"style": style[0], "explode": style[1]}
        schema_out: Dict[str, Any] = {"type": "object", "properties": props}
        if required:
            schema_out["required"] = required
        media_obj: Dict[str, Any] = {"schema": schema_out}
        if encoding:
            media_obj["encoding"] = encoding
        out: Dict[str, Any] = {"content": {media: media_obj}}
        if required:
            out["required"] = True
        return out

    # ------------------------------------------------------------ responses
    def _header(self, h: Any, ptr: str) -> Any:
        if not isinstance(h, dict) or "$ref" in h or "schema" in h:
            return h
        out: Dict[str, Any] = {}
        if "description" in h:
            out["description"] = h["description"]
        q = dict(h)
        q.pop("description", None)
        cf = q.pop("collectionFormat", None)
        if cf not in (None, "csv"):
            self.note(ptr + "/collectionFormat", f"response header collectionFormat {cf} cannot be "
                                                 f"expressed in OpenAPI 3 and was dropped")
        out["schema"] = self._value_schema(q, ptr)
        out.update({k: v for k, v in q.items() if isinstance(k, str) and k.startswith("x-")})
        return out

    def _response(self, r: dict, produces: List[str], ptr: str) -> None:
        if "content" in r and "schema" not in r:
            return                                   # already converted
        schema = r.pop("schema", None)
        examples = r.pop("examples", None)
        if schema is not None:
            if not isinstance(schema, dict):
                raise self.fail("a response 'schema' must be a mapping", ptr + "/schema")
            content = {}
            for i, mt in enumerate(produces or ["*/*"]):
                content[mt] = {"schema": schema if i == 0 else copy.deepcopy(schema)}
            r["content"] = content
        if isinstance(examples, dict) and examples:
            content = r.setdefault("content", {})
            for mt, value in examples.items():
                content.setdefault(mt, {})["examples"] = {"response": {"value": value}}
        headers = r.get("headers")
        if isinstance(headers, dict):
            for name, h in list(headers.items()):
                headers[name] = self._header(h, f"{ptr}/headers/{escape(name)}")
        if "description" not in r:
            r["description"] = ""

    # ------------------------------------------------------------ step 3
    def finish(self, doc: dict) -> List[Repair]:
        """The Schema Objects of the bundled document, wherever they came from."""
        from .walk import objects
        n = {"file": 0, "nullable": 0, "discriminator": 0}
        seen: set = set()
        for _pointer, _kind, schema in objects(doc, frozenset(("schema",))):
            self._schema_tree(schema, seen, n)
        # a header's or parameter's schema, made above, is found by the walk too
        if n["file"]:
            self.note("#/components/schemas", f"{n['file']} schemas of type: file became binary strings")
        if n["nullable"]:
            self.note("#/components/schemas", f"x-nullable became nullable in {n['nullable']} schemas")
        if n["discriminator"]:
            self.note("#/components/schemas", f"{n['discriminator']} discriminators given as a property name "
                                              f"became Discriminator Objects")
        return self.records

    def _schema_tree(self, root: Any, seen: set, n: Dict[str, int]) -> None:
        stack = [root]
        while stack:
            s = stack.pop()
            if type(s) is not dict or id(s) in seen:
                continue
            seen.add(id(s))
            if s.get("type") == "file":
                s["type"] = "string"
                s["format"] = "binary"
                n["file"] += 1
            if "x-nullable" in s:
                if isinstance(s["x-nullable"], bool):
                    s["nullable"] = s.pop("x-nullable")
                    n["nullable"] += 1
            disc = s.get("discriminator")
            if isinstance(disc, str):
                s["discriminator"] = {"propertyName": disc}
                n["discriminator"] += 1
            stack.extend(sub for _key, _where, sub in each_subschema(s))
