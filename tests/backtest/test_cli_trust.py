"""The backtest command, the report's trust section, the figure, and a light import."""

from __future__ import annotations

import ast
import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

import realpolitik as rp
from realpolitik.backtest import backtest
from realpolitik.backtest.figure import error_figure
from realpolitik.backtest.trust import trust_section
from realpolitik.cli import app
from realpolitik.scenario import from_dict

from .helpers import scenario_dict, write_table

runner = CliRunner()
BUILTINS = ["ec-emissions-1994", "german-unification-1990", "nato-enlargement-1997"]


def test_backtest_command_prints_the_table_with_baselines_and_the_split():
    r = runner.invoke(app, ["backtest", *BUILTINS], env={"COLUMNS": "100"})
    assert r.exit_code == 0, r.output
    out = r.output
    assert "Backtest: 3 cases (0 clean, 3 leaky), 10 issues with a recorded outcome" in out
    assert "Clean cases: none" in out and "Leaky cases: 3 cases, 10 issues" in out
    for label in ("status quo", "mean", "cap. mean", "c·s median"):
        assert label in out
    assert "24.1" in out  # the EC case's compromise error
    assert "9 of 24 stances" in out


def test_json_and_csv_formats(tmp_path):
    r = runner.invoke(app, ["backtest", "ec-emissions-1994", "-m", "compromise", "--format", "json"])
    j = json.loads(r.output)
    assert j["models"] == ["compromise"] and j["cases"][0]["status"] == "leaky"
    r = runner.invoke(app, ["backtest", "ec-emissions-1994", "--model", "compromise,eum", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(r.output)))
    assert {row["predictor"] for row in rows} == {
        "compromise",
        "eum",
        "status_quo",
        "mean",
        "capability_mean",
        "weighted_median",
    }


def test_long_table_through_the_process_executor(tmp_path):
    table = write_table(tmp_path / "t.csv", cases=6, actors=3)
    r = runner.invoke(
        app,
        [
            "backtest",
            str(table),
            "-m",
            "compromise,eum",
            "--draws",
            "10",
            "--uncertainty",
            "position=0.05",
            "--executor",
            "processes",
            "--workers",
            "2",
            "--format",
            "json",
        ],
    )
    assert r.exit_code == 0, r.output
    j = json.loads(r.output)
    assert j["summary"]["clean"]["cases"] == 3 and j["summary"]["leaky"]["cases"] == 3
    assert j["summary"]["clean"]["predictors"]["eum"]["n_intervals"] == 3


def test_figure_is_written_and_never_overwritten(tmp_path):
    fig = tmp_path / "err.svg"
    r = runner.invoke(app, ["backtest", "ec-emissions-1994", "-m", "compromise", "--figure", str(fig)])
    assert r.exit_code == 0 and fig.read_text().startswith("<svg")
    r = runner.invoke(app, ["backtest", "ec-emissions-1994", "-m", "compromise", "--figure", str(fig)])
    assert r.exit_code == 1 and "already exists" in r.output


def test_bad_input_is_one_line():
    r = runner.invoke(app, ["backtest", "ec-emissions-1994", "--format", "xml"])  # not a choice: usage
    assert r.exit_code == 2 and "Invalid value for '--format'" in r.output and "'xml'" in r.output
    for args, msg in [
        (["backtest", "ec-emissions-1994", "-m", "nope"], "unknown model 'nope'"),
        (["backtest", "ec-emissions-1994", "--uncertainty", "position"], "expected NAME=VALUE"),
        (["backtest", "japan-russia-2016"], "nothing to score"),
        (["backtest", "no-such-case"], "no such file or built-in scenario"),
    ]:
        r = runner.invoke(app, args)
        assert r.exit_code == 1, (args, r.output)
        assert msg in r.output and "Traceback" not in r.output


def test_trust_section_for_a_scenario_with_analogues():
    sec = trust_section(rp.load("japan-russia-2016"))
    assert sec["title"] == "How far to trust this"
    assert [c["id"] for c in sec["cases"]] == ["german-unification-1990", "nato-enlargement-1997"]
    assert all(c["status"] == "leaky" for c in sec["cases"])
    assert sec["paragraphs"][0].startswith("None of the 2 analogues is a clean backtest")
    assert any("9 of 24 stances" in p for p in sec["paragraphs"])
    assert sec["summary"]["leaky"]["mean"]["n"] == 9
    assert sec["figure_svg"].startswith("<svg") and "best baseline" in sec["figure_svg"]
    assert json.dumps(sec["backtest"])  # JSON-ready
    empty = trust_section(rp.load("ec-emissions-1994"))
    assert empty["analogues"] == [] and empty["backtest"] is None and empty["paragraphs"]


def test_trust_paragraphs_for_clean_cases():
    b = backtest([from_dict(scenario_dict())])
    sec = trust_section(rp.load("japan-russia-2016"), result=b, figure=False)
    assert sec["paragraphs"][0].startswith("1 of 1 analogue is clean")
    assert any(p.startswith("On the clean cases,") and "best naive baseline" in p for p in sec["paragraphs"])


def test_figure_has_a_panel_per_group():
    d = scenario_dict(id="late_case")
    d["positions"]["B"]["x"]["position"]["source"] = "late"
    svg = error_figure(backtest([from_dict(scenario_dict()), from_dict(d)], models="compromise"))
    assert "clean cases (1 case, 1 issue)" in svg and "leaky cases (1 case, 1 issue)" in svg


def test_the_package_imports_no_heavy_library_at_module_level():
    heavy = {"pandas", "pyarrow", "matplotlib", "scipy", "dask", "distributed"}
    pkg = Path(rp.__file__).parent / "backtest"
    for f in pkg.glob("*.py"):
        tree = ast.parse(f.read_text())
        for node in tree.body:  # module level only; functions import what they draw or read with
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not {n.split(".")[0] for n in names} & heavy, (f.name, names)


def test_module_docstrings():
    import doctest
    import importlib

    names = ["backtest", "backtest.leakage", "backtest.scoring", "backtest.trust", "scenario.dates"]
    for name in names:
        mod = importlib.import_module(f"realpolitik.{name}")  # the module, not a function of that name
        res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        assert res.failed == 0 and res.attempted > 0, mod.__name__
