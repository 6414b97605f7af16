"""Plotly figures for the HTML report: hover values, reflow to the page width, no network.

Each function returns the figure as a JSON-ready dict (``data``, ``layout``); the HTML template loads
plotly.js from the file itself. Legends go below the plot and titles live in the page (Plotly does not
wrap titles), so nothing overlaps at 390 px.
"""

from __future__ import annotations

import html
import json
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from realpolitik.report import colors as C
from realpolitik.report.figdata import (
    Comparison,
    Distribution,
    GainsData,
    PlaneData,
    SobolData,
    SweepData,
    TornadoData,
    Trajectories,
    g3,
)

FONT = {
    "family": 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif',
    "size": 13,
    "color": C.INK,
}


def _layout(fig: go.Figure, height: int, **kw: Any) -> None:
    fig.update_layout(
        height=height,
        autosize=True,
        font=FONT,
        margin={"l": 8, "r": 24, "t": 28, "b": 8},
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        hoverlabel={"font": {"size": 13}},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "font": {"size": 12}},
        **kw,
    )
    fig.update_xaxes(
        automargin=True,
        gridcolor="#eceef1",
        zeroline=False,
        linecolor=C.RULE,
        tickfont={"size": 12},
        tickangle=0,
    )
    fig.update_yaxes(
        automargin=True, gridcolor="#eceef1", zeroline=False, linecolor=C.RULE, tickfont={"size": 12}
    )


def _out(fig: go.Figure) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(fig.to_json())
    spec["layout"].pop("template", None)  # the default template is 9 kB per figure and changes nothing we set
    return spec


def _t(text: str) -> str:
    """Text from a scenario, for Plotly (which reads a few HTML tags in labels): entities, never tags."""
    return html.escape(str(text), quote=False)


def _ticks(fig: go.Figure, scale: Any, row: int | None = None, col: int | None = None) -> None:
    vals = scale.ticks()
    kw: dict[str, Any] = {
        "tickvals": vals,
        "ticktext": [f"{v:g}" for v in vals],
        "range": list(scale.padded()),
    }
    if row is not None:
        fig.update_xaxes(row=row, col=col, **kw)
    else:
        fig.update_xaxes(**kw)


# ------------------------------------------------------------------------------------------ comparison
def _key(name: str, **marker: Any) -> go.Scatter:
    """A legend entry only (no data point)."""
    return go.Scatter(x=[None], y=[None], mode="markers", name=name, marker=marker, hoverinfo="skip")


def comparison(c: Comparison) -> dict[str, Any]:
    """One row per model: its outcome under the rule (filled) and its pressure (open ring); the Monte
    Carlo range of both; the actors' positions and red lines; the status quo. Legend below."""
    rows = [*(m.model + (" ★" if m.headline else "") for m in c.models)]
    mc_row = f"Monte Carlo ({c.mc_model})" if c.mc_model else None
    rl_row = "red lines" if c.red_lines else None
    order = ["actors", *([rl_row] if rl_row else []), *([mc_row] if mc_row else []), *rows]
    pos = {name: len(order) - 1 - k for k, name in enumerate(order)}  # numeric rows: offsets within a row
    fig = go.Figure()
    if c.scale.labels:
        ks = [k for k in sorted(c.scale.labels) if c.scale.bounds[0] <= k <= c.scale.bounds[1]]
        fig.add_trace(
            go.Scatter(
                x=ks,
                y=[pos["actors"]] * len(ks),
                mode="markers",
                marker={"symbol": "line-ns", "size": 16, "line": {"width": 1, "color": C.GREY}},
                hovertext=[f"{k:g}: {_t(c.scale.labels[k])}" for k in ks],
                hoverinfo="text",
                showlegend=False,
            )
        )
    srt = sorted(c.actors, key=lambda a: a.position)
    fig.add_trace(
        go.Scatter(
            x=[a.position for a in srt],
            y=[pos["actors"]] * len(srt),
            mode="markers+text",
            text=[_t(a.actor) for a in srt],
            textposition=["top center" if k % 2 == 0 else "bottom center" for k in range(len(srt))],
            textfont={"size": 11},
            marker={
                "size": [8 + 10 * a.salience for a in srt],
                "color": [a.colour for a in srt],
                "line": {"width": 1, "color": "#fff"},
            },
            hovertext=[f"{_t(a.actor)}: position {g3(a.position)}, salience {a.salience:.2f}" for a in srt],
            hoverinfo="text",
            showlegend=False,
        )
    )
    if rl_row:
        n = len(c.red_lines)
        for k, r in enumerate(c.red_lines):
            yy = pos[rl_row] + (0.0 if n == 1 else 0.56 * (k / (n - 1) - 0.5))
            right = r.high < c.scale.bounds[1]
            fig.add_trace(
                go.Scatter(
                    x=[r.low, r.high],
                    y=[yy, yy],
                    mode="lines+text",
                    line={"width": 5, "color": r.colour},
                    text=["", _t(r.actor)] if right else [_t(r.actor), ""],
                    textposition="middle right" if right else "middle left",
                    textfont={"size": 11},
                    hovertext=[f"{_t(r.actor)} accepts {g3(r.low)} to {g3(r.high)}"] * 2,
                    hoverinfo="text",
                    showlegend=False,
                )
            )
    if mc_row and c.mc_interval:
        yy = pos[mc_row]
        if c.mc_pressure_interval:
            lo, hi = c.mc_pressure_interval
            fig.add_trace(
                go.Scatter(
                    x=[lo, hi],
                    y=[yy - 0.2, yy - 0.2],
                    mode="lines",
                    line={"width": 4, "color": C.GREY},
                    hovertext=[f"pressure: 80% of draws between {g3(lo)} and {g3(hi)}"] * 2,
                    hoverinfo="text",
                    showlegend=False,
                )
            )
        lo, hi = c.mc_interval
        point = hi - lo < 0.005 * ((c.scale.bounds[1] - c.scale.bounds[0]) or 1.0)
        fig.add_trace(
            go.Scatter(
                x=[lo, hi],
                y=[yy + 0.1, yy + 0.1],
                mode="lines+markers" if point else "lines",
                marker={"size": 12, "symbol": "square", "color": C.SKY},
                line={"width": 10, "color": C.SKY},
                hovertext=[f"outcome under the rule: 80% of draws between {g3(lo)} and {g3(hi)}"] * 2,
                hoverinfo="text",
                showlegend=False,
            )
        )
        if len(c.mc_modes) >= 2:
            fig.add_trace(
                go.Scatter(
                    x=[v for v, _ in c.mc_modes],
                    y=[yy + 0.1] * len(c.mc_modes),
                    mode="markers+text",
                    text=[f"{sh:.0%}" for _, sh in c.mc_modes],
                    textposition="top center",
                    textfont={"size": 11},
                    marker={"size": [8 + 14 * sh for _, sh in c.mc_modes], "color": C.BLUE},
                    hovertext=[f"{sh:.0%} of draws near {g3(v)}" for v, sh in c.mc_modes],
                    hoverinfo="text",
                    showlegend=False,
                )
            )
        elif c.mc_median is not None:
            fig.add_trace(
                go.Scatter(
                    x=[c.mc_median],
                    y=[yy + 0.1],
                    mode="markers",
                    marker={
                        "size": 14,
                        "color": C.BLUE,
                        "symbol": "line-ns",
                        "line": {"width": 3, "color": C.BLUE},
                    },
                    hovertext=[f"median outcome {g3(c.mc_median)}"],
                    hoverinfo="text",
                    showlegend=False,
                )
            )
    for m, row in zip(c.models, rows, strict=True):
        colour = C.BLUE if m.headline else C.INK
        yy = pos[row]
        q = f"<br>{_t(m.question)}" if m.question else ""
        if m.converged is False and m.cycle_range:
            lo, hi = m.cycle_range
            fig.add_trace(
                go.Scatter(
                    x=[lo, hi],
                    y=[yy, yy],
                    mode="lines+markers",
                    line={"width": 3, "color": C.GREY, "dash": "dot"},
                    marker={"symbol": "line-ns", "size": 12, "line": {"width": 2, "color": C.GREY}},
                    hovertext=[
                        f"{_t(m.model)}: the pressure does not converge; it cycles between {g3(lo)} and {g3(hi)}"
                    ]
                    * 2,
                    hoverinfo="text",
                    showlegend=False,
                )
            )
            if m.outcome is None:
                fig.add_trace(
                    go.Scatter(
                        x=[(lo + hi) / 2],
                        y=[yy],
                        mode="text",
                        text=["cycles: no point forecast"],
                        textposition="top center",
                        textfont={"size": 11, "color": C.MUTED},
                        hoverinfo="skip",
                        showlegend=False,
                    )
                )
        if m.pressure is not None:
            xs = [m.pressure] if m.outcome is None else [m.pressure, m.outcome]
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=[yy] * len(xs),
                    mode="lines+markers",
                    line={"width": 1.2, "color": colour, "dash": "dash"},
                    marker={
                        "size": [16, 0][: len(xs)],
                        "symbol": "circle-open",
                        "color": colour,
                        "line": {"width": 2},
                    },
                    hovertext=[f"{_t(m.model)}: pressure (where the actors push) {g3(m.pressure)}{q}", ""][
                        : len(xs)
                    ],
                    hoverinfo="text",
                    showlegend=False,
                )
            )
        if m.outcome is not None:
            fig.add_trace(
                go.Scatter(
                    x=[m.outcome],
                    y=[yy],
                    mode="markers",
                    marker={
                        "size": 12 if m.headline else 10,
                        "symbol": "diamond" if m.headline else "circle",
                        "color": colour,
                    },
                    hovertext=[f"{_t(m.model)}: outcome under the rule {g3(m.outcome)}{q}"],
                    hoverinfo="text",
                    showlegend=False,
                )
            )
    # the legend: what each mark means
    fig.add_trace(_key("outcome under the rule", size=10, color=C.INK, symbol="circle"))
    fig.add_trace(
        _key("pressure (the actors' push)", size=14, color=C.INK, symbol="circle-open", line={"width": 2})
    )
    if mc_row and c.mc_interval:
        fig.add_trace(_key("80% of draws: outcome", size=12, color=C.SKY, symbol="square"))
        if c.mc_pressure_interval:
            fig.add_trace(_key("80%: pressure", size=12, color=C.GREY, symbol="square"))
    if rl_row:
        fig.add_trace(
            _key(
                "acceptable range (red line)",
                size=12,
                color=C.MUTED,
                symbol="line-ew",
                line={"width": 4, "color": C.MUTED},
            )
        )
    shapes, notes = [], []
    if c.status_quo is not None:
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": c.status_quo,
                "x1": c.status_quo,
                "y0": 0,
                "y1": 1,
                "line": {"color": C.VERMILION, "width": 1.5, "dash": "dash"},
            }
        )
        notes.append(
            {
                "x": c.status_quo,
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "yanchor": "bottom",
                "showarrow": False,
                "text": f"status quo {g3(c.status_quo)}",
                "font": {"size": 11, "color": C.VERMILION},
            }
        )
    _layout(fig, 130 + 38 * len(order), shapes=shapes, annotations=notes, showlegend=True)
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0, "font": {"size": 12}})
    fig.update_yaxes(
        tickvals=[pos[r] for r in order], ticktext=[_t(r) for r in order], range=[-0.7, len(order) - 0.3]
    )
    _ticks(fig, c.scale)
    fig.update_traces(cliponaxis=False)
    return _out(fig)


# ---------------------------------------------------------------------------------------- distribution
def distribution(d: Distribution) -> dict[str, Any]:
    fig = go.Figure()
    lo, hi = d.scale.bounds
    top = 1.0
    if d.samples is not None and len(d.samples):
        counts, edges = np.histogram(np.clip(d.samples, lo, hi), bins=40, range=(lo, hi))
        share = counts / counts.sum()
        top = float(share.max()) or 1.0
        fig.add_trace(
            go.Bar(
                x=(edges[:-1] + edges[1:]) / 2,
                y=share,
                width=(edges[1] - edges[0]) * 0.95,
                marker={"color": C.SKY},
                name="share of draws",
                hovertemplate="%{x:.3g}: %{y:.1%} of draws<extra></extra>",
            )
        )
    q = d.quantiles
    if len(d.modes) >= 2:
        for v, s in d.modes:
            fig.add_trace(
                go.Scatter(
                    x=[v, v],
                    y=[0, top * 1.05],
                    mode="lines",
                    line={"color": C.BLUE, "width": 2.5},
                    name=f"mode: {s:.0%} near {g3(v)}",
                    hovertemplate=f"{s:.0%} of draws near {g3(v)}<extra></extra>",
                )
            )
    else:
        if "10" in q and "90" in q:
            fig.add_trace(
                go.Scatter(
                    x=[q["10"], q["90"], q["90"], q["10"], q["10"]],
                    y=[0, 0, top * 1.05, top * 1.05, 0],
                    fill="toself",
                    mode="lines",
                    line={"width": 0},
                    fillcolor="rgba(0,114,178,0.12)",
                    name=f"80% interval {g3(q['10'])}–{g3(q['90'])}",
                    hoverinfo="skip",
                )
            )
        if "50" in q:
            fig.add_trace(
                go.Scatter(
                    x=[q["50"], q["50"]],
                    y=[0, top * 1.05],
                    mode="lines",
                    line={"color": C.BLUE, "width": 2.5},
                    name=f"median {g3(q['50'])}",
                    hovertemplate=f"median {g3(q['50'])}<extra></extra>",
                )
            )
    if d.point is not None:
        fig.add_trace(
            go.Scatter(
                x=[d.point, d.point],
                y=[0, top * 1.05],
                mode="lines",
                line={"color": C.VERMILION, "width": 2, "dash": "dash"},
                name=f"inputs at their values: {g3(d.point)}",
                hovertemplate=f"inputs at their values: {g3(d.point)}<extra></extra>",
            )
        )
    _layout(fig, 300, bargap=0)
    _ticks(fig, d.scale)
    fig.update_yaxes(tickformat=".0%", title={"text": "share of draws", "font": {"size": 12}})
    return _out(fig)


# --------------------------------------------------------------------------------------------- tornado
def tornado(t: TornadoData) -> dict[str, Any]:
    labels = [_t(b.label) for b in t.bars][::-1]
    bars = t.bars[::-1]
    fig = go.Figure()
    for end, name, colour in (
        ("low", "input at the low end of its range", C.BLUE),
        ("high", "input at the high end", C.VERMILION),
    ):
        fig.add_trace(
            go.Bar(
                y=labels,
                x=[getattr(b, end) - t.base for b in bars],
                base=[t.base] * len(bars),
                orientation="h",
                name=name,
                marker={"color": colour},
                customdata=[[getattr(b, f"{end}_value"), getattr(b, end)] for b in bars],
                hovertemplate="%{y} = %{customdata[0]:.3g}: outcome under the rule %{customdata[1]:.3g}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[t.base, t.base],
            y=[labels[0], labels[-1]],
            mode="lines",
            line={"color": C.INK, "width": 2},
            name=f"baseline {g3(t.base)}: the outcome under the rule, every input at its value",
            hoverinfo="skip",
        )
    )
    _layout(fig, 130 + 30 * len(bars), barmode="group", bargap=0.25)
    _ticks(fig, t.scale)
    return _out(fig)


# ----------------------------------------------------------------------------------------------- Sobol
def sobol(s: SobolData) -> dict[str, Any]:
    rows = list(s.rows)[::-1]
    y = [_t(r.factor) for r in rows]
    fig = go.Figure()
    lo = min([-0.05, *(r.s1 - r.s1_conf for r in rows), *(r.st - r.st_conf for r in rows)])
    hi = max([1.05, *(r.s1 + r.s1_conf for r in rows), *(r.st + r.st_conf for r in rows)])
    fig.add_trace(
        go.Scatter(
            x=[r.st for r in rows],
            y=y,
            mode="markers",
            name="ST: total (with interactions)",
            marker={"color": C.BLUE, "size": 11, "symbol": "diamond"},
            error_x={"type": "data", "array": [r.st_conf for r in rows], "color": C.BLUE, "thickness": 1.5},
            hovertemplate="%{y}: ST %{x:.2f} ± %{error_x.array:.2f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[r.s1 for r in rows],
            y=y,
            mode="markers",
            name="S1: first order (alone)",
            marker={"color": C.ORANGE, "size": 9},
            error_x={"type": "data", "array": [r.s1_conf for r in rows], "color": C.ORANGE, "thickness": 1.5},
            hovertemplate="%{y}: S1 %{x:.2f} ± %{error_x.array:.2f}<extra></extra>",
        )
    )
    shade = {
        "type": "rect",
        "yref": "paper",
        "y0": 0,
        "y1": 1,
        "fillcolor": "#eceef1",
        "line": {"width": 0},
        "layer": "below",
    }
    shapes = [{**shade, "x0": lo, "x1": 0}, {**shade, "x0": 1, "x1": hi}]
    _layout(fig, 120 + 34 * len(rows), shapes=shapes)
    fig.update_xaxes(range=[lo, hi], title={"text": "share of the variance", "font": {"size": 12}})
    return _out(fig)


# ----------------------------------------------------------------------------------------------- sweep
def sweep(sw: SweepData) -> dict[str, Any]:
    """Each issue's outcome under the rule (solid) and its pressure (dashed, same colour)."""
    fig = go.Figure()
    for k, (name, y) in enumerate(sw.series.items()):
        short = _t(name if len(name) <= 34 else name[:33] + "…")
        colour = C.OKABE_ITO[k % 8]
        fig.add_trace(
            go.Scatter(
                x=sw.x,
                y=y,
                mode="lines+markers",
                name=short,
                legendgroup=str(k),
                line={"color": colour, "width": 2.5},
                hovertemplate=f"{_t(name)}<br>{_t(sw.driver)} %{{x:.2f}}: outcome %{{y:.3g}}<extra></extra>",
            )
        )
        pv = sw.pressure.get(name)
        if pv is not None and not np.allclose(np.nan_to_num(pv), np.nan_to_num(y)):
            fig.add_trace(
                go.Scatter(
                    x=sw.x,
                    y=pv,
                    mode="lines",
                    name=f"{short}: pressure",
                    legendgroup=str(k),
                    showlegend=False,
                    line={"color": colour, "width": 1.5, "dash": "dash"},
                    hovertemplate=f"{_t(name)}<br>{_t(sw.driver)} %{{x:.2f}}: pressure %{{y:.3g}}<extra></extra>",
                )
            )
    if sw.pressure:
        fig.add_trace(
            go.Scatter(
                x=[None], y=[None], mode="lines", name="dashed: pressure (before the rule)",
                line={"color": C.INK, "width": 1.5, "dash": "dash"}, hoverinfo="skip",
            )
        )  # fmt: skip
    if sw.baseline is not None:
        ys = [v for y in sw.series.values() for v in np.asarray(y, dtype=float) if np.isfinite(v)] or [
            0.0,
            1.0,
        ]
        fig.add_trace(
            go.Scatter(
                x=[sw.baseline, sw.baseline],
                y=[min(ys), max(ys)],
                mode="lines",
                line={"color": C.GREY, "width": 1.5, "dash": "dot"},
                name=f"the scenario's value ({sw.baseline:.2f})",
                hoverinfo="skip",
            )
        )
    _layout(fig, 440)
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0, "font": {"size": 12}})
    fig.update_xaxes(title={"text": f"{_t(sw.driver)} (0–1)", "font": {"size": 12}})
    fig.update_yaxes(title={"text": f"{sw.model}: outcome", "font": {"size": 12}})
    return _out(fig)


def feasibility(sw: SweepData) -> dict[str, Any]:
    """Per agreement, whether the forecast concludes it at each value of the driver."""
    rows = sw.agreed or ({"some acceptable package": sw.feasible} if sw.feasible is not None else {})
    fig = go.Figure()
    names = list(rows)
    for name, v in rows.items():
        v = np.asarray(v, dtype=float)
        fig.add_trace(
            go.Scatter(
                x=sw.x,
                y=[_t(name if len(name) <= 26 else name[:25] + "…")] * len(sw.x),
                mode="markers",
                marker={
                    "symbol": ["square" if x == 1 else "square-open" for x in v],
                    "size": 14,
                    "color": [C.BLUE if x == 1 else C.GREY for x in v],
                },
                text=["concluded" if x == 1 else "not concluded" for x in v],
                hovertemplate=f"{_t(name)}<br>{_t(sw.driver)} %{{x:.2f}}: %{{text}}<extra></extra>",
                showlegend=False,
            )
        )
    _layout(fig, 110 + 40 * len(names), showlegend=False)
    fig.update_yaxes(
        type="category",
        categoryorder="array",
        categoryarray=[_t(n if len(n) <= 26 else n[:25] + "…") for n in reversed(names)],
    )
    fig.update_xaxes(title={"text": f"{_t(sw.driver)} (0–1); filled: concluded", "font": {"size": 12}})
    return _out(fig)


# ----------------------------------------------------------------------------------------------- deals
def gains(g: GainsData) -> dict[str, Any]:
    """Actors as rows, packages as numbered columns (the names are in the hover and the list below)."""
    z = np.asarray(g.gains, dtype=float).T  # (actors, packages)
    lim = float(np.nanmax(np.abs(z))) if np.isfinite(z).any() else 1.0
    lim = lim or 1.0
    codes = [str(k + 1) for k in range(len(g.rows))]
    fig = go.Figure(
        go.Heatmap(
            z=z[::-1],
            x=codes,
            y=[_t(a) for a in g.actors][::-1],
            zmin=-lim,
            zmax=lim,
            xgap=2,
            ygap=2,
            colorscale=[list(p) for p in C.DIVERGING],
            texttemplate="%{z:+.2f}",
            textfont={"size": 12},
            customdata=[[_t(f"{n}: {p}") for n, p in zip(g.rows, g.packages, strict=True)] for _ in g.actors],
            hovertemplate="%{y}, package %{x}: gain %{z:+.3f}<br>%{customdata}<extra></extra>",
            colorbar={"thickness": 10, "len": 0.9, "tickfont": {"size": 11}},
        )
    )
    _layout(fig, 90 + 44 * len(g.actors), showlegend=False)
    fig.update_xaxes(
        side="top",
        title={"text": "package (numbered as in the list below)", "font": {"size": 12}},
        type="category",
    )
    fig.update_yaxes(type="category")
    return _out(fig)


def plane(p: PlaneData) -> dict[str, Any]:
    fig = go.Figure()
    if len(p.gains):
        fig.add_trace(
            go.Scatter(
                x=p.gains[:, 0],
                y=p.gains[:, 1],
                mode="markers",
                name="acceptable packages",
                marker={"color": C.SKY, "size": 6},
                hovertemplate=f"{_t(p.names[0])} %{{x:.3f}}, {_t(p.names[1])} %{{y:.3f}}<extra></extra>",
            )
        )
    if len(p.frontier):
        fr = p.frontier[np.argsort(p.frontier[:, 0])]
        fig.add_trace(
            go.Scatter(
                x=fr[:, 0],
                y=fr[:, 1],
                mode="lines+markers",
                name="Pareto frontier",
                line={"color": C.BLUE, "width": 2},
                marker={"size": 5},
                hoverinfo="skip",
            )
        )
    symbols = ["square", "star", "diamond", "triangle-up", "triangle-down", "x", "cross"]
    for k, (name, (x, y)) in enumerate(p.marks.items()):
        fig.add_trace(
            go.Scatter(
                x=[x],
                y=[y],
                mode="markers",
                name=_t(name),
                marker={
                    "symbol": symbols[k % len(symbols)],
                    "size": 13,
                    "color": C.PALETTE[(k + 5) % len(C.PALETTE)] if k else C.INK,
                },
                hovertemplate=f"{_t(name)}: {_t(p.names[0])} %{{x:.3f}}, {_t(p.names[1])} %{{y:.3f}}<extra></extra>",
            )
        )
    _layout(fig, 460)
    fig.update_xaxes(
        title={"text": f"gain for {_t(p.names[0])}", "font": {"size": 12}},
        zeroline=True,
        zerolinecolor=C.GREY,
    )
    fig.update_yaxes(
        title={"text": f"gain for {_t(p.names[1])}", "font": {"size": 12}},
        zeroline=True,
        zerolinecolor=C.GREY,
    )
    return _out(fig)


# ---------------------------------------------------------------------------------------- trajectories
def trajectories(t: Trajectories) -> dict[str, Any]:
    n = len(t.runs)
    titles = []
    for r in t.runs:
        flag = ""
        if r.converged is False:
            flag = " · did not converge" + (
                f" (cycles {g3(r.cycle_range[0])}–{g3(r.cycle_range[1])})" if r.cycle_range else ""
            )
        titles.append(r.model + flag)
    fig = make_subplots(rows=n, cols=1, subplot_titles=titles, vertical_spacing=0.32 / max(n, 1))
    for k, r in enumerate(t.runs, start=1):
        rounds = np.arange(r.positions.shape[0])
        for a, actor in enumerate(t.actors):
            fig.add_trace(
                go.Scatter(
                    x=rounds,
                    y=r.positions[:, a],
                    mode="lines+markers",
                    name=_t(actor),
                    legendgroup=actor,
                    showlegend=k == 1,
                    line={"color": t.colours[actor], "width": 2},
                    marker={"size": 4},
                    hovertemplate=f"{_t(actor)}, round %{{x}}: %{{y:.3g}}<extra>{_t(r.model)}</extra>",
                ),
                row=k,
                col=1,
            )
        if r.outcome is not None:
            fig.add_trace(
                go.Scatter(
                    x=rounds[: len(r.outcome)],
                    y=r.outcome,
                    mode="lines",
                    name="model outcome",
                    legendgroup="outcome",
                    showlegend=k == 1,
                    line={"color": C.INK, "width": 3, "dash": "dash"},
                    hovertemplate=f"outcome, round %{{x}}: %{{y:.3g}}<extra>{r.model}</extra>",
                ),
                row=k,
                col=1,
            )
        fig.update_yaxes(range=list(t.scale.padded()), row=k, col=1)
        fig.update_xaxes(title={"text": "round", "font": {"size": 11}}, row=k, col=1)
    height = 130 + 230 * n
    _layout(fig, height)
    fig.update_layout(legend={"y": 1 + 34 / (height - 60)})
    for ann in fig.layout.annotations:
        ann.font = {"size": 13}
    return _out(fig)
