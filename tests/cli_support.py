"""Helpers for the command-line tests: the app in-process (``CliRunner``) and the installed entry point.

Import from a test module with ``from tests.cli_support import ok, fails``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from realpolitik.cli import app

GOOD = """\
id: toy
title: A toy
actors:
  - {id: A, name: Alpha, capability: 1}
  - {id: B, name: Beta, capability: 2}
issues:
  - {id: x, name: X, bounds: [0, 100], status_quo: 50}
positions:
  A: {x: {position: 20, salience: 0.9}}
  B: {x: {position: 80, salience: 0.5}}
parties: [A, B]
"""
"""A valid two-actor, one-issue scenario with parties."""

#: Characters that must never reach a terminal raw: ESC (CSI, OSC), BEL, NUL, CR, bidi override.
RAW_CONTROL = ("\x1b", "\x07", "\x00", "\r", "\u202e", "\u2066", "\x9b")

runner = CliRunner()


def invoke(*args: Any, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(app, [str(a) for a in args], env=env)


def no_raw_control(text: str) -> None:
    bad = [c for c in RAW_CONTROL if c in text]
    assert not bad, f"raw control characters {bad!r} in output: {text!r}"


def ok(*args: Any, env: dict[str, str] | None = None) -> Any:
    """Run a command that must succeed (exit 0) and print no raw control characters."""
    r = invoke(*args, env=env)
    assert r.exit_code == 0, f"exit {r.exit_code}\nstdout: {r.stdout}\nstderr: {r.stderr}\n{r.exception!r}"
    no_raw_control(r.output)
    return r


def fails(*args: Any, lines: int | None = 1, env: dict[str, str] | None = None, others: bool = False) -> str:
    """Run a command that must fail cleanly: exit 1, no exception escaping, no raw control characters,
    and ``lines`` ``error ...`` lines on standard error (None: at least one), nothing else there unless
    ``others`` (a deprecation note, say). Returns the standard error."""
    r = invoke(*args, env=env)
    assert r.exit_code == 1, f"exit {r.exit_code}\nstdout: {r.stdout}\nstderr: {r.stderr}\n{r.exception!r}"
    # CliRunner also reports exit status 1 for an uncaught exception; a clean exit is a SystemExit
    assert isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.output and "internal error" not in r.output, r.output
    no_raw_control(r.output)
    err = r.stderr.strip().splitlines()
    errors = [line for line in err if line.startswith("error ")]
    assert errors and (others or errors == err), r.stderr
    if lines is not None:
        assert len(errors) == lines, r.stderr
    return str(r.stderr)


def write(path: Path, text: str) -> Path:
    """``text`` to ``path`` (UTF-8), making its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def entry_point() -> Path:
    """The installed ``realpolitik`` command (the test is skipped when there is none)."""
    exe = Path(sys.executable).parent / "realpolitik"
    if not exe.exists():
        found = shutil.which("realpolitik")
        if found is None:
            pytest.skip("the realpolitik entry point is not installed")
        exe = Path(found)
    return exe


def run_entry(
    *args: Any, cwd: Path, columns: int = 80, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """The installed ``realpolitik`` command as a user runs it (real exit status, real stderr)."""
    env = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1"}
    return subprocess.run(
        [str(entry_point()), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )
