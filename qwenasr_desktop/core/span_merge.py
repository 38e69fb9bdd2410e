"""Where a biased transcript may differ from the plain one: span proposals for verification.

Weighted hotwords and context steer Whisper through its prompt, and a small Whisper copies a
prompt that looks like a list (it writes the glossary instead of the sentence, or stops after the
last hotword it wrote). So the plain decode of a chunk (no glossary, no context) is the
transcript, and a biased decode only *proposes* changes to it:

* a hotword proposal is the smallest stretch of the biased text that completes a hotword the
  plain text lacks at that place, with the plain text it would replace (aligned word by word, or
  character by character for Chinese);
* a context proposal is a changed stretch whose new words appear verbatim in the user's context.

Everything else of the biased text is ignored, so a change can only ever happen where a hotword
or the context is involved: the rest of the transcript is the plain decode by construction. The
engine then accepts a proposal only if the unprompted decoder, plus the hotword's bonus, prefers
it (engines/local/verification.py).

Pure functions over strings; no model here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from .metrics import Op, align
from .metrics import is_cjk_char as _is_cjk

# How far a proposal's two sides may differ in length (characters): slack + ratio x the longer.
# Loose on purpose: it only has to tell a hotword that replaces what sounds like it from a
# glossary written out in place of a sentence; the decoder's verification does the rest.
SPAN_SLACK = 1
SPAN_RATIO = 0.3


@dataclass(frozen=True)
class Piece:
    surface: str  # as written, with the whitespace before it and punctuation after it
    key: str  # normalised: lower case, letters and digits only ("" for punctuation alone)


@dataclass(frozen=True)
class Proposal:
    """Replace plain pieces [start, end) by `replacement` (surface text of the biased decode)."""

    start: int
    end: int
    replacement: str
    phrases: tuple[str, ...] = ()  # hotwords this completes
    context_text: str = ""  # for a context proposal: the words the context supports

    @property
    def is_context(self) -> bool:
        return not self.phrases


def _key(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).lower()
    return "".join(c for c in t if c.isalnum())


def _raw_pieces(text: str) -> list[str]:
    """One CJK character, or one run of other non-space characters, with the spaces before it."""
    out: list[str] = []
    cur = ""
    for ch in text:
        if ch.isspace():
            if cur.strip():
                out.append(cur)
                cur = ""
            cur += ch
        elif _is_cjk(ch):
            if cur.strip():
                out.append(cur)
                cur = ""
            out.append(cur + ch)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur)
    return out


def pieces(text: str) -> list[Piece]:
    """Split into keyed pieces; punctuation joins the piece before it (or after, at the start)."""
    out: list[Piece] = []
    lead = ""
    for surface in _raw_pieces(text):
        key = _key(surface)
        if not key:
            if out:
                out[-1] = Piece(out[-1].surface + surface, out[-1].key)
            else:
                lead += surface
            continue
        out.append(Piece(lead + surface, key))
        lead = ""
    return out


def join(items: Sequence[Piece]) -> str:
    return "".join(p.surface for p in items).strip()


def phrase_keys(text: str) -> list[str]:
    return [p.key for p in pieces(text)]


def _occurrences(keys: Sequence[str], phrase: Sequence[str]) -> list[tuple[int, int]]:
    n = len(phrase)
    if not n:
        return []
    return [(i, i + n) for i in range(len(keys) - n + 1) if list(keys[i:i + n]) == list(phrase)]


@dataclass(frozen=True)
class _Seg:
    equal: bool
    i1: int
    i2: int
    j1: int
    j2: int


def _segments(a: Sequence[str], b: Sequence[str]) -> list[_Seg]:
    """Levenshtein alignment of plain keys `a` and biased keys `b`, one segment per column
    (match, substitution, deletion or insertion), so a change never spans more than it must."""
    out: list[_Seg] = []
    i = j = 0
    for pair in align(a, b):
        di, dj = int(pair.ref is not None), int(pair.hyp is not None)
        out.append(_Seg(pair.op is Op.OK, i, i + di, j, j + dj))
        i, j = i + di, j + dj
    return out


def _touches(s: _Seg, a: int, b: int) -> bool:
    if s.j1 == s.j2:  # a deletion counts only strictly inside the hotword
        return a < s.j1 < b
    return s.j1 < b and s.j2 > a


def _length_gap(segs: list[_Seg], lo: int, hi: int, plain_keys: Sequence[str],
                cand_keys: Sequence[str]) -> int:
    return abs(_sound_length(plain_keys[segs[lo].i1:segs[hi].i2])
               - _sound_length(cand_keys[segs[lo].j1:segs[hi].j2]))


def _with_deletions(segs: list[_Seg], lo: int, hi: int, plain_keys: Sequence[str],
                    cand_keys: Sequence[str]) -> tuple[int, int]:
    """Widen a hotword's span over plain-only units right beside it while that brings the two
    sides' lengths closer: where "a big gale clap lin" became "Abigail Claflin", the alignment
    puts some plain words beside the hotword instead of under it."""
    gap = _length_gap(segs, lo, hi, plain_keys, cand_keys)
    while gap:
        options = []
        if lo > 0 and segs[lo - 1].j1 == segs[lo - 1].j2:
            options.append((_length_gap(segs, lo - 1, hi, plain_keys, cand_keys), lo - 1, hi))
        if hi + 1 < len(segs) and segs[hi + 1].j1 == segs[hi + 1].j2:
            options.append((_length_gap(segs, lo, hi + 1, plain_keys, cand_keys), lo, hi + 1))
        if not options or min(options)[0] >= gap:
            break
        gap, lo, hi = min(options)
    return lo, hi


def _spans_for_hotwords(segs: list[_Seg], plain_keys: list[str], cand_keys: list[str],
                        hotwords: Sequence[str]) -> list[tuple[int, int, set[str]]]:
    """(first seg, last seg, phrases) for every hotword occurrence of the biased text that
    involves a change; overlapping ones merged."""
    found: list[tuple[int, int, set[str]]] = []
    for phrase in hotwords:
        for a, b in _occurrences(cand_keys, phrase_keys(phrase)):
            idx = [k for k, s in enumerate(segs) if _touches(s, a, b)]
            if idx and any(not segs[k].equal for k in idx):
                lo, hi = _with_deletions(segs, idx[0], idx[-1], plain_keys, cand_keys)
                found.append((lo, hi, {phrase}))
    found.sort(key=lambda f: (f[0], f[1]))
    merged: list[tuple[int, int, set[str]]] = []
    for lo, hi, ph in found:
        if merged and lo <= merged[-1][1]:
            plo, phi, pph = merged[-1]
            merged[-1] = (plo, max(phi, hi), pph | ph)
        else:
            merged.append((lo, hi, ph))
    return merged


def _in_context(keys: Sequence[str], context_keys: Sequence[str]) -> bool:
    return bool(keys) and bool(_occurrences(context_keys, keys))


def _widened(segs: list[_Seg], lo: int, hi: int, cand_keys: list[str], context_keys: list[str]) -> list[str]:
    """The changed biased units, widened over unchanged neighbours while still verbatim context."""
    j1, j2 = segs[lo].j1, segs[hi].j2
    while lo > 0 and segs[lo - 1].equal and _in_context(cand_keys[segs[lo - 1].j1:j2], context_keys):
        lo -= 1
        j1 = segs[lo].j1
    while hi + 1 < len(segs) and segs[hi + 1].equal and _in_context(cand_keys[j1:segs[hi + 1].j2],
                                                                       context_keys):
        hi += 1
        j2 = segs[hi].j2
    return cand_keys[j1:j2]


def _context_spans(segs: list[_Seg], cand_keys: list[str], context_keys: list[str],
                   taken: set[int]) -> list[tuple[int, int]]:
    """Changed runs whose new text appears verbatim in the context, with enough evidence: the
    run widened over its unchanged neighbours (while still verbatim context) holds two units
    (CJK) or a word of four letters or more. One shared character or a short word is none."""
    out: list[tuple[int, int]] = []
    k = 0
    while k < len(segs):
        if segs[k].equal or k in taken:
            k += 1
            continue
        hi = k
        while hi + 1 < len(segs) and not segs[hi + 1].equal and hi + 1 not in taken:
            hi += 1
        changed = cand_keys[segs[k].j1:segs[hi].j2]
        if changed and _in_context(changed, context_keys):
            wide = _widened(segs, k, hi, cand_keys, context_keys)
            cjk = any(_is_cjk(c) for c in "".join(wide))
            if (len(wide) >= 2) if cjk else max(map(len, changed)) >= 4:
                out.append((k, hi))
        k = hi + 1
    return out


def _proposal(segs: list[_Seg], lo: int, hi: int, plain: list[Piece], cand: list[Piece],
              **kw) -> Proposal | None:
    if not _balanced(segs, lo, hi, [x.key for x in plain], [x.key for x in cand]):
        return None
    i1, i2 = segs[lo].i1, segs[hi].i2
    text = join(cand[segs[lo].j1:segs[hi].j2])
    if i2 > i1:  # the plain text's punctuation after the span stays: it is not the hotword's
        text = text[:len(text) - len(_tail(text))] + _tail(plain[i2 - 1].surface)
    return Proposal(i1, i2, text, **kw)


def _tail(surface: str) -> str:
    """The punctuation after a piece's last letter or digit."""
    n = len(surface)
    while n and not surface[n - 1].isalnum():
        n -= 1
    return surface[n:].rstrip() if n else ""


def _sound_length(keys: Sequence[str]) -> int:
    """Characters: a syllable each in Chinese, a rough measure of sound in alphabetic text."""
    return sum(len(k) for k in keys)


def _balanced(segs: list[_Seg], lo: int, hi: int, plain_keys: Sequence[str],
              cand_keys: Sequence[str]) -> bool:
    """Do both sides of an aligned stretch take about as long to say? A hotword replaces what
    sounds like it; a glossary written out instead of a sentence does not."""
    a = _sound_length(plain_keys[segs[lo].i1:segs[hi].i2])
    b = _sound_length(cand_keys[segs[lo].j1:segs[hi].j2])
    return abs(a - b) <= SPAN_SLACK + SPAN_RATIO * max(a, b)


def copied_glossary(segs: list[_Seg], plain_keys: list[str], cand_keys: list[str],
                    hotwords: Sequence[str]) -> bool:
    """True if the biased text holds two or more hotwords back to back (only punctuation
    between them) where the plain text has a stretch of clearly another length: Whisper wrote
    out its glossary instead of the speech. Such a decode proposes nothing at all."""
    occ = sorted({o for ph in hotwords for o in _occurrences(cand_keys, phrase_keys(ph))})
    runs: list[list[int]] = []
    for a, b in occ:
        if runs and a == runs[-1][1]:
            runs[-1] = [runs[-1][0], b, runs[-1][2] + 1]
        elif not runs or a >= runs[-1][1]:
            runs.append([a, b, 1])
    for a, b, count in runs:
        if count < 2:
            continue
        idx = [k for k, s in enumerate(segs) if _touches(s, a, b)]
        if idx and not _balanced(segs, idx[0], idx[-1], plain_keys, cand_keys):
            return True
    return False


def propose(plain: str, biased: str, hotwords: Sequence[str], context: str = "") -> list[Proposal]:
    """Every change of `biased` against `plain` that a hotword or the context accounts for."""
    p, c = pieces(plain), pieces(biased)
    plain_keys, cand_keys = [x.key for x in p], [x.key for x in c]
    segs = _segments(plain_keys, cand_keys)
    out: list[Proposal] = []
    if copied_glossary(segs, plain_keys, cand_keys, hotwords):
        return out
    taken: set[int] = set()
    for lo, hi, phrases in _spans_for_hotwords(segs, plain_keys, cand_keys, hotwords):
        taken |= set(range(lo, hi + 1))
        prop = _proposal(segs, lo, hi, p, c, phrases=tuple(sorted(phrases)))
        if prop is not None:
            out.append(prop)
    if context.strip():
        ctx_keys = phrase_keys(context)
        for lo, hi in _context_spans(segs, cand_keys, ctx_keys, taken):
            prop = _proposal(segs, lo, hi, p, c, context_text=join(c[segs[lo].j1:segs[hi].j2]))
            if prop is not None:
                out.append(prop)
    return sorted(out, key=lambda x: x.start)


def apply(plain: str, accepted: Sequence[Proposal]) -> str:
    """The plain text with the accepted proposals (non-overlapping) put in."""
    if not accepted:
        return plain.strip()
    p = pieces(plain)
    out: list[str] = []
    pos = 0
    for prop in sorted(accepted, key=lambda x: x.start):
        if prop.start < pos:
            continue  # overlaps one already applied
        out.append(join(p[pos:prop.start]))
        out.append(prop.replacement)
        pos = prop.end
    out.append(join(p[pos:]))
    return _join_parts(out)


def _join_parts(parts: list[str]) -> str:
    text = ""
    for part in parts:
        if not part:
            continue
        if text and not (_is_cjk(text[-1]) or _is_cjk(part[0])) and not _no_space_before(part[0]):
            text += " "
        text += part
    return text


def _no_space_before(ch: str) -> bool:
    return unicodedata.category(ch)[0] == "P" and ch not in "([{\"'“‘"
