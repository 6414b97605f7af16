"""The report's sections, built from an :class:`~realpolitik.report.analysis.Analysis` as :mod:`view` blocks.

Order (a policy reader's): the summary card (rendered from :func:`summary_card`), findings ranked by
importance, one model-comparison figure per issue, deals, uncertainty, environment, and the scenario's
provenance folded at the end. Each section names the model it uses and why.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from realpolitik.deals.core import REVERSAL_SHARE
from realpolitik.models import get_model
from realpolitik.report import figdata as F
from realpolitik.report.analysis import Analysis
from realpolitik.report.colors import actor_colors
from realpolitik.report.figdata import g3
from realpolitik.report.findings import HEADLINE, findings
from realpolitik.report.stats import sobol_rows, tornado_rows
from realpolitik.report.summary import (
    REASON_WORDS,
    SummaryCard,
    convergence,
    exact,
    precedent_words,
    summary_card,
)
from realpolitik.report.view import Cell, Details, Figure, Heading, Items, Para, Pre, Section, table
from realpolitik.scenario.io import iter_quantities


def num(v: Any, digits: int = 2) -> str:
    """A number for a table: ``—`` for none or non-finite, thousands separators for integers."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    if not np.isfinite(f):
        return "—"
    return f"{f:.{digits}f}"


class Builder:
    """Makes figures (static SVG always; Plotly when ``interactive``)."""

    def __init__(self, interactive: bool) -> None:
        self.interactive = interactive

    def figure(self, kind: str, fid: str, title: str, caption: str, data: Any) -> Figure:
        from realpolitik.report import figures

        svg = getattr(figures, kind)(data)
        spec = None
        height = 320
        if self.interactive:
            from realpolitik.report import interactive

            spec = getattr(interactive, kind)(data)
            height = int(spec["layout"].get("height", 320))
        return Figure(fid, title, caption, svg, spec, height)


def _scale(iss: Any) -> F.Scale:
    return F.Scale(iss.name, (float(iss.bounds[0]), float(iss.bounds[1])), dict(iss.labels), iss.unit)


#: What each built-in model answers (shown beside the comparison figures; plug-ins show their title).
MODEL_QUESTION = {
    "compromise": "where the capability- and salience-weighted pressure of the actors lies",
    "nash": "the bargain the actors would strike against the status quo",
    "eum": "where challenges, threats and concessions lead, round by round",
    "exchange": "what trading support across issues yields",
    "smp": "KTAB's spatial model of bargaining coalitions",
}


def model_question(name: str) -> str:
    if name in MODEL_QUESTION:
        return MODEL_QUESTION[name]
    return get_model(name).title


def _model_note(a: Analysis, why: str) -> str | None:
    if not a.model:
        return None
    return f"Model: {a.model}, the model of this analysis ({why}; the summary says why {a.model})."


def mode_text(m: dict[str, float]) -> str:
    """``87% in 15–100 (peak near 53)``: one basin of an outcome distribution."""
    return f"{m['share']:.0%} in {g3(m['low'])}–{g3(m['high'])} (peak near {g3(m['value'])})"


# -------------------------------------------------------------------------------------------- findings
def section_findings(a: Analysis) -> Section:
    fs = findings(a)
    sec = Section("findings", "Findings")
    sec.model = (
        "Generated from every part, most important first, each with the number it rests on: the deal analysis (no "
        "bargaining model), every model's forecast"
        + (f", and the {a.model} Monte Carlo, sensitivity and sweep runs." if a.model else ".")
    )
    if not fs:
        sec.blocks.append(Para("No findings.", "note"))
        return sec
    head, rest = fs[:HEADLINE], fs[HEADLINE:]
    sec.blocks.append(Items(tuple(f"{f.text} [{f.number}]" for f in head)))
    if rest:
        sec.blocks.append(
            Details(f"{len(rest)} more findings", (Items(tuple(f"{f.text} [{f.number}]" for f in rest)),))
        )
    return sec


# ------------------------------------------------------------------------------------------- forecasts
def section_forecasts(a: Analysis, b: Builder, card: SummaryCard) -> Section:
    s = a.scenario
    sec = Section("forecasts", "Forecasts by model")
    if not a.forecasts:
        sec.blocks.append(Para("No model could run on this scenario.", "note"))
        return sec
    sec.model = (
        "Every model, each for the question it answers, read through each issue's decision rule; they are never averaged. "
        + "; ".join(f"{f.model}: {model_question(f.model)}" for f in a.forecasts)
        + (f". ★ marks {a.model}, the model of this analysis." if a.model else ".")
    )
    colours = actor_colors(s.actor_ids)
    sec.blocks.append(Para(f"{card.legend}.", "note"))
    for line in card.issues:
        iss = s.issue(line.issue)
        marks = []
        for act in s.actors:
            st = s.stance(act.id, iss.id)
            if st is not None:
                marks.append(
                    F.ActorMark(act.id, float(st.position.value), float(st.salience.value), colours[act.id])
                )
        rows = tuple(
            F.ModelRow(
                v.model,
                v.outcome,
                v.pressure,
                v.model == a.model,
                v.converged,
                v.cycle_range,
                model_question(v.model),
            )
            for v in line.models
        )
        data = F.Comparison(
            _scale(iss),
            line.status_quo,
            rows,
            tuple(marks),
            line.mc_model,
            line.mc_median,
            line.mc_interval,
            tuple((m["value"], m["share"]) for m in line.mc_modes),
            red_lines=red_lines_of(s, iss, colours),
            mc_pressure_interval=line.mc_pressure_interval,
            rule=line.rule_text,
        )
        caption = (
            f"Decision rule: {line.rule_text.replace('_', ' ')}"
            + (f" ({line.condition})" if line.condition else "")
            + ". Each model's outcome under the rule (filled; ★ and diamond: the analysis model) and its pressure "
            "(open ring; dashed where the rule moved it); dashed vertical line: the status quo; top row: each actor's "
            "position (dot size: salience)"
            + ("; red lines: each actor's acceptable range" if data.red_lines else "")
            + (
                f"; Monte Carlo ({line.mc_model}): 80% of the draws' outcomes (blue) and pressures (grey)"
                if line.mc_interval
                else ""
            )
            + ". "
            + "; ".join(_pair_text(v) for v in line.models)
            + "."
        )
        title = iss.name + (f" ({iss.unit})" if iss.unit else "")
        sec.blocks.append(b.figure("comparison", f"compare-{iss.id}", title, caption, data))
        if line.flags:
            sec.blocks.append(Para("Caution: " + "; ".join(line.flags) + ".", "flag"))
    # the numbers, for those who want them
    head = ["issue", "rule", "status quo"] + [f"{f.model}: outcome (pressure)" for f in a.forecasts]
    rows_: list[list[Any]] = []
    for line in card.issues:
        rows_.append(
            [line.name, line.rule_text.replace("_", " "), num(line.status_quo)]
            + [
                Cell(_pair_text(v, named=False), style="muted" if v.outcome is None else None)
                for v in line.models
            ]
        )
    blocks: list[Any] = [table(head, rows_, set(range(2, len(head))))]
    for f in a.forecasts:
        note = f.extras.get("note") if isinstance(f.extras, dict) else None
        if note:
            blocks.append(Para(f"{f.model}: {note}", "note"))
    sec.blocks.append(Details("The forecasts as a table", tuple(blocks)))
    if a.skipped:
        sec.blocks.append(Para(" ".join(f"{m} not run: {why}." for m, why in a.skipped.items()), "note"))
    dynamic = [f for f in a.forecasts if np.asarray(f.trajectory).shape[0] > 1]
    if dynamic:
        figs = []
        for j, iss in enumerate(s.issues):
            runs = []
            for f in dynamic:
                conv, _, rng = convergence(f.extras, iss.id)
                traj = np.asarray(f.trajectory)
                runs.append(F.TrajectoryRun(f.model, traj[:, :, j], _outcome_by_round(f, iss.id), conv, rng))
            data_t = F.Trajectories(_scale(iss), tuple(s.actor_ids), colours, tuple(runs))
            figs.append(
                b.figure(
                    "trajectories",
                    f"trajectory-{iss.id}",
                    f"Positions over rounds: {iss.name}",
                    "Each actor's position after each round, by dynamic model; dashed: the model's outcome so far.",
                    data_t,
                )
            )
        sec.blocks.append(Details("How the dynamic models move the actors, round by round", tuple(figs)))
    return sec


def _pair_text(v: Any, *, named: bool = True) -> str:
    """``eum 0 (pressure cycles 0–75.2)``, ``nash 92.7 (pressure 92.7)``: outcome first, pressure beside it."""
    head = f"{v.model} " if named else ""
    if v.moot:
        out = "moot"
    elif v.outcome is not None:
        out = g3(v.outcome)
    else:
        out = "no point forecast"
    if v.pressure is not None:
        pr = f"pressure {g3(v.pressure)}"
    elif v.converged is False and v.cycle_range:
        pr = f"pressure cycles {g3(v.cycle_range[0])}–{g3(v.cycle_range[1])}"
    else:
        pr = "no pressure"
    return f"{head}{out} ({pr})"


def red_lines_of(s: Any, iss: Any, colours: dict[str, str]) -> tuple[F.RedLine, ...]:
    """Each actor's acceptable range on ``iss`` where it is narrower than the scale."""
    lo_b, hi_b = (float(x) for x in iss.bounds)
    out = []
    for act in s.actors:
        st = s.stance(act.id, iss.id)
        acc = getattr(st, "acceptable", None) if st is not None else None
        if acc is None:
            continue
        lo = float(acc.low.value) if acc.low is not None else lo_b
        hi = float(acc.high.value) if acc.high is not None else hi_b
        if lo > lo_b or hi < hi_b:
            out.append(F.RedLine(act.id, lo, hi, colours[act.id]))
    return tuple(out)


def _outcome_by_round(f: Any, issue_id: str) -> np.ndarray | None:
    ex = f.extras if isinstance(f.extras, dict) else {}
    for key in ("outcome_by_round", "median_by_round"):
        v = ex.get(key)
        if isinstance(v, dict) and issue_id in v:
            return np.asarray(v[issue_id], dtype=float)
    return None


# ----------------------------------------------------------------------------------------------- deals
def _pkg_text(issues: list[str], pkg: dict[str, Any]) -> str:
    """A package in words; an issue moot in it is said as ``moot`` (it counts for nothing there)."""
    labels = pkg.get("labels") or {}
    moot = set(pkg.get("moot") or ())
    return "; ".join(
        (
            f"{iid} moot"
            if iid in moot
            else f"{iid} {pkg['values'][iid]:g}" + (f" ({labels[iid]})" if labels.get(iid) else "")
        )
        for iid in issues
        if iid in pkg["values"]
    )


def section_deals(a: Analysis, b: Builder) -> Section:
    sec = Section("deals", "Deals")
    d = a.deals
    if not d:
        sec.blocks.append(Para(a.notes.get("deals", "The deal analysis did not run."), "note"))
        return sec
    sec.model = (
        "No bargaining model: every package of options is judged by each party and veto holder against the status quo "
        "(salience-weighted utilities), because whether a deal exists does not depend on how bargaining would unfold."
    )
    parties = d["parties"]
    vh = d.get("veto_holders") or {}
    method = (
        "every package enumerated"
        if d["method"] == "enumerated"
        else "packages searched (too many to enumerate)"
    )
    card = summary_card(a)
    for ag in card.agreements:
        style = "verdict-yes" if ag.feasible else "verdict-no"
        said = (
            "can be agreed" + (" on its own" if len(card.agreements) > 1 else "")
            if ag.feasible
            else "cannot be agreed"
        )
        sec.blocks.append(Para(f"{ag.name}: {said}.", style))
        facts = [
            f"Signed by {', '.join(ag.signers)}"
            + (
                "; veto: "
                + "; ".join(f"{k} on {', '.join(v).replace('_', ' ')}" for k, v in ag.veto_holders.items())
                if ag.veto_holders
                else ""
            )
            + "."
        ]
        if ag.package:
            facts.append(f"Best acceptable package (joint gain): {ag.package}.")
        facts += [f"No common ground {c}." for c in ag.conflicts]
        if ag.opening_concession:
            facts.append(f"Smallest single concession that opens it: {ag.opening_concession}.")
        elif ag.no_single_concession:
            facts.append("No single change of one actor's position, salience or red line opens it.")
        sec.blocks.append(Items(tuple(facts)))
    sec.blocks.append(
        Para(
            f"{d['n_feasible']:,} of {d['n_packages']:,} packages are acceptable to every signer of the agreements they "
            f"change"
            + (" and to every veto holder on its issues" if vh else "")
            + f" ({method})."
            + (f" {card.linkage}" if card.linkage else ""),
            "note",
        )
    )
    red = d.get("red_lines") or {}
    if red:
        rows_r = []
        for actor, per in red.items():
            for iss, r in per.items():
                rows_r.append([actor, iss, exact(r["low"]), exact(r["high"])])
        conds = "; ".join(
            f"{c['issue']} applies only if {c['on']} {c['op']} {exact(c['value'])}"
            for c in d.get("conditions") or []
        )
        sec.blocks.append(Heading("Red lines"))
        sec.blocks.append(
            table(
                ["actor", "issue", "accepts at least", "accepts at most"],
                rows_r,
                {2, 3},
                "What each actor can accept at all (its acceptable range, where narrower than the scale)."
                + (f" Conditional issues: {conds}." if conds else ""),
            )
        )
    ve = d.get("veto_effects") or {}
    ce = d.get("consent_effects") or {}
    if ve or ce:
        rows = [[k, "veto", f"{d['n_feasible']:,}", f"{v:,}"] for k, v in ve.items()]
        rows += [[k, "party consent", f"{d['n_feasible']:,}", f"{v:,}"] for k, v in ce.items()]
        sec.blocks.append(Heading("Who decides"))
        sec.blocks.append(
            Para(
                "How many packages would be acceptable if one actor's veto (or a party's consent) were dropped.",
                "note",
            )
        )
        sec.blocks.append(
            table(["actor", "dropped", "acceptable now", "acceptable without it"], rows, {2, 3})
        )
    conc = d.get("concessions") or {}
    if conc:
        rows = []
        for actor, c in conc.items():
            if c:
                rows.append(
                    [
                        actor,
                        c["field"],
                        c["issue"],
                        exact(c["from"]),
                        exact(c["to"]),
                        f"{float(c['size']):.0%}"
                        + (
                            " (a reversal)"
                            if c["field"] == "position" and float(c["size"]) > REVERSAL_SHARE
                            else ""
                        ),
                        f"{c.get('n_feasible', 0):,}",
                    ]
                )
            else:
                rows.append(
                    [
                        actor,
                        "—",
                        "—",
                        "—",
                        "—",
                        "—",
                        "no single move opens a deal" if not d["feasible"] else "a deal exists already",
                    ]
                )
        sec.blocks.append(Heading("Concessions that would open a deal (the smallest over every agreement)"))
        sec.blocks.append(
            table(
                [
                    "actor",
                    "field",
                    "issue",
                    "from",
                    "to",
                    "size (share of range)",
                    "acceptable packages after",
                ],
                rows,
                {3, 4, 5},
            )
        )
    if d.get("packages"):
        head = ["#", "package"] + [f"gain {p}" for p in parties] + ["joint gain"]
        rows = [
            [str(k + 1), _pkg_text(d["issues"], pkg)]
            + [num(pkg["gain"][p], 3) for p in parties]
            + [num(pkg["joint_gain"], 3)]
            for k, pkg in enumerate(d["packages"][:8])
        ]
        sec.blocks.append(Heading("Best acceptable packages (by the parties' joint gain)"))
        sec.blocks.append(table(head, rows, set(range(2, len(head)))))
    named: list[tuple[str, dict[str, Any]]] = []
    for key, name in (("nash", "Nash"), ("kalai_smorodinsky", "Kalai–Smorodinsky")):
        if d.get(key):
            named.append((name, d[key]))
    for k, pkg in enumerate((d.get("packages") or [])[:3]):
        named.append((f"top {k + 1}", pkg))
    for actor, pkg in (d.get("favourites") or {}).items():
        if pkg and actor in parties:
            named.append((f"{actor}'s favourite", pkg))
    free = a.extras.get("deals_without_vetoes")
    if free and free["feasible"]:
        for key, name in (("nash", "Nash"), ("kalai_smorodinsky", "Kalai–Smorodinsky")):
            if free.get(key):
                named.append((f"no vetoes: {name}", free[key]))
        for k, pkg in enumerate((free.get("packages") or [])[:2]):
            named.append((f"no vetoes: top {k + 1}", pkg))
    for pr in d.get("precedents") or []:
        if pr.get("gain"):
            named.append((f"precedent {pr['scenario']}", pr))
    if named:
        actors = d["actors"]
        g = F.GainsData(
            tuple(n for n, _ in named),
            tuple(_pkg_text(d["issues"], p) if p.get("values") else "" for _, p in named),
            tuple(actors),
            np.array([[float(p["gain"].get(ac, np.nan)) for ac in actors] for _, p in named]),
        )
        sec.blocks.append(
            b.figure(
                "gains",
                "deals-heatmap",
                "Gain over no deal, by package and actor",
                "Each column a package (numbered as in the list below), each row an actor: blue cells are gains (the actor "
                "prefers the package to no deal), orange cells losses. Parties must all gain; veto holders judge only their veto "
                "issues. Packages: " + "; ".join(f"{k + 1} {n}" for k, (n, _) in enumerate(named)) + ".",
                g,
            )
        )
        sec.blocks.append(
            Details(
                "The packages in the figure",
                (
                    table(
                        ["#", "package", "values"],
                        [
                            [str(k + 1), n, _pkg_text(d["issues"], p) if p.get("values") else "—"]
                            for k, (n, p) in enumerate(named)
                        ],
                    ),
                ),
            )
        )
    obj = a.deals_object
    plane_free = False
    d_plane = d
    if (
        obj is not None
        and obj.result.n_feasible == 0
        and a.extras.get("deals_without_vetoes_object") is not None
    ):
        obj, d_plane, plane_free = (
            a.extras["deals_without_vetoes_object"],
            a.extras["deals_without_vetoes"],
            True,
        )
    if len(parties) >= 2 and obj is not None:
        res = obj.result
        actors = d["actors"]
        i0, i1 = actors.index(parties[0]), actors.index(parties[1])
        gains_ = np.asarray(res.gains)
        fe = gains_[:, [i0, i1]] if gains_.size else np.zeros((0, 2))
        fr = (
            gains_[np.asarray(res.frontier, dtype=int)][:, [i0, i1]]
            if len(res.frontier)
            else np.zeros((0, 2))
        )
        marks = {"status quo": (0.0, 0.0)}
        for key, name in (("nash", "Nash"), ("kalai_smorodinsky", "Kalai–Smorodinsky")):
            if d_plane.get(key):
                marks[name] = (d_plane[key]["gain"][parties[0]], d_plane[key]["gain"][parties[1]])
        for pr in d.get("precedents") or []:
            if pr.get("gain"):
                marks[pr["scenario"]] = (pr["gain"][parties[0]], pr["gain"][parties[1]])
        title = "The parties' gains" + (" if every veto were dropped" if plane_free else "")
        lead = (
            "No package is acceptable with the vetoes, so this shows the packages the parties would accept if every veto "
            "were dropped: what the vetoes block. "
            if plane_free
            else f"Gains of {parties[0]} and {parties[1]} over no deal for every acceptable package. "
        )
        data = F.PlaneData((parties[0], parties[1]), fe, fr, marks, title)
        sec.blocks.append(
            b.figure(
                "plane",
                "deals-plane",
                title,
                lead
                + "Also the Pareto frontier, the Nash and Kalai–Smorodinsky packages and the precedents.",
                data,
            )
        )
    link = d.get("linkage") or []
    if link and any(x["linked"] for x in link):
        rows = [
            [
                x["issue"],
                num(x["single_issue_deal"]),
                num(x["in_feasible_package"]),
                "yes" if x["linked"] else "no",
            ]
            for x in link
        ]
        sec.blocks.append(Heading("Linkage"))
        sec.blocks.append(
            Para(
                "An issue is linked when no deal on it alone is acceptable, yet it moves inside an acceptable package.",
                "note",
            )
        )
        sec.blocks.append(
            table(["issue", "deal on this issue alone", "moves in an acceptable package", "linked"], rows)
        )
    prec = d.get("precedents") or []
    if prec:
        rows = []
        for pr in prec:
            if pr.get("error"):
                rows.append([pr["scenario"], pr["error"], "", ""])
                continue
            acc = ", ".join(f"{k}: {'yes' if v else 'no'}" for k, v in (pr.get("accepts") or {}).items())
            ref = "; ".join(
                f"{k} on {(r.get('issue') or '—').replace('_', ' ')} ({REASON_WORDS.get(str(r.get('reason')), r.get('reason'))})"
                for k, r in (pr.get("refused_by") or {}).items()
            )
            rows.append(
                [
                    pr.get("id") or pr["scenario"],
                    _pkg_text(d["issues"], pr) if pr.get("values") else "—",
                    acc,
                    ref or "none",
                ]
            )
        sec.blocks.append(Heading("Precedents as packages"))
        sec.blocks.append(
            Para(
                "Each analogue's terms mapped onto this scenario's issues (unmapped issues stay at the status quo; a "
                "fixed term says where the precedent applies, with its note) and judged by the signers and veto holders "
                "here: who refuses, on which issue, and why (a red line breached, a loss, or no gain).",
                "note",
            )
        )
        sec.blocks.append(table(["precedent", "package here", "accepts", "refused by"], rows))
        sec.blocks.append(Items(tuple(precedent_words(pr, a.scenario, notes=True) for pr in prec)))
    return sec


# ----------------------------------------------------------------------------------------- uncertainty
def section_uncertainty(a: Analysis, b: Builder) -> Section:
    s = a.scenario
    sec = Section("uncertainty", "Uncertainty")
    mc = a.montecarlo
    if not mc:
        sec.blocks.append(Para(a.notes.get("montecarlo", "Monte Carlo did not run."), "flag"))
        return sec
    sec.model = _model_note(
        a,
        "Monte Carlo, tornado and Sobol run it and read its result through the decision rules, so these ranges "
        "belong to its outcome under the rule",
    )
    issues = mc.get("issues") or {}
    sec.blocks.append(
        Para(
            f"{mc.get('draws_completed', 0):,} draws of the {len(mc.get('uncertain_inputs') or [])} uncertain inputs (numbers with a range "
            f"or a scenario-wide default; {mc.get('distribution')} distributions), each run through the {mc.get('model')} model, "
            f"seed {mc.get('seed')}."
        )
    )
    probs = mc.get("agreement_probability") or {}
    if probs:
        names = {ag.id: ag.name for ag in summary_card(a).agreements}
        sec.blocks.append(
            Items(
                tuple(
                    f"P(agreement) for {names.get(k, k)}: {v:.0%} of the draws (the {mc.get('model')} pressure accepted by "
                    "every signer and veto holder)"
                    for k, v in probs.items()
                    if v is not None
                )
            )
        )
    elif mc.get("deal_probability") is not None:
        sec.blocks.append(Para(f"A deal exists in {mc['deal_probability']:.0%} of the draws."))
    all_modes = a.extras.get("mc_modes") or {}
    samples = a.extras.get("mc_samples") or {}
    point = a.headline.outcome if a.headline is not None and a.headline.model == mc.get("model") else None
    rows = []
    for iid, st in issues.items():
        q = st["quantiles"]
        ms = all_modes.get(iid) or []
        shape = (
            "one peak"
            if len(ms) < 2
            else "; ".join(mode_text(m) for m in sorted(ms, key=lambda m: m["value"]))
        )
        pq = (st.get("pressure") or {}).get("quantiles") or {}
        rows.append(
            [
                st.get("name", iid),
                st.get("rule", "—"),
                num(q["10"]),
                num(q["50"]),
                num(q["90"]),
                f"{num(pq.get('10'))} – {num(pq.get('90'))}" if pq else "—",
                shape,
            ]
        )
    sec.blocks.append(
        table(
            [
                "issue",
                "rule",
                "outcome p10",
                "median",
                "p90",
                "pressure p10 – p90",
                "shape of the outcome's distribution",
            ],
            rows,
            {2, 3, 4, 5},
            "Outcome: under the decision rule, in every draw; pressure: the model's own result in the same draws.",
        )
    )
    for iid, st in issues.items():
        if iid not in s.issue_ids:
            continue
        ms = all_modes.get(iid) or []
        qs = {k: v for k, v in st["quantiles"].items() if v is not None}
        data = F.Distribution(
            _scale(s.issue(iid)),
            str(mc.get("model")),
            samples.get(iid),
            qs,
            tuple((m["value"], m["share"]) for m in ms),
            point.get(iid) if point else None,
        )
        cap = (
            f"The outcomes split into {len(ms)} groups (lines: the modes with their share of draws); the median "
            f"({g3(qs['50'])}) and the 80% interval would hide that."
            if len(ms) >= 2
            else "Share of draws per outcome; shaded: the 80% interval; solid line: the median."
        )
        cap += " Dashed: the forecast with every input at its value." if point else ""
        sec.blocks.append(
            b.figure("distribution", f"mc-{iid}", f"Distribution of outcomes: {s.issue(iid).name}", cap, data)
        )
    tor = a.extras.get("tornado")
    if tor:
        figs: list[Any] = []
        still: list[str] = []
        for iid, t in tor["issues"].items():
            if iid not in s.issue_ids:
                continue
            rows_t = tornado_rows(t, top=10)
            top_p = tornado_rows(t.get("pressure") or {"base": 0.0, "bars": []}, top=1)
            beside = (
                f" The pressure (the model's own result, before the rule) moves most with {top_p[0]['input']}: over "
                f"{g3(top_p[0]['total_swing'])} from its baseline {g3(float(t['pressure']['base']))}."
                if top_p
                else ""
            )
            if not rows_t:
                still.append(
                    f"{s.issue(iid).name}: no input moves the outcome under the rule (it stays at {g3(float(t['base']))} "
                    f"at both ends of every range).{beside}"
                )
                continue
            data_t = F.TornadoData(
                _scale(s.issue(iid)),
                tor["model"],
                float(t["base"]),
                tuple(
                    F.TornadoBar(r["input"], r["low"], r["high"], r["low_value"], r["high_value"])
                    for r in rows_t
                ),
            )
            figs.append(
                b.figure(
                    "tornado",
                    f"tornado-{iid}",
                    f"What moves the outcome under the rule: {s.issue(iid).name}",
                    f"The {tor['model']} outcome under the decision rule with each input at the low and at the high end of its "
                    f"range, every other input at its value; the line is the baseline ({g3(float(t['base']))}, the forecast "
                    f"with every input at its value). Ranked by total swing, the full width the outcome covers as the input "
                    f"crosses its range (top {len(rows_t)}).{beside}",
                    data_t,
                )
            )
        if figs or still:
            sec.blocks.append(Heading("One input at a time (tornado): what moves the outcome under the rule"))
        if still:
            sec.blocks.append(Items(tuple(still)))
        sec.blocks.extend(figs)
    sob = a.extras.get("sobol")
    if sob:
        sec.blocks.append(
            Heading("Which actors' numbers matter (Sobol indices of the outcome under the rule)")
        )
        sec.blocks.append(
            Para(
                f"Of {sob.get('measure_words') or 'the outcome under the decision rules'} ({sob['model']}). "
                "S1 (first order): the share of the outcome's variance that an actor's numbers cause on their own. ST (total): the "
                "share they cause including their interactions with others; ST ≥ S1, and the STs add up to more than 1 when "
                f"inputs interact. Estimates from {sob['n_runs']:,} runs with 95% confidence intervals: a value below 0 or above 1 is "
                "sampling error, not a share. Factors whose indices are all zero are left out.",
                "note",
            )
        )
        trows = []
        for iid, rows_s in sob["issues"].items():
            tidy = sobol_rows(rows_s)
            if not tidy or iid not in s.issue_ids:
                continue
            data_s = F.SobolData(
                iid,
                sob["model"],
                int(sob["n_runs"]),
                tuple(
                    F.SobolRow(
                        r["factor"], float(r["S1"]), float(r["ST"]), float(r["S1_conf"]), float(r["ST_conf"])
                    )
                    for r in tidy
                ),
            )
            sec.blocks.append(
                b.figure(
                    "sobol",
                    f"sobol-{iid}",
                    f"Sobol indices: {s.issue(iid).name}",
                    "Diamonds: ST (total); dots: S1 (first order); whiskers: 95% confidence intervals; grey: outside [0, 1].",
                    data_s,
                )
            )
            for r in tidy:
                trows.append(
                    [
                        s.issue(iid).name,
                        r["factor"],
                        f"{r['S1']:.2f} ± {r['S1_conf']:.2f}",
                        f"{r['ST']:.2f} ± {r['ST_conf']:.2f}",
                        r["note"],
                    ]
                )
        if trows:
            sec.blocks.append(
                Details(
                    "Sobol indices as a table",
                    (table(["issue", "factor", "S1 ± 95%", "ST ± 95%", "note"], trows),),
                )
            )
    if "sensitivity" in a.notes:
        sec.blocks.append(Para(a.notes["sensitivity"], "note"))
    return sec


# ----------------------------------------------------------------------------------------- environment
def section_environment(a: Analysis, b: Builder) -> Section:
    s = a.scenario
    sec = Section("environment", "Environment")
    sw = a.sweep
    if not sw or not sw.get("points"):
        sec.blocks.append(Para(a.notes.get("sweep", "The environment sweep did not run."), "note"))
        return sec
    sec.model = _model_note(a, "it runs at every point, so the sweep moves its forecast")
    drivers = sw["drivers"]
    pts = sw["points"]
    agreements = list(sw.get("agreements") or [])
    names_ag = {ag.id: ag.name for ag in summary_card(a).agreements}
    sec.blocks.append(
        Para(
            f"Every point runs the {sw['model']} model with the driver set as shown (the scenario's links turn the driver "
            "into actors' numbers) and reads the result through the decision rules: the outcome under the rule first, "
            "the pressure (the model's own result) beside it."
        )
    )
    if sw.get("headline"):
        sec.blocks.append(Para(str(sw["headline"])))
    if len(drivers) == 1:
        d = drivers[0]
        x = np.array([p["values"][d] for p in pts])
        names = {i.id: i.name for i in s.issues}

        def column(key: str, iid: str) -> np.ndarray:
            return np.array([np.nan if (p.get(key) or {}).get(iid) is None else p[key][iid] for p in pts])

        series = {names.get(iid, iid): column("outcome", iid) for iid in sw["issues"]}
        pressure = (
            {names.get(iid, iid): column("pressure", iid) for iid in sw["issues"]}
            if all(p.get("pressure") for p in pts)
            else {}
        )
        agreed = {
            names_ag.get(g, g): np.array([float(bool((p.get("agreed") or {}).get(g))) for p in pts])
            for g in agreements
        }
        feas = [p.get("feasible") for p in pts]
        fe = (
            None
            if all(f is None for f in feas)
            else np.array([np.nan if f is None else float(f) for f in feas])
        )
        data = F.SweepData(d, sw["model"], x, series, (sw.get("baseline") or {}).get(d), fe, pressure, agreed)
        sec.blocks.append(
            b.figure(
                "sweep",
                "sweep-forecast",
                f"Forecasts as {d} varies",
                f"The {sw['model']} outcome under the rule on each issue against {d} (solid) and the pressure, the model's "
                "own result (dashed, same colour, where it differs); dotted: the scenario's own value of the driver.",
                data,
            )
        )
        for name, v in (agreed or ({"": fe} if fe is not None else {})).items():
            vals = {float(u) for u in np.asarray(v).tolist() if np.isfinite(u)}
            if len(vals) > 1:
                continue
            on = vals == {1.0}
            span = f"{d} from {x.min():g} to {x.max():g}"
            if name:
                text = (
                    f"{name}: concluded in the {sw['model']} forecast at every value of {span}."
                    if on
                    else f"{name}: no value of {span} makes the {sw['model']} forecast conclude it."
                )
            else:
                text = (
                    f"Some package every actor who must consent accepts exists at every value of {span}."
                    if on
                    else f"No value of {span} gives a package every actor who must consent accepts."
                )
            sec.blocks.append(Para(text, "verdict-yes" if on else "verdict-no"))
        changing = {k: v for k, v in agreed.items() if len({float(u) for u in v}) > 1}
        if changing or (
            not agreed and fe is not None and len({v for v in fe.tolist() if np.isfinite(v)}) > 1
        ):
            shown = F.SweepData(d, sw["model"], x, series, data.baseline, fe, pressure, changing)
            sec.blocks.append(
                b.figure(
                    "feasibility",
                    "sweep-feasibility",
                    f"Which agreements the forecast concludes as {d} varies"
                    if changing
                    else f"Whether some acceptable package exists as {d} varies",
                    f"Filled: the {sw['model']} pressure is accepted by every signer and veto holder at that value; "
                    "open: it is refused (or changes nothing) and the status quo stands."
                    if changing
                    else "Filled: the deal analysis finds a package every signer and veto holder accepts at that value; "
                    "open: it finds none.",
                    shown,
                )
            )
    assessed = any(p.get("feasible") is not None for p in pts)
    head = (
        list(drivers)
        + [f"{i} (pressure)" for i in sw["issues"]]
        + [f"{names_ag.get(g, g)}: concluded" for g in agreements]
        + (["some acceptable package"] if assessed else [])
    )

    def yes_no(flag: Any) -> Cell:
        if flag is None:
            return Cell("—")
        return Cell("yes", style="yes") if flag else Cell("no", style="no")

    rows = []
    for p in pts:
        pr = p.get("pressure") or {}
        rows.append(
            [num(p["values"][dd]) for dd in drivers]
            + [
                f"{num(p['outcome'].get(i))} ({num(pr.get(i))})" if i in pr else num(p["outcome"].get(i))
                for i in sw["issues"]
            ]
            + [yes_no(bool((p.get("agreed") or {}).get(g))) for g in agreements]
            + ([yes_no(p.get("feasible"))] if assessed else [])
        )
    sec.blocks.append(
        Details(
            "The sweep as a table: outcome under the rule (pressure), agreements concluded in the forecast",
            (
                table(
                    head,
                    rows,
                    set(range(len(drivers) + len(sw["issues"]))),
                    "Concluded: the agreement is concluded in the "
                    f"{sw['model']} forecast at that point"
                    + (
                        "; some acceptable package: the deal analysis finds a package every signer and veto holder "
                        "accepts there, whatever the model forecasts."
                        if assessed
                        else "."
                    ),
                ),
            ),
        )
    )
    warnings = sw.get("warnings") or []
    if warnings:
        sec.blocks.append(Para(" ".join(warnings), "note"))
    return sec


# ----------------------------------------------------------------------------------------------- trust
def section_trust(a: Analysis) -> Section:
    """How far to trust this: the backtest of the scenario's analogues (realpolitik.backtest.trust)."""
    sec = Section("trust", "How far to trust this")
    t = a.trust
    if not t:
        sec.blocks.append(Para(a.notes.get("trust", "The backtest of the analogues did not run."), "note"))
        return sec
    sec.model = (
        "Every model and four naive baselines scored against the recorded outcomes of the analogues this scenario "
        "names (realpolitik backtest); errors are shares of each issue's range."
    )
    cases = t.get("cases") or []
    paras = list(t.get("paragraphs") or [])
    if cases and all(c.get("status") == "leaky" for c in cases):
        sec.blocks.append(
            Para(
                "The analogues are leaky: kept as illustrations of how precedents map onto this scenario, not as "
                "evidence of how accurate the models are.",
                "flag",
            )
        )
    for text in paras:
        sec.blocks.append(Para(text))
    preds = t.get("predictors") or []
    if cases and preds:
        head = ["case", "status", "decided"] + [p["label"] for p in preds]
        rows = []
        for c in cases:
            errs = c.get("mean_error") or {}
            rows.append(
                [
                    c["id"],
                    Cell(c["status"], style="no" if c["status"] == "leaky" else "yes"),
                    c.get("decided") or "—",
                ]
                + ["—" if errs.get(p["name"]) is None else f"{100 * errs[p['name']]:.1f}%" for p in preds]
            )
        kinds = ", ".join(f"{p['label']}" for p in preds if p.get("kind") == "baseline")
        sec.blocks.append(
            table(
                head,
                rows,
                set(range(3, len(head))),
                f"Mean absolute error per case as a share of the issue's range (lower is better); baselines: {kinds}.",
            )
        )
    if t.get("figure_svg"):
        sec.blocks.append(
            Figure(
                "trust-figure",
                "Error per model, with the naive baselines marked",
                "Each predictor's mean error over the analogues (clean and leaky cases apart, never pooled)"
                + (f"; ★ marks {a.model}, the model of this analysis." if a.model else "."),
                t["figure_svg"],
            )
        )
    leak = [(c["id"], c.get("leakage") or []) for c in cases if c.get("leakage")]
    if leak:
        sec.blocks.append(
            Details(
                "Why each case is clean or leaky",
                tuple(Pre(f"{cid}\n" + "\n".join(lines)) for cid, lines in leak),
            )
        )
    for sid, why in (t.get("unavailable") or {}).items():
        sec.blocks.append(Para(f"{sid}: not scored ({why}).", "note"))
    return sec


# --------------------------------------------------------------------------------- scenario, provenance
def section_scenario(a: Analysis) -> Section:
    s = a.scenario
    sec = Section("scenario", "Scenario and provenance")
    colours = actor_colors(s.actor_ids)
    vetoes = {v.actor: v.issues for v in s.vetoes}
    blocks: list[Any] = []
    if s.description:
        blocks.append(Para(s.description.strip()))
    rows = []
    for act in s.actors:
        cap = act.capability
        role = (
            "party"
            if act.id in s.parties
            else ("veto on " + ", ".join(vetoes[act.id]) if act.id in vetoes else "")
        )
        rows.append([Cell(act.id, swatch=colours[act.id]), act.name, num(cap.value, 4) if cap else "—", role])
    blocks += [Heading("Actors"), table(["id", "name", "capability", "role"], rows, {2})]
    rows = []
    for iss in s.issues:
        labels = "; ".join(f"{k:g}: {v}" for k, v in sorted(iss.labels.items()))
        rows.append(
            [
                iss.id,
                iss.name,
                f"{iss.bounds[0]:g} – {iss.bounds[1]:g}" + (f" {iss.unit}" if iss.unit else ""),
                num(iss.status_quo.value) if iss.status_quo else "—",
                labels,
            ]
        )
    blocks += [Heading("Issues"), table(["id", "name", "scale", "status quo", "labelled points"], rows, {3})]
    head = ["actor"] + [i.id for i in s.issues]
    rows = []
    for act in s.actors:
        row: list[Any] = [Cell(act.id, swatch=colours[act.id])]
        for iss in s.issues:
            st = s.stance(act.id, iss.id)
            row.append("—" if st is None else f"{st.position.value:g} (s {st.salience.value:.2f})")
        rows.append(row)
    blocks += [
        Heading("Positions and saliences"),
        table(head, rows, set(range(1, len(head))), "Position on each issue's scale; salience (s) on 0–1."),
    ]
    if s.relations:
        rows = [
            [r.from_, r.to, r.kind, exact(r.value.value), r.note or r.value.note or ""] for r in s.relations
        ]
        blocks += [Heading("Relations"), table(["from", "to", "kind", "value", "note"], rows, {3})]
    if s.vetoes:
        rows = [[v.actor, ", ".join(v.issues), v.note or ""] for v in s.vetoes]
        blocks += [Heading("Vetoes"), table(["actor", "issues", "note"], rows)]
    src_rows = [
        [
            k,
            v.title,
            v.kind,
            " ".join(x for x in (v.author, v.publisher, str(v.date) if v.date else None) if x),
            v.url or "",
        ]
        for k, v in s.sources.items()
    ]
    blocks.append(Heading("Sources"))
    blocks.append(
        table(["key", "title", "kind", "by / date", "url"], src_rows)
        if src_rows
        else Para("No sources declared.", "note")
    )
    judg = {k for k, src in s.sources.items() if src.kind == "judgment"}
    rows = []
    n_j = 0
    for path, q in iter_quantities(s):
        kind = "analyst judgment" if q.source in judg else ("sourced" if q.source else "no source")
        n_j += q.source in judg
        rng = f"[{q.range[0]:g}, {q.range[1]:g}]" if q.range else ""
        rows.append([path, f"{q.value:g}", rng, q.source or "—", kind, q.note or ""])
    sec.blocks.append(
        Para(
            f"{len(s.actors)} actors, {len(s.issues)} issues, {len(s.sources)} sources; {len(rows)} numbers, "
            f"{n_j} of them analyst judgment (a source of kind judgment, with the note it rests on)."
        )
    )
    sec.blocks.append(Details("Actors, issues, positions, relations and sources", tuple(blocks)))
    sec.blocks.append(
        Details(
            f"Provenance of every number ({len(rows)} numbers; {n_j} are analyst judgment)",
            (table(["field", "value", "range", "source", "kind", "note"], rows, {1}),),
        )
    )
    return sec


def section_reproduce(a: Analysis) -> Section:
    sec = Section("reproduce", "How to reproduce")
    sec.blocks += [
        Para(f"Produced by realpolitik {a.version} with seed {a.seed}. To reproduce:"),
        Pre(a.command),
        Para(
            f"Models: {', '.join(f.model for f in a.forecasts)}. Every number above comes from the scenario file and the "
            "models' documented methods (docs/models/).",
            "note",
        ),
    ]
    return sec


def build(a: Analysis, *, interactive: bool) -> tuple[SummaryCard, list[Section]]:
    """The summary card and the sections of the report, in reading order."""
    b = Builder(interactive)
    card = summary_card(a)
    sections = [
        section_findings(a),
        section_forecasts(a, b, card),
        section_deals(a, b),
        section_uncertainty(a, b),
        section_environment(a, b),
        section_trust(a),
        section_scenario(a),
        section_reproduce(a),
    ]
    return card, sections
