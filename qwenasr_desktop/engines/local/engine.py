"""The offline engine: Whisper from packaged weights, weighted hotwords, context, streaming.

Everything runs on this machine: CTranslate2 (int8) encodes, our int8 ONNX Runtime decoder
decodes (CT2 has no hook for weighted hotwords, and one decoder for both sides keeps a comparison
fair), Silero VAD cuts the audio. Loaded models are shared by every call and session in the process.

Vocabulary lists bound to another model are refused with the cloud's mismatch message instead
of being silently ignored as the cloud does: offline there is no reason to hide the mistake.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from ...audio.decode import AudioError
from ...core.chinese_script import Script
from ...core.hotwords import Hotword, check_model_match, effective_hotwords
from ...core.models import LOCAL_BASE, UnknownModelError, model_info
from ...core.transcript import Checkpoint, Sentence, Transcript, Verification
from ..base import (
    SAMPLE_RATE,
    AudioInput,
    CancelToken,
    ChunkCallback,
    ChunkDone,
    Engine,
    EngineCapabilities,
    EngineError,
    ProgressCallback,
    RecognitionOptions,
    StreamEvent,
    StreamingSession,
)
from .chunking import SpeechChunk, resume_origin, stream_chunks
from .packaged_models import LoadedModel, load_model, resolve_name
from .recognizer import ChunkDecoder, DecodeSettings, is_silence, to_sentences
from .source import ChunkSource, engine_errors
from .vad import VadConfig
from .verification import CONTEXT_WEIGHT, PROPOSAL_BONUS

if TYPE_CHECKING:
    from .vocabulary import VocabularyStore as MemoryVocabularies

ENGINE_NAME = "local"


PLAIN_DECODERS = ("ours", "ct2")


def _plain_decoder(value: object) -> str:
    if value not in PLAIN_DECODERS:
        raise EngineError(f"Unknown plain_decoder {value!r}; use one of: {', '.join(PLAIN_DECODERS)}.")
    return str(value)


class LocalEngine(Engine):
    name = ENGINE_NAME
    # Hotwords go straight into the decoder; its vocabularies are in-memory lists; nothing is billed.
    capabilities = EngineCapabilities(streaming=True, context=True, inline_hotwords=True,
                                      cloud_vocabularies=False, file_upload=False,
                                      cost_per_audio_minute=0.0, resumable=True)
    vocabularies: MemoryVocabularies  # in-memory lists (Engine.vocabularies, with get)

    def __init__(self, cpu_threads: int = 2) -> None:
        from .vocabulary import VocabularyStore

        self.cpu_threads = cpu_threads
        self.vocabularies = VocabularyStore()

    # -------------------------------------------------------------- options
    def model(self, name: str) -> LoadedModel:
        return load_model(name, self.cpu_threads)

    def settings_for(self, options: RecognitionOptions) -> DecodeSettings:
        """Resolve one request: model, language, the hotwords that act, the context text."""
        name = resolve_name(options.model or LOCAL_BASE)
        try:
            info = model_info(name)
        except UnknownModelError as e:
            raise EngineError(str(e)) from None
        items: list[Hotword] = list(options.hotwords)
        if options.vocabulary_id:
            vocab = self.vocabularies.get(options.vocabulary_id)
            mismatch = check_model_match(vocab.target_model, name)
            if mismatch:
                raise EngineError(mismatch.message.replace("the cloud would silently ignore every "
                                                           "hotword", "the offline engine refuses it"))
            items += vocab.items
        hints = [h for h in options.language_hints if h]
        hotwords = effective_hotwords(items, hints, info)
        language = "en" if info.languages == ("en",) else hints[0] if hints else None
        extra = options.extra or {}
        context = options.context.as_prompt_text() if options.context else ""
        try:
            script = Script(options.chinese_script)
        except ValueError:
            raise EngineError(f"Unknown Chinese script {options.chinese_script!r}; use one of: "
                              + ", ".join(s.value for s in Script)) from None
        return DecodeSettings(
            language=language, hotwords=hotwords, context_text=context, script=script,
            beam_size=int(extra.get("beam_size", 5)),
            biasing=bool(extra.get("biasing", True)) and bool(hotwords),
            lam=extra.get("lam"), prompt_min_weight=int(extra.get("prompt_min_weight", 1)),
            plain_decoder=_plain_decoder(extra.get("plain_decoder", "ours")),
            zh_script_sentence=bool(extra.get("zh_script_sentence", True)),
            context_weight=float(extra.get("context_weight", CONTEXT_WEIGHT)),
            proposal_bonus=float(extra.get("proposal_bonus", PROPOSAL_BONUS)),
        )

    # ------------------------------------------------------------ recognize
    def recognize(self, audio: AudioInput, options: RecognitionOptions,
                  progress: ProgressCallback | None = None,
                  cancel: CancelToken | None = None, *,
                  on_chunk: ChunkCallback | None = None,
                  resume: Checkpoint | None = None) -> Transcript:
        """A file is read as a stream of blocks and decoded chunk by chunk, so memory does not
        grow with its length.

        A resume decodes nothing before the checkpoint, but by default the VAD reads the file
        from its start again (reading and VAD only: a few % of the decode's time; the resampling
        of a 44.1/48 kHz file is most of it): the VAD's recurrent state at the
        checkpoint decides where the next chunk starts, and a VAD restarted later can cut it one
        32-ms frame apart, which shifts that chunk's word times by a few ms. `extra
        {"resume_seek": True}` restarts the reading at most 90 s before the checkpoint instead.
        """
        settings = self.settings_for(options)
        name = resolve_name(options.model or LOCAL_BASE)
        cancel = cancel or CancelToken()
        skip_until = (resume.position_ms * SAMPLE_RATE // 1000) if resume else 0
        seek = bool((options.extra or {}).get("resume_seek", False))
        origin = resume_origin(skip_until) if seek else 0
        with self._open(audio, options.sample_rate, origin) as source:
            decoder = ChunkDecoder(self.model(name), settings)
            # The caller's checkpoint stays as it was given (it may be shown or stored elsewhere).
            state = (replace(resume, sentences=list(resume.sentences),
                             verification=replace(resume.verification) if resume.verification else None)
                     if resume else Checkpoint(language=settings.language))
            state.duration_ms = source.duration_ms or state.duration_ms
            chunks = stream_chunks(source.blocks(), VadConfig(), origin=origin, skip_until=skip_until,
                                   cancel=cancel)
            for chunk in engine_errors(chunks):
                new = self._decode_chunk(decoder, chunk, state, cancel)
                if on_chunk:
                    on_chunk(ChunkDone(new, state))
                if progress and state.duration_ms:
                    progress(state.fraction)
            duration_ms = source.duration_ms or source.read_ms
        if progress:
            progress(1.0)
        return Transcript(sentences=state.sentences, duration_ms=duration_ms, engine=self.name,
                          model=name, language=state.language, verification=state.verification)

    @staticmethod
    def _decode_chunk(decoder: ChunkDecoder, chunk: SpeechChunk, state: Checkpoint,
                      cancel: CancelToken) -> list[Sentence]:
        """Decode one chunk into `state` (prompted with its carry); returns the new sentences."""
        cancel.raise_if_cancelled()
        start_ms, end_ms = chunk.start * 1000 // SAMPLE_RATE, chunk.end * 1000 // SAMPLE_RATE
        res = decoder.decode(chunk.samples, state.carry, start_ms, cancel=cancel)
        new = [] if is_silence(res) else to_sentences(res, start_ms, end_ms, len(state.sentences))
        if new:
            if res.verified:
                state.verification = state.verification or Verification()
                state.verification.add(res.proposed, res.kept)
            state.sentences += new
            state.language = state.language or res.language
            # Whisper's rule: text written after a fallback (here: a loop) does not prompt the next
            # chunk, so one bad chunk cannot drag the rest of an hour-long file into its loop.
            looped = any(n.endswith("fallback") for n in res.notes)
            state.carry = "" if looped else (state.carry + " " + res.text).strip()[-600:]
        state.position_ms = end_ms
        return new

    @staticmethod
    def _open(audio: AudioInput, rate: int, origin: int) -> ChunkSource:
        try:
            return ChunkSource.open(audio, rate, origin)
        except AudioError as e:
            raise EngineError(str(e)) from None

    # ------------------------------------------------------------ streaming
    def start_stream(self, options: RecognitionOptions,
                     on_event: Callable[[StreamEvent], None]) -> StreamingSession:
        from .streaming import LocalStreamingSession

        settings = self.settings_for(options)
        name = resolve_name(options.model or LOCAL_BASE)
        if options.sample_rate != SAMPLE_RATE:
            raise EngineError(f"The offline engine streams 16 kHz audio; got {options.sample_rate} Hz. "
                              "Resample before sending.")
        model = self.model(name)
        return LocalStreamingSession(ChunkDecoder(model, settings), on_event, engine=self.name, model=name)
