"""Renders the comparison page in each state to PNGs (offscreen, 1280x800, real offline engine).

    .venv/bin/python docs/screenshots/make_compare_screenshots.py docs/screenshots

The finished comparison for the README comes from `qwenasr-desktop --screenshot PATH --demo`.
"""
import os, sys, shutil
os.environ["QT_QPA_PLATFORM"]="offscreen"
from pathlib import Path
import numpy as np, soundfile as sf
from PySide6.QtWidgets import QApplication
from PySide6.QtCore import QEventLoop, QTimer
app=QApplication([])
from qwenasr_desktop import ui  # noqa
from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.appdirs import AppDirs
from qwenasr_desktop.storage.hotword_lists import HotwordListRepository
from qwenasr_desktop.ui.main_window import MainWindow
from qwenasr_desktop.ui.compare.install import add_compare_pages
from qwenasr_desktop.core.hotwords import Hotword
from qwenasr_desktop.core.context import Context, ContextMessage, Role
import json
OUT=Path(sys.argv[1]); OUT.mkdir(parents=True, exist_ok=True)
TESTDATA = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"
import tempfile
tmp=Path(tempfile.mkdtemp(prefix="qwenasr-shots-"))
TMPWAV=str(tmp / "too-loud.wav")
dirs=AppDirs(tmp).ensure()
repo=HotwordListRepository(db.connect(dirs.database))
m={json.loads(l)["id"]:json.loads(l) for l in open(str(TESTDATA / "manifest.jsonl"))}
rec=m["sh_en_lj001_0003"]
lid=repo.create("Early printing", "local-whisper-base", [Hotword(h["text"],4,"en") for h in rec["hotwords"]]+[Hotword("余孽",4,"zh")])
w=MainWindow(repo); pages=add_compare_pages(w, repo, dirs); w.resize(1280,800); w.show()
w.tabs.setCurrentWidget(pages.holder); page=pages.compare
def pump(ms=50):
    loop=QEventLoop(); QTimer.singleShot(ms, loop.quit); loop.exec()
def wait(cond, ms=300000):
    import time; t=time.time()
    while not cond():
        pump(50)
        if time.time()-t>ms/1000: raise SystemExit("timeout")
def shot(name):
    pump(100); w.grab().save(str(OUT/name)); print("saved", name)
shot("compare-empty.png")
# file with audio-check warnings: a clipped copy of the clip
x,_=sf.read(str(TESTDATA / rec["audio"]), dtype="float32")
sf.write(TMPWAV, np.clip(x*12,-1,1), 16000)
page.settings.select_model("local-whisper-base"); page.settings.select_list(lid)
page.settings.hint.setCurrentIndex(page.settings.hint.findData("en"))
page.open_file(TMPWAV)
wait(lambda: page.run_box.warnings.isVisible())
shot("compare-audio-check.png")
# real-time run on the real clip, grabbed while the columns are being filled
page.open_file(str(TESTDATA / rec["audio"]))
page.source.live_mode.setChecked(True)
page.context_panel.set_context(Context([ContextMessage(Role.USER, "A lecture on the history of printing in the Netherlands.")]))
seen=set()
page.runner.live.connect(lambda k,t: seen.add(k) if len(t.sentences)>=1 and not all(s.is_final for s in t.sentences) else None)
page.run_box.compare.click()
def live_now():
    r = page.view.result
    return page.runner.busy and r is not None and r.b.sentences and any(not s.is_final for s in r.a.sentences + r.b.sentences)
while True:
    pump(10)
    if live_now():
        w.grab().save(str(OUT/"compare-live.png")); print("saved live"); break
wait(lambda: not page.runner.busy and not page.view.busy)
page.view.set_reference(rec["reference"]); wait(lambda: page.view.busy); wait(lambda: not page.view.busy)
shot("compare-finished-realtime.png")
# context panel
page.left_tabs.setCurrentWidget(page.context_panel)
page.context_panel.use_previous.click()
page.context_panel.add_assistant.click()
page.context_panel.editor.setPlainText("Noted: woodcutters, engraved, the Netherlands.")
shot("context-panel.png")
page.source.file_mode.setChecked(True)
page.settings.engine.setCurrentIndex(page.settings.engine.findData("intl")); page.settings.select_model("fun-asr")
shot("context-panel-model-without-context.png")
w.tabs.setCurrentWidget(pages.history)
shot("history.png")
shutil.rmtree(tmp, ignore_errors=True)
