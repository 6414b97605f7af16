"""Scalar engine of the exchange model (Equal Gain), generic over the number type.

With :class:`decimal.Decimal` numbers in a 28-digit round-half-even context this is the model's
``exact`` mode: every formula is evaluated in the parenthesisation of ``docs/models/exchange.md`` and
every sum runs left to right from an exact zero, so ties and knife-edge comparisons resolve as in the
reference program. With Python floats it is a slow float64 cross-check of the vectorised engine.

Everything here works on the internal 0..100 scale; ``exchange.py`` does the mapping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from functools import reduce
from operator import add, attrgetter
from typing import Any, NamedTuple, Protocol, TypeVar

import numpy as np

Num = Any  # Decimal or float: the engine only uses + - * / abs and comparisons

DECIMAL_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Arith:
    """The constants of one arithmetic: zero, 100, ε and the two update weights."""

    zero: Num
    one: Num
    hundred: Num
    eps: Num
    w_sal: Num
    w_fix: Num
    convert: Callable[[float], Num]
    tol: float = 0.0
    """float only: relative tolerance of the knife-edge tests (``tie_tolerance``); 0 = exact tests."""


def decimal_arith(w_sal: float = 0.4, w_fix: float = 0.1, eps: float = 1e-10) -> Arith:
    """Decimal arithmetic: weights and ε are the binary doubles, carried into decimal exactly."""
    return Arith(
        zero=Decimal(0),
        one=Decimal(1),
        hundred=Decimal(100),
        eps=Decimal(eps),
        w_sal=Decimal(w_sal),
        w_fix=Decimal(w_fix),
        convert=lambda v: Decimal(repr(float(v))),
    )


def float_arith(w_sal: float = 0.4, w_fix: float = 0.1, eps: float = 1e-10, tol: float = 0.0) -> Arith:
    return Arith(0.0, 1.0, 100.0, eps, w_sal, w_fix, float, tol)


# sign classes of a move history prefix
_NONE, _POS, _NEG, _MIXED = 0, 1, 2, 3
_SIGN_OK_POS = (_NONE, _POS)  # the classes a positive move may join
_SIGN_OK_NEG = (_NONE, _NEG)


class _Cand:
    """One candidate exchange: side I supplies q (demands p), side J supplies p (demands q)."""

    __slots__ = (
        "G",
        "aI",
        "aJ",
        "alive",
        "cIq",
        "cJp",
        "csI",
        "csJ",
        "dI",
        "dJ",
        "hcI",
        "hcJ",
        "hsI",
        "hsJ",
        "mI",
        "mJ",
        "p",
        "pre",
        "q",
        "r1",
        "r2",
        "rec",
        "sIp",
        "sIq",
        "sJp",
        "sJq",
        "stamp",
        "uI",
        "uJ",
        "valid",
        "xbI",
        "xbJ",
        "yI",
        "yJ",
    )
    G: Num
    aI: int
    aJ: int
    alive: bool
    cIq: Num
    cJp: Num
    csI: Num
    """c_Iq · s_Iq"""
    csJ: Num
    """c_Jp · s_Jp"""
    dI: Num
    dJ: Num
    hcI: int
    hcJ: int
    hsI: Num
    hsJ: Num
    mI: Num
    mJ: Num
    p: int
    pre: tuple[Num, Num, Num, Num, Num]
    """(m_I, m_J, y_I, y_J, G) of the latest evaluation before the overshoot guards, when they passed OK"""
    q: int
    r1: Num
    """(s_Jp + s_Ip) / (s_Jq + s_Iq)"""
    r2: Num
    """(s_Iq + s_Jq) / (s_Ip + s_Jp)"""
    rec: dict[tuple[int, int], Num]
    sIp: Num
    sIq: Num
    sJp: Num
    sJq: Num
    stamp: int
    uI: Num
    uJ: Num
    valid: bool
    xbI: Num
    xbJ: Num
    yI: Num
    yJ: Num


class ScalarExchange(NamedTuple):
    """A realised exchange (internal scale): I supplies q, J supplies p."""

    actor_i: int
    actor_j: int
    p: int
    q: int
    start_i: Num
    voting_i: Num
    start_j: Num
    voting_j: Num
    gain: Num


@dataclass
class ScalarRun:
    history: list[list[list[Num]]]  # R+1 x A x D, start positions
    voting: list[list[list[Num]]]  # R x A x D
    outcome: list[list[Num]]  # R+1 x D
    voting_outcome: list[list[Num]]  # R x D
    exchanges: list[list[ScalarExchange]]
    floats: dict[int, float] | None = None
    """Optional: float(v) by id(v) for numbers of the run (positions) converted already; every key is
    the id of a number the run holds, so ids stay unique while the run lives."""


def _merge(cls: int, m: Num, zero: Num) -> int:
    sign = _POS if m > zero else (_NEG if m < zero else _MIXED)
    if cls == _NONE:
        return sign
    return cls if cls == sign else _MIXED


def _pairings(
    eligible: list[list[bool]], left: list[list[bool]]
) -> Iterator[tuple[int, int, list[int], list[int]]]:
    """The actor groups that may exchange on each issue pair p < q, in creation order.

    ``left[k][d]``: actor k stands at or left of issue d's outcome. Of the actors eligible on both
    issues, those right of both outcomes pair with those left of both, then those left on p only with
    those left on q only: yields (p, q, first group, second group) for the two pairings in turn.
    """
    n_actors = len(eligible)
    n_issues = len(eligible[0]) if n_actors else 0
    for p in range(n_issues):
        for q in range(p + 1, n_issues):
            ga: list[int] = []
            gb: list[int] = []
            gc: list[int] = []
            gd: list[int] = []
            for k in range(n_actors):
                if not (eligible[k][p] and eligible[k][q]):
                    continue
                lp = left[k][p]
                lq = left[k][q]
                (gd if lp and lq else gb if lp else gc if lq else ga).append(k)
            yield p, q, ga, gd
            yield p, q, gb, gc


PairCache = dict[tuple[int, int, int, int], tuple[Num, Num, Num, Num]]
"""Per (I, J, p, q), the salience and power expressions of a pair, shared by a run's rounds."""


class RunData:
    """What stays fixed for a run: the inputs as lists (indexed [actor][issue]), each issue's actors in
    summation order, and what depends on saliences and powers only (computed once, the operations
    the rounds used to repeat)."""

    def __init__(
        self,
        x: Sequence[Sequence[Num]],
        s: Sequence[Sequence[Num]],
        c: Sequence[Sequence[Num]],
        present: Sequence[Sequence[bool]],
        eligible: Sequence[Sequence[bool]],
        ar: Arith,
    ) -> None:
        n_actors = len(x)
        n_issues = len(x[0]) if n_actors else 0
        self.x = [list(row) for row in x]
        self.s = sl = [list(row) for row in s]
        self.c = cl = [list(row) for row in c]
        self.eligible = [[bool(v) for v in row] for row in eligible]
        self.order = order = [[k for k in range(n_actors) if present[k][d]] for d in range(n_issues)]
        self.ar = ar
        # per (I, J, p, q), the subexpressions of EVALUATE and OVERSHOOT that depend on saliences and
        # powers only (filled by the rounds as pairs come up)
        self.pairs: PairCache = {}
        # per (I, J, p, q) every constant of a new candidate, and per (p, q) the actors' salience ratios
        # (the roles), filled as they come up: the same operations, once per run instead of per round
        self.consts: dict[tuple[int, int, int, int], tuple[Num, ...]] = {}
        self.ratios: dict[tuple[int, int], list[Num]] = {}
        # per-issue columns of saliences and powers (the same numbers, cheaper to reach in the hot loops)
        self.s_col = [[sl[k][d] for k in range(n_actors)] for d in range(n_issues)]
        self.c_col = [[cl[k][d] for k in range(n_actors)] for d in range(n_issues)]
        # tolerance band of the hard limits and of the overshoot residual (0 in exact arithmetic)
        self.ztol = ar.zero + ar.tol * 100.0 if ar.tol else ar.zero
        self.lim_lo = ar.zero - self.ztol
        self.lim_hi = ar.hundred + self.ztol
        # W_d = Σ s·c over the issue's actors in order, and each actor's place in that order
        self.W: list[Num] = []
        for d in range(n_issues):
            w = ar.zero
            for k in order[d]:
                w = w + sl[k][d] * cl[k][d]
            self.W.append(w)
        self.place = [{k: j for j, k in enumerate(ks)} for ks in order]

    def outcome(self, x: list[list[Num]]) -> list[Num]:
        """Each issue's outcome Σ (x·s)·c / W in actor order (0 where W is 0), as :class:`_Round` sums."""
        s, c, zero = self.s, self.c, self.ar.zero
        out: list[Num] = []
        for d, w in enumerate(self.W):
            tot = zero
            for k in self.order[d]:
                tot = tot + (x[k][d] * s[k][d]) * c[k][d]
            out.append(tot / w if w != zero else zero)
        return out


class _Round:
    """The frozen data of one round and the candidate operations on it."""

    def __init__(self, x: list[list[Num]], data: RunData) -> None:
        self.x = x
        self.s, self.c, self.order, self.ar, self.pairs = data.s, data.c, data.order, data.ar, data.pairs
        self.s_col, self.c_col, self.W, self.place = data.s_col, data.c_col, data.W, data.place
        self.consts, self.ratios = data.consts, data.ratios
        self.ztol, self.lim_lo, self.lim_hi = data.ztol, data.lim_lo, data.lim_hi
        self.zero, self.eps = data.ar.zero, data.ar.eps
        s, c, zero = self.s, self.c, self.ar.zero
        self.O: list[Num] = []
        self.terms: list[dict[int, Num]] = []
        # running sums of the terms in actor order (prefix[d][j] = sum of the first j terms; with
        # ``place``, a sum with one term changed restarts from the prefix before it)
        self.prefix: list[list[Num]] = []
        self.tlist: list[list[Num]] = []  # the terms as a list in actor order
        self.parts: list[dict[int, tuple[Num, list[Num], Num, Num, Num]]] = [{} for _ in self.W]
        for d, w in enumerate(self.W):
            tot = zero
            tl = [(x[k][d] * s[k][d]) * c[k][d] for k in self.order[d]]
            prefix = [zero]
            for t in tl:
                tot = tot + t
                prefix.append(tot)
            self.O.append(tot / w if w != zero else zero)
            self.terms.append(dict(zip(self.order[d], tl, strict=True)))
            self.tlist.append(tl)
            self.prefix.append(prefix)

    def set_constants(self, e: _Cand) -> None:
        """``e.r1``, ``e.r2``, ``e.csI``, ``e.csJ`` (salience and power expressions of the pair)."""
        key = (e.aI, e.aJ, e.p, e.q)
        k = self.pairs.get(key)
        if k is None:
            k = self.pairs[key] = (
                (e.sJp + e.sIp) / (e.sJq + e.sIq),
                (e.sIq + e.sJq) / (e.sIp + e.sJp),
                e.cIq * e.sIq,
                e.cJp * e.sJp,
            )
        e.r1, e.r2, e.csI, e.csJ = k

    # ------------------------------------------------------------------ OK and EVALUATE
    def _ok(self, m: Num, y: Num, hs: Num, hc: int) -> bool:
        ar = self.ar
        hi = self.lim_hi
        am = abs(m)
        if not (ar.eps < am <= hi):
            return False
        if not (self.lim_lo <= y <= hi):
            return False
        if hs and not (hs + m <= hi):  # an empty history sums to 0: m <= hi is already known
            return False
        if m > ar.zero:
            return hc in (_NONE, _POS)
        return hc in (_NONE, _NEG)

    def evaluate(self, e: _Cand) -> None:
        W = self.W
        P = W[e.p]
        Q = W[e.q]
        uI, uJ, dI, dJ = e.uI, e.uJ, e.dI, e.dJ
        Dp = abs(dI - uJ)
        Dq = abs(dJ - uI)
        dp = ((Dp * e.sJp) * e.cJp) / P
        dq = e.r1 * dp  # r1 = (s_Jp + s_Ip) / (s_Jq + s_Iq)
        muI = (dq * Q) / e.csI  # csI = c_Iq · s_Iq
        muJ = Dp
        if muI > Dq:
            dq = ((Dq * e.sIq) * e.cIq) / Q
            dp = e.r2 * dq  # r2 = (s_Iq + s_Jq) / (s_Ip + s_Jp)
            muI = Dq
            muJ = (dp * P) / e.csJ  # csJ = c_Jp · s_Jp
        e.mI = mI = -muI if uI > dJ else muI
        e.mJ = mJ = -muJ if uJ > dI else muJ
        e.yI = yI = uI + mI
        e.yJ = yJ = uJ + mJ
        e.G = G = abs(dq * e.sIq - dp * e.sIp)
        # OK(I) and OK(J) (as :meth:`_ok`, inline: the hottest lines of a run), then the gain
        eps, lo, hi, zero = self.eps, self.lim_lo, self.lim_hi, self.zero
        hs = e.hsI
        valid = (
            eps < abs(mI) <= hi
            and lo <= yI <= hi
            and (not hs or hs + mI <= hi)
            and (e.hcI in _SIGN_OK_POS if mI > zero else e.hcI in _SIGN_OK_NEG)
        )
        if valid:
            hs = e.hsJ
            valid = (
                eps < abs(mJ) <= hi
                and lo <= yJ <= hi
                and (not hs or hs + mJ <= hi)
                and (e.hcJ in _SIGN_OK_POS if mJ > zero else e.hcJ in _SIGN_OK_NEG)
                and not (G < eps)
            )
        if not valid:
            e.valid = False
            return
        e.pre = (mI, mJ, yI, yJ, G)
        if e.rec or self.ztol:
            self._guard(e)
            return
        # The common case of both guards inline (no records, exact limits: only the supplier's term
        # differs from the round's sums; :meth:`_overshoot`'s operations): when neither can fire, the
        # moves stand; else :meth:`_guard` takes both guards from the start.
        parts, out = self.parts, self.O
        part = parts[e.q].get(e.aI)
        if part is None:
            part = self._part(e.q, e.aI)
        before, tail, sA, cA, xA = part
        r0 = dJ - (out[e.q] if uI == xA else reduce(add, tail, before + (uI * sA) * cA) / Q)
        r1 = dJ - reduce(add, tail, before + (yI * sA) * cA) / Q
        if r0 == zero or r1 == zero or (r0 > zero) == (r1 > zero):
            part = parts[e.p].get(e.aJ)
            if part is None:
                part = self._part(e.p, e.aJ)
            before, tail, sA, cA, xA = part
            r0 = dI - (out[e.p] if uJ == xA else reduce(add, tail, before + (uJ * sA) * cA) / P)
            r1 = dI - reduce(add, tail, before + (yJ * sA) * cA) / P
            if r0 == zero or r1 == zero or (r0 > zero) == (r1 > zero):
                e.valid = True
                return
        self._guard(e)

    def _guard(self, e: _Cand) -> None:
        """The overshoot guards and the final OK, from moves that passed OK before the guard."""
        fired = self._overshoot(e, True)
        if self._overshoot(e, False) or fired:  # moves changed: OK again (else it stands)
            e.valid = self._ok(e.mI, e.yI, e.hsI, e.hcI) and self._ok(e.mJ, e.yJ, e.hsJ, e.hcJ)
        else:
            e.valid = True

    def _overshoot(self, e: _Cand, side_i: bool) -> bool:
        """OVERSHOOT for one side: whether the guard fired (the moves and the gain are then changed)."""
        # ratio = (s_Aa + s_Ba) / (s_Ab + s_Bb); csA = s_Aa · c_Aa; csB = c_Bb · s_Bb (products commute)
        if side_i:  # A = I supplies q; B = J
            a, A, uA, yA, t = e.q, e.aI, e.uI, e.yI, e.dJ
        else:  # A = J supplies p; B = I
            a, A, uA, yA, t = e.p, e.aJ, e.uJ, e.yJ, e.dI
        Wa = self.W[a]
        zero = self.zero
        # recorded moves on issue a (few), by actor; the sums below keep the actors' order exactly
        # (``reduce(add, ...)`` is the left-to-right loop of additions, in C)
        ra = {k: v for (i, k), v in e.rec.items() if i == a} if e.rec else None
        if ra:
            s_a, c_a = self.s_col[a], self.c_col[a]
            place = self.place[a]
            lst = self.tlist[a][:]
            for k, v in ra.items():
                if k != A and k in place:
                    lst[place[k]] = (v * s_a[k]) * c_a[k]
            jA = place[A]
            lst[jA] = (uA * s_a[A]) * c_a[A]
            tot0 = reduce(add, lst, zero)
            lst[jA] = (yA * s_a[A]) * c_a[A]
            tot1 = reduce(add, lst, zero)
        else:  # only A's term differs: start from the running sum before A (the same additions)
            part = self.parts[a].get(A)
            if part is None:
                part = self._part(a, A)
            before, tail, sA, cA, xA = part
            tot1 = reduce(add, tail, before + (yA * sA) * cA)
            if uA == xA:  # A at its round-start position: n0 is the round's own outcome
                tot0 = None
            else:
                tot0 = reduce(add, tail, before + (uA * sA) * cA)
        r0 = t - (self.O[a] if tot0 is None else tot0 / Wa)  # O_a = (its running sum) / W_a
        r1 = t - tot1 / Wa
        ztol = self.ztol
        if ztol:  # residuals within ztol of zero count as zero ("landed exactly")
            if -ztol <= r0 <= ztol or -ztol <= r1 <= ztol or (r0 > zero) == (r1 > zero):
                return False
        elif r0 == zero or r1 == zero or (r0 > zero) == (r1 > zero):
            return False
        # the guard fires (rarely): the rest of the pair's numbers
        if side_i:
            sAa, cAa, sBa, sBb = e.sIq, e.cIq, e.sJq, e.sJp
            ratio, csA, csB = e.r2, e.csI, e.csJ
            Wb, uB, dA = self.W[e.p], e.uJ, e.dI
        else:
            sAa, cAa, sBa, sBb = e.sJp, e.cJp, e.sIp, e.sIq
            ratio, csA, csB = e.r1, e.csJ, e.csI
            Wb, uB, dA = self.W[e.q], e.uI, e.dJ
        terms, order = self.terms[a], self.order[a]
        s_a, c_a = self.s_col[a], self.c_col[a]
        T = zero
        for k in order:
            v = ra.get(k) if ra else None
            if v is None:
                T = T + (terms[k] if k != A else (uA * s_a[k]) * c_a[k])
            else:
                T = T + (v * s_a[k]) * c_a[k]
        delta = abs((t * Wa - T) / csA)
        da = ((delta * sAa) * cAa) / Wa
        db = ratio * da
        muB = abs((db * Wb) / csB)
        mA = -delta if uA > t else delta
        mB = -muB if uB > dA else muB
        if side_i:
            e.mI, e.mJ = mA, mB
        else:
            e.mJ, e.mI = mA, mB
        e.yI = e.uI + e.mI
        e.yJ = e.uJ + e.mJ
        e.G = abs(db * sBb - da * sBa)
        return True

    def _part(self, a: int, A: int) -> tuple[Num, list[Num], Num, Num, Num]:
        """What the guard's sums on issue ``a`` need of this round for supplier ``A`` (no records): the
        running sum before A, the terms after A, A's salience, power and round-start position."""
        j = self.place[a][A]
        part = self.parts[a][A] = (
            self.prefix[a][j],
            self.tlist[a][j + 1 :],
            self.s_col[a][A],
            self.c_col[a][A],
            self.x[A][a],
        )
        return part

    # ------------------------------------------------------------------ candidates
    def create(self, eligible: list[list[bool]]) -> list[_Cand]:
        x, out, zero, ztol = self.x, self.O, self.ar.zero, self.ztol
        lim = [o + ztol for o in out]
        left = [[v <= w for v, w in zip(row, lim, strict=True)] for row in x]
        cands: list[_Cand] = []
        consts, ratios = self.consts, self.ratios
        for p, q, g1, g2 in _pairings(eligible, left):
            ratio = ratios.get((p, q))
            if ratio is None:
                ratio = self._ratios(p, q, eligible)
            for i in g1:
                ri = ratio[i]
                for j in g2:
                    # s_ip / s_iq < s_jp / s_jq: j is I (ties: i)
                    ai, aj = (j, i) if ri < ratio[j] else (i, j)
                    e = _Cand()
                    e.aI, e.aJ, e.p, e.q = ai, aj, p, q
                    k = consts.get((ai, aj, p, q))
                    if k is None:
                        k = self._consts(e)
                    e.sIp, e.sIq, e.sJp, e.sJq, e.cIq, e.cJp, e.r1, e.r2, e.csI, e.csJ = k
                    xi, xj = x[ai], x[aj]
                    e.xbI = e.uI = xi[q]
                    e.xbJ = e.uJ = xj[p]
                    e.dI, e.dJ = xi[p], xj[q]
                    e.hsI = e.hsJ = zero
                    e.hcI = e.hcJ = _NONE
                    e.rec = {}
                    e.alive = False
                    e.stamp = -1
                    self.evaluate(e)
                    cands.append(e)
        return cands

    def _ratios(self, p: int, q: int, eligible: list[list[bool]]) -> list[Num]:
        """Each actor's salience ratio s_p / s_q (None where not eligible on both), once per run."""
        s = self.s
        out = self.ratios[p, q] = [
            s[k][p] / s[k][q] if el[p] and el[q] else None for k, el in enumerate(eligible)
        ]
        return out

    def _consts(self, e: _Cand) -> tuple[Num, ...]:
        """The saliences, powers and :meth:`set_constants` of a pair (I, J, p, q), once per run."""
        s, c, aI, aJ, p, q = self.s, self.c, e.aI, e.aJ, e.p, e.q
        e.sIp, e.sIq, e.sJp, e.sJq = s[aI][p], s[aI][q], s[aJ][p], s[aJ][q]
        e.cIq, e.cJp = c[aI][q], c[aJ][p]
        self.set_constants(e)
        k = self.consts[aI, aJ, p, q] = (e.sIp, e.sIq, e.sJp, e.sJq, e.cIq, e.cJp, e.r1, e.r2, e.csI, e.csJ)
        return k

    def _record(self, e: _Cand, issue: int, actor: int, y: Num, xbar: Num) -> None:
        key = (issue, actor)
        old = e.rec.get(key)
        if old is None:
            e.rec[key] = y
        elif xbar <= old:
            e.rec[key] = old if old < y else y
        else:
            e.rec[key] = old if old > y else y

    def refresh(self, e: _Cand, r: _Cand) -> None:
        carried = 0
        if e.aI == r.aI and e.q == r.q:
            e.uI, carried = r.yI, 1
        elif e.aI == r.aJ and e.q == r.p:
            e.uI, carried = r.yJ, 1
        elif e.aJ == r.aI and e.p == r.q:
            e.uJ, carried = r.yI, 2
        elif e.aJ == r.aJ and e.p == r.p:
            e.uJ, carried = r.yJ, 2
        touched = False
        # Z = J_r (demands q_r, partner I_r supplied it), then Z = I_r
        if (e.aI == r.aJ and e.p == r.q) or (e.aJ == r.aJ and e.q == r.q):
            self._record(e, r.q, r.aI, r.yI, r.xbI)
            touched = True
        if (e.aI == r.aI and e.p == r.p) or (e.aJ == r.aI and e.q == r.p):
            self._record(e, r.p, r.aJ, r.yJ, r.xbJ)
            touched = True
        if carried:
            zero = self.ar.zero
            if carried == 1:
                e.hsI = e.hsI + e.mI
                e.hcI = _merge(e.hcI, e.mI, zero)
            else:
                e.hsJ = e.hsJ + e.mJ
                e.hcJ = _merge(e.hcJ, e.mJ, zero)
            self.evaluate(e)
        elif touched:
            # only a record changed: positions and histories did not, so EVALUATE's moves before the
            # guard are those of the last evaluation (which passed OK, or ``e`` would not be live);
            # the guards see the new record
            e.mI, e.mJ, e.yI, e.yJ, e.G = e.pre
            self._guard(e)


_BY_GAIN = attrgetter("G")


def _near_tie_order(live: list[_Cand], prev: list[_Cand], tol: float) -> None:
    """Fix the order of ``live`` (stably sorted by gain, descending) in place so that gains within
    ``tol`` (relative) of their neighbour, chained, count as equal and keep their order in ``prev``
    (the list before the sort)."""
    n = len(live)
    if n < 2:
        return
    gs = np.fromiter(map(_BY_GAIN, live), float, n)
    d = gs[:-1] - gs[1:]
    near = d <= tol * gs[:-1]
    bad = np.flatnonzero(near & (d > 0))
    if not bad.size:
        return  # clusters hold exactly equal gains only: the stable sort already kept their order
    cid = np.concatenate(([0], np.cumsum(~near)))
    for c in np.unique(cid[bad]).tolist():
        k = np.flatnonzero(cid == c)
        a, b = int(k[0]), int(k[-1]) + 1
        live[a:b] = sorted(live[a:b], key=prev.index)


class _Candidate(Protocol):
    """What the realisation loop needs of a candidate (exact and checked engines alike)."""

    aI: int
    aJ: int
    p: int
    q: int
    alive: bool
    stamp: int
    valid: bool


C = TypeVar("C", bound=_Candidate)


def realise(cands: list[C], take: Callable[[list[C]], C], refresh: Callable[[C, C], None]) -> list[C]:
    """Realise a round's candidates (in creation order): ``take`` orders the live candidates by gain and
    pops the best, which is realised; ``refresh`` updates each live candidate that shares an actor and
    issue with it (once per step); candidates that turn invalid leave. The realised, in order."""
    sup_index: dict[tuple[int, int], list[C]] = {}
    dem_index: dict[tuple[int, int], list[C]] = {}
    for e in cands:
        sup_index.setdefault((e.aI, e.q), []).append(e)
        sup_index.setdefault((e.aJ, e.p), []).append(e)
        dem_index.setdefault((e.aI, e.p), []).append(e)
        dem_index.setdefault((e.aJ, e.q), []).append(e)
    live = [e for e in cands if e.valid]
    for e in live:
        e.alive = True
    realized: list[C] = []
    step = 0
    empty: list[C] = []
    while live:
        r = take(live)
        r.alive = False
        realized.append(r)
        step += 1
        changed = False
        for lst in (
            sup_index.get((r.aI, r.q), empty),
            sup_index.get((r.aJ, r.p), empty),
            dem_index.get((r.aJ, r.q), empty),
            dem_index.get((r.aI, r.p), empty),
        ):
            for e in lst:
                if e.alive and e.stamp != step:
                    e.stamp = step
                    refresh(e, r)
                    if not e.valid:
                        e.alive = False
                        changed = True
        if changed:
            live = [e for e in live if e.alive]
    return realized


def _take_best(live: list[_Cand]) -> _Cand:
    live.sort(key=_BY_GAIN, reverse=True)  # stable: equal gains keep their current order
    return live.pop(0)


def _play_round(rd: _Round, eligible: list[list[bool]]) -> list[_Cand]:
    tol = rd.ar.tol
    if not tol:
        return realise(rd.create(eligible), _take_best, rd.refresh)

    def take_near_ties(live: list[_Cand]) -> _Cand:
        prev = live[:]
        live.sort(key=_BY_GAIN, reverse=True)
        _near_tie_order(live, prev, tol)
        return live.pop(0)

    return realise(rd.create(eligible), take_near_ties, rd.refresh)


RoundPlayer = Callable[[list[list[Num]]], tuple[list[Num], Sequence[_Cand]]]
"""Plays one round from the round-start positions: (the round's outcome, the realised exchanges)."""


def exact_player(data: RunData) -> RoundPlayer:
    """The scalar engine's round (:class:`_Round` and its realisation loop)."""

    def play(xs: list[list[Num]]) -> tuple[list[Num], list[_Cand]]:
        rd = _Round(xs, data)
        return rd.O, _play_round(rd, data.eligible)

    return play


def run_rounds(data: RunData, rounds: int, play: RoundPlayer) -> ScalarRun:
    """``rounds`` rounds from ``data.x``: ``play`` realises each round's exchanges; the voting positions,
    the end-of-round update and the records are the same for every engine."""
    sl, ar, xs = data.s, data.ar, data.x
    history = [[list(row) for row in xs]]
    voting: list[list[list[Num]]] = []
    outcome: list[list[Num]] = []
    voting_outcome: list[list[Num]] = []
    exchanges: list[list[ScalarExchange]] = []
    one, ws, wf = ar.one, ar.w_sal, ar.w_fix
    for _ in range(rounds):
        out, realized = play(xs)
        outcome.append(out)
        v = [list(row) for row in xs]
        supplied: set[tuple[int, int]] = set()
        for r in realized:
            v[r.aI][r.q] = r.yI
            v[r.aJ][r.p] = r.yJ
            supplied.add((r.aI, r.q))
            supplied.add((r.aJ, r.p))
        new = [list(row) for row in xs]
        for k, d in supplied:
            sal = sl[k][d]
            xb = xs[k][d]
            y = v[k][d]
            a1 = (one - sal) * ws
            new[k][d] = ((a1 * y) + wf * y) + ((one - a1) - wf) * xb
        voting.append(v)
        voting_outcome.append(data.outcome(v))
        exchanges.append(
            [ScalarExchange(r.aI, r.aJ, r.p, r.q, r.xbI, r.yI, r.xbJ, r.yJ, r.G) for r in realized]
        )
        xs = new
        history.append([list(row) for row in xs])
    outcome.append(data.outcome(xs))
    return ScalarRun(history, voting, outcome, voting_outcome, exchanges)


def run_scalar(
    x: Sequence[Sequence[Num]],
    s: Sequence[Sequence[Num]],
    c: Sequence[Sequence[Num]],
    present: Sequence[Sequence[bool]],
    eligible: Sequence[Sequence[bool]],
    rounds: int,
    ar: Arith,
) -> ScalarRun:
    """Run the model for ``rounds`` rounds on internal-scale data (lists indexed [actor][issue]).

    ``present`` says which (actor, issue) entries enter sums (per-issue order = actor order);
    ``eligible`` (a subset) which may take part in exchanges. With Decimal numbers call this inside
    :data:`DECIMAL_CONTEXT` (:func:`run_exact` does).
    """
    data = RunData(x, s, c, present, eligible, ar)
    return run_rounds(data, rounds, exact_player(data))


def run_exact(
    x: Sequence[Sequence[Num]],
    s: Sequence[Sequence[Num]],
    c: Sequence[Sequence[Num]],
    present: Sequence[Sequence[bool]],
    eligible: Sequence[Sequence[bool]],
    rounds: int,
    ar: Arith,
) -> ScalarRun:
    """:func:`run_scalar` inside the 28-digit round-half-even decimal context."""
    with localcontext(DECIMAL_CONTEXT):
        return run_scalar(x, s, c, present, eligible, rounds, ar)
