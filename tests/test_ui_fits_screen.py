"""The window fits a 1280x720 laptop screen (issue 15, "Fits the screen"): the first window's size,
the compare page's controls and run state without scrolling, Undo labels, the welcome banner.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import QLabel

from qwenasr_desktop.core.hotwords import Hotword
from qwenasr_desktop.core.models import LOCAL_BASE
from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.appdirs import AppDirs
from qwenasr_desktop.storage.hotword_lists import HotwordListRepository
from qwenasr_desktop.ui.compare.install import add_compare_pages
from qwenasr_desktop.ui.main_window import FRAME, MainWindow, first_geometry
from qwenasr_desktop.ui.welcome import WELCOME_TEXT, WelcomeBanner


@pytest.fixture()
def window(qtbot, tmp_path):
    dirs = AppDirs(tmp_path / "data").ensure()
    repo = HotwordListRepository(db.connect(dirs.database))
    repo.create("Printing towns", LOCAL_BASE, [Hotword("Basle", 4, "en")])
    w = MainWindow(repo)
    qtbot.addWidget(w)
    w.pages = add_compare_pages(w, repo, dirs)
    return w


@pytest.mark.parametrize("screen", [QRect(0, 0, 1280, 720), QRect(0, 24, 1366, 744), QRect(0, 0, 1920, 1040)])
def test_first_window_fits_the_free_screen_area(screen):
    g = first_geometry(QSize(1280, 800), screen)
    assert g.width() + FRAME.width() <= screen.width() and g.height() + FRAME.height() <= screen.height()
    assert screen.contains(g)
    assert g.width() == min(1280, screen.width() - FRAME.width())


def test_fit_to_screen_uses_the_windows_screen(window):
    window.fit_to_screen((1280, 5000))
    assert window.height() <= window.screen().availableGeometry().height() - FRAME.height()


def fully_visible(widget, window) -> bool:
    """Shown, inside the window and not clipped by a scroll area (its visible region is all of it)."""
    top_left = widget.mapTo(window, QPoint(0, 0))
    inside = QRect(top_left, widget.size()) & window.rect() == QRect(top_left, widget.size())
    return widget.isVisible() and inside and widget.visibleRegion().boundingRect().size() == widget.size()


def test_compare_and_its_state_are_visible_at_1280x720_without_scrolling(qtbot, window):
    window.resize(1280, 640)  # a 720-px screen less the title bar and a panel
    window.show()
    window.tabs.setCurrentWidget(window.pages.holder)
    page = window.pages.compare
    qtbot.waitExposed(window)
    box = page.run_box
    box.set_warnings(["The recording is clipped in 4% of its samples: loud parts are distorted.",
                      "It is 8 kHz audio (a phone call?): the model expects 16 kHz.",
                      "Its two channels are mixed to mono."])
    box.status.setText("Recognizing A and B…")
    qtbot.wait(20)
    for w in (box.compare, box.cancel, box.status, page.source.open_button, page.source.record):
        assert fully_visible(w, window), w
    page.view.start_run("hotwords")  # what a running comparison shows
    for bar in page.view.columns.progress.values():
        assert fully_visible(bar, window)


def test_settings_fold_to_one_summary_line(qtbot, window):
    window.resize(1280, 720)
    window.show()
    window.tabs.setCurrentWidget(window.pages.holder)
    page = window.pages.compare
    page.settings.select_list(page.settings.hotword_list.itemData(1))
    page.settings_section.set_expanded(False)
    assert not page.settings.isVisible() and page.settings_section.summary.isVisible()
    assert "Printing towns" in page.settings_section.summary.text()


def test_a_long_undo_label_does_not_widen_the_window(qtbot, window):
    window.resize(1000, 700)
    window.show()
    editor = window.hotwords
    before = window.minimumSizeHint().width()
    editor.model.add_rows(0, [Hotword("x")] * 6,
                          "Import 6 hotwords from a-rather-long-export-name-from-the-cloud-console.json")
    qtbot.wait(10)
    assert editor.undo_action.text().startswith("Undo Import 6 hotwords")  # the menu says it all
    assert window.minimumSizeHint().width() <= before
    assert window.width() == 1000


def test_welcome_banner_is_one_line(qtbot, window):
    banner = WelcomeBanner()
    qtbot.addWidget(banner)
    banner.resize(1280, banner.sizeHint().height())
    banner.show()
    assert banner.sizeHint().height() <= 44
    assert any(label.toolTip() == WELCOME_TEXT for label in banner.findChildren(QLabel))  # the whole story


def test_no_list_has_one_wording_in_settings_and_on_the_compare_page(qtbot, window, tmp_path):
    from qwenasr_desktop.ui.settings.dialog import SettingsDialog
    from qwenasr_desktop.ui.settings_keys import AppSettings

    window.tabs.setCurrentWidget(window.pages.holder)
    dirs = AppDirs(tmp_path / "data").ensure()
    dialog = SettingsDialog(AppSettings.for_dirs(dirs), dirs, window.pages.compare.settings.repo)
    qtbot.addWidget(dialog)
    assert dialog.default_list.itemText(0) == window.pages.compare.settings.hotword_list.itemText(0)
