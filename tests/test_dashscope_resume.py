"""A dropped real-time session resumes by itself (engines/dashscope/resume.py): the policy alone,
then over real sockets against the emulator, whose drop fault aborts the WebSocket mid-session and
whose refuse fault turns reconnects away. The emulator recognizes a "ladder" (second k of the audio
is heard as the word "wk"), so the transcript shows exactly which seconds were recognized and how
often: after a drop it must still read w1 .. wN, each once, at its own time.
"""

from __future__ import annotations

import threading

import pytest
from emulators import LadderEngine, client_fixtures, ladder  # tests/ is on sys.path

from qwenasr_desktop.engines.base import RecognitionOptions
from qwenasr_desktop.engines.dashscope.resume import (
    FAILED,
    RESUMED,
    RESUMING,
    ResumeFailedError,
    ResumePolicy,
    ResumingSession,
    clock,
)

KEY = "sk-resume-0123456789"
SECONDS = 12
FAST = (0.01,)  # backoff for tests: the policy's pauses are not what is tested here


emu, engine, _clean = client_fixtures(KEY, LadderEngine)


def words(transcript) -> list[str]:
    return [s.text for s in transcript.sentences]


def assert_whole_ladder(transcript, seconds: int = SECONDS) -> None:
    """No gap, no duplicate, one time axis: second k is "wk", once, from (k-1) s to k s."""
    assert words(transcript) == [f"w{k}" for k in range(1, seconds + 1)]
    assert [(s.begin_ms, s.end_ms) for s in transcript.sentences] == [
        (k * 1000, (k + 1) * 1000) for k in range(seconds)]


def stream(engine, policy: ResumePolicy, seconds: int = SECONDS, wait_for_final: bool = True):
    """Send a ladder; with `wait_for_final`, a first final arrives before most of the audio is sent
    (so the resume point is past 0). Returns (session, notices, events)."""
    notices, events, first = [], [], threading.Event()

    def on_event(e):
        events.append(e)
        if e.is_final:
            first.set()

    session = ResumingSession.start(engine, RecognitionOptions(model="fun-asr-realtime"), on_event,
                                    notices.append, policy)
    audio = ladder(seconds)
    head = 3 * 16000
    session.send_audio(audio[:head])
    if wait_for_final:
        assert first.wait(30), "no final for the first 3 s"
    for i in range(head, len(audio), 1600):
        session.send_audio(audio[i:i + 1600])
    return session, notices, events


# --- the policy on its own -----------------------------------------------------------------------
def test_policy_pauses_grow_and_the_last_repeats():
    p = ResumePolicy(attempts=5, backoff_s=(0.2, 1.0, 2.0))
    assert [p.delay(a) for a in range(1, 6)] == [0.2, 1.0, 2.0, 2.0, 2.0]
    assert ResumePolicy(backoff_s=()).delay(1) == 0.0


def test_policy_caps_the_drops_per_session():
    p = ResumePolicy(max_drops=2)
    assert [p.on_drop() for _ in range(3)] == [True, True, False]


def test_clock_counts_minutes_and_hours():
    assert [clock(12_400), clock(62_000), clock(3_723_000), clock(-5)] == [
        "00:12", "01:02", "1:02:03", "00:00"]


# --- over real sockets ---------------------------------------------------------------------------
def test_a_drop_mid_stream_is_resumed_with_no_gap_or_duplicate(emu, engine):
    emu.faults.drop_ws_after_frames = 60  # the socket dies when the 7th second arrives
    session, notices, _ = stream(engine, ResumePolicy(backoff_s=FAST))
    transcript = session.finish(timeout=60)
    assert_whole_ladder(transcript)
    assert [n.state for n in notices] == [RESUMING, RESUMED]
    lost = notices[0]
    assert lost.text.startswith(f"Connection lost at {clock(lost.lost_at_ms)} — resuming (1/3)")
    assert 6000 <= lost.lost_at_ms <= SECONDS * 1000
    assert notices[1].text.startswith("Resumed")
    assert len(session.captured_audio()) == SECONDS * 16000


def test_a_drop_while_finishing_is_resumed_too(emu, engine):
    emu.faults.drop_ws_after_frames = 100  # all audio is handed over; finish() meets the drop
    session, notices, _ = stream(engine, ResumePolicy(backoff_s=FAST), wait_for_final=False)
    assert_whole_ladder(session.finish(timeout=60))
    assert [n.state for n in notices] == [RESUMING, RESUMED]


class Redrop(ResumePolicy):
    """Arms the drop fault again as each drop is handled: the resumed connection drops too."""

    def __init__(self, emu, rearm: int, frames: int = 20, **kw) -> None:
        super().__init__(backoff_s=FAST, **kw)
        self.emu, self.rearm, self.frames = emu, rearm, frames

    def on_drop(self) -> bool:
        if self.drops < self.rearm:
            self.emu.faults.drop_ws_after_frames = self.frames
        return super().on_drop()


def test_a_connection_that_drops_again_after_resuming_is_resumed_again(emu, engine):
    emu.faults.drop_ws_after_frames = 40
    session, notices, _ = stream(engine, Redrop(emu, rearm=2))
    assert_whole_ladder(session.finish(timeout=60))
    assert [n.state for n in notices] == [RESUMING, RESUMED] * 3


def test_too_many_drops_are_given_up_on(emu, engine):
    emu.faults.drop_ws_after_frames = 40
    session, notices, _ = stream(engine, Redrop(emu, rearm=5, max_drops=1))
    with pytest.raises(ResumeFailedError, match="dropped 2 times, too often"):
        session.finish(timeout=60)
    assert [n.state for n in notices] == [RESUMING, RESUMED, FAILED]


class Refuse(ResumePolicy):
    """Once the connection has dropped, the service turns every reconnect away."""

    def __init__(self, emu) -> None:
        super().__init__(backoff_s=FAST)
        self.emu = emu

    def on_drop(self) -> bool:
        self.emu.faults.refuse_ws_count = 100
        return super().on_drop()


def test_after_the_last_attempt_it_gives_up_and_keeps_the_text(emu, engine):
    emu.faults.drop_ws_after_frames = 60
    session, notices, _ = stream(engine, Refuse(emu))
    with pytest.raises(ResumeFailedError) as err:
        session.finish(timeout=60)
    assert [n.state for n in notices] == [RESUMING] * 3 + [FAILED]
    assert [n.text.split(" — ")[1] for n in notices[:3]] == [f"resuming ({a}/3)…" for a in (1, 2, 3)]
    kept = session.transcript()
    assert kept.sentences and words(kept) == [f"w{k}" for k in range(1, len(kept.sentences) + 1)]
    assert str(err.value) == notices[-1].text
    assert "could not resume after 3 attempts" in str(err.value)
    assert "ServiceUnavailable" in str(err.value) or "503" in str(err.value)
    assert f"up to {clock(kept.sentences[-1].end_ms)} is kept" in str(err.value)
    assert len(session.captured_audio()) == SECONDS * 16000  # nothing the user said is lost


def test_close_stops_resuming(emu, engine):
    emu.faults.drop_ws_after_frames = 60

    class Slow(ResumePolicy):
        def on_drop(self) -> bool:
            dropped.set()
            return super().on_drop()

    dropped = threading.Event()
    session, notices, _ = stream(engine, Slow(backoff_s=(30.0,)))
    assert dropped.wait(30)
    session.close()
    with pytest.raises(Exception, match="closed"):
        session.finish(timeout=5)
    assert [n.state for n in notices] == [RESUMING]
