"""The line above the table: target model, language hints, and the count of hotwords/problems.

The rule set follows the target model (Paraformer models use the legacy limits), and the hints
selector says which hotwords the chosen hint switches off, because the cloud does that silently.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ...core.hotwords import MAX_HOTWORDS_PER_LIST, Problem, language_label
from ...core.models import MODELS, ModelInfo, Provider, RuleSet, model_info

RULES_TEXT = {
    RuleSet.FUNASR: "Fun-ASR rules: up to 15 characters, or 7 words in English.",
    RuleSet.PARAFORMER: "Paraformer (legacy) rules: up to 10 characters, or 5 words in English.",
    RuleSet.NONE: "This model ignores hotwords.",
}
WEIGHT_LEGEND = "Weight: 1-2 slight preference, 3-4 clear, 5 forced."


def _model_label(m: ModelInfo) -> str:
    where = "offline" if m.provider is Provider.LOCAL else "cloud, " + "/".join(str(x) for x in m.modes)
    return f"{m.name}  ({where})"


class SummaryBar(QWidget):
    targetModelChanged = Signal(str)
    hintsChanged = Signal(list)
    prefixChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_combo = QComboBox()
        self.model_combo.setAccessibleName("Target model")
        self.model_combo.setToolTip("The model this list is made for. The cloud silently ignores a "
                                    "list used with another model.")
        for m in MODELS.values():
            self.model_combo.addItem(_model_label(m), m.name)
            self.model_combo.setItemData(self.model_combo.count() - 1, m.description or m.name,
                                         Qt.ItemDataRole.ToolTipRole)
        self.hints_combo = QComboBox()
        self.hints_combo.setAccessibleName("Language hint")
        self.hints_combo.setToolTip("The language hint you will send with recognition requests. "
                                    "Hotwords in other languages are then ignored by the cloud.")
        self.prefix_edit = QLineEdit()
        self.prefix_edit.setAccessibleName("Cloud prefix")
        self.prefix_edit.setPlaceholderText("e.g. pharma")
        self.prefix_edit.setMaxLength(10)
        self.prefix_edit.setFixedWidth(110)
        self.prefix_edit.setValidator(QRegularExpressionValidator(QRegularExpression("[a-z0-9]{0,10}")))
        self.prefix_edit.setToolTip("Name prefix of the vocabulary in the cloud: 1 to 10 lowercase "
                                    "letters or digits. Needed only when the list is uploaded.")
        self.rules_label = QLabel()
        self.rules_label.setWordWrap(True)
        self.counts_label = QLabel()
        self.counts_label.setAccessibleName("Hotword count and problems")
        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        self.notes_label.setStyleSheet("color: #8a5a00;")

        for combo, chars in ((self.model_combo, 22), (self.hints_combo, 12)):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(chars)  # may shrink to this on small screens...
        self.model_combo.setMaximumWidth(340)  # ...and grows up to the full names when there is room
        self.hints_combo.setMaximumWidth(240)
        top = QHBoxLayout()
        top.addWidget(QLabel("Target model:"))
        top.addWidget(self.model_combo, 3)
        top.addSpacing(12)
        top.addWidget(QLabel("Language hint:"))
        top.addWidget(self.hints_combo, 2)
        top.addSpacing(12)
        top.addWidget(QLabel("Cloud prefix:"))
        top.addWidget(self.prefix_edit)
        top.addStretch(1)
        second = QHBoxLayout()
        second.addWidget(self.rules_label, 1)
        second.addWidget(self.counts_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(second)
        layout.addWidget(self.notes_label)

        self.model_combo.activated.connect(self._on_model_activated)
        self.hints_combo.activated.connect(self._on_hint_activated)
        self.prefix_edit.editingFinished.connect(lambda: self.prefixChanged.emit(self.prefix_edit.text()))

    def set_state(self, target_model: str, hints: list[str], prefix: str | None = None) -> None:
        if prefix is not None:
            self.prefix_edit.setText(prefix)
        self.model_combo.setCurrentIndex(max(0, self.model_combo.findData(target_model)))
        self._fill_hints(model_info(target_model), hints)
        self.rules_label.setText(f"{RULES_TEXT[model_info(target_model).rule_set]}  {WEIGHT_LEGEND}")

    def _fill_hints(self, model: ModelInfo, hints: list[str]) -> None:
        self.hints_combo.clear()
        self.hints_combo.addItem("none (all hotwords apply)", "")
        for code in model.languages:
            self.hints_combo.addItem(language_label(code), code)
        current = hints[0] if hints else ""
        self.hints_combo.setCurrentIndex(max(0, self.hints_combo.findData(current)))

    def _on_model_activated(self, _index: int) -> None:
        self.targetModelChanged.emit(self.model_combo.currentData())

    def _on_hint_activated(self, _index: int) -> None:
        code = self.hints_combo.currentData()
        self.hintsChanged.emit([code] if code else [])

    def show_counts(self, n_items: int, problems: list[Problem], off_by_hints: list[str],
                    list_notes: list[Problem]) -> None:
        n_err = sum(1 for p in problems if p.is_error)
        n_warn = len(problems) - n_err
        err_html = (f"<span style='color:#b00020'><b>{n_err} error{'s' * (n_err != 1)}</b></span>"
                    if n_err else "0 errors")
        warn_html = (f"<span style='color:#8a5a00'><b>{n_warn} warning{'s' * (n_warn != 1)}</b></span>"
                     if n_warn else "0 warnings")
        count_html = f"<b>{n_items}/{MAX_HOTWORDS_PER_LIST}</b> hotwords"
        self.counts_label.setText(f"{count_html} &nbsp;·&nbsp; {err_html} &nbsp;·&nbsp; {warn_html}")
        notes = [p.message for p in list_notes]
        if off_by_hints:
            shown = ", ".join(off_by_hints[:5]) + (" …" if len(off_by_hints) > 5 else "")
            notes.append(f"The language hint switches off {len(off_by_hints)} hotword"
                         f"{'s' * (len(off_by_hints) != 1)}: {shown}")
        self.notes_label.setText("\n".join(notes))
        self.notes_label.setVisible(bool(notes))
