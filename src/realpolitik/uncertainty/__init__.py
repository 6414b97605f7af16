"""Uncertainty: Monte Carlo over the scenario's input ranges, executors, and sensitivity analysis.

>>> import realpolitik as rp
>>> from realpolitik.uncertainty import monte_carlo, with_uncertainty
>>> s = with_uncertainty(rp.load("ec-emissions-1994"), position=0.05, capability=0.2)
>>> m = monte_carlo(s, draws=2_000, model="compromise", seed=7, chunk_size=500)
>>> m.draws_completed, m.failed_chunks
(2000, ())
>>> lo, hi = m.summary["emission_standards"].interval80
>>> bool(lo < rp.forecast(s, model="compromise").outcome["emission_standards"] < hi)
True
"""

from realpolitik.uncertainty.executors import (
    EXECUTORS,
    ExecutorHandle,
    MissingDependencyError,
    SerialExecutor,
    open_executor,
)
from realpolitik.uncertainty.report import montecarlo_headline, montecarlo_to_json, render_montecarlo
from realpolitik.uncertainty.runner import (
    QUANTILES,
    ChunkResult,
    ChunkTask,
    IssueSummary,
    ManifestMismatchError,
    MonteCarloResult,
    chunk_seeds,
    monte_carlo,
    run_chunk,
    with_uncertainty,
)
from realpolitik.uncertainty.sampling import (
    DISTRIBUTIONS,
    SamplingSpec,
    UncertainInput,
    apply,
    draw,
    sampling_spec,
    transform,
)
from realpolitik.uncertainty.sensitivity import SobolIndices, Tornado, TornadoBar, sobol, tornado

__all__ = [
    "DISTRIBUTIONS",
    "EXECUTORS",
    "QUANTILES",
    "ChunkResult",
    "ChunkTask",
    "ExecutorHandle",
    "IssueSummary",
    "ManifestMismatchError",
    "MissingDependencyError",
    "MonteCarloResult",
    "SamplingSpec",
    "SerialExecutor",
    "SobolIndices",
    "Tornado",
    "TornadoBar",
    "UncertainInput",
    "apply",
    "chunk_seeds",
    "draw",
    "monte_carlo",
    "montecarlo_headline",
    "montecarlo_to_json",
    "open_executor",
    "render_montecarlo",
    "run_chunk",
    "sampling_spec",
    "sobol",
    "tornado",
    "transform",
    "with_uncertainty",
]
