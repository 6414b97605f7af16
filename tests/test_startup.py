"""Start-up: what ``import realpolitik`` and ``realpolitik --help`` load, and the lazy exports behind it.

Times are measured in ``benchmarks/bench_startup.py``; these tests guard the cause (which modules load).
"""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

import realpolitik

SRC = Path(realpolitik.__file__).parent
REPO = Path(__file__).resolve().parents[1]

HEAVY = (
    "scipy",
    "pandas",
    "matplotlib",
    "pyarrow",
    "dask",
    "SALib",
    "duckdb",
    "plotly",
    "fastapi",
    "sqlalchemy",
    "statsmodels",
)
"""Optional or heavy libraries that neither ``import realpolitik`` nor ``realpolitik --help`` may load."""

LAZY_PACKAGES = (
    "realpolitik",
    "realpolitik.models",
    "realpolitik.scenario",
    "realpolitik.environment",
    "realpolitik.deals",
)


def _loaded_after(code: str) -> set[str]:
    """Top-level names of the modules loaded by ``code`` in a fresh interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def test_import_realpolitik_loads_no_heavy_library() -> None:
    loaded = _loaded_after("import realpolitik")
    assert not loaded & {*HEAVY, "numpy", "pydantic", "yaml"}, loaded


def test_help_loads_neither_numpy_nor_pydantic() -> None:
    code = (
        "import sys\nsys.argv = ['realpolitik', '--help']\nfrom realpolitik.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
    )
    loaded = _loaded_after(code)
    assert "realpolitik" in loaded
    assert not loaded & {*HEAVY, "numpy", "pydantic", "yaml"}, loaded


def test_forecast_with_one_model_loads_only_that_model() -> None:
    code = "import realpolitik as rp\nrp.forecast(rp.load('ec-emissions-1994'), model='compromise')"
    probe = (
        code + "\nimport sys\nprint(sorted(m for m in sys.modules if m.startswith('realpolitik.models.')))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    models = set(ast.literal_eval(out.strip().splitlines()[-1]))
    assert "realpolitik.models.closed_form" in models
    assert not models & {"realpolitik.models.eum", "realpolitik.models.smp", "realpolitik.models.exchange"}
    assert not _loaded_after(code) & set(HEAVY)


def test_reading_csv_or_json_does_not_load_the_yaml_parser() -> None:
    csv = REPO / "tests" / "data" / "ktab" / "SOE-Pol-Comp" / "input.csv"
    code = (
        "import realpolitik as rp\n"
        f"s = rp.load({str(csv)!r})\n"
        "rp.scenario.from_dict(rp.scenario.to_dict(s), text='{}')"
    )
    assert "yaml" not in _loaded_after(code)
    assert "yaml" in _loaded_after("import realpolitik as rp\nrp.load('ec-emissions-1994')")


def _type_checking_imports(package: str) -> dict[str, str]:
    """The names a lazy package imports under ``if TYPE_CHECKING:``, with their modules."""
    path = SRC.parent / Path(*package.split(".")) / "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom) and imp.module
                for alias in imp.names:
                    name = alias.asname or alias.name
                    out[name] = f"{imp.module}.{alias.name}" if imp.module == package else imp.module
    return out


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_lazy_exports_match_the_type_checking_imports(package: str) -> None:
    mod = importlib.import_module(package)
    declared = dict(mod._EXPORTS)
    declared.update({name: f"{package}.{name}" for name in getattr(mod, "_SUBMODULES", ())})
    if package == "realpolitik":
        declared["models"] = "realpolitik.models"
    assert _type_checking_imports(package) == declared


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_every_public_name_resolves(package: str) -> None:
    mod = importlib.import_module(package)
    for name in mod.__all__:
        assert getattr(mod, name) is not None
        assert name in dir(mod)
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        _ = mod.nonexistent


def test_exported_functions_win_over_submodules_of_the_same_name() -> None:
    import realpolitik.deals
    import realpolitik.environment.resolve
    import realpolitik.environment.sweep
    import realpolitik.report  # the submodules are loaded; the functions stay

    assert isinstance(realpolitik.report, types.FunctionType)
    assert isinstance(realpolitik.deals, types.FunctionType)
    from realpolitik.environment import resolve, sweep

    assert isinstance(resolve, types.FunctionType) and isinstance(sweep, types.FunctionType)
    assert isinstance(realpolitik.models, types.ModuleType)


def test_registry_lists_builtin_models_without_loading_them() -> None:
    code = "from realpolitik.models import model_names\nprint(model_names())"
    probe = code + "\nimport sys\nprint('realpolitik.models.smp' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    names, smp_loaded = out.strip().splitlines()
    assert names == "('compromise', 'nash', 'eum', 'exchange', 'smp')"
    assert smp_loaded == "False"


@pytest.mark.parametrize("module", ["realpolitik.cli", "realpolitik.events.cli"])
def test_command_annotations_are_objects_not_strings(module: str) -> None:
    """Typer evaluates every command's annotations on each start; strings would each cost a compile()."""
    import typer.main

    mod = importlib.import_module(module)
    callbacks = [c.callback for c in mod.app.registered_commands]
    assert callbacks
    for callback in callbacks:
        strings = {k: v for k, v in callback.__annotations__.items() if isinstance(v, str)}
        assert not strings, f"{callback.__name__} has string annotations {sorted(strings)}"
    assert typer.main.get_command(mod.app) is not None
