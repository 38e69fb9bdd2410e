"""Every export format written and read back: TXT, SRT and VTT (with the `srt` and `webvtt-py`
parsers), DOCX (reopened with python-docx), JSON; and file names from a template."""

from __future__ import annotations

from datetime import datetime

import docx
import pytest
import srt
import webvtt

from qwenasr_desktop.core.export import (
    MAX_CUE_CHARS,
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
    assert subs[0].content == "Dr. Chen: Good morning, this is Qwen desktop."
    assert subs[0].start.total_seconds() == 0 and subs[0].end.total_seconds() == pytest.approx(2.35)
    assert "[00:03.0]" not in subs[1].content and "{inaudible}" in subs[1].content
    assert subs[2].content == "Speaker 2: Hello from the second speaker."
    long = [s for s in subs[3:]]
    assert len(long) >= 2 and all(len(s.content) <= MAX_CUE_CHARS + len("Speaker 2: ") for s in long)
    assert " ".join(s.content.removeprefix("Speaker 2: ") for s in long).startswith("word0 word1")
    starts = [s.start for s in subs]
    assert starts == sorted(starts) and all(s.end > s.start for s in subs)


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
