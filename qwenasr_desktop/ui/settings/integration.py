"""Hooks the settings, welcome, About and log pieces into the main window without it knowing them.

The main window stays a plain tab shell; app.py calls `install()` once. Everything here is
additive: a Settings action in the File menu, About and "Open logs folder" in Help, the
first-run welcome banner above the tabs, and window geometry / last tab / last list restored at
start and saved at close.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QVBoxLayout, QWidget

from ...logs import setup_logging
from ...storage.appdirs import AppDirs
from ...storage.hotword_lists import HotwordListRepository
from ..about import AboutDialog, open_folder
from ..settings_keys import AppSettings, Key
from ..welcome import WelcomeBanner
from .theme import apply_theme
from .user_models import install_user_models


class AppShell(QObject):
    """Owns the pieces added to one main window (kept alive as the window's child)."""

    def __init__(self, window: QMainWindow, settings: AppSettings, dirs: AppDirs,
                 repo: HotwordListRepository | None) -> None:
        super().__init__(window)
        self.window, self.settings, self.dirs, self.repo = window, settings, dirs, repo
        self.welcome: WelcomeBanner | None = None
        self.settings_action = QAction("&Settings…", window)
        self.settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.triggered.connect(self.open_settings)
        self.about_action = QAction("&About", window)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.open_about)
        self.logs_action = QAction("Open &logs folder", window)
        self.logs_action.triggered.connect(lambda: open_folder(self.dirs.logs))
        self._add_menu_entries()
        apply_theme(settings.get(Key.THEME))
        self.speed_keeper = install_user_models(settings, self)

    def _add_menu_entries(self) -> None:
        menus = {m.title().replace("&", ""): m for m in
                 (a.menu() for a in self.window.menuBar().actions()) if m is not None}
        file_menu = menus.get("File") or self.window.menuBar().addMenu("&File")
        actions = file_menu.actions()
        quit_action = next((a for a in actions if a.text().replace("&", "") == "Quit"), None)
        if quit_action is not None:
            file_menu.insertAction(quit_action, self.settings_action)
            file_menu.insertSeparator(quit_action)
        else:
            file_menu.addAction(self.settings_action)
        help_menu = menus.get("Help") or self.window.menuBar().addMenu("&Help")
        help_menu.clear()  # the shell's placeholder About is replaced by the full one
        help_menu.addAction(self.about_action)
        help_menu.addAction(self.logs_action)

    # ------------------------------------------------------------ first run
    def show_welcome_if_first_run(self) -> bool:
        if self.settings.get(Key.WELCOME_SEEN):
            return False
        banner = WelcomeBanner()
        banner.settings_requested.connect(self.open_settings)
        banner.dismissed.connect(self._welcome_seen)
        central = self.window.takeCentralWidget()
        holder = QWidget()
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(banner)
        layout.addWidget(central, 1)
        self.window.setCentralWidget(holder)
        self.welcome = banner
        return True

    def _welcome_seen(self) -> None:
        self.settings.set(Key.WELCOME_SEEN, True)
        self.settings.sync()

    # ------------------------------------------------------------ dialogs
    def open_settings(self) -> None:
        from .dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self.dirs, self.repo, self.window)
        dialog.applied.connect(self._settings_applied)
        dialog.setModal(True)
        dialog.open()  # window-modal, but returns at once: the event loop keeps running
        self.settings_dialog = dialog

    def _settings_applied(self) -> None:
        setup_logging(self.dirs.logs, self.settings.get(Key.DEBUG_LOGGING))
        workbench = getattr(self.window, "workbench", None)  # its preferences may have changed
        if workbench is not None:
            workbench.reload_prefs()

    def open_about(self) -> None:
        dialog = AboutDialog(self.dirs.logs, self.window)
        dialog.open()
        self.about_dialog = dialog

    # ------------------------------------------------------------ window state
    def restore_window(self) -> bool:
        """Put the window back where it was; False on first run (the caller picks a size)."""
        w = self.window
        geometry = self.settings.get(Key.WINDOW_GEOMETRY)
        restored = bool(geometry) and w.restoreGeometry(geometry)
        state = self.settings.get(Key.WINDOW_STATE)
        if state:
            w.restoreState(state)
        tabs = getattr(w, "tabs", None)
        tab = self.settings.get(Key.LAST_TAB)
        if tabs is not None and 0 <= tab < tabs.count():
            tabs.setCurrentIndex(tab)
        self._restore_last_list()
        return restored

    def _restore_last_list(self) -> None:
        page = getattr(self.window, "hotwords", None)
        wanted = self.settings.get(Key.LAST_LIST)
        if page is None or not wanted or self.repo is None:
            return
        if wanted != page.list_id and any(s.id == wanted for s in self.repo.summaries()):
            page.reload_lists(select=wanted)

    def save_window(self) -> None:
        w = self.window
        self.settings.set(Key.WINDOW_GEOMETRY, w.saveGeometry())
        self.settings.set(Key.WINDOW_STATE, w.saveState())
        tabs = getattr(w, "tabs", None)
        if tabs is not None:
            self.settings.set(Key.LAST_TAB, tabs.currentIndex())
        page = getattr(w, "hotwords", None)
        if page is not None and page.list_id:
            self.settings.set(Key.LAST_LIST, int(page.list_id))
        self.settings.sync()


def install(window: QMainWindow, settings: AppSettings, dirs: AppDirs,
            repo: HotwordListRepository | None = None) -> AppShell:
    return AppShell(window, settings, dirs, repo)
