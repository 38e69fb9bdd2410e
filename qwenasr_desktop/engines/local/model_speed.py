"""An estimate of how fast a loaded model recognizes on this machine, measured once.

A user choosing between their large-v3 folder and the packaged base needs to know whether an hour
of audio takes ten minutes or three hours here. Timing one 30 s window through the encoder plus a
few five-beam decoder steps takes a second for base and is honest about this CPU; a full
recognition would take as long as the user's first real run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from ...core.user_models import USER_MODELS
from ..base import SAMPLE_RATE

if TYPE_CHECKING:
    from .packaged_models import LoadedModel

log = logging.getLogger(__name__)
WINDOW_S = 30
# Tokens Whisper writes for 30 s of continuous speech (about 75 words at 150 words a minute).
TOKENS_PER_WINDOW = 100
PROBE_STEPS = 12
BEAMS = 5


def measure_speed(model: LoadedModel) -> float:
    """Estimated real-time factor (seconds of work per second of audio) of a speech-filled window."""
    import ctranslate2

    noise = np.random.default_rng(0).standard_normal(WINDOW_S * SAMPLE_RATE).astype(np.float32) * 0.05
    mel = model.whisper.feature_extractor(noise)[:, :3000]
    started = time.perf_counter()
    view = ctranslate2.StorageView.from_array(np.ascontiguousarray(mel[None], dtype=np.float32))
    encoded = np.asarray(model.ct2.encode(view, to_cpu=True))[0]
    encode_s = time.perf_counter() - started
    decoder = model.decoder
    state = decoder.start(encoded)
    no_suppression = np.zeros(decoder.V, np.float32)
    decoder.step(state, np.array([[0, 1, 2]], np.int64), no_suppression, BEAMS)
    decoder.reorder(state, [0] * BEAMS)
    started = time.perf_counter()
    for i in range(PROBE_STEPS):
        decoder.step(state, np.full((BEAMS, 1), 3 + i, np.int64), no_suppression, BEAMS)
    step_s = (time.perf_counter() - started) / PROBE_STEPS
    return (encode_s + TOKENS_PER_WINDOW * step_s) / WINDOW_S


def remember_speeds(known: dict[str, float], on_measured: Callable[[str, float], None] | None) -> None:
    """The app's saved estimates, and where a new one goes. Until this is called (the CLI, tests)
    no model is probed: a command-line run should not pay for a number only the Models page shows."""
    USER_MODELS.speeds.update(known)
    USER_MODELS.on_measured = on_measured


def speed_of(name: str) -> float | None:
    return USER_MODELS.speeds.get(name)


def measure_on_first_use(name: str, model: LoadedModel) -> float | None:
    """Probe a freshly loaded model once ever (the estimate is saved by the app); None if not
    probed or the probe failed, which never fails the load itself."""
    save = USER_MODELS.on_measured
    if save is None or name in USER_MODELS.speeds:
        return None
    try:
        rtf = USER_MODELS.speeds[name] = measure_speed(model)
        save(name, rtf)
    except Exception:  # neither the probe nor saving it may turn a working model into an error
        log.warning("could not measure or save the speed of %s", name, exc_info=True)
        return USER_MODELS.speeds.get(name)
    return rtf
