"""The exchange model's compiled kernel (``_native/exchange.c``) against the Python engines it stands in for.

- float mode (scalar engine): the C run is bit-identical to the Python float engine;
- fast mode: the C kernel's certified rounds give the exact mode's run (the same decimal numbers), as
  the Python checked engine does;
- both on every shipped reference case, and the fallbacks (a round played in decimal, the whole member
  in the exact engine) give the exact run too.

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
FAST = dict(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(autouse=True)
def _kernel_on_every_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fast mode hands the smaller problems to the exact engine (the compiled one, or the Python one for
    the smallest); test the certified rounds on all sizes."""
    monkeypatch.setattr("realpolitik.models.exchange.NATIVE_FROM", 0)
    monkeypatch.setattr("realpolitik.models.exchange.EXACT_KERNEL_BELOW", 0)


def run(p: BargainingProblem, native: bool, **kw: Any) -> Trajectory:
    was = exchange_native.ENABLED
    exchange_native.ENABLED = native
    try:
        assert exchange_native.available() is native
        return MODEL.run(p, **kw)
    finally:
        exchange_native.ENABLED = was


def run_kernel_to_the_end(p: BargainingProblem, **kw: Any) -> Trajectory:
    """Fast mode in the kernel, checking that no member was handed to the exact engine (the safety net
    would give the exact run anyway and hide a failing kernel path)."""
    handed: list[str] = []
    real = exchange_mod.run_certified

    def spy(*a: Any) -> Any:
        try:
            return real(*a)
        except exchange_native.NeedExact as err:
            handed.append(str(err))
            raise

    exchange_mod.run_certified = spy  # type: ignore[assignment]
    try:
        tr = run(p, True, arithmetic="fast", **kw)
    finally:
        exchange_mod.run_certified = real  # type: ignore[assignment]
    assert not handed
    return tr


def assert_identical(a: Trajectory, b: Trajectory) -> None:
    np.testing.assert_array_equal(a.positions, b.positions)
    np.testing.assert_array_equal(a.outcome, b.outcome)
    for key in KEYS:
        np.testing.assert_array_equal(a.extras[key], b.extras[key])
    if "exchanges" in b.extras:
        assert a.extras["exchanges"] == b.extras["exchanges"]


def c_equals_python(p: BargainingProblem, **kw: Any) -> Trajectory:
    c = run(p, True, **kw)
    assert_identical(c, run(p, False, **kw))
    return c


@settings(**FAST)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_actors=st.integers(2, 15),
    n_issues=st.integers(2, 13),
    tol=st.sampled_from([0.0, 1e-9]),
)
def test_float_engine_in_c_is_the_python_float_engine(
    seed: int, n_actors: int, n_issues: int, tol: float
) -> None:
    p = decide_style_problem(np.random.default_rng(seed), n_actors, n_issues)
    c_equals_python(p, arithmetic="float", engine="scalar", tie_tolerance=tol, rounds=6)


@pytest.mark.parametrize("tol", [0.0, 1e-9])
def test_float_engine_in_c_on_other_scales(tol: float) -> None:
    """Issues not on 0..100 (each value mapped back by the same operations), a coarse grid with ties."""
    rng = np.random.default_rng(5)
    for _ in range(4):
        p = random_problem(rng, (), 7, 4)
        c_equals_python(p, arithmetic="float", engine="scalar", tie_tolerance=tol)


def test_float_engine_grows_its_exchange_buffer(monkeypatch: pytest.MonkeyPatch) -> None:
    """More exchanges than the first buffer holds: the run is made again with room for all."""
    monkeypatch.setattr(exchange_native, "_capacity", lambda rounds, a, d: 1)
    p = decide_style_problem(np.random.default_rng(3), 8, 4)
    tr = c_equals_python(p, arithmetic="float", engine="scalar")
    assert tr.extras["n_exchanges"].sum() > 1


@settings(**FAST)
@given(seed=st.integers(0, 2**32 - 1), n_actors=st.integers(2, 15), n_issues=st.integers(2, 13))
def test_fast_mode_in_c_is_the_exact_run(seed: int, n_actors: int, n_issues: int) -> None:
    """Bit for bit: the C kernel's fast run equals the exact run and the Python fast run."""
    p = decide_style_problem(np.random.default_rng(seed), n_actors, n_issues)
    fast = run_kernel_to_the_end(p, rounds=5)
    assert_identical(fast, run(p, False, arithmetic="fast", rounds=5))
    assert_identical(fast, MODEL.run(p, arithmetic="exact", rounds=5))


def test_fast_mode_in_c_on_the_knife_edge_case() -> None:
    """The held-out case where float64 alone decides otherwise (an overshoot leftover of 2e-26)."""
    fast = run_kernel_to_the_end(HELD_OUT, rounds=10)
    assert_identical(fast, MODEL.run(HELD_OUT, arithmetic="exact", rounds=10))
    fl = run(HELD_OUT, True, arithmetic="float", rounds=10)
    assert np.abs(fl.positions[-1] - fast.positions[-1]).max() > 0.1


@pytest.mark.parametrize("case", ["two_by_two", "copenhagen"])
@pytest.mark.parametrize("arithmetic", ["fast", "float"])
def test_reference_cases_c_equals_python(shared_dir: Path, case: str, arithmetic: str) -> None:
    problem, exp = load(shared_dir, case)
    tr = c_equals_python(problem, arithmetic=arithmetic, rounds=exp["n_rounds"])
    if arithmetic == "fast":
        assert_identical(run_kernel_to_the_end(problem, rounds=exp["n_rounds"]), tr)
        assert list(tr.extras["n_exchanges"]) == exp["n_exchanges_by_round"]


def test_a_round_too_close_to_call_is_played_in_decimal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A settlement that asks for the round in decimal (as for a move history near its limit): that
    round runs in the exact engine, the run stays the exact one."""
    calls = []

    def refuse(self: object) -> int:
        calls.append(1)
        return 3

    monkeypatch.setattr(exchange_native._Settler, "_settle", refuse)
    p = decide_style_problem(np.random.default_rng(7), 9, 5)
    assert_identical(run(p, True, arithmetic="fast"), MODEL.run(p, arithmetic="exact"))
    assert calls


def test_whole_member_goes_exact_when_decimal_contradicts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The safety net: a settlement that fails (decimal contradicting a float64 decision, never seen)
    hands the member to the exact engine."""
    calls = []

    def fail(self: object) -> int:
        calls.append(1)
        raise exchange_native.NeedExact("test")

    monkeypatch.setattr(exchange_native._Settler, "_settle", fail)
    assert_identical(run(HELD_OUT, True, arithmetic="fast"), MODEL.run(HELD_OUT, arithmetic="exact"))
    assert calls


def test_switch_forces_the_python_engines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exchange_native, "ENABLED", False)
    assert not exchange_native.available()
    x = np.zeros((2, 2))
    assert exchange_native.float_run(x, x, x, x > 0, x > 0, 1, 1e-10, 0.4, 0.1, 0.0) is None


def test_problems_too_large_for_the_kernel_run_in_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel sizes its memory for the most candidates a round can have; beyond MAX_WORK_BYTES (or
    without memory) the Python engines run, with the same results."""
    p = decide_style_problem(np.random.default_rng(2), 6, 3)
    monkeypatch.setattr(exchange_native, "MAX_WORK_BYTES", 0)
    x = np.zeros((6, 3))
    assert exchange_native.float_run(x, x, x, x == 0, x == 0, 1, 1e-10, 0.4, 0.1, 0.0) is None
    for mode in ("fast", "float"):
        assert_identical(run(p, True, arithmetic=mode), run(p, False, arithmetic=mode))


def test_ctrl_c_in_a_decimal_callback_reaches_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    """A KeyboardInterrupt raised while the kernel waits on Python is re-raised once the kernel has
    stopped, not swallowed by ctypes (the run would otherwise go on with stale data)."""

    def interrupted(self: Any) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(exchange_native._Settler, "_settle", interrupted)
    monkeypatch.setattr(exchange_mod, "NATIVE_FROM", 0)
    problem = random_problem(np.random.default_rng(3), (), 6, 3)
    with pytest.raises(KeyboardInterrupt):
        get_model("exchange").run(problem, arithmetic="fast", rounds=3)
