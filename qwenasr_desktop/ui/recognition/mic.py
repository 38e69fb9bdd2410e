"""Microphone capture for the panel: PortAudio callback -> queue -> GUI timer -> WAV on disk + signal.

A thin stand-in for the audio helper's capture/recorder modules (not on this branch yet), kept
to the same rules: the PortAudio callback only copies the block into a queue; a ~20 ms QTimer on
the GUI thread drains it, appends it to the WAV file (flushed, so a crash loses nothing already
heard) and emits it at 16 kHz mono. Devices that cannot record at 16 kHz are recorded at their
own rate and resampled block by block.
"""

from __future__ import annotations

import queue
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from ...engines.base import SAMPLE_RATE

DRAIN_MS = 20


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    default_rate: int


def input_devices() -> list[InputDevice]:
    """Devices that can record; empty (not an exception) when PortAudio finds no sound system."""
    try:
        import sounddevice as sd

        return [InputDevice(i, d["name"], int(d["default_samplerate"]))
                for i, d in enumerate(sd.query_devices()) if d["max_input_channels"] > 0]
    except Exception:
        return []


def default_input_index() -> int | None:
    try:
        import sounddevice as sd

        idx = sd.default.device[0]
        return int(idx) if idx is not None and idx >= 0 else None
    except Exception:
        return None


class MicCapture(QObject):
    audio = Signal(object)  # np.ndarray float32, 16 kHz mono
    level = Signal(float)  # peak of the last drain, dBFS
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._timer = QTimer(self)
        self._timer.setInterval(DRAIN_MS)
        self._timer.timeout.connect(self._drain)
        self._stream = None
        self._file = None
        self._rate = SAMPLE_RATE
        self.samples_written = 0
        self.path: Path | None = None
        self.paused = False

    @property
    def elapsed_s(self) -> float:
        return self.samples_written / SAMPLE_RATE

    @property
    def running(self) -> bool:
        return self._stream is not None

    def start(self, device: int | None, path: Path) -> None:
        import sounddevice as sd
        import soundfile as sf

        try:
            sd.check_input_settings(device=device, samplerate=SAMPLE_RATE, channels=1, dtype="float32")
            self._rate = SAMPLE_RATE
        except Exception:
            self._rate = int(sd.query_devices(device, "input")["default_samplerate"])
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = sf.SoundFile(str(path), "w", SAMPLE_RATE, 1, "PCM_16", format="WAV")
        self.path, self.samples_written, self.paused = path, 0, False
        q = self._queue

        def callback(indata, frames, time, status) -> None:  # PortAudio thread: copy and go
            q.put(indata[:, 0].copy())

        try:
            self._stream = sd.InputStream(device=device, samplerate=self._rate, channels=1,
                                          dtype="float32", blocksize=self._rate // 20, callback=callback)
            self._stream.start()
        except Exception as e:
            self._close_file()
            self._stream = None
            raise RuntimeError(f"Cannot open the microphone: {e}") from e
        self._timer.start()

    def pause(self, paused: bool) -> None:
        """Paused audio is neither recorded nor recognized."""
        if self._stream is None:
            return
        self.paused = paused
        if paused:
            self._stream.stop()
            self._drain()
        else:
            self._stream.start()

    def stop(self) -> Path | None:
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None
        self._drain()
        self._timer.stop()
        self._close_file()
        return self.path

    def _close_file(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _drain(self) -> None:
        blocks = []
        while True:
            try:
                blocks.append(self._queue.get_nowait())
            except queue.Empty:
                break
        if not blocks:
            return
        block = np.concatenate(blocks)
        if self._rate != SAMPLE_RATE:
            from ...audio.decode import resample

            block = resample(block, self._rate, SAMPLE_RATE).astype(np.float32)
        if self._file is not None:
            self._file.write(block)
            self._file.flush()
        self.samples_written += len(block)
        peak = float(np.max(np.abs(block))) if block.size else 0.0
        self.level.emit(20 * np.log10(max(peak, 1e-6)))
        self.audio.emit(block)
