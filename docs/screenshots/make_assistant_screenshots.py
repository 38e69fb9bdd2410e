"""Renders the hotword assistant's dialogs to PNGs (offscreen, real offline engine, real clip).

    .venv/bin/python docs/screenshots/make_assistant_screenshots.py docs/screenshots
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication

from qwenasr_desktop.core.hotwords import Hotword
from qwenasr_desktop.core.models import LOCAL_TINY_EN
from qwenasr_desktop.engines.local.engine import LocalEngine
from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.hotword_lists import HotwordListRepository
from qwenasr_desktop.ui.assistant.candidates_dialog import CandidatesDialog
from qwenasr_desktop.ui.assistant.tuning_dialog import EngineChoice, TuningDialog
from qwenasr_desktop.ui.hotwords.editor_page import HotwordEditorPage

REPO = Path(__file__).resolve().parents[2]
CLIP = REPO.parent / "shared" / "testdata" / "audio" / "sh_en_ls_1089-134686-0001.wav"
BRIEF = (REPO / "tests" / "test_candidates.py").read_text(encoding="utf-8")
BRIEF = BRIEF.split('BRIEF = """')[1].split('"""')[0]


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    app = QApplication([])
    repo = HotwordListRepository(db.connect(Path(tempfile.mkdtemp()) / "shots.sqlite3"))
    list_id = repo.create("Case", "fun-asr", [Hotword("counselled", 1), Hotword("belly", 3),
                                              Hotword("Stuffy", 5), Hotword("Entresto", 4)])
    page = HotwordEditorPage(repo)
    page.open_list(list_id)

    dlg = TuningDialog(page.model, choices=[EngineChoice("Offline: Whisper tiny.en", LocalEngine,
                                                         LOCAL_TINY_EN)])
    dlg.trie_only.setChecked(True)
    dlg.add_clip(CLIP, "STUFF IT INTO YOU HIS BELLY COUNSELLED HIM")
    dlg.show()
    dlg.grab().save(str(out / "assistant-tuning-cost.png"))
    loop = QEventLoop()
    dlg.finished_run.connect(lambda _r: loop.quit())
    dlg.start()
    loop.exec()
    dlg.grab().save(str(out / "assistant-tuning-result.png"))

    cand = CandidatesDialog(page.model)
    cand.source.setPlainText(BRIEF)
    cand.show()
    loop2 = QEventLoop()
    cand.extracted.connect(lambda _s: loop2.quit())
    cand.find_terms()
    loop2.exec()
    cand.grab().save(str(out / "assistant-candidates.png"))
    app.processEvents()


if __name__ == "__main__":
    main()
