"""The queue as a table: file and status, one row per queued file (the FileQueue holds the data)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from ...core.batch_queue import FileQueue, ItemStatus

HEADERS = ("File", "Status")
COLOURS = {ItemStatus.FAILED: "#a94442", ItemStatus.DONE: "#2e7d32", ItemStatus.CANCELLED: "#6b6b6b"}
Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()


class QueueTableModel(QAbstractTableModel):
    def __init__(self, queue: FileQueue, parent=None) -> None:
        super().__init__(parent)
        self.queue = queue

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.queue.items)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        item = self.queue.items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return item.name if index.column() == 0 else item.status_text()
        if role == Qt.ItemDataRole.ToolTipRole:
            return item.path if index.column() == 0 else item.status_text()
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 1 and item.status in COLOURS:
            from PySide6.QtGui import QColor

            return QColor(COLOURS[item.status])
        return None

    def add(self, paths: list[str]) -> list[int]:
        """Queue files; the view grows by the rows actually added."""
        first = len(self.queue.items)
        pending = FileQueue()
        pending.items = list(self.queue.items)
        count = len(pending.add(paths))
        if not count:
            return []
        self.beginInsertRows(QModelIndex(), first, first + count - 1)
        added = self.queue.add(paths)
        self.endInsertRows()
        return added

    def row_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))
