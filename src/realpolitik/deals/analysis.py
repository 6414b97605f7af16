"""The scenario-facing layer: build a :class:`DealProblem` from a scenario, run the core, add precedents."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from realpolitik._rng import SeedLike
from realpolitik.deals.core import MAX_ENUMERATE, DealResult, analyse, any_feasible
from realpolitik.deals.space import DECIMALS, DealProblem, OptionMode, issue_options
from realpolitik.environment.series import resolve_data_path
from realpolitik.forecast import ModelInputError, scenario_problem
from realpolitik.models.problem import BargainingProblem
from realpolitik.scenario.schema import Scenario


class DealInputError(ModelInputError):
    """The scenario lacks data a deal analysis needs (one line, naming the data)."""


@dataclass
class Evaluation:
    """One package judged by every actor against its disagreement point."""

    values: np.ndarray  # (D,)
    utility: np.ndarray  # (A,)
    gain: np.ndarray  # (A,)
    contributions: np.ndarray  # (A, D) per-issue gain contributions
    accepts: dict[int, bool]  # actor with a consent row → accepts (all its rows)
    turning_issue: dict[int, int | None]  # refusing actor → issue with its largest loss (None: nothing lost)


def evaluate(problem: DealProblem, values: np.ndarray) -> Evaluation:
    """Judge one package (any values, not only options) with the same rules as the analysis."""
    v = np.asarray(values, dtype=float)
    contrib = problem.contributions(v)  # (A, D)
    gain = np.round(contrib.sum(axis=1), DECIMALS)
    accepts: dict[int, bool] = {}
    turning: dict[int, int | None] = {}
    for i in np.flatnonzero(problem.party | problem.veto.any(axis=1)):
        ok = True
        mask = np.ones(problem.n_issues, dtype=bool)
        if problem.party[i]:
            ok &= bool(gain[i] > problem.margin)
        if problem.veto[i].any():
            restricted = float(np.round(contrib[i, problem.veto[i]].sum(), DECIMALS))
            ok &= restricted >= 0
            if not problem.party[i]:
                mask = problem.veto[i]
        accepts[int(i)] = ok
        if not ok:
            c = np.where(mask, contrib[i], np.inf)
            j = int(np.argmin(c))
            turning[int(i)] = j if np.round(c[j], DECIMALS) < 0 else None
    return Evaluation(
        values=v,
        utility=problem.utility(v),
        gain=gain,
        contributions=contrib,
        accepts=accepts,
        turning_issue=turning,
    )


@dataclass
class Precedent:
    """An analogue's actual outcome mapped onto this scenario's issues and judged here."""

    scenario: str
    mapped: dict[str, str]  # this issue → analogue outcome key used
    missing: list[str]  # this issue ids whose mapping found no outcome
    evaluation: Evaluation | None
    error: str | None = None
    note: str | None = None


@dataclass
class DealAnalysis:
    """The deal analysis of one scenario (see ``docs/deals.md``)."""

    scenario: str
    title: str
    problem: DealProblem
    result: DealResult
    labels: dict[str, dict[float, str]]
    issue_names: dict[str, str]
    precedents: list[Precedent] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    # convenience views -------------------------------------------------------------
    @property
    def method(self) -> str:
        return self.result.method

    @property
    def n_feasible(self) -> int:
        return self.result.n_feasible

    @property
    def n_packages(self) -> int:
        return self.result.n_packages

    @property
    def feasible(self) -> bool:
        return self.result.n_feasible > 0

    @property
    def actors(self) -> tuple[str, ...]:
        return self.problem.actors

    @property
    def issues(self) -> tuple[str, ...]:
        return self.problem.issues

    @property
    def parties(self) -> list[str]:
        return [self.problem.actors[i] for i in np.flatnonzero(self.problem.party)]

    @property
    def veto_holders(self) -> dict[str, list[str]]:
        p = self.problem
        return {p.actors[i]: [p.issues[j] for j in np.flatnonzero(p.veto[i])] for i in p.veto_holders}

    def package(self, row: int) -> dict[str, float]:
        """Values per issue of feasible package ``row``."""
        vals = self.result.values[row]
        return {d: float(v) for d, v in zip(self.issues, vals, strict=True)}

    def label(self, issue: str, value: float) -> str | None:
        for k, lab in self.labels.get(issue, {}).items():
            if abs(float(k) - value) < 1e-9:
                return lab
        return None

    def to_json(self) -> dict[str, Any]:
        from realpolitik.deals.render import deals_to_json

        return deals_to_json(self)


def problem_from_scenario(
    scenario: Scenario,
    bargaining: BargainingProblem | None = None,
    *,
    options: OptionMode = "auto",
    step: float = 0.05,
    issue_options_: dict[str, list[float]] | None = None,
    disagreement: dict[str, dict[str, float]] | None = None,
    margin: float = 0.0,
) -> DealProblem:
    """The arrays of a deal analysis: positions, saliences and capabilities after environment links."""
    bp = scenario_problem(scenario) if bargaining is None else bargaining
    if bp.batch_shape:
        raise DealInputError(f"{scenario.id}: deals take one scenario, not a batch")
    missing = [d for d, q in zip(bp.issues, bp.status_quo, strict=True) if not np.isfinite(q)]
    if missing:
        raise DealInputError(
            f"{scenario.id}: deals need a status quo on every issue; missing for {', '.join(missing)} "
            "(set issues[].status_quo)"
        )
    actors, issues = bp.actors, bp.issues
    parties = set(scenario.parties)
    unknown = sorted(parties - set(actors))
    if unknown:
        raise DealInputError(f"{scenario.id}: parties not among the actors: {', '.join(unknown)}")
    if not parties:
        raise DealInputError(f"{scenario.id}: deals need parties (set parties: [...], who must sign a deal)")
    party = np.array([a in parties for a in actors], dtype=bool)
    veto = np.zeros((len(actors), len(issues)), dtype=bool)
    for v in scenario.vetoes:
        if v.actor not in actors:
            raise DealInputError(f"{scenario.id}: veto holder {v.actor!r} is not an actor")
        for d in v.issues:
            if d not in issues:
                raise DealInputError(f"{scenario.id}: veto of {v.actor} names unknown issue {d!r}")
            veto[actors.index(v.actor), issues.index(d)] = True
    risk = np.array([a.risk.value if a.risk is not None else 0.0 for a in scenario.actors], dtype=float)
    sal = np.asarray(bp.salience, dtype=float)
    if bp.present is not None:
        sal = np.where(bp.present, sal, 0.0)
    dis = np.broadcast_to(bp.status_quo, (len(actors), len(issues))).copy()
    declared = {a: {d: q.value for d, q in pkg.items()} for a, pkg in scenario.disagreement.items()}
    for a, pkg in (disagreement or {}).items():
        declared.setdefault(a, {}).update(pkg)
    for a, pkg in declared.items():
        if a not in actors:
            raise DealInputError(f"{scenario.id}: disagreement package for unknown actor {a!r}")
        for d, val in pkg.items():
            if d not in issues:
                raise DealInputError(f"{scenario.id}: disagreement package of {a} names unknown issue {d!r}")
            dis[actors.index(a), issues.index(d)] = float(val)
    custom = issue_options_ or {}
    opts = []
    for j, iss in enumerate(scenario.issues):
        if iss.id in custom:
            o = np.unique(np.append(np.asarray(custom[iss.id], dtype=float), bp.status_quo[j]))
        else:
            o = issue_options(iss.bounds, float(bp.status_quo[j]), list(iss.labels), mode=options, step=step)
        opts.append(o)
    return DealProblem(
        position=bp.position,
        salience=sal,
        capability=bp.capability,
        bounds=bp.bounds,
        status_quo=bp.status_quo,
        options=tuple(opts),
        party=party,
        veto=veto,
        risk=risk,
        disagreement=dis,
        actors=tuple(actors),
        issues=tuple(issues),
        margin=margin,
    )


def _rescale(value: float, src: tuple[float, float], dst: tuple[float, float]) -> float:
    share = (value - src[0]) / (src[1] - src[0])
    return float(np.clip(dst[0] + share * (dst[1] - dst[0]), dst[0], dst[1]))


def precedents(scenario: Scenario, problem: DealProblem) -> list[Precedent]:
    """Each analogue's outcome as a package here (status quo on unmapped issues), judged by every actor.

    An analogue is a built-in scenario id or a file in the scenario's folder (the same path policy as
    series files: :func:`~realpolitik.environment.series.resolve_data_path`).
    """
    from realpolitik.scenario import builtin_ids, load

    out: list[Precedent] = []
    for an in scenario.analogues:
        try:
            if an.scenario in builtin_ids():
                other = load(an.scenario)
            else:
                path = resolve_data_path(
                    an.scenario,
                    scenario.source_dir,
                    allow_paths=scenario.allow_paths,
                    what="analogue scenario",
                )
                other = load(path, allow_paths=scenario.allow_paths)
        except Exception as exc:  # a missing analogue must not sink the whole analysis
            out.append(Precedent(an.scenario, {}, list(an.maps), None, error=str(exc).splitlines()[0]))
            continue
        values = problem.status_quo.copy()
        mapped: dict[str, str] = {}
        missing: list[str] = []
        for this, key in an.maps.items():
            k = key.removeprefix("outcome.")
            if this not in problem.issues or k not in other.outcome:
                missing.append(this)
                continue
            j = problem.issues.index(this)
            v = other.outcome[k].value
            if k in other.issue_ids:
                v = _rescale(
                    v, other.issue(k).bounds, (float(problem.bounds[j, 0]), float(problem.bounds[j, 1]))
                )
            values[j] = v
            mapped[this] = k
        out.append(Precedent(an.scenario, mapped, missing, evaluate(problem, values), note=an.note))
    return out


def deals(
    scenario: Scenario | str,
    *,
    options: OptionMode = "auto",
    step: float = 0.05,
    issue_options: dict[str, list[float]] | None = None,
    disagreement: dict[str, dict[str, float]] | None = None,
    margin: float = 0.0,
    max_enumerate: int = MAX_ENUMERATE,
    seed: SeedLike = 0,
    concessions: bool = True,
    with_precedents: bool = True,
) -> DealAnalysis:
    """Analyse the deal space of ``scenario`` (an object, a built-in id or a path).

    ``options``/``step``/``issue_options`` set each issue's options; ``disagreement`` maps an actor to its
    no-deal package (issue → value; other issues at the status quo); ``margin`` is the gain (share of the
    utility scale) a party needs before it signs; packages are enumerated up to ``max_enumerate``, searched
    above it (``seed`` drives the search).
    """
    if isinstance(scenario, str):
        from realpolitik.scenario import load

        scenario = load(scenario)
    problem = problem_from_scenario(
        scenario,
        options=options,
        step=step,
        issue_options_=issue_options,
        disagreement=disagreement,
        margin=margin,
    )
    result = analyse(problem, max_enumerate=max_enumerate, seed=seed, concessions=concessions)
    return DealAnalysis(
        scenario=scenario.id,
        title=scenario.title,
        problem=problem,
        result=result,
        labels={iss.id: dict(iss.labels) for iss in scenario.issues},
        issue_names={iss.id: iss.name for iss in scenario.issues},
        precedents=precedents(scenario, problem) if with_precedents else [],
        params={
            "options": options,
            "step": step,
            "margin": margin,
            "max_enumerate": max_enumerate,
            "seed": seed if isinstance(seed, int) else None,
            "disagreement": disagreement or {},
        },
    )


def deal_exists(scenario: Scenario, problem: BargainingProblem | None = None, **options: Any) -> np.ndarray:
    """Whether some package is feasible, for the scenario's structure (parties, vetoes, risk, labels) with the
    numbers of ``problem`` (default: the scenario's own); a batched problem gives one flag per member.

    This is the probe Monte Carlo and sweeps use: it stops at the first feasible package it meets.
    ``options`` are those of :func:`problem_from_scenario` (``options``, ``step``, ``margin``...).
    """
    bp = scenario_problem(scenario) if problem is None else problem
    shape = bp.batch_shape_all if bp.batch_shape_all else ()
    flat = int(np.prod(shape)) if shape else 1
    out = np.zeros(flat, dtype=bool)
    for k in range(flat):  # loop over draws; each check is vectorised over packages
        member = bp.item(tuple(int(x) for x in np.unravel_index(k, shape))) if shape else bp
        out[k] = any_feasible(problem_from_scenario(scenario, member, **options))
    return out.reshape(shape) if shape else out[0]
