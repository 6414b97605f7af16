"""Forecasts: run a registered model on a scenario and package the result with ids."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from realpolitik._rng import SeedLike, as_generator
from realpolitik.environment.resolve import resolve
from realpolitik.models.errors import ModelInputError
from realpolitik.models.problem import BargainingProblem, Trajectory
from realpolitik.models.registry import ModelInfo, get_model
from realpolitik.scenario.schema import Scenario


@dataclass
class Forecast:
    """One model's forecast for one scenario."""

    scenario: str
    model: str
    actors: tuple[str, ...]
    issues: tuple[str, ...]
    outcome: dict[str, float]
    trajectory: np.ndarray  # (R + 1, A, D)
    rounds: int
    extras: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None

    @property
    def final_positions(self) -> dict[str, dict[str, float]]:
        last = self.trajectory[-1]
        return {
            a: {d: float(last[i, j]) for j, d in enumerate(self.issues)} for i, a in enumerate(self.actors)
        }

    def to_json(self) -> dict[str, Any]:
        """The documented JSON form (docs/cli.md)."""
        return {
            "scenario": self.scenario,
            "model": self.model,
            "params": _jsonable(self.params),
            "seed": self.seed,
            "issues": list(self.issues),
            "actors": list(self.actors),
            "outcome": {d: float(v) for d, v in self.outcome.items()},
            "final_positions": self.final_positions,
            "rounds": int(self.rounds),
            "trajectory": [
                {
                    a: {d: float(state[i, j]) for j, d in enumerate(self.issues)}
                    for i, a in enumerate(self.actors)
                }
                for state in self.trajectory
            ],
            "extras": _jsonable(self.extras),
        }


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, float) and obj != obj:
        return None
    return obj


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


def run_problem(
    problem: BargainingProblem, model: str, *, seed: SeedLike = None, **params: Any
) -> Trajectory:
    """Run a registered model on a problem (batched or not)."""
    info = get_model(model)
    info.check_params(params)
    return info.run(problem, rng=as_generator(seed if seed is not None else 0), **params)


def forecast_problem(
    problem: BargainingProblem, scenario_id: str, model: str, *, seed: int | None = None, **params: Any
) -> Forecast:
    """A Forecast from an unbatched problem."""
    info = get_model(model)
    merged = info.check_params(params)
    check_inputs(info, problem, scenario_id)
    traj = info.run(problem, rng=as_generator(seed if seed is not None else 0), **params)
    extras = info.extras_to_json(traj.extras, problem) if info.extras_to_json else _jsonable(traj.extras)
    positions = np.asarray(traj.positions)
    return Forecast(
        scenario=scenario_id,
        model=model,
        actors=problem.actors,
        issues=problem.issues,
        outcome={d: float(v) for d, v in zip(problem.issues, np.asarray(traj.outcome), strict=True)},
        trajectory=positions,
        rounds=int(np.asarray(traj.rounds)),
        extras=extras,
        params=merged,
        seed=seed,
    )


def forecast(
    scenario: Scenario, model: str = "compromise", *, seed: int | None = None, **params: Any
) -> Forecast:
    """Forecast every issue of ``scenario`` with a registered model (after links are resolved)."""
    problem = scenario_problem(scenario)
    return forecast_problem(problem, scenario.id, model, seed=seed, **params)


def scenario_problem(scenario: Scenario) -> BargainingProblem:
    """The problem the models see: the scenario's numbers with its environment links applied."""
    return resolve(scenario).problem
