"""Beam search with weighted hotword fusion (shallow fusion over a token trie) on our decoder.

The same search serves plain decodes (no trie). A biased search only proposes text: over-biasing
in an attention decoder skips audio to reach a hotword, loops on it, or copies the glossary in
the prompt, so what it may change is decided by verification.py.
Each hotword may complete at most MAX_HITS times per chunk; further completions earn nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from ..base import CancelToken
from .biasing import HotwordTrie

if TYPE_CHECKING:
    from .ort_decoder import StepScores

F32 = np.float32
MAX_HITS = 2
TOKENS_PER_SECOND_LIMIT = 12  # no real speech needs more; bounds the cost of a runaway loop


def max_new_tokens(seconds: float) -> int:
    """The most tokens a decode of a chunk this long may write (chunks are at most 30 s)."""
    return int(TOKENS_PER_SECOND_LIMIT * min(30.0, seconds)) + 16
# The verdict's bonus per hotword token and weight (verification.py): a change is kept when
# log p(text with it) - log p(plain text) + lambda * weight * tokens > 0 under the unprompted
# decoder. Chosen on the tuning half of the 21 real clips of ../shared (docs/benchmarks.md,
# "Hotwords as verified proposals"): at weight 4, lambda 0.25 / 0.5 / 0.75 / 1.0 gave B-WER
# 27.7 / 10.6 / 2.1 / 2.1 % with U-WER 6.5 % and 0/35 false alarms at all four; 0.75 is the
# smallest that reaches the best recall, confirmed on the other half.
DEFAULT_LAMBDA = {"local-whisper-base": 0.75, "local-whisper-tiny.en": 0.75}


class SearchTokenizer(Protocol):
    """What the search uses of faster-whisper's Tokenizer (untyped upstream): written down so a
    change of tokenizer, or a test's stand-in, is checked against it."""

    @property
    def sot(self) -> int: ...
    @property
    def sot_prev(self) -> int: ...
    @property
    def sot_lm(self) -> int | None: ...
    @property
    def sot_sequence(self) -> Sequence[int]: ...
    @property
    def eot(self) -> int: ...
    @property
    def no_timestamps(self) -> int: ...
    @property
    def no_speech(self) -> int: ...
    @property
    def transcribe(self) -> int: ...
    @property
    def translate(self) -> int: ...
    @property
    def timestamp_begin(self) -> int: ...
    @property
    def non_speech_tokens(self) -> Sequence[int]: ...
    def encode(self, text: str) -> list[int]: ...


class SearchDecoder(Protocol):
    """What the search needs of a decoder (ort_decoder.OrtWhisperDecoder is the one we have);
    `state` is the decoder's own cache object, opaque here."""

    V: int  # vocabulary size
    n_ctx: int  # text positions the model has

    def start(self, audio_features: np.ndarray) -> Any: ...
    def fresh(self, state: Any) -> Any: ...
    def step(self, state: Any, tokens: np.ndarray, suppress: np.ndarray, k: int,
             also_at: int | None = None) -> StepScores: ...
    def reorder(self, state: Any, src: list[int]) -> None: ...


def _suppress_mask(tok: SearchTokenizer, V: int) -> np.ndarray:
    suppress = [*tok.non_speech_tokens, tok.sot, tok.sot_prev, tok.no_timestamps, tok.transcribe,
                tok.translate, tok.no_speech, *range(tok.timestamp_begin, V)]
    if tok.sot_lm is not None:
        suppress.append(tok.sot_lm)
    mask = np.zeros(V, F32)
    mask[sorted({t for t in suppress if 0 <= t < V})] = -np.inf
    return mask


@dataclass
class SearchResult:
    tokens: list[int]
    logprob: float  # acoustic log-probability of the tokens (bonuses excluded)
    hits: dict[str, int]  # completed hotwords of the best hypothesis
    no_speech_prob: float


def _row_candidates(scores, i: int, trie: HotwordTrie | None, tstate: int, hits: dict[str, int],
                    k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The k best next tokens of hypothesis i with bonuses: (tokens, log-probs, bonuses).

    Bonuses only ever add to a per-row baseline (HotwordTrie.bonus_entries), so the k best are
    among the k acoustically best (ranked by the decoder) and the trie's few bonus tokens."""
    logp = scores.logp[i]
    if trie is None:
        toks = scores.top[i][:k]
        return toks, logp[toks], np.zeros(len(toks), F32)
    capped = {p for p, c in hits.items() if c >= MAX_HITS}
    baseline, btoks, extras = trie.bonus_entries(tstate, capped)
    toks = np.union1d(scores.top[i][:k], btoks)
    bonus = np.full(len(toks), F32(baseline))
    bonus[np.searchsorted(toks, btoks)] += extras
    lp = logp[toks]
    best = np.argsort(-(lp + bonus), kind="stable")[:k]
    return toks[best], lp[best], bonus[best]


class _Beams:
    """The hypotheses of one beam search with trie fusion: which rows go on, with which token."""

    def __init__(self, trie: HotwordTrie | None, beam_size: int, eot: int) -> None:
        self.trie, self.beam_size, self.eot = trie, beam_size, eot
        self.seqs: list[list[int]] = [[]]
        self.sum_lp = np.zeros(1)
        self.bias = np.zeros(1)
        self.tstates: list[int] = [0]
        self.hits: list[dict[str, int]] = [{}]
        self.finished: list[tuple[float, list[int], float, dict[str, int]]] = []
        self.done = False

    def advance(self, scores) -> tuple[list[int], list[int]]:
        """Extend the hypotheses in rows 0..n-1 of `scores`; (source rows, next tokens) of the
        survivors, or nothing once beam_size hypotheses have ended."""
        trie, k = self.trie, self.beam_size + 1
        # (total score, row, token, log-prob, bonus) of every row's k best, best first overall.
        cands = []
        for i in range(len(self.seqs)):
            c_toks, c_lp, c_bonus = _row_candidates(scores, i, trie, self.tstates[i], self.hits[i], k)
            base = self.sum_lp[i] + self.bias[i]
            cands += [(base + lp + bv, i, t, lp, bv) for t, lp, bv in
                      zip(c_toks.tolist(), c_lp.tolist(), c_bonus.tolist(), strict=True)]
        cands.sort(key=lambda c: -c[0])
        n_src, n_tok, n_lp, n_bias, n_states, n_hits = [], [], [], [], [], []
        for total, i, t, lp, bv in cands:
            if t == self.eot:
                self.finished.append((total / (len(self.seqs[i]) + 1), self.seqs[i],
                                      self.sum_lp[i] + lp, self.hits[i]))
            else:
                n_src.append(i)
                n_tok.append(t)
                n_lp.append(self.sum_lp[i] + lp)
                n_bias.append(self.bias[i] + bv)
                h = self.hits[i]
                if trie is not None:
                    ph = trie.completed_phrase(self.tstates[i], t)
                    if ph is not None:
                        h = {**h, ph: h.get(ph, 0) + 1}
                    n_states.append(trie.next_state(self.tstates[i], t))
                else:
                    n_states.append(0)
                n_hits.append(h)
            if len(n_src) == self.beam_size:
                break
        if len(self.finished) >= self.beam_size or not n_src:
            self.done = True
            return [], []
        self.seqs = [self.seqs[i] + [t] for i, t in zip(n_src, n_tok, strict=True)]
        self.sum_lp, self.bias = np.array(n_lp), np.array(n_bias)
        self.tstates, self.hits = n_states, n_hits
        return n_src, n_tok

    def best(self) -> tuple[list[int], float, dict[str, int]]:
        if not self.done:  # ran out of steps: unfinished hypotheses end here, unfinished matches taken back
            for i, seq in enumerate(self.seqs):
                pend = self.trie.nodes[self.tstates[i]].pending if self.trie is not None else 0.0
                self.finished.append(((self.sum_lp[i] + self.bias[i] - pend) / (len(seq) + 1), seq,
                                      self.sum_lp[i], self.hits[i]))
        _, seq, logprob, hits = max(self.finished, key=lambda f: f[0])
        return seq, float(logprob), dict(hits)


def beam_search(decoder: SearchDecoder, feats: np.ndarray | None, tok: SearchTokenizer, prompt: list[int],
                trie: HotwordTrie | None, beam_size: int = 5, max_new: int = 200,
                window: Any = None, cancel: CancelToken | None = None) -> SearchResult:
    """Beam search with trie fusion (none: a plain decode). `window` (decoder.start of the same
    features) saves recomputing the cross-attention K/V when one chunk is searched several times;
    with a window, `feats` may be None (verification.py searches one chunk several times).
    `cancel` is checked before every decoder step: a cancel is seen within one step."""
    init = ([tok.sot_prev, *prompt] if prompt else []) + list(tok.sot_sequence) + [tok.no_timestamps]
    max_new = min(max_new, decoder.n_ctx - len(init) - 1)
    smask = _suppress_mask(tok, decoder.V)
    first_mask = smask.copy()
    first_mask[[*tok.encode(" "), tok.eot]] = -np.inf  # no blank or empty transcript first
    k = beam_size + 1
    if window is not None:
        state = decoder.fresh(window)
    elif feats is not None:
        state = decoder.start(feats)
    else:
        raise ValueError("beam_search needs the encoder features or a window started from them")
    toks = np.array([init], dtype=np.int64)
    beams = _Beams(trie, beam_size, tok.eot)
    no_speech_prob = 0.0
    for step in range(max_new):
        if cancel is not None:
            cancel.raise_if_cancelled()
        if step == 0:
            scores = decoder.step(state, toks, first_mask, k, also_at=init.index(tok.sot))
            if scores.extra is not None:  # always, with also_at
                no_speech_prob = float(np.exp(scores.extra[tok.no_speech]))
        else:
            scores = decoder.step(state, toks, smask, k)
        src, nxt = beams.advance(scores)
        if not src:
            break
        decoder.reorder(state, src)
        toks = np.array(nxt, dtype=np.int64)[:, None]
    seq, logprob, hits = beams.best()
    return SearchResult(seq, logprob, hits, no_speech_prob)
