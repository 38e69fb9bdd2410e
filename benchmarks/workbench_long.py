"""The workbench with a one-hour transcript: time to open, and the worst GUI-thread stall while
scrolling, following playback and typing (target: open under 1 s, no stall over 50 ms).

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m benchmarks.workbench_long [--sentences N]

A synthetic 60-minute transcript (900 sentences of 15 timed words, two speakers; the same one
benchmarks/workbench_edit.py stores) is opened in the real WorkbenchPage (offscreen) together
with a 60-minute WAV of quiet noise, so the real media player loads it and playback can follow.
Stalls are measured as benchmarks/gui_stall.py does: a 10 ms QTimer records the gaps between its
ticks on the GUI thread; the largest gap beyond 10 ms is the worst stall a user would feel. On a
shared, busy machine a gap also holds time the process waited for a core, so the GUI thread's own
CPU time within each gap (time.thread_time) is reported next to it: that part is the code's cost. A
second timer drives the work in small steps, as a user (or the player) would:

- scroll: the editor scrolls three lines per step (one mouse-wheel notch) from top to bottom;
- follow: playback runs and the player is moved 1.5 s further at each step across the hour,
  so the highlighted word and the view follow it (what playing at high speed would do);
- type: 300 keystrokes into sentences spread over the document, each one re-aligned and
  autosaved to the SQLite file.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import soundfile as sf
from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from benchmarks.workbench_edit import hour_transcript
from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.transcripts import TranscriptRepository
from qwenasr_desktop.ui.workbench import player as player_mod
from qwenasr_desktop.ui.workbench.page import WorkbenchPage

RATE = 8000
TICK_MS = 10


def noise_wav(path: Path, seconds: float) -> Path:
    """Quiet noise (not silence, so no decoder takes a shortcut), written in one-minute blocks."""
    rng = np.random.default_rng(0)
    with sf.SoundFile(str(path), "w", RATE, 1, "PCM_16") as f:
        left = int(seconds * RATE)
        while left > 0:
            n = min(left, 60 * RATE)
            f.write((rng.standard_normal(n) * 0.01).astype(np.float32))
            left -= n
    return path


class PaintWatch(QObject):
    """Notes when the editor's text area is painted for the first time after a reset."""

    def __init__(self) -> None:
        super().__init__()
        self.painted_at: float | None = None

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.painted_at is None:
            self.painted_at = time.perf_counter()
        return False


class StallMeter:
    """A 10 ms timer on the GUI thread; a late tick is a stall."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.gaps: list[float] = []
        self.busy: list[float] = []  # GUI-thread CPU time spent within each gap
        self._last = self._last_cpu = 0.0

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        self.gaps.append((now - self._last) * 1000)
        self.busy.append((cpu - self._last_cpu) * 1000)
        self._last, self._last_cpu = now, cpu

    def run(self, label: str, step: Callable[[], bool], every_ms: int = 20) -> None:
        """Calls `step` every `every_ms` until it returns False, and reports the stalls."""
        self.gaps.clear()
        self.busy.clear()
        loop = QEventLoop()
        driver = QTimer()
        driver.setInterval(every_ms)
        steps = [0]

        def drive() -> None:
            steps[0] += 1
            if not step():
                driver.stop()
                loop.quit()

        driver.timeout.connect(drive)
        self._last, self._last_cpu = time.perf_counter(), time.thread_time()
        started = time.perf_counter()
        self.timer.start()
        driver.start()
        loop.exec()
        self.timer.stop()
        wall = time.perf_counter() - started
        stall = sorted(max(0.0, g - TICK_MS) for g in self.gaps)
        p99 = stall[int(len(stall) * 0.99)] if stall else 0.0
        busy = sorted(self.busy)
        busy_p99 = busy[int(len(busy) * 0.99)] if busy else 0.0
        print(f"{label}: {steps[0]} steps in {wall:.1f} s, worst GUI stall {max(stall, default=0):.1f} ms, "
              f"p99 {p99:.1f} ms, stalls > 50 ms: {sum(s > 50 for s in stall)}; GUI-thread CPU between "
              f"ticks: worst {max(busy, default=0):.1f} ms, p99 {busy_p99:.1f} ms")


def measure_open(app: QApplication, page: WorkbenchPage, doc_id: int) -> None:
    watch = PaintWatch()
    page.editor.viewport().installEventFilter(watch)
    t0 = time.perf_counter()
    page.open_document(doc_id)
    opened = time.perf_counter()
    while watch.painted_at is None and time.perf_counter() - t0 < 10:
        app.processEvents()
    page.editor.viewport().removeEventFilter(watch)
    painted = watch.painted_at or time.perf_counter()
    print(f"open 60-min document: {(opened - t0) * 1000:.0f} ms to load and lay out, "
          f"{(painted - t0) * 1000:.0f} ms to the first paint of the text")


def scroll_steps(page: WorkbenchPage) -> Callable[[], bool]:
    bar = page.editor.verticalScrollBar()
    bar.setValue(0)

    def step() -> bool:
        if bar.value() >= bar.maximum():
            return False
        bar.setValue(bar.value() + 3 * bar.singleStep())
        return True

    return step


def follow_steps(page: WorkbenchPage, duration_ms: int, jump_ms: int = 1500) -> Callable[[], bool]:
    at = [0]
    page.player.seek(0)
    page.player.play()

    def step() -> bool:
        at[0] += jump_ms
        if at[0] >= duration_ms - jump_ms:
            page.player.pause()
            return False
        page.player.seek(at[0])
        return True

    return step


def typing_steps(page: WorkbenchPage, keystrokes: int = 300) -> Callable[[], bool]:
    ed = page.editor
    n = len(ed.sentences)
    done = [0]
    ed.setFocus()

    def step() -> bool:
        k = done[0]
        if k >= keystrokes:
            return False
        if k % 10 == 0:  # a new place every ten keys, spread over the whole hour
            i = (k // 10 * 97) % n
            ed.place_cursor(i, len(ed.document().findBlockByNumber(i).text()))
        ch = "x" if k % 10 != 9 else " "
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(ed, QKeyEvent(kind, Qt.Key.Key_X if ch == "x" else Qt.Key.Key_Space,
                                                 Qt.KeyboardModifier.NoModifier, ch))
        done[0] += 1
        return True

    return step


def main(sentences: int = 900) -> None:
    player_mod.output_device_available = lambda: True  # offscreen has no device; the clock still runs
    app = QApplication.instance() or QApplication(sys.argv)
    t = hour_transcript(sentences)
    work = Path(tempfile.mkdtemp())
    wav = noise_wav(work / "hour.wav", t.duration_ms / 1000)
    conn = db.connect(work / "bench.sqlite3")
    doc_id = TranscriptRepository(conn).create(t, title="hour", audio_path=str(wav))
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores shared with other work); "
          f"{len(t.sentences)} sentences, {sum(len(s.words) for s in t.sentences)} words, "
          f"{t.duration_ms / 60000:.0f} min")
    page = WorkbenchPage(conn)
    page.resize(1280, 800)
    page.show()
    app.processEvents()
    measure_open(app, page, doc_id)
    deadline = time.perf_counter() + 20
    while not (page.player.loaded and page.player.duration > 0) and time.perf_counter() < deadline:
        app.processEvents()
    meter = StallMeter()
    meter.run("scroll top to bottom", scroll_steps(page))
    meter.run("follow playback across the hour", follow_steps(page, t.duration_ms), every_ms=25)
    meter.run("type 300 keys (each autosaved)", typing_steps(page))
    print(f"load average {os.getloadavg()[0]:.2f}")
    page.shutdown()


if __name__ == "__main__":
    n = int(sys.argv[sys.argv.index("--sentences") + 1]) if "--sentences" in sys.argv else 900
    main(n)
