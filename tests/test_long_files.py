"""Long recordings: streamed chunks, cancel inside a chunk, resume where a run stopped, and a
recording that is complete on disk at every moment while memory stays flat.

The long file is built from real clips of tests/data: 100 s of quiet room noise first (so a
resume restarts the reading part way into the file, not at 0), then four clips; the last chunk
(well after 30 s) holds hotwords. Decoding it takes tens of seconds, so it is decoded once per
module for the plain-reference run and once split in two (cancelled, then resumed).
"""

from __future__ import annotations

import os
import threading
import time
import tracemalloc

import numpy as np
import pytest
import soundfile as sf
from pulse_mic import BLOCK, RATE, Feeder, mic_for_this_process  # tests/ is on sys.path

from qwenasr_desktop.audio.capture import MicCapture
from qwenasr_desktop.audio.decode import load_audio, resample
from qwenasr_desktop.audio.recorder import MicRecording, WavRecorder
from qwenasr_desktop.core.hotwords import Hotword
from qwenasr_desktop.core.models import LOCAL_BASE
from qwenasr_desktop.core.transcript import Checkpoint
from qwenasr_desktop.engines.base import CancelToken, EngineCancelledError, RecognitionOptions
from qwenasr_desktop.engines.local.chunking import resume_origin, stream_chunks
from qwenasr_desktop.engines.local.engine import LocalEngine
from qwenasr_desktop.engines.local.interruptible import run_cancellable
from qwenasr_desktop.engines.local.vad import merge_utterances, speech_utterances

SR = 16000
CLIPS = ["sh_en_jfk_inaugural", "sh_en_lj001_0003", "sh_en_ls_1272-128104-0000", "sh_en_ls_2412-153948-0000"]
LEAD_S = 100


def _long_audio(manifest, lead_s: float = LEAD_S, repeat: int = 1) -> np.ndarray:
    rng = np.random.default_rng(7)
    parts = [rng.normal(0, 0.002, int(lead_s * SR)).astype(np.float32)]
    for _ in range(repeat):
        for name in CLIPS:
            parts += [load_audio(manifest[name]["audio_path"]), np.zeros(SR, np.float32)]
    return np.concatenate(parts)


@pytest.fixture(scope="module")
def long_file(manifest, tmp_path_factory):
    """The long recording at 44.1 kHz, so the streamed reading resamples (and seeks) too."""
    path = tmp_path_factory.mktemp("long") / "long_44k.wav"
    sf.write(path, resample(_long_audio(manifest), SR, 44100), 44100, subtype="PCM_16")
    return path


@pytest.fixture(scope="module")
def options(manifest) -> RecognitionOptions:
    words = [h for name in CLIPS for h in manifest[name]["hotwords"] if not h["distractor"]]
    return RecognitionOptions(model=LOCAL_BASE, language_hints=["en"],
                              hotwords=[Hotword(h["text"], 4, "en") for h in words])


@pytest.fixture(scope="module")
def one_run(long_file, options):
    chunks = []
    tr = LocalEngine().recognize(long_file, options, on_chunk=lambda d: chunks.append(
        (list(d.new_sentences), d.checkpoint.position_ms, d.checkpoint.fraction)))
    return tr, chunks


def test_streamed_chunks_equal_the_whole_array_cuts(manifest):
    # Three copies of the clips after the lead: 1 min of speech, 14 chunks, read in odd blocks.
    audio = _long_audio(manifest, repeat=3)
    whole = merge_utterances(speech_utterances(audio))
    blocks = (audio[i:i + 7777] for i in range(0, len(audio), 7777))
    streamed = list(stream_chunks(blocks))
    assert [(c.start, c.end) for c in streamed] == [(c.start, c.end) for c in whole]
    assert all(np.array_equal(c.samples, audio[w.start:w.end]) for c, w in zip(streamed, whole, strict=True))
    # Restarted part way, as a resume does: the chunks after the checkpoint are the same.
    k = len(whole) // 2
    origin = resume_origin(whole[k].end)
    assert origin > 0
    rest = stream_chunks((audio[i:i + 5000] for i in range(origin, len(audio), 5000)),
                         origin=origin, skip_until=whole[k].end)
    assert [(c.start, c.end) for c in rest] == [(c.start, c.end) for c in whole[k + 1:]]


def test_stream_chunking_holds_about_one_chunk_of_audio(manifest):
    # 12 minutes of speech and silence fed as 1-s blocks made on the fly: the array would be
    # 46 MB; the chunker may hold its 30-s VAD block, the open chunk and a little more.
    unit = _long_audio(manifest, lead_s=20)  # ~65 s
    minutes = 12
    reps = int(minutes * 60 * SR / len(unit)) + 1

    def blocks():
        for _ in range(reps):
            for i in range(0, len(unit), SR):
                yield unit[i:i + SR].copy()

    tracemalloc.start()
    try:
        count = longest = 0
        for chunk in stream_chunks(blocks()):
            count += 1
            longest = max(longest, len(chunk.samples))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count >= 3 * reps and longest <= 20 * SR
    print(f"chunker peak {peak / 1e6:.1f} MB")
    assert peak < 20e6, f"peak {peak / 1e6:.1f} MB for {reps * len(unit) / SR / 60:.0f} min"


@pytest.mark.slow
def test_one_run_reports_every_chunk_and_finds_the_late_hotwords(one_run, long_file):
    tr, chunks = one_run
    assert tr.duration_ms == sf.info(long_file).frames * 1000 // 44100
    assert len(chunks) >= 3
    assert [s for new, _, _ in chunks for s in new] == tr.sentences  # each sentence reported once
    positions = [p for _, p, _ in chunks]
    assert positions == sorted(positions) and positions[0] > LEAD_S * 1000
    fractions = [f for _, _, f in chunks]
    assert 0 < fractions[0] < fractions[-1] <= 1
    late = " ".join(s.text for new, p, _ in chunks[-1:] for s in new)
    assert min(s.begin_ms for s in chunks[-1][0]) > 30_000
    assert "Quilter" in late or "antecedents" in late, late


@pytest.mark.slow
def test_cancel_inside_a_chunk_then_resume_gives_the_one_run(one_run, long_file, options):
    tr, chunks = one_run
    engine = LocalEngine()
    token = CancelToken()
    saved: list[dict] = []

    def on_chunk(done):
        saved.append(done.checkpoint.to_dict())  # what a caller stores
        # Cancel from another thread while the next chunk is being decoded (it takes seconds):
        # only a cancel seen inside the decoder stops the run before that chunk is reported.
        threading.Timer(0.3, token.cancel).start()

    with pytest.raises(EngineCancelledError):
        engine.recognize(long_file, options, cancel=token, on_chunk=on_chunk)
    assert len(saved) == 1, "the second chunk finished: the cancel was not seen inside it"
    checkpoint = Checkpoint.from_dict(saved[0])

    reported = []
    resumed = engine.recognize(long_file, options, resume=checkpoint,
                               on_chunk=lambda d: reported.append(d.new_sentences))
    assert resumed.sentences == tr.sentences  # words, times and probabilities: exactly one run
    assert [s for new in reported for s in new] == tr.sentences[len(chunks[0][0]):]
    assert resumed.duration_ms == tr.duration_ms

    # Reading from shortly before the checkpoint instead: the same text (the VAD restarted 50 s
    # before the checkpoint may cut the next chunk a frame apart, moving word times by ms).
    assert resume_origin(checkpoint.position_ms * SR // 1000) > 0
    seek = RecognitionOptions(**{**vars(options), "extra": {"resume_seek": True}})
    sought = engine.recognize(long_file, seek, resume=Checkpoint.from_dict(saved[0]))
    assert sought.text == tr.text
    pairs = zip(sought.sentences, tr.sentences, strict=True)
    assert all(abs(a.begin_ms - b.begin_ms) <= 64 for a, b in pairs)


def test_hour_long_recording_is_complete_on_disk_and_memory_stays_flat(tmp_path):
    # 24 minutes of microphone blocks (10 ms each, a real capture's size) written as fast as the
    # recorder takes them; at several moments the file is a complete WAV of what was flushed.
    rng = np.random.default_rng(3)
    tone = (0.1 * np.sin(np.arange(160) * 2 * np.pi / 32)).astype(np.float32)
    minute = tone + rng.normal(0, 0.01, (60 * 100, 160)).astype(np.float32)  # 6000 blocks of 10 ms
    path = tmp_path / "long.wav"
    minutes = 24
    peaks = []
    with WavRecorder(path, flush_interval=0.25) as rec:
        for m in range(minutes):
            tracemalloc.start()
            for block in minute:
                rec.write(block)
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
            if m in (0, 7, 15, minutes - 1):
                info = sf.info(path)
                assert info.frames == rec.frames_on_disk >= rec.frames - int(0.25 * SR)
                assert info.samplerate == SR and info.frames >= (m + 1) * 60 * SR - int(0.25 * SR)
                tail, _ = sf.read(path, start=info.frames - 160, dtype="float32")
                assert len(tail) == 160 and np.abs(tail).max() > 0.05  # real audio up to the end
    assert sf.info(path).frames == minutes * 60 * SR
    assert max(peaks) < 1e6 and peaks[-1] < 2 * peaks[0] + 100_000, peaks


def test_a_long_native_call_returns_at_once_when_cancelled():
    # Stands for a CTranslate2 encode (seconds, not interruptible): the caller raises as soon
    # as the token is set, without waiting for the call; results and errors pass through.
    release, token = threading.Event(), CancelToken()
    threading.Timer(0.1, token.cancel).start()
    try:
        with pytest.raises(EngineCancelledError):
            run_cancellable(lambda: release.wait(60), token)
    finally:
        release.set()
    assert run_cancellable(lambda: 42, CancelToken()) == 42
    assert run_cancellable(lambda: 43, None) == 43
    with pytest.raises(ZeroDivisionError):
        run_cancellable(lambda: 1 / 0, CancelToken())


class FastFeeder(Feeder):
    """The virtual microphone's feeder at `speed` times real time: module-pipe-source passes on
    what the FIFO gets as it gets it, so PulseAudio, ALSA and PortAudio deliver it that fast too
    (60 s fed at 50x arrived whole, without an overflow)."""

    speed = 25.0

    def _run(self) -> None:
        fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
        try:
            t0, i = time.monotonic(), 0
            while not self._halt.is_set() and i < len(self.pcm):
                self._write_all(fd, self.pcm[i:i + BLOCK].tobytes())
                i = min(len(self.pcm), i + BLOCK)
                self.frames_written = i
                self._halt.wait(max(0.0, t0 + i / RATE / self.speed - time.monotonic()))
            self.clip_done.set()
            silence = np.zeros(BLOCK, np.int16).tobytes()
            while not self._halt.is_set():  # keep the source flowing, at real time now
                self._write_all(fd, silence)
                self._halt.wait(BLOCK / RATE)
        finally:
            os.close(fd)


@pytest.fixture()
def fast_mic():
    with mic_for_this_process() as mic:
        yield mic


@pytest.mark.audio
def test_twenty_minutes_from_the_virtual_mic_are_on_disk_at_every_moment(fast_mic, manifest, tmp_path):
    # 20 minutes of a real clip, looped, through PulseAudio -> PortAudio -> our capture -> the
    # recorder at 25x real time (48 s), drained on a 20 ms tick as the UI does. Every 4 minutes
    # of audio the file on disk is a WAV of everything flushed; memory does not follow length.
    clip = np.round(load_audio(manifest["sh_en_ls_1995-1837-0001"]["audio_path"]) * 32767).astype(np.int16)
    pcm = np.tile(clip, int(20 * 60 * SR / len(clip)) + 1)[:20 * 60 * SR]
    rec = MicRecording(MicCapture("pulse"), WavRecorder(tmp_path / "mic.wav", flush_interval=0.25))
    rec.start()
    feeder = FastFeeder(fast_mic.fifo, pcm)
    fast_mic._feeders.append(feeder)  # stopped with the server
    feeder.start()
    checks, peaks, dropped = [], [], 0
    try:
        tracemalloc.start()
        while rec.elapsed_s < len(pcm) / SR and feeder.error is None:
            before = rec.elapsed_s
            dropped += rec.poll().dropped_frames
            if int(rec.elapsed_s // 240) > int(before // 240):  # every 4 minutes of audio
                peaks.append(tracemalloc.get_traced_memory()[1])
                tracemalloc.reset_peak()
                info = sf.info(rec.recorder.path)
                checks.append((info.frames, rec.recorder.frames_on_disk, rec.recorder.frames))
                tail, _ = sf.read(rec.recorder.path, start=info.frames - SR, dtype="int16")
                assert len(tail) == SR and np.abs(tail).max() > 1000  # speech up to the end
            threading.Event().wait(0.02)
    finally:
        tracemalloc.stop()
        path = rec.stop()
    assert feeder.error is None
    assert len(checks) >= 4 and all(on_file == on_disk and accepted - on_disk <= 0.25 * SR + 4000
                                    for on_file, on_disk, accepted in checks), checks
    assert sf.info(path).frames == rec.recorder.frames >= len(pcm) - dropped
    assert max(peaks) < 5e6 and peaks[-1] < 2 * peaks[0] + 500_000, peaks
