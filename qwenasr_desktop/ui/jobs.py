"""Run a function off the GUI thread and get its result back on the GUI thread.

The one way UI code starts background work (in the spirit of Anki's QueryOp): the worker never
touches widgets; `on_success(result)` or `on_failure(exception)` run on the GUI thread.
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
    job.succeeded.connect(on_success, queued)
    job.failed.connect(on_failure, queued)
    _running.add(job)
    job.finished.connect(lambda: _running.discard(job), queued)
    (pool or QThreadPool.globalInstance()).start(_Runner(job))
    return job
