"""Numbers the report derives from results: modes of a distribution, tornado swings, tidy Sobol rows.

Pure functions on arrays and the parts' documented JSON; no plotting, no text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Mode:
    """A peak of an outcome distribution and the share of draws in its basin."""

    value: float
    share: float
    low: float  # the basin's edges: the valleys on either side, or the bounds
    high: float

    def to_json(self) -> dict[str, float]:
        return {"value": self.value, "share": self.share, "low": self.low, "high": self.high}


def modes(
    samples: np.ndarray,
    bounds: tuple[float, float],
    *,
    bins: int | None = None,
    min_share: float = 0.08,
    dip: float = 0.5,
) -> list[Mode]:
    """The modes of ``samples`` on ``bounds``, largest share first.

    A histogram over the issue's range (``bins``: by default one bin per 20 draws, between 10 and 50),
    lightly smoothed, is split at every valley
    that falls below ``dip`` times the lower of its two neighbouring peaks; basins holding less than
    ``min_share`` of the draws are merged into their neighbour. One mode means a unimodal distribution
    (the median and an interval describe it); two or more mean the model lands in distinct places
    and the median may fall where almost no draw lands.
    """
    x = np.asarray(samples, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return []
    lo, hi = float(bounds[0]), float(bounds[1])
    if not hi > lo or np.ptp(x) <= 1e-9 * (hi - lo):
        v = float(np.median(x))
        return [Mode(v, 1.0, float(x.min()), float(x.max()))]
    if bins is None:
        bins = int(min(50, max(10, x.size // 20)))
    counts, edges = np.histogram(np.clip(x, lo, hi), bins=bins, range=(lo, hi))
    kernel = np.array([1.0, 2.0, 1.0]) / 4.0
    smooth = np.convolve(np.pad(counts.astype(float), 1, mode="edge"), kernel, mode="valid")
    # local maxima (plateaus count once, at their first bin)
    peaks = [
        i
        for i in range(bins)
        if smooth[i] > 0
        and (i == 0 or smooth[i] > smooth[i - 1])
        and (i == bins - 1 or smooth[i] >= smooth[i + 1])
    ]
    # merge neighbouring peaks whose valley is not deep enough
    kept = [peaks[0]]
    for p in peaks[1:]:
        q = kept[-1]
        valley = smooth[q : p + 1].min()
        if valley > dip * min(smooth[q], smooth[p]):
            if smooth[p] > smooth[q]:
                kept[-1] = p
        else:
            kept.append(p)
    cuts = [int(kept[k] + np.argmin(smooth[kept[k] : kept[k + 1] + 1])) for k in range(len(kept) - 1)]
    cut_values = [float(edges[c] + edges[c + 1]) / 2.0 for c in cuts]
    # drop basins that hold too few draws (merge into the neighbour with the deeper valley side)
    while True:
        walls = [-np.inf, *cut_values, np.inf]
        shares = [float(np.mean((x >= walls[k]) & (x < walls[k + 1]))) for k in range(len(walls) - 1)]
        small = [k for k, s in enumerate(shares) if s < min_share]
        if not small or len(shares) == 1:
            break
        k = min(small, key=lambda k: shares[k])
        del kept[k]
        del cut_values[min(k, len(cut_values) - 1)]
    walls = [-np.inf, *cut_values, np.inf]
    out = []
    for k, p in enumerate(kept):
        inside = x[(x >= walls[k]) & (x < walls[k + 1])]
        if inside.size == 0:
            continue
        centre = float((edges[p] + edges[p + 1]) / 2.0)
        low = lo if k == 0 else walls[k]
        high = hi if k == len(kept) - 1 else walls[k + 1]
        out.append(Mode(centre, inside.size / x.size, float(low), float(high)))
    return sorted(out, key=lambda m: -m.share)


def multimodal(ms: list[Mode] | list[dict[str, float]] | None) -> bool:
    return ms is not None and len(ms) >= 2


def tornado_rows(t: dict[str, Any], top: int = 12) -> list[dict[str, Any]]:
    """One issue's tornado bars ranked by total swing, with zero-swing inputs left out.

    The total swing of an input is the full width the outcome covers as it goes from the low end to the
    high end of its range, the baseline included: ``max(low, high, base) - min(low, high, base)``. When
    both ends move the outcome the same way, ``|high - low|`` would understate it.
    """
    base = float(t["base"])
    rows = []
    for b in t["bars"]:
        lo, hi = float(b["low"]), float(b["high"])
        total = max(lo, hi, base) - min(lo, hi, base)
        if total > 0:
            rows.append({**b, "total_swing": total})
    rows.sort(key=lambda r: -r["total_swing"])
    return rows[:top]


def sobol_rows(rows: list[dict[str, Any]], tol: float = 1e-12) -> list[dict[str, Any]]:
    """One issue's Sobol rows, largest total index first, without factors whose indices are all zero.

    Each row gets ``note``: ``""`` for an estimate inside [0, 1], else why it is not a share.
    """
    out = []
    for r in rows:
        vals = [r.get(k) for k in ("S1", "ST", "S1_conf", "ST_conf")]
        if all(v is not None and abs(v) <= tol for v in vals):
            continue
        notes = []
        for k in ("S1", "ST"):
            v = r.get(k)
            if v is not None and (v < 0 or v > 1):
                notes.append(
                    f"{k} {v:.2f} lies outside [0, 1]: a sampling error of the estimate (± {r.get(k + '_conf') or 0:.2f}), "
                    "not a share"
                )
        out.append({**r, "note": "; ".join(notes)})
    out.sort(key=lambda r: -float(r["ST"]) if r.get("ST") is not None else 1.0)
    return out
