"""The package space: the array bundle a deal analysis takes, option sets and per-issue utility tables.

Nothing here knows about scenario objects. A *package* is one value per issue; the values allowed on an
issue are its *options* (a sorted 1-D array). Packages are stored as option indices, one per issue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from realpolitik.deals.judge import (
    CONDITION_OPS,
    DECIMALS,
    Condition,
    Judgement,
    Rows,
    condition_holds,
    judge_contributions,
    make_rows,
    moot_mask,
)
from realpolitik.limits import DEAL_OPTIONS

OptionMode = Literal["auto", "labels", "grid", "both"]

__all__ = ["DECIMALS", "Condition", "DealProblem", "Judgement", "Rows"]


def risk_exponent(risk: np.ndarray) -> np.ndarray:
    """The loss exponent ``k = 2 ** (-risk)`` for risk attitudes in [-1, 1] (k in [0.5, 2]).

    Utility on one issue is ``1 - delta ** k`` for a normalised distance ``delta`` in [0, 1]: ``k > 1``
    (risk < 0) is concave (risk-averse), ``k = 1`` linear, ``k < 1`` (risk > 0) convex (risk-acceptant).
    """
    r = np.clip(np.nan_to_num(np.asarray(risk, dtype=float), nan=0.0), -1.0, 1.0)
    return np.asarray(2.0 ** (-r))


def issue_utility(
    values: np.ndarray | float, ideal: np.ndarray | float, width: np.ndarray | float, k: np.ndarray | float
) -> np.ndarray:
    """``1 - (|v - x| / width) ** k`` with broadcasting; distances are clipped to [0, 1]."""
    delta = np.clip(np.abs(np.asarray(values, dtype=float) - ideal) / width, 0.0, 1.0)
    return np.asarray(1.0 - delta**k)


def grid_options(lo: float, hi: float, step: float) -> np.ndarray:
    """An evenly spaced grid on [lo, hi] with about ``step`` (a share of the range) between points.

    The end points are exact and the grid is symmetric about the midpoint up to rounding.
    """
    if not 0 < step <= 1:
        raise ValueError(f"step must be in (0, 1] (a share of the issue range), got {step}")
    DEAL_OPTIONS.check(1.0 / step + 1, f"deal grid with step {step:g}")
    n = max(1, round(1.0 / step))
    k = np.arange(n + 1)
    return np.asarray(lo + (hi - lo) * k / n)


def issue_options(
    bounds: tuple[float, float],
    status_quo: float,
    labels: list[float] | None = None,
    *,
    mode: OptionMode = "auto",
    step: float = 0.05,
    extra: list[float] | None = None,
) -> np.ndarray:
    """The options of one issue, sorted and unique, always including the status quo.

    - ``auto``: the labelled points when there are at least two inside the bounds, else the grid;
    - ``labels``: the labelled points (the grid when there are fewer than two);
    - ``grid``: the grid only; ``both``: the union of labels and grid.
    ``extra`` values (e.g. declared disagreement packages) are added as they are.
    """
    lo, hi = float(bounds[0]), float(bounds[1])
    labs = [float(v) for v in (labels or []) if lo <= float(v) <= hi]
    use_labels = mode in ("auto", "labels") and len(set(labs)) >= 2
    if mode == "both":
        vals = [*labs, *grid_options(lo, hi, step)]
    elif use_labels:
        vals = labs
    else:
        vals = list(grid_options(lo, hi, step))
    if np.isfinite(status_quo):
        vals.append(float(status_quo))
    vals.extend(float(v) for v in (extra or []) if lo <= float(v) <= hi)
    return np.unique(np.asarray(vals, dtype=float))


@dataclass(frozen=True)
class DealProblem:
    """Everything a deal analysis needs, as arrays (A actors, D issues, G agreements).

    - ``position`` / ``salience``: ``(A, D)``; saliences are normalised per actor to sum to 1 (an actor
      with no salience anywhere is indifferent to every package).
    - ``capability``: ``(A,)``, the Nash bargaining weights of the parties (NaN: equal weights).
    - ``bounds``: ``(D, 2)``; ``status_quo``: ``(D,)``.
    - ``risk``: ``(A,)`` in [-1, 1] (0: risk-neutral).
    - ``party``: ``(A,)`` bool, who signs something (the union of the agreements' signers);
      ``veto``: ``(A, D)`` bool, who can block on which issue.
    - ``options``: one sorted 1-D array of allowed values per issue (the status quo is added).
    - ``disagreement``: ``(A, D)`` each actor's no-deal package (default: the status quo for everyone).
    - ``acceptable``: ``(A, D, 2)`` each actor's acceptable range (red line); default: the bounds.
    - ``group``: ``(D,)`` the agreement each issue belongs to (default: one agreement of all issues);
      ``signer``: ``(G, A)`` who must sign each agreement (default: ``party`` for every agreement);
      ``group_ids``: the agreements' names.
    - ``conditions``: ``applies_if`` conditions ``(issue, on_issue, op, value)``: an issue whose
      conditions fail is moot (held at its status quo, counts for nothing).
    """

    position: np.ndarray
    salience: np.ndarray
    capability: np.ndarray
    bounds: np.ndarray
    status_quo: np.ndarray
    options: tuple[np.ndarray, ...]
    party: np.ndarray
    veto: np.ndarray
    risk: np.ndarray = None  # type: ignore[assignment]  # None: risk-neutral everyone
    disagreement: np.ndarray = None  # type: ignore[assignment]  # None: the status quo for everyone
    actors: tuple[str, ...] = ()
    issues: tuple[str, ...] = ()
    margin: float = 0.0
    acceptable: np.ndarray = None  # type: ignore[assignment]  # None: the bounds (no red lines)
    group: np.ndarray = None  # type: ignore[assignment]  # None: one agreement of all issues
    signer: np.ndarray = None  # type: ignore[assignment]  # None: the parties sign every agreement
    group_ids: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = ()
    _cache: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        pos = np.asarray(self.position, dtype=float)
        if pos.ndim != 2:
            raise ValueError(f"position must have shape (A, D), got {pos.shape}")
        a, d = pos.shape
        sal = np.asarray(self.salience, dtype=float)
        bounds = np.asarray(self.bounds, dtype=float).reshape(d, 2)
        sq = np.asarray(self.status_quo, dtype=float)
        cap = np.asarray(self.capability, dtype=float)
        party = np.asarray(self.party, dtype=bool)
        veto = np.asarray(self.veto, dtype=bool)
        risk = np.zeros(a) if self.risk is None else np.asarray(self.risk, dtype=float)
        dis = (
            np.broadcast_to(sq, (a, d)) if self.disagreement is None else np.asarray(self.disagreement, float)
        )
        acc = (
            np.broadcast_to(bounds, (a, d, 2))
            if self.acceptable is None
            else np.asarray(self.acceptable, float)
        )
        group = np.zeros(d, dtype=np.int64) if self.group is None else np.asarray(self.group, dtype=np.int64)
        n_groups = int(group.max()) + 1 if group.size else 0
        # ``signer`` stays None when not given, so that ``replace(problem, party=...)`` changes who signs
        if self.signer is None:
            signer_field = None
            signer = np.broadcast_to(party, (n_groups, a)).copy() if party.shape == (a,) else party
        else:
            signer = np.asarray(self.signer, dtype=bool).reshape(-1, a)
            signer_field = signer
            if party.shape == (a,):
                party = party | signer.any(axis=0)
        checks = {
            "salience": (sal.shape, (a, d)),
            "status_quo": (sq.shape, (d,)),
            "capability": (cap.shape, (a,)),
            "party": (party.shape, (a,)),
            "veto": (veto.shape, (a, d)),
            "risk": (risk.shape, (a,)),
            "disagreement": (dis.shape, (a, d)),
            "acceptable": (acc.shape, (a, d, 2)),
            "group": (group.shape, (d,)),
            "signer": (signer.shape, (n_groups, a)),
        }
        for name, (got, want) in checks.items():
            if got != want:
                raise ValueError(f"{name} must have shape {want}, got {got}")
        if d and (group.min() < 0 or np.setdiff1d(np.arange(n_groups), group).size):
            raise ValueError("group must number the agreements 0, 1, ... with every agreement used")
        group_ids = tuple(self.group_ids) or tuple(f"G{g}" for g in range(n_groups))
        if len(group_ids) != n_groups:
            raise ValueError(f"group_ids must name every agreement ({n_groups}), got {len(group_ids)}")
        for c in self.conditions:
            if not (0 <= c.issue < d and 0 <= c.on < d and c.issue != c.on) or c.op not in CONDITION_OPS:
                raise ValueError(f"bad condition {c}")
        conditions = dependency_order(tuple(self.conditions), d)
        if (acc[..., 0] > acc[..., 1]).any():
            raise ValueError("acceptable ranges must have low <= high")
        if len(self.options) != d:
            raise ValueError(f"options must give one array per issue ({d}), got {len(self.options)}")
        if not np.isfinite(sq).all():
            raise ValueError("the status quo must be set on every issue")
        if (sal < 0).any():
            raise ValueError("saliences must be non-negative")
        if not (bounds[:, 1] > bounds[:, 0]).all():
            raise ValueError("bounds must have lower < upper on every issue")
        # the status quo is always an option, so the no-deal package and single-issue deals exist
        opts = tuple(
            np.unique(np.append(np.asarray(o, dtype=float), q)) for o, q in zip(self.options, sq, strict=True)
        )
        if any(o.size == 0 for o in opts):
            raise ValueError("every issue needs at least one option")
        for name, val in (
            ("position", pos),
            ("salience", sal),
            ("bounds", bounds),
            ("status_quo", sq),
            ("capability", cap),
            ("party", party),
            ("veto", veto),
            ("risk", risk),
            ("disagreement", np.array(dis, dtype=float)),
            ("acceptable", np.array(acc, dtype=float)),
            ("group", group),
            ("signer", signer_field),
            ("group_ids", tuple(self.group_ids)),
            ("conditions", conditions),
            ("options", opts),
        ):
            object.__setattr__(self, name, val)
        object.__setattr__(self, "_signers", signer)
        object.__setattr__(self, "_agreement_ids", group_ids)
        object.__setattr__(self, "_cache", {})  # never share cached tables with the problem replaced
        if not self.actors:
            object.__setattr__(self, "actors", tuple(f"A{i}" for i in range(a)))
        if not self.issues:
            object.__setattr__(self, "issues", tuple(f"D{j}" for j in range(d)))
        if len(self.actors) != a or len(self.issues) != d:
            raise ValueError("actors and issues must name every actor and issue")

    # ------------------------------------------------------------------ sizes
    @property
    def n_actors(self) -> int:
        return int(self.position.shape[0])

    @property
    def n_issues(self) -> int:
        return int(self.position.shape[1])

    @property
    def n_groups(self) -> int:
        """The number of agreements G."""
        return int(self.signers.shape[0])

    @property
    def signers(self) -> np.ndarray:
        """``(G, A)`` bool: who must sign each agreement (``signer``, or ``party`` for every agreement)."""
        return self._signers  # type: ignore[attr-defined, no-any-return]

    @property
    def agreement_ids(self) -> tuple[str, ...]:
        """The agreements' names (``group_ids``, or ``G0``, ``G1``, ...)."""
        return self._agreement_ids  # type: ignore[attr-defined, no-any-return]

    @property
    def n_options(self) -> np.ndarray:
        return np.array([o.size for o in self.options], dtype=np.int64)

    @property
    def n_packages(self) -> int:
        """The number of packages (exact, may exceed 64 bits), moot duplicates included."""
        return math.prod(int(o.size) for o in self.options)

    @property
    def width(self) -> np.ndarray:
        return np.asarray(self.bounds[:, 1] - self.bounds[:, 0])

    @property
    def weights(self) -> np.ndarray:
        """Saliences normalised to sum 1 per actor ``(A, D)`` (zero rows stay zero)."""
        return normalised_weights(self.salience)

    @property
    def veto_holders(self) -> np.ndarray:
        """Indices of actors holding a veto on at least one issue."""
        return np.flatnonzero(self.veto.any(axis=1))

    @property
    def status_quo_index(self) -> np.ndarray:
        """The option index of the status quo on each issue ``(D,)``."""
        cached = self._cache.get("status_quo_index")
        if cached is None:
            cached = np.array(
                [int(np.searchsorted(o, q)) for o, q in zip(self.options, self.status_quo, strict=True)],
                dtype=np.int64,
            )
            self._cache["status_quo_index"] = cached
        return cached  # type: ignore[return-value]

    def group_issues(self, g: int) -> np.ndarray:
        """Issue indices of agreement ``g``."""
        return np.flatnonzero(self.group == g)

    # ------------------------------------------------------------------ conditions
    def moot(self, values: np.ndarray) -> np.ndarray:
        """Moot issues of packages ``(..., D)`` → ``(..., D)`` bool (a failed ``applies_if``)."""
        return moot_mask(self.conditions, np.asarray(values, dtype=float), self.width, self.status_quo)

    def condition_tables(self) -> tuple[np.ndarray, ...]:
        """Per condition, whether it holds at each option of the issue it reads."""
        return tuple(condition_holds(c, self.options[c.on], float(self.width[c.on])) for c in self.conditions)

    # ------------------------------------------------------------------ utilities
    def utility_raw(self, values: np.ndarray) -> np.ndarray:
        """Per-issue utilities ``1 - delta ** k`` of arbitrary packages: values ``(..., D)`` → ``(..., A, D)``."""
        v = np.asarray(values, dtype=float)[..., None, :]
        k = risk_exponent(self.risk)[:, None]
        return issue_utility(v, self.position, self.width, k)

    def utility(self, values: np.ndarray) -> np.ndarray:
        """Utility of packages ``(..., D)`` to every actor ``(..., A)``: Σ_d w_id u_i(δ_id)."""
        return np.asarray((self.weights * self.utility_raw(values)).sum(axis=-1))

    def contributions(self, values: np.ndarray) -> np.ndarray:
        """Per-issue gain contributions of packages ``(..., D)`` vs each actor's disagreement ``(..., A, D)``.

        Moot issues contribute nothing.
        """
        v = np.asarray(values, dtype=float)
        moot = self.moot(v) if self.conditions else None
        return contributions(v, self.position, self.weights, self.width, self.risk, self.disagreement, moot)

    def outside(self, values: np.ndarray) -> np.ndarray:
        """Whether packages ``(..., D)`` lie outside each actor's acceptable range ``(..., A, D)``."""
        v = np.asarray(values, dtype=float)[..., None, :]
        return np.asarray((v < self.acceptable[..., 0]) | (v > self.acceptable[..., 1]))

    def gain_tables(self) -> tuple[np.ndarray, ...]:
        """Per issue d, ``(A, n_d)``: w_id (u_i(option) − u_i(disagreement_id)) — gains add up over issues."""
        cached = self._cache.get("gain_tables")
        if cached is not None:
            return cached  # type: ignore[return-value]
        k = risk_exponent(self.risk)
        w = self.weights
        dis = issue_utility(self.disagreement, self.position, self.width, k[:, None])  # (A, D)
        tables = []
        for j, opts in enumerate(self.options):  # loop over issues, vectorised over actors and options
            u = issue_utility(opts[None, :], self.position[:, j, None], self.width[j], k[:, None])
            tables.append(np.asarray(w[:, j, None] * (u - dis[:, j, None])))
        out = tuple(tables)
        self._cache["gain_tables"] = out
        return out

    def outside_tables(self) -> tuple[np.ndarray, ...]:
        """Per issue d, ``(A, n_d)`` bool: the option lies outside the actor's acceptable range."""
        cached = self._cache.get("outside_tables")
        if cached is not None:
            return cached  # type: ignore[return-value]
        out = tuple(
            np.asarray(
                (o[None, :] < self.acceptable[:, j, 0, None]) | (o[None, :] > self.acceptable[:, j, 1, None])
            )
            for j, o in enumerate(self.options)
        )
        self._cache["outside_tables"] = out
        return out

    def values(self, index: np.ndarray) -> np.ndarray:
        """Option indices ``(n, D)`` → package values ``(n, D)``."""
        idx = np.asarray(index, dtype=np.int64)
        return np.stack([self.options[j][idx[..., j]] for j in range(self.n_issues)], axis=-1)

    def moot_index(self, index: np.ndarray) -> np.ndarray:
        """Moot issues of packages given by option indices ``(n, D)`` → ``(n, D)`` bool.

        The same rule as :func:`~realpolitik.deals.judge.moot_mask`: a condition reads the *effective*
        option of its issue, the status quo where that issue is itself moot.
        """
        idx = np.asarray(index, dtype=np.int64).reshape(-1, self.n_issues)
        m = np.zeros(idx.shape, dtype=bool)
        if not self.conditions:
            return m
        eff = idx.copy()
        sq = self.status_quo_index
        for c, ok in zip(self.conditions, self.condition_tables(), strict=True):
            m[:, c.issue] |= ~ok[eff[:, c.on]]
            eff[:, c.issue] = np.where(m[:, c.issue], sq[c.issue], eff[:, c.issue])
        return m

    def gains(self, index: np.ndarray) -> np.ndarray:
        """Gains of packages given by option indices ``(n, D)`` → ``(n, A)`` (moot issues count for nothing)."""
        idx = np.asarray(index, dtype=np.int64).reshape(-1, self.n_issues)
        tabs = self.gain_tables()
        live = ~self.moot_index(idx) if self.conditions else None
        g = np.zeros((idx.shape[0], self.n_actors))
        for j, t in enumerate(tabs):
            part = t[:, idx[:, j]].T
            g += part if live is None else np.where(live[:, j, None], part, 0.0)
        return g

    # ------------------------------------------------------------------ acceptance
    def rows(self) -> Rows:
        """Who must accept what, one row per (agreement, signer) and (agreement, veto holder)."""
        cached = self._cache.get("rows")
        if cached is None:
            cached = make_rows(self.group, self.signers, self.veto, self.margin)
            self._cache["rows"] = cached
        return cached  # type: ignore[return-value]

    def judge(self, values: np.ndarray, *, contributions: bool = False) -> Judgement:
        """Judge arbitrary packages ``(..., D)`` (not only options) with the one acceptance test."""
        return judge_numbers(
            self,
            values,
            position=self.position,
            salience=self.salience,
            acceptable=self.acceptable,
            disagreement=self.disagreement,
            status_quo=self.status_quo,
            keep_contributions=contributions,
        )


def dependency_order(conditions: tuple[Condition, ...], n_issues: int) -> tuple[Condition, ...]:
    """Conditions sorted so that those of an issue come after those of every issue they read (stable).

    Raises ValueError on a cycle (an issue that applies only if, through other issues, it applies).
    """
    deps: dict[int, set[int]] = {}
    for c in conditions:
        deps.setdefault(c.issue, set()).add(c.on)
    order: list[int] = []
    state = [0] * n_issues  # 0 new, 1 on the path, 2 done

    def visit(j: int) -> None:
        if state[j] == 2:
            return
        if state[j] == 1:
            raise ValueError(f"conditions form a cycle through issue {j}")
        state[j] = 1
        for k in sorted(deps.get(j, ())):
            visit(k)
        state[j] = 2
        order.append(j)

    for j in range(n_issues):
        visit(j)
    rank = {j: r for r, j in enumerate(order)}
    return tuple(sorted(conditions, key=lambda c: rank[c.issue]))


def normalised_weights(salience: np.ndarray) -> np.ndarray:
    """Saliences ``(..., A, D)`` normalised to sum 1 per actor over issues (zero rows stay zero)."""
    sal = np.asarray(salience, dtype=float)
    tot = sal.sum(axis=-1, keepdims=True)
    return np.asarray(np.divide(sal, tot, out=np.zeros_like(sal), where=tot > 0))


def contributions(
    values: np.ndarray,
    position: np.ndarray,
    weights: np.ndarray,
    width: np.ndarray,
    risk: np.ndarray,
    disagreement: np.ndarray,
    moot: np.ndarray | None = None,
) -> np.ndarray:
    """w_id (u_i(p_d) − u_i(disagreement_id)) for packages ``(..., D)`` → ``(..., A, D)`` (moot issues 0).

    ``position``, ``weights`` and ``disagreement`` are ``(A, D)`` or carry the packages' batch axes.
    """
    v = np.asarray(values, dtype=float)[..., None, :]
    k = risk_exponent(risk)[:, None]
    dis = issue_utility(disagreement, position, width, k)
    c = weights * (issue_utility(v, position, width, k) - dis)
    if moot is not None:
        c = np.where(np.asarray(moot)[..., None, :], 0.0, c)
    return np.asarray(c)


def judge_numbers(
    problem: DealProblem,
    values: np.ndarray,
    *,
    position: np.ndarray,
    salience: np.ndarray,
    acceptable: np.ndarray,
    disagreement: np.ndarray,
    status_quo: np.ndarray,
    keep_contributions: bool = False,
) -> Judgement:
    """The acceptance test on packages ``(..., D)`` with the problem's structure (agreements, signers,
    vetoes, conditions, risk) and these numbers, which may carry the packages' batch axes (one set of
    numbers per Monte Carlo draw): ``position``/``salience``/``disagreement`` ``(..., A, D)``,
    ``acceptable`` ``(..., A, D, 2)``, ``status_quo`` ``(..., D)``."""
    v = np.asarray(values, dtype=float)
    sq = np.asarray(status_quo, dtype=float)
    moot = moot_mask(problem.conditions, v, problem.width, sq)
    differs = v != sq
    valid = ~(moot & differs).any(axis=-1)
    moved = differs & ~moot
    c = contributions(
        v,
        position,
        normalised_weights(salience),
        problem.width,
        problem.risk,
        disagreement,
        moot if problem.conditions else None,
    )
    acc = np.asarray(acceptable, dtype=float)
    outside = (v[..., None, :] < acc[..., 0]) | (v[..., None, :] > acc[..., 1])
    return judge_contributions(
        problem.rows(), c, outside, moved, moot, valid, keep_contributions=keep_contributions
    )


# ------------------------------------------------------------------------------------------ tables path
def row_tables(problem: DealProblem, rows: Rows) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per issue j, ``(n_j, C)`` tables over its options: each row's gain part (0 where the row does not
    judge issue j) and whether the option breaches the row actor's red line (False where it does not
    judge j). Gathering a package's option from them gives the row's part directly."""
    gt = problem.gain_tables()
    ot = problem.outside_tables()
    g = [
        np.ascontiguousarray(np.where(rows.mask[:, j, None], gt[j][rows.actor], 0.0).T)
        for j in range(len(gt))
    ]
    o = [np.ascontiguousarray((rows.mask[:, j, None] & ot[j][rows.actor]).T) for j in range(len(ot))]
    return g, o


def judge_index(
    problem: DealProblem,
    rows: Rows,
    index: np.ndarray,
    *,
    detail: bool = False,
    tables: tuple[list[np.ndarray], list[np.ndarray]] | None = None,
) -> Judgement:
    """The acceptance test on packages given by option indices ``(n, D)`` — the enumeration's path.

    Bit for bit the same verdict as :meth:`DealProblem.judge` on the packages' values: the per-issue
    parts are the same numbers (tables of the same utility function) added in the same order.
    ``outside`` of the result is only reduced over issues (shape ``(n, C, 1)``) unless ``detail``, which
    also keeps the per-issue row parts (``contributions``, ``(n, C, D)``). ``tables``: the problem's
    :func:`row_tables` for these rows, when the caller keeps them.
    """
    idx = np.asarray(index, dtype=np.int64).reshape(-1, problem.n_issues)
    n, d = idx.shape
    moot = problem.moot_index(idx) if problem.conditions else np.zeros(idx.shape, dtype=bool)
    can_be_moot = {c.issue for c in problem.conditions}
    at_sq = idx == problem.status_quo_index[None, :]
    valid = ~(moot & ~at_sq).any(axis=1)
    moved = ~at_sq & ~moot
    gtab, otab = row_tables(problem, rows) if tables is None else tables
    gain = np.zeros((n, rows.n))
    out = np.zeros((n, rows.n), dtype=bool)
    parts = np.zeros((n, rows.n, d)) if detail else None
    outs = np.zeros((n, rows.n, d), dtype=bool) if detail else None
    for j in range(d):  # loop over issues (few), vectorised over packages and rows
        part = np.take(gtab[j], idx[:, j], axis=0)  # (n, C)
        o = np.take(otab[j], idx[:, j], axis=0)
        if j in can_be_moot:
            part = np.where(moot[:, j, None], 0.0, part)
            o = o & ~moot[:, j, None]
        gain = gain + part
        out |= o
        if parts is not None and outs is not None:
            parts[:, :, j] = part
            outs[:, :, j] = o
    gain = np.round(gain, DECIMALS)
    active = np.zeros((n, rows.n_groups), dtype=bool)
    for g in range(rows.n_groups):
        active[:, g] = moved[:, rows.group_of == g].any(axis=1)
    accept = ~active[:, rows.group] | (~out & rows.compare(gain, rounded=True))
    return Judgement(
        gain=gain,
        outside=outs if outs is not None else out[:, :, None],
        accept=accept,
        active=active,
        valid=valid,
        moot=moot,
        contributions=parts,
    )
