"""Tests of the exchange model (Equal Gain) against decide's reference runs and basic properties."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.models import BargainingProblem, get_model
from realpolitik.scenario.decide_format import decide_to_problem, parse_decide

MODEL = get_model("exchange")
CASES = ["two_by_two", "copenhagen"]


def load(shared_dir: Path, case: str) -> tuple[BargainingProblem, dict]:
    base = shared_dir / "reference" / "exchange" / case
    problem = decide_to_problem(parse_decide((base / "input.csv").read_text(), "input.csv"))
    return problem, json.loads((base / "expected.json").read_text())


def by_actor(problem: BargainingProblem, table: dict) -> np.ndarray:
    return np.array([[np.nan if v is None else v for v in table[a]] for a in problem.actors], dtype=float)


@pytest.mark.parametrize("case", CASES)
def test_exact_matches_reference(shared_dir: Path, case: str) -> None:
    problem, exp = load(shared_dir, case)
    tr = MODEL.run(problem, rounds=exp["n_rounds"])
    assert tr.extras["arithmetic"] == "exact"
    final = by_actor(problem, exp["final_positions"])
    mask = ~np.isnan(final)
    assert np.abs(tr.positions[-1][mask] - final[mask]).max() < 0.01
    assert np.abs(tr.outcome - np.array(exp["outcome"])).max() < 0.01
    assert np.abs(tr.extras["outcome_by_round"] - np.array(exp["outcome_by_round"])).max() < 0.01
    assert (
        np.abs(tr.extras["voting_outcome_by_round"] - np.array(exp["voting_outcome_by_round"])).max() < 0.01
    )
    for r, hist in enumerate(exp["history"]):
        h = by_actor(problem, hist)
        assert np.abs(tr.positions[r][mask] - h[mask]).max() < 0.01, f"round {r}"
    assert list(tr.extras["n_exchanges"]) == exp["n_exchanges_by_round"]
    js = MODEL.extras_to_json(tr.extras, problem)
    for mine, ref in zip(js["exchanges"], exp["exchanges_by_round"], strict=True):
        assert len(mine) == len(ref)
        for m, f in zip(mine, ref, strict=True):
            for side in ("i", "j"):
                for key in ("actor", "supply_issue", "demand_issue"):
                    assert m[side][key] == f[side][key]
                assert abs(m[side]["start"] - f[side]["start"]) < 1e-9
                assert abs(m[side]["voting"] - f[side]["voting"]) < 1e-9
            assert abs(m["gain"] - f["gain"]) < 1e-9


def test_two_by_two_worked_example_round_one(shared_dir: Path) -> None:
    problem, _ = load(shared_dir, "two_by_two")
    tr = MODEL.run(problem, rounds=1)
    assert np.allclose(tr.extras["outcome_by_round"][0], [600 / 7, 250 / 7])
    (ex,) = tr.extras["exchanges"][0]
    assert (problem.actors[ex.actor_i], problem.actors[ex.actor_j]) == ("Actor-2", "Actor-1")
    assert (ex.start_i, ex.voting_i, ex.start_j, ex.voting_j) == pytest.approx((100, 80, 0, 100))
    assert ex.gain == pytest.approx(5.0)
    assert tr.positions[1] == pytest.approx(np.array([[46.0, 0.0], [100.0, 94.0]]))


def test_fast_two_by_two(shared_dir: Path) -> None:
    problem, exp = load(shared_dir, "two_by_two")
    for engine in ("auto", "vectorised", "scalar"):
        tr = MODEL.run(problem, arithmetic="fast", engine=engine)
        assert tr.extras["arithmetic"] == "fast"
        assert np.abs(tr.positions[-1] - by_actor(problem, exp["final_positions"])).max() < 0.01
        assert np.abs(tr.outcome - np.array(exp["outcome"])).max() < 0.01


def test_fast_copenhagen_in_tie_band(shared_dir: Path) -> None:
    """float64 resolves some decimal ties differently (another tie realisation): compare with the band
    of decide's own random tie-breaking runs. Outcomes must lie in the band widened by 0.5; one final
    position (of 75) may lie outside it, as the spec's own float64 run does (the deterministic
    reference itself falls outside this band on one position)."""
    problem, exp = load(shared_dir, "copenhagen")
    ens = exp["stochastic_ensemble"]
    tr = MODEL.run(problem, arithmetic="fast")
    lo = by_actor(problem, ens["final_positions_min"]) - 0.5
    hi = by_actor(problem, ens["final_positions_max"]) + 0.5
    f = tr.positions[-1]
    mask = ~np.isnan(lo)
    outside = ((f < lo) | (f > hi)) & mask
    assert outside.sum() <= 1
    assert np.all(f[mask] >= lo[mask] - 2.0) and np.all(f[mask] <= hi[mask] + 2.0)
    assert np.all(tr.outcome >= np.array(ens["outcome_min"]) - 0.5)
    assert np.all(tr.outcome <= np.array(ens["outcome_max"]) + 0.5)
    assert "tie" in tr.extras["note"]


def test_vectorised_equals_scalar_float_engine(shared_dir: Path) -> None:
    problem, _ = load(shared_dir, "copenhagen")
    a = MODEL.run(problem, arithmetic="fast", engine="vectorised")
    b = MODEL.run(problem, arithmetic="fast", engine="scalar")
    assert np.array_equal(a.positions, b.positions)
    assert np.array_equal(a.extras["outcome_by_round"], b.extras["outcome_by_round"])
    assert a.extras["exchanges"] == b.extras["exchanges"]


def random_problem(rng: np.random.Generator, batch: tuple[int, ...], a: int, d: int) -> BargainingProblem:
    lo = rng.uniform(-5, 5, d)
    hi = lo + rng.uniform(1, 20, d)
    pos = lo + (hi - lo) * rng.integers(0, 11, batch + (a, d)) / 10  # coarse grid: ties happen
    sal = rng.integers(1, 11, batch + (a, d)) / 10
    cap = rng.integers(1, 6, batch + (a,)) / 5
    return BargainingProblem(
        capability=cap,
        position=pos,
        salience=sal,
        bounds=np.stack([lo, hi], axis=1),
        status_quo=(lo + hi) / 2,
    )


def test_batch_equals_loop() -> None:
    rng = np.random.default_rng(3)
    batch = random_problem(rng, (12,), 6, 4)
    for arithmetic, engine in (("fast", "vectorised"), ("fast", "auto"), ("exact", "auto")):
        sub = batch if arithmetic == "fast" else batch.item(slice(0, 3))  # type: ignore[arg-type]
        tb = MODEL.run(sub, arithmetic=arithmetic, engine=engine, rounds=4)
        n = tb.positions.shape[0]
        assert tb.positions.shape == (n, 5, 6, 4)
        assert "exchanges" not in tb.extras
        for b in range(n):
            t1 = MODEL.run(sub.item(b), arithmetic=arithmetic, engine="scalar", rounds=4)
            assert np.allclose(tb.positions[b], t1.positions, atol=1e-12, rtol=0)
            assert np.allclose(tb.outcome[b], t1.outcome, atol=1e-12, rtol=0)
            assert list(tb.extras["n_exchanges"][b]) == list(t1.extras["n_exchanges"])


def test_random_problems_engines_agree() -> None:
    rng = np.random.default_rng(11)
    p = random_problem(rng, (16,), 7, 5)
    a = MODEL.run(p, arithmetic="fast", engine="vectorised")
    b = MODEL.run(p, arithmetic="fast", engine="scalar")
    assert np.array_equal(a.positions, b.positions)
    assert a.extras["n_exchanges"].sum() > 0


def base_problem(a: int = 4, d: int = 3) -> BargainingProblem:
    rng = np.random.default_rng(0)
    return BargainingProblem(
        capability=np.ones(a),
        position=rng.uniform(0, 100, (a, d)),
        salience=rng.uniform(0.1, 1, (a, d)),
        bounds=np.tile([0.0, 100.0], (d, 1)),
        status_quo=np.full(d, 50.0),
    )


@pytest.mark.parametrize("arithmetic", ["exact", "fast"])
def test_degenerate_inputs_give_no_nan(arithmetic: str) -> None:
    p = base_problem()
    cases = {
        "one position": replace(p, position=np.full_like(p.position, 30.0)),
        "zero saliences": replace(p, salience=np.zeros_like(p.salience)),
        "zero power": replace(p, capability=np.zeros_like(p.capability)),
        "one actor": p.take_actors([0]),
        "flat bounds": replace(
            p, bounds=np.tile([50.0, 50.0], (3, 1)), position=np.full_like(p.position, 50.0)
        ),
    }
    for name, prob in cases.items():
        tr = MODEL.run(prob, arithmetic=arithmetic)
        assert np.isfinite(tr.positions).all(), name
        assert np.isfinite(tr.outcome).all(), name
        assert tr.extras["n_exchanges"].sum() == 0, name
        assert np.array_equal(tr.positions[-1], prob.position), name


@pytest.mark.parametrize("arithmetic", ["exact", "fast"])
def test_zero_salience_actor_stays_out_of_that_issue(arithmetic: str) -> None:
    p = base_problem(5, 3)
    sal = p.salience.copy()
    sal[2, 1] = 0.0
    tr = MODEL.run(replace(p, salience=sal), arithmetic=arithmetic)
    assert np.isfinite(tr.positions).all()
    for rnd in tr.extras["exchanges"]:
        for e in rnd:
            assert not (2 in (e.actor_i, e.actor_j) and 1 in (e.p, e.q))


@pytest.mark.parametrize("arithmetic", ["exact", "fast"])
def test_missing_data_is_left_out(arithmetic: str) -> None:
    p = base_problem(5, 3)
    present = np.ones((5, 3), dtype=bool)
    present[1, 2] = False
    pos = p.position.copy()
    pos[1, 2] = 1e6  # would dominate the outcome if it counted
    q = replace(p, present=present, position=pos)
    tr = MODEL.run(q, arithmetic=arithmetic)
    assert (tr.positions[:, 1, 2] == 1e6).all()
    assert tr.outcome[2] <= 100.0
    for rnd in tr.extras["exchanges"]:
        for e in rnd:
            assert not (1 in (e.actor_i, e.actor_j) and 2 in (e.p, e.q))


def test_rounds_zero_and_json() -> None:
    p = base_problem()
    tr = MODEL.run(p, rounds=0)
    assert tr.positions.shape == (1, 4, 3)
    js = MODEL.extras_to_json(MODEL.run(p, rounds=2).extras, p)
    assert set(js) >= {"outcome_by_round", "exchanges", "arithmetic", "note"}
    assert set(js["outcome_by_round"]) == set(p.issues)
    assert len(js["exchanges"]) == 2
    json.dumps(js)
    with pytest.raises(ValueError):
        MODEL.run(p, arithmetic="float32")


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    a=st.integers(1, 6),
    d=st.integers(1, 4),
    arithmetic=st.sampled_from(["exact", "fast"]),
)
def test_outcome_within_bounds(seed: int, a: int, d: int, arithmetic: str) -> None:
    rng = np.random.default_rng(seed)
    p = random_problem(rng, (), a, d)
    tr = MODEL.run(p, arithmetic=arithmetic, rounds=5)
    lo, hi = p.bounds[:, 0], p.bounds[:, 1]
    tol = 1e-9 * (hi - lo)
    assert np.isfinite(tr.outcome).all()
    assert np.all(tr.extras["outcome_by_round"] >= lo - tol) and np.all(
        tr.extras["outcome_by_round"] <= hi + tol
    )
    assert np.all(tr.positions >= lo - tol) and np.all(tr.positions <= hi + tol)
