"""Sample-rate conversion and down-mixing to the 16 kHz mono float32 the recognizers want.

Pure numpy (no SciPy dependency): a rational polyphase resampler with a Kaiser-windowed sinc
low-pass. It is *streaming*: `StreamResampler.process` can be fed blocks of any size and keeps the
filter history between calls, so a microphone drained every 10 ms gives exactly the samples a
one-shot conversion of the whole recording would give (no clicks at block boundaries). That is why
it is not a per-block `np.interp`, which aliases and restarts its phase on every block.
"""

from __future__ import annotations

from fractions import Fraction
from math import ceil

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

TARGET_RATE = 16_000
_CHUNK = 8192  # outputs computed per step in _emit


def to_mono(samples: np.ndarray) -> np.ndarray:
    """Average the channels of a (frames, channels) array; 1-D input is returned as float32."""
    a = np.asarray(samples)
    if a.ndim == 1:
        return a.astype(np.float32, copy=False)
    if a.ndim != 2:
        raise ValueError(f"audio must be 1-D (frames) or 2-D (frames, channels), got shape {a.shape}")
    if a.shape[1] == 1:
        return a[:, 0].astype(np.float32, copy=False)
    return a.mean(axis=1, dtype=np.float64).astype(np.float32)


def _design_polyphase(up: int, down: int, zero_crossings: int, rolloff: float,
                      beta: float) -> tuple[np.ndarray, int]:
    """Weights[phase, tap] for output phases 0..up-1 and the half-width in input samples.

    Output sample k sits at input position k*down/up = base + phase/up. Its value is
    sum_j x[base + j] * h(j - phase/up) for j in [-half+1, half], where h is a sinc low-pass at
    `rolloff` times the lower of the two Nyquist frequencies (in input-sample units).
    """
    cutoff = min(1.0, up / down) * rolloff  # fraction of the input Nyquist
    half = ceil(zero_crossings / cutoff)
    taps = np.arange(-half + 1, half + 1, dtype=np.float64)
    phases = np.arange(up, dtype=np.float64)[:, None] / up
    d = taps[None, :] - phases  # distance in input samples
    window = np.kaiser(2 * half + 1, beta)  # sampled on integer grid; interpolate for fractions
    w = np.interp(d, np.arange(-half, half + 1, dtype=np.float64), window, left=0.0, right=0.0)
    h = cutoff * np.sinc(cutoff * d) * w
    h /= h.sum(axis=1, keepdims=True)  # unit DC gain for every phase
    return h.astype(np.float32), half


class StreamResampler:
    """Convert a mono stream from `in_rate` to `out_rate` block by block.

    Call `process(block)` for each block and `flush()` once at the end (it pads the tail with zeros
    so the last input samples are emitted). Memory held between calls is a few dozen samples.
    """

    def __init__(self, in_rate: int, out_rate: int = TARGET_RATE, *, zero_crossings: int = 16,
                 rolloff: float = 0.92, beta: float = 8.0) -> None:
        if in_rate <= 0 or out_rate <= 0:
            raise ValueError(f"sample rates must be positive, got {in_rate} -> {out_rate}")
        ratio = Fraction(out_rate, in_rate)
        self.in_rate, self.out_rate = in_rate, out_rate
        self.up, self.down = ratio.numerator, ratio.denominator
        self.passthrough = self.up == self.down
        if not self.passthrough:
            self._h, self._half = _design_polyphase(self.up, self.down, zero_crossings, rolloff, beta)
        else:
            self._h, self._half = np.ones((1, 1), np.float32), 0
        # _buf holds input samples starting at absolute input index _buf_start.
        self._buf = np.zeros(0, np.float32)
        self._buf_start = -(self._half - 1) if self._half else 0  # virtual zeros before t=0
        if self._half:
            self._buf = np.zeros(self._half - 1, np.float32)
        self._next_out = 0  # index of the next output sample
        self._flushed = False

    def process(self, block: np.ndarray) -> np.ndarray:
        """Feed mono float samples; returns every output sample that is now fully determined."""
        x = np.asarray(block, dtype=np.float32)
        if x.ndim != 1:
            raise ValueError(f"StreamResampler takes mono 1-D blocks, got shape {x.shape}")
        if self._flushed:
            raise RuntimeError("StreamResampler.process called after flush()")
        if self.passthrough:
            return x.copy()
        self._buf = np.concatenate([self._buf, x]) if self._buf.size else x.copy()
        return self._emit()

    def flush(self) -> np.ndarray:
        """Emit the tail (pads zeros after the last sample). The resampler cannot be fed after it."""
        if self._flushed or self.passthrough:
            self._flushed = True
            return np.zeros(0, np.float32)
        total_in = self._buf_start + self._buf.size  # absolute count of real input samples
        total_out = (total_in * self.up + self.down - 1) // self.down  # ceil(total_in * up / down)
        self._buf = np.concatenate([self._buf, np.zeros(self._half, np.float32)])
        out = self._emit(limit=total_out)
        self._flushed = True
        return out

    def _emit(self, limit: int | None = None) -> np.ndarray:
        up, down, half = self.up, self.down, self._half
        end = self._buf_start + self._buf.size  # absolute index one past the last buffered sample
        # Output k needs input up to base(k) + half, base(k) = floor(k*down/up).
        # Largest k with base(k) + half <= end - 1:  k*down <= (end - 1 - half) * up + up - 1.
        last = ((end - half) * up - 1) // down
        if limit is not None:
            last = min(last, limit - 1)
        k = np.arange(self._next_out, last + 1, dtype=np.int64)
        if k.size == 0:
            return np.zeros(0, np.float32)
        pos = k * down
        start = pos // up - half + 1 - self._buf_start  # buffer index of each output's first tap
        phase = pos % up
        windows = sliding_window_view(self._buf, 2 * half)  # a view: row i = _buf[i:i + 2*half]
        out = np.empty(k.size, np.float32)
        for a in range(0, k.size, _CHUNK):  # bounded temporaries, cache-sized: ~60x faster on files
            s = slice(a, a + _CHUNK)
            out[s] = np.einsum("ij,ij->i", windows[start[s]], self._h[phase[s]])
        self._next_out = int(k[-1]) + 1
        # Drop input that no future output needs.
        next_base = (self._next_out * down) // up
        keep_from = next_base - half + 1
        drop = keep_from - self._buf_start
        if drop > 0:
            self._buf = self._buf[drop:]
            self._buf_start = keep_from
        return out


def resample(samples: np.ndarray, in_rate: int, out_rate: int = TARGET_RATE) -> np.ndarray:
    """One-shot conversion of a whole mono signal (same filter as the streaming path)."""
    r = StreamResampler(in_rate, out_rate)
    head = r.process(to_mono(samples))
    return np.concatenate([head, r.flush()])


def to_16k_mono(samples: np.ndarray, rate: int) -> np.ndarray:
    """Down-mix and resample anything to 16 kHz mono float32."""
    return resample(to_mono(samples), rate, TARGET_RATE)
