"""Batch runs survive their process: a child process submitting a run is
really killed (SIGKILL) at each step, before the create, with the upload or
the create in flight, after it, while polling, and another process resumes.
The local batch server (t/batch_server.py) counts what was really created:
exactly one batch, and one uploaded file, per chunk, every time.

Also here: the lock that keeps two processes off one state, the files'
permissions, the refusal when the vendor cannot tell which batch is ours,
requests that cannot be batched however they are written, results as the
live call gives them, and AsyncClient's batches."""
import asyncio
import json
import os
import select
import stat
import subprocess
import sys
import time

import pytest

from batch_server import server  # noqa: F401  (a fixture)
from openapi_dyn import AsyncClient, BatchError, Client, Record, RequestValidationError

KEY = "sk-durable-secret-456"
REQUESTS, PER_CHUNK = 5, 3          # two chunks: 3 requests and 2
CHUNKS = 2

CHILD = r"""
import sys, time
from openapi_dyn import Client
vendor, url, state, then = sys.argv[1:5]
spec = "openai" if vendor == "openai" else "anthropic"
client = Client(spec, base_url=url, api_key="sk-child-key-0000", max_retries=0)
b = client.batch(state=state, max_requests=3)
for i in range(5):
    text = f"k{i}"
    if vendor == "openai":
        b.createChatCompletion(body={"model": "gpt-4o", "messages": [{"role": "user", "content": text}]})
    else:
        b.messages_post(body={"model": "claude-sonnet-4-5", "max_tokens": 64,
                              "messages": [{"role": "user", "content": text}]})
b.submit()
print("submitted", flush=True)
if then == "poll":
    b.wait(poll_interval=0.02, timeout=120)
else:
    time.sleep(120)
"""




def client_for(vendor, server):
    if vendor == "openai":
        return Client(base_url=server.url, api_key=KEY, max_retries=0)
    return Client("anthropic", base_url=server.anthropic_url, api_key=KEY, max_retries=0)


def start_child(vendor, server, state, then="sleep"):
    url = server.url if vendor == "openai" else server.anthropic_url
    return subprocess.Popen([sys.executable, "-c", CHILD, vendor, url, str(state), then],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def kill(child):
    child.kill()
    child.wait(timeout=30)
    child.stdout.close()
    child.stderr.close()


def wait_for(condition, what):
    for _ in range(2400):                 # at most a minute
        if condition():
            return
        time.sleep(0.025)
    raise AssertionError(f"never happened: {what}")


def answers(b, vendor):
    out = []
    for handle, result in b.results():
        assert isinstance(result, Record), result
        text = result.choices[0].message.content if vendor == "openai" else result.content[0].text
        out.append((handle.custom_id, text))
    return out


def resume_and_finish(vendor, server, state):
    b = client_for(vendor, server).batch_resume(state)
    b.wait(poll_interval=0.01, timeout=60)
    assert answers(b, vendor) == [(f"req-{i}", f"K{i}") for i in range(REQUESTS)]
    assert server.made(vendor) == CHUNKS                  # exactly one batch per chunk
    if vendor == "openai":
        assert server.made("file") == CHUNKS              # one upload per chunk, none orphaned
        used = {bt["input_file_id"] for bt in server.batches.values()}
        assert used == {fid for fid, f in server.files.items() if f["purpose"] == "batch"}
    return b


@pytest.mark.parametrize("vendor", ["openai", "anthropic"])
@pytest.mark.parametrize("step", ["before the create", "create in flight"])
def test_killed_around_the_create_and_resumed(server, tmp_path, vendor, step):
    state = tmp_path / "run.batch.json"
    server.stall("create", "before" if step == "before the create" else "after")
    child = start_child(vendor, server, state)
    try:
        assert server.stalled.wait(60), child.stderr.read() if child.poll() is not None else "no create"
        data = json.loads(state.read_text())
        assert "creating" in data["chunks"][0] and "batch_id" not in data["chunks"][0]  # the intent came first
    finally:
        kill(child)
        server.release()
    assert server.made(vendor) == (0 if step == "before the create" else 1)
    resume_and_finish(vendor, server, state)


@pytest.mark.parametrize("vendor", ["openai", "anthropic"])
def test_killed_after_the_create_and_while_polling(server, tmp_path, vendor):
    state = tmp_path / "run.batch.json"
    child = start_child(vendor, server, state)              # after the creates: it sleeps
    try:
        ready, _, _ = select.select([child.stdout], [], [], 60)
        assert ready and child.stdout.readline().strip() == "submitted", child.stderr.read()
    finally:
        kill(child)
    assert server.made(vendor) == CHUNKS
    b = client_for(vendor, server).batch_resume(state)
    b.poll()
    assert server.made(vendor) == CHUNKS
    b.close()

    # while polling: another run, the child killed between two status requests
    state2 = tmp_path / "polled.batch.json"
    server.hold.set()
    retrieve = r"/v1/batches/[^/]+" if vendor == "openai" else r"/v1/messages/batches/[^/]+"
    before = server.count("GET", retrieve)
    child = start_child(vendor, server, state2, then="poll")
    try:
        wait_for(lambda: server.count("GET", retrieve) >= before + 6, "the child polling")
        with pytest.raises(BatchError, match="another process is working on"):
            client_for(vendor, server).batch_resume(state2)  # the lock: one process at a time
    finally:
        kill(child)
    server.hold.clear()
    assert server.made(vendor) == 2 * CHUNKS
    b = client_for(vendor, server).batch_resume(state2)
    b.wait(poll_interval=0.01, timeout=60)
    assert answers(b, vendor) == [(f"req-{i}", f"K{i}") for i in range(REQUESTS)]
    assert server.made(vendor) == 2 * CHUNKS


def test_killed_with_the_upload_in_flight_uploads_nothing_twice(server, tmp_path):
    state = tmp_path / "run.batch.json"
    server.stall("upload", "after")                        # stored, but the answer never arrives
    child = start_child("openai", server, state)
    try:
        assert server.stalled.wait(60)
        assert "uploading" in json.loads(state.read_text())["chunks"][0]
    finally:
        kill(child)
        server.release()
    assert server.made("file") == 1 and server.made("openai") == 0
    resume_and_finish("openai", server, state)
    assert server.count("POST", "/v1/files") == CHUNKS      # chunk 0's was found, not sent again


def test_an_ambiguous_anthropic_create_is_refused_until_adopted(server, tmp_path, monkeypatch, capsys):
    state = tmp_path / "run.batch.json"
    server.stall("create", "after")
    child = start_child("anthropic", server, state)
    try:
        assert server.stalled.wait(60)
    finally:
        kill(child)
        server.release()
    (ours,) = [bid for bid, bt in server.batches.items()]
    # Another program makes a batch of the same size meanwhile: the vendor cannot tell them apart.
    claude = client_for("anthropic", server)
    other = claude.call("message_batches_post", body={"requests": [
        {"custom_id": f"x{i}", "params": {"model": "claude-sonnet-4-5", "max_tokens": 8,
                                          "messages": [{"role": "user", "content": "x"}]}} for i in range(3)]})
    with pytest.raises(BatchError) as refused:
        claude.batch_resume(state).wait(poll_interval=0.01, timeout=30)
    text = str(refused.value)
    assert ours in text and other["id"] in text and "adopt={0:" in text and "Nothing was created" in text
    assert server.made("anthropic") == 2                     # nothing more was created
    from openapi_dyn._cli.main import main

    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    cli = ["--base-url", server.anthropic_url, "batch", "status", str(state)]
    assert main(cli + ["--adopt", "zero=" + ours]) == 2
    assert main(cli + ["--adopt", f"0={ours}"]) == 0
    assert json.loads(capsys.readouterr().out)["chunks"][0]["batch_id"] == ours
    b = claude.batch_resume(state)
    b.wait(poll_interval=0.01, timeout=60)
    assert answers(b, "anthropic") == [(f"req-{i}", f"K{i}") for i in range(REQUESTS)]
    assert server.made("anthropic") == 3                     # chunk 1's, and no other


def test_a_failed_listing_creates_nothing(server, tmp_path):
    state = tmp_path / "run.batch.json"
    server.stall("create", "after")
    child = start_child("openai", server, state)
    try:
        assert server.stalled.wait(60)
    finally:
        kill(child)
        server.release()
    openai = Client(base_url=server.url + "/broken", api_key=KEY, max_retries=0)   # every list is a 404
    with pytest.raises(BatchError, match="asking the vendor failed") as refused:
        openai.batch_resume(state).wait(poll_interval=0.01, timeout=10)
    assert KEY not in str(refused.value)
    assert server.made("openai") == 1
    resume_and_finish("openai", server, state)


def test_files_are_private_and_the_folder_too(server, tmp_path):
    openai = client_for("openai", server)
    with openai.batch(state=tmp_path / "private" / "run.batch.json") as b:
        b.createChatCompletion(body={"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]})
    b.wait(poll_interval=0.01, timeout=30)
    folders = [tmp_path / "private", b.state_path.with_name(b.state_path.name + ".d")]
    for folder in folders:
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700, folder
    files = [b.state_path] + sorted(folders[1].iterdir())
    assert len(files) >= 4                                    # state, requests, output, lock
    for f in files:
        assert stat.S_IMODE(os.stat(f).st_mode) == 0o600, f


def test_a_request_that_cannot_be_batched_is_refused_however_written(server, tmp_path):
    openai = client_for("openai", server)
    b = openai.batch(state=tmp_path / "s.json")
    messages = [{"role": "user", "content": "x"}]
    for call in (lambda: b.createChatCompletion(model="gpt-4o", messages=messages, stream=True),
                 lambda: b.createChatCompletion(body={"model": "gpt-4o", "messages": messages, "stream": True})):
        with pytest.raises(RequestValidationError, match="cannot stream"):
            call()
    assert len(b) == 0
    h = b.createChatCompletion(model="gpt-4o", messages=messages)
    b.submit().wait(poll_interval=0.01, timeout=30)
    assert h.result().choices[0].message.content == "X"      # a Record, as the live call gives
    plain = Client(base_url=server.url, api_key=KEY, attribute_access=False).batch_resume(b.state_path)
    assert type(plain.handles[0].result()) is dict


def test_async_client_batches_like_the_sync_one(server, tmp_path):
    async def run():
        async with AsyncClient(base_url=server.url, api_key=KEY, max_retries=0) as client:
            b = client.batch(state=tmp_path / "a.json")
            h = b.createChatCompletion(body={"model": "gpt-4o", "messages": [{"role": "user", "content": "async"}]})
            b.submit()
            await asyncio.to_thread(b.wait, poll_interval=0.01, timeout=30)
            again = client.batch_resume(tmp_path / "a.json")
            return h.result(), again.handles[0].result()

    first, again = asyncio.run(run())
    assert first.choices[0].message.content == "ASYNC" and again == first
    assert server.made("openai") == 1


def test_a_wrong_adoption_is_found_out_and_a_newer_resume_takes_over(server, tmp_path):
    claude = client_for("anthropic", server)
    with claude.batch(state=tmp_path / "a.json") as first:
        first.messages_post(body={"model": "claude-sonnet-4-5", "max_tokens": 8,
                                  "messages": [{"role": "user", "content": "mine"}]})
    # Within a process, a newer resume of the same state takes it over; the older object stops writing.
    second = claude.batch_resume(tmp_path / "a.json")
    with pytest.raises(BatchError, match="resumed by another Batch object"):
        first.poll()
    second.wait(poll_interval=0.01, timeout=30)
    assert second.handles[0].result().content[0].text == "MINE"

    # A chunk left in doubt, adopted with somebody else's batch: refused when its results come in.
    data = json.loads((tmp_path / "a.json").read_text())
    other = claude.call("message_batches_post", body={"requests": [
        {"custom_id": "theirs", "params": {"model": "claude-sonnet-4-5", "max_tokens": 8,
                                           "messages": [{"role": "user", "content": "x"}]}}]})
    chunk = data["chunks"][0]
    for key in ("batch_id", "collected", "results", "counts"):
        chunk.pop(key, None)
    chunk.update(creating=True, status="built")
    second.close()
    (tmp_path / "a.json").write_text(json.dumps(data))
    wrong = claude.batch_resume(tmp_path / "a.json", adopt={0: other["id"]})
    with pytest.raises(BatchError, match="never held"):
        wrong.wait(poll_interval=0.01, timeout=30)


def test_metadata_leaves_room_for_the_run_and_chunk(server, tmp_path):
    from openapi_dyn import UsageError

    openai = client_for("openai", server)
    with pytest.raises(UsageError, match="at most 14"):
        openai.batch(state=tmp_path / "m.json", metadata={f"k{i}": "v" for i in range(15)})
    with openai.batch(state=tmp_path / "ok.json", metadata={"project": "p1"}) as b:
        b.createChatCompletion(body={"model": "gpt-4o", "messages": [{"role": "user", "content": "m"}]})
    (made,) = server.batches.values()
    assert made["metadata"] == {"project": "p1", "openapi_dyn_run": b._state.data["run"], "openapi_dyn_chunk": "0"}
