"""Storage: the tables (SQLAlchemy 2), the engine (SQLite in WAL mode or PostgreSQL) and the migrations.

Two tables hold everything the user makes:

- ``scenarios``: a scenario's text (YAML as saved), whether it is valid, and a ``version`` that every
  save increases; a save names the version it started from and is refused when another save came first
  (optimistic concurrency: two browsers never silently overwrite each other).
- ``runs``: immutable records of one job: the scenario text it ran on and its content hash, the
  realpolitik version, seed, parameters, status, error, results (the ``analyze --format json`` data)
  and the rendered view (summary card and figures). Once finished, a run is never changed.

The schema is kept by Alembic (``realpolitik/web/migrations``), upgraded to the latest revision when
the server starts.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: Run states. ``queued`` and ``running`` are the only ones a run ever leaves.
QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
ACTIVE = (QUEUED, RUNNING)
FINISHED = (DONE, FAILED, CANCELLED)

#: The reason given to runs that were in flight when the server stopped.
STOPPED_DURING = "server stopped during the run"
STOPPED_BEFORE = "server stopped before the run started"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class ScenarioRow(Base):
    __tablename__ = "scenarios"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scenario_id: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    content: Mapped[str] = mapped_column(Text)
    valid: Mapped[bool] = mapped_column(Boolean, default=False)
    origin: Mapped[str] = mapped_column(String(300), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class RunRow(Base):
    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scenario_row: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("scenarios.id", ondelete="SET NULL"), nullable=True, index=True
    )
    scenario_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    scenario_id: Mapped[str] = mapped_column(String(200))
    scenario_title: Mapped[str] = mapped_column(String(500))
    scenario_content: Mapped[str] = mapped_column(Text)
    scenario_hash: Mapped[str] = mapped_column(String(64), index=True)
    realpolitik_version: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default=QUEUED, index=True)
    step: Mapped[str] = mapped_column(String(200), default="")
    done_steps: Mapped[int] = mapped_column(Integer, default=0)
    total_steps: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    results: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    view: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    instance: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class MetaRow(Base):
    """Server-wide settings that must survive a restart (the key that signs session tokens)."""

    __tablename__ = "app_meta"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# ------------------------------------------------------------------------------------- packed JSON
def pack(data: Any) -> bytes:
    """JSON, gzip-compressed (results and views are large and mostly repetitive)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_plain)
    return gzip.compress(text.encode("utf-8"), compresslevel=6)


def unpack(blob: bytes | None) -> Any:
    if blob is None:
        return None
    return json.loads(gzip.decompress(blob).decode("utf-8"))


def _plain(obj: Any) -> Any:
    """numpy scalars and arrays, and sets, as JSON values."""
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    if hasattr(obj, "tolist"):  # numpy scalars and arrays
        return obj.tolist()
    raise TypeError(f"cannot store {type(obj).__name__} as JSON")


# ------------------------------------------------------------------------------------------ engine
def normalise_url(url: str) -> str:
    """A database URL SQLAlchemy can open: ``postgresql://`` uses psycopg 3; a bare path is SQLite."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def default_url() -> str:
    """SQLite in the user's data folder (platformdirs)."""
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("realpolitik", appauthor=False))
    return f"sqlite:///{folder / 'realpolitik-web.sqlite3'}"


def display_url(url: str) -> str:
    """The URL with any password hidden (for the start-up line and the logs)."""
    return make_url(url).render_as_string(hide_password=True)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL mode, a busy timeout and foreign keys."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        # more connections than the server's request threads (40), so a busy server never waits for one
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=20, max_overflow=60
        )

        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _record: Any) -> None:
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=50)


def migrate(engine: Engine) -> None:
    """Upgrade the database to the latest migration (creating the tables on a new database)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
