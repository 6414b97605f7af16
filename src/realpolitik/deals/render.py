"""JSON, terminal tables and plain sentences for a :class:`~realpolitik.deals.analysis.DealAnalysis`."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from realpolitik._text import esc, num
from realpolitik.deals.analysis import DealAnalysis, Evaluation
from realpolitik.deals.core import Concession

#: Feasible packages listed in full in the JSON (the best by joint gain) and frontier packages listed.
TOP = 10
MAX_FRONTIER = 50


def _r(x: float) -> float:
    return round(float(x), 6)


def _package(an: DealAnalysis, row: int) -> dict[str, Any]:
    res, p = an.result, an.problem
    vals = res.values[row]
    util = p.utility(vals)
    return {
        "values": {d: _r(v) for d, v in zip(p.issues, vals, strict=True)},
        "labels": {d: an.label(d, float(v)) for d, v in zip(p.issues, vals, strict=True)},
        "moves": [d for d, v, q in zip(p.issues, vals, p.status_quo, strict=True) if abs(v - q) > 1e-12],
        "utility": {a: _r(u) for a, u in zip(p.actors, util, strict=True)},
        "gain": {a: _r(g) for a, g in zip(p.actors, res.gains[row], strict=True)},
        "joint_gain": _r(res.joint[row]),
    }


def _concession(an: DealAnalysis, c: Concession | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "actor": an.actors[c.actor],
        "field": c.field,
        "issue": an.issues[c.issue],
        "from": _r(c.old),
        "to": _r(c.new),
        "size": _r(c.size),
        "n_feasible": c.n_feasible,
    }


def _evaluation(an: DealAnalysis, ev: Evaluation) -> dict[str, Any]:
    p = an.problem
    return {
        "values": {d: _r(v) for d, v in zip(p.issues, ev.values, strict=True)},
        "gain": {a: _r(g) for a, g in zip(p.actors, ev.gain, strict=True)},
        "accepts": {p.actors[i]: ok for i, ok in ev.accepts.items()},
        "refusals": {
            p.actors[i]: (p.issues[j] if j is not None else None) for i, j in ev.turning_issue.items()
        },
        "feasible": all(ev.accepts.values()),
    }


def deals_to_json(analysis: DealAnalysis) -> dict[str, Any]:
    """The documented JSON form of a deal analysis (keys in ``docs/deals.md``)."""
    an, res, p = analysis, analysis.result, analysis.problem
    top = [int(r) for r in res.ranking[:TOP]]
    linkage = [
        {
            "issue": d,
            "single_issue_deal": bool(res.single_issue[j]),
            "in_feasible_package": bool(res.in_package[j]),
            "linked": bool(res.linked[j]),
        }
        for j, d in enumerate(p.issues)
    ]
    fav = {
        p.actors[i]: (_package(an, int(res.favourites[i])) if res.favourites[i] >= 0 else None)
        for i in range(p.n_actors)
    }
    return {
        "scenario": an.scenario,
        "method": res.method,
        "params": an.params,
        "actors": list(p.actors),
        "issues": list(p.issues),
        "parties": an.parties,
        "veto_holders": an.veto_holders,
        "options": {d: [_r(v) for v in o] for d, o in zip(p.issues, p.options, strict=True)},
        "status_quo": {d: _r(v) for d, v in zip(p.issues, p.status_quo, strict=True)},
        "n_packages": int(res.n_packages),
        "feasible": res.n_feasible > 0,
        "n_feasible": res.n_feasible,
        "packages": [_package(an, r) for r in top],
        "n_frontier": int(res.frontier.size),
        "frontier": [_package(an, int(r)) for r in res.frontier[:MAX_FRONTIER]],
        "nash": _package(an, res.nash) if res.nash >= 0 else None,
        "kalai_smorodinsky": _package(an, res.kalai_smorodinsky) if res.kalai_smorodinsky >= 0 else None,
        "favourites": fav,
        "veto_effects": {p.actors[i]: n for i, n in res.veto_effects.items()},
        "consent_effects": {p.actors[i]: n for i, n in res.consent_effects.items()},
        "concessions": {p.actors[i]: _concession(an, c) for i, c in res.concessions.items()},
        "linkage": linkage,
        "precedents": [
            {
                "scenario": pr.scenario,
                "mapped": pr.mapped,
                "missing": pr.missing,
                "error": pr.error,
                **(_evaluation(an, pr.evaluation) if pr.evaluation is not None else {}),
            }
            for pr in an.precedents
        ],
    }


# ------------------------------------------------------------------------------------------ sentences
def _fmt_package(an: DealAnalysis, row: int) -> str:
    vals = an.result.values[row]
    parts = []
    for d, v, q in zip(an.issues, vals, an.problem.status_quo, strict=True):
        if abs(v - q) > 1e-12:
            lab = an.label(d, float(v))
            parts.append(f"{d} {v:g}" + (f" ({lab})" if lab else ""))
    return ", ".join(parts) if parts else "the status quo"


def summary_sentences(analysis: DealAnalysis) -> list[str]:
    """Plain findings generated from the numbers (no case-specific text)."""
    an, res, p = analysis, analysis.result, analysis.problem
    out: list[str] = []
    how = "of" if res.method == "enumerated" else "found by search among"
    parties = " and ".join(an.parties)
    if res.n_feasible:
        out.append(
            f"{res.n_feasible:,} {how} {res.n_packages:,} packages are acceptable to {parties}"
            + (f" and pass every veto ({', '.join(an.veto_holders)})" if an.veto_holders else "")
            + "."
        )
        if res.nash >= 0:
            out.append(f"Nash bargaining package: {_fmt_package(an, res.nash)}.")
        if res.kalai_smorodinsky >= 0 and res.kalai_smorodinsky != res.nash:
            out.append(f"Kalai–Smorodinsky package: {_fmt_package(an, res.kalai_smorodinsky)}.")
    else:
        out.append(
            f"No package {how} {res.n_packages:,} is acceptable to {parties} with every veto respected."
        )
        conc = [c for c in res.concessions.values() if c is not None]
        if conc:
            c = min(conc, key=lambda c: c.size)
            out.append(
                f"The smallest single concession that opens a deal: {p.actors[c.actor]} moves its {c.field} on "
                f"{p.issues[c.issue]} from {c.old:g} to {c.new:g} ({c.size:.0%} of the scale)."
            )
        elif res.concessions:
            out.append("No single change of one actor's position or salience opens a deal.")
    for i, n in res.veto_effects.items():
        if n != res.n_feasible:
            out.append(
                f"Without {p.actors[i]}'s veto, {n:,} packages would be acceptable instead of {res.n_feasible:,}."
            )
        else:
            out.append(
                f"{p.actors[i]}'s veto does not bind: no package the parties accept leaves it worse off on its "
                "veto issues than no deal."
            )
    linked = [d for d, k in zip(p.issues, res.linked, strict=True) if k]
    if linked:
        out.append(
            f"Linkage: {', '.join(linked)} cannot be settled alone but can move inside a package with other issues."
        )
    for pr in an.precedents:
        if pr.evaluation is None:
            continue
        ev = pr.evaluation
        refuse = [p.actors[i] for i, ok in ev.accepts.items() if not ok]
        if not refuse:
            out.append(
                f"The {pr.scenario} precedent, applied here, would be accepted by every party and veto holder."
            )
        else:
            why = []
            for i, j in ev.turning_issue.items():
                why.append(f"{p.actors[i]} on {p.issues[j]}" if j is not None else f"{p.actors[i]} (no gain)")
            out.append(f"The {pr.scenario} precedent, applied here, would be refused: {', '.join(why)}.")
    return out


# ------------------------------------------------------------------------------------------ tables
def _package_table(an: DealAnalysis, title: str, rows: list[tuple[str, int]]) -> Table:
    p, res = an.problem, an.result
    t = Table(title=title)
    t.add_column("")
    for d in p.issues:
        t.add_column(esc(d), justify="right")
    for a in an.parties:
        t.add_column(esc(f"gain {a}"), justify="right")
    t.add_column("joint", justify="right")
    parties = np.flatnonzero(p.party)
    for name, r in rows:
        vals = res.values[r]
        t.add_row(
            esc(name),
            *[num(v) for v in vals],
            *[f"{res.gains[r, i]:.3f}" for i in parties],
            f"{res.joint[r]:.3f}",
        )
    return t


def render_deals(analysis: DealAnalysis, console: Console) -> None:
    """Print the analysis as Rich tables and sentences (every text from the scenario through ``esc``)."""
    an, res, p = analysis, analysis.result, analysis.problem
    console.print(f"[bold]{esc(an.title)}[/bold] ({esc(an.scenario)}) — deal space, {esc(res.method)}")
    console.print(
        esc(
            f"parties: {', '.join(an.parties)}; vetoes: "
            + (", ".join(f"{a} on {', '.join(ds)}" for a, ds in an.veto_holders.items()) or "none")
        )
    )
    console.print(f"packages: {res.n_packages:,}; feasible: {res.n_feasible:,}")
    if res.n_feasible:
        sol = [("Nash", res.nash), ("Kalai–Smorodinsky", res.kalai_smorodinsky)]
        sol += [(f"favourite of {p.actors[i]}", int(res.favourites[i])) for i in np.flatnonzero(p.party)]
        console.print(_package_table(an, "Solutions", [(n, r) for n, r in sol if r >= 0]))
        console.print(
            _package_table(
                an,
                f"Top packages by joint gain (of {res.n_feasible:,})",
                [(f"#{k + 1}", int(r)) for k, r in enumerate(res.ranking[:TOP])],
            )
        )
    if res.veto_effects or res.consent_effects:
        t = Table(title="Feasible packages without one consent")
        t.add_column("actor")
        t.add_column("role")
        t.add_column("n feasible without", justify="right")
        for i, n in res.consent_effects.items():
            t.add_row(esc(p.actors[i]), "party", f"{n:,}")
        for i, n in res.veto_effects.items():
            t.add_row(esc(p.actors[i]), "veto", f"{n:,}")
        console.print(t)
    if res.concessions:
        t = Table(title="Smallest opening concession per actor")
        for c in ("actor", "field", "issue", "from", "to", "size"):
            t.add_column(c)
        for i, cc in res.concessions.items():
            if cc is None:
                t.add_row(esc(p.actors[i]), "—", "", "", "", "")
            else:
                t.add_row(
                    esc(p.actors[i]),
                    cc.field,
                    esc(p.issues[cc.issue]),
                    num(cc.old),
                    num(cc.new),
                    num(cc.size, ".3f"),
                )
        console.print(t)
    t = Table(title="Linkage")
    t.add_column("issue")
    t.add_column("deal alone")
    t.add_column("moves in a feasible package")
    for j, d in enumerate(p.issues):
        t.add_row(esc(d), "yes" if res.single_issue[j] else "no", "yes" if res.in_package[j] else "no")
    console.print(t)
    if an.precedents:
        t = Table(title="Precedents")
        t.add_column("analogue")
        t.add_column("package")
        t.add_column("accepts")
        t.add_column("refuses (turning issue)")
        for pr in an.precedents:
            if pr.evaluation is None:
                t.add_row(esc(pr.scenario), esc(pr.error or ""), "", "")
                continue
            ev = pr.evaluation
            pkg = ", ".join(f"{d}={num(v)}" for d, v in zip(p.issues, ev.values, strict=True))
            acc = ", ".join(p.actors[i] for i, ok in ev.accepts.items() if ok)
            ref = ", ".join(
                f"{p.actors[i]} ({p.issues[j] if j is not None else 'no gain'})"
                for i, j in ev.turning_issue.items()
            )
            t.add_row(esc(pr.scenario), esc(pkg), esc(acc or "—"), esc(ref or "—"))
        console.print(t)
    for s in summary_sentences(an):
        console.print(f"• {esc(s)}")
