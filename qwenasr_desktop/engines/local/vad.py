"""Voice activity detection with Silero (the ONNX model faster-whisper ships), usable block by block.

faster-whisper's `get_speech_timestamps` wants the whole recording in memory at once and rebuilds
its state machine per call, which fits neither a microphone nor a 3-hour file. Here one
`FrameVad` keeps the LSTM state and the 64-sample context between calls, and one
`Segmenter` turns per-frame speech probabilities into utterances; files and streaming share
both, so the two paths cut speech the same way.
"""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass

import numpy as np

FRAME = 512  # samples per Silero frame at 16 kHz (32 ms)
CONTEXT = 64
SAMPLE_RATE = 16000
# Blocks quieter than this RMS (about -80 dBFS) are silence without asking the model: digital
# silence and muted microphones are common and would otherwise cost ~20 us of ONNX per frame.
SILENCE_RMS = 1e-4


@functools.lru_cache(maxsize=1)
def _session():
    import onnxruntime
    from faster_whisper.utils import get_assets_path

    opts = onnxruntime.SessionOptions()
    opts.inter_op_num_threads = 1
    opts.intra_op_num_threads = 1
    opts.enable_cpu_mem_arena = False
    opts.log_severity_level = 4
    path = os.path.join(get_assets_path(), "silero_vad_v6.onnx")
    return onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"], sess_options=opts)


_run_lock = threading.Lock()  # onnxruntime sessions are thread-safe, but 1 intra-op thread: serialise


class FrameVad:
    """Speech probability per 32 ms frame, for audio arriving in pieces of any size."""

    def __init__(self) -> None:
        self._h = np.zeros((1, 1, 128), np.float32)
        self._c = np.zeros((1, 1, 128), np.float32)
        self._ctx = np.zeros(CONTEXT, np.float32)
        self._rest = np.zeros(0, np.float32)

    def __call__(self, samples: np.ndarray) -> np.ndarray:
        x = np.concatenate([self._rest, np.asarray(samples, np.float32)])
        n = len(x) // FRAME
        self._rest = x[n * FRAME:].copy()
        if n == 0:
            return np.zeros(0, np.float32)
        frames = x[: n * FRAME].reshape(n, FRAME)
        if float(np.sqrt(np.mean(frames * frames))) < SILENCE_RMS:
            # Reset the recurrent state as Silero would decay it in silence.
            self._h[:] = 0
            self._c[:] = 0
            self._ctx = frames[-1, -CONTEXT:].copy()
            return np.zeros(n, np.float32)
        ctx = np.vstack([self._ctx[None], frames[:-1, -CONTEXT:]])
        batch = np.ascontiguousarray(np.concatenate([ctx, frames], axis=1))
        self._ctx = frames[-1, -CONTEXT:].copy()
        with _run_lock:
            out, self._h, self._c = _session().run(None, {"input": batch, "h": self._h, "c": self._c})
        return np.asarray(out, np.float32).reshape(-1)[:n]


@dataclass
class VadConfig:
    threshold: float = 0.5
    neg_threshold: float = 0.35
    min_speech_ms: int = 250
    min_silence_ms: int = 400  # silence that ends an utterance
    speech_pad_ms: int = 200
    max_utterance_s: float = 20.0  # Whisper decodes <= 30 s; shorter keeps the attention on track


@dataclass
class Utterance:
    start: int  # samples, padding included
    end: int


class Segmenter:
    """Turns frame probabilities into utterances; feed it in order, ask for what has ended.

    `push` returns the utterances that ended within the pushed frames; `active_start` tells a
    streaming caller where the current (unfinished) utterance began.
    """

    def __init__(self, config: VadConfig | None = None) -> None:
        self.cfg = config or VadConfig()
        self._frame = 0  # index of the next frame
        self._start: int | None = None  # frame where the current speech began
        self._last_speech = 0  # last frame with speech
        c = self.cfg
        self._min_sil = max(1, c.min_silence_ms * SAMPLE_RATE // 1000 // FRAME)
        self._min_speech = max(1, c.min_speech_ms * SAMPLE_RATE // 1000 // FRAME)
        self._max_frames = int(c.max_utterance_s * SAMPLE_RATE) // FRAME
        self._pad = c.speech_pad_ms * SAMPLE_RATE // 1000

    @property
    def active_start(self) -> int | None:
        return None if self._start is None else max(0, self._start * FRAME - self._pad)

    @property
    def position(self) -> int:
        return self._frame * FRAME

    @property
    def speech_end(self) -> int | None:
        """Sample just after the active utterance's last speech frame (None between utterances):
        unless speech resumes, the utterance will end here plus the padding."""
        return None if self._start is None else (self._last_speech + 1) * FRAME

    @property
    def trailing_silence_frames(self) -> int:
        return 0 if self._start is None else self._frame - 1 - self._last_speech

    def _close(self, end_frame: int) -> Utterance | None:
        start = self._start
        self._start = None
        if start is None or end_frame - start < self._min_speech:
            return None
        return Utterance(max(0, start * FRAME - self._pad), end_frame * FRAME + self._pad)

    def push(self, probs: np.ndarray) -> list[Utterance]:
        out: list[Utterance] = []
        c = self.cfg
        for p in probs:
            i = self._frame
            self._frame += 1
            if self._start is None:
                if p >= c.threshold:
                    self._start = i
                    self._last_speech = i
                continue
            if p >= c.neg_threshold:
                self._last_speech = i
            if i - self._last_speech >= self._min_sil:
                u = self._close(self._last_speech + 1)
                if u:
                    out.append(u)
            elif i - self._start >= self._max_frames:
                # Too long without a pause: cut here and continue in a new utterance.
                u = self._close(i)
                if u:
                    u.end = i * FRAME  # no padding overlap between forced pieces
                    out.append(u)
                self._start = i
                self._last_speech = i
        return out

    def flush(self) -> list[Utterance]:
        if self._start is None:
            return []
        u = self._close(self._last_speech + 1)
        return [u] if u else []


def speech_utterances(audio: np.ndarray, config: VadConfig | None = None,
                      block_s: float = 30.0, cancel=None) -> list[Utterance]:
    """All utterances of a recording, processed in blocks so memory stays flat."""
    vad, seg = FrameVad(), Segmenter(config)
    out: list[Utterance] = []
    block = int(block_s * SAMPLE_RATE)
    for s in range(0, len(audio), block):
        if cancel is not None:
            cancel.raise_if_cancelled()
        out += seg.push(vad(audio[s:s + block]))
    out += seg.flush()
    for u in out:
        u.end = min(u.end, len(audio))
    return out


def merge_utterances(utts: list[Utterance], max_s: float = 20.0, max_gap_s: float = 2.0) -> list[Utterance]:
    """Join neighbouring utterances into decode chunks of at most max_s: one Whisper window per
    chunk is cheaper than one per short phrase, and neighbours give the decoder context."""
    chunks: list[Utterance] = []
    for u in utts:
        if chunks and (u.end - chunks[-1].start) <= max_s * SAMPLE_RATE \
                and (u.start - chunks[-1].end) <= max_gap_s * SAMPLE_RATE:
            chunks[-1].end = max(chunks[-1].end, u.end)
        else:
            chunks.append(Utterance(u.start, u.end))
    return chunks
