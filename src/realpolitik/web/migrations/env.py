"""Alembic environment of the web app: runs on the connection :func:`realpolitik.web.db.migrate` passes."""

from __future__ import annotations

from alembic import context

from realpolitik.web.db import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:  # pragma: no cover - the app always passes its connection
        raise RuntimeError("realpolitik's migrations run through realpolitik.web.db.migrate(engine)")
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():  # pragma: no cover
    raise RuntimeError("offline (SQL script) migrations are not supported")
run_migrations_online()
