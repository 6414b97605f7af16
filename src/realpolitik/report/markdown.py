"""Markdown output: the HTML report's sections converted to Markdown, figures written as SVG files.

The report is built once, as HTML; this module walks that HTML (only the few tags the report uses) so the
two formats cannot drift apart.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path


class _ToMarkdown(HTMLParser):
    def __init__(self, fig_dir: Path, fig_prefix: str) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.fig_dir = fig_dir
        self.fig_prefix = fig_prefix
        self.buf: list[str] = []
        self.row: list[str] | None = None
        self.rows: list[list[str]] = []
        self.in_cell = False
        self.svg_depth = 0
        self.svg_parts: list[str] = []
        self.fig_id = ""
        self.caption = False
        self.figures: list[Path] = []
        self.skip = 0  # inside <style>/<title>/<nav>/<header>

    # ---------------------------------------------------------------- helpers
    def _text(self) -> str:
        t = re.sub(r"\s+", " ", "".join(self.buf)).strip()
        self.buf = []
        return t

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if self.svg_depth:
            self.svg_depth += 1
            self.svg_parts.append(self.get_starttag_text() or "")
            return
        if tag in ("style", "title", "nav", "head"):
            self.skip += 1
            return
        if self.skip:
            return
        if tag == "svg":
            self.svg_depth = 1
            self.svg_parts = [self.get_starttag_text() or ""]
        elif tag == "figure":
            self.fig_id = a.get("id") or f"figure-{len(self.figures) + 1}"
        elif tag == "figcaption":
            self.caption = True
            self.buf = []
        elif tag in ("h1", "h2", "h3", "p", "li", "pre"):
            self.buf = []
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.in_cell = True
            self.buf = []
        elif tag == "br":
            self.buf.append(" / " if self.in_cell else "\n")
        elif tag == "code" and not self.in_cell:
            self.buf.append("`")
        elif tag == "b":
            self.buf.append("**")

    def handle_endtag(self, tag: str) -> None:
        if self.svg_depth:
            self.svg_parts.append(f"</{tag}>")
            self.svg_depth -= 1
            if self.svg_depth == 0:
                name = f"{self.fig_prefix}{self.fig_id}.svg"
                path = self.fig_dir / name
                path.write_text("".join(self.svg_parts), encoding="utf-8")
                self.figures.append(path)
                self.out.append(f"![{self.fig_id}]({self.fig_dir.name}/{name})\n")
            return
        if tag in ("style", "title", "nav", "head"):
            self.skip -= 1
            return
        if self.skip:
            return
        if tag == "h1":
            self.out.append(f"# {self._text()}\n")
        elif tag == "h2":
            self.out.append(f"\n## {self._text()}\n")
        elif tag == "h3":
            self.out.append(f"\n### {self._text()}\n")
        elif tag == "p":
            t = self._text()
            if t:
                self.out.append(t + "\n")
        elif tag == "pre":
            self.out.append("```\n" + "".join(self.buf).strip() + "\n```\n")
            self.buf = []
        elif tag == "li":
            self.out.append(f"- {self._text()}")
        elif tag == "ul":
            self.out.append("")
        elif tag == "figcaption":
            self.out.append(f"*{self._text()}*\n")
            self.caption = False
        elif tag in ("td", "th"):
            if self.row is not None:
                self.row.append(self._text().replace("|", "\\|"))
            self.in_cell = False
        elif tag == "tr":
            if self.row is not None:
                self.rows.append(self.row)
            self.row = None
        elif tag == "table":
            if self.rows:
                head, *body = self.rows
                self.out.append("| " + " | ".join(head) + " |")
                self.out.append("|" + "---|" * len(head))
                self.out.extend("| " + " | ".join(r) + " |" for r in body)
                self.out.append("")
            self.rows = []
        elif tag == "code" and not self.in_cell:
            self.buf.append("`")
        elif tag == "b":
            self.buf.append("**")

    def handle_data(self, data: str) -> None:
        if self.svg_depth:
            self.svg_parts.append(data.replace("&", "&amp;").replace("<", "&lt;"))
            return
        if not self.skip:
            self.buf.append(data)


def html_to_markdown(html: str, path: Path) -> tuple[str, list[Path]]:
    """Markdown for the report HTML; figures go to ``<stem>_figures/`` beside ``path``."""
    fig_dir = path.parent / f"{path.stem}_figures"
    fig_dir.mkdir(parents=True, exist_ok=True)
    conv = _ToMarkdown(fig_dir, "")
    conv.feed(html)
    conv.close()
    text = "\n".join(conv.out)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return text, conv.figures
