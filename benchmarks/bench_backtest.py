"""Backtest benchmark: a generated long table of synthetic cases scored by every model (seeded).

The table has ``--cases`` cases (default 1,000) of ``--actors`` actors (default 10) on one issue each,
bounds 0-100, random positions, saliences, capabilities and status quo, and an outcome drawn near the
capability×salience-weighted mean. The numbers mean nothing: they only give the models work of the size
of a large coded data set. Half the cases are dated clean (recorded before their decision), half leaky.

1. Wall time of ``backtest(table, models="all", executor="processes", workers=2)`` (target: < 10 s on
   2 cores), beside the serial executor, both including reading the table.
2. Identity: the JSON of the processes run equals the serial run's.

    .venv/bin/python benchmarks/bench_backtest.py [--cases N] [--actors A] [--quick]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from realpolitik.backtest import backtest, write_long_table

SEED = 20240601


def write_table(path: Path, cases: int = 1_000, actors: int = 10, seed: int = SEED) -> Path:
    """A synthetic long table (CSV) of ``cases`` one-issue cases with ``actors`` actors each."""
    rng = np.random.default_rng(seed)

    def table_rows() -> Iterator[dict[str, Any]]:
        for k in range(cases):
            pos = rng.uniform(0, 100, actors).round(1)
            sal = rng.uniform(0.1, 1.0, actors).round(2)
            cap = rng.uniform(0.1, 1.0, actors).round(3)
            sq = round(float(rng.uniform(0, 100)), 1)
            centre = float((cap * sal * pos).sum() / (cap * sal).sum())
            outcome = round(float(np.clip(centre + rng.normal(0, 15), 0, 100)), 1)
            recorded = "1999-06" if k % 2 == 0 else "2001"
            for i in range(actors):
                yield {
                    "case": f"case{k:05d}",
                    "issue": "issue",
                    "actor": f"A{i}",
                    "position": pos[i],
                    "salience": sal[i],
                    "capability": cap[i],
                    "lower": 0,
                    "upper": 100,
                    "status_quo": sq,
                    "outcome": outcome,
                    "decided": "2000-01-01",
                    "recorded": recorded,
                }

    return write_long_table(path, table_rows())


def rows(cases: int = 1_000, actors: int = 10, repeats: int = 3) -> list[dict[str, Any]]:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        table = write_table(Path(tmp) / "cases.csv", cases, actors)
        runs: dict[str, Any] = {}
        for executor in ("processes", "serial"):
            best = np.inf
            for _ in range(repeats if executor == "processes" else 1):
                t0 = time.perf_counter()
                b = backtest([table], models="all", executor=executor, workers=2)
                best = min(best, time.perf_counter() - t0)
            runs[executor] = b
            s = b.summary()
            out.append(
                {
                    "run": f"{cases} cases x {actors} actors, all models, {executor}"
                    + (" (2 workers, best of 3)" if executor == "processes" else ""),
                    "seconds": round(best, 2),
                    "target": "< 10 s" if executor == "processes" else "",
                    "clean mean error compromise %": round(
                        100 * (s["clean"]["compromise"].mean_error or 0), 1
                    ),
                }
            )
        same = json.dumps(runs["processes"].to_json()) == json.dumps(runs["serial"].to_json())
        out.append(
            {
                "run": "processes == serial (JSON)",
                "seconds": None,
                "target": "True",
                "clean mean error compromise %": same,
            }
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=1_000)
    ap.add_argument("--actors", type=int, default=10)
    ap.add_argument("--quick", action="store_true", help="200 cases, one timing")
    a = ap.parse_args()
    cases = 200 if a.quick else a.cases
    for r in rows(cases, a.actors, repeats=1 if a.quick else 3):
        print(r)


if __name__ == "__main__":
    main()
