"""The row under the transport: how far a skip jumps, how much is replayed on resume, and the
"saved" note that tells the user every edit is already stored."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QWidget


def seconds_spin(low: float, high: float, tip: str) -> QDoubleSpinBox:
    """A seconds field (0.5 s steps); the workbench bar and its Settings tab use the same one."""
    spin = QDoubleSpinBox()
    spin.setRange(low, high)
    spin.setDecimals(1)
    spin.setSingleStep(0.5)
    spin.setSuffix(" s")
    spin.setToolTip(tip)
    return spin


class OptionsBar(QWidget):
    skipChanged = Signal(float)  # seconds
    rewindChanged = Signal(float)  # seconds

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.skip_spin = seconds_spin(0.5, 60, "How far Skip back and Skip forward jump.")
        self.rewind_spin = seconds_spin(0, 5, "After a pause, playback starts this far back so you "
                                               "hear the last words again.")
        self.save_state = QLabel()
        self.save_state.setStyleSheet("color: #1a7f37")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Skip by"))
        row.addWidget(self.skip_spin)
        row.addSpacing(12)
        row.addWidget(QLabel("Replay on resume"))
        row.addWidget(self.rewind_spin)
        row.addStretch()
        row.addWidget(self.save_state)
        self.skip_spin.valueChanged.connect(self.skipChanged)
        self.rewind_spin.valueChanged.connect(self.rewindChanged)

    def show_values(self, skip_s: float, rewind_s: float) -> None:
        """The stored values, shown without reporting them back as changes."""
        for spin, value in ((self.skip_spin, skip_s), (self.rewind_spin, rewind_s)):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)

    def show_saved(self, text: str) -> None:
        self.save_state.setText(f"\u2713 {text} {datetime.now().strftime('%H:%M:%S')}")
