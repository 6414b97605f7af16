"""A matplotlib figure as SVG text: no XML prologue (ready to inline), no date, so the same figure gives
the same bytes. Shared by the report's static figures and the backtest figure."""

from __future__ import annotations

import io
from typing import Any

RC: dict[str, Any] = {
    "svg.fonttype": "none",  # text stays text
    "svg.hashsalt": "realpolitik",  # stable ids: the same figure, the same bytes
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 96,
}
"""The matplotlib settings every figure shares."""


def to_svg(fig: Any) -> str:
    """The figure as SVG text; the figure is closed."""
    import matplotlib.pyplot as plt  # only where a figure was drawn, so pyplot is loaded already

    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": "realpolitik"})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.find("<svg") :]
