"""Tornado and Sobol sensitivity, checked against the compromise model's closed form."""

from __future__ import annotations

import numpy as np
import pytest
from uq_support import small_data

from realpolitik.forecast import run_problem, scenario_problem
from realpolitik.scenario.schema import Scenario
from realpolitik.uncertainty import sampling_spec, sobol, tornado


def _positions_only(**uncertainty):
    """The small scenario with its own ranges removed: only default position widths are uncertain."""
    data = small_data(**uncertainty)
    data["actors"][0]["capability"] = 0.4
    data["issues"][0]["status_quo"] = 40
    data["positions"]["A"]["tax"]["position"] = 20
    data["positions"]["A"]["aid"]["salience"] = 0.5
    return Scenario.model_validate(data)


def test_tornado_matches_closed_form(scenario):
    t = tornado(scenario, "compromise")
    p = scenario_problem(scenario)
    np.testing.assert_allclose(t.base, run_problem(p, "compromise").outcome)
    w = (p.capability[:, None] * p.salience)[:, 0]
    bars = t.bars("tax")
    assert [b.swing for b in bars] == sorted((b.swing for b in bars), reverse=True)
    for b in bars:
        x = b.input
        if x.kind == "position" and x.issue == "tax":
            a = x.index[0]
            assert b.high - b.low == pytest.approx(w[a] / w.sum() * (x.high - x.low))
        if x.issue == "aid" or x.kind == "status_quo":
            assert b.swing == pytest.approx(0.0, abs=1e-12)  # other issue, or not used by compromise
    top = bars[0].input
    assert top.kind in ("position", "salience", "capability") and top.issue in ("tax", None)
    js = t.to_json()
    assert js["issues"]["tax"]["bars"][0]["input"] == top.label


def test_sobol_matches_variance_shares_of_a_linear_model():
    s = _positions_only(distribution="uniform", position=0.1)
    spec = sampling_spec(s)
    assert {x.kind for x in spec.inputs} == {"position"}
    res = sobol(s, "compromise", n=1024, seed=4)
    p = scenario_problem(s)
    w = p.capability[:, None] * p.salience
    for j, issue in enumerate(p.issues):
        contrib = {
            x.label: (w[x.index] / w[:, j][p.present[:, j]].sum() * (x.high - x.low)) ** 2
            for x in spec.inputs
            if x.issue == issue
        }
        total = sum(contrib.values())
        for f, s1, st in res.ranking(issue):
            expected = contrib.get(f, 0.0) / total
            assert s1 == pytest.approx(expected, abs=0.05)
            assert st == pytest.approx(expected, abs=0.05)
    assert res.n_runs == 1024 * (len(spec.inputs) + 2)


def test_sobol_is_seeded_and_groups_by_actor(scenario):
    a = sobol(scenario, "compromise", n=64, seed=1, groups="actor")
    b = sobol(scenario, "compromise", n=64, seed=1, groups="actor")
    np.testing.assert_array_equal(a.st, b.st)
    assert set(a.factors) == {"A", "B", "C", "D", "status quo tax"}
    ranked = a.ranking("tax")
    assert ranked[-1][0] == "status quo tax" and ranked[-1][2] == pytest.approx(0, abs=1e-9)
    c = sobol(scenario, "compromise", n=64, seed=2, groups="actor")
    assert not np.array_equal(a.st, c.st)
    assert set(sobol(scenario, "compromise", n=64, groups="kind").factors) == {
        "capability",
        "position",
        "salience",
        "status_quo",
    }
    with pytest.raises(ValueError, match="power of 2"):
        sobol(scenario, "compromise", n=100)
