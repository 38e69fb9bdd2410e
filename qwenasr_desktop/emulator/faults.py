"""Fault injection switches, set by tests (in process) or over `/emulator/faults` (out of process).

Every switch is a counter or a value that the server consumes as it goes, so a test states the
fault it wants and then observes the client's reaction over a real socket.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field, fields


def _count(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 1_000_000


# What each switch accepts over /emulator/faults. A wrong type used to be stored as given and
# turned every later API call into a 500 (e.g. `"x" > 0`), so values are checked on the way in.
_RULES = {
    "drop_ws_after_frames": (lambda v: v is None or _count(v), "null or an integer >= 0"),
    "refuse_ws_count": (_count, "an integer >= 0"),
    "http_error_status": (lambda v: _count(v) and 400 <= v <= 599, "an integer from 400 to 599"),
    "http_error_count": (_count, "an integer >= 0"),
    "http_error_code": (lambda v: isinstance(v, str) and len(v) <= 100, "a string"),
    "delay_s": (lambda v: isinstance(v, int | float) and not isinstance(v, bool)
                and math.isfinite(v) and 0 <= v <= 60, "a number of seconds from 0 to 60"),
    "undeployed_queries": (_count, "an integer >= 0"),
    "fail_file_tasks": (_count, "an integer >= 0"),
    "hold_file_tasks": (lambda v: isinstance(v, bool), "true or false"),
}


@dataclass
class Faults:
    drop_ws_after_frames: int | None = None  # abort the next WS connection after N binary frames
    refuse_ws_count: int = 0  # answer the next N WebSocket handshakes 503 (a failed reconnect)
    http_error_status: int = 429  # status used by http_error_count (429 or 500/503...)
    http_error_count: int = 0  # answer the next N API calls with http_error_status
    http_error_code: str = ""  # the error body's code (default: the usual one for the status)
    delay_s: float = 0.0  # delay every API response (and WS events) by this much
    undeployed_queries: int = 0  # a vocabulary created/updated now stays UNDEPLOYED for N queries
    fail_file_tasks: int = 0  # the next N file tasks end FAILED
    hold_file_tasks: bool = False  # keep new file tasks PENDING until released (to test cancel)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def take(self, name: str) -> bool:
        """Consume one unit of a counter; True if the fault fires now."""
        with self._lock:
            n = getattr(self, name)
            if n and n > 0:
                setattr(self, name, n - 1)
                return True
            return False

    def take_drop(self) -> int | None:
        with self._lock:
            n, self.drop_ws_after_frames = self.drop_ws_after_frames, None
            return n

    def update(self, values: dict) -> None:
        names = {f.name for f in fields(self) if not f.name.startswith("_")}
        unknown = set(values) - names
        if unknown:
            raise ValueError(f"unknown fault switch(es): {', '.join(sorted(unknown))}; "
                             f"known: {', '.join(sorted(names))}")
        for k, v in values.items():
            check, expected = _RULES[k]
            if not check(v):
                raise ValueError(f"fault switch '{k}' must be {expected}; got {v!r:.40}.")
        with self._lock:
            for k, v in values.items():
                setattr(self, k, v)

    def reset(self) -> None:
        self.update({f.name: f.default for f in fields(self) if not f.name.startswith("_")})

    def snapshot(self) -> dict:
        with self._lock:
            return {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}
