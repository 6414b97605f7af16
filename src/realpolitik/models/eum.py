"""Bueno de Mesquita's expected-utility model (EUM), as read by Scholz, Calbert & Smith (2011).

One issue at a time: every issue of every problem in a batch is an independent one-dimensional
game, and all of them are run together. The public functions take rows of ``(n, A)`` arrays; the
kernel works on columns (actors first, problems last, see "kernel" below). The equations, the
interpretive choices and their sources are in ``docs/models/eum.md``; the specification followed
is ``shared/models/eum.md`` (section numbers "§" below are that specification's).
"""

from __future__ import annotations

import functools
import math
import threading
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from realpolitik.models.problem import BargainingProblem, Trajectory
from realpolitik.models.registry import ModelInfo, register

PROFILES = ("spec", "compat")
"""Offer-selection profiles (§9): ``spec`` (default, axis-direction free) and ``compat``
(the second implementation's rule, jmckib / Scholz's code)."""

NO_MOVE, CONFLICT, COMPROMISE, COMPEL = 0, 1, 2, 3
MOVE_NAMES = {CONFLICT: "conflict", COMPROMISE: "compromise", COMPEL: "compel"}

_TIE_RTOL = 1e-12  # median ties: scores within 1e-12 * W * R of the minimum (§3)
_VOTE_BUDGET = 500_000  # elements of the (voters, pairs, columns) vote tensor held at once
_ROW_BUDGET = 40_000  # elements of an (A, A, columns) pair array per chunk (keeps chunks in cache)


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


# ---------------------------------------------------------------------------------------------- kernel
#
# The kernel works on "columns": every array has the actor axes first and the rows (one-issue
# problems) last, ``(A, m)`` and ``(A, A, m)``, so each operation runs over one long contiguous axis
# and reductions over actors are elementwise over m-long rows. Sums over actors are taken in the
# order the row layout's NumPy reductions use (see ``_psum``), so both layouts give the same bits.


def _psum(a: np.ndarray) -> np.ndarray:
    """Σ over axis 0 of ``(N, ...)`` in the order of NumPy's pairwise sum of a contiguous row."""
    n = a.shape[0]
    if n < 8:
        return np.add.reduce(a, axis=0)  # sequential
    if a[0].size <= 16:  # few columns: NumPy's own row sums are cheaper than the tree below
        return np.ascontiguousarray(np.moveaxis(a, 0, -1)).sum(axis=-1)
    if n <= 128:
        nb = n - n % 8
        r = np.add.reduce(a[:nb].reshape(nb // 8, 8, *a.shape[1:]), axis=0)  # 8 running sums
        r = r[0::2] + r[1::2]
        r = r[0::2] + r[1::2]
        res = r[0] + r[1]
        for i in range(nb, n):
            res += a[i]
        return res
    n2 = n // 2
    n2 -= n2 % 8
    return _psum(a[:n2]) + _psum(a[n2:])


class _Cols:
    """What stays fixed over the rounds for ``m`` columns: weights, saliences, range, masks."""

    __slots__ = ("mean_tot", "med_tol", "mw", "pv", "rs", "s", "s2", "valid", "w")

    def __init__(
        self,
        w: np.ndarray,
        s: np.ndarray,
        scale: np.ndarray,
        valid: np.ndarray | None,
        mw: np.ndarray,
        masked_mw: np.ndarray | None = None,
    ) -> None:
        self.w = w  # (A, m) c·s, 0 for absent actors
        self.s = s  # (A, m)
        self.s2 = 2.0 * s
        self.rs = np.where(scale > 0, scale, 1.0)  # R, or 1 for a zero range
        self.valid = valid  # (A, m) or None when every actor takes part
        self.pv = None if valid is None else valid[:, None] & valid[None]
        self.mw = mw  # (A, m) weights of the median scores
        total = _psum(mw if masked_mw is None else masked_mw)
        self.med_tol = _TIE_RTOL * np.where(np.isfinite(scale), total * scale, 0.0)
        self.mean_tot = np.where(total > 0, total, 1.0)

    @staticmethod
    def rev_index(a: int) -> np.ndarray:
        """A − j for proposer j, as ``(A, 1)``: the largest marks the lowest j."""
        return np.arange(a, 0, -1, dtype=np.int8 if a < 128 else np.int32)[:, None]

    def take(self, keep: np.ndarray | slice) -> _Cols:
        """The same for the columns ``keep`` only (a view for a slice); the mask is dropped when
        every actor of those columns takes part."""
        out = _Cols.__new__(_Cols)
        for name in self.__slots__:
            v = getattr(self, name)
            # np.take keeps C order (fancy indexing on the last axis would give F order, and every
            # later reduction over actors would slow down several times)
            setattr(
                out,
                name,
                None if v is None else v[..., keep] if isinstance(keep, slice) else v.take(keep, -1),
            )
        if out.valid is not None and out.valid.all():
            out.valid = out.pv = None
        return out


def _median_cols(x: np.ndarray, dist: np.ndarray, c: _Cols) -> np.ndarray:
    """μ per column (§3); ``dist`` is ``|x_i − x_j|`` ``(A, A, m)``."""
    score = np.einsum("am,ajm->jm", c.mw, dist)
    xv = x
    if c.valid is not None:
        score = np.where(c.valid, score, np.inf)
        xv = np.where(c.valid, x, np.inf)
    best = score.min(axis=0)
    best += c.med_tol
    out = np.where(score <= best, xv, np.inf).min(axis=0)
    return np.where(np.isfinite(out), out, np.nan)


def _mean_cols(x: np.ndarray, c: _Cols) -> np.ndarray:
    """The median-weight mean position per column."""
    return np.asarray(_psum(c.mw * x) / c.mean_tot)


@functools.lru_cache(maxsize=64)
def _pair_map(a: int) -> np.ndarray:
    """Row of each (i, j) of an ``(A, A)`` array in the list of pairs i < j, the diagonal last."""
    i, j = np.triu_indices(a, 1)
    out = np.full((a, a), i.size)
    out[i, j] = out[j, i] = np.arange(i.size)
    return out.reshape(-1)


def _vote_sums(u: np.ndarray, w: np.ndarray) -> np.ndarray:
    """A_ij = Σ_k w_k |u_kj − u_ki| for ``u`` ``(K, A, m)`` (voter k, candidate); ``(A, A, m)``.

    Summed over k in order (blocks of voters carry the running sum in as a voter of weight 1)."""
    k_all, a, m = u.shape
    n_pairs = a * (a - 1) // 2
    if m >= 64 and 0 < k_all * n_pairs * m <= _VOTE_BUDGET:
        # many columns: the pairs i < j only (A_ij = A_ji, A_ii = 0), gathered into (A, A) at the end
        diff = np.empty((k_all, n_pairs, m))
        p0 = 0
        for i in range(a - 1):
            np.subtract(u[:, i + 1 :], u[:, i : i + 1], out=diff[:, p0 : p0 + a - 1 - i])  # u_kj − u_ki
            p0 += a - 1 - i
        np.abs(diff, out=diff)
        tri = np.empty((n_pairs + 1, m))
        tri[n_pairs] = 0.0
        np.einsum("km,kpm->pm", w, diff, out=tri[:n_pairs])
        return tri.take(_pair_map(a), axis=0).reshape(a, a, m)
    block = max(1, min(k_all, _VOTE_BUDGET // max(1, m * a * a)))
    if block >= k_all:
        diff = u[:, None, :, :] - u[:, :, None, :]  # [k, i, j] = u_kj − u_ki
        np.abs(diff, out=diff)
        return np.einsum("km,kpm->pm", w, diff.reshape(k_all, a * a, m)).reshape(a, a, m)
    acc = np.zeros((a * a, m))
    buf = np.empty((block + 1, a, a, m))
    wb = np.empty((block + 1, m))
    for k0 in range(0, k_all, block):
        uk = u[k0 : k0 + block]
        nb = uk.shape[0]
        buf[0] = acc.reshape(a, a, m)
        diff = buf[1 : nb + 1]
        np.subtract(uk[:, None, :, :], uk[:, :, None, :], out=diff)
        np.abs(diff, out=diff)
        wb[0] = 1.0
        wb[1 : nb + 1] = w[k0 : k0 + nb]
        acc = np.einsum("km,kpm->pm", wb[: nb + 1], buf[: nb + 1].reshape(nb + 1, a * a, m))
    return acc.reshape(a, a, m)


def _probability(
    delta: np.ndarray, zero: np.ndarray, c: _Cols, exponent: np.ndarray | None, contest: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """P_ij ``(A, A, m)`` and the all-pairs denominator D ``(m,)`` (§5); ``exponent`` r_k or None."""
    a, _, m = delta.shape
    if exponent is None:
        u = delta
    else:  # u[k, a] = δ_ka^r_k; 0^r (k = a, equal positions) is 0 and slow in np.power: take 1^r
        u = np.power(delta + zero, exponent[:, None])
        u *= ~zero
    abs_sum = _vote_sums(u, c.w)
    v = np.einsum("km,kam->am", c.w, u)
    support = np.subtract(v[None], v[:, None])  # V_j − V_i
    support += abs_sum
    support *= 0.5  # N_ij: votes of i's supporters only
    if c.pv is not None:
        abs_sum *= c.pv
    d = _psum(abs_sum.reshape(a * a, m))
    pos = d > 0
    support /= np.where(pos, d, 1.0)
    support *= contest & pos
    return support, d


def _risk_cols(sec: np.ndarray, valid: np.ndarray | None) -> np.ndarray:
    """r_i = (1 − R_i/3)/(1 + R_i/3) with R_i = (2 Sec_i − max − min)/(max − min), or r = 1 (§7)."""
    if valid is None:
        hi = sec.max(axis=0)
        lo = sec.min(axis=0)
    else:
        hi = np.where(valid, sec, -np.inf).max(axis=0)
        lo = np.where(valid, sec, np.inf).min(axis=0)
    span = hi - lo
    spread = span > 0
    basis = 2.0 * sec
    basis -= hi
    basis -= lo
    basis /= np.where(spread, span, 1.0)
    basis = np.where(spread, basis, 0.0)
    basis /= 3.0
    r = 1.0 - basis
    r /= basis + 1.0
    if valid is not None:
        r = np.where(valid, r, 1.0)
    return r


class _ColRound(NamedTuple):
    median: np.ndarray
    first_pass_d: np.ndarray
    first_pass_p: np.ndarray
    security: np.ndarray
    risk: np.ndarray
    p: np.ndarray
    d: np.ndarray
    a: np.ndarray
    b: np.ndarray
    min_rank: np.ndarray  # (A, m) int8: 0 conflict, 1 compromise, 2 compel, 3 no move
    move_with: np.ndarray  # (A, m) proposer of the accepted offer (meaningless when min_rank is 3)
    new_position: np.ndarray


_KINDS = np.array([CONFLICT, COMPROMISE, COMPEL, NO_MOVE], dtype=np.int8)


def _offers(
    a: np.ndarray, b: np.ndarray, x: np.ndarray, sd: np.ndarray, dist: np.ndarray, profile: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray, np.ndarray, np.ndarray | None]:
    """The offers (§8) from a_ij, b_ij (0 off contest): the conflict, compromise and (``spec``
    profile) compel masks, the compromise targets, and the sort keys of the accepted offer (§9) after
    its type: (key 1, key 2), key 2 None outside ``spec``. Pairs on the first axes, [i, j]."""
    neg_a = -a
    conflict = a > 0
    conflict &= b > a
    a_neg = a < 0
    compromise = b > neg_a
    compromise &= a_neg
    comp_target = neg_a / b
    comp_target *= sd
    comp_target += x[:, None]
    if profile == "spec":
        neg_b = -b
        compel = b > 0
        compel &= neg_a > b
        compel &= a_neg
        key1 = np.where(compromise, neg_b, dist)
        key2 = np.where(compromise, np.abs(comp_target - x[:, None]), neg_b)
        return conflict, compromise, compel, comp_target, key1, key2
    abs_a = np.abs(a)
    key1 = np.where(compromise, (abs_a * x[:, None] + b * x[None]) / (abs_a + b), dist)
    return conflict, compromise, None, comp_target, key1, None


def _round_cols(
    x: np.ndarray, sd: np.ndarray, dist: np.ndarray, mu: np.ndarray, c: _Cols, q: float, profile: str
) -> _ColRound:
    """One round (§2) on columns: ``x`` ``(A, m)``, ``sd`` = x_j − x_i and ``dist`` = |sd| ``(A, A, m)``."""
    a_n = dist.shape[0]
    delta = dist / c.rs
    zero = dist == 0
    contest = ~zero
    if c.pv is not None:
        contest &= c.pv
    s_target = c.s[None]  # s_j
    s_mover = c.s[:, None]  # s_i

    q_terms = q < 1.0
    if q_terms:
        to_mu = np.abs(x - mu)[:, None]  # |x_i − μ|
        eta = (to_mu + dist) / c.rs  # η_ij
        t_flag = to_mu < dist  # T_ij

    # ---- first pass: r ≡ 1 (§6 closed form), security levels and risk exponents (§7)
    p1, d1 = _probability(delta, zero, c, None, contest)
    e1 = np.subtract(1.0, p1)
    e1 *= c.s2[None]
    np.subtract(1.0, e1, out=e1)
    e1 *= 2.0 * delta
    if q_terms:
        e1 -= ((1.0 - q) * (2.0 * t_flag - 1.0)) * eta
    e1 *= contest
    sec = e1.sum(axis=0)  # column sums: what i's adversaries expect from challenging i
    risk = _risk_cols(sec, c.valid)

    # ---- second pass: votes with each voter's own r_k, utilities with the mover's r_i
    p, d = _probability(delta, zero, c, risk, contest)
    rr = risk[:, None]
    half = 0.5 * delta
    low = np.subtract(0.5, half)  # 0 where δ = 1: np.power is slow at 0, so take 1^r there
    low_zero = low == 0
    low += low_zero
    low = np.power(low, rr)
    low *= ~low_zero
    high = np.power(np.add(0.5, half, out=half), rr)
    diag = np.arange(a_n)
    u_sq = 4.0 * low[diag, diag][:, None]  # ½^r: δ_ii = 0
    np.subtract(2.0, u_sq, out=u_sq)
    gap = np.subtract(high, low, out=high)
    gap *= 4.0  # U_s − U_f
    base = low
    base *= 4.0
    np.subtract(2.0, base, out=base)
    base -= q * u_sq
    one_p = np.subtract(1.0, p)
    a = s_target * one_p
    a *= gap
    np.subtract(base, a, out=a)
    b = s_mover * one_p.transpose(1, 0, 2)
    b *= gap
    np.subtract(base, b, out=b)
    if q_terms:
        a -= (1.0 - q) * _median_term(eta, t_flag, rr)
        b -= (1.0 - q) * _median_term(eta.transpose(1, 0, 2), t_flag.transpose(1, 0, 2), rr)
    a *= contest
    b *= contest

    # ---- offers (§8) and the one each actor accepts (§9); a, b are 0 off contest
    conflict, compromise, compel, comp_target, key1, key2 = _offers(a, b, x, sd, dist, profile)
    rank = np.full(dist.shape, 3, dtype=np.int8)
    rank -= 3 * conflict.view(np.int8)
    rank -= 2 * compromise.view(np.int8)
    if compel is not None:
        rank -= compel.view(np.int8)
    # lexicographic choice over proposers j (rank, key1, key2, lowest j) without branches: a key is
    # replaced by +inf off the candidates (fmax with +inf) and kept on them (fmax with NaN)
    min_rank = rank.min(axis=1)
    pen = np.divide(rank - min_rank[:, None], 0.0)  # NaN on the candidates, +inf elsewhere
    k1 = np.fmax(key1, pen, out=pen)
    best = np.equal(k1, k1.min(axis=1)[:, None])
    if key2 is not None:
        pen = np.divide(~best, 0.0)
        k2 = np.fmax(key2, pen, out=pen)
        best = np.equal(k2, k2.min(axis=1)[:, None])
    jw = best.view(np.int8) * c.rev_index(a_n)  # A − j on the best offers, 0 elsewhere
    top = jw.max(axis=1)
    first = np.equal(jw, top[:, None])
    target = np.where(compromise, comp_target, x[None])
    target *= first
    new_x = target.sum(axis=1)
    moved = min_rank < 3
    new_x = np.where(moved, new_x, x)
    j = a_n - top.astype(np.int64)
    return _ColRound(mu, d1, p1, sec, risk, p, d, a, b, min_rank, j, new_x)


def _median_term(eta: np.ndarray, t_flag: np.ndarray, rr: np.ndarray) -> np.ndarray:
    """T U_b + (1 − T) U_w with U_b = 2 − 4(½ − ¼η)^r, U_w = 2 − 4(½ + ¼η)^r (eqs. 22–23)."""
    u_b = 2.0 - 4.0 * np.power(0.5 - 0.25 * eta, rr)
    u_w = 2.0 - 4.0 * np.power(0.5 + 0.25 * eta, rr)
    return np.where(t_flag, u_b, u_w)


def _cols(arr: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(arr).T)


def _rows(arr: np.ndarray) -> np.ndarray:
    return np.moveaxis(arr, -1, 0)


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
    n = x.shape[0]
    w = np.broadcast_to(np.asarray(w, dtype=float), x.shape)
    s = np.broadcast_to(np.asarray(s, dtype=float), x.shape)
    scale = np.asarray(scale, dtype=float).reshape(n)
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}, got {profile!r}")
    vc = None if valid is None else _cols(np.broadcast_to(np.asarray(valid, dtype=bool), x.shape))
    xc = _cols(x)
    wv = _cols(w) if vc is None else np.where(vc, _cols(w), 0.0)
    mw = wv if median_weight is None else _cols(np.broadcast_to(median_weight, x.shape))
    c = _Cols(wv, _cols(s), scale, vc, mw, None if vc is None else np.where(vc, mw, 0.0))
    sd = np.subtract(xc[None], xc[:, None])
    dist = np.abs(sd)
    mu = _median_cols(xc, dist, c) if median is None else np.asarray(median, dtype=float).reshape(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        res = _round_cols(xc, sd, dist, mu, c, float(Q), profile)
    moved = res.min_rank < 3
    return EUMRound(
        median=mu,
        first_pass_d=res.first_pass_d,
        first_pass_p=_rows(res.first_pass_p),
        security=res.security.T,
        risk=res.risk.T,
        p=_rows(res.p),
        d=res.d,
        a=_rows(res.a),
        b=_rows(res.b),
        move_type=_KINDS[res.min_rank].T,
        move_with=np.where(moved, res.move_with, -1).T,
        new_position=res.new_position.T,
    )


# ---------------------------------------------------------------------------------------------- runner

STOP_RULES = ("converge", "fixed")
"""How long a run lasts: ``converge`` (default: until the forecast settles, see :class:`StopRule`)
or ``fixed`` (a fixed number of rounds, as in Scholz's Table 2)."""

FIXED_ROUNDS = 8  # stop="fixed" without ``rounds``: Table 2 has eight rounds
MAX_ROUNDS = 50  # stop="converge" without ``rounds``: the most rounds


@dataclass(frozen=True)
class StopRule:
    """When a one-issue run stops, and how its state is judged (``docs/models/eum.md``, "Stopping").

    - ``mode="converge"``: a run stops when its forecast, the weighted median μ, has moved by at most
      ``tol``·U (U: the issue's range) in each of ``patience`` consecutive rounds, or as soon as no
      actor moves (a fixed point: every later round would repeat it). That is *converged*. It also
      stops, *not converged*, when the positions repeat with a period L of 2 to ``max_period`` rounds
      (each of the last L states within ``cycle_tol``·U of the state L rounds earlier) while μ varies
      by more than ``tol``·U over the period, or after ``rounds`` rounds.
    - ``mode="fixed"``: exactly ``rounds`` rounds; the same tests describe the final state.
    """

    mode: str = "converge"
    rounds: int = MAX_ROUNDS
    tol: float = 0.01
    patience: int = 4
    max_period: int = 12
    cycle_tol: float = 1e-6

    def __post_init__(self) -> None:
        if self.mode not in STOP_RULES:
            raise ValueError(f"stop must be one of {STOP_RULES}, got {self.mode!r}")


@dataclass(frozen=True)
class EUMRows:
    """Results for ``n`` one-issue rows: positions ``(n, R+1, A)``, medians and means ``(n, R+1)``,
    rounds run ``(n,)``, risk exponents ``(n, R, A)``, move types and proposers ``(n, R, A)``; the
    stop rule's verdict per row: ``converged``, ``cycle_length`` (0: none), ``outcome`` and, for a
    run that did not converge, ``outcome_low`` and ``outcome_high``, the range of μ over the window
    ``outcome`` averages (NaN for a converged run; see :func:`run_rows`)."""

    positions: np.ndarray
    median: np.ndarray
    mean: np.ndarray
    rounds: np.ndarray
    risk: np.ndarray
    move_type: np.ndarray
    move_with: np.ndarray
    converged: np.ndarray
    cycle_length: np.ndarray
    outcome_low: np.ndarray
    outcome_high: np.ndarray
    outcome: np.ndarray


@dataclass(frozen=True)
class _ColRun:
    """``run_rows`` results on columns: ``(R+1, A, n)``, ``(R+1, n)``, ``(n,)``, ``(R, A, n)``."""

    positions: np.ndarray
    median: np.ndarray
    mean: np.ndarray
    rounds: np.ndarray
    risk: np.ndarray
    move_type: np.ndarray
    move_with: np.ndarray
    converged: np.ndarray
    cycle_length: np.ndarray
    outcome_low: np.ndarray
    outcome_high: np.ndarray
    outcome: np.ndarray


def run_rows(
    x: np.ndarray,
    w: np.ndarray,
    s: np.ndarray,
    *,
    valid: np.ndarray | None = None,
    median_weight: np.ndarray | None = None,
    unit: np.ndarray | None = None,
    Q: float = 1.0,
    profile: str = "spec",
    stop: StopRule | None = None,
) -> EUMRows:
    """Run the model on ``n`` independent one-issue problems given as rows of ``(n, A)`` arrays.

    ``valid`` rows must have at least one True; invalid entries of ``x`` must be finite (the caller
    fills them). ``median_weight`` is used for the reported median and mean (default ``w``).
    ``unit`` ``(n,)`` is the length the stop rule's tolerances are shares of (default: the spread of
    the initial positions). ``stop`` defaults to ``StopRule()`` (converge, at most 50 rounds).

    ``outcome`` is the median when the run stopped. For a run that did not converge it is the
    median averaged over one period of its cycle, or, without a detected cycle, over the last
    ``stop.max_period`` rounds; for ``stop.mode == "fixed"`` it is always the median after the last
    round.
    """
    x = np.asarray(x, dtype=float)
    shape = x.shape
    res = _run_cols(
        _cols(x),
        _cols(np.broadcast_to(np.asarray(w, dtype=float), shape)),
        _cols(np.broadcast_to(np.asarray(s, dtype=float), shape)),
        valid=None if valid is None else _cols(np.broadcast_to(np.asarray(valid, dtype=bool), shape)),
        median_weight=None
        if median_weight is None
        else _cols(np.broadcast_to(np.asarray(median_weight, dtype=float), shape)),
        unit=None if unit is None else np.asarray(unit, dtype=float).reshape(shape[0]),
        q=Q,
        profile=profile,
        stop=StopRule() if stop is None else stop,
    )
    return EUMRows(
        positions=np.moveaxis(res.positions, -1, 0),
        median=res.median.T,
        mean=res.mean.T,
        rounds=res.rounds,
        risk=np.moveaxis(res.risk, -1, 0),
        move_type=np.moveaxis(res.move_type, -1, 0),
        move_with=np.moveaxis(res.move_with, -1, 0),
        converged=res.converged,
        cycle_length=res.cycle_length,
        outcome_low=res.outcome_low,
        outcome_high=res.outcome_high,
        outcome=res.outcome,
    )


class _Verdict:
    """The stop rule's running state for the active columns of one chunk (all ``(…, m)``).

    ``run``: consecutive rounds in which μ moved by at most tol·U; ``match[L-1]``: consecutive
    rounds in which the positions equalled, within cycle_tol·U, those L rounds earlier; ``ring_x``
    and ``ring_mu`` hold the last ``max_period + 1`` states (slot t mod (max_period + 1)).
    """

    __slots__ = ("match", "med_thr", "pos_thr", "ring_mu", "ring_x", "run", "stop")

    def __init__(self, stop: StopRule, x: np.ndarray, mu: np.ndarray, unit: np.ndarray) -> None:
        m = mu.shape[0]
        self.stop = stop
        self.med_thr = stop.tol * unit
        self.pos_thr = stop.cycle_tol * unit
        self.run = np.zeros(m, dtype=np.int64)
        k = stop.max_period
        self.match = np.zeros((max(0, k - 1), m), dtype=np.int64)
        self.ring_x = np.empty((k + 1, *x.shape))
        self.ring_mu = np.empty((k + 1, m))
        self.ring_x[0] = x
        self.ring_mu[0] = mu

    def update(
        self, t: int, x_old: np.ndarray, x: np.ndarray, mu_old: np.ndarray, mu: np.ndarray, first_lag: int = 2
    ) -> tuple[np.ndarray, np.ndarray]:
        """Fold in round ``t``; return ``converged`` ``(m,)`` and the shortest period L ≥ 2 seen
        (0: none) ``(m,)``. Lags below ``first_lag`` are not followed this round (a fixed-round run
        needs a lag L only from round T − L + 1 on)."""
        stable = np.abs(mu - mu_old) <= self.med_thr
        self.run += 1
        self.run *= stable
        fixed = np.logical_and.reduce(x == x_old, axis=0)
        converged = (self.run >= self.stop.patience) | fixed
        k = self.stop.max_period
        period = np.zeros(mu.shape[0], dtype=np.int64)
        self.ring_x[t % (k + 1)] = x
        self.ring_mu[t % (k + 1)] = mu
        # a period L is seen at the earliest in round 2L − 1, so lags the run cannot complete are skipped
        for lag in range(first_lag, min(k, t, (self.stop.rounds + 1) // 2) + 1):
            d = np.abs(np.subtract(self.ring_x[(t - lag) % (k + 1)], x))
            near = np.maximum.reduce(d, axis=0) <= self.pos_thr  # the state L rounds earlier
            count = self.match[lag - 2]
            count += 1
            count *= near
            # the shortest period whose whole length repeated
            period = np.where((period == 0) & (count >= lag), lag, period)
        return converged, period

    def window_medians(self, t: int, cols: np.ndarray, window: np.ndarray) -> np.ndarray:
        """μ over the last ``window[c]`` rounds of the columns ``cols``, oldest first; ``(W, len)``
        padded with NaN at the front."""
        k = self.stop.max_period
        ages = np.arange(int(window.max()) - 1, -1, -1)  # oldest first
        out = self.ring_mu[(t - ages) % (k + 1)][:, cols]
        return np.where(ages[:, None] < window[None], out, np.nan)

    def take(self, keep: np.ndarray) -> None:
        self.run = self.run[keep]
        self.match = self.match.take(keep, -1)
        self.ring_x = self.ring_x.take(keep, -1)
        self.ring_mu = self.ring_mu.take(keep, -1)
        self.med_thr = self.med_thr[keep]
        self.pos_thr = self.pos_thr[keep]


def _window_summary(meds: np.ndarray, window: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Low, high and mean of μ over a window from ``(W, n)`` medians, oldest first, NaN-padded at
    the front. The mean sums oldest first from 0.0, then divides by the window length."""
    low = np.fmin.reduce(meds, axis=0)
    high = np.fmax.reduce(meds, axis=0)
    total = np.zeros(meds.shape[1])
    for row in meds:
        total += np.where(np.isnan(row), 0.0, row)
    return low, high, total / window


def _run_cols(
    x: np.ndarray,
    w: np.ndarray,
    s: np.ndarray,
    *,
    valid: np.ndarray | None,
    median_weight: np.ndarray | None,
    unit: np.ndarray | None,
    q: float,
    profile: str,
    stop: StopRule,
) -> _ColRun:
    """``run_rows`` on columns: ``x``, ``w``, ``s``, ``valid``, ``median_weight`` are ``(A, n)``.

    Rounds are the outer loop; each round runs the active columns in chunks (``_ROW_BUDGET``), and
    columns that stop leave the active set, so late rounds work on the remaining columns only.
    """
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}, got {profile!r}")
    q = float(q)
    na, n = x.shape
    if na <= _SMALL_ACTORS and n <= (_SMALL_COLUMNS if stop.mode == "converge" else _SMALL_COLUMNS_FIXED):
        return _run_small_columns(x, w, s, valid, median_weight, unit, q, profile, stop)
    if valid is not None and valid.all():
        valid = None
    wv = w if valid is None else np.where(valid, w, 0.0)
    mw = wv if median_weight is None else median_weight
    if valid is not None:
        mw = np.where(valid, mw, 0.0)
    if valid is None:
        scale = x.max(axis=0) - x.min(axis=0)
    else:
        scale = np.where(valid, x, -np.inf).max(axis=0) - np.where(valid, x, np.inf).min(axis=0)
    scale = np.where(np.isfinite(scale), scale, 0.0)
    unit = scale if unit is None else np.where(np.isnan(unit), scale, unit)
    fixed_mode = stop.mode == "fixed"
    cap = stop.rounds
    chunk = max(1, _ROW_BUDGET // max(1, na * na))

    # per round t >= 1: (global index of the active columns or None for all, their new positions,
    # medians, means, risk exponents, move types, proposers); assembled into full arrays at the end.
    # A fixed-round run writes straight into the full arrays instead.
    history: list[tuple[np.ndarray | None, tuple[np.ndarray, ...]]] = []
    jtype = np.int16 if na < 2**15 else np.int64
    full = (
        (
            np.empty((cap + 1, na, n)),
            np.empty((cap + 1, n)),
            np.empty((cap + 1, n)),
            np.empty((cap, na, n)),
            np.empty((cap, na, n), dtype=np.int8),
            np.empty((cap, na, n), dtype=jtype),
        )
        if fixed_mode
        else None
    )
    median0 = np.empty(n) if full is None else full[1][0]
    mean0 = np.empty(n) if full is None else full[2][0]
    out = _Verdicts(n, fixed_mode)

    c_all = _Cols(wv, s, scale, valid, mw)
    act = np.arange(n)  # global index of each active column
    whole = True  # act is still 0..n-1
    xa = x
    mua = median0
    first: list[tuple[np.ndarray, np.ndarray]] = []  # per chunk: x_j − x_i and |x_j − x_i|
    with np.errstate(divide="ignore", invalid="ignore"):  # 0/0 off contest, masked afterwards
        for c0 in range(0, n, chunk):
            sl = slice(c0, min(n, c0 + chunk))
            c = c_all.take(sl)
            xc = xa[:, sl]
            sd = np.subtract(xc[None], xc[:, None])
            dist = np.abs(sd)
            first.append((sd, dist))
            mua[sl] = _median_cols(xc, dist, c)
            mean0[sl] = _mean_cols(xc, c)
        verdict = _Verdict(stop, xa, mua, unit) if cap > 0 else None
        carry: list[tuple[np.ndarray, np.ndarray]] | None = first
        conv = np.zeros(n, dtype=bool)
        period = np.zeros(n, dtype=np.int64)
        t = 0
        for t in range(1, cap + 1):
            m = act.size
            if full is None:
                new_x = np.empty((na, m))
                new_mu = np.empty(m)
                new_mean = np.empty(m)
                r_t = np.empty((na, m))
                k_t = np.empty((na, m), dtype=np.int8)
                j_t = np.empty((na, m), dtype=jtype)
            else:
                new_x, new_mu, new_mean = full[0][t], full[1][t], full[2][t]
                r_t, k_t, j_t = full[3][t - 1], full[4][t - 1], full[5][t - 1]
            next_carry = []
            for n_c, c0 in enumerate(range(0, m, chunk)):
                sl = slice(c0, min(m, c0 + chunk))
                c = c_all.take(sl)
                xc = xa[:, sl]
                if carry is None:
                    sd = np.subtract(xc[None], xc[:, None])
                    dist = np.abs(sd)
                else:
                    sd, dist = carry[n_c]
                res = _round_cols(xc, sd, dist, mua[sl], c, q, profile)
                nx = res.new_position
                new_x[:, sl] = nx
                sd = np.subtract(nx[None], nx[:, None])
                dist = np.abs(sd)
                next_carry.append((sd, dist))
                new_mu[sl] = _median_cols(nx, dist, c)
                new_mean[sl] = _mean_cols(nx, c)
                r_t[:, sl] = res.risk
                k_t[:, sl] = _KINDS[res.min_rank]
                j_t[:, sl] = np.where(res.min_rank < 3, res.move_with, -1)
            carry = next_carry
            if full is None:
                history.append((None if whole else act, (new_x, new_mu, new_mean, r_t, k_t, j_t)))
            assert verdict is not None
            conv, period = verdict.update(t, xa, new_x, mua, new_mu, max(2, cap - t + 1) if fixed_mode else 2)
            xa, mua = new_x, new_mu
            if fixed_mode or t == cap:
                continue
            open_cycle = np.flatnonzero(~conv & (period > 0))
            if open_cycle.size:  # a cycle whose μ stays within tol·U is left to the median test
                meds = verdict.window_medians(t, open_cycle, period[open_cycle])
                spread = np.fmax.reduce(meds, axis=0) - np.fmin.reduce(meds, axis=0)
                period[open_cycle[spread <= verdict.med_thr[open_cycle]]] = 0
            halt = conv | (period > 0)
            if halt.any():
                idx = np.flatnonzero(halt)
                out.record(idx, act, t, conv, period, mua, verdict)
                keep = np.flatnonzero(~halt)
                act = act[keep]
                whole = False
                carry = None  # the chunks change
                if act.size == 0:
                    break
                c_all = c_all.take(keep)
                verdict.take(keep)
                xa, mua = xa.take(keep, -1), mua[keep]
                conv, period = conv[keep], period[keep]
        if act.size:
            out.record(np.arange(act.size), act, t, conv, period, mua, verdict)

    done_at = out.done_at
    if full is not None:
        positions, medians, means, risk, mtype, mwith = full
        positions[0] = x
    else:
        r_max = int(done_at.max()) if n else 0
        positions = np.empty((r_max + 1, na, n))
        medians = np.empty((r_max + 1, n))
        means = np.empty((r_max + 1, n))
        risk = np.ones((r_max, na, n))  # after a column stopped: r = 1, no move, no proposer
        mtype = np.full((r_max, na, n), NO_MOVE, dtype=np.int8)
        mwith = np.full((r_max, na, n), -1, dtype=jtype)
        positions[0], medians[0], means[0] = x, median0, mean0
        for t, (cols, vals) in enumerate(history[:r_max], start=1):
            if cols is None:
                positions[t], medians[t], means[t], risk[t - 1], mtype[t - 1], mwith[t - 1] = vals
            else:  # a stopped column repeats its last state
                positions[t], medians[t], means[t] = positions[t - 1], medians[t - 1], means[t - 1]
                positions[t][:, cols], medians[t][cols], means[t][cols] = vals[:3]
                risk[t - 1][:, cols], mtype[t - 1][:, cols], mwith[t - 1][:, cols] = vals[3:]
    return _ColRun(
        positions=positions,
        median=medians,
        mean=means,
        rounds=done_at,
        risk=risk,
        move_type=mtype,
        move_with=mwith,
        converged=out.converged,
        cycle_length=out.period,
        outcome_low=out.low,
        outcome_high=out.high,
        outcome=out.outcome,
    )


class _Verdicts:
    """The stop rule's verdict for every column ``(n,)``: the round it stopped, converged or not,
    the period of a detected cycle (0: none), μ's range over the averaging window and the
    outcome (see :func:`run_rows`)."""

    def __init__(self, n: int, fixed_mode: bool) -> None:
        self.fixed_mode = fixed_mode
        self.done_at = np.zeros(n, dtype=np.int64)
        self.converged = np.zeros(n, dtype=bool)
        self.period = np.zeros(n, dtype=np.int64)
        self.low = np.full(n, np.nan)
        self.high = np.full(n, np.nan)
        self.outcome = np.empty(n)

    def record(
        self,
        idx: np.ndarray,
        act: np.ndarray,
        t: int,
        conv: np.ndarray,
        period: np.ndarray,
        mu: np.ndarray,
        verdict: _Verdict | None,
    ) -> None:
        """Record round ``t``'s verdict on the active columns ``idx`` (global index ``act[idx]``).

        A run that did not converge is summarised over a window of μ: one period of its cycle, or
        without a cycle the last ``max_period`` rounds (at least one)."""
        g = act[idx]
        self.done_at[g] = t
        self.converged[g] = conv[idx]
        self.outcome[g] = mu[idx]
        open_ = ~conv[idx]
        if not open_.any():
            return
        ci = idx[open_]
        gc = act[ci]
        if verdict is None:  # no round was run
            self.low[gc] = self.high[gc] = mu[ci]
            return
        per = period[ci]
        win = np.where(per > 0, per, max(1, min(verdict.stop.max_period, t)))
        low, high, mean = _window_summary(verdict.window_medians(t, ci, win), win)
        self.low[gc], self.high[gc] = low, high
        self.period[gc] = per
        if not self.fixed_mode:
            self.outcome[gc] = mean


# ---------------------------------------------------------------------------------------------- one column
#
# A run of one column (one one-issue problem) on 2-D ``(A, A)`` arrays with few NumPy calls per
# round: the per-call overhead, not the arithmetic, dominates small problems. It performs the same
# floating-point operations as the column kernel in the same order (sums over actors sequential
# where the column kernel's einsum and axis-0 sums are, pairwise where ``_psum`` is), so both give
# the same bits; ``tests/models/test_eum.py`` checks that on random problems.

# A run of at most this many columns and actors goes column by column through the small path. Issues
# stop on their own there, so with the stop rule it pays for more columns than with fixed rounds, where
# the column kernel runs several columns for the price of one (measured: benchmarks/bench_eum.py).
_SMALL_COLUMNS = 5
_SMALL_COLUMNS_FIXED = 3
_SMALL_ACTORS = 48


@functools.lru_cache(maxsize=64)
def _small_consts(a: int) -> tuple[np.ndarray, np.ndarray]:
    """The start of each row of a flattened ``(A, A)`` array, and "no offer" ranks."""
    return np.arange(0, a * a, a), np.full((a, a), 3, dtype=np.int8)


# constants as 0-d arrays (NumPy converts a Python float operand on every call) and the ufuncs, called
# with a positional output (an ``out=`` keyword or an in-place operator costs more per call at these sizes)
_F0, _F1, _F2, _F4, _FH = (np.array(v) for v in (0.0, 1.0, 2.0, 4.0, 0.5))
_I3 = np.array(3, dtype=np.int8)
_sub, _add, _mul, _div, _pow = np.subtract, np.add, np.multiply, np.divide, np.power
_and, _gt, _lt, _neg = np.logical_and, np.greater, np.less, np.negative
_sum = np.add.reduce
_RANK_WEIGHTS = np.array([-3, -1, 0, 0, -2, 3], dtype=np.int8)  # see _Small.masks


class _Small:
    """One column's constants (the same bits as ``_Cols``) and buffers, for one run (``q``, ``profile``).

    At these sizes a round costs its number of NumPy calls, and a call with a broadcast operand or a
    reduction costs several plain ones, so constants are 0-d arrays or stored at full size, broadcasts
    are copies into full-size buffers, outputs are positional and buffers and their views are made
    once. A round is split in two: ``first`` (from the positions: δ, the first pass's vote sums and,
    in the same weighted sum, μ) and ``rest``, so that μ after a round comes with the next round's
    first sums.

    The contest mask (i ≠ j, apart, both present) multiplies the first pass's P and e1, the second
    pass's P, and a and b. Without absent actors and with Q = 1 every one of these products is a
    no-op, so none is taken: where x_i = x_j, δ_ij = 0, the rows of δ and of δ^r (one elementwise
    power per row) of i and j are equal bit for bit, so P_ij = 0, e1_ij = ±0·y, and a_ij = b_ij = +0
    (U_s − U_f = 0 and the base 2 − 4·½^r_i − (2 − 4·½^r_i) = 0)."""

    __slots__ = (
        "a",
        "ab",
        "ab4",
        "ab_0",
        "ab_0t",
        "ab_1",
        "ab_neg",
        "abs_flat",
        "abs_sum",
        "b2",
        "b2_0",
        "b2_1",
        "base_diag",
        "bases",
        "buf",
        "buf_dist",
        "buf_uj",
        "c2",
        "c2_0",
        "comp",
        "compel",
        "conflict",
        "contest",
        "ct",
        "ct_flat",
        "delta",
        "dist",
        "g2",
        "g2_0",
        "g2_1",
        "high4",
        "low4",
        "low_diag",
        "mask",
        "masks",
        "masks8",
        "mean_tot",
        "med_tol",
        "mw",
        "mw_full",
        "neg_a",
        "neg_b",
        "no_offer",
        "profile",
        "pv",
        "pw",
        "pw4",
        "q",
        "q_terms",
        "rank",
        "rank_flat",
        "row_start",
        "rs",
        "rs0",
        "s2_full",
        "s_ab",
        "score",
        "sd",
        "sign",
        "sign_an",
        "sums",
        "u_views",
        "ui",
        "ui_d",
        "usq_full",
        "v_col",
        "v_row",
        "valid",
        "valid_list",
        "w_full",
        "x_full",
        "x_row",
    )

    def __init__(self, a: int) -> None:
        """Buffers and views for ``a`` actors (a workspace, see ``_small_workspace``); ``setup``
        gives them a run."""
        self.a = a
        self.row_start, self.no_offer = _small_consts(a)
        # [k, i, j]: rows i < A hold u_kj − u_ki, row A holds u_kj and row A + 1 |x_j − x_k|, so that
        # one weighted sum over the voters k gives Σ_k w_k |u_kj − u_ki|, V_j = Σ_k w_k u_kj and μ's
        # scores Σ_k mw_k |x_j − x_k|. Filled as buf − ui: buf holds u_kj (and the distances), ui
        # holds u_ki in rows i < A and 0 below (x − 0 is x)
        self.buf = buf = np.empty((a, a + 2, a))
        self.buf_uj, self.buf_dist = buf[:, : a + 1], buf[:, a + 1]
        self.ui = np.zeros((a, a + 2, a))
        self.ui_d = self.ui[:, :a]
        self.w_full = np.empty((a, a + 2, a))
        self.sums = sums = np.empty((a + 2, a))  # the weighted sum of buf over k
        self.abs_sum = sums[:a]
        self.abs_flat = sums[:a].reshape(-1)
        self.v_row, self.v_col = sums[a][None], sums[a][:, None]
        self.score = sums[a + 1]
        # a_ij, b_ij, −a_ij, −b_ij: one comparison with 0 gives a > 0, b > 0, a < 0 (as −a > 0)
        self.ab4 = ab4 = np.empty((4, a, a))
        self.ab, self.ab_neg = ab4[:2], ab4[2:]
        self.ab_0, self.ab_1, self.neg_a, self.neg_b = ab4
        self.ab_0t = self.ab_0.T
        # the offer masks [a > 0 → conflict, b > 0 → compel, a < 0, b < 0, compromise, 1]: the rank
        # 3 − 3·conflict − 2·compromise − compel (the types exclude one another) is one exact int8
        # product with _RANK_WEIGHTS
        self.masks = masks = np.empty((6, a, a), dtype=bool)
        masks[5] = True
        self.sign = masks[:4]
        self.conflict, self.compel, self.sign_an, _, self.comp, _ = masks
        self.masks8 = masks.view(np.int8).reshape(6, a * a)
        self.rank = np.empty((a, a), dtype=np.int8)
        self.rank_flat = self.rank.reshape(-1)
        self.ct = np.empty((a, a))  # the compromise targets
        self.ct_flat = self.ct.reshape(-1)
        self.s_ab = np.empty((2, a, a))  # s_j for a, s_i for b
        self.g2 = np.empty((2, a, a))  # U_s − U_f for a and for b
        self.b2 = np.empty((2, a, a))  # the rest of a and of b
        self.g2_0, self.g2_1 = self.g2
        self.b2_0, self.b2_1 = self.b2
        self.base_diag = self.b2_0.reshape(-1)[:: a + 1][:, None]
        # the three bases raised to r_i in one call: δ, ½ − ½δ, ½ + ½δ (a broadcast exponent: NumPy's
        # power takes special paths for a stride-0 exponent of 2 or ½, so it stays a broadcast)
        self.bases = bases = np.empty((3, a, a))
        self.delta = bases[0]
        self.pw = pw = np.empty((3, a, a))
        self.pw4 = pw[1:]
        self.low4, self.high4 = pw[1], pw[2]
        self.low_diag = pw[1].reshape(-1)[:: a + 1]
        # the voters' utilities of the two passes (δ, then δ^r), as u_kj over i and u_ki over j
        self.u_views = tuple((u[:, None, :], u[:, :, None]) for u in (bases[0], pw[0]))
        # operands at full size
        self.contest = np.empty((a, a), dtype=bool)
        self.c2 = np.empty((2, a, a))  # the contest mask as 0.0/1.0, twice (it is symmetric)
        self.c2_0 = self.c2[0]
        self.s2_full = np.empty((a, a))
        self.mw_full = np.empty((a, a))
        self.usq_full = np.empty((a, a))
        self.x_row = np.empty((a, a))  # x_j
        self.x_full = np.empty((a, a))  # x_i
        self.sd = np.empty((a, a))
        self.dist = np.empty((a, a))

    def setup(
        self,
        w: np.ndarray,
        s: np.ndarray,
        mw: np.ndarray,
        valid: np.ndarray | None,
        scale: float,
        q: float,
        profile: str,
    ) -> _Small:
        """One run's constants: ``w``, ``s``, ``mw`` and ``valid`` as ``_run_cols`` prepares them
        (masked), for one column, computed as ``_Cols`` computes them."""
        a = self.a
        self.q, self.profile = q, profile
        self.q_terms = q < 1.0
        self.rs = scale if scale > 0 else 1.0
        self.rs0 = np.array(self.rs)
        self.mw = mw
        total = float(np.add.reduce(mw))  # as _psum
        self.med_tol = _TIE_RTOL * (total * scale) if math.isfinite(scale) else 0.0
        self.mean_tot = total if total > 0 else 1.0
        self.valid = valid
        self.valid_list = None if valid is None else valid.tolist()
        self.pv = None if valid is None else valid[:, None] & valid[None]
        self.mask = valid is not None or self.q_terms  # the contest mask is needed (see above)
        self.w_full[...] = w[:, None, None]
        self.w_full[:, a + 1] = mw[:, None]
        self.s_ab[0] = s
        self.s_ab[1] = s[:, None]
        self.s2_full[...] = 2.0 * s
        self.mw_full[...] = mw[:, None]
        return self

    def geometry(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """x_j − x_i and |x_j − x_i| ``(A, A)`` (in buffers, valid until the next call)."""
        self.x_row[...] = x
        self.x_full[...] = x[:, None]
        return _sub(self.x_row, self.x_full, self.sd), np.absolute(self.sd, self.dist)

    def _mu(self, x: np.ndarray, score: np.ndarray) -> float:
        """μ (§3) from the scores Σ_k mw_k |x_j − x_k|, as ``_median_cols``."""
        if self.valid is None:
            # in Python floats (the same minimum and sum); a NaN score (whose NumPy minimum is NaN) or
            # a zero, whose sign NumPy's minimum may choose differently, takes the NumPy path below
            sl = score.tolist()
            total = sum(sl)
            if total == total:
                thr = min(sl) + self.med_tol
                mu = min([v for v, sv in zip(x.tolist(), sl, strict=True) if sv <= thr])
                if mu != 0.0:
                    return mu
        else:
            score = np.where(self.valid, score, np.inf)
            x = np.where(self.valid, x, np.inf)
        return float(np.minimum.reduce(x[score <= np.minimum.reduce(score) + self.med_tol]))

    def median(self, x: np.ndarray, dist: np.ndarray) -> float:
        """μ (§3) alone (``first`` gives it with the next round's first sums)."""
        return self._mu(x, _sum(_mul(self.mw_full, dist), 0))

    def _vote_sums(self, second: int) -> None:
        """The weighted sums of ``buf`` over the voters for the first (``δ``) or second (``δ^r_k``)
        pass: Σ_k w_k |u_kj − u_ki|, V and (first pass) μ's scores, into ``sums``."""
        uj, ui = self.u_views[second]
        buf = self.buf
        self.buf_uj[...] = uj
        self.ui_d[...] = ui
        _sub(buf, self.ui, buf)
        np.absolute(buf, buf)  # u >= 0 and the distances are unchanged
        _mul(buf, self.w_full, buf)
        _sum(buf, 0, out=self.sums)

    def _probability(self, mask: bool) -> np.ndarray:
        """P_ij (§5) from the vote sums, as ``_probability``; ``mask``: times the contest mask."""
        abs_sum = self.abs_sum
        support = _sub(self.v_row, self.v_col)  # V_j − V_i
        _add(support, abs_sum, support)
        _mul(support, _FH, support)
        if self.pv is not None:
            _mul(abs_sum, self.pv, abs_sum)
        d = _sum(self.abs_flat)
        if d > 0:
            _div(support, d, support)
            if mask:
                _mul(support, self.c2_0, support)
        else:
            _mul(support, _F0, support)
        return support

    def risk(self, sec: np.ndarray) -> np.ndarray:
        """r (§7), as ``_risk_cols``, in Python floats (the same IEEE operations)."""
        vals = sec.tolist()
        if self.valid_list is None:
            hi, lo = max(vals), min(vals)
        else:
            hi = max(v for v, ok in zip(vals, self.valid_list, strict=True) if ok)
            lo = min(v for v, ok in zip(vals, self.valid_list, strict=True) if ok)
        span = hi - lo
        if not span > 0:
            return np.ones(self.a)
        r = []
        if self.valid_list is None:
            for v in vals:
                b = (2.0 * v - hi - lo) / span / 3.0
                r.append((1.0 - b) / (b + 1.0))
        else:  # an absent actor gets r = 1 (its security is outside [lo, hi])
            for v, ok in zip(vals, self.valid_list, strict=True):
                b = (2.0 * v - hi - lo) / span / 3.0 if ok else 0.0
                r.append((1.0 - b) / (b + 1.0) if ok else 1.0)
        return np.array(r)

    def first(self, x: np.ndarray, dist: np.ndarray) -> float:
        """The start of a round from ``x`` and ``geometry(x)``'s distances: δ, the contest mask (if
        needed) and the first pass's vote sums; returns μ (§3)."""
        _div(dist, self.rs0, self.delta)
        if self.mask:
            contest = np.not_equal(dist, _F0, self.contest)
            if self.pv is not None:
                _and(contest, self.pv, contest)
            self.c2[...] = contest
        self.buf_dist[...] = dist
        self._vote_sums(0)
        return self._mu(x, self.score)

    def rest(
        self, x: np.ndarray, sd: np.ndarray, dist: np.ndarray, mu: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The rest of a round (§2) after ``first(x, dist)``, as ``_round_cols``: new positions, risk
        exponents, the rank of the accepted offer (0 conflict, 1 compromise, 2 compel, 3 none) and
        its proposer. ``sd`` and ``dist`` are ``geometry(x)``'s.

        Where the column kernel takes 1^r for 0^r and masks the result back to 0 (``np.power`` is
        slow at 0 on large arrays), this takes 0^r, which is the same +0."""
        q, mask = self.q, self.mask
        bases, pw, delta = self.bases, self.pw, self.delta
        q_terms = self.q_terms
        if q_terms:
            to_mu = np.abs(x - mu)[:, None]
            eta = (to_mu + dist) / self.rs
            t_flag = to_mu < dist
        # first pass
        e1 = _sub(_F1, self._probability(mask))
        _mul(e1, self.s2_full, e1)
        _sub(_F1, e1, e1)
        _mul(e1, _mul(_F2, delta), e1)
        if q_terms:
            e1 -= ((1.0 - q) * (2.0 * t_flag - 1.0)) * eta
        if mask:
            _mul(e1, self.c2_0, e1)
        risk = self.risk(_sum(e1, 0))
        rr = risk[:, None]
        half = _mul(_FH, delta)
        _sub(_FH, half, bases[1])
        _add(_FH, half, bases[2])
        _pow(bases, rr, pw)  # δ^r, (½ − ½δ)^r, (½ + ½δ)^r: elementwise, as three calls
        # second pass
        ab = self.ab
        self._vote_sums(1)
        _sub(_F1, self._probability(mask), self.ab_0)  # 1 − P_ij
        self.ab_1[...] = self.ab_0t
        # 4·(½ ∓ ½δ)^r in one call: scaling by 4 is exact, so 4h − 4l is (h − l)·4 bit for bit
        pw4 = self.pw4
        _mul(pw4, _F4, pw4)
        low = self.low4
        _sub(self.high4, low, self.g2_0)  # U_s − U_f
        self.g2_1[...] = self.g2_0
        base = _sub(_F2, low, self.b2_0)  # U_s
        # U_sq = 2 − 4·½^r_i is U_s at δ_ii = 0, base's diagonal (and 1·x is x)
        self.usq_full[...] = self.base_diag if q == 1.0 else (q * _sub(_F2, self.low_diag))[:, None]
        _sub(base, self.usq_full, base)
        self.b2_1[...] = base
        # [0]: a_ij = EU(i→j; r_i) with the target's salience s_j; [1]: b_ij = EU(j→i; r_i) with s_i
        _mul(ab, self.s_ab, ab)
        _mul(ab, self.g2, ab)
        _sub(self.b2, ab, ab)
        a, b = self.ab_0, self.ab_1
        if q_terms:
            a -= (1.0 - q) * _median_term(eta, t_flag, rr)
            b -= (1.0 - q) * _median_term(eta.T, t_flag.T, rr)
        if mask:
            _mul(ab, self.c2, ab)
        # offers (§8) and the one each actor accepts (§9): sort by (type, key 1, key 2, j)
        rank = self.rank
        if self.profile == "spec":
            compromise, ct, key1, key2 = self._offers_spec(sd, dist)
            np.matmul(_RANK_WEIGHTS, self.masks8, self.rank_flat)
            j = np.lexsort((key2, key1, rank))[:, 0]
            ct_flat = self.ct_flat
        else:
            conflict, compromise, _, ct, key1, _ = _offers(a, b, x, sd, dist, self.profile)
            # rank 3 − 3·conflict − 2·compromise, on int8 views
            c8, p8 = conflict.view(np.int8), compromise.view(np.int8)
            _sub(self.no_offer, c8, rank)
            _sub(rank, c8, rank)
            _sub(rank, c8, rank)
            _sub(rank, p8, rank)
            _sub(rank, p8, rank)
            j = np.lexsort((key1, rank))[:, 0]
            ct_flat = ct.reshape(-1)
        at = _add(self.row_start, j)  # (i, j) in the flattened (A, A) arrays
        kind = self.rank_flat.take(at)
        np.putmask(ct, np.logical_not(compromise), x)  # x_j off the compromises (x repeats)
        target = ct_flat.take(at)
        np.putmask(target, np.equal(kind, _I3), x)  # no offer: x_i
        return target, risk, kind, j

    def _offers_spec(self, sd: np.ndarray, dist: np.ndarray) -> tuple[np.ndarray, ...]:
        """``_offers`` with the ``spec`` profile for ``a``, ``b`` in ``ab4``, into ``sign`` (conflict,
        compel) and ``comp`` (compromise); returns the compromise mask and targets and the two keys."""
        a, b, neg_a, neg_b = self.ab_0, self.ab_1, self.neg_a, self.neg_b
        x_col = self.x_full
        _neg(self.ab, self.ab_neg)
        _gt(self.ab4, _F0, self.sign)  # a > 0, b > 0, −a > 0 (a < 0), −b > 0
        conflict, compel, a_neg = self.conflict, self.compel, self.sign_an
        _and(conflict, _gt(b, a), conflict)
        compromise = _gt(b, neg_a, self.comp)
        _and(compromise, a_neg, compromise)
        ct = _div(neg_a, b, self.ct)
        _mul(ct, sd, ct)
        _add(ct, x_col, ct)
        _and(compel, _gt(neg_a, b), compel)  # b > 0 and −a > b
        _and(compel, a_neg, compel)
        key1 = dist.copy()  # where(compromise, −b, dist)
        np.putmask(key1, compromise, neg_b)
        key2 = neg_b  # where(compromise, |target − x_i|, −b)
        np.putmask(key2, compromise, np.absolute(_sub(ct, x_col)))
        return compromise, ct, key1, key2


_WORKSPACES = threading.local()  # per thread: {actors: _Small}, the last few sizes


def _small_workspace(a: int) -> _Small:
    """This thread's ``_Small`` buffers for ``a`` actors, made once (a run fills them and returns
    fresh arrays only, so the next run may take them over)."""
    cache: dict[int, _Small] | None = getattr(_WORKSPACES, "by_size", None)
    if cache is None:
        cache = _WORKSPACES.by_size = {}
    k = cache.get(a)
    if k is None:
        if len(cache) >= 4:
            cache.clear()
        k = cache[a] = _Small(a)
    return k


def _run_small_columns(
    x: np.ndarray,
    w: np.ndarray,
    s: np.ndarray,
    valid: np.ndarray | None,
    median_weight: np.ndarray | None,
    unit: np.ndarray | None,
    q: float,
    profile: str,
    stop: StopRule,
) -> _ColRun:
    """``_run_cols`` for a few columns, one by one on the small path (the same preparation)."""
    na, n = x.shape
    runs = []
    with np.errstate(divide="ignore", invalid="ignore"):  # 0/0 off contest, never read
        for j in range(n):
            xj = np.ascontiguousarray(x[:, j])
            vj = None if valid is None or valid[:, j].all() else np.ascontiguousarray(valid[:, j])
            wj = np.ascontiguousarray(w[:, j])
            mwj = wj if median_weight is None else np.ascontiguousarray(median_weight[:, j])
            if vj is None:
                scale = float(np.maximum.reduce(xj) - np.minimum.reduce(xj))
            else:
                wj = np.where(vj, wj, 0.0)
                mwj = np.where(vj, mwj if median_weight is not None else wj, 0.0)
                scale = float(np.maximum.reduce(xj[vj]) - np.minimum.reduce(xj[vj]))
            if not math.isfinite(scale):
                scale = 0.0
            uj = scale if unit is None or math.isnan(unit[j]) else float(unit[j])
            small = _small_workspace(na).setup(wj, np.ascontiguousarray(s[:, j]), mwj, vj, scale, q, profile)
            runs.append(_run_small(xj, small, uj, stop))
    jtype = np.int16 if na < 2**15 else np.int64
    if n == 1:
        pos, med, mean, r, kind, jw, v = runs[0]
        ints = np.array([v[0], v[2]], dtype=np.int64)
        floats = np.array(v[3:6], dtype=float)
        return _ColRun(
            positions=pos[:, :, None],
            median=med[:, None],
            mean=mean[:, None],
            rounds=ints[:1],
            risk=r[:, :, None],
            move_type=_KINDS.take(kind)[:, :, None],
            move_with=jw.astype(jtype)[:, :, None],
            converged=np.array(v[1:2], dtype=bool),
            cycle_length=ints[1:],
            outcome_low=floats[:1],
            outcome_high=floats[1:2],
            outcome=floats[2:],
        )
    r_max = max((r[-1][0] for r in runs), default=0)
    positions = np.empty((r_max + 1, na, n))
    medians = np.empty((r_max + 1, n))
    means = np.empty((r_max + 1, n))
    risk = np.ones((r_max, na, n))
    mtype = np.full((r_max, na, n), NO_MOVE, dtype=np.int8)
    mwith = np.full((r_max, na, n), -1, dtype=jtype)
    for j, (pos, med, mean, r, kind, jw, _) in enumerate(runs):
        t = pos.shape[0]
        positions[:t, :, j] = pos
        positions[t:, :, j] = pos[-1]
        medians[:t, j] = med
        medians[t:, j] = med[-1]
        means[:t, j] = mean
        means[t:, j] = mean[-1]
        risk[: t - 1, :, j] = r
        mtype[: t - 1, :, j] = _KINDS[kind]
        mwith[: t - 1, :, j] = jw
    verdict = list(zip(*(r[-1] for r in runs), strict=True))
    return _ColRun(
        positions=positions,
        median=medians,
        mean=means,
        rounds=np.array(verdict[0], dtype=np.int64),
        risk=risk,
        move_type=mtype,
        move_with=mwith,
        converged=np.array(verdict[1], dtype=bool),
        cycle_length=np.array(verdict[2], dtype=np.int64),
        outcome_low=np.array(verdict[3], dtype=float),
        outcome_high=np.array(verdict[4], dtype=float),
        outcome=np.array(verdict[5], dtype=float),
    )


def _final_verdict(
    pos: list[list[float]], med: list[float], t: int, med_thr: float, pos_thr: float, patience: int, kmax: int
) -> tuple[bool, int]:
    """``converged`` and the period (0: none) after round ``t`` of a run that never stops early: the
    state ``_run_small``'s round-by-round counters reach, read from the whole history ``pos`` (rows of
    positions) at once, in Python floats (the same tests: all |Δ| <= tol is max |Δ| <= tol, NaN too).

    The median was stable in the last ``patience`` rounds (or nobody moved in the last round); a
    period L (2 <= L <= ``kmax``, L <= t) is seen when each of the last L rounds, all from round L on,
    came within ``pos_thr`` of the state L rounds earlier; the shortest such L."""
    if t == 0:
        return False, 0
    run = 0
    for r in range(t, 0, -1):  # the trailing rounds in which μ moved by at most med_thr
        if abs(med[r] - med[r - 1]) <= med_thr:
            run += 1
        else:
            break
    conv = run >= patience or all(abs(c - o) == 0.0 for c, o in zip(pos[t], pos[t - 1], strict=True))
    for lag in range(2, min(kmax, (t + 1) // 2) + 1):
        if all(
            abs(c - o) <= pos_thr
            for r in range(t - lag + 1, t + 1)
            for c, o in zip(pos[r], pos[r - lag], strict=True)
        ):
            return conv, lag
    return conv, 0


def _no_proposer(jw: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """``jw`` with -1 where no offer was accepted (rank 3), in place."""
    np.putmask(jw, np.equal(kind, _I3), -1)
    return jw


def _run_small(x0: np.ndarray, k: _Small, unit: float, stop: StopRule) -> tuple[Any, ...]:
    """One column through the stop rule, as ``_run_cols`` with ``_Verdict`` and ``_Verdicts``.

    Returns positions ``(T+1, A)``, medians and means ``(T+1,)``, risk exponents, offer ranks and
    proposers ``(T, A)`` and the verdict ``[T, converged, period, low, high, outcome]``.
    """
    a_n = x0.shape[0]
    cap = stop.rounds
    fixed_mode = stop.mode == "fixed"
    patience = stop.patience
    kmax = stop.max_period
    med_thr = stop.tol * unit
    pos_thr = stop.cycle_tol * unit
    med = [0.0] * (cap + 1)
    risk, kind, jw = [], [], []  # per round
    x = x0
    sd, dist = k.geometry(x)
    mu = med[0] = k.first(x, dist)
    run = 0
    match = [0] * (kmax + 1)
    conv, period, t = False, 0, 0
    if fixed_mode:  # no early stop: the stop rule only judges the last round, after the run
        xs = [x0]
        for t in range(1, cap + 1):
            x, r_t, k_t, j_t = k.rest(x, sd, dist, mu)
            xs.append(x)
            risk.append(r_t)
            kind.append(k_t)
            jw.append(j_t)
            sd, dist = k.geometry(x)
            mu = med[t] = k.first(x, dist) if t < cap else k.median(x, dist)
        pos = np.array(xs)
        conv, period = _final_verdict(pos.tolist(), med, cap, med_thr, pos_thr, patience, kmax)
        t = cap
    else:
        pos = np.empty((cap + 1, a_n))
        pos[0] = x0
    for t in range(1, cap + 1 if not fixed_mode else 0):
        new_x, r_t, k_t, j_t = k.rest(x, sd, dist, mu)
        risk.append(r_t)
        kind.append(k_t)
        jw.append(j_t)
        pos[t] = new_x
        sd, dist = k.geometry(new_x)
        new_mu = med[t] = k.first(new_x, dist)
        # the stop rule, as _Verdict.update
        run = run + 1 if abs(new_mu - mu) <= med_thr else 0
        # max_i |x_i(t) − x_i(t − L)| for L = top, ..., 1; L = 1 is 0 exactly at a fixed point
        top = max(1, min(kmax, t))
        back = np.maximum.reduce(np.abs(pos[t - top : t] - new_x), axis=1).tolist()
        conv = run >= patience or back[-1] == 0.0
        period = 0
        for lag in range(2, top + 1):
            match[lag] = match[lag] + 1 if back[top - lag] <= pos_thr else 0
            if period == 0 and match[lag] >= lag:
                period = lag
        x, mu = new_x, new_mu
        if fixed_mode or t == cap:
            continue
        if conv:
            break
        if period:
            w = med[t - period + 1 : t + 1]
            if not max(w) - min(w) <= med_thr:
                break
            period = 0
    # the verdict, as _Verdicts.record
    low = high = np.nan
    outcome = mu
    if not conv:
        if cap == 0:
            low = high = outcome
        else:
            win = period if period else max(1, min(kmax, t))
            w = med[t - win + 1 : t + 1]
            low, high = min(w), max(w)
            if not fixed_mode:
                total = 0.0
                for v in w:
                    total += v
                outcome = total / win
    pos = pos[: t + 1]
    kinds = np.array(kind) if t else np.empty((0, a_n), dtype=np.int8)
    return (
        pos,
        np.array(med[: t + 1]),
        np.add.reduce(k.mw * pos, axis=1) / k.mean_tot,  # each row as _psum
        np.array(risk) if t else np.empty((0, a_n)),
        kinds,
        _no_proposer(np.array(jw), kinds) if t else np.empty((0, a_n), dtype=np.int64),
        [t, conv, 0 if conv else period, low, high, outcome],
    )


# ---------------------------------------------------------------------------------------------- model


def _int_param(prm: dict[str, Any], name: str, low: int) -> int:
    v = prm[name]
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
        raise ValueError(f"eum parameter {name!r} must be an integer >= {low}, got {v!r}")
    return int(v)


def _float_param(prm: dict[str, Any], name: str) -> float:
    v = prm[name]
    try:
        f = float(v)
    except (TypeError, ValueError):
        f = float("nan")
    if isinstance(v, bool) or not (0.0 <= f < np.inf):
        raise ValueError(f"eum parameter {name!r} must be a number >= 0, got {v!r}")
    return f


_CHECKED: dict[tuple[tuple[str, Any], ...], tuple[float, str, StopRule]] = {}


def _checked(params: dict[str, Any]) -> tuple[float, str, StopRule]:
    """``_check`` of the defaults overlaid with ``params``, remembered for hashable parameters."""
    try:
        key = tuple(sorted(params.items()))
        hit = _CHECKED.get(key)
    except TypeError:  # an unhashable value: check it every time
        return _check(INFO.check_params(params))
    if hit is None:
        hit = _check(INFO.check_params(params))
        if len(_CHECKED) < 256:
            _CHECKED[key] = hit
    return hit


def _check(prm: dict[str, Any]) -> tuple[float, str, StopRule]:
    q = float(prm["Q"])
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"eum parameter 'Q' must be in [0, 1], got {q}")
    mode = prm["stop"]
    if prm["rounds"] is None:
        rounds = FIXED_ROUNDS if mode == "fixed" else MAX_ROUNDS
    else:
        rounds = _int_param(prm, "rounds", 0)
    stop = StopRule(
        mode=mode,
        rounds=rounds,
        tol=_float_param(prm, "tol"),
        patience=_int_param(prm, "patience", 1),
        max_period=_int_param(prm, "max_period", 0),
        cycle_tol=_float_param(prm, "cycle_tol"),
    )
    return q, str(prm["profile"]), stop


def run_eum(
    problem: BargainingProblem, *, rng: np.random.Generator | None = None, **params: Any
) -> Trajectory:
    """The expected-utility model, each issue separately; deterministic (``rng`` is ignored).

    Parameters (``docs/models/eum.md``): ``profile`` (``"spec"`` or ``"compat"``), ``Q`` (probability
    that an unchallenged target stays put), ``stop`` (``"converge"``: until the forecast settles, the
    default; ``"fixed"``: a fixed number of rounds), ``rounds`` (``"fixed"``: how many, default 8;
    ``"converge"``: the most, default 50), ``tol`` and ``patience`` (converged: the median moved by
    at most ``tol`` of the issue's range in each of ``patience`` consecutive rounds), ``max_period``
    and ``cycle_tol`` (cycle detection). See :class:`StopRule`.
    """
    q, profile, stop = _checked(params)
    na, nd = problem.n_actors, problem.n_issues
    # columns = (batch..., issue), leading axis = actors
    if problem.unbatched:  # the columns are the issues: no copies, no axis moves
        p = problem
        batch: tuple[int, ...] = ()
        x = p.position
        power = p.capability[:, None] if p.issue_power is None else p.issue_power  # broadcast where used
        sal = p.salience
    else:
        p = problem.broadcast()
        batch = p.batch_shape_all
        x = np.moveaxis(p.position, -2, 0).reshape(na, -1)
        power = np.moveaxis(np.asarray(p.power, dtype=float), -2, 0).reshape(na, -1)
        sal = np.moveaxis(p.salience, -2, 0).reshape(na, -1)
    n = x.shape[1]
    finite = np.isfinite(x)
    if p.present is None:
        valid = finite
    else:
        valid = np.broadcast_to(p.present[:, None, :], (na, int(np.prod(batch, dtype=int)), nd))
        valid = valid.reshape(na, n) & finite
    all_valid = bool(np.logical_and.reduce(valid, None))
    has_any: np.ndarray | None = None  # None: every column has a present actor
    if all_valid:
        x_in, sal_in, power_in = x, sal, power
    else:
        has_any = valid.any(axis=0)
        fill = np.where(valid, x, np.inf).min(axis=0)
        fill = np.where(np.isfinite(fill), fill, 0.0)
        x_in = np.where(valid, x, fill)
        sal_in = np.where(valid, sal, 0.0)
        power_in = np.where(valid, power, 0.0)
    w = power_in * sal_in
    # reported median / mean weights: c·s, or c when every c·s is 0, or equal weights (docs)
    w_tot = np.add.reduce(w, 0)
    if np.minimum.reduce(w_tot) > 0:  # every column's c·s sum is positive (a NaN is not)
        mw = w
    else:
        power_in = np.broadcast_to(power_in, w.shape)
        mw = np.where(w_tot > 0, w, np.where(power_in.sum(axis=0) > 0, power_in, 1.0))
    if has_any is not None:
        mw = np.where(valid, mw, 0.0)
        mw = np.where(has_any, mw, 1.0)
    res = _run_cols(
        x_in,
        w,
        sal_in,
        valid=None if has_any is None else np.where(has_any, valid, True),
        median_weight=mw,
        unit=np.tile(_issue_unit(p.bounds), n // nd if nd else 0) if batch else _issue_unit(p.bounds),
        q=q,
        profile=profile,
        stop=stop,
    )
    r1 = res.positions.shape[0]
    pos = res.positions  # our own buffer: absent actors get their input position back in place
    if not all_valid:
        actor, column = np.nonzero(~valid)
        pos[:, actor, column] = x[actor, column]
    lead = (na, *batch, nd)

    def per_actor(arr: np.ndarray) -> np.ndarray:  # (R, A, n) -> (..., R, A, D)
        return np.moveaxis(arr.reshape(arr.shape[0], *lead), (0, 1), (-3, -2)) if batch else arr

    def per_issue(arr: np.ndarray) -> np.ndarray:  # (n,) -> (..., D)
        return arr.reshape(*batch, nd) if batch else arr

    positions = per_actor(pos)
    median, mean, outcome = res.median, res.mean, res.outcome
    if has_any is not None and not has_any.all():
        sq = np.broadcast_to(p.status_quo, (*batch, nd)).reshape(-1)
        median = np.where(has_any, median, sq)
        mean = np.where(has_any, mean, sq)
        outcome = np.where(has_any, outcome, sq)
    median_by_round = np.moveaxis(median.reshape(r1, *batch, nd), 0, -2) if batch else median
    mean_by_round = np.moveaxis(mean.reshape(r1, *batch, nd), 0, -2) if batch else mean
    last = res.rounds
    rounds_out: int | np.ndarray = last.reshape(*batch, nd).max(axis=-1) if batch else max(last.tolist())
    cycles = res.cycle_length > 0
    extras = {
        "median_by_round": median_by_round,
        "mean_by_round": mean_by_round,
        "risk_exponent": per_actor(res.risk),
        "move_type": per_actor(res.move_type),
        "move_with": per_actor(res.move_with),
        "rounds_by_issue": per_issue(last),
        "converged": per_issue(res.converged),
        "cycle_length": per_issue(res.cycle_length),
        "cycle_low": per_issue(np.where(cycles, res.outcome_low, np.nan)),
        "cycle_high": per_issue(np.where(cycles, res.outcome_high, np.nan)),
        "outcome_low": per_issue(res.outcome_low),
        "outcome_high": per_issue(res.outcome_high),
        "stop_rule": stop.mode,
    }
    return Trajectory(positions=positions, outcome=per_issue(outcome), rounds=rounds_out, extras=extras)


def _issue_unit(bounds: np.ndarray) -> np.ndarray:
    """Each issue's range, the unit of the stop rule's tolerances; NaN where it is not a positive
    number (the run then uses the spread of the initial positions)."""
    widths = [hi - lo for lo, hi in np.asarray(bounds, dtype=float).tolist()]  # float64 arithmetic
    return np.array([v if math.isfinite(v) and v > 0 else math.nan for v in widths], dtype=float)


def eum_extras_to_json(extras: dict[str, Any], problem: BargainingProblem) -> dict[str, Any]:
    """JSON-ready extras of one unbatched run, keyed by issue and actor ids."""
    issues, actors = problem.issues, problem.actors
    med = np.asarray(extras["median_by_round"])
    mean = np.asarray(extras["mean_by_round"])
    risk = np.asarray(extras["risk_exponent"])
    mtype = np.asarray(extras["move_type"])
    mwith = np.asarray(extras["move_with"])
    conv = np.asarray(extras["converged"]).reshape(-1)
    period = np.asarray(extras["cycle_length"]).reshape(-1)
    low = np.asarray(extras["outcome_low"]).reshape(-1)
    high = np.asarray(extras["outcome_high"]).reshape(-1)
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
        "converged": {issue: bool(conv[d]) for d, issue in enumerate(issues)},
        "cycle_length": {issue: int(period[d]) if period[d] > 0 else None for d, issue in enumerate(issues)},
        "cycle_range": {
            issue: [float(low[d]), float(high[d])] if period[d] > 0 else None
            for d, issue in enumerate(issues)
        },
        "outcome_range": {
            issue: None if conv[d] else [float(low[d]), float(high[d])] for d, issue in enumerate(issues)
        },
        "stop_rule": str(extras["stop_rule"]),
    }


INFO = register(
    ModelInfo(
        name="eum",
        title="Expected-utility model (Bueno de Mesquita; Scholz et al. 2011 reading)",
        run=run_eum,
        stochastic=False,
        multi_issue=False,
        dynamic=True,
        params={
            "profile": "spec",
            "Q": 1.0,
            "stop": "converge",
            "rounds": None,
            "tol": 0.01,
            "patience": 4,
            "max_period": 12,
            "cycle_tol": 1e-6,
        },
        choices={"profile": PROFILES, "stop": STOP_RULES},
        kinds={"rounds": 0},
        requires=("capability",),
        description=(
            "Actors challenge one another when their expected utility says so; conflicts, compromises and "
            "capitulations move them toward the proposer, round after round, until the forecast (the "
            "capability-and-salience weighted median) stops moving or the positions are found to cycle. "
            "Each issue separately."
        ),
        reference=(
            "Bueno de Mesquita (1994); Scholz, Calbert & Smith (2011), ICAART, pp. 18-30; "
            "specification shared/models/eum.md"
        ),
        extras_to_json=eum_extras_to_json,
    )
)
