"""Shared fixtures: where the read-only reference material lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def find_shared() -> Path | None:
    """The ``shared/`` folder beside the checkout (or ``$REALPOLITIK_SHARED``), if present."""
    env = os.environ.get("REALPOLITIK_SHARED")
    candidates = [Path(env)] if env else []
    candidates.append(REPO.parent / "shared")
    for c in candidates:
        if (c / "reference").is_dir():
            return c
    return None


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``shared/`` with the reference runs; tests that need it skip when it is absent."""
    d = find_shared()
    if d is None:
        pytest.skip("../shared/ (reference runs) is not beside this checkout")
    return d
