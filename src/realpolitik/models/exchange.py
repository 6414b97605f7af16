"""Stokman's exchange model, Equal Gain variant (``exchange``), compatible with decide.

Actors trade positions on issue pairs: one moves on an issue it cares little about towards a partner
that cares a lot, in return for the partner's move on another issue, with equal expected gains. Each
round builds every candidate exchange, realises them greedily by gain, and moves the exchanging actors'
start positions part of the way to their voting positions. The algorithm, its interpretive choices and
the two arithmetic modes are documented in ``docs/models/exchange.md``.

- ``arithmetic="exact"`` (default): 28-digit decimal arithmetic, evaluated like the reference program
  (``exchange_scalar``). Inputs are floats; each is turned into a decimal through its shortest
  ``repr``, which gives back the text of numbers read from files. A batch is run member by member.
  With the compiled kernels (``realpolitik._native``) the whole run is done in C
  (``exchange_native.exact_run``) with decimals equal to Python's, so the numbers are the same.
- ``arithmetic="fast"``: the same run, with candidates evaluated in float64 wherever that cannot
  change a decision and every knife-edge decision (ties, overshoot residuals, limits) taken in decimal:
  the same exchanges and the same numbers as ``exact``, in less time. With the compiled kernels it is
  the exact run in C (faster than anything else there; see :data:`EXACT_KERNEL_BELOW`), and members the
  exact kernel leaves to Python run each round in C with callbacks for the decimal decisions
  (``exchange_native.run_certified``); without the kernels the Python checked engine
  (``exchange_checked``) does the same from :data:`CHECKED_FROM` candidate slots on.
- ``arithmetic="float"``: float64 throughout, vectorised over candidates and batched over the batch
  axis (``exchange_fast``) — the fastest for large batches. The model is very sensitive to exact ties,
  so this mode can differ from the others by several points on ordinary inputs (treat it as another
  tie realisation). The scalar float engine evaluates the same operations in the same order and gives
  identical numbers; it is faster for a single run, so ``engine="auto"`` uses it for batches under
  ``AUTO_BATCH`` members. With the compiled kernels the scalar float engine runs in C
  (``exchange_native.float_run``, bit-identical). ``tie_tolerance`` (default 0) > 0 makes float64 treat values within that
  relative tolerance as equal at every knife-edge (gain ties, overshoot residuals, sides, hard
  limits); float mode then makes the decisions of exact rational arithmetic (which decide's 28-digit
  decimals do not always make). ``engine`` and ``tie_tolerance`` apply to float mode only.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

import numpy as np

from realpolitik.models.exchange_checked import NeedExact, run_checked
from realpolitik.models.exchange_fast import run_fast
from realpolitik.models.exchange_native import NativeRun, exact_run, float_run, run_certified
from realpolitik.models.exchange_scalar import (
    DECIMAL_CONTEXT,
    ScalarRun,
    decimal_arith,
    float_arith,
    run_exact,
    run_scalar,
)
from realpolitik.models.problem import BargainingProblem, Trajectory
from realpolitik.models.registry import ModelInfo, register

__all__ = ["INFO_EXCHANGE", "Exchange", "exchange_extras_to_json", "run_exchange"]

AUTO_BATCH = 8
"""``engine="auto"`` in fast mode runs batches smaller than this member by member with the scalar float
engine (faster for one run); larger batches use the vectorised engine. Both give identical numbers."""

CHECKED_FROM = 300
"""Without the compiled kernels, fast mode uses the Python checked engine from this many candidate slots
(actors² × issues × (issues − 1)) on; below it the exact engine is as fast or faster (both give the
same run). With the kernels, fast mode runs the kernel's certified rounds from :data:`NATIVE_FROM` on."""

NATIVE_FROM = 64
"""With the compiled kernels, fast mode runs the kernel's certified rounds from this many candidate slots
on; below it (two or three actors, few issues) the exact engine is as fast or faster (measured: 2 × 2
0.55 against 0.75-1.0 ms, 3 × 3 1.4 against 1.7-2.2 ms, 4 × 3 2.7 against 1.8-2.4 ms)."""

EXACT_KERNEL_BELOW = 2**62
"""With the compiled kernels, exact mode runs the compiled exact engine (``exchange_native.exact_run``);
fast mode runs it below this many candidate slots and the certified rounds from there on. Both give the
exact mode's numbers; the exact kernel is faster at every size measured (6 × 3: 0.38 against 1.5 ms;
Copenhagen 11 × 7: 8.9 against 15.7 ms; 15 × 13: 95 against 140 ms), so it takes every size, and the
certified rounds run only the members it leaves to Python (its memory bound, an operation its decimals
do not do). Tests set 0 to exercise the certified rounds."""

NOTE_EXACT = (
    "exact: 28-digit decimal arithmetic in the reference program's order of operations and tie rule "
    "(decide-exchange-model with deterministic tie-breaking). Gains are on the internal 0-100 scale."
)
NOTE_FAST = (
    "fast: the exact run (28-digit decimal arithmetic, the reference program's order of operations and "
    "tie rule), with candidate exchanges evaluated in float64 wherever that cannot change a decision; "
    "every knife-edge decision is taken in decimal, so the exchanges and numbers equal the exact mode's. "
    "Gains are on the internal 0-100 scale."
)
NOTE_FLOAT = (
    "float: float64 arithmetic. The exchange model is very sensitive to exact ties between gains and to "
    "knife-edge overshoot checks; float64 resolves some of them differently from 28-digit decimal, so "
    "results can differ from the exact mode by several points on inputs with many ties. Treat it as "
    "another tie realisation (tie_tolerance > 0 gives the decisions of exact rational arithmetic, which "
    "also differ from decide's). Gains are on the internal 0-100 scale."
)


@dataclass(frozen=True)
class Exchange:
    """One realised exchange. Actor ``i`` supplies (moves on) issue ``q`` and demands ``p``; actor ``j``
    supplies ``p`` and demands ``q``. ``start``/``voting`` are the supplier's round-start and new
    position on its supply issue, on that issue's own scale; ``gain`` is on the internal 0-100 scale."""

    actor_i: int
    actor_j: int
    p: int
    q: int
    start_i: float
    voting_i: float
    start_j: float
    voting_j: float
    gain: float


def _present(problem: BargainingProblem) -> np.ndarray:
    a, d = problem.n_actors, problem.n_issues
    return np.ones((a, d), dtype=bool) if problem.present is None else np.asarray(problem.present, dtype=bool)


def _member_exact(
    position: np.ndarray,
    salience: np.ndarray,
    power: np.ndarray,
    bounds: np.ndarray,
    present: np.ndarray,
    eligible: np.ndarray,
    rounds: int,
    prm: dict[str, Any],
    checked: bool = False,
) -> tuple[ScalarRun, list[Decimal], list[Decimal]]:
    ar = decimal_arith(float(prm["salience_weight"]), float(prm["fixed_weight"]), float(prm["epsilon"]))
    conv = ar.convert
    a, d = position.shape
    with localcontext(DECIMAL_CONTEXT):
        lo = [conv(bounds[j, 0]) for j in range(d)]
        hi = [conv(bounds[j, 1]) for j in range(d)]
        k = [Decimal(100) / (hi[j] - lo[j]) if hi[j] != lo[j] else Decimal(0) for j in range(d)]
        x = [
            [(conv(position[i, j]) - lo[j]) * k[j] if present[i, j] else Decimal(0) for j in range(d)]
            for i in range(a)
        ]
        s = [[conv(salience[i, j]) if present[i, j] else Decimal(0) for j in range(d)] for i in range(a)]
        c = [[conv(power[i, j]) if present[i, j] else Decimal(0) for j in range(d)] for i in range(a)]
    args = (x, s, c, present.tolist(), eligible.tolist(), rounds, ar)
    slots = a * a * d * (d - 1)
    if checked and slots >= NATIVE_FROM:
        try:
            native = run_certified(*args)
        except NeedExact:  # a decision float64 could not settle: the whole member in decimal
            return run_exact(*args), lo, k
        if native is not None:
            return native, lo, k
    if checked and slots >= CHECKED_FROM:
        try:
            return run_checked(*args), lo, k
        except NeedExact:  # a decision float64 could not settle: the whole member in decimal
            pass
        except ZeroDivisionError:  # salience × power underflowed to 0 in float64 (not in decimal)
            pass
    return run_exact(*args), lo, k


def _denorm(value: Any, lo: Any, k: Any) -> float:
    """The issue's own scale; decimals are mapped inside :data:`DECIMAL_CONTEXT` (the caller's)."""
    if k == 0:
        return float(lo)
    if k == 1 and lo == 0:  # a 0..100 issue: value / 1 + 0 is the value itself, in either arithmetic
        return float(value)
    return float(value / k + lo)


def _scalar_member(
    position: np.ndarray,
    salience: np.ndarray,
    power: np.ndarray,
    bounds: np.ndarray,
    present: np.ndarray,
    eligible: np.ndarray,
    rounds: int,
    prm: dict[str, Any],
    mode: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[list[Exchange]]]:
    """One unbatched run with a scalar engine (``mode`` exact, fast or float); arrays on the issues'
    own scales."""
    d = position.shape[1]
    if mode != "float":
        nat = None
        a = position.shape[0]
        if mode == "exact" or a * a * d * (d - 1) < EXACT_KERNEL_BELOW:
            nat = exact_run(
                position,
                salience,
                power,
                bounds,
                present,
                eligible,
                rounds,
                float(prm["epsilon"]),
                float(prm["salience_weight"]),
                float(prm["fixed_weight"]),
            )
        if nat is not None:
            return _exact_arrays(nat, position, present)
        run, lo, k = _member_exact(
            position, salience, power, bounds, present, eligible, rounds, prm, checked=mode == "fast"
        )
    else:
        ar = float_arith(
            float(prm["salience_weight"]),
            float(prm["fixed_weight"]),
            float(prm["epsilon"]),
            float(prm["tie_tolerance"]),
        )
        lo_f = bounds[:, 0]
        width = bounds[:, 1] - lo_f
        k_f = np.where(width != 0, 100.0 / np.where(width != 0, width, 1.0), 0.0)
        xf = np.where(present, (position - lo_f) * k_f, 0.0)
        sf = np.where(present, salience, 0.0)
        cf = np.where(present, power, 0.0)
        nat = float_run(xf, sf, cf, present, eligible, rounds, ar.eps, ar.w_sal, ar.w_fix, ar.tol)
        if nat is not None:
            return _native_arrays(nat, position, present, lo_f, k_f)
        run = run_scalar(
            xf.tolist(), sf.tolist(), cf.tolist(), present.tolist(), eligible.tolist(), rounds, ar
        )
        lo, k = lo_f.tolist(), k_f.tolist()

    # A run's outputs repeat the same number objects many times (positions that did not move, the
    # round-start positions of the exchanges); converting a decimal costs several decimal operations,
    # so each (object, issue) is mapped once (``run`` keeps every object alive, so identities stay
    # unique). The same function of the same value: identical numbers.
    identity = [k[j] == 1 and lo[j] == 0 for j in range(d)]
    memos: list[dict[int, float]] = [{} for _ in range(d)]
    known = run.floats
    if known is not None:  # the engine's conversions (float(value) by id): the 0..100 issues share them
        memos = [known if identity[j] else memos[j] for j in range(d)]

    def den_memo(value: Any, j: int) -> float:
        key = id(value)
        out = memos[j].get(key)
        if out is None:
            # a 0..100 issue (k = 1, lo = 0): the value itself, float(value), as NumPy would convert it
            out = memos[j][key] = float(value) if identity[j] else _denorm(value, lo[j], k[j])
        return out

    raw = mode == "float" and all(identity)  # floats on 0..100 already: NumPy takes them as they are

    def den(rows: list[list[Any]]) -> Any:
        if raw:
            return rows
        out = []
        for row in rows:
            fr = []
            for j, v in enumerate(row):
                m = memos[j]
                f = m.get(id(v))
                if f is None:
                    f = m[id(v)] = float(v) if identity[j] else _denorm(v, lo[j], k[j])
                fr.append(f)
            out.append(fr)
        return out

    with localcontext(DECIMAL_CONTEXT):
        return _member_arrays(run, position, present, den_memo, den)


def _native_arrays(
    run: NativeRun, position: np.ndarray, present: np.ndarray, lo_f: np.ndarray, k_f: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[list[Exchange]]]:
    """:func:`_member_arrays` for a run of the compiled float engine: each value mapped to its issue's
    scale by the same operations as :func:`_denorm` (the value itself on a 0..100 issue), so the
    arrays equal the Python engine's."""
    identity = (k_f == 1) & (lo_f == 0)
    kk = np.where(k_f != 0, k_f, 1.0)

    def den(v: np.ndarray) -> np.ndarray:
        return np.where(k_f == 0, lo_f, np.where(identity, v, v / kk + lo_f))

    hist = np.where(present, den(run.history), position)
    vote = np.where(present, den(run.voting), position)
    lo, k = lo_f.tolist(), k_f.tolist()

    def one(v: float, j: int) -> float:
        return v if k[j] == 1 and lo[j] == 0 else _denorm(v, lo[j], k[j])

    rows = run.exchanges.tolist()
    exch: list[list[Exchange]] = []
    at = 0
    for n in run.n_exchanges.tolist():
        rnd = []
        for ai, aj, p, q, si, yi, sj, yj, g in rows[at : at + n]:
            ip, iq = int(p), int(q)
            rnd.append(
                Exchange(int(ai), int(aj), ip, iq, one(si, iq), one(yi, iq), one(sj, ip), one(yj, ip), g)
            )
        exch.append(rnd)
        at += n
    return hist, vote, den(run.outcome), den(run.voting_outcome), exch


def _exact_arrays(
    run: NativeRun, position: np.ndarray, present: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[list[Exchange]]]:
    """:func:`_member_arrays` for a run of the compiled exact engine, whose numbers are on the issues'
    scales already (mapped in C by :func:`_denorm`'s operations)."""
    hist = np.where(present, run.history, position)
    vote = np.where(present, run.voting, position)
    return hist, vote, run.outcome, run.voting_outcome, _exchange_lists(run.exchanges, run.n_exchanges)


def _exchange_lists(rows: np.ndarray, counts: np.ndarray) -> list[list[Exchange]]:
    """Per round the :class:`Exchange` records of rows (actor_i, actor_j, p, q as whole numbers, then
    start_i, voting_i, start_j, voting_j, gain), ``counts`` rows per round."""
    ids = rows[:, :4].astype(np.intp).T.tolist() if len(rows) else [[], [], [], []]
    values = rows[:, 4:9].T.tolist() if len(rows) else [[], [], [], [], []]
    flat = list(map(Exchange, *ids, *values))
    out: list[list[Exchange]] = []
    at = 0
    for n in counts.tolist():
        out.append(flat[at : at + n])
        at += n
    return out


def _member_arrays(
    run: ScalarRun,
    position: np.ndarray,
    present: np.ndarray,
    den_memo: Any,
    den: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[list[Exchange]]]:
    a, d = position.shape
    hist = np.array([den(h) for h in run.history], dtype=float).reshape(len(run.history), a, d)
    hist = np.where(present, hist, position)
    vote = np.array([den(v) for v in run.voting], dtype=float).reshape(len(run.voting), a, d)
    vote = np.where(present, vote, position)
    out = np.array(den(run.outcome), dtype=float).reshape(len(run.outcome), d)
    vout = np.array(den(run.voting_outcome), dtype=float).reshape(len(run.voting_outcome), d)
    exch = [
        [
            Exchange(
                e.actor_i,
                e.actor_j,
                e.p,
                e.q,
                den_memo(e.start_i, e.q),
                den_memo(e.voting_i, e.q),
                den_memo(e.start_j, e.p),
                den_memo(e.voting_j, e.p),
                float(e.gain),
            )
            for e in rnd
        ]
        for rnd in run.exchanges
    ]
    return hist, vote, out, vout, exch


def _fast_batch(
    pos: np.ndarray,
    sal: np.ndarray,
    power: np.ndarray,
    bounds: np.ndarray,
    present: np.ndarray,
    elig: np.ndarray,
    rounds: int,
    prm: dict[str, Any],
    record: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[list[Exchange]] | None]:
    lo = bounds[:, 0]
    width = bounds[:, 1] - lo
    k = np.where(width != 0, 100.0 / np.where(width != 0, width, 1.0), 0.0)
    x = np.where(present, (pos - lo) * k, 0.0)
    fr = run_fast(
        x,
        np.where(present, sal, 0.0),
        np.where(present, power, 0.0),
        elig,
        rounds,
        float(prm["salience_weight"]),
        float(prm["fixed_weight"]),
        float(prm["epsilon"]),
        record=record,
        tol=float(prm["tie_tolerance"]),
    )
    kk = np.where(k != 0, k, 1.0)

    def den(v: np.ndarray) -> np.ndarray:
        return np.where(k != 0, v / kk + lo, lo)

    pos_b = pos[:, None]
    hist = np.where(present, den(fr.history), pos_b)
    vote = np.where(present, den(fr.voting), pos_b)
    exchanges = None
    if fr.exchanges is not None:
        exchanges = [
            [
                Exchange(
                    ai,
                    aj,
                    p,
                    q,
                    float(den_one(si, lo[q], k[q])),
                    float(den_one(yi, lo[q], k[q])),
                    float(den_one(sj, lo[p], k[p])),
                    float(den_one(yj, lo[p], k[p])),
                    g,
                )
                for ai, aj, p, q, si, yi, sj, yj, g in rnd
            ]
            for rnd in fr.exchanges
        ]
    return hist, vote, den(fr.outcome), den(fr.voting_outcome), fr.n_exchanges, exchanges


def den_one(value: float, lo: float, k: float) -> float:
    return float(lo) if k == 0 else float(value / k + lo)


def run_exchange(
    problem: BargainingProblem, *, rng: np.random.Generator | None = None, **params: Any
) -> Trajectory:
    """Run the Equal Gain exchange model (deterministic; ``rng`` is not used).

    Returns positions ``(..., R+1, A, D)`` (start positions of each round, the input first) and the
    outcome ``(..., D)`` = the weighted mean on the start positions after the last round's update.
    Extras: ``outcome_by_round`` ``(..., R+1, D)``, ``voting_positions`` ``(..., R, A, D)``,
    ``voting_outcome_by_round`` ``(..., R, D)``, ``n_exchanges`` ``(..., R)``, ``arithmetic``, ``note``
    and, for unbatched problems only, ``exchanges``: per round the list of :class:`Exchange`.
    """
    prm = INFO_EXCHANGE.check_params(params)
    rounds = int(prm["rounds"])
    if rounds < 0:
        raise ValueError(f"rounds must be >= 0, got {rounds}")
    mode = prm["arithmetic"]
    if mode != "float" and (prm["tie_tolerance"] != 0 or prm["engine"] != "auto"):
        raise ValueError(
            f"exchange: tie_tolerance and engine apply to arithmetic 'float' only, not {mode!r} "
            "(exact and fast make the reference program's decisions)"
        )
    batch = problem.batch_shape_all
    p = problem.broadcast() if batch else problem  # an unbatched problem has its shapes already
    a, d = p.n_actors, p.n_issues
    present = _present(p)
    power = np.asarray(p.power)
    sal = p.salience
    pos = p.position
    nb = int(np.prod(batch)) if batch else 1
    pos_f = pos.reshape(nb, a, d)
    sal_f = sal.reshape(nb, a, d)
    pow_f = power.reshape(nb, a, d)
    elig_f = present & (sal_f > 0) & (pow_f > 0)
    hist = np.empty((nb, rounds + 1, a, d))
    vote = np.empty((nb, rounds, a, d))
    out = np.empty((nb, rounds + 1, d))
    vout = np.empty((nb, rounds, d))
    nex = np.zeros((nb, rounds), dtype=int)
    exchanges: list[list[Exchange]] | None = None
    engine = prm["engine"]
    if engine == "auto":
        engine = "scalar" if nb < AUTO_BATCH else "vectorised"
    if mode != "float" or engine == "scalar":
        for b in range(nb):
            try:
                h, v, o, vo, ex = _scalar_member(
                    pos_f[b], sal_f[b], pow_f[b], p.bounds, present, elig_f[b], rounds, prm, mode
                )
            except ZeroDivisionError:
                # float mode's Python scalar engine on a salience × power that underflows to 0: the
                # vectorised engine divides as IEEE 754 does (as the compiled kernel does)
                with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                    one = _fast_batch(
                        pos_f[b : b + 1],
                        sal_f[b : b + 1],
                        pow_f[b : b + 1],
                        p.bounds,
                        present,
                        elig_f[b : b + 1],
                        rounds,
                        prm,
                        record=True,
                    )
                h, v, o, vo = (arr[0] for arr in one[:4])
                ex = one[5] if one[5] is not None else [[] for _ in range(rounds)]
            hist[b], vote[b], out[b], vout[b] = h, v, o, vo
            nex[b] = [len(r) for r in ex]
            if not batch:
                exchanges = ex
    else:
        hist, vote, out, vout, nex, exchanges = _fast_batch(
            pos_f, sal_f, pow_f, p.bounds, present, elig_f, rounds, prm, record=not batch
        )
    extras: dict[str, Any] = {
        "outcome_by_round": out.reshape(batch + (rounds + 1, d)),
        "voting_positions": vote.reshape(batch + (rounds, a, d)),
        "voting_outcome_by_round": vout.reshape(batch + (rounds, d)),
        "n_exchanges": nex.reshape(batch + (rounds,)),
        "arithmetic": prm["arithmetic"],
        "note": {"exact": NOTE_EXACT, "fast": NOTE_FAST, "float": NOTE_FLOAT}[mode],
    }
    if exchanges is not None:
        extras["exchanges"] = exchanges
    return Trajectory(
        positions=hist.reshape(batch + (rounds + 1, a, d)),
        outcome=out[:, -1].reshape(batch + (d,)),
        rounds=rounds,
        extras=extras,
    )


def exchange_extras_to_json(extras: dict[str, Any], problem: BargainingProblem) -> dict[str, Any]:
    """JSON-ready extras of one unbatched run, keyed by actor and issue ids."""
    issues = problem.issues
    actors = problem.actors
    obr = np.asarray(extras["outcome_by_round"])
    vobr = np.asarray(extras["voting_outcome_by_round"])
    out: dict[str, Any] = {
        "outcome_by_round": {iss: [float(v) for v in obr[:, j]] for j, iss in enumerate(issues)},
        "voting_outcome_by_round": {iss: [float(v) for v in vobr[:, j]] for j, iss in enumerate(issues)},
        "n_exchanges": [int(n) for n in np.asarray(extras["n_exchanges"])],
    }
    if "exchanges" in extras:
        out["exchanges"] = [
            [
                {
                    "i": {
                        "actor": actors[e.actor_i],
                        "supply_issue": issues[e.q],
                        "demand_issue": issues[e.p],
                        "start": e.start_i,
                        "voting": e.voting_i,
                    },
                    "j": {
                        "actor": actors[e.actor_j],
                        "supply_issue": issues[e.p],
                        "demand_issue": issues[e.q],
                        "start": e.start_j,
                        "voting": e.voting_j,
                    },
                    "gain": e.gain,
                }
                for e in rnd
            ]
            for rnd in extras["exchanges"]
        ]
    out["arithmetic"] = extras["arithmetic"]
    out["note"] = extras["note"]
    return out


INFO_EXCHANGE = register(
    ModelInfo(
        name="exchange",
        title="Exchange model (Stokman, Equal Gain)",
        run=run_exchange,
        stochastic=False,
        multi_issue=True,
        dynamic=True,
        params={
            "arithmetic": "exact",
            "rounds": 10,
            "salience_weight": 0.4,
            "fixed_weight": 0.1,
            "epsilon": 1e-10,
            "tie_tolerance": 0.0,
            "engine": "auto",
        },
        choices={"arithmetic": ("exact", "fast", "float"), "engine": ("auto", "vectorised", "scalar")},
        description=(
            "Actors trade moves on issue pairs they value differently, with equal gains, realised greedily "
            "by gain; start positions then move part way to the voting positions. Decide-compatible."
        ),
        reference="Stokman & van Oosten (1994); Stokman & Van Assen (2000); decide-exchange-model 2025.3.1",
        extras_to_json=exchange_extras_to_json,
    )
)
