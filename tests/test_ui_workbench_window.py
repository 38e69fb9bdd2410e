"""The workbench inside the real main window: its tab, "Open in workbench" from History, and
reopening a document left open by a crash when the window is built."""

from __future__ import annotations

import pytest
from conftest import TESTDATA
from workbench_data import make_interview

from qwenasr_desktop.core.hotwords import Hotword, HotwordList
from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.appdirs import AppDirs
from qwenasr_desktop.storage.hotword_lists import HotwordListRepository
from qwenasr_desktop.storage.sessions import Session, SessionRepository
from qwenasr_desktop.storage.transcripts import TranscriptRepository
from qwenasr_desktop.ui.compare.install import add_compare_pages
from qwenasr_desktop.ui.main_window import MainWindow


@pytest.fixture(scope="module")
def interview(tmp_path_factory):
    return make_interview(TESTDATA, tmp_path_factory.mktemp("interview"))


def build_window(qtbot, dirs: AppDirs):
    repo = HotwordListRepository(db.connect(dirs.database))
    window = MainWindow(repo)
    qtbot.addWidget(window)
    pages = add_compare_pages(window, repo, dirs)
    window.resize(1280, 800)
    window.show()
    return window, pages


def test_history_opens_a_session_in_the_workbench_once(qtbot, tmp_path, interview):
    wav, transcript, _ = interview
    dirs = AppDirs(tmp_path / "data").ensure()
    snapshot = HotwordList("Interview terms", "fun-asr", [Hotword("Netherlands")])
    sid = SessionRepository(db.connect(dirs.database)).add(Session(
        "local", "local-whisper-tiny-en", "file", str(wav), hotword_list=snapshot,
        transcript_a=transcript, transcript_b=transcript))
    window, pages = build_window(qtbot, dirs)
    assert "Workbench" in [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert pages.workbench.holder.page is None  # built on first use
    window.tabs.setCurrentWidget(pages.history)
    pages.history.table.selectRow(0)
    pages.history.workbench_button.click()
    page = pages.workbench.holder.page
    assert window.tabs.currentWidget() is pages.workbench.holder
    assert page.doc.session_id == sid and page.doc.side == "b"
    assert page.doc.hotword_list == "Interview terms"  # learn offers terms to the list the run used
    assert page.editor.document().blockCount() == len(transcript.sentences)
    first = page.doc.id
    window.tabs.setCurrentWidget(pages.history)
    pages.history.workbench_button.click()
    assert page.doc.id == first and len(TranscriptRepository(page.conn).recent()) == 1


def test_a_document_left_open_is_reopened_when_the_window_starts(qtbot, tmp_path, interview):
    wav, transcript, _ = interview
    dirs = AppDirs(tmp_path / "data").ensure()
    docs = TranscriptRepository(db.connect(dirs.database))
    doc_id = docs.create(transcript, title="Interview", audio_path=str(wav))
    docs.set_place(doc_id, position_ms=4200, cursor_sentence=2, cursor_offset=5)
    docs.set_open(doc_id, True)  # the app died with it open
    window, pages = build_window(qtbot, dirs)
    page = pages.workbench.holder.page
    assert page is not None and page.doc.id == doc_id
    assert page.player.position == 4200 and page.editor.cursor_place() == (2, 5)
    assert "Reopened the transcript" in window.statusBar().currentMessage()
