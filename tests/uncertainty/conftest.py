"""Fixtures for the uncertainty tests (helpers live in ``uq_support``, importable by spawned workers)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import uq_support  # importing registers the "uq_faulty" model (spawned workers rely on that)
from uq_support import small

from realpolitik.models.registry import register, registry, unregister
from realpolitik.scenario.schema import Scenario

# Collection imports this module before any test runs: keep the test-only model out of the registry
# except while the tests of this folder run, so other tests and the docs see the built-in models only.
unregister("uq_faulty")


@pytest.fixture(autouse=True)
def _uq_faulty_registered():
    if "uq_faulty" not in registry():
        register(uq_support.INFO)
    yield
    unregister("uq_faulty")


@pytest.fixture
def scenario() -> Scenario:
    return small(distribution="triangular", position=0.05, salience=0.1, capability=0.2)
