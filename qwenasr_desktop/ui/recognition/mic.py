"""The microphone for the panel: audio.capture + audio.recorder, drained by a GUI timer.

The capture's PortAudio callback only copies into a ring buffer; this QTimer (20 ms) drains it,
writes the block to the session's WAV file before anything else (a crash loses nothing already
heard) and hands the 16 kHz mono samples on as a signal.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from ...audio.capture import CaptureState, MicCapture
from ...audio.devices import AudioDeviceError, InputDevice, list_input_devices
from ...audio.recorder import MicRecording, WavRecorder

DRAIN_MS = 20


def input_devices() -> list[InputDevice]:
    """Devices that can record; empty (not an exception) when there is no sound system."""
    try:
        return list_input_devices()
    except AudioDeviceError:
        return []


class MicSource(QObject):
    audio = Signal(object)  # np.ndarray float32, 16 kHz mono
    level = Signal(float)  # peak dBFS of the last drain
    warning = Signal(str)  # audio was lost, the device went away

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(DRAIN_MS)
        self._timer.timeout.connect(self._drain)
        self._rec: MicRecording | None = None
        self.path: Path | None = None
        self.elapsed_s = 0.0

    @property
    def running(self) -> bool:
        return self._rec is not None

    def start(self, device: int | None, path: Path) -> None:
        """Raises AudioDeviceError with a message fit for the user."""
        rec = MicRecording(MicCapture(device), WavRecorder(path))
        try:
            rec.start()
        except Exception:
            rec.recorder.close()
            raise
        self._rec, self.path, self.elapsed_s = rec, path, 0.0
        self._timer.start()

    def pause(self, paused: bool) -> None:
        """Paused audio is neither recorded nor recognized."""
        if self._rec is None:
            return
        if paused:
            self._rec.pause()
            self._drain()
        else:
            self._rec.resume()

    def stop(self) -> Path | None:
        if self._rec is None:
            return self.path
        self._timer.stop()
        self._drain()
        rec, self._rec = self._rec, None
        capture = rec.capture
        tail = capture.stop() if capture.state is not CaptureState.STOPPED else None
        if tail is not None and tail.samples.size:
            rec.recorder.write(tail.samples)
            self.audio.emit(tail.samples)
        rec.recorder.close()
        return self.path

    def _drain(self) -> None:
        if self._rec is None:
            return
        block = self._rec.poll()
        self.elapsed_s = self._rec.elapsed_s
        if block.new_loss and block.loss_message:
            self.warning.emit(block.loss_message)
        if block.samples.size:
            self.level.emit(block.peak_dbfs)
            self.audio.emit(block.samples)
        if self._rec.capture.state is CaptureState.RUNNING and not self._rec.capture.is_active:
            self.warning.emit("The microphone stopped delivering audio (unplugged, or the sound "
                              "server went away). What was recorded so far is saved.")
