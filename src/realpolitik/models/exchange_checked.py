"""Checked engine of the exchange model (``arithmetic="fast"``): float64 where it is safe, decimal where
it decides.

The exact engine (``exchange_scalar`` with 28-digit decimals) evaluates every candidate exchange in
decimal. Most of that work only ranks candidates whose fate is never in doubt. This engine keeps the
state that carries from step to step and from round to round in decimal exactly as the exact engine
does (round-start positions, outcomes, sides, roles, the positions carried over and recorded inside
a round, the realised exchanges and the end-of-round update), and evaluates candidates in float64
from correctly rounded copies of those decimals. Every decision a float64 evaluation takes near its
threshold is taken again in decimal:

- a move or a gain within :data:`BAND` of zero (ε = 1e-10 lies inside; structural zeros such as a
  partner already at the demanded position land here),
- a voting position, a move or a move history within :data:`TOL` of the limits 0 and 100,
- an overshoot residual within :data:`TOL` of zero (the outcome landed on the demander: decimal's
  28th digit decides whether the guard fires),
- the direction of a move when the two positions are within :data:`TOL`,
- gains within a relative :data:`GAIN_TOL` of their neighbour in the sorted list (ties and near-ties:
  their order is settled with decimal gains and the current list order, as in the exact engine),
- a move history sum Σ H + m within :data:`TOL` of its limit 100 (the exact sums are then replayed
  from the states the carried-over moves were made in).

A candidate that is realised is always evaluated in decimal, so the positions it hands on are exact.
Float64 errors inside one evaluation are about 1e-14 on the 0..100 scale, far inside the margins, so
every decision equals the exact engine's and so do the numbers (the outputs come from the decimal
state). If a float64 decision that looked safe is contradicted by decimal (never seen), the run
raises :class:`NeedExact` and the caller runs the member in the exact engine instead.

"In decimal" need not mean a whole evaluation. When float64 surely took one branch of EVALUATE (the
test μ_I > D_q decided beyond a bound on its float64 error, :func:`_branch_margin`) and no overshoot
guard fired, every decimal number of the candidate is that branch's formulas alone, in the exact
engine's operations: the gain of a near tie (:meth:`_CheckedRound.decimal_gain`), the moves, positions
and gain of a realised candidate (:meth:`_CheckedRound.realised_eval`), and the new position of a side
that moved all the way onto a limit (:meth:`_CheckedRound._ok_landing`). The realisation loop keeps the
list as an array of candidate numbers sorted by a float64 key (the decimal gain rounded to float64
where it is known) and passes over near-tie stretches already in the exact engine's order; below
:data:`SMALL` candidate slots the same loop runs on Python lists (:func:`_play_round_small`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal, localcontext
from operator import attrgetter

import numpy as np

from realpolitik.models.exchange_fast import _template
from realpolitik.models.exchange_scalar import (
    _NEG,
    _NONE,
    _POS,
    DECIMAL_CONTEXT,
    Arith,
    RunData,
    ScalarRun,
    _Cand,
    _merge,
    _pairings,
    _Round,
    exact_player,
    run_rounds,
)

TOL = 1e-9
"""Margin on the internal 0..100 scale under which a float64 comparison is re-done in decimal."""
BAND = 1e-7
"""After the overshoot guard (whose move is a difference of nearly equal sums) a move within this of
ε = 1e-10 is re-evaluated in decimal."""
REL_BAND = 1e-4
"""Before the overshoot guard, a move or gain is known to a relative 1e-4 or better (its distance is
at least 1e-9, known to 3e-14): one within that of ε is re-evaluated in decimal."""
GAIN_TOL = 1e-9
"""Relative gap (plus :data:`GAIN_ABS`) under which neighbouring gains are compared in decimal."""
GAIN_ABS = 1e-11
BRANCH_REL = 1e-3
"""EVALUATE's branch test μ_I > D_q is surely decided alike in float64 and decimal when the two sides
differ by more than this share of their sum (else :func:`_branch_margin` bounds the float64 error)."""

FEW_PAIRS = 24
"""Up to this many near pairs in a step, the near-tie check runs on Python lists instead of NumPy."""
SWITCH_SHARE = 0.25
"""After a round in which decimal evaluations exceeded this share of all evaluations, the rest of the
run uses the exact engine's rounds (same state, same results; cheaper when most decisions need
decimal anyway)."""
SMALL = 3000
"""Problems with fewer candidate slots (actors² × issue pairs × 2) create candidates one by one and run
the realisation loop in Python lists (:func:`_play_round_small`); NumPy's per-call cost dominates there
(measured: 8 × 4 about 25% faster, 12 × 5 about 10%; from 15 × 6 on NumPy is faster)."""

_UNSURE = 2  # third value of the three-valued admissibility test
_QUIET, _FIRED = 0, 1  # the float64 overshoot guard: it does not fire, it fires (or _UNSURE)


class NeedExact(Exception):
    """Decimal contradicted a float64 decision taken as safe (never seen): run the exact engine."""


def _near_limit(hs: float, moves: tuple[float | None, ...]) -> bool:
    """Whether Σ H + m may be within reach of the limit 100 for one of ``moves`` (or none)."""
    if not hs:
        return False
    return any(abs(hs + (m or 0.0) - 100.0) <= 1e-6 for m in (*moves, None))


def _branch_margin(muI: float, Dp: float, Dq: float, dI: float, uJ: float, dJ: float, uI: float) -> float:
    """A bound on the float64 error of μ_I − D_q. The positions are correctly rounded copies (error at
    most 2⁻⁵³ of their size), so D_p and D_q are off by at most 2⁻⁵² (|a| + |b|) plus their own
    rounding; μ_I is D_p times a product of seven roundings. Kept generous (×4): a branch this close is
    simply left to decimal."""
    u = 1.2e-16
    err_dp = 2 * u * (abs(dI) + abs(uJ)) + u * Dp
    err_dq = 2 * u * (abs(dJ) + abs(uI)) + u * Dq
    return 4.0 * (muI * (err_dp / Dp + 10 * u) + err_dq)


def _branch_margin_arr(
    muI: np.ndarray,
    Dp: np.ndarray,
    Dq: np.ndarray,
    dI: np.ndarray,
    uJ: np.ndarray,
    dJ: np.ndarray,
    uI: np.ndarray,
) -> np.ndarray:
    """:func:`_branch_margin` on arrays."""
    u = 1.2e-16
    err_dp = 2 * u * (np.abs(dI) + np.abs(uJ)) + u * Dp
    err_dq = 2 * u * (np.abs(dJ) + np.abs(uI)) + u * Dq
    return 4.0 * (muI * (err_dp / Dp + 10 * u) + err_dq)


class _Cand2:
    """One candidate: float64 working copy, decimal carried state, and its latest decimal evaluation."""

    __slots__ = (
        "G",
        "aI",
        "aJ",
        "alive",
        "bI",
        "bJ",
        "br",
        "cIq",
        "cJp",
        "cd",
        "csIf",
        "csJf",
        "dI",
        "dJ",
        "dc",
        "gd",
        "gk",
        "hcI",
        "hcJ",
        "hist",
        "hsI",
        "hsJ",
        "ix",
        "m0I",
        "m0J",
        "mI",
        "mJ",
        "oI",
        "oJ",
        "p",
        "pre",
        "q",
        "rec",
        "sIp",
        "sIq",
        "sJp",
        "sJq",
        "stamp",
        "uI",
        "uId",
        "uJ",
        "uJd",
        "valid",
        "xbI",
        "xbJ",
        "yI",
        "yJ",
    )
    G: float
    aI: int
    aJ: int
    alive: bool
    bI: float
    bJ: float
    """float64 sums of the overshoot guard on I's and J's supply issue without the supplier's term, with
    the other actors' recorded positions (``oI``, ``oJ``: the supplier's own record, or None)"""
    br: int
    """branch of EVALUATE in the latest float64 evaluation, when float64 surely agrees with decimal: 1 for
    (a) J moves all the way, 2 for (b) I moves all the way; 0 when too close to call"""
    cIq: float
    cJp: float
    csIf: float
    csJf: float
    """s_Iq·c_Iq and s_Jp·c_Jp in float64 (the supplier's weight in the guard's sums)"""
    cd: _Cand | None
    """the decimal evaluation when it is current (else None)"""
    dI: float
    dc: _Cand | None
    """the decimal copy of this candidate (fixed fields set once; None until first needed)"""
    dJ: float
    gd: Decimal | None
    """the decimal gain of the current state, when known"""
    gk: int
    """``br`` when no overshoot guard fired either (the gain is then the formula of that branch, and
    :meth:`_CheckedRound.decimal_gain` gives it in decimal in a few operations); else 0"""
    hcI: int
    hcJ: int
    hist: list[tuple[int, Decimal, Decimal, dict[tuple[int, int], Decimal]]]
    """per carry-over: (side, u_I, u_J, records) of the evaluation whose move joined the history"""
    hsI: float
    hsJ: float
    ix: int
    """the candidate's number in the round (creation order among those valid at creation)"""
    m0I: float | None
    m0J: float | None
    """float64 moves before the overshoot guard in the latest float64 evaluation (None: not reached)"""
    mI: float
    mJ: float
    oI: float | None
    oJ: float | None
    p: int
    pre: tuple[float, float, float, float, float] | None
    """float64 (m_I, m_J, y_I, y_J, G) before the overshoot guard, when those were surely admissible"""
    q: int
    rec: dict[tuple[int, int], Decimal]
    sIp: float
    sIq: float
    sJp: float
    sJq: float
    stamp: int
    uI: float
    uId: Decimal
    uJ: float
    uJd: Decimal
    valid: bool
    xbI: float
    xbJ: float
    yI: float
    yJ: float


def _vector_ok(m: np.ndarray, y: np.ndarray, band: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """OK(X) for a side without history, vectorised: (unsure, surely admissible if not unsure)."""
    am = np.abs(m)
    unsure = (np.abs(am - eps) <= band) | (np.abs(am - 100.0) <= TOL) | (np.abs(y) <= TOL)
    unsure |= np.abs(y - 100.0) <= TOL
    good = (am > eps) & (am <= 100.0) & (y >= 0.0) & (y <= 100.0)
    return unsure, good


class _Plan:
    """What stays fixed for a run: the candidate template in creation order, eligibility, the roles
    (from decimal salience ratios), and float64 arrays of saliences and powers."""

    def __init__(
        self, s: list[list[Decimal]], sf: list[list[float]], cf: list[list[float]], el: list[list[bool]]
    ):
        n_actors = len(s)
        n_issues = len(s[0]) if n_actors else 0
        self.eligible = el
        self.small = n_actors * n_actors * n_issues * (n_issues - 1) < SMALL
        self.s_arr = np.array(sf, dtype=float).reshape(n_actors, n_issues)
        self.c_arr = np.array(cf, dtype=float).reshape(n_actors, n_issues)
        elig = np.array(el, dtype=bool).reshape(n_actors, n_issues)
        self.template = _template(n_actors, n_issues)
        tp, tq, ti, tj, _ = self.template
        self.both_eligible = elig[ti, tp] & elig[ti, tq] & elig[tj, tp] & elig[tj, tq]
        # role[p, q, i, j]: s_ip / s_iq < s_jp / s_jq in decimal (then j is I; ties: i)
        self.role = np.zeros((n_issues, n_issues, n_actors, n_actors), dtype=bool)
        for p in range(n_issues):
            for q in range(p + 1, n_issues):
                ratio = [s[k][p] / s[k][q] if el[k][p] and el[k][q] else None for k in range(n_actors)]
                for i, ri in enumerate(ratio):
                    if ri is None:
                        continue
                    for j, rj in enumerate(ratio):
                        if rj is not None and ri < rj:
                            self.role[p, q, i, j] = True
        self.role_rows = self.role.tolist()


class _CheckedRound:
    """One round: the exact engine's decimal round data, float64 copies, and the candidate operations."""

    def __init__(
        self,
        x: list[list[Decimal]],
        data: RunData,
        sf: list[list[float]],
        cf: list[list[float]],
        small: bool,
        memo: dict[tuple[int, int], tuple[Decimal, float, dict[int, float]]],
    ) -> None:
        self.rd = _Round(x, data)
        self.x, self.s, self.c = x, data.s, data.c
        # float64 copies; ``memo`` (the run's, by position) spares converting again the positions
        # that did not move since the last round, and their terms (the same decimal objects and
        # values: a conversion costs several decimal operations)
        self.xf = xf = [[0.0] * len(row) for row in x]
        for k, row in enumerate(x):
            for d, v in enumerate(row):
                was = memo.get((k, d))
                if was is None or was[0] is not v:
                    was = memo[k, d] = (v, float(v), {})
                xf[k][d] = was[1]
        self.sf, self.cf = sf, cf
        self.Wf = [float(w) for w in self.rd.W]
        self.Sf = [float(pref[-1]) for pref in self.rd.prefix]
        self.Tf = []
        for d, terms in enumerate(self.rd.terms):
            col: dict[int, float] = {}
            for k, t in terms.items():
                cache = memo[k, d][2]
                f = cache.get(0)
                if f is None:
                    f = cache[0] = float(t)
                col[k] = f
            self.Tf.append(col)
        self.eps = float(data.ar.eps)
        self._zero, self._hundred = data.ar.zero, data.ar.hundred
        self.n_float = self.n_decimal = self.n_created = self.n_gain = 0
        if small:  # the NumPy copies serve the vectorised creation only
            return
        n_issues = len(self.Wf)
        self.X = np.array(self.xf, dtype=float).reshape(-1, n_issues)
        self.S_tot = np.asarray(self.Sf, dtype=float)
        self.T_arr = np.zeros(self.X.shape)
        for d, col in enumerate(self.Tf):
            for k, t in col.items():
                self.T_arr[k, d] = t

    # ------------------------------------------------------------------ float64 evaluation
    def _ok(self, m: float, y: float, hs: float, hc: int, band: float = BAND) -> int:
        """OK(X) in float64: 1, 0, or ``_UNSURE`` when a comparison is within its margin (``band``
        around ε for the size of the move)."""
        am = abs(m)
        if abs(am - self.eps) <= band or abs(am - 100.0) <= TOL or abs(y) <= TOL or abs(y - 100.0) <= TOL:
            return _UNSURE
        if hs and abs(hs + m - 100.0) <= TOL:
            return _UNSURE  # the decimal evaluation settles it with the exact history sum
        if am <= self.eps or am > 100.0 or y < 0.0 or y > 100.0 or hs + m > 100.0:
            return 0
        if m > 0.0:
            return hc == _NONE or hc == _POS
        return hc == _NONE or hc == _NEG

    def _ok_landing(self, e: _Cand2, side_i: bool, m: float, y: float, hs: float, hc: int) -> int:
        """OK(X) before the guard for a side that moved all the way to its partner's position, when
        float64 could not tell whether the new position stays within 0..100 (a partner on a limit):
        that one test is taken on the decimal position (u + m with m = ±|d − u|, the exact engine's
        operations), the others in float64 as in :meth:`_ok`."""
        am = abs(m)
        if abs(am - self.eps) <= REL_BAND * am or abs(am - 100.0) <= TOL:
            return _UNSURE
        if hs and abs(hs + m - 100.0) <= TOL:
            return _UNSURE
        if side_i:  # I supplies q and moves to J's position d_J
            u, d = e.uId, self.x[e.aJ][e.q]
        else:  # J supplies p and moves to I's position d_I
            u, d = e.uJd, self.x[e.aI][e.p]
        self.n_gain += 1
        mu = abs(d - u)
        yd = u + (-mu if u > d else mu)
        if am <= self.eps or am > 100.0 or not (self._zero <= yd <= self._hundred) or hs + m > 100.0:
            return 0
        if m > 0.0:
            return hc == _NONE or hc == _POS
        return hc == _NONE or hc == _NEG

    def _float_eval(self, e: _Cand2) -> bool:
        """Evaluate ``e`` in float64; True when a decision needs decimal."""
        self.n_float += 1
        Wf = self.Wf
        P = Wf[e.p]
        Q = Wf[e.q]
        uI, uJ, dI, dJ = e.uI, e.uJ, e.dI, e.dJ
        sIp, sIq, sJp, sJq, cIq, cJp = e.sIp, e.sIq, e.sJp, e.sJq, e.cIq, e.cJp
        Dp = abs(dI - uJ)
        Dq = abs(dJ - uI)
        e.m0I = e.m0J = None
        if Dp <= TOL or Dq <= TOL:
            # |m_J| <= D_p and |m_I| <= D_q (and the positions are within 3e-14 of the decimals): a
            # distance under ε/2 makes a move under ε, which is inadmissible in either arithmetic
            if Dp < 0.5 * self.eps or Dq < 0.5 * self.eps:
                e.valid = False
                return False
            return True
        dp = ((Dp * sJp) * cJp) / P
        dq = ((sJp + sIp) / (sJq + sIq)) * dp
        muI = (dq * Q) / (cIq * sIq)
        muJ = Dp
        gap = muI - Dq
        if abs(gap) > BRANCH_REL * (muI + Dq) or abs(gap) > _branch_margin(muI, Dp, Dq, dI, uJ, dJ, uI):
            e.br = 2 if gap > 0.0 else 1
        else:
            e.br = 0
        if muI > Dq:
            dq = ((Dq * sIq) * cIq) / Q
            dp = ((sIq + sJq) / (sIp + sJp)) * dq
            muI = Dq
            muJ = (dp * P) / (cJp * sJp)
        mI = -muI if uI > dJ else muI
        mJ = -muJ if uJ > dI else muJ
        yI = uI + mI
        yJ = uJ + mJ
        G = abs(dq * sIq - dp * sIp)
        e.mI, e.mJ, e.yI, e.yJ, e.G = mI, mJ, yI, yJ, G
        e.m0I, e.m0J = mI, mJ
        okI = self._ok(mI, yI, e.hsI, e.hcI, REL_BAND * abs(mI))
        if okI == _UNSURE and e.br == 2:  # I moved all the way: near a limit, its position is cheap
            okI = self._ok_landing(e, True, mI, yI, e.hsI, e.hcI)
        okJ = self._ok(mJ, yJ, e.hsJ, e.hcJ, REL_BAND * abs(mJ))
        if okJ == _UNSURE and e.br == 1:  # J moved all the way
            okJ = self._ok_landing(e, False, mJ, yJ, e.hsJ, e.hcJ)
        eps = self.eps
        okG = _UNSURE if abs(G - eps) <= REL_BAND * eps + 1e-14 * (dq * sIq + dp * sIp) else G >= eps
        if not (okI and okJ and okG):
            e.valid = False
            return False
        if _UNSURE in (okI, okJ, okG):
            return True
        e.pre = (mI, mJ, yI, yJ, G)
        return self._post(e)

    def _post(self, e: _Cand2) -> bool:
        """The overshoot guard and the final admissibility from ``e.pre`` (a refresh that only recorded a
        partner's position changes nothing before the guard); True when a decision needs decimal."""
        pre = e.pre
        assert pre is not None
        e.mI, e.mJ, e.yI, e.yJ, e.G = pre
        yI, yJ = pre[2], pre[3]
        e.gk = e.br
        e.gd = None
        # the quiet case of both guards inline (most evaluations); :meth:`_overshoot` otherwise
        Wf = self.Wf
        sA, base, t, Wa = e.csIf, e.bI, e.dJ, Wf[e.q]
        r0 = t - (base + e.uI * sA) / Wa
        r1 = t - (base + yI * sA) / Wa
        if abs(r0) <= TOL or abs(r1) <= TOL or (r0 > 0.0) != (r1 > 0.0):
            fired_i = self._overshoot(e, True)
            if fired_i == _UNSURE:
                return True
        else:
            fired_i = _QUIET
        if fired_i:
            fired_j = self._overshoot(e, False)
        else:
            sA, base, t, Wa = e.csJf, e.bJ, e.dI, Wf[e.p]
            r0 = t - (base + e.uJ * sA) / Wa
            r1 = t - (base + yJ * sA) / Wa
            if abs(r0) <= TOL or abs(r1) <= TOL or (r0 > 0.0) != (r1 > 0.0):
                fired_j = self._overshoot(e, False)
            else:
                fired_j = _QUIET
        if fired_j == _UNSURE:
            return True
        if not (fired_i or fired_j):
            # the moves passed OK(I) and OK(J) before the guard, with margins for their size, and the
            # history has not changed since: the same decisions stand
            e.valid = True
            return False
        okI = self._ok(e.mI, e.yI, e.hsI, e.hcI)
        okJ = self._ok(e.mJ, e.yJ, e.hsJ, e.hcJ)
        if not (okI and okJ):
            e.valid = False
            return False
        if _UNSURE in (okI, okJ):
            return True
        e.valid = True
        return False

    def _overshoot(self, e: _Cand2, side_i: bool) -> int:
        """OVERSHOOT in float64 (any summation order will do here): :data:`_QUIET` when the guard surely
        does not fire, :data:`_FIRED` when it surely fires (the moves are then changed), ``_UNSURE`` when
        the decision needs decimal."""
        if side_i:
            a, uA, yA, t, sA, base = e.q, e.uI, e.yI, e.dJ, e.csIf, e.bI
        else:
            a, uA, yA, t, sA, base = e.p, e.uJ, e.yJ, e.dI, e.csJf, e.bJ
        Wa = self.Wf[a]
        r0 = t - (base + uA * sA) / Wa
        r1 = t - (base + yA * sA) / Wa
        if abs(r0) <= TOL or abs(r1) <= TOL:
            return _UNSURE
        if (r0 > 0.0) == (r1 > 0.0):
            return _QUIET
        if side_i:
            b, own = e.p, e.oI
            sAa, cAa, sBa, sAb, sBb, cBb = e.sIq, e.cIq, e.sJq, e.sIp, e.sJp, e.cJp
            uB, dA = e.uJ, e.dI
        else:
            b, own = e.q, e.oJ
            sAa, cAa, sBa, sAb, sBb, cBb = e.sJp, e.cJp, e.sIp, e.sJq, e.sIq, e.cIq
            uB, dA = e.uI, e.dJ
        if abs(uA - t) <= TOL or abs(uB - dA) <= TOL:
            return _UNSURE
        T = base + (uA if own is None else own) * sA
        delta = abs((t * Wa - T) / (sAa * cAa))
        da = ((delta * sAa) * cAa) / Wa
        db = ((sAa + sBa) / (sAb + sBb)) * da
        muB = abs((db * self.Wf[b]) / (cBb * sBb))
        mA = -delta if uA > t else delta
        mB = -muB if uB > dA else muB
        if side_i:
            e.mI, e.mJ = mA, mB
        else:
            e.mJ, e.mI = mA, mB
        e.yI = e.uI + e.mI
        e.yJ = e.uJ + e.mJ
        e.G = abs(db * sBb - da * sBa)
        e.gk = 0  # the gain now depends on the guard's sums
        return _FIRED

    # ------------------------------------------------------------------ decimal evaluation
    def decimal_eval(self, e: _Cand2) -> _Cand:
        """Evaluate ``e`` as the exact engine does; its float copy then holds the rounded results."""
        self.n_decimal += 1
        d = e.dc
        if d is None:
            d = e.dc = self._decimal_copy(e)
            d.rec = e.rec
        d.uI, d.uJ = e.uId, e.uJd
        # The float64 history sums are within ~1e-13 of the decimal ones, which decides the test
        # Σ H + m <= 100 alike unless it is near its limit; then the exact sums are replayed.
        d.hsI, d.hsJ = Decimal(e.hsI), Decimal(e.hsJ)
        d.hcI, d.hcJ = e.hcI, e.hcJ
        self.rd.evaluate(d)
        if e.hist and (_near_limit(e.hsI, (e.m0I, float(d.mI))) or _near_limit(e.hsJ, (e.m0J, float(d.mJ)))):
            d.hsI, d.hsJ = self._exact_history(e)
            self.rd.evaluate(d)
        e.valid = d.valid
        e.mI, e.mJ, e.yI, e.yJ, e.G = float(d.mI), float(d.mJ), float(d.yI), float(d.yJ), float(d.G)
        e.cd = d
        e.gd = d.G
        return d

    def realised_eval(self, e: _Cand2) -> _Cand:
        """The decimal evaluation of a candidate about to be realised. When its float64 evaluation was
        sure of everything (valid, the branch ``e.gk`` of EVALUATE, no overshoot guard firing), the
        decimal moves, positions and gain are that branch's formulas alone, in the exact engine's
        operations (about a dozen, instead of a whole evaluation with the guard's sums)."""
        gk = e.gk
        if e.cd is not None or not gk or not e.valid:
            return e.cd if e.cd is not None else self.decimal_eval(e)
        self.n_gain += 1
        d = e.dc
        if d is None:
            d = e.dc = self._decimal_copy(e)
            d.rec = e.rec
        uI, uJ = d.uI, d.uJ = e.uId, e.uJd
        dI, dJ = d.dI, d.dJ
        if gk == 1:  # (a) J moves all the way to I's position on p
            muJ = abs(dI - uJ)
            dp = ((muJ * d.sJp) * d.cJp) / self.rd.W[e.p]
            dq = d.r1 * dp
            muI = (dq * self.rd.W[e.q]) / d.csI
        else:  # (b) I moves all the way to J's position on q
            muI = abs(dJ - uI)
            dq = ((muI * d.sIq) * d.cIq) / self.rd.W[e.q]
            dp = d.r2 * dq
            muJ = (dp * self.rd.W[e.p]) / d.csJ
        d.mI = mI = -muI if uI > dJ else muI
        d.mJ = mJ = -muJ if uJ > dI else muJ
        d.yI = uI + mI
        d.yJ = uJ + mJ
        d.G = abs(dq * d.sIq - dp * d.sIp)
        d.valid = True
        e.cd = d
        e.gd = d.G
        return d

    def decimal_gain(self, e: _Cand2) -> Decimal:
        """The decimal gain of ``e``'s current state. When the float64 evaluation surely took the
        branch ``e.gk`` of EVALUATE and no overshoot guard fired, the gain is that branch's formula
        alone: a few decimal operations, in the exact engine's order, instead of a whole evaluation."""
        gd = e.gd
        if gd is not None:
            return gd
        gk = e.gk
        if not gk:
            return self.decimal_eval(e).G
        self.n_gain += 1
        x, s, c, W = self.x, self.s, self.c, self.rd.W
        aI, aJ, p, q = e.aI, e.aJ, e.p, e.q
        r1, r2, _, _ = self._pair(e)
        sIp, sIq, sJp = s[aI][p], s[aI][q], s[aJ][p]
        if gk == 1:  # (a) J moves all the way to I's position on p
            dp = ((abs(x[aI][p] - e.uJd) * sJp) * c[aJ][p]) / W[p]
            dq = r1 * dp
        else:  # (b) I moves all the way to J's position on q
            dq = ((abs(x[aJ][q] - e.uId) * sIq) * c[aI][q]) / W[q]
            dp = r2 * dq
        gd = e.gd = abs(dq * sIq - dp * sIp)
        return gd

    def _pair(self, e: _Cand2) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        """The pair's salience and power expressions (r1, r2, c_Iq·s_Iq, c_Jp·s_Jp), shared with the
        exact engine's cache."""
        key = (e.aI, e.aJ, e.p, e.q)
        k = self.rd.pairs.get(key)
        if k is None:
            d = self._decimal_copy(e)  # fills the cache
            k = (d.r1, d.r2, d.csI, d.csJ)
        return k

    def _decimal_copy(self, e: _Cand2) -> _Cand:
        x, s, c = self.x, self.s, self.c
        aI, aJ, p, q = e.aI, e.aJ, e.p, e.q
        d = _Cand()
        d.aI, d.aJ, d.p, d.q = aI, aJ, p, q
        d.sIp, d.sIq, d.sJp, d.sJq = s[aI][p], s[aI][q], s[aJ][p], s[aJ][q]
        d.cIq, d.cJp = c[aI][q], c[aJ][p]
        d.xbI, d.xbJ = x[aI][q], x[aJ][p]
        d.dI, d.dJ = x[aI][p], x[aJ][q]
        self.rd.set_constants(d)
        return d

    def _exact_history(self, e: _Cand2) -> tuple[Decimal, Decimal]:
        """The exact history sums Σ H_I, Σ H_J: each carried-over move re-evaluated in decimal from the
        state it was made in (a move does not depend on the history; its admissibility does)."""
        zero = self.rd.ar.zero
        hs = [zero, zero]
        hc = [_NONE, _NONE]
        d = self._decimal_copy(e)
        for side, uI, uJ, rec in e.hist:
            d.uI, d.uJ, d.rec = uI, uJ, rec
            d.hsI, d.hsJ, d.hcI, d.hcJ = hs[0], hs[1], hc[0], hc[1]
            self.rd.evaluate(d)
            m = d.mI if side == 1 else d.mJ
            hs[side - 1] = hs[side - 1] + m
            hc[side - 1] = _merge(hc[side - 1], float(m), 0.0)
        return hs[0], hs[1]

    def evaluate(self, e: _Cand2) -> None:
        e.cd = None
        e.gd = None
        e.pre = None
        if self._float_eval(e):
            self.decimal_eval(e)

    # ------------------------------------------------------------------ candidates
    def create(self, plan: _Plan) -> list[_Cand2]:
        """The round's candidates in creation order, evaluated; those invalid at creation (gone for the
        round) are left out. The float64 evaluation runs on all of them at once (one by one for small
        problems, where NumPy's per-call cost would dominate)."""
        x, out = self.x, self.rd.O
        n_actors, n_issues = len(x), len(out)
        left_rows = [[x[k][d] <= out[d] for d in range(n_issues)] for k in range(n_actors)]
        if plan.small:
            return self._create_scalar(plan, left_rows)
        left = np.array(left_rows, dtype=bool).reshape(n_actors, n_issues)
        tp, tq, ti, tj, blk = plan.template
        lip, liq, ljp, ljq = left[ti, tp], left[ti, tq], left[tj, tp], left[tj, tq]
        grp = np.where(blk == 0, ~lip & ~liq & ljp & ljq, lip & ~liq & ~ljp & ljq) & plan.both_eligible
        idx = np.flatnonzero(grp)
        if not idx.size:
            return []
        p, q, i, j = tp[idx], tq[idx], ti[idx], tj[idx]
        swap = plan.role[p, q, i, j]
        aI = np.where(swap, j, i)
        aJ = np.where(swap, i, j)
        valid, flag, v = self._vector_eval(aI, aJ, p, q, plan)
        self.n_created += int(idx.size)
        keep = np.flatnonzero(valid | flag)
        cands: list[_Cand2] = []
        cols = [arr[keep].tolist() for arr in (aI, aJ, p, q, flag, *v)]
        for ai, aj, pp, qq, fl, mI, mJ, yI, yJ, G, m0I, m0J, y0I, y0J, G0, br, gk in zip(*cols, strict=True):
            e = self._blank(ai, aj, pp, qq)
            e.mI, e.mJ, e.yI, e.yJ, e.G = mI, mJ, yI, yJ, G
            e.pre = (m0I, m0J, y0I, y0J, G0)
            e.br, e.gk, e.gd = br, gk, None
            e.valid = True
            if fl:  # the scalar float64 evaluation settles some decisions cheaper than decimal
                self.n_float -= 1  # (counted at creation already)
                self.evaluate(e)
                if not e.valid:
                    continue
            cands.append(e)
        return cands

    def _blank(self, ai: int, aj: int, p: int, q: int) -> _Cand2:
        """A new candidate (I gives on ``q``, J on ``p``) at the round's start: its float64 working copy
        and empty history, before any evaluation."""
        x, xf, sf, cf, Sf, Tf = self.x, self.xf, self.sf, self.cf, self.Sf, self.Tf
        e = _Cand2()
        e.aI, e.aJ, e.p, e.q = ai, aj, p, q
        e.sIp, e.sIq, e.sJp, e.sJq = sf[ai][p], sf[ai][q], sf[aj][p], sf[aj][q]
        e.cIq, e.cJp = cf[ai][q], cf[aj][p]
        e.xbI = e.uI = xf[ai][q]
        e.xbJ = e.uJ = xf[aj][p]
        e.uId, e.uJd = x[ai][q], x[aj][p]
        e.dI, e.dJ = xf[ai][p], xf[aj][q]
        e.hsI = e.hsJ = 0.0
        e.hcI = e.hcJ = _NONE
        e.rec = {}
        e.bI, e.bJ, e.oI, e.oJ = Sf[q] - Tf[q][ai], Sf[p] - Tf[p][aj], None, None
        e.csIf, e.csJf = e.sIq * e.cIq, e.sJp * e.cJp
        e.dc = None
        e.cd = None
        e.hist = []
        e.m0I = e.m0J = None
        e.alive = False
        e.stamp = -1
        return e

    def _create_scalar(self, plan: _Plan, left: list[list[bool]]) -> list[_Cand2]:
        cands: list[_Cand2] = []
        for p, q, g1, g2 in _pairings(plan.eligible, left):
            rpq = plan.role_rows[p][q]
            for i in g1:
                for j in g2:
                    ai, aj = (j, i) if rpq[i][j] else (i, j)
                    e = self._blank(ai, aj, p, q)
                    self.evaluate(e)
                    if e.valid:
                        cands.append(e)
        return cands

    def _vector_eval(
        self, aI: np.ndarray, aJ: np.ndarray, p: np.ndarray, q: np.ndarray, plan: _Plan
    ) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, ...]]:
        """EVALUATE at creation (u = round start, no history, no records) for many candidates in
        float64: (surely valid, needs decimal, (m_I, m_J, y_I, y_J, G, and the same before the
        overshoot guard))."""
        X, S, C = self.X, plan.s_arr, plan.c_arr
        W = np.asarray(self.Wf)
        eps = self.eps
        sIp, sIq, sJp, sJq = S[aI, p], S[aI, q], S[aJ, p], S[aJ, q]
        cIq, cJp = C[aI, q], C[aJ, p]
        uI, uJ = X[aI, q], X[aJ, p]
        dI, dJ = X[aI, p], X[aJ, q]
        P, Q = W[p], W[q]
        Dp = np.abs(dI - uJ)
        Dq = np.abs(dJ - uI)
        dead = (Dp < 0.5 * eps) | (Dq < 0.5 * eps)
        flag = ~dead & ((Dp <= TOL) | (Dq <= TOL))
        with np.errstate(divide="ignore", invalid="ignore"):
            dp = ((Dp * sJp) * cJp) / P
            dq = ((sJp + sIp) / (sJq + sIq)) * dp
            muI = (dq * Q) / (cIq * sIq)
            muJ = Dp.copy()
            gap = muI - Dq
            br = np.where(
                np.abs(gap) > _branch_margin_arr(muI, Dp, Dq, dI, uJ, dJ, uI), np.where(gap > 0.0, 2, 1), 0
            )
            bb = muI > Dq
            dq_b = ((Dq * sIq) * cIq) / Q
            dp_b = ((sIq + sJq) / (sIp + sJp)) * dq_b
            dq = np.where(bb, dq_b, dq)
            dp = np.where(bb, dp_b, dp)
            muJ = np.where(bb, (dp_b * P) / (cJp * sJp), muJ)
            muI = np.where(bb, Dq, muI)
        mI = np.where(uI > dJ, -muI, muI)
        mJ = np.where(uJ > dI, -muJ, muJ)
        yI, yJ = uI + mI, uJ + mJ
        G = np.abs(dq * sIq - dp * sIp)
        unI, goodI = _vector_ok(mI, yI, REL_BAND * np.abs(mI), eps)
        unJ, goodJ = _vector_ok(mJ, yJ, REL_BAND * np.abs(mJ), eps)
        unG = np.abs(G - eps) <= REL_BAND * eps + 1e-14 * (dq * sIq + dp * sIp)
        goodG = G >= eps
        sure_bad = (~unI & ~goodI) | (~unJ & ~goodJ) | (~unG & ~goodG) | dead
        flag |= ~sure_bad & (unI | unJ | unG)
        pre = ~sure_bad & ~flag
        before = (mI.copy(), mJ.copy(), yI.copy(), yJ.copy(), G.copy())
        fired = np.zeros(aI.shape, dtype=bool)
        for side_i in (True, False):
            k = np.flatnonzero(pre & ~flag)
            if not k.size:
                break
            if side_i:
                a, b, A, uA, yA, t = q[k], p[k], aI[k], uI[k], yI[k], dJ[k]
                sAa, cAa, sBa, sAb, sBb, cBb = sIq[k], cIq[k], sJq[k], sIp[k], sJp[k], cJp[k]
                uB, dA = uJ[k], dI[k]
            else:
                a, b, A, uA, yA, t = p[k], q[k], aJ[k], uJ[k], yJ[k], dI[k]
                sAa, cAa, sBa, sAb, sBb, cBb = sJp[k], cJp[k], sIp[k], sJq[k], sIq[k], cIq[k]
                uB, dA = uI[k], dJ[k]
            Wa = W[a]
            sA = S[A, a] * C[A, a]
            base = self.S_tot[a] - self.T_arr[A, a]
            r0 = t - (base + uA * sA) / Wa
            r1 = t - (base + yA * sA) / Wa
            fl = (np.abs(r0) <= TOL) | (np.abs(r1) <= TOL)
            trig = ~fl & ((r0 > 0) != (r1 > 0))
            fl |= trig & ((np.abs(uA - t) <= TOL) | (np.abs(uB - dA) <= TOL))
            flag[k[fl]] = True
            go = trig & ~fl
            if go.any():
                kk = k[go]
                T = (base + uA * sA)[go]
                delta = np.abs((t[go] * Wa[go] - T) / (sAa[go] * cAa[go]))
                da = ((delta * sAa[go]) * cAa[go]) / Wa[go]
                db = ((sAa[go] + sBa[go]) / (sAb[go] + sBb[go])) * da
                muB = np.abs((db * W[b[go]]) / (cBb[go] * sBb[go]))
                mA = np.where(uA[go] > t[go], -delta, delta)
                mB = np.where(uB[go] > dA[go], -muB, muB)
                if side_i:
                    mI[kk], mJ[kk] = mA, mB
                else:
                    mJ[kk], mI[kk] = mA, mB
                yI[kk] = uI[kk] + mI[kk]
                yJ[kk] = uJ[kk] + mJ[kk]
                G[kk] = np.abs(db * sBb[go] - da * sBa[go])
                fired[kk] = True
        valid = pre & ~flag & ~fired  # the guard did not move them: OK before the guard stands
        k = np.flatnonzero(pre & ~flag & fired)
        if k.size:
            unI, goodI = _vector_ok(mI[k], yI[k], np.full(k.size, BAND), eps)
            unJ, goodJ = _vector_ok(mJ[k], yJ[k], np.full(k.size, BAND), eps)
            sure_bad = (~unI & ~goodI) | (~unJ & ~goodJ)
            flag[k[~sure_bad & (unI | unJ)]] = True
            valid[k[~sure_bad & ~unI & ~unJ]] = True
        return valid, flag, (mI, mJ, yI, yJ, G, *before, br, np.where(fired, 0, br))

    def _record(self, e: _Cand2, issue: int, actor: int, y: Decimal, xbar: Decimal, yf: float) -> None:
        """Record ``actor``'s position ``y`` on ``issue`` in ``e`` (the exact engine's rule) and, when
        the record changes, the guard's float64 sums with it: ``e.bI``/``e.bJ`` take the change of the
        actor's term, or ``e.oI``/``e.oJ`` the supplier's own record (any summation order will do for
        the float64 guard, whose decisions keep a margin of 1e-9)."""
        key = (issue, actor)
        old = e.rec.get(key)
        self.rd._record(e, issue, actor, y, xbar)  # type: ignore[arg-type]
        if e.rec[key] is old:
            return
        side_i = issue == e.q
        if actor == (e.aI if side_i else e.aJ):
            if side_i:
                e.oI = yf
            else:
                e.oJ = yf
            return
        xf = self.xf[actor][issue]
        change = (((yf - xf) if old is None else (yf - float(old))) * self.sf[actor][issue]) * self.cf[actor][
            issue
        ]
        if side_i:
            e.bI += change
        else:
            e.bJ += change

    def refresh(self, e: _Cand2, r: _Cand2) -> None:
        """REFRESH(e, r) with ``r`` realised (``r.cd`` is its decimal evaluation)."""
        rc = r.cd
        assert rc is not None
        carried = 0
        if e.aI == r.aI and e.q == r.q:
            carried, new_u, new_uf = 1, rc.yI, r.yI
        elif e.aI == r.aJ and e.q == r.p:
            carried, new_u, new_uf = 1, rc.yJ, r.yJ
        elif e.aJ == r.aI and e.p == r.q:
            carried, new_u, new_uf = 2, rc.yI, r.yI
        elif e.aJ == r.aJ and e.p == r.p:
            carried, new_u, new_uf = 2, rc.yJ, r.yJ
        if carried:
            e.hist.append((carried, e.uId, e.uJd, dict(e.rec)))  # the state of the move that joins H
            if carried == 1:
                e.uId = new_u
            else:
                e.uJd = new_u
        touched = False
        if (e.aI == r.aJ and e.p == r.q) or (e.aJ == r.aJ and e.q == r.q):
            self._record(e, r.q, r.aI, rc.yI, rc.xbI, r.yI)
            touched = True
        if (e.aI == r.aI and e.p == r.p) or (e.aJ == r.aI and e.q == r.p):
            self._record(e, r.p, r.aJ, rc.yJ, rc.xbJ, r.yJ)
            touched = True
        if carried == 0 and touched and e.pre is not None and e.cd is None:
            if self._post(e):  # same moves as before; only the guard can see the new record
                e.pre = None
                self.decimal_eval(e)
        elif carried or touched:
            if carried == 1:
                e.hsI = e.hsI + e.mI
                e.hcI = _merge(e.hcI, e.mI, 0.0)
                e.uI = new_uf
            elif carried == 2:
                e.hsJ = e.hsJ + e.mJ
                e.hcJ = _merge(e.hcJ, e.mJ, 0.0)
                e.uJ = new_uf
            self.evaluate(e)


_BY_GAIN = attrgetter("G")
_BY_GD = attrgetter("gd")


class _GainClasses:
    """Equal decimal gains share a number (``-1``: not known), kept per candidate in an array so that
    stretches whose order cannot change are recognised in NumPy, and the sort key: the decimal gain
    rounded to float64 (converted once per distinct gain)."""

    def __init__(self, cands: list[_Cand2], gains: np.ndarray) -> None:
        self.ids: dict[Decimal, tuple[int, float]] = {}
        self.of = np.full(len(cands), -1, dtype=np.int64)
        self.ofl = [-1] * len(cands)  # the same numbers in a list (read by the few-pairs path)
        self.gains = gains
        for e in cands:
            self.set(e)

    def set(self, e: _Cand2) -> None:
        """Note ``e``'s current gain (the decimal one when known, else the float64 one)."""
        gd = e.gd
        if gd is None:
            self.of[e.ix] = self.ofl[e.ix] = -1
            self.gains[e.ix] = e.G
            return
        known = self.ids.get(gd)
        if known is None:
            known = self.ids[gd] = (len(self.ids), float(gd))
        self.of[e.ix], self.gains[e.ix] = known
        self.ofl[e.ix] = known[0]

    def set_many(self, es: list[_Cand2]) -> None:
        """:meth:`set` for several candidates (two NumPy assignments instead of two per candidate)."""
        ix: list[int] = []
        of: list[int] = []
        key: list[float] = []
        ids, ofl = self.ids, self.ofl
        for e in es:
            ix.append(e.ix)
            gd = e.gd
            if gd is None:
                of.append(-1)
                key.append(e.G)
                ofl[e.ix] = -1
                continue
            known = ids.get(gd)
            if known is None:
                known = ids[gd] = (len(ids), float(gd))
            of.append(known[0])
            key.append(known[1])
            ofl[e.ix] = known[0]
        self.of[ix] = of
        self.gains[ix] = key


def _settle_near_ties(
    rd: _CheckedRound,
    cands: list[_Cand2],
    order: np.ndarray,
    perm: np.ndarray,
    gs: np.ndarray,
    cls: _GainClasses,
) -> None:
    """``order`` (candidate numbers) is stably sorted by float gain ``gs``; ``perm`` holds each entry's
    place in the list before the sort (``gs`` holds the decimal gain rounded to float64 where it is
    known). Where neighbours' gains are within the tolerance (chained),
    order that stretch by decimal gain, equal decimal gains keeping their order before the sort, as the
    exact engine's stable sort does (in place; ``cls`` follows the decimal evaluations).

    A stretch whose decimal gains are all known and whose neighbours are each in that order already
    (see below) is passed over (checked in NumPy)."""
    near = gs[:-1] - gs[1:] <= GAIN_TOL * gs[:-1] + GAIN_ABS
    at = np.flatnonzero(near)  # entry i is near entry i + 1
    if not at.size:
        return
    if at.size <= FEW_PAIRS:
        _settle_few(rd, cands, order, perm, gs, cls, at.tolist())
        return
    # a neighbour pair is in decide's order when both decimal gains are known and either equal with the
    # order before the sort kept, or different with different keys (rounding to float64 is monotone,
    # so the sort put the larger first)
    ids = cls.of[order]
    same = ids[:-1] == ids[1:]
    bad = near & (
        (ids[:-1] < 0) | (ids[1:] < 0) | (same & (perm[:-1] > perm[1:])) | (~same & (gs[:-1] == gs[1:]))
    )
    if not bad.any():
        return
    cut = np.flatnonzero(np.diff(at) != 1)
    starts_a = np.concatenate((at[:1], at[cut + 1]))
    ends_a = np.concatenate((at[cut], at[-1:])) + 2
    which = np.unique(np.searchsorted(starts_a, np.flatnonzero(bad), side="right") - 1)
    starts, ends = starts_a[which].tolist(), ends_a[which].tolist()
    lo, hi = starts[0], ends[-1]
    ol, pl = order[lo:hi].tolist(), perm[lo:hi].tolist()  # the window that holds the stretches
    for a, b in zip(starts, ends, strict=True):
        _settle_stretch(rd, cands, ol, pl, a - lo, b - lo, cls)
    order[lo:hi] = ol


def _settle_stretch(
    rd: _CheckedRound,
    cands: list[_Cand2],
    ol: list[int],
    pl: list[int],
    a: int,
    b: int,
    cls: _GainClasses | _GainList,
) -> None:
    """Order the stretch ``ol[a:b]`` of near-equal float gains by decimal gain, as decide orders them:
    each candidate's decimal gain (evaluated where not yet known), ties kept in their order before this
    step's sort (``pl``)."""
    group = [cands[ol[k]] for k in sorted(range(a, b), key=pl.__getitem__)]  # order before the sort
    for e in group:
        if e.gd is None:
            rd.decimal_gain(e)
            if not e.valid:  # float64 was sure it is valid: never guess
                raise NeedExact("candidate invalid in decimal")
            cls.set(e)
    group.sort(key=_BY_GD, reverse=True)
    ol[a:b] = [e.ix for e in group]


def _settle_few(
    rd: _CheckedRound,
    cands: list[_Cand2],
    order: np.ndarray,
    perm: np.ndarray,
    gs: np.ndarray,
    cls: _GainClasses,
    at: list[int],
) -> None:
    """:func:`_settle_near_ties` for a few near pairs ``at`` (entry i is near entry i + 1): the same
    test and the same ordering, in Python lists (cheaper than NumPy's per-call cost here)."""
    ol = order.tolist()
    span = _settle_lists(rd, cands, ol, perm.tolist(), gs.tolist(), cls, at)
    if span is not None:
        lo, hi = span
        order[lo:hi] = ol[lo:hi]


def _settle_lists(
    rd: _CheckedRound,
    cands: list[_Cand2],
    ol: list[int],
    pl: list[int],
    gl: list[float],
    cls: _GainClasses | _GainList,
    at: list[int],
) -> tuple[int, int] | None:
    """The core of :func:`_settle_few` on lists: reorders ``ol`` in place; returns the span of entries
    it may have changed (None: none)."""
    ofl = cls.ofl
    starts: list[int] = []
    ends: list[int] = []
    first = last = at[0]
    bad = False
    for i in at:
        if i != last + 1 and i != first:
            if bad:
                starts.append(first)
                ends.append(last + 2)
            first, bad = i, False
        last = i
        if not bad:
            x, y = ofl[ol[i]], ofl[ol[i + 1]]
            bad = x < 0 or y < 0 or (pl[i] > pl[i + 1] if x == y else gl[i] == gl[i + 1])
    if bad:
        starts.append(first)
        ends.append(last + 2)
    if not starts:
        return None
    for a, b in zip(starts, ends, strict=True):
        _settle_stretch(rd, cands, ol, pl, a, b, cls)
    return starts[0], ends[-1]


class _GainList:
    """:class:`_GainClasses` in Python lists, for the realisation loop of small problems: ``ofl`` the
    class numbers, ``keys`` the sort keys."""

    def __init__(self, cands: list[_Cand2]) -> None:
        self.ids: dict[Decimal, tuple[int, float]] = {}
        self.ofl = [-1] * len(cands)
        self.keys = [0.0] * len(cands)
        for e in cands:
            self.set(e)

    def set(self, e: _Cand2) -> None:
        gd = e.gd
        if gd is None:
            self.ofl[e.ix] = -1
            self.keys[e.ix] = e.G
            return
        known = self.ids.get(gd)
        if known is None:
            known = self.ids[gd] = (len(self.ids), float(gd))
        self.ofl[e.ix], self.keys[e.ix] = known


_Index = dict[tuple[int, int], list[_Cand2]]


def _round_candidates(rd: _CheckedRound, plan: _Plan) -> tuple[list[_Cand2], _Index, _Index]:
    """A round's valid candidates, numbered and alive, with the candidates by (supplier, issue supplied)
    and by (demander, issue demanded), which realising an exchange touches."""
    cands = [e for e in rd.create(plan) if e.valid]
    sup_index: _Index = {}
    dem_index: _Index = {}
    for i, e in enumerate(cands):
        e.ix = i
        e.alive = True
        sup_index.setdefault((e.aI, e.q), []).append(e)
        sup_index.setdefault((e.aJ, e.p), []).append(e)
        dem_index.setdefault((e.aI, e.p), []).append(e)
        dem_index.setdefault((e.aJ, e.q), []).append(e)
    return cands, sup_index, dem_index


def _play_round_small(rd: _CheckedRound, plan: _Plan) -> list[_Cand2]:
    """:func:`_play_round` in Python lists (NumPy's per-call cost dominates a few dozen candidates): the
    same stable sort by the same keys, the same near-tie test and settlement."""
    cands, sup_index, dem_index = _round_candidates(rd, plan)
    cls = _GainList(cands)
    keys = cls.keys
    live = list(range(len(cands)))  # candidate numbers in the list's current order
    realized: list[_Cand2] = []
    refresh = rd.refresh
    step = 0
    while live:
        g = [keys[i] for i in live]
        n = len(live)
        pl = sorted(range(n), key=g.__getitem__, reverse=True)  # stable: equal keys keep their order
        ol = [live[k] for k in pl]
        if n > 1:
            gl = [g[k] for k in pl]
            at = [i for i in range(n - 1) if gl[i] - gl[i + 1] <= GAIN_TOL * gl[i] + GAIN_ABS]
            if at:
                _settle_lists(rd, cands, ol, pl, gl, cls, at)
        r = cands[ol[0]]
        _realise(rd, r)
        realized.append(r)
        step += 1
        kept, dropped = _refresh_touched(r, step, refresh, sup_index, dem_index)
        for e in kept:
            cls.set(e)
        live = [i for i in ol[1:] if cands[i].alive] if dropped else ol[1:]
    return realized


def _realise(rd: _CheckedRound, r: _Cand2) -> None:
    """Take ``r`` off the list as realised: its decimal evaluation checked, the positions it hands on set."""
    rc = r.cd if r.cd is not None else rd.realised_eval(r)
    if not r.valid:  # a float64 decision the margins should have caught: never guess
        raise NeedExact("realised candidate invalid in decimal")
    r.yI, r.yJ = float(rc.yI), float(rc.yJ)  # the positions it hands on, rounded once for all
    r.alive = False


def _refresh_touched(
    r: _Cand2,
    step: int,
    refresh: Callable[[_Cand2, _Cand2], None],
    sup_index: _Index,
    dem_index: _Index,
) -> tuple[list[_Cand2], list[_Cand2]]:
    """Refresh each live candidate that realising ``r`` touches (once per step, in the order decide
    visits them); the ones still valid and the ones dropped."""
    kept: list[_Cand2] = []
    dropped: list[_Cand2] = []
    for key, index in (
        ((r.aI, r.q), sup_index),
        ((r.aJ, r.p), sup_index),
        ((r.aJ, r.q), dem_index),
        ((r.aI, r.p), dem_index),
    ):
        for e in index.get(key, ()):
            if e.alive and e.stamp != step:
                e.stamp = step
                refresh(e, r)
                if e.valid:
                    kept.append(e)
                else:
                    e.alive = False
                    dropped.append(e)
    return kept, dropped


def _play_round(rd: _CheckedRound, plan: _Plan) -> list[_Cand2]:
    """The realisation loop of :func:`exchange_scalar.realise` with the list kept as an array of candidate
    numbers and the float gains in an array (sorting and dropping run in NumPy)."""
    cands, sup_index, dem_index = _round_candidates(rd, plan)
    n = len(cands)
    # the sort key: the float64 gain, or the decimal gain rounded to float64 where it is known (equal
    # decimal gains then have equal keys, and the stable sort keeps their order as decide's does)
    gains = np.empty(n)
    cls = _GainClasses(cands, gains)
    alive = np.ones(n, dtype=bool)
    order = np.arange(n)
    realized: list[_Cand2] = []
    refresh = rd.refresh
    step = 0
    while order.size:
        g = gains[order]
        perm = np.argsort(-g, kind="stable")  # stable: equal gains keep their current order
        order = order[perm]
        if order.size > 1:
            _settle_near_ties(rd, cands, order, perm, g[perm], cls)
        r = cands[int(order[0])]
        order = order[1:]
        _realise(rd, r)
        alive[r.ix] = False
        realized.append(r)
        step += 1
        kept, dropped = _refresh_touched(r, step, refresh, sup_index, dem_index)
        if kept:
            cls.set_many(kept)
        if dropped:
            alive[[e.ix for e in dropped]] = False
            order = order[alive[order]]
    return realized


def run_checked(
    x: Sequence[Sequence[Decimal]],
    s: Sequence[Sequence[Decimal]],
    c: Sequence[Sequence[Decimal]],
    present: Sequence[Sequence[bool]],
    eligible: Sequence[Sequence[bool]],
    rounds: int,
    ar: Arith,
) -> ScalarRun:
    """The exact engine's run (:func:`exchange_scalar.run_exact`, same arguments, same result) with
    float64 evaluations where they cannot change a decision. Raises :class:`NeedExact` when one
    cannot be settled (run the exact engine then)."""
    with localcontext(DECIMAL_CONTEXT):
        data = RunData(x, s, c, present, eligible, ar)
        sf = [[float(v) for v in row] for row in data.s]
        cf = [[float(v) for v in row] for row in data.c]
        plan = _Plan(data.s, sf, cf, data.eligible)
        exact_round = exact_player(data)
        exact_rounds = False
        memo: dict[tuple[int, int], tuple[Decimal, float, dict[int, float]]] = {}

        def play(xs: list[list[Decimal]]) -> tuple[list[Decimal], Sequence[_Cand]]:
            nonlocal exact_rounds
            if exact_rounds:  # the exact engine's round on the same decimal state
                return exact_round(xs)
            rd = _CheckedRound(xs, data, sf, cf, plan.small, memo)
            done = [r.cd for r in (_play_round_small if plan.small else _play_round)(rd, plan)]
            # where most evaluations end in decimal anyway (many exact ties, as in files with round
            # numbers) the float64 pass costs more than it saves: go on with exact rounds
            exact_rounds = rd.n_decimal > SWITCH_SHARE * (rd.n_float + rd.n_created)
            return rd.rd.O, done  # type: ignore[return-value]

        return run_rounds(data, rounds, play)
