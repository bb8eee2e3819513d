"""The bridge to openapi-core: per-operation validators, built once and cached,
and the translation of their errors into located :class:`ValidationProblem`\\ s.

openapi-core's request validator finds the operation again by matching the
URL, deserializes every parameter from its wire form and re-reads the spec on
every call.  A client already knows the operation and holds typed values, so
it asks openapi-core only for what it is here for: a schema validator per
parameter and per body media type (openapi-core's ``SchemaValidatorsFactory``,
with its OpenAPI dialect, format checker and discriminator handling), compiled
on the operation's first call and reused after that.
"""
from __future__ import annotations

import threading
from typing import Any, Dict, Iterable, List, Tuple

from .errors import ValidationProblem
from .inline import prepare as prepare_schema
from .spec.pointer import walk
from .engine import defer_package_init

_factory_lock = threading.Lock()


_param_factory_30 = None


def _factory_for(version: str, kind: str = "body"):
    """openapi-core's schema validator factory for the document's dialect.

    ``kind`` is the first part of the validator's key: ``"param"``,
    ``"body"`` or ``"response"``.  In 3.0, request bodies use the *write*
    rules (``readOnly`` properties must not be sent, and are not required),
    answers the *read* rules (the other way round), and parameters the plain
    rules: ``readOnly``/``writeOnly`` speak of object properties, and a
    parameter schema that reuses a read-only id schema (DigitalOcean does)
    must still accept the id.  3.1 and later have one dialect for all.
    """
    # Imported here, not at module import: openapi-core pulls in pydantic and
    # friends, which an exploring user who never validates should not pay for.
    # Its package __init__ (everything but schema validation) runs only if
    # something asks for it; see .engine.
    defer_package_init()
    from openapi_core.validation import schemas as s

    if version.startswith("3.0"):
        if kind == "param":
            global _param_factory_30
            if _param_factory_30 is None:
                from openapi_schema_validator import OAS30Validator

                _param_factory_30 = s.SchemaValidatorsFactory(OAS30Validator)
            return _param_factory_30
        if kind == "response":
            return s.oas30_read_schema_validators_factory
        return s.oas30_write_schema_validators_factory
    if version.startswith("3.2") and hasattr(s, "oas32_schema_validators_factory"):
        return s.oas32_schema_validators_factory
    return s.oas31_schema_validators_factory


def format_location(prefix: str, path: Iterable[Any]) -> str:
    """``body`` + ``["messages", 0, "role"]`` -> ``body.messages[0].role``."""
    out = prefix
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and part.replace("_", "a").replace("-", "a").isalnum():
            out += f".{part}"
        else:
            out += f"[{part!r}]"
    return out


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def translate(error, prefix: str) -> List[ValidationProblem]:
    """One jsonschema error (as openapi-core reports it) -> located problems.

    ``required`` and ``additionalProperties`` errors are moved onto the
    property they name, so ``body.model`` says "required property is
    missing" instead of ``body`` saying "'model' is a required property".
    For ``oneOf``/``anyOf`` failures the most relevant sub-error (jsonschema's
    ``best_match``) is reported, located where it actually is.
    """
    from jsonschema.exceptions import best_match

    kind = error.validator
    path = list(error.absolute_path)
    if kind == "required" and isinstance(error.instance, dict):
        missing = [p for p in (error.validator_value or []) if p not in error.instance]
        if missing:
            return [ValidationProblem(format_location(prefix, path + [m]), "required property is missing")
                    for m in missing]
    if kind in ("additionalProperties", "unevaluatedProperties") and isinstance(error.instance, dict):
        allowed = set((error.schema or {}).get("properties") or {})
        extra = [k for k in error.instance if k not in allowed]
        if extra and error.validator_value is False:
            return [ValidationProblem(format_location(prefix, path + [k]), "unexpected property (not in the schema)")
                    for k in extra]
    if kind in ("oneOf", "anyOf"):
        return _translate_alternatives(error, prefix, path, best_match)
    message = error.message
    if kind == "enum":
        message = f"{_short(error.instance)} is not one of {error.validator_value!r}"
    elif kind == "type":
        types = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        message = f"{_short(error.instance)} is not of type " + " or ".join(repr(t) for t in types)
    return [ValidationProblem(format_location(prefix, path), message)]


def _translate_alternatives(error, prefix: str, path: list, best_match) -> List[ValidationProblem]:
    """A value that matched none (or, for oneOf, several) of the alternatives.

    With a discriminator the property that selects the alternative is named:
    a missing or unknown ``role`` is reported at ``body.messages[0].role`` with
    the values allowed.  Alternatives that differ only in type become one
    message (``'hot' is not of type 'number' or 'null'``).  Otherwise the most
    relevant sub-error (jsonschema's ``best_match``) is reported where it is.
    """
    schema = error.schema if isinstance(error.schema, dict) else {}
    disc = schema.get("discriminator")
    instance = error.instance
    if isinstance(disc, dict) and isinstance(instance, dict) and disc.get("propertyName"):
        prop = disc["propertyName"]
        allowed = sorted((disc.get("mapping") or {}).keys())
        where = format_location(prefix, path + [prop])
        if prop not in instance:
            hint = f" (one of {allowed})" if allowed else ""
            return [ValidationProblem(where, f"required property is missing{hint}")]
        if allowed and instance[prop] not in allowed:
            return [ValidationProblem(where, f"{_short(instance[prop])} is not one of {allowed}")]
    context = list(error.context or [])
    if context and all(c.validator == "type" and list(c.absolute_path) == path for c in context):
        types = []
        for c in context:
            vv = c.validator_value
            types.extend(vv if isinstance(vv, list) else [vv])
        names = " or ".join(repr(t) for t in dict.fromkeys(types))
        return [ValidationProblem(format_location(prefix, path), f"{_short(instance)} is not of type {names}")]
    if context:
        deeper = [c for c in context if len(c.absolute_path) > len(path)]
        best = best_match(deeper or context)
        if best is not None and (deeper or best.validator not in ("type",)):
            inner = translate(best, prefix)
            if inner:
                return inner
    if kind_matches_several(error):
        return [ValidationProblem(format_location(prefix, path),
                                  f"{_short(instance)} matches more than one alternative (oneOf)")]
    return [ValidationProblem(format_location(prefix, path),
                              f"{_short(instance)} matches none of the allowed alternatives ({error.validator})")]


def kind_matches_several(error) -> bool:
    return error.validator == "oneOf" and "is valid under each of" in str(error.message)


class OperationValidator:
    """Validators for one operation, built lazily per parameter and per body
    media type; safe to share between threads."""

    def __init__(self, operation):
        self.operation = operation
        self._validators: Dict[Tuple[str, str], Any] = {}

    def _validator(self, key: Tuple[str, str], pointer: str):
        v = self._validators.get(key)
        if v is None:
            with _factory_lock:
                v = self._validators.get(key)
                if v is None:
                    spec = self.operation.spec
                    factory = _factory_for(spec.version, key[0])
                    node, steps = walk(spec.document, pointer)
                    schema = spec.schema_path
                    for step in steps:
                        schema = schema / step
                    v = factory.create(spec.schema_path, schema)
                    v = prepare_schema(spec, v, node)
                    self._validators[key] = v
        return v

    def check(self, pointer_key: Tuple[str, str], pointer: str, value: Any, prefix: str) -> List[ValidationProblem]:
        """Validate ``value`` against the schema at ``pointer``; problems are
        located under ``prefix``."""
        validator = self._validator(pointer_key, pointer)
        from openapi_core.validation.schemas.exceptions import InvalidSchemaValue

        try:
            validator.validate(value)
        except InvalidSchemaValue as exc:
            problems: List[ValidationProblem] = []
            for err in exc.schema_errors:
                problems.extend(translate(err, prefix))
            return problems or [ValidationProblem(prefix, str(exc))]
        except Exception as exc:  # an unusable schema must not escape as a foreign error
            return [ValidationProblem(prefix, f"cannot be validated: {type(exc).__name__}: {exc}")]
        return []

    def check_parameter(self, param, value: Any) -> List[ValidationProblem]:
        if not param.schema:
            return []
        return self.check(("param", param.qualified_name), param.schema_pointer, value,
                          f"{param.location}.{param.name}")

    def check_body(self, media, value: Any, prefix: str = "body") -> List[ValidationProblem]:
        if not media.schema:
            return []
        return self.check(("body", media.media_type), media.schema_pointer, value, prefix)


def validator_for(operation) -> OperationValidator:
    """The cached :class:`OperationValidator` of ``operation``."""
    return operation.memo("_validator", OperationValidator)
