"""Tests of the expected-utility model (``realpolitik.models.eum``).

Reference: Scholz, Calbert & Smith (2011) Table 2 on the EC car-emission case (BDM 1994), the test
vectors of ``shared/models/eum.md`` §15 and the second implementation's run stored in
``shared/reference/eum/emission_standards/expected.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realpolitik.models import BargainingProblem, get_model
from realpolitik.models.eum import (
    COMPEL,
    COMPROMISE,
    CONFLICT,
    NO_MOVE,
    StopRule,
    eum_round,
    run_eum,
    run_rows,
    weighted_median,
)

# BDM (1994) p. 78 / Scholz et al. (2011) Table 1: actor, capability, position (years), salience (0-100)
EC_TABLE = [
    ("Netherlands", 0.08, 4, 80),
    ("Belgium", 0.08, 7, 40),
    ("Luxembourg", 0.03, 4, 20),
    ("Germany", 0.16, 4, 80),
    ("France", 0.16, 10, 60),
    ("Italy", 0.16, 10, 60),
    ("UK", 0.16, 10, 90),
    ("Ireland", 0.05, 7, 10),
    ("Denmark", 0.05, 4, 100),
    ("Greece", 0.08, 7, 70),
]
ACTORS = tuple(r[0] for r in EC_TABLE)
CAP = np.array([r[1] for r in EC_TABLE])
POS = np.array([r[2] for r in EC_TABLE], dtype=float)
SAL = np.array([r[3] for r in EC_TABLE]) / 100.0
NL, BE, LU, DE, FR, IT, UK, IE, DK, GR = range(10)

TABLE2_MEDIAN = [8.4, 9.9, 9.9, 9.9, 9.9, 7.4, 8.8, 9.6]
TABLE2_MEAN = [7.4, 7.5, 7.6, 7.3, 7.3, 7.4, 7.5, 7.6]


def ec_problem(position: np.ndarray = POS) -> BargainingProblem:
    return BargainingProblem(
        capability=CAP,
        position=np.asarray(position, dtype=float)[:, None],
        salience=SAL[:, None],
        bounds=np.array([[4.0, 10.0]]),
        status_quo=np.array([7.0]),
        actors=ACTORS,
        issues=("emissions",),
    )


def ec_round1():
    return eum_round(POS[None], (CAP * SAL)[None], SAL[None], np.array([6.0]))


def random_problem(
    rng: np.random.Generator, a: int, d: int, batch: tuple[int, ...] = ()
) -> BargainingProblem:
    lo = rng.uniform(-5, 5, d)
    hi = lo + rng.uniform(1, 20, d)
    u = rng.uniform(0, 1, (*batch, a, d))
    # a few shared positions, as real data have
    u = np.where(rng.uniform(size=u.shape) < 0.3, np.round(u * 3) / 3, u)
    return BargainingProblem(
        capability=rng.uniform(0.05, 1.0, (*batch, a)),
        position=lo + u * (hi - lo),
        salience=rng.uniform(0, 1, (*batch, a, d)),
        bounds=np.stack([lo, hi], axis=1),
        status_quo=np.broadcast_to((lo + hi) / 2, (*batch, d)).copy(),
    )


# ------------------------------------------------------------------------------- Table 2 and references


@pytest.mark.parametrize("profile", ["spec", "compat"])
def test_table2_medians_and_means(profile: str) -> None:
    traj = run_eum(ec_problem(), profile=profile, stop="fixed")  # Table 2: eight fixed rounds
    np.testing.assert_array_equal(
        run_eum(ec_problem(), profile=profile, stop="fixed", rounds=8).positions, traj.positions
    )
    med = traj.extras["median_by_round"][:, 0]
    mean = traj.extras["mean_by_round"][:, 0]
    assert med.shape == mean.shape == (9,)
    assert med[0] == 7.0
    assert mean[0] == pytest.approx(7.389955686853767, abs=1e-12)
    for t in range(1, 9):
        assert abs(mean[t] - TABLE2_MEAN[t - 1]) < 0.1, (t, mean[t])
        if t == 2:
            continue
        assert abs(med[t] - TABLE2_MEDIAN[t - 1]) < 0.1, (t, med[t])
    # Known deviation (spec §14): Table 2 prints 9.9 for round 2; no reading reaches it. Pin our value
    # so that a change in the dynamics is noticed.
    assert med[2] == pytest.approx(9.610859134120188, abs=1e-9)
    assert abs(med[2] - TABLE2_MEDIAN[1]) > 0.1
    # Table 2 is truncated, not rounded, to one decimal: truncation reproduces 7 of 8 medians exactly
    truncated = np.floor(med[1:] * 10 + 1e-9) / 10
    assert np.sum(np.isclose(truncated, TABLE2_MEDIAN)) == 7
    assert traj.outcome == pytest.approx([med[-1]])
    assert traj.rounds == 8
    assert traj.positions.shape == (9, 10, 1)


@pytest.mark.parametrize("profile", ["spec", "compat"])
def test_matches_second_implementation(shared_dir: Path, profile: str) -> None:
    ref = json.loads((shared_dir / "reference/eum/emission_standards/expected.json").read_text())
    second = ref["second_implementation"]
    rows = {r[0]: r for r in EC_TABLE}
    assert ref["actors"] == list(ACTORS)
    for name in ACTORS:
        assert ref["capabilities"][name] == rows[name][1]
        assert ref["saliences"][name] == rows[name][3]
        assert ref["initial_positions"][name] == [rows[name][2]]
    traj = run_eum(
        ec_problem(), profile=profile, Q=ref["settings"]["Q"], stop="fixed", rounds=ref["n_rounds"]
    )
    history = np.array([[h[a][0] for a in ACTORS] for h in second["history"]])
    np.testing.assert_allclose(traj.positions[:, :, 0], history, rtol=0, atol=1e-10)
    np.testing.assert_allclose(traj.extras["median_by_round"][:, 0], second["median_by_round"], atol=1e-10)
    np.testing.assert_allclose(traj.extras["mean_by_round"][:, 0], second["mean_by_round"], atol=1e-10)
    # the published table, read from the file too
    pub = ref["published"]["scholz2011_table2"]
    assert pub["median"] == TABLE2_MEDIAN and pub["mean"] == TABLE2_MEAN
    # every move: who moved, with whom, how, and to where
    kinds = {"confrontation": CONFLICT, "compromise": COMPROMISE}
    for t, moves in enumerate(second["moves_by_round"]):
        expected = {ACTORS.index(m["actor"]): m for m in moves}
        mtype = traj.extras["move_type"][t, :, 0]
        mwith = traj.extras["move_with"][t, :, 0]
        assert set(np.flatnonzero(mtype != NO_MOVE)) == set(expected)
        for i, m in expected.items():
            assert mtype[i] == kinds[m["type"]]
            assert ACTORS[mwith[i]] == m["with"]
            assert traj.positions[t + 1, i, 0] == pytest.approx(m["new_position"], abs=1e-10)


def test_moves_carry_the_reference_expected_utilities(shared_dir: Path) -> None:
    ref = json.loads((shared_dir / "reference/eum/emission_standards/expected.json").read_text())
    moves = ref["second_implementation"]["moves_by_round"]
    traj = run_eum(ec_problem(), stop="fixed")
    for t, round_moves in enumerate(moves):
        x = traj.positions[t, :, 0]
        res = eum_round(x[None], (CAP * SAL)[None], SAL[None], np.array([6.0]))
        for m in round_moves:
            i, j = ACTORS.index(m["actor"]), ACTORS.index(m["with"])
            assert res.a[0, i, j] == pytest.approx(m["eu_actor"], abs=1e-10)
            assert res.b[0, i, j] == pytest.approx(m["eu_other"], abs=1e-10)


# ------------------------------------------------------------------------------- spec §15 test vectors


def test_vectors_round1_first_pass() -> None:
    res = ec_round1()
    assert res.median[0] == 7.0
    assert res.first_pass_d[0] == pytest.approx(28.233, abs=5e-4)
    sec = [-5.2493, 1.4283, 5.4377, -5.2493, -2.0939, -2.0939, -8.6409, 5.6071, -8.8116, -2.7504]
    np.testing.assert_allclose(res.security[0], sec, atol=5e-5)


def test_vectors_risk_exponents_by_round() -> None:
    traj = run_eum(ec_problem(), stop="fixed")
    r = traj.extras["risk_exponent"][:, :, 0]
    expected = {
        0: [1.4057, 0.7542, 0.5089, 1.4057, 1.0465, 1.0465, 1.9649, 0.5, 2, 1.1121],
        1: [1.4545, 0.8166, 0.6518, 1.4545, 1.0973, 1.0973, 1.8336, 0.5, 2, 1.1814],
        3: [1.3595, 0.7067, 0.5638, 1.3595, 0.8883, 0.8883, 1.2486, 0.5, 2, 1.0159],
    }
    for t, vals in expected.items():
        np.testing.assert_allclose(r[t], vals, atol=5e-5)
    assert r.min() >= 0.5 and r.max() <= 2.0


def test_vectors_round1_second_pass_probabilities() -> None:
    res = ec_round1()
    assert res.p[0, BE, FR] == pytest.approx(0.0073139, abs=5e-8)
    assert res.p[0, FR, BE] == pytest.approx(0.0045826, abs=5e-8)
    assert res.p[0, BE, FR] + res.p[0, FR, BE] != pytest.approx(1.0)
    assert res.p.max() < 0.02
    np.testing.assert_array_equal(res.p[0, FR, IT], 0.0)  # same position: no contest


MOVES_TABLE = {
    # round: (Belgium proposer, a, b, new), (Luxembourg proposer, a, b, new), (Ireland proposer, a, b, new)
    1: ((FR, -0.11483, 0.24330, 8.415932), (BE, 0.24551, 0.54225, 7.0), (LU, 0.53824, 0.68248, 4.0)),
    2: ((FR, -0.08372, 0.11099, 9.610859), (BE, 0.09588, 0.25280, 8.415932), (LU, 0.53647, 0.68327, 7.0)),
    3: ((FR, None, None, 9.961980), (BE, None, None, 9.610859), (LU, None, None, 8.415932)),
    4: ((NL, -0.71533, 0.82634, 4.800881), (BE, None, None, 9.961980), (LU, None, None, 9.610859)),
    5: ((FR, -0.07893, 0.56730, 5.524238), (BE, None, None, 4.800881), (LU, None, None, 9.961980)),
    6: ((FR, -0.17148, 0.39403, 7.472046), (BE, None, None, 5.524238), (BE, None, None, 5.524238)),
    7: ((FR, None, None, 8.824594), (BE, None, None, 7.472046), (BE, None, None, 7.472046)),
    8: ((FR, None, None, 9.671130), (BE, None, None, 8.824594), (BE, None, None, 8.824594)),
}


@pytest.mark.parametrize("profile", ["spec", "compat"])
def test_vectors_moves(profile: str) -> None:
    traj = run_eum(ec_problem(), profile=profile, stop="fixed")
    for t, cells in MOVES_TABLE.items():
        mtype = traj.extras["move_type"][t - 1, :, 0]
        mwith = traj.extras["move_with"][t - 1, :, 0]
        assert set(np.flatnonzero(mtype)) == {BE, LU, IE}, t
        assert mtype[BE] == COMPROMISE and mtype[LU] == CONFLICT and mtype[IE] == CONFLICT
        res = eum_round(traj.positions[t - 1, :, 0][None], (CAP * SAL)[None], SAL[None], np.array([6.0]))
        for mover, (prop, a, b, new) in zip((BE, LU, IE), cells, strict=True):
            assert mwith[mover] == prop, (t, mover)
            assert traj.positions[t, mover, 0] == pytest.approx(new, abs=5e-7)
            if a is not None:
                assert res.a[0, mover, prop] == pytest.approx(a, abs=5e-6)
                assert res.b[0, mover, prop] == pytest.approx(b, abs=5e-6)
        # a conflict loser lands exactly on the winner's start-of-round position (Jacobi update)
        assert traj.positions[t, LU, 0] == traj.positions[t - 1, mwith[LU], 0]


def test_round4_belgium_concedes_to_the_strongest_compromise() -> None:
    traj = run_eum(ec_problem(), stop="fixed")
    res = eum_round(traj.positions[3, :, 0][None], (CAP * SAL)[None], SAL[None], np.array([6.0]))
    comp = (res.a[0, BE] < 0) & (res.b[0, BE] > -res.a[0, BE])
    assert comp[FR] and comp[NL]
    assert res.b[0, BE, FR] == pytest.approx(0.002, abs=5e-4)
    assert res.move_with[0, BE] == NL


def test_mirror_spec_invariant_compat_not() -> None:
    spec = run_eum(ec_problem(14.0 - POS), profile="spec", stop="fixed").extras["median_by_round"][:, 0]
    np.testing.assert_allclose(
        14.0 - spec, run_eum(ec_problem(), stop="fixed").extras["median_by_round"][:, 0], atol=1e-9
    )
    compat = (
        14.0
        - run_eum(ec_problem(14.0 - POS), profile="compat", stop="fixed").extras["median_by_round"][1:, 0]
    )
    np.testing.assert_allclose(compat[:3], [8.415932, 9.610859, 9.961980], atol=5e-6)
    np.testing.assert_allclose(compat[3:], 10.0, atol=1e-3)  # spec: "then 10 from round 4 on"
    assert not np.allclose(compat, 14.0 - spec[1:], atol=0.1)


# ------------------------------------------------------------------------------- a naive reference


def naive_round(x, c, s, scale, q, profile):  # type: ignore[no-untyped-def]
    """Spec §11 pseudo-code, literally, with Python loops (one problem)."""
    n = len(x)
    w = [c[i] * s[i] for i in range(n)]
    scores = [sum(w[i] * abs(x[i] - x[j]) for i in range(n)) for j in range(n)]
    tol = 1e-12 * sum(w) * scale
    mu = min(x[j] for j in range(n) if scores[j] <= min(scores) + tol)

    def prob(rho):  # type: ignore[no-untyped-def]
        u = [[(abs(x[k] - x[a]) / scale) ** rho[k] for a in range(n)] for k in range(n)]
        d = sum(w[k] * abs(u[k][a] - u[k][b]) for k in range(n) for a in range(n) for b in range(n))
        p = [[0.0] * n for _ in range(n)]
        for i in range(n):
            for j in range(n):
                if x[i] != x[j] and d > 0:
                    p[i][j] = sum(max(0.0, w[k] * (u[k][j] - u[k][i])) for k in range(n)) / d
        return p, d

    def eu(i, j, rho, p):  # type: ignore[no-untyped-def]
        if x[i] == x[j]:
            return 0.0
        dd = abs(x[i] - x[j]) / scale
        e = (abs(x[i] - mu) + abs(x[i] - x[j])) / scale
        t = 1.0 if abs(x[i] - mu) < abs(x[i] - x[j]) else 0.0
        us, uf, usq = 2 - 4 * (0.5 - 0.5 * dd) ** rho, 2 - 4 * (0.5 + 0.5 * dd) ** rho, 2 - 4 * 0.5**rho
        ub, uw = 2 - 4 * (0.5 - 0.25 * e) ** rho, 2 - 4 * (0.5 + 0.25 * e) ** rho
        return (
            s[j] * (p[i][j] * us + (1 - p[i][j]) * uf)
            + (1 - s[j]) * us
            - q * usq
            - (1 - q) * (t * ub + (1 - t) * uw)
        )

    p1, _ = prob([1.0] * n)
    sec = [sum(eu(j, i, 1.0, p1) for j in range(n) if j != i) for i in range(n)]
    hi, lo = max(sec), min(sec)
    rb = [(2 * v - hi - lo) / (hi - lo) if hi > lo else 0.0 for v in sec]
    r = [(1 - v / 3) / (1 + v / 3) for v in rb]
    p, _ = prob(r)
    new = list(x)
    for i in range(n):
        offers = []
        for j in range(n):
            if j == i or x[j] == x[i]:
                continue
            a, b = eu(i, j, r[i], p), eu(j, i, r[i], p)
            move = abs(x[j] - x[i])
            if a > 0 and b > a:
                key = (0, move, -b) if profile == "spec" else (0, move, 0.0)
                offers.append((key, j, x[j]))
            elif a < 0 < b and b > -a:
                target = x[i] + (x[j] - x[i]) * (-a / b)
                if profile == "spec":
                    key = (1, -b, abs(target - x[i]))
                else:
                    key = (1, (abs(a) * x[i] + b * x[j]) / (abs(a) + b), 0.0)
                offers.append((key, j, target))
            elif a < 0 < b and -a > b and profile == "spec":
                offers.append(((2, move, -b), j, x[j]))
        if offers:
            new[i] = min(offers, key=lambda o: (*o[0], o[1]))[2]
    return sec, r, p, new


@pytest.mark.parametrize("q", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("profile", ["spec", "compat"])
def test_vectorised_round_equals_naive_pseudocode(q: float, profile: str) -> None:
    rng = np.random.default_rng(11)
    for _ in range(12):
        n = int(rng.integers(2, 7))
        x = rng.choice([0.0, 1.0, 2.5, 4.0, 7.0, 10.0], n) + (rng.uniform(size=n) < 0.5) * rng.uniform(
            0, 3, n
        )
        c = rng.uniform(0, 1, n) * (rng.uniform(size=n) < 0.9)
        s = rng.uniform(0, 1, n)
        scale = float(x.max() - x.min()) or 1.0
        sec, r, p, new = naive_round(list(x), list(c), list(s), scale, q, profile)
        res = eum_round(x[None], (c * s)[None], s[None], np.array([scale]), Q=q, profile=profile)
        np.testing.assert_allclose(res.security[0], sec, atol=1e-12)
        np.testing.assert_allclose(res.risk[0], r, atol=1e-12)
        np.testing.assert_allclose(res.p[0], p, atol=1e-14)
        np.testing.assert_allclose(res.new_position[0], new, atol=1e-12)


def test_compel_offers_exist_in_spec_only() -> None:
    # Find a state with a compel offer (a < 0 < b, -a > b) for some mover, then compare profiles.
    rng = np.random.default_rng(5)
    found = 0
    for _ in range(400):
        n = 4
        x = rng.uniform(0, 10, n)
        c, s = rng.uniform(0, 1, n), rng.uniform(0, 1, n)
        spec = eum_round(x[None], (c * s)[None], s[None], np.array([np.ptp(x)]), profile="spec")
        compat = eum_round(x[None], (c * s)[None], s[None], np.array([np.ptp(x)]), profile="compat")
        assert not (compat.move_type == COMPEL).any()
        for i in np.flatnonzero(spec.move_type[0] == COMPEL):
            found += 1
            j = spec.move_with[0, i]
            assert spec.new_position[0, i] == x[j]
            assert spec.a[0, i, j] < 0 < spec.b[0, i, j] and -spec.a[0, i, j] > spec.b[0, i, j]
            assert compat.move_type[0, i] == NO_MOVE
    assert found > 0


# ------------------------------------------------------------------------------- contract properties


def test_registered_metadata() -> None:
    info = get_model("eum")
    assert info.run is run_eum
    assert not info.stochastic and info.dynamic and not info.multi_issue
    assert info.params == {
        "profile": "spec",
        "Q": 1.0,
        "stop": "converge",
        "rounds": None,
        "tol": 0.01,
        "patience": 4,
        "max_period": 12,
        "cycle_tol": 1e-6,
    }
    assert info.choices["profile"] == ("spec", "compat")
    assert info.choices["stop"] == ("converge", "fixed")
    with pytest.raises(ValueError, match="profile"):
        run_eum(ec_problem(), profile="jmckib")
    with pytest.raises(ValueError, match="no parameter"):
        run_eum(ec_problem(), seed=3)
    with pytest.raises(ValueError, match="Q"):
        run_eum(ec_problem(), Q=1.5)
    with pytest.raises(ValueError, match="stop"):
        run_eum(ec_problem(), stop="never")
    for name, bad in [
        ("rounds", -1),
        ("rounds", 2.5),
        ("rounds", True),
        ("tol", -0.1),
        ("tol", None),
        ("tol", "x"),
        ("patience", 0),
        ("max_period", -1),
        ("cycle_tol", float("nan")),
        ("cycle_tol", float("inf")),
    ]:
        with pytest.raises(ValueError, match=name):
            run_eum(ec_problem(), **{name: bad})


def test_extras_to_json() -> None:
    info = get_model("eum")
    assert info.extras_to_json is not None
    prob = ec_problem()
    out = info.extras_to_json(run_eum(prob, stop="fixed").extras, prob)
    json.dumps(out)
    assert out["median_by_round"]["emissions"][0] == 7.0
    assert len(out["median_by_round"]["emissions"]) == 9
    assert len(out["mean_by_round"]["emissions"]) == 9
    assert out["risk_exponent_by_round"]["emissions"]["Denmark"][0] == pytest.approx(2.0)
    first = out["moves_by_round"]["emissions"][0]
    assert {"actor": "Luxembourg", "type": "conflict", "with": "Belgium"} in first
    assert out["rounds_by_issue"] == {"emissions": 8}
    assert out["stop_rule"] == "fixed"
    # eight rounds end neither settled nor in a detected cycle (Table 2's last three medians differ)
    assert out["converged"] == {"emissions": False}
    assert out["cycle_length"] == {"emissions": None} and out["cycle_range"] == {"emissions": None}
    med = out["median_by_round"]["emissions"]
    assert out["outcome_range"]["emissions"] == [min(med[-8:]), max(med[-8:])]
    # a converged run: no cycle, no range
    settled = one_issue([0.3, 0.5, 0.2], [6, 6, 6], [0.5, 0.9, 0.1])
    out = info.extras_to_json(run_eum(settled).extras, settled)
    assert out["stop_rule"] == "converge"
    assert out["converged"] == {"D0": True} and out["rounds_by_issue"] == {"D0": 1}
    assert out["cycle_length"] == {"D0": None}
    assert out["cycle_range"] == {"D0": None} and out["outcome_range"] == {"D0": None}


def test_batch_equals_loop_over_batch_and_issues() -> None:
    rng = np.random.default_rng(3)
    prob = random_problem(rng, a=6, d=3, batch=(2, 3))
    traj = run_eum(prob, stop="fixed", rounds=5)
    assert traj.positions.shape == (2, 3, 6, 6, 3)
    assert traj.outcome.shape == (2, 3, 3)
    assert traj.extras["median_by_round"].shape == (2, 3, 6, 3)
    assert traj.extras["risk_exponent"].shape == (2, 3, 5, 6, 3)
    for key in ("converged", "cycle_length", "cycle_low", "cycle_high", "rounds_by_issue"):
        assert traj.extras[key].shape == (2, 3, 3), key
    conv = run_eum(prob)
    for idx in np.ndindex(2, 3):
        item = prob.item(idx)
        for d in range(3):
            one = run_eum(item.take_issues([d]), stop="fixed", rounds=5)
            np.testing.assert_allclose(traj.positions[idx][..., d], one.positions[..., 0], atol=1e-12)
            np.testing.assert_allclose(traj.outcome[idx][d], one.outcome[0], atol=1e-12)
            np.testing.assert_allclose(
                traj.extras["mean_by_round"][idx][:, d], one.extras["mean_by_round"][:, 0], atol=1e-12
            )
            # with the stop rule each issue stops on its own; later rounds repeat its last state
            one = run_eum(item.take_issues([d]))
            r = int(one.rounds)
            assert conv.extras["rounds_by_issue"][idx][d] == r
            np.testing.assert_array_equal(conv.positions[idx][: r + 1, :, d], one.positions[..., 0])
            np.testing.assert_array_equal(
                conv.positions[idx][r:, :, d],
                one.positions[-1:, :, 0].repeat(conv.positions.shape[-3] - r, axis=0),
            )
            assert conv.outcome[idx][d] == one.outcome[0]
            assert conv.extras["converged"][idx][d] == one.extras["converged"][0]


def test_large_batch_crosses_chunks() -> None:
    batch = 2000  # more rows than one chunk of the kernel
    prob = ec_problem()
    stacked = BargainingProblem(
        capability=np.tile(CAP, (batch, 1)),
        position=np.tile(POS[:, None], (batch, 1, 1)),
        salience=np.tile(SAL[:, None], (batch, 1, 1)),
        bounds=prob.bounds,
        status_quo=np.full((batch, 1), 7.0),
    )
    for kw in ({"stop": "fixed"}, {}):
        traj = run_eum(stacked, **kw)
        single = run_eum(prob, **kw)
        np.testing.assert_array_equal(traj.positions, np.broadcast_to(single.positions, traj.positions.shape))
        np.testing.assert_array_equal(traj.rounds, single.rounds)
        np.testing.assert_array_equal(traj.outcome[:, 0], single.outcome[0])


@pytest.mark.parametrize("profile", ["spec", "compat"])
def test_actor_order_invariance(profile: str) -> None:
    rng = np.random.default_rng(8)
    problems = [ec_problem()] + [random_problem(rng, a=7, d=2) for _ in range(4)]
    for prob in problems:
        base = run_eum(prob, profile=profile, stop="fixed")
        for _ in range(3):
            order = rng.permutation(prob.n_actors)
            perm = run_eum(prob.take_actors(order), profile=profile, stop="fixed")
            np.testing.assert_allclose(perm.outcome, base.outcome, atol=1e-10)
            np.testing.assert_allclose(perm.positions, base.positions[:, order], atol=1e-10)


def test_absent_actor_is_the_same_as_a_removed_actor() -> None:
    rng = np.random.default_rng(4)
    prob = random_problem(rng, a=6, d=2)
    present = np.ones((6, 2), dtype=bool)
    present[2, 0] = False
    pos = prob.position.copy()
    pos[2, 0] = np.nan  # no data
    masked = BargainingProblem(**{**prob.__dict__, "present": present, "position": pos})
    for kw in ({"stop": "fixed"}, {}):
        run = run_eum(masked, **kw)
        without = run_eum(prob.take_actors([0, 1, 3, 4, 5]).take_issues([0]), **kw)
        r = int(without.rounds)
        np.testing.assert_allclose(run.outcome[0], without.outcome[0], atol=1e-12)
        np.testing.assert_allclose(
            run.positions[: r + 1, [0, 1, 3, 4, 5], 0], without.positions[..., 0], atol=1e-12
        )
        assert np.isnan(run.positions[:, 2, 0]).all()  # its missing position is passed through
        full_issue1 = run_eum(prob.take_issues([1]), **kw)
        r = int(full_issue1.rounds)
        np.testing.assert_allclose(run.positions[: r + 1, :, 1], full_issue1.positions[..., 0], atol=1e-12)


def test_deterministic_and_rng_ignored() -> None:
    prob = random_problem(np.random.default_rng(2), a=5, d=2)
    one = run_eum(prob, rng=np.random.default_rng(1))
    two = run_eum(prob, rng=np.random.default_rng(99))
    np.testing.assert_array_equal(one.positions, two.positions)


def test_stopping_only_shortens_the_run() -> None:
    # A round depends only on the positions, so a converged or cycling run is the same trajectory as
    # a fixed-round run, cut short; a run that stops at a fixed point ends the moment nobody moves.
    rng = np.random.default_rng(6)
    prob = random_problem(rng, a=5, d=1, batch=(40,))
    full = run_eum(prob, stop="fixed", rounds=50)
    early = run_eum(prob)
    stopped = np.asarray(early.rounds)
    assert stopped.shape == (40,)
    assert (stopped <= 50).all() and (stopped < 50).sum() > 30 and len(set(stopped.tolist())) > 3
    for i in range(40):
        r = stopped[i]
        np.testing.assert_array_equal(early.positions[i, : r + 1], full.positions[i, : r + 1])
        still = (early.positions[i, r] == early.positions[i, r - 1]).all()
        assert still == (early.extras["move_type"][i, r - 1] == 0).all()  # nobody moved in round r
    # the EC case with the stop rule: the same first eight rounds as Table 2
    ec = run_eum(ec_problem())
    np.testing.assert_array_equal(ec.positions[:9], run_eum(ec_problem(), stop="fixed").positions)


@pytest.mark.parametrize("stop", ["fixed", "converge"])
def test_rounds_zero(stop: str) -> None:
    traj = run_eum(ec_problem(), stop=stop, rounds=0)
    assert traj.positions.shape == (1, 10, 1)
    assert traj.outcome[0] == 7.0
    assert traj.rounds == 0
    assert not traj.extras["converged"][0] and traj.extras["cycle_length"][0] == 0


# ------------------------------------------------------------------------------- degenerate inputs


def one_issue(c, x, s, bounds=(0.0, 10.0)) -> BargainingProblem:  # type: ignore[no-untyped-def]
    return BargainingProblem(
        capability=np.asarray(c, dtype=float),
        position=np.asarray(x, dtype=float)[:, None],
        salience=np.asarray(s, dtype=float)[:, None],
        bounds=np.array([bounds]),
        status_quo=np.array([(bounds[0] + bounds[1]) / 2]),
    )


def assert_sane(traj, prob: BargainingProblem) -> None:  # type: ignore[no-untyped-def]
    for arr in (traj.positions, traj.outcome, traj.extras["median_by_round"], traj.extras["mean_by_round"]):
        assert np.isfinite(arr).all()
    lo, hi = prob.bounds[:, 0], prob.bounds[:, 1]
    assert (traj.outcome >= lo - 1e-12).all() and (traj.outcome <= hi + 1e-12).all()


@pytest.mark.parametrize(
    ("c", "x", "s"),
    [
        ([0.3, 0.5, 0.2], [6, 6, 6], [0.5, 0.9, 0.1]),  # all at one position
        ([0.3, 0.5, 0.2], [2, 6, 9], [0, 0, 0]),  # zero saliences
        ([1.0], [3.0], [0.7]),  # one actor
        ([0.0, 0.0, 0.0], [2, 6, 9], [0.4, 0.5, 0.6]),  # zero capabilities
        ([0.0, 0.5, 0.2], [2, 6, 9], [0.4, 0.5, 0.6]),  # one zero capability
        ([0.5, 0.5], [2, 8], [0.5, 0.5]),  # mirror images: equal security levels
        ([0.0, 0.0], [0, 10], [0, 0]),  # nothing at all
    ],
)
def test_degenerate_inputs(c, x, s) -> None:  # type: ignore[no-untyped-def]
    prob = one_issue(c, x, s)
    for q in (1.0, 0.5):
        traj = run_eum(prob, Q=q)
        assert_sane(traj, prob)
        assert np.min(traj.positions) >= min(x) and np.max(traj.positions) <= max(x)


def test_all_at_one_position_never_moves() -> None:
    prob = one_issue([0.3, 0.5, 0.2], [6, 6, 6], [0.5, 0.9, 0.1])
    traj = run_eum(prob)
    np.testing.assert_array_equal(traj.positions, 6.0)
    np.testing.assert_array_equal(traj.extras["median_by_round"], 6.0)
    np.testing.assert_array_equal(traj.extras["mean_by_round"], 6.0)


def test_equal_security_gives_neutral_risk() -> None:
    traj = run_eum(one_issue([0.5, 0.5], [2, 8], [0.5, 0.5]))
    np.testing.assert_allclose(traj.extras["risk_exponent"][0, :, 0], 1.0)


def test_zero_salience_target_still_moves_but_does_not_vote() -> None:
    # A zero-salience actor has no vote, so the median is as if it were absent
    c, x, s = np.array([0.4, 0.4, 0.2]), np.array([1.0, 5.0, 9.0]), np.array([0.8, 0.6, 0.0])
    assert weighted_median(x[None], (c * s)[None])[0] == weighted_median(x[None, :2], (c * s)[None, :2])[0]
    res = eum_round(x[None], (c * s)[None], s[None], np.array([8.0]))
    # everyone gains by challenging it: EU(i→j) > 0 with s_j = 0
    assert (res.a[0, :2, 2] > 0).all()


def test_weighted_median_ties_take_the_lowest_position() -> None:
    assert weighted_median(np.array([[1.0, 3.0]]), np.array([[1.0, 1.0]]))[0] == 1.0
    assert weighted_median(np.array([[3.0, 1.0, 2.0]]), np.array([[1.0, 1.0, 0.0]]))[0] == 1.0
    assert weighted_median(np.array([[3.0, 1.0, 2.0]]), np.array([[1.0, 1.0, 1.0]]))[0] == 2.0


def test_run_rows_direct() -> None:
    for stop in (StopRule(mode="fixed", rounds=8), StopRule()):
        rows = run_rows(POS[None], (CAP * SAL)[None], SAL[None], unit=np.array([6.0]), stop=stop)
        traj = run_eum(ec_problem(), stop=stop.mode)
        np.testing.assert_array_equal(rows.median[0], traj.extras["median_by_round"][:, 0])
        np.testing.assert_array_equal(rows.outcome, traj.outcome)


# ------------------------------------------------------------------------------- hypothesis


@st.composite
def small_problems(draw):  # type: ignore[no-untyped-def]
    a = draw(st.integers(1, 6))
    lo = draw(st.floats(-100, 100))
    width = draw(st.floats(0.5, 100))
    grid = st.sampled_from([0.0, 0.25, 0.5, 1.0]) | st.floats(0, 1)
    u = np.array(draw(st.lists(grid, min_size=a, max_size=a)))
    c = np.array(draw(st.lists(st.sampled_from([0.0, 1.0]) | st.floats(0, 1), min_size=a, max_size=a)))
    s = np.array(draw(st.lists(st.sampled_from([0.0, 1.0]) | st.floats(0, 1), min_size=a, max_size=a)))
    return one_issue(c, lo + u * width, s, bounds=(lo, lo + width))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prob=small_problems(), q=st.sampled_from([1.0, 0.5, 0.0]), profile=st.sampled_from(["spec", "compat"]))
def test_property_outcome_within_bounds_and_hull(prob: BargainingProblem, q: float, profile: str) -> None:
    traj = run_eum(prob, Q=q, profile=profile, rounds=6)
    assert_sane(traj, prob)
    x0 = prob.position[:, 0]
    assert traj.positions.min() >= x0.min() and traj.positions.max() <= x0.max()
    med = traj.extras["median_by_round"][:, 0]
    # the median is always one of the current positions
    for t in range(traj.positions.shape[0]):
        assert med[t] in traj.positions[t, :, 0]


@pytest.mark.parametrize("profile", ["spec", "compat"])
def test_tie_breaks_equal_distance_offers_equal_naive(profile: str) -> None:
    # Symmetric grids put proposers at equal distances on both sides of a mover, so the second and
    # third selection keys (§9) decide; the naive pseudo-code is the reference.
    rng = np.random.default_rng(21)
    ties = 0
    for _ in range(150):
        n = int(rng.integers(3, 7))
        x = rng.choice([0.0, 2.5, 5.0, 7.5, 10.0], n)
        c = rng.uniform(0.1, 1, n)
        s = rng.uniform(0, 1, n)
        scale = float(np.ptp(x)) or 1.0
        _, _, _, new = naive_round(list(x), list(c), list(s), scale, 1.0, profile)
        res = eum_round(x[None], (c * s)[None], s[None], np.array([scale]), profile=profile)
        np.testing.assert_allclose(res.new_position[0], new, atol=1e-12)
        conflict = (res.a[0] > 0) & (res.b[0] > res.a[0]) & (x[None, :] != x[:, None])
        dist = np.abs(x[None, :] - x[:, None])
        for i in range(n):
            if conflict[i].any():
                near = conflict[i] & (dist[i] == dist[i][conflict[i]].min())
                ties += len(set(x[near])) > 1
    assert ties > 0


# ------------------------------------------------------------------------------- batching is exact


def _same_run(t1, t2) -> None:  # type: ignore[no-untyped-def]
    np.testing.assert_array_equal(t1.positions, t2.positions)
    np.testing.assert_array_equal(t1.outcome, t2.outcome)
    np.testing.assert_array_equal(t1.rounds, t2.rounds)
    for key, value in t1.extras.items():
        np.testing.assert_array_equal(value, t2.extras[key], err_msg=key)


@pytest.mark.parametrize("profile", ["spec", "compat"])
@pytest.mark.parametrize(
    ("a", "q", "stop"), [(4, 1.0, "fixed"), (5, 0.5, "converge"), (10, 1.0, "converge"), (3, 0.0, "fixed")]
)
def test_chunks_voter_blocks_and_pair_lists_give_identical_bits(
    monkeypatch: pytest.MonkeyPatch, profile: str, a: int, q: float, stop: str
) -> None:
    # The batched kernel's paths (chunk size, pairs i < j for many columns, voters in blocks for
    # large problems, single columns) must agree to the last bit, absent actors and early stops too.
    from realpolitik.models import eum

    rng = np.random.default_rng(a)
    prob = random_problem(rng, a, 3, batch=(70,))
    prob = BargainingProblem(
        capability=prob.capability,
        position=prob.position,
        salience=prob.salience,
        bounds=prob.bounds,
        status_quo=prob.status_quo,
        present=np.arange(a * 3).reshape(a, 3) % 7 != 3,
    )
    kw = {"profile": profile, "Q": q, "stop": stop, "rounds": 6 if stop == "fixed" else 30}
    ref = run_eum(prob, **kw)
    if stop == "converge":
        assert len(set(np.asarray(ref.extras["rounds_by_issue"]).ravel().tolist())) > 2
    monkeypatch.setattr(eum, "_ROW_BUDGET", 7 * a * a)
    _same_run(ref, run_eum(prob, **kw))
    monkeypatch.setattr(eum, "_VOTE_BUDGET", 2 * a * a)
    _same_run(ref, run_eum(prob, **kw))
    monkeypatch.undo()
    for i in (0, 33, 69):
        one = run_eum(prob.item(i), **kw)
        r = int(one.rounds)
        np.testing.assert_array_equal(one.positions, ref.positions[i, : r + 1])
        np.testing.assert_array_equal(one.outcome, ref.outcome[i])
        for key in ("median_by_round", "move_with", "risk_exponent"):
            np.testing.assert_array_equal(one.extras[key], ref.extras[key][i, : one.extras[key].shape[0]])
        for key in ("converged", "cycle_length", "cycle_low", "cycle_high", "outcome_low", "outcome_high"):
            np.testing.assert_array_equal(one.extras[key], ref.extras[key][i], err_msg=key)


@pytest.mark.parametrize("n", [1, 3, 7, 8, 9, 16, 17, 100, 128, 129, 300, 1000])
def test_column_sums_follow_numpy_row_sums(n: int) -> None:
    # Sums over actors on columns reproduce NumPy's pairwise summation of a contiguous row bit for bit.
    from realpolitik.models.eum import _psum

    rng = np.random.default_rng(n)
    for cols in (5, 200):
        rows = rng.uniform(0, 1, (cols, n)) * 10.0 ** rng.uniform(-6, 6, (cols, n))
        np.testing.assert_array_equal(_psum(np.ascontiguousarray(rows.T)), rows.sum(axis=1))


# ------------------------------------------------------------------------------- stop rule and cycles

# japan-russia-2016 as the models saw it when this test was written (the scenario after its
# environment links are applied); fixed here because the built-in scenario is being recoded
FLAGSHIP_2016 = BargainingProblem(
    capability=np.array([0.03297, 0.03647, 0.23062, 0.13306]),
    position=np.array(
        [
            [100.0, 100.0, 60.28876570971834, 0.0],
            [6.9, 0.0, 100.0, 25.0],
            [0.0, 0.0, 50.0, 75.0],
            [100.0, 100.0, 50.0, 0.0],
        ]
    ),
    salience=np.array(
        [
            [0.8988449371611267, 0.5, 0.3528876570971834, 0.5028876570971834],
            [0.6, 0.8, 0.6, 0.3],
            [0.15, 0.2, 0.0, 0.4],
            [0.2, 0.4, 0.0, 0.2],
        ]
    ),
    bounds=np.tile([0.0, 100.0], (4, 1)),
    status_quo=np.array([0.0, 0.0, 25.0, 25.0]),
    actors=("JPN", "RUS", "CHN", "USA"),
    issues=("territory", "military_status", "economic_cooperation", "russia_china_front"),
    present=np.array([[True] * 4, [True] * 4, [True, True, False, True], [True, True, False, True]]),
)


def test_flagship_territory_cycles_with_period_three() -> None:
    # Fixed rounds give whatever phase of the oscillation the last round hits
    med8 = run_eum(FLAGSHIP_2016, stop="fixed", rounds=12).extras["median_by_round"][:, 0]
    np.testing.assert_allclose(med8[6:10], [49.553789, 89.248322, 6.9, 49.529644], atol=1e-6)
    traj = run_eum(FLAGSHIP_2016)
    ex = traj.extras
    assert ex["stop_rule"] == "converge"
    np.testing.assert_array_equal(ex["converged"], [False, True, True, True])
    np.testing.assert_array_equal(ex["cycle_length"], [3, 0, 0, 0])
    np.testing.assert_array_equal(ex["rounds_by_issue"], [16, 5, 2, 3])
    med = ex["median_by_round"][:, 0]
    # the positions repeat every three rounds to within 1e-6 of the range (detected in round 16)
    pos = traj.positions[:, :, 0]
    assert np.abs(pos[14:17] - pos[11:14]).max() <= 1e-6 * 100
    assert np.abs(pos[13:16] - pos[10:13]).max() > 1e-6 * 100  # not yet one round earlier
    assert ex["cycle_low"][0] == 6.9 == med[-3:].min()
    assert ex["cycle_high"][0] == med[-3:].max() == pytest.approx(89.231047, abs=1e-6)
    # the forecast of a cycle is the median averaged over one period, whatever the phase
    assert traj.outcome[0] == (0.0 + med[-3] + med[-2] + med[-1]) / 3 == pytest.approx(48.553229, abs=1e-6)
    np.testing.assert_array_equal(traj.outcome[1:], [0.0, 100.0, 0.0])
    for cap in (16, 20, 37, 100):
        assert run_eum(FLAGSHIP_2016, rounds=cap).outcome[0] == traj.outcome[0]
    out = get_model("eum").extras_to_json(ex, FLAGSHIP_2016)  # type: ignore[misc]
    assert out["converged"] == {
        "territory": False,
        "military_status": True,
        "economic_cooperation": True,
        "russia_china_front": True,
    }
    assert out["cycle_length"]["territory"] == 3 and out["cycle_length"]["military_status"] is None
    assert out["cycle_range"]["territory"] == [6.9, ex["cycle_high"][0]]
    assert out["cycle_range"]["economic_cooperation"] is None
    assert out["outcome_range"]["territory"] == out["cycle_range"]["territory"]


def naive_stop(med, pos, unit, *, tol, patience, max_period, cycle_tol, cap, fixed):  # type: ignore[no-untyped-def]
    """The stop rule of docs/models/eum.md, round by round in plain Python, applied to a fixed-round
    trajectory: (rounds, converged, period, outcome, low, high)."""
    run, match = 0, dict.fromkeys(range(2, max_period + 1), 0)
    conv, period, t = False, 0, 0

    def window(t: int, w: int):  # type: ignore[no-untyped-def]
        vals = [float(v) for v in med[t - w + 1 : t + 1]]
        total = 0.0
        for v in vals:
            total += v
        return min(vals), max(vals), total / w

    for t in range(1, cap + 1):
        run = run + 1 if abs(med[t] - med[t - 1]) <= tol * unit else 0
        conv = run >= patience or bool((pos[t] == pos[t - 1]).all())
        period = 0
        for lag in range(2, min(max_period, t) + 1):
            near = float(np.max(np.abs(pos[t] - pos[t - lag]))) <= cycle_tol * unit
            match[lag] = match[lag] + 1 if near else 0
            if period == 0 and match[lag] >= lag:
                period = lag
        if fixed or t == cap:
            continue
        if conv:
            return t, True, 0, float(med[t]), np.nan, np.nan
        if period:
            low, high, mean = window(t, period)
            if high - low > tol * unit:
                return t, False, period, mean, low, high
    if conv:
        return t, True, 0, float(med[t]), np.nan, np.nan
    if cap == 0:
        return 0, False, 0, float(med[0]), float(med[0]), float(med[0])
    low, high, mean = window(t, period or max(1, min(max_period, t)))
    return t, False, period, float(med[t]) if fixed else mean, low, high


@st.composite
def batched_problems(draw):  # type: ignore[no-untyped-def]
    b = draw(st.integers(1, 5))
    a = draw(st.integers(2, 6))
    d = draw(st.integers(1, 2))
    grid = st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]) | st.floats(0, 1)
    u = np.array(draw(st.lists(grid, min_size=b * a * d, max_size=b * a * d))).reshape(b, a, d)
    c = np.array(draw(st.lists(st.floats(0.05, 1), min_size=b * a, max_size=b * a))).reshape(b, a)
    s = np.array(draw(st.lists(st.floats(0.05, 1), min_size=b * a * d, max_size=b * a * d))).reshape(b, a, d)
    width = draw(st.sampled_from([1.0, 6.0, 100.0]))
    return BargainingProblem(
        capability=c,
        position=u * width,
        salience=s,
        bounds=np.tile([0.0, width], (d, 1)),
        status_quo=np.full((b, d), width / 2),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prob=batched_problems(),
    tol=st.sampled_from([0.0, 0.001, 0.01, 0.05]),
    patience=st.integers(1, 5),
    max_period=st.integers(0, 7),
    cycle_tol=st.sampled_from([0.0, 1e-6, 1e-3]),
    cap=st.integers(0, 40),
    profile=st.sampled_from(["spec", "compat"]),
    mode=st.sampled_from(["converge", "fixed"]),
)
def test_property_stop_rule_equals_a_round_by_round_reading(  # type: ignore[no-untyped-def]
    prob, tol, patience, max_period, cycle_tol, cap, profile, mode
) -> None:
    # Converged runs have a stable median for `patience` rounds (or nobody moves); detected cycles
    # repeat; the batch equals single runs bit for bit; the verdicts equal a naive reading of the rule.
    kw = {
        "profile": profile,
        "tol": tol,
        "patience": patience,
        "max_period": max_period,
        "cycle_tol": cycle_tol,
        "rounds": cap,
    }
    traj = run_eum(prob, stop=mode, **kw)
    again = run_eum(prob, stop=mode, **kw)
    _same_run(traj, again)  # deterministic
    full = run_eum(prob, stop="fixed", **kw)
    ex = traj.extras
    unit = float(prob.bounds[0, 1] - prob.bounds[0, 0])
    for b in range(prob.batch_shape[0]):
        one = run_eum(prob.item(b), stop=mode, **kw)
        r_one = int(one.rounds)
        np.testing.assert_array_equal(one.positions, traj.positions[b, : r_one + 1])
        np.testing.assert_array_equal(one.outcome, traj.outcome[b])
        for d in range(prob.n_issues):
            med = full.extras["median_by_round"][b, :, d]
            pos = full.positions[b, :, :, d]
            r, conv, period, outcome, low, high = naive_stop(
                med,
                pos,
                unit,
                tol=tol,
                patience=patience,
                max_period=max_period,
                cycle_tol=cycle_tol,
                cap=cap,
                fixed=mode == "fixed",
            )
            assert ex["rounds_by_issue"][b, d] == r
            assert ex["converged"][b, d] == conv
            assert ex["cycle_length"][b, d] == period
            assert traj.outcome[b, d] == outcome
            np.testing.assert_array_equal([ex["outcome_low"][b, d], ex["outcome_high"][b, d]], [low, high])
            np.testing.assert_array_equal(traj.positions[b, : r + 1, :, d], pos[: r + 1])
            if conv:
                moved = np.abs(np.diff(med[r - min(patience, r) : r + 1]))
                assert (pos[r] == pos[r - 1]).all() or (r >= patience and (moved <= tol * unit).all())
            if period:
                assert 2 <= period <= max_period
                assert np.abs(
                    pos[r - period + 1 : r + 1] - pos[r - 2 * period + 1 : r - period + 1]
                ).max() <= (cycle_tol * unit)
                assert ex["cycle_low"][b, d] == med[r - period + 1 : r + 1].min() == low
                assert ex["cycle_high"][b, d] == med[r - period + 1 : r + 1].max() == high
            else:
                assert np.isnan(ex["cycle_low"][b, d]) and np.isnan(ex["cycle_high"][b, d])
            if not conv and not period:
                assert r == cap


@st.composite
def masked_problems(draw):  # type: ignore[no-untyped-def]
    a = draw(st.integers(1, 9))
    d = draw(st.integers(1, 3))
    grid = st.sampled_from([0.0, 0.25, 0.5, 1.0]) | st.floats(0, 1)
    u = np.array(draw(st.lists(grid, min_size=a * d, max_size=a * d))).reshape(a, d)
    weight = st.sampled_from([0.0, 1.0]) | st.floats(0, 1)
    c = np.array(draw(st.lists(weight, min_size=a, max_size=a)))
    s = np.array(draw(st.lists(weight, min_size=a * d, max_size=a * d))).reshape(a, d)
    present = np.array(draw(st.lists(st.booleans(), min_size=a * d, max_size=a * d))).reshape(a, d) | (a == 1)
    lo = draw(st.floats(-50, 50))
    width = draw(st.sampled_from([1.0, 6.0, 100.0]))
    pos = np.where(present, lo + u * width, np.nan)
    return BargainingProblem(
        capability=c,
        position=pos,
        salience=s,
        bounds=np.tile([lo, lo + width], (d, 1)),
        status_quo=np.full(d, lo + width / 2),
        present=present,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prob=masked_problems(),
    q=st.sampled_from([1.0, 0.5, 0.0]),
    profile=st.sampled_from(["spec", "compat"]),
    stop=st.sampled_from(["converge", "fixed"]),
    rounds=st.integers(0, 30),
)
def test_single_runs_on_the_small_path_equal_the_column_kernel(  # type: ignore[no-untyped-def]
    prob, q, profile, stop, rounds
) -> None:
    # A single problem runs its issues one by one on 2-D arrays; the column kernel is the reference.
    from unittest import mock

    from realpolitik.models import eum

    kw = {"Q": q, "profile": profile, "stop": stop, "rounds": rounds}
    small = run_eum(prob, **kw)
    with mock.patch.object(eum, "_SMALL_ACTORS", 0):
        _same_run(small, run_eum(prob, **kw))


def test_small_path_workspace_reused_across_runs_and_threads() -> None:
    # Single runs of one actor count share a per-thread workspace of buffers: a run between two
    # runs of the same problem, and runs in parallel threads, leave every result bit for bit alike.
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(13)

    def problem(present: bool) -> BargainingProblem:
        pres = rng.uniform(size=(7, 2)) < 0.8 if present else None
        pos = np.round(rng.uniform(0, 100, (7, 2)))
        return BargainingProblem(
            capability=rng.uniform(0.05, 1.0, 7),
            position=pos if pres is None else np.where(pres | (np.arange(7) == 0)[:, None], pos, np.nan),
            salience=rng.uniform(0.1, 1.0, (7, 2)),
            bounds=np.tile([0.0, 100.0], (2, 1)),
            status_quo=np.full(2, 50.0),
            present=None if pres is None else pres | (np.arange(7) == 0)[:, None],
        )

    probs = [problem(i % 2 == 1) for i in range(6)]
    kws = [{"stop": "fixed"}, {"Q": 0.5}, {"profile": "compat"}]
    jobs = [(p, kw) for p in probs for kw in kws]
    first = [run_eum(p, **kw) for p, kw in jobs]
    again = [run_eum(p, **kw) for p, kw in reversed(jobs)][::-1]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda job: run_eum(job[0], **job[1]), jobs * 3))
    for i, t in enumerate(first):
        _same_run(t, again[i])
        for k in range(3):
            _same_run(t, threaded[i + k * len(jobs)])
