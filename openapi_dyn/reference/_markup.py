"""CommonMark descriptions -> POD, Markdown, HTML and plain text.

Descriptions in OpenAPI documents are CommonMark.  They are parsed once with
markdown-it-py (imported on first use) into its syntax tree, and each output
format walks that tree: nothing here rewrites Markdown with regular
expressions.  Relative links (``/docs/models``) are made absolute against the
spec's documentation site when one is known; headings inside a description
never compete with the reference's own headings (they become bold lines).
"""
from __future__ import annotations

import html
import re
import textwrap
from functools import lru_cache
from typing import Callable, List, Optional
from urllib.parse import urljoin

_parser = None


def parser():
    """The shared markdown-it parser: CommonMark plus tables and
    strikethrough, raw HTML kept as text (never passed through)."""
    global _parser
    if _parser is None:
        from markdown_it import MarkdownIt

        _parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    return _parser


@lru_cache(maxsize=4096)
def _tree(source: str):
    from markdown_it.tree import SyntaxTreeNode

    return SyntaxTreeNode(parser().parse(source))


def absolute(href: str, site: Optional[str]) -> Optional[str]:
    """``href`` as an absolute URL, or None when it cannot be made one."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", href):
        return href
    if site and href and not href.startswith("#"):
        return urljoin(site.rstrip("/") + "/", href.lstrip("/")) if href.startswith("/") else urljoin(site, href)
    return None


def _plain(node) -> str:
    """The text of an inline subtree, without any markup."""
    if node.type in ("text", "code_inline", "html_inline"):
        return node.content
    if node.type in ("softbreak", "hardbreak"):
        return " "
    if node.type == "image":
        return node.children and "".join(_plain(c) for c in node.children) or ""
    return "".join(_plain(c) for c in node.children)


class _Walker:
    """Shared dispatch: ``block_<type>`` for block nodes, ``inline_<type>`` for
    inline ones; unknown types fall back to their children or their text."""

    def __init__(self, site: Optional[str] = None):
        self.site = site

    def inlines(self, node) -> str:
        return "".join(self.inline(c) for c in node.children)

    def inline(self, node) -> str:
        fn = getattr(self, "inline_" + node.type, None)
        if fn is not None:
            return fn(node)
        if node.children:
            return self.inlines(node)
        return self.text(node.content or "")

    def blocks(self, node) -> List[str]:
        out: List[str] = []
        for child in node.children:
            fn = getattr(self, "block_" + child.type, None)
            if fn is None:
                out.extend(self.blocks(child) if child.children else [])
            else:
                out.extend(p for p in fn(child) if p)
        return out

    def inline_code_inline(self, node) -> str:
        return self.code(node.content)

    #: How the format writes plain text (escaped) and a code span.
    text = staticmethod(str)
    code = staticmethod(str)

    def inline_inline(self, node) -> str:
        return self.inlines(node)

    #: What a soft and a hard line break become.
    soft_break = " "
    hard_break = "\n"

    def inline_softbreak(self, node) -> str:
        return self.soft_break

    def inline_hardbreak(self, node) -> str:
        return self.hard_break

    def url(self, node, attr: str = "href") -> str:
        """A link's (or an image's) address, absolute where it can be made so."""
        raw = str(node.attrs.get(attr, ""))
        return absolute(raw, self.site) or raw

    def _list(self, node, ordered: bool) -> List[str]:  # pragma: no cover - overridden
        return []

    def block_bullet_list(self, node):
        return self._list(node, False)

    def block_ordered_list(self, node):
        return self._list(node, True)


def _hanging(marker: str, body: str) -> str:
    """``body`` after ``marker``, its later lines lined up under its first."""
    lines = body.split("\n")
    pad = " " * len(marker)
    return marker + lines[0] + "".join("\n" + (pad + line if line else "") for line in lines[1:])


# --------------------------------------------------------------------- POD
_POD_ANGLES = re.compile(r"[<>]")
_POD_ENTITY = {"<": "E<lt>", ">": "E<gt>"}


def pod_escape(s: str) -> str:
    """Ordinary POD text: ``<`` and ``>`` become ``E<lt>``/``E<gt>``, so no
    letter before them can start a formatting code."""
    return _POD_ANGLES.sub(lambda m: _POD_ENTITY[m.group(0)], s)


def pod_code(s: str) -> str:
    """``C<...>`` for a code span, whatever it contains."""
    s = s.strip("\n")
    if not s.strip():
        return pod_escape(s)
    return "C<" + pod_escape(s) + ">"


def pod_link(text_pod: str, url: str) -> str:
    """``L<text|url>``; the URL is percent-escaped where POD would stumble."""
    url = url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    if not text_pod:
        return f"L<{url}>"
    text_pod = text_pod.replace("|", "E<verbar>").replace("/", "E<sol>")
    return f"L<{text_pod}|{url}>"


def pod_paragraph(text: str) -> str:
    """A POD ordinary paragraph: no leading whitespace (that would make it
    verbatim), no whitespace-only lines, no ``=`` opening it (a command)."""
    lines = [line.strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        return ""
    para = "\n".join(lines)
    if para.startswith("="):
        para = "Z<>" + para
    return para


def pod_verbatim(text: str, indent: str = "    ") -> str:
    """A POD verbatim paragraph: every line indented, blank lines empty."""
    lines = text.expandtabs(4).rstrip().split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    out = [(indent + line).rstrip() if line.strip() else "" for line in lines]
    return "\n".join(out)


class _Pod(_Walker):
    text, code = staticmethod(pod_escape), staticmethod(pod_code)

    def inline_em(self, node) -> str:
        inner = self.inlines(node)
        return f"I<{inner}>" if inner.strip() else inner

    def inline_strong(self, node) -> str:
        inner = self.inlines(node)
        return f"B<{inner}>" if inner.strip() else inner

    def inline_s(self, node) -> str:
        return self.inlines(node)

    soft_break = hard_break = "\n"

    def inline_html_inline(self, node) -> str:
        if re.match(r"(?i)^<br\s*/?>$", node.content):
            return "\n"
        return pod_escape(node.content)

    def inline_link(self, node) -> str:
        href = node.attrs.get("href", "")
        url = absolute(str(href), self.site)
        # Formatting codes inside L<> confuse some formatters: keep the text plain.
        label = pod_escape(_plain(node)).replace("\n", " ").strip()
        if url is None:
            return f"{label} ({pod_escape(str(href))})" if href else label
        if label == url:
            return pod_link("", url)
        return pod_link(label, url)

    def inline_image(self, node) -> str:
        src = self.url(node, "src")
        alt = pod_escape(_plain(node))
        return f"[image: {alt}] ({pod_escape(src)})"

    def block_paragraph(self, node):
        return [pod_paragraph(self.inlines(node.children[0]) if node.children else "")]

    def block_heading(self, node):
        inner = self.inlines(node.children[0]).replace("\n", " ").strip()
        return [pod_paragraph(f"B<{inner}>")] if inner else []

    def block_fence(self, node):
        return [pod_verbatim(node.content)] if node.content.strip() else []

    block_code_block = block_fence

    def block_html_block(self, node):
        if node.content.lstrip().startswith("<!--"):
            return []
        return [pod_verbatim(node.content)] if node.content.strip() else []

    def block_hr(self, node):
        return []

    def block_blockquote(self, node):
        inner = self.blocks(node)
        return ["=over 4", *inner, "=back"] if inner else []

    def _list(self, node, ordered: bool):
        out = ["=over 4"]
        n = 0
        for item in node.children:
            n += 1
            out.append(f"=item {n}." if ordered else "=item *")
            inner = self.blocks(item)
            out.extend(inner if inner else ["Z<>"])
        out.append("=back")
        return out if n else []

    def block_table(self, node):
        return [pod_verbatim(_table_text(node))]


# ----------------------------------------------------------------- Markdown
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def md_escape(s: str) -> str:
    """Text that Markdown shows as is."""
    return _MD_SPECIAL.sub(r"\\\1", s)


def md_code(s: str) -> str:
    """A Markdown code span holding ``s`` exactly."""
    if "`" not in s:  # the common case: one backtick fences it
        return f"` {s} `" if s.startswith(" ") and s.endswith(" ") and s.strip() else f"`{s}`"
    fence = "`" * (max(len(m) for m in re.findall(r"`+", s)) + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or (s.startswith(" ") and s.endswith(" ") and s.strip()) else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def md_block_start(line: str) -> str:
    """Escape what would open a block at the start of a line."""
    m = re.match(r"^(\s*)([#=+\-]|\d+[.)])", line)
    if m:
        return line[: m.end(1)] + "\\" + line[m.end(1):]
    return line


class _Markdown(_Walker):
    text, code = staticmethod(md_escape), staticmethod(md_code)

    def inline_em(self, node) -> str:
        return f"*{self.inlines(node)}*"

    def inline_strong(self, node) -> str:
        return f"**{self.inlines(node)}**"

    def inline_s(self, node) -> str:
        return f"~~{self.inlines(node)}~~"

    soft_break, hard_break = "\n", "\\\n"

    def inline_html_inline(self, node) -> str:
        return md_escape(node.content)

    def inline_link(self, node) -> str:
        url = self.url(node).replace(" ", "%20").replace("(", "%28").replace(")", "%29")
        return f"[{self.inlines(node)}]({url})"

    def inline_image(self, node) -> str:
        return f"![{md_escape(_plain(node))}]({self.url(node, 'src')})"

    def block_paragraph(self, node):
        text = self.inlines(node.children[0]) if node.children else ""
        return ["\n".join(md_block_start(line.strip()) for line in text.split("\n") if line.strip())]

    def block_heading(self, node):
        inner = self.inlines(node.children[0]).replace("\n", " ").strip()
        return [f"**{inner}**"] if inner else []

    def block_fence(self, node):
        content = node.content.rstrip("\n")
        fence = "```"
        while fence in content:
            fence += "`"
        info = (node.info or "").strip().split(" ")[0]
        return [f"{fence}{info}\n{content}\n{fence}"]

    block_code_block = block_fence

    def block_html_block(self, node):
        return [f"```\n{node.content.rstrip()}\n```"] if node.content.strip() else []

    def block_hr(self, node):
        return ["---"]

    def block_blockquote(self, node):
        inner = "\n\n".join(self.blocks(node))
        return ["\n".join("> " + line if line else ">" for line in inner.split("\n"))]

    def _list(self, node, ordered: bool):
        items = []
        start = int(node.attrs.get("start", 1) or 1) if ordered else 1
        for n, item in enumerate(node.children):
            marker = f"{start + n}. " if ordered else "- "
            items.append(_hanging(marker, "\n\n".join(self.blocks(item)) or " "))
        return ["\n".join(items)]

    def block_table(self, node):
        rows = _table_rows(node, lambda cell: self.inlines(cell.children[0]) if cell.children else "")
        if not rows:
            return []
        out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
        out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        return ["\n".join(out)]


# --------------------------------------------------------------------- HTML
def html_fragment(source: str, site: Optional[str] = None) -> str:
    """``source`` as an HTML fragment: links absolute, headings demoted to
    ``<h5>`` so they stay below the reference's own headings."""
    md = parser()
    tokens = md.parse(source)
    for tok in tokens:
        if tok.type in ("heading_open", "heading_close"):
            tok.tag = "h5"
        for child in tok.children or ():
            if child.type == "link_open":
                href = str(child.attrs.get("href", ""))
                child.attrs["href"] = absolute(href, site) or href
            elif child.type == "image":
                src = str(child.attrs.get("src", ""))
                child.attrs["src"] = absolute(src, site) or src
    return md.renderer.render(tokens, md.options, {})


# --------------------------------------------------------------------- text
class _Text(_Walker):
    def __init__(self, site: Optional[str], width: int):
        super().__init__(site)
        self.width = width

    @staticmethod
    def code(s: str) -> str:
        return f"`{s}`"

    def inline_html_inline(self, node) -> str:
        return "\n" if re.match(r"(?i)^<br\s*/?>$", node.content) else node.content

    def inline_link(self, node) -> str:
        url = self.url(node)
        label = self.inlines(node)
        return url if label == url or not label else f"{label} <{url}>"

    def inline_image(self, node) -> str:
        return f"[image: {_plain(node)}]"

    def _fill(self, text: str, width: int) -> str:
        out = []
        for piece in text.split("\n"):
            out.append(textwrap.fill(" ".join(piece.split()), width=max(width, 20),
                                     break_long_words=False, break_on_hyphens=False))
        return "\n".join(out)

    def block_paragraph(self, node):
        return [self._fill(self.inlines(node.children[0]) if node.children else "", self.width)]

    def block_heading(self, node):
        return [self.inlines(node.children[0]).strip().upper()]

    def block_fence(self, node):
        return [textwrap.indent(node.content.rstrip("\n").expandtabs(4), "    ")]

    block_code_block = block_fence
    block_html_block = block_fence

    def block_hr(self, node):
        return []

    def block_blockquote(self, node):
        return [textwrap.indent(b, "  | ", lambda line: True) for b in self.blocks(node)]

    def _list(self, node, ordered: bool):
        items = []
        for n, item in enumerate(node.children, 1):
            marker = f"{n}. " if ordered else "* "
            inner = _Text(self.site, self.width - len(marker))
            items.append(_hanging(marker, "\n\n".join(inner.blocks(item))))
        return ["\n".join(items)]

    def block_table(self, node):
        return [_table_text(node)]


def _table_rows(node, cell_text: Callable) -> List[List[str]]:
    rows = []
    for section in node.children:
        for tr in section.children:
            rows.append([cell_text(td).replace("\n", " ") for td in tr.children])
    return rows


def _table_text(node) -> str:
    rows = _table_rows(node, lambda cell: _plain(cell))
    if not rows:
        return ""
    widths = [max(len(r[i]) if i < len(r) else 0 for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(widths[i]) for i, c in enumerate(r[: len(widths)])).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# ---------------------------------------------------------------- entrances
def to_pod(source: str, site: Optional[str] = None) -> List[str]:
    """POD paragraphs (join with blank lines) for a CommonMark ``source``."""
    if not source or not source.strip():
        return []
    return [p for p in _Pod(site).blocks(_tree(source)) if p]


def to_markdown(source: str, site: Optional[str] = None) -> str:
    """``source`` re-rendered as Markdown with absolute links and no headings."""
    if not source or not source.strip():
        return ""
    return "\n\n".join(p for p in _Markdown(site).blocks(_tree(source)) if p)


def to_html(source: str, site: Optional[str] = None) -> str:
    if not source or not source.strip():
        return ""
    return html_fragment(source, site)


def to_text(source: str, site: Optional[str] = None, width: int = 74) -> str:
    """``source`` as wrapped plain text."""
    if not source or not source.strip():
        return ""
    return "\n\n".join(p for p in _Text(site, width).blocks(_tree(source)) if p)


def inline_text(source: str) -> str:
    """The first paragraph of ``source`` as one line of plain text (for
    summaries and tables)."""
    if not source or not source.strip():
        return ""
    tree = _tree(source)
    for node in tree.children:
        if node.type == "paragraph" and node.children:
            return " ".join(_plain(node.children[0]).split())
    return " ".join(source.split())


def escape_html(s: str) -> str:
    return html.escape(s, quote=True)
