"""Numbers the report derives: modes of an outcome distribution, tornado ranking, tidy Sobol rows."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.report.stats import modes, sobol_rows, tornado_rows


def test_one_peak_is_one_mode() -> None:
    x = np.random.default_rng(0).normal(40, 8, 4000)
    (m,) = modes(x, (0, 100))
    assert m.share == 1.0 and 35 < m.value < 45 and (m.low, m.high) == (0, 100)


def test_two_separated_peaks_are_two_modes_with_their_shares() -> None:
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(3, 2, 1400), rng.normal(75, 6, 600)])
    ms = sorted(modes(x, (0, 100)), key=lambda m: m.value)
    assert len(ms) == 2
    assert ms[0].value < 10 and 65 < ms[1].value < 85
    assert ms[0].share == pytest.approx(0.7, abs=0.02) and ms[1].share == pytest.approx(0.3, abs=0.02)
    assert ms[0].low == 0 and ms[1].high == 100 and ms[0].high == ms[1].low  # basins meet at the valley


def test_a_small_bump_is_not_a_mode() -> None:
    rng = np.random.default_rng(2)
    x = np.concatenate([rng.normal(30, 5, 1960), rng.normal(90, 1, 40)])  # 2% of draws
    assert len(modes(x, (0, 100))) == 1


def test_constant_and_empty_samples() -> None:
    (m,) = modes(np.full(50, 7.0), (0, 10))
    assert (m.value, m.share) == (7.0, 1.0)
    assert modes(np.array([np.nan]), (0, 1)) == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 100), min_size=1, max_size=300))
def test_shares_cover_every_draw(xs: list[float]) -> None:
    ms = modes(np.array(xs), (0.0, 100.0))
    assert sum(m.share for m in ms) == pytest.approx(1.0)
    assert all(m.share >= 0.05 or len(ms) == 1 for m in ms)


def test_tornado_ranks_by_total_swing_including_the_baseline() -> None:
    t = {
        "base": 50.0,
        "bars": [  # the JSON lists |high - low| first
            {"input": "a", "low": 10.0, "high": 90.0, "swing": 80.0},
            {"input": "b", "low": 0.0, "high": 5.0, "swing": 5.0},  # both ends below the baseline: 50 wide
            {"input": "c", "low": 50.0, "high": 50.0, "swing": 0.0},
        ],
    }
    rows = tornado_rows(t)
    assert [r["input"] for r in rows] == ["a", "b"]
    assert [r["total_swing"] for r in rows] == [80.0, 50.0]


def test_sobol_rows_drop_all_zero_factors_and_explain_estimates_outside_0_1() -> None:
    rows = [
        {"factor": "status quo x", "S1": 0.0, "ST": 0.0, "S1_conf": 0.0, "ST_conf": 0.0},
        {"factor": "USA", "S1": -0.06, "ST": 0.3, "S1_conf": 0.13, "ST_conf": 0.16},
        {"factor": "RUS", "S1": 0.9, "ST": 1.19, "S1_conf": 0.2, "ST_conf": 0.4},
    ]
    out = sobol_rows(rows)
    assert [r["factor"] for r in out] == ["RUS", "USA"]
    assert "ST 1.19 lies outside [0, 1]" in out[0]["note"] and "not a share" in out[0]["note"]
    assert "S1 -0.06 lies outside [0, 1]" in out[1]["note"]
