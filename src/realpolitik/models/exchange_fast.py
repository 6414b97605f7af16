"""Vectorised float64 engine of the exchange model, batched over a leading batch axis.

Same algorithm and operation order as ``exchange_scalar`` (see ``docs/models/exchange.md``), on arrays:
one round's candidates are ``(B, E)`` arrays (E = the most candidates of any batch member, padded
with dead slots), the greedy realisation runs step by step for every member at once, and each step
re-evaluates only the candidates its realised exchange touches. Works on the internal 0..100 scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_NONE, _POS, _NEG, _MIXED = 0, 1, 2, 3


@dataclass
class FastRun:
    history: np.ndarray  # (B, R+1, A, D)
    voting: np.ndarray  # (B, R, A, D)
    outcome: np.ndarray  # (B, R+1, D)
    voting_outcome: np.ndarray  # (B, R, D)
    n_exchanges: np.ndarray  # (B, R)
    exchanges: list[list[tuple[int, int, int, int, float, float, float, float, float]]] | None
    """Member 0's realised exchanges per round (aI, aJ, p, q, start_I, voting_I, start_J, voting_J, G)."""


def _weights(x: np.ndarray, s: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    w = (s * c).sum(axis=1)  # sequential over actors (reduction along a non-contiguous axis)
    tot = ((x * s) * c).sum(axis=1)
    out = np.where(w != 0, tot / np.where(w != 0, w, 1.0), 0.0)
    return w, out


def _template(n_actors: int, n_issues: int) -> tuple[np.ndarray, ...]:
    """Every candidate slot in creation order: issue pairs, then block A×D before B×C, then i, j."""
    pairs = [(p, q) for p in range(n_issues) for q in range(p + 1, n_issues)]
    grid_i, grid_j = np.meshgrid(np.arange(n_actors), np.arange(n_actors), indexing="ij")
    ii: np.ndarray = grid_i.ravel()
    jj: np.ndarray = grid_j.ravel()
    sp, sq, si, sj, blk = [], [], [], [], []
    for p, q in pairs:
        for b in (0, 1):
            sp.append(np.full(ii.size, p))
            sq.append(np.full(ii.size, q))
            si.append(ii)
            sj.append(jj)
            blk.append(np.full(ii.size, b))
    if not pairs:
        z = np.zeros(0, dtype=np.int64)
        return z, z, z, z, z
    return tuple(np.concatenate(v).astype(np.int64) for v in (sp, sq, si, sj, blk))


class _State:
    """One round's candidates for the whole batch."""

    def __init__(
        self,
        x: np.ndarray,
        s: np.ndarray,
        c: np.ndarray,
        elig: np.ndarray,
        tmpl: tuple[np.ndarray, ...],
        eps: float,
        tol: float = 0.0,
    ) -> None:
        nb, na, _ = x.shape
        self.eps = eps
        self.tol = tol
        self.ztol = tol * 100.0
        self.W, self.O = _weights(x, s, c)
        self.xt = np.ascontiguousarray(x.transpose(0, 2, 1))  # (B, D, A)
        self.st = np.ascontiguousarray(s.transpose(0, 2, 1))
        self.ct = np.ascontiguousarray(c.transpose(0, 2, 1))
        sp, sq, si, sj, blk = tmpl
        left = x <= self.O[:, None, :] + self.ztol  # an actor (within ztol of) at O counts as left
        lip, liq = left[:, si, sp], left[:, si, sq]
        ljp, ljq = left[:, sj, sp], left[:, sj, sq]
        ok = elig[:, si, sp] & elig[:, si, sq] & elig[:, sj, sp] & elig[:, sj, sq]
        grp = np.where(blk == 0, ~lip & ~liq & ljp & ljq, lip & ~liq & ~ljp & ljq)
        ok &= grp
        order = np.argsort(~ok, axis=1, kind="stable")
        ne = int(ok.sum(axis=1).max()) if ok.size else 0
        idx = order[:, :ne]
        self.exists = np.take_along_axis(ok, idx, axis=1)
        b = np.arange(nb)[:, None]
        self.bb = np.broadcast_to(b, idx.shape)
        p, q, i, j = sp[idx], sq[idx], si[idx], sj[idx]
        swap = (s[b, i, p] / s[b, i, q]) < (s[b, j, p] / s[b, j, q])
        self.aI = np.where(swap, j, i)
        self.aJ = np.where(swap, i, j)
        self.p, self.q = p, q
        aI, aJ = self.aI, self.aJ
        self.sIp, self.sIq, self.sJp, self.sJq = s[b, aI, p], s[b, aI, q], s[b, aJ, p], s[b, aJ, q]
        self.cIq, self.cJp = c[b, aI, q], c[b, aJ, p]
        self.xbI = x[b, aI, q]
        self.xbJ = x[b, aJ, p]
        self.uI, self.uJ = self.xbI.copy(), self.xbJ.copy()
        self.dI, self.dJ = x[b, aI, p], x[b, aJ, q]
        shape = idx.shape
        self.mI, self.mJ = np.zeros(shape), np.zeros(shape)
        self.yI, self.yJ = self.uI.copy(), self.uJ.copy()
        self.hsI, self.hsJ = np.zeros(shape), np.zeros(shape)
        self.hcI, self.hcJ = np.zeros(shape, dtype=np.int8), np.zeros(shape, dtype=np.int8)
        self.G = np.zeros(shape)
        self.valid = np.zeros(shape, dtype=bool)
        self.recV = np.zeros((*shape, 2, na))
        self.recM = np.zeros((*shape, 2, na), dtype=bool)
        rb, re_ = np.nonzero(self.exists)
        if rb.size:
            self.evaluate(rb, re_)
        self.alive = self.exists & self.valid

    # ---------------------------------------------------------------------------------- rules
    def _ok(self, m: np.ndarray, y: np.ndarray, hs: np.ndarray, hc: np.ndarray) -> np.ndarray:
        am = np.abs(m)
        lo, hi = -self.ztol, 100.0 + self.ztol
        good = (am > self.eps) & (am <= hi) & (y >= lo) & (y <= hi) & (hs + m <= hi)
        sign_ok = np.where(m > 0, (hc == _NONE) | (hc == _POS), (hc == _NONE) | (hc == _NEG))
        return good & sign_ok

    def evaluate(self, b: np.ndarray, e: np.ndarray) -> None:
        p, q = self.p[b, e], self.q[b, e]
        P, Q = self.W[b, p], self.W[b, q]
        sIp, sIq, sJp, sJq = self.sIp[b, e], self.sIq[b, e], self.sJp[b, e], self.sJq[b, e]
        cIq, cJp = self.cIq[b, e], self.cJp[b, e]
        uI, uJ, dI, dJ = self.uI[b, e], self.uJ[b, e], self.dI[b, e], self.dJ[b, e]
        Dp = np.abs(dI - uJ)
        Dq = np.abs(dJ - uI)
        dp = ((Dp * sJp) * cJp) / P
        dq = ((sJp + sIp) / (sJq + sIq)) * dp
        muI = (dq * Q) / (cIq * sIq)
        muJ = Dp
        bflag = muI > Dq
        if bflag.any():
            dq_b = ((Dq * sIq) * cIq) / Q
            dp_b = ((sIq + sJq) / (sIp + sJp)) * dq_b
            dq = np.where(bflag, dq_b, dq)
            dp = np.where(bflag, dp_b, dp)
            muI = np.where(bflag, Dq, muI)
            muJ = np.where(bflag, (dp_b * P) / (cJp * sJp), muJ)
        mI = np.where(uI > dJ, -muI, muI)
        mJ = np.where(uJ > dI, -muJ, muJ)
        yI, yJ = uI + mI, uJ + mJ
        G = np.abs(dq * sIq - dp * sIp)
        hsI, hcI, hsJ, hcJ = self.hsI[b, e], self.hcI[b, e], self.hsJ[b, e], self.hcJ[b, e]
        valid = self._ok(mI, yI, hsI, hcI) & self._ok(mJ, yJ, hsJ, hcJ) & ~(self.eps > G)
        self.mI[b, e], self.mJ[b, e], self.yI[b, e], self.yJ[b, e], self.G[b, e] = mI, mJ, yI, yJ, G
        k = np.nonzero(valid)[0]
        if k.size:
            bk, ek = b[k], e[k]
            self._overshoot(bk, ek, True)
            self._overshoot(bk, ek, False)
            valid[k] = self._ok(self.mI[bk, ek], self.yI[bk, ek], hsI[k], hcI[k]) & self._ok(
                self.mJ[bk, ek], self.yJ[bk, ek], hsJ[k], hcJ[k]
            )
        self.valid[b, e] = valid

    def _overshoot(self, b: np.ndarray, e: np.ndarray, side_i: bool) -> None:
        if side_i:
            a, A, uA, yA, t = self.q[b, e], self.aI[b, e], self.uI[b, e], self.yI[b, e], self.dJ[b, e]
            sAa, cAa, sBa, sAb, sBb, cBb = (
                self.sIq[b, e],
                self.cIq[b, e],
                self.sJq[b, e],
                self.sIp[b, e],
                self.sJp[b, e],
                self.cJp[b, e],
            )
            bI = self.p[b, e]
            uB, dA, slot = self.uJ[b, e], self.dI[b, e], 1
        else:
            a, A, uA, yA, t = self.p[b, e], self.aJ[b, e], self.uJ[b, e], self.yJ[b, e], self.dI[b, e]
            sAa, cAa, sBa, sAb, sBb, cBb = (
                self.sJp[b, e],
                self.cJp[b, e],
                self.sIp[b, e],
                self.sJq[b, e],
                self.sIq[b, e],
                self.cIq[b, e],
            )
            bI = self.q[b, e]
            uB, dA, slot = self.uI[b, e], self.dJ[b, e], 0
        Wa, Wb = self.W[b, a], self.W[b, bI]
        sa, ca = self.st[b, a], self.ct[b, a]  # (n, A)
        recv, recm = self.recV[b, e, slot], self.recM[b, e, slot]
        pi = np.where(recm, recv, self.xt[b, a])
        n = np.arange(b.size)
        rho = pi.copy()
        rho[n, A] = uA
        tot0 = np.cumsum((rho * sa) * ca, axis=1)[:, -1]
        rho[n, A] = yA
        tot1 = np.cumsum((rho * sa) * ca, axis=1)[:, -1]
        r0 = t - tot0 / Wa
        r1 = t - tot1 / Wa
        ztol = self.ztol  # residuals within ztol of zero count as zero ("landed exactly")
        trig = (np.abs(r0) > ztol) & (np.abs(r1) > ztol) & ((r0 > 0) != (r1 > 0))
        if not trig.any():
            return
        k = np.nonzero(trig)[0]
        tau = pi[k]
        own_rec = recm[k, A[k]]
        tau[np.arange(k.size), A[k]] = np.where(own_rec, tau[np.arange(k.size), A[k]], uA[k])
        T = np.cumsum((tau * sa[k]) * ca[k], axis=1)[:, -1]
        delta = np.abs((t[k] * Wa[k] - T) / (sAa[k] * cAa[k]))
        da = ((delta * sAa[k]) * cAa[k]) / Wa[k]
        db = ((sAa[k] + sBa[k]) / (sAb[k] + sBb[k])) * da
        muB = np.abs((db * Wb[k]) / (cBb[k] * sBb[k]))
        mA = np.where(uA[k] > t[k], -delta, delta)
        mB = np.where(uB[k] > dA[k], -muB, muB)
        bk, ek = b[k], e[k]
        if side_i:
            self.mI[bk, ek], self.mJ[bk, ek] = mA, mB
        else:
            self.mJ[bk, ek], self.mI[bk, ek] = mA, mB
        self.yI[bk, ek] = self.uI[bk, ek] + self.mI[bk, ek]
        self.yJ[bk, ek] = self.uJ[bk, ek] + self.mJ[bk, ek]
        self.G[bk, ek] = np.abs(db * sBb[k] - da * sBa[k])

    # ---------------------------------------------------------------------------------- greedy
    def _near_tie_order(self, order: np.ndarray, rank: np.ndarray) -> np.ndarray:
        """Re-sort so that gains within the relative tolerance of their neighbour in the sorted list
        (chained) count as equal and keep their current list order (see ``tie_tolerance``)."""
        g = np.take_along_axis(np.where(self.alive, self.G, -np.inf), order, axis=1)
        with np.errstate(invalid="ignore"):  # dead slots: -inf - -inf
            d = g[:, :-1] - g[:, 1:]
            near = d <= self.tol * g[:, :-1]
        if not (near & (d > 0)).any():
            return order
        cid = np.concatenate((np.zeros((g.shape[0], 1), dtype=np.int64), np.cumsum(~near, axis=1)), axis=1)
        within = np.lexsort((np.take_along_axis(rank, order, axis=1), cid), axis=-1)
        return np.take_along_axis(order, within, axis=1)

    def play(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Realise greedily; returns per step (active members mask, chosen candidate index)."""
        gshape: tuple[int, ...] = tuple(self.G.shape)
        nb, ne = gshape[0], gshape[1]
        steps: list[tuple[np.ndarray, np.ndarray]] = []
        if ne == 0:
            return steps
        rank = np.broadcast_to(np.arange(ne), (nb, ne)).copy()
        brange = np.arange(nb)
        while True:
            act = np.asarray(self.alive.any(axis=1))
            if not act.any():
                break
            key = np.where(self.alive, -self.G, np.inf)
            order = np.lexsort((rank, key), axis=-1)  # stable re-sort: gain desc, then current order
            if self.tol:
                order = self._near_tie_order(order, rank)
            rank[brange[:, None], order] = np.arange(ne)
            r = order[:, 0]
            steps.append((act, r))
            ab = brange[act]
            rr = r[act]
            self.alive[ab, rr] = False
            # scalars of the realised exchanges, broadcast over candidates
            raI, raJ = self.aI[ab, rr][:, None], self.aJ[ab, rr][:, None]
            rp, rq = self.p[ab, rr][:, None], self.q[ab, rr][:, None]
            ryI, ryJ = self.yI[ab, rr][:, None], self.yJ[ab, rr][:, None]
            rxI, rxJ = self.xbI[ab, rr][:, None], self.xbJ[ab, rr][:, None]
            aI, aJ, p, q = self.aI[ab], self.aJ[ab], self.p[ab], self.q[ab]
            live = self.alive[ab]
            cI1 = live & (aI == raI) & (q == rq)
            cI2 = live & (aI == raJ) & (q == rp)
            cJ1 = live & (aJ == raI) & (p == rq)
            cJ2 = live & (aJ == raJ) & (p == rp)
            z1 = live & (((aI == raJ) & (p == rq)) | ((aJ == raJ) & (q == rq)))
            z2 = live & (((aI == raI) & (p == rp)) | ((aJ == raI) & (q == rp)))
            carI = cI1 | cI2
            carJ = cJ1 | cJ2
            aff = carI | carJ | z1 | z2
            if not aff.any():
                continue
            uI = self.uI[ab]
            uI = np.where(cI1, ryI, np.where(cI2, ryJ, uI))
            uJ = self.uJ[ab]
            uJ = np.where(cJ1, ryI, np.where(cJ2, ryJ, uJ))
            self.uI[ab], self.uJ[ab] = uI, uJ
            for zmask, issue, actor, yv, xv in ((z1, rq, raI, ryI, rxI), (z2, rp, raJ, ryJ, rxJ)):
                lb, le = np.nonzero(zmask)
                if not lb.size:
                    continue
                gb = ab[lb]
                slot = (self.p[gb, le] != issue[lb, 0]).astype(np.int64)
                act_k = actor[lb, 0]
                y, xb = yv[lb, 0], xv[lb, 0]
                old = self.recV[gb, le, slot, act_k]
                has = self.recM[gb, le, slot, act_k]
                keep = np.where(xb <= old, old < y, old > y)
                self.recV[gb, le, slot, act_k] = np.where(has & keep, old, y)
                self.recM[gb, le, slot, act_k] = True
            for car, hs, hc, m in ((carI, self.hsI, self.hcI, self.mI), (carJ, self.hsJ, self.hcJ, self.mJ)):
                lb, le = np.nonzero(car)
                if lb.size:
                    gb = ab[lb]
                    mm = m[gb, le]
                    hs[gb, le] = hs[gb, le] + mm
                    sign = np.where(mm > 0, _POS, np.where(mm < 0, _NEG, _MIXED)).astype(np.int8)
                    old_c = hc[gb, le]
                    hc[gb, le] = np.where(old_c == _NONE, sign, np.where(old_c == sign, old_c, _MIXED))
            lb, le = np.nonzero(aff)
            gb = ab[lb]
            self.evaluate(gb, le)
            self.alive[gb, le] = self.valid[gb, le]
        return steps


def run_fast(
    x: np.ndarray,
    s: np.ndarray,
    c: np.ndarray,
    elig: np.ndarray,
    rounds: int,
    w_sal: float = 0.4,
    w_fix: float = 0.1,
    eps: float = 1e-10,
    record: bool = False,
    tol: float = 0.0,
) -> FastRun:
    """Run ``rounds`` rounds on a batch ``(B, A, D)`` of internal-scale data.

    ``s`` and ``c`` must be zero where an actor has no data; ``elig`` marks the entries that may take
    part in exchanges. With ``record`` the realised exchanges of member 0 are kept. ``tol`` is the
    ``tie_tolerance`` of the knife-edge tests (0: exact float comparisons).
    """
    nb, na, nd = x.shape
    tmpl = _template(na, nd)
    x = x.astype(float, copy=True)
    hist = np.empty((nb, rounds + 1, na, nd))
    vote = np.empty((nb, rounds, na, nd))
    outc = np.empty((nb, rounds + 1, nd))
    vout = np.empty((nb, rounds, nd))
    nex = np.zeros((nb, rounds), dtype=np.int64)
    exch: list[list[tuple[int, int, int, int, float, float, float, float, float]]] | None = (
        [] if record else None
    )
    hist[:, 0] = x
    a1 = (1.0 - s) * w_sal
    brange = np.arange(nb)
    for rnd in range(rounds):
        st = _State(x, s, c, elig, tmpl, eps, tol)
        outc[:, rnd] = st.O
        steps = st.play()
        v = x.copy()
        supplied = np.zeros(x.shape, dtype=bool)
        rec_round = []
        for act, r in steps:
            ab = brange[act]
            rr = r[act]
            aI, aJ, p, q = st.aI[ab, rr], st.aJ[ab, rr], st.p[ab, rr], st.q[ab, rr]
            v[ab, aI, q] = st.yI[ab, rr]
            v[ab, aJ, p] = st.yJ[ab, rr]
            supplied[ab, aI, q] = True
            supplied[ab, aJ, p] = True
            nex[ab, rnd] += 1
            if exch is not None and act[0]:
                e0 = int(r[0])
                rec_round.append(
                    (
                        int(st.aI[0, e0]),
                        int(st.aJ[0, e0]),
                        int(st.p[0, e0]),
                        int(st.q[0, e0]),
                        float(st.xbI[0, e0]),
                        float(st.yI[0, e0]),
                        float(st.xbJ[0, e0]),
                        float(st.yJ[0, e0]),
                        float(st.G[0, e0]),
                    )
                )
        if exch is not None:
            exch.append(rec_round)
        new = ((a1 * v) + w_fix * v) + ((1.0 - a1) - w_fix) * x
        x = np.where(supplied, new, x)
        vote[:, rnd] = v
        vout[:, rnd] = _weights(v, s, c)[1]
        hist[:, rnd + 1] = x
    outc[:, rounds] = _weights(x, s, c)[1]
    return FastRun(hist, vote, outc, vout, nex, exch)
