"""Fixtures for the uncertainty tests (helpers live in ``uq_support``, importable by spawned workers)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from uq_support import small  # also registers the "uq_faulty" model

from realpolitik.scenario.schema import Scenario


@pytest.fixture
def scenario() -> Scenario:
    return small(distribution="triangular", position=0.05, salience=0.1, capability=0.2)
