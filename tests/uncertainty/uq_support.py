"""Test support: a small scenario, and a failure-injecting model importable by name in spawned workers.

``uq_faulty`` is the compromise model, except that, driven by environment variables (inherited by
process-pool workers), it fails on batches where actor 0's capability exceeds a value:
``UQ_FAIL_ABOVE`` raises, ``UQ_DIE_ABOVE`` kills the worker process, and ``UQ_FLAKY_DIR`` makes the
first call in that directory fail once (a transient failure).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from realpolitik.models import BargainingProblem, ModelInfo, Trajectory, register, registry
from realpolitik.scenario.schema import Scenario


def _run(problem: BargainingProblem, *, rng: np.random.Generator | None = None, **params: Any) -> Trajectory:
    cap0 = float(np.max(problem.capability[..., 0]))
    if "UQ_FAIL_ABOVE" in os.environ and cap0 > float(os.environ["UQ_FAIL_ABOVE"]):
        raise ValueError("injected failure")
    if "UQ_DIE_ABOVE" in os.environ and cap0 > float(os.environ["UQ_DIE_ABOVE"]):
        os._exit(3)
    flaky = os.environ.get("UQ_FLAKY_DIR")
    if flaky:
        marker = Path(flaky) / "failed-once"
        try:
            marker.touch(exist_ok=False)
        except FileExistsError:
            pass
        else:
            raise RuntimeError("injected transient failure")
    w = problem.power * problem.salience
    outcome = (w * problem.position).sum(axis=-2) / w.sum(axis=-2)
    return Trajectory(positions=problem.position[..., None, :, :], outcome=outcome, rounds=0)


INFO = registry().get("uq_faulty") or register(
    ModelInfo(name="uq_faulty", title="compromise with injected failures (tests only)", run=_run)
)


def small_data(**uncertainty: Any) -> dict[str, Any]:
    """Four actors, two issues; explicit ranges on a few numbers, defaults on the rest."""
    return {
        "id": "uq-small",
        "title": "Small test case",
        "actors": [
            {"id": "A", "name": "A", "capability": {"value": 0.4, "range": [0.3, 0.6]}},
            {"id": "B", "name": "B", "capability": 0.3},
            {"id": "C", "name": "C", "capability": 0.2},
            {"id": "D", "name": "D", "capability": 0.1},
        ],
        "issues": [
            {
                "id": "tax",
                "name": "Tax rate",
                "bounds": [0, 100],
                "status_quo": {"value": 40, "range": [30, 50]},
            },
            {"id": "aid", "name": "Aid", "bounds": [0, 10], "status_quo": 5},
        ],
        "positions": {
            "A": {
                "tax": {"position": {"value": 20, "range": [10, 35]}, "salience": 0.8},
                "aid": {"position": 2, "salience": {"value": 0.5, "range": [0.2, 0.9]}},
            },
            "B": {"tax": {"position": 80, "salience": 0.6}, "aid": {"position": 8, "salience": 0.4}},
            "C": {"tax": {"position": 50, "salience": 0.5}, "aid": {"position": 5, "salience": 0.9}},
            "D": {"tax": {"position": 100, "salience": 0.9}},
        },
        "uncertainty": uncertainty or {"distribution": "triangular"},
    }


def small(**uncertainty: Any) -> Scenario:
    return Scenario.model_validate(small_data(**uncertainty))
