"""Microphone capture: a PortAudio callback that only copies, and a drain step that does the rest.

The real-time rule (Friture's design): the PortAudio callback runs on the audio thread with a hard
deadline, so it does nothing but copy the block into a preallocated ring (`RingBuffer.write`). The
UI drains the ring on a timer (~10-20 ms) with `MicCapture.drain()`, which down-mixes, resamples to
16 kHz mono float32 and measures the level. Nothing here imports Qt.

Why a preallocated numpy ring and not `queue.SimpleQueue` of copies: the ring allocates nothing
per block (a queue needs `indata.copy()` each time), its memory is bounded (a stalled GUI cannot
make the queue grow without limit), and "full" is a precise, countable event: frames that do not
fit are dropped *and counted*, never silently lost. It is single-producer/single-consumer: the
callback is the only writer of `_write` and `_dropped`, the drain the only writer of `_read`, and
each index is published (one attribute store, atomic under the GIL) only after the copy it covers
is complete, so no lock is taken on the audio thread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from .devices import AudioDeviceError, InputDevice, find_input_device, sounddevice
from .resample import TARGET_RATE, StreamResampler, to_mono

DB_FLOOR = -120.0  # dBFS reported for digital silence


class RingBuffer:
    """Lock-free single-producer/single-consumer ring of float32 frames, shape (frames, channels).

    `_write` and `_read` count frames since creation (they never wrap), so `_write - _read` is
    the fill level and the slot of frame i is `i % capacity`. When the ring is full the *newest*
    frames are dropped: dropping the oldest would need the producer to move `_read`, which only
    the consumer may touch.
    """

    def __init__(self, capacity: int, channels: int = 1) -> None:
        if capacity < 1 or channels < 1:
            raise ValueError(f"ring capacity and channels must be >= 1, got {capacity}, {channels}")
        self._data = np.zeros((capacity, channels), dtype=np.float32)
        self.capacity = capacity
        self.channels = channels
        self._write = 0  # frames written; only the producer assigns it
        self._read = 0  # frames read; only the consumer assigns it
        self._dropped = 0  # frames that did not fit; only the producer assigns it

    # -- producer side (audio thread) --------------------------------------------------------
    def write(self, block: np.ndarray) -> int:
        """Copy `block` (frames, channels) in; returns frames stored. Allocation-free."""
        n = len(block)
        w = self._write
        free = self.capacity - (w - self._read)
        if n > free:
            self._dropped += n - free
            n = free
            if n == 0:
                return 0
        start = w % self.capacity
        first = min(n, self.capacity - start)
        self._data[start:start + first] = block[:first]
        if n > first:
            self._data[:n - first] = block[first:n]
        self._write = w + n  # publish only after the copy is complete
        return n

    # -- consumer side (drain) ---------------------------------------------------------------
    def read(self, max_frames: int | None = None) -> np.ndarray:
        """Move out everything available (or at most `max_frames`) as a new (n, channels) array."""
        r = self._read
        n = self._write - r
        if max_frames is not None:
            n = min(n, max_frames)
        out = np.empty((n, self.channels), dtype=np.float32)
        if n:
            start = r % self.capacity
            first = min(n, self.capacity - start)
            out[:first] = self._data[start:start + first]
            if n > first:
                out[first:] = self._data[:n - first]
            self._read = r + n  # free the slots only after copying them out
        return out

    @property
    def available(self) -> int:
        return self._write - self._read

    @property
    def free(self) -> int:
        return self.capacity - (self._write - self._read)

    @property
    def dropped(self) -> int:
        """Frames lost because the consumer fell behind (the ring was full)."""
        return self._dropped


def level_dbfs(samples: np.ndarray) -> tuple[float, float]:
    """(RMS, peak) of float samples in dBFS (full scale = 1.0), floored at `DB_FLOOR`."""
    if samples.size == 0:
        return DB_FLOOR, DB_FLOOR
    x = samples.astype(np.float64, copy=False)
    rms = math.sqrt(float(np.mean(x * x)))
    peak = float(np.max(np.abs(x)))
    return to_dbfs(rms), to_dbfs(peak)


def to_dbfs(v: float) -> float:
    return max(DB_FLOOR, 20.0 * math.log10(v)) if v > 0 else DB_FLOOR


class CaptureState(StrEnum):
    IDLE = "idle"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


@dataclass(frozen=True)
class CapturedBlock:
    """What one drain produced: 16 kHz mono float32 samples plus meters and loss counters.

    `rms_dbfs`/`peak_dbfs` are None when no audio arrived since the last drain, so a level meter
    can keep its last value instead of flickering to zero between device blocks.
    """

    samples: np.ndarray
    rms_dbfs: float | None
    peak_dbfs: float | None
    total_frames: int  # 16 kHz frames delivered since start, this block included
    dropped_frames: int  # device-rate frames lost to a full ring, since start
    input_overflows: int  # callbacks where PortAudio reported an input overflow, since start
    new_loss: bool  # True if either counter grew during this drain interval

    @property
    def elapsed_s(self) -> float:
        return self.total_frames / TARGET_RATE

    @property
    def loss_message(self) -> str | None:
        """A sentence for the UI when audio was lost, else None."""
        if not (self.dropped_frames or self.input_overflows):
            return None
        parts = []
        if self.dropped_frames:
            parts.append(f"{self.dropped_frames} samples were dropped because the app did not "
                         "collect audio fast enough")
        if self.input_overflows:
            parts.append(f"the sound system reported {self.input_overflows} input overflow(s)")
        return "Audio was lost during recording: " + "; ".join(parts) + "."


@dataclass(frozen=True)
class StreamFormat:
    samplerate: int
    channels: int


class MicCapture:
    """Record from one input device; drained by the caller, never blocks it.

    Usage (the UI does this from a QTimer):
        cap = MicCapture(device=None)   # default device
        cap.start()
        block = cap.drain()             # every ~10-20 ms: samples, levels, loss counters
        cap.pause(); cap.resume()
        last = cap.stop()               # the final samples (resampler tail included)
    """

    def __init__(self, device: int | str | InputDevice | None = None, *, target_rate: int = TARGET_RATE,
                 buffer_seconds: float = 10.0, latency: str | float = "high",
                 blocksize: int = 0, prefer: StreamFormat | None = None) -> None:
        """`prefer`: a device format to try before 16 kHz mono (e.g. a device whose 16 kHz mode
        is poor); the drain converts whatever the device delivers to `target_rate` mono."""
        self._device_key = device
        self.prefer = prefer
        self.target_rate = target_rate
        self.buffer_seconds = buffer_seconds
        self.latency = latency
        self.blocksize = blocksize
        self.device: InputDevice | None = None
        self.format: StreamFormat | None = None
        self.state = CaptureState.IDLE
        self._stream: Any = None
        self._ring: RingBuffer | None = None
        self._resampler: StreamResampler | None = None
        self._input_overflows = 0  # written by the callback only
        self._seen_dropped = 0
        self._seen_overflows = 0
        self._total = 0

    # -- the audio-thread callback: copy and count, nothing else -----------------------------
    def _callback(self, indata: np.ndarray, frames: int, time: Any, status: Any) -> None:
        if status.input_overflow:
            self._input_overflows += 1
        self._ring.write(indata)  # type: ignore[union-attr]

    # -- control -----------------------------------------------------------------------------
    def _choose_format(self, sd: Any, dev: InputDevice) -> StreamFormat:
        """16 kHz mono if the device takes it (PulseAudio/PipeWire do), else its native rate
        (resampled in `drain`), mono if possible."""
        candidates = [*([self.prefer] if self.prefer else []),
                      StreamFormat(self.target_rate, 1),
                      StreamFormat(int(dev.default_samplerate), 1),
                      StreamFormat(int(dev.default_samplerate), min(2, dev.channels)),
                      StreamFormat(int(dev.default_samplerate), dev.channels)]
        errors = []
        for f in dict.fromkeys(candidates):
            try:
                sd.check_input_settings(device=dev.index, channels=f.channels, dtype="float32",
                                        samplerate=f.samplerate)
                return f
            except Exception as exc:  # sounddevice raises PortAudioError or ValueError
                errors.append(f"{f.samplerate} Hz x{f.channels}: {exc}")
        raise AudioDeviceError(f"The microphone {dev.name!r} accepts none of the formats tried "
                               f"({'; '.join(errors)}).")

    def _prepare(self, fmt: StreamFormat) -> None:
        """Allocate the ring and the resampler for `fmt` (before the stream exists, so the
        callback never sees them missing)."""
        self._ring = RingBuffer(max(1, int(fmt.samplerate * self.buffer_seconds)), fmt.channels)
        self._resampler = StreamResampler(fmt.samplerate, self.target_rate)
        self.format = fmt

    def start(self) -> None:
        if self.state is not CaptureState.IDLE:
            raise RuntimeError(f"capture already used (state {self.state}); make a new MicCapture")
        sd = sounddevice()
        dev = (self._device_key if isinstance(self._device_key, InputDevice)
               else find_input_device(self._device_key))
        fmt = self._choose_format(sd, dev)
        self._prepare(fmt)
        try:
            self._stream = sd.InputStream(device=dev.index, samplerate=fmt.samplerate,
                                          channels=fmt.channels, dtype="float32",
                                          blocksize=self.blocksize, latency=self.latency,
                                          callback=self._callback)
            self._stream.start()
        except Exception as exc:
            self._close_stream()
            raise AudioDeviceError(f"Could not open the microphone {dev.name!r}: {exc}") from exc
        self.device = dev
        self.state = CaptureState.RUNNING

    def pause(self) -> None:
        """Stop the device (the OS mic indicator goes off); buffered audio can still be drained."""
        if self.state is CaptureState.RUNNING:
            self._stream.stop()
            self.state = CaptureState.PAUSED

    def resume(self) -> None:
        if self.state is CaptureState.PAUSED:
            self._stream.start()
            self.state = CaptureState.RUNNING

    def stop(self) -> CapturedBlock:
        """Close the device and return everything still buffered, resampler tail included."""
        if self.state in (CaptureState.RUNNING, CaptureState.PAUSED):
            self._close_stream()
            self.state = CaptureState.STOPPED
            return self._drain(final=True)
        return self._drain(final=False) if self._ring is not None else self._empty_block()

    def _close_stream(self) -> None:
        if self._stream is not None:
            try:
                self._stream.stop()
            finally:
                self._stream.close()
                self._stream = None

    def __enter__(self) -> MicCapture:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- consumer side -------------------------------------------------------------------------
    @property
    def is_active(self) -> bool:
        """False if the stream died under us (device unplugged, server gone) while running."""
        return self._stream is not None and bool(self._stream.active)

    def drain(self) -> CapturedBlock:
        """Collect what the callback buffered since the last call. Cheap; call it on a timer."""
        if self._ring is None:
            return self._empty_block()
        return self._drain(final=False)

    def _drain(self, *, final: bool) -> CapturedBlock:
        raw = self._ring.read()  # type: ignore[union-attr]
        mono = to_mono(raw)
        out = self._resampler.process(mono)  # type: ignore[union-attr]
        if final:
            tail = self._resampler.flush()  # type: ignore[union-attr]
            if tail.size:
                out = np.concatenate([out, tail])
        self._total += len(out)
        dropped, overflows = self._ring.dropped, self._input_overflows  # type: ignore[union-attr]
        new_loss = dropped != self._seen_dropped or overflows != self._seen_overflows
        self._seen_dropped, self._seen_overflows = dropped, overflows
        rms, peak = level_dbfs(out) if out.size else (None, None)
        return CapturedBlock(out, rms, peak, self._total, dropped, overflows, new_loss)

    def _empty_block(self) -> CapturedBlock:
        return CapturedBlock(np.zeros(0, np.float32), None, None, self._total, 0, 0, False)
