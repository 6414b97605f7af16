"""Running a registered model on a problem: the model boundary shared by every caller.

:func:`check_inputs` refuses what no model can forecast before a run, and :func:`checked_run` is the one
way a model is run on a problem (forecasts, sweeps, Monte Carlo chunks), checking that what comes back
is a finite number wherever an outcome is defined.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from realpolitik._rng import SeedLike, as_generator
from realpolitik.limits import LimitError, check_actors
from realpolitik.models.errors import ModelInputError, ModelOutputError, ModelTooLargeError
from realpolitik.models.problem import BargainingProblem, Trajectory
from realpolitik.models.registry import ModelInfo, get_model


def unweighted_issues(problem: BargainingProblem) -> np.ndarray:
    """``(..., D)`` True where no actor taking part has both power and salience above 0.

    Every model weighs positions by power and salience; with no weight on an issue each model would fall
    back to a different arbitrary number (a plain mean, the status quo, 0), so there is no forecast.
    """
    w = np.nan_to_num(problem.power * problem.salience, nan=0.0)
    if problem.present is not None:
        w = np.where(problem.present, w, 0.0)
    return np.asarray(~(w > 0).any(axis=-2))


def check_inputs(info: ModelInfo, problem: BargainingProblem, scenario_id: str) -> None:
    """Raise ModelInputError when the problem lacks data the model needs (or is over its size limit)."""
    try:
        check_actors(info.name, problem.n_actors, scenario_id)
    except LimitError as exc:
        raise ModelTooLargeError(str(exc)) from None
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


def check_weighted(info: ModelInfo, problem: BargainingProblem, scenario_id: str) -> None:
    """Raise ModelInputError when, on some issue, no actor has both power and salience above 0.

    Only single forecasts refuse: in a Monte Carlo run or a sweep such a draw or point has no outcome
    (NaN), and the others go on.
    """
    empty = [d for d, e in zip(problem.issues, np.atleast_1d(unweighted_issues(problem)), strict=True) if e]
    if empty:
        raise ModelInputError(
            f"{scenario_id}: no actor has both capability (power) and salience above 0 on "
            f"{', '.join(empty)}, so model {info.name!r} has nothing to weigh and no forecast there; give an "
            "actor a capability and a salience above 0 on it, or leave the issue out"
        )


def input_notes(info: ModelInfo, problem: BargainingProblem) -> list[str]:
    """What a model does not use of the problem's data, in words (shown beside its forecast)."""
    notes = []
    if not info.per_issue_power:
        note = problem.power_note()
        if note is not None:
            notes.append(f"{info.name}: {note}")
    return notes


def _inputs_text(problem: BargainingProblem, index: tuple[int, ...], j: int) -> str:
    """The inputs of issue ``j`` of batch member ``index``, for an error message."""
    member = problem.item(index) if index else problem
    pos = member.position[:, j]
    power = member.power[:, j]
    k = int(np.nanargmax(np.abs(power))) if np.isfinite(power).any() else 0
    lo, hi = member.bounds[j]
    return (
        f"bounds [{lo:g}, {hi:g}], positions {np.nanmin(pos):g} to {np.nanmax(pos):g}, "
        f"largest power {power[k]:g} ({member.actors[k]}), saliences {np.nanmin(member.salience[:, j]):g} "
        f"to {np.nanmax(member.salience[:, j]):g}"
    )


def checked_run(
    info: ModelInfo, problem: BargainingProblem, rng: np.random.Generator, params: dict[str, Any]
) -> Trajectory:
    """Run ``info`` on ``problem`` and check its outcome: the model boundary.

    Issues on which no actor has weight (:func:`unweighted_issues`) get NaN (no outcome: in Monte Carlo
    they count as draws without an outcome); any other non-finite outcome raises
    :class:`ModelOutputError` naming the issue and its inputs, never a ``NaN``/``Infinity`` forecast.
    """
    traj = info.run(problem, rng=rng, **params)
    out = np.asarray(traj.outcome, dtype=float)
    empty = np.broadcast_to(unweighted_issues(problem), out.shape)
    if empty.any():
        out = np.where(empty, np.nan, out)
        traj.outcome = out
    bad = ~np.isfinite(out) & ~empty
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        index, j = where[:-1], where[-1]
        member = f" (batch member {index[0] if len(index) == 1 else index})" if index else ""
        raise ModelOutputError(
            f"model {info.name!r} gave a non-finite outcome on issue {problem.issues[j]!r}{member}; its inputs: "
            f"{_inputs_text(problem, index, j)}. Numbers this far apart overflow: rescale the issue's "
            "bounds and positions or the capabilities"
        )
    return traj


def run_problem(
    problem: BargainingProblem, model: str, *, seed: SeedLike = None, **params: Any
) -> Trajectory:
    """Run a registered model on a problem (batched or not)."""
    info = get_model(model)
    info.check_params(params)
    check_actors(info.name, problem.n_actors, "run_problem")
    return checked_run(info, problem, as_generator(seed if seed is not None else 0), params)
