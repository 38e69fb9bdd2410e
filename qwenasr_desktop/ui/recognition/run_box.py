"""The run controls: Compare A / B, Cancel and the run's status line; and the audio-check note.

Per-side progress lives in the columns themselves (compare.columns), where the eye already is.
Compare is enabled only when there is audio to compare that the audio check did not reject.
"""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QPushButton, QWidget


class RunBox(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("3. Compare", parent)
        self.compare = QPushButton("Compare A / B")
        self.compare.setToolTip("Recognize the audio twice: A without, B with what you checked above.")
        self.compare.setDefault(True)
        self.cancel = QPushButton("Cancel")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("QLabel { background: #fff3cd; color: #664d03; padding: 4px; }")
        self.warnings.hide()
        self._running, self._rejected = False, ""
        grid = QGridLayout(self)
        grid.addWidget(self.compare, 0, 0)
        grid.addWidget(self.cancel, 0, 1)
        grid.addWidget(self.status, 1, 0, 1, 2)  # `warnings` is placed by the page, under the audio
        self.set_running(False)

    def set_running(self, running: bool, busy_text: str = "") -> None:
        self._running = running
        self.cancel.setEnabled(running)
        if running:
            self.status.setText(busy_text)
        self._update_compare()

    def set_rejected(self, reason: str) -> None:
        """The audio check found nothing useful can come out of the file: no Compare, and why."""
        self._rejected = reason
        self.compare.setToolTip(f"Not available: {reason}" if reason else
                                "Recognize the audio twice: A without, B with what you checked above.")
        self._update_compare()

    @property
    def rejected(self) -> str:
        return self._rejected

    def _update_compare(self) -> None:
        self.compare.setEnabled(not self._running and not self._rejected)

    def set_warnings(self, warnings: list[str]) -> None:
        self.warnings.setText("<b>Audio check:</b> " + " ".join(warnings) if warnings else "")
        self.warnings.setVisible(bool(warnings))
