"""A transcript growing from streaming events: finals accumulate, the partial is replaced.

Plain Python (no Qt) so the rule "a partial is replaced by the next partial or by its final"
is tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.transcript import Sentence, Transcript
from .base import StreamEvent


@dataclass
class LiveTranscript:
    engine: str = ""
    model: str = ""
    finals: list[Sentence] = field(default_factory=list)
    partial: Sentence | None = None

    def apply(self, event: StreamEvent) -> None:
        if event.is_final:
            self.finals.append(event.sentence)
            self.partial = None
        else:
            self.partial = event.sentence

    def snapshot(self) -> Transcript:
        """What the column shows now: the finals, then the current partial (marked not final)."""
        sentences = list(self.finals) + ([self.partial] if self.partial is not None else [])
        return Transcript(sentences, engine=self.engine, model=self.model)
