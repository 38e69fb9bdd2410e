"""The Recognize & compare page when a real-time cloud connection drops: over real sockets to the
emulator, whose drop fault aborts column A's WebSocket mid-session. The page resumes by itself,
says so in its status line, and the transcript has no gap and no duplicate; when every reconnect
is refused it gives up after the last attempt with a clear message and keeps the text so far.

The emulator recognizes a "ladder" (second k of the audio is heard as "wk", see tests/emulators.py),
so "no gap, no duplicate" is an exact check, not a WER threshold.
"""

from __future__ import annotations

import re

import pytest
import soundfile as sf
from emulators import LadderEngine, ladder, serving  # tests/ is on sys.path

from qwenasr_desktop.core.compare import Side
from qwenasr_desktop.engines.dashscope.resume import FAILED, RESUMED, RESUMING, ResumePolicy
from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.hotword_lists import HotwordListRepository
from qwenasr_desktop.storage.sessions import SessionRepository
from qwenasr_desktop.ui.compare.columns import SideState
from qwenasr_desktop.ui.compare.compare_page import ComparePage

KEY = "sk-resumeuitest0001"
SECONDS = 12
LADDER = [f"w{k}" for k in range(1, SECONDS + 1)]
LOST = re.compile(r"^A: Connection lost at 00:\d\d — resuming \((\d)/3\)…$")


@pytest.fixture(scope="module")
def emu():
    with serving(KEY, LadderEngine()) as server:
        yield server


@pytest.fixture(autouse=True)
def _reset(emu):
    emu.faults.reset()
    yield
    emu.faults.reset()


@pytest.fixture()
def page(qtbot, tmp_path, emu, monkeypatch):
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    conn = db.connect(tmp_path / "q.sqlite3")
    page = ComparePage(HotwordListRepository(conn), SessionRepository(conn), tmp_path / "sessions")
    qtbot.addWidget(page)
    page.show()
    s = page.settings
    s.engine.setCurrentIndex(s.engine.findData("custom"))
    s.url.setText(emu.base_url)
    page.source.live_mode.setChecked(True)
    assert s.select_model("fun-asr-realtime")
    wav = tmp_path / "ladder.wav"
    sf.write(wav, ladder(SECONDS), 16000, subtype="PCM_16")
    page.audio_path = str(wav)  # a DC ladder is no speech: skip the audio check, stream it as is
    return page


class Watch:
    """What the page showed: its messages, the status line at each notice, A's live transcripts."""

    def __init__(self, page: ComparePage) -> None:
        self.messages: list[str] = []
        self.notices: list = []
        self.status_at_notice: list[str] = []
        self.live_a: list[list[tuple[str, bool]]] = []
        page.message.connect(self.messages.append)
        # connected after the page's own slot: the status line has been updated when this runs
        page.runner.connection.connect(lambda key, n: (self.notices.append((key, n)),
                                                       self.status_at_notice.append(
                                                           page.run_box.status.text())))
        page.runner.live.connect(lambda key, t: self.live_a.append(
            [(s.text, s.is_final) for s in t.sentences]) if key == "a" else None)


def run(qtbot, page: ComparePage) -> None:
    with qtbot.waitSignal(page.runFinished, timeout=120_000):
        page.run_box.compare.click()
    qtbot.waitUntil(lambda: not page.view.busy, timeout=30_000)  # the final rendering is done


def no_duplicate_ever(snapshots: list[list[tuple[str, bool]]]) -> None:
    """Every live view of A, while streaming and resuming: the finals are a prefix of the ladder
    (nothing repeated, nothing skipped), then at most the partial of the next second."""
    for snap in snapshots:
        finals = [t for t, final in snap if final]
        assert finals == LADDER[:len(finals)], snap
        assert len(snap) - len(finals) <= 1, snap


def test_a_dropped_connection_is_resumed_and_the_transcript_has_no_gap_or_duplicate(qtbot, page, emu):
    page.runner.resume_policy = lambda: ResumePolicy(backoff_s=(0.05,))
    emu.faults.drop_ws_after_frames = 60  # A's socket (opened first) dies when its 7th second arrives
    watch = Watch(page)
    run(qtbot, page)
    assert [(k, n.state) for k, n in watch.notices] == [("a", RESUMING), ("a", RESUMED)]
    assert LOST.match(watch.status_at_notice[0]) and LOST.match(watch.status_at_notice[0])[1] == "1"
    assert watch.status_at_notice[1].startswith("A: Resumed")
    assert watch.status_at_notice == [m for m in watch.messages if m.startswith("A: ")]
    for side in Side:
        assert [s.text for s in page.transcripts[side.value].sentences] == LADDER, side
        assert page.view.columns.states[side] is SideState.DONE
    assert [(s.begin_ms, s.end_ms) for s in page.transcripts["a"].sentences] == [
        (k * 1000, (k + 1) * 1000) for k in range(SECONDS)]
    no_duplicate_ever(watch.live_a)
    assert page.run_box.status.text() == "Done. Both columns are final."
    saved = page.sessions.load(page.session_id)
    assert saved.transcript_a.text == saved.transcript_b.text == page.transcripts["b"].text


class Refuse(ResumePolicy):
    """Once A's connection has dropped, the service turns every reconnect away (B's is open)."""

    def __init__(self, emu) -> None:
        super().__init__(backoff_s=(0.05,))
        self.emu = emu

    def on_drop(self) -> bool:
        self.emu.faults.refuse_ws_count = 100
        return super().on_drop()


def test_after_the_last_retry_the_page_gives_up_and_keeps_the_text(qtbot, page, emu):
    page.runner.resume_policy = lambda: Refuse(emu)
    emu.faults.drop_ws_after_frames = 60
    watch = Watch(page)
    streaming_when_a_failed = []
    page.runner.failed.connect(lambda key, _: streaming_when_a_failed.append(page.feeder._timer.isActive()))
    run(qtbot, page)
    assert [n.state for _, n in watch.notices] == [RESUMING] * 3 + [FAILED]
    assert streaming_when_a_failed == [True]  # A fails at once (and once), B goes on to the end
    assert [LOST.match(t)[1] for t in watch.status_at_notice[:3]] == ["1", "2", "3"]
    gave_up = watch.notices[-1][1].text
    assert "could not resume after 3 attempts" in gave_up and "is kept" in gave_up
    cols = page.view.columns
    assert cols.states[Side.A] is SideState.FAILED and cols.states[Side.B] is SideState.DONE
    assert cols.reasons[Side.A] == gave_up
    assert page.run_box.status.text() == f"A failed: {gave_up}"
    kept = [s.text for s in page.transcripts["a"].sentences]
    assert kept and kept == LADDER[:len(kept)]  # what A had recognized stays, in order
    shown = cols.view(Side.A).toPlainText()
    assert gave_up in shown and all(w in shown.split() for w in kept)
    assert [s.text for s in page.transcripts["b"].sentences] == LADDER
    no_duplicate_ever(watch.live_a)
    saved = page.sessions.load(page.session_id)
    assert [s.text for s in saved.transcript_a.sentences] == kept
