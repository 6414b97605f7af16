"""The analyst's report: sections, figures, findings, formats, output folders, and a headless browser."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

import realpolitik as rp
from realpolitik.report import OutputDirError, prepare_output_dir, run_analysis, write_report

SECTIONS = ["findings", "scenario", "forecasts", "deals", "environment", "uncertainty", "reproduce"]
FIGURES = ["deals-heatmap", "deals-plane", "sweep-forecast", "sweep-feasibility", "mc-distributions", "sobol"]


@pytest.fixture(scope="module")
def flagship(tmp_path_factory: pytest.TempPathFactory) -> tuple[rp.Scenario, Path, str]:
    s = rp.load("japan-russia-2016")
    a = run_analysis(s, seed=3, draws=400)
    path = tmp_path_factory.mktemp("report") / "report.html"
    write_report(a, path)
    return s, path, path.read_text(encoding="utf-8")


def test_every_section_and_figure_is_present(flagship: tuple[rp.Scenario, Path, str]) -> None:
    s, _, html = flagship
    for sid in SECTIONS:
        assert f'<section id="{sid}">' in html, sid
    for fid in FIGURES:
        assert f'data-figure="{fid}"' in html, fid
    for iss in s.issues:
        assert f'data-figure="trajectory-{iss.id}"' in html
        assert f'data-figure="tornado-{iss.id}"' in html or iss.id not in html
    assert html.count("<svg") >= len(FIGURES) + len(s.issues)


def test_report_is_self_contained(flagship: tuple[rp.Scenario, Path, str]) -> None:
    _, _, html = flagship
    assert "<script" not in html
    assert "<link" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "url(http" not in html


def test_findings_carry_their_numbers(flagship: tuple[rp.Scenario, Path, str]) -> None:
    _, _, html = flagship
    items = re.findall(r"<li class='finding' data-section='(\w+)'>(.*?)</li>", html)
    assert len(items) >= 5
    assert {sec for sec, _ in items} >= {"forecasts", "deals", "environment", "uncertainty"}
    for _, text in items:
        assert re.search(r"\[[^\]]*\d[^\]]*\]", text), text


def test_provenance_table_lists_every_number(flagship: tuple[rp.Scenario, Path, str]) -> None:
    s, _, html = flagship
    n = sum(1 for _ in rp.scenario.iter_quantities(s))
    assert f"{n} numbers;" in html
    assert "analyst judgment" in html


def test_markdown_and_json_formats(tmp_path: Path) -> None:
    a = run_analysis(rp.load("ec-emissions-1994"), seed=1, draws=200)
    files = write_report(a, tmp_path / "r.md")
    text = files[0].read_text(encoding="utf-8")
    assert text.startswith("# ")
    assert "## Forecasts" in text and "| issue |" in text
    figs = [f for f in files[1:]]
    assert figs and all(f.suffix == ".svg" and f.read_text().startswith("<svg") for f in figs)
    for f in figs:
        assert f"r_figures/{f.name}" in text
    data = json.loads(write_report(a, tmp_path / "r.json")[0].read_text())
    assert {"scenario", "forecasts", "deals", "sweep", "montecarlo", "findings", "seed", "version"} <= set(
        data
    )
    assert data["scenario"] == "ec-emissions-1994"


@pytest.mark.parametrize("sid", ["german-unification-1990", "nato-enlargement-1997"])
def test_same_report_for_the_analogues(tmp_path: Path, sid: str) -> None:
    a = run_analysis(rp.load(sid), seed=0, draws=200)
    html = write_report(a, tmp_path / "a.html")[0].read_text()
    for sec in ("findings", "scenario", "forecasts", "reproduce"):
        assert f'<section id="{sec}">' in html


def test_same_report_for_a_ktab_import(tmp_path: Path) -> None:
    src = Path(__file__).resolve().parents[1] / "data" / "ktab" / "SOE-Pol-Comp" / "input.csv"
    if not src.exists():
        pytest.skip("KTAB copy missing")
    a = run_analysis(rp.load(src), seed=0, draws=200)
    html = write_report(a, tmp_path / "k.html")[0].read_text()
    assert '<section id="forecasts">' in html and "trajectory-" in html
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


CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_renders_in_headless_chromium_without_network(
    flagship: tuple[rp.Scenario, Path, str], tmp_path: Path
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    _, path, _ = flagship
    requests: list[str] = []
    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        page = browser.new_page(viewport={"width": 1366, "height": 800})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(path.resolve().as_uri())
        page.wait_for_load_state("networkidle")
        for sid in SECTIONS:
            assert page.locator(f"section#{sid} h2").is_visible()
        for fid in FIGURES:
            box = page.locator(f"figure#{fid} svg").bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 100, fid
            assert box["width"] <= 1366
        page.screenshot(path=str(tmp_path / "report.png"))
        browser.close()
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert [u for u in requests if not u.startswith(("file:", "data:", "about:"))] == []
