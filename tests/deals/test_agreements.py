"""Properties of the deal analysis under decision rules (DESIGN §4a): agreements, signers per agreement,
vetoes, red lines and conditional issues, checked against a brute-force reading of the definitions."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.deals import Condition, DealProblem, analyse, enumerate_feasible, evaluate, judge_index
from realpolitik.deals.core import (
    CONCESSION_FIELDS,
    apply_concession,
    merged,
    single_issue_deals,
    unravel,
)
from realpolitik.deals.search import find_feasible

from .strategies import agreement_problems, brute_feasible, brute_moot, brute_verdict, permuted

SETTINGS = settings(max_examples=60, deadline=None)


def as_set(values: np.ndarray) -> set[tuple[float, ...]]:
    return {tuple(float(x) for x in r) for r in values}


def all_index(p: DealProblem) -> np.ndarray:
    return unravel(p, np.arange(p.n_packages, dtype=np.int64))


# ------------------------------------------------------------------------------------- one acceptance test
@SETTINGS
@given(agreement_problems())
def test_judge_index_is_bit_identical_to_judge_on_values(p: DealProblem) -> None:
    idx = all_index(p)
    a = judge_index(p, p.rows(), idx)
    b = p.judge(p.values(idx))
    assert np.array_equal(a.gain, b.gain)  # bit for bit, not approximately
    assert np.array_equal(a.accept, b.accept)
    assert np.array_equal(a.active, b.active)
    assert np.array_equal(a.valid, b.valid)
    assert np.array_equal(a.moot, b.moot)
    assert np.array_equal(a.feasible, b.feasible)
    assert np.array_equal(a.outside[:, :, 0], b.outside.any(axis=-1))
    assert np.array_equal(p.moot_index(idx), p.moot(p.values(idx)))


@SETTINGS
@given(agreement_problems())
def test_feasible_set_matches_the_definitions(p: DealProblem) -> None:
    res = analyse(p, concessions=False)
    assert res.method == "enumerated"
    assert as_set(res.values) == brute_feasible(p)
    # and equals the packages the one acceptance test judges feasible, one by one
    vals = p.values(all_index(p))
    assert as_set(vals[p.judge(vals).feasible]) == as_set(res.values)


@SETTINGS
@given(agreement_problems())
def test_moot_issues_follow_the_definition(p: DealProblem) -> None:
    vals = p.values(all_index(p))
    moot = p.moot(vals)
    for v, m in zip(vals, moot, strict=True):
        assert m.tolist() == brute_moot(p, tuple(v))


@SETTINGS
@given(agreement_problems())
def test_status_quo_and_moot_duplicates_are_never_deals(p: DealProblem) -> None:
    res = analyse(p, concessions=False)
    assert not (res.index == p.status_quo_index).all(axis=1).any()
    vals = res.values
    moot = p.moot(vals)
    assert (vals[moot] == np.broadcast_to(p.status_quo, vals.shape)[moot]).all()  # one package, counted once
    assert len(as_set(vals)) == res.n_feasible


@SETTINGS
@given(agreement_problems())
def test_evaluate_agrees_with_the_analysis(p: DealProblem) -> None:
    res = analyse(p, concessions=False)
    feas = as_set(res.values)
    for v in p.values(all_index(p)):
        ev = evaluate(p, v)
        same = np.array_equal(ev.values, v)  # a package moving a moot issue is judged as its effective one
        assert ev.feasible == (tuple(ev.values.tolist()) in feas)
        if same:
            assert ev.feasible == (tuple(v.tolist()) in feas)


def test_a_problem_without_agreements_keeps_one_package_signed_by_the_parties() -> None:
    p = DealProblem(
        position=np.array([[0.0, 100.0], [100.0, 0.0]]),
        salience=np.array([[1.0, 0.2], [0.2, 1.0]]),
        capability=np.ones(2),
        bounds=np.tile([0.0, 100.0], (2, 1)),
        status_quo=np.array([50.0, 50.0]),
        options=(np.array([0.0, 50.0, 100.0]),) * 2,
        party=np.ones(2, bool),
        veto=np.zeros((2, 2), bool),
    )
    assert p.n_groups == 1 and p.signers.tolist() == [[True, True]]
    assert p.rows().n == 2  # one row per party, judging both issues
    res = analyse(p)
    assert as_set(res.values) == {(0.0, 0.0)}  # the trade: each gives on what it cares less about
    # the same issues as two agreements: neither is accepted on its own
    two = replace(p, group=np.array([0, 1]), _cache={})
    assert analyse(two).n_feasible == 0
    assert analyse(two).if_linked == 1


# ------------------------------------------------------------------------------------- linkage, effects
@SETTINGS
@given(agreement_problems())
def test_single_issue_deals_match_the_definitions(p: DealProblem) -> None:
    got = single_issue_deals(p)
    feas = brute_feasible(p)
    for j in range(p.n_issues):
        alone = any(
            all(v[k] == p.status_quo[k] for k in range(p.n_issues) if k != j) and v[j] != p.status_quo[j]
            for v in feas
        )
        assert got[j] == alone


@SETTINGS
@given(agreement_problems())
def test_dropping_a_row_never_shrinks_the_feasible_set(p: DealProblem) -> None:
    rows = p.rows()
    base = set(enumerate_feasible(p, rows).feasible.tolist())
    for r in range(rows.n):
        fewer = set(enumerate_feasible(p, rows.drop([r])).feasible.tolist())
        assert base <= fewer


@SETTINGS
@given(agreement_problems())
def test_veto_and_consent_effects_are_exact(p: DealProblem) -> None:
    res = analyse(p, concessions=False)
    groups = range(p.n_groups)
    for i, n in res.veto_effects.items():
        assert n == len(brute_feasible(p, {(g, i, "veto") for g in groups}))
        assert n >= res.n_feasible
    for i, n in res.consent_effects.items():
        assert n == len(brute_feasible(p, {(g, i, "party") for g in groups}))
        assert n >= res.n_feasible
    holders = {int(a) for a, k in zip(p.rows().actor, p.rows().kind, strict=True) if k == "veto"}
    signers = {int(a) for a, k in zip(p.rows().actor, p.rows().kind, strict=True) if k == "party"}
    assert set(res.veto_effects) == holders and set(res.consent_effects) == signers


@SETTINGS
@given(agreement_problems())
def test_if_linked_is_the_feasible_count_of_one_agreement(p: DealProblem) -> None:
    res = analyse(p, concessions=False)
    if p.n_groups == 1:
        assert res.if_linked is None
    else:
        one = merged(p)
        assert one.n_groups == 1 and one.signers[0].tolist() == p.signers.any(axis=0).tolist()
        assert res.if_linked == len(brute_feasible(one))


@SETTINGS
@given(agreement_problems())
def test_frontier_and_solutions(p: DealProblem) -> None:
    res = analyse(p, concessions=False)
    parties = np.flatnonzero(p.party)
    g = res.gains[:, parties]
    for r in res.frontier:
        assert not (np.all(g >= g[r], axis=1) & np.any(g > g[r], axis=1)).any()
    for r in np.setdiff1d(np.arange(res.n_feasible), res.frontier):
        assert (np.all(g >= g[r], axis=1) & np.any(g > g[r], axis=1)).any()
    # the solutions: on the frontier, among individually rational packages (no party loses, every party
    # that gains somewhere gains), maximising their objective there
    stake = (g > 0).any(axis=0) if res.n_feasible else np.zeros(parties.size, bool)
    rational = (g >= 0).all(axis=1) & (g[:, stake] > 0).all(axis=1)
    if res.n_feasible and stake.any() and rational[res.frontier].any():
        assert res.nash in res.frontier and res.kalai_smorodinsky in res.frontier
        assert rational[res.nash] and rational[res.kalai_smorodinsky]
        sg = g[:, stake]
        w = p.capability[parties][stake] / p.capability[parties][stake].sum()
        obj = np.where(rational, (w * np.log(np.where(sg > 0, sg, 1.0))).sum(axis=1), -np.inf)
        assert obj[res.nash] >= obj.max() - 1e-9
        ratio = (sg / sg.max(axis=0)).min(axis=1)
        assert ratio[res.kalai_smorodinsky] >= np.where(rational, ratio, -np.inf).max() - 1e-9
    else:
        assert res.nash == -1 and res.kalai_smorodinsky == -1


# ------------------------------------------------------------------------------------- search
@settings(max_examples=40, deadline=None)
@given(agreement_problems(max_options=5), st.integers(0, 2**16))
def test_search_never_returns_an_infeasible_package(p: DealProblem, seed: int) -> None:
    found = find_feasible(p, None, np.random.default_rng(seed), starts=32, sweeps=10)
    truth = brute_feasible(p)
    assert as_set(p.values(found)) <= truth
    res = analyse(p, max_enumerate=1, seed=seed, search_starts=32, search_sweeps=10)
    assert res.method == "search" and as_set(res.values) <= truth


def test_search_finds_deals_on_small_problems_often() -> None:
    """Over 60 seeded problems with agreements, red lines and conditions, the search finds some package
    whenever one exists in at least 9 cases of 10, and most of the feasible set on average."""
    with_deal = hit = 0
    shares = []
    for k in range(60):
        p = _seeded_problem(k)
        truth = as_set(analyse(p, concessions=False).values)
        if not truth:
            continue
        with_deal += 1
        found = as_set(p.values(find_feasible(p, None, np.random.default_rng(k), starts=256, sweeps=20)))
        assert found <= truth
        hit += bool(found)
        shares.append(len(found) / len(truth))
    assert with_deal >= 20
    assert hit >= 0.9 * with_deal
    assert np.mean(shares) >= 0.5


def _seeded_problem(seed: int) -> DealProblem:
    """A random problem with the whole structure (agreements, signers, vetoes, red lines, a condition)."""
    rng = np.random.default_rng(seed)
    a, d = 4, 4
    pos = rng.integers(0, 21, size=(a, d)) * 5.0
    acc = np.tile([0.0, 100.0], (a, d, 1))
    acc[0, 0] = (max(0.0, pos[0, 0] - 30), 100.0)
    acc[1, 1] = (0.0, min(100.0, pos[1, 1] + 30))
    group = np.array([0, 0, 1, 2])
    signer = np.array([[1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 1, 0]], dtype=bool)
    veto = np.zeros((a, d), dtype=bool)
    veto[3, 1] = True
    return DealProblem(
        position=pos,
        salience=rng.uniform(0.1, 1.0, size=(a, d)),
        capability=np.ones(a),
        bounds=np.tile([0.0, 100.0], (d, 1)),
        status_quo=rng.integers(0, 5, size=d) * 25.0,
        options=tuple(np.linspace(0.0, 100.0, 5) for _ in range(d)),
        party=signer.any(axis=0),
        veto=veto,
        risk=rng.choice([-1.0, 0.0, 1.0], size=a),
        acceptable=acc,
        group=group,
        signer=signer,
        conditions=(Condition(1, 0, ">", 0.0),),
    )


# ------------------------------------------------------------------------------------- concessions
def _check_concession(p: DealProblem, c: object) -> None:
    from realpolitik.deals import Concession

    assert isinstance(c, Concession)
    assert c.field in CONCESSION_FIELDS
    w = float(p.width[c.issue])
    if c.field == "position":
        assert c.old == p.position[c.actor, c.issue]
        lo, hi = p.acceptable[c.actor, c.issue]
        assert lo <= c.new <= hi  # a position moves only inside the actor's own acceptable range
        assert c.size == pytest.approx(abs(c.new - c.old) / w)
    elif c.field == "salience":
        assert c.old == p.salience[c.actor, c.issue] and 0 <= c.new <= 1
        assert c.size == pytest.approx(abs(c.new - c.old))
    elif c.field == "acceptable_high":
        assert c.old == p.acceptable[c.actor, c.issue, 1] and c.new > c.old  # the upper end moves up
        assert c.size == pytest.approx((c.new - c.old) / w)
    else:
        assert c.old == p.acceptable[c.actor, c.issue, 0] and c.new < c.old  # the lower end moves down
        assert c.size == pytest.approx((c.old - c.new) / w)
    assert c.size > 0
    moved = apply_concession(p, c)
    feas = brute_feasible(moved)
    assert c.n_feasible == len(feas) and c.n_feasible > 0
    assert c.agreement is not None
    issues = np.flatnonzero(p.group == c.agreement)
    opened = [v for v in feas if any(v[j] != p.status_quo[j] and not brute_moot(moved, v)[j] for j in issues)]
    assert c.n_opened == len(opened) > 0


@settings(max_examples=60, deadline=None)
@given(agreement_problems(max_options=3))
def test_reported_concessions_open_what_they_say(p: DealProblem) -> None:
    res = analyse(p)
    if res.n_feasible:
        assert res.concessions == {}
    blocked = set(np.flatnonzero(~res.changes).tolist())
    assert set(res.agreement_concessions) == blocked
    for g, per in res.agreement_concessions.items():
        assert set(per) == set(p.rows().actor.tolist())
        for i, c in per.items():
            if c is not None:
                assert c.actor == i and c.agreement == g
                _check_concession(p, c)
    if res.n_feasible == 0:
        for i, c in res.concessions.items():
            sizes = [per[i].size for per in res.agreement_concessions.values() if per.get(i) is not None]
            assert (c is None) == (not sizes)
            if c is not None:
                assert c.size == min(sizes)


def _redline_deadlock() -> DealProblem:
    """Two parties; B's red line (at most 25 on issue 0) blocks every trade A would accept."""
    return DealProblem(
        position=np.array([[100.0, 0.0], [0.0, 100.0]]),
        salience=np.array([[1.0, 0.5], [0.5, 1.0]]),
        capability=np.ones(2),
        bounds=np.tile([0.0, 100.0], (2, 1)),
        status_quo=np.array([0.0, 0.0]),
        options=(np.linspace(0, 100, 5),) * 2,
        party=np.ones(2, bool),
        veto=np.zeros((2, 2), bool),
        acceptable=np.array([[[0.0, 100.0], [0.0, 100.0]], [[0.0, 0.0], [0.0, 100.0]]]),
    )


def test_a_red_line_relaxed_is_named_with_its_end_and_new_value() -> None:
    p = _redline_deadlock()
    res = analyse(p)
    assert res.n_feasible == 0
    c = res.concessions[1]
    assert c is not None
    assert (c.field, c.issue, c.old, c.new) == ("acceptable_high", 0, 0.0, 25.0)
    assert c.size == pytest.approx(0.25) and c.n_feasible and c.n_feasible > 0
    # nothing smaller opens a deal: B's position is pinned by its red line, and every trade needs
    # issue 0 off zero, so only relaxing the upper end helps — and 25 is the nearest option
    assert analyse(apply_concession(p, replace(c, new=24.9)), concessions=False).n_feasible == 0


def test_an_actor_judged_by_two_rows_concedes_for_both() -> None:
    """B signs and holds a veto on issue 1 of the same agreement: its concession must satisfy both rows;
    the per-actor search finds it where one row at a time would not."""
    p = DealProblem(
        position=np.array([[100.0, 100.0], [0.0, 0.0]]),
        salience=np.array([[1.0, 1.0], [1.0, 0.2]]),
        capability=np.ones(2),
        bounds=np.tile([0.0, 100.0], (2, 1)),
        status_quo=np.array([0.0, 0.0]),
        options=(np.array([0.0]), np.linspace(0, 100, 5)),  # only issue 1 can move: both of B's rows refuse
        party=np.ones(2, bool),
        veto=np.array([[False, False], [False, True]]),
    )
    res = analyse(p)
    assert res.n_feasible == 0
    c = res.concessions[1]
    assert c is not None
    _check_concession(p, c)
    # brute force over B's candidate positions and saliences: none smaller opens a deal
    for j in range(2):
        for new in np.linspace(0, 100, 401):
            if abs(new - p.position[1, j]) / 100 < c.size - 1e-12:
                pos = p.position.copy()
                pos[1, j] = new
                assert not brute_feasible(replace(p, position=pos, _cache={}))
        for new in np.linspace(0, 1, 401):
            if abs(new - p.salience[1, j]) < c.size - 1e-12:
                sal = p.salience.copy()
                sal[1, j] = new
                assert not brute_feasible(replace(p, salience=sal, _cache={}))


# ------------------------------------------------------------------------------------- invariance
@SETTINGS
@given(agreement_problems(), st.randoms(use_true_random=False))
def test_actor_and_issue_order_do_not_matter(p: DealProblem, rnd: object) -> None:
    a, d = p.position.shape
    ao = np.array(rnd.sample(range(a), a))  # type: ignore[attr-defined]
    do = np.array(rnd.sample(range(d), d))  # type: ignore[attr-defined]
    inv_a = np.argsort(ao)
    q = permuted(p, ao, do)
    r1, r2 = analyse(p), analyse(q)
    assert as_set(r1.values[:, do]) == as_set(r2.values)
    assert as_set(r1.values[r1.frontier][:, do]) == as_set(r2.values[r2.frontier])
    assert {int(inv_a[i]): n for i, n in r1.veto_effects.items()} == r2.veto_effects
    assert {int(inv_a[i]): n for i, n in r1.consent_effects.items()} == r2.consent_effects
    assert np.array_equal(r1.single_issue[do], r2.single_issue)
    assert r1.if_linked == r2.if_linked
    size1 = {int(inv_a[i]): (None if c is None else round(c.size, 9)) for i, c in r1.concessions.items()}
    size2 = {i: (None if c is None else round(c.size, 9)) for i, c in r2.concessions.items()}
    assert size1 == size2
    if r1.n_feasible:
        assert np.array_equal(r1.gains[r1.nash][ao], r2.gains[r2.nash])


def test_conditions_may_be_given_in_any_order_but_not_in_a_cycle() -> None:
    base = _seeded_problem(3)
    chain = (Condition(2, 1, ">", 0.0), Condition(1, 0, ">", 0.0))  # issue 2 reads 1, which reads 0
    p = replace(
        base,
        status_quo=np.zeros(4),
        conditions=chain,
        group=np.array([0, 0, 0, 1]),
        signer=base.signers[:2],
        _cache={},
    )
    assert [c.issue for c in p.conditions] == [1, 2]  # sorted: a condition after those it depends on
    v = np.array([0.0, 50.0, 50.0, 0.0])
    assert p.moot(v).tolist() == [False, True, True, False]  # 1 is moot, so 2 reads 1's status quo
    with pytest.raises(ValueError, match="cycle"):
        replace(base, conditions=(Condition(0, 1, ">", 0.0), Condition(1, 0, ">", 0.0)), _cache={})


def test_red_lines_must_be_ranges() -> None:
    p = _redline_deadlock()
    acc = p.acceptable.copy()
    acc[0, 0] = (60.0, 40.0)
    with pytest.raises(ValueError, match="low <= high"):
        replace(p, acceptable=acc, _cache={})


def test_the_brute_force_reference_sees_red_lines() -> None:
    """The reference itself can refuse: without B's red line (50, 50) is a deal, with it none is."""
    p = _redline_deadlock()
    free = replace(p, acceptable=np.tile([0.0, 100.0], (2, 2, 1)), _cache={})
    assert brute_verdict(free, (50.0, 50.0))
    assert not brute_verdict(p, (50.0, 50.0))
    assert brute_feasible(p) == set()
