"""openapi-core's schema validation, without the rest of openapi-core.

The client uses one corner of openapi-core: ``openapi_core.validation.schemas``
(the validator factories, with their dialects, format checkers and
discriminator handling).  Importing any submodule of a package first runs the
package's ``__init__``, and openapi-core's imports everything it has: the
request/response unmarshallers, openapi-spec-validator, werkzeug, the
integrations.  That is a third of the start-up time of a process that
validates one call, for code the client never runs.

:func:`defer_package_init` puts ``openapi_core`` into ``sys.modules`` as the
package it is (same ``__path__``, ``__spec__``, ``__file__``) with its
``__init__`` not yet run; the first attribute asked of the package itself
(``openapi_core.OpenAPI``, ``from openapi_core import validate_request``,
``openapi_core.__version__``) runs it, once, in that same module object.
Submodules import as usual meanwhile.  Code elsewhere in the process that uses
openapi-core therefore sees the whole package, loaded when it first touches
it.  When openapi-core was imported before, nothing is done.

``OPENAPI_DYN_FULL_OPENAPI_CORE=1`` turns this off.

Why it is worth it, measured: a fresh process that imports openapi_dyn,
makes ``Client()`` (warm spec cache) and prepares one
``createChatCompletion`` call took a median of 611 ms (471 ms of it in the
process) with the deferral and 807 ms (666 ms) with openapi-core imported
whole, over 16 alternating runs of each on a shared two-core machine:
importing it whole costs 32% more (41% in the process).

This is the one place that relies on openapi-core's package layout rather
than its documented API: that its schema validation imports without the
package ``__init__``, and the names :mod:`._validation` takes from it.
``t/package/test_dependency_layout.py`` checks both and fails saying what moved.
"""
from __future__ import annotations

import importlib.util
import os
import sys
import threading

_PACKAGE = "openapi_core"
_lock = threading.RLock()


def defer_package_init(name: str = _PACKAGE) -> bool:
    """Register ``name`` with its ``__init__`` deferred (see the module text);
    returns whether it did.  Safe to call more than once."""
    if name in sys.modules:
        return False
    if os.environ.get("OPENAPI_DYN_FULL_OPENAPI_CORE", "").strip() not in ("", "0"):
        return False
    with _lock:
        if name in sys.modules:
            return False
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            return False
        if spec is None or spec.loader is None or spec.submodule_search_locations is None:
            return False
        module = importlib.util.module_from_spec(spec)
        state = {"ran": False}

        def __getattr__(attr: str):
            # Module-level __getattr__ (PEP 562): only called for names the
            # module does not have yet.
            with _lock:
                if not state["ran"]:
                    state["ran"] = True
                    module.__dict__.pop("__getattr__", None)
                    try:
                        spec.loader.exec_module(module)
                    except BaseException:
                        # as a failed import does: no half-made module stays
                        if sys.modules.get(name) is module:
                            del sys.modules[name]
                        raise
            try:
                return module.__dict__[attr]
            except KeyError:
                raise AttributeError(f"module {name!r} has no attribute {attr!r}") from None

        module.__getattr__ = __getattr__  # type: ignore[attr-defined]
        sys.modules[name] = module
        return True
