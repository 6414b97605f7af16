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
from realpolitik.report.render import render_html, render_markdown

ORDER = ["summary", "findings", "forecasts", "deals", "uncertainty", "environment", "scenario", "reproduce"]


@pytest.fixture(scope="module")
def flagship_analysis() -> rp.report.Analysis:  # type: ignore[name-defined]
    return run_analysis(rp.load("japan-russia-2016"), seed=3, draws=400)


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
    assert a.model == "eum" and a.model_reason
    for sid in ("forecasts", "uncertainty", "environment"):
        sec = html[html.find(f'<section id="{sid}"') :]
        note = re.search(r'<p class="model-note">(.*?)</p>', sec, re.S)
        assert note and "eum" in note.group(1), sid
    deals = html[html.find('<section id="deals"') :]
    assert "No bargaining model" in re.search(r'<p class="model-note">(.*?)</p>', deals, re.S).group(1)


def test_one_model_for_monte_carlo_sweep_and_headline() -> None:
    a = run_analysis(rp.load("japan-russia-2016"), seed=0, draws=100, model="compromise")
    assert a.model == "compromise" and a.model_reason == "chosen by the user"
    assert a.montecarlo["model"] == a.sweep["model"] == a.extras["tornado"]["model"] == "compromise"
    assert summary_card(a).issues[0].model == "compromise"
    with pytest.raises(KeyError, match="unknown model"):
        run_analysis(rp.load("ec-emissions-1994"), model="nope")


def test_no_cross_model_means_and_no_trivial_findings(flagship_analysis, flagship) -> None:
    _, _, html = flagship
    text = " ".join(f.text for f in findings(flagship_analysis))
    assert "mean forecast" not in text and "mean forecast" not in html
    assert "lies above the status quo" not in text


def test_findings_ranked_deal_first_and_the_rest_folded(flagship_analysis, flagship) -> None:
    fs = findings(flagship_analysis)
    assert [f.importance for f in fs] == sorted((f.importance for f in fs), reverse=True)
    assert fs[0].section == "deals" and fs[0].text.startswith("No deal")
    assert any("USA's veto decides" in f.text for f in fs[:3])
    _, _, html = flagship
    sec = html[html.find('<section id="findings"') : html.find('<section id="forecasts"')]
    head, _, rest = sec.partition("<details>")
    assert head.count("<li>") == 4 and rest.count("<li>") == len(fs) - 4
    for f in fs:
        assert re.search(r"\[[^\]]*\d[^\]]*\]$", f"{f.text} [{f.number}]")


def test_summary_card_data(flagship_analysis) -> None:
    card = summary_card(flagship_analysis)
    assert card.model == "eum" and len(card.issues) == 4
    (deal,) = card.agreements
    assert deal.accepted is False and deal.n_feasible == 0 and "USA" in deal.refused_by
    assert deal.opening_concession and deal.opening_concession.startswith("RUS moves its position")
    assert deal.probability is not None and deal.probability_model == "eum"
    terr = card.issues[0]
    assert terr.issue == "territory" and terr.outcome == pytest.approx(6.9)
    assert terr.pressure == terr.outcome  # no decision rule yet: the ruled outcome is the model's own
    assert terr.models_agree is False and {terr.models_low.model, terr.models_high.model} <= set(
        rp.model_names()
    )
    json.dumps(card.to_json(), allow_nan=False)


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
    a = run_analysis(rp.load("ec-emissions-1994"), parts=("forecasts",))
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
    assert any("eum did not converge between 5.0 and 9.0 (a cycle of 3 rounds)" in fl for fl in line.flags)
    assert any("does not settle" in f.text for f in findings(a))
    html = render_html(a)
    card = html[html.find('<section id="summary"') : html.find('<section id="findings"')]
    assert "cycles" in card and "no point forecast" in card
    md, _ = render_markdown(a, "figs")
    assert "cycles between 5 and 9, no point forecast" in md


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
    assert text.startswith("# ") and "## Summary" in text and "**No deal**" in text
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
    assert data["summary"]["agreements"][0]["accepted"] is False


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
        # the answer first: the summary card's verdict is on the first screen
        verdict = page.locator("#summary .verdict").bounding_box()
        assert verdict is not None and verdict["y"] + verdict["height"] <= height, verdict
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
    assert "nash" in a.skipped and a.model == "eum"
    assert (
        a.model_reason.startswith("nash could not run on this scenario")
        and "eum is the first that can" in a.model_reason
    )


def test_a_ruled_outcome_shows_the_pressure_beside_it() -> None:
    """When decision rules land, ``Forecast.pressure`` holds the model's own outcome (slot ready today)."""
    a = run_analysis(rp.load("ec-emissions-1994"), parts=("forecasts",))
    iid = a.scenario.issues[0].id
    eum = a.forecast_by_model()["eum"]
    own = eum.outcome[iid]
    eum.pressure = {iid: own}  # type: ignore[attr-defined]
    eum.outcome = {iid: 0.0}
    line = summary_card(a).issues[0]
    assert line.outcome == 0.0 and line.pressure == pytest.approx(own)
    assert next(v for v in line.models if v.model == "eum").ruled
    card = render_html(a)
    assert f"pressure {own:.3g} (before the decision rule)" in card


def test_import_realpolitik_loads_no_report_machinery() -> None:
    import subprocess
    import sys

    code = (
        "import sys, realpolitik, realpolitik.report; "
        "print(sorted(m for m in ('jinja2', 'plotly', 'pandas', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
