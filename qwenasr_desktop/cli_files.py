"""The command line's file handling: reading hotword lists, writing outputs, printing safely.

Shared by the `qwenasr` commands so that each failure reads the same way and exits with the
documented code (2 for a file that cannot be read or written), never with a traceback.
"""

from __future__ import annotations

import sys

from .core import hotword_io
from .storage.files import check_writable, read_head, write_atomic


def tolerant_streams() -> None:
    """Text from a user's file is echoed in messages; a character the terminal cannot encode
    (or half a surrogate pair from a JSON escape) is shown escaped instead of ending the run."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def read_stdin_text() -> str:
    """Standard input as text whatever the locale says: bytes that are not UTF-8 become U+FFFD
    instead of a UnicodeDecodeError (a strict locale) or half characters (surrogateescape)."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:
        return sys.stdin.read()
    return buffer.read().decode("utf-8-sig", errors="replace")


def output_ok(path: str | None) -> bool:
    """False (with the reason printed) when `path` cannot be an output file; checked before the
    work so that a typo in the path costs nothing."""
    if path is None:
        return True
    try:
        check_writable(path)
    except OSError as e:
        print(f"error: cannot write {path}: {e.strerror or e}", file=sys.stderr)
        return False
    return True


def write_output(path: str, text: str) -> bool:
    """Write all or nothing (an existing file stays as it was on failure); False with the reason
    printed when that failed."""
    try:
        write_atomic(path, text)
    except OSError as e:
        print(f"error: cannot write {path}: {e.strerror or e}", file=sys.stderr)
        return False
    except UnicodeEncodeError as e:
        print(f"error: cannot write {path}: the text is not valid Unicode ({e.reason})", file=sys.stderr)
        return False
    return True


def read_list(path: str, model: str) -> hotword_io.ImportReport | None:
    """The import report of a hotword file; None (with the reason printed) when it cannot be opened.

    Only one byte more than an import may hold is read, so a huge file costs no memory."""
    try:
        data = read_head(path, hotword_io.MAX_IMPORT_BYTES + 1)
    except OSError as e:
        print(f"error: cannot read {path}: {e.strerror or e}", file=sys.stderr)
        return None
    return hotword_io.parse_hotwords(data, filename=path, target_model=model)


def load_hotwords(path: str) -> list | None:
    """A hotword file's valid rows, with its issues printed; None when it cannot be read at all."""
    report = read_list(path, "fun-asr")
    if report is None:
        return None
    for issue in report.issues:
        print(f"{'error' if issue.fatal else 'note'}: {issue.describe()}", file=sys.stderr)
    return None if report.unreadable else report.items
