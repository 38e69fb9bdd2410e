"""The run controls: Compare A / B, Cancel, a progress bar per column; and the audio-check note."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QProgressBar, QPushButton, QWidget

from ...core.compare import Side


class RunBox(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("3. Compare", parent)
        self.compare = QPushButton("Compare A / B")
        self.compare.setToolTip("Recognize the audio twice: A without, B with what you checked above.")
        self.compare.setDefault(True)
        self.cancel = QPushButton("Cancel")
        self.progress = {Side.A: QProgressBar(), Side.B: QProgressBar()}
        for side, bar in self.progress.items():
            bar.setRange(0, 100)
            bar.setFormat(f"{side.name}: %p%")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("QLabel { background: #fff3cd; color: #664d03; padding: 4px; }")
        self.warnings.hide()
        grid = QGridLayout(self)
        grid.addWidget(self.compare, 0, 0)
        grid.addWidget(self.cancel, 0, 1)
        grid.addWidget(self.progress[Side.A], 1, 0)
        grid.addWidget(self.progress[Side.B], 1, 1)
        grid.addWidget(self.status, 2, 0, 1, 2)  # `warnings` is placed by the page, under the audio
        self.set_running(False)

    def set_running(self, running: bool, busy_text: str = "") -> None:
        self.compare.setEnabled(not running)
        self.cancel.setEnabled(running)
        if running:
            for bar in self.progress.values():
                bar.setValue(0)
            self.status.setText(busy_text)

    def set_progress(self, side: Side, fraction: float) -> None:
        self.progress[side].setValue(round(100 * fraction))

    def set_warnings(self, warnings: list[str]) -> None:
        self.warnings.setText("<b>Audio check:</b> " + " ".join(warnings) if warnings else "")
        self.warnings.setVisible(bool(warnings))
