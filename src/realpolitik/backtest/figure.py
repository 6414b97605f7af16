"""A figure of a backtest: mean error per model beside the naive baselines, clean and leaky cases apart.

matplotlib is imported when the figure is drawn, never on ``import realpolitik.backtest``.
"""

from __future__ import annotations

from typing import Any

from realpolitik._svg import RC, to_svg
from realpolitik.backtest.run import GROUPS, Backtest
from realpolitik.backtest.scoring import BASELINE_LABELS

MODEL_COLOR = "#3b6ea8"
BASELINE_COLOR = "#9a9a9a"
BEST_COLOR = "#c0392b"
INK = "#1f2933"

# The report's figure style (realpolitik._svg.RC) with the report's text sizes and ink, so this figure
# reads like the others beside it.
_RC: dict[str, Any] = {
    **RC,
    "text.parse_math": False,
    "axes.titlesize": 10,
    "axes.labelsize": 9.5,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "axes.edgecolor": "#9aa1ab",
    "text.color": INK,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
}

#: Width of the whole figure with two panels (clean and leaky cases), in inches: the report's figure
#: width, so the text comes out at the same size as in the report's other figures.
WIDTH = 7.5
#: Width of one panel's plotting area, and of the predictor labels on the left, in inches.
PANEL = 3.0
LABELS = 1.1


def error_figure(b: Backtest, title: str | None = None, highlight: str | None = None) -> str:
    """SVG text (no XML prologue, ready to inline): per group of cases (clean, leaky; only those with
    cases), a horizontal bar per model and baseline of its mean error as % of the issue's range, a dot
    at its median, and a dashed line at the best baseline's mean, so a model left of the line beats
    every naive forecast. Each bar's value (and the number of issues behind it) is printed right of the
    bar and its dot. ``title`` is drawn above the panels when given (the report gives its own heading);
    ``highlight`` names a model marked ★ (the report's headline model)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    summary = b.summary()
    groups = [g for g in GROUPS if b.group_rows(g)]
    names = list(b.predictors)
    n_panels = max(1, len(groups))
    with plt.rc_context(_RC):  # type: ignore[arg-type]
        fig, axes = plt.subplots(
            1,
            n_panels,
            figsize=(min(WIDTH, LABELS + PANEL * n_panels + 0.4 * (n_panels - 1)), 0.3 * len(names) + 1.5),
            squeeze=False,
            sharey=True,
        )
        if not groups:
            ax = axes[0][0]
            ax.text(
                0.5, 0.5, "no issue with a recorded outcome", ha="center", va="center", transform=ax.transAxes
            )
            ax.set_axis_off()
        best_words = None
        for ax, g in zip(axes[0], groups, strict=False):
            best_words = _panel(ax, b, summary[g], g, names) or best_words
        axes[0][0].set_yticks(
            range(len(names)), [_label(b, n) + (" ★" if n == highlight else "") for n in names]
        )
        handles = [
            Patch(color=MODEL_COLOR, label="model"),
            Patch(color=BASELINE_COLOR, label="naive baseline"),
            Line2D([], [], marker="o", ls="", color="#222222", markersize=3.5, label="median"),
        ]
        if best_words:
            handles.append(
                Line2D([], [], color=BEST_COLOR, ls="--", lw=1.1, label=f"best baseline: {best_words}")
            )
        axes[0][0].legend(
            handles=handles,
            loc="lower left",
            bbox_to_anchor=(0.0, 1.08),
            frameon=False,
            fontsize=8.5,
            ncol=2,
            borderaxespad=0.0,
            handlelength=1.4,
            columnspacing=1.0,
        )
        if title:
            fig.suptitle(title, x=0.01, ha="left", fontsize=10)
        fig.tight_layout()
        return to_svg(fig)


def _label(b: Backtest, name: str) -> str:
    """A model by its name, a baseline by its short label (grey bars; the legend says what they are)."""
    return name if name in b.models else BASELINE_LABELS.get(name, name)


def _panel(ax: Any, b: Backtest, summary: dict[str, Any], group: str, names: list[str]) -> str | None:
    """One group's bars; returns the best baseline in words (for the legend), or None."""
    n_cases = len({r.case for r in b.group_rows(group)})
    means = [summary[n].mean_error for n in names]
    medians = [summary[n].median_error for n in names]
    top = max([100 * m for m in means + medians if m is not None] + [1.0])
    for y, (name, mean, med) in enumerate(zip(names, means, medians, strict=True)):
        if mean is None:
            ax.text(0.5, y, "no forecast", va="center", fontsize=8.5, color="#666666")
            continue
        color = MODEL_COLOR if name in b.models else BASELINE_COLOR
        ax.barh(y, 100 * mean, color=color, height=0.62)
        if med is not None:
            ax.plot([100 * med], [y], "o", color="#222222", markersize=3.5)
        right = max(100 * mean, 100 * med if med is not None else 0.0)
        # the value starts a fixed distance (in points) right of the bar's end and of its dot
        ax.annotate(
            f"{100 * mean:.1f} (n={summary[name].n})",
            (right, y),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=8.5,
            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"},
            zorder=4,
        )
    base = [(summary[n].mean_error, n) for n in b.baselines if summary[n].mean_error is not None]
    best_words = None
    if base:
        best, who = min(base)
        ax.axvline(100 * best, color=BEST_COLOR, linestyle="--", linewidth=1.1, zorder=3)
        best_words = f"{BASELINE_LABELS.get(who, who)} ({100 * best:.1f})"
    ax.set_xlim(0, top * 1.45)
    ax.set_ylim(len(names) - 0.4, -0.6)
    ax.set_xlabel("mean error, % of the issue's range")
    n_issues = len(b.group_rows(group))
    ax.set_title(
        f"{group} cases ({n_cases} case{'s' if n_cases != 1 else ''}, "
        f"{n_issues} issue{'s' if n_issues != 1 else ''})",
        loc="left",
    )
    return best_words
