"""What decoding one chunk yields, and Whisper's loop test: shared by the searches and the decoder."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from ...core.transcript import Word

COMPRESSION_LIMIT = 2.4  # Whisper's threshold: above it the text is a repetition loop


@dataclass
class ChunkResult:
    text: str
    tokens: list[int]
    language: str
    words: list[Word] = field(default_factory=list)
    no_speech_prob: float = 0.0
    avg_logprob: float = 0.0
    # What the hotword/context verification did ("hotwords: 2 of 3 changes kept", "copied
    # glossary ignored", ...): the comparison view shows it so that B = A is explained.
    notes: list[str] = field(default_factory=list)
    verified: bool = False  # hotwords/context were involved: proposed/kept below mean something
    proposed: int = 0
    kept: int = 0


def compression_ratio(text: str) -> float:
    b = text.encode("utf-8")
    return len(b) / len(zlib.compress(b)) if b else 0.0
