"""The exchange model's fast mode against its exact mode on many random decide-style problems.

    .venv/bin/python benchmarks/exchange_agreement.py              # 2,000 problems, 2-15 actors, 2-13 issues
    .venv/bin/python benchmarks/exchange_agreement.py -n 200 --seed 3

Each problem is drawn the way decide input files look (positions on 0-100 in whole numbers or with
one or two decimals, saliences and powers with two or three decimals, some actors without data on an
issue, some on the bounds), run for 10 rounds in both modes, and compared: the realised exchanges
(actors, issues, order) and every number of the trajectory. Exact ties are not excluded: fast mode
settles them in decimal like the exact mode. Prints the number of problems, mismatches, the largest
difference, how often the checked engine handed a whole run to the exact engine, and the time of each
mode. Fast mode runs the compiled kernel's certified rounds (``exchange_native.run_certified``) when
the library is built, else (or with ``--python``) the Python checked engine, here on every size (fast
mode itself leaves problems below ``CHECKED_FROM`` candidate slots to the exact engine, which is as
fast there; likewise ``NATIVE_FROM`` for the kernel). The in-suite property tests (``tests/models/test_exchange_checked.py``,
``tests/models/test_exchange_native.py``) run smaller versions.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from realpolitik.models import exchange as exchange_mod
from realpolitik.models import exchange_native
from realpolitik.models.exchange import run_exchange
from realpolitik.models.exchange_checked import NeedExact
from strategies import decide_style_problem


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=2000, help="problems (default 2000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--python", action="store_true", help="the Python checked engine, not the C kernel")
    args = ap.parse_args()
    if args.python:
        exchange_native.ENABLED = False
    fallbacks = 0
    checked = exchange_mod.run_checked
    certified = exchange_mod.run_certified

    def counting(*a: object, **k: object) -> object:
        nonlocal fallbacks
        try:
            return checked(*a, **k)  # type: ignore[arg-type]
        except NeedExact:
            fallbacks += 1
            raise

    def counting_certified(*a: object, **k: object) -> object:
        nonlocal fallbacks
        try:
            return certified(*a, **k)  # type: ignore[arg-type]
        except NeedExact:
            fallbacks += 1
            raise

    exchange_mod.run_checked = counting  # type: ignore[assignment]
    exchange_mod.run_certified = counting_certified  # type: ignore[assignment]
    engine = "C kernel" if exchange_native.available() else "Python checked engine"
    exchange_mod.CHECKED_FROM = 0  # the checked engine on every size (fast mode hands small ones to exact)
    exchange_mod.NATIVE_FROM = 0  # and the kernel's
    exchange_mod.EXACT_KERNEL_BELOW = 0  # (with the kernels, small problems go to the exact engine in C)
    rng = np.random.default_rng(args.seed)
    mismatches = 0
    worst = 0.0
    t_exact = t_fast = 0.0
    for n in range(args.n):
        p = decide_style_problem(rng)
        t0 = time.perf_counter()
        exchange_native.EXACT_ENABLED = False  # the Python exact engine as the reference
        try:
            ex = run_exchange(p, arithmetic="exact", rounds=args.rounds)
        finally:
            exchange_native.EXACT_ENABLED = True
        t1 = time.perf_counter()
        fa = run_exchange(p, arithmetic="fast", rounds=args.rounds)
        t2 = time.perf_counter()
        t_exact += t1 - t0
        t_fast += t2 - t1
        diff = float(np.max(np.abs(ex.positions - fa.positions), initial=0.0))
        same = [[(e.actor_i, e.actor_j, e.p, e.q) for e in r] for r in ex.extras["exchanges"]] == [
            [(e.actor_i, e.actor_j, e.p, e.q) for e in r] for r in fa.extras["exchanges"]
        ]
        worst = max(worst, diff)
        if diff > 1e-9 or not same:
            mismatches += 1
            print(f"mismatch: problem {n} ({p.n_actors} actors x {p.n_issues} issues), max |diff| {diff:.3g}")
    print(
        f"{args.n} problems (seed {args.seed}, {args.rounds} rounds, fast mode: {engine}): {mismatches} mismatches, "
        f"largest difference {worst:.3g}; runs handed to the exact engine: {fallbacks}; "
        f"time exact {t_exact:.1f} s, fast {t_fast:.1f} s ({t_exact / max(t_fast, 1e-9):.2f}x)"
    )


if __name__ == "__main__":
    main()
