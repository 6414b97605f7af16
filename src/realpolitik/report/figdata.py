"""What each report figure shows, as plain data; :mod:`figures` draws it as SVG, :mod:`interactive` as Plotly."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Scale:
    """An issue's scale: bounds, labelled points, unit."""

    name: str
    bounds: tuple[float, float]
    labels: dict[float, str] = field(default_factory=dict)
    unit: str | None = None

    def padded(self, share: float = 0.03) -> tuple[float, float]:
        w = self.bounds[1] - self.bounds[0]
        return self.bounds[0] - share * w, self.bounds[1] + share * w

    def ticks(self, min_gap: float = 0.12) -> list[float]:
        """The bounds and the labelled points at least ``min_gap`` of the range from every tick already
        kept. Labels closer together than that would collide on a phone; their text is in the hover."""
        lo, hi = self.bounds
        width = (hi - lo) or 1.0
        kept = [lo, hi]
        for k in sorted(self.labels):
            if lo < k < hi and all(abs(k - t) >= min_gap * width for t in kept):
                kept.append(k)
        return sorted(kept)


def g3(v: float) -> str:
    """A number in three significant digits, thousands written out (ticks, hover text, table cells)."""
    return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"


@dataclass(frozen=True)
class ModelRow:
    model: str
    outcome: float | None
    pressure: float | None
    headline: bool
    converged: bool | None
    cycle_range: tuple[float, float] | None
    question: str = ""  # what the model answers (shown on hover)


@dataclass(frozen=True)
class ActorMark:
    actor: str
    position: float
    salience: float
    colour: str


@dataclass(frozen=True)
class RedLine:
    """An actor's acceptable range on an issue (narrower than the scale: a red line)."""

    actor: str
    low: float
    high: float
    colour: str


@dataclass(frozen=True)
class Comparison:
    """Every model's answer on one issue beside the status quo, the actors and the Monte Carlo range."""

    scale: Scale
    status_quo: float | None
    models: tuple[ModelRow, ...]
    actors: tuple[ActorMark, ...]
    mc_model: str | None = None
    mc_median: float | None = None
    mc_interval: tuple[float, float] | None = None
    mc_modes: tuple[tuple[float, float], ...] = ()  # (value, share)
    red_lines: tuple[RedLine, ...] = ()
    mc_pressure_interval: tuple[float, float] | None = None
    rule: str = ""  # the issue's decision rule in words (the figure's legend says what the rule does)


@dataclass(frozen=True)
class Distribution:
    scale: Scale
    model: str
    samples: np.ndarray | None
    quantiles: dict[str, float]
    modes: tuple[tuple[float, float], ...]
    point: float | None


@dataclass(frozen=True)
class TornadoBar:
    label: str
    low: float
    high: float
    low_value: float
    high_value: float


@dataclass(frozen=True)
class TornadoData:
    scale: Scale
    model: str
    base: float
    bars: tuple[TornadoBar, ...]


@dataclass(frozen=True)
class SobolRow:
    factor: str
    s1: float
    st: float
    s1_conf: float
    st_conf: float


@dataclass(frozen=True)
class SobolData:
    issue: str
    model: str
    n_runs: int
    rows: tuple[SobolRow, ...]


@dataclass(frozen=True)
class SweepData:
    driver: str
    model: str
    x: np.ndarray
    series: dict[str, np.ndarray]  # issue name -> forecast
    baseline: float | None
    feasible: np.ndarray | None = None  # 0/1/nan per point
    pressure: dict[str, np.ndarray] = field(default_factory=dict)  # issue name -> the model's own result
    agreed: dict[str, np.ndarray] = field(default_factory=dict)  # agreement name -> 0/1 per point


@dataclass(frozen=True)
class GainsData:
    rows: tuple[str, ...]  # package names
    packages: tuple[str, ...]  # the package, as text
    actors: tuple[str, ...]
    gains: np.ndarray  # (rows, actors)


@dataclass(frozen=True)
class PlaneData:
    names: tuple[str, str]
    gains: np.ndarray  # (n, 2)
    frontier: np.ndarray  # (m, 2)
    marks: dict[str, tuple[float, float]]
    title: str


@dataclass(frozen=True)
class TrajectoryRun:
    model: str
    positions: np.ndarray  # (R + 1, A)
    outcome: np.ndarray | None
    converged: bool | None
    cycle_range: tuple[float, float] | None


@dataclass(frozen=True)
class Trajectories:
    scale: Scale
    actors: tuple[str, ...]
    colours: dict[str, str]
    runs: tuple[TrajectoryRun, ...]
