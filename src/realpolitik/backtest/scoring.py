"""Scores and naive baselines, on arrays (batch axes allowed).

**Error.** The absolute error of a forecast as a share of its issue's range, ``|f - y| / (upper - lower)``:
0 is a hit, 1 the width of the whole scale.

**CRPS.** The continuous ranked probability score of a sample ``x_1..x_n`` (Monte Carlo draws) for an
outcome ``y`` is the CRPS of the sample's empirical distribution, in its kernel form (Gneiting & Raftery
2007, "Strictly proper scoring rules, prediction, and estimation", JASA 102(477), section 4.2)::

    CRPS = mean_i |x_i - y| - 1/(2 n^2) sum_i sum_j |x_i - x_j|

It is in the units of the issue (``crps_ensemble`` divides by the range when asked, as the error does);
for a single draw it is the absolute error. The double sum is computed from the sorted sample:
``sum_i sum_j |x_i - x_j| = 2 sum_k (2k - n - 1) x_(k)``.

>>> float(crps_ensemble([0.0, 1.0], 0.25))       # = 0.5 - 0.25: the integral of (F - 1{z >= y})^2
0.25
>>> float(crps_ensemble([3.0], 1.0))              # one draw: the absolute error
2.0

**Baselines.** Four forecasts that need no model: the status quo; the plain mean of the positions of the
actors present; the capability-weighted mean; and the capability×salience-weighted median, the actor
position that minimises the weighted sum of distances to every position (the expected-utility model's
starting median; at an exact tie the lowest such position).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from realpolitik.models.problem import BargainingProblem

BASELINES: tuple[str, ...] = ("status_quo", "mean", "capability_mean", "weighted_median")
BASELINE_LABELS: dict[str, str] = {
    "status_quo": "status quo",
    "mean": "mean",
    "capability_mean": "cap. mean",
    "weighted_median": "c·s median",
}
BASELINE_WORDS: dict[str, str] = {
    "status_quo": "the status quo",
    "mean": "the plain mean of the positions",
    "capability_mean": "the capability-weighted mean",
    "weighted_median": "the capability×salience-weighted median",
}


def range_error(
    forecast: np.ndarray | float,
    outcome: np.ndarray | float,
    lower: np.ndarray | float,
    upper: np.ndarray | float,
) -> np.ndarray:
    """``|forecast - outcome| / (upper - lower)`` elementwise (NaN where the forecast is NaN)."""
    f = np.asarray(forecast, dtype=float)
    y = np.asarray(outcome, dtype=float)
    return np.abs(f - y) / (np.asarray(upper, dtype=float) - np.asarray(lower, dtype=float))


def crps_ensemble(draws: Sequence[float] | np.ndarray, outcome: np.ndarray | float) -> np.ndarray:
    """CRPS of the empirical distribution of ``draws`` ``(..., n)`` for ``outcome`` ``(...)``.

    Non-finite draws are left out per row; a row without a finite draw scores NaN.
    """
    x = np.asarray(draws, dtype=float)
    y = np.asarray(outcome, dtype=float)
    if x.ndim == 0:
        x = x[None]
    finite = np.isfinite(x)
    if finite.all():
        n = x.shape[-1]
        xs = np.sort(x, axis=-1)
        first = np.abs(x - y[..., None]).mean(axis=-1)
        k = np.arange(1, n + 1, dtype=float)
        pair = 2.0 * ((2.0 * k - n - 1.0) * xs).sum(axis=-1) / (n * n)
        return np.asarray(first - 0.5 * pair)
    flat_x = x.reshape(-1, x.shape[-1])
    flat_y = np.broadcast_to(y, x.shape[:-1]).reshape(-1)
    out = np.full(flat_x.shape[0], np.nan)
    for r in range(flat_x.shape[0]):
        row = flat_x[r][np.isfinite(flat_x[r])]
        if row.size:
            out[r] = float(crps_ensemble(row, flat_y[r]))
    return out.reshape(x.shape[:-1])


def baselines(problem: BargainingProblem) -> dict[str, np.ndarray]:
    """The four naive forecasts ``(..., D)`` of a problem (batched or not); see the module docstring.

    Capability on an issue is the problem's per-issue power (``issue_power``) where given. Degenerate
    weights fall back step by step: a capability-weighted mean with every capability zero is the plain
    mean; a weighted median with every weight zero is the capability-weighted median, then the plain one.
    """
    p = problem.broadcast()
    x = np.asarray(p.position, dtype=float)
    present = np.ones(x.shape[-2:], dtype=bool) if p.present is None else np.asarray(p.present)
    pres = np.broadcast_to(present, x.shape)
    c = np.where(pres, np.asarray(p.power, dtype=float), 0.0)
    s = np.where(pres, np.asarray(p.salience, dtype=float), 0.0)
    n = np.maximum(pres.sum(axis=-2), 1)
    mean = np.where(pres, x, 0.0).sum(axis=-2) / n
    cw = c.sum(axis=-2)
    with np.errstate(invalid="ignore", divide="ignore"):
        cmean = np.where(cw > 0, (c * x).sum(axis=-2) / np.where(cw > 0, cw, 1.0), mean)
    w = c * s
    w = np.where(w.sum(axis=-2, keepdims=True) > 0, w, c)
    w = np.where(w.sum(axis=-2, keepdims=True) > 0, w, pres.astype(float))
    return {
        "status_quo": np.broadcast_to(np.asarray(p.status_quo, dtype=float), mean.shape).copy(),
        "mean": mean,
        "capability_mean": cmean,
        "weighted_median": weighted_median(x, w),
    }


def weighted_median(x: np.ndarray, w: np.ndarray, axis: int = -2) -> np.ndarray:
    """The lowest value of ``x`` at which the cumulative weight (ascending ``x``) reaches half the total:
    the point of ``x`` minimising ``sum_i w_i |x_i - m|``. Weights of 0 (absent actors) never count.

    >>> float(weighted_median(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 3.0]), axis=0))
    3.0
    >>> float(weighted_median(np.array([1.0, 2.0, 3.0, 4.0]), np.ones(4), axis=0))  # tie: the lowest
    2.0
    """
    xa = np.moveaxis(np.asarray(x, dtype=float), axis, -1)
    wa = np.moveaxis(np.broadcast_to(np.asarray(w, dtype=float), np.shape(x)), axis, -1)
    order = np.argsort(np.where(wa > 0, xa, np.inf), axis=-1, kind="stable")
    xs = np.take_along_axis(xa, order, axis=-1)
    ws = np.take_along_axis(wa, order, axis=-1)
    cum = np.cumsum(ws, axis=-1)
    total = cum[..., -1:]
    k = np.argmax(cum >= total * (0.5 - 1e-12), axis=-1)
    return np.take_along_axis(xs, k[..., None], axis=-1)[..., 0]
