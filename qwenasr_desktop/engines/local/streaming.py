"""Real-time recognition for the microphone: VAD utterances, partials, finals, own thread.

`send_audio` only appends to a queue, so the capture callback never waits for the CPU. A worker
thread runs the VAD on what arrived and re-decodes the growing utterance for a partial, first
after FIRST_PARTIAL_S and then every PARTIAL_EVERY_S (plain greedy, no hotwords, over a short
encoder window, no word timing: a partial is replaced soon anyway).

The final needs the full decode (30-s window, weighted hotwords), which alone takes most of a
second for base, and the VAD only declares an utterance over after 0.5 s of silence. So the final
decode starts speculatively once ~0.06 s of silence follows speech (no partial starts once
silence has begun, so the worker is free for it); if the silence then lasts, that result is the
final and appears as soon as it is ready, and if speech resumes it is dropped.
When decoding falls behind the audio, partials are skipped: finals never are.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from ...core.transcript import Sentence, Transcript, Verification
from ..base import SAMPLE_RATE, EngineError, StreamEvent, StreamingSession
from .chunk_result import ChunkResult
from .recognizer import ChunkDecoder, is_silence, to_sentences
from .vad import FrameVad, Segmenter, VadConfig

FIRST_PARTIAL_S = 0.5  # of utterance audio, 0.2 s of which is the padding before the speech
PARTIAL_EVERY_S = 0.5
SPECULATE_AFTER_FRAMES = 2  # VAD frames (32 ms) of silence before the final decode starts
STREAM_VAD = VadConfig(min_silence_ms=500, max_utterance_s=20.0)
PAD = STREAM_VAD.speech_pad_ms * SAMPLE_RATE // 1000


@dataclass
class _Speculation:
    start: int  # utterance start (samples)
    speech_end: int  # its speech end when the decode started
    result: ChunkResult
_STOP = object()
_FLUSH = object()


class LocalStreamingSession(StreamingSession):
    def __init__(self, decoder: ChunkDecoder, on_event: Callable[[StreamEvent], None],
                 engine: str = "local", model: str = "") -> None:
        self._final_decoder = decoder
        # Partials: the plain greedy decode over a short window (no glossary in the prompt: a
        # small Whisper copies it); the final of the same utterance gets the verified hotwords.
        self._partial_decoder = ChunkDecoder(decoder.model, replace(
            decoder.settings, beam_size=1, word_timestamps=False, biasing=False, short_window_s=1.0,
            hotwords=[], context_text=""))
        self._on_event = on_event
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._vad = FrameVad()
        self._seg = Segmenter(STREAM_VAD)
        self._buf = np.zeros(0, np.float32)
        self._buf_start = 0  # absolute sample index of _buf[0]
        self._received = 0
        self._last_partial_at = 0
        self._partials = 0  # partials of the current utterance
        self._speculation: _Speculation | None = None
        self._finals: list[Sentence] = []
        self._previous = ""
        self._error: BaseException | None = None
        self._closed = threading.Event()
        self._done = threading.Event()
        self._pending = 0  # items queued but not yet processed (for wait_idle)
        self._idle = threading.Condition()
        self._transcript = Transcript(engine=engine, model=model, language=decoder.settings.language)
        self._thread = threading.Thread(target=self._run, name="local-asr-stream", daemon=True)
        self._thread.start()

    # --------------------------------------------------------------- API
    def send_audio(self, samples: np.ndarray) -> None:
        if self._done.is_set() or self._closed.is_set():
            return
        with self._idle:
            self._pending += 1
        self._queue.put(np.asarray(samples, dtype=np.float32).reshape(-1).copy())

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until everything sent so far is processed (for feeding a file at its own pace)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0 or self._done.is_set(), timeout)

    def _processed(self, n: int) -> None:
        with self._idle:
            self._pending -= n
            self._idle.notify_all()

    def finish(self, timeout: float | None = None) -> Transcript:
        self._queue.put(_FLUSH)
        if not self._done.wait(timeout):
            raise EngineError("The offline engine did not finish in time.")
        if self._error is not None:
            raise EngineError(f"Streaming recognition failed: {self._error}") from self._error
        self._transcript.sentences = list(self._finals)
        self._transcript.duration_ms = self._received * 1000 // SAMPLE_RATE
        return self._transcript

    def close(self) -> None:
        self._closed.set()
        self._queue.put(_STOP)

    # ------------------------------------------------------------ worker
    def _run(self) -> None:
        try:
            while not self._closed.is_set():
                item = self._queue.get()
                if item is _STOP:
                    break
                if item is _FLUSH:
                    for u in self._seg.flush():
                        self._final(u.start, u.end)
                    break
                self._feed(item)
                fed = 1
                # Drain what else arrived before spending CPU on a partial.
                behind = False
                while True:
                    try:
                        nxt = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if nxt is _STOP or nxt is _FLUSH:
                        self._queue.put(nxt)
                        behind = True
                        break
                    self._feed(nxt)
                    fed += 1
                if not behind:
                    self._maybe_partial()
                self._processed(fed)
        except BaseException as e:  # reported by finish(); the capture side must not crash
            self._error = e
        finally:
            self._done.set()
            with self._idle:
                self._idle.notify_all()

    def _feed(self, samples: np.ndarray) -> None:
        self._buf = np.concatenate([self._buf, samples])
        self._received += len(samples)
        for u in self._seg.push(self._vad(samples)):
            self._final(u.start, u.end)
        # Keep only what the current utterance may still need (plus padding).
        keep_from = self._seg.active_start
        if keep_from is None:
            keep_from = max(0, self._received - SAMPLE_RATE)
        cut = keep_from - self._buf_start
        if cut > 0:
            self._buf = self._buf[cut:]
            self._buf_start = keep_from

    def _slice(self, start: int, end: int) -> np.ndarray:
        return self._buf[max(0, start - self._buf_start): max(0, end - self._buf_start)]

    def _maybe_partial(self) -> None:
        start = self._seg.active_start
        if start is None:
            return
        silence = self._seg.trailing_silence_frames
        if silence >= SPECULATE_AFTER_FRAMES:
            self._speculate(start)
        if silence:
            return  # speech may be ending: keep the worker free for the final's decode
        end = self._seg.position
        due = FIRST_PARTIAL_S if self._partials == 0 else PARTIAL_EVERY_S
        if end - max(start, self._last_partial_at) < due * SAMPLE_RATE:
            return
        self._last_partial_at = end
        self._partials += 1
        start_ms = start * 1000 // SAMPLE_RATE
        res = self._partial_decoder.decode(self._slice(start, end), self._previous, start_ms)
        if is_silence(res):
            return
        s = Sentence(res.text, start_ms, end * 1000 // SAMPLE_RATE, [], len(self._finals), is_final=False)
        self._on_event(StreamEvent(s))

    def _speculate(self, start: int) -> None:
        """Decode the utterance as it would end now, unless that is already done."""
        speech_end = self._seg.speech_end
        spec = self._speculation
        if speech_end is None or (spec and (spec.start, spec.speech_end) == (start, speech_end)):
            return
        end = min(self._seg.position, speech_end + PAD)
        res = self._final_decoder.decode(self._slice(start, end), self._previous, start * 1000 // SAMPLE_RATE)
        self._speculation = _Speculation(start, speech_end, res)

    def _final(self, start: int, end: int) -> None:
        spec, self._speculation = self._speculation, None
        self._partials = 0
        audio = self._slice(start, end)
        self._last_partial_at = end
        if len(audio) == 0:
            return
        start_ms = start * 1000 // SAMPLE_RATE
        if spec is not None and spec.start == start and spec.speech_end + PAD == end:
            res = spec.result  # no speech since the speculative decode: it is this utterance
        else:
            res = self._final_decoder.decode(audio, self._previous, start_ms)
        if is_silence(res):
            return
        if res.verified:
            self._transcript.verification = self._transcript.verification or Verification()
            self._transcript.verification.add(res.proposed, res.kept)
        self._transcript.language = self._transcript.language or res.language
        self._previous = (self._previous + " " + res.text).strip()[-600:]
        for s in to_sentences(res, start_ms, end * 1000 // SAMPLE_RATE, len(self._finals)):
            self._finals.append(s)
            self._on_event(StreamEvent(s))
