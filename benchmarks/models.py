"""Every Whisper model available on this machine: load time, peak memory, speed and accuracy.

    .venv/bin/python -m benchmarks.models [--folder PATH ...] [--assemble-base DIR] [--clips N]

Rows: the packaged base and tiny.en, every folder given with --folder, every faster-whisper model
in the Hugging Face cache, and with --assemble-base the packaged base written out as a user's
folder (so the folder path, which reads model.bin through a read-only mapping, is measured even
where no other model exists). Each model runs in its own process: peak RSS (ru_maxrss) is that
model's, once loaded and once after recognizing. The English clips of the shared test data are
recognized with their hotwords (weights as in the manifest) and an English hint; RTF is the
recognition time over the audio duration, after loading. Prints one markdown row per model.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TESTDATA = REPO.parent / "shared" / "testdata"
HEADER = ("| model | languages | model.bin | load s | peak RSS after load | peak RSS after run | "
          "RTF (hotwords) | WER | probe RTF |\n|---|---|---|---|---|---|---|---|---|")


def english_clips(count: int) -> list[dict]:
    manifest = TESTDATA / "manifest.jsonl"
    records = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip()]
    clips = [r for r in records if r["lang"] == "en"][:count]
    for r in clips:
        r["audio_path"] = str(manifest.parent / r["audio"])
    return clips


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(name: str, count: int) -> dict:
    """In this process: load `name`, probe its speed, recognize the clips."""
    from qwenasr_desktop.core.hotwords import Hotword
    from qwenasr_desktop.core.metrics import error_counts
    from qwenasr_desktop.engines.base import RecognitionOptions
    from qwenasr_desktop.engines.local.engine import LocalEngine
    from qwenasr_desktop.engines.local.model_speed import measure_speed

    engine = LocalEngine()
    started = time.perf_counter()
    model = engine.model(name)
    load_s = time.perf_counter() - started
    rss_load = peak_rss_mb()
    probe = measure_speed(model)
    audio_s = work_s = 0.0
    errors = words = 0
    for clip in english_clips(count):
        hotwords = [Hotword(h["text"], h["weight"], h["lang"]) for h in clip["hotwords"]]
        options = RecognitionOptions(model=name, hotwords=hotwords, language_hints=["en"])
        started = time.perf_counter()
        tr = engine.recognize(clip["audio_path"], options)
        work_s += time.perf_counter() - started
        audio_s += clip["duration_s"]
        e = error_counts(clip["reference_normalized"], tr.text)
        errors, words = errors + e.errors, words + e.ref_words
    return {"load_s": load_s, "rss_load_mb": rss_load, "rss_run_mb": peak_rss_mb(), "rtf": work_s / audio_s,
            "wer": errors / max(words, 1), "probe_rtf": probe, "audio_s": audio_s}


def model_rows(folders: list[str]) -> list[tuple[str, str, str, int]]:
    """(name to load, label, languages, model.bin bytes) of every model to measure."""
    from qwenasr_desktop.engines.local import model_folders, packaged_models

    rows = [("base", "Whisper base (packaged)", "multilingual", packaged_models.BASE_MODEL_BIN_SIZE),
            ("tiny.en", "Whisper tiny.en (packaged)", "English", packaged_models.TINY_EN_MODEL_BIN_SIZE)]
    model_folders.set_user_folders(folders)
    found, problems = model_folders.available_models(refresh=True)
    for p in problems:
        print(f"skipped: {p}", file=sys.stderr)
    for m in found:
        rows.append((str(m.path), f"{m.label} ({m.source} folder)", m.languages_text, m.size_bytes))
    return rows


def assemble_base(target: Path) -> str:
    from qwenasr_desktop.engines.local import packaged_models

    target.mkdir(parents=True, exist_ok=True)
    for name, data in packaged_models.read_model_files("base").files.items():
        if not (target / name).is_file():
            (target / name).write_bytes(data)
    return str(target)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folder", action="append", default=[], help="a model folder (repeatable)")
    ap.add_argument("--assemble-base", metavar="DIR",
                    help="write the packaged base here as a folder and measure it too")
    ap.add_argument("--clips", type=int, default=3, help="English clips of the shared test data (default 3)")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # the child process: measure this model
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.one, args.clips)))
        return 0
    folders = list(args.folder)
    if args.assemble_base:
        folders.append(assemble_base(Path(args.assemble_base)))
    print(HEADER)
    for name, label, langs, size in model_rows(folders):
        done = subprocess.run([sys.executable, "-m", "benchmarks.models", "--one", name, "--clips",
                               str(args.clips)], capture_output=True, text=True, cwd=REPO)
        if done.returncode != 0:
            print(f"| {label} | {langs} | {size / 2**20:.0f} MB | failed: "
                  f"{done.stderr.strip().splitlines()[-1:]} |||||")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"| {label} | {langs} | {size / 2**20:.0f} MB | {r['load_s']:.1f} | "
              f"{r['rss_load_mb']:.0f} MB | {r['rss_run_mb']:.0f} MB | {r['rtf']:.2f} | {r['wer']:.1%} | "
              f"{r['probe_rtf']:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
