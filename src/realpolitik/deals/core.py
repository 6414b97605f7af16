"""The array core of the deal analysis: feasible set, frontier, bargaining solutions, vetoes, linkage.

Everything here takes a :class:`~realpolitik.deals.space.DealProblem` (arrays only) and is vectorised
over packages: full enumeration runs in blocks of the package grid with broadcasting, large spaces are
searched (:mod:`realpolitik.deals.search`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import numpy as np

from realpolitik._rng import SeedLike, as_generator
from realpolitik.deals.space import (
    DECIMALS,
    Constraints,
    DealProblem,
    constraints,
    issue_utility,
    risk_exponent,
)

#: Enumerate every package while the package count is at most this (above it: search).
MAX_ENUMERATE = 1_000_000
#: Packages evaluated at once during enumeration (memory ~ rows × this × 8 bytes).
BLOCK = 1 << 17


# ------------------------------------------------------------------------------------------ enumeration
def _blocks(n_opts: np.ndarray, block: int = BLOCK) -> Iterator[tuple[int, int]]:
    """Slices ``[a0, a1)`` of the first issue's options such that each block holds about ``block`` packages."""
    rest = math.prod(int(n) for n in n_opts[1:])
    k = max(1, block // max(rest, 1))
    for a0 in range(0, int(n_opts[0]), k):
        yield a0, min(int(n_opts[0]), a0 + k)


def _block_sum(tables: tuple[np.ndarray, ...], a0: int, a1: int) -> np.ndarray:
    """Σ_d tables[d] over the block's packages by broadcasting: ``(R, n_block)`` in C order."""
    d = len(tables)
    r = tables[0].shape[0]
    total = np.zeros((r,) + (a1 - a0,) + tuple(t.shape[1] for t in tables[1:]))
    for j, t in enumerate(tables):
        part = t[:, a0:a1] if j == 0 else t
        shape = [r] + [1] * d
        shape[1 + j] = part.shape[1]
        total += part.reshape(shape)
    return total.reshape(r, -1)


@dataclass
class Enumeration:
    """What one pass over every package gives."""

    feasible: np.ndarray  # (n_f,) flat indices of feasible packages
    without: np.ndarray  # (C,) number of feasible packages when that consent row is dropped


def enumerate_feasible(problem: DealProblem, cons: Constraints, block: int = BLOCK) -> Enumeration:
    """Every package's acceptance by every consent row; the feasible packages and the counts without each row."""
    n_opts = problem.n_options
    rest = math.prod(int(n) for n in n_opts[1:])
    feas: list[np.ndarray] = []
    without = np.zeros(cons.n, dtype=np.int64)
    for a0, a1 in _blocks(n_opts, block):
        if cons.n == 0:
            n_block = (a1 - a0) * rest
            feas.append(a0 * rest + np.arange(n_block))
            continue
        ok = cons.accept(_block_sum(cons.tables, a0, a1))
        nfail = (~ok).sum(axis=0)
        good = nfail == 0
        feas.append(a0 * rest + np.flatnonzero(good))
        without += good.sum() + ((nfail == 1)[None, :] & ~ok).sum(axis=1)
    return Enumeration(feasible=np.concatenate(feas) if feas else np.zeros(0, np.int64), without=without)


def any_feasible(
    problem: DealProblem, *, max_enumerate: int = MAX_ENUMERATE, seed: SeedLike = 0, block: int = BLOCK
) -> bool:
    """Whether some package is feasible: enumeration that stops at the first feasible block, or a search."""
    cons = constraints(problem)
    if cons.n == 0:
        return problem.n_packages > 1
    if problem.n_packages <= max_enumerate:
        for a0, a1 in _blocks(problem.n_options, block):
            if cons.accept(_block_sum(cons.tables, a0, a1)).all(axis=0).any():
                return True
        return False
    from realpolitik.deals.search import find_feasible

    rng = as_generator(seed if seed is not None else 0)
    return bool(find_feasible(problem, cons, rng, starts=256, sweeps=20, climb=False).shape[0])


def unravel(problem: DealProblem, flat: np.ndarray) -> np.ndarray:
    """Flat package indices → option indices ``(n, D)``."""
    if flat.size == 0:
        return np.zeros((0, problem.n_issues), dtype=np.int64)
    return np.stack(np.unravel_index(flat, tuple(int(n) for n in problem.n_options)), axis=-1).astype(
        np.int64
    )


# ------------------------------------------------------------------------------------------ frontier
def _dominated_by(pts: np.ndarray, others: np.ndarray, same: bool = False) -> np.ndarray:
    """For each row of ``pts``, whether some *distinct* row of ``others`` is ≥ on every criterion.

    Rows are unique (see :func:`pareto_mask`), so ≥ everywhere on a different row means domination;
    ``same`` says ``others`` is ``pts`` itself (the diagonal is then ignored).
    """
    ge = np.ones((pts.shape[0], others.shape[0]), dtype=bool)
    for k in range(pts.shape[1]):  # loop over criteria (parties), vectorised over pairs of packages
        ge &= others[None, :, k] >= pts[:, None, k]
    if same:
        np.fill_diagonal(ge, False)
    return np.asarray(ge.any(axis=1))


def pareto_mask(points: np.ndarray, block: int = 512) -> np.ndarray:
    """Which rows of ``points`` ``(n, P)`` are not dominated (≥ on all, > on one) by another row.

    Equal rows do not dominate each other. Two criteria: a sort and a running-maximum sweep; more: a
    dominance filter against the growing frontier, in blocks, over points sorted so that any dominator
    comes before what it dominates (by sum, then lexicographically, descending).
    """
    pts = np.asarray(points, dtype=float)
    n, p = pts.shape
    if n == 0:
        return np.zeros(0, dtype=bool)
    if p == 0:
        return np.ones(n, dtype=bool)
    uniq, inverse = np.unique(pts, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    if p == 1:
        keep_u = uniq[:, 0] == uniq[:, 0].max()
        return np.asarray(keep_u[inverse])
    keys = [-uniq[:, k] for k in reversed(range(p))]
    if p > 2:
        keys.append(-uniq.sum(axis=1))
    order = np.lexsort(keys)
    srt = uniq[order]
    keep_sorted = np.zeros(srt.shape[0], dtype=bool)
    if p == 2:
        # sorted by first desc, then second desc: kept iff second exceeds every earlier second
        prev = np.maximum.accumulate(np.concatenate([[-np.inf], srt[:-1, 1]]))
        keep_sorted = srt[:, 1] > prev
    else:
        front = np.zeros((0, p))
        for s in range(0, srt.shape[0], block):
            blk = srt[s : s + block]
            dom = np.zeros(blk.shape[0], dtype=bool)
            if front.shape[0]:
                dom |= _dominated_by(blk, front)
            dom |= _dominated_by(blk, blk, same=True)
            keep_sorted[s : s + block] = ~dom
            front = np.concatenate([front, blk[~dom]])
    keep_u = np.zeros(uniq.shape[0], dtype=bool)
    keep_u[order] = keep_sorted
    return np.asarray(keep_u[inverse])


def nash_index(gains: np.ndarray, weights: np.ndarray, joint: np.ndarray) -> int:
    """Row maximising Σ_i c_i log g_i over rows with every gain > 0 (ties: larger joint gain, then first).

    Returns -1 when no row has every gain positive.
    """
    if gains.shape[0] == 0:
        return -1
    pos = np.asarray(np.all(gains > 0, axis=1))
    if not pos.any():
        return -1
    with np.errstate(divide="ignore"):
        obj = np.where(
            pos, (weights[None, :] * np.log(np.where(pos[:, None], gains, 1.0))).sum(axis=1), -np.inf
        )
    obj = np.round(obj, DECIMALS - 3)
    order = np.lexsort((np.arange(obj.size), -joint, -obj))
    return int(order[0])


def ks_index(gains: np.ndarray, ideal: np.ndarray, joint: np.ndarray) -> int:
    """Row maximising min_i g_i / ideal_i (Kalai–Smorodinsky; ties: larger sum of ratios, joint gain, first)."""
    if gains.shape[0] == 0:
        return -1
    scale = np.where(ideal > 0, ideal, 1.0)
    ratio = gains / scale[None, :]
    worst = np.round(ratio.min(axis=1), DECIMALS - 3)
    total = np.round(ratio.sum(axis=1), DECIMALS - 3)
    order = np.lexsort((np.arange(worst.size), -joint, -total, -worst))
    return int(order[0])


def favourite_indices(gains: np.ndarray, joint: np.ndarray) -> np.ndarray:
    """For each actor (column), the row with its largest gain (ties: larger joint gain, then first)."""
    n, a = gains.shape
    if n == 0:
        return np.full(a, -1, dtype=np.int64)
    # sort rows once by joint gain descending so argmax's first-maximum rule breaks ties by joint gain
    order = np.lexsort((np.arange(n), -joint))
    best = np.argmax(gains[order], axis=0)
    return np.asarray(order[best], dtype=np.int64)


# ------------------------------------------------------------------------------------------ linkage
def single_issue_deals(problem: DealProblem, cons: Constraints) -> np.ndarray:
    """For each issue, whether some package moving only that issue from the status quo is feasible."""
    sq = problem.status_quo_index
    out = np.zeros(problem.n_issues, dtype=bool)
    if cons.n == 0:
        return np.asarray(problem.n_options > 1)
    base = np.array([t[:, q] for t, q in zip(cons.tables, sq, strict=True)]).T.sum(axis=1)  # (C,)
    for j, t in enumerate(cons.tables):  # loop over issues, vectorised over options and rows
        g = base[:, None] - t[:, sq[j], None] + t  # (C, n_j)
        ok = np.asarray(np.all(cons.accept(g), axis=0))
        ok[sq[j]] = False
        out[j] = bool(ok.any())
    return out


# ------------------------------------------------------------------------------------------ concessions
@dataclass(frozen=True)
class Concession:
    """The smallest change to one input of one actor that opens a deal."""

    actor: int
    field: str  # "position" | "salience"
    issue: int
    old: float
    new: float
    size: float  # |change| as a share of the issue range (position) or on the 0–1 salience scale
    n_feasible: int | None = None  # feasible packages after the change (enumeration only)


def rest_maxima(problem: DealProblem, cons: Constraints, row: int, index: np.ndarray) -> list[np.ndarray]:
    """For one consent row, per issue d and option o: max over packages ``index`` ``(n, D)`` with p_d = o of
    the row's gain without issue d's contribution (−inf where no package has p_d = o)."""
    g = np.zeros(index.shape[0])
    for j, t in enumerate(cons.tables):
        g += t[row, index[:, j]]
    out = []
    for j, t in enumerate(cons.tables):
        m = np.full(t.shape[1], -np.inf)
        np.maximum.at(m, index[:, j], g - t[row, index[:, j]])
        out.append(m)
    return out


def _rest_maxima_enumerated(
    problem: DealProblem, cons: Constraints, block: int = BLOCK
) -> list[list[np.ndarray]]:
    """``rest_maxima`` for every row at once, over the packages every *other* row accepts (full enumeration)."""
    n_opts = problem.n_options
    d = problem.n_issues
    out = [[np.full(int(n), -np.inf) for n in n_opts] for _ in range(cons.n)]
    for a0, a1 in _blocks(n_opts, block):
        g = _block_sum(cons.tables, a0, a1)
        ok = cons.accept(g)
        nfail = (~ok).sum(axis=0)
        others = (nfail[None, :] == 0) | ((nfail[None, :] == 1) & ~ok)  # (C, n): all other rows accept
        shape = (cons.n, a1 - a0, *(int(n) for n in n_opts[1:]))
        for j, t in enumerate(cons.tables):
            tj = t[:, a0:a1] if j == 0 else t
            bshape = [cons.n] + [1] * d
            bshape[1 + j] = tj.shape[1]
            rest = (g.reshape(shape) - tj.reshape(bshape)).reshape(cons.n, -1)
            rest = np.where(others, rest, -np.inf).reshape(shape)
            axes = tuple(k for k in range(1, d + 1) if k != 1 + j)
            m = rest.max(axis=axes) if axes else rest
            if j == 0:
                for r in range(cons.n):
                    out[r][0][a0:a1] = np.maximum(out[r][0][a0:a1], m[r])
            else:
                for r in range(cons.n):
                    out[r][j] = np.maximum(out[r][j], m[r])
    return out


def best_concession(
    problem: DealProblem, cons: Constraints, row: int, maxima: list[np.ndarray], resolution: int = 400
) -> Concession | None:
    """The smallest single move (a position or a salience of the row's actor) that makes the row accept some
    package every other row already accepts. Candidates: ``resolution + 1`` evenly spaced values per input."""
    i = int(cons.actor[row])
    strict = bool(cons.strict[row])
    thr = float(cons.threshold[row])
    veto_row = cons.kind[row] == "veto"
    sal = problem.salience[i]
    total = float(sal.sum())
    k = float(risk_exponent(problem.risk)[i])
    width = problem.width
    best: Concession | None = None

    def accepts(g: np.ndarray) -> np.ndarray:
        r = np.round(g, DECIMALS)
        return r > thr if strict else r >= thr

    for j in range(problem.n_issues):  # loop over issues; candidates and options are vectorised
        if veto_row and not problem.veto[i, j]:
            continue
        m = maxima[j]
        reach = np.isfinite(m)
        if not reach.any():
            continue
        opts = problem.options[j][reach]
        raw_rest = m[reach] * total  # un-normalised rest gain per option
        dis = problem.disagreement[i, j]
        lo, hi = problem.bounds[j]
        # --- position moves
        cand = lo + (hi - lo) * np.arange(resolution + 1) / resolution
        du = issue_utility(opts[None, :], cand[:, None], width[j], k) - issue_utility(
            dis, cand[:, None], width[j], k
        )
        g = (raw_rest[None, :] + sal[j] * du) / total if total > 0 else np.zeros_like(du)
        size = np.abs(cand - problem.position[i, j]) / width[j]
        ok = accepts(g).any(axis=1) & (size > 0)
        if ok.any():
            c = int(np.flatnonzero(ok)[np.argmin(size[ok])])
            if best is None or size[c] < best.size:
                best = Concession(
                    i, "position", j, float(problem.position[i, j]), float(cand[c]), float(size[c])
                )
        # --- salience moves
        s_new = np.arange(resolution + 1) / resolution
        du1 = issue_utility(opts, problem.position[i, j], width[j], k) - issue_utility(
            dis, problem.position[i, j], width[j], k
        )
        denom = total - sal[j] + s_new
        num = raw_rest[None, :] + s_new[:, None] * du1[None, :]
        g = np.divide(num, denom[:, None], out=np.zeros_like(num), where=denom[:, None] > 0)
        size = np.abs(s_new - sal[j])
        ok = accepts(g).any(axis=1) & (size > 0)
        if ok.any():
            c = int(np.flatnonzero(ok)[np.argmin(size[ok])])
            if best is None or size[c] < best.size:
                best = Concession(i, "salience", j, float(sal[j]), float(s_new[c]), float(size[c]))
    return best


def apply_concession(problem: DealProblem, c: Concession) -> DealProblem:
    """The problem with the concession made."""
    pos = problem.position.copy()
    sal = problem.salience.copy()
    (pos if c.field == "position" else sal)[c.actor, c.issue] = c.new
    return replace(problem, position=pos, salience=sal, _cache={})


# ------------------------------------------------------------------------------------------ result
@dataclass
class DealResult:
    """The array result of :func:`analyse`. Row indices point into ``index`` (the feasible packages found)."""

    problem: DealProblem
    method: str  # "enumerated" | "search"
    n_packages: int
    index: np.ndarray  # (n_f, D) option indices of the feasible packages (all, or those found by search)
    gains: np.ndarray  # (n_f, A) gains, rounded
    joint: np.ndarray  # (n_f,) sum of parties' gains
    ranking: np.ndarray  # rows by joint gain, descending
    frontier: np.ndarray  # rows on the parties' Pareto frontier, by first party's gain descending
    nash: int
    kalai_smorodinsky: int
    favourites: np.ndarray  # (A,) row or -1
    veto_effects: dict[int, int]  # veto holder → n feasible without its veto
    consent_effects: dict[int, int]  # party → n feasible without its consent
    single_issue: np.ndarray  # (D,) a single-issue deal exists
    in_package: np.ndarray  # (D,) some feasible package moves this issue
    concessions: dict[int, Concession | None] = field(default_factory=dict)
    seed: int | None = None

    @property
    def n_feasible(self) -> int:
        return int(self.index.shape[0])

    @property
    def values(self) -> np.ndarray:
        return self.problem.values(self.index)

    @property
    def linked(self) -> np.ndarray:
        """Issues with no single-issue deal that do move inside some feasible package."""
        return np.asarray(~self.single_issue & self.in_package)


def party_weights(problem: DealProblem) -> np.ndarray:
    """Nash weights of the parties: capabilities normalised to sum 1 (equal when any is missing or all zero)."""
    c = problem.capability[problem.party]
    if c.size == 0:
        return c
    if not np.isfinite(c).all() or c.sum() <= 0:
        return np.full(c.size, 1.0 / c.size)
    return np.asarray(c / c.sum())


def solve(
    problem: DealProblem,
    index: np.ndarray,
    *,
    method: str,
    veto_effects: dict[int, int],
    consent_effects: dict[int, int],
    concessions: dict[int, Concession | None] | None = None,
    seed: int | None = None,
) -> DealResult:
    """Frontier, solutions, favourites and linkage over a set of feasible packages ``index`` ``(n, D)``."""
    parties = np.flatnonzero(problem.party)
    gains = np.round(problem.gains(index), DECIMALS)
    pg = gains[:, parties]
    joint = np.round(pg.sum(axis=1), DECIMALS)
    ranking = np.lexsort((np.arange(joint.size), -joint))
    front = np.flatnonzero(pareto_mask(pg))
    if parties.size:
        front = front[np.lexsort((front, -joint[front], -pg[front, 0]))]
    ideal = pg.max(axis=0) if pg.shape[0] else np.zeros(parties.size)
    nash_f = nash_index(pg[front], party_weights(problem), joint[front])
    ks_f = ks_index(pg[front], ideal, joint[front])
    sq = problem.status_quo_index
    cons = constraints(problem)
    return DealResult(
        problem=problem,
        method=method,
        n_packages=problem.n_packages,
        index=index,
        gains=gains,
        joint=joint,
        ranking=ranking,
        frontier=front,
        nash=int(front[nash_f]) if nash_f >= 0 else -1,
        kalai_smorodinsky=int(front[ks_f]) if ks_f >= 0 else -1,
        favourites=favourite_indices(gains, joint),
        veto_effects=veto_effects,
        consent_effects=consent_effects,
        single_issue=single_issue_deals(problem, cons),
        in_package=(index != sq[None, :]).any(axis=0) if index.shape[0] else np.zeros(problem.n_issues, bool),
        concessions=concessions or {},
        seed=seed,
    )


def _effects(cons: Constraints, without: np.ndarray) -> tuple[dict[int, int], dict[int, int]]:
    veto: dict[int, int] = {}
    consent: dict[int, int] = {}
    for r in range(cons.n):
        target = veto if cons.kind[r] == "veto" else consent
        target[int(cons.actor[r])] = int(without[r])
    return veto, consent


def analyse(
    problem: DealProblem,
    *,
    max_enumerate: int = MAX_ENUMERATE,
    seed: SeedLike = None,
    search_starts: int = 1024,
    search_sweeps: int = 40,
    concessions: bool = True,
) -> DealResult:
    """The deal analysis of ``problem``: enumerate when ``n_packages <= max_enumerate``, else search."""
    cons = constraints(problem)
    if problem.n_packages <= max_enumerate:
        en = enumerate_feasible(problem, cons)
        veto_eff, consent_eff = _effects(cons, en.without)
        conc: dict[int, Concession | None] = {}
        if concessions and en.feasible.size == 0:
            conc = _concessions_enumerated(problem, cons)
        return solve(
            problem,
            unravel(problem, en.feasible),
            method="enumerated",
            veto_effects=veto_eff,
            consent_effects=consent_eff,
            concessions=conc,
        )
    from realpolitik.deals.search import search_analysis

    rng = as_generator(seed if seed is not None else 0)
    return search_analysis(
        problem,
        cons,
        rng,
        starts=search_starts,
        sweeps=search_sweeps,
        concessions=concessions,
        seed=seed if isinstance(seed, int) else None,
    )


def _concessions_enumerated(problem: DealProblem, cons: Constraints) -> dict[int, Concession | None]:
    """Per actor with a consent row, its smallest opening concession (checked by re-enumeration)."""
    maxima = _rest_maxima_enumerated(problem, cons)
    out: dict[int, Concession | None] = {}
    for r in range(cons.n):
        i = int(cons.actor[r])
        c = best_concession(problem, cons, r, maxima[r])
        prev = out.get(i)
        if c is not None and (prev is None or c.size < prev.size):
            out[i] = c
        else:
            out.setdefault(i, prev)
    for i, c in list(out.items()):
        if c is None:
            continue
        moved = apply_concession(problem, c)
        n = enumerate_feasible(moved, constraints(moved)).feasible.size
        out[i] = replace(c, n_feasible=int(n)) if n > 0 else None
    return out
