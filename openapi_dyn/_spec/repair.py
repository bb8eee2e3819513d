"""Repair defects of real-world OpenAPI documents before calls are validated against them.

Published API descriptions are routinely broken in ways their authors never notice, because
their own tooling (code generators, documentation renderers) is lenient.  A validating client
is not: one wrong keyword can make it reject every valid call of an operation, or crash while
resolving a reference.  :func:`repair_document` runs between loading a spec (a plain,
already bundled dict) and building validators for it with openapi-core, and fixes what would
make validation of calls wrong.

Principles:

* Each repair is general: it recognises a kind of defect by what the document says, never by
  the name of a spec or of a schema.
* Things that are legal and work are left alone, even when unusual (``example`` next to
  ``examples``, extra keywords, implicit discriminator mappings that resolve, ...).
* Where the intent of the authors is evident (``nullable: true`` means "may be null"), the
  repair expresses that intent in the dialect the document declares.  Where it is not, the
  repair chooses the lenient reading: a client that wrongly rejects a valid call is worse than
  one that lets the server reject an invalid one.
* Every change is reported as a :class:`Repair` with the JSON pointer of the changed location,
  and running the repair again on its own output changes nothing.

The document is walked once, schema-aware (only places where the OpenAPI specification puts
Schema Objects are treated as schemas, so examples, defaults and ``x-`` extensions are never
touched); discriminators are fixed afterwards, once every schema they refer to is repaired.

Kinds of repair (each method's docstring says why it exists):

* document: missing ``info``/title/version, a numeric ``openapi`` version, a missing
  ``paths``, integer status-code keys (:meth:`_Repairer._fix_root`, ``_fix_status_keys``);
* discriminators: explicit mappings derived where the implicit one cannot resolve,
  dangling mapping targets resolved or dropped, discriminators that would reject valid
  payloads removed (``_fix_discriminator``);
* ``required``: duplicates, a single name, property-level ``required: true`` (``_fix_required``);
* null: ``nullable`` translated to the document's dialect and made effective, also for
  ``default: null`` properties (``_fix_nullable``);
* dialect mix-ups: boolean/numeric ``exclusiveMinimum``/``exclusiveMaximum``, type lists and
  the "null" type in 3.0, ``$recursiveRef`` (``_fix_exclusive_bounds``, ``_fix_type``,
  ``_fix_recursive``);
* malformed keywords: unknown or misspelt ``type``, empty or non-list ``oneOf``/``anyOf``/
  ``allOf``/``enum``, dangling ``$ref``, non-text ``description``/``title`` (``_fix_type``,
  ``_fix_empty``, ``_fix_dangling_ref``, ``_fix_annotation``);
* YAML 1.1 scalars (``OFF``, ``yes``, dates) in string enums (``_fix_yaml_scalars``);
* unions: a ``oneOf`` whose alternatives can match the same value is read as ``anyOf``
  (``_fix_overlapping_one_of``, after the discriminators).
"""
from __future__ import annotations

import datetime
import re
from typing import Any, List, NamedTuple, Optional, Set

from .pointer import escape, to_fragment
from .discriminator import analyse
from .schema_facts import ANNOTATIONS, MISSING, SchemaFacts, types_of
from .walk import objects, subschemas

__all__ = ["Repair", "repair_document"]


class Repair(NamedTuple):
    """One change made to a document."""

    pointer: str  #: JSON pointer (as a URI fragment, unencoded) of what was changed
    action: str  #: one sentence: what was wrong and what was done


def repair_document(doc: dict) -> List[Repair]:
    """Repair ``doc`` in place and return the list of changes made (empty if none were needed).

    ``doc`` is a parsed OpenAPI 3.x document with every reference local to it.  Objects that
    appear in several places (YAML aliases) are repaired once.
    """
    if not isinstance(doc, dict):
        raise TypeError(f"an OpenAPI document must be a mapping, not {type(doc).__name__}")
    if "openapi" not in doc and "swagger" in doc:
        return []  # Swagger 2.0: not an OpenAPI 3 document, nothing here applies
    repairer = _Repairer(doc)
    repairer.run()
    return repairer.repairs


# --------------------------------------------------------------------------- constants

_TYPES = frozenset(("string", "number", "integer", "boolean", "array", "object", "null"))
# Names that are not JSON Schema types but whose meaning is unmistakable (programming-language
# spellings, Swagger 2.0's "file").  Anything else unknown is dropped.
_TYPE_ALIASES = {
    "str": "string", "text": "string", "int": "integer", "long": "integer",
    "float": "number", "double": "number", "decimal": "number", "bool": "boolean",
    "dict": "object", "map": "object", "list": "array", "file": "string",
}
# Keywords of a typeless schema that can reject null, moved into an alternative when a schema
# is made nullable (the others - properties, minLength, ... - ignore instances of other types).
_NULL_REJECTING = ("$ref", "allOf", "oneOf", "anyOf", "not", "const", "discriminator")
# Spellings that YAML 1.1 (PyYAML) reads as booleans when unquoted.
_YAML11_BOOL = {
    True: ("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"),
    False: ("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"),
}
# What the walk hands to the repairs: every Schema Object, and each Responses Object.
_REPAIRED_KINDS = frozenset(("schema", "responses"))


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


# --------------------------------------------------------------------------- the repairer

class _Repairer:
    def __init__(self, doc: dict) -> None:
        self.doc = doc
        self.repairs: List[Repair] = []
        self.v31 = False
        self.seen: Set[int] = set()
        self.discriminators: List[tuple] = []
        self.one_ofs: List[tuple] = []
        self.facts = SchemaFacts(doc)       # what the schemas allow, asked before changing them

    def note(self, pointer: str, action: str) -> None:
        self.repairs.append(Repair(pointer, action))

    def run(self) -> None:
        self._fix_root()
        self._walk_document()
        for pointer, schema in self.discriminators:
            self._fix_discriminator(pointer, schema)
        for pointer, schema in self.one_ofs:
            self._fix_overlapping_one_of(pointer, schema)

    # ------------------------------------------------------------------ references

    # ------------------------------------------------------------------ document level

    def _fix_root(self) -> None:
        """Top-level fields openapi-core needs before it looks at any operation.

        openapi-core checks the document against the OpenAPI meta-schema; a missing ``info``,
        title or version (all required, all irrelevant to calls) or a version number that YAML
        read as a float would make it refuse the whole document.
        """
        doc = self.doc
        version = doc.get("openapi")
        if isinstance(version, (int, float)) and not isinstance(version, bool):
            fixed = f"{version:.1f}.0" if float(version) < 10 else str(version)
            doc["openapi"] = fixed
            self.note("#/openapi", f"openapi version {version!r} was a number (unquoted in YAML); "
                                   f"set to the string {fixed!r}")
        # 3.1 and later use JSON Schema 2020-12; 3.0 its own dialect (nullable, boolean
        # exclusiveMinimum, no "null" type).
        version = str(doc.get("openapi", ""))
        self.v31 = self.facts.v31 = version.startswith("3") and not version.startswith("3.0")
        info = doc.get("info")
        if not isinstance(info, dict):
            doc["info"] = info = {}
            self.note("#/info", "info was missing; added it")
        for field, fallback in (("title", "untitled"), ("version", "0")):
            value = info.get(field)
            if isinstance(value, str):
                continue
            if value is None or isinstance(value, (dict, list)):
                info[field] = fallback
                self.note(f"#/info/{field}", f"info.{field} was missing; set it to {fallback!r}")
            else:
                info[field] = value.isoformat() if isinstance(value, datetime.date) else str(value)
                self.note(f"#/info/{field}", f"info.{field} {value!r} was not a string (unquoted in "
                                             f"YAML); converted it to {info[field]!r}")
        if not any(isinstance(doc.get(k), dict) for k in ("paths", "webhooks", "components")) or (
                not self.v31 and not isinstance(doc.get("paths"), dict)):
            doc["paths"] = {}
            self.note("#/paths", "paths was missing; added an empty one")

    def _walk_document(self) -> None:
        for ptr, kind, node in objects(self.doc, _REPAIRED_KINDS):
            if kind == "schema":
                self._schema(node, ptr, None)
            else:
                self._fix_status_keys(node, ptr)

    def _fix_status_keys(self, responses: dict, ptr: str) -> None:
        """Status codes written unquoted in YAML (``200:``) become integer keys.

        The specification requires string keys ("200"); a lookup of the string status of an
        actual response would never find the integer one.
        """
        if all(isinstance(k, str) for k in responses):
            return
        bad = [k for k in responses if not isinstance(k, str)]
        items = [(str(k), v) for k, v in responses.items()]
        responses.clear()
        responses.update(items)
        self.note(ptr, f"status codes {bad!r} were not strings (unquoted in YAML); converted them")

    # ------------------------------------------------------------------ schemas

    def _schema(self, schema: Any, ptr: str, anchor: Optional[str], parent: str = "") -> None:
        """Repair one Schema Object, then its subschemas.

        ``anchor`` is the pointer of the nearest enclosing schema with ``$recursiveAnchor``
        (or of the outermost schema of this walk), the target a ``$recursiveRef: "#"`` means.
        ``parent`` is the keyword the schema is found under ("properties", "oneOf", ...).
        """
        if not isinstance(schema, dict) or id(schema) in self.seen:
            return
        self.seen.add(id(schema))
        if anchor is None or schema.get("$recursiveAnchor") is True:
            anchor = ptr
        if "type" in schema:
            self._fix_type(schema, ptr)
        if "enum" in schema or "const" in schema:
            self._fix_yaml_scalars(schema, ptr)
        if "required" in schema or "properties" in schema:
            self._fix_required(schema, ptr)
        if "exclusiveMinimum" in schema or "exclusiveMaximum" in schema:
            self._fix_exclusive_bounds(schema, ptr)
        for key in ("allOf", "anyOf", "oneOf", "enum"):
            if key in schema:
                self._fix_empty(schema, key, ptr)
        reason = None
        if parent == "properties" and "default" in schema and schema["default"] is None and (
                schema.get("nullable") is not True and self.facts.rejects_null(schema)):
            schema["nullable"] = True
            reason = "default: null on a schema that rejects null"
        if "nullable" in schema or "allOf" in schema or "oneOf" in schema or "anyOf" in schema:
            self._fix_nullable(schema, ptr, reason)
        if "$recursiveRef" in schema or "$recursiveAnchor" in schema:
            self._fix_recursive(schema, ptr, anchor)
        if "$ref" in schema:
            self._fix_dangling_ref(schema, ptr)
        for key in ("description", "title"):
            if key in schema and not isinstance(schema[key], str):
                self._fix_annotation(schema, key, ptr)
        if "discriminator" in schema:
            self.discriminators.append((ptr, schema))
        if "oneOf" in schema:
            self.one_ofs.append((ptr, schema))

        for sub_ptr, key, sub in list(subschemas(schema, ptr)):
            self._schema(sub, sub_ptr, anchor, key)

    def _fix_type(self, schema: dict, ptr: str) -> None:
        """Make ``type`` something the validator of the document's dialect understands.

        jsonschema raises ``UnknownType`` (a crash, not a validation error) on a type name it
        does not know, so every call touching the schema would fail.  Well-known aliases
        (``int``, ``file``...) are translated, unknown names dropped.  ``type: null`` unquoted
        in YAML is Python ``None``: in 3.1 that means the "null" type.  A 3.0 document has no
        "null" type and no type lists (3.1 idioms): a list becomes one type plus
        ``nullable``, and a null-only type the equivalent ``enum: [null]``.
        """
        t = schema["type"]
        where = ptr + "/type"
        if t is None:
            names: List[str] = ["null"]
        elif isinstance(t, str):
            names = [t]
        elif isinstance(t, list) and all(isinstance(x, str) for x in t):
            names = list(t)
        else:
            del schema["type"]
            self.note(where, f"type {t!r} is neither a type name nor a list of them; removed it")
            return
        if "file" in names and "format" not in schema:
            schema["format"] = "binary"  # Swagger 2.0's file: the OpenAPI 3 spelling
        fixed: List[str] = []
        for name in names:
            name = _TYPE_ALIASES.get(name, name)
            if name in _TYPES and name not in fixed:
                fixed.append(name)
        if not self.v31 and fixed and (isinstance(t, list) or fixed == ["null"]):
            nullable = "null" in fixed
            fixed = [x for x in fixed if x != "null"]
            if len(fixed) != 1:
                del schema["type"]
                if fixed:
                    action = f"type {t!r} lists several types, which OpenAPI 3.0 cannot express; removed it"
                else:
                    action = f"type {t!r} is the 3.1 null type, unknown to OpenAPI 3.0; replaced it by enum [null]"
                    schema.setdefault("enum", [None])
                self.note(where, action)
                return
            schema["type"] = fixed[0]
            if nullable:
                schema["nullable"] = True
            self.note(where, f"type {t!r} is a 3.1 type list in an OpenAPI 3.0 document; set type "
                             f"{fixed[0]!r}" + (" with nullable: true" if nullable else ""))
            return
        new: Any = fixed[0] if isinstance(t, str) and len(fixed) == 1 else fixed
        if t is None:
            new = "null"
        if new == t:
            return
        if not fixed:
            del schema["type"]
            self.note(where, f"type {t!r} names no JSON Schema type; removed it")
        else:
            schema["type"] = new
            self.note(where, f"type {t!r} is not a valid type (misspelt, unquoted null, or repeated); "
                             f"replaced it by {new!r}")

    def _fix_yaml_scalars(self, schema: dict, ptr: str) -> None:
        """Undo YAML 1.1 conversions of unquoted enum/const values of string schemas.

        PyYAML reads unquoted ``OFF``, ``yes``, ``on`` as booleans, ``2024-01-01`` as a date and
        ``1`` as an integer.  In a schema whose type is string such a value can never match, so
        the enum rejects the very value it was meant to allow.  Dates and numbers are written
        back as strings.  A boolean's original spelling is lost: it is recovered from the
        schema's description when that quotes exactly one candidate (```OFF```), otherwise
        every YAML 1.1 spelling of it in the case style of the other values is accepted.
        """
        types = types_of(schema)
        if not types or [x for x in types if x != "null"] != ["string"]:
            return
        text = " ".join(str(schema.get(k, "")) for k in ("description", "title"))
        if "enum" in schema and isinstance(schema["enum"], list):
            values = schema["enum"]
            others = [v for v in values if isinstance(v, str)]
            fixed: List[Any] = []
            changed = []
            for value in values:
                if isinstance(value, str) or value is None or not _hashable(value):
                    if value not in fixed:
                        fixed.append(value)
                    continue
                spellings = _yaml_spellings(value, text, others)
                changed.append((value, spellings))
                fixed.extend(s for s in spellings if s not in fixed)
            if changed:
                schema["enum"] = fixed
                self.note(ptr + "/enum", "enum of a string schema had non-string values read from "
                          "unquoted YAML (" + ", ".join(f"{v!r} -> {', '.join(map(repr, s))}"
                                                        for v, s in changed) + "); restored them as strings")
        if "const" in schema:
            value = schema["const"]
            if not (isinstance(value, str) or value is None or not _hashable(value)):
                spellings = _yaml_spellings(value, text, [])
                if len(spellings) == 1:
                    schema["const"] = spellings[0]
                else:
                    del schema["const"]
                    schema["enum"] = spellings
                self.note(ptr + "/const", f"const {value!r} of a string schema was read from unquoted "
                          f"YAML; restored it as {', '.join(map(repr, spellings))}")

    def _fix_required(self, schema: dict, ptr: str) -> None:
        """Make ``required`` a list of distinct property names.

        openapi-core's check of the document rejects duplicate entries (the meta-schema says
        uniqueItems).  ``required: true`` inside a property's schema is the JSON Schema draft 3
        / Swagger idiom: it is moved to the enclosing object's list (jsonschema would crash
        iterating over a boolean).  A single name becomes a one-element list.
        """
        props = schema.get("properties")
        if isinstance(props, dict):
            hoisted = []
            for name, sub in props.items():
                if isinstance(sub, dict) and isinstance(sub.get("required"), bool):
                    flag = sub.pop("required")
                    if flag:
                        hoisted.append(name)
                    self.note(f"{ptr}/properties/{escape(name)}/required",
                              f"property-level 'required: {str(flag).lower()}' (draft 3 idiom) "
                              + ("moved to the object's required list" if flag else "removed"))
            if hoisted:
                req = schema.get("required")
                if not isinstance(req, list):
                    req = [req] if isinstance(req, str) else []
                schema["required"] = req + [n for n in hoisted if n not in req]
        if "required" not in schema:
            return
        req = schema["required"]
        where = ptr + "/required"
        if isinstance(req, str):
            schema["required"] = [req]
            self.note(where, f"required was the single name {req!r}, not a list; made it a list")
        elif not isinstance(req, list):
            del schema["required"]
            self.note(where, f"required {req!r} is not a list of property names; removed it")
        else:
            names = []
            for name in req:
                if isinstance(name, str) and name not in names:
                    names.append(name)
            if len(names) != len(req):
                dropped = [n for n in req if not isinstance(n, str)]
                schema["required"] = names
                self.note(where, "required listed " + (f"non-names {dropped!r}" if dropped else
                          "some properties more than once") + "; kept each name once")
            self._fix_unsatisfiable_required(schema, where)

    def _fix_unsatisfiable_required(self, schema: dict, where: str) -> None:
        """Drop required names that ``additionalProperties: false`` forbids.

        An object that requires a property its own schema does not declare, while
        allowing no undeclared property, accepts nothing at all: every call would be
        refused.  Azure's preview spec does this with a ``thread_id`` that is really a
        path parameter.  Dropping the name is the only reading that lets valid calls
        through; only plain objects (no allOf/anyOf/oneOf/patternProperties that could
        declare it elsewhere) are judged.
        """
        if schema.get("additionalProperties") is not False or not isinstance(schema.get("required"), list):
            return
        if any(k in schema for k in ("allOf", "anyOf", "oneOf", "patternProperties", "$ref")):
            return
        props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        impossible = [n for n in schema["required"] if n not in props]
        if impossible:
            schema["required"] = [n for n in schema["required"] if n in props]
            self.note(where, f"required {impossible!r} but additionalProperties is false and the schema "
                      "declares no such property, so nothing could match; dropped them from required")

    def _fix_exclusive_bounds(self, schema: dict, ptr: str) -> None:
        """Translate ``exclusiveMinimum``/``exclusiveMaximum`` into the document's dialect.

        In 3.0 they are booleans modifying ``minimum``/``maximum``; in 3.1 (JSON Schema 2020-12)
        they are the bound itself.  A 3.1 validator reads ``exclusiveMinimum: true`` as "greater
        than 1" (``True == 1``), so ``minimum: 0, exclusiveMinimum: true`` wrongly rejects 0.5.
        A numeric bound in a 3.0 document is ignored by a 3.0 validator unless translated back.
        """
        for exclusive, inclusive in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            if exclusive not in schema:
                continue
            value = schema[exclusive]
            bound = schema.get(inclusive)
            numeric_bound = isinstance(bound, (int, float)) and not isinstance(bound, bool)
            where = f"{ptr}/{exclusive}"
            if self.v31 and isinstance(value, bool):
                if value and numeric_bound:
                    schema[exclusive] = schema.pop(inclusive)
                    self.note(where, f"'{exclusive}: true' is OpenAPI 3.0 syntax, read by a 3.1 validator "
                                     f"as the bound 1; replaced it and {inclusive} by '{exclusive}: {bound!r}'")
                else:
                    del schema[exclusive]
                    self.note(where, f"'{exclusive}: {str(value).lower()}' is OpenAPI 3.0 syntax (read by a "
                                     f"3.1 validator as the bound {int(value)}) without a {inclusive} to "
                                     f"modify; removed it")
            elif not self.v31 and isinstance(value, (int, float)) and not isinstance(value, bool):
                stricter = not numeric_bound or (value >= bound if inclusive == "minimum" else value <= bound)
                if stricter:
                    schema[inclusive] = value
                    schema[exclusive] = True
                    self.note(where, f"numeric '{exclusive}: {value!r}' is 3.1 syntax, ignored by a 3.0 "
                                     f"validator; replaced it by '{inclusive}: {value!r}, {exclusive}: true'")
                else:
                    del schema[exclusive]
                    self.note(where, f"numeric '{exclusive}: {value!r}' is 3.1 syntax and weaker than "
                                     f"{inclusive} {bound!r}; removed it")
            elif not isinstance(value, (bool, int, float)):
                del schema[exclusive]
                self.note(where, f"{exclusive} {value!r} is neither a number nor a boolean; removed it")

    def _fix_empty(self, schema: dict, key: str, ptr: str) -> None:
        """Composition keywords and ``enum`` that could never be satisfied, or are malformed.

        An empty ``oneOf``/``anyOf``/``enum`` rejects every instance (the meta-schema forbids
        them for that reason); an empty ``allOf`` is meaningless.  When a discriminator with a
        mapping sits next to an empty ``oneOf``/``anyOf``, the mapping's targets are the
        alternatives the authors meant and are listed; otherwise the keyword is removed.  A
        single schema where a list belongs is wrapped in a list.
        """
        value = schema[key]
        where = f"{ptr}/{key}"
        if isinstance(value, list):
            if value:
                return
            if key in ("oneOf", "anyOf"):
                targets = self._mapping_targets(schema.get("discriminator"))
                if targets:
                    schema[key] = [{"$ref": t} for t in targets]
                    self.note(where, f"{key} was empty next to a discriminator mapping; listed the "
                                     f"mapping's {len(targets)} target schemas as its alternatives")
                    return
            del schema[key]
            self.note(where, f"{key} was empty ({'matches nothing' if key != 'allOf' else 'meaningless'}); removed it")
        elif key != "enum" and isinstance(value, dict):
            schema[key] = [value]
            self.note(where, f"{key} was a single schema instead of a list; wrapped it in a list")
        elif key == "enum" and value is not None and _hashable(value) and not isinstance(value, dict):
            schema[key] = [value]
            self.note(where, f"enum was the single value {value!r} instead of a list; wrapped it in a list")
        else:
            del schema[key]
            self.note(where, f"{key} {value!r} is not a list; removed it")

    def _mapping_targets(self, disc: Any) -> List[str]:
        if not isinstance(disc, dict) or not isinstance(disc.get("mapping"), dict):
            return []
        targets: List[str] = []
        for target in disc["mapping"].values():
            target = self.facts.mapping_target(target)
            if target is not None and target not in targets:
                targets.append(target)
        return targets

    def _fix_nullable(self, schema: dict, ptr: str, reason: Optional[str] = None) -> None:
        """Express ``nullable: true`` so that the validator really accepts null.

        ``nullable`` is an OpenAPI 3.0 keyword; a 3.1 validator ignores it, so in a 3.1
        document a null value for such a field (e.g. ``"usage": null`` in a streamed chunk)
        is rejected.  In 3.1 the type list gets "null" and the keyword is removed.  In both
        versions the authors' evident meaning "this may be null" is honoured where the
        keyword alone has no effect: an ``enum`` gets ``null`` added, and keywords that would
        still reject null (``$ref``, ``allOf``, ``oneOf``...) are moved into an ``anyOf``
        alternative next to a null alternative (or a null alternative is appended to an
        existing ``anyOf``/``oneOf`` when that is enough).  The common idiom
        ``allOf: [{$ref: X}, {nullable: true}]`` is read the same way, and a
        nullable-only alternative of ``oneOf``/``anyOf`` becomes the null alternative.

        ``default: null`` on a property's schema that rejects null is read the same way
        (``reason``): OpenAPI requires a default to conform to its schema, so null was meant
        to be valid (typically "send null to turn this off").  Only property schemas are
        inferred nullable this way: a shared component may sit in a ``oneOf`` next to a null
        alternative, which the inference would make ambiguous.
        """
        for key in ("allOf", "oneOf", "anyOf"):
            subs = schema.get(key)
            if not isinstance(subs, list):
                continue
            for i, sub in enumerate(subs):
                if not (isinstance(sub, dict) and sub.get("nullable") is True
                        and all(k in ANNOTATIONS or k == "nullable" or k.startswith("x-") for k in sub)):
                    continue
                where = f"{ptr}/{key}/{i}"
                if key == "allOf":
                    del sub["nullable"]
                    schema["nullable"] = True
                    self.note(where, "an allOf member holding only 'nullable: true' cannot make the "
                                     "schema nullable; applied it to the enclosing schema")
                else:
                    del sub["nullable"]
                    sub.update(self._null_schema())
                    self.note(where, f"a {key} alternative holding only 'nullable: true' matches "
                                     f"anything; made it the null alternative")
            if key == "allOf" and any(s == {} for s in subs):
                schema[key] = [s for s in subs if s != {}]
                if not schema[key]:
                    del schema[key]
        if schema.get("nullable") is not True:
            return
        actions = []
        types = types_of(schema)
        if self.v31 and types is not None and "null" not in types:
            schema["type"] = types + ["null"]
            actions.append(f"added 'null' to type (now {schema['type']!r})")
        enum = schema.get("enum")
        if isinstance(enum, list) and None not in enum:
            enum.append(None)
            actions.append("added null to enum")
        rejecting = [k for k in _NULL_REJECTING if k in schema]
        if rejecting and not self._has_null_alternative(schema):
            if rejecting == ["anyOf"] or (rejecting == ["oneOf"] and all(
                    self.facts.rejects_null(s) for s in schema["oneOf"])):
                key = rejecting[0]
                schema[key].append(self._null_schema())
                actions.append(f"added a null alternative to {key}")
            elif rejecting != ["discriminator"]:
                inner = {k: schema.pop(k) for k in rejecting}
                schema["anyOf"] = [self._null_schema(), inner]
                actions.append(f"moved {', '.join(rejecting)} into anyOf next to a null alternative")
        if actions:
            if self.v31 or types is None:
                del schema["nullable"]
                actions.append("removed the 'nullable' keyword" + (
                    " (OpenAPI 3.0 syntax, ignored by 3.1 validators)" if self.v31 else " (no effect without type)"))
            self.note(ptr, (reason or "nullable: true") + " did not let null through: " + "; ".join(actions))
        elif self.v31:
            del schema["nullable"]
            self.note(ptr + "/nullable", "'nullable: true' is OpenAPI 3.0 syntax, ignored by 3.1 validators "
                                         "(this schema accepts null anyway); removed it")

    def _null_schema(self) -> dict:
        return {"type": "null"} if self.v31 else {"enum": [None]}

    def _has_null_alternative(self, schema: dict) -> bool:
        null = self._null_schema()
        return any(s == null for k in ("anyOf", "oneOf") for s in schema.get(k) or () if isinstance(s, dict))

    def _fix_recursive(self, schema: dict, ptr: str, anchor: str) -> None:
        """Translate JSON Schema 2019-09 recursion, unknown to 2020-12 and to 3.0.

        ``$recursiveRef`` is silently ignored by a 2020-12 validator, so the recursive part
        of the schema accepts anything; it becomes a ``$ref`` to the schema carrying
        ``$recursiveAnchor`` (the meaning of ``"#"`` there), and the anchor is removed.
        """
        if "$recursiveRef" in schema:
            ref = schema.pop("$recursiveRef")
            if "$ref" not in schema and ref == "#":
                schema["$ref"] = to_fragment(anchor)
                self.note(ptr, f"$recursiveRef (JSON Schema 2019-09) is ignored by this dialect; "
                               f"replaced it by $ref {schema['$ref']!r}")
            else:
                self.note(ptr, f"$recursiveRef {ref!r} (JSON Schema 2019-09) cannot be translated; removed it")
        if "$recursiveAnchor" in schema:
            del schema["$recursiveAnchor"]
            self.note(ptr + "/$recursiveAnchor", "$recursiveAnchor (JSON Schema 2019-09) has no meaning "
                                                 "in this dialect; removed it")

    def _fix_dangling_ref(self, schema: dict, ptr: str) -> None:
        """A local ``$ref`` that points nowhere makes the validator raise on every call.

        The reference is removed, leaving whatever else the schema says (usually nothing, so
        any value is accepted): the target the authors meant is unknown.
        """
        ref = schema["$ref"]
        if isinstance(ref, str) and (not ref.startswith("#") or self.facts.resolve(ref) is not MISSING):
            return
        del schema["$ref"]
        self.note(ptr + "/$ref", f"$ref {ref!r} points nowhere in the document; removed it")

    def _fix_annotation(self, schema: dict, key: str, ptr: str) -> None:
        """``description``/``title`` must be strings (openapi-core's document check insists).

        A ``{"$ref": ...}`` in their place (a reference to another schema's text) is
        replaced by the text it points to; other values are converted or dropped.
        """
        value = schema[key]
        where = f"{ptr}/{key}"
        if isinstance(value, dict) and isinstance(self.facts.resolve(value.get("$ref")), str):
            schema[key] = self.facts.resolve(value["$ref"])
            self.note(where, f"{key} was a reference to a text; replaced it by that text")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            schema[key] = str(value)
            self.note(where, f"{key} {value!r} was not a string; converted it")
        else:
            del schema[key]
            self.note(where, f"{key} was a {type(value).__name__}, not a text; removed it")

    # ------------------------------------------------------------------ overlapping oneOf

    def _fix_overlapping_one_of(self, ptr: str, schema: dict) -> None:
        """Read a ``oneOf`` whose alternatives can overlap as the ``anyOf`` it stands for.

        ``oneOf`` rejects a value that matches two alternatives.  Spec generators write
        every union as ``oneOf``, also where the alternatives overlap: OpenAI's eval
        items are ``{role, content: string}`` *or* a richer message object, and a plain
        ``{"role": "user", "content": "hi"}`` is both, so the documented createEval
        example is refused.  Such a union means "any of these"; with ``anyOf`` a value
        matching several alternatives is accepted, and one matching none is still
        refused.

        Alternatives are taken to be told apart - and the ``oneOf`` is kept - when every
        pair of them is disjoint or exclusive by design: their ``enum``/``const`` values
        or their types cannot meet (``string`` vs ``object``; ``integer`` is a
        ``number``; null counts), or a property one of them requires is held by both to
        ``const``/``enum`` values they do not share (and one of them rejects null
        there), or one requires a property the other forbids with
        ``additionalProperties: false``, or each requires a property the other does not
        (``{required: [vector_store_ids]}`` / ``{required: [vector_stores]}``: the
        authors' way of saying "exactly one of these", which a payload with both must
        keep failing).  Anything else - one alternative requiring a subset of what the
        other requires, as a plain and a verbose answer do - overlaps.  A ``oneOf``
        next to a discriminator is left alone: the validator then picks the mapped
        alternative and never applies "exactly one".
        """
        alts = schema.get("oneOf")
        if not isinstance(alts, list) or len(alts) < 2 or "discriminator" in schema:
            return
        for i in range(len(alts)):
            for j in range(i + 1, len(alts)):
                if not self.facts.disjoint(alts[i], alts[j]):
                    if "anyOf" in schema:
                        schema.setdefault("allOf", [])
                        schema["allOf"].append({"anyOf": schema.pop("oneOf")})
                        moved = "moved it into allOf as an anyOf"
                    else:
                        schema["anyOf"] = schema.pop("oneOf")
                        moved = "made it an anyOf"
                    self.note(ptr + "/oneOf", f"oneOf alternatives {i} and {j} are not told apart by type, "
                              f"required const/enum values or forbidden properties, so a value can match both "
                              f"and oneOf would reject it; {moved}")
                    return

    # ------------------------------------------------------------------ discriminators

    def _fix_discriminator(self, ptr: str, schema: dict) -> None:
        """Make a discriminator agree with the ``oneOf``/``anyOf`` next to it, or remove it.

        openapi-core's validator does not validate ``oneOf``/``anyOf`` when a discriminator
        is present: it reads the payload's discriminating value v, looks up ``mapping[v]``
        and otherwise uses ``#/components/schemas/<v>`` (the implicit mapping by schema
        name), and validates the payload against that one schema only.  Most real specs name
        schemas differently from the values (``role: "user"`` selects
        ``ChatCompletionRequestUserMessage``), so every valid payload fails to resolve.

        The OpenAPI specification says a discriminator MUST NOT change the validation
        outcome.  So:

        * mapping targets that point nowhere are resolved when they are bare schema names
          (legal in OpenAPI, not understood by the validator) or dropped;
        * each alternative's possible values are read from ``properties.<propertyName>``
          (``enum``/``const``, following ``$ref``, ``allOf``, ``oneOf``/``anyOf``) and a
          mapping entry is added for each value that the implicit mapping would not resolve
          to that alternative; explicit entries are kept;
        * when that cannot cover every payload the ``oneOf``/``anyOf`` accepts (an
          alternative without derivable values and not reachable by name, a value shared by
          two alternatives, a non-string value, an alternative where the property is not
          required, or an alternative that is not an object) the discriminator is removed and
          ``oneOf``/``anyOf`` alone decide; a ``oneOf`` becomes an ``anyOf`` then, because its
          alternatives were meant to be told apart by the discriminator (a validator using it
          never checks "exactly one"), and overlapping ones would reject a valid payload;
        * next to ``allOf`` alone (the "parent" form, which the specification says is not for
          validation) this validator would validate the payload against the child instead of
          the ``allOf``, recursing forever if the child includes the parent: it is removed.
        """
        disc = schema.get("discriminator")
        where = ptr + "/discriminator"
        if not isinstance(disc, dict) or not isinstance(disc.get("propertyName"), str):
            del schema["discriminator"]
            self.note(where, "discriminator has no propertyName; removed it")
            return
        prop = disc["propertyName"]
        mapping = disc.get("mapping")
        if "mapping" in disc and not isinstance(mapping, dict):
            del disc["mapping"]
            self.note(where + "/mapping", "discriminator mapping is not a mapping; removed it")
            mapping = None
        if mapping:
            for value, target in list(mapping.items()):
                fixed = self.facts.mapping_target(target)
                if fixed == target:
                    continue
                entry = f"{where}/mapping/{escape(value)}"
                if fixed is None:
                    del mapping[value]
                    self.note(entry, f"mapping target {target!r} points nowhere; removed the entry")
                else:
                    mapping[value] = fixed
                    self.note(entry, f"mapping target {target!r} is a bare schema name the validator "
                                     f"cannot resolve; replaced it by {fixed!r}")
            if not mapping:
                del disc["mapping"]
            mapping = disc.get("mapping")
        mapping = mapping or {}

        key = "oneOf" if isinstance(schema.get("oneOf"), list) else (
            "anyOf" if isinstance(schema.get("anyOf"), list) else None)
        if key is None:
            if isinstance(schema.get("allOf"), list):
                del schema["discriminator"]
                self.note(where, "discriminator next to allOf alone would make the validator check "
                                 "the payload against a mapped schema instead of the allOf; removed it")
            return

        problem, added = analyse(self.facts, ptr, schema, key, prop, mapping)
        if problem is not None:
            del schema["discriminator"]
            if key == "oneOf" and "anyOf" not in schema:
                # With the discriminator, tools validate against the selected alternative
                # only and never enforce oneOf's "exactly one"; alternatives that share
                # values (or lack them) overlap, and oneOf would reject what matches two.
                schema["anyOf"] = schema.pop("oneOf")
                self.note(where, f"discriminator would reject payloads the oneOf accepts ({problem}); "
                                 f"removed it, and made oneOf an anyOf since its alternatives were "
                                 f"told apart only by the discriminator")
            else:
                self.note(where, f"discriminator would reject payloads the {key} accepts ({problem}); "
                                 f"removed it so {key} alone decides")
        elif added:
            disc.setdefault("mapping", {}).update(added)
            self.note(where + "/mapping", f"values of {prop!r} do not name their schemas, so the "
                      f"implicit mapping cannot resolve them; added {len(added)} explicit mapping "
                      f"entries ({', '.join(sorted(added))})")


# --------------------------------------------------------------------------- helpers

def _yaml_spellings(value: Any, text: str, others: List[str]) -> List[str]:
    """The string(s) an unquoted YAML scalar read as ``value`` may have been written as."""
    if isinstance(value, bool):
        spellings = _YAML11_BOOL[value]
        quoted = [s for s in spellings if re.search(r"[`'\"]" + s + r"[`'\"]", text)]
        if len(quoted) == 1:
            return quoted
        if others and all(o.isupper() for o in others if o.isalpha()):
            return [s for s in spellings if s.isupper()]
        if others and all(o.islower() for o in others if o.isalpha()):
            return [s for s in spellings if s.islower()]
        return list(spellings)
    if isinstance(value, datetime.date):
        return [value.isoformat()]
    return [str(value)]
