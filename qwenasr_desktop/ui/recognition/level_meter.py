"""Input level meter: a bar from -60 to 0 dBFS that turns red near clipping."""

from __future__ import annotations

from PySide6.QtWidgets import QProgressBar, QWidget

FLOOR_DB = -60


class LevelMeter(QProgressBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(FLOOR_DB, 0)
        self.setTextVisible(True)
        self.setToolTip("Input level (peak, dBFS). Speech should peak between -20 and -6.")
        self.set_level(None)

    def set_level(self, db: float | None) -> None:
        if db is None:
            self.setValue(FLOOR_DB)
            self.setFormat("no input")
            return
        self.setValue(int(max(FLOOR_DB, min(0.0, db))))
        self.setFormat(f"{db:.0f} dBFS" + ("  too loud" if db > -1 else ""))
        self.setStyleSheet("QProgressBar::chunk { background: %s; }" % ("#d9534f" if db > -1 else "#5cb85c"))
