"""Exploring a spec from Python: help(), __doc__, signatures, dir(), search,
reprs, and the `openapi-dyn repl` prompt with tab completion, driven through
a pseudo-terminal."""
import inspect
import os
import pydoc
import select
import sys
import time

import pytest

from openapi_dyn import Client
from openapi_dyn.reference import _text as text
from openapi_dyn._cli.repl import Completer, namespace_for


@pytest.fixture(scope="module")
def client():
    return Client("openai", api_key="sk-test-secret")


def test_help_shows_the_reference(client):
    page = pydoc.render_doc(client.createRun, renderer=pydoc.plaintext)
    assert "createRun - Create a run." in page
    assert "REQUEST BODY" in page and "assistant_id  (string, required)" in page
    # the same text as the generator, checked examples included
    # the same text as the generator, then what this client sends by itself
    assert client.createRun.__doc__.startswith(text.render_operation(client.operation("createRun"), client=client))
    assert client.createRun.__doc__.endswith("header OpenAI-Beta: assistants=v2")
    assert "EXAMPLES" in page and 'body={"assistant_id": "asst_abc123"}' in page


def test_signature_has_the_real_arguments(client):
    sig = inspect.signature(client.createRun)
    params = sig.parameters
    assert params["thread_id"].default is inspect.Parameter.empty
    assert params["include"].default is None  # the alias of include[]
    # body fields are keywords too: the required one has no default, body= is optional
    assert params["assistant_id"].default is inspect.Parameter.empty
    assert params["temperature"].default is None and params["body"].default is None
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params.values())


def test_dir_search_and_reprs(client):
    names = dir(client)
    assert "createRun" in names and "admin_api_keys_list" in names
    found = client.search("vector store")
    assert any(op.operation_id == "createVectorStore" for op in found)
    op = client.operation("createRun")
    assert repr(op) == "<POST /threads/{thread_id}/runs createRun: Create a run.>"
    assert all("\n" not in repr(o) for o in client.operations.values())
    assert [o.operation_id for o in client.operations.by_tag("models")] == [
        "listModels", "retrieveModel", "deleteModel"]
    shown = repr(client)
    assert "OpenAI API" in shown and "271 operations" in shown or "operations" in shown
    assert "https://api.openai.com/v1" in shown and "sk-test-secret" not in shown


def _complete(ns, line):
    import re

    word = re.split(r"[\s`~!@#$%^&*()\-=+\[{\]}\\|;:'\",<>/?.]", line)[-1]
    return Completer(ns, lambda: line).candidates(line, word)


def test_completer_candidates(client):
    ns = namespace_for(client)
    assert "createRun(" in _complete(ns, "client.createR")
    assert _complete(ns, 'client.call("createRu') == ["createRun"]
    assert _complete(ns, "client.createRun(thr") == ["thread_id="]
    assert _complete(ns, 'client.call("createRun", thread_id="t", bo') == ["body="]
    # body fields complete as keywords too
    assert _complete(ns, "client.createChatCompletion(mod") == ["model=", "modalities="] or \
        set(_complete(ns, "client.createChatCompletion(mod")) == {"model=", "modalities="}
    assert "assistant_id=" in _complete(ns, "client.createRun(assis")
    assert "client" in _complete(ns, "cli")


# ------------------------------------------------------------ pseudo-terminal
class Pty:
    """A child process on a pseudo-terminal, read with deadlines."""

    def __init__(self, argv, env):
        import pty

        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child
            os.execvpe(argv[0], argv, env)
        self.buffer = b""

    def send(self, data: str) -> None:
        os.write(self.fd, data.encode())

    def expect(self, needle: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        want = needle.encode()
        while want not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{needle!r} not seen; screen so far:\n{self.buffer.decode(errors='replace')[-2000:]}")
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.5))
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                self.buffer += chunk
        if want not in self.buffer:
            raise AssertionError(f"{needle!r} not seen before the end of output")
        seen = self.buffer.decode(errors="replace")
        self.buffer = self.buffer[self.buffer.index(want) + len(want):]
        return seen

    def close(self) -> int:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
            try:
                select.select([self.fd], [], [], 0.2)
                os.read(self.fd, 65536)
            except OSError:
                pass
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        os.close(self.fd)
        raise AssertionError("the REPL did not exit")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_repl_tab_completion_through_a_terminal():
    env = {**os.environ, "TERM": "xterm", "OPENAI_API_KEY": "sk-test-secret", "PYTHONSTARTUP": "",
           "INPUTRC": "/dev/null"}
    proc = Pty([sys.executable, "-m", "openapi_dyn", "repl"], env)
    try:
        proc.expect(">>> ", timeout=60)
        proc.send("client.createRu\t")
        proc.expect("createRun(")
        proc.send("thre\t")
        proc.expect("thread_id=")
        proc.send("\x15")  # Ctrl-U: drop the line
        proc.send('client.call("admin-api-keys-l\t')
        proc.expect("admin-api-keys-list")
        proc.send('\x15print(client.operation("createRun"))\r')
        proc.expect("<POST /threads/{thread_id}/runs createRun: Create a run.>")
        proc.send("exit()\r")
        assert proc.close() == 0
    finally:
        try:
            os.kill(proc.pid, 9)
        except OSError:
            pass
