"""smp's small single runs on the compiled kernel ``_native/smp.c`` (issue 13).

The kernel runs :class:`~realpolitik.models.smp_kernels.SmallRun`'s whole loop (assessment,
challenges, turn, stop rule, every state until the stop) in one call, with the same floating-point
operations in the same order, so its results are the Python code's bit for bit (tests compare them).
Without the compiled library (no compiler at install, ``REALPOLITIK_NATIVE=0``) :func:`small_run`
returns None and the caller runs the Python code. The library is loaded on the first run, not when
this module is imported.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from realpolitik._native import library
from realpolitik.models.smp_kernels import Options

#: use the compiled kernel when it is available (tests switch it off to run the Python reference)
USE_NATIVE = True

_RISK_RANGE = {"mid": 0, "min": 1, "max": 2}
_RISK_ADJUST = {"one_third": 0, "none": 1, "half": 2, "two_thirds": 3, "full": 4}
_INTERVEC = {"s2p2": 0, "s1p1": 1}

_lock = threading.Lock()
_fn: list[Callable[..., int] | None] = []  # [] not looked up yet; [None] no library


def _function() -> Callable[..., int] | None:
    """The kernel's entry point with its argument types set (looked up once)."""
    if not _fn:
        with _lock:
            if not _fn:
                lib = library()
                fn = None
                if lib is not None:
                    fn = lib.rp_smp_small_run
                    fn.argtypes = [ctypes.c_void_p] * 17
                    fn.restype = ctypes.c_int
                _fn.append(fn)
    return _fn[0]


def available() -> bool:
    """Whether :func:`small_run` runs the compiled kernel (false when switched off or not built)."""
    return USE_NATIVE and _function() is not None


class States(NamedTuple):
    """The states of one small run and what ``smp._run_single`` reports of them (``T`` rounds run)."""

    positions: np.ndarray  # (T + 1, N, D) on the 0–1 scale
    risk: np.ndarray  # (T + 1, N) risk attitudes
    targets: np.ndarray  # (T, N), −1: no challenge
    ratios: np.ndarray  # (T,) fractional changes
    rounds: int  # T
    by_rule: bool  # the stop rule ended the run
    per_actor: np.ndarray  # (T + 1, N) probability of the position each actor holds
    class_p: np.ndarray  # (T + 1, N) probability of each class representative (0 for others)
    class_of: np.ndarray  # (T + 1, N) each actor's class representative


def small_run(
    x: np.ndarray,
    sal: np.ndarray,
    cap: np.ndarray,
    den: np.ndarray,
    opt: Options,
    max_steps: int,
    stop_tol: float,
    pos_tol: float,
) -> States | None:
    """One run on the kernel, or None when it is not available.

    ``x``, ``sal``: ``(N, D)`` positions and saliences on the 0–1 scale; ``cap``: ``(N,)``; ``den``:
    Σ_k s_ik². Returns what the Python loop of ``smp._run_single`` with ``smp.state_probabilities``
    gives (arrays are views of one buffer).
    """
    fn = _function() if USE_NATIVE else None
    if fn is None:
        return None
    n, dims = x.shape
    nd, nn, s1 = n * dims, n * n, max_steps + 1
    # one buffer for every float operand and one for the integers: two pointers taken per run
    sizes = (nd, nd, nd, n, n, n, 2, s1 * nd, s1 * nn, s1 * n, max_steps, 2 * s1 * n)
    offs = np.cumsum((0, *sizes)).tolist()
    buf = np.empty(offs[-1])
    t_off = 6 + n
    c_off = t_off + max_steps * n
    r_off = c_off + s1 * n
    ibuf = np.empty(r_off + 2, dtype=np.int64)
    ok = den > 0
    buf[offs[0] : offs[1]] = x.reshape(-1)
    buf[offs[1] : offs[2]] = sal.reshape(-1)
    buf[offs[2] : offs[3]] = (sal * sal if opt.intervec == "s2p2" else sal).reshape(-1)
    buf[offs[3] : offs[4]] = cap
    buf[offs[4] : offs[5]] = den if ok.all() else np.where(ok, den, 1.0)
    buf[offs[5] : offs[6]] = np.add.reduce(sal, -1)  # S_i, as SmallRun
    buf[offs[6] : offs[7]] = (stop_tol, pos_tol)
    ibuf[:6] = (
        n,
        dims,
        _RISK_RANGE[opt.risk_range],
        _RISK_ADJUST[opt.risk_adjust],
        _INTERVEC[opt.intervec],
        max_steps,
    )
    ibuf[6:t_off] = ~ok
    p, ip = buf.ctypes.data, ibuf.ctypes.data
    ptr = [p + 8 * o for o in offs[:-1]]
    # (iprm, dprm, x0, sal, sal2, cap, den, s_tot, bad, hist, ustar_h, risk_h, targets, ratios, probs,
    # class_of, res)
    err = fn(
        ip, ptr[6], *ptr[:6], ip + 48, *ptr[7:10], ip + 8 * t_off, *ptr[10:12], ip + 8 * c_off, ip + 8 * r_off
    )
    if err:
        raise MemoryError("smp kernel: out of memory")
    rounds, by_rule = ibuf[r_off:].tolist()
    n_st = rounds + 1
    probs = buf[offs[11] : offs[11] + 2 * n_st * n].reshape(2, n_st, n)
    return States(
        positions=buf[offs[7] : offs[7] + n_st * nd].reshape(n_st, n, dims),
        risk=buf[offs[9] : offs[9] + n_st * n].reshape(n_st, n),
        targets=ibuf[t_off : t_off + rounds * n].reshape(rounds, n),
        ratios=buf[offs[10] : offs[10] + rounds],
        rounds=rounds,
        by_rule=bool(by_rule),
        per_actor=probs[0],
        class_p=probs[1],
        class_of=ibuf[c_off : c_off + n_st * n].reshape(n_st, n),
    )
