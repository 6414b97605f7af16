"""smp's small single runs on the compiled kernel (``_native/smp.c``) against the Python SmallRun."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.models.test_smp import DATA, _assert_same_run, load, random_problem

from realpolitik import _native
from realpolitik.models import BargainingProblem, smp_native
from realpolitik.models import smp_kernels as kern
from realpolitik.models.smp import run_smp

needs_kernel = pytest.mark.skipif(
    not _native.available(),
    reason=f"compiled kernels {_native.status()} (the Python code runs instead)",
)

#: options the small path implements beyond the defaults
OPTIONS = [
    {},
    {"risk_range": "min"},
    {"risk_range": "max"},
    {"risk_adjust": "none"},
    {"risk_adjust": "half"},
    {"risk_adjust": "two_thirds"},
    {"risk_adjust": "full"},
    {"intervec": "s1p1"},
    {"max_steps": 1},
    {"max_steps": 3, "stop_tolerance": 0.5},
    {"position_tolerance": 0.0},
    {"position_tolerance": 0.2},
]


def both(problem: BargainingProblem, **params: object) -> tuple[object, object]:
    """(compiled, Python) runs of one problem; the first must have run on the kernel."""
    assert smp_native.USE_NATIVE
    ran: list[bool] = []
    real = smp_native.small_run

    def spy(*args: object, **kwargs: object) -> object:
        out = real(*args, **kwargs)  # type: ignore[arg-type]
        ran.append(out is not None)
        return out

    smp_native.small_run = spy  # type: ignore[assignment]
    try:
        native = run_smp(problem, **params)
    finally:
        smp_native.small_run = real  # type: ignore[assignment]
    assert ran == [True], "the run did not take the compiled small path"
    smp_native.USE_NATIVE = False
    try:
        python = run_smp(problem, **params)
    finally:
        smp_native.USE_NATIVE = True
    return native, python


def _ktab_folders() -> list[Path]:
    folders = [p for p in sorted(DATA.iterdir()) if (p / "input.csv").is_file()]
    shared = Path(__file__).resolve().parents[3] / "shared" / "reference" / "ktab"
    if shared.is_dir():
        folders += [p for p in sorted(shared.iterdir()) if (p / "input.csv").is_file()]
    return folders


@needs_kernel
@pytest.mark.parametrize("params", OPTIONS)
def test_ktab_reference_cases_same_bits(params: dict) -> None:
    """Every shipped KTAB reference case (all take the small path) gives the Python code's results."""
    folders = _ktab_folders()
    assert folders
    for folder in folders:
        problem, _ = load(folder)
        assert problem.n_actors <= kern.SMALL_MAX_ACTORS
        _assert_same_run(*both(problem, **params))


@st.composite
def _cases(draw: st.DrawFn) -> tuple[BargainingProblem, dict]:
    """1 to SMALL_MAX_ACTORS actors, 1-4 issues; fine or coarse positions (ties, coincident actors),
    zero saliences and capabilities, every option the small path implements."""
    n = draw(st.integers(1, kern.SMALL_MAX_ACTORS))
    d = draw(st.integers(1, 4))
    p = random_problem(n, d, draw(st.integers(0, 2**31)))
    grid = draw(st.sampled_from([0.0, 50.0, 25.0, 10.0]))
    pos = np.round(p.position / grid) * grid if grid else p.position
    sal, cap = p.salience.copy(), p.capability.copy()
    for _ in range(draw(st.integers(0, 2))):
        sal[draw(st.integers(0, n - 1))] = 0.0
    if draw(st.booleans()):
        sal[draw(st.integers(0, n - 1)), draw(st.integers(0, d - 1))] = 0.0
    for _ in range(draw(st.integers(0, 2))):
        cap[draw(st.integers(0, n - 1))] = 0.0
    if draw(st.booleans()):  # equal capabilities (tied coalitions)
        cap[:] = 100.0
    params = draw(
        st.fixed_dictionaries(
            {
                "risk_range": st.sampled_from(["mid", "min", "max"]),
                "risk_adjust": st.sampled_from(["one_third", "none", "half", "two_thirds", "full"]),
                "intervec": st.sampled_from(["s2p2", "s1p1"]),
            },
            optional={
                "max_steps": st.integers(1, 30),
                "salience_norm": st.sampled_from(["always"]),
                # classes of equivalent positions: none (0), KTAB's, coarse ones
                "position_tolerance": st.sampled_from([0.0, 1e-3, 0.05, 0.3]),
            },
        )
    )
    problem = BargainingProblem(
        capability=cap, position=pos, salience=sal, bounds=p.bounds, status_quo=p.status_quo
    )
    return problem, params


@needs_kernel
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases())
def test_generated_cases_same_bits(case: tuple[BargainingProblem, dict]) -> None:
    """On generated problems the compiled kernel and the Python SmallRun agree on every output."""
    problem, params = case
    _assert_same_run(*both(problem, **params))


@needs_kernel
@pytest.mark.parametrize(("n", "d"), [(3, 9), (9, 8), (8, 16), (5, 17), (2, 150)])
def test_many_issues_same_bits(n: int, d: int) -> None:
    """Sums over 8 or more issues or actors (NumPy's pairwise summation, also past its 128-term blocks)."""
    _assert_same_run(*both(random_problem(n, d, n * d)))
    p = random_problem(n, d, n + d)
    coarse = BargainingProblem(
        capability=p.capability,
        position=np.round(p.position / 25) * 25,
        salience=p.salience,
        bounds=p.bounds,
        status_quo=p.status_quo,
    )
    _assert_same_run(*both(coarse, intervec="s1p1", max_steps=40, stop_tolerance=0.0))


@needs_kernel
def test_threads_share_nothing() -> None:
    """Runs in several threads at once (the kernel releases the GIL) agree with serial runs."""
    from concurrent.futures import ThreadPoolExecutor

    probs = [random_problem(n, d, seed) for seed, (n, d) in enumerate([(7, 3), (10, 2), (5, 1), (39, 2)])]
    serial = [run_smp(p) for p in probs]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(run_smp, probs * 4))
    for a, b in zip(serial * 4, threaded, strict=True):
        _assert_same_run(a, b)


def test_without_the_library_python_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """No library (no compiler at install, or REALPOLITIK_NATIVE=0): the Python code gives the results."""
    p = random_problem(7, 3, 11)
    monkeypatch.setattr(smp_native, "_fn", [None])
    assert not smp_native.available()
    assert (
        smp_native.small_run(
            np.zeros((1, 1)), np.ones((1, 1)), np.ones(1), np.ones(1), kern.Options(), 1, 0.1, 1e-3
        )
        is None
    )
    fallback = run_smp(p)
    monkeypatch.setattr(smp_native, "USE_NATIVE", False)
    _assert_same_run(fallback, run_smp(p))


def test_importing_the_model_does_not_load_the_library() -> None:
    """The library is loaded on the first smp run, not when realpolitik or the model is imported."""
    code = (
        "import realpolitik, realpolitik.models.smp, realpolitik._native as n;"
        "print(n._cached.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"
