"""Colour-blind-safe colours, the same in every figure and table of a report.

Actors: Okabe & Ito's eight colours (safe for the common colour-vision deficiencies), then Paul Tol's
"muted" set for larger cases. No red–green pair carries meaning anywhere: gains and losses are blue and
orange; low and high ends of an input range are blue and vermilion (which differ in lightness too).
"""

from __future__ import annotations

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
TOL_MUTED = (
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
    "#AA4499",
)
PALETTE = OKABE_ITO + TOL_MUTED

INK = "#1d2430"
MUTED = "#5b6472"
RULE = "#d9dde3"
BLUE = "#0072B2"
ORANGE = "#E69F00"
VERMILION = "#D55E00"
SKY = "#56B4E9"
GREY = "#8a8f98"

#: Diverging scale for gains (blue) and losses (orange), white at zero.
DIVERGING = ((0.0, "#b35806"), (0.25, "#f1a340"), (0.5, "#f7f7f7"), (0.75, "#67a9cf"), (1.0, "#0b5394"))
#: Sequential scale for shares (Sobol indices), white to blue.
SEQUENTIAL = ((0.0, "#f7fbff"), (0.5, "#6baed6"), (1.0, "#08306b"))


def actor_colors(actor_ids: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Colours by position in the scenario's actor list (cycling beyond the palette)."""
    return {a: PALETTE[i % len(PALETTE)] for i, a in enumerate(actor_ids)}


def text_on(hex_colour: str) -> str:
    """Black or white, whichever reads better on ``hex_colour`` (WCAG relative luminance)."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[k : k + 2], 16) / 255.0 for k in (0, 2, 4))

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    return "#111111" if lum > 0.3 else "#ffffff"
