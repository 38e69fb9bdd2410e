"""Renders the Workbench tab of the main window to a PNG (offscreen, 1280x800).

    .venv/bin/python docs/screenshots/make_workbench_screenshot.py docs/screenshots/workbench.png

The transcript is real: three test clips joined into a two-voice "interview", recognized by the
offline engine (tiny.en); one word corrected, speakers named, playback paused mid-sentence.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from workbench_data import make_interview  # noqa: E402

from qwenasr_desktop.core.hotwords import Hotword, HotwordList  # noqa: E402
from qwenasr_desktop.storage import db  # noqa: E402
from qwenasr_desktop.storage.appdirs import AppDirs  # noqa: E402
from qwenasr_desktop.storage.hotword_lists import HotwordListRepository  # noqa: E402
from qwenasr_desktop.storage.sessions import Session, SessionRepository  # noqa: E402
from qwenasr_desktop.ui.compare.install import add_compare_pages  # noqa: E402
from qwenasr_desktop.ui.main_window import MainWindow  # noqa: E402


def pump(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main(out: Path) -> None:
    app = QApplication.instance() or QApplication([])
    tmp = Path(tempfile.mkdtemp(prefix="qwenasr-workbench-"))
    wav, transcript, _ = make_interview(ROOT.parent / "shared" / "testdata", tmp)
    dirs = AppDirs(tmp / "data").ensure()
    repo = HotwordListRepository(db.connect(dirs.database))
    terms = [Hotword("Netherlands"), Hotword("woodcutters")]
    repo.create("Interview terms", "fun-asr", terms)
    sid = SessionRepository(db.connect(dirs.database)).add(Session(
        "local", "local-whisper-tiny-en", "file", str(wav), title="Interview",
        hotword_list=HotwordList("Interview terms", "fun-asr", terms), transcript_b=transcript))
    window = MainWindow(repo)
    pages = add_compare_pages(window, repo, dirs)
    window.resize(1280, 800)
    window.show()
    pages.workbench.open_session(sid)
    page = pages.workbench.page
    page.set_speaker_name(0, "Interviewer")
    page.set_speaker_name(1, "Guest")
    page.player.set_speed(0.75)  # transcriptionists slow down; the pitch stays
    ed = page.editor
    k = [w.text for w in ed.sentences[3].words].index("Chinese")
    ed.place_cursor(3, ed.tokens(3)[k].start)
    ed.insert_marker("{inaudible}")
    pump(300)
    page.player.seek(ed.sentences[2].words[6].begin_ms + 10)
    pump(500)
    app.processEvents()
    out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out), "PNG")
    print(f"saved {out}")
    page.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots/workbench.png"))
