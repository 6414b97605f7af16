"""One job, run in a worker process of the pool: read the run, compute, store the results.

Every part runs through :func:`realpolitik.report.run_analysis` (the same function as ``realpolitik
analyze``, with the same seeding), limited to the parts the job asks for; the results are the
``analyze --format json`` data and the view is the report's summary card and sections.

The worker writes its own progress and outcome, always conditionally (``WHERE status = 'running'``
and the server instance that queued it), so a run the server has already marked failed or cancelled
is never overwritten. A watchdog thread polls the run's cancel flag and the server's liveness; on
cancel it raises :class:`JobCancelled` in the job thread (a ``BaseException``, so no ``except
Exception`` inside a model can swallow it); when the server is gone it ends the process.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import os
import re
import shlex
import threading
import traceback
from functools import cache
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from realpolitik.web.db import CANCELLED, DONE, FAILED, QUEUED, RUNNING, RunRow, make_engine, now, pack

#: What each kind of job runs (parts of :func:`realpolitik.report.run_analysis`).
KINDS: dict[str, tuple[str, ...]] = {
    "forecast": ("forecasts",),
    "deals": ("deals",),
    "sweep": ("sweep",),
    "montecarlo": ("montecarlo",),
    "analyze": ("forecasts", "deals", "sweep", "montecarlo", "trust"),  # all of them, as `analyze`
}

KIND_TITLES = {
    "forecast": "Forecast (every model)",
    "deals": "Deals",
    "sweep": "Environment sweep",
    "montecarlo": "Monte Carlo",
    "analyze": "Full analysis",
}

POLL_SECONDS = 0.5


def safe_name(name: str) -> str:
    """A file name from a scenario id: letters, digits, ``_.-`` only."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "scenario"


def scenario_file(scenario_id: str, run_id: int) -> str:
    """The name under which a run's scenario downloads (the file its reproduce command names)."""
    return f"{safe_name(scenario_id)}-run{run_id}.yaml"


def reproduce_command(
    kind: str,
    file: str,
    *,
    seed: int,
    model: str | None,
    draws: int,
    driver: str | None = None,
    sensitivity: bool = False,
    without_vetoes: bool = False,
) -> str:
    """The command line that computes what a run of ``kind`` computed, from its scenario ``file``.

    Each job is one part of ``realpolitik analyze`` run on its own, with the same seeding as the command
    that computes that part alone (``forecast``, ``deals``, ``sweep``, ``montecarlo``); what no single
    command computes besides (the sensitivity analysis of a Monte Carlo job, the deal analysis without
    the vetoes) comes from ``analyze``, named on a comment line.
    """
    f = shlex.quote(file)
    m = f" --model {model}" if model else ""
    full = f"realpolitik analyze {f} --seed {seed} --draws {draws}{m}"
    if kind == "forecast":
        return f"realpolitik forecast {f} --model all --seed {seed}"
    if kind == "deals":
        cmd = f"realpolitik deals {f} --seed {seed}"
        if without_vetoes:
            cmd += (
                f"\n# and the deal analysis without the vetoes, as in: realpolitik analyze {f} --seed {seed}"
            )
        return cmd
    if kind == "sweep":
        vary = shlex.quote(f"{driver}=0:1:11") if driver else "DRIVER=0:1:11"
        return f"realpolitik sweep {f} --vary {vary}{m} --seed {seed}"
    if kind == "montecarlo":
        cmd = f"realpolitik montecarlo {f} --draws {draws}{m} --seed {seed}"
        if sensitivity:
            cmd += f"\n# and the sensitivity analysis (tornado, Sobol indices), as in: {full}"
        return cmd
    return full


class JobCancelled(BaseException):
    """Raised in the job thread when the user cancelled the run (or the server went away)."""


@cache
def _engine(url: str) -> Engine:
    return make_engine(url)


def _update(engine: Engine, run_id: int, instance: str, **values: Any) -> bool:
    """Update a running run of this instance; False when it is no longer ours to change."""
    with engine.begin() as conn:
        res = conn.execute(
            update(RunRow)
            .where(RunRow.id == run_id, RunRow.status == RUNNING, RunRow.instance == instance)
            .values(**values)
        )
        return bool(res.rowcount)


class _Watchdog(threading.Thread):
    """Polls the cancel flag and the parent process; raises JobCancelled in the job thread."""

    def __init__(self, engine: Engine, run_id: int, target: int, parent: int) -> None:
        super().__init__(daemon=True, name=f"watchdog-run-{run_id}")
        self.engine, self.run_id, self.target, self.parent = engine, run_id, target, parent
        self.lock = threading.Lock()
        self.finished = False
        self.stop = threading.Event()
        self.reason = ""

    def run(self) -> None:
        while not self.stop.wait(POLL_SECONDS):
            if os.getppid() != self.parent:  # the server is gone: nobody will read the result
                os._exit(0)
            try:
                with Session(self.engine) as s:
                    flag = s.get(RunRow, self.run_id)
                    cancel = flag is None or flag.cancel_requested or flag.status != RUNNING
            except Exception:  # a busy database: look again next time
                continue
            if cancel:
                self.interrupt("cancelled")
                self.stop.wait(2.0)  # if a library swallowed it, try again

    def interrupt(self, reason: str) -> None:
        with self.lock:
            if self.finished:
                return
            self.reason = reason
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(self.target), ctypes.py_object(JobCancelled)
            )

    def done(self) -> None:
        with self.lock:
            self.finished = True
            # clear an interrupt that was scheduled but has not fired yet
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.target), None)
        self.stop.set()


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:2000]


def execute(db_url: str, run_id: int, instance: str, parent: int | None = None) -> str:
    """Run job ``run_id`` (queued by server ``instance``); returns its final status."""
    engine = _engine(db_url)
    with engine.begin() as conn:
        res = conn.execute(
            update(RunRow)
            .where(
                RunRow.id == run_id,
                RunRow.status == QUEUED,
                RunRow.instance == instance,
                RunRow.cancel_requested.is_(False),
            )
            .values(status=RUNNING, started_at=now(), step="starting")
        )
        if not res.rowcount:
            return "skipped"
    with Session(engine) as s:
        row = s.get(RunRow, run_id)
        assert row is not None
        content, kind, params, seed = row.scenario_content, row.kind, dict(row.params or {}), row.seed
        label = f"run {row.id}"
    watchdog = _Watchdog(
        engine, run_id, threading.get_ident(), parent if parent is not None else os.getppid()
    )
    watchdog.start()
    try:
        try:
            results, view = _compute(engine, run_id, instance, content, kind, params, seed, label)
        finally:
            watchdog.done()
    except JobCancelled:
        _update(engine, run_id, instance, status=CANCELLED, finished_at=now(), error="cancelled by the user")
        return CANCELLED
    except Exception as exc:
        detail = traceback.format_exc(limit=-3)
        _update(
            engine,
            run_id,
            instance,
            status=FAILED,
            finished_at=now(),
            error=_one_line(exc),
            view=pack({"traceback": detail}),
        )
        return FAILED
    ok = _update(
        engine,
        run_id,
        instance,
        status=DONE,
        finished_at=now(),
        step="done",
        results=pack(results),
        view=pack(view),
    )
    return DONE if ok else "superseded"


def _compute(
    engine: Engine,
    run_id: int,
    instance: str,
    content: str,
    kind: str,
    params: dict[str, Any],
    seed: int,
    label: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    from realpolitik import __version__
    from realpolitik.report import run_analysis
    from realpolitik.report.analysis import sweep_driver
    from realpolitik.report.sections import build
    from realpolitik.scenario import parse_text
    from realpolitik.web import views

    if kind not in KINDS:
        raise ValueError(f"unknown kind of job {kind!r}")
    scenario = parse_text(content, "scenario.yaml")
    model = params.get("model") or None
    draws = int(params.get("draws") or 2000)
    total = [0]

    def progress(step: str, done: int, n: int) -> None:
        total[0] = n + 1  # and rendering the figures
        _update(engine, run_id, instance, step=step, done_steps=done, total_steps=total[0])

    analysis = run_analysis(
        scenario, seed=seed, draws=draws, model=model, parts=KINDS[kind], progress=progress
    )
    analysis.command = reproduce_command(
        kind,
        scenario_file(scenario.id, run_id),
        seed=seed,
        model=model,
        draws=draws,
        driver=sweep_driver(scenario),
        sensitivity="tornado" in analysis.extras,
        without_vetoes="deals_without_vetoes" in analysis.extras,
    )
    _update(engine, run_id, instance, step="figures", done_steps=max(total[0] - 1, 0))
    results = analysis.to_json()
    card, sections = build(analysis, interactive=True)
    subtitle = " · ".join(
        x
        for x in (
            scenario.id,
            f"as of {scenario.as_of}" if scenario.as_of else None,
            KIND_TITLES[kind],
            f"realpolitik {__version__}",
            label,
            dt.date.today().isoformat(),
        )
        if x
    )
    return results, views.dump(card, sections, title=scenario.title, subtitle=subtitle)
