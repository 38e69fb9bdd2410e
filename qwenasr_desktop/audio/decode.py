"""Load any audio file (or array) as 16 kHz mono float32, the one format engines accept.

soundfile reads WAV/FLAC/OGG/MP3 (libsndfile >= 1.1); PyAV, which faster-whisper already
brings, covers the rest (M4A, AAC, video containers). Every failure names the file and the
problem, because "empty", "not audio" and "damaged" need different fixes from the user.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

TARGET_RATE = 16000
# Real recordings are 8 kHz telephone audio up to 384 kHz studio masters. Outside this range the
# header is damaged or hostile: resampling 1 Hz to 16 kHz multiplies the samples 16,000 times
# (with a 512k-tap filter), which hangs the run and exhausts memory for a 3 KB file.
MIN_RATE, MAX_RATE = 1000, 384000
# The polyphase filter has 32 taps per phase and max(up, down) phases. Every common rate
# (8k, 11.025k, 22.05k, 44.1k, 48k, 96k, 352.8k ...) needs at most 441; an odd header rate such
# as 383,999 Hz would need 383,999 phases (a 12M-tap filter, 1.3 GB for a 3 KB file).
MAX_PHASES = 1000


class AudioError(ValueError):
    """The input is not usable audio; the message says why, fit for the user."""


def to_mono(samples: np.ndarray) -> np.ndarray:
    """Average the channels of a [frames, channels] array; 1-D input passes through."""
    a = np.asarray(samples)
    if a.ndim == 2:
        a = a.mean(axis=1) if a.shape[1] > 1 else a[:, 0]
    elif a.ndim != 1:
        raise AudioError(f"Audio must be 1-D (mono) or 2-D (frames x channels), not {a.ndim}-D.")
    return a


def _design_lowpass(up: int, down: int, taps_per_phase: int = 16) -> np.ndarray:
    """Windowed-sinc anti-aliasing filter for polyphase resampling by up/down."""
    cutoff = 0.5 / max(up, down)  # in cycles per sample of the upsampled signal
    n = 2 * taps_per_phase * max(up, down) + 1
    t = np.arange(n) - (n - 1) / 2
    h = 2 * cutoff * np.sinc(2 * cutoff * t) * np.kaiser(n, 8.0)
    return (h * up / h.sum()).astype(np.float64)


def _ratio(rate: int, target: int) -> tuple[int, int]:
    """up/down for rate -> target: exact when both fit in MAX_PHASES, else the nearest ratio
    that does (off by under 0.1 %, a pitch change no listener or recognizer notices)."""
    frac = Fraction(target, rate)
    if max(frac.numerator, frac.denominator) <= MAX_PHASES:
        return frac.numerator, frac.denominator
    if frac >= 1:
        inverse = (1 / frac).limit_denominator(MAX_PHASES)
        return inverse.denominator, inverse.numerator
    near = frac.limit_denominator(MAX_PHASES)
    return near.numerator, near.denominator


def resample(samples: np.ndarray, rate: int, target: int = TARGET_RATE) -> np.ndarray:
    """Polyphase resampling (upsample by L, filter, keep every M-th), in NumPy only.

    Only the output samples are computed: output n needs input taps at (n*M - k) / L, so the
    work is len(out) * len(h) / L multiply-adds, without materialising the upsampled signal.
    """
    x = np.asarray(samples, dtype=np.float64)
    if rate == target or len(x) == 0:
        return x.astype(np.float32)
    up, down = _ratio(rate, target)
    h = _design_lowpass(up, down)
    half = (len(h) - 1) // 2
    n_out = int(np.ceil(len(x) * up / down))
    out = np.empty(n_out, dtype=np.float64)
    # Split h into `up` phases; phase p holds h[p::up].
    phases = [h[p::up] for p in range(up)]
    block = 65536
    for start in range(0, n_out, block):
        n = np.arange(start, min(n_out, start + block))
        pos = n * down + half  # index in the upsampled, filter-delayed signal
        base = pos // up
        phase = pos % up
        acc = np.zeros(len(n))
        for p in np.unique(phase):
            sel = phase == p
            taps = phases[p]
            idx = base[sel][:, None] - np.arange(len(taps))[None, :]
            valid = (idx >= 0) & (idx < len(x))
            vals = np.where(valid, x[np.clip(idx, 0, len(x) - 1)], 0.0)
            acc[sel] = vals @ taps
        out[start:start + len(n)] = acc
    return out.astype(np.float32)


def prepare_array(samples: np.ndarray, rate: int = TARGET_RATE) -> np.ndarray:
    """Any array (int or float, mono or [frames, channels]) to 16 kHz mono float32 in [-1, 1]."""
    a = np.asarray(samples)
    if a.dtype.kind == "i":
        a = a.astype(np.float32) / float(np.iinfo(a.dtype).max + 1)
    elif a.dtype.kind == "u":
        info = np.iinfo(a.dtype)
        a = (a.astype(np.float32) - (info.max + 1) / 2) / ((info.max + 1) / 2)
    elif a.dtype.kind != "f":
        raise AudioError(f"Audio samples must be numbers, not {a.dtype}.")
    a = to_mono(a).astype(np.float32, copy=False)  # scale first: mixing int channels makes floats
    if not np.all(np.isfinite(a)):
        raise AudioError("The audio contains NaN or infinite samples.")
    check_rate(rate)
    return resample(a, rate) if rate != TARGET_RATE else np.ascontiguousarray(a)


def check_rate(rate: int, name: str = "The audio") -> None:
    """Refuse a sample rate no real recording has, before any resampling work is done."""
    if not MIN_RATE <= rate <= MAX_RATE:
        raise AudioError(f"{name} says its sample rate is {rate} Hz; audio must be {MIN_RATE:,} to "
                         f"{MAX_RATE:,} Hz, so the file is probably damaged.")


def _read_soundfile(path: Path) -> tuple[np.ndarray, int]:
    import soundfile as sf

    with sf.SoundFile(str(path)) as f:
        check_rate(f.samplerate, path.name)  # from the header, before decoding anything
        return f.read(dtype="float32", always_2d=True), f.samplerate


def _read_pyav(path: Path) -> tuple[np.ndarray, int]:
    import av

    chunks = []
    with av.open(str(path)) as container:
        if not container.streams.audio:
            raise AudioError(f"{path.name} contains no audio stream.")
        check_rate(container.streams.audio[0].rate or 0, path.name)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=TARGET_RATE)
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1))
    data = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
    return data[:, None], TARGET_RATE


def check_file(p: Path) -> None:
    """The problems a path can have before any decoding (the whole-file and the block reader's)."""
    if not p.exists():
        raise AudioError(f"The audio file {p} does not exist.")
    if p.is_dir():
        raise AudioError(f"{p} is a folder, not an audio file.")
    if p.stat().st_size == 0:
        raise AudioError(f"The audio file {p.name} is empty (0 bytes).")


def load_audio(path: str | Path) -> np.ndarray:
    """Read a file as 16 kHz mono float32. Raises AudioError with a message naming the problem."""
    p = Path(path)
    check_file(p)
    try:
        data, rate = _read_soundfile(p)
    except AudioError:
        raise
    except Exception as sf_error:  # libsndfile cannot read it: try FFmpeg through PyAV
        try:
            data, rate = _read_pyav(p)
        except AudioError:
            raise
        except Exception:
            raise AudioError(f"{p.name} is not a readable audio file, or it is damaged "
                             f"({sf_error}).") from None
    if len(data) == 0:
        raise AudioError(f"The audio file {p.name} contains no samples.")
    return prepare_array(data, rate)
