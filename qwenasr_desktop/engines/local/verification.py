"""Hotwords and context as verified proposals: the plain decode is the transcript.

Per chunk:
1. the plain decode: our beam search with no glossary and no context in the prompt (the same
   text the "no hotwords" side of a comparison gets);
2. the biased decodes: the glossary in the prompt, and the context in the prompt (apart), each
   with the hotwords in the trie;
3. core.span_merge turns their differences into proposals: only stretches that complete a
   hotword (or repeat the context verbatim) and take about as long to say as what they replace;
   a decode that wrote out the glossary proposes nothing;
4. each proposal is scored by the *unprompted* decoder, teacher-forced over the whole chunk
   text (one batched pass): log p(plain text with the change) - log p(plain text), plus the
   hotword's bonus (lambda x weight per token, the same bonus the search gives). A change is
   kept only if that sum is positive, i.e. the acoustic evidence without the prompt is at most
   as much worse as the user's weight says a hotword is worth.

So a chunk where no hotword is involved comes out exactly as the plain decode, a copied
glossary or a cut sentence never reaches the transcript, and a higher weight keeps more changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ...core import span_merge
from ...core.hotwords import Hotword
from ..base import CancelToken
from .biasing import HotwordTrie
from .chunk_result import COMPRESSION_LIMIT, ChunkResult, compression_ratio
from .interruptible import run_cancellable
from .prompt import NO_SPACE_LANGUAGES, PromptParts, build_prompt_tokens
from .search import DEFAULT_LAMBDA, beam_search

if TYPE_CHECKING:
    from .recognizer import ChunkDecoder

# Context is not weighted by the user: its words count as much as a hotword of the default
# weight. (Tuning half, related context alone: weight 2 / 4 / 6 at lambda 0.5 cut B-WER 48.6 ->
# 37.1 / 37.1 / 25.7 % in Mandarin; 4 at lambda 0.75 pays what 6 did at 0.5.)
CONTEXT_WEIGHT = 4.0
# The biased decode's trie pays every hotword the same, 2.0 per token (weight 4 at lambda 0.5): the
# user's weight acts only in the verdict. So the proposals do not depend on the weights, and a
# higher weight can only keep more of them: recall rises with weight by construction. (With the
# weight in the search too, weight 5 pulled the search into worse text than weight 4 and recall
# fell: 34/40 -> 29/40 targets on the 21 clips, docs/benchmarks.md.)
PROPOSAL_BONUS = 2.0


@dataclass
class Verdict:
    proposal: span_merge.Proposal
    gain: float  # log-probability change under the unprompted decoder + bonus

    @property
    def accepted(self) -> bool:
        return self.gain > 0


def _token_count(tok, text: str, spaced: bool) -> int:
    return max(1, len(tok.encode((" " if spaced else "") + text.strip())))


def bonus(tok, proposal: span_merge.Proposal, weights: dict[str, int], lam: float, spaced: bool,
          context_weight: float = CONTEXT_WEIGHT) -> float:
    """What the trie would pay for the hotwords a proposal completes (context: context_weight)."""
    if proposal.is_context:
        return lam * context_weight * _token_count(tok, proposal.context_text, spaced)
    return sum(lam * weights.get(p, 1) * _token_count(tok, p, spaced) for p in proposal.phrases)


def _encode_text(tok, text: str, leading_space: bool) -> list[int]:
    return [*tok.encode((" " if leading_space else "") + text), tok.eot]


def judge(chunk: ChunkDecoder, window, tok, plain_prompt: list[int], plain: ChunkResult,
          proposals: Sequence[span_merge.Proposal], lam: float,
          cancel: CancelToken | None = None) -> list[Verdict]:
    """Score every proposal against the plain text with the unprompted decoder, in one batch."""
    spaced = plain.language not in NO_SPACE_LANGUAGES
    lead = tok.decode(plain.tokens[:1]).startswith(" ")
    texts = [plain.text] + [span_merge.apply(plain.text, [p]) for p in proposals]
    seqs = [_encode_text(tok, t, lead) for t in texts]
    init = [tok.sot_prev, *plain_prompt] if plain_prompt else []
    init += [*tok.sot_sequence, tok.no_timestamps]
    scores = run_cancellable(lambda: chunk.model.decoder.sequence_logprobs(window, init, seqs), cancel)
    weights = {h.text.strip(): h.weight for h in chunk.settings.hotwords}
    cw = chunk.settings.context_weight
    return [Verdict(p, scores[i + 1] - scores[0] + bonus(tok, p, weights, lam, spaced, cw))
            for i, p in enumerate(proposals)]


def _keep(verdicts: list[Verdict]) -> list[span_merge.Proposal]:
    """The accepted proposals, best first where two overlap."""
    kept: list[span_merge.Proposal] = []
    for v in sorted((v for v in verdicts if v.accepted), key=lambda v: -v.gain):
        p = v.proposal
        if all(p.end <= q.start or p.start >= q.end for q in kept):
            kept.append(p)
    return kept


def proposal_trie(tok, hotwords: Sequence[Hotword], bonus: float, language: str) -> HotwordTrie:
    """Every hotword at the same strength: the user's weights act only in the verdict."""
    return HotwordTrie(tok, [Hotword(h.text, 1, h.lang) for h in hotwords], bonus,
                       spaced=language not in NO_SPACE_LANGUAGES)


def biased_candidates(chunk: ChunkDecoder, window, tok, previous: str, language: str,
                      max_new: int, cancel: CancelToken | None = None) -> list[str]:
    """The biased decodes: one with the glossary in the prompt, one with the context (each with
    the hotword trie). Apart, because a prompt holding both made the glossary's decode worse
    (weight 4 with related context: 36/40 targets instead of 38/40 without, docs/benchmarks.md)."""
    s = chunk.settings
    prompts = []
    if s.hotwords:
        prompts.append(PromptParts("", previous, chunk.prompt_hotwords(), language, s.zh_script_sentence))
    if s.context_text.strip():
        prompts.append(PromptParts(s.context_text, previous, (), language, s.zh_script_sentence))
    trie = chunk.proposal_trie(tok, language) if s.biasing and s.hotwords else None
    out = []
    for parts in prompts:
        prompt = build_prompt_tokens(tok, parts)
        found = beam_search(chunk.model.decoder, None, tok, prompt, trie, s.beam_size, max_new,
                            window=window, cancel=cancel)
        out.append(chunk.to_script(tok.decode(found.tokens).strip(), language))
    return out


def _proposals(chunk: ChunkDecoder, plain: ChunkResult, candidates: list[str]) -> list[span_merge.Proposal]:
    """Every candidate's proposals, each once; a looping candidate proposes nothing."""
    s = chunk.settings
    hotwords = [h.text.strip() for h in s.hotwords]
    seen: dict[tuple[int, int, str], span_merge.Proposal] = {}
    for text in candidates:
        if compression_ratio(text) > COMPRESSION_LIMIT:
            plain.notes.append("a biased decode looped: ignored")
            continue
        for p in span_merge.propose(plain.text, text, hotwords, s.context_text):
            seen.setdefault((p.start, p.end, p.replacement), p)
    return sorted(seen.values(), key=lambda p: p.start)


def verified_decode(chunk: ChunkDecoder, enc, tok, language: str, previous: str,
                    max_new: int, cancel: CancelToken | None = None) -> ChunkResult:
    """The plain decode of a chunk with the biased decodes' verified changes put in."""
    s = chunk.settings
    window = chunk.model.decoder.start(np.asarray(enc)[0])
    plain_prompt = build_prompt_tokens(tok, PromptParts("", previous, (), language, s.zh_script_sentence))
    plain = chunk.plain_decode(enc, tok, plain_prompt, language, max_new, window=window, cancel=cancel)
    plain.verified = True
    lam = s.lam if s.lam is not None else DEFAULT_LAMBDA.get(chunk.model.name, 0.75)
    candidates = biased_candidates(chunk, window, tok, previous, language, max_new, cancel)
    proposals = _proposals(chunk, plain, candidates)
    if not proposals:
        if any(c != plain.text for c in candidates):
            plain.notes.append("hotwords/context: no supported change (none completes a hotword, or the "
                               "glossary was copied): kept the plain text")
        return plain
    verdicts = judge(chunk, window, tok, plain_prompt, plain, proposals, max(lam, 0.0), cancel)
    kept = _keep(verdicts)
    plain.notes.append(f"hotwords/context: kept {len(kept)} of {len(proposals)} proposed changes")
    plain.proposed, plain.kept = len(proposals), len(kept)
    if not kept:
        return plain
    text = span_merge.apply(plain.text, kept)
    lead = tok.decode(plain.tokens[:1]).startswith(" ")
    tokens = tok.encode((" " if lead else "") + text)
    return ChunkResult(text, tokens, language, no_speech_prob=plain.no_speech_prob,
                       avg_logprob=plain.avg_logprob, notes=plain.notes, verified=True,
                       proposed=len(proposals), kept=len(kept))


def applies(hotwords: Sequence[Hotword], context: str) -> bool:
    return bool(hotwords) or bool(context.strip())
