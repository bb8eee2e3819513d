"""Where things can occur in an OpenAPI 3.0, 3.1 or 3.2 document: one table,
and the walks over it.

Bundling (a ``$ref`` must know whether it points at a schema or a response),
repair (only Schema Objects are repaired, never an example that looks like
one) and schema preparation (a schema's subschemas) all need to know which
keys of which object hold what.  They read it here, so an addition to the
specification (3.1's ``webhooks`` and ``components.pathItems``; 3.2's
``query`` method, ``additionalOperations``, ``itemSchema``, ``itemEncoding``,
``prefixEncoding`` and ``components.mediaTypes``) is made once for all.

    >>> for pointer, kind, node in objects(document): ...      # every object, by kind
    >>> for pointer, keyword, sub in subschemas(schema, "#/components/schemas/Pet"): ...

:data:`TYPES` is the table itself, a graph of object types; :func:`objects`
walks a document along it; :func:`subschemas` and :func:`map_subschemas`
go one level inside a Schema Object.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, Optional, Tuple

from .pointer import escape

__all__ = ["TYPES", "COMPONENT_SECTIONS", "SUBSCHEMAS", "LITERAL", "METHODS", "KINDS",
           "objects", "subschemas", "map_subschemas", "operations"]

#: The fixed HTTP methods of a Path Item Object (``query`` since 3.2).
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace", "query")

#: A literal value (example, default, enum): data, never a place for objects.
LITERAL = "lit"

#: The keywords of a Schema Object whose values are schemas, and their shape:
#: ``"one"`` a schema, ``"list"`` a list of schemas, ``"map"`` a mapping of
#: names to schemas, ``"one|list"`` either of the first two (``items`` of
#: older drafts).  Only dict values are schemas here (booleans are schemas to
#: JSON Schema but nothing walks into them).
SUBSCHEMAS: Dict[str, str] = {
    "properties": "map", "patternProperties": "map", "$defs": "map", "definitions": "map",
    "dependentSchemas": "map", "dependencies": "map",
    "additionalProperties": "one", "not": "one", "if": "one", "then": "one", "else": "one",
    "contains": "one", "propertyNames": "one", "unevaluatedItems": "one",
    "unevaluatedProperties": "one", "contentSchema": "one",
    "items": "one|list", "additionalItems": "one|list",
    "allOf": "list", "anyOf": "list", "oneOf": "list", "prefixItems": "list",
}

_SCHEMA_FIELDS = {k: ("schemaMap" if shape == "map" else "schema") for k, shape in SUBSCHEMAS.items()}
_SCHEMA_FIELDS.update({"discriminator": "discriminator", "example": LITERAL, "examples": LITERAL,
                       "default": LITERAL, "enum": LITERAL, "const": LITERAL})
_PARAM_FIELDS = {"schema": "schema", "content": "mediaTypeMap", "examples": "exampleMap", "example": LITERAL}
_PATH_ITEM_FIELDS = {"parameters": "parameter"}
_PATH_ITEM_FIELDS.update(dict.fromkeys(METHODS, "operation"))
_PATH_ITEM_FIELDS["additionalOperations"] = "operationMap"

#: type -> (fields: key -> type of its value, type of the other keys, whether
#: ``x-`` keys are extensions).  A list value holds items of the field's type.
#: Field order is the order :func:`objects` visits them in.  The types ``any``
#: (unknown data, searched for ``$ref`` by bundling), ``ext`` (inside an
#: ``x-`` extension) and :data:`LITERAL` hold no objects of the specification.
TYPES: Dict[str, Tuple[Dict[str, str], str, bool]] = {
    "root": ({"paths": "paths", "webhooks": "paths", "components": "components"}, "any", True),
    "components": ({"schemas": "schemaMap", "parameters": "parameterMap", "headers": "headerMap",
                    "requestBodies": "requestBodyMap", "responses": "responseMap",
                    "callbacks": "callbackMap", "pathItems": "paths", "mediaTypes": "mediaTypeMap",
                    "examples": "exampleMap", "links": "linkMap",
                    "securitySchemes": "securitySchemeMap"}, "any", True),
    "paths": ({}, "pathItem", True),
    "pathItem": (_PATH_ITEM_FIELDS, "any", True),
    "operationMap": ({}, "operation", False),
    "operation": ({"parameters": "parameter", "requestBody": "requestBody", "responses": "responses",
                   "callbacks": "callbackMap"}, "any", True),
    "responses": ({}, "response", True),
    "response": ({"headers": "headerMap", "content": "mediaTypeMap", "links": "linkMap"}, "any", True),
    "parameter": (_PARAM_FIELDS, "any", True),
    "header": (_PARAM_FIELDS, "any", True),
    "mediaTypeMap": ({}, "mediaType", False),
    "mediaType": ({"schema": "schema", "itemSchema": "schema", "encoding": "encodingMap",
                   "prefixEncoding": "encoding", "itemEncoding": "encoding",
                   "examples": "exampleMap", "example": LITERAL}, "any", True),
    "encodingMap": ({}, "encoding", False),
    "encoding": ({"headers": "headerMap", "encoding": "encodingMap", "prefixEncoding": "encoding",
                  "itemEncoding": "encoding"}, "any", True),
    "requestBody": ({"content": "mediaTypeMap"}, "any", True),
    "example": ({"value": LITERAL}, "any", True),
    "link": ({}, "any", True),
    "callback": ({}, "pathItem", True),
    "securityScheme": ({}, "any", True),
    "schema": (_SCHEMA_FIELDS, "any", True),
    "discriminator": ({}, LITERAL, False),
    LITERAL: ({}, LITERAL, False),
    "schemaMap": ({}, "schema", False),
    "responseMap": ({}, "response", False),
    "parameterMap": ({}, "parameter", False),
    "exampleMap": ({}, "example", False),
    "requestBodyMap": ({}, "requestBody", False),
    "headerMap": ({}, "header", False),
    "securitySchemeMap": ({}, "securityScheme", False),
    "linkMap": ({}, "link", False),
    "callbackMap": ({}, "callback", False),
    "any": ({}, "any", False),
    "ext": ({}, "ext", False),
}

#: The types :func:`objects` reports (the others are maps or data).
KINDS = frozenset(("pathItem", "operation", "parameter", "header", "requestBody", "responses", "response",
                   "mediaType", "encoding", "example", "link", "callback", "securityScheme", "schema"))

#: type -> its ``components`` section, where a reusable object of that type lives.
COMPONENT_SECTIONS = {"schema": "schemas", "response": "responses", "parameter": "parameters",
                      "example": "examples", "requestBody": "requestBodies", "header": "headers",
                      "securityScheme": "securitySchemes", "link": "links", "callback": "callbacks",
                      "pathItem": "pathItems", "mediaType": "mediaTypes"}

#: types walked into even when they hold a ``$ref`` (its siblings still count)
_REF_WITH_SIBLINGS = frozenset(("pathItem", "schema"))


def _children(node: dict, typ: str, pointer: str) -> list:
    """(pointer, type, value) of what ``node`` (of type ``typ``) holds, in visiting order."""
    fields, default, xkeys = TYPES[typ]
    out = []
    if fields:
        for key, ct in fields.items():
            value = node.get(key)
            if value is not None:
                out.append((f"{pointer}/{key}", ct, value))
    elif default not in ("any", "ext", LITERAL):
        for key, value in node.items():
            if not (xkeys and isinstance(key, str) and key[:2] == "x-"):
                out.append((f"{pointer}/{escape(key)}", default, value))
    return out


def objects(document: Any, kinds: Optional[frozenset] = None) -> Iterator[Tuple[str, str, Any]]:
    """``(pointer, kind, node)`` for every object of the specification in
    ``document``: path items (under ``paths``, ``webhooks``, callbacks and
    ``components.pathItems``), operations (the fixed methods, ``query`` and
    ``additionalOperations``), parameters, headers, request bodies, the
    Responses Object and each response, media types, encodings, examples,
    links, callbacks, security schemes, and every place the specification puts
    a Schema Object (a schema is reported, not walked into: see
    :func:`subschemas`).  ``kind`` is the type's name in :data:`TYPES`;
    ``kinds`` limits what is reported (everything is still walked).

    Depth first, parents before their children, fields in the order of
    :data:`TYPES` and map entries in document order; a node is reported before
    its children are read, so a caller may fix it up (the keys of a Responses
    Object) on the way.  Reference Objects (``{"$ref": ...}`` where no schema
    or path item is) are neither reported nor followed: what they point at is
    reported at its own place.  An object found again inside itself (a cycle
    of YAML aliases) is not walked again.
    """
    stack: list = [("#", "root", document, ())]
    while stack:
        pointer, typ, node, above = stack.pop()
        if isinstance(node, list):
            for i in range(len(node) - 1, -1, -1):
                stack.append((f"{pointer}/{i}", typ, node[i], above))
            continue
        if not isinstance(node, dict):
            continue
        if "$ref" in node and typ not in _REF_WITH_SIBLINGS and typ != "root":
            continue
        if typ in KINDS and (kinds is None or typ in kinds):
            yield pointer, typ, node
        if typ == "schema" or id(node) in above:
            continue
        inner = above + (id(node),)
        for child in reversed(_children(node, typ, pointer)):
            stack.append(child + (inner,))


def operations(path_item: Dict[str, Any]) -> Iterator[Tuple[str, str, Dict[str, Any]]]:
    """``(method, pointer_suffix, operation)`` for each operation of a Path
    Item Object: the fixed methods (lower case, ``query`` included) in the
    specification's order, then 3.2's ``additionalOperations`` (the method
    exactly as it is written there).  ``pointer_suffix`` is where the
    operation sits relative to the path item (``get``,
    ``additionalOperations/COPY``)."""
    for method in METHODS:
        op = path_item.get(method)
        if isinstance(op, dict):
            yield method, method, op
    extra = path_item.get("additionalOperations")
    if isinstance(extra, dict):
        for method, op in extra.items():
            if isinstance(method, str) and method and isinstance(op, dict):
                yield method, f"additionalOperations/{escape(method)}", op


def each_subschema(schema: Dict[str, Any]) -> Iterator[Tuple[str, Any, Dict[str, Any]]]:
    """``(keyword, where, subschema)``: ``where`` is ``None`` for the
    keyword's value itself, else the list index or mapping name."""
    for key, value in schema.items():
        shape = SUBSCHEMAS.get(key)
        if shape is None:
            continue
        if type(value) is dict:
            if shape == "map":
                for name, sub in value.items():
                    if type(sub) is dict:
                        yield key, name, sub
            elif shape != "list":
                yield key, None, value
        elif type(value) is list and shape != "one" and shape != "map":
            for i, sub in enumerate(value):
                if type(sub) is dict:
                    yield key, i, sub


def subschemas(schema: Dict[str, Any], pointer: str = "") -> Iterator[Tuple[str, str, Dict[str, Any]]]:
    """``(pointer, keyword, subschema)`` for each schema directly inside
    ``schema`` (see :data:`SUBSCHEMAS`), in the schema's key order;
    ``keyword`` is the one it is found under (``"properties"``, ``"oneOf"``,
    ...).  Only dict subschemas are given."""
    for key, where, sub in each_subschema(schema):
        yield (f"{pointer}/{key}" if where is None else f"{pointer}/{key}/{escape(where)}"), key, sub


def map_subschemas(schema: Dict[str, Any], fn: Callable[[Dict[str, Any]], Any]) -> Dict[str, Any]:
    """``{keyword: new value}`` for the keywords of ``schema`` whose
    subschemas ``fn`` changes (returns another object for): the list or
    mapping is rebuilt with ``fn``'s results, everything else as it was.
    Empty when ``fn`` changes nothing; ``schema`` itself is never changed."""
    changes: Dict[str, Any] = {}
    for key, where, sub in each_subschema(schema):
        new = fn(sub)
        if new is sub:
            continue
        if where is None:
            changes[key] = new
            continue
        copy = changes.get(key)
        if copy is None:
            value = schema[key]
            copy = changes[key] = list(value) if type(value) is list else dict(value)
        copy[where] = new
    return changes
