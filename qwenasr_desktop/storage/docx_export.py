"""Word (.docx) export of a transcript, with python-docx.

Same paragraphs as the TXT export (core.export.paragraphs): a heading, then one paragraph per
speaker turn with the timestamp and speaker in bold, so the document reads like a typed
transcript a client expects.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..core.export import paragraphs
from ..core.transcript import Transcript
from ..core.transcript_edit import format_timestamp
from .files import replacing


def write_docx(path: str | Path, t: Transcript, names: Mapping[int, str] | None = None, *,
               title: str = "", timestamps: bool = True, speakers: bool = True) -> Path:
    from docx import Document  # imported here: only exports need it

    doc = Document()
    if title:
        doc.add_heading(title, level=1)
    for p in paragraphs(t, names):
        para = doc.add_paragraph()
        head = ""
        if timestamps:
            head += format_timestamp(p.begin_ms) + " "
        if speakers and p.speaker:
            head += p.speaker + ": "
        if head:
            para.add_run(head).bold = True
        para.add_run(p.text)
    path = Path(path)
    with replacing(path) as tmp:  # a failed save leaves an existing document as it was
        doc.save(str(tmp))
    return path
