"""Transcript types shared by every engine, the UI and storage.

Times are integer milliseconds from the start of the audio, as on the DashScope wire, so a
cloud result maps onto these types without rounding.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Word:
    text: str
    begin_ms: int
    end_ms: int
    punctuation: str = ""
    probability: float | None = None


@dataclass
class Sentence:
    text: str
    begin_ms: int
    end_ms: int
    words: list[Word] = field(default_factory=list)
    sentence_id: int = 0
    speaker: int | None = None
    is_final: bool = True


@dataclass
class Transcript:
    sentences: list[Sentence] = field(default_factory=list)
    language: str | None = None
    duration_ms: int = 0
    engine: str = ""
    model: str = ""

    @property
    def text(self) -> str:
        """Sentences joined the way each script expects: no spaces between CJK sentences."""
        out = ""
        for s in self.sentences:
            t = s.text.strip()
            if out and t and not (_is_cjk(out[-1]) or _is_cjk(t[0])):
                out += " "
            out += t
        return out

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Transcript:
        sentences = [
            Sentence(**{**s, "words": [Word(**w) for w in s.get("words", [])]})
            for s in data.get("sentences", [])
        ]
        return cls(sentences=sentences, language=data.get("language"),
                   duration_ms=int(data.get("duration_ms", 0)), engine=data.get("engine", ""),
                   model=data.get("model", ""))


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (0x3000 <= o <= 0x9FFF) or (0xAC00 <= o <= 0xD7AF) or (0xF900 <= o <= 0xFAFF) or (
        0xFF00 <= o <= 0xFFEF)
