"""Uncertain inputs: paths to cells, supports, the three distributions, batched problems."""

from __future__ import annotations

import numpy as np
import pytest
from uq_support import small

from realpolitik.forecast import scenario_problem
from realpolitik.uncertainty import apply, draw, sampling_spec, transform


def _by_path(spec):
    return {x.path: x for x in spec.inputs}


def test_ranges_map_to_cells_without_defaults():
    spec = sampling_spec(small(distribution="uniform"))
    got = {(x.path, x.kind, x.index, x.low, x.high, x.origin) for x in spec.inputs}
    assert got == {
        ("actors[0].capability", "capability", (0,), 0.3, 0.6, "range"),
        ("issues[0].status_quo", "status_quo", (0,), 30.0, 50.0, "range"),
        ("positions.A.tax.position", "position", (0, 0), 10.0, 35.0, "range"),
        ("positions.A.aid.salience", "salience", (0, 1), 0.2, 0.9, "range"),
    }
    assert spec.distribution == "uniform"


def test_defaults_fill_numbers_without_range_and_are_cut_to_valid_ranges():
    spec = sampling_spec(small(position=0.05, salience=0.2, capability=0.5))
    by = _by_path(spec)
    # position: ±5% of the issue range; D's position 100 is at the upper bound, so the support is cut
    assert (by["positions.B.tax.position"].low, by["positions.B.tax.position"].high) == (75.0, 85.0)
    assert (by["positions.D.tax.position"].low, by["positions.D.tax.position"].high) == (95.0, 100.0)
    assert by["positions.B.aid.position"].high == pytest.approx(8.5)
    # salience: ±0.2 absolute, cut to [0, 1]
    assert by["positions.D.tax.salience"].high == 1.0
    assert by["positions.D.tax.salience"].low == pytest.approx(0.7)
    # capability: ±50% relative
    assert (by["actors[3].capability"].low, by["actors[3].capability"].high) == pytest.approx((0.05, 0.15))
    # explicit ranges win over defaults; D has no stance on aid, so nothing is drawn there
    assert by["actors[0].capability"].origin == "range"
    assert "positions.D.aid.position" not in by
    assert all(x.low <= x.value <= x.high for x in spec.inputs)


def test_distribution_override_and_unknown_name():
    assert sampling_spec(small(), distribution="truncnormal").distribution == "truncnormal"
    with pytest.raises(ValueError, match="distribution must be one of"):
        sampling_spec(small(), distribution="beta")


@pytest.mark.parametrize("dist", ["uniform", "triangular", "truncnormal"])
def test_transform_is_monotone_and_spans_the_support(dist):
    spec = sampling_spec(small(), distribution=dist)
    u = np.linspace(0, 1, 201)[:, None].repeat(spec.n_inputs, axis=1)
    x = transform(spec, u)
    assert np.all(np.diff(x, axis=0) >= 0)
    np.testing.assert_allclose(x[0], spec.low, atol=1e-9)
    np.testing.assert_allclose(x[-1], spec.high, atol=1e-9)


def test_distribution_moments():
    rng = np.random.default_rng(3)
    tri = sampling_spec(small(), distribution="triangular")
    x = draw(tri, 200_000, rng)
    # triangular mean (low + mode + high) / 3
    np.testing.assert_allclose(x.mean(axis=0), (tri.low + tri.mode + tri.high) / 3, rtol=5e-3)
    uni = sampling_spec(small(), distribution="uniform")
    np.testing.assert_allclose(draw(uni, 200_000, rng).var(axis=0), (uni.high - uni.low) ** 2 / 12, rtol=2e-2)
    tn = sampling_spec(small(), distribution="truncnormal")
    y = draw(tn, 200_000, rng)
    k = [x.path for x in tn.inputs].index("issues[0].status_quo")  # 40 in [30, 50]: symmetric
    assert y[:, k].mean() == pytest.approx(40, abs=0.05)
    assert y[:, k].std() == pytest.approx(4.4, abs=0.15)  # sigma 5 truncated at ±2 sigma: 0.88 * 5
    assert np.median(y[:, k]) == pytest.approx(40, abs=0.1)


def test_apply_sets_only_uncertain_cells():
    s = small(position=0.05)
    spec = sampling_spec(s)
    base = scenario_problem(s)
    values = draw(spec, 7, np.random.default_rng(0))
    batch = apply(spec, values)
    assert batch.batch_shape == (7,)
    assert batch.position.shape == (7, 4, 2) and batch.capability.shape == (7, 4)
    for k, x in enumerate(spec.inputs):
        arr = {
            "capability": batch.capability,
            "position": batch.position,
            "salience": batch.salience,
            "status_quo": batch.status_quo,
        }[x.kind]
        np.testing.assert_array_equal(arr[(slice(None), *x.index)], values[:, k])
    # saliences have no default here: all but A/aid are untouched
    mask = np.ones((4, 2), dtype=bool)
    mask[0, 1] = False
    np.testing.assert_array_equal(
        batch.salience[:, mask], np.broadcast_to(base.salience[mask], (7, mask.sum()))
    )
    np.testing.assert_array_equal(batch.present, base.present)


def test_issue_power_cells_follow_sampled_capability():
    data = small().model_dump(mode="json", by_alias=True, exclude_none=True)
    data["positions"]["B"]["tax"]["power"] = {"value": 0.9, "range": [0.8, 1.0]}
    from realpolitik.scenario.schema import Scenario

    s = Scenario.model_validate(data)
    spec = sampling_spec(s)
    batch = apply(spec, draw(spec, 5, np.random.default_rng(1)))
    assert batch.issue_power is not None
    k = [x.path for x in spec.inputs].index("positions.B.tax.power")
    assert spec.inputs[k].kind == "power"
    assert np.all((batch.issue_power[:, 1, 0] >= 0.8) & (batch.issue_power[:, 1, 0] <= 1.0))
    assert np.unique(batch.issue_power[:, 1, 0]).size == 5
    # cells without their own power use the (sampled) capability
    np.testing.assert_array_equal(batch.issue_power[:, 0, 0], batch.capability[:, 0])
    np.testing.assert_array_equal(batch.issue_power[:, 1, 1], batch.capability[:, 1])
