"""Scores and baselines against hand-computed values."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.backtest import baselines, crps_ensemble, range_error, weighted_median
from realpolitik.models import BargainingProblem


def test_range_error_is_a_share_of_the_range():
    assert float(range_error(7.0, 8.5, 4.0, 10.0)) == pytest.approx(0.25)
    assert float(range_error(370, 370, 250, 600)) == 0.0


def test_crps_by_hand():
    # F_n = {0, 1}; y = 0.25: E|X - y| = 0.5, E|X - X'| = 0.5, CRPS = 0.5 - 0.25
    assert float(crps_ensemble([0.0, 1.0], 0.25)) == pytest.approx(0.25)
    # {1, 2, 4}, y = 3: E|X - y| = (2 + 1 + 1)/3 = 4/3; pairs |1-2| + |1-4| + |2-4| = 6, doubled 12, / 9
    assert float(crps_ensemble([4.0, 1.0, 2.0], 3.0)) == pytest.approx(4 / 3 - 0.5 * 12 / 9)
    # a single draw scores its absolute error; a batch scores row by row
    np.testing.assert_allclose(crps_ensemble(np.array([[3.0], [5.0]]), np.array([1.0, 6.0])), [2.0, 1.0])
    # non-finite draws are left out
    assert float(crps_ensemble([0.0, np.nan, 1.0], 0.25)) == pytest.approx(0.25)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-50, 50, allow_nan=False), min_size=1, max_size=12),
    st.floats(-60, 60, allow_nan=False),
)
def test_crps_is_the_integral_of_the_squared_cdf_gap(xs, y):
    """The kernel form equals int (F_n(z) - 1{z >= y})^2 dz, integrated exactly between breakpoints."""
    x = np.sort(np.array(xs))
    pts = np.sort(np.concatenate([x, [y]]))
    total = 0.0
    for a, b in itertools.pairwise(pts):
        mid = (a + b) / 2
        f = np.mean(x <= mid)
        total += (f - float(mid >= y)) ** 2 * (b - a)
    assert float(crps_ensemble(xs, y)) == pytest.approx(total, abs=1e-9)


def test_baselines_by_hand():
    p = BargainingProblem(
        capability=np.array([1.0, 1.0, 2.0]),
        position=np.array([[0.0], [50.0], [100.0]]),
        salience=np.array([[1.0], [0.5], [0.5]]),
        bounds=np.array([[0.0, 100.0]]),
        status_quo=np.array([20.0]),
    )
    b = baselines(p)
    assert b["status_quo"].tolist() == [20.0]
    assert b["mean"].tolist() == [50.0]
    assert b["capability_mean"].tolist() == [62.5]  # (0 + 50 + 200) / 4
    # weights c*s = 1, 0.5, 1: half of 2.5 is reached at 50 (cumulative 1.5)
    assert b["weighted_median"].tolist() == [50.0]


def test_baselines_leave_absent_actors_out_and_run_batched():
    present = np.array([[True, True], [True, False], [True, True]])
    pos = np.array([[0.0, 10.0], [50.0, 99.0], [100.0, 30.0]])
    p = BargainingProblem(
        capability=np.array([1.0, 1.0, 2.0]),
        position=pos,
        salience=np.ones((3, 2)),
        bounds=np.array([[0.0, 100.0], [0.0, 100.0]]),
        status_quo=np.array([0.0, 0.0]),
        present=present,
    )
    b = baselines(p)
    assert b["mean"][1] == 20.0  # (10 + 30) / 2: actor 1 takes no part
    assert b["capability_mean"][1] == pytest.approx((10 + 60) / 3)
    assert b["weighted_median"][1] == 30.0  # weights 1 and 2
    batch = BargainingProblem(
        capability=np.stack([p.capability, p.capability[::-1]]),
        position=np.stack([pos, pos]),
        salience=np.ones((2, 3, 2)),
        bounds=p.bounds,
        status_quo=np.zeros((2, 2)),
        present=present,
    )
    bb = baselines(batch)
    for k, v in b.items():
        np.testing.assert_array_equal(bb[k][0], v)


def test_ec_weighted_median_is_the_reference_initial_median():
    import realpolitik as rp
    from realpolitik.forecast import scenario_problem

    b = baselines(scenario_problem(rp.load("ec-emissions-1994")))
    assert b["weighted_median"].tolist() == [7.0]  # ../shared/reference/eum: the initial median 7.0


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 5)), min_size=1, max_size=9))
def test_weighted_median_minimises_weighted_distance(pairs):
    x = np.array([float(a) for a, _ in pairs])
    w = np.array([float(b) for _, b in pairs])
    if w.sum() == 0:
        return
    cost = np.array([(w * np.abs(x - m)).sum() for m in x])
    best = x[np.isclose(cost, cost.min(), rtol=0, atol=1e-9)]
    m = float(weighted_median(x, w, axis=0))
    assert (w * np.abs(x - m)).sum() == pytest.approx(cost.min())
    assert m == best.min()  # at a tie, the lowest minimiser
