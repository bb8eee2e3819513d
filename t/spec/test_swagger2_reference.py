"""The Swagger 2.0 conversion against swagger2openapi, the reference converter:
the same documents converted by both, compared operation by operation
(servers, parameters with their effective style and explode, request body
media types and schemas, responses with headers and examples, security) and
component by component after the $refs are rewritten.

Where the two formats can say the same thing the results must be equal.  The
differences this project chose, each undone in :func:`_align` before
comparing, and why:

* ``collectionFormat: tsv``: swagger2openapi keeps ``x-collectionFormat: tsv``
  and leaves the 3.0 default (``form``, exploded: one pair per value), which
  is not what the API expects; here it is ``form`` not exploded, with the
  same extension, and the values are joined by tabs when sent.
* form fields with a ``collectionFormat``: swagger2openapi drops it (the 3.0
  default, exploded, is ``multi``); here it is kept as the media type's
  ``encoding`` (``csv`` is ``form`` not exploded), so arrays go as the API
  expects.
* no ``schemes``: swagger2openapi writes a scheme-relative ``//host`` server,
  which a client cannot send to; Swagger 2.0 says to use the scheme the
  document was fetched with, which is that of the URL, else ``https``.
* ``x-s2o-*`` keys are swagger2openapi's notes to itself, and ``openapi``
  says 3.0.0 there and 3.0.3 here (no 3.0.3 rule is used).

swagger2openapi is an npm package: ``t/run`` installs it into
``.venv/node``; this test installs it there itself when node and npm exist
and it is missing, and skips only when node is not installed.
"""
import importlib.metadata
import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from openapi_dyn._spec.load import load_spec

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "swagger2"
S2O_VERSION = "7.0.8"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@pytest.fixture(scope="module")
def s2o():
    """The swagger2openapi command."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed: swagger2openapi (the reference converter) cannot run")
    env = os.environ.get("SWAGGER2OPENAPI")
    if env:
        return env
    prefix = pathlib.Path(sys.prefix) / "node"
    exe = prefix / "node_modules" / ".bin" / "swagger2openapi"
    if not exe.exists():
        npm = shutil.which("npm")
        assert npm, "node is installed but npm is not: install swagger2openapi with bash t/run"
        subprocess.run([npm, "install", "--prefix", str(prefix), "--no-save", "-q",
                        f"swagger2openapi@{S2O_VERSION}"], check=True, capture_output=True, timeout=300)
    return str(exe)


def _prance_file(rel):
    dist = importlib.metadata.distribution("prance")      # a test dependency that ships real documents
    path = pathlib.Path(dist.locate_file(rel))
    assert path.is_file(), f"prance no longer ships {rel}"
    return path


DOCUMENTS = {
    "shop": lambda: DATA / "shop.yaml",
    "multi-file": lambda: DATA / "multi" / "api.yaml",
    "petstore": lambda: _prance_file("tests/examples/v2.0/json/petstore.json"),
    "kubernetes": lambda: _prance_file("tests/specs/kubernetes_api_docs.json"),
}


def _reference(s2o, source, out):
    subprocess.run([s2o, "--patch", "--warnOnly", "--resolve", "--refSiblings", "preserve", "--rbname", "x-codegen-request-body-name",
                    str(source), "-o", str(out)], check=True, capture_output=True, timeout=300)
    return load_spec(out, cache=False).document


# ------------------------------------------------------------------ views
def _strip(node):
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if not (isinstance(k, str) and k.startswith("x-s2o"))}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _deref(doc, node):
    for _ in range(20):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            return node
        cur = doc
        for tok in node["$ref"][2:].split("/"):
            cur = cur[tok.replace("~1", "/").replace("~0", "~")]
        node = cur
    raise AssertionError("cycle")


def _param(p):
    style = p.get("style") or ("form" if p["in"] in ("query", "cookie") else "simple")
    explode = p.get("explode", style == "form")
    extensions = {k: v for k, v in p.items() if k.startswith("x-")}
    return {"style": style, "explode": explode, "required": bool(p.get("required")),
            "schema": p.get("schema"), "description": p.get("description"), "ext": extensions}


def _media(doc, content):
    return {mt: {"schema": m.get("schema"), "examples": m.get("examples"), "encoding": m.get("encoding")}
            for mt, m in (content or {}).items()}


def _response(doc, r):
    r = _deref(doc, r)
    headers = {k: _deref(doc, h) for k, h in (r.get("headers") or {}).items()}
    return {"description": r.get("description"), "content": _media(doc, r.get("content")),
            "headers": {k: {"schema": h.get("schema"), "description": h.get("description")}
                        for k, h in headers.items()}}


def _expand(doc, node, above=()):
    """``node`` with every schema $ref replaced by what it points at (a $ref
    back to a schema being expanded stays a $ref)."""
    if isinstance(node, list):
        return [_expand(doc, v, above) for v in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        if ref in above:
            return {"$ref": ref}
        return _expand(doc, _deref(doc, node), above + (ref,))
    return {k: _expand(doc, v, above) for k, v in node.items()}


def view(doc, expand=False):
    """operation -> what it says, and the components, as comparable data.
    ``expand``: schemas with their $refs replaced by their targets (for
    documents in several files, whose targets swagger2openapi inlines in
    some places and keeps as components in others)."""
    doc = _strip(doc)
    if expand:
        doc = {k: (_expand(doc, v) if k == "paths" else v) for k, v in doc.items()}
    ops = {}
    for path, item in doc["paths"].items():
        item = _deref(doc, item)
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = {}
            for p in (item.get("parameters") or []) + (op.get("parameters") or []):
                p = _deref(doc, p)
                params[(p["name"], p["in"])] = _param(p)
            body = _deref(doc, op.get("requestBody")) if op.get("requestBody") else None
            ops[f"{method.upper()} {path}"] = {
                "operationId": op.get("operationId"),
                "servers": op.get("servers") or item.get("servers") or doc.get("servers") or [{"url": "/"}],
                "parameters": params,
                "requestBody": body and {"required": bool(body.get("required")),
                                         "description": body.get("description"),
                                         "content": _media(doc, body.get("content")),
                                         "ext": {k: v for k, v in body.items() if k.startswith("x-")}},
                "responses": {str(c): _response(doc, r) for c, r in op["responses"].items()},
                "security": op.get("security", doc.get("security")),
                "ext": {k: v for k, v in op.items() if k.startswith("x-")},
            }
    comps = doc.get("components") or {}
    components = {
        "schemas": comps.get("schemas") or {},
        "securitySchemes": comps.get("securitySchemes") or {},
        "responses": {k: _response(doc, r) for k, r in (comps.get("responses") or {}).items()},
        "parameters": {k: _param(p) for k, p in (comps.get("parameters") or {}).items()
                       if "$ref" not in p},
    }
    return ops, components


def _align(ops):
    """Undo the chosen differences listed in the module docstring."""
    for op in ops.values():
        for p in op["parameters"].values():
            if p["ext"].get("x-collectionFormat") == "tsv":
                p["style"], p["explode"] = "tsv", None
        for server in op["servers"]:
            if server["url"].startswith("//"):
                server["url"] = "https:" + server["url"]
        if op["requestBody"]:
            for media in op["requestBody"]["content"].values():
                media["encoding"] = None
    return ops


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_same_as_swagger2openapi(name, s2o, tmp_path):
    source = DOCUMENTS[name]()
    ours_doc = load_spec(source, cache=False).document
    theirs_doc = _reference(s2o, source, tmp_path / "reference.json")
    expand = name == "multi-file"
    ours, ours_comps = view(ours_doc, expand)
    theirs, theirs_comps = view(theirs_doc, expand)
    ours, theirs = _align(ours), _align(theirs)
    assert sorted(ours) == sorted(theirs)
    differ = [k for k in theirs if ours[k] != theirs[k]]
    detail = {k: {part: (ours[k][part], theirs[k][part]) for part in ours[k] if ours[k][part] != theirs[k][part]}
              for k in differ[:3]}
    assert not differ, f"{len(differ)} of {len(theirs)} operations differ, e.g. {json.dumps(detail, default=str)[:3000]}"
    for section in ("schemas", "securitySchemes", "responses"):
        if expand:      # what swagger2openapi inlined is not a component there; the rest must agree
            for key in set(ours_comps[section]) & set(theirs_comps[section]):
                assert _expand(_strip(ours_doc), ours_comps[section][key]) == \
                    _expand(_strip(theirs_doc), theirs_comps[section][key]), (section, key)
            continue
        assert ours_comps[section] == theirs_comps[section], section
    # parameters both keep as components (swagger2openapi inlines some of those it resolves from other files)
    for key in set(ours_comps["parameters"]) & set(theirs_comps["parameters"]):
        assert ours_comps["parameters"][key] == theirs_comps["parameters"][key], key
    assert len(ours) >= 3


def test_the_differences_are_real(s2o, tmp_path):
    """Each difference listed above shows on the shop document, so the list
    is not stale: were swagger2openapi to agree, this test says so."""
    source = DOCUMENTS["shop"]()
    ours, _ = view(load_spec(source, cache=False).document)
    theirs, _ = view(_reference(s2o, source, tmp_path / "reference.json"))
    cells = ("cells", "query")
    assert (ours["GET /items"]["parameters"][cells]["explode"],
            theirs["GET /items"]["parameters"][cells]["explode"]) == (False, True)
    form = "application/x-www-form-urlencoded"
    assert ours["PUT /items/{id}"]["requestBody"]["content"][form]["encoding"] == {
        "labels": {"style": "form", "explode": False}}
    assert theirs["PUT /items/{id}"]["requestBody"]["content"][form]["encoding"] is None
