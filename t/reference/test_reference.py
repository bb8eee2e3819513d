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
from openapi_dyn.reference import render, render_operation, reference
from openapi_dyn.reference import _markup as markup, _model as model
from openapi_dyn.reference._curl import example_from_curl
from openapi_dyn.reference._model import document_operation

SPECS = ("openai", "anthropic", "cohere", "azure-openai", "azure-openai-preview")
TEXT_FORMATS = ("text", "pod", "markdown", "html")


@pytest.fixture(scope="module")
def clients():
    return {name: Client(name) for name in SPECS}


@pytest.fixture(scope="module")
def refs(clients):
    return {name: reference(c) for name, c in clients.items()}


@pytest.fixture(scope="module")
def rendered(clients, refs):
    """Every bundled spec's reference in every format, each model built once
    (``refs``); the man pages are made by pod2man processes run side by side."""
    from concurrent.futures import ThreadPoolExecutor

    out = {spec: {fmt: render(clients[spec], fmt, ref=refs[spec]) for fmt in TEXT_FORMATS} for spec in SPECS}
    if shutil.which("pod2man"):
        with ThreadPoolExecutor(len(SPECS)) as pool:
            pages = {spec: pool.submit(render, clients[spec], "man", ref=refs[spec]) for spec in SPECS}
            for spec, page in pages.items():
                out[spec]["man"] = page.result()
    return out


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


def test_shown_examples_pass_validation(clients, refs, rendered):
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
    pod = rendered["openai"]["pod"]
    for doc in with_examples:
        for ex in doc.examples:
            if not ex.valid:
                assert markup.pod_verbatim(doc.example_code(ex)) + "\n" not in pod


def test_curl_example_parsing(clients):
    op = clients["openai"].operation("listAssistants")
    params, body = example_from_curl(
        op, 'curl "https://api.openai.com/v1/assistants?order=desc&limit=20" \\\n  -H "X: y"')
    assert params == {"order": "desc", "limit": 20} and body is model._NO_DEFAULT
    op = clients["openai"].operation("createRun")
    params, body = example_from_curl(
        op, "curl https://api.openai.com/v1/threads/thread_1/runs -d '{\"assistant_id\": \"a\"}'")
    assert params == {"thread_id": "thread_1"} and body == {"assistant_id": "a"}
    assert example_from_curl(op, "curl https://x/v1/other -F file=@x") is None


# -------------------------------------------------------------------- POD
def _tool(name):
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (apt-get install perl perl-doc); t/run installs it")
    return path


@pytest.mark.perl
@pytest.mark.parametrize("spec", SPECS)
def test_podchecker_clean(spec, clients, rendered, tmp_path):
    podchecker = _tool("podchecker")
    pod = rendered[spec]["pod"]
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


@pytest.mark.perl
def test_pod_split_per_tag_is_clean(clients, refs, tmp_path):
    podchecker = _tool("podchecker")
    from openapi_dyn.reference import _pod as pod

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


@pytest.mark.perl
def test_perldoc_renders(rendered, tmp_path):
    perldoc = _tool("perldoc")
    if subprocess.run([perldoc, "-V"], capture_output=True, timeout=30).returncode != 0:
        pytest.skip("perldoc is a stub here (apt-get install perl-doc)")
    path = tmp_path / "openai.pod"
    path.write_text(rendered["openai"]["pod"], encoding="utf-8")
    done = subprocess.run([perldoc, "-U", "-T", str(path)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PAGER": "cat"})
    assert done.returncode == 0, done.stderr[:2000]
    assert "createRun" in done.stdout and 'client.call("createRun"' in done.stdout
    assert "E<" not in done.stdout and "C<" not in done.stdout


@pytest.mark.perl
def test_man_page(rendered):
    _tool("pod2man")
    for spec in SPECS:
        roff = rendered[spec]["man"]
        assert f".TH openapi-dyn-{spec} 3 " in roff
    assert "list-datasets" in rendered["cohere"]["man"] or "list\\-datasets" in rendered["cohere"]["man"]


# ---------------------------------------------------------------- Markdown
def test_markdown_toc_and_anchors(refs, rendered):
    md = rendered["openai"]["markdown"]
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


def _png_colours(data: bytes) -> set:
    """The distinct pixel colours of an 8-bit RGB or RGBA PNG (the rows
    unfiltered as the PNG specification says)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height = int.from_bytes(header[:4], "big"), int.from_bytes(header[4:8], "big")
    depth, colour_type = header[8], header[9]
    assert depth == 8 and colour_type in (2, 6), (depth, colour_type)
    bpp = 3 if colour_type == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    prev, colours = bytearray(stride), set()
    for y in range(height):
        kind, row = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = row[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                row[i] = (row[i] + a) & 255
            elif kind == 2:
                row[i] = (row[i] + b) & 255
            elif kind == 3:
                row[i] = (row[i] + (a + b) // 2) & 255
            elif kind == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        colours.update(bytes(row[i:i + bpp]) for i in range(0, stride, bpp))
        prev = row
    return colours


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    pytest.skip("chromium is not installed (apt-get install chromium); t/run installs it")


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--virtual-time-budget=10000"]


@pytest.mark.chromium
def test_html_page_in_chromium(rendered, tmp_path):
    chromium = _chromium()
    page = rendered["openai"]["html"]
    assert "http://" not in re.sub(r'href="[^"]*"', "", page).replace("http://www.w3.org", "")
    assert page.count("<script") == 1 and "<script>" in page and "<link" not in page   # inline, no source
    path = tmp_path / "openai.html"
    path.write_text(page, encoding="utf-8")
    profile = tmp_path / "profile"
    dom = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom",
                          path.as_uri()], capture_output=True, text=True, timeout=180)
    assert 'id="toc"' in dom.stdout, dom.stderr[-2000:]
    assert 'href="#op-createRun"' in dom.stdout
    assert '<section class="op" id="op-createRun" data-search="createrun create run' in dom.stdout
    shot = tmp_path / "shot.png"
    # The top of the page: the table of contents beside the first method section.
    subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile2'}",
                    "--window-size=1280,900", f"--screenshot={shot}", path.as_uri()],
                   capture_output=True, timeout=180)
    assert shot.exists() and not _png_is_blank(shot.read_bytes())


@pytest.mark.parametrize("spec", SPECS)
def test_html_anchors_unique(spec, rendered):
    ids = re.findall(r' id="([^"]+)"', rendered[spec]["html"])
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


# ------------------------------------------- synopses, in every format
def _statements(code):
    """The top-level statements of ``code``, each checked to be one call."""
    tree = ast.parse(code)
    assert all(isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) for node in tree.body), code
    return tree.body


def _man_text(roff, tmp_path, name):
    """A man page as ``man -l`` shows it (no pager, wide lines, no bold)."""
    exe = _tool("man")
    path = tmp_path / f"{name}.3"
    path.write_text(roff, encoding="utf-8")
    done = subprocess.run([exe, "-l", "-P", "cat", str(path)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "MANWIDTH": "250", "MAN_KEEP_FORMATTING": "", "HOME": str(tmp_path),
                               "LC_ALL": "C.UTF-8", "GROFF_NO_SGR": "1"})
    assert done.returncode == 0, done.stderr[:2000]
    return re.sub(r".\x08", "", done.stdout)


def _block(lines, start):
    """The indented block starting at ``lines[start]`` (blank lines kept
    inside), dedented."""
    import textwrap

    out = []
    for line in lines[start:]:
        if line.strip() and not line.startswith("    ") and out:
            break
        out.append(line)
    return textwrap.dedent("\n".join(out)).strip()


@pytest.mark.parametrize("spec", SPECS)
def test_every_synopsis_is_complete_python_in_every_format(spec, refs, rendered):
    """ast.parse on every synopsis as each format shows it: the model's, the
    POD page's SYNOPSIS (once cut mid-call for Anthropic), and each
    operation's block in POD, Markdown, HTML and text (man: below)."""
    ref = refs[spec]
    pages = rendered[spec]
    for doc in ref.operations:
        first, second = _statements("\n".join(doc.synopsis))
        assert first.value.func.attr == "call" and second.value.func.attr == doc.method_name
        assert [len(_statements(s)) for s in doc.synopsis_statements] == [1, 1]
        code = "\n".join(doc.synopsis)
        assert markup.pod_verbatim(code) + "\n\n" in pages["pod"], doc.operation_id
        assert "```python\n" + code + "\n```" in pages["markdown"], doc.operation_id
        assert "<pre><code>" + markup.escape_html(code) + "</code></pre>" in pages["html"], doc.operation_id
        assert "SYNOPSIS\n" + "\n".join("    " + line for line in doc.synopsis) + "\n" in pages["text"]
    # The POD page's own SYNOPSIS (man: below).
    pod_synopsis = pages["pod"].split("=head1 SYNOPSIS\n\n", 1)[1].split("\n\n=head1 ", 1)[0]
    calls = ast.parse(_block(pod_synopsis.split("\n"), 0)).body
    assert isinstance(calls[0], ast.ImportFrom) and isinstance(calls[-1].value, ast.Call)
    assert calls[-1].value.func.attr == "call" and calls[-1].value.args[0].value == ref.operations[0].operation_id


@pytest.mark.perl
@pytest.mark.parametrize("spec", SPECS)
def test_man_synopses_are_complete_python(spec, refs, rendered, tmp_path):
    """The man page as `man -l` shows it: its SYNOPSIS and each operation's."""
    _tool("pod2man")
    ref = refs[spec]
    text = _man_text(rendered[spec]["man"], tmp_path, f"openapi-dyn-{spec}")
    lines = text.split("\n")
    start = lines.index("SYNOPSIS") + 1
    tree = ast.parse(_block(lines, start))
    assert isinstance(tree.body[-1].value, ast.Call) and tree.body[-1].value.args[0].value == \
        ref.operations[0].operation_id
    # every operation's synopsis, as man shows it, is there whole and parses
    import textwrap

    stripped = [line.strip() for line in lines]
    starts = {}
    for i, line in enumerate(stripped):
        starts.setdefault(line, []).append(i)
    for doc in ref.operations:
        want = [line.strip() for line in doc.synopsis]
        at = [i for i in starts.get(want[0], []) if stripped[i:i + len(want)] == want]
        assert at, doc.operation_id
        shown = textwrap.dedent("\n".join(lines[at[-1]:at[-1] + len(want)]))
        assert len(_statements(shown)) == 2, shown


# --------------------------------------------------- markdown in summaries
def _visible_html_text(page):
    page = re.sub(r"(?s)<(script|style|pre)\b.*?</\1>", "", page)
    import html as html_lib

    return html_lib.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize("spec", SPECS)
def test_summaries_and_contents_show_rendered_markdown(spec, refs, rendered):
    ref = refs[spec]
    pages = rendered[spec]
    marked = [d for d in ref.operations if re.search(r"\*\*|\]\(|`", d.summary)]
    for doc in marked:
        assert "**" not in doc.summary_text and "](" not in doc.summary_text and "`" not in doc.summary_text
    toc = pages["markdown"].split("## Contents", 1)[1].split("\n\n", 2)[1]
    assert toc.count("\n") + 1 == len(ref.operations) + len(ref.groups)
    for line in toc.split("\n"):
        summary = line.partition(" — ")[2]
        assert "\\*" not in summary and "**" not in summary and "](" not in summary, line
    visible = _visible_html_text(pages["html"])
    assert "**" not in visible and "](/" not in visible
    text_heads = re.findall(r"^(\S+) - (.+)\n={3,}$", pages["text"], re.M)
    assert text_heads and not any("**" in h or "](" in h for _, h in text_heads)
    if spec == "openai":
        assert "[Responses](/docs" not in pages["markdown"] and "\\*\\*Starting" not in pages["markdown"]
        assert "**Starting a new project?** We recommend trying [Responses](https://platform.openai.com/docs/" \
               "api-reference/responses)" in pages["markdown"]
        assert "<strong>Starting a new project?</strong> We recommend trying <a href=\"https://platform.openai.com" \
               "/docs/api-reference/responses\">Responses</a>" in pages["html"]
        assert "B<Starting a new project?> We recommend trying L<Responses|https://platform.openai.com" in pages["pod"]
        assert "createChatCompletion - Starting a new project? We recommend trying Responses to take" in pages["text"]
        assert 'title="Starting a new project? We recommend trying Responses' in pages["html"]
        assert not any(line.lstrip().startswith("---") for line in pages["markdown"].split(
            '<a id="op-createChatCompletion"></a>')[1].split("#### Parameters")[0].split("\n"))


# ------------------------------------------------- grouping without tags
def test_path_group():
    assert model.path_group("/v1/messages/batches/{id}?beta=true") == ("messages", "/v1/messages")
    assert model.path_group("/v2/chat") == ("chat", "/v2/chat")
    assert model.path_group("/{tenant}/2024-01-01/items") == ("items", "/{tenant}/2024-01-01/items")
    assert model.path_group("/") == ("/", "/")


def test_untagged_spec_split_by_first_path_segment(clients, refs, tmp_path):
    from openapi_dyn.reference import _pod as pod

    ref = refs["anthropic"]
    names = [g.name for g in ref.groups]
    assert {"messages", "models", "files", "skills"} <= set(names) and "Other" not in names
    by_group = {g.name: {d.operation_id for d in g.operations} for g in ref.groups}
    assert "messages_post" in by_group["messages"] and "models_list" in by_group["models"]
    for g in ref.groups:
        assert all(model.path_group(d.path)[0] == g.name for d in g.operations)
    files = pod.render_split(ref, "anthropic")
    assert "anthropic/messages.pod" in files and "anthropic/models.pod" in files and "anthropic/Other.pod" not in files
    heads = [h for rel, text in files.items() for h in re.findall(r"^=head2 (.+)$", text, re.M)]
    assert sorted(heads) == sorted(markup.pod_escape(i) for i in clients["anthropic"].operations)
    if shutil.which("podchecker"):
        for rel, text in files.items():
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        done = subprocess.run([shutil.which("podchecker"), *[str(tmp_path / rel) for rel in files]],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and "WARNING" not in done.stderr, done.stderr[:2000]


def test_tagged_spec_keeps_its_tags(refs):
    assert [g.name for g in refs["openai"].groups][:3] == ["Assistants", "Audio", "Chat"]
    assert [g.name for g in refs["azure-openai"].groups] == ["Other"]   # one path segment only: one group


# ------------------------------------------------------------- man pages
@pytest.mark.man
def test_man_page_installs_and_is_found(tmp_path):
    """`docs -f man` into <dir>/man3: `man -l` reads the file, `man` finds it
    through MANPATH by the file's name, and mandb/whatis index it by NAME."""
    man = _tool("man")
    _tool("pod2man")
    manpath = tmp_path / "man"
    env = {**os.environ, "MANPATH": str(manpath), "HOME": str(tmp_path), "MANWIDTH": "120", "LC_ALL": "C.UTF-8"}
    done = subprocess.run([sys.executable, "-m", "openapi_dyn", "--spec", "azure-openai", "docs", "-f", "man",
                           "-o", str(manpath / "man3"), "--no-check"], capture_output=True, text=True, timeout=300,
                          env=env)
    assert done.returncode == 0, done.stderr
    page = manpath / "man3" / "openapi-dyn-azure-openai.3"
    assert done.stdout.strip() == str(page)
    found = subprocess.run([man, "-w", "openapi-dyn-azure-openai"], capture_output=True, text=True, env=env,
                           timeout=60)
    assert found.returncode == 0 and found.stdout.strip() == str(page), found.stderr
    shown = subprocess.run([man, "-P", "cat", "3", "openapi-dyn-azure-openai"], capture_output=True, text=True,
                           env=env, timeout=120)
    assert shown.returncode == 0, shown.stderr
    text = re.sub(r".\x08", "", shown.stdout)
    assert re.search(r"^NAME\n\s+openapi-dyn-azure-openai - Azure OpenAI", text, re.M), text[:800]
    assert "ChatCompletions_Create" in text
    direct = subprocess.run([man, "-l", "-P", "cat", str(page)], capture_output=True, text=True, env=env, timeout=120)
    assert direct.returncode == 0 and re.sub(r".\x08", "", direct.stdout) == text
    mandb = shutil.which("mandb")
    if mandb:
        subprocess.run([mandb, "-q", str(manpath)], capture_output=True, env=env, timeout=120)
        whatis = subprocess.run([shutil.which("whatis") or "whatis", "-M", str(manpath), "openapi-dyn-azure-openai"],
                                capture_output=True, text=True, env=env, timeout=60)
        assert whatis.returncode == 0, whatis.stderr
        assert whatis.stdout.startswith("openapi-dyn-azure-openai (3)") and "Azure OpenAI" in whatis.stdout


# --------------------------------------------------------- response fields
ROUNDTRIP_SPEC = {
    "openapi": "3.0.3", "info": {"title": "Notes", "version": "1"},
    "paths": {"/notes": {
        "post": {"operationId": "createNote",
                 "requestBody": {"required": True, "content": {"application/json": {
                     "schema": {"$ref": "#/components/schemas/Note"}}}},
                 "responses": {"201": {"description": "made", "content": {"application/json": {
                     "schema": {"$ref": "#/components/schemas/Note"}}}}}},
        "get": {"operationId": "listNotes",
                "responses": {"200": {"description": "all", "content": {"application/json": {"schema": {
                    "type": "array", "items": {"$ref": "#/components/schemas/Shown"}}}}},
                    "400": {"description": "bad", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Error"}}}}}}}},
    "components": {"schemas": {
        "Note": {"type": "object", "required": ["text"], "properties": {
            "id": {"type": "string", "readOnly": True, "description": "Made by the server."},
            "text": {"type": "string"},
            "secret": {"type": "string", "writeOnly": True}}},
        "Shown": {"oneOf": [{"$ref": "#/components/schemas/Note"},
                            {"title": "Deleted", "type": "object", "properties": {"deleted": {"type": "boolean"}}}]},
        "Error": {"type": "object", "properties": {"message": {"type": "string"}}}}},
}


def test_response_fields_follow_the_direction_of_the_data():
    client = Client(ROUNDTRIP_SPEC, profile=False)
    doc = document_operation(client.operation("createNote"))
    assert [p.name for p in doc.bodies[0].properties] == ["text", "secret"]      # readOnly id not sent
    answer = doc.responses[0]
    assert answer.see_above == "Note" and not answer.properties                  # described in the request
    doc = document_operation(client.operation("listNotes"))
    ok, bad = doc.responses
    # the repair step reads these overlapping alternatives as anyOf
    assert ok.items_of == "array[Shown]" and ok.variant_kind == "anyOf"
    assert [v.name for v in ok.variants] == ["Note", "Deleted"]
    assert [p.name for p in ok.variants[0].properties] == ["id", "text"]         # writeOnly secret not returned
    assert [p.name for p in ok.variants[1].properties] == ["deleted"]
    assert not bad.documented and bad.content[0][2] == "Error"                    # error envelopes: name only
    text = render_operation(client, "listNotes", check=False)
    assert "Fields of each item (array[Shown]):" in text and "Made by the server." in text


def test_response_fields_of_real_operations(clients, rendered):
    doc = document_operation(clients["openai"].operation("listAssistants"))
    fields = {p.name: p for p in doc.responses[0].properties}
    assert {"object", "data", "first_id", "last_id", "has_more"} <= set(fields)
    data = fields["data"]
    assert data.type == "array[AssistantObject]" and {"id", "created_at", "tools"} <= {p.name for p in data.properties}
    tools = [p for p in data.properties if p.name == "tools"][0]
    assert tools.variant_kind == "oneOf" and "AssistantToolsFunction" in [v.name for v in tools.variants]
    doc = document_operation(clients["anthropic"].operation("messages_post"))
    answer = doc.responses[0]
    content = [p for p in answer.properties if p.name == "content"][0]
    assert {"id", "type", "role", "model", "stop_reason", "usage"} <= {p.name for p in answer.properties}
    assert content.variants and any("Text" in v.name for v in content.variants)
    doc = document_operation(clients["openai"].operation("createTranscription"))
    # oneOf in the document; its alternatives overlap, so the repair step reads it as anyOf
    assert doc.responses[0].variant_kind == "anyOf" and len(doc.responses[0].variants) == 3
    section = rendered["openai"]["pod"].split("=head2 listAssistants\n", 1)[1].split("\n=head2 ", 1)[0]
    responses = section.split("=head3 Responses", 1)[1]
    assert "Fields:" in responses and "=item C<has_more>" in responses and "=item C<created_at>" in responses
    md = rendered["openai"]["markdown"].split('<a id="op-listAssistants"></a>', 1)[1].split("<a id=", 1)[0]
    assert "`has_more`" in md.split("#### Responses", 1)[1]
    page = rendered["openai"]["html"].split('id="op-listAssistants"', 1)[1].split("</section>", 1)[0]
    assert '<span class="name">has_more</span>' in page.split("Responses", 1)[1]


# ------------------------------------------------------------------ errors
def test_reference_errors_are_library_errors(clients, tmp_path, monkeypatch):
    from openapi_dyn import OpenAPIDynError, UsageError
    from openapi_dyn._errors import DocumentationError, UnknownFormatError
    from openapi_dyn.reference import _man as man

    client = clients["azure-openai"]
    with pytest.raises(UnknownFormatError) as exc:
        render(client, "pdf", check=False)
    assert isinstance(exc.value, OpenAPIDynError) and isinstance(exc.value, ValueError)
    assert "choose one of text, pod, markdown, html, man" in str(exc.value)
    with pytest.raises(UnknownFormatError):
        render_operation(client, "ChatCompletions_Create", "man", check=False)
    with pytest.raises(UsageError, match="takes no option colour"):
        render(client, "pod", check=False, colour=True)
    ref = reference(client, check=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(man.ManUnavailable) as exc:
        render(client, "man", ref=ref)
    assert isinstance(exc.value, DocumentationError) and isinstance(exc.value, OpenAPIDynError)
    broken = tmp_path / "bin"
    broken.mkdir()
    (broken / "pod2man").write_text("#!/bin/sh\necho 'cannot convert' >&2\nexit 3\n")
    (broken / "pod2man").chmod(0o755)
    monkeypatch.setenv("PATH", str(broken))
    with pytest.raises(DocumentationError, match="pod2man failed: cannot convert"):
        render(client, "man", ref=ref)


# ------------------------------------------------------------ HTML search
def _visible_ops(browser):
    return browser.evaluate(
        "Array.from(document.querySelectorAll('section.op'))"
        ".filter(s => s.getClientRects().length > 0).map(s => s.id)")


def _visible_toc(browser):
    return browser.evaluate(
        "Array.from(document.querySelectorAll('nav#toc li.op a'))"
        ".filter(a => a.getClientRects().length > 0).map(a => a.getAttribute('href').slice(1))")


@pytest.mark.chromium
def test_html_search_filters_as_one_types(refs, rendered, tmp_path):
    """Keys pressed in headless Chromium (DevTools protocol over a pipe) go
    into the filter box the way a reader's typing does; after each word the
    operations shown, in the page and in its contents, are those holding
    every word typed so far; a screenshot shows the emptied contents."""
    from browser import Browser
    from openapi_dyn.reference._html import search_text

    chromium = _chromium()
    ref = refs["openai"]
    path = tmp_path / "openai.html"
    path.write_text(rendered["openai"]["html"], encoding="utf-8")
    everything = [d.anchor for d in ref.operations]

    def expected(words):
        return [d.anchor for d in ref.operations if all(w in search_text(d) for w in words.split())]

    with Browser(chromium, str(tmp_path / "profile")) as browser:
        browser.open(path.as_uri())
        assert browser.evaluate("document.getElementById('filter').hidden") is False   # shown once scripts run
        assert _visible_ops(browser) == everything
        before = browser.screenshot()
        browser.evaluate("document.getElementById('filter').focus()")
        browser.type("vector")
        assert _visible_ops(browser) == expected("vector") and len(expected("vector")) > 10
        browser.type(" file")
        shown = _visible_ops(browser)
        assert shown == expected("vector file") == _visible_toc(browser)
        assert "op-createVectorStoreFile" in shown and "op-createRun" not in shown and "op-createVectorStore" not in shown
        assert browser.evaluate("document.getElementById('filter-count').textContent") == \
            f"{len(shown)} of {len(everything)} operations"
        groups = browser.evaluate("Array.from(document.querySelectorAll('main [data-group]'))"
                                  ".filter(g => g.getClientRects().length > 0).map(g => g.dataset.group)")
        assert groups == [g.anchor for g in ref.groups if any(d.anchor in shown for d in g.operations)]
        assert "tag-Vector-stores" in groups and "tag-Assistants" not in groups
        # The screenshot: the side bar below the remaining entries is empty.
        after = browser.screenshot()
        (tmp_path / "filtered.png").write_bytes(after)
        bottom = browser.evaluate("Math.ceil(Array.from(document.querySelectorAll('nav#toc li.op'))"
                                  ".filter(li => li.getClientRects().length > 0).pop().getBoundingClientRect().bottom)")
        height = browser.evaluate("window.innerHeight")
        clip = {"x": 0, "y": bottom + 4, "width": 290, "height": height - bottom - 8, "scale": 1}
        import base64

        def shot(region):
            return base64.b64decode(browser.send("Page.captureScreenshot", {"format": "png", "clip": region})["data"])

        (tmp_path / "below.png").write_bytes(shot(clip))
        assert len(_png_colours(shot(clip))) == 1 and not _png_is_blank(after) and after != before
        browser.press("Escape")
        assert _visible_ops(browser) == everything == _visible_toc(browser)
        assert len(_png_colours(shot(clip))) > 2                                  # the contents are back
        browser.type("zzqx")
        assert _visible_ops(browser) == [] and browser.evaluate(
            "document.getElementById('filter-count').textContent") == f"0 of {len(everything)} operations"


def test_every_html_reference_loads_and_filters(refs, rendered, tmp_path):
    from browser import Browser

    chromium = _chromium()
    with Browser(chromium, str(tmp_path / "profile")) as browser:
        for spec in SPECS:
            path = tmp_path / f"{spec}.html"
            path.write_text(rendered[spec]["html"], encoding="utf-8")
            browser.open(path.as_uri())
            ops = refs[spec].operations
            assert len(_visible_ops(browser)) == len(ops), spec
            word = ops[-1].operation_id.lower()
            browser.evaluate("document.getElementById('filter').focus()")
            browser.type(word)
            shown = _visible_ops(browser)
            assert ops[-1].anchor in shown and 0 < len(shown) < len(ops) or len(ops) == 1, (spec, shown)
            assert not _png_is_blank(browser.screenshot())


# ------------------------------------------------- names of call options
OPTION_NAMED_PARAMETERS = """
openapi: 3.0.3
info: {title: Exports, version: "1"}
paths:
  /export:
    get:
      operationId: exportData
      parameters:
        - {name: save_to, in: query, required: true, schema: {type: string}, example: bucket-7}
        - {name: validate_responses, in: query, required: true, schema: {type: boolean}, example: true}
      responses:
        "200":
          description: the export
          content: {application/json: {schema: {type: object}}}
"""


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_parameters_named_like_call_options(fmt, httpserver, tmp_path, monkeypatch):
    """A spec parameter named save_to or validate_responses is documented as a
    call takes it: not as a keyword (a call reads save_to= as the option that
    writes the answer to a file) but as "query.<name>"; the synopsis, written
    that way, sends both as query parameters and writes no file."""
    from openapi_dyn._call.options import CALL_OPTIONS

    assert {"save_to", "validate_responses"} <= set(CALL_OPTIONS)
    spec = tmp_path / "exports.yaml"
    spec.write_text(OPTION_NAMED_PARAMETERS)
    monkeypatch.chdir(tmp_path)
    client = Client(str(spec), base_url=httpserver.url_for("/v1"), max_retries=0)
    doc = document_operation(client.operation("exportData"))
    assert [(p.keyword, p.address) for p in doc.parameters] == [
        (None, "query.save_to"), (None, "query.validate_responses")]
    page = render_operation(client, "exportData", fmt)
    for name in ("save_to", "validate_responses"):
        assert "query." + name in page
        assert f"{name}=" not in page and f'"{name}":' not in page and f"&quot;{name}&quot;:" not in page
    httpserver.expect_request("/v1/export", query_string={"save_to": "bucket-7", "validate_responses": "true"}) \
        .respond_with_json({"exported": 2})
    statements = doc.synopsis_statements
    assert len(statements) == 2
    for statement in statements:
        assert eval(statement, {"client": client})["exported"] == 2
    assert len(httpserver.log) == 2 and sorted(os.listdir(tmp_path)) == ["exports.yaml"]
