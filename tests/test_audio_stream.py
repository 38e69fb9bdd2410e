"""Files read as a stream of 16 kHz blocks give exactly what load_audio gives for the whole file."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from qwenasr_desktop.audio.decode import AudioError, load_audio, resample
from qwenasr_desktop.audio.stream import AudioStream, BlockResampler

CLIP = "sh_en_jfk_inaugural"


def _streamed(path, start: int = 0, block_s: float = 0.37) -> tuple[np.ndarray, int | None]:
    with AudioStream(path, start=start, block_s=block_s) as s:
        blocks = list(s.blocks())
        return np.concatenate(blocks), s.total


@pytest.fixture(scope="module")
def speech(manifest) -> np.ndarray:
    return load_audio(manifest[CLIP]["audio_path"])


@pytest.mark.parametrize("rate", [44100, 48000, 8000])
def test_blocks_equal_the_whole_file_at_common_rates(speech, tmp_path, rate):
    # A real clip converted to the rate, stereo, read in odd-sized blocks (0.37 s, so block edges
    # fall everywhere in the filter's phases): the samples equal load_audio's, and the length
    # is known before reading.
    source = resample(speech, 16000, rate)
    path = tmp_path / f"clip_{rate}.wav"
    sf.write(path, np.stack([source, 0.5 * source], axis=1), rate, subtype="FLOAT")
    whole = load_audio(path)
    got, total = _streamed(path)
    assert total == len(whole) == len(got)
    np.testing.assert_allclose(got, whole, atol=1e-6)
    # Starting part way (a resume) gives the whole file's samples from there on.
    for start in (12345, 5 * 16000):
        tail, _ = _streamed(path, start=start, block_s=1.1)
        np.testing.assert_allclose(tail, whole[start:], atol=1e-6)


def test_16khz_file_streams_unchanged_and_block_resampler_matches_one_shot(manifest, speech):
    got, total = _streamed(manifest[CLIP]["audio_path"])
    assert total == len(speech)
    np.testing.assert_array_equal(got, speech)
    # The resampler alone, fed uneven blocks (1 sample, then 999, then the rest).
    r = BlockResampler(16000, 44100)
    parts = [r.process(speech[:1]), r.process(speech[1:1000]), r.process(speech[1000:]),
             r.finish(len(speech))]
    np.testing.assert_allclose(np.concatenate(parts), resample(speech, 16000, 44100), atol=1e-6)


def test_ffmpeg_only_format_streams_like_load_audio(speech, tmp_path):
    av = pytest.importorskip("av")
    path = tmp_path / "clip.m4a"
    pcm = np.round(speech[: 4 * 16000] * 32767).astype(np.int16)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("aac", rate=16000)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(pcm[None], format="s16", layout="mono")
        frame.sample_rate = 16000
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    whole = load_audio(path)
    got, total = _streamed(path, block_s=0.5)
    assert total is not None and abs(total - len(whole)) < 2048  # the container's rounded duration
    np.testing.assert_array_equal(got, whole)
    tail, _ = _streamed(path, start=16000)
    np.testing.assert_array_equal(tail, whole[16000:])


def test_bad_files_get_the_load_audio_messages(tmp_path):
    cases = {}
    cases["missing"] = tmp_path / "missing.flac"
    cases["folder"] = tmp_path
    (tmp_path / "empty.wav").write_bytes(b"")
    cases["empty"] = tmp_path / "empty.wav"
    sf.write(tmp_path / "header.wav", np.zeros(0, np.int16), 16000)
    cases["header"] = tmp_path / "header.wav"
    (tmp_path / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt " + bytes(range(256)) * 20)
    cases["broken"] = tmp_path / "broken.wav"
    sf.write(tmp_path / "nan.wav", np.array([0.1, np.nan, 0.2], np.float32), 16000, subtype="FLOAT")
    cases["nan"] = tmp_path / "nan.wav"
    expected = {"missing": "does not exist", "folder": "is a folder", "empty": r"empty \(0 bytes\)",
                "header": "contains no samples", "broken": "not a readable audio file, or it is damaged",
                "nan": "NaN"}
    for name, path in cases.items():
        with pytest.raises(AudioError) as streamed:
            _streamed(path)
        with pytest.raises(AudioError) as whole:
            load_audio(path)
        assert streamed.match(expected[name]) and whole.match(expected[name]), (name, streamed.value)


def test_impossible_sample_rate_is_refused_before_reading(tmp_path):
    path = tmp_path / "odd.wav"
    sf.write(path, np.zeros(100, np.float32), 500, subtype="FLOAT")  # 500 Hz: below any real rate
    with pytest.raises(AudioError, match="sample rate is 500 Hz"):
        AudioStream(path)
