"""storage/files.py: a write that fails leaves the user's existing file exactly as it was.

Issue 17 found `convert` truncating an existing output to 0 bytes when the text could not be
encoded; every writer of a user's file now goes through write_atomic or replacing.
"""

from __future__ import annotations

import os
import stat

import pytest

from qwenasr_desktop.core import export
from qwenasr_desktop.core.transcript import Sentence, Transcript
from qwenasr_desktop.storage.docx_export import write_docx
from qwenasr_desktop.storage.files import check_writable, read_head, replacing, write_atomic


def test_write_replaces_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old", encoding="utf-8")
    write_atomic(target, "new ✓")
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert os.listdir(tmp_path) == ["out.json"]


def test_text_that_cannot_be_encoded_leaves_the_old_file(tmp_path):
    target = tmp_path / "out.srt"
    target.write_bytes(b"the user's subtitles")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(target, "half a character: \ud800")
    assert target.read_bytes() == b"the user's subtitles"
    assert os.listdir(tmp_path) == ["out.srt"]


def test_failure_inside_replacing_keeps_the_old_file(tmp_path):
    target = tmp_path / "report.docx"
    target.write_bytes(b"old document")
    with pytest.raises(RuntimeError), replacing(target) as tmp:
        tmp.write_bytes(b"half a docu")
        raise RuntimeError("the writer failed half-way")
    assert target.read_bytes() == b"old document"
    assert os.listdir(tmp_path) == ["report.docx"]


def test_a_folder_or_a_missing_parent_is_a_clear_oserror(tmp_path):
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        write_atomic(tmp_path, "x")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_atomic(tmp_path / "no" / "such" / "out.txt", "x")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        check_writable(tmp_path / "missing" / "out.txt")


def test_permissions_and_symlinks_survive_a_rewrite(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("a", encoding="utf-8")
    os.chmod(real, 0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    write_atomic(link, "b")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "b"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def test_read_head_reads_no_more_than_the_cap(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 10_000)
    assert len(read_head(big, 100)) == 100
    assert read_head("/dev/zero", 16) == b"\0" * 16


def test_transcript_exports_write_atomically(tmp_path):
    t = Transcript([Sentence("Hello there.", 0, 1000, speaker=0)])
    docx = tmp_path / "t.docx"
    docx.write_bytes(b"old")
    write_docx(docx, t, title="Meeting")
    assert docx.read_bytes()[:2] == b"PK" and os.listdir(tmp_path) == ["t.docx"]
    srt = tmp_path / "t.srt"
    write_atomic(srt, export.to_srt(t))
    assert "Hello there." in srt.read_text(encoding="utf-8")
