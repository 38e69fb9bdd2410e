"""The main window: a tab per feature (hotword lists first; later features add their pages)."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox, QTabWidget, QWidget

from .. import __version__
from ..storage.appdirs import APP_NAME
from ..storage.hotword_lists import HotwordListRepository
from .hotwords.editor_page import HotwordEditorPage

FRAME = QSize(16, 40)  # the window manager's title bar and borders, not part of resize()


def first_geometry(wanted: QSize, available: QRect) -> QRect:
    """The first window: `wanted`, but never larger than the screen's free area, and centred on it.

    A 1280x800 window on a 720-px-high laptop screen hides the status bar and the bottom buttons.
    """
    w = min(wanted.width(), available.width() - FRAME.width())
    h = min(wanted.height(), available.height() - FRAME.height())
    x = available.x() + (available.width() - w) // 2
    y = available.y() + max(0, (available.height() - h - FRAME.height()) // 2)
    return QRect(x, y, w, h)


class MainWindow(QMainWindow):
    def __init__(self, repo: HotwordListRepository, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(APP_NAME)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self.hotwords = HotwordEditorPage(repo)
        self.add_page(self.hotwords, "Hotword lists")
        self.hotwords.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self._make_menus()
        from .assistant import install as install_assistant  # Tools menu: tuning, suggestions

        install_assistant(self)
        self.statusBar().showMessage("Every change is saved as you type.", 8000)

    def fit_to_screen(self, wanted: tuple[int, int]) -> None:
        """Size and place a window that has no remembered geometry (first run)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            self.resize(*wanted)
            return
        self.setGeometry(first_geometry(QSize(*wanted), screen.availableGeometry()))

    def add_page(self, page: QWidget, title: str) -> int:
        """Later features (transcription, sessions, settings) add their pages here."""
        return self.tabs.addTab(page, title)

    def _make_menus(self) -> None:
        page = self.hotwords
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addActions([page.import_action, page.export_action, page.copy_json_action])
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        edit_menu = self.menuBar().addMenu("&Edit")
        edit_menu.addActions([page.undo_action, page.redo_action])
        edit_menu.addSeparator()
        edit_menu.addActions([page.add_row_action, page.delete_rows_action, page.paste_action,
                              page.find_action])
        help_menu = self.menuBar().addMenu("&Help")
        about = QAction(f"About {APP_NAME}", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def _about(self) -> None:
        QMessageBox.about(self, f"About {APP_NAME}",
                          f"<b>{APP_NAME}</b> {__version__}<br>Speech recognition that gets your words "
                          "right: Fun-ASR hotwords and context, with an offline engine.")
