"""The one acceptance test (DESIGN §4a), on arrays: who must accept a package, and do they?

A package sets one value per issue. Issues are grouped into *agreements* (a treaty signed as a whole;
an issue agreed on its own is an agreement of one). For each agreement there is one *row* per signer
(kind ``party``) and one per veto holder with a veto on some of its issues (kind ``veto``). A row
judges only the issues of its mask (a signer: every issue of the agreement; a veto holder: its veto
issues in the agreement).

- **Moot issues.** An issue whose ``applies_if`` conditions fail is moot: it is held at its status quo,
  contributes no gain and no red line. A package that moves a moot issue is not a distinct package
  (``valid`` is False): packages that differ only on moot issues are one package.
- **Active agreements.** An agreement is active when the package moves one of its (non-moot) issues
  from the status quo; an inactive agreement asks nothing of anyone (no deal is made there).
- **Rows.** A row of an active agreement accepts when every issue of its mask that is not moot lies
  inside the row actor's acceptable range (its red line) *and* its gain over those issues (against its
  no-deal values) is > the margin (a signer: it must gain to sign) or ≥ 0 (a veto holder: it blocks
  only what makes it lose). Gains are rounded to :data:`DECIMALS` decimals before any comparison, so
  results do not depend on the order of floating-point sums.
- **Feasible**: valid, some agreement active, every row accepts.

Everything here takes arrays with any leading batch axes; forecasts (one package per Monte Carlo
draw), precedents and the enumeration of the deal space all end in :func:`judge_contributions`, so they
can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Gains are rounded to this many decimals before any comparison (acceptance, dominance, ties), so that
#: results do not depend on the order in which floating-point sums run (actor or issue order).
DECIMALS = 12

CONDITION_OPS: tuple[str, ...] = (">", ">=", "<", "<=", "==", "!=")
#: ``==`` and ``!=`` compare with this tolerance, as a share of the issue's range.
EQUAL_TOL = 1e-9


@dataclass(frozen=True)
class Condition:
    """Issue ``issue`` applies only if the value of issue ``on`` satisfies ``op value``."""

    issue: int
    on: int
    op: str
    value: float


def condition_holds(c: Condition, x: np.ndarray | float, width: float) -> np.ndarray:
    """Whether values ``x`` of issue ``c.on`` satisfy the condition (vectorised)."""
    v = np.asarray(x, dtype=float)
    tol = EQUAL_TOL * width
    if c.op == ">":
        return np.asarray(v > c.value)
    if c.op == ">=":
        return np.asarray(v >= c.value)
    if c.op == "<":
        return np.asarray(v < c.value)
    if c.op == "<=":
        return np.asarray(v <= c.value)
    if c.op == "==":
        return np.asarray(np.abs(v - c.value) <= tol)
    if c.op == "!=":
        return np.asarray(np.abs(v - c.value) > tol)
    raise ValueError(f"unknown condition operator {c.op!r}; expected one of {', '.join(CONDITION_OPS)}")


def moot_mask(
    conditions: tuple[Condition, ...], values: np.ndarray, width: np.ndarray, status_quo: np.ndarray
) -> np.ndarray:
    """Moot issues of packages ``(..., D)`` → ``(..., D)`` bool.

    ``conditions`` must be in dependency order (an issue's conditions after those of the issues they
    read): a condition reads the *effective* value of its issue, the status quo where that issue is
    itself moot.
    """
    v = np.asarray(values, dtype=float)
    m = np.zeros(v.shape, dtype=bool)
    if not conditions:
        return m
    eff = v.copy()
    sq = np.broadcast_to(np.asarray(status_quo, dtype=float), v.shape)
    for c in conditions:
        m[..., c.issue] |= ~condition_holds(c, eff[..., c.on], float(width[c.on]))
        eff[..., c.issue] = np.where(m[..., c.issue], sq[..., c.issue], eff[..., c.issue])
    return m


@dataclass(frozen=True)
class Rows:
    """Who must accept what: one row per (agreement, signer) and (agreement, veto holder).

    ``mask[r, d]``: row r judges issue d. Signer rows come first (agreement by agreement, actors in
    index order), then veto rows.
    """

    actor: np.ndarray  # (C,) int
    group: np.ndarray  # (C,) int
    kind: tuple[str, ...]  # "party" | "veto"
    strict: np.ndarray  # (C,) bool: gain > threshold (signers) or ≥ (veto holders)
    threshold: np.ndarray  # (C,)
    mask: np.ndarray  # (C, D) bool
    group_of: np.ndarray  # (D,) int: the agreement of each issue
    n_groups: int

    @property
    def n(self) -> int:
        return int(self.actor.size)

    def drop(self, rows: np.ndarray | list[int]) -> Rows:
        keep = np.setdiff1d(np.arange(self.n), np.asarray(rows, dtype=int))
        return Rows(
            actor=self.actor[keep],
            group=self.group[keep],
            kind=tuple(self.kind[i] for i in keep),
            strict=self.strict[keep],
            threshold=self.threshold[keep],
            mask=self.mask[keep],
            group_of=self.group_of,
            n_groups=self.n_groups,
        )

    def of_actor(self, actor: int, kind: str | None = None) -> np.ndarray:
        """Row indices of one actor (optionally of one kind)."""
        sel = self.actor == actor
        if kind is not None:
            sel &= np.array([k == kind for k in self.kind], dtype=bool)
        return np.flatnonzero(sel)

    def label(self, row: int, actors: tuple[str, ...]) -> str:
        return f"{actors[int(self.actor[row])]} ({self.kind[row]})"

    def compare(self, gain: np.ndarray, *, rounded: bool = False) -> np.ndarray:
        """Row gains ``(..., C)`` → whether each clears its threshold (> for signers, ≥ for veto
        holders), after rounding to :data:`DECIMALS` decimals (``rounded``: already rounded)."""
        g = gain if rounded else np.round(gain, DECIMALS)
        ok = g > self.threshold
        if not self.strict.all():
            ok |= ~self.strict & (g == self.threshold)
        return np.asarray(ok)


def make_rows(group: np.ndarray, signer: np.ndarray, veto: np.ndarray, margin: float = 0.0) -> Rows:
    """The rows of a problem with agreements ``group`` ``(D,)``, signers ``(G, A)`` and vetoes ``(A, D)``."""
    group = np.asarray(group, dtype=np.int64)
    signer = np.asarray(signer, dtype=bool)
    veto = np.asarray(veto, dtype=bool)
    n_groups, a = signer.shape
    d = group.size
    members = np.zeros((n_groups, d), dtype=bool)
    if d:
        members[group, np.arange(d)] = True
    actor: list[int] = []
    grp: list[int] = []
    kind: list[str] = []
    mask: list[np.ndarray] = []
    for g in range(n_groups):
        for s in np.flatnonzero(signer[g]):
            actor.append(int(s))
            grp.append(g)
            kind.append("party")
            mask.append(members[g])
    for g in range(n_groups):
        for i in range(a):
            m = veto[i] & members[g]
            if m.any():
                actor.append(i)
                grp.append(g)
                kind.append("veto")
                mask.append(m)
    is_party = np.array([k == "party" for k in kind], dtype=bool)
    return Rows(
        actor=np.array(actor, dtype=np.int64),
        group=np.array(grp, dtype=np.int64),
        kind=tuple(kind),
        strict=is_party,
        threshold=np.where(is_party, float(margin), 0.0),
        mask=np.array(mask, dtype=bool).reshape(len(actor), d),
        group_of=group,
        n_groups=n_groups,
    )


@dataclass
class Judgement:
    """The verdict on packages with batch shape ``S`` (C rows, G agreements, D issues)."""

    gain: np.ndarray  # S + (C,) rounded row gains
    outside: np.ndarray  # S + (C, D) bool: a judged, non-moot issue outside the row actor's red line
    accept: np.ndarray  # S + (C,)
    active: np.ndarray  # S + (G,)
    valid: np.ndarray  # S
    moot: np.ndarray  # S + (D,)
    contributions: np.ndarray | None = None  # S + (C, D) per-issue row gains (when asked for)

    def group_accept(self, rows: Rows) -> np.ndarray:
        """S + (G,): the agreement is active and every one of its rows accepts."""
        refused = np.zeros(self.active.shape, dtype=bool)
        for g in range(rows.n_groups):
            sel = rows.group == g
            if sel.any():
                refused[..., g] = ~self.accept[..., sel].all(axis=-1)
        return np.asarray(self.active & ~refused)

    @property
    def feasible(self) -> np.ndarray:
        """S: a valid package that makes some deal, accepted by every row."""
        return np.asarray(self.valid & self.active.any(axis=-1) & self.accept.all(axis=-1))

    def decisive_issue(
        self, rows: Rows, width: np.ndarray, values: np.ndarray, acceptable: np.ndarray
    ) -> np.ndarray:
        """S + (C,): for each refusing row, the issue that decides its refusal (−1 where it accepts).

        A red line breached decides first (the issue furthest outside, as a share of its range); otherwise
        the issue on which the row loses most. Needs ``contributions``.
        """
        assert self.contributions is not None, "judge with contributions=True to name refusals"
        v = np.asarray(values, dtype=float)[..., None, :]  # S + (1, D)
        acc = acceptable[rows.actor]  # (C, D, 2)
        dist = np.maximum(acc[..., 0] - v, v - acc[..., 1]) / width  # S + (C, D)
        dist = np.where(self.outside, dist, -np.inf)
        breach = self.outside.any(axis=-1)
        worst_out = np.argmax(dist, axis=-1)
        c = np.where(rows.mask & ~self.moot[..., None, :], self.contributions, np.inf)
        worst_loss = np.argmin(c, axis=-1)
        has_loss = np.take_along_axis(np.round(c, DECIMALS), worst_loss[..., None], axis=-1)[..., 0] < 0
        out = np.where(breach, worst_out, np.where(has_loss, worst_loss, -1))
        return np.asarray(np.where(self.accept, -1, out))


def sum_issues(parts: np.ndarray) -> np.ndarray:
    """Σ over the last axis in order (issue order: the same order as the enumeration's table sums)."""
    total = np.zeros(parts.shape[:-1])
    for j in range(parts.shape[-1]):
        total = total + parts[..., j]
    return total


def judge_contributions(
    rows: Rows,
    contributions: np.ndarray,
    outside: np.ndarray,
    moved: np.ndarray,
    moot: np.ndarray,
    valid: np.ndarray,
    *,
    keep_contributions: bool = False,
) -> Judgement:
    """The verdict from per-actor quantities: ``contributions`` S + (A, D) (gain parts, moot issues 0),
    ``outside`` S + (A, D) (value outside the actor's acceptable range), ``moved`` and ``moot`` S + (D,),
    ``valid`` S."""
    live = rows.mask & ~moot[..., None, :]  # S + (C, D)
    rc = np.where(live, contributions[..., rows.actor, :], 0.0)
    gain = np.round(sum_issues(rc), DECIMALS)
    out = outside[..., rows.actor, :] & live
    members = np.zeros((rows.n_groups, rows.group_of.size), dtype=bool)
    if rows.group_of.size:
        members[rows.group_of, np.arange(rows.group_of.size)] = True
    active = np.asarray((moved[..., None, :] & members).any(axis=-1))  # S + (G,)
    accept = ~active[..., rows.group] | (~out.any(axis=-1) & rows.compare(gain, rounded=True))
    return Judgement(
        gain=gain,
        outside=out,
        accept=np.asarray(accept),
        active=np.asarray(active),
        valid=np.asarray(valid),
        moot=np.asarray(moot),
        contributions=rc if keep_contributions else None,
    )
