"""Power on each issue from a capability measure (``issues[].power``), on the scale of the capabilities.

Economic clout on an economic issue comes from GDP, not from military capability. An issue with
``power: gdp`` (or ``cinc``, ``milex``, ``population``, any column of the capabilities series) gives
the actors on it power in proportion to that measure, read at the scenario's ``as_of``; other issues
keep each actor's ``capability``. So that power on such an issue stays comparable with power on the
others, the measure only *redistributes* the capability of the actors it covers:

    P_id = m_i / Σ_{k∈V_d} m_k  ×  Σ_{k∈V_d} c_k          for i in V_d

where m is the measure, c the capability the models see (after capability links) and V_d the actors
taking part in issue d that have no power of their own there (a stance's ``power`` takes precedence)
and a value of the measure. An actor on the issue without a value keeps its capability, with a warning.

>>> import numpy as np
>>> shares = np.array([[0.2], [0.8], [np.nan]])      # A = 3 actors, D = 1 issue; the third has no value
>>> measured_power(np.array([0.1, 0.3, 0.5]), shares, np.zeros((3, 1))).ravel().round(2).tolist()
[0.08, 0.32, 0.0]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from realpolitik.environment.derived import Context
from realpolitik.environment.series import SeriesError
from realpolitik.scenario.schema import Scenario


def measured_power(capability: np.ndarray, shares: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Power ``(..., A, D)``: ``shares[a, d] × Σ_k c_k`` over the actors with a share on issue d, ``base``
    where ``shares`` is NaN. ``capability`` is ``(..., A)`` (batched for Monte Carlo); a missing (NaN)
    capability counts as 0 in the total."""
    cap = np.asarray(capability, dtype=float)
    sh = np.asarray(shares, dtype=float)
    measured = np.isfinite(sh)
    c = np.where(np.isfinite(cap), cap, 0.0)[..., :, None]
    total = np.where(measured, c, 0.0).sum(axis=-2)  # (..., D)
    return np.asarray(np.where(measured, np.where(measured, sh, 0.0) * total[..., None, :], base))


@dataclass(frozen=True)
class IssuePower:
    """Which capability measure gives power on each issue, and each actor's share of it.

    - ``measures``: per issue, the measure's name (``capability`` when the issue names none);
    - ``columns``: per issue, the series column read (None for ``capability``);
    - ``values``: ``(A, D)`` the measure's raw values read (NaN where none was read);
    - ``shares``: ``(A, D)`` each actor's share of the measure among the actors it covers (NaN elsewhere);
    - ``own``: ``(A, D)`` a stance's own ``power`` (NaN where the stance gives none);
    - ``present``: ``(A, D)`` who takes part in each issue;
    - ``warnings``: actors on a measured issue without a value, measures with no positive value.
    """

    actors: tuple[str, ...]
    issues: tuple[str, ...]
    measures: tuple[str, ...]
    columns: tuple[str | None, ...]
    series: str
    values: np.ndarray
    shares: np.ndarray
    own: np.ndarray
    present: np.ndarray
    warnings: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        """Whether power differs by issue at all (a stance's own power or a measured issue)."""
        return bool(np.isfinite(self.own).any() or np.isfinite(self.shares).any())

    def power(self, capability: np.ndarray) -> np.ndarray | None:
        """``issue_power`` ``(..., A, D)`` for capabilities ``(..., A)``, or None when not :attr:`active`."""
        if not self.active:
            return None
        cap = np.asarray(capability, dtype=float)
        base = np.broadcast_to(cap[..., :, None], (*cap.shape, len(self.issues)))
        base = np.where(np.isfinite(self.own), self.own, base)
        return measured_power(cap, self.shares, base)

    def records(self, capability: np.ndarray) -> dict[str, dict[str, Any]]:
        """Per issue, for the trace: the measure, and on a measured issue each actor's value, share and power."""
        cap = np.asarray(capability, dtype=float)
        ip = self.power(cap)
        if ip is None:  # no actor has a value of any measure: power is capability everywhere
            ip = np.broadcast_to(cap[..., :, None], (*cap.shape, len(self.issues)))
        out: dict[str, dict[str, Any]] = {}
        for d, issue in enumerate(self.issues):
            rec: dict[str, Any] = {"measure": self.measures[d]}
            own = [a for i, a in enumerate(self.actors) if math.isfinite(self.own[i, d])]
            if self.columns[d] is not None:
                measured = np.isfinite(self.shares[:, d])
                rec.update(
                    series=self.series,
                    column=self.columns[d],
                    total_capability=float(np.where(measured & np.isfinite(cap), cap, 0.0).sum()),
                    actors={
                        a: {
                            "value": float(self.values[i, d]),
                            "share": float(self.shares[i, d]),
                            "power": float(ip[i, d]),
                        }
                        for i, a in enumerate(self.actors)
                        if measured[i]
                    },
                    fallback=[
                        a
                        for i, a in enumerate(self.actors)
                        if self.present[i, d] and not measured[i] and not math.isfinite(self.own[i, d])
                    ],
                )
            if own:
                rec["own"] = own
            out[issue] = rec
        return out


def read_issue_power(scenario: Scenario, present: np.ndarray | None, context: Context) -> IssuePower:
    """Read every issue's capability measure at the scenario's ``as_of`` (see the module text).

    ``present`` ``(A, D)`` says who takes part in each issue (None: everyone). An unknown measure raises
    ``ValueError`` naming the issue.
    """
    actors = tuple(scenario.actor_ids)
    issues = tuple(scenario.issue_ids)
    a, d = len(actors), len(issues)
    pres = np.ones((a, d), dtype=bool) if present is None else np.asarray(present, dtype=bool)
    own = np.full((a, d), np.nan)
    for i, aid in enumerate(actors):
        for j, iid in enumerate(issues):
            st = scenario.stance(aid, iid)
            if st is not None and st.power is not None:
                own[i, j] = st.power.value
    values = np.full((a, d), np.nan)
    shares = np.full((a, d), np.nan)
    measures: list[str] = []
    columns: list[str | None] = []
    warnings: list[str] = []
    ref = scenario.environment.capabilities
    when = f"at or before {scenario.as_of}" if scenario.as_of is not None else "(latest)"
    for j, iss in enumerate(scenario.issues):
        measure = iss.power or "capability"
        measures.append(measure)
        if measure == "capability":
            columns.append(None)
            continue
        try:
            column = context.measure_column(measure)
        except SeriesError as exc:
            raise ValueError(f"{scenario.id}: issues[{j}].power: {exc}") from None
        columns.append(column)
        who = [i for i in range(a) if pres[i, j] and not math.isfinite(own[i, j])]
        for i in who:
            v = context.measure_value(actors[i], measure)
            if math.isfinite(v) and v >= 0:
                values[i, j] = v
            else:
                what = f"a negative {column} ({v:g})" if math.isfinite(v) else f"no {column} {when}"
                warnings.append(
                    f"issue {iss.id!r} takes power from {measure}, but the series {ref!r} has {what} for "
                    f"{actors[i]}; {actors[i]}'s power on it is its capability"
                )
        have = [i for i in who if math.isfinite(values[i, j])]
        total = float(sum(values[i, j] for i in have))
        if have and total > 0:
            for i in have:
                shares[i, j] = values[i, j] / total
        elif have:
            warnings.append(
                f"issue {iss.id!r} takes power from {measure}, but every value is 0; "
                "the actors' power on it is their capability"
            )
    return IssuePower(
        actors=actors,
        issues=issues,
        measures=tuple(measures),
        columns=tuple(columns),
        series=ref,
        values=values,
        shares=shares,
        own=own,
        present=pres,
        warnings=tuple(warnings),
    )
