"""``realpolitik serve``: check the options, print the address, run uvicorn."""

from __future__ import annotations

import os
import sys

from realpolitik.web import require_extra

TOKEN_ENV = "REALPOLITIK_TOKEN"


class ServeError(ValueError):
    """The options cannot start a server (one line saying why and what to do)."""


def resolve(host: str, port: int, db: str | None, token: str | None) -> tuple[str, str | None]:
    """The database URL and the access token to use; ServeError when the host needs a token."""
    from realpolitik.web.db import default_url, normalise_url
    from realpolitik.web.security import is_loopback

    token = token or os.environ.get(TOKEN_ENV) or None
    if not is_loopback(host) and not token:
        raise ServeError(
            f"--host {host}: listening beyond this machine needs an access token: give --token TOKEN or set "
            f"{TOKEN_ENV} (every request must then carry it)"
        )
    if token is not None and len(token) < 16:
        raise ServeError(
            "--token: use at least 16 characters (e.g. python -c 'import secrets; print(secrets.token_urlsafe())')"
        )
    if not 0 < port < 65536:
        raise ServeError(f"--port {port}: expected a port from 1 to 65535")
    return normalise_url(db) if db else default_url(), token


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    db: str | None = None,
    token: str | None = None,
    workers: int | None = None,
) -> None:
    """Run the web app until interrupted (Ctrl-C)."""
    require_extra()
    url, token = resolve(host, port, db, token)
    import uvicorn

    from realpolitik.uncertainty.executors import default_workers
    from realpolitik.web.app import Settings, create_app
    from realpolitik.web.db import display_url

    app = create_app(Settings(db_url=url, token=token, workers=workers or min(2, default_workers())))
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    sys.stderr.write(
        f"realpolitik web app: open {address}\n  database: {display_url(url)}\n  Ctrl-C stops the server.\n"
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, server_header=False)
