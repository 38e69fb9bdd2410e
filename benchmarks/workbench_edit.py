"""Cost of the workbench's per-keystroke work on a one-hour transcript, and of opening it.

Run: .venv/bin/python benchmarks/workbench_edit.py
A synthetic transcript of 60 min (900 sentences of 15 timed words, about 9,000 words) is stored
in a fresh SQLite file. Measured: creating the document (normalising every sentence), loading it,
and one keystroke's work: re-aligning the edited sentence (core.transcript_edit.apply_text_edit)
plus its autosave (one UPDATE of one sentence row, WAL, synchronous=NORMAL).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from qwenasr_desktop.core.transcript import Sentence, Transcript, Word
from qwenasr_desktop.core.transcript_edit import apply_text_edit, sentence_display_text
from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.transcripts import TranscriptRepository

VOCAB = ("the", "quick", "brown", "fox", "jumps", "over", "a", "lazy", "dog", "while", "seven", "bold",
         "wizards", "quietly", "judge", "boxing")


def hour_transcript(sentences: int = 900, words: int = 15) -> Transcript:
    out, t = [], 0
    for i in range(sentences):
        ws = [Word(VOCAB[(i + k) % len(VOCAB)], t + k * 240, t + k * 240 + 200) for k in range(words)]
        out.append(Sentence(" ".join(w.text for w in ws), t, ws[-1].end_ms, ws, speaker=i % 2))
        t += 4000
    return Transcript(out, "en", t, "local", "bench")


def main() -> None:
    t = hour_transcript()
    with tempfile.TemporaryDirectory() as d:
        repo = TranscriptRepository(db.connect(Path(d) / "bench.sqlite3"))
        t0 = time.perf_counter()
        doc_id = repo.create(t, title="bench")
        create_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        doc = repo.load(doc_id)
        load_s = time.perf_counter() - t0
        times = []
        for k in range(200):
            i = (k * 37) % len(doc.current.sentences)
            s = doc.current.sentences[i]
            text = sentence_display_text(s) + "x" * (k % 3 + 1)
            t0 = time.perf_counter()
            new = apply_text_edit(doc.original.sentences[i], text).sentence
            repo.save_sentence(doc_id, i, new)
            times.append(time.perf_counter() - t0)
    times.sort()
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores shared with other work)")
    print(f"create 60-min document: {create_s * 1000:.0f} ms; load: {load_s * 1000:.0f} ms")
    print(f"one keystroke (align + autosave), 200 edits: median {statistics.median(times) * 1000:.2f} ms, "
          f"p95 {times[int(len(times) * 0.95)] * 1000:.2f} ms")


if __name__ == "__main__":
    main()
