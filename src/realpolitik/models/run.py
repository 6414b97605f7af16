"""Running a registered model on a problem: parameter and input checks shared by every caller."""

from __future__ import annotations

from typing import Any

import numpy as np

from realpolitik._rng import SeedLike, as_generator
from realpolitik.models.problem import BargainingProblem, Trajectory
from realpolitik.models.registry import ModelInfo, get_model, registry


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
    if not info.per_issue_power and problem.issue_power is not None:
        try:
            problem.actor_power()
        except ValueError as exc:
            able = [m.name for m in registry().values() if m.per_issue_power]
            names = ", ".join(able[:-1]) + (" or " if len(able) > 1 else "") + able[-1]
            raise ModelInputError(
                f"{scenario_id}: model {info.name!r} weighs each actor once across all issues, but {exc} "
                f"(set by issues[].power or positions[].power); {names} take power per issue"
            ) from None
    if "status_quo" in info.requires and np.isnan(problem.status_quo).any():
        missing = [d for d, q in zip(problem.issues, problem.status_quo, strict=True) if np.isnan(q)]
        raise ModelInputError(
            f"{scenario_id}: model {info.name!r} needs a status quo on every issue; "
            f"missing for {', '.join(missing)} (set issues[].status_quo)"
        )


def run_problem(
    problem: BargainingProblem, model: str, *, seed: SeedLike = None, **params: Any
) -> Trajectory:
    """Run a registered model on a problem (batched or not)."""
    info = get_model(model)
    info.check_params(params)
    return info.run(problem, rng=as_generator(seed if seed is not None else 0), **params)
