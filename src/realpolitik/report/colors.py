"""One colour per actor, the same in every figure and table of a report."""

from __future__ import annotations

# Okabe–Ito (colour-blind safe) first, then a Tableau-like extension for larger cases.
PALETTE = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000",
    "#8C564B", "#7F7F7F", "#BCBD22", "#17BECF", "#9467BD", "#FF9896", "#AEC7E8", "#98DF8A",
    "#C49C94", "#F7B6D2", "#DBDB8D", "#9EDAE5",
)  # fmt: skip


def actor_colors(actor_ids: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Colours by position in the scenario's actor list (cycling beyond the palette)."""
    return {a: PALETTE[i % len(PALETTE)] for i, a in enumerate(actor_ids)}
