"""The workbench inside the real main window: its tab, "Open in workbench" from History, and
reopening a document left open by a crash when the window is built."""

from __future__ import annotations

import pytest
from conftest import TESTDATA
from workbench_data import make_interview

from qwenasr_desktop.core.export import ExportFormat
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


def test_the_last_transcript_reopens_after_a_clean_close(qtbot, tmp_path, interview):
    wav, transcript, _ = interview
    dirs = AppDirs(tmp_path / "data").ensure()
    docs = TranscriptRepository(db.connect(dirs.database))
    first = docs.create(transcript, title="First", audio_path=str(wav))
    last = docs.create(transcript, title="Last", audio_path=str(wav))
    window, pages = build_window(qtbot, dirs)
    window.tabs.setCurrentWidget(pages.workbench.holder)
    page = pages.workbench.page
    page.open_document(first)
    page.open_document(last)
    page.shutdown()  # a clean close: nothing is "left open"
    assert docs.left_open() == []
    window2, pages2 = build_window(qtbot, dirs)
    window2.tabs.setCurrentWidget(pages2.workbench.holder)
    assert pages2.workbench.page.doc is not None and pages2.workbench.page.doc.id == last
    pages2.workbench.page.shutdown()


def test_workbench_preferences_are_in_the_settings_dialog(qtbot, tmp_path, interview, monkeypatch):
    from qwenasr_desktop.storage.workbench_prefs import load_prefs
    from qwenasr_desktop.ui.settings import integration
    from qwenasr_desktop.ui.settings.dialog import SettingsDialog
    from qwenasr_desktop.ui.settings_keys import AppSettings

    monkeypatch.setattr(integration, "setup_logging", lambda *a: None)
    wav, transcript, _ = interview
    dirs = AppDirs(tmp_path / "data").ensure()
    window, pages = build_window(qtbot, dirs)
    shell = integration.install(window, AppSettings.for_dirs(dirs), dirs)
    window.tabs.setCurrentWidget(pages.workbench.holder)
    page = pages.workbench.page
    page.open_transcript(transcript, str(wav), "Interview")
    shell.open_settings()
    dialog: SettingsDialog = shell.settings_dialog
    group = dialog.workbench
    assert group.skip.value() == 5.0 and group.rewind.value() == 1.0
    assert group.template.text() == "{audio_stem}_{date}.{ext}"
    assert dialog.sizeHint().height() <= 720 - 40  # still fits a 1280x720 screen
    group.template.setText("{nonsense}.{ext}")
    dialog.accept()
    assert dialog.isVisible() and "not a field" in group.problem.text()  # refused, and why
    group.skip.setValue(2.5)
    group.rewind.setValue(0.0)
    group.template.setText("{title}-{date}")
    dialog.accept()
    assert not dialog.isVisible()
    prefs = load_prefs(page.conn)
    assert (prefs.skip_back_s, prefs.skip_forward_s, prefs.rewind_on_resume_s) == (2.5, 2.5, 0.0)
    assert prefs.name_template == "{title}-{date}"
    # the open workbench uses them at once
    assert page.options.skip_spin.value() == 2.5 and page.player.rewind_on_resume_ms == 0
    assert "2.5 s" in page.transport.back_button.text()
    assert page.default_file_name(ExportFormat.SRT).startswith("Interview-")
    page.shutdown()
