"""run_job: results cross to the GUI thread; a job whose parent is deleted mid-work stays quiet."""

from __future__ import annotations

import sys
import threading

import shiboken6
from PySide6.QtCore import QObject, QThreadPool

from qwenasr_desktop.ui import jobs


def test_result_and_failure_arrive_on_the_gui_thread(qtbot):
    gui = threading.get_ident()
    seen: list = []
    parent = QObject()
    jobs.run_job(lambda: threading.get_ident(), lambda r: seen.append(("ok", r, threading.get_ident())),
                 seen.append, parent)
    jobs.run_job(lambda: 1 / 0, lambda r: None,
                 lambda e: seen.append(("failed", type(e).__name__, threading.get_ident())), parent)
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=5000)
    ok = next(s for s in seen if s[0] == "ok")
    assert ok[1] != gui and ok[2] == gui  # ran on a pool thread, reported on the GUI thread
    assert ("failed", "ZeroDivisionError", gui) in seen
    qtbot.waitUntil(lambda: not jobs._running, timeout=5000)


def test_a_job_whose_parent_is_deleted_while_it_runs_reports_nothing(qtbot, monkeypatch):
    # E.g. the window closes during a model preload: no callback, no "Signal source has been
    # deleted" error from the pool thread (Qt prints those through sys.excepthook), and the job
    # is not kept alive.
    errors: list = []
    monkeypatch.setattr(sys, "excepthook", lambda *exc: errors.append(exc[1]))
    release = threading.Event()
    parent = QObject()
    called: list = []
    jobs.run_job(lambda: release.wait(5), called.append, called.append, parent)
    shiboken6.delete(parent)  # what closing the window does to the page that owns the job
    release.set()
    assert QThreadPool.globalInstance().waitForDone(5000)
    qtbot.wait(50)
    assert called == [] and errors == []
    assert not jobs._running
