"""The main job: every part of realpolitik run on one scenario, as one bundle of JSON-ready results.

Each part (forecasts, deals, environment sweep, Monte Carlo) is computed through its public API and
kept in its documented JSON form, so the report, the terminal summary and ``--format json`` all read
the same numbers. A part whose package or inputs are missing is recorded with the reason and its section
is left out of the report.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from realpolitik import __version__
from realpolitik.forecast import Forecast, ModelInputError, forecast
from realpolitik.models import model_names
from realpolitik.scenario import Scenario

DEFAULT_DRAWS = 2000
DEFAULT_MC_MODEL = "eum"


@dataclass
class Analysis:
    """Everything ``analyze`` computed for one scenario."""

    scenario: Scenario
    seed: int
    command: str
    forecasts: list[Forecast] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    deals: dict[str, Any] | None = None
    deals_object: Any = None
    sweep: dict[str, Any] | None = None
    sweep_object: Any = None
    montecarlo: dict[str, Any] | None = None
    montecarlo_object: Any = None
    notes: dict[str, str] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)
    version: str = __version__

    def forecast_by_model(self) -> dict[str, Forecast]:
        return {f.model: f for f in self.forecasts}

    def to_json(self) -> dict[str, Any]:
        """All results (docs/cli.md, ``analyze --format json``)."""
        from realpolitik.report.findings import findings

        return {
            "scenario": self.scenario.id,
            "title": self.scenario.title,
            "version": self.version,
            "seed": self.seed,
            "command": self.command,
            "forecasts": [f.to_json() for f in self.forecasts],
            "skipped": self.skipped,
            "deals": self.deals,
            "sweep": self.sweep,
            "montecarlo": self.montecarlo,
            "tornado": self.extras.get("tornado"),
            "sobol": self.extras.get("sobol"),
            "findings": [f.to_json() for f in findings(self)],
            "notes": self.notes,
        }


def _optional(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def sweep_driver(scenario: Scenario) -> str | None:
    """The driver ``analyze`` sweeps: the indicator behind the scenario's first link, if any."""
    env = scenario.environment
    for link in env.links:
        for name in env.indicators:
            if name in link.driver:
                return name
    return next(iter(env.indicators), None)


def run_analysis(
    scenario: Scenario,
    *,
    seed: int = 0,
    draws: int = DEFAULT_DRAWS,
    mc_model: str | None = None,
    sweep_model: str | None = None,
    command: str | None = None,
    parts: tuple[str, ...] = ("forecasts", "deals", "sweep", "montecarlo"),
) -> Analysis:
    """Run every available part on ``scenario``; parts that cannot run say why in ``notes``."""
    cmd = command or f"realpolitik analyze {scenario.id} --seed {seed}"
    result = Analysis(scenario=scenario, seed=seed, command=cmd)
    if "forecasts" in parts:
        for m in model_names():
            try:
                result.forecasts.append(forecast(scenario, model=m, seed=seed))
            except ModelInputError as exc:
                result.skipped[m] = str(exc)
    if "deals" in parts:
        _run_deals(result)
    if "sweep" in parts:
        _run_sweep(result, sweep_model)
    if "montecarlo" in parts:
        _run_montecarlo(result, draws, mc_model)
    return result


def _run_deals(result: Analysis) -> None:
    mod = _optional("realpolitik.deals")
    s = result.scenario
    if mod is None or not hasattr(mod, "deals"):
        result.notes["deals"] = "the deal analysis is not available in this version"
        return
    if len(s.parties) < 1:
        result.notes["deals"] = "the scenario names no parties, so there is no deal to analyse"
        return
    try:
        obj = mod.deals(s, seed=result.seed)
    except (ValueError, ModelInputError) as exc:
        result.notes["deals"] = f"deal analysis not possible: {exc}"
        return
    result.deals_object = obj
    result.deals = mod.deals_to_json(obj)
    if not result.deals["feasible"] and s.vetoes:
        # what the vetoes block: the same analysis with every veto dropped
        free = mod.deals(
            s.model_copy(update={"vetoes": []}), seed=result.seed, concessions=False, with_precedents=False
        )
        result.extras["deals_without_vetoes"] = mod.deals_to_json(free)
        result.extras["deals_without_vetoes_object"] = free


def _pick_model(preferred: str | None, fallbacks: tuple[str, ...], result: Analysis) -> str | None:
    ok = {f.model for f in result.forecasts}
    for m in (preferred, *fallbacks):
        if m and m in model_names() and (m in ok or not result.forecasts):
            return m
    return None


def _run_sweep(result: Analysis, model: str | None) -> None:
    mod = _optional("realpolitik.environment")
    s = result.scenario
    if mod is None or not hasattr(mod, "sweep"):
        result.notes["sweep"] = "the environment sweep is not available in this version"
        return
    driver = sweep_driver(s)
    if driver is None:
        result.notes["sweep"] = "the scenario declares no environment indicator to vary"
        return
    m = _pick_model(model, ("exchange", "compromise"), result)
    if m is None:
        result.notes["sweep"] = "no model can run on this scenario"
        return
    import numpy as np

    try:
        obj = mod.sweep(s, {driver: np.linspace(0.0, 1.0, 11)}, model=m)
    except (ValueError, ModelInputError) as exc:
        result.notes["sweep"] = f"sweep not possible: {exc}"
        return
    result.sweep_object = obj
    result.sweep = mod.sweep_to_json(obj)


def _run_montecarlo(result: Analysis, draws: int, model: str | None, sobol_n: int = 128) -> None:
    mod = _optional("realpolitik.uncertainty")
    s = result.scenario
    if mod is None or not hasattr(mod, "monte_carlo"):
        result.notes["montecarlo"] = "the Monte Carlo engine is not available in this version"
        return
    m = _pick_model(model, (DEFAULT_MC_MODEL, "compromise"), result)
    if m is None:
        result.notes["montecarlo"] = "no model can run on this scenario"
        return
    try:
        obj = mod.monte_carlo(s, draws=draws, model=m, seed=result.seed)
    except (ValueError, ModelInputError) as exc:
        result.notes["montecarlo"] = f"Monte Carlo not possible: {exc}"
        return
    result.montecarlo_object = obj
    result.montecarlo = mod.montecarlo_to_json(obj)
    try:
        result.extras["tornado"] = mod.tornado(s, model=m, seed=result.seed).to_json()
        result.extras["sobol"] = mod.sobol(s, model=m, n=sobol_n, seed=result.seed, groups="actor").to_json()
    except (ValueError, ModelInputError) as exc:
        result.notes["sensitivity"] = f"sensitivity analysis not possible: {exc}"
