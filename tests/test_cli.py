"""The command line: every command's happy path, the documented JSON, one-line errors, no overwrites.

Most tests call the Typer app in-process with ``CliRunner``; a few run the installed ``realpolitik``
entry point as a subprocess to check real exit codes and that no traceback reaches the user.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from tests.cli_support import GOOD, fails, invoke, ok, run_entry

import realpolitik as rp
from realpolitik import defaults
from realpolitik._native import available
from realpolitik.deals import deals_to_json
from realpolitik.environment import sweep_to_json
from realpolitik.scenario import builtin_ids

FLAGSHIP = "japan-russia-2016"
SMALL = "ec-emissions-1994"  # one issue, no parties: the cheapest full analysis
KTAB_DATA = Path(__file__).parent / "data" / "ktab"
QUANTILES = ["5", "10", "25", "50", "75", "90", "95"]
FORECAST_KEYS = {
    "scenario",
    "model",
    "issues",
    "outcome",
    "final_positions",
    "rounds",
    "trajectory",
    "extras",
}
EXTRAS_KEYS = {
    "eum": {"median_by_round", "mean_by_round"},
    "smp": {"final_probabilities", "n_states"},
    "exchange": {"outcome_by_round", "exchanges", "arithmetic"},
}
DEALS_KEYS = {
    "feasible", "n_feasible", "packages", "frontier", "nash", "kalai_smorodinsky", "veto_effects",
    "concessions", "linkage", "precedents", "agreements", "red_lines", "conditions", "if_linked",
}  # fmt: skip
PACKAGE_KEYS = {"values", "labels", "moves", "moot", "agreements", "utility", "gain", "joint_gain"}

BAD = """\
id: toy
title: A toy
actors:
  - {id: A, name: Alpha, capability: 1}
  - {id: B, name: Beta, capability: -2}
issues:
  - {id: x, name: X, bounds: [0, 100], status_quo: 50}
positions:
  A: {x: {position: 20, salience: 1.4}}
  B: {x: {position: 150, salience: 0.5}}
  C: {x: {position: 10, salience: 0.5}}
parties: [A, B]
colour: blue
"""


def ok_json(*args: Any) -> Any:
    return json.loads(ok(*args, "--format", "json").stdout)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def good(tmp_path: Path) -> Path:
    p = tmp_path / "good.yaml"
    p.write_text(GOOD, encoding="utf-8")
    return p


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    p = tmp_path / "bad.yaml"
    p.write_text(BAD, encoding="utf-8")
    return p


# ------------------------------------------------------------------------------ scenarios, show, version
def test_version() -> None:
    first, second = ok("version").stdout.strip().splitlines()
    assert first == f"realpolitik {rp.__version__}"
    assert second.startswith(
        "compiled kernels: in use: " if available() else "compiled kernels: not in use: "
    )


def test_scenarios_table_and_json() -> None:
    table = ok("scenarios").stdout
    rows = ok_json("scenarios")
    assert [r["id"] for r in rows] == list(builtin_ids())
    for r in rows:
        assert set(r) == {"id", "title", "as_of", "actors", "issues"}
        s = rp.load(r["id"])
        assert (r["actors"], r["issues"]) == (len(s.actors), len(s.issues))
        assert r["id"] in table


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_show_dumps_a_scenario_that_loads_back_equal(fmt: str, tmp_path: Path) -> None:
    out = ok("show", FLAGSHIP, "--format", fmt).stdout
    p = tmp_path / f"again.{fmt}"
    p.write_text(out, encoding="utf-8")
    assert rp.load(str(p)) == rp.load(FLAGSHIP)


def test_show_table_names_actors_and_issues() -> None:
    out = ok("show", FLAGSHIP).stdout
    s = rp.load(FLAGSHIP)
    for name in ["Actors", "Issues", "Positions (salience)", *s.actor_ids]:
        assert name in out


# ------------------------------------------------------------------------------------------- validate
def test_validate_good_file(good: Path) -> None:
    out = " ".join(ok("validate", good).stdout.split())  # Rich wraps long paths
    assert out == f"ok {good}: 2 actors, 1 issues"


def test_validate_bad_file_prints_every_error_on_one_line(bad: Path) -> None:
    err = fails("validate", bad, lines=None)
    lines = err.strip().splitlines()
    pattern = re.compile(r"^error (\S+):(\d+): (\S+): (.+)$")
    parsed = [pattern.match(line) for line in lines]
    assert all(parsed), lines
    got = [(m.group(1), int(m.group(2)), m.group(3)) for m in parsed if m]
    assert {f for f, _, _ in got} == {str(bad)}
    assert [(n, path) for _, n, path in got] == [
        (5, "actors[1].capability"),
        (9, "positions.A.x.salience"),
        (10, "positions.B.x.position"),
        (11, "positions.C"),
        (13, "colour"),
    ]


# ------------------------------------------------------------------------------------------- forecast
@pytest.mark.parametrize("model", rp.model_names())
def test_forecast_json_has_documented_keys_and_matches_the_api(model: str) -> None:
    j = ok_json("forecast", FLAGSHIP, "--model", model)
    assert FORECAST_KEYS <= set(j)
    assert j["scenario"] == FLAGSHIP and j["model"] == model
    s = rp.load(FLAGSHIP)
    assert j["issues"] == [i.id for i in s.issues]
    api = rp.forecast(s, model=model, seed=0)
    assert j["outcome"] == pytest.approx(api.outcome, abs=1e-9)
    # trajectory: round 0 (the inputs the model saw) first, then one state per round; an actor
    # without a stance on an issue is placed by each model's own rule, so only stances are compared
    assert len(j["trajectory"]) == j["rounds"] + 1
    problem = rp.resolve(s).problem
    for a, actor in enumerate(problem.actors):
        for d, issue in enumerate(problem.issues):
            if problem.present[a, d]:
                assert j["trajectory"][0][actor][issue] == pytest.approx(float(problem.position[a, d]))
    assert j["final_positions"] == j["trajectory"][-1]
    assert EXTRAS_KEYS.get(model, set()) <= set(j["extras"])


def test_forecast_extras_per_model() -> None:
    eum = ok_json("forecast", FLAGSHIP, "-m", "eum")
    for issue in eum["issues"]:
        med = eum["extras"]["median_by_round"][issue]
        assert len(med) == len(eum["extras"]["mean_by_round"][issue]) == eum["rounds"] + 1
        if eum["extras"]["converged"][issue]:  # otherwise the median averaged over a cycle or window
            assert med[-1] == pytest.approx(eum["pressure"][issue])
        else:
            low, high = eum["extras"]["outcome_range"][issue]
            assert low <= eum["pressure"][issue] <= high
    smp = ok_json("forecast", FLAGSHIP, "-m", "smp")
    assert smp["extras"]["n_states"] == smp["rounds"] + 1
    probs = smp["extras"]["final_probabilities"]  # of each actor's final position (shared ones repeat)
    assert set(probs) == set(smp["final_positions"]) and all(0 <= v <= 1 for v in probs.values())
    classes = smp["extras"]["final_classes"]
    assert sum(c["probability"] for c in classes) == pytest.approx(1.0)
    assert all(probs[m] == c["probability"] for c in classes for m in c["actors"])
    ex = ok_json("forecast", FLAGSHIP, "-m", "exchange")
    assert ex["extras"]["arithmetic"] in ("exact", "float")
    assert len(ex["extras"]["exchanges"]) == ex["rounds"]
    for issue in ex["issues"]:
        assert len(ex["extras"]["outcome_by_round"][issue]) == ex["rounds"] + 1


def test_forecast_several_models_and_params() -> None:
    many = ok_json("forecast", FLAGSHIP, "--model", "compromise,nash")
    assert [f["model"] for f in many] == ["compromise", "nash"]
    three = ok_json("forecast", FLAGSHIP, "-m", "eum", "-p", "rounds=3")
    assert three["rounds"] == 3 and three["params"]["rounds"] == 3
    table = ok("forecast", FLAGSHIP).stdout
    for m in rp.model_names():
        assert m in table


def test_forecast_all_skips_models_that_lack_inputs(tmp_path: Path) -> None:
    ktab = tmp_path / "dummy.yaml"
    ok("import", "ktab", KTAB_DATA / "dummyData_3Dim" / "input.csv", "-o", ktab)
    r = ok("forecast", ktab, "--format", "json")  # no status quo: nash cannot run
    assert "nash" not in [f["model"] for f in json.loads(r.stdout)]
    assert "nash not run" in r.stderr and "warning" not in r.stderr  # information, not a warning
    fails("forecast", ktab, "--model", "nash")  # asked for by name: an error


# ---------------------------------------------------------------------------------------------- deals
def test_deals_json_keys_and_agreement_with_the_api() -> None:
    j = ok_json("deals", FLAGSHIP)
    assert DEALS_KEYS <= set(j)
    assert j["feasible"] == (j["n_feasible"] > 0)
    assert set(j["veto_effects"]) == set(j["veto_holders"])
    assert all(
        set(lk) == {"issue", "agreement", "single_issue_deal", "in_feasible_package", "linked"}
        for lk in j["linkage"]
    )
    assert [p["scenario"] for p in j["precedents"]] == [a.scenario for a in rp.load(FLAGSHIP).analogues]
    api = json.loads(json.dumps(deals_to_json(rp.deals(rp.load(FLAGSHIP), seed=0))))
    assert j == api


def test_deals_with_a_deal_and_options() -> None:
    j = ok_json("deals", "german-unification-1990", "--options", "grid", "--step", "0.25")
    assert j["params"]["options"] == "grid" and j["params"]["step"] == 0.25
    assert j["feasible"] and j["n_feasible"] > 0 and j["concessions"] == {}
    for key in ("nash", "kalai_smorodinsky"):
        assert set(j[key]) == PACKAGE_KEYS
        assert j[key]["values"] in [p["values"] for p in j["frontier"]]
    assert all(set(p) == PACKAGE_KEYS for p in j["packages"])
    assert "deal space" in ok("deals", FLAGSHIP).stdout


# ---------------------------------------------------------------------------------------------- sweep
def test_sweep_json_one_driver() -> None:
    j = ok_json("sweep", FLAGSHIP, "--vary", "china_assertiveness=0:1:3")
    assert {"scenario", "model", "drivers", "points"} <= set(j)
    assert (j["scenario"], j["model"], j["drivers"]) == (FLAGSHIP, defaults.MODEL, ["china_assertiveness"])
    assert [p["values"] for p in j["points"]] == [{"china_assertiveness": v} for v in (0.0, 0.5, 1.0)]
    for p in j["points"]:
        assert set(p) == {"values", "outcome", "pressure", "agreed", "feasible"}
        assert list(p["outcome"]) == j["issues"]
        assert isinstance(p["feasible"], bool)
    import numpy as np

    api = sweep_to_json(rp.sweep(rp.load(FLAGSHIP), {"china_assertiveness": np.linspace(0, 1, 3)}))
    assert j == json.loads(json.dumps(api))


def test_sweep_two_drivers_grid_order_and_no_deals() -> None:
    j = ok_json(
        "sweep", FLAGSHIP, "--vary", "china_assertiveness=0,1", "--vary", "threat(CHN, JPN)=0:1:3",
        "--model", "exchange", "--no-deals",
    )  # fmt: skip
    assert j["drivers"] == ["china_assertiveness", "threat(CHN, JPN)"]
    grid = [tuple(p["values"].values()) for p in j["points"]]
    assert grid == [(a, t) for a in (0.0, 1.0) for t in (0.0, 0.5, 1.0)]  # first driver varies slowest
    assert all(p["feasible"] is None for p in j["points"])
    assert "china_assertiveness" in ok("sweep", FLAGSHIP, "--vary", "china_assertiveness=0:1:2").stdout


# ----------------------------------------------------------------------------------------- montecarlo
def test_montecarlo_json_keys_and_byte_identical_reruns() -> None:
    args = ("montecarlo", FLAGSHIP, "--draws", 200, "--seed", 5, "--format", "json")
    first, second = ok(*args).stdout, ok(*args).stdout
    assert first == second
    other = ok("montecarlo", FLAGSHIP, "--draws", 200, "--seed", 6, "--format", "json").stdout
    assert other != first  # the seed matters, so the identity above says something
    j = json.loads(first)
    assert (j["scenario"], j["model"], j["draws"], j["seed"]) == (FLAGSHIP, defaults.MODEL, 200, 5)
    assert set(j["issues"]) == {i.id for i in rp.load(FLAGSHIP).issues}
    for st in j["issues"].values():
        q = st["quantiles"]
        assert list(q) == QUANTILES
        assert [q[k] for k in QUANTILES] == sorted(q[k] for k in QUANTILES)
        assert st["interval80"] == [q["10"], q["90"]]
        assert q["5"] <= st["mean"] <= q["95"] and st["nan_draws"] == 0
    assert 0 <= j["deal_probability"] <= 1


def test_montecarlo_threshold_no_deals_and_table() -> None:
    j = ok_json("montecarlo", SMALL, "-n", 200, "-m", "compromise", "--threshold", "emission_standards>8")
    th = j["issues"]["emission_standards"]["threshold"]
    assert (th["op"], th["value"]) == (">", 8.0) and 0 <= th["probability"] <= 1
    j = ok_json("montecarlo", FLAGSHIP, "-n", 200, "--no-deals")
    assert j["deal_probability"] is None
    out = ok("montecarlo", FLAGSHIP, "-n", 200, "--quiet").stdout
    assert "200 of 200 draws" in out


def test_montecarlo_out_folder_refuses_a_second_run_and_resumes(tmp_path: Path) -> None:
    out = tmp_path / "run"
    first = ok(
        "montecarlo", FLAGSHIP, "-n", 200, "--chunk-size", 100, "--out-dir", out, "--format", "json"
    ).stdout
    assert (out / "manifest.json").is_file() and (out / "summary.json").is_file()
    assert len(list(out.glob("chunk-*.parquet"))) == 2
    fails("montecarlo", FLAGSHIP, "-n", 200, "--chunk-size", 100, "--out-dir", out)
    (out / "chunk-000001.parquet").unlink()
    again = ok(
        "montecarlo",
        FLAGSHIP,
        "-n",
        200,
        "--chunk-size",
        100,
        "--out-dir",
        out,
        "--resume",
        "--format",
        "json",
    ).stdout
    assert again == first


# ----------------------------------------------------------------------------- analyze and report
@pytest.fixture(scope="module")
def analyzed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("analyze") / "flagship"
    r = ok("analyze", FLAGSHIP, "--draws", 200, "--out-dir", out)
    assert "Report written" in r.stdout
    return out


def test_analyze_writes_report_and_json(analyzed: Path) -> None:
    html = (analyzed / "report.html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    a = json.loads((analyzed / "analysis.json").read_text(encoding="utf-8"))
    assert a["scenario"] == FLAGSHIP and a["seed"] == 0
    assert a["montecarlo"]["draws"] == 200 and "--draws 200" in a["command"]
    assert {f["model"] for f in a["forecasts"]} == set(rp.model_names())
    assert a["deals"]["scenario"] == FLAGSHIP and a["sweep"]["points"]


def test_analyze_refuses_a_folder_with_another_scenarios_report(analyzed: Path, tmp_path: Path) -> None:
    before = {p.name: digest(p) for p in analyzed.iterdir()}
    err = fails("analyze", SMALL, "--draws", 200, "--out-dir", analyzed)
    assert FLAGSHIP in err
    assert {p.name: digest(p) for p in analyzed.iterdir()} == before
    other = tmp_path / "copy"
    shutil.copytree(analyzed, other)
    ok("analyze", SMALL, "--draws", 200, "--out-dir", other, "--force")
    assert json.loads((other / "analysis.json").read_text(encoding="utf-8"))["scenario"] == SMALL


def test_analyze_json_output() -> None:
    j = ok_json("analyze", SMALL, "--draws", 200)
    keys = {"scenario", "title", "version", "seed", "command", "model", "model_reason", "summary", "forecasts",
            "skipped", "deals", "sweep", "montecarlo", "montecarlo_modes", "tornado", "sobol", "findings",
            "trust", "notes"}  # fmt: skip
    assert set(j) == keys
    assert j["summary"]["agreements"] == [] and [h["kind"] for h in j["summary"]["headlines"]] == [
        "collective"
    ]
    assert j["trust"]["analogues"] == [] and "figure_svg" not in j["trust"]
    assert j["deals"] is None and "deals" in j["notes"]  # the EC case names no parties
    # no number of the EC case has a range: Monte Carlo would repeat the point forecast, so it is skipped
    assert j["montecarlo"] is None and j["notes"]["montecarlo"].startswith("Monte Carlo skipped")
    assert all(set(f) == {"section", "text", "number", "importance"} for f in j["findings"])


def test_report_formats_and_no_overwrite(tmp_path: Path) -> None:
    html = tmp_path / "r.html"
    ok("report", SMALL, "-o", html, "--draws", 200)
    assert "<html" in html.read_text(encoding="utf-8").lower()
    before = digest(html)
    fails("report", SMALL, "-o", html, "--draws", 200, "--seed", 1)
    assert digest(html) == before
    ok("report", SMALL, "-o", html, "--draws", 200, "--seed", 1, "--force")
    assert digest(html) != before
    js = tmp_path / "r.json"
    ok("report", SMALL, "-o", js, "--draws", 200)
    assert json.loads(js.read_text(encoding="utf-8"))["scenario"] == SMALL
    md = tmp_path / "r.txt"
    ok("report", SMALL, "-o", md, "--format", "md", "--draws", 200)
    assert md.read_text(encoding="utf-8").startswith("#")
    err = fails("report", SMALL, "-o", tmp_path / "x.txt", "--draws", 200)
    assert "cannot tell the report format" in err and not (tmp_path / "x.txt").exists()


def test_report_pdf_without_chromium_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REALPOLITIK_CHROMIUM", str(tmp_path / "no-such-chromium"))
    err = fails("report", SMALL, "-o", tmp_path / "x.pdf")
    assert "PDF export needs headless Chromium" in err
    assert list(tmp_path.iterdir()) == []  # never a misnamed file


def test_report_records_a_command_that_reproduces_it(tmp_path: Path) -> None:
    js = tmp_path / "r.json"
    ok("report", SMALL, "-o", js, "--draws", 200)
    assert "--draws 200" in json.loads(js.read_text(encoding="utf-8"))["command"]


# --------------------------------------------------------------------------------- import and export
@pytest.mark.parametrize("case", ["SOE-Pol-Comp", "dummyData_3Dim"])
def test_import_ktab_then_forecast(case: str, tmp_path: Path) -> None:
    out = tmp_path / f"{case}.yaml"
    r = ok("import", "ktab", KTAB_DATA / case / "input.csv", "-o", out)
    assert f"wrote{out}" in "".join(r.stdout.split())  # Rich folds long paths
    expected = json.loads((KTAB_DATA / case / "expected.json").read_text(encoding="utf-8"))
    s = rp.load(str(out))
    assert [a.id for a in s.actors] == expected["actors"]
    j = ok_json("forecast", out, "--model", "smp")
    # KTAB's outcome is derived from probabilities printed to 4 decimals
    assert list(j["outcome"].values()) == pytest.approx(expected["outcome"], abs=0.05)


def test_import_ktab_from_the_shared_reference(shared_dir: Path, tmp_path: Path) -> None:
    for src in sorted((shared_dir / "reference" / "ktab").glob("*/input.csv")):
        out = tmp_path / f"{src.parent.name}.json"
        ok("import", "ktab", src, "-o", out)
        assert ok_json("forecast", out, "-m", "compromise")["outcome"]


def test_forecast_reads_the_exchange_models_format(shared_dir: Path) -> None:
    case = shared_dir / "reference" / "exchange" / "copenhagen"
    j = ok_json("forecast", case / "input.csv", "--model", "exchange")
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    assert j["issues"] == expected["dimensions"] and j["rounds"] == expected["n_rounds"]
    assert list(j["outcome"].values()) == pytest.approx(expected["outcome"], abs=1e-6)


def test_import_decide(shared_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "copenhagen.yaml"
    ok("import", "decide", shared_dir / "reference" / "exchange" / "copenhagen" / "input.csv", "-o", out)
    assert len(rp.load(str(out)).actors) == 11


def test_export_ktab_then_import_gives_the_same_numbers(tmp_path: Path) -> None:
    # a KTAB case on 0-100: identical numbers
    first = tmp_path / "dummy.yaml"
    ok("import", "ktab", KTAB_DATA / "dummyData_3Dim" / "input.csv", "-o", first)
    csv = tmp_path / "dummy.csv"
    ok("export", "ktab", first, "-o", csv)
    again = tmp_path / "again.yaml"
    ok("import", "ktab", csv, "-o", again)
    for model in ("compromise", "smp"):
        a, b = ok_json("forecast", first, "-m", model), ok_json("forecast", again, "-m", model)
        assert b["outcome"] == pytest.approx(a["outcome"], abs=1e-9)
    # a case on another scale: KTAB's 0-100 is the same share of the issue's range
    csv = tmp_path / "ec.csv"
    ok("export", "ktab", SMALL, "-o", csv)
    ec = tmp_path / "ec.yaml"
    ok("import", "ktab", csv, "-o", ec)
    lo, hi = rp.load(SMALL).issues[0].bounds
    for model in ("compromise", "eum"):
        orig = ok_json("forecast", SMALL, "-m", model)["outcome"]["emission_standards"]
        (back,) = ok_json("forecast", ec, "-m", model)["outcome"].values()
        assert back == pytest.approx((orig - lo) / (hi - lo) * 100, abs=1e-6)


def test_export_decide_then_import_gives_the_same_exchange_forecast(tmp_path: Path) -> None:
    txt = tmp_path / "gu.txt"
    ok("export", "decide", "german-unification-1990", "-o", txt)
    back = tmp_path / "gu.yaml"
    ok("import", "decide", txt, "-o", back)
    a = ok_json("forecast", "german-unification-1990", "-m", "exchange")
    b = ok_json("forecast", back, "-m", "exchange")
    # the decide format carries no decision rules, so compare the model's own result
    assert list(b["pressure"].values()) == pytest.approx(list(a["pressure"].values()), abs=1e-6)


@pytest.mark.parametrize("kind", ["yaml", "json", "ktab", "decide"])
def test_export_refuses_to_overwrite_unless_forced(kind: str, tmp_path: Path) -> None:
    out = tmp_path / f"out.{kind}"
    out.write_text("precious\n", encoding="utf-8")
    err = fails("export", kind, SMALL, "-o", out)
    assert "already exists" in err and out.read_text(encoding="utf-8") == "precious\n"
    ok("export", kind, SMALL, "-o", out, "--force")
    assert out.read_text(encoding="utf-8") != "precious\n"
    if kind in ("yaml", "json"):
        assert rp.load(str(out)) == rp.load(SMALL)


@pytest.mark.parametrize("kind", ["ktab", "decide"])
def test_import_refuses_to_overwrite_unless_forced(kind: str, tmp_path: Path) -> None:
    src = tmp_path / f"src.{'csv' if kind == 'ktab' else 'txt'}"
    ok("export", kind, SMALL, "-o", src)
    out = tmp_path / "out.yaml"
    out.write_text("precious\n", encoding="utf-8")
    assert "already exists" in fails("import", kind, src, "-o", out)
    assert out.read_text(encoding="utf-8") == "precious\n"
    ok("import", kind, src, "-o", out, "--force")
    assert len(rp.load(str(out)).actors) == len(rp.load(SMALL).actors)


# --------------------------------------------------------------------------------- one-line errors
@pytest.mark.parametrize(
    "args",
    [
        ["forecast", FLAGSHIP, "--model", "bogus"],
        ["forecast", FLAGSHIP, "--model", "eum,bogus"],
        ["sweep", FLAGSHIP, "--vary", "china_assertiveness=0:1:3", "--model", "bogus"],
        ["montecarlo", FLAGSHIP, "-n", "10", "--model", "bogus"],
        ["sweep", FLAGSHIP, "--vary", "china_assertiveness"],
        ["sweep", FLAGSHIP, "--vary", "china_assertiveness=x:y:z"],
        ["sweep", FLAGSHIP, "--vary", "no_such_driver=0:1:3"],
        ["sweep", FLAGSHIP, "--vary", "a=0,1", "--vary", "b=0,1", "--vary", "c=0,1"],
        ["forecast", FLAGSHIP, "-m", "eum", "--param", "rounds"],
        ["forecast", FLAGSHIP, "-m", "eum", "--param", "rounds=abc"],
        ["montecarlo", FLAGSHIP, "-n", "10", "--threshold", "territory~5"],
        ["montecarlo", FLAGSHIP, "-n", "10", "--threshold", "nowhere>5"],
        ["montecarlo", FLAGSHIP, "-n", "10", "--resume"],
        ["deals", SMALL],  # no parties
    ],
)
def test_bad_arguments_exit_1_with_one_line(args: list[str]) -> None:
    fails(*args)


@pytest.mark.parametrize(
    "args",
    [
        ["montecarlo", FLAGSHIP, "-n", "10", "--executor", "gpu"],
        ["deals", FLAGSHIP, "--options", "everything"],
        ["show", FLAGSHIP, "--format", "xml"],
        ["montecarlo", FLAGSHIP, "--draws", "0"],
        ["analyze", FLAGSHIP, "--draws", "0"],
        ["forecast", FLAGSHIP, "--seed", "-1"],
    ],
)
def test_values_outside_an_options_choices_are_usage_errors(args: list[str]) -> None:
    r = invoke(*args)
    assert r.exit_code == 2 and "Usage:" in r.output and "Traceback" not in r.output, r.output


@pytest.mark.parametrize(
    ("before", "after"),
    [(["show"], []), (["validate"], []), (["forecast"], []), (["deals"], []),
     (["montecarlo"], ["-n", "10"]), (["analyze"], []), (["sweep"], ["--vary", "a=0,1"]),
     (["export", "yaml"], ["-o", "OUT"]), (["import", "ktab"], ["-o", "OUT"])],
)  # fmt: skip
def test_missing_files_exit_1_with_one_line(before: list[str], after: list[str], tmp_path: Path) -> None:
    missing = tmp_path / "no-such-case.yaml"
    out = tmp_path / "out.yaml"
    err = fails(*before, missing, *[out if a == "OUT" else a for a in after])
    assert str(missing) in err
    assert not out.exists()


def test_unknown_param_name_is_an_error(good: Path) -> None:
    fails("forecast", good, "--model", "eum", "--param", "no_such_param=1")


@pytest.mark.parametrize("name", ["[bold]case.yaml", "a:b:c.yaml"])
def test_error_messages_quote_user_text_verbatim(name: str, tmp_path: Path) -> None:
    assert name in fails("validate", tmp_path / name)


def test_forecast_table_keeps_every_model_column_with_long_issue_ids(tmp_path: Path) -> None:
    csv = tmp_path / "ec.csv"
    ok("export", "ktab", SMALL, "-o", csv)  # KTAB headers become long issue ids
    ec = tmp_path / "ec.yaml"
    ok("import", "ktab", csv, "-o", ec)
    out = ok("forecast", ec, "-m", "compromise,eum,smp").stdout
    assert all(m in out for m in ("sq", "compromise", "eum", "smp")), out


# ------------------------------------------------------------------------------- the real entry point
def test_entry_point_exit_codes(good: Path, bad: Path, tmp_path: Path) -> None:
    r = run_entry("forecast", good, "--model", "compromise", "--format", "json", cwd=tmp_path)
    assert r.returncode == 0 and json.loads(r.stdout)["outcome"]["x"] > 0
    r = run_entry("validate", bad, cwd=tmp_path)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 5 and r.stdout == ""
    r = run_entry("forecast", tmp_path / "missing.yaml", cwd=tmp_path)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip() == f"error {tmp_path / 'missing.yaml'}: no such file or built-in scenario"
    r = run_entry("sweep", FLAGSHIP, "--vary", "oops", cwd=tmp_path)
    assert r.returncode == 1 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_scheduler_address_implies_dask(monkeypatch: pytest.MonkeyPatch) -> None:
    import realpolitik.uncertainty as uq

    seen: dict[str, Any] = {}
    real = uq.monte_carlo

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.update(kwargs)
        return real(*args, **{**kwargs, "executor": "serial", "scheduler": None})

    monkeypatch.setattr(uq, "monte_carlo", spy)
    ok("montecarlo", SMALL, "-n", 10, "--scheduler", "tcp://127.0.0.1:8786", "--format", "json")
    assert seen["scheduler"] == "tcp://127.0.0.1:8786"
    assert seen["executor"] in (None, "dask")  # docs/uncertainty.md: --scheduler implies dask
