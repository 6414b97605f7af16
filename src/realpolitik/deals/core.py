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
from realpolitik.deals.judge import Rows, sum_issues
from realpolitik.deals.search import find_feasible
from realpolitik.deals.space import (
    DECIMALS,
    DealProblem,
    issue_utility,
    judge_index,
    risk_exponent,
    row_tables,
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
    without: dict[tuple[int, str], int]  # (actor, kind) → feasible packages with all those rows dropped


def actor_kinds(rows: Rows) -> list[tuple[int, str]]:
    """The (actor, kind) pairs that have rows, sorted (kind ``party`` or ``veto``)."""
    return sorted({(int(a), k) for a, k in zip(rows.actor.tolist(), rows.kind, strict=True)})


def enumerate_feasible(problem: DealProblem, rows: Rows | None = None, block: int = BLOCK) -> Enumeration:
    """Every package judged by every row: the feasible packages, and for each actor the number of
    packages that would be feasible without its consent (all its signer rows dropped) or without its
    veto (all its veto rows dropped), exactly, in the same pass.

    A package is feasible without a set S of rows when it is valid, changes some agreement and every
    row that refuses it is in S (dropping rows changes nothing else).
    """
    rows = problem.rows() if rows is None else rows
    keys = actor_kinds(rows)
    member = [rows.of_actor(a, kind) for a, kind in keys]
    feas: list[np.ndarray] = []
    without = np.zeros(len(keys), dtype=np.int64)
    tables = row_tables(problem, rows)
    for f0, f1 in _blocks(problem.n_packages, block):
        flat = np.arange(f0, f1, dtype=np.int64)
        j = judge_index(problem, rows, unravel(problem, flat), tables=tables)
        base = j.valid & j.active.any(axis=1)
        fail = ~j.accept
        nfail = np.count_nonzero(fail, axis=1)
        feas.append(flat[base & (nfail == 0)])
        if keys:
            near = base & (nfail > 0)  # refused by someone: feasible without rows covering every refusal
            if near.any():
                f, nf = fail[near], nfail[near]
                for k, sel in enumerate(member):  # loop over (actor, kind), vectorised over packages
                    without[k] += int(np.count_nonzero(np.count_nonzero(f[:, sel], axis=1) == nf))
            without += int((base & (nfail == 0)).sum())
    return Enumeration(
        feasible=np.concatenate(feas) if feas else np.zeros(0, np.int64),
        without={key: int(n) for key, n in zip(keys, without, strict=True)},
    )


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
    """The same problem with every agreement signed as one (every signer signs the whole package).

    Veto holders keep their veto issues (now judged together, within the one agreement).
    """
    return replace(
        problem,
        group=np.zeros(problem.n_issues, dtype=np.int64),
        signer=np.asarray(problem.signers.any(axis=0, keepdims=True)),
        group_ids=("+".join(problem.agreement_ids),),
        _cache={},
    )


# ------------------------------------------------------------------------------------------ concessions
CONCESSION_FIELDS = ("position", "salience", "acceptable_low", "acceptable_high")


#: A position moved over more than this share of its scale is a reversal, not a concession (said so).
REVERSAL_SHARE = 0.5


@dataclass(frozen=True)
class Concession:
    """The smallest change to one input of one actor that opens a deal.

    ``field``: ``position`` or ``salience`` (what it wants, how much it cares; a position moves only
    inside the actor's own acceptable range), or ``acceptable_low`` / ``acceptable_high`` (a red line
    relaxed: that end of its acceptable range moved to ``new``).
    """

    actor: int
    field: str
    issue: int
    old: float
    new: float
    size: float  # |change| as a share of the issue range (position, red line) or on the 0–1 salience scale
    n_feasible: int | None = None  # feasible packages after the change (when the space is enumerated)
    agreement: int | None = None  # the agreement it opens (some feasible package then changes it)
    n_opened: int | None = (
        None  # feasible packages that change that agreement after the change (found, for search)
    )


@dataclass
class Reach:
    """What the packages that every *other* actor's rows accept offer one actor (for its concessions).

    A change to one input of actor i changes only i's rows, so a package opens after the change exactly
    when it is valid, changes some agreement, every other actor's row accepts it, and every row of i
    accepts it with the changed input. For each issue d and each option o of d this keeps, over such
    packages with p_d = o, the gain vectors of i's rows that a change on d could matter for:

    - ``opt[d]``, ``rest[d]``: option indices ``(n,)`` and row vectors ``(n, R)`` (R = i's rows):
      row r's gain *without issue d's part*, ``+inf`` where r's agreement is not changed by the package
      (the row accepts whatever i does). Only packages inside every red line of i's active rows (a
      position or salience change moves no red line). Dominated vectors of one option are dropped (a
      change that opens a dominated package opens the one dominating it).
    - ``relax[d]``: ``(n_d,)`` bool, some such package with p_d = o clears the gain test of every active
      row of i and breaches i's red lines on issue d only (relaxing that end to o opens it).
    """

    actor: int
    rows: np.ndarray  # (R,) the actor's row indices
    opt: list[np.ndarray]
    rest: list[np.ndarray]
    relax: list[np.ndarray]

    def add(self, d: int, opt: np.ndarray, rest: np.ndarray) -> None:
        """Merge vectors ``rest`` ``(m, R)`` at options ``opt`` of issue d, dropping dominated ones."""
        o = np.concatenate([self.opt[d], opt])
        r = np.concatenate([self.rest[d], rest], axis=0)
        self.opt[d], self.rest[d] = _undominated(o, r)


def _undominated(opt: np.ndarray, rest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per option, the vectors not dominated by another vector of the same option (duplicates merged)."""
    if opt.size == 0:
        return opt, rest
    if rest.shape[1] == 1:  # one row: the best per option
        n = int(opt.max()) + 1
        best = np.full(n, -np.inf)
        np.maximum.at(best, opt, rest[:, 0])
        keep = np.flatnonzero(best > -np.inf)
        return keep.astype(np.int64), best[keep][:, None]
    uniq = np.unique(np.column_stack([opt.astype(float), rest]), axis=0)
    o, r = uniq[:, 0], uniq[:, 1:]
    # the option as two opposite criteria: a vector can only be dominated within its own option
    keep = pareto_mask(np.column_stack([r, o, -o]))
    return o[keep].astype(np.int64), r[keep]


def _empty_reach(problem: DealProblem, rows: Rows, actor: int) -> Reach:
    mine = rows.of_actor(actor)
    d = problem.n_issues
    return Reach(
        actor=actor,
        rows=mine,
        opt=[np.zeros(0, dtype=np.int64) for _ in range(d)],
        rest=[np.zeros((0, mine.size)) for _ in range(d)],
        relax=[np.zeros(int(n), dtype=bool) for n in problem.n_options],
    )


def empty_reaches(problem: DealProblem, rows: Rows) -> dict[int, Reach]:
    """One empty :class:`Reach` per actor that has a row."""
    return {a: _empty_reach(problem, rows, a) for a in sorted(set(rows.actor.tolist()))}


def accumulate_reach(
    problem: DealProblem, rows: Rows, index: np.ndarray, reach: dict[int, Reach], target: int | None = None
) -> None:
    """Update every actor's :class:`Reach` with the packages ``index`` ``(n, D)`` (option indices); with
    ``target``, only packages that change that agreement count (a concession must open it)."""
    idx = np.asarray(index, dtype=np.int64).reshape(-1, problem.n_issues)
    if idx.shape[0] == 0:
        return
    j = judge_index(problem, rows, idx, detail=True)
    assert j.contributions is not None
    parts = j.contributions  # (n, C, D), 0 where a row does not judge the issue or it is moot
    gain = sum_issues(parts)  # (n, C) unrounded, in issue order
    fail = ~j.accept
    base = j.valid & j.active.any(axis=1)
    if target is not None:
        base &= j.active[:, target]
    act_row = j.active[:, rows.group]  # (n, C)
    clears = rows.compare(gain)
    breach = j.outside & act_row[..., None]  # only the rows of changed agreements judge red lines
    for rc in reach.values():
        mine = rc.rows
        others = np.ones(rows.n, dtype=bool)
        others[mine] = False
        sel = base & ~fail[:, others].any(axis=1) & fail[:, mine].any(axis=1)
        if not sel.any():
            continue
        act = act_row[sel][:, mine]  # (m, R)
        g = gain[sel][:, mine]
        pp = parts[sel][:, mine, :]  # (m, R, D)
        br = breach[sel][:, mine, :]
        ok_gain = (clears[sel][:, mine] | ~act).all(axis=1)
        moot = j.moot[sel]
        ix = idx[sel]
        no_breach = ~br.any(axis=(1, 2))
        for d in range(problem.n_issues):  # loop over issues, vectorised over packages and rows
            judged = rows.mask[mine, d]
            live = ~moot[:, d] if judged.any() else np.ones(ix.shape[0], dtype=bool)
            keep = live & no_breach
            if keep.any():
                rest = np.where(act, g - pp[:, :, d], np.inf)
                rc.add(d, ix[keep, d], rest[keep])
            if judged.any():
                elsewhere = np.delete(br, d, axis=2).any(axis=(1, 2))
                relax = live & ok_gain & ~elsewhere & br[:, :, d].any(axis=1)
                rc.relax[d][ix[relax, d]] = True


def concession_candidates(
    problem: DealProblem, rows: Rows, reach: Reach, resolution: int = 400
) -> list[Concession]:
    """For one actor, the smallest change of each kind (field) on each issue that makes every one of its
    rows accept some package that every other actor's rows accept, smallest first.

    Candidates: ``resolution + 1`` evenly spaced positions across the actor's own acceptable range and
    saliences on [0, 1]; for a red line, the nearest option beyond that end that some package needs.
    """
    i = reach.actor
    mine = reach.rows
    strict = rows.strict[mine]
    thr = rows.threshold[mine]
    sal = problem.salience[i]
    total = float(sal.sum())
    k = float(risk_exponent(problem.risk)[i])
    width = problem.width
    out: list[Concession] = []

    def accepts(g: np.ndarray) -> np.ndarray:
        """g ``(..., n_v, R)`` → whether some vector has every row accepting ``(...)``."""
        r = np.round(g, DECIMALS)
        ok = np.where(strict, r > thr, r >= thr)
        return np.asarray(ok.all(axis=-1).any(axis=-1))

    for j in range(problem.n_issues):  # loop over issues; candidates and vectors are vectorised
        judged = rows.mask[mine, j]
        lo_acc, hi_acc = (float(x) for x in problem.acceptable[i, j])
        w = float(width[j])
        if judged.any():
            # --- a red line relaxed: the nearest option beyond an end that some package needs
            opts = problem.options[j][reach.relax[j]]
            above, below = opts[opts > hi_acc], opts[opts < lo_acc]
            if above.size:
                o = float(above.min())
                out.append(Concession(i, "acceptable_high", j, hi_acc, o, (o - hi_acc) / w))
            if below.size:
                o = float(below.max())
                out.append(Concession(i, "acceptable_low", j, lo_acc, o, (lo_acc - o) / w))
        if reach.opt[j].size == 0:
            continue
        vals = problem.options[j][reach.opt[j]]  # (n_v,)
        rest = reach.rest[j]  # (n_v, R)
        dis = problem.disagreement[i, j]
        inr = judged.astype(float)
        if judged.any() and total > 0 and hi_acc > lo_acc:
            # --- position moves inside the actor's acceptable range (its weights are unchanged)
            cand = lo_acc + (hi_acc - lo_acc) * np.arange(resolution + 1) / resolution
            du = issue_utility(vals[None, :], cand[:, None], w, k) - issue_utility(dis, cand[:, None], w, k)
            part = (sal[j] / total) * du  # (n_c, n_v)
            g = rest[None, :, :] + part[:, :, None] * inr[None, None, :]
            size = np.abs(cand - problem.position[i, j]) / w
            ok = accepts(g) & (size > 0)
            if ok.any():
                c = int(np.flatnonzero(ok)[np.argmin(size[ok])])
                out.append(
                    Concession(
                        i, "position", j, float(problem.position[i, j]), float(cand[c]), float(size[c])
                    )
                )
        # --- salience moves (saliences are renormalised: the change rescales every row of the actor)
        s_new = np.arange(resolution + 1) / resolution
        du1 = issue_utility(vals, problem.position[i, j], w, k) - issue_utility(
            dis, problem.position[i, j], w, k
        )
        raw = rest.copy()  # un-normalised rest gains (+inf stays: the row accepts anyway)
        fin = np.isfinite(raw)
        raw[fin] *= total
        denom = total - sal[j] + s_new  # (n_c,)
        num = raw[None, :, :] + (s_new[:, None] * du1[None, :])[:, :, None] * inr[None, None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            g = np.where(
                denom[:, None, None] > 0, num / denom[:, None, None], np.where(np.isinf(num), num, 0.0)
            )
        size = np.abs(s_new - sal[j])
        ok = accepts(g) & (size > 0)
        if ok.any():
            c = int(np.flatnonzero(ok)[np.argmin(size[ok])])
            out.append(Concession(i, "salience", j, float(sal[j]), float(s_new[c]), float(size[c])))
    order = {f: n for n, f in enumerate(CONCESSION_FIELDS)}
    return sorted(out, key=lambda c: (round(c.size, DECIMALS), order[c.field], c.issue))


def apply_concession(problem: DealProblem, c: Concession) -> DealProblem:
    """The problem with the concession made."""
    pos = problem.position.copy()
    sal = problem.salience.copy()
    acc = problem.acceptable.copy()
    if c.field == "position":
        pos[c.actor, c.issue] = c.new
    elif c.field == "salience":
        sal[c.actor, c.issue] = c.new
    elif c.field in ("acceptable_low", "acceptable_high"):
        acc[c.actor, c.issue, 0 if c.field == "acceptable_low" else 1] = c.new
    else:
        raise ValueError(
            f"unknown concession field {c.field!r}; expected one of {', '.join(CONCESSION_FIELDS)}"
        )
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
    concessions: dict[int, Concession | None] = field(default_factory=dict)  # only when no deal exists
    seed: int | None = None
    if_linked: int | None = None  # feasible packages if every agreement were signed as one (G > 1)
    changes: np.ndarray | None = None  # (G,) some feasible package changes the agreement
    # blocked agreement (no feasible package changes it) → actor → its smallest concession opening it
    agreement_concessions: dict[int, dict[int, Concession | None]] = field(default_factory=dict)

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
    agreement_concessions: dict[int, dict[int, Concession | None]] | None = None,
    changes: np.ndarray | None = None,
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
    # With several agreements a party can be untouched (gain 0) or even lose on issues it does not sign.
    # The solutions are taken among the parties with a stake (some feasible package gives them a gain),
    # over the individually rational packages: no party loses, every party with a stake gains. With one
    # agreement signed by every party that is every feasible package and every party.
    stake = np.asarray((pg > 0).any(axis=0)) if pg.shape[0] else np.zeros(parties.size, dtype=bool)
    rational = np.asarray((pg >= 0).all(axis=1) & (pg[:, stake] > 0).all(axis=1))
    cand = front[rational[front]] if stake.any() else front[:0]
    sg = pg[cand][:, stake]
    wts = party_weights(problem)[stake]
    wts = wts / wts.sum() if wts.size and wts.sum() > 0 else wts
    ideal = pg[:, stake].max(axis=0) if pg.shape[0] else np.zeros(int(stake.sum()))
    nash_c = nash_index(sg, wts, joint[cand])
    ks_c = ks_index(sg, ideal, joint[cand])
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
        nash=int(cand[nash_c]) if nash_c >= 0 else -1,
        kalai_smorodinsky=int(cand[ks_c]) if ks_c >= 0 else -1,
        favourites=favourite_indices(gains, joint),
        veto_effects=veto_effects,
        consent_effects=consent_effects,
        single_issue=single_issue_deals(problem),
        in_package=(index != sq[None, :]).any(axis=0) if index.shape[0] else np.zeros(problem.n_issues, bool),
        concessions=concessions or {},
        seed=seed,
        if_linked=if_linked,
        changes=changes,
        agreement_concessions=agreement_concessions or {},
    )


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
    rng = as_generator(seed if seed is not None else 0)
    if problem.n_packages > max_enumerate:
        return search_analysis(
            problem,
            rows,
            rng,
            starts=search_starts,
            sweeps=search_sweeps,
            concessions=concessions,
            seed=seed if isinstance(seed, int) else None,
        )
    en = enumerate_feasible(problem, rows)
    index = unravel(problem, en.feasible)
    changes = agreements_changed(problem, rows, index)
    by_agreement: dict[int, dict[int, Concession | None]] = {}
    if concessions:
        by_agreement = {
            int(g): opening_concessions(problem, rows, int(g), rng, max_enumerate=max_enumerate)
            for g in np.flatnonzero(~changes)
        }
    linked = None
    if problem.n_groups > 1:
        linked = int(enumerate_feasible(merged(problem)).feasible.size)
    return solve(
        problem,
        index,
        method="enumerated",
        veto_effects={a: n for (a, kind), n in en.without.items() if kind == "veto"},
        consent_effects={a: n for (a, kind), n in en.without.items() if kind == "party"},
        concessions=_overall(by_agreement) if en.feasible.size == 0 else {},
        agreement_concessions=by_agreement,
        changes=changes,
        if_linked=linked,
    )


def agreements_changed(problem: DealProblem, rows: Rows, index: np.ndarray) -> np.ndarray:
    """``(G,)``: some package of ``index`` ``(n, D)`` changes the agreement."""
    if index.shape[0] == 0:
        return np.zeros(problem.n_groups, dtype=bool)
    return np.asarray(judge_index(problem, rows, index).active.any(axis=0))


def _overall(by_agreement: dict[int, dict[int, Concession | None]]) -> dict[int, Concession | None]:
    """Per actor, its smallest concession over every agreement (ties: the first agreement)."""
    out: dict[int, Concession | None] = {}
    for g in sorted(by_agreement):
        for i, c in by_agreement[g].items():
            prev = out.get(i)
            if prev is None or (c is not None and round(c.size, DECIMALS) < round(prev.size, DECIMALS)):
                out[i] = c
    return out


def subspace(problem: DealProblem, g: int) -> DealProblem:
    """The packages that move only agreement g's issues (the others held at the status quo)."""
    opts = tuple(
        o if problem.group[j] == g else np.array([problem.status_quo[j]])
        for j, o in enumerate(problem.options)
    )
    return replace(problem, options=opts, _cache={})


def _separable(problem: DealProblem) -> bool:
    """No ``applies_if`` reads an issue of another agreement: each agreement can be judged on its own."""
    return all(problem.group[c.issue] == problem.group[c.on] for c in problem.conditions)


def _count_opened(
    problem: DealProblem, target: int, rng: np.random.Generator, max_enumerate: int
) -> tuple[int, int]:
    """Feasible packages, and those of them that change agreement ``target`` (all of them, or those a
    search finds)."""
    rows = problem.rows()
    if problem.n_packages <= max_enumerate:
        index = unravel(problem, enumerate_feasible(problem, rows).feasible)
    else:
        index = find_feasible(problem, rows, rng, starts=256, sweeps=20, climb=False)
    if index.shape[0] == 0:
        return 0, 0
    return int(index.shape[0]), int(judge_index(problem, rows, index).active[:, target].sum())


def opening_concessions(
    problem: DealProblem,
    rows: Rows,
    target: int,
    rng: np.random.Generator,
    *,
    max_enumerate: int = MAX_ENUMERATE,
    block: int = 1 << 14,
) -> dict[int, Concession | None]:
    """For each actor with a row, the smallest change of one of its inputs after which some feasible
    package changes agreement ``target``, or None.

    When no ``applies_if`` crosses agreements, a package changing ``target`` is feasible exactly when
    the same package with every other agreement left at the status quo is, so only those packages are
    examined. They are enumerated when at most ``max_enumerate``, else searched (with each actor's rows
    dropped in turn). Every candidate is confirmed by analysing the changed problem again
    (:func:`verified_concessions`).
    """
    space = subspace(problem, target) if _separable(problem) else problem
    srows = space.rows()
    reach = empty_reaches(space, srows)
    if space.n_packages <= max_enumerate:
        for f0, f1 in _blocks(space.n_packages, block):
            accumulate_reach(space, srows, unravel(space, np.arange(f0, f1, dtype=np.int64)), reach, target)
    else:
        for a in reach:  # loop over actors with rows (few), each search vectorised
            pool = find_feasible(
                space, srows.drop(srows.of_actor(a)), rng, starts=256, sweeps=20, climb=False
            )
            accumulate_reach(space, srows, pool, reach, target)
    return verified_concessions(problem, space, srows, reach, target, rng, max_enumerate=max_enumerate)


#: Candidate concessions of one actor tried (smallest first) before it is reported as having none.
MAX_TRIES = 8


def verified_concessions(
    problem: DealProblem,
    space: DealProblem,
    rows: Rows,
    reach: dict[int, Reach],
    target: int,
    rng: np.random.Generator,
    *,
    max_enumerate: int = MAX_ENUMERATE,
) -> dict[int, Concession | None]:
    """Per actor, its smallest candidate concession that really opens agreement ``target``: each candidate
    is applied and ``space`` analysed again; ``None`` when no candidate does. ``n_feasible`` and
    ``n_opened`` count the feasible packages of the whole ``problem`` after the change (all, and those
    changing ``target``) when it can be enumerated, else they are None."""
    out: dict[int, Concession | None] = {}
    for i, rc in reach.items():
        out[i] = None
        for c in concession_candidates(space, rows, rc)[:MAX_TRIES]:
            first = _count_opened(apply_concession(space, c), target, rng, max_enumerate)
            if first[1] == 0:
                continue
            total: int | None = None
            opened: int | None = None
            if space is problem:
                if problem.n_packages <= max_enumerate:
                    total, opened = first
            elif problem.n_packages <= max_enumerate:
                total, opened = _count_opened(apply_concession(problem, c), target, rng, max_enumerate)
            out[i] = replace(c, n_feasible=total, agreement=target, n_opened=opened)
            break
    return out


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
    """The deal analysis from search: counts are of distinct feasible packages *found* (lower bounds).

    For each actor and kind of row (signer, veto holder) a smaller search with those rows dropped gives
    the effect of its consent or veto.
    """
    index = find_feasible(problem, rows, rng, starts=starts, sweeps=sweeps)
    veto: dict[int, int] = {}
    consent: dict[int, int] = {}
    small = max(64, starts // 4)
    for a, kind in actor_kinds(rows):  # loop over actors with rows (few), each search vectorised
        pool = find_feasible(
            problem, rows.drop(rows.of_actor(a, kind)), rng, starts=small, sweeps=sweeps, climb=False
        )
        both = np.unique(np.concatenate([pool, index], axis=0), axis=0)
        (veto if kind == "veto" else consent)[a] = int(both.shape[0])
    changes = agreements_changed(problem, rows, index)
    by_agreement: dict[int, dict[int, Concession | None]] = {}
    if concessions:
        by_agreement = {
            int(g): opening_concessions(problem, rows, int(g), rng) for g in np.flatnonzero(~changes)
        }
    linked = None
    if problem.n_groups > 1:
        linked = int(
            find_feasible(merged(problem), None, rng, starts=small, sweeps=sweeps, climb=False).shape[0]
        )
    return solve(
        problem,
        index,
        method="search",
        veto_effects=veto,
        consent_effects=consent,
        concessions=_overall(by_agreement) if index.shape[0] == 0 else {},
        agreement_concessions=by_agreement,
        changes=changes,
        seed=seed,
        if_linked=linked,
    )
