"""The recorder writes a WAV that is complete at every flush, so a killed app loses nothing heard."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import wave

import numpy as np
import pytest
import soundfile as sf

from qwenasr_desktop.audio.recorder import RecorderError, WavRecorder, float_to_pcm16, new_recording_path

CHILD = textwrap.dedent("""
    import sys
    import soundfile as sf
    from qwenasr_desktop.audio.recorder import WavRecorder

    clip, out = sys.argv[1], sys.argv[2]
    x, sr = sf.read(clip, dtype="float32")
    rec = WavRecorder(out, flush_interval=0.1)
    for i in range(0, len(x), 160):          # 10 ms blocks, as drained from the microphone
        rec.write(x[i:i + 160])
    rec.flush()
    rec.write(x[:800])                       # 50 ms more, still pending in memory
    print(rec.frames_on_disk, rec.frames, flush=True)
    sys.stdin.read()                         # "still recording" until the parent kills us
""")


def test_file_survives_sigkill_mid_recording(manifest, tmp_path):
    clip = manifest["sh_en_ls_1089-134686-0001"]["audio_path"]
    out = tmp_path / "rec.wav"
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(clip), str(out)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()  # the child reports once its audio is written
        assert line, proc.stderr.read()
        on_disk, accepted = map(int, line.split())
        proc.send_signal(signal.SIGKILL)  # no close(), no atexit, no finally
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    src, _ = sf.read(clip, dtype="float32")
    assert on_disk == len(src) and accepted == len(src) + 800

    info = sf.info(out)  # a valid header that counts exactly the flushed frames
    assert (info.samplerate, info.channels, info.frames) == (16_000, 1, on_disk)
    got, _ = sf.read(out, dtype="int16")
    np.testing.assert_array_equal(got, float_to_pcm16(src))
    with wave.open(str(out)) as w:  # the stdlib agrees, so any player will
        assert w.getnframes() == on_disk


def test_header_valid_after_every_flush_and_elapsed_counts_audio(tmp_path):
    path = tmp_path / "r.wav"
    rec = WavRecorder(path, flush_interval=0.1)
    assert sf.info(path).frames == 0  # valid even before any audio
    rng = np.random.default_rng(3)
    written = []
    for _ in range(30):
        block = (rng.standard_normal(int(rng.integers(50, 700))) * 0.2).astype(np.float32)
        rec.write(block)
        written.append(block)
        # whatever is on disk at any moment is a readable prefix of what was written
        on_disk, _ = sf.read(path, dtype="int16")
        assert len(on_disk) == rec.frames_on_disk <= rec.frames
        np.testing.assert_array_equal(on_disk, float_to_pcm16(np.concatenate(written))[:len(on_disk)])
    assert rec.frames - rec.frames_on_disk < 1600  # at most one flush interval pending
    assert rec.elapsed_s == pytest.approx(sum(map(len, written)) / 16_000)
    assert rec.close() == path
    assert sf.info(path).frames == sum(map(len, written))
    with pytest.raises(RecorderError, match="closed"):
        rec.write(np.zeros(10, np.float32))


def test_pcm_conversion_clips_instead_of_wrapping():
    pcm = float_to_pcm16(np.array([0.0, 0.5, 1.0, 1.7, -1.0, -3.0], np.float32))
    np.testing.assert_array_equal(pcm, [0, 16384, 32767, 32767, -32767, -32767])


def test_session_paths_never_overwrite(tmp_path):
    a = new_recording_path(tmp_path / "s")
    a.write_bytes(b"x")
    b = new_recording_path(tmp_path / "s")
    assert a != b and a.parent == b.parent == tmp_path / "s"
    with pytest.raises(FileExistsError):
        WavRecorder(a)
    assert a.read_bytes() == b"x"


def test_rejects_multichannel_blocks(tmp_path):
    with WavRecorder(tmp_path / "r.wav") as rec, pytest.raises(RecorderError, match="mono"):
        rec.write(np.zeros((10, 2), np.float32))
