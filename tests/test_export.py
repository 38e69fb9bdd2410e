"""Every export format written and read back: TXT, SRT and VTT (with the `srt` and `webvtt-py`
parsers), DOCX (reopened with python-docx), JSON; and file names from a template."""

from __future__ import annotations

import re
from datetime import datetime

import docx
import pytest
import srt
import webvtt

from qwenasr_desktop.core.export import (
    SubtitleStyle,
    file_name,
    from_json,
    to_json,
    to_srt,
    to_txt,
    to_vtt,
)
from qwenasr_desktop.core.transcript import Sentence, Transcript, Word
from qwenasr_desktop.core.transcript_edit import apply_text_edit
from qwenasr_desktop.storage.docx_export import write_docx


def _sentence(text: str, begin: int, speaker: int | None, step: int = 400) -> Sentence:
    words = [Word(w, begin + k * step, begin + k * step + step - 50) for k, w in enumerate(text.split())]
    s = Sentence(text, begin, words[-1].end_ms, words, speaker=speaker)
    return apply_text_edit(s, text).sentence  # punctuation split off as the editor does


@pytest.fixture()
def transcript() -> Transcript:
    long = " ".join(f"word{k}" for k in range(30)) + "."
    return Transcript([
        _sentence("Good morning, this is Qwen desktop.", 0, 0),
        _sentence("Thanks <everyone> & welcome [00:03.0] {inaudible}.", 2900, 0),
        _sentence("Hello from the second speaker.", 6000, 1),
        _sentence(long, 10_000, 1, step=200),
    ], language="en", duration_ms=17_000, engine="local", model="whisper-base")


NAMES = {0: "Dr. Chen"}


def test_txt_plain_and_with_timestamps_and_speakers(transcript):
    plain = to_txt(transcript, NAMES)
    paras = plain.strip().split("\n\n")
    assert paras[0] == ("Good morning, this is Qwen desktop. "
                        "Thanks <everyone> & welcome [00:03.0] {inaudible}.")
    assert paras[1] == "Hello from the second speaker."  # new speaker: new paragraph
    assert paras[2].startswith("word0 word1")  # a pause of 2 s or more: new paragraph
    timed = to_txt(transcript, NAMES, timestamps=True, speakers=True).strip().split("\n\n")
    assert timed[0].startswith("[00:00.0] Dr. Chen: Good morning")
    assert timed[1].startswith("[00:06.0] Speaker 2: Hello")


def test_srt_parses_back_with_times_speakers_and_split_long_sentences(transcript):
    subs = list(srt.parse(to_srt(transcript, NAMES)))
    assert one_line(subs[0].content) == "Dr. Chen: Good morning, this is Qwen desktop."
    assert subs[0].start.total_seconds() == 0 and subs[0].end.total_seconds() == pytest.approx(2.35)
    assert "[00:03.0]" in subs[1].content and "{inaudible}" in subs[1].content  # the user's markers
    assert subs[2].content == "Speaker 2: Hello from the second speaker."
    long = [s for s in subs[3:]]
    assert len(long) >= 2 and all(fits(s.content) for s in long)
    assert " ".join(one_line(s.content).removeprefix("Speaker 2: ") for s in long).startswith("word0 word1")
    starts = [s.start for s in subs]
    assert starts == sorted(starts) and all(s.end > s.start for s in subs)


def one_line(content: str) -> str:
    return content.replace("\n", " ")


def fits(content: str, chars: int = 42, lines: int = 2) -> bool:
    return len(content.split("\n")) <= lines and all(len(x) <= chars for x in content.split("\n"))


def test_vtt_parses_back_with_voice_tags_and_escapes(transcript, tmp_path):
    path = tmp_path / "t.vtt"
    path.write_text(to_vtt(transcript, NAMES), encoding="utf-8")
    captions = webvtt.read(str(path))
    assert captions[0].start == "00:00:00.000" and captions[0].end == "00:00:02.350"
    assert captions[0].voice == "Dr. Chen"
    assert captions[0].text == "Good morning, this is Qwen desktop."
    assert "&lt;everyone&gt; &amp; welcome" in captions[1].raw_text
    assert captions[2].voice == "Speaker 2"


def test_docx_reopens_with_heading_and_bold_speaker_turns(transcript, tmp_path):
    path = write_docx(tmp_path / "t.docx", transcript, NAMES, title="Interview")
    d = docx.Document(str(path))
    texts = [p.text for p in d.paragraphs]
    assert texts[0] == "Interview" and d.paragraphs[0].style.name.startswith("Heading")
    assert texts[1].startswith("[00:00.0] Dr. Chen: Good morning, this is Qwen desktop. Thanks")
    assert d.paragraphs[1].runs[0].bold and d.paragraphs[1].runs[0].text == "[00:00.0] Dr. Chen: "
    assert texts[2].startswith("[00:06.0] Speaker 2: Hello")


def test_json_round_trips_words_times_and_speaker_names(transcript):
    back, names = from_json(to_json(transcript, NAMES))
    assert back == transcript and names == NAMES
    with pytest.raises(ValueError, match="Not a QwenASR Desktop transcript"):
        from_json('{"sentences": []}')
    with pytest.raises(ValueError, match="Not a JSON file"):
        from_json("WEBVTT")


def test_file_names_from_template():
    when = datetime(2025, 3, 4, 9, 5)
    assert file_name("{audio_stem}_{date}.{ext}", audio_stem="interview", ext="srt", when=when) == \
        "interview_2025-03-04.srt"
    assert file_name("{title} {time}", audio_stem="a", title='Q1: "plans"', ext="docx", when=when) == \
        "Q1_ _plans_ 0905.docx"
    with pytest.raises(ValueError, match=r"\{speaker\}, which is not a field"):
        file_name("{speaker}.{ext}", audio_stem="a", ext="txt")


# ---------------------------------------------------------------------------- subtitle conventions

def _edited(text: str, begin: int, edit: str, step: int = 300) -> Sentence:
    """A sentence as recognized, then edited in the workbench (markers timed as the editor times them)."""
    return apply_text_edit(_sentence(text, begin, None, step), edit).sentence


def _subtitles(t: Transcript, tmp_path, style: SubtitleStyle | None = None, names=None):
    """SRT and VTT of `t`, read back by their parsers: [(start s, end s, text)] for each."""
    kw = {"style": style} if style else {}
    subs = [(s.start.total_seconds(), s.end.total_seconds(), s.content)
            for s in srt.parse(to_srt(t, names, **kw))]
    path = tmp_path / "t.vtt"
    path.write_text(to_vtt(t, names, **kw), encoding="utf-8")
    caps = [(c.start_in_seconds + c.start_time.milliseconds / 1000, c.end_in_seconds
             + c.end_time.milliseconds / 1000, c.text) for c in webvtt.read(str(path))]
    return subs, caps


LONG = ("So what we are going to do this afternoon is look at the three proposals that came in "
        "last week and decide which of them goes forward to the board.")


def test_lines_of_at_most_42_characters_and_cues_of_at_most_2_lines(tmp_path):
    t = Transcript([_sentence(LONG, 0, 0, step=250), _sentence("Right.", 40_000, 1)], language="en")
    subs, caps = _subtitles(t, tmp_path, names=NAMES)
    for cues in (subs, caps):
        assert len(cues) >= 3 and all(fits(text) for _b, _e, text in cues)
        words = " ".join(one_line(text).removeprefix("Dr. Chen: ") for _b, _e, text in cues[:-1])
        assert words == LONG  # split at word boundaries, nothing lost
        assert any("\n" in text for _b, _e, text in cues)  # two lines used before a new cue
    assert subs[0][2].startswith("Dr. Chen: ")


def test_chinese_is_split_by_characters_without_spaces(tmp_path):
    text = "今天下午我们要讨论上周收到的三个提案并决定其中哪一个提交给董事会审议" * 3 + "。"
    words = [Word(ch, k * 200, k * 200 + 180) for k, ch in enumerate(text[:-1])]
    words[-1] = Word(words[-1].text, words[-1].begin_ms, words[-1].end_ms, "。")
    t = Transcript([Sentence(text, 0, words[-1].end_ms, words)], language="zh")
    subs, caps = _subtitles(t, tmp_path)
    for cues in (subs, caps):
        assert len(cues) >= 2 and all(fits(c) for _b, _e, c in cues)
        assert "".join(c.replace("\n", "") for _b, _e, c in cues) == text  # no spaces added


def test_tags_stay_in_their_cue_and_every_cue_lasts_the_minimum(tmp_path):
    t = Transcript([
        _edited("Thanks and welcome to everyone", 0, "Thanks and welcome to everyone {inaudible}."),
        Sentence("{inaudible}", 4000, 4001, [Word("{inaudible}", 4000, 4001)]),  # a tag alone
        _edited("Yes", 4200, "{crosstalk} Yes."),
        _sentence("No.", 4400, None, step=100),
    ], language="en")
    subs, caps = _subtitles(t, tmp_path)
    for cues in (subs, caps):
        texts = [c for _b, _e, c in cues]
        assert all(re.search(r"[A-Za-z]", re.sub(r"\{\w+\}", "", x)) for x in texts)  # never a tag alone
        assert one_line(texts[0]) == "Thanks and welcome to everyone {inaudible}. {inaudible}"
        assert one_line(texts[1]) == "{crosstalk} Yes."
        assert all(e - b >= 0.7 - 1e-9 for b, e, _ in cues)
        assert all(cues[k][1] <= cues[k + 1][0] for k in range(len(cues) - 1))  # no overlap


def test_an_inserted_timestamp_is_kept(tmp_path):
    t = Transcript([_edited("the meeting resumed after lunch", 60_000,
                            "the meeting resumed [01:00.9] after lunch")], language="en")
    subs, caps = _subtitles(t, tmp_path)
    for cues in (subs, caps):
        assert one_line(cues[0][2]) == "the meeting resumed [01:00.9] after lunch"
        assert cues[0][0] == 60.0


def test_the_limits_are_parameters(tmp_path):
    style = SubtitleStyle(max_line_chars=20, max_lines=1, min_duration_ms=1500)
    t = Transcript([_sentence(LONG, 0, None, step=250), _sentence("Ok.", 40_000, None, step=100)],
                   language="en")
    subs, caps = _subtitles(t, tmp_path, style)
    for cues in (subs, caps):
        assert all(fits(c, 20, 1) for _b, _e, c in cues)
        assert all(e - b >= 1.5 - 1e-9 for b, e, _ in cues)
