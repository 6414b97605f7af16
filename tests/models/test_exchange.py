"""Tests of the exchange model (Equal Gain) against decide's reference runs and basic properties."""

from __future__ import annotations

import json
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.strategies import decide_style_problem

from realpolitik.models import BargainingProblem, exchange_native, get_model
from realpolitik.models import exchange_scalar as sc
from realpolitik.models.exchange_scalar import Arith, run_scalar
from realpolitik.models.problem import Trajectory
from realpolitik.scenario.decide_format import decide_to_problem, parse_decide

MODEL = get_model("exchange")
CASES = ["two_by_two", "copenhagen"]


def load(shared_dir: Path, case: str) -> tuple[BargainingProblem, dict]:
    base = shared_dir / "reference" / "exchange" / case
    problem = decide_to_problem(parse_decide((base / "input.csv").read_text(), "input.csv"))
    return problem, json.loads((base / "expected.json").read_text())


def by_actor(problem: BargainingProblem, table: dict) -> np.ndarray:
    return np.array([[np.nan if v is None else v for v in table[a]] for a in problem.actors], dtype=float)


@pytest.mark.parametrize("arithmetic", ["exact", "fast"])
@pytest.mark.parametrize("case", CASES)
def test_exact_matches_reference(shared_dir: Path, case: str, arithmetic: str) -> None:
    """exact and fast (the checked engine) both reproduce decide's deterministic runs in every exchange."""
    problem, exp = load(shared_dir, case)
    tr = MODEL.run(problem, rounds=exp["n_rounds"], arithmetic=arithmetic)
    assert tr.extras["arithmetic"] == arithmetic
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


TOLS = [0.0, 1e-9]


@pytest.mark.parametrize("tol", TOLS)
def test_float_two_by_two(shared_dir: Path, tol: float) -> None:
    problem, exp = load(shared_dir, "two_by_two")
    for engine in ("auto", "vectorised", "scalar"):
        tr = MODEL.run(problem, arithmetic="float", engine=engine, tie_tolerance=tol)
        assert tr.extras["arithmetic"] == "float"
        assert np.abs(tr.positions[-1] - by_actor(problem, exp["final_positions"])).max() < 0.01
        assert np.abs(tr.outcome - np.array(exp["outcome"])).max() < 0.01


def band(problem: BargainingProblem, exp: dict, widen: float) -> tuple[np.ndarray, np.ndarray]:
    ens = exp["stochastic_ensemble"]
    lo = by_actor(problem, ens["final_positions_min"]) - widen
    hi = by_actor(problem, ens["final_positions_max"]) + widen
    return lo, hi


def n_outside(f: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> int:
    mask = ~np.isnan(lo)
    return int((((f < lo) | (f > hi)) & mask).sum())


@pytest.mark.xfail(
    strict=True,
    reason=(
        "not achievable by a principled float64 mode: decide's deterministic reference run itself lies "
        "outside this band (Australia/Commitments, 1.97 beyond band+0.5), and the exact-real-arithmetic "
        "run (which float mode reproduces with tie_tolerance) has 4 positions outside (up to 1.08 beyond); "
        "decide's own choices follow the 28th decimal digit (docs/models/exchange.md)"
    ),
)
@pytest.mark.parametrize("tol", TOLS)
def test_float_copenhagen_in_tie_band_strict(shared_dir: Path, tol: float) -> None:
    """The issue's criterion: every final position inside decide's random-tie-break band widened by 0.5."""
    problem, exp = load(shared_dir, "copenhagen")
    tr = MODEL.run(problem, arithmetic="float", tie_tolerance=tol)
    lo, hi = band(problem, exp, 0.5)
    assert n_outside(tr.positions[-1], lo, hi) == 0


@pytest.mark.parametrize("tol", TOLS)
def test_float_copenhagen_near_tie_band(shared_dir: Path, tol: float) -> None:
    """float64 resolves some decimal ties differently (another tie realisation). What holds: outcomes lie
    in decide's random-tie-break band widened by 0.5, final positions in the band widened by 2 (the
    deterministic reference itself lies 1.97 beyond band+0.5 on one position)."""
    problem, exp = load(shared_dir, "copenhagen")
    ens = exp["stochastic_ensemble"]
    assert n_outside(by_actor(problem, exp["final_positions"]), *band(problem, exp, 0.5)) == 1
    tr = MODEL.run(problem, arithmetic="float", tie_tolerance=tol)
    assert n_outside(tr.positions[-1], *band(problem, exp, 2.0)) == 0
    assert np.all(tr.outcome >= np.array(ens["outcome_min"]) - 0.5)
    assert np.all(tr.outcome <= np.array(ens["outcome_max"]) + 0.5)
    assert "tie" in tr.extras["note"]


def rational_run(problem: BargainingProblem, rounds: int) -> tuple[np.ndarray, list[list[tuple]]]:
    """The algorithm in exact rational arithmetic (the scalar engine on Fractions): final positions on
    the input scale and the realised exchanges (i, j, p, q, start_i, voting_i, start_j, voting_j, gain)."""
    conv = lambda v: Fraction(repr(float(v)))  # noqa: E731
    ar = Arith(Fraction(0), Fraction(1), Fraction(100), Fraction(1e-10), Fraction(0.4), Fraction(0.1), conv)
    a, d = problem.n_actors, problem.n_issues
    present = np.ones((a, d), bool) if problem.present is None else np.asarray(problem.present, bool)
    power = np.asarray(problem.power)
    lo = [conv(v) for v in problem.bounds[:, 0]]
    k = [Fraction(100) / (conv(h) - low) for low, h in zip(lo, problem.bounds[:, 1], strict=True)]
    zero = Fraction(0)
    x = [
        [(conv(problem.position[i, j]) - lo[j]) * k[j] if present[i, j] else zero for j in range(d)]
        for i in range(a)
    ]
    s = [[conv(problem.salience[i, j]) if present[i, j] else zero for j in range(d)] for i in range(a)]
    c = [[conv(power[i, j]) if present[i, j] else zero for j in range(d)] for i in range(a)]
    elig = (present & (problem.salience > 0) & (power > 0)).tolist()
    run = run_scalar(x, s, c, present.tolist(), elig, rounds, ar)
    final = np.array([[float(v / k[j] + lo[j]) for j, v in enumerate(row)] for row in run.history[-1]])
    final = np.where(present, final, problem.position)
    exch = [
        [
            (e.actor_i, e.actor_j, e.p, e.q)
            + tuple(
                float(v / k[iss] + lo[iss])
                for v, iss in ((e.start_i, e.q), (e.voting_i, e.q), (e.start_j, e.p), (e.voting_j, e.p))
            )
            + (float(e.gain),)
            for e in rnd
        ]
        for rnd in run.exchanges
    ]
    return final, exch


def assert_same_run(tr: Trajectory, final: np.ndarray, exch: list[list[tuple]]) -> None:
    assert np.abs(tr.positions[-1] - final).max() < 1e-9
    for mine, ref in zip(tr.extras["exchanges"], exch, strict=True):
        assert [(e.actor_i, e.actor_j, e.p, e.q) for e in mine] == [r[:4] for r in ref]
        got = np.array([[e.start_i, e.voting_i, e.start_j, e.voting_j, e.gain] for e in mine]).reshape(-1, 5)
        assert np.allclose(got, np.array([r[4:] for r in ref]).reshape(-1, 5), atol=1e-9, rtol=0)


@pytest.mark.parametrize("engine", ["scalar", "vectorised"])
def test_float_with_tie_tolerance_is_exact_real_arithmetic_on_copenhagen(
    shared_dir: Path, engine: str
) -> None:
    """With tie_tolerance, float64 makes every decision of exact (rational) arithmetic on Copenhagen:
    all 448 exchanges of the 10 rounds, to 1e-9. Without it, round 1 already realises another exchange
    (two gains equal in exact arithmetic differ by 3e-16 in binary)."""
    problem, _ = load(shared_dir, "copenhagen")
    final, exch = rational_run(problem, 10)
    assert_same_run(MODEL.run(problem, arithmetic="float", engine=engine, tie_tolerance=1e-9), final, exch)
    plain = MODEL.run(problem, arithmetic="float", engine=engine)
    assert [(e.actor_i, e.actor_j, e.p, e.q) for e in plain.extras["exchanges"][0]] != [
        r[:4] for r in exch[0]
    ]


def test_float_with_tie_tolerance_is_exact_real_arithmetic_on_random_problems() -> None:
    rng = np.random.default_rng(7)
    for _ in range(6):
        a, d = 8, 5
        lo = rng.integers(-5, 6, d).astype(float)
        hi = lo + rng.integers(1, 21, d)
        pos = np.round(
            lo + (hi - lo) * rng.integers(0, 11, (a, d)) / 10, 10
        )  # exact decimal text, on the bounds too
        p = BargainingProblem(
            capability=rng.integers(1, 6, a) / 5,
            position=pos,
            salience=rng.integers(1, 11, (a, d)) / 10,
            bounds=np.stack([lo, hi], axis=1),
            status_quo=(lo + hi) / 2,
        )
        final, exch = rational_run(p, 5)
        for engine in ("scalar", "vectorised"):
            assert_same_run(
                MODEL.run(p, arithmetic="float", engine=engine, tie_tolerance=1e-9, rounds=5), final, exch
            )


@pytest.mark.parametrize("tol", TOLS)
def test_vectorised_equals_scalar_float_engine(shared_dir: Path, tol: float) -> None:
    problem, _ = load(shared_dir, "copenhagen")
    a = MODEL.run(problem, arithmetic="float", engine="vectorised", tie_tolerance=tol)
    b = MODEL.run(problem, arithmetic="float", engine="scalar", tie_tolerance=tol)
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
    for arithmetic, engine, tol in (
        ("float", "vectorised", 0.0),
        ("float", "vectorised", 1e-9),
        ("float", "auto", 0.0),
        ("exact", "auto", 0.0),
        ("fast", "auto", 0.0),
    ):
        sub = batch if arithmetic == "float" else batch.item(slice(0, 3))  # type: ignore[arg-type]
        kw = {"engine": engine, "tie_tolerance": tol} if arithmetic == "float" else {}
        tb = MODEL.run(sub, arithmetic=arithmetic, rounds=4, **kw)
        n = tb.positions.shape[0]
        assert tb.positions.shape == (n, 5, 6, 4)
        assert "exchanges" not in tb.extras
        for b in range(n):
            kw1 = {"engine": "scalar", "tie_tolerance": tol} if arithmetic == "float" else {}
            t1 = MODEL.run(sub.item(b), arithmetic=arithmetic, rounds=4, **kw1)
            assert np.allclose(tb.positions[b], t1.positions, atol=1e-12, rtol=0)
            assert np.allclose(tb.outcome[b], t1.outcome, atol=1e-12, rtol=0)
            assert list(tb.extras["n_exchanges"][b]) == list(t1.extras["n_exchanges"])


@pytest.mark.parametrize("tol", TOLS)
def test_random_problems_engines_agree(tol: float) -> None:
    rng = np.random.default_rng(11)
    p = random_problem(rng, (16,), 7, 5)
    a = MODEL.run(p, arithmetic="float", engine="vectorised", tie_tolerance=tol)
    b = MODEL.run(p, arithmetic="float", engine="scalar", tie_tolerance=tol)
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


@pytest.mark.parametrize("arithmetic", ["exact", "fast", "float"])
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


@pytest.mark.parametrize("arithmetic", ["exact", "fast", "float"])
def test_zero_salience_actor_stays_out_of_that_issue(arithmetic: str) -> None:
    p = base_problem(5, 3)
    sal = p.salience.copy()
    sal[2, 1] = 0.0
    tr = MODEL.run(replace(p, salience=sal), arithmetic=arithmetic)
    assert np.isfinite(tr.positions).all()
    for rnd in tr.extras["exchanges"]:
        for e in rnd:
            assert not (2 in (e.actor_i, e.actor_j) and 1 in (e.p, e.q))


@pytest.mark.parametrize("arithmetic", ["exact", "fast", "float"])
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
    arithmetic=st.sampled_from(["exact", "fast", "float"]),
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


def test_guards_alone_after_a_record_equal_the_whole_evaluation(monkeypatch: pytest.MonkeyPatch) -> None:
    """A refresh that only records a partner's position re-runs the overshoot guards alone (the moves
    before them cannot change); a whole evaluation of the same state gives the same numbers."""
    monkeypatch.setattr(exchange_native, "EXACT_ENABLED", False)  # the Python exact engine, not C's
    seen = []
    real = sc._Round.refresh

    def both(self: sc._Round, e: sc._Cand, r: sc._Cand) -> None:
        u, hs = (e.uI, e.uJ), (e.hsI, e.hsJ)
        real(self, e, r)
        if (e.uI, e.uJ) == u and (e.hsI, e.hsJ) == hs and e.rec:
            seen.append(1)
            got = (e.mI, e.mJ, e.yI, e.yJ, e.G, e.valid)
            self.evaluate(e)
            assert (e.mI, e.mJ, e.yI, e.yJ, e.G, e.valid) == got

    monkeypatch.setattr(sc._Round, "refresh", both)
    for seed in range(3):
        for arithmetic in ("exact", "float"):
            MODEL.run(
                decide_style_problem(np.random.default_rng(seed), 8, 4), arithmetic=arithmetic, rounds=4
            )
    assert len(seen) > 20, len(seen)


@pytest.mark.parametrize("native", [False, True])
def test_products_that_underflow_in_float64_do_not_crash_any_engine(
    native: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Salience × power can be 0 in float64 though both are positive (and the decimal product is not):
    every mode and engine still runs, with or without the compiled kernels (found by fuzzing them)."""
    from realpolitik.models import exchange_native

    if native and not exchange_native.available():
        pytest.skip("compiled kernels not in use")
    monkeypatch.setattr(exchange_native, "ENABLED", native)
    rng = np.random.default_rng(5)
    for a, d in ((2, 2), (5, 4)):  # 5 × 4: 320 candidate slots, the checked engine's size
        cap = rng.uniform(1, 10, a)
        cap[0] = 6.2790033610460302e-91
        sal = rng.uniform(0.1, 1, (a, d))
        sal[0, 1] = 5.84212978900177e-237
        pos = np.round(rng.uniform(0, 100, (a, d)), 1)
        bp = BargainingProblem(
            capability=cap,
            position=pos,
            salience=sal,
            bounds=np.array([[0.0, 100.0]] * d),
            status_quo=np.full(d, 50.0),
        )
        run = get_model("exchange").run
        exact = run(bp, arithmetic="exact", rounds=3)
        fast = run(bp, arithmetic="fast", rounds=3)
        np.testing.assert_array_equal(fast.positions, exact.positions)
        with np.errstate(divide="ignore", invalid="ignore"):
            scalar = run(bp, arithmetic="float", engine="scalar", rounds=3)
            vector = run(bp, arithmetic="float", engine="vectorised", rounds=3)
        np.testing.assert_array_equal(scalar.positions, vector.positions)
        assert np.isfinite(scalar.outcome).all()
