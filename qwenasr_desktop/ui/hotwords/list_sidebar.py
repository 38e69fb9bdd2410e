"""The column of hotword lists: pick one, create, rename, duplicate, delete (after asking)."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from ...storage.hotword_lists import ListSummary

ID_ROLE = Qt.ItemDataRole.UserRole
SUBTITLE_ROLE = Qt.ItemDataRole.UserRole + 1


class _TwoLineDelegate(QStyledItemDelegate):
    """The list name, and below it in grey "12 hotwords · fun-asr-realtime"; only the name is edited."""

    def sizeHint(self, option, index) -> QSize:
        base = super().sizeHint(option, index)
        return QSize(base.width(), option.fontMetrics.height() * 2 + 10)

    def paint(self, painter, option, index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        line = option.fontMetrics.height()
        r = option.rect.adjusted(6, 4, -4, -4)
        painter.save()
        painter.setPen(option.palette.color(role))
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        painter.drawText(QRect(r.left(), r.top(), r.width(), line), int(Qt.AlignmentFlag.AlignLeft),
                         option.fontMetrics.elidedText(index.data() or "", Qt.TextElideMode.ElideRight,
                                                       r.width()))
        font.setBold(False)
        painter.setFont(font)
        if not selected:
            painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(QRect(r.left(), r.top() + line + 2, r.width(), line),
                         int(Qt.AlignmentFlag.AlignLeft), index.data(SUBTITLE_ROLE) or "")
        painter.restore()

    def updateEditorGeometry(self, editor, option, index) -> None:
        r = option.rect
        editor.setGeometry(QRect(r.left(), r.top(), r.width(), r.height() // 2 + 4))


class ListSidebar(QWidget):
    """Shows list names; asks the page to do things through signals, never touches storage."""

    listSelected = Signal(int)
    newRequested = Signal()
    renameRequested = Signal(int, str)
    duplicateRequested = Signal(int)
    deleteConfirmed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.confirm_box: QMessageBox | None = None
        title = QLabel("<b>Hotword lists</b>")
        self.list = QListWidget()
        self.list.setAccessibleName("Hotword lists")
        self.list.setItemDelegate(_TwoLineDelegate(self.list))
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.DoubleClicked)
        self.new_button = QPushButton("New")
        self.rename_button = QPushButton("Rename")
        self.duplicate_button = QPushButton("Duplicate")
        self.delete_button = QPushButton("Delete…")
        self.new_button.setToolTip("Create an empty list (Ctrl+Shift+N)")
        self.new_button.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.rename_button.setToolTip("Rename the selected list (F2 in the list)")
        self.duplicate_button.setToolTip("Copy the selected list with all its hotwords")
        self.delete_button.setToolTip("Delete the selected list after asking")
        buttons = QGridLayout()
        buttons.addWidget(self.new_button, 0, 0)
        buttons.addWidget(self.rename_button, 0, 1)
        buttons.addWidget(self.duplicate_button, 1, 0)
        buttons.addWidget(self.delete_button, 1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)

        self.list.currentItemChanged.connect(self._on_current_changed)
        self.list.itemChanged.connect(self._on_item_renamed)
        self.new_button.clicked.connect(self.newRequested)
        self.rename_button.clicked.connect(self._start_rename)
        self.duplicate_button.clicked.connect(self._on_duplicate)
        self.delete_button.clicked.connect(self.ask_delete)

    def set_lists(self, summaries: list[ListSummary], current_id: int | None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for s in summaries:
            item = QListWidgetItem(s.name)
            item.setData(ID_ROLE, s.id)
            plural = "s" * (s.item_count != 1)
            item.setData(SUBTITLE_ROLE, f"{s.item_count} hotword{plural} · {s.target_model}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            item.setToolTip(f"{s.name}\n{s.item_count} hotwords, for {s.target_model}")
            self.list.addItem(item)
            if s.id == current_id:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self._update_buttons()

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else int(item.data(ID_ROLE))

    def current_name(self) -> str:
        item = self.list.currentItem()
        return "" if item is None else item.text()

    def _update_buttons(self) -> None:
        has = self.list.currentItem() is not None
        for b in (self.rename_button, self.duplicate_button, self.delete_button):
            b.setEnabled(has)

    def _on_current_changed(self, current: QListWidgetItem | None, _previous) -> None:
        self._update_buttons()
        if current is not None:
            self.listSelected.emit(int(current.data(ID_ROLE)))

    def _start_rename(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.list.editItem(item)

    def _on_item_renamed(self, item: QListWidgetItem) -> None:
        self.renameRequested.emit(int(item.data(ID_ROLE)), item.text())

    def _on_duplicate(self) -> None:
        list_id = self.current_id()
        if list_id is not None:
            self.duplicateRequested.emit(list_id)

    def ask_delete(self) -> None:
        """Ask before deleting; the box is window-modal and kept in `confirm_box` while open."""
        list_id = self.current_id()
        if list_id is None:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "Delete hotword list",
                          f"Delete the list \"{self.current_name()}\" and all its hotwords?\n"
                          "This cannot be undone.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.button(QMessageBox.StandardButton.Yes).setText("Delete")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda result: self._on_confirm(box, list_id, result))
        self.confirm_box = box
        box.open()

    def _on_confirm(self, box: QMessageBox, list_id: int, result: int) -> None:
        self.confirm_box = None
        box.deleteLater()
        if result == QMessageBox.StandardButton.Yes:
            self.deleteConfirmed.emit(list_id)
