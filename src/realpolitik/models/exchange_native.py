"""The exchange model's compiled float64 engine (``_native/exchange.c``) behind a small Python call.

The C kernel is a second implementation of the scalar float engine (``exchange_scalar`` with
:func:`~realpolitik.models.exchange_scalar.float_arith`): the same operations in the same order on
doubles, so its numbers are bit-identical to the Python engine's. When the compiled library is absent
(no compiler at install time), stale or switched off, :func:`float_run` returns None and the caller
runs the Python engine. The library is loaded on first use, never at import.

``ENABLED`` (module switch): set it to False to force the Python engine (tests compare the two).
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any

import numpy as np

from realpolitik._native import library

ENABLED = True
"""False: :func:`float_run` always returns None (the Python engine runs)."""

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
    if fn is None:
        return None
    a, d = x.shape
    x = np.ascontiguousarray(x, dtype=np.float64)
    s = np.ascontiguousarray(s, dtype=np.float64)
    c = np.ascontiguousarray(c, dtype=np.float64)
    pres = np.ascontiguousarray(present, dtype=np.int8)
    elig = np.ascontiguousarray(eligible, dtype=np.int8)
    hist = np.empty((rounds + 1, a, d))
    vote = np.empty((rounds, a, d))
    out = np.empty((rounds + 1, d))
    vout = np.empty((rounds, d))
    nex = np.zeros(rounds, dtype=np.int32)
    dbl = np.array([eps, w_sal, w_fix, tol], dtype=np.float64)
    cap = max(64, rounds * a * d)
    while True:
        ints = np.array([a, d, rounds, cap], dtype=np.int32)
        exch = np.empty((cap, 9))
        rc = fn(
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
        if rc == 0:
            break
        if rc == -1:
            raise MemoryError("exchange: the compiled engine could not allocate its working memory")
        cap = -rc - 2  # the number of exchanges the run realised: run again with room for them
    total = int(nex.sum())
    return NativeRun(hist, vote, out, vout, nex, exch[:total])
