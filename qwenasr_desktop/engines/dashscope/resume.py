"""Automatic resumption of a dropped real-time session, with a bounded number of attempts.

`RealtimeSession` can resume after a drop (`resume()` re-sends the audio since the last final
sentence on a new connection), but it never does so by itself: whether, when and how often to
try is a policy, and someone must tell the user. `ResumePolicy` is that policy (plain data a
test can drive); `ResumingSession` applies it on its own thread and reports each step as a
`ResumeNotice`, so a UI only has to display the notices. No Qt here: the UI wires the notices
to its status line.

No gap, no duplicate: the resumed task starts at the end of the last final sentence and its
times are shifted onto the same axis, so finals are never repeated and audio after the last
final is recognized again by the new task (its partials replace the old task's partial).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ...core.transcript import Transcript, clock
from ..base import RecognitionOptions, StreamEvent, StreamingSession
from .auth import get_logger
from .errors import ConnectionDroppedError, DashScopeError
from .realtime import RealtimeSession

log = get_logger(__name__)

RESUMING, RESUMED, FAILED = "resuming", "resumed", "failed"


@dataclass
class ResumePolicy:
    """How hard to try. Bounded twice over: a few attempts per drop (a short blip is bridged, a
    dead network is reported within seconds) and a cap on drops per session (a connection that
    keeps dropping is a problem to report, not to hide)."""

    attempts: int = 3
    backoff_s: tuple[float, ...] = (0.2, 1.0, 2.0)  # pause before attempt 1, 2, 3...
    max_drops: int = 10
    drops: int = 0

    def on_drop(self) -> bool:
        """A new drop: False when the session has dropped too often to try again."""
        self.drops += 1
        return self.drops <= self.max_drops

    def delay(self, attempt: int) -> float:
        """The pause before `attempt` (1-based): the last value repeats if there are more attempts."""
        if not self.backoff_s:
            return 0.0
        return self.backoff_s[min(attempt, len(self.backoff_s)) - 1]


@dataclass(frozen=True)
class ResumeNotice:
    """One step, for the user: `state` is RESUMING, RESUMED or FAILED; `text` says it in words."""

    state: str
    text: str
    attempt: int = 0
    lost_at_ms: int = 0


class ResumeFailedError(ConnectionDroppedError):
    """The connection dropped and every attempt to resume failed; the text so far is kept."""


class ResumingSession(StreamingSession):
    """A RealtimeSession that resumes by itself after a drop, as `policy` allows.

    The drop is reported on the session's network thread, where resuming would deadlock (resume
    waits on that thread's loop), so attempts run on a thread of their own. `finish()` waits for
    a resumption in progress, and resumes too if the connection drops while finishing.
    """

    def __init__(self, open_session: Callable[[Callable[[DashScopeError], None]], RealtimeSession],
                 on_notice: Callable[[ResumeNotice], None], policy: ResumePolicy | None = None) -> None:
        self.policy = policy or ResumePolicy()
        self.on_notice = on_notice
        self.gave_up: ResumeFailedError | None = None
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self._closed = threading.Event()
        self.session = open_session(self._on_error)

    @classmethod
    def start(cls, engine, options: RecognitionOptions, on_event: Callable[[StreamEvent], None],
              on_notice: Callable[[ResumeNotice], None],
              policy: ResumePolicy | None = None) -> ResumingSession:
        """Open a real-time session on a DashScopeEngine, resuming automatically."""
        return cls(lambda on_error: engine.start_stream(options, on_event, on_error=on_error),
                   on_notice, policy)

    # --- StreamingSession ------------------------------------------------------------------
    def send_audio(self, samples: np.ndarray) -> None:
        self.session.send_audio(samples)  # kept while dropped, sent once resumed

    def finish(self, timeout: float | None = None) -> Transcript:
        """The whole transcript; a drop while finishing is resumed like any other."""
        while True:
            self._idle.wait()
            if self.gave_up is not None:
                self.session.close()
                raise self.gave_up
            if self._closed.is_set():
                raise ConnectionDroppedError("The session was closed.", code="Closed")
            try:
                return self.session.finish(timeout)
            except ConnectionDroppedError:
                self._start_resuming()  # usually started already by the drop's report

    def close(self) -> None:
        self._closed.set()
        self.session.close()

    def transcript(self) -> Transcript:
        return self.session.transcript()

    def captured_audio(self) -> np.ndarray:
        return self.session.captured_audio()

    # --- resumption ------------------------------------------------------------------------
    def _on_error(self, err: DashScopeError) -> None:
        if isinstance(err, ConnectionDroppedError):
            self._start_resuming()

    def _start_resuming(self) -> None:
        """Start the attempts unless they run already, were given up, or the session is closed."""
        with self._lock:
            if not self._idle.is_set() or self.gave_up is not None or self._closed.is_set():
                return
            if self.session.dropped is None:
                return
            self._idle.clear()
        threading.Thread(target=self._resume_loop, name="dashscope-resume", daemon=True).start()

    def _resume_loop(self) -> None:
        try:
            self._attempt_all()
        except Exception as e:  # never leave finish() waiting on a crashed thread
            log.exception("resuming failed unexpectedly")
            self._give_up(self.session.dropped_at_ms, 0, e)
        finally:
            self._idle.set()
        # a connection that dropped again right after resuming was not seen while we were busy
        if self.session.dropped is not None:
            self._start_resuming()

    def _attempt_all(self) -> None:
        s, policy = self.session, self.policy
        lost_at = s.dropped_at_ms
        if not policy.on_drop():
            self._give_up(lost_at, 0, None)
            return
        last: BaseException | None = None
        for attempt in range(1, policy.attempts + 1):
            self._notify(ResumeNotice(
                RESUMING, f"Connection lost at {clock(lost_at)} — resuming ({attempt}/{policy.attempts})…",
                attempt, lost_at))
            if self._closed.wait(policy.delay(attempt)):
                return
            try:
                s.resume()
            except (DashScopeError, TimeoutError, OSError) as e:
                log.info("resume attempt %d failed: %s", attempt, e)
                last = e
                continue
            self._notify(ResumeNotice(RESUMED, f"Resumed (connection lost at {clock(lost_at)}; "
                                      f"recognition continues from {clock(s.resume_point_ms)}).",
                                      attempt, lost_at))
            return
        self._give_up(lost_at, policy.attempts, last)

    def _give_up(self, lost_at: int, attempts: int, last: BaseException | None) -> None:
        kept = clock(self.session.resume_point_ms)
        why = (f"could not resume after {attempts} attempt{'s' * (attempts != 1)}" if attempts
               else f"the connection dropped {self.policy.drops} times, too often to go on")
        detail = f" (last error: {last})" if last is not None else ""
        text = (f"Connection lost at {clock(lost_at)}; {why}{detail}. "
                f"The text recognized up to {kept} is kept.")
        self.gave_up = ResumeFailedError(text, code="ResumeFailed")
        self._notify(ResumeNotice(FAILED, text, attempts, lost_at))

    def _notify(self, notice: ResumeNotice) -> None:
        log.info("%s", notice.text)
        try:
            self.on_notice(notice)
        except Exception:
            log.exception("on_notice callback failed")
