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


def error_figure(b: Backtest, title: str | None = None) -> str:
    """SVG text (no XML prologue, ready to inline): per group of cases (clean, leaky; only those with
    cases), a horizontal bar per model and baseline of its mean error as % of the issue's range, a dot
    at its median, and a dashed line at the best baseline's mean, so a model left of the line beats
    every naive forecast. The number of issues behind each bar is printed beside it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summary = b.summary()
    groups = [g for g in GROUPS if b.group_rows(g)]
    names = list(b.predictors)
    with plt.rc_context(RC):  # type: ignore[arg-type]
        fig, axes = plt.subplots(
            1,
            max(1, len(groups)),
            figsize=(4.6 * max(1, len(groups)), 0.42 * len(names) + 1.4),
            squeeze=False,
            sharey=True,
        )
        if not groups:
            ax = axes[0][0]
            ax.text(
                0.5, 0.5, "no issue with a recorded outcome", ha="center", va="center", transform=ax.transAxes
            )
            ax.set_axis_off()
        for ax, g in zip(axes[0], groups, strict=False):
            _panel(ax, b, summary[g], g, names)
        axes[0][0].set_yticks(range(len(names)), [_label(b, n) for n in names])
        if title:
            fig.suptitle(title, x=0.01, ha="left")
        fig.tight_layout()
        return to_svg(fig)


def _label(b: Backtest, name: str) -> str:
    return name if name in b.models else f"{BASELINE_LABELS.get(name, name)} (baseline)"


def _panel(ax: Any, b: Backtest, summary: dict[str, Any], group: str, names: list[str]) -> None:
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
        ax.text(right + 0.03 * top, y, f"{100 * mean:.1f} (n={summary[name].n})", va="center", fontsize=8.5)
    base = [(summary[n].mean_error, n) for n in b.baselines if summary[n].mean_error is not None]
    if base:
        best, who = min(base)
        ax.axvline(100 * best, color=BEST_COLOR, linestyle="--", linewidth=1.1)
        ax.text(
            100 * best + 0.01 * top,
            len(names) - 0.5,
            f"best baseline ({BASELINE_LABELS.get(who, who)})",
            color=BEST_COLOR,
            fontsize=8.5,
            ha="left",
            va="top",
        )
    ax.set_xlim(0, top * 1.35)
    ax.set_ylim(len(names) - 0.1, -0.6)
    ax.set_xlabel("mean error, % of the issue's range (dot: median)")
    n_issues = len(b.group_rows(group))
    ax.set_title(
        f"{group} cases ({n_cases} case{'s' if n_cases != 1 else ''}, "
        f"{n_issues} issue{'s' if n_issues != 1 else ''})",
        loc="left",
    )
