"""Adds the Workbench tab and "Open in workbench" on the History tab (one call from the compare hook).

The page pulls in QtMultimedia (FFmpeg), so like the comparison page it is built the first time
its tab is shown or a session is opened in it, except when a document was left open by a crash:
then it is built at once to reopen that document. Otherwise the transcript last opened is
reopened when the page is built, so work resumes where it stopped.
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from ...storage import db
from ...storage.appdirs import AppDirs
from ...storage.transcripts import TranscriptRepository
from ..lazy_page import LazyPage
from ..settings_keys import AppSettings, Key


class WorkbenchTab:
    def __init__(self, window, dirs: AppDirs, history=None) -> None:
        self.window = window
        self.settings = AppSettings.for_dirs(dirs)
        self.conn = db.connect(dirs.database)  # its own connection: WAL allows it
        self.holder = LazyPage(self._make_page)
        window.add_page(self.holder, "Workbench")
        window.tabs.currentChanged.connect(self._on_tab)
        if history is not None:
            history.openInWorkbench.connect(self.open_session)
        if TranscriptRepository(self.conn).left_open():
            self.page.restore_after_crash()
        window.workbench = self  # the Settings dialog tells it when its preferences changed

    @property
    def page(self):
        return self.holder.ensure()

    def _make_page(self):
        from .page import WorkbenchPage

        page = WorkbenchPage(self.conn)
        page.message.connect(lambda text: self.window.statusBar().showMessage(text, 10_000))
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(page.shutdown)
        self._reopen_last(page)
        page.documentOpened.connect(self._remember)
        return page

    def _reopen_last(self, page) -> None:
        last = self.settings.get(Key.LAST_DOCUMENT)
        if page.doc is not None or not last:
            return
        try:
            page.open_document(last)
        except KeyError:  # deleted since
            self.settings.reset(Key.LAST_DOCUMENT)

    def _remember(self, doc_id: int) -> None:
        self.settings.set(Key.LAST_DOCUMENT, int(doc_id))
        self.settings.sync()

    def reload_prefs(self) -> None:
        if self.holder.page is not None:
            self.holder.page.reload_prefs()

    def _on_tab(self, index: int) -> None:
        if self.window.tabs.widget(index) is self.holder:
            self.page.refresh_documents()

    def open_session(self, session_id: int) -> None:
        try:
            self.page.open_session(session_id)
        except (ValueError, KeyError) as e:
            self.window.statusBar().showMessage(str(e), 10_000)
            return
        self.window.tabs.setCurrentWidget(self.holder)


def add_workbench_page(window, dirs: AppDirs, history=None) -> WorkbenchTab:
    return WorkbenchTab(window, dirs, history)
