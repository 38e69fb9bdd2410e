"""Small status icons drawn in code (no image files to ship, crisp at any scale)."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPainterPath, QPen, QPixmap

from ...core.hotwords import ProblemSeverity

SIZE = 32


@cache
def status_icon(severity: ProblemSeverity | None) -> QIcon:
    pix = QPixmap(SIZE, SIZE)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    if severity is ProblemSeverity.ERROR:
        p.setBrush(QColor(200, 30, 45))
        p.setPen(Qt.PenStyle.NoPen)
        p.drawEllipse(QRectF(2, 2, SIZE - 4, SIZE - 4))
        _mark(p, "!")
    elif severity is ProblemSeverity.WARNING:
        path = QPainterPath(QPointF(SIZE / 2, 2))
        path.lineTo(SIZE - 2, SIZE - 3)
        path.lineTo(2, SIZE - 3)
        path.closeSubpath()
        p.setBrush(QColor(230, 150, 0))
        p.setPen(Qt.PenStyle.NoPen)
        p.drawPath(path)
        _mark(p, "!", dy=3)
    else:
        p.setPen(QPen(QColor(30, 140, 70), 4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                      Qt.PenJoinStyle.RoundJoin))
        p.drawPolyline([QPointF(7, 17), QPointF(13, 23), QPointF(25, 9)])
    p.end()
    return QIcon(pix)


def _mark(p: QPainter, text: str, dy: float = 0) -> None:
    font = QFont()
    font.setBold(True)
    font.setPixelSize(SIZE * 2 // 3)
    p.setFont(font)
    p.setPen(QColor("white"))
    p.drawText(QRectF(0, dy, SIZE, SIZE), Qt.AlignmentFlag.AlignCenter, text)
