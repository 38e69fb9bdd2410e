"""Listen to the opened recording and take a finished comparison to the workbench (issue 15).

A comparison is judged by ear as much as by WER: without a player on the compare page the user
had to go through History to hear the clip. The workbench's Player is reused, so the compare page
plays (and reports a missing output device) exactly as the workbench does. Playback stops while a
recording is being made: the file is still being written then.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from ...core.transcript import clock
from ..workbench.player import Player

OPEN_TIP = "Correct and export B's transcript (with hotwords) in the Workbench tab, with its audio."


class ListenBar(QWidget):
    openInWorkbench = Signal(int)  # session id
    message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = Player(self)
        self.player.rewind_on_resume_ms = 0  # a quick listen, not transcription
        self.play_button = QPushButton("▶ Play")
        self.play_button.setToolTip("Listen to the opened recording.")
        self.time_label = QLabel("00:00")
        self.open_button = QPushButton("Open in workbench")
        self.open_button.setToolTip(OPEN_TIP)
        self.session_id: int | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for w in (self.play_button, self.time_label, self.open_button):
            row.addWidget(w)
        self._asked = False  # a load error is the audio check's to report, unless Play was pressed
        self.play_button.clicked.connect(self._toggle)
        self.open_button.clicked.connect(self._open)
        self.player.playingChanged.connect(
            lambda playing: self.play_button.setText("‖ Pause" if playing else "▶ Play"))
        self.player.positionChanged.connect(lambda ms: self.time_label.setText(clock(ms)))
        self.player.error.connect(self._on_error)
        self.set_audio("")
        self.set_session(None)

    def set_audio(self, path: str) -> None:
        """A new recording (or none): the player follows it, from its start."""
        self._asked = False
        self.player.load(path)
        self.play_button.setEnabled(bool(path))
        self.play_button.setToolTip("Listen to the opened recording.")
        self.time_label.setText(clock(0))

    def _toggle(self) -> None:
        self._asked = True
        self.player.toggle()

    def _on_error(self, text: str) -> None:
        """After Play (e.g. no output device) the user is told; a file that fails to load disables Play."""
        if self._asked:
            self.message.emit(f"Audio: {text}")
            return
        self.play_button.setEnabled(False)
        self.play_button.setToolTip(f"Cannot be played: {text}")

    def set_session(self, session_id: int | None) -> None:
        """The comparison that "Open in workbench" takes there; None while there is none finished."""
        self.session_id = session_id
        self.open_button.setEnabled(session_id is not None)

    def _open(self) -> None:
        if self.session_id is not None:
            self.player.pause()
            self.openInWorkbench.emit(self.session_id)
