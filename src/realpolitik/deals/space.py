"""The package space: the array bundle a deal analysis takes, option sets and per-issue utility tables.

Nothing here knows about scenario objects. A *package* is one value per issue; the values allowed on an
issue are its *options* (a sorted 1-D array). Packages are stored as option indices, one per issue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from realpolitik.limits import DEAL_OPTIONS

OptionMode = Literal["auto", "labels", "grid", "both"]

#: Gains are rounded to this many decimals before any comparison (acceptance, dominance, ties), so that
#: results do not depend on the order in which floating-point sums run (actor or issue order).
DECIMALS = 12


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
    """Everything a deal analysis needs, as arrays (A actors, D issues).

    - ``position`` / ``salience``: ``(A, D)``; saliences are normalised per actor to sum to 1 (an actor
      with no salience anywhere is indifferent to every package).
    - ``capability``: ``(A,)``, the Nash bargaining weights of the parties (NaN: equal weights).
    - ``bounds``: ``(D, 2)``; ``status_quo``: ``(D,)``.
    - ``risk``: ``(A,)`` in [-1, 1] (0: risk-neutral).
    - ``party``: ``(A,)`` bool, who must sign; ``veto``: ``(A, D)`` bool, who can block on which issue.
    - ``options``: one sorted 1-D array of allowed values per issue (the status quo is added).
    - ``disagreement``: ``(A, D)`` each actor's no-deal package (default: the status quo for everyone).
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
        checks = {
            "salience": (sal.shape, (a, d)),
            "status_quo": (sq.shape, (d,)),
            "capability": (cap.shape, (a,)),
            "party": (party.shape, (a,)),
            "veto": (veto.shape, (a, d)),
            "risk": (risk.shape, (a,)),
            "disagreement": (dis.shape, (a, d)),
        }
        for name, (got, want) in checks.items():
            if got != want:
                raise ValueError(f"{name} must have shape {want}, got {got}")
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
            ("options", opts),
        ):
            object.__setattr__(self, name, val)
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
    def n_options(self) -> np.ndarray:
        return np.array([o.size for o in self.options], dtype=np.int64)

    @property
    def n_packages(self) -> int:
        """The number of packages (exact, may exceed 64 bits)."""
        return math.prod(int(o.size) for o in self.options)

    @property
    def width(self) -> np.ndarray:
        return np.asarray(self.bounds[:, 1] - self.bounds[:, 0])

    @property
    def weights(self) -> np.ndarray:
        """Saliences normalised to sum 1 per actor ``(A, D)`` (zero rows stay zero)."""
        tot = self.salience.sum(axis=1, keepdims=True)
        return np.asarray(np.divide(self.salience, tot, out=np.zeros_like(self.salience), where=tot > 0))

    @property
    def veto_holders(self) -> np.ndarray:
        """Indices of actors holding a veto on at least one issue."""
        return np.flatnonzero(self.veto.any(axis=1))

    @property
    def status_quo_index(self) -> np.ndarray:
        """The option index of the status quo on each issue ``(D,)``."""
        return np.array(
            [int(np.argmin(np.abs(o - q))) for o, q in zip(self.options, self.status_quo, strict=True)]
        )

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
        """Per-issue gain contributions of packages ``(..., D)`` vs each actor's disagreement ``(..., A, D)``."""
        k = risk_exponent(self.risk)[:, None]
        dis = issue_utility(self.disagreement, self.position, self.width, k)
        return np.asarray(self.weights * (self.utility_raw(values) - dis))

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

    def values(self, index: np.ndarray) -> np.ndarray:
        """Option indices ``(n, D)`` → package values ``(n, D)``."""
        idx = np.asarray(index, dtype=np.int64)
        return np.stack([self.options[j][idx[..., j]] for j in range(self.n_issues)], axis=-1)

    def gains(self, index: np.ndarray) -> np.ndarray:
        """Gains of packages given by option indices ``(n, D)`` → ``(n, A)``."""
        idx = np.asarray(index, dtype=np.int64).reshape(-1, self.n_issues)
        tabs = self.gain_tables()
        g = np.zeros((idx.shape[0], self.n_actors))
        for j, t in enumerate(tabs):
            g += t[:, idx[:, j]].T
        return g


@dataclass(frozen=True)
class Constraints:
    """Who must consent, as rows: each row is one actor's party consent or one actor's veto.

    ``tables[d]`` is ``(C, n_d)``: that row's per-issue gain contributions (zero off its veto issues for a
    veto row); a party row accepts when its rounded gain is > ``margin``, a veto row when it is ≥ 0.
    """

    actor: np.ndarray  # (C,) actor index
    kind: tuple[str, ...]  # "party" | "veto"
    strict: np.ndarray  # (C,) bool
    threshold: np.ndarray  # (C,)
    tables: tuple[np.ndarray, ...]

    @property
    def n(self) -> int:
        return int(self.actor.size)

    def accept(self, gain: np.ndarray) -> np.ndarray:
        """Rounded constraint gains ``(C, n)`` → acceptance ``(C, n)``."""
        g = np.round(gain, DECIMALS)
        thr = self.threshold[:, None]
        return np.asarray(np.where(self.strict[:, None], g > thr, g >= thr))

    def drop(self, rows: np.ndarray | list[int]) -> Constraints:
        keep = np.setdiff1d(np.arange(self.n), np.asarray(rows, dtype=int))
        return Constraints(
            actor=self.actor[keep],
            kind=tuple(self.kind[i] for i in keep),
            strict=self.strict[keep],
            threshold=self.threshold[keep],
            tables=tuple(t[keep] for t in self.tables),
        )

    def label(self, row: int, actors: tuple[str, ...]) -> str:
        return f"{actors[int(self.actor[row])]} ({self.kind[row]})"


def constraints(problem: DealProblem) -> Constraints:
    """The consent rows of ``problem``: every party, then every veto holder (parties first, index order)."""
    tabs = problem.gain_tables()
    parties = np.flatnonzero(problem.party)
    vetoes = problem.veto_holders
    actor = np.concatenate([parties, vetoes]).astype(np.int64)
    kind = tuple(["party"] * parties.size + ["veto"] * vetoes.size)
    strict = np.array([True] * parties.size + [False] * vetoes.size, dtype=bool)
    threshold = np.array([problem.margin] * parties.size + [0.0] * vetoes.size, dtype=float)
    mask = np.concatenate([np.ones((parties.size, problem.n_issues), bool), problem.veto[vetoes]], axis=0)
    tables = tuple(t[actor] * mask[:, j, None] for j, t in enumerate(tabs))
    return Constraints(actor=actor, kind=kind, strict=strict, threshold=threshold, tables=tables)
