"""The pre-recognition audio check on synthetic signals with known defects and on real speech."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from qwenasr_desktop.audio.quality import Severity, check_audio
from qwenasr_desktop.audio.resample import resample
from qwenasr_desktop.core.models import model_info

BASE = model_info("local-whisper-base")
EIGHT_K = model_info("paraformer-8k-v2")


@pytest.fixture(scope="module")
def speech(manifest):
    """A clean real clip: speech with pauses, peak -8 dBFS."""
    x, sr = sf.read(manifest["sh_en_ls_1272-128104-0000"]["audio_path"], dtype="float32")
    assert sr == 16_000
    return x


def _sine(freq=440.0, rate=16_000, seconds=2.0, amp=0.5):
    t = np.arange(int(rate * seconds)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_clean_speech_has_no_warnings(speech):
    r = check_audio(speech, 16_000, BASE)
    assert r.ok, r.summary()
    assert r.summary() == "The audio looks fine for recognition."
    assert r.snr_db > 30 and -30 < r.speech_dbfs < -10 and r.clipping_ratio == 0


def test_clipped_sine_is_reported_with_its_share():
    clipped = np.clip(_sine(amp=2.0), -1.0, 1.0)  # a sine driven 6 dB over full scale
    r = check_audio(clipped, 16_000, BASE)
    assert "clipping" in r.codes()
    assert 0.5 < r.clipping_ratio < 0.75  # |2 sin| >= 1 for 2/3 of the time
    msg = next(f.message for f in r.findings if f.code == "clipping")
    assert "clipped" in msg and "too loud" in msg and f"{r.clipping_ratio:.1%}" in msg
    assert "clipping" not in check_audio(_sine(amp=0.9), 16_000, BASE).codes()


def test_int16_full_scale_counts_as_clipping(speech):
    pcm = np.clip(speech * 8, -1, 1)
    r = check_audio((pcm * 32767).astype(np.int16), 16_000, BASE)
    assert "clipping" in r.codes()


def test_quiet_speech_is_reported(speech):
    r = check_audio(speech * 0.01, 16_000, BASE)  # -40 dB
    assert r.codes() == {"quiet"}, r.summary()
    f = r.findings[0]
    assert f.severity is Severity.WARNING and "very quiet" in f.message and "gain" in f.message
    assert r.snr_db == pytest.approx(check_audio(speech, 16_000).snr_db, abs=0.5)  # scale-invariant


def test_silence_is_an_error():
    r = check_audio(np.zeros(32_000, np.float32), 16_000, BASE)
    assert r.codes() == {"silent"} and r.worst() is Severity.ERROR


def test_noise_is_reported(speech):
    noise = np.random.default_rng(0).standard_normal(len(speech)).astype(np.float32)
    sig_rms = np.sqrt(np.mean(speech ** 2))
    noisy = speech + noise * sig_rms  # 0 dB overall SNR
    r = check_audio(noisy, 16_000, BASE)
    assert "noisy" in r.codes(), r.summary()
    assert r.snr_db < 6
    assert "background noise" in r.summary()


def test_8k_file_for_16k_model_suggests_8k_models(speech, tmp_path):
    path = tmp_path / "phone.wav"
    sf.write(path, resample(speech, 16_000, 8_000), 8_000, subtype="PCM_16")
    x, rate = sf.read(path, dtype="float32")
    r = check_audio(x, rate, BASE)
    assert r.codes() == {"low_rate"}, r.summary()
    msg = r.findings[0].message
    assert "8 kHz" in msg and "16 kHz" in msg and "paraformer-8k-v2" in msg


def test_16k_audio_for_8k_model_warns_and_low_rate_for_8k_model_is_error(speech):
    r = check_audio(speech, 16_000, EIGHT_K)
    assert "rate_mismatch" in r.codes() and r.worst() is Severity.WARNING
    assert "paraformer-8k-v2 expects 8 kHz" in r.summary()
    r = check_audio(_sine(rate=8000), 8000, EIGHT_K)
    assert "rate_mismatch" not in r.codes() and "low_rate" not in r.codes()
    r = check_audio(_sine(rate=6000), 6000, EIGHT_K)
    assert r.worst() is Severity.ERROR and "needs 8 kHz" in r.summary()


def test_44k_is_info_only(speech):
    up = np.repeat(speech, 3)  # crude 48 kHz version; only the rate matters here
    r = check_audio(up, 48_000, BASE)
    assert r.ok and "resample" in r.codes()


def test_stereo_and_dead_channel(speech):
    r = check_audio(np.stack([speech, speech * 0.8], axis=1), 16_000, BASE)
    assert r.channels == 2 and "multichannel" in r.codes() and r.ok
    r = check_audio(np.stack([speech, np.zeros_like(speech)], axis=1), 16_000, BASE)
    assert "dead_channel" in r.codes() and not r.ok


def test_empty_short_and_bad_shapes():
    assert check_audio(np.zeros(0, np.float32), 16_000).codes() == {"empty"}
    assert "short" in check_audio(_sine(seconds=0.2), 16_000).codes()
    with pytest.raises(ValueError, match="frames, channels"):
        check_audio(np.zeros((2, 2, 2)), 16_000)
    with pytest.raises(ValueError, match="sample rate"):
        check_audio(np.zeros(10), 0)
