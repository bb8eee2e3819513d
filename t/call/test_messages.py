"""Validation messages that point at the real problem, on the real bundled
OpenAI and Anthropic specs (and two small specs for the bounds of both
dialects): a failed union is explained by the alternative the value was meant
for, bounds come with their numbers, and each problem is reported once."""
import json
import unittest.mock

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from openapi_dyn import Client, RequestValidationError
from openapi_dyn._call import validation
from openapi_dyn._call import problems as problems_module


@pytest.fixture(scope="module")
def anthropic():
    return Client("anthropic")


def problems(client, op_id, **kwargs):
    with pytest.raises(RequestValidationError) as info:
        client.prepare(op_id, **kwargs)
    return [str(p) for p in info.value.errors]


CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}


def chat_with(**fields):
    return dict(CHAT, **fields)


def user_says(content):
    return {"model": "gpt-4o", "messages": [{"role": "user", "content": content}]}


# ------------------------------------------------------------ OpenAI: sizes
def test_too_many_embedding_inputs_says_so_not_that_an_item_is_no_integer(openai_client):
    body = {"model": "text-embedding-3-small", "input": ["x"] * 2049}
    assert problems(openai_client, "createEmbedding", body=body) == [
        "body.input: too many items: 2049 > 2048 allowed"]
    body["input"] = [1] * 2049  # the array-of-tokens alternative: still the size
    assert problems(openai_client, "createEmbedding", body=body) == [
        "body.input: too many items: 2049 > 2048 allowed"]


def test_size_problem_comes_before_the_item_problems_of_the_same_alternative(openai_client):
    body = {"model": "m", "input": ["x"] * 2049 + [5]}
    assert problems(openai_client, "createEmbedding", body=body) == [
        "body.input: too many items: 2050 > 2048 allowed",
        "body.input[2049]: 5 is not of type 'string'"]


def test_bounds_are_stated_with_their_numbers(openai_client):
    got = problems(openai_client, "createChatCompletion", body=chat_with(temperature=5, n=0, stop=["a"] * 5))
    assert sorted(got) == ["body.n: too small: 0 < 1 (minimum)",
                           "body.stop: too many items: 5 > 4 allowed",
                           "body.temperature: too large: 5 > 2 (maximum)"]
    assert problems(openai_client, "createEmbedding", body={"model": "m", "input": []}) == [
        "body.input: too few items: 0 < 1 required"]
    got = problems(openai_client, "createChatCompletion", body={"model": "gpt-4o", "messages": []})
    assert got == ["body.messages: too few items: 0 < 1 required"]


# ----------------------------------------------------------- OpenAI: unions
def test_unknown_content_part_type_lists_every_accepted_type(openai_client):
    got = problems(openai_client, "createChatCompletion", body=user_says([{"type": "input_video", "x": 1}]))
    assert got == ["body.messages[0].content[0].type: 'input_video' is not one of the accepted types: "
                   "'text', 'image_url', 'input_audio', 'file'"]


def test_accepted_types_are_those_of_the_message_role(openai_client):
    body = {"model": "gpt-4o", "messages": [
        {"role": "assistant", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]}
    got = problems(openai_client, "createChatCompletion", body=body)
    assert len(got) == 1
    assert got[0].startswith("body.messages[0].content[0].type: 'image_url' is not one of the accepted types: ")
    assert "'text'" in got[0] and "'refusal'" in got[0] and "'image_url'," not in got[0]


def test_the_selected_content_part_reports_its_own_problem(openai_client):
    got = problems(openai_client, "createChatCompletion", body=user_says([{"type": "text"}]))
    assert got == ["body.messages[0].content[0].text: required property is missing"]
    got = problems(openai_client, "createChatCompletion",
                   body=user_says([{"type": "image_url", "image_url": {"url": 5}}]))
    assert got == ["body.messages[0].content[0].image_url.url: 5 is not of type 'string'"]


def test_value_of_no_accepted_kind_names_the_kinds(openai_client):
    assert problems(openai_client, "createChatCompletion", body=user_says(5)) == [
        "body.messages[0].content: 5 is not of type 'string' or 'array'"]
    assert problems(openai_client, "createEmbedding", body={"model": "m", "input": {"a": 1}}) == [
        "body.input: {'a': 1} is not of type 'string' or 'array'"]


def test_grader_type_selects_its_alternative(openai_client):
    grader = {"type": "label_model", "name": "n", "model": "m", "input": [], "labels": ["a"]}
    body = {"name": "x", "data_source_config": {"type": "custom", "item_schema": {}},
            "testing_criteria": [grader]}
    assert problems(openai_client, "createEval", body=body) == [
        "body.testing_criteria[0].passing_labels: required property is missing"]
    body["testing_criteria"] = [{"type": "nope"}]
    assert problems(openai_client, "createEval", body=body) == [
        "body.testing_criteria[0].type: 'nope' is not one of the accepted types: "
        "'label_model', 'string_check', 'text_similarity', 'python', 'score_model'"]


def test_discriminator_names_the_selecting_property(openai_client):
    body = {"model": "gpt-4o", "messages": [{"role": "robot", "content": "hi"}]}
    assert problems(openai_client, "createChatCompletion", body=body) == [
        "body.messages[0].role: 'robot' is not one of the accepted roles: "
        "'assistant', 'developer', 'function', 'system', 'tool', 'user'"]
    body = {"model": "gpt-4o", "messages": [{"content": "hi"}]}
    got = problems(openai_client, "createChatCompletion", body=body)
    assert got == ["body.messages[0].role: required property is missing (accepted roles: "
                   "'assistant', 'developer', 'function', 'system', 'tool', 'user')"]
    body = {"model": "gpt-4o", "messages": [{"role": "tool", "content": "x"}]}
    assert problems(openai_client, "createChatCompletion", body=body) == [
        "body.messages[0].tool_call_id: required property is missing"]


def test_response_format_and_tools(openai_client):
    assert problems(openai_client, "createChatCompletion", body=chat_with(response_format={"type": "json_schema"})) == [
        "body.response_format.json_schema: required property is missing"]
    assert problems(openai_client, "createChatCompletion", body=chat_with(response_format={"type": "yaml"})) == [
        "body.response_format.type: 'yaml' is not one of the accepted types: 'json_object', 'json_schema', 'text'"]
    tools = [{"type": "funktion", "function": {"name": "x"}}]
    assert problems(openai_client, "createChatCompletion", body=chat_with(tools=tools)) == [
        "body.tools[0].type: 'funktion' is not one of the accepted types: 'function', 'custom'"]
    tools = [{"type": "function", "function": {"name": 5}}]
    assert problems(openai_client, "createChatCompletion", body=chat_with(tools=tools)) == [
        "body.tools[0].function.name: 5 is not of type 'string'"]


def test_string_or_object_union_picks_by_kind(openai_client):
    assert problems(openai_client, "createChatCompletion", body=chat_with(tool_choice="bogus")) == [
        "body.tool_choice: 'bogus' is not one of ['none', 'auto', 'required']"]
    assert problems(openai_client, "createChatCompletion", body=chat_with(tool_choice={"type": "function"})) == [
        "body.tool_choice.function: required property is missing"]


def test_responses_input_items(openai_client):
    body = {"model": "gpt-4o", "input": [{"role": "user", "content": [{"type": "input_video"}]}]}
    assert problems(openai_client, "createResponse", body=body) == [
        "body.input[0].content[0].type: 'input_video' is not one of the accepted types: "
        "'input_file', 'input_image', 'input_text'"]
    body = {"model": "gpt-4o", "input": [{"type": "message", "role": "user", "content": [{"type": "input_text"}]}]}
    assert problems(openai_client, "createResponse", body=body) == [
        "body.input[0].content[0].text: required property is missing"]


# --------------------------------------------------------- each problem once
def test_identical_problems_are_reported_once(openai_client):
    assert problems(openai_client, "createChatCompletion", body="hello") == [
        "body: 'hello' is not of type 'object'"]


def test_nothing_is_sent_and_every_problem_is_in_the_message(httpserver):
    client = Client(base_url=httpserver.url_for("/v1"), api_key="sk-test", max_retries=0)
    with pytest.raises(RequestValidationError) as info:
        client.call("createEmbedding", body={"model": "m", "input": ["x"] * 2049, "dimensions": 0})
    assert "body.input: too many items: 2049 > 2048 allowed" in str(info.value)
    assert "body.dimensions: too small: 0 < 1 (minimum)" in str(info.value)
    assert httpserver.log == []


# ---------------------------------------------------------------- Anthropic
def anthropic_says(content, **fields):
    return dict({"model": "claude-x", "max_tokens": 10, "messages": [{"role": "user", "content": content}]},
                **fields)


def test_anthropic_unknown_content_block_type(anthropic):
    got = problems(anthropic, "messages_post", body=anthropic_says([{"type": "video"}]))
    assert len(got) == 1
    head, accepted = got[0].split(" is not one of the accepted types: ")
    assert head == "body.messages[0].content[0].type: 'video'"
    assert {"'text'", "'image'", "'document'", "'tool_use'", "'tool_result'", "'thinking'"} <= set(
        accepted.split(", "))


def test_anthropic_content_block_without_type(anthropic):
    (got,) = problems(anthropic, "messages_post", body=anthropic_says([{"text": "hi"}]))
    assert got.startswith("body.messages[0].content[0].type: required property is missing (accepted types: ")
    assert "'text'" in got and "'image'" in got


def test_anthropic_nested_image_source(anthropic):
    block = {"type": "image", "source": {"type": "base64", "media_type": "image/bmp", "data": "AAAA"}}
    assert problems(anthropic, "messages_post", body=anthropic_says([block])) == [
        "body.messages[0].content[0].source.media_type: 'image/bmp' is not one of "
        "['image/jpeg', 'image/png', 'image/gif', 'image/webp']"]
    block = {"type": "image", "source": {"type": "file", "file_id": "x"}}
    assert problems(anthropic, "messages_post", body=anthropic_says([block])) == [
        "body.messages[0].content[0].source.type: 'file' is not one of the accepted types: 'base64', 'url'"]
    block = {"type": "tool_result", "tool_use_id": "t", "content": [{"type": "image", "source": {"type": "url"}}]}
    assert problems(anthropic, "messages_post", body=anthropic_says([block])) == [
        "body.messages[0].content[0].content[0].source.url: required property is missing"]


def test_anthropic_blocks_inside_blocks(anthropic):
    block = {"type": "document", "source": {"type": "base64", "media_type": "text/plain", "data": "x"}}
    assert problems(anthropic, "messages_post", body=anthropic_says([block])) == [
        "body.messages[0].content[0].source.data: 'x' is not a valid 'byte'",
        "body.messages[0].content[0].source.media_type: expected 'application/pdf', got 'text/plain'"]
    block = {"type": "text", "text": "x", "cache_control": {"type": "permanent"}}
    assert problems(anthropic, "messages_post", body=anthropic_says([block])) == [
        "body.messages[0].content[0].cache_control.type: 'permanent' is not one of the accepted types: 'ephemeral'"]
    block = {"type": "text", "text": "x", "cache_control": {"type": "ephemeral", "ttl": "2h"}}
    assert problems(anthropic, "messages_post", body=anthropic_says([block])) == [
        "body.messages[0].content[0].cache_control.ttl: '2h' is not one of ['5m', '1h']"]
    assert problems(anthropic, "messages_post", body=anthropic_says([{"type": "thinking", "thinking": "x"}])) == [
        "body.messages[0].content[0].signature: required property is missing"]
    block = {"type": "tool_result", "tool_use_id": "t", "content": [{"type": "text"}]}
    assert problems(anthropic, "messages_post", body=anthropic_says([block])) == [
        "body.messages[0].content[0].content[0].text: required property is missing"]
    assert problems(anthropic, "messages_post", body=anthropic_says("hi", thinking={"type": "on"})) == [
        "body.thinking.type: 'on' is not one of the accepted types: 'adaptive', 'disabled', 'enabled'"]


def test_anthropic_content_and_system(anthropic):
    assert problems(anthropic, "messages_post", body=anthropic_says([{"type": "text", "text": 5}])) == [
        "body.messages[0].content[0].text: 5 is not of type 'string'"]
    assert problems(anthropic, "messages_post", body=anthropic_says(5)) == [
        "body.messages[0].content: 5 is not of type 'string' or 'array'"]
    assert problems(anthropic, "messages_post", body=anthropic_says("hi", system=[{"type": "text"}])) == [
        "body.system[0].text: required property is missing"]


def test_anthropic_custom_tool_definition(anthropic):
    tool = {"name": "get", "input_schema": {"type": "object"}, "description": 5}
    assert problems(anthropic, "messages_post", body=anthropic_says("hi", tools=[tool])) == [
        "body.tools[0].description: 5 is not of type 'string'"]
    assert problems(anthropic, "messages_post", body=anthropic_says("hi", tools=[{"name": "get"}])) == [
        "body.tools[0].input_schema: required property is missing"]
    tool = {"name": "", "input_schema": {"type": "object"}}
    assert problems(anthropic, "messages_post", body=anthropic_says("hi", tools=[tool])) == [
        "body.tools[0].name: too short: 0 characters < 1 required",
        "body.tools[0].name: '' does not match '^[a-zA-Z0-9_-]{1,128}$'"]
    tool = {"type": "custom", "name": "x" * 200, "input_schema": {"type": "object"}}
    got = problems(anthropic, "messages_post", body=anthropic_says("hi", tools=[tool]))
    assert got[0] == "body.tools[0].name: too long: 200 characters > 128 allowed"


def test_anthropic_server_tool_definition(anthropic):
    tools = [{"type": "bash_20250124", "name": "wrong"}]
    assert problems(anthropic, "messages_post", body=anthropic_says("hi", tools=tools)) == [
        "body.tools[0].name: expected 'bash', got 'wrong'"]
    (got,) = problems(anthropic, "messages_post", body=anthropic_says("hi", tools=[{"type": "bash_2099"}]))
    assert got.startswith("body.tools[0].type: 'bash_2099' is not one of the accepted types: 'custom', "
                          "'bash_20250124', ")
    assert "'web_search_20250305'" in got


def test_anthropic_tool_choice_and_bounds(anthropic):
    assert problems(anthropic, "messages_post", body=anthropic_says("hi", tool_choice={"type": "tool"})) == [
        "body.tool_choice.name: required property is missing"]
    assert problems(anthropic, "messages_post", body=anthropic_says("hi", tool_choice={"type": "magic"})) == [
        "body.tool_choice.type: 'magic' is not one of the accepted types: 'any', 'auto', 'none', 'tool'"]
    assert problems(anthropic, "messages_post", body=anthropic_says("hi", temperature=3, max_tokens=-1)) == [
        "body.max_tokens: too small: -1 < 0 (minimum)", "body.temperature: too large: 3 > 1 (maximum)"]


# ---------------------------------------------- bounds in both dialects
def _spec(tmp_path, version, schema):
    doc = {"openapi": version, "info": {"title": "t", "version": "1"},
           "paths": {"/x": {"post": {"operationId": "send", "requestBody": {"required": True, "content": {
               "application/json": {"schema": schema}}}, "responses": {"200": {"description": "ok"}}}}}}
    path = tmp_path / f"spec-{version}.json"
    path.write_text(json.dumps(doc))
    return Client(str(path), base_url="http://127.0.0.1:9")


BOUNDS_30 = {"type": "object", "properties": {
    "below": {"type": "number", "maximum": 2, "exclusiveMaximum": True},
    "above": {"type": "integer", "minimum": 1, "exclusiveMinimum": True},
    "tags": {"type": "object", "maxProperties": 1},
    "code": {"type": "string", "minLength": 3},
    "step": {"type": "integer", "multipleOf": 5},
    "mode": {"oneOf": [{"type": "string", "enum": ["a", "b"]}, {"type": "string", "enum": ["c"]}]}}}


def test_bounds_of_openapi_30(tmp_path):
    client = _spec(tmp_path, "3.0.3", BOUNDS_30)
    got = problems(client, "send", body={"below": 2, "above": 1, "tags": {"a": 1, "b": 2}, "code": "ab",
                                         "step": 7, "mode": "z"})
    assert sorted(got) == sorted([
        "body.below: too large: 2 >= 2 (exclusive maximum)",
        "body.above: too small: 1 <= 1 (exclusive minimum)",
        "body.tags: too many properties: 2 > 1 allowed",
        "body.code: too short: 2 characters < 3 required",
        "body.step: 7 is not a multiple of 5",
        "body.mode: 'z' is not one of ['a', 'b', 'c']"])
    assert client.prepare("send", body={"below": 1.5, "above": 2, "code": "abc", "step": 10, "mode": "c"})


def test_bounds_of_openapi_31(tmp_path):
    schema = {"type": "object", "properties": {
        "below": {"type": "number", "exclusiveMaximum": 2},
        "above": {"type": "integer", "exclusiveMinimum": 1},
        "kind": {"const": "fixed"},
        "name": {"type": "string", "maxLength": 4}}}
    client = _spec(tmp_path, "3.1.0", schema)
    got = problems(client, "send", body={"below": 2, "above": 1, "kind": "other", "name": "long name"})
    assert sorted(got) == sorted([
        "body.below: too large: 2 >= 2 (exclusive maximum)",
        "body.above: too small: 1 <= 1 (exclusive minimum)",
        "body.kind: expected 'fixed', got 'other'",
        "body.name: too long: 9 characters > 4 allowed"])


@pytest.mark.parametrize("prop, called", [("kind", "kinds"), ("status", "values of status"),
                                          ("event_type", "values of event_type")])
def test_discriminator_without_mapping_lists_the_alternatives_values(tmp_path, prop, called):
    def part(name):
        return {"type": "object", "required": [prop, name],
                "properties": {prop: {"type": "string", "enum": [name]}, name: {"type": "string"}}}
    schema = {"type": "object", "properties": {"part": {
        "oneOf": [part("cat"), part("dog")], "discriminator": {"propertyName": prop}}}}
    client = _spec(tmp_path, "3.1.0", schema)
    assert problems(client, "send", body={"part": {prop: "cow"}}) == [
        f"body.part.{prop}: 'cow' is not one of the accepted {called}: 'cat', 'dog'"]
    assert problems(client, "send", body={"part": {"cat": "x"}}) == [
        f"body.part.{prop}: required property is missing (accepted {called}: 'cat', 'dog')"]
    assert problems(client, "send", body={"part": "cat"}) == ["body.part: 'cat' is not of type 'object'"]


def test_union_without_discriminator_and_no_selecting_value(tmp_path):
    """Alternatives told apart by a ``const`` only: the one whose value
    matches reports its own problems; a value none has lists them all."""
    def shape(name, extra):
        return {"type": "object", "required": ["shape", extra], "additionalProperties": False,
                "properties": {"shape": {"const": name}, extra: {"type": "number", "minimum": 0}}}
    schema = {"type": "object", "properties": {"shapes": {"type": "array", "items": {
        "anyOf": [shape("circle", "radius"), shape("square", "side"), {"type": "string", "maxLength": 3}]}}}}
    client = _spec(tmp_path, "3.1.0", schema)
    body = {"shapes": [{"shape": "square", "side": -1, "radius": 2}, {"shape": "hexagon"}, "long", 7]}
    assert problems(client, "send", body=body) == [
        "body.shapes[0].radius: unexpected property (not in the schema)",
        "body.shapes[0].side: too small: -1 < 0 (minimum)",
        "body.shapes[1].shape: 'hexagon' is not one of the accepted shapes: 'circle', 'square'",
        "body.shapes[2]: too long: 4 characters > 3 allowed",
        "body.shapes[3]: 7 is not of type 'object' or 'string'"]



# ------------------------------------------------------ any value, any union
_words = st.sampled_from(["", "text", "image_url", "user", "robot", "label_model", "function", "x"])
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | _words,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["type", "role", "content", "text", "input", "name", "url"]), inner,
                      max_size=4),
    max_leaves=10)


@settings(database=None, max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(content=_json, tool=_json, fmt=_json)
def test_any_value_in_union_heavy_places_gets_located_problems(openai_client, anthropic, content, tool, fmt):
    """No shape of value makes the wording fail (its fallback is switched
    off here), and every problem is located and shown once."""
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": content}],
            "tools": [tool], "response_format": fmt}

    def strict(errors, prefix, document=None):
        return problems_module.unique([p for e in errors for p in problems_module.translate(e, prefix, document)])

    claude = {"model": "claude-x", "max_tokens": 5, "messages": [{"role": "user", "content": content}],
              "tools": [tool], "tool_choice": fmt}
    for client, op_id, value in ((openai_client, "createChatCompletion", body),
                                 (anthropic, "messages_post", claude)):
        try:
            with unittest.mock.patch.object(validation, "translate_all", strict):
                client.prepare(op_id, body=value)
        except RequestValidationError as exc:
            shown = [str(p) for p in exc.errors]
            assert shown and len(shown) == len(set(shown))
            assert all(p.location.startswith("body") and p.message for p in exc.errors)
