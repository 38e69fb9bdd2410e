"""Bad and unusual audio: every case ends in a transcript or a message that names the problem."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from qwenasr_desktop.audio.decode import AudioError, load_audio, prepare_array, resample
from qwenasr_desktop.core.metrics import error_counts
from qwenasr_desktop.core.models import LOCAL_TINY_EN
from qwenasr_desktop.engines.base import EngineError, RecognitionOptions
from qwenasr_desktop.engines.local.engine import LocalEngine

OPTS = RecognitionOptions(model=LOCAL_TINY_EN)


@pytest.fixture(scope="session")
def engine() -> LocalEngine:
    return LocalEngine()


def test_resampler_keeps_a_tone_and_the_length():
    t = np.arange(8000 * 2) / 8000
    y = resample(np.sin(2 * np.pi * 440 * t), 8000)
    ref = np.sin(2 * np.pi * 440 * np.arange(len(y)) / 16000)
    assert len(y) == 32000 and np.abs(y[300:-300] - ref[300:-300]).max() < 1e-3
    # Content above the new Nyquist (7 kHz at 44.1 kHz input is fine, 10 kHz is not) is removed.
    t = np.arange(44100) / 44100
    alias = resample(np.sin(2 * np.pi * 10000 * t), 44100)
    assert np.abs(alias[300:-300]).max() < 0.01


def test_int_and_stereo_arrays_are_converted():
    stereo = np.stack([np.full(1600, 16384, np.int16), np.zeros(1600, np.int16)], axis=1)
    out = prepare_array(stereo, 16000)
    assert out.dtype == np.float32 and out.shape == (1600,) and np.allclose(out, 0.25)
    with pytest.raises(AudioError, match="NaN"):
        prepare_array(np.array([0.0, np.nan], np.float32))


def test_empty_file_is_reported(engine, tmp_path):
    p = tmp_path / "empty.wav"
    p.write_bytes(b"")
    with pytest.raises(EngineError, match=r"empty \(0 bytes\)"):
        engine.recognize(p, OPTS)


def test_header_only_wav_has_no_samples(tmp_path):
    p = tmp_path / "header.wav"
    sf.write(p, np.zeros(0, np.int16), 16000)
    with pytest.raises(AudioError, match="no samples"):
        load_audio(p)


def test_corrupt_file_is_reported(engine, tmp_path):
    p = tmp_path / "broken.wav"
    p.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt " + bytes(range(256)) * 20)
    with pytest.raises(EngineError, match="not a readable audio file, or it is damaged"):
        engine.recognize(p, OPTS)
    with pytest.raises(EngineError, match="does not exist"):
        engine.recognize(tmp_path / "missing.flac", OPTS)


@pytest.mark.slow
def test_8khz_stereo_file_is_resampled_and_recognized(engine, manifest, tmp_path):
    rec = manifest["sh_en_ls_1995-1837-0001"]
    audio = load_audio(rec["audio_path"])
    low = resample(audio, 16000, 8000)
    p = tmp_path / "phone_stereo.wav"
    sf.write(p, np.stack([low, low * 0.5], axis=1), 8000, subtype="PCM_16")
    tr = engine.recognize(p, OPTS)
    assert error_counts(rec["reference_normalized"], tr.text).wer < 0.35, tr.text


def test_three_hours_of_silence_give_an_empty_transcript(engine):
    # 3 h of digital silence as an array: np.zeros pages are not touched, so this costs no RAM;
    # it runs the full path (conversion, block-wise VAD, chunking), which finds no speech.
    silence = np.zeros(3 * 3600 * 16000, np.float32)
    progress = []
    tr = engine.recognize(silence, OPTS, progress=progress.append)
    assert tr.sentences == [] and tr.duration_ms == 3 * 3600 * 1000
    assert progress and progress[-1] == 1.0


def test_ten_minutes_of_noise_from_a_file_give_no_words(engine, tmp_path):
    # Low-level noise is not digital silence: it goes through the Silero model frame by frame.
    noise = np.random.default_rng(0).normal(0, 0.003, 10 * 60 * 16000).astype(np.float32)
    p = tmp_path / "noise.flac"
    sf.write(p, noise, 16000)
    assert engine.recognize(p, OPTS).text == ""
