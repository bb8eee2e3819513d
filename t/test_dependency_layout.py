"""What openapi_dyn relies on in openapi-core's package layout, checked in
one place: an openapi-core release that moves any of it fails here, saying
what moved, instead of quietly making every validating process slower or
failing deep inside a validation.

:mod:`openapi_dyn._engine` runs openapi-core's package ``__init__`` only when
something asks the package itself for a name (its docstring has the figures
that justify it).  That relies on:

1. ``openapi_core`` being a regular package (an import spec with a loader
   and a search path), so it can be registered before its ``__init__`` runs;
2. its schema validation (``openapi_core.validation.schemas`` and
   ``.exceptions``) importing without that ``__init__`` and without the
   heavy parts (the app, unmarshallers, openapi-spec-validator, werkzeug):
   otherwise the deferral still works but saves nothing;
3. the names :mod:`openapi_dyn._validation` takes from there: the dialect
   factories, ``SchemaValidatorsFactory`` and ``InvalidSchemaValue`` with
   its ``schema_errors``;
4. the first name asked of the package running its ``__init__`` in the same
   module object, after which the package is complete.
"""
import json
import os
import subprocess
import sys

_PROBE = r"""if 1:
    import importlib.util, json, sys
    spec = importlib.util.find_spec("openapi_core")
    facts = {"package": bool(spec and spec.loader and spec.submodule_search_locations)}
    from openapi_dyn._engine import defer_package_init
    facts["deferred"] = defer_package_init()
    package = sys.modules["openapi_core"]
    from openapi_core.validation import schemas
    from openapi_core.validation.schemas.exceptions import InvalidSchemaValue
    facts["init_ran_early"] = "OpenAPI" in vars(package)
    facts["heavy_loaded"] = sorted(m for m in ("openapi_core.app", "openapi_core.unmarshalling",
                                               "openapi_spec_validator", "werkzeug") if m in sys.modules)
    names = ("SchemaValidatorsFactory", "oas30_write_schema_validators_factory",
             "oas30_read_schema_validators_factory", "oas31_schema_validators_factory")
    facts["missing_names"] = [n for n in names if not hasattr(schemas, n)]
    from jsonschema_path import SchemaPath
    doc = SchemaPath.from_dict({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
                                "components": {"schemas": {"N": {"type": "integer", "minimum": 1}}}})
    validator = schemas.oas31_schema_validators_factory.create(doc, doc / "components" / "schemas" / "N")
    try:
        validator.validate(0)
        facts["errors"] = None
    except InvalidSchemaValue as exc:
        facts["errors"] = [e.message for e in exc.schema_errors]
    import openapi_core
    facts["same_module"] = openapi_core is package and sys.modules["openapi_core"] is package
    from openapi_core import OpenAPI
    facts["complete_after"] = bool(OpenAPI) and bool(openapi_core.__version__)
    print(json.dumps(facts))
"""


def test_openapi_core_still_has_the_layout_the_engine_relies_on():
    env = {k: v for k, v in os.environ.items() if k != "OPENAPI_DYN_FULL_OPENAPI_CORE"}
    done = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"openapi-core's schema validation moved: {done.stderr[-2000:]}"
    facts = json.loads(done.stdout)
    assert facts["package"], "openapi_core is no longer a regular package: _engine cannot defer its __init__"
    assert facts["deferred"], "_engine did not register openapi_core with its __init__ deferred"
    assert not facts["init_ran_early"], ("importing openapi_core.validation.schemas now runs openapi-core's "
                                         "package __init__: _engine's deferral saves nothing")
    assert facts["heavy_loaded"] == [], (f"openapi-core's schema validation now imports {facts['heavy_loaded']}: "
                                         "_engine's deferral no longer keeps them out")
    assert facts["missing_names"] == [], f"openapi_core.validation.schemas lost {facts['missing_names']}"
    assert facts["errors"] and "minimum" in facts["errors"][0], (
        f"InvalidSchemaValue.schema_errors no longer lists the schema's errors: {facts['errors']}")
    assert facts["same_module"], "the deferred openapi_core module was replaced by another object"
    assert facts["complete_after"], "asking the deferred package for a name did not complete it"
