"""Build hook: compile realpolitik's optional C kernels into the wheel.

Runs for regular and editable wheels. Without a C compiler, or when compilation fails, it prints one
line and the install goes on with the pure-Python code (same results, slower), unless
REALPOLITIK_NATIVE=1 asks for the kernels, in which case the install fails with that line.
"""

import importlib.util
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def _build_module(root: str) -> Any:
    path = Path(root) / "src" / "realpolitik" / "_native" / "build.py"
    spec = importlib.util.spec_from_file_location("_realpolitik_native_build", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class NativeKernelsHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        nb = _build_module(self.root)
        folder = Path(self.root) / "src" / "realpolitik" / "_native"
        required = os.environ.get("REALPOLITIK_NATIVE", "").strip().lower() in (
            "1",
            "on",
            "yes",
            "true",
            "require",
        )
        if os.environ.get("REALPOLITIK_NATIVE", "").strip().lower() in ("0", "off", "no", "false"):
            print("realpolitik kernels: skipped (REALPOLITIK_NATIVE=0)", file=sys.stderr)
            return
        try:
            if version == "editable":
                # the editable install imports from src/, so the library goes next to its sources
                nb.build(folder, folder)
            else:
                out = Path(tempfile.mkdtemp(prefix="rpkernels"))
                lib = nb.build(out, folder)
                build_data["force_include"][str(lib)] = f"realpolitik/_native/{lib.name}"
                build_data["pure_python"] = False
                build_data["infer_tag"] = True
        except RuntimeError as err:
            line = f"realpolitik kernels: not built, using the pure-Python code: {err}"
            if required:
                raise RuntimeError(line) from None
            print(line, file=sys.stderr)
