"""Run one long native call (a CTranslate2 encode, an alignment) so a cancel returns at once.

A 30-s encoder pass takes 1 to 4 s on a busy 2-core machine and cannot be stopped part way, yet a
cancel must end the recognition within a second. The call runs on a helper thread (CTranslate2
releases the GIL) while the caller waits on the cancel token; after a cancel the caller raises
at once and the helper's result, when it comes, is dropped.
"""

from __future__ import annotations

import atexit
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from ..base import CancelToken

T = TypeVar("T")
POLL_S = 0.05
# A stage left running after a cancel must not be inside CTranslate2 while the interpreter tears
# down: that aborts the process ("terminate called without an active exception") as it exits.
EXIT_WAIT_S = 10.0
_stages: weakref.WeakSet[threading.Thread] = weakref.WeakSet()


@atexit.register
def _wait_for_stages() -> None:
    """At exit, let abandoned stages end (each is one encoder pass or alignment: about a second)."""
    for t in list(_stages):
        t.join(EXIT_WAIT_S)


def run_cancellable(fn: Callable[[], T], cancel: CancelToken | None) -> T:
    """fn() (on this thread when there is no token), or EngineCancelledError within POLL_S of a
    cancel. fn's own exceptions are raised here as if it had run on this thread."""
    if cancel is None:
        return fn()
    cancel.raise_if_cancelled()
    box: dict[str, Any] = {}
    done = threading.Event()

    def work() -> None:
        try:
            box["value"] = fn()
        except BaseException as e:  # handed to the caller below
            box["error"] = e
        finally:
            done.set()

    stage = threading.Thread(target=work, name="decoder-stage", daemon=True)
    _stages.add(stage)
    stage.start()
    while not done.wait(POLL_S):
        cancel.raise_if_cancelled()
    if "error" in box:
        raise box["error"]
    return box["value"]
