"""Side-by-side comparison of two transcripts of the same audio: A (plain) and B (biased).

This answers the transcriptionist's question "does my hotword list work?": which words changed
between A and B, where every hotword occurs in each column (character spans, for highlighting),
how often each hotword was recognized in A and in B, and, when a reference transcript is given,
WER / U-WER / B-WER and hotword recall for both. Alignment and scoring come from `core.metrics`,
so the view, the benchmarks and the tests all count the same way. The HTML rendering of a
comparison is a view concern and lives in `ui/compare/diff_html.py`.

The display keeps the engine's own text (case, punctuation, timestamps); each normalised unit
that `metrics.tokens` would produce is mapped back to a character span of that text.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from .hotwords import Hotword
from .metrics import ErrorCounts, HotwordScore, Op, align, error_counts, hotword_score, is_cjk_text, tokens
from .transcript import Transcript


class Side(StrEnum):
    A = "a"
    B = "b"


@dataclass(frozen=True)
class Token:
    """One normalised unit of a column and where it sits in the displayed text."""

    norm: str
    sentence: int  # index into the transcript's sentences
    start: int  # character span in that sentence's text
    end: int


def display_tokens(text: str, sentence: int = 0) -> list[Token]:
    """The units of `metrics.tokens(text)`, each with its span in `text`.

    Words are runs of letters, marks and digits (apostrophes inside a word kept), every CJK
    character is a unit of its own; everything else separates, as in `metrics.normalize`.
    """
    out: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if is_cjk_text(ch):
            out += [Token(t, sentence, i, i + 1) for t in tokens(ch)]
            i += 1
            continue
        if not _is_word_char(ch):
            i += 1
            continue
        j = i + 1
        while j < n and not is_cjk_text(text[j]) and (
                _is_word_char(text[j]) or (text[j] == "'" and j + 1 < n and _is_word_char(text[j + 1]))):
            j += 1
        out += [Token(t, sentence, i, j) for t in tokens(text[i:j])]
        i = j
    return out


def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN"


def transcript_tokens(transcript: Transcript) -> list[Token]:
    out: list[Token] = []
    for k, s in enumerate(transcript.sentences):
        out += display_tokens(s.text, k)
    return out


@dataclass(frozen=True)
class HotwordOccurrence:
    """One place a hotword was recognized: token range [first, last] in that column."""

    hotword: str
    side: Side
    first: int
    last: int


@dataclass
class HotwordCount:
    hotword: Hotword
    hits_a: int
    hits_b: int
    hits_ref: int | None = None  # None without a reference

    @property
    def delta(self) -> int:
        return self.hits_b - self.hits_a


@dataclass
class Scores:
    """Accuracy of one column against the reference."""

    counts: ErrorCounts
    hotwords: HotwordScore

    @property
    def wer(self) -> float:
        return self.counts.wer

    @property
    def u_wer(self) -> float:
        return self.counts.u_wer

    @property
    def b_wer(self) -> float:
        return self.counts.b_wer

    @property
    def recall(self) -> float | None:
        return self.hotwords.recall if self.hotwords.targets else None


@dataclass
class Comparison:
    a: Transcript
    b: Transcript
    hotwords: list[Hotword]
    tokens_a: list[Token]
    tokens_b: list[Token]
    changed_a: set[int]  # token indexes of A that B does not have (deleted or substituted)
    changed_b: set[int]  # token indexes of B that A does not have (inserted or substituted)
    occurrences: list[HotwordOccurrence]
    counts: list[HotwordCount]
    reference: str = ""
    scores_a: Scores | None = None
    scores_b: Scores | None = None
    b_adds: str = ""  # what B adds, in words ("hotwords and context")
    lang: str | None = None
    differences: int = 0  # alignment columns where A and B differ (a substitution counts once)

    def occurrences_in(self, side: Side) -> list[HotwordOccurrence]:
        return [o for o in self.occurrences if o.side is side]

    def tokens_of(self, side: Side) -> list[Token]:
        return self.tokens_a if side is Side.A else self.tokens_b

    def transcript_of(self, side: Side) -> Transcript:
        return self.a if side is Side.A else self.b

    def changed_of(self, side: Side) -> set[int]:
        return self.changed_a if side is Side.A else self.changed_b


def find_occurrences(toks: Sequence[Token], hotwords: Sequence[Hotword], side: Side,
                     lang: str | None = None) -> list[HotwordOccurrence]:
    """Every occurrence of every hotword, on unit boundaries, as `metrics.hotword_hits` counts."""
    norms = [t.norm for t in toks]
    out: list[HotwordOccurrence] = []
    for h in hotwords:
        w = tokens(h.text, lang)
        if not w:
            continue
        for i in range(len(norms) - len(w) + 1):
            if norms[i:i + len(w)] == w:
                out.append(HotwordOccurrence(h.text, side, i, i + len(w) - 1))
    out.sort(key=lambda o: (o.side, o.first))
    return out


def compare(a: Transcript, b: Transcript, hotwords: Sequence[Hotword] = (), reference: str = "",
            lang: str | None = None, b_adds: str = "", live: bool = False) -> Comparison:
    """Align A with B, find the hotwords in both, and score both against `reference` if given.

    `live`: the transcripts are still growing, so words at the end that one column has and the
    other has not reached yet are not differences (yet).
    """
    lang = lang or a.language or b.language
    if lang not in ("zh", "en"):
        lang = None  # let metrics decide per text (CJK by characters, others by words)
    hot = _unique(hotwords)
    ta, tb = transcript_tokens(a), transcript_tokens(b)
    changed_a, changed_b, diff_columns = _diff(ta, tb, live)
    occ = find_occurrences(ta, hot, Side.A, lang) + find_occurrences(tb, hot, Side.B, lang)
    ref_norm = tokens(reference, lang) if reference.strip() else []
    counts = []
    for h in hot:
        hits_a = sum(1 for o in occ if o.side is Side.A and o.hotword == h.text)
        hits_b = sum(1 for o in occ if o.side is Side.B and o.hotword == h.text)
        counts.append(HotwordCount(h, hits_a, hits_b, _count(ref_norm, tokens(h.text, lang))
                                   if ref_norm else None))
    result = Comparison(a, b, hot, ta, tb, changed_a, changed_b, occ, counts, reference.strip(),
                        b_adds=b_adds, lang=lang, differences=diff_columns)
    if ref_norm:
        result.scores_a = score(reference, a.text, hot, lang)
        result.scores_b = score(reference, b.text, hot, lang)
    return result


def score(reference: str, hypothesis: str, hotwords: Sequence[Hotword], lang: str | None) -> Scores:
    """WER split into biased/unbiased words, and hotword recall.

    Every list word is both a target (recall over the occurrences the reference has) and a
    possible false alarm (occurrences beyond what the reference has).
    """
    texts = [h.text for h in hotwords]
    return Scores(error_counts(reference, hypothesis, texts, lang),
                  hotword_score(reference, hypothesis, texts, texts, lang))


def _unique(hotwords: Sequence[Hotword]) -> list[Hotword]:
    seen: set[str] = set()
    out = []
    for h in hotwords:
        key = " ".join(tokens(h.text))
        if key and key not in seen:
            seen.add(key)
            out.append(h)
    return out


def _count(norms: Sequence[str], w: Sequence[str]) -> int:
    return sum(1 for i in range(len(norms) - len(w) + 1) if list(norms[i:i + len(w)]) == list(w))


def _diff(ta: Sequence[Token], tb: Sequence[Token], live: bool = False) -> tuple[set[int], set[int], int]:
    pairs = align([t.norm for t in ta], [t.norm for t in tb])
    if live:  # the column that is behind has not reached these words yet
        end = len(pairs)
        while end and pairs[end - 1].op in (Op.DEL, Op.INS):
            end -= 1
        pairs = pairs[:end]
    changed_a: set[int] = set()
    changed_b: set[int] = set()
    i = j = columns = 0
    for p in pairs:
        if p.op is not Op.OK:
            columns += 1
        if p.op in (Op.OK, Op.SUB, Op.DEL):
            if p.op is not Op.OK:
                changed_a.add(i)
            i += 1
        if p.op in (Op.OK, Op.SUB, Op.INS):
            if p.op is not Op.OK:
                changed_b.add(j)
            j += 1
    return changed_a, changed_b, columns


# ------------------------------------------------------------------------- summary

def percent(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


@dataclass
class MetricRow:
    label: str
    a: str
    b: str
    explanation: str = ""


def metric_rows(result: Comparison) -> list[MetricRow]:
    """The summary table: counts always, accuracy only with a reference."""
    sa, sb = result.occurrences_in(Side.A), result.occurrences_in(Side.B)
    rows = [
        MetricRow("Words", str(len(result.tokens_a)), str(len(result.tokens_b)),
                  "Words (Chinese: characters) in each column."),
        MetricRow("Hotword hits", str(len(sa)), str(len(sb)), "Occurrences of list words."),
        MetricRow("Differences A/B", str(result.differences), str(result.differences),
                  "Places where A and B disagree, highlighted in yellow."),
    ]
    if result.scores_a and result.scores_b:
        a, b = result.scores_a, result.scores_b
        rows += [
            MetricRow("WER", percent(a.wer), percent(b.wer), "Word error rate against the reference."),
            MetricRow("U-WER", percent(a.u_wer), percent(b.u_wer), "Error rate on words not in the list."),
            MetricRow("B-WER", percent(a.b_wer), percent(b.b_wer), "Error rate on the list's words."),
            MetricRow("Hotword recall", _recall(a), _recall(b),
                      "Reference occurrences of list words that were recognized."),
            MetricRow("False alarms", str(a.hotwords.false_alarms), str(b.hotwords.false_alarms),
                      "List words recognized more often than the reference says."),
        ]
    return rows


def _recall(s: Scores) -> str:
    if s.recall is None:
        return "–"
    return f"{percent(s.recall)} ({s.hotwords.recalled}/{s.hotwords.targets})"


# ---------------------------------------------------------------------------- export

CSV_HEADER = ["hotword", "weight", "lang", "hits_a", "hits_b", "change", "hits_reference"]


def hits_csv(result: Comparison) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_HEADER)
    for c in result.counts:
        w.writerow([c.hotword.text, c.hotword.weight, c.hotword.lang or "", c.hits_a, c.hits_b,
                    f"{c.delta:+d}", "" if c.hits_ref is None else c.hits_ref])
    return out.getvalue()


@dataclass
class ExportInfo:
    """What the report header says about the run."""

    title: str = "Hotword comparison"
    audio: str = ""
    engine: str = ""
    model: str = ""
    extra: list[tuple[str, str]] = field(default_factory=list)
