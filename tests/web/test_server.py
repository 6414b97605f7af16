"""``realpolitik serve`` as a real process: the access token, and a restart after the server was killed."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

TOKEN = "test-token-0123456789abcdef"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(
    db: str, *extra: str, env: dict[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "realpolitik.cli", "serve", "--port", str(port), "--db", db, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        end = time.monotonic() + 60
        while time.monotonic() < end:
            try:
                if (
                    httpx.get(
                        base + "/healthz", timeout=2, headers={"authorization": f"Bearer {TOKEN}"}
                    ).status_code
                    == 200
                ):
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            proc.kill()
            raise AssertionError((proc.stdout.read() if proc.stdout else b"").decode())
        yield proc, base
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _session(base: str) -> tuple[httpx.Client, str]:
    c = httpx.Client(base_url=base, timeout=30, headers={"authorization": f"Bearer {TOKEN}"})
    m = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/").text)
    assert m
    return c, m.group(1)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_a_job_in_flight_when_the_server_is_killed_is_failed_after_restart(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'web.sqlite3'}"
    with server(db) as (proc, base):
        c, csrf = _session(base)
        r = c.post("/scenarios/builtin", data={"builtin": "japan-russia-2016", "csrf_token": csrf})
        sid = r.headers["location"].rsplit("/", 1)[1]
        done = c.post(
            f"/scenarios/{sid}/run", data={"kind": "forecast", "model": "compromise", "csrf_token": csrf}
        )
        done_id = done.headers["location"].rsplit("/", 1)[1]
        for _ in range(300):
            if c.get(f"/api/runs/{done_id}").json()["status"] == "done":
                break
            time.sleep(0.2)
        r = c.post(
            f"/scenarios/{sid}/run",
            data={"kind": "montecarlo", "draws": "20000", "model": "eum", "csrf_token": csrf},
        )
        rid = r.headers["location"].rsplit("/", 1)[1]
        for _ in range(300):
            if c.get(f"/api/runs/{rid}").json()["status"] == "running":
                break
            time.sleep(0.2)
        assert c.get(f"/api/runs/{rid}").json()["status"] == "running"
        workers = _children(proc.pid)
        proc.kill()  # no chance to clean up
        proc.wait()
        c.close()
    # the orphaned workers notice and stop
    end = time.monotonic() + 15
    while time.monotonic() < end and any(Path(f"/proc/{p}").exists() for p in workers):
        time.sleep(0.2)
    alive = [
        p
        for p in workers
        if Path(f"/proc/{p}/stat").exists() and Path(f"/proc/{p}/stat").read_text().split()[2] != "Z"
    ]
    assert alive == []
    with server(db) as (_, base):
        c, _ = _session(base)
        j = c.get(f"/api/runs/{rid}").json()
        assert j["status"] == "failed" and j["error"] == "server stopped during the run"
        assert c.get(f"/api/runs/{done_id}").json()["status"] == "done"  # everything else intact
        assert c.get(f"/runs/{done_id}/results.json").json()["results"]["forecasts"]
        assert c.get(f"/scenarios/{sid}").status_code == 200
        c.close()


@pytest.mark.slow
def test_beyond_loopback_every_request_needs_the_token(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'web.sqlite3'}"
    bad = subprocess.run(
        [sys.executable, "-m", "realpolitik.cli", "serve", "--host", "0.0.0.0", "--db", db],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "REALPOLITIK_TOKEN"},
        check=False,
    )
    assert bad.returncode == 1 and "needs an access token" in bad.stderr and "Traceback" not in bad.stderr
    with server(db, "--token", TOKEN) as (_proc, base):
        for path in ("/", "/static/htmx.min.js", "/api/runs/1", "/scenarios/1"):
            r = httpx.get(base + path)
            assert r.status_code == 401, path
        assert (
            httpx.get(base + "/", headers={"authorization": "Bearer wrong-token-0123456789"}).status_code
            == 401
        )
        r = httpx.get(base + f"/?token={TOKEN}")
        assert r.status_code == 303 and r.headers["location"] == "/"  # the token leaves the address bar
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        with httpx.Client(base_url=base, cookies={"rp_token": TOKEN}) as c:
            assert c.get("/").status_code == 200
