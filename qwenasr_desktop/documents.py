"""Read a document (.txt, .md, .docx, .pdf) to plain text, for hotword and context suggestions.

Briefs, case files and slide decks arrive in these formats. Every failure becomes a
`DocumentError` whose message names the file and says what is wrong (missing, empty, encrypted,
a scan without a text layer, not really a .docx), so the UI and CLI can show it as it is.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

SUPPORTED = (".txt", ".md", ".markdown", ".docx", ".pdf")


class DocumentError(Exception):
    """A document that cannot be read, with a message fit to show the user."""


def read_document(path: str | Path) -> str:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise DocumentError(f"{path.name}: unsupported file type \"{suffix or '(none)'}\"; open a "
                            ".txt, .md, .docx or .pdf file.")
    if not path.is_file():
        raise DocumentError(f"{path.name}: file not found ({path}).")
    try:
        if suffix == ".docx":
            text = _read_docx(path)
        elif suffix == ".pdf":
            text = _read_pdf(path)
        else:
            text = _read_text(path)
            if suffix in (".md", ".markdown"):
                text = markdown_to_text(text)
    except OSError as e:
        raise DocumentError(f"{path.name}: cannot read the file ({e.strerror or e}).") from None
    if not text.strip():
        raise DocumentError(f"{path.name}: the document contains no text.")
    return text


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise DocumentError(f"{path.name}: the file says it is UTF-16 but is not valid UTF-16; "
                                "save it as UTF-8.") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:
        raise DocumentError(f"{path.name}: this is not a text file (it contains binary data).")
    try:
        return data.decode("gb18030")  # the common legacy encoding of Chinese documents
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def markdown_to_text(md: str) -> str:
    """Markup out, prose in: code blocks, link targets, emphasis marks and heading hashes go."""
    t = re.sub(r"```.*?```", "\n", md, flags=re.S)
    t = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", t)
    t = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", t)
    t = re.sub(r"^\s{0,3}#{1,6}\s*", "", t, flags=re.M)
    t = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", t, flags=re.M)
    t = re.sub(r"^\s*>\s?", "", t, flags=re.M)
    t = re.sub(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1", r"\2", t)
    return t


def _read_docx(path: Path) -> str:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise DocumentError(f"{path.name}: not a readable Word document (.docx): {e}. Old .doc files "
                            "must be saved as .docx first.") from None
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            cells = []
            for cell in row.cells:
                if cell.text not in cells:  # merged cells repeat their text
                    cells.append(cell.text)
            parts.append(" · ".join(cells))
    return "\n\n".join(parts)  # a paragraph is never continued in the next one


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            # Many "protected" PDFs only restrict printing: the empty user password opens them.
            with contextlib.suppress(FileNotDecryptedError, NotImplementedError):
                reader.decrypt("")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (FileNotDecryptedError, DependencyError):
        raise DocumentError(f"{path.name}: the PDF is password-protected; save an unprotected copy.") \
            from None
    except (PdfReadError, ValueError, KeyError, TypeError) as e:
        raise DocumentError(f"{path.name}: not a readable PDF ({e}).") from None
    text = "\n".join(pages)
    if not text.strip() and pages:
        raise DocumentError(f"{path.name}: the PDF has no text layer (a scan?); run it through OCR or "
                            "paste the text instead.")
    return text
