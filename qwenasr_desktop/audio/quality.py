"""Check audio before recognition, the way the cloud guidance advises: sample rate against the
model's, channels, clipping, level and a rough noise estimate — each with a sentence a
transcriptionist understands. Pure numpy, no I/O: the caller passes decoded samples.

Recognition quality drops quietly on bad input (an 8 kHz phone call sent to a 16 kHz model, a
clipped recording, speech buried in hum); saying so *before* a cloud run costs nothing.

Measurements (all on the down-mixed signal, full scale = 1.0):
- level: RMS over the whole clip, and the "speech level" = 90th percentile of 30 ms frame RMS;
- noise floor: 10th percentile of frame RMS (the quiet parts between words);
- SNR estimate: speech level - noise floor, in dB. Rough by design: a clip with no pauses shows
  a low value even when clean, so the warning says both possible causes;
- clipping: share of samples at or above 99.9 % of full scale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from ..core.models import MODELS, ModelInfo
from .capture import DB_FLOOR, to_dbfs

RECOMMENDED_RATE = 16_000
FRAME_S = 0.030
CLIP_LEVEL = 0.999  # |x| at or above this (of full scale) counts as clipped
CLIP_WARN_RATIO = 0.001  # 0.1 % of samples
QUIET_SPEECH_DB = -35.0  # speech level below this: too quiet
VERY_QUIET_SPEECH_DB = -50.0
SILENT_PEAK_DB = -60.0  # nothing above this at all: silence
LOUD_RMS_DB = -6.0  # whole-clip RMS above this: probably distorted / compressed
NOISY_SNR_DB = 15.0
VERY_NOISY_SNR_DB = 6.0
SHORT_S = 0.5


class Severity(StrEnum):
    INFO = "info"  # fine, but worth knowing (e.g. it will be resampled)
    WARNING = "warning"  # recognition will likely be worse
    ERROR = "error"  # nothing useful can come out (empty, silent, wrong rate for the model)


@dataclass(frozen=True)
class Finding:
    code: str  # stable id for tests and the UI: "rate_mismatch", "clipping", ...
    severity: Severity
    message: str


@dataclass(frozen=True)
class QualityReport:
    sample_rate: int
    channels: int
    duration_s: float
    rms_dbfs: float
    peak_dbfs: float
    speech_dbfs: float
    noise_floor_dbfs: float
    snr_db: float
    clipping_ratio: float
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """No warning or error (info findings are fine)."""
        return all(f.severity is Severity.INFO for f in self.findings)

    def codes(self) -> set[str]:
        return {f.code for f in self.findings}

    def worst(self) -> Severity | None:
        order = [Severity.INFO, Severity.WARNING, Severity.ERROR]
        return max((f.severity for f in self.findings), key=order.index, default=None)

    def summary(self) -> str:
        if not self.findings:
            return "The audio looks fine for recognition."
        return " ".join(f.message for f in self.findings)


def _as_float(samples: np.ndarray) -> np.ndarray:
    a = np.asarray(samples)
    if a.dtype.kind == "i":
        return a.astype(np.float64) / float(-np.iinfo(a.dtype).min)
    if a.dtype.kind == "u":  # 8-bit WAV is unsigned, centred on 128
        half = (np.iinfo(a.dtype).max + 1) / 2
        return (a.astype(np.float64) - half) / half
    return a.astype(np.float64, copy=False)


def _frame_rms_db(x: np.ndarray, rate: int) -> np.ndarray:
    n = max(1, int(FRAME_S * rate))
    frames = len(x) // n
    if frames == 0:
        return np.array([to_dbfs(float(np.sqrt(np.mean(x * x)))) if x.size else DB_FLOOR])
    f = x[:frames * n].reshape(frames, n)
    rms = np.sqrt(np.mean(f * f, axis=1))
    with np.errstate(divide="ignore"):
        db = 20.0 * np.log10(rms)
    return np.maximum(db, DB_FLOOR)


def _rate_findings(rate: int, model: ModelInfo | None) -> list[Finding]:
    out = []
    required = model.sample_rates if model is not None else ()
    name = model.name if model is not None else "the model"
    khz = f"{rate / 1000:g} kHz"
    if required and rate not in required:
        want = " or ".join(f"{r / 1000:g} kHz" for r in required)
        if rate > max(required):
            out.append(Finding("rate_mismatch", Severity.WARNING,
                               f"{name} expects {want} (telephone) audio but this is {khz}; it will be "
                               f"downsampled, which works but discards detail a 16 kHz model would use. "
                               f"Pick a 16 kHz model for wide-band recordings."))
        else:
            out.append(Finding("rate_mismatch", Severity.ERROR,
                               f"{name} needs {want} audio but this is only {khz}."))
        return out
    if required:
        return out
    if rate < RECOMMENDED_RATE:
        eight_k = sorted(m.name for m in MODELS.values() if 8000 in m.sample_rates)
        hint = (f" For telephone audio use an 8 kHz model ({', '.join(eight_k)})."
                if rate <= 8000 and eight_k else "")
        out.append(Finding("low_rate", Severity.WARNING,
                           f"The audio is {khz} but {name} is built for 16 kHz: upsampling cannot "
                           f"restore the missing high frequencies, so expect more errors.{hint}"))
    elif rate != RECOMMENDED_RATE:
        out.append(Finding("resample", Severity.INFO,
                           f"The audio is {khz}; it will be converted to 16 kHz for recognition."))
    return out


def check_audio(samples: np.ndarray, sample_rate: int, model: ModelInfo | None = None) -> QualityReport:
    """Measure `samples` ((frames,) or (frames, channels), float in [-1, 1] or integer PCM)."""
    a = _as_float(samples)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2:
        raise ValueError(f"audio must be (frames,) or (frames, channels), got shape {np.shape(samples)}")
    if sample_rate <= 0:
        raise ValueError(f"sample rate must be positive, got {sample_rate}")
    frames, channels = a.shape
    duration = frames / sample_rate
    findings: list[Finding] = []

    if frames == 0:
        findings.append(Finding("empty", Severity.ERROR, "The audio is empty (no samples)."))
        return QualityReport(sample_rate, channels, 0.0, DB_FLOOR, DB_FLOOR, DB_FLOOR, DB_FLOOR, 0.0,
                             0.0, tuple(findings))

    findings += _rate_findings(sample_rate, model)

    mono = a.mean(axis=1)
    abs_all = np.abs(a)
    peak = float(abs_all.max())
    rms = float(np.sqrt(np.mean(mono * mono)))
    clip_ratio = float(np.mean(abs_all >= CLIP_LEVEL))
    frame_db = _frame_rms_db(mono, sample_rate)
    speech_db = float(np.percentile(frame_db, 90))
    noise_db = float(np.percentile(frame_db, 10))
    snr = speech_db - noise_db
    rms_db, peak_db = to_dbfs(rms), to_dbfs(peak)

    if channels > 1:
        ch_rms = np.sqrt(np.mean(a * a, axis=0))
        ch_db = [to_dbfs(float(v)) for v in ch_rms]
        if max(ch_db) > SILENT_PEAK_DB and min(ch_db) < max(ch_db) - 30:
            findings.append(Finding("dead_channel", Severity.WARNING,
                                    f"The audio has {channels} channels and one is (nearly) silent; mixing "
                                    f"to mono halves the level. Consider recording in mono."))
        else:
            findings.append(Finding("multichannel", Severity.INFO,
                                    f"The audio has {channels} channels; they will be mixed to mono. If "
                                    f"each channel is a different speaker, recognize them separately."))

    if duration < SHORT_S:
        findings.append(Finding("short", Severity.WARNING,
                                f"The audio is only {duration:.2f} s long; there may be nothing to "
                                f"recognize."))

    if peak_db < SILENT_PEAK_DB:
        findings.append(Finding("silent", Severity.ERROR,
                                f"The audio is silent (loudest sample {peak_db:.0f} dBFS). Check the "
                                f"microphone or the file."))
    else:
        if clip_ratio >= CLIP_WARN_RATIO:
            findings.append(Finding("clipping", Severity.WARNING,
                                    f"{clip_ratio:.1%} of the samples are clipped (at full scale): the "
                                    f"recording was too loud and is distorted. Lower the input gain and "
                                    f"record again if you can."))
        if speech_db < VERY_QUIET_SPEECH_DB:
            findings.append(Finding("quiet", Severity.WARNING,
                                    f"The audio is very quiet (speech at about {speech_db:.0f} dBFS). "
                                    f"Raise the input gain or move closer to the microphone."))
        elif speech_db < QUIET_SPEECH_DB:
            findings.append(Finding("quiet", Severity.WARNING,
                                    f"The audio is quiet (speech at about {speech_db:.0f} dBFS; "
                                    f"-30 to -10 is ideal). Recognition may miss soft words."))
        elif rms_db > LOUD_RMS_DB:
            findings.append(Finding("loud", Severity.WARNING,
                                    f"The audio is very loud (average {rms_db:.0f} dBFS); it is "
                                    f"probably distorted or heavily compressed."))
        if duration >= 1.0 and snr < VERY_NOISY_SNR_DB:
            findings.append(Finding("noisy", Severity.WARNING,
                                    f"The quietest parts are only {snr:.0f} dB below the loudest: either "
                                    f"strong background noise (about {noise_db:.0f} dBFS) or no pauses "
                                    f"at all. Noise causes recognition errors; reduce it if you can."))
        elif duration >= 1.0 and snr < NOISY_SNR_DB:
            findings.append(Finding("noisy", Severity.WARNING,
                                    f"There is noticeable background noise (about {noise_db:.0f} dBFS, "
                                    f"{snr:.0f} dB below the speech). Recognition may make more errors."))

    return QualityReport(sample_rate, channels, duration, rms_db, peak_db, speech_db, noise_db, snr,
                         clip_ratio, tuple(findings))
