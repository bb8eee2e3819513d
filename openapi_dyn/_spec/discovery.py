"""Google Discovery documents (``kind: discovery#restDescription``) turned into
OpenAPI 3.1 once, at load time, so that nothing after :mod:`openapi_dyn._spec`
needs to know the document came in another format.

    >>> from openapi_dyn._spec.discovery import is_discovery, convert
    >>> doc, facts = convert(discovery_doc, "drive.v3.json")     # doc: OpenAPI 3.1

What maps to what (docs/specs.md has the full table):

* every method of every (nested) resource is an operation whose operationId is
  the method's ``id``; its resource path (``projects.locations``) is its tag;
* ``rootUrl`` (or the origin of ``baseUrl``) is the server and ``servicePath``
  is written into every path, so a ``base_url=`` override keeps the paths whole
  and media uploads (``/upload/<servicePath>...``) share the same server; the
  locational ``endpoints`` become a second server with a ``location`` variable;
* ``{+name}`` (reserved expansion, ``/`` kept) is ``{name}`` with
  ``x-allowReserved`` (OpenAPI's ``allowReserved`` is for query parameters);
  Discovery paths are not unique per method (``v1/{+name}`` serves dozens of
  ``get`` methods), so a repeated path and method gets a path key with a
  `` (<method id>)`` suffix, which :class:`~openapi_dyn.Operation` drops from
  the URL;
* parameters keep ``required``, ``enum``, ``pattern``, ``minimum``/``maximum``;
  ``repeated`` ones are arrays sent as one query pair per value; the
  document-level parameters are shared ``components/parameters`` on every
  operation, except the credentials (``key``, ``access_token``,
  ``oauth_token``), which are security schemes instead;
* ``schemas`` become ``components/schemas`` with Discovery's dialect
  translated (see :func:`_schema`); a ``$ref`` to a schema the document lacks
  gets a schema that accepts anything, and is listed;
* ``mediaUpload`` adds an operation ``<id>.upload`` on the upload path;
  ``supportsMediaDownload`` adds a binary response for ``alt=media``.

Every decision that changes or drops something is returned as a
:class:`~openapi_dyn._spec.repair.Repair` row (pointer into the converted
document, one sentence): ``Spec.conversions``, beside ``Spec.repairs``.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Dict, Iterator, List, Optional, Tuple
from urllib.parse import urlsplit

from .._errors import SpecError
from .pointer import escape
from .repair import Repair

__all__ = ["is_discovery", "convert", "SOURCE_FORMAT"]

#: ``Spec.source_format`` of a converted Discovery document.
SOURCE_FORMAT = "discovery"

#: Document-level parameters that are credentials, not call arguments: they
#: become security schemes so that their values are masked like any key.
_CREDENTIAL_PARAMS = ("key", "access_token", "oauth_token")

_SCHEMES = {
    "google_api_key": {"type": "apiKey", "in": "header", "name": "x-goog-api-key",
                       "description": "An API key, sent in the x-goog-api-key header."},
    "google_api_key_query": {"type": "apiKey", "in": "query", "name": "key",
                             "description": "An API key, sent as the key query parameter."},
}
_OAUTH = "google_oauth2"
_AUTH_URL = "https://accounts.google.com/o/oauth2/auth"
_TOKEN_URL = "https://oauth2.googleapis.com/token"

_INT64_PATTERN = "^-?[0-9]+$"
_UINT64_PATTERN = "^[0-9]+$"
_DURATION_PATTERN = r"^-?[0-9]+(\.[0-9]{1,9})?s$"
_TEMPLATE = re.compile(r"\{([+#./;?&]?)([^{}]+)\}")
_COMPONENT_KEY = re.compile(r"[^A-Za-z0-9._-]+")
_HTTP_METHODS = {"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"}
_BINARY = {"type": "string", "format": "binary", "contentMediaType": "application/octet-stream"}


def is_discovery(doc: Any) -> bool:
    """Whether ``doc`` is a Google Discovery document (and not OpenAPI); the
    directory of APIs (``discovery#directoryList``) counts, to be refused
    with a message saying what it is."""
    return (isinstance(doc, dict) and "openapi" not in doc and "swagger" not in doc
            and (doc.get("kind") == "discovery#restDescription" or "discoveryVersion" in doc))


def convert(doc: Dict[str, Any], where: str) -> Tuple[Dict[str, Any], List[Repair]]:
    """The OpenAPI 3.1 form of the Discovery document ``doc`` and the list of
    conversion facts.  ``doc`` is not changed.  A document that cannot be
    converted (no server, a method without a path) raises :class:`SpecError`
    naming the place."""
    converter = _Converter(doc, where)
    try:
        return converter.run()
    except (AttributeError, TypeError, KeyError, ValueError) as exc:
        if isinstance(exc, SpecError):
            raise
        # a part of another shape than Discovery's (a list where a map belongs...)
        raise SpecError(f"not a usable Discovery document: a part has the wrong shape "
                        f"({type(exc).__name__}: {str(exc)[:120]})", f"{where}{converter.at}") from None


# ====================================================================== helpers
def _number(value: Any) -> Any:
    """Discovery writes bounds and defaults as strings (``"1"``, ``"true"``)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    try:
        text = str(value).strip()
        return int(text) if re.fullmatch(r"-?[0-9]+", text) else float(text)
    except (TypeError, ValueError):
        return None


def _typed_default(value: Any, type_: Optional[str]) -> Any:
    if type_ == "boolean":
        if isinstance(value, bool):
            return value
        return {"true": True, "false": False}.get(str(value).lower())
    if type_ in ("integer", "number"):
        n = _number(value)
        return int(n) if type_ == "integer" and isinstance(n, float) and n.is_integer() else n
    if type_ == "string":
        return value if isinstance(value, str) else str(value)
    return value


def _first_sentence(text: str) -> str:
    """The first sentence of a method's description, as its summary
    (Discovery has none; listings and tool descriptions want one line)."""
    line = text.strip().split("\n", 1)[0]
    mo = re.search(r"[.!?](\s|$)", line)
    first = line[:mo.start() + 1] if mo else line
    return first if len(first) <= 160 else first[:157].rstrip() + "..."


@lru_cache(maxsize=8192)
def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
        return True
    except (re.error, TypeError):
        return False


def _component_key(name: str) -> str:
    return _COMPONENT_KEY.sub("_", name).strip("_") or "param"


def _methods(node: Dict[str, Any], trail: Tuple[str, ...],
             where: str) -> Iterator[Tuple[str, Tuple[str, ...], str, Dict]]:
    """``(method name, resource trail, pointer, method)`` for every method, in document order."""
    for name, method in (node.get("methods") or {}).items():
        if isinstance(method, dict):
            yield name, trail, f"{where}/methods/{escape(name)}", method
    for name, res in (node.get("resources") or {}).items():
        if isinstance(res, dict):
            yield from _methods(res, trail + (name,), f"{where}/resources/{escape(name)}")


# ====================================================================== converter
class _Converter:
    def __init__(self, doc: Dict[str, Any], where: str):
        self.src = doc
        self.where = where
        self.facts: List[Repair] = []
        #: the Discovery pointer of what is being converted, for errors
        self.at = "#"
        self.schemas_src: Dict[str, Any] = doc.get("schemas") if isinstance(doc.get("schemas"), dict) else {}
        self.schemas: Dict[str, Any] = {}
        self.missing: Dict[str, str] = {}          # schema name -> first place that referred to it
        self.dropped_patterns = 0
        #: request schema name -> {method id: [property names annotated as required for it]}
        self.required_for: Dict[str, Dict[str, List[str]]] = {}
        #: "#/components/parameters/<key>" -> the document-level parameter's (name, in)
        self.common_names: Dict[str, Tuple[str, str]] = {}

    def fact(self, pointer: str, action: str) -> None:
        self.facts.append(Repair(pointer, action))

    # ------------------------------------------------------------------ whole
    def run(self) -> Tuple[Dict[str, Any], List[Repair]]:
        src = self.src
        if src.get("kind") == "discovery#directoryList":
            raise SpecError("this is the Discovery directory (a list of APIs), not the description of one API: "
                            "load one of the documents its items' discoveryRestUrl names", self.where)
        server, prefix = self._server()
        for name, schema in self.schemas_src.items():
            self.at = f"#/schemas/{escape(name)}"
            if not isinstance(schema, dict):
                raise SpecError(f"schema {name!r} must be an object, not {type(schema).__name__}",
                                f"{self.where}#/schemas/{escape(name)}")
            self.schemas[name] = self._schema(schema, f"#/components/schemas/{escape(name)}")
            self._note_required(name, schema)
        info = {"title": str(src.get("title") or src.get("name") or "untitled"),
                "version": str(src.get("version") or "")}
        if src.get("description"):
            info["description"] = str(src["description"])
        out: Dict[str, Any] = {"openapi": "3.1.0", "info": info}
        extra = {k: src[k] for k in ("id", "name", "revision", "discoveryVersion", "documentationLink",
                                     "batchPath", "canonicalName") if k in src}
        out["x-discovery"] = extra
        if src.get("documentationLink"):
            out["externalDocs"] = {"url": str(src["documentationLink"])}
        self.locational = self._locational(prefix)
        out["servers"] = [server] + self.locational
        common, common_refs = self._common_parameters()
        schemes = dict(_SCHEMES)
        self.at = "#/auth"
        scopes = ((src.get("auth") or {}).get("oauth2") or {}).get("scopes") or {}
        if not isinstance(scopes, dict):
            raise SpecError("auth.oauth2.scopes must be a map of scope to description",
                            f"{self.where}#/auth/oauth2/scopes")
        if scopes:
            flows_scopes = {s: str((d.get("description") if isinstance(d, dict) else "") or "")
                            for s, d in scopes.items()}
            schemes[_OAUTH] = {"type": "oauth2", "description": "OAuth 2.0 access token (Authorization: Bearer).",
                               "flows": {"authorizationCode": {"authorizationUrl": _AUTH_URL, "tokenUrl": _TOKEN_URL,
                                                               "scopes": flows_scopes}}}
            self.fact("#/components/securitySchemes", f"auth.oauth2: {len(scopes)} scope(s) as an OAuth2 bearer scheme "
                      f"{_OAUTH!r}; an API key goes in the x-goog-api-key header or the key query parameter")
        paths: Dict[str, Any] = {}
        count = uploads = renamed = 0
        seen_ids: set = set()
        self.at = "#/resources"
        for name, trail, pointer, method in _methods(src, (), "#"):
            self.at = pointer
            op_id, key, http, op = self._operation(name, trail, pointer, method, prefix, common_refs, scopes)
            if op_id in seen_ids:
                raise SpecError(f"method id {op_id!r} appears twice", f"{self.where}{pointer}/id")
            seen_ids.add(op_id)
            renamed += self._place(paths, key, http, op_id, op)
            count += 1
            upload = self._upload(method, pointer, op_id, op, server, prefix)
            if upload is not None:
                up_id = upload["operationId"]
                if up_id in seen_ids:
                    raise SpecError(f"the upload operation {up_id!r} clashes with a method id",
                                    f"{self.where}{pointer}")
                seen_ids.add(up_id)
                key = upload.pop("x-path-key")
                note = upload.pop("x-conversion-note")
                renamed += self._place(paths, key, http, up_id, upload)
                placed = key if paths[key].get(http) is upload else f"{key} ({up_id})"
                self.fact(f"#/paths/{escape(placed)}/{http}", note)
                uploads += 1
        if not paths:
            raise SpecError("the Discovery document has no methods: it describes nothing to call", self.where)
        for name, first in self.missing.items():
            self.schemas[name] = {"description": f"The Discovery document refers to the schema {name!r} "
                                                 f"but does not define it; any value is accepted."}
            self.fact(f"#/components/schemas/{escape(name)}",
                      f"$ref to schema {name!r}, which the document does not define (first at {first}): "
                      f"replaced by a schema that accepts anything")
        out["paths"] = paths
        out["components"] = {"schemas": self.schemas, "parameters": common, "securitySchemes": schemes}
        self.fact("#", f"converted from a Google Discovery document ({src.get('id') or src.get('name')}, "
                       f"discoveryVersion {src.get('discoveryVersion', '?')}) to OpenAPI 3.1: {count} method(s) as "
                       f"operations named by their Discovery id, {len(self.schemas_src)} schema(s)"
                       + (f", {uploads} media upload operation(s) <id>.upload" if uploads else ""))
        if renamed:
            self.fact("#/paths", f"{renamed} operation(s) share a path and method with another (Discovery's "
                                 f"'v1/{{+name}}'): their path keys end in a space and '(<method id>)', "
                                 f"which is not sent")
        if self.dropped_patterns:
            self.fact("#", f"{self.dropped_patterns} pattern(s) that are not valid regular expressions here "
                           f"were dropped")
        return out, self.facts

    # ------------------------------------------------------------------ servers
    def _server(self) -> Tuple[Dict[str, Any], str]:
        """The server (the root URL, no trailing slash) and the path prefix
        every method path gets (``/`` + servicePath)."""
        src = self.src
        root, service = src.get("rootUrl"), src.get("servicePath")
        if isinstance(root, str) and root and isinstance(service, str):
            base, prefix = root.rstrip("/"), "/" + service.lstrip("/")
        elif isinstance(src.get("baseUrl"), str) and src["baseUrl"]:
            parts = urlsplit(src["baseUrl"])
            base, prefix = f"{parts.scheme}://{parts.netloc}", parts.path or "/"
        elif isinstance(root, str) and root:
            base, prefix = root.rstrip("/"), "/" + str(src.get("basePath") or "").lstrip("/")
        else:
            raise SpecError("the Discovery document has neither rootUrl and servicePath nor baseUrl: "
                            "there is no server to call", f"{self.where}#/rootUrl")
        if not prefix.endswith("/"):
            prefix += "/"
        server: Dict[str, Any] = {"url": base}
        if src.get("title"):
            server["description"] = f"{src['title']} (rootUrl)"
        self.fact("#/servers/0", f"server from rootUrl {root or src.get('baseUrl')!r}; servicePath "
                                 f"{prefix!r} is written into every path")
        return server, prefix

    def _locational(self, prefix: str) -> List[Dict[str, Any]]:
        """The locational ``endpoints`` as one server whose ``location``
        variable picks the region; endpoints whose URL does not contain their
        location in the common shape are listed and left out."""
        ends = self.src.get("endpoints")
        if not isinstance(ends, list) or not ends:
            return []
        shapes: Dict[str, List[str]] = {}
        for e in ends:
            if not isinstance(e, dict):
                continue
            url, loc = e.get("endpointUrl"), e.get("location")
            if isinstance(url, str) and isinstance(loc, str) and loc and loc in url:
                shapes.setdefault(url.replace(loc, "{location}", 1).rstrip("/"), []).append(loc)
        if not shapes:
            return []
        shape, locations = max(shapes.items(), key=lambda kv: len(kv[1]))
        left = sum(len(v) for k, v in shapes.items() if k != shape)
        self.fact("#/servers/1", f"{len(locations)} locational endpoint(s) as the server variable 'location'"
                  + (f"; {left} endpoint(s) of another URL shape left out" if left else ""))
        default = "us-central1" if "us-central1" in locations else locations[0]
        return [{"url": shape, "description": "Locational endpoint (server_variables={'location': ...})",
                 "variables": {"location": {"default": default, "enum": locations}}}]

    # ------------------------------------------------------------------ parameters
    def _common_parameters(self) -> Tuple[Dict[str, Any], List[Dict[str, str]]]:
        params = self.src.get("parameters") if isinstance(self.src.get("parameters"), dict) else {}
        out: Dict[str, Any] = {}
        refs: List[Dict[str, str]] = []
        dropped = []
        for name, p in params.items():
            if not isinstance(p, dict):
                continue
            if name in _CREDENTIAL_PARAMS:
                dropped.append(name)
                continue
            key = _component_key(name)
            while key in out:
                key += "_"
            out[key] = self._parameter(name, p, f"#/components/parameters/{escape(key)}")
            refs.append({"$ref": f"#/components/parameters/{escape(key)}"})
            self.common_names[refs[-1]["$ref"]] = (name, out[key]["in"])
        if dropped:
            self.fact("#/components/parameters", f"document-level parameter(s) {', '.join(dropped)} are credentials: "
                      f"given as security schemes (api_key= / credentials=), not as call arguments")
        return out, refs

    def _parameter(self, name: str, p: Dict[str, Any], pointer: str) -> Dict[str, Any]:
        location = p.get("location") if p.get("location") in ("path", "query", "header") else "query"
        schema = self._schema({k: v for k, v in p.items()
                               if k not in ("location", "required", "repeated", "description", "deprecated")},
                              pointer + "/schema")
        if p.get("repeated"):
            schema = {"type": "array", "items": schema}
        out: Dict[str, Any] = {"name": name, "in": location}
        if p.get("description"):
            out["description"] = str(p["description"])
        if p.get("required") or location == "path":
            out["required"] = True
        if p.get("deprecated"):
            out["deprecated"] = True
        if p.get("repeated") and location == "query":
            out["style"], out["explode"] = "form", True
        out["schema"] = schema
        return out

    # ------------------------------------------------------------------ operations
    def _operation(self, name: str, trail: Tuple[str, ...], pointer: str, m: Dict[str, Any], prefix: str,
                   common_refs: List[Dict[str, str]], scopes: Dict[str, Any]):
        where = f"{self.where}{pointer}"
        op_id = m.get("id")
        if not isinstance(op_id, str) or not op_id:
            op_id = ".".join((self.src.get("name") or "api",) + trail + (name,))
            self.fact("#", f"the method at {pointer} of the Discovery document has no id: named {op_id!r}")
        http = str(m.get("httpMethod") or "").upper()
        if http not in _HTTP_METHODS:
            raise SpecError(f"method {op_id!r}: httpMethod {m.get('httpMethod')!r} is not an HTTP method",
                            f"{where}/httpMethod")
        path = m.get("path")
        if not isinstance(path, str):
            raise SpecError(f"method {op_id!r} has no path", f"{where}/path")
        template, reserved = self._template(prefix, path)
        op: Dict[str, Any] = {"operationId": op_id}
        if trail:
            op["tags"] = [".".join(trail)]
        if m.get("description"):
            op["summary"] = _first_sentence(str(m["description"]))
            op["description"] = str(m["description"])
        if m.get("deprecated"):
            op["deprecated"] = True
        own = self._method_parameters(m, op_id, reserved, template, where)
        # a method's own parameter of a common name (oauth2.tokeninfo's alt) is the one that counts
        names = {(p["name"], p["in"]) for p in own}
        op["parameters"] = own + [ref for ref in common_refs if self.common_names[ref["$ref"]] not in names]
        req = m.get("request")
        if isinstance(req, dict) and "$ref" in req:
            schema = self._request_schema(req["$ref"], op_id, pointer)
            op["requestBody"] = {"content": {"application/json": {"schema": schema}}}
        elif isinstance(req, dict) and req:      # an inline schema (type: object, additionalProperties)
            op["requestBody"] = {"content": {"application/json": {"schema": self._schema(req, f"{pointer}/request")}}}
        responses: Dict[str, Any] = {}
        res = m.get("response")
        ok: Dict[str, Any] = {"description": "Successful response"}
        if isinstance(res, dict) and "$ref" in res:
            ok["content"] = {"application/json": {"schema": self._ref(res["$ref"], f"{pointer}/response")}}
        elif isinstance(res, dict) and res:
            ok["content"] = {"application/json": {"schema": self._schema(res, f"{pointer}/response")}}
        if m.get("supportsMediaDownload"):
            ok.setdefault("content", {})["*/*"] = {"schema": dict(_BINARY)}
            op["x-media-download"] = "alt=media"
        responses["200"] = ok
        op["responses"] = responses
        method_scopes = [s for s in (m.get("scopes") or []) if isinstance(s, str)]
        security: List[Dict[str, List[str]]] = [{"google_api_key": []}, {"google_api_key_query": []}]
        if scopes and method_scopes:
            security.append({_OAUTH: method_scopes})
        elif scopes:
            security.append({_OAUTH: []})
        if not method_scopes:
            security.append({})      # a public method: credentials sent when at hand, never demanded
        op["security"] = security
        return op_id, template, http.lower(), op

    def _template(self, prefix: str, path: str) -> Tuple[str, set]:
        """The OpenAPI path template for a Discovery path and the names of its
        reserved-expansion (``{+name}``) variables."""
        reserved = set()

        def sub(mo: "re.Match[str]") -> str:
            op, name = mo.group(1), mo.group(2)
            if op == "+":
                reserved.add(name)
            return "{" + name + "}"

        rel = path[1:] if path.startswith("/") else path
        return prefix + _TEMPLATE.sub(sub, rel), reserved

    def _method_parameters(self, m: Dict[str, Any], op_id: str, reserved: set, template: str,
                           where: str) -> List[Dict[str, Any]]:
        raw = m.get("parameters") if isinstance(m.get("parameters"), dict) else {}
        order = [n for n in (m.get("parameterOrder") or []) if n in raw]
        names = order + sorted(n for n in raw if n not in order)
        in_template = {mo.group(2) for mo in _TEMPLATE.finditer(template)}
        out = []
        for n in names:
            p = raw[n]
            if not isinstance(p, dict):
                raise SpecError(f"parameter {n!r} of {op_id!r} must be an object", f"{where}/parameters/{escape(n)}")
            param = self._parameter(n, p, f"{where}/parameters/{escape(n)}")
            if param["in"] == "path" and n not in in_template:
                param["in"] = "query"
                param.pop("required", None)
                if p.get("required"):
                    param["required"] = True
            if n in reserved:
                param["x-allowReserved"] = True
            out.append(param)
        declared = {p["name"] for p in out if p["in"] == "path"}
        for n in sorted(in_template - declared):
            out.append({"name": n, "in": "path", "required": True, "schema": {"type": "string"},
                        **({"x-allowReserved": True} if n in reserved else {})})
        return out

    def _request_schema(self, name: Any, op_id: str, pointer: str) -> Dict[str, Any]:
        ref = self._ref(name, f"{pointer}/request")
        required = self.required_for.get(str(name), {}).get(op_id)
        if required:
            return {"allOf": [ref], "required": sorted(required)}
        return ref

    def _place(self, paths: Dict[str, Any], key: str, http: str, op_id: str, op: Dict[str, Any]) -> int:
        """Put ``op`` at ``paths[key][http]``; a taken place gets the key
        ``key (op_id)`` (returns 1 then, else 0)."""
        item = paths.setdefault(key, {})
        if http not in item:
            item[http] = op
            return 0
        paths.setdefault(f"{key} ({op_id})", {})[http] = op
        return 1

    # ------------------------------------------------------------------ media
    def _upload(self, m: Dict[str, Any], pointer: str, op_id: str, op: Dict[str, Any],
                server: Dict[str, Any], prefix: str) -> Optional[Dict[str, Any]]:
        media = m.get("mediaUpload")
        if not isinstance(media, dict):
            return None
        protocols = media.get("protocols") if isinstance(media.get("protocols"), dict) else {}
        simple = protocols.get("simple") if isinstance(protocols.get("simple"), dict) else None
        resumable = protocols.get("resumable") if isinstance(protocols.get("resumable"), dict) else None
        chosen = simple or resumable
        if chosen is None or not isinstance(chosen.get("path"), str):
            self.fact("#", f"{op_id}: mediaUpload without a protocol path, so no upload operation")
            return None
        path = chosen["path"]
        if not path.startswith("/"):
            path = "/" + path
        template, reserved = self._template("/", path)
        kinds = []
        if simple is not None:
            kinds.append("media")
            if simple.get("multipart"):
                kinds.append("multipart")
        if resumable is not None:
            kinds.append("resumable")
        accept = [a for a in (media.get("accept") or ["*/*"]) if isinstance(a, str)] or ["*/*"]
        content: Dict[str, Any] = {}
        if any("*" in a for a in accept) and "application/octet-stream" not in accept:
            content["application/octet-stream"] = {"schema": dict(_BINARY)}
        for a in accept:
            content[a] = {"schema": dict(_BINARY)}
        metadata = op["requestBody"]["content"]["application/json"]["schema"] if "requestBody" in op else {}
        if "requestBody" in op and "resumable" in kinds:
            content["application/json"] = {"schema": metadata}
        if "multipart" in kinds:
            content["multipart/related"] = {"schema": {
                "type": "object", "required": ["media"],
                "properties": {"metadata": metadata, "media": dict(_BINARY)}}}
        params = []
        for p in op["parameters"]:
            if "$ref" in p and p["$ref"].endswith("/uploadType"):
                continue
            if p.get("in") == "path" and p["name"] in reserved:
                p = dict(p, **{"x-allowReserved": True})
            params.append(p)
        params.insert(0, {"name": "uploadType", "in": "query", "required": True,
                          "description": "media: the body is the file; resumable: the body is the metadata "
                                         "and the answer's Location header is where the file goes"
                                         + ("; multipart: the body is {'metadata': {...}, 'media': file}, "
                                            "sent as multipart/related" if "multipart" in kinds else ""),
                          "schema": {"type": "string", "enum": kinds, "default": "media"}})
        upload = {k: v for k, v in op.items() if k not in ("parameters", "requestBody", "operationId")}
        upload["operationId"] = f"{op_id}.upload"
        upload["summary"] = f"Upload media for {op_id}"
        upload["parameters"] = params
        upload["requestBody"] = {"required": True, "content": content}
        upload["servers"] = [dict(server)] + self.locational
        if media.get("maxSize"):
            upload["x-max-size"] = str(media["maxSize"])
        upload["x-path-key"] = template
        upload["x-conversion-note"] = (f"mediaUpload of {op_id} ({', '.join(kinds)}; accept {', '.join(accept)}) "
                                       f"as the operation {op_id + '.upload'!r} on {path}")
        return upload

    # ------------------------------------------------------------------ schemas
    def _ref(self, name: Any, where: str) -> Dict[str, str]:
        name = str(name)
        if name not in self.schemas_src and name not in self.missing:
            self.missing[name] = where
        return {"$ref": f"#/components/schemas/{escape(name)}"}

    def _note_required(self, name: str, schema: Dict[str, Any]) -> None:
        for prop, s in (schema.get("properties") or {}).items():
            if isinstance(s, dict):
                for method_id in ((s.get("annotations") or {}).get("required") or []):
                    self.required_for.setdefault(name, {}).setdefault(str(method_id), []).append(prop)

    def _schema(self, s: Dict[str, Any], where: str) -> Dict[str, Any]:
        """One Discovery schema (JSON Schema draft 3 with Google's formats) as
        JSON Schema 2020-12.  ``int64``/``uint64`` are decimal strings,
        ``byte`` base64 text, ``google-datetime`` an RFC 3339 date-time,
        ``google-duration`` seconds with an ``s``, ``google-fieldmask``
        comma-separated field paths; ``any`` allows anything."""
        if "$ref" in s:
            out: Dict[str, Any] = self._ref(s["$ref"], where)
            if s.get("description"):
                out["description"] = str(s["description"])
            if s.get("readOnly"):
                out["readOnly"] = True
            return out
        out = {}
        t = s.get("type")
        fmt = s.get("format")
        if s.get("description"):
            out["description"] = str(s["description"])
        if t in ("string", "integer", "number", "boolean", "object", "array", "null"):
            out["type"] = t
        if isinstance(fmt, str) and fmt:
            if fmt in ("int64", "uint64"):
                out["type"] = "string"
                out["format"] = fmt
                out["pattern"] = _INT64_PATTERN if fmt == "int64" else _UINT64_PATTERN
            elif fmt == "byte":
                out["format"] = "byte"
                out["contentEncoding"] = "base64"
            elif fmt == "google-datetime":
                out["format"] = "date-time"
            elif fmt == "google-duration":
                out["format"] = "google-duration"
                out["pattern"] = _DURATION_PATTERN
            elif fmt == "uint32" and t == "integer":
                out["format"] = "int64"
                out["minimum"], out["maximum"] = 0, 4294967295
            else:
                out["format"] = fmt
        if isinstance(s.get("pattern"), str) and "pattern" not in out:
            if _compiles(s["pattern"]):
                out["pattern"] = s["pattern"]
            else:
                self.dropped_patterns += 1
        for bound in ("minimum", "maximum"):
            if bound in s:
                n = _number(s[bound])
                if n is not None:
                    out[bound] = n
        if isinstance(s.get("enum"), list):
            out["enum"] = list(s["enum"])
            if isinstance(s.get("enumDescriptions"), list):
                out["x-enumDescriptions"] = list(s["enumDescriptions"])
            if isinstance(s.get("enumDeprecated"), list):
                out["x-enumDeprecated"] = list(s["enumDeprecated"])
                gone = [v for v, d in zip(s["enum"], s["enumDeprecated"]) if d]
                if gone:
                    out["x-deprecated-values"] = gone
        if "default" in s:
            d = _typed_default(s["default"], out.get("type"))
            if d is not None:
                out["default"] = d
        if s.get("readOnly"):
            out["readOnly"] = True
        if s.get("deprecated"):
            out["deprecated"] = True
        if isinstance(s.get("properties"), dict):
            out["properties"] = {k: self._schema(v, f"{where}/properties/{escape(k)}")
                                 for k, v in s["properties"].items() if isinstance(v, dict)}
        if isinstance(s.get("items"), dict):
            out["items"] = self._schema(s["items"], f"{where}/items")
        ap = s.get("additionalProperties")
        if isinstance(ap, dict):
            out["additionalProperties"] = self._schema(ap, f"{where}/additionalProperties")
        if isinstance(s.get("annotations"), dict) and s["annotations"].get("required"):
            out["x-required-for"] = [str(x) for x in s["annotations"]["required"]]
        return out
