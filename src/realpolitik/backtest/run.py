"""Backtests: every model's ruled forecast against the recorded outcome, beside naive baselines.

For each case and each issue with a recorded ``outcome``: each model's forecast under the case's decision
rules (``Forecast.outcome``) and its absolute error as a share of the issue's range, beside four naive
baselines (:mod:`realpolitik.backtest.scoring`). Errors are summarised per model and baseline over the
clean cases and, separately, over the leaky ones (:mod:`realpolitik.backtest.leakage`); the two are
never pooled. With Monte Carlo draws, each model's 80% interval (10th to 90th percentile of the ruled
outcome) and the CRPS of its draws are scored too.

Cases are scenarios (built-in ids or files) or the rows of long tables (:mod:`realpolitik.backtest.table`).
Long-table cases run in chunks through the uncertainty executors (serial, processes, Dask): chunk ``k``
draws its numbers from child ``k`` of ``SeedSequence(seed)``, so results depend on the seed and the chunk
size, never on the executor or the worker count.
"""

from __future__ import annotations

import csv
import importlib
import io
import math
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from realpolitik.backtest.leakage import Leakage, leakage
from realpolitik.backtest.scoring import BASELINES, baselines, crps_ensemble, range_error
from realpolitik.backtest.table import TableCase, looks_like_long_table, read_long_table
from realpolitik.forecast import ModelInputError, forecast, scenario_problem
from realpolitik.models import get_model, model_names
from realpolitik.models.problem import BargainingProblem
from realpolitik.scenario import Scenario, builtin_ids, load
from realpolitik.uncertainty.executors import open_executor
from realpolitik.uncertainty.runner import monte_carlo, with_uncertainty
from realpolitik.uncertainty.sampling import DISTRIBUTIONS, inverse_cdf

FORMAT = "realpolitik-backtest/1"
GROUPS: tuple[str, ...] = ("clean", "leaky")
DEFAULT_CHUNK_SIZE = 100  # long-table cases per chunk
SCENARIO_SUFFIXES = (".yaml", ".yml", ".json")
TABLE_SUFFIXES = (".csv", ".tsv", ".parquet")


# ------------------------------------------------------------------------------------------- results
@dataclass
class ScoredIssue:
    """One issue of one case with a recorded outcome, and every predictor's forecast for it."""

    case: str
    issue: str
    status: str  # clean | leaky (the case's)
    outcome: float
    lower: float
    upper: float
    rule: str
    forecast: dict[str, float]  # model or baseline -> forecast (models: under the decision rule)
    pressure: dict[str, float] = field(default_factory=dict)  # model -> the model's own outcome
    interval80: dict[str, tuple[float, float]] = field(default_factory=dict)  # model -> (q10, q90)
    crps: dict[str, float] = field(default_factory=dict)  # model -> CRPS as a share of the range

    @property
    def width(self) -> float:
        return self.upper - self.lower

    def error(self, name: str) -> float:
        """``|forecast - outcome| / range`` of a predictor (NaN when it gave no forecast)."""
        return float(range_error(self.forecast.get(name, math.nan), self.outcome, self.lower, self.upper))

    def inside80(self, name: str) -> bool | None:
        """Whether the outcome lies in the model's 80% interval (ends included); None without draws."""
        iv = self.interval80.get(name)
        if iv is None or not (np.isfinite(iv[0]) and np.isfinite(iv[1])):
            return None
        tol = 1e-9 * self.width
        return bool(iv[0] - tol <= self.outcome <= iv[1] + tol)


@dataclass
class CaseResult:
    """One case: where it came from, clean or leaky and why, and what could not be run."""

    id: str
    origin: str  # "built-in", a scenario file or a long table
    leakage: Leakage
    issues: tuple[str, ...]  # issues with a recorded outcome
    skipped: dict[str, str] = field(default_factory=dict)  # model -> why it gave no forecast
    notes: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.leakage.status

    @property
    def decided(self) -> str | None:
        return self.leakage.decided


@dataclass(frozen=True)
class PredictorSummary:
    """Errors of one model or baseline over one group of cases (clean or leaky)."""

    kind: str  # model | baseline
    n: int  # issues with a forecast
    mean_error: float | None
    median_error: float | None
    n_intervals: int = 0  # issues with a Monte Carlo interval
    calibration80: float | None = None  # share of outcomes inside the 80% interval
    crps: float | None = None  # mean CRPS, as a share of the range

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "n": self.n,
            "mean_error": self.mean_error,
            "median_error": self.median_error,
            "n_intervals": self.n_intervals,
            "calibration80": self.calibration80,
            "crps": self.crps,
        }


@dataclass
class Backtest:
    """A backtest run: per-issue results, per-case leakage, and the clean/leaky summaries."""

    models: tuple[str, ...]
    baselines: tuple[str, ...]
    cases: list[CaseResult]
    rows: list[ScoredIssue]
    seed: int
    draws: int
    chunk_size: int = DEFAULT_CHUNK_SIZE
    notes: list[str] = field(default_factory=list)  # inputs left out, and why

    @property
    def predictors(self) -> tuple[str, ...]:
        return (*self.models, *self.baselines)

    def kind(self, name: str) -> str:
        return "model" if name in self.models else "baseline"

    def group_rows(self, group: str) -> list[ScoredIssue]:
        return [r for r in self.rows if r.status == group]

    def summary(self) -> dict[str, dict[str, PredictorSummary]]:
        """``{group: {predictor: PredictorSummary}}`` for ``clean`` and ``leaky`` (never pooled)."""
        out: dict[str, dict[str, PredictorSummary]] = {}
        for g in GROUPS:
            rows = self.group_rows(g)
            table: dict[str, PredictorSummary] = {}
            for name in self.predictors:
                err = np.array([r.error(name) for r in rows], dtype=float)
                err = err[np.isfinite(err)]
                inside = [r.inside80(name) for r in rows]
                hits = [x for x in inside if x is not None]
                crps = np.array([r.crps.get(name, math.nan) for r in rows], dtype=float)
                crps = crps[np.isfinite(crps)]
                table[name] = PredictorSummary(
                    kind=self.kind(name),
                    n=int(err.size),
                    mean_error=float(np.mean(err)) if err.size else None,
                    median_error=float(np.median(err)) if err.size else None,
                    n_intervals=len(hits),
                    calibration80=float(np.mean(hits)) if hits else None,
                    crps=float(np.mean(crps)) if crps.size else None,
                )
            out[g] = table
        return out

    def to_json(self) -> dict[str, Any]:
        """The documented JSON form (docs/backtest.md)."""
        by_case: dict[str, list[ScoredIssue]] = {}
        for r in self.rows:
            by_case.setdefault(r.case, []).append(r)
        summary = self.summary()
        return {
            "format": FORMAT,
            "models": list(self.models),
            "baselines": list(self.baselines),
            "seed": self.seed,
            "draws": self.draws,
            "notes": list(self.notes),
            "cases": [
                {
                    "id": c.id,
                    "origin": c.origin,
                    "status": c.status,
                    "decided": c.decided,
                    "leakage": c.leakage.to_json(),
                    "skipped": dict(c.skipped),
                    "notes": list(c.notes),
                    "issues": [self._issue_json(r) for r in by_case.get(c.id, [])],
                }
                for c in self.cases
            ],
            "summary": {
                g: {
                    "cases": sum(1 for c in self.cases if c.status == g),
                    "issues": len(self.group_rows(g)),
                    "predictors": {k: v.to_json() for k, v in summary[g].items()},
                }
                for g in GROUPS
            },
        }

    def _issue_json(self, r: ScoredIssue) -> dict[str, Any]:
        preds: dict[str, Any] = {}
        for name in self.predictors:
            f = r.forecast.get(name, math.nan)
            entry: dict[str, Any] = {
                "kind": self.kind(name),
                "forecast": _num(f),
                "error": _num(r.error(name)),
            }
            if name in self.models:
                iv = r.interval80.get(name)
                entry["pressure"] = _num(r.pressure.get(name, math.nan))
                entry["interval80"] = None if iv is None else [_num(iv[0]), _num(iv[1])]
                entry["inside80"] = r.inside80(name)
                entry["crps"] = _num(r.crps.get(name, math.nan))
            preds[name] = entry
        return {
            "issue": r.issue,
            "outcome": r.outcome,
            "lower": r.lower,
            "upper": r.upper,
            "rule": r.rule,
            "predictions": preds,
        }

    def table_rows(self) -> list[dict[str, Any]]:
        """One flat dict per case, issue and predictor: the CSV's rows (docs/backtest.md)."""
        out = []
        decided = {c.id: c.decided for c in self.cases}
        for r in self.rows:
            for name in self.predictors:
                iv = r.interval80.get(name)
                out.append(
                    {
                        "case": r.case,
                        "issue": r.issue,
                        "status": r.status,
                        "decided": decided.get(r.case),
                        "predictor": name,
                        "kind": self.kind(name),
                        "forecast": _num(r.forecast.get(name, math.nan)),
                        "pressure": _num(r.pressure.get(name, math.nan)),
                        "outcome": r.outcome,
                        "lower": r.lower,
                        "upper": r.upper,
                        "rule": r.rule,
                        "error": _num(r.error(name)),
                        "interval80_low": None if iv is None else _num(iv[0]),
                        "interval80_high": None if iv is None else _num(iv[1]),
                        "inside80": r.inside80(name),
                        "crps": _num(r.crps.get(name, math.nan)),
                    }
                )
        return out

    def to_csv(self) -> str:
        """The per-issue results as CSV text (header first; empty cells for missing values)."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(CSV_COLUMNS)
        for row in self.table_rows():
            w.writerow([_csv_cell(row[c]) for c in CSV_COLUMNS])
        return buf.getvalue()


CSV_COLUMNS: tuple[str, ...] = (
    "case",
    "issue",
    "status",
    "decided",
    "predictor",
    "kind",
    "forecast",
    "pressure",
    "outcome",
    "lower",
    "upper",
    "rule",
    "error",
    "interval80_low",
    "interval80_high",
    "inside80",
    "crps",
)


def backtest_table(result: Backtest) -> list[dict[str, Any]]:
    """The per-issue results of a backtest as plain rows (what ``--format csv`` writes)."""
    return result.table_rows()


def _num(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _csv_cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    return str(v)


# ------------------------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class Uncertainty:
    """Default input uncertainty for long tables (and scenarios without an ``uncertainty`` block):
    ``position`` a half-width as a share of the issue's range, ``salience`` an absolute half-width,
    ``capability`` a half-width relative to the value; ``distribution`` as in Monte Carlo."""

    position: float | None = None
    salience: float | None = None
    capability: float | None = None
    distribution: str = "triangular"

    def __post_init__(self) -> None:
        for name in ("position", "salience", "capability"):
            v = getattr(self, name)
            if v is not None and not (math.isfinite(v) and v >= 0):
                raise ValueError(f"uncertainty {name} must be a number >= 0, got {v!r}")
        if self.distribution not in DISTRIBUTIONS:
            raise ValueError(
                f"distribution must be one of {', '.join(DISTRIBUTIONS)}, got {self.distribution!r}"
            )

    @property
    def any(self) -> bool:
        return bool(self.position or self.salience or self.capability)

    @classmethod
    def parse(cls, text: str) -> Uncertainty:
        """``position=0.05,salience=0.1,capability=0.1[,distribution=uniform]``."""
        kw: dict[str, Any] = {}
        for part in text.split(","):
            if not part.strip():
                continue
            key, sep, value = part.partition("=")
            key = key.strip()
            if not sep or key not in ("position", "salience", "capability", "distribution"):
                raise ValueError(
                    f"--uncertainty {text!r}: expected NAME=VALUE pairs with NAME position, salience, "
                    "capability or distribution"
                )
            if key == "distribution":
                kw[key] = value.strip()
                continue
            try:
                kw[key] = float(value)
            except ValueError:
                raise ValueError(
                    f"--uncertainty {text!r}: {key} must be a number, got {value.strip()!r}"
                ) from None
        return cls(**kw)


@dataclass
class Inputs:
    """What a backtest runs on: scenarios (with where they came from) and long-table cases."""

    scenarios: list[tuple[Scenario, str]] = field(default_factory=list)
    table_cases: list[TableCase] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # inputs left out, and why


def collect(items: Iterable[str | Path | Scenario] | None) -> Inputs:
    """Resolve built-in ids, scenario files, long tables and folders of them into cases.

    No items: every built-in scenario with a recorded outcome. A folder contributes its scenario files
    (``.yaml``, ``.yml``, ``.json``) and long tables (``.parquet``, and ``.csv``/``.tsv`` whose header
    names ``case``, ``issue`` and ``actor``), in name order. Scenarios without a recorded outcome are
    left out with a note. Bad files raise :class:`~realpolitik.scenario.ScenarioError`.
    """
    inp = Inputs()
    if items is None or not list(items):
        for sid in builtin_ids():
            s = load(sid)
            if s.outcome:
                inp.scenarios.append((s, "built-in"))
        return inp
    for item in items:
        if isinstance(item, Scenario):
            _add_scenario(inp, item, "given")
            continue
        p = Path(item)
        if isinstance(item, str) and not p.exists() and item in builtin_ids():
            _add_scenario(inp, load(item), "built-in")
        elif p.is_dir():
            found = 0
            for f in sorted(p.iterdir()):
                suffix = f.suffix.lower()
                if suffix in SCENARIO_SUFFIXES:
                    _add_scenario(inp, load(f), str(f))
                    found += 1
                elif suffix in TABLE_SUFFIXES and looks_like_long_table(f):
                    inp.table_cases.extend(read_long_table(f))
                    found += 1
            if not found:
                inp.notes.append(f"{p}: no scenario files or long tables in this folder")
        elif looks_like_long_table(p):
            inp.table_cases.extend(read_long_table(p))
        else:
            _add_scenario(inp, load(item), str(item))
    return inp


def _add_scenario(inp: Inputs, s: Scenario, origin: str) -> None:
    if not s.outcome:
        inp.notes.append(f"{s.id} ({origin}): no recorded outcome, nothing to score")
        return
    inp.scenarios.append((s, origin))


def _check_ids(inp: Inputs) -> None:
    seen: dict[str, str] = {}
    for cid, origin in [(s.id, o) for s, o in inp.scenarios] + [(c.id, c.file) for c in inp.table_cases]:
        if cid in seen:
            raise ValueError(
                f"case {cid!r} appears twice ({seen[cid]} and {origin}): expected each case once"
            )
        seen[cid] = origin


def _models(models: str | Sequence[str] | None) -> tuple[str, ...]:
    if models is None or models == "all":
        return tuple(model_names())
    names = [m.strip() for m in models.split(",")] if isinstance(models, str) else list(models)
    names = [m for m in names if m]
    for n in names:
        if n not in model_names():
            raise ValueError(f"unknown model {n!r}; available: {', '.join(model_names())}, all")
    if not names:
        raise ValueError("expected at least one model")
    return tuple(names)


# ------------------------------------------------------------------------------------------- the run
def backtest(
    cases: Iterable[str | Path | Scenario] | None = None,
    *,
    models: str | Sequence[str] | None = "all",
    draws: int = 0,
    seed: int = 0,
    uncertainty: Uncertainty | Mapping[str, Any] | None = None,
    executor: str | Executor | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> Backtest:
    """Score every model's ruled forecast against the recorded outcomes of ``cases``.

    ``cases``: built-in ids, scenario files, long tables (CSV/Parquet) or folders, or Scenario objects;
    None for every built-in with an outcome. ``models``: ``"all"``, names separated by commas, or a list.
    ``draws`` > 0 adds Monte Carlo: per model the 80% interval and the CRPS of its draws (each scenario
    with its own uncertainty; ``uncertainty`` gives defaults for long tables and for scenarios without an
    ``uncertainty`` block). ``executor``/``workers``/``scheduler`` as in
    :func:`~realpolitik.uncertainty.monte_carlo`; ``chunk_size``: long-table cases per chunk.
    ``progress(cases_done, cases)`` is called as cases are scored.

    >>> b = backtest(["ec-emissions-1994"], models="compromise")
    >>> r = b.rows[0]
    >>> round(r.forecast["compromise"], 5), round(100 * r.error("compromise"), 1), b.cases[0].status
    (7.38996, 24.1, 'leaky')
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if draws < 0:
        raise ValueError(f"draws must be 0 (none) or more, got {draws}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    unc = (
        uncertainty
        if isinstance(uncertainty, Uncertainty) or uncertainty is None
        else Uncertainty(**uncertainty)
    )
    names = _models(models)
    results: list[CaseResult] = []
    rows: list[ScoredIssue] = []
    with open_executor(executor, workers=workers, scheduler=scheduler) as handle:
        if handle.kind != "serial":  # workers start (spawn, imports) while the inputs are read
            for _ in range(handle.workers):
                handle.executor.submit(_warm)
        inp = collect(cases)
        _check_ids(inp)
        if not inp.scenarios and not inp.table_cases:
            raise ValueError(
                "nothing to score: " + ("; ".join(inp.notes) or "no case has a recorded outcome")
            )
        total = len(inp.scenarios) + len(inp.table_cases)
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            if progress is not None:
                progress(done, total)

        for s, origin in inp.scenarios:
            case, case_rows = score_scenario(
                s, names, seed=int(seed), draws=draws, uncertainty=unc, executor=handle.executor
            )
            case.origin = origin
            results.append(case)
            rows.extend(case_rows)
            advance(1)
        if inp.table_cases:
            t_cases, t_rows = score_table_cases(
                inp.table_cases,
                names,
                seed=int(seed),
                draws=draws,
                uncertainty=unc,
                handle=handle,
                chunk_size=chunk_size,
                on_chunk=lambda chunk: advance(len(chunk.cases)),
            )
            results.extend(t_cases)
            rows.extend(t_rows)
    return Backtest(names, BASELINES, results, rows, int(seed), draws, chunk_size, list(inp.notes))


# ------------------------------------------------------------------------------------------- scenarios
def score_scenario(
    s: Scenario,
    models: Sequence[str],
    *,
    seed: int = 0,
    draws: int = 0,
    uncertainty: Uncertainty | None = None,
    executor: str | Executor | None = None,
) -> tuple[CaseResult, list[ScoredIssue]]:
    """One scenario case: every model's forecast (``rp.forecast(s, model, seed=seed)``) and, with
    ``draws``, its Monte Carlo (``monte_carlo(s, draws, model, seed)``), beside the baselines."""
    lk = leakage(s)
    problem = scenario_problem(s)
    scored = [d for d in problem.issues if d in s.outcome]
    case = CaseResult(s.id, "given", lk, tuple(scored))
    base = baselines(problem)
    rows = {
        d: ScoredIssue(
            case=s.id,
            issue=d,
            status=lk.status,
            outcome=float(s.outcome[d].value),
            lower=float(problem.bounds[j, 0]),
            upper=float(problem.bounds[j, 1]),
            rule=s.rule_of(d).kind,
            forecast={b: float(base[b][j]) for b in BASELINES},
        )
        for j, d in enumerate(problem.issues)
        if d in s.outcome
    }
    ran: list[str] = []
    for m in models:
        try:
            f = forecast(s, model=m, seed=seed)
        except ModelInputError as exc:
            case.skipped[m] = str(exc)
            continue
        ran.append(m)
        for d, r in rows.items():
            r.forecast[m] = float(f.outcome[d])
            r.pressure[m] = float(f.pressure[d])
            r.rule = f.rules.get(d, r.rule)
    if draws and ran:
        target = s
        if uncertainty is not None and uncertainty.any and _no_defaults(s):
            target = with_uncertainty(
                s,
                position=uncertainty.position,
                salience=uncertainty.salience,
                capability=uncertainty.capability,
                distribution=uncertainty.distribution,
            )
        for m in ran:
            mc = monte_carlo(target, draws=draws, model=m, seed=seed, executor=executor, deal_probe=False)
            if not mc.inputs:
                case.notes.append(
                    "no uncertain inputs (no ranges, no uncertainty block): no intervals; give defaults "
                    "with --uncertainty"
                )
                break
            for d, r in rows.items():
                x = mc.outcomes(d)
                r.interval80[m] = mc.summary[d].interval80
                r.crps[m] = float(crps_ensemble(x, r.outcome)) / r.width
            if mc.failed_chunks:
                case.notes.append(
                    f"{m}: {len(mc.failed_chunks)} Monte Carlo chunks failed; scored on the rest"
                )
    return case, list(rows.values())


def _no_defaults(s: Scenario) -> bool:
    u = s.uncertainty
    return u.position is None and u.salience is None and u.capability is None


# ------------------------------------------------------------------------------------------- long tables
@dataclass(frozen=True)
class TableChunk:
    """Cases of one shape (actors, issues, presence, bounds), stacked; picklable for process pools."""

    index: int
    cases: tuple[int, ...]  # positions in the list of table cases
    capability: np.ndarray  # (n, A)
    position: np.ndarray  # (n, A, D)
    salience: np.ndarray  # (n, A, D)
    status_quo: np.ndarray  # (n, D)
    outcome: np.ndarray  # (n, D)
    bounds: np.ndarray  # (D, 2)
    present: np.ndarray | None  # (A, D)
    models: tuple[str, ...]
    modules: tuple[str, ...]  # where each model registers itself (re-imported in spawned workers)
    seed: np.random.SeedSequence
    draws: int = 0
    uncertainty: Uncertainty | None = None


@dataclass(frozen=True)
class TableChunkResult:
    index: int
    forecast: dict[str, np.ndarray]  # model or baseline -> (n, D)
    errors: dict[str, str]  # model -> why it gave no forecast
    interval80: dict[str, np.ndarray]  # model -> (n, D, 2)
    crps: dict[str, np.ndarray]  # model -> (n, D) in the issue's units
    notes: list[str] = field(default_factory=list)


def _warm() -> int:
    """Nothing: unpickling it imports this module (and the models) in a worker."""
    return 0


def _child(ss: np.random.SeedSequence, i: int) -> np.random.SeedSequence:
    """Child ``i`` of ``ss`` without touching its spawn counter (the same stream on every call)."""
    return np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, i), pool_size=ss.pool_size)


def _info(name: str, module: str) -> Any:
    try:
        return get_model(name)
    except KeyError:
        importlib.import_module(module)  # a model registered on import (spawned worker)
        return get_model(name)


def run_table_chunk(task: TableChunk) -> TableChunkResult:
    """Every model and baseline on one chunk of long-table cases (and their Monte Carlo, with draws)."""
    n = len(task.cases)
    d = task.bounds.shape[0]
    problem = BargainingProblem(
        capability=task.capability,
        position=task.position,
        salience=task.salience,
        bounds=task.bounds,
        status_quo=task.status_quo,
        present=task.present,
    )
    out: dict[str, np.ndarray] = {k: v.reshape(n, d) for k, v in baselines(problem).items()}
    errors: dict[str, str] = {}
    notes: list[str] = []
    interval: dict[str, np.ndarray] = {}
    crps: dict[str, np.ndarray] = {}
    has_sq = bool(np.isfinite(task.status_quo).all())
    mc_problem = (
        _table_draws(task, problem)
        if task.draws and task.uncertainty is not None and task.uncertainty.any
        else None
    )
    for name, module in zip(task.models, task.modules, strict=True):
        info = _info(name, module)
        if "status_quo" in info.requires and not has_sq:
            errors[name] = f"model {name!r} needs a status quo on every issue (column status_quo)"
            continue
        try:
            traj = info.run(problem, rng=np.random.default_rng(_child(task.seed, 0)))
            out[name] = np.asarray(traj.outcome, dtype=float).reshape(n, d)
        except Exception as exc:  # one model failing must not sink the other models' scores
            errors[name] = f"{type(exc).__name__}: {exc}"
            continue
        if mc_problem is None:
            continue
        try:
            mc = info.run(mc_problem, rng=np.random.default_rng(_child(task.seed, 2)))
        except Exception as exc:  # the point forecast stands; the model just gets no interval
            notes.append(f"{name}: Monte Carlo failed ({type(exc).__name__}: {exc}); no interval")
            continue
        x = np.moveaxis(np.asarray(mc.outcome, dtype=float).reshape(n, task.draws, d), 1, -1)  # (n, D, draws)
        with np.errstate(invalid="ignore"):
            q = np.nanquantile(x, [0.1, 0.9], axis=-1)
        interval[name] = np.moveaxis(q, 0, -1)
        crps[name] = crps_ensemble(x, task.outcome)
    return TableChunkResult(task.index, out, errors, interval, crps, notes)


def _table_draws(task: TableChunk, problem: BargainingProblem) -> BargainingProblem:
    """``draws`` samples of every case's inputs, as one batch ``(n * draws, A, D)``."""
    u = task.uncertainty
    assert u is not None
    n, a, d = task.position.shape
    rng = np.random.default_rng(_child(task.seed, 1))
    lo_b, hi_b = task.bounds[:, 0], task.bounds[:, 1]

    def sample(value: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        v = np.broadcast_to(value[:, None], (n, task.draws, *value.shape[1:]))
        lo_ = np.broadcast_to(lo[:, None], v.shape)
        hi_ = np.broadcast_to(hi[:, None], v.shape)
        ok = hi_ > lo_
        x = inverse_cdf(u.distribution, rng.random(v.shape), lo_, np.where(ok, hi_, lo_ + 1.0), v)
        return np.where(ok, x, v)

    pos, sal, cap = task.position, task.salience, task.capability
    if u.position:
        h = u.position * (hi_b - lo_b)
        pos = sample(pos, np.maximum(pos - h, lo_b), np.minimum(pos + h, hi_b))
    else:
        pos = np.broadcast_to(pos[:, None], (n, task.draws, a, d))
    if u.salience:
        sal = sample(sal, np.maximum(sal - u.salience, 0.0), np.minimum(sal + u.salience, 1.0))
    else:
        sal = np.broadcast_to(sal[:, None], (n, task.draws, a, d))
    if u.capability:
        cap = sample(cap, np.maximum(cap * (1 - u.capability), 0.0), cap * (1 + u.capability))
    else:
        cap = np.broadcast_to(cap[:, None], (n, task.draws, a))
    sq = np.broadcast_to(task.status_quo[:, None], (n, task.draws, d))
    m = n * task.draws
    return BargainingProblem(
        capability=np.ascontiguousarray(cap).reshape(m, a),
        position=np.ascontiguousarray(pos).reshape(m, a, d),
        salience=np.ascontiguousarray(sal).reshape(m, a, d),
        bounds=task.bounds,
        status_quo=np.ascontiguousarray(sq).reshape(m, d),
        present=task.present,
    )


def table_chunks(
    cases: Sequence[TableCase],
    models: Sequence[str],
    *,
    seed: int = 0,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    draws: int = 0,
    uncertainty: Uncertainty | None = None,
) -> list[TableChunk]:
    """Cases grouped by shape (in order of first appearance), then cut into chunks of ``chunk_size``
    in table order; chunk ``k`` gets child ``k`` of ``SeedSequence(seed)``."""
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, c in enumerate(cases):
        groups.setdefault(c.shape_key, []).append(i)
    parts = [
        members[s : s + chunk_size] for members in groups.values() for s in range(0, len(members), chunk_size)
    ]
    seeds = np.random.SeedSequence(seed).spawn(len(parts))
    modules = tuple(get_model(m).run.__module__ for m in models)
    chunks = []
    for k, idx in enumerate(parts):
        first = cases[idx[0]]
        chunks.append(
            TableChunk(
                index=k,
                cases=tuple(idx),
                capability=np.stack([cases[i].capability for i in idx]),
                position=np.stack([cases[i].position for i in idx]),
                salience=np.stack([cases[i].salience for i in idx]),
                status_quo=np.stack([cases[i].status_quo for i in idx]),
                outcome=np.stack([cases[i].outcome for i in idx]),
                bounds=first.bounds,
                present=None if first.present.all() else first.present,
                models=tuple(models),
                modules=modules,
                seed=seeds[k],
                draws=draws,
                uncertainty=uncertainty,
            )
        )
    return chunks


def run_tasks(
    fn: Callable[[Any], Any],
    tasks: Sequence[Any],
    executor: Executor,
    workers: int = 1,
    on_done: Callable[[Any], None] | None = None,
) -> dict[int, Any]:
    """``fn(task)`` for every task on ``executor`` (at most twice the worker count in flight); results by
    ``task.index``; ``on_done(task)`` after each. An exception in a task is raised here."""
    pending: deque[Any] = deque(tasks)
    in_flight: dict[Future[Any], Any] = {}
    results: dict[int, Any] = {}
    limit = max(2, 2 * workers)
    while pending or in_flight:
        while pending and len(in_flight) < limit:
            t = pending.popleft()
            in_flight[executor.submit(fn, t)] = t
        done, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
        for fut in done:
            t = in_flight.pop(fut)
            results[t.index] = fut.result()
            if on_done is not None:
                on_done(t)
    return results


def score_table_cases(
    cases: Sequence[TableCase],
    models: Sequence[str],
    *,
    seed: int = 0,
    draws: int = 0,
    uncertainty: Uncertainty | None = None,
    handle: Any = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    on_chunk: Callable[[TableChunk], None] | None = None,
) -> tuple[list[CaseResult], list[ScoredIssue]]:
    """Long-table cases in chunks on ``handle``'s executor (an :class:`ExecutorHandle`; serial if None);
    ``on_chunk(chunk)`` after each chunk is scored."""
    chunks = table_chunks(
        cases, models, seed=seed, chunk_size=chunk_size, draws=draws, uncertainty=uncertainty
    )
    if handle is None:
        with open_executor("serial") as h:
            done = run_tasks(run_table_chunk, chunks, h.executor, h.workers, on_chunk)
    else:
        done = run_tasks(run_table_chunk, chunks, handle.executor, handle.workers, on_chunk)
    per_case: dict[int, tuple[TableChunkResult, int]] = {}
    for ch in chunks:
        res = done[ch.index]
        for k, i in enumerate(ch.cases):
            per_case[i] = (res, k)
    results: list[CaseResult] = []
    rows: list[ScoredIssue] = []
    no_unc = bool(draws) and (uncertainty is None or not uncertainty.any)
    for i, c in enumerate(cases):
        res, k = per_case[i]
        scored = tuple(d for j, d in enumerate(c.issues) if np.isfinite(c.outcome[j]))
        case = CaseResult(c.id, c.file, c.leakage, scored, skipped=dict(res.errors), notes=list(res.notes))
        if no_unc:
            case.notes.append("no uncertain inputs in a long table: give defaults with --uncertainty")
        results.append(case)
        for j, d in enumerate(c.issues):
            if not np.isfinite(c.outcome[j]):
                continue
            r = ScoredIssue(
                case=c.id,
                issue=d,
                status=c.leakage.status,
                outcome=float(c.outcome[j]),
                lower=float(c.bounds[j, 0]),
                upper=float(c.bounds[j, 1]),
                rule="collective",
                forecast={name: float(v[k, j]) for name, v in res.forecast.items()},
            )
            r.pressure = {m: r.forecast[m] for m in models if m in r.forecast}
            for m, iv in res.interval80.items():
                r.interval80[m] = (float(iv[k, j, 0]), float(iv[k, j, 1]))
            for m, cr in res.crps.items():
                r.crps[m] = float(cr[k, j]) / r.width
            rows.append(r)
    return results, rows
