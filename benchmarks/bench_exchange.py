"""Benchmark of the exchange model: seconds per run (exact; fast, which gives the exact run; float64 with
and without ``tie_tolerance=1e-9``) and batched runs per second (float).

Run ``python benchmarks/bench_exchange.py``; ``rows()`` returns the table for a combined runner. The
Copenhagen input is read from ``shared/`` beside the checkout (its row is skipped with a message when
that folder is absent); the ratio column compares with the reference program's recorded in-process
model time.
"""

from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from realpolitik.models import BargainingProblem, get_model
from realpolitik.scenario.decide_format import decide_to_problem, parse_decide

REPO = Path(__file__).resolve().parents[1]
BATCH = 64


def _shared() -> Path | None:
    d = REPO.parent / "shared"
    return d if (d / "reference").is_dir() else None


def _reference_model_seconds(exp: dict[str, Any]) -> float | None:
    m = re.search(r"model only, in-process: ([0-9.]+) s", exp.get("runtime_note", ""))
    return float(m.group(1)) if m else None


def _best(fn: Any, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _cases() -> list[tuple[str, BargainingProblem, float | None]]:
    shared = _shared()
    out: list[tuple[str, BargainingProblem, float | None]] = []
    if shared is None:
        print("bench_exchange: ../shared/ not found; skipping the reference cases", file=sys.stderr)
        return out
    for case in ("two_by_two", "copenhagen"):
        base = shared / "reference" / "exchange" / case
        p = decide_to_problem(parse_decide((base / "input.csv").read_text(), f"{case}.csv"))
        exp = json.loads((base / "expected.json").read_text())
        out.append((case, p, _reference_model_seconds(exp)))
    return out


def rows(repeats: int = 3) -> list[dict[str, Any]]:
    """One row per (case, mode): seconds per run, runs/s in a batch (fast), ratio to the reference."""
    model = get_model("exchange")
    result: list[dict[str, Any]] = []
    rng = np.random.default_rng(0)
    for case, p, ref in _cases():
        size = f"{p.n_actors}x{p.n_issues}, 10 rounds"
        for mode in ("exact", "fast", "float", "float-tie"):
            kw: dict[str, Any] = {"arithmetic": "float", "tie_tolerance": 1e-9} if mode == "float-tie" else {}
            kw.setdefault("arithmetic", mode)
            sec = _best(lambda p=p, kw=kw: model.run(p, **kw), repeats)
            row: dict[str, Any] = {
                "model": "exchange",
                "case": case,
                "mode": mode,
                "size": size,
                "seconds_per_run": sec,
                "batch_runs_per_s": None,
                "reference_seconds": ref,
                "speedup_vs_reference": (ref / sec) if ref else None,
            }
            if mode == "float":
                batch = p.stack([p] * (BATCH - 1))
                noise = rng.normal(0.0, 2.0, batch.position.shape)
                batch = replace(batch, position=np.clip(batch.position + noise, 0.0, 100.0))
                bsec = _best(lambda b=batch: model.run(b, arithmetic="float"), 1)
                row["batch_runs_per_s"] = BATCH / bsec
            result.append(row)
    return result


def main() -> None:
    table = rows()
    head = f"{'model':9} {'case':11} {'mode':9} {'size':22} {'s/run':>9} {'runs/s (batch)':>15} {'vs ref':>8}"
    print(head)
    print("-" * len(head))
    for r in table:
        batch = f"{r['batch_runs_per_s']:.1f}" if r["batch_runs_per_s"] else "-"
        ratio = f"{r['speedup_vs_reference']:.1f}x" if r["speedup_vs_reference"] else "-"
        print(
            f"{r['model']:9} {r['case']:11} {r['mode']:9} {r['size']:22} {r['seconds_per_run']:9.4f} "
            f"{batch:>15} {ratio:>8}"
        )


if __name__ == "__main__":
    main()
