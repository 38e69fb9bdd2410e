"""DashScopeEngine: the Engine interface over the cloud (or the emulator, or a proxy).

`recognize` picks the call by the model's mode: file models go through upload + async task,
the flash model through one multimodal-generation call with context, real-time models stream
the audio over the WebSocket. Before any recognition with a `vocabulary_id`, the list's target
model is checked: the cloud would silently ignore a list made for another model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ...core.hotwords import Hotword
from ...core.models import Mode, model_info
from ...core.transcript import Transcript
from ..base import (
    SAMPLE_RATE,
    AudioInput,
    CancelToken,
    Checkpoint,
    ChunkCallback,
    ChunkDone,
    Engine,
    EngineCancelledError,
    EngineCapabilities,
    ProgressCallback,
    RecognitionOptions,
    StreamEvent,
)
from .auth import load_api_key
from .config import Endpoints, resolve_region
from .errors import DashScopeError, ValidationError
from .flash import FlashClient, wav_bytes
from .http import HttpClient
from .realtime import RealtimeSession
from .transcription import FileDone, FileProgress, FileResult, TranscriptionClient
from .vocabulary import VocabularyClient

FILE_PARAMS = ("channel_id", "diarization_enabled", "speaker_count", "special_word_filter",
               "disfluency_removal_enabled", "timestamp_alignment_enabled")


def file_parameters(options: RecognitionOptions) -> dict:
    """The file-transcription task's `parameters` for these options."""
    params: dict = {k: options.extra[k] for k in FILE_PARAMS if k in options.extra}
    if options.vocabulary_id:
        params["vocabulary_id"] = options.vocabulary_id
    if options.language_hints:
        params["language_hints"] = list(options.language_hints)
    return params


class DashScopeEngine(Engine):
    name = "dashscope"
    # Hotwords only through a cloud vocabulary; file models read uploaded files; every recognition
    # is billed by audio duration (the price depends on model and region, so it is not stated here).
    capabilities = EngineCapabilities(streaming=True, context=True, inline_hotwords=False,
                                      cloud_vocabularies=True, file_upload=True,
                                      cost_per_audio_minute=None)

    vocabularies: VocabularyClient  # the cloud's lists (Engine.vocabularies, with check_use)

    def __init__(self, endpoints: Endpoints, api_key: str, *, timeout: float = 30.0,
                 check_vocabulary_model: bool = True) -> None:
        self.endpoints = endpoints
        self._api_key = api_key
        self.http = HttpClient(endpoints, api_key, timeout=timeout)
        self.vocabularies = VocabularyClient(self.http)
        self.files = TranscriptionClient(self.http)
        self.flash = FlashClient(self.http)
        self.check_vocabulary_model = check_vocabulary_model

    def close(self) -> None:
        self.http.close()

    def upload(self, path: str | Path, model: str) -> str:
        return self.files.upload(path, model)

    # --- recognition ---------------------------------------------------------------------
    def _check_vocabulary(self, options: RecognitionOptions) -> None:
        if options.vocabulary_id and self.check_vocabulary_model:
            self.vocabularies.check_use(options.vocabulary_id, options.model)
        if options.hotwords and not options.vocabulary_id:
            raise ValidationError("DashScope uses hotwords through a cloud vocabulary: sync the list "
                                  "first (vocab create) and pass its vocabulary_id.")

    def recognize(self, audio: AudioInput, options: RecognitionOptions,
                  progress: ProgressCallback | None = None,
                  cancel: CancelToken | None = None, *,
                  on_chunk: ChunkCallback | None = None,
                  resume: Checkpoint | None = None) -> Transcript:
        """The cloud returns a file's transcript in one piece: `on_chunk` hears it once, at the
        end, and `resume` is ignored (capabilities.resumable is False)."""
        info = model_info(options.model)
        self._check_vocabulary(options)
        if cancel is not None:
            cancel.raise_if_cancelled()
        if info.supports(Mode.FLASH):
            tr = self.flash.recognize(audio if not isinstance(audio, str) else Path(audio), options.model,
                                      context=options.context, vocabulary_id=options.vocabulary_id,
                                      language_hints=options.language_hints)
        elif info.supports(Mode.FILE):
            tr = self._recognize_file(audio, options, progress, cancel)
        elif info.supports(Mode.REALTIME):
            tr = self._recognize_streamed(audio, options, progress, cancel)
        else:
            raise DashScopeError(f"{options.model} cannot be used for recognition here.")
        if on_chunk:
            on_chunk(ChunkDone(list(tr.sentences), Checkpoint(
                tr.duration_ms, tr.duration_ms, list(tr.sentences), language=tr.language)))
        if progress:
            progress(1.0)
        return tr

    def _recognize_file(self, audio: AudioInput, options: RecognitionOptions,
                        progress: ProgressCallback | None, cancel: CancelToken | None) -> Transcript:
        params = file_parameters(options)
        if isinstance(audio, np.ndarray):
            import tempfile

            with tempfile.TemporaryDirectory() as d:
                p = Path(d) / "audio.wav"
                p.write_bytes(wav_bytes(audio))
                return self._recognize_file(p, options, progress, cancel)
        results = self.files.transcribe_files(
            options.model, [audio], params, cancel=cancel,
            progress=(lambda _i, _stage, frac: progress(frac * 0.99)) if progress else None)
        r = results[0]
        if r.error is not None:
            raise r.error
        assert r.transcript is not None
        return r.transcript

    def recognize_files(self, sources: Sequence[str | Path], options: RecognitionOptions, *,
                        progress: FileProgress | None = None, on_file: FileDone | None = None,
                        cancel: CancelToken | None = None) -> list[FileResult]:
        """Many files with one set of options; a result (transcript or error) per file, in order.

        File models get one task for the whole batch (uploads, one submit, one polling loop);
        flash and real-time models have no batch call, so their files go one by one. Either way
        one file's failure is its own result and the rest go on; a cancel raises
        EngineCancelledError. Options that are wrong for every file (a vocabulary for another
        model) raise before anything is uploaded."""
        info = model_info(options.model)
        self._check_vocabulary(options)
        if info.supports(Mode.FILE):
            return self.files.transcribe_batch(options.model, sources, file_parameters(options),
                                               progress=progress, on_file=on_file, cancel=cancel)
        results = []
        for i, src in enumerate(sources):
            def report(frac: float, i: int = i) -> None:
                if progress:
                    progress(i, "recognizing", frac)

            try:
                r = FileResult(str(src), self.recognize(src, options, report, cancel))
            except EngineCancelledError:
                raise
            except DashScopeError as e:
                r = FileResult(str(src), error=e)
            results.append(r)
            if on_file:
                on_file(i, r)
        return results

    def hotword_vocabulary(self, items: Sequence[Hotword], target_model: str,
                           prefix: str = "qwcli") -> tuple[str, bool]:
        """(vocabulary_id, reused) of a cloud list holding exactly `items` for `target_model`.

        The cloud allows 10 lists per account, so a list with the same hotwords (in any order)
        made earlier under `prefix` is reused instead of creating one per run."""
        wanted = sorted((h.text.strip(), h.weight, h.lang or "") for h in items)
        for v in self.vocabularies.list_all(prefix):
            info = self.vocabularies.query(v.vocabulary_id)
            have = sorted((h.text.strip(), h.weight, h.lang or "") for h in info.items)
            if info.target_model == target_model and have == wanted:
                self.vocabularies.wait_ok(v.vocabulary_id)
                return v.vocabulary_id, True
        vid = self.vocabularies.create(prefix, target_model, items)
        self.vocabularies.wait_ok(vid)
        return vid, False

    def _recognize_streamed(self, audio: AudioInput, options: RecognitionOptions,
                            progress: ProgressCallback | None, cancel: CancelToken | None) -> Transcript:
        if not isinstance(audio, np.ndarray):
            audio = _read_mono_16k(Path(audio))
        session = RealtimeSession(self.endpoints, self._api_key, options, lambda _e: None)
        try:
            step = SAMPLE_RATE  # 1 s per call; frames of 100 ms go out as fast as the socket takes
            for i in range(0, len(audio), step):
                if cancel is not None and cancel.cancelled:
                    session.close()
                    cancel.raise_if_cancelled()
                session.send_audio(audio[i:i + step])
                if progress:
                    progress(min(0.9, 0.9 * (i + step) / max(1, len(audio))))
            return session.finish()
        finally:
            session.close()

    def start_stream(self, options: RecognitionOptions, on_event: Callable[[StreamEvent], None],
                     on_error: Callable[[DashScopeError], None] | None = None) -> RealtimeSession:
        info = model_info(options.model)
        if not info.supports(Mode.REALTIME):
            raise ValidationError(f"{options.model} is not a real-time model; pick fun-asr-realtime or "
                                  "paraformer-realtime-v2 for live recognition.")
        self._check_vocabulary(options)
        return RealtimeSession(self.endpoints, self._api_key, options, on_event, on_error)


def _read_mono_16k(path: Path) -> np.ndarray:
    """A file as 16 kHz mono float32 (first channel; linear resampling is enough for ASR input)."""
    import soundfile as sf

    try:
        x, rate = sf.read(path, dtype="float32", always_2d=True)
    except Exception as e:
        raise ValidationError(f"Cannot read {path.name} as audio ({type(e).__name__}); use WAV, FLAC "
                              "or OGG, or pick a file-transcription model.") from None
    mono = x[:, 0]
    if rate != SAMPLE_RATE and mono.size:
        n = round(mono.size * SAMPLE_RATE / rate)
        mono = np.interp(np.arange(n) * (rate / SAMPLE_RATE), np.arange(mono.size), mono)
    return mono.astype(np.float32)


def make_dashscope_engine(region: str = "intl", api_key: str | None = None,
                          timeout: float = 30.0) -> DashScopeEngine:
    """`region`: intl (default), cn, or a base URL (e.g. http://127.0.0.1:8765 for the emulator).
    `api_key`: explicit, else DASHSCOPE_API_KEY, else the OS keyring. `timeout`: per HTTP request."""
    return DashScopeEngine(resolve_region(region), load_api_key(api_key), timeout=timeout)
