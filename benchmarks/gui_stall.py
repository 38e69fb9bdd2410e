"""How long the GUI thread stalls while a comparison runs (target: never more than 50 ms).

A 10 ms QTimer records the gap between its ticks on the GUI thread while the Recognize & compare
page runs A (plain) and B (with hotwords) on the offline engine in file mode. The largest gap beyond
the timer period is the worst stall a user would feel.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m benchmarks.gui_stall [CLIP_ID] [--no-preload] [--live]

By default the model is preloaded first, as the app does when the page opens (stalls reported
separately); --no-preload lets the first run load it, as before the preload existed; --live runs
the comparison in real-time mode (the file fed as a microphone would be, partials and finals).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from qwenasr_desktop.core.hotwords import Hotword
from qwenasr_desktop.core.models import LOCAL_BASE
from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.hotword_lists import HotwordListRepository
from qwenasr_desktop.storage.sessions import SessionRepository
from qwenasr_desktop.ui.compare.compare_page import ComparePage

MANIFEST = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "manifest.jsonl"


def main(clip_id: str = "sh_en_lj001_0003", preload: bool = True, live: bool = False) -> None:
    records = {json.loads(line)["id"]: json.loads(line) for line in MANIFEST.read_text().splitlines()}
    rec = records[clip_id]
    app = QApplication.instance() or QApplication(sys.argv)
    conn = db.connect(Path(tempfile.mkdtemp()) / "q.sqlite3")
    lists = HotwordListRepository(conn)
    list_id = lists.create("bench", LOCAL_BASE, [Hotword(h["text"], h["weight"], h["lang"])
                                                  for h in rec["hotwords"]])
    page = ComparePage(lists, SessionRepository(conn), Path(tempfile.mkdtemp()))
    page.resize(1280, 800)
    page.show()
    page.settings.select_model(LOCAL_BASE)
    page.settings.select_list(list_id)
    if live:  # real-time mode: two streaming sessions fed from the file, as from a microphone
        page.source.live_mode.setChecked(True)
        page.audio_path = str(MANIFEST.parent / rec["audio"])
    else:
        page.open_file(str(MANIFEST.parent / rec["audio"]))

    timer = QTimer()
    timer.setInterval(10)
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        last[0] = now

    timer.timeout.connect(tick)

    def measure(label: str, start, done_signal) -> None:
        gaps.clear()
        loop = QEventLoop()
        done_signal.connect(loop.quit)
        last[0] = time.perf_counter()
        timer.start()
        started = time.perf_counter()
        start()
        loop.exec()
        wall = time.perf_counter() - started
        timer.stop()
        done_signal.disconnect(loop.quit)
        stall = sorted(g - 10 for g in gaps)
        print(f"{label}: {wall:.1f} s, {len(gaps)} ticks, worst GUI stall {max(stall, default=0):.1f} ms, "
              f"p99 {stall[int(len(stall) * 0.99)] if stall else 0:.1f} ms, "
              f"stalls > 50 ms: {sum(s > 50 for s in stall)}")

    print(f"clip {clip_id} ({rec['duration_s']:.1f} s), load average {os.getloadavg()[0]:.2f}")
    if preload:
        # What the app does when the page opens: load the model before the user clicks Compare.
        measure("model preload (page opened)", page.preload_model, page.modelPreloaded)
    measure(("real-time " if live else "") + "A/B run"
            + (" (model preloaded)" if preload else " (model loaded by the run)"),
            page.run_box.compare.click, page.runFinished)
    print(f"load average {os.getloadavg()[0]:.2f}")
    app.processEvents()


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(*args, preload="--no-preload" not in sys.argv, live="--live" in sys.argv)
