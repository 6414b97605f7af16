"""Power on an issue from a capability measure (issues[].power), checked by hand on a small case."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from realpolitik.cli import app
from realpolitik.environment import measured_power, prepare, resolve
from realpolitik.forecast import forecast
from realpolitik.models.run import run_problem
from realpolitik.scenario import from_dict
from realpolitik.uncertainty import apply, draw, monte_carlo, sampling_spec

CSV = """country,year,gdp_current_usd_tn,cinc_nmc6
A,2015,2.0,0.2
A,2016,3.0,0.2
B,2016,1.0,0.1
C,2016,,0.3
"""


@pytest.fixture
def caps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("REALPOLITIK_DATA_PATH", str(tmp_path))  # the scenarios here are built in memory
    f = tmp_path / "caps.csv"
    f.write_text(CSV, encoding="utf-8")
    return str(f)


def case(caps: str, power: str | None = "gdp", **extra: Any) -> dict[str, Any]:
    """A, B, C (capabilities 0.2, 0.1, 0.3) on econ (power from ``power``) and sec (capabilities)."""
    d: dict[str, Any] = {
        "id": "ip",
        "title": "issue power",
        "as_of": "2016-12-31",
        "actors": [
            {"id": "A", "name": "A", "capability": 0.2},
            {"id": "B", "name": "B", "capability": 0.1},
            {"id": "C", "name": "C", "capability": 0.3},
        ],
        "issues": [
            {"id": "econ", "name": "economic cooperation", "status_quo": 20, "power": power},
            {"id": "sec", "name": "security", "status_quo": 50},
        ],
        "positions": {
            "A": {"econ": {"position": 100, "salience": 0.5}, "sec": {"position": 0, "salience": 0.5}},
            "B": {"econ": {"position": 0, "salience": 0.5}, "sec": {"position": 100, "salience": 0.5}},
            "C": {"econ": {"position": 50, "salience": 0.5}, "sec": {"position": 50, "salience": 0.5}},
        },
        "environment": {"capabilities": caps},
    }
    d.update(extra)
    return d


def test_gdp_shares_redistribute_the_capabilities_of_the_actors_it_covers(caps: str) -> None:
    r = resolve(from_dict(case(caps)))
    ip = r.problem.issue_power
    assert ip is not None
    # A and B have a 2016 GDP (3 and 1): shares 0.75 and 0.25 of their capabilities' total 0.2 + 0.1;
    # C has no GDP and keeps its capability 0.3; on sec everyone has its capability
    np.testing.assert_allclose(ip[:, 0], [0.75 * 0.3, 0.25 * 0.3, 0.3])
    np.testing.assert_allclose(ip[:, 1], [0.2, 0.1, 0.3])
    assert any(
        "no gdp_current_usd_tn" in w and "C's power on it is its capability" in w for w in r.trace.warnings
    )
    rec = r.trace.issue_power
    assert rec["sec"] == {"measure": "capability"}
    assert rec["econ"]["measure"] == "gdp" and rec["econ"]["column"] == "gdp_current_usd_tn"
    assert rec["econ"]["fallback"] == ["C"]
    assert rec["econ"]["actors"]["A"] == {"value": 3.0, "share": 0.75, "power": pytest.approx(0.225)}
    assert json.loads(json.dumps(r.trace.to_json()))["issue_power"]["econ"][
        "total_capability"
    ] == pytest.approx(0.3)


def test_the_compromise_reads_issue_power(caps: str) -> None:
    f = forecast(from_dict(case(caps)), "compromise")
    # econ: (0.225·100 + 0.075·0 + 0.3·50) / (0.225 + 0.075 + 0.3) = 62.5 (equal saliences cancel);
    # with capabilities it would be (0.2·100 + 0.3·50) / 0.6 = 58.33
    assert f.pressure["econ"] == pytest.approx(62.5)
    assert f.pressure["sec"] == pytest.approx((0.1 * 100 + 0.3 * 50) / 0.6)


def test_a_column_name_and_a_stances_own_power(caps: str) -> None:
    d = case(caps, power="cinc_nmc6")
    d["positions"]["B"]["econ"]["power"] = 0.5  # its own power takes precedence over the measure
    ip = resolve(from_dict(d)).problem.issue_power
    assert ip is not None
    # CINC covers A and C (B has its own): shares 0.2/0.5 and 0.3/0.5 of 0.2 + 0.3
    np.testing.assert_allclose(ip[:, 0], [0.2, 0.5, 0.3])


def test_capability_links_scale_the_total_not_the_shares(caps: str) -> None:
    d = case(caps)
    d["environment"]["indicators"] = {"x": {"value": 1.0}}
    d["environment"]["links"] = [{"target": "B.capability", "driver": "x", "base": 0.3, "gain": 0}]
    p = prepare(from_dict(d))
    assert any("comes from a capability measure" in w for w in p.warnings)
    ip = p.resolve().problem.issue_power
    assert ip is not None
    np.testing.assert_allclose(ip[:, 0], [0.75 * 0.5, 0.25 * 0.5, 0.3])
    np.testing.assert_allclose(ip[:, 1], [0.2, 0.3, 0.3])  # the linked capability where no measure applies


def test_an_unknown_measure_is_one_clear_error(caps: str) -> None:
    with pytest.raises(ValueError, match=r"ip: issues\[0\]\.power: no capability measure 'gpd'"):
        resolve(from_dict(case(caps, power="gpd")))


def test_without_measures_there_is_no_issue_power(caps: str) -> None:
    r = resolve(from_dict(case(caps, power=None)))
    assert r.problem.issue_power is None
    assert r.trace.issue_power == {"econ": {"measure": "capability"}, "sec": {"measure": "capability"}}


def test_eum_and_exchange_use_power_per_issue(caps: str) -> None:
    s = from_dict(case(caps))
    p = resolve(s).problem
    assert p.issue_power is not None
    # EUM works issue by issue: econ with issue power equals a one-issue run with those capabilities
    econ_only = replace(p.take_issues([0]), capability=p.issue_power[:, 0].copy(), issue_power=None)
    assert run_problem(p, "eum").outcome[0] == pytest.approx(run_problem(econ_only, "eum").outcome[0])
    # exchange trades across issues with each issue's own power: the measure changes its result
    flat = replace(p, issue_power=None)
    assert not np.allclose(run_problem(p, "exchange").outcome, run_problem(flat, "exchange").outcome)


@pytest.mark.parametrize("model", ["nash", "smp"])
def test_models_with_one_weight_per_actor_use_capability_and_say_so(caps: str, model: str) -> None:
    """Power that differs by issue cannot enter a model with one weight per actor: it runs on the actors'
    capabilities and its forecast says so (never silently)."""
    s0 = from_dict(case(caps))
    f = forecast(s0, model)
    assert any("weighs each actor once across all issues" in n for n in f.notes), f.notes
    p0 = resolve(s0).problem
    caps_only = replace(p0, issue_power=None)
    np.testing.assert_allclose(run_problem(p0, model).outcome, run_problem(caps_only, model).outcome)
    # the same measure on every issue is one weight per actor: they take it
    d = case(caps)
    d["issues"][1]["power"] = "gdp"
    s = from_dict(d)
    np.testing.assert_allclose(resolve(s).problem.actor_power(), [0.225, 0.075, 0.3])
    p = resolve(s).problem
    same = replace(p, capability=p.actor_power().copy(), issue_power=None)  # smp sits on a tie here: exact
    np.testing.assert_allclose(run_problem(p, model).outcome, run_problem(same, model).outcome)
    assert np.isfinite(list(forecast(s, model).pressure.values())).all()


def test_show_says_which_measure_each_issue_uses(caps: str, tmp_path: Path) -> None:
    import yaml

    f = tmp_path / "ip.yaml"
    f.write_text(yaml.safe_dump(case(caps)), encoding="utf-8")
    out = CliRunner().invoke(app, ["show", str(f)], terminal_width=200).output
    assert "power from" in out and "gdp" in out and "capability" in out


def test_monte_carlo_keeps_each_actors_share_of_the_measure(caps: str) -> None:
    d = case(caps)
    d["uncertainty"] = {"capability": 0.2, "position": 0.05}
    s = from_dict(d)
    spec = sampling_spec(s)
    assert spec.power_shares is not None
    batch = apply(spec, draw(spec, 64, np.random.default_rng(3)))
    ip = batch.issue_power
    assert ip is not None
    cap = batch.capability
    # econ: A and B split their drawn capabilities 3:1; C follows its own drawn capability; sec: capabilities
    np.testing.assert_allclose(ip[:, 0, 0], 0.75 * (cap[:, 0] + cap[:, 1]))
    np.testing.assert_allclose(ip[:, 1, 0], 0.25 * (cap[:, 0] + cap[:, 1]))
    np.testing.assert_allclose(ip[:, 2, 0], cap[:, 2])
    np.testing.assert_allclose(ip[:, :, 1], cap)
    m = monte_carlo(s, draws=200, model="compromise", seed=5, chunk_size=100, deal_probe=False)
    assert m.ok and m.draws_completed == 200


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.floats(0.001, 1.0), st.one_of(st.none(), st.floats(0.0, 100.0))), min_size=1, max_size=6
    ),
    batch=st.integers(1, 3),
)
def test_a_measure_keeps_the_issues_total_and_orders_power_by_the_measure(
    data: list[tuple[float, float | None]], batch: int
) -> None:
    cap = np.array([c for c, _ in data])
    m = np.array([np.nan if v is None else v for _, v in data])
    have = np.isfinite(m)
    shares = np.full((len(data), 1), np.nan)
    if have.any() and m[have].sum() > 0:
        shares[have, 0] = m[have] / m[have].sum()
    caps = np.stack([cap * (1 + 0.1 * b) for b in range(batch)])  # a batch of capabilities
    ip = measured_power(caps, shares, caps[:, :, None])
    # the issue's total power is the capabilities' total, whatever the split
    np.testing.assert_allclose(ip[:, :, 0].sum(axis=1), caps.sum(axis=1))
    # actors without a share keep their capability; among the others power follows the measure
    measured = np.isfinite(shares[:, 0])
    np.testing.assert_array_equal(ip[:, ~measured, 0], caps[:, ~measured])
    idx = np.flatnonzero(measured)
    for i in idx:
        for j in idx:
            if m[i] > m[j]:
                assert (ip[:, i, 0] >= ip[:, j, 0]).all()
