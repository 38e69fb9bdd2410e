"""Hold-to-play: a foot pedal's key plays while held and pauses on release.

Shortcuts only see presses, so this is an event filter on the whole application (a pedal must
work whichever widget of the workbench has focus). Auto-repeats, which pedals send while held,
are swallowed; keys aimed at other windows are left alone.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

from .player import Player

KEY_EVENTS = (QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride)


class HoldToPlay(QObject):
    def __init__(self, page: QWidget, player: Player) -> None:
        super().__init__(page)
        self.page = page
        self.player = player
        self.key = QKeySequence()
        self._holding = False
        QApplication.instance().installEventFilter(self)

    def remove(self) -> None:
        QApplication.instance().removeEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in KEY_EVENTS or self.key.isEmpty() or not isinstance(event, QKeyEvent) \
                or not self.page.isVisible():
            return False
        if QKeySequence(event.keyCombination()).matches(self.key) != QKeySequence.SequenceMatch.ExactMatch:
            return False
        if not isinstance(obj, QWidget) or obj.window() is not self.page.window():
            return False
        if kind == QEvent.Type.KeyPress and not event.isAutoRepeat() and not self._holding:
            self._holding = True
            self.player.play()
        elif kind == QEvent.Type.KeyRelease and not event.isAutoRepeat() and self._holding:
            self._holding = False
            self.player.pause()
        return kind != QEvent.Type.ShortcutOverride
