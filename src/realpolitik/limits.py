"""Limits on input size and on work: a default each, an environment variable to raise it, a clear message.

A scenario file is data that analysts pass around; opening one must not hang a machine or fill its
memory. Each limit below is far above what a real case needs (docs/security.md gives the reasons and
the measurements) and can be raised for one run, e.g. ``REALPOLITIK_MAX_DRAWS=50000000 realpolitik ...``.

>>> DRAWS.value() >= 1_000_000
True
>>> DRAWS.check(10**14, "montecarlo --draws")
Traceback (most recent call last):
...
realpolitik.limits.LimitError: montecarlo --draws: 100,000,000,000,000 is more than the limit of 10,000,000 Monte Carlo draws (set REALPOLITIK_MAX_DRAWS to raise it)
"""

from __future__ import annotations

import os
from dataclasses import dataclass

MAX_MAGNITUDE = 1e15
"""Largest absolute value of any number in a scenario (bounds, positions, capabilities, ...).

Not configurable: 1e15 holds world GDP in dollars, and numbers much larger overflow the models'
products and squares (1e308 capabilities gave ``NaN``/``Infinity`` forecasts).
"""


class LimitError(ValueError):
    """An input or a request is over one of the limits (the message names it and how to raise it)."""


@dataclass(frozen=True)
class Limit:
    """A ceiling on a count, read from the environment variable ``env`` (else ``default``)."""

    env: str
    default: int
    unit: str

    def value(self) -> int:
        """The limit in force: ``env`` when set (an integer, ``_`` allowed), else the default."""
        raw = os.environ.get(self.env, "").strip()
        if not raw:
            return self.default
        try:
            v = int(float(raw.replace("_", ""))) if "e" in raw.lower() else int(raw.replace("_", ""))
        except ValueError:
            raise LimitError(f"{self.env}={raw!r}: expected a whole number") from None
        if v < 1:
            raise LimitError(f"{self.env}={raw!r}: expected a number >= 1")
        return v

    def check(self, n: int | float, what: str) -> None:
        """Raise :class:`LimitError` naming ``what`` when ``n`` is over the limit."""
        limit = self.value()
        if n > limit:
            shown = f"{n:,.0f}" if n >= 1 else f"{n:g}"
            raise LimitError(
                f"{what}: {shown} is more than the limit of {limit:,} {self.unit} (set {self.env} to raise it)"
            )


INPUT_BYTES = Limit("REALPOLITIK_MAX_INPUT_BYTES", 64 * 2**20, "bytes in a scenario file")
"""Size of a scenario file in any format (64 MiB; the largest built-in case is under 40 kB)."""

YAML_VALUES = Limit("REALPOLITIK_MAX_YAML_VALUES", 1_000_000, "values once YAML aliases are expanded")
"""Values (mappings, lists and scalars) in a YAML document counted with every alias expanded.

Stops "billion laughs" alias bombs: a 1 kB file of nested ``[*a, *a, ...]`` lists expands to billions
of values. Counted on the parsed node graph before anything walks the data.
"""

DEAL_OPTIONS = Limit("REALPOLITIK_MAX_DEAL_OPTIONS", 1001, "options per issue")
"""Grid options on one issue of a deal analysis (``--step 0.001`` gives 1001)."""

SWEEP_POINTS = Limit("REALPOLITIK_MAX_SWEEP_POINTS", 10_000, "sweep points")
"""Points of an environment sweep (all drivers' values multiplied)."""

DRAWS = Limit("REALPOLITIK_MAX_DRAWS", 10_000_000, "Monte Carlo draws")
"""Draws of one Monte Carlo run (1000 times the default of 10,000)."""

DRAWS_IN_MEMORY = Limit("REALPOLITIK_MAX_DRAWS_IN_MEMORY", 1_000_000, "draws kept in memory")
"""Draws of a Monte Carlo run without an output folder (they are kept in memory; ``--out-dir`` streams them)."""

CHUNKS = Limit("REALPOLITIK_MAX_CHUNKS", 100_000, "Monte Carlo chunks")
"""Chunks of one Monte Carlo run (each is a task, a file and a manifest entry)."""

ROUNDS = Limit("REALPOLITIK_MAX_ROUNDS", 10_000, "rounds or steps")
"""Whole-number model parameters (``rounds``, ``max_steps``): the defaults are 8 to 100."""

ACTORS = Limit("REALPOLITIK_MAX_ACTORS", 0, "actors")
"""Actors one model run takes; when unset, the model's own ceiling in :data:`MODEL_ACTORS` applies."""

MODEL_ACTORS: dict[str, int] = {"smp": 150, "eum": 500}
"""Default actor ceilings of the models whose cost grows steeply with the number of actors.

Measured on one core, one issue: smp takes 6 s at 200 actors, 30 s and 0.6 GB at 300, 275 s and 1.4 GB at
500; eum 34 s at 1000. Other models run 1000 actors in about a second; they get :data:`OTHER_ACTORS`.
"""

OTHER_ACTORS = 5000


def max_actors(model: str) -> int:
    """The actor ceiling of ``model``: ``REALPOLITIK_MAX_ACTORS`` when set, else the model's default."""
    if os.environ.get(ACTORS.env, "").strip():
        return ACTORS.value()
    return MODEL_ACTORS.get(model, OTHER_ACTORS)


def check_actors(model: str, n: int, what: str) -> None:
    """Raise :class:`LimitError` when ``model`` is asked to run on more than its ceiling of actors."""
    limit = max_actors(model)
    if n > limit:
        raise LimitError(
            f"{what}: model {model!r} on {n:,} actors is more than its limit of {limit:,} actors "
            f"(its run time grows steeply with the number of actors; set {ACTORS.env} to raise it)"
        )
