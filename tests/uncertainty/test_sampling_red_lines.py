"""Red lines in Monte Carlo: acceptable_low/high drawn, never excluding the actor's own ideal point."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realpolitik.scenario import from_dict
from realpolitik.uncertainty import apply, draw, monte_carlo, sampling_spec


def case(rus: dict[str, Any], jpn: dict[str, Any], distribution: str = "uniform") -> dict[str, Any]:
    return {
        "id": "rl",
        "title": "red lines",
        "actors": [
            {"id": "JPN", "name": "Japan", "capability": 1},
            {"id": "RUS", "name": "Russia", "capability": 1},
        ],
        "issues": [{"id": "territory", "name": "T", "bounds": [0, 100], "status_quo": 0}],
        "positions": {"JPN": {"territory": jpn}, "RUS": {"territory": rus}},
        "parties": ["JPN", "RUS"],
        "uncertainty": {"distribution": distribution},
    }


RUS = {
    "position": {"value": 5, "range": [0, 20]},
    "salience": 0.8,
    "acceptable": {"high": {"value": 10, "range": [0, 30]}},
}
JPN = {"position": {"value": 80, "range": [40, 100]}, "salience": 0.9, "acceptable": {"low": 50}}


def by_path(spec: Any) -> dict[str, Any]:
    return {x.path: x for x in spec.inputs}


def test_red_lines_are_inputs_and_fixed_ones_cut_the_position_support() -> None:
    spec = sampling_spec(from_dict(case(RUS, JPN)))
    by = by_path(spec)
    hi = by["positions.RUS.territory.acceptable.high"]
    assert (hi.kind, hi.index, hi.low, hi.value, hi.high, hi.label) == (
        "acceptable_high",
        (1, 0, 1),
        0.0,
        10.0,
        30.0,
        "acceptable high RUS/territory",
    )
    # Japan's red line (low 50) is not drawn, so its ideal point is drawn in [50, 100], not [40, 100]
    assert (by["positions.JPN.territory.position"].low, by["positions.JPN.territory.position"].high) == (
        50,
        100,
    )
    # Russia's red line is drawn, so its ideal point keeps its whole range
    assert (by["positions.RUS.territory.position"].low, by["positions.RUS.territory.position"].high) == (
        0,
        20,
    )
    assert "positions.JPN.territory.acceptable.low" not in by


def test_drawn_red_lines_never_exclude_the_drawn_ideal_point_and_are_seeded() -> None:
    spec = sampling_spec(from_dict(case(RUS, JPN)))
    values = draw(spec, 2_000, np.random.default_rng(11))
    p = apply(spec, values)
    assert p.acceptable is not None and p.acceptable.shape == (2_000, 2, 1, 2)
    x, lo, hi = p.position[:, :, 0], p.acceptable[:, :, 0, 0], p.acceptable[:, :, 0, 1]
    assert (lo <= x).all() and (x <= hi).all()
    assert (p.acceptable >= 0).all() and (p.acceptable <= 100).all()
    k = next(i for i, u in enumerate(spec.inputs) if u.kind == "acceptable_high")
    raw = values[:, k]
    moved = raw < x[:, 1]  # where the draw fell below Russia's drawn ideal point, the red line moved to it
    assert moved.any() and (~moved).any()
    np.testing.assert_array_equal(hi[moved, 1], x[moved, 1])
    np.testing.assert_array_equal(hi[~moved, 1], raw[~moved])
    np.testing.assert_array_equal(lo[:, 0], 50)  # Japan's fixed red line stays
    again = apply(spec, draw(spec, 2_000, np.random.default_rng(11)))
    np.testing.assert_array_equal(again.acceptable, p.acceptable)


def test_no_red_lines_no_acceptable_array_and_fixed_ones_stay_one_array() -> None:
    plain = {"position": {"value": 5, "range": [0, 20]}, "salience": 0.8}
    spec = sampling_spec(from_dict(case(plain, {"position": 80, "salience": 0.9})))
    assert apply(spec, draw(spec, 5, np.random.default_rng(0))).acceptable is None
    spec = sampling_spec(from_dict(case(plain, JPN)))  # Japan's fixed red line: nothing drawn for it
    p = apply(spec, draw(spec, 5, np.random.default_rng(0)))
    assert p.acceptable is not None and p.acceptable.shape == (2, 1, 2)


ends = st.tuples(st.floats(0, 100), st.floats(0, 100)).map(sorted)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pos=ends,
    low=ends,
    high=ends,
    dist=st.sampled_from(["uniform", "triangular", "truncnormal"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_every_draw_keeps_low_le_ideal_le_high(
    pos: list[float], low: list[float], high: list[float], dist: str, seed: int
) -> None:
    x = (pos[0] + pos[1]) / 2
    lo_v = min(x, (low[0] + low[1]) / 2)
    hi_v = max(x, (high[0] + high[1]) / 2)
    rus = {
        "position": {"value": x, "range": pos},
        "salience": 0.5,
        "acceptable": {
            "low": {"value": lo_v, "range": [min(low[0], lo_v), max(low[1], lo_v)]},
            "high": {"value": hi_v, "range": [min(high[0], hi_v), max(high[1], hi_v)]},
        },
    }
    spec = sampling_spec(from_dict(case(rus, {"position": 80, "salience": 0.9}, dist)))
    p = apply(spec, draw(spec, 50, np.random.default_rng(seed)))
    assert p.acceptable is not None
    acc = p.acceptable_range  # batched when a red line was drawn, else one array for every draw
    xs = p.position[:, 1, 0]
    assert (acc[:, 1, 0, 0] <= xs).all() and (xs <= acc[:, 1, 0, 1]).all()
    assert (acc >= 0).all() and (acc <= 100).all()


def test_monte_carlo_probes_deals_with_drawn_red_lines() -> None:
    m = monte_carlo(from_dict(case(RUS, JPN)), draws=100, model="compromise", seed=2, chunk_size=100)
    assert m.ok and not m.deal_errors and m.to_json()["deal_probability"] is not None
