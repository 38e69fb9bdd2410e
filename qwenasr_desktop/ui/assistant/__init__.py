"""The hotword assistant: weight tuning from evidence and candidate terms from documents.

`install(window)` is the one hook: a Tools menu whose entries open the dialogs on the list that
is open in the hotword editor.
"""

from __future__ import annotations

from PySide6.QtGui import QAction


class Assistant:
    def __init__(self, window) -> None:
        self.window = window
        self.page = window.hotwords
        self.tuning_dialog = None
        self.candidates_dialog = None
        self._sessions = None
        self.cache = None  # a TranscriptCache kept across dialogs (made on first use: start-up stays light)
        self.tune_action = QAction("Tune weights from audio…", window)
        self.tune_action.setToolTip("Measure each hotword at weights 1-5 on clips with correct transcripts")
        self.tune_action.triggered.connect(self.open_tuning)
        self.suggest_action = QAction("Suggest hotwords from a document…", window)
        self.suggest_action.setToolTip("Find names, acronyms and rare terms in a brief or case file")
        self.suggest_action.triggered.connect(self.open_candidates)
        bar = window.menuBar()
        help_menu = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"), None)
        menu = bar.addMenu("&Tools")
        if help_menu is not None:  # Tools goes before Help, as usual
            bar.insertMenu(help_menu, menu)
        menu.addActions([self.suggest_action, self.tune_action])

    def _has_list(self) -> bool:
        if self.page.list_id is None:
            self.window.statusBar().showMessage("Open or create a hotword list first.", 8000)
            return False
        return True

    def sessions(self):
        """Stored recognition sessions (a second connection to the app database, as WAL allows)."""
        if self._sessions is None:
            from ...storage import db
            from ...storage.appdirs import resolve_app_dirs
            from ...storage.sessions import SessionRepository

            try:
                self._sessions = SessionRepository(db.connect(resolve_app_dirs().ensure().database))
            except Exception:  # no database: tuning still works on files
                return None
        return self._sessions

    def open_tuning(self):
        if not self._has_list():
            return None
        from ...engines.tuning import TranscriptCache
        from .tuning_dialog import TuningDialog

        if self.cache is None:
            self.cache = TranscriptCache()  # re-running or resuming a tuning costs nothing

        self.tuning_dialog = TuningDialog(self.page.model, self.window, sessions=self.sessions(),
                                         cache=self.cache)
        self.tuning_dialog.show()
        return self.tuning_dialog

    def open_candidates(self):
        if not self._has_list():
            return None
        from .candidates_dialog import CandidatesDialog

        self.candidates_dialog = CandidatesDialog(self.page.model, self.window)
        self.candidates_dialog.show()
        return self.candidates_dialog


def install(window) -> Assistant:
    window.assistant = Assistant(window)
    return window.assistant
