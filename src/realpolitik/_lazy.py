"""Lazy package attributes (PEP 562), so that ``import realpolitik`` and ``realpolitik --help`` stay light.

A package lists what it exports and which module defines each name; :func:`attach` gives it the module
``__getattr__`` and ``__dir__`` that import the defining module on first access and cache the value in
the package. The package also imports the same names under ``typing.TYPE_CHECKING`` for mypy and
editors; ``tests/test_startup.py`` checks that the two lists agree and that every name resolves.

This is about start-up time only: the defining modules import their own dependencies at module level
as usual (no import inside a function to get round a cycle).
"""

from __future__ import annotations

import functools
import importlib
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any


class LazyPackage(types.ModuleType):
    """A package whose exported names win over its submodules of the same name.

    ``realpolitik.report`` is a function and ``realpolitik.environment.sweep`` too, while modules of
    those names exist; importing such a submodule must not replace the exported value (the import
    system sets ``package.name`` to the submodule). ``from package.name import ...`` is unaffected.
    """

    _lazy_exports: Mapping[str, str]

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and name in self.__dict__.get("_lazy_exports", {}):
            return
        super().__setattr__(name, value)


def attach(
    package: str, exports: Mapping[str, str], submodules: tuple[str, ...] = ()
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Make ``package`` lazy; return its ``__getattr__`` and ``__dir__``.

    ``exports`` maps each public name to the module that defines it; ``submodules`` names submodules
    that are public attributes of the package as well (``package.name``).
    """
    module = sys.modules[package]
    module.__class__ = LazyPackage
    module.__dict__["_lazy_exports"] = exports

    def __getattr__(name: str) -> Any:
        if name in submodules:
            value = importlib.import_module(f"{package}.{name}")
        elif name in exports:
            value = getattr(importlib.import_module(exports[name]), name)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module.__dict__[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(module.__dict__) | set(exports) | set(submodules))

    return __getattr__, __dir__


def lazy_function(module: str, name: str) -> Callable[..., Any]:
    """A stand-in for the function ``module.name`` that imports ``module`` when it is first called."""

    @functools.cache
    def target() -> Callable[..., Any]:
        fn: Callable[..., Any] = getattr(importlib.import_module(module), name)
        return fn

    def call(*args: Any, **kwargs: Any) -> Any:
        return target()(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__module__ = module
    call.__doc__ = f"``{module}.{name}``, imported on the first call."
    return call
