"""Hotword benchmark of the offline engine: accuracy, hotword recall/false alarms, speed, memory.

    .venv/bin/python -m benchmarks.hotwords [--models base,tiny.en] [--manifest PATH[,PATH]] [--out FILE]
    .venv/bin/python -m benchmarks.hotwords --half tune --lambdas 0.25,0.5,1.0 --weights 4   # calibration
    .venv/bin/python -m benchmarks.hotwords --streaming                          # latency

Each configuration runs in its own process so peak RSS (ru_maxrss) is per configuration.
Every hotword of a clip (targets and distractors alike) gets the configuration's weight, as in
the manifest where all carry the same weight, so weight gives nothing away.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TESTDATA = REPO.parent / "shared" / "testdata"
MODELS = {"base": "local-whisper-base", "tiny.en": "local-whisper-tiny.en"}


def load_manifest(path: Path | str) -> list[dict]:
    """One manifest, or several joined by commas; every record gets its audio path and its half."""
    out = []
    for part in str(path).split(","):
        p = Path(part)
        for line in p.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                r["audio_path"] = str(p.parent / r["audio"])
                out.append(r)
    for lang in {r["lang"] for r in out}:
        ids = sorted(r["id"] for r in out if r["lang"] == lang)
        for r in out:
            if r["lang"] == lang:
                r["half"] = HALVES[ids.index(r["id"]) % 2]
    return out


# Tune on one half, confirm on the other: clips of each language sorted by id, alternately.
HALVES = ("tune", "confirm")
ALL_REAL = f"{TESTDATA / 'manifest.jsonl'},{TESTDATA / 'more' / 'manifest.jsonl'}"


def configs(lambdas: list[float] | None, weights: list[int]) -> list[dict]:
    if lambdas:
        out = [dict(name=f"bias w={w} lam={lam}", mode="bias", weight=w, lam=lam)
               for lam in lambdas for w in weights]
        return out + [dict(name=f"related context only, context_weight={cw}", mode="none", weight=4,
                           context="related", extra={"context_weight": cw}) for cw in (2, 4, 6)]
    out = [dict(name="no biasing", mode="none", weight=4),
           dict(name="faster-whisper hotwords=", mode="fw", weight=4),
           dict(name="prompt only (ours)", mode="prompt", weight=4)]
    out += [dict(name=f"weighted w={w}", mode="bias", weight=w) for w in weights]
    out += [dict(name="w=4, trie only (no prompt)", mode="bias", weight=4, prompt_min_weight=9),
            dict(name="w=4, distractors only", mode="bias", weight=4, hotwords="distractors"),
            dict(name="w=4 + related context", mode="bias", weight=4, context="related"),
            dict(name="w=4 + unrelated context", mode="bias", weight=4, context="unrelated"),
            dict(name="related context only", mode="none", weight=4, context="related"),
            dict(name="unrelated context only", mode="none", weight=4, context="unrelated")]
    return out


def context_for(rec: dict, kind: str | None, records: list[dict]) -> list[str]:
    if not kind:
        return []
    if kind == "related":
        # Prior conversation that names the terms (what a user would paste as notes).
        terms = [h["text"] for h in rec["hotwords"] if not h["distractor"]]
        if not terms:
            return []
        return [("我们之前讨论过" + "、".join(terms) + "。") if rec["lang"] == "zh"
                else "Earlier we talked about " + ", ".join(terms) + "."]
    # Unrelated: another clip's transcript in the same language (real sentences, other words).
    other = [r for r in records if r["lang"] == rec["lang"] and r["id"] != rec["id"]]
    return [other[0]["reference"]] if other else []


def run_one(model: str, cfg: dict, manifest: Path | str, half: str = "all") -> dict:
    """One configuration over the manifest, in this process."""
    from qwenasr_desktop.audio.decode import load_audio
    from qwenasr_desktop.core.chinese_script import convert
    from qwenasr_desktop.core.context import Context
    from qwenasr_desktop.core.hotwords import Hotword
    from qwenasr_desktop.engines.base import RecognitionOptions
    from qwenasr_desktop.engines.local.engine import LocalEngine

    engine = LocalEngine()
    records = load_manifest(manifest)
    if half != "all":
        records = [r for r in records if r["half"] == half]
    if model == "tiny.en":
        records = [r for r in records if r["lang"] == "en"]
    t_load = time.perf_counter()
    loaded = engine.model(model)
    t_load = time.perf_counter() - t_load
    rows = []
    for r in records:
        audio = load_audio(r["audio_path"])
        hws = [Hotword(h["text"], cfg["weight"], h.get("lang")) for h in r["hotwords"]
               if cfg.get("hotwords") != "distractors" or h["distractor"]]
        t0 = time.perf_counter()
        if cfg["mode"] == "fw":
            segs, _ = loaded.whisper.transcribe(audio, language=r["lang"] if model == "base" else None,
                                                beam_size=5, vad_filter=True,
                                                hotwords=" ".join(h.text for h in hws))
            # The same script conversion as ours, so the peer is not charged for Traditional output.
            text = convert("".join(s.text for s in segs).strip(), "simplified") if r["lang"] == "zh" else \
                "".join(s.text for s in segs).strip()
        else:
            extra = {"biasing": cfg["mode"] == "bias"}
            if cfg["mode"] == "none":
                hws = []
            if cfg["mode"] == "prompt":
                extra["biasing"] = False
            if "lam" in cfg:
                extra["lam"] = cfg["lam"]
            if "prompt_min_weight" in cfg:
                extra["prompt_min_weight"] = cfg["prompt_min_weight"]
            if "plain_decoder" in cfg:
                extra["plain_decoder"] = cfg["plain_decoder"]
            extra.update(cfg.get("extra", {}))
            ctx = context_for(r, cfg.get("context"), records)
            opts = RecognitionOptions(model=MODELS[model], hotwords=hws, extra=extra,
                                      language_hints=[r["lang"]] if model == "base" else [],
                                      context=Context.from_texts(ctx) if ctx else None)
            text = engine.recognize(audio, opts).text
        dt = time.perf_counter() - t0
        rows.append(dict(id=r["id"], lang=r["lang"], seconds=len(audio) / 16000, time=dt, text=text))
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return dict(model=model, config=cfg, rows=rows, peak_rss_mb=rss_mb, load_s=t_load)


SLICES = ("all", "tune", "confirm", "tune/en", "tune/zh", "confirm/en", "confirm/zh", "en", "zh")


def in_slice(rec: dict, name: str) -> bool:
    return all(part in ("all", rec["half"], rec["lang"]) for part in name.split("/"))


def score(result: dict, manifest: Path | str, part: str = "all") -> dict:
    from qwenasr_desktop.core.metrics import ErrorCounts, HotwordScore, error_counts, hotword_score

    recs = {r["id"]: r for r in load_manifest(manifest)}
    total, hw = ErrorCounts(), HotwordScore()
    audio = cpu = 0.0
    per_clip = []
    for row in result["rows"]:
        r = recs[row["id"]]
        if not in_slice(r, part):
            continue
        targets = [h["text"] for h in r["hotwords"] if not h["distractor"]]
        distract = [h["text"] for h in r["hotwords"] if h["distractor"]]
        c = error_counts(r["reference_normalized"], row["text"], targets + distract, r["lang"])
        s = hotword_score(r["reference_normalized"], row["text"], targets, distract, r["lang"])
        total += c
        hw += s
        audio += row["seconds"]
        cpu += row["time"]
        per_clip.append(dict(id=row["id"], wer=c.wer, b_wer=c.b_wer, u_wer=c.u_wer,
                             recall=f"{s.recalled}/{s.targets}", fa=s.false_alarms, text=row["text"]))
    return dict(name=result["config"]["name"], model=result["model"], part=part, clips_n=len(per_clip),
                wer=total.wer, u_wer=total.u_wer,
                b_wer=total.b_wer, recall=hw.recall, recalled=hw.recalled, targets=hw.targets,
                false_alarms=hw.false_alarms, distractors=hw.distractors, fa_rate=hw.false_alarm_rate,
                rtf=cpu / audio if audio else 0.0, peak_rss_mb=result["peak_rss_mb"],
                load_s=result["load_s"], clips=per_clip)


def table(scores: list[dict]) -> str:
    lines = ["| clips | model | configuration | WER | U-WER | B-WER | target recall | distractor FA | RTF "
             "| peak RSS |", "|---|---|---|---|---|---|---|---|---|---|"]
    for s in scores:
        lines.append(f"| {s['part']} ({s['clips_n']}) | {s['model']} | {s['name']} | {100 * s['wer']:.1f} | "
                     f"{100 * s['u_wer']:.1f} | "
                     f"{100 * s['b_wer']:.1f} | {s['recalled']}/{s['targets']} | "
                     f"{s['false_alarms']}/{s['distractors']} ({100 * s['fa_rate']:.1f}%) | "
                     f"{s['rtf']:.3f} | {s['peak_rss_mb']:.0f} MB |")
    return "\n".join(lines)


# Real-time latency clips: the longest English one (two utterances), a 9.7-s read sentence, a
# speech excerpt and a Chinese clip (base only).
STREAMING_CLIPS = ("sh_en_ls_2412-153948-0000", "sh_en_lj001_0003", "sh_en_jfk_inaugural",
                   "sh_zh_thchs30_D4_753")


def streaming_latency(model: str, clip: Path, hotwords: list | None = None) -> dict:
    """Feed a clip at real-time pace (0.1 s blocks) and time partials/finals against the VAD."""
    import numpy as np

    from qwenasr_desktop.audio.decode import load_audio
    from qwenasr_desktop.engines.base import RecognitionOptions
    from qwenasr_desktop.engines.local.engine import LocalEngine
    from qwenasr_desktop.engines.local.vad import speech_utterances

    audio = load_audio(clip)
    audio = np.concatenate([np.zeros(16000, np.float32), audio, np.zeros(32000, np.float32)])
    utts = speech_utterances(audio)
    speech_start, speech_end = utts[0].start + 3200, utts[-1].end - 3200  # without the VAD padding
    engine = LocalEngine()
    engine.model(model)
    events = []
    t0 = time.perf_counter()
    session = engine.start_stream(RecognitionOptions(model=MODELS[model], hotwords=hotwords or []),
                                  lambda e: events.append((time.perf_counter() - t0, e.is_final)))
    block = 1600
    for i in range(0, len(audio), block):
        target = t0 + (i + block) / 16000
        session.send_audio(audio[i:i + block])
        delay = target - time.perf_counter()
        if delay > 0:
            time.sleep(delay)  # real-time pace of a microphone
    session.finish(120)
    first_partial = next((t for t, f in events if not f), None)
    last_final = max((t for t, f in events if f), default=None)
    return dict(model=model, clip=clip.name, hotwords=len(hotwords or []),
                first_partial_after_speech_start_s=None if first_partial is None
                else first_partial - speech_start / 16000,
                last_final_after_speech_end_s=None if last_final is None else last_final - speech_end / 16000,
                partials=sum(1 for _, f in events if not f), finals=sum(1 for _, f in events if f))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="base,tiny.en")
    ap.add_argument("--manifest", default=ALL_REAL, help="one manifest or several joined by commas "
                    "(default: ../shared/testdata and its more/ folder, the 21 real clips)")
    ap.add_argument("--half", default="all", choices=["all", *HALVES], help="run only this half's clips")
    ap.add_argument("--parts", default=",".join(SLICES), help="slices to report, e.g. all,tune/zh")
    ap.add_argument("--weights", default="1,2,3,4,5")
    ap.add_argument("--lambdas", help="calibration: only biased runs at these lambdas")
    ap.add_argument("--out", help="write scores as JSON here")
    ap.add_argument("--streaming", action="store_true")
    ap.add_argument("--only", help="run only configurations whose name contains this text")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # internal: JSON config for a child process
    args = ap.parse_args(argv)
    manifest = args.manifest
    if args.one:
        spec = json.loads(args.one)
        print(json.dumps(run_one(spec["model"], spec["cfg"], manifest, args.half)))
        return 0
    if args.streaming:
        from qwenasr_desktop.core.hotwords import Hotword

        records = {r["id"]: r for r in load_manifest(TESTDATA / "manifest.jsonl")}
        for m in args.models.split(","):
            for clip_id in STREAMING_CLIPS:
                rec = records[clip_id]
                if m == "tiny.en" and rec["lang"] != "en":
                    continue
                hws = [Hotword(h["text"], 4, h["lang"]) for h in rec["hotwords"]]
                for hw in ([], hws):
                    print(json.dumps(streaming_latency(m, Path(rec["audio_path"]), hw)), flush=True)
        return 0
    lambdas = [float(x) for x in args.lambdas.split(",")] if args.lambdas else None
    weights = [int(x) for x in args.weights.split(",")]
    parts = args.parts.split(",")
    scores, raw = [], []
    for m in args.models.split(","):
        for cfg in configs(lambdas, weights):
            if args.only and not any(o in cfg["name"] for o in args.only.split("|")):
                continue
            out = subprocess.run([sys.executable, "-m", "benchmarks.hotwords", "--manifest", str(manifest),
                                  "--half", args.half, "--one", json.dumps({"model": m, "cfg": cfg})],
                                 cwd=REPO, capture_output=True, text=True, env={**os.environ}, check=False)
            if out.returncode != 0:
                print(out.stderr, file=sys.stderr)
                return 1
            result = json.loads(out.stdout.strip().splitlines()[-1])
            raw.append(result)
            for part in parts:
                s = score(result, manifest, part)
                if s["clips_n"]:
                    scores.append(s)
                    print(table([s]).splitlines()[-1], flush=True)
    print(f"\nmanifest: {manifest}; half: {args.half}; load average at end: {os.getloadavg()}")
    for part in parts:
        rows = [s for s in scores if s["part"] == part]
        if rows:
            print(f"\n### {part}\n" + table(rows))
    if args.out:
        Path(args.out).write_text(json.dumps({"scores": scores, "raw": raw}, ensure_ascii=False, indent=1),
                                  encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
