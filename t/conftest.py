"""Fixtures shared by the suite.

``shared_dir`` is the read-only folder of real-world test material that sits
beside the repository (``../shared``); tests that need it skip cleanly where it
is absent, as on a user's machine.  Every test gets its own spec cache folder,
so no test depends on what another left behind.
"""
import os
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent
SHARED = pathlib.Path(os.environ.get("OPENAPI_DYN_SHARED", REPO.parent / "shared"))
DATA = pathlib.Path(__file__).resolve().parent / "data"


@pytest.fixture
def shared_dir():
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} (the shared test material) is not present")
    return SHARED


@pytest.fixture(scope="session")
def session_cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("spec-cache")


@pytest.fixture(autouse=True)
def _isolated_data(monkeypatch, tmp_path):
    # what the batch bridge keeps (state files, prompts) goes to a temporary
    # folder, never the user's data directory
    monkeypatch.setenv("OPENAPI_DYN_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture(autouse=True)
def _isolated_cache(monkeypatch, session_cache_dir):
    # One cache folder for the whole run (the bundled OpenAI spec is parsed once,
    # not once per test), never the user's own.
    monkeypatch.setenv("OPENAPI_DYN_CACHE_DIR", str(session_cache_dir))
    for var in ("OPENAI_API_KEY", "OPENAI_ADMIN_KEY", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(scope="session")
def openai_client():
    """A client on the bundled OpenAI spec (built once: it is read-only)."""
    from openapi_dyn import Client

    return Client()


@pytest.fixture
def faultserver():
    """A :class:`faultserver.FaultServer` on 127.0.0.1, stopped after the test."""
    from faultserver import FaultServer

    server = FaultServer()
    yield server
    server.stop()
