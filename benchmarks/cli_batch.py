"""`qwenasr transcribe --engine dashscope` on a 30-file batch through the emulator.

Run: PYTHONPATH=. .venv/bin/python benchmarks/cli_batch.py [--files 30] [--local-model base]
     [--format srt] [--testdata ../shared/testdata]
     PYTHONPATH=. .venv/bin/python benchmarks/cli_batch.py --ctrl-c   (stop latency only)

The emulator runs in this process on its offline engine (Whisper base by default, as
`qwenasr emulator` serves it); the CLI is a separate process, exactly as a user starts it, with
stderr piped (no bars). The files are real clips from the shared test data, copied round-robin
under distinct names. Reported: wall time of the CLI process, files per minute, audio minutes,
and the CLI process's peak RSS and CPU time (from wait4, so only the CLI, not the emulator).
The emulator does the recognition, so the wall time is mostly the offline engine's.

--ctrl-c instead measures how long an offline batch takes to exit after SIGINT (Ctrl-C) sent
while it decodes its second file (the first one written), over a few runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import soundfile as sf

REPO = Path(__file__).resolve().parent.parent
KEY = "sk-benchmark-0123456789ab"


def make_inputs(testdata: Path, n: int, into: Path) -> float:
    """`n` copies of the test data's clips (round-robin); returns their total audio seconds."""
    clips = sorted((testdata / "audio").glob("*.wav"))
    if not clips:
        raise SystemExit(f"no clips in {testdata / 'audio'}")
    seconds = 0.0
    for i in range(n):
        src = clips[i % len(clips)]
        shutil.copy(src, into / f"{i:02d}_{src.name}")
        seconds += sf.info(str(src)).duration
    return seconds


def run_cli(argv: list[str]) -> tuple[int, float, int, float, str]:
    """(exit code, wall s, peak RSS KiB, CPU s, stderr) of one CLI process."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "DASHSCOPE_API_KEY": KEY}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "qwenasr_desktop.cli", *argv], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime, err


def ctrl_c_latency(runs: int = 3) -> None:
    """Seconds from SIGINT to process exit, with the offline engine mid-decode."""
    clips = REPO / "tests" / "data" / "audio"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as out:
            first = Path(out) / "sh_en_ls_1089-134686-0001.txt"
            proc = subprocess.Popen([sys.executable, "-m", "qwenasr_desktop.cli", "transcribe",
                                     str(clips / first.with_suffix(".wav").name),
                                     str(clips / "dv_en_osr_us_000_0034_8k.wav"), "--model", "tiny.en",
                                     "--output-dir", out], env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, text=True,
                                    # Ctrl-C back to default: a benchmark started with `&` ignores it
                                    preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
            while not first.exists() and proc.poll() is None:
                time.sleep(0.02)
            time.sleep(1.0)  # well into the second file's decode
            t0 = time.perf_counter()
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=60)
            print(f"exit {proc.returncode} after {time.perf_counter() - t0:.3f} s: {err.strip()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=30)
    ap.add_argument("--local-model", default="base", choices=["base", "tiny.en"],
                    help="the emulator's offline model (default base, as `qwenasr emulator`)")
    ap.add_argument("--format", default="srt")
    ap.add_argument("--testdata", type=Path, default=REPO.parent / "shared" / "testdata")
    ap.add_argument("--ctrl-c", action="store_true", help="measure the stop latency after Ctrl-C only")
    args = ap.parse_args()
    if args.ctrl_c:
        print(f"cpu: {_cpu()}; load average {_load_start:.2f}")
        ctrl_c_latency()
        return

    from qwenasr_desktop.core.models import LOCAL_BASE, LOCAL_TINY_EN
    from qwenasr_desktop.emulator import EmulatorServer
    from qwenasr_desktop.engines.local.engine import LocalEngine

    with tempfile.TemporaryDirectory() as tmp, EmulatorServer(LocalEngine, api_key=KEY) as emu:
        emu.recognizer.local_model = LOCAL_BASE if args.local_model == "base" else LOCAL_TINY_EN
        inputs, out = Path(tmp) / "in", Path(tmp) / "out"
        inputs.mkdir()
        audio_s = make_inputs(args.testdata, args.files, inputs)
        code, wall, rss_kib, cpu_s, err = run_cli(
            ["transcribe", str(inputs), "--engine", "dashscope", "--region", emu.base_url,
             "--output-dir", str(out), "--format", args.format])
        written = len(list(out.glob(f"*.{args.format}")))
        tasks = len(emu.store.tasks)
    print(f"cpu: {_cpu()}; load average before/after: {_load_start:.2f}/{os.getloadavg()[0]:.2f}")
    print(f"emulator model: {args.local_model}; {args.files} files, {audio_s / 60:.2f} audio minutes; "
          f"{tasks} cloud task(s)")
    print(f"exit {code}; {written} written; summary: {err.strip().splitlines()[-1] if err.strip() else '-'}")
    print(f"wall {wall:.1f} s; {args.files / wall * 60:.1f} files/min; "
          f"{audio_s / wall:.2f} audio s per wall s")
    print(f"CLI process: peak RSS {rss_kib / 1024:.1f} MiB, CPU {cpu_s:.2f} s")


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            text = f.read()
    except OSError:
        return "unknown"
    name = next((ln.split(":", 1)[1].strip() for ln in text.splitlines() if ln.startswith("model name")), "?")
    flags = next((ln.split(":", 1)[1].split() for ln in text.splitlines() if ln.startswith("flags")), [])
    simd = sorted(f for f in flags if f.startswith(("avx", "sse4", "fma")))
    return f"{name}, {os.cpu_count()} cores, {' '.join(simd)}"


_load_start = os.getloadavg()[0]

if __name__ == "__main__":
    main()
