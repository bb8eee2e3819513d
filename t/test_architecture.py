"""The package's layers (docs/architecture.md, "## Layers") hold in the code.

Every module of ``openapi_dyn`` is parsed with :mod:`ast`; every import in
it (module level or inside a function, relative or absolute) that names a
module of the package must name one in the importer's layer or below.  The
layers are read from the document itself, so the document and this test
cannot disagree.  Imports under ``if TYPE_CHECKING:`` are for annotations
and never run; they are not counted.  Dynamic imports (``importlib``) are
not seen: only the package's public namespace uses them, and it is the top.
"""
import ast
import fnmatch
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "openapi_dyn"
DOC = ROOT / "docs" / "architecture.md"

# ------------------------------------------------------------------ layers
def documented_layers() -> List[Tuple[str, List[str]]]:
    """``[(title, [module names as written])]`` from the "## Layers" list."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("\n## Layers\n", 1)[1].split("\n## ", 1)[0]
    items = re.findall(r"^\d+\.\s+(.*?)(?=^\d+\.\s|^\s*$)", section + "\n\n", flags=re.M | re.S)
    layers = []
    for item in items:
        title = re.match(r"\*\*(.+?)\*\*", item)
        names = [n for n in re.findall(r"`([^`\s]+)`", item) if n.endswith((".py", "/"))]
        layers.append((title.group(1) if title else item[:30], names))
    return layers


def modules() -> List[str]:
    """Every module of the package, as a path relative to openapi_dyn/."""
    return sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
                  if "__pycache__" not in p.parts)


def layer_of_each() -> Dict[str, int]:
    """module path -> layer number (1 = bottom), by the document's rules: a
    name of its own wins over a package's ``dir/``; globs (``_batch*.py``)
    allowed."""
    layers = documented_layers()
    exact: Dict[str, int] = {}
    packages: Dict[str, int] = {}
    for number, (_title, names) in enumerate(layers, 1):
        for name in names:
            (packages if name.endswith("/") else exact)[name] = number
    out = {}
    for module in modules():
        own = [n for pattern, n in exact.items() if fnmatch.fnmatchcase(module, pattern)]
        if own:
            out[module] = own[0]
            continue
        found = [(len(d), n) for d, n in packages.items() if module.startswith(d)]
        if found:
            out[module] = max(found)[1]
    return out


# ----------------------------------------------------------------- imports
def _module_name(path: str) -> str:
    parts = ["openapi_dyn"] + path[:-3].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"
            or isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> Iterator[ast.stmt]:
    """Every import statement in ``tree``, at any depth, except those in
    the body of ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def imported_modules(path: str) -> Iterator[Tuple[str, int]]:
    """``(imported module path, line)`` for every import of a module of the
    package in ``path``, including the ``__init__.py`` of each package the
    imported module is in that the importer is not in itself."""
    by_name = {_module_name(m): m for m in modules()}
    me = _module_name(path)
    package = me if path.endswith("__init__.py") else me.rpartition(".")[0]
    tree = ast.parse((PACKAGE / path).read_text(encoding="utf-8"), filename=path)
    for node in _imports(tree):
        targets: List[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:  # `from pkg import submodule` imports that module
                targets.append(f"{source}.{alias.name}" if f"{source}.{alias.name}" in by_name else source)
        for target in targets:
            if not (target == "openapi_dyn" or target.startswith("openapi_dyn.")):
                continue
            assert target in by_name, f"{path}:{node.lineno} imports {target}, which is no module of the package"
            if target != me:
                yield by_name[target], node.lineno
            # the packages on the way are imported too, unless the importer is in them
            parts = target.split(".")
            for i in range(1, len(parts)):
                name = ".".join(parts[:i])
                if name in by_name and not me.startswith(name + "."):
                    yield by_name[name], node.lineno


def violations(reader=imported_modules) -> Dict[Tuple[str, str], List[int]]:
    layer = layer_of_each()
    found: Dict[Tuple[str, str], List[int]] = {}
    for module in modules():
        for target, line in reader(module):
            if layer[target] > layer[module]:
                found.setdefault((module, target), []).append(line)
    return found


# ------------------------------------------------------------------- tests
def test_the_document_lists_layers_of_existing_modules():
    layers = documented_layers()
    assert len(layers) >= 5, layers
    everything = modules()
    for title, names in layers:
        assert names, f"layer {title!r} names no module"
        for name in names:
            if name.endswith("/"):
                assert (PACKAGE / name / "__init__.py").is_file(), f"{title}: {name} is no package"
            else:
                assert fnmatch.filter(everything, name), f"{title}: {name} names no module"
    written = [n for _t, names in layers for n in names]
    assert len(written) == len(set(written)), "a name appears in two layers"


def test_every_module_is_in_a_layer():
    layer = layer_of_each()
    missing = [m for m in modules() if m not in layer]
    assert not missing, f"name these in docs/architecture.md, ## Layers: {missing}"


def test_the_layer_reader_sees_what_the_document_says():
    layer = layer_of_each()
    assert layer["_errors.py"] == 1 and layer["_spec/pointer.py"] == 1
    assert layer["_spec/load.py"] == layer["_operation.py"] == 2
    assert layer["_request.py"] == layer["_call_context.py"] == 3
    assert layer["_client.py"] == layer["reference/_model.py"] == layer["_batch_state.py"] == len(documented_layers())
    assert layer["__init__.py"] == layer["_cli.py"]


def test_the_import_reader_sees_every_kind_of_import():
    # module level, inside a function, relative, absolute, `from . import x`,
    # and a package's __init__ on the way to its module
    found = {m: set(t for t, _ in imported_modules(m)) for m in
             ("_request.py", "_client.py", "_cli.py", "_wire.py", "_operation.py")}
    assert {"_call_context.py", "_bodies.py", "_serialize.py", "_options.py"} <= found["_request.py"]
    assert {"_request.py", "_tools.py", "_spec/__init__.py", "_response.py"} <= found["_client.py"]
    assert {"_spec/cache.py", "reference/__init__.py"} <= {t for t, _ in imported_modules("_signatures.py")}
    assert {"reference/__init__.py", "reference/_markup.py"} <= found["_cli.py"]
    assert found["_wire.py"] == {"_version.py"}
    # OperationCaches names its fields' types for annotations only
    assert "_spec/pointer.py" in found["_operation.py"]
    assert not {"_request.py", "_validation.py", "reference/_model.py"} & found["_operation.py"]
    assert "_request.py" in {t for t, _ in imported_modules("reference/_model.py")}


def test_an_import_that_reaches_up_is_found():
    # the check itself, on imports made up for it: binding a call may not
    # import the client, a client may import binding
    made_up = {"_request.py": [("_client.py", 7)], "_client.py": [("_request.py", 3)]}
    found = violations(lambda module: made_up.get(module, []))
    assert found == {("_request.py", "_client.py"): [7]}


def test_no_module_imports_from_a_layer_above():
    layer = layer_of_each()
    new = violations()
    assert not new, "imports that reach up a layer:\n" + "\n".join(
        f"  {a} (layer {layer[a]}) imports {b} (layer {layer[b]}) at line(s) {lines}"
        for (a, b), lines in sorted(new.items()))


# --------------------------------------------------------- public namespace
def test_the_package_namespace_is_exactly_its_public_names(tmp_path):
    # A fresh process that uses much of the package, so that many internal
    # modules are imported (each becomes an attribute of the package).
    code = r"""if 1:
        import json, types
        import openapi_dyn
        fresh = dir(openapi_dyn)
        client = openapi_dyn.Client()
        client.prepare("createChatCompletion", body={"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]})
        client.tools(operations=["listModels"])
        import openapi_dyn.reference
        from openapi_dyn import AsyncClient, Response
        used = dir(openapi_dyn)
        modules = [n for n in used if isinstance(getattr(openapi_dyn, n), types.ModuleType)]
        print(json.dumps({"fresh": fresh, "used": used, "all": openapi_dyn.__all__, "modules": modules,
                          "internal_loaded": sorted(n for n in vars(openapi_dyn) if n.startswith("_")
                                                    and isinstance(vars(openapi_dyn)[n], types.ModuleType))}))
    """
    env = dict(os.environ, OPENAPI_DYN_CACHE_DIR=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout)
    public = set(got["all"])
    assert len(got["all"]) == len(public)
    assert len(got["internal_loaded"]) > 5  # the check below is not vacuous
    for when in ("fresh", "used"):
        shown = {n for n in got[when] if not n.startswith("_")} | ({"__version__"} & set(got[when]))
        assert shown == public, f"{when}: {sorted(shown ^ public)}"
    assert sorted(got["modules"]) == ["limits", "reference"]   # the public modules only


@pytest.mark.parametrize("name", ["Client", "Spec", "PreparedRequest", "Response", "ValidationProblem"])
def test_every_public_name_resolves(name):
    import openapi_dyn

    assert name in openapi_dyn.__all__ and getattr(openapi_dyn, name) is not None
