"""The side panel: the document's speakers (double-click a name to rename it) and the keys."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...storage.workbench_controller import SpeakerRow


class SpeakerPanel(QWidget):
    renamed = Signal(int, str)  # speaker, new name ("" = back to "Speaker n")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Speaker", "Name (double-click to rename)"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.no_speakers = QLabel("The engine did not tell speakers apart in this transcript.")
        self.no_speakers.setWordWrap(True)
        self.keys_help = QLabel()
        self.keys_help.setWordWrap(True)
        self.keys_help.setTextFormat(Qt.TextFormat.RichText)
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        v.addWidget(QLabel("<b>Speakers</b>"))
        v.addWidget(self.table)
        v.addWidget(self.no_speakers)
        v.addWidget(QLabel("<b>Keys</b>"))
        v.addWidget(self.keys_help)
        v.addStretch()
        self.table.itemChanged.connect(self._on_item)

    def show_speakers(self, rows: list[SpeakerRow]) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            tag = QTableWidgetItem(f"Speaker {row.speaker + 1}")
            tag.setFlags(tag.flags() & ~Qt.ItemFlag.ItemIsEditable)
            tag.setData(Qt.ItemDataRole.UserRole, row.speaker)
            self.table.setItem(r, 0, tag)
            self.table.setItem(r, 1, QTableWidgetItem(row.name))
        self.table.blockSignals(False)
        rows_h = sum(self.table.rowHeight(r) for r in range(len(rows)))
        self.table.setFixedHeight(self.table.horizontalHeader().height() + rows_h + 4)
        self.table.setVisible(bool(rows))
        self.no_speakers.setVisible(not rows)

    def show_keys(self, rows: list[tuple[str, str]]) -> None:
        """`rows`: (what the key does, the key) for the cheat sheet."""
        self.keys_help.setText("<table>" + "".join(
            f"<tr><td style='padding-right:10px'><b>{key}</b></td><td>{label}</td></tr>"
            for label, key in rows)
            + "</table><p style='color:#6e7781'>Click a word to move the audio there.</p>")

    def _on_item(self, item: QTableWidgetItem) -> None:
        if item.column() == 1:
            self.renamed.emit(self.table.item(item.row(), 0).data(Qt.ItemDataRole.UserRole), item.text())
