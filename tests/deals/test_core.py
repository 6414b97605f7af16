"""Properties of the array core: feasible set, frontier, solutions, vetoes, invariances."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.deals import DealProblem, analyse, grid_options, issue_options, pareto_mask, risk_exponent
from realpolitik.deals.core import apply_concession

from .strategies import RISKS, brute_force_feasible, deal_problems, permuted

SETTINGS = settings(max_examples=60, deadline=None)


def rows(values: np.ndarray) -> set[tuple[float, ...]]:
    return {tuple(float(x) for x in r) for r in values}


def fresh(p: DealProblem, **changes: object) -> DealProblem:
    return replace(p, _cache={}, **changes)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------- utilities
def test_risk_exponent_family() -> None:
    k = risk_exponent(np.array([-1.0, 0.0, 1.0]))
    assert np.allclose(k, [2.0, 1.0, 0.5])
    p = DealProblem(
        position=np.zeros((3, 1)),
        salience=np.ones((3, 1)),
        capability=np.ones(3),
        bounds=[[0.0, 100.0]],
        status_quo=[0.0],
        options=(np.array([0.0]),),
        party=np.ones(3, bool),
        veto=np.zeros((3, 1), bool),
        risk=np.array([-1.0, 0.0, 1.0]),
    )
    u = p.utility(np.array([[50.0]]))[0]
    # at half the range: averse 1 - 0.25, neutral 0.5, acceptant 1 - sqrt(0.5)
    assert np.allclose(u, [0.75, 0.5, 1 - np.sqrt(0.5)])


def test_options_labels_grid_and_status_quo() -> None:
    assert list(issue_options((0, 100), 20, [0, 7, 100])) == [0, 7, 20, 100]
    assert issue_options((0, 100), 20, [7]).size == 21  # one label: the grid
    assert issue_options((0, 100), 33, [], step=0.25).tolist() == [0, 25, 33, 50, 75, 100]
    both = issue_options((0, 100), 0, [7, 37], mode="both")
    assert 7 in both and 37 in both and 5 in both
    assert issue_options((0, 100), 0, [7, 37], mode="grid").size == 21
    g = grid_options(-1.0, 1.0, 0.05)
    assert g[0] == -1 and g[-1] == 1 and g.size == 21


# ------------------------------------------------------------------------------------- feasible set
@SETTINGS
@given(deal_problems())
def test_feasible_set_matches_brute_force(p: DealProblem) -> None:
    res = analyse(p)
    assert rows(res.values) == brute_force_feasible(p)
    assert res.method == "enumerated"


@SETTINGS
@given(deal_problems())
def test_status_quo_gives_zero_gain_and_is_never_a_deal(p: DealProblem) -> None:
    sq_idx = p.status_quo_index
    assert np.all(p.gains(sq_idx[None, :]) == 0)
    res = analyse(p)
    assert not (res.index == sq_idx).all(axis=1).any()


@SETTINGS
@given(deal_problems())
def test_frontier_is_feasible_and_undominated(p: DealProblem) -> None:
    res = analyse(p)
    parties = np.flatnonzero(p.party)
    g = res.gains[:, parties]
    assert set(res.frontier.tolist()) <= set(range(res.n_feasible))
    for r in res.frontier:
        dominated = np.all(g >= g[r], axis=1) & np.any(g > g[r], axis=1)
        assert not dominated.any()
    # every package off the frontier is dominated by someone
    off = np.setdiff1d(np.arange(res.n_feasible), res.frontier)
    for r in off:
        assert (np.all(g >= g[r], axis=1) & np.any(g > g[r], axis=1)).any()
    if res.n_feasible:
        assert res.nash in res.frontier and res.kalai_smorodinsky in res.frontier
        for i, r in enumerate(res.favourites[parties]):
            assert g[r, i] == g[:, i].max()
    else:
        assert res.nash == -1 and res.kalai_smorodinsky == -1


def test_pareto_mask_small_cases() -> None:
    pts = np.array([[1, 1, 1], [2, 0, 1], [1, 1, 1], [0, 0, 0], [2, 1, 0], [2, 1, 1]], float)
    assert pareto_mask(pts).tolist() == [False, False, False, False, False, True]
    pts2 = np.array([[1, 3], [2, 2], [3, 1], [2, 1], [1, 3]], float)
    assert pareto_mask(pts2).tolist() == [True, True, True, False, True]


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 4), st.integers(1, 60), st.integers(0, 10_000))
def test_pareto_mask_against_pairwise(p: int, n: int, seed: int) -> None:
    pts = np.random.default_rng(seed).integers(0, 4, size=(n, p)).astype(float)
    ge = np.all(pts[None, :, :] >= pts[:, None, :], axis=-1)
    gt = np.any(pts[None, :, :] > pts[:, None, :], axis=-1)
    assert pareto_mask(pts, block=7).tolist() == (~(ge & gt).any(axis=1)).tolist()


# ------------------------------------------------------------------------------------- vetoes
@SETTINGS
@given(deal_problems(), st.data())
def test_vetoes_are_monotone(p: DealProblem, data: st.DataObject) -> None:
    """A new veto holder never enlarges the feasible set; dropping a veto holder never shrinks it."""
    base = rows(analyse(p).values)
    a, d = p.veto.shape
    i = data.draw(st.integers(0, a - 1))
    issues = data.draw(st.lists(st.integers(0, d - 1), min_size=1, max_size=d, unique=True))
    more = p.veto.copy()
    more[i, :] = False
    more[i, issues] = True
    without_i = p.veto.copy()
    without_i[i, :] = False
    smaller = rows(analyse(fresh(p, veto=without_i)).values)
    assert rows(analyse(fresh(p, veto=more)).values) <= smaller
    assert smaller >= base


def test_widening_a_veto_can_enlarge_the_set() -> None:
    """A veto holder judges its veto issues together: adding an issue where a package helps it can offset a
    loss on another veto issue (documented in docs/deals.md)."""
    p = DealProblem(
        position=np.array([[0.0, 100.0], [100.0, 0.0], [0.0, 0.0]]),
        salience=np.ones((3, 2)),
        capability=np.ones(3),
        bounds=np.tile([0.0, 100.0], (2, 1)),
        status_quo=np.array([100.0, 0.0]),
        options=(np.array([0.0, 100.0]), np.array([0.0, 50.0, 100.0])),
        party=np.array([True, False, False]),
        veto=np.array([[False, False], [False, False], [False, True]]),
    )
    narrow = rows(analyse(p).values)
    wide = rows(analyse(fresh(p, veto=np.array([[False, False], [False, False], [True, True]]))).values)
    assert (0.0, 50.0) in wide and (0.0, 50.0) not in narrow


@SETTINGS
@given(deal_problems())
def test_veto_effects_equal_recount(p: DealProblem) -> None:
    res = analyse(p)
    for i, n in res.veto_effects.items():
        veto = p.veto.copy()
        veto[i] = False
        assert n == analyse(fresh(p, veto=veto)).n_feasible
        assert n >= res.n_feasible
    for i, n in res.consent_effects.items():
        party = p.party.copy()
        party[i] = False
        assert n == analyse(fresh(p, party=party)).n_feasible


# ------------------------------------------------------------------------------------- symmetry
@settings(max_examples=40, deadline=None)
@given(st.integers(1, 9), st.integers(0, 10), st.sampled_from(RISKS), st.integers(0, 4))
def test_symmetric_parties_split_at_the_midpoint(a: int, extra: int, risk: float, half_steps: int) -> None:
    """Mirror-image parties on one issue, equally strong, each with its no-deal point equally far away:
    Kalai–Smorodinsky (always) and Nash (for concave or linear utilities) choose the midpoint.

    The status quo is at the lower bound, not at the midpoint: a package equal to the status quo changes
    no agreement, so it is never a deal, whatever the declared no-deal points (DESIGN §4a)."""
    m, h = 50.0, 50.0
    gap = a * 5.0  # positions m ± gap
    far = min(h, gap + 5.0 * (extra + 1))  # disagreement points m ∓ far, on the other side
    opts = grid_options(m - h, m + h, 1 / (20 * (1 + half_steps)))
    p = DealProblem(
        position=np.array([[m - gap], [m + gap]]),
        salience=np.ones((2, 1)),
        capability=np.ones(2),
        bounds=[[m - h, m + h]],
        status_quo=[m - h],
        options=(opts,),
        party=np.ones(2, bool),
        veto=np.zeros((2, 1), bool),
        risk=np.array([risk, risk]),
        disagreement=np.array([[m + far], [m - far]]),
    )
    res = analyse(p)
    assert res.n_feasible > 0
    assert res.values[res.kalai_smorodinsky, 0] == pytest.approx(m)
    if risk <= 0:
        assert res.values[res.nash, 0] == pytest.approx(m)


# ------------------------------------------------------------------------------------- invariance
@SETTINGS
@given(deal_problems(), st.randoms(use_true_random=False))
def test_actor_and_issue_order_do_not_matter(p: DealProblem, rnd: object) -> None:
    a, d = p.position.shape
    ao = np.array(rnd.sample(range(a), a))  # type: ignore[attr-defined]
    do = np.array(rnd.sample(range(d), d))  # type: ignore[attr-defined]
    q = permuted(p, ao, do)
    r1, r2 = analyse(p), analyse(q)
    assert rows(r1.values[:, do]) == rows(r2.values)
    assert rows(r1.values[r1.frontier][:, do]) == rows(r2.values[r2.frontier])
    if r1.n_feasible:
        # the same gains (ties between equal-gain packages may be broken differently)
        assert np.array_equal(r1.gains[r1.nash][ao], r2.gains[r2.nash])
        assert np.array_equal(r1.gains[r1.kalai_smorodinsky][ao], r2.gains[r2.kalai_smorodinsky])
    assert {int(ao[i]): n for i, n in r2.veto_effects.items()} == r1.veto_effects
    assert np.array_equal(r1.linked[do], r2.linked)


# ------------------------------------------------------------------------------------- search
@settings(max_examples=25, deadline=None)
@given(deal_problems(max_issues=3, max_options=5), st.integers(0, 2**16))
def test_search_finds_only_feasible_packages(p: DealProblem, seed: int) -> None:
    full = analyse(p)
    found = analyse(p, max_enumerate=1, seed=seed, search_starts=64, search_sweeps=10)
    assert found.method == "search"
    assert rows(found.values) <= rows(full.values)
    for i, n in found.veto_effects.items():
        assert n <= full.veto_effects[i]


def test_search_is_seeded() -> None:
    rng = np.random.default_rng(5)
    a, d = 6, 6
    p = DealProblem(
        position=rng.uniform(0, 100, (a, d)),
        salience=rng.uniform(0, 1, (a, d)),
        capability=np.ones(a),
        bounds=np.tile([0.0, 100.0], (d, 1)),
        status_quo=np.full(d, 50.0),
        options=tuple(grid_options(0, 100, 0.1) for _ in range(d)),
        party=np.array([1, 1, 1, 0, 0, 0], bool),
        veto=np.zeros((a, d), bool),
    )
    r1 = analyse(p, max_enumerate=1000, seed=3)
    r2 = analyse(p, max_enumerate=1000, seed=3)
    assert r1.method == "search" and r1.n_feasible > 0
    assert np.array_equal(r1.index, r2.index)
    full = analyse(p, max_enumerate=2_000_000)
    assert full.method == "enumerated"
    assert rows(r1.values) <= rows(full.values)


# ------------------------------------------------------------------------------------- concessions
def _deadlock() -> DealProblem:
    """Two risk-neutral parties, mirror images on two issues with equal saliences: every trade is zero-sum."""
    return DealProblem(
        position=np.array([[100.0, 0.0], [0.0, 100.0]]),
        salience=np.array([[1.0, 1.0], [1.0, 1.0]]),
        capability=np.ones(2),
        bounds=np.tile([0.0, 100.0], (2, 1)),
        status_quo=np.array([0.0, 0.0]),
        options=(grid_options(0, 100, 0.25), grid_options(0, 100, 0.25)),
        party=np.ones(2, bool),
        veto=np.zeros((2, 2), bool),
    )


def test_concession_opens_a_deal_and_is_the_smallest() -> None:
    p = _deadlock()
    res = analyse(p)
    assert res.n_feasible == 0
    conc = {i: c for i, c in res.concessions.items() if c is not None}
    assert conc
    for i, c in conc.items():
        assert c.actor == i and c.n_feasible and c.n_feasible > 0
        assert analyse(apply_concession(p, c)).n_feasible == c.n_feasible
        # no smaller move on the same candidate grid opens a deal
        for j in range(p.n_issues):
            for new in np.linspace(0, 100, 401):
                if abs(new - p.position[i, j]) / 100 < c.size - 1e-12:
                    pos = p.position.copy()
                    pos[i, j] = new
                    assert analyse(fresh(p, position=pos), concessions=False).n_feasible == 0
            for new in np.linspace(0, 1, 401):
                if abs(new - p.salience[i, j]) < c.size - 1e-12:
                    sal = p.salience.copy()
                    sal[i, j] = new
                    assert analyse(fresh(p, salience=sal), concessions=False).n_feasible == 0


def test_no_concessions_when_a_deal_exists() -> None:
    p = _deadlock()
    sal = p.salience.copy()
    sal[0, 0] = 2.0
    res = analyse(fresh(p, salience=sal))
    assert res.n_feasible > 0
    assert res.concessions == {}


def test_margin_shrinks_the_feasible_set() -> None:
    rng = np.random.default_rng(1)
    p = DealProblem(
        position=rng.uniform(0, 100, (3, 3)),
        salience=rng.uniform(0, 1, (3, 3)),
        capability=np.ones(3),
        bounds=np.tile([0.0, 100.0], (3, 1)),
        status_quo=np.full(3, 50.0),
        options=tuple(grid_options(0, 100, 0.1) for _ in range(3)),
        party=np.ones(3, bool),
        veto=np.zeros((3, 3), bool),
    )
    n0 = analyse(p).n_feasible
    n1 = analyse(fresh(p, margin=0.02)).n_feasible
    assert n0 > n1
    assert rows(analyse(fresh(p, margin=0.02)).values) <= rows(analyse(p).values)
