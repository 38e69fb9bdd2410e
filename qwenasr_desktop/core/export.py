"""Transcript exports as text: TXT, SRT, WebVTT and our JSON; and export file names.

Pure functions returning strings (the caller writes the file), so every format is tested by
parsing it back. DOCX needs python-docx and lives in storage/docx_export.py on top of
`paragraphs()` here, so TXT and DOCX always agree on what a paragraph is.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .transcript import Sentence, Transcript, Word
from .transcript_edit import TIMESTAMP_RE, format_timestamp, is_marker, render_words, tokenize

JSON_FORMAT = "qwenasr-desktop/transcript"
JSON_VERSION = 1
PARAGRAPH_GAP_MS = 2000  # a pause this long starts a new paragraph in TXT/DOCX


class ExportFormat(StrEnum):
    TXT = "txt"
    TXT_TIMED = "txt-timed"  # with timestamps and speakers
    SRT = "srt"
    VTT = "vtt"
    DOCX = "docx"
    JSON = "json"

    @property
    def extension(self) -> str:
        return "txt" if self is ExportFormat.TXT_TIMED else self.value

    @property
    def label(self) -> str:
        return {"txt": "Plain text (.txt)", "txt-timed": "Text with timestamps and speakers (.txt)",
                "srt": "SubRip subtitles (.srt)", "vtt": "WebVTT subtitles (.vtt)",
                "docx": "Word document (.docx)", "json": "Transcript with word times (.json)"}[self.value]


def speaker_name(speaker: int | None, names: Mapping[int, str]) -> str:
    """The user's name for a speaker, else "Speaker N" (1-based, as people count)."""
    if speaker is None:
        return ""
    return names.get(speaker, "").strip() or f"Speaker {speaker + 1}"


@dataclass(frozen=True)
class Paragraph:
    begin_ms: int
    speaker: str
    text: str


def _sentence_text(s: Sentence, keep_markers: bool = True) -> str:
    if not s.words:
        return s.text.strip()
    words = s.words if keep_markers else [w for w in s.words if not TIMESTAMP_RE.match(w.text)]
    return render_words(words)


def paragraphs(t: Transcript, names: Mapping[int, str] | None = None) -> list[Paragraph]:
    """Sentences grouped into turns: a new paragraph when the speaker changes or after a pause."""
    names = names or {}
    out: list[Paragraph] = []
    prev: Sentence | None = None
    texts: list[str] = []
    begin, who = 0, ""
    for s in t.sentences:
        text = _sentence_text(s)
        if not text:
            continue
        new_turn = prev is None or s.speaker != prev.speaker or s.begin_ms - prev.end_ms >= PARAGRAPH_GAP_MS
        if new_turn and texts:
            out.append(Paragraph(begin, who, _join(texts)))
            texts = []
        if new_turn:
            begin, who = s.begin_ms, speaker_name(s.speaker, names)
        texts.append(text)
        prev = s
    if texts:
        out.append(Paragraph(begin, who, _join(texts)))
    return out


def _join(texts: Sequence[str]) -> str:
    return Transcript([Sentence(x, 0, 0) for x in texts]).text


def to_txt(t: Transcript, names: Mapping[int, str] | None = None, *, timestamps: bool = False,
           speakers: bool = False) -> str:
    lines = []
    for p in paragraphs(t, names):
        head = ""
        if timestamps:
            head += format_timestamp(p.begin_ms) + " "
        if speakers and p.speaker:
            head += p.speaker + ": "
        lines.append(head + p.text)
    return "\n\n".join(lines) + ("\n" if lines else "")


# ---------------------------------------------------------------------------- subtitles


@dataclass(frozen=True)
class SubtitleStyle:
    """Subtitle conventions (Netflix, BBC and most broadcasters' guides), each a parameter.

    A line holds at most `max_line_chars` characters (a speaker label counts: it is shown) and a
    cue at most `max_lines` lines and `max_duration_ms`; a cue stays up at least `min_duration_ms`
    so it can be read at all. CJK text is measured and broken by characters.
    """

    max_line_chars: int = 42
    max_lines: int = 2
    min_duration_ms: int = 700
    max_duration_ms: int = 7000


DEFAULT_STYLE = SubtitleStyle()


@dataclass(frozen=True)
class Cue:
    begin_ms: int
    end_ms: int
    speaker: str
    text: str  # its lines, joined by "\n"; a speaker label is not part of it


@dataclass
class _Unit:
    """A spoken word with the markers ({inaudible}, [00:03.0]) written next to it: never split,
    so a marker stays in the cue of the words it belongs to and never becomes a cue of its own."""

    words: list[Word]
    begin_ms: int
    end_ms: int


def cues(t: Transcript, names: Mapping[int, str] | None = None, style: SubtitleStyle = DEFAULT_STYLE,
         *, label_speakers: bool = False) -> list[Cue]:
    """Each sentence cut into cues at word boundaries (CJK: characters) within `style`'s limits.

    With `label_speakers` the "Name: " shown before the first line counts towards its length.
    """
    names = names or {}
    out: list[Cue] = []
    for who, units in _sentence_units(t, names):
        label = len(who) + 2 if label_speakers and who else 0
        chunk: list[_Unit] = []
        lines: list[list[Word]] = []  # the chunk filled greedily: enough to know whether a unit fits
        for u in units:
            if chunk and (u.end_ms - chunk[0].begin_ms > style.max_duration_ms
                          or not _add(lines, u.words, style, label)):
                out.append(_cue(chunk, who, style, label))
                chunk, lines = [], []
            if not chunk:
                lines = [list(u.words)]
            chunk.append(u)
        if chunk:
            out.append(_cue(chunk, who, style, label))
    return _timed(out, style)


def _add(lines: list[list[Word]], words: Sequence[Word], style: SubtitleStyle, label: int) -> bool:
    """Put `words` on the last line, or on a new one if there is room for it; False if neither."""
    room = style.max_line_chars - (label if len(lines) == 1 else 0)
    if len(render_words([*lines[-1], *words])) <= room:
        lines[-1].extend(words)
        return True
    if len(lines) < style.max_lines and len(render_words(words)) <= style.max_line_chars:
        lines.append(list(words))
        return True
    return False


def _sentence_units(t: Transcript, names: Mapping[int, str]) -> list[tuple[str, list[_Unit]]]:
    """Per sentence: its speaker's name and its units. A sentence of markers only joins its
    neighbour (the previous sentence, or the next when it is the first)."""
    out: list[tuple[str, list[_Unit]]] = []
    pending: list[Word] = []  # markers waiting for a spoken word
    for s in t.sentences:
        units: list[_Unit] = []
        for w in _sentence_words(s):
            if is_marker(w.text):
                if units:
                    units[-1].words.append(w)
                else:
                    pending.append(w)
            else:
                units.append(_Unit([*pending, w], w.begin_ms, max(w.end_ms, w.begin_ms)))
                pending = []
        if units:
            out.append((speaker_name(s.speaker, names), units))
        elif pending and out:
            out[-1][1][-1].words.extend(pending)
            pending = []
    if pending and out:
        out[-1][1][-1].words.extend(pending)
    return out


def _sentence_words(s: Sentence) -> list[Word]:
    if s.words:
        return list(s.words)
    toks = tokenize(s.text)  # no word times: spread the sentence's time by length
    total = sum(max(1, len(k.text)) for k in toks) or 1
    out, acc, span = [], 0, max(0, s.end_ms - s.begin_ms)
    for k in toks:
        b = s.begin_ms + span * acc // total
        acc += max(1, len(k.text))
        out.append(Word(k.text, b, s.begin_ms + span * acc // total, k.punctuation))
    return out


def _words(units: Sequence[_Unit]) -> list[Word]:
    return [w for u in units for w in u.words]


def _wrap(words: Sequence[Word], style: SubtitleStyle, label: int = 0) -> list[str] | None:
    """The words as lines within the limits, None if they do not fit; two lines are balanced
    (the break that makes the longer line shortest), more are filled greedily."""
    width = style.max_line_chars
    if len(render_words(words)) + label <= width:
        return [render_words(words)]
    if style.max_lines == 2:
        splits = [(render_words(words[:k]), render_words(words[k:])) for k in range(1, len(words))]
        fitting: list[tuple[str, str]] = [(a, b) for a, b in splits
                                          if len(a) + label <= width and len(b) <= width]
        if not fitting:
            return None
        first, second = min(fitting, key=lambda ab: max(len(ab[0]) + label, len(ab[1])))
        return [first, second]
    lines = [[words[0]]]
    for w in words[1:]:
        if not _add(lines, [w], style, label):
            return None
    return [render_words(line) for line in lines]


def _cue(units: Sequence[_Unit], who: str, style: SubtitleStyle, label: int) -> Cue:
    words = _words(units)
    # A single unit longer than the limits (one very long word) is still shown, on one line.
    lines = _wrap(words, style, label) or [render_words(words)]
    return Cue(units[0].begin_ms, max(u.end_ms for u in units), who, "\n".join(lines))


def _timed(out: Sequence[Cue], style: SubtitleStyle) -> list[Cue]:
    """In order, never overlapping (players drop such cues), each up at least the minimum time."""
    fixed: list[Cue] = []
    for c in sorted(out, key=lambda c: c.begin_ms):
        begin = max(c.begin_ms, fixed[-1].end_ms if fixed else 0)
        fixed.append(Cue(begin, max(c.end_ms, begin + style.min_duration_ms, begin + 1), c.speaker, c.text))
    return fixed


def _clock(ms: int, sep: str) -> str:
    h, rest = divmod(max(0, ms), 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, milli = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{milli:03d}"


def to_srt(t: Transcript, names: Mapping[int, str] | None = None, *, speakers: bool = True,
           style: SubtitleStyle = DEFAULT_STYLE) -> str:
    blocks = []
    for n, c in enumerate(cues(t, names, style, label_speakers=speakers), 1):
        text = f"{c.speaker}: {c.text}" if speakers and c.speaker else c.text
        blocks.append(f"{n}\n{_clock(c.begin_ms, ',')} --> {_clock(c.end_ms, ',')}\n{text}\n")
    return "\n".join(blocks)


def to_vtt(t: Transcript, names: Mapping[int, str] | None = None, *, speakers: bool = True,
           style: SubtitleStyle = DEFAULT_STYLE) -> str:
    """The speaker is a voice tag (<v Name>), which players do not show: it takes no line space."""
    out = ["WEBVTT", ""]
    for c in cues(t, names, style):
        text = _vtt_escape(c.text)
        if speakers and c.speaker:
            text = f"<v {_vtt_escape(c.speaker)}>{text}"
        out += [f"{_clock(c.begin_ms, '.')} --> {_clock(c.end_ms, '.')}", text, ""]
    return "\n".join(out)


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ---------------------------------------------------------------------------- JSON


def to_json(t: Transcript, names: Mapping[int, str] | None = None) -> str:
    doc = {"format": JSON_FORMAT, "version": JSON_VERSION,
           "speaker_names": {str(k): v for k, v in (names or {}).items()}, "transcript": t.to_dict()}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def from_json(text: str) -> tuple[Transcript, dict[int, str]]:
    """Reads back `to_json` output; a clear ValueError for anything else."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"Not a JSON file: {e}.") from e
    if not isinstance(doc, dict) or doc.get("format") != JSON_FORMAT:
        raise ValueError(f"Not a QwenASR Desktop transcript (expected \"format\": \"{JSON_FORMAT}\").")
    if doc.get("version") != JSON_VERSION:
        raise ValueError(f"Transcript version {doc.get('version')} is not supported (this app reads "
                         f"version {JSON_VERSION}).")
    names = {int(k): str(v) for k, v in (doc.get("speaker_names") or {}).items()}
    return Transcript.from_dict(doc["transcript"]), names


# ---------------------------------------------------------------------------- file names

DEFAULT_NAME_TEMPLATE = "{audio_stem}_{date}.{ext}"
TEMPLATE_FIELDS = ("audio_stem", "title", "date", "time", "ext")


def file_name(template: str, *, audio_stem: str, ext: str, title: str = "",
              when: datetime | None = None) -> str:
    """A file name from a template such as "{audio_stem}_{date}.{ext}".

    Fields: {audio_stem}, {title}, {date} (YYYY-MM-DD), {time} (HHMM), {ext}. Characters that
    Windows or macOS refuse in file names become "_". The extension is added when the template
    leaves it out.
    """
    when = when or datetime.now()
    for _, name, spec, conv in string.Formatter().parse(template):
        if name is None:
            continue
        if name not in TEMPLATE_FIELDS or spec or conv:
            allowed = ", ".join("{" + f + "}" for f in TEMPLATE_FIELDS)
            raise ValueError(f"The file name template uses {{{name}}}, which is not a field; "
                             f"use {allowed}.")
    values = {"audio_stem": audio_stem or "transcript", "title": title or audio_stem or "transcript",
              "date": when.strftime("%Y-%m-%d"), "time": when.strftime("%H%M"), "ext": ext}
    name = template.format(**values)
    name = re.sub(r'[<>:"/\\|?*\x00-\x1f]', "_", name).strip(" .")
    if not name.lower().endswith("." + ext.lower()):
        name += "." + ext
    return name
