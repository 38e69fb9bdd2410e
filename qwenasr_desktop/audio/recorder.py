"""Write captured audio to a WAV file in the session folder *while* it is captured.

A crash, a kill or a dropped cloud connection must not lose what was already heard, so the file is
a valid WAV at every flush: the RIFF and data chunk sizes in the header are rewritten each time
audio is written out. The standard library's `wave` writer does exactly that (`writeframes` patches
the header whenever the data length changed; its seeks also push Python's buffer to the OS), which
is why it is used here rather than soundfile: libsndfile only rewrites the header on close unless a
command soundfile does not expose is sent. The file is 16-bit PCM, 16 kHz, mono — what the cloud
and the offline engine want, and what soundfile and every player read back.

Samples are buffered in memory for at most `flush_interval` seconds of audio, so a kill loses at
most that much; `fsync=True` also survives a power cut at the cost of one fsync per flush.
"""

from __future__ import annotations

import os
import wave
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .resample import TARGET_RATE

if TYPE_CHECKING:
    from .capture import CapturedBlock, MicCapture

_MAX_DATA_BYTES = 0xFFFF_FFFF - 36  # RIFF sizes are 32-bit: about 37 h of 16 kHz mono 16-bit


class RecorderError(RuntimeError):
    pass


def float_to_pcm16(samples: np.ndarray) -> np.ndarray:
    """float32 in [-1, 1] -> int16, clipping out-of-range values instead of wrapping them."""
    x = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0)
    return np.round(x * 32767.0).astype("<i2")


def new_recording_path(session_dir: Path, stem: str = "recording") -> Path:
    """A fresh `stem-YYYYmmdd-HHMMSS[-n].wav` inside `session_dir` (created if needed)."""
    session_dir = Path(session_dir)
    session_dir.mkdir(parents=True, exist_ok=True)
    base = f"{stem}-{datetime.now():%Y%m%d-%H%M%S}"
    path = session_dir / f"{base}.wav"
    n = 1
    while path.exists():
        n += 1
        path = session_dir / f"{base}-{n}.wav"
    return path


class WavRecorder:
    """Append-only mono WAV writer whose file is readable after every flush.

    `write()` takes float32 samples (a `CapturedBlock.samples`); `elapsed_s` counts the audio
    accepted so far (the recording's length, independent of wall-clock pauses).
    """

    def __init__(self, path: Path | str, *, samplerate: int = TARGET_RATE, flush_interval: float = 0.25,
                 fsync: bool = False) -> None:
        self.path = Path(path)
        self.samplerate = samplerate
        self.fsync = fsync
        self._flush_frames = max(1, int(flush_interval * samplerate))
        self._pending: list[np.ndarray] = []
        self._pending_frames = 0
        self._frames = 0  # accepted (written + pending)
        self._written = 0  # on disk, header included
        self._fh = open(self.path, "xb")  # never overwrite an earlier recording  # noqa: SIM115
        try:
            self._wav = wave.open(self._fh, "wb")  # noqa: SIM115 - lives as long as the recorder
            self._wav.setnchannels(1)
            self._wav.setsampwidth(2)
            self._wav.setframerate(samplerate)
            self._wav.writeframes(b"")  # header now, so even an empty recording is a valid file
            self._sync()
        except Exception:
            self._fh.close()
            raise
        self.closed = False

    @classmethod
    def in_session(cls, session_dir: Path | str, stem: str = "recording", **kwargs) -> WavRecorder:
        return cls(new_recording_path(Path(session_dir), stem), **kwargs)

    @property
    def frames(self) -> int:
        return self._frames

    @property
    def frames_on_disk(self) -> int:
        return self._written

    @property
    def elapsed_s(self) -> float:
        return self._frames / self.samplerate

    def write(self, samples: np.ndarray) -> None:
        if self.closed:
            raise RecorderError(f"recording {self.path.name} is already closed")
        x = np.asarray(samples)
        if x.ndim != 1:
            raise RecorderError(f"the recorder takes mono 1-D samples, got shape {x.shape}")
        if not x.size:
            return
        if (self._frames + x.size) * 2 > _MAX_DATA_BYTES:
            raise RecorderError("the recording reached the WAV size limit (4 GB, about 37 hours); "
                                "stop and start a new one")
        self._pending.append(float_to_pcm16(x))
        self._pending_frames += x.size
        self._frames += x.size
        if self._pending_frames >= self._flush_frames:
            self.flush()

    def flush(self) -> None:
        """Write pending audio and rewrite the header sizes, so the file on disk is complete."""
        if self.closed or not self._pending:
            return
        data = np.concatenate(self._pending)
        self._pending.clear()
        self._pending_frames = 0
        self._wav.writeframes(data.tobytes())  # patches RIFF/data sizes, seeks flush the buffer
        self._written += data.size
        self._sync()

    def _sync(self) -> None:
        self._fh.flush()
        if self.fsync:
            os.fsync(self._fh.fileno())

    def close(self) -> Path:
        if not self.closed:
            try:
                self.flush()
                self._wav.close()  # does not close a file object it did not open
            finally:
                self._fh.close()
                self.closed = True
        return self.path

    def __enter__(self) -> WavRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class MicRecording:
    """A capture wired to a recorder: one `poll()` per UI timer tick drains, writes and reports.

    Keeps the glue (and its ordering: write before reporting) out of the widget code.
    """

    def __init__(self, capture: MicCapture, recorder: WavRecorder) -> None:
        self.capture = capture
        self.recorder = recorder

    def start(self) -> None:
        self.capture.start()

    def poll(self) -> CapturedBlock:
        """Drain the capture into the file; returns the `CapturedBlock` for meters and warnings."""
        block = self.capture.drain()
        self.recorder.write(block.samples)
        return block

    def pause(self) -> None:
        self.capture.pause()
        self.recorder.flush()

    def resume(self) -> None:
        self.capture.resume()

    def stop(self) -> Path:
        """Stop the device, write the last samples and close the file; returns its path."""
        try:
            block = self.capture.stop()
            self.recorder.write(block.samples)
        finally:
            path = self.recorder.close()
        return path

    @property
    def elapsed_s(self) -> float:
        return self.recorder.elapsed_s
