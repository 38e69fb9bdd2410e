"""The workbench's transport: back, play, forward, the position, speed and volume.

It shows what the page tells it and reports what the user does with the slider and the volume;
the buttons are triggered by the page's actions, so a button and its shortcut do one thing.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from ...core.transcript import clock


def position_text(ms: int, duration_ms: int) -> str:
    """"01:02.3 / 59:58": tenths on the moving position, so a small skip is visible."""
    tenths = (max(0, ms) // 100) % 10
    return f"{clock(ms)}.{tenths} / {clock(duration_ms) if duration_ms > 0 else '--:--'}"


class TransportBar(QWidget):
    seekRequested = Signal(int)  # ms: the user dragged the position slider
    volumeChanged = Signal(int)  # percent, at every slider tick (the page debounces the write)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.back_button = QPushButton()
        self.play_button = QPushButton()
        self.play_button.setMinimumWidth(110)
        self.forward_button = QPushButton()
        self.time_label = QLabel(position_text(0, 0))
        self.time_label.setMinimumWidth(120)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip("Audio position: drag to move.")
        self.slower_button = QPushButton("\u2212")
        self.faster_button = QPushButton("+")
        for b in (self.slower_button, self.faster_button):
            b.setFixedWidth(32)
        self.speed_label = QLabel()
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setFixedWidth(90)
        self.volume.setToolTip("Volume")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for w in (self.back_button, self.play_button, self.forward_button, self.time_label):
            row.addWidget(w)
        row.addWidget(self.slider, 1)
        row.addWidget(QLabel("Speed"))
        for w in (self.slower_button, self.speed_label, self.faster_button):
            row.addWidget(w)
        row.addSpacing(12)
        row.addWidget(QLabel("Volume"))
        row.addWidget(self.volume)
        self.slider.sliderMoved.connect(self.seekRequested)
        self.volume.valueChanged.connect(self.volumeChanged)
        self._shown_text = ""

    def show_position(self, ms: int, duration_ms: int) -> None:
        """Called at every position tick: only what changed is redrawn."""
        text = position_text(ms, duration_ms)
        if text != self._shown_text:
            self._shown_text = text
            self.time_label.setText(text)
        if not self.slider.isSliderDown() and self.slider.value() != ms:
            self.slider.setValue(ms)

    def set_duration(self, duration_ms: int) -> None:
        self.slider.setRange(0, max(0, duration_ms))

    def show_playing(self, playing: bool, key: str) -> None:
        label = "\u2016 Pause" if playing else "\u25b6 Play"
        self.play_button.setText(label + (f" ({key})" if key else ""))

    def show_speed(self, speed: float, pitch_kept: bool) -> None:
        pitch = "pitch kept" if pitch_kept else "pitch changes"
        # Say it where it matters: off normal speed, whether voices still sound like themselves.
        self.speed_label.setText(f"{speed:.2f}\u00d7" + ("" if speed == 1.0 else f" ({pitch})"))
        self.speed_label.setToolTip(f"Playback speed ({pitch}).")

    def show_volume(self, percent: int) -> None:
        """The stored volume, shown without reporting it back as a change."""
        self.volume.blockSignals(True)
        self.volume.setValue(percent)
        self.volume.blockSignals(False)

    def show_keys(self, skip_s: float, keys: dict[str, str]) -> None:
        """Button labels and tips name the current keys (`keys`: action id -> native text)."""
        self.back_button.setText(f"\u00ab Back {skip_s:g} s ({keys['skip_back']})")
        self.forward_button.setText(f"Forward {skip_s:g} s \u00bb ({keys['skip_forward']})")
        self.slower_button.setToolTip(f"Slower ({keys['slower']})")
        self.faster_button.setToolTip(f"Faster ({keys['faster']})")

    def set_document_open(self, is_open: bool) -> None:
        for w in (self.play_button, self.back_button, self.forward_button, self.slider):
            w.setEnabled(is_open)
