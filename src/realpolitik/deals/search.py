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

from realpolitik.deals.judge import Rows, sum_issues
from realpolitik.deals.space import DECIMALS, DealProblem, judge_index, row_tables

_EPS = 1e-9


class _State:
    """Candidates ``(M, D)`` with their verdicts and per-issue row parts, updated as candidates move."""

    def __init__(self, problem: DealProblem, rows: Rows, idx: np.ndarray) -> None:
        self.problem = problem
        self.rows = rows
        self.gt, self.ot = row_tables(problem, rows)  # per issue (n_d, C), 0 / False off the row's issues
        self.red = any(bool(t.any()) for t in self.ot)  # some option breaches some red line
        self.can_be_moot = {c.issue for c in problem.conditions}
        self.sq = problem.status_quo_index
        d = problem.n_issues
        self.members = np.zeros((rows.n_groups, d), dtype=bool)
        self.members[rows.group_of, np.arange(d)] = True
        self.readers = [any(c.on == j for c in problem.conditions) for j in range(d)]
        m = idx.shape[0]
        self.idx = idx.copy()
        self.parts = np.zeros((m, rows.n, d))
        self.outs = np.zeros((m, rows.n, d), dtype=bool)
        self.moot = np.zeros((m, d), dtype=bool)
        self.ok = np.zeros(m, dtype=bool)
        self.total = np.zeros((m, rows.n))
        self.n_out = np.zeros((m, rows.n), dtype=np.int64)
        self.bad = np.zeros((m, d), dtype=np.int64)
        self.n_bad = np.zeros(m, dtype=np.int64)
        self.moved = np.zeros((m, d), dtype=bool)
        self.update(np.arange(m), idx)

    def update(self, sel: np.ndarray, new: np.ndarray) -> None:
        """Move candidates ``sel`` to packages ``new``: judged again by the one acceptance test."""
        if not sel.size:
            return
        self.idx[sel] = new
        j = judge_index(self.problem, self.rows, new, detail=True, tables=(self.gt, self.ot))
        assert j.contributions is not None
        self.parts[sel] = j.contributions
        self.outs[sel] = j.outside
        self.moot[sel] = j.moot
        self.ok[sel] = j.feasible
        self.total[sel] = sum_issues(j.contributions)  # (n, C); a loop over issues beats a short-axis sum
        self.n_out[sel] = np.count_nonzero(j.outside, axis=2)
        off = new != self.sq[None, :]
        self.bad[sel] = j.moot & off  # moot issues moved
        self.n_bad[sel] = self.bad[sel].sum(axis=1)
        self.moved[sel] = off & ~j.moot

    def select(self, keep: np.ndarray) -> None:
        """Keep only candidates ``keep`` (bool)."""
        for name in ("idx", "parts", "outs", "moot", "ok", "total", "n_out", "bad", "n_bad", "moved"):
            setattr(self, name, getattr(self, name)[keep])

    def alternatives(
        self, j: int, *, verdict: bool = True
    ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray, np.ndarray | None]:
        """For every candidate and every option o of issue j (other issues unchanged): the row gains
        ``(M, n_j, C)`` (rounded when ``verdict``), red lines breached (None when no option breaches any),
        the agreements changed ``(M, n_j, G)``, the number of moot issues moved ``(M, n_j)`` and, with
        ``verdict``, feasibility ``(M, n_j)``."""
        p, rows, idx = self.problem, self.rows, self.idx
        m = idx.shape[0]
        n_j = int(p.n_options[j])
        if self.readers[j]:  # the move can change which issues are moot: judge every alternative in full
            alt = np.repeat(idx[:, None, :], n_j, axis=1)
            alt[:, :, j] = np.arange(n_j)[None, :]
            flat = alt.reshape(-1, p.n_issues)
            jj = judge_index(p, rows, flat, tables=(self.gt, self.ot))
            bad = (jj.moot & (flat != self.sq[None, :])).sum(axis=1)
            return (
                jj.gain.reshape(m, n_j, rows.n),
                jj.outside[:, :, 0].reshape(m, n_j, rows.n).astype(float),
                jj.active.reshape(m, n_j, rows.n_groups),
                bad.reshape(m, n_j),
                jj.feasible.reshape(m, n_j),
            )
        rest = self.total - self.parts[:, :, j]  # (M, C)
        moot_j = j in self.can_be_moot
        gt = np.where(self.moot[:, j, None, None], 0.0, self.gt[j][None]) if moot_j else self.gt[j][None]
        gain = rest[:, None, :] + gt  # (M, n_j, C)
        out = None
        if self.red:
            ot = self.ot[j][None] & ~self.moot[:, j, None, None] if moot_j else self.ot[j][None]
            out = ((self.n_out - self.outs[:, :, j])[:, None, :] + ot).astype(float)
        # agreements changed: those of the other issues as now, issue j's own by the option taken
        g_j = int(p.group[j])
        others = self.moved.copy()
        others[:, j] = False
        act0 = np.stack([others[:, self.members[g]].any(axis=1) for g in range(rows.n_groups)], axis=1)
        active = np.repeat(act0[:, None, :], n_j, axis=1)  # (M, n_j, G)
        off_sq = np.arange(n_j)[None, :] != self.sq[j]
        active[:, :, g_j] |= off_sq & ~self.moot[:, None, j]
        bad = (self.n_bad - self.bad[:, j])[:, None] + (self.moot[:, None, j] & off_sq)
        if not verdict:
            return gain, out, active, bad, None
        gain = np.round(gain, DECIMALS)
        inside = (
            rows.compare(gain, rounded=True) if out is None else (out == 0) & rows.compare(gain, rounded=True)
        )
        acc = ~active[:, :, rows.group] | inside
        feasible = (bad == 0) & active.any(axis=-1) & acc.all(axis=-1)
        return gain, out, active, bad, feasible


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
            gain, out, active, bad, _ = state.alternatives(int(j), verdict=False)
            miss = np.maximum(need - gain, 0.0) if out is None else np.maximum(need - gain, 0.0) + out
            if rows.n_groups == 1:
                short = np.where(active[:, :, 0], sum_issues(miss), 0.0)
            else:
                short = sum_issues(np.where(active[:, :, rows.group], miss, 0.0))  # summed over rows
            short = short + penalty * (bad + ~active.any(axis=-1))
            joint = sum_issues(gain[:, :, parties]) if parties.any() else np.zeros_like(short)
            score = np.round(short, DECIMALS) - 1e-6 * joint
            ok = state.ok
            score = np.where(ok[:, None], np.inf, score)  # feasible candidates wait for phase 2
            score[np.flatnonzero(ok), state.idx[ok, j]] = 0.0
            new = np.argmin(score, axis=1)
            change = np.flatnonzero(new != state.idx[:, j])
            if change.size:
                moved = True
                nxt = state.idx[change].copy()
                nxt[:, j] = new[change]
                state.update(change, nxt)
                keep()
        if not moved:
            break
    # ---- phase 2: climb random weighted sums of the parties' gains inside the feasible set
    if climb and state.ok.any() and parties.any():
        state.select(state.ok)
        mm = state.idx.shape[0]
        n_p = int(parties.sum())
        lam = rng.dirichlet(np.ones(n_p), size=mm)
        own = np.eye(n_p)[np.arange(mm) % n_p]
        lam[: min(mm, n_p)] = own[: min(mm, n_p)]  # the first candidates climb one party row's gain each
        for _ in range(sweeps):
            moved = False
            for j in rng.permutation(d):
                gain, _out, _active, _bad, feas = state.alternatives(int(j))
                assert feas is not None
                val = np.einsum("mp,mop->mo", lam, gain[:, :, parties])
                val = np.where(feas, np.round(val, DECIMALS), -np.inf)
                cur = val[np.arange(mm), state.idx[:, j]]
                new = np.argmax(val, axis=1)
                better = np.flatnonzero(val[np.arange(mm), new] > cur)
                if better.size:
                    moved = True
                    nxt = state.idx[better].copy()
                    nxt[:, j] = new[better]
                    state.update(better, nxt)
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
