"""Decode chunks cut from a stream of audio blocks, holding about one chunk of audio at a time.

`merge_utterances(speech_utterances(audio))` (vad.py) needs the whole recording in memory; an
hour is 230 MB. `stream_chunks` gives the same chunks from blocks as they are read: the VAD runs
on the same 30-s blocks from the same origin (its silence shortcut is decided per block, so the
blocks must match for the cuts to match), utterances are grouped by the same rule, and a chunk is
handed out as soon as no later utterance could still join it. Audio before the earliest sample
a chunk may still need is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from ..base import CancelToken
from .vad import SAMPLE_RATE, FrameVad, Segmenter, Utterance, VadConfig

VAD_BLOCK = 30 * SAMPLE_RATE  # speech_utterances' block
# A VAD block edge that is also a frame edge (lcm of 30 s and 512 samples): a resumed run restarts
# the VAD there, so its blocks and frames fall where one run's did.
ALIGN = 60 * SAMPLE_RATE
WARMUP = 30 * SAMPLE_RATE  # audio the VAD runs on before a resume point (its LSTM state settles)
MAX_CHUNK_S = 20.0  # merge_utterances' defaults
MAX_GAP_S = 2.0


@dataclass
class SpeechChunk:
    start: int  # first sample, absolute (16 kHz)
    samples: np.ndarray

    @property
    def end(self) -> int:
        return self.start + len(self.samples)


def resume_origin(position: int) -> int:
    """Where the VAD restarts to continue after `position` (samples): an ALIGN edge at least
    WARMUP before it, so the utterances after `position` are found as in one run."""
    return max(0, (position - WARMUP) // ALIGN * ALIGN)


class _Window:
    """The audio from `start` on; older samples are dropped as soon as no chunk needs them."""

    def __init__(self, start: int) -> None:
        self.start = start
        self.data = np.zeros(0, np.float32)

    @property
    def end(self) -> int:
        return self.start + len(self.data)

    def append(self, x: np.ndarray) -> None:
        self.data = np.concatenate([self.data, x])

    def take(self, a: int, b: int) -> np.ndarray:
        return self.data[a - self.start:b - self.start].copy()

    def drop_before(self, i: int) -> None:
        n = min(i, self.end) - self.start
        if n > 0:
            self.data = self.data[n:].copy()
            self.start += n


def _reblock(blocks: Iterable[np.ndarray], size: int, cancel: CancelToken | None) -> Iterator[np.ndarray]:
    """The stream in blocks of `size`; the cancel is checked per block read (a few seconds of
    audio), not only per VAD block: reading and resampling 30 s of 48 kHz audio takes a second."""
    pending: list[np.ndarray] = []
    have = 0
    for b in blocks:
        if cancel is not None:
            cancel.raise_if_cancelled()
        pending.append(np.asarray(b, np.float32))
        have += len(b)
        while have >= size:
            joined = np.concatenate(pending)
            yield joined[:size]
            pending, have = [joined[size:]], have - size
    if have:
        yield np.concatenate(pending)


class _Grouper:
    """merge_utterances, one utterance at a time, telling when the open chunk is closed."""

    def __init__(self, max_s: float, max_gap_s: float, skip_until: int) -> None:
        self.max_len, self.max_gap = max_s * SAMPLE_RATE, max_gap_s * SAMPLE_RATE
        self.skip_until = skip_until  # utterances ending here or before were decoded already
        self.open: Utterance | None = None

    def add(self, u: Utterance) -> Utterance | None:
        """Add an utterance; returns the chunk it closed, if any."""
        if u.end * 1000 // SAMPLE_RATE <= self.skip_until * 1000 // SAMPLE_RATE:
            return None
        c = self.open
        if c and u.end - c.start <= self.max_len and u.start - c.end <= self.max_gap:
            c.end = max(c.end, u.end)
            return None
        self.open = Utterance(u.start, u.end)
        return c

    def close_if_final(self, next_start: int, next_end: int) -> Utterance | None:
        """Close the open chunk when no utterance starting at or after `next_start` and ending at
        or after `next_end` could join it."""
        c = self.open
        if c and (next_start - c.end > self.max_gap or next_end - c.start > self.max_len):
            self.open = None
            return c
        return None


def _bounds(seg: Segmenter, origin: int) -> tuple[int, int]:
    """The earliest start and end any utterance still to come can have (absolute samples)."""
    pad = seg.cfg.speech_pad_ms * SAMPLE_RATE // 1000
    quiet = max(0, seg.position - pad)
    start = seg.active_start if seg.active_start is not None else quiet
    end = seg.speech_end if seg.speech_end is not None else quiet
    return origin + start, origin + end


def stream_chunks(blocks: Iterable[np.ndarray], config: VadConfig | None = None, *, origin: int = 0,
                  skip_until: int = 0, max_s: float = MAX_CHUNK_S, max_gap_s: float = MAX_GAP_S,
                  cancel: CancelToken | None = None) -> Iterator[SpeechChunk]:
    """The decode chunks of a recording whose 16 kHz samples from `origin` (0, or a
    `resume_origin`) arrive as `blocks`; chunks ending by `skip_until` (samples) are left out.

    Same chunks as merge_utterances(speech_utterances(audio), max_s, max_gap_s) of the whole."""
    if origin % ALIGN:
        raise ValueError(f"stream_chunks starts at a multiple of {ALIGN} samples, not {origin}")
    vad, seg = FrameVad(), Segmenter(config)
    window = _Window(origin)
    group = _Grouper(max_s, max_gap_s, skip_until)
    for block in _reblock(blocks, VAD_BLOCK, cancel):
        window.append(block)
        for u in seg.push(vad(block)):
            done = group.add(Utterance(origin + u.start, origin + u.end))
            if done:
                yield SpeechChunk(done.start, window.take(done.start, done.end))
        next_start, next_end = _bounds(seg, origin)
        done = group.close_if_final(next_start, next_end)
        if done:
            yield SpeechChunk(done.start, window.take(done.start, done.end))
        keep = min(next_start, group.open.start if group.open else next_start)
        window.drop_before(keep)
    for u in seg.flush():
        done = group.add(Utterance(origin + u.start, min(origin + u.end, window.end)))
        if done:
            yield SpeechChunk(done.start, window.take(done.start, done.end))
    if group.open:
        yield SpeechChunk(group.open.start, window.take(group.open.start, group.open.end))
