"""Derived quantities: power share, proximity, hostility, threat, affinity, alliance and rivalry (formulas in
docs/environment.md).

The formulas are plain vectorised functions (:func:`power_share`, :func:`threat`); :class:`Context`
evaluates a parsed :class:`~realpolitik.environment.drivers.Driver` against one scenario, reading
indicators and capabilities at its ``as_of`` and honouring overrides of any sub-quantity.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from realpolitik.environment.drivers import Driver, parse_driver
from realpolitik.environment.series import (
    SeriesError,
    load_event_series,
    load_series,
    read_at,
    scale_value,
    shown_columns,
)
from realpolitik.scenario.schema import EventSeries, Scenario

MEASURES = {
    "cinc": "cinc_nmc6",
    "gdp": "gdp_current_usd_tn",
    "milex": "milex_sipri_usd_bn",
    "population": "population_m",
}
"""Short names of capability measures and their columns in the ``capabilities`` series."""

DYADIC: dict[str, str] = {
    "hostility": "threat",
    "affinity": "affinity",
    "alliance": "alliance",
    "rivalry": "rivalry",
}
"""Dyadic quantities (what an indicator ``measures``) and the kind of relation each falls back on."""


def relation_key(from_: str, to: str, kind: str) -> str:
    """How traces and warnings name a relation: ``"USA->JPN alliance"``."""
    return f"{from_}->{to} {kind}"


def measured_by(scenario: Scenario, quantity: str, j: str, i: str) -> str | None:
    """The indicator declared with ``measures: quantity, dyad: [j, i]`` (the first one), if any."""
    return next(
        (
            n
            for n, ind in scenario.environment.indicators.items()
            if ind.measures == quantity and ind.dyad == (j, i)
        ),
        None,
    )


def power_share(c_j: float | np.ndarray, c_i: float | np.ndarray) -> np.ndarray:
    """j's share of the pair's power, c_j / (c_j + c_i); 0.5 when both are zero."""
    cj = np.maximum(np.asarray(c_j, dtype=float), 0.0)
    ci = np.maximum(np.asarray(c_i, dtype=float), 0.0)
    tot = cj + ci
    return np.where(tot > 0, cj / np.where(tot > 0, tot, 1.0), 0.5)


def threat(
    share: float | np.ndarray,
    proximity: float | np.ndarray,
    hostility: float | np.ndarray,
    offense: float | np.ndarray = 1.0,
) -> np.ndarray:
    """Threat of j to i: power share × proximity × hostility (× offensive capability), each in [0, 1]."""
    parts = [np.clip(np.asarray(v, dtype=float), 0.0, 1.0) for v in (share, proximity, hostility, offense)]
    return np.asarray(parts[0] * parts[1] * parts[2] * parts[3])


@dataclass
class Context:
    """One scenario's environment read at its ``as_of``: scaled indicator values and warnings.

    ``indicators`` holds every indicator's value on [0, 1] (NaN when it could not be read). Evaluations
    record every declared relation they read in ``read`` (keyed by :func:`relation_key`), so callers can
    tell which relations drive something.
    """

    scenario: Scenario
    indicators: dict[str, float]
    base_dir: Path | None = None
    warnings: dict[str, None] = field(default_factory=dict)
    allow_paths: bool = False
    _caps: dict[tuple[str, str], float] = field(default_factory=dict)

    def warn(self, message: str) -> None:
        self.warnings.setdefault(message, None)

    # -------------------------------------------------------------------------------- evaluation
    def evaluate(
        self,
        driver: Driver,
        overrides: Mapping[str, float],
        detail: dict[str, float],
        read: dict[str, float] | None = None,
    ) -> float:
        """The driver's value (NaN when an input is missing); every sub-quantity is written to ``detail``
        and every declared relation read on the way to ``read`` (an overridden quantity reads none)."""
        key = str(driver)
        if key in overrides:
            value = float(overrides[key])
        elif driver.func is None:
            if driver.name not in self.indicators:
                known = ", ".join(self.indicators) or "none"
                raise KeyError(f"unknown indicator {driver.name!r} (indicators: {known})")
            value = self.indicators[driver.name]
        else:
            value = self._derived(driver, overrides, detail, read)
        detail[key] = value
        return value

    def _sub(
        self,
        text: str,
        overrides: Mapping[str, float],
        detail: dict[str, float],
        read: dict[str, float] | None,
    ) -> float:
        return self.evaluate(parse_driver(text), overrides, detail, read)

    def _derived(
        self,
        d: Driver,
        overrides: Mapping[str, float],
        detail: dict[str, float],
        read: dict[str, float] | None,
    ) -> float:
        j, i = d.actors
        for a in (j, i):
            if a not in self.scenario.actor_ids:
                raise KeyError(f"unknown actor {a!r} in {d} (actors: {', '.join(self.scenario.actor_ids)})")
        if d.func == "power_share":
            measure = d.option("measure") or self.scenario.environment.power_measure
            return self._power_share(j, i, measure)
        if d.func == "proximity":
            return self._proximity(j, i)
        if d.func in DYADIC:
            assert d.func is not None
            return self._dyadic(d.func, j, i, d.option("indicator"), overrides, detail, read)
        # threat
        m = d.option("measure")
        share = self._sub(f"power_share({j}, {i}{', measure=' + m if m else ''})", overrides, detail, read)
        prox = self._sub(f"proximity({j}, {i})", overrides, detail, read)
        h = d.option("hostility")
        host = self._sub(f"hostility({j}, {i}{', indicator=' + h if h else ''})", overrides, detail, read)
        off_name = d.option("offense")
        off = 1.0 if off_name is None else self._sub(off_name, overrides, detail, read)
        return float(threat(share, prox, host, off))

    def _power_share(self, j: str, i: str, measure: str) -> float:
        cj, ci = self._capability(j, measure), self._capability(i, measure)
        if not (math.isfinite(cj) and math.isfinite(ci)):
            cj, ci = self._scenario_capability(j), self._scenario_capability(i)
            if measure != "capability":
                self.warn(
                    f"power_share({j}, {i}): no {measure} for both in series "
                    f"{self.scenario.environment.capabilities!r}; used the scenario's capabilities"
                )
        if not (math.isfinite(cj) and math.isfinite(ci)):
            self.warn(f"power_share({j}, {i}): no capability for {j if not math.isfinite(cj) else i}")
            return float("nan")
        return float(power_share(cj, ci))

    def measure_value(self, actor: str, measure: str) -> float:
        """``actor``'s value of a capability measure at ``as_of`` (``capability``: the scenario's own),
        NaN when there is none; a stale reading is warned about."""
        return self._capability(actor, measure)

    def measure_column(self, measure: str) -> str:
        """The column of ``measure`` in the capabilities series; :class:`SeriesError` naming the
        measures and columns there are when the series has no such column."""
        ref = self.scenario.environment.capabilities
        column = MEASURES.get(measure, measure)
        series = load_series(ref, base_dir=self.base_dir)
        if column not in series.columns:
            known = ", ".join(c for c in series.value_columns)
            raise SeriesError(
                f"no capability measure {measure!r}: expected capability, {', '.join(MEASURES)} or a column "
                f"of the series {ref!r} ({known})"
            )
        return column

    def _scenario_capability(self, actor: str) -> float:
        cap = self.scenario.actor(actor).capability
        return float("nan") if cap is None else cap.value

    def _capability(self, actor: str, measure: str) -> float:
        if measure == "capability":
            return self._scenario_capability(actor)
        if (measure, actor) in self._caps:
            return self._caps[(measure, actor)]
        ref = self.scenario.environment.capabilities
        column = MEASURES.get(measure, measure)
        value = float("nan")
        try:
            series = load_series(ref, base_dir=self.base_dir, allow_paths=self.allow_paths)
            who = next((c for c in ("country", "actor", "state", "id") if c in series.columns), None)
            if who is None:
                raise SeriesError(f"capabilities series {ref!r} has no country or actor column")
            r = read_at(series, column, self.scenario.as_of, where={who: actor})
            value = r.value
            if r.stale:
                self.warn(
                    f"capabilities {ref!r}: {column} of {actor} is from {r.period}, {r.age_days} days old"
                )
        except SeriesError as exc:
            self.warn(str(exc))
        self._caps[(measure, actor)] = value
        return value

    def _proximity(self, j: str, i: str) -> float:
        for key, q in self.scenario.environment.proximity.items():
            if key in (f"{j}-{i}", f"{i}-{j}"):
                if not 0.0 <= q.value <= 1.0:
                    self.warn(f"proximity {key} = {q.value} is outside [0, 1]; clipped")
                return float(np.clip(q.value, 0.0, 1.0))
        self.warn(f"no proximity for {j}-{i} in environment.proximity; taken as 1 (adjacent)")
        return 1.0

    def _dyadic(
        self,
        kind: str,
        j: str,
        i: str,
        indicator: str | None,
        overrides: Mapping[str, float],
        detail: dict[str, float],
        read: dict[str, float] | None = None,
    ) -> float:
        """A dyadic quantity of j toward i (hostility, affinity, alliance, rivalry): a named indicator, the
        indicator declared for the dyad, or the scenario's relation of the matching kind (``threat`` for
        hostility) from j to i, clipped to [0, 1]."""
        if indicator is None:
            indicator = measured_by(self.scenario, kind, j, i)
        if indicator is not None:
            return self.evaluate(Driver(indicator), overrides, detail, read)
        rel_kind = DYADIC[kind]
        for rel in self.scenario.relations:
            if rel.kind == rel_kind and rel.from_ == j and rel.to == i:
                value = float(np.clip(rel.value.value, 0.0, 1.0))
                if read is not None:
                    read[relation_key(j, i, rel_kind)] = value
                return value
        if kind == "hostility":
            self.warn(f"no hostility of {j} toward {i} (no indicator or threat relation); taken as 0")
            return 0.0
        reverse = any(r.kind == rel_kind and r.from_ == i and r.to == j for r in self.scenario.relations)
        hint = f"; there is one from {i} to {j}, and relations are directed" if reverse else ""
        if kind == "affinity":
            self.warn(f"no affinity of {j} for {i} (no indicator or affinity relation){hint}")
        else:
            self.warn(f"no {kind} of {j} toward {i} (no indicator or {rel_kind} relation){hint}")
        return float("nan")


def read_indicators(
    scenario: Scenario, *, base_dir: Path | None = None, allow_paths: bool = False
) -> tuple[dict[str, float], dict[str, dict[str, object]], list[str]]:
    """Every indicator of ``scenario`` at its ``as_of``: scaled values, trace records and warnings.

    Series paths are relative to ``base_dir`` and confined to it unless ``allow_paths``
    (:func:`~realpolitik.environment.series.resolve_data_path`).
    """
    values: dict[str, float] = {}
    records: dict[str, dict[str, object]] = {}
    warnings: list[str] = []
    as_of: dt.date | None = scenario.as_of
    for name, ind in scenario.environment.indicators.items():
        label = ind.series.label() if isinstance(ind.series, EventSeries) else ind.series
        rec: dict[str, object] = {"series": label, "column": ind.column, "scale": ind.scale}
        raw = float("nan")
        if ind.value is not None:
            raw = ind.value.value
            rec["period"] = "given value"
        else:
            assert ind.series is not None
            if isinstance(ind.series, EventSeries):
                series = load_event_series(ind.series, base_dir=base_dir, allow_paths=allow_paths)
            else:
                series = load_series(ind.series, base_dir=base_dir, allow_paths=allow_paths)
            column = ind.column
            if column is None:
                cols = series.value_columns
                if len(cols) != 1:
                    raise SeriesError(
                        f"indicator {name!r}: series {label!r} has several columns "
                        f"({shown_columns(cols)}); set column"
                    )
                column = cols[0]
                rec["column"] = column
            r = read_at(series, column, as_of, where=ind.where)
            raw = r.value
            rec.update(period=r.period, age_days=r.age_days, stale=r.stale, origin=series.origin)
            if as_of is None:
                warnings.append(f"indicator {name!r}: the scenario has no as_of; read the latest value")
            if not math.isfinite(raw) and ind.fill is not None:
                # the file says what stands in before the series begins: recorded, not warned about
                raw = ind.fill
                rec["period"] = "fill"
            elif not math.isfinite(raw):
                warnings.append(
                    f"indicator {name!r}: no value of {column} in {label!r} at or before {as_of}; "
                    "links driven by it keep the scenario's numbers"
                )
            elif r.stale:
                warnings.append(
                    f"indicator {name!r}: latest value is from {r.period}, {r.age_days} days before {as_of} (stale)"
                )
        scaled = float(scale_value(raw, ind.scale)) if math.isfinite(raw) else float("nan")
        if math.isfinite(raw) and ind.scale is None and not 0.0 <= raw <= 1.0:
            warnings.append(f"indicator {name!r}: value {raw} has no scale and lies outside [0, 1]; clipped")
        rec.update(raw=raw, value=scaled)
        values[name] = scaled
        records[name] = rec
    return values, records, warnings
