"""The command line as one tool (issue 12): help and version everywhere, one meaning per option name,
shared defaults, case-insensitive models, import format checks, slugged folders, tables that never cut
an id at 80 columns, ``show`` in full, warnings once, progress bars with a total.
"""

from __future__ import annotations

import io
import json
import os
import pty
import re
import select
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from tests.cli_support import entry_point, fails, invoke, ok, run_entry

import realpolitik as rp
from realpolitik import cli, defaults
from realpolitik._terminal import FitTable, Ident, ProgressBar, fold_id, id_parts, show_progress
from realpolitik._text import slug
from realpolitik.cli import app
from realpolitik.scenario import dumps, load

FLAGSHIP = "japan-russia-2016"
SMALL = "ec-emissions-1994"
KTAB_DATA = Path(__file__).parent / "data" / "ktab"


# ------------------------------------------------------------------------------ every command, its help
def commands() -> Iterator[tuple[list[str], Any]]:
    """Every command of the app, with its path (``["events", "ingest"]``)."""
    root = typer.main.get_command(app)

    def walk(path: list[str], cmd: Any) -> Iterator[tuple[list[str], Any]]:
        yield path, cmd
        for name, sub in (getattr(cmd, "commands", None) or {}).items():
            yield from walk([*path, name], sub)

    yield from walk([], root)


ALL = list(commands())


def test_version_on_the_app() -> None:
    for flag in ("--version", "-V"):
        assert ok(flag).stdout.strip() == f"realpolitik {rp.__version__}"
    lines = ok("version").stdout.strip().splitlines()  # the version, then whether kernels are in use
    assert lines[0] == f"realpolitik {rp.__version__}" and lines[1].startswith("compiled kernels: ")


@pytest.mark.parametrize("path", [p for p, _ in ALL], ids=lambda p: " ".join(p) or "app")
def test_dash_h_is_help_and_no_help_shows_bool(path: list[str]) -> None:
    short = ok(*path, "-h").stdout
    assert short == ok(*path, "--help").stdout
    assert "Usage:" in short and "<bool>" not in short


@pytest.mark.parametrize(
    ("path", "cmd"), [(p, c) for p, c in ALL if p], ids=lambda x: " ".join(x) if isinstance(x, list) else ""
)
def test_options_follow_one_scheme(path: list[str], cmd: Any) -> None:
    """One meaning per option name (docs/cli.md, "Options")."""
    for p in cmd.params:
        if p.param_type_name != "option" or p.hidden:
            continue
        opts = set(p.opts)
        if "--out" in opts:
            assert "-o" in opts and p.metavar == "FILE", (path, p.opts)
        if "--out-dir" in opts:
            assert p.metavar == "DIR", (path, p.opts)
        if "--draws" in opts:
            assert "-n" in opts, (path, p.opts)
        if "--model" in opts:
            assert "-m" in opts, (path, p.opts)
        if "--param" in opts:
            assert "-p" in opts, (path, p.opts)
        if "--quiet" in opts:
            assert "-q" in opts and p.is_flag, (path, p.opts)
        if "--force" in opts:
            assert p.is_flag and not p.secondary_opts, (path, p.opts)
        if "--seed" in opts:
            assert p.default == defaults.SEED, (path, p.default)
        if p.is_flag:
            assert not p.secondary_opts, (path, p.opts)
        if p.default is None and not p.is_flag and not p.multiple and not p.required:
            # an option without a fixed default says in its help what happens without it
            assert "default" in (p.help or "") or p.opts[-1] in ("--scheduler", "--uncertainty", "--figure",
                "--threshold", "--out", "--out-dir", "--dataset", "--start", "--end", "--pairs", "--weight",
                "--driver-scale", "--response-scale", "--indicator", "--format"), (path, p.opts)  # fmt: skip


def test_commands_that_run_long_have_quiet() -> None:
    by_name = {" ".join(p): c for p, c in ALL}
    for name in ("montecarlo", "sweep", "analyze", "report", "backtest", "events ingest"):
        assert any("--quiet" in p.opts for p in by_name[name].params), name


# ------------------------------------------------------------------------------------------- defaults
def test_defaults_live_in_one_place_and_the_api_uses_them() -> None:
    from realpolitik.environment.sweep import sweep
    from realpolitik.forecast import forecast
    from realpolitik.uncertainty import monte_carlo
    from realpolitik.uncertainty.runner import DEFAULT_CHUNK_SIZE
    from realpolitik.uncertainty.sensitivity import sobol, tornado

    for fn in (forecast, sweep, monte_carlo, tornado, sobol):
        assert fn.__defaults__ is not None or fn.__kwdefaults__ is not None
        import inspect

        assert inspect.signature(fn).parameters["model"].default == defaults.MODEL, fn
    from realpolitik.report import DEFAULT_DRAWS, DEFAULT_MODEL, DEFAULT_MODEL_REASON

    assert (DEFAULT_MODEL, DEFAULT_DRAWS) == (defaults.MODEL, defaults.ANALYSIS_DRAWS)
    assert DEFAULT_MODEL_REASON == defaults.MODEL_REASON
    assert DEFAULT_CHUNK_SIZE == defaults.CHUNK_SIZE
    assert defaults.MODELS == rp.model_names()  # the help texts list the registered models
    by_name = {" ".join(p): c for p, c in ALL}

    def default(command: str, opt: str) -> Any:
        return next(p.default for p in by_name[command].params if opt in p.opts)

    assert default("montecarlo", "--draws") == defaults.MONTECARLO_DRAWS
    assert default("analyze", "--draws") == default("report", "--draws") == defaults.ANALYSIS_DRAWS
    assert default("montecarlo", "--model") == default("sweep", "--model") == defaults.MODEL
    assert default("forecast", "--model") == default("backtest", "--model") == defaults.COMPARE
    assert default("montecarlo", "--chunk-size") == defaults.CHUNK_SIZE
    assert "10,000" in ok("analyze", "-h").stdout  # says why its draws are fewer


def test_sweep_runs_the_default_model() -> None:
    j = json.loads(
        ok("sweep", FLAGSHIP, "--vary", "china_assertiveness=0,1", "--no-deals", "--format", "json").stdout
    )
    assert j["model"] == defaults.MODEL


# ------------------------------------------------------------------------------------------ deprecated
def test_old_spellings_work_for_one_release_with_one_line(tmp_path: Path) -> None:
    r = ok("analyze", SMALL, "--draws", 20, "-o", tmp_path / "a")
    assert (tmp_path / "a" / "report.html").is_file()
    assert r.stderr.strip() == (
        "deprecated analyze -o/--out is deprecated: use --out-dir (the old spelling will be removed in the "
        "next release)"
    )
    r = ok("montecarlo", SMALL, "-n", 20, "--out", tmp_path / "mc", "--format", "json")
    assert (tmp_path / "mc" / "manifest.json").is_file()
    notes = [line.split()[:2] for line in r.stderr.strip().splitlines() if line.startswith("deprecated")]
    assert notes == [["deprecated", "montecarlo"]]
    r = ok("backtest", SMALL, "--models", "compromise", "--format", "json")
    assert json.loads(r.stdout)["models"] == ["compromise"] and r.stderr.startswith(
        "deprecated backtest --models"
    )
    assert "give --out-dir only" in fails("analyze", SMALL, "-o", tmp_path / "x", "--out-dir", tmp_path / "y")


# ------------------------------------------------------------------------------------------ model names
def test_model_names_in_any_case() -> None:
    assert json.loads(ok("forecast", SMALL, "-m", "EUM", "--format", "json").stdout)["model"] == "eum"
    both = json.loads(ok("forecast", SMALL, "-m", "Compromise, EUM", "--format", "json").stdout)
    assert [f["model"] for f in both] == ["compromise", "eum"]
    assert (
        json.loads(ok("montecarlo", SMALL, "-n", 10, "-m", "Eum", "--format", "json").stdout)["model"]
        == "eum"
    )
    assert json.loads(ok("forecast", SMALL, "-m", "ALL", "--format", "json").stdout)[0]["model"]


@pytest.mark.parametrize("command", [["forecast", SMALL], ["montecarlo", SMALL, "-n", "5"],
                                     ["sweep", FLAGSHIP, "--vary", "china_assertiveness=0,1"],
                                     ["analyze", SMALL], ["backtest", SMALL]])  # fmt: skip
def test_an_unknown_model_is_one_line_listing_the_known_ones(command: list[str]) -> None:
    line = fails(*command, "-m", "Eumm")
    assert "unknown model 'Eumm'" in line and all(m in line for m in rp.model_names())


# ------------------------------------------------------------------------------------ import and slugs
def test_import_checks_the_format(shared_dir: Path, tmp_path: Path) -> None:
    ktab = KTAB_DATA / "dummyData_3Dim" / "input.csv"
    decide = shared_dir / "reference" / "exchange" / "copenhagen" / "input.csv"
    out = tmp_path / "out.yaml"
    line = fails("import", "decide", ktab, "-o", out)
    assert "is a KTAB CSV file, not the exchange model's (decide) format" in line and "import ktab" in line
    line = fails("import", "ktab", decide, "-o", out)
    assert "is an exchange-model (decide) input file, not KTAB" in line and "import decide" in line
    yaml_file = tmp_path / "case.yaml"
    yaml_file.write_text(dumps(load(SMALL), "yaml"), encoding="utf-8")
    assert "is a YAML scenario, not KTAB" in fails("import", "ktab", yaml_file, "-o", out)
    assert not out.exists()
    ok("import", "ktab", ktab, "-o", out)
    ok("import", "decide", decide, "-o", tmp_path / "d.yaml")


def test_slugs() -> None:
    assert slug("japan-russia-2016") == "japan-russia-2016"
    assert slug("My case 2.0 (draft)") == "My-case-2.0-draft"
    assert slug("Россия и Япония") == "Россия-и-Япония"
    for text in ("a/b", "../..", " ", "\x1b[2J", "a\\b c"):
        s = slug(text)
        assert s and " " not in s and "/" not in s and "\\" not in s and not s.startswith((".", "-"))


def test_an_id_with_spaces_gets_a_slugged_output_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "in" / "my case.txt"  # the exchange format takes the id from the file name
    src.parent.mkdir()
    ok("export", "decide", SMALL, "-o", src)
    ok("import", "decide", src, "-o", tmp_path / "in" / "mine.yaml")
    assert load(tmp_path / "in" / "mine.yaml").id == "my case"
    monkeypatch.chdir(tmp_path)
    ok("analyze", tmp_path / "in" / "mine.yaml", "--draws", 20)
    assert [p.name for p in (tmp_path / "realpolitik-out").iterdir()] == ["my-case"]


# ------------------------------------------------------------------------ tables at 80 columns, long ids
SEPARATORS = "_-.,:;=( "
RENAME = {
    FLAGSHIP: {
        "JPN": "japan_foreign_ministry_tokyo", "RUS": "russian_federation_kremlin",
        "CHN": "peoples_republic_of_china", "USA": "united_states_of_america",
        "territory": "return_of_the_disputed_islands", "military_status": "military_status_of_returned_islands",
        "economic_cooperation": "economic_cooperation_package_eight_points",
        "russia_china_front": "russia_china_joint_front_on_history",
        "peace_treaty": "japan_russia_peace_treaty_of_2016", "china_assertiveness": "chinese_coast_guard_days_near_senkaku",
    },
    "nato-enlargement-1997": {
        "RUS": "russian_federation_kremlin", "USA": "united_states_of_america",
        "EUR": "western_european_allies_group", "CE3": "central_european_applicants",
        "enlargement": "nato_enlargement_to_the_east", "nuclear_deployment": "nuclear_weapons_on_new_members",
        "permanent_forces": "permanent_combat_forces_stationed", "consultation": "russia_nato_consultation_council",
        "founding_act": "nato_russia_founding_act_1997",
    },
}  # fmt: skip
LONG_IDS = sorted({v for m in RENAME.values() for v in m.values()})


def longify(scenario: str, folder: Path) -> Path:
    """A copy of a built-in with every id renamed to a long one (20+ characters)."""
    ren = RENAME[scenario]
    text = dumps(load(scenario), "yaml")
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(map(re.escape, sorted(ren, key=len, reverse=True))) + r")(?![\w-])"
    )
    path = folder / f"{scenario}-long.yaml"
    path.write_text(pattern.sub(lambda m: ren[m.group(1)], text), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def long_cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("long")
    return {s: longify(s, folder) for s in RENAME}


@pytest.fixture
def width80(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli.console, "_width", 80)


def boundaries(ident: str) -> set[int]:
    return {0, len(ident)} | {k + 1 for k, ch in enumerate(ident) if ch in SEPARATORS}


def whole_words(token: str, ident: str) -> bool:
    """Whether ``token`` is whole words of ``ident`` (starts and ends at its word boundaries)."""
    b = boundaries(ident)
    return any(m.start() in b and m.end() in b for m in re.finditer(re.escape(token), ident))


def assert_nothing_cut(text: str, ids: list[str]) -> None:
    """No line wider than 80 cells, no ellipsis, and every piece of a long id on a line is whole words of it."""
    for line in text.splitlines():
        assert cell_len(line) <= 80, line
    assert "…" not in text
    for token in set(re.split(r"[\s│┃|]+", text)):
        holders = [i for i in ids if token in i and token != i]
        if not token or token in ids or not holders or not any(c in token for c in "_-."):
            continue

        assert any(whole_words(token, i) for i in holders), f"{token!r} cuts {holders[0]!r}"


def test_the_checker_catches_a_cut() -> None:
    with pytest.raises(AssertionError):
        assert_nothing_cut("│ economic_cooperat │\n│ ion │", ["economic_cooperation"])
    assert_nothing_cut("│ economic_ │\n│ cooperation │", ["economic_cooperation"])


COMMANDS_80 = [
    ("forecast", lambda c: ["forecast", c[FLAGSHIP]]),
    ("deals", lambda c: ["deals", c[FLAGSHIP]]),
    ("sweep", lambda c: ["sweep", c[FLAGSHIP], "--vary", "chinese_coast_guard_days_near_senkaku=0:1:3"]),
    ("sweep-2", lambda c: ["sweep", c[FLAGSHIP], "--vary", "threat(peoples_republic_of_china, japan_foreign_ministry_tokyo)=0,1",
                           "--vary", "chinese_coast_guard_days_near_senkaku=0,1", "--no-deals"]),
    ("montecarlo", lambda c: ["montecarlo", c[FLAGSHIP], "-n", "50", "--threshold", "return_of_the_disputed_islands>5"]),
    ("show", lambda c: ["show", c[FLAGSHIP]]),
    ("show-nato", lambda c: ["show", c["nato-enlargement-1997"]]),
    ("backtest", lambda c: ["backtest", c["nato-enlargement-1997"], "-v"]),
    ("backtest-builtins", lambda c: ["backtest", "-v"]),
    ("scenarios", lambda c: ["scenarios"]),
]  # fmt: skip


@pytest.mark.usefixtures("width80")
@pytest.mark.parametrize(("name", "args"), COMMANDS_80, ids=[n for n, _ in COMMANDS_80])
def test_tables_at_80_columns_never_cut_an_id(name: str, args: Any, long_cases: dict[str, Path]) -> None:
    ids = LONG_IDS + [i for s in rp.scenario.builtin_ids() for i in load(s).issue_ids + load(s).actor_ids]
    out = ok(*args(long_cases)).stdout
    assert_nothing_cut(out, [i for i in ids if len(i) > 3])
    if name == "forecast":
        assert "return_of_the_disputed_" in out or "return_of_the_disputed_islands" in out


@pytest.mark.usefixtures("width80")
def test_events_tables_at_80_columns(tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    files = tmp_path / "files with a long folder name"
    ok("events", "generate", files, "--rows", "300", "--months", "6")
    out = ok("events", "ingest", files, "--db", tmp_path / "db").stdout
    assert_nothing_cut(out, [p.name for p in files.iterdir()])
    out = ok("events", "dyads", "--db", tmp_path / "db", "--pairs", "CHN-JPN", "--period", "quarter").stdout
    assert_nothing_cut(out, [])


def test_the_entry_point_at_80_columns(long_cases: dict[str, Path], tmp_path: Path) -> None:
    r = run_entry("forecast", long_cases[FLAGSHIP], cwd=tmp_path)
    assert r.returncode == 0
    assert_nothing_cut(r.stdout, LONG_IDS)


@given(st.text(alphabet="ab_-. (", min_size=1, max_size=40), st.integers(1, 30))
def test_fold_id_only_breaks_at_boundaries(text: str, width: int) -> None:
    lines = fold_id(text, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    parts = [p.rstrip() for p in id_parts(text)]
    for line in lines:
        # a line wider than the width is impossible; a line is cut inside a part only when that part is too wide
        assert cell_len(line) <= width
    if all(cell_len(p) <= width for p in parts):
        ends = {0}
        pos = 0
        for p in id_parts(text):
            pos += len(p)
            ends.add(pos)
        pos = 0
        stripped = text
        for line in lines:  # every line ends at a boundary of the text
            k = stripped.find(line, pos)
            assert k >= 0 and (k + len(line) in ends or stripped[k + len(line) :].startswith(" "))
            pos = k + len(line)


def test_fit_table_narrows_prose_before_ids_and_keeps_numbers() -> None:
    c = Console(width=80, record=True)
    t = FitTable()
    for col in ("id", "title", "n"):
        t.add_column(col)
    t.add_row(
        Ident("nato-enlargement-1997"), "NATO enlargement and the NATO-Russia Founding Act " * 2, "12345.678"
    )
    c.print(t)
    text = c.export_text()
    assert "nato-enlargement-1997" in text and "12345.678" in text and "…" not in text


# ------------------------------------------------------------------------------------------------ show
@pytest.mark.usefixtures("width80")
def test_show_lists_indicators_drivers_rules_and_sources() -> None:
    out = ok("show", FLAGSHIP).stdout
    flat = " ".join(out.split())
    for text in ("Indicators (at 2016-12-31)", "china_assertiveness 0.578 211 of 0–365, 2016",
                 "Drivers a sweep can vary", "threat(CHN, JPN) 0.506 JPN.salience.russia_china_front",
                 "hostility(CHN, JPN) 0.578 what threat(CHN, JPN) moves", "alliance(JPN, USA) 1 JPN.acceptable_low.military_status",
                 "joint_patrols 0 none", "Decision rules",
                 "consent: peace_treaty (territory, military_status), signed by JPN, RUS; veto: USA on military_status",
                 "unilateral: russia_china_front, decided by RUS", "condition: military_status applies only if territory > 0",
                 "Red lines", "JPN: territory ≥ 6.9; military_status ≥ 50", "Sources (61 numbers: 8 from documents or datasets, 53 analyst judgment (each with a note))",
                 "tsuruoka2017", "2017-04-05 document", "nmc6", "dataset", "Labels", "Positions (salience)"):  # fmt: skip
        assert text in flat, text
    drivers = [u.name for u in rp.environment.prepare(load(FLAGSHIP)).drivers()]
    assert (
        drivers[0] == "threat(CHN, JPN)" and "china_assertiveness" in drivers and "joint_patrols" in drivers
    )


def test_show_without_indicators_says_sweep_has_nothing_to_vary() -> None:
    assert "sweep has nothing to vary" in ok("show", SMALL).stdout


def test_sweep_help_names_how_to_find_drivers_and_an_unknown_driver_lists_them() -> None:
    assert "realpolitik show" in " ".join(ok("sweep", "-h").stdout.split())
    line = fails("sweep", FLAGSHIP, "--vary", "china=0,1")
    assert line.startswith(
        "error --vary 'china': not a driver of japan-russia-2016; drivers: threat(CHN, JPN)"
    )
    assert "china_assertiveness" in line and "realpolitik show japan-russia-2016" in line
    assert "unknown actor 'XYZ'" in fails("sweep", FLAGSHIP, "--vary", "threat(XYZ, JPN)=0,1")


# -------------------------------------------------------------------------------------------- warnings
def test_forecast_notes_are_dim_information_once() -> None:
    r = ok("forecast", FLAGSHIP)
    assert "warning" not in r.stderr and "warning" not in r.stdout
    assert r.stdout.count("power differs by issue") == 1 and "nash, smp: power differs by issue" in " ".join(
        r.stdout.split()
    )


def test_a_sweep_warning_is_shown_once_on_stderr() -> None:
    r = ok(
        "sweep", FLAGSHIP, "--vary", "joint_patrols=0,1", "--vary", "china_assertiveness=0,1", "--no-deals"
    )
    lines = [x for x in r.stderr.splitlines() if x.startswith("warning")]
    assert len(lines) == 1 and "joint_patrols" in lines[0] and "drives no link" in lines[0]
    assert "warning" not in r.stdout


def test_montecarlo_json_says_once_that_nothing_is_uncertain(tmp_path: Path) -> None:
    f = tmp_path / "toy.yaml"
    f.write_text(
        "id: toy\ntitle: A toy\nactors:\n  - {id: A, name: Alpha, capability: 1}\n"
        "  - {id: B, name: Beta, capability: 2}\nissues:\n  - {id: x, name: X, bounds: [0, 100], status_quo: 50}\n"
        "positions:\n  A: {x: {position: 20, salience: 0.9}}\n  B: {x: {position: 80, salience: 0.5}}\n",
        encoding="utf-8",
    )
    r = ok("montecarlo", f, "-n", 10, "--format", "json")
    assert r.stderr.count("no input is uncertain") == 1
    assert "no input is uncertain" not in ok("montecarlo", f, "-n", 10).stderr  # the table's headline says it


# -------------------------------------------------------------------------------------------- progress
def test_progress_bar_has_a_total_a_count_and_time_left() -> None:
    buf = io.StringIO()
    con = Console(file=buf, force_terminal=True, width=100)
    with ProgressBar("case: Monte Carlo", total=10_000, unit="draws", console=con, delay=0) as bar:
        for k in range(1, 5):
            bar.update(k * 2500)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", buf.getvalue())
    assert "10,000/10,000 draws" in text and "left" in text and "case: Monte Carlo" in text
    quiet = io.StringIO()
    with ProgressBar("x", total=3, console=Console(file=quiet, force_terminal=True), enabled=False) as bar:
        bar.update(3)
    assert quiet.getvalue() == ""
    assert not show_progress(Console(file=io.StringIO()))  # not a terminal: no bar
    assert not show_progress(con, quiet=True)


def test_the_api_reports_progress_with_totals() -> None:
    s = load(FLAGSHIP)
    seen: list[tuple[int, int]] = []
    a = rp.monte_carlo(s, draws=600, seed=3, chunk_size=500, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (600, 600) and all(t == 600 for _, t in seen) and len(seen) >= 3
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert a.to_json() == rp.monte_carlo(s, draws=600, seed=3, chunk_size=500).to_json()  # same draws
    points: list[tuple[int, int]] = []
    rp.sweep(s, {"china_assertiveness": np.linspace(0, 1, 4)}, progress=lambda d, t: points.append((d, t)))
    assert points == [(1, 4), (2, 4), (3, 4), (4, 4)]
    from realpolitik.backtest import backtest

    cases: list[tuple[int, int]] = []
    backtest(
        [SMALL, "nato-enlargement-1997"], models="compromise", progress=lambda d, t: cases.append((d, t))
    )
    assert cases == [(1, 2), (2, 2)]


def run_in_terminal(*args: str, cwd: Path) -> tuple[int, str, str]:
    """The real entry point with standard error on a pseudo-terminal (standard output captured)."""
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
    p = subprocess.Popen([str(entry_point()), *args], stdout=subprocess.PIPE, stderr=slave, cwd=cwd, env=env)
    os.close(slave)
    err = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:
                break
            if not chunk:
                break
            err += chunk
        elif p.poll() is not None:
            break
    out = p.stdout.read() if p.stdout else b""
    p.wait(timeout=60)
    os.close(master)
    return p.returncode, out.decode(), re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", err.decode(errors="replace"))


def test_the_entry_point_draws_a_bar_on_a_terminal_only(tmp_path: Path) -> None:
    # long enough to pass the bar's half-second delay (4,000 draws now take about 0.1 s)
    rc, out, err = run_in_terminal("montecarlo", FLAGSHIP, "-n", "100000", cwd=tmp_path)
    assert rc == 0 and "100,000 of 100,000 draws" in " ".join(out.split())
    assert "/100,000 draws" in err and "left" in err
    rc, out, err = run_in_terminal("montecarlo", FLAGSHIP, "-n", "4000", "-q", cwd=tmp_path)
    assert rc == 0 and "draws" not in err
    r = run_entry("montecarlo", FLAGSHIP, "-n", "4000", cwd=tmp_path)  # standard error is a pipe
    assert r.returncode == 0 and r.stderr == ""


@pytest.mark.parametrize("width", [40, 60, 120])
def test_show_cuts_nothing_at_any_width(width: int, long_cases: dict[str, Path]) -> None:
    c = Console(width=width, file=io.StringIO(), record=True)
    cli.render_scenario(load(long_cases[FLAGSHIP]), c)
    text = c.export_text()
    assert "…" not in text and max(cell_len(line) for line in text.splitlines()) <= width
    assert "Drivers a sweep can vary" in " ".join(text.split()) and "threat(" in text


def test_an_option_of_another_command_says_which_commands_take_it() -> None:
    """The whole class: for every command and every long option some other command has and this one
    lacks, the usage error names the commands that take it and never suggests --help."""
    from realpolitik._cli_base import _commands

    root_cmd = typer.main.get_command(app)
    root = typer.Context(root_cmd, info_name="realpolitik")
    cmds = _commands(root_cmd, root)
    opts = {
        path: {o for p in c.params for o in (*p.opts, *p.secondary_opts) if o.startswith("--")}
        for path, c in cmds
    }
    checked = 0
    for path, mine in opts.items():
        missing = sorted(set().union(*opts.values()) - mine)
        for opt in (
            {missing[0], missing[len(missing) // 2], missing[-1]} if missing else ()
        ):  # each command, 3 spread
            owners = [p for p, o in opts.items() if opt in o]
            r = invoke(*path.split(), opt, "1")
            assert r.exit_code == 2, (path, opt, r.output)
            flat = " ".join(r.output.split()).replace("│", " ")
            flat = " ".join(flat.split())
            assert f"'realpolitik {path}' takes no {opt}; it is an option of {', '.join(owners)}" in flat, (
                flat
            )
            assert "--help)" not in flat, flat
            checked += 1
    assert checked > 30
    # an option no command has keeps Click's own words (and its close suggestion)
    out = " ".join(invoke("forecast", "japan-russia-2016", "--mode", "eum").output.split())
    assert "No such option: --mode" in out and "takes no" not in out and "--model" in out


def test_report_with_static_figures(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    ok("report", "ec-emissions-1994", "-o", out, "--draws", "50", "--static-figures", "-q")
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and 'class="fig-static only"' in html
    assert "realpolitik report ec-emissions-1994 -o r.html --draws 50 --static-figures" in html


def test_data_warnings_are_grouped_and_bounded() -> None:
    from realpolitik.cli import data_warning_lines

    ws = [f"caps: gdp of {a} is from 2019, 1096 days old" for a in ("JPN", "RUS", "USA")]
    assert data_warning_lines(ws) == ["caps: gdp of JPN, RUS and USA are from 2019, 1096 days old"]
    odd = [f"warning {k}" for k in range(5)]
    assert data_warning_lines(odd) == [*odd[:3], "and 2 more (the report's Environment section)"]
    assert data_warning_lines([]) == []


def test_a_forecast_that_does_not_converge_says_where_it_moves() -> None:
    """eum on territory in 2022 neither converges nor repeats a cycle: the note gives the range of its last
    rounds instead of calling it a cycle."""
    flat = " ".join(ok("forecast", "japan-russia-2022", "-m", "eum").stdout.split())
    assert re.search(
        r"eum did not converge on territory \(no repeating cycle in \d+ rounds; it moves between", flat
    )
    assert "every round of the cycle" not in flat and "the same in every round, so it stands" in flat
