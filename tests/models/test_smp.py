"""KTAB's spatial model of politics against KTAB's own runs, plus contract and property checks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realpolitik import _native
from realpolitik.models import BargainingProblem, get_model, smp_native
from realpolitik.models import smp_kernels as kern
from realpolitik.models.smp import INFO_SMP, run_smp

DATA = Path(__file__).resolve().parents[1] / "data" / "ktab"
SCENARIOS = sorted(p.name for p in DATA.iterdir() if (p / "expected.json").is_file())


# --------------------------------------------------------------------------- KTAB CSV (tests only)
def read_ktab_csv(path: Path) -> BargainingProblem:
    """A minimal reader for KTAB's SMP CSV: positions 0-100, saliences 0-100 (divided by 100 here)."""
    rows = [[f.strip().strip('"').strip() for f in line.split(",")] for line in path.read_text().splitlines()]
    rows = [r for r in rows if any(r)]
    n_act, n_dim = int(rows[0][2]), int(rows[0][3])
    header = rows[1]
    issues = tuple(header[3 + 2 * k] for k in range(n_dim))
    body = rows[2 : 2 + n_act]
    return BargainingProblem(
        capability=np.array([float(r[2]) for r in body]),
        position=np.array([[float(r[3 + 2 * k]) for k in range(n_dim)] for r in body]),
        salience=np.array([[float(r[4 + 2 * k]) for k in range(n_dim)] for r in body]) / 100.0,
        bounds=np.tile([0.0, 100.0], (n_dim, 1)),
        status_quo=np.full(n_dim, 50.0),
        actors=tuple(r[0] for r in body),
        issues=issues,
    )


def load(folder: Path) -> tuple[BargainingProblem, dict]:
    return read_ktab_csv(folder / "input.csv"), json.loads((folder / "expected.json").read_text())


def check_against_reference(problem: BargainingProblem, exp: dict) -> None:
    tr = run_smp(problem)
    actors = exp["actors"]
    assert list(problem.actors) == actors
    hist = np.array([[state[a] for a in actors] for state in exp["history"]])
    # the same number of states, and every state within 0.01 on 0-100
    assert tr.extras["n_states"] == exp["n_states"] == len(hist)
    assert tr.rounds == exp["n_rounds"]
    assert tr.positions.shape == hist.shape
    np.testing.assert_allclose(tr.positions, hist, atol=0.01, rtol=0)
    final = np.array([exp["final_positions"][a] for a in actors])
    np.testing.assert_allclose(tr.positions[-1], final, atol=0.01, rtol=0)
    # reported probabilities: KTAB prints 4 decimals
    fp = np.array([exp["final_probabilities"][a] for a in actors])
    np.testing.assert_allclose(tr.extras["final_probabilities"], fp, atol=1e-4, rtol=0)
    ph = np.array([[row[a] for a in actors] for row in exp["probability_history"]])
    np.testing.assert_allclose(tr.extras["probability_history"], ph, atol=1e-4, rtol=0)
    np.testing.assert_allclose(tr.extras["fractional_change"], exp["fractional_change_by_step"], atol=1e-4)
    # the reference outcome uses the printed (rounded) class probabilities
    np.testing.assert_allclose(tr.outcome, exp["outcome"], atol=0.01)


@pytest.mark.parametrize("name", SCENARIOS)
def test_reference_runs(name: str) -> None:
    check_against_reference(*load(DATA / name))


def test_reference_runs_in_shared(shared_dir: Path) -> None:
    """Every KTAB run under shared/reference/ktab/, including any not copied into tests/data."""
    folders = sorted(p for p in (shared_dir / "reference" / "ktab").iterdir() if (p / "input.csv").is_file())
    assert folders
    for folder in folders:
        check_against_reference(*load(folder))


def test_reference_final_classes() -> None:
    problem, exp = load(DATA / "SOE-Pol-Comp")
    tr = run_smp(problem)
    js = INFO_SMP.extras_to_json(tr.extras, problem)  # type: ignore[misc]
    got = {tuple(c["actors"]): c["probability"] for c in js["final_classes"]}
    want = {tuple(c["actors"]): c["probability"] for c in exp["final_position_classes"]}
    assert got.keys() == want.keys()
    for key, p in want.items():
        assert got[key] == pytest.approx(p, abs=1e-4)


def test_worked_check_dummy_first_state_and_turn() -> None:
    """Spec §13: risk attitudes of state 0 and the targets of turn 1 of dummyData_3Dim."""
    problem, _ = load(DATA / "dummyData_3Dim")
    tr = run_smp(problem)
    r0 = tr.extras["risk_attitudes"][0]
    np.testing.assert_allclose(r0, [-0.5, -0.4593, -0.4995, -0.2741, 1.0, -0.2319, -0.4303], atol=1e-4)
    np.testing.assert_array_equal(tr.extras["targets"][0], [6, 0, 6, 0, 0, 1, 1])
    # S2P2's 1e-6 asymmetry: SActor-04 -> SActor-00 offers 44.72 to the initiator, 44.71 to the target
    np.testing.assert_allclose(tr.positions[1, 4, 1], 44.72, atol=1e-9)
    np.testing.assert_allclose(tr.positions[1, 0, 1], 44.71, atol=1e-9)


def test_general_kernel_equals_fast_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    problem, _ = load(DATA / "SOE-Pol-Comp")
    fast = run_smp(problem)
    monkeypatch.setattr(kern, "USE_FAST_PATH", False)
    slow = run_smp(problem)
    np.testing.assert_array_equal(fast.positions, slow.positions)
    np.testing.assert_array_equal(fast.extras["final_probabilities"], slow.extras["final_probabilities"])


# --------------------------------------------------------------------------- contract
def random_problem(n: int, d: int, seed: int, lo: float = 0.0, hi: float = 100.0) -> BargainingProblem:
    g = np.random.default_rng(seed)
    sal = g.uniform(0.05, 1.0, (n, d))
    sal = sal / sal.sum(axis=1, keepdims=True) * g.uniform(0.5, 1.0, (n, 1))
    return BargainingProblem(
        capability=g.uniform(10, 200, n),
        position=lo + np.round(g.uniform(0, 1, (n, d)), 4) * (hi - lo),
        salience=sal,
        bounds=np.tile([lo, hi], (d, 1)),
        status_quo=np.full(d, (lo + hi) / 2),
    )


def test_batch_equals_single_runs() -> None:
    soe, _ = load(DATA / "SOE-Pol-Comp")
    g = np.random.default_rng(5)
    members = [soe]
    for _ in range(3):  # perturbed copies stop after different numbers of steps
        members.append(
            BargainingProblem(
                capability=soe.capability * g.uniform(0.5, 1.5, soe.n_actors),
                position=np.round(np.clip(soe.position + g.normal(0, 8, soe.position.shape), 0, 100), 2),
                salience=soe.salience,
                bounds=soe.bounds,
                status_quo=soe.status_quo,
                actors=soe.actors,
            )
        )
    batch = members[0].stack(members[1:])
    tb = run_smp(batch)
    singles = [run_smp(m) for m in members]
    assert len({s.rounds for s in singles}) > 1
    t_max = max(s.positions.shape[0] for s in singles)
    assert tb.positions.shape == (len(members), t_max, soe.n_actors, soe.n_issues)
    for b, s in enumerate(singles):
        assert tb.rounds[b] == s.rounds
        r = s.positions.shape[0]
        np.testing.assert_array_equal(tb.positions[b, :r], s.positions)
        np.testing.assert_array_equal(
            tb.positions[b, r:], np.broadcast_to(s.positions[-1], tb.positions[b, r:].shape)
        )
        np.testing.assert_array_equal(tb.outcome[b], s.outcome)
        np.testing.assert_array_equal(tb.extras["final_probabilities"][b], s.extras["final_probabilities"])
        np.testing.assert_array_equal(
            tb.extras["probability_history"][b, :r], s.extras["probability_history"]
        )


def test_nested_batch_axes() -> None:
    p = random_problem(6, 2, 1)
    b = p.stack([random_problem(6, 2, s) for s in (2, 3, 4, 5, 6)])
    flat = run_smp(b)
    nested = BargainingProblem(
        capability=b.capability.reshape(2, 3, -1),
        position=b.position.reshape(2, 3, 6, 2),
        salience=b.salience.reshape(2, 3, 6, 2),
        bounds=b.bounds,
        status_quo=b.status_quo.reshape(2, 3, 2),
    )
    tn = run_smp(nested)
    assert tn.outcome.shape == (2, 3, 2)
    assert tn.extras["final_probabilities"].shape == (2, 3, 6)
    np.testing.assert_array_equal(tn.outcome.reshape(6, 2), flat.outcome)


@pytest.mark.parametrize("name", SCENARIOS)
def test_actor_order_invariance(name: str) -> None:
    """No exact ties in these scenarios, so a permutation of actors permutes the whole run.

    The reported probabilities depend on actor order through KTAB's greedy grouping of positions
    closer than 0.1 (first-seen representatives, non-transitive), so the outcome may move slightly
    when near-coincident clusters are grouped differently; it is exact when no such cluster exists.
    """
    problem, _ = load(DATA / name)
    a = run_smp(problem)
    for seed in range(3):
        perm = np.random.default_rng(seed).permutation(problem.n_actors)
        b = run_smp(problem.take_actors(perm))
        assert a.rounds == b.rounds
        np.testing.assert_allclose(b.positions, a.positions[:, perm], atol=1e-9)
        np.testing.assert_allclose(b.outcome, a.outcome, atol=0.05)


def test_actor_order_invariance_separated_final_positions() -> None:
    problem, _ = load(DATA / "dummyData_3Dim")
    a = run_smp(problem)
    perm = np.array([3, 6, 0, 5, 2, 4, 1])
    b = run_smp(problem.take_actors(perm))
    np.testing.assert_allclose(b.positions, a.positions[:, perm], atol=1e-9)
    np.testing.assert_allclose(b.outcome, a.outcome, atol=1e-9)
    np.testing.assert_allclose(
        b.extras["final_probabilities"], a.extras["final_probabilities"][perm], atol=1e-9
    )


def test_identical_targets_tie_goes_to_lowest_index() -> None:
    """Two identical actors (2 and 3) get bit-identical gains; challengers pick the first (spec §6.2)."""
    base = random_problem(5, 2, 15)
    pos, sal, cap = base.position.copy(), base.salience.copy(), base.capability.copy()
    pos[3], sal[3], cap[3] = pos[2], sal[2], cap[2]
    p = BargainingProblem(cap, pos, sal, base.bounds, base.status_quo)
    first = run_smp(p).extras["targets"][0]
    others = first[[0, 1, 4]]
    assert (others == 2).sum() >= 2
    assert not (others == 3).any()


def test_bounds_rescaling() -> None:
    """The same problem on 0-100 and on another scale gives the same run up to the scale."""
    a = random_problem(7, 3, 4)
    b = BargainingProblem(
        capability=a.capability,
        position=-5.0 + a.position / 100.0 * 20.0,
        salience=a.salience,
        bounds=np.tile([-5.0, 15.0], (3, 1)),
        status_quo=np.zeros(3),
    )
    ta, tb = run_smp(a), run_smp(b)
    assert ta.rounds == tb.rounds
    np.testing.assert_allclose((tb.positions + 5.0) / 20.0 * 100.0, ta.positions, atol=1e-6)


@pytest.mark.parametrize(
    "problem",
    [
        BargainingProblem(
            [1.0, 2.0, 3.0], [[40.0, 40.0]] * 3, [[0.3, 0.2]] * 3, [[0, 100], [0, 100]], [50, 50]
        ),
        BargainingProblem([1.0, 2.0, 3.0], [[10.0], [50.0], [90.0]], [[0.0]] * 3, [[0, 100]], [50]),
        BargainingProblem([1.0, 2.0, 3.0], [[10.0], [50.0], [90.0]], [[0.0], [0.5], [0.8]], [[0, 100]], [50]),
        BargainingProblem([5.0], [[30.0, 70.0]], [[0.5, 0.5]], [[0, 100], [0, 100]], [50, 50]),
        BargainingProblem([1.0, 1.0], [[0.0], [100.0]], [[1.0], [1.0]], [[0, 100]], [50]),
        BargainingProblem([0.0, 1.0, 2.0], [[0.0], [100.0], [100.0]], [[1.0], [0.5], [0.5]], [[0, 100]], [0]),
    ],
    ids=["one-position", "zero-salience", "some-zero-salience", "one-actor", "two-actors", "zero-cap"],
)
def test_degenerate_inputs_no_nan(problem: BargainingProblem) -> None:
    tr = run_smp(problem)
    assert np.isfinite(tr.positions).all()
    assert np.isfinite(tr.outcome).all()
    for key in ("final_probabilities", "probability_history", "fractional_change", "risk_attitudes"):
        assert np.isfinite(tr.extras[key]).all(), key
    assert tr.extras["n_states"] >= 3
    assert (tr.outcome >= problem.bounds[:, 0] - 1e-9).all() and (
        tr.outcome <= problem.bounds[:, 1] + 1e-9
    ).all()


def test_all_at_one_position_stays() -> None:
    p = BargainingProblem(
        [1.0, 2.0, 3.0], [[40.0, 60.0]] * 3, [[0.3, 0.2]] * 3, [[0, 100], [0, 100]], [50, 50]
    )
    tr = run_smp(p)
    assert tr.rounds == 2
    np.testing.assert_allclose(tr.outcome, [40.0, 60.0])
    np.testing.assert_allclose(tr.extras["final_probabilities"], 1.0)


@st.composite
def problems(draw: st.DrawFn) -> BargainingProblem:
    a = draw(st.integers(1, 6))
    d = draw(st.integers(1, 3))
    lo = np.array(draw(st.lists(st.sampled_from([0.0, -10.0, 4.0]), min_size=d, max_size=d)))
    width = np.array(draw(st.lists(st.sampled_from([1.0, 6.0, 100.0]), min_size=d, max_size=d)))
    unit = st.floats(0.0, 1.0, allow_nan=False)
    pos = np.array(draw(st.lists(unit, min_size=a * d, max_size=a * d))).reshape(a, d)
    sal = np.array(draw(st.lists(unit, min_size=a * d, max_size=a * d))).reshape(a, d)
    cap = np.array(draw(st.lists(st.floats(0.0, 100.0), min_size=a, max_size=a)))
    return BargainingProblem(
        capability=cap,
        position=lo + pos * width,
        salience=sal,
        bounds=np.stack([lo, lo + width], axis=1),
        status_quo=lo + width / 2,
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(p=problems())
def test_outcome_within_bounds(p: BargainingProblem) -> None:
    tr = run_smp(p, max_steps=20)
    lo, hi = p.bounds[:, 0], p.bounds[:, 1]
    assert np.isfinite(tr.outcome).all() and np.isfinite(tr.positions).all()
    assert (tr.outcome >= lo - 1e-9).all() and (tr.outcome <= hi + 1e-9).all()
    assert (tr.positions >= lo - 1e-9).all() and (tr.positions <= hi + 1e-9).all()
    fp = tr.extras["final_probabilities"]
    assert ((fp >= 0) & (fp <= 1 + 1e-12)).all()
    cls = tr.extras["class_probabilities"]
    assert cls.sum() == pytest.approx(1.0)


# --------------------------------------------------------------------------- options
OPTION_CASES = [
    (key, value)
    for key, values in INFO_SMP.choices.items()
    for value in values
    if value != INFO_SMP.params[key] and key != "transition"
]


@pytest.mark.parametrize(("key", "value"), OPTION_CASES, ids=[f"{k}={v}" for k, v in OPTION_CASES])
def test_every_option_runs(key: str, value: str) -> None:
    problem, _ = load(DATA / "dummyData_3Dim")
    tr = run_smp(problem, **{key: value}, max_steps=15)
    assert np.isfinite(tr.positions).all() and np.isfinite(tr.outcome).all()
    assert (tr.positions >= 0).all() and (tr.positions <= 100).all()
    assert tr.extras["class_probabilities"].sum() == pytest.approx(1.0)


def test_options_change_the_run() -> None:
    problem, _ = load(DATA / "SOE-Pol-Comp")
    base = run_smp(problem).positions
    for key, value in [("voting_rule", "binary"), ("intervec", "s1p1"), ("risk_range", "max")]:
        other = run_smp(problem, **{key: value}).positions
        assert other.shape != base.shape or not np.allclose(other, base), (key, value)


def test_full_and_no_commitment_agree() -> None:
    """Both make E_i − E_j vanish, so third parties never vote: identical runs."""
    problem, _ = load(DATA / "dummyData_3Dim")
    a = run_smp(problem, third_party="full")
    b = run_smp(problem, third_party="none")
    np.testing.assert_array_equal(a.positions, b.positions)


def test_stochastic_transition_uses_rng() -> None:
    problem, _ = load(DATA / "SOE-Pol-Comp")
    a = run_smp(problem, transition="stochastic", rng=np.random.default_rng(1))
    b = run_smp(problem, transition="stochastic", rng=np.random.default_rng(1))
    np.testing.assert_array_equal(a.positions, b.positions)
    outs = {
        run_smp(problem, transition="stochastic", rng=np.random.default_rng(s)).positions.tobytes()
        for s in range(5)
    }
    assert len(outs) > 1


def test_ideal_accommodation() -> None:
    problem, _ = load(DATA / "dummyData_3Dim")
    base = run_smp(problem)
    same = run_smp(problem, ideal_accommodation=np.eye(problem.n_actors))
    np.testing.assert_array_equal(base.positions, same.positions)
    lag = run_smp(problem, ideal_accommodation=0.5)
    assert np.isfinite(lag.positions).all()
    assert lag.positions.shape != base.positions.shape or not np.allclose(lag.positions, base.positions)
    with pytest.raises(ValueError):
        run_smp(problem, ideal_accommodation=np.full((7, 7), 0.5))


def test_salience_normalisation() -> None:
    p = random_problem(5, 3, 2)
    big = BargainingProblem(p.capability, p.position, p.salience * 3.0, p.bounds, p.status_quo)
    scaled = BargainingProblem(
        p.capability,
        p.position,
        p.salience * 3.0 / (p.salience * 3.0).sum(1, keepdims=True),
        p.bounds,
        p.status_quo,
    )
    np.testing.assert_array_equal(run_smp(big).positions, run_smp(scaled).positions)
    always = run_smp(p, salience_norm="always")
    assert np.isfinite(always.positions).all()


def test_max_steps_and_tolerance() -> None:
    problem, _ = load(DATA / "SOE-Pol-Comp")
    capped = run_smp(problem, max_steps=5)
    assert capped.rounds == 5
    assert capped.extras["converged"].shape == (problem.n_issues,) and not capped.extras["converged"].any()
    assert run_smp(problem, stop_tolerance=0.5).rounds < 27
    full = run_smp(problem)  # stops by the 2%-of-first-step rule
    assert full.rounds < 100 and full.extras["converged"].all()
    # the rule firing on the last allowed step still counts as converged
    at_cap = run_smp(problem, max_steps=int(full.rounds))
    assert at_cap.rounds == full.rounds and at_cap.extras["converged"].all()
    js = INFO_SMP.extras_to_json(capped.extras, problem)  # type: ignore[misc]
    assert js["converged"] == dict.fromkeys(problem.issues, False)
    batch = problem.stack([problem])
    both = run_smp(batch, max_steps=int(full.rounds) - 1)
    assert both.extras["converged"].shape == (2, problem.n_issues) and not both.extras["converged"].any()
    both = run_smp(batch)
    assert both.extras["converged"].all()


def test_bad_parameters() -> None:
    problem, _ = load(DATA / "SOE-Pol-Comp")
    with pytest.raises(ValueError):
        run_smp(problem, voting_rule="majority")
    with pytest.raises(ValueError):
        run_smp(problem, nonsense=1)


# --------------------------------------------------------------------------- registry and JSON
def test_registry_entry() -> None:
    info = get_model("smp")
    assert info is INFO_SMP
    assert info.dynamic and info.multi_issue and info.stochastic
    assert info.requires == ("capability",)
    assert info.params["transition"] == "deterministic"


def test_extras_to_json() -> None:
    problem, exp = load(DATA / "dummyData_3Dim")
    tr = run_smp(problem)
    js = INFO_SMP.extras_to_json(tr.extras, problem)  # type: ignore[misc]
    json.dumps(js)
    assert js["n_states"] == exp["n_states"]
    assert set(js["final_probabilities"]) == set(problem.actors)
    for a, p in exp["final_probabilities"].items():
        assert js["final_probabilities"][a] == pytest.approx(p, abs=1e-4)
    assert len(js["probability_history"]) == exp["n_states"]
    assert len(js["fractional_change"]) == exp["n_rounds"]
    assert js["targets"][0]["SActor-00"] == "SActor-06"


@pytest.mark.parametrize(
    "params",
    [
        {"bargain_model": "init_rcvr"},
        {"bargain_model": "pw_comp"},
        {"pce": "markov_incentive"},
        {"voting_rule": "asym_prosp", "victory_prob": "binary"},
        {"ideal_accommodation": 0.5},
    ],
    ids=["init_rcvr", "pw_comp", "markov_incentive", "asym_binary", "accommodation"],
)
def test_batch_equals_single_runs_with_options(params: dict) -> None:
    members = [random_problem(9, 2, s) for s in range(4)]
    tb = run_smp(members[0].stack(members[1:]), **params)
    for b, p in enumerate(members):
        s = run_smp(p, **params)
        assert tb.rounds[b] == s.rounds
        np.testing.assert_array_equal(tb.positions[b, : s.positions.shape[0]], s.positions)
        np.testing.assert_array_equal(tb.outcome[b], s.outcome)


def test_params_from_ktab() -> None:
    from realpolitik.models.smp import params_from_ktab

    got = params_from_ktab(
        {"VotingRule": "PropCbc", "BigRAdjust": "OneThird", "ThirdPartyCommit": "NoCommit"}
    )
    assert got == {"voting_rule": "prop_cbc", "risk_adjust": "one_third", "third_party": "none"}
    INFO_SMP.check_params(got)
    with pytest.raises(ValueError):
        params_from_ktab({"VotingRule": "Majority"})


def _assert_same_run(a, b) -> None:  # type: ignore[no-untyped-def]
    for x, y in [(a.positions, b.positions), (a.outcome, b.outcome), (a.rounds, b.rounds)]:
        x, y = np.asarray(x), np.asarray(y)
        assert x.shape == y.shape and x.dtype == y.dtype
        np.testing.assert_array_equal(x, y)
    assert a.extras.keys() == b.extras.keys()
    for key in a.extras:
        x, y = np.asarray(a.extras[key]), np.asarray(b.extras[key])
        assert x.shape == y.shape and x.dtype == y.dtype, key
        np.testing.assert_array_equal(x, y, err_msg=key)


@pytest.fixture(params=["python", "c"])
def small_kernel(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The single-problem kernel in use: the Python ``SmallRun`` or the compiled one (``smp_native``)."""
    if request.param == "c" and not smp_native.available():
        pytest.skip(f"compiled kernels {_native.status()}")
    monkeypatch.setattr(smp_native, "USE_NATIVE", request.param == "c")
    return str(request.param)


@pytest.mark.parametrize(
    "params",
    [{}, {"risk_range": "max"}, {"risk_adjust": "full"}, {"intervec": "s1p1"}, {"max_steps": 2}],
)
def test_single_problem_kernel_equals_batch_code(monkeypatch: pytest.MonkeyPatch, params: dict) -> None:
    """The single-problem kernel (``SmallRun``) reproduces the batch code bit for bit (its C version is
    compared with it in test_smp_native.py, and with both in the generated cases below)."""
    monkeypatch.setattr(smp_native, "USE_NATIVE", False)
    cases = [load(DATA / name)[0] for name in ("dummyData_3Dim", "SOE-Pol-Comp")]
    for seed, (n, d) in enumerate([(1, 2), (2, 1), (5, 9), (9, 4), (16, 2), (39, 1)]):
        p = random_problem(n, d, seed)
        if seed % 2:  # coarse positions (coincident actors, ties), a silent actor, a powerless one
            sal = p.salience.copy()
            sal[0] = 0.0
            cap = p.capability.copy()
            cap[-1] = 0.0
            p = BargainingProblem(
                capability=cap,
                position=np.round(p.position / 25) * 25,
                salience=sal,
                bounds=p.bounds,
                status_quo=p.status_quo,
            )
        cases.append(p)
    for p in cases:
        fast = run_smp(p, **params)
        monkeypatch.setattr(kern, "USE_SMALL_PATH", False)
        slow = run_smp(p, **params)
        monkeypatch.setattr(kern, "USE_SMALL_PATH", True)
        _assert_same_run(fast, slow)


def test_single_problem_kernel_reused_buffers_and_threads(small_kernel: str) -> None:
    """Runs of one size reuse a thread's buffers; runs in several threads at once agree with serial runs."""
    from concurrent.futures import ThreadPoolExecutor

    probs = [random_problem(7, 3, seed) for seed in range(6)] + [random_problem(5, 2, 9)]
    serial = [run_smp(p) for p in probs]
    again = [run_smp(p) for p in probs]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(run_smp, probs * 4))
    for a, b in zip(serial + serial * 4, again + threaded, strict=True):
        _assert_same_run(a, b)


@st.composite
def _small_cases(draw: st.DrawFn) -> tuple[BargainingProblem, dict]:
    """Problems for the single-problem kernel: fine or coarse (tied, coincident) positions, silent or
    powerless actors, and the options it implements."""
    n = draw(st.integers(1, 14))
    d = draw(st.integers(1, 4))
    p = random_problem(n, d, draw(st.integers(0, 2**31)))
    grid = draw(st.sampled_from([0.0, 25.0, 10.0]))
    pos = np.round(p.position / grid) * grid if grid else p.position
    sal, cap = p.salience.copy(), p.capability.copy()
    if draw(st.booleans()):
        sal[draw(st.integers(0, n - 1))] = 0.0
    if draw(st.booleans()):
        cap[draw(st.integers(0, n - 1))] = 0.0
    params = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "risk_range": st.sampled_from(["mid", "min", "max"]),
                "risk_adjust": st.sampled_from(["one_third", "none", "half", "full"]),
                "intervec": st.sampled_from(["s2p2", "s1p1"]),
                "max_steps": st.integers(1, 12),
            },
        )
    )
    return BargainingProblem(
        capability=cap, position=pos, salience=sal, bounds=p.bounds, status_quo=p.status_quo
    ), params


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_small_cases())
def test_single_problem_kernel_equals_batch_code_generated(case: tuple[BargainingProblem, dict]) -> None:
    """On generated problems the single-problem kernel and the batch code agree bit for bit."""
    p, params = case
    fast = run_smp(p, **params)  # the compiled kernel where it is available
    smp_native.USE_NATIVE = False
    try:
        python = run_smp(p, **params)
    finally:
        smp_native.USE_NATIVE = True
    kern.USE_SMALL_PATH = False
    try:
        slow = run_smp(p, **params)
    finally:
        kern.USE_SMALL_PATH = True
    _assert_same_run(fast, slow)
    _assert_same_run(python, slow)
