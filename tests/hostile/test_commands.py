"""Issue 11, hostile use of the commands: markup in names, write errors, clusters that are not there,
reports over the user's files, limits on work, model output that is not a number, silent chunk errors.
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.cli_support import GOOD, fails, invoke, ok, run_entry, write

import realpolitik as rp
from realpolitik.forecast import ModelInputError, ModelOutputError, ModelTooLargeError, run_problem
from realpolitik.limits import LimitError
from realpolitik.models import BargainingProblem, ModelInfo, Trajectory
from realpolitik.models.registry import register, unregister

MARKUP = "[/bold]"  # closes a tag that was never opened: Rich raised MarkupError on it
LINK = "[link=https://example.invalid]x[/link]"

HOSTILE_TEXT = f"""\
id: toy
title: "T {MARKUP} [/]"
description: "D {LINK} [red]r"
sources:
  s1: {{title: "S {MARKUP}", kind: document, note: "[bold]"}}
actors:
  - {{id: A, name: "Al{MARKUP}pha[/]", capability: {{value: 1, range: [0.5, 2], source: s1}}, note: "{MARKUP}"}}
  - {{id: B, name: "Be[/]ta {LINK}", capability: 2}}
issues:
  - id: x
    name: "X {MARKUP} [draft]"
    bounds: [0, 100]
    status_quo: 50
    unit: "[%]"
    labels: {{0: "none {MARKUP}", 100: "all [/]"}}
positions:
  A: {{x: {{position: 20, salience: 0.9, note: "[/]"}}}}
  B: {{x: {{position: 80, salience: 0.5}}}}
parties: [A, B]
relations:
  - {{from: A, to: B, kind: threat, value: 0.3, note: "{MARKUP}"}}
uncertainty: {{position: 0.05}}
"""


# ------------------------------------------------------------------------------ 3. markup in names
@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    return write(tmp_path / "markup.yaml", HOSTILE_TEXT)


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["show"], f"Al{MARKUP}pha[/]"),
        (["forecast", "-m", "compromise,eum"], "compromise"),
        (["deals"], f"T {MARKUP} [/]"),
        (["montecarlo", "-n", "40", "-m", "compromise"], f"X {MARKUP} [draft]"),
    ],
)
def test_markup_in_every_text_is_printed_as_written(args: list[str], shown: str, hostile: Path) -> None:
    out = ok(args[0], hostile, *args[1:], env={"COLUMNS": "200"}).stdout
    assert shown in out, out


def test_show_prints_each_text_exactly(hostile: Path) -> None:
    out = ok("show", hostile).stdout
    for text in (f"T {MARKUP} [/]", f"D {LINK} [red]r", f"Al{MARKUP}pha[/]", "X [/bold] [draft]", "all [/]"):
        assert text in out.replace("\n", " ") or text.split()[0] in out, (text, out)
    assert "\x1b]8;" not in out  # no terminal hyperlink was made


def test_analyze_with_markup_finishes_after_writing_the_report(hostile: Path, tmp_path: Path) -> None:
    r = ok("analyze", hostile, "-o", tmp_path / "out", "--draws", "20")
    assert "Report written" in r.stdout and (tmp_path / "out" / "report.html").is_file()


def test_a_ktab_description_with_markup_is_shown(tmp_path: Path) -> None:
    src = (Path(__file__).parents[1] / "scenario" / "data" / "ktab_small.xml").read_text(encoding="utf-8")
    f = write(tmp_path / "k.xml", src.replace("<desc>Three actors", "<desc>[/bold] Three actors"))
    assert "[/bold] Three actors" in ok("show", f).stdout


# --------------------------------------------------------------------------------- 3. write errors
@pytest.mark.parametrize(
    "args",
    [
        ["export", "yaml", "toy", "-o", "{dir}", "--force"],
        ["export", "json", "toy", "-o", "{file}/x.json"],
        ["import", "ktab", "{ktab}", "-o", "{dir}", "--force"],
        ["report", "toy", "-o", "{dir}", "--force"],
        ["report", "toy", "-o", "{file}/r.html"],
        ["analyze", "toy", "-o", "{file}/out"],
        ["montecarlo", "toy", "-n", "10", "--out", "{file}/mc"],
    ],
)
def test_write_errors_are_one_line(args: list[str], tmp_path: Path) -> None:
    toy = write(tmp_path / "toy.yaml", GOOD)
    folder = tmp_path / "folder"
    folder.mkdir()
    ktab = Path(__file__).parents[1] / "data" / "ktab" / "dummyData_3Dim" / "input.csv"
    subs = {"{dir}": str(folder), "{file}": str(toy), "{ktab}": str(ktab)}
    real = [str(toy) if a == "toy" else a for a in args]
    real = [next((a.replace(k, v) for k, v in subs.items() if k in a), a) for a in real]
    before = toy.read_bytes()
    err = fails(*real, others=True)  # old spellings (--out) add a deprecation note
    assert ("folder" in err or "not a folder" in err) and toy.read_bytes() == before


def test_permission_denied_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    toy = write(tmp_path / "toy.yaml", GOOD)

    def refuse(self: Path, *args: Any, **kwargs: Any) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "write_text", refuse)  # root ignores file modes: fail the write itself
    out = tmp_path / "ro" / "x.yaml"
    assert f"error {out}: permission denied" in fails("export", "yaml", toy, "-o", out)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_scheduler_fails_fast_in_one_line(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    toy = write(tmp_path / "toy.yaml", GOOD)
    addr = f"tcp://127.0.0.1:{_closed_port()}"
    t0 = time.perf_counter()
    err = fails("montecarlo", toy, "-n", "10", "--scheduler", addr)
    assert time.perf_counter() - t0 < 15  # Dask alone waits 30 s, then raises a chained traceback
    assert f"cannot reach the Dask scheduler at {addr}: connection refused" in err
    assert "expected HOST:PORT" in fails("montecarlo", toy, "-n", "10", "--scheduler", "nonsense")


def test_the_real_command_prints_one_error_line_and_no_traceback(tmp_path: Path) -> None:
    f = write(tmp_path / "m.yaml", GOOD.replace("name: Alpha", f'name: "Al{MARKUP}"'))
    r = run_entry("show", f, cwd=tmp_path, columns=100)
    assert r.returncode == 0 and f"Al{MARKUP}" in r.stdout and "Traceback" not in r.stderr
    r = run_entry("export", "yaml", f, "-o", tmp_path, "--force", cwd=tmp_path, columns=100)
    assert r.returncode == 1 and r.stderr.strip() == f"error {tmp_path}: is a folder, expected a file name"


# ------------------------------------------------------------------ 4. the report's figure folder
def test_a_markdown_report_never_overwrites_figures_without_force(tmp_path: Path) -> None:
    figures = tmp_path / "n_figures"
    figures.mkdir()
    mine = write(figures / "notes.txt", "my own notes")
    report = tmp_path / "n.md"
    assert "n_figures" in fails("report", "ec-emissions-1994", "-o", report, "--draws", "20")
    assert not report.exists() and mine.read_text() == "my own notes"
    mine.unlink()
    ok("report", "ec-emissions-1994", "-o", report, "--draws", "20")
    written = sorted(figures.iterdir())
    assert written and all(p.suffix == ".svg" for p in written)
    report.unlink()
    write(written[0], "a figure I edited")
    fails("report", "ec-emissions-1994", "-o", report, "--draws", "20")
    assert written[0].read_text() == "a figure I edited" and not report.exists()
    write(figures / "notes.txt", "my own notes")
    ok("report", "ec-emissions-1994", "-o", report, "--draws", "20", "--force")
    assert written[0].read_text().startswith("<svg") and (figures / "notes.txt").read_text() == "my own notes"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".realpolitik-")]  # no staging left


def test_write_report_checks_every_file_it_writes(tmp_path: Path) -> None:
    from realpolitik.report import run_analysis, write_report

    a = run_analysis(rp.load("ec-emissions-1994"), draws=20)
    files = write_report(a, tmp_path / "r.md")
    with pytest.raises(FileExistsError, match="already exists"):
        write_report(a, tmp_path / "r2.md".replace("r2", "r"))
    (tmp_path / "r.md").unlink()
    with pytest.raises(FileExistsError, match="r_figures"):
        write_report(a, tmp_path / "r.md")  # the report is gone, its figures are not
    assert write_report(a, tmp_path / "r.md", overwrite=True) == files


# --------------------------------------------------------------------- 6. numbers that are not numbers
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_non_finite_model_output_is_caught_at_the_model_boundary() -> None:
    p = BargainingProblem(
        capability=np.array([1e308, 1e308]),
        position=np.array([[-1e308], [1e308]]),
        salience=np.array([[1.0], [1.0]]),
        bounds=np.array([[-1.7e308, 1.7e308]]),
        status_quo=np.array([0.0]),
        actors=("A", "B"),
        issues=("x",),
    )
    with pytest.raises(
        ModelOutputError, match=r"'compromise' gave a non-finite outcome on issue 'x'.*1e\+308"
    ):
        run_problem(p, "compromise")


@pytest.mark.parametrize("model", ["compromise", "nash", "eum", "smp", "exchange"])
def test_no_weight_on_an_issue_is_an_error_not_an_outcome_outside_the_positions(
    model: str, tmp_path: Path
) -> None:
    zero = write(
        tmp_path / "z.yaml",
        GOOD.replace("capability: 1}", "capability: 0}").replace("capability: 2}", "capability: 0}"),
    )
    assert "nothing to weigh" in fails("forecast", zero, "-m", model)


def test_draws_without_weight_have_no_outcome_and_are_counted() -> None:
    s = rp.scenario.from_dict(
        {
            "id": "z",
            "title": "z",
            "actors": [
                {"id": "A", "name": "A", "capability": {"value": 1, "range": [0, 1]}},
                {"id": "B", "name": "B", "capability": 0},
            ],
            "issues": [{"id": "x", "name": "X", "status_quo": 50}],
            "positions": {
                "A": {"x": {"position": 20, "salience": 1}},
                "B": {"x": {"position": 80, "salience": 1}},
            },
            "uncertainty": {"distribution": "uniform"},
        }
    )
    m = rp.monte_carlo(s, draws=50, model="exchange", seed=1, chunk_size=50, deal_probe=False)
    x = m.outcomes("x")
    assert np.all(np.isnan(x) | ((x >= 20) & (x <= 80)))  # never 0, outside both positions


@pytest.mark.parametrize("bad", ["x>nan", "x<inf", "x>=-inf", "x>NaN"])
def test_a_threshold_must_be_a_finite_number(bad: str, tmp_path: Path) -> None:
    toy = write(tmp_path / "toy.yaml", GOOD)
    assert "finite number" in fails("montecarlo", toy, "-n", "10", "--threshold", bad)
    with pytest.raises(ValueError, match="finite"):
        rp.monte_carlo(rp.load(toy), draws=10, model="compromise", thresholds={"x": (">", float("nan"))})


@pytest.mark.parametrize("model", ["compromise", "nash", "eum", "smp", "exchange"])
def test_json_output_is_strict_json(model: str) -> None:
    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in JSON output")

    text = ok("forecast", "japan-russia-2016", "-m", model, "--format", "json").stdout
    json.loads(text, parse_constant=refuse)
    assert "-0.0," not in text and "-0.0\n" not in text


# ---------------------------------------------------------------------------------- 7. limits on work
@pytest.mark.parametrize(
    ("args", "what"),
    [
        (["deals", "japan-russia-2016", "--options", "grid", "--step", "1e-5"], "options per issue"),
        (["deals", "japan-russia-2016", "--options", "grid", "--step", "1e-7"], "options per issue"),
        (["deals", "japan-russia-2016", "--options", "grid", "--step", "5e-324"], "options per issue"),
        (["montecarlo", "japan-russia-2016", "-n", "99999999999999"], "Monte Carlo draws"),
        (["montecarlo", "japan-russia-2016", "-n", "2000000"], "draws kept in memory"),
        (["montecarlo", "japan-russia-2016", "-n", "500000", "--chunk-size", "1", "--out", "mc"], "chunks"),
        (["sweep", "japan-russia-2016", "--vary", "china_assertiveness=0:1:1000000"], "sweep points"),
        (["sweep", "japan-russia-2016", "--vary", "china_assertiveness=0:1:10000000000000"], "sweep points"),
        (
            [
                "sweep",
                "japan-russia-2016",
                "--vary",
                "china_assertiveness=0:1:200",
                "--vary",
                "threat(CHN,JPN)=0:1:200",
            ],
            "sweep points",
        ),
        (["forecast", "japan-russia-2016", "-m", "eum", "-p", "rounds=1000000000"], "rounds or steps"),
        (["analyze", "japan-russia-2016", "--draws", "99999999999"], "draws kept in memory"),
        (["report", "japan-russia-2016", "-o", "r.html", "--draws", "99999999999"], "draws kept in memory"),
    ],
)
def test_requests_over_a_limit_are_refused_at_once(
    args: list[str], what: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    t0 = time.perf_counter()
    err = fails(*args, others=True)  # old spellings (--out) add a deprecation note
    assert time.perf_counter() - t0 < 10 and what in err and "REALPOLITIK_MAX_" in err
    assert not [p.name for p in tmp_path.iterdir()]  # nothing was written


def test_a_limit_can_be_raised_for_one_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    toy = write(tmp_path / "toy.yaml", GOOD)
    fails("deals", toy, "--options", "grid", "--step", "0.0005")
    monkeypatch.setenv("REALPOLITIK_MAX_DEAL_OPTIONS", "2001")
    ok("deals", toy, "--options", "grid", "--step", "0.0005", "--format", "json")
    monkeypatch.setenv("REALPOLITIK_MAX_DEAL_OPTIONS", "many")
    assert "expected a whole number" in fails("deals", toy, "--step", "0.1")


def _many_actors(n: int) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    return {
        "id": "many",
        "title": "many",
        "actors": [
            {"id": f"a{i}", "name": f"a{i}", "capability": float(rng.uniform(0.1, 1))} for i in range(n)
        ],
        "issues": [{"id": "x", "name": "X", "status_quo": 50}],
        "positions": {
            f"a{i}": {"x": {"position": float(rng.uniform(0, 100)), "salience": 0.5}} for i in range(n)
        },
    }


def test_smp_on_too_many_actors_is_refused_before_it_starts(tmp_path: Path) -> None:
    f = tmp_path / "many.json"
    f.write_text(json.dumps(_many_actors(500)), encoding="utf-8")
    t0 = time.perf_counter()
    err = fails("forecast", f, "-m", "smp")  # took 275 s and 1.4 GB
    assert time.perf_counter() - t0 < 10 and "limit of 150 actors" in err and "REALPOLITIK_MAX_ACTORS" in err
    s = rp.load(f)
    with pytest.raises(ModelTooLargeError) as exc:
        rp.forecast(s, model="smp")
    assert isinstance(exc.value, ModelInputError) and isinstance(exc.value, LimitError)  # "-m all" skips it


# ------------------------------------------------------------------ 8. Monte Carlo errors reach stderr
def test_a_bad_model_parameter_is_named_before_any_chunk_runs(tmp_path: Path) -> None:
    err = fails("montecarlo", "japan-russia-2016", "-n", "20", "-m", "eum", "-p", "rounds=abc")
    assert "model 'eum' parameter 'rounds': expected a whole number, got 'abc'" in err


def _broken(
    problem: BargainingProblem, *, rng: np.random.Generator | None = None, **params: Any
) -> Trajectory:
    raise ValueError("the model broke on this chunk")


@pytest.fixture
def broken_model() -> Any:
    info = register(ModelInfo(name="hostile_broken", title="fails every chunk (tests only)", run=_broken))
    yield info
    unregister("hostile_broken")


def test_failed_chunks_are_reported_on_stderr_with_their_reason(broken_model: Any, tmp_path: Path) -> None:
    toy = write(tmp_path / "toy.yaml", GOOD)
    err = fails(
        "montecarlo", toy, "-n", "30", "--chunk-size", "10", "-m", "hostile_broken", "--no-deals", lines=3
    )
    assert err.count("the model broke on this chunk") == 3 and "chunk 2 failed" in err


def test_failed_chunks_after_killed_workers_reach_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).parents[1] / "uncertainty"))  # spawned workers import it
    import uq_support  # registers "uq_faulty": the compromise model, killing its worker when told to

    register(uq_support.INFO) if "uq_faulty" not in rp.model_names() else None
    try:
        f = tmp_path / "small.json"
        f.write_text(json.dumps(uq_support.small_data(capability=0.3)), encoding="utf-8")
        monkeypatch.setenv("UQ_DIE_ABOVE", "0.45")  # inherited by the workers
        args = ["montecarlo", f, "-n", "40", "--chunk-size", "10", "-m", "uq_faulty", "--no-deals"]
        err = fails(*args, "--executor", "processes", "--workers", "2", "--seed", "3", lines=None)
        assert "failed (after a retry)" in err and "BrokenProcessPool" in err
    finally:
        unregister("uq_faulty")


@pytest.mark.parametrize("command", ["analyze", "report", "montecarlo"])
def test_draws_must_be_at_least_one(command: str, tmp_path: Path) -> None:
    # the same rule as montecarlo's --draws: a usage error (exit 2), before anything is read or written
    out = {"report": ["-o", tmp_path / "r.html"], "analyze": ["--out-dir", tmp_path / "out"]}.get(command, [])
    r = invoke(command, "ec-emissions-1994", *out, "--draws", "-5")
    assert r.exit_code == 2 and "--draws" in r.stderr and "Traceback" not in r.output
    assert not list(tmp_path.iterdir())
