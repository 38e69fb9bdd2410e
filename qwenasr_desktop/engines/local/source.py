"""What the offline engine reads a recognition from: a file as a stream, or an array in memory.

Both give 16 kHz blocks from a resume origin on, and the recording's length when it is known
before reading (always for arrays and libsndfile formats; for FFmpeg ones, when the container
says it), so the engine has one path for both.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

import numpy as np

from ...audio.decode import AudioError, prepare_array
from ...audio.stream import AudioStream
from ..base import SAMPLE_RATE, AudioInput, EngineError

ARRAY_BLOCK = 30 * SAMPLE_RATE
T = TypeVar("T")


class ChunkSource:
    """16 kHz blocks from `origin` (samples) on; use as a context manager (a file stays open)."""

    def __init__(self, stream: AudioStream | None, samples: np.ndarray | None, origin: int) -> None:
        self._stream, self._samples, self.origin = stream, samples, origin
        self._read = 0

    @classmethod
    def open(cls, audio: AudioInput, rate: int, origin: int = 0) -> ChunkSource:
        """Raises AudioError naming the problem (missing, empty, damaged, impossible rate)."""
        if isinstance(audio, str | Path):
            return cls(AudioStream(audio, start=origin), None, origin)
        return cls(None, prepare_array(audio, rate), origin)

    @property
    def duration_ms(self) -> int:
        """The whole recording's length (0 while it is not known)."""
        if self._samples is not None:
            return len(self._samples) * 1000 // SAMPLE_RATE
        assert self._stream is not None
        return (self._stream.total or 0) * 1000 // SAMPLE_RATE

    @property
    def read_ms(self) -> int:
        """How far the reading got (the length, once every block was read)."""
        return (self.origin + self._read) * 1000 // SAMPLE_RATE

    def blocks(self) -> Iterator[np.ndarray]:
        if self._samples is not None:
            source: Iterable[np.ndarray] = (self._samples[i:i + ARRAY_BLOCK]
                                            for i in range(self.origin, len(self._samples), ARRAY_BLOCK))
        else:
            assert self._stream is not None
            source = self._stream.blocks()
        for block in source:
            self._read += len(block)
            yield block

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()

    def __enter__(self) -> ChunkSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def engine_errors(items: Iterable[T]) -> Iterator[T]:
    """`items` with an AudioError found part way (a damaged file) turned into an EngineError."""
    try:
        yield from items
    except AudioError as e:
        raise EngineError(str(e)) from None
