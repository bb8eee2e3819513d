"""Behaviour behind the performance work (never timings; see bench/ for those).

* Prepared schemas (:mod:`openapi_dyn._call.inline`) decide exactly as the document
  does: for every operation with a JSON body in the bundled specs (3.0 and
  3.1), a valid sample, the spec's own examples and a set of damaged bodies
  give the same problems with and without them.
* Per-operation validators are built once and reused.
* Exploring a spec (listing operations, the reference of one) imports neither
  openapi-core nor requests; ``import openapi_dyn`` imports neither either.
* The bundled spec comes from the disk cache on a second process.
"""
import copy
import json
import os
import subprocess
import sys

import pytest

from openapi_dyn import Client, RequestValidationError
from openapi_dyn._call import inline
from openapi_dyn._call.validation import validator_for

from samples import Sampler


def _problems(client, op_id, body, media_type):
    try:
        client.prepare(op_id, body=body, content_type=media_type, validate=True,
                       **_required_args(client.operation(op_id)))
    except RequestValidationError as exc:
        return sorted((p.location, p.message) for p in exc.errors)
    return []


_ARGS = {}


def _required_args(op):
    args = _ARGS.get(id(op))
    if args is None:
        sampler = Sampler(op.spec)
        args = _ARGS[id(op)] = {p.qualified_name: sampler.value(p.schema)
                                for p in op.parameters if p.required}
    return args


def _damaged(body):
    """Bodies that break ``body`` in the common ways: a required property
    gone, values of the wrong type, an unknown property, a nested value
    replaced, an array item of the wrong kind."""
    out = []
    if not isinstance(body, dict):
        return [None, {"x": 1}, [body], 12345]
    keys = list(body)
    for k in keys[:3]:
        b = dict(body)
        del b[k]
        out.append(b)
        for wrong in (12345, "text", [], {"zz": [1]}, None, True):
            b = dict(body)
            b[k] = wrong
            out.append(b)
    b = dict(body)
    b["zz_not_in_the_schema"] = 1
    out.append(b)
    for k in keys:
        v = body[k]
        if isinstance(v, list) and v:
            for wrong in ("text", {"role": "nobody"}, {}, [1]):
                b = copy.deepcopy(body)
                b[k][0] = wrong
                out.append(b)
            if isinstance(v[0], dict):
                for ik in list(v[0])[:3]:
                    b = copy.deepcopy(body)
                    b[k][0][ik] = 987
                    out.append(b)
        elif isinstance(v, dict):
            for ik in list(v)[:3]:
                b = copy.deepcopy(body)
                b[k][ik] = [None]
                out.append(b)
    out.append({})
    out.append([])
    return out


def _json_operations(client):
    for op_id, op in client.operations.items():
        mt = op.default_media_type()
        if mt and mt.split(";")[0].strip().endswith("json") and op.request_body[mt].schema:
            yield op_id, op, mt


@pytest.mark.parametrize("source", ["openai", "azure-openai", "anthropic"])
def test_prepared_schemas_decide_as_the_document_does(source, monkeypatch):
    from openapi_dyn.reference._model import document_operation

    fast = Client(source)
    plain = Client(source)
    sampler = Sampler(fast.spec)
    compared = differing = 0
    diffs = []
    for op_id, op, mt in _json_operations(fast):
        media = op.request_body[mt]
        bodies = [sampler.value(media.schema, use_examples=True),
                  sampler.value(media.schema, use_examples=False)]
        bodies += [ex.body for ex in document_operation(op).examples if ex.has_body]
        for body in list(bodies):
            bodies.extend(_damaged(body))
        for body in bodies:
            monkeypatch.setattr(inline, "ENABLED", True)
            got = _problems(fast, op_id, body, mt)
            monkeypatch.setattr(inline, "ENABLED", False)
            want = _problems(plain, op_id, body, mt)
            compared += 1
            if got != want:
                differing += 1
                diffs.append((op_id, json.dumps(body, default=str)[:200], got, want))
    assert compared > 50
    assert not diffs, f"{differing} of {compared} differ, e.g. {diffs[:3]}"


def test_prepared_schema_keeps_recursive_refs_and_shares_nodes():
    doc = {
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
        "components": {"schemas": {
            "Node": {"type": "object", "description": "a tree",
                     "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                                    "leaf": {"$ref": "#/components/schemas/Leaf", "description": "x"}}},
            "Leaf": {"type": "string", "minLength": 1},
            "Scoped": {"$id": "https://example.com/s", "type": "integer"},
        }},
    }
    p = inline.Preparer(doc)
    schemas = doc["components"]["schemas"]
    node = p.schema(schemas["Node"])
    assert "description" not in node
    assert node["properties"]["children"]["items"] == {"$ref": "#/components/schemas/Node"}
    assert node["properties"]["leaf"] is schemas["Leaf"]          # inlined, not copied
    assert p.schema(schemas["Node"]) is node                        # prepared once
    assert p.schema({"$ref": "#/components/schemas/Scoped"}) == {"$ref": "#/components/schemas/Scoped"}
    assert schemas["Node"]["properties"]["leaf"] == {"$ref": "#/components/schemas/Leaf", "description": "x"}
    resolved = p.resolver().lookup("#/components/schemas/Node")
    assert resolved.contents is node


def test_recursive_schema_validates_through_the_prepared_resolver():
    doc = {
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/t": {"post": {"operationId": "tree", "requestBody": {"required": True, "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Node"}}}},
            "responses": {"200": {"description": "ok"}}}}},
        "components": {"schemas": {
            "Node": {"type": "object", "required": ["name"],
                     "properties": {"name": {"type": "string"},
                                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}},
        }},
    }
    client = Client(doc, base_url="http://127.0.0.1:9")
    client.prepare("tree", body={"name": "a", "children": [{"name": "b", "children": [{"name": "c"}]}]})
    with pytest.raises(RequestValidationError) as exc:
        client.prepare("tree", body={"name": "a", "children": [{"name": "b", "children": [{}]}]})
    assert [p.location for p in exc.value.errors] == ["body.children[0].children[0].name"]


def test_validators_are_built_once_per_operation(openai_client):
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
    openai_client.prepare("createChatCompletion", body=body)
    checker = validator_for(openai_client.operation("createChatCompletion"))
    first = dict(checker._validators)
    for _ in range(3):
        openai_client.prepare("createChatCompletion", body=body)
    assert checker._validators == first
    assert all(checker._validators[k] is v for k, v in first.items())


def _run(code, cache_dir):
    env = dict(os.environ, OPENAPI_DYN_CACHE_DIR=str(cache_dir))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_exploring_imports_nothing_heavy(tmp_path):
    code = """if 1:
        import json, sys
        import openapi_dyn
        after_import = sorted(m for m in ("openapi_core", "requests", "jsonschema", "yaml", "urllib3")
                              if m in sys.modules)
        from openapi_dyn import Client
        c = Client()
        ops = list(c.operations)
        text = c.operation("createChatCompletion")
        from openapi_dyn.reference import _text as t
        page = t.render_operation(text)
        print(json.dumps({"import": after_import, "ops": len(ops), "page": len(page),
                          "heavy": sorted(m for m in ("openapi_core", "requests", "jsonschema", "pydantic")
                                          if m in sys.modules)}))
    """
    first = _run(code, tmp_path)           # fills the cache
    second = _run(code, tmp_path)          # reads it
    for got in (first, second):
        assert got["import"] == []
        assert got["heavy"] == []
        assert got["ops"] > 100 and got["page"] > 100


def test_second_process_reads_the_bundled_spec_from_the_cache(tmp_path):
    code = """if 1:
        import json
        from openapi_dyn import Client
        from openapi_dyn._spec import load
        Client()
        print(json.dumps(dict(load.stats)))
    """
    first = _run(code, tmp_path)
    second = _run(code, tmp_path)
    assert first.get("cache_miss") == 1 and not first.get("cache_hit")
    assert second.get("cache_hit") == 1 and not second.get("cache_miss") and not second.get("parsed")


def test_validating_loads_only_openapi_cores_schema_validation(tmp_path):
    code = """if 1:
        import json, sys
        from openapi_dyn import Client
        c = Client(api_key="sk-test")
        c.prepare("createChatCompletion", body={"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]})
        before = {m: m in sys.modules for m in ("openapi_core.validation.schemas", "openapi_core.app",
                                                  "openapi_spec_validator", "werkzeug")}
        import openapi_core
        from openapi_core import OpenAPI, validate_request
        after = {"version": openapi_core.__version__, "app": "openapi_core.app" in sys.modules,
                 "same": sys.modules["openapi_core"] is openapi_core,
                 "has_getattr": "__getattr__" in vars(openapi_core)}
        print(json.dumps({"before": before, "after": after}))
    """
    got = _run(code, tmp_path)
    assert got["before"] == {"openapi_core.validation.schemas": True, "openapi_core.app": False,
                             "openapi_spec_validator": False, "werkzeug": False}
    assert got["after"]["app"] and got["after"]["same"] and got["after"]["version"]
    assert not got["after"]["has_getattr"]


def test_openapi_core_imported_first_is_left_alone(tmp_path):
    code = """if 1:
        import json, sys
        import openapi_core
        from openapi_dyn import Client
        Client(api_key="sk-test").prepare("listModels")
        print(json.dumps({"same": sys.modules["openapi_core"] is openapi_core,
                          "has_getattr": "__getattr__" in vars(openapi_core)}))
    """
    assert _run(code, tmp_path) == {"same": True, "has_getattr": False}


def _toy_client(base_url):
    doc = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
           "paths": {"/ping": {"get": {"operationId": "ping", "responses": {"200": {"description": "ok"}}}}}}
    return Client(doc, base_url=base_url)


def test_environment_proxy_is_used(httpserver, monkeypatch):
    # the proxy sees the request in absolute form, for a host that does not exist
    httpserver.expect_request("/ping").respond_with_json({"via": "proxy"})
    monkeypatch.setenv("HTTP_PROXY", httpserver.url_for("/").rstrip("/"))
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = _toy_client("http://api.example.invalid")
    assert client.call("ping") == {"via": "proxy"}
    assert client.call("ping") == {"via": "proxy"}


def test_environment_settings_read_once_per_origin(httpserver, monkeypatch):
    httpserver.expect_request("/ping").respond_with_json({})
    client = _toy_client(httpserver.url_for("/").rstrip("/"))
    session = client.transport.session
    reads = []
    real = session.merge_environment_settings

    def counting(*args, **kwargs):
        reads.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(session, "merge_environment_settings", counting)
    for _ in range(3):
        client.call("ping")
    assert len(reads) == 1
    session.verify = False                 # a session setting changed: read again
    client.call("ping")
    assert len(reads) == 2
