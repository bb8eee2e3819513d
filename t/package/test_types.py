"""Static types: real type checkers read the shipped stubs and generated
modules, accept correct programs and reject wrong ones on the right lines.

Sample scripts mark every line a checker must reject with ``# rejected``;
the set of lines mypy (and pyright, when it runs here) reports must be
exactly those.  mypy runs once for all samples (bundled OpenAI and
Anthropic clients, the README's first example, a generated module of a user
spec), in a temporary directory with its cache there.  Also here: the
shipped stubs are what the generator writes now (regenerate with
``python -m openapi_dyn._stubs.generate``), the ``stubs`` command's module works
at run time for every spec format, and records know their schema.
"""
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from openapi_dyn import Client
from openapi_dyn._cli.main import main as cli
from openapi_dyn._stubs.generate import BUNDLED_DIR, bundled_texts

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

PETS = {
    "openapi": "3.1.0",
    "info": {"title": "Pets", "version": "1"},
    "servers": [{"url": "http://127.0.0.1:9/v1"}],
    "components": {"schemas": {
        "Pet": {"type": "object", "required": ["id", "name", "kind"], "properties": {
            "id": {"type": "string"}, "name": {"type": "string"},
            "kind": {"type": "string", "enum": ["cat", "dog"]},
            "owner": {"anyOf": [{"$ref": "#/components/schemas/Owner"}, {"type": "null"}]},
            "tags": {"type": "array", "items": {"type": "string"}}}},
        "Owner": {"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string"}, "email": {"type": "string"}}},
        "NewPet": {"type": "object", "required": ["name", "kind"], "properties": {
            "name": {"type": "string"}, "kind": {"type": "string", "enum": ["cat", "dog"]},
            "tags": {"type": "array", "items": {"type": "string"}}}}}},
    "paths": {
        "/pets": {
            "get": {"operationId": "listPets", "parameters": [
                {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["cat", "dog"]}}],
                "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
                    "type": "array", "items": {"$ref": "#/components/schemas/Pet"}}}}}}},
            "post": {"operationId": "create-pet", "requestBody": {"required": True, "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/NewPet"}}}},
                "responses": {"201": {"description": "Created", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Pet"}}}}}}},
        "/pets/{pet_id}": {"get": {"operationId": "getPet", "parameters": [
            {"name": "pet_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/Pet"}}}}}}},
    },
}

#: names and shapes that could trip the generator: keywords, builtins' names,
#: non-identifiers, quotes in enums, a recursive named union, a map, a nullable
#: 3.0-style field, a schema named like a constant, a parameter named `list`
ODD = {
    "openapi": "3.0.3",
    "info": {"title": "Odd \"names\"", "version": "1"},
    "paths": {"/things/{class}": {"post": {
        "operationId": "make thing",
        "parameters": [{"name": "class", "in": "path", "required": True, "schema": {"type": "string"}},
                       {"name": "list", "in": "query", "schema": {"type": "boolean"}},
                       {"name": "X-Trace-Id", "in": "header", "schema": {"type": "string"}}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/None"}}}},
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/Tree"}}}}}}}},
    "components": {"schemas": {
        "None": {"type": "object", "required": ["str"], "properties": {
            "str": {"type": "string", "enum": ["it's", 'say "hi"', "back\\slash"]},
            "bytes": {"type": "integer"}, "from": {"type": "string"}, "odd-key": {"type": "number"},
            "items": {"type": "array", "items": {"type": "string"}},
            "note": {"type": "string", "nullable": True},
            "labels": {"type": "object", "additionalProperties": {"type": "integer"}}}},
        "Tree": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}},
                           {"$ref": "#/components/schemas/Node"}]},
        "Node": {"type": "object", "properties": {"children": {"type": "array", "items": {
            "$ref": "#/components/schemas/Tree"}}, "list": {"type": "string"}, "keys": {"type": "string"}}}}},
}

OPENAI_GOOD = """
from typing import Any

from typing_extensions import Self

from openapi_dyn import AsyncClient, Client

client = Client()
reply = client.createChatCompletion(model="gpt-4o", messages=[{"role": "user", "content": "Say hello"}])
text: str | None = reply.choices[0].message.content
calls = reply.choices[0].message.tool_calls
again = client.call("createChatCompletion", body={"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]})
for chunk in client.createChatCompletion(model="gpt-4o", messages=[{"role": "user", "content": "hi"}], stream=True):
    delta: str | None = chunk.choices[0].delta.content
page = client.admin_api_keys_list(limit=20)
same_page = client.call("admin_api_keys_list", limit=20)
run = client.createRun(thread_id="thread_abc", assistant_id="asst_abc")
status: str = run.status
dynamic = Client("./any-spec.yaml")
dynamic.anyOperation(anything=1)


class MyClient(Client):
    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        return object.__new__(cls)

    def hello(self) -> str:
        return "hi"


greeting: str = MyClient("openai").hello()


async def main() -> None:
    aclient = AsyncClient()
    answer = await aclient.createChatCompletion(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    first: str | None = answer.choices[0].message.content
    stream = await aclient.createChatCompletion(model="gpt-4o", messages=[{"role": "user", "content": "hi"}], stream=True)
    async for part in stream:
        piece: str | None = part.choices[0].delta.content
"""

OPENAI_BAD = """
from openapi_dyn import AsyncClient, Client

client = Client()
client.createChatCompletionz(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])  # rejected
client.createChatCompletion(model="gpt-4o", messages=[{"role": "user", "content": "hi"}], temperature="hot")  # rejected
client.createChatCompletion(model="gpt-4o")  # rejected
reply = client.createChatCompletion(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
reply.choices[0].mesage  # rejected
client.createChatCompletion(model="gpt-4o", messages=[{"role": "robot", "content": "hi"}])  # rejected
client.call("createChatCompletionz", model="gpt-4o")  # rejected
client.createRun(assistant_id="asst_abc")  # rejected
n: int = reply.choices[0].message.content  # rejected


async def main() -> None:
    aclient = AsyncClient()
    answer = await aclient.createChatCompletion(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    answer.choices[0].mesage  # rejected
"""

ANTHROPIC_GOOD = """
from openapi_dyn import Client

client = Client("anthropic")
message = client.messages_post(model="claude-sonnet-4-5", max_tokens=100, messages=[{"role": "user", "content": "Hi"}])
reason = message.stop_reason
identifier: str = message.id
batches = client.message_batches_list(limit=10)
"""

ANTHROPIC_BAD = """
from openapi_dyn import Client

client = Client("anthropic")
client.messages_postt(model="claude-sonnet-4-5", max_tokens=100, messages=[])  # rejected
client.messages_post(model="claude-sonnet-4-5", max_tokens="ten", messages=[{"role": "user", "content": "Hi"}])  # rejected
client.messages_post(model="claude-sonnet-4-5", messages=[{"role": "user", "content": "Hi"}])  # rejected
message = client.messages_post(model="claude-sonnet-4-5", max_tokens=100, messages=[{"role": "user", "content": "Hi"}])
message.stop_reasn  # rejected
"""

PETS_GOOD = """
import pets

client = pets.Client(base_url="http://127.0.0.1:9/v1", max_retries=0)
for pet in client.listPets(limit=10, kind="cat"):
    name: str = pet.name
    owner_name: str | None = pet.owner.name if pet.owner else None
created = client.create_pet(name="Rex", kind="dog")
same = client.create_pet(body={"name": "Rex", "kind": "dog", "tags": ["good"]})
one = client.call("getPet", pet_id="p1")
tags: list[str] | None = one.tags


async def main() -> None:
    aclient = pets.AsyncClient()
    pet = await aclient.getPet(pet_id="p1")
    kind: str = pet.kind
"""

PETS_BAD = """
import pets

client = pets.Client()
client.getPets(pet_id="p1")  # rejected
client.listPets(limit="ten")  # rejected
client.create_pet(name="Rex")  # rejected
client.create_pet(name="Rex", kind="bird")  # rejected
pet = client.getPet(pet_id="p1")
pet.nmae  # rejected
client.call("getPet")  # rejected
pets.Client(no_such_option=1)  # rejected
"""


ODD_GOOD = """
import odd

client = odd.Client()
tree = client.make_thing(class_="c", list=True, x_trace_id="t", str="it's", bytes=1, items=["a"], note=None)
tree2 = client.call("make thing", class_="c", body={"str": 'say "hi"', "from": "x", "odd-key": 1.5, "labels": {"a": 1}})
if isinstance(tree, list):
    first = tree[0]
elif not isinstance(tree, str):
    children = tree.children
"""


#: client.ops, request(), prepare(), paginate(), a stream= known only at run
#: time, and a vendor overlay whose module imports its base's types
MORE_GOOD = """
from openapi_dyn import AsyncClient, Client, Stream

client = Client()
wants_stream: bool = len(client.spec.title) > 3
either = client.createChatCompletion(model="gpt-4o", messages=[{"role": "user", "content": "hi"}], stream=wants_stream)
if isinstance(either, Stream):
    for chunk in either:
        delta: str | None = chunk.choices[0].delta.content
else:
    said: str | None = either.choices[0].message.content
answer = client.ops.createChatCompletion(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
content: str | None = answer.choices[0].message.content
response = client.request("createChatCompletion", model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
status: int = response.status_code
from_data: str | None = response.data.choices[0].message.content
prepared = client.prepare("createChatCompletion", model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
url: str = prepared.url
for assistant in client.paginate("listAssistants", limit=100):
    assistant_id: str = assistant.id
groq = Client("groq")
parsed = groq.createChatCompletion(model="m", messages=[{"role": "user", "content": "hi"}], reasoning_format="parsed")
first: str | None = parsed.choices[0].message.content
by_call = groq.call("createChatCompletion", model="m", messages=[{"role": "user", "content": "hi"}], include_reasoning=True)
run_status: str = groq.createRun(thread_id="t", assistant_id="a").status
configured = Client("anthropic", api_key="k", max_retries=2, timeout=30)
usage = configured.messages_post(model="m", max_tokens=8, messages=[{"role": "user", "content": "hi"}]).usage


async def main() -> None:
    aclient = AsyncClient()
    got = await aclient.request("createChatCompletion", model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    text: str | None = got.data.choices[0].message.content
    async for item in aclient.paginate("listAssistants"):
        name: str | None = item.name
"""

MORE_BAD = """
from openapi_dyn import Client

client = Client()
wants_stream: bool = len(client.spec.title) > 3
either = client.createChatCompletion(model="gpt-4o", messages=[{"role": "user", "content": "hi"}], stream=wants_stream)
either.choices  # rejected
client.ops.createChatCompletionz(model="gpt-4o")  # rejected
response = client.request("createChatCompletion", model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
response.data.choices[0].mesage  # rejected
client.prepare("createChatCompletion", model="gpt-4o", messages=[{"role": "user", "content": "hi"}], temperature="hot")  # rejected
client.prepare("createChatCompletionz")  # rejected
for assistant in client.paginate("listAssistants"):
    assistant.nmae  # rejected
client.paginate("createChatCompletion", model="gpt-4o", messages=[])  # rejected
client.createChatCompletion(model="m", messages=[{"role": "user", "content": "hi"}], reasoning_format="parsed")  # rejected
groq = Client("groq")
groq.createChatCompletion(model="m", messages=[{"role": "user", "content": "hi"}], reasoning_format="loud")  # rejected
groq.createRun(thread_id="t", assistant_id="a").statuss  # rejected
Client("anthropic", timeoutt=3)  # rejected
"""


def _readme_first_example() -> str:
    return re.search(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S).group(1)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A folder with the samples, a generated ``pets`` module, and the spec."""
    d = tmp_path_factory.mktemp("types")
    (d / "pets.yaml").write_text(yaml.safe_dump(PETS), encoding="utf-8")
    samples = {"openai_good.py": OPENAI_GOOD, "openai_bad.py": OPENAI_BAD, "anthropic_good.py": ANTHROPIC_GOOD,
               "anthropic_bad.py": ANTHROPIC_BAD, "pets_good.py": PETS_GOOD, "pets_bad.py": PETS_BAD,
               "odd_good.py": ODD_GOOD, "more_good.py": MORE_GOOD, "more_bad.py": MORE_BAD,
               "readme_first.py": _readme_first_example()}
    for name, text in samples.items():
        (d / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    assert cli(["--spec", str(d / "pets.yaml"), "stubs", "--name", "pets", "-o", str(d), "--async"]) == 0
    (d / "odd.json").write_text(json.dumps(ODD), encoding="utf-8")
    assert cli(["--spec", str(d / "odd.json"), "stubs", "--name", "odd", "-o", str(d), "--async"]) == 0
    return d


def rejected_lines(directory: Path):
    """{(file, line)} of every line marked ``# rejected`` in the samples."""
    out = set()
    for path in directory.glob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.rstrip().endswith("# rejected"):
                out.add((path.name, number))
    return out


SAMPLES = ["openai_good.py", "openai_bad.py", "anthropic_good.py", "anthropic_bad.py",
           "pets_good.py", "pets_bad.py", "odd_good.py", "more_good.py", "more_bad.py", "readme_first.py"]


@pytest.fixture(scope="module")
def mypy_report(workdir):
    """mypy as a user runs it, without configuration: the package is found on
    the path as an installed one is (its own modules' errors are not the
    user's), once for every sample; the generated pets.pyi is user code, and
    no ``type: ignore`` in it may be one a strict user is told is unused."""
    pytest.importorskip("mypy")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary", "--warn-unused-ignores",
                           "--cache-dir", str(workdir / ".mypy_cache"), "--show-column-numbers",
                           *SAMPLES, "pets.pyi", "odd.pyi"],
                          cwd=workdir, env=env, capture_output=True, text=True, timeout=600)
    assert "Traceback" not in done.stderr, done.stderr
    errors = {}
    for line in done.stdout.splitlines():
        found = re.match(r"([^:]+):(\d+):(?:\d+:)? error: (.*)", line)
        if found:
            errors.setdefault((Path(found.group(1)).name, int(found.group(2))), []).append(found.group(3))
    return errors, done.stdout


def test_mypy_rejects_exactly_the_wrong_lines(workdir, mypy_report):
    errors, text = mypy_report
    expected = rejected_lines(workdir)
    assert len(expected) == 31
    assert set(errors) == expected, text


def test_mypy_names_what_is_wrong(mypy_report):
    errors, _text = mypy_report
    said = {key: " ".join(v) for key, v in errors.items()}
    assert 'has no attribute "createChatCompletionz"' in said[("openai_bad.py", 4)]
    assert 'maybe "createChatCompletion"' in said[("openai_bad.py", 4)]
    assert 'has no attribute "mesage"' in said[("openai_bad.py", 8)] and 'maybe "message"' in said[("openai_bad.py", 8)]
    assert 'has no attribute "stop_reasn"' in said[("anthropic_bad.py", 8)]
    assert 'has no attribute "nmae"' in said[("pets_bad.py", 9)]
    assert 'Unexpected keyword argument "no_such_option"' in said[("pets_bad.py", 11)]


def test_pyright_agrees(workdir):
    """pyright (where its PyPI package runs here) rejects the same lines."""
    exe = shutil.which("pyright", path=os.path.dirname(sys.executable)) or shutil.which("pyright")
    if exe is None:
        pytest.skip("pyright is not installed")
    env = dict(os.environ, PYRIGHT_PYTHON_CACHE_DIR=str(workdir / ".pyright"))
    probe = subprocess.run([exe, "--version"], env=env, capture_output=True, text=True, timeout=300)
    if probe.returncode != 0:
        pytest.skip(f"pyright does not run here: {probe.stderr.strip()[:200]}")
    (workdir / "pyrightconfig.json").write_text(json.dumps({"extraPaths": [str(ROOT)]}), encoding="utf-8")
    done = subprocess.run([exe, "--outputjson", *SAMPLES], cwd=workdir, env=env, capture_output=True, text=True,
                          timeout=600)
    report = json.loads(done.stdout)
    found = {(Path(d["file"]).name, d["range"]["start"]["line"] + 1) for d in report["generalDiagnostics"]
             if d["severity"] == "error"}
    assert found == rejected_lines(workdir), done.stdout[:4000]


# ------------------------------------------------------------ the stubs
def test_shipped_stubs_are_what_the_generator_writes():
    """Fails when a spec, the bundled registry, the client's options or the
    generator changed without ``python -m openapi_dyn._stubs.generate``."""
    texts = bundled_texts()
    shipped = {p.name: p.read_text(encoding="utf-8") for p in BUNDLED_DIR.glob("*.pyi")}
    assert sorted(shipped) == sorted(texts)
    stale = [name for name in texts if texts[name] != shipped[name]]
    assert not stale, f"stale stubs {stale}: run python -m openapi_dyn._stubs.generate"


def test_sharing_is_decided_by_text_closed_over_what_it_names():
    from openapi_dyn._stubs.sharing import shared_definitions

    base = ["class A(_Model):\n    b: B\n", "class B(_Model):\n    x: int\n", "class C(_Model):\n    y: str\n",
            "E: TypeAlias = Literal['a']\n"]
    own = ["class A(_Model):\n    b: B\n",      # reads the same, but names a B that differs
           "class B(_Model):\n    x: str\n",     # differs
           "class C(_Model):\n    y: str\n",     # the same, names nothing of the module
           "class D(_Model):\n    c: C\n",       # not in the base
           "E: TypeAlias = Literal['a', 'b']\n"]  # the same name, another text
    assert shared_definitions(own, base) == {"C"}
    assert shared_definitions(base, base) == {"A", "B", "C", "E"}


def test_an_overlay_module_writes_only_what_differs_from_its_base():
    """Each spec whose registry entry names a ``base`` imports its base's
    identical definitions: no class of it reads as one of the base's."""
    from openapi_dyn._spec import bundled
    from openapi_dyn._stubs.generate import module_name

    overlays = [n for n in bundled.names() if bundled.get(n).base in bundled.names()]
    assert overlays
    for name in overlays:
        base = module_name(bundled.get(name).base)
        text = (BUNDLED_DIR / f"{module_name(name)}.pyi").read_text(encoding="utf-8")
        base_text = (BUNDLED_DIR / f"{base}.pyi").read_text(encoding="utf-8")
        assert f"from .{base} import (" in text
        blocks = {b for b in text.split("\n\n") if b.startswith("class ") and "(_Model)" in b}
        base_blocks = {b for b in base_text.split("\n\n") if b.startswith("class ") and "(_Model)" in b}
        assert not blocks & base_blocks, name
        assert len(text) < len(base_text) * 0.7, name


def test_every_bundled_name_has_a_typed_client():
    from openapi_dyn._spec import bundled

    init = (BUNDLED_DIR / "__init__.pyi").read_text(encoding="utf-8")
    for name in bundled.names():
        assert f"spec: Literal[{name!r}]" in init
    # Client() is the default spec's
    default = bundled.names()[0]
    assert re.search(rf"spec: Literal\[{default!r}\] = \.\.\.", init)


def test_stub_options_follow_the_constructor():
    import inspect

    from openapi_dyn._async_client import AsyncClient
    from openapi_dyn._client import Client as RealClient

    common = (BUNDLED_DIR / "_common.pyi").read_text(encoding="utf-8")
    for cls, pool in ((RealClient, "session"), (AsyncClient, "http_client")):
        names = [n for n in inspect.signature(cls.__init__).parameters if n not in ("self", "spec")]
        assert pool in names and "api_key" in names
        options = common.split(f"class {cls.__name__}Options(TypedDict, total=False):\n")[1].split("\n\n")[0]
        assert [line.split(":")[0].strip() for line in options.splitlines()] == names


def test_stubs_are_never_imported_at_run_time():
    code = ("import sys, openapi_dyn; c = openapi_dyn.Client; "
            "print(sorted(m for m in sys.modules if m.startswith('openapi_dyn._typed') or m.startswith('openapi_dyn._stub')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert not list(BUNDLED_DIR.glob("*.py"))  # nothing there could run


# ------------------------------------------------- generated modules at run time
def _formats(d: Path, url: str):
    """The pets spec as every kind of source the client loads."""
    (d / "pets.yaml").write_text(yaml.safe_dump(PETS), encoding="utf-8")
    v30 = json.loads(json.dumps(PETS))
    v30["openapi"] = "3.0.3"
    v30["components"]["schemas"]["Pet"]["properties"]["owner"] = {
        "allOf": [{"$ref": "#/components/schemas/Owner"}], "nullable": True}
    (d / "pets30.json").write_text(json.dumps(v30), encoding="utf-8")
    split = json.loads(json.dumps(PETS))
    schemas = split["components"]["schemas"]
    apart = {"Pet": schemas["Pet"], "Owner": schemas["Owner"]}
    text = yaml.safe_dump(apart).replace("#/components/schemas/Owner", "#/Owner")
    (d / "schemas.yaml").write_text(text, encoding="utf-8")
    schemas["Pet"] = {"$ref": "schemas.yaml#/Pet"}
    schemas["Owner"] = {"$ref": "schemas.yaml#/Owner"}
    (d / "pets_split.yaml").write_text(yaml.safe_dump(split), encoding="utf-8")
    return {"yaml31": str(d / "pets.yaml"), "json30": str(d / "pets30.json"),
            "multifile": str(d / "pets_split.yaml"), "url": url}


@pytest.fixture
def pets_server(httpserver):
    httpserver.expect_request("/spec/pets.yaml").respond_with_data(yaml.safe_dump(PETS),
                                                                    content_type="application/yaml")
    httpserver.expect_request("/v1/pets/p1").respond_with_json({"id": "p1", "name": "Tom", "kind": "cat"})
    httpserver.expect_request("/v1/pets", method="GET").respond_with_json(
        [{"id": "p1", "name": "Tom", "kind": "cat", "owner": {"name": "Ann"}}])
    return httpserver


@pytest.mark.parametrize("form", ["yaml31", "json30", "multifile", "url"])
def test_generated_module_is_a_real_client(form, tmp_path, pets_server, monkeypatch):
    sources = _formats(tmp_path, pets_server.url_for("/spec/pets.yaml"))
    out = tmp_path / "out"
    name = f"pets_{form}"
    assert cli(["--spec", sources[form], "stubs", "--name", name, "-o", str(out), "--async"]) == 0
    pyi = (out / f"{name}.pyi").read_text(encoding="utf-8")
    assert "def getPet(self, **kwargs: Unpack[GetPetArgs]) -> Pet: ..." in pyi
    assert "async def getPet(self" in pyi
    assert re.search(r"owner: \w*Owner \| None", pyi)  # a bundled file's schema gets a prefixed name
    monkeypatch.syspath_prepend(str(out))
    module = importlib.import_module(name)
    try:
        client = module.Client(base_url=pets_server.url_for("/v1"), max_retries=0)
        assert isinstance(client, Client)
        pet = client.getPet(pet_id="p1")
        assert pet.name == "Tom" and pet.owner is None and pet.tags is None
        with pytest.raises(AttributeError, match="did you mean 'name'"):
            pet.nmae
        listed = client.listPets(kind="cat")
        assert listed[0].owner.name == "Ann" and listed[0].owner.email is None
    finally:
        sys.modules.pop(name, None)


def test_stubs_command_refuses_a_bad_name(tmp_path, capsys):
    (tmp_path / "pets.yaml").write_text(yaml.safe_dump(PETS), encoding="utf-8")
    code = cli(["--spec", str(tmp_path / "pets.yaml"), "stubs", "--name", "my-pets", "-o", str(tmp_path / "o")])
    assert code == 2
    assert "must be a Python identifier" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


# ------------------------------------------------------- records know their schema
def test_records_know_their_schema(pets_server):
    client = Client(PETS, base_url=pets_server.url_for("/v1"), max_retries=0)
    pet = client.getPet(pet_id="p1")
    assert pet.owner is None and pet.tags is None           # declared, left out: None
    assert "owner" not in pet and pet == {"id": "p1", "name": "Tom", "kind": "cat"}
    with pytest.raises(AttributeError, match="'nmae' is not a property .* did you mean 'name'"):
        pet.nmae
    with pytest.raises(KeyError):
        pet["owner"]                                        # [] still reads the data as it came
    owner = client.listPets()[0].owner
    assert owner.email is None                              # nested objects too
    assert "email" in dir(owner)
    plain = Client(PETS, base_url=pets_server.url_for("/v1"), max_retries=0, attribute_access=False)
    data = plain.getPet(pet_id="p1")
    assert type(data) is dict and data == {"id": "p1", "name": "Tom", "kind": "cat"}


def test_stream_events_know_their_schema(httpserver):
    chunks = [{"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
               "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hi"}, "finish_reason": None}]},
              {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
               "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}]
    body = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
    httpserver.expect_request("/v1/chat/completions").respond_with_data(body, content_type="text/event-stream")
    client = Client(base_url=httpserver.url_for("/v1"), api_key="sk-test", max_retries=0)
    stream = client.createChatCompletion(model="gpt-4o", messages=[{"role": "user", "content": "hi"}], stream=True)
    got = list(stream)
    assert [c.choices[0].delta.content for c in got] == ["Hi", None]   # the last delta is {}
    assert got[1].choices[0].delta.tool_calls is None and got[1].usage is None
    with pytest.raises(AttributeError, match="did you mean 'content'"):
        got[0].choices[0].delta.contnt
    assert got[1] == chunks[1]


# ------------------------------------------------------- schemas as annotations
@pytest.mark.parametrize("schema, model, param", [
    ({"type": "string"}, "str", "str"),
    ({"type": "string", "enum": ["a", "b"]}, "Literal['a', 'b']", "Literal['a', 'b']"),
    ({"type": "string", "enum": ["a", None]}, "Literal['a'] | None", "Literal['a'] | None"),
    ({"type": "integer", "nullable": True}, "int | None", "int | None"),
    ({"type": ["number", "null"]}, "float | None", "float | None"),
    ({"const": "x"}, "Literal['x']", "Literal['x']"),
    ({"type": "array", "items": {"type": "boolean"}}, "list[bool]", "list[bool]"),
    ({"type": "object", "additionalProperties": {"type": "integer"}}, "dict[str, int]", "dict[str, int]"),
    ({"type": "object"}, "dict[str, Any]", "dict[str, Any]"),
    ({"type": "string", "format": "binary"}, "bytes", "Any"),
    ({"oneOf": [{"type": "string"}, {"type": "integer"}]}, "str | int", "str | int"),
    ({"anyOf": [{"const": "a"}, {"const": "b"}, {"type": "null"}]}, "Literal['a', 'b'] | None",
     "Literal['a', 'b'] | None"),
    ({"allOf": [{"$ref": "#/components/schemas/Thing"}]}, "Thing", "ThingParam"),
    ({"$ref": "#/components/schemas/Kind"}, "Kind", "KindParam"),
    ({}, "Any", "Any"),
])
def test_schemas_as_annotations(schema, model, param):
    from openapi_dyn._spec import Spec
    from openapi_dyn._stubs.annotations import MODEL, PARAM, TypeWriter

    spec = Spec({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
                 "components": {"schemas": {"Thing": {"type": "object", "properties": {"a": {"type": "string"}}},
                                            "Kind": {"type": "string", "enum": ["x", "y"]}}}}, cache=False)
    writer = TypeWriter(spec)
    assert writer.annotation(schema, MODEL, "Here") == model
    assert writer.annotation(schema, PARAM, "Here") == param


def test_objects_become_classes_and_typeddicts():
    from openapi_dyn._spec import Spec
    from openapi_dyn._stubs.annotations import MODEL, PARAM, TypeWriter

    spec = Spec({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {
        "schemas": {"Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
                    "Item": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object", "properties": {
                        "n": {"type": "integer"}, "items": {"type": "string"}, "sub": {
                            "type": "object", "properties": {"x": {"type": "number"}}}}}]}}}}, cache=False)
    writer = TypeWriter(spec)
    assert writer.annotation({"$ref": "#/components/schemas/Item"}, MODEL, "X") == "Item"
    assert writer.annotation({"$ref": "#/components/schemas/Item"}, PARAM, "X") == "ItemParam"
    text = "\n".join(writer.blocks)
    assert "class Item(_Model):\n    id: str\n    n: int | None\n    sub: ItemSub | None\n" in text  # items: by []
    assert "class ItemSub(_Model):\n    x: float | None\n" in text
    assert "class ItemParam(TypedDict, total=False):\n    id: Required[str]\n    n: int\n" in text
    assert "    items: str\n" in text  # a TypedDict key may be named like a dict method
