"""run_job: results cross to the GUI thread; a job whose parent is deleted mid-work stays quiet;
a cancelled or superseded job (LatestJob) never calls its callbacks."""

from __future__ import annotations

import sys
import threading

import shiboken6
from job_helpers import settle_jobs  # tests/ is on sys.path
from PySide6.QtCore import QObject, QThreadPool

from qwenasr_desktop.ui import jobs


def test_result_and_failure_arrive_on_the_gui_thread(qtbot):
    gui = threading.get_ident()
    seen: list = []
    parent = QObject()
    started = [
        jobs.run_job(lambda: threading.get_ident(), lambda r: seen.append(("ok", r, threading.get_ident())),
                     seen.append, parent),
        jobs.run_job(lambda: 1 / 0, lambda r: None,
                     lambda e: seen.append(("failed", type(e).__name__, threading.get_ident())), parent)]
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=60_000)
    ok = next(s for s in seen if s[0] == "ok")
    assert ok[1] != gui and ok[2] == gui  # ran on a pool thread, reported on the GUI thread
    assert ("failed", "ZeroDivisionError", gui) in seen
    # Only this test's jobs: an earlier test's preload may still be running on the pool.
    qtbot.waitUntil(lambda: not jobs._running.intersection(started), timeout=5000)


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


def test_a_cancelled_job_calls_neither_callback(qtbot):
    release = threading.Event()
    called: list = []
    ok = jobs.run_job(lambda: release.wait(5), called.append, called.append)
    failing = jobs.run_job(lambda: release.wait(5) and 1 / 0, called.append, called.append)
    kept = jobs.run_job(lambda: release.wait(5) and "kept", called.append, called.append)
    ok.cancel()
    failing.cancel()
    release.set()
    settle_jobs(qtbot)
    assert called == ["kept"]  # the job that was not cancelled still reports
    assert ok.cancelled and failing.cancelled and not kept.cancelled


def test_latest_job_reports_only_the_newest_request(qtbot):
    # The first request is slow and finishes *after* the second: its result is stale.
    slow_may_finish = threading.Event()
    slow_finished = threading.Event()
    seen: list = []
    failures: list = []
    latest = jobs.LatestJob()

    def slow():
        slow_may_finish.wait(5)
        slow_finished.set()
        return "first"

    latest.run(slow, seen.append, failures.append)
    assert latest.running
    latest.run(lambda: "second", seen.append, failures.append)
    qtbot.waitUntil(lambda: seen == ["second"], timeout=5000)
    slow_may_finish.set()
    assert slow_finished.wait(5)
    settle_jobs(qtbot)
    assert seen == ["second"] and failures == []
    assert not latest.running


def test_latest_job_cancel_drops_a_failure_too(qtbot):
    release = threading.Event()
    seen: list = []
    latest = jobs.LatestJob()
    latest.run(lambda: release.wait(5) and 1 / 0, seen.append, seen.append)
    latest.cancel()
    assert not latest.running
    release.set()
    settle_jobs(qtbot)
    assert seen == []
