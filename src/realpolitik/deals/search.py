"""Searching a package space too large to enumerate.

Candidates are many packages at once (rows of an option-index matrix). Phase 1 moves every candidate,
one issue at a time, to the option that most reduces its *shortfall* (how far the rows that reject it are
from accepting: the gain missing, plus one unit per red line breached; ties broken by the parties' joint
gain). Phase 2 starts from the feasible candidates and climbs, one issue at a time and without leaving the
feasible set, a weighted sum of the parties' gains with random weights per candidate (plus each party's own
gain, for favourites), so that the packages found spread along the frontier.

Moves are scored incrementally (only the moved issue's parts change, and the parts of issues whose
``applies_if`` reads it); every package kept is judged again by the one acceptance test
(:func:`~realpolitik.deals.space.judge_index`), so the search can miss packages but never reports one
that is not feasible.
"""

from __future__ import annotations

import numpy as np

from realpolitik.deals.core import (
    Concession,
    DealResult,
    _empty_reach,
    accumulate_reach,
    solve,
    verified_concessions,
)
from realpolitik.deals.judge import Rows
from realpolitik.deals.space import DECIMALS, DealProblem, judge_index

_EPS = 1e-9


class _State:
    """Per-candidate parts of the row gains and red-line breaches, updated as candidates move."""

    def __init__(self, problem: DealProblem, rows: Rows, idx: np.ndarray) -> None:
        self.problem = problem
        self.rows = rows
        self.gt = [t[rows.actor] for t in problem.gain_tables()]  # (C, n_d)
        self.ot = [t[rows.actor] for t in problem.outside_tables()]
        self.sq = problem.status_quo_index
        d = problem.n_issues
        self.members = np.zeros((rows.n_groups, d), dtype=bool)
        self.members[rows.group_of, np.arange(d)] = True
        self.readers = [[c for c in problem.conditions if c.on == j] for j in range(d)]
        self.set(idx)

    def set(self, idx: np.ndarray) -> None:
        self.idx = idx
        j = judge_index(self.problem, self.rows, idx)
        self.moot = j.moot
        self.valid = j.valid
        self.ok = j.feasible
        self.accept = j.accept

    def alternatives(self, j: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For every candidate and every option o of issue j (others unchanged): the row gains
        ``(M, n_j, C)``, red lines breached ``(M, n_j, C)`` and feasibility ``(M, n_j)``."""
        p, rows, idx = self.problem, self.rows, self.idx
        m = idx.shape[0]
        n_j = int(p.n_options[j])
        alt = np.repeat(idx[:, None, :], n_j, axis=1)
        alt[:, :, j] = np.arange(n_j)[None, :]
        flat = alt.reshape(-1, p.n_issues)
        if self.readers[j]:  # the move can change which issues are moot: judge every alternative
            jj = judge_index(p, rows, flat)
            gain = jj.gain.reshape(m, n_j, rows.n)
            out = jj.outside[:, :, 0].reshape(m, n_j, rows.n).astype(float)
            return gain, out, jj.feasible.reshape(m, n_j)
        live = rows.mask[None, :, :] & ~self.moot[:, None, :]  # (M, C, D)
        parts = np.zeros((m, rows.n, p.n_issues))
        outs = np.zeros((m, rows.n, p.n_issues), dtype=bool)
        for d in range(p.n_issues):
            parts[:, :, d] = np.where(live[:, :, d], self.gt[d][:, idx[:, d]].T, 0.0)
            outs[:, :, d] = live[:, :, d] & self.ot[d][:, idx[:, d]].T
        rest = parts.sum(axis=2) - parts[:, :, j]  # (M, C)
        gain = rest[:, None, :] + np.where(live[:, None, :, j], self.gt[j].T[None, :, :], 0.0)
        out_rest = outs.sum(axis=2) - outs[:, :, j]
        out = out_rest[:, None, :] + (live[:, None, :, j] & self.ot[j].T[None, :, :])
        moved = (idx != self.sq[None, :]) & ~self.moot  # (M, D)
        moved_alt = np.repeat(moved[:, None, :], n_j, axis=1)
        moved_alt[:, :, j] = (np.arange(n_j)[None, :] != self.sq[j]) & ~self.moot[:, None, j]
        active = (moved_alt[:, :, None, :] & self.members[None, None]).any(axis=-1)  # (M, n_j, G)
        valid = np.repeat(self.valid[:, None], n_j, axis=1)
        valid &= ~(self.moot[:, None, j] & (np.arange(n_j)[None, :] != self.sq[j]))  # moot: status quo only
        acc = ~active[:, :, rows.group] | ((out == 0) & rows.compare(gain))
        feasible = valid & active.any(axis=-1) & acc.all(axis=-1)
        return np.round(gain, DECIMALS), out.astype(float), feasible


def find_feasible(
    problem: DealProblem,
    rows: Rows,
    rng: np.random.Generator,
    *,
    starts: int = 1024,
    sweeps: int = 40,
    climb: bool = True,
) -> np.ndarray:
    """Distinct feasible packages found ``(K, D)`` (option indices, sorted rows)."""
    idx = _starts(problem, rng, starts)
    d = idx.shape[1]
    parties = np.array([k == "party" for k in rows.kind], dtype=bool)
    need = rows.threshold + np.where(rows.strict, _EPS, 0.0)
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
            gain, out, _feas = state.alternatives(int(j))
            short = (np.maximum(need - gain, 0.0) + out).sum(axis=2)  # (M, n_j)
            joint = gain[:, :, parties].sum(axis=2) if parties.any() else np.zeros_like(short)
            score = np.round(short, DECIMALS) - 1e-6 * joint
            ok = state.ok
            score = np.where(ok[:, None], np.inf, score)  # feasible candidates wait for phase 2
            score[np.arange(idx.shape[0])[ok], state.idx[ok, j]] = 0.0
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
        p = int(parties.sum())
        lam = rng.dirichlet(np.ones(p), size=mm)
        own = np.eye(p)[np.arange(mm) % p]
        lam[: min(mm, p)] = own[: min(mm, p)]  # the first candidates climb one party's gain each
        for _ in range(sweeps):
            moved = False
            for j in rng.permutation(d):
                gain, _out, feas = state.alternatives(int(j))
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


def search_analysis(
    problem: DealProblem,
    rows: Rows,
    rng: np.random.Generator,
    *,
    starts: int,
    sweeps: int,
    concessions: bool,
    seed: int | None,
) -> DealResult:
    """The deal analysis from search: counts are of distinct feasible packages *found* (lower bounds)."""
    index = find_feasible(problem, rows, rng, starts=starts, sweeps=sweeps)
    veto: dict[int, int] = {}
    consent: dict[int, int] = {}
    reach = [_empty_reach(problem) for _ in range(rows.n)]
    actors_kinds = sorted({(int(a), k) for a, k in zip(rows.actor, rows.kind, strict=True)})
    for a, kind in actors_kinds:  # loop over actors with rows (few), each search vectorised
        relaxed = rows.drop(rows.of_actor(a, kind))
        pool = find_feasible(problem, relaxed, rng, starts=max(64, starts // 4), sweeps=sweeps, climb=False)
        both = np.unique(np.concatenate([pool, index], axis=0), axis=0) if index.size else pool
        (veto if kind == "veto" else consent)[a] = int(both.shape[0])
        if concessions and index.shape[0] == 0 and pool.size:
            accumulate_reach(problem, rows, pool, reach)
    conc: dict[int, Concession | None] = {}
    if concessions and index.shape[0] == 0:
        conc = verified_concessions(problem, rows, reach)
    return solve(
        problem,
        index,
        method="search",
        veto_effects=veto,
        consent_effects=consent,
        concessions=conc,
        seed=seed,
    )
