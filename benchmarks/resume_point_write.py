"""What storing a resume point costs on the GUI thread: one upsert of the whole Checkpoint after every
chunk, for a one-hour file (about 900 sentences of 12 words with word times) at its end, where it
is largest. Real SQLite file (WAL, synchronous NORMAL, as the app opens it).

    .venv/bin/python -m benchmarks.resume_point_write
"""
import json
import statistics
import tempfile
import time
from pathlib import Path

from qwenasr_desktop.core.transcript import Checkpoint, Sentence, Word
from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.sessions import ResumePointRepository

HOUR_MS = 3_600_000
SENTENCES = 900


def hour_checkpoint(n: int) -> Checkpoint:
    step = HOUR_MS // SENTENCES
    sentences = [Sentence("The quick brown fox jumps over the lazy dog again and again today.", k * step,
                          k * step + step - 200,
                          [Word(f"word{j}", k * step + j * 300, k * step + j * 300 + 250, " ", 0.93)
                           for j in range(12)], sentence_id=k) for k in range(n)]
    return Checkpoint(n * step, HOUR_MS, sentences, carry="x" * 600, language="en")


def main() -> None:
    """A whole hour, chunk by chunk (3 sentences per chunk, as 20-s chunks give), timing each write."""
    full = hour_checkpoint(SENTENCES)
    size = len(json.dumps(full.to_dict(), ensure_ascii=False).encode())
    with tempfile.TemporaryDirectory() as tmp:
        points = ResumePointRepository(db.connect(Path(tmp) / "q.sqlite3"))
        times = []
        for n in range(3, SENTENCES + 1, 3):
            cp = Checkpoint(full.sentences[n - 1].end_ms, HOUR_MS, full.sentences[:n], full.carry,
                            language="en")
            t = time.perf_counter()
            points.save("key", cp, audio_path="/tmp/hour.wav")
            times.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        loaded = points.load("key")
        load_ms = (time.perf_counter() - t) * 1000
    assert loaded is not None and len(loaded.sentences) == SENTENCES
    last = times[-50:]
    print(f"{len(times)} chunk writes of one hour ({SENTENCES} sentences, {size / 1024:.0f} KiB as JSON): "
          f"median {statistics.median(times):.2f} ms, last 50 median {statistics.median(last):.2f} ms, "
          f"max {max(times):.1f} ms; loading the hour's checkpoint {load_ms:.0f} ms")


if __name__ == "__main__":
    main()
