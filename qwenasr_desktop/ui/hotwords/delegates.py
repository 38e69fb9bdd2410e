"""Cell editors for the hotword table.

- Text: a line edit that reports every keystroke, so the counter and status follow the typing.
- Language: a combo box with "auto" plus the languages the target model accepts for hotwords.
- Weight: painted as a 1..5 slider with its meaning; a click sets the weight, and the keyboard
  editor is a real QSlider (arrows, or the digits 1-5).
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QPersistentModelIndex, QRect, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSlider,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionSlider,
    QStyleOptionViewItem,
    QWidget,
)

from ...core.hotwords import MAX_WEIGHT, MIN_WEIGHT, WEIGHT_HELP, WEIGHT_MEANINGS, language_label
from .table_model import HotwordTableModel

AnyIndex = QModelIndex | QPersistentModelIndex
SLIDER_WIDTH = 84


def source_row(index: AnyIndex) -> int:
    """The row in the HotwordTableModel, through a filter proxy if there is one."""
    model = index.model()
    while hasattr(model, "mapToSource"):
        index = model.mapToSource(index)  # type: ignore[union-attr]
        model = index.model()
    return index.row()


class LiveLineEdit(QLineEdit):
    """The text cell editor; `invalid` is a dynamic property the style sheet colours red."""

    STYLE = "QLineEdit[invalid=\"true\"] { background: #ffe4e4; border: 2px solid #c81e2d; }"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(self.STYLE)
        self.setProperty("invalid", False)

    def set_invalid(self, invalid: bool) -> None:
        if self.property("invalid") != invalid:
            self.setProperty("invalid", invalid)
            self.style().unpolish(self)
            self.style().polish(self)


class TextDelegate(QStyledItemDelegate):
    """Emits `liveText(row, text)` on every keystroke while a text cell is edited."""

    liveText = Signal(int, str)
    editingFinished = Signal(int)

    def __init__(self, table_model: HotwordTableModel, parent=None) -> None:
        super().__init__(parent)
        self._model = table_model

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex) -> QWidget:
        editor = LiveLineEdit(parent)
        row = source_row(index)
        editor.textEdited.connect(lambda text, e=editor, r=row: self._on_text_edited(e, r, text))
        return editor

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        # Qt 6 calls this again on every dataChanged that covers the cell (each keystroke
        # revalidates the table), so it must not touch the preview, nor overwrite what is typed.
        assert isinstance(editor, LiveLineEdit)
        if not editor.isModified():
            editor.setText(index.data(Qt.ItemDataRole.EditRole) or "")
        row = source_row(index)
        editor.set_invalid(any(p.is_error for p in self._model.row_problems(row)))

    def _on_text_edited(self, editor: LiveLineEdit, row: int, text: str) -> None:
        self._model.set_preview(row, text)
        editor.set_invalid(any(p.is_error for p in self._model.row_problems(row)))
        editor.setToolTip("\n".join(p.message for p in self._model.row_problems(row)))
        self.liveText.emit(row, text)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: AnyIndex) -> None:
        assert isinstance(editor, QLineEdit)
        self._model.clear_preview()
        model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)

    def destroyEditor(self, editor: QWidget, index: AnyIndex) -> None:
        self._model.clear_preview()
        self.editingFinished.emit(source_row(index))
        super().destroyEditor(editor, index)


class LanguageDelegate(QStyledItemDelegate):
    def __init__(self, table_model: HotwordTableModel, parent=None) -> None:
        super().__init__(parent)
        self._model = table_model

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex) -> QWidget:
        combo = QComboBox(parent)
        combo.addItem("auto (let the model decide)", "")
        for code in self._model.model_info.hotword_languages:
            combo.addItem(language_label(code), code)
        combo.activated.connect(lambda _i, c=combo: self._commit(c))
        return combo

    def _commit(self, combo: QComboBox) -> None:
        self.commitData.emit(combo)
        self.closeEditor.emit(combo, QStyledItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        assert isinstance(editor, QComboBox)
        if editor.property("loaded"):
            return  # called again on each dataChanged: keep the user's choice
        editor.setProperty("loaded", True)
        code = index.data(Qt.ItemDataRole.EditRole) or ""
        pos = editor.findData(code)
        if pos < 0:  # a language this model does not accept: show it so the user sees what to fix
            editor.addItem(f"{language_label(code)} - not accepted by this model", code)
            pos = editor.count() - 1
        editor.setCurrentIndex(pos)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: AnyIndex) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData() or "", Qt.ItemDataRole.EditRole)


class WeightEditor(QWidget):
    """A slider 1..5 with the meaning beside it; digits 1-5 jump straight to a weight."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAutoFillBackground(True)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(MIN_WEIGHT, MAX_WEIGHT)
        self.slider.setPageStep(1)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setFixedWidth(SLIDER_WIDTH)
        self.label = QLabel(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.slider)
        layout.addWidget(self.label, 1)
        self.slider.valueChanged.connect(self._update_label)
        self.setFocusProxy(self.slider)
        self.slider.installEventFilter(self)

    def value(self) -> int:
        return self.slider.value()

    def set_value(self, value: int) -> None:
        self.slider.setValue(value)
        self._update_label(self.slider.value())

    def _update_label(self, value: int) -> None:
        self.label.setText(f"{value} {WEIGHT_MEANINGS[value]}")
        self.setToolTip(WEIGHT_HELP[value])

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            text = event.text()
            if text.isdigit() and MIN_WEIGHT <= int(text) <= MAX_WEIGHT:
                self.set_value(int(text))
                return True
        return super().eventFilter(watched, event)


class WeightDelegate(QStyledItemDelegate):
    """Paints the weight as a slider plus "4 clear"; a click or a drag on the slider sets the weight.

    The painted slider is no widget, so the drag is followed through an event filter on the view's
    viewport: the handle is painted where the mouse is, and the release sets the weight even past
    either end of the slider (or outside the table), as a real slider does.
    """

    def __init__(self, parent: QAbstractItemView | None = None) -> None:
        super().__init__(parent)
        self._drag: tuple[QPersistentModelIndex, QRect, int] | None = None  # index, slider, weight
        self._dragged = False  # the release was handled by the drag: editorEvent must not repeat it
        if isinstance(parent, QAbstractItemView):
            parent.viewport().installEventFilter(self)

    def shown_weight(self, index: AnyIndex) -> int:
        """The weight painted in a cell: the dragged handle's while a drag is under way."""
        if self._drag is not None and QPersistentModelIndex(index) == self._drag[0]:
            return self._drag[2]
        return int(index.data(Qt.ItemDataRole.EditRole) or MIN_WEIGHT)

    def eventFilter(self, watched, event) -> bool:
        view = self.parent()
        if not isinstance(view, QAbstractItemView) or watched is not view.viewport():
            return super().eventFilter(watched, event)  # the open editor's keys (Return, Tab, Esc)
        if not isinstance(event, QMouseEvent):
            return False
        kind, x = event.type(), event.position().x()
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            self._dragged = False
            index = view.indexAt(event.position().toPoint())
            if index.isValid() and view.itemDelegateForColumn(index.column()) is self:
                rect = self.slider_rect(view.visualRect(index))
                if rect.left() <= x <= rect.right():
                    self._drag = (QPersistentModelIndex(index), rect, weight_at(rect, x))
            return False
        if self._drag is None:
            return False
        index, rect, _ = self._drag
        if kind == QEvent.Type.MouseMove:
            self._drag = (index, rect, weight_at(rect, x))
            view.viewport().update(view.visualRect(QModelIndex(index)))
            return True  # a drag on the slider is not a rubber-band selection
        if kind == QEvent.Type.MouseButtonRelease:
            self._drag, self._dragged = None, True
            if index.isValid():
                index.model().setData(QModelIndex(index), weight_at(rect, x), Qt.ItemDataRole.EditRole)
        return False

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex) -> QWidget:
        editor = WeightEditor(parent)
        editor.slider.sliderReleased.connect(lambda e=editor: self.commitData.emit(e))
        return editor

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        assert isinstance(editor, WeightEditor)
        if editor.property("loaded"):
            return  # keep what the user set while the editor is open
        editor.setProperty("loaded", True)
        editor.set_value(int(index.data(Qt.ItemDataRole.EditRole)))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: AnyIndex) -> None:
        assert isinstance(editor, WeightEditor)
        model.setData(index, editor.value(), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        editor.setGeometry(option.rect)

    @staticmethod
    def slider_rect(cell: QRect) -> QRect:
        return QRect(cell.left() + 4, cell.top(), SLIDER_WIDTH, cell.height())

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        # Background, selection and focus as for any cell, without the text.
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        weight = self.shown_weight(index)
        slider = QStyleOptionSlider()
        slider.rect = self.slider_rect(option.rect)
        slider.minimum, slider.maximum = MIN_WEIGHT, MAX_WEIGHT
        slider.sliderPosition = slider.sliderValue = weight
        slider.orientation = Qt.Orientation.Horizontal
        slider.tickPosition = QSlider.TickPosition.TicksBelow
        slider.tickInterval = 1
        slider.state = option.state
        slider.subControls = QStyle.SubControl.SC_SliderGroove | QStyle.SubControl.SC_SliderHandle
        style.drawComplexControl(QStyle.ComplexControl.CC_Slider, slider, painter, opt.widget)
        text_rect = option.rect.adjusted(SLIDER_WIDTH + 12, 0, 0, 0)
        painter.save()
        if option.state & QStyle.StateFlag.State_Selected:
            painter.setPen(option.palette.highlightedText().color())
        painter.drawText(text_rect, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                         index.data(Qt.ItemDataRole.DisplayRole) or "")
        painter.restore()

    def editorEvent(self, event: QEvent, model: QAbstractItemModel, option: QStyleOptionViewItem,
                    index: AnyIndex) -> bool:
        if (event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent)
                and event.button() == Qt.MouseButton.LeftButton):
            if self._dragged:  # already set by the drag (eventFilter)
                self._dragged = False
                return True
            rect = self.slider_rect(option.rect)
            x = event.position().x()
            if rect.left() <= x <= rect.right():
                model.setData(index, weight_at(rect, x), Qt.ItemDataRole.EditRole)
                return True
        return super().editorEvent(event, model, option, index)


def weight_at(rect: QRect, x: float) -> int:
    """The weight whose tick is nearest to x on a slider drawn in `rect`."""
    span = max(1, rect.width() - 1)
    frac = min(1.0, max(0.0, (x - rect.left()) / span))
    return MIN_WEIGHT + round(frac * (MAX_WEIGHT - MIN_WEIGHT))
