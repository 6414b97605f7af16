"""Backtests: hand-computed scores, ruled forecasts, the clean/leaky split, outputs, executors."""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import pytest

import realpolitik as rp
from realpolitik.backtest import CSV_COLUMNS, Uncertainty, backtest, read_long_table
from realpolitik.scenario import from_dict

from .helpers import scenario_dict, write_table

BUILTINS = ["ec-emissions-1994", "german-unification-1990", "nato-enlargement-1997"]


@pytest.fixture(scope="module")
def builtins():
    return backtest(BUILTINS)


def test_hand_computed_case():
    # A at 2 (c=1, s=1), B at 8 (c=3, s=0.5): compromise (2 + 12) / 2.5 = 5.6; outcome 7 on [0, 10]
    b = backtest([from_dict(scenario_dict())], models="compromise")
    (r,) = b.rows
    assert r.forecast["compromise"] == pytest.approx(5.6)
    assert r.error("compromise") == pytest.approx(0.14)
    assert r.forecast["mean"] == 5.0 and r.error("mean") == pytest.approx(0.2)
    assert r.forecast["capability_mean"] == pytest.approx(6.5) and r.error(
        "capability_mean"
    ) == pytest.approx(0.05)
    assert r.forecast["weighted_median"] == 8.0  # weights 1 and 1.5
    assert r.forecast["status_quo"] == 0.0 and r.error("status_quo") == pytest.approx(0.7)
    s = b.summary()
    assert b.cases[0].status == "clean"
    assert s["clean"]["compromise"].mean_error == pytest.approx(0.14) and s["leaky"]["compromise"].n == 0


def test_builtins_scores(builtins):
    ec = next(r for r in builtins.rows if r.case == "ec-emissions-1994")
    assert ec.error("compromise") == pytest.approx((8.833 - 7.389955686854) / 6, abs=1e-12)  # 24.1%
    assert ec.forecast["weighted_median"] == 7.0
    german = [r for r in builtins.rows if r.case == "german-unification-1990"]
    nato = [r for r in builtins.rows if r.case == "nato-enlargement-1997"]
    # the review's numbers (issue 14): a plain mean of the coded stances scores 6.8% and 10.9%
    assert 100 * np.mean([r.error("mean") for r in german]) == pytest.approx(6.8, abs=0.05)
    assert 100 * np.mean([r.error("mean") for r in nato]) == pytest.approx(10.9, abs=0.05)
    assert 100 * np.mean([r.error("compromise") for r in german]) == pytest.approx(14.4, abs=0.05)
    assert all(c.status == "leaky" for c in builtins.cases)
    s = builtins.summary()
    assert all(p.n == 0 for p in s["clean"].values())
    assert s["leaky"]["compromise"].n == 10


def test_models_are_scored_on_the_ruled_outcome(builtins):
    s = rp.load("nato-enlargement-1997")
    for m in builtins.models:
        f = rp.forecast(s, model=m)
        for r in (r for r in builtins.rows if r.case == s.id):
            assert r.forecast[m] == f.outcome[r.issue]
            assert r.pressure[m] == f.pressure[r.issue]
            assert r.rule == f.rules[r.issue]
    assert any(r.rule == "consent" for r in builtins.rows)


def test_clean_and_leaky_are_never_pooled():
    d = scenario_dict(id="late_case")
    d["positions"]["B"]["x"]["position"]["source"] = "late"
    b = backtest([from_dict(scenario_dict()), from_dict(d)], models="compromise")
    s = b.summary()
    assert [c.status for c in b.cases] == ["clean", "leaky"]
    assert s["clean"]["compromise"].n == 1 and s["leaky"]["compromise"].n == 1
    j = b.to_json()
    assert set(j["summary"]) == {"clean", "leaky"}
    assert j["summary"]["clean"]["cases"] == 1 and j["summary"]["leaky"]["issues"] == 1


def test_json_and_csv(builtins):
    j = json.loads(json.dumps(builtins.to_json()))
    assert j["format"] == "realpolitik-backtest/1"
    assert [c["id"] for c in j["cases"]] == BUILTINS
    german = j["cases"][1]
    assert german["status"] == "leaky" and german["decided"] == "1990-09-12"
    assert german["leakage"]["stances_at_outcome"] == 9
    pred = german["issues"][0]["predictions"]
    assert set(pred) == set(builtins.predictors)
    assert pred["compromise"]["kind"] == "model" and "pressure" in pred["compromise"]
    assert pred["mean"]["kind"] == "baseline" and "pressure" not in pred["mean"]
    rows = list(csv.DictReader(io.StringIO(builtins.to_csv())))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 10 * len(builtins.predictors)
    ec = next(r for r in rows if r["case"] == "ec-emissions-1994" and r["predictor"] == "compromise")
    assert float(ec["error"]) == pytest.approx(0.2405073855, abs=1e-9) and ec["interval80_low"] == ""


def test_monte_carlo_intervals_and_crps_are_seeded_and_consistent():
    kw = dict(models="compromise,eum", draws=150, seed=4, uncertainty={"position": 0.05})
    a = backtest(BUILTINS, **kw)
    b = backtest(BUILTINS, **kw)
    assert json.dumps(a.to_json()) == json.dumps(b.to_json())
    s = a.summary()["leaky"]
    inside = [r.inside80("eum") for r in a.rows]
    assert s["eum"].n_intervals == 10 and s["eum"].calibration80 == pytest.approx(np.mean(inside))
    # each interval and CRPS is that of rp.monte_carlo on the same case, model and seed
    nato = rp.load("nato-enlargement-1997")
    mc = rp.monte_carlo(nato, draws=150, model="eum", seed=4, deal_probe=False)
    r = next(r for r in a.rows if r.case == nato.id and r.issue == "permanent_forces")
    assert r.interval80["eum"] == mc.summary["permanent_forces"].interval80
    from realpolitik.backtest import crps_ensemble

    assert r.crps["eum"] == pytest.approx(float(crps_ensemble(mc.outcomes("permanent_forces"), 75.0)) / 100)
    # the EC case has no uncertainty block: the given default applies to it
    ec = next(c for c in a.cases if c.id == "ec-emissions-1994")
    assert not ec.notes


def test_a_case_without_uncertain_inputs_says_so():
    b = backtest(["ec-emissions-1994"], models="compromise", draws=20)
    assert "no uncertain inputs" in b.cases[0].notes[0]
    assert b.rows[0].interval80 == {}


def test_long_table_cases_match_the_same_case_as_a_scenario(tmp_path):
    (case,) = read_long_table(write_table(tmp_path / "one.csv", cases=1, actors=5, issues=2))
    s = from_dict(
        {
            "id": case.id,
            "title": "from the table",
            "actors": [
                {"id": a, "name": a, "capability": float(case.capability[i])}
                for i, a in enumerate(case.actors)
            ],
            "issues": [
                {
                    "id": d,
                    "name": d,
                    "bounds": case.bounds[j].tolist(),
                    "status_quo": float(case.status_quo[j]),
                }
                for j, d in enumerate(case.issues)
            ],
            "positions": {
                a: {
                    d: {"position": float(case.position[i, j]), "salience": float(case.salience[i, j])}
                    for j, d in enumerate(case.issues)
                }
                for i, a in enumerate(case.actors)
            },
            "outcome": {d: float(case.outcome[j]) for j, d in enumerate(case.issues)},
        }
    )
    t = backtest([tmp_path / "one.csv"])
    for m in t.models:
        f = rp.forecast(s, model=m)
        for r in t.rows:
            assert r.forecast[m] == pytest.approx(f.outcome[r.issue], abs=1e-9), (m, r.issue)
    assert {r.rule for r in t.rows} == {"collective"}


def _dump(b):
    return json.dumps(b.to_json(), sort_keys=True)


def test_executors_give_identical_results(tmp_path):
    table = write_table(tmp_path / "cases.csv", cases=24, actors=4)
    kw = dict(
        models="all", draws=12, seed=9, chunk_size=5, uncertainty=Uncertainty(position=0.05, salience=0.1)
    )
    serial = backtest([table], **kw)
    procs = backtest([table], executor="processes", workers=2, **kw)
    assert _dump(procs) == _dump(serial)
    assert {c.status for c in serial.cases} == {"clean", "leaky"}
    assert serial.summary()["clean"]["smp"].n_intervals == 12


def test_dask_gives_identical_results(tmp_path):
    pytest.importorskip("distributed")
    table = write_table(tmp_path / "cases.csv", cases=10, actors=3)
    kw = dict(models="compromise,eum", draws=8, seed=2, chunk_size=3, uncertainty=Uncertainty(capability=0.2))
    assert _dump(backtest([table], executor="dask", workers=2, **kw)) == _dump(backtest([table], **kw))


def test_missing_status_quo_skips_the_models_that_need_one(tmp_path):
    text = tmp_path / "t.csv"
    text.write_text(
        "case,issue,actor,position,salience,capability,lower,upper,outcome\n"
        "a,x,P,0,1,1,0,10,4\n"
        "a,x,Q,10,1,1,0,10,4\n"
    )
    b = backtest([text], models="compromise,nash")
    assert "nash" in b.cases[0].skipped and "status quo" in b.cases[0].skipped["nash"]
    r = b.rows[0]
    assert r.forecast["compromise"] == 5.0 and "nash" not in r.forecast and math.isnan(r.error("nash"))
    assert math.isnan(r.forecast["status_quo"])


def test_inputs_and_arguments(tmp_path):
    with pytest.raises(ValueError, match="unknown model 'nope'"):
        backtest(["ec-emissions-1994"], models="nope")
    with pytest.raises(ValueError, match="nothing to score"):
        backtest(["japan-russia-2016"])
    with pytest.raises(ValueError, match="appears twice"):
        backtest(["ec-emissions-1994", "ec-emissions-1994"])
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "toy.yaml").write_text(rp.scenario.dumps(from_dict(scenario_dict()), "yaml"))
    write_table(folder / "more.csv", cases=2, actors=3)
    (folder / "readme.txt").write_text("not a case")
    (folder / "no-outcome.yaml").write_text(rp.scenario.dumps(rp.load("japan-russia-2016"), "yaml"))
    b = backtest([folder], models="compromise")
    assert [c.id for c in b.cases] == ["toy", "c000", "c001"]
    assert b.notes == [
        f"japan-russia-2016 ({folder / 'no-outcome.yaml'}): no recorded outcome, nothing to score"
    ]
    default = backtest(models="compromise")
    assert [c.id for c in default.cases] == BUILTINS
    assert Uncertainty.parse("position=0.05,distribution=uniform") == Uncertainty(
        position=0.05, distribution="uniform"
    )
    with pytest.raises(ValueError, match="expected NAME=VALUE"):
        Uncertainty.parse("pos=1")


def test_a_failing_model_is_skipped_and_the_others_still_score(tmp_path):
    from realpolitik.models import ModelInfo, register
    from realpolitik.models.registry import unregister

    def boom(problem, *, rng=None, **params):
        raise FloatingPointError("diverged")

    register(ModelInfo(name="bt_boom", title="always fails", run=boom))
    try:
        b = backtest([write_table(tmp_path / "t.csv", cases=3, actors=3)], models="compromise,bt_boom")
    finally:
        unregister("bt_boom")
    assert all(c.skipped == {"bt_boom": "FloatingPointError: diverged"} for c in b.cases)
    assert all(math.isfinite(r.forecast["compromise"]) and "bt_boom" not in r.forecast for r in b.rows)
    assert b.summary()["clean"]["bt_boom"].n == 0
