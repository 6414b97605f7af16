"""Searching a package space too large to enumerate.

Candidates are many packages at once (rows of an option-index matrix). Phase 1 moves every candidate,
one issue at a time, to the option that most reduces its *shortfall*: over the rows of the agreements
the package changes, the gain missing plus one unit per red line breached, and a penalty larger than
any such sum for each moot issue moved off its status quo and for changing no agreement at all (ties
broken by the parties' joint gain). Phase 2 starts from the feasible candidates and climbs, one issue at
a time and without leaving the feasible set, a weighted sum of the parties' gains with random weights per
candidate (the first candidates climb one party's own gain each, for favourites), so that the packages
found spread along the frontier.

Moves are scored incrementally (only the moved issue's parts change) unless another issue's
``applies_if`` reads the moved issue (then every alternative is judged in full). Every package kept is
judged again by the one acceptance test (:func:`~realpolitik.deals.space.judge_index`), so the search
can miss packages but never reports one that is not feasible.
"""

from __future__ import annotations

import numpy as np

from realpolitik.deals.judge import Rows
from realpolitik.deals.space import DECIMALS, DealProblem, judge_index

_EPS = 1e-9


class _State:
    """Candidates ``(M, D)`` with their verdicts and per-issue row parts, updated as candidates move."""

    def __init__(self, problem: DealProblem, rows: Rows, idx: np.ndarray) -> None:
        self.problem = problem
        self.rows = rows
        self.gt = [t[rows.actor] for t in problem.gain_tables()]  # per issue (C, n_d)
        self.ot = [t[rows.actor] for t in problem.outside_tables()]
        self.sq = problem.status_quo_index
        d = problem.n_issues
        self.members = np.zeros((rows.n_groups, d), dtype=bool)
        self.members[rows.group_of, np.arange(d)] = True
        self.readers = [any(c.on == j for c in problem.conditions) for j in range(d)]
        self.set(idx)

    def set(self, idx: np.ndarray) -> None:
        """Move to candidates ``idx``: the verdict of the one acceptance test and the parts for scoring."""
        p, rows = self.problem, self.rows
        self.idx = idx
        j = judge_index(p, rows, idx)
        self.moot = j.moot
        self.ok = j.feasible
        m = idx.shape[0]
        live = rows.mask[None, :, :] & ~self.moot[:, None, :]  # (M, C, D)
        self.parts = np.zeros((m, rows.n, p.n_issues))
        self.outs = np.zeros((m, rows.n, p.n_issues))
        for d in range(p.n_issues):  # loop over issues, vectorised over candidates and rows
            self.parts[:, :, d] = np.where(live[:, :, d], self.gt[d][:, idx[:, d]].T, 0.0)
            self.outs[:, :, d] = live[:, :, d] & self.ot[d][:, idx[:, d]].T
        self.bad = (self.moot & (idx != self.sq[None, :])).astype(np.int64)  # moot issues moved
        self.moved = (idx != self.sq[None, :]) & ~self.moot

    def alternatives(self, j: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """For every candidate and every option o of issue j (other issues unchanged): the row gains and
        red lines breached ``(M, n_j, C)``, the agreements changed ``(M, n_j, G)``, the number of moot
        issues moved ``(M, n_j)`` and feasibility ``(M, n_j)``."""
        p, rows, idx = self.problem, self.rows, self.idx
        m = idx.shape[0]
        n_j = int(p.n_options[j])
        if self.readers[j]:  # the move can change which issues are moot: judge every alternative in full
            alt = np.repeat(idx[:, None, :], n_j, axis=1)
            alt[:, :, j] = np.arange(n_j)[None, :]
            flat = alt.reshape(-1, p.n_issues)
            jj = judge_index(p, rows, flat)
            bad = (jj.moot & (flat != self.sq[None, :])).sum(axis=1)
            return (
                jj.gain.reshape(m, n_j, rows.n),
                jj.outside[:, :, 0].reshape(m, n_j, rows.n).astype(float),
                jj.active.reshape(m, n_j, rows.n_groups),
                bad.reshape(m, n_j),
                jj.feasible.reshape(m, n_j),
            )
        live_j = rows.mask[None, :, j] & ~self.moot[:, None, j]  # (M, C)
        rest = self.parts.sum(axis=2) - self.parts[:, :, j]  # (M, C)
        gain = rest[:, None, :] + np.where(live_j[:, None, :], self.gt[j].T[None, :, :], 0.0)
        out_rest = self.outs.sum(axis=2) - self.outs[:, :, j]
        out = out_rest[:, None, :] + (live_j[:, None, :] & self.ot[j].T[None, :, :])
        moved = np.repeat(self.moved[:, None, :], n_j, axis=1)
        moved[:, :, j] = (np.arange(n_j)[None, :] != self.sq[j]) & ~self.moot[:, None, j]
        active = (moved[:, :, None, :] & self.members[None, None]).any(axis=-1)  # (M, n_j, G)
        off_sq = np.arange(n_j)[None, :] != self.sq[j]
        bad = (self.bad.sum(axis=1) - self.bad[:, j])[:, None] + (self.moot[:, None, j] & off_sq)
        gain = np.round(gain, DECIMALS)
        acc = ~active[:, :, rows.group] | ((out == 0) & rows.compare(gain))
        feasible = (bad == 0) & active.any(axis=-1) & acc.all(axis=-1)
        return gain, out.astype(float), active, bad, feasible


def find_feasible(
    problem: DealProblem,
    rows: Rows | None,
    rng: np.random.Generator,
    *,
    starts: int = 1024,
    sweeps: int = 40,
    climb: bool = True,
) -> np.ndarray:
    """Distinct feasible packages found ``(K, D)`` (option indices, sorted rows); ``rows`` default to the
    problem's own (pass fewer to search with some rows dropped)."""
    rows = problem.rows() if rows is None else rows
    idx = _starts(problem, rng, starts)
    d = idx.shape[1]
    parties = np.array([k == "party" for k in rows.kind], dtype=bool)
    need = rows.threshold + np.where(rows.strict, _EPS, 0.0)
    # larger than any sum of row shortfalls: a package that changes nothing or moves a moot issue is
    # always further from a deal than one that changes an agreement validly
    penalty = float(rows.n) * (2.0 + abs(problem.margin) + d) + 1.0
    found: list[np.ndarray] = []
    state = _State(problem, rows, idx)

    def keep() -> None:
        if state.ok.any():
            found.append(state.idx[state.ok].copy())

    keep()
    # ---- phase 1: minimise the shortfall
    for _ in range(sweeps):
        if state.ok.all():
            break
        moved = False
        for j in rng.permutation(d):
            gain, out, active, bad, _feas = state.alternatives(int(j))
            act_rows = active[:, :, rows.group]  # (M, n_j, C)
            short = np.where(act_rows, np.maximum(need - gain, 0.0) + out, 0.0).sum(axis=2)
            short = short + penalty * (bad + ~active.any(axis=-1))
            joint = gain[:, :, parties].sum(axis=2) if parties.any() else np.zeros_like(short)
            score = np.round(short, DECIMALS) - 1e-6 * joint
            ok = state.ok
            score = np.where(ok[:, None], np.inf, score)  # feasible candidates wait for phase 2
            score[np.flatnonzero(ok), state.idx[ok, j]] = 0.0
            new = np.argmin(score, axis=1)
            change = new != state.idx[:, j]
            if change.any():
                moved = True
                nxt = state.idx.copy()
                nxt[:, j] = new
                state.set(nxt)
                keep()
        if not moved:
            break
    # ---- phase 2: climb random weighted sums of the parties' gains inside the feasible set
    if climb and state.ok.any() and parties.any():
        state.set(state.idx[state.ok])
        mm = state.idx.shape[0]
        n_p = int(parties.sum())
        lam = rng.dirichlet(np.ones(n_p), size=mm)
        own = np.eye(n_p)[np.arange(mm) % n_p]
        lam[: min(mm, n_p)] = own[: min(mm, n_p)]  # the first candidates climb one party row's gain each
        for _ in range(sweeps):
            moved = False
            for j in rng.permutation(d):
                gain, _out, _active, _bad, feas = state.alternatives(int(j))
                val = np.einsum("mp,mop->mo", lam, gain[:, :, parties])
                val = np.where(feas, np.round(val, DECIMALS), -np.inf)
                cur = val[np.arange(mm), state.idx[:, j]]
                new = np.argmax(val, axis=1)
                better = val[np.arange(mm), new] > cur
                if better.any():
                    moved = True
                    nxt = state.idx.copy()
                    nxt[better, j] = new[better]
                    state.set(nxt)
                    keep()
            if not moved:
                break
    if not found:
        return np.zeros((0, d), dtype=np.int64)
    return np.unique(np.concatenate(found, axis=0), axis=0)


def _starts(problem: DealProblem, rng: np.random.Generator, n: int) -> np.ndarray:
    """Random packages plus the status quo and each actor's nearest-to-ideal package."""
    d = problem.n_issues
    rand = np.stack([rng.integers(0, int(k), size=n) for k in problem.n_options], axis=-1)
    ideal = np.stack(
        [
            np.argmin(np.abs(o[None, :] - problem.position[:, j, None]), axis=1)
            for j, o in enumerate(problem.options)
        ],
        axis=-1,
    )
    return (
        np.concatenate([problem.status_quo_index[None, :], ideal, rand], axis=0)
        .reshape(-1, d)
        .astype(np.int64)
    )
