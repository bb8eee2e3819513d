"""The generated reference: the documentation model, the CommonMark
conversion, and each output format checked by the tool that reads it
(podchecker, perldoc, pod2man, headless Chromium, Python's own parser)."""
import ast
import os
import re
import shutil
import subprocess
import sys
import zlib

import pytest

from openapi_dyn import Client
from openapi_dyn.reference import markup, model, render, render_operation, reference
from openapi_dyn.reference.model import document_operation

SPECS = ("openai", "anthropic", "cohere")


@pytest.fixture(scope="module")
def clients():
    return {name: Client(name) for name in SPECS}


@pytest.fixture(scope="module")
def refs(clients):
    return {name: reference(c) for name, c in clients.items()}


# ------------------------------------------------------------------ markup
def test_pod_markup_escapes_and_structures():
    src = ("Use `a<b>` and <x> with *care* and **force**; see [the guide](/docs/guide) "
           "or [ext](https://example.com/a|b).\n\n"
           "- one\n- two `C<x>`\n\n1. first\n2. second\n\n```\ncode <here>\n   indented\n```\n\n"
           "# Heading\n\n=head1 not a command\n")
    pod = "\n\n".join(markup.to_pod(src, "https://site.example"))
    assert "C<aE<lt>bE<gt>>" in pod
    assert "E<lt>xE<gt>" in pod
    assert "I<care>" in pod and "B<force>" in pod
    assert "L<the guide|https://site.example/docs/guide>" in pod
    assert "L<ext|https://example.com/a%7Cb>" in pod
    assert "=over 4\n\n=item *\n\none\n\n=item *\n\ntwo C<CE<lt>xE<gt>>\n\n=back" in pod
    assert "=item 1.\n\nfirst\n\n=item 2.\n\nsecond" in pod
    assert "    code <here>\n       indented" in pod
    assert "B<Heading>" in pod
    assert "Z<>=head1 not a command" in pod
    assert not re.search(r"^=head", pod, re.M)


def test_relative_links_without_site_stay_readable():
    pod = "\n\n".join(markup.to_pod("see [models](/docs/models)"))
    assert pod == "see models (/docs/models)"


def test_markdown_text_and_html_markup():
    src = "A [link](/docs/x) and `code` and *em*.\n\n## Sub\n\n- a\n- b"
    md = markup.to_markdown(src, "https://s.example")
    assert "[link](https://s.example/docs/x)" in md and "`code`" in md and "**Sub**" in md
    assert "- a\n- b" in md
    text = markup.to_text(src, "https://s.example")
    assert "link <https://s.example/docs/x>" in text and "* a" in text
    html = markup.to_html(src + "\n\n<script>alert(1)</script>", "https://s.example")
    assert 'href="https://s.example/docs/x"' in html and "<h5>Sub</h5>" in html
    assert "<script>" not in html


# ------------------------------------------------------------------- model
def test_body_properties_documented_one_by_one(clients):
    doc = document_operation(clients["openai"].operation("createRun"))
    body = doc.bodies[0]
    assert body.media_type == "application/json" and body.schema_name == "CreateRunRequest"
    props = {p.name: p for p in body.properties}
    assert props["assistant_id"].required and props["assistant_id"].type == "string"
    assert not props["model"].required and props["model"].nullable
    temperature = props["temperature"]
    assert temperature.default == 1 and ">= 0" in temperature.constraints
    tools = props["tools"]
    assert tools.variant_kind == "oneOf"
    assert [v.name for v in tools.variants] == ["AssistantToolsCode", "AssistantToolsFileSearch",
                                               "AssistantToolsFunction"]
    function = [v for v in tools.variants if v.name == "AssistantToolsFunction"][0]
    assert {p.name for p in function.properties} == {"type", "function"}
    trunc = props["truncation_strategy"]
    assert {p.name for p in trunc.properties} == {"type", "last_messages"}
    assert [p.enum for p in trunc.properties if p.name == "type"] == [["auto", "last_messages"]]
    assert doc.parameters[0].name == "thread_id" and doc.parameters[0].location == "path"
    assert doc.responses[0].status == "200" and doc.responses[0].content[0][2] == "RunObject"


def test_nesting_is_bounded(refs):
    def depth(props, d=0):
        worst = d
        for p in props:
            worst = max(worst, depth(p.properties, d + 1))
            for v in p.variants:
                worst = max(worst, depth(v.properties, d + 1))
        return worst

    for ref in refs.values():
        for op in ref.operations:
            for body in op.bodies:
                assert depth(body.properties) <= model.MAX_DEPTH + 2, op.operation_id


@pytest.mark.parametrize("spec", SPECS)
def test_every_operation_once_grouped_by_tag(spec, clients, refs):
    ids = [d.operation_id for d in refs[spec].operations]
    assert sorted(ids) == sorted(clients[spec].operations)
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("spec", SPECS)
def test_synopsis_is_valid_python_for_this_client(spec, clients, refs):
    client = clients[spec]
    for doc in refs[spec].operations:
        code = "\n".join(doc.synopsis)
        tree = ast.parse(code)
        calls = [node.value for node in tree.body]
        assert len(calls) == 2, code
        first, second = calls
        assert isinstance(first, ast.Call) and first.func.attr == "call"
        assert first.args[0].value == doc.operation_id
        assert second.func.attr == doc.method_name
        assert getattr(client, doc.method_name).operation is client.operation(doc.operation_id)
        for ex in doc.valid_examples:
            ast.parse(doc.example_code(ex))


def test_admin_keys_synopsis_like_the_issue(clients):
    doc = document_operation(clients["openai"].operation("admin-api-keys-list"))
    assert doc.synopsis[0].startswith('client.call("admin-api-keys-list"')
    assert doc.synopsis[1].startswith("client.admin_api_keys_list(")
    assert "limit=20" in doc.synopsis[0]
    example = doc.example_code(doc.valid_examples[0])
    assert 'client.call("admin-api-keys-list", after="key_abc", limit=20)' in example


def test_shown_examples_pass_validation(clients, refs):
    """Every example the reference shows passes client.prepare for its
    operation; examples that fail are left out (and there are few)."""
    client = clients["openai"]
    with_examples = [d for d in refs["openai"].operations if d.examples]
    assert len(with_examples) > 150
    shown = failed = 0
    for doc in with_examples:
        for ex in doc.examples:
            assert ex.valid is not None
            kwargs = dict(ex.params)
            if ex.has_body:
                kwargs["body"] = ex.body
            if ex.valid:
                shown += 1
                client.prepare(doc.operation_id, **kwargs)  # raises if not valid
                ast.parse(doc.example_code(ex))
            else:
                failed += 1
                assert ex.problem
    assert shown > 200 and failed < shown / 10
    pod = render(client, "pod", ref=refs["openai"])
    for doc in with_examples:
        for ex in doc.examples:
            if not ex.valid:
                assert markup.pod_verbatim(doc.example_code(ex)) + "\n" not in pod


def test_curl_example_parsing(clients):
    op = clients["openai"].operation("listAssistants")
    params, body = model.example_from_curl(
        op, 'curl "https://api.openai.com/v1/assistants?order=desc&limit=20" \\\n  -H "X: y"')
    assert params == {"order": "desc", "limit": 20} and body is model._NO_DEFAULT
    op = clients["openai"].operation("createRun")
    params, body = model.example_from_curl(
        op, "curl https://api.openai.com/v1/threads/thread_1/runs -d '{\"assistant_id\": \"a\"}'")
    assert params == {"thread_id": "thread_1"} and body == {"assistant_id": "a"}
    assert model.example_from_curl(op, "curl https://x/v1/other -F file=@x") is None


# -------------------------------------------------------------------- POD
def _tool(name):
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (apt-get install perl perl-doc); t/run installs it")
    return path


@pytest.mark.parametrize("spec", SPECS)
def test_podchecker_clean(spec, clients, refs, tmp_path):
    podchecker = _tool("podchecker")
    pod = render(clients[spec], "pod", ref=refs[spec])
    path = tmp_path / f"{spec}.pod"
    path.write_text(pod, encoding="utf-8")
    done = subprocess.run([podchecker, str(path)], capture_output=True, text=True, timeout=120)
    report = done.stdout + done.stderr
    assert done.returncode == 0, report[:3000]
    assert "ERROR" not in report and "WARNING" not in report, report[:3000]
    assert "pod syntax OK" in report
    heads = re.findall(r"^=head2 (.+)$", pod, re.M)
    assert len(heads) == len(clients[spec].operations)
    assert sorted(heads) == sorted(markup.pod_escape(i) for i in clients[spec].operations)
    assert pod.startswith("=encoding utf8\n")


def test_pod_split_per_tag_is_clean(clients, refs, tmp_path):
    podchecker = _tool("podchecker")
    from openapi_dyn.reference import pod

    files = pod.render_split(refs["cohere"], "cohere")
    heads = []
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        done = subprocess.run([podchecker, str(path)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and "WARNING" not in done.stderr, done.stderr[:2000]
        heads += re.findall(r"^=head2 (.+)$", text, re.M)
    assert len(heads) == len(clients["cohere"].operations)


def test_perldoc_renders(clients, refs, tmp_path):
    perldoc = _tool("perldoc")
    if subprocess.run([perldoc, "-V"], capture_output=True, timeout=30).returncode != 0:
        pytest.skip("perldoc is a stub here (apt-get install perl-doc)")
    path = tmp_path / "openai.pod"
    path.write_text(render(clients["openai"], "pod", ref=refs["openai"]), encoding="utf-8")
    done = subprocess.run([perldoc, "-U", "-T", str(path)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PAGER": "cat"})
    assert done.returncode == 0, done.stderr[:2000]
    assert "createRun" in done.stdout and 'client.call("createRun"' in done.stdout
    assert "E<" not in done.stdout and "C<" not in done.stdout


def test_man_page(clients, refs):
    _tool("pod2man")
    roff = render(clients["cohere"], "man", ref=refs["cohere"])
    assert roff.lstrip().startswith(('.\\"', ".TH", "'\\\"")) or ".TH" in roff[:3000]
    assert "list-datasets" in roff or "list\\-datasets" in roff


# ---------------------------------------------------------------- Markdown
def test_markdown_toc_and_anchors(clients, refs):
    md = render(clients["openai"], "markdown", ref=refs["openai"])
    for doc in refs["openai"].operations:
        assert f"](#{doc.anchor})" in md
        assert md.count(f'<a id="{doc.anchor}"></a>') == 1
    assert "## Contents" in md and "```python\nclient.call(\"createRun\"" in md


# -------------------------------------------------------------------- HTML
def _png_is_blank(data: bytes) -> bool:
    """True when the PNG's pixels are (almost) all one value."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    return len(set(zlib.decompress(idat))) <= 4


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    pytest.skip("chromium is not installed (apt-get install chromium); t/run installs it")


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--virtual-time-budget=10000"]


def test_html_page_in_chromium(clients, refs, tmp_path):
    chromium = _chromium()
    page = render(clients["openai"], "html", ref=refs["openai"])
    assert "http://" not in re.sub(r'href="[^"]*"', "", page).replace("http://www.w3.org", "")
    assert "<script" not in page and "<link" not in page
    path = tmp_path / "openai.html"
    path.write_text(page, encoding="utf-8")
    profile = tmp_path / "profile"
    dom = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom",
                          path.as_uri()], capture_output=True, text=True, timeout=180)
    assert 'id="toc"' in dom.stdout, dom.stderr[-2000:]
    assert 'href="#op-createRun"' in dom.stdout
    assert '<section class="op" id="op-createRun">' in dom.stdout
    shot = tmp_path / "shot.png"
    # The top of the page: the table of contents beside the first method section.
    subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile2'}",
                    "--window-size=1280,900", f"--screenshot={shot}", path.as_uri()],
                   capture_output=True, timeout=180)
    assert shot.exists() and not _png_is_blank(shot.read_bytes())


def test_html_anchors_unique(clients, refs):
    page = render(clients["anthropic"], "html", ref=refs["anthropic"])
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids))


# -------------------------------------------------------------------- text
def test_text_reference_of_one_operation(clients):
    client = clients["openai"]
    text = render_operation(client, "createRun")
    assert text.startswith("createRun - Create a run.")
    for section in ("SYNOPSIS", "PARAMETERS", "REQUEST BODY", "RESPONSES", "EXAMPLES"):
        assert f"\n{section}" in text
    assert "assistant_id  (string, required)" in text
    assert "client.createRun(thread_id=" in text


def test_exploring_on_a_warm_machine_loads_no_validator(tmp_path):
    """Client() + listing + help() of one operation: the first time on a
    machine renders the text (checking the examples loads openapi-core);
    after that the text comes from the cache and openapi-core, requests and
    markdown-it-py are not imported at all."""
    import os

    env = dict(os.environ, OPENAPI_DYN_CACHE_DIR=str(tmp_path / "cache"))
    code = ("import sys\nfrom openapi_dyn import Client\n"
            "c = Client()\nnames = list(c.operations)\ndoc = c.createRun.__doc__\n"
            "print(*[m in sys.modules for m in ('openapi_core', 'requests', 'markdown_it')], len(doc))\n")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
            for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr + runs[1].stderr
    first, second = (r.stdout.split() for r in runs)
    assert first[0] == "True" and first[2] == "True"       # rendered, examples checked
    assert second[:3] == ["False", "False", "False"]        # read back from the cache
    assert first[3] == second[3] and int(second[3]) > 1000
