"""Fault injection switches, set by tests (in process) or over `/emulator/faults` (out of process).

Every switch is a counter or a value that the server consumes as it goes, so a test states the
fault it wants and then observes the client's reaction over a real socket.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, fields


@dataclass
class Faults:
    drop_ws_after_frames: int | None = None  # abort the next WS connection after N binary frames
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
        with self._lock:
            for k, v in values.items():
                setattr(self, k, v)

    def reset(self) -> None:
        self.update({f.name: f.default for f in fields(self) if not f.name.startswith("_")})

    def snapshot(self) -> dict:
        with self._lock:
            return {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}
