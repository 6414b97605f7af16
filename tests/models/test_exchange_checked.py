"""The exchange model's fast mode (the checked engine) makes the exact mode's decisions and numbers.

The larger sweep (2,000 problems, 2-15 actors, 2-13 issues, 10 rounds) is
``benchmarks/exchange_agreement.py``; the tests here run a few dozen small problems and a handful of
full-size ones.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.strategies import decide_style_problem

from realpolitik.models import BargainingProblem, get_model
from realpolitik.models import exchange_checked as checked

MODEL = get_model("exchange")


@pytest.fixture(autouse=True)
def _always_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fast mode hands small problems to the exact engine (as fast there); test the checked engine on all.
    The compiled kernel is switched off here: these tests are about the Python checked engine (the
    kernel's fast mode is tested in ``test_exchange_native.py``)."""
    monkeypatch.setattr("realpolitik.models.exchange.CHECKED_FROM", 0)
    monkeypatch.setattr("realpolitik.models.exchange_native.ENABLED", False)


def assert_same(p: BargainingProblem, rounds: int) -> tuple[object, object]:
    ex = MODEL.run(p, arithmetic="exact", rounds=rounds)
    fa = MODEL.run(p, arithmetic="fast", rounds=rounds)
    assert fa.extras["arithmetic"] == "fast"
    # bit for bit: the checked engine's outputs come from the same decimal state
    assert np.array_equal(ex.positions, fa.positions)
    assert np.array_equal(ex.outcome, fa.outcome)
    assert np.array_equal(ex.extras["voting_positions"], fa.extras["voting_positions"])
    assert ex.extras["exchanges"] == fa.extras["exchanges"]
    return ex, fa


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(0, 2**32 - 1), n_actors=st.integers(2, 8), n_issues=st.integers(2, 5))
def test_fast_equals_exact_on_decide_style_problems(seed: int, n_actors: int, n_issues: int) -> None:
    assert_same(decide_style_problem(np.random.default_rng(seed), n_actors, n_issues), rounds=5)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(0, 2**32 - 1), n_actors=st.integers(2, 8), n_issues=st.integers(2, 5))
def test_fast_equals_exact_with_numpy_loops(
    monkeypatch: pytest.MonkeyPatch, seed: int, n_actors: int, n_issues: int
) -> None:
    """Small problems run the checked engine in Python lists; the NumPy creation and realisation loop
    (larger problems) make the same run on them."""
    monkeypatch.setattr(checked, "SMALL", 0)
    assert_same(decide_style_problem(np.random.default_rng(seed), n_actors, n_issues), rounds=5)


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(0, 2**32 - 1))
def test_fast_equals_exact_full_size(seed: int) -> None:
    assert_same(decide_style_problem(np.random.default_rng(seed)), rounds=10)


# An 8-actor, 4-issue problem like decide input files (no exact ties between gains), where in round 9
# the exact run's overshoot guard fires on a leftover of about 2e-26 and drops an exchange that float64
# (whose leftover is rounding noise of another size) keeps: the float run then ends 0.19 away.
HELD_OUT = BargainingProblem(
    capability=np.array([0.237, 0.595, 0.122, 0.133, 0.87, 0.906, 0.444, 0.909]),
    position=np.array(
        [
            [38.4, 2.7, 26.0, 33.3],
            [0.0, 77.0, 54.85, 2.0],
            [85.0, 41.0, 75.84, 23.1],
            [4.0, 36.0, 80.8, 97.0],
            [55.0, 78.8, 74.0, 3.0],
            [25.6, 100.0, 72.0, 11.15],
            [36.3, 21.0, 89.0, 80.0],
            [60.47, 22.0, 63.0, 49.0],
        ]
    ),
    salience=np.array(
        [
            [0.86, 0.9, 0.25, 0.14],
            [0.25, 0.39, 0.27, 0.19],
            [0.22, 0.21, 0.2, 0.64],
            [0.88, 0.79, 0.13, 0.17],
            [0.49, 0.21, 0.37, 0.96],
            [0.47, 0.47, 0.73, 0.79],
            [0.22, 0.91, 0.28, 1.0],
            [0.17, 0.86, 0.55, 0.9],
        ]
    ),
    bounds=np.tile([0.0, 100.0], (4, 1)),
    status_quo=np.full(4, 50.0),
)


def test_knife_edge_overshoot_case() -> None:
    ex, _ = assert_same(HELD_OUT, rounds=10)
    fl = MODEL.run(HELD_OUT, arithmetic="float")
    assert np.abs(fl.positions[-1] - ex.positions[-1]).max() > 0.1  # plain float64 decides otherwise


def test_history_sums_near_their_limit_are_replayed_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    """A move history Σ H + m near 100 is settled with the exact sums, replayed from the states the
    carried-over moves were made in (this problem needs it once)."""
    calls = []
    real = checked._CheckedRound._exact_history

    def spy(self: checked._CheckedRound, e: object) -> object:
        calls.append(1)
        return real(self, e)  # type: ignore[arg-type]

    monkeypatch.setattr(checked._CheckedRound, "_exact_history", spy)
    rng = np.random.default_rng(412)
    n_actors, n_issues = int(rng.integers(3, 8)), int(rng.integers(2, 5))
    assert_same(decide_style_problem(rng, n_actors, n_issues), rounds=4)
    assert calls


def test_whole_run_goes_exact_when_decimal_contradicts_float(monkeypatch: pytest.MonkeyPatch) -> None:
    """The safety net: should decimal ever contradict a float64 decision taken as safe, the checked
    engine gives up (NeedExact) and the member runs in the exact engine; the result is the exact one."""

    def refuse(self: object, e: object) -> None:
        raise checked.NeedExact("test")

    monkeypatch.setattr(checked._CheckedRound, "decimal_eval", refuse)
    assert_same(HELD_OUT, rounds=4)


def test_float_and_engine_options_belong_to_float_mode() -> None:
    p = decide_style_problem(np.random.default_rng(1), 3, 2)
    for arithmetic in ("exact", "fast"):
        with pytest.raises(ValueError, match="apply to arithmetic 'float' only"):
            MODEL.run(p, arithmetic=arithmetic, tie_tolerance=1e-9)
        with pytest.raises(ValueError, match="apply to arithmetic 'float' only"):
            MODEL.run(p, arithmetic=arithmetic, engine="vectorised")


def test_gain_formula_equals_the_whole_decimal_evaluation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Near ties are ordered by decimal gains taken from the branch formula alone when float64 surely
    took that branch and no guard fired; each such gain equals the whole decimal evaluation's."""
    seen = []
    real = checked._CheckedRound.decimal_gain

    def both(self: checked._CheckedRound, e: checked._Cand2) -> object:
        short = e.gd is None and e.gk != 0
        g = real(self, e)
        if short:
            seen.append(1)
            e.gd = None
            assert self.decimal_eval(e).G == g
        return g

    monkeypatch.setattr(checked._CheckedRound, "decimal_gain", both)
    for seed in range(2):  # round numbers, as in many decide files: many equal gains
        rng = np.random.default_rng(seed)
        p = BargainingProblem(
            capability=rng.integers(1, 4, 10) / 10,
            position=rng.integers(0, 11, (10, 6)) * 10.0,
            salience=rng.integers(1, 11, (10, 6)) / 10,
            bounds=np.tile([0.0, 100.0], (6, 1)),
            status_quo=np.full(6, 50.0),
        )
        assert_same(p, rounds=4)
    assert len(seen) > 50, len(seen)


def test_light_evaluation_of_realised_equals_the_whole_decimal_evaluation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A realised candidate whose float64 evaluation was sure of every decision is evaluated in decimal
    with its branch's formulas alone; moves, positions and gain equal the whole decimal evaluation's."""
    seen = []
    real = checked._CheckedRound.realised_eval

    def both(self: checked._CheckedRound, e: checked._Cand2) -> object:
        light = e.cd is None and e.gk != 0 and e.valid
        d = real(self, e)
        if light:
            seen.append(1)
            got = (d.mI, d.mJ, d.yI, d.yJ, d.G)
            e.cd = None
            full = self.decimal_eval(e)
            assert full.valid
            assert (full.mI, full.mJ, full.yI, full.yJ, full.G) == got
        return d

    monkeypatch.setattr(checked._CheckedRound, "realised_eval", both)
    for seed in range(2):
        assert_same(decide_style_problem(np.random.default_rng(seed), 10, 6), rounds=4)
    assert len(seen) > 50, len(seen)
