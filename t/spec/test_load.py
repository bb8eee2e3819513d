"""load_spec: every kind of source, multi-file bundling, YAML details, and
every way a spec can be refused (each SpecError says what and where)."""
import copy
import json
import logging
import pathlib
import shutil
import time

import pytest

from openapi_dyn._errors import SpecError
from openapi_dyn._spec import bundled
from openapi_dyn._spec import load as load_mod
from openapi_dyn._spec.load import LoadedSpec, load_spec, parse_text

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "load"
PETSTORE = DATA / "petstore.yaml"
MULTI = DATA / "multi"
MULTI_ROOT = MULTI / "api" / "openapi.yaml"
BAD = DATA / "bad"


@pytest.fixture
def no_cache(monkeypatch):
    monkeypatch.setenv("OPENAPI_DYN_CACHE", "0")


def refs_of(doc):
    """Every (ref, pointer-of-the-$ref-object) outside examples."""
    out = []

    def walk(node, path):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                out.append((ref, path))
            for k, v in node.items():
                if k not in ("example", "examples", "value"):
                    walk(v, f"{path}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path}/{i}")

    walk(doc, "")
    return out


def deref(doc, ref):
    assert ref.startswith("#/"), ref
    node = doc
    for tok in ref[2:].split("/"):
        tok = tok.replace("~1", "/").replace("~0", "~")
        node = node[int(tok)] if isinstance(node, list) else node[tok]
    return node


def assert_self_contained(doc):
    refs = refs_of(doc)
    for ref, where in refs:
        assert ref.startswith("#/"), f"non-local $ref {ref!r} at {where}"
        deref(doc, ref)           # raises when it does not resolve
    return refs


def write(tmp_path, name, text):
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


MINIMAL = """\
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    get:
      responses:
        '200': {description: ok}
"""


# ------------------------------------------------------------------ sources
def test_yaml_path_str_and_pathlib(no_cache):
    by_str = load_spec(str(PETSTORE))
    by_path = load_spec(PETSTORE)
    assert isinstance(by_str, LoadedSpec)
    assert by_str.origin == str(PETSTORE)
    assert by_str.document == by_path.document
    assert by_str.document["openapi"] == "3.0.3"
    assert by_str.content_hash == load_mod.hashlib.sha256(PETSTORE.read_bytes()).hexdigest()
    assert isinstance(by_str.repairs, list)
    assert_self_contained(by_str.document)


def test_json_path_gives_the_same_document(no_cache):
    from_json = load_spec(DATA / "petstore.json")
    assert from_json.document == load_spec(PETSTORE).document


def test_dict_source_is_copied_not_mutated(no_cache):
    original = parse_text(PETSTORE.read_bytes())
    # something for the repair step to change, so that a mutation would show
    original["components"]["schemas"]["Pet"]["properties"]["nick"] = {"type": "string", "nullable": True}
    original["paths"][200] = None          # a non-string key: it becomes "200"
    del original["paths"][200]
    snapshot = copy.deepcopy(original)
    loaded = load_spec(original)
    assert loaded.origin == "<dict>"
    assert original == snapshot
    assert loaded.document is not original
    assert loaded.document["paths"]["/pets"]["get"]["operationId"] == "listPets"
    assert len(loaded.content_hash) == 64


def test_dict_source_keys_and_dates_become_strings(no_cache):
    import datetime
    doc = parse_text(MINIMAL)
    doc["paths"]["/a"]["get"]["responses"] = {200: {"description": "ok"}}
    doc["info"]["x-released"] = datetime.date(2024, 1, 2)
    loaded = load_spec(doc)
    assert list(loaded.document["paths"]["/a"]["get"]["responses"]) == ["200"]
    assert loaded.document["info"]["x-released"] == "2024-01-02"


def test_default_source_is_the_bundled_openai_spec():
    loaded = load_spec()
    assert loaded.origin == "bundled:openai"
    assert loaded.document["openapi"].startswith("3.")
    assert "/chat/completions" in loaded.document["paths"]
    assert loaded.content_hash == bundled.get("openai").sha256


@pytest.mark.parametrize("name", ["anthropic", "cohere", "azure-openai", "azure-openai-preview"])
def test_every_bundled_name_loads(name):
    loaded = load_spec(name)
    assert loaded.origin == f"bundled:{name}"
    assert loaded.document["paths"]
    assert loaded.content_hash == bundled.get(name).sha256
    refs = refs_of(loaded.document)
    assert all(r.startswith("#/") for r, _ in refs)


def test_bundled_prefix_and_names():
    assert bundled.names()[0] == "openai"
    assert set(bundled.names()) == {"openai", "anthropic", "cohere", "azure-openai", "azure-openai-preview",
                                    "groq", "deepseek", "together", "xai", "anthropic-bedrock",
                                    "gemini", "vertex"}
    assert load_spec("bundled:azure-openai").origin == "bundled:azure-openai"


def test_unresolvable_refs_in_extensions_are_renamed_not_fatal(no_cache):
    # azure-openai ships x-ms-examples that $ref example files it does not ship
    doc = load_spec("azure-openai").document
    text = json.dumps(doc)
    assert '"x-unresolved-$ref": "./examples/' in text
    assert all(r.startswith("#/") for r, _ in refs_of(doc))


def test_bundled_hash_mismatch_is_loaded_with_a_warning(monkeypatch, caplog, no_cache):
    real_get = bundled.get
    monkeypatch.setattr(bundled, "get", lambda name: real_get(name)._replace(sha256="0" * 64))
    load_mod._warned_hash.clear()
    with caplog.at_level(logging.WARNING, logger="openapi_dyn._spec.load"):
        loaded = load_spec("azure-openai")
    assert loaded.document["paths"]
    assert any("sha256" in r.getMessage() and "azure-openai" in r.getMessage() for r in caplog.records)


# ------------------------------------------------------------------ YAML details
def test_dates_stay_strings_and_keys_are_strings(no_cache):
    doc = load_spec(PETSTORE).document
    get = doc["paths"]["/pets"]["get"]
    assert list(get["responses"]) == ["200", "default"]        # 200: was an int key
    example = get["responses"]["200"]["content"]["application/json"]["example"][0]
    assert example["born"] == "2020-05-17"
    assert example["seen"] == "2024-01-01T10:20:30Z"            # exactly as written
    assert get["parameters"][1]["schema"]["example"] == "2024-01-01"
    assert doc["components"]["schemas"]["Pet"]["properties"]["born"]["default"] == "2019-01-01"
    json.dumps(doc)                                             # plain JSON data throughout


def test_yaml_odd_scalars():
    doc = parse_text("a: !!timestamp 2001-12-14t21:59:43.10-05:00\n"
                     "b: =\n"
                     "1.5: x\n"
                     "null: y\n"
                     "on: z\n"
                     "2024-01-01: d\n")
    assert doc == {"a": "2001-12-14t21:59:43.10-05:00", "b": "=", "1.5": "x", "null": "y",
                   "on": "z", "2024-01-01": "d"}


def test_yaml_merge_keys_and_aliases(no_cache):
    schemas = load_spec(PETSTORE).document["components"]["schemas"]
    assert schemas["Problem"]["properties"] == schemas["Error"]["properties"]
    assert schemas["Problem"]["description"].startswith("the same as Error")


def test_literal_examples_are_not_taken_as_references(no_cache):
    doc = load_spec(PETSTORE).document
    ex = doc["paths"]["/pets/{petId}"]["get"]["responses"]["200"]["content"]["application/json"]["examples"]
    assert ex["literal"]["value"] == {"$ref": "#/this/is/just/data"}
    # a property named like a keyword ("default") is still a schema with a $ref
    assert doc["components"]["schemas"]["Pet"]["properties"]["default"]["$ref"] == "#/components/schemas/Error"


def test_the_loader_is_safe_and_uses_libyaml_when_present():
    import yaml
    assert issubclass(load_mod._SpecYAMLLoader, yaml.constructor.SafeConstructor)
    assert issubclass(load_mod._SpecYAMLLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    with pytest.raises(SpecError):
        parse_text("x: !!python/object/apply:os.system ['true']\n")


# ------------------------------------------------------------------ multi-file
def test_multi_file_spec_is_bundled(no_cache):
    loaded = load_spec(MULTI_ROOT)
    doc = loaded.document
    refs = assert_self_contained(doc)
    assert refs
    schemas = doc["components"]["schemas"]
    # the root's own component that was a $ref to another file took that file's content
    assert schemas["Pet"]["required"] == ["id", "name", "kind"]
    # local refs inside pet.yaml (#/Kind, #/Pet) refer to pet.yaml, not the root
    assert deref(doc, schemas["Pet"]["properties"]["kind"]["$ref"]) == {"type": "string", "enum": ["cat", "dog"]}
    assert schemas["Pet"]["properties"]["children"]["items"]["$ref"] == "#/components/schemas/Pet"
    # ../../shared/address.yaml from schemas/owner.yaml
    owner = deref(doc, schemas["Pet"]["properties"]["owner"]["$ref"])
    address = deref(doc, owner["properties"]["address"]["$ref"])
    assert address["properties"]["since"]["example"] == "2000-12-31"
    # the root's own Error is kept; shared/error.yaml's Error gets another name
    assert schemas["Error"]["type"] == "string"
    err_resp = doc["components"]["responses"]["Error"]
    assert deref(doc, err_resp["content"]["application/json"]["schema"]["$ref"])["properties"]["code"]
    # path item and operation references are inlined in place
    pets = doc["paths"]["/pets"]
    assert pets["summary"] == "The pets collection"
    assert pets["get"]["operationId"] == "listPets"
    assert doc["paths"]["/pets/{petId}"]["get"]["operationId"] == "showPetById"
    # parameters.yaml: a parameter whose schema is a local ref inside that file
    limit = deref(doc, pets["parameters"][0]["$ref"])
    assert deref(doc, limit["schema"]["$ref"]) == {"type": "integer", "maximum": 50}
    kind = deref(doc, pets["get"]["parameters"][0]["$ref"])
    assert kind["name"] == "kind" and deref(doc, kind["schema"]["$ref"])["enum"] == ["cat", "dog"]
    # an Example Object from a JSON file goes to components/examples
    ex = pets["get"]["responses"]["200"]["content"]["application/json"]["examples"]["two"]
    assert ex["$ref"].startswith("#/components/examples/")
    assert deref(doc, ex["$ref"])["value"][1]["name"] == "Rex"
    # an example value from another file is inlined, its dates kept as text
    created = pets["post"]["responses"]["201"]["content"]["application/json"]["example"]
    assert created == {"id": 3, "name": "Felix", "kind": "cat", "born": "2022-02-02"}
    # a $ref as a plain value (info.description) is inlined
    assert doc["info"]["description"].startswith("A spec split over several files")
    # discriminator mappings to other files become local
    mapping = schemas["Pet"]["discriminator"]["mapping"]
    assert deref(doc, mapping["cat"])["allOf"][1]["properties"]["purrs"] == {"type": "boolean"}
    assert deref(doc, mapping["dog"])["allOf"][1]["properties"]["barks"] == {"type": "boolean"}


def test_multi_file_content_hash_covers_every_file(tmp_path, no_cache):
    copy_root = tmp_path / "multi"
    shutil.copytree(MULTI, copy_root)
    root = copy_root / "api" / "openapi.yaml"
    first = load_spec(root).content_hash
    assert first != load_mod.hashlib.sha256(root.read_bytes()).hexdigest()
    assert load_spec(root).content_hash == first
    address = copy_root / "shared" / "address.yaml"
    address.write_text(address.read_text().replace("city", "town"))
    second = load_spec(root)
    assert second.content_hash != first
    assert "town" in json.dumps(second.document)


def test_multi_file_cycles(tmp_path, no_cache):
    write(tmp_path, "a.yaml", "type: object\nproperties:\n  b: {$ref: 'b.yaml'}\n")
    write(tmp_path, "b.yaml", "type: object\nproperties:\n  a: {$ref: 'a.yaml'}\n  self: {$ref: '#'}\n")
    root = write(tmp_path, "openapi.yaml", MINIMAL.replace(
        "'200': {description: ok}",
        "'200':\n          description: ok\n          content:\n            application/json:\n"
        "              schema: {$ref: 'a.yaml'}"))
    doc = load_spec(root).document
    assert_self_contained(doc)
    schemas = doc["components"]["schemas"]
    assert schemas["a"]["properties"]["b"] == {"$ref": "#/components/schemas/b"}
    assert schemas["b"]["properties"]["a"] == {"$ref": "#/components/schemas/a"}
    assert schemas["b"]["properties"]["self"] == {"$ref": "#/components/schemas/b"}


def test_each_external_file_is_parsed_once(no_cache):
    before = load_mod.stats["parsed"]
    load_spec(MULTI_ROOT)
    files = {p for p in MULTI.rglob("*") if p.is_file()}
    assert load_mod.stats["parsed"] - before <= len(files)


def test_name_collisions_get_distinct_names(tmp_path, no_cache):
    write(tmp_path, "x/Thing.yaml", "type: string\n")
    write(tmp_path, "y/Thing.yaml", "type: integer\n")
    root = write(tmp_path, "openapi.yaml", """\
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /a:
    get:
      parameters:
        - {name: p, in: query, schema: {$ref: 'x/Thing.yaml'}}
        - {name: q, in: query, schema: {$ref: 'y/Thing.yaml'}}
        - {name: r, in: query, schema: {$ref: '#/components/schemas/Thing'}}
      responses:
        '200': {description: ok}
components:
  schemas:
    Thing: {type: boolean}
""")
    doc = load_spec(root).document
    params = doc["paths"]["/a"]["get"]["parameters"]
    types = [deref(doc, p["schema"]["$ref"])["type"] for p in params]
    assert types == ["string", "integer", "boolean"]
    assert len({p["schema"]["$ref"] for p in params}) == 3


def test_ref_through_another_ref(tmp_path, no_cache):
    write(tmp_path, "models.yaml", "Outer:\n  $ref: 'inner.yaml#/Inner'\n")
    write(tmp_path, "inner.yaml", "Inner:\n  type: object\n  properties:\n    n: {type: number}\n")
    root = write(tmp_path, "openapi.yaml", MINIMAL.replace(
        "'200': {description: ok}",
        "'200':\n          description: ok\n          content:\n            application/json:\n"
        "              schema: {$ref: 'models.yaml#/Outer/properties/n'}"))
    doc = load_spec(root).document
    schema = doc["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert deref(doc, schema["$ref"]) == {"type": "number"}


def test_digitalocean_multi_file_spec(shared_dir, no_cache):
    path = shared_dir / "specs" / "digitalocean" / "specification" / "DigitalOcean-public.v2.yaml"
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    before = load_mod.stats["parsed"]
    t0 = time.perf_counter()
    loaded = load_spec(path)
    elapsed = time.perf_counter() - t0
    parsed = load_mod.stats["parsed"] - before
    files = sum(1 for p in path.parent.rglob("*") if p.is_file())
    refs = assert_self_contained(loaded.document)
    print(f"\nDigitalOcean: {parsed} files parsed (of {files}), {len(refs)} refs, {elapsed:.2f}s")
    assert parsed <= files
    assert len(loaded.document["paths"]) > 300
    assert len(refs) > 5000
    assert elapsed < 30


# ------------------------------------------------------------------ over HTTP
@pytest.fixture(scope="module")
def server():
    from pytest_httpserver import HTTPServer
    srv = HTTPServer(host="127.0.0.1", port=0)
    srv.start()
    yield srv
    srv.clear()
    if srv.is_running():
        srv.stop()


def serve_tree(server, root_dir, prefix="/specs"):
    for p in sorted(root_dir.rglob("*")):
        if p.is_file():
            rel = p.relative_to(root_dir).as_posix()
            server.expect_request(f"{prefix}/{rel}").respond_with_data(
                p.read_bytes(), content_type="application/yaml")


def test_url_single_file(server, no_cache):
    server.clear()
    server.expect_request("/petstore.yaml").respond_with_data(PETSTORE.read_bytes())
    url = server.url_for("/petstore.yaml")
    assert url.startswith("http://127.0.0.1:")
    loaded = load_spec(url)
    assert loaded.origin == url
    assert loaded.document == load_spec(PETSTORE).document


def test_url_multi_file_relative_refs(server, no_cache):
    server.clear()
    serve_tree(server, MULTI)
    loaded = load_spec(server.url_for("/specs/api/openapi.yaml"))
    assert loaded.document == load_spec(MULTI_ROOT).document
    assert_self_contained(loaded.document)


def test_url_errors(server, no_cache):
    server.clear()
    server.expect_request("/root.yaml").respond_with_data(
        MINIMAL.replace("'200': {description: ok}", "'200': {$ref: 'missing.yaml'}"))
    with pytest.raises(SpecError) as e:
        load_spec(server.url_for("/nope.yaml"))
    assert "HTTP 500" in e.value.what or "HTTP 404" in e.value.what
    assert e.value.where == server.url_for("/nope.yaml")
    with pytest.raises(SpecError) as e:
        load_spec(server.url_for("/root.yaml"))
    assert "missing.yaml" in e.value.what
    assert e.value.where == server.url_for("/root.yaml") + "#/paths/~1a/get/responses/200"


def test_url_spec_cannot_reach_local_files(server, no_cache):
    server.clear()
    server.expect_request("/root.yaml").respond_with_data(
        MINIMAL.replace("'200': {description: ok}", f"'200': {{$ref: '{PETSTORE.as_uri()}'}}"))
    with pytest.raises(SpecError) as e:
        load_spec(server.url_for("/root.yaml"))
    assert "local files" in e.value.what


def test_connection_refused_is_a_spec_error(no_cache):
    with pytest.raises(SpecError) as e:
        load_spec("http://127.0.0.1:9/openapi.yaml")
    assert "cannot fetch" in e.value.what


# ------------------------------------------------------------------ refusals
def check_error(source, what_part, where):
    with pytest.raises(SpecError) as e:
        load_spec(source, cache=False)
    assert what_part in e.value.what, e.value.what
    if where is not None:
        assert e.value.where == where, e.value.where
    assert e.value.where and e.value.where in str(e.value)
    return e.value


def test_file_not_found(tmp_path):
    p = str(tmp_path / "nope.yaml")
    check_error(p, "not found", p)


def test_directory_is_not_a_spec(tmp_path):
    check_error(str(tmp_path) + "/", "directory", None)


def test_yaml_syntax_error_has_line_and_column(tmp_path):
    p = write(tmp_path, "bad.yaml", "openapi: 3.0.0\npaths:\n  /a: {get: [\n    x: : y\n")
    err = check_error(str(p), "not valid YAML", None)
    assert err.where.startswith(f"{p}:")
    line, col = err.where.rsplit(":", 2)[1:]
    assert int(line) >= 3 and int(col) >= 1


def test_json_syntax_error_has_line_and_column(tmp_path):
    p = write(tmp_path, "bad.json", '{\n  "openapi": "3.0.0",\n  "paths": {,}\n}\n')
    check_error(str(p), "not valid JSON", f"{p}:3:13")


def test_top_level_must_be_a_mapping(tmp_path):
    p = write(tmp_path, "list.yaml", "- 1\n- 2\n")
    check_error(str(p), "not a mapping", str(p))
    empty = write(tmp_path, "empty.yaml", "")
    check_error(str(empty), "empty", str(empty))


def test_swagger_1_is_refused(tmp_path):
    # Swagger 2.0 is converted (t/spec/test_swagger2.py); the older format is not
    p = write(tmp_path, "swagger.yaml", "swagger: '1.2'\ninfo: {title: t, version: '1'}\npaths: {}\n")
    err = check_error(str(p), "Swagger '1.2' is not supported: only Swagger 2.0 and OpenAPI 3.x", f"{p}#/swagger")
    assert "openapi" not in err.what.lower().split("only")[0]


def test_missing_openapi_field(tmp_path):
    p = write(tmp_path, "x.yaml", "info: {title: t, version: '1'}\npaths: {}\n")
    check_error(str(p), "no 'openapi' field", str(p))


@pytest.mark.parametrize("version", ["2.0", "4.0.0", "'three'", "true"])
def test_openapi_version_must_be_3(tmp_path, version):
    p = write(tmp_path, "x.yaml", f"openapi: {version}\ninfo: {{title: t, version: '1'}}\npaths: {{}}\n")
    check_error(str(p), "only OpenAPI 3.x", f"{p}#/openapi")


def test_no_paths_and_no_webhooks(tmp_path):
    p = write(tmp_path, "x.yaml", "openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents: {}\n")
    check_error(str(p), "no 'paths'", str(p))
    ok = write(tmp_path, "hooks.yaml", "openapi: 3.1.0\ninfo: {title: t, version: '1'}\nwebhooks: {}\n")
    assert load_spec(ok, cache=False).document["webhooks"] == {}


def test_paths_must_be_a_mapping(tmp_path):
    p = write(tmp_path, "x.yaml", "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: [1]\n")
    check_error(str(p), "'paths' must be a mapping", f"{p}#/paths")


def test_unresolved_local_ref(tmp_path):
    p = write(tmp_path, "x.yaml", MINIMAL.replace(
        "'200': {description: ok}", "'200': {$ref: '#/components/responses/Nope'}"))
    err = check_error(str(p), "$ref '#/components/responses/Nope' does not resolve",
                      f"{p}#/paths/~1a/get/responses/200")
    assert "components" in err.what


def test_unresolved_external_file(tmp_path):
    p = write(tmp_path, "x.yaml", MINIMAL.replace(
        "'200': {description: ok}", "'200': {$ref: 'responses/ok.yaml'}"))
    err = check_error(str(p), "$ref 'responses/ok.yaml' does not resolve",
                      f"{p}#/paths/~1a/get/responses/200")
    assert "file not found" in err.what and str(tmp_path / "responses" / "ok.yaml") in err.what


def test_unresolved_pointer_inside_an_external_file(tmp_path):
    ext = write(tmp_path, "schemas.yaml", "A:\n  type: object\n  properties:\n    b: {$ref: '#/B'}\n")
    p = write(tmp_path, "x.yaml", MINIMAL.replace(
        "'200': {description: ok}",
        "'200':\n          description: ok\n          content:\n            application/json:\n"
        "              schema: {$ref: 'schemas.yaml#/A'}"))
    # the $ref at fault is in schemas.yaml: that file and its pointer are named
    err = check_error(str(p), "$ref '#/B' does not resolve", f"{ext}#/A/properties/b")
    assert "has no 'B'" in err.what


def test_external_file_syntax_error_names_that_file(tmp_path):
    ext = write(tmp_path, "broken.yaml", "a: [1, 2\n")
    p = write(tmp_path, "x.yaml", MINIMAL.replace("'200': {description: ok}", "'200': {$ref: 'broken.yaml'}"))
    err = check_error(str(p), "not valid YAML", None)
    assert err.where.startswith(f"{ext}:")


def test_non_pointer_fragment(tmp_path):
    p = write(tmp_path, "x.yaml", MINIMAL.replace("'200': {description: ok}", "'200': {$ref: '#anchor'}"))
    check_error(str(p), "not a JSON pointer", f"{p}#/paths/~1a/get/responses/200")


def test_path_item_that_refers_to_itself(tmp_path):
    write(tmp_path, "loop.yaml", "$ref: 'loop.yaml'\n")
    p = write(tmp_path, "x.yaml", "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a: {$ref: 'loop.yaml'}\n")
    check_error(str(p), "cycle", None)


def test_relative_ref_in_a_dict_source():
    doc = parse_text(MINIMAL.replace("'200': {description: ok}", "'200': {$ref: 'ok.yaml'}"))
    with pytest.raises(SpecError) as e:
        load_spec(doc, cache=False)
    assert "load the spec from its file or URL" in e.value.what
    assert e.value.where == "<dict>#/paths/~1a/get/responses/200"


def test_unknown_bundled_name_lists_the_known_ones():
    with pytest.raises(SpecError) as e:
        load_spec("opnai")
    for name in ("openai", "anthropic", "cohere", "azure-openai", "azure-openai-preview"):
        assert name in e.value.what
    assert e.value.where == "opnai"
    with pytest.raises(SpecError):
        load_spec("bundled:nope")


def test_unsupported_source_type():
    with pytest.raises(SpecError) as e:
        load_spec(42)
    assert "cannot load a spec from a int" in e.value.what


def test_strict_validation_reports_the_location(tmp_path):
    p = write(tmp_path, "x.yaml", MINIMAL.replace("'200': {description: ok}", "'200': {descr: ok}"))
    assert load_spec(p, cache=False).document                      # lenient by default
    err = check_error_strict(p)
    assert "does not validate" in err.what
    assert err.where.startswith(f"{p}#/paths/~1a/get/responses")


def check_error_strict(p):
    with pytest.raises(SpecError) as e:
        load_spec(p, cache=False, strict=True)
    return e.value


def test_strict_accepts_valid_specs(no_cache):
    assert load_spec(MULTI_ROOT, strict=True).document
    assert load_spec(PETSTORE, strict=True).document


# ------------------------------------------------------------------ repair
def test_repair_step_runs_and_reports(tmp_path, no_cache):
    try:
        from openapi_dyn._spec.repair import Repair
    except ImportError:
        pytest.skip("the repair step is not there yet")
    p = write(tmp_path, "x.yaml", MINIMAL + """\
components:
  schemas:
    N:
      type: string
      nullable: true
""".replace("openapi: 3.0.3", "openapi: 3.0.3"))
    loaded = load_spec(p)
    assert all(isinstance(r, Repair) for r in loaded.repairs)
    # the document is the repaired one: running the repair again changes nothing
    from openapi_dyn._spec.repair import repair_document
    again = copy.deepcopy(loaded.document)
    assert repair_document(again) == []
    assert again == loaded.document


def test_error_inside_an_inlined_path_item_names_its_file(tmp_path):
    item = write(tmp_path, "paths/a.yaml",
                 "get:\n  responses:\n    '200': {$ref: '../responses.yaml#/missing'}\n")
    write(tmp_path, "responses.yaml", "ok: {description: ok}\n")
    p = write(tmp_path, "x.yaml",
              "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a: {$ref: 'paths/a.yaml'}\n")
    check_error(str(p), "$ref '../responses.yaml#/missing' does not resolve",
                f"{item}#/get/responses/200")


def test_http_ref_from_a_local_file_is_fetched(server, tmp_path, no_cache):
    server.clear()
    server.expect_request("/schemas/thing.yaml").respond_with_data(
        "type: object\nproperties:\n  part: {$ref: 'part.yaml'}\n")
    server.expect_request("/schemas/part.yaml").respond_with_data("type: integer\n")
    url = server.url_for("/schemas/thing.yaml")
    p = write(tmp_path, "x.yaml", MINIMAL.replace(
        "'200': {description: ok}",
        "'200':\n          description: ok\n          content:\n            application/json:\n"
        f"              schema: {{$ref: '{url}'}}"))
    doc = load_spec(p).document
    assert_self_contained(doc)
    thing = doc["components"]["schemas"]["thing"]
    assert deref(doc, thing["properties"]["part"]["$ref"]) == {"type": "integer"}


def test_bundled_registry_entries():
    entry = bundled.entry("openai")
    assert entry["name"] == "openai"
    assert entry["profile"] == "openai"
    assert bundled.entry("nope") is None
    loaded = load_spec("azure-openai")
    assert loaded.bundled_name == "azure-openai"
    assert load_spec(PETSTORE, cache=False).bundled_name is None
