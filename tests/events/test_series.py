"""Properties of dyad series: periods nest, undirected = both directions, gaps explicit, weights."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.events.series import (
    COUNTS,
    PERIODS,
    EventSeriesError,
    dyads,
    next_start,
    parse_pairs,
    period_label,
    period_start,
)
from realpolitik.events.store import ingest


@pytest.fixture(scope="module")
def db(demo_files: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("series") / "db"
    ingest([demo_files / "gdelt1"], out)
    return out


def total(rows: list[dict], key: str = "events") -> int:
    return sum(r[key] or 0 for r in rows)


def test_periods_nest(db: Path) -> None:
    pairs = [("CHN", "JPN"), ("JPN", "RUS"), ("USA", "CHN")]
    by = {p: dyads(db, pairs=pairs, period=p) for p in ("week", "month", "quarter", "year")}
    for p, ds in by.items():
        for c in COUNTS:
            assert total(ds.rows, c) == total(by["year"].rows, c), (p, c)
    m = by["month"].rows
    assert all(
        r["events"] == r["verbal_coop"] + r["material_coop"] + r["verbal_conflict"] + r["material_conflict"]
        for r in m
    )
    assert all(
        r["conflict_share"] is None or abs(r["conflict_share"] + r["cooperation_share"] - 1) < 1e-12
        for r in m
    )


def test_undirected_is_both_directions(db: Path) -> None:
    d = dyads(db, pairs=[("JPN", "CHN"), ("CHN", "JPN")], period="year")
    u = dyads(db, pairs=[("JPN", "CHN")], period="year", directed=False)
    assert {(r["source"], r["target"]) for r in u.rows} == {("CHN", "JPN")}
    by_year: dict[str, int] = {}
    for r in d.rows:
        by_year[r["period"]] = by_year.get(r["period"], 0) + r["events"]
    assert {r["period"]: r["events"] for r in u.rows} == by_year


def test_gaps_zero_vs_missing(db: Path) -> None:
    # a dyad with no events: observed periods are 0 with no share; periods outside the data are missing
    ds = dyads(db, pairs=[("IND", "CAN")], period="year", start="2005-01-01", end="2016-12-31")
    before = [r for r in ds.rows if r["period"] < "2010"]
    during = [r for r in ds.rows if "2010" <= r["period"] <= "2014"]
    assert before and all(not r["observed"] and r["events"] is None for r in before)
    assert during and all(r["observed"] and r["events"] == 0 and r["conflict_share"] is None for r in during)


def test_mentions_weighting(db: Path) -> None:
    plain = dyads(db, pairs=[("CHN", "JPN")], period="year")
    weighted = dyads(db, pairs=[("CHN", "JPN")], period="year", weight="mentions")
    assert weighted.weighted and total(weighted.rows) > total(plain.rows)


def test_bad_arguments(db: Path) -> None:
    with pytest.raises(EventSeriesError, match="period"):
        dyads(db, period="decade")
    with pytest.raises(EventSeriesError, match="dyad"):
        parse_pairs("CHN-JPN,JP-RU")


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(1979, 1, 1), max_value=dt.date(2030, 12, 31)), st.sampled_from(PERIODS))
def test_period_arithmetic(d: dt.date, period: str) -> None:
    s = period_start(d, period)
    n = next_start(s, period)
    assert s <= d < n and period_start(n, period) == n
    assert period_label(s, period) == period_label(d, period)
