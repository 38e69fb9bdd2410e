"""First-run welcome: a one-line banner at the top of the window, not a dialog, so the app is usable at once.

It says the two things a new user needs: recognition works offline right away, and the cloud
(Fun-ASR on DashScope) is one Settings dialog away. Closing it (or opening Settings from it)
marks it seen; it never comes back on its own.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

WELCOME_TITLE = "Welcome to QwenASR Desktop"
WELCOME_LINE = ("Recognition works <b>right away and offline</b>, no audio leaves this computer. "
                "Fun-ASR cloud models need a DashScope key.")
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
        # One line (about 36 px), so the table below keeps its rows; the whole story is the tooltip.
        text = QLabel(f"<b>{WELCOME_TITLE}.</b> {WELCOME_LINE}")
        text.setToolTip(WELCOME_TEXT)
        text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.settings_button = QPushButton("Add a cloud key…")
        self.close_button = QPushButton("Got it")
        self.settings_button.clicked.connect(self._open_settings)
        self.close_button.clicked.connect(self.dismiss)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 2, 4, 2)
        row.addWidget(text, 1)
        row.addWidget(self.settings_button)
        row.addWidget(self.close_button)

    def _open_settings(self) -> None:
        self.dismiss()
        self.settings_requested.emit()

    def dismiss(self) -> None:
        self.hide()
        self.dismissed.emit()
