"""Which uncertain inputs move the forecast: one-at-a-time (tornado) and variance-based (Sobol).

Both work on the same uncertain inputs as Monte Carlo (:func:`~realpolitik.uncertainty.sampling_spec`)
and run the model once on a batch of problems. Like Monte Carlo, they measure the **outcome under the
decision rules** (:class:`~realpolitik.forecast.RuleReader`): what moves the forecast, not only the
model's own result. The model's own result, the **pressure**, is kept beside it (the tornado holds both;
``sobol(..., measure="pressure")`` analyses it instead). On a scenario without decision rules the two
are the same.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from realpolitik import defaults
from realpolitik._rng import SeedLike, seed_int
from realpolitik.forecast import RuleReader, _jsonable, check_inputs, run_problem, scenario_problem
from realpolitik.models import get_model
from realpolitik.scenario.schema import Scenario
from realpolitik.uncertainty.sampling import SamplingSpec, UncertainInput, apply, sampling_spec, transform

Measure = Literal["outcome", "pressure"]

#: What each measure is, in words (results carry it, so a report can label what it shows).
MEASURE_WORDS: dict[str, str] = {
    "outcome": "the outcome under the decision rules",
    "pressure": "the model's own result (the pressure), before the decision rules",
}


def _spec(scenario: Scenario, model: str, distribution: str | None, params: dict[str, Any]) -> SamplingSpec:
    info = get_model(model)
    info.check_params(params)
    problem = scenario_problem(scenario)
    check_inputs(info, problem, scenario.id)
    spec = sampling_spec(scenario, problem, distribution)
    if not spec.inputs:
        raise ValueError(
            f"{scenario.id}: no input is uncertain (give numbers a range, or set uncertainty: defaults)"
        )
    return spec


def _reader(scenario: Scenario, spec: SamplingSpec) -> RuleReader | None:
    """The scenario's decision rules, or None when every issue is collective and unconditional (then the
    outcome is the model's own)."""
    reader = RuleReader.of(scenario, spec.problem)
    return reader if bool((reader.kind != 0).any() or reader.conditions_all) else None


def _run(
    spec: SamplingSpec,
    values: np.ndarray,
    model: str,
    seed: SeedLike,
    batch: int,
    params: dict[str, Any],
    reader: RuleReader | None,
) -> tuple[np.ndarray, np.ndarray]:
    """The outcome under the rules and the pressure, each ``(n, D)``, of the model on every row of
    ``values``, ``batch`` rows at a time (as Monte Carlo reads its draws)."""
    outs, pressures = [], []
    n_a, n_d = spec.problem.n_actors, spec.problem.n_issues
    for s in range(0, values.shape[0], batch):
        problem = apply(spec, values[s : s + batch])
        traj = run_problem(problem, model, seed=seed, **params)
        pressure = np.asarray(traj.outcome, dtype=float).reshape(-1, n_d)
        outcome = pressure
        if reader is not None:
            final = np.asarray(traj.positions)[..., -1, :, :].reshape(-1, n_a, n_d)
            outcome, _moot, _agreed = reader.read(problem, pressure, final)
        pressures.append(pressure)
        outs.append(np.asarray(outcome, dtype=float).reshape(-1, n_d))
    return np.concatenate(outs), np.concatenate(pressures)


# ------------------------------------------------------------------------------------------- tornado
@dataclass(frozen=True)
class TornadoBar:
    input: UncertainInput
    low: float  # the measure with the input at its low end
    high: float  # the measure with the input at its high end
    swing: float  # |high - low|


@dataclass(frozen=True)
class Tornado:
    """One-at-a-time sensitivity: each input at its low and high end, the others at their values.

    ``base``/``low``/``high`` are the outcome under the decision rules (the forecast); the
    ``pressure_*`` arrays the model's own result in the same runs.
    """

    scenario: str
    model: str
    issues: tuple[str, ...]
    inputs: tuple[UncertainInput, ...]
    base: np.ndarray  # (D,) outcome under the rules with every input at its value
    low: np.ndarray  # (K, D)
    high: np.ndarray  # (K, D)
    pressure_base: np.ndarray | None = None  # (D,) the model's own result, every input at its value
    pressure_low: np.ndarray | None = None  # (K, D)
    pressure_high: np.ndarray | None = None  # (K, D)

    def _arrays(self, measure: Measure) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if measure == "outcome" or self.pressure_low is None:
            return self.base, self.low, self.high
        if measure == "pressure":
            assert self.pressure_base is not None and self.pressure_high is not None
            return self.pressure_base, self.pressure_low, self.pressure_high
        raise ValueError(f"measure must be 'outcome' or 'pressure', got {measure!r}")

    def bars(self, issue: str, measure: Measure = "outcome") -> list[TornadoBar]:
        """Bars for ``issue``, widest swing first (ties keep input order): of the outcome under the
        decision rules, or (``measure="pressure"``) of the model's own result."""
        j = self.issues.index(issue)
        _, low, high = self._arrays(measure)
        swing = np.abs(high[:, j] - low[:, j])
        order = np.argsort(-swing, kind="stable")
        return [
            TornadoBar(self.inputs[k], float(low[k, j]), float(high[k, j]), float(swing[k])) for k in order
        ]

    def _issue_json(self, j: int, d: str, measure: Measure) -> dict[str, Any]:
        base, _, _ = self._arrays(measure)
        return {
            "base": float(base[j]),
            "bars": [
                {
                    "input": b.input.label,
                    "path": b.input.path,
                    "low_value": b.input.low,
                    "high_value": b.input.high,
                    "low": b.low,
                    "high": b.high,
                    "swing": b.swing,
                }
                for b in self.bars(d, measure)
            ],
        }

    def to_json(self) -> dict[str, Any]:
        """Per issue the bars of the outcome under the rules (``base``, ``bars``) and, under
        ``pressure``, the same for the model's own result."""
        return {
            "scenario": self.scenario,
            "model": self.model,
            "measure": "outcome",
            "measure_words": MEASURE_WORDS["outcome"],
            "issues": {
                d: {
                    **self._issue_json(j, d, "outcome"),
                    "pressure": self._issue_json(j, d, "pressure"),
                }
                for j, d in enumerate(self.issues)
            },
        }


def tornado(
    scenario: Scenario,
    model: str = defaults.MODEL,
    *,
    seed: SeedLike = 0,
    distribution: str | None = None,
    **params: Any,
) -> Tornado:
    """Each uncertain input at the low and the high end of its support, all others at their values: the
    outcome under the decision rules (the baseline is the forecast with every input at its value) and
    the model's own pressure beside it."""
    spec = _spec(scenario, model, distribution, params)
    k = spec.n_inputs
    rows = np.repeat(spec.mode[None], 2 * k + 1, axis=0)
    idx = np.arange(k)
    rows[1 + 2 * idx, idx] = spec.low
    rows[2 + 2 * idx, idx] = spec.high
    out, pr = _run(spec, rows, model, seed, 4096, params, _reader(scenario, spec))
    return Tornado(
        scenario.id,
        model,
        spec.problem.issues,
        spec.inputs,
        out[0],
        out[1::2],
        out[2::2],
        pr[0],
        pr[1::2],
        pr[2::2],
    )


# --------------------------------------------------------------------------------------------- Sobol
Grouping = Literal["input", "actor", "kind"]


@dataclass(frozen=True)
class SobolIndices:
    """First-order (S1) and total (ST) Sobol indices per factor and issue, with 95% half-widths."""

    scenario: str
    model: str
    issues: tuple[str, ...]
    factors: tuple[str, ...]
    s1: np.ndarray  # (F, D)
    st: np.ndarray  # (F, D)
    s1_conf: np.ndarray  # (F, D)
    st_conf: np.ndarray  # (F, D)
    n_runs: int
    measure: str = "outcome"  # what the indices decompose: outcome (under the rules) | pressure

    def ranking(self, issue: str) -> list[tuple[str, float, float]]:
        """(factor, S1, ST) for ``issue``, largest total index first."""
        j = self.issues.index(issue)
        order = np.argsort(-np.nan_to_num(self.st[:, j], nan=-1.0), kind="stable")
        return [(self.factors[f], float(self.s1[f, j]), float(self.st[f, j])) for f in order]

    def to_json(self) -> dict[str, Any]:
        return _jsonable(
            {
                "scenario": self.scenario,
                "model": self.model,
                "measure": self.measure,
                "measure_words": MEASURE_WORDS.get(self.measure, self.measure),
                "n_runs": self.n_runs,
                "issues": {
                    d: [
                        {
                            "factor": f,
                            "S1": s1,
                            "ST": st,
                            "S1_conf": float(self.s1_conf[self.factors.index(f), j]),
                            "ST_conf": float(self.st_conf[self.factors.index(f), j]),
                        }
                        for f, s1, st in self.ranking(d)
                    ]
                    for j, d in enumerate(self.issues)
                },
            }
        )


def _factor(x: UncertainInput, groups: Grouping) -> str:
    if groups == "actor":
        return x.actor or (f"status quo {x.issue}" if x.issue else x.label)
    if groups == "kind":
        return x.kind
    return x.label


def sobol(
    scenario: Scenario,
    model: str = defaults.MODEL,
    *,
    n: int = 256,
    seed: SeedLike = 0,
    groups: Grouping = "input",
    distribution: str | None = None,
    batch: int = 8192,
    measure: Measure = "outcome",
    **params: Any,
) -> SobolIndices:
    """Variance-based sensitivity (Saltelli sampling, Sobol analysis with SALib), per issue, of the
    outcome under the decision rules (``measure="pressure"``: of the model's own result).

    Inputs are sampled in the unit hypercube with SALib's scrambled Sobol sequence and mapped through
    each input's inverse CDF, so the indices refer to the Monte Carlo distributions. ``groups``:
    ``"input"`` (every uncertain number), ``"actor"`` (all numbers of one actor together) or ``"kind"``
    (capability, position, salience ...). ``n`` (a power of 2) base samples give ``n (F + 2)`` runs.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample
    from SALib.util import extract_group_names

    if n < 2 or n & (n - 1):
        raise ValueError(f"n must be a power of 2 (Sobol sequence), got {n}")
    if measure not in MEASURE_WORDS:
        raise ValueError(f"measure must be 'outcome' or 'pressure', got {measure!r}")
    spec = _spec(scenario, model, distribution, params)
    names = [x.label for x in spec.inputs]
    labels = [_factor(x, groups) for x in spec.inputs]
    problem: dict[str, Any] = {
        "num_vars": spec.n_inputs,
        "names": names,
        "bounds": [[0.0, 1.0]] * spec.n_inputs,
    }
    if groups != "input":
        problem["groups"] = labels
    factors = tuple(str(g) for g in extract_group_names(problem)[0])  # SALib's order of the result rows
    ss = np.random.SeedSequence(int(np.random.default_rng(seed_int(seed)).integers(2**32)))
    sample_seed, analyze_seed = (int(s.generate_state(1)[0]) for s in ss.spawn(2))
    if len(factors) < 2:
        raise ValueError("Sobol analysis needs at least two uncertain factors")
    u = sobol_sample.sample(problem, n, calc_second_order=False, seed=sample_seed)
    ruled, pressure = _run(
        spec,
        transform(spec, u),
        model,
        seed,
        batch,
        params,
        _reader(scenario, spec) if measure == "outcome" else None,
    )
    out = ruled if measure == "outcome" else pressure
    f, d = len(factors), len(spec.problem.issues)
    s1, st, s1c, stc = (np.full((f, d), np.nan) for _ in range(4))
    for j in range(d):
        y = out[:, j]
        if not np.all(np.isfinite(y)):
            continue
        if np.ptp(y) == 0:
            s1[:, j] = st[:, j] = s1c[:, j] = stc[:, j] = 0.0
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=analyze_seed)
        s1[:, j], st[:, j] = res["S1"], res["ST"]
        s1c[:, j], stc[:, j] = res["S1_conf"], res["ST_conf"]
    return SobolIndices(
        scenario.id, model, spec.problem.issues, factors, s1, st, s1c, stc, int(u.shape[0]), measure
    )
