"""Benchmark of the expected-utility model (``eum``).

Run ``python benchmarks/bench_eum.py`` (pin it to one core for comparable numbers, e.g.
``OMP_NUM_THREADS=1 taskset -c 0 python benchmarks/bench_eum.py``). It prints:

- the EC car-emission case (10 actors, 1 issue, 8 rounds): seconds per single run, runs per second
  in one batch of 10,000, and the ratio to the second implementation's recorded time for one run
  (``runtime_seconds`` in ``shared/reference/eum/emission_standards/expected.json``: 2.339 s);
- how the time of one run grows with the number of actors (10 to 320, one issue) and of issues
  (1 to 8, 10 actors);
- the flagship japan-russia-2016 (4 actors, 4 issues, 8 rounds) under its uncertainty block: seconds
  per draw in one batch of 10,000 draws against a loop of single runs on the same draws (target of
  the Monte Carlo throughput benchmark: batched at least 50x faster).

``rows()`` returns the same numbers as a list of dicts for a combined benchmark runner.
Random problems are seeded, so every run times the same work.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import realpolitik as rp
from realpolitik.models import BargainingProblem
from realpolitik.models.eum import run_eum
from realpolitik.uncertainty import apply, draw, sampling_spec

REFERENCE_SECONDS = 2.339  # jmckib's one 8-round run of the EC case, as recorded in expected.json
SEED = 20110118

# BDM (1994) / Scholz et al. (2011) Table 1: capability, position (years), salience (0-100)
_EC = [
    (0.08, 4, 80),
    (0.08, 7, 40),
    (0.03, 4, 20),
    (0.16, 4, 80),
    (0.16, 10, 60),
    (0.16, 10, 60),
    (0.16, 10, 90),
    (0.05, 7, 10),
    (0.05, 4, 100),
    (0.08, 7, 70),
]


def _reference_seconds() -> float:
    path = (
        Path(__file__).resolve().parents[1].parent / "shared/reference/eum/emission_standards/expected.json"
    )
    try:
        return float(json.loads(path.read_text())["runtime_seconds"])
    except (OSError, KeyError, ValueError):
        return REFERENCE_SECONDS


def ec_problem(batch: int | None = None) -> BargainingProblem:
    """The EC emission case, optionally repeated ``batch`` times along a leading axis."""
    c = np.array([r[0] for r in _EC])
    x = np.array([r[1] for r in _EC], dtype=float)[:, None]
    s = np.array([r[2] for r in _EC])[:, None] / 100.0
    sq = np.array([7.0])
    if batch is not None:
        c, x, s = np.tile(c, (batch, 1)), np.tile(x, (batch, 1, 1)), np.tile(s, (batch, 1, 1))
        sq = np.tile(sq, (batch, 1))
    return BargainingProblem(
        capability=c, position=x, salience=s, bounds=np.array([[4.0, 10.0]]), status_quo=sq
    )


def random_problem(n_actors: int, n_issues: int, seed: int = SEED) -> BargainingProblem:
    """A seeded random problem on 0-100 scales."""
    rng = np.random.default_rng([seed, n_actors, n_issues])
    return BargainingProblem(
        capability=rng.uniform(0.05, 1.0, n_actors),
        position=np.round(rng.uniform(0, 100, (n_actors, n_issues))),
        salience=rng.uniform(0.1, 1.0, (n_actors, n_issues)),
        bounds=np.tile([0.0, 100.0], (n_issues, 1)),
        status_quo=np.full(n_issues, 50.0),
    )


def _best_of(fn: Callable[[], object], repeats: int, min_time: float = 0.2) -> float:
    """Best wall time of ``fn`` over ``repeats`` timings, each looping until ``min_time`` has passed."""
    best = np.inf
    for _ in range(repeats):
        loops, t0 = 0, time.perf_counter()
        while True:
            fn()
            loops += 1
            elapsed = time.perf_counter() - t0
            if elapsed >= min_time:
                break
        best = min(best, elapsed / loops)
    return float(best)


def flagship_draws(draws: int, seed: int = SEED) -> BargainingProblem:
    """``draws`` problems drawn from japan-russia-2016's uncertainty block, as one batch."""
    spec = sampling_spec(rp.load("japan-russia-2016"))
    return apply(spec, draw(spec, draws, np.random.default_rng(seed)))


def _time_one(problem: BargainingProblem, repeats: int, min_time: float) -> float:
    return _best_of(lambda: run_eum(problem), repeats, min_time)


def rows(batch: int = 10_000, repeats: int = 3) -> list[dict[str, object]]:
    """Benchmark rows: model, case, problem size, seconds per single run, batched runs/second, ratio."""
    ref = _reference_seconds()
    out: list[dict[str, object]] = []
    single = ec_problem()
    per_run = _best_of(lambda: run_eum(single), repeats)
    big = ec_problem(batch)
    t_batch = _best_of(lambda: run_eum(big), repeats, min_time=0.0)
    out.append(
        {
            "model": "eum",
            "case": "EC emissions",
            "actors": 10,
            "issues": 1,
            "rounds": 8,
            "seconds_per_run": per_run,
            "batch": batch,
            "batch_seconds": t_batch,
            "runs_per_second_batched": batch / t_batch,
            "reference_seconds": ref,
            "speedup_single_vs_reference": ref / per_run,
            "speedup_batched_vs_reference": ref / (t_batch / batch),
        }
    )
    for a in (10, 20, 40, 80, 160, 320):
        big_a = a > 80
        t = _time_one(random_problem(a, 1), 1 if big_a else repeats, 0.0 if big_a else 0.2)
        out.append(
            {
                "model": "eum",
                "case": "random, actors",
                "actors": a,
                "issues": 1,
                "rounds": 8,
                "seconds_per_run": t,
            }
        )
    draws = flagship_draws(batch)
    singles = [draws.item(i) for i in range(200)]
    t_flag = _best_of(lambda: run_eum(draws), repeats, min_time=0.0) / batch
    t_single = _best_of(lambda: [run_eum(p) for p in singles], repeats, min_time=0.0) / len(singles)
    out.append(
        {
            "model": "eum",
            "case": "japan-russia-2016 draws",
            "actors": 4,
            "issues": 4,
            "rounds": 8,
            "seconds_per_run": t_single,
            "batch": batch,
            "batch_seconds": t_flag * batch,
            "seconds_per_draw_batched": t_flag,
            "ratio_single_vs_batched": t_single / t_flag,
        }
    )
    for d in (1, 2, 4, 8):
        t = _time_one(random_problem(10, d), repeats, 0.2)
        out.append(
            {
                "model": "eum",
                "case": "random, issues",
                "actors": 10,
                "issues": d,
                "rounds": 8,
                "seconds_per_run": t,
            }
        )
    return out


def _print(table: list[dict[str, object]]) -> None:
    head = table[0]
    print("eum: EC car-emission case (10 actors, 1 issue, 8 rounds)")
    print(f"  seconds per single run        {head['seconds_per_run']:.6f}")
    print(f"  batch of {head['batch']:,}: seconds       {head['batch_seconds']:.3f}")
    print(f"  runs/second batched           {head['runs_per_second_batched']:,.0f}")
    print(f"  reference (jmckib, one run)   {head['reference_seconds']:.3f} s")
    print(f"  ratio reference / single      {head['speedup_single_vs_reference']:,.0f}x")
    print(f"  ratio reference / batched run {head['speedup_batched_vs_reference']:,.0f}x")
    print()
    flag = next(r for r in table if r["case"] == "japan-russia-2016 draws")
    print(f"eum: japan-russia-2016 draws (4 actors, 4 issues, 8 rounds), batch of {flag['batch']:,}")
    print(f"  seconds per single run        {flag['seconds_per_run']:.6f}")
    print(f"  seconds per draw, batched     {flag['seconds_per_draw_batched']:.7f}")
    print(f"  ratio single / batched draw   {flag['ratio_single_vs_batched']:.1f}x (target >= 50x)")
    print()
    print(f"{'model':6} {'case':16} {'actors':>6} {'issues':>6} {'rounds':>6} {'s/run':>10} {'x vs A=10':>9}")
    base: dict[str, float] = {}
    for r in table[1:]:
        if r is flag:
            continue
        case = str(r["case"])
        t = float(r["seconds_per_run"])  # type: ignore[arg-type]
        ratio = t / base.setdefault(case, t)
        print(
            f"{r['model']!s:6} {case:16} {r['actors']!s:>6} {r['issues']!s:>6} {r['rounds']!s:>6} {t:10.5f} {ratio:9.1f}"
        )


if __name__ == "__main__":
    _print(rows())
