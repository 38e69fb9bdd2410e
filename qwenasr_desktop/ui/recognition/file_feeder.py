"""Streams a file into real-time sessions a few times faster than real time, on a GUI timer.

Real-time mode with a file instead of the microphone: the same `feed` path as the mic, so the
columns fill live; a second of silence at the end lets the engines close the last utterance.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from ...engines.base import SAMPLE_RATE

BLOCK_S, EVERY_MS = 0.2, 50  # 4x real time


class FileFeeder(QObject):
    block = Signal(object)  # np.ndarray float32, 16 kHz mono
    progress = Signal(float)
    finished = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(EVERY_MS)
        self._timer.timeout.connect(self._next)
        self._samples: np.ndarray | None = None
        self._pos = 0

    def start(self, samples: np.ndarray) -> None:
        self._samples, self._pos = samples, 0
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self._samples = None

    def _next(self) -> None:
        samples = self._samples
        if samples is None:
            self._timer.stop()
            return
        n = int(BLOCK_S * SAMPLE_RATE)
        chunk = samples[self._pos:self._pos + n]
        self._pos += n
        if chunk.size:
            self.block.emit(chunk)
            self.progress.emit(min(1.0, self._pos / len(samples)))
        if self._pos >= len(samples):
            self.stop()
            self.block.emit(np.zeros(SAMPLE_RATE, np.float32))
            self.finished.emit()
