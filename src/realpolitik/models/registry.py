"""The model registry: names to runnable models with their metadata.

The built-in models are known by name from the start and register themselves when their module is
imported, which happens on first use (:func:`get_model`, :func:`registry`): a forecast with one model
loads that model only. This module imports no NumPy, so the command line can list models cheaply.
"""

from __future__ import annotations

import importlib
import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np

    from realpolitik.models.problem import BargainingProblem, Trajectory

from realpolitik.limits import ROUNDS


class ModelRun(Protocol):
    def __call__(
        self, problem: BargainingProblem, *, rng: np.random.Generator | None = None, **params: Any
    ) -> Trajectory: ...


@dataclass(frozen=True)
class ModelInfo:
    """A registered model.

    ``run(problem, rng=..., **params)`` accepts problems with or without batch axes.
    ``params`` maps every parameter name to its default; ``choices`` lists the allowed values of
    parameters that take one of a fixed set. ``dynamic`` models move actors over rounds.
    ``requires`` names problem data the model needs
    (``"capability"``: capabilities must be given, not defaulted). ``per_issue_power`` is False for
    models that weigh each actor once across all issues (they take
    :meth:`~realpolitik.models.problem.BargainingProblem.actor_power` and refuse power that differs by issue).
    """

    name: str
    title: str
    run: Callable[..., Trajectory]
    stochastic: bool = False
    multi_issue: bool = False
    dynamic: bool = False
    params: Mapping[str, Any] = field(default_factory=dict)
    choices: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    kinds: Mapping[str, Any] = field(default_factory=dict)
    """An example value of the kind a parameter takes, for parameters whose default is ``None`` (e.g.
    ``{"rounds": 0}``: a whole number when given)."""
    requires: tuple[str, ...] = ()
    per_issue_power: bool = True
    description: str = ""
    reference: str = ""
    extras_to_json: Callable[[dict[str, Any], BargainingProblem], dict[str, Any]] | None = None
    """Turns the extras of one unbatched run into JSON-ready values keyed by actor and issue ids."""

    def check_params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults overlaid with ``params``; unknown names, values outside ``choices`` and values of
        another kind than the default (text for a number, a fraction for a count) raise ValueError."""
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            known = ", ".join(sorted(self.params)) or "none"
            raise ValueError(f"model {self.name!r} has no parameter {unknown[0]!r} (parameters: {known})")
        for key, value in params.items():
            example = self.params[key] if self.params[key] is not None else self.kinds.get(key)
            problem = None if value is None else _kind_problem(example, value)
            if problem:
                raise ValueError(f"model {self.name!r} parameter {key!r}: {problem}, got {value!r}")
            if isinstance(value, int) and not isinstance(value, bool):
                ROUNDS.check(value, f"model {self.name!r} parameter {key!r}")
        merged = {**self.params, **params}
        for key, allowed in self.choices.items():
            if merged[key] not in allowed:
                raise ValueError(
                    f"model {self.name!r} parameter {key!r} must be one of {', '.join(map(str, allowed))}, "
                    f"got {merged[key]!r}"
                )
        return merged


def _is_number(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _kind_problem(default: Any, value: Any) -> str | None:
    """What is wrong with ``value`` for a parameter whose default is ``default``, or None."""
    if isinstance(default, bool):
        return None if isinstance(value, bool) else "expected true or false"
    if isinstance(default, int):
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            return None if int(value) >= 0 else "expected a whole number >= 0"
        return "expected a whole number"
    if isinstance(default, float):
        if not _is_number(value):
            return "expected a number"
        return None if math.isfinite(float(value)) else "expected a finite number"
    if isinstance(default, str):
        return None if isinstance(value, str) else "expected text"
    return None


_REGISTRY: dict[str, ModelInfo] = {}

BUILTIN: Mapping[str, str] = MappingProxyType(
    {
        "compromise": "realpolitik.models.closed_form",
        "nash": "realpolitik.models.closed_form",
        "eum": "realpolitik.models.eum",
        "exchange": "realpolitik.models.exchange",
        "smp": "realpolitik.models.smp",
    }
)
"""The built-in models, in listing order, and the module that registers each (imported on first use)."""


def _load_builtin(name: str) -> None:
    module = BUILTIN.get(name)
    if module is not None and name not in _REGISTRY:
        importlib.import_module(module)  # registers ``name``; a module mid-import is returned as it is


def register(info: ModelInfo) -> ModelInfo:
    """Add a model to the registry (a name may be registered once; the built-in names are taken)."""
    _load_builtin(info.name)
    if info.name in _REGISTRY and _REGISTRY[info.name] is not info:
        raise ValueError(f"a model named {info.name!r} is already registered")
    _REGISTRY[info.name] = info
    return info


def unregister(name: str) -> None:
    """Remove a model from the registry (for plug-ins and tests; unknown names are ignored)."""
    _REGISTRY.pop(name, None)


def get_model(name: str) -> ModelInfo:
    """The registered model called ``name``."""
    _load_builtin(name)
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown model {name!r}; available: {', '.join(model_names())}") from None


def model_names() -> tuple[str, ...]:
    """Model names: the built-in ones, then others in registration order (loads no model)."""
    return tuple(dict.fromkeys([*BUILTIN, *_REGISTRY]))


def registry() -> Mapping[str, ModelInfo]:
    """A read-only view of the registry (every built-in model loaded), in :func:`model_names` order."""
    for name in BUILTIN:
        _load_builtin(name)
    return MappingProxyType({name: _REGISTRY[name] for name in model_names() if name in _REGISTRY})
