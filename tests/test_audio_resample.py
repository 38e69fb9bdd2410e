"""The 16 kHz mono conversion: right frequency and level, no aliasing, streaming == one-shot."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from qwenasr_desktop.audio.resample import StreamResampler, resample, to_16k_mono, to_mono


def _tone(freq: float, rate: int, seconds: float, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _dominant_hz(x: np.ndarray, rate: int) -> float:
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / rate)[np.argmax(spec)])


@pytest.mark.parametrize("rate", [44_100, 48_000])
def test_stereo_device_rate_to_16k_mono(rate):
    # left: 1 kHz, right: 1 kHz in phase at a different level -> mono is their mean
    left, right = _tone(1000, rate, 2.0, 0.6), _tone(1000, rate, 2.0, 0.2)
    y = to_16k_mono(np.stack([left, right], axis=1), rate)
    assert y.dtype == np.float32 and y.ndim == 1
    assert abs(len(y) - 32_000) <= 1
    mid = y[400:-400]
    assert _dominant_hz(mid, 16_000) == pytest.approx(1000, abs=2)
    expected = 0.4 * np.sin(2 * np.pi * 1000 * np.arange(len(y)) / 16_000)
    assert np.max(np.abs(mid - expected[400:-400])) < 1e-3  # phase and amplitude preserved


def test_content_above_8khz_is_filtered_not_aliased():
    # A 10 kHz tone at 48 kHz would alias to 6 kHz if decimated naively.
    y = resample(_tone(10_000, 48_000, 1.0), 48_000)
    assert np.sqrt(np.mean(y[400:-400] ** 2)) < 1e-3
    # ...while speech-band content passes at full level.
    y = resample(_tone(3_000, 48_000, 1.0), 48_000)
    assert np.sqrt(np.mean(y[400:-400] ** 2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.01)


@pytest.mark.parametrize("rate", [44_100, 48_000, 22_050, 8_000, 16_000])
def test_streaming_in_random_blocks_equals_one_shot(rate):
    rng = np.random.default_rng(rate)
    x = rng.standard_normal(rate * 2).astype(np.float32) * 0.1
    whole = resample(x, rate)
    r = StreamResampler(rate)
    parts, i = [], 0
    while i < len(x):
        n = int(rng.integers(1, 3000))
        parts.append(r.process(x[i:i + n]))
        i += n
    parts.append(r.flush())
    streamed = np.concatenate(parts)
    assert len(streamed) == len(whole) == int(np.ceil(len(x) * 16_000 / rate))
    np.testing.assert_allclose(streamed, whole, atol=1e-6)


def test_real_speech_round_trip_48k_back_to_16k(manifest):
    """Upsample a real clip to 48 kHz stereo and back: the result matches the original."""
    x, sr = sf.read(manifest["sh_en_ls_1089-134686-0001"]["audio_path"], dtype="float32")
    assert sr == 16_000
    up = resample(x, 16_000, 48_000)
    back = to_16k_mono(np.stack([up, up], axis=1), 48_000)
    n = min(len(back), len(x))
    # speech has little energy at the 7.4 kHz filter edge, so the error is far below the signal
    err = np.sqrt(np.mean((back[:n] - x[:n]) ** 2)) / np.sqrt(np.mean(x ** 2))
    assert err < 0.05


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="positive"):
        StreamResampler(0)
    with pytest.raises(ValueError, match="mono 1-D"):
        StreamResampler(48_000).process(np.zeros((10, 2), np.float32))
    with pytest.raises(ValueError, match="frames, channels"):
        to_mono(np.zeros((2, 2, 2)))
    r = StreamResampler(48_000)
    r.flush()
    with pytest.raises(RuntimeError, match="after flush"):
        r.process(np.zeros(10, np.float32))
