"""Benchmark of reading large and hostile scenario files (``python benchmarks/bench_input.py``).

- ``json metadata 50 MB``: a two-actor scenario carrying 50 MB of free-form metadata. Before JSON was
  read by the JSON parser this took 118 s and 4.2 GB. Target: under 15 s.
- ``json 20,000 actors``: 20,000 actors × 8 issues (about 11 MB). Target: under 60 s.
- ``yaml 2,000 actors``: 2,000 actors × 4 issues in YAML (about 1.5 MB). Target: under 30 s.
- ``alias bomb``: 848 bytes of nested YAML aliases (billions of values once expanded). It pinned a core
  in every command; now it is refused. Target: under 0.1 s.

Times are the best of ``repeat`` runs of :func:`realpolitik.load` (validation included); peak memory is
traced with :mod:`tracemalloc` on a separate run.
"""

from __future__ import annotations

import json
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import yaml

import realpolitik as rp
from realpolitik.scenario import ScenarioError


def scenario(n_actors: int, n_issues: int, seed: int = 0) -> dict[str, Any]:
    import numpy as np

    rng = np.random.default_rng(seed)
    return {
        "id": "big",
        "title": "A large generated case",
        "actors": [
            {"id": f"a{i}", "name": f"Actor {i}", "capability": round(float(rng.uniform(0.1, 1)), 3)}
            for i in range(n_actors)
        ],
        "issues": [{"id": f"d{j}", "name": f"Issue {j}", "status_quo": 50} for j in range(n_issues)],
        "positions": {
            f"a{i}": {
                f"d{j}": {"position": round(float(rng.uniform(0, 100)), 1), "salience": 0.5}
                for j in range(n_issues)
            }
            for i in range(n_actors)
        },
    }


def bomb() -> str:
    lines = ["metadata:", "  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        lines.append(f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]")
    return yaml.safe_dump(scenario(2, 1), sort_keys=False) + "\n".join(lines) + "\n"


def _load(path: Path) -> None:
    try:
        rp.load(path)
    except ScenarioError:
        pass  # the alias bomb: refused is the expected outcome


def _measure(path: Path, repeat: int) -> tuple[float, float]:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        _load(path)
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    _load(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, peak / 2**20


def rows(repeat: int = 2) -> list[dict[str, Any]]:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        meta = scenario(2, 1)
        meta["metadata"] = {"blob": [{"k": i, "v": "x" * 40, "n": [1.5, 2.5, 3.5]} for i in range(600_000)]}
        cases = [
            ("json metadata 50 MB", d / "meta.json", json.dumps(meta), 15.0),
            ("json 20,000 actors", d / "actors.json", json.dumps(scenario(20_000, 8), indent=1), 60.0),
            (
                "yaml 2,000 actors",
                d / "actors.yaml",
                yaml.safe_dump(scenario(2_000, 4), sort_keys=False),
                30.0,
            ),
            ("alias bomb", d / "bomb.yaml", bomb(), 0.1),
        ]
        for name, path, text, target in cases:
            path.write_text(text, encoding="utf-8")
            seconds, peak_mb = _measure(path, repeat)
            out.append(
                {
                    "case": name,
                    "file MB": round(path.stat().st_size / 1e6, 2),
                    "seconds": seconds,
                    "peak MB": peak_mb,
                    "target s": target,
                    "ok": "yes" if seconds <= target else "no",
                }
            )
    return out


def main() -> None:
    for r in rows():
        print(r)


if __name__ == "__main__":
    main()
