"""The pieces around the main window: menu entries, first-run welcome, About, remembered state."""

from __future__ import annotations

from importlib import metadata

import pytest
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QApplication

from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.appdirs import resolve_app_dirs
from qwenasr_desktop.storage.hotword_lists import HotwordListRepository
from qwenasr_desktop.ui.about import AboutDialog, component_versions, versions_text
from qwenasr_desktop.ui.hotwords.editor_page import LAST_LIST_KEY
from qwenasr_desktop.ui.main_window import MainWindow
from qwenasr_desktop.ui.settings.integration import install
from qwenasr_desktop.ui.settings_keys import AppSettings, Key
from qwenasr_desktop.ui.welcome import WelcomeBanner


@pytest.fixture()
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    dirs = resolve_app_dirs(tmp_path / "data").ensure()
    repo = HotwordListRepository(db.connect(dirs.database))
    repo.create("First", "local-whisper-base")
    repo.create("Second", "local-whisper-base")
    return dirs, repo


def make(qtbot, env):
    dirs, repo = env
    window = MainWindow(repo)
    qtbot.addWidget(window)
    shell = install(window, AppSettings.for_dirs(dirs), dirs, repo)
    return window, shell


def menu_texts(window, title: str) -> list[str]:
    for action in window.menuBar().actions():
        if action.text().replace("&", "") == title:
            return [a.text().replace("&", "") for a in action.menu().actions() if not a.isSeparator()]
    raise AssertionError(f"no {title} menu")


def test_menus_gain_settings_about_and_logs_folder(qtbot, env):
    window, _ = make(qtbot, env)
    file_items = menu_texts(window, "File")
    assert file_items.index("Settings…") == file_items.index("Quit") - 1
    assert menu_texts(window, "Help") == ["About", "Open logs folder"]


def test_first_run_welcome_is_a_banner_and_is_shown_once(qtbot, env):
    window, shell = make(qtbot, env)
    assert shell.show_welcome_if_first_run()
    window.show()
    qtbot.waitExposed(window)
    banner = window.findChild(WelcomeBanner)
    assert banner is not None and banner.isVisible()
    assert QApplication.activeModalWidget() is None  # nothing blocks: the editor is usable at once
    assert window.tabs.isVisible() and window.hotwords.isEnabled()
    with qtbot.waitSignal(banner.dismissed):
        banner.close_button.click()
    assert not banner.isVisible()
    window2, shell2 = make(qtbot, env)
    assert shell2.show_welcome_if_first_run() is False
    assert window2.findChild(WelcomeBanner) is None


def test_welcome_button_opens_settings_without_blocking(qtbot, env):
    window, shell = make(qtbot, env)
    shell.show_welcome_if_first_run()
    window.show()
    shell.welcome.settings_button.click()  # returns at once: the dialog is opened, not exec'd
    dialog = shell.settings_dialog
    assert dialog.isVisible()
    assert AppSettings.for_dirs(env[0]).get(Key.WELCOME_SEEN) is True
    dialog.reject()


def test_window_geometry_tab_and_last_list_are_restored(qtbot, env):
    dirs, repo = env
    window, shell = make(qtbot, env)
    assert shell.restore_window() is False  # first run: nothing to restore
    window.resize(1180, 720)
    window.show()
    qtbot.waitExposed(window)
    second = next(s.id for s in repo.summaries() if s.name == "Second")
    window.hotwords.open_list(second)
    first = next(s.id for s in repo.summaries() if s.name == "First")
    shell.save_window()
    saved = window.saveGeometry()
    repo.set_state(LAST_LIST_KEY, str(first))  # the editor's own memory says otherwise
    window.close()

    again, shell2 = make(qtbot, env)
    assert shell2.restore_window() is True
    again.show()
    qtbot.waitExposed(again)
    # The offscreen screen is 800x800, so Qt clamps a restored width to the screen (or the window's
    # minimum); the height and the stored bytes show the geometry came back.
    assert again.height() == 720
    assert AppSettings.for_dirs(dirs).get(Key.WINDOW_GEOMETRY) == saved
    assert again.hotwords.list_id == again.hotwords.sidebar.current_id() == second
    assert AppSettings.for_dirs(dirs).get(Key.LAST_LIST) == second


def test_about_lists_app_qt_and_engine_versions(qtbot, env):
    dirs, _ = env
    dialog = AboutDialog(dirs.logs)
    qtbot.addWidget(dialog)
    versions = dict(component_versions())
    assert versions["Qt"] == qVersion()
    assert versions["faster-whisper"] == metadata.version("faster-whisper")
    assert versions["CTranslate2"] == metadata.version("ctranslate2")
    assert versions["Whisper base model"] == "1.0.0"
    assert "faster-whisper: " in versions_text()
    assert qVersion() in dialog.versions.text()
    dialog.copy_button.click()
    assert QApplication.clipboard().text() == versions_text()
    assert str(dirs.logs) in " ".join(w.text() for w in dialog.findChildren(type(dialog.versions)))
