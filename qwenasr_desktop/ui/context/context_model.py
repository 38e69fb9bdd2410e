"""A Qt list model over the context messages, in order; the panel edits through it."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from ...core.context import Context, ContextMessage, Role

ROLE_LABELS = {Role.USER: "Earlier transcript / notes", Role.ASSISTANT: "Assistant reply"}
Index = QModelIndex | QPersistentModelIndex


class ContextModel(QAbstractListModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._messages: list[ContextMessage] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._messages)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        m = self._messages[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            text = " ".join(m.text.split())
            short = text if len(text) <= 90 else text[:87] + "…"
            return f"{ROLE_LABELS[m.role]} · {len(m.text)} chars\n{short or '(empty)'}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return m.text
        return None

    def context(self) -> Context:
        return Context([ContextMessage(m.role, m.text) for m in self._messages])

    def set_context(self, ctx: Context | None) -> None:
        self.beginResetModel()
        self._messages = [ContextMessage(m.role, m.text) for m in (ctx.messages if ctx else [])]
        self.endResetModel()

    def message(self, row: int) -> ContextMessage:
        return self._messages[row]

    def add(self, role: Role, text: str = "") -> int:
        row = len(self._messages)
        self.beginInsertRows(QModelIndex(), row, row)
        self._messages.append(ContextMessage(role, text))
        self.endInsertRows()
        return row

    def remove(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._messages[row]
        self.endRemoveRows()

    def move(self, row: int, delta: int) -> int:
        """Move a message up (-1) or down (+1); returns its new row."""
        to = row + delta
        if not (0 <= row < len(self._messages) and 0 <= to < len(self._messages)):
            return row
        # Qt's beginMoveRows wants the destination *before* which the row lands.
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), to + 1 if delta > 0 else to)
        self._messages.insert(to, self._messages.pop(row))
        self.endMoveRows()
        return to

    def set_text(self, row: int, text: str) -> None:
        self._messages[row].text = text
        idx = self.index(row)
        self.dataChanged.emit(idx, idx)
