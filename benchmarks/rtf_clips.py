"""RTF of the offline engine over the 21 real clips, as a whole process, for A/B timing of two checkouts.

    .venv/bin/python -m benchmarks.rtf_clips w4        # every hotword of a clip at weight 4
    .venv/bin/python -m benchmarks.rtf_clips plain     # no hotwords
    PYTHONPATH=/path/to/other/checkout .venv/bin/python benchmarks/rtf_clips.py w4   # the other code

The model is loaded once and one clip is decoded first as a warm-up; the RTF of the rest goes to
stderr. Run two checkouts alternately (A B A B ...) under `/usr/bin/time -v` and compare the
whole-process CPU and wall seconds pair by pair: that ratio holds when the machine's speed drifts.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "testdata"


def main(argv: list[str]) -> int:
    import qwenasr_desktop
    from qwenasr_desktop.audio.decode import load_audio
    from qwenasr_desktop.core.hotwords import Hotword
    from qwenasr_desktop.engines.base import RecognitionOptions
    from qwenasr_desktop.engines.local.engine import LocalEngine

    mode = argv[0] if argv else "w4"
    recs = []
    for man in (SHARED / "manifest.jsonl", SHARED / "more" / "manifest.jsonl"):
        for line in man.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                r["path"] = str(man.parent / r["audio"])
                recs.append(r)
    engine = LocalEngine()
    engine.model("local-whisper-base")
    audio = {r["id"]: load_audio(r["path"]) for r in recs}

    def run(r: dict) -> None:
        hws = [Hotword(h["text"], 4, h["lang"]) for h in r["hotwords"]] if mode == "w4" else []
        engine.recognize(audio[r["id"]], RecognitionOptions(model="local-whisper-base", hotwords=hws,
                                                            language_hints=[r["lang"]]))

    run(recs[0])
    t = time.perf_counter()
    for r in recs:
        run(r)
    dt = time.perf_counter() - t
    secs = sum(len(a) for a in audio.values()) / 16000
    print(f"{qwenasr_desktop.__file__} {mode}: RTF {dt / secs:.3f} ({dt:.1f} s for {secs:.1f} s)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
