"""The scenario-facing layer: build a :class:`DealProblem` from a scenario, run the core, add precedents."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from realpolitik import display as _display
from realpolitik._rng import SeedLike
from realpolitik.deals.batch import DrawNumbers, feasible_draws
from realpolitik.deals.core import (
    MAX_ENUMERATE,
    REVERSAL_SHARE,
    Concession,
    DealResult,
    analyse,
    any_feasible,
)
from realpolitik.deals.json_form import deals_to_json
from realpolitik.deals.judge import Condition, sum_issues
from realpolitik.deals.rules import DecisionStructure, decision_structure
from realpolitik.deals.space import DECIMALS, DealProblem, OptionMode, issue_options
from realpolitik.environment.resolve import scenario_problem
from realpolitik.environment.series import resolve_data_path
from realpolitik.models.problem import BargainingProblem
from realpolitik.models.run import ModelInputError
from realpolitik.scenario.io import builtin_ids, load
from realpolitik.scenario.schema import AnalogueTerm, Scenario


class DealInputError(ModelInputError):
    """The scenario lacks data a deal analysis needs (one line, naming the data)."""


@dataclass
class Evaluation:
    """One package judged with the one acceptance test (DESIGN §4a), as the analysis judges packages.

    ``values`` is the package as judged: issues that are moot there (a failed ``applies_if``) are held at
    their status quo (``given`` keeps the values asked for).
    """

    values: np.ndarray  # (D,) as judged (moot issues at the status quo)
    utility: np.ndarray  # (A,)
    gain: np.ndarray  # (A,) over the issues that are not moot
    contributions: np.ndarray  # (A, D) per-issue gain contributions (0 on moot issues)
    accepts: dict[int, bool]  # actor with a row → accepts (all its rows of the agreements changed)
    turning_issue: dict[int, int | None]  # refusing actor → the issue that decides its refusal
    moot: np.ndarray  # (D,) bool
    agreements: dict[int, bool]  # agreement → changed and accepted by all its rows
    active: np.ndarray  # (G,) bool: the package changes something there
    breaches: dict[int, list[int]] = field(default_factory=dict)  # actor → issues outside its red lines
    reasons: dict[int, str] = field(default_factory=dict)  # refusing actor → "red_line" | "loss" | "no_gain"
    refused_in: dict[int, int] = field(default_factory=dict)  # refusing actor → the agreement it refuses
    given: np.ndarray | None = None  # (D,) the values asked for, before moot issues are held

    @property
    def feasible(self) -> bool:
        """Some agreement changes something and every actor accepts."""
        return bool(self.active.any()) and all(self.accepts.values())


def effective_values(problem: DealProblem, values: np.ndarray) -> np.ndarray:
    """Packages ``(..., D)`` with their moot issues held at the status quo (the package they are)."""
    v = np.asarray(values, dtype=float)
    return np.asarray(np.where(problem.moot(v), problem.status_quo, v))


def evaluate(problem: DealProblem, values: np.ndarray) -> Evaluation:
    """Judge one package (any values, not only options) with the same test as the analysis.

    Moot issues are first held at the status quo: a package that differs only there is the same package.
    """
    given = np.asarray(values, dtype=float)
    v = effective_values(problem, given)
    rows = problem.rows()
    j = problem.judge(v, contributions=True)
    turning_row = j.decisive_issue(rows, problem.width, v, problem.acceptable)
    accepts: dict[int, bool] = {}
    turning: dict[int, int | None] = {}
    reasons: dict[int, str] = {}
    refused_in: dict[int, int] = {}
    breaches: dict[int, list[int]] = {}
    for r in range(rows.n):
        i = int(rows.actor[r])
        ok = bool(j.accept[r])
        accepts[i] = accepts.get(i, True) and ok
        if not ok and i not in turning:
            t = int(turning_row[r])
            turning[i] = t if t >= 0 else None
            refused_in[i] = int(rows.group[r])
            reasons[i] = "red_line" if j.outside[r].any() else ("loss" if t >= 0 else "no_gain")
        if j.active[int(rows.group[r])]:
            out = [int(d) for d in np.flatnonzero(j.outside[r])]
            if out:
                row = breaches.setdefault(i, [])
                row += [d for d in out if d not in row]
    contrib = problem.contributions(v)
    ga = j.group_accept(rows)
    return Evaluation(
        values=v,
        utility=problem.utility(v),
        gain=np.round(sum_issues(contrib), DECIMALS),
        contributions=contrib,
        accepts=accepts,
        turning_issue=turning,
        moot=j.moot,
        agreements={g: bool(ga[g]) for g in range(problem.n_groups)},
        active=j.active,
        breaches=breaches,
        reasons=reasons,
        refused_in=refused_in,
        given=given,
    )


@dataclass(frozen=True)
class Term:
    """How a precedent sets one issue here: an outcome ``key`` of the analogue (rescaled from its
    bounds) or a fixed ``fixed`` value on this issue's scale, with the analyst's ``note``; ``value`` is
    the number used here (None when the key found no outcome)."""

    key: str | None
    fixed: float | None
    note: str | None
    value: float | None


@dataclass
class Precedent:
    """An analogue's actual outcome mapped onto this scenario's issues and judged here."""

    scenario: str  # as the scenario names it (a built-in id or a path)
    mapped: dict[str, str]  # this issue → analogue outcome key used ("value V" for a fixed value)
    missing: list[str]  # this issue ids whose mapping found no outcome
    evaluation: Evaluation | None
    error: str | None = None
    note: str | None = None
    terms: dict[str, Term] = field(default_factory=dict)  # this issue → how the precedent sets it
    analogue_id: str | None = None  # the loaded analogue's id
    outside_deal: list[str] = field(default_factory=list)  # mapped issues not negotiated (not consent)


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
    structure: DecisionStructure | None = None

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

    def package_text(self, values: np.ndarray, moot: np.ndarray | None = None) -> str:
        """Issues moved from the status quo as ``issue value (label)``; a moot issue of an agreement the
        package changes as ``issue moot`` (never as a value: it counts for nothing there)."""
        p = self.problem
        moot = p.moot(values) if moot is None else moot
        moved = (np.asarray(values) != p.status_quo) & ~moot
        changed = np.array([moved[p.group == g].any() for g in range(p.n_groups)], dtype=bool)
        parts = []
        for j, (d, v, q) in enumerate(zip(p.issues, values, p.status_quo, strict=True)):
            if moot[j]:
                if changed[p.group[j]]:
                    parts.append(f"{d} moot")
            elif v != q:
                lab = self.label(d, float(v))
                parts.append(f"{d} {float(v):g}" + (f" ({lab})" if lab else ""))
        return "; ".join(parts) if parts else "the status quo"

    def concession_text(self, c: Concession) -> str:
        """The concession in words, naming what moves (a red line relaxed is said as such)."""
        a, d = self.actors[c.actor], self.issues[c.issue]
        if c.field == "acceptable_high":
            return f"{a} relaxes its red line on {d}: accepts up to {c.new:g} (was at most {c.old:g})"
        if c.field == "acceptable_low":
            return f"{a} relaxes its red line on {d}: accepts down to {c.new:g} (was at least {c.old:g})"
        if c.field == "position" and c.size > REVERSAL_SHARE:
            return f"{a} reverses its position on {d}: from {c.old:g} to {c.new:g} (a reversal, not a concession)"
        return f"{a} moves its {c.field} on {d} from {c.old:g} to {c.new:g}"

    def to_json(self) -> dict[str, Any]:
        return deals_to_json(self)

    # notebook display (realpolitik.display) -----------------------------------------------------------
    def __repr__(self) -> str:
        return _display.deals_repr(self)

    def _repr_html_(self) -> str:
        return _display.deals_html(self)

    def to_frame(self) -> Any:
        """One row per feasible package (a pandas DataFrame)."""
        return _display.deals_frame(self)

    def plot(self) -> Any:
        """The parties' gains over the feasible packages (a Plotly figure)."""
        return _display.deals_plot(self)


def declared_disagreement(
    scenario: Scenario,
    actors: tuple[str, ...],
    all_issues: tuple[str, ...],
    consent: list[str],
    disagreement: dict[str, dict[str, float]] | None = None,
) -> list[tuple[int, int, float]]:
    """Declared no-deal values on consent issues as ``(actor index, consent issue index, value)``: the
    scenario's ``disagreement`` packages updated by ``disagreement`` (the same for every draw)."""
    declared = {a: {d: q.value for d, q in pkg.items()} for a, pkg in scenario.disagreement.items()}
    for a, pkg in (disagreement or {}).items():
        declared.setdefault(a, {}).update(pkg)
    out: list[tuple[int, int, float]] = []
    for a, pkg in declared.items():
        if a not in actors:
            raise DealInputError(f"{scenario.id}: disagreement package for unknown actor {a!r}")
        for d, val in pkg.items():
            if d not in all_issues:
                raise DealInputError(f"{scenario.id}: disagreement package of {a} names unknown issue {d!r}")
            if d in consent:
                out.append((actors.index(a), consent.index(d), float(val)))
    return out


def consent_options(
    scenario: Scenario,
    issue: str,
    status_quo: float | None,
    options: OptionMode = "auto",
    step: float = 0.05,
    custom: dict[str, list[float]] | None = None,
) -> np.ndarray:
    """The options of one consent issue (sorted, unique): the ``custom`` values given for it, else its
    labels or grid (:func:`~realpolitik.deals.space.issue_options`); with the ``status_quo`` added
    (``None``: without it, the part that does not depend on a draw's status quo)."""
    if custom and issue in custom:
        o = np.asarray(custom[issue], dtype=float)
        return np.unique(o if status_quo is None else np.append(o, status_quo))
    iss = scenario.issue(issue)
    sq = float("nan") if status_quo is None else status_quo  # a non-finite status quo is not added
    return issue_options(iss.bounds, sq, list(iss.labels), mode=options, step=step)


def problem_from_scenario(
    scenario: Scenario,
    bargaining: BargainingProblem | None = None,
    *,
    options: OptionMode = "auto",
    step: float = 0.05,
    issue_options_: dict[str, list[float]] | None = None,
    disagreement: dict[str, dict[str, float]] | None = None,
    margin: float = 0.0,
    structure: DecisionStructure | None = None,
    merge: bool = False,
) -> DealProblem:
    """The arrays of a deal analysis over the scenario's consent issues, after environment links.

    Only issues decided by consent are negotiated (collective and unilateral issues are not signed by
    anyone); ``merge=True`` signs every agreement as one (the linkage question).
    """
    bp = scenario_problem(scenario) if bargaining is None else bargaining
    if bp.batch_shape:
        raise DealInputError(f"{scenario.id}: deals take one scenario, not a batch")
    st = decision_structure(scenario) if structure is None else structure
    consent = list(st.consent_issues)
    if not consent:
        kinds = ", ".join(sorted(set(st.rules.values()))) or "none"
        raise DealInputError(
            f"{scenario.id}: no issue is decided by consent (rules: {kinds}), so there is no deal to sign; "
            "name parties or set rule: consent on the issues to negotiate"
        )
    actors, all_issues = bp.actors, bp.issues
    cols = [all_issues.index(d) for d in consent]
    missing = [d for d, j in zip(consent, cols, strict=True) if not np.isfinite(bp.status_quo[j])]
    if missing:
        raise DealInputError(
            f"{scenario.id}: deals need a status quo on every consent issue; missing for {', '.join(missing)} "
            "(set issues[].status_quo)"
        )
    for ag in st.agreements:
        unknown = sorted(set(ag.signers) - set(actors))
        if unknown:
            raise DealInputError(
                f"{scenario.id}: signers of {ag.id} not among the actors: {', '.join(unknown)}"
            )
        if not ag.signers:
            raise DealInputError(
                f"{scenario.id}: nobody signs {ag.id} (set parties: [...], or the agreement's signers)"
            )
    groups = [ag for ag in st.agreements]
    group = np.array(
        [next(g for g, ag in enumerate(groups) if d in ag.issues) for d in consent], dtype=np.int64
    )
    signer = np.array([[a in ag.signers for a in actors] for ag in groups], dtype=bool).reshape(
        len(groups), len(actors)
    )
    if merge and len(groups) > 1:
        group = np.zeros(len(consent), dtype=np.int64)
        signer = np.asarray(signer.any(axis=0, keepdims=True))
        group_ids: tuple[str, ...] = ("+".join(ag.id for ag in groups),)
    else:
        group_ids = tuple(ag.id for ag in groups)
    veto = np.zeros((len(actors), len(consent)), dtype=bool)
    for a, issues in st.vetoes.items():
        if a not in actors:
            raise DealInputError(f"{scenario.id}: veto holder {a!r} is not an actor")
        for d in issues:
            veto[actors.index(a), consent.index(d)] = True
    risk = np.array([a.risk.value if a.risk is not None else 0.0 for a in scenario.actors], dtype=float)
    sal = np.asarray(bp.salience, dtype=float)
    if bp.present is not None:
        sal = np.where(bp.present, sal, 0.0)
    sal = sal[:, cols]
    dis = np.broadcast_to(bp.status_quo[cols], (len(actors), len(consent))).copy()
    for ai, di, val in declared_disagreement(scenario, actors, all_issues, consent, disagreement):
        dis[ai, di] = val
    opts = [
        consent_options(scenario, d, float(bp.status_quo[j]), options, step, issue_options_)
        for d, j in zip(consent, cols, strict=True)
    ]
    conditions = tuple(
        Condition(consent.index(c.issue), consent.index(c.on), c.op, c.value)
        for c in st.conditions
        if c.issue in consent and c.on in consent
    )
    return DealProblem(
        position=bp.position[:, cols],
        salience=sal,
        capability=bp.capability,
        bounds=bp.bounds[cols],
        status_quo=bp.status_quo[cols],
        options=tuple(opts),
        party=np.asarray(signer.any(axis=0)),
        veto=veto,
        risk=risk,
        disagreement=dis,
        actors=tuple(actors),
        issues=tuple(consent),
        margin=margin,
        acceptable=np.asarray(bp.acceptable_range)[:, cols],
        group=group,
        signer=signer,
        group_ids=group_ids,
        conditions=conditions,
    )


def _rescale(value: float, src: tuple[float, float], dst: tuple[float, float]) -> float:
    share = (value - src[0]) / (src[1] - src[0])
    return float(np.clip(dst[0] + share * (dst[1] - dst[0]), dst[0], dst[1]))


def precedent_values(scenario: Scenario, problem: DealProblem, analogue_index: int) -> Precedent:
    """One analogue's outcome as a package here (status quo on unmapped issues), judged by every actor."""
    an = scenario.analogues[analogue_index]
    try:
        if an.scenario in builtin_ids():
            other = load(an.scenario)
        else:
            path = resolve_data_path(
                an.scenario, scenario.source_dir, allow_paths=scenario.allow_paths, what="analogue scenario"
            )
            other = load(path, allow_paths=scenario.allow_paths)
    except Exception as exc:  # a missing analogue must not sink the whole analysis
        return Precedent(an.scenario, {}, list(an.maps), None, error=str(exc).splitlines()[0], note=an.note)
    values = problem.status_quo.copy()
    mapped: dict[str, str] = {}
    missing: list[str] = []
    outside: list[str] = []
    terms: dict[str, Term] = {}
    for this, term in an.maps.items():
        t = term if isinstance(term, AnalogueTerm) else AnalogueTerm(key=term)
        key = t.key.removeprefix("outcome.") if t.key is not None else None
        if this not in problem.issues:
            outside.append(this)
            terms[this] = Term(key, t.value, t.note, None)
            continue
        j = problem.issues.index(this)
        if t.value is not None:
            v = float(np.clip(t.value, problem.bounds[j, 0], problem.bounds[j, 1]))
            values[j] = v
            mapped[this] = f"value {t.value:g}"
            terms[this] = Term(None, float(t.value), t.note, v)
            continue
        assert key is not None
        if key not in other.outcome:
            missing.append(this)
            terms[this] = Term(key, None, t.note, None)
            continue
        v = other.outcome[key].value
        if key in other.issue_ids:
            v = _rescale(
                v, other.issue(key).bounds, (float(problem.bounds[j, 0]), float(problem.bounds[j, 1]))
            )
        values[j] = v
        mapped[this] = key
        terms[this] = Term(key, None, t.note, float(v))
    return Precedent(
        an.scenario,
        mapped,
        missing,
        evaluate(problem, values),
        note=an.note,
        terms=terms,
        analogue_id=other.id,
        outside_deal=outside,
    )


def precedents(scenario: Scenario, problem: DealProblem) -> list[Precedent]:
    """Each analogue's outcome as a package here (status quo on unmapped issues), judged by every actor.

    An analogue is a built-in scenario id or a file in the scenario's folder (the same path policy as
    series files: :func:`~realpolitik.environment.series.resolve_data_path`).
    """
    return [precedent_values(scenario, problem, k) for k in range(len(scenario.analogues))]


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
        scenario = load(scenario)
    structure = decision_structure(scenario)
    problem = problem_from_scenario(
        scenario,
        options=options,
        step=step,
        issue_options_=issue_options,
        disagreement=disagreement,
        margin=margin,
        structure=structure,
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
        structure=structure,
        params={
            "options": options,
            "step": step,
            "margin": margin,
            "max_enumerate": max_enumerate,
            "seed": seed if isinstance(seed, int) else None,
            "disagreement": disagreement or {},
        },
    )


def deal_exists_per_draw(
    scenario: Scenario, problem: BargainingProblem | None = None, **options: Any
) -> np.ndarray:
    """The rule of :func:`deal_exists`, one draw at a time: each member's own :class:`DealProblem` built by
    :func:`problem_from_scenario` and checked by :func:`~realpolitik.deals.core.any_feasible`.

    The reference the batched probe is tested against (flag for flag), and its path for draws it does not
    take (a space too large to enumerate, numbers :class:`DealProblem` refuses).
    """
    bp = scenario_problem(scenario) if problem is None else problem
    shape = bp.batch_shape_all if bp.batch_shape_all else ()
    flat = int(np.prod(shape)) if shape else 1
    out = np.zeros(flat, dtype=bool)
    if "structure" not in options:  # who signs what depends on the scenario, not on a draw's numbers
        options = {**options, "structure": decision_structure(scenario)}
    for k in range(flat):  # loop over draws; each check is vectorised over packages
        member = bp.item(tuple(int(x) for x in np.unravel_index(k, shape))) if shape else bp
        out[k] = any_feasible(problem_from_scenario(scenario, member, **options))
    return out.reshape(shape) if shape else out[0]


def draw_numbers(
    scenario: Scenario, problem: BargainingProblem, template: DealProblem, **options: Any
) -> tuple[DrawNumbers, np.ndarray]:
    """The numbers of every member of a batched ``problem`` (flattened to N draws) as
    :func:`problem_from_scenario` would build them on ``template``'s consent issues, and ``(N,)`` whether
    the batched probe may take the draw: numbers :class:`DealProblem` accepts (a finite status quo,
    saliences >= 0, red lines with low <= high) and at most ``MAX_ENUMERATE`` packages (else
    :func:`~realpolitik.deals.core.any_feasible` searches)."""
    b = problem.batch_shape_all
    n = int(np.prod(b)) if b else 1
    a, d_all = problem.n_actors, problem.n_issues
    cols = [problem.issues.index(d) for d in template.issues]

    def flat(arr: np.ndarray, tail: tuple[int, ...]) -> np.ndarray:
        return np.broadcast_to(arr, (*b, *tail)).reshape(n, *tail)

    sal = flat(problem.salience, (a, d_all))
    if problem.present is not None:
        sal = np.where(problem.present, sal, 0.0)
    sal = np.ascontiguousarray(sal[:, :, cols])
    pos = np.ascontiguousarray(flat(problem.position, (a, d_all))[:, :, cols])
    sq = np.ascontiguousarray(flat(problem.status_quo, (d_all,))[:, cols])
    acc = np.ascontiguousarray(flat(problem.acceptable_range, (a, d_all, 2))[:, :, cols])
    dis = np.broadcast_to(sq[:, None, :], pos.shape).copy()
    consent = list(template.issues)
    for i, j, val in declared_disagreement(
        scenario, problem.actors, problem.issues, consent, options.get("disagreement")
    ):
        dis[:, i, j] = val
    custom = options.get("issue_options_")
    opts: list[np.ndarray] = []
    count = np.ones(n, dtype=np.int64)  # packages of each draw's own problem (capped above the limit)
    for j, d in enumerate(consent):
        base = consent_options(
            scenario, d, None, options.get("options", "auto"), options.get("step", 0.05), custom
        )
        new = ~(base[None, :] == sq[:, j, None]).any(axis=1)  # the status quo adds an option
        q = sq[:, j]
        if not new.any():
            o = np.broadcast_to(base, (n, base.size))
        elif (q == q[0]).all():
            o = np.broadcast_to(np.unique(np.append(base, q[0])), (n, base.size + 1))
        else:  # one more option per draw: its status quo (a repeat where it is already an option)
            o = np.concatenate([np.broadcast_to(base, (n, base.size)), q[:, None]], axis=1)
        opts.append(o)
        count = np.minimum(count * (base.size + new), MAX_ENUMERATE + 1)
    ok = (
        np.isfinite(sq).all(axis=1)
        & ~(sal < 0).any(axis=(1, 2))
        & ~(acc[..., 0] > acc[..., 1]).any(axis=(1, 2))
        & (count <= MAX_ENUMERATE)
    )
    return DrawNumbers(pos, sal, dis, acc, sq, tuple(opts)), ok


def deal_exists(scenario: Scenario, problem: BargainingProblem | None = None, **options: Any) -> np.ndarray:
    """Whether some package is feasible, for the scenario's structure (parties, vetoes, risk, labels) with the
    numbers of ``problem`` (default: the scenario's own); a batched problem gives one flag per member.

    This is the probe Monte Carlo uses. ``options`` are those of :func:`problem_from_scenario`
    (``options``, ``step``, ``margin``...). The structure is built once; the draws are judged together,
    every package of every draw at once in bounded passes (:func:`~realpolitik.deals.batch.feasible_draws`;
    a draw stops at its first block with a feasible package). The flags are those of
    :func:`deal_exists_per_draw`: draws it does not take (a space searched rather than enumerated, numbers
    a :class:`DealProblem` refuses) go through it.
    """
    bp = scenario_problem(scenario) if problem is None else problem
    shape = bp.batch_shape_all
    if not shape:
        return deal_exists_per_draw(scenario, bp, **options)
    if "structure" not in options:  # who signs what depends on the scenario, not on a draw's numbers
        options = {**options, "structure": decision_structure(scenario)}
    first = bp.item(tuple(0 for _ in shape))
    template = problem_from_scenario(scenario, first, **options)  # refuses what the first draw refuses
    numbers, batched = draw_numbers(scenario, bp, template, **options)
    out = np.zeros(numbers.n, dtype=bool)
    for k in np.flatnonzero(~batched):  # in draw order, as the loop would meet them
        member = bp.item(tuple(int(x) for x in np.unravel_index(int(k), shape)))
        out[k] = any_feasible(problem_from_scenario(scenario, member, **options))
    take = np.flatnonzero(batched)
    if take.size:
        out[take] = feasible_draws(template, numbers.take(take))
    return out.reshape(shape)
