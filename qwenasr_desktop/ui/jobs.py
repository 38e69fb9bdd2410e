"""Run a function off the GUI thread and get its result back on the GUI thread.

The one way UI code starts background work (in the spirit of Anki's QueryOp): the worker never
touches widgets; `on_success(result)` or `on_failure(exception)` run on the GUI thread.

Work that a later request can make stale (the user picks another file, types again, switches to
another list) must not report into the newer state. Two ways to say so:

* `job = run_job(...)`, later `job.cancel()`: from then on neither callback is called;
* `latest = LatestJob(parent)`, then `latest.run(...)` for every request: each run cancels the
  one before it, so only the newest request's callbacks are ever called; `latest.cancel()` drops
  the running one too (e.g. when the dialog is reset).

Cancelling drops the *result*; the function itself still runs to its end on the pool thread
(Python cannot stop a thread). Long work that should stop early takes a CancelToken as well.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal


class Job(QObject):
    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, fn: Callable[[], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fn = fn
        self._cancelled = False

    def cancel(self) -> None:
        """Never call this job's callbacks (call on the GUI thread, where they run)."""
        self._cancelled = True

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def _deliver(self, callback: Callable[[Any], None], value: Any) -> None:
        # Runs on the GUI thread, as cancel() does: no result can slip past a cancel.
        if not self._cancelled:
            callback(value)

    def _run(self) -> None:  # on a pool thread: only emit signals (queued to the GUI thread)
        try:
            result = self._fn()
        except Exception as e:
            outcome, value = self.failed, e
        else:
            outcome, value = self.succeeded, result
        try:
            outcome.emit(value)
            self.finished.emit()
        except RuntimeError:
            # The parent widget (and this job with it) was deleted while the work ran, e.g. the
            # window closed during a model preload: nobody is left to tell.
            _running.discard(self)


class _Runner(QRunnable):
    def __init__(self, job: Job) -> None:
        super().__init__()
        self._job = job

    def run(self) -> None:
        self._job._run()


_running: set[Job] = set()  # keeps jobs alive until they report back
# Qt's pool has one thread per core: on a 2-core laptop a model preload and a speed probe would
# hold both and make a connection test or a list import wait for them. A few more threads (bounded)
# keep short jobs short; the heavy ones are native code that releases the GIL.
POOL_THREADS = 4


_long_pool: QThreadPool | None = None


def long_pool() -> QThreadPool:
    """Threads for work that runs for minutes (a whole file's recognition, A and B and the queue).

    The global pool has as many threads as cores (two here): two recognitions filled it, and every
    short job (comparing the growing transcripts, checking a file) waited until a recognition
    ended, so finished chunks showed up only at the end. Long work goes here; the cores are shared
    by the OS either way."""
    global _long_pool
    if _long_pool is None:
        _long_pool = QThreadPool()
        _long_pool.setMaxThreadCount(4)
    return _long_pool


def run_job(fn: Callable[[], Any], on_success: Callable[[Any], None],
            on_failure: Callable[[BaseException], None], parent: QObject | None = None,
            pool: QThreadPool | None = None) -> Job:
    """`pool`: long_pool() for work that takes minutes, so short jobs are never queued behind it."""
    job = Job(fn, parent)
    # Queued: the job object lives on the GUI thread, so the callbacks run there.
    queued = Qt.ConnectionType.QueuedConnection
    job.succeeded.connect(lambda value: job._deliver(on_success, value), queued)
    job.failed.connect(lambda error: job._deliver(on_failure, error), queued)
    _running.add(job)
    job.finished.connect(lambda: _running.discard(job), queued)
    # A parent deleted between the job's signals and their delivery drops the queued `finished`:
    # the job is gone all the same, so it must not be counted as running for ever.
    job.destroyed.connect(lambda *_: _running.discard(job))
    if pool is None:
        pool = QThreadPool.globalInstance()
        if pool.maxThreadCount() < POOL_THREADS:
            pool.setMaxThreadCount(POOL_THREADS)
    pool.start(_Runner(job))
    return job


class LatestJob:
    """A slot for work where only the newest request counts: each `run` cancels the previous job.

    For a refresh that runs on every change (an estimate, a preview, a search), or a read the
    user can restart with another file before the first one finished.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        self._parent = parent
        self._job: Job | None = None

    def run(self, fn: Callable[[], Any], on_success: Callable[[Any], None],
            on_failure: Callable[[BaseException], None]) -> Job:
        self.cancel()
        job = run_job(fn, on_success, on_failure, self._parent)
        self._job = job
        job.finished.connect(lambda: self._forget(job), Qt.ConnectionType.QueuedConnection)
        return job

    def cancel(self) -> None:
        """Drop the running job's result, if any."""
        if self._job is not None:
            self._job.cancel()
            self._job = None

    @property
    def running(self) -> bool:
        """A job was started and has neither reported nor been cancelled. Read from the set of
        running jobs, so it turns False in the same step as that set (not one queued event later)."""
        return self._job is not None and self._job in _running

    def _forget(self, job: Job) -> None:
        if self._job is job:
            self._job = None
