"""A figure of one event measure over time for some dyads (matplotlib; SVG for the report)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from realpolitik.events.series import DyadSeries


def plot_measure(ds: DyadSeries, measure: str, out: str | Path) -> Path:
    """Line per dyad; gaps where the measure is missing (no events, or not covered)."""
    if not any(r[measure] is not None for r in ds.rows):
        raise ValueError(f"no {measure.replace('_', ' ')} to plot for these dyads in {ds.db}")
    fig, ax = plt.subplots(figsize=(8, 3.6), dpi=100)
    arrow = "→" if ds.directed else "–"
    for dy in ds.dyads():
        vals = ds.values(dy, measure)
        xs: list = [v[0] for v in vals]
        ys = [float("nan") if v[3] is None else v[3] for v in vals]
        ax.plot(xs, ys, marker="." if len(xs) < 60 else None, lw=1.4, label=f"{dy[0]}{arrow}{dy[1]}")
    ax.set_ylabel(measure.replace("_", " ") + (" (mentions)" if ds.weighted else ""))
    ax.set_title(f"{measure.replace('_', ' ')} per {ds.period} ({', '.join(ds.datasets)})", fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=4, frameon=False)
    fig.tight_layout()
    p = Path(out)
    fig.savefig(p, format="png" if p.suffix.lower() == ".png" else "svg", bbox_inches="tight")
    plt.close(fig)
    return p
