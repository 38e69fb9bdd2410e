"""A transcriptionist's text edits applied to timed words, so untouched words keep their times.

The editor shows each sentence as plain text. When the user changes it, the new text is split
into tokens and aligned with the sentence's old words (core.metrics.align on normalised keys):
matched words keep their engine timestamps, a substituted word takes the old word's slot, and
inserted words share the time between their neighbours. Word i of an edited sentence is always
token i of its text (`tokenize`), which is how the editor maps a played word to characters.

Also here: timestamp markers ("[01:23.4]") and {inaudible}/{crosstalk} tags, and the diff of
the engine's original words against the corrected ones ("learn from my corrections").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from .hotwords import Hotword, check_hotword
from .metrics import Op, align, normalize
from .models import model_info
from .transcript import Sentence, Transcript, Word

TAGS = ("{inaudible}", "{crosstalk}")
TAG_RE = re.compile(r"^\{[^{}\s]*\}$")
TIMESTAMP_RE = re.compile(r"^\[(?:(\d+):)?(\d{1,2}):(\d{2})(?:\.(\d))?\]$")


# ---------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Token:
    """One word of an edited text: `text` plus trailing punctuation, at chars [start, end)."""

    text: str
    punctuation: str
    start: int
    end: int


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x2FFFF


def _is_trailing_punct(ch: str) -> bool:
    # Only "other" punctuation (. , ! ? ; : and their CJK forms): closing brackets belong to
    # tags and timestamps, and a closing quote stays with its word.
    return unicodedata.category(ch) == "Po"


def tokenize(text: str) -> list[Token]:
    """Words of a sentence as the editor shows it: spaced words, and each CJK character alone.

    Punctuation after a word becomes its `punctuation`; punctuation standing alone between
    spaces is a token of its own, so rendering the tokens gives the same spacing back.
    """
    out: list[Token] = []
    for m in re.finditer(r"\S+", text):
        chunk, base = m.group(), m.start()
        if TAG_RE.match(chunk.rstrip(".,;:!?")) or TIMESTAMP_RE.match(chunk.rstrip(".,;:!?")):
            body = chunk.rstrip(".,;:!?")
            out.append(Token(body, chunk[len(body):], base, base + len(chunk)))
            continue
        pieces: list[tuple[str, int]] = []  # (piece, offset) split at CJK characters
        buf, buf_start = "", 0
        for k, ch in enumerate(chunk):
            if _is_cjk(ch):
                if buf:
                    pieces.append((buf, buf_start))
                    buf = ""
                pieces.append((ch, k))
            elif _is_trailing_punct(ch) and pieces and not buf:
                # CJK punctuation right after a CJK character: extend that character's piece.
                p, off = pieces[-1]
                pieces[-1] = (p + ch, off)
            else:
                if not buf:
                    buf_start = k
                buf += ch
        if buf:
            pieces.append((buf, buf_start))
        for piece, off in pieces:
            body = piece.rstrip("".join(c for c in set(piece) if _is_trailing_punct(c)))
            start = base + off
            if not body:  # punctuation standing alone (" & ", " - ") is a word of its own
                out.append(Token(piece, "", start, start + len(piece)))
                continue
            out.append(Token(body, piece[len(body):], start, start + len(piece)))
    return out


def render_words(words: Sequence[Word]) -> str:
    """The text the editor shows for these words: spaces between words, none inside CJK runs."""
    pieces = [w.text.strip() + w.punctuation for w in words]
    out = " ".join(p for p in pieces if p)
    return _fix_cjk_spacing(out)


def _fix_cjk_spacing(text: str) -> str:
    """No space between CJK characters and CJK punctuation, nor after an ASCII comma or stop that
    follows a CJK character (Whisper writes "被枪避后, 部分"; Chinese text has no such space)."""
    return _CJK_GAP.sub("", text)


_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_CJK_PUNCT = r"\u3000-\u303f\uff00-\uffef"
_CJK_GAP = re.compile(rf"(?:(?<=[{_CJK}{_CJK_PUNCT}])|(?<=[{_CJK}][,.;:!?]))"
                      rf" (?=[{_CJK}{_CJK_PUNCT}])")


def sentence_display_text(sentence: Sentence) -> str:
    return render_words(sentence.words) if sentence.words else sentence.text.strip()


# ---------------------------------------------------------------------------- markers


def format_timestamp(ms: int) -> str:
    """A marker the user can read and the tokenizer recognises: [mm:ss.d] or [h:mm:ss.d]."""
    ms = max(0, int(ms))
    tenths = (ms // 100) % 10
    s = ms // 1000
    h, m, sec = s // 3600, (s // 60) % 60, s % 60
    return f"[{h}:{m:02d}:{sec:02d}.{tenths}]" if h else f"[{m:02d}:{sec:02d}.{tenths}]"


def parse_timestamp(token: str) -> int | None:
    m = TIMESTAMP_RE.match(token)
    if not m:
        return None
    h, mi, s, t = m.groups()
    return ((int(h or 0) * 60 + int(mi)) * 60 + int(s)) * 1000 + int(t or 0) * 100


def is_marker(text: str) -> bool:
    """Timestamps and {tags} are the transcriptionist's notes, not spoken words."""
    return bool(TAG_RE.match(text) or TIMESTAMP_RE.match(text))


def insert_at(text: str, cursor: int, marker: str) -> tuple[str, int]:
    """`marker` inserted at `cursor` as a word of its own (spaces added where needed).

    Returns the new text and the cursor after the marker.
    """
    cursor = max(0, min(cursor, len(text)))
    before, after = text[:cursor], text[cursor:]
    lead = " " if before and not before[-1].isspace() else ""
    trail = " " if after and not after[0].isspace() else ""
    new = before + lead + marker + trail + after
    return new, len(before) + len(lead) + len(marker) + len(trail)


# ---------------------------------------------------------------------------- edits


class ChangeKind(StrEnum):
    REPLACE = "replace"
    INSERT = "insert"
    DELETE = "delete"


@dataclass(frozen=True)
class Change:
    """One run of words that differs between the old and the new text of a sentence."""

    kind: ChangeKind
    old: str
    new: str
    begin_ms: int
    end_ms: int


@dataclass
class EditResult:
    sentence: Sentence
    changes: list[Change] = field(default_factory=list)


def _key(text: str) -> str:
    return normalize(text) or text.strip().casefold()


def apply_text_edit(sentence: Sentence, new_text: str) -> EditResult:
    """The sentence with `new_text`, each word timed: kept, slot-taken or interpolated."""
    old = sentence.words
    toks = tokenize(new_text)
    pairs = align([_key(w.text) for w in old], [_key(t.text) for t in toks])
    words: list[Word] = []
    changes: list[Change] = []
    run_old: list[int] = []
    run_new: list[int] = []
    i = j = 0

    def flush() -> None:
        if not run_old and not run_new:
            return
        prev_end = words[-1].end_ms if words else sentence.begin_ms
        if run_old:
            span = (old[run_old[0]].begin_ms, old[run_old[-1]].end_ms)
        else:
            nxt = old[i].begin_ms if i < len(old) else sentence.end_ms
            span = (prev_end, max(prev_end, nxt))
        new_toks = [toks[k] for k in run_new]
        if len(run_old) == len(run_new):
            timed = [(old[a].begin_ms, old[a].end_ms) for a in run_old]
        elif run_old and _resegmented([old[a] for a in run_old], new_toks):
            timed = _split_words([old[a] for a in run_old], new_toks)
        else:
            timed = _spread(span, [len(t.text) for t in new_toks])
        for t, (b, e) in zip(new_toks, timed, strict=True):
            words.append(Word(t.text, b, e, t.punctuation))
        kind = (ChangeKind.REPLACE if run_old and run_new else
                ChangeKind.INSERT if run_new else ChangeKind.DELETE)
        changes.append(Change(kind, render_words([old[a] for a in run_old]),
                              render_words([Word(t.text, 0, 0, t.punctuation) for t in new_toks]),
                              span[0], span[1]))
        run_old.clear()
        run_new.clear()

    for p in pairs:
        if p.op is Op.OK:
            flush()
            w, t = old[i], toks[j]
            words.append(Word(t.text, w.begin_ms, w.end_ms, t.punctuation, w.probability))
            i, j = i + 1, j + 1
        else:
            if p.op is not Op.INS:
                run_old.append(i)
                i += 1
            if p.op is not Op.DEL:
                run_new.append(j)
                j += 1
    flush()
    for w in words:
        at = parse_timestamp(w.text)
        if at is not None:
            w.begin_ms = w.end_ms = at
    text = render_words(words) if words else ""
    return EditResult(replace(sentence, text=text, words=words), changes)


def _resegmented(old: Sequence[Word], new: Sequence[Token]) -> bool:
    """Same characters, cut differently (a Chinese word split into characters)."""
    return "".join(_key(w.text) for w in old).replace(" ", "") == "".join(
        _key(t.text) for t in new).replace(" ", "")


def _split_words(old: Sequence[Word], new: Sequence[Token]) -> list[tuple[int, int]]:
    """Each new token timed inside the old word its characters came from."""
    out: list[tuple[int, int]] = []
    k = 0
    for w in old:
        size = len(_key(w.text).replace(" ", ""))
        lengths: list[int] = []
        while k < len(new) and sum(lengths) < size:
            lengths.append(len(_key(new[k].text).replace(" ", "")))
            k += 1
        out += _spread((w.begin_ms, w.end_ms), lengths)
    out += [(old[-1].end_ms, old[-1].end_ms)] * (len(new) - len(out))
    return out[:len(new)]


def _spread(span: tuple[int, int], weights: Sequence[int]) -> list[tuple[int, int]]:
    """Split [begin, end] among words in proportion to their lengths (integer ms, in order)."""
    begin, end = span
    total = sum(max(1, w) for w in weights) or 1
    out, acc = [], 0
    for w in weights:
        b = begin + (end - begin) * acc // total
        acc += max(1, w)
        out.append((b, begin + (end - begin) * acc // total))
    return out


def normalize_sentence(sentence: Sentence) -> Sentence:
    """The sentence re-cut so that word i is token i of its display text (done once on import).

    Engines may give multi-character Chinese words or words with inner spaces; the editor needs
    one word per token. Sentences without word times get evenly spread words.
    """
    return apply_text_edit(sentence, sentence_display_text(sentence)).sentence


def normalize_transcript(t: Transcript) -> Transcript:
    return replace(t, sentences=[normalize_sentence(s) for s in t.sentences])


def word_at(sentence: Sentence, ms: int) -> int | None:
    """Index of the word being spoken at `ms` (the last one begun), or None before the first."""
    idx = None
    for k, w in enumerate(sentence.words):
        if is_marker(w.text):
            continue
        if w.begin_ms <= ms:
            idx = k
        else:
            break
    return idx


# ---------------------------------------------------------------------------- learning


def corrections(original: Transcript, current: Transcript) -> list[Change]:
    """What the user changed in the engine's words, sentence by sentence, markers left out."""
    out: list[Change] = []
    for o, c in zip(original.sentences, current.sentences, strict=False):
        cleaned = [w for w in c.words if not is_marker(w.text)]
        for ch in apply_text_edit(o, render_words(cleaned)).changes:
            if ch.kind is not ChangeKind.DELETE:
                out.append(ch)
    return out


@dataclass
class Candidate:
    """A corrected term offered for the hotword list, with why it may not be addable."""

    text: str
    count: int = 0  # how many times the user wrote it over the engine's output
    heard_as: list[str] = field(default_factory=list)  # what the engine wrote instead
    problem: str = ""  # empty when it can be added

    @property
    def addable(self) -> bool:
        return not self.problem


def _clean_term(text: str) -> str:
    toks = [t.text for t in tokenize(text) if not is_marker(t.text)]
    joined = " ".join(toks)
    return _fix_cjk_spacing(joined).strip(" '\"“”‘’()")


def hotword_candidates(changes: Iterable[Change], existing: Iterable[str], target_model: str,
                       min_count: int = 1) -> list[Candidate]:
    """Corrected terms, most often corrected first, each checked against the hotword rules.

    Plain capitalisation/punctuation fixes never show up (the alignment treats them as the
    same word). Numbers and single letters are not offered: a hotword cannot fix those.
    """
    taken = {e.strip().casefold() for e in existing}
    found: dict[str, Candidate] = {}
    for ch in changes:
        term = _clean_term(ch.new)
        if not term or not any(c.isalpha() for c in term) or (len(term) < 2 and not _is_cjk(term[0])):
            continue
        cand = found.setdefault(term.casefold(), Candidate(term))
        cand.count += 1
        heard = _clean_term(ch.old)
        if heard and heard not in cand.heard_as:
            cand.heard_as.append(heard)
    model = model_info(target_model)
    out = []
    for key, cand in found.items():
        if cand.count < min_count:
            continue
        if key in taken:
            cand.problem = "Already in the list."
        else:
            errors = [p for p in check_hotword(Hotword(cand.text), model) if p.is_error]
            cand.problem = errors[0].message if errors else ""
        out.append(cand)
    out.sort(key=lambda c: (-c.count, c.text.casefold()))
    return out
