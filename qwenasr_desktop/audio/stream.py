"""Read an audio file as a stream of 16 kHz mono float32 blocks, never the whole file at once.

An hour of 16 kHz float32 is 230 MB (a 48 kHz stereo source several times that while it is
converted), so long recordings are read a few seconds at a time: soundfile (WAV/FLAC/OGG/MP3) in
blocks with a cheap seek, PyAV (M4A, AAC, video containers) frame by frame. The blocks joined are
the array `decode.load_audio` returns: the same checks and messages, and `BlockResampler` computes
the same polyphase filter as `decode.resample`, keeping the filter's history between blocks so the
block edges leave no trace.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import numpy as np

from .decode import TARGET_RATE, AudioError, _design_lowpass, _ratio, check_file, check_rate, to_mono

BLOCK_S = 5.0  # seconds of source audio read per block: small next to a decode chunk (20 s)


class BlockResampler:
    """`decode.resample` fed block by block: output n is sum_k h[p + k*up] * x[b - k] with
    b, p = divmod(n*down + half, up), exactly as there, with x = 0 before the start and after
    `finish`. Input is kept only as far back as the longest phase of the filter reaches.

    `start_in` is the absolute index (source rate) of the first sample fed; the samples before it
    count as zeros, so a stream that starts there after a seek needs a few hundred samples of
    lead-in (`lead_in`) before its output equals the whole file's.
    """

    def __init__(self, rate: int, target: int = TARGET_RATE, start_in: int = 0) -> None:
        self.up, self.down = _ratio(rate, target)
        h = _design_lowpass(self.up, self.down)
        self.half = (len(h) - 1) // 2
        self.phases = [h[p::self.up] for p in range(self.up)]
        self.taps = max(len(t) for t in self.phases)
        self._buf = np.zeros(0, np.float64)
        self._buf_start = start_in  # absolute input index of _buf[0]
        # First output whose newest tap is at or after start_in (earlier ones would be all-zero-ish).
        self.next_out = max(0, -(-(start_in * self.up - self.half) // self.down))

    @property
    def lead_in(self) -> int:
        """Source samples an output needs before it (the filter's reach into the past)."""
        return self.taps

    def process(self, block: np.ndarray) -> np.ndarray:
        self._buf = np.concatenate([self._buf, np.asarray(block, np.float64)])
        end = self._buf_start + len(self._buf)  # outputs with base < end are fully known
        last = ((end - 1) * self.up + self.up - 1 - self.half) // self.down  # largest n, base(n) <= end-1
        return self._emit(last + 1, total_in=None)

    def finish(self, total_in: int) -> np.ndarray:
        """The outputs after the last block (zeros beyond `total_in`, the file's sample count)."""
        n_out = -(-total_in * self.up // self.down)
        return self._emit(n_out, total_in=total_in)

    def _emit(self, stop: int, total_in: int | None) -> np.ndarray:
        n = np.arange(self.next_out, max(self.next_out, stop))
        out = np.empty(len(n), np.float64)
        x, x0 = self._buf, self._buf_start
        limit = x0 + len(x) if total_in is None else min(total_in, x0 + len(x))
        for a in range(0, len(n), 65536):  # decode.resample's block, for the same temporaries
            nb = n[a:a + 65536]
            pos = nb * self.down + self.half
            base, phase = pos // self.up, pos % self.up
            acc = np.zeros(len(nb))
            for p in np.unique(phase):
                sel = phase == p
                taps = self.phases[p]
                idx = base[sel][:, None] - np.arange(len(taps))[None, :]
                valid = (idx >= max(0, x0)) & (idx < limit)
                vals = np.where(valid, x[np.clip(idx - x0, 0, max(0, len(x) - 1))] if len(x) else 0.0, 0.0)
                acc[sel] = vals @ taps
            out[a:a + len(nb)] = acc
        if len(n):
            self.next_out = int(n[-1]) + 1
        keep_from = (self.next_out * self.down + self.half) // self.up - self.taps + 1
        drop = keep_from - x0
        if drop > 0:
            self._buf = self._buf[drop:]
            self._buf_start = keep_from
        return out.astype(np.float32)


class AudioStream:
    """One file as 16 kHz mono float32 blocks (`blocks()`), from `start` (16 kHz samples) on.

    `total` is the length in 16 kHz samples when the container says it (None otherwise), known
    before anything is decoded, so progress can be a fraction from the first chunk. Opening
    checks what `load_audio` checks; `blocks()` raises AudioError for damage found later.
    """

    def __init__(self, path: str | Path, start: int = 0, block_s: float = BLOCK_S) -> None:
        self.path = Path(path)
        self.start = max(0, int(start))
        self.block_s = block_s
        check_file(self.path)
        first = _SoundfileReader(self.path)
        self._reader: _SoundfileReader | _PyAvReader = first
        if not first.ok:
            self._reader = _PyAvReader(self.path, first.error)
        self.total: int | None = self._reader.total
        self.samples_read = 0  # 16 kHz samples yielded so far

    def blocks(self) -> Iterator[np.ndarray]:
        produced = False
        for block in self._reader.blocks(self.start, self.block_s):
            if not np.all(np.isfinite(block)):
                raise AudioError(f"{self.path.name}: the audio contains NaN or infinite samples.")
            if len(block):
                produced = True
                self.samples_read += len(block)
                yield block
        if not produced and self.start == 0:
            raise AudioError(f"The audio file {self.path.name} contains no samples.")

    def close(self) -> None:
        self._reader.close()

    def __enter__(self) -> AudioStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _SoundfileReader:
    """WAV/FLAC/OGG/MP3 through libsndfile: blocks of frames, seeks by frame number."""

    def __init__(self, path: Path) -> None:
        import soundfile as sf

        self.path = path
        self.error: Exception | None = None
        self.total: int | None = None
        try:
            self._f = sf.SoundFile(str(path))
        except Exception as e:  # not for libsndfile: PyAV gets its turn
            self._f, self.ok, self.error = None, False, e
            return
        self.ok = True
        try:
            check_rate(self._f.samplerate, path.name)  # from the header, before decoding anything
        except AudioError:
            self._f.close()
            raise
        self.rate = self._f.samplerate
        frames = self._f.frames
        if frames <= 0:
            self._f.close()
            raise AudioError(f"The audio file {path.name} contains no samples.")
        self._frames = frames
        up, down = _ratio(self.rate, TARGET_RATE)
        self.total = -(-frames * up // down)

    def blocks(self, start: int, block_s: float) -> Iterator[np.ndarray]:
        assert self._f is not None
        if self.rate == TARGET_RATE:
            yield from self._read(start, int(block_s * self.rate), None)
            return
        up, down = _ratio(self.rate, TARGET_RATE)
        lead_in = BlockResampler(self.rate).lead_in
        first_in = max(0, start * down // up - lead_in - 1)
        res = BlockResampler(self.rate, start_in=first_in)
        skip = start - res.next_out  # outputs before `start`: lead-in only
        for block in self._read(first_in, int(block_s * self.rate), res):
            if skip > 0:
                cut = min(skip, len(block))
                block, skip = block[cut:], skip - cut
            yield block

    def _read(self, first: int, size: int, res: BlockResampler | None) -> Iterator[np.ndarray]:
        f = self._f
        assert f is not None
        try:
            f.seek(min(first, self._frames))
            while True:
                data = f.read(size, dtype="float32", always_2d=True)
                if not len(data):
                    break
                mono = to_mono(data).astype(np.float32, copy=False)
                yield mono if res is None else res.process(mono)
        except AudioError:
            raise
        except Exception as e:
            raise AudioError(f"{self.path.name} is damaged: reading stopped part way ({e}).") from None
        if res is not None:
            yield res.finish(self._frames)

    def close(self) -> None:
        if self._f is not None:
            self._f.close()


class _PyAvReader:
    """Everything else through FFmpeg (PyAV): frames resampled by FFmpeg, as load_audio does.
    Seeking decodes and drops the audio before the position (exact, not cheap)."""

    def __init__(self, path: Path, sf_error: Exception | None) -> None:
        import av

        self.path = path
        try:
            self._c = av.open(str(path))
        except Exception:
            raise AudioError(f"{path.name} is not a readable audio file, or it is damaged "
                             f"({sf_error}).") from None
        if not self._c.streams.audio:
            self._c.close()
            raise AudioError(f"{path.name} contains no audio stream.")
        stream = self._c.streams.audio[0]
        try:
            check_rate(stream.rate or 0, path.name)
        except AudioError:
            self._c.close()
            raise
        self.total: int | None = None
        seconds = None
        if stream.duration is not None and stream.time_base is not None:
            seconds = float(stream.duration * stream.time_base)
        elif self._c.duration is not None:
            seconds = self._c.duration / 1_000_000
        if seconds is not None and seconds > 0:
            self.total = round(seconds * TARGET_RATE)

    def blocks(self, start: int, block_s: float) -> Iterator[np.ndarray]:
        import av

        resampler = av.AudioResampler(format="flt", layout="mono", rate=TARGET_RATE)
        skip, pending, size = start, [], int(block_s * TARGET_RATE)
        have = 0
        try:
            for frame in _with_end(self._c.decode(audio=0)):
                for out in resampler.resample(frame):
                    x = out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
                    if skip:
                        cut = min(skip, len(x))
                        x, skip = x[cut:], skip - cut
                    pending.append(x)
                    have += len(x)
                    if have >= size:
                        yield np.concatenate(pending)
                        pending, have = [], 0
        except AudioError:
            raise
        except Exception as e:
            raise AudioError(f"{self.path.name} is damaged: decoding stopped part way ({e}).") from None
        if pending:
            yield np.concatenate(pending)

    def close(self) -> None:
        with suppress(Exception):
            self._c.close()


def _with_end(frames) -> Iterator:
    """The decoder's frames, then None (which flushes FFmpeg's resampler)."""
    yield from frames
    yield None
