"""realpolitik: strategic analysis of relations among states.

>>> import realpolitik as rp
>>> s = rp.load("ec-emissions-1994")
>>> round(rp.forecast(s, model="compromise").outcome["emission_standards"], 5)
7.38996

The public names below load on first use (PEP 562), so ``import realpolitik`` costs almost nothing and
``rp.load`` pulls in only the scenario layer; ``rp.forecast`` then the model it runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from realpolitik._lazy import attach

__version__ = "0.1.0"

_EXPORTS = {
    "BargainingProblem": "realpolitik.models.problem",
    "Forecast": "realpolitik.forecast",
    "ModelInputError": "realpolitik.models.errors",
    "Scenario": "realpolitik.scenario.schema",
    "ScenarioError": "realpolitik.scenario.errors",
    "Trajectory": "realpolitik.models.problem",
    "deals": "realpolitik.deals.analysis",
    "forecast": "realpolitik.forecast",
    "get_model": "realpolitik.models.registry",
    "load": "realpolitik.scenario.io",
    "model_names": "realpolitik.models.registry",
    "monte_carlo": "realpolitik.uncertainty.runner",
    "report": "realpolitik.report",
    "resolve": "realpolitik.environment.resolve",
    "save": "realpolitik.scenario.io",
    "sweep": "realpolitik.environment.sweep",
    "to_problem": "realpolitik.scenario.convert",
}

__getattr__, __dir__ = attach(__name__, _EXPORTS, submodules=("models",))

if TYPE_CHECKING:
    from realpolitik import models as models
    from realpolitik.deals.analysis import deals
    from realpolitik.environment.resolve import resolve
    from realpolitik.environment.sweep import sweep
    from realpolitik.forecast import Forecast, forecast
    from realpolitik.models.errors import ModelInputError
    from realpolitik.models.problem import BargainingProblem, Trajectory
    from realpolitik.models.registry import get_model, model_names
    from realpolitik.report import report
    from realpolitik.scenario.convert import to_problem
    from realpolitik.scenario.errors import ScenarioError
    from realpolitik.scenario.io import load, save
    from realpolitik.scenario.schema import Scenario
    from realpolitik.uncertainty.runner import monte_carlo


__all__ = [
    "BargainingProblem",
    "Forecast",
    "ModelInputError",
    "Scenario",
    "ScenarioError",
    "Trajectory",
    "__version__",
    "deals",
    "forecast",
    "get_model",
    "load",
    "model_names",
    "monte_carlo",
    "report",
    "resolve",
    "save",
    "sweep",
    "to_problem",
]
