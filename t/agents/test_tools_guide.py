"""Every Python example of docs/tools.md runs, unchanged, against a local
server that answers like the OpenAI and Anthropic APIs: the models ask for a
tool first and answer once they have its result, so the tool-calling loops
go all the way round."""
import json
import re

import pytest

import openapi_dyn
from openapi_dyn import Client

from conftest import REPO
from faultserver import reply

BLOCK = re.compile(r"```python\n(.*?)```", re.S)
STORES = {"object": "list", "data": [{"id": "vs_1", "object": "vector_store", "name": "notes"}],
          "first_id": "vs_1", "last_id": "vs_1", "has_more": False}


def examples():
    text = (REPO / "docs" / "tools.md").read_text()
    for i, code in enumerate(BLOCK.findall(text)):
        yield pytest.param(code, id=f"tools.md-{i}")


def answer(rec):
    if rec.method == "GET" and rec.path == "/v1/vector_stores":
        return reply(json=STORES)
    if rec.path == "/v1/chat/completions":
        messages = rec.json()["messages"]
        tool_messages = [m for m in messages if m["role"] == "tool"]
        if tool_messages:
            seen = json.loads(tool_messages[-1]["content"])["data"][0]["name"]
            message = {"role": "assistant", "content": f"You have one: {seen}.", "refusal": None}
        else:
            message = {"role": "assistant", "content": None, "refusal": None, "tool_calls": [
                {"id": "call_1", "type": "function",
                 "function": {"name": "listVectorStores", "arguments": '{"limit": 2}'}}]}
        return reply(json={"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o",
                           "choices": [{"index": 0, "finish_reason": "stop", "message": message}]})
    if rec.path == "/v1/messages":
        if rec.headers.get("anthropic-version") != "2023-06-01":
            return reply(400, json={"type": "error", "error": {"type": "invalid_request_error",
                                                               "message": "anthropic-version is required"}})
        results = [b for m in rec.json()["messages"] if isinstance(m["content"], list)
                   for b in m["content"] if b.get("type") == "tool_result"]
        if results:
            seen = json.loads(results[-1]["content"])["data"][0]["name"]
            content = [{"type": "text", "text": f"You have one: {seen}."}]
        else:
            content = [{"type": "text", "text": "Let me look."},
                       {"type": "tool_use", "id": "toolu_1", "name": "listVectorStores", "input": {"limit": 2}}]
        return reply(json={"id": "msg_1", "type": "message", "role": "assistant", "content": content,
                           "model": "claude-sonnet-4-5", "stop_reason": "end_turn"})
    return reply(404, json={"error": {"message": f"no example answer for {rec.method} {rec.path}"}})


@pytest.mark.parametrize("code", list(examples()))
def test_tools_guide_example(code, faultserver, monkeypatch, tmp_path, openai_client, capsys):
    class LocalClient(Client):
        def __init__(self, spec=None, **kwargs):
            base = "" if spec == "anthropic" else "/v1"
            kwargs.setdefault("base_url", faultserver.url + base)
            kwargs.setdefault("api_key", "sk-test")
            super().__init__(spec if spec is not None else openai_client.spec, **kwargs)

    monkeypatch.setattr(openapi_dyn, "Client", LocalClient, raising=False)
    monkeypatch.chdir(tmp_path)
    faultserver.always(answer)
    exec(compile(code, "<tools guide example>", "exec"), {"__name__": "guide_example"})
    printed = capsys.readouterr().out
    if "tool_calls" in code or "tool_use" in code:
        # the loop went round: the model asked, the tool ran, the model answered
        assert printed.strip() == "You have one: notes."
        assert [r.path for r in faultserver.requests].count("/v1/vector_stores") == 1
    known = {"/v1/vector_stores", "/v1/chat/completions", "/v1/messages"}
    assert all(r.path in known for r in faultserver.requests)   # nothing met the 404 fallback
    if "print(result.is_error" in code:
        assert "False" in printed.splitlines()[-1]


def test_the_guide_has_its_examples():
    assert len(list(examples())) >= 4
