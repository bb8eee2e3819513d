"""The reference as one self-contained HTML page: inline style, a table of
contents in a side bar with a filter box, an anchor per tag and per operation
(``#op-createRun``), no external resource.

The filter box is the page's only script (:data:`FILTER_SCRIPT`, inline):
as one types, operations whose name, method, path, summary and tags do not
hold every word are hidden, in the contents and in the page, and so are
groups left empty.  Without scripts the box stays hidden and the page reads
as before.  The order of what is said is :mod:`._walk`'s; this module is only
HTML's markup for it."""
from __future__ import annotations

from typing import List, Optional

from . import _model as model
from ._facts import body_heading_facts, one_of, param_facts, property_facts, route_facts, source_note
from ._markup import escape_html as esc
from ._markup import to_html
from ._synopsis import py_literal
from ._walk import Stacked, Walk, choice_lead, variant_head

STYLE = """
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d232a;background:#fff}
nav#toc{position:fixed;top:0;left:0;bottom:0;width:300px;overflow:auto;padding:16px;background:#f4f6f8;border-right:1px solid #d8dee4;font-size:13px}
nav#toc h2{font-size:15px;margin:0 0 8px}
nav#toc ul{list-style:none;margin:0;padding-left:12px}
nav#toc>ul{padding-left:0}
nav#toc li.tag{margin-top:8px;font-weight:600}
nav#toc li.tag li{font-weight:400}
nav#toc a{color:#0b5cad;text-decoration:none}
main{margin-left:300px;padding:24px 40px;max-width:1100px}
h1{margin-top:0}
h2.tag{border-bottom:2px solid #d8dee4;padding-bottom:4px;margin-top:48px}
section.op{border-top:1px solid #e3e7eb;padding-top:8px;margin-top:28px}
section.op h3{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;margin-bottom:4px}
.route{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;background:#eef2f6;padding:2px 6px;border-radius:4px}
.verb{font-weight:700;color:#fff;border-radius:4px;padding:1px 6px;margin-right:6px;font-size:12px}
.GET{background:#2b7bb9}.POST{background:#2f9e44}.DELETE{background:#c92a2a}.PUT,.PATCH{background:#e67700}
.facts{color:#57606a;font-size:13px}
.dep{color:#c92a2a;font-weight:700}
pre{background:#f6f8fa;border:1px solid #e3e7eb;border-radius:6px;padding:10px;overflow:auto;font-size:13px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:90%}
ul.props{list-style:none;padding-left:18px;border-left:2px solid #eef2f6;margin:6px 0}
ul.props>li{margin:6px 0}
.name{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-weight:600}
.req{color:#c92a2a;font-size:12px}
.desc p{margin:4px 0}
[hidden]{display:none!important}
#filter{width:100%;padding:6px 8px;margin:0 0 6px;border:1px solid #c4ccd4;border-radius:6px;font:inherit}
#filter-count{color:#57606a;margin:0 0 6px}
@media (max-width:800px){nav#toc{position:static;width:auto;height:auto}main{margin-left:0}}
"""


FILTER_SCRIPT = """
(function () {
  var box = document.getElementById("filter"), count = document.getElementById("filter-count");
  if (!box) return;
  var entries = Array.prototype.map.call(document.querySelectorAll("section.op[data-search]"), function (s) {
    var link = document.querySelector('nav#toc a[href="#' + s.id + '"]');
    return {section: s, item: link ? link.parentNode : null, text: s.getAttribute("data-search")};
  });
  var groups = document.querySelectorAll("[data-group]");
  function apply() {
    var words = box.value.toLowerCase().split(/\\s+/).filter(Boolean), shown = 0;
    entries.forEach(function (e) {
      var match = words.every(function (w) { return e.text.indexOf(w) >= 0; });
      e.section.hidden = !match;
      if (e.item) e.item.hidden = !match;
      if (match) shown++;
    });
    Array.prototype.forEach.call(groups, function (g) {
      g.hidden = !g.querySelector("section.op:not([hidden]), li.op:not([hidden])");
    });
    count.hidden = !words.length;
    count.textContent = shown + " of " + entries.length + " operations";
  }
  box.addEventListener("input", apply);
  box.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { box.value = ""; apply(); }
  });
  box.hidden = false;
  if (box.value) apply();
})();
"""


def search_text(doc: model.OperationDoc) -> str:
    """What the filter box matches words against: the operationId (also
    split at case changes), the method alias, method, path, summary, tags."""
    import re

    words = [doc.operation_id, re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", doc.operation_id),
             doc.alias or "", doc.method, doc.path, doc.summary_text, " ".join(doc.tags)]
    return " ".join(" ".join(w.split()) for w in words if w).lower()


def _facts(facts: List[str]) -> str:
    shown = []
    for f in facts:
        cls = ' class="req"' if f == "required" else ""
        shown.append(f"<span{cls}>{esc(f)}</span>")
    return '<span class="facts">(' + ", ".join(shown) + ")</span>"


def _code(text: str) -> str:
    return f"<code>{esc(text)}</code>"


def _desc(text: str, site: Optional[str]) -> str:
    return f'<div class="desc">{to_html(text, site)}</div>' if text else ""


class _Html(Stacked):
    """The operation's lines (joined with newlines) at the bottom of a stack
    of fragments: a list of fields, a variant choice or a response is one
    line, its pieces joined with nothing between them."""

    def close(self, last: str) -> None:
        self.add(last)
        piece = "".join(self.pop())
        self.add(piece)

    def description(self, text: str) -> None:
        self.add(_desc(text, self.site))

    def open_operation(self, doc: model.OperationDoc) -> None:
        h = f"h{self.level}"
        self.add(f'<section class="op" id="{esc(doc.anchor)}" data-search="{esc(search_text(doc))}">')
        self.add(f'<{h}><a href="#{esc(doc.anchor)}">{esc(doc.operation_id)}</a></{h}>')
        if doc.summary:
            self.description(doc.summary)
        route = f'<span class="route"><span class="verb {esc(doc.method)}">{esc(doc.method)}</span>{esc(doc.path)}</span>'
        facts = route_facts(doc, route, _code, esc)
        self.add('<p class="facts">' + " · ".join(facts) + "</p>")
        if doc.deprecated:
            self.add('<p class="dep">Deprecated.</p>')

    def synopsis(self, lines: List[str]) -> None:
        self.add("<pre>" + _code("\n".join(lines)) + "</pre>")

    def section(self, title: str, after: str = "") -> None:
        sub = f"h{self.level + 1}"
        self.add(f"<{sub}>{title}</{sub}>{after}")

    def open_parameters(self) -> None:
        self.section("Parameters", '<ul class="props">')

    def open_parameter(self, p: model.ParamDoc) -> None:
        self.add(f'<li><span class="name">{esc(p.name)}</span> {_facts(param_facts(p))}')

    def keyword_note(self, note: str) -> None:
        self.add(f"<p>{esc(note[0].upper() + note[1:])}.</p>")

    def example_value(self, value_text: str) -> None:
        self.add(f"<p>Example: {_code(value_text)}</p>")

    def close_parameter(self) -> None:
        self.add("</li>")

    def close_parameters(self) -> None:
        self.add("</ul>")

    def open_body(self, doc: model.OperationDoc, body: model.BodyDoc) -> None:
        self.section(f"Request body: {esc(body.media_type)}")
        self.add(f"<p>{_facts(body_heading_facts(doc, body))}</p>")

    def open_responses(self) -> None:
        self.section("Responses", "<ul>")

    def open_response(self, r: model.ResponseDoc, content: List[str]) -> None:
        self.open(f"<li><code>{esc(r.status)}</code> {esc('; '.join(content))}")

    def answer_lead(self, text: str) -> None:
        self.add(f"<p>{esc(text)}</p>")

    def close_response(self) -> None:
        self.close("</li>")

    close_responses = close_parameters

    def examples(self, doc: model.OperationDoc, shown: list) -> None:
        if shown:
            self.section("Examples")
        for ex in shown:
            self.add(f"<p>{esc(ex.title)}:</p><pre>{_code(doc.example_code(ex))}</pre>")

    def close_operation(self) -> None:
        self.add("</section>")

    def enum(self, values) -> None:
        self.add(f"<p>{one_of(values, _code, '…')}</p>")

    def open_fields(self) -> None:
        self.open('<ul class="props">')

    def open_field(self, p: model.PropertyDoc) -> None:
        self.add(f'<li><span class="name">{esc(p.name)}</span> {_facts(property_facts(p))}')

    def see_above(self, schema_name: Optional[str]) -> None:
        self.add(f"<p>Structure: {esc(schema_name or 'the same schema')}, described above.</p>")

    def nested_elsewhere(self, schema_name: Optional[str]) -> None:
        self.add("<p>Nested fields: see the schema" + (f" {esc(schema_name)}." if schema_name else ".") + "</p>")

    close_field = close_variant = close_parameter

    def close_fields(self) -> None:
        self.close("</ul>")

    close_variants = close_fields

    def open_variants(self, kind: Optional[str]) -> None:
        self.open(f"<p>{choice_lead(kind)}</p><ul>")

    def open_variant(self, v: model.VariantDoc) -> None:
        head = variant_head(v, lambda name: f"<strong>{esc(name)}</strong>", esc)
        self.add(f"<li>{head}" + (" (described above)" if v.see_above else ""))

    def variant_lead(self, sentence: str) -> None:
        self.add(f"<p>{esc(sentence)}</p>")


def _operation(doc: model.OperationDoc, site: Optional[str], level: int) -> str:
    page = _Html(site, level)
    Walk(page).operation(doc)
    return page.text()


def _page(title: str, toc: str, main: str) -> str:
    script = f"<script>{FILTER_SCRIPT}</script>\n" if toc else ""
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(title)}</title>\n<style>{STYLE}{'' if toc else 'main{margin-left:0}'}</style>\n"
            f"</head>\n<body>\n"
            f"{toc}\n<main>\n{main}\n</main>\n{script}</body>\n</html>\n")


def render(ref: model.ReferenceDoc) -> str:
    """The whole reference as one HTML page."""
    toc = ['<nav id="toc"><h2>Contents</h2>',
           '<input type="search" id="filter" placeholder="Filter operations" aria-label="Filter operations" '
           'autocomplete="off" spellcheck="false" hidden>',
           '<p id="filter-count" role="status" hidden></p><ul>']
    for g in ref.groups:
        toc.append(f'<li class="tag" data-group="{esc(g.anchor)}"><a href="#{esc(g.anchor)}">{esc(g.name)}</a><ul>')
        toc += [f'<li class="op"><a href="#{esc(d.anchor)}" title="{esc(d.summary_text)}">{esc(d.operation_id)}</a></li>'
                for d in g.operations]
        toc.append("</ul></li>")
    toc.append("</ul></nav>")
    title = f"{ref.title} {ref.version} — method reference".strip()
    main = [f"<h1>{esc(title)}</h1>", _desc(ref.description, ref.site),
            f"<p>Base URL: <code>{esc(ref.base_url)}</code> · {len(ref.operations)} operations. "
            f"{esc(source_note(ref))} "
            f"Call any of them as <code>client.call(\"operationId\", ...)</code> or "
            f"<code>client.operationId(...)</code> with "
            f"<code>client = Client({esc(py_literal(ref.spec_name))})</code>.</p>"]
    for g in ref.groups:
        main.append(f'<div class="group" data-group="{esc(g.anchor)}">')
        main.append(f'<h2 class="tag" id="{esc(g.anchor)}">{esc(g.name)}</h2>')
        main.append(_desc(g.description, ref.site))
        main += [_operation(d, ref.site, 3) for d in g.operations]
        main.append("</div>")
    return _page(title, "\n".join(toc), "\n".join(x for x in main if x))


def render_operation(doc: model.OperationDoc, site: Optional[str] = None) -> str:
    """One operation as a standalone page."""
    return _page(doc.operation_id, "", _operation(doc, site, 1).replace(
        '<section class="op"', '<section class="op" style="border:0"'))
