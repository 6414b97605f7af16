"""Searching a package space too large to enumerate.

Candidates are many packages at once (rows of an option-index matrix). Phase 1 moves every candidate,
one issue at a time, to the option that most reduces its *shortfall* (how far the consent rows that
reject it are from accepting; ties broken by the parties' joint gain). Phase 2 starts from the feasible
candidates and climbs, one issue at a time and without leaving the feasible set, a weighted sum of the
parties' gains with random weights per candidate (plus each party's own gain, for favourites), so that
the packages found spread along the frontier. Every feasible package visited is kept.
"""

from __future__ import annotations

import numpy as np

from realpolitik.deals.core import (
    Concession,
    DealResult,
    best_concession,
    rest_maxima,
    solve,
)
from realpolitik.deals.space import DECIMALS, Constraints, DealProblem

_EPS = 1e-9


def _row_gains(cons: Constraints, index: np.ndarray) -> np.ndarray:
    g = np.zeros((cons.n, index.shape[0]))
    for j, t in enumerate(cons.tables):
        g += t[:, index[:, j]]
    return g


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


def find_feasible(
    problem: DealProblem,
    cons: Constraints,
    rng: np.random.Generator,
    *,
    starts: int = 1024,
    sweeps: int = 40,
    climb: bool = True,
) -> np.ndarray:
    """Distinct feasible packages found ``(K, D)`` (option indices, sorted rows)."""
    idx = _starts(problem, rng, starts)
    m, d = idx.shape
    parties = np.array([k == "party" for k in cons.kind], dtype=bool)
    need = cons.threshold + np.where(cons.strict, _EPS, 0.0)
    found: list[np.ndarray] = []
    g = _row_gains(cons, idx)  # (C, M)

    def keep(ix: np.ndarray, gg: np.ndarray) -> np.ndarray:
        ok = cons.accept(gg).all(axis=0) if cons.n else np.ones(ix.shape[0], bool)
        if ok.any():
            found.append(ix[ok].copy())
        return np.asarray(ok)

    ok = keep(idx, g)
    # ---- phase 1: minimise the shortfall
    for _ in range(sweeps):
        if ok.all():
            break
        moved = False
        for j in rng.permutation(d):
            t = cons.tables[j]
            alt = g[:, :, None] - t[:, idx[:, j]][:, :, None] + t[:, None, :]  # (C, M, n_j)
            short = np.maximum(need[:, None, None] - alt, 0.0).sum(axis=0)
            joint = alt[parties].sum(axis=0) if parties.any() else np.zeros_like(short)
            score = np.round(short, DECIMALS) - 1e-6 * joint
            score = np.where(ok[:, None], np.inf, score)  # feasible candidates wait for phase 2
            score[np.arange(m)[ok], idx[ok, j]] = 0.0
            new = np.argmin(score, axis=1)
            change = new != idx[:, j]
            if change.any():
                moved = True
                idx[:, j] = new
                g = _row_gains(cons, idx)
                ok = keep(idx, g)
        if not moved:
            break
    # ---- phase 2: climb random weighted sums of the parties' gains inside the feasible set
    if climb and ok.any() and parties.any():
        idx = idx[ok]
        g = g[:, ok]
        mm = idx.shape[0]
        p = int(parties.sum())
        lam = rng.dirichlet(np.ones(p), size=mm)
        own = np.eye(p)[np.arange(mm) % p]
        lam[: min(mm, p)] = own[: min(mm, p)]  # the first candidates climb one party's gain each
        for _ in range(sweeps):
            moved = False
            for j in rng.permutation(d):
                t = cons.tables[j]
                alt = g[:, :, None] - t[:, idx[:, j]][:, :, None] + t[:, None, :]  # (C, M, n_j)
                acc = cons.accept(alt.reshape(cons.n, -1)).all(axis=0).reshape(mm, -1)
                val = np.einsum("mp,pmo->mo", lam, alt[parties])
                val = np.where(acc, np.round(val, DECIMALS), -np.inf)
                cur = val[np.arange(mm), idx[:, j]]
                new = np.argmax(val, axis=1)
                better = val[np.arange(mm), new] > cur
                if better.any():
                    moved = True
                    idx[better, j] = new[better]
                    g = _row_gains(cons, idx)
                    keep(idx, g)
            if not moved:
                break
    if not found:
        return np.zeros((0, d), dtype=np.int64)
    return np.unique(np.concatenate(found, axis=0), axis=0)


def search_analysis(
    problem: DealProblem,
    cons: Constraints,
    rng: np.random.Generator,
    *,
    starts: int,
    sweeps: int,
    concessions: bool,
    seed: int | None,
) -> DealResult:
    """The deal analysis from search: counts are of distinct feasible packages *found* (lower bounds)."""
    index = find_feasible(problem, cons, rng, starts=starts, sweeps=sweeps)
    veto: dict[int, int] = {}
    consent: dict[int, int] = {}
    conc: dict[int, Concession | None] = {}
    for r in range(cons.n):  # loop over consent rows (few), each search vectorised over candidates
        i = int(cons.actor[r])
        relaxed = cons.drop([r])
        pool = find_feasible(problem, relaxed, rng, starts=max(64, starts // 4), sweeps=sweeps, climb=False)
        both = np.unique(np.concatenate([pool, index], axis=0), axis=0) if index.size else pool
        (veto if cons.kind[r] == "veto" else consent)[i] = int(both.shape[0])
        if concessions and index.shape[0] == 0:
            c = best_concession(problem, cons, r, rest_maxima(problem, cons, r, pool)) if pool.size else None
            prev = conc.get(i)
            conc[i] = c if (c is not None and (prev is None or c.size < prev.size)) else prev
    return solve(
        problem,
        index,
        method="search",
        veto_effects=veto,
        consent_effects=consent,
        concessions=conc,
        seed=seed,
    )
