"""The microphone path for real: a PulseAudio virtual mic plays a clip, the panel records it through
sounddevice/PortAudio in real-time mode, both columns fill live, the WAV is on disk, and the
offline engine recognizes it. Plus the panel pieces that need no engine.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import soundfile as sf
from pulse_mic import PulseMic, PulseUnavailable, read_wav_int16

from qwenasr_desktop.audio.model_check import inspect_audio
from qwenasr_desktop.core.compare import Side
from qwenasr_desktop.core.context import Role
from qwenasr_desktop.core.context_paste import as_context_text
from qwenasr_desktop.core.hotwords import Hotword
from qwenasr_desktop.core.metrics import error_counts
from qwenasr_desktop.core.models import LOCAL_BASE, model_info
from qwenasr_desktop.core.transcript import Sentence
from qwenasr_desktop.engines.base import StreamEvent
from qwenasr_desktop.engines.live_transcript import LiveTranscript
from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.hotword_lists import HotwordListRepository
from qwenasr_desktop.storage.sessions import SessionRepository
from qwenasr_desktop.ui.compare.compare_page import ComparePage

CLIP = "sh_en_lj001_0028"


@pytest.fixture()
def pulse(monkeypatch):
    if not shutil.which("pulseaudio"):
        pytest.skip("pulseaudio is not installed (./packaging/dev.sh setup installs it)")
    mic = PulseMic()
    try:
        mic.start()
    except PulseUnavailable as e:
        pytest.fail(f"could not start the virtual microphone: {e}")
    monkeypatch.setenv("PULSE_SERVER", mic.server)
    from qwenasr_desktop.audio import devices

    devices.rescan()
    yield mic
    mic.stop()
    devices.rescan()


def make_page(qtbot, tmp_path, rec):
    conn = db.connect(tmp_path / "q.sqlite3")
    lists = HotwordListRepository(conn)
    list_id = lists.create("Towns", LOCAL_BASE, [Hotword(h["text"]) for h in rec["hotwords"]])
    page = ComparePage(lists, SessionRepository(conn), tmp_path / "sessions")
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    page.settings.select_model(LOCAL_BASE)
    page.settings.select_list(list_id)
    return page


@pytest.mark.slow
@pytest.mark.audio
def test_records_from_the_virtual_mic_and_recognizes_live(qtbot, tmp_path, manifest, pulse):
    rec = manifest[CLIP]
    pcm, rate = read_wav_int16(rec["audio_path"])
    assert rate == 16000
    page = make_page(qtbot, tmp_path, rec)
    page.source.reload_devices()
    assert page.source.device_index() is not None, "PortAudio sees no input device"
    page.source.live_mode.setChecked(True)
    live_keys = set()
    page.runner.live.connect(lambda key, t: live_keys.add(key) if t.sentences else None)
    levels = []
    page.mic.level.connect(levels.append)
    feeder = pulse.play(pcm, lead_silence_s=0.3)
    page.source.record.click()
    assert page.mic.running and page.source.stop.isEnabled()
    duration = len(pcm) / 16000
    qtbot.waitUntil(lambda: page.mic.elapsed_s >= duration + 1.5, timeout=60_000)
    assert feeder.clip_done.is_set() and feeder.error is None
    with qtbot.waitSignal(page.runFinished, timeout=600_000):
        page.source.stop.click()
    assert not page.mic.running and page.source.record.isEnabled()
    # the recording is on disk, as long as what was captured, and holds the clip's signal
    wav, sr = sf.read(page.audio_path, dtype="float32")
    assert sr == 16000 and len(wav) / sr >= duration
    assert max(levels) > -30  # the level meter saw speech
    assert live_keys == {"a", "b"}
    qtbot.waitUntil(lambda: not page.view.busy, timeout=30_000)
    result = page.view.result
    assert error_counts(rec["reference_normalized"], result.b.text, lang="en").wer < 0.4, result.b.text
    assert error_counts(rec["reference_normalized"], result.a.text, lang="en").wer < 0.5, result.a.text
    session = page.sessions.load(page.sessions.history()[0].id)
    assert session.audio_path == page.audio_path and session.mode == "realtime"
    assert session.transcript_b.text == result.b.text


def test_live_transcript_replaces_partials():
    live = LiveTranscript()
    live.apply(StreamEvent(Sentence("hel", 0, 100, is_final=False)))
    live.apply(StreamEvent(Sentence("hello wor", 0, 200, is_final=False)))
    assert live.snapshot().text == "hello wor"
    live.apply(StreamEvent(Sentence("Hello world.", 0, 300)))
    live.apply(StreamEvent(Sentence("And", 400, 500, is_final=False)))
    snap = live.snapshot()
    assert [s.text for s in snap.sentences] == ["Hello world.", "And"]
    assert [s.is_final for s in snap.sentences] == [True, False]


def test_audio_check_reads_the_file_as_it_is(tmp_path, manifest):
    x, _ = sf.read(manifest[CLIP]["audio_path"], dtype="float32")
    stereo_8k = np.stack([np.clip(x[::2] * 12, -1, 1)] * 2, axis=1)
    sf.write(tmp_path / "phone.wav", stereo_8k, 8000)
    found = inspect_audio(str(tmp_path / "phone.wav"), model_info(LOCAL_BASE))
    assert found.report.sample_rate == 8000 and found.report.channels == 2
    assert {"clipping", "multichannel"} <= found.report.codes()
    assert "channels" in found.warnings[-1]  # the note comes after the problems
    clean = inspect_audio(str(manifest[CLIP]["audio_path"]), model_info(LOCAL_BASE))
    assert "clipping" not in clean.report.codes() and abs(clean.duration_s - 5.93) < 0.01


def test_pasted_word_list_becomes_one_terms_line_and_prose_stays():
    assert as_context_text("Strasburg\nBasle\n Lubeck \nBasle") == "Terms: Strasburg, Basle, Lubeck."
    assert as_context_text("王英汉、余孽、汪精卫") == "Terms: 王英汉, 余孽, 汪精卫."
    prose = "The printers of Strasburg and Basle.\nThey travelled widely."
    assert as_context_text(prose) == "The printers of Strasburg and Basle. They travelled widely."


def test_context_panel_edits_reorders_and_counts(qtbot, tmp_path, manifest):
    page = make_page(qtbot, tmp_path, manifest[CLIP])
    panel = page.context_panel
    panel.add_user.click()
    qtbot.keyClicks(panel.editor, "Printers in Strasburg")
    panel.add_assistant.click()
    qtbot.keyClicks(panel.editor, "Noted.")
    assert [(m.role, m.text) for m in panel.context().messages] == [
        (Role.USER, "Printers in Strasburg"), (Role.ASSISTANT, "Noted.")]
    assert "Characters per round: 27/400" in panel.counters.text()
    panel.up.click()  # the assistant reply first: the cap check complains
    assert panel.context().messages[0].role is Role.ASSISTANT
    assert "first message is an assistant message" in panel.counters.text()
    panel.down.click()
    panel.list.setCurrentIndex(panel.model.index(0))
    qtbot.keyClicks(panel.editor, "x" * 400)
    assert "Round 1 has 427 characters" in panel.counters.text()
    panel.remove.click()
    assert [m.text for m in panel.context().messages] == ["Noted."]
    for _ in range(6):
        panel.add_user.click()
        qtbot.keyClicks(panel.editor, "t")
    assert "Transcripts/notes 6/5" in panel.counters.text() and "Remove the oldest 1" in panel.counters.text()
    # B gets the context only when asked to; A never does
    req = page.request()
    assert req.options(Side.B).context is not None and req.options(Side.A).context is None
    page.settings.add_context.setChecked(False)
    assert page.request().options(Side.B).context is None


def test_dropping_an_audio_file_opens_it_and_other_files_are_refused(qtbot, tmp_path, manifest):
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    page = make_page(qtbot, tmp_path, manifest[CLIP])
    text = tmp_path / "notes.txt"
    text.write_text("x")

    def drag(path) -> tuple[bool, bool]:
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(path))])
        enter = QDragEnterEvent(page.rect().center(), Qt.DropAction.CopyAction, mime,
                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        page.dragEnterEvent(enter)
        drop = QDropEvent(QPointF(page.rect().center()), Qt.DropAction.CopyAction, mime,
                          Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        page.dropEvent(drop)
        return enter.isAccepted(), drop.isAccepted()

    assert drag(text) == (False, False) and page.audio_path == ""
    wav = manifest[CLIP]["audio_path"]
    with qtbot.waitSignal(page.message, timeout=30_000,
                          check_params_cb=lambda m: m.startswith("Opened")) as blocker:
        assert drag(wav) == (True, True)
    assert page.audio_path == str(wav) and "(5.9 s)" in blocker.args[0]
    assert page.source.file_label.text() == wav.name


def test_cancel_stops_both_columns_and_the_panel_can_run_again(qtbot, tmp_path, manifest):
    page = make_page(qtbot, tmp_path, manifest[CLIP])
    page.open_file(str(manifest[CLIP]["audio_path"]))
    failures = []
    page.runner.failed.connect(lambda key, msg: failures.append((key, msg)))
    with qtbot.waitSignal(page.runFinished, timeout=120_000):
        page.run_box.compare.click()
        assert page.run_box.cancel.isEnabled() and not page.run_box.compare.isEnabled()
        page.run_box.cancel.click()
    assert sorted(failures) == [("a", "Cancelled."), ("b", "Cancelled.")]
    assert page.run_box.compare.isEnabled() and not page.run_box.cancel.isEnabled()
    assert not page.sessions.history()[0].complete


@pytest.mark.slow
def test_one_core_runs_a_then_b(qtbot, manifest, monkeypatch):
    from qwenasr_desktop.core.models import LOCAL_TINY_EN
    from qwenasr_desktop.engines.engine_choice import EngineChoice, can_run_concurrently
    from qwenasr_desktop.ui.recognition import runner as runner_mod

    assert not can_run_concurrently(EngineChoice.OFFLINE, cpu_count=1)
    assert can_run_concurrently(EngineChoice.DASHSCOPE_INTL, cpu_count=1)
    monkeypatch.setattr(runner_mod, "can_run_concurrently", lambda choice: False)
    rec = manifest["sh_en_ls_1089-134686-0001"]
    run = runner_mod.ComparisonRunner()
    order = []
    run.progress.connect(lambda key, f: order.append(("progress", key)))
    run.finished.connect(lambda key, t: order.append(("finished", key)))
    req = runner_mod.RunRequest(EngineChoice.OFFLINE, LOCAL_TINY_EN, runner_mod.Mode.FILE,
                                str(rec["audio_path"]), hotwords=[Hotword("counselled")])
    with qtbot.waitSignal(run.done, timeout=300_000):
        run.start_file(req)
    first_b = next(i for i, e in enumerate(order) if e[1] == "b")
    assert order.index(("finished", "a")) < first_b  # B started only after A was done
    assert ("finished", "b") in order
