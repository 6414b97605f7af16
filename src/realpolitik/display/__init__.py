"""Notebook display: short ``repr``, an HTML card, a pandas DataFrame and a Plotly figure per result.

Scenario, Forecast, DealAnalysis, SweepResult and MonteCarloResult delegate their ``__repr__``,
``_repr_html_``, ``to_frame()`` and ``plot()`` here (duck-typed: nothing in this module imports them).
pandas, Jinja2 and Plotly are imported only when a frame, a card or a figure is asked for.

>>> import realpolitik as rp
>>> s = rp.load("ec-emissions-1994")
>>> repr(s)
"Scenario('ec-emissions-1994': 14 actors, 1 issue, 0 parties, 0 vetoes, 3 sources)"
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

__all__ = [
    "deals_frame",
    "deals_html",
    "deals_plot",
    "deals_repr",
    "forecast_frame",
    "forecast_html",
    "forecast_plot",
    "forecast_repr",
    "montecarlo_frame",
    "montecarlo_html",
    "montecarlo_plot",
    "montecarlo_repr",
    "scenario_frame",
    "scenario_html",
    "scenario_plot",
    "scenario_repr",
    "sweep_frame",
    "sweep_html",
    "sweep_plot",
    "sweep_repr",
]

MAX_ROWS = 12  # rows shown in a card before "… and N more"
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")


@dataclass(frozen=True)
class _Table:
    head: Sequence[str]
    rows: Sequence[Sequence[str]]
    numeric: tuple[int, ...] = ()
    caption: str | None = None


def _n(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _g(v: Any) -> str:
    if v is None:
        return "—"
    f = float(v)
    if not np.isfinite(f):
        return "—"
    if abs(f) < 0.005:
        return "0"
    return f"{f:.3g}" if abs(f) < 1000 else f"{f:,.0f}"


def _short(items: Sequence[str], k: int = 6) -> str:
    shown = ", ".join(items[:k])
    return shown + (f", … ({len(items)} in all)" if len(items) > k else "")


@cache
def _env() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("realpolitik.display", "templates"), autoescape=True
    )


def _card(
    title: str, subtitle: str, lines: Sequence[str] = (), tables: Sequence[_Table] = (), more: str = ""
) -> str:
    return str(
        _env()
        .get_template("object.html")
        .render(title=title, subtitle=subtitle, lines=lines, tables=tables, more=more)
    )


def _pandas() -> Any:
    import pandas as pd

    return pd


def _go() -> Any:
    import plotly.graph_objects as go

    return go


def _layout(fig: Any, height: int) -> Any:
    fig.update_layout(
        height=height,
        margin={"l": 8, "r": 16, "t": 40, "b": 8},
        template="plotly_white",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        font={"size": 13},
    )
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


# ------------------------------------------------------------------------------------------- scenario
def scenario_repr(s: Any) -> str:
    vetoes = len(s.vetoes)
    return (
        f"Scenario({s.id!r}: {_n(len(s.actors), 'actor')}, {_n(len(s.issues), 'issue')}, "
        f"{_n(len(s.parties), 'party').replace('partys', 'parties')}, {_n(vetoes, 'veto').replace('vetos', 'vetoes')}, "
        f"{_n(len(s.sources), 'source')})"
    )


def scenario_frame(s: Any) -> Any:
    """One row per actor and issue: position, salience, capability (long format)."""
    rows = []
    for a in s.actors:
        for iss in s.issues:
            st = s.stance(a.id, iss.id)
            if st is None:
                continue
            rows.append(
                {
                    "actor": a.id,
                    "issue": iss.id,
                    "position": st.position.value,
                    "salience": st.salience.value,
                    "capability": a.capability.value if a.capability is not None else np.nan,
                }
            )
    return _pandas().DataFrame(rows, columns=["actor", "issue", "position", "salience", "capability"])


def scenario_html(s: Any) -> str:
    head = ["actor", "capability"] + [i.id for i in s.issues]
    rows = []
    for a in s.actors[:MAX_ROWS]:
        row = [a.id, _g(a.capability.value) if a.capability is not None else "—"]
        for iss in s.issues:
            st = s.stance(a.id, iss.id)
            row.append("—" if st is None else f"{st.position.value:g} (s {st.salience.value:.2f})")
        rows.append(row)
    more = (
        f"… and {len(s.actors) - MAX_ROWS} more actors (scenario.to_frame() has them all)"
        if len(s.actors) > MAX_ROWS
        else ""
    )
    issues = _Table(
        ["issue", "name", "scale", "status quo"],
        [
            [
                i.id,
                i.name,
                f"{i.bounds[0]:g}–{i.bounds[1]:g}" + (f" {i.unit}" if i.unit else ""),
                _g(i.status_quo.value) if i.status_quo else "—",
            ]
            for i in s.issues
        ],
        (3,),
    )
    lines = []
    if s.parties:
        lines.append("Parties: " + ", ".join(s.parties))
    if s.vetoes:
        lines.append("Vetoes: " + "; ".join(f"{v.actor} on {', '.join(v.issues)}" for v in s.vetoes))
    sub = " · ".join(
        x for x in (s.id, f"as of {s.as_of}" if s.as_of else None, f"{_n(len(s.sources), 'source')}") if x
    )
    return _card(
        s.title,
        sub,
        lines,
        [issues, _Table(head, rows, tuple(range(1, len(head))), "Positions (salience)")],
        more,
    )


def scenario_plot(s: Any) -> Any:
    """Each actor's position per issue (dot size: salience), status quo marked."""
    go = _go()
    fig = go.Figure()
    names = [i.id for i in s.issues]
    for k, a in enumerate(s.actors):
        xs, ys, sizes = [], [], []
        for iss in s.issues:
            st = s.stance(a.id, iss.id)
            if st is None:
                continue
            lo, hi = iss.bounds
            xs.append((st.position.value - lo) / ((hi - lo) or 1.0) * 100.0)
            ys.append(iss.id)
            sizes.append(8 + 14 * st.salience.value)
        fig.add_trace(
            go.Scatter(
                x=xs, y=ys, mode="markers", name=a.id, marker={"size": sizes, "color": OKABE_ITO[k % 8]}
            )
        )
    sq = [
        (iss.id, (iss.status_quo.value - iss.bounds[0]) / ((iss.bounds[1] - iss.bounds[0]) or 1.0) * 100)
        for iss in s.issues
        if iss.status_quo is not None
    ]
    if sq:
        fig.add_trace(
            go.Scatter(
                x=[v for _, v in sq],
                y=[i for i, _ in sq],
                mode="markers",
                name="status quo",
                marker={"symbol": "line-ns", "size": 18, "line": {"width": 2, "color": "#D55E00"}},
            )
        )
    fig.update_xaxes(title="position (% of each issue's scale)", range=[-3, 103])
    fig.update_yaxes(categoryorder="array", categoryarray=names[::-1])
    return _layout(fig, 120 + 50 * len(names))


# ------------------------------------------------------------------------------------------- forecast
def _outcome_text(f: Any, d: str) -> str:
    """A ruled outcome as shown: ``moot``, ``~35.7`` (not a point forecast) or the value."""
    if d in (getattr(f, "moot", None) or ()):
        return "moot"
    settled = getattr(f, "settled", None)
    mark = "~" if isinstance(settled, dict) and not settled.get(d, True) else ""
    return mark + _g(f.outcome[d])


def _agreement_status(ag: Any) -> str:
    """``agreed``, ``no change`` or ``refused by RUS (territory), USA (military_status)``."""
    if ag.status != "refused":
        return str(ag.status)
    return "refused by " + ", ".join(f"{a} ({d})" for a, d in ag.refused_by.items())


def forecast_repr(f: Any) -> str:
    vals = ", ".join(f"{k}={_outcome_text(f, k)}" for k in list(f.outcome)[:4])
    more = f", … ({len(f.outcome)} issues)" if len(f.outcome) > 4 else ""
    ags = getattr(f, "agreements", None) or []
    deal = "; " + ", ".join(f"{ag.id} {ag.status}" for ag in ags[:3]) if ags else ""
    deal += f", … ({len(ags)} agreements)" if len(ags) > 3 else ""
    return f"Forecast({f.scenario!r}, model={f.model!r}, rounds={f.rounds}, outcome={{{vals}{more}}}{deal})"


def forecast_frame(f: Any) -> Any:
    """One row per issue: the outcome under the rule, the model's pressure, the rule (and the agreement or
    the decider), whether the issue is moot and whether the outcome is a point forecast, then each actor's
    final position."""
    pd = _pandas()
    last = np.asarray(f.trajectory)[-1]
    data: dict[str, Any] = {"outcome": [f.outcome[d] for d in f.issues]}
    pressure = getattr(f, "pressure", None)
    if isinstance(pressure, dict):
        data["pressure"] = [pressure.get(d, np.nan) for d in f.issues]
    rules = getattr(f, "rules", None)
    if isinstance(rules, dict):
        data["rule"] = [rules.get(d, "collective") for d in f.issues]
        where = {d: ag.id for ag in getattr(f, "agreements", None) or [] for d in ag.issues}
        deciders = getattr(f, "deciders", None) or {}
        data["agreement or decider"] = [where.get(d) or deciders.get(d) for d in f.issues]
        data["moot"] = [d in (getattr(f, "moot", None) or ()) for d in f.issues]
    settled = getattr(f, "settled", None)
    if isinstance(settled, dict):
        data["settled"] = [bool(settled.get(d, True)) for d in f.issues]
    for i, a in enumerate(f.actors):
        data[a] = last[i]
    return pd.DataFrame(data, index=pd.Index(list(f.issues), name="issue"))


def forecast_html(f: Any) -> str:
    last = np.asarray(f.trajectory)[-1]
    pressure = getattr(f, "pressure", None) or f.outcome
    rules = getattr(f, "rules", None) or {}
    deciders = getattr(f, "deciders", None) or {}
    head = ["issue", "rule", "outcome", "pressure"] + list(f.actors[:8])

    def rule(d: str) -> str:
        r = rules.get(d, "collective")
        return f"{r} ({deciders[d]})" if r == "unilateral" and d in deciders else r

    rows = [
        [d, rule(d), _outcome_text(f, d), _g(pressure[d])]
        + [_g(last[i, j]) for i in range(min(len(f.actors), 8))]
        for j, d in enumerate(f.issues[:MAX_ROWS])
    ]
    more = f"… and {len(f.issues) - MAX_ROWS} more issues" if len(f.issues) > MAX_ROWS else ""
    if len(f.actors) > 8:
        more += f" ({len(f.actors)} actors; forecast.to_frame() has them all)"
    tables = [
        _Table(
            head,
            rows,
            tuple(range(2, len(head))),
            "Outcome: what the decision rule lets through; pressure: where the model's actors push; then each "
            "actor's final position (~: not a point forecast)",
        )
    ]
    ags = getattr(f, "agreements", None) or []
    if ags:
        tables.append(
            _Table(
                ["agreement", "issues", "status", "nearest acceptable package"],
                [
                    [
                        ag.id,
                        ", ".join(ag.issues),
                        _agreement_status(ag),
                        "—" if not ag.nearest else ", ".join(f"{k} {_g(v)}" for k, v in ag.nearest.items()),
                    ]
                    for ag in ags[:MAX_ROWS]
                ],
                (),
                "Agreements: concluded when every signer and veto holder accepts the pressure",
            )
        )
    return _card(f"{f.model} forecast", f"{f.scenario} · {_n(int(f.rounds), 'round')}", (), tables, more)


def forecast_plot(f: Any) -> Any:
    """Each actor's position over rounds, one panel per issue (a static model: the final positions), with
    the outcome under the rule (solid) and the model's pressure (dashed)."""
    go = _go()
    from plotly.subplots import make_subplots

    traj = np.asarray(f.trajectory)
    n = len(f.issues)
    fig = make_subplots(rows=n, cols=1, subplot_titles=list(f.issues), vertical_spacing=0.3 / max(n, 1))
    rounds = np.arange(traj.shape[0])
    for j, d in enumerate(f.issues):
        for i, a in enumerate(f.actors):
            fig.add_trace(
                go.Scatter(
                    x=rounds,
                    y=traj[:, i, j],
                    mode="lines+markers",
                    name=a,
                    legendgroup=a,
                    showlegend=j == 0,
                    line={"color": OKABE_ITO[i % 8]},
                ),
                row=j + 1,
                col=1,
            )
        fig.add_trace(
            go.Scatter(
                x=[rounds[0], rounds[-1]],
                y=[f.outcome[d]] * 2,
                mode="lines",
                name="outcome under the rule",
                legendgroup="outcome",
                showlegend=j == 0,
                line={"color": "#1d2430", "width": 3},
            ),
            row=j + 1,
            col=1,
        )
        p = (getattr(f, "pressure", None) or {}).get(d)
        if p is not None:
            fig.add_trace(
                go.Scatter(
                    x=[rounds[0], rounds[-1]],
                    y=[p] * 2,
                    mode="lines",
                    name="pressure (the model's own)",
                    legendgroup="pressure",
                    showlegend=j == 0,
                    line={"color": "#1d2430", "dash": "dash", "width": 2},
                ),
                row=j + 1,
                col=1,
            )
    return _layout(fig, 140 + 220 * n)


# ---------------------------------------------------------------------------------------------- deals
def _deal_agreements(d: Any) -> list[dict[str, Any]]:
    """Per agreement: id, issues, signers, veto holders, acceptable packages that change it, and the
    smallest concession that opens it (in words) when none does."""
    p, res = d.problem, d.result
    vals = np.asarray(res.values) if res.n_feasible else np.zeros((0, len(d.issues)))
    moot = p.moot(vals) if res.n_feasible else np.zeros_like(vals, dtype=bool)
    moved = (vals != p.status_quo[None, :]) & ~moot
    out = []
    for g, gid in enumerate(p.agreement_ids):
        cols = [int(j) for j in p.group_issues(g)]
        conc = res.agreement_concessions.get(g, {})
        some = [c for c in conc.values() if c is not None]
        out.append(
            {
                "id": gid,
                "issues": [p.issues[j] for j in cols],
                "signers": [p.actors[i] for i in np.flatnonzero(p.signers[g])],
                "veto_holders": {
                    p.actors[i]: [p.issues[j] for j in cols if p.veto[i, j]]
                    for i in range(p.n_actors)
                    if p.veto[i, cols].any()
                },
                "n_changing": int(moved[:, cols].any(axis=1).sum()) if res.n_feasible else 0,
                "opening": d.concession_text(min(some, key=lambda c: c.size)) if some else None,
                "blocked_alone": bool(conc) and not some,
            }
        )
    return out


def deals_repr(d: Any) -> str:
    ags = _deal_agreements(d)
    if len(ags) > 1:
        per = "; ".join(f"{ag['id']} {'open' if ag['n_changing'] else 'blocked'}" for ag in ags[:3])
        per += f"; … ({len(ags)} agreements)" if len(ags) > 3 else ""
        verdict = f"{per}; {d.n_feasible:,} of {d.n_packages:,} packages acceptable"
    else:
        verdict = (
            f"{d.n_feasible:,} of {d.n_packages:,} packages acceptable"
            if d.feasible
            else f"no deal among {d.n_packages:,} packages"
        )
    return f"DealAnalysis({d.scenario!r}: {verdict}; parties {', '.join(d.parties) or 'none'}; vetoes {', '.join(d.veto_holders) or 'none'})"


def deals_frame(d: Any) -> Any:
    """One row per acceptable package (best joint gain first): the package in words (moot issues said as
    ``moot``), the agreements it changes, each issue's value, each actor's gain."""
    pd = _pandas()
    res, p = d.result, d.problem
    order = np.asarray(res.ranking, dtype=int)
    vals = np.asarray(res.values)[order] if res.n_feasible else np.zeros((0, len(d.issues)))
    gains = np.asarray(res.gains)[order] if res.n_feasible else np.zeros((0, len(d.actors)))
    moot = p.moot(vals) if len(vals) else np.zeros_like(vals, dtype=bool)
    moved = (vals != p.status_quo[None, :]) & ~moot
    data: dict[str, Any] = {
        "package": [d.package_text(v) for v in vals],
        "agreements": [
            ", ".join(gid for g, gid in enumerate(p.agreement_ids) if m[p.group == g].any()) for m in moved
        ],
    }
    data.update({iss: vals[:, j] for j, iss in enumerate(d.issues)})
    data.update({f"gain {a}": gains[:, i] for i, a in enumerate(d.actors)})
    data["joint gain"] = np.asarray(res.joint)[order] if res.n_feasible else np.zeros(0)
    return pd.DataFrame(data)


def deals_html(d: Any) -> str:
    res = d.result
    ags = _deal_agreements(d)
    lines = [f"{d.n_feasible:,} of {d.n_packages:,} packages acceptable ({d.method})"]
    rows_a = []
    for ag in ags:
        if ag["n_changing"]:
            status = f"can be agreed ({_n(ag['n_changing'], 'acceptable package')} change it)"
        else:
            status = "blocked: no acceptable package changes it"
        opening = ag["opening"] or ("no single change opens it" if ag["blocked_alone"] else "—")
        veto = "; ".join(f"{k} on {', '.join(v)}" for k, v in (ag.get("veto_holders") or {}).items())
        rows_a.append(
            [
                ag["id"],
                ", ".join(ag["issues"]),
                ", ".join(ag["signers"]) + (f"; veto {veto}" if veto else ""),
                status,
                opening,
            ]
        )
    tables = [
        _Table(
            ["agreement", "issues", "signed by", "status", "opening concession"],
            rows_a,
            (),
            "Agreements, each accepted or refused as a whole",
        )
    ]
    if res.n_feasible:
        frame_rows = []
        for r in np.asarray(res.ranking, dtype=int)[:8]:
            frame_rows.append(
                [d.package_text(np.asarray(res.values)[r])]
                + [_g(res.gains[r, i]) for i in range(len(d.actors))]
            )
        tables.append(
            _Table(
                ["package (other issues unchanged)"] + [f"gain {a}" for a in d.actors],
                frame_rows,
                tuple(range(1, len(d.actors) + 1)),
                "Best acceptable packages (by the parties' joint gain)",
            )
        )
    if res.if_linked is not None:
        lines.append(f"If every agreement were signed as one: {_n(res.if_linked, 'acceptable package')}")
    ve = {d.actors[k]: v for k, v in res.veto_effects.items()}
    if ve:
        lines.append("Without one veto: " + "; ".join(f"{a}'s → {_n(v, 'package')}" for a, v in ve.items()))
    return _card(d.title, f"{d.scenario} · deal analysis ({d.method})", lines, tables)


def deals_plot(d: Any) -> Any:
    """The first two parties' gains over no deal for every acceptable package, with the Pareto frontier."""
    go = _go()
    res = d.result
    parties = d.parties
    fig = go.Figure()
    if len(parties) >= 2 and res.n_feasible:
        i0, i1 = d.actors.index(parties[0]), d.actors.index(parties[1])
        g = np.asarray(res.gains)
        fig.add_trace(
            go.Scatter(
                x=g[:, i0],
                y=g[:, i1],
                mode="markers",
                name="acceptable packages",
                marker={"color": "#56B4E9"},
            )
        )
        fr = g[np.asarray(res.frontier, dtype=int)]
        fr = fr[np.argsort(fr[:, i0])]
        fig.add_trace(
            go.Scatter(
                x=fr[:, i0],
                y=fr[:, i1],
                mode="lines+markers",
                name="Pareto frontier",
                line={"color": "#0072B2"},
            )
        )
        fig.update_xaxes(title=f"gain for {parties[0]}")
        fig.update_yaxes(title=f"gain for {parties[1]}")
    else:
        fig.add_annotation(text="no acceptable package to plot", showarrow=False)
    return _layout(fig, 420)


# ---------------------------------------------------------------------------------------------- sweep
def sweep_repr(r: Any) -> str:
    grid = " × ".join(str(k) for k in r.shape)
    agreed = getattr(r, "agreed", None)
    if agreed is not None and len(getattr(r, "agreements", ()) or ()):
        n = len(r.values)
        deal = "; " + ", ".join(
            f"{gid} concluded at {int(np.asarray(agreed)[:, g].sum())} of {n}"
            for g, gid in enumerate(r.agreements[:3])
        )
    else:
        feas = [f for f in r.feasible if f is not None]
        deal = f"; a deal at {sum(feas)} of {len(feas)} points" if feas else ""
    return f"SweepResult({r.scenario!r}, model={r.model!r}, drivers={list(r.drivers)}, {grid} points{deal})"


def sweep_frame(r: Any) -> Any:
    """One row per grid point: each driver's value, each issue's outcome under the rule and its pressure
    (``"<issue> pressure"``), whether each agreement is concluded (``"<agreement> agreed"``) and ``feasible``."""
    return _pandas().DataFrame(r.rows)


def sweep_html(r: Any) -> str:
    agreements = list(getattr(r, "agreements", ()) or ())
    head = list(r.drivers) + [f"{i} (pressure)" for i in r.issues] + [f"{g} agreed" for g in agreements]
    if not agreements:
        head.append("deal")
    rows = []
    for row in r.rows[:MAX_ROWS]:
        cells = [_g(row[d]) for d in r.drivers]
        for i in r.issues:
            p = row.get(f"{i} pressure")
            same = p is None or (np.isfinite(p) and abs(p - row[i]) < 1e-9)
            cells.append(_g(row[i]) + ("" if same else f" ({_g(p)})"))
        if agreements:
            cells += ["yes" if row.get(f"{g} agreed") else "no" for g in agreements]
        else:
            f = row["feasible"]
            cells.append("—" if f is None else ("yes" if f else "no"))
        rows.append(cells)
    more = (
        f"… and {len(r.rows) - MAX_ROWS} more points (sweep.to_frame() has them all)"
        if len(r.rows) > MAX_ROWS
        else ""
    )
    return _card(
        f"{r.model} sweep of {', '.join(r.drivers)}",
        f"{r.scenario} · outcome under the rule (pressure, where it differs)",
        r.warnings,
        [_Table(head, rows, tuple(range(len(r.drivers) + len(r.issues))))],
        more,
    )


def sweep_plot(r: Any) -> Any:
    """Each issue's outcome under the rule (solid) and its pressure (dotted, same colour) against the
    first driver (a two-driver grid: one line per value of the second)."""
    go = _go()
    fig = go.Figure()
    x = np.asarray(r.values)[:, 0]
    second = np.asarray(r.values)[:, 1] if len(r.drivers) > 1 else np.zeros(len(x))
    pressure = np.asarray(
        getattr(r, "pressure", None) if getattr(r, "pressure", None) is not None else r.outcome
    )
    for j, iss in enumerate(r.issues):
        for k, v in enumerate(np.unique(second)):
            m = second == v
            name = iss if len(r.drivers) == 1 else f"{iss} ({r.drivers[1]} = {v:g})"
            dash = ["solid", "dash", "dashdot", "longdash"][k % 4]
            fig.add_trace(
                go.Scatter(
                    x=x[m],
                    y=np.asarray(r.outcome)[m, j],
                    mode="lines+markers",
                    name=name,
                    legendgroup=name,
                    line={"color": OKABE_ITO[j % 8], "dash": dash},
                )
            )
            if not np.allclose(np.nan_to_num(pressure[m, j]), np.nan_to_num(np.asarray(r.outcome)[m, j])):
                fig.add_trace(
                    go.Scatter(
                        x=x[m],
                        y=pressure[m, j],
                        mode="lines",
                        name=f"{name}: pressure",
                        legendgroup=name,
                        line={"color": OKABE_ITO[j % 8], "dash": "dot", "width": 1.5},
                    )
                )
    fig.update_xaxes(title=r.drivers[0])
    fig.update_yaxes(title=f"{r.model}: outcome under the rule (dotted: pressure)")
    return _layout(fig, 420)


# ----------------------------------------------------------------------------------------- Monte Carlo
def montecarlo_repr(m: Any) -> str:
    parts = ", ".join(
        f"{d}={_g(m.summary[d].quantiles[50])} [{_g(m.summary[d].interval80[0])}, {_g(m.summary[d].interval80[1])}]"
        for d in m.issues[:3]
    )
    more = f", … ({len(m.issues)} issues)" if len(m.issues) > 3 else ""
    probs = {k: v for k, v in (getattr(m, "agreement_probability", None) or {}).items() if v is not None}
    if probs:
        deal = ", " + ", ".join(f"P({k})={v:.0%}" for k, v in list(probs.items())[:3])
    else:
        deal = f", P(deal)={m.deal_probability:.0%}" if m.deal_probability is not None else ""
    return f"MonteCarloResult({m.scenario!r}, model={m.model!r}, draws={m.draws_completed:,}/{m.draws:,}: median [80%] {parts}{more}{deal})"


def montecarlo_frame(m: Any) -> Any:
    """One row per completed draw (indexed by draw number), one column per issue."""
    pd = _pandas()
    return pd.DataFrame(m.outcomes(), columns=list(m.issues), index=pd.Index(m.draw_index(), name="draw"))


def montecarlo_html(m: Any) -> str:
    rows = []
    ps = getattr(m, "pressure_summary", None) or {}
    for d in m.issues[:MAX_ROWS]:
        s = m.summary[d]
        p = ps.get(d)
        rows.append(
            [
                m.issue_names.get(d, d),
                _g(s.quantiles[10]),
                _g(s.quantiles[50]),
                _g(s.quantiles[90]),
                "—" if p is None else f"{_g(p.quantiles[10])}–{_g(p.quantiles[90])}",
            ]
        )
    lines = [
        f"{m.draws_completed:,} of {m.draws:,} draws, {_n(len(m.inputs), 'uncertain input')}, {m.distribution} distributions, seed {m.seed}"
    ]
    if not m.inputs:
        lines.append("No input is uncertain: every draw repeats the point forecast.")
    probs = {k: v for k, v in (getattr(m, "agreement_probability", None) or {}).items() if v is not None}
    for k, v in probs.items():
        lines.append(
            f"P(agreement) for {k}: {v:.0%} of the draws (the {m.model} pressure accepted by every signer and veto holder)."
        )
    if not probs and m.deal_probability is not None:
        lines.append(f"A deal exists in {m.deal_probability:.0%} of the draws.")
    if m.failed_chunks:
        lines.append(f"{len(m.failed_chunks)} chunks failed; the numbers cover the completed draws only.")
    return _card(
        f"Monte Carlo, {m.model}",
        m.scenario,
        lines,
        [
            _Table(
                ["issue", "p10", "median", "p90", "pressure p10–p90"],
                rows,
                (1, 2, 3, 4),
                "Outcome under the decision rule over the draws; the model's own pressure beside it",
            )
        ],
    )


def montecarlo_plot(m: Any) -> Any:
    """The distribution of outcomes per issue (one histogram each, on the issue's scale)."""
    go = _go()
    from plotly.subplots import make_subplots

    table = m.outcomes()
    n = len(m.issues)
    fig = make_subplots(
        rows=n,
        cols=1,
        subplot_titles=[m.issue_names.get(d, d) for d in m.issues],
        vertical_spacing=0.3 / max(n, 1),
    )
    for j, _d in enumerate(m.issues):
        lo, hi = (float(x) for x in m.bounds[j])
        fig.add_trace(
            go.Histogram(
                x=table[:, j],
                xbins={"start": lo, "end": hi, "size": (hi - lo) / 40 or 1.0},
                histnorm="probability",
                marker={"color": "#56B4E9"},
                showlegend=False,
            ),
            row=j + 1,
            col=1,
        )
        fig.update_xaxes(range=[lo, hi], row=j + 1, col=1)
    return _layout(fig, 120 + 200 * n)
