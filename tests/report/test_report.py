"""The analyst's report: order, summary card, ranked findings, one model per analysis, formats, escaping."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pytest

import realpolitik as rp
from realpolitik.report import (
    OutputDirError,
    ReportFormatError,
    chromium,
    findings,
    prepare_output_dir,
    report_format,
    run_analysis,
    summary_card,
    write_report,
)
from realpolitik.report.findings import HEADLINE
from realpolitik.report.render import render_html, render_markdown

ORDER = [
    "summary", "findings", "forecasts", "deals", "uncertainty", "environment", "trust", "scenario", "reproduce",
]  # fmt: skip


@pytest.fixture(scope="module")
def flagship_analysis() -> rp.report.Analysis:  # type: ignore[name-defined]
    return run_analysis(rp.load("japan-russia-2016"), seed=3, draws=400, model="eum")  # eum: cycles, modes


@pytest.fixture(scope="module")
def flagship(flagship_analysis, tmp_path_factory: pytest.TempPathFactory) -> tuple[rp.Scenario, Path, str]:
    path = tmp_path_factory.mktemp("report") / "report.html"
    write_report(flagship_analysis, path)
    return flagship_analysis.scenario, path, path.read_text(encoding="utf-8")


def test_sections_in_a_policy_readers_order(flagship) -> None:
    s, _, html = flagship
    where = [html.find(f'<section id="{sid}"') for sid in ORDER]
    assert all(w > 0 for w in where), dict(zip(ORDER, where, strict=True))
    assert where == sorted(where)
    for iss in s.issues:  # one model-comparison figure per issue, in place of the long table
        assert f'data-figure="compare-{iss.id}"' in html
        assert f'data-plotly="compare-{iss.id}"' in html


def test_provenance_is_folded_at_the_end(flagship) -> None:
    s, _, html = flagship
    scen = html[html.find('<section id="scenario"') :]
    n = sum(1 for _ in rp.scenario.iter_quantities(s))
    assert f"<details><summary>Provenance of every number ({n} numbers;" in scen
    assert "analyst judgment" in scen


def test_every_section_names_its_model(flagship_analysis, flagship) -> None:
    _, _, html = flagship
    a = flagship_analysis
    from realpolitik import defaults

    assert a.model == "eum"  # chosen; without a choice the default model and its reason:
    d = run_analysis(rp.load("japan-russia-2016"), parts=("forecasts",))
    assert d.model == defaults.MODEL == "compromise" and d.model_reason == defaults.MODEL_REASON
    for sid in ("forecasts", "uncertainty", "environment"):
        sec = html[html.find(f'<section id="{sid}"') :]
        note = re.search(r'<p class="model-note">(.*?)</p>', sec, re.S)
        assert note and a.model in note.group(1), sid
    deals = html[html.find('<section id="deals"') :]
    assert "No bargaining model" in re.search(r'<p class="model-note">(.*?)</p>', deals, re.S).group(1)


def test_one_model_for_monte_carlo_sweep_and_headline() -> None:
    a = run_analysis(rp.load("japan-russia-2016"), seed=0, draws=100, model="eum")
    assert a.model == "eum" and a.model_reason == "chosen by the user"
    assert a.montecarlo["model"] == a.sweep["model"] == a.extras["tornado"]["model"] == "eum"
    assert summary_card(a).issues[0].model == "eum"
    with pytest.raises(KeyError, match="unknown model"):
        run_analysis(rp.load("ec-emissions-1994"), model="nope")


def test_no_cross_model_means_and_no_trivial_findings(flagship_analysis, flagship) -> None:
    _, _, html = flagship
    text = " ".join(f.text for f in findings(flagship_analysis))
    assert "mean forecast" not in text and "mean forecast" not in html
    assert "lies above the status quo" not in text


def test_findings_ranked_one_headline_per_agreement_and_the_rest_folded(flagship_analysis, flagship) -> None:
    fs = findings(flagship_analysis)
    assert [f.importance for f in fs] == sorted((f.importance for f in fs), reverse=True)
    head = fs[:HEADLINE]
    # one headline per agreement, first: the treaty is not concluded, and why (red lines without common ground)
    treaty = head[0].text
    assert head[0].section == "agreements" and treaty.startswith("Peace treaty")
    assert "not concluded in any model" in treaty
    assert "no package is acceptable to JPN, RUS and USA (veto)" in treaty
    assert "No common ground on military status" in treaty and "RUS at most 25" in treaty
    assert "even without USA's veto, JPN's and RUS's own red lines conflict" in treaty
    econ = next(f.text for f in head if f.text.startswith("Japan-Russia economic cooperation"))
    assert "can be agreed on its own" in econ and "compromise 72.3" in econ and "nash 92.7" in econ
    who = next(f.text for f in head if f.text.startswith("Who refuses the peace treaty"))
    assert "USA on military status (red line, every model)" in who and "RUS on territory (red line" in who
    front = next(f.text for f in head if f.text.startswith("RUS decides"))
    assert "eum 0" in front and "exchange 66.5" in front
    texts = [f.text for f in fs]
    assert any(
        t.startswith("If the peace treaty and the agreement on economic cooperation were signed")
        for t in texts
    )
    assert any(
        "german-unification-1990 terms applied here" in t and "RUS on military status (red line)" in t
        for t in texts
    )
    assert any(
        t.startswith("The rule holds the status quo against the pressure of every model on territory")
        for t in texts
    )
    assert any("leaky" in f.text for f in fs if f.section == "trust")
    assert not any("moves its position" in t for t in texts)  # concessions in words, from the deal analysis
    _, _, html = flagship
    sec = html[html.find('<section id="findings"') : html.find('<section id="forecasts"')]
    shown, _, rest = sec.partition("<details>")
    assert shown.count("<li>") == HEADLINE and rest.count("<li>") == len(fs) - HEADLINE
    for f in fs:
        assert re.search(r"\[[^\]]*\d[^\]]*\]$", f"{f.text} [{f.number}]")


def test_summary_card_reads_the_agreements(flagship_analysis) -> None:
    card = summary_card(flagship_analysis)
    assert card.model == "eum" and len(card.issues) == 4
    treaty, econ = card.agreements
    assert treaty.id == "peace_treaty" and treaty.status == "refused" and treaty.feasible is False
    assert treaty.signers == ("JPN", "RUS") and treaty.veto_holders == {"USA": ("military_status",)}
    assert treaty.count("refused") == treaty.n_models == 5 and treaty.nearest is None
    by = {(r.actor, r.issue): r for r in treaty.refusals}
    assert (
        by[("USA", "military_status")].reason == "red_line"
        and len(by[("USA", "military_status")].models) == 5
    )
    assert by[("RUS", "territory")].reason == "red_line"
    (conflict,) = treaty.conflicts
    assert (
        "JPN accepts at least 50, RUS at most 25 and USA at least 75" in conflict
        and "territory > 0" in conflict
    )
    assert treaty.no_single_concession and treaty.opening_concession is None
    assert treaty.probability == 0.0 and treaty.probability_model == "eum"
    assert econ.status == "split" and econ.feasible is True and econ.count("agreed") == 2
    assert econ.package and econ.package.startswith("economic cooperation 75")
    assert econ.nearest == {"economic_cooperation": 95.0} and econ.nearest_model == "eum"
    assert econ.refusals[0].actor == "JPN" and econ.refusals[0].reason == "loss"  # wants 60, pushed to ~100
    assert 0.0 < (econ.probability or 0.0) < 1.0
    kinds = [(h.kind, h.key, h.style) for h in card.headlines]
    assert kinds == [
        ("agreement", "peace_treaty", "no"),
        ("agreement", "economic_cooperation", "mixed"),
        ("unilateral", "russia_china_front", "own"),
    ]
    assert card.headlines[2].answer.startswith("RUS decides alone")
    terr = card.issues[0]
    assert terr.issue == "territory" and terr.rule == "consent" and terr.agreement == "peace_treaty"
    assert terr.outcome == 0.0 and terr.settled is True  # eum's pressure cycles, but the rule settles it
    assert terr.pressure is None and terr.converged is False and terr.cycle_range is not None
    assert any("the rule gives 0 in every round" in fl for fl in terr.flags)
    assert terr.pressure_low is not None and terr.pressure_low > 20  # every model pushes the islands
    front = card.issues[3]
    assert (
        front.rule == "unilateral" and front.decider == "RUS" and front.rule_text == "unilateral: RUS decides"
    )
    assert card.linkage and "0 packages would be acceptable instead of 2" in card.linkage
    assert len(card.precedents) == 2 and "1956 Declaration basis" in card.precedents[0]
    assert card.trust and "leaky" in card.trust
    json.dumps(card.to_json(), allow_nan=False)


def test_summary_card_on_screen(flagship) -> None:
    _, _, html = flagship
    card = html[html.find('<section id="summary"') : html.find('<section id="findings"')]
    verdicts = card[: card.find('<div class="agreements">')]
    assert verdicts.count('<li class="verdict') == 3
    assert (
        "Peace treaty settling the islands and their military status" in verdicts
        and "not concluded" in verdicts
    )
    assert "can be agreed on its own" in verdicts and "RUS decides alone" in verdicts
    assert (
        "Outcome (eum): what the rule lets through" in card
        and "Pressure (eum): what the actors push for" in card
    )
    assert "no single change of one actor's position, salience or red line opens it" in card
    assert 'href="#trust"' in card and '<section id="trust"' in html


def test_bimodal_outcomes_are_shown_as_modes(flagship_analysis) -> None:
    card = summary_card(flagship_analysis)
    front = next(i for i in card.issues if i.issue == "russia_china_front")
    assert front.multimodal and len(front.mc_modes) == 2
    low, high = sorted(front.mc_modes, key=lambda m: m["value"])
    assert low["value"] < 10 < 60 < high["value"] and low["share"] + high["share"] == pytest.approx(1.0)
    assert any("splits into 2 distinct groups" in f.text for f in findings(flagship_analysis))


def _forecast_with(extras: dict, model: str = "eum") -> rp.Forecast:
    return rp.Forecast(
        scenario="x", model=model, actors=("A", "B"), issues=("i", "j"), outcome={"i": 40.0, "j": 60.0},
        trajectory=np.zeros((3, 2, 2)), rounds=2, extras=extras,
    )  # fmt: skip


def test_non_converged_values_are_flagged_never_headlined() -> None:
    from realpolitik.report.summary import model_value

    f = _forecast_with(
        {
            "converged": {"i": False, "j": True},
            "cycle_length": {"i": 2, "j": None},
            "cycle_range": {"i": [30.0, 55.0], "j": None},
        }
    )
    i, j = model_value(f, "i"), model_value(f, "j")
    assert (
        i.outcome is None and i.converged is False and i.cycle_range == (30.0, 55.0) and i.cycle_length == 2
    )
    assert j.outcome == 60.0 and j.converged is True
    a = run_analysis(rp.load("ec-emissions-1994"), parts=("forecasts",), model="eum")
    iid = a.scenario.issues[0].id
    eum = a.forecast_by_model()["eum"]
    eum.extras = {
        **eum.extras,
        "converged": {iid: False},
        "cycle_length": {iid: 3},
        "cycle_range": {iid: [5.0, 9.0]},
    }
    line = summary_card(a).issues[0]
    assert line.outcome is None and line.converged is False and line.cycle_range == (5.0, 9.0)
    assert any("eum did not converge between 5 and 9 (a cycle of 3 rounds)" in fl for fl in line.flags)
    assert any("does not settle" in f.text for f in findings(a))
    html = render_html(a)
    card = html[html.find('<section id="summary"') : html.find('<section id="findings"')]
    assert "cycles" in card and "no point forecast" in card
    md, _ = render_markdown(a, "figs")
    assert "no point forecast: cycles between 5 and 9" in md


def test_monte_carlo_skipped_when_nothing_is_uncertain() -> None:
    a = run_analysis(rp.load("ec-emissions-1994"), draws=300)
    assert a.montecarlo is None and a.notes["montecarlo"].startswith("Monte Carlo skipped")
    html = render_html(a)
    sec = html[html.find('<section id="uncertainty"') :]
    assert "Monte Carlo skipped" in sec and "P(deal)" not in html
    assert any("No input has an uncertainty range" in f.text for f in findings(a))


def test_progress_callback() -> None:
    calls: list[tuple[str, int, int]] = []
    run_analysis(rp.load("ec-emissions-1994"), draws=100, progress=lambda *c: calls.append(c))
    dones = [d for _, d, _ in calls]
    assert dones == sorted(dones) and calls[-1] == ("done", calls[-1][2], calls[-1][2])
    assert {n for n, _, _ in calls} >= {"forecast eum", "deals", "Monte Carlo", "done"}


def _csp(page: str) -> str:
    import html

    return html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1))


def test_self_contained_with_exactly_the_embedded_scripts_allowed(flagship) -> None:
    _, _, html = flagship
    page = re.sub(r"<script>.*?</script>", "", html, flags=re.S)  # plotly.js itself names its home page
    assert "<link" not in page and "@import" not in page and "url(http" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(scripts) == 2 and "Plotly" in scripts[0] and "newPlot" in scripts[1]
    csp = _csp(html)
    hashes = sorted(re.findall(r"'sha256-([^']+)'", csp))
    want = sorted(base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in scripts)
    assert hashes == want
    assert "unsafe-eval" not in csp and "default-src 'none'" in csp and "script-src 'sha256-" in csp
    data = re.search(r'<script type="application/json" id="rp-figures">(.*?)</script>', html, re.S).group(1)
    figs = json.loads(data)
    assert all(f'data-plotly="{k}"' in html for k in figs) and len(figs) >= 20


SMALL = Path(__file__).resolve().parents[1] / "scenario" / "data" / "small.yaml"  # 2 actors, 1 issue, a deal


def test_markdown_and_json_formats(tmp_path: Path) -> None:
    a = run_analysis(rp.load(SMALL), seed=0, draws=200)
    files = write_report(a, tmp_path / "r.md")
    text = files[0].read_text(encoding="utf-8")
    assert text.startswith("# ") and "## Summary" in text
    assert (
        "- **Islands** — not concluded: refused in every model; no package is acceptable to JPN and RUS."
        in text
    )
    assert (
        "**Opening concession:** none short of a reversal: RUS would have to move its position on territory "
        "from 0 to 50.25, 50% of the scale" in text
    )
    assert text.index("## Summary") < text.index("## Findings") < text.index("## Forecasts by model")
    figs = files[1:]
    assert figs and all(f.suffix == ".svg" and f.read_text().startswith("<svg") for f in figs)
    for f in figs:
        assert f"(r_figures/{f.name})" in text
    assert "<" not in re.sub(r"\\<", "", text)  # no raw markup of any kind
    data = json.loads(write_report(a, tmp_path / "r.json")[0].read_text())
    assert {"scenario", "model", "summary", "forecasts", "deals", "sweep", "montecarlo", "findings"} <= set(
        data
    )
    ag = data["summary"]["agreements"][0]
    assert ag["id"] == "territory" and ag["status"] == "refused" and ag["feasible"] is False
    assert data["summary"]["headlines"][0]["kind"] == "agreement" and data["trust"]["analogues"] == []


def test_unknown_extension_and_pdf_without_chromium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ReportFormatError, match="cannot tell the report format"):
        report_format(tmp_path / "x.txt")
    assert report_format(tmp_path / "x.txt", "md") == "md"
    monkeypatch.setenv("REALPOLITIK_CHROMIUM", str(tmp_path / "none"))
    with pytest.raises(ReportFormatError, match="PDF export needs headless Chromium"):
        report_format(tmp_path / "x.pdf")


@pytest.mark.browser
@pytest.mark.skipif(chromium() is None, reason="no chromium installed")
def test_pdf_export(tmp_path: Path) -> None:
    a = run_analysis(rp.load("ec-emissions-1994"), draws=100)
    (p,) = write_report(a, tmp_path / "r.pdf")
    assert p.read_bytes()[:5] == b"%PDF-" and p.stat().st_size > 10_000
    assert [x.name for x in tmp_path.iterdir()] == ["r.pdf"]


def test_same_report_for_the_largest_analogue() -> None:
    html = render_html(run_analysis(rp.load("german-unification-1990"), seed=0, draws=100))
    for sec in ORDER:
        assert f'<section id="{sec}"' in html


def test_same_report_for_a_ktab_import() -> None:
    src = Path(__file__).resolve().parents[1] / "data" / "ktab" / "SOE-Pol-Comp" / "input.csv"
    a = run_analysis(rp.load(src), seed=0, draws=100)
    html = render_html(a)
    assert '<section id="forecasts"' in html and "trajectory-" in html
    assert "nash not run" in html  # KTAB files have no status quo: the report says so


def test_output_folder_is_never_taken_from_another_scenario(tmp_path: Path) -> None:
    out = tmp_path / "out"
    prepare_output_dir(out, "a")
    (out / "report.html").write_text("a's report")
    prepare_output_dir(out, "a")  # same scenario: fine
    with pytest.raises(OutputDirError, match="holds the report of scenario 'a'"):
        prepare_output_dir(out, "b")
    other = tmp_path / "user"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(OutputDirError, match="not empty"):
        prepare_output_dir(other, "a")
    assert (other / "notes.txt").read_text() == "mine"


# ---------------------------------------------------------------------------------- in a real browser
VIEWPORTS = [(1366, 800), (390, 844)]

TEXT_SIZES = """() => {
  const sizes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el || el.closest('.fig-static, script, style')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;  // hidden (folded, or the screen/print twin)
    sizes.push([parseFloat(getComputedStyle(el).fontSize), node.textContent.trim().slice(0, 40)]);
  }
  return sizes;
}"""


@pytest.mark.browser
@pytest.mark.skipif(chromium() is None, reason="no chromium installed")
@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_in_chromium_at_desktop_and_phone_width(flagship, tmp_path: Path, width: int, height: int) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    _, path, _ = flagship
    requests: list[str] = []
    problems: list[str] = []
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), headless=True, args=args)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(path.resolve().as_uri())
        page.wait_for_load_state("load")
        # the answer first: every agreement's and issue's verdict is on the first screen
        verdicts = page.locator("#summary ul.verdicts").bounding_box()
        assert verdicts is not None and verdicts["y"] + verdicts["height"] <= height, verdicts
        assert page.locator("#summary .verdict").count() == 3
        first = page.locator("#summary .agreement h3").first.bounding_box()
        assert first is not None and first["y"] < height, first  # the first agreement's details begin there
        if width >= 1000:  # on a desktop the per-issue grid of outcome and pressure starts there too
            issues = page.locator("#summary .issues").bounding_box()
            assert issues is not None and issues["y"] < height, issues
        page.screenshot(path=str(tmp_path / f"top-{width}.png"))
        # open everything folded, then draw every figure by scrolling to it
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        live = page.locator(".fig-live")
        n = live.count()
        assert n >= 20
        for k in range(n):
            el = live.nth(k)
            el.scroll_into_view_if_needed()
            el.locator("svg.main-svg").first.wait_for(state="attached", timeout=10_000)
        for k in range(n):
            fid = live.nth(k).get_attribute("data-plotly")
            box = live.nth(k).bounding_box()
            fig_box = page.locator(f"figure#{fid}").bounding_box()
            assert box is not None and fig_box is not None
            assert box["height"] >= 140 and box["width"] >= 0.85 * fig_box["width"] - 24, (fid, box)
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (fid, box)
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no horizontal overflow
        small = [(size, text) for size, text in page.evaluate(TEXT_SIZES) if size < 11]
        assert small == [], small[:5]
        plot_text = page.evaluate(
            "Array.from(document.querySelectorAll('.fig-live svg text')).filter(t => t.textContent.trim())"
            ".map(t => parseFloat(getComputedStyle(t).fontSize))"
        )
        assert plot_text and min(plot_text) >= 11, min(plot_text)
        assert page.locator(".fig-static").first.is_hidden()  # the SVG twin is for print and no-script
        browser.close()
    assert [u for u in requests if not u.startswith(("file:", "data:", "about:"))] == []
    assert problems == []


def test_the_chosen_model_falls_back_with_the_reason_said() -> None:
    src = Path(__file__).resolve().parents[1] / "data" / "ktab" / "SOE-Pol-Comp" / "input.csv"
    a = run_analysis(rp.load(src), draws=50, model="nash", parts=("forecasts",))  # KTAB: no status quo
    assert "nash" in a.skipped and a.model == "compromise"
    assert (
        a.model_reason.startswith("nash could not run on this scenario")
        and "compromise is the first that can" in a.model_reason
    )


def test_a_ruled_outcome_shows_the_pressure_beside_it() -> None:
    """The card leads with the outcome under the rule and shows the model's own pressure beside it."""
    a = run_analysis(rp.load("ec-emissions-1994"), parts=("forecasts",), model="eum")
    iid = a.scenario.issues[0].id
    eum = a.forecast_by_model()["eum"]
    own = eum.outcome[iid]
    eum.pressure = {iid: own}
    eum.outcome = {iid: 0.0}
    line = summary_card(a).issues[0]
    assert line.outcome == 0.0 and line.pressure == pytest.approx(own)
    assert next(v for v in line.models if v.model == "eum").ruled
    card = render_html(a)
    card = card[card.find('<section id="summary"') : card.find('<section id="findings"')]
    big, mid = card.find('<span class="big">0</span>'), card.find(f'<span class="mid">{own:.3g}</span>')
    assert 0 < big < mid  # the outcome first, the pressure beside it
    assert "moved by the rule" in card and "what the actors push for" in card


def test_the_card_of_a_collective_case_talks_of_no_agreement() -> None:
    a = run_analysis(rp.load("ec-emissions-1994"), parts=("forecasts", "deals"))
    card = summary_card(a)
    assert card.agreements == () and [h.kind for h in card.headlines] == ["collective"]
    assert card.headlines[0].answer.startswith("decided collectively")
    html = render_html(a)
    top = html[html.find('<section id="summary"') : html.find('<section id="findings"')]
    assert "agreement" not in top.lower() and "deal" not in top.lower()
    assert not [f for f in findings(a) if f.section == "agreements"]


def test_a_case_where_talks_ended_has_no_agreement_at_all() -> None:
    a = run_analysis(
        rp.load("japan-russia-2022"), draws=100, parts=("forecasts", "deals", "montecarlo"), model="eum"
    )
    card = summary_card(a)
    assert [ag.status for ag in card.agreements] == ["refused", "refused"]
    assert all(ag.feasible is False for ag in card.agreements)
    assert all(h.style == "no" for h in card.headlines if h.kind == "agreement")
    treaty, econ = card.agreements
    assert any("territory" in c for c in treaty.conflicts)  # Russia's constitutional ban: no island at all
    assert econ.opening_concession and econ.opening_concession.startswith(
        "none short of a reversal: RUS would have to move its position on economic cooperation from 100"
    )


def test_import_realpolitik_loads_no_report_machinery() -> None:
    import subprocess
    import sys

    code = (
        "import sys, realpolitik, realpolitik.report; "
        "print(sorted(m for m in ('jinja2', 'plotly', 'pandas', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_static_figures_make_a_page_without_script(flagship_analysis) -> None:
    """--static-figures: the same report with every figure as SVG, no plotly.js, a tenth of the size."""
    live = render_html(flagship_analysis)
    static = render_html(flagship_analysis, interactive=False)
    assert "<script" not in static and "data-plotly" not in static and "script-src" not in static
    n = live.count('class="fig-static')
    assert n > 5 and static.count('class="fig-static only"') == n
    assert static.count("<svg") >= n and len(static) < len(live) / 5

    def strip(h: str) -> str:
        return re.sub(r"<script.*?</script>|<div class=\"fig-live\".*?</div>|<[^>]+>", "", h, flags=re.S)

    assert " ".join(strip(static).split()) == " ".join(strip(live).split())  # the same words
