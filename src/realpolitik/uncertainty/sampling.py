"""Which inputs of a scenario are uncertain, and how to draw them as arrays.

Every number of a scenario may carry a ``range: (low, high)``; the scenario's ``uncertainty`` block
adds default half-widths per kind (position, salience, capability) for numbers without one. Each
uncertain number becomes an :class:`UncertainInput` that names one cell of the
:class:`~realpolitik.models.problem.BargainingProblem` arrays:

==========================================  =====================================
scenario path                               problem cell
==========================================  =====================================
``actors[i].capability``                    ``capability[i]``
``positions.A.I.position``                  ``position[a, d]``
``positions.A.I.salience``                  ``salience[a, d]``
``positions.A.I.power``                     ``issue_power[a, d]``
``issues[j].status_quo``                    ``status_quo[j]``
==========================================  =====================================

Draws are made in the unit hypercube (one uniform number per input) and mapped through each input's
inverse CDF, so Monte Carlo, tornado and Sobol analysis share one transform.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from scipy import special

from realpolitik.forecast import scenario_problem
from realpolitik.models.problem import BargainingProblem
from realpolitik.scenario.schema import Quantity, Scenario

Distribution = Literal["uniform", "triangular", "truncnormal"]
DISTRIBUTIONS: tuple[str, ...] = ("uniform", "triangular", "truncnormal")
KINDS: tuple[str, ...] = ("capability", "position", "salience", "power", "status_quo")


@dataclass(frozen=True)
class UncertainInput:
    """One uncertain number and the problem cell it sets.

    ``value`` is the cell's value in the resolved problem (the mode of a triangular draw, the centre of
    a truncated normal); ``low``/``high`` the support after intersecting with the valid range of the
    cell (issue bounds for positions and status quo, [0, 1] for saliences, [0, ∞) for capabilities).
    ``origin`` is ``"range"`` (the number's own range) or ``"default"`` (the scenario-wide half-width).
    """

    kind: str
    path: str
    actor: str | None
    issue: str | None
    index: tuple[int, ...]
    value: float
    low: float
    high: float
    origin: str

    @property
    def label(self) -> str:
        """A short readable name, e.g. ``salience JPN/territory`` or ``capability USA``."""
        who = "/".join(x for x in (self.actor, self.issue) if x is not None)
        return f"{self.kind.replace('_', ' ')} {who}"


@dataclass(frozen=True)
class SamplingSpec:
    """The uncertain inputs of one problem and the distribution they are drawn from."""

    problem: BargainingProblem
    inputs: tuple[UncertainInput, ...]
    distribution: str = "triangular"
    power_cells: np.ndarray | None = None  # (A, D) bool: issue_power cells set by a stance's own power

    @property
    def n_inputs(self) -> int:
        return len(self.inputs)

    @property
    def low(self) -> np.ndarray:
        return np.array([x.low for x in self.inputs], dtype=float)

    @property
    def high(self) -> np.ndarray:
        return np.array([x.high for x in self.inputs], dtype=float)

    @property
    def mode(self) -> np.ndarray:
        return np.array([x.value for x in self.inputs], dtype=float)

    @property
    def labels(self) -> list[str]:
        return [x.label for x in self.inputs]


# ------------------------------------------------------------------------------------------ the spec
def _support(
    q: Quantity, value: float, default_half: float | None, valid: tuple[float, float]
) -> tuple[float, float, str] | None:
    """(low, high, origin) around ``value`` or None when the number is certain."""
    if q.range is not None:
        shift = value - q.value  # a link moved the value: the analyst's range moves with it
        lo, hi, origin = q.range[0] + shift, q.range[1] + shift, "range"
    elif default_half:
        lo, hi, origin = value - default_half, value + default_half, "default"
    else:
        return None
    lo, hi = max(lo, valid[0]), min(hi, valid[1])
    if not hi > lo:
        return None
    return lo, hi, origin


def sampling_spec(
    scenario: Scenario, problem: BargainingProblem | None = None, distribution: str | None = None
) -> SamplingSpec:
    """The uncertain inputs of ``scenario`` as cells of ``problem`` (by default its resolved problem).

    Scenario-wide defaults (``scenario.uncertainty``) apply to numbers without their own range:
    ``position`` is a half-width as a share of the issue's range, ``salience`` an absolute half-width on
    the 0–1 scale, ``capability`` a half-width relative to the value. Supports are cut to the valid range
    of each cell (a truncated distribution, not a pile-up at the bound); a value outside its own range
    is clipped into it as the mode. ``distribution`` overrides ``scenario.uncertainty.distribution``.
    """
    if problem is None:
        problem = scenario_problem(scenario)
    dist = distribution or scenario.uncertainty.distribution
    if dist not in DISTRIBUTIONS:
        raise ValueError(f"distribution must be one of {', '.join(DISTRIBUTIONS)}, got {dist!r}")
    unc = scenario.uncertainty
    a_index = {a: i for i, a in enumerate(problem.actors)}
    d_index = {d: j for j, d in enumerate(problem.issues)}
    bounds = problem.bounds
    inputs: list[UncertainInput] = []
    power_cells = np.zeros((problem.n_actors, problem.n_issues), dtype=bool)

    def add(
        kind: str,
        path: str,
        actor: str | None,
        issue: str | None,
        idx: tuple[int, ...],
        q: Quantity,
        value: float,
        half: float | None,
        valid: tuple[float, float],
    ) -> None:
        if not np.isfinite(value):
            return
        s = _support(q, value, half, valid)
        if s is None:
            return
        lo, hi, origin = s
        inputs.append(
            UncertainInput(kind, path, actor, issue, idx, float(np.clip(value, lo, hi)), lo, hi, origin)
        )

    for i, actor in enumerate(scenario.actors):
        ai = a_index.get(actor.id)
        if ai is None or actor.capability is None:
            continue
        v = float(problem.capability[ai])
        half = unc.capability * abs(v) if unc.capability else None
        add(
            "capability",
            f"actors[{i}].capability",
            actor.id,
            None,
            (ai,),
            actor.capability,
            v,
            half,
            (0.0, np.inf),
        )
    for j, iss in enumerate(scenario.issues):
        dj = d_index.get(iss.id)
        if dj is None or iss.status_quo is None:
            continue
        add(
            "status_quo",
            f"issues[{j}].status_quo",
            None,
            iss.id,
            (dj,),
            iss.status_quo,
            float(problem.status_quo[dj]),
            None,
            (float(bounds[dj, 0]), float(bounds[dj, 1])),
        )
    for aid, row in scenario.positions.items():
        ai = a_index.get(aid)
        if ai is None:
            continue
        for iid, st in row.items():
            dj = d_index.get(iid)
            if dj is None or (problem.present is not None and not problem.present[ai, dj]):
                continue
            lb, ub = float(bounds[dj, 0]), float(bounds[dj, 1])
            base = f"positions.{aid}.{iid}"
            half_pos = unc.position * (ub - lb) if unc.position else None
            add(
                "position",
                f"{base}.position",
                aid,
                iid,
                (ai, dj),
                st.position,
                float(problem.position[ai, dj]),
                half_pos,
                (lb, ub),
            )
            add(
                "salience",
                f"{base}.salience",
                aid,
                iid,
                (ai, dj),
                st.salience,
                float(problem.salience[ai, dj]),
                unc.salience or None,
                (0.0, 1.0),
            )
            if st.power is not None and problem.issue_power is not None:
                power_cells[ai, dj] = True
                add(
                    "power",
                    f"{base}.power",
                    aid,
                    iid,
                    (ai, dj),
                    st.power,
                    float(problem.issue_power[ai, dj]),
                    None,
                    (0.0, np.inf),
                )
    return SamplingSpec(problem, tuple(inputs), dist, power_cells if power_cells.any() else None)


# ------------------------------------------------------------------------------------------ drawing
def transform(spec: SamplingSpec, u: np.ndarray) -> np.ndarray:
    """Map uniform numbers ``u`` ``(..., K)`` in [0, 1] to input values through each inverse CDF."""
    u = np.asarray(u, dtype=float)
    lo, hi, c = spec.low, spec.high, spec.mode
    width = hi - lo
    if spec.distribution == "uniform":
        x = lo + u * width
    elif spec.distribution == "triangular":
        cut = (c - lo) / width
        left = lo + np.sqrt(u * width * (c - lo))
        right = hi - np.sqrt((1.0 - u) * width * (hi - c))
        x = np.where(u < cut, left, right)
    else:  # truncated normal centred on the value, sigma a quarter of the support
        sigma = width / 4.0
        fa = special.ndtr((lo - c) / sigma)
        fb = special.ndtr((hi - c) / sigma)
        x = c + sigma * special.ndtri(fa + u * (fb - fa))
    return np.clip(x, lo, hi)


def draw(spec: SamplingSpec, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws of every uncertain input, shape ``(n, K)``."""
    return transform(spec, rng.random((n, spec.n_inputs)))


def apply(spec: SamplingSpec, values: np.ndarray) -> BargainingProblem:
    """The batched problem ``(n, ...)`` whose uncertain cells take ``values`` ``(n, K)``."""
    values = np.asarray(values, dtype=float)
    n = values.shape[0]
    p = spec.problem
    a, d = p.n_actors, p.n_issues
    cap = np.repeat(p.capability[None], n, axis=0)
    pos = np.repeat(p.position[None], n, axis=0)
    sal = np.repeat(p.salience[None], n, axis=0)
    sq = np.repeat(p.status_quo[None], n, axis=0)
    groups: dict[str, tuple[list[int], list[tuple[int, ...]]]] = {}
    for k, x in enumerate(spec.inputs):
        cols, idx = groups.setdefault(x.kind, ([], []))
        cols.append(k)
        idx.append(x.index)

    def put(target: np.ndarray, kind: str) -> None:
        if kind in groups:
            cols, idx = groups[kind]
            target[(slice(None), *np.array(idx).T)] = values[:, cols]

    put(cap, "capability")
    put(pos, "position")
    put(sal, "salience")
    put(sq, "status_quo")
    ip = None
    if p.issue_power is not None:
        own = spec.power_cells if spec.power_cells is not None else np.zeros((a, d), dtype=bool)
        ip = np.where(own, p.issue_power, cap[:, :, None])
        put(ip, "power")
    return replace(p, capability=cap, position=pos, salience=sal, status_quo=sq, issue_power=ip)
