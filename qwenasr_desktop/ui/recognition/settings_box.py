"""Engine, model, hotword list, language hint, and what column B adds.

The list picker offers only the lists that fit the chosen model (engine_choice.list_fits) and
says how many it hides and why; the hint picker says which hotwords that hint switches off.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from ...core.hotwords import Hotword, HotwordList, language_label
from ...core.models import Mode, ModelInfo, model_info
from ...engines.engine_choice import (
    capability_text,
    list_fits,
    models_for_choice,
    picker_label,
    switched_off,
)
from ...engines.engine_labels import ENGINE_LABELS, NO_LIST, EngineChoice
from ...storage.hotword_lists import HotwordListRepository
from .runner import CONTEXT, HOTWORDS


class SettingsBox(QGroupBox):
    changed = Signal()
    modelChanged = Signal(object)  # ModelInfo

    def __init__(self, repo: HotwordListRepository, parent: QWidget | None = None) -> None:
        super().__init__("2. Recognition", parent)
        self.repo = repo
        self._mode = Mode.FILE
        self._items: dict[int, list[Hotword]] = {}
        self._names: dict[int, str] = {}
        self._cloud_ids: dict[int, str | None] = {}
        self.engine = QComboBox()
        for choice, label in ENGINE_LABELS.items():
            self.engine.addItem(label, choice)
        self.url = QLineEdit()
        self.url.setPlaceholderText("http://127.0.0.1:8765")
        self.model = QComboBox()
        self.capabilities = _note()
        self.hotword_list = QComboBox()
        self.list_note = _note()
        self.hint = QComboBox()
        self.hint_note = _note()
        self.add_hotwords = QCheckBox("hotwords")
        self.add_context = QCheckBox("context")
        self.add_hotwords.setChecked(True)
        self.add_context.setChecked(True)
        form = QFormLayout(self)
        form.addRow("Engine:", self.engine)
        form.addRow("Server URL:", self.url)
        form.addRow("Model:", self.model)
        form.addRow("", self.capabilities)
        form.addRow("Hotword list:", self.hotword_list)
        form.addRow("", self.list_note)
        form.addRow("Language hint:", self.hint)
        form.addRow("", self.hint_note)
        b_row = QWidget()
        row = QHBoxLayout(b_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.add_hotwords)
        row.addWidget(self.add_context)
        row.addStretch()
        form.addRow("Column B adds:", b_row)
        self._form = form
        self.engine.currentIndexChanged.connect(self._on_engine_changed)
        self.url.textChanged.connect(self.changed)
        self.model.currentIndexChanged.connect(self._on_model_changed)
        self.hotword_list.currentIndexChanged.connect(self._update_hint_note)
        self.hint.currentIndexChanged.connect(self._update_hint_note)
        for box in (self.add_hotwords, self.add_context):
            box.toggled.connect(self.changed)
        self._on_engine_changed()

    # ------------------------------------------------------------------ values
    @property
    def engine_choice(self) -> EngineChoice:
        return EngineChoice(self.engine.currentData())  # Qt hands back a plain str

    @property
    def model_info(self) -> ModelInfo:
        return model_info(self.model.currentData())

    def list_id(self) -> int | None:
        return self.hotword_list.currentData()

    def hotwords(self) -> list[Hotword]:
        return list(self._items.get(self.list_id(), [])) if self.list_id() is not None else []

    def vocabulary_id(self) -> str | None:
        """The selected list's cloud vocabulary, if it has been uploaded."""
        return self._cloud_ids.get(self.list_id())

    def list_name(self) -> str:
        return self._names.get(self.list_id(), "")

    def snapshot(self) -> HotwordList | None:
        """The chosen list as it is now, kept with a session (the list may be edited later)."""
        if self.list_id() is None:
            return None
        return HotwordList(self.list_name(), self.model.currentData(), self.hotwords())

    def language_hints(self) -> list[str]:
        code = self.hint.currentData()
        return [code] if code else []

    def b_adds(self) -> frozenset[str]:
        return frozenset(k for k, box in ((HOTWORDS, self.add_hotwords), (CONTEXT, self.add_context))
                         if box.isChecked() and box.isEnabled())

    def summary(self) -> str:
        """One line saying what is chosen, shown while the settings are folded away."""
        adds = " and ".join(sorted(self.b_adds())) or "nothing"
        return (f"{self.engine.currentText()} · {self.model.currentText()} · "
                f"list: {self.list_name() or NO_LIST} · B adds {adds}")

    def set_mode(self, mode: Mode) -> None:
        self._mode = mode
        self._fill_models()

    def select_list(self, list_id: int) -> bool:
        i = self.hotword_list.findData(list_id)
        if i >= 0:
            self.hotword_list.setCurrentIndex(i)
        return i >= 0

    def select_model(self, name: str) -> bool:
        i = self.model.findData(name)
        if i >= 0:
            self.model.setCurrentIndex(i)
        return i >= 0

    # ------------------------------------------------------------------- slots
    def _on_engine_changed(self) -> None:
        custom = self.engine_choice is EngineChoice.CUSTOM_URL
        self.url.setVisible(custom)
        self._form.labelForField(self.url).setVisible(custom)
        self._fill_models()
        self.changed.emit()

    def _fill_models(self) -> None:
        current = self.model.currentData()
        self.model.blockSignals(True)
        self.model.clear()
        for m in models_for_choice(self.engine_choice, self._mode):
            self.model.addItem(picker_label(m), m.name)
        i = self.model.findData(current)
        self.model.setCurrentIndex(max(i, 0))
        self.model.blockSignals(False)
        self._on_model_changed()

    def _on_model_changed(self) -> None:
        if self.model.currentData() is None:
            return
        m = self.model_info
        self.capabilities.setText(capability_text(m))
        self.add_context.setEnabled(m.supports_context)
        self.add_context.setToolTip("" if m.supports_context else f"{m.name} does not use context.")
        self.add_hotwords.setEnabled(m.supports_hotwords)
        current_hint = self.hint.currentData()
        self.hint.blockSignals(True)
        self.hint.clear()
        self.hint.addItem("Automatic (no hint)", None)
        for code in m.languages:
            self.hint.addItem(language_label(code), code)
        self.hint.setCurrentIndex(max(0, self.hint.findData(current_hint)))
        self.hint.blockSignals(False)
        self.reload_lists()
        self.modelChanged.emit(m)
        self.changed.emit()

    def reload_lists(self) -> None:
        """Re-read the lists (after the editor changed them) and keep the selection if it still fits."""
        current = self.list_id()
        m = self.model_info
        self._items.clear()
        hidden: list[str] = []
        self.hotword_list.blockSignals(True)
        self.hotword_list.clear()
        self.hotword_list.addItem(NO_LIST, None)
        for s in self.repo.summaries():
            stored = self.repo.load(s.id)
            fit = list_fits(s.target_model, stored.hotwords.items, m)
            if fit.usable:
                self._items[s.id] = stored.hotwords.items
                self._names[s.id] = s.name
                self._cloud_ids[s.id] = stored.cloud_vocabulary_id
                self.hotword_list.addItem(f"{s.name} ({s.item_count})", s.id)
            else:
                hidden.append(f"{s.name}: {fit.reason}")
        self.hotword_list.setCurrentIndex(max(0, self.hotword_list.findData(current)))
        self.hotword_list.blockSignals(False)
        if len(hidden) > 2:
            self.list_note.setText(f"{len(hidden)} lists hidden: they do not fit {m.name} (hover for why).")
        else:
            self.list_note.setText("".join(f"Hidden: {h}.\n" for h in hidden).strip())
        self.list_note.setToolTip("\n".join(hidden))
        self._update_hint_note()

    def _update_hint_note(self) -> None:
        off = switched_off(self.hotwords(), self.language_hints(), self.model.currentData())
        if off:
            words = ", ".join(h.text for h in off[:6]) + (" …" if len(off) > 6 else "")
            self.hint_note.setText(f"<span style='color:#a94442'>This hint switches off {len(off)} "
                                   f"hotword(s) of another language: {words}</span>")
        else:
            self.hint_note.setText("")
        self.changed.emit()


def _note() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: #555;")
    return label
