"""Vectorised building blocks of KTAB's spatial model of politics (see ``smp.py``).

Every function works on a leading batch axis ``B`` and never loops over actors in Python. The
equations and their accumulation orders follow ``docs/models/smp.md``; where the order of a sum can
change the last bit of a result (and through exact ties the whole run), sums are taken along a
*non-innermost* axis with ``np.add.reduce``, which NumPy evaluates strictly left to right (along the
innermost axis it would use pairwise summation).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

VOTING_RULES = ("prop", "binary", "prop_bin", "prop_cbc", "cubic", "asym_prosp")
VICTORY_MODELS = ("linear", "square", "quartic", "octic", "binary")
PCE_MODELS = ("conditional", "markov_uniform", "markov_incentive")
RISK_ADJUST = ("one_third", "none", "half", "two_thirds", "full")
RISK_RANGE = ("mid", "min", "max")
THIRD_PARTY = ("semi", "full", "none")
INTERVEC = ("s2p2", "s1p1", "s2pmax")
BARGAIN_MODELS = ("init_only", "init_rcvr", "pw_comp")
TRANSITIONS = ("deterministic", "stochastic")

#: elements per chunk of the O(N^3) tensors (about 32 MB of float64 per temporary)
CHUNK_ELEMENTS = 4_000_000
#: elements per chunk of the challenge tensors (cache-sized)
CHALLENGE_CHUNK = 60_000
#: use the in-place default-option kernel (tests switch it off to compare with the general one)
USE_FAST_PATH = True


@dataclass(frozen=True)
class Options:
    """The model options (validated strings, see ``ModelInfo.choices`` in ``smp.py``)."""

    voting_rule: str = "prop"
    victory_prob: str = "linear"
    pce: str = "conditional"
    risk_adjust: str = "one_third"
    risk_range: str = "mid"
    third_party: str = "semi"
    intervec: str = "s2p2"
    bargain_model: str = "init_only"
    transition: str = "deterministic"


# --------------------------------------------------------------------------- primitives
def seq_sum0(terms: np.ndarray, axis: int) -> np.ndarray:
    """Left-to-right sum along ``axis``, which must not be the innermost (contiguous) axis."""
    if terms.shape[axis] == 0:
        return np.zeros(terms.shape[:axis] + terms.shape[axis + 1 :])
    a = np.asarray(terms)
    if axis in (-1, a.ndim - 1):
        return np.cumsum(a, axis=-1)[..., -1]
    if not a.flags.c_contiguous:
        a = np.ascontiguousarray(a)
    return np.add.reduce(a, axis=axis)


def utility(d: np.ndarray, r: np.ndarray) -> np.ndarray:
    """KTAB's utility of a distance under risk attitude ``r``: (1 − d)(1 + d·r), capped at d = 1."""
    one_m = 1.0 - d
    if np.ndim(d) == 0 or np.max(d) <= 1.0:  # the usual case; d > 1 only through round-off
        return one_m * (1.0 + d * r)
    return np.where(d <= 1.0, one_m * (1.0 + d * r), one_m * (1.0 + r))


def vote(weight: np.ndarray | float, delta: np.ndarray, rule: str) -> np.ndarray:
    """The vote of a voter with ``weight`` for option a over b, ``delta`` = u(a) − u(b)."""
    if rule == "prop":
        return weight * delta
    if rule == "binary":
        return weight * np.clip(delta / 1e-8, -1.0, 1.0)
    if rule == "prop_bin":
        return weight * (0.8 * delta + 0.2 * np.clip(delta / 1e-8, -1.0, 1.0))
    if rule == "prop_cbc":
        return weight * (0.5 * delta + 0.5 * (delta * delta * delta))
    if rule == "cubic":
        return weight * (delta * delta * delta)
    if rule == "asym_prosp":
        return np.where(delta < 0, weight * delta, np.where(delta > 0, (2.0 / 3.0) * weight * delta, 0.0))
    raise ValueError(f"unknown voting rule {rule!r}")


def salience_norm2(sal: np.ndarray) -> np.ndarray:
    """Σ_k s_ik², accumulated over k in order, ``(B, N)``."""
    den = np.zeros(sal.shape[:-1])
    for k in range(sal.shape[-1]):  # loop over dimensions only
        den += sal[..., k] * sal[..., k]
    return den


def distances(
    ideal: np.ndarray, pts: np.ndarray, sal: np.ndarray, den: np.ndarray | None = None
) -> np.ndarray:
    """Salience-weighted distance from each actor's ideal to each point.

    ``ideal``, ``sal``: ``(B, N, D)``; ``pts``: ``(B, M, D)``; ``den``: Σ_k s_ik² if already known.
    Returns ``(B, N, M)``: sqrt(Σ_k (s_ik (ι_ik − y_k))² / Σ_k s_ik²), sums over k in order. An actor
    with no salience at all is indifferent (distance 0) rather than undefined.
    """
    n_dim = ideal.shape[-1]
    if den is None:
        den = salience_norm2(sal)
    t = sal[:, :, None, 0] * (ideal[:, :, None, 0] - pts[:, None, :, 0])
    num = t * t
    for k in range(1, n_dim):  # loop over dimensions only
        t = sal[:, :, None, k] * (ideal[:, :, None, k] - pts[:, None, :, k])
        num += t * t
    if (den > 0).all():
        num /= den[..., None]
        return np.sqrt(num, out=num)
    ok = den > 0
    ratio = num / np.where(ok, den, 1.0)[..., None]
    return np.where(ok[..., None], np.sqrt(ratio), 0.0)


# --------------------------------------------------------------------------- elections
def coalitions(util: np.ndarray, weight: np.ndarray, rule: str) -> np.ndarray:
    """Coalition strengths C[a, b] over M options, voters in order, each sum starting at 1e-8.

    ``util``: ``(B, K, M)`` utility to voter k of option a; ``weight``: ``(B, K)``. Only the a > b
    vote is evaluated (this matters for the asymmetric rule only).
    """
    bsz, n_voters, m = util.shape
    if rule == "prop":
        # rows of C in cache-sized chunks, temporaries reused
        out = np.empty((bsz, m, m))
        rows = max(1, min(m, CHALLENGE_CHUNK // max(1, bsz * n_voters * m)))
        buf = np.empty((bsz, n_voters, rows, m))
        wgt = weight[:, :, None, None]
        for a0 in range(0, m, rows):
            ca = min(rows, m - a0)
            b = buf[:, :, :ca]
            np.subtract(util[:, :, a0 : a0 + ca, None], util[:, :, None, :], out=b)
            b *= wgt
            np.maximum(b, 0.0, out=b)
            b[:, 0] += 1e-8
            np.add.reduce(b, axis=1, out=out[:, a0 : a0 + ca])
        return out
    delta = util[:, :, :, None] - util[:, :, None, :]  # (B, K, a, b)
    vt = vote(weight[:, :, None, None], delta, rule)
    pos = np.maximum(vt, 0.0)
    pos[:, 0] += 1e-8
    c_pos = np.add.reduce(pos, axis=1)
    if rule != "asym_prosp":
        return c_pos
    neg = np.maximum(-vt, 0.0)
    neg[:, 0] += 1e-8
    c_neg = np.add.reduce(neg, axis=1)
    lower = np.tri(m, m, -1, dtype=bool)
    out = np.where(lower, c_pos, np.swapaxes(c_neg, -1, -2))
    idx = np.arange(m)
    out[:, idx, idx] = 1e-8
    return out


def victory(c: np.ndarray, model: str) -> np.ndarray:
    """Pairwise victory probabilities P[a, b] from coalition strengths ``(..., M, M)``."""
    m = c.shape[-1]
    ct = np.swapaxes(c, -1, -2)
    if model == "binary":
        # evaluated for a > b with (s1, s2) = (C_ab, C_ba), then mirrored
        s1, s2 = c, ct
        t = 1.1
        rho = s1 / (s1 + s2)
        mid = (rho * (t + 1.0) - 1.0) / (t - 1.0)
        x1 = np.where(s1 >= t * s2, 1.0, np.where(s2 >= t * s1, 1e-6, mid))
        x2 = np.where(s1 >= t * s2, 1e-6, np.where(s2 >= t * s1, 1.0, 1.0 - mid))
        p1 = x1 / (x1 + x2)
        p2 = x2 / (x1 + x2)
        lower = np.tri(m, m, -1, dtype=bool)
        out = np.where(lower, p1, np.swapaxes(p2, -1, -2))
    else:
        if model == "linear":
            x1, x2 = c, ct
        elif model == "square":
            x1, x2 = c * c, ct * ct
        elif model == "quartic":
            x1, x2 = (c * c) * (c * c), (ct * ct) * (ct * ct)
        elif model == "octic":
            q1, q2 = (c * c) * (c * c), (ct * ct) * (ct * ct)
            x1, x2 = q1 * q1, q2 * q2
        else:
            raise ValueError(f"unknown victory probability model {model!r}")
        out = x1 / (x1 + x2)
    out = np.array(out)
    idx = np.arange(m)
    out[..., idx, idx] = 0.5
    return out


def pce(c: np.ndarray, p: np.ndarray, mask: np.ndarray | None, model: str) -> np.ndarray:
    """Probabilistic Condorcet election over the options where ``mask`` is true.

    ``c`` and ``p``: coalition strengths and victory probabilities ``(..., M, M)``; ``mask``:
    ``(..., M)`` (broadcastable) or None for all options. Returns ``(..., M)`` probabilities, 0 outside the mask.
    """
    if mask is None and model == "conditional":
        q = np.prod(p, axis=-1)
        return q / q.sum(axis=-1, keepdims=True)
    if mask is None:
        mask = np.ones(p.shape[-1], dtype=bool)
    mask = np.asarray(mask, dtype=bool)
    shape = np.broadcast_shapes(p.shape[:-1], mask.shape)
    mask = np.broadcast_to(mask, shape)
    if model == "conditional":
        terms = np.where(mask[..., None, :], p, 1.0)
        q = np.where(mask, np.prod(terms, axis=-1), 0.0)
        tot = q.sum(axis=-1, keepdims=True)
        return q / np.where(tot > 0, tot, 1.0)
    pm = np.where(mask[..., :, None] & mask[..., None, :], p, 0.0)
    n_opt = mask.sum(axis=-1, keepdims=True).astype(float)
    prob = np.where(mask, 1.0 / np.maximum(n_opt, 1.0), 0.0)
    if model == "markov_uniform":
        tol = 1e-6
        step = None
    elif model == "markov_incentive":
        tol = 1e-8
        m = c.shape[-1]
        idx = np.arange(m)
        incentive = c * p
        incentive = np.array(np.broadcast_to(incentive, pm.shape))
        incentive[..., idx, idx] += 1e-10
        incentive = np.where(mask[..., :, None] & mask[..., None, :], incentive, 0.0)
        col = incentive.sum(axis=-2, keepdims=True)
        step = incentive / np.where(col > 0, col, 1.0)  # ch[a, b]
    else:
        raise ValueError(f"unknown PCE model {model!r}")
    done = np.zeros(shape[:-1], dtype=bool)
    for _ in range(100_000):
        if step is None:
            q = (pm * (prob[..., :, None] + prob[..., None, :])).sum(axis=-1) / np.maximum(n_opt, 1.0)
        else:
            ch_t = np.swapaxes(step, -1, -2)  # ch[b, a] at [a, b]
            q = (pm * (prob[..., :, None] * ch_t + prob[..., None, :] * step)).sum(axis=-1)
        q = np.where(mask, q, 0.0)
        delta = np.abs(q - prob).max(axis=-1) if shape[-1] else np.zeros(shape[:-1])
        new = np.where(done[..., None], prob, (prob + q) / 2.0)
        prob = new
        done = done | (delta <= tol)
        if done.all():
            break
    return prob


# --------------------------------------------------------------------------- assessment
def risk_attitudes(p0: np.ndarray, risk_range: str) -> np.ndarray:
    """Risk attitudes from the risk-neutral PCE probabilities ``(B, N)`` (0 where all are equal)."""
    pmax = p0.max(axis=-1, keepdims=True)
    pmin = p0.min(axis=-1, keepdims=True)
    spread = pmax - pmin
    ok = spread > 0
    safe = np.where(ok, spread, 1.0)
    if risk_range == "mid":
        r = (3.0 * p0 - (pmax + 2.0 * pmin)) / (2.0 * safe)
    elif risk_range == "min":
        r = (p0 - pmin) / safe
    elif risk_range == "max":
        r = (2.0 * p0 - pmax - pmin) / safe
    else:
        raise ValueError(f"unknown risk range {risk_range!r}")
    return np.where(ok, r, 0.0)


def perceived_risk(r_own: np.ndarray, adjust: str) -> np.ndarray:
    """r[h, i]: h's estimate of i's risk attitude, ``(B, N, N)``."""
    rh = r_own[:, :, None]
    ri = r_own[:, None, :]
    if adjust == "one_third":
        return ((2.0 * rh) + ri) / 3.0
    if adjust == "none":
        return np.broadcast_to(rh, (*rh.shape[:1], rh.shape[1], rh.shape[1])).copy()
    if adjust == "half":
        return (rh + ri) / 2.0
    if adjust == "two_thirds":
        return (rh + (2.0 * ri)) / 3.0
    if adjust == "full":
        return np.broadcast_to(ri, (*ri.shape[:1], ri.shape[2], ri.shape[2])).copy()
    raise ValueError(f"unknown risk adjustment {adjust!r}")


@dataclass
class Assessment:
    """One assessed state: distances, risk attitudes and utilities."""

    d: np.ndarray  # (B, N, N) d[i, j] = dist_i(x_j)
    risk: np.ndarray  # (B, N) R_i
    rperc: np.ndarray  # (B, N, N) r[h, i]
    ustar: np.ndarray  # (B, N, N) U*[i, j] = A[i, i, j]


def assess(
    ideal: np.ndarray,
    x: np.ndarray,
    sal: np.ndarray,
    cap: np.ndarray,
    opt: Options,
    den: np.ndarray | None = None,
) -> Assessment:
    """Distances, risk attitudes (from a risk-neutral PCE over every actor's position) and utilities."""
    n = x.shape[1]
    d = distances(ideal, x, sal, den)
    u0 = 1.0 - d
    c = coalitions(u0, cap, opt.voting_rule)
    p0 = pce(c, victory(c, opt.victory_prob), None, opt.pce)
    risk = risk_attitudes(p0, opt.risk_range)
    rperc = perceived_risk(risk, opt.risk_adjust)
    idx = np.arange(n)
    r_self = rperc[:, idx, idx]  # r_ii, not exactly R_i in floating point
    ustar = utility(d, r_self[:, :, None])
    return Assessment(d=d, risk=risk, rperc=rperc, ustar=ustar)


# --------------------------------------------------------------------------- challenges
def _challenge_core(
    u_ii: np.ndarray,
    u_ij: np.ndarray,
    u_ji: np.ndarray,
    u_jj: np.ndarray,
    u_ni: np.ndarray,
    u_nj: np.ndarray,
    u_nn: np.ndarray,
    w_i: np.ndarray,
    w_j: np.ndarray,
    w_n: np.ndarray,
    s_j: np.ndarray,
    third: np.ndarray,
    opt: Options,
) -> tuple[np.ndarray, np.ndarray]:
    """Probability and expected gain of challenges, third parties along axis 1.

    Principal arrays have shape ``(B, *P)``; third-party arrays ``(B, N, *P)`` (broadcastable), with
    ``third`` true where n is neither principal.
    """
    rule = opt.voting_rule
    a_i = vote(w_i, u_ii - u_ij, rule)
    a_j = vote(w_j, u_ji - u_jj, rule)
    cp0 = (1e-10 + np.maximum(a_i, 0.0)) + np.maximum(a_j, 0.0)
    cm0 = (1e-10 + np.maximum(-a_i, 0.0)) + np.maximum(-a_j, 0.0)
    if opt.third_party == "semi" and u_nj.shape[1] > 0:
        b = vote(w_n, u_ni - u_nj, rule)
        num = cp0[:, None] + np.maximum(b, 0.0)
        pi = num / (num + (cm0[:, None] + np.maximum(-b, 0.0)))
        pib = 1.0 - pi
        two_ni = u_ni + u_ni
        e_i = pi * (two_ni + u_nn) + pib * (u_nj + u_nj + u_nj)
        e_j = pi * (two_ni + u_ni) + pib * (u_nj + u_nj + u_nn)
        v = vote(w_n, e_i - e_j, rule)
        v = np.where(third, v, 0.0)
        vp = np.maximum(v, 0.0)
        vm = np.maximum(-v, 0.0)
        vp[:, 0] += cp0
        vm[:, 0] += cm0
        cp = seq_sum0(vp, 1)
        cm = seq_sum0(vm, 1)
    else:
        # full or no commitment: E_i − E_j ≡ 0, third parties never vote
        cp, cm = cp0, cm0
    tot = cp + cm
    p = cp / tot
    q = cm / tot
    gain = (1.0 - s_j) * (2.0 * u_ii) + s_j * (p * 2.0 * u_ii + q * 2.0 * u_ij) - (u_ii + u_ij)
    return p, gain


def challenges_all(
    asm: Assessment, w: np.ndarray, s_tot: np.ndarray, opt: Options
) -> tuple[np.ndarray, np.ndarray]:
    """P_i(i>j) and G_i(i→j) for every initiator i and target j, from i's own perspective.

    Returns two ``(B, N, N)`` arrays; the diagonal of the gain is −inf. Initiators are processed in
    chunks so the ``(B, N, I, N)`` third-party tensors stay cache-sized.
    """
    d, rp = asm.d, asm.rperc
    bsz, n, _ = d.shape
    chunk = max(1, min(n, CHALLENGE_CHUNK // max(1, bsz * n * n)))
    p_out = np.empty((bsz, n, n))
    g_out = np.empty((bsz, n, n))
    idx = np.arange(n)
    d_nn = d[:, idx, idx]  # (B, N)
    fast = (
        USE_FAST_PATH
        and opt.voting_rule == "prop"
        and opt.third_party == "semi"
        and n > 0
        and bool((d <= 1.0).all())
    )
    bufs = [np.empty((bsz, n, chunk, n)) for _ in range(6)] if fast else []
    for start in range(0, n, chunk):  # chunks of initiators, not single actors
        ii = idx[start : start + chunk]
        m = len(ii)
        r_ni = np.swapaxes(rp[:, ii, :], 1, 2)  # (B, n, I): r[h=i, n]
        u_ni = utility(d[:, :, ii], r_ni)  # (B, n, I)
        u_nn = utility(d_nn[:, :, None], r_ni)  # (B, n, I)
        loc = np.arange(m)
        u_ii = u_ni[:, ii, loc]  # (B, I)
        u_ji = np.swapaxes(u_ni, 1, 2)  # (B, I, j): A[i, j, i]
        u_jj = np.swapaxes(u_nn, 1, 2)  # (B, I, j): A[i, j, j]
        if fast:
            b = [x[:, :, :m] for x in bufs]
            p, g = _challenge_prop_semi(d, r_ni, u_ni, u_nn, u_ii, u_ji, u_jj, ii, w, s_tot, b)
        else:
            u_nj = utility(d[:, :, None, :], r_ni[:, :, :, None])  # (B, n, I, j)
            u_ij = u_nj[:, ii, loc, :]  # (B, I, j)
            third = (idx[:, None, None] != ii[None, :, None]) & (idx[:, None, None] != idx[None, None, :])
            p, g = _challenge_core(
                u_ii[:, :, None],
                u_ij,
                u_ji,
                u_jj,
                u_ni[:, :, :, None],
                u_nj,
                u_nn[:, :, :, None],
                w[:, ii, None],
                w[:, None, :],
                w[:, :, None, None],
                s_tot[:, None, :],
                third[None],
                opt,
            )
        p_out[:, start : start + m] = p
        g_out[:, start : start + m] = g
    g_out[:, idx, idx] = -np.inf
    return p_out, g_out


def _challenge_prop_semi(
    d: np.ndarray,
    r_ni: np.ndarray,
    u_ni: np.ndarray,
    u_nn: np.ndarray,
    u_ii: np.ndarray,
    u_ji: np.ndarray,
    u_jj: np.ndarray,
    ii: np.ndarray,
    w: np.ndarray,
    s_tot: np.ndarray,
    buf: list[np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """The default (Prop votes, SemiCommit) challenge evaluation with in-place buffers.

    Same operations, in the same order, as :func:`_challenge_core`; only temporaries are reused.
    Axes of the buffers: (B, n third party, I initiator, j target).
    """
    unj, b1, b2, b3, b4, b5 = buf
    n = d.shape[1]
    m = len(ii)
    loc = np.arange(m)
    jj = np.arange(n)
    dn = d[:, :, None, :]
    # u_nj = (1 − d_nj)(1 + d_nj r_ni)
    np.multiply(dn, r_ni[:, :, :, None], out=unj)
    unj += 1.0
    unj *= (1.0 - d)[:, :, None, :]
    u_ij = unj[:, ii, loc, :].copy()  # (B, I, j)
    w_i = w[:, ii, None]
    w_j = w[:, None, :]
    a_i = w_i * (u_ii[:, :, None] - u_ij)
    a_j = w_j * (u_ji - u_jj)
    cp0 = (1e-10 + np.maximum(a_i, 0.0)) + np.maximum(a_j, 0.0)
    cm0 = (1e-10 + np.maximum(-a_i, 0.0)) + np.maximum(-a_j, 0.0)
    wn = w[:, :, None, None]
    # third party n's vote in the little conflict and its estimate pi_n
    np.subtract(u_ni[:, :, :, None], unj, out=b1)
    b1 *= wn  # b_n
    np.maximum(b1, 0.0, out=b2)  # max(b, 0)
    np.subtract(b2, b1, out=b1)  # max(-b, 0)
    b2 += cp0[:, None]  # num
    b1 += cm0[:, None]
    b1 += b2  # den = num + (cm0 + max(-b, 0))
    np.divide(b2, b1, out=b2)  # pi
    np.subtract(1.0, b2, out=b1)  # 1 - pi
    two_ni = u_ni + u_ni
    # E_i = pi (2u_ni + u_nn) + (1-pi)(u_nj + u_nj + u_nj)
    np.add(unj, unj, out=b3)
    np.add(b3, unj, out=b4)
    b4 *= b1
    np.multiply(b2, (two_ni + u_nn)[:, :, :, None], out=b5)
    b4 += b5  # E_i
    # E_j = pi (u_ni + u_ni + u_ni) + (1-pi)(u_nj + u_nj + u_nn)
    b3 += u_nn[:, :, :, None]
    b3 *= b1
    np.multiply(b2, (two_ni + u_ni)[:, :, :, None], out=b5)
    b5 += b3  # E_j
    np.subtract(b4, b5, out=b4)
    b4 *= wn  # v_n
    b4[:, ii, loc, :] = 0.0  # n = i is a principal
    b4[:, jj, :, jj] = 0.0  # n = j is a principal
    np.maximum(b4, 0.0, out=b5)  # positive votes
    np.subtract(b5, b4, out=b4)  # negative votes, as positive numbers
    b5[:, 0] += cp0
    b4[:, 0] += cm0
    cp = np.add.reduce(b5, axis=1)
    cm = np.add.reduce(b4, axis=1)
    tot = cp + cm
    p = cp / tot
    q = cm / tot
    uii = u_ii[:, :, None]
    s_j = s_tot[:, None, :]
    gain = (1.0 - s_j) * (2.0 * uii) + s_j * (p * 2.0 * uii + q * 2.0 * u_ij) - (uii + u_ij)
    return p, gain


def challenge_gain_from(
    asm: Assessment, w: np.ndarray, s_tot: np.ndarray, init: np.ndarray, target: np.ndarray, opt: Options
) -> np.ndarray:
    """G_h(i→j) with h = j, the target's estimate of the initiator's gain, for ``(B, P)`` pairs."""
    d, rp = asm.d, asm.rperc
    bsz, n, _ = d.shape
    bi = np.arange(bsz)[:, None]
    h = target
    r_hn = np.swapaxes(rp[bi, h, :], 1, 2)  # (B, n, P): r[h, n]
    d_t = np.swapaxes(d, 1, 2)  # d_t[b, col, n] = d[b, n, col]
    d_ni = np.swapaxes(d_t[bi, init, :], 1, 2)  # (B, n, P)
    d_nj = np.swapaxes(d_t[bi, target, :], 1, 2)
    idx = np.arange(n)
    d_nn = d[:, idx, idx][:, :, None]
    u_ni = utility(d_ni, r_hn)
    u_nj = utility(d_nj, r_hn)
    u_nn = utility(d_nn, r_hn)
    take = np.take_along_axis
    u_ii = take(u_ni, init[:, None, :], axis=1)[:, 0]
    u_ij = take(u_nj, init[:, None, :], axis=1)[:, 0]
    u_ji = take(u_ni, target[:, None, :], axis=1)[:, 0]
    u_jj = take(u_nn, target[:, None, :], axis=1)[:, 0]
    third = (idx[None, :, None] != init[:, None, :]) & (idx[None, :, None] != target[:, None, :])
    _, g = _challenge_core(
        u_ii,
        u_ij,
        u_ji,
        u_jj,
        u_ni,
        u_nj,
        u_nn,
        np.take_along_axis(w, init, axis=1),
        np.take_along_axis(w, target, axis=1),
        w[:, :, None],
        np.take_along_axis(s_tot, target, axis=1),
        third,
        opt,
    )
    return g


# --------------------------------------------------------------------------- bargains
def round4(y: np.ndarray) -> np.ndarray:
    """Round half up to 4 decimals (on the 0–1 scale)."""
    return np.floor(y * 10000.0 + 0.5) / 10000.0


def interpolate(
    x_i: np.ndarray, x_j: np.ndarray, s_i: np.ndarray, s_j: np.ndarray, p_i: np.ndarray, how: str
) -> tuple[np.ndarray, np.ndarray]:
    """Offers (y_i, y_j) between the current positions of initiator i and target j, ``(..., D)``.

    ``p_i`` (``(...)``) is the initiator's probability; the target's is 1 − p_i.
    """
    p_i = p_i[..., None]
    p_j = 1.0 - p_i
    if how in ("s2p2", "s1p1"):
        if how == "s2p2":
            wi = (s_i * s_i) * (p_i * p_i)
            wj = (s_j * s_j) * (p_j * p_j)
        else:
            wi = s_i * p_i
            wj = s_j * p_j
        den = (wi + 1e-6) + wj
        y_i = round4(((wi + 1e-6) * x_i + wj * x_j) / den)
        y_j = round4((wi * x_i + (1e-6 + wj) * x_j) / den)
        return y_i, y_j
    if how == "s2pmax":
        di = np.maximum(0.0, p_j - p_i)
        dj = np.maximum(0.0, p_i - p_j)
        sj2 = s_j * s_j
        si2 = s_i * s_i
        fi = di * sj2 / (di * sj2 + 1e-6 + (1.0 - di) * si2)
        fj = dj * si2 / (dj * si2 + 1e-6 + (1.0 - dj) * sj2)
        return x_i + fi * (x_j - x_i), x_j + fj * (x_i - x_j)
    raise ValueError(f"unknown bargain interpolation {how!r}")


# --------------------------------------------------------------------------- small single problems
#: the single-problem kernel is used up to this many actors (its tensors are not chunked)
SMALL_MAX_ACTORS = 39
#: use the single-problem kernel where it applies (tests switch it off to compare with the batch code)
USE_SMALL_PATH = True

# constants as 0-d arrays: NumPy converts a Python float on every call
_0, _1, _2, _3 = (np.array(v) for v in (0.0, 1.0, 2.0, 3.0))
_E10, _E8, _E6, _E4, _HALF = (np.array(v) for v in (1e-10, 1e-8, 1e-6, 10000.0, 0.5))
_TINY = np.array(5e-324)  # the smallest positive float
_M1 = np.array(-1)
_E5 = np.array(1e-5)
_I0 = np.array(0, dtype=np.intp)
#: per thread, the buffers released by the last :class:`SmallRun` (taken by the next of the same size)
_WORK = threading.local()


def small_path_applies(opt: Options, n: int) -> bool:
    """Whether :class:`SmallRun` implements these options for ``n`` actors."""
    return (
        USE_SMALL_PATH
        and USE_FAST_PATH  # the in-place kernel; switched off, the general one runs in the batch code
        and 1 <= n <= SMALL_MAX_ACTORS
        and opt.voting_rule == "prop"
        and opt.victory_prob == "linear"
        and opt.pce == "conditional"
        and opt.third_party == "semi"
        and opt.intervec in ("s2p2", "s1p1")
        and opt.bargain_model == "init_only"
        and opt.transition == "deterministic"
    )


class SmallRun:
    """Assessment and turn of one unbatched problem with identity ideals, on preallocated buffers.

    The same floating-point operations, in the same order, as :func:`assess`, :func:`challenges_all`
    (its in-place path) and ``smp._turn`` with the options of :func:`small_path_applies`; only the
    batch axis is dropped, every temporary is a reused buffer (views are made once) and quantities
    that are exact constants with identity ideals are not recomputed:

    - an actor's distance to its own position is exactly 0, so u_ii = u_nn = 1 exactly;
    - u_ni = A[i, n, i] and U*[i, j] = A[i, i, j] are elements of the (n, i, j) tensor u_nj (views);
    - positions stay in [0, 1] (clipped inputs; offers are rounded weighted means, whose rounded
      numerator never exceeds the rounded denominator), so every salience-weighted distance is at
      most 1 (each rounded term of its numerator is at most the matching term of Σ_k s_ik², summed
      in the same order) and the capped branch of :func:`utility` is never needed.

    Per state this makes about 115 NumPy calls on arrays of at most N³ elements, which at small N is
    what the run costs; so constant operands are stored at full size and transposed ones copied (a
    broadcast or strided operand makes a ufunc call several times dearer), gathers use ``take`` and
    flat indices, products and sums that must run in order run over an outer axis, and the buffers
    (which depend on N and D only) are reused by the thread's next run of the same size once
    :meth:`release` hands them over (a run alive at the same time gets its own).
    """

    def __init__(self, sal: np.ndarray, cap: np.ndarray, den: np.ndarray, opt: Options) -> None:
        n, dims = sal.shape
        # the buffers: those :meth:`release`d by the thread's last run of this size, else new ones
        work = getattr(_WORK, "last", None)
        if work is not None and work[0] == (n, dims):
            _WORK.last = None  # taken: a second run alive at the same time gets its own buffers
            self.__dict__.update(work[1])
            self._work = work
        else:
            self._allocate(n, dims)
            self._work = ((n, dims), dict(self.__dict__))
        self.opt = opt
        self.sal = sal
        self.sal2 = sal * sal if opt.intervec == "s2p2" else sal
        self.cap = cap
        s_tot = np.add.reduce(sal, -1)
        w = cap * s_tot
        ok = den > 0
        self.den_ok = bool(ok.all())
        self.den_col = (den if self.den_ok else np.where(ok, den, 1.0))[:, None]
        self.bad_rows = None if self.den_ok else np.flatnonzero(~ok)
        self.salT3 = sal.T[:, :, None]  # (D, n, 1)
        self.cap3 = cap[:, None, None]
        # constant operands materialised at full size: a broadcast operand costs a ufunc call
        # several times more than a contiguous one at these sizes (the same products either way)
        self.salT_full[...] = self.salT3
        self.den_full[...] = self.den_col
        self.cap_full[...] = self.cap3
        self.w3_full[...] = w[:, None, None]
        wn = self.wn_third  # w_n, 0 where n is a principal (i or j)
        wn[...] = self.w3_full
        wn.reshape(-1)[self.wn_zero] = 0.0
        self.g1_full[...] = (1.0 - s_tot) * 2.0  # (1 − S_j)·2u_ii with u_ii = 1
        self.s_full[...] = s_tot
        # the constants of a turn, written at its size on the run's first turn with that many slots
        self._slot_ready: dict[int, tuple[np.ndarray, ...]] = {}

    def release(self) -> None:
        """Hand the buffers to the thread's next run of the same size (this run must not be used again)."""
        _WORK.last = self._work

    def _allocate(self, n: int, dims: int) -> None:
        """Buffers, their views and index arrays, which depend on (n, dims) only (cached per thread)."""
        self.n, self.dims = n, dims
        self.n_f = np.array(float(n))  # a 0-d operand: NumPy converts a Python number on every call
        self.k_sub, self.k_div = np.empty(()), np.empty(())
        e = np.empty
        self.idx = np.arange(n)
        self.salT_full = e((dims, n, n))
        self.den_full = e((n, n))
        self.cap_full = e((n, n, n))
        self.w3_full = e((n, n, n))
        self.wn_third = e((n, n, n))
        z3 = np.zeros((n, n, n), dtype=bool)
        z3[self.idx, self.idx, :] = True
        z3[self.idx, :, self.idx] = True
        self.wn_zero = np.flatnonzero(z3)  # [n, i, j] with n = i or n = j
        self.g1_full = e((n, n))
        self.s_full = e((n, n))
        self.tmp_a = e((dims, n, n))
        self.s1 = e((n, n, n))
        self.s_nn = e((n, n))
        self.c4 = e((2, n, n, n))
        self.tmp_d = e((dims, n, n))
        self.d = e((n, n))
        self.u0 = e((n, n))
        self.v3 = e((n, n, n))
        self.c = e((n, n))
        self.cs = e((n, n))
        self.p = e((n, n))
        self.q = e(n)
        self.p0 = e(n)
        self.risk = e(n)
        self.r2 = e(n)
        self.rp = e((n, n))
        # (u_ni at [n, i, j] for every j, u_nj): the third parties' terms of both principals in one call
        self.u2 = e((2, n, n, n))
        self.uni_full, self.unj = self.u2[0], self.u2[1]
        self.h2 = e((2, 2, n, n, n))  # [(2u_ni, 2u_nj), (3u_ni, 3u_nj)], then + 1 on the first
        self.h2_0, self.h2_1 = self.h2[0], self.h2[1]
        self.h2_own, self.h2_other = self.h2[::-1, 1], self.h2[:, 0]  # (3u_nj, 2u_nj + 1), (2u_ni + 1, 3u_ni)
        self.s2e = e((2, n, n, n))
        self.t2e = e((2, n, n, n))
        self.pm = e((2, 2, n, n))
        self.c0 = e((2, n, n))
        self.bb = e((2, n, n, n))
        self.vv = e((2, n + 1, n, n))  # [sign, 0: C₀ then the third parties n, i, j]
        self.cc = e((2, n, n))
        self.tot2 = e((2, n, n))
        self.tot2_0 = self.tot2[0]
        self.pq = e((2, n, n))
        self.pq2 = e((2, n, n))
        self.gain = e((n, n))
        self.tmp_nn = e((n, n))
        # views made once
        self.u0_a, self.u0_b = self.u0[:, :, None], self.u0[:, None, :]
        self.v3_0 = self.v3[0]
        self.cT = self.c.T
        self.p_diag = self.p.reshape(-1)[:: n + 1]
        self.r2_col, self.risk_row = self.r2[:, None], self.risk[None, :]
        self.d3 = self.d[:, None, :]
        self.rpT3 = self.rp.T[:, :, None]
        self.u0_3 = self.u0[:, None, :]
        self.ustar = self.unj.reshape(n * n, n)[:: n + 1]  # U*[i, j] = u_nj[i, i, j]
        self.ustarT_row = self.ustar.T[:, None, :]  # U*[i, a] at [a, ., i]
        self.uni = self.unj.reshape(n, n * n)[:, :: n + 1]  # u_ni[n, i] = u_nj[n, i, i]
        self.uni3 = self.uni[:, :, None]
        self.uniT = self.uni.T
        self.pm_0, self.pm_1 = self.pm[0], self.pm[1]
        # flat indices into bb (sign, n, i, j) of the principals' rows: [principal, sign, i, j]
        ii, jj = np.meshgrid(self.idx, self.idx, indexing="ij")
        sgn = np.arange(2)[:, None, None] * n**3
        self.pm_index = np.stack([sgn + (ii * n + ii) * n + jj, sgn + (jj * n + ii) * n + jj])
        self.bb_0, self.bb_1 = self.bb[0], self.bb[1]
        self.c0_3 = self.c0[:, None]
        self.vv_0, self.vv_1, self.vv_c0 = self.vv[0, 1:], self.vv[1, 1:], self.vv[:, 0]
        self.cc_0, self.cc_1 = self.cc[0], self.cc[1]
        self.pq_0, self.pq_1 = self.pq[0], self.pq[1]
        self.pq2_0, self.pq2_1 = self.pq2[0], self.pq2[1]
        self.gain_flat = self.gain.reshape(-1)
        self.gain_diag = self.gain_flat[:: n + 1]
        self.pq_0_flat = self.pq_0.reshape(-1)
        self.row_off = self.idx * n
        self.pair_all = np.concatenate((self.idx, self.idx))
        self.pair_rcvr = self.pair_all[n:]
        self._slot_index: dict[int, tuple[np.ndarray, ...]] = {}

    # ------------------------------------------------------------------ assessment
    def assess(self, x: np.ndarray) -> None:
        """Assess the state ``x`` ``(N, D)``: distances, risk attitudes, their estimates, u_nj, U*."""
        sub, mul, div = np.subtract, np.multiply, np.divide
        dims = self.dims
        # broadcast operands are first copied to full size: a copy and a contiguous ufunc call cost
        # less than one ufunc call on broadcast operands (the same operations on the same values)
        xT = x.T
        ta, tmp = self.tmp_a, self.tmp_d
        ta[...] = xT[:, :, None]
        tmp[...] = xT[:, None, :]
        sub(ta, tmp, tmp)
        mul(tmp, self.salT_full, tmp)
        mul(tmp, tmp, tmp)
        d = self.d
        if dims <= 4:  # _sum0 inline
            if dims > 1:
                np.add(tmp[0], tmp[1], d)
                for k in range(2, dims):
                    np.add(d, tmp[k], d)
            else:
                d[...] = tmp[0]
        else:
            np.add.reduce(tmp, 0, out=d)
        div(d, self.den_full, d)
        np.sqrt(d, d)
        if self.bad_rows is not None:
            d[self.bad_rows] = 0.0
        sub(_1, d, self.u0)
        # risk-neutral election over every position: coalitions, victory, conditional PCE
        s1, v3 = self.s1, self.v3
        s1[...] = self.u0_a
        v3[...] = self.u0_b
        sub(s1, v3, v3)
        mul(v3, self.cap_full, v3)
        np.maximum(v3, _0, out=v3)
        np.add(self.v3_0, _E8, self.v3_0)
        c = np.add.reduce(v3, 0, out=self.c)
        cs = self.cs
        cs[...] = self.cT  # a copy and a contiguous add cost less than an add of a transposed view
        np.add(c, cs, cs)
        p = div(c, self.cs, self.p)
        self.p_diag.fill(0.5)
        q = np.multiply.reduce(p, -1, out=self.q)
        p0 = div(q, np.add.reduce(q), self.p0)
        risk = self.risk
        if self.opt.risk_range == "mid":
            # Python's max/min of the list (p0 is either NaN-free or all NaN, as q ≥ 0 is finite)
            lst = p0.tolist()
            pmax, pmin = max(lst), min(lst)
            spread = pmax - pmin
            if spread > 0:
                mul(p0, _3, risk)
                k_sub, k_div = self.k_sub, self.k_div  # 0-d operands (a Python float is converted per call)
                k_sub[()] = pmax + 2.0 * pmin
                k_div[()] = 2.0 * spread
                sub(risk, k_sub, risk)
                div(risk, k_div, risk)
            else:
                risk.fill(0.0)
        else:
            risk[...] = risk_attitudes(p0[None], self.opt.risk_range)[0]
        if self.opt.risk_adjust == "one_third":
            mul(risk, _2, self.r2)
            rp, s2 = self.rp, self.s_nn
            s2[...] = self.r2_col
            rp[...] = self.risk_row
            np.add(s2, rp, rp)
            div(rp, _3, rp)
        else:
            self.rp[...] = perceived_risk(risk[None], self.opt.risk_adjust)[0]
        # u_nj = A[i, n, j] = (1 − d_nj)(1 + d_nj r_in) at [n, i, j]; U* and u_ni are views of it
        unj = self.unj
        s1[...] = self.d3
        unj[...] = self.rpT3
        mul(s1, unj, unj)
        np.add(unj, _1, unj)
        s1[...] = self.u0_3
        mul(unj, s1, unj)

    # ------------------------------------------------------------------ challenges
    def challenges(self) -> tuple[np.ndarray, np.ndarray]:
        """P_i(i>j) and G_i(i→j), as :func:`challenges_all` (the diagonal of the gain is −inf)."""
        sub, mul, add, mx = np.subtract, np.multiply, np.add, np.maximum
        unj, us = self.unj, self.ustar
        # every actor's own small conflict b_n = w_n (u_ni − u_nj), then (max(b, 0), max(−b, 0)); the
        # principals' votes are its rows n = i (a_i = w_i (1 − U*_ij)) and n = j (a_j = w_j (u_ji − 1)),
        # the same operations on the same values, as u_ii = u_jj = 1 exactly
        bb, bb0, bb1 = self.bb, self.bb_0, self.bb_1
        uf = self.uni_full
        uf[...] = self.uni3  # u_ni at [n, i, j] for every j
        sub(uf, unj, bb1)
        mul(bb1, self.w3_full, bb1)  # b_n
        mx(bb1, _0, out=bb0)
        sub(bb0, bb1, bb1)
        # (principal i, j) x (max(a, 0), max(−a, 0)); the indices are in range, and mode="clip" writes
        # to ``out`` directly (the default mode buffers it)
        pm = bb.take(self.pm_index, out=self.pm, mode="clip")
        c0 = add(_E10, self.pm_0, self.c0)  # (C⁺₀, C⁻₀)
        add(c0, self.pm_1, c0)
        del pm
        c4 = self.c4
        c4[...] = self.c0_3
        add(bb, c4, bb)
        add(bb1, bb0, bb1)
        pi = np.divide(bb0, bb1, bb0)
        pib = sub(_1, pi, bb1)
        # E_i = 3u_nj (1 − π) + π (2u_ni + u_nn), E_j = π 3u_ni + (2u_nj + u_jj)(1 − π), u_nn = u_jj = 1,
        # both at once on the stacked (u_ni, u_nj) (the same operations as one by one)
        u2, h2_0 = self.u2, self.h2_0
        add(u2, u2, h2_0)  # (2u_ni, 2u_nj)
        add(h2_0, u2, self.h2_1)  # (3u_ni, 3u_nj)
        add(h2_0, _1, h2_0)  # (2u_ni + 1, 2u_nj + 1)
        e2 = mul(self.h2_own, pib, self.s2e)  # (3u_nj (1 − π), (2u_nj + 1)(1 − π))
        add(e2, mul(self.h2_other, pi, self.t2e), e2)  # (E_i, E_j)
        vv, vv0, vv1 = self.vv, self.vv_0, self.vv_1
        sub(e2[0], e2[1], vv1)
        mul(vv1, self.wn_third, vv1)  # v_n, 0 for the principals
        mx(vv1, _0, out=vv0)
        sub(vv0, vv1, vv1)
        self.vv_c0[...] = c0  # the sums start with (C⁺₀ + v_0⁺, C⁻₀ + v_0⁻), then add v_1, ... in order
        np.add.reduce(vv, 1, out=self.cc)  # (C⁺, C⁻)
        tot = self.tot2
        add(self.cc_0, self.cc_1, self.tot2_0)
        tot[1] = self.tot2_0
        np.divide(self.cc, tot, self.pq)  # (P, Q)
        p = self.pq_0
        pq2 = mul(self.pq, _2, self.pq2)
        mul(self.pq2_1, us, self.pq2_1)
        g = add(self.pq2_0, self.pq2_1, self.gain)
        mul(g, self.s_full, g)
        add(g, self.g1_full, g)
        sub(g, add(us, _1, self.tmp_nn), g)  # − (u_ii + u_ij)
        self.gain_diag.fill(-np.inf)
        del pq2
        return p, g

    # ------------------------------------------------------------------ one turn
    def turn(self, x: np.ndarray, out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """New positions (in ``out`` if given) and targets (−1: none) from the assessed state ``x``, as
        ``smp._turn``."""
        sub, mul, add, div = np.subtract, np.multiply, np.add, np.divide
        n, dims = self.n, self.dims
        gain = self.challenges()[1]
        best = gain.argmax(axis=-1)
        # (gathers through flat indices and take: multi-axis fancy indexing costs several times more)
        best_flat = add(self.row_off, best)  # [i, best_i] in the flattened (n, n) arrays
        has = np.greater(self.gain_flat.take(best_flat), _E5)
        init = has.nonzero()[0]
        n_slot = len(init)
        if n_slot == n:  # every actor challenges (the usual case)
            target = best
            pair = self.pair_all  # (0, 1, .., n − 1, then the targets)
            self.pair_rcvr[...] = best
        elif n_slot == 0:
            if out is None:
                return x.copy(), np.full(n, -1)
            out[...] = x
            return out, np.full(n, -1)
        else:
            target = np.where(has, best, _M1)
            rcvr = best.take(init)
            best_flat = best_flat.take(init)
            pair = np.concatenate((init, rcvr))
        (
            m_arr,
            s2p1,
            rows,
            row_m,
            zrow0,
            tmp,
            tb,
            um,
            um_i,
            um_j,
            vc,
            vb,
            sal_f,
            den_f,
            cap_f,
            pp,
            pp_0,
            pp_1,
            z,
            z_x,
            zy,
            y,
            terms,
            terms_rows,
            t0,
            values,
            values_a,
            values_b,
            c,
            c_t,
            pv,
            pv_diag,
            pv_b,
            off_diag_b,
            factors,
            zrow,
            zrow_flat,
            acc,
            den2,
            den2_0,
            tot_full,
            pp_d,
        ) = self._slot_ready.get(n_slot) or self._slots(n_slot)
        # bargains (S2P2 or S1P1), initiator order: y[0] the initiator's offers, y[1] the target's
        self.pq_0_flat.take(best_flat, out=pp_0, mode="clip")  # P_i(i > j)
        sub(_1, pp_0, pp_1)
        xx = x.take(pair, 0).reshape(2, n_slot, dims)
        if self.opt.intervec == "s2p2":
            mul(pp, pp, pp)
        wgt = self.sal2.take(pair, 0).reshape(2, n_slot, dims)  # (W_i, W_j)
        if dims > 1:  # a contiguous copy of the weights first (a broadcast operand costs more)
            pp_d[...] = pp
            mul(wgt, pp_d, wgt)
        else:
            mul(wgt, pp, wgt)
        # y_i = ((W_i + 1e-6) x_i + W_j x_j) / den, y_j = (W_i x_i + (W_j + 1e-6) x_j) / den with
        # den = W_i + 1e-6 + W_j; KTAB adds 0 to the other weight, which can only change the sign of
        # a zero sum, and that the rounding below removes (−0 + 0.5 = 0.5)
        we = add(wgt, _E6)  # (W_i + 1e-6, W_j + 1e-6)
        add(we[0], wgt[1], den2_0)  # den, written twice: a contiguous divisor for both offers
        den2[1] = den2_0
        mul(we, xx, we)
        mul(wgt, xx, wgt)
        # z: the current positions, then the offers (rows n.. : the initiators', then the targets')
        z_x[...] = x
        add(we, wgt[::-1], y)  # y_i = (W_i + 1e-6) x_i + W_j x_j, y_j = (W_j + 1e-6) x_j + W_i x_i
        div(y, den2, y)
        mul(zy, _E4, zy)
        add(zy, _HALF, zy)
        np.floor(zy, zy)
        div(zy, _E4, zy)
        # utility to every actor i of every offer o, at [o, i] (offer-major: the two offers of a slot
        # and the slot's row of the terms below are then contiguous)
        tmp[...] = x.T[:, None, :]  # x_ik at [k, o, i]
        tb[...] = zy.T[:, :, None]
        sub(tmp, tb, tmp)
        mul(tmp, sal_f, tmp)
        mul(tmp, tmp, tmp)
        if dims <= 4:  # _sum0 inline
            dm = add(tmp[0], tmp[1]) if dims > 1 else tmp[0].copy()
            for k in range(2, dims):
                add(dm, tmp[k], dm)
        else:
            dm = np.add.reduce(tmp, 0)
        div(dm, den_f, dm)
        np.sqrt(dm, dm)
        if self.bad_rows is not None:
            dm[:, self.bad_rows] = 0.0
        um[...] = self.risk_row
        mul(dm, um, um)
        add(um, _1, um)
        sub(_1, dm, dm)
        mul(um, dm, um)
        # terms[a, o, i]: utility to i of actor a's position under option o (o = 0: no change); the
        # moved positions count 0 in the sum over a, their utilities are added to a = 0's term
        slot_rows = add(mul(pair, m_arr), s2p1)  # rows [a, o] of the moved positions (and of zrow)
        terms[...] = self.ustarT_row
        terms_rows[slot_rows] = 0.0
        add(t0, add(um_i, um_j), t0)
        np.add.reduce(terms, 0, out=values)  # over a in order: values at [o, i]
        div(values, self.n_f, values)
        # coalitions and victory probabilities among the options, then one election per queue
        vc[...] = values_a
        vb[...] = values_b
        sub(vc, vb, vc)
        mul(vc, cap_f, vc)
        np.maximum(vc, _0, out=vc)
        v0 = vc[0]
        add(v0, _E8, v0)
        np.add.reduce(vc, 0, out=c)
        pv[...] = c_t
        add(c, pv, pv)
        div(c, pv, pv)
        pv_diag.fill(0.5)
        # row of z holding actor i's position under option o, −1 where i is not in o's queue
        zrow[...] = zrow0
        zrow_flat[slot_rows] = rows
        member = np.greater_equal(zrow, _I0)
        # q[i, o] = Π_b∈queue(i) pv[o, b], 0 for o outside the queue (the factor off_diag[o, o] = 0),
        # where it then never wins: the status quo is in every queue. The factors at [b, i, o]: a
        # product over the outer axis b runs in order, as NumPy's over an inner axis does for products
        factors[...] = off_diag_b
        np.copyto(factors, pv_b, where=member.T[:, :, None])
        q = np.multiply.reduce(factors, 0)
        if n_slot <= 6 or max(np.bincount(pair).tolist()) < 7:  # queue length: 1 + count in pair
            # a queue's sum over ≤ 7 options is sequential, so zeros between them change nothing
            tot = np.add.accumulate(q, -1, out=acc)[:, -1:]
        else:
            q_len = member.sum(axis=-1)
            qidx = np.argsort(~member, axis=-1, kind="stable")[:, : int(q_len.max())]
            q_ok = np.arange(qidx.shape[1]) < q_len[:, None]
            tot = np.where(q_ok, q[self.idx[:, None], qidx], 0.0).sum(axis=-1, keepdims=True)
        # q ≥ 0, so tot is 0 only where the whole row is: any positive divisor then gives win = 0
        tot_full[...] = tot  # a contiguous divisor (a broadcast one costs more than the copy)
        np.maximum(tot_full, _TINY, out=tot_full)
        win = div(q, tot_full, q).argmax(axis=-1)
        return z.take(zrow_flat.take(add(row_m, win)), 0, out=out, mode="clip"), target

    def _slots(self, n_slot: int) -> tuple[np.ndarray, ...]:
        """Index arrays, buffers and views of a turn with ``n_slot`` initiators, and this run's constants.

        The index arrays and buffers depend on the buffers' size only (cached with them); the constant
        operands at the turn's size are written once per run and slot count."""
        ix = self._slot_index.get(n_slot)
        n, dims, m, m2 = self.n, self.dims, 1 + n_slot, 2 * n_slot
        if ix is None:
            s_idx = np.arange(n_slot)
            zrow0 = np.full((n, m), -1, dtype=np.intp)
            zrow0[:, 0] = self.idx
            zrow = np.empty((n, m), dtype=np.intp)
            den2 = np.empty((2, n_slot, dims))
            um = np.empty((m2, n))
            vc = np.empty((n, m, m))
            pp = np.empty((2, n_slot, 1))
            z = np.empty((n + m2, dims))
            zy = z[n:]
            terms = np.empty((n, m, n))
            values = np.empty((m, n))
            c = np.empty((m, m))
            pv = np.empty((m, m))
            ix = (
                np.array(m, dtype=np.intp),
                np.concatenate((s_idx, s_idx)) + 1,
                n + np.arange(m2),
                self.idx * m,
                zrow0,
                np.empty((dims, m2, n)),
                np.empty((dims, m2, n)),
                um,
                um[:n_slot],
                um[n_slot:],
                vc,
                np.empty((n, m, m)),
                np.empty((dims, m2, n)),  # s_ik at [k, o, i]
                np.empty((m2, n)),  # Σ_k s_ik² at [o, i]
                np.empty((n, m, m)),  # c_v at [v, a, b]
                pp,
                pp[0, :, 0],
                pp[1, :, 0],
                z,
                z[:n],
                zy,
                zy.reshape(2, n_slot, dims),
                terms,
                terms.reshape(n * m, n),
                terms[0, 1:],
                values,
                values.T[:, :, None],
                values.T[:, None, :],
                c,
                c.T,
                pv,
                pv.reshape(-1)[:: m + 1],
                pv.T[:, None, :],  # pv[o, b] at [b, ., o]
                (1.0 - np.eye(m))[:, None, :],  # symmetric
                np.empty((m, n, m)),
                zrow,
                zrow.reshape(-1),
                np.empty((n, m)),
                den2,
                den2[0],
                np.empty((n, m)),
                np.empty((2, n_slot, dims)),
            )
            self._slot_index[n_slot] = ix
        sal_f, den_f, cap_f = ix[12:15]  # (the order of the tuple above)
        sal_f[...] = self.salT3.reshape(dims, 1, n)
        den_f[...] = self.den_col.reshape(1, n)
        cap_f[...] = self.cap3
        self._slot_ready[n_slot] = ix
        return ix
