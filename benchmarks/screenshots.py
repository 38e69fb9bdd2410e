"""Renders the compare page (idle, running, cancelled, finished, a rejected file), the workbench and
the hotword editor at 1280x720 and 1920x1080 to PNGs, offscreen, with the real offline engine.

    .venv/bin/python -m benchmarks.screenshots docs/screenshots
"""
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

app = QApplication([])
from qwenasr_desktop.core.hotwords import Hotword  # noqa: E402
from qwenasr_desktop.storage import db  # noqa: E402
from qwenasr_desktop.storage.appdirs import AppDirs  # noqa: E402
from qwenasr_desktop.storage.hotword_demo import seed_demo_list  # noqa: E402
from qwenasr_desktop.storage.hotword_lists import HotwordListRepository  # noqa: E402
from qwenasr_desktop.ui.compare.install import add_compare_pages  # noqa: E402
from qwenasr_desktop.ui.main_window import MainWindow  # noqa: E402
from qwenasr_desktop.ui.settings.integration import install  # noqa: E402
from qwenasr_desktop.ui.settings_keys import AppSettings  # noqa: E402

OUT = Path(sys.argv[1])
OUT.mkdir(parents=True, exist_ok=True)
DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
SIZES = ((1280, 720), (1920, 1080))
tmp = Path(tempfile.mkdtemp(prefix="qwenasr-shots-"))
dirs = AppDirs(tmp).ensure()
repo = HotwordListRepository(db.connect(dirs.database))
seed_demo_list(repo)
rec = {r["id"]: r for r in map(json.loads, (DATA / "manifest.jsonl").read_text().splitlines()) if r}[
    "sh_en_lj001_0028"]
lid = repo.create("Printing towns", "local-whisper-base",
                  [Hotword(h["text"], h["weight"], h.get("lang")) for h in rec["hotwords"]])
w = MainWindow(repo)
pages = add_compare_pages(w, repo, dirs)
shell = install(w, AppSettings.for_dirs(dirs), dirs, repo)
shell.show_welcome_if_first_run()
w.resize(*SIZES[0])
w.show()


def pump(ms=50):
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait(cond, s=300):
    t = time.time()
    while not cond():
        pump(20)
        if time.time() - t > s:
            raise SystemExit("timeout")


def shots(name, sizes=SIZES):
    for size in sizes:
        w.resize(*size)
        pump(150)
        path = OUT / f"{name}-{size[0]}x{size[1]}.png"
        w.grab().save(str(path))
        print("saved", path.name, path.stat().st_size // 1024, "KB")
    w.resize(*SIZES[0])


w.hotwords.show_first_problem()
shots("issue15-hotword-editor")
shell.welcome.dismiss()
w.tabs.setCurrentWidget(pages.holder)
page = pages.compare
page.settings.select_model("local-whisper-base")
page.settings.select_list(lid)
page.settings.add_context.setChecked(False)
page.open_file(str(DATA / rec["audio"]))
wait(lambda: page.run_box.status is not None and not page.view.busy)
pump(500)
shots("issue15-compare-idle")
# cancelled: both columns say so, no numbers
page.run_box.compare.click()
pump(30)
page.run_box.cancel.click()
wait(lambda: not page.runner.busy)
pump(300)
shots("issue15-compare-cancelled", SIZES[:1])
# running: grabbed while the engine works (both sizes from the same moment)
page.run_box.compare.click()
pump(200)
shots("issue15-compare-running")
wait(lambda: not page.runner.busy and not page.view.busy)
page.view.set_reference(rec["reference"])
pump(400)
wait(lambda: not page.view.busy)
shots("issue15-compare-finished")
# the finished comparison's B transcript in the workbench ("Open in workbench" on the compare page)
page.listen.open_button.click()
pump(1500)
shots("issue15-workbench")
# failed: a file that is not audio (text renamed .wav): the check says why and Compare stays off
w.tabs.setCurrentWidget(pages.holder)
bad = tmp / "notes.wav"
bad.write_text("meeting notes, not a recording\n" * 50, encoding="utf-8")
page.open_file(str(bad))
pump(2000)
shots("issue15-compare-failed")
shutil.rmtree(tmp, ignore_errors=True)
