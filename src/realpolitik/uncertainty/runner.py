"""Monte Carlo runs: chunked, seeded per chunk, executor-independent, streamed to Parquet.

Draws are split into chunks of ``chunk_size``. Chunk ``k`` draws its inputs and runs its model with
streams from child ``k`` of ``SeedSequence(seed).spawn(n_chunks)``, so its numbers depend only on
``seed``, ``chunk_size`` and ``k`` — never on the executor, the worker count or the order in which
chunks finish. With ``out`` every chunk is written to ``out/chunk-NNNNNN.parquet`` (temp file, then
rename) and the summary is read back issue by issue, so memory does not grow with the number of draws.

The manifest records each written chunk's draw range, row count and SHA-256. ``resume`` trusts a chunk
file only when all of these match (and its columns are the run's); any other chunk file is set aside as
``chunk-NNNNNN.parquet.rejected`` and computed again, with a note in :attr:`MonteCarloResult.notes`.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import math
import os
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from realpolitik import defaults
from realpolitik import display as _display
from realpolitik._rng import SeedLike, seed_int
from realpolitik.forecast import RuleReader, _jsonable, check_inputs, checked_run, scenario_problem
from realpolitik.limits import CHUNKS, DRAWS, DRAWS_IN_MEMORY
from realpolitik.models import get_model
from realpolitik.models.problem import BargainingProblem
from realpolitik.scenario.schema import Scenario, Uncertainty
from realpolitik.uncertainty.executors import open_executor
from realpolitik.uncertainty.sampling import SamplingSpec, apply, draw, sampling_spec

QUANTILES: tuple[int, ...] = (5, 10, 25, 50, 75, 90, 95)
MANIFEST = "manifest.json"
SUMMARY = "summary.json"
FORMAT = "realpolitik-montecarlo/2"  # /2: chunk checksums in the manifest
DRAW_COLUMN = "_draw"
DEAL_COLUMN = "_deal"
PRESSURE_PREFIX = "_pressure:"  # the model's own outcome per issue (the issue columns hold the ruled one)
AGREED_PREFIX = "_agreed:"  # per agreement: concluded in the draw
DEFAULT_CHUNK_SIZE = defaults.CHUNK_SIZE
MAX_ATTEMPTS = 2  # a failing chunk is retried once

DealProbe = Callable[[BargainingProblem], np.ndarray]
_COMPARE: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    ">=": np.greater_equal,
    "<=": np.less_equal,
    ">": np.greater,
    "<": np.less,
}
Threshold = float | tuple[str, float]


class ManifestMismatchError(ValueError):
    """``resume`` found an ``out`` directory holding a different run (the message names the fields)."""


class ResumeError(ValueError):
    """``resume`` was asked for a folder that holds no run to continue (the message says why)."""


# ------------------------------------------------------------------------------------------- chunks
@dataclass(frozen=True)
class ChunkTask:
    """Everything one chunk needs, picklable for process pools and Dask."""

    index: int
    start: int
    size: int
    seed: np.random.SeedSequence
    spec: SamplingSpec
    model: str
    model_module: str
    params: Mapping[str, Any]
    deal_probe: DealProbe | None = None
    rules: RuleReader | None = None
    tick: Callable[[int], None] | None = field(default=None, compare=False, repr=False)
    """``tick(n)``: ``n`` more draws of this chunk are done (set only when the chunk runs in this process)."""


@dataclass(frozen=True)
class ChunkResult:
    index: int
    start: int
    outcome: np.ndarray  # (n, D) under the decision rules (the model's own without rules)
    deal: np.ndarray | None  # (n,) bool, or None without a deal analysis
    deal_error: str | None = None
    pressure: np.ndarray | None = None  # (n, D) the model's own outcome, when rules apply
    agreed: np.ndarray | None = None  # (n, G) each agreement concluded, when there are agreements


def _child(ss: np.random.SeedSequence, i: int) -> np.random.SeedSequence:
    """Child ``i`` of ``ss`` without touching ``ss``'s spawn counter (retries see the same streams)."""
    return np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, i), pool_size=ss.pool_size)


def chunk_seeds(seed: int, n_chunks: int) -> list[np.random.SeedSequence]:
    """The per-chunk streams ``SeedSequence(seed).spawn(n_chunks)``."""
    return np.random.SeedSequence(seed).spawn(n_chunks)


def run_chunk(task: ChunkTask) -> ChunkResult:
    """Draw one chunk's inputs, run the model on the batch, and (optionally) probe for a deal."""
    try:
        info = get_model(task.model)
    except KeyError:
        importlib.import_module(task.model_module)  # a model registered on import (spawned worker)
        info = get_model(task.model)
    values = draw(task.spec, task.size, np.random.default_rng(_child(task.seed, 0)))
    problem = apply(task.spec, values)
    traj = checked_run(info, problem, np.random.default_rng(_child(task.seed, 1)), dict(task.params))
    outcome = np.asarray(traj.outcome, dtype=float).reshape(task.size, problem.n_issues)
    pressure = agreed = None
    if task.rules is not None:
        final = np.asarray(traj.positions)[..., -1, :, :].reshape(
            task.size, problem.n_actors, problem.n_issues
        )
        pressure = outcome
        outcome, _moot, acc = task.rules.read(problem, pressure, final)
        agreed = None if acc is None else np.asarray(acc, dtype=bool).reshape(task.size, -1)
    deal: np.ndarray | None = None
    deal_error = None
    if task.deal_probe is not None:
        try:
            deal = _probe(task.deal_probe, problem, task.size, task.tick)
        except Exception as exc:  # the deal analysis is optional: never lose the outcomes over it
            deal_error = f"{type(exc).__name__}: {exc}"
    return ChunkResult(task.index, task.start, outcome, deal, deal_error, pressure, agreed)


PROBE_SLICE = 256  # draws per deal-probe call when progress is reported within a chunk


def _probe(
    probe: DealProbe, problem: BargainingProblem, n: int, tick: Callable[[int], None] | None
) -> np.ndarray:
    """The deal probe on every member of the batch; with ``tick``, slice by slice, reporting each.

    A probe answers for each member on its own, so slicing changes nothing but when progress is known.
    """
    if tick is None or n <= PROBE_SLICE:
        return np.asarray(probe(problem), dtype=bool).reshape(n)
    parts = []
    for start in range(0, n, PROBE_SLICE):
        stop = min(n, start + PROBE_SLICE)
        parts.append(np.asarray(probe(_rows(problem, start, stop)), dtype=bool).reshape(stop - start))
        tick(stop - start)
    return np.concatenate(parts)


def default_deal_probe(scenario: Scenario) -> DealProbe | None:
    """``realpolitik.deals.deal_exists(scenario, problem)`` bound to ``scenario``, if that exists.

    The deal analysis is optional: without the package (or that function) Monte Carlo reports no deal
    probability.
    """
    try:
        deals = importlib.import_module("realpolitik.deals")
    except ImportError:
        return None
    fn = getattr(deals, "deal_exists", None)
    if not callable(fn):
        return None
    return _BoundProbe(fn, scenario)


@dataclass(frozen=True)
class _BoundProbe:
    """``fn(scenario, problem)`` on slices of the batch (a probe that loops over members stays linear).

    ``deals.deal_exists`` judges the draws of a slice together and bounds its own memory, so slices are
    large: each call builds the deal structure once.
    """

    fn: Callable[..., Any]
    scenario: Scenario
    slice_size: int = 1024

    def __call__(self, problem: BargainingProblem) -> np.ndarray:
        n = problem.batch_shape_all[0] if problem.batch_shape_all else 1
        if n <= self.slice_size:
            return np.asarray(self.fn(self.scenario, problem)).reshape(-1)
        parts = [
            np.asarray(self.fn(self.scenario, _rows(problem, s, s + self.slice_size))).reshape(-1)
            for s in range(0, n, self.slice_size)
        ]
        return np.concatenate(parts)


def _rows(problem: BargainingProblem, start: int, stop: int) -> BargainingProblem:
    """Members ``start:stop`` of a problem with one batch axis (views, no copies)."""
    p = problem.broadcast() if problem.capability.ndim < 2 else problem
    return replace(
        p,
        capability=p.capability[start:stop],
        position=p.position[start:stop],
        salience=p.salience[start:stop],
        status_quo=p.status_quo[start:stop],
        issue_power=None if p.issue_power is None else p.issue_power[start:stop],
        acceptable=None if p.acceptable is None or p.acceptable.ndim == 3 else p.acceptable[start:stop],
    )


# ------------------------------------------------------------------------------------------- result
@dataclass(frozen=True)
class IssueSummary:
    """Outcome distribution of one issue over the completed draws."""

    issue: str
    quantiles: dict[int, float]
    mean: float
    interval80: tuple[float, float]
    nan_draws: int
    threshold: tuple[str, float] | None = None
    p_threshold: float | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "quantiles": {str(q): _num(v) for q, v in self.quantiles.items()},
            "mean": _num(self.mean),
            "interval80": [_num(self.interval80[0]), _num(self.interval80[1])],
            "nan_draws": self.nan_draws,
        }
        if self.threshold is not None:
            out["threshold"] = {
                "op": self.threshold[0],
                "value": self.threshold[1],
                "probability": _num(self.p_threshold),
            }
        return out


def _num(x: float | None) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


@dataclass
class MonteCarloResult:
    """A Monte Carlo run: per-issue outcome summaries, failed chunks, and access to the draws."""

    scenario: str
    model: str
    params: dict[str, Any]
    draws: int
    seed: int
    chunk_size: int
    distribution: str
    issues: tuple[str, ...]
    issue_names: dict[str, str]
    bounds: np.ndarray  # (D, 2)
    inputs: tuple[str, ...]  # labels of the uncertain inputs
    summary: dict[str, IssueSummary]
    draws_completed: int
    deal_probability: float | None
    failed_chunks: tuple[int, ...]
    errors: dict[int, str] = field(default_factory=dict)
    deal_errors: dict[int, str] = field(default_factory=dict)
    out: Path | None = None
    rules: dict[str, str] = field(default_factory=dict)  # issue -> collective | consent | unilateral
    pressure_summary: dict[str, IssueSummary] = field(default_factory=dict)  # the model's own outcome
    agreements: tuple[str, ...] = ()
    agreement_probability: dict[str, float | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    """What ``resume`` found wrong with an earlier run's chunk files (each was computed again)."""
    _chunks: dict[int, ChunkResult] = field(default_factory=dict, repr=False)

    @property
    def n_chunks(self) -> int:
        return math.ceil(self.draws / self.chunk_size)

    @property
    def ok(self) -> bool:
        """True when every chunk completed."""
        return not self.failed_chunks

    def outcomes(self, issue: str | None = None) -> np.ndarray:
        """Completed draws in draw order, under the decision rules: ``(n, D)``, or ``(n,)`` for one ``issue``."""
        cols = list(self.issues) if issue is None else [issue]
        arrays = [np.column_stack([c[col] for col in cols]) for c in self._iter_columns(cols)]
        table = np.concatenate(arrays) if arrays else np.empty((0, len(cols)))
        return table if issue is None else table[:, 0]

    def pressures(self, issue: str | None = None) -> np.ndarray:
        """The model's own outcomes per draw (before the rules): ``(n, D)`` or ``(n,)``; the same as
        :meth:`outcomes` when no rule applies."""
        if not self.pressure_summary:
            return self.outcomes(issue)
        cols = [PRESSURE_PREFIX + d for d in (self.issues if issue is None else (issue,))]
        arrays = [np.column_stack([c[col] for col in cols]) for c in self._iter_columns(cols)]
        table = np.concatenate(arrays) if arrays else np.empty((0, len(cols)))
        return table if issue is None else table[:, 0]

    def agreed(self, agreement: str) -> np.ndarray:
        """Per completed draw, whether ``agreement`` was concluded."""
        col = AGREED_PREFIX + agreement
        parts = [c[col] for c in self._iter_columns([col]) if col in c]
        return np.concatenate(parts) if parts else np.empty(0, dtype=bool)

    def draw_index(self) -> np.ndarray:
        """Global index of every completed draw, in the order of :meth:`outcomes`."""
        parts = [c[DRAW_COLUMN] for c in self._iter_columns([DRAW_COLUMN])]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)

    def _iter_columns(self, cols: list[str]) -> Iterator[dict[str, np.ndarray]]:
        yield from _iter_columns(self._chunks, self.out, self.issues, self.n_chunks, cols, self.agreements)

    # notebook display (realpolitik.display) ----------------------------------------------------------
    def __repr__(self) -> str:
        return _display.montecarlo_repr(self)

    def _repr_html_(self) -> str:
        return _display.montecarlo_html(self)

    def to_frame(self) -> Any:
        """One row per completed draw (a pandas DataFrame indexed by draw), one column per issue."""
        return _display.montecarlo_frame(self)

    def plot(self) -> Any:
        """The distribution of outcomes per issue (a Plotly figure)."""
        return _display.montecarlo_plot(self)

    def to_json(self) -> dict[str, Any]:
        """The documented summary: no timings or paths, so equal runs give byte-identical JSON."""
        return {
            "scenario": self.scenario,
            "model": self.model,
            "params": _jsonable(self.params),
            "draws": self.draws,
            "draws_completed": self.draws_completed,
            "seed": self.seed,
            "chunk_size": self.chunk_size,
            "distribution": self.distribution,
            "uncertain_inputs": list(self.inputs),
            "issues": {
                d: {
                    "name": self.issue_names.get(d, d),
                    "rule": self.rules.get(d, "collective"),
                    **self.summary[d].to_json(),
                    **(
                        {"pressure": self.pressure_summary[d].to_json()} if d in self.pressure_summary else {}
                    ),
                }
                for d in self.issues
            },
            "agreement_probability": {k: _num(v) for k, v in self.agreement_probability.items()},
            "deal_probability": _num(self.deal_probability),
            "failed_chunks": list(self.failed_chunks),
        }


# ------------------------------------------------------------------------------------------ storage
def chunk_path(out: Path, index: int) -> Path:
    return out / f"chunk-{index:06d}.parquet"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _write_chunk(
    out: Path, res: ChunkResult, issues: tuple[str, ...], agreements: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Write one chunk (temp file, then rename); its manifest record (draw range, rows, SHA-256)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = res.outcome.shape[0]
    cols: dict[str, Any] = {DRAW_COLUMN: pa.array(np.arange(res.start, res.start + n, dtype=np.int64))}
    for j, d in enumerate(issues):
        cols[d] = pa.array(np.ascontiguousarray(res.outcome[:, j]))
    if res.deal is not None:
        cols[DEAL_COLUMN] = pa.array(res.deal)
    if res.pressure is not None:
        for j, d in enumerate(issues):
            cols[PRESSURE_PREFIX + d] = pa.array(np.ascontiguousarray(res.pressure[:, j]))
    if res.agreed is not None:
        for g, name in enumerate(agreements):
            cols[AGREED_PREFIX + name] = pa.array(np.ascontiguousarray(res.agreed[:, g]))
    final = chunk_path(out, res.index)
    tmp = final.with_name(final.name + f".{os.getpid()}.tmp")
    pq.write_table(pa.table(cols), tmp)
    record = {"start": int(res.start), "rows": int(n), "sha256": _sha256(tmp)}
    os.replace(tmp, final)
    return record


def chunk_columns(
    issues: tuple[str, ...], agreements: tuple[str, ...] = (), rules: bool = False
) -> list[str]:
    """The columns of a chunk file, in order (``_deal`` aside): the draw, the ruled outcome per issue, and
    when decision rules apply the pressure per issue and one flag per agreement."""
    cols = [DRAW_COLUMN, *issues]
    if rules:
        cols += [PRESSURE_PREFIX + d for d in issues]
        cols += [AGREED_PREFIX + a for a in agreements]
    return cols


def _chunk_problem(
    out: Path, index: int, start: int, size: int, issues: tuple[str, ...], record: Any, columns: list[str]
) -> str | None:
    """Why chunk file ``index`` of a run in ``out`` cannot be trusted, or None when it can.

    Trusted means: the manifest records it, its SHA-256 and row count match the record, its columns
    are the run's (:func:`chunk_columns`, optionally ``_deal``) and ``_draw`` holds exactly the chunk's
    draws ``start .. start + size - 1``. The file is never trusted on its row count alone.
    """
    import pyarrow.parquet as pq

    p = chunk_path(out, index)
    if not isinstance(record, dict) or not {"start", "rows", "sha256"} <= set(record):
        return "it is not recorded in the manifest (written after the last manifest update?)"
    if record["start"] != start or record["rows"] != size:
        return "its manifest record is for other draws"
    try:
        if _sha256(p) != record["sha256"]:
            return "its checksum does not match the manifest (changed or damaged since it was written)"
        schema = pq.read_schema(p)
        names = [n for n in schema.names if n != DEAL_COLUMN]
        if names != columns:
            return "its columns are not this run's"
        table = pq.read_table(p)
        if table.num_rows != size:
            return f"it has {table.num_rows} rows, expected {size}"
        draws = table.column(DRAW_COLUMN).to_numpy()
        if not np.array_equal(draws, np.arange(start, start + size)):
            return f"it does not hold draws {start}..{start + size - 1}"
        for d in issues:
            if not np.issubdtype(table.column(d).to_numpy().dtype, np.floating):
                return f"its column {d!r} is not numbers"
    except Exception as exc:  # a damaged file of any kind: set aside and recompute, never a traceback
        return f"it cannot be read ({type(exc).__name__})"
    return None


def _iter_columns(
    chunks: Mapping[int, ChunkResult],
    out: Path | None,
    issues: tuple[str, ...],
    n_chunks: int,
    cols: list[str],
    agreements: tuple[str, ...] = (),
) -> Iterator[dict[str, np.ndarray]]:
    """Requested columns chunk by chunk, in chunk order (only completed chunks)."""
    if out is None:
        for k in sorted(chunks):
            c = chunks[k]
            row: dict[str, np.ndarray] = {}
            for col in cols:
                if col == DRAW_COLUMN:
                    row[col] = np.arange(c.start, c.start + c.outcome.shape[0], dtype=np.int64)
                elif col == DEAL_COLUMN:
                    if c.deal is None:
                        continue
                    row[col] = c.deal
                elif col.startswith(PRESSURE_PREFIX):
                    if c.pressure is None:
                        continue
                    row[col] = c.pressure[:, issues.index(col.removeprefix(PRESSURE_PREFIX))]
                elif col.startswith(AGREED_PREFIX):
                    if c.agreed is None:
                        continue
                    row[col] = c.agreed[:, agreements.index(col.removeprefix(AGREED_PREFIX))]
                else:
                    row[col] = c.outcome[:, issues.index(col)]
            yield row
        return
    import pyarrow.parquet as pq

    for k in range(n_chunks):
        p = chunk_path(out, k)
        if not p.exists():
            continue
        names = set(pq.read_schema(p).names)
        table = pq.read_table(p, columns=[c for c in cols if c in names])
        yield {name: table.column(name).to_numpy() for name in table.column_names}


def _summarise(
    column: Callable[[str], np.ndarray], issues: tuple[str, ...], thresholds: Mapping[str, tuple[str, float]]
) -> dict[str, IssueSummary]:
    out = {}
    for d in issues:
        x = column(d)  # one issue at a time: peak memory is one column of every draw
        finite = x[np.isfinite(x)]
        if finite.size:
            qs = np.quantile(finite, [q / 100 for q in QUANTILES])
            mean = float(np.mean(finite))
        else:
            qs, mean = np.full(len(QUANTILES), np.nan), float("nan")
        quant = {q: float(v) for q, v in zip(QUANTILES, qs, strict=True)}
        th = thresholds.get(d)
        p = None
        if th is not None:
            op, v = th
            p = float(np.mean(_COMPARE[op](finite, v))) if finite.size else float("nan")
        out[d] = IssueSummary(d, quant, mean, (quant[10], quant[90]), int(x.size - finite.size), th, p)
        del x, finite
    return out


# ---------------------------------------------------------------------------------------- manifest
def _digest(scenario: Scenario) -> str:
    text = json.dumps(scenario.model_dump(mode="json", by_alias=True), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _manifest(
    scenario: Scenario,
    model: str,
    params: Mapping[str, Any],
    draws: int,
    seed: int,
    chunk_size: int,
    distribution: str,
    issues: tuple[str, ...],
    agreements: tuple[str, ...] = (),
) -> dict[str, Any]:
    return {
        "agreements": list(agreements),
        "format": FORMAT,
        "scenario": scenario.id,
        "scenario_digest": _digest(scenario),
        "model": model,
        "params": _jsonable(dict(params)),
        "draws": draws,
        "seed": seed,
        "chunk_size": chunk_size,
        "distribution": distribution,
        "issues": list(issues),
    }


def _write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    tmp = out / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, out / MANIFEST)


def _prepare_out(out: Path, manifest: dict[str, Any], resume: bool) -> dict[str, Any]:
    """Create ``out`` for a new run, or check that it holds this run; the chunk records found there.

    A resume needs the folder and its manifest: a mistyped folder is an error rather than a silent
    fresh start (drop ``resume`` to start one).
    """
    mpath = out / MANIFEST
    if resume and not out.is_dir():
        raise ResumeError(f"cannot resume {out}: no such folder (drop --resume to start a new run there)")
    if mpath.exists():
        if not resume:
            raise FileExistsError(f"{out} already holds a Monte Carlo run; resume it or choose another --out")
        try:
            old = json.loads(mpath.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise ResumeError(
                f"cannot resume {out}: its {MANIFEST} cannot be read ({type(exc).__name__})"
            ) from None
        if not isinstance(old, dict):
            raise ResumeError(f"cannot resume {out}: its {MANIFEST} is not a Monte Carlo manifest")
        diff = [k for k in manifest if k != "chunks" and old.get(k) != manifest[k]]
        if diff:
            detail = "; ".join(f"{k}: {old.get(k)!r} there, {manifest[k]!r} here" for k in diff)
            raise ManifestMismatchError(f"cannot resume {out}: its run differs ({detail})")
        for tmp in out.glob("chunk-*.tmp"):
            tmp.unlink(missing_ok=True)
        chunks = old.get("chunks")
        return dict(chunks) if isinstance(chunks, dict) else {}
    if resume:
        raise ResumeError(
            f"cannot resume {out}: it holds no Monte Carlo run (no {MANIFEST}; drop --resume to start one)"
        )
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty and holds no Monte Carlo manifest; choose an empty --out")
    out.mkdir(parents=True, exist_ok=True)
    _write_manifest(out, manifest)
    return {}


class _ManifestWriter:
    """Chunk records into the manifest: at most once a second while running, always at the end."""

    def __init__(self, out: Path, manifest: dict[str, Any], every: float = 1.0):
        self.out, self.manifest, self.every = out, manifest, every
        self.last = time.monotonic()
        self.dirty = False

    def record(self, index: int, rec: dict[str, Any] | None) -> None:
        key = f"{index:06d}"
        if rec is None:
            self.manifest["chunks"].pop(key, None)
        else:
            self.manifest["chunks"][key] = rec
        self.dirty = True
        if time.monotonic() - self.last >= self.every:
            self.flush()

    def flush(self) -> None:
        if self.dirty:
            _write_manifest(self.out, self.manifest)
            self.dirty = False
            self.last = time.monotonic()


# -------------------------------------------------------------------------------------------- runner
def _normalise_thresholds(
    thresholds: Mapping[str, Threshold] | None, issues: tuple[str, ...]
) -> dict[str, tuple[str, float]]:
    out: dict[str, tuple[str, float]] = {}
    for d, t in (thresholds or {}).items():
        if d not in issues:
            raise ValueError(f"threshold for unknown issue {d!r} (issues: {', '.join(issues)})")
        op, v = (">=", t) if not isinstance(t, tuple) else t
        if op not in _COMPARE:
            raise ValueError(f"threshold operator must be one of {', '.join(_COMPARE)}, got {op!r}")
        if not math.isfinite(float(v)):
            raise ValueError(f"threshold for {d!r}: expected a finite number, got {v!r}")
        out[d] = (op, float(v))
    return out


def with_uncertainty(scenario: Scenario, **defaults: Any) -> Scenario:
    """``scenario`` with its scenario-wide uncertainty defaults overridden (``position=0.05`` …)."""
    merged = {**scenario.uncertainty.model_dump(), **{k: v for k, v in defaults.items() if v is not None}}
    return scenario.model_copy(update={"uncertainty": Uncertainty(**merged)})


def monte_carlo(
    scenario: Scenario,
    draws: int,
    model: str = defaults.MODEL,
    seed: SeedLike = 0,
    executor: str | Executor | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    out: str | Path | None = None,
    resume: bool = False,
    workers: int | None = None,
    scheduler: str | None = None,
    thresholds: Mapping[str, Threshold] | None = None,
    progress: bool | Callable[[int, int], None] = False,
    *,
    distribution: str | None = None,
    deal_probe: DealProbe | bool | None = True,
    **params: Any,
) -> MonteCarloResult:
    """Run ``model`` on ``draws`` samples of the uncertain inputs of ``scenario``.

    ``executor``: ``"serial"`` (default), ``"processes"``, ``"dask"`` or a ready Executor; ``workers``
    its size; ``scheduler`` a Dask scheduler address. ``out``: a directory for the per-chunk Parquet
    files, ``manifest.json`` and ``summary.json`` (without it, draws are kept in memory). ``resume``
    continues a run in ``out`` (chunks already written are skipped; a different manifest is refused).
    ``thresholds``: ``{issue: value}`` (probability the outcome is ``>= value``) or
    ``{issue: (op, value)}`` with ``op`` one of ``>=``, ``<=``, ``>``, ``<``. ``deal_probe``: True looks up the deal analysis, False disables it, or
    a callable ``problem -> (n,) bool``. ``progress``: True draws a progress bar on standard error, a
    callable is called as ``progress(draws_done, draws_to_do)`` as draws complete (with the serial
    executor also within a chunk, as its deal probe advances). Remaining keyword arguments are model
    parameters.
    A chunk that fails is retried once, then listed in ``failed_chunks``; the other chunks are kept.
    """
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws < 1:
        raise ValueError(f"draws must be a whole number of at least 1, got {draws!r}")
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1:
        raise ValueError(f"chunk_size must be a whole number of at least 1, got {chunk_size!r}")
    DRAWS.check(draws, "Monte Carlo draws")
    if out is None:
        DRAWS_IN_MEMORY.check(
            draws, "Monte Carlo draws without an output folder (--out-dir streams them to disk)"
        )
    CHUNKS.check(math.ceil(draws / chunk_size), f"Monte Carlo chunks ({draws:,} draws of {chunk_size:,})")
    info = get_model(model)
    merged = info.check_params(params)
    seed_n = seed_int(seed)
    problem = scenario_problem(scenario)
    check_inputs(info, problem, scenario.id)
    spec = sampling_spec(scenario, problem, distribution)
    ths = _normalise_thresholds(thresholds, problem.issues)
    reader = RuleReader.of(scenario, problem)
    use_rules = bool((reader.kind != 0).any() or reader.conditions_all)
    rules = reader if use_rules else None
    agreements = tuple(ag.id for ag in reader.structure.agreements) if use_rules else ()
    probe: DealProbe | None
    if deal_probe is True:
        probe = default_deal_probe(scenario)
    elif deal_probe is False:
        probe = None
    else:
        probe = deal_probe
    n_chunks = math.ceil(draws / chunk_size)
    out_dir = Path(out) if out is not None else None
    manifest = _manifest(
        scenario, model, merged, draws, seed_n, chunk_size, spec.distribution, problem.issues, agreements
    )
    notes: list[str] = []
    writer: _ManifestWriter | None = None
    if out_dir is not None:
        records = _prepare_out(out_dir, manifest, resume)
        manifest["chunks"] = {}
        writer = _ManifestWriter(out_dir, manifest)
    seeds = chunk_seeds(seed_n, n_chunks)
    tasks = []
    for k in range(n_chunks):
        start = k * chunk_size
        size = min(chunk_size, draws - start)
        if out_dir is not None and resume and chunk_path(out_dir, k).exists():
            why = _chunk_problem(
                out_dir,
                k,
                start,
                size,
                problem.issues,
                records.get(f"{k:06d}"),
                chunk_columns(problem.issues, agreements, rules is not None),
            )
            if why is None:
                manifest["chunks"][f"{k:06d}"] = records[f"{k:06d}"]
                continue
            bad = chunk_path(out_dir, k)
            os.replace(bad, bad.with_name(bad.name + ".rejected"))
            notes.append(f"{bad}: {why}; set aside as {bad.name}.rejected and computed again")
        tasks.append(
            ChunkTask(k, start, size, seeds[k], spec, model, info.run.__module__, params, probe, rules)
        )
    if writer is not None:
        writer.dirty = True
        writer.flush()

    kept: dict[int, ChunkResult] = {}
    deal_errors: dict[int, str] = {}

    def on_result(res: ChunkResult) -> None:
        if res.deal_error is not None:
            deal_errors[res.index] = res.deal_error
        if out_dir is not None and writer is not None:
            writer.record(res.index, _write_chunk(out_dir, res, problem.issues, agreements))
        else:
            kept[res.index] = res

    todo = sum(t.size for t in tasks)
    with _progress(progress, todo, f"{scenario.id} · {model}") as advance:
        ticked: dict[int, int] = {}

        def tick(index: int, size: int, n: int) -> None:  # draws of chunk ``index`` done, each counted once
            add = min(n, size - ticked.get(index, 0))
            if add > 0:
                ticked[index] = ticked.get(index, 0) + add
                advance(add)

        def on_done(res: ChunkResult) -> None:
            on_result(res)
            tick(res.index, res.outcome.shape[0], res.outcome.shape[0])

        try:
            with open_executor(executor, workers=workers, scheduler=scheduler) as handle:
                if progress and handle.kind == "serial":  # in this process: report within a chunk too
                    tasks = [replace(t, tick=partial(tick, t.index, t.size)) for t in tasks]
                errors = execute(tasks, handle, on_done)
        finally:  # also on Ctrl-C: the chunks written so far stay verifiable for a resume
            if writer is not None:
                writer.flush()

    failed = tuple(sorted(errors))

    def column(name: str) -> np.ndarray:
        parts = [
            c[name]
            for c in _iter_columns(kept, out_dir, problem.issues, n_chunks, [name], agreements)
            if name in c
        ]
        return np.concatenate(parts) if parts else np.empty(0)

    summary = _summarise(column, problem.issues, ths)
    pressure_summary: dict[str, IssueSummary] = {}
    agreement_p: dict[str, float | None] = {}
    if rules is not None:
        raw = _summarise(lambda d: column(PRESSURE_PREFIX + d), problem.issues, {})
        pressure_summary = {d: raw[d] for d in problem.issues}
        for name in agreements:
            flags = column(AGREED_PREFIX + name)
            agreement_p[name] = float(np.mean(flags)) if flags.size else None
    completed = sum(min(chunk_size, draws - k * chunk_size) for k in range(n_chunks) if k not in errors)
    deal = column(DEAL_COLUMN) if probe is not None else np.empty(0)
    expected_deal = completed if not deal_errors else -1
    deal_p = float(np.mean(deal)) if deal.size and deal.size == expected_deal else None
    result = MonteCarloResult(
        scenario=scenario.id,
        model=model,
        params=merged,
        draws=draws,
        seed=seed_n,
        chunk_size=chunk_size,
        distribution=spec.distribution,
        issues=problem.issues,
        issue_names={iss.id: iss.name for iss in scenario.issues},
        bounds=problem.bounds,
        inputs=tuple(spec.labels),
        summary=summary,
        draws_completed=completed,
        deal_probability=deal_p,
        failed_chunks=failed,
        errors=errors,
        deal_errors=deal_errors,
        out=out_dir,
        rules=dict(reader.structure.rules),
        pressure_summary=pressure_summary,
        agreements=agreements,
        agreement_probability=agreement_p,
        notes=notes,
        _chunks=kept,
    )
    if out_dir is not None:
        tmp = out_dir / (SUMMARY + ".tmp")
        tmp.write_text(json.dumps(result.to_json(), indent=2) + "\n")
        os.replace(tmp, out_dir / SUMMARY)
    return result


@contextlib.contextmanager
def _progress(
    progress: bool | Callable[[int, int], None], total: int, title: str
) -> Iterator[Callable[[int], None]]:
    """``advance(n)``: ``n`` more of the ``total`` draws to compute are done."""
    if not progress or total == 0:
        yield lambda n: None
        return
    if callable(progress):
        done = [0]

        def report(n: int) -> None:
            done[0] += n
            progress(done[0], total)

        yield report
        return
    from realpolitik._terminal import ProgressBar

    with ProgressBar(title, total=total, unit="draws", delay=0.0) as bar:
        yield bar.advance


def _describe(exc: BaseException) -> str:
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" (at {last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno})" if last else ""
    return f"{type(exc).__name__}: {exc}{where}"


def execute(
    tasks: list[ChunkTask],
    handle: Any,
    on_result: Callable[[ChunkResult], None],
    max_attempts: int = MAX_ATTEMPTS,
) -> dict[int, str]:
    """Run ``tasks`` on ``handle``'s executor; return ``{chunk: error}`` for chunks that failed for good.

    At most twice the worker count is in flight, so results never pile up. A failed chunk is retried in
    isolation (nothing else in flight), so a chunk that kills its worker cannot take innocent chunks
    down with it on the retry; a broken process pool is replaced before going on.
    """
    pending: deque[ChunkTask] = deque(tasks)
    retry: deque[ChunkTask] = deque()
    attempts: dict[int, int] = {}
    errors: dict[int, str] = {}
    in_flight: dict[Future[ChunkResult], ChunkTask] = {}
    limit = max(2, 2 * int(handle.workers))

    def submit(task: ChunkTask) -> None:
        try:
            fut = handle.executor.submit(run_chunk, task)
        except (BrokenProcessPool, RuntimeError):
            if not handle.can_rebuild:
                raise
            handle.rebuild()
            fut = handle.executor.submit(run_chunk, task)
        in_flight[fut] = task

    def failed(task: ChunkTask, exc: BaseException) -> None:
        attempts[task.index] = attempts.get(task.index, 0) + 1
        if attempts[task.index] < max_attempts:
            retry.append(task)
        else:
            errors[task.index] = _describe(exc)

    while pending or retry or in_flight:
        if retry:
            if not in_flight:
                submit(retry.popleft())
        else:
            while pending and len(in_flight) < limit:
                submit(pending.popleft())
        done, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
        broken = False
        for fut in sorted(done, key=lambda f: in_flight[f].index):
            task = in_flight.pop(fut)
            try:
                res = fut.result()
            except BrokenProcessPool as exc:
                broken = True
                failed(task, exc)
            except Exception as exc:
                failed(task, exc)
            else:
                on_result(res)
        if broken:
            for fut in list(in_flight):  # the rest of a broken pool fails too
                task = in_flight.pop(fut)
                try:
                    on_result(fut.result())
                except Exception as exc:
                    failed(task, exc)
            handle.rebuild()
    sys.stderr.flush()
    return errors
