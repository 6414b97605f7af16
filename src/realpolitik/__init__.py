"""realpolitik: strategic analysis of relations among states.

>>> import realpolitik as rp
>>> s = rp.load("ec-emissions-1994")
>>> round(rp.forecast(s, model="compromise").outcome["emission_standards"], 5)
7.38996
"""

__version__ = "0.1.0"  # first: submodules read it during import

from realpolitik import models as models
from realpolitik.deals import deals
from realpolitik.environment import resolve, sweep
from realpolitik.forecast import Forecast, ModelInputError, forecast
from realpolitik.models import BargainingProblem, Trajectory, get_model, model_names

# ``report`` last: the function shadows the subpackage name on purpose (rp.report(s, "out.html"));
# import the subpackage's contents with ``from realpolitik.report import ...``.
from realpolitik.report import report
from realpolitik.scenario import Scenario, ScenarioError, load, save, to_problem
from realpolitik.uncertainty import monte_carlo

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
