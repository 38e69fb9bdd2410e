"""How long Cancel takes to stop a file run in the app (offline engine, both sides): from the click,
made right after a side's first chunk arrived (the engine is then inside the next chunk), to the
runner's `done`. The page ignores the cancelled run at once; this is how long the CPU stays busy.

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
from qwenasr_desktop.ui.recognition.engine_choice import load_offline_model  # noqa: E402
from qwenasr_desktop.ui.recognition.engine_labels import EngineChoice  # noqa: E402
from qwenasr_desktop.ui.recognition.runner import ComparisonRunner, RunRequest  # noqa: E402

CLIP = Path(__file__).resolve().parents[1] / "tests" / "data" / "audio" / "dv_en_osr_us_000_0034_8k.wav"


def one_run() -> float:
    runner = ComparisonRunner()
    clicked: list[float] = []
    stopped: list[float] = []
    loop = QEventLoop()

    def on_chunk(_key, _done) -> None:
        if not clicked:
            clicked.append(time.perf_counter())
            runner.cancel()

    runner.chunk.connect(on_chunk)
    runner.done.connect(lambda: (stopped.append(time.perf_counter()), loop.quit()))
    runner.start_file(RunRequest(EngineChoice.OFFLINE, LOCAL_BASE, Mode.FILE, str(CLIP)))
    QTimer.singleShot(600_000, loop.quit)
    loop.exec()
    return stopped[0] - clicked[0]


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    load_offline_model(LOCAL_BASE)
    times = [one_run() for _ in range(repeats)]
    print(f"cancel -> stopped, {repeats} runs: median {statistics.median(times):.2f} s, "
          f"max {max(times):.2f} s ({', '.join(f'{t:.2f}' for t in times)})")


if __name__ == "__main__":
    main()
