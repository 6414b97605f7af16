"""Render the report from Jinja2 templates: one HTML page, or Markdown with SVG figure files.

Both formats render the same data (:func:`realpolitik.report.sections.build`) with the templates in
``realpolitik/report/templates/`` (``html/`` and ``md/``), which a web app can reuse: ``html/card.html``
renders a summary card alone, ``html/blocks.html`` any list of blocks.

Escaping: the HTML environment autoescapes everything. The Markdown environment passes every
``{{ … }}`` through :func:`md_escape` (its ``finalize``), so names and notes from a scenario file
(``<script>``, ``[x](javascript:…)``, ``# heading``, ``| cell``) are always shown as text; only values
marked :class:`markupsafe.Markup` by this module (figure paths it made) pass unchanged.

Nothing here writes a file: :func:`render_html` returns text, :func:`render_markdown` returns text and
the figures as ``{file name: SVG text}``; :func:`realpolitik.report.write_report` writes them.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from functools import cache
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from realpolitik.report.analysis import Analysis
from realpolitik.report.sections import build, num
from realpolitik.report.summary import SummaryCard, refusal_words, summary_card
from realpolitik.report.view import Section

_MD_PUNCT = re.compile(r"([\\`*_\[\]|~<>&])")  # the characters that make inline syntax anywhere
_MD_LEAD = re.compile(r"^([-=+#])|^(\d{1,9})([.)])(?=\s|$)")  # and those that start a block


def md_escape(value: Any) -> str:
    """``value`` as Markdown text that renders as written: one line, every syntax character escaped."""
    if isinstance(value, Markup):
        return str(value)
    if value is None:
        return ""
    text = " ".join(str(value).split())  # no line break: a value never starts a block of its own
    text = _MD_PUNCT.sub(r"\\\1", text)
    return _MD_LEAD.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), text)


def slug(text: str) -> str:
    """A file-name-safe form of a figure id."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text).strip(".") or "figure"


def _g(v: Any) -> str:
    """A value on an issue's scale: three significant digits, and 0 for what is 0 to that precision."""
    if v is None:
        return "—"
    f = float(v)
    if abs(f) < 0.01:
        return "0"
    return f"{f:.3g}" if abs(f) < 1000 else f"{f:,.0f}"


def _pct(v: Any) -> str:
    return "—" if v is None else f"{float(v):.0%}"


def _filters(env: jinja2.Environment) -> None:
    env.filters["num"] = num
    env.filters["g"] = _g
    env.filters["pct"] = _pct
    env.filters["refusals"] = refusal_words


@cache
def _html_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("realpolitik.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    _filters(env)
    return env


@cache
def _md_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("realpolitik.report", "templates"),
        autoescape=False,
        finalize=md_escape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    _filters(env)
    env.filters["code"] = lambda v: Markup(" ".join(str(v).split()))  # inside a code block: literal, one line
    return env


@cache
def plotly_js() -> str:
    """plotly.js as shipped inside the plotly package (no network)."""
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


def _csp_hash(script: str) -> str:
    return (
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"
    )


def _subtitle(a: Analysis) -> str:
    s = a.scenario
    return " · ".join(
        x
        for x in (
            s.id,
            f"as of {s.as_of}" if s.as_of else None,
            f"realpolitik {a.version}",
            dt.date.today().isoformat(),
        )
        if x
    )


def render_html(a: Analysis, *, for_print: bool = False, interactive: bool = True) -> str:
    """The whole report as one self-contained HTML page.

    Figures are Plotly (hover values; plotly.js, about 4.6 MB, is embedded, so the page needs no
    network) with the static SVG beside each for print and for readers without script.
    ``interactive=False``: the SVG figures only, no script at all (a page a tenth of the size, to mail).
    ``for_print``: static figures only and every folded part open (the PDF export).
    """
    card, sections = build(a, interactive=interactive and not for_print)
    return render_page(card, sections, title=a.scenario.title, subtitle=_subtitle(a), for_print=for_print)


def render_page(
    card: SummaryCard, sections: list[Section], *, title: str, subtitle: str, for_print: bool = False
) -> str:
    """The report page of a card and its sections (what :func:`render_html` writes; the web app
    renders a stored run's card and sections with it)."""
    env = _html_env()
    figures = {f.id: f.plotly for sec in sections for f in sec.figures() if f.plotly is not None}
    scripts: list[str] = []
    data_json = ""
    if figures and not for_print:
        # no "<", ">" or "&" at all inside the script element: it can neither be closed nor re-opened early
        data_json = (
            json.dumps(figures, separators=(",", ":"), allow_nan=False)
            .replace("<", "\\u003c")
            .replace(">", "\\u003e")
            .replace("&", "\\u0026")
        )
        scripts = [plotly_js(), env.get_template("html/init.js").render()]
    csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    if scripts:
        csp += "; script-src " + " ".join(_csp_hash(s) for s in scripts)
    return env.get_template("html/report.html").render(
        title=title,
        subtitle=subtitle,
        card=card,
        sections=sections,
        csp=csp,
        figure_data=Markup(data_json),
        scripts=[Markup(s) for s in scripts],
        for_print=for_print,
    )


def add_filters(env: jinja2.Environment) -> None:
    """The report's number filters (``num``, ``g``, ``pct``) on another environment (the web app's)."""
    _filters(env)


def render_card_html(a: Analysis | SummaryCard) -> str:
    """The summary card alone as an HTML fragment (notebooks, the web app)."""
    card = a if isinstance(a, SummaryCard) else summary_card(a)
    return _html_env().get_template("html/card_fragment.html").render(card=card)


def render_markdown(a: Analysis, figure_dir: str) -> tuple[str, dict[str, str]]:
    """The report as Markdown and its figures as ``{file name: SVG}``, linked as ``figure_dir/<name>``."""
    card, sections = build(a, interactive=False)
    files: dict[str, str] = {}
    links: dict[str, Markup] = {}
    for sec in sections:
        for f in sec.figures():
            name = slug(f.id) + ".svg"
            while name in files:
                name = "_" + name
            files[name] = f.svg
            links[f.id] = Markup(quote(f"{figure_dir}/{name}"))
    text = (
        _md_env()
        .get_template("md/report.md")
        .render(a=a, title=a.scenario.title, subtitle=_subtitle(a), card=card, sections=sections, links=links)
    )
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return text, files
