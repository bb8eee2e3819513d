"""The package's shape: the layers it is built in (kept by import-linter, as
setup.cfg's ``[importlinter]`` contracts say), no import cycle anywhere, a
folder per layer, and a public namespace that is exactly ``__all__``.

``lint-imports`` reads every import of every module, at module level and
inside functions alike (imports under ``if TYPE_CHECKING:`` are for
annotations and never run, so they are left out).  The tests below also show
that the checks are not vacuous: an import made up to reach up a layer, and
a cycle made up between two modules, are both found.
"""
import configparser
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Set

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "openapi_dyn"
SETUP = ROOT / "setup.cfg"
DOC = ROOT / "docs" / "architecture.md"


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` over the package found in ``root``, with the
    contracts of setup.cfg."""
    exe = Path(sys.executable).with_name("lint-imports")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "importlinter.cli"]
    env = dict(os.environ, PYTHONPATH=str(root))
    return subprocess.run(command + ["--config", str(SETUP), "--no-cache"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)


def _graph(root: Path) -> Dict[str, Set[str]]:
    """module -> the package's modules it imports (any depth, TYPE_CHECKING
    imports left out), built by grimp (import-linter's own reader) in a
    fresh process over the package in ``root``."""
    code = ("import grimp, json\n"
            "g = grimp.build_graph('openapi_dyn', exclude_type_checking_imports=True)\n"
            "print(json.dumps({m: sorted(g.find_modules_directly_imported_by(m)) for m in g.modules}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=root, env=dict(os.environ, PYTHONPATH=str(root)),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return {k: set(v) for k, v in json.loads(done.stdout).items()}


def cycles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """The strongly connected components of more than one module (Tarjan's
    algorithm, iterative so that depth is no concern)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    on_stack: Set[str] = set()
    stack: List[str] = []
    out: List[List[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


def _layers_contract() -> List[str]:
    config = configparser.ConfigParser()
    config.read(SETUP, encoding="utf-8")
    lines = config["importlinter:contract:layers"]["layers"].split("\n")
    return [name.strip() for line in lines for name in line.split("|") if name.strip()]


def _copy_package(tmp_path: Path) -> Path:
    shutil.copytree(PACKAGE, tmp_path / "openapi_dyn", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


# ------------------------------------------------------------------ layers
def test_the_layer_contracts_hold():
    done = _lint_imports(ROOT)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout and " kept" in done.stdout


def test_the_layers_contract_names_every_part_of_the_package():
    named = set(_layers_contract())
    parts = {f"openapi_dyn.{p.stem if p.is_file() else p.name}" for p in PACKAGE.iterdir()
             if (p.suffix == ".py" and p.name != "__init__.py") or (p / "__init__.py").is_file()}
    assert parts - named == set(), "name these in setup.cfg's layers contract"
    assert named - parts == set(), "the layers contract names what is not there"


def test_the_folders_are_the_layers():
    # most of the package lives in a folder per layer; few modules stand alone
    alone = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(alone) <= 12, alone
    folders = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert {"_spec", "_call", "_answer", "_http"} <= set(folders)
    text = DOC.read_text(encoding="utf-8")
    for folder in folders:
        assert f"`{folder}/`" in text, f"docs/architecture.md does not describe {folder}/"


def test_no_import_cycle_anywhere():
    found = cycles(_graph(ROOT))
    assert not found, "import cycles:\n" + "\n".join("  " + " <-> ".join(c) for c in found)


def test_an_import_that_reaches_up_is_found(tmp_path):
    root = _copy_package(tmp_path)
    pointer = root / "openapi_dyn" / "_spec" / "pointer.py"
    pointer.write_text(pointer.read_text(encoding="utf-8")
                       + "\n\ndef _made_up():\n    from .._client import Client\n    return Client\n",
                       encoding="utf-8")
    done = _lint_imports(root)
    assert done.returncode != 0
    assert "openapi_dyn._spec.pointer -> openapi_dyn._client" in done.stdout


def test_a_cycle_is_found(tmp_path):
    root = _copy_package(tmp_path)
    walk = root / "openapi_dyn" / "_spec" / "walk.py"
    pointer = root / "openapi_dyn" / "_spec" / "pointer.py"
    pointer.write_text(pointer.read_text(encoding="utf-8")
                       + "\n\ndef _made_up():\n    from . import walk\n    return walk\n", encoding="utf-8")
    assert "pointer" in walk.read_text(encoding="utf-8")   # walk imports pointer already
    found = cycles(_graph(root))
    assert ["openapi_dyn._spec.pointer", "openapi_dyn._spec.walk"] in found


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
