"""Turning the bytes clients send into 16 kHz mono float32, as the local engine wants.

Real-time tasks carry `pcm` (s16le) or `wav` (a RIFF header, then s16le) in arbitrary chunks;
file and flash requests carry whole files that soundfile can read. Anything else is refused with
a message naming the format, as the cloud refuses formats it cannot decode.

Headers are untrusted: a rate of 0 divides by zero and a rate of 1 Hz upsamples 16,000-fold (one
8 KB frame once cost 2 GB), so rate, channels and sample width are checked against what the
protocol allows before a single sample is decoded, and the decoded size is bounded.
"""

from __future__ import annotations

import io
import struct

import numpy as np
import soundfile as sf

TARGET_RATE = 16000
STREAM_FORMATS = ("pcm", "wav")
MIN_RATE, MAX_RATE = 8000, 48000  # real-time sample_rate range the emulator accepts
FILE_MIN_RATE, FILE_MAX_RATE = 8000, 192000  # header rates of whole files
MAX_CHANNELS = 16
MAX_FILE_SECONDS = 3 * 3600  # decoded length of one file (the cloud allows long files; RAM does not)


class AudioFormatError(ValueError):
    pass


class AudioTooLong(AudioFormatError):
    def __init__(self, seconds: float, limit: float) -> None:
        super().__init__(f"The audio is {seconds:.0f} s long; at most {limit:.0f} s is accepted here.")
        self.seconds = seconds


def check_rate(rate: object, low: int = MIN_RATE, high: int = MAX_RATE, what: str = "sample rate") -> int:
    if isinstance(rate, bool) or not isinstance(rate, int) or not low <= rate <= high:
        raise AudioFormatError(f"The {what} {rate!r:.20} Hz is not supported; use {low} to {high} Hz.")
    return rate


def check_channels(channels: int) -> int:
    if not 1 <= channels <= MAX_CHANNELS:
        raise AudioFormatError(f"The audio declares {channels} channels; 1 to {MAX_CHANNELS} are "
                               "supported.")
    return channels


def resample(x: np.ndarray, rate: int) -> np.ndarray:
    if rate == TARGET_RATE or x.size == 0:
        return x.astype(np.float32, copy=False)
    n = round(x.size * TARGET_RATE / rate)
    t_out = np.arange(n) * (rate / TARGET_RATE)
    return np.interp(t_out, np.arange(x.size), x).astype(np.float32)


def pcm16_to_float(data: bytes) -> np.ndarray:
    n = len(data) // 2 * 2
    return np.frombuffer(data[:n], dtype="<i2").astype(np.float32) / 32768.0


def decode_file(data: bytes, channel: int = 0, max_seconds: float = MAX_FILE_SECONDS
                ) -> tuple[np.ndarray, int, int, int]:
    """(samples at 16 kHz, original rate, channel count, duration ms) of a whole audio file.
    The header is checked first; nothing longer than `max_seconds` is decoded."""
    try:
        info = sf.info(io.BytesIO(data))
    except Exception as e:
        raise AudioFormatError(f"The audio could not be decoded ({type(e).__name__}); "
                               "supported here: WAV, FLAC, OGG/Vorbis, and what libsndfile reads.") from None
    rate = check_rate(info.samplerate, FILE_MIN_RATE, FILE_MAX_RATE, "file's sample rate")
    n_ch = check_channels(info.channels)
    if channel >= n_ch:
        raise AudioFormatError(f"channel_id {channel} does not exist; the file has {n_ch} channel(s).")
    if info.frames > max_seconds * rate:
        raise AudioTooLong(info.frames / rate, max_seconds)
    try:
        x, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True,
                          frames=int(max_seconds * rate) + 1)
    except Exception as e:
        raise AudioFormatError(f"The audio could not be decoded ({type(e).__name__}).") from None
    mono = x[:, channel]
    return resample(mono, rate), rate, n_ch, int(len(mono) * 1000 / rate)


class StreamDecoder:
    """Incremental decoder for run-task audio: strips a WAV header if the format says wav."""

    def __init__(self, fmt: str, sample_rate: int) -> None:
        if fmt not in STREAM_FORMATS:
            raise AudioFormatError(f"Audio format '{fmt}' is not supported by this emulator; "
                                   f"use one of: {', '.join(STREAM_FORMATS)}.")
        self.rate = check_rate(sample_rate, what="sample_rate")
        self._need_header = fmt == "wav"
        self._pending = b""
        self._channels = 1

    def feed(self, data: bytes) -> np.ndarray:
        buf = self._pending + data
        if self._need_header:
            parsed = _parse_wav_header(buf)
            if parsed is None:
                if len(buf) > 1 << 16:
                    raise AudioFormatError("The wav stream has no readable RIFF header (data chunk "
                                           "not found in the first 64 KiB).")
                self._pending = buf
                return np.zeros(0, np.float32)
            offset, rate, channels, bits = parsed
            if bits != 16:
                raise AudioFormatError(f"wav audio must be 16-bit PCM; got {bits}-bit.")
            self.rate = check_rate(rate, what="wav header's sample rate")
            self._channels = check_channels(channels)
            self._need_header = False
            buf = buf[offset:]
        frame = 2 * self._channels
        n = len(buf) // frame * frame
        self._pending = buf[n:]
        x = pcm16_to_float(buf[:n])
        if self._channels > 1:
            x = x.reshape(-1, self._channels)[:, 0]
        return resample(x, self.rate)


def _parse_wav_header(buf: bytes) -> tuple[int, int, int, int] | None:
    """(offset of PCM data, rate, channels, bits) once the `data` chunk header is in `buf`."""
    if len(buf) < 12:
        return None
    if buf[:4] != b"RIFF" or buf[8:12] != b"WAVE":
        raise AudioFormatError("format is 'wav' but the audio does not start with a RIFF/WAVE header.")
    pos, rate, channels, bits = 12, 16000, 1, 16
    while pos + 8 <= len(buf):
        cid, size = buf[pos:pos + 4], struct.unpack("<I", buf[pos + 4:pos + 8])[0]
        if cid == b"fmt ":
            if pos + 8 + 16 > len(buf):
                return None
            tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", buf[pos + 8:pos + 24])
            if tag not in (1, 0xFFFE):
                raise AudioFormatError(f"wav audio must be PCM (format tag 1); got tag {tag}.")
        elif cid == b"data":
            return pos + 8, rate, channels, bits
        pos += 8 + size + (size & 1)
    return None
