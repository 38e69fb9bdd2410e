"""Decode one speech chunk (<= 30 s) into timed words: the step files and streaming share.

One encoder pass per chunk (CTranslate2) feeds everything: language detection, our int8 ONNX
Runtime decoder (with or without weighted hotwords; CT2's own beam search only as the last resort
against a repetition loop, for its n-gram block) and the word alignment. faster-whisper's own
`transcribe` would encode twice when detecting the language and cannot take weighted hotwords, so
we drive the same CT2 model directly.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np

from ...core.chinese_script import Script, convert
from ...core.hotwords import Hotword
from ...core.transcript import Sentence, Word
from ..base import CancelToken
from .biasing import HotwordTrie
from .chunk_result import COMPRESSION_LIMIT, ChunkResult, compression_ratio
from .interruptible import run_cancellable
from .packaged_models import LoadedModel
from .prompt import NO_SPACE_LANGUAGES, PromptParts, build_prompt_tokens
from .search import max_new_tokens
from .verification import applies, proposal_trie, verified_decode

SAMPLE_RATE = 16000
N_FRAMES = 3000  # mel frames in one 30 s window
NO_SPEECH_LIMIT = 0.6
LOGPROB_LIMIT = -1.0
SENTENCE_END = ".?!。？！"


@dataclass
class DecodeSettings:
    """What one recognition asks of every chunk (resolved once from RecognitionOptions)."""

    language: str | None = None  # None: detect per chunk (multilingual model only)
    hotwords: list[Hotword] = field(default_factory=list)  # effective (hints applied)
    context_text: str = ""
    beam_size: int = 5
    biasing: bool = False  # weighted trie fusion in the biased decode (else glossary prompt only)
    lam: float | None = None  # per-token bonus scale; None = the model's calibrated default
    prompt_min_weight: int = 1  # hotwords with at least this weight are in the glossary (9: none)
    word_timestamps: bool = True
    # Encode only the audio plus this much padding instead of a full 30-s window (None). 3-4x
    # cheaper and as accurate for plain decoding, but weighted biasing needs the full window
    # (B-WER 3 -> 27-33 % with short ones, docs/benchmarks.md): for streaming partials only.
    short_window_s: float | None = None
    # "ours" (default): plain decodes on our int8 decoder, the same search as weighted hotwords;
    # "ct2": CTranslate2's own beam search, faster-whisper's path (kept for comparison).
    plain_decoder: str = "ours"
    # Chinese output in this script whatever the model wrote (Whisper base mixes in Traditional).
    script: Script = Script.SIMPLIFIED
    context_weight: float = 4.0  # what a context term is worth in the verdict, as a hotword weight
    proposal_bonus: float = 2.0  # per-token trie bonus of the biased decode (verification.py)
    zh_script_sentence: bool = True  # prompt.ZH_SIMPLIFIED_PREFIX (off only to test the converter)


class ChunkDecoder:
    """Shared model, own settings; caches tokenizers and the hotword trie (under a lock). Keeps
    nothing of a chunk: what a decode needs of it (the token cap from its length) is passed along."""

    _tok_lock = threading.Lock()

    def __init__(self, model: LoadedModel, settings: DecodeSettings) -> None:
        self.model = model
        self.settings = settings
        self._tokenizers: dict[str | None, object] = {}
        self._tries: dict[str, HotwordTrie] = {}  # per language: a run's hotwords, built once

    # ---------------------------------------------------------------- helpers
    def tokenizer(self, language: str | None):
        from faster_whisper.tokenizer import Tokenizer

        key = language if self.model.multilingual else None
        with self._tok_lock:
            tok = self._tokenizers.get(key)
            if tok is None:
                tok = Tokenizer(self.model.whisper.hf_tokenizer, self.model.multilingual,
                                task="transcribe", language=key)
                self._tokenizers[key] = tok
            return tok

    def features(self, audio: np.ndarray) -> tuple[np.ndarray, int]:
        from faster_whisper.audio import pad_or_trim

        mel = self.model.whisper.feature_extractor(audio[: 30 * SAMPLE_RATE])
        content = min(N_FRAMES, mel.shape[-1] - 1)
        frames = N_FRAMES
        if self.settings.short_window_s is not None:
            frames = min(N_FRAMES, content + int(self.settings.short_window_s * 100))
            frames += frames % 2  # the encoder's stride-2 convolution
        return pad_or_trim(mel[:, :content], frames), content

    def encode(self, mel: np.ndarray):
        import ctranslate2

        sv = ctranslate2.StorageView.from_array(np.ascontiguousarray(mel[None], dtype=np.float32))
        return self.model.ct2.encode(sv, to_cpu=True)

    def detect_language(self, enc) -> str:
        if not self.model.multilingual:
            return "en"
        if self.settings.language:
            return self.settings.language
        results = self.model.ct2.detect_language(enc)[0]
        return results[0][0][2:-2]

    def prompt_hotwords(self) -> list[Hotword]:
        """The glossary the biased decode's prompt spells out."""
        return [h for h in self.settings.hotwords if h.weight >= self.settings.prompt_min_weight]

    def proposal_trie(self, tok, language: str) -> HotwordTrie:
        """The biased decode's trie, built once per language for the whole run (tokenizing every
        hotword variant again for each chunk of an hour-long file would be wasted work)."""
        with self._tok_lock:
            trie = self._tries.get(language)
            if trie is None:
                trie = self._tries[language] = proposal_trie(tok, self.settings.hotwords,
                                                             self.settings.proposal_bonus, language)
            return trie

    def to_script(self, text: str, language: str) -> str:
        return convert(text, self.settings.script) if language == "zh" else text

    # ------------------------------------------------------------------ decode
    def decode(self, audio: np.ndarray, previous_text: str = "", offset_ms: int = 0,
               cancel: CancelToken | None = None) -> ChunkResult:
        """One chunk. Hotwords and context only ever propose changes to the plain decode
        (verification.py); without them the plain decode is the result. `cancel` is checked
        between the stages and at every decoder step (a biased 30-s chunk takes seconds)."""
        max_new = max_new_tokens(len(audio) / SAMPLE_RATE)
        mel, content_frames = self.features(audio)
        enc = run_cancellable(lambda: self.encode(mel), cancel)
        language = run_cancellable(lambda: self.detect_language(enc), cancel)
        tok = self.tokenizer(language)
        if applies(self.settings.hotwords, self.settings.context_text):
            res = verified_decode(self, enc, tok, language, previous_text, max_new, cancel)
        else:
            prompt = build_prompt_tokens(tok, PromptParts("", previous_text, (), language,
                                                           self.settings.zh_script_sentence))
            res = self.plain_decode(enc, tok, prompt, language, max_new, cancel=cancel)
        if self.settings.word_timestamps and res.tokens:
            tokens = res.tokens
            res.words = run_cancellable(lambda: self.align(enc, tok, tokens, content_frames, offset_ms),
                                        cancel)
        return res

    def plain_decode(self, enc, tok, prompt: list[int], language: str, max_new: int,
                     window=None, cancel: CancelToken | None = None) -> ChunkResult:
        """Beam search without hotwords, with Whisper's fallbacks for loops and silence, in the
        chosen Chinese script (tokens re-encoded when the script changed the text); at most
        `max_new` tokens (search.max_new_tokens of the chunk's length)."""
        res = self._plain(enc, tok, prompt, language, max_new, window, cancel)
        text = self.to_script(res.text, language)
        if text != res.text:
            lead = tok.decode(res.tokens[:1]).startswith(" ")
            res.text, res.tokens = text, tok.encode((" " if lead else "") + text)
        return res

    def _plain(self, enc, tok, prompt: list[int], language: str, max_new: int, window,
               cancel: CancelToken | None) -> ChunkResult:
        if self.settings.plain_decoder == "ct2":
            def search(e, t, p, lang):
                return run_cancellable(lambda: self._generate_ct2(e, t, p, lang), cancel)
        else:
            def search(e, t, p, lang):
                return self._search(e, t, p, lang, max_new, window, cancel)
        res = search(enc, tok, prompt, language)
        if compression_ratio(res.text) > COMPRESSION_LIMIT and prompt:
            # A loop usually copies the prompt: retry without it, then with an n-gram block.
            retry = search(enc, tok, [], language)
            retry.notes.append("compression-fallback")
            res = retry
        if compression_ratio(res.text) > COMPRESSION_LIMIT:
            res = run_cancellable(lambda: self._generate_ct2(enc, tok, [], language,
                                                             no_repeat_ngram_size=3), cancel)
            res.notes.append("no-repeat-fallback")
        return res

    def _search(self, enc, tok, prompt: list[int], language: str, max_new: int, window=None,
                cancel: CancelToken | None = None) -> ChunkResult:
        """Our decoder's beam search with no trie. The same search as weighted hotwords, so A and B
        of a comparison differ only by the hotwords; and for base 5 beams it is ~25 % faster than
        CT2's own beam search with the same WER on ../shared/testdata (docs/benchmarks.md)."""
        from .search import beam_search

        found = beam_search(self.model.decoder, np.asarray(enc)[0], tok, prompt, None,
                            self.settings.beam_size, max_new, window=window, cancel=cancel)
        return ChunkResult(tok.decode(found.tokens).strip(), found.tokens, language,
                           no_speech_prob=found.no_speech_prob,
                           avg_logprob=found.logprob / (len(found.tokens) + 1))

    def _generate_ct2(self, enc, tok, prompt: list[int], language: str, **kw) -> ChunkResult:
        """CTranslate2's beam search: the last resort against a loop (for its n-gram block), or
        every plain decode with `plain_decoder="ct2"`."""
        seq = ([tok.sot_prev, *prompt] if prompt else []) + [*tok.sot_sequence, tok.no_timestamps]
        max_new = 448 - len(seq) - 1
        out = self.model.ct2.generate(enc, [seq], beam_size=self.settings.beam_size,
                                      max_length=len(seq) + max_new, return_scores=True,
                                      return_no_speech_prob=True, suppress_blank=True,
                                      suppress_tokens=[-1], **kw)[0]
        tokens = [t for t in out.sequences_ids[0] if t < tok.eot]
        text = tok.decode(tokens).strip()
        # With length_penalty 1, CT2's score is the length-normalised log-probability.
        return ChunkResult(text, tokens, language, no_speech_prob=float(out.no_speech_prob),
                           avg_logprob=float(out.scores[0]) if out.scores else 0.0)

    def align(self, enc, tok, tokens: list[int], num_frames: int, offset_ms: int) -> list[Word]:
        try:
            al = self.model.whisper.find_alignment(tok, [tokens], enc, num_frames)[0]
        except (RuntimeError, ValueError, IndexError):
            return []
        words: list[Word] = []
        for w in al:
            text = w["word"]
            if not text.strip():
                continue
            if words and all(not ch.isalnum() for ch in text.strip()):
                # Punctuation gets its own alignment slot; the cloud attaches it to the word.
                words[-1].punctuation += text.strip()
                continue
            words.append(Word(text=text, begin_ms=offset_ms + round(w["start"] * 1000),
                              end_ms=offset_ms + round(w["end"] * 1000),
                              probability=float(w["probability"])))
        return words


def is_silence(res: ChunkResult) -> bool:
    """Whisper's own rule: a confident no-speech token and a weak transcript mean nothing said."""
    return not res.text or (res.no_speech_prob > NO_SPEECH_LIMIT and res.avg_logprob < LOGPROB_LIMIT)


def to_sentences(res: ChunkResult, start_ms: int, end_ms: int, first_id: int = 0,
                 is_final: bool = True) -> list[Sentence]:
    """Split a chunk's words into sentences at sentence-final punctuation."""
    if not res.words:
        return [Sentence(res.text, start_ms, end_ms, [], first_id, is_final=is_final)] if res.text else []
    joiner = "" if res.language in NO_SPACE_LANGUAGES else None
    groups: list[list[Word]] = [[]]
    for w in res.words:
        groups[-1].append(w)
        if (w.text.strip() + w.punctuation)[-1:] in SENTENCE_END:
            groups.append([])
    out: list[Sentence] = []
    for g in groups:
        if not g:
            continue
        if joiner is None:
            text = "".join(w.text + w.punctuation for w in g).strip()
        else:
            text = "".join(w.text.strip() + w.punctuation for w in g)
        out.append(Sentence(text, g[0].begin_ms, g[-1].end_ms, g, first_id + len(out), is_final=is_final))
    return out
