"""A two-voice "interview" made of real clips, recognized by the offline engine, for workbench tests.

The offline engine does not tell speakers apart, so each sentence gets the speaker of the clip
it was spoken in (what a diarizing engine would report). Used by tests/test_ui_workbench.py and
docs/screenshots/make_workbench_screenshot.py.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import soundfile as sf

from qwenasr_desktop.audio.decode import load_audio
from qwenasr_desktop.core.models import LOCAL_TINY_EN
from qwenasr_desktop.core.transcript import Transcript

CLIPS = ("sh_en_jfk_inaugural", "sh_en_ls_1995-1837-0001", "sh_en_lj001_0003")
GAP_S = 0.8
RATE = 16000


def make_interview(testdata: Path, out_dir: Path) -> tuple[Path, Transcript, list[int]]:
    """Writes interview.wav (the clips with short pauses) and returns it, its transcript and the
    start of each clip in ms."""
    parts, starts, at = [], [], 0
    for clip in CLIPS:
        audio = load_audio(testdata / "audio" / f"{clip}.wav")
        starts.append(round(at * 1000 / RATE))
        parts += [audio, np.zeros(int(GAP_S * RATE), dtype=np.float32)]
        at += len(audio) + int(GAP_S * RATE)
    wav = out_dir / "interview.wav"
    sf.write(str(wav), np.concatenate(parts), RATE, subtype="PCM_16")
    cache = out_dir / "interview.json"
    if cache.exists():
        t = Transcript.from_dict(json.loads(cache.read_text()))
    else:
        from qwenasr_desktop.engines.base import RecognitionOptions
        from qwenasr_desktop.engines.local.engine import LocalEngine

        t = LocalEngine().recognize(str(wav), RecognitionOptions(model=LOCAL_TINY_EN))
        cache.write_text(json.dumps(t.to_dict()))
    speakers = [0, 1, 0]  # interviewer, guest, interviewer
    labelled = []
    for s in t.sentences:
        clip = max(k for k, st in enumerate(starts) if st <= s.begin_ms + 200)
        labelled.append(replace(s, speaker=speakers[clip]))
    return wav, replace(t, sentences=labelled), starts
