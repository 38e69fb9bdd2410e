"""First-run welcome: a banner at the top of the window, not a dialog, so the app is usable at once.

It says the two things a new user needs: recognition works offline right away, and the cloud
(Fun-ASR on DashScope) is one Settings dialog away. Closing it (or opening Settings from it)
marks it seen; it never comes back on its own.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

WELCOME_TITLE = "Welcome to QwenASR Desktop"
WELCOME_TEXT = (
    "Speech recognition works <b>right away and offline</b>: the built-in engine (Whisper base, "
    "with your weighted hotwords) runs on this computer, and no audio leaves it. "
    "For Alibaba's <b>Fun-ASR cloud models</b>, with hotword lists synced to DashScope and context "
    "enhancement, add your DashScope API key in Settings. It is kept in the system keyring."
)


class WelcomeBanner(QFrame):
    settings_requested = Signal()
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomeBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#welcomeBanner { background: palette(alternate-base); border-radius: 6px; }")
        title = QLabel(f"<b>{WELCOME_TITLE}</b>")
        text = QLabel(WELCOME_TEXT)
        text.setWordWrap(True)
        self.settings_button = QPushButton("Add a cloud key…")
        self.close_button = QPushButton("Got it")
        self.settings_button.clicked.connect(self._open_settings)
        self.close_button.clicked.connect(self.dismiss)
        words = QVBoxLayout()
        words.addWidget(title)
        words.addWidget(text)
        row = QHBoxLayout(self)
        row.addLayout(words, 1)
        row.addWidget(self.settings_button)
        row.addWidget(self.close_button)

    def _open_settings(self) -> None:
        self.dismiss()
        self.settings_requested.emit()

    def dismiss(self) -> None:
        self.hide()
        self.dismissed.emit()
