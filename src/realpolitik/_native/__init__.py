"""Optional compiled kernels for the small-run hot paths (smp's small path, the exchange engines).

The kernels are a second implementation of code that also exists in Python/NumPy; the Python code
is the reference and the fallback. The shared library is built at install time by the build hook
(``hatch_build.py``) when a C compiler is present; without one, realpolitik runs the Python code and
gives the same answers, only slower.

``REALPOLITIK_NATIVE`` chooses:

- unset or ``auto``: use the library when it is present and built from the shipped sources;
- ``0`` (or ``off``): never use it;
- ``1`` (or ``require``): use it, and fail with a one-line reason when it cannot be loaded.

A library compiled from different sources (a ``.c`` file edited after the build) is never used:
rebuild with ``python -m realpolitik._native.build``.
"""

import ctypes
import os
import sys
from functools import cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent
ABI_VERSION = 1


def _library_path(folder: Path) -> Path:
    suffix = ".dll" if sys.platform == "win32" else ".dylib" if sys.platform == "darwin" else ".so"
    return folder / ("_rpkernels" + suffix)


def _mode() -> str:
    raw = os.environ.get("REALPOLITIK_NATIVE", "auto").strip().lower()
    if raw in ("0", "off", "no", "false"):
        return "off"
    if raw in ("1", "on", "yes", "true", "require"):
        return "require"
    return "auto"


def _load(folder: Path = _HERE) -> tuple[ctypes.CDLL | None, str]:
    """The library built in ``folder`` from the sources there, or None and the reason."""
    if _mode() == "off":
        return None, "switched off by REALPOLITIK_NATIVE=0"
    path = _library_path(folder)
    if not path.exists():
        return None, f"not built ({path.name} missing; run python -m realpolitik._native.build)"
    try:
        lib = ctypes.CDLL(str(path))
        lib.rp_source_hash.restype = ctypes.c_char_p
        lib.rp_abi_version.restype = ctypes.c_int
    except (OSError, AttributeError) as err:
        return None, f"cannot be loaded: {str(err).splitlines()[0] if str(err) else type(err).__name__}"
    from realpolitik._native.build import source_hash

    built = lib.rp_source_hash().decode()
    if built != source_hash(folder):
        return None, "stale (built from other sources; run python -m realpolitik._native.build)"
    if lib.rp_abi_version() != ABI_VERSION:
        return None, f"interface version {lib.rp_abi_version()}, expected {ABI_VERSION}"
    return lib, f"loaded from {path}"


@cache
def _cached() -> tuple[ctypes.CDLL | None, str]:
    return _load()


def library() -> ctypes.CDLL | None:
    """The compiled kernels, or None when they are absent, stale or switched off."""
    lib, why = _cached()
    if lib is None and _mode() == "require":
        raise RuntimeError(f"realpolitik compiled kernels required by REALPOLITIK_NATIVE=1 but {why}")
    return lib


def status() -> str:
    """One line saying whether the compiled kernels are in use, and why not."""
    lib, why = _cached()
    return ("in use: " if lib is not None else "not in use: ") + why


def available() -> bool:
    """True when the compiled kernels are loaded (never raises)."""
    return _cached()[0] is not None
