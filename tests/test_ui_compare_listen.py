"""The compare page lets the user listen, takes a finished comparison to the workbench, and remembers
the list it compared with (issue 15). A scripted engine stands in for Whisper, so these are quick."""

from __future__ import annotations

import pytest
from PySide6.QtMultimedia import QMediaPlayer
from test_ui_compare_trust import WAIT_MS, ScriptedEngine, tone  # tests/ is on sys.path

from qwenasr_desktop.core.compare import Side
from qwenasr_desktop.core.hotwords import Hotword
from qwenasr_desktop.core.models import LOCAL_BASE
from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.appdirs import AppDirs
from qwenasr_desktop.storage.hotword_lists import HotwordListRepository
from qwenasr_desktop.ui.compare import compare_page as page_mod
from qwenasr_desktop.ui.compare.install import add_compare_pages
from qwenasr_desktop.ui.main_window import MainWindow
from qwenasr_desktop.ui.recognition import runner as runner_mod
from qwenasr_desktop.ui.settings_keys import AppSettings, Key
from qwenasr_desktop.ui.workbench import player as player_mod


@pytest.fixture()
def engine(monkeypatch) -> ScriptedEngine:
    e = ScriptedEngine()
    e.texts = {Side.A: "in Basel", Side.B: "in Basle"}
    monkeypatch.setattr(runner_mod, "make_engine", lambda choice, url="": e)
    monkeypatch.setattr(runner_mod, "can_run_concurrently", lambda choice: True)
    monkeypatch.setattr(page_mod, "can_run_concurrently", lambda choice: True)
    return e


def open_window(qtbot, dirs: AppDirs):
    repo = HotwordListRepository(db.connect(dirs.database))
    window = MainWindow(repo)
    qtbot.addWidget(window)
    pages = add_compare_pages(window, repo, dirs)
    window.resize(1280, 720)
    window.show()
    window.tabs.setCurrentWidget(pages.holder)
    return window, repo, pages


def compare(qtbot, page, path: str) -> None:
    with qtbot.waitSignal(page.message, timeout=WAIT_MS):
        page.open_file(path)
    with qtbot.waitSignal(page.runFinished, timeout=WAIT_MS):
        page.run_box.compare.click()
    qtbot.waitUntil(lambda: not page.view.busy, timeout=WAIT_MS)


def test_the_opened_recording_can_be_played_from_the_compare_page(qtbot, tmp_path, engine, monkeypatch):
    monkeypatch.setattr(player_mod, "output_device_available", lambda: True)  # offscreen has none
    _window, _repo, pages = open_window(qtbot, AppDirs(tmp_path / "data").ensure())
    page = pages.compare
    bar = page.listen
    assert not bar.play_button.isEnabled()  # nothing opened yet
    clip = tone(tmp_path / "clip.wav")
    page.open_file(clip)
    assert bar.play_button.isEnabled() and bar.play_button.isVisible()
    assert bar.player.media.source().toLocalFile() == clip
    qtbot.waitUntil(lambda: bar.player.loaded, timeout=WAIT_MS)
    with qtbot.waitSignal(bar.player.playingChanged, timeout=WAIT_MS):
        bar.play_button.click()
    assert bar.player.media.playbackState() == QMediaPlayer.PlaybackState.PlayingState
    assert "Pause" in bar.play_button.text()
    with qtbot.waitSignal(bar.player.playingChanged, timeout=WAIT_MS):
        bar.play_button.click()
    assert "Play" in bar.play_button.text()


def test_open_in_workbench_takes_the_finished_comparisons_b_transcript(qtbot, tmp_path, engine):
    window, repo, pages = open_window(qtbot, AppDirs(tmp_path / "data").ensure())
    page = pages.compare
    list_id = repo.create("Towns", LOCAL_BASE, [Hotword("Basle", 4, "en")])
    page.settings.reload_lists()
    page.settings.select_model(LOCAL_BASE)
    page.settings.select_list(list_id)
    page.settings.add_context.setChecked(False)
    clip = tone(tmp_path / "clip.wav")
    with qtbot.waitSignal(page.message, timeout=WAIT_MS):
        page.open_file(clip)
    assert not page.listen.open_button.isEnabled()  # no finished comparison yet
    compare(qtbot, page, clip)
    assert page.listen.open_button.isEnabled()
    page.listen.open_button.click()
    assert window.tabs.currentWidget() is pages.workbench.holder
    doc = pages.workbench.page.doc
    assert doc is not None and doc.audio_path == clip
    assert " ".join(s.text for s in doc.current.sentences) == "in Basle"
    with qtbot.waitSignal(page.message, timeout=WAIT_MS):
        page.open_file(tone(tmp_path / "other.wav"))
    assert not page.listen.open_button.isEnabled()  # that comparison was about the other recording


def test_the_list_last_compared_with_is_chosen_again_at_the_next_start(qtbot, tmp_path, engine):
    dirs = AppDirs(tmp_path / "data").ensure()
    repo = HotwordListRepository(db.connect(dirs.database))
    default = repo.create("Default", LOCAL_BASE, [Hotword("Lubeck")])
    used = repo.create("Used", LOCAL_BASE, [Hotword("Basle")])
    AppSettings.for_dirs(dirs).set(Key.DEFAULT_LIST, default)
    _window, _repo, pages = open_window(qtbot, dirs)
    page = pages.compare
    page.settings.select_model(LOCAL_BASE)
    assert page.settings.list_id() == default
    page.settings.select_list(used)
    page.settings.add_context.setChecked(False)
    compare(qtbot, page, tone(tmp_path / "clip.wav"))
    _window2, _repo2, pages2 = open_window(qtbot, dirs)
    assert pages2.compare.settings.list_id() == used
