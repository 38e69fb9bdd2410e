"""Long files: RTF, peak RSS, time to the first chunk and cancel latency of the offline engine,
against faster-whisper's own `WhisperModel.transcribe` on the same file and the same model.

    .venv/bin/python -m benchmarks.long_file --minutes 10 --what plain,w4,fw,cancel
    .venv/bin/python -m benchmarks.long_file --minutes 10,60 --what plain,fw,whole   # RSS 10 vs 60 min

The recording is built from the real clips of ../shared/testdata and ../shared/testdata/more (21
clips, 2.6 min, English and Mandarin, each followed by 1 s of silence), repeated until it lasts
10 minutes (shorter --minutes cut it). Longer recordings keep that speech and space it out with
quiet room noise (-54 dBFS Gaussian) to the length asked, so a 60-minute file holds the same
speech as the 10-minute one: the decode work stays, only the length grows.

Every measurement runs in its own process (this script with --child); the parent reads the
child's peak RSS from os.wait4. The model is loaded (and warmed on one clip) before the clock
starts. "w4" gives every clip's hotwords (distractors included) at weight 4 to the whole file.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "testdata"
MANIFESTS = (SHARED / "manifest.jsonl", SHARED / "more" / "manifest.jsonl")
SR = 16000
SPEECH_MINUTES = 10
WHAT = ("plain", "w4", "fw", "cancel", "whole")


def clips() -> list[dict]:
    recs = []
    for man in MANIFESTS:
        for line in man.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                r["path"] = str(man.parent / r["audio"])
                recs.append(r)
    return recs


def build_recording(minutes: float, out: Path) -> dict:
    """Write the recording (16 kHz 16-bit WAV) block by block; returns what it holds."""
    import numpy as np
    import soundfile as sf

    from qwenasr_desktop.audio.decode import load_audio

    pieces = [np.concatenate([load_audio(r["path"]), np.zeros(SR, np.float32)]) for r in clips()]
    unit = sum(len(p) for p in pieces)
    speech_s = min(minutes, SPEECH_MINUTES) * 60
    rounds = max(1, -(-int(speech_s * SR) // unit))
    order = [p for _ in range(rounds) for p in pieces]
    total = int(minutes * 60 * SR)
    speech_total = min(total, rounds * unit)
    gap = max(0, (total - speech_total) // len(order))  # noise after each clip, to fill the length
    rng = np.random.default_rng(0)
    written = 0
    with sf.SoundFile(str(out), "w", SR, 1, "PCM_16") as f:
        for p in order:
            for part in (p, (rng.normal(0, 0.002, gap)).astype(np.float32)):
                part = part[:total - written]
                f.write(part)
                written += len(part)
        if written < total:
            f.write(rng.normal(0, 0.002, total - written).astype(np.float32))
    return {"seconds": total / SR, "speech_rounds": rounds, "clips": len(pieces),
            "speech_seconds": round(speech_total / SR, 1)}


# ------------------------------------------------------------------ children (one per measure)
def _hotwords():
    from qwenasr_desktop.core.hotwords import Hotword

    return [Hotword(h["text"], 4, h["lang"]) for r in clips() for h in r["hotwords"]]


def _ours(path: str, what: str) -> dict:
    from qwenasr_desktop.core.models import LOCAL_BASE
    from qwenasr_desktop.engines.base import RecognitionOptions
    from qwenasr_desktop.engines.local.engine import LocalEngine

    engine = LocalEngine()
    opts = RecognitionOptions(model=LOCAL_BASE, hotwords=_hotwords() if what == "w4" else [])
    engine.recognize(clips()[0]["path"], opts)  # warm-up: model loaded, first-call costs paid
    chunk_times: list[float] = []
    t0 = time.perf_counter()
    tr = engine.recognize(path, opts, on_chunk=lambda d: chunk_times.append(time.perf_counter() - t0))
    wall = time.perf_counter() - t0
    return {"wall": wall, "audio_s": tr.duration_ms / 1000, "first_chunk": chunk_times[0],
            "chunks": len(chunk_times), "chars": len(tr.text)}


def _faster_whisper(path: str) -> dict:
    from faster_whisper import WhisperModel

    from qwenasr_desktop.core.models import LOCAL_BASE
    from qwenasr_desktop.engines.local.packaged_models import read_model_files

    files = dict(read_model_files(LOCAL_BASE).files)  # the packaged base, without our decoder
    model = WhisperModel("packaged-base", device="cpu", compute_type="int8", cpu_threads=2, files=files)
    del files
    list(model.transcribe(clips()[0]["path"])[0])  # warm-up
    t0 = time.perf_counter()
    segments, info = model.transcribe(path, beam_size=5, vad_filter=True, multilingual=True)
    first, chars, count = None, 0, 0
    for seg in segments:
        first = first if first is not None else time.perf_counter() - t0
        chars += len(seg.text)
        count += 1
    return {"wall": time.perf_counter() - t0, "audio_s": info.duration, "first_chunk": first,
            "chunks": count, "chars": chars}


def _cancel(path: str, delays=(0.5, 1.5, 2.5, 4.0)) -> dict:
    """Cancel a biased run at several moments after a chunk began; seconds from cancel() to the
    recognize call raising. Also the median chunk time: what a cancel between chunks waits."""
    from qwenasr_desktop.core.models import LOCAL_BASE
    from qwenasr_desktop.engines.base import CancelToken, EngineCancelledError, RecognitionOptions
    from qwenasr_desktop.engines.local.engine import LocalEngine

    engine = LocalEngine()
    opts = RecognitionOptions(model=LOCAL_BASE, hotwords=_hotwords())
    engine.recognize(clips()[0]["path"], opts)
    latencies, chunk_s = [], []
    for delay in delays:
        token, stamps, cancelled_at = CancelToken(), [time.perf_counter()], []

        def on_chunk(_done, token=token, stamps=stamps, cancelled_at=cancelled_at, delay=delay):
            stamps.append(time.perf_counter())
            if len(stamps) == 3:  # the second chunk is done: cancel inside the third

                def fire():
                    cancelled_at.append(time.perf_counter())
                    token.cancel()
                threading.Timer(delay, fire).start()
        try:
            engine.recognize(path, opts, cancel=token, on_chunk=on_chunk)
        except EngineCancelledError:
            latencies.append(time.perf_counter() - cancelled_at[0])
        chunk_s += [b - a for a, b in itertools.pairwise(stamps[1:])]
    chunk_s.sort()
    return {"latencies": latencies, "median_chunk_s": chunk_s[len(chunk_s) // 2] if chunk_s else None}


def _whole(path: str) -> dict:
    """What the engine did before streaming, up to the first decode: the whole file in memory and
    the VAD over it (no model loaded): the memory the old path needed besides the model."""
    from qwenasr_desktop.audio.decode import load_audio
    from qwenasr_desktop.engines.local.vad import merge_utterances, speech_utterances

    t0 = time.perf_counter()
    audio = load_audio(path)
    chunks = merge_utterances(speech_utterances(audio))
    return {"wall": time.perf_counter() - t0, "audio_s": len(audio) / SR, "chunks": len(chunks)}


def child(what: str, path: str) -> None:
    if what == "whole":
        out = _whole(path)
    elif what == "fw":
        out = _faster_whisper(path)
    elif what == "cancel":
        out = _cancel(path)
    else:
        out = _ours(path, what)
    print(json.dumps(out), flush=True)


# ------------------------------------------------------------------ parent
def measure(what: str, path: Path) -> dict:
    proc = subprocess.Popen([sys.executable, "-m", "benchmarks.long_file", "--child", what, str(path)],
                            stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{what} on {path.name} failed with exit code {proc.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_rss_mb"] = usage.ru_maxrss / 1024  # kB on Linux
    result["cpu_s"] = usage.ru_utime + usage.ru_stime
    return result


def row(what: str, minutes: float, r: dict) -> str:
    if what == "cancel":
        lat = r["latencies"]
        if not lat:
            return f"| cancel (w4) | {minutes:g} | | | | | too few chunks to cancel in the third |"
        return (f"| cancel (w4) | {minutes:g} | | | | {r['peak_rss_mb']:.0f} | cancel -> raised: "
                f"median {sorted(lat)[len(lat) // 2]:.2f} s, max {max(lat):.2f} s over {len(lat)}; "
                f"median chunk {r['median_chunk_s']:.1f} s |")
    if what == "whole":
        return (f"| old path: load_audio + VAD, no model | {minutes:g} | | {r['wall']:.0f} | | "
                f"{r['peak_rss_mb']:.0f} | {r['chunks']} chunks |")
    rtf = r["wall"] / r["audio_s"]
    name = {"plain": "ours, plain", "w4": "ours, hotwords w4", "fw": "faster-whisper transcribe"}[what]
    return (f"| {name} | {minutes:g} | {rtf:.3f} | {r['wall']:.0f} | {r['first_chunk']:.1f} | "
            f"{r['peak_rss_mb']:.0f} | {r['chunks']} pieces, {r['chars']} chars, CPU {r['cpu_s']:.0f} s |")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", default="10", help="comma-separated recording lengths (default 10)")
    ap.add_argument("--what", default=",".join(WHAT), help=f"comma-separated, of: {', '.join(WHAT)}")
    ap.add_argument("--child", nargs=2, metavar=("WHAT", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    whats = [w.strip() for w in args.what.split(",") if w.strip()]
    unknown = set(whats) - set(WHAT)
    if unknown:
        ap.error(f"unknown --what {', '.join(sorted(unknown))}; use: {', '.join(WHAT)}")
    minutes = [float(m) for m in args.minutes.split(",")]
    print(f"CPU: {_cpu()}; {os.cpu_count()} cores. Clips: {', '.join(str(m) for m in MANIFESTS)}")
    print("| run | minutes | RTF | wall s | first chunk s | peak RSS MB | notes |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for m in minutes:
            path = Path(tmp) / f"long_{m:g}min.wav"
            info = build_recording(m, path)
            print(f"| recording | {m:g} | | | | | {info['clips']} clips x {info['speech_rounds']} = "
                  f"{info['speech_seconds']:.0f} s of speech, spaced with noise to {info['seconds']:.0f} s |",
                  flush=True)
            for what in whats:
                print(row(what, m, measure(what, path)), flush=True)
    return 0


def _cpu() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return "unknown"
    name = next((ln.split(":", 1)[1].strip() for ln in text.splitlines() if ln.startswith("model name")), "?")
    flags = next((ln for ln in text.splitlines() if ln.startswith("flags")), "")
    simd = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"
    return f"{name} ({simd})"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
