"""smp's small single runs: the compiled kernel (``_native/smp.c``) against the Python SmallRun.

    .venv/bin/python benchmarks/smp_native_vs_python.py [--samples 31]

The two take turns in every sample in this one process (so both see the same load on a shared
machine); times are CPU seconds of this thread per run (``time.thread_time``), samples of at least
20 ms, median and minimum. Every case's results are first checked to be identical, every output.
Cases: KTAB's dummyData_3Dim and SOE-Pol-Comp (when ``shared/`` is beside the checkout) and seeded
random problems of 5 x 1 to 39 x 2.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_smp import random_problem, read_ktab_csv  # noqa: E402

from realpolitik import _native  # noqa: E402
from realpolitik.models import smp_native  # noqa: E402
from realpolitik.models.smp import run_smp  # noqa: E402


def _same(a: Any, b: Any) -> bool:
    if not (np.array_equal(a.positions, b.positions) and np.array_equal(a.outcome, b.outcome)):
        return False
    return all(np.array_equal(a.extras[k], b.extras[k]) for k in a.extras) and a.rounds == b.rounds


def _per_run(problem: Any, native: bool) -> float:
    smp_native.USE_NATIVE = native
    try:
        reps, t0 = 0, time.thread_time()
        while True:
            run_smp(problem)
            reps += 1
            el = time.thread_time() - t0
            if el >= 0.02:
                return el / reps
    finally:
        smp_native.USE_NATIVE = True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", type=int, default=31)
    args = ap.parse_args()
    if not _native.available():
        sys.exit(f"compiled kernels {_native.status()}")
    cases = []
    ktab = HERE.parents[1] / "shared" / "reference" / "ktab"
    for name in ("dummyData_3Dim", "SOE-Pol-Comp"):
        if (ktab / name / "input.csv").is_file():
            cases.append((name, read_ktab_csv(ktab / name / "input.csv")))
    for seed, (n, d) in enumerate([(5, 1), (10, 2), (20, 2), (39, 2)]):
        cases.append((f"random {n}x{d}", random_problem(n, d, 3 + seed)))
    print(
        f"load average {os.getloadavg()[0]:.1f}; CPU ms per run, median of {args.samples} samples (min)\n"
        f"{'case':18s} {'A x D':>6s} {'rounds':>6s} {'C':>8s} {'(min)':>8s} {'Python':>8s} {'(min)':>8s} {'ratio':>6s}"
    )
    for name, p in cases:
        smp_native.USE_NATIVE = False
        ref = run_smp(p)
        smp_native.USE_NATIVE = True
        got = run_smp(p)
        if not _same(got, ref):
            sys.exit(f"{name}: the compiled kernel's results differ from the Python code's")
        tc, tp = [], []
        for _ in range(args.samples):
            tc.append(_per_run(p, True))
            tp.append(_per_run(p, False))
        mc, mp = statistics.median(tc), statistics.median(tp)
        print(
            f"{name:18s} {p.n_actors:>3d}x{p.n_issues:<2d} {got.rounds:6d} {mc * 1e3:8.3f} {min(tc) * 1e3:8.3f}"
            f" {mp * 1e3:8.3f} {min(tp) * 1e3:8.3f} {mp / mc:5.1f}x"
        )


if __name__ == "__main__":
    main()
