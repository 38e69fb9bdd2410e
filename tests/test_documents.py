"""Reading documents to text: .txt/.md/.docx/.pdf files generated here, and clear errors."""

from __future__ import annotations

import re
import zlib

import pytest

from qwenasr_desktop.core.candidates import extract
from qwenasr_desktop.documents import DocumentError, markdown_to_text, read_document


def write_pdf(path, pages: list[list[str]], compress: bool = True) -> None:
    """A minimal valid PDF (Helvetica text, one line per string), with a correct xref table."""
    objs: list[bytes] = []

    def add(body: bytes) -> int:
        objs.append(body)
        return len(objs)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    pages_id = len(objs) + 1 + 2 * len(pages)  # pages object comes after the page/content pairs
    kids = []
    for lines in pages:
        ops = b"BT /F1 12 Tf 72 720 Td 14 TL " + b" ".join(
            b"(" + ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("cp1252") + b") '"
            for ln in lines) + b" ET"
        if compress:
            data = zlib.compress(ops)
            content = add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data
                          + b"\nendstream")
        else:
            content = add(b"<< /Length %d >>\nstream\n" % len(ops) + ops + b"\nendstream")
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                        b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (pages_id, content, font)))
    assert add(b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids)
               + b"] /Count %d >>" % len(kids)) == pages_id
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, catalog, xref)
    path.write_bytes(bytes(out))


def test_pdf_text_is_read_from_every_page(tmp_path):
    p = tmp_path / "brief.pdf"
    write_pdf(p, [["Dr. Nakamura prescribed apixaban (5 mg).", "Follow-up at Johns Hopkins."],
                  ["The NYHA class is II; Entresto starts Monday."]])
    text = read_document(p)
    flat = " ".join(text.split())
    assert "Dr. Nakamura prescribed apixaban (5 mg)." in flat
    assert "Entresto starts Monday." in flat
    found = {c.text for c in extract(text).candidates}
    assert {"apixaban", "Entresto", "NYHA", "Nakamura"} <= found


def test_pdf_without_text_layer_and_broken_pdf(tmp_path):
    scan = tmp_path / "scan.pdf"
    write_pdf(scan, [[]], compress=False)
    with pytest.raises(DocumentError, match=r"scan\.pdf: the PDF has no text layer"):
        read_document(scan)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\nthis is not really a pdf")
    with pytest.raises(DocumentError, match=r"broken\.pdf"):
        read_document(broken)


def test_docx_paragraphs_and_tables(tmp_path):
    import docx

    d = docx.Document()
    d.add_heading("Deposition of Ms. Siobhan O'Donnell", level=1)
    d.add_paragraph("Counsel for Abernathy & Kowalczyk LLP asked about the Xarelto recall.")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Witness", "Siobhan O'Donnell"
    table.cell(1, 0).text, table.cell(1, 1).text = "Exhibit", "EX-14 pharmacovigilance report"
    p = tmp_path / "case.docx"
    d.save(str(p))
    text = read_document(p)
    assert "Counsel for Abernathy & Kowalczyk LLP asked about the Xarelto recall." in text
    assert "Witness · Siobhan O'Donnell" in text
    found = {c.text.casefold() for c in extract(text).candidates}
    assert {"xarelto", "kowalczyk", "abernathy", "pharmacovigilance", "siobhan o'donnell", "llp"} <= found
    assert not any("counsel" in t or "exhibit" in t for t in found), found  # paragraphs stay apart


def test_not_a_docx_gets_a_clear_message(tmp_path):
    p = tmp_path / "old.docx"
    p.write_text("plain text pretending to be Word")
    with pytest.raises(DocumentError, match=r"old\.docx: not a readable Word document"):
        read_document(p)


def test_text_and_markdown(tmp_path):
    t = tmp_path / "notes.txt"
    t.write_bytes("Zyrtec and Dupixent\n".encode("utf-16"))
    assert read_document(t).strip() == "Zyrtec and Dupixent"
    g = tmp_path / "gbk.txt"
    g.write_bytes("余孽深藏起来".encode("gb18030"))
    assert read_document(g) == "余孽深藏起来"
    md = tmp_path / "deck.md"
    md.write_text("# Kubernetes rollout\n\n- Use **Argo CD** and [Helm](https://helm.sh).\n"
                  "```\nkubectl apply\n```\nDone.\n", encoding="utf-8")
    text = read_document(md)
    assert "Kubernetes rollout" in text and "Use Argo CD and Helm." in text
    assert "kubectl" not in text and "https" not in text and "#" not in text and "**" not in text
    assert markdown_to_text("_a_ and `b`") == "a and b"


def test_bad_files_name_the_problem(tmp_path):
    with pytest.raises(DocumentError, match=r"missing\.pdf: file not found"):
        read_document(tmp_path / "missing.pdf")
    with pytest.raises(DocumentError, match=r'slides\.pptx: unsupported file type "\.pptx"'):
        read_document(tmp_path / "slides.pptx")
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    with pytest.raises(DocumentError, match=r"empty\.txt: the document contains no text"):
        read_document(empty)
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\xfa")
    with pytest.raises(DocumentError, match=re.escape("image.txt: this is not a text file")):
        read_document(binary)
