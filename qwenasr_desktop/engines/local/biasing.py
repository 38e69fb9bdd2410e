"""Token trie for weighted hotwords: shallow fusion with take-back of unfinished matches.

Each hotword, in all its surface forms (with/without a leading space, capitalised), is a path
of token ids. Extending a hypothesis along a path earns `lam * weight` per token; leaving the
path before its end takes back everything earned on it (Le et al. 2021 / WeNet context graph),
so only completed hotwords keep a bonus and a half-started one cannot drag the beam astray.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ...core.hotwords import Hotword

F32 = np.float32


@dataclass
class _Node:
    children: dict[int, int] = field(default_factory=dict)
    token_score: float = 0.0  # bonus for the token that leads into this node
    pending: float = 0.0  # bonus earned on the way here, taken back if the path is left
    is_end: bool = False
    phrase: str | None = None


def surface_variants(text: str, spaced: bool) -> set[str]:
    t = text.strip()
    if not spaced:
        return {t}
    variants = {t, " " + t}
    if t[:1].islower():
        cap = t[:1].upper() + t[1:]
        variants |= {cap, " " + cap}
    return variants


class HotwordTrie:
    def __init__(self, tokenizer, hotwords: Sequence[Hotword], lam: float, spaced: bool = True) -> None:
        self.nodes = [_Node()]
        self.lam = lam
        for h in hotwords:
            score = lam * float(h.weight)
            for variant in surface_variants(h.text, spaced):
                ids = tokenizer.encode(variant)
                if ids:
                    self._add(ids, score, h.text.strip())
        self._root: tuple[np.ndarray, np.ndarray] | None = None

    def _add(self, ids: list[int], score: float, phrase: str) -> None:
        cur = 0
        for tok in ids:
            node = self.nodes[cur]
            nxt = node.children.get(tok)
            if nxt is None:
                parent_pending = 0.0 if node.is_end else node.pending
                self.nodes.append(_Node(token_score=score, pending=parent_pending + score))
                nxt = len(self.nodes) - 1
                node.children[tok] = nxt
            else:
                n = self.nodes[nxt]
                if score > n.token_score:  # shared prefix: the stronger hotword decides
                    n.pending += score - n.token_score
                    n.token_score = score
            cur = nxt
        end = self.nodes[cur]
        end.is_end, end.pending, end.phrase = True, 0.0, phrase

    def _gain(self, parent: int, idx: int, capped: set[str]) -> float:
        child = self.nodes[idx]
        if capped and child.is_end and child.phrase in capped:
            return -self.nodes[parent].pending  # completing a capped hotword earns nothing
        return child.token_score

    def bonus_entries(self, state: int, capped: set[str]) -> tuple[float, np.ndarray, np.ndarray]:
        """The score change for every next token from trie state `state`, sparsely.

        Returns (baseline, tokens, extras): every token gets `baseline` (minus what a half-finished
        match has earned, the take-back), and `tokens[j]` gets `baseline + extras[j]` on top. All
        extras are >= 0, so the best candidates of a beam are among the acoustically best tokens
        and these few: the search never has to rank the whole vocabulary with bonuses added.
        """
        node = self.nodes[state]
        if self._root is None:
            toks = np.fromiter(self.nodes[0].children, np.int64)
            extras = np.array([self.nodes[i].token_score for i in self.nodes[0].children.values()], F32)
            order = np.argsort(toks)
            self._root = (toks[order], extras[order])
        if not capped and not node.children:
            return -node.pending, *self._root
        extra = dict(zip(self._root[0].tolist(), self._root[1].tolist(), strict=True))
        if capped:
            for tok, idx in self.nodes[0].children.items():
                extra[tok] = self._gain(0, idx, capped)
        for tok, idx in node.children.items():
            extra[tok] = self._gain(state, idx, capped) + node.pending
        toks = np.array(sorted(extra), np.int64)
        return -node.pending, toks, np.array([extra[t] for t in toks.tolist()], F32)

    def bonus_vector(self, state: int, n_vocab: int, capped: set[str]) -> np.ndarray:
        """The same as a dense [V] vector (for tests and inspection)."""
        baseline, toks, extras = self.bonus_entries(state, capped)
        b = np.full(n_vocab, F32(baseline))
        b[toks] += extras
        return b

    def completed_phrase(self, state: int, tok: int) -> str | None:
        idx = self.nodes[state].children.get(tok)
        if idx is None:
            idx = self.nodes[0].children.get(tok)
        if idx is not None and self.nodes[idx].is_end:
            return self.nodes[idx].phrase
        return None

    def next_state(self, state: int, tok: int) -> int:
        node = self.nodes[state]
        nxt = node.children.get(tok)
        if nxt is None:
            nxt = self.nodes[0].children.get(tok)
            if nxt is None:
                return 0
        if self.nodes[nxt].is_end and not self.nodes[nxt].children:
            return 0
        return nxt
