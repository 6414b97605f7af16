"""From a validated scenario to the arrays the models take."""

from __future__ import annotations

import numpy as np

from realpolitik.models.problem import BargainingProblem
from realpolitik.scenario.schema import Scenario


def to_problem(scenario: Scenario) -> BargainingProblem:
    """The scenario's own numbers as a :class:`BargainingProblem`.

    - capability: the actor's ``capability``; when an actor has none but per-issue ``power`` on its
      stances, the mean of those powers; otherwise NaN (models that need capabilities say so).
    - position / salience: from ``positions``; an actor without a stance on an issue is marked absent
      (``present`` False) with position at the issue's midpoint and salience 0.
    - issue_power: set only when some stance carries its own ``power``; other cells use the capability.
    - status_quo: the issue's ``status_quo``; NaN when the file has none (KTAB and decide formats).
    - acceptable: the stances' acceptable ranges (the issue's bounds where none is given); ``None``
      when no stance has one.
    Links and indicators are not applied here (see :func:`realpolitik.environment.resolve`).
    """
    actors = scenario.actor_ids
    issues = scenario.issues
    a, d = len(actors), len(issues)
    pos = np.empty((a, d))
    sal = np.zeros((a, d))
    present = np.zeros((a, d), dtype=bool)
    power = np.full((a, d), np.nan)
    bounds = np.array([iss.bounds for iss in issues], dtype=float).reshape(d, 2)
    acceptable = np.broadcast_to(bounds, (a, d, 2)).copy()
    has_acceptable = False
    for j, iss in enumerate(issues):
        pos[:, j] = 0.5 * (iss.bounds[0] + iss.bounds[1])
    for i, aid in enumerate(actors):
        row = scenario.positions.get(aid, {})
        for j, iss in enumerate(issues):
            st = row.get(iss.id)
            if st is None:
                continue
            present[i, j] = True
            pos[i, j] = st.position.value
            sal[i, j] = st.salience.value
            if st.power is not None:
                power[i, j] = st.power.value
            if st.acceptable is not None:
                has_acceptable = True
                if st.acceptable.low is not None:
                    acceptable[i, j, 0] = st.acceptable.low.value
                if st.acceptable.high is not None:
                    acceptable[i, j, 1] = st.acceptable.high.value
    cap = np.full(a, np.nan)
    for i, actor in enumerate(scenario.actors):
        if actor.capability is not None:
            cap[i] = actor.capability.value
        elif np.isfinite(power[i]).any():
            cap[i] = float(np.nanmean(power[i]))
    issue_power = None
    if np.isfinite(power).any():
        issue_power = np.where(np.isfinite(power), power, cap[:, None])
    sq = np.array(
        [iss.status_quo.value if iss.status_quo is not None else np.nan for iss in issues], dtype=float
    )
    return BargainingProblem(
        capability=cap,
        position=pos,
        salience=sal,
        bounds=bounds,
        status_quo=sq,
        actors=tuple(actors),
        issues=tuple(scenario.issue_ids),
        present=present,
        issue_power=issue_power,
        acceptable=acceptable if has_acceptable else None,
    )


def to_decide_text(scenario: Scenario) -> str:
    """The scenario in the exchange model's (decide) input format.

    Actors become ``#A`` lines, issues ``#P`` with their bounds as ``#M`` lines, and every stance a
    ``#D`` line with the stance's own ``power`` or else the actor's capability. Actors without a
    capability and without per-issue power cannot be written (decide needs a power on every line).
    """
    from realpolitik.scenario.decide_format import DecideData, DecideRecord, format_decide

    records = []
    for aid in scenario.actor_ids:
        actor = scenario.actor(aid)
        for iss in scenario.issues:
            st = scenario.stance(aid, iss.id)
            if st is None:
                continue
            power = st.power if st.power is not None else actor.capability
            if power is None:
                raise ValueError(
                    f"{scenario.id}: the decide format needs a power for every actor; "
                    f"actor {aid!r} has no capability and no power on issue {iss.id!r}"
                )
            records.append(
                DecideRecord(
                    actor=aid,
                    issue=iss.id,
                    position=repr(float(st.position.value)),
                    salience=repr(float(st.salience.value)),
                    power=repr(float(power.value)),
                    line=0,
                )
            )
    data = DecideData(
        actors=tuple((a.id, a.name, "") for a in scenario.actors),
        issues=tuple((i.id, i.name) for i in scenario.issues),
        bounds={i.id: (float(i.bounds[0]), float(i.bounds[1])) for i in scenario.issues},
        records=tuple(records),
    )
    return format_decide(data)
