"""The web app: edit a scenario, run any part of the analysis, compare runs (``realpolitik serve``).

FastAPI + uvicorn serve server-rendered pages (Jinja2, the report's own templates for the summary card
and the figures; htmx and plotly.js served from the package, no CDN). Scenarios and runs are stored
with SQLAlchemy (SQLite in WAL mode in the user's data folder by default, or a PostgreSQL URL), the
schema kept by Alembic migrations that run when the server starts. Jobs run in a process pool.

Everything here needs the optional extra ``pip install 'realpolitik[web]'``; nothing that
``import realpolitik`` or ``realpolitik --help`` loads imports this package.
"""

from __future__ import annotations

import importlib.util

#: The modules the web app cannot run without (import names), with the extra that brings them.
REQUIRED = ("fastapi", "uvicorn", "sqlalchemy", "alembic", "multipart", "platformdirs", "jinja2")

MISSING_EXTRA = "the web app needs the optional extra: pip install 'realpolitik[web]'"


class MissingExtraError(ImportError):
    """The ``[web]`` extra is not installed (the message says what to install)."""


def missing_modules() -> list[str]:
    """The required modules that cannot be imported here."""
    return [name for name in REQUIRED if importlib.util.find_spec(name) is None]


def require_extra() -> None:
    """Raise :class:`MissingExtraError` (one line) when a module of the ``[web]`` extra is missing."""
    missing = missing_modules()
    if missing:
        raise MissingExtraError(f"{MISSING_EXTRA} (missing: {', '.join(missing)})")
