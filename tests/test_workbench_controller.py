"""The workbench's document controller without widgets: a real SQLite file, a small timed
transcript, and the same steps the page takes (open, edit, crash, restore, rename, export)."""

from __future__ import annotations

import json

import pytest

from qwenasr_desktop.core.export import ExportFormat
from qwenasr_desktop.core.transcript import Sentence, Transcript, Word
from qwenasr_desktop.core.transcript_edit import apply_text_edit
from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.sessions import Session, SessionRepository
from qwenasr_desktop.storage.workbench_controller import NoDocumentError, SpeakerRow, WorkbenchController
from qwenasr_desktop.storage.workbench_prefs import load_prefs


def sentence(text: str, begin: int, speaker: int | None) -> Sentence:
    words = [Word(w, begin + k * 300, begin + k * 300 + 250) for k, w in enumerate(text.split())]
    return Sentence(text, begin, words[-1].end_ms, words, speaker=speaker)


def transcript(speakers: bool = True) -> Transcript:
    texts = ["we met in the city", "the weather was cold", "then we went home"]
    return Transcript([sentence(t, k * 3000, (k % 2 if speakers else None)) for k, t in enumerate(texts)],
                      "en", 9000, "local", "test")


@pytest.fixture()
def path(tmp_path):
    return tmp_path / "app.sqlite3"


@pytest.fixture()
def control(path):
    return WorkbenchController(db.connect(path))


def test_an_edit_and_the_place_survive_a_crash_and_a_clean_close_leaves_nothing_open(control, path, tmp_path):
    audio = tmp_path / "talk.wav"
    audio.write_bytes(b"RIFF")
    doc_id = control.document_for_transcript(transcript(), str(audio), "Talk")
    doc = control.open(doc_id)
    edited = apply_text_edit(doc.original.sentences[1], "the weather was freezing").sentence
    control.save_edit(1, edited)
    control.move_cursor(1, 12)
    assert control.save_place(4200)
    # a crash: nothing closed, a new connection and controller at the next start
    again = WorkbenchController(db.connect(path))
    assert again.left_open() == doc_id
    doc = again.open(doc_id)
    assert doc.current.sentences[1].words[-1].text == "freezing"
    assert doc.original.sentences[1].words[-1].text == "cold"
    assert (doc.position_ms, doc.cursor_sentence, doc.cursor_offset) == (4200, 1, 12)
    assert again.audio_file() == str(audio)
    again.close(5000)
    assert again.doc is None and not again.save_place(1)
    third = WorkbenchController(db.connect(path))
    assert third.left_open() is None
    assert third.open(doc_id).position_ms == 5000


def test_only_the_newest_document_left_open_is_offered_after_a_crash(control, path):
    first = control.document_for_transcript(transcript(), "", "first")
    second = control.document_for_transcript(transcript(), "", "second")
    control.open(first)
    control.open(second)  # both marked open (the page closes the first; a crash mid-way might not)
    control.save_edit(0, control.doc.current.sentences[0])  # touches `second` last
    restored = WorkbenchController(db.connect(path))
    assert restored.left_open() == second
    assert restored.left_open() == second and restored.docs.left_open() == [second]


def test_a_missing_audio_file_is_reported_as_none_and_the_text_stays_editable(control):
    control.open(control.document_for_transcript(transcript(), "/nowhere/talk.wav"))
    assert control.audio_file() is None
    control.save_edit(0, control.doc.current.sentences[0])


def test_actions_without_an_open_document_say_so(control, tmp_path):
    with pytest.raises(NoDocumentError, match="No transcript is open"):
        control.save_edit(0, transcript().sentences[0])
    with pytest.raises(NoDocumentError, match="No transcript is open"):
        control.export_to(ExportFormat.TXT, tmp_path / "x.txt")
    with pytest.raises(NoDocumentError):
        control.rename_speaker(0, "Ann")
    assert control.speakers() == [] and not (tmp_path / "x.txt").exists()
    with pytest.raises(KeyError):
        control.open(999)


def test_a_session_opens_its_b_transcript_once_and_an_unfinished_one_is_refused(control):
    sessions = SessionRepository(control.conn)
    done = sessions.add(Session("local", "tiny", "file", audio_path="/a/talk.wav",
                                transcript_a=transcript(False), transcript_b=transcript()))
    doc_id = control.document_for_session(done)
    assert control.document_for_session(done) == doc_id
    doc = control.open(doc_id)
    assert (doc.side, doc.title, doc.session_id) == ("b", "talk.wav", done)
    unfinished = sessions.add(Session("local", "tiny", "file"))
    with pytest.raises(ValueError, match="no transcript yet"):
        control.document_for_session(unfinished)
    assert [c.id for c in control.choices()] == [doc_id]
    assert control.choices()[0].label.startswith("talk.wav \u2014 edited ")


def test_speakers_are_listed_renamed_stored_and_reset_by_a_blank_name(control, path):
    doc_id = control.document_for_transcript(transcript(), "")
    control.open(doc_id)
    assert control.speakers() == [SpeakerRow(0, "Speaker 1"), SpeakerRow(1, "Speaker 2")]
    assert control.rename_speaker(1, "  Dr. Li ") == {1: "Dr. Li"}
    assert control.speakers()[1] == SpeakerRow(1, "Dr. Li")
    assert WorkbenchController(db.connect(path)).docs.load(doc_id).speaker_names == {1: "Dr. Li"}
    assert control.rename_speaker(1, " ") == {}
    assert control.speaker_label(1) == "Speaker 2"


def test_the_volume_is_held_back_until_flushed_other_preferences_are_written_at_once(control, path):
    for v in range(100, 39, -1):
        control.change_prefs(save_now=False, volume=v)
    assert control.prefs.volume == 40 and control.prefs_pending
    assert load_prefs(db.connect(path)).volume == 100  # nothing written yet
    control.change_prefs(speed=1.5)  # an immediate write carries the pending volume too
    assert not control.prefs_pending and load_prefs(db.connect(path)).volume == 40
    control.change_prefs(save_now=False, volume=70)
    assert control.flush_prefs() and not control.flush_prefs()  # written once
    stored = load_prefs(db.connect(path))
    assert (stored.volume, stored.speed) == (70, 1.5)
    control.change_prefs(save_now=False, volume=10, skip_back_s=999)
    assert control.prefs.skip_back_s == 60.0  # clamped like stored values


def test_reloading_after_the_settings_dialog_keeps_a_volume_not_yet_written(control, path):
    control.change_prefs(save_now=False, volume=30)
    other = db.connect(path)  # the Settings dialog's own connection
    prefs = load_prefs(other)
    prefs.skip_back_s = 2.5
    from qwenasr_desktop.storage.workbench_prefs import save_prefs

    save_prefs(other, prefs)
    reloaded = control.reload_prefs()
    assert (reloaded.skip_back_s, reloaded.volume) == (2.5, 30) and control.prefs_pending


def test_exports_carry_edits_and_names_and_are_named_from_the_template(control, tmp_path):
    audio = tmp_path / "talk.wav"
    control.open(control.document_for_transcript(transcript(), str(audio), "Talk"))
    control.save_edit(2, apply_text_edit(control.doc.original.sentences[2], "then we went north").sentence)
    control.rename_speaker(0, "Ann")
    control.change_prefs(name_template="{title}.{ext}")
    assert control.default_file_name(ExportFormat.JSON) == "Talk.json"
    assert control.export_folder() == tmp_path
    out = control.export_to(ExportFormat.JSON, tmp_path / "Talk.json")
    data = json.loads(out.read_text())
    assert "north" in json.dumps(data) and "Ann" in json.dumps(data)
    txt = control.export_to(ExportFormat.TXT_TIMED, tmp_path / "t.txt").read_text()
    assert "Ann:" in txt and "then we went north" in txt
