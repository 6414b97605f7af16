"""Small synthetic inputs for the backtest tests (the numbers mean nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from realpolitik.backtest import write_long_table


def write_table(path: Path, cases: int = 12, actors: int = 4, issues: int = 1, seed: int = 3) -> Path:
    """A long table of ``cases`` cases; even cases recorded before their decision, odd ones after."""
    rng = np.random.default_rng(seed)

    def rows() -> Iterator[dict[str, Any]]:
        for k in range(cases):
            for d in range(issues):
                sq = round(float(rng.uniform(0, 100)), 1)
                out = round(float(rng.uniform(0, 100)), 1)
                for i in range(actors):
                    yield {
                        "case": f"c{k:03d}",
                        "issue": f"i{d}",
                        "actor": f"A{i}",
                        "position": round(float(rng.uniform(0, 100)), 1),
                        "salience": round(float(rng.uniform(0.1, 1)), 2),
                        "capability": round(0.1 + 0.2 * i, 2),
                        "lower": 0,
                        "upper": 100,
                        "status_quo": sq,
                        "outcome": out,
                        "decided": "2000-01-01",
                        "recorded": "1999-06" if k % 2 == 0 else "2001",
                    }

    return write_long_table(path, rows())


def scenario_dict(**over: Any) -> dict[str, Any]:
    """A two-actor, one-issue historical case decided on 2000-06-01 whose inputs cite dated sources."""
    d: dict[str, Any] = {
        "id": "toy",
        "title": "Toy case",
        "decided": "2000-06-01",
        "sources": {
            "early": {"title": "Coded before", "date": "1999-12"},
            "late": {"title": "Coded after", "date": "2001"},
            "judge": {"title": "Analyst", "kind": "judgment", "recorded": "2000-05-31"},
        },
        "actors": [
            {"id": "A", "name": "A", "capability": {"value": 1.0, "source": "early"}},
            {"id": "B", "name": "B", "capability": {"value": 3.0, "source": "early"}},
        ],
        "issues": [
            {"id": "x", "name": "X", "bounds": [0, 10], "status_quo": {"value": 0, "source": "judge"}}
        ],
        "positions": {
            "A": {
                "x": {
                    "position": {"value": 2, "source": "early"},
                    "salience": {"value": 1.0, "source": "early"},
                }
            },
            "B": {
                "x": {
                    "position": {"value": 8, "source": "judge"},
                    "salience": {"value": 0.5, "source": "judge"},
                }
            },
        },
        "outcome": {"x": {"value": 7, "source": "late"}},
    }
    d.update(over)
    return d
