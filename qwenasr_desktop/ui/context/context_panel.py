"""The context panel: messages of two kinds, an editor for the selected one, counters against the caps.

Enabled only for models that support context; for the others a note says why it is greyed out.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.context import (
    MAX_CHARS_PER_ROUND,
    MAX_MESSAGES_PER_ROLE,
    Context,
    Role,
    rounds,
    validate_context,
)
from ...core.context_paste import as_context_text
from ...core.models import ModelInfo
from .context_model import ContextModel


class ContextPanel(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ContextModel(self)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setSpacing(2)
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText("Select a message to edit it. Names and terms written here help "
                                       "the recognizer spell them.")
        self.editor.setEnabled(False)
        self.counters = QLabel()
        self.counters.setWordWrap(True)
        self.previous_transcript = ""
        self.add_user = QPushButton("+ Earlier transcript")
        self.add_assistant = QPushButton("+ Assistant reply")
        self.paste = QPushButton("Paste word list / text")
        self.use_previous = QPushButton("Use the previous transcript")
        self.remove = QPushButton("Remove")
        self.up = QPushButton("▲ Up")
        self.down = QPushButton("▼ Down")
        self._layout()
        self._connect()
        self.set_model(None)
        self._refresh()

    def _layout(self) -> None:
        v = QVBoxLayout(self)
        v.addWidget(self.note)
        v.addWidget(self.list, 2)
        grid = QGridLayout()
        for i, b in enumerate((self.add_user, self.add_assistant, self.paste, self.use_previous,
                               self.up, self.down, self.remove)):
            grid.addWidget(b, i // 2, i % 2)
        v.addLayout(grid)
        v.addWidget(self.editor, 1)
        v.addWidget(self.counters)

    def _connect(self) -> None:
        self.add_user.clicked.connect(lambda: self._add(Role.USER, ""))
        self.add_assistant.clicked.connect(lambda: self._add(Role.ASSISTANT, ""))
        self.paste.clicked.connect(self._paste)
        self.use_previous.clicked.connect(lambda: self._add(Role.USER, self.previous_transcript))
        self.remove.clicked.connect(self._remove)
        self.up.clicked.connect(lambda: self._move(-1))
        self.down.clicked.connect(lambda: self._move(1))
        self.list.selectionModel().currentChanged.connect(self._on_current_changed)
        self.editor.textChanged.connect(self._on_text_edited)
        for sig in (self.model.rowsInserted, self.model.rowsRemoved, self.model.rowsMoved,
                    self.model.modelReset, self.model.dataChanged):
            sig.connect(self._refresh)

    # ---------------------------------------------------------------------- API
    def context(self) -> Context:
        return self.model.context()

    def set_context(self, ctx: Context | None) -> None:
        self.model.set_context(ctx)

    def set_previous_transcript(self, text: str) -> None:
        self.previous_transcript = text.strip()
        self._refresh()

    def set_model(self, model: ModelInfo | None) -> None:
        ok = model is None or model.supports_context
        for w in (self.list, self.editor, self.add_user, self.add_assistant, self.paste, self.use_previous,
                  self.remove, self.up, self.down):
            w.setEnabled(ok)
        if model is None:
            self.note.setText("")
        elif ok:
            self.note.setText(f"{model.name} uses this conversation as context: terms in it are "
                              "recognized more reliably. Oldest first.")
        else:
            self.note.setText(f"<b>{model.name} does not use context.</b> Pick a model that does "
                              "(fun-asr-realtime, fun-asr-flash, or an offline model) to use this panel.")
        if ok:
            self._refresh()

    # --------------------------------------------------------------------- slots
    def _add(self, role: Role, text: str) -> None:
        row = self.model.add(role, text)
        self.list.setCurrentIndex(self.model.index(row))
        self.editor.setFocus()

    def _paste(self) -> None:
        text = QGuiApplication.clipboard().text()
        if text.strip():
            self._add(Role.USER, as_context_text(text))

    def _remove(self) -> None:
        idx = self.list.currentIndex()
        if idx.isValid():
            self.model.remove(idx.row())

    def _move(self, delta: int) -> None:
        idx = self.list.currentIndex()
        if idx.isValid():
            self.list.setCurrentIndex(self.model.index(self.model.move(idx.row(), delta)))

    def _on_current_changed(self, current, _previous) -> None:
        self.editor.blockSignals(True)
        self.editor.setPlainText(self.model.message(current.row()).text if current.isValid() else "")
        self.editor.blockSignals(False)
        self.editor.setEnabled(current.isValid() and self.list.isEnabled())
        self._refresh()

    def _on_text_edited(self) -> None:
        idx = self.list.currentIndex()
        if idx.isValid():
            self.model.set_text(idx.row(), self.editor.toPlainText())

    def _refresh(self, *_args) -> None:
        ctx = self.model.context()
        msgs = [m for m in ctx.messages if m.text.strip()]
        n_user = sum(1 for m in msgs if m.role is Role.USER)
        n_asst = len(msgs) - n_user
        sizes = [sum(len(m.text) for m in r) for r in rounds(msgs)]
        lines = [f"Transcripts/notes {n_user}/{MAX_MESSAGES_PER_ROLE} · Assistant replies "
                 f"{n_asst}/{MAX_MESSAGES_PER_ROLE}"]
        if sizes:
            lines.append("Characters per round: " + ", ".join(
                f"{s}/{MAX_CHARS_PER_ROUND}" for s in sizes))
        lines += [f"<span style='color:#a94442'>{p.message}</span>" for p in validate_context(ctx)]
        self.counters.setText("<br>".join(lines))
        row = self.list.currentIndex().row()  # -1 without a selection
        enabled = self.list.isEnabled()
        self.remove.setEnabled(enabled and row >= 0)
        self.up.setEnabled(enabled and row > 0)
        self.down.setEnabled(enabled and 0 <= row < self.model.rowCount() - 1)
        self.use_previous.setEnabled(enabled and bool(self.previous_transcript))
        self.use_previous.setToolTip(self.previous_transcript[:300] or "No transcript yet.")
        self.changed.emit()
