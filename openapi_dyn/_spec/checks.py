"""Checks of a document as a whole: is it OpenAPI 3.x with something to call
(always), and does it validate against the OpenAPI schema (``strict=True``,
with openapi-spec-validator).

Kept apart from loading so that both checks say, in one place, what is wrong
and where (a :class:`SpecError` naming the JSON pointer), whichever way the
document arrived (parsed, or read back from the cache).
"""
from __future__ import annotations

import re
from typing import Any, Optional

from .._errors import SpecError
from .pointer import chain_tokens, escape, fragment_of
from .pointer import walk as _walk

__all__ = ["check_document", "validate", "source_format"]

_VERSION_RE = re.compile(r"3\.\d+(\.\d+)?(-[0-9A-Za-z.-]+)?$")


def source_format(doc: Any) -> str:
    """The format a parsed document is written in: ``"swagger-2.0"`` (made
    OpenAPI 3 at load, see :mod:`.swagger2`) or ``"openapi-3.x"`` (everything
    else, which :func:`check_document` then judges)."""
    from .swagger2 import SOURCE_FORMAT, is_swagger2
    return SOURCE_FORMAT if is_swagger2(doc) else "openapi-3.x"


def check_document(doc: Any, where: str) -> None:
    if not isinstance(doc, dict):
        got = "empty" if doc is None else f"a {type(doc).__name__}"
        raise SpecError(f"not an OpenAPI document: the top level is {got}, not a mapping", where)
    if "swagger" in doc:
        declared = doc.get("swagger")
        if not isinstance(declared, bool) and str(declared).strip() in ("2", "2.0.0", "2.0.1"):
            raise SpecError(f"swagger: {declared!r} is not a Swagger version: a Swagger 2.0 document declares "
                            f"swagger: \"2.0\" (the string; an unquoted 2.0 in YAML is read as a number "
                            f"and accepted too)", f"{where}#/swagger")
        raise SpecError(f"Swagger {doc.get('swagger')!r} is not supported: only Swagger 2.0 and "
                        f"OpenAPI 3.x documents are", f"{where}#/swagger")
    if "openapi" not in doc:
        raise SpecError("not an OpenAPI document: there is no 'openapi' field (expected e.g. openapi: 3.1.0)", where)
    version = doc["openapi"]
    if isinstance(version, bool) or not _VERSION_RE.match(str(version)):
        raise SpecError(f"unsupported OpenAPI version {version!r}: only OpenAPI 3.x is supported", f"{where}#/openapi")
    if doc.get("paths") is None and doc.get("webhooks") is None:
        raise SpecError("the document has no 'paths' (and no 'webhooks'): it describes nothing to call", where)
    for key in ("paths", "webhooks", "components"):
        if key in doc and doc[key] is not None and not isinstance(doc[key], dict):
            raise SpecError(f"'{key}' must be a mapping, not a {type(doc[key]).__name__}", f"{where}#/{key}")


def check_ref_cycles(doc: Any, where: str) -> None:
    """Refuse components that only refer to each other (``A: {$ref: B}``,
    ``B: {$ref: A}``): they never say what they are, and anything that
    follows them (validation, the reference) would go round forever.  A
    schema that refers to itself *inside* (a tree's ``children``) is fine
    and not looked at: only chains of bare references are."""
    comps = doc.get("components") if isinstance(doc, dict) else None
    if not isinstance(comps, dict):
        return
    for section, entries in comps.items():
        if not isinstance(entries, dict):
            continue
        for name, node in entries.items():
            seen: list = []
            while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
                ref = node["$ref"]
                if ref in seen:
                    raise SpecError(f"$ref cycle {' -> '.join(seen + [ref])}: these only refer to each other "
                                    f"and never say what they are",
                                    f"{where}#/components/{escape(section)}/{escape(name)}")
                seen.append(ref)
                try:
                    node = _walk(doc, ref)[0]
                except (LookupError, ValueError):
                    break          # a dangling $ref is reported where it is used
                if len(seen) > 64:
                    break


def validate(doc: dict, where: str) -> None:
    """strict=True: openapi-spec-validator's verdict, its first errors in a SpecError."""
    try:
        from openapi_spec_validator.shortcuts import get_validator_cls
    except ImportError as e:
        raise SpecError(f"strict=True needs the openapi-spec-validator package: {e}", where) from e
    try:
        validator = get_validator_cls(doc)(doc)
        errors = []
        for err in validator.iter_errors():
            errors.append(err)
            if len(errors) >= 3:
                break
    except SpecError:
        raise
    except Exception as e:      # the validator itself failing is a validation failure too
        raise SpecError(f"the spec does not validate: {type(e).__name__}: {e}", where) from e
    if errors:
        parts, first = [], None
        for err in errors:
            tokens = list(getattr(err, "absolute_path", None) or ())
            if not tokens:       # errors of the keyword validators (a bad default, ...) carry no path
                found = _locate(doc, getattr(err, "schema", None))
                if found is None:
                    found = _locate(doc, getattr(err, "instance", None))
                tokens = found if found is not None else []
            msg = str(getattr(err, "message", err)).splitlines()[0][:300]
            parts.append(f"#{fragment_of(tokens)}: {msg}")
            if first is None:
                first = tokens
        raise SpecError(f"the spec does not validate against OpenAPI {doc.get('openapi')}: " + "; ".join(parts),
                        f"{where}#{fragment_of(first or [])}")


def _locate(doc: Any, target: Any) -> Optional[list]:
    """JSON pointer tokens of the object ``target`` (by identity) in ``doc``."""
    if type(target) is not dict and type(target) is not list:
        return None
    stack = [(doc, None)]
    seen = set()
    while stack:
        node, chain = stack.pop()
        if node is target:
            return chain_tokens(chain)
        if id(node) in seen:
            continue
        seen.add(id(node))
        items = node.items() if type(node) is dict else enumerate(node)
        for k, v in items:
            if type(v) is dict or type(v) is list:
                stack.append((v, (chain, k)))
    return None
