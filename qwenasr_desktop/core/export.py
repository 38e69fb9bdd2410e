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

from .transcript import Sentence, Transcript
from .transcript_edit import TIMESTAMP_RE, format_timestamp, render_words

JSON_FORMAT = "qwenasr-desktop/transcript"
JSON_VERSION = 1
PARAGRAPH_GAP_MS = 2000  # a pause this long starts a new paragraph in TXT/DOCX
MAX_CUE_CHARS = 84  # two subtitle lines of 42 characters
MAX_CUE_MS = 7000


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
class Cue:
    begin_ms: int
    end_ms: int
    speaker: str
    text: str


def cues(t: Transcript, names: Mapping[int, str] | None = None) -> list[Cue]:
    """One cue per sentence, long sentences split at word boundaries; timestamp markers dropped."""
    names = names or {}
    out: list[Cue] = []
    for s in t.sentences:
        who = speaker_name(s.speaker, names)
        words = [w for w in s.words if not TIMESTAMP_RE.match(w.text)]
        if not words:
            if s.text.strip():
                out.append(Cue(s.begin_ms, max(s.end_ms, s.begin_ms + 1), who, s.text.strip()))
            continue
        chunk = [words[0]]
        for w in words[1:]:
            longer = render_words([*chunk, w])
            if len(longer) > MAX_CUE_CHARS or w.end_ms - chunk[0].begin_ms > MAX_CUE_MS:
                out.append(_cue(chunk, who))
                chunk = [w]
            else:
                chunk.append(w)
        out.append(_cue(chunk, who))
    # Cues must not overlap or run backwards (players drop such cues).
    fixed: list[Cue] = []
    for c in out:
        begin = max(c.begin_ms, fixed[-1].end_ms if fixed else 0)
        fixed.append(Cue(begin, max(c.end_ms, begin + 1), c.speaker, c.text))
    return fixed


def _cue(words, who: str) -> Cue:
    return Cue(words[0].begin_ms, words[-1].end_ms, who, render_words(words))


def _clock(ms: int, sep: str) -> str:
    h, rest = divmod(max(0, ms), 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, milli = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{milli:03d}"


def to_srt(t: Transcript, names: Mapping[int, str] | None = None, *, speakers: bool = True) -> str:
    blocks = []
    for n, c in enumerate(cues(t, names), 1):
        text = f"{c.speaker}: {c.text}" if speakers and c.speaker else c.text
        blocks.append(f"{n}\n{_clock(c.begin_ms, ',')} --> {_clock(c.end_ms, ',')}\n{text}\n")
    return "\n".join(blocks)


def to_vtt(t: Transcript, names: Mapping[int, str] | None = None, *, speakers: bool = True) -> str:
    out = ["WEBVTT", ""]
    for c in cues(t, names):
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
