"""The summary card: the answer first, as data (the templates, the terminal and the web app render it).

One :class:`IssueLine` per issue (the analysis model's forecast, what the other models say, the Monte
Carlo range, flags) and one :class:`AgreementLine` per agreement (today: the deal among the parties
as the deal analysis judges it). Fields that later parts fill in are already here:

- ``IssueLine.pressure``: the model's own outcome; ``IssueLine.outcome`` is the outcome under the
  issue's decision rule. A Forecast without a ``pressure`` attribute has the two equal.
- ``IssueLine.converged`` / ``cycle_range``: from a model's extras ``converged: {issue: bool}``,
  ``cycle_length: {issue: int | None}``, ``cycle_range: {issue: [lo, hi] | None}``; a value that did
  not converge is never given as a point (``outcome`` is None, ``cycle_range`` says where it cycles).
- ``AgreementLine.probability``: P(agreement) over the Monte Carlo draws, with the model that gave it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from realpolitik.report.stats import multimodal

if TYPE_CHECKING:
    from realpolitik.report.analysis import Analysis

#: Models agree on an issue when all their point forecasts lie within this share of its range.
AGREE_SHARE = 0.10


@dataclass(frozen=True)
class ModelValue:
    """One model's answer on one issue."""

    model: str
    outcome: float | None  # None: the model did not converge there
    pressure: float | None
    converged: bool | None = None
    cycle_length: int | None = None
    cycle_range: tuple[float, float] | None = None

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
    outcome: float | None  # its ruled outcome (None: not converged or not run)
    pressure: float | None  # its own outcome before the decision rule
    label: str | None  # the labelled point nearest the outcome, when close
    converged: bool | None
    cycle_range: tuple[float, float] | None
    models: tuple[ModelValue, ...]
    models_low: ModelValue | None
    models_high: ModelValue | None
    models_agree: bool | None
    mc_model: str | None = None
    mc_median: float | None = None
    mc_interval: tuple[float, float] | None = None
    mc_modes: tuple[dict[str, float], ...] = ()
    flags: tuple[str, ...] = ()

    @property
    def width(self) -> float:
        return float(self.bounds[1] - self.bounds[0]) or 1.0

    @property
    def multimodal(self) -> bool:
        return multimodal(list(self.mc_modes))


@dataclass(frozen=True)
class AgreementLine:
    """Whether an agreement can be had, who blocks it, and what would open it."""

    name: str
    issues: tuple[str, ...]
    signers: tuple[str, ...]
    veto_holders: tuple[str, ...]
    accepted: bool | None
    n_feasible: int | None = None
    n_packages: int | None = None
    refused_by: tuple[str, ...] = ()
    blockers: tuple[str, ...] = ()  # sentences: whose veto or consent blocks, with numbers
    opening_concession: str | None = None
    probability: float | None = None
    probability_model: str | None = None
    nearest: dict[str, float] | None = None  # nearest acceptable package (decision rules, later)
    package: dict[str, float] | None = None  # the Nash package when one exists


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

    def to_json(self) -> dict[str, Any]:
        return _plain(asdict(self))


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


def _pk(n: int) -> str:
    return f"{n:,} package" + ("" if n == 1 else "s")


def _g(v: float) -> str:
    return f"{v:.1f}" if abs(v) >= 0.05 or v == 0 else f"{v:.3f}"


def nearest_label(labels: dict[float, str], bounds: tuple[float, float], value: float | None) -> str | None:
    """The labelled point nearest ``value``, when within 5% of the range."""
    if value is None or not labels:
        return None
    keys = np.array(sorted(labels))
    k = float(keys[np.argmin(np.abs(keys - value))])
    return labels[k] if abs(k - value) <= 0.05 * (bounds[1] - bounds[0]) else None


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


def model_value(f: Any, issue: str) -> ModelValue:
    """One forecast's answer on ``issue`` (ruled outcome, pressure, convergence)."""
    converged, length, rng = convergence(getattr(f, "extras", None), issue)
    out = f.outcome.get(issue)
    pressure_map = getattr(f, "pressure", None)
    pressure = pressure_map.get(issue, out) if isinstance(pressure_map, dict) else out
    out = None if out is None or not np.isfinite(out) else float(out)
    pressure = None if pressure is None or not np.isfinite(pressure) else float(pressure)
    if converged is False:
        out = pressure = None
    return ModelValue(f.model, out, pressure, converged, length, rng)


def _issue_line(a: Analysis, iss: Any) -> IssueLine:
    width = float(iss.bounds[1] - iss.bounds[0]) or 1.0
    values = tuple(model_value(f, iss.id) for f in a.forecasts)
    points = [v for v in values if v.outcome is not None]
    low = min(points, key=lambda v: v.outcome or 0.0) if points else None
    high = max(points, key=lambda v: v.outcome or 0.0) if points else None
    agree = None
    if low is not None and high is not None and len(points) > 1:
        agree = (high.outcome or 0.0) - (low.outcome or 0.0) <= AGREE_SHARE * width
    head = next((v for v in values if v.model == a.model), None)
    flags: list[str] = []
    for v in values:
        if v.converged is False:
            where = f" between {_g(v.cycle_range[0])} and {_g(v.cycle_range[1])}" if v.cycle_range else ""
            cyc = f" (a cycle of {v.cycle_length} rounds)" if v.cycle_length else ""
            flags.append(f"{v.model} did not converge{where}{cyc}: no point forecast")
    mc = (a.montecarlo or {}).get("issues", {}).get(iss.id)
    mc_modes = tuple((a.extras.get("mc_modes") or {}).get(iss.id) or ())
    median = interval = None
    if mc:
        median = mc["quantiles"].get("50")
        iv = mc.get("interval80") or [None, None]
        interval = (iv[0], iv[1]) if None not in iv else None
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
    )


def _deal_line(a: Analysis) -> AgreementLine | None:
    d = a.deals
    if not d:
        return None
    n = d.get("n_feasible", 0)
    vetoes = d.get("veto_holders") or {}
    veto_issues = vetoes if isinstance(vetoes, dict) else {v: [] for v in vetoes}
    blockers, refused = [], []
    for actor, n_without in (d.get("veto_effects") or {}).items():
        if n_without is not None and n_without > n:
            on = ", ".join(veto_issues.get(actor) or [])
            blockers.append(
                f"{actor}'s veto{f' on {on}' if on else ''}: without it {_pk(n_without)} would be acceptable"
            )
            refused.append(actor)
    for actor, n_without in (d.get("consent_effects") or {}).items():
        if n_without is not None and n_without > n and not d.get("feasible"):
            blockers.append(f"{actor}'s consent: without it {_pk(n_without)} would be acceptable")
            refused.append(actor)
    conc = {k: v for k, v in (d.get("concessions") or {}).items() if v}
    opening = None
    if conc and not d.get("feasible"):
        actor, c = min(conc.items(), key=lambda kv: abs(float(kv[1].get("size", np.inf))))
        opening = (
            f"{actor} moves its {c.get('field')} on {c.get('issue')} from {_g(float(c.get('from', 0)))} "
            f"to {_g(float(c.get('to', 0)))}"
        )
    mc = a.montecarlo or {}
    nash = d.get("nash") or None
    return AgreementLine(
        name="deal among the parties",
        issues=tuple(d.get("issues") or ()),
        signers=tuple(d.get("parties") or ()),
        veto_holders=tuple(veto_issues),
        accepted=bool(d.get("feasible")),
        n_feasible=n,
        n_packages=d.get("n_packages"),
        refused_by=tuple(refused),
        blockers=tuple(blockers),
        opening_concession=opening,
        probability=mc.get("deal_probability"),
        probability_model=mc.get("model") if mc.get("deal_probability") is not None else None,
        package=dict(nash["values"]) if nash and nash.get("values") else None,
    )


def summary_card(a: Analysis) -> SummaryCard:
    """The summary card of an analysis."""
    s = a.scenario
    issues = tuple(_issue_line(a, iss) for iss in s.issues)
    deal = _deal_line(a)
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
    return SummaryCard(
        scenario=s.id,
        title=s.title,
        as_of=str(s.as_of) if s.as_of else None,
        model=a.model,
        model_reason=a.model_reason,
        issues=issues,
        agreements=(deal,) if deal else (),
        uncertainty=unc,
        flags=tuple(flags),
    )
