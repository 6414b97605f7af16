"""Findings: short statements generated from the numbers of an analysis, each with the number it rests on.

Nothing here is written for a particular case: every sentence is a template filled from results, and a
template is used only when its numbers exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from realpolitik.report.analysis import Analysis


@dataclass(frozen=True)
class Finding:
    section: str
    text: str
    number: str

    def to_json(self) -> dict[str, str]:
        return {"section": self.section, "text": self.text, "number": self.number}


def _g(v: float) -> str:
    return f"{v:.1f}" if abs(v) >= 0.05 or v == 0 else f"{v:.3f}"


def _label(scenario: Any, issue_id: str, value: float) -> str:
    """The nearest labelled point of an issue, when it is close (within 5% of the range)."""
    iss = scenario.issue(issue_id)
    if not iss.labels:
        return ""
    keys = np.array(sorted(iss.labels))
    k = keys[np.argmin(np.abs(keys - value))]
    width = iss.bounds[1] - iss.bounds[0]
    return f" (near “{iss.labels[float(k)]}”)" if abs(k - value) <= 0.05 * width else ""


def forecast_findings(a: Analysis) -> list[Finding]:
    s = a.scenario
    out: list[Finding] = []
    if not a.forecasts:
        return out
    for iss in s.issues:
        vals = {f.model: f.outcome[iss.id] for f in a.forecasts}
        lo_m = min(vals, key=lambda m: vals[m])
        hi_m = max(vals, key=lambda m: vals[m])
        spread = vals[hi_m] - vals[lo_m]
        width = iss.bounds[1] - iss.bounds[0]
        mean = float(np.mean(list(vals.values())))
        if spread <= 0.1 * width:
            out.append(
                Finding(
                    "forecasts",
                    f"The models agree on {iss.name}: every forecast lies between {_g(vals[lo_m])} and "
                    f"{_g(vals[hi_m])}{_label(s, iss.id, mean)}.",
                    f"spread {_g(spread)} on a range of {_g(width)}",
                )
            )
        else:
            out.append(
                Finding(
                    "forecasts",
                    f"The models disagree on {iss.name}: from {_g(vals[lo_m])} ({lo_m}){_label(s, iss.id, vals[lo_m])} "
                    f"to {_g(vals[hi_m])} ({hi_m}){_label(s, iss.id, vals[hi_m])}.",
                    f"spread {_g(spread)} on a range of {_g(width)}",
                )
            )
        if iss.status_quo is not None:
            sq = iss.status_quo.value
            moved = mean - sq
            if abs(moved) > 0.05 * width:
                direction = "above" if moved > 0 else "below"
                out.append(
                    Finding(
                        "forecasts",
                        f"On {iss.name} the mean forecast ({_g(mean)}) lies {direction} the status quo ({_g(sq)}).",
                        f"difference {moved:+.1f}",
                    )
                )
    # the actor that moves most in a dynamic model
    best: tuple[float, str, str, str, float, float] | None = None
    for f in a.forecasts:
        traj = np.asarray(f.trajectory)
        if traj.shape[0] < 2:
            continue
        widths = np.array([s.issue(i).bounds[1] - s.issue(i).bounds[0] for i in f.issues])
        moves = np.abs(traj[-1] - traj[0]) / widths
        ai, di = np.unravel_index(int(np.argmax(moves)), moves.shape)
        cand = (
            float(moves[ai, di]),
            f.model,
            f.actors[ai],
            f.issues[di],
            float(traj[0, ai, di]),
            float(traj[-1, ai, di]),
        )
        if best is None or cand[0] > best[0]:
            best = cand
    if best is not None and best[0] > 0.05:
        share, model, actor, issue, x0, x1 = best
        out.append(
            Finding(
                "forecasts",
                f"The largest move in any dynamic model: {actor} on {s.issue(issue).name} under {model}, "
                f"from {_g(x0)} to {_g(x1)}.",
                f"{share:.0%} of the issue range",
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
            )
        )
    else:
        out.append(
            Finding(
                "deals",
                f"No package examined ({total:,}) is acceptable to every party and veto holder.",
                "n_feasible = 0",
            )
        )
    for actor, n_without in (d.get("veto_effects") or {}).items():
        if n_without is not None and n_without != n:
            out.append(
                Finding(
                    "deals",
                    f"{actor}'s veto matters: without it the feasible set would hold {n_without:,} packages instead of {n:,}.",
                    f"{n_without - n:+,} packages",
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
                f"size {_g(float(c.get('size', 0)))}",
            )
        )
    for p in d.get("precedents") or []:
        if not p.get("accepts"):
            continue
        name = p.get("scenario", "precedent")
        refusing = [(actor, issue) for actor, issue in (p.get("refusals") or {}).items() if issue]
        if refusing:
            who = ", ".join(f"{actor} (turning on {issue})" for actor, issue in refusing)
            out.append(
                Finding(
                    "deals",
                    f"Applied here, the {name} terms would be refused by {who}.",
                    f"{len(refusing)} refusal(s)",
                )
            )
        else:
            out.append(
                Finding(
                    "deals",
                    f"Applied here, the {name} terms would be accepted by every party and veto holder.",
                    "0 refusals",
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
        ys = [p["outcome"][iss.id] for p in pts if iss.id in p["outcome"]]
        if len(ys) != len(pts):
            continue
        change = ys[-1] - ys[0]
        width = iss.bounds[1] - iss.bounds[0]
        if best is None or abs(change) / width > best[0]:
            best = (abs(change) / width, iss, ys[0], ys[-1])
    if best is not None:
        share, iss, y0, y1 = best
        verb = "barely moves" if share < 0.02 else ("rises" if y1 > y0 else "falls")
        out.append(
            Finding(
                "environment",
                f"As {drv} goes from {_g(xs[0])} to {_g(xs[-1])}, the {sw.get('model')} forecast on {iss.name} {verb} "
                f"from {_g(y0)} to {_g(y1)}.",
                f"{share:.0%} of the issue range",
            )
        )
    feas = [p.get("feasible") for p in pts]
    if any(f is not None for f in feas):
        n_true = sum(1 for f in feas if f)
        flips = [xs[k] for k in range(1, len(feas)) if feas[k] != feas[k - 1]]
        text = f"A deal is feasible at {n_true} of {len(feas)} values of {drv}"
        text += f", switching at {', '.join(_g(x) for x in flips)}." if flips else "."
        out.append(Finding("environment", text, f"{n_true}/{len(feas)} points"))
    return out


def montecarlo_findings(a: Analysis) -> list[Finding]:
    mc = a.montecarlo
    if not mc:
        return []
    s = a.scenario
    out: list[Finding] = []
    issues = mc.get("issues") or {}
    widest = None
    for iid, st in issues.items():
        iv = st.get("interval80")
        if not iv:
            continue
        width = s.issue(iid).bounds[1] - s.issue(iid).bounds[0] if iid in s.issue_ids else 1.0
        w = (iv[1] - iv[0]) / width
        if widest is None or w > widest[0]:
            widest = (w, iid, iv)
    if widest is not None:
        w, iid, iv = widest
        name = s.issue(iid).name if iid in s.issue_ids else iid
        out.append(
            Finding(
                "uncertainty",
                f"Across {mc.get('draws', 0):,} draws of the uncertain inputs ({mc.get('model')}), {name} is the least "
                f"certain forecast: 80% of outcomes fall between {_g(iv[0])} and {_g(iv[1])}.",
                f"80% interval width {w:.0%} of the range",
            )
        )
    p = mc.get("deal_probability")
    if p is not None:
        out.append(Finding("uncertainty", f"A deal exists in {p:.0%} of the draws.", f"P(deal) = {p:.2f}"))
    tor = a.extras.get("tornado")
    if tor:
        best = None
        for iid, t in tor["issues"].items():
            for b in t["bars"][:1]:
                if best is None or b["swing"] > best[2]["swing"]:
                    best = (iid, t, b)
        if best is not None and best[2]["swing"] > 0:
            iid, t, b = best
            name = s.issue(iid).name if iid in s.issue_ids else iid
            out.append(
                Finding(
                    "uncertainty",
                    f"The input that moves any forecast most is {b['input']}: across its range the {tor['model']} forecast on "
                    f"{name} goes from {_g(b['low'])} to {_g(b['high'])}.",
                    f"swing {_g(b['swing'])}",
                )
            )
    return out


def findings(a: Analysis) -> list[Finding]:
    """Every finding, section by section."""
    return [*forecast_findings(a), *deal_findings(a), *sweep_findings(a), *montecarlo_findings(a)]
