"""Progress of `qwenasr transcribe` on stderr: a count of files and a bar for the file at work.

Bars only when stderr is a terminal: a pipe or a log file would fill with carriage returns and
escape codes, so there the command says nothing until its summary line. tqdm draws the bars
(it redraws in place, fits the terminal width and prints finished-file lines above the bars).
Only the main thread calls this: engine callbacks arrive on the worker thread and are passed
over a queue (see cli_transcribe), so no bar is drawn from two threads at once.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

BAR_STEPS = 1000  # a file's bar counts thousandths: smooth for an hour of audio


class BatchProgress:
    def __init__(self, total_files: int, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = bool(isatty and isatty()) if enabled is None else enabled
        self._files = None
        self._file = None
        self._index: int | None = None
        if self.enabled and total_files > 1:
            from tqdm import tqdm

            self._files = tqdm(total=total_files, desc="files", unit="file", position=0,
                               file=self.stream, dynamic_ncols=True, leave=False)

    def show(self, index: int, name: str, fraction: float, detail: str = "") -> None:
        """File `index` (called `name`) is `fraction` done; `detail` is the audio position or the
        cloud task's stage. A new index starts a new bar."""
        if not self.enabled:
            return
        if self._index != index:
            self._close_file()
            from tqdm import tqdm

            self._index = index
            self._file = tqdm(total=BAR_STEPS, desc=_short(Path(name).name), position=1 if self._files else 0,
                              file=self.stream, dynamic_ncols=True, leave=False,
                              bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}{postfix}")
        assert self._file is not None
        step = round(max(0.0, min(1.0, fraction)) * BAR_STEPS)
        if step > self._file.n:
            self._file.update(step - self._file.n)
        if detail:
            self._file.set_postfix_str(detail, refresh=True)

    def file_done(self, line: str | None) -> None:
        """One file finished (written or failed): its line above the bars, the count goes up."""
        if not self.enabled:
            return
        self._close_file()
        if line is not None:
            from tqdm import tqdm

            tqdm.write(line, file=self.stream)
        if self._files is not None:
            self._files.update(1)

    def close(self) -> None:
        self._close_file()
        if self._files is not None:
            self._files.close()
            self._files = None

    def _close_file(self) -> None:
        if self._file is not None:
            self._file.close()
        self._file, self._index = None, None


def _short(name: str, limit: int = 40) -> str:
    return name if len(name) <= limit else "…" + name[-(limit - 1):]
