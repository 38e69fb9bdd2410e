"""The pages in the real main window: history reopen, lazy build, the --demo screenshot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from qwenasr_desktop.core.hotwords import Hotword
from qwenasr_desktop.core.transcript import Sentence, Transcript
from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.appdirs import AppDirs
from qwenasr_desktop.storage.hotword_lists import HotwordListRepository
from qwenasr_desktop.storage.sessions import Session
from qwenasr_desktop.ui.compare.install import add_compare_pages
from qwenasr_desktop.ui.main_window import MainWindow

REPO = Path(__file__).resolve().parent.parent


def window_with_pages(qtbot, tmp_path):
    dirs = AppDirs(tmp_path / "data").ensure()
    repo = HotwordListRepository(db.connect(dirs.database))
    window = MainWindow(repo)
    qtbot.addWidget(window)
    pages = add_compare_pages(window, repo, dirs)
    window.resize(1280, 800)
    window.show()
    return window, repo, pages


def test_compare_page_is_built_on_first_show_and_sees_new_lists(qtbot, tmp_path):
    window, repo, pages = window_with_pages(qtbot, tmp_path)
    assert pages.holder.page is None
    window.tabs.setCurrentWidget(pages.holder)
    page = pages.holder.page
    assert page is not None and page.isVisible()
    window.tabs.setCurrentIndex(0)
    repo.create("Made in the editor", "local-whisper-base", [Hotword("Basle")])
    window.tabs.setCurrentWidget(pages.holder)
    combo = page.settings.hotword_list
    assert "Made in the editor (1)" in [combo.itemText(i) for i in range(combo.count())]


def test_history_lists_sessions_and_reopens_one(qtbot, tmp_path):
    window, _repo, pages = window_with_pages(qtbot, tmp_path)
    t = Transcript([Sentence("in Basel", 0, 900)], language="en")
    u = Transcript([Sentence("in Basle", 0, 900)], language="en")
    sid = pages.sessions.add(Session("offline", "local-whisper-base", "file", "/x/clip.wav", "clip",
                                     {"b_adds": ["hotwords"]}, None, None, t, u, reference="in Basle"))
    window.tabs.setCurrentWidget(pages.history)
    model = pages.history.model
    assert model.rowCount() == 1 and not pages.history.empty.isVisible()
    assert [model.index(0, c).data() for c in (1, 2, 4, 5)] == [
        "clip.wav", "Offline (on this computer)", "file", "A and B done"]
    pages.history.table.selectRow(0)
    page = pages.compare
    with qtbot.waitSignal(page.view.comparisonReady, timeout=30_000):
        pages.history.open_button.click()
    assert window.tabs.currentWidget() is pages.holder
    assert page.view.result.b.text == "in Basle" and page.view.reference.toPlainText() == "in Basle"
    assert page.view.result.scores_b.wer == 0.0 and page.view.result.scores_a.wer == 0.5
    assert pages.sessions.load(sid).reference == "in Basle"  # reopening did not rewrite it
    pages.history.delete_button.click()
    assert model.rowCount() == 0 and pages.history.empty.isVisibleTo(pages.history)


def test_demo_screenshot_shows_a_finished_comparison(tmp_path):
    out = tmp_path / "demo.png"
    result = subprocess.run([sys.executable, "-m", "qwenasr_desktop.app", "--screenshot", str(out), "--demo",
                             "--data-dir", str(tmp_path / "data")], capture_output=True, text=True,
                            timeout=120, cwd=REPO)
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)
    # the hotword highlight colour (#cfe2ff) and the difference colour (#ffe08a) are on screen
    colours = {image.pixelColor(x, y).name() for x in range(400, 1280, 2) for y in range(90, 200, 2)}
    assert {"#cfe2ff", "#ffe08a"} <= colours
    # the demo's list was stored, so the picker can show it
    repo = HotwordListRepository(db.connect(tmp_path / "data" / "qwenasr.sqlite3"))
    assert "Early printing (demo)" in [s.name for s in repo.summaries()]


def test_page_starts_on_the_settings_choices_and_remembers_the_model(qtbot, tmp_path):
    from qwenasr_desktop.ui.settings_keys import AppSettings, Key

    dirs = AppDirs(tmp_path / "data").ensure()
    repo = HotwordListRepository(db.connect(dirs.database))
    repo.create("First", "local-whisper-base", [Hotword("Basle")])
    chosen = repo.create("Chosen in settings", "local-whisper-base", [Hotword("Lubeck")])
    settings = AppSettings.for_dirs(dirs)
    settings.set(Key.DEFAULT_MODEL, "local-whisper-tiny.en")
    settings.set(Key.DEFAULT_LIST, chosen)
    settings.set(Key.SESSIONS_DIR, str(tmp_path / "my sessions"))
    window = MainWindow(repo)
    qtbot.addWidget(window)
    pages = add_compare_pages(window, repo, dirs)
    page = pages.compare
    assert page.settings.model.currentData() == "local-whisper-tiny.en"
    assert page.settings.list_id() == chosen
    assert page.sessions_dir == tmp_path / "my sessions"
    page.settings.select_model("local-whisper-base")
    assert AppSettings.for_dirs(dirs).get(Key.LAST_MODEL) == "local-whisper-base"
