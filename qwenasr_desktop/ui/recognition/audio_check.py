"""Audio check before recognition, in plain words: rate vs the model's, channels, clipping, level, noise.

A thin stand-in for the audio helper's `audio/quality.py` (not on this branch yet); it works on the
16 kHz mono samples the engines get plus the file's native rate and channel count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...core.models import ModelInfo

CLIP_LEVEL = 0.999
QUIET_DBFS = -35.0  # speech peaks below this are hard to recognize
NOISY_SNR_DB = 15.0


@dataclass(frozen=True)
class AudioFacts:
    sample_rate: int
    channels: int
    duration_s: float


def dbfs(x: float) -> float:
    return 20 * np.log10(max(x, 1e-9))


def check_audio(samples: np.ndarray, facts: AudioFacts, model: ModelInfo) -> list[str]:
    warnings: list[str] = []
    if model.sample_rates and facts.sample_rate not in model.sample_rates:
        want = " or ".join(f"{r // 1000} kHz" for r in model.sample_rates)
        warnings.append(f"The recording is {facts.sample_rate / 1000:g} kHz but {model.name} expects "
                        f"{want} audio: pick a model made for this rate.")
    elif not model.sample_rates and facts.sample_rate < 16000:
        warnings.append(f"The recording is only {facts.sample_rate / 1000:g} kHz (telephone quality); "
                        "a 16 kHz recording, or an 8 kHz model, recognizes better.")
    if facts.channels > 1:
        warnings.append(f"The file has {facts.channels} channels; they are mixed to mono.")
    if samples.size == 0:
        return [*warnings, "The audio is empty."]
    x = np.abs(samples.astype(np.float32))
    clipped = float(np.mean(x >= CLIP_LEVEL))
    if clipped > 0.001:
        warnings.append(f"{100 * clipped:.1f}% of the samples are clipped (too loud): distortion causes "
                        "recognition errors. Lower the input gain.")
    frame = 400  # 25 ms
    n = len(x) // frame
    if n >= 4:
        rms = np.sqrt(np.mean(np.square(samples[: n * frame].reshape(n, frame)), axis=1))
        loud, floor = float(np.percentile(rms, 95)), float(np.percentile(rms, 10))
        if dbfs(loud) < QUIET_DBFS:
            warnings.append(f"The audio is very quiet (speech peaks at {dbfs(loud):.0f} dBFS): move closer "
                            "to the microphone or raise the gain.")
        elif dbfs(loud) - dbfs(floor) < NOISY_SNR_DB:
            warnings.append(f"Much background noise: speech is only {dbfs(loud) - dbfs(floor):.0f} dB above "
                            "the noise. Expect more errors.")
    return warnings


@dataclass(frozen=True)
class Inspection:
    facts: AudioFacts
    warnings: list[str]

    @property
    def duration_s(self) -> float:
        return self.facts.duration_s


def inspect_audio(path: str, model: ModelInfo) -> Inspection:
    """Read a file's format and samples (call off the GUI thread) and check them for `model`."""
    from ...audio.decode import load_audio

    try:
        import soundfile as sf

        info = sf.info(path)
        rate, channels = int(info.samplerate), int(info.channels)
    except Exception:  # not a soundfile format (MP3 on old libsndfile, M4A): decoded by PyAV below
        rate, channels = 16000, 1
    samples = load_audio(path)
    facts = AudioFacts(rate, channels, len(samples) / 16000)
    return Inspection(facts, check_audio(samples, facts, model))
