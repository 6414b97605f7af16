"""Bueno de Mesquita's expected-utility model (EUM), as read by Scholz, Calbert & Smith (2011).

One issue at a time: every issue of every problem in a batch is an independent one-dimensional
game, and all of them are run together as rows of ``(n, A)`` arrays. The equations, the
interpretive choices and their sources are in ``docs/models/eum.md``; the specification followed
is ``shared/models/eum.md`` (section numbers "§" below are that specification's).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from realpolitik.models.problem import BargainingProblem, Trajectory
from realpolitik.models.registry import ModelInfo, register

PROFILES = ("spec", "compat")
"""Offer-selection profiles (§9): ``spec`` (default, axis-direction free) and ``compat``
(the second implementation's rule, jmckib / Scholz's code)."""

NO_MOVE, CONFLICT, COMPROMISE, COMPEL = 0, 1, 2, 3
MOVE_NAMES = {CONFLICT: "conflict", COMPROMISE: "compromise", COMPEL: "compel"}

_TIE_RTOL = 1e-12  # median ties: scores within 1e-12 * W * R of the minimum (§3)
_VOTE_BUDGET = 500_000  # elements of the (rows, voters, A, A) vote tensor held at once
_ROW_BUDGET = 40_000  # elements of an (rows, A, A) pair array per chunk (keeps chunks in cache)


@dataclass(frozen=True)
class EUMRound:
    """What one round computes for ``n`` one-issue problems of ``A`` actors (arrays ``(n, ...)``).

    Pair arrays are indexed ``[row, i, j]``: ``i`` is the challenger / potential mover, ``j`` the
    target / proposer.
    """

    median: np.ndarray  # (n,) μ at the start of the round
    first_pass_d: np.ndarray  # (n,) all-pairs vote denominator D with r ≡ 1
    first_pass_p: np.ndarray  # (n, A, A) P_ij with r ≡ 1
    security: np.ndarray  # (n, A) Sec_i = Σ_j E1_ji
    risk: np.ndarray  # (n, A) risk exponents r_i in [0.5, 2]
    p: np.ndarray  # (n, A, A) P_ij with each voter's own r_k
    d: np.ndarray  # (n,) denominator of the second pass
    a: np.ndarray  # (n, A, A) a_ij = EU(i→j; r_i)
    b: np.ndarray  # (n, A, A) b_ij = EU(j→i; r_i), j's EU as i estimates it
    move_type: np.ndarray  # (n, A) int8: NO_MOVE, CONFLICT, COMPROMISE or COMPEL
    move_with: np.ndarray  # (n, A) proposer index of the accepted offer, -1 if none
    new_position: np.ndarray  # (n, A) positions after the simultaneous update


# ---------------------------------------------------------------------------------------------- pieces


def weighted_median(x: np.ndarray, weight: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """The Condorcet winner among the actors' positions under linear pairwise votes (§3), per row.

    ``x`` and ``weight`` are ``(n, A)``. The winner minimises S_j = Σ_i w_i |x_i − x_j|; positions
    whose S is within 1e-12·W·R of the minimum tie (R: the spread of ``x``), and the lowest tied
    position is returned. Rows without a valid actor give NaN.
    """
    x = np.asarray(x, dtype=float)
    weight = np.asarray(weight, dtype=float)
    dist = np.abs(x[..., :, None] - x[..., None, :])
    return _median_from_dist(x, dist, weight, valid)


def _median_from_dist(
    x: np.ndarray,
    dist: np.ndarray,
    weight: np.ndarray,
    valid: np.ndarray | None,
    scale: np.ndarray | None = None,
) -> np.ndarray:
    score = np.einsum("na,naj->nj", weight, dist)
    xv = x if valid is None else np.where(valid, x, np.inf)
    if valid is not None:
        score = np.where(valid, score, np.inf)
    if scale is not None:
        spread = scale
    elif valid is None:
        spread = x.max(axis=-1) - x.min(axis=-1)
    else:
        spread = np.where(valid, x, -np.inf).max(axis=-1) - xv.min(axis=-1)
    best = score.min(axis=-1)
    total = (weight if valid is None else np.where(valid, weight, 0.0)).sum(axis=-1)
    tol = _TIE_RTOL * np.where(np.isfinite(spread), total * spread, 0.0)
    tied = score <= (best + tol)[:, None]
    out = np.where(tied, xv, np.inf).min(axis=-1)
    return np.where(np.isfinite(out), out, np.nan)


def _abs_vote_sums(u: np.ndarray, w: np.ndarray) -> np.ndarray:
    """A_ij = Σ_k w_k |u_kj − u_ki| for ``u`` ``(n, K, A)`` (voter k, candidate a); returns ``(n, A, A)``."""
    n, k_all, a = u.shape
    block = max(1, min(k_all, _VOTE_BUDGET // max(1, n * a * a)))
    out = np.zeros((n, a * a))
    for k0 in range(0, k_all, block):
        uk = u[:, k0 : k0 + block]
        diff = uk[:, :, None, :] - uk[:, :, :, None]  # [n, k, i, j] = u_kj − u_ki
        np.abs(diff, out=diff)
        out += np.einsum("nk,nkp->np", w[:, k0 : k0 + block], diff.reshape(n, uk.shape[1], a * a))
    return out.reshape(n, a, a)


def _success_probability(
    delta: np.ndarray,
    w: np.ndarray,
    exponent: np.ndarray | None,
    contest: np.ndarray,
    pair_valid: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """P_ij and the all-pairs denominator D (§5); ``exponent`` ``(n, A)`` per voter, None for r ≡ 1."""
    u = delta if exponent is None else np.power(delta, exponent[:, :, None])  # u[n, k, a]
    abs_sum = _abs_vote_sums(u, w)
    v = np.einsum("nk,nka->na", w, u)
    net = v[:, None, :] - v[:, :, None]  # V_j − V_i
    support = 0.5 * (abs_sum + net)  # N_ij: votes of i's supporters only
    if pair_valid is not None:
        abs_sum = np.where(pair_valid, abs_sum, 0.0)
    d = abs_sum.sum(axis=(1, 2))
    ok = contest & (d > 0)[:, None, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(ok, support / np.where(d > 0, d, 1.0)[:, None, None], 0.0)
    return p, d


def _risk_exponents(sec: np.ndarray, valid: np.ndarray | None) -> np.ndarray:
    """r_i = (1 − R_i/3)/(1 + R_i/3) with R_i = (2 Sec_i − max − min)/(max − min), or r = 1 (§7)."""
    if valid is None:
        hi = sec.max(axis=-1, keepdims=True)
        lo = sec.min(axis=-1, keepdims=True)
    else:
        hi = np.where(valid, sec, -np.inf).max(axis=-1, keepdims=True)
        lo = np.where(valid, sec, np.inf).min(axis=-1, keepdims=True)
    span = hi - lo
    spread = span > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        basis = np.where(spread, (2.0 * sec - hi - lo) / np.where(spread, span, 1.0), 0.0)
    r = (1.0 - basis / 3.0) / (1.0 + basis / 3.0)
    if valid is not None:
        r = np.where(valid, r, 1.0)
    return np.asarray(r)


def _select(rank: np.ndarray, key1: np.ndarray, key2: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Per mover (row i): the lowest type rank, then the smallest key1, then key2, then the lowest j."""
    min_rank = rank.min(axis=-1)
    chosen = rank == min_rank[..., None]
    k1 = np.where(chosen, key1, np.inf)
    best1 = k1.min(axis=-1)
    chosen &= k1 == best1[..., None]
    if key2 is None:
        j = np.argmax(chosen, axis=-1)
    else:
        j = np.argmin(np.where(chosen, key2, np.inf), axis=-1)
    return min_rank, j


def eum_round(
    x: np.ndarray,
    w: np.ndarray,
    s: np.ndarray,
    scale: np.ndarray,
    *,
    Q: float = 1.0,
    profile: str = "spec",
    valid: np.ndarray | None = None,
    median_weight: np.ndarray | None = None,
    median: np.ndarray | None = None,
) -> EUMRound:
    """One round of the model (§2) for ``n`` one-issue problems at once.

    ``x``, ``w`` (= capability·salience), ``s`` (salience in [0, 1]) are ``(n, A)``; ``scale`` is
    R (the initial range, ``(n,)``). ``valid`` masks actors out of a row (absent on the issue).
    ``median_weight`` defaults to ``w``; ``median`` (μ at the start of the round) is computed when
    not given.
    """
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    s = np.asarray(s, dtype=float)
    n = x.shape[0]
    scale = np.asarray(scale, dtype=float).reshape(n)
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}, got {profile!r}")
    wv = w if valid is None else np.where(valid, w, 0.0)
    dist = np.abs(x[:, :, None] - x[:, None, :])  # [n, i, j] = |x_i − x_j|
    if median is None:
        median = _median_from_dist(x, dist, wv if median_weight is None else median_weight, valid, scale)
    r_safe = np.where(scale > 0, scale, 1.0)[:, None, None]
    delta = dist / r_safe
    contest = dist != 0
    pair_valid = None
    if valid is not None:
        pair_valid = valid[:, :, None] & valid[:, None, :]
        contest &= pair_valid
    s_target = s[:, None, :]  # s_j
    s_mover = s[:, :, None]  # s_i

    q_terms = Q < 1.0
    if q_terms:
        to_mu = np.abs(x - median[:, None])[:, :, None]  # |x_i − μ|
        eta = (to_mu + dist) / r_safe  # η_ij
        t_flag = to_mu < dist  # T_ij

    # ---- first pass: r ≡ 1 (§6 closed form), security levels and risk exponents (§7)
    p1, d1 = _success_probability(delta, wv, None, contest, pair_valid)
    e1 = 2.0 * delta * (1.0 - 2.0 * s_target * (1.0 - p1))
    if q_terms:
        e1 = e1 - (1.0 - Q) * (2.0 * t_flag - 1.0) * eta
    e1 = np.where(contest, e1, 0.0)
    sec = e1.sum(axis=1)  # column sums: what i's adversaries expect from challenging i
    risk = _risk_exponents(sec, valid)

    # ---- second pass: votes with each voter's own r_k, utilities with the mover's r_i
    p, d = _success_probability(delta, wv, risk, contest, pair_valid)
    rr = risk[:, :, None]
    low = np.power(0.5 - 0.5 * delta, rr)
    high = np.power(0.5 + 0.5 * delta, rr)
    u_sq = 2.0 - 4.0 * np.power(0.5, rr)
    u_s = 2.0 - 4.0 * low
    gap = 4.0 * (high - low)  # U_s − U_f
    base = u_s - Q * u_sq
    a = base - s_target * (1.0 - p) * gap
    b = base - s_mover * (1.0 - p.transpose(0, 2, 1)) * gap
    if q_terms:
        eta_t = eta.transpose(0, 2, 1)
        t_t = t_flag.transpose(0, 2, 1)
        a = a - (1.0 - Q) * _median_term(eta, t_flag, rr)
        b = b - (1.0 - Q) * _median_term(eta_t, t_t, rr)
    a = np.where(contest, a, 0.0)
    b = np.where(contest, b, 0.0)

    # ---- offers (§8) and the one each actor accepts (§9)
    conflict = contest & (a > 0) & (b > a)
    compromise = contest & (a < 0) & (b > -a)
    xi = x[:, :, None]
    xj = np.broadcast_to(x[:, None, :], dist.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = -a / b
        comp_target = xi + (xj - xi) * ratio
    rank = np.where(conflict, 0, np.where(compromise, 1, 3))
    if profile == "spec":
        compel = contest & (a < 0) & (b > 0) & (-a > b)
        rank = np.where(compel, 2, rank)
        neg_b = -b
        key1 = np.where(compromise, neg_b, dist)
        key2 = np.where(compromise, np.abs(comp_target - xi), neg_b)
        min_rank, j = _select(rank, key1, key2)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            abs_a = np.abs(a)
            compat_key = (abs_a * xi + b * xj) / (abs_a + b)
        key1 = np.where(compromise, compat_key, dist)
        min_rank, j = _select(rank, key1, None)
    target = np.where(compromise, comp_target, xj)
    moved = min_rank < 3
    chosen = np.take_along_axis(target, j[:, :, None], axis=-1)[:, :, 0]
    new_x = np.where(moved, chosen, x)
    kinds = np.array([CONFLICT, COMPROMISE, COMPEL, NO_MOVE], dtype=np.int8)
    return EUMRound(
        median=median,
        first_pass_d=d1,
        first_pass_p=p1,
        security=sec,
        risk=risk,
        p=p,
        d=d,
        a=a,
        b=b,
        move_type=kinds[min_rank],
        move_with=np.where(moved, j, -1),
        new_position=new_x,
    )


def _median_term(eta: np.ndarray, t_flag: np.ndarray, rr: np.ndarray) -> np.ndarray:
    """T U_b + (1 − T) U_w with U_b = 2 − 4(½ − ¼η)^r, U_w = 2 − 4(½ + ¼η)^r (eqs. 22–23)."""
    u_b = 2.0 - 4.0 * np.power(0.5 - 0.25 * eta, rr)
    u_w = 2.0 - 4.0 * np.power(0.5 + 0.25 * eta, rr)
    return np.where(t_flag, u_b, u_w)


# ---------------------------------------------------------------------------------------------- runner


@dataclass(frozen=True)
class EUMRows:
    """Results for ``n`` one-issue rows: positions ``(n, R+1, A)``, medians and means ``(n, R+1)``,
    rounds run ``(n,)``, risk exponents ``(n, R, A)``, move types and proposers ``(n, R, A)``."""

    positions: np.ndarray
    median: np.ndarray
    mean: np.ndarray
    rounds: np.ndarray
    risk: np.ndarray
    move_type: np.ndarray
    move_with: np.ndarray


def run_rows(
    x: np.ndarray,
    w: np.ndarray,
    s: np.ndarray,
    *,
    valid: np.ndarray | None = None,
    median_weight: np.ndarray | None = None,
    Q: float = 1.0,
    profile: str = "spec",
    rounds: int = 8,
    tol: float | None = None,
) -> EUMRows:
    """Run the model on ``n`` independent one-issue problems given as rows of ``(n, A)`` arrays.

    ``valid`` rows must have at least one True; invalid entries of ``x`` must be finite (the caller
    fills them). ``median_weight`` is used for the reported median and mean (default ``w``).
    """
    x = np.asarray(x, dtype=float)
    n, na = x.shape
    w = np.broadcast_to(np.asarray(w, dtype=float), (n, na))
    s = np.broadcast_to(np.asarray(s, dtype=float), (n, na))
    if valid is not None:
        valid = np.broadcast_to(np.asarray(valid, dtype=bool), (n, na))
        if valid.all():
            valid = None
    wv = w if valid is None else np.where(valid, w, 0.0)
    mw = wv if median_weight is None else np.broadcast_to(np.asarray(median_weight, dtype=float), (n, na))
    if valid is not None:
        mw = np.where(valid, mw, 0.0)
    if valid is None:
        scale = x.max(axis=1) - x.min(axis=1)
    else:
        scale = np.where(valid, x, -np.inf).max(axis=1) - np.where(valid, x, np.inf).min(axis=1)
    scale = np.where(np.isfinite(scale), scale, 0.0)

    positions = np.empty((n, rounds + 1, na))
    positions[:, 0] = x
    medians = np.empty((n, rounds + 1))
    means = np.empty((n, rounds + 1))
    risk = np.ones((n, rounds, na))
    mtype = np.zeros((n, rounds, na), dtype=np.int8)
    mwith = np.full((n, rounds, na), -1, dtype=np.int64)
    done_at = np.full(n, rounds, dtype=np.int64)

    chunk = max(1, _ROW_BUDGET // max(1, na * na))
    for c0 in range(0, n, chunk):
        rows = np.arange(c0, min(n, c0 + chunk))
        xc = x[rows]
        vc = None if valid is None else valid[rows]
        mu = _median_from_dist(xc, np.abs(xc[:, :, None] - xc[:, None, :]), mw[rows], vc, scale[rows])
        medians[rows, 0] = mu
        means[rows, 0] = _mean(xc, mw[rows])
        active = np.arange(rows.size)
        for t in range(rounds):
            if active.size == 0:
                break
            g = rows[active]
            va = None if vc is None else vc[active]
            res = eum_round(
                xc[active],
                wv[g],
                s[g],
                scale[g],
                Q=Q,
                profile=profile,
                valid=va,
                median_weight=mw[g],
                median=mu[active],
            )
            new_x = res.new_position
            new_dist = np.abs(new_x[:, :, None] - new_x[:, None, :])
            new_mu = _median_from_dist(new_x, new_dist, mw[g], va, scale[g])
            positions[g, t + 1] = new_x
            medians[g, t + 1] = new_mu
            means[g, t + 1] = _mean(new_x, mw[g])
            risk[g, t] = res.risk
            mtype[g, t] = res.move_type
            mwith[g, t] = res.move_with
            if tol is not None:
                step = np.abs(new_x - xc[active])
                if va is not None:
                    step = np.where(va, step, 0.0)
                still = step.max(axis=1) > tol * scale[g]
            else:
                still = np.ones(active.size, dtype=bool)
            xc[active] = new_x
            mu[active] = new_mu
            stop = active[~still]
            if stop.size:
                done_at[rows[stop]] = t + 1
                last = rows[stop]
                positions[last, t + 2 :] = new_x[~still][:, None, :]
                medians[last, t + 2 :] = new_mu[~still][:, None]
                means[last, t + 2 :] = means[last, t + 1][:, None]
            active = active[still]
    r_max = int(done_at.max()) if n else 0
    return EUMRows(
        positions=positions[:, : r_max + 1],
        median=medians[:, : r_max + 1],
        mean=means[:, : r_max + 1],
        rounds=done_at,
        risk=risk[:, :r_max],
        move_type=mtype[:, :r_max],
        move_with=mwith[:, :r_max],
    )


def _mean(x: np.ndarray, weight: np.ndarray) -> np.ndarray:
    tot = weight.sum(axis=-1)
    return np.asarray((weight * x).sum(axis=-1) / np.where(tot > 0, tot, 1.0))


# ---------------------------------------------------------------------------------------------- model


def _check(prm: dict[str, Any]) -> tuple[float, str, int, float | None]:
    q = float(prm["Q"])
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"eum parameter 'Q' must be in [0, 1], got {q}")
    rounds = prm["rounds"]
    if isinstance(rounds, bool) or not isinstance(rounds, (int, np.integer)) or rounds < 0:
        raise ValueError(f"eum parameter 'rounds' must be a non-negative integer, got {rounds!r}")
    tol = prm["tol"]
    if tol is not None:
        tol = float(tol)
        if not tol >= 0.0:
            raise ValueError(f"eum parameter 'tol' must be None or >= 0, got {prm['tol']!r}")
    return q, str(prm["profile"]), int(rounds), tol


def run_eum(
    problem: BargainingProblem, *, rng: np.random.Generator | None = None, **params: Any
) -> Trajectory:
    """The expected-utility model, each issue separately; deterministic (``rng`` is ignored).

    Parameters: ``profile`` (``"spec"`` or ``"compat"``), ``Q`` (probability that an unchallenged
    target stays put), ``rounds`` (fixed number of rounds), ``tol`` (``None``: always run ``rounds``;
    a number: a problem stops after the first round in which no actor moved more than ``tol`` times
    the issue's initial range R, so ``tol=0`` stops only at an exact fixed point).
    """
    q, profile, n_rounds, tol = _check(INFO.check_params(params))
    p = problem.broadcast()
    batch = p.batch_shape_all
    na, nd = p.n_actors, p.n_issues
    # rows = (batch..., issue), columns = actors
    x = np.moveaxis(p.position, -1, -2).reshape(-1, na)
    power = np.moveaxis(np.array(p.power, dtype=float), -1, -2).reshape(-1, na)
    sal = np.moveaxis(p.salience, -1, -2).reshape(-1, na)
    n = x.shape[0]
    if p.present is None:
        valid = np.ones((n, na), dtype=bool)
    else:
        valid = np.broadcast_to(p.present.T, (*batch, nd, na)).reshape(-1, na)
    valid = valid & np.isfinite(x)
    has_any = valid.any(axis=1)
    fill = np.where(valid, x, np.inf).min(axis=1)
    fill = np.where(np.isfinite(fill), fill, 0.0)
    x_in = np.where(valid, x, fill[:, None])
    sal_in = np.where(valid, sal, 0.0)
    power_in = np.where(valid, power, 0.0)
    w = power_in * sal_in
    # reported median / mean weights: c·s, or c when every c·s is 0, or equal weights (docs)
    mw = np.where(
        (w.sum(axis=1) > 0)[:, None], w, np.where((power_in.sum(axis=1) > 0)[:, None], power_in, 1.0)
    )
    mw = np.where(valid, mw, 0.0)
    rows = run_rows(
        x_in,
        w,
        sal_in,
        valid=np.where(has_any[:, None], valid, True),
        median_weight=np.where(has_any[:, None], mw, 1.0),
        Q=q,
        profile=profile,
        rounds=n_rounds,
        tol=tol,
    )
    r1 = rows.positions.shape[1]
    pos = np.where(valid[:, None, :], rows.positions, x[:, None, :])
    positions = np.moveaxis(pos.reshape(*batch, nd, r1, na), -3, -1)  # (..., R+1, A, D)
    sq = np.broadcast_to(p.status_quo, (*batch, nd)).reshape(-1)
    median = np.where(has_any[:, None], rows.median, sq[:, None])
    mean = np.where(has_any[:, None], rows.mean, sq[:, None])
    median_by_round = np.moveaxis(median.reshape(*batch, nd, r1), -1, -2)
    mean_by_round = np.moveaxis(mean.reshape(*batch, nd, r1), -1, -2)
    last = rows.rounds
    outcome = median[np.arange(n), last].reshape(*batch, nd)
    rounds_out: int | np.ndarray = last.reshape(*batch, nd).max(axis=-1) if batch else int(last.max())

    def per_round(arr: np.ndarray) -> np.ndarray:  # (n, R, A) -> (..., R, A, D)
        return np.moveaxis(arr.reshape(*batch, nd, r1 - 1, na), -3, -1)

    extras = {
        "median_by_round": median_by_round,
        "mean_by_round": mean_by_round,
        "risk_exponent": per_round(rows.risk),
        "move_type": per_round(rows.move_type),
        "move_with": per_round(rows.move_with),
        "rounds_by_issue": last.reshape(*batch, nd),
    }
    return Trajectory(positions=positions, outcome=outcome, rounds=rounds_out, extras=extras)


def eum_extras_to_json(extras: dict[str, Any], problem: BargainingProblem) -> dict[str, Any]:
    """JSON-ready extras of one unbatched run, keyed by issue and actor ids."""
    issues, actors = problem.issues, problem.actors
    med = np.asarray(extras["median_by_round"])
    mean = np.asarray(extras["mean_by_round"])
    risk = np.asarray(extras["risk_exponent"])
    mtype = np.asarray(extras["move_type"])
    mwith = np.asarray(extras["move_with"])
    moves: dict[str, list[list[dict[str, Any]]]] = {}
    for d, issue in enumerate(issues):
        per_round = []
        for t in range(mtype.shape[0]):
            per_round.append(
                [
                    {
                        "actor": actors[i],
                        "type": MOVE_NAMES[int(mtype[t, i, d])],
                        "with": actors[int(mwith[t, i, d])],
                    }
                    for i in range(len(actors))
                    if mtype[t, i, d] != NO_MOVE
                ]
            )
        moves[issue] = per_round
    return {
        "median_by_round": {issue: [float(v) for v in med[:, d]] for d, issue in enumerate(issues)},
        "mean_by_round": {issue: [float(v) for v in mean[:, d]] for d, issue in enumerate(issues)},
        "risk_exponent_by_round": {
            issue: {actor: [float(v) for v in risk[:, i, d]] for i, actor in enumerate(actors)}
            for d, issue in enumerate(issues)
        },
        "moves_by_round": moves,
        "rounds_by_issue": {
            issue: int(v)
            for issue, v in zip(issues, np.asarray(extras["rounds_by_issue"]).reshape(-1), strict=True)
        },
    }


INFO = register(
    ModelInfo(
        name="eum",
        title="Expected-utility model (Bueno de Mesquita; Scholz et al. 2011 reading)",
        run=run_eum,
        stochastic=False,
        multi_issue=False,
        dynamic=True,
        params={"profile": "spec", "Q": 1.0, "rounds": 8, "tol": None},
        choices={"profile": PROFILES},
        requires=("capability",),
        description=(
            "Actors challenge one another when their expected utility says so; conflicts, compromises and "
            "capitulations move them toward the proposer, round after round; the forecast is the "
            "capability-and-salience weighted median after the last round. Each issue separately."
        ),
        reference=(
            "Bueno de Mesquita (1994); Scholz, Calbert & Smith (2011), ICAART, pp. 18-30; "
            "specification shared/models/eum.md"
        ),
        extras_to_json=eum_extras_to_json,
    )
)
