"""A bounded load test of the web app on 127.0.0.1 (a benchmark, not a unit test).

    .venv/bin/python benchmarks/load_web.py                  # 50 clients for 60 s
    .venv/bin/python benchmarks/load_web.py --clients 10 --seconds 15

Starts ``realpolitik serve`` on a free loopback port with a fresh SQLite database (or ``--db URL``),
opens two scenarios, then runs ``--clients`` concurrent clients for ``--seconds``. Each client has its
own session (cookie and CSRF token) and loops: read the library, an editor page, a run page and a
run's JSON status; every few loops it starts a small job (a forecast by every model of a small
scenario) and polls it until it ends before starting the next (so at most one job per client is in
flight). Afterwards it waits for every job it started and checks that each one finished ``done``.

Prints the number of requests, error responses (any status >= 400, or a failed connection), jobs
started and finished, and p50/p95 latency per kind of request. Exits 1 on any error or lost run.
Traffic goes to 127.0.0.1 only; the loops are bounded in time and count and stop by themselves.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field

import httpx

MAX_REQUESTS_PER_CLIENT = 5_000


@dataclass
class Stats:
    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _timed(stats: Stats, kind: str, coro: object) -> httpx.Response | None:
    t = time.perf_counter()
    try:
        r: httpx.Response = await coro  # type: ignore[misc]
    except httpx.HTTPError as exc:
        stats.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
        return None
    stats.latency[kind].append(time.perf_counter() - t)
    if r.status_code >= 400:
        stats.errors.append(f"{kind}: HTTP {r.status_code}")
    return r


async def client(base: str, k: int, scenarios: list[str], until: float, stats: Stats) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60.0) as c:
        r = await _timed(stats, "read page", c.get("/"))
        if r is None:
            return
        m = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
        if m is None:
            stats.errors.append("no CSRF token")
            return
        csrf = m.group(1)
        job: str | None = None
        last_run: str | None = None
        n = 0
        while time.monotonic() < until and n < MAX_REQUESTS_PER_CLIENT:
            sid = scenarios[(k + n) % len(scenarios)]
            n += 1
            await _timed(stats, "read page", c.get("/"))
            await _timed(stats, "read page", c.get(f"/scenarios/{sid}"))
            if last_run:
                await _timed(stats, "read page", c.get(f"/runs/{last_run}"))
            if job is not None:
                r = await _timed(stats, "run status", c.get(f"/api/runs/{job}"))
                if r is not None and r.status_code == 200 and r.json()["status"] not in ("queued", "running"):
                    last_run, job = job, None
            elif n % 3 == k % 3:
                r = await _timed(
                    stats,
                    "start job",
                    c.post(
                        f"/scenarios/{scenarios[0]}/run",
                        data={"kind": "forecast", "model": "compromise", "seed": str(k), "csrf_token": csrf},
                    ),
                )
                if r is not None and r.status_code == 303:
                    job = r.headers["location"].rsplit("/", 1)[1]
                    stats.runs.append(job)
            await asyncio.sleep(0.05)


async def main_async(base: str, clients: int, seconds: float) -> Stats:
    stats = Stats()
    async with httpx.AsyncClient(base_url=base, timeout=60.0) as c:
        page = (await c.get("/")).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert csrf
        ids = []
        for b in ("ec-emissions-1994", "japan-russia-2016"):
            r = await c.post("/scenarios/builtin", data={"builtin": b, "csrf_token": csrf.group(1)})
            ids.append(r.headers["location"].rsplit("/", 1)[1])
    until = time.monotonic() + seconds
    await asyncio.gather(*(client(base, k, ids, until, stats) for k in range(clients)))
    return stats


def _wait_all(base: str, runs: list[str], timeout: float) -> dict[str, str]:
    end = time.monotonic() + timeout
    final: dict[str, str] = {}
    with httpx.Client(base_url=base, timeout=60.0) as c:
        while time.monotonic() < end:
            for rid in runs:
                if rid not in final:
                    st = c.get(f"/api/runs/{rid}").json()["status"]
                    if st not in ("queued", "running"):
                        final[rid] = st
            if len(final) == len(runs):
                break
            time.sleep(1.0)
    return final


def _pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file)")
    ap.add_argument("--wait", type=float, default=600.0, help="how long to wait for the jobs at the end")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="realpolitik-load-")
    db = args.db or f"sqlite:///{tmp}/load.sqlite3"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(os.path.join(tmp, "server.log"), "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "realpolitik.cli", "serve", "--port", str(port), "--db", db],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        t0 = time.monotonic()
        stats = asyncio.run(main_async(base, args.clients, args.seconds))
        elapsed = time.monotonic() - t0
        final = _wait_all(base, stats.runs, args.wait)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    lost = [r for r in stats.runs if final.get(r) != "done"]
    n_req = sum(len(v) for v in stats.latency.values())
    print(f"web load test: {args.clients} clients for {args.seconds:.0f} s on 127.0.0.1 ({elapsed:.0f} s with set-up), "
          f"{os.cpu_count()} cores, database {db.split(':', 1)[0]}")  # fmt: skip
    print(f"requests: {n_req:,} ({n_req / max(elapsed, 1e-9):.0f}/s); error responses: {len(stats.errors)}")
    print(f"jobs started: {len(stats.runs)}; finished done: {sum(1 for r in stats.runs if final.get(r) == 'done')}; "
          f"lost or not done: {len(lost)}")  # fmt: skip
    print(f"{'request':<12} {'n':>7} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
    for kind, xs in sorted(stats.latency.items()):
        print(
            f"{kind:<12} {len(xs):>7} {1000 * statistics.median(xs):>9.0f} {1000 * _pct(xs, 0.95):>9.0f} {1000 * max(xs):>9.0f}"
        )
    for e in stats.errors[:10]:
        print("error:", e)
    for r in lost[:10]:
        print(f"run {r}: {final.get(r, 'still running')}")
    return 1 if stats.errors or lost else 0


if __name__ == "__main__":
    sys.exit(main())
