"""`qwenasr transcribe` inputs and outputs: which files a folder holds, what each output is
called, and writing a transcript in the chosen format with the workbench's exporters.

Separate from the command so the naming rules (never overwrite an input, two inputs never share
an output) are one small function each, tested on their own.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from .storage.files import write_atomic

if TYPE_CHECKING:
    from .core.transcript import Transcript

# What a folder argument contributes: the formats the audio loader reads (soundfile for WAV,
# FLAC, OGG/Opus and MP3; PyAV for AAC/M4A and the audio of WebM/MP4). Files named one by one
# are taken whatever their extension, so an odd name still works when given explicitly.
AUDIO_EXTENSIONS = (".wav", ".flac", ".mp3", ".ogg", ".opus", ".m4a", ".aac", ".webm", ".mp4")


class OutputFormat(StrEnum):
    TXT = "txt"
    SRT = "srt"
    VTT = "vtt"
    JSON = "json"
    DOCX = "docx"


class InputError(ValueError):
    """An argument names nothing usable (missing path, empty folder); the message says which."""


def collect_inputs(args: list[str], recursive: bool = False) -> list[Path]:
    """The audio files the arguments name, in the order given (a folder's files sorted by name),
    each once. Hidden files (".name", such as macOS "._clip.wav" shadows) are skipped in folders."""
    found: list[Path] = []
    for arg in args:
        p = Path(arg)
        if p.is_dir():
            pattern = p.rglob("*") if recursive else p.iterdir()
            files = sorted(f for f in pattern if f.is_file() and f.suffix.lower() in AUDIO_EXTENSIONS
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))
            if not files:
                where = "in or under" if recursive else "in"
                raise InputError(f"no audio files {where} the folder {arg} (looked for "
                                 f"{', '.join(AUDIO_EXTENSIONS)}"
                                 f"{'' if recursive else '; add --recursive for subfolders'})")
            found += files
        elif p.exists():
            found.append(p)
        else:
            raise InputError(f"no such file or folder: {arg}")
    unique: dict[str, Path] = {}
    for f in found:
        unique.setdefault(os.path.realpath(f), f)
    return list(unique.values())


def output_paths(inputs: list[Path], out_dir: Path, fmt: OutputFormat) -> list[Path]:
    """<stem>.<format> in `out_dir` for each input. Inputs sharing a stem (a.wav and a.mp3) keep
    their extension in the name (a.wav.srt, a.mp3.srt) so each output says where it came from;
    a name still taken (the same file name in two folders) gets -2, -3...; a name that is one
    of the inputs is never used."""
    stems: dict[str, int] = {}
    for f in inputs:
        stems[f.stem.lower()] = stems.get(f.stem.lower(), 0) + 1
    # casefolded: on a case-insensitive disk (macOS, Windows) A.srt would replace a.srt
    taken = {_key(f) for f in inputs}
    out: list[Path] = []
    for f in inputs:
        base = f.stem if stems[f.stem.lower()] == 1 else f.name
        candidate, n = out_dir / f"{base}.{fmt.value}", 1
        while _key(candidate) in taken:
            n += 1
            candidate = out_dir / f"{base}-{n}.{fmt.value}"
        taken.add(_key(candidate))
        out.append(candidate)
    return out


def _key(path: Path) -> str:
    return os.path.realpath(path).casefold()


def write_transcript(path: Path, t: Transcript, fmt: OutputFormat, title: str = "") -> None:
    """Write `t` to `path` all or nothing (an old file stays as it was if this fails)."""
    from .core import export  # imported here: `qwenasr` builds its parser from this module

    speakers = any(s.speaker is not None for s in t.sentences)
    if fmt is OutputFormat.DOCX:
        from .storage.docx_export import write_docx

        write_docx(path, t, title=title, speakers=speakers)
        return
    text = {OutputFormat.TXT: lambda: export.to_txt(t, speakers=speakers),
            OutputFormat.SRT: lambda: export.to_srt(t, speakers=speakers),
            OutputFormat.VTT: lambda: export.to_vtt(t, speakers=speakers),
            OutputFormat.JSON: lambda: export.to_json(t)}[fmt]()
    write_atomic(path, text)
