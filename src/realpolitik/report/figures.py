"""Static figures as SVG text (matplotlib; text kept as text): Markdown, print and pages without script.

They draw the same :mod:`figdata` as the Plotly figures of :mod:`interactive`, sized for a printed page
(7.5 inches wide) with legends outside the plotting area so nothing overlaps.
"""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from realpolitik._svg import RC as BASE_RC
from realpolitik._svg import to_svg
from realpolitik.report import colors as C
from realpolitik.report.figdata import (
    Comparison,
    Distribution,
    GainsData,
    PlaneData,
    Scale,
    SobolData,
    SweepData,
    TornadoData,
    Trajectories,
    g3,
)

RC: dict[Any, Any] = {
    **BASE_RC,
    "text.parse_math": False,  # names and labels are text: a "$" is a dollar sign
    "axes.edgecolor": "#9aa1ab",
    "text.color": C.INK,
    "axes.labelcolor": C.INK,
    "xtick.color": C.INK,
    "ytick.color": C.INK,
}

WIDTH = 7.5  # inches: the printable width of an A4 or Letter page

#: Legends above the plot, left-aligned: never over the data or the axis labels.
TOP_LEGEND: dict[str, Any] = {
    "loc": "lower left",
    "bbox_to_anchor": (0.0, 1.02),
    "frameon": False,
    "fontsize": 8.5,
    "borderaxespad": 0.0,
}


def _short(text: str, n: int = 28) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _scale_x(ax: Any, scale: Scale) -> None:
    vals = scale.ticks(0.06)
    ax.set_xticks(vals, [f"{v:g}" for v in vals])
    ax.set_xlim(*scale.padded())


def comparison(c: Comparison) -> str:
    """Every model's outcome under the rule (filled) and its pressure (open ring), the status quo, the
    actors' positions, their red lines and the Monte Carlo range, one row each."""
    with plt.rc_context(RC):
        rows = [m.model + (" ★" if m.headline else "") for m in c.models]
        mc_row = f"Monte Carlo ({c.mc_model})" if c.mc_model else None
        rl_row = "red lines" if c.red_lines else None
        order = ["actors", *([rl_row] if rl_row else []), *([mc_row] if mc_row else []), *rows]
        y = {name: len(order) - 1 - k for k, name in enumerate(order)}
        fig, ax = plt.subplots(figsize=(WIDTH, 1.2 + 0.42 * len(order)))
        srt = sorted(c.actors, key=lambda a: a.position)
        for k, a in enumerate(srt):
            ax.scatter(
                [a.position],
                [y["actors"]],
                s=30 + 90 * a.salience,
                color=a.colour,
                zorder=3,
                edgecolor="white",
            )
            ax.annotate(a.actor, (a.position, y["actors"]), xytext=(0, 8 if k % 2 == 0 else -14),
                        textcoords="offset points", ha="center", fontsize=8.5)  # fmt: skip
        if rl_row:
            n = len(c.red_lines)
            for k, r in enumerate(c.red_lines):
                yy = y[rl_row] + (0.0 if n == 1 else 0.56 * (k / (n - 1) - 0.5))
                ax.plot([r.low, r.high], [yy, yy], color=r.colour, lw=3.5, solid_capstyle="butt", zorder=2)
                x_text = r.high if r.high < c.scale.bounds[1] else r.low
                ax.annotate(r.actor, (x_text, yy), xytext=(4 if x_text == r.high else -4, 0), textcoords="offset points",
                            ha="left" if x_text == r.high else "right", va="center", fontsize=8, color=C.INK)  # fmt: skip
        if mc_row and c.mc_interval:
            yy = y[mc_row]
            if c.mc_pressure_interval:
                ax.plot(
                    list(c.mc_pressure_interval),
                    [yy - 0.22] * 2,
                    color=C.GREY,
                    lw=3,
                    solid_capstyle="butt",
                    zorder=2,
                )
            ax.plot(list(c.mc_interval), [yy + 0.08] * 2, color=C.SKY, lw=7, solid_capstyle="butt", zorder=2,
                    marker="s" if c.mc_interval[1] - c.mc_interval[0] < 0.005 * (c.scale.bounds[1] - c.scale.bounds[0]) else None,
                    ms=7)  # fmt: skip
            if len(c.mc_modes) >= 2:
                for v, sh in c.mc_modes:
                    ax.scatter([v], [yy + 0.08], s=40 + 160 * sh, color=C.BLUE, zorder=3)
                    ax.annotate(
                        f"{sh:.0%}",
                        (v, yy + 0.08),
                        xytext=(0, 8),
                        textcoords="offset points",
                        ha="center",
                        fontsize=8.5,
                    )
            elif c.mc_median is not None:
                ax.plot([c.mc_median] * 2, [yy - 0.15, yy + 0.3], color=C.BLUE, lw=3, zorder=3)
        for m, row in zip(c.models, rows, strict=True):
            colour = C.BLUE if m.headline else C.INK
            if m.converged is False and m.cycle_range:
                ax.plot(list(m.cycle_range), [y[row]] * 2, color=C.GREY, lw=2.5, ls=":", marker="|", ms=12)
                ax.annotate("pressure cycles", (float(np.mean(m.cycle_range)), y[row]), xytext=(0, 6),
                            textcoords="offset points", ha="center", fontsize=8.5, color=C.MUTED)  # fmt: skip
            if m.pressure is not None:
                if m.outcome is not None and abs(m.pressure - m.outcome) > 1e-9:
                    ax.plot([m.pressure, m.outcome], [y[row]] * 2, color=colour, lw=1, ls="--", zorder=2)
                ax.scatter(
                    [m.pressure],
                    [y[row]],
                    s=150,
                    facecolor="none",
                    edgecolor=colour,
                    linewidths=1.6,
                    zorder=3,
                )
            if m.outcome is not None:
                ax.scatter([m.outcome], [y[row]], s=70 if m.headline else 45, marker="D" if m.headline else "o",
                           color=colour, zorder=4)  # fmt: skip
        if c.status_quo is not None:
            ax.axvline(c.status_quo, color=C.VERMILION, lw=1.3, ls="--", zorder=1)
        handles = [
            Line2D([], [], marker="o", ls="", color=C.INK, markersize=6, label="outcome under the rule"),
            Line2D(
                [],
                [],
                marker="o",
                ls="",
                markerfacecolor="none",
                markeredgecolor=C.INK,
                markersize=10,
                label="pressure (the actors' push)",
            ),
        ]
        if c.status_quo is not None:
            handles.append(Line2D([], [], color=C.VERMILION, ls="--", label=f"status quo {g3(c.status_quo)}"))
        if mc_row and c.mc_interval:
            handles.append(Line2D([], [], color=C.SKY, lw=6, label="80% of draws: outcome"))
            if c.mc_pressure_interval:
                handles.append(Line2D([], [], color=C.GREY, lw=3, label="80%: pressure"))
        if rl_row:
            handles.append(Line2D([], [], color=C.MUTED, lw=3.5, label="acceptable range (red lines)"))
        ax.legend(handles=handles, **TOP_LEGEND, ncol=3)
        ax.set_yticks([y[r] for r in order], order)
        ax.set_ylim(-0.7, len(order) - 0.3)
        _scale_x(ax, c.scale)
        ax.set_xlabel(c.scale.unit or "position on the issue's scale", fontsize=9)
        ax.grid(axis="x", alpha=0.3)
        ax.spines["left"].set_visible(False)
        fig.tight_layout()
        return to_svg(fig)


def distribution(d: Distribution) -> str:
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(WIDTH, 2.6))
        lo, hi = d.scale.bounds
        if d.samples is not None and len(d.samples):
            w = np.full(len(d.samples), 1.0 / len(d.samples))
            ax.hist(
                np.clip(d.samples, lo, hi), bins=40, range=(lo, hi), weights=w, color=C.SKY, edgecolor="white"
            )
        q = d.quantiles
        if len(d.modes) >= 2:
            for v, s in d.modes:
                ax.axvline(v, color=C.BLUE, lw=2, label=f"mode: {s:.0%} near {g3(v)}")
        else:
            if "10" in q and "90" in q:
                ax.axvspan(
                    q["10"],
                    q["90"],
                    color=C.BLUE,
                    alpha=0.12,
                    label=f"80% interval {g3(q['10'])}–{g3(q['90'])}",
                )
            if "50" in q:
                ax.axvline(q["50"], color=C.BLUE, lw=2, label=f"median {g3(q['50'])}")
        if d.point is not None:
            ax.axvline(
                d.point, color=C.VERMILION, lw=1.6, ls="--", label=f"inputs at their values: {g3(d.point)}"
            )
        _scale_x(ax, d.scale)
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
        ax.set_ylabel("share of draws", fontsize=9)
        ax.legend(**TOP_LEGEND, ncol=3)
        fig.tight_layout()
        return to_svg(fig)


def tornado(t: TornadoData) -> str:
    with plt.rc_context(RC):
        n = len(t.bars)
        fig, ax = plt.subplots(figsize=(WIDTH, 0.9 + 0.34 * n))
        ys = np.arange(n)[::-1]
        h = 0.38
        for yk, b in zip(ys, t.bars, strict=True):
            ax.barh(yk + h / 2, b.low - t.base, left=t.base, height=h, color=C.BLUE)
            ax.barh(yk - h / 2, b.high - t.base, left=t.base, height=h, color=C.VERMILION)
        ax.axvline(t.base, color=C.INK, lw=1.2)
        ax.set_yticks(ys, [_short(b.label, 40) for b in t.bars], fontsize=9)
        _scale_x(ax, t.scale)
        ax.set_ylim(-0.7, n - 0.3)
        handles = [
            Patch(color=C.BLUE, label="input at the low end of its range"),
            Patch(color=C.VERMILION, label="at the high end"),
            Line2D([], [], color=C.INK, lw=1.2, label=f"baseline {g3(t.base)}: the outcome under the rule"),
        ]
        ax.legend(handles=handles, **TOP_LEGEND, ncol=3)
        fig.tight_layout()
        return to_svg(fig)


def sobol(s: SobolData) -> str:
    with plt.rc_context(RC):
        rows = list(s.rows)
        n = len(rows)
        fig, ax = plt.subplots(figsize=(WIDTH, 0.9 + 0.36 * n))
        ys = np.arange(n)[::-1]
        lo = min([-0.05, *(r.s1 - r.s1_conf for r in rows), *(r.st - r.st_conf for r in rows)])
        hi = max([1.05, *(r.s1 + r.s1_conf for r in rows), *(r.st + r.st_conf for r in rows)])
        ax.axvspan(lo, 0, color="#eceef1", zorder=0)
        ax.axvspan(1, hi, color="#eceef1", zorder=0)
        ax.errorbar(
            [r.st for r in rows],
            ys + 0.12,
            xerr=[r.st_conf for r in rows],
            fmt="D",
            color=C.BLUE,
            ms=6,
            capsize=2,
            label="ST: total (with interactions)",
        )
        ax.errorbar(
            [r.s1 for r in rows],
            ys - 0.12,
            xerr=[r.s1_conf for r in rows],
            fmt="o",
            color=C.ORANGE,
            ms=5,
            capsize=2,
            label="S1: first order (alone)",
        )
        ax.set_yticks(ys, [_short(r.factor, 36) for r in rows], fontsize=9)
        ax.set_xlim(lo, hi)
        ax.set_ylim(-0.6, n - 0.4)
        ax.set_xlabel("share of the outcome variance (grey: outside [0, 1], estimation noise)", fontsize=9)
        ax.legend(**TOP_LEGEND, ncol=2)
        fig.tight_layout()
        return to_svg(fig)


def sweep(sw: SweepData) -> str:
    """Each issue's outcome under the rule (solid) and the pressure (dashed, same colour) against the driver."""
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(WIDTH, 3.4))
        for k, (name, yv) in enumerate(sw.series.items()):
            colour = C.OKABE_ITO[k % 8]
            ax.plot(sw.x, yv, color=colour, lw=2, marker="o", ms=3, label=_short(name, 90))
            pv = sw.pressure.get(name)
            if pv is not None and not np.allclose(np.nan_to_num(pv), np.nan_to_num(yv)):
                ax.plot(sw.x, pv, color=colour, lw=1.2, ls="--")
        if sw.pressure:
            ax.plot([], [], color=C.INK, lw=1.2, ls="--", label="dashed: the pressure (before the rule)")
        if sw.baseline is not None:
            ax.axvline(
                sw.baseline, color=C.GREY, lw=1.2, ls=":", label=f"the scenario's value ({sw.baseline:.2f})"
            )
        ax.set_xlabel(f"{sw.driver} (0–1)", fontsize=9)
        ax.set_ylabel(f"{sw.model}: outcome under the rule", fontsize=9)
        ax.grid(alpha=0.25)
        ax.legend(**TOP_LEGEND, ncol=1 if max((len(k) for k in sw.series), default=0) > 40 else 2)
        fig.tight_layout()
        return to_svg(fig)


def feasibility(sw: SweepData) -> str:
    """Per agreement, whether the forecast concludes it at each value of the driver (filled: concluded)."""
    with plt.rc_context(RC):
        rows = sw.agreed or ({"some acceptable package": sw.feasible} if sw.feasible is not None else {})
        fig, ax = plt.subplots(figsize=(WIDTH, 0.9 + 0.4 * len(rows)))
        for k, v in enumerate(rows.values()):
            yk = len(rows) - 1 - k
            v = np.asarray(v, dtype=float)
            on = v == 1
            ax.scatter(sw.x[on], [yk] * int(on.sum()), marker="s", s=70, color=C.BLUE, zorder=3)
            ax.scatter(
                sw.x[~on],
                [yk] * int((~on).sum()),
                marker="s",
                s=70,
                facecolor="white",
                edgecolor=C.GREY,
                zorder=3,
            )
        ax.set_yticks(range(len(rows)), [_short(n, 40) for n in reversed(list(rows))])
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.set_xlabel(f"{sw.driver} (0–1); filled: concluded", fontsize=9)
        ax.spines["left"].set_visible(False)
        fig.tight_layout()
        return to_svg(fig)


def gains(g: GainsData) -> str:
    from matplotlib.colors import LinearSegmentedColormap

    with plt.rc_context(RC):
        m = np.asarray(g.gains, dtype=float).T  # (actors, packages)
        fig, ax = plt.subplots(figsize=(WIDTH, 1.0 + 0.42 * len(g.actors)))
        lim = float(np.nanmax(np.abs(m))) if np.isfinite(m).any() else 1.0
        lim = lim or 1.0
        cmap = LinearSegmentedColormap.from_list("gains", list(C.DIVERGING))
        im = ax.imshow(m, aspect="auto", cmap=cmap, vmin=-lim, vmax=lim)
        ax.set_xticks(range(len(g.rows)), [str(k + 1) for k in range(len(g.rows))])
        ax.xaxis.tick_top()
        ax.xaxis.set_label_position("top")
        ax.set_xlabel("package (numbered as in the list below)", fontsize=9)
        ax.set_yticks(range(len(g.actors)), list(g.actors), fontsize=9)
        for (r, c), v in np.ndenumerate(m):
            if np.isfinite(v):
                rgba = cmap((v + lim) / (2 * lim))
                hexc = "#{:02x}{:02x}{:02x}".format(*(int(255 * x) for x in rgba[:3]))
                ax.text(c, r, f"{v:+.2f}", ha="center", va="center", fontsize=9, color=C.text_on(hexc))
        cb = fig.colorbar(im, ax=ax, fraction=0.03, pad=0.02)
        cb.set_label("gain over no deal", fontsize=9)
        ax.spines[:].set_visible(False)
        fig.tight_layout()
        return to_svg(fig)


def plane(p: PlaneData) -> str:
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(WIDTH, 4.2))
        if len(p.gains):
            ax.scatter(p.gains[:, 0], p.gains[:, 1], s=8, color=C.SKY, label="acceptable packages")
        if len(p.frontier):
            fr = p.frontier[np.argsort(p.frontier[:, 0])]
            ax.plot(fr[:, 0], fr[:, 1], color=C.BLUE, lw=2, marker="o", ms=3, label="Pareto frontier")
        markers = ["s", "*", "D", "^", "v", "X", "P"]
        for k, (name, (x, yv)) in enumerate(p.marks.items()):
            colour = C.INK if k == 0 else C.PALETTE[(k + 5) % len(C.PALETTE)]
            ax.scatter(
                [x],
                [yv],
                s=110 if markers[k % 7] == "*" else 60,
                marker=markers[k % 7],
                color=colour,
                zorder=5,
                label=_short(name, 40),
            )
        ax.axhline(0, color=C.GREY, lw=0.8)
        ax.axvline(0, color=C.GREY, lw=0.8)
        ax.set_xlabel(f"gain for {p.names[0]}", fontsize=9)
        ax.set_ylabel(f"gain for {p.names[1]}", fontsize=9)
        ax.legend(**TOP_LEGEND, ncol=3)
        fig.tight_layout()
        return to_svg(fig)


def trajectories(t: Trajectories) -> str:
    with plt.rc_context(RC):
        n = len(t.runs)
        fig, axes = plt.subplots(n, 1, figsize=(WIDTH, 0.6 + 2.0 * n), squeeze=False)
        for ax, r in zip(axes[:, 0], t.runs, strict=True):
            rounds = np.arange(r.positions.shape[0])
            for a, actor in enumerate(t.actors):
                ax.plot(
                    rounds,
                    r.positions[:, a],
                    color=t.colours[actor],
                    lw=1.6,
                    marker="o",
                    ms=2.5,
                    label=actor,
                    zorder=2,
                )
            if r.outcome is not None:
                ax.plot(
                    rounds[: len(r.outcome)],
                    r.outcome,
                    color=C.INK,
                    lw=2.6,
                    ls="--",
                    label="model outcome",
                    zorder=5,
                )
            title = r.model
            if r.converged is False:
                title += " · did not converge" + (
                    f" (cycles {g3(r.cycle_range[0])}–{g3(r.cycle_range[1])})" if r.cycle_range else ""
                )
            ax.set_title(title, loc="left", fontsize=10)
            ax.set_ylim(*t.scale.padded())
            if len(rounds) > 1:
                ax.set_xlim(0, rounds[-1])
            ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
            ax.set_ylabel("position", fontsize=9)
            ax.grid(alpha=0.25)
        axes[-1, 0].set_xlabel("round", fontsize=9)
        handles, names = axes[0, 0].get_legend_handles_labels()
        fig.legend(
            handles,
            names,
            loc="lower center",
            bbox_to_anchor=(0.5, -0.02),
            ncol=min(len(names), 6),
            frameon=False,
            fontsize=8.5,
        )
        fig.tight_layout(rect=(0, 0.06, 1, 1))
        return to_svg(fig)
