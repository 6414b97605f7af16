"""Sweeps: vary one or two drivers over a grid and run a model at every point, batched.

Every point is resolved with the driver values as overrides (:meth:`Prepared.resolve`), the problems are
stacked on a batch axis and the model runs once; its result at every point is read through the scenario's
decision rules (:class:`~realpolitik.forecast.RuleReader`), so the sweep shows the ruled outcome and,
beside it, the model's own pressure. The deal analysis says whether some package is feasible at each point.

Sweeps sit above forecasts in the layers (scenario -> environment -> models/deals -> forecast -> sweep);
:mod:`realpolitik.environment` exposes them lazily for that reason.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from realpolitik import defaults
from realpolitik import display as _display
from realpolitik._rng import SeedLike
from realpolitik._text import esc, num
from realpolitik.deals.analysis import deals as run_deals
from realpolitik.environment.drivers import parse_driver
from realpolitik.environment.resolve import Prepared, prepare, resolved_scenario
from realpolitik.forecast import RuleReader
from realpolitik.limits import SWEEP_POINTS, LimitError
from realpolitik.models.registry import get_model
from realpolitik.models.run import check_inputs, run_problem
from realpolitik.scenario.schema import Scenario

DealFn = Callable[[Scenario], "bool | None"]


@dataclass
class SweepResult:
    """Forecasts per issue and deal feasibility at every grid point.

    ``values`` is ``(N, K)`` for K drivers (the first driver varies slowest); ``outcome`` is ``(N, D)``
    under the decision rules and ``pressure`` ``(N, D)`` the model's own result; ``agreed`` ``(N, G)`` says
    whether each agreement is concluded; ``feasible`` holds True, False or None (no deal analysis) per
    point; ``shape`` is the grid's shape.
    """

    scenario: str
    model: str
    drivers: tuple[str, ...]
    issues: tuple[str, ...]
    values: np.ndarray
    outcome: np.ndarray
    feasible: list[bool | None]
    shape: tuple[int, ...]
    baseline: dict[str, float] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    pressure: np.ndarray | None = None
    rules: dict[str, str] = field(default_factory=dict)
    agreements: tuple[str, ...] = ()
    agreed: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.pressure is None:
            self.pressure = self.outcome

    @property
    def rows(self) -> list[dict[str, Any]]:
        """A plot-ready table: one row per point with each driver, each issue's ruled outcome, the model's
        pressure (``"<issue> pressure"``), each agreement (``"<agreement> agreed"``) and ``feasible``."""
        out = []
        assert self.pressure is not None
        for k in range(len(self.values)):
            row: dict[str, Any] = {d: float(self.values[k, j]) for j, d in enumerate(self.drivers)}
            row.update({iss: float(self.outcome[k, j]) for j, iss in enumerate(self.issues)})
            row.update({f"{iss} pressure": float(self.pressure[k, j]) for j, iss in enumerate(self.issues)})
            if self.agreed is not None:
                row.update({f"{a} agreed": bool(self.agreed[k, g]) for g, a in enumerate(self.agreements)})
            row["feasible"] = self.feasible[k]
            out.append(row)
        return out

    # notebook display (realpolitik.display) ----------------------------------------------------------
    def __repr__(self) -> str:
        return _display.sweep_repr(self)

    def _repr_html_(self) -> str:
        return _display.sweep_html(self)

    def to_frame(self) -> Any:
        """One row per grid point (a pandas DataFrame): drivers, each issue's forecast, ``feasible``."""
        return _display.sweep_frame(self)

    def plot(self) -> Any:
        """Each issue's forecast against the first driver (a Plotly figure)."""
        return _display.sweep_plot(self)


def _grid(
    drivers: Mapping[str, Sequence[float] | np.ndarray],
) -> tuple[list[str], np.ndarray, tuple[int, ...]]:
    if not 1 <= len(drivers) <= 2:
        raise ValueError(f"a sweep varies one or two drivers, got {len(drivers)}")
    names = list(drivers)
    axes = [np.atleast_1d(np.asarray(drivers[n], dtype=float)) for n in names]
    for n, ax in zip(names, axes, strict=True):
        if ax.ndim != 1 or ax.size == 0:
            raise ValueError(f"driver {n!r}: expected a non-empty list of values")
    SWEEP_POINTS.check(math.prod(ax.size for ax in axes), f"sweep over {' × '.join(names)}")
    values = np.array(list(itertools.product(*axes)), dtype=float).reshape(-1, len(names))
    return names, values, tuple(ax.size for ax in axes)


def sweep(
    scenario: Scenario,
    drivers: Mapping[str, Sequence[float] | np.ndarray],
    model: str = defaults.MODEL,
    *,
    seed: SeedLike = None,
    deals: bool | DealFn = True,
    base_dir: str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    **params: Any,
) -> SweepResult:
    """Run ``model`` at every point of the grid of ``drivers`` (one or two, each name -> values in [0, 1]).

    A driver is an indicator name or a derived quantity (``"threat(CHN, JPN)"``); its values replace the
    value read at ``as_of`` (``Prepared.drivers()`` lists them). All points go through the model in one
    batched call. ``deals`` turns the deal analysis off (False) or replaces it with a function
    ``scenario -> bool | None``. ``progress(points_done, points)`` is called as points complete (the deal
    analysis runs point by point).
    """
    names, values, shape = _grid(drivers)
    prep = prepare(scenario, base_dir=base_dir)
    canon = [str(parse_driver(n)) for n in names]
    if len(set(canon)) != len(canon):
        raise ValueError(f"the drivers of a sweep must differ, got {', '.join(names)}")
    resolved = [prep.resolve(dict(zip(canon, row, strict=True))) for row in values]
    info = get_model(model)
    merged = info.check_params(params)
    first = resolved[0].problem
    check_inputs(info, first, scenario.id)
    batch = first.stack([r.problem for r in resolved[1:]])
    traj = run_problem(batch, model, seed=seed, **params)
    pressure = np.asarray(traj.outcome, dtype=float).reshape(len(values), first.n_issues)
    final = np.asarray(traj.positions)[..., -1, :, :].reshape(len(values), first.n_actors, first.n_issues)
    reader = RuleReader.of(scenario, first)
    outcome, _moot, agreed = reader.read(batch, pressure, final)
    warnings = list(dict.fromkeys(w for r in resolved for w in r.trace.warnings))
    deal_fn = _deal_adapter(warnings) if deals is True else (deals or None)
    feasible: list[bool | None] = []
    for k, r in enumerate(resolved):
        feasible.append(None if deal_fn is None else deal_fn(resolved_scenario(scenario, r)))
        if progress is not None and deal_fn is not None:
            progress(k + 1, len(resolved))
    if progress is not None and deal_fn is None:
        progress(len(resolved), len(resolved))
    unused = [c for c in canon if not any(c in r.trace.drivers for r in resolved[:1])]
    reach = {u.name: u.links for u in prep.drivers()} if unused else {}
    for c in unused:
        others = [o for o in canon if o != c]
        if others and reach.get(c):
            warnings.append(
                f"the forecast does not depend on driver {c!r}: the links it would reach are set through "
                f"{', '.join(map(repr, others))}, which is varied too"
            )
        else:
            warnings.append(
                f"driver {c!r} drives no link of {scenario.id}; the forecast does not depend on it"
            )
    base = prep.resolve().trace
    return SweepResult(
        scenario=scenario.id,
        model=model,
        drivers=tuple(canon),
        issues=first.issues,
        values=values,
        outcome=outcome,
        feasible=feasible,
        shape=shape,
        baseline={c: base.drivers.get(c, _indicator_value(prep, c)) for c in canon},
        params=merged,
        warnings=warnings,
        pressure=pressure,
        rules=dict(reader.structure.rules),
        agreements=tuple(ag.id for ag in reader.structure.agreements),
        agreed=None if agreed is None else np.asarray(agreed, dtype=bool).reshape(len(values), -1),
    )


def _indicator_value(prep: Prepared, name: str) -> float:
    return prep.context.indicators.get(name, float("nan"))


# ------------------------------------------------------------------------------------------ deals adapter
_FLAGS = ("has_deal", "deal_exists", "any_feasible", "feasible_exists", "feasible")


def feasibility_flag(result: Any) -> bool | None:
    """Whether a deal analysis result says some package is feasible (None when it cannot tell)."""
    for name in _FLAGS:
        v = result.get(name) if isinstance(result, Mapping) else getattr(result, name, None)
        if v is None:
            continue
        if callable(v):
            continue
        if isinstance(v, (bool, np.bool_)):
            return bool(v)
        if isinstance(v, np.ndarray):
            return bool(v.size) if v.dtype != bool else bool(v.any())
        try:
            return len(v) > 0
        except TypeError:
            continue
    return None


def _deal_adapter(warnings: list[str]) -> DealFn | None:
    """:func:`realpolitik.deals.deals` wrapped to return a feasibility flag (without the optional extras:
    only whether a deal exists is needed)."""

    def run(s: Scenario) -> bool | None:
        try:
            return feasibility_flag(run_deals(s, concessions=False, with_precedents=False))
        except Exception as exc:  # the deal analysis is optional here: record, do not fail the sweep
            msg = f"deal analysis failed: {type(exc).__name__}: {exc}"
            if msg not in warnings:
                warnings.append(msg)
            return None

    return run


# ------------------------------------------------------------------------------------------ CLI helpers
def parse_vary(text: str) -> tuple[str, np.ndarray]:
    """``NAME=LOW:HIGH:N`` (N evenly spaced values) or ``NAME=v1,v2,...`` -> (name, values).

    The name may be a derived quantity; the last ``=`` separates it from the values.

    >>> parse_vary("china_assertiveness=0:1:3")
    ('china_assertiveness', array([0. , 0.5, 1. ]))
    >>> parse_vary("threat(CHN, JPN)=0.2,0.4")[0]
    'threat(CHN, JPN)'
    """
    name, sep, spec = text.rpartition("=")
    name, spec = name.strip(), spec.strip()
    if not sep or not name or not spec:
        raise ValueError(f"expected NAME=LOW:HIGH:N or NAME=v1,v2,..., got {text!r}")
    name = str(parse_driver(name))
    try:
        if ":" in spec:
            parts = spec.split(":")
            if len(parts) != 3:
                raise ValueError
            lo, hi, n = float(parts[0]), float(parts[1]), int(parts[2])
            if n < 1 or (n == 1 and lo != hi):
                raise ValueError
            SWEEP_POINTS.check(n, f"--vary {name}")
            values = np.linspace(lo, hi, n)
        else:
            values = np.array([float(v) for v in spec.split(",")])
    except LimitError:
        raise
    except ValueError:
        raise ValueError(f"expected LOW:HIGH:N (N >= 2) or v1,v2,... after {name}=, got {spec!r}") from None
    if not np.all(np.isfinite(values)) or values.min() < 0 or values.max() > 1:
        raise ValueError(f"{name}: driver values lie in [0, 1], got {spec!r}")
    return name, values


def _num(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


def sweep_to_json(result: SweepResult) -> dict[str, Any]:
    """The documented JSON form of a sweep (docs/environment.md)."""
    pressure = result.pressure if result.pressure is not None else result.outcome
    return {
        "scenario": result.scenario,
        "model": result.model,
        "params": {k: (v.item() if isinstance(v, np.generic) else v) for k, v in result.params.items()},
        "drivers": list(result.drivers),
        "issues": list(result.issues),
        "baseline": {k: _num(v) for k, v in result.baseline.items()},
        "rules": dict(result.rules),
        "agreements": list(result.agreements),
        "points": [
            {
                "values": {d: float(result.values[k, j]) for j, d in enumerate(result.drivers)},
                "outcome": {iss: _num(result.outcome[k, j]) for j, iss in enumerate(result.issues)},
                "pressure": {iss: _num(pressure[k, j]) for j, iss in enumerate(result.issues)},
                "agreed": (
                    {a: bool(result.agreed[k, g]) for g, a in enumerate(result.agreements)}
                    if result.agreed is not None
                    else {}
                ),
                "feasible": result.feasible[k],
            }
            for k in range(len(result.values))
        ],
        "warnings": list(result.warnings),
    }


def _fmt(v: float) -> str:
    return "–" if not math.isfinite(v) else num(v, ".3g") if abs(v) < 1 else num(v, ".1f")


def render_sweep(result: SweepResult, console: Any, *, warnings: bool = True) -> None:
    """Print a sweep as a Rich table (one row per point) with its warnings (each once; ``warnings=False``
    leaves them to the caller, as the command line does to put them on standard error)."""
    from realpolitik._terminal import FitTable, Ident

    title = f"{result.scenario}: {result.model} forecast against {' × '.join(result.drivers)}"
    table = FitTable(title=esc(title))
    for d in result.drivers:
        table.add_column(Ident(d), justify="right", style="cyan")
    for iss in result.issues:
        table.add_column(Ident(iss), justify="right")
    table.add_column("deal", justify="center")
    pressure = result.pressure if result.pressure is not None else result.outcome
    for k in range(len(result.values)):
        flag = result.feasible[k]
        deal = "–" if flag is None else ("[green]yes[/green]" if flag else "[red]no[/red]")
        cells = []
        for j in range(len(result.issues)):
            ruled, own = result.outcome[k, j], pressure[k, j]
            same = not (math.isfinite(ruled) and math.isfinite(own)) or abs(ruled - own) < 1e-9
            cells.append(_fmt(ruled) if same else f"{_fmt(ruled)} [dim]({_fmt(own)})[/dim]")
        table.add_row(*(num(result.values[k, j], ".3g") for j in range(len(result.drivers))), *cells, deal)
    console.print(table)
    if not np.allclose(result.outcome, pressure, equal_nan=True):
        console.print("[dim]outcome under the decision rules; (in brackets) the model's own pressure[/dim]")
    console.print(esc(sweep_headline(result)))
    for w in dict.fromkeys(result.warnings) if warnings else ():
        console.print(f"[yellow]warning:[/yellow] {esc(w)}")


def sweep_headline(result: SweepResult) -> str:
    """One sentence on what moved most along the first driver (others at their first value) and on deals."""
    d0 = result.drivers[0]
    first = result.values[:, 1:] == result.values[0, 1:] if result.values.shape[1] > 1 else None
    keep = np.ones(len(result.values), dtype=bool) if first is None else first.all(axis=1)
    xs = result.values[keep, 0]
    ys = result.outcome[keep]
    lo, hi = int(np.argmin(xs)), int(np.argmax(xs))
    change = ys[hi] - ys[lo]
    others = (
        ""
        if first is None
        else " ("
        + ", ".join(f"{d} at {result.values[0, j + 1]:.3g}" for j, d in enumerate(result.drivers[1:]))
        + ")"
    )
    pressure = result.pressure if result.pressure is not None else result.outcome
    ps = pressure[keep]
    pchange = ps[hi] - ps[lo]
    if not np.isfinite(change).any() or np.nanmax(np.abs(change)) < 1e-9:
        moved = f"no {result.model} forecast moves under the decision rules"
        if np.isfinite(pchange).any() and np.nanmax(np.abs(pchange)) >= 1e-9:
            j = int(np.nanargmax(np.abs(pchange)))
            moved += (
                f" (the model's own pressure on {result.issues[j]} goes from {_fmt(ps[lo, j])} "
                f"to {_fmt(ps[hi, j])})"
            )
    else:
        j = int(np.nanargmax(np.abs(change)))
        moved = (
            f"the {result.model} forecast moves most on {result.issues[j]}, "
            f"from {_fmt(ys[lo, j])} to {_fmt(ys[hi, j])}"
        )
    known = [f for f in result.feasible if f is not None]
    if not known:
        deals = "deal feasibility was not assessed"
    else:
        deals = f"a deal is feasible at {sum(known)} of {len(known)} points"
    return f"As {d0} goes from {xs[lo]:.3g} to {xs[hi]:.3g}{others}, {moved}; {deals}."
