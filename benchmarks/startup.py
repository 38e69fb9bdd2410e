"""Window-up time of `qwenasr-desktop`: from process spawn to the first shown window.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/startup.py [runs]
(or under Xvfb with QT_QPA_PLATFORM=xcb). Each run starts a fresh interpreter with an empty data
folder for the first run (creates the database and the example list) and reuses it afterwards.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time


def one_run(data_dir: str) -> float:
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "qwenasr_desktop.app", "--quit-when-shown",
                             "--data-dir", data_dir], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("window shown"):
            elapsed = time.perf_counter() - t0
            break
    else:
        raise RuntimeError("the app exited without showing its window")
    proc.wait(timeout=60)
    return elapsed * 1000


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as data_dir:
        first = one_run(data_dir)
        warm = [one_run(data_dir) for _ in range(runs)]
    print(f"platform={os.environ.get('QT_QPA_PLATFORM', 'default')} load={os.getloadavg()[0]:.2f}")
    print(f"first start (new database + example list): {first:.0f} ms")
    print(f"later starts: median {statistics.median(warm):.0f} ms, max {max(warm):.0f} ms over {runs} runs")


if __name__ == "__main__":
    main()
