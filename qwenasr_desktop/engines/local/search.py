"""Beam search with weighted hotword fusion on the NumPy decoder, and the guards around it.

Over-biasing in an attention decoder does not only substitute words: it can skip audio to
reach a hotword, or loop on it (design notes §6). So a biased decode is checked against the
plain CT2 decode of the same chunk and replaced by it when it
  * loops (compression ratio above Whisper's 2.4), or
  * covers clearly less speech (normalised text shorter than COVERAGE of the plain one).
Each hotword may complete at most MAX_HITS times per chunk; further completions earn nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ...core.metrics import tokens as norm_units
from .biasing import HotwordTrie
from .prompt import NO_SPACE_LANGUAGES

if TYPE_CHECKING:
    from .recognizer import ChunkDecoder, ChunkResult

F32 = np.float32
MAX_HITS = 2
COVERAGE = 0.8
TOKENS_PER_SECOND_LIMIT = 12  # no real speech needs more; bounds the cost of a runaway loop
# Per-token bonus scale, chosen on ../shared/testdata (docs/benchmarks.md, "Calibration"):
# weight w earns DEFAULT_LAMBDA[model] * w per hotword token. At weight 4, base: lambda 0.25 / 0.5 /
# 1.0 gave B-WER 6.1 / 3.0 / 9.1 % and U-WER 9.2 / 5.6 / 6.6 %; tiny.en: B-WER 0 at all three,
# U-WER 0.7 / 0.7 / 4.5 % and 0 / 0 / 2 distractor false alarms. 0.5 is best or tied on both.
DEFAULT_LAMBDA = {"local-whisper-base": 0.5, "local-whisper-tiny.en": 0.5}


def _log_softmax(x: np.ndarray) -> np.ndarray:
    m = x.max(-1, keepdims=True)
    z = x - m
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def _suppress_mask(tok, V: int) -> np.ndarray:
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


def beam_search(decoder, feats: np.ndarray, tok, prompt: list[int], trie: HotwordTrie | None,
                beam_size: int = 5, max_new: int = 200) -> SearchResult:
    V = decoder.V
    init = ([tok.sot_prev, *prompt] if prompt else []) + list(tok.sot_sequence) + [tok.no_timestamps]
    max_new = min(max_new, decoder.n_ctx - len(init) - 1)
    smask = _suppress_mask(tok, V)
    blank = [*tok.encode(" "), tok.eot]
    eot = tok.eot
    state = decoder.start(feats, beam_size)
    toks = np.array([init], dtype=np.int64)
    seqs: list[list[int]] = [[]]
    sum_lp = np.zeros(1)
    bias = np.zeros(1)
    tstates: list[int] = [0]
    hits: list[dict[str, int]] = [{}]
    finished: list[tuple[float, list[int], float, dict[str, int]]] = []
    sot_index = init.index(tok.sot)
    no_speech_prob = 0.0
    for step in range(max_new):
        if step == 0:
            logits, sot_logits = decoder.step(state, toks, also_at=sot_index)
            sot_lp = _log_softmax(sot_logits[None])[0]
            no_speech_prob = float(np.exp(sot_lp[tok.no_speech]))
        else:
            logits = decoder.step(state, toks)
        logits += smask
        if step == 0:
            logits[:, blank] = -np.inf
        logp = _log_softmax(logits)
        B = logp.shape[0]
        if trie is not None:
            bvec = np.empty_like(logp)
            for i in range(B):
                capped = {p for p, c in hits[i].items() if c >= MAX_HITS}
                bvec[i] = trie.bonus_vector(tstates[i], V, capped, eot)
            total = logp + bvec + (sum_lp + bias).astype(F32)[:, None]
        else:
            bvec = None
            total = logp + (sum_lp + bias).astype(F32)[:, None]
        k = beam_size + 1
        top = np.argpartition(-total, k, axis=1)[:, :k]
        cand = np.take_along_axis(total, top, 1)
        order = np.argsort(-cand, axis=None, kind="stable")
        n_src, n_tok, n_lp, n_bias, n_states, n_hits = [], [], [], [], [], []
        for flat in order:
            i, j = divmod(int(flat), k)
            t = int(top[i, j])
            lp = float(logp[i, t])
            bv = float(bvec[i, t]) if bvec is not None else 0.0
            if t == eot:
                length = len(seqs[i]) + 1
                finished.append(((sum_lp[i] + lp + bias[i] + bv) / length, seqs[i], sum_lp[i] + lp, hits[i]))
            else:
                n_src.append(i)
                n_tok.append(t)
                n_lp.append(sum_lp[i] + lp)
                n_bias.append(bias[i] + bv)
                h = hits[i]
                if trie is not None:
                    ph = trie.completed_phrase(tstates[i], t)
                    if ph is not None:
                        h = {**h, ph: h.get(ph, 0) + 1}
                    n_states.append(trie.next_state(tstates[i], t))
                else:
                    n_states.append(0)
                n_hits.append(h)
            if len(n_src) == beam_size:
                break
        if len(finished) >= beam_size or not n_src:
            break
        decoder.reorder(state, n_src)
        seqs = [seqs[i] + [t] for i, t in zip(n_src, n_tok, strict=True)]
        toks = np.array(n_tok, dtype=np.int64)[:, None]
        sum_lp, bias = np.array(n_lp), np.array(n_bias)
        tstates, hits = n_states, n_hits
    else:
        for i in range(len(seqs)):
            pend = trie.nodes[tstates[i]].pending if trie is not None else 0.0
            finished.append(((sum_lp[i] + bias[i] - pend) / (len(seqs[i]) + 1), seqs[i], sum_lp[i], hits[i]))
    best = max(finished, key=lambda f: f[0])
    return SearchResult(best[1], float(best[2]), dict(best[3]), no_speech_prob)


def biased_decode(chunk: ChunkDecoder, enc, tok, prompt: list[int], language: str) -> ChunkResult:
    """Weighted decode of one chunk, checked by the guards.

    A best hypothesis that completed no hotword carries no net bonus (take-back), so it is an
    ordinary hypothesis ranked on acoustics: it is kept without the reference decode unless it
    loops. Only a hypothesis that used a hotword pays for the plain CT2 decode it is checked against.
    """
    from .recognizer import COMPRESSION_LIMIT, ChunkResult, compression_ratio

    settings = chunk.settings
    lam = settings.lam if settings.lam is not None else DEFAULT_LAMBDA.get(chunk.model.name, 0.5)
    if lam <= 0:
        return chunk.plain_decode(enc, tok, prompt, language)
    decoder = chunk.model.numpy_decoder()
    trie = HotwordTrie(tok, settings.hotwords, lam, spaced=language not in NO_SPACE_LANGUAGES)
    feats = np.asarray(enc)[0]
    max_new = int(TOKENS_PER_SECOND_LIMIT * chunk.last_chunk_seconds) + 16
    found = beam_search(decoder, feats, tok, prompt, trie, settings.beam_size, max_new)
    text = tok.decode(found.tokens).strip()
    res = ChunkResult(text, found.tokens, language, no_speech_prob=found.no_speech_prob,
                      avg_logprob=found.logprob / (len(found.tokens) + 1), notes=["biased"])
    looping = compression_ratio(text) > COMPRESSION_LIMIT
    if not found.hits and not looping:
        return res
    plain = chunk.plain_decode(enc, tok, prompt, language)
    if looping:
        plain.notes.append("biased-loop-fallback")
        return plain
    n_b, n_p = len(norm_units(text, language)), len(norm_units(plain.text, language))
    if n_b < COVERAGE * n_p - 1:
        plain.notes.append("biased-coverage-fallback")
        return plain
    res.notes.append("hits:" + ",".join(f"{k}={v}" for k, v in found.hits.items()))
    return res
