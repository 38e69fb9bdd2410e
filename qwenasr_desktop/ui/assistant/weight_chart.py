"""A small per-hotword chart: recall at each weight as bars, false insertions as red dots.

Painted with QPainter (no QtCharts: one tiny chart per table row must stay cheap). The
recommended weight's bar is outlined, the current weight is underlined.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

from ...core.tuning_plan import WEIGHTS, HotwordReport

BAR = QColor("#3b82c4")
BAR_EMPTY = QColor("#d5dde6")
FALSE = QColor("#d33c3c")
MARK = QColor("#1f2d3a")


class WeightChart(QWidget):
    def __init__(self, report: HotwordReport, weights: tuple[int, ...] = WEIGHTS,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.weights = weights
        self.setMinimumSize(self.sizeHint())
        self.setToolTip(self.describe())
        self.setAccessibleName(f"Weight chart for {report.text}")
        self.setAccessibleDescription(self.describe())

    def sizeHint(self) -> QSize:
        return QSize(22 * len(self.weights) + 8, 40)

    def describe(self) -> str:
        """The chart in words, for the tooltip and screen readers."""
        parts = []
        for w in self.weights:
            s = self.report.stats.get(w)
            if s is None:
                parts.append(f"weight {w}: not tried")
                continue
            rec = f"{s.recalled}/{s.targets} recalled" if s.targets else "not spoken"
            fi = f", {s.false_insertions} false" if s.false_insertions else ""
            parts.append(f"weight {w}: {rec}{fi}, U-WER {s.u_wer:.0%}")
        return "\n".join(parts)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        n = len(self.weights)
        slot = (self.width() - 8) / n
        top, bottom = 4.0, self.height() - 12.0
        for k, w in enumerate(self.weights):
            x = 4 + k * slot
            s = self.report.stats.get(w)
            frac = (s.recalled / s.targets) if s and s.targets else 0.0
            h = max(2.0, (bottom - top) * frac)
            rect = QRectF(x + 3, bottom - h, slot - 6, h)
            p.fillRect(rect, BAR if frac else BAR_EMPTY)
            if w == self.report.recommended:
                p.setPen(QPen(MARK, 1.5))
                p.drawRect(QRectF(x + 1.5, top - 2, slot - 3, bottom - top + 3))
            if s and s.false_insertions:
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(FALSE)
                p.drawEllipse(QRectF(x + slot / 2 - 4, top, 8, 8))
                p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(QPen(MARK if w == self.report.current else QColor("#777"), 1))
            font = p.font()
            font.setPointSizeF(7.5)
            font.setUnderline(w == self.report.current)
            p.setFont(font)
            p.drawText(QRectF(x, bottom, slot, 12), Qt.AlignmentFlag.AlignCenter, str(w))
        p.end()
