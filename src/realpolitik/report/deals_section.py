"""The report's deal section, built from the deal analysis' documented JSON."""

from __future__ import annotations

from html import escape
from typing import Any

import numpy as np

from realpolitik.report import figures
from realpolitik.report.analysis import Analysis
from realpolitik.report.html import _n, figure, table


def _pkg_text(d: dict[str, Any], pkg: dict[str, Any]) -> str:
    parts = []
    for iid in d["issues"]:
        v = pkg["values"][iid]
        lab = (pkg.get("labels") or {}).get(iid)
        parts.append(f"{escape(iid)} {v:g}" + (f" <span class='note'>({escape(lab)})</span>" if lab else ""))
    return "<br>".join(parts)


def render(a: Analysis) -> str | None:
    d = a.deals
    if not d:
        return None
    parties = d["parties"]
    vetoes = d.get("veto_holders") or []
    out = []
    verdict = (
        f"<span class='yes'>A deal exists</span>: {d['n_feasible']:,} of {d['n_packages']:,} packages are acceptable to every party"
        if d["feasible"]
        else f"<span class='no'>No deal</span>: none of the {d['n_packages']:,} packages is acceptable to every party"
    )
    if vetoes:
        verdict += " and to every veto holder on its issues"
    method = (
        "every package enumerated"
        if d["method"] == "enumerated"
        else "packages searched (too many to enumerate)"
    )
    out.append(
        f"<p>{verdict} ({method}). Parties: {escape(', '.join(parties))}; veto holders: {escape(', '.join(vetoes) or 'none')}.</p>"
    )
    if d.get("packages"):
        head = ["#", "package"] + [f"gain {p}" for p in parties] + ["joint gain"]
        rows = [
            [str(k + 1), _pkg_text(d, pkg)]
            + [_n(pkg["gain"][p], 3) for p in parties]
            + [_n(pkg["joint_gain"], 3)]
            for k, pkg in enumerate(d["packages"][:8])
        ]
        out.append(
            "<h3>Best feasible packages (by joint gain of the parties)</h3>"
            + table(head, rows, set(range(2, len(head))))
        )
    # heat map of gains: named packages × actors
    named: list[tuple[str, dict[str, Any]]] = []
    for key, name in (("nash", "Nash"), ("kalai_smorodinsky", "Kalai–Smorodinsky")):
        if d.get(key):
            named.append((name, d[key]))
    for k, pkg in enumerate((d.get("packages") or [])[:4]):
        named.append((f"top {k + 1}", pkg))
    for actor, pkg in (d.get("favourites") or {}).items():
        if pkg and actor in parties:
            named.append((f"{actor}'s favourite", pkg))
    free = a.extras.get("deals_without_vetoes")
    if free and free["feasible"]:
        for key, name in (("nash", "Nash"), ("kalai_smorodinsky", "Kalai–Smorodinsky")):
            if free.get(key):
                named.append((f"without vetoes: {name}", free[key]))
        for k, pkg in enumerate((free.get("packages") or [])[:3]):
            named.append((f"without vetoes: top {k + 1}", pkg))
    for pr in d.get("precedents") or []:
        if pr.get("gain"):
            named.append((f"precedent: {pr['scenario']}", pr))
    if named:
        actors = d["actors"]
        mat = np.array([[float(pkg["gain"].get(ac, np.nan)) for ac in actors] for _, pkg in named])
        out.append(
            figure(
                figures.heatmap(
                    mat,
                    [n for n, _ in named],
                    actors,
                    "Gain over the status quo, by package and actor",
                    "utility gain",
                ),
                "Each row is a package, each column an actor: green cells are gains (the actor prefers the package to no deal), red cells losses. "
                "Parties must all gain; veto holders judge only their veto issues.",
                "deals-heatmap",
            )
        )
    obj = a.deals_object
    plane_free = False
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
    else:
        d_plane = d
    if len(parties) >= 2 and obj is not None:
        res = obj.result
        actors = d["actors"]
        i0, i1 = actors.index(parties[0]), actors.index(parties[1])
        gains = np.asarray(res.gains)
        fe = gains[:, [i0, i1]] if gains.size else np.zeros((0, 2))
        fr = (
            gains[np.asarray(res.frontier, dtype=int)][:, [i0, i1]] if len(res.frontier) else np.zeros((0, 2))
        )
        marks = {"status quo": (0.0, 0.0)}
        for key, name in (("nash", "Nash"), ("kalai_smorodinsky", "Kalai–Smorodinsky")):
            if d_plane.get(key):
                marks[name] = (d_plane[key]["gain"][parties[0]], d_plane[key]["gain"][parties[1]])
        for pr in d.get("precedents") or []:
            if pr.get("gain"):
                marks[pr["scenario"]] = (pr["gain"][parties[0]], pr["gain"][parties[1]])
        title = "The parties' utility plane" + (" with every veto dropped" if plane_free else "")
        lead = (
            "No package is feasible with the vetoes, so the plane shows the packages the parties would accept if every "
            "veto were dropped (blue): what the vetoes block. "
            if plane_free
            else f"Gains of {parties[0]} and {parties[1]} over the status quo for every feasible package (blue). "
        )
        svg = figures.utility_plane(
            fe, np.ones(len(fe), dtype=bool), fr, marks, (parties[0], parties[1]), title
        )
        out.append(
            figure(
                svg,
                lead
                + "Also the Pareto frontier, the Nash and Kalai–Smorodinsky packages, and the precedents applied here.",
                "deals-plane",
            )
        )
    ve = d.get("veto_effects") or {}
    ce = d.get("consent_effects") or {}
    if ve or ce:
        rows = [[escape(k), "veto", f"{d['n_feasible']:,}", f"{v:,}"] for k, v in ve.items()]
        rows += [[escape(k), "party consent", f"{d['n_feasible']:,}", f"{v:,}"] for k, v in ce.items()]
        out.append(
            "<h3>Vetoes and pivots</h3><p class='note'>How many packages would be feasible if one actor's veto (or a party's consent) were dropped.</p>"
            + table(["actor", "dropped", "feasible now", "feasible without it"], rows, {2, 3})
        )
    conc = d.get("concessions") or {}
    if conc:
        rows = []
        for actor, c in conc.items():
            if c:
                rows.append(
                    [
                        escape(actor),
                        escape(c["field"]),
                        escape(c["issue"]),
                        _n(c["from"]),
                        _n(c["to"]),
                        _n(c["size"]),
                        f"{c.get('n_feasible', 0):,}",
                    ]
                )
            else:
                rows.append(
                    [
                        escape(actor),
                        "—",
                        "—",
                        "—",
                        "—",
                        "—",
                        "no single move opens a deal" if not d["feasible"] else "a deal exists already",
                    ]
                )
        out.append(
            "<h3>Concessions that would open a deal</h3>"
            + table(
                ["actor", "field", "issue", "from", "to", "size", "feasible packages after"], rows, {3, 4, 5}
            )
        )
    link = d.get("linkage") or []
    if link:
        rows = [
            [
                escape(x["issue"]),
                _n(x["single_issue_deal"]),
                _n(x["in_feasible_package"]),
                "<b>yes</b>" if x["linked"] else "no",
            ]
            for x in link
        ]
        out.append(
            "<h3>Linkage</h3><p class='note'>An issue is linked when no deal on it alone is acceptable, yet it moves inside a feasible package.</p>"
            + table(["issue", "deal on this issue alone", "moves in a feasible package", "linked"], rows)
        )
    prec = d.get("precedents") or []
    if prec:
        rows = []
        for pr in prec:
            if pr.get("error"):
                rows.append([escape(pr["scenario"]), escape(pr["error"]), "", ""])
                continue
            acc = ", ".join(f"{k}: {'yes' if v else 'no'}" for k, v in (pr.get("accepts") or {}).items())
            ref = ", ".join(f"{k} on {v}" for k, v in (pr.get("refusals") or {}).items() if v)
            rows.append(
                [
                    escape(pr["scenario"]),
                    _pkg_text(d, pr) if pr.get("values") else "—",
                    escape(acc),
                    escape(ref or "none"),
                ]
            )
        out.append(
            "<h3>Precedents as packages</h3><p class='note'>Each analogue's actual outcome mapped onto this scenario's issues "
            "(unmapped issues stay at the status quo) and judged by the actors here.</p>"
            + table(["precedent", "package here", "accepts", "refusal turns on"], rows)
        )
    return "".join(out)
