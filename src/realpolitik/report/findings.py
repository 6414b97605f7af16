"""Findings: short statements generated from the numbers of an analysis, ranked by importance.

Nothing here is written for a particular case: every sentence is a template filled from results, and a
template is used only when its numbers exist. Forecasts are read through the decision rules: each
agreement gets one headline (concluded or not, and the decisive reason), then who refuses it, the
issues decided by one actor, what linking the agreements would change, forecasts where the rule holds the
status quo against every model's pressure, the opening concession, the precedents, and the rest (Monte
Carlo, convergence, the sweep). Each finding carries the number it rests on and an ``importance``
(0–100) that orders the list; the report shows the first :data:`HEADLINE` and folds the others. No
finding averages models (they answer different questions) and none states the obvious.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from realpolitik.environment.sweep import sweep_agreements, sweep_feasible, sweep_from_json, sweep_movement
from realpolitik.report.stats import tornado_rows
from realpolitik.report.summary import (
    AgreementLine,
    IssueLine,
    SummaryCard,
    and_list,
    g,
    human,
    nearest_label,
    package_words,
    precedent_words,
    refusal_words,
    summary_card,
    the,
)

if TYPE_CHECKING:
    from realpolitik.report.analysis import Analysis

#: How many findings the report shows before folding the rest.
HEADLINE = 5


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


_g = g


def _near(scenario: Any, issue_id: str, value: float) -> str:
    iss = scenario.issue(issue_id)
    lab = nearest_label(iss.labels, iss.bounds, value)
    return f" (near “{lab}”)" if lab else ""


# ------------------------------------------------------------------------------------------ agreements
def _outcome_words(ag: AgreementLine, values: dict[str, float]) -> str:
    """``72.3`` for a one-issue agreement, ``territory 6.9; military status 50`` otherwise."""
    if ag.issues == (ag.id,):
        return g(values[ag.id])
    return package_words({d: values[d] for d in ag.issues})


def _agreement_headline(ag: AgreementLine) -> Finding:
    n = ag.n_models
    agreed = [m for m in ag.models if m.status == "agreed"]
    if ag.status == "refused" and ag.feasible is False:
        text = f"{ag.name}: not concluded in any model"
        judges = and_list([*ag.signers, *(f"{v} (veto)" for v in ag.veto_holders if v not in ag.signers)])
        text += f", and no package is acceptable to {judges}"
        text += f". No common ground {ag.conflicts[0]}." if ag.conflicts else "."
        imp = 100.0
    elif ag.status == "refused":
        text = f"{ag.name}: not concluded in any model ({ag.count('refused')} of {n} refuse the pressure)"
        text += f", although {ag.package} would be acceptable." if ag.package else "."
        imp = 96.0
    elif ag.status == "split":
        vals = ", ".join(f"{m.model} {_outcome_words(ag, m.outcome)}" for m in agreed)
        alone = "can be agreed" + (" on its own" if ag.feasible else "")
        text = f"{ag.name} {alone}: {len(agreed)} of {n} models conclude it ({vals})"
        others = [m.model for m in ag.models if m.status == "refused"]
        if others:
            text += f"; in {and_list(others)} the pressure is refused"
            if ag.nearest and ag.nearest_model:
                note = f", {ag.nearest_note}" if ag.nearest_note else ""
                text += f" (nearest acceptable package to the {ag.nearest_model} pressure: {_outcome_words(ag, ag.nearest)}{note})"
        text += "."
        imp = 95.0
    elif ag.status == "agreed":
        vals = ", ".join(f"{m.model} {_outcome_words(ag, m.outcome)}" for m in agreed)
        text = f"{ag.name} is concluded in every model ({vals})."
        imp = 95.0
    elif ag.status == "no change":
        text = f"{ag.name}: no model's pressure moves it from the status quo."
        imp = 60.0
    else:
        text = f"{ag.name}: {ag.verdict}"
        imp = 80.0
    if ag.probability is not None:
        number = (
            f"P(agreement) {ag.probability:.0%} ({ag.probability_model}, {ag.probability_draws or 0:,} draws)"
        )
    else:
        number = f"concluded in {len(agreed)} of {n} models"
    return Finding("agreements", text, number, imp)


def agreement_findings(a: Analysis, card: SummaryCard) -> list[Finding]:
    out: list[Finding] = []
    for ag in card.agreements:
        out.append(_agreement_headline(ag))
        if ag.refusals:
            out.append(
                Finding(
                    "agreements",
                    f"Who refuses {the(ag.id, ag.issues)}: {refusal_words(ag.refusals, ag.n_models)}.",
                    f"refused in {ag.count('refused')} of {ag.n_models} models",
                    90.0 if ag.status == "refused" else 70.0,
                )
            )
        if ag.opening_concession:
            lead = (
                f"No concession short of a reversal opens {the(ag.id, ag.issues)}"
                if ag.opening_reversal
                else f"The smallest single concession that opens {the(ag.id, ag.issues)}"
            )
            out.append(
                Finding(
                    "agreements",
                    f"{lead}: {ag.opening_concession.removeprefix('none short of a reversal: ')}.",
                    "deal analysis, every package enumerated"
                    if (a.deals or {}).get("method") == "enumerated"
                    else "deal analysis, packages searched",
                    78.0,
                )
            )
        elif ag.no_single_concession:
            out.append(
                Finding(
                    "agreements",
                    f"No single change of one actor's position, salience or red line opens {the(ag.id, ag.issues)}.",
                    "0 opening concessions",
                    62.0,
                )
            )
        p, head = ag.probability, next((m for m in ag.models if m.model == ag.probability_model), None)
        if p is not None and head is not None and ((head.status == "agreed") != (p >= 0.5)) and 0 < p < 1:
            said = "concludes" if head.status == "agreed" else "does not conclude"
            out.append(
                Finding(
                    "uncertainty",
                    f"Under uncertainty the {ag.probability_model} forecast concludes {the(ag.id, ag.issues)} in {p:.0%} of the draws, "
                    f"although with every input at its value it {said} it.",
                    f"P(agreement) {p:.0%}",
                    82.0,
                )
            )
    d = a.deals or {}
    if card.linkage and d.get("if_linked") != d.get("n_feasible"):
        out.append(
            Finding(
                "agreements",
                card.linkage,
                f"{d.get('if_linked', 0):,} vs {d.get('n_feasible', 0):,} acceptable packages",
                86.0 if d.get("if_linked") == 0 else 72.0,
            )
        )
    n = d.get("n_feasible", 0)
    for actor, n_without in (d.get("veto_effects") or {}).items():
        if n_without is not None and n_without != n:
            out.append(
                Finding(
                    "agreements",
                    f"{actor}'s veto binds: without it {n_without:,} packages would be acceptable instead of {n:,}.",
                    f"{n_without - n:+,} packages",
                    80.0 if n == 0 else 70.0,
                )
            )
    for pr in d.get("precedents") or []:
        if pr.get("error") or not pr.get("changes"):
            continue
        out.append(
            Finding(
                "precedents",
                precedent_words(pr, a.scenario),
                f"{len(pr.get('refused_by') or {})} refusal(s)",
                66.0 if pr.get("feasible") else 64.0,
            )
        )
    return out


# ------------------------------------------------------------------------------------------ forecasts
def _held(line: IssueLine) -> tuple[float, float] | None:
    """The models' pressure range when the rule holds the status quo against every model's pressure."""
    if line.status_quo is None or not line.models:
        return None
    sq, tol = line.status_quo, 1e-9 * line.width
    held = all(v.outcome is not None and abs(v.outcome - sq) <= tol and not v.moot for v in line.models)
    moved = [
        v.pressure for v in line.models if v.pressure is not None and abs(v.pressure - sq) > 0.02 * line.width
    ]
    loose = [v for v in line.models if v.converged is False]
    if held and len(moved) + len(loose) == len(line.models) and moved:
        return min(moved), max(moved)
    return None


def forecast_findings(a: Analysis, card: SummaryCard) -> list[Finding]:
    s = a.scenario
    out: list[Finding] = []
    if not a.forecasts:
        return out
    held: dict[str | None, list[tuple[IssueLine, tuple[float, float]]]] = {}
    for line in card.issues:
        rng = _held(line)
        if rng is not None:
            held.setdefault(line.agreement, []).append((line, rng))
    for gid, items in held.items():
        n = len(items[0][0].models)
        parts = [f"{human(line.issue)} (pressure {g(lo)} to {g(hi)})" for line, (lo, hi) in items]
        issues = next((ag.issues for ag in card.agreements if ag.id == gid), ())
        why = f": {the(gid, issues)} is refused" if gid else ""
        sq = and_list([f"{g(line.status_quo)}" for line, _ in items])
        out.append(
            Finding(
                "forecasts",
                f"The rule holds the status quo against the pressure of every model on {and_list(parts)}: "
                f"the outcome stays at {sq} in all {n}{why}.",
                f"{n} of {n} models at the status quo",
                84.0,
            )
        )
    for line in card.issues:
        values = line.models
        for v in values:
            if v.converged is False:
                moves = (
                    f"it cycles between {g(v.cycle_range[0])} and {g(v.cycle_range[1])}"
                    if v.cycle_range
                    else "it keeps moving without a repeating cycle"
                )
                if v.settled:
                    text = (
                        f"{v.model}'s pressure on {line.name} does not settle: {moves}; the rule gives "
                        f"{g(v.outcome)} in every round, so that outcome stands."
                    )
                    imp = 45.0
                else:
                    text = f"{v.model} does not settle on {line.name}: {moves}, so it gives no point forecast there."
                    imp = 65.0
                out.append(
                    Finding(
                        "forecasts",
                        text,
                        f"cycle of {v.cycle_length} rounds" if v.cycle_length else "not converged",
                        imp,
                    )
                )
        if line.moot:
            continue
        pts = [v for v in values if v.outcome is not None]
        if line.rule == "unilateral" and line.decider and pts:
            vals = ", ".join(
                f"{v.model} {g(v.outcome)}" for v in sorted(pts, key=lambda v: (v.outcome or 0.0, v.model))
            )
            sq = f" (status quo {g(line.status_quo)})" if line.status_quo is not None else ""
            spread = (
                (line.models_high.outcome or 0.0) - (line.models_low.outcome or 0.0)
                if line.models_low and line.models_high
                else 0.0
            )
            out.append(
                Finding(
                    "forecasts",
                    f"{line.decider} decides {line.name} alone; the models forecast its own position at {vals}{sq}"
                    + (", so they disagree on where it goes." if line.models_agree is False else "."),
                    f"spread {g(spread)} on a range of {g(line.width)}",
                    87.0,
                )
            )
            continue
        if line.rule != "collective" or len(pts) < 2:
            continue
        lo, hi = line.models_low, line.models_high
        assert lo is not None and hi is not None
        spread = (hi.outcome or 0.0) - (lo.outcome or 0.0)
        share = spread / line.width
        if share <= 0.1:
            out.append(
                Finding(
                    "forecasts",
                    f"Every model lands close on {line.name}: between {g(lo.outcome)} and "
                    f"{g(hi.outcome)}{_near(s, line.issue, hi.outcome or 0.0)}.",
                    f"spread {g(spread)} on a range of {g(line.width)}",
                    55.0,
                )
            )
        else:
            out.append(
                Finding(
                    "forecasts",
                    f"The models disagree on {line.name}: from {g(lo.outcome)} ({lo.model})"
                    f"{_near(s, line.issue, lo.outcome or 0.0)} to {g(hi.outcome)} ({hi.model})"
                    f"{_near(s, line.issue, hi.outcome or 0.0)}.",
                    f"spread {g(spread)} on a range of {g(line.width)}",
                    40.0 + 35.0 * share,
                )
            )
    return out


# ------------------------------------------------------------------------------------------ sweep
def sweep_findings(a: Analysis, card: SummaryCard | None = None) -> list[Finding]:
    """What the swept driver moves most and where each agreement is concluded: the same sentences as
    ``realpolitik sweep`` (:func:`~realpolitik.environment.sweep.sweep_movement` and its neighbours)."""
    sw = a.sweep
    if not sw or not sw.get("points") or len(sw.get("drivers") or []) != 1:
        return []
    result = sweep_from_json(sw)
    text, share = sweep_movement(result)
    out = [Finding("environment", text, f"{share:.0%} of the issue range", 20.0 + 40.0 * share)]
    for _gid, words, k, n in sweep_agreements(result):
        out.append(Finding("environment", words, f"{k}/{n} points", 80.0 if 0 < k < n else 45.0))
    feas = sweep_feasible(result)
    if feas is not None and not result.agreements:
        words, k, n = feas
        out.append(Finding("environment", words, f"{k}/{n} points", 80.0 if 0 < k < n else 45.0))
    return out


# ------------------------------------------------------------------------------------------ Monte Carlo
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
                f"{m['share']:.0%} of draws between {g(m['low'])} and {g(m['high'])}{_near(s, iid, m['value'])}"
                for m in sorted(ms, key=lambda m: m["value"])
            )
            out.append(
                Finding(
                    "uncertainty",
                    f"On {s.issue(iid).name} the {mc.get('model')} outcome under the rule splits into {len(ms)} distinct groups: "
                    f"{parts}. A single median would describe none of them.",
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
                f"the uncertain inputs ({mc.get('model')}), 80% of outcomes under the rule fall between {g(iv[0])} and {g(iv[1])}.",
                f"80% interval width {w:.0%} of the range",
                40.0 + 30.0 * w,
            )
        )
    if mc.get("agreement_probability") is None and mc.get("deal_probability") is not None:
        p = mc["deal_probability"]
        out.append(
            Finding(
                "uncertainty",
                f"A deal exists in {p:.0%} of the draws of the uncertain inputs.",
                f"P(deal) {p:.0%} ({mc.get('model')} draws)",
                55.0,
            )
        )
    tor = a.extras.get("tornado")
    if tor:
        out += _tornado_findings(s, tor)
    return out


def _widest(s: Any, issues: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any], float] | None:
    """(issue, its tornado dict, its widest bar, that bar's swing as a share of the range) over every issue."""
    best = None
    for iid, t in issues.items():
        rows = tornado_rows(t, top=1)
        width = s.issue(iid).bounds[1] - s.issue(iid).bounds[0] if iid in s.issue_ids else 1.0
        if rows and (best is None or rows[0]["total_swing"] / width > best[3]):
            best = (iid, t, rows[0], rows[0]["total_swing"] / width)
    return best


def _tornado_findings(s: Any, tor: dict[str, Any]) -> list[Finding]:
    """The input that moves the outcome under the rule most (the tornado's measure), with the pressure's
    own leader when that is another input or another issue."""
    model = tor["model"]
    best = _widest(s, tor["issues"])
    best_p = _widest(s, {iid: t["pressure"] for iid, t in tor["issues"].items() if t.get("pressure")})

    def name(iid: str) -> str:
        return s.issue(iid).name if iid in s.issue_ids else iid

    if best is None:
        if best_p is None:
            return []
        iid, t, b, share = best_p
        return [
            Finding(
                "uncertainty",
                f"No uncertain input, alone, moves any {model} outcome under the rule; the pressure (the model's own "
                f"result) on {name(iid)} moves most with {b['input']}: over {g(b['total_swing'])} from {g(t['base'])}, "
                "and the rule holds the outcome all the same.",
                f"pressure swing {g(b['total_swing'])}, outcome swing 0",
                30.0,
            )
        ]
    iid, t, b, share = best
    text = (
        f"The input that moves the {model} outcome under the rule most is {b['input']}: across its range "
        f"({g(b['low_value'])} to {g(b['high_value'])}) the outcome on {name(iid)} moves over {g(b['total_swing'])} "
        f"(from the baseline {g(t['base'])}, the forecast)"
    )
    if best_p is not None and (best_p[0] != iid or best_p[2]["input"] != b["input"]):
        piid, _, pb, _ = best_p
        text += (
            f"; the pressure, before the rule, moves most on {name(piid)}, with {pb['input']} "
            f"(over {g(pb['total_swing'])})"
        )
    return [
        Finding(
            "uncertainty",
            text + ".",
            f"total swing {g(b['total_swing'])} of the outcome",
            35.0 + 25.0 * min(1.0, share),
        )
    ]


def trust_findings(a: Analysis) -> list[Finding]:
    t = a.trust
    if not t or not t.get("cases"):
        return []
    cases = t["cases"]
    leaky = [c["id"] for c in cases if c.get("status") == "leaky"]
    if leaky and len(leaky) == len(cases):
        text = (
            f"The backtest of the analogues ({and_list(leaky)}) cannot say how accurate the models are: every one is "
            "leaky (its inputs are not dated before its decision), so they illustrate how precedents map, nothing more."
        )
        return [Finding("trust", text, f"{len(leaky)} of {len(cases)} analogues leaky", 58.0)]
    clean = [c["id"] for c in cases if c.get("status") == "clean"]
    return [
        Finding(
            "trust",
            f"{len(clean)} of {len(cases)} analogues are clean backtests (inputs dated before the decision); "
            "only those measure accuracy (see “How far to trust this”).",
            f"{len(clean)} clean",
            52.0,
        )
    ]


def findings(a: Analysis) -> list[Finding]:
    """Every finding, most important first (ties keep section order)."""
    card = summary_card(a)
    fs = [
        *agreement_findings(a, card),
        *forecast_findings(a, card),
        *montecarlo_findings(a),
        *sweep_findings(a, card),
        *trust_findings(a),
    ]
    return sorted(fs, key=lambda f: -f.importance)
