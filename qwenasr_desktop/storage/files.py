"""A user's files: read within a size cap, and written so that a failure can never cost them
the file that was there.

Every export and CLI output goes through here: the new content is written to a temporary file
in the same folder (same file system, so the rename is atomic), flushed to disk, and renamed over
the target only when complete. A crash, a full disk or text that cannot be encoded leaves the
old file as it was. Pure stdlib, so the CLI, the UI and the engines can all use it.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path


def read_head(path: str | Path, limit: int) -> bytes:
    """At most `limit` bytes of a file: readers that cap their input (a 5 MB hotword list) need
    no more to say "too big", and a huge file or a device such as /dev/zero costs no memory."""
    with open(path, "rb") as f:
        return f.read(limit)


def check_writable(path: str | Path) -> Path:
    """The target, resolved through symlinks; OSError with a user-fit strerror when it cannot be a file.

    Called before long work (a tuning run) as well as by the writers, so a typo in the output path
    is reported up front instead of after minutes of recognition.
    """
    target = Path(os.path.realpath(path))
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "it is a folder, not a file", str(path))
    if not target.parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, f"the folder {target.parent} does not exist", str(path))
    return target


def _open_temp(target: Path) -> tuple[int, Path]:
    """A new, hidden file next to `target`, created with the umask's default permissions."""
    for _ in range(100):
        tmp = target.with_name(f".{target.name[:80]}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(target.parent))


@contextmanager
def replacing(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write to (for writers that want a path, such as python-docx);
    it replaces `path` when the block ends without an exception, and is removed otherwise."""
    target = check_writable(path)
    fd, tmp = _open_temp(target)
    os.close(fd)
    try:
        yield tmp
        _finish(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _finish(tmp: Path, target: Path) -> None:
    """Keep an existing file's permissions, make the data durable, then rename into place."""
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    with suppress(FileNotFoundError):
        os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
    os.replace(tmp, target)


def write_atomic(path: str | Path, data: str | bytes, encoding: str = "utf-8") -> Path:
    """Write `data` to `path` all or nothing; text is encoded first, so an encoding error
    (UnicodeEncodeError) is raised before any file is touched."""
    raw = data.encode(encoding) if isinstance(data, str) else bytes(data)
    target = check_writable(path)
    fd, tmp = _open_temp(target)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        _finish(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
