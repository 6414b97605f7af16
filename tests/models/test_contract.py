"""One test base for every registered model (after Axelrod's TestPlayer).

Each model must: keep its outcome within the issue bounds, give the same result for the same seed,
not depend on actor order (up to a tolerance for documented tie-breaks), give the same result for a
batch of B problems as for B single runs, and return no NaN for degenerate inputs.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import realpolitik.models as models
from realpolitik.models import BargainingProblem, get_model

# the built-in models (tests elsewhere may register test-only models)
MODELS = [n for n in models.model_names() if get_model(n).run.__module__.startswith("realpolitik.models")]

# small settings so the dynamic models stay quick: params that shorten runs where a model has them
FAST = {"smp": {}, "eum": {}, "exchange": {"arithmetic": "fast"}}


def run(name: str, problem: BargainingProblem, seed: int = 0):
    params = {k: v for k, v in FAST.get(name, {}).items() if k in get_model(name).params}
    return get_model(name).run(problem, rng=np.random.default_rng(seed), **params)


@st.composite
def problems(draw: st.DrawFn, max_actors: int = 6, max_issues: int = 3) -> BargainingProblem:
    a = draw(st.integers(2, max_actors))
    d = draw(st.integers(1, max_issues))
    lo = np.array(draw(st.lists(st.sampled_from([0.0, -10.0, 4.0]), min_size=d, max_size=d)))
    width = np.array(draw(st.lists(st.sampled_from([1.0, 6.0, 100.0]), min_size=d, max_size=d)))
    unit = st.floats(0.0, 1.0, allow_nan=False, width=32)
    pos = np.array(draw(st.lists(unit, min_size=a * d, max_size=a * d))).reshape(a, d)
    sal = np.array(draw(st.lists(st.floats(0.05, 1.0), min_size=a * d, max_size=a * d))).reshape(a, d)
    cap = np.array(draw(st.lists(st.floats(0.05, 1.0), min_size=a, max_size=a)))
    sq = np.array(draw(st.lists(unit, min_size=d, max_size=d)))
    sal = sal / np.maximum(sal.sum(axis=1, keepdims=True), 1.0)  # KTAB-style: saliences sum to <= 1
    return BargainingProblem(
        capability=cap,
        position=lo + pos * width,
        salience=sal,
        bounds=np.stack([lo, lo + width], axis=1),
        status_quo=lo + sq * width,
    )


def fixed_problem(a: int = 5, d: int = 2, seed: int = 3) -> BargainingProblem:
    rng = np.random.default_rng(seed)
    sal = rng.uniform(0.1, 1.0, (a, d))
    sal = sal / sal.sum(axis=1, keepdims=True)
    return BargainingProblem(
        capability=rng.uniform(0.1, 1.0, a),
        position=np.round(rng.uniform(0, 100, (a, d)), 1),
        salience=np.round(sal, 3),
        bounds=np.tile([0.0, 100.0], (d, 1)),
        status_quo=np.full(d, 20.0),
    )


@pytest.mark.parametrize("name", MODELS)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(p=problems())
def test_outcome_within_bounds(name: str, p: BargainingProblem) -> None:
    t = run(name, p)
    out = np.asarray(t.outcome)
    assert out.shape == (p.n_issues,)
    assert np.isfinite(out).all()
    assert (out >= p.bounds[:, 0] - 1e-9).all() and (out <= p.bounds[:, 1] + 1e-9).all()
    assert np.isfinite(t.positions).all()


@pytest.mark.parametrize("name", MODELS)
def test_same_seed_same_result(name: str) -> None:
    p = fixed_problem()
    a, b = run(name, p, seed=11), run(name, p, seed=11)
    np.testing.assert_array_equal(a.outcome, b.outcome)
    np.testing.assert_array_equal(a.positions, b.positions)


@pytest.mark.parametrize("name", MODELS)
def test_actor_order_does_not_matter(name: str) -> None:
    # distinct positions and weights so that no documented tie-break is involved
    p = fixed_problem(a=5, d=2, seed=8)
    order = [3, 0, 4, 1, 2]
    a, b = run(name, p), run(name, p.take_actors(order))
    np.testing.assert_allclose(a.outcome, b.outcome, atol=1e-6)
    np.testing.assert_allclose(a.positions[..., -1, order, :], b.positions[..., -1, :, :], atol=1e-6)


@pytest.mark.parametrize("name", MODELS)
def test_batch_equals_loop(name: str) -> None:
    ps = [fixed_problem(a=4, d=2, seed=s) for s in range(4)]
    batch = ps[0].stack(ps[1:])
    tb = run(name, batch)
    assert np.asarray(tb.outcome).shape == (4, 2)
    for k, p in enumerate(ps):
        t = run(name, p)
        np.testing.assert_allclose(np.asarray(tb.outcome)[k], t.outcome, atol=1e-9, rtol=0)
        rounds = int(np.asarray(t.rounds))
        np.testing.assert_allclose(np.asarray(tb.positions)[k, : rounds + 1], t.positions, atol=1e-9, rtol=0)


def degenerate_cases() -> list[tuple[str, BargainingProblem]]:
    b2 = np.array([[0.0, 100.0], [0.0, 100.0]])
    return [
        (
            "all at one position",
            BargainingProblem(
                capability=[1.0, 2.0, 3.0],
                position=np.full((3, 2), 40.0),
                salience=np.full((3, 2), 0.5),
                bounds=b2,
                status_quo=[40.0, 40.0],
            ),
        ),
        (
            "zero saliences",
            BargainingProblem(
                capability=[1.0, 2.0, 3.0],
                position=[[0.0, 10.0], [50.0, 60.0], [100.0, 90.0]],
                salience=np.zeros((3, 2)),
                bounds=b2,
                status_quo=[10.0, 10.0],
            ),
        ),
        (
            "one actor",
            BargainingProblem(
                capability=[1.0],
                position=[[30.0, 70.0]],
                salience=[[0.5, 0.5]],
                bounds=b2,
                status_quo=[0.0, 0.0],
            ),
        ),
        (
            "zero capability",
            BargainingProblem(
                capability=[0.0, 1.0],
                position=[[10.0, 20.0], [80.0, 90.0]],
                salience=np.full((2, 2), 0.5),
                bounds=b2,
                status_quo=[50.0, 50.0],
            ),
        ),
    ]


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("case", degenerate_cases(), ids=lambda c: c[0])
def test_degenerate_inputs_give_no_nan(name: str, case: tuple[str, BargainingProblem]) -> None:
    _, p = case
    t = run(name, p)
    out = np.asarray(t.outcome)
    assert np.isfinite(out).all(), f"{name} gave {out} on {case[0]}"
    assert (out >= p.bounds[:, 0] - 1e-9).all() and (out <= p.bounds[:, 1] + 1e-9).all()
    assert np.isfinite(t.positions).all()


def test_registry_metadata() -> None:
    assert {"compromise", "nash", "eum", "smp", "exchange"} <= set(MODELS)
    for name in MODELS:
        info = get_model(name)
        assert info.name == name and info.title and info.description
        assert set(info.choices) <= set(info.params)
        for key, allowed in info.choices.items():
            assert info.params[key] in allowed
