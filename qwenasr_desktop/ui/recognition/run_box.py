"""The run controls: Compare A / B, Cancel and the run's status line; and the audio-check note.

They sit in the page's toolbar, so the primary action and its state are visible at any window
height; per-side progress lives in the columns themselves (compare.columns). Compare is enabled
only when there is audio to compare that the audio check did not reject.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

COMPARE_TIP = "Recognize the audio twice: A without, B with what you checked in the settings."


class StatusLabel(QLabel):
    """One line that never widens the window: a long text is elided, and whole in the tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(80)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.width())
        p.drawText(self.rect(), int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), shown)


class RunBox(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.compare = QPushButton("▶ Compare A / B")
        self.compare.setToolTip(COMPARE_TIP)
        self.compare.setDefault(True)
        self.cancel = QPushButton("Cancel")
        self.resume = QPushButton("Resume")  # shown when the file has a stored checkpoint (set_resume)
        self.resume.setToolTip("Continue the unfinished recognition of this file with these settings "
                               "where it stopped; Compare starts over.")
        self.resume.hide()
        self.status = StatusLabel()
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("QLabel { background: #fff3cd; color: #664d03; padding: 4px; }")
        self.warnings.hide()
        self._running, self._rejected = False, ""
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.compare)
        row.addWidget(self.resume)
        row.addWidget(self.cancel)
        row.addWidget(self.status, 1)  # `warnings` is placed by the page, under the audio
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
        self.compare.setToolTip(f"Not available: {reason}" if reason else COMPARE_TIP)
        self._update_compare()

    @property
    def rejected(self) -> str:
        return self._rejected

    def set_resume(self, text: str) -> None:
        """ "Resume from 12:40", or "" to hide the button (nothing stored for this file and settings)."""
        self.resume.setText(text or "Resume")
        self.resume.setVisible(bool(text))

    def _update_compare(self) -> None:
        self.compare.setEnabled(not self._running and not self._rejected)
        self.resume.setEnabled(not self._running and not self._rejected)

    def set_warnings(self, warnings: list[str]) -> None:
        self.warnings.setText("<b>Audio check:</b> " + " ".join(warnings) if warnings else "")
        self.warnings.setVisible(bool(warnings))
