"""The clients' options are named keyword parameters, written once for both:
``inspect.signature`` shows them as they are (nothing patched), mypy flags a
misspelt one on its line, and the two clients offer the same methods apart
from how each closes and which HTTP library object it is handed."""
import inspect
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import openapi_dyn
from openapi_dyn import AsyncClient, Client, UsageError

OPTIONS = {"base_url", "api_key", "credentials", "headers", "timeout", "max_retries", "validate",
           "validate_responses", "cache", "strict", "server_variables", "profile", "defaults",
           "api_version", "max_connections", "attribute_access", "max_response_bytes"}


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_every_option_is_a_named_keyword_parameter(cls):
    params = inspect.signature(cls).parameters
    assert set(params) == {"spec"} | OPTIONS | {"session", "http_client"}
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for name, p in params.items() if name != "spec")
    assert not [p for p in params.values() if p.kind is inspect.Parameter.VAR_KEYWORD]
    # nothing patched: the signature is the function's own
    assert "__signature__" not in vars(cls.__init__)


def test_a_misspelt_option_is_refused_at_run_time():
    with pytest.raises(TypeError, match="timout"):
        Client(timout=5)


def test_each_client_refuses_the_other_clients_http_object():
    with pytest.raises(UsageError, match=r"Client\(\) takes session=, not http_client="):
        Client(http_client=object())
    with pytest.raises(UsageError, match=r"AsyncClient\(\) takes http_client=, not session="):
        AsyncClient(session=object())


def _public_methods(cls):
    return {name for name, value in inspect.getmembers(cls)
            if not name.startswith("_") and (callable(value) or isinstance(value, property))}


def test_both_clients_offer_the_same_methods():
    sync, asynchronous = _public_methods(Client), _public_methods(AsyncClient)
    assert sync - {"close"} == asynchronous - {"aclose"}
    assert {"batch", "batch_resume", "call", "call_tool", "paginate", "prepare", "tools"} <= asynchronous


@pytest.mark.skipif(shutil.which("mypy", path=os.path.dirname(sys.executable)) is None
                    and shutil.which("mypy") is None, reason="mypy is not installed (the test extra has it)")
def test_mypy_flags_a_misspelt_option_on_its_line(tmp_path):
    script = tmp_path / "uses_options.py"
    script.write_text(textwrap.dedent("""\
        from openapi_dyn import AsyncClient, Client

        good = Client("openai", timeout=5, max_retries=3, headers={"X-A": "1"})
        agood = AsyncClient("anthropic", http_client=None, attribute_access=False)
        bad = Client(timout=5)
        worse = AsyncClient(max_retries="three")
        """))
    mypy = shutil.which("mypy", path=os.path.dirname(sys.executable)) or shutil.which("mypy")
    package_root = str(Path(openapi_dyn.__file__).resolve().parent.parent)
    done = subprocess.run([mypy, "--follow-imports=silent", "--cache-dir", str(tmp_path / "cache"),
                           "--no-error-summary", "--hide-error-context", str(script)],
                          cwd=tmp_path, env=dict(os.environ, MYPYPATH=package_root),
                          capture_output=True, text=True, timeout=600)
    lines = [line for line in done.stdout.splitlines() if line.startswith(script.name) and ": error:" in line]
    flagged = {int(line.split(":")[1]) for line in lines}
    assert flagged == {5, 6}, done.stdout[-3000:]
    assert any('"timout"' in line and 'did you mean "timeout"' in line for line in lines)
