"""Jobs: runs queued in the database and executed in a process pool (the uncertainty executors).

- Submitting a run puts :func:`realpolitik.web.worker.execute` on the pool; the worker writes its
  progress and results itself.
- Cancel: a queued run is taken off the pool's queue; a running one gets its cancel flag set, which the
  worker's watchdog turns into :class:`~realpolitik.web.worker.JobCancelled` in the job.
- A worker process that dies (killed, out of memory) breaks the pool: the run it was running is marked
  failed with that reason, the pool is rebuilt and the runs still queued are submitted again. The
  server itself never runs model code, so a failing job cannot take it down.
- At start, runs left ``queued`` or ``running`` by a server that stopped are marked failed
  ("server stopped during the run"); everything else is left as it was.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine

from realpolitik.uncertainty.executors import ExecutorHandle, open_executor
from realpolitik.web.db import (
    CANCELLED,
    FAILED,
    QUEUED,
    RUNNING,
    STOPPED_BEFORE,
    STOPPED_DURING,
    RunRow,
    now,
)
from realpolitik.web.worker import execute

log = logging.getLogger("realpolitik.web")


def mark_interrupted(engine: Engine) -> int:
    """Mark every run left queued or running by a stopped server as failed; the number marked."""
    with engine.begin() as conn:
        a = conn.execute(
            update(RunRow)
            .where(RunRow.status == RUNNING)
            .values(status=FAILED, error=STOPPED_DURING, finished_at=now())
        ).rowcount
        b = conn.execute(
            update(RunRow)
            .where(RunRow.status == QUEUED)
            .values(status=FAILED, error=STOPPED_BEFORE, finished_at=now())
        ).rowcount
    return int(a or 0) + int(b or 0)


class JobManager:
    """The pool and the futures of the runs this server queued."""

    def __init__(self, engine: Engine, db_url: str, workers: int) -> None:
        self.engine = engine
        self.db_url = db_url
        self.instance = uuid.uuid4().hex
        self.workers = workers
        self.handle: ExecutorHandle | None = None
        self.futures: dict[int, Future[Any]] = {}
        self.retries: dict[int, int] = {}
        self.lock = threading.Lock()

    def start(self) -> None:
        mark_interrupted(self.engine)
        self.handle = open_executor("processes", workers=self.workers)

    def submit(self, run_id: int) -> None:
        assert self.handle is not None, "JobManager.start() first"
        with self.lock:
            fut = self.handle.executor.submit(execute, self.db_url, run_id, self.instance, os.getpid())
            self.futures[run_id] = fut
        fut.add_done_callback(partial(self._finished, run_id))

    def _finished(self, run_id: int, fut: Future[Any]) -> None:
        with self.lock:
            if self.futures.get(run_id) is fut:
                del self.futures[run_id]
        if fut.cancelled():
            return
        exc = fut.exception()
        if exc is None:
            return
        if isinstance(exc, BrokenProcessPool):
            self._pool_broke(run_id)
            return
        log.error("run %s: %s", run_id, exc)
        self._fail(run_id, f"the job could not run: {type(exc).__name__}: {exc}")

    def _fail(self, run_id: int, reason: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(RunRow)
                .where(RunRow.id == run_id, RunRow.status.in_((QUEUED, RUNNING)))
                .values(status=FAILED, error=reason, finished_at=now())
            )

    def _pool_broke(self, run_id: int) -> None:
        """A worker died: fail the run it ran, rebuild the pool once, resubmit the queued runs."""
        with self.engine.begin() as conn:
            conn.execute(
                update(RunRow)
                .where(RunRow.id == run_id, RunRow.status == RUNNING)
                .values(
                    status=FAILED,
                    error="the worker process stopped unexpectedly (killed or out of memory)",
                    finished_at=now(),
                )
            )
        with self.lock:
            if self.handle is None:
                return
            broken = self.handle.executor
            if getattr(broken, "_broken", False) and not getattr(broken, "_rebuilt", False):
                broken._rebuilt = True  # type: ignore[attr-defined]
                self.handle.rebuild()
        with self.engine.connect() as conn:
            status = conn.execute(RunRow.__table__.select().where(RunRow.id == run_id)).mappings().first()
        if status is not None and status["status"] == QUEUED:
            n = self.retries.get(run_id, 0)
            if n >= 2:
                self._fail(run_id, "the worker processes could not start (the pool broke twice)")
                return
            self.retries[run_id] = n + 1
            self.submit(run_id)

    def cancel(self, run_id: int) -> str:
        """Cancel a run: off the queue when it has not started, else ask its worker to stop."""
        with self.engine.begin() as conn:
            conn.execute(
                update(RunRow)
                .where(RunRow.id == run_id, RunRow.status.in_((QUEUED, RUNNING)))
                .values(cancel_requested=True)
            )
            conn.execute(
                update(RunRow)
                .where(RunRow.id == run_id, RunRow.status == QUEUED)
                .values(status=CANCELLED, error="cancelled by the user", finished_at=now())
            )
        with self.lock:
            fut = self.futures.get(run_id)
        if fut is not None:
            fut.cancel()
        return "requested"

    def stop(self) -> None:
        """Stop the pool: runs in flight are marked failed (the server stopped), workers are ended."""
        handle, self.handle = self.handle, None
        if handle is None:
            return
        with self.lock:
            futs = list(self.futures.values())
        for f in futs:
            f.cancel()
        mark_interrupted(self.engine)
        ex = handle.executor
        procs = list(getattr(ex, "_processes", {}).values())
        try:
            ex.shutdown(wait=False, cancel_futures=True)
        except Exception:  # pragma: no cover - a broken pool may refuse
            pass
        for p in procs:
            try:
                p.terminate()
            except Exception:  # pragma: no cover - already gone
                pass
        for p in procs:
            p.join(timeout=5)
