"""Terminal tables and plain sentences for a :class:`~realpolitik.deals.analysis.DealAnalysis`.

The terminal output fits 80 columns: packages are written as words (``territory 7 (two islands);
military_status moot``) in one column that wraps between words, and every column holding ids or values is
at least as wide as its longest word, so ids and numbers are never cut.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from realpolitik._terminal import FitTable, Ident
from realpolitik.deals.analysis import DealAnalysis, Evaluation
from realpolitik.deals.core import Concession
from realpolitik.deals.json_form import TOP, agreements_json, conditions_json, red_lines

#: Party gain columns shown in the terminal tables (more parties: the joint gain only).
MAX_GAIN_COLUMNS = 4

REASONS = {"red_line": "a red line", "loss": "a loss", "no_gain": "no gain"}


def _and(names: list[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _num(x: float) -> str:
    """A value as written in sentences and tables (up to 6 significant digits, no exponent for scale values)."""
    return f"{float(x):g}"


# ------------------------------------------------------------------------------------------ structure
def red_line_text(an: DealAnalysis, issue: int, low: float, high: float) -> str:
    """``≥ 6.9``, ``≤ 25`` or ``6.9 to 25`` (an end at the issue's bound is not a red line)."""
    b = an.problem.bounds[issue]
    if low > b[0] and high < b[1]:
        return f"{_num(low)} to {_num(high)}"
    return f"≥ {_num(low)}" if low > b[0] else f"≤ {_num(high)}"


# ------------------------------------------------------------------------------------------ words
def _refusal_text(an: DealAnalysis, ev: Evaluation) -> str:
    p = an.problem
    out = []
    for i, j in ev.turning_issue.items():
        reason = REASONS.get(ev.reasons.get(i, ""), "")
        where = f" on {p.issues[j]}" if j is not None else ""
        out.append(f"{p.actors[i]}{where} ({reason})" if reason else f"{p.actors[i]}{where}")
    return ", ".join(out)


def _term_text(d: str, t: Any) -> str:
    if t.fixed is not None:
        head = f"{d} {_num(t.fixed)}, fixed"
    elif t.value is None:
        head = f"{d}: no outcome {t.key!r} in the analogue"
    else:
        head = f"{d} {_num(t.value)}, from {t.key}"
    return head + (f" ({t.note})" if t.note else "")


def summary_sentences(analysis: DealAnalysis) -> list[str]:
    """Plain findings generated from the numbers (no case-specific text)."""
    an, res, p = analysis, analysis.result, analysis.problem
    out: list[str] = []
    how = "of" if res.method == "enumerated" else "found by search among"
    signers = _and(an.parties) if an.parties else "nobody"
    several = p.n_groups > 1
    who = f"every signer ({signers}) of the agreements they change" if several else signers
    vetoes = f" and pass every veto ({', '.join(an.veto_holders)})" if an.veto_holders else ""
    if res.n_feasible:
        out.append(f"{res.n_feasible:,} {how} {res.n_packages:,} packages are acceptable to {who}{vetoes}.")
        if res.nash >= 0:
            out.append(f"Nash bargaining package: {an.package_text(res.values[res.nash])}.")
        if res.kalai_smorodinsky >= 0 and res.kalai_smorodinsky != res.nash:
            out.append(f"Kalai–Smorodinsky package: {an.package_text(res.values[res.kalai_smorodinsky])}.")
    else:
        tail = " with every veto respected" if an.veto_holders else ""
        out.append(f"No package {how} {res.n_packages:,} is acceptable to {who}{tail}.")
        conc = [c for c in res.concessions.values() if c is not None]
        if conc:
            c = min(conc, key=lambda c: c.size)
            out.append(
                f"The smallest single concession that opens a deal: {an.concession_text(c)} "
                f"({c.size:.0%} of the scale)."
            )
        elif res.concessions:
            out.append("No single change of one actor's position, salience or red line opens a deal.")
    if several:
        moved = res.values != p.status_quo[None, :] if res.n_feasible else np.zeros((0, p.n_issues), bool)
        for g, gid in enumerate(p.agreement_ids):
            issues = p.group_issues(g)
            if res.n_feasible and not moved[:, issues].any():
                out.append(f"No acceptable package changes {gid} ({', '.join(p.issues[j] for j in issues)}).")
                opening = [c for c in res.agreement_concessions.get(g, {}).values() if c is not None]
                if opening:
                    c = min(opening, key=lambda c: c.size)
                    out.append(
                        f"The smallest single concession that opens {gid}: {an.concession_text(c)} "
                        f"({c.size:.0%} of the scale)."
                    )
                elif g in res.agreement_concessions:
                    out.append(f"No single change of one actor's position, salience or red line opens {gid}.")
        if res.if_linked is not None and res.if_linked != res.n_feasible:
            found = "" if res.method == "enumerated" else " found"
            out.append(
                f"If every agreement were signed as one package, {res.if_linked:,} packages{found} would be "
                f"acceptable instead of {res.n_feasible:,}."
            )
    for i, n in res.veto_effects.items():
        if n != res.n_feasible:
            out.append(
                f"Without {p.actors[i]}'s veto, {n:,} packages would be acceptable instead of {res.n_feasible:,}."
            )
        else:
            out.append(
                f"{p.actors[i]}'s veto does not bind here: without it the same {n:,} packages are acceptable."
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
        name = pr.analogue_id or pr.scenario
        if not ev.active.any():
            out.append(
                f"The {name} precedent, applied here, changes nothing (its terms are moot or the status quo)."
            )
        elif ev.feasible:
            out.append(
                f"The {name} precedent, applied here, would be accepted by every signer and veto holder."
            )
        else:
            out.append(f"The {name} precedent, applied here, would be refused: {_refusal_text(an, ev)}.")
    return out


# ------------------------------------------------------------------------------------------ tables
def _package_table(an: DealAnalysis, title: str, rows: list[tuple[str, int]]) -> Table:
    p, res = an.problem, an.result
    parties = [int(i) for i in np.flatnonzero(p.party)]
    show = parties if len(parties) <= MAX_GAIN_COLUMNS else []
    texts = [an.package_text(res.values[r]) for _, r in rows]
    t = FitTable(
        title=title, caption="gains over no deal" if show else "joint gain of the signers over no deal"
    )
    t.add_column("")
    t.add_column("package (other issues unchanged)")
    for i in show:
        t.add_column(Ident(p.actors[i]), justify="right", min_width=6)
    t.add_column("joint", justify="right", min_width=6, no_wrap=True)
    for (name, r), text in zip(rows, texts, strict=True):
        t.add_row(Ident(name), Ident(text), *[f"{res.gains[r, i]:.3f}" for i in show], f"{res.joint[r]:.3f}")
    return t


def _concession_table(an: DealAnalysis, title: str, per: dict[int, Concession | None]) -> Table:
    texts = {i: an.concession_text(c) for i, c in per.items() if c is not None}
    t = FitTable(title=title, caption="size: share of the issue's range (salience: on 0–1); opens: packages")
    t.add_column("actor")
    t.add_column("change")
    t.add_column("size", justify="right", no_wrap=True)
    t.add_column("opens", justify="right", no_wrap=True)
    for i, cc in per.items():
        if cc is None:
            t.add_row(Ident(an.actors[i]), "no single change opens it", "", "")
        else:
            opens = "" if cc.n_opened is None else f"{cc.n_opened:,}"
            t.add_row(Ident(an.actors[i]), Ident(texts[i]), f"{cc.size:.3f}", opens)
    return t


def _structure(an: DealAnalysis, console: Console) -> None:
    p = an.problem
    console.print(Text("Agreements (each accepted or refused as a whole):"))
    for ag in agreements_json(an):
        name = f"{ag['id']} ({', '.join(ag['issues'])})" if ag["issues"] != [ag["id"]] else ag["id"]
        line = f"{name}: signed by {', '.join(ag['signers'])}"
        if ag["veto_holders"]:
            line += "; veto: " + ", ".join(f"{a} on {', '.join(ds)}" for a, ds in ag["veto_holders"].items())
        console.print(Padding(Text(line), (0, 0, 0, 2)))
    lines = red_lines(an)
    if lines:
        console.print(Text("Red lines (what each actor can accept at all):"))
        for a, per in lines.items():
            parts = [
                f"{d} {red_line_text(an, p.issues.index(d), r['low'], r['high'])}" for d, r in per.items()
            ]
            console.print(Padding(Text(f"{a}: {'; '.join(parts)}"), (0, 0, 0, 2)))
    if p.conditions:
        console.print(
            Text("Conditional issues (moot otherwise: held at the status quo, counting for nothing):")
        )
        for c in conditions_json(an):
            text = f"{c['issue']} applies only if {c['on']} {c['op']} {_num(c['value'])}"
            console.print(Padding(Text(text), (0, 0, 0, 2)))


def _precedents(an: DealAnalysis, console: Console) -> None:
    console.print(Text("Precedents (an analogue's outcome as a package here)", style="italic"))
    for pr in an.precedents:
        name = pr.analogue_id or pr.scenario
        if pr.evaluation is None:
            console.print(Padding(Text(f"{name}: not available ({pr.error})"), (0, 0, 0, 2)))
            continue
        ev = pr.evaluation
        console.print(
            Padding(Text(f"{name}: {an.package_text(ev.values, ev.moot)}", style="bold"), (0, 0, 0, 2))
        )
        for d, t in pr.terms.items():
            console.print(Padding(Text(_term_text(d, t)), (0, 0, 0, 4)))
        if pr.missing:
            console.print(Padding(Text(f"no outcome found for: {', '.join(pr.missing)}"), (0, 0, 0, 4)))
        if pr.outside_deal:
            console.print(Padding(Text(f"not negotiated here: {', '.join(pr.outside_deal)}"), (0, 0, 0, 4)))
        acc = [an.actors[i] for i, ok in ev.accepts.items() if ok]
        if not ev.active.any():
            verdict = "changes nothing here"
        elif ev.feasible:
            verdict = "accepted by " + ", ".join(acc)
        else:
            verdict = (
                (f"accepted by {', '.join(acc)}; " if acc else "") + "refused by " + _refusal_text(an, ev)
            )
        console.print(Padding(Text(verdict), (0, 0, 0, 4)))


def render_deals(analysis: DealAnalysis, console: Console) -> None:
    """Print the analysis as Rich tables and sentences (fits 80 columns; ids and values never cut)."""
    an, res, p = analysis, analysis.result, analysis.problem
    console.print(Text(f"{an.title} ({an.scenario}) — deal space, {res.method}", style="bold"))
    _structure(an, console)
    counts = f"Packages: {res.n_packages:,}; feasible: {res.n_feasible:,}" + (
        "" if res.method == "enumerated" else " found"
    )
    if res.if_linked is not None:
        counts += f"; if every agreement were signed as one: {res.if_linked:,}"
    console.print(Text(counts))
    if res.n_feasible:
        named: dict[int, list[str]] = {}  # one line per package, naming every solution it is
        for name, r in (("Nash", res.nash), ("Kalai–Smorodinsky", res.kalai_smorodinsky)):
            if r >= 0:
                named.setdefault(int(r), []).append(name)
        fav: dict[int, list[str]] = {}
        for party in np.flatnonzero(p.party):
            fav.setdefault(int(res.favourites[party]), []).append(p.actors[party])
        for r, who in fav.items():
            named.setdefault(r, []).append(f"favourite of {_and(who)}")
        console.print(_package_table(an, "Solutions", [(", ".join(n), r) for r, n in named.items()]))
        console.print(
            _package_table(
                an,
                f"Top packages by joint gain (of {res.n_feasible:,})",
                [(f"#{k + 1}", int(r)) for k, r in enumerate(res.ranking[:TOP])],
            )
        )
    if res.veto_effects or res.consent_effects:
        t = FitTable(title="Feasible packages without one actor's consent or veto")
        t.add_column("actor")
        t.add_column("role", no_wrap=True)
        t.add_column("feasible without it", justify="right")
        for i, n in res.consent_effects.items():
            t.add_row(Ident(p.actors[i]), "signer", f"{n:,}")
        for i, n in res.veto_effects.items():
            t.add_row(Ident(p.actors[i]), "veto", f"{n:,}")
        console.print(t)
    for g, per in res.agreement_concessions.items():
        title = "Smallest opening concession per actor"
        if p.n_groups > 1:
            title += f" for {p.agreement_ids[g]} (no acceptable package changes it)"
        console.print(_concession_table(an, title, per))
    t = FitTable(title="Linkage")
    t.add_column("issue")
    if p.n_groups > 1:
        t.add_column("agreement")
    t.add_column("deal alone")
    t.add_column("moves in a feasible package")
    for j, d in enumerate(p.issues):
        cells = [d] + ([p.agreement_ids[int(p.group[j])]] if p.n_groups > 1 else [])
        t.add_row(
            *[Ident(c) for c in cells],
            "yes" if res.single_issue[j] else "no",
            "yes" if res.in_package[j] else "no",
        )
    console.print(t)
    if an.precedents:
        _precedents(an, console)
    bullets = Table.grid(padding=(0, 1))
    bullets.add_column(no_wrap=True)
    bullets.add_column(ratio=1)
    for s in summary_sentences(an):
        bullets.add_row("•", Text(s))
    console.print(bullets)
