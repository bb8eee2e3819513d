"""The reference as one self-contained HTML page: inline style, a table of
contents in a side bar with a filter box, an anchor per tag and per operation
(``#op-createRun``), no external resource.

The filter box is the page's only script (:data:`FILTER_SCRIPT`, inline):
as one types, operations whose name, method, path, summary and tags do not
hold every word are hidden, in the contents and in the page, and so are
groups left empty.  Without scripts the box stays hidden and the page reads
as before."""
from __future__ import annotations

from typing import List, Optional

from . import _model as model
from ._markup import escape_html as esc
from ._markup import to_html

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


def _enum(values) -> str:
    vals = ", ".join(f"<code>{esc(model.value_text(v))}</code>" for v in values[: model.MAX_ENUM_SHOWN])
    more = f", … ({len(values)} values)" if len(values) > model.MAX_ENUM_SHOWN else ""
    return f"<p>One of: {vals}{more}</p>"


class _Writer:
    def __init__(self, site: Optional[str]):
        self.site = site

    def desc(self, text: str) -> str:
        return f'<div class="desc">{to_html(text, self.site)}</div>' if text else ""

    def properties(self, props: List[model.PropertyDoc]) -> str:
        if not props:
            return ""
        out = ['<ul class="props">']
        for p in props:
            out.append(f'<li><span class="name">{esc(p.name)}</span> {_facts(model.property_facts(p))}')
            out.append(self.desc(p.description))
            if p.enum:
                out.append(_enum(p.enum))
            if p.see_above:
                out.append(f"<p>Structure: {esc(p.schema_name or 'the same schema')}, described above.</p>")
            out.append(self.properties(p.properties))
            out.append(self.variants(p.variant_kind, p.variants))
            if p.truncated and not p.variants:
                out.append("<p>Nested fields: see the schema" + (f" {esc(p.schema_name)}." if p.schema_name else ".") + "</p>")
            out.append("</li>")
        out.append("</ul>")
        return "".join(out)

    def variants(self, kind: Optional[str], variants: List[model.VariantDoc]) -> str:
        if not variants:
            return ""
        out = [f"<p>{'One of these' if kind == 'oneOf' else 'Any of these'}:</p><ul>"]
        for v in variants:
            head = f"<strong>{esc(v.name)}</strong>" + ("" if v.name == v.type else f" ({esc(v.type)})")
            if v.see_above:
                head += " (described above)"
            out.append(f"<li>{head}")
            if v.properties:
                from ._text import model_first_sentence

                if v.description:
                    out.append(f"<p>{esc(model_first_sentence(v.description))}</p>")
                out.append(self.properties(v.properties))
            out.append("</li>")
        out.append("</ul>")
        return "".join(out)

    def operation(self, doc: model.OperationDoc, level: int = 3) -> str:
        h = f"h{level}"
        sub = f"h{level + 1}"
        out = [f'<section class="op" id="{esc(doc.anchor)}" data-search="{esc(search_text(doc))}">',
               f'<{h}><a href="#{esc(doc.anchor)}">{esc(doc.operation_id)}</a></{h}>']
        if doc.summary:
            out.append(self.desc(doc.summary))
        facts = [f'<span class="route"><span class="verb {esc(doc.method)}">{esc(doc.method)}</span>{esc(doc.path)}</span>']
        if doc.alias:
            facts.append(f"method <code>client.{esc(doc.alias)}</code>")
        if doc.tags:
            facts.append("tags: " + esc(", ".join(doc.tags)))
        if doc.streams:
            facts.append("streams (text/event-stream)")
        if doc.security:
            facts.append("auth: " + esc(" or ".join(doc.security)))
        out.append('<p class="facts">' + " · ".join(facts) + "</p>")
        if doc.deprecated:
            out.append('<p class="dep">Deprecated.</p>')
        out.append("<pre><code>" + esc("\n".join(doc.synopsis)) + "</code></pre>")
        if doc.description and doc.description != doc.summary:
            out.append(self.desc(doc.description))
        if doc.parameters:
            out.append(f"<{sub}>Parameters</{sub}><ul class=\"props\">")
            for p in doc.parameters:
                out.append(f'<li><span class="name">{esc(p.name)}</span> {_facts(model.param_facts(p))}')
                note = model.keyword_note(p)
                if note:
                    out.append(f"<p>{esc(note[0].upper() + note[1:])}.</p>")
                out.append(self.desc(p.description))
                if p.enum:
                    out.append(_enum(p.enum))
                if p.has_example:
                    out.append(f"<p>Example: <code>{esc(model.value_text(p.example))}</code></p>")
                out.append("</li>")
            out.append("</ul>")
        for body in doc.bodies:
            out.append(f"<{sub}>Request body: {esc(body.media_type)}</{sub}>")
            out.append(f"<p>{_facts(model.body_heading_facts(doc, body))}</p>")
            out.append(self.desc(body.description))
            out.append(self.properties(body.properties))
            out.append(self.variants(body.variant_kind, body.variants))
        if doc.responses:
            out.append(f"<{sub}>Responses</{sub}><ul>")
            for r in doc.responses:
                content = model.response_line(r)
                lead = model.answer_lead(r)
                out.append(f"<li><code>{esc(r.status)}</code> {esc('; '.join(content))}{self.desc(r.description)}"
                           + (f"<p>{esc(lead)}</p>" if lead else "")
                           + self.properties(r.properties) + self.variants(r.variant_kind, r.variants) + "</li>")
            out.append("</ul>")
        shown = doc.valid_examples
        if shown:
            out.append(f"<{sub}>Examples</{sub}>")
            for ex in shown:
                out.append(f"<p>{esc(ex.title)}:</p><pre><code>{esc(doc.example_code(ex))}</code></pre>")
        out.append("</section>")
        return "\n".join(x for x in out if x)


def _page(title: str, toc: str, main: str) -> str:
    script = f"<script>{FILTER_SCRIPT}</script>\n" if toc else ""
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(title)}</title>\n<style>{STYLE}{'' if toc else 'main{margin-left:0}'}</style>\n"
            f"</head>\n<body>\n"
            f"{toc}\n<main>\n{main}\n</main>\n{script}</body>\n</html>\n")


def render(ref: model.ReferenceDoc) -> str:
    """The whole reference as one HTML page."""
    w = _Writer(ref.site)
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
    main = [f"<h1>{esc(title)}</h1>", w.desc(ref.description),
            f"<p>Base URL: <code>{esc(ref.base_url)}</code> · {len(ref.operations)} operations. "
            f"Call any of them as <code>client.call(\"operationId\", ...)</code> or "
            f"<code>client.operationId(...)</code> with "
            f"<code>client = Client({esc(model.py_literal(ref.spec_name))})</code>.</p>"]
    for g in ref.groups:
        main.append(f'<div class="group" data-group="{esc(g.anchor)}">')
        main.append(f'<h2 class="tag" id="{esc(g.anchor)}">{esc(g.name)}</h2>')
        main.append(w.desc(g.description))
        main += [w.operation(d, 3) for d in g.operations]
        main.append("</div>")
    return _page(title, "\n".join(toc), "\n".join(x for x in main if x))


def render_operation(doc: model.OperationDoc, site: Optional[str] = None) -> str:
    """One operation as a standalone page."""
    return _page(doc.operation_id, "", _Writer(site).operation(doc, 1).replace(
        '<section class="op"', '<section class="op" style="border:0"'))
