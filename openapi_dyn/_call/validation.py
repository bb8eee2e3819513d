"""The bridge to openapi-core: per-operation validators, built once and cached,
whose errors :mod:`._problems` turns into located :class:`ValidationProblem`\\ s.

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
from typing import Any, Dict, List, Tuple

from .._errors import ValidationProblem
from .problems import format_location, translate, translate_all  # noqa: F401  (re-exported)
from .inline import prepare as prepare_schema
from .._spec.pointer import walk
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
            problems = translate_all(exc.schema_errors, prefix, self.operation.spec.document)
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
    found = operation.caches.validator
    return found if found is not None else operation.caches.validator_or(OperationValidator)
