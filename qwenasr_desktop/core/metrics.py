"""Transcript accuracy: normalisation, word alignment, WER / U-WER / B-WER, hotword hits.

Pure functions only: the benchmark, the tests and the comparison view all need the same
alignment, so it is exposed as a list of aligned pairs with an operation each.

B-WER and U-WER follow Le et al. 2021 ("Contextualized streaming end-to-end speech recognition
with trie-based deep biasing and shallow fusion"): reference words that belong to the biasing
list count towards B-WER, all others towards U-WER; an insertion counts towards B-WER when the
inserted word is in the biasing list, else towards U-WER. Both are divided by the number of
reference words of their kind. Multi-word hotwords are handled word by word (each of their
words is a biasing word). For Chinese, "words" are characters (so these are character rates).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Op(StrEnum):
    OK = "ok"  # match
    SUB = "sub"
    DEL = "del"  # reference word missing from the hypothesis
    INS = "ins"  # hypothesis word not in the reference


@dataclass(frozen=True)
class Pair:
    """One alignment column: ref or hyp is None for insertions and deletions."""

    ref: str | None
    hyp: str | None
    op: Op


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x2FFFF


def is_cjk_char(ch: str) -> bool:
    return _is_cjk(ch)


def is_cjk_text(text: str) -> bool:
    return any(_is_cjk(c) for c in text)


def normalize(text: str, lang: str | None = None) -> str:
    """Lower case, punctuation removed, hyphens become spaces; CJK loses spaces too.

    Matches the test data's `reference_normalized`. Traditional characters are NOT mapped to
    Simplified here, so a Traditional output counts as an error: the engine converts its own
    output to the chosen script (core.chinese_script), and a metric must not hide it if it did not.
    """
    t = unicodedata.normalize("NFKC", text).lower()
    t = t.replace("-", " ").replace("‐", " ")
    t = "".join(" " if unicodedata.category(c)[0] in "PS" and c != "'" else c for c in t)
    t = re.sub(r"(?<!\w)'|'(?!\w)", " ", t)  # quotes, but keep apostrophes inside words
    if lang == "zh" or (lang is None and is_cjk_text(t)):
        return "".join(t.split())
    return " ".join(t.split())


def tokens(text: str, lang: str | None = None) -> list[str]:
    """Normalised units: words for spaced scripts, characters for Chinese (and any CJK run)."""
    norm = normalize(text, lang)
    out: list[str] = []
    for piece in norm.split():
        buf = ""
        for ch in piece:
            if _is_cjk(ch):
                if buf:
                    out.append(buf)
                    buf = ""
                out.append(ch)
            else:
                buf += ch
        if buf:
            out.append(buf)
    return out


def align(ref: Sequence[str], hyp: Sequence[str]) -> list[Pair]:
    """Levenshtein alignment (unit costs); ties prefer match/substitution over ins+del."""
    n, m = len(ref), len(hyp)
    d = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        d[i][0] = i
    for j in range(1, m + 1):
        d[0][j] = j
    for i in range(1, n + 1):
        ri, row, prev = ref[i - 1], d[i], d[i - 1]
        for j in range(1, m + 1):
            cost = 0 if ri == hyp[j - 1] else 1
            row[j] = min(prev[j - 1] + cost, prev[j] + 1, row[j - 1] + 1)
    pairs: list[Pair] = []
    i, j = n, m
    # Backtrace preference: match, then insertion/deletion, then substitution. All are optimal
    # moves; this order lines up the shared words and pushes extra words to where they occur.
    while i > 0 or j > 0:
        if i > 0 and j > 0 and ref[i - 1] == hyp[j - 1] and d[i][j] == d[i - 1][j - 1]:
            pairs.append(Pair(ref[i - 1], hyp[j - 1], Op.OK))
            i, j = i - 1, j - 1
        elif j > 0 and d[i][j] == d[i][j - 1] + 1:
            pairs.append(Pair(None, hyp[j - 1], Op.INS))
            j -= 1
        elif i > 0 and d[i][j] == d[i - 1][j] + 1:
            pairs.append(Pair(ref[i - 1], None, Op.DEL))
            i -= 1
        else:
            pairs.append(Pair(ref[i - 1], hyp[j - 1], Op.SUB))
            i, j = i - 1, j - 1
    pairs.reverse()
    return pairs


def align_texts(ref: str, hyp: str, lang: str | None = None) -> list[Pair]:
    return align(tokens(ref, lang), tokens(hyp, lang))


@dataclass
class ErrorCounts:
    ref_words: int = 0
    errors: int = 0  # S + D + I
    biased_ref_words: int = 0
    biased_errors: int = 0
    unbiased_ref_words: int = 0
    unbiased_errors: int = 0

    def __iadd__(self, other: ErrorCounts) -> ErrorCounts:
        for k in vars(self):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        return self

    @property
    def wer(self) -> float:
        return self.errors / self.ref_words if self.ref_words else 0.0

    @property
    def b_wer(self) -> float:
        return self.biased_errors / self.biased_ref_words if self.biased_ref_words else 0.0

    @property
    def u_wer(self) -> float:
        return self.unbiased_errors / self.unbiased_ref_words if self.unbiased_ref_words else 0.0


def biasing_units(hotwords: Iterable[str], lang: str | None = None) -> set[str]:
    units: set[str] = set()
    for h in hotwords:
        units.update(tokens(h, lang))
    return units


def error_counts(ref: str, hyp: str, hotwords: Iterable[str] = (), lang: str | None = None) -> ErrorCounts:
    """WER split per Le et al. 2021. For Chinese, a character is a biasing unit only where the
    reference contains the whole hotword, since single characters are too common to count alone."""
    r, h = tokens(ref, lang), tokens(hyp, lang)
    pairs = align(r, h)
    c = ErrorCounts(ref_words=len(r))
    cjk = lang == "zh" or (lang is None and is_cjk_text(ref))
    hot = list(hotwords)
    if cjk:
        biased_ref_idx = _cjk_hotword_positions(r, hot)
        hyp_biased = _cjk_hotword_positions(h, hot)
    else:
        units = biasing_units(hot, lang)
        biased_ref_idx = {i for i, w in enumerate(r) if w in units}
        hyp_biased = {j for j, w in enumerate(h) if w in units}
    c.biased_ref_words = len(biased_ref_idx)
    c.unbiased_ref_words = len(r) - c.biased_ref_words
    i = j = 0
    for p in pairs:
        if p.op is Op.INS:
            biased = j in hyp_biased
            j += 1
        else:
            biased = i in biased_ref_idx
            i += 1
            if p.op is not Op.DEL:
                j += 1
        if p.op is Op.OK:
            continue
        c.errors += 1
        if biased:
            c.biased_errors += 1
        else:
            c.unbiased_errors += 1
    return c


def _cjk_hotword_positions(chars: Sequence[str], hotwords: Sequence[str]) -> set[int]:
    s = "".join(chars)
    idx: set[int] = set()
    for hw in hotwords:
        t = "".join(tokens(hw, "zh"))
        if not t:
            continue
        start = s.find(t)
        while start >= 0:
            idx.update(range(start, start + len(t)))
            start = s.find(t, start + 1)
    return idx


def hotword_hits(text: str, hotword: str, lang: str | None = None) -> int:
    """How often a hotword occurs in a text, on normalised unit boundaries."""
    t, w = tokens(text, lang), tokens(hotword, lang)
    if not w:
        return 0
    return sum(1 for i in range(len(t) - len(w) + 1) if t[i:i + len(w)] == w)


def hits_per_hotword(text: str, hotwords: Iterable[str], lang: str | None = None) -> dict[str, int]:
    return {h: hotword_hits(text, h, lang) for h in hotwords}


@dataclass
class HotwordScore:
    """Recall of target hotwords and false alarms of distractors for one or many clips."""

    targets: int = 0  # occurrences in the references
    recalled: int = 0  # of those, found in the hypotheses (capped per clip at the reference count)
    distractors: int = 0  # distractor terms checked
    false_alarms: int = 0  # distractor occurrences in hypotheses
    extra: dict[str, int] = field(default_factory=dict)

    def __iadd__(self, other: HotwordScore) -> HotwordScore:
        self.targets += other.targets
        self.recalled += other.recalled
        self.distractors += other.distractors
        self.false_alarms += other.false_alarms
        return self

    @property
    def recall(self) -> float:
        return self.recalled / self.targets if self.targets else 0.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.distractors if self.distractors else 0.0


def hotword_score(ref: str, hyp: str, targets: Iterable[str], distractors: Iterable[str] = (),
                  lang: str | None = None) -> HotwordScore:
    s = HotwordScore()
    for t in targets:
        n_ref = hotword_hits(ref, t, lang)
        s.targets += n_ref
        s.recalled += min(n_ref, hotword_hits(hyp, t, lang))
    for d in distractors:
        s.distractors += 1
        s.false_alarms += max(0, hotword_hits(hyp, d, lang) - hotword_hits(ref, d, lang))
    return s
