"""The hotword table view: column sizes, edit triggers and the delegates wired to the model."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from .delegates import LanguageDelegate, TextDelegate, WeightDelegate
from .table_model import Column, HotwordTableModel

WIDTHS = {Column.STATUS: 140, Column.LANG: 130, Column.WEIGHT: 165, Column.COUNT: 95}


class HotwordTableView(QTableView):
    def __init__(self, model: HotwordTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = model
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(model)
        self.proxy.setFilterKeyColumn(Column.TEXT)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setModel(self.proxy)
        self.setAccessibleName("Hotwords")
        self.text_delegate = TextDelegate(model, self)
        self.lang_delegate = LanguageDelegate(model, self)
        self.weight_delegate = WeightDelegate(self)
        self.setItemDelegateForColumn(Column.TEXT, self.text_delegate)
        self.setItemDelegateForColumn(Column.LANG, self.lang_delegate)
        self.setItemDelegateForColumn(Column.WEIGHT, self.weight_delegate)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed
                             | QAbstractItemView.EditTrigger.SelectedClicked)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setTabKeyNavigation(True)
        self.setWordWrap(False)
        self.setAlternatingRowColors(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.TEXT, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        for col, width in WIDTHS.items():
            self.setColumnWidth(col, width)
        self.verticalHeader().setDefaultSectionSize(30)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)

    def source_index(self, row: int, column: int):
        return self.proxy.mapFromSource(self.source.index(row, column))

    def selected_source_rows(self) -> list[int]:
        rows = {self.proxy.mapToSource(i).row() for i in self.selectionModel().selectedIndexes()}
        current = self.currentIndex()
        if not rows and current.isValid():
            rows = {self.proxy.mapToSource(current).row()}
        return sorted(rows)

    def current_source_row(self) -> int | None:
        current = self.currentIndex()
        return self.proxy.mapToSource(current).row() if current.isValid() else None

    def go_to(self, row: int, column: Column = Column.TEXT, edit: bool = False) -> None:
        index = self.source_index(row, column)
        if not index.isValid():
            return
        # Select exactly this cell: rows inserted next to a selection would otherwise join it, and
        # Delete after Ctrl+N, Enter, Ctrl+N, Enter removed three rows instead of one.
        self.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.scrollTo(index)
        if edit:
            self.edit(index)
