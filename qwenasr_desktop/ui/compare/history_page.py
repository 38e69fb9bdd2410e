"""The history of recognition sessions, newest first; open one to see its comparison again."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from ...engines.engine_labels import engine_label
from ...storage.sessions import SessionRepository, SessionSummary

Index = QModelIndex | QPersistentModelIndex


def local_time(iso: str) -> str:
    """Stored times are UTC; the list shows the user's clock."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


class HistoryModel(QAbstractTableModel):
    HEADERS = ("When", "Audio", "Engine", "Model", "Mode", "Status")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[SessionSummary] = []

    def set_rows(self, rows: list[SessionSummary]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        s = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            when = local_time(s.created_at)
            return (when, Path(s.audio_path).name or "(none)", engine_label(s.engine), s.model,
                    "real-time" if s.mode == "realtime" else "file",
                    ("done (queue)" if s.queued else "A and B done") if s.complete
                    else "incomplete")[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 1:
            return s.audio_path
        return None


class HistoryPage(QWidget):
    reopen = Signal(int)  # session id
    openInWorkbench = Signal(int)  # session id

    def __init__(self, sessions: SessionRepository, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sessions = sessions
        self.model = HistoryModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda idx: self._open(idx.row()))
        self.open_button = QPushButton("Open comparison")
        self.workbench_button = QPushButton("Open in workbench")
        self.workbench_button.setToolTip("Correct this transcript while listening, then export it.")
        self.workbench_button.clicked.connect(self._open_in_workbench)
        self.delete_button = QPushButton("Delete from history")
        self.open_button.clicked.connect(lambda: self._open(self.table.currentIndex().row()))
        self.delete_button.clicked.connect(self._delete)
        self.empty = QLabel("No sessions yet. Every A/B comparison you run is kept here.")
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.workbench_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch()
        v = QVBoxLayout(self)
        v.addWidget(self.empty)
        v.addWidget(self.table)
        v.addLayout(buttons)
        self.refresh()

    def refresh(self, *_args) -> None:
        self.model.set_rows(self.sessions.history())
        self.empty.setVisible(not self.model.rows)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)

    def _open(self, row: int) -> None:
        if 0 <= row < len(self.model.rows):
            self.reopen.emit(self.model.rows[row].id)

    def _open_in_workbench(self) -> None:
        row = self.table.currentIndex().row()
        if 0 <= row < len(self.model.rows):
            self.openInWorkbench.emit(self.model.rows[row].id)

    def _delete(self) -> None:
        row = self.table.currentIndex().row()
        if 0 <= row < len(self.model.rows):
            self.sessions.delete(self.model.rows[row].id)
            self.refresh()
