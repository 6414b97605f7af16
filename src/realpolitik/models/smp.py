"""KTAB's spatial model of politics (SMP), vectorised over a batch of problems.

A faithful re-implementation of the SMP of KAPSARC's KTAB (defaults of its ``smpc`` program) from the
specification; documented in ``docs/models/smp.md``. One turn: every actor picks the challenge with the
best expected gain from its own perspective, each challenge becomes an interpolated bargain, and every
actor adopts the position of the bargain (or status quo) that wins a probabilistic Condorcet election
among the options in its queue. Risk attitudes are re-derived in every state.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from realpolitik._rng import as_generator
from realpolitik.models import smp_kernels as k
from realpolitik.models import smp_native
from realpolitik.models.problem import BargainingProblem, Trajectory
from realpolitik.models.registry import ModelInfo, register

__all__ = ["INFO_SMP", "params_from_ktab", "run_smp", "smp_extras_to_json", "state_probabilities"]


#: KTAB's ModelParameters (names and values as in its XML) to this model's parameters
KTAB_PARAMETERS: dict[str, tuple[str, dict[str, str]]] = {
    "VictoryProbModel": (
        "victory_prob",
        {"Linear": "linear", "Square": "square", "Quartic": "quartic", "Octic": "octic", "Binary": "binary"},
    ),
    "PCEModel": (
        "pce",
        {
            "Conditional": "conditional",
            "MarkovUniform": "markov_uniform",
            "MarkovIncentive": "markov_incentive",
        },
    ),
    "StateTransitions": ("transition", {"Deterministic": "deterministic", "Stochastic": "stochastic"}),
    "VotingRule": (
        "voting_rule",
        {
            "Prop": "prop",
            "Binary": "binary",
            "PropBin": "prop_bin",
            "PropCbc": "prop_cbc",
            "Cubic": "cubic",
            "ASymProsp": "asym_prosp",
        },
    ),
    "BigRAdjust": (
        "risk_adjust",
        {"None": "none", "OneThird": "one_third", "Half": "half", "TwoThirds": "two_thirds", "Full": "full"},
    ),
    "BigRRange": ("risk_range", {"Min": "min", "Mid": "mid", "Max": "max"}),
    "ThirdPartyCommit": ("third_party", {"SemiCommit": "semi", "FullCommit": "full", "NoCommit": "none"}),
    "InterVecBrgn": ("intervec", {"S2P2": "s2p2", "S1P1": "s1p1", "S2PMax": "s2pmax"}),
    "BargnModel": (
        "bargain_model",
        {"InitOnlyInterp": "init_only", "InitRcvrInterp": "init_rcvr", "PWCompInterp": "pw_comp"},
    ),
}


def params_from_ktab(ktab: dict[str, str]) -> dict[str, str]:
    """This model's parameters from KTAB ``ModelParameters`` (e.g. ``{"VotingRule": "PropCbc"}``)."""
    out: dict[str, str] = {}
    for key, value in ktab.items():
        if key not in KTAB_PARAMETERS:
            raise ValueError(f"unknown KTAB model parameter {key!r}")
        name, values = KTAB_PARAMETERS[key]
        if value not in values:
            raise ValueError(f"KTAB parameter {key} must be one of {', '.join(values)}, got {value!r}")
        out[name] = values[value]
    return out


# --------------------------------------------------------------------------- inputs
def _prepare(problem: BargainingProblem, salience_norm: str) -> tuple[np.ndarray, ...]:
    """Flattened (B, ...) arrays on the 0–1 scale: positions, saliences, capabilities, lo, width.

    ``problem`` must be broadcast (:meth:`BargainingProblem.broadcast`) or unbatched.
    """
    p = problem
    n, d = p.n_actors, p.n_issues
    lo = p.bounds[:, 0]
    width = p.bounds[:, 1] - lo
    width = np.where(width > 0, width, 1.0)
    pos = p.position.reshape(-1, n, d)
    sal = np.maximum(_finite(p.salience.reshape(-1, n, d)), 0.0)
    cap = np.maximum(_finite(p.actor_power().reshape(-1, n)), 0.0)  # one capability per actor (KTAB)
    sq = p.status_quo.reshape(-1, 1, d)
    if p.present is not None:
        sal = np.where(p.present, sal, 0.0)
        pos = np.where(p.present, pos, np.where(np.isnan(sq), lo, sq))
    nan = np.isnan(pos)
    if nan.any():
        pos = np.where(nan, lo + width / 2.0, pos)
    x = ((pos - lo) / width).clip(0.0, 1.0)  # (np.clip, without its wrapper)
    tot = np.add.reduce(sal, axis=-1, keepdims=True)
    if salience_norm == "always":
        sal = sal / np.where(tot > 0, tot, 1.0)
    elif salience_norm == "over_one":
        sal = sal / np.where(tot > 1.0, tot, 1.0)
    else:
        raise ValueError(f"unknown salience_norm {salience_norm!r}")
    return x, sal, cap, lo, width


def _finite(a: np.ndarray) -> np.ndarray:
    """``np.nan_to_num(a)`` (a copy is not needed: callers make new arrays)."""
    return a if np.isfinite(a).all() else np.nan_to_num(a)


def _accommodation(value: Any, n: int) -> np.ndarray | None:
    """The ideal-accommodation matrix (None for the identity)."""
    if value is None:
        return None
    a = np.asarray(value, dtype=float)
    if a.ndim == 0:
        a = float(a) * np.eye(n)
    if a.shape[-2:] != (n, n):
        raise ValueError(f"ideal_accommodation must be a scalar or an ({n}, {n}) matrix, got {a.shape}")
    if (a < 0).any() or (a > 1).any() or (a.sum(axis=-1) > 1 + 1e-10).any():
        raise ValueError("ideal_accommodation entries must be in [0, 1] with row sums at most 1")
    if a.ndim == 2 and np.array_equal(a, np.eye(n)):
        return None
    return a


# --------------------------------------------------------------------------- reporting
def state_probabilities(
    x: np.ndarray, ustar: np.ndarray, cap: np.ndarray, opt: k.Options, tol: float = 1e-3
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """KTAB's reported probabilities of a state ``(B, N, D)``.

    Positions closer than ``tol`` (plain Euclidean, 0–1 scale) are equivalent; representatives are
    chosen greedily in actor order; a PCE over the representatives (weights c, utilities U*) gives
    class probabilities. Returns ``(per_actor_p, class_p, class_of)``: the probability of the position
    each actor holds (from the *last* equivalent representative), the probability of each
    representative (0 for non-representatives) and the representative each actor was grouped into.
    """
    bsz, n, _ = x.shape
    xt = np.ascontiguousarray(x.transpose(2, 0, 1))  # (D, B, N); C order keeps the sum below outer
    t = xt[:, :, :, None] - xt[:, :, None, :]
    t *= t
    sq = np.add.reduce(t, axis=0)  # over dimensions in order
    eq = np.sqrt(sq, out=sq) < tol
    cand = eq & _earlier(n)  # cand[b, j, i]: j earlier than i and equivalent
    rep = np.ones((bsz, n), dtype=bool)
    for _ in range(n + 1):  # fixed point of "no earlier representative is equivalent"
        new = ~np.logical_or.reduce(cand & rep[:, :, None], axis=1)
        if (new == rep).all():
            break
        rep = new
    if opt.voting_rule == "prop" and opt.victory_prob == "linear" and n * n * n * bsz <= k.CHALLENGE_CHUNK:
        # k.coalitions (in one chunk) and k.victory, the same operations with fewer calls
        b = np.subtract(ustar[:, :, :, None], ustar[:, :, None, :])
        b *= cap[:, :, None, None]
        np.maximum(b, k._0, out=b)
        b[:, 0] += k._E8
        c = np.add.reduce(b, axis=1)
        pv = np.add(c, np.swapaxes(c, -1, -2))
        np.divide(c, pv, out=pv)
        pv.reshape(bsz, n * n)[:, :: n + 1] = 0.5
    else:
        c = k.coalitions(ustar, cap, opt.voting_rule)
        pv = k.victory(c, opt.victory_prob)
    if opt.pce == "conditional":  # k.pce's operations, without its general broadcasting
        q = np.where(rep, np.multiply.reduce(np.where(rep[:, None, :], pv, k._1), axis=-1), k._0)
        tot = np.add.reduce(q, axis=-1, keepdims=True)
        # q ≥ 0, so tot is 0 only where the whole row is: any positive divisor then gives 0
        p_class = q / np.maximum(tot, k._TINY)
    else:
        p_class = k.pce(c, pv, rep, opt.pce)
    eqrep = eq & rep[:, None, :]
    if np.logical_or.reduce(eqrep, axis=-1).all():
        # the usual case (a representative is its own, any other actor has an earlier equivalent
        # one; only NaN positions break this): the first and last true entries are argmaxes
        first = eqrep.argmax(axis=-1)
        last = (n - 1) - eqrep[:, :, ::-1].argmax(axis=-1)
    else:
        idx = np.arange(n)
        last = np.where(eqrep, idx, -1).max(axis=-1)
        first = np.where(eqrep, idx, n).min(axis=-1)
    per_actor = p_class[np.arange(bsz)[:, None], last]
    return per_actor, p_class, first


_EARLIER: dict[int, np.ndarray] = {}


def _earlier(n: int) -> np.ndarray:
    """``earlier[j, i] = j < i`` (cached, read-only)."""
    e = _EARLIER.get(n)
    if e is None:
        e = np.tri(n, n, -1, dtype=bool).T
        e.flags.writeable = False
        _EARLIER[n] = e
    return e


# --------------------------------------------------------------------------- one turn
def _turn(
    x: np.ndarray,
    ideal: np.ndarray,
    sal: np.ndarray,
    cap: np.ndarray,
    w: np.ndarray,
    s_tot: np.ndarray,
    asm: k.Assessment,
    opt: k.Options,
    rng: np.random.Generator | None,
    den: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """New positions ``(B, N, D)`` and the chosen targets ``(B, N)`` (−1: no challenge)."""
    bsz, n, dims = x.shape
    bi = np.arange(bsz)[:, None]
    idx = np.arange(n)
    prob, gain = k.challenges_all(asm, w, s_tot, opt)
    best = gain.argmax(axis=-1)  # first maximum: exact ties go to the lowest index
    has = gain[bi, idx, best] > 1e-5
    target = np.where(has, best, -1)
    if not has.any():
        return x.copy(), target
    tgt = np.where(has, best, idx[None, :])  # self as a harmless placeholder
    p_i = prob[bi, idx, tgt]
    x_j = x[bi, tgt]
    s_j = sal[bi, tgt]
    y_i, y_j = k.interpolate(x, x_j, sal, s_j, p_i, opt.intervec)
    init = np.broadcast_to(idx, (bsz, n))
    rcvr, valid = tgt, has
    if opt.bargain_model != "init_only":
        g_j = k.challenge_gain_from(asm, w, s_tot, init, tgt, opt)
        z_i, z_j = k.interpolate(x, x_j, sal, s_j, g_j, opt.intervec)
        if opt.bargain_model == "init_rcvr":
            # two bargains per challenge, B_I first: slots (i, I), (i, J) in initiator order
            y_i = np.stack([y_i, z_i], axis=2).reshape(bsz, 2 * n, dims)
            y_j = np.stack([y_j, z_j], axis=2).reshape(bsz, 2 * n, dims)
            init = np.repeat(init, 2, axis=1)
            rcvr = np.repeat(tgt, 2, axis=1)
            valid = np.repeat(has, 2, axis=1)
        else:  # pw_comp: power-weighted compromise with the initiator's capability in both weights
            om_i = (cap * s_tot)[..., None]
            om_j = (cap * s_tot[bi, tgt])[..., None]
            y_i = (om_i * y_i + om_j * z_i) / (om_i + om_j)
            y_j = (om_i * y_j + om_j * z_j) / (om_i + om_j)

    # keep the valid bargains only, in initiator order (padded to the batch's largest count)
    if valid.all():
        n_slot = valid.shape[1]
        slot_ok = valid
    else:
        n_valid = valid.sum(axis=1)
        n_slot = int(n_valid.max())
        sel = np.argsort(~valid, axis=1, kind="stable")[:, :n_slot]
        slot_ok = np.arange(n_slot)[None, :] < n_valid[:, None]
        init, rcvr = init[bi, sel], rcvr[bi, sel]
        y_i, y_j = y_i[bi, sel], y_j[bi, sel]

    # value of every option (SQ + bargains) to every actor: mean utility of the whole state
    ustar = asm.ustar
    risk = asm.risk[:, :, None]
    u_moved = k.utility(k.distances(ideal, np.concatenate([y_i, y_j], axis=1), sal, den), risk)
    start_val = u_moved[:, :, :n_slot] + u_moved[:, :, n_slot:]  # init first, then rcvr
    values = np.empty((bsz, n, 1 + n_slot))
    values[:, :, 0] = np.cumsum(ustar, axis=-1)[..., -1] / n  # left to right over m
    chunk = max(1, min(n_slot, k.CHALLENGE_CHUNK // max(1, bsz * n * n)))
    buf = np.empty((bsz, n, n, chunk))
    ut = np.swapaxes(ustar, 1, 2)[:, :, :, None]  # (B, m, n, 1) = U*[n, m]
    for s0 in range(0, n_slot, chunk):
        cs = min(chunk, n_slot - s0)
        terms = buf[..., :cs]
        terms[...] = ut
        si = np.arange(cs)[None, :]
        terms[bi, init[:, s0 : s0 + cs], :, si] = 0.0  # the moved positions are not "unchanged"
        terms[bi, rcvr[:, s0 : s0 + cs], :, si] = 0.0
        terms[:, 0] += start_val[:, :, s0 : s0 + cs]
        np.add.reduce(terms, axis=1, out=values[:, :, 1 + s0 : 1 + s0 + cs])
    values[:, :, 1:] /= n

    # one election per queue; pairwise strengths do not depend on the queue
    c = k.coalitions(values, cap, opt.voting_rule)
    pv = k.victory(c, opt.victory_prob)
    member = slot_ok[:, None, :] & (
        (init[:, None, :] == idx[None, :, None]) | (rcvr[:, None, :] == idx[None, :, None])
    )
    mask = np.concatenate([np.ones((bsz, n, 1), dtype=bool), member], axis=-1)  # (B, k, option)
    # each queue as a short list of option indices in canonical order (SQ, then by initiator)
    q_len = mask.sum(axis=-1)
    q_max = int(q_len.max())
    qidx = np.argsort(~mask, axis=-1, kind="stable")[..., :q_max]  # (B, k, Q)
    q_ok = np.arange(q_max) < q_len[..., None]
    b3 = np.arange(bsz)[:, None, None, None]
    c_q = c[b3, qidx[..., :, None], qidx[..., None, :]]  # (B, k, Q, Q)
    p_q = pv[b3, qidx[..., :, None], qidx[..., None, :]]
    pq = k.pce(c_q, p_q, q_ok, opt.pce)
    if opt.transition == "deterministic":
        pick = np.where(q_ok, pq, -1.0).argmax(axis=-1)
    else:
        assert rng is not None
        u = rng.random((bsz, n))
        cum = np.cumsum(np.where(q_ok, pq, 0.0), axis=-1)
        hit = q_ok & (u[..., None] <= cum)
        pick = np.where(hit.any(axis=-1), hit.argmax(axis=-1), q_len - 1)
    win = qidx[bi, idx[None, :], pick]
    slot = np.maximum(win - 1, 0)
    from_init = init[bi, slot] == idx[None]
    offer = np.where(from_init[..., None], y_i[bi, slot], y_j[bi, slot])
    new_x = np.where((win > 0)[..., None], offer, x)
    return new_x, target


# --------------------------------------------------------------------------- the run
def run_smp(
    problem: BargainingProblem, *, rng: np.random.Generator | None = None, **params: Any
) -> Trajectory:
    """Run KTAB's SMP on one problem or a batch (see ``docs/models/smp.md`` for the parameters)."""
    prm = INFO_SMP.check_params(params)
    opt = k.Options(
        voting_rule=prm["voting_rule"],
        victory_prob=prm["victory_prob"],
        pce=prm["pce"],
        risk_adjust=prm["risk_adjust"],
        risk_range=prm["risk_range"],
        third_party=prm["third_party"],
        intervec=prm["intervec"],
        bargain_model=prm["bargain_model"],
        transition=prm["transition"],
    )
    max_steps = int(prm["max_steps"])
    stop_tol = float(prm["stop_tolerance"])
    pos_tol = float(prm["position_tolerance"])
    if max_steps < 1:
        raise ValueError("max_steps must be at least 1")
    gen = as_generator(rng) if opt.transition == "stochastic" else None

    n, dims = problem.n_actors, problem.n_issues
    acc = _accommodation(prm["ideal_accommodation"], n)
    single = problem.unbatched
    if single and acc is None and k.small_path_applies(opt, n):
        return _run_single(problem, prm["salience_norm"], opt, max_steps, stop_tol, pos_tol)
    p = problem if single else problem.broadcast()
    batch = p.batch_shape_all
    x, sal, cap, lo, width = _prepare(p, prm["salience_norm"])
    bsz = x.shape[0]
    s_tot = sal.sum(axis=-1)
    w = cap * s_tot

    den = k.salience_norm2(sal)
    asm = k.assess(x, x, sal, cap, opt, den)
    history = [x.copy()]
    risk_hist = [asm.risk]
    ratios: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    # reported probabilities are computed in batches of pending states (they never feed back)
    rep = _Reporter(bsz, n, cap, opt, pos_tol)
    rep.add(0, np.arange(bsz), x, asm.ustar)
    active = np.ones(bsz, dtype=bool)
    by_rule = np.zeros(bsz, dtype=bool)  # stopped by the 2%-of-first-step rule (converged)
    steps = np.zeros(bsz, dtype=int)
    base = np.zeros(bsz)
    cur_x, cur_ideal = x.copy(), x.copy()
    for t in range(1, max_steps + 1):
        act = np.flatnonzero(active)
        everyone = len(act) == bsz
        if everyone:
            sub, xa, ia, sa, ca, wa, sta = asm, cur_x, cur_ideal, sal, cap, w, s_tot
        else:
            sub = k.Assessment(asm.d[act], asm.risk[act], asm.rperc[act], asm.ustar[act])
            xa, ia, sa, ca, wa, sta = cur_x[act], cur_ideal[act], sal[act], cap[act], w[act], s_tot[act]
        new_xa, tg = _turn(xa, ia, sa, ca, wa, sta, sub, opt, gen, den[act] if not everyone else den)
        if acc is None:
            new_ideal_a = new_xa
        else:
            a_mat = acc if acc.ndim == 2 else acc.reshape(-1, n, n)[act]
            keep = 1.0 - np.minimum(1.0, a_mat.sum(axis=-1))[..., None]
            new_ideal_a = np.einsum("...ij,bjd->bid", a_mat, new_xa) + keep * ia
        new_asm = k.assess(new_ideal_a, new_xa, sa, ca, opt, den if everyone else den[act])
        diff = new_xa - xa
        step = np.sqrt((diff * diff).sum(axis=-1)).sum(axis=-1)
        if t == 1:
            base = step + 1e-4
        ratio = step / base[act]
        rep.add(t, act, new_xa, new_asm.ustar)
        # write the new state into the active members; stopped members keep their last state
        if everyone:
            cur_x, cur_ideal, asm = new_xa, new_ideal_a, new_asm
            tfull, rfull = tg, ratio
        else:
            cur_x, cur_ideal = cur_x.copy(), cur_ideal.copy()
            cur_x[act], cur_ideal[act] = new_xa, new_ideal_a
            asm = _scatter(asm, new_asm, act)
            tfull = np.full((bsz, n), -1)
            tfull[act] = tg
            rfull = np.zeros(bsz)
            rfull[act] = ratio
        history.append(cur_x)
        targets.append(tfull)
        ratios.append(rfull)
        risk_hist.append(asm.risk)
        steps[act] = t
        rule = (t >= 2) & (ratio < stop_tol)
        stop = (t >= max_steps) | rule
        by_rule[act[rule]] = True
        active[act[stop]] = False
        if not active.any():
            break

    prob_hist, class_hist, member_hist = rep.finish(steps)
    last = (np.arange(bsz), steps)
    final_p, class_p, class_of = prob_hist[last], class_hist[last], member_hist[last]
    outcome01 = np.einsum("br,brd->bd", class_p, cur_x)
    scale = lambda a: a * width + lo  # noqa: E731
    positions = scale(np.stack(history, axis=1))  # (B, T+1, N, D)
    rounds_arr = steps.reshape(batch)
    extras: dict[str, Any] = {
        "final_probabilities": final_p.reshape((*batch, n)),
        "n_states": (steps + 1).reshape(batch),
        "probability_history": prob_hist.reshape((*batch, len(history), n)),
        "fractional_change": np.stack(ratios, axis=1).reshape((*batch, len(ratios))),
        "risk_attitudes": np.stack(risk_hist, axis=1).reshape((*batch, len(risk_hist), n)),
        "targets": np.stack(targets, axis=1).reshape((*batch, len(targets), n)),
        "class_of": class_of.reshape((*batch, n)),
        "class_probabilities": class_p.reshape((*batch, n)),
        "converged": np.broadcast_to(by_rule.reshape((*batch, 1)), (*batch, dims)).copy(),
    }
    return Trajectory(
        positions=positions.reshape(batch + positions.shape[1:]),
        outcome=scale(outcome01).reshape((*batch, dims)),
        rounds=int(rounds_arr) if not batch else rounds_arr,
        extras=extras,
    )


def _run_single(
    problem: BargainingProblem,
    salience_norm: str,
    opt: k.Options,
    max_steps: int,
    stop_tol: float,
    pos_tol: float,
) -> Trajectory:
    """:func:`run_smp` for one unbatched problem with identity ideals: the states on the compiled
    kernel (``smp_native``) when it is available, else on :class:`k.SmallRun`.

    Same results, bit for bit, as the batch loop (tests compare them); the per-state Python and NumPy
    call overhead, which dominates small problems, is a fraction of the batch loop's (and in C none).
    """
    dims = problem.n_issues
    x3, sal3, cap2, lo, width = _prepare(problem, salience_norm)
    x, sal, cap = x3[0], sal3[0], cap2[0]
    # Σ_k s_ik² in order (NumPy sums fewer than 8 terms along the inner axis left to right, from the first)
    den = _add_reduce(sal * sal, -1) if dims < 8 else k.salience_norm2(sal)
    st = smp_native.small_run(x, sal, cap, den, opt, max_steps, stop_tol, pos_tol)
    if st is None:
        st = _small_loop(x, sal, cap, den, opt, max_steps, stop_tol, pos_tol)
    t = st.rounds
    outcome01 = np.einsum("br,brd->bd", st.class_p[-1:], st.positions[-1:])[0]
    extras: dict[str, Any] = {
        "final_probabilities": st.per_actor[-1].copy(),
        "n_states": np.array(t + 1),
        "probability_history": st.per_actor.copy(),
        "fractional_change": st.ratios.copy(),
        "risk_attitudes": st.risk.copy(),
        "targets": st.targets.copy(),
        "class_of": st.class_of[-1].copy(),
        "class_probabilities": st.class_p[-1].copy(),
        "converged": np.full(dims, st.by_rule),
    }
    return Trajectory(
        positions=st.positions * width + lo,
        outcome=outcome01 * width + lo,
        rounds=t,
        extras=extras,
    )


def _small_loop(
    x: np.ndarray,
    sal: np.ndarray,
    cap: np.ndarray,
    den: np.ndarray,
    opt: k.Options,
    max_steps: int,
    stop_tol: float,
    pos_tol: float,
) -> smp_native.States:
    """The states of one small run on :class:`k.SmallRun` and their reported probabilities (the
    reference of ``smp_native.small_run``, which returns the same, and the fallback without the
    compiled kernel)."""
    n, dims = x.shape
    run = k.SmallRun(sal, cap, den, opt)
    hist = np.empty((max_steps + 1, n, dims))
    ustar_h = np.empty((max_steps + 1, n, n))
    risk_h = np.empty((max_steps + 1, n))
    targets = np.empty((max_steps, n), dtype=int)
    ratios = np.empty(max_steps)
    hist[0] = x
    run.assess(x)
    ustar_h[0] = run.ustar
    risk_h[0] = run.risk
    cur = x
    base = 0.0
    t = 0
    by_rule = False
    for t in range(1, max_steps + 1):
        new_x, targets[t - 1] = run.turn(cur, hist[t])
        run.assess(new_x)
        ustar_h[t] = run.ustar
        risk_h[t] = run.risk
        diff = np.subtract(new_x, cur)
        np.multiply(diff, diff, diff)  # (a positional output costs less than out=)
        # (a sum over one issue is that issue's term)
        step = float(_add_reduce(np.sqrt(_add_reduce(diff, -1) if dims > 1 else diff.reshape(n)), -1))
        if t == 1:
            base = step + 1e-4
        ratio = step / base
        ratios[t - 1] = ratio
        cur = new_x
        if t >= 2 and ratio < stop_tol:
            by_rule = True
            break
    run.release()
    n_st = t + 1
    per_actor, class_p, class_of = state_probabilities(hist[:n_st], ustar_h[:n_st], cap[None], opt, pos_tol)
    return smp_native.States(
        positions=hist[:n_st],
        risk=risk_h[:n_st],
        targets=targets[:t],
        ratios=ratios[:t],
        rounds=t,
        by_rule=by_rule,
        per_actor=per_actor,
        class_p=class_p,
        class_of=class_of,
    )


_add_reduce = np.add.reduce  # = ndarray.sum (the same pairwise summation), without its wrapper


class _Reporter:
    """Collects states and computes their reported probabilities in batches."""

    FLUSH_ELEMENTS = 200_000

    def __init__(self, bsz: int, n: int, cap: np.ndarray, opt: k.Options, tol: float) -> None:
        self.n, self.cap, self.opt, self.tol = n, cap, opt, tol
        self.pending: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []
        self.size = 0
        self.done: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self.bsz = bsz

    def add(self, t: int, act: np.ndarray, x: np.ndarray, ustar: np.ndarray) -> None:
        self.pending.append((t, act, x, ustar))
        self.size += len(act) * self.n * self.n
        if self.size >= self.FLUSH_ELEMENTS:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        ts = np.concatenate([np.full(len(a), t) for t, a, _, _ in self.pending])
        bs = np.concatenate([a for _, a, _, _ in self.pending])
        xs = np.concatenate([x for _, _, x, _ in self.pending])
        us = np.concatenate([u for _, _, _, u in self.pending])
        per_actor, p_class, first = state_probabilities(xs, us, self.cap[bs], self.opt, self.tol)
        self.done.append((ts, bs, per_actor, p_class, first))
        self.pending, self.size = [], 0

    def finish(self, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Histories ``(B, T+1, N)``; a stopped member's last state is repeated."""
        self.flush()
        n_t = int(steps.max()) + 1
        out = [np.zeros((self.bsz, n_t, self.n)) for _ in range(2)] + [
            np.zeros((self.bsz, n_t, self.n), dtype=int)
        ]
        for ts, bs, *vals in self.done:
            for o, v in zip(out, vals, strict=True):
                o[bs, ts] = v
        tt = np.minimum(np.arange(n_t)[None, :], steps[:, None])
        bb = np.arange(self.bsz)[:, None]
        return out[0][bb, tt], out[1][bb, tt], out[2][bb, tt]


def _scatter(old: k.Assessment, new: k.Assessment, act: np.ndarray) -> k.Assessment:
    if len(act) == old.d.shape[0]:
        return new
    out = k.Assessment(old.d.copy(), old.risk.copy(), old.rperc.copy(), old.ustar.copy())
    out.d[act], out.risk[act], out.rperc[act], out.ustar[act] = new.d, new.risk, new.rperc, new.ustar
    return out


def smp_extras_to_json(extras: dict[str, Any], problem: BargainingProblem) -> dict[str, Any]:
    """JSON-ready extras of one unbatched run, keyed by actor ids."""
    actors = problem.actors
    n_states = int(extras["n_states"])
    fp = np.asarray(extras["final_probabilities"])
    cls = np.asarray(extras["class_of"])
    cp = np.asarray(extras["class_probabilities"])
    classes = [
        {
            "representative": actors[r],
            "actors": [actors[i] for i in range(len(actors)) if cls[i] == r],
            "probability": float(cp[r]),
        }
        for r in sorted(set(cls.tolist()))
    ]
    return {
        "final_probabilities": {a: float(v) for a, v in zip(actors, fp, strict=True)},
        "n_states": n_states,
        "final_classes": classes,
        "probability_history": [
            {a: float(v) for a, v in zip(actors, row, strict=True)}
            for row in np.asarray(extras["probability_history"])[:n_states]
        ],
        "fractional_change": [float(v) for v in np.asarray(extras["fractional_change"])[: n_states - 1]],
        "risk_attitudes": [
            {a: float(v) for a, v in zip(actors, row, strict=True)}
            for row in np.asarray(extras["risk_attitudes"])[:n_states]
        ],
        "targets": [
            {a: (actors[int(t)] if t >= 0 else None) for a, t in zip(actors, row, strict=True)}
            for row in np.asarray(extras["targets"])[: n_states - 1]
        ],
        "converged": {
            d: bool(v)
            for d, v in zip(problem.issues, np.asarray(extras["converged"]).reshape(-1), strict=True)
        },
    }


INFO_SMP = register(
    ModelInfo(
        name="smp",
        title="KTAB spatial model of politics",
        run=run_smp,
        stochastic=True,
        multi_issue=True,
        dynamic=True,
        params={
            "voting_rule": "prop",
            "victory_prob": "linear",
            "pce": "conditional",
            "transition": "deterministic",
            "risk_adjust": "one_third",
            "risk_range": "mid",
            "third_party": "semi",
            "intervec": "s2p2",
            "bargain_model": "init_only",
            "ideal_accommodation": None,
            "max_steps": 100,
            "stop_tolerance": 0.02,
            "position_tolerance": 1e-3,
            "salience_norm": "over_one",
        },
        choices={
            "voting_rule": k.VOTING_RULES,
            "victory_prob": k.VICTORY_MODELS,
            "pce": k.PCE_MODELS,
            "transition": k.TRANSITIONS,
            "risk_adjust": k.RISK_ADJUST,
            "risk_range": k.RISK_RANGE,
            "third_party": k.THIRD_PARTY,
            "intervec": k.INTERVEC,
            "bargain_model": k.BARGAIN_MODELS,
            "salience_norm": ("over_one", "always"),
        },
        requires=("capability",),
        per_issue_power=False,
        description=(
            "KTAB's spatial model of politics: actors challenge the target with the best expected gain, "
            "challenges become salience- and probability-weighted bargains, and each actor adopts the "
            "winner of a probabilistic Condorcet election over its queue; risk attitudes follow each "
            "state's risk-neutral election. Multi-dimensional; deterministic by default."
        ),
        reference="Wise, Lester & Efird (KAPSARC KTAB, 2015-2017); KTAB smpc defaults",
        extras_to_json=smp_extras_to_json,
    )
)
