"""realpolitik: strategic analysis of relations among states.

>>> import realpolitik as rp
>>> s = rp.load("ec-emissions-1994")
>>> round(rp.forecast(s, model="compromise").outcome["emission_standards"], 5)
7.38996
"""

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
    "forecast",
    "get_model",
    "load",
    "model_names",
    "save",
    "to_problem",
]
