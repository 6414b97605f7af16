"""The array contract between scenarios and the bargaining models.

Models never see scenario objects: they take a :class:`BargainingProblem` (plain
NumPy arrays, optionally with leading batch axes) and return a
:class:`Trajectory`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np


@dataclass(frozen=True)
class BargainingProblem:
    """Actors' capabilities, positions and saliences on D issues, as arrays.

    Shapes (``...`` is zero or more batch axes, the same for every array that has them):

    - ``capability``: ``(..., A)``, non-negative.
    - ``position``: ``(..., A, D)`` on each issue's own scale (within ``bounds``).
    - ``salience``: ``(..., A, D)`` in [0, 1].
    - ``bounds``: ``(D, 2)`` lower and upper bound of each issue (never batched).
    - ``status_quo``: ``(..., D)``.
    - ``present``: ``(A, D)`` bool, or ``None`` when every actor has data on every issue.
      An actor without data on an issue takes no part in it.
    - ``issue_power``: ``(..., A, D)`` per-issue power (the exchange model's format allows it), or
      ``None`` to use ``capability`` on every issue.
    - ``acceptable``: ``(..., A, D, 2)`` each actor's acceptable range (red line) on each issue, or
      ``None`` when no actor has one (every value is acceptable). Models ignore it; the decision rule
      (:mod:`realpolitik.rules`) and the deal analysis read it.
    - ``actors`` / ``issues``: ids, in array order.
    """

    capability: np.ndarray
    position: np.ndarray
    salience: np.ndarray
    bounds: np.ndarray
    status_quo: np.ndarray
    actors: tuple[str, ...] = ()
    issues: tuple[str, ...] = ()
    present: np.ndarray | None = None
    issue_power: np.ndarray | None = None
    acceptable: np.ndarray | None = None

    def __post_init__(self) -> None:
        pos = np.asarray(self.position, dtype=float)
        if pos.ndim < 2:
            raise ValueError(f"position must have shape (..., A, D), got {pos.shape}")
        a, d = pos.shape[-2:]
        cap = np.asarray(self.capability, dtype=float)
        sal = np.asarray(self.salience, dtype=float)
        bounds = np.asarray(self.bounds, dtype=float)
        sq = np.asarray(self.status_quo, dtype=float)
        if cap.shape[-1:] != (a,):
            raise ValueError(f"capability must have shape (..., {a}), got {cap.shape}")
        if sal.shape[-2:] != (a, d):
            raise ValueError(f"salience must have shape (..., {a}, {d}), got {sal.shape}")
        if bounds.shape != (d, 2):
            raise ValueError(f"bounds must have shape ({d}, 2), got {bounds.shape}")
        if sq.shape[-1:] != (d,):
            raise ValueError(f"status_quo must have shape (..., {d}), got {sq.shape}")
        object.__setattr__(self, "position", pos)
        object.__setattr__(self, "capability", cap)
        object.__setattr__(self, "salience", sal)
        object.__setattr__(self, "bounds", bounds)
        object.__setattr__(self, "status_quo", sq)
        if self.present is not None:
            pres = np.asarray(self.present, dtype=bool)
            if pres.shape != (a, d):
                raise ValueError(f"present must have shape ({a}, {d}), got {pres.shape}")
            object.__setattr__(self, "present", None if pres.all() else pres)
        if self.issue_power is not None:
            ip = np.asarray(self.issue_power, dtype=float)
            if ip.shape[-2:] != (a, d):
                raise ValueError(f"issue_power must have shape (..., {a}, {d}), got {ip.shape}")
            object.__setattr__(self, "issue_power", ip)
        if self.acceptable is not None:
            acc = np.asarray(self.acceptable, dtype=float)
            if acc.shape[-3:] != (a, d, 2):
                raise ValueError(f"acceptable must have shape (..., {a}, {d}, 2), got {acc.shape}")
            object.__setattr__(self, "acceptable", acc)
        if not self.actors:
            object.__setattr__(self, "actors", tuple(f"A{i}" for i in range(a)))
        if not self.issues:
            object.__setattr__(self, "issues", tuple(f"D{j}" for j in range(d)))
        if len(self.actors) != a or len(self.issues) != d:
            raise ValueError("actors and issues must name every actor and issue")

    # ------------------------------------------------------------------ shape helpers
    @property
    def n_actors(self) -> int:
        return int(self.position.shape[-2])

    @property
    def n_issues(self) -> int:
        return int(self.position.shape[-1])

    @property
    def batch_shape(self) -> tuple[int, ...]:
        """Leading batch axes (``()`` for a single problem)."""
        return tuple(self.position.shape[:-2])

    @property
    def unbatched(self) -> bool:
        """Whether the model inputs (capability, position, salience, status quo, issue power) are one
        problem, with no batch axis: a cheap test for the single-run paths. Acceptable ranges are not
        looked at (the bargaining models do not read them)."""
        return (
            self.capability.ndim == 1
            and self.position.ndim == 2
            and self.salience.ndim == 2
            and self.status_quo.ndim == 1
            and (self.issue_power is None or self.issue_power.ndim == 2)
        )

    @property
    def power(self) -> np.ndarray:
        """Per-issue power ``(..., A, D)``: ``issue_power`` or ``capability`` broadcast over issues."""
        if self.issue_power is not None:
            return np.broadcast_to(self.issue_power, self.batch_shape_all + (self.n_actors, self.n_issues))
        return np.broadcast_to(
            self.capability[..., :, None], self.batch_shape_all + (self.n_actors, self.n_issues)
        )

    def actor_power(self) -> np.ndarray:
        """``(..., A)``: one power per actor, for models that weigh each actor once across all issues
        (nash, smp).

        ``capability`` when there is no ``issue_power``; each actor's issue power when it is the same on
        every issue the actor takes part in (an actor on no issue keeps its capability); otherwise — power
        that differs by issue, e.g. GDP on an economic issue and CINC elsewhere — the actor's
        ``capability``, and :meth:`power_note` says so.
        """
        if self.issue_power is None:
            return self.capability
        lo, has, same = self._power_spread()
        cap = np.broadcast_to(self.capability, lo.shape)
        if not same.all():
            return cap
        return np.asarray(np.where(has, lo, cap))

    def _power_spread(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ip = self.power
        pres = np.ones(ip.shape[-2:], dtype=bool) if self.present is None else self.present
        lo = np.where(pres, ip, np.inf).min(axis=-1)
        hi = np.where(pres, ip, -np.inf).max(axis=-1)
        has = np.broadcast_to(pres.any(axis=-1), lo.shape)
        same = ~has | np.isclose(lo, hi, rtol=1e-12, atol=0.0, equal_nan=True)
        return lo, has, same

    def power_note(self) -> str | None:
        """Why :meth:`actor_power` falls back to capabilities (power differs by issue), or None."""
        if self.issue_power is None:
            return None
        _lo, _has, same = self._power_spread()
        if same.all():
            return None
        ip = self.power
        pres = np.ones(ip.shape[-2:], dtype=bool) if self.present is None else self.present
        at = tuple(int(k[0]) for k in np.nonzero(~same))
        row = np.where(pres[at[-1]], ip[at], np.nan)
        d1, d2 = int(np.nanargmin(row)), int(np.nanargmax(row))
        return (
            f"power differs by issue (e.g. {self.actors[at[-1]]}: {row[d1]:.4g} on {self.issues[d1]}, "
            f"{row[d2]:.4g} on {self.issues[d2]}), but this model weighs each actor once across all issues, "
            "so it uses the actors' capabilities"
        )

    @property
    def batch_shape_all(self) -> tuple[int, ...]:
        """The broadcast batch shape of every batched array."""
        shapes = [
            self.capability.shape[:-1],
            self.position.shape[:-2],
            self.salience.shape[:-2],
            self.status_quo.shape[:-1],
        ]
        if self.issue_power is not None:
            shapes.append(self.issue_power.shape[:-2])
        if self.acceptable is not None:
            shapes.append(self.acceptable.shape[:-3])
        return tuple(np.broadcast_shapes(*shapes))

    @property
    def acceptable_range(self) -> np.ndarray:
        """``(..., A, D, 2)``: ``acceptable`` or every issue's bounds (no red lines)."""
        if self.acceptable is not None:
            return np.broadcast_to(self.acceptable, self.batch_shape_all + (self.n_actors, self.n_issues, 2))
        return np.broadcast_to(self.bounds, self.batch_shape_all + (self.n_actors, self.n_issues, 2))

    def broadcast(self) -> BargainingProblem:
        """The same problem with every batched array broadcast to the common batch shape."""
        b = self.batch_shape_all
        a, d = self.n_actors, self.n_issues
        return replace(
            self,
            capability=np.broadcast_to(self.capability, b + (a,)).copy(),
            position=np.broadcast_to(self.position, b + (a, d)).copy(),
            salience=np.broadcast_to(self.salience, b + (a, d)).copy(),
            status_quo=np.broadcast_to(self.status_quo, b + (d,)).copy(),
            issue_power=None
            if self.issue_power is None
            else np.broadcast_to(self.issue_power, b + (a, d)).copy(),
            acceptable=None
            if self.acceptable is None
            else np.broadcast_to(self.acceptable, b + (a, d, 2)).copy(),
        )

    def item(self, index: int | tuple[int, ...]) -> BargainingProblem:
        """One problem out of a batch (``index`` over the batch axes); only that member is copied."""
        idx = index if isinstance(index, tuple) else (index,)
        b = self.batch_shape_all
        a, d = self.n_actors, self.n_issues

        def pick(arr: np.ndarray, tail: tuple[int, ...]) -> np.ndarray:
            return np.array(np.broadcast_to(arr, (*b, *tail))[idx])

        return replace(
            self,
            capability=pick(self.capability, (a,)),
            position=pick(self.position, (a, d)),
            salience=pick(self.salience, (a, d)),
            status_quo=pick(self.status_quo, (d,)),
            issue_power=None if self.issue_power is None else pick(self.issue_power, (a, d)),
            acceptable=None if self.acceptable is None else pick(self.acceptable, (a, d, 2)),
        )

    def take_actors(self, order: np.ndarray | list[int]) -> BargainingProblem:
        """The same problem with actors reordered (or subset) by ``order``."""
        o = np.asarray(order, dtype=int)
        return replace(
            self,
            capability=self.capability[..., o],
            position=self.position[..., o, :],
            salience=self.salience[..., o, :],
            present=None if self.present is None else self.present[o],
            issue_power=None if self.issue_power is None else self.issue_power[..., o, :],
            acceptable=None if self.acceptable is None else self.acceptable[..., o, :, :],
            actors=tuple(self.actors[i] for i in o),
        )

    def take_issues(self, order: np.ndarray | list[int]) -> BargainingProblem:
        """The same problem with issues reordered (or subset) by ``order``."""
        o = np.asarray(order, dtype=int)
        return replace(
            self,
            position=self.position[..., o],
            salience=self.salience[..., o],
            bounds=self.bounds[o],
            status_quo=self.status_quo[..., o],
            present=None if self.present is None else self.present[:, o],
            issue_power=None if self.issue_power is None else self.issue_power[..., o],
            acceptable=None if self.acceptable is None else self.acceptable[..., o, :],
            issues=tuple(self.issues[j] for j in o),
        )

    def stack(self, others: list[BargainingProblem]) -> BargainingProblem:
        """Stack this problem and ``others`` (same actors, issues, bounds) along a new batch axis 0."""
        ps = [self, *others]

        def st(name: str) -> np.ndarray:
            return np.stack([getattr(p.broadcast(), name) for p in ps])

        return replace(
            self,
            capability=st("capability"),
            position=st("position"),
            salience=st("salience"),
            status_quo=st("status_quo"),
            issue_power=None if self.issue_power is None else st("issue_power"),
            acceptable=None if self.acceptable is None else st("acceptable"),
        )


@dataclass
class Trajectory:
    """What a model returns.

    - ``positions``: ``(..., R + 1, A, D)`` actors' positions, round 0 (the input) first. In a batch
      whose members stop after different numbers of rounds, a member's last state is repeated.
    - ``outcome``: ``(..., D)`` the model's forecast per issue.
    - ``rounds``: number of rounds after the initial state, an int or an ``(...)`` int array.
    - ``extras``: model-specific results (documented per model in ``docs/models/``). Arrays in
      extras carry the batch axes first.
    """

    positions: np.ndarray
    outcome: np.ndarray
    rounds: int | np.ndarray
    extras: dict[str, Any] = field(default_factory=dict)
