"""Candidate hotwords and a context suggestion from a document's text.

What a recognizer gets wrong is what it rarely hears: names, acronyms, rare words and the
multi-word terms of a field. Rarity comes from wordfreq's frequency lists (a maintained package
built from many corpora), not from a hand-made list. Every candidate is already split and trimmed
to satisfy the hotword rules of the target model, and marked when the current list has it.

The context suggestion picks the document's prose sentences that mention the most candidate terms,
trimmed to the context caps (core/context.py): the recognizer hears the terms used in real
sentences, which helps where a bare list does not.

Pure apart from wordfreq's and jieba's bundled data files (read once, no network).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from .context import MAX_CHARS_PER_ROUND, MAX_MESSAGES_PER_ROLE, Context, ContextMessage, Role
from .hotwords import DEFAULT_WEIGHT, Hotword, check_text
from .metrics import is_cjk_text
from .models import RuleSet, model_info

RARE_ZIPF = 3.5  # words rarer than this (per billion: ~3 per million) are proposed on their own
NAME_ZIPF = 4.5  # a capitalised phrase is proposed when its rarest word is rarer than this
ACRONYM_ZIPF = 4.5
CJK_RARE_ZIPF = 3.0
MAX_TERM_WORDS = 4
TITLES = {"dr", "mr", "mrs", "ms", "prof", "sir", "st", "mt", "dame", "lord", "lady"}


class Kind(StrEnum):
    NAME = "name"
    ACRONYM = "acronym"
    RARE = "rare word"
    TERM = "multi-word term"


@dataclass
class Candidate:
    text: str
    kind: Kind
    count: int  # occurrences in the document
    zipf: float  # frequency of its rarest word (0 = never seen in wordfreq's corpora)
    weight: int = DEFAULT_WEIGHT
    duplicate_row: int | None = None  # row of the current list with the same text
    example: str = ""  # a sentence where it occurs

    @property
    def is_duplicate(self) -> bool:
        return self.duplicate_row is not None

    def to_hotword(self) -> Hotword:
        lang = "zh" if is_cjk_text(self.text) else None
        return Hotword(self.text, self.weight, lang)


@dataclass
class Suggestions:
    candidates: list[Candidate] = field(default_factory=list)
    context: Context = field(default_factory=Context)

    def new(self) -> list[Candidate]:
        return [c for c in self.candidates if not c.is_duplicate]


@lru_cache(maxsize=50_000)
def zipf(word: str, lang: str = "en") -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, lang)


# --- tokenising ----------------------------------------------------------------------------------

_SENT_END = re.compile(r"(?<=[.!?;:。！？；])\s+|\n\s*\n|\n(?=\s*[-*•\d]+[.)]?\s)|(?<=[。！？；])")
_WORD = re.compile(r"[A-Za-z0-9\u00C0-\u024F][A-Za-z0-9\u00C0-\u024F'’\-]*")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


_ABBREV_END = re.compile(r"(?:\b(?:dr|mr|mrs|ms|prof|st|mt|vs|etc|no|e\.g|i\.e)|\b[A-Z])\.$", re.I)


def _mark_short_lines(text: str) -> str:
    """A short line without final punctuation is a heading or a table cell: its own sentence."""
    lines = text.split("\n")
    for k, line in enumerate(lines[:-1]):
        s = line.strip()
        if s and len(s) < 60 and s[-1:].isalnum():
            lines[k] = line + "\n"
    return "\n".join(lines)


def sentences(text: str) -> list[str]:
    out: list[str] = []
    text = _mark_short_lines(text)
    glue = False
    for part in _SENT_END.split(text):
        s = " ".join(part.split())
        if not s:
            continue
        if glue and out:
            out[-1] += " " + s  # "Dr. Nakamura" is not two sentences
        else:
            out.append(s)
        glue = bool(_ABBREV_END.search(s)) and "\n\n" not in part
    return out


@dataclass
class _Tok:
    text: str  # as written, trimmed of possessive 's and edge hyphens
    start: int  # offset in the sentence
    end: int
    first: bool  # first word of the sentence


def _words(sentence: str) -> list[_Tok]:
    toks = []
    for i, m in enumerate(_WORD.finditer(sentence)):
        w = re.sub(r"['’]s$", "", m.group()).strip("-'’")
        if w:
            toks.append(_Tok(w, m.start(), m.start() + len(w), i == 0))
    return toks


def _is_acronym(w: str) -> bool:
    letters = [c for c in w if c.isalpha()]
    return 2 <= len(letters) <= 8 and all(c.isupper() for c in letters) and len(w) <= 10


def _is_capitalised(w: str) -> bool:
    return w[:1].isupper() and not _is_acronym(w) and any(c.islower() for c in w)


def _adjacent(sentence: str, a: _Tok, b: _Tok) -> bool:
    """Only a space (no comma, period or dash) between two words."""
    return sentence[a.end:b.start].strip() == ""


# --- extraction ----------------------------------------------------------------------------------

@dataclass
class _Found:
    kind: Kind
    text: str
    zipf: float
    count: int = 0
    example: str = ""
    order: int = 0


def _add(found: dict[str, _Found], kind: Kind, text: str, z: float, sentence: str) -> None:
    key = text.casefold()
    f = found.get(key)
    if f is None:
        f = found[key] = _Found(kind, text, z, order=len(found))
    f.count += 1
    if not f.example:
        f.example = sentence


def _latin(sentence: str, found: dict[str, _Found], lowercase_seen: set[str]) -> None:
    toks = _words(sentence)
    i = 0
    while i < len(toks):
        t = toks[i]
        w = t.text
        if _is_acronym(w) and not w.isdigit():
            if zipf(w) < ACRONYM_ZIPF:
                _add(found, Kind.ACRONYM, w, zipf(w), sentence)
            i += 1
            continue
        if _is_capitalised(w):
            # A run of capitalised words is one name ("Johns Hopkins", "Maria Gonzalez").
            j = i + 1
            while (j < len(toks) and j - i < MAX_TERM_WORDS and _is_capitalised(toks[j].text)
                   and _adjacent(sentence, toks[j - 1], toks[j])):
                j += 1
            run = [x.text for x in toks[i:j]]
            while run and run[0].casefold().rstrip(".") in TITLES:
                run = run[1:]
            if run:
                rarest = min(zipf(x) for x in run)
                # A sentence-initial single word is a name only if it is rare and not seen lower-case.
                if t.first and len(run) == 1 and run[0].casefold() in lowercase_seen:
                    # "Apixaban is taken..." is the lower-case word at the start of a sentence.
                    if zipf(run[0]) < RARE_ZIPF and len(run[0]) >= 4:
                        _add(found, Kind.RARE, run[0].casefold(), zipf(run[0]), sentence)
                    i = j
                    continue
                initial_common = t.first and len(run) == 1 and rarest >= RARE_ZIPF
                if rarest < NAME_ZIPF and not initial_common:
                    _add(found, Kind.NAME, " ".join(run), rarest, sentence)
            i = j
            continue
        if w[:1].islower() and not any(c.isdigit() for c in w) and len(w) >= 4 and zipf(w) < RARE_ZIPF:
            # Rare lower-case words; adjacent rare ones form one term ("atrial fibrillation").
            j = i + 1
            while (j < len(toks) and j - i < MAX_TERM_WORDS and toks[j].text[:1].islower()
                   and zipf(toks[j].text) < RARE_ZIPF and _adjacent(sentence, toks[j - 1], toks[j])):
                j += 1
            run = [x.text for x in toks[i:j]]
            kind = Kind.TERM if len(run) > 1 else Kind.RARE
            _add(found, kind, " ".join(run), min(zipf(x) for x in run), sentence)
            i = j
            continue
        i += 1


def _cjk(sentence: str, found: dict[str, _Found]) -> None:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    for run in _CJK_RUN.findall(sentence):
        for w in jieba.lcut(run):
            if len(w) >= 2 and zipf(w, "zh") < CJK_RARE_ZIPF:
                _add(found, Kind.RARE, w, zipf(w, "zh"), sentence)


def _fit_rules(text: str, rule_set: RuleSet) -> list[str]:
    """The candidate as one or more hotwords that satisfy the length rule."""
    if not check_text(text, rule_set):
        return [text]
    if is_cjk_text(text):
        limit = 10 if rule_set is RuleSet.PARAFORMER else 15
        return [text[:limit]]
    words = text.split()
    limit = 5 if rule_set is RuleSet.PARAFORMER else 7
    return [" ".join(words[k:k + limit]) for k in range(0, len(words), limit)]


def extract(text: str, current: Sequence[Hotword] = (), target_model: str = "fun-asr",
            max_candidates: int = 100) -> Suggestions:
    """Candidates ranked by rarity and use in the document, plus a context suggestion."""
    rule_set = model_info(target_model).rule_set
    sents = sentences(text)
    lowercase_seen = {t.text.casefold() for s in sents for t in _words(s)
                      if t.text[:1].islower() and not t.first}
    found: dict[str, _Found] = {}
    for s in sents:
        _latin(s, found, lowercase_seen)
        if is_cjk_text(s):
            _cjk(s, found)
    # A rare word that is also part of a proposed multi-word term is only proposed alone when it
    # also occurs alone.
    existing = {h.text.strip().casefold(): row for row, h in reversed(list(enumerate(current)))}
    ranked = sorted(found.values(), key=lambda f: (-(f.count * (6.0 - min(f.zipf, 6.0))), f.order))
    out: list[Candidate] = []
    seen: set[str] = set()
    for f in ranked:
        for piece in _fit_rules(f.text, rule_set):
            key = piece.casefold()
            if key in seen:
                continue
            seen.add(key)
            out.append(Candidate(piece, f.kind, f.count, round(f.zipf, 2),
                                 duplicate_row=existing.get(key), example=f.example))
    out = out[:max_candidates]
    return Suggestions(out, suggest_context(sents, [c.text for c in out]))


def suggest_context(sents: Sequence[str], terms: Sequence[str],
                    max_messages: int = MAX_MESSAGES_PER_ROLE,
                    max_chars: int = MAX_CHARS_PER_ROUND) -> Context:
    """The prose sentences that mention the most candidate terms not yet covered, in document
    order, packed into at most `max_messages` user messages of at most `max_chars` each."""
    prose = [s for s in sents if _is_prose(s)]
    lowered = [s.casefold() for s in prose]
    covered: set[str] = set()
    chosen: list[int] = []
    budget = max_messages * max_chars
    used = 0
    while True:
        best, best_gain = -1, 0
        for k, s in enumerate(lowered):
            if k in chosen:
                continue
            gain = sum(1 for t in terms if t.casefold() not in covered and t.casefold() in s)
            if gain > best_gain or (gain == best_gain and gain and len(prose[k]) < len(prose[best])):
                best, best_gain = k, gain
        if best < 0:
            break
        size = min(len(prose[best]), max_chars)
        if used + size > budget:
            break
        chosen.append(best)
        used += size + 1
        covered |= {t.casefold() for t in terms if t.casefold() in lowered[best]}
    messages: list[str] = []
    for k in sorted(chosen):
        s = _trim(prose[k], max_chars)
        if messages and len(messages[-1]) + 1 + len(s) <= max_chars:
            messages[-1] += " " + s
        elif len(messages) < max_messages:
            messages.append(s)
    return Context([ContextMessage(Role.USER, m) for m in messages])


def _is_prose(s: str) -> bool:
    if is_cjk_text(s):
        return len(s) >= 8
    return len(s.split()) >= 6 and s[-1:] in ".!?" and any(c.islower() for c in s)


def _trim(s: str, limit: int) -> str:
    if len(s) <= limit:
        return s
    cut = s[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(",;: ") + "…"
