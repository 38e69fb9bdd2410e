"""Find in the transcript: every match is shaded in the editor, Next/Previous (and Enter) step
through them from the cursor, and the count says where the user is ("2 of 5")."""

from __future__ import annotations

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QToolButton, QWidget

from .editor import TranscriptEditor


class FindBar(QWidget):
    def __init__(self, editor: TranscriptEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self._found: list[QTextCursor] = []
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("Find in transcript")
        self.edit.setClearButtonEnabled(True)
        self.prev_button = QPushButton("Previous")
        self.next_button = QPushButton("Next")
        self.count = QLabel()
        self.close_button = QToolButton()
        self.close_button.setText("\u2715")
        self.close_button.setToolTip("Close the search bar")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for w in (QLabel("Find:"), self.edit, self.prev_button, self.next_button, self.count,
                  self.close_button):
            row.addWidget(w)
        self.edit.textChanged.connect(self._on_text)
        self.edit.returnPressed.connect(lambda: self.step(1))
        self.next_button.clicked.connect(lambda: self.step(1))
        self.prev_button.clicked.connect(lambda: self.step(-1))
        self.close_button.clicked.connect(self.close_bar)
        self.hide()

    def open_bar(self) -> None:
        self.show()
        self.edit.setFocus()
        self.edit.selectAll()
        self._on_text(self.edit.text())

    def close_bar(self) -> None:
        self.hide()
        self._found = self.editor.find_all("")
        self.editor.setFocus()

    def _on_text(self, text: str) -> None:
        self._found = self.editor.find_all(text)
        self.count.setText(f"{len(self._found)} found" if text else "")
        if self._found:
            self._go_to(0)

    def step(self, direction: int) -> None:
        """The next match after the cursor (direction > 0) or the one before it, wrapping round."""
        self._found = self.editor.find_all(self.edit.text())
        if not self._found:
            self.count.setText("Not found" if self.edit.text() else "")
            return
        pos = self.editor.textCursor().selectionStart()
        starts = [c.selectionStart() for c in self._found]
        if direction > 0:
            idx = next((k for k, s in enumerate(starts) if s > pos), 0)
        else:
            idx = next((k for k in range(len(starts) - 1, -1, -1) if starts[k] < pos), len(starts) - 1)
        self._go_to(idx)

    def _go_to(self, idx: int) -> None:
        self.editor.setTextCursor(self._found[idx])
        self.editor.ensureCursorVisible()
        self.count.setText(f"{idx + 1} of {len(self._found)}")
