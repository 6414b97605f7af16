"""The exchange model's compiled exact engine (``_native/exchange_exact.c``) against the Python exact
engine (``exchange_scalar`` with 28-digit decimals) it stands in for: every array and every exchange
bit for bit, on generated decide-style problems, problems on other scales with many ties, the shipped
reference cases and other model parameters; and the ways back to Python (no memory, an operation the
kernel's decimals leave to Python, a problem too large, the switch).

``exchange_native.ENABLED = False`` forces the Python engines for the comparison. Without the compiled
library (no C compiler at install time) these tests skip; the Python engines are tested elsewhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.models.test_exchange import load, random_problem
from tests.models.test_exchange_checked import HELD_OUT
from tests.strategies import decide_style_problem

from realpolitik._native import available, status
from realpolitik.models import BargainingProblem, exchange_native, get_model
from realpolitik.models import exchange as exchange_mod
from realpolitik.models.problem import Trajectory

pytestmark = pytest.mark.skipif(
    not available(), reason=f"compiled kernels {status()} (without them the Python engines run)"
)

MODEL = get_model("exchange")
KEYS = ("outcome_by_round", "voting_positions", "voting_outcome_by_round", "n_exchanges")
SETTINGS = dict(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def run(p: BargainingProblem, native: bool, **kw: Any) -> Trajectory:
    was = exchange_native.ENABLED
    exchange_native.ENABLED = native
    try:
        assert exchange_native.exact_available() is native
        return MODEL.run(p, **kw)
    finally:
        exchange_native.ENABLED = was


def run_in_c(p: BargainingProblem, **kw: Any) -> Trajectory:
    """The run with the compiled exact engine, checking that it really ran (a fallback to Python would
    give the same numbers and hide a failing kernel)."""
    calls: list[bool] = []
    real = exchange_mod.exact_run

    def spy(*a: Any) -> Any:
        out = real(*a)
        calls.append(out is not None)
        return out

    exchange_mod.exact_run = spy  # type: ignore[assignment]
    try:
        tr = run(p, True, **kw)
    finally:
        exchange_mod.exact_run = real  # type: ignore[assignment]
    assert calls and all(calls)
    return tr


def assert_identical(a: Trajectory, b: Trajectory) -> None:
    np.testing.assert_array_equal(a.positions, b.positions)
    np.testing.assert_array_equal(a.outcome, b.outcome)
    # the sign of a zero too (float(Decimal("-0")) is -0.0)
    np.testing.assert_array_equal(np.signbit(a.positions), np.signbit(b.positions))
    for key in KEYS:
        np.testing.assert_array_equal(a.extras[key], b.extras[key])
    if "exchanges" in b.extras:
        assert a.extras["exchanges"] == b.extras["exchanges"]


def c_equals_python(p: BargainingProblem, **kw: Any) -> Trajectory:
    c = run_in_c(p, arithmetic="exact", **kw)
    assert_identical(c, run(p, False, arithmetic="exact", **kw))
    return c


@settings(**SETTINGS)
@given(seed=st.integers(0, 2**32 - 1), n_actors=st.integers(1, 9), n_issues=st.integers(1, 5))
def test_exact_engine_in_c_is_the_python_exact_engine(seed: int, n_actors: int, n_issues: int) -> None:
    p = decide_style_problem(np.random.default_rng(seed), n_actors, n_issues)
    c_equals_python(p, rounds=6)


@settings(**{**SETTINGS, "max_examples": 6})
@given(seed=st.integers(0, 2**32 - 1))
def test_exact_engine_in_c_on_larger_problems(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = decide_style_problem(rng, int(rng.integers(10, 16)), int(rng.integers(5, 9)))
    c_equals_python(p, rounds=3)


@settings(**SETTINGS)
@given(seed=st.integers(0, 2**32 - 1), n_actors=st.integers(2, 8), n_issues=st.integers(2, 4))
def test_exact_engine_in_c_on_other_scales_with_ties(seed: int, n_actors: int, n_issues: int) -> None:
    """Issues not on 0..100 (each number mapped in decimal and back), a coarse grid: ties and outcomes
    that land on positions."""
    p = random_problem(np.random.default_rng(seed), (), n_actors, n_issues)
    c_equals_python(p)


@pytest.mark.parametrize("options", [1, 2, 3])
def test_exact_engine_in_c_without_its_shortcuts(monkeypatch: pytest.MonkeyPatch, options: int) -> None:
    """The per-run cache of the pairs' constants (off for problems too large for it) and the guards'
    float64 first look change no result: each switched off gives the same runs."""
    problems = [decide_style_problem(np.random.default_rng(s), 8, 4) for s in range(3)]
    problems += [random_problem(np.random.default_rng(s), (), 6, 3) for s in range(3)]
    problems.append(HELD_OUT)
    runs = [run_in_c(p, arithmetic="exact", rounds=8) for p in problems]
    monkeypatch.setattr(exchange_native, "EXACT_OPTIONS", options)
    for p, expected in zip(problems, runs, strict=True):
        assert_identical(run_in_c(p, arithmetic="exact", rounds=8), expected)


@pytest.mark.parametrize(
    "params",
    [
        {"salience_weight": 0.3, "fixed_weight": 0.25, "epsilon": 1e-6},
        {"salience_weight": 0.0, "fixed_weight": 0.0, "epsilon": 0.0},
        {"rounds": 0},
        {"rounds": 25},
    ],
)
def test_exact_engine_in_c_with_other_parameters(params: dict[str, Any]) -> None:
    p = decide_style_problem(np.random.default_rng(11), 7, 4)
    c_equals_python(p, **params)


def test_exact_engine_in_c_on_the_knife_edge_case() -> None:
    """The held-out case where float64 decides otherwise (an overshoot leftover of 2e-26)."""
    c_equals_python(HELD_OUT, rounds=10)


@pytest.mark.parametrize("case", ["two_by_two", "copenhagen"])
def test_reference_cases_c_equals_python_and_the_reference(shared_dir: Path, case: str) -> None:
    problem, exp = load(shared_dir, case)
    tr = c_equals_python(problem, rounds=exp["n_rounds"])
    assert list(tr.extras["n_exchanges"]) == exp["n_exchanges_by_round"]


def test_fast_mode_uses_the_exact_engine_in_c_on_small_problems() -> None:
    p = decide_style_problem(np.random.default_rng(4), 6, 3)
    fast = run_in_c(p, arithmetic="fast")
    assert_identical(fast, run(p, False, arithmetic="exact"))


def test_exact_engine_grows_its_exchange_buffer(monkeypatch: pytest.MonkeyPatch) -> None:
    """More exchanges than the first buffer holds: the run is made again with room for all."""
    monkeypatch.setattr(exchange_native, "_capacity", lambda rounds, a, d: 1)
    p = decide_style_problem(np.random.default_rng(3), 8, 4)
    tr = c_equals_python(p)
    assert tr.extras["n_exchanges"].sum() > 1


@pytest.mark.parametrize("code", [-1, -2])
def test_kernel_refusals_run_the_python_engine(monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    """No memory (-1) or an operation the kernel's decimals leave to Python (-2): the Python engine runs
    the member, with its results."""
    calls: list[int] = []

    def refuse(*args: Any) -> int:
        calls.append(code)
        return code

    monkeypatch.setattr(exchange_native, "_EXACT", [refuse])
    p = decide_style_problem(np.random.default_rng(5), 5, 3)
    assert (
        exchange_native.exact_run(
            p.position,
            p.salience,
            np.broadcast_to(np.asarray(p.power), p.position.shape),
            p.bounds,
            np.ones((5, 3), bool),
            np.ones((5, 3), bool),
            3,
            1e-10,
            0.4,
            0.1,
        )
        is None
    )
    monkeypatch.setattr(exchange_native, "ENABLED", False)
    python = MODEL.run(p, arithmetic="exact")
    monkeypatch.setattr(exchange_native, "ENABLED", True)
    assert_identical(MODEL.run(p, arithmetic="exact"), python)
    assert calls


def test_problems_too_large_for_the_kernel_run_in_python(monkeypatch: pytest.MonkeyPatch) -> None:
    p = decide_style_problem(np.random.default_rng(2), 6, 3)
    monkeypatch.setattr(exchange_native, "MAX_WORK_BYTES", 0)
    x = np.zeros((6, 3))
    assert (
        exchange_native.exact_run(x, x, x, np.tile([0.0, 100.0], (3, 1)), x == 0, x == 0, 1, 1e-10, 0.4, 0.1)
        is None
    )
    assert_identical(run(p, True, arithmetic="exact"), run(p, False, arithmetic="exact"))


def test_switch_forces_the_python_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exchange_native, "ENABLED", False)
    assert not exchange_native.exact_available()
    x = np.zeros((2, 2))
    assert (
        exchange_native.exact_run(x, x, x, np.tile([0.0, 100.0], (2, 1)), x == 0, x == 0, 1, 1e-10, 0.4, 0.1)
        is None
    )


def test_records_beyond_the_memory_bound_run_in_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """Records are allocated as candidates need them, within what MAX_WORK_BYTES leaves: a run that
    needs more hands the member to the Python engine (here: room for none)."""
    p = decide_style_problem(np.random.default_rng(3), 8, 4)
    expected = run(p, False, arithmetic="exact")
    monkeypatch.setattr(exchange_native, "_record_blocks", lambda a, d: 0)
    results: list[bool] = []
    real = exchange_mod.exact_run

    def spy(*a: Any) -> Any:
        out = real(*a)
        results.append(out is None)
        return out

    monkeypatch.setattr(exchange_mod, "exact_run", spy)
    assert_identical(run(p, True, arithmetic="exact"), expected)
    assert results == [True]
