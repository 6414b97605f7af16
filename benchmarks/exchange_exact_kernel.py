"""The compiled exact engine against the Python exact engine on many random decide-style problems.

    .venv/bin/python benchmarks/exchange_exact_kernel.py               # 2,000 problems, 2-15 actors, 2-13 issues
    .venv/bin/python benchmarks/exchange_exact_kernel.py -n 300 --seed 5 --rounds 6

Exact mode (28-digit decimals) runs in C (``_native/exchange_exact.c`` with ``_native/rp_dec.h``) when
the library is built. Each problem, drawn the way decide input files look (see
``tests/strategies.decide_style_problem``: many exact ties, outcomes landing on positions, actors without
data on an issue), is run by both engines, and every array of the trajectory (positions, voting
positions, outcomes by round, voting outcomes, exchange counts, the sign of zeros) and every realised
exchange (actors, issues, positions, gain) is compared bit for bit. Prints the number of problems,
differences, runs the kernel left to Python, and both engines' times. The in-suite property tests
(``tests/models/test_exchange_exact_native.py``) run smaller versions.
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
from strategies import decide_style_problem

KEYS = ("outcome_by_round", "voting_positions", "voting_outcome_by_round", "n_exchanges")


def identical(a: object, b: object) -> bool:
    ta, tb = a, b
    if not (np.array_equal(ta.positions, tb.positions) and np.array_equal(ta.outcome, tb.outcome)):  # type: ignore[attr-defined]
        return False
    if not np.array_equal(np.signbit(ta.positions), np.signbit(tb.positions)):  # type: ignore[attr-defined]
        return False
    if not all(np.array_equal(ta.extras[k], tb.extras[k]) for k in KEYS):  # type: ignore[attr-defined]
        return False
    return bool(ta.extras["exchanges"] == tb.extras["exchanges"])  # type: ignore[attr-defined]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=2000, help="problems (default 2000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rounds", type=int, default=10)
    args = ap.parse_args()
    if not exchange_native.exact_available():
        sys.exit("the compiled exact engine is not available (realpolitik version says why)")
    left = 0
    real = exchange_mod.exact_run

    def counting(*a: object) -> object:
        nonlocal left
        out = real(*a)  # type: ignore[arg-type]
        left += out is None and exchange_native.EXACT_ENABLED
        return out

    exchange_mod.exact_run = counting  # type: ignore[assignment]
    rng = np.random.default_rng(args.seed)
    differences = 0
    t_c = t_py = 0.0
    for n in range(args.n):
        p = decide_style_problem(rng)
        t0 = time.perf_counter()
        c = run_exchange(p, arithmetic="exact", rounds=args.rounds)
        t1 = time.perf_counter()
        exchange_native.EXACT_ENABLED = False
        try:
            py = run_exchange(p, arithmetic="exact", rounds=args.rounds)
        finally:
            exchange_native.EXACT_ENABLED = True
        t2 = time.perf_counter()
        t_c += t1 - t0
        t_py += t2 - t1
        if not identical(c, py):
            differences += 1
            print(f"difference: problem {n} ({p.n_actors} actors x {p.n_issues} issues)")
    print(
        f"{args.n} problems (seed {args.seed}, {args.rounds} rounds): {differences} differences, "
        f"runs left to Python: {left}; time C {t_c:.2f} s, Python {t_py:.1f} s ({t_py / max(t_c, 1e-9):.0f}x)"
    )


if __name__ == "__main__":
    main()
