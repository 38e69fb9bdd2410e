"""How far a file recognition is, in words: "12:40 of 58:03 · elapsed 3:10 · about 11 min left".

Qt-free so the arithmetic is tested without widgets. The estimate exists only once a chunk of
this run has finished (before that any figure would be invented), and it is measured on this
run alone: a resumed run did not decode the audio before its checkpoint, so that audio is not
counted as speed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .transcript import clock

CLOUD_STAGE = "sent to the cloud, waiting for the result"


def elapsed_text(seconds: float) -> str:
    """3:10, or 1:02:03 past an hour: a duration as people say it (no leading zero)."""
    s = max(0, int(seconds))
    h, m, s = s // 3600, s // 60 % 60, s % 60
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def time_left_text(seconds: float) -> str:
    if seconds < 60:
        return "less than a minute left"
    minutes = round(seconds / 60)
    if minutes < 120:
        return f"about {minutes} min left"
    return f"about {elapsed_text(seconds)[:-3]} h left"


@dataclass
class RunClock:
    """One side's run: when it started, where it began in the audio, and the latest chunk."""

    now: Callable[[], float] = time.monotonic
    started: float = field(default=0.0)
    start_ms: int | None = None  # the audio position this run began at (a resumed run: its checkpoint)
    position_ms: int = 0
    duration_ms: int = 0
    last_chunk_at: float | None = None  # None: no chunk of this run has finished yet

    def __post_init__(self) -> None:
        self.started = self.now()

    def begin(self, position_ms: int = 0, duration_ms: int = 0) -> None:
        """The run (re)starts now, at `position_ms` of the audio (not 0 when resuming)."""
        self.started, self.last_chunk_at = self.now(), None
        self.start_ms, self.position_ms, self.duration_ms = position_ms, position_ms, duration_ms

    def chunk(self, position_ms: int, duration_ms: int) -> None:
        if self.start_ms is None:
            self.start_ms = 0
        self.position_ms, self.duration_ms = position_ms, duration_ms
        self.last_chunk_at = self.now()

    @property
    def fraction(self) -> float | None:
        """Audio decoded / total; None until known (a busy bar, not a fake 0 %)."""
        if not self.duration_ms or (self.last_chunk_at is None and not self.position_ms):
            return None
        return min(1.0, self.position_ms / self.duration_ms)

    def seconds_left(self) -> float | None:
        """Remaining audio at this run's measured speed, minus the time since that measurement."""
        if self.last_chunk_at is None or self.start_ms is None or not self.duration_ms:
            return None
        decoded_ms = self.position_ms - self.start_ms
        spent = self.last_chunk_at - self.started
        if decoded_ms <= 0 or spent <= 0:
            return None
        left = (self.duration_ms - self.position_ms) / decoded_ms * spent
        return max(0.0, left - (self.now() - self.last_chunk_at))

    def text(self, waiting: str = "starting…") -> str:
        """The line shown over the column; `waiting` says what happens before the first chunk."""
        elapsed = f"elapsed {elapsed_text(self.now() - self.started)}"
        if self.fraction is None:
            return f"{waiting} · {elapsed}"
        parts = [f"{clock(self.position_ms)} of {clock(self.duration_ms)}", elapsed]
        left = self.seconds_left()
        if left is not None:
            parts.append(time_left_text(left))
        return " · ".join(parts)
