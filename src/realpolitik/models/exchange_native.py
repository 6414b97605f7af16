"""The exchange model's compiled engines (``_native/exchange.c``, ``_native/exchange_exact.c``) behind
small Python calls.

- :func:`exact_run`: the exact engine (``exchange_scalar`` with 28-digit decimals) in C, on the decimal
  arithmetic of ``_native/rp_dec.h``, whose every result equals Python's ``decimal`` in the same
  context: the same exchanges and numbers, bit for bit. Exact mode, and fast mode, run it.
- :func:`float_run`: the scalar float engine (``exchange_scalar`` with
  :func:`~realpolitik.models.exchange_scalar.float_arith`), the same operations in the same order on
  doubles, bit-identical to the Python engine's.
- :func:`run_certified`: fast mode's rounds in float64 with decimal callbacks for the decisions float64
  cannot certify, for the members the exact kernel leaves to Python.

When the compiled library is absent (no compiler at install time), stale or switched off, each returns
None and the caller runs the Python engine. The library is loaded on first use, never at import.

``ENABLED`` (module switch): set it to False to force the Python engines (tests compare the two);
``EXACT_ENABLED`` switches off the exact kernel alone.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

import numpy as np

from realpolitik._native import library
from realpolitik.models.exchange_checked import NeedExact
from realpolitik.models.exchange_scalar import (
    _NONE,
    DECIMAL_CONTEXT,
    Arith,
    RunData,
    ScalarRun,
    _Cand,
    _Round,
    exact_player,
    run_rounds,
)

ENABLED = True
"""False: :func:`float_run` and :func:`run_certified` return None (the Python engines run)."""

MAX_WORK_BYTES = 512 * 2**20
"""The kernel sizes its working memory for the most candidates a round can have (actors² / 4 per issue
pair) with room for every record; problems that would need more than this run in the Python engines
(as do runs whose memory cannot be allocated)."""


def _fits(n_actors: int, n_issues: int) -> bool:
    """Whether the kernel's working memory for a problem of this size stays under :data:`MAX_WORK_BYTES`."""
    slots = n_issues * (n_issues - 1) // 2 * (n_actors * n_actors // 4 + 1) + 1
    return slots * (512 + 18 * n_actors) <= MAX_WORK_BYTES


_FN: list[Any] = []  # the configured C function, once loaded


def _function() -> Any:
    if not ENABLED:
        return None
    if _FN:
        return _FN[0]
    lib = library()
    if lib is None:
        return None
    fn = lib.rp_exchange_float
    fn.argtypes = [ctypes.c_void_p] * 13
    fn.restype = ctypes.c_int
    _FN.append(fn)
    return fn


def available() -> bool:
    """Whether :func:`float_run` uses the compiled engine (the library is present and ``ENABLED``)."""
    return _function() is not None


@dataclass
class NativeRun:
    """A run on the internal 0..100 scale: start positions ``(R+1, A, D)``, voting positions
    ``(R, A, D)``, outcomes ``(R+1, D)``, voting outcomes ``(R, D)``, exchanges per round ``(R,)`` and
    the exchanges ``(n, 9)``: actor_i, actor_j, p, q, start_i, voting_i, start_j, voting_j, gain."""

    history: np.ndarray
    voting: np.ndarray
    outcome: np.ndarray
    voting_outcome: np.ndarray
    n_exchanges: np.ndarray
    exchanges: np.ndarray


def _output_arrays(
    rounds: int, n_actors: int, n_issues: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The buffers a kernel's run fills: start positions (R+1, A, D), voting positions (R, A, D),
    outcomes (R+1, D), voting outcomes (R, D) and exchanges per round (R,)."""
    return (
        np.empty((rounds + 1, n_actors, n_issues)),
        np.empty((rounds, n_actors, n_issues)),
        np.empty((rounds + 1, n_issues)),
        np.empty((rounds, n_issues)),
        np.zeros(rounds, dtype=np.int32),
    )


def _with_room(cap: int, width: int, call: Callable[[int, np.ndarray], int]) -> np.ndarray | None:
    """The exchange buffer of a kernel run ``call(capacity, buffer)``: rows of ``width``, ``cap`` of them
    at first. A run that realised more returns -(2 + its number) and is made again with room for them;
    -1 (no memory) and -2 (an operation left to Python) give None (the caller runs Python)."""
    while True:
        exch = np.empty((cap, width))
        rc = call(cap, exch)
        if rc == 0:
            return exch
        if rc in (-1, -2):
            return None
        cap = -rc - 2


def _capacity(rounds: int, n_actors: int, n_issues: int) -> int:
    """The first size of the exchange buffer (a run that realises more is made again with room)."""
    return max(64, rounds * n_actors * n_issues)


def float_run(
    x: np.ndarray,
    s: np.ndarray,
    c: np.ndarray,
    present: np.ndarray,
    eligible: np.ndarray,
    rounds: int,
    eps: float,
    w_sal: float,
    w_fix: float,
    tol: float,
) -> NativeRun | None:
    """:func:`exchange_scalar.run_scalar` with float arithmetic, in C (arrays ``(A, D)`` on the internal
    scale, 0 where absent); None when the compiled engine is not available."""
    fn = _function()
    a, d = x.shape
    if fn is None or not _fits(a, d):
        return None
    x = np.ascontiguousarray(x, dtype=np.float64)
    s = np.ascontiguousarray(s, dtype=np.float64)
    c = np.ascontiguousarray(c, dtype=np.float64)
    pres = np.ascontiguousarray(present, dtype=np.int8)
    # the kernel indexes an eligible actor's place on an issue: never eligible where absent
    elig = np.ascontiguousarray(np.asarray(eligible, dtype=bool) & (pres != 0), dtype=np.int8)
    hist, vote, out, vout, nex = _output_arrays(rounds, a, d)
    dbl = np.array([eps, w_sal, w_fix, tol], dtype=np.float64)

    def call(cap: int, exch: np.ndarray) -> int:
        ints = np.array([a, d, rounds, cap], dtype=np.int32)
        rc: int = fn(
            ints.ctypes.data,
            dbl.ctypes.data,
            x.ctypes.data,
            s.ctypes.data,
            c.ctypes.data,
            pres.ctypes.data,
            elig.ctypes.data,
            hist.ctypes.data,
            vote.ctypes.data,
            out.ctypes.data,
            vout.ctypes.data,
            nex.ctypes.data,
            exch.ctypes.data,
        )
        return rc

    exch = _with_room(_capacity(rounds, a, d), 10, call)
    if exch is None:  # no memory for the kernel: the Python engine
        return None
    total = int(nex.sum())
    return NativeRun(hist, vote, out, vout, nex, exch[:total, :9])


_CERT: list[Any] = []
_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int)

FALLBACK_CODES = (60, 73)
"""Codes of a certified round that plays the round in decimal instead: a position within the margin of
its issue's outcome (60), a move history sum near its limit (73). Any other refusal (decimal
contradicted a float64 decision taken as safe, never seen) raises :class:`NeedExact`."""


def _certified_function() -> Any:
    if not ENABLED:
        return None
    if _CERT:
        return _CERT[0]
    lib = library()
    if lib is None:
        return None
    fn = lib.rp_exchange_certified_round
    fn.argtypes = [ctypes.c_void_p] * 12
    fn.restype = ctypes.c_int
    _CERT.append(fn)
    return fn


def _roles(data: RunData, n_actors: int, n_issues: int) -> np.ndarray:
    """role[p, q, i, j]: s_ip / s_iq < s_jp / s_jq in decimal (j is then I; ties: i), as the exact engine
    decides it (:meth:`exchange_scalar._Round.create`), for actors eligible on both issues."""
    role = np.zeros((n_issues, n_issues, n_actors, n_actors), dtype=np.int8)
    s, el = data.s, data.eligible
    for p in range(n_issues):
        for q in range(p + 1, n_issues):
            ks = [k for k in range(n_actors) if el[k][p] and el[k][q]]
            if len(ks) < 2:
                continue
            ratio = [s[k][p] / s[k][q] for k in ks]
            rank = {v: n for n, v in enumerate(sorted(set(ratio)))}
            r = np.array([rank[v] for v in ratio])
            role[p, q][np.ix_(ks, ks)] = r[:, None] < r[None, :]
    return role


class _Settler:
    """The decimal side of a certified round (called back by the kernel): the realised exchanges replayed
    in decimal as far as the kernel has gone, each candidate's decimal state rebuilt from them, decimal
    evaluations, gains and orders of gains. The kernel passes a request in ``info`` (int32: kind, the
    number of exchanges realised so far, then the kind's fields) and ``io`` (float64) and reads the
    answer from ``io``; kinds: 1 a whole decimal evaluation, 4 decimal gains by the branch formula (a
    batch), 5 a landing on its partner's position, 6 the order of a stretch of decimal gains, 7 the
    decimal positions a realised exchange hands on (rounded). The
    return value is 0, or asks for the round in decimal (3) or the member in the exact engine (2, 9)."""

    def __init__(self, exch: np.ndarray, info: np.ndarray, io: np.ndarray) -> None:
        self.exch, self.info, self.io = exch, info, io
        # the same buffers as memoryviews: one field read or written as a Python int or float, without
        # a NumPy scalar in between
        self.iv: Any = info.data
        self.fv: Any = io.data
        self.rd: _Round | None = None
        self.done: list[_Cand] = []
        self.classes: dict[Decimal, int] = {}
        self.gains: list[Decimal] = []
        self.gfloat: list[float] = []  # each class's gain rounded to float64
        self.residual: list[float] = []

    def start(self, rd: _Round) -> None:
        self.rd = rd
        self.done = []
        self.yfloat: list[tuple[float, float]] = []  # the realised exchanges' yI, yJ rounded to float64
        self.supply: dict[tuple[int, int], Decimal] = {}
        # the realised exchanges that record on (actor, issue), in their order: 2 n for the n-th one's
        # I side (actor J, issue q), 2 n + 1 for its J side (actor I, issue p)
        self.records: dict[tuple[int, int], list[int]] = {}

    def _formula(self, e: _Cand, gk: int) -> None:
        """``e``'s moves, positions and gain when EVALUATE surely took branch ``gk`` and no overshoot
        guard fired: that branch's formulas alone, in the exact engine's operations
        (:meth:`exchange_checked._CheckedRound.realised_eval`)."""
        rd = self.rd
        assert rd is not None
        W = rd.W
        uI, uJ, dI, dJ = e.uI, e.uJ, e.dI, e.dJ
        if gk == 1:  # (a) J moves all the way to I's position on p
            muJ = abs(dI - uJ)
            dp = ((muJ * e.sJp) * e.cJp) / W[e.p]
            dq = e.r1 * dp
            muI = (dq * W[e.q]) / e.csI
        else:  # (b) I moves all the way to J's position on q
            muI = abs(dJ - uI)
            dq = ((muI * e.sIq) * e.cIq) / W[e.q]
            dp = e.r2 * dq
            muJ = (dp * W[e.p]) / e.csJ
        e.mI = mI = -muI if uI > dJ else muI
        e.mJ = mJ = -muJ if uJ > dI else muJ
        e.yI = uI + mI
        e.yJ = uJ + mJ
        e.G = abs(dq * e.sIq - dp * e.sIp)
        e.valid = True

    def _state(self, ai: int, aj: int, p: int, q: int, records: bool = True) -> _Cand:
        """A candidate's decimal state after the exchanges realised so far (the exact engine's REFRESH
        carries and, with ``records``, records, without the evaluations in between). A live candidate's
        supply positions are the latest of their actor on that issue (an exchange carries over at most
        one of them)."""
        rd = self.rd
        assert rd is not None
        e = _Cand()
        e.aI, e.aJ, e.p, e.q = ai, aj, p, q
        k = rd.consts.get((ai, aj, p, q))
        if k is None:
            k = rd._consts(e)
        e.sIp, e.sIq, e.sJp, e.sJq, e.cIq, e.cJp, e.r1, e.r2, e.csI, e.csJ = k
        x = rd.x
        e.xbI = x[ai][q]
        e.xbJ = x[aj][p]
        supply = self.supply
        e.uI = supply.get((ai, q), e.xbI)
        e.uJ = supply.get((aj, p), e.xbJ)
        e.dI, e.dJ = x[ai][p], x[aj][q]
        e.hsI = e.hsJ = rd.zero
        e.hcI = e.hcJ = _NONE
        e.rec = {}
        e.pre = None  # type: ignore[assignment]
        if not records:
            return e
        # the exact engine's REFRESH records in the order of the realised exchanges: those whose
        # (actor, issue) is (I, p) or (J, q) of this candidate (never both for one side: I != J)
        at = self.records
        codes = at.get((ai, p), []) + at.get((aj, q), [])
        if codes:
            codes.sort()
            done = self.done
            for code in codes:
                r = done[code >> 1]
                if code & 1:
                    rd._record(e, r.p, r.aJ, r.yJ, r.xbJ)
                else:
                    rd._record(e, r.q, r.aI, r.yI, r.xbI)
        return e

    def replay(self, n: int) -> None:
        """Replay the first ``n`` realised exchanges in decimal (those not replayed yet)."""
        rd = self.rd
        assert rd is not None
        rows = self.exch
        while len(self.done) < n:
            ai, aj, p, q, _, yi, _, yj, _, gk = rows[len(self.done)].tolist()
            e = self._state(int(ai), int(aj), int(p), int(q), records=not gk)
            if gk:
                self._formula(e, int(gk))
            else:
                rd.evaluate(e)  # the history only decides admissibility, which the kernel settled
            fyI, fyJ = float(e.yI), float(e.yJ)
            if not e.valid or abs(fyI - yi) > 1e-6 or abs(fyJ - yj) > 1e-6:
                raise NeedExact("a realised exchange differs in decimal")
            self.yfloat.append((fyI, fyJ))
            code = 2 * len(self.done)
            self.records.setdefault((e.aJ, e.q), []).append(code)
            self.records.setdefault((e.aI, e.p), []).append(code + 1)
            self.done.append(e)
            self.supply[e.aI, e.q] = e.yI
            self.supply[e.aJ, e.p] = e.yJ

    def _gain(self, ai: int, aj: int, p: int, q: int, gk: int) -> tuple[float, float, float]:
        """The decimal gain of a candidate by its branch's formula: rounded to float64, its class and its
        residual (:meth:`_class`)."""
        rd = self.rd
        assert rd is not None
        x = rd.x
        k = rd.consts.get((ai, aj, p, q))
        if k is None:
            e = _Cand()
            e.aI, e.aJ, e.p, e.q = ai, aj, p, q
            k = rd._consts(e)
        sIp, sIq, sJp, _, cIq, cJp, r1, r2 = k[:8]
        W = rd.W
        # :meth:`_formula`'s operations on the same numbers (its gain only)
        if gk == 1:
            muJ = abs(x[ai][p] - self.supply.get((aj, p), x[aj][p]))
            dp = ((muJ * sJp) * cJp) / W[p]
            dq = r1 * dp
        else:
            muI = abs(x[aj][q] - self.supply.get((ai, q), x[ai][q]))
            dq = ((muI * sIq) * cIq) / W[q]
            dp = r2 * dq
        c = self._class(abs(dq * sIq - dp * sIp))
        return self.gfloat[c], float(c), self.residual[c]

    def _class(self, g: Decimal) -> int:
        """The number of the decimal gain ``g`` (equal gains, equal numbers), and its residual: g minus
        its float64 rounding, rounded (a monotone function of g among the gains that round to the same
        float64, so that the kernel orders most of those without asking)."""
        c = self.classes.get(g)
        if c is None:
            c = self.classes[g] = len(self.gains)
            self.gains.append(g)
            f = float(g)
            self.gfloat.append(f)
            self.residual.append(float(g - Decimal(f)))
        return c

    #: a KeyboardInterrupt (or other BaseException) raised in a callback: ctypes cannot carry it
    #: through the C frames, so the kernel is told to stop (9) and the caller re-raises it
    interrupted: BaseException | None = None

    def __call__(self) -> int:
        try:
            return self._settle()
        except NeedExact:
            return 2
        except Exception:  # never guess: the member runs in the exact engine
            return 9
        except BaseException as exc:  # Ctrl-C: stop the kernel, re-raised after it returns
            self.interrupted = exc
            return 9

    def _settle(self) -> int:
        info, io, iv = self.info, self.io, self.iv
        kind = iv[0]
        if kind == 7:  # an exchange was realised: the positions it hands on, from its decimal evaluation
            n = iv[1]
            if len(self.done) < n:
                self.replay(n)
            fv = self.fv
            fv[0], fv[1] = self.yfloat[n - 1]
            return 0
        if kind == 6:  # order a stretch (gain classes in their order before the sort) by decimal gain
            gains = self.gains
            cls = info[8 : 8 + iv[2]].tolist()
            order = sorted(range(len(cls)), key=lambda k: gains[cls[k]], reverse=True)  # stable
            io[: len(order)] = order
            return 0
        if kind == 5:  # a supplier moved all the way to its partner's position: within 0..100?
            n, actor, issue, partner = iv[1:5].tolist()
            self.replay(n)
            rd = self.rd
            assert rd is not None
            u = self.supply.get((actor, issue), rd.x[actor][issue])
            d = rd.x[partner][issue]
            mu = abs(d - u)
            y = u + (-mu if u > d else mu)
            self.fv[0] = 1.0 if rd.zero <= y <= rd.ar.hundred else 0.0
            return 0
        if kind == 4:  # decimal gains by the formulas of the branch float64 surely took, no guard
            # fired: (aI, aJ, p, q, branch) per candidate from info[8]
            n, m = iv[1], iv[2]
            self.replay(n)
            rows = info[8 : 8 + 5 * m].tolist()
            gain = self._gain
            out: list[float] = []
            for k in range(0, 5 * m, 5):
                out.extend(gain(rows[k], rows[k + 1], rows[k + 2], rows[k + 3], rows[k + 4]))
            io[: 3 * m] = out
            return 0
        n, ai, aj, p, q, hcI, hcJ = iv[1:8].tolist()
        fv = self.fv
        hsI, hsJ = fv[0], fv[1]
        self.replay(n)
        e = self._state(ai, aj, p, q)
        e.hsI, e.hsJ = Decimal(hsI), Decimal(hsJ)
        e.hcI, e.hcJ = hcI, hcJ
        rd = self.rd
        assert rd is not None
        rd.evaluate(e)
        pre = e.pre
        # Σ H + m against 100 with the float64 history sum (within 1e-12 of the exact one) for the moves
        # before and after the guard; near the limit the exact sum decides: play the round in decimal
        fmI, fmJ = float(e.mI), float(e.mJ)
        moves = [(hsI, fmI), (hsJ, fmJ)]
        fpre = None if pre is None else [float(v) for v in pre]
        if fpre is not None:
            moves += [(hsI, fpre[0]), (hsJ, fpre[1])]
        if any(hs and abs(hs + m - 100.0) <= 1e-6 for hs, m in moves):
            return 3
        c = self._class(e.G)
        io[0:8] = (
            1.0 if e.valid else 0.0,
            fmI,
            fmJ,
            float(e.yI),
            float(e.yJ),
            self.gfloat[c],
            float(c),
            0.0 if pre is None else 1.0,
        )
        if fpre is not None:
            io[8:13] = fpre
        fv[13] = self.residual[c]
        return 0


def run_certified(
    x: Sequence[Sequence[Decimal]],
    s: Sequence[Sequence[Decimal]],
    c: Sequence[Sequence[Decimal]],
    present: Sequence[Sequence[bool]],
    eligible: Sequence[Sequence[bool]],
    rounds: int,
    ar: Arith,
) -> ScalarRun | None:
    """The exact engine's run (:func:`exchange_scalar.run_exact`, same arguments, same result) with each
    round's candidates evaluated and realised in the compiled kernel in float64, every decision beyond a
    margin of its float64 error and the others settled in decimal here; the realised exchanges are then
    evaluated in decimal from the exact state. None when the kernel is not available; raises
    :class:`NeedExact` when decimal contradicts a float64 decision (run the exact engine then)."""
    fn = _certified_function()
    if fn is None or not present or not _fits(len(present), len(present[0])):
        return None
    with localcontext(DECIMAL_CONTEXT):
        data = RunData(x, s, c, present, eligible, ar)
        n_actors = len(data.s)
        n_issues = len(data.s[0]) if n_actors else 0
        sf = np.array([[float(v) for v in row] for row in data.s], dtype=np.float64).reshape(
            n_actors, n_issues
        )
        cf = np.array([[float(v) for v in row] for row in data.c], dtype=np.float64).reshape(
            n_actors, n_issues
        )
        pres = np.array(present, dtype=np.int8).reshape(n_actors, n_issues)
        elig = (np.array(data.eligible, dtype=bool).reshape(n_actors, n_issues) & (pres != 0)).astype(np.int8)
        role = _roles(data, n_actors, n_issues)
        cap = n_issues * (n_issues - 1) // 2 * (n_actors * n_actors // 4 + 1) + 1
        exch = np.empty((cap, 10))
        info = np.zeros(8 + 5 * cap, dtype=np.int32)
        io = np.zeros(16 + 3 * cap)
        ints = np.array([n_actors, n_issues, cap], dtype=np.int32)
        dbl = np.array([float(ar.eps)])
        settler = _Settler(exch, info, io)
        callback = _CALLBACK(settler)
        fixed = (
            ints.ctypes.data,
            dbl.ctypes.data,
            None,
            sf.ctypes.data,
            cf.ctypes.data,
            pres.ctypes.data,
            elig.ctypes.data,
            role.ctypes.data,
            exch.ctypes.data,
            ctypes.cast(callback, ctypes.c_void_p).value,
            info.ctypes.data,
            io.ctypes.data,
        )
        exact_round = exact_player(data)
        # float(v) by id(v) for the round-start positions (kept alive by the run's history; most are
        # the same objects from round to round) and the realised exchanges' new positions (kept by its
        # voting positions and exchanges); handed on with the run (``ScalarRun.floats``)
        floats: dict[int, float] = {}

        def play(xs: list[list[Decimal]]) -> tuple[list[Decimal], Sequence[_Cand]]:
            known = floats.get
            rows: list[float] = []
            for row in xs:
                for v in row:
                    f = known(id(v))
                    if f is None:
                        f = floats[id(v)] = float(v)
                    rows.append(f)
            xf = np.array(rows, dtype=np.float64).reshape(n_actors, n_issues)
            rd = _Round(xs, data)
            settler.start(rd)
            args = list(fixed)
            args[2] = xf.ctypes.data
            rc = fn(*args)
            if settler.interrupted is not None:
                exc, settler.interrupted = settler.interrupted, None
                raise exc
            if rc == -1:  # no memory for the kernel: this round in decimal
                return exact_round(xs)
            if -1000 < rc < 0:  # (the buffer holds every candidate: not seen)
                raise NeedExact("exchange buffer too small")
            if rc < 0:
                code = -rc - 1000
                if code in FALLBACK_CODES:
                    return exact_round(xs)
                raise NeedExact(f"certified round refused (code {code})")
            settler.replay(rc)
            for r, (fyI, fyJ) in zip(settler.done, settler.yfloat, strict=True):
                floats[id(r.yI)] = fyI
                floats[id(r.yJ)] = fyJ
            return rd.O, settler.done

        run = run_rounds(data, rounds, play)
        run.floats = floats
        return run


_EXACT: list[Any] = []


EXACT_ENABLED = True
"""False: :func:`exact_run` returns None (exact mode runs the Python exact engine) while the other
kernels stay on (benchmarks compare the two exact engines)."""

EXACT_OPTIONS = 0
"""Tests only: bit 0 switches off the exact kernel's per-run cache of each pair's constants (as for
problems too large for it), bit 1 the float64 first look of its overshoot guards. Neither changes a
result; the tests check that."""


def _exact_function() -> Any:
    if not (ENABLED and EXACT_ENABLED):
        return None
    if _EXACT:
        return _EXACT[0]
    lib = library()
    if lib is None:
        return None
    fn = lib.rp_exchange_exact
    fn.argtypes = [ctypes.c_void_p] * 10  # the text (bytes) passes as its buffer's address
    fn.restype = ctypes.c_int
    _EXACT.append(fn)
    return fn


def exact_available() -> bool:
    """Whether :func:`exact_run` uses the compiled exact engine (the library is present and ``ENABLED``)."""
    return _exact_function() is not None


_EXACT_SLOT_BYTES = 1200
"""The exact kernel's memory per candidate slot of a round (its decimal state, about 1.1 KB, and
indexes), allocated at the start of a run."""


def _exact_slots(n_actors: int, n_issues: int) -> int:
    """The most candidates a round can have (actors² / 4 per issue pair), plus one."""
    return n_issues * (n_issues - 1) // 2 * (n_actors * n_actors // 4 + 1) + 1


def _exact_bytes(n_actors: int, n_issues: int) -> int:
    """The exact kernel's memory allocated at the start of a run: the candidate slots, and its per-run
    cache of each pair's constants (4 decimals of 56 bytes per actor pair and issue pair) where that
    stays within the kernel's 64 MiB for it."""
    cache = n_issues * (n_issues - 1) // 2 * n_actors * n_actors * 4 * 56
    return _exact_slots(n_actors, n_issues) * _EXACT_SLOT_BYTES + (cache if cache <= 64 * 2**20 else 0)


def _fits_exact(n_actors: int, n_issues: int) -> bool:
    """Whether the exact kernel's working memory for a problem of this size stays under
    :data:`MAX_WORK_BYTES` (records, allocated as candidates need them, are bounded by what is left)."""
    return _exact_bytes(n_actors, n_issues) <= MAX_WORK_BYTES


def _record_blocks(n_actors: int, n_issues: int) -> int:
    """How many candidates of a round may hold records (2 × actors decimal slots of 57 bytes each) within
    what :data:`MAX_WORK_BYTES` leaves; a run that needs more runs in Python."""
    left = MAX_WORK_BYTES - _exact_bytes(n_actors, n_issues)
    return int(min(max(left, 0) // (114 * max(n_actors, 1)), 2**31 - 1))


_CONSTANT_TEXT: dict[float, str] = {}


def _exact_text(value: float) -> str:
    """The exact decimal of a double, as ``Decimal(value)`` holds it (the weights and ε of decimal_arith)."""
    text = _CONSTANT_TEXT.get(value)
    if text is None:
        text = _CONSTANT_TEXT[value] = str(Decimal(value))
    return text


def exact_run(
    position: np.ndarray,
    salience: np.ndarray,
    power: np.ndarray,
    bounds: np.ndarray,
    present: np.ndarray,
    eligible: np.ndarray,
    rounds: int,
    eps: float,
    w_sal: float,
    w_fix: float,
) -> NativeRun | None:
    """One member of ``exchange._member_exact`` (the exact engine, 28-digit decimals) in C, with its
    outputs mapped to the issues' own scales as ``exchange._denorm`` maps them: arrays ``(A, D)`` of one
    unbatched member on the issues' scales (positions of absent cells are not read). Every input float
    reaches the kernel as its ``repr`` (``decimal_arith``'s conversion), the constants as their exact
    decimals. None when the compiled engine is not available, the problem too large for its memory
    bound, or an operation of the run is one the kernel's decimal arithmetic leaves to Python (division
    by zero, exponents far out of range): the caller then runs the Python engine."""
    fn = _exact_function()
    a, d = position.shape
    if fn is None or not a or not d or not _fits_exact(a, d):
        return None
    pres = np.ascontiguousarray(present, dtype=np.int8)
    # the kernel indexes an eligible actor's place on an issue: never eligible where absent
    elig = np.ascontiguousarray(np.asarray(eligible, dtype=bool) & (pres != 0), dtype=np.int8)
    parts: list[str] = []
    if pres.all():
        for arr in (position, salience, power):
            parts.extend(map(repr, arr.ravel().tolist()))
    else:
        flags = pres.ravel().tolist()
        for arr in (position, salience, power):
            parts.extend(repr(v) if f else "0" for v, f in zip(arr.ravel().tolist(), flags, strict=True))
    parts.extend(map(repr, bounds[:, 0].tolist()))
    parts.extend(map(repr, bounds[:, 1].tolist()))
    parts += [_exact_text(eps), _exact_text(w_sal), _exact_text(w_fix)]
    text = " ".join(parts).encode("ascii")
    hist, vote, out, vout, nex = _output_arrays(rounds, a, d)

    def call(cap: int, exch: np.ndarray) -> int:
        ints = np.array([a, d, rounds, cap, EXACT_OPTIONS, _record_blocks(a, d)], dtype=np.int32)
        rc: int = fn(
            ints.ctypes.data,
            text,
            pres.ctypes.data,
            elig.ctypes.data,
            hist.ctypes.data,
            vote.ctypes.data,
            out.ctypes.data,
            vout.ctypes.data,
            nex.ctypes.data,
            exch.ctypes.data,
        )
        return rc

    exch = _with_room(_capacity(rounds, a, d), 9, call)
    if exch is None:  # no memory, or an operation left to Python's decimal: the Python engine
        return None
    total = int(nex.sum())
    return NativeRun(hist, vote, out, vout, nex, exch[:total])
