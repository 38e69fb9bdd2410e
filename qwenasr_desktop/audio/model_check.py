"""The audio check the panel runs when a file is opened or a recording stops (off the GUI thread).

Reads the file at its own rate and channel count (so an 8 kHz phone call or a stereo file is
reported as such) and asks audio.quality for the plain-language findings.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.models import ModelInfo
from .quality import QualityReport, Severity, check_audio


@dataclass(frozen=True)
class Inspection:
    report: QualityReport

    @property
    def duration_s(self) -> float:
        return self.report.duration_s

    @property
    def warnings(self) -> list[str]:
        """What the panel shows: problems first, then notes (such as mixing channels to mono)."""
        findings = sorted(self.report.findings, key=lambda f: f.severity is Severity.INFO)
        return [f.message for f in findings]


def inspect_audio(path: str, model: ModelInfo) -> Inspection:
    try:
        import soundfile as sf

        samples, rate = sf.read(path, dtype="float32", always_2d=True)
    except Exception:  # not a libsndfile format (M4A, some MP3): decoded to 16 kHz mono instead
        from ...audio.decode import load_audio

        samples, rate = load_audio(path), 16000
    return Inspection(check_audio(samples, int(rate), model))
