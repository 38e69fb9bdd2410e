"""Screenshots of issue 14 at 1280x720: a long file's progress line and its chunk-by-chunk columns,
the "Resume from" offer after a cancel, and the Queue tab (done, failed, running, waiting), with the
real offline engine. Run it on a real display server to see what the user sees:

    xvfb-run -s "-screen 0 1280x720x24" .venv/bin/python -m benchmarks.screenshots_issue14 docs/screenshots

The "long file" is the vendored English clips joined with a second of silence between them, twice
(about 2.5 minutes), written to a temporary folder.
"""
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

app = QApplication([])
from qwenasr_desktop.audio.decode import load_audio  # noqa: E402
from qwenasr_desktop.storage import db  # noqa: E402
from qwenasr_desktop.storage.appdirs import AppDirs  # noqa: E402
from qwenasr_desktop.storage.hotword_lists import HotwordListRepository  # noqa: E402
from qwenasr_desktop.ui.compare.columns import SideState  # noqa: E402
from qwenasr_desktop.ui.compare.install import add_compare_pages  # noqa: E402
from qwenasr_desktop.ui.main_window import MainWindow  # noqa: E402
from qwenasr_desktop.ui.settings.integration import install  # noqa: E402
from qwenasr_desktop.ui.settings_keys import AppSettings  # noqa: E402

OUT = Path(sys.argv[1])
OUT.mkdir(parents=True, exist_ok=True)
DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
SIZE = (1280, 720)
tmp = Path(tempfile.mkdtemp(prefix="qwenasr-issue14-"))
records = [json.loads(line) for line in (DATA / "manifest.jsonl").read_text().splitlines() if line]
english = [DATA / r["audio"] for r in records if r["lang"] == "en"]
gap = np.zeros(16000, dtype=np.float32)
long_file = tmp / "meeting-long.wav"
sf.write(long_file, np.concatenate([part for p in english * 2 for part in (load_audio(p), gap)]), 16000,
         subtype="PCM_16")
dirs = AppDirs(tmp / "data").ensure()
repo = HotwordListRepository(db.connect(dirs.database))
w = MainWindow(repo)
pages = add_compare_pages(w, repo, dirs)
shell = install(w, AppSettings.for_dirs(dirs), dirs, repo)
w.resize(*SIZE)
w.show()


def pump(ms=50):
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait(cond, s=600):
    t = time.time()
    while not cond():
        pump(20)
        if time.time() - t > s:
            raise SystemExit("timeout")


def shot(name):
    w.resize(*SIZE)
    pump(200)
    path = OUT / f"issue14-{name}.png"
    w.grab().save(str(path))
    print("saved", path.name, path.stat().st_size // 1024, "KB")


w.tabs.setCurrentWidget(pages.holder)
page = pages.compare
page.settings.select_model("local-whisper-base")
page.settings.add_context.setChecked(False)
page.open_file(str(long_file))
wait(lambda: "Opened" in w.statusBar().currentMessage())
page.preload_model()
chunks = []
page.runner.chunk.connect(lambda key, done: chunks.append(key))
page.run_box.compare.click()
wait(lambda: chunks.count("a") >= 3)  # a few chunks in: position, elapsed, time left, text so far
pump(1200)
shot("long-file-running")
page.run_box.cancel.click()
wait(lambda: not page.runner.busy)
pump(300)
shot("long-file-resume-offer")
page.run_box.resume.click()
pump(2500)
shot("long-file-resumed")
page.run_box.cancel.click()
wait(lambda: not page.runner.busy)

# the queue: a broken file, two clips, the long file (running) and one more waiting
w.tabs.setCurrentWidget(pages.queue_holder)
queue = pages.queue_holder.ensure()
bad = tmp / "notes.wav"
bad.write_text("meeting notes, not a recording\n" * 50, encoding="utf-8")
queue.add_files([str(bad), str(english[0]), str(english[1]), str(long_file), str(english[2])])
wait(lambda: queue.queue.items[3].status.value == "running" and queue.queue.items[3].position_ms > 0)
queue.table.selectRow(1)
pump(300)
shot("queue")
queue.runner.cancel_all()
wait(lambda: not queue.runner.busy)
pump(300)
shot("queue-cancelled")
assert all(s is not SideState.RUNNING for s in page.view.columns.states.values())
w.close()
shutil.rmtree(tmp, ignore_errors=True)
