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
``positions.A.I.acceptable.low``            ``acceptable[a, d, 0]``
``positions.A.I.acceptable.high``           ``acceptable[a, d, 1]``
``issues[j].status_quo``                    ``status_quo[j]``
``environment.links[k].base`` / ``.gain``   the cell link ``k`` sets (see below)
==========================================  =====================================

A link whose ``base`` or ``gain`` carries a range (e.g. a confidence interval from
``realpolitik events calibrate``) adds one input per ranged parameter. A draw moves the cell the link
sets by the change in the link's output at the scenario's driver value, then clips to the link's
``clip`` and the cell's valid range; any range the cell has itself is applied first. Base and gain are
drawn independently (the estimates' correlation is not carried, which widens the spread of the cell
away from the driver's sample mean).

Draws are made in the unit hypercube (one uniform number per input) and mapped through each input's
inverse CDF, so Monte Carlo, tornado and Sobol analysis share one transform.

Red lines never exclude the actor's own ideal point. A position's support is cut to the ends of its
actor's acceptable range that are not drawn; where both are drawn, a red line that a draw would put
past the drawn ideal point is moved to it (``low = min(low, x)``, ``high = max(high, x)``). On an issue
whose power comes from a capability measure (``issues[].power``) each actor keeps its share of the
measure and the issue's total follows the drawn capabilities
(:func:`realpolitik.environment.power.measured_power`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
from scipy import special

from realpolitik.environment.derived import Context
from realpolitik.environment.links import clip_to, link_function, parse_target, valid_range
from realpolitik.environment.power import measured_power, read_issue_power
from realpolitik.environment.resolve import Resolved, resolve, scenario_problem
from realpolitik.models.problem import BargainingProblem
from realpolitik.scenario.schema import Quantity, Scenario

Distribution = Literal["uniform", "triangular", "truncnormal"]
DISTRIBUTIONS: tuple[str, ...] = ("uniform", "triangular", "truncnormal")
KINDS: tuple[str, ...] = (
    "capability",
    "position",
    "salience",
    "power",
    "status_quo",
    "acceptable_low",
    "acceptable_high",
    "link_base",
    "link_gain",
)


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
class LinkDraw:
    """A link whose base or gain is drawn: where it writes and how to recompute it."""

    link: int
    kind: str
    cell: tuple[int, ...]
    x: float
    function: str
    base: float
    gain: float
    midpoint: float
    steepness: float
    clip: tuple[float, float] | None
    valid: tuple[float, float]
    base_col: int | None
    gain_col: int | None


@dataclass(frozen=True)
class SamplingSpec:
    """The uncertain inputs of one problem and the distribution they are drawn from."""

    problem: BargainingProblem
    inputs: tuple[UncertainInput, ...]
    distribution: str = "triangular"
    power_cells: np.ndarray | None = None  # (A, D) bool: issue_power cells set by a stance's own power
    power_shares: np.ndarray | None = None  # (A, D) shares of a capability measure (NaN: not measured)
    links: tuple[LinkDraw, ...] = ()

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
    acc = problem.acceptable_range
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
            # red lines first: a position's support stops at an end of the acceptable range not drawn
            drawn = [False, False]
            if st.acceptable is not None and problem.acceptable is not None:
                for e, (end, q) in enumerate((("low", st.acceptable.low), ("high", st.acceptable.high))):
                    if q is None:
                        continue
                    n_before = len(inputs)
                    add(
                        f"acceptable_{end}",
                        f"{base}.acceptable.{end}",
                        aid,
                        iid,
                        (ai, dj, e),
                        q,
                        float(problem.acceptable[ai, dj, e]),
                        None,
                        (lb, ub),
                    )
                    drawn[e] = len(inputs) > n_before
            pos_valid = (
                lb if drawn[0] else max(lb, float(acc[ai, dj, 0])),
                ub if drawn[1] else min(ub, float(acc[ai, dj, 1])),
            )
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
                pos_valid,
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
    shares = None
    if problem.issue_power is not None and any(i.power not in (None, "capability") for i in scenario.issues):
        ctx = Context(scenario=scenario, indicators={}, base_dir=scenario.source_dir)
        measured = read_issue_power(scenario, problem.present, ctx).shares
        shares = measured if np.isfinite(measured).any() else None
    links = _link_inputs(scenario, problem, inputs)
    return SamplingSpec(
        problem, tuple(inputs), dist, power_cells if power_cells.any() else None, shares, links
    )


def _link_inputs(
    scenario: Scenario, problem: BargainingProblem, inputs: list[UncertainInput]
) -> tuple[LinkDraw, ...]:
    """Inputs for link parameters with a range (appended to ``inputs``) and how to apply them."""
    ranged = [
        k
        for k, ln in enumerate(scenario.environment.links)
        if ln.base.range is not None or ln.gain.range is not None
    ]
    if not ranged:
        return ()
    trace: Resolved = resolve(scenario)
    effects = {e.index: e for e in trace.trace.links}
    out: list[LinkDraw] = []
    for k in ranged:
        ln = scenario.environment.links[k]
        e = effects.get(k)
        if e is None or not e.applied:
            continue
        t = parse_target(ln.target)
        ai = problem.actors.index(t.actor)
        if t.issue is None:
            cell: tuple[int, ...] = (ai,)
            valid = valid_range(t.kind)
        else:
            dj = problem.issues.index(t.issue)
            cell = (ai, dj)
            valid = valid_range(t.kind, (float(problem.bounds[dj, 0]), float(problem.bounds[dj, 1])))
        cols: dict[str, int | None] = {"base": None, "gain": None}
        for name in ("base", "gain"):
            q = getattr(ln, name)
            if q.range is None:
                continue
            cols[name] = len(inputs)
            inputs.append(
                UncertainInput(
                    f"link_{name}",
                    f"environment.links[{k}].{name}",
                    t.actor,
                    t.issue,
                    (k,),
                    float(q.value),
                    float(q.range[0]),
                    float(q.range[1]),
                    "range",
                )
            )
        out.append(
            LinkDraw(
                k,
                t.kind,
                cell,
                float(e.driver_value),
                ln.function,
                ln.base.value,
                ln.gain.value,
                ln.midpoint,
                ln.steepness,
                ln.clip,
                valid,
                cols["base"],
                cols["gain"],
            )
        )
    return tuple(out)


# ------------------------------------------------------------------------------------------ drawing
def transform(spec: SamplingSpec, u: np.ndarray) -> np.ndarray:
    """Map uniform numbers ``u`` ``(..., K)`` in [0, 1] to input values through each inverse CDF."""
    return inverse_cdf(spec.distribution, u, spec.low, spec.high, spec.mode)


def inverse_cdf(
    distribution: str, u: np.ndarray, lo: np.ndarray, hi: np.ndarray, c: np.ndarray
) -> np.ndarray:
    """The inverse CDF of ``distribution`` on ``[lo, hi]`` with mode (centre) ``c``, at ``u`` in [0, 1]
    (arrays broadcast; ``hi > lo`` wherever it is used)."""
    u = np.asarray(u, dtype=float)
    width = hi - lo
    if distribution == "uniform":
        x = lo + u * width
    elif distribution == "triangular":
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
    drawn_red = "acceptable_low" in groups or "acceptable_high" in groups
    linked_red = any(ld.kind in ("acceptable_low", "acceptable_high") for ld in spec.links)
    acc = p.acceptable  # red lines not drawn: positions were drawn inside them, one array serves all
    if drawn_red or linked_red:
        acc = np.repeat(p.acceptable_range[None], n, axis=0)
    for ld in spec.links:
        if ld.kind in ("acceptable_low", "acceptable_high"):
            assert acc is not None
            target = acc[..., 0 if ld.kind == "acceptable_low" else 1]
        else:
            target = {"capability": cap, "position": pos, "salience": sal}[ld.kind]
        base = values[:, ld.base_col] if ld.base_col is not None else np.full(n, ld.base)
        gain = values[:, ld.gain_col] if ld.gain_col is not None else np.full(n, ld.gain)
        mid, steep = ld.midpoint, ld.steepness
        drawn = link_function(ld.x, ld.function, base=base, gain=gain, midpoint=mid, steepness=steep)  # type: ignore[arg-type]
        own = link_function(ld.x, ld.function, base=ld.base, gain=ld.gain, midpoint=mid, steepness=steep)
        cell: tuple[Any, ...] = (slice(None), *ld.cell)
        target[cell] = clip_to(target[cell] + (drawn - own), ld.clip, ld.valid)
    ip = None
    if p.issue_power is not None:
        own = spec.power_cells if spec.power_cells is not None else np.zeros((a, d), dtype=bool)
        ip = np.where(own, p.issue_power, cap[:, :, None])
        if spec.power_shares is not None:  # a measure's shares of the drawn capabilities
            ip = measured_power(cap, spec.power_shares, ip)
        put(ip, "power")
    if drawn_red or linked_red:
        assert acc is not None
        put(acc, "acceptable_low")
        put(acc, "acceptable_high")
        # a red line never excludes the actor's own (drawn) ideal point
        inside = np.ones((a, d), dtype=bool) if p.present is None else p.present
        acc[..., 0] = np.where(inside, np.minimum(acc[..., 0], pos), acc[..., 0])
        acc[..., 1] = np.where(inside, np.maximum(acc[..., 1], pos), acc[..., 1])
    return replace(
        p, capability=cap, position=pos, salience=sal, status_quo=sq, issue_power=ip, acceptable=acc
    )
