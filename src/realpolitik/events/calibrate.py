"""Estimate a link's base and gain from two dyadic event series (``realpolitik events calibrate``).

The regression, per period ``t`` in the window (periods where either series is missing are dropped)::

    y_t = a + b · x_t + e_t

``x`` is the driver measure (e.g. China's conflict share toward Japan) mapped onto [0, 1] by its scale,
``y`` the response measure (e.g. Japan's cooperation share toward Russia) mapped by its scale onto the
linked parameter's units. Ordinary least squares (statsmodels) with Newey–West (HAC) standard errors,
because event series are autocorrelated; lags = floor(4 · (n/100)^(2/9)). The link becomes
``parameter = base + gain · driver`` with ``base = a``, ``gain = b`` and their confidence intervals as
``range``, so Monte Carlo carries the estimation uncertainty. A slope whose interval contains 0 is
reported as not significant, in the output and in the link's note.

Reading the response as the parameter (a salience, say) is a measurement assumption the analyst makes
by choosing the response measure and its scale; the output says which measures and scales were used.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from realpolitik.events.series import MEASURES, EventSeriesError, dyads, parse_dyad
from realpolitik.events.store import Store, require
from realpolitik.scenario.schema import EventSeries, Indicator, Quantity, Scenario, Source


@dataclass(frozen=True)
class SeriesSpec:
    """``SOURCE-TARGET:measure`` with a scale (low, high) mapped onto [0, 1]."""

    dyad: tuple[str, str]
    measure: str
    scale: tuple[float, float] = (0.0, 1.0)

    @classmethod
    def parse(cls, text: str, scale: tuple[float, float] | None = None) -> SeriesSpec:
        if ":" not in text:
            raise EventSeriesError(f"expected DYAD:MEASURE like CHN-JPN:conflict_share, got {text!r}")
        d, m = text.split(":", 1)
        if m not in MEASURES:
            raise EventSeriesError(
                f"unknown measure {m!r} in {text!r}; expected one of {', '.join(MEASURES)}"
            )
        if scale is None:
            if not m.endswith("_share"):
                raise EventSeriesError(f"{text}: a count or Goldstein measure needs a scale (low,high)")
            scale = (0.0, 1.0)
        if not scale[0] < scale[1]:
            raise EventSeriesError(f"{text}: scale needs low < high, got {scale}")
        return cls(parse_dyad(d), m, (float(scale[0]), float(scale[1])))

    def label(self) -> str:
        return f"{self.dyad[0]}-{self.dyad[1]}:{self.measure}"


@dataclass
class Calibration:
    """The fit and what it writes into the scenario."""

    link: int
    target: str
    driver: str
    response: str
    period: str
    window: tuple[str, str]
    n: int
    a: float
    b: float
    a_ci: tuple[float, float]
    b_ci: tuple[float, float]
    b_se: float
    b_p: float
    r2: float
    level: float
    significant: bool
    lags: int
    datasets: list[str]
    indicator: str
    source_key: str
    driver_scale: tuple[float, float]
    response_scale: tuple[float, float]

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["method"] = "OLS, Newey-West (HAC) standard errors"
        return d

    def sentence(self) -> str:
        sig = "significant" if self.significant else "NOT significant"
        lo, hi = self.b_ci
        return (
            f"{self.response} on {self.driver}, {self.period}ly {self.window[0]}..{self.window[1]} (n={self.n}): "
            f"gain {self.b:.3f} [{lo:.3f}, {hi:.3f}] ({self.level:.0%} CI, p={self.b_p:.3g}, {sig} at "
            f"{1 - self.level:.0%}), base {self.a:.3f} [{self.a_ci[0]:.3f}, {self.a_ci[1]:.3f}], R²={self.r2:.2f}"
        )


def fit(x: Sequence[float], y: Sequence[float], *, level: float = 0.95) -> dict[str, Any]:
    """OLS of ``y`` on ``x`` with Newey–West standard errors: estimates, intervals, p-value, R², lags."""
    import statsmodels.api as sm

    xa, ya = np.asarray(x, float), np.asarray(y, float)
    n = len(xa)
    if n < 4:
        raise EventSeriesError(f"need at least 4 periods with both series, got {n}")
    if np.ptp(xa) == 0:
        raise EventSeriesError("the driver series does not vary in the window; nothing to estimate")
    lags = math.floor(4 * (n / 100) ** (2 / 9))
    res = sm.OLS(ya, sm.add_constant(xa)).fit(cov_type="HAC", cov_kwds={"maxlags": lags})
    ci = res.conf_int(alpha=1 - level)
    return {
        "a": float(res.params[0]),
        "b": float(res.params[1]),
        "a_ci": (float(ci[0][0]), float(ci[0][1])),
        "b_ci": (float(ci[1][0]), float(ci[1][1])),
        "b_se": float(res.bse[1]),
        "b_p": float(res.pvalues[1]),
        "r2": float(res.rsquared),
        "n": n,
        "lags": lags,
    }


def calibrate(
    scenario: Scenario,
    db: str | Path,
    *,
    link: str,
    driver: SeriesSpec,
    response: SeriesSpec,
    period: str = "month",
    start: str | None = None,
    end: str | None = None,
    datasets: Sequence[str] | None = None,
    level: float = 0.95,
    indicator: str | None = None,
    db_ref: str | None = None,
) -> tuple[Scenario, Calibration]:
    """Fit ``response`` on ``driver`` and write the link (by target text or index) into a copy of ``scenario``.

    The copy gets an indicator reading the driver series (``indicator``, default ``events_<dyad>_<measure>``),
    the link's driver set to it, base and gain with their confidence intervals as ranges, and a source
    naming the store, data sets, dyads, measures and window. ``db_ref`` is how the scenario should name the
    store (default: ``db`` as given).
    """
    require("calibration")
    links = scenario.environment.links
    idx = _find_link(links, link)
    ds = dyads(db, pairs=[driver.dyad, response.dyad], period=period, datasets=datasets, start=start, end=end)
    xs = {r[2]: r[3] for r in ds.values(driver.dyad, driver.measure)}
    ys = {r[2]: r[3] for r in ds.values(response.dyad, response.measure)}
    both = {p: (xv, yv) for p, xv in xs.items() if xv is not None and (yv := ys.get(p)) is not None}
    labels = list(both)
    if not labels:
        raise EventSeriesError("no period has both series; check the dyads, the window and the data sets")
    x = [(both[p][0] - driver.scale[0]) / (driver.scale[1] - driver.scale[0]) for p in labels]
    y = [(both[p][1] - response.scale[0]) / (response.scale[1] - response.scale[0]) for p in labels]
    f = fit(x, y, level=level)
    significant = not (f["b_ci"][0] <= 0.0 <= f["b_ci"][1])
    name = indicator or f"events_{driver.dyad[0]}_{driver.dyad[1]}_{driver.measure}".lower()
    key = f"events_calibration_{idx}"
    window = (labels[0], labels[-1])
    cal = Calibration(
        link=idx,
        target=links[idx].target,
        driver=driver.label(),
        response=response.label(),
        period=period,
        window=window,
        n=f["n"],
        a=f["a"],
        b=f["b"],
        a_ci=f["a_ci"],
        b_ci=f["b_ci"],
        b_se=f["b_se"],
        b_p=f["b_p"],
        r2=f["r2"],
        level=level,
        significant=significant,
        lags=f["lags"],
        datasets=ds.datasets,
        indicator=name,
        source_key=key,
        driver_scale=driver.scale,
        response_scale=response.scale,
    )
    return _write(scenario, cal, db_ref or str(db), Store(db)), cal


def _find_link(links: Sequence[Any], link: str) -> int:
    if link.isdigit():
        k = int(link)
        if not 0 <= k < len(links):
            raise EventSeriesError(f"the scenario has {len(links)} links; no link {k}")
        return k
    hits = [k for k, ln in enumerate(links) if ln.target == link]
    if not hits:
        known = ", ".join(ln.target for ln in links) or "none"
        raise EventSeriesError(f"no link sets {link!r} (links set: {known})")
    return hits[-1]


def _write(scenario: Scenario, cal: Calibration, db_ref: str, store: Store) -> Scenario:
    s = scenario.model_copy(deep=True)
    s._source_dir = scenario.source_dir
    # the caller named this store: the scenario object returned may read it wherever it lies (a file
    # written from it is confined again when loaded: keep the store beside it or pass --allow-paths)
    s.allow_paths = True
    cov = store.coverage()
    s.sources[cal.source_key] = Source(
        title=f"Event data ({', '.join(cal.datasets)}): {cal.response} regressed on {cal.driver}",
        kind="dataset",
        date=dt.date.today(),
        note=(
            f"Store {db_ref} ({cov['files']} files, events {cov['first']}..{cov['last']}); "
            f"{cal.period}ly periods {cal.window[0]}..{cal.window[1]}, n={cal.n}; OLS with Newey-West "
            f"standard errors ({cal.lags} lags); {cal.sentence()}. Driver scale {list(cal.driver_scale)}, "
            f"response scale {list(cal.response_scale)} read as the parameter's units."
            + (
                " GDELT data: The GDELT Project, https://www.gdeltproject.org/."
                if any(d.startswith("gdelt") for d in cal.datasets)
                else ""
            )
        ),
    )
    d0, d1 = cal.driver.split(":")[0].split("-")
    measure = cal.driver.split(":")[1]
    s.environment.indicators[cal.indicator] = Indicator(
        series=EventSeries(
            events=db_ref,
            dyad=f"{d0}-{d1}",
            measure=measure,
            period=cal.period,  # type: ignore[arg-type]
            dataset=cal.datasets[0] if len(cal.datasets) == 1 else None,
        ),  # type: ignore[arg-type]
        scale=cal.driver_scale,
        source=cal.source_key,
        description=f"{measure.replace('_', ' ')} of {d0} toward {d1} per {cal.period} (event data)",
    )
    ln = s.environment.links[cal.link]
    sig = (
        ""
        if cal.significant
        else f"; NOT significant at {1 - cal.level:.0%}: the data do not show that the driver moves the target"
    )
    old = ln.driver
    ln.driver = cal.indicator
    ln.base = Quantity(
        value=round(cal.a, 6), source=cal.source_key, range=(round(cal.a_ci[0], 6), round(cal.a_ci[1], 6))
    )
    ln.gain = Quantity(
        value=round(cal.b, 6), source=cal.source_key, range=(round(cal.b_ci[0], 6), round(cal.b_ci[1], 6))
    )
    ln.function = "affine"
    ln.source = cal.source_key
    ln.note = (
        f"calibrated from event data: {cal.sentence()}; driver was {old}, now the indicator {cal.indicator}"
        f"{sig}"
    )
    return s
