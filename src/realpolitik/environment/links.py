"""Links: an actor parameter as a clipped affine or logistic function of a driver.

- affine: ``y = base + gain · x``
- logistic: ``y = base + gain / (1 + exp(−steepness · (x − midpoint)))``

then clipped to the link's own ``clip`` and to the parameter's valid range (salience [0, 1], position
and the ends of an acceptable range within the issue's bounds, capability ≥ 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast

import numpy as np

TargetKind = Literal["salience", "position", "capability", "acceptable_low", "acceptable_high"]
ISSUE_TARGETS: tuple[str, ...] = ("salience", "position", "acceptable_low", "acceptable_high")
"""Target kinds that name an issue (``ACTOR.KIND.ISSUE``); ``capability`` names none."""
TARGET_FORMS = "ACTOR.salience.ISSUE, ACTOR.position.ISSUE, ACTOR.acceptable_low.ISSUE, ACTOR.acceptable_high.ISSUE or ACTOR.capability"


class LinkError(ValueError):
    """A link that cannot be applied to the scenario (bad target, unknown actor or issue)."""


@dataclass(frozen=True)
class Target:
    """What a link sets: ``ACTOR.salience.ISSUE``, ``ACTOR.position.ISSUE``, an end of the actor's acceptable
    range (its red line) ``ACTOR.acceptable_low.ISSUE`` / ``ACTOR.acceptable_high.ISSUE``, or
    ``ACTOR.capability``."""

    actor: str
    kind: TargetKind
    issue: str | None = None

    def __str__(self) -> str:
        return f"{self.actor}.{self.kind}" + (f".{self.issue}" if self.issue is not None else "")


def parse_target(text: str) -> Target:
    """Parse a link target (:data:`TARGET_FORMS`).

    >>> parse_target("JPN.salience.territory")
    Target(actor='JPN', kind='salience', issue='territory')
    >>> str(parse_target("RUS.acceptable_high.territory"))
    'RUS.acceptable_high.territory'
    """
    parts = [p.strip() for p in text.split(".")]
    if len(parts) == 2 and parts[1] == "capability" and parts[0]:
        return Target(parts[0], "capability")
    if len(parts) == 3 and parts[1] in ISSUE_TARGETS and parts[0] and parts[2]:
        return Target(parts[0], cast(TargetKind, parts[1]), parts[2])
    raise LinkError(f"expected {TARGET_FORMS}, got {text!r}")


def link_function(
    x: float | np.ndarray,
    function: str = "affine",
    *,
    base: float = 0.0,
    gain: float = 1.0,
    midpoint: float = 0.5,
    steepness: float = 10.0,
) -> np.ndarray:
    """The unclipped link function of driver values ``x`` (vectorised)."""
    xs = np.asarray(x, dtype=float)
    if function == "affine":
        return np.asarray(base + gain * xs)
    if function == "logistic":
        return np.asarray(base + gain / (1.0 + np.exp(-steepness * (xs - midpoint))))
    raise LinkError(f"expected function affine or logistic, got {function!r}")


def clip_to(y: np.ndarray, clip: tuple[float, float] | None, valid: tuple[float, float]) -> np.ndarray:
    """``y`` clipped to the link's own ``clip`` (if any), then to the parameter's ``valid`` range."""
    out = np.asarray(y, dtype=float)
    if clip is not None:
        out = np.clip(out, clip[0], clip[1])
    return np.asarray(np.clip(out, valid[0], valid[1]))


def valid_range(kind: TargetKind, bounds: tuple[float, float] | None = None) -> tuple[float, float]:
    """The range a parameter must stay in."""
    if kind == "salience":
        return (0.0, 1.0)
    if kind == "capability":
        return (0.0, float("inf"))
    if bounds is None:
        raise LinkError(f"a {kind} link needs the issue's bounds")
    return (float(bounds[0]), float(bounds[1]))
