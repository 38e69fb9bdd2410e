"""The top row: which transcript is open, and what can be done with it (export, learn, keys)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QMenu, QPushButton, QToolButton, QWidget

from ...core.export import ExportFormat
from ...storage.workbench_controller import DocumentChoice


class DocumentBar(QWidget):
    documentChosen = Signal(int)  # document id
    exportRequested = Signal(object)  # ExportFormat

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc_box = QComboBox()
        self.doc_box.setMinimumContentsLength(30)
        self.doc_box.setToolTip("Transcripts you have opened in the workbench, newest first.")
        self.export_button = QToolButton()
        self.export_button.setText("Export")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        for fmt in ExportFormat:
            menu.addAction(fmt.label, lambda f=fmt: self.exportRequested.emit(f))
        self.export_button.setMenu(menu)
        self.learn_button = QPushButton("Learn from my corrections\u2026")
        self.learn_button.setToolTip("Add the words you corrected to the hotword list, so the engine "
                                     "gets them right next time.")
        self.shortcuts_button = QPushButton("Shortcuts\u2026")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Transcript:"))
        row.addWidget(self.doc_box, 1)
        for w in (self.export_button, self.learn_button, self.shortcuts_button):
            row.addWidget(w)
        self.doc_box.activated.connect(lambda i: self.documentChosen.emit(self.doc_box.itemData(i)))

    def show_choices(self, choices: list[DocumentChoice], current: int | None) -> None:
        self.doc_box.blockSignals(True)
        self.doc_box.clear()
        for c in choices:
            self.doc_box.addItem(c.label, c.id)
        if current is not None:
            self.doc_box.setCurrentIndex(max(0, self.doc_box.findData(current)))
        else:
            self.doc_box.setCurrentIndex(-1)
            self.doc_box.setPlaceholderText("Choose a transcript\u2026")
        self.doc_box.blockSignals(False)

    def set_document_open(self, is_open: bool) -> None:
        self.export_button.setEnabled(is_open)
        self.learn_button.setEnabled(is_open)
