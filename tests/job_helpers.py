"""Waiting for ui/jobs.py background jobs in tests without a timed assert."""

from __future__ import annotations

from PySide6.QtCore import QThreadPool

from qwenasr_desktop.ui import jobs


def settle_jobs(qtbot, timeout_ms: int = 60_000) -> None:
    """Every started job has run and delivered (or dropped) its result on the GUI thread.

    A job's `finished` is queued after its result and takes it out of `jobs._running`, so once
    that set is empty no callback of any job can still arrive: "nothing was called" is then a
    fact, not a guess after some waiting.
    """
    assert QThreadPool.globalInstance().waitForDone(timeout_ms)
    qtbot.waitUntil(lambda: not jobs._running, timeout=timeout_ms)
