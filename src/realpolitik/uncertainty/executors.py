"""Executors for Monte Carlo chunks, all behind :class:`concurrent.futures.Executor`.

- ``"serial"``: runs each chunk in the calling process when it is submitted.
- ``"processes"``: a local :class:`~concurrent.futures.ProcessPoolExecutor` (``spawn`` start method,
  so no forked threads; models are re-imported in the workers by module name).
- ``"dask"``: a ``distributed`` client's executor, on a :class:`distributed.LocalCluster` started here
  (``workers`` processes, one thread each) or on an existing scheduler (``scheduler`` address).
  Dask is an optional extra (``pip install realpolitik[dask]``) imported only here.

A ready :class:`~concurrent.futures.Executor` may be passed instead of a name; it is used as is and
not shut down.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

EXECUTORS: tuple[str, ...] = ("serial", "processes", "dask")


class MissingDependencyError(ImportError):
    """An optional extra is not installed (the message says what to install)."""


class SerialExecutor(Executor):
    """Runs each submitted call at once, in this process; exceptions land in the future."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        fut: Future[Any] = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except Exception as exc:
            fut.set_exception(exc)
        return fut


def default_workers() -> int:
    """Usable CPU cores (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class ExecutorHandle:
    """An executor with its worker count, and how to replace it after a worker died."""

    executor: Executor
    workers: int
    kind: str
    _rebuild: Callable[[], Executor] | None = None
    _close: list[Callable[[], None]] = field(default_factory=list)

    @property
    def can_rebuild(self) -> bool:
        return self._rebuild is not None

    def rebuild(self) -> None:
        """A fresh executor of the same kind (after a broken process pool)."""
        if self._rebuild is None:
            return
        try:
            self.executor.shutdown(wait=False, cancel_futures=True)
        except Exception:  # pragma: no cover - a broken pool may refuse politely or not
            pass
        self.executor = self._rebuild()

    def close(self) -> None:
        for fn in reversed(self._close):
            try:
                fn()
            except Exception:  # pragma: no cover - best effort at shutdown
                pass
        self._close.clear()

    def __enter__(self) -> ExecutorHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise MissingDependencyError(
            "the dask executor needs the optional extra: pip install 'realpolitik[dask]'"
        ) from None
    return distributed


class SchedulerError(ConnectionError):
    """The Dask scheduler at the address given cannot be reached (one line, naming the address)."""


SCHEDULER_TIMEOUT = 10.0
"""Seconds to wait for a Dask scheduler that accepts the connection but does not answer."""


def _probe(address: str, timeout: float = 3.0) -> None:
    """Fail fast on a TCP address nobody listens at (Dask itself retries for 30 s)."""
    rest = address.split("://", 1)[1] if "://" in address else address
    scheme = address.split("://", 1)[0] if "://" in address else "tcp"
    if scheme not in ("tcp", "tls"):
        return  # other transports (inproc, ucx, ws): leave it to Dask
    host, sep, port = rest.rstrip("/").rpartition(":")
    if not sep or not port.isdigit():
        raise SchedulerError(f"--scheduler {address!r}: expected HOST:PORT, e.g. tcp://127.0.0.1:8786")
    host = host.strip("[]") or "127.0.0.1"
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            pass
    except OSError as exc:
        reason = (
            "timed out" if isinstance(exc, TimeoutError) else (exc.strerror or type(exc).__name__).lower()
        )
        raise SchedulerError(f"cannot reach the Dask scheduler at {address}: {reason}") from None


def _connect(distributed: Any, address: str) -> Any:
    """A ``distributed.Client`` on ``address``, or one clear :class:`SchedulerError` within seconds."""
    try:
        return distributed.Client(address, timeout=SCHEDULER_TIMEOUT)
    except Exception as exc:  # whatever answered there is not a scheduler we can use
        if isinstance(exc, MemoryError):  # a peer that is not a scheduler sent a huge message length
            first = "the program listening there does not speak Dask's protocol"
        else:
            first = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise SchedulerError(f"cannot connect to the Dask scheduler at {address}: {first}") from None


def open_executor(
    executor: str | Executor | None = None, *, workers: int | None = None, scheduler: str | None = None
) -> ExecutorHandle:
    """An :class:`ExecutorHandle` for ``executor`` (a name, an Executor, or None for serial).

    A ``scheduler`` address implies Dask. Close the handle (or use it as a context manager) to stop the
    pool or cluster it started.
    """
    if isinstance(executor, Executor):
        return ExecutorHandle(executor, workers or default_workers(), "custom")
    kind = executor or ("dask" if scheduler else "serial")
    if kind not in EXECUTORS:
        raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, got {kind!r}")
    if kind == "serial":
        return ExecutorHandle(SerialExecutor(), 1, kind)
    if kind == "processes":
        n = workers or default_workers()
        ctx = multiprocessing.get_context("spawn")

        def make() -> Executor:
            return ProcessPoolExecutor(max_workers=n, mp_context=ctx)

        handle = ExecutorHandle(make(), n, kind, _rebuild=make)
        handle._close.append(lambda: handle.executor.shutdown(wait=True, cancel_futures=True))
        return handle
    if scheduler:
        _probe(scheduler)  # before importing Dask: a wrong address fails in a moment
    distributed = _import_distributed()
    closers: list[Callable[[], None]] = []
    if scheduler:
        client = _connect(distributed, scheduler)
        closers.append(client.close)
        n = workers or max(1, len(client.scheduler_info().get("workers", {})))
    else:
        n = workers or default_workers()
        cluster = distributed.LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # the HTTP server starts anyway: a free port, no clash
            silence_logs=logging.ERROR,
        )
        closers.append(cluster.close)
        client = distributed.Client(cluster)
        closers.append(client.close)
    return ExecutorHandle(client.get_executor(pure=False), n, kind, _close=closers)
