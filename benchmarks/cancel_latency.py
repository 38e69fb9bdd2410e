"""How long Cancel takes in a file run (offline engine, both sides), from the click made right after
a side's first chunk arrived (the engine is then inside the next chunk): until the page is free
(the runner's `done`: both sides reported cancelled) and until the cancelled workers have stopped
(the CPU is free: the offline engine checks the token between chunks).

    .venv/bin/python -m benchmarks.cancel_latency [repeats]
"""
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

app = QApplication([])
from qwenasr_desktop.core.models import LOCAL_BASE, Mode  # noqa: E402
from qwenasr_desktop.engines.engine_choice import load_offline_model  # noqa: E402
from qwenasr_desktop.engines.engine_labels import EngineChoice  # noqa: E402
from qwenasr_desktop.ui.jobs import long_pool  # noqa: E402
from qwenasr_desktop.ui.recognition.runner import ComparisonRunner, RunRequest  # noqa: E402

CLIP = Path(__file__).resolve().parents[1] / "tests" / "data" / "audio" / "dv_en_osr_us_000_0034_8k.wav"


def one_run() -> tuple[float, float]:
    """(click -> the page is free, click -> the cancelled workers have stopped)."""
    runner = ComparisonRunner()
    clicked: list[float] = []
    free: list[float] = []
    loop = QEventLoop()

    def on_chunk(_key, _done) -> None:
        if not clicked:
            clicked.append(time.perf_counter())
            runner.cancel()

    def poll() -> None:
        if clicked and free and long_pool().activeThreadCount() == 0:
            loop.quit()

    runner.chunk.connect(on_chunk)
    runner.done.connect(lambda: free.append(time.perf_counter()))
    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(10)
    runner.start_file(RunRequest(EngineChoice.OFFLINE, LOCAL_BASE, Mode.FILE, str(CLIP)))
    QTimer.singleShot(600_000, loop.quit)
    loop.exec()
    stopped = time.perf_counter()
    timer.stop()
    return free[0] - clicked[0], stopped - clicked[0]


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    load_offline_model(LOCAL_BASE)
    runs = [one_run() for _ in range(repeats)]
    for label, k in (("page free", 0), ("workers stopped", 1)):
        times = [r[k] for r in runs]
        print(f"cancel -> {label}, {repeats} runs: median {statistics.median(times):.3f} s, "
              f"max {max(times):.3f} s ({', '.join(f'{t:.2f}' for t in times)})")


if __name__ == "__main__":
    main()
