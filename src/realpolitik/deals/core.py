"""The array core of the deal analysis: feasible set, frontier, bargaining solutions, vetoes, linkage.

Everything here takes a :class:`~realpolitik.deals.space.DealProblem` (arrays only) and is vectorised
over packages: full enumeration runs in blocks of the package grid with broadcasting, large spaces are
searched (:mod:`realpolitik.deals.search`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import numpy as np

from realpolitik._rng import SeedLike, as_generator
from realpolitik.deals.judge import Rows
from realpolitik.deals.space import (
    DECIMALS,
    DealProblem,
    issue_utility,
    judge_index,
    risk_exponent,
)

#: Enumerate every package while the package count is at most this (above it: search).
MAX_ENUMERATE = 1_000_000
#: Packages evaluated at once during enumeration (memory ~ rows × this × 8 bytes).
BLOCK = 1 << 17


# ------------------------------------------------------------------------------------------ enumeration
def _blocks(n_packages: int, block: int = BLOCK) -> Iterator[tuple[int, int]]:
    """Slices ``[f0, f1)`` of the flat package indices, about ``block`` packages each."""
    for f0 in range(0, n_packages, block):
        yield f0, min(n_packages, f0 + block)


@dataclass
class Enumeration:
    """What one pass over every package gives."""

    feasible: np.ndarray  # (n_f,) flat indices of feasible packages
    without: np.ndarray  # (C,) number of feasible packages when that row is dropped


def enumerate_feasible(problem: DealProblem, rows: Rows | None = None, block: int = BLOCK) -> Enumeration:
    """Every package judged by every row; the feasible packages and the counts without each row."""
    rows = problem.rows() if rows is None else rows
    feas: list[np.ndarray] = []
    without = np.zeros(rows.n, dtype=np.int64)
    for f0, f1 in _blocks(problem.n_packages, block):
        flat = np.arange(f0, f1, dtype=np.int64)
        j = judge_index(problem, rows, unravel(problem, flat))
        base = j.valid & j.active.any(axis=1)
        nfail = (~j.accept).sum(axis=1)
        good = base & (nfail == 0)
        feas.append(flat[good])
        without += good.sum() + (base[:, None] & (nfail == 1)[:, None] & ~j.accept).sum(axis=0)
    return Enumeration(feasible=np.concatenate(feas) if feas else np.zeros(0, np.int64), without=without)


def any_feasible(
    problem: DealProblem, *, max_enumerate: int = MAX_ENUMERATE, seed: SeedLike = 0, block: int = BLOCK
) -> bool:
    """Whether some package is feasible: enumeration that stops at the first feasible block, or a search."""
    rows = problem.rows()
    if problem.n_packages <= max_enumerate:
        for f0, f1 in _blocks(problem.n_packages, block):
            if judge_index(problem, rows, unravel(problem, np.arange(f0, f1))).feasible.any():
                return True
        return False
    from realpolitik.deals.search import find_feasible

    rng = as_generator(seed if seed is not None else 0)
    return bool(find_feasible(problem, rows, rng, starts=256, sweeps=20, climb=False).shape[0])


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
def single_issue_deals(problem: DealProblem, rows: Rows | None = None) -> np.ndarray:
    """For each issue, whether some feasible package moves only that issue from the status quo."""
    rows = problem.rows() if rows is None else rows
    sq = problem.status_quo_index
    out = np.zeros(problem.n_issues, dtype=bool)
    for j in range(problem.n_issues):  # loop over issues, vectorised over options and rows
        idx = np.repeat(sq[None, :], int(problem.n_options[j]), axis=0)
        idx[:, j] = np.arange(int(problem.n_options[j]))
        ok = judge_index(problem, rows, idx).feasible
        ok[sq[j]] = False
        out[j] = bool(ok.any())
    return out


def merged(problem: DealProblem) -> DealProblem:
    """The same problem with every agreement signed as one (all signers sign the whole package)."""
    return replace(
        problem,
        group=np.zeros(problem.n_issues, dtype=np.int64),
        signer=problem.signer.any(axis=0, keepdims=True),
        group_ids=("+".join(problem.group_ids),),
        _cache={},
    )


# ------------------------------------------------------------------------------------------ concessions
CONCESSION_FIELDS = ("position", "salience", "acceptable_low", "acceptable_high")


@dataclass(frozen=True)
class Concession:
    """The smallest change to one input of one actor that opens a deal.

    ``field``: ``position`` or ``salience`` (what it wants, how much it cares), or ``acceptable_low`` /
    ``acceptable_high`` (a red line relaxed: an end of its acceptable range moved).
    """

    actor: int
    field: str
    issue: int
    old: float
    new: float
    size: float  # |change| as a share of the issue range (position, red line) or on the 0–1 salience scale
    n_feasible: int | None = None  # feasible packages after the change (enumeration only)


@dataclass
class Reach:
    """For one row, what the packages every *other* row accepts offer it, per issue d and option o.

    ``rest[d][o]``: the largest gain of the row without issue d's part, over those packages with p_d = o
    that lie inside the row's red lines (−inf where none); ``relax[d][o]``: some such package with p_d = o
    clears the row's gain test and breaches its red line on d only.
    """

    rest: list[np.ndarray]
    relax: list[np.ndarray]


def _empty_reach(problem: DealProblem) -> Reach:
    return Reach(
        rest=[np.full(int(n), -np.inf) for n in problem.n_options],
        relax=[np.zeros(int(n), dtype=bool) for n in problem.n_options],
    )


def accumulate_reach(problem: DealProblem, rows: Rows, index: np.ndarray, reach: list[Reach]) -> None:
    """Update every row's :class:`Reach` with the packages ``index`` ``(n, D)``."""
    idx = np.asarray(index, dtype=np.int64).reshape(-1, problem.n_issues)
    if idx.shape[0] == 0:
        return
    j = problem.judge(problem.values(idx), contributions=True)
    assert j.contributions is not None
    raw = j.contributions.sum(axis=-1)  # (n, C)
    nfail = (~j.accept).sum(axis=1)
    clears_all = rows.compare(j.gain)
    for r in range(rows.n):  # loop over rows (few), vectorised over packages
        refuses = ~j.accept[:, r]
        others = j.valid & j.active[:, rows.group[r]] & refuses & (nfail == 1)
        if not others.any():
            continue
        live = rows.mask[r][None, :] & ~j.moot
        out = j.outside[:, r, :]
        n_out = out.sum(axis=1)
        clears = clears_all[:, r]
        for d in np.flatnonzero(rows.mask[r]):
            base = others & live[:, d] & ((n_out - out[:, d]) == 0)
            pos = base & ~out[:, d]
            if pos.any():
                np.maximum.at(reach[r].rest[d], idx[pos, d], (raw[:, r] - j.contributions[:, r, d])[pos])
            red = base & out[:, d] & clears
            if red.any():
                reach[r].relax[d][idx[red, d]] = True


def best_concession(
    problem: DealProblem, rows: Rows, row: int, reach: Reach, resolution: int = 400
) -> Concession | None:
    """The smallest single move of the row's actor — a position (within its red line), a salience, or an
    end of its acceptable range — that makes the row accept some package every other row accepts."""
    i = int(rows.actor[row])
    strict = bool(rows.strict[row])
    thr = float(rows.threshold[row])
    sal = problem.salience[i]
    total = float(sal.sum())
    k = float(risk_exponent(problem.risk)[i])
    width = problem.width
    best: Concession | None = None

    def accepts(g: np.ndarray) -> np.ndarray:
        r = np.round(g, DECIMALS)
        return r > thr if strict else r >= thr

    def consider(c: Concession) -> None:
        nonlocal best
        if best is None or c.size < best.size:
            best = c

    for j in np.flatnonzero(rows.mask[row]):  # loop over issues; candidates and options are vectorised
        j = int(j)
        lo_acc, hi_acc = (float(x) for x in problem.acceptable[i, j])
        # --- a red line relaxed: the nearest option beyond an end that some package needs
        relax = reach.relax[j]
        if relax.any():
            opts = problem.options[j][relax]
            above = opts[opts > hi_acc]
            below = opts[opts < lo_acc]
            if above.size:
                o = float(above.min())
                consider(Concession(i, "acceptable_high", j, hi_acc, o, (o - hi_acc) / float(width[j])))
            if below.size:
                o = float(below.max())
                consider(Concession(i, "acceptable_low", j, lo_acc, o, (lo_acc - o) / float(width[j])))
        m = reach.rest[j]
        ok_opt = np.isfinite(m)
        if not ok_opt.any():
            continue
        opts = problem.options[j][ok_opt]
        raw_rest = m[ok_opt] * total  # un-normalised rest gain per option
        dis = problem.disagreement[i, j]
        # --- position moves (inside the actor's own acceptable range)
        cand = lo_acc + (hi_acc - lo_acc) * np.arange(resolution + 1) / resolution
        du = issue_utility(opts[None, :], cand[:, None], width[j], k) - issue_utility(
            dis, cand[:, None], width[j], k
        )
        g = (raw_rest[None, :] + sal[j] * du) / total if total > 0 else np.zeros_like(du)
        size = np.abs(cand - problem.position[i, j]) / width[j]
        ok = accepts(g).any(axis=1) & (size > 0)
        if ok.any():
            c = int(np.flatnonzero(ok)[np.argmin(size[ok])])
            consider(
                Concession(i, "position", j, float(problem.position[i, j]), float(cand[c]), float(size[c]))
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
            consider(Concession(i, "salience", j, float(sal[j]), float(s_new[c]), float(size[c])))
    return best


def apply_concession(problem: DealProblem, c: Concession) -> DealProblem:
    """The problem with the concession made."""
    pos = problem.position.copy()
    sal = problem.salience.copy()
    acc = problem.acceptable.copy()
    if c.field == "position":
        pos[c.actor, c.issue] = c.new
    elif c.field == "salience":
        sal[c.actor, c.issue] = c.new
    else:
        acc[c.actor, c.issue, 0 if c.field == "acceptable_low" else 1] = c.new
    return replace(problem, position=pos, salience=sal, acceptable=acc, _cache={})


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
    veto_effects: dict[int, int]  # veto holder → n feasible without its veto (every agreement)
    consent_effects: dict[int, int]  # party → n feasible without its consent (every agreement)
    single_issue: np.ndarray  # (D,) a single-issue deal exists
    in_package: np.ndarray  # (D,) some feasible package moves this issue
    concessions: dict[int, Concession | None] = field(default_factory=dict)
    seed: int | None = None
    if_linked: int | None = None  # feasible packages if every agreement were signed as one (G > 1)

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
    if_linked: int | None = None,
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
        single_issue=single_issue_deals(problem),
        in_package=(index != sq[None, :]).any(axis=0) if index.shape[0] else np.zeros(problem.n_issues, bool),
        concessions=concessions or {},
        seed=seed,
        if_linked=if_linked,
    )


def effects(rows: Rows, without: np.ndarray) -> tuple[dict[int, int], dict[int, int]]:
    """Feasible counts without each actor's veto rows / consent rows, from the per-row counts.

    An actor with several rows of one kind (one per agreement) is credited with the largest count; the
    exact count without all of them is computed by :func:`actor_effects` when agreements are several.
    """
    veto: dict[int, int] = {}
    consent: dict[int, int] = {}
    for r in range(rows.n):
        target = veto if rows.kind[r] == "veto" else consent
        a = int(rows.actor[r])
        target[a] = max(target.get(a, 0), int(without[r]))
    return veto, consent


def actor_effects(problem: DealProblem, rows: Rows) -> tuple[dict[int, int], dict[int, int]]:
    """Feasible counts with every row of one actor and kind dropped (full enumeration per actor)."""
    veto: dict[int, int] = {}
    consent: dict[int, int] = {}
    for kind, target in (("veto", veto), ("party", consent)):
        for a in sorted({int(x) for x, k in zip(rows.actor, rows.kind, strict=True) if k == kind}):
            drop = rows.of_actor(a, kind)
            target[a] = int(enumerate_feasible(problem, rows.drop(drop)).feasible.size)
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
    rows = problem.rows()
    if problem.n_packages <= max_enumerate:
        en = enumerate_feasible(problem, rows)
        one_row_each = len(set(zip(rows.actor.tolist(), rows.kind, strict=True))) == rows.n
        veto_eff, consent_eff = effects(rows, en.without) if one_row_each else actor_effects(problem, rows)
        conc: dict[int, Concession | None] = {}
        if concessions and en.feasible.size == 0:
            conc = _concessions_enumerated(problem, rows)
        linked = None
        if problem.n_groups > 1:
            linked = int(enumerate_feasible(merged(problem)).feasible.size)
        return solve(
            problem,
            unravel(problem, en.feasible),
            method="enumerated",
            veto_effects=veto_eff,
            consent_effects=consent_eff,
            concessions=conc,
            if_linked=linked,
        )
    from realpolitik.deals.search import search_analysis

    rng = as_generator(seed if seed is not None else 0)
    return search_analysis(
        problem,
        rows,
        rng,
        starts=search_starts,
        sweeps=search_sweeps,
        concessions=concessions,
        seed=seed if isinstance(seed, int) else None,
    )


def _concessions_enumerated(
    problem: DealProblem, rows: Rows, block: int = 1 << 15
) -> dict[int, Concession | None]:
    """Per actor with a row, its smallest opening concession (checked by re-enumeration)."""
    reach = [_empty_reach(problem) for _ in range(rows.n)]
    for f0, f1 in _blocks(problem.n_packages, block):
        accumulate_reach(problem, rows, unravel(problem, np.arange(f0, f1, dtype=np.int64)), reach)
    return verified_concessions(problem, rows, reach)


def verified_concessions(
    problem: DealProblem, rows: Rows, reach: list[Reach]
) -> dict[int, Concession | None]:
    """The best concession per actor over its rows, kept only if re-analysis finds a feasible package."""
    out: dict[int, Concession | None] = {}
    for r in range(rows.n):
        i = int(rows.actor[r])
        c = best_concession(problem, rows, r, reach[r])
        prev = out.get(i)
        if c is not None and (prev is None or c.size < prev.size):
            out[i] = c
        else:
            out.setdefault(i, prev)
    for i, c in list(out.items()):
        if c is None:
            continue
        moved = apply_concession(problem, c)
        if moved.n_packages <= MAX_ENUMERATE:
            n = int(enumerate_feasible(moved).feasible.size)
            out[i] = replace(c, n_feasible=n) if n > 0 else None
        else:
            out[i] = c if any_feasible(moved) else None
    return out
