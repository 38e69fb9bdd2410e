"""Hotword weight tuning from evidence: the sweep plan, per-hotword evidence, the recommendation.

The seed guidance is "start at 4, raise it if results are weak, lower it if similar-sounding words
turn into the hotword". This module automates that loop as pure functions; the runner
(`engines/tuning.py`) executes the recognitions it plans and feeds the transcripts back.

Search, kept cheap because every recognition may cost money:

1. Grouped sweep: the whole list at one weight, for each weight 1..5, per clip. A hotword acts
   where its own sound is, so each hotword's evidence can be read from these shared runs, and a
   list of any length costs 5 recognitions per clip instead of 5 per hotword.
2. Confirmation: one run per clip with every hotword at its recommended weight (free when the
   recommendation is uniform: it is then one of the sweep's runs, served from the cache).
3. One at a time: a hotword whose confirmation result differs from its sweep evidence interacts
   with the others; it alone is swept, the others held at their recommended weights, and its
   recommendation is recomputed from that evidence. At most `max_refine` hotwords, so the cost
   has a known ceiling that the UI shows before starting.

Evidence per hotword and weight: recall (reference occurrences the hypothesis has at the same
aligned place), false insertions (the hotword written where the reference says something else)
and U-WER (errors on the words outside the list, Le et al. 2021).

Recommendation: the lowest weight that reaches the best recall without new false insertions and
without hurting the other words (U-WER no worse than at the lowest weight plus a tolerance:
over-weighting can make Whisper skip audio, which shows up there and nowhere else).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .hotwords import MAX_WEIGHT, MIN_WEIGHT, Hotword
from .metrics import Op, align, error_counts, tokens

WEIGHTS: tuple[int, ...] = tuple(range(MIN_WEIGHT, MAX_WEIGHT + 1))
DEFAULT_MAX_REFINE = 3
UWER_TOLERANCE = 0.05  # absolute U-WER rise accepted over the lowest weight's


class Phase:
    SWEEP = "sweep"
    CONFIRM = "confirm"
    REFINE = "one-at-a-time"


def key_of(text: str) -> str:
    """How tuning names a hotword: its trimmed text (rows with the same text tune together)."""
    return text.strip()


@dataclass(frozen=True)
class Run:
    """One recognition to make: a clip and a weight for every hotword of the list, in list order."""

    clip: str
    weights: tuple[tuple[str, int], ...]
    phase: str = Phase.SWEEP
    focus: str | None = None  # the hotword swept in a one-at-a-time run

    def weight_of(self, text: str) -> int:
        key = key_of(text)
        for t, w in self.weights:
            if t == key:
                return w
        raise KeyError(text)

    def hotwords(self, items: Sequence[Hotword]) -> list[Hotword]:
        """The list as this run uses it: same texts and languages, this run's weights."""
        weights = dict(self.weights)
        return [Hotword(h.text, weights.get(key_of(h.text), h.weight), h.lang) for h in items]


def unique_texts(items: Iterable[Hotword]) -> list[str]:
    out: list[str] = []
    for h in items:
        k = key_of(h.text)
        if k and k not in out:
            out.append(k)
    return out


def sweep_runs(items: Sequence[Hotword], clips: Sequence[str],
               weights: Sequence[int] = WEIGHTS) -> list[Run]:
    texts = unique_texts(items)
    return [Run(c, tuple((t, w) for t in texts), Phase.SWEEP) for c in clips for w in weights]


def mixed_runs(recommended: Mapping[str, int], items: Sequence[Hotword], clips: Sequence[str]) -> list[Run]:
    texts = unique_texts(items)
    return [Run(c, tuple((t, recommended[t]) for t in texts), Phase.CONFIRM) for c in clips]


def refine_runs(focus: str, recommended: Mapping[str, int], items: Sequence[Hotword],
                clips: Sequence[str], weights: Sequence[int] = WEIGHTS) -> list[Run]:
    texts = unique_texts(items)
    return [Run(c, tuple((t, w if t == focus else recommended[t]) for t in texts), Phase.REFINE, focus)
            for c in clips for w in weights]


@dataclass(frozen=True)
class CostBound:
    """Recognitions a tuning run makes at least (no interactions) and at most (`max_refine`
    hotwords swept one at a time), before subtracting cached results."""

    min_runs: int
    max_runs: int


def cost_bound(n_hotwords: int, n_clips: int, weights: Sequence[int] = WEIGHTS,
               max_refine: int = DEFAULT_MAX_REFINE) -> CostBound:
    sweep = n_clips * len(weights)
    confirm = n_clips  # may be served from the cache when the recommendation is uniform
    refine = n_clips * (len(weights) - 1) * min(max_refine, n_hotwords if n_hotwords > 1 else 0)
    return CostBound(sweep, sweep + confirm + refine)


# --- evidence ------------------------------------------------------------------------------------

@dataclass
class Occurrences:
    """One hotword in one (reference, hypothesis) pair."""

    targets: int = 0  # occurrences in the reference
    recalled: int = 0  # of those, written at the same aligned place
    false_insertions: int = 0  # written where the reference has something else
    examples: list[str] = field(default_factory=list)  # "ref words -> hotword" for each false one


@dataclass
class RunAnalysis:
    """What one recognition says about every hotword of the list."""

    per_hotword: dict[str, Occurrences]
    unbiased_ref_words: int
    unbiased_errors: int


def analyse(reference: str, hypothesis: str, texts: Sequence[str], lang: str | None = None) -> RunAnalysis:
    ref, hyp = tokens(reference, lang), tokens(hypothesis, lang)
    pairs = align(ref, hyp)
    ref_ok = [False] * len(ref)  # reference unit matched exactly
    hyp_ok = [False] * len(hyp)  # hypothesis unit matched exactly
    hyp_ref: list[str | None] = [None] * len(hyp)  # the reference unit each hypothesis unit stands for
    i = j = 0
    for p in pairs:
        if p.op is Op.INS:
            j += 1
            continue
        if p.op is Op.DEL:
            i += 1
            continue
        ref_ok[i] = hyp_ok[j] = p.op is Op.OK
        hyp_ref[j] = ref[i]
        i, j = i + 1, j + 1
    out: dict[str, Occurrences] = {}
    for text in texts:
        w = tokens(text, lang)
        occ = Occurrences()
        n = len(w)
        if n:
            for s in range(len(ref) - n + 1):
                if ref[s:s + n] == w:
                    occ.targets += 1
                    occ.recalled += all(ref_ok[s:s + n])
            for s in range(len(hyp) - n + 1):
                if hyp[s:s + n] == w and not all(hyp_ok[s:s + n]):
                    occ.false_insertions += 1
                    said = " ".join(r for r in hyp_ref[s:s + n] if r) or "(nothing)"
                    occ.examples.append(f"{said} -> {text}")
        out[text] = occ
    ec = error_counts(reference, hypothesis, texts, lang)
    return RunAnalysis(out, ec.unbiased_ref_words, ec.unbiased_errors)


@dataclass
class WeightStats:
    """A hotword's evidence at one weight, summed over clips."""

    targets: int = 0
    recalled: int = 0
    false_insertions: int = 0
    unbiased_ref_words: int = 0
    unbiased_errors: int = 0
    runs: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, occ: Occurrences, analysis: RunAnalysis) -> None:
        self.targets += occ.targets
        self.recalled += occ.recalled
        self.false_insertions += occ.false_insertions
        self.unbiased_ref_words += analysis.unbiased_ref_words
        self.unbiased_errors += analysis.unbiased_errors
        self.runs += 1
        self.examples += occ.examples

    @property
    def recall(self) -> float | None:
        return self.recalled / self.targets if self.targets else None

    @property
    def u_wer(self) -> float:
        return self.unbiased_errors / self.unbiased_ref_words if self.unbiased_ref_words else 0.0


Evidence = dict[str, dict[int, WeightStats]]  # hotword -> weight -> stats


def collect(results: Iterable[tuple[Run, RunAnalysis]], texts: Sequence[str],
            phase: str = Phase.SWEEP, focus: str | None = None) -> Evidence:
    """Evidence per hotword from runs of one phase; in a one-at-a-time phase only the focus
    hotword's weight varies, so only its evidence is taken."""
    ev: Evidence = {t: {} for t in texts}
    for run, analysis in results:
        if run.phase != phase or (focus is not None and run.focus != focus):
            continue
        for t in texts:
            if phase == Phase.REFINE and t != run.focus:
                continue
            occ = analysis.per_hotword.get(t)
            if occ is None:
                continue
            ev[t].setdefault(run.weight_of(t), WeightStats()).add(occ, analysis)
    return ev


# --- recommendation ------------------------------------------------------------------------------

@dataclass
class Recommendation:
    weight: int
    reason: str
    too_high: dict[int, str] = field(default_factory=dict)  # rejected weights and why


def recommend(current: int, stats: Mapping[int, WeightStats],
              uwer_tolerance: float = UWER_TOLERANCE) -> Recommendation:
    """The lowest weight reaching the best recall without new false insertions (and without a
    U-WER rise beyond the tolerance) compared with the lowest weight tried."""
    if not stats:
        return Recommendation(current, "not measured")
    tried = sorted(stats)
    base = stats[tried[0]]
    too_high: dict[int, str] = {}
    allowed: list[int] = []
    for w in tried:
        s = stats[w]
        if s.false_insertions > base.false_insertions:
            new = s.false_insertions - base.false_insertions
            where = f": {s.examples[0]}" if s.examples else ""
            too_high[w] = f"{new} new false insertion{'s' * (new != 1)}{where}"
        elif s.u_wer > base.u_wer + uwer_tolerance:
            too_high[w] = (f"other words suffer: U-WER {s.u_wer:.0%} vs {base.u_wer:.0%} at weight "
                           f"{tried[0]}")
        else:
            allowed.append(w)

    def keep_current(why: str) -> Recommendation:
        if current in allowed or current not in stats:
            return Recommendation(current, why, too_high)
        lower = [w for w in allowed if w < current]
        w = max(lower) if lower else tried[0]
        return Recommendation(w, f"{why}; weight {current} is too high ({too_high.get(current, '')})",
                              too_high)

    targets = max(s.targets for s in stats.values())
    if not targets:
        return keep_current("not spoken in these clips")
    best = max((stats[w].recalled for w in allowed), default=0)
    if best == 0:
        return keep_current("no weight made the engine write it")
    w = min(x for x in allowed if stats[x].recalled == best)
    reason = f"recall {best}/{targets} from weight {w}"
    if stats[tried[0]].recalled == best and w == tried[0]:
        reason = f"recall {best}/{targets} already at weight {w}"
    return Recommendation(w, reason, too_high)


def interacting(expected: Mapping[str, WeightStats], confirmed: Mapping[str, WeightStats]) -> list[str]:
    """Hotwords that did worse in the mixed confirmation run than their sweep evidence said."""
    out = []
    for t, exp in expected.items():
        got = confirmed.get(t)
        if got is None:
            continue
        if got.recalled < exp.recalled or got.false_insertions > exp.false_insertions:
            out.append(t)
    return out


@dataclass
class HotwordReport:
    text: str
    current: int
    stats: dict[int, WeightStats]
    recommendation: Recommendation
    source: str = Phase.SWEEP  # which evidence decided: the grouped sweep or one-at-a-time

    @property
    def recommended(self) -> int:
        return self.recommendation.weight

    @property
    def changed(self) -> bool:
        return self.recommended != self.current

    @property
    def current_too_high(self) -> bool:
        return self.current in self.recommendation.too_high


@dataclass
class TuningReport:
    hotwords: list[HotwordReport]
    runs_planned: int = 0
    recognitions: int = 0  # engine calls actually made
    cache_hits: int = 0
    audio_seconds: float = 0.0  # audio actually recognized
    confirmed: dict[str, WeightStats] = field(default_factory=dict)  # the recommended mix

    def recommended_weights(self) -> dict[str, int]:
        return {h.text: h.recommended for h in self.hotwords}

    def by_text(self, text: str) -> HotwordReport:
        for h in self.hotwords:
            if h.text == key_of(text):
                return h
        raise KeyError(text)


def report_table(report: TuningReport, weights: Sequence[int] = WEIGHTS) -> str:
    """Plain-text table for the CLI: recall / false insertions / U-WER per weight, and the advice."""
    head = f"{'hotword':24} {'now':>3} " + " ".join(f"{'w' + str(w):>12}" for w in weights) + "  advice"
    lines = [head, " " * 29 + " ".join(f"{'rec fi uwer':>12}" for _ in weights)]
    for h in report.hotwords:
        cells = []
        for w in weights:
            s = h.stats.get(w)
            if s is None:
                cells.append(f"{'-':>12}")
                continue
            rec = f"{s.recalled}/{s.targets}" if s.targets else "-"
            mark = "!" if w in h.recommendation.too_high else " "
            cells.append(f"{rec:>4} {s.false_insertions:>2}{mark}{s.u_wer:>4.0%}")
        arrow = f"{h.current}->{h.recommended}" if h.changed else f"keep {h.current}"
        lines.append(f"{h.text[:24]:24} {h.current:>3} " + " ".join(cells) +
                     f"  {arrow}: {h.recommendation.reason}" + (f" [{h.source}]" if h.source != Phase.SWEEP
                                                               else ""))
    lines.append("rec = recalled/spoken, fi = false insertions (! = too high), uwer = errors on other words")
    return "\n".join(lines)


# --- apply ---------------------------------------------------------------------------------------

def weight_changes(items: Sequence[Hotword],
                   weights: Mapping[str, int]) -> list[tuple[int, Hotword, Hotword]]:
    """(row, old, new) for every row whose weight the recommendation changes."""
    out = []
    for row, h in enumerate(items):
        w = weights.get(key_of(h.text))
        if w is not None and w != h.weight:
            out.append((row, Hotword(h.text, h.weight, h.lang), Hotword(h.text, w, h.lang)))
    return out


def apply_weights(items: Sequence[Hotword], weights: Mapping[str, int]) -> list[Hotword]:
    """A new list with the recommended weights; the old list is untouched, so undo is keeping it."""
    return [Hotword(h.text, weights.get(key_of(h.text), h.weight), h.lang) for h in items]
