"""Hotword tuning benchmark: recognitions and wall time of one tuning run on real clips.

    .venv/bin/python -m benchmarks.tuning [--model tiny.en] [--clips ID,ID] [--option KEY=VALUE]

Each clip's manifest hotwords (targets and distractors) form one list at weight 4, the way a user
starts. Prints the per-hotword table, the number of recognitions (against the naive one-at-a-time
sweep: 5 per hotword per clip), cache hits, wall time and the machine's load.
"""

from __future__ import annotations

import argparse
import os
import time

from qwenasr_desktop.core import tuning_plan
from qwenasr_desktop.core.hotwords import Hotword
from qwenasr_desktop.engines.base import RecognitionOptions
from qwenasr_desktop.engines.local.engine import LocalEngine
from qwenasr_desktop.engines.tuning import TuningClip, TuningRunner

from .hotwords import MODELS, TESTDATA, load_manifest

DEFAULT_CLIPS = "sh_en_lj001_0028,sh_en_ls_1089-134686-0001,sh_en_ls_1272-128104-0000"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="tiny.en", choices=sorted(MODELS))
    ap.add_argument("--clips", default=DEFAULT_CLIPS)
    ap.add_argument("--option", action="append", default=[], help="engine extra, e.g. prompt_min_weight=9")
    args = ap.parse_args()
    records = {r["id"]: r for r in load_manifest(TESTDATA / "manifest.jsonl")}
    clips, items, seen = [], [], set()
    for cid in args.clips.split(","):
        r = records[cid]
        clips.append(TuningClip(TESTDATA / r["audio"], r["reference"], r["lang"], cid))
        for h in r["hotwords"]:
            if h["text"] not in seen:
                seen.add(h["text"])
                items.append(Hotword(h["text"], 4, h["lang"]))
    extra = {}
    for o in args.option:
        k, _, v = o.partition("=")
        extra[k] = int(v) if v.isdigit() else float(v)
    options = RecognitionOptions(model=MODELS[args.model], extra=extra)
    runner = TuningRunner(LocalEngine(), clips, items, options)
    cost = runner.estimate()
    t0 = time.perf_counter()
    report = runner.run()
    wall = time.perf_counter() - t0
    audio = sum(runner.duration(c) for c in clips)
    print(tuning_plan.report_table(report))
    print()
    print(f"model {args.model}, options {extra or 'default (prompt + trie)'}, {len(clips)} clips "
          f"({audio:.1f} s audio), {len(runner.texts)} hotwords")
    print(f"estimate: {cost.describe()}")
    print(f"recognitions: {report.recognitions} (+{report.cache_hits} cache hits) of {report.runs_planned} "
          f"runs; one-at-a-time would need {5 * len(runner.texts) * len(clips)}")
    print(f"wall time: {wall:.1f} s ({wall / max(1, report.recognitions):.2f} s per recognition, "
          f"{report.audio_seconds:.1f} s audio recognized)")
    print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
          f"changed weights: {sum(h.changed for h in report.hotwords)}")


if __name__ == "__main__":
    main()
