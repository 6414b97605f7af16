"""Indicator series: dates, readings at a date, staleness, sources."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from realpolitik.environment import series as S
from realpolitik.environment.series import (
    Series,
    SeriesError,
    load_series,
    parse_csv,
    parse_period,
    read_at,
    register_source,
    scale_value,
)

D = dt.date


@pytest.mark.parametrize(
    ("text", "fiscal", "start", "end"),
    [
        ("2016", False, D(2016, 1, 1), D(2016, 12, 31)),
        ("2016", True, D(2016, 4, 1), D(2017, 3, 31)),
        ("FY2016", False, D(2016, 4, 1), D(2017, 3, 31)),
        ("2016-10", False, D(2016, 10, 1), D(2016, 10, 31)),
        ("2020-12", False, D(2020, 12, 1), D(2020, 12, 31)),
        ("2016-02", False, D(2016, 2, 1), D(2016, 2, 29)),
        ("2019-07-23", False, D(2019, 7, 23), D(2019, 7, 23)),
        ("2019/7/3", False, D(2019, 7, 3), D(2019, 7, 3)),
    ],
)
def test_periods(text: str, fiscal: bool, start: dt.date, end: dt.date) -> None:
    p = parse_period(text, fiscal=fiscal)
    assert (p.start, p.end) == (start, end)


@pytest.mark.parametrize("bad", ["16", "2016-13", "May 2016", "", "2016-1-1-1"])
def test_bad_periods(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_period(bad)


TABLE = "year,x,y\n2014,1,\n2015,2,20\n2016,,30\n"


def test_latest_value_at_or_before_skips_missing() -> None:
    s = parse_csv(TABLE, "t", "test")
    assert read_at(s, "x", D(2016, 12, 31)) == S.Reading(2.0, "2015", 366, True)
    assert read_at(s, "y", D(2016, 12, 31)).value == 30.0
    # a year counts once it has ended
    assert read_at(s, "y", D(2016, 12, 30)).value == 20.0
    assert np.isnan(read_at(s, "x", D(2014, 6, 1)).value)
    assert read_at(s, "x", None).value == 2.0


def test_stale_rule_is_one_year_after_period_end() -> None:
    s = parse_csv("date,v\n2016-01-15,1\n", "t", "test")
    assert not read_at(s, "v", D(2017, 1, 14)).stale  # 365 days
    assert read_at(s, "v", D(2017, 1, 16)).stale  # 367 days


def test_where_selects_rows_of_a_long_table() -> None:
    s = load_series("capabilities")
    assert read_at(s, "cinc_nmc6", D(2016, 12, 31), where={"country": "CHN"}).value == pytest.approx(0.23062)
    # Japan's 2023 milex is missing: the 2022 value is used
    r = read_at(s, "milex_sipri_usd_bn", D(2023, 12, 31), where={"country": "JPN"})
    assert (r.value, r.period, r.stale) == (46.0, "2022", False)


def test_fiscal_year_column_detected() -> None:
    s = load_series("asdf_scrambles")
    assert s.date_column == "fiscal_year"
    # FY2016 ends in March 2017, so at the end of 2016 the latest complete year is FY2015
    assert read_at(s, "against_china", D(2016, 12, 31)).value == 571
    assert read_at(s, "against_china", D(2017, 3, 31)).value == 851


def test_date_column_found_by_content(tmp_path: Path) -> None:
    f = tmp_path / "odd.csv"
    f.write_text("what,when\n3,2019-07\n5,2020-07\n")
    s = load_series(str(f), allow_paths=True)  # an absolute path outside the working directory
    assert s.date_column == "when"
    assert read_at(s, "what", D(2020, 1, 1)).value == 3
    assert load_series("odd.csv", base_dir=tmp_path).name == "odd"
    assert load_series("file:odd.csv", base_dir=tmp_path).periods == s.periods


def test_builtin_series_match_the_case_data(shared_dir: Path) -> None:
    for f in sorted((shared_dir / "case" / "data").glob("*.csv")):
        s = load_series(f.stem)
        assert s.columns == parse_csv(f.read_text(), f.stem, str(f)).columns


def test_unknown_series_and_column() -> None:
    with pytest.raises(SeriesError, match="built-in"):
        load_series("no_such_series")
    with pytest.raises(SeriesError, match="no such series file"):
        load_series("nowhere/x.csv")
    with pytest.raises(SeriesError, match="no column"):
        read_at(load_series("asdf_scrambles"), "nope", None)


def test_a_registered_source_plugs_in() -> None:
    class Events:
        def load(self, ref: str) -> Series:
            return parse_csv(f"date,{ref}\n2016-06-01,0.25\n", ref, "events test")

    register_source("testevents", Events())
    s = load_series("testevents:goldstein")
    assert read_at(s, "goldstein", D(2016, 12, 31)).value == 0.25
    with pytest.raises(ValueError):
        register_source("Bad Scheme", Events())


@given(st.floats(-1e6, 1e6), st.floats(-1e3, 1e3), st.floats(1e-3, 1e3))
def test_scale_lands_in_unit_interval_and_is_monotone(x: float, lo: float, width: float) -> None:
    y = scale_value(np.array([x, x + 1.0]), (lo, lo + width))
    assert np.all((y >= 0) & (y <= 1))
    assert y[1] >= y[0]
