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



def clock(ms: int) -> str:
    """00:12 (or 1:02:03 past an hour): a position in the audio as people say it."""
    s = max(0, ms) // 1000
    h, m, s = s // 3600, s // 60 % 60, s % 60
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


@dataclass
class Verification:
    """What hotwords and context did to the plain transcript (offline engine): the changes the
    biased decode proposed, how many the audio confirmed, and how many chunks kept the plain
    text. Shown with column B, so that "B = A" is explained instead of looking like a bug."""

    chunks: int = 0
    proposed: int = 0
    kept: int = 0
    plain_chunks: int = 0  # chunks where nothing was confirmed: the plain decode's text

    def add(self, proposed: int, kept: int) -> None:
        self.chunks += 1
        self.proposed += proposed
        self.kept += kept
        self.plain_chunks += kept == 0

    def describe(self) -> str:
        if not self.chunks:
            return ""
        if not self.proposed:
            return "Nothing to change: no hotword or context term was heard where the plain text differs."
        text = f"{self.kept} of {self.proposed} proposed changes confirmed by the audio"
        if self.plain_chunks:
            text += f"; {self.plain_chunks} of {self.chunks} chunks kept the plain text"
        return text + "."


@dataclass
class Transcript:
    sentences: list[Sentence] = field(default_factory=list)
    language: str | None = None
    duration_ms: int = 0
    engine: str = ""
    model: str = ""
    verification: Verification | None = None

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
        ver = data.get("verification")
        return cls(sentences=sentences, language=data.get("language"),
                   duration_ms=int(data.get("duration_ms", 0)), engine=data.get("engine", ""),
                   model=data.get("model", ""), verification=Verification(**ver) if ver else None)


@dataclass
class Checkpoint:
    """Where a file recognition stands: the sentences already final and the audio decoded so far.

    A transcriptionist's file is an hour long; a cancel or a crash at minute 50 must resume at
    minute 50. Engines report one after every chunk (`on_chunk`), callers store it, and
    `recognize(..., resume=checkpoint)` continues from it with the same result as one run.
    It belongs to one file and one set of options: callers key what they store by both.
    """

    position_ms: int = 0  # audio decoded up to here (the next chunk starts at or after it)
    duration_ms: int = 0  # the whole recording (0: not known yet)
    sentences: list[Sentence] = field(default_factory=list)  # every final sentence so far
    carry: str = ""  # text the next chunk is prompted with (Whisper's previous-text prompt)
    verification: Verification | None = None  # what hotwords/context did so far (offline engine)
    language: str | None = None

    @property
    def fraction(self) -> float:
        return min(1.0, self.position_ms / self.duration_ms) if self.duration_ms else 0.0

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Checkpoint:
        part = Transcript.from_dict({"sentences": data.get("sentences", []),
                                     "verification": data.get("verification")})
        return cls(position_ms=int(data.get("position_ms", 0)), duration_ms=int(data.get("duration_ms", 0)),
                   sentences=part.sentences, carry=str(data.get("carry", "")),
                   verification=part.verification, language=data.get("language"))


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (0x3000 <= o <= 0x9FFF) or (0xAC00 <= o <= 0xD7AF) or (0xF900 <= o <= 0xFAFF) or (
        0xFF00 <= o <= 0xFFEF)
