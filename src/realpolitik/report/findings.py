"""Findings: short statements generated from the numbers of an analysis, ranked by importance.

Nothing here is written for a particular case: every sentence is a template filled from results, and a
template is used only when its numbers exist. Each finding carries the number it rests on and an
``importance`` (0–100) that orders the list: whether an agreement can be had and who blocks it first,
then how far the forecasts could move, then what the models disagree on, then the rest. The report
shows the first :data:`HEADLINE` findings and folds the others. No finding averages models (they answer
different questions) and none states the obvious (a forecast "lies above the status quo").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from realpolitik.report.stats import tornado_rows
from realpolitik.report.summary import model_value, nearest_label

if TYPE_CHECKING:
    from realpolitik.report.analysis import Analysis

#: How many findings the report shows before folding the rest.
HEADLINE = 4


@dataclass(frozen=True)
class Finding:
    section: str
    text: str
    number: str
    importance: float = 50.0

    def to_json(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "text": self.text,
            "number": self.number,
            "importance": self.importance,
        }


def _g(v: float) -> str:
    return f"{v:.1f}" if abs(v) >= 0.05 or v == 0 else f"{v:.3f}"


def _near(scenario: Any, issue_id: str, value: float) -> str:
    iss = scenario.issue(issue_id)
    lab = nearest_label(iss.labels, iss.bounds, value)
    return f" (near “{lab}”)" if lab else ""


def forecast_findings(a: Analysis) -> list[Finding]:
    s = a.scenario
    out: list[Finding] = []
    if not a.forecasts:
        return out
    for iss in s.issues:
        width = iss.bounds[1] - iss.bounds[0]
        values = [model_value(f, iss.id) for f in a.forecasts]
        for v in values:
            if v.converged is False:
                where = f" between {_g(v.cycle_range[0])} and {_g(v.cycle_range[1])}" if v.cycle_range else ""
                out.append(
                    Finding(
                        "forecasts",
                        f"{v.model} does not settle on {iss.name}: it cycles{where}, so it gives no point forecast there.",
                        f"cycle of {v.cycle_length} rounds" if v.cycle_length else "not converged",
                        65.0,
                    )
                )
        pts = [v for v in values if v.outcome is not None]
        if len(pts) < 2:
            continue
        lo = min(pts, key=lambda v: v.outcome or 0.0)
        hi = max(pts, key=lambda v: v.outcome or 0.0)
        spread = (hi.outcome or 0.0) - (lo.outcome or 0.0)
        share = spread / width if width else 0.0
        if share <= 0.1:
            out.append(
                Finding(
                    "forecasts",
                    f"Every model lands close on {iss.name}: between {_g(lo.outcome or 0.0)} and "
                    f"{_g(hi.outcome or 0.0)}{_near(s, iss.id, hi.outcome or 0.0)}.",
                    f"spread {_g(spread)} on a range of {_g(width)}",
                    35.0,
                )
            )
        else:
            out.append(
                Finding(
                    "forecasts",
                    f"The models disagree on {iss.name}: from {_g(lo.outcome or 0.0)} ({lo.model})"
                    f"{_near(s, iss.id, lo.outcome or 0.0)} to {_g(hi.outcome or 0.0)} ({hi.model})"
                    f"{_near(s, iss.id, hi.outcome or 0.0)}.",
                    f"spread {_g(spread)} on a range of {_g(width)}",
                    30.0 + 35.0 * share,
                )
            )
    return out


def deal_findings(a: Analysis) -> list[Finding]:
    d = a.deals
    if not d:
        return []
    out: list[Finding] = []
    n = d.get("n_feasible", 0)
    total = d.get("n_packages") or 0
    if d.get("feasible"):
        out.append(
            Finding(
                "deals",
                f"A deal exists: {n:,} of the {total:,} packages examined are acceptable to every party and veto holder.",
                f"n_feasible = {n:,}",
                95.0,
            )
        )
    else:
        out.append(
            Finding(
                "deals",
                f"No deal: none of the {total:,} packages examined is acceptable to every party and veto holder.",
                "n_feasible = 0",
                100.0,
            )
        )
    for actor, n_without in (d.get("veto_effects") or {}).items():
        if n_without is not None and n_without != n:
            out.append(
                Finding(
                    "deals",
                    f"{actor}'s veto decides: without it {n_without:,} packages would be acceptable instead of {n:,}.",
                    f"{n_without - n:+,} packages",
                    92.0 if n == 0 else 70.0,
                )
            )
    conc = {k: v for k, v in (d.get("concessions") or {}).items() if v}
    if conc and not d.get("feasible"):
        actor, c = min(conc.items(), key=lambda kv: abs(float(kv[1].get("size", np.inf))))
        out.append(
            Finding(
                "deals",
                f"The smallest single concession that opens a deal: {actor} moves its {c.get('field')} on "
                f"{c.get('issue')} from {_g(float(c.get('from', 0)))} to {_g(float(c.get('to', 0)))}.",
                f"size {_g(float(c.get('size', 0)))} of the range",
                85.0,
            )
        )
    for p in d.get("precedents") or []:
        if not p.get("accepts"):
            continue
        name = p.get("scenario", "precedent")
        refusing = [(actor, issue) for actor, issue in (p.get("refusals") or {}).items() if issue]
        if refusing:
            who = ", ".join(f"{actor} (on {issue})" for actor, issue in refusing)
            out.append(
                Finding(
                    "deals",
                    f"The {name} terms, applied here, would be refused by {who}.",
                    f"{len(refusing)} refusal(s)",
                    40.0,
                )
            )
        else:
            out.append(
                Finding(
                    "deals",
                    f"The {name} terms, applied here, would be accepted by every party and veto holder.",
                    "0 refusals",
                    60.0,
                )
            )
    return out


def sweep_findings(a: Analysis) -> list[Finding]:
    sw = a.sweep
    if not sw or not sw.get("points"):
        return []
    s = a.scenario
    drivers = sw.get("drivers") or []
    if len(drivers) != 1:
        return []
    drv = drivers[0]
    pts = sw["points"]
    xs = [p["values"][drv] for p in pts]
    out: list[Finding] = []
    best = None
    for iss in s.issues:
        ys = [p["outcome"].get(iss.id) for p in pts]
        if any(y is None for y in ys):
            continue
        width = iss.bounds[1] - iss.bounds[0]
        move = (max(ys) - min(ys)) / width
        if best is None or move > best[0]:
            best = (move, iss, ys[0], ys[-1], min(ys), max(ys))
    if best is not None:
        share, iss, y0, y1, lo, hi = best
        if share < 0.02:
            text = (
                f"As {drv} goes from {_g(xs[0])} to {_g(xs[-1])}, no {sw.get('model')} forecast moves more than "
                f"{share:.0%} of its range."
            )
        else:
            text = (
                f"{drv} moves the {sw.get('model')} forecast on {iss.name} most: from {_g(y0)} at {drv} = {_g(xs[0])} "
                f"to {_g(y1)} at {_g(xs[-1])} (between {_g(lo)} and {_g(hi)} on the way)."
            )
        out.append(Finding("environment", text, f"{share:.0%} of the issue range", 20.0 + 40.0 * share))
    feas = [p.get("feasible") for p in pts]
    if any(f is not None for f in feas):
        n_true = sum(1 for f in feas if f)
        flips = [xs[k] for k in range(1, len(feas)) if feas[k] != feas[k - 1]]
        if flips:
            text = f"Whether a deal exists depends on {drv}: feasible at {n_true} of {len(feas)} values, switching at {', '.join(_g(x) for x in flips)}."
            imp = 80.0
        else:
            state = "exists" if n_true else "exists at no value"
            text = (
                f"A deal {state} across the whole range of {drv} ({_g(xs[0])} to {_g(xs[-1])})."
                if n_true
                else f"No value of {drv} between {_g(xs[0])} and {_g(xs[-1])} opens a deal."
            )
            imp = 45.0
        out.append(Finding("environment", text, f"{n_true}/{len(feas)} points", imp))
    return out


def montecarlo_findings(a: Analysis) -> list[Finding]:
    mc = a.montecarlo
    out: list[Finding] = []
    if not mc:
        note = a.notes.get("montecarlo")
        if note and note.startswith("Monte Carlo skipped"):
            out.append(
                Finding(
                    "uncertainty",
                    "No input has an uncertainty range, so the forecasts carry no measure of how far they could move.",
                    "0 uncertain inputs",
                    50.0,
                )
            )
        return out
    s = a.scenario
    issues = mc.get("issues") or {}
    all_modes = a.extras.get("mc_modes") or {}
    for iid, ms in all_modes.items():
        if len(ms) >= 2 and iid in s.issue_ids:
            parts = ", ".join(
                f"{m['share']:.0%} of draws between {_g(m['low'])} and {_g(m['high'])}{_near(s, iid, m['value'])}"
                for m in sorted(ms, key=lambda m: m["value"])
            )
            out.append(
                Finding(
                    "uncertainty",
                    f"On {s.issue(iid).name} the {mc.get('model')} outcome splits into {len(ms)} distinct groups: {parts}. "
                    "A single median would describe none of them.",
                    f"{len(ms)} modes over {mc.get('draws_completed', 0):,} draws",
                    75.0,
                )
            )
    widest = None
    for iid, st in issues.items():
        iv = st.get("interval80")
        if not iv or None in iv or len(all_modes.get(iid) or []) >= 2:
            continue
        width = s.issue(iid).bounds[1] - s.issue(iid).bounds[0] if iid in s.issue_ids else 1.0
        w = (iv[1] - iv[0]) / width
        if widest is None or w > widest[0]:
            widest = (w, iid, iv)
    if widest is not None and widest[0] > 0.05:
        w, iid, iv = widest
        name = s.issue(iid).name if iid in s.issue_ids else iid
        out.append(
            Finding(
                "uncertainty",
                f"Of the single-peaked forecasts, {name} is the least certain: across {mc.get('draws_completed', 0):,} draws of "
                f"the uncertain inputs ({mc.get('model')}), 80% of outcomes fall between {_g(iv[0])} and {_g(iv[1])}.",
                f"80% interval width {w:.0%} of the range",
                40.0 + 30.0 * w,
            )
        )
    p = mc.get("deal_probability")
    if p is not None:
        base = a.deals.get("feasible") if a.deals else None
        surprise = base is not None and ((base and p < 0.5) or (not base and p > 0.0))
        text = f"A deal exists in {p:.0%} of the draws of the uncertain inputs"
        text += ", although none exists with the inputs at their values." if base is False and p > 0 else "."
        out.append(
            Finding(
                "uncertainty",
                text,
                f"P(deal) = {p:.2f} ({mc.get('model')} draws)",
                88.0 if surprise else 55.0,
            )
        )
    tor = a.extras.get("tornado")
    if tor:
        best = None
        for iid, t in tor["issues"].items():
            rows = tornado_rows(t, top=1)
            if rows and (best is None or rows[0]["total_swing"] > best[2]["total_swing"]):
                best = (iid, t, rows[0])
        if best is not None:
            iid, t, b = best
            name = s.issue(iid).name if iid in s.issue_ids else iid
            width = s.issue(iid).bounds[1] - s.issue(iid).bounds[0] if iid in s.issue_ids else 1.0
            out.append(
                Finding(
                    "uncertainty",
                    f"The input that moves any forecast most is {b['input']}: across its range ({_g(b['low_value'])} to "
                    f"{_g(b['high_value'])}) the {tor['model']} forecast on {name} moves over {_g(b['total_swing'])} "
                    f"(from the baseline {_g(t['base'])}).",
                    f"total swing {_g(b['total_swing'])}",
                    35.0 + 25.0 * min(1.0, b["total_swing"] / width),
                )
            )
    return out


def findings(a: Analysis) -> list[Finding]:
    """Every finding, most important first (ties keep section order)."""
    fs = [*deal_findings(a), *montecarlo_findings(a), *forecast_findings(a), *sweep_findings(a)]
    return sorted(fs, key=lambda f: -f.importance)
