"""Benchmark of the SMP (KTAB's spatial model of politics) against KTAB's own C++ run times.

Run ``python benchmarks/bench_smp.py`` (``--quick`` for fewer repeats). ``rows()`` returns the table
for a combined runner. KTAB times: the two reference runs record their wall time in expected.json;
for the other sizes we use the lower end of the times measured with KTAB's ``smpc`` on the same kind of
2-core machine (80 x 1: 60-80 s, 60 x 1: 30-45 s, 40 x 1: 6-7 s, 27 x 6: about 3 s). Problems without
data are seeded random "spatial actor" problems, so their step counts (and KTAB's) are indicative.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from realpolitik.models import BargainingProblem
from realpolitik.models.smp import run_smp

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "ktab"

# (label, actors, dims, KTAB seconds, source)
KTAB_CASES: list[tuple[str, int, int, float, str]] = [
    ("dummyData_3Dim", 7, 3, 0.048, "expected.json"),
    ("SOE-Pol-Comp", 13, 2, 0.35, "expected.json"),
    ("random 27x6", 27, 6, 3.0, "KTAB about 3 s"),
    ("random 40x1", 40, 1, 6.0, "KTAB 6-7 s"),
    ("random 60x1", 60, 1, 30.0, "KTAB 30-45 s"),
    ("random 80x1", 80, 1, 60.0, "KTAB 60-80 s"),
]


def read_ktab_csv(path: Path) -> BargainingProblem:
    rows = [[f.strip().strip('"').strip() for f in line.split(",")] for line in path.read_text().splitlines()]
    rows = [r for r in rows if any(r)]
    n, d = int(rows[0][2]), int(rows[0][3])
    body = rows[2 : 2 + n]
    return BargainingProblem(
        capability=np.array([float(r[2]) for r in body]),
        position=np.array([[float(r[3 + 2 * k]) for k in range(d)] for r in body]),
        salience=np.array([[float(r[4 + 2 * k]) for k in range(d)] for r in body]) / 100.0,
        bounds=np.tile([0.0, 100.0], (d, 1)),
        status_quo=np.full(d, 50.0),
        actors=tuple(r[0] for r in body),
    )


def random_problem(n: int, d: int, seed: int) -> BargainingProblem:
    """KTAB-style random spatial actors: positions on 0-100 (2 d.p.), saliences summing to 0.5-1."""
    g = np.random.default_rng(seed)
    sal = g.uniform(0.05, 1.0, (n, d))
    sal = sal / sal.sum(axis=1, keepdims=True) * g.uniform(0.5, 1.0, (n, 1))
    return BargainingProblem(
        capability=g.uniform(10.0, 200.0, n),
        position=np.round(g.uniform(0.0, 100.0, (n, d)), 2),
        salience=np.round(sal, 4),
        bounds=np.tile([0.0, 100.0], (d, 1)),
        status_quo=np.full(d, 50.0),
    )


def _problem(label: str, n: int, d: int, seed: int = 0) -> BargainingProblem:
    csv = DATA / label / "input.csv"
    if csv.is_file():
        return read_ktab_csv(csv)
    return random_problem(n, d, seed)


def _time(fn: Any, repeats: int) -> float:
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return float(best)


def rows(quick: bool = False) -> list[dict[str, Any]]:
    """One dict per benchmark row (model, size, seconds per run, runs/s in batch, ratio to KTAB)."""
    out: list[dict[str, Any]] = []
    reps = 2 if quick else 5
    for label, n, d, ktab_s, src in KTAB_CASES:
        prob = _problem(label, n, d)
        run_smp(prob)  # warm-up
        single = _time(lambda p=prob: run_smp(p), reps if n <= 40 else max(1, reps // 2))
        steps = int(run_smp(prob).rounds)
        n_batch = 64 if n <= 13 else (16 if n <= 40 else 4)
        batch = prob.stack([prob] * (n_batch - 1))
        t_batch = _time(lambda b=batch: run_smp(b), 1 if n > 40 else 2)
        per_run_batch = t_batch / n_batch
        out.append(
            {
                "model": "smp",
                "case": label,
                "actors": n,
                "dims": d,
                "steps": steps,
                "seconds_per_run": single,
                "batch_size": n_batch,
                "runs_per_second_batch": n_batch / t_batch,
                "ktab_seconds": ktab_s,
                "ktab_source": src,
                "ratio_single": ktab_s / single,
                "ratio_batch": ktab_s / per_run_batch,
            }
        )
    # growth with actors (1 dim) and with dimensions (20 actors); big sizes: 10 steps, one run
    for n in (10, 20, 40, 80, 160, 320):
        prob = random_problem(n, 1, 1)
        max_steps = 100 if n <= 80 else 10
        t = _time(lambda p=prob, m=max_steps: run_smp(p, max_steps=m), 1 if n >= 160 else 2)
        steps = int(run_smp(prob, max_steps=max_steps).rounds) if n < 160 else max_steps
        out.append(_growth("actors", n, 1, t, steps))
    for d in range(1, 9):
        prob = random_problem(20, d, 2)
        t = _time(lambda p=prob: run_smp(p), 3)
        out.append(_growth("dims", 20, d, t, int(run_smp(prob).rounds)))
    return out


def _growth(kind: str, n: int, d: int, t: float, steps: int) -> dict[str, Any]:
    return {
        "model": "smp",
        "case": f"growth-{kind}",
        "actors": n,
        "dims": d,
        "steps": steps,
        "seconds_per_run": t,
        "seconds_per_step": t / max(steps, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = ap.parse_args()
    table = rows(quick=args.quick)
    if args.json:
        print(json.dumps(table, indent=1))
        return
    print(
        f"{'case':<16}{'A x D':>8}{'steps':>7}{'s/run':>10}{'runs/s batch':>14}"
        f"{'KTAB s':>8}{'x single':>10}{'x batch':>9}"
    )
    for r in table:
        if "ktab_seconds" in r:
            print(
                f"{r['case']:<16}{r['actors']:>4} x{r['dims']:<2}{r['steps']:>7}{r['seconds_per_run']:>10.4f}"
                f"{r['runs_per_second_batch']:>14.1f}{r['ktab_seconds']:>8.3f}{r['ratio_single']:>10.0f}"
                f"{r['ratio_batch']:>9.0f}"
            )
    print(f"\n{'growth':<16}{'A x D':>8}{'steps':>7}{'s/run':>10}{'s/step':>10}")
    for r in table:
        if "seconds_per_step" in r:
            print(
                f"{r['case']:<16}{r['actors']:>4} x{r['dims']:<2}{r['steps']:>7}{r['seconds_per_run']:>10.4f}"
                f"{r['seconds_per_step']:>10.5f}"
            )


if __name__ == "__main__":
    main()
