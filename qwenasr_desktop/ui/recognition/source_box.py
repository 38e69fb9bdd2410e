"""Where the audio comes from: an opened (or dropped) file, or the microphone, and the mode."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QRadioButton,
    QWidget,
)

from ...core.models import Mode
from ...core.transcript import clock
from .level_meter import LevelMeter
from .mic import input_devices

AUDIO_FILTER = "Audio files (*.wav *.flac *.ogg *.opus *.mp3 *.m4a *.aac);;All files (*)"
AUDIO_SUFFIXES = {".wav", ".flac", ".ogg", ".opus", ".mp3", ".m4a", ".aac"}


class SourceBox(QGroupBox):
    fileChosen = Signal(str)
    modeChanged = Signal(object)  # Mode
    recordClicked = Signal()
    pauseToggled = Signal(bool)
    stopClicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("1. Audio", parent)
        self.file_mode = QRadioButton("File: whole file at once")
        self.live_mode = QRadioButton("Real-time: live text while it plays or you speak")
        self.file_mode.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.file_mode)
        group.addButton(self.live_mode)
        self.file_mode.toggled.connect(lambda _: self.modeChanged.emit(self.mode))
        self.open_button = QPushButton("Open…")
        self.open_button.setToolTip("Open an audio file (or drop one on the window)")
        self.open_button.clicked.connect(self._choose_file)
        self.file_label = QLabel("none yet: Open… one, or drop it on the window.")
        self.file_label.setWordWrap(True)
        self.device = QComboBox()
        self.device.setToolTip("Microphone")
        self.reload_devices()
        self.record = QPushButton("● Record")
        self.pause = QPushButton("Pause")
        self.pause.setCheckable(True)
        self.stop = QPushButton("■ Stop")
        self.record.clicked.connect(self.recordClicked)
        self.pause.toggled.connect(self.pauseToggled)
        self.stop.clicked.connect(self.stopClicked)
        self.meter = LevelMeter()
        self.elapsed = QLabel("00:00")
        self._layout()
        self.set_recording(False)

    def _layout(self) -> None:
        """Open, Record, Pause and Stop are not laid out here: the page puts them in its toolbar."""
        grid = QGridLayout(self)
        grid.addWidget(QLabel("Audio:"), 0, 0)
        grid.addWidget(self.file_label, 0, 1, 1, 2)
        grid.addWidget(self.file_mode, 1, 0, 1, 3)
        grid.addWidget(self.live_mode, 2, 0, 1, 3)
        grid.addWidget(QLabel("Microphone:"), 3, 0)
        grid.addWidget(self.device, 3, 1, 1, 2)
        grid.addWidget(self.meter, 4, 0, 1, 2)
        grid.addWidget(self.elapsed, 4, 2)
        grid.setColumnStretch(1, 1)

    @property
    def mode(self) -> Mode:
        return Mode.FILE if self.file_mode.isChecked() else Mode.REALTIME

    def reload_devices(self) -> None:
        self.device.clear()
        devices = input_devices()
        for d in devices:
            self.device.addItem(d.label, d.index)
            if d.is_default:
                self.device.setCurrentIndex(self.device.count() - 1)
        if not devices:
            self.device.addItem("No microphone found", None)

    def device_index(self) -> int | None:
        return self.device.currentData()

    def set_file(self, path: str) -> None:
        self.file_label.setText(Path(path).name)
        self.file_label.setToolTip(path)

    def set_recording(self, recording: bool) -> None:
        has_device = self.device.currentData() is not None
        self.record.setEnabled(not recording and has_device)
        self.pause.setEnabled(recording)
        self.stop.setEnabled(recording)
        self.device.setEnabled(not recording)
        self.open_button.setEnabled(not recording)
        if not recording:
            self.pause.setChecked(False)
            self.meter.set_level(None)

    def set_elapsed(self, seconds: float) -> None:
        self.elapsed.setText(clock(int(seconds * 1000)))

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open audio file", "", AUDIO_FILTER)
        if path:
            self.fileChosen.emit(path)
