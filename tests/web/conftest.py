"""Fixtures of the web app's tests: the app on SQLite and on PostgreSQL, a CSRF-aware client.

PostgreSQL: ``scripts/test.sh`` starts a throwaway server when it can and exports its URL as
``REALPOLITIK_TEST_PG`` (a maintenance URL); each test session creates a fresh database there and
drops it at the end. Without it the PostgreSQL half of the suite is skipped with that reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

pytest.importorskip("fastapi", reason="the web app's extra is not installed (pip install 'realpolitik[web]')")
pytest.importorskip("sqlalchemy")

from fastapi.testclient import TestClient
from tests.web.helpers import Client

from realpolitik.web.app import Settings, create_app

PG_ENV = "REALPOLITIK_TEST_PG"
PG_SKIP = f"no PostgreSQL server for the tests: scripts/test.sh starts one when it can and sets {PG_ENV}"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this session (dropped afterwards)."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(PG_SKIP)
    import sqlalchemy as sa

    from realpolitik.web.db import normalise_url

    name = f"rp_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(normalise_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(normalise_url(base)).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            )
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        admin.dispose()


def _client(url: str) -> Iterator[Client]:
    app = create_app(Settings(db_url=url, workers=1))
    with TestClient(app, follow_redirects=False) as tc:
        yield Client(tc)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def web(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    """The app with one job worker, on SQLite (a temporary file) and on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("web") / "web.sqlite3"
        yield from _client(f"sqlite:///{path}")
    else:
        yield from _client(request.getfixturevalue("pg_url"))
