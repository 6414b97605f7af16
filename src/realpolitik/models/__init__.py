"""Bargaining models on arrays, and their registry.

The built-in models register themselves when first asked for (``get_model``, ``registry``), so a run
of one model loads only that model's module.
"""

from typing import TYPE_CHECKING

from realpolitik._lazy import attach

_EXPORTS = {
    "BargainingProblem": "realpolitik.models.problem",
    "ModelInfo": "realpolitik.models.registry",
    "ModelInputError": "realpolitik.models.errors",
    "Trajectory": "realpolitik.models.problem",
    "get_model": "realpolitik.models.registry",
    "model_names": "realpolitik.models.registry",
    "register": "realpolitik.models.registry",
    "registry": "realpolitik.models.registry",
}
_SUBMODULES = ("closed_form", "eum", "exchange", "smp")

__getattr__, __dir__ = attach(__name__, _EXPORTS, _SUBMODULES)

if TYPE_CHECKING:
    from realpolitik.models import closed_form as closed_form
    from realpolitik.models import eum as eum
    from realpolitik.models import exchange as exchange
    from realpolitik.models import smp as smp
    from realpolitik.models.errors import ModelInputError
    from realpolitik.models.problem import BargainingProblem, Trajectory
    from realpolitik.models.registry import ModelInfo, get_model, model_names, register, registry

__all__ = [
    "BargainingProblem",
    "ModelInfo",
    "ModelInputError",
    "Trajectory",
    "get_model",
    "model_names",
    "register",
    "registry",
]
