"""Batch runs against a local stand-in of the vendors' batch engines
(t/batch_server.py): building and validating, splitting over limits,
uploading, polling through every status, results mapped back by custom_id
(answers, error answers, requests that never ran), resubmission, the state
file, and a process killed while polling and resumed by another."""
import json
import select
import subprocess
import sys
import time

import pytest

from batch_server import BatchServer, server  # noqa: F401  (server: a fixture)
from openapi_dyn import (BadRequestError, BatchError, BatchRequestNotRun, Client, InternalServerError,
                         RateLimitError, RequestValidationError, UsageError)

KEY = "sk-batch-secret-123"




@pytest.fixture
def openai(server):
    return Client(base_url=server.url, api_key=KEY, max_retries=0)


@pytest.fixture
def claude(server):
    return Client("anthropic", base_url=server.anthropic_url, api_key=KEY, max_retries=0)


def chat(text, model="gpt-4o"):
    return {"model": model, "messages": [{"role": "user", "content": text}]}


def message(text):
    return {"model": "claude-sonnet-4-5", "max_tokens": 64, "messages": [{"role": "user", "content": text}]}


def uploaded_lines(server):
    """The request lines of every uploaded batch file, per file, in upload order."""
    return [[json.loads(x) for x in f["content"].splitlines()]
            for f in server.files.values() if f["purpose"] == "batch"]


# ------------------------------------------------------------------ OpenAI
def test_openai_life_cycle_maps_every_result_back(server, openai, tmp_path):
    state = tmp_path / "run1.batch.json"
    with openai.batch(endpoint="/v1/chat/completions", completion_window="24h", state=state) as b:
        ok = b.createChatCompletion(body=chat("hello"))
        mine = b.call("createChatCompletion", custom_id="mine", body=chat("world"))
        bad = b.createChatCompletion(body=chat("FAIL please"))
        busy = b.createChatCompletion(body=chat("BUSY now"))
        assert server.log == []                     # nothing leaves before the block ends
    assert b.state_path == state.resolve()
    assert server.count("POST", "/v1/files") == 1 and server.count("POST", "/v1/batches") == 1
    (lines,) = uploaded_lines(server)
    assert [x["custom_id"] for x in lines] == [ok.custom_id, "mine", bad.custom_id, busy.custom_id]
    assert all(x["method"] == "POST" and x["url"] == "/v1/chat/completions" for x in lines)
    assert lines[1]["body"] == chat("world")
    with pytest.raises(UsageError, match="wait"):
        ok.result()

    seen = []
    while not b.finished and len(seen) < 20:
        seen.append(b.poll()["status"])
    assert seen == ["in_progress", "finalizing", "completed"]
    assert ok.result()["choices"][0]["message"]["content"] == "HELLO"
    assert mine.result()["choices"][0]["message"]["content"] == "WORLD"
    with pytest.raises(BadRequestError) as exc:
        bad.result()
    assert (exc.value.status_code, exc.value.code, exc.value.param) == (400, "bad_thing", "messages")
    assert exc.value.request_id == f"req_{bad.custom_id}" and "refused: FAIL please" in str(exc.value)
    with pytest.raises(RateLimitError):
        busy.result()
    pairs = list(b.results())
    assert [h.custom_id for h, _ in pairs] == [ok.custom_id, "mine", bad.custom_id, busy.custom_id]
    assert isinstance(pairs[2][1], BadRequestError) and pairs[0][1]["object"] == "chat.completion"
    assert server.count("GET", r"/v1/files/.*/content") == 2    # output and error file, once each
    b.wait(poll_interval=0.01, timeout=5)                        # finished: no more requests
    assert server.count("GET", r"/v1/files/.*/content") == 2
    assert KEY not in state.read_text() and KEY not in repr(b)


def test_invalid_calls_are_refused_at_once_and_nothing_is_sent(server, openai, tmp_path):
    b = openai.batch(state=tmp_path / "s.json")
    with pytest.raises(RequestValidationError) as exc:
        b.createChatCompletion(body={"model": "gpt-4o", "messages": [{"role": "robot", "content": "x"}],
                                     "temperature": "hot"}, custom_id="")
    locations = {p.location for p in exc.value.errors}
    assert {"body.messages[0].role", "body.temperature", "custom_id"} <= locations
    with pytest.raises(RequestValidationError) as exc:
        b.createChatCompletion(body={**chat("x"), "stream": True})
    assert [p.location for p in exc.value.errors] == ["body.stream"]
    with pytest.raises(UsageError, match="cannot go in a batch for openai"):
        b.listModels()
    with pytest.raises(UsageError, match="timeout= cannot"):
        b.createChatCompletion(body=chat("x"), timeout=3)
    b.createChatCompletion(body=chat("x"), custom_id="one")
    with pytest.raises(RequestValidationError, match="already used"):
        b.createChatCompletion(body=chat("y"), custom_id="one")
    with pytest.raises(UsageError, match="one batch, one endpoint"):
        b.createEmbedding(body={"model": "text-embedding-3-small", "input": "x"})
    assert len(b) == 1 and server.log == []
    b.discard()
    assert not (tmp_path / "s.json").exists()


def test_an_error_inside_the_with_block_submits_nothing(server, openai, tmp_path):
    with pytest.raises(ZeroDivisionError):
        with openai.batch(state=tmp_path / "s.json") as b:
            b.createChatCompletion(body=chat("x"))
            1 / 0
    assert server.log == [] and not (tmp_path / "s.json").exists()


def test_split_over_the_request_and_byte_limits(tmp_path):
    server = BatchServer(openai_limits=(3, 700))     # the fake refuses anything bigger
    try:
        client = Client(base_url=server.url, api_key=KEY, max_retries=0)
        b = client.batch(state=tmp_path / "s.json", max_requests=3, max_bytes=700)
        texts = [f"text {i}" + ("x" * 150 if i % 3 == 0 else "") for i in range(8)]
        handles = [b.createEmbedding(body={"model": "text-embedding-3-small", "input": t}) for t in texts]
        b.submit()
        files = uploaded_lines(server)
        assert len(files) >= 3 and sum(len(f) for f in files) == 8
        assert all(len(f) <= 3 for f in files)
        assert all(len(x["content"]) <= 700 for x in server.files.values() if x["purpose"] == "batch")
        assert [x["custom_id"] for f in files for x in f] == [h.custom_id for h in handles]
        assert server.count("POST", "/v1/batches") == len(files)
        b.wait(poll_interval=0.01, timeout=10)
        assert [h.result()["data"][0]["embedding"][0] for h in handles] == [float(len(t)) for t in texts]
        assert b.summary["completed"] == 8 and len(b.summary["chunks"]) == len(files)
        with pytest.raises(RequestValidationError, match="at most 700"):
            client.batch(state=tmp_path / "t.json", max_bytes=700).createEmbedding(
                body={"model": "text-embedding-3-small", "input": "y" * 800})
    finally:
        server.stop()


def test_expired_requests_are_resubmitted_with_one_call(server, openai, tmp_path):
    server.plans.append(["validating", "in_progress", "expired"])
    with openai.batch(state=tmp_path / "s.json") as b:
        handles = [b.createChatCompletion(body=chat(f"n{i}")) for i in range(4)]
    b.wait(poll_interval=0.01, timeout=10)
    assert b.status == "expired"
    assert handles[0].result()["choices"][0]["message"]["content"] == "N0"
    with pytest.raises(BatchRequestNotRun) as exc:
        handles[3].result()
    assert (exc.value.reason, exc.value.code, exc.value.custom_id) == ("expired", "batch_expired",
                                                                       handles[3].custom_id)
    assert b.resubmit() == 2
    assert [x["custom_id"] for x in uploaded_lines(server)[1]] == [h.custom_id for h in handles[2:]]
    b.wait(poll_interval=0.01, timeout=10)
    assert [h.result()["choices"][0]["message"]["content"] for h in handles] == ["N0", "N1", "N2", "N3"]
    assert b.status == "expired"          # the first batch's ending is kept in the record
    assert b.resubmit() == 0 and server.count("POST", "/v1/batches") == 2


def test_a_failed_batch_leaves_every_request_not_run(server, openai, tmp_path):
    server.plans.append(["validating", "failed"])
    with openai.batch(state=tmp_path / "s.json") as b:
        h = b.createChatCompletion(body=chat("x"))
    b.wait(poll_interval=0.01, timeout=10)
    with pytest.raises(BatchRequestNotRun, match="the input file was refused") as exc:
        h.result()
    assert exc.value.reason == "failed"
    assert b.summary["chunks"][0]["errors"][0]["line"] == 1


def test_cancel_goes_through_cancelling(server, openai, tmp_path):
    server.hold.set()
    with openai.batch(state=tmp_path / "s.json") as b:
        handles = [b.createChatCompletion(body=chat(f"c{i}")) for i in range(4)]
    assert b.poll()["status"] == "in_progress"
    b.cancel()
    assert b.status == "cancelling"
    b.wait(poll_interval=0.01, timeout=10)
    assert b.status == "cancelled"
    assert handles[1].result()["choices"][0]["message"]["content"] == "C1"
    with pytest.raises(BatchRequestNotRun) as exc:
        handles[2].result()
    assert exc.value.reason == "cancelled"


def test_wait_gives_up_after_its_timeout_and_says_how_to_resume(server, openai, tmp_path):
    server.hold.set()
    with openai.batch(state=tmp_path / "s.json") as b:
        b.createChatCompletion(body=chat("x"))
    with pytest.raises(BatchError, match="batch_resume"):
        b.wait(poll_interval=0.01, timeout=0.1)


def test_progress_is_written_to_stderr(server, openai, tmp_path, capsys):
    with openai.batch(state=tmp_path / "s.json") as b:
        b.createChatCompletion(body=chat("x"))
        b.createChatCompletion(body=chat("FAIL"))
    b.wait(progress=True, poll_interval=0.01, timeout=10)
    err = capsys.readouterr().err
    assert "batch: 0/2 done, 0 failed [in_progress]" in err
    assert "batch: 1/2 done, 1 failed [completed]" in err


def test_default_state_file_is_in_the_data_directory(server, openai, tmp_path):
    b = openai.batch()
    assert b.state_path.parent == (tmp_path / "data" / "batches").resolve()
    assert b.state_path.name.endswith(".batch.json") and b.state_path.exists()
    with pytest.raises(BatchError, match="already exists"):
        openai.batch(state=b.state_path)


def test_resume_refuses_what_it_cannot_continue(server, openai, claude, tmp_path):
    b = openai.batch(state=tmp_path / "s.json")
    b.createChatCompletion(body=chat("x"))
    with pytest.raises(BatchError, match="never submitted"):
        openai.batch_resume(tmp_path / "s.json")
    b.submit()
    with pytest.raises(BatchError, match="holds a batch for openai"):
        claude.batch_resume(tmp_path / "s.json")
    (tmp_path / "junk.json").write_text("[1]")
    with pytest.raises(BatchError, match="not a batch state"):
        openai.batch_resume(tmp_path / "junk.json")
    with pytest.raises(UsageError, match="no batch section"):
        Client("cohere").batch(state=tmp_path / "c.json")


def test_resume_finds_a_batch_created_just_before_a_crash(server, openai, tmp_path):
    with openai.batch(state=tmp_path / "s.json") as b:
        h = b.createChatCompletion(body=chat("once"))
    # As if the process died after the create call, before recording its id.
    data = json.loads((tmp_path / "s.json").read_text())
    del data["chunks"][0]["batch_id"]
    data["chunks"][0]["creating"] = True
    (tmp_path / "s.json").write_text(json.dumps(data))
    again = openai.batch_resume(tmp_path / "s.json")
    again.wait(poll_interval=0.01, timeout=10)
    assert server.count("POST", "/v1/batches") == 1
    assert again.handles[0].custom_id == h.custom_id
    assert again.handles[0].result()["choices"][0]["message"]["content"] == "ONCE"


KILLED = r"""
import sys
from openapi_dyn import Client
client = Client(base_url=sys.argv[1], api_key="sk-child", max_retries=0)
with client.batch(state=sys.argv[2], max_requests=3) as b:
    for i in range(7):
        b.createChatCompletion(body={"model": "gpt-4o", "messages": [{"role": "user", "content": f"k{i}"}]})
print("submitted", flush=True)
b.wait(poll_interval=0.02, timeout=120)
print("finished", flush=True)
"""


def test_a_process_killed_while_polling_is_resumed_by_another(server, openai, tmp_path):
    state = tmp_path / "killed.batch.json"
    server.hold.set()                          # batches stay in_progress: the child keeps polling
    child = subprocess.Popen([sys.executable, "-c", KILLED, server.url, str(state)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([child.stdout], [], [], 60)
        assert ready and child.stdout.readline().strip() == "submitted", child.stderr.read()
        for _ in range(400):                   # until it has polled every batch a few times
            if server.count("GET", r"/v1/batches/[^/]+") >= 9:
                break
            time.sleep(0.025)
        assert server.count("GET", r"/v1/batches/[^/]+") >= 9
        child.kill()
    finally:
        child.kill()
        child.wait(timeout=30)
        child.stdout.close()
        child.stderr.close()
    assert server.count("POST", "/v1/batches") == 3
    server.hold.clear()

    b = openai.batch_resume(state)
    assert [h.custom_id for h in b.handles] == [f"req-{i}" for i in range(7)]
    b.wait(poll_interval=0.01, timeout=30)
    got = [(h.custom_id, r["choices"][0]["message"]["content"]) for h, r in b.results()]
    assert got == [(f"req-{i}", f"K{i}") for i in range(7)]
    assert server.count("POST", "/v1/files") == 3 and server.count("POST", "/v1/batches") == 3
    assert server.count("GET", r"/v1/files/.*/content") == 3       # each output file fetched once
    # A third process finds everything collected: nothing more is asked of the server.
    before = len(server.log)
    third = openai.batch_resume(state)
    assert third.finished and len(list(third.results())) == 7
    third.wait(poll_interval=0.01, timeout=5)
    assert len(server.log) == before


# --------------------------------------------------------------- Anthropic
def test_anthropic_message_batches(server, claude, tmp_path):
    with claude.batch(state=tmp_path / "a.json") as b:
        ok = b.messages_post(body=message("hi"), custom_id="first_one")
        bad = b.messages_post(body=message("FAIL"))
        busy = b.messages_post(body=message("BUSY"))
        with pytest.raises(RequestValidationError, match="custom_id"):
            b.messages_post(body=message("x"), custom_id="no spaces allowed")
        with pytest.raises(RequestValidationError) as exc:
            b.messages_post(body={"model": "claude-sonnet-4-5", "messages": []})
        assert "body.max_tokens" in {p.location for p in exc.value.errors}
        with pytest.raises(UsageError, match="completion_window"):
            claude.batch(state=tmp_path / "w.json", completion_window="24h")
    assert server.count("POST", "/v1/messages/batches") == 1 and server.count("POST", "/v1/files") == 0
    (created,) = [x for x in server.batches.values()]
    assert [r["custom_id"] for r in created["lines"]] == ["first_one", bad.custom_id, busy.custom_id]
    assert created["lines"][0]["params"] == message("hi")
    b.wait(poll_interval=0.01, timeout=10)
    assert ok.result()["content"][0]["text"] == "HI"
    with pytest.raises(BadRequestError) as exc:
        bad.result()
    assert exc.value.type == "invalid_request_error" and exc.value.message == "refused: FAIL"
    with pytest.raises(InternalServerError) as exc:
        busy.result()
    assert exc.value.status_code == 529
    assert server.count("GET", r"/v1/messages/batches/[^/]+/results") == 1


def test_anthropic_split_expiry_and_resubmission(server, claude, tmp_path):
    server.plans.append(["in_progress", "expired"])
    with claude.batch(state=tmp_path / "a.json", max_requests=2) as b:
        handles = [b.messages_post(body=message(f"m{i}")) for i in range(4)]
    assert server.count("POST", "/v1/messages/batches") == 2
    b.wait(poll_interval=0.01, timeout=10)
    assert handles[0].result()["content"][0]["text"] == "M0"
    with pytest.raises(BatchRequestNotRun) as exc:
        handles[1].result()
    assert exc.value.reason == "expired"
    assert handles[3].result()["content"][0]["text"] == "M3"
    assert b.resubmit() == 1
    b.wait(poll_interval=0.01, timeout=10)
    assert [h.result()["content"][0]["text"] for h in handles] == ["M0", "M1", "M2", "M3"]


def test_anthropic_cancel(server, claude, tmp_path):
    server.hold.set()
    with claude.batch(state=tmp_path / "a.json") as b:
        handles = [b.messages_post(body=message(f"m{i}")) for i in range(2)]
    b.cancel()
    assert b.status == "cancelling"
    server.hold.clear()
    b.wait(poll_interval=0.01, timeout=10)
    assert b.status == "cancelled"
    with pytest.raises(BatchRequestNotRun, match="canceled"):
        handles[1].result()


# --------------------------------------------------------------------- CLI
def test_cli_submit_status_results(server, tmp_path, monkeypatch, capsys):
    from openapi_dyn._cli.main import main

    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    requests = tmp_path / "requests.jsonl"
    requests.write_text("\n".join([
        json.dumps({"operation": "createChatCompletion", "body": chat("a"), "custom_id": "a"}),
        json.dumps({"operation": "createChatCompletion", "body": {"model": "gpt-4o", "messages": [{"role": "robot"}]}}),
        "not json",
        json.dumps({"operation": "createChatCompletion", "body": chat("FAIL")}),
    ]) + "\n")
    state = tmp_path / "cli.batch.json"
    assert main(["--base-url", server.url, "batch", "submit", str(requests), "--state", str(state)]) == 3
    err = capsys.readouterr().err
    assert "line 2: body.messages[0].role" in err and "2 problem(s)" in err
    assert "line 3: not JSON" in err
    assert server.log == [] and not state.exists()

    lines = requests.read_text().splitlines()
    requests.write_text("\n".join([lines[0], lines[3]]) + "\n")
    assert main(["--base-url", server.url, "batch", "submit", str(requests), "--state", str(state)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["state"] == str(state.resolve()) and out["total"] == 2
    assert main(["--base-url", server.url, "batch", "status", str(state)]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "in_progress"
    results = tmp_path / "results.jsonl"
    assert main(["--base-url", server.url, "batch", "results", str(state), "-o", str(results),
                 "--wait", "--poll-interval", "0.01", "--timeout", "10"]) == 0
    got = [json.loads(x) for x in results.read_text().splitlines()]
    assert got[0]["custom_id"] == "a" and got[0]["result"]["choices"][0]["message"]["content"] == "A"
    assert got[1]["error"]["type"] == "BadRequestError" and got[1]["error"]["status_code"] == 400
    assert KEY not in results.read_text() and KEY not in state.read_text()


# ------------------------------------------------------------------- guide
def test_the_batch_guide_examples_run_in_order(server, monkeypatch, tmp_path, capsys):
    import re

    import openapi_dyn
    import openapi_dyn._batch.poll
    from conftest import REPO

    class LocalClient(Client):
        def __init__(self, spec="openai", **kwargs):
            kwargs.setdefault("base_url", server.url if spec == "openai" else server.anthropic_url)
            kwargs.setdefault("api_key", KEY)
            super().__init__(spec, **kwargs)

    class LocalAsyncClient(openapi_dyn.AsyncClient):
        def __init__(self, spec="openai", **kwargs):
            kwargs.setdefault("base_url", server.url)
            kwargs.setdefault("api_key", KEY)
            super().__init__(spec, **kwargs)

    monkeypatch.setattr(openapi_dyn, "Client", LocalClient, raising=False)
    monkeypatch.setattr(openapi_dyn, "AsyncClient", LocalAsyncClient, raising=False)
    monkeypatch.setattr(openapi_dyn._batch.poll, "BACKOFF", (0.01, 1.0, 0.01))
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", (REPO / "docs" / "batch.md").read_text(), re.S)
    assert len(blocks) >= 3
    for code in blocks:
        exec(compile(code, "<docs/batch.md>", "exec"), {"__name__": "guide_example"})
    out = capsys.readouterr().out
    assert "req-0 WHAT IS 2 + 2?" in out and "SAY HELLO" in out
    assert out.count("SAY HELLO") == 3                       # the run, its resume, the async run
    assert server.count("POST", "/v1/batches") == 2          # the run and the async run, nothing twice


# ---------------------------------------------------------------- the data
def test_the_profiles_batch_sections_agree_with_the_specs(openai_client):
    from openapi_dyn._batch.bridge import batch_rules

    rules = batch_rules(openai_client)
    doc = openai_client.spec.document
    create = doc["paths"]["/batches"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert set(rules.endpoints.values()) == set(create["properties"]["endpoint"]["enum"])
    assert list(rules.completion_windows) == create["properties"]["completion_window"]["enum"]
    assert "50,000 requests" in create["properties"]["input_file_id"]["description"]
    assert "200 MB" in create["properties"]["input_file_id"]["description"]
    assert (rules.max_requests, rules.max_bytes) == (50_000, 200 * 1024 * 1024)
    for op_id, url in rules.endpoints.items():       # the server's base path is /v1
        assert "/v1" + openai_client.operation(op_id).path == url
    for op_id in rules.operations.values():
        openai_client.operation(op_id)

    claude = Client("anthropic")
    rules = batch_rules(claude)
    schemas = claude.spec.document["components"]["schemas"]
    assert rules.max_requests == schemas["CreateMessageBatchParams"]["properties"]["requests"]["maxItems"]
    item = schemas["MessageBatchIndividualRequestParams"]
    assert rules.custom_id_pattern.pattern == item["properties"]["custom_id"]["pattern"]
    assert item["properties"]["params"]["$ref"].endswith("/CreateMessageParams")
    assert {claude.operation(op).path for op in rules.endpoints} == {"/v1/messages"}
    for op_id in rules.operations.values():
        claude.operation(op_id)


def test_a_profile_with_a_bad_batch_section_is_refused(tmp_path):
    from openapi_dyn import ProfileError

    with pytest.raises(ProfileError, match="batch.protocol"):
        Client(profile={"batch": {"protocol": "carrier-pigeon", "operations": {"create": "a", "retrieve": "b"},
                                  "endpoints": {"createChatCompletion": "/v1/chat/completions"}}})
    with pytest.raises(ProfileError, match="batch.endpoints"):
        Client(profile={"batch": {"protocol": "openai-files", "operations": {"create": "a", "retrieve": "b"},
                                  "endpoints": {"createChatCompletion": "no-slash"}}})


def test_cli_reads_the_spec_from_the_state_file(server, claude, tmp_path, monkeypatch, capsys):
    from openapi_dyn._cli.main import main

    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    with claude.batch(state=tmp_path / "a.json") as b:
        b.messages_post(body=message("cli"), custom_id="c1")
    assert main(["--base-url", server.anthropic_url, "batch", "status", str(tmp_path / "a.json")]) == 0
    assert json.loads(capsys.readouterr().out)["chunks"][0]["batch_id"].startswith("msgbatch_")
    assert main(["--base-url", server.anthropic_url, "batch", "results", str(tmp_path / "a.json")]) == 1
    assert "still in_progress" in capsys.readouterr().err
    assert main(["--base-url", server.anthropic_url, "batch", "results", str(tmp_path / "a.json"),
                 "--wait", "--poll-interval", "0.01", "--timeout", "10"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["result"]["content"][0]["text"] == "CLI"
