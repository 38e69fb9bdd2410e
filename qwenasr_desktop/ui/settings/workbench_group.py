"""The workbench's preferences in the Settings dialog: skip length, replay on resume, export names.

They stay where the workbench keeps them (WorkbenchPrefs in the database, which travels with a
portable data folder), so the workbench's own spin boxes and this group edit one value, never two
copies that could disagree.
"""

from __future__ import annotations

import sqlite3

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QLineEdit, QWidget

from ...core.export import DEFAULT_NAME_TEMPLATE, TEMPLATE_FIELDS, file_name
from ...storage.workbench_prefs import load_prefs, save_prefs
from ..workbench.options_bar import seconds_spin

ERROR_STYLE = "color: #b3261e;"


class WorkbenchGroup(QGroupBox):
    def __init__(self, conn: sqlite3.Connection, parent: QWidget | None = None) -> None:
        super().__init__("Workbench", parent)
        self.conn = conn
        form = QFormLayout(self)
        self.skip = seconds_spin(0.5, 60, "How far Skip back and Skip forward jump.")
        form.addRow("Skip length:", self.skip)
        self.rewind = seconds_spin(0, 5, "After a pause, playback starts this far back so you hear the "
                                     "end of what you heard again (0 = off).")
        form.addRow("Replay on resume:", self.rewind)
        self.template = QLineEdit()
        self.template.setPlaceholderText(DEFAULT_NAME_TEMPLATE)
        self.template.setToolTip("Fields: " + ", ".join("{" + f + "}" for f in TEMPLATE_FIELDS))
        form.addRow("Export file name:", self.template)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.hide()
        form.addRow("", self.problem)
        prefs = load_prefs(conn)
        self.skip.setValue(prefs.skip_back_s)
        self.rewind.setValue(prefs.rewind_on_resume_s)
        self.template.setText(prefs.name_template)

    def check(self) -> str:
        """Why the template cannot make a file name ("" when it can), shown under it."""
        try:
            file_name(self.template.text().strip() or DEFAULT_NAME_TEMPLATE, audio_stem="a", ext="txt")
        except ValueError as e:
            problem = str(e)
        else:
            problem = ""
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        return problem

    def apply(self) -> None:
        """Stored with the rest of the workbench's preferences (read fresh: the page may have changed
        the volume or speed meanwhile)."""
        prefs = load_prefs(self.conn)
        prefs.skip_back_s = prefs.skip_forward_s = self.skip.value()
        prefs.rewind_on_resume_s = self.rewind.value()
        prefs.name_template = self.template.text().strip() or DEFAULT_NAME_TEMPLATE
        save_prefs(self.conn, prefs)
