"""Candidate hotwords from a document: paste text or open a file, tick, add to the current list.

Reading and extraction run off the GUI thread (a PDF or a Chinese text can take a moment); the
ticked candidates are added through the editor's undo stack, so one Ctrl+Z removes them again.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.candidates import Candidate, Suggestions, extract
from ..jobs import LatestJob


class CandidatesDialog(QDialog):
    extracted = Signal(object)  # Suggestions
    failed = Signal(str)
    added = Signal(int)

    COLUMNS = ("Hotword", "Kind", "Uses", "Note")

    def __init__(self, table_model, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Suggest hotwords from a document")
        self.table_model = table_model
        self.suggestions: Suggestions | None = None
        self.reading = LatestJob(self)  # a newer file or "Find terms" makes a running read stale
        self.source = QPlainTextEdit()
        self.source.setPlaceholderText("Paste a brief, a case file or slide notes here, or open a file.")
        self.source.setAccessibleName("Document text")
        self.open_button = QPushButton("Open file…")
        self.open_button.clicked.connect(self.choose_file)
        self.find_button = QPushButton("Find terms")
        self.find_button.clicked.connect(self.find_terms)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemChanged.connect(lambda *_: self._update_add_button())
        self.context_view = QPlainTextEdit()
        self.context_view.setReadOnly(True)
        self.context_view.setMaximumHeight(90)
        self.context_view.setAccessibleName("Context suggestion")
        self.copy_context_button = QPushButton("Copy context")
        self.copy_context_button.clicked.connect(self.copy_context)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.add_button = QPushButton("Add ticked")
        self.add_button.setEnabled(False)
        self.add_button.clicked.connect(self.add_ticked)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(self.open_button)
        top.addWidget(self.find_button)
        top.addStretch(1)
        ctx_row = QHBoxLayout()
        ctx_row.addWidget(QLabel("Context suggestion (the prose that uses these terms, within the caps):"))
        ctx_row.addStretch(1)
        ctx_row.addWidget(self.copy_context_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.add_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.source, 1)
        layout.addLayout(top)
        layout.addWidget(self.table, 2)
        layout.addLayout(ctx_row)
        layout.addWidget(self.context_view)
        layout.addLayout(bottom)
        self.resize(760, 680)

    # --- input ---------------------------------------------------------------------------------
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a document", "",
                                              "Documents (*.txt *.md *.docx *.pdf);;All files (*)")
        if path:
            self.open_file(path)

    def open_file(self, path: str) -> None:
        """Read and extract off the GUI thread; the text appears in the box, the terms below."""
        from ...documents import read_document

        items, model = self.table_model.items(), self.table_model.hotword_list.target_model
        self.status.setText("Reading…")

        def work():
            text = read_document(path)
            return text, extract(text, items, model)

        self.reading.run(work, self._on_read, self._on_failed)

    def find_terms(self) -> None:
        text = self.source.toPlainText()
        if not text.strip():
            self.status.setText("Paste some text or open a file first.")
            return
        items, model = self.table_model.items(), self.table_model.hotword_list.target_model
        self.status.setText("Looking for terms…")
        self.reading.run(lambda: (text, extract(text, items, model)), self._on_read, self._on_failed)

    def _on_read(self, result) -> None:
        text, suggestions = result
        if self.source.toPlainText() != text:
            self.source.setPlainText(text)
        self.show_suggestions(suggestions)
        self.extracted.emit(suggestions)

    def _on_failed(self, error: BaseException) -> None:
        self.status.setText(str(error))
        self.failed.emit(str(error))

    # --- table ---------------------------------------------------------------------------------
    def show_suggestions(self, s: Suggestions, ticked: set[str] | None = None) -> None:
        """Fill the table; `ticked` keeps the user's choice, else the ten best new ones are ticked."""
        self.suggestions = s
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for c in s.candidates:
            row = self.table.rowCount()
            self.table.insertRow(row)
            item = QTableWidgetItem(c.text)
            item.setToolTip(c.example)
            if c.is_duplicate:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable & ~Qt.ItemFlag.ItemIsEnabled)
                item.setCheckState(Qt.CheckState.Unchecked)
            else:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                on = c.text in ticked if ticked is not None else row < 10
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            self.table.setItem(row, 0, item)
            self.table.setItem(row, 1, QTableWidgetItem(c.kind.value))
            self.table.setItem(row, 2, QTableWidgetItem(str(c.count)))
            note = f"already in the list (row {c.duplicate_row + 1})" if c.is_duplicate else ""
            self.table.setItem(row, 3, QTableWidgetItem(note))
        self.table.blockSignals(False)
        self.context_view.setPlainText("\n\n".join(m.text for m in s.context.messages))
        dup = len(s.candidates) - len(s.new())
        self.status.setText(f"{len(s.candidates)} candidates, {dup} already in the list. "
                            "Tick the ones to add.")
        self._update_add_button()

    def row_of(self, text: str) -> int:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).text() == text:
                return row
        raise KeyError(text)

    def set_ticked(self, texts: set[str]) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                item.setCheckState(Qt.CheckState.Checked if item.text() in texts else Qt.CheckState.Unchecked)

    def ticked(self) -> list[Candidate]:
        if self.suggestions is None:
            return []
        return [c for row, c in enumerate(self.suggestions.candidates)
                if not c.is_duplicate and self.table.item(row, 0).checkState() == Qt.CheckState.Checked]

    def _update_add_button(self) -> None:
        n = len(self.ticked())
        self.add_button.setText(f"Add {n} ticked" if n else "Add ticked")
        self.add_button.setEnabled(n > 0)

    # --- output --------------------------------------------------------------------------------
    def add_ticked(self) -> None:
        picked = self.ticked()
        if not picked:
            return
        rows = self.table_model.rowCount()
        self.table_model.add_rows(rows, [c.to_hotword() for c in picked],
                                  f"Add {len(picked)} suggested hotword{'s' * (len(picked) != 1)}")
        self.status.setText(f"Added {len(picked)} hotwords to the list; Ctrl+Z in the editor removes them.")
        if self.suggestions is not None:  # the added ones are duplicates now
            for k, c in enumerate(picked):
                c.duplicate_row = rows + k
            self.show_suggestions(self.suggestions, ticked=set())
        self.added.emit(len(picked))

    def copy_context(self) -> None:
        QGuiApplication.clipboard().setText(self.context_view.toPlainText())
        self.status.setText("Copied the context suggestion.")
