"""The optional compiled kernels: building, loading, refusing a stale library, and the fallback.

The kernels themselves are compared with the Python code they mirror in the model tests; here is the
machinery that decides whether they are used at all.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import realpolitik._native as native
from realpolitik._native import build as nbuild

REPO = Path(__file__).resolve().parents[1]
HERE = Path(native.__file__).resolve().parent
needs_cc = pytest.mark.skipif(nbuild.compiler() is None, reason="no C compiler on this machine")
SWITCHED_OFF = os.environ.get("REALPOLITIK_NATIVE", "").strip().lower() in ("0", "off", "no", "false")


@pytest.fixture(autouse=True)
def _auto_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests load libraries from folders of their own, whatever the session's REALPOLITIK_NATIVE."""
    monkeypatch.setenv("REALPOLITIK_NATIVE", "auto")


def _copy_sources(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for p in [*HERE.glob("*.c"), *HERE.glob("*.h")]:
        shutil.copy(p, dest / p.name)
    return dest


def test_status_is_one_line_and_says_whether_in_use() -> None:
    line = native.status()
    assert "\n" not in line
    assert line.startswith("in use: ") == native.available()
    assert line.startswith(("in use: ", "not in use: "))


@needs_cc
def test_installed_library_is_built_from_the_shipped_sources() -> None:
    """With a compiler present, the install built the kernels and they are in use.

    This fails (rather than letting every C-against-Python comparison skip) when a kernel source was
    edited without rebuilding: run ``python -m realpolitik._native.build``.
    """
    if SWITCHED_OFF:
        pytest.skip("REALPOLITIK_NATIVE=0 switches the kernels off")
    assert native.available(), native.status()
    lib = native.library()
    assert lib is not None
    assert lib.rp_source_hash().decode() == nbuild.source_hash(HERE)


@needs_cc
def test_build_load_and_stale_detection(tmp_path: Path) -> None:
    folder = _copy_sources(tmp_path / "k")
    path = nbuild.build(folder, folder)
    assert path.name == nbuild.library_name() and path.exists()
    assert [p.name for p in folder.iterdir() if p.suffix == ".tmp"] == []
    lib, why = native._load(folder)
    assert lib is not None, why
    assert why == f"loaded from {path}"
    assert lib.rp_abi_version() == native.ABI_VERSION
    # a source edited after the build: the library no longer matches and is not used
    first = sorted(folder.glob("*.c"))[0]
    first.write_text(first.read_text() + "\n/* edited */\n")
    lib2, why2 = native._load(folder)
    assert lib2 is None
    assert why2.startswith("stale")


def test_missing_library_is_not_used(tmp_path: Path) -> None:
    folder = _copy_sources(tmp_path / "k")
    lib, why = native._load(folder)
    assert lib is None
    assert why.startswith("not built")


def test_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REALPOLITIK_NATIVE", "0")
    assert native._load() == (None, "switched off by REALPOLITIK_NATIVE=0")


def test_required_but_missing_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REALPOLITIK_NATIVE", "1")
    monkeypatch.setattr(native, "_cached", lambda: (None, "not built (_rpkernels.so missing)"))
    with pytest.raises(RuntimeError, match=r"^realpolitik compiled kernels required .* not built") as info:
        native.library()
    assert "\n" not in str(info.value)
    monkeypatch.setenv("REALPOLITIK_NATIVE", "auto")
    assert native.library() is None


def test_a_file_that_is_not_a_library_is_refused(tmp_path: Path) -> None:
    folder = _copy_sources(tmp_path / "k")
    (folder / nbuild.library_name()).write_bytes(b"not a shared library")
    lib, why = native._load(folder)
    assert lib is None
    assert why.startswith("cannot be loaded: ") and "\n" not in why


def test_no_compiler_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nbuild, "compiler", lambda: None)
    with pytest.raises(RuntimeError, match=r"^no C compiler found"):
        nbuild.build(tmp_path, _copy_sources(tmp_path / "k"))


def test_failing_compiler_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    false = shutil.which("false")
    if false is None:
        pytest.skip("no `false` command")
    monkeypatch.setenv("CC", false)
    folder = _copy_sources(tmp_path / "k")
    before = sorted(p.name for p in folder.iterdir())
    with pytest.raises(RuntimeError, match=r"failed: exit 1$"):
        nbuild.build(folder, folder)
    assert sorted(p.name for p in folder.iterdir()) == before


@needs_cc
def test_compile_error_is_reported_in_one_line(tmp_path: Path) -> None:
    folder = _copy_sources(tmp_path / "k")
    (folder / "zz_broken.c").write_text("int broken( { return 0; }\n")
    with pytest.raises(RuntimeError) as info:
        nbuild.build(folder, folder)
    assert "\n" not in str(info.value)
    assert "zz_broken.c" in str(info.value)
    assert not (folder / nbuild.library_name()).exists()


def _wheel(tmp_path: Path, env: dict[str, str]) -> tuple[Path, str]:
    pytest.importorskip("hatchling")
    out = tmp_path / "dist"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-index", "--no-build-isolation"]
        + ["--disable-pip-version-check", "-w", str(out), str(REPO)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = out.glob("*.whl")
    return wheel, done.stderr


@needs_cc
def test_wheel_carries_the_library_built_from_its_sources(tmp_path: Path) -> None:
    wheel, _ = _wheel(tmp_path, {"REALPOLITIK_NATIVE": "auto"})
    assert not wheel.name.endswith("-none-any.whl")  # a platform wheel: it holds compiled code
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        assert f"realpolitik/_native/{nbuild.library_name()}" in names
        z.extractall(tmp_path / "unpacked")
    lib, why = native._load(tmp_path / "unpacked" / "realpolitik" / "_native")
    assert lib is not None, why
    assert isinstance(lib, ctypes.CDLL)


def test_wheel_without_a_compiler_is_pure_python(tmp_path: Path) -> None:
    false = shutil.which("false")
    if false is None:
        pytest.skip("no `false` command")
    wheel, _ = _wheel(tmp_path, {"CC": false, "REALPOLITIK_NATIVE": "auto"})
    assert wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as z:
        assert not [n for n in z.namelist() if "_rpkernels" in n]
        assert "realpolitik/_native/build.py" in z.namelist()
