"""Hostile names and notes in a scenario never reach a report as markup (issue 11, item 10).

Every text a scenario file supplies (title, description, actor and issue names, labels, units, source
titles, notes) is shown as text: in the Markdown report every syntax character is escaped, so a viewer
renders no tag, no link and no heading from it; in the HTML report everything is autoescaped and the
only scripts are the two the report embeds (allowed by hash in its Content-Security-Policy).
"""

from __future__ import annotations

import json
import re

import pytest
from markdown_it import MarkdownIt

from realpolitik.report import run_analysis
from realpolitik.report.render import md_escape, plotly_js, render_html, render_markdown
from realpolitik.scenario import from_dict

PROBES = {
    "script": "<script>alert(1)</script>",
    "img": '<img src=x onerror="alert(2)">',
    "svg": "<svg onload=alert(3)>",
    "link": "[click](javascript:alert(4))",
    "autolink": "<javascript:alert(5)>",
    "heading": "# fake heading",
    "table": "a | b |\n|---|---|",
    "html_entity": "&lt;script&gt;alert(6)&lt;/script&gt;",
    "image": "![x](javascript:alert(7))",
    "emphasis": "**bold** _it_ `code`",
    "list": "1. first\n- second",
    "ref": "[a]: javascript:alert(8)",
}
HOSTILE = " ".join(PROBES.values())
#: Ids, names and titles must be one line (the validator refuses line breaks there); notes may not.
ONE_LINE = HOSTILE.replace("\n", " ")


def hostile_scenario():
    return from_dict(
        {
            "id": "hostile",
            "title": "Title " + ONE_LINE,
            "description": "Description " + HOSTILE,
            "sources": {"s1": {"title": "Source " + ONE_LINE, "kind": "judgment", "author": PROBES["img"]}},
            "actors": [
                {
                    "id": "A",
                    "name": "Actor " + ONE_LINE,
                    "capability": {"value": 3.0, "source": "s1", "note": HOSTILE},
                },
                {"id": "B", "name": PROBES["svg"], "capability": 2.0},
            ],
            "issues": [
                {
                    "id": "x",
                    "name": "Issue " + ONE_LINE,
                    "unit": PROBES["link"],
                    "bounds": [0, 100],
                    "status_quo": 10,
                    "labels": {0: PROBES["script"], 50: PROBES["image"], 100: PROBES["heading"]},
                }
            ],
            "positions": {
                "A": {"x": {"position": 90, "salience": {"value": 0.8, "range": [0.6, 1.0]}}},
                "B": {"x": {"position": 5, "salience": 0.7}},
            },
            "relations": [{"from": "A", "to": "B", "kind": "rivalry", "value": -0.5, "note": HOSTILE}],
            "parties": ["A", "B"],
        }
    )


@pytest.fixture(scope="module")
def analysis():
    return run_analysis(hostile_scenario(), draws=60, seed=1)


def test_md_escape_probes() -> None:
    for name, probe in PROBES.items():
        out = md_escape(probe)
        assert "\n" not in out, name
        assert not re.search(r"(?<!\\)[<>\[\]`*_|]", out), (name, out)


def test_markdown_report_renders_no_markup_from_the_scenario(analysis) -> None:
    text, figures = render_markdown(analysis, "hostile figs")
    assert not re.search(r"(?<!\\)<", text), "a raw '<' in the Markdown"
    # a viewer with raw HTML enabled (GitHub-like) shows the probes as text
    rendered = MarkdownIt("commonmark", {"html": True}).render(text)
    low = rendered.lower()
    for tag in ("<script", "<svg", "<iframe"):
        assert tag not in low, tag
    assert "javascript:" not in " ".join(re.findall(r'(?:href|src)="([^"]*)"', low))
    hrefs = re.findall(r'<a href="([^"]*)"', rendered)
    assert hrefs == [], hrefs  # the scenario makes no link at all
    imgs = re.findall(r"<img\b[^>]*>", rendered)  # only the report's own figures
    srcs = [re.search(r'src="([^"]*)"', i).group(1) for i in imgs]
    assert len(srcs) == len(figures) and all(
        s.startswith("hostile%20figs/") and s.endswith(".svg") for s in srcs
    )
    headings = re.findall(r"<h(\d)>(.*?)</h\1>", rendered)
    assert all("fake heading" not in h for _, h in headings if not h.startswith("Title"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered  # shown, as text
    for name, svg in figures.items():
        assert re.fullmatch(r"[A-Za-z0-9_.-]+\.svg", name)
        assert "<script" not in svg.lower() and "onload=" not in svg.lower() and "onerror=" not in svg.lower()


def test_html_report_escapes_everything(analysis) -> None:
    html = render_html(analysis).replace(plotly_js(), "PLOTLY")  # the library's own text is not ours
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts == ['<script type="application/json" id="rp-figures">', "<script>", "<script>"]
    page = re.sub(r"<script\b[^>]*>.*?</script>", "", html, flags=re.S)
    low = page.lower()
    assert (
        "<img" not in low and "<svg onload" not in low and "onerror=" not in low.replace("onerror=&#34;", "")
    )
    assert 'href="javascript:' not in low
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    data = re.search(r'id="rp-figures">(.*?)</script>', html, re.S).group(1)
    assert "<" not in data and ">" not in data  # the figure data can neither close nor re-open its element
    figures = json.loads(data)
    texts = json.dumps(figures)
    assert "<script>" not in texts and "&lt;script&gt;alert(1)&lt;/script&gt;" in texts  # entities for Plotly
