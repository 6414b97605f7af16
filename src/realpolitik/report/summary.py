"""The summary card: the answer first, as data (the templates, the terminal and the web app render it).

A scenario's issues fall under decision rules (docs/rules.md): consent issues are signed in
**agreements**, a unilateral issue is one actor's own decision, a collective one is decided by all the
actors as the models weigh them. The card says, in that order:

- one :class:`Headline` per agreement and per issue outside an agreement (the answer in one sentence);
- one :class:`AgreementLine` per agreement: signers and veto holders, its status in every model (agreed,
  refused by whom, on which issue, red line or no gain, or no change), red lines that leave no common
  ground, the opening concession (the deal analysis' ``text``), the nearest acceptable package when the
  analysis model's pressure is refused, P(agreement) over the Monte Carlo draws with its model;
- one :class:`IssueLine` per issue: the analysis model's **outcome** under the rule (what the rule lets
  through) first and its **pressure** beside it (what the model's actors push for), every model's pair,
  the Monte Carlo range of both, and flags. A value that is not a point forecast (the model did not
  converge and the rule does not settle it: ``Forecast.settled``) is ``None``, never a number;
- what linking the agreements would change, the precedents applied here, and how far to trust it all.

Everything is read from the parts' documented JSON and :class:`~realpolitik.forecast.Forecast` objects;
no sentence is written for a particular case.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from realpolitik._text import and_list, human, the
from realpolitik.deals.core import REVERSAL_SHARE
from realpolitik.forecast import MEDIATOR_STEP
from realpolitik.report.stats import multimodal
from realpolitik.scenario.io import provenance

if TYPE_CHECKING:
    from realpolitik.report.analysis import Analysis

#: Models agree on an issue when all their point forecasts lie within this share of its range.
AGREE_SHARE = 0.10

#: What the two numbers of a forecast mean (shown beside them wherever both appear).
LEGEND = (
    "Outcome: what the decision rule lets through (the forecast); "
    "pressure: where the model's actors push, before the rule"
)
#: Added to :data:`LEGEND` on a card with agreements.
P_LEGEND = (
    "; P(agreement): the share of Monte Carlo draws of the uncertain inputs, each within the range the "
    "scenario gives it, in which the agreement is concluded (how robust the verdict is to those ranges, "
    "not a probability of events beyond them)"
)

REASON_WORDS = {"red_line": "red line", "loss": "a loss", "no_gain": "no gain"}


# ------------------------------------------------------------------------------------------ data
@dataclass(frozen=True)
class ModelValue:
    """One model's answer on one issue: the ruled outcome and the pressure beside it."""

    model: str
    outcome: float | None  # under the rule; None: not a point forecast (or no outcome)
    pressure: float | None  # the model's own; None: the model did not converge there
    converged: bool | None = None
    cycle_length: int | None = None
    cycle_range: tuple[float, float] | None = None
    settled: bool = True  # the outcome is a point forecast (converged, or the rule settles the cycle)
    moot: bool = False

    @property
    def ruled(self) -> bool:
        """True when the decision rule moved the outcome away from the model's own."""
        return (
            self.outcome is not None
            and self.pressure is not None
            and abs(self.outcome - self.pressure) > 1e-9
        )


@dataclass(frozen=True)
class IssueLine:
    issue: str
    name: str
    unit: str | None
    bounds: tuple[float, float]
    status_quo: float | None
    model: str | None  # the analysis model
    outcome: float | None  # its ruled outcome (None: not a point forecast, or not run)
    pressure: float | None  # its own outcome before the decision rule (None: did not converge)
    label: str | None  # the labelled point nearest the outcome, when close
    converged: bool | None
    cycle_range: tuple[float, float] | None
    models: tuple[ModelValue, ...]
    models_low: ModelValue | None  # lowest and highest ruled point forecast over the models
    models_high: ModelValue | None
    models_agree: bool | None
    mc_model: str | None = None
    mc_median: float | None = None
    mc_interval: tuple[float, float] | None = None
    mc_modes: tuple[dict[str, float], ...] = ()
    flags: tuple[str, ...] = ()
    rule: str = "collective"  # collective | consent | unilateral
    decider: str | None = None  # unilateral: who decides
    decider_position: float | None = None  # unilateral: the decider's stated position (the input)
    label_at: float | None = None  # where ``label``'s point is (``near`` it when not the outcome itself)
    agreement: str | None = None  # consent: the agreement that holds it
    moot: bool = False  # moot in the analysis model's forecast
    condition: str | None = None  # "applies only if ..." when the issue is conditional
    settled: bool | None = None  # the analysis model's outcome is a point forecast
    pressure_low: float | None = None  # range of the models' pressures
    pressure_high: float | None = None
    mc_pressure_interval: tuple[float, float] | None = None  # 80% of the draws' pressure

    @property
    def width(self) -> float:
        return float(self.bounds[1] - self.bounds[0]) or 1.0

    @property
    def multimodal(self) -> bool:
        return multimodal(list(self.mc_modes))

    @property
    def rule_text(self) -> str:
        """``consent (peace_treaty)``, ``unilateral: RUS decides``, ``collective``."""
        if self.rule == "unilateral" and self.decider:
            return f"unilateral: {self.decider} decides"
        if self.rule == "consent" and self.agreement and self.agreement != self.issue:
            return f"consent, in {self.agreement}"
        return self.rule


@dataclass(frozen=True)
class AgreementModel:
    """One model's verdict on one agreement."""

    model: str
    status: str  # agreed | refused | no change
    refused_by: dict[str, str]  # actor -> the issue that decides its refusal
    reasons: dict[str, str]  # actor -> red_line | loss | no_gain
    pressure: dict[str, float]
    outcome: dict[str, float]
    nearest: dict[str, float] | None = None
    settled: bool = True  # every issue's ruled outcome is a point forecast
    positions: dict[str, float] = field(default_factory=dict)  # refusing actor -> its position on its issue
    no_deal: dict[str, float] = field(default_factory=dict)  # refusing actor -> its no-deal value there
    breaches: dict[str, tuple[str, ...]] = field(default_factory=dict)  # refusing actor -> red lines crossed


@dataclass(frozen=True)
class Refusal:
    """Who refuses, on which issue, why, and in which models (with the numbers that say why)."""

    actor: str
    issue: str
    reason: str  # red_line | loss | no_gain
    models: tuple[str, ...]
    pressure: tuple[float, float] | None = None  # lowest and highest pressure on ``issue`` in those models
    position: float | None = None  # the actor's position on ``issue``
    no_deal: float | None = None  # its value without the agreement
    status_quo: float | None = None  # the issue's status quo
    single: bool = True  # the agreement has this one issue (else the actor loses most on it)


@dataclass(frozen=True)
class AgreementLine:
    """Whether an agreement is concluded, who refuses it and why, and what would open it."""

    id: str
    name: str
    issues: tuple[str, ...]
    signers: tuple[str, ...]
    veto_holders: dict[str, tuple[str, ...]]  # actor -> its veto issues here
    status: str  # agreed | split | refused | no change | unknown (no forecast)
    verdict: str  # the answer, a sentence that follows the name
    models: tuple[AgreementModel, ...] = ()
    refusals: tuple[Refusal, ...] = ()
    conflicts: tuple[str, ...] = ()  # red lines that leave no common ground, in words
    feasible: bool | None = None  # some acceptable package changes it (deal analysis)
    package: str | None = None  # the best acceptable package that changes it, in words
    opening_concession: str | None = None  # the smallest single change that opens it (words)
    no_single_concession: bool = False  # the deal analysis found none
    nearest: dict[str, float] | None = None  # the analysis model's nearest acceptable package (refused)
    nearest_model: str | None = None
    nearest_note: str | None = None  # how ``nearest`` was searched, when finer than the deal options
    opening_reversal: bool = False  # the opening "concession" reverses a position (over half the scale)
    probability: float | None = None
    probability_model: str | None = None
    probability_draws: int | None = None

    @property
    def n_models(self) -> int:
        return len(self.models)

    def count(self, status: str) -> int:
        return sum(1 for m in self.models if m.status == status)


@dataclass(frozen=True)
class Headline:
    """The answer for one agreement or one issue outside an agreement, in one sentence."""

    kind: str  # agreement | unilateral | collective | moot
    key: str  # agreement or issue id
    title: str  # the agreement's or the issue's name
    answer: str  # the answer, a sentence that follows the title
    style: str  # yes | no | mixed | own | neutral

    @property
    def text(self) -> str:
        return f"{self.title}: {self.answer}"


@dataclass(frozen=True)
class SummaryCard:
    scenario: str
    title: str
    as_of: str | None
    model: str | None
    model_reason: str
    issues: tuple[IssueLine, ...]
    agreements: tuple[AgreementLine, ...]
    uncertainty: str | None  # how Monte Carlo ran, or why it did not
    flags: tuple[str, ...] = field(default=())
    headlines: tuple[Headline, ...] = ()
    linkage: str | None = None  # what signing the agreements as one would change
    precedents: tuple[str, ...] = ()  # each precedent applied here, in words
    trust: str | None = None  # how far to trust it, one sentence
    legend: str = LEGEND
    provenance: str | None = None  # where the scenario's numbers come from (documents, analyst judgment)

    def to_json(self) -> dict[str, Any]:
        return _plain(asdict(self))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SummaryCard:
        """The card back from :meth:`to_json` (a stored run shows what it computed, without recomputing)."""
        card = _from_json(cls, data)
        assert isinstance(card, SummaryCard)
        return card


def _plain(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, (np.floating, float)):
        return float(obj) if np.isfinite(obj) else None
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


# ------------------------------------------------------------------------------------------ words
def g(v: float | None) -> str:
    """A value on an issue's scale in a sentence: ``—``, ``0``, ``6.9``, ``72.3``."""
    if v is None or not np.isfinite(v):
        return "—"
    if abs(v) < 0.05:
        return "0"
    return f"{v:.1f}".removesuffix(".0") if abs(v) < 1000 else f"{v:,.0f}"


_g = g


def exact(v: float | None) -> str:
    """A number as given, without trailing zeros (up to 2 decimals): ``0``, ``6.9``, ``2.25``, ``100``."""
    if v is None or not np.isfinite(v):
        return "—"
    text = f"{float(v):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def package_words(values: dict[str, float], labels: dict[str, str | None] | None = None) -> str:
    """``economic cooperation 75 (full 8-point plan)``; several issues joined with ``;``."""
    labels = labels or {}
    return "; ".join(
        f"{human(k)} {g(v)}" + (f" ({labels[k]})" if labels.get(k) else "") for k, v in values.items()
    )


def nearest_point(labels: dict[float, str], bounds: tuple[float, float], value: float | None) -> float | None:
    """The labelled point nearest ``value``, when within 5% of the range."""
    if value is None or not labels:
        return None
    keys = np.array(sorted(labels))
    k = float(keys[np.argmin(np.abs(keys - value))])
    return k if abs(k - value) <= 0.05 * (bounds[1] - bounds[0]) else None


def nearest_label(labels: dict[float, str], bounds: tuple[float, float], value: float | None) -> str | None:
    """The label of the labelled point nearest ``value``, when within 5% of the range."""
    k = nearest_point(labels, bounds, value)
    return None if k is None else labels[k]


def convergence(
    extras: dict[str, Any] | None, issue: str
) -> tuple[bool | None, int | None, tuple[float, float] | None]:
    """(converged, cycle length, cycle range) of one issue from a model's extras, None where absent."""
    ex = extras if isinstance(extras, dict) else {}
    conv = ex.get("converged")
    c = conv.get(issue) if isinstance(conv, dict) else None
    length = ex.get("cycle_length")
    n = length.get(issue) if isinstance(length, dict) else None
    rng = ex.get("cycle_range")
    r = rng.get(issue) if isinstance(rng, dict) else None
    r_t = (float(r[0]), float(r[1])) if isinstance(r, (list, tuple)) and len(r) == 2 else None
    return (None if c is None else bool(c)), (None if n is None else int(n)), r_t


def _finite(v: Any) -> float | None:
    return None if v is None or not np.isfinite(v) else float(v)


def model_value(f: Any, issue: str) -> ModelValue:
    """One forecast's answer on ``issue``: the ruled outcome (None when it is not a point forecast) and
    the pressure (None when the model did not converge there)."""
    converged, length, rng = convergence(getattr(f, "extras", None), issue)
    out = f.outcome.get(issue)
    pressure_map = getattr(f, "pressure", None)
    pressure = pressure_map.get(issue, out) if isinstance(pressure_map, dict) else out
    settled_map = getattr(f, "settled", None)
    settled = (
        bool(settled_map.get(issue, converged is not False))
        if isinstance(settled_map, dict)
        else converged is not False
    )
    out, pressure = _finite(out), _finite(pressure)
    if not settled:
        out = None
    if converged is False:
        pressure = None
    moot = issue in (getattr(f, "moot", None) or ())
    return ModelValue(f.model, out, pressure, converged, length, rng, settled, moot)


def condition_text(scenario: Any, issue: str) -> str | None:
    """``applies only if territory > 0`` for a conditional issue."""
    conds = getattr(scenario.issue(issue), "applies_if", None) or []
    if not conds:
        return None
    return "applies only if " + " and ".join(f"{human(c.issue)} {c.op} {g(float(c.value))}" for c in conds)


# ------------------------------------------------------------------------------------------ issues
def _issue_line(
    a: Analysis, iss: Any, rules: dict[str, str], deciders: dict[str, str], where: dict
) -> IssueLine:
    width = float(iss.bounds[1] - iss.bounds[0]) or 1.0
    values = tuple(model_value(f, iss.id) for f in a.forecasts)
    points = [v for v in values if v.outcome is not None]
    low = min(points, key=lambda v: v.outcome or 0.0) if points else None
    high = max(points, key=lambda v: v.outcome or 0.0) if points else None
    agree = None
    if low is not None and high is not None and len(points) > 1:
        agree = (high.outcome or 0.0) - (low.outcome or 0.0) <= AGREE_SHARE * width
    pressures = [v.pressure for v in values if v.pressure is not None]
    head = next((v for v in values if v.model == a.model), None)
    flags: list[str] = []
    for v in values:
        if v.converged is False:
            where_ = f" between {g(v.cycle_range[0])} and {g(v.cycle_range[1])}" if v.cycle_range else ""
            cyc = f" (a cycle of {v.cycle_length} rounds)" if v.cycle_length else ""
            if v.settled:
                flags.append(
                    f"{v.model}'s pressure does not converge{where_}{cyc}, but the rule gives "
                    f"{g(v.outcome)} in every round of it"
                )
            else:
                flags.append(f"{v.model} did not converge{where_}{cyc}: no point forecast")
        elif not v.settled:
            flags.append(f"{v.model}: no point forecast")
    mc = (a.montecarlo or {}).get("issues", {}).get(iss.id)
    mc_modes = tuple((a.extras.get("mc_modes") or {}).get(iss.id) or ())
    median = interval = p_interval = None
    if mc:
        median = mc["quantiles"].get("50")
        iv = mc.get("interval80") or [None, None]
        interval = (iv[0], iv[1]) if None not in iv else None
        piv = (mc.get("pressure") or {}).get("interval80") or [None, None]
        p_interval = (piv[0], piv[1]) if None not in piv else None
        if len(mc_modes) < 2 and interval is not None and interval[1] - interval[0] > 0.5 * width:
            flags.append(
                "very uncertain: 80% of the Monte Carlo outcomes spread over more than half the range"
            )
    outcome = head.outcome if head else None
    return IssueLine(
        issue=iss.id,
        name=iss.name,
        unit=iss.unit,
        bounds=(float(iss.bounds[0]), float(iss.bounds[1])),
        status_quo=float(iss.status_quo.value) if iss.status_quo is not None else None,
        model=a.model,
        outcome=outcome,
        pressure=head.pressure if head else None,
        label=nearest_label(iss.labels, iss.bounds, outcome),
        converged=head.converged if head else None,
        cycle_range=head.cycle_range if head else None,
        models=values,
        models_low=low,
        models_high=high,
        models_agree=agree,
        mc_model=(a.montecarlo or {}).get("model"),
        mc_median=median,
        mc_interval=interval,
        mc_modes=mc_modes,
        flags=tuple(flags),
        rule=rules.get(iss.id, "collective"),
        decider=deciders.get(iss.id),
        decider_position=_stated(a.scenario, deciders.get(iss.id), iss.id),
        label_at=nearest_point(iss.labels, iss.bounds, outcome),
        agreement=where.get(iss.id),
        moot=bool(head.moot) if head else False,
        condition=condition_text(a.scenario, iss.id),
        settled=head.settled if head else None,
        pressure_low=min(pressures) if pressures else None,
        pressure_high=max(pressures) if pressures else None,
        mc_pressure_interval=p_interval,
    )


# ------------------------------------------------------------------------------------------ agreements
def _agreement_model(f: Any, ag: Any) -> AgreementModel:
    settled = getattr(f, "settled", {}) or {}
    why = getattr(ag, "reasons", None) or {}
    reasons = {
        actor: (why[actor].reason if actor in why else ("red_line" if ag.breaches.get(actor) else "no_gain"))
        for actor in ag.refused_by
    }
    return AgreementModel(
        model=f.model,
        status=ag.status,
        refused_by=dict(ag.refused_by),
        reasons=reasons,
        pressure=dict(ag.pressure),
        outcome=dict(ag.outcome),
        nearest=dict(ag.nearest) if ag.nearest else None,
        settled=all(settled.get(d, True) for d in ag.issues),
        positions={a: r.position for a, r in why.items()},
        no_deal={a: r.no_deal for a, r in why.items()},
        breaches={a: tuple(ag.breaches.get(a) or ()) for a in ag.refused_by if ag.breaches.get(a)},
    )


def _refusals(
    models: tuple[AgreementModel, ...],
    issues: tuple[str, ...] = (),
    status_quo: dict[str, float] | None = None,
) -> tuple[Refusal, ...]:
    seen: dict[tuple[str, str, str], list[AgreementModel]] = {}
    for m in models:
        for actor, issue in m.refused_by.items():
            # every red line the pressure crosses counts (not only the issue that decides the refusal)
            crossed = m.breaches.get(actor, ())
            for why in [(d, "red_line") for d in crossed] or [(issue, m.reasons.get(actor, "no_gain"))]:
                seen.setdefault((actor, *why), []).append(m)
    out = []
    sq = status_quo or {}
    for (actor, issue, reason), ms in seen.items():
        ps = [m.pressure[issue] for m in ms if issue in m.pressure]
        pos = next((m.positions[actor] for m in ms if actor in m.positions), None)
        nd = next((m.no_deal[actor] for m in ms if actor in m.no_deal), None)
        out.append(
            Refusal(
                actor,
                issue,
                reason,
                tuple(m.model for m in ms),
                (min(ps), max(ps)) if ps else None,
                pos,
                nd,
                sq.get(issue),
                len(issues) <= 1,
            )
        )
    return tuple(sorted(out, key=lambda r: (-len(r.models), r.actor)))


def _span_words(lo: float, hi: float) -> str:
    return g(lo) if g(lo) == g(hi) else f"{g(lo)}–{g(hi)}"


def refusal_why(r: Refusal) -> str:
    """Why a refusal that is no red line happens, in words: ``the pressure, 98.8–100, lies further from
    JPN's position 60.3 than the status quo 25: JPN would lose`` (empty without the numbers)."""
    if r.reason == "red_line" or r.pressure is None or r.position is None or r.no_deal is None:
        return ""
    same = r.status_quo is not None and abs(r.no_deal - r.status_quo) < 1e-9
    ref = f"the status quo {g(r.no_deal)}" if same else f"its value without a deal, {g(r.no_deal)}"
    where = "" if r.single else f" (it loses most on {human(r.issue)})"
    pressure = f"the pressure, {_span_words(*r.pressure)},"
    if r.reason == "loss":
        return f"{pressure} lies further from {r.actor}'s position {g(r.position)} than {ref}: {r.actor} would lose{where}"
    return f"{pressure} lies no nearer {r.actor}'s position {g(r.position)} than {ref}: {r.actor} would gain nothing{where}"


def refusal_words(refusals: tuple[Refusal, ...], n_models: int) -> str:
    """``USA on military status (red line, every model); JPN on economic cooperation (a loss, 3 of 5
    models: the pressure, 98.8–100, lies further from JPN's position 60.3 than the status quo 25: JPN would
    lose)``: who refuses, on which issue, why, and in which models."""
    by_actor: dict[str, list[Refusal]] = {}
    for r in refusals:
        by_actor.setdefault(r.actor, []).append(r)
    parts = []
    for actor, rs in sorted(by_actor.items(), key=lambda kv: -max(len(r.models) for r in kv[1])):
        bits = []
        for r in rs:
            k = len(r.models)
            if k == n_models:
                which = "every model" if n_models > 1 else r.models[0]
            elif k <= 2:
                which = " and ".join(r.models)
            else:
                which = f"{k} of {n_models} models"
            why = refusal_why(r)
            bits.append(
                f"on {human(r.issue)} ({REASON_WORDS.get(r.reason, r.reason)}, {which}"
                + (f": {why})" if why else ")")
            )
        parts.append(f"{actor} " + " and ".join(bits))
    return "; ".join(parts)


def nearest_note(nearest: dict[str, float] | None, options: dict[str, list[float]] | None) -> str | None:
    """How the nearest acceptable package was found, when a value of it is not among the deal analysis's
    options: ``searched on a 5% grid of the scale, finer than the deal analysis's options (0, 25, 50,
    75, 100)``."""
    if not nearest or not options:
        return None
    off = [d for d, v in nearest.items() if d in options and not any(abs(v - o) < 1e-9 for o in options[d])]
    if not off:
        return None
    opts = "; ".join(
        (f"{human(d)}: " if len(off) > 1 else "") + ", ".join(g(o) for o in options[d]) for d in off
    )
    return (
        f"searched on a {MEDIATOR_STEP:.0%} grid of the scale and the labelled points, finer than the deal "
        f"analysis's options ({opts})"
    )


def concession_words(c: dict[str, Any]) -> tuple[str, bool]:
    """The deal analysis's smallest opening concession in words, and whether it is a reversal (a position
    moved over more than :data:`REVERSAL_SHARE` of the scale): that is said as what it is."""
    size = float(c.get("size", 0.0))
    if c.get("field") == "position" and size > REVERSAL_SHARE:
        return (
            f"none short of a reversal: {c['actor']} would have to move its position on {human(c['issue'])} "
            f"from {exact(c['from'])} to {exact(c['to'])}, {size:.0%} of the scale",
            True,
        )
    text = c.get("text") or (
        f"{c['actor']} moves its {c['field']} on {human(c['issue'])} from {exact(c['from'])} to {exact(c['to'])}"
    )
    return f"{text} ({size:.0%} of the scale)", False


def _range_words(actor: str, lo: float, hi: float, bounds: tuple[float, float]) -> str:
    if hi - lo < 1e-9:
        return f"{actor} only {g(lo)}"
    if lo > bounds[0] and hi < bounds[1]:
        return f"{actor} only {g(lo)} to {g(hi)}" if hi > lo else f"{actor} only {g(lo)}"
    return f"{actor} at least {g(lo)}" if lo > bounds[0] else f"{actor} at most {g(hi)}"


def red_line_conflicts(
    scenario: Any,
    issues: tuple[str, ...],
    signers: tuple[str, ...],
    vetoes: dict[str, tuple[str, ...]],
    red_lines: dict[str, dict[str, dict[str, float]]],
) -> list[str]:
    """A sentence for each issue of an agreement where no value lies inside every signer's and veto
    holder's acceptable range (their red lines leave no common ground), saying whether the signers' own
    red lines already conflict without the vetoes."""

    def overlap(ranges: dict[str, dict[str, float]], who: list[str]) -> bool:
        rs = [ranges[a] for a in who if a in ranges]
        return not rs or max(r["low"] for r in rs) <= min(r["high"] for r in rs) + 1e-9

    out = []
    for d in issues:
        lo_b, hi_b = (float(x) for x in scenario.issue(d).bounds)
        b = (lo_b, hi_b)
        judges = [*signers, *(a for a, vs in vetoes.items() if d in vs and a not in signers)]
        ranges: dict[str, dict[str, float]] = {}
        for a in judges:
            r = red_lines.get(a, {}).get(d)
            if r:
                ranges[a] = r
        if len(ranges) < 2 or overlap(ranges, list(ranges)):
            continue
        words = [_range_words(a, r["low"], r["high"], b) for a, r in ranges.items()]
        words[0] = words[0].replace(" at ", " accepts at ", 1).replace(" only ", " accepts only ", 1)
        cond = condition_text(scenario, d)
        text = f"on {human(d)}" + (f" (it {cond})" if cond else "") + f": {and_list(words)}"
        veto_here = [a for a in ranges if a not in signers]
        own = [a for a in signers if a in ranges]
        if veto_here and not overlap(ranges, own):
            owners = and_list([a + "'s" for a in own])
            text += f"; even without {and_list(veto_here)}'s veto, {owners} own red lines conflict"
        elif veto_here:
            text += f"; {and_list(veto_here)}'s veto is what closes it ({and_list(own)} alone would find common ground)"
        out.append(text)
    return out


def _deal_agreement(a: Analysis, gid: str) -> dict[str, Any] | None:
    for ag in (a.deals or {}).get("agreements") or []:
        if ag.get("id") == gid:
            return ag
    return None


def _best_package(a: Analysis, gid: str, issues: tuple[str, ...]) -> str | None:
    for pkg in (a.deals or {}).get("packages") or []:
        if gid in (pkg.get("agreements") or []):
            vals = {d: pkg["values"][d] for d in issues if d not in (pkg.get("moot") or [])}
            moot = [d for d in issues if d in (pkg.get("moot") or [])]
            text = package_words(vals, pkg.get("labels") or {})
            return text + "".join(f"; {human(d)} moot" for d in moot)
    return None


def _verdict(line: dict[str, Any], n_agreements: int) -> str:
    """The answer for an agreement (without its name) from its counts, the deal analysis and P(agreement)."""
    n = line["n_models"]
    agreed, refused = line["agreed"], line["refused"]
    feasible = line["feasible"]
    prob = line["probability"]
    informative = prob is not None and (0.0 < prob < 1.0 or (prob == 1.0) != (agreed == n > 0))
    ptext = f"; P(agreement) {prob:.0%} in the {line['prob_model']} Monte Carlo" if informative else ""
    judges = and_list([*line["signers"], *(f"{v} (veto)" for v in line["vetoes"])])
    alone = " on its own" if n_agreements > 1 else ""
    why = ""
    if line["conflict_issues"]:
        why = f": their red lines on {and_list([human(d) for d in line['conflict_issues']])} leave no common ground"
    if n == 0:
        if feasible is True:
            return f"can be agreed{alone}: some package is acceptable to {judges}."
        if feasible is False:
            return f"not concluded: no package is acceptable to {judges}{why}."
        return "no forecast."
    every = "every model" if n > 1 else "the model"
    if agreed == n:
        return f"concluded in {every} ({n} of {n}){ptext}."
    if agreed:
        who = ", ".join(line["agreed_models"])
        lead = f"can be agreed{alone}" if feasible is not False else "concluded in some models"
        return f"{lead}: concluded in {agreed} of {n} models ({who}){ptext}."
    if refused == 0:
        return f"no change: no model's pressure moves it{ptext}."
    where = every if refused == n else f"{refused} of {n} models"
    if feasible is False:
        return f"not concluded: refused in {where}; no package is acceptable to {judges}{why}{ptext}."
    tail = "" if feasible is None else f", although some package is acceptable to {judges}"
    return f"not concluded: refused in {where}{tail}{ptext}."


def _agreement_lines(a: Analysis) -> tuple[AgreementLine, ...]:
    s = a.scenario
    order: list[Any] = []
    for f in a.forecasts:
        for ag in getattr(f, "agreements", None) or []:
            if ag.id not in [x.id for x in order]:
                order.append(ag)
    if not order and a.deals:  # no forecast ran: the structure from the deal analysis
        for dj in a.deals.get("agreements") or []:
            order.append(dj)
    red = (a.deals or {}).get("red_lines") or {}
    mc = a.montecarlo or {}
    probs = mc.get("agreement_probability") or {}
    out = []
    for ag in order:
        is_json = isinstance(ag, dict)
        gid = ag["id"] if is_json else ag.id
        dj = _deal_agreement(a, gid)
        issues = tuple(ag["issues"] if is_json else ag.issues)
        signers = tuple(ag["signers"] if is_json else ag.signers)
        if dj is not None:
            vetoes = {k: tuple(v) for k, v in (dj.get("veto_holders") or {}).items()}
        else:
            vhs = tuple(ag["veto_holders"] if is_json else ag.veto_holders)
            vetoes = {
                v: tuple(d for d in issues if any(v == x.actor and d in x.issues for x in s.vetoes))
                for v in vhs
            }
        name = (ag.get("name") if is_json else ag.name) or (s.issue(gid).name if gid in s.issue_ids else gid)
        models = tuple(
            _agreement_model(f, x)
            for f in a.forecasts
            for x in (getattr(f, "agreements", None) or [])
            if x.id == gid
        )
        feasible = None if dj is None or dj.get("changed") is None else bool(dj["changed"])
        conc = {k: c for k, c in ((dj or {}).get("concessions") or {}).items()}
        some = [c for c in conc.values() if c]
        opening = None
        reversal = False
        if some:
            c = min(some, key=lambda c: abs(float(c.get("size", np.inf))))
            opening, reversal = concession_words(c)
        head = next((m for m in models if m.model == a.model), None)
        prob = probs.get(gid)
        agreed_models = [m.model for m in models if m.status == "agreed"]
        counts = {
            "n_models": len(models),
            "agreed": len(agreed_models),
            "refused": sum(1 for m in models if m.status == "refused"),
            "agreed_models": agreed_models,
            "feasible": feasible,
            "name": name,
            "probability": prob,
            "prob_model": mc.get("model"),
            "signers": signers,
            "vetoes": [v for v in vetoes if v not in signers],
            "conflict_issues": [d for d in issues if red_line_conflicts(s, (d,), signers, vetoes, red)],
        }
        verdict = _verdict(counts, len(order))
        nearest = head.nearest if head is not None and head.status == "refused" else None
        if not models:
            status = "unknown"
        elif counts["agreed"] == len(models):
            status = "agreed"
        elif counts["agreed"]:
            status = "split"
        elif counts["refused"]:
            status = "refused"
        else:
            status = "no change"
        out.append(
            AgreementLine(
                id=gid,
                name=name,
                issues=issues,
                signers=signers,
                veto_holders=vetoes,
                status=status,
                verdict=verdict,
                models=models,
                refusals=_refusals(models, issues, _status_quo(s, issues)),
                conflicts=tuple(red_line_conflicts(s, issues, signers, vetoes, red)),
                feasible=feasible,
                package=_best_package(a, gid, issues) if feasible else None,
                opening_concession=opening,
                no_single_concession=bool(conc) and not some,
                nearest=nearest,
                nearest_model=head.model if head is not None and nearest else None,
                nearest_note=nearest_note(nearest, (a.deals or {}).get("options")),
                opening_reversal=reversal,
                probability=prob,
                probability_model=mc.get("model") if prob is not None else None,
                probability_draws=mc.get("draws_completed") if prob is not None else None,
            )
        )
    return tuple(out)


def _status_quo(s: Any, issues: tuple[str, ...]) -> dict[str, float]:
    out = {}
    for d in issues:
        if d in s.issue_ids and s.issue(d).status_quo is not None:
            out[d] = float(s.issue(d).status_quo.value)
    return out


def agreement_style(line: AgreementLine) -> str:
    """``yes``, ``no``, ``mixed`` or ``neutral`` for the card's colour."""
    return {"agreed": "yes", "split": "mixed", "refused": "no"}.get(
        line.status, "yes" if line.feasible else ("no" if line.feasible is False else "neutral")
    )


# ------------------------------------------------------------------------------------------ headlines
def _values_words(line: IssueLine) -> str:
    pts = sorted((v for v in line.models if v.outcome is not None), key=lambda v: (v.outcome or 0.0, v.model))
    loose = [v.model for v in line.models if v.outcome is None and v.converged is False]
    text = ", ".join(f"{v.model} {g(v.outcome)}" for v in pts)
    if loose:
        text += ("; " if text else "") + f"no point forecast from {and_list(loose)}"
    return text or "no model gave a forecast"


def _stated(scenario: Any, actor: str | None, issue: str) -> float | None:
    """``actor``'s stated position on ``issue`` in the scenario (None if it has none)."""
    stance = (scenario.positions.get(actor) or {}).get(issue) if actor else None
    return float(stance.position.value) if stance is not None and stance.position is not None else None


def _issue_headline(line: IssueLine) -> Headline:
    sq = f" (status quo {g(line.status_quo)})" if line.status_quo is not None else ""
    if line.moot:
        return Headline(
            "moot",
            line.issue,
            line.name,
            f"moot: it {line.condition or 'does not apply'}, so it keeps its status quo{sq}.",
            "neutral",
        )
    vals = _values_words(line)
    if line.rule == "unilateral" and line.decider:
        pos = line.decider_position
        kept = [
            v.model
            for v in line.models
            if v.outcome is not None and pos is not None and abs(v.outcome - pos) < 1e-9
        ]
        if kept and len(kept) < len(line.models):  # static models repeat the input: say so, it is no forecast
            sq = f" (status quo {g(line.status_quo)}; " if line.status_quo is not None else " ("
            sq += f"{and_list(kept)} {'repeats' if len(kept) == 1 else 'repeat'} its stated {g(pos)})"  # type: ignore[arg-type]
        text = f"{line.decider} decides alone. The models' forecasts of {line.decider}'s own position: {vals}{sq}."
        return Headline("unilateral", line.issue, line.name, text, "own")
    text = f"decided collectively (as the models weigh every actor): {vals}{sq}."
    return Headline("collective", line.issue, line.name, text, "neutral")


def _linkage(a: Analysis, agreements: tuple[AgreementLine, ...]) -> str | None:
    d = a.deals or {}
    linked = d.get("if_linked")
    if linked is None or len(agreements) < 2:
        return None
    n = d.get("n_feasible", 0)
    names = and_list([the(ag.id, ag.issues) for ag in agreements])
    found = "" if d.get("method") == "enumerated" else " found"
    if linked == n:
        return f"Linking {names} into one package would change nothing: {n:,} acceptable packages{found} either way."
    tail = ""
    if linked == 0 and n > 0:
        alone = [the(ag.id, ag.issues) for ag in agreements if ag.feasible]
        if alone:  # the counts are of the deal analysis's options: the finding is that none would remain
            return (
                f"Signing {names} as one package would leave no acceptable package: tying them together "
                f"would block {and_list(alone)}, which can be agreed alone, and would open nothing else."
            )
    elif linked > n:
        tail = ": a package deal would open more than the agreements signed apart"
    return f"If {names} were signed as one package, {linked:,} packages{found} would be acceptable instead of {n:,}{tail}."


def precedent_words(p: dict[str, Any], scenario: Any = None, *, notes: bool = False) -> str:
    """One precedent applied here, in words: its terms (with the issue's label where one matches, and the
    mapping's notes with ``notes``) and who refuses them, on which issue and why."""
    name = p.get("id") or p.get("scenario") or "precedent"
    if p.get("error"):
        return f"{name}: not available ({p['error']})."
    terms = []
    for d, t in (p.get("terms") or {}).items():
        v = t.get("value")
        if v is None:
            continue
        text = f"{human(d)} {g(float(v))}"
        if scenario is not None and d in scenario.issue_ids:
            iss = scenario.issue(d)
            lab = next((lab for k, lab in iss.labels.items() if abs(float(k) - float(v)) < 1e-9), None)
            text += f" “{lab}”" if lab else ""
        if notes and t.get("note"):
            text += f" ({t['note']})"
        terms.append(text)
    head = f"The {name} terms applied here" + (f" ({'; '.join(terms)})" if terms else "")
    if not p.get("changes"):
        return head + " change nothing."
    if p.get("feasible"):
        return head + " would be accepted by every signer and veto holder."
    bits = []
    breaches = p.get("breaches") or {}
    for actor, r in (p.get("refused_by") or {}).items():
        why = REASON_WORDS.get(str(r.get("reason")), str(r.get("reason") or ""))
        crossed = [str(d) for d in breaches.get(actor) or []] if r.get("reason") == "red_line" else []
        if crossed:  # every red line the terms cross, not only the one that decides the refusal
            bits.append(
                f"{actor} on {and_list([human(d) for d in crossed])} ({why}{'s' if len(crossed) > 1 else ''})"
            )
            continue
        on = f" on {human(str(r['issue']))}" if r.get("issue") else ""
        bits.append(f"{actor}{on} ({why})")
    accepts = [k for k, ok in (p.get("accepts") or {}).items() if ok]
    text = head + " would be refused by " + and_list(bits)
    if accepts:
        text += f"; {and_list(accepts)} would accept them"
    return text + "."


def trust_sentence(trust: dict[str, Any] | None) -> str | None:
    """The first sentence of the trust section's verdict (how far to trust the analogues)."""
    if not trust:
        return None
    paras = trust.get("paragraphs") or []
    if not paras:
        return None
    first = str(paras[0])
    cases = trust.get("cases") or []
    if cases and all(c.get("status") == "leaky" for c in cases):
        text = (
            f"The {len(cases)} analogue{'s are' if len(cases) != 1 else ' is'} leaky (inputs not dated before "
            "the decision): illustrations of how precedents map, not a measure of the models' accuracy."
        )
    else:
        text = first.split(". ")[0].rstrip(".") + "."
    return text + standing_words(trust.get("standing"))


def standing_words(st: dict[str, Any] | None) -> str:
    """`` On them compromise misses by 11.4% of the range on average, the plain mean of the positions by
    8.6%.``: where the headline model stands on the analogues (empty without a comparison)."""
    if not st or st.get("model_error") is None:
        return ""
    ref = st.get("mean_error")
    words = "the plain mean of the positions"
    if ref is None:
        ref, words = st.get("best_error"), "the best naive baseline"
    if ref is None:
        return ""
    m, r = round(100 * st["model_error"], 1), round(100 * ref, 1)
    verdict = "better" if m < r else ("no better" if m == r else "worse")
    where = "On them" if st.get("group") == "leaky" else f"On the {st.get('group')} cases"
    return (
        f" {where} {st['model']} misses by {m:.1f}% of the range on average, {words} by {r:.1f}% "
        f"({st['model']} does {verdict})."
    )


# ------------------------------------------------------------------------------------------ the card
def summary_card(a: Analysis) -> SummaryCard:
    """The summary card of an analysis."""
    s = a.scenario
    ref = a.headline or (a.forecasts[0] if a.forecasts else None)
    rules = dict(getattr(ref, "rules", None) or {}) if ref is not None else {}
    deciders = dict(getattr(ref, "deciders", None) or {}) if ref is not None else {}
    agreements = _agreement_lines(a)
    where = {d: ag.id for ag in agreements for d in ag.issues}
    if not rules:
        rules = {d: "consent" for d in where}
    issues = tuple(_issue_line(a, iss, rules, deciders, where) for iss in s.issues)
    heads = [Headline("agreement", ag.id, ag.name, ag.verdict, agreement_style(ag)) for ag in agreements]
    heads += [_issue_headline(line) for line in issues if line.issue not in where]
    mc = a.montecarlo
    unc: str | None
    if mc:
        unc = (
            f"{mc.get('draws_completed', 0):,} Monte Carlo draws of {len(mc.get('uncertain_inputs') or [])} uncertain "
            f"inputs, {mc.get('model')} model"
        )
    else:
        unc = a.notes.get("montecarlo")
    flags = []
    if a.skipped:
        flags.append("not run: " + "; ".join(f"{m} ({why})" for m, why in a.skipped.items()))
    precedents = tuple(precedent_words(p, s) for p in (a.deals or {}).get("precedents") or [])
    return SummaryCard(
        scenario=s.id,
        title=s.title,
        as_of=str(s.as_of) if s.as_of else None,
        model=a.model,
        model_reason=a.model_reason,
        issues=issues,
        agreements=agreements,
        uncertainty=unc,
        flags=tuple(flags),
        headlines=tuple(heads),
        linkage=_linkage(a, agreements),
        precedents=precedents,
        trust=trust_sentence(a.trust),
        legend=LEGEND + (P_LEGEND if agreements else ""),
        provenance=provenance(s).words(),
    )


def _from_json(tp: Any, data: Any) -> Any:
    """Rebuild a value of type ``tp`` (dataclasses, tuples, dicts, optionals of them) from plain JSON."""
    import dataclasses
    import types
    import typing

    if data is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        return _from_json(options[0], data) if len(options) == 1 else data
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = typing.get_type_hints(tp)
        kwargs = {
            f.name: _from_json(hints[f.name], data[f.name])
            for f in dataclasses.fields(tp)
            if f.init and f.name in data
        }
        return tp(**kwargs)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_from_json(args[0], x) for x in data)
        return tuple(_from_json(a, x) for a, x in zip(args, data, strict=True))
    if origin is dict:
        _, vt = typing.get_args(tp)
        return {k: _from_json(vt, v) for k, v in data.items()}
    return data
