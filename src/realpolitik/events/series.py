"""Dyadic event series: per period and dyad, counts by quad class, Goldstein mean and sum, conflict share.

Light to import (no DuckDB or pandas until a function runs). Gaps are explicit: a period in which the
store has events (of any dyad) but none of this dyad has counts of 0 and no mean or share (``None``); a
period in which the store has no events at all is not observed and every measure is ``None``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from realpolitik.events.store import Store, require

PERIODS = ("day", "week", "month", "quarter", "year")
COUNTS = (
    "events",
    "verbal_coop",
    "material_coop",
    "verbal_conflict",
    "material_conflict",
    "cooperation",
    "conflict",
)
MEASURES = (*COUNTS, "conflict_share", "cooperation_share", "goldstein_mean", "goldstein_sum")
"""Measures of a dyad in a period. Counts are numbers of events (or of mentions, when weighted);
``conflict_share`` = (verbal + material conflict) / events; ``goldstein_mean`` and ``goldstein_sum`` over
events with a Goldstein weight (negative = conflict)."""


class EventSeriesError(ValueError):
    """A dyad, measure or period that cannot be read."""


def parse_dyad(text: str) -> tuple[str, str]:
    """``"CHN-JPN"`` → ``("CHN", "JPN")`` (ISO alpha-3 codes).

    >>> parse_dyad("chn-jpn")
    ('CHN', 'JPN')
    """
    parts = [p.strip().upper() for p in text.replace("→", "-").split("-")]
    if len(parts) != 2 or not all(len(p) == 3 and p.isalpha() for p in parts):
        raise EventSeriesError(f"expected a dyad as two ISO alpha-3 codes like CHN-JPN, got {text!r}")
    return parts[0], parts[1]


def parse_pairs(text: str) -> list[tuple[str, str]]:
    """``"CHN-JPN,JPN-RUS"`` → the list of dyads."""
    return [parse_dyad(p) for p in text.split(",") if p.strip()]


def period_start(d: dt.date, period: str) -> dt.date:
    if period == "day":
        return d
    if period == "week":
        return d - dt.timedelta(days=d.weekday())
    if period == "month":
        return d.replace(day=1)
    if period == "quarter":
        return d.replace(month=3 * ((d.month - 1) // 3) + 1, day=1)
    return d.replace(month=1, day=1)


def next_start(d: dt.date, period: str) -> dt.date:
    if period == "day":
        return d + dt.timedelta(days=1)
    if period == "week":
        return d + dt.timedelta(days=7)
    step = {"month": 1, "quarter": 3, "year": 12}[period]
    m = d.month - 1 + step
    return dt.date(d.year + m // 12, m % 12 + 1, 1)


def period_label(d: dt.date, period: str) -> str:
    """``2016-01-04`` (day), ``2016-W01`` (ISO week), ``2016-01``, ``2016-Q1``, ``2016``."""
    if period == "day":
        return d.isoformat()
    if period == "week":
        y, w, _ = d.isocalendar()
        return f"{y}-W{w:02d}"
    if period == "month":
        return f"{d.year}-{d.month:02d}"
    if period == "quarter":
        return f"{d.year}-Q{(d.month - 1) // 3 + 1}"
    return str(d.year)


@dataclass
class DyadSeries:
    """Dyad series from one store: one row per dyad and period, oldest first."""

    db: str
    period: str
    directed: bool
    weighted: bool
    datasets: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def dyads(self) -> list[tuple[str, str]]:
        return list(dict.fromkeys((r["source"], r["target"]) for r in self.rows))

    def values(self, dyad: tuple[str, str], measure: str) -> list[tuple[dt.date, dt.date, str, float | None]]:
        """``(start, end, label, value)`` per period of one dyad."""
        if measure not in MEASURES:
            raise EventSeriesError(f"unknown measure {measure!r}; expected one of {', '.join(MEASURES)}")
        key = dyad if self.directed else tuple(sorted(dyad))
        return [
            (r["start"], r["end"], r["period"], r[measure])
            for r in self.rows
            if (r["source"], r["target"]) == key
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "db": self.db,
            "period": self.period,
            "directed": self.directed,
            "weighted_by": "mentions" if self.weighted else None,
            "datasets": self.datasets,
            "measures": list(MEASURES),
            "rows": [{**r, "start": r["start"].isoformat(), "end": r["end"].isoformat()} for r in self.rows],
            "warnings": self.warnings,
        }


def _finish(
    sums: Any,
    cov: Any,
    *,
    period: str,
    directed: bool,
    pairs: Sequence[tuple[str, str]] | None,
    start: str | None,
    end: str | None,
) -> list[dict[str, Any]]:
    covered = sorted(set(cov.column("period_start").to_pylist()))
    data: dict[tuple[str, str], dict[dt.date, dict[str, int]]] = {}
    cols = sums.to_pydict() if sums.num_rows else {}
    for k in range(sums.num_rows):
        dy = (cols["source"][k], cols["target"][k])
        data.setdefault(dy, {})[cols["period_start"][k]] = {
            c: int(cols[c][k] or 0) for c in ("events", "q1", "q2", "q3", "q4", "gold_tenths", "gold_weight")
        }
    if pairs is not None:
        wanted = [p if directed else (min(p), max(p)) for p in pairs]
        dyads = list(dict.fromkeys(wanted))
    else:
        dyads = sorted(data)
    if not covered and not (start and end):
        return []
    lo = period_start(dt.date.fromisoformat(start), period) if start else covered[0]
    hi = period_start(dt.date.fromisoformat(end), period) if end else covered[-1]
    grid: list[dt.date] = []
    p = lo
    while p <= hi:
        grid.append(p)
        p = next_start(p, period)
    cov_set = set(covered)
    rows: list[dict[str, Any]] = []
    for dy in dyads:
        per = data.get(dy, {})
        for p in grid:
            observed = p in cov_set
            s = per.get(p)
            row: dict[str, Any] = {
                "source": dy[0],
                "target": dy[1],
                "period": period_label(p, period),
                "start": p,
                "end": next_start(p, period) - dt.timedelta(days=1),
                "observed": observed,
            }
            if not observed:
                row.update(dict.fromkeys(MEASURES))
            else:
                s = s or {"events": 0, "q1": 0, "q2": 0, "q3": 0, "q4": 0, "gold_tenths": 0, "gold_weight": 0}
                n = s["events"]
                coop, conf = s["q1"] + s["q2"], s["q3"] + s["q4"]
                row.update(
                    events=n,
                    verbal_coop=s["q1"],
                    material_coop=s["q2"],
                    verbal_conflict=s["q3"],
                    material_conflict=s["q4"],
                    cooperation=coop,
                    conflict=conf,
                    conflict_share=conf / n if n else None,
                    cooperation_share=coop / n if n else None,
                    goldstein_mean=(s["gold_tenths"] / 10 / s["gold_weight"]) if s["gold_weight"] else None,
                    goldstein_sum=s["gold_tenths"] / 10,
                )
            rows.append(row)
    return rows


def dyads(
    db: str | Path,
    *,
    pairs: Sequence[tuple[str, str]] | None = None,
    period: str = "month",
    directed: bool = True,
    weight: str | None = None,
    datasets: Sequence[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    engine: str = "duckdb",
    scheduler: str | None = None,
    threads: int | None = None,
) -> DyadSeries:
    """Dyad series from the store ``db``.

    ``pairs`` (default: every dyad with events); ``period`` day, week, month, quarter or year; undirected
    dyads are written with the codes in alphabetical order; ``weight="mentions"`` counts mentions instead
    of events (GDELT only; rows without mentions count 1); ``datasets`` limits the data sets; ``start``
    and ``end`` (ISO dates) bound the periods.
    """
    if period not in PERIODS:
        raise EventSeriesError(f"period must be one of {', '.join(PERIODS)}, got {period!r}")
    if weight not in (None, "mentions"):
        raise EventSeriesError(f"weight must be mentions or nothing, got {weight!r}")
    require("event series")
    store = Store(db)
    parts = store.parts(datasets)
    recs = [r for r in store.records() if r.duplicate_of is None]
    present = sorted({r.dataset for r in recs if not datasets or r.dataset in datasets})
    warnings = []
    if len(present) > 1:
        warnings.append(
            f"the store mixes data sets ({', '.join(present)}); the same event may be counted once per data set "
            "(choose one with --dataset)"
        )
    if pairs is not None and not directed:
        pairs = list(dict.fromkeys((min(p), max(p)) for p in pairs))
    kw: dict[str, Any] = dict(
        period=period, directed=directed, pairs=pairs, weight=weight, datasets=datasets, start=start, end=end
    )
    if engine == "duckdb":
        from realpolitik.events import duck

        sums, cov = duck.aggregate(parts, threads=threads, **kw)
    elif engine == "dask":
        require("the dask engine", ("dask",))
        from realpolitik.events import pandas_engine

        sums, cov = pandas_engine.aggregate(parts, scheduler=scheduler, **kw)
    else:
        raise EventSeriesError(f"engine must be duckdb or dask, got {engine!r}")
    rows = _finish(sums, cov, period=period, directed=directed, pairs=pairs, start=start, end=end)
    return DyadSeries(
        db=str(store.path),
        period=period,
        directed=directed,
        weighted=weight is not None,
        datasets=present,
        rows=rows,
        warnings=warnings,
    )


def measure_series(
    db: str | Path,
    dyad: tuple[str, str],
    measure: str,
    period: str,
    *,
    directed: bool = True,
    weight: str | None = None,
    datasets: Sequence[str] | None = None,
) -> list[tuple[dt.date, dt.date, str, float | None]]:
    """One measure of one dyad per period: ``(start, end, label, value)``, value None where missing."""
    if measure not in MEASURES:
        raise EventSeriesError(f"unknown measure {measure!r}; expected one of {', '.join(MEASURES)}")
    ds = dyads(db, pairs=[dyad], period=period, directed=directed, weight=weight, datasets=datasets)
    return ds.values(dyad, measure)
