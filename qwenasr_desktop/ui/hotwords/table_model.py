"""The Qt table adapter over one `HotwordList`.

The list itself stays a plain `core.hotwords.HotwordList`; this class shows it in columns, runs
the core validation after every change (and on every keystroke, through `set_preview`), and
saves each change through a `ListSink` before showing it. Edits made through `setData` go onto
the undo stack as commands, so the view, the keyboard and the undo stack share one path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import IntEnum
from typing import Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QUndoStack

from ...core.hotwords import (
    DEFAULT_WEIGHT,
    WEIGHT_HELP,
    WEIGHT_MEANINGS,
    Hotword,
    HotwordList,
    Problem,
    ProblemSeverity,
    language_label,
    measure_text,
    validate_items,
)
from ...core.models import ModelInfo, RuleSet, model_info
from .commands import InsertRowsCommand, RemoveRowsCommand, SetItemCommand
from .status_icons import status_icon

AnyIndex = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    STATUS = 0
    TEXT = 1
    LANG = 2
    WEIGHT = 3
    COUNT = 4


HEADERS = {
    Column.STATUS: "Status",
    Column.TEXT: "Hotword",
    Column.LANG: "Language",
    Column.WEIGHT: "Weight",
    Column.COUNT: "Length",
}
HEADER_TIPS = {
    Column.STATUS: "Whether the cloud will accept and use this hotword. Hover a row for the reason.",
    Column.TEXT: "The word or phrase exactly as it should be written in the transcript.",
    Column.LANG: "The hotword's language; \"auto\" leaves it to the model.",
    Column.WEIGHT: "How strongly recognition prefers this hotword: 1-2 slight, 3-4 clear, 5 forced.",
    Column.COUNT: "Non-ASCII text is limited in characters, English (ASCII) text in words.",
}
# Short words for the status column; the full sentence is in the tooltip and the detail line.
SHORT_REASONS = {
    "text-empty": "Empty",
    "text-type": "Not text",
    "text-control": "Line break or tab",
    "text-too-long": "Too long",
    "text-too-many-words": "Too many words",
    "weight-type": "Bad weight",
    "weight-range": "Bad weight",
    "lang-invalid": "Bad language",
    "lang-unsupported": "Wrong language",
    "duplicate": "Duplicate",
    "lang-excluded-by-hints": "Off by hints",
}
ERROR_BG = QColor(255, 228, 228)
WARNING_BG = QColor(255, 244, 214)
ERROR_FG = QColor(176, 0, 32)
MUTED_FG = QColor(120, 120, 120)


class ListSink(Protocol):
    """Where each change is saved before it is shown (the database repository, per list)."""

    def set_item(self, row: int, item: Hotword) -> None: ...
    def insert_items(self, row: int, items: Sequence[Hotword]) -> None: ...
    def remove_rows(self, rows: Sequence[int]) -> None: ...


class HotwordTableModel(QAbstractTableModel):
    validationChanged = Signal()
    saveFailed = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self._list = HotwordList("", "fun-asr")
        self._hints: list[str] = []
        self._sink: ListSink | None = None
        self._preview: tuple[int, str] | None = None
        self._row_problems: dict[int, list[Problem]] = {}
        self._list_problems: list[Problem] = []
        self._problems: list[Problem] = []
        self._off_by_hints: set[int] = set()

    # --- the document ------------------------------------------------------------------------

    def set_document(self, hotword_list: HotwordList, hints: Sequence[str] = (),
                     sink: ListSink | None = None) -> None:
        self.beginResetModel()
        self._list, self._hints, self._sink, self._preview = hotword_list, list(hints), sink, None
        self._revalidate(emit=False)
        self.endResetModel()
        self.undo_stack.clear()
        self.validationChanged.emit()

    @property
    def hotword_list(self) -> HotwordList:
        return self._list

    @property
    def model_info(self) -> ModelInfo:
        return model_info(self._list.target_model)

    @property
    def rule_set(self) -> RuleSet:
        info = self.model_info
        return info.rule_set if info.supports_hotwords else RuleSet.FUNASR

    @property
    def language_hints(self) -> list[str]:
        return list(self._hints)

    def set_target_model(self, name: str) -> None:
        model_info(name)  # raises UnknownModelError for a name not in the table
        self._list.target_model = name
        self._revalidate()

    def set_language_hints(self, hints: Sequence[str]) -> None:
        self._hints = list(hints)
        self._revalidate()

    def items(self) -> list[Hotword]:
        return list(self._list.items)

    def item(self, row: int) -> Hotword:
        return self._list.items[row]

    # --- validation --------------------------------------------------------------------------

    def problems(self) -> list[Problem]:
        return list(self._problems)

    def list_problems(self) -> list[Problem]:
        return list(self._list_problems)

    def row_problems(self, row: int) -> list[Problem]:
        return list(self._row_problems.get(row, []))

    def row_severity(self, row: int) -> ProblemSeverity | None:
        probs = self._row_problems.get(row)
        if not probs:
            return None
        return ProblemSeverity.ERROR if any(p.is_error for p in probs) else ProblemSeverity.WARNING

    def rows_off_by_hints(self) -> list[int]:
        return sorted(self._off_by_hints)

    def set_preview(self, row: int, text: str) -> None:
        """Validate `text` as row `row` while it is still being typed (nothing is saved)."""
        self._preview = (row, text)
        self._revalidate()

    def clear_preview(self) -> None:
        if self._preview is not None:
            self._preview = None
            self._revalidate()

    def preview_text(self, row: int) -> str:
        if self._preview and self._preview[0] == row:
            return self._preview[1]
        return self._list.items[row].text

    def _validated_items(self) -> list[Hotword]:
        items = self._list.items
        if self._preview and 0 <= self._preview[0] < len(items):
            row, text = self._preview
            items = list(items)
            items[row] = Hotword(text, items[row].weight, items[row].lang)
        return items

    def _revalidate(self, emit: bool = True) -> None:
        self._problems = validate_items(self._validated_items(), self._list.target_model, self._hints)
        self._row_problems = {}
        self._list_problems = []
        for p in self._problems:
            if p.row is None:
                self._list_problems.append(p)
            else:
                self._row_problems.setdefault(p.row, []).append(p)
        self._off_by_hints = {p.row for p in self._problems
                              if p.code == "lang-excluded-by-hints" and p.row is not None}
        if emit:
            if self.rowCount():
                self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, len(Column) - 1))
            self.validationChanged.emit()

    # --- Qt model interface --------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._list.items)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return HEADERS[Column(section)]
            if role == Qt.ItemDataRole.ToolTipRole:
                return HEADER_TIPS[Column(section)]
        elif role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() in (Column.TEXT, Column.LANG, Column.WEIGHT):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._list.items):
            return None
        row, col = index.row(), Column(index.column())
        item = self._list.items[row]
        severity = self.row_severity(row)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col, item)
        if role == Qt.ItemDataRole.EditRole:
            return {Column.TEXT: item.text, Column.LANG: item.lang or "",
                    Column.WEIGHT: item.weight}.get(col)
        if role == Qt.ItemDataRole.DecorationRole and col is Column.STATUS:
            return status_icon(severity)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, col, item)
        if role == Qt.ItemDataRole.BackgroundRole and severity is not None:
            return QBrush(ERROR_BG if severity is ProblemSeverity.ERROR else WARNING_BG)
        if role == Qt.ItemDataRole.ForegroundRole:
            if col is Column.COUNT and not measure_text(self.preview_text(row), self.rule_set).ok:
                return QBrush(ERROR_FG)
            if col is Column.STATUS and severity is ProblemSeverity.ERROR:
                return QBrush(ERROR_FG)
            if row in self._off_by_hints and col is Column.TEXT:
                return QBrush(MUTED_FG)
        if role == Qt.ItemDataRole.TextAlignmentRole and col is Column.COUNT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, row: int, col: Column, item: Hotword) -> str:
        if col is Column.STATUS:
            probs = self._row_problems.get(row, [])
            worst = [p for p in probs if p.is_error] or probs
            return SHORT_REASONS.get(worst[0].code, "Problem") if worst else "OK"
        if col is Column.TEXT:
            return item.text
        if col is Column.LANG:
            return language_label(item.lang) if item.lang else "auto"
        if col is Column.WEIGHT:
            return f"{item.weight} {WEIGHT_MEANINGS.get(item.weight, '?')}"
        return str(measure_text(self.preview_text(row), self.rule_set))

    def _tooltip(self, row: int, col: Column, item: Hotword) -> str | None:
        if col is Column.WEIGHT:
            return WEIGHT_HELP.get(item.weight)
        probs = self._row_problems.get(row, [])
        if not probs:
            return "OK: the cloud accepts and uses this hotword." if col is Column.STATUS else None
        return "\n".join(p.message for p in probs)

    def setData(self, index: AnyIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        row, col = index.row(), Column(index.column())
        old = self._list.items[row]
        new = Hotword(old.text, old.weight, old.lang)
        if col is Column.TEXT:
            new.text, label = str(value), f"Edit text of row {row + 1}"
        elif col is Column.LANG:
            new.lang, label = (str(value) or None) if value else None, f"Change language of row {row + 1}"
        elif col is Column.WEIGHT:
            new.weight, label = int(value), f"Set weight of row {row + 1} to {int(value)}"
        else:
            return False
        if new == old:
            return False
        self.undo_stack.push(SetItemCommand(self, row, old, new, label))
        return True

    # --- user actions (each one undo step) ---------------------------------------------------

    def add_rows(self, row: int, items: Sequence[Hotword], label: str | None = None) -> None:
        if not items:
            return
        row = max(0, min(row, self.rowCount()))
        label = label or (f"Add {len(items)} rows" if len(items) > 1 else "Add a row")
        self.undo_stack.push(InsertRowsCommand(self, row, items, label))

    def add_blank_row(self, row: int) -> None:
        self.add_rows(row, [Hotword("", DEFAULT_WEIGHT, None)], "Add a row")

    def remove_rows(self, rows: Iterable[int]) -> None:
        rows = sorted({r for r in rows if 0 <= r < self.rowCount()})
        if rows:
            label = f"Delete {len(rows)} rows" if len(rows) > 1 else f"Delete row {rows[0] + 1}"
            self.undo_stack.push(RemoveRowsCommand(self, rows, label))

    # --- primitives used by the undo commands: save first, then show -------------------------

    def _save(self, action) -> bool:
        if self._sink is None:
            return True
        try:
            action(self._sink)
        except Exception as e:  # the database refused: keep the screen as it was, say why
            self.saveFailed.emit(f"Could not save the change: {e}")
            return False
        return True

    def apply_set(self, row: int, item: Hotword) -> bool:
        if not self._save(lambda s: s.set_item(row, item)):
            return False
        self._list.items[row] = item
        self._revalidate()
        return True

    def apply_insert(self, row: int, items: Sequence[Hotword]) -> bool:
        if not self._save(lambda s: s.insert_items(row, items)):
            return False
        self.beginInsertRows(QModelIndex(), row, row + len(items) - 1)
        self._list.items[row:row] = list(items)
        self.endInsertRows()
        self._revalidate()
        return True

    def apply_remove(self, rows: Iterable[int]) -> bool:
        rows = sorted(set(rows))
        if not self._save(lambda s: s.remove_rows(rows)):
            return False
        for row in reversed(rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._list.items[row]
            self.endRemoveRows()
        self._revalidate()
        return True
