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
from realpolitik._text import and_list, esc, human, num, the
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
    whether each agreement is concluded in the model's forecast; ``feasible`` holds True, False or None
    (no deal analysis) per point: whether *some* package every signer and veto holder accepts exists
    there (any package, not the model's); ``shape`` is the grid's shape. ``baseline`` is the scenario's
    own reading of each driver at ``as_of``.
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
    bounds: np.ndarray | None = None  # (D, 2) each issue's scale
    as_of: str | None = None  # the date of the scenario's readings (``baseline``)
    agreement_issues: dict[str, tuple[str, ...]] = field(default_factory=dict)

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
        bounds=np.asarray(first.bounds, dtype=float),
        as_of=str(scenario.as_of) if scenario.as_of else None,
        agreement_issues={ag.id: tuple(ag.issues) for ag in reader.structure.agreements},
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
        "as_of": result.as_of,
        "bounds": (
            {iss: [float(b) for b in result.bounds[j]] for j, iss in enumerate(result.issues)}
            if result.bounds is not None
            else None
        ),
        "rules": dict(result.rules),
        "agreements": list(result.agreements),
        "agreement_issues": {g: list(v) for g, v in result.agreement_issues.items()},
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
        "headline": sweep_headline(result),
    }


def sweep_from_json(data: dict[str, Any]) -> SweepResult:
    """A :class:`SweepResult` back from :func:`sweep_to_json` (to say things about a stored sweep)."""
    drivers = tuple(data["drivers"])
    issues = tuple(data["issues"])
    agreements = tuple(data.get("agreements") or ())
    pts = data["points"]

    def col(key: str) -> np.ndarray:
        return np.array(
            [
                [np.nan if (p.get(key) or {}).get(i) is None else float(p[key][i]) for i in issues]
                for p in pts
            ],
            dtype=float,
        ).reshape(len(pts), len(issues))

    agreed = None
    if agreements and all(p.get("agreed") for p in pts):
        agreed = np.array([[bool(p["agreed"].get(g)) for g in agreements] for p in pts], dtype=bool)
    bounds = data.get("bounds")
    return SweepResult(
        scenario=data["scenario"],
        model=data["model"],
        drivers=drivers,
        issues=issues,
        values=np.array([[float(p["values"][d]) for d in drivers] for p in pts], dtype=float).reshape(
            len(pts), len(drivers)
        ),
        outcome=col("outcome"),
        feasible=[p.get("feasible") for p in pts],
        shape=(len(pts),)
        if len(drivers) == 1
        else tuple(len({p["values"][d] for p in pts}) for d in drivers),
        baseline={
            k: (float("nan") if v is None else float(v)) for k, v in (data.get("baseline") or {}).items()
        },
        params=dict(data.get("params") or {}),
        warnings=list(data.get("warnings") or []),
        pressure=col("pressure") if all(p.get("pressure") for p in pts) else None,
        rules=dict(data.get("rules") or {}),
        agreements=agreements,
        agreed=agreed,
        bounds=None if not bounds else np.array([bounds[i] for i in issues], dtype=float),
        as_of=data.get("as_of"),
        agreement_issues={g: tuple(v) for g, v in (data.get("agreement_issues") or {}).items()},
    )


def _fmt(v: float) -> str:
    return "–" if not math.isfinite(v) else num(v, ".3g") if abs(v) < 1 else num(v, ".1f")


def render_sweep(result: SweepResult, console: Any, *, warnings: bool = True) -> None:
    """Print a sweep as a Rich table (one row per point: the outcome under the rule with the pressure in
    brackets, whether each agreement is concluded in the model's forecast, and whether some acceptable
    package exists; as two tables, outcomes then agreements, when one does not fit the terminal), then
    the headline and the warnings (each once; ``warnings=False`` leaves them to the caller, as the
    command line does to put them on standard error)."""
    from realpolitik._terminal import FitTable, Ident, fits

    pressure = result.pressure if result.pressure is not None else result.outcome
    agreed = result.agreed if result.agreements else None
    assessed = any(f is not None for f in result.feasible)

    def yes_no(flag: bool | None) -> str:
        return "–" if flag is None else ("[green]yes[/green]" if flag else "[red]no[/red]")

    def issue_cells(k: int) -> list[str]:
        cells = []
        for j in range(len(result.issues)):
            ruled, own = result.outcome[k, j], pressure[k, j]
            same = not (math.isfinite(ruled) and math.isfinite(own)) or abs(ruled - own) < 1e-9
            cells.append(_fmt(ruled) if same else f"{_fmt(ruled)} [dim]({_fmt(own)})[/dim]")
        return cells

    def deal_cells(k: int) -> list[str]:
        cells = [] if agreed is None else [yes_no(bool(agreed[k, g])) for g in range(len(result.agreements))]
        return cells + ([yes_no(result.feasible[k])] if assessed else [])

    def table(title: str, issues: bool, deals: bool) -> Any:
        t = FitTable(title=esc(title))
        for d in result.drivers:
            t.add_column(Ident(d), justify="right", style="cyan")
        for iss in result.issues if issues else ():
            t.add_column(Ident(iss), justify="right")
        for g in result.agreements if deals and agreed is not None else ():
            t.add_column(Ident(g), justify="center")
        if deals and assessed:
            t.add_column("some acceptable package", justify="center")
        for k in range(len(result.values)):
            x = [num(result.values[k, j], ".3g") for j in range(len(result.drivers))]
            t.add_row(*x, *(issue_cells(k) if issues else []), *(deal_cells(k) if deals else []))
        return t

    title = f"{result.scenario}: {result.model} forecast against {' × '.join(result.drivers)}"
    whole = table(title, True, True)
    if fits(whole, console) or (agreed is None and not assessed):
        console.print(whole)
    else:
        console.print(table(title + ": outcome under the rule", True, False))
        console.print(table(title + ": agreements", False, True))
    notes = []
    if not np.allclose(result.outcome, pressure, equal_nan=True):
        notes.append("outcome under the decision rules; (in brackets) the model's own pressure")
    if agreed is not None:
        notes.append(
            f"{', '.join(result.agreements)}: concluded in the model's forecast at that point (yes/no)"
        )
    if assessed:
        notes.append(
            "some acceptable package: the deal analysis finds a package every signer and veto holder accepts "
            "(whatever the model forecasts)"
        )
    for line in notes:
        console.print(f"[dim]{esc(line)}[/dim]")
    console.print(esc(sweep_headline(result)))
    for w in dict.fromkeys(result.warnings) if warnings else ():
        console.print(f"[yellow]warning:[/yellow] {esc(w)}")


# ------------------------------------------------------------------------------------------ in words
def _words(v: float, width: float = 100.0) -> str:
    """A value on an issue's scale in a sentence, to a thousandth of the range: ``0``, ``6.9``, ``72.3``
    on a scale of 100; ``0.779`` on a scale of 1."""
    if not math.isfinite(v):
        return "—"
    digits = max(0, 3 - math.ceil(math.log10(width))) if width > 0 else 1
    text = f"{v:.{digits}f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text in ("-0", "") or float(text) == 0 else text


def _first_line(result: SweepResult) -> np.ndarray:
    """The points along the first driver, the others at their first value."""
    if result.values.shape[1] == 1:
        return np.ones(len(result.values), dtype=bool)
    return np.asarray((result.values[:, 1:] == result.values[0, 1:]).all(axis=1))


def _span(xs: np.ndarray) -> str:
    """``0.3–1`` (or ``0.5`` for one value): the stretch of driver values ``xs`` covers."""
    return f"{xs.min():.3g}" if xs.min() == xs.max() else f"{xs.min():.3g}–{xs.max():.3g}"


def _runs(xs: np.ndarray, flags: np.ndarray) -> list[str]:
    """The contiguous stretches of ``xs`` (sorted) where ``flags`` holds: ``['0–0.2', '0.6']``."""
    order = np.argsort(xs, kind="stable")
    x, f = xs[order], flags[order]
    out, start = [], None
    for k in range(len(x) + 1):
        on = k < len(x) and bool(f[k])
        if on and start is None:
            start = k
        elif not on and start is not None:
            out.append(_span(x[start:k]))
            start = None
    return out


def _setting(result: SweepResult, keep: np.ndarray) -> str:
    """``As china_assertiveness goes from 0 to 1 (its reading at 2016-12-31: 0.578)``, with the other
    driver's value when there are two."""
    d0 = result.drivers[0]
    xs = result.values[keep, 0]
    base = result.baseline.get(d0, float("nan"))
    when = f"at {result.as_of}" if result.as_of else "in the scenario"
    reading = f" (its reading {when}: {base:.3g})" if math.isfinite(base) else ""
    others = "".join(
        f", {d} at {result.values[0, j + 1]:.3g}" + (f" (read {base_j:.3g})" if math.isfinite(base_j) else "")
        for j, d in enumerate(result.drivers[1:])
        for base_j in [result.baseline.get(d, float("nan"))]
    )
    return f"As {d0} goes from {xs.min():.3g} to {xs.max():.3g}{reading}{others}"


def sweep_movement(result: SweepResult) -> tuple[str, float]:
    """What the first driver moves most, in one sentence, and how far (a share of the issue's range).

    The quantity is the **outcome under the decision rules**: the issue whose outcome covers the widest
    share of its range as the driver crosses its values (the other driver, if any, at its first value);
    the pressure beside it where it differs. ``sweep`` and ``analyze`` both say it with this function.
    """
    keep = _first_line(result)
    order = np.argsort(result.values[keep, 0], kind="stable")
    ys = result.outcome[keep][order]
    pressure = result.pressure if result.pressure is not None else result.outcome
    ps = pressure[keep][order]
    width = (
        np.asarray(result.bounds[:, 1] - result.bounds[:, 0], dtype=float)
        if result.bounds is not None
        else np.ones(len(result.issues))
    )
    width = np.where(width > 0, width, 1.0)
    with np.errstate(invalid="ignore"):
        share = np.where(
            np.isfinite(ys).all(axis=0), (np.nanmax(ys, axis=0) - np.nanmin(ys, axis=0)) / width, 0.0
        )
        pshare = np.where(
            np.isfinite(ps).all(axis=0), (np.nanmax(ps, axis=0) - np.nanmin(ps, axis=0)) / width, 0.0
        )
    head = _setting(result, keep)
    model = result.model
    if share.max() < 1e-9:
        text = f"{head}, no {model} outcome under the decision rules moves"
        if pshare.max() >= 1e-9:
            j = int(np.argmax(pshare))
            w = float(width[j])
            text += (
                f" (the pressure, the model's own result, on {human(result.issues[j])} goes from "
                f"{_words(ps[0, j], w)} to {_words(ps[-1, j], w)})"
            )
        return text + ".", 0.0
    j = int(np.argmax(share))
    y, p, w = ys[:, j], ps[:, j], float(width[j])
    text = (
        f"{head}, the {model} outcome under the rule moves most on {human(result.issues[j])}: from "
        f"{_words(y[0], w)} to {_words(y[-1], w)}"
    )
    if min(y[0], y[-1]) - np.nanmin(y) > 1e-9 or np.nanmax(y) - max(y[0], y[-1]) > 1e-9:
        text += f" (between {_words(float(np.nanmin(y)), w)} and {_words(float(np.nanmax(y)), w)} on the way)"
    if np.isfinite(p).all() and np.abs(p - y).max() > 1e-9:
        text += f"; the pressure goes from {_words(p[0], w)} to {_words(p[-1], w)}"
    return text + ".", float(share[j])


def sweep_agreements(result: SweepResult) -> list[tuple[str, str, int, int]]:
    """Per agreement: (id, where the model's forecast concludes it along the first driver in words,
    points concluded, points)."""
    if result.agreed is None or not result.agreements:
        return []
    keep = _first_line(result)
    xs = result.values[keep, 0]
    d0 = result.drivers[0]
    out = []
    for g, gid in enumerate(result.agreements):
        flags = np.asarray(result.agreed[keep, g], dtype=bool)
        k, n = int(flags.sum()), len(flags)
        name = the(gid, result.agreement_issues.get(gid, ()))
        name = name[0].upper() + name[1:]
        if k == n:
            text = f"{name} is concluded at every value of {d0} from {xs.min():.3g} to {xs.max():.3g}"
        elif k == 0:
            text = f"{name} is concluded at no value of {d0} from {xs.min():.3g} to {xs.max():.3g}"
        else:
            text = (
                f"{name} is concluded at {d0} {and_list(_runs(xs, flags))} ({k} of {n} points), "
                f"not at {and_list(_runs(xs, ~flags))}"
            )
        out.append((gid, text + ".", k, n))
    return out


def sweep_feasible(result: SweepResult) -> tuple[str, int, int] | None:
    """Whether some acceptable package exists (the deal analysis) along the first driver, in words."""
    keep = np.flatnonzero(_first_line(result))
    known = [(float(result.values[k, 0]), result.feasible[k]) for k in keep if result.feasible[k] is not None]
    if not known:
        return None
    xs = np.array([x for x, _ in known])
    flags = np.array([bool(f) for _, f in known])
    k, n = int(flags.sum()), len(flags)
    if k == n:
        where = f"at every value of {result.drivers[0]} from {xs.min():.3g} to {xs.max():.3g}"
    elif k == 0:
        where = f"at no value of {result.drivers[0]} from {xs.min():.3g} to {xs.max():.3g}"
    else:
        where = f"at {result.drivers[0]} {and_list(_runs(xs, flags))} ({k} of {n} points)"
    return f"Some package every signer and veto holder accepts exists {where} (the deal analysis).", k, n


def sweep_headline(result: SweepResult) -> str:
    """What moved most along the first driver (:func:`sweep_movement`), where each agreement is
    concluded in the model's forecast, and whether some acceptable package exists, in a few sentences."""
    parts = [sweep_movement(result)[0]]
    parts += [text for _, text, _, _ in sweep_agreements(result)]
    feas = sweep_feasible(result)
    if feas is not None:
        parts.append(feas[0])
    elif not result.agreements:
        parts.append("Whether some package is acceptable was not assessed.")
    return " ".join(parts)
