"""The main job: every part of realpolitik run on one scenario, as one bundle of JSON-ready results.

Each part (forecasts, deals, environment sweep, Monte Carlo) is computed through its public API and
kept in its documented JSON form, so the report, the terminal summary and ``--format json`` all read
the same numbers. A part that cannot run on the scenario is recorded with the reason and its section
says so.

**One model per analysis.** Monte Carlo, the sensitivity analysis, the environment sweep and the
headline of the summary card all use the same model (``model``; default :data:`DEFAULT_MODEL`). The
forecasts of every other model are shown beside it, each for what it is, never averaged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from realpolitik import __version__, defaults
from realpolitik.forecast import Forecast, ModelInputError, forecast, scenario_problem
from realpolitik.models import get_model, model_names
from realpolitik.report.findings import findings
from realpolitik.report.stats import modes
from realpolitik.report.summary import summary_card
from realpolitik.scenario import Scenario

#: The shared defaults (:mod:`realpolitik.defaults`): draws of the analysis's Monte Carlo step, and the
#: model of Monte Carlo, sensitivity, sweep and headline when the caller names none, with its reason.
DEFAULT_DRAWS = defaults.ANALYSIS_DRAWS
DEFAULT_MODEL = defaults.MODEL
DEFAULT_MODEL_REASON = defaults.MODEL_REASON

#: Fallbacks, in order, when the chosen model cannot run on the scenario.
FALLBACK_MODELS = defaults.FALLBACK_MODELS

Progress = Callable[[str, int, int], None]
"""``progress(step, done, total)``: called before each step (``done`` steps finished) and at the end."""


@dataclass
class Analysis:
    """Everything ``analyze`` computed for one scenario."""

    scenario: Scenario
    seed: int
    command: str
    model: str | None = None
    model_reason: str = ""
    forecasts: list[Forecast] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    deals: dict[str, Any] | None = None
    deals_object: Any = None
    sweep: dict[str, Any] | None = None
    sweep_object: Any = None
    montecarlo: dict[str, Any] | None = None
    montecarlo_object: Any = None
    trust: dict[str, Any] | None = None  # realpolitik.backtest.trust.trust_section (the analogues' backtest)
    notes: dict[str, str] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)
    version: str = __version__

    def forecast_by_model(self) -> dict[str, Forecast]:
        return {f.model: f for f in self.forecasts}

    @property
    def headline(self) -> Forecast | None:
        """The forecast of the analysis' model (the one the summary card leads with)."""
        return self.forecast_by_model().get(self.model or "")

    def __repr__(self) -> str:
        return (
            f"Analysis({self.scenario.id!r}, model={self.model!r}, seed={self.seed}, "
            f"forecasts={[f.model for f in self.forecasts]}, deals={'yes' if self.deals else 'no'}, "
            f"sweep={'yes' if self.sweep else 'no'}, montecarlo={'yes' if self.montecarlo else 'no'})"
        )

    def _repr_html_(self) -> str:
        from realpolitik.report.render import render_card_html

        return render_card_html(self)

    def to_json(self) -> dict[str, Any]:
        """All results (docs/cli.md, ``analyze --format json``)."""
        return {
            "scenario": self.scenario.id,
            "title": self.scenario.title,
            "version": self.version,
            "seed": self.seed,
            "command": self.command,
            "model": self.model,
            "model_reason": self.model_reason,
            "summary": summary_card(self).to_json(),
            "forecasts": [f.to_json() for f in self.forecasts],
            "skipped": self.skipped,
            "deals": self.deals,
            "sweep": self.sweep,
            "montecarlo": self.montecarlo,
            "trust": None
            if self.trust is None
            else {k: v for k, v in self.trust.items() if k != "figure_svg"},
            "montecarlo_modes": self.extras.get("mc_modes"),
            "tornado": self.extras.get("tornado"),
            "sobol": self.extras.get("sobol"),
            "findings": [f.to_json() for f in findings(self)],
            "notes": self.notes,
        }


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
    model: str | None = None,
    command: str | None = None,
    parts: tuple[str, ...] = ("forecasts", "deals", "sweep", "montecarlo", "trust"),
    progress: Progress | None = None,
) -> Analysis:
    """Run every part on ``scenario``; parts that cannot run say why in ``notes``.

    ``model``: the one model of Monte Carlo, sensitivity, sweep and the summary card's headline
    (default :data:`DEFAULT_MODEL`; when it cannot run on the scenario, the first of
    :data:`FALLBACK_MODELS` that can, and the notes say so). ``progress``: see :data:`Progress`.
    """
    if model is not None:
        get_model(model)  # unknown names fail here, before any work
    cmd = command or f"realpolitik analyze {scenario.id} --seed {seed}"
    result = Analysis(scenario=scenario, seed=seed, command=cmd)
    steps: list[tuple[str, Callable[[], None]]] = []
    if "forecasts" in parts:
        for m in model_names():
            steps.append((f"forecast {m}", partial(_run_forecast, result, m)))
    steps.append(("choose model", lambda: _choose_model(result, model)))
    if "deals" in parts:
        steps.append(("deals", lambda: _run_deals(result)))
    if "sweep" in parts:
        steps.append(("environment sweep", lambda: _run_sweep(result)))
    if "montecarlo" in parts:
        steps.append(("Monte Carlo", lambda: _run_montecarlo(result, draws)))
        steps.append(("sensitivity", lambda: _run_sensitivity(result)))
    if "trust" in parts:
        steps.append(("backtest of the analogues", lambda: _run_trust(result)))
    for k, (name, fn) in enumerate(steps):
        if progress is not None:
            progress(name, k, len(steps))
        fn()
    if progress is not None:
        progress("done", len(steps), len(steps))
    return result


def _run_forecast(result: Analysis, m: str) -> None:
    try:
        result.forecasts.append(forecast(result.scenario, model=m, seed=result.seed))
    except ModelInputError as exc:
        result.skipped[m] = str(exc)


def _choose_model(result: Analysis, wanted: str | None) -> None:
    ran = {f.model for f in result.forecasts}
    first = wanted or DEFAULT_MODEL
    for m in (first, *FALLBACK_MODELS):
        if m in ran or (not result.forecasts and m == first):
            result.model = m
            break
    if result.model is None:
        result.notes["model"] = "no model can run on this scenario"
        return
    if result.model == first:
        result.model_reason = "chosen by the user" if wanted is not None else DEFAULT_MODEL_REASON
    else:
        why = result.skipped.get(first, "it could not run")
        result.model_reason = (
            f"{first} could not run on this scenario ({why}); {result.model} is the first that can"
        )


def _run_deals(result: Analysis) -> None:
    from realpolitik.deals import deals, deals_to_json

    s = result.scenario
    if len(s.parties) < 1:
        result.notes["deals"] = "the scenario names no parties, so there is no deal to analyse"
        return
    try:
        obj = deals(s, seed=result.seed)
    except (ValueError, ModelInputError) as exc:
        result.notes["deals"] = f"deal analysis not possible: {exc}"
        return
    result.deals_object = obj
    result.deals = deals_to_json(obj)
    if not result.deals["feasible"] and s.vetoes:
        # what the vetoes block: the same analysis with every veto dropped
        free = deals(
            s.model_copy(update={"vetoes": []}), seed=result.seed, concessions=False, with_precedents=False
        )
        result.extras["deals_without_vetoes"] = deals_to_json(free)
        result.extras["deals_without_vetoes_object"] = free


def _run_sweep(result: Analysis) -> None:
    from realpolitik.environment.sweep import sweep, sweep_to_json

    s = result.scenario
    driver = sweep_driver(s)
    if driver is None:
        result.notes["sweep"] = "the scenario declares no environment indicator to vary"
        return
    if result.model is None:
        result.notes["sweep"] = "no model can run on this scenario"
        return
    try:
        obj = sweep(s, {driver: np.linspace(0.0, 1.0, 11)}, model=result.model, seed=result.seed)
    except (ValueError, ModelInputError) as exc:
        result.notes["sweep"] = f"sweep not possible: {exc}"
        return
    result.sweep_object = obj
    result.sweep = sweep_to_json(obj)


def _run_montecarlo(result: Analysis, draws: int) -> None:
    from realpolitik.uncertainty import monte_carlo, montecarlo_to_json, sampling_spec

    s = result.scenario
    if result.model is None:
        result.notes["montecarlo"] = "no model can run on this scenario"
        return
    try:
        spec = sampling_spec(s, scenario_problem(s))
    except ValueError as exc:
        result.notes["montecarlo"] = f"Monte Carlo not possible: {exc}"
        return
    if not spec.inputs:
        result.notes["montecarlo"] = (
            "Monte Carlo skipped: no number of this scenario has a range and no scenario-wide uncertainty "
            "default is set, so every draw would repeat the point forecast. Give numbers a range (or set "
            "uncertainty: defaults) to see how far the forecasts could move."
        )
        return
    try:
        obj = monte_carlo(s, draws=draws, model=result.model, seed=result.seed)
    except (ValueError, ModelInputError) as exc:
        result.notes["montecarlo"] = f"Monte Carlo not possible: {exc}"
        return
    result.montecarlo_object = obj
    result.montecarlo = montecarlo_to_json(obj)
    try:
        table = obj.outcomes()
    except (OSError, ValueError):  # an unreadable chunk file must not break the report
        return
    bounds = np.asarray(obj.bounds, dtype=float)
    result.extras["mc_samples"] = {iid: table[:, j] for j, iid in enumerate(obj.issues)}
    result.extras["mc_modes"] = {
        iid: [m.to_json() for m in modes(table[:, j], (bounds[j, 0], bounds[j, 1]))]
        for j, iid in enumerate(obj.issues)
    }


def _run_trust(result: Analysis) -> None:
    from realpolitik.backtest.trust import trust_section

    try:
        result.trust = trust_section(result.scenario, seed=result.seed, model=result.model)
    except (ValueError, ModelInputError) as exc:
        result.notes["trust"] = f"backtest of the analogues not possible: {exc}"


def _run_sensitivity(result: Analysis, sobol_n: int = 128) -> None:
    from realpolitik.uncertainty import sobol, tornado

    if result.montecarlo is None or result.model is None:
        return
    s, m = result.scenario, result.model
    try:
        result.extras["tornado"] = tornado(s, model=m, seed=result.seed).to_json()
        result.extras["sobol"] = sobol(s, model=m, n=sobol_n, seed=result.seed, groups="actor").to_json()
    except (ValueError, ModelInputError) as exc:
        result.notes["sensitivity"] = f"sensitivity analysis not possible: {exc}"
