"""Running a registered model on a problem: parameter and input checks shared by every caller."""

from __future__ import annotations

from typing import Any

import numpy as np

from realpolitik._rng import SeedLike, as_generator
from realpolitik.models.problem import BargainingProblem, Trajectory
from realpolitik.models.registry import ModelInfo, get_model


class ModelInputError(ValueError):
    """The scenario lacks data the chosen model needs (one line, naming the model and the data)."""


def check_inputs(info: ModelInfo, problem: BargainingProblem, scenario_id: str) -> None:
    """Raise ModelInputError when the problem lacks data the model needs."""
    if np.isnan(problem.capability).any():
        missing = [a for a, c in zip(problem.actors, problem.capability, strict=True) if np.isnan(c)]
        raise ModelInputError(
            f"{scenario_id}: model {info.name!r} needs a capability for every actor; "
            f"missing for {', '.join(missing)} (set actors[].capability)"
        )
    if "status_quo" in info.requires and np.isnan(problem.status_quo).any():
        missing = [d for d, q in zip(problem.issues, problem.status_quo, strict=True) if np.isnan(q)]
        raise ModelInputError(
            f"{scenario_id}: model {info.name!r} needs a status quo on every issue; "
            f"missing for {', '.join(missing)} (set issues[].status_quo)"
        )


def input_notes(info: ModelInfo, problem: BargainingProblem) -> list[str]:
    """What a model does not use of the problem's data, in words (shown beside its forecast)."""
    notes = []
    if not info.per_issue_power:
        note = problem.power_note()
        if note is not None:
            notes.append(f"{info.name}: {note}")
    return notes


def run_problem(
    problem: BargainingProblem, model: str, *, seed: SeedLike = None, **params: Any
) -> Trajectory:
    """Run a registered model on a problem (batched or not)."""
    info = get_model(model)
    info.check_params(params)
    return info.run(problem, rng=as_generator(seed if seed is not None else 0), **params)
