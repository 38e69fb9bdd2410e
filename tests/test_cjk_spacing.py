"""No space is put between CJK characters and punctuation in exports and the workbench (issue 15)."""

from __future__ import annotations

from qwenasr_desktop.core.export import to_txt
from qwenasr_desktop.core.transcript import Sentence, Transcript, Word
from qwenasr_desktop.core.transcript_edit import render_words


def words(*pieces: tuple[str, str]) -> list[Word]:
    return [Word(text, 100 * k, 100 * k + 90, punct) for k, (text, punct) in enumerate(pieces)]


def test_no_space_after_a_comma_between_chinese_words():
    ws = words(("被", ""), ("枪", ""), ("避", ""), ("后", ","), ("部", ""), ("分", ""))
    assert render_words(ws) == "被枪避后,部分"
    ws = words(("被", ""), ("后", "，"), ("部", ""), ("分", "。"))
    assert render_words(ws) == "被后，部分。"


def test_no_space_before_cjk_punctuation_standing_alone():
    assert render_words(words(("部分", ""), ("，", ""), ("我们", ""))) == "部分，我们"


def test_latin_text_keeps_its_spaces():
    assert render_words(words(("Basle", ","), ("Lubeck", ""))) == "Basle, Lubeck"
    assert render_words(words(("用", ""), ("Whisper", ","), ("模型", ""))) == "用 Whisper, 模型"


def test_txt_export_of_a_chinese_transcript_has_no_space_after_commas():
    s = Sentence("被枪避后, 部分", 0, 600, words(("被", ""), ("枪", ""), ("避", ""), ("后", ","), ("部", ""),
                                                ("分", "")))
    assert "被枪避后,部分" in to_txt(Transcript([s], language="zh"))
