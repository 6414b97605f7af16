"""Fuzz the compiled kernels (smp.c, exchange.c) on generated problems, C against the Python code.

Meant to run under AddressSanitizer/UBSan (``bash scripts/asan_kernels.sh``, which builds an instrumented
library and preloads libasan), where a memory error aborts the process with a report; it also runs on the
normal library (``.venv/bin/python benchmarks/kernels_fuzz.py --count 200``) as a plain C-equals-Python
check. Every problem runs once with the kernel and once with the Python path (``smp_native.USE_NATIVE =
False`` / ``exchange_native.ENABLED = False``) and the results must be identical; the largest problems
the wrappers accept run in C only (the Python engines take minutes there).

Edge shapes: 1 actor, 1 issue, 2 x 2, 39 actors (smp's small-path limit), exchange sizes up to where
``MAX_WORK_BYTES`` stops the kernel, zero saliences / capabilities, all-equal positions, positions on the
bounds, extreme magnitudes, max_steps / rounds 0, 1 and large, position tolerance 0, absent actor-issue
cells, batches, and a one-row exchange buffer (every run grows it).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from realpolitik._native import available, status
from realpolitik.models import BargainingProblem, exchange_native, get_model, smp_native
from realpolitik.models import exchange as exchange_mod
from realpolitik.models import smp as smp_mod
from realpolitik.models.smp import run_smp
from realpolitik.models.smp_kernels import SMALL_MAX_ACTORS, Options
from strategies import decide_style_problem

EXCHANGE = get_model("exchange")
SHAPES: dict[str, Counter[tuple[int, int]]] = {"smp": Counter(), "exchange": Counter()}


def same(a: Any, b: Any, what: str) -> None:
    """Identical trajectories (NaN equal to NaN), else raise with ``what``."""
    pairs = [("positions", a.positions, b.positions), ("outcome", a.outcome, b.outcome)]
    pairs.append(("rounds", a.rounds, b.rounds))
    assert a.extras.keys() == b.extras.keys(), what
    for key in a.extras:
        if key != "exchanges":
            pairs.append((key, a.extras[key], b.extras[key]))
    for key, x, y in pairs:
        x, y = np.asarray(x), np.asarray(y)
        if x.shape != y.shape or (x.dtype.kind in "fiub" and not np.array_equal(x, y, equal_nan=True)):
            raise AssertionError(f"{what}: {key} differs between C and Python")
    if "exchanges" in b.extras and a.extras["exchanges"] != b.extras["exchanges"]:
        raise AssertionError(f"{what}: exchanges differ between C and Python")


# ---------------------------------------------------------------------------------------------- smp


def smp_problem(rng: np.random.Generator, n: int, d: int) -> tuple[BargainingProblem, str]:
    """A random smp problem with one of the edge variants (its name returned too)."""
    lo, hi = 0.0, 100.0
    kind = str(
        rng.choice(
            [
                "plain",
                "grid",
                "equal",
                "bounds",
                "zero_sal",
                "zero_cap",
                "all_zero_sal",
                "all_zero_cap",
                "extreme",
                "wide_scale",
            ]
        )
    )
    if kind == "wide_scale":
        lo, hi = -1e12, 1e12
    sal = rng.uniform(0.0, 1.0, (n, d))
    cap = rng.uniform(1.0, 200.0, n)
    u = rng.uniform(0.0, 1.0, (n, d))
    if kind == "grid":
        u = np.round(u * 4) / 4
    elif kind == "equal":
        u = np.full((n, d), rng.uniform())
    elif kind == "bounds":
        u = rng.integers(0, 2, (n, d)).astype(float)
    elif kind == "zero_sal":
        sal[rng.integers(0, n)] = 0.0
        sal[rng.integers(0, n), rng.integers(0, d)] = 0.0
    elif kind == "zero_cap":
        cap[rng.integers(0, n, size=max(1, n // 2))] = 0.0
    elif kind == "all_zero_sal":
        sal[:] = 0.0
    elif kind == "all_zero_cap":
        cap[:] = 0.0
    elif kind == "extreme":
        cap = 10.0 ** rng.uniform(-300, 300, n)
        sal = np.where(rng.random((n, d)) < 0.5, 10.0 ** rng.uniform(-300, 0, (n, d)), sal)
        u = np.where(rng.random((n, d)) < 0.3, 5e-324, u)
    problem = BargainingProblem(
        capability=cap,
        position=lo + u * (hi - lo),
        salience=sal,
        bounds=np.tile([lo, hi], (d, 1)),
        status_quo=np.full(d, (lo + hi) / 2),
    )
    return problem, kind


def smp_params(rng: np.random.Generator) -> dict[str, Any]:
    return {
        "risk_range": str(rng.choice(["mid", "min", "max"])),
        "risk_adjust": str(rng.choice(["one_third", "none", "half", "two_thirds", "full"])),
        "intervec": str(rng.choice(["s2p2", "s1p1"])),
        "max_steps": int(rng.choice([1, 2, 3, 10, 100, 400])),
        "stop_tolerance": float(rng.choice([0.0, 1e-6, 0.02, 0.5])),
        "position_tolerance": float(rng.choice([0.0, 1e-3, 0.05, 0.3])),
    }


def smp_case(rng: np.random.Generator, n: int, d: int) -> None:
    problem, kind = smp_problem(rng, n, d)
    params = smp_params(rng)
    calls: list[bool] = []
    real = smp_native.small_run

    def spy(*args: Any, **kwargs: Any) -> Any:
        out = real(*args, **kwargs)
        calls.append(out is not None)
        return out

    smp_native.small_run = spy  # type: ignore[assignment]
    try:
        c = run_smp(problem, **params)
    finally:
        smp_native.small_run = real  # type: ignore[assignment]
    assert calls == [True], f"smp {n}x{d} {kind}: the kernel did not run"
    smp_native.USE_NATIVE = False
    try:
        py = run_smp(problem, **params)
    finally:
        smp_native.USE_NATIVE = True
    same(c, py, f"smp {n}x{d} {kind} {params}")
    SHAPES["smp"][n, d] += 1


def smp_direct(rng: np.random.Generator, n: int, d: int, max_steps: int) -> None:
    """small_run itself (max_steps 0 included, which run_smp refuses) against smp._small_loop."""
    x = rng.uniform(0, 1, (n, d))
    sal = rng.uniform(0, 1, (n, d))
    sal[rng.integers(0, n)] = 0.0
    cap = rng.uniform(0, 10, n)
    den = (sal * sal).sum(-1)
    opt = Options()
    args = (x, sal, cap, den, opt, max_steps, 0.0, 0.0)
    c = smp_native.small_run(*args)
    assert c is not None
    py = smp_mod._small_loop(*args)
    for key in c._fields:
        a, b = np.asarray(getattr(c, key)), np.asarray(getattr(py, key))
        assert a.shape == b.shape and np.array_equal(a, b, equal_nan=True), f"small_run {n}x{d} {key}"
    SHAPES["smp"][n, d] += 1


def fuzz_smp(rng: np.random.Generator, count: int) -> int:
    runs = 0
    fixed = [(1, 1), (1, 3), (2, 1), (2, 2), (3, 2), (SMALL_MAX_ACTORS, 1), (SMALL_MAX_ACTORS, 5)]
    for n, d in fixed:
        for _ in range(3):
            smp_case(rng, n, d)
            runs += 1
    for n, d in [(1, 1), (2, 2), (5, 9), (SMALL_MAX_ACTORS, 2), (3, 20)]:
        for steps in (0, 1, 50):
            smp_direct(rng, n, d, steps)
            runs += 1
    for _ in range(count):
        n = int(rng.integers(1, SMALL_MAX_ACTORS + 1))
        d = int(rng.choice([1, 2, 3, 4, 7, 8, 9, 12]))
        smp_case(rng, n, d)
        runs += 1
    return runs


# ----------------------------------------------------------------------------------------- exchange


def exchange_problem(rng: np.random.Generator, a: int, d: int) -> tuple[BargainingProblem, str]:
    """A decide-style problem with one of the edge variants."""
    p = decide_style_problem(rng, a, d)
    kind = str(
        rng.choice(
            ["plain", "equal", "bounds", "zero_sal", "zero_pow", "absent", "extreme", "batch", "sparse"]
        )
    )
    pos, sal, cap = p.position.copy(), p.salience.copy(), np.asarray(p.capability, dtype=float).copy()
    power = None if p.issue_power is None else p.issue_power.copy()
    present = None if p.present is None else p.present.copy()
    if kind == "equal":
        pos[:] = rng.choice([0.0, 50.0, 100.0])
    elif kind == "bounds":
        pos = rng.choice([0.0, 100.0], size=(a, d))
    elif kind == "zero_sal":
        sal[rng.integers(0, a)] = 0.0
        sal[rng.random((a, d)) < 0.2] = 0.0
    elif kind == "zero_pow":
        cap[rng.integers(0, a)] = 0.0
        if power is not None:
            power[rng.random((a, d)) < 0.2] = 0.0
    elif kind == "absent":
        present = rng.random((a, d)) >= 0.4
    elif kind == "sparse":  # almost no one present: issues with 0 or 1 actors
        present = rng.random((a, d)) >= 0.85
    elif kind == "extreme":
        cap = 10.0 ** rng.uniform(-150, 150, a)
        sal = np.where(rng.random((a, d)) < 0.5, 10.0 ** rng.uniform(-300, 0, (a, d)), sal)
        power = None
    if present is not None:
        pos = np.where(present, pos, 50.0)
    problem = BargainingProblem(
        capability=cap,
        position=pos,
        salience=sal,
        bounds=p.bounds,
        status_quo=p.status_quo,
        present=present,
        issue_power=power,
    )
    if kind == "batch":
        k = int(rng.integers(2, 4))
        problem = BargainingProblem(
            capability=np.stack([cap] * k),
            position=np.stack([np.clip(pos + rng.normal(0, 5, pos.shape), 0, 100) for _ in range(k)]),
            salience=np.stack([sal] * k),
            bounds=p.bounds,
            status_quo=p.status_quo,
            present=present,
            issue_power=power,
        )
    return problem, kind


#: problems on which C and Python disagree on whether the run fails (described, with both outcomes)
DIVERGENT: list[str] = []


def ex_run(problem: BargainingProblem, native: bool, **kw: Any) -> Any:
    exchange_native.ENABLED = native
    try:
        return EXCHANGE.run(problem, **kw)
    except (ArithmeticError, ValueError) as err:  # compared as an outcome: both must fail alike
        return err
    finally:
        exchange_native.ENABLED = True


def ex_same(c: Any, py: Any, what: str) -> None:
    """Identical runs, or the same exception type on both paths (else recorded in DIVERGENT)."""
    if isinstance(c, Exception) or isinstance(py, Exception):
        if type(c) is not type(py):
            DIVERGENT.append(f"{what}: C {type(c).__name__}, Python {type(py).__name__}: {py}")
        return
    same(c, py, what)


def exchange_case(rng: np.random.Generator, a: int, d: int, exact_too: bool) -> None:
    problem, kind = exchange_problem(rng, a, d)
    rounds = int(rng.choice([0, 1, 2, 5, 10, 40]))
    tol = float(rng.choice([0.0, 1e-9, 1e-3]))
    kw: dict[str, Any] = {"arithmetic": "float", "engine": "scalar", "tie_tolerance": tol, "rounds": rounds}
    ex_same(ex_run(problem, True, **kw), ex_run(problem, False, **kw), f"exchange float {a}x{d} {kind} {kw}")
    if kind != "batch" or a * d <= 40:
        kw = {"arithmetic": "fast", "rounds": min(rounds, 6)}
        fast = ex_run(problem, True, **kw)
        ex_same(fast, ex_run(problem, False, **kw), f"exchange fast {a}x{d} {kind} {kw}")
        if exact_too and not isinstance(fast, Exception):
            exact_py = ex_run(problem, False, arithmetic="exact", rounds=kw["rounds"])
            ex_same(fast, exact_py, "fast vs exact")
            # the exact engine in C (exchange_exact.c with rp_dec.h's decimals)
            ex_same(
                ex_run(problem, True, arithmetic="exact", rounds=kw["rounds"]), exact_py, "exact C vs Python"
            )
    SHAPES["exchange"][a, d] += 1


def largest_actors(d: int) -> int:
    """The most actors the wrapper hands to the kernel with ``d`` issues."""
    a = 2
    while exchange_native._fits(a + 1, d):
        a += 1
    return a


def exchange_max(rng: np.random.Generator, d: int, rounds: int) -> float:
    """The largest problem the kernel accepts with d issues, in C only; returns the seconds it took."""
    a = largest_actors(d)
    p = decide_style_problem(rng, a, d)
    pres = np.ones((a, d), dtype=bool) if p.present is None else p.present
    x = np.where(pres, p.position, 0.0)
    s = np.where(pres, p.salience, 0.0)
    c = np.where(pres, np.asarray(p.power), 0.0)
    t0 = time.perf_counter()
    out = exchange_native.float_run(x, s, c, pres, pres & (s > 0) & (c > 0), rounds, 1e-10, 0.4, 0.1, 0.0)
    assert out is not None, f"{a}x{d} refused"
    assert not exchange_native._fits(a + 1, d)
    SHAPES["exchange"][a, d] += 1
    return time.perf_counter() - t0


def exact_max(rng: np.random.Generator, d: int, rounds: int) -> float:
    """The largest problem the exact kernel accepts with d issues under a 16 MiB bound (its allocations at
    the limit, at a size that runs in seconds under ASan), in C only, first with that bound (the records
    may not fit: the run is then left to Python) and then with room for them; returns the seconds."""
    saved = exchange_native.MAX_WORK_BYTES
    t0 = time.perf_counter()
    try:
        exchange_native.MAX_WORK_BYTES = 16 * 2**20
        a = 2
        while exchange_native._fits_exact(a + 1, d):
            a += 1
        seed = int(rng.integers(2**32))
        _exact_at_limit(np.random.default_rng(seed), a, d, rounds)
        exchange_native.MAX_WORK_BYTES = saved
        _exact_at_limit(np.random.default_rng(seed), a, d, rounds)
    finally:
        exchange_native.MAX_WORK_BYTES = saved
    return time.perf_counter() - t0


def _exact_at_limit(rng: np.random.Generator, a: int, d: int, rounds: int) -> None:
    p = decide_style_problem(rng, a, d)
    pres = np.ones((a, d), dtype=bool) if p.present is None else p.present
    power = np.broadcast_to(np.asarray(p.power, dtype=float), (a, d))  # the problem's (A, D) power
    elig = pres & (p.salience > 0) & (power > 0)
    out = exchange_native.exact_run(
        p.position, p.salience, power, p.bounds, pres, elig, rounds, 1e-10, 0.4, 0.1
    )
    # None is allowed: the records a round needs may pass what the bound leaves (the member then runs
    # in Python); what is checked here is that the kernel's allocations at the limit are sound
    bound = exchange_native.MAX_WORK_BYTES >> 20
    print(f"  exact kernel {a}x{d} ({bound} MiB): {'ran' if out is not None else 'left the run to Python'}")
    SHAPES["exchange"][a, d] += 1


#: (issues, rounds) of the largest problems run in C only; --big adds 40 issues (45 actors: ~9 min under ASan)
LIMIT_SIZES = [(2, 1), (3, 1), (13, 1)]


def fuzz_exchange(rng: np.random.Generator, count: int) -> int:
    runs = 0
    exchange_mod.NATIVE_FROM = 0  # fast mode: the kernel on every size, as the tests do
    exchange_mod.EXACT_KERNEL_BELOW = 0  # (not the exact engine in C, which exact mode runs)
    real_cap = exchange_native._capacity
    for a, d in [(1, 1), (1, 2), (2, 1), (2, 2), (3, 2), (2, 3)]:
        for _ in range(4):
            exchange_case(rng, a, d, exact_too=True)
            runs += 1
    # a one-row exchange buffer: every run that realises more is made again with room
    exchange_native._capacity = lambda rounds, a, d: 1  # type: ignore[assignment]
    try:
        for _ in range(max(4, count // 10)):
            exchange_case(rng, int(rng.integers(2, 9)), int(rng.integers(2, 6)), exact_too=False)
            runs += 1
    finally:
        exchange_native._capacity = real_cap  # type: ignore[assignment]
    for _ in range(count):
        a, d = int(rng.integers(1, 16)), int(rng.integers(1, 14))
        exchange_case(rng, a, d, exact_too=a * d <= 20)
        runs += 1
    for d, rounds in LIMIT_SIZES:
        sec = exchange_max(rng, d, rounds)
        print(f"  exchange at the size limit: {largest_actors(d)} actors x {d} issues, {sec:.1f} s")
        runs += 1
    for d in (2, 13):
        sec = exact_max(rng, d, 2)
        print(f"  exact exchange at its size limit under 16 MiB, {d} issues: {sec:.1f} s")
        runs += 1
    return runs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--count", type=int, default=200, help="random problems per kernel (plus fixed edge cases)"
    )
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--only", choices=["smp", "exchange"], default=None)
    ap.add_argument("--big", action="store_true", help="also the size limit with 40 issues (slow)")
    args = ap.parse_args()
    if args.big:
        LIMIT_SIZES.append((40, 1))
    if not available():
        print(f"kernels_fuzz: the compiled kernels are {status()}", file=sys.stderr)
        return 1
    rng = np.random.default_rng(args.seed)
    for name, fuzz in (("smp", fuzz_smp), ("exchange", fuzz_exchange)):
        if args.only not in (None, name):
            continue
        t0 = time.perf_counter()
        runs = fuzz(rng, args.count)
        shapes = SHAPES[name]
        actors = sorted({k[0] for k in shapes})
        issues = sorted({k[1] for k in shapes})
        print(
            f"kernels_fuzz: {name}: {runs} problems, C equals Python, {len(shapes)} shapes "
            f"(actors {actors[0]}-{actors[-1]}, issues {issues[0]}-{issues[-1]}), "
            f"{time.perf_counter() - t0:.0f} s"
        )
    for line in DIVERGENT:
        print("kernels_fuzz: C and Python differ in failing:", line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
