"""The editor's left margin: each sentence's start time, and the speaker's name where it changes.

Click a time to play from that sentence, double-click a name to rename the speaker. Painting is
done per damaged strip (a position tick repaints one line, not the whole margin), from the start
times the editor formats once per document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from ...core.export import speaker_name

if TYPE_CHECKING:
    from .editor import TranscriptEditor

SPEAKER_COLOURS = ("#1f6feb", "#b35900", "#1a7f37", "#8250df", "#bf3989", "#0a7e8c")


class Gutter(QWidget):
    """Time and speaker of each paragraph; click to play from there, double-click to rename."""

    def __init__(self, editor: TranscriptEditor) -> None:
        super().__init__(editor)
        self.editor = editor
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Click: play from this sentence. Double-click the speaker: rename.")

    def sizeHint(self) -> QSize:
        return QSize(self.editor.gutter_width(), 0)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        block = self.editor.block_at_y(event.position().y())
        if block is not None and event.button() == Qt.MouseButton.LeftButton:
            self.editor.seekRequested.emit(self.editor.sentences[block].begin_ms)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        block = self.editor.block_at_y(event.position().y())
        if block is not None and self.editor.sentences[block].speaker is not None:
            self.editor.renameSpeaker.emit(self.editor.sentences[block].speaker)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Only the blocks inside the damaged strip are drawn: a position tick repaints one line
        of the gutter, not all of it."""
        ed = self.editor
        p = QPainter(self)
        area = event.rect()
        p.fillRect(area, ed.palette().alternateBase())
        fm = ed.fontMetrics()
        name_x = 16 + fm.horizontalAdvance("00:00:00")
        bold = QFont(p.font())
        bold.setBold(True)
        block = ed.firstVisibleBlock()
        top = ed.blockBoundingGeometry(block).translated(ed.contentOffset()).top()
        current = ed.textCursor().blockNumber()
        dim, text = QColor("#6e7781"), ed.palette().text().color()
        while block.isValid() and top <= area.bottom():
            n = block.blockNumber()
            bottom = top + ed.blockBoundingRect(block).height()
            if bottom >= area.top() and n < len(ed.sentences):
                baseline = int(top) + fm.ascent()
                p.setPen(text if n == current else dim)
                p.drawText(8, baseline, ed.start_labels[n])
                s = ed.sentences[n]
                if s.speaker is not None and (n == 0 or s.speaker != ed.sentences[n - 1].speaker):
                    p.setPen(QColor(SPEAKER_COLOURS[s.speaker % len(SPEAKER_COLOURS)]))
                    p.setFont(bold)
                    p.drawText(name_x, baseline, speaker_name(s.speaker, ed.speaker_names))
                    p.setFont(ed.font())
            top = bottom
            block = block.next()
        p.end()
