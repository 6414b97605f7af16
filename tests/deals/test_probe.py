"""The deal probe batched across draws gives the flag of the per-draw loop, draw for draw."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realpolitik.deals.analysis import deal_exists_per_draw
from realpolitik.deals.batch import DrawNumbers, feasible_draws
from realpolitik.forecast import scenario_problem
from realpolitik.models.problem import BargainingProblem
from realpolitik.scenario import ScenarioError, builtin_ids, from_dict, load
from realpolitik.scenario.schema import Scenario
from realpolitik.uncertainty import sampling_spec, with_uncertainty
from realpolitik.uncertainty.sampling import apply, draw

from .helpers import islands, treaty
from .strategies import consent_scenarios, draws_of

D = importlib.import_module("realpolitik.deals")


def outcome(fn: Any, *args: Any, **kw: Any) -> tuple[Any, ...]:
    """The flags (with their shape), or the exception's type and message."""
    try:
        flags = np.asarray(fn(*args, **kw))
    except Exception as exc:
        return ("raised", type(exc).__name__, str(exc))
    return ("flags", flags.shape, flags.dtype, flags.tolist())


def same(scenario: Scenario, problem: BargainingProblem | None = None, **options: Any) -> tuple[Any, ...]:
    """Assert the batched probe and the per-draw loop agree (flags or error); return the outcome."""
    ref = outcome(deal_exists_per_draw, scenario, problem, **options)
    assert outcome(D.deal_exists, scenario, problem, **options) == ref
    return ref


OPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "options": st.sampled_from(["auto", "labels", "grid", "both"]),
        "step": st.sampled_from([0.25, 0.5, 1 / 3]),
        "margin": st.sampled_from([0.0, 0.05]),
        "merge": st.booleans(),
    },
)


@st.composite
def cases(draw_: st.DrawFn) -> tuple[Scenario, BargainingProblem, dict[str, Any]]:
    data = draw_(consent_scenarios())
    try:
        s = from_dict(data)
    except ScenarioError:
        from hypothesis import reject

        reject()
    options = dict(draw_(OPTIONS))
    options.setdefault("step", 0.25)  # a small grid keeps the reference loop fast
    consent = [i.id for i in s.issues if s.rule_of(i.id).kind == "consent"]
    if consent and draw_(st.integers(0, 3)) == 0:
        iid = draw_(st.sampled_from(consent))
        lo, hi = s.issue(iid).bounds
        options["issue_options_"] = {iid: [lo, (lo + hi) / 2, hi]}
    if consent and draw_(st.integers(0, 3)) == 0:
        options["disagreement"] = {s.actor_ids[0]: {consent[0]: s.issue(consent[0]).bounds[1]}}
    return s, draw_(draws_of(scenario_problem(s))), options


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_batched_probe_is_the_per_draw_loop(case: tuple[Scenario, BargainingProblem, dict[str, Any]]) -> None:
    s, problem, options = case
    same(s, problem, **options)


def test_generated_cases_cover_the_rule() -> None:
    """The property above sees feasible and infeasible draws, conditions, red lines, vetoes, agreements
    and refused numbers (so it cannot pass on one kind of case alone)."""
    seen: dict[str, int] = {}

    @settings(
        max_examples=150,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(cases())
    def count(case: tuple[Scenario, BargainingProblem, dict[str, Any]]) -> None:
        s, problem, options = case
        res = outcome(deal_exists_per_draw, s, problem, **options)
        flags = np.asarray(res[3]) if res[0] == "flags" else np.zeros(0, bool)
        for key, hit in {
            "raised": res[0] == "raised",
            "feasible": flags.any(),
            "infeasible": (~flags).any(),
            "mixed": flags.any() and (~flags).any(),
            "condition": any(i.applies_if for i in s.issues),
            "red line": problem.acceptable is not None,
            "veto": bool(s.vetoes),
            "agreement": bool(s.agreements),
        }.items():
            seen[key] = seen.get(key, 0) + bool(hit)

    count()
    assert all(seen.get(k, 0) >= 3 for k in ("raised", "feasible", "infeasible", "mixed", "condition",
                                              "red line", "veto", "agreement")), seen  # fmt: skip


def wide(problem: BargainingProblem, n: int, seed: int) -> BargainingProblem:
    """``n`` seeded draws far from the scenario's numbers: half the positions and status quo values
    anywhere in the bounds, saliences ±0.3, a fifth of the red lines' lower ends anywhere below the ideal
    point (so that some draws have a deal and some do not)."""
    rng = np.random.default_rng(seed)
    a, d = problem.n_actors, problem.n_issues
    lo, hi = problem.bounds[:, 0], problem.bounds[:, 1]
    pos = np.where(rng.random((n, a, d)) < 0.5, problem.position, lo + rng.random((n, a, d)) * (hi - lo))
    sal = np.clip(problem.salience + rng.uniform(-0.3, 0.3, (n, a, d)), 0.0, 1.0)
    sq = np.where(rng.random((n, d)) < 0.5, problem.status_quo, lo + rng.random((n, d)) * (hi - lo))
    acc = np.array(np.broadcast_to(problem.acceptable_range, (n, a, d, 2)))
    low = np.minimum(pos, lo + rng.random((n, a, d)) * (hi - lo))
    acc[..., 0] = np.minimum(np.where(rng.random((n, a, d)) < 0.2, low, acc[..., 0]), acc[..., 1])
    cap = np.broadcast_to(problem.capability, (n, a))
    return BargainingProblem(cap, pos, sal, problem.bounds, sq, problem.actors, problem.issues,
                             problem.present, problem.issue_power, acc)  # fmt: skip


@pytest.mark.parametrize("sid", builtin_ids())
def test_builtins_same_flags_over_seeded_draws(sid: str) -> None:
    """Every built-in scenario: 300 seeded Monte Carlo draws of its own uncertainty (what ``analyze``
    runs), and 300 seeded draws far from its numbers: the same flag per draw (or the same refusal, for a
    scenario with nothing to sign)."""
    s = load(sid)
    base = scenario_problem(s)
    spec = sampling_spec(with_uncertainty(s, position=0.1, salience=0.1), base)
    same(s, apply(spec, draw(spec, 300, np.random.default_rng(11))))
    res = same(s, wide(base, 300, 12))
    if res[0] == "flags":
        flags = np.asarray(res[3])
        assert flags.any() and not flags.all(), flags.mean()  # the draws move the answer


def test_gains_are_rounded_before_the_test() -> None:
    """A signer whose gain is zero in exact arithmetic (+0.2 on one issue, -0.2 on the other, equal
    saliences) but 5.6e-17 in floating point does not sign: the probe rounds as the per-draw path does."""
    s = from_dict(
        {
            "id": "rounding", "title": "Rounding",
            "actors": [{"id": "A", "name": "A"}, {"id": "B", "name": "B"}],
            "issues": [{"id": "x", "name": "x", "status_quo": 20}, {"id": "y", "name": "y", "status_quo": 30}],
            "positions": {
                "A": {"x": {"position": 100, "salience": 0.5}, "y": {"position": 0, "salience": 0.5}},
                "B": {"x": {"position": 0, "salience": 0.2}, "y": {"position": 100, "salience": 0.8}},
            },
            "parties": ["A", "B"],
            "agreements": [{"id": "deal", "issues": ["x", "y"]}],
        }
    )  # fmt: skip
    options = {"issue_options_": {"x": [60.0], "y": [70.0]}}  # the only deal that moves both: (60, 70)
    p = scenario_problem(s)
    raw = D.problem_from_scenario(s, **options).contributions(np.array([60.0, 70.0]))[0].sum()
    assert 0 < raw < 1e-15  # A's gain before rounding
    assert same(s, p.stack([p]), **options)[3] == [False, False]


def test_moot_issues_count_for_nothing_against_a_declared_no_deal_value() -> None:
    """``y`` applies only if ``x`` moves; A's no-deal value on ``y`` (0, its ideal point) differs from the
    status quo (100). When ``x`` stays, ``y`` is moot and counts for nothing, so A signs a deal on ``z``
    alone (B's red line keeps ``x`` where it is)."""
    s = from_dict(
        {
            "id": "moot", "title": "Moot",
            "actors": [{"id": "A", "name": "A"}, {"id": "B", "name": "B"}],
            "issues": [
                {"id": "x", "name": "x", "status_quo": 0},
                {"id": "y", "name": "y", "status_quo": 100, "applies_if": {"issue": "x", "op": ">", "value": 0}},
                {"id": "z", "name": "z", "status_quo": 0},
            ],
            "positions": {
                "A": {"x": {"position": 0, "salience": 0.1}, "y": {"position": 0, "salience": 1.0},
                      "z": {"position": 100, "salience": 0.1}},
                "B": {"x": {"position": 0, "salience": 0.5, "acceptable": [0, 0]},
                      "z": {"position": 100, "salience": 0.5}},
            },
            "parties": ["A", "B"],
            "agreements": [{"id": "deal", "issues": ["x", "y", "z"]}],
            "disagreement": {"A": {"y": 0}},
        }
    )  # fmt: skip
    p = scenario_problem(s)
    assert same(s, p.stack([p]), step=0.5)[3] == [True, True]


def test_small_helpers_cases() -> None:
    for s in (islands(), treaty()):
        p = scenario_problem(s)
        assert same(s)[0] == "flags"
        assert same(s, p.stack([p, p]))[3] == [bool(D.deal_exists(s))] * 3


def test_a_space_too_large_to_enumerate_is_searched_as_before() -> None:
    """A draw whose package space exceeds ``MAX_ENUMERATE`` is searched (seeded) by the per-draw path."""
    s = islands()
    p = scenario_problem(s)
    flags = same(s, p.stack([p]), step=0.01, options="grid")  # 101 ** 3 > 1e6 packages
    assert flags[0] == "flags"


def test_options_must_hold_the_status_quo() -> None:
    p = D.problem_from_scenario(islands())
    x = DrawNumbers(
        position=p.position[None],
        salience=p.salience[None],
        disagreement=p.disagreement[None],
        acceptable=p.acceptable[None],
        status_quo=p.status_quo[None] + 1.0,
        options=tuple(o[None] for o in p.options),
    )
    with pytest.raises(ValueError, match="status quo"):
        feasible_draws(p, x)


def test_memory_bound_and_known_packages_do_not_change_flags() -> None:
    """Passes of one draw and one package at a time (the smallest bound), and judging none, one or many
    packages found feasible in earlier draws first, give the same flags."""
    s = treaty()
    problem = wide(scenario_problem(s), 40, 3)
    template = D.problem_from_scenario(s, problem.item(0))
    from realpolitik.deals.analysis import draw_numbers

    x, ok = draw_numbers(s, problem, template)
    assert ok.all()
    ref = deal_exists_per_draw(s, problem)
    assert ref.any() and not ref.all()
    for elements in (1, 7, 1000, 1 << 20):
        for known in (0, 1, 64):
            assert feasible_draws(template, x, elements=elements, known=known).tolist() == ref.tolist()
