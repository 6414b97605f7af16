"""Bargaining models on arrays, and their registry.

Importing this package registers every built-in model.
"""

from realpolitik.models import closed_form as closed_form
from realpolitik.models import eum as eum
from realpolitik.models import exchange as exchange
from realpolitik.models import smp as smp
from realpolitik.models.problem import BargainingProblem, Trajectory
from realpolitik.models.registry import ModelInfo, get_model, model_names, register, registry

__all__ = [
    "BargainingProblem",
    "ModelInfo",
    "Trajectory",
    "get_model",
    "model_names",
    "register",
    "registry",
]
