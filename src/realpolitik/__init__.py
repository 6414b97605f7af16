"""realpolitik: strategic analysis of relations among states.

>>> import realpolitik as rp
>>> s = rp.load("ec-emissions-1994")
>>> round(rp.forecast(s, model="compromise").outcome["emission_standards"], 5)
7.38996
"""

from typing import Any

from realpolitik import models as models
from realpolitik.forecast import Forecast, ModelInputError, forecast
from realpolitik.models import BargainingProblem, Trajectory, get_model, model_names
from realpolitik.scenario import Scenario, ScenarioError, load, save, to_problem

__version__ = "0.1.0"

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


def deals(scenario: Any, **options: Any) -> Any:
    """The deal space of a scenario (see :func:`realpolitik.deals.deals`)."""
    from realpolitik.deals import deals as _deals

    return _deals(scenario, **options)


def resolve(scenario: Any, overrides: Any = None) -> Any:
    """The plain numbers the models see, with links applied (see :func:`realpolitik.environment.resolve`)."""
    from realpolitik.environment import resolve as _resolve

    return _resolve(scenario, overrides)


def sweep(scenario: Any, drivers: Any, model: str = "compromise", **kwargs: Any) -> Any:
    """A what-if sweep over one or two drivers (see :func:`realpolitik.environment.sweep`)."""
    from realpolitik.environment import sweep as _sweep

    return _sweep(scenario, drivers, model=model, **kwargs)


def monte_carlo(scenario: Any, draws: int, model: str = "eum", seed: Any = 0, executor: Any = None, **kwargs: Any) -> Any:
    """Monte Carlo over the scenario's uncertain inputs (see :func:`realpolitik.uncertainty.monte_carlo`)."""
    from realpolitik.uncertainty import monte_carlo as _mc

    return _mc(scenario, draws=draws, model=model, seed=seed, executor=executor, **kwargs)


def report(scenario: Any, path: Any, **kwargs: Any) -> Any:
    """Analyse a scenario and write the report (see :func:`realpolitik.report.report`)."""
    from realpolitik.report import report as _report

    return _report(scenario, path, **kwargs)
