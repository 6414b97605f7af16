"""Forecasts: run a registered model on a scenario, then read its result through the decision rules.

A bargaining model says where the pressure of the actors points (``pressure``); the scenario's decision
rules say whether that point can become the outcome (DESIGN §4a):

- ``collective`` issues: the model's outcome is the outcome;
- ``unilateral`` issues: the decider's final position in the model is the outcome;
- ``consent`` issues, agreement by agreement: the pressure package is the outcome if every signer and
  every veto holder accepts it (the one acceptance test of :mod:`realpolitik.deals`), else the status
  quo stands; when refused, the acceptable package nearest to the pressure is reported (what a mediator
  would table), if one exists;
- issues whose ``applies_if`` fails are moot: they keep their status quo.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from realpolitik import defaults
from realpolitik import display as _display
from realpolitik._rng import as_generator
from realpolitik.deals.judge import Condition, moot_mask
from realpolitik.deals.rules import Agreement, DecisionStructure, decision_structure
from realpolitik.deals.space import DealProblem, issue_options, judge_numbers
from realpolitik.environment.resolve import scenario_problem
from realpolitik.models import BargainingProblem, get_model
from realpolitik.models.run import (
    ModelInputError,
    ModelOutputError,
    ModelTooLargeError,
    check_inputs,
    check_weighted,
    checked_run,
    input_notes,
    run_problem,
    unweighted_issues,
)
from realpolitik.scenario.schema import Scenario

__all__ = [
    "AgreementOutcome",
    "Forecast",
    "ModelInputError",
    "ModelOutputError",
    "ModelTooLargeError",
    "RefusalReason",
    "RuleReader",
    "check_inputs",
    "check_weighted",
    "checked_run",
    "forecast",
    "forecast_problem",
    "run_problem",
    "scenario_problem",
    "unweighted_issues",
]

#: Packages a mediator's search enumerates per agreement at most (finer options above it are dropped).
MEDIATOR_MAX_PACKAGES = 200_000

#: The grid of the mediator's search, as a share of each issue's range (beside the issue's labels).
MEDIATOR_STEP = 0.05

#: Why a signer or veto holder refuses a package (:attr:`RefusalReason.reason`).
REFUSAL_REASONS = ("red_line", "loss", "no_gain")


@dataclass(frozen=True)
class RefusalReason:
    """Why one actor refuses an agreement's package, with the numbers that say it in words.

    ``reason``: ``red_line`` (a value lies outside its acceptable range), ``loss`` (it prefers no deal:
    its salience-weighted gain over its issues is below 0) or ``no_gain`` (it gains nothing, and a signer
    must gain to sign). The numbers are those of the deciding ``issue``: the actor's ``position``, its
    ``no_deal`` value (the status quo unless it declares another) and its acceptable range.
    """

    issue: str
    reason: str
    position: float
    no_deal: float
    acceptable: tuple[float, float]
    gain: float  # its salience-weighted gain over the agreement's issues (< 0: a loss)

    def to_json(self) -> dict[str, Any]:
        return {
            "issue": self.issue,
            "reason": self.reason,
            "position": self.position,
            "no_deal": self.no_deal,
            "acceptable": list(self.acceptable),
            "gain": self.gain,
        }


@dataclass
class AgreementOutcome:
    """One agreement (or lone consent issue) read through its rule."""

    id: str
    name: str | None
    issues: tuple[str, ...]
    signers: tuple[str, ...]
    veto_holders: tuple[str, ...]
    changes: bool  # the pressure moves one of its issues (that is not moot) from the status quo
    accepted: bool  # changes and every signer and veto holder accepts
    refused_by: dict[str, str]  # refusing actor -> the issue that decides its refusal
    breaches: dict[str, list[str]]  # actor -> issues where the pressure breaches its red line
    pressure: dict[str, float]
    outcome: dict[str, float]
    moot: list[str]
    nearest: dict[str, float] | None = None  # acceptable package nearest to the pressure (when refused)
    nearest_distance: float | None = None  # normalised distance of ``nearest`` from the pressure
    reasons: dict[str, RefusalReason] = field(default_factory=dict)  # refusing actor -> why

    @property
    def status(self) -> str:
        """``agreed``, ``refused`` or ``no change``."""
        return "agreed" if self.accepted else ("refused" if self.changes else "no change")

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "issues": list(self.issues),
            "signers": list(self.signers),
            "veto_holders": list(self.veto_holders),
            "status": self.status,
            "changes": self.changes,
            "accepted": self.accepted,
            "refused_by": dict(self.refused_by),
            "breaches": {a: list(v) for a, v in self.breaches.items()},
            "pressure": {d: float(v) for d, v in self.pressure.items()},
            "outcome": {d: float(v) for d, v in self.outcome.items()},
            "moot": list(self.moot),
            "nearest_acceptable": None
            if self.nearest is None
            else {d: float(v) for d, v in self.nearest.items()},
            "nearest_distance": self.nearest_distance,
            "refusals": {a: r.to_json() for a, r in self.reasons.items()},
        }


@dataclass
class Forecast:
    """One model's forecast for one scenario: the model's ``pressure`` and the ``outcome`` under the rules."""

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
    pressure: dict[str, float] = field(default_factory=dict)
    rules: dict[str, str] = field(default_factory=dict)
    deciders: dict[str, str] = field(default_factory=dict)
    agreements: list[AgreementOutcome] = field(default_factory=list)
    moot: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the model did not use of the data, in words
    stable: dict[str, bool] = field(default_factory=dict)  # ruled outcome the same in every phase of a cycle

    def __post_init__(self) -> None:
        if not self.pressure:
            self.pressure = dict(self.outcome)
        if not self.rules:
            self.rules = {d: "collective" for d in self.issues}

    @property
    def final_positions(self) -> dict[str, dict[str, float]]:
        last = self.trajectory[-1]
        return {
            a: {d: float(last[i, j]) for j, d in enumerate(self.issues)} for i, a in enumerate(self.actors)
        }

    @property
    def converged(self) -> dict[str, bool] | None:
        """Per issue, whether the model's run converged (None when the model reports nothing)."""
        c = self.extras.get("converged") if isinstance(self.extras, dict) else None
        if isinstance(c, dict):
            return {str(k): bool(v) for k, v in c.items()}
        return None

    @property
    def settled(self) -> dict[str, bool]:
        """Per issue, whether ``outcome`` is a point forecast: the model converged there, or it did not but
        the decision rule gives the same outcome in every round of its cycle (or last window)."""
        conv = self.converged or {}
        return {d: bool(conv.get(d, True)) or bool(self.stable.get(d, False)) for d in self.issues}

    # notebook display (realpolitik.display) -----------------------------------------------------------
    def __repr__(self) -> str:
        return _display.forecast_repr(self)

    def _repr_html_(self) -> str:
        return _display.forecast_html(self)

    def to_frame(self) -> Any:
        """One row per issue (a pandas DataFrame): outcome under the rule, pressure, rule."""
        return _display.forecast_frame(self)

    def plot(self) -> Any:
        """The forecast per issue (a Plotly figure)."""
        return _display.forecast_plot(self)

    def agreement(self, key: str) -> AgreementOutcome | None:
        """The agreement with this id, or the one holding this issue."""
        return next((a for a in self.agreements if a.id == key or key in a.issues), None)

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
            "pressure": {d: float(v) for d, v in self.pressure.items()},
            "rules": dict(self.rules),
            "deciders": dict(self.deciders),
            "agreements": [a.to_json() for a in self.agreements],
            "moot": list(self.moot),
            "converged": self.converged,
            "settled": self.settled,
            "notes": list(self.notes),
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
    if isinstance(obj, float):
        return obj + 0.0  # never -0.0
    return obj


# ------------------------------------------------------------------------------------------ the rule
@dataclass
class RuleReader:
    """A scenario's decision rules ready to read model results, one or a batch of draws at a time."""

    structure: DecisionStructure
    issues: tuple[str, ...]
    deals: DealProblem | None  # over the consent issues (None: no consent issue)
    consent_cols: np.ndarray  # columns of the consent issues in the full problem
    kind: np.ndarray  # (D,) 0 collective, 1 consent, 2 unilateral
    decider: np.ndarray  # (D,) actor index (unilateral) or -1
    conditions_all: tuple  # Conditions over all issues, dependency order
    width: np.ndarray  # (D,)

    @classmethod
    def of(cls, scenario: Scenario, problem: BargainingProblem) -> RuleReader:
        """The rules of ``scenario`` over the issues of ``problem`` (the first member of a batch sets the
        deal problem's structure; numbers are taken per draw when reading)."""
        st = decision_structure(scenario)
        issues = problem.issues
        kinds = {"collective": 0, "consent": 1, "unilateral": 2}
        kind = np.array([kinds[st.rules[d]] for d in issues], dtype=np.int8)
        decider = np.array(
            [problem.actors.index(st.deciders[d]) if d in st.deciders else -1 for d in issues], dtype=np.int64
        )
        deals = None
        if st.consent_issues:
            base = (
                problem
                if not problem.batch_shape_all
                else problem.item(tuple(0 for _ in problem.batch_shape_all))
            )
            # imported here, not at the top: only scenarios with consent issues need the deal analysis
            # (start-up of a command-line forecast of a file without them; not a cycle)
            from realpolitik.deals.analysis import problem_from_scenario

            deals = problem_from_scenario(scenario, base, structure=st)
        cols = np.array([issues.index(d) for d in st.consent_issues], dtype=np.int64)
        conds = tuple(
            Condition(issues.index(c.issue), issues.index(c.on), c.op, c.value) for c in st.conditions
        )
        return cls(
            structure=st,
            issues=issues,
            deals=deals,
            consent_cols=cols,
            kind=kind,
            decider=decider,
            conditions_all=conds,
            width=np.asarray(problem.bounds[:, 1] - problem.bounds[:, 0], dtype=float),
        )

    # -------------------------------------------------------------------------------------- batched core
    def read(
        self, problem: BargainingProblem, pressure: np.ndarray, final: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Ruled outcomes from model results, for one problem or a batch.

        ``pressure`` ``(..., D)`` is the model's outcome, ``final`` ``(..., A, D)`` the actors' final
        positions. Returns the outcome ``(..., D)``, the moot issues ``(..., D)`` and, when there are
        consent issues, whether each agreement is concluded ``(..., G)``.
        """
        p = np.asarray(pressure, dtype=float)
        sq = np.broadcast_to(np.asarray(problem.status_quo, dtype=float), p.shape)
        base = p.copy()
        uni = self.kind == 2
        if uni.any():
            fin = np.asarray(final, dtype=float)
            dec = np.broadcast_to(
                np.where(self.decider >= 0, self.decider, 0), fin.shape[:-2] + (1, fin.shape[-1])
            )
            base = np.where(uni, np.take_along_axis(fin, dec, axis=-2)[..., 0, :], base)
        moot = moot_mask(self.conditions_all, base, self.width, sq)
        base = np.where(moot & np.isfinite(sq), sq, base)
        accepted = None
        if self.deals is not None:
            cols = self.consent_cols
            values = base[..., cols]
            acc_range = problem.acceptable_range[..., cols, :]
            d = self.deals
            dis = d.disagreement
            if problem.batch_shape_all:
                # draws carry their own status quo: the no-deal values of actors without a declared one follow it
                declared = d.disagreement != d.status_quo[None, :]
                dis = np.where(declared, d.disagreement, sq[..., None, cols])
            sal = np.asarray(problem.salience, dtype=float)[..., cols]
            if problem.present is not None:
                sal = np.where(problem.present[:, cols], sal, 0.0)
            j = judge_numbers(
                d,
                values,
                position=np.asarray(problem.position, dtype=float)[..., cols],
                salience=sal,
                acceptable=acc_range,
                disagreement=dis,
                status_quo=sq[..., cols],
            )
            accepted = j.group_accept(d.rows())  # (..., G)
            concluded = accepted[..., d.group]  # (..., D')
            ruled = np.where(concluded, values, sq[..., cols])
            base[..., cols] = ruled
        # an issue the model gave no outcome on (nobody weighs it) has none under the rule either
        base = np.where(np.isnan(p) & ~moot, np.nan, base)
        return base, moot, accepted

    # -------------------------------------------------------------------------------------- one forecast
    def agreements(
        self, problem: BargainingProblem, pressure: np.ndarray, outcome: np.ndarray, moot: np.ndarray
    ) -> list[AgreementOutcome]:
        """The agreements of one (unbatched) forecast, with refusals and the mediator's package."""
        d = self.deals
        if d is None:
            return []
        cols = self.consent_cols
        # the package the rule judged: unilateral/moot adjustments applied, consent issues at the pressure
        judged = np.asarray(outcome, dtype=float).copy()
        judged[cols] = np.where(moot[cols], d.status_quo, np.asarray(pressure, dtype=float)[cols])
        v = judged[cols]
        rows = d.rows()
        j = d.judge(v, contributions=True)
        decisive = j.decisive_issue(rows, d.width, v, d.acceptable)
        concluded = j.group_accept(rows)
        out: list[AgreementOutcome] = []
        for g, ag in enumerate(self.structure.agreements):
            changes = bool(j.active[g])
            accepted = bool(concluded[g])
            refused: dict[str, str] = {}
            reasons: dict[str, RefusalReason] = {}
            breaches: dict[str, list[str]] = {}
            for r in np.flatnonzero(rows.group == g):
                actor = d.actors[int(rows.actor[r])]
                if changes and not j.accept[r] and actor not in refused:
                    refused[actor] = d.issues[int(decisive[r])] if decisive[r] >= 0 else ag.issues[0]
                    reasons[actor] = _reason(d, j, int(r), d.issues.index(refused[actor]))
                for k in np.flatnonzero(j.outside[r]) if changes else ():
                    row = breaches.setdefault(actor, [])
                    if d.issues[int(k)] not in row:
                        row.append(d.issues[int(k)])
            nearest, dist = (None, None)
            if changes and not accepted:
                nearest, dist = self.mediator(ag, g, v)
            out.append(
                AgreementOutcome(
                    id=ag.id,
                    name=ag.name,
                    issues=ag.issues,
                    signers=ag.signers,
                    veto_holders=ag.veto_holders,
                    changes=changes,
                    accepted=accepted,
                    refused_by=refused,
                    breaches=breaches,
                    pressure={k: float(pressure[self.issues.index(k)]) for k in ag.issues},
                    outcome={k: float(outcome[self.issues.index(k)]) for k in ag.issues},
                    moot=[k for k in ag.issues if moot[self.issues.index(k)]],
                    nearest=nearest,
                    nearest_distance=dist,
                    reasons=reasons,
                )
            )
        return out

    def mediator(
        self, ag: Agreement, g: int, package: np.ndarray
    ) -> tuple[dict[str, float] | None, float | None]:
        """The acceptable package of agreement ``g`` nearest to ``package`` (other agreements at the status
        quo), over its issues' labelled points and a grid of :data:`MEDIATOR_STEP` of each range (finer
        than the deal analysis's options when those are the labels); None when no package is acceptable."""
        d = self.deals
        assert d is not None
        members = d.group_issues(g)
        opts = []
        for j in members:
            o = issue_options(
                tuple(d.bounds[j]),
                float(d.status_quo[j]),
                list(d.options[j]),
                step=MEDIATOR_STEP,
                mode="both",
            )
            opts.append(o)
        if int(np.prod([o.size for o in opts])) > MEDIATOR_MAX_PACKAGES:
            opts = [d.options[j] for j in members]
        grids = np.meshgrid(*opts, indexing="ij")
        cand = np.stack([x.reshape(-1) for x in grids], axis=-1)  # (n, |g|)
        full = np.broadcast_to(d.status_quo, (cand.shape[0], d.n_issues)).copy()
        full[:, members] = cand
        ok = d.judge(full).feasible
        if not ok.any():
            return None, None
        target = np.asarray(package, dtype=float)[members]
        moot = d.moot(full)[:, members]
        eff = np.where(moot, d.status_quo[members], cand)
        dist = np.sqrt((((eff - target) / d.width[members]) ** 2).sum(axis=1))
        dist = np.where(ok, np.round(dist, 12), np.inf)
        best = int(np.argmin(dist))
        return {d.issues[j]: float(full[best, j]) for j in members}, float(dist[best])


def _reason(d: DealProblem, j: Any, row: int, issue: int) -> RefusalReason:
    """Why row ``row`` of judgement ``j`` (with contributions) refuses: a red line, a loss or no gain."""
    a = int(d.rows().actor[row])
    gain = float(j.gain[row])
    if bool(j.outside[row].any()):
        reason = "red_line"
    elif gain < 0:
        reason = "loss"
    else:
        reason = "no_gain"
    return RefusalReason(
        issue=d.issues[issue],
        reason=reason,
        position=float(d.position[a, issue]),
        no_deal=float(d.disagreement[a, issue]),
        acceptable=(float(d.acceptable[a, issue, 0]), float(d.acceptable[a, issue, 1])),
        gain=gain,
    )


def forecast_problem(
    problem: BargainingProblem,
    scenario_id: str,
    model: str,
    *,
    seed: int | None = None,
    scenario: Scenario | None = None,
    **params: Any,
) -> Forecast:
    """A Forecast from an unbatched problem; with ``scenario``, read through its decision rules."""
    info = get_model(model)
    merged = info.check_params(params)
    check_inputs(info, problem, scenario_id)
    check_weighted(info, problem, scenario_id)
    traj = checked_run(info, problem, as_generator(seed if seed is not None else 0), params)
    extras = info.extras_to_json(traj.extras, problem) if info.extras_to_json else _jsonable(traj.extras)
    positions = np.asarray(traj.positions)
    pressure = np.asarray(traj.outcome, dtype=float)
    f = Forecast(
        scenario=scenario_id,
        model=model,
        actors=problem.actors,
        issues=problem.issues,
        outcome={d: float(v) for d, v in zip(problem.issues, pressure, strict=True)},
        trajectory=positions,
        rounds=int(np.asarray(traj.rounds)),
        extras=extras,
        params=merged,
        seed=seed,
        notes=input_notes(info, problem),
    )
    if scenario is not None:
        reader = RuleReader.of(scenario, problem)
        outcome, moot, _ = reader.read(problem, pressure, positions[-1])
        f.outcome = {d: float(v) for d, v in zip(problem.issues, outcome, strict=True)}
        f.rules = dict(reader.structure.rules)
        f.deciders = dict(reader.structure.deciders)
        f.moot = [d for d, m in zip(problem.issues, moot, strict=True) if m]
        f.agreements = reader.agreements(problem, pressure, outcome, moot)
        f.stable = _stable_under_rule(reader, problem, f, positions, outcome)
    return f


#: Rounds read back when a run ends in no cycle and no convergence (the model's own averaging window).
WINDOW = 12


def _stable_under_rule(
    reader: RuleReader, problem: BargainingProblem, f: Forecast, positions: np.ndarray, outcome: np.ndarray
) -> dict[str, bool]:
    """For issues where the model did not converge: whether the rule gives the same outcome in every round
    of the cycle (or of the last window), reading each round's median and positions as the pressure."""
    conv = f.converged or {}
    ex = f.extras if isinstance(f.extras, dict) else {}
    med = ex.get("median_by_round")
    cyc = ex.get("cycle_length") or {}
    loose = [d for d in f.issues if conv.get(d) is False]
    if not loose or not isinstance(med, dict):
        return {}
    n_rounds = positions.shape[0]
    span = max(int(cyc.get(d) or 0) or min(WINDOW, n_rounds) for d in loose)
    span = min(span, n_rounds)
    base = np.array([f.pressure[d] for d in f.issues])
    ruled = []
    for k in range(1, span + 1):
        p_k = base.copy()
        for j, d in enumerate(f.issues):
            if d in loose and len(med.get(d, [])) >= k:
                p_k[j] = float(med[d][-k])
        o_k, _, _ = reader.read(problem, p_k, positions[-k])
        ruled.append(o_k)
    ruled_arr = np.array(ruled)
    return {
        d: bool(np.all(np.abs(ruled_arr[:, j] - outcome[j]) <= 1e-9))
        for j, d in enumerate(f.issues)
        if d in loose
    }


def forecast(
    scenario: Scenario, model: str = defaults.MODEL, *, seed: int | None = None, **params: Any
) -> Forecast:
    """Forecast every issue of ``scenario`` with a registered model (after links are resolved), read
    through the scenario's decision rules (``outcome``; the model's own result is ``pressure``).

    ``model`` defaults to :data:`realpolitik.defaults.MODEL`, the model of every command that runs one."""
    problem = scenario_problem(scenario)
    return forecast_problem(problem, scenario.id, model, seed=seed, scenario=scenario, **params)
