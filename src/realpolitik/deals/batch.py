"""Whether some package is feasible, for many draws of the numbers at once (the Monte Carlo probe).

A Monte Carlo draw changes numbers (positions, saliences, red lines, the status quo), never who signs
what: the agreements, signers, veto holders, ``applies_if`` conditions, risk attitudes and issue widths
are one :class:`~realpolitik.deals.space.DealProblem` (the *structure*), the numbers are
:class:`DrawNumbers` with a leading draw axis. :func:`feasible_draws` judges every package of every draw
with the same arithmetic as :func:`~realpolitik.deals.space.judge_index` on each draw's own problem —
the same per-issue tables of the same utility function, added in the same issue order, rounded the same
way — so its flag per draw is the one :func:`~realpolitik.deals.core.any_feasible` gives on that draw.

Work is done in passes over ``draws × packages`` cells, at most :data:`PROBE_ELEMENTS` array elements at
a time (see :func:`feasible_draws`), packages in blocks: a draw leaves the computation as soon as one of
its packages is feasible (the early stop), and the next block is judged only for the draws still open.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from realpolitik.deals.judge import DECIMALS, condition_holds
from realpolitik.deals.space import DealProblem, issue_utility, normalised_weights, risk_exponent

#: Array elements (one float or bool per cell × row or issue) of one pass: each of the few arrays of a
#: pass holds at most this many (4 MiB for a float array at 2**19).
PROBE_ELEMENTS = 1 << 19


@dataclass(frozen=True)
class DrawNumbers:
    """The numbers of N draws of one structure (A actors, D issues), each array with a leading draw axis.

    ``position``, ``salience``, ``disagreement``: ``(N, A, D)``; ``acceptable``: ``(N, A, D, 2)``;
    ``status_quo``: ``(N, D)``; ``options``: per issue ``(N, n_d)``, each draw's options (its status quo
    among them; a value may repeat, a package that repeats is judged twice and counts once).
    """

    position: np.ndarray
    salience: np.ndarray
    disagreement: np.ndarray
    acceptable: np.ndarray
    status_quo: np.ndarray
    options: tuple[np.ndarray, ...]

    @property
    def n(self) -> int:
        return int(self.status_quo.shape[0])

    def take(self, sel: np.ndarray) -> DrawNumbers:
        """Draws ``sel`` (indices)."""
        return DrawNumbers(
            position=self.position[sel],
            salience=self.salience[sel],
            disagreement=self.disagreement[sel],
            acceptable=self.acceptable[sel],
            status_quo=self.status_quo[sel],
            options=tuple(o[sel] for o in self.options),
        )


@dataclass(frozen=True)
class _Tables:
    """Per-draw tables over each issue's options (the batched :func:`~realpolitik.deals.space.row_tables`)."""

    gain: list[np.ndarray]  # per issue (n, C, n_d): each row's gain part (0 where the row does not judge d)
    outside: list[np.ndarray]  # per issue (n, C, n_d) bool: a red line breached (False where not judged)
    at_sq: list[np.ndarray]  # per issue (n, n_d) bool: the option is the draw's status quo
    sq_index: np.ndarray  # (n, D): an option index holding the draw's status quo
    holds: list[np.ndarray]  # per condition (n, n_on) bool: it holds at each option of the issue it reads

    def take(self, sel: np.ndarray) -> _Tables:
        return _Tables(
            gain=[g[sel] for g in self.gain],
            outside=[o[sel] for o in self.outside],
            at_sq=[a[sel] for a in self.at_sq],
            sq_index=self.sq_index[sel],
            holds=[h[sel] for h in self.holds],
        )


def _tables(problem: DealProblem, x: DrawNumbers) -> _Tables:
    """The tables of draws ``x``: the same expressions as ``DealProblem.gain_tables``,
    ``DealProblem.outside_tables``, ``row_tables`` and ``condition_tables``, with a draw axis in front."""
    rows = problem.rows()
    k = risk_exponent(problem.risk)
    width = problem.width
    w = normalised_weights(x.salience)  # (n, A, D)
    dis = issue_utility(x.disagreement, x.position, width, k[:, None])  # (n, A, D)
    gain, outside, at_sq = [], [], []
    for j, opts in enumerate(x.options):  # loop over issues, vectorised over draws, actors and options
        u = issue_utility(opts[:, None, :], x.position[:, :, j, None], width[j], k[:, None])  # (n, A, n_d)
        table = w[:, :, j, None] * (u - dis[:, :, j, None])
        mask = rows.mask[:, j, None]  # (C, 1)
        gain.append(np.where(mask, table[:, rows.actor], 0.0))
        acc = x.acceptable[:, :, j]  # (n, A, 2)
        out = (opts[:, None, :] < acc[:, :, 0, None]) | (opts[:, None, :] > acc[:, :, 1, None])
        outside.append(mask & out[:, rows.actor])
        at_sq.append(np.asarray(opts == x.status_quo[:, j, None]))
    if not all(t.any(axis=1).all() for t in at_sq):
        raise ValueError("every draw's options must include its status quo")
    sq_index = np.stack([np.argmax(t, axis=1) for t in at_sq], axis=1).astype(np.int64)
    holds = [condition_holds(c, x.options[c.on], float(width[c.on])) for c in problem.conditions]
    return _Tables(gain, outside, at_sq, sq_index, holds)


def _judge(problem: DealProblem, t: _Tables, index: np.ndarray) -> np.ndarray:
    """``(n, P)``: package ``index[p]`` (option indices ``(P, D)``) is feasible in draw ``i`` (row ``i`` of
    the tables) — the verdict of :func:`~realpolitik.deals.space.judge_index`, array for array."""
    rows = problem.rows()
    n, (p, d) = t.sq_index.shape[0], index.shape
    at_sq = [np.take(t.at_sq[j], index[:, j], axis=1) for j in range(d)]  # per issue (n, P)
    moot: dict[int, np.ndarray] = {}  # per issue that can be moot (n, P)
    eff: dict[int, np.ndarray] = {}  # effective option (the status quo where the issue is moot) (n, P)
    for c, ok in zip(problem.conditions, t.holds, strict=True):  # in dependency order, as moot_index
        on = eff.get(c.on)
        holds = np.take(ok, index[:, c.on], axis=1) if on is None else np.take_along_axis(ok, on, axis=1)
        m = moot[c.issue] | ~holds if c.issue in moot else ~holds
        moot[c.issue] = m
        cur = eff.get(c.issue, index[None, :, c.issue])
        eff[c.issue] = np.where(m, t.sq_index[:, c.issue, None], cur)
    ok_pkg = np.ones((n, p), dtype=bool)  # valid: no moot issue moved
    for j, m in moot.items():
        ok_pkg &= ~(m & ~at_sq[j])
    active = np.zeros((rows.n_groups, n, p), dtype=bool)
    gain = np.zeros((n, rows.n, p))
    out = np.zeros((n, rows.n, p), dtype=bool)
    for j in range(d):  # loop over issues (few), in issue order as judge_index adds them
        part = np.take(t.gain[j], index[:, j], axis=2)  # (n, C, P), a new array: changed in place
        o = np.take(t.outside[j], index[:, j], axis=2)
        moved = ~at_sq[j]
        if j in moot:
            np.copyto(part, 0.0, where=moot[j][:, None, :])
            np.copyto(o, False, where=moot[j][:, None, :])
            moved &= ~moot[j]
        gain += part  # the same sums as judge_index's ``gain = gain + part``, issue by issue
        out |= o
        active[rows.group_of[j]] |= moved
        del part, o
    np.round(gain, DECIMALS, out=gain)
    refused = out | ~rows.compare(gain.transpose(0, 2, 1), rounded=True).transpose(0, 2, 1)  # (n, C, P)
    ok_pkg &= active.any(axis=0)
    for g in range(rows.n_groups):  # an active agreement refused by one of its rows
        sel = np.flatnonzero(rows.group == g)
        if sel.size:
            ok_pkg &= ~(active[g] & refused[:, sel].any(axis=1))
    return ok_pkg


def _unravel(shape: tuple[int, ...], flat: np.ndarray) -> np.ndarray:
    """Flat package numbers → option indices ``(P, D)``."""
    return np.stack(np.unravel_index(flat, shape), axis=-1).astype(np.int64).reshape(-1, len(shape))


#: Packages found feasible in earlier draws that every later draw judges first (draws of one run are
#: alike, so one of these is usually feasible again and the draw is done after judging a few packages).
KNOWN = 64


def feasible_draws(
    problem: DealProblem, x: DrawNumbers, *, elements: int = PROBE_ELEMENTS, known: int = KNOWN
) -> np.ndarray:
    """``(N,)`` bool: whether some package of each draw is feasible (every package, until one is).

    ``problem`` gives the structure (rows, conditions, risk, widths); its numbers are not read. Each draw
    first judges up to ``known`` packages found feasible in earlier draws (the first draw, none), then,
    unless one of them is feasible, every package in blocks; it stops at the first block with a feasible
    package. The order changes how soon a draw stops, never its flag.

    Memory is bounded by ``elements``, whatever the number of draws: each pass judges ``n × P`` cells
    (n draws, P packages) with ``n × P × max(C, D) <= elements`` (C rows of the acceptance test, D
    issues) and holds a few arrays of that size (two of floats); the per-issue tables are built for at
    most ``elements // (Σ_d n_d × max(C, A))`` draws at a time. A pass never takes fewer than one draw
    and one package. At the default (2**19: 4 MiB per float array) the whole probe peaks at 6-18 MiB
    (tracemalloc) on built-in scenarios with 2,000 draws and on a 531,441-package space.
    """
    rows = problem.rows()
    n_all = x.n
    found = np.zeros(n_all, dtype=bool)
    if n_all == 0:
        return found
    shape = tuple(int(o.shape[1]) for o in x.options)
    n_packages = int(np.prod(shape, dtype=np.int64)) if shape else 1
    width = max(rows.n, problem.n_issues, 1)
    per_draw = max(1, sum(shape) * max(rows.n, problem.n_actors, 1))
    block = max(1, min(n_packages, elements // width))  # packages per block
    step = max(1, elements // per_draw)  # draws whose tables are held at once
    seen = np.zeros(0, dtype=np.int64)  # flat numbers of packages feasible in earlier draws

    def passes(t: _Tables, open_: np.ndarray, flat: np.ndarray) -> np.ndarray:
        """Which draws ``open_`` (rows of ``t``) have a feasible package among ``flat``; learns packages."""
        nonlocal seen
        index = _unravel(shape, flat)
        per_pass = max(1, elements // (index.shape[0] * width))
        hit = np.zeros(open_.size, dtype=bool)
        for a0 in range(0, open_.size, per_pass):  # loop over passes of at most ``elements``
            sel = open_[a0 : a0 + per_pass]
            ok = _judge(problem, t.take(sel), index)
            hit[a0 : a0 + sel.size] = ok.any(axis=1)
            if seen.size < known and hit.any():  # the packages feasible for most of these draws
                count = ok.sum(axis=0)
                new = np.setdiff1d(flat[count > 0], seen)
                order = np.argsort(-count[np.searchsorted(flat, new)], kind="stable")
                seen = np.concatenate([seen, new[order][: known - seen.size]])
        return hit

    for s0 in range(0, n_all, step):  # loop over groups of draws, bounded by the tables' memory
        part = np.arange(s0, min(n_all, s0 + step))
        tables = _tables(problem, x.take(part))
        todo = np.arange(part.size)
        while todo.size:  # loop over sub-groups: the first draw alone (it teaches the known packages)
            m = 1 if s0 == 0 and todo.size == part.size else max(1, elements // (max(seen.size, 1) * width))
            open_, todo = todo[:m], todo[m:]
            if seen.size:
                hit = passes(tables, open_, np.sort(seen))
                found[part[open_[hit]]] = True
                open_ = open_[~hit]
            for f0 in range(0, n_packages, block):  # loop over package blocks: draws with a deal leave
                if open_.size == 0:
                    break
                hit = passes(tables, open_, np.arange(f0, min(n_packages, f0 + block), dtype=np.int64))
                found[part[open_[hit]]] = True
                open_ = open_[~hit]
    return found
