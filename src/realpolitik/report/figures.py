"""Figures as inline SVG text (matplotlib, text kept as text so it stays sharp and searchable)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
from matplotlib.patches import Patch

from realpolitik.report.colors import actor_colors

plt.rcParams.update(
    {
        "svg.fonttype": "none",
        "svg.hashsalt": "realpolitik",
        "font.family": "DejaVu Sans",
        "font.size": 10,
        "axes.titlesize": 11,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "figure.dpi": 96,
    }
)

WIDTH = 9.0  # inches: about 860 px, fits a laptop screen beside nothing else


def to_svg(fig: Any) -> str:
    """The figure as SVG text without the XML prologue (ready to inline)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": "realpolitik"})
    plt.close(fig)
    text = buf.getvalue()
    start = text.find("<svg")
    return text[start:]


def _short(text: str, n: int = 28) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def label_ticks(ax: Any, labels: dict[float, str], bounds: tuple[float, float], axis: str = "y") -> None:
    """Issue labels on the y-axis ticks (value and short label); numbers only on an x axis.

    Labelled points closer than 7% of the range to an already shown tick are shown as a bare tick.
    """
    width = float(bounds[1] - bounds[0]) or 1.0
    ticks = sorted(
        {float(bounds[0]), float(bounds[1]), *(float(k) for k in labels if bounds[0] <= k <= bounds[1])}
    )
    if axis != "y":
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
        return
    names = []
    last = -np.inf
    for t in ticks:
        if t in labels and t - last >= 0.07 * width:
            names.append(f"{_short(labels[t], 22)} · {t:g}")
            last = t
        else:
            names.append(f"{t:g}")
            last = t if t in labels or t in bounds else last
    ax.set_yticks(ticks, names, fontsize=8.5)


def trajectories(
    issue_name: str,
    unit: str | None,
    bounds: tuple[float, float],
    labels: dict[float, str],
    actors: Sequence[str],
    runs: list[tuple[str, np.ndarray, np.ndarray | None]],
    colors: dict[str, str] | None = None,
) -> str:
    """Per model, each actor's position on one issue over rounds; the model outcome as a dashed line.

    ``runs``: (model name, positions (R + 1, A), outcome by round (R + 1,) or None).
    """
    colors = colors or actor_colors(list(actors))
    n = len(runs)
    fig, axes = plt.subplots(1, n, figsize=(WIDTH, 3.4), sharey=True, squeeze=False)
    for ax, (model, pos, outcome) in zip(axes[0], runs, strict=True):
        rounds = np.arange(pos.shape[0])
        for a, actor in enumerate(actors):
            ax.plot(rounds, pos[:, a], color=colors[actor], lw=1.6, marker="o", ms=2.5, label=actor)
        if outcome is not None:
            ax.plot(rounds[: len(outcome)], outcome, color="#333333", lw=2.2, ls="--", label="outcome")
        ax.set_title(model)
        ax.set_xlabel("round")
        ax.set_ylim(bounds[0] - 0.03 * (bounds[1] - bounds[0]), bounds[1] + 0.03 * (bounds[1] - bounds[0]))
        if len(rounds) > 1:
            ax.set_xlim(0, rounds[-1])
        ax.grid(alpha=0.25)
    label_ticks(axes[0][0], labels, bounds)
    if unit:
        axes[0][0].set_ylabel(_short(unit, 30), fontsize=9)
    for ax in axes[0]:
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    handles, names = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, names, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=9)
    fig.suptitle(f"Positions over rounds: {issue_name}", x=0.02, ha="left", fontsize=11)
    fig.tight_layout()
    return to_svg(fig)


def heatmap(
    matrix: np.ndarray,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    title: str,
    cbar_label: str,
    *,
    cmap: str = "RdYlGn",
    center_zero: bool = True,
    annotate: bool = True,
) -> str:
    """A labelled heat map (rows × columns)."""
    m = np.asarray(matrix, dtype=float)
    long_cols = max((len(c) for c in col_labels), default=0) > 8
    h = min(max(2.4, 0.9 + 0.42 * len(row_labels)) + (1.4 if long_cols else 0.0), 10.0)
    fig, ax = plt.subplots(figsize=(WIDTH, h))
    lim = float(np.nanmax(np.abs(m))) if m.size and np.isfinite(m).any() else 1.0
    lim = lim or 1.0
    kw: dict[str, Any] = {"vmin": -lim, "vmax": lim} if center_zero else {}
    im = ax.imshow(m, aspect="auto", cmap=cmap, **kw)
    ax.set_xticks(
        range(len(col_labels)),
        [_short(c, 30) for c in col_labels],
        rotation=30 if long_cols else 0,
        ha="right" if long_cols else "center",
    )
    ax.set_yticks(range(len(row_labels)), [_short(r, 60) for r in row_labels], fontsize=8.5)
    if annotate and m.size <= 400:
        for (r, c), v in np.ndenumerate(m):
            if np.isfinite(v):
                dark = not center_zero and abs(v) > 0.6 * lim
                ax.text(
                    c,
                    r,
                    f"{v:+.2f}",
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color="white" if dark else "#111111",
                )
    cb = fig.colorbar(im, ax=ax, fraction=0.035, pad=0.02)
    cb.set_label(cbar_label)
    ax.set_title(title, loc="left")
    ax.spines[:].set_visible(False)
    fig.tight_layout()
    return to_svg(fig)


def lines(
    x: np.ndarray,
    series: dict[str, np.ndarray],
    title: str,
    xlabel: str,
    ylabel: str,
    *,
    colors: dict[str, str] | None = None,
    ylim: tuple[float, float] | None = None,
    step: bool = False,
    yticks: tuple[list[float], list[str]] | None = None,
) -> str:
    """Several named curves against one x axis."""
    fig, ax = plt.subplots(figsize=(WIDTH, 3.4))
    for k, (name, y) in enumerate(series.items()):
        c = (colors or {}).get(name, f"C{k}")
        if step:
            ax.step(x, y, where="mid", color=c, lw=2, label=name)
        else:
            ax.plot(x, y, color=c, lw=2, marker="o", ms=3, label=name)
    ax.set_title(title, loc="left")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if ylim:
        ax.set_ylim(*ylim)
    if yticks:
        ax.set_yticks(*yticks)
    ax.grid(alpha=0.25)
    if len(series) > 1:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False, fontsize=9, ncol=2)
    fig.tight_layout()
    return to_svg(fig)


def hbars(
    labels: Sequence[str],
    low: np.ndarray,
    high: np.ndarray,
    base: float,
    title: str,
    xlabel: str,
) -> str:
    """A tornado chart: for each input, the outcome at its low and high value around the base outcome."""
    n = len(labels)
    fig, ax = plt.subplots(figsize=(WIDTH, min(1.0 + 0.3 * n, 8.0)))
    ys = np.arange(n)[::-1]
    for y, lo, hi in zip(ys, low, high, strict=True):
        # the longer bar first, so that a shorter one on the same side stays visible on top of it
        pairs = sorted([(lo, "#0072B2"), (hi, "#D55E00")], key=lambda v: -abs(v[0] - base))
        for k, (v, col) in enumerate(pairs):
            ax.barh(y, v - base, left=base, color=col, height=0.8 if k == 0 else 0.45)
    ax.axvline(base, color="#333333", lw=1)
    ax.set_yticks(ys, [_short(s, 48) for s in labels], fontsize=8.5)
    ax.set_xlabel(xlabel)
    ax.set_title(title, loc="left")
    handles = [
        Patch(color="#0072B2", label="input at low end"),
        Patch(color="#D55E00", label="input at high end"),
    ]
    ax.legend(handles=handles, loc="lower right", frameon=False, fontsize=8.5)
    fig.tight_layout()
    return to_svg(fig)


def bars(labels: Sequence[str], values: dict[str, np.ndarray], title: str, ylabel: str) -> str:
    """Grouped vertical bars (e.g. Sobol first-order and total indices per input)."""
    n = len(labels)
    k = len(values)
    fig, ax = plt.subplots(figsize=(WIDTH, 3.6))
    xs = np.arange(n)
    w = 0.8 / max(k, 1)
    for j, (name, v) in enumerate(values.items()):
        ax.bar(xs + (j - (k - 1) / 2) * w, v, width=w, label=name, color=f"C{j}")
    ax.set_xticks(xs, [_short(s, 26) for s in labels], rotation=30, ha="right", fontsize=8.5)
    ax.set_ylabel(ylabel)
    ax.set_title(title, loc="left")
    ax.legend(frameon=False, fontsize=9)
    ax.grid(axis="y", alpha=0.25)
    fig.tight_layout()
    return to_svg(fig)


def distributions(
    issues: Sequence[tuple[str, tuple[float, float], dict[float, str]]],
    samples: dict[str, np.ndarray] | None,
    quantiles: dict[str, dict[str, float]],
    point: dict[str, float] | None,
    title: str,
) -> str:
    """Per issue, the Monte Carlo outcome distribution (histogram if samples, else quantile box)."""
    n = len(issues)
    cols = min(n, 2)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(WIDTH, 2.6 * rows), squeeze=False)
    for k, (iid, bounds, labels) in enumerate(issues):
        ax = axes[k // cols][k % cols]
        q = quantiles.get(iid, {})
        if samples is not None and iid in samples:
            ax.hist(samples[iid], bins=40, range=bounds, color="#56B4E9", edgecolor="white")
        else:
            lo, hi = q.get("5", bounds[0]), q.get("95", bounds[1])
            ax.axvspan(lo, hi, color="#56B4E9", alpha=0.35, label="5–95%")
        if "10" in q and "90" in q:
            ax.axvspan(q["10"], q["90"], color="#0072B2", alpha=0.18, label="80% interval")
        if "50" in q:
            ax.axvline(q["50"], color="#0072B2", lw=2, label="median")
        if point and iid in point:
            ax.axvline(point[iid], color="#D55E00", lw=1.5, ls="--", label="point forecast")
        ax.set_xlim(*bounds)
        label_ticks(ax, labels, bounds, axis="x")
        ax.set_title(iid, loc="left")
        ax.set_yticks([])
        if k == 0:
            ax.legend(frameon=False, fontsize=8)
    for k in range(n, rows * cols):
        axes[k // cols][k % cols].axis("off")
    fig.suptitle(title, x=0.02, ha="left", fontsize=11)
    fig.tight_layout()
    return to_svg(fig)


def utility_plane(
    gains: np.ndarray,
    feasible: np.ndarray,
    frontier: np.ndarray,
    marks: dict[str, tuple[float, float]],
    names: tuple[str, str],
    title: str,
) -> str:
    """Two parties' utility gains over the status quo: all packages, feasible ones, the frontier."""
    fig, ax = plt.subplots(figsize=(WIDTH * 0.75, 4.6))
    g = np.asarray(gains)
    if len(g) > 20000:
        idx = np.linspace(0, len(g) - 1, 20000).astype(int)
        g_all, f_all = g[idx], np.asarray(feasible)[idx]
    else:
        g_all, f_all = g, np.asarray(feasible)
    ax.scatter(
        g_all[~f_all, 0], g_all[~f_all, 1], s=4, color="#BBBBBB", label="not feasible", rasterized=False
    )
    ax.scatter(g_all[f_all, 0], g_all[f_all, 1], s=6, color="#56B4E9", label="feasible")
    if len(frontier):
        fr = np.asarray(frontier)
        order = np.argsort(fr[:, 0])
        ax.plot(fr[order, 0], fr[order, 1], color="#0072B2", lw=2, marker="o", ms=3, label="Pareto frontier")
    styles = {"status quo": ("#000000", "s"), "Nash": ("#D55E00", "*"), "Kalai–Smorodinsky": ("#009E73", "D")}
    others = [("#CC79A7", "^"), ("#E69F00", "v"), ("#7F7F7F", "P"), ("#8C564B", "X")]
    k = 0
    for name, (x, y) in marks.items():
        if name in styles:
            c, m = styles[name]
        else:
            c, m = others[k % len(others)]
            k += 1
        ax.scatter([x], [y], s=120 if m == "*" else 60, color=c, marker=m, zorder=5, label=name)
    ax.axhline(0, color="#777777", lw=0.8)
    ax.axvline(0, color="#777777", lw=0.8)
    ax.set_xlabel(f"gain for {names[0]} (utility over the status quo)")
    ax.set_ylabel(f"gain for {names[1]}")
    ax.set_title(title, loc="left")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=9)
    fig.tight_layout()
    return to_svg(fig)
