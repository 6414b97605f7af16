"""Report sections for the deal analysis, the environment sweep and the Monte Carlo run.

Each section reads the part's documented JSON (plus, for figures that need every package or every draw,
the part's result object through its public methods) and returns HTML, or None when the part did not run.
"""

from __future__ import annotations

from html import escape
from typing import Any

import numpy as np

from realpolitik.report import figures
from realpolitik.report.analysis import Analysis
from realpolitik.report.html import _n, figure, table


def _issue_name(a: Analysis, iid: str) -> str:
    return a.scenario.issue(iid).name if iid in a.scenario.issue_ids else iid


# ------------------------------------------------------------------------------------------ environment
def section_environment(a: Analysis) -> str | None:
    sw = a.sweep
    if not sw or not sw.get("points"):
        return None
    drivers = sw["drivers"]
    pts = sw["points"]
    parts = []
    head = list(drivers) + [i for i in sw["issues"]] + ["deal feasible"]
    rows = []
    for p in pts:
        feas = p.get("feasible")
        mark = (
            "—"
            if feas is None
            else ("<span class='yes'>yes</span>" if feas else "<span class='no'>no</span>")
        )
        rows.append(
            [_n(p["values"][d]) for d in drivers] + [_n(p["outcome"].get(i)) for i in sw["issues"]] + [mark]
        )
    parts.append(
        f"<p>Every point runs the {escape(sw['model'])} model on the scenario with the driver(s) set as shown; "
        "links turn the driver into actors' parameters (see the scenario's environment section).</p>"
    )
    if len(drivers) == 1:
        d = drivers[0]
        x = np.array([p["values"][d] for p in pts])
        series = {}
        for iid in sw["issues"]:
            series[_issue_name(a, iid)] = np.array(
                [np.nan if p["outcome"].get(iid) is None else p["outcome"][iid] for p in pts]
            )
        parts.append(
            figure(
                figures.lines(
                    x,
                    series,
                    f"{sw['model']} forecast per issue as {d} varies",
                    f"{d} (0–1)",
                    "forecast (issue scale)",
                ),
                f"Forecast on each issue against {d}; the scenario's own value of the driver gives the baseline.",
                "sweep-forecast",
            )
        )
        feas = [p.get("feasible") for p in pts]
        if any(f is not None for f in feas):
            y = np.array([np.nan if f is None else float(f) for f in feas])
            parts.append(
                figure(
                    figures.lines(
                        x,
                        {"deal feasible": y},
                        f"Deal feasibility as {d} varies",
                        f"{d} (0–1)",
                        "feasible",
                        ylim=(-0.1, 1.1),
                        step=True,
                        yticks=([0, 1], ["no", "yes"]),
                    ),
                    "1 where at least one package is acceptable to every party and veto holder, 0 where none is.",
                    "sweep-feasibility",
                )
            )
    parts.append(table(head, rows, set(range(len(head) - 1))))
    warnings = sw.get("warnings") or []
    if warnings:
        parts.append("<p class='note'>" + "<br>".join(escape(w) for w in warnings) + "</p>")
    return "".join(parts)


# ------------------------------------------------------------------------------------------ uncertainty
def section_uncertainty(a: Analysis) -> str | None:
    mc = a.montecarlo
    if not mc:
        return None
    s = a.scenario
    issues = mc.get("issues") or {}
    parts = [
        f"<p>{mc.get('draws_completed', 0):,} draws of the uncertain inputs ({len(mc.get('uncertain_inputs') or [])} numbers with a "
        f"range or a scenario-wide default; {escape(str(mc.get('distribution')))} distributions), each run through the "
        f"{escape(str(mc.get('model')))} model, seed {mc.get('seed')}.</p>"
    ]
    head = ["issue", "p5", "p25", "median", "p75", "p95", "mean", "80% interval"]
    rows = []
    for iid, st in issues.items():
        q = st["quantiles"]
        rows.append(
            [
                escape(st.get("name", iid)),
                _n(q["5"]),
                _n(q["25"]),
                _n(q["50"]),
                _n(q["75"]),
                _n(q["95"]),
                _n(st["mean"]),
                f"{_n(st['interval80'][0])} – {_n(st['interval80'][1])}",
            ]
        )
    parts.append(table(head, rows, set(range(1, 8))))
    if mc.get("deal_probability") is not None:
        parts.append(
            f"<p>Probability that a deal exists across the draws: <b>{mc['deal_probability']:.0%}</b>.</p>"
        )
    obj = a.montecarlo_object
    samples = None
    if obj is not None and hasattr(obj, "outcomes"):
        try:
            table_ = obj.outcomes()
            samples = {iid: table_[:, j] for j, iid in enumerate(issues)}
        except (OSError, ValueError):  # a missing or unreadable chunk file must not break the report
            samples = None
    point = None
    fc = a.forecast_by_model().get(str(mc.get("model")))
    if fc is not None:
        point = fc.outcome
    iss_meta = [(iid, s.issue(iid).bounds, s.issue(iid).labels) for iid in issues if iid in s.issue_ids]
    qs = {iid: st["quantiles"] for iid, st in issues.items()}
    qs = {iid: {k: v for k, v in q.items() if v is not None} for iid, q in qs.items()}
    parts.append(
        figure(
            figures.distributions(iss_meta, samples, qs, point, f"Outcome distributions ({mc.get('model')})"),
            "Histogram of outcomes over the draws per issue; shaded: the 80% interval; solid line: the median; dashed: the point forecast with the inputs at their values.",
            "mc-distributions",
        )
    )
    tor = a.extras.get("tornado")
    if tor:
        for iid, t in tor["issues"].items():
            bars = [b for b in t["bars"] if b["swing"] > 0][:12]
            if not bars:
                continue
            parts.append(
                figure(
                    figures.hbars(
                        [b["input"] for b in bars],
                        np.array([b["low"] for b in bars]),
                        np.array([b["high"] for b in bars]),
                        t["base"],
                        f"Tornado: {_issue_name(a, iid)}",
                        f"forecast of {_issue_name(a, iid)} ({tor['model']})",
                    ),
                    "Each input at the low and the high end of its range, all others at their values; widest swing first (top 12).",
                    f"tornado-{iid}",
                )
            )
    sob = a.extras.get("sobol")
    if sob:
        factors: list[str] = []
        for rows_ in sob["issues"].values():
            for r in rows_:
                if r["factor"] not in factors:
                    factors.append(r["factor"])
        head = ["issue"] + factors
        trows = []
        for iid, rows_ in sob["issues"].items():
            by = {r["factor"]: r for r in rows_}
            trows.append(
                [escape(_issue_name(a, iid))]
                + [f"{_n(by[f]['S1'])} / {_n(by[f]['ST'])}" if f in by else "—" for f in factors]
            )
        parts.append(
            "<h3>Variance-based sensitivity (Sobol)</h3>" + table(head, trows, set(range(1, len(head))))
        )
        st_mat = np.array(
            [
                [next((r["ST"] for r in rows_ if r["factor"] == f), np.nan) for f in factors]
                for rows_ in sob["issues"].values()
            ]
        )
        parts.append(
            figure(
                figures.heatmap(
                    np.nan_to_num(st_mat.astype(float), nan=0.0),
                    [_issue_name(a, i) for i in sob["issues"]],
                    factors,
                    f"Total Sobol index by issue and factor ({sob['model']}, {sob['n_runs']:,} runs)",
                    "total index ST",
                    cmap="Blues",
                    center_zero=False,
                ),
                "Share of the outcome variance due to each factor including its interactions (ST); table: first-order S1 / total ST.",
                "sobol",
            )
        )
    return "".join(parts)


def section_deals(a: Analysis) -> str | None:
    try:
        from realpolitik.report.deals_section import render
    except ImportError:
        return None
    return render(a)


SECTIONS: list[tuple[str, str, Any]] = [
    ("deals", "Deals", section_deals),
    ("environment", "Environment", section_environment),
    ("uncertainty", "Uncertainty", section_uncertainty),
]
