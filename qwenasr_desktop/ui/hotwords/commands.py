"""Undo commands for the hotword table: each user action is one step on the QUndoStack.

A command only records what changed; the table model applies it (saving first, so a failed save
leaves both the database and the screen as they were, and the command is dropped as obsolete).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from ...core.hotwords import Hotword

if TYPE_CHECKING:
    from .table_model import HotwordTableModel


def _copy(item: Hotword) -> Hotword:
    return Hotword(item.text, item.weight, item.lang)


class SetItemCommand(QUndoCommand):
    def __init__(self, model: HotwordTableModel, row: int, old: Hotword, new: Hotword, label: str) -> None:
        super().__init__(label)
        self._model, self._row, self._old, self._new = model, row, _copy(old), _copy(new)

    def redo(self) -> None:
        if not self._model.apply_set(self._row, _copy(self._new)):
            self.setObsolete(True)

    def undo(self) -> None:
        self._model.apply_set(self._row, _copy(self._old))


class InsertRowsCommand(QUndoCommand):
    def __init__(self, model: HotwordTableModel, row: int, items: Sequence[Hotword], label: str) -> None:
        super().__init__(label)
        self._model, self._row, self._items = model, row, [_copy(i) for i in items]

    def redo(self) -> None:
        if not self._model.apply_insert(self._row, [_copy(i) for i in self._items]):
            self.setObsolete(True)

    def undo(self) -> None:
        self._model.apply_remove(range(self._row, self._row + len(self._items)))


class RemoveRowsCommand(QUndoCommand):
    def __init__(self, model: HotwordTableModel, rows: Sequence[int], label: str) -> None:
        super().__init__(label)
        self._model = model
        self._removed = [(r, _copy(model.item(r))) for r in sorted(set(rows))]

    def redo(self) -> None:
        if not self._model.apply_remove([r for r, _ in self._removed]):
            self.setObsolete(True)

    def undo(self) -> None:
        # Re-insert contiguous runs in ascending order, so every row lands at its old index.
        run: list[Hotword] = []
        start = -1
        for row, item in self._removed:
            if run and row != start + len(run):
                self._model.apply_insert(start, run)
                run = []
            if not run:
                start = row
            run.append(_copy(item))
        if run:
            self._model.apply_insert(start, run)
