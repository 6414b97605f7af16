"""The web app end to end in headless Chromium (Debian's, through Playwright; never a downloaded browser).

One server for the module (uvicorn in a thread, two job workers, a temporary SQLite file). Screenshots at
1366 and 390 px go to the test's temporary folder, or to ``$REALPOLITIK_SCREENSHOTS`` when set.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
WIDE, NARROW = (1366, 900), (390, 844)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (/usr/bin/chromium)"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api")
uvicorn = pytest.importorskip("uvicorn")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from realpolitik.web.app import Settings, create_app

    db = tmp_path_factory.mktemp("browser") / "web.sqlite3"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(Settings(db_url=f"sqlite:///{db}", workers=2))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    end = time.monotonic() + 60
    while not server.started and time.monotonic() < end:
        time.sleep(0.1)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    env = os.environ.get("REALPOLITIK_SCREENSHOTS")
    d = Path(env) if env else tmp_path_factory.mktemp("screenshots")
    d.mkdir(parents=True, exist_ok=True)
    return d


class Page:
    """A page that records console errors and takes screenshots at both widths."""

    def __init__(self, browser: Any, shots: Path) -> None:
        self.ctx = browser.new_context(viewport={"width": WIDE[0], "height": WIDE[1]})
        self.page = self.ctx.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.shots = shots

    def shoot(self, name: str, *, full: bool = False) -> None:
        p = self.page
        for w, h in (WIDE, NARROW):
            p.set_viewport_size({"width": w, "height": h})
            p.wait_for_timeout(300)
            p.screenshot(path=str(self.shots / f"{name}-{w}.png"), full_page=full)
            if w == NARROW[0]:
                overflow = p.evaluate("document.documentElement.scrollWidth")
                assert overflow <= w + 1, f"{name}: the page is {overflow} px wide at {w} px"
        p.set_viewport_size({"width": WIDE[0], "height": WIDE[1]})

    def close(self) -> None:
        # a refused save answers 409 and a page with problems 422 on purpose: Chromium logs those
        expected = re.compile(r"Failed to load resource: the server responded with a status of (409|422)")
        assert [e for e in self.errors if not expected.search(e)] == []
        self.ctx.close()


def _headline(page: Any, issue: str) -> str:
    """The analysis model's forecast on ``issue`` in the summary card."""
    row = page.locator("#summary .issues .name", has_text=issue).first
    return str(row.evaluate("n => n.nextElementSibling.querySelector('.big').textContent")).strip()


def _wait_for_results(page: Any) -> None:
    page.wait_for_selector("#summary", timeout=180_000)


def test_edit_the_flagship_run_it_and_see_the_forecast_change(base: str, browser: Any, shots: Path) -> None:
    v = Page(browser, shots)
    page = v.page
    page.goto(base + "/")
    v.shoot("library")
    page.get_by_role("button", name="Japan-Russia relations and the disputed islands (end of 2016)").click()
    page.wait_for_selector("table.grid")
    v.shoot("editor")
    # a first run as it stands
    page.locator(".runbox").get_by_role("button", name="Run").click()
    _wait_for_results(page)
    before = _headline(page, "Japan-Russia economic cooperation")
    first = page.url
    # change Russia's salience on economic cooperation in the grid, save and run
    page.get_by_role("link", name="back to the editor").click()
    cell = page.locator('input[name="cell.1.2.salience"]')
    assert cell.input_value() == "0.6"
    cell.fill("0.4")
    page.get_by_role("button", name="Save and run the forecast").click()
    page.wait_for_selector(".run-status")
    v.shoot("run-progress")
    _wait_for_results(page)
    after = _headline(page, "Japan-Russia economic cooperation")
    # compromise (the default model): Moscow weighs less in the mean, which moves toward Tokyo's 60.3
    assert (before, after) == ("72.3", "69.2")
    page.locator("[data-plotly]").first.scroll_into_view_if_needed()
    page.wait_for_selector("[data-plotly] svg.main-svg", timeout=20_000)
    page.evaluate("window.scrollTo(0, 0)")
    v.shoot("results")
    # compare with the first run: the salience that changed, the forecast that moved
    page.locator("select[name=b]").select_option(value=first.rsplit("/", 1)[1])
    page.get_by_role("button", name="Compare").click()
    page.wait_for_selector("#outcomes")
    assert "positions.RUS.economic_cooperation.salience" in page.locator("#inputs").inner_text()
    moved = page.locator("#outcomes tr.moved").all_inner_texts()
    assert any("compromise" in r and "economic cooperation" in r for r in moved), moved
    v.shoot("compare-runs", full=True)
    v.close()


def test_upload_a_broken_file_and_see_the_problems_on_their_fields(
    base: str, browser: Any, shots: Path, tmp_path: Path
) -> None:
    text = (Path(__file__).parents[2] / "src/realpolitik/data/scenarios/japan-russia-2016.yaml").read_text()
    broken = text.replace(
        "salience: {value: 0.6, range: [0.4, 0.8]", "salience: {value: plenty, range: [0.4, 0.8]", 1
    )
    broken = broken.replace("bounds: [0, 100]", "bounds: [100, 0]", 1)
    assert broken.count("plenty") == 1
    f = tmp_path / "broken case.yaml"
    f.write_text(broken)
    v = Page(browser, shots)
    page = v.page
    page.goto(base + "/")
    page.locator("input[type=file][name=file]").set_input_files(str(f))
    page.get_by_role("button", name="Upload").click()
    page.wait_for_selector("#problems")
    assert "The uploaded file has problems" in page.content()
    bad = page.locator('input[aria-invalid="true"]')
    assert bad.count() >= 2
    errs = page.locator(".err").all_inner_texts()
    assert any("got 'plenty'" in e for e in errs), errs
    assert any("lower < upper" in e for e in errs), errs
    page.locator('input[aria-invalid="true"]').first.scroll_into_view_if_needed()
    v.shoot("upload-problems")
    # the YAML view names the lines; a click selects the line
    page.get_by_role("link", name="YAML", exact=True).click()
    page.locator("a.line").first.click()
    selected = page.evaluate(
        "(() => { const t = document.getElementById('yaml'); return t.value.slice(t.selectionStart, t.selectionEnd); })()"
    )
    assert "plenty" in selected or "100, 0" in selected, selected
    v.shoot("yaml-problems")
    v.close()


def test_two_pages_editing_one_scenario(base: str, browser: Any, shots: Path) -> None:
    a, b = Page(browser, shots), Page(browser, shots)
    a.page.goto(base + "/")
    a.page.get_by_role("button", name="NATO enlargement and the NATO-Russia Founding Act (1997)").click()
    a.page.wait_for_selector("table.grid")
    b.page.goto(a.page.url)
    b.page.wait_for_selector("table.grid")
    a.page.locator('input[name="actors[0].name"]').fill("Edited in the first window")
    a.page.get_by_role("button", name="Save", exact=True).click()
    a.page.wait_for_selector(".saved")
    b.page.locator('input[name="actors[1].name"]').fill("Edited in the second window")
    b.page.get_by_role("button", name="Save", exact=True).click()
    b.page.wait_for_selector(".conflict")
    assert "Not saved: someone else saved this scenario" in b.page.locator(".conflict").inner_text()
    assert b.page.locator('input[name="actors[1].name"]').input_value() == "Edited in the second window"
    b.shoot("conflict")
    # the other version, in a new tab, has the first window's edit
    with b.ctx.expect_page() as other:
        b.page.get_by_role("link", name="See the saved version (opens a new tab)").click()
    other.value.wait_for_load_state()
    assert "Edited in the first window" in other.value.locator("#yaml").input_value()
    # keep the second window's edits as a new scenario
    b.page.get_by_role("button", name="Save my edits as a new scenario").click()
    b.page.wait_for_selector("table.grid")
    assert b.page.locator('input[name="actors[1].name"]').input_value() == "Edited in the second window"
    a.close()
    b.close()


def test_compare_the_flagship_with_the_2022_case(base: str, browser: Any, shots: Path) -> None:
    v = Page(browser, shots)
    page = v.page
    page.goto(base + "/")
    if not page.locator("form[action='/compare/scenarios/open']").count():
        page.get_by_role(
            "button", name="Japan-Russia relations and the disputed islands (end of 2016)"
        ).click()
        page.goto(base + "/")
    form = page.locator("form[action='/compare/scenarios/open']")
    form.locator("select[name=a]").select_option(value="builtin:japan-russia-2016")
    form.locator("select[name=b]").select_option(value="builtin:japan-russia-2022")
    form.get_by_role("button", name="Compare").click()
    page.wait_for_selector("#inputs")
    assert "as_of" in page.locator("#inputs").inner_text()
    page.get_by_role("button", name="Run both and compare").click()
    page.wait_for_selector("#outcomes", timeout=240_000)
    page.wait_for_function("!document.querySelector('.notice[hx-get]')", timeout=240_000)
    text = page.locator("main").inner_text()
    assert "Inputs that differ" in text and "Agreements" in text
    assert re.search(r"\d+ of \d+ outcomes moved", text), text[:2000]
    # only rows whose outcome moved are highlighted: their change is never 0
    changes = page.locator("#outcomes tr.moved td.change").all_inner_texts()
    assert changes and "0" not in [c.strip() for c in changes], changes
    v.shoot("compare-2016-2022", full=True)
    v.shoot("compare-2016-2022-top")
    # on a phone every row is a card: A, B and the change side by side, nothing off-screen
    page.set_viewport_size({"width": NARROW[0], "height": NARROW[1]})
    row = page.locator("#outcomes tr.moved").first
    row.scroll_into_view_if_needed()
    for cell in ("td[data-label=A]", "td[data-label=B]", "td.change", "td.pressure"):
        box = row.locator(cell).bounding_box()
        assert box is not None and 0 <= box["x"] and box["x"] + box["width"] <= NARROW[0], (cell, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW[0]
    page.screenshot(path=str(v.shots / f"compare-2016-2022-outcomes-{NARROW[0]}.png"))
    v.close()


def _clear_of_savebar(page: Any, name: str) -> None:
    """The field ``name`` with its problem is on screen and not under the sticky Save bar."""
    r = page.evaluate(
        """(name) => {
          const f = document.querySelector(`[name="${name}"]`).closest('.fld').getBoundingClientRect();
          const bar = document.querySelector('.savebar').getBoundingClientRect();
          return {top: f.top, bottom: f.bottom, left: f.left, right: f.right, bar: bar.top,
                  w: window.innerWidth};
        }""",
        name,
    )
    assert 0 <= r["top"] and r["bottom"] <= r["bar"], r
    assert 0 <= r["left"] and r["right"] <= r["w"], r


def test_linked_numbers_and_a_range_problem_in_the_grid(base: str, browser: Any, shots: Path) -> None:
    v = Page(browser, shots)
    page = v.page
    page.goto(base + "/")
    page.get_by_role("button", name="Japan-Russia relations and the disputed islands (end of 2016)").click()
    page.wait_for_selector("table.grid")
    # Russia's salience on the front is computed by a link: read-only, and a tap says which and offers a way out
    front = page.locator("#f-cell_1_3_salience")
    assert front.get_attribute("readonly") is not None and front.input_value() == "0.3"
    cell = page.locator("td.cell", has=front)
    cell.locator("details.prov > summary").click()
    assert "affinity(RUS, CHN) = 0.6, so 0.3" in cell.locator(".pop").inner_text()
    cell.scroll_into_view_if_needed()
    v.shoot("grid-linked-cell")
    # a value outside its range: the problem says so in words on the field, clear of the Save bar
    page.locator('input[name="cell.1.0.salience"]').fill("0.3")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_selector("#problems")
    err = page.locator('label:has(input[name="cell.1.0.salience"]) .err').inner_text()
    assert err.startswith("this number's uncertainty range [0.4, 0.8] no longer contains 0.3"), err
    for w, h in (WIDE, NARROW):
        page.set_viewport_size({"width": w, "height": h})
        page.evaluate("window.scrollTo(0, 0)")
        page.locator("#problems a").first.click()
        page.wait_for_timeout(300)
        _clear_of_savebar(page, "cell.1.0.salience")
        page.screenshot(path=str(shots / f"grid-range-problem-{w}.png"))
    page.set_viewport_size({"width": WIDE[0], "height": WIDE[1]})
    page.get_by_role("button", name="Widen this range to [0.3, 0.8]").click()
    page.wait_for_selector(".notice")
    assert page.locator("#problems").count() == 0
    # remove the link and set the number instead
    page.locator("td.cell", has=page.locator("#f-cell_1_3_salience")).locator("summary").click()
    page.get_by_role("button", name="Remove the link and set the number").first.click()
    page.wait_for_selector('input[name="cell.1.3.salience"]')
    assert page.evaluate("document.activeElement.name") == "cell.1.3.salience"
    page.locator('input[name="cell.1.3.salience"]').fill("0.45")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_selector(".saved")
    assert page.locator('input[name="cell.1.3.salience"]').input_value() == "0.45"
    v.shoot("grid-unlinked")
    v.close()
