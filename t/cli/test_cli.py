"""The `openapi-dyn` command, run as a subprocess: output on stdout, messages
on stderr, the documented exit codes, and no secret ever printed."""
import json
import os
import shutil
import subprocess
import sys

import pytest

SECRET = "sk-test-secret"
ENV = {**os.environ, "OPENAI_API_KEY": SECRET, "COHERE_API_KEY": SECRET, "ANTHROPIC_API_KEY": SECRET}

SMALL_SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "Pets", "version": "1.0"},
    "servers": [{"url": "http://127.0.0.1:9/api"}],
    "paths": {
        "/pets": {
            "get": {"operationId": "listPets", "summary": "List pets",
                    "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                    "responses": {"200": {"description": "pets", "content": {"application/json": {
                        "schema": {"type": "array", "items": {"type": "object"}}}}}}},
            "post": {"operationId": "create-pet", "summary": "Create a pet",
                     "requestBody": {"required": True, "content": {"application/json": {"schema": {
                         "type": "object", "required": ["name"], "additionalProperties": False,
                         "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}}}}},
                     "responses": {"201": {"description": "created", "content": {"application/json": {
                         "schema": {"type": "object"}}}}}},
        },
        "/pets/{pet_id}": {
            "get": {"operationId": "getPet", "summary": "One pet",
                    "parameters": [{"name": "pet_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "a pet", "content": {"application/json": {
                        "schema": {"type": "object"}}}}, "404": {"description": "no such pet"}}},
        },
    },
}


def run(*args, stdin=None, timeout=180):
    done = subprocess.run([sys.executable, "-m", "openapi_dyn", *args], input=stdin, capture_output=True,
                          text=True, env=ENV, timeout=timeout)
    assert SECRET not in done.stdout and SECRET not in done.stderr
    return done


@pytest.fixture
def pets(tmp_path):
    path = tmp_path / "pets.json"
    path.write_text(json.dumps(SMALL_SPEC))
    return str(path)


def test_console_script_and_help():
    exe = shutil.which("openapi-dyn", path=os.path.dirname(sys.executable))
    if exe is None:
        pytest.skip("the openapi-dyn console script is not installed in this environment")
    done = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "list" in done.stdout and "exit codes" in done.stdout


def test_list_aligned_one_per_line():
    done = run("list")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 271
    create_run = [line for line in lines if line.startswith("createRun ")][0]
    assert create_run.split()[:3] == ["createRun", "POST", "/threads/{thread_id}/runs"]
    column = {line.index(" GET ") if " GET " in line else line.index(" POST ") for line in lines
              if " GET " in line or " POST " in line}
    assert len(column) == 1  # methods start in the same column


def test_list_by_tag_and_words():
    done = run("list", "--tag", "Models")
    assert [line.split()[0] for line in done.stdout.splitlines()] == ["listModels", "retrieveModel", "deleteModel"]
    done = run("list", "vector", "store")
    assert "createVectorStore" in done.stdout


def test_show_formats():
    done = run("show", "createRun")
    assert done.returncode == 0 and done.stdout.startswith("createRun - Create a run.")
    assert "EXAMPLES" in done.stdout and 'thread_id="thread_abc123",' in done.stdout
    done = run("show", "admin_api_keys_list", "--format", "pod")
    assert done.stdout.startswith("=encoding utf8") and "=head1 admin-api-keys-list" in done.stdout
    done = run("show", "createRun", "-f", "markdown")
    assert done.stdout.startswith('<a id="op-createRun"></a>')
    done = run("show", "nope")
    assert done.returncode == 2 and "unknown operation" in done.stderr and not done.stdout


def test_dry_run_shows_request_with_key_masked():
    done = run("call", "createRun", "thread_id=thread_1", "include[]=[\"step_details.tool_calls[*].file_search.results[*].content\"]",
               "--body", '{"assistant_id": "asst_1", "temperature": 0.5}', "--dry-run")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("POST https://api.openai.com/v1/threads/thread_1/runs?include")
    assert '"assistant_id": "asst_1"' in out and "Content-Type: application/json" in out
    if "Authorization" in out:
        assert "Authorization: Bearer ****" in out


def test_body_fields_on_the_command_line_are_json_when_they_parse():
    done = run("call", "createChatCompletion", "model=gpt-4o", "temperature=0.2", "stream=false",
               'messages=[{"role": "user", "content": "Hi"}]', "user=123", "--dry-run")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout[done.stdout.index("\n\n") + 2:])
    assert body == {"model": "gpt-4o", "temperature": 0.2, "stream": False,
                    "messages": [{"role": "user", "content": "Hi"}],
                    "user": "123"}   # declared a string: kept as text although it parses as JSON
    assert "--dry-run" not in body


def test_dry_run_body_from_file_and_stdin(tmp_path):
    body = tmp_path / "body.json"
    body.write_text('{"assistant_id": "asst_file"}')
    done = run("call", "createRun", "thread_id=t", "--body", f"@{body}", "--dry-run")
    assert done.returncode == 0 and "asst_file" in done.stdout
    done = run("call", "createRun", "thread_id=t", "--body", "-", "--dry-run", stdin='{"assistant_id": "asst_in"}')
    assert done.returncode == 0 and "asst_in" in done.stdout
    done = run("call", "createRun", "thread_id=t", "--body", f"@{tmp_path / 'missing.json'}", "--dry-run")
    assert done.returncode == 2 and "cannot read the body file" in done.stderr
    done = run("call", "createRun", "thread_id=t", "--body", "{not json", "--dry-run")
    assert done.returncode == 2 and "not JSON" in done.stderr


def test_validation_errors_listed_with_locations():
    done = run("call", "createRun", "limit=3", "--body", '{"assistant": 1, "temperature": "hot"}', "--dry-run")
    assert done.returncode == 3
    assert not done.stdout
    err = done.stderr
    for location in ("path.thread_id", "body.assistant_id", "body.assistant", "body.temperature", "argument.limit"):
        assert location in err, err


def test_spec_errors_exit_4(tmp_path):
    done = run("--spec", str(tmp_path / "missing.yaml"), "list")
    assert done.returncode == 4 and "cannot load the spec" in done.stderr


def test_call_against_a_local_server(httpserver, pets):
    httpserver.expect_request("/api/pets", query_string="limit=2").respond_with_json([{"name": "Rex"}])
    httpserver.expect_request("/api/pets", method="POST", json={"name": "Tom", "age": 3}).respond_with_json(
        {"id": "p1"}, status=201)
    httpserver.expect_request("/api/pets/none").respond_with_json({"error": "no such pet"}, status=404)
    base = httpserver.url_for("/api")
    done = run("--spec", pets, "--base-url", base, "call", "listPets", "limit=2")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [{"name": "Rex"}]
    done = run("call", "create-pet", "--spec", pets, "--base-url", base, "--body", '{"name": "Tom", "age": 3}')
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"id": "p1"}
    done = run("--spec", pets, "--base-url", base, "call", "getPet", "pet_id=none")
    assert done.returncode == 1 and "404" in done.stderr and "no such pet" in done.stderr
    assert not done.stdout


def test_network_error_exit_5(pets):
    done = run("--spec", pets, "--base-url", "http://127.0.0.1:9/api", "call", "listPets", timeout=120)
    assert done.returncode == 5, done.stderr


@pytest.mark.parametrize("fmt,suffix", [("pod", "pod"), ("markdown", "md"), ("html", "html"), ("text", "txt")])
def test_docs_writes_the_reference(tmp_path, fmt, suffix):
    done = run("docs", "--format", fmt, "-o", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    path = tmp_path / "out" / f"openai.{suffix}"
    assert done.stdout.strip() == str(path)
    assert path.stat().st_size > 100_000
    assert "271 operations" in done.stderr


@pytest.mark.perl
def test_docs_man_and_split(tmp_path, pets):
    if shutil.which("pod2man"):
        done = run("--spec", pets, "docs", "-f", "man", "-o", str(tmp_path / "man"))
        assert done.returncode == 0, done.stderr
        roff = (tmp_path / "man" / "openapi-dyn-pets.3").read_text()
        assert '.TH openapi-dyn-pets 3 ' in roff
    done = run("--spec", "cohere", "docs", "-f", "pod", "--split", "-o", str(tmp_path / "split"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "split" / "cohere.pod").exists()
    assert len(list((tmp_path / "split" / "cohere").glob("*.pod"))) > 3
    done = run("--spec", pets, "docs", "-f", "html", "--split", "-o", str(tmp_path / "x"))
    assert done.returncode == 2


def test_docs_of_small_spec_names_file_after_title(tmp_path, pets):
    done = run("--spec", pets, "docs", "-f", "markdown", "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "pets.md").read_text()
    assert "`create-pet`" in text and "client.create_pet(body=" in text


def test_dry_runs_show_what_the_vendor_profile_adds(tmp_path):
    done = run("--spec", "anthropic", "call", "messages_post", "--dry-run",
               "--body", '{"model": "claude-sonnet-4-5", "max_tokens": 8, "messages": [{"role": "user", "content": "hi"}]}')
    assert done.returncode == 0, done.stderr
    assert "anthropic-version: 2023-06-01" in done.stdout
    done = run("--spec", "azure-openai", "--api-version", "2024-10-21", "call", "ChatCompletions_Create",
               "deployment-id=gpt", "--dry-run", "--body", '{"messages": [{"role": "user", "content": "hi"}]}')
    assert done.returncode == 0, done.stderr
    assert "api-version=2024-10-21" in done.stdout.splitlines()[0]
    done = run("--spec", "anthropic", "--profile", "none", "call", "messages_post", "--dry-run",
               "--body", '{"model": "claude-sonnet-4-5", "max_tokens": 8, "messages": [{"role": "user", "content": "hi"}]}')
    assert done.returncode == 0 and "anthropic-version" not in done.stdout
    bad = tmp_path / "p.yaml"
    bad.write_text("retry: {methods: 3}\n")
    done = run("--profile", str(bad), "list")
    assert done.returncode == 4 and "cannot load the profile" in done.stderr and "retry.methods" in done.stderr


# ------------------------------------------------- keys, layout, downloads
SECURED_SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "Vault", "version": "1.0"},
    "servers": [{"url": "http://127.0.0.1:9/api"}],
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    "security": [{"bearer": []}],
    "paths": {
        "/items": {"get": {"operationId": "listItems", "responses": {"200": {"description": "items", "content": {
            "application/json": {"schema": {"type": "object"}}}}, "404": {"description": "none"}}}},
        "/audio": {"get": {"operationId": "getAudio", "responses": {"200": {"description": "audio", "content": {
            "audio/mpeg": {"schema": {"type": "string", "format": "binary"}}}}}}},
    },
}


@pytest.fixture
def vault(tmp_path):
    path = tmp_path / "vault.json"
    path.write_text(json.dumps(SECURED_SPEC))
    return str(path)


def test_missing_key_message_gives_shell_advice():
    env = {k: v for k, v in ENV.items() if k != "ANTHROPIC_API_KEY"}
    done = subprocess.run([sys.executable, "-m", "openapi_dyn", "--spec", "anthropic", "call", "models_list"],
                          capture_output=True, text=True, env=env, timeout=180)
    assert done.returncode == 2 and not done.stdout
    assert "--api-key KEY or the ANTHROPIC_API_KEY environment variable" in done.stderr, done.stderr
    assert "api_key=" not in done.stderr and "credentials=" not in done.stderr
    done = subprocess.run([sys.executable, "-m", "openapi_dyn", "--spec", "anthropic", "call", "models_list",
                           "--dry-run"], capture_output=True, text=True, env=env, timeout=180)
    assert done.returncode == 0 and "note: " in done.stderr and "--api-key KEY" in done.stderr


def test_api_key_option_is_sent_and_never_shown(httpserver, vault):
    httpserver.expect_request("/api/items", headers={"Authorization": f"Bearer {SECRET}"}).respond_with_json(
        {"items": [1, 2]})
    base = httpserver.url_for("/api")
    done = run("--spec", vault, "--base-url", base, "call", "listItems", "--api-key", SECRET)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"items": [1, 2]}
    done = run("--spec", vault, "--api-key", SECRET, "call", "listItems", "--dry-run")
    assert done.returncode == 0 and "Authorization: Bearer ****" in done.stdout
    done = run("--spec", vault, "--base-url", base, "call", "listItems")  # no key at all for this spec
    assert done.returncode == 2 and "bearer (--api-key KEY)" in done.stderr, done.stderr


def test_pretty_and_compact_for_answers_and_error_bodies(httpserver, vault):
    answer = {"items": [{"id": 1, "tags": ["a"]}], "more": False}
    httpserver.expect_request("/api/items").respond_with_json(answer)
    base = httpserver.url_for("/api")
    common = ("--spec", vault, "--base-url", base, "--api-key", SECRET)
    compact = run(*common, "call", "listItems")            # not a terminal: one line
    assert compact.stdout == json.dumps(answer, separators=(",", ":")) + "\n"
    pretty = run(*common, "call", "listItems", "--pretty")
    assert pretty.stdout == json.dumps(answer, indent=2) + "\n"
    assert run(*common, "--pretty", "call", "listItems", "--compact").stdout == compact.stdout
    httpserver.clear()
    error = {"error": {"message": "no items", "type": "not_found"}}
    httpserver.expect_request("/api/items").respond_with_json(error, status=404)
    done = run(*common, "call", "listItems")
    assert done.returncode == 1 and json.dumps(error, separators=(",", ":")) in done.stderr
    done = run(*common, "call", "listItems", "--pretty")
    assert done.returncode == 1 and json.dumps(error, indent=2) in done.stderr


def test_pretty_by_default_on_a_terminal(httpserver, vault):
    """Standard output on a pseudo-terminal: the answer comes indented."""
    import pty
    import select

    httpserver.expect_request("/api/items").respond_with_json({"items": [1]})
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "openapi_dyn", "--spec", vault, "--base-url",
                                 httpserver.url_for("/api"), "--api-key", SECRET, "call", "listItems"],
                                stdout=slave, stderr=subprocess.PIPE, env=ENV)
        os.close(slave)
        out = b""
        for _ in range(2000):                      # bounded: at most ~200 s
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:                    # the terminal closed: the child is done
                    break
                if not chunk:
                    break
                out += chunk
            elif proc.poll() is not None:
                break
        proc.wait(timeout=60)
        proc.stderr.close()
    finally:
        os.close(master)
    assert proc.returncode == 0
    assert out.replace(b"\r\n", b"\n").decode() == json.dumps({"items": [1]}, indent=2) + "\n"


def test_output_writes_a_binary_answer_to_a_file(httpserver, vault, tmp_path):
    audio = bytes(range(256)) * 4096                # 1 MiB, every byte value
    httpserver.expect_request("/api/audio").respond_with_data(audio, content_type="audio/mpeg")
    target = tmp_path / "speech.mp3"
    done = run("--spec", vault, "--base-url", httpserver.url_for("/api"), "--api-key", SECRET,
               "call", "getAudio", "--output", str(target))
    assert done.returncode == 0, done.stderr
    assert target.read_bytes() == audio
    assert done.stdout == "" and f"{len(audio)} bytes written to {target}" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["speech.mp3", "vault.json"]  # no temporary left
    httpserver.clear()
    httpserver.expect_request("/api/audio").respond_with_json({"error": {"message": "gone"}}, status=404)
    done = run("--spec", vault, "--base-url", httpserver.url_for("/api"), "--api-key", SECRET,
               "call", "getAudio", "--output", str(tmp_path / "missing.mp3"))
    assert done.returncode == 1 and "gone" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["speech.mp3", "vault.json"]  # an error is not saved


def test_list_shows_summaries_as_plain_text():
    done = run("list", "--tag", "Chat")
    line = [line for line in done.stdout.splitlines() if line.startswith("createChatCompletion ")][0]
    assert "Starting a new project? We recommend trying Responses to take" in line
    assert "**" not in done.stdout and "](" not in done.stdout and "`" not in done.stdout
