"""The package's public face: exactly the names of ``openapi_dyn.__all__``,
each documented (a docstring, and a row of docs/api.md), every exception
class of the package among them, and no internal module reachable under a
public name."""
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import openapi_dyn

ROOT = Path(__file__).resolve().parents[2]
API_PAGE = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")


def _documented_names():
    names = set()
    for line in API_PAGE.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", first_cell))
    return names


def _modules():
    yield openapi_dyn
    for info in pkgutil.walk_packages(openapi_dyn.__path__, "openapi_dyn."):
        if info.name.endswith("__main__"):
            continue            # runs the command line
        if info.name.endswith("_aiohttp_transport"):
            try:
                import aiohttp  # noqa: F401
            except ImportError:
                continue
        yield importlib.import_module(info.name)


def test_dir_lists_exactly_the_public_names():
    public = {n for n in dir(openapi_dyn) if not n.startswith("__")}
    assert public == set(openapi_dyn.__all__) - {"__version__"}
    assert len(openapi_dyn.__all__) == len(set(openapi_dyn.__all__))


def test_every_public_name_resolves_and_is_documented():
    documented = _documented_names()
    missing_row = [n for n in openapi_dyn.__all__ if n not in documented]
    assert not missing_row, f"not in docs/api.md: {missing_row}"
    assert not documented - set(openapi_dyn.__all__), "docs/api.md names what is not exported"
    for name in openapi_dyn.__all__:
        value = getattr(openapi_dyn, name)
        if inspect.isclass(value) or inspect.isfunction(value) or inspect.ismodule(value):
            assert (inspect.getdoc(value) or "").strip(), f"{name} has no docstring"


def test_only_the_namespace_and_reference_are_public_modules():
    for module in _modules():
        parts = module.__name__.split(".")[1:]
        if not parts:
            continue
        if parts[0] == "reference":
            assert all(p.startswith("_") for p in parts[1:]), f"{module.__name__} is a public module name"
        else:
            assert parts[0].startswith("_"), f"{module.__name__} is a public module name"


def test_every_exception_class_is_exported_and_derives_from_the_base():
    exported = [getattr(openapi_dyn, n) for n in openapi_dyn.__all__]
    exported += [getattr(openapi_dyn.reference, n) for n in openapi_dyn.reference.__all__]
    for module in _modules():
        for name, value in vars(module).items():
            if (inspect.isclass(value) and issubclass(value, BaseException)
                    and value.__module__ == module.__name__ and not name.startswith("_")):
                if issubclass(value, Warning):
                    assert value in exported, f"{module.__name__}.{name}"
                    continue
                assert issubclass(value, openapi_dyn.OpenAPIDynError), f"{module.__name__}.{name}"
                assert value in exported, f"{module.__name__}.{name} is raised but not exported"


def test_a_stream_failure_is_not_a_status_error():
    assert not issubclass(openapi_dyn.StreamError, openapi_dyn.APIError)
    assert issubclass(openapi_dyn.StreamError, openapi_dyn.OpenAPIDynError)


def test_public_modules_are_the_ones_the_code_reads():
    # a raised limit takes effect: the public name is the module the loader reads
    from openapi_dyn._spec import limits as used

    assert openapi_dyn.limits is used
    assert openapi_dyn.reference is importlib.import_module("openapi_dyn.reference")
