"""State of the emulated account(s): vocabularies, file tasks, temporary uploads, results.

Each API key is its own account, as on the cloud: lists made with one key are invisible to
another, and the 10-list quota is per account.

Uploads live on disk (one file each in a private temporary folder), not in memory, and expire
like the cloud's temporary URLs do (the cloud keeps them 48 h; the emulator's limit is shorter and
configurable); results and upload policies expire too, so a long-running emulator does not grow.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from ..core.hotwords import Hotword

UPLOAD_TTL_S = 3600.0
UPLOAD_MAX_BYTES = 64 << 20


def now_str(ms: bool = False) -> str:
    t = time.time()
    s = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))
    return f"{s}.{int(t * 1000) % 1000:03d}" if ms else s


@dataclass
class Vocabulary:
    vocabulary_id: str
    account: str
    prefix: str
    target_model: str
    items: list[Hotword]
    gmt_create: str = field(default_factory=now_str)
    gmt_modified: str = field(default_factory=now_str)
    undeployed_left: int = 0  # queries still answering UNDEPLOYED (fault switch)

    @property
    def status(self) -> str:
        return "UNDEPLOYED" if self.undeployed_left > 0 else "OK"

    def entries(self) -> list[dict]:
        return [h.to_cloud() for h in self.items]


@dataclass
class FileTask:
    task_id: str
    account: str
    model: str
    file_urls: list[str]
    parameters: dict
    oss_resolve: bool
    status: str = "PENDING"
    submit_time: str = field(default_factory=lambda: now_str(True))
    scheduled_time: str = ""
    end_time: str = ""
    results: list[dict] = field(default_factory=list)
    code: str = ""
    message: str = ""
    duration_s: int = 0
    expires: float = 0.0  # set when the task ends; forgotten after (an unknown task reads UNKNOWN)


@dataclass
class Upload:
    key: str
    account: str
    model: str
    path: str
    size: int
    content_type: str
    expires: float

    def read(self) -> bytes:
        with open(self.path, "rb") as f:
            return f.read()


class UploadTooLarge(Exception):
    pass


class Store:
    def __init__(self, upload_ttl_s: float = UPLOAD_TTL_S, upload_max_bytes: int = UPLOAD_MAX_BYTES,
                 clock: Callable[[], float] = time.time) -> None:
        self.vocabularies: dict[str, Vocabulary] = {}
        self.tasks: dict[str, FileTask] = {}
        self.uploads: dict[str, Upload] = {}
        self.results: dict[str, tuple[bytes, float]] = {}  # result token -> (JSON bytes, expiry)
        self.policies: dict[str, tuple[str, str, float]] = {}  # signature -> (account, model, expiry)
        self.upload_ttl_s, self.upload_max_bytes, self.clock = upload_ttl_s, upload_max_bytes, clock
        self._dir: str | None = None
        self._lock = threading.Lock()

    # --- uploads on disk -------------------------------------------------------------------
    def save_upload(self, key: str, account: str, model: str, src: BinaryIO, content_type: str) -> Upload:
        """Copy `src` into the upload folder in chunks; UploadTooLarge past upload_max_bytes."""
        self.sweep()
        with self._lock:
            if self._dir is None:
                self._dir = tempfile.mkdtemp(prefix="qwenasr-emulator-uploads-")
        fd, path = tempfile.mkstemp(dir=self._dir)
        size = 0
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := src.read(1 << 16):
                    size += len(chunk)
                    if size > self.upload_max_bytes:
                        raise UploadTooLarge
                    out.write(chunk)
        except BaseException:
            os.unlink(path)
            raise
        old = self.uploads.get(key)
        up = Upload(key, account, model, path, size, content_type, self.clock() + self.upload_ttl_s)
        self.uploads[key] = up
        if old is not None:
            _unlink(old.path)
        return up

    def find_upload(self, key: str) -> Upload | None:
        self.sweep()
        return self.uploads.get(key)

    def add_result(self, token: str, data: bytes) -> float:
        expires = self.clock() + self.upload_ttl_s
        self.results[token] = (data, expires)
        return expires

    def find_result(self, token: str) -> bytes | None:
        self.sweep()
        entry = self.results.get(token)
        return entry[0] if entry else None

    def ended(self, task: FileTask) -> None:
        task.expires = self.clock() + self.upload_ttl_s

    def find_task(self, task_id: str) -> FileTask | None:
        self.sweep()
        return self.tasks.get(task_id)

    def sweep(self) -> None:
        """Forget expired uploads (deleting their files), results, ended tasks and policies."""
        now = self.clock()
        for tid, task in list(self.tasks.items()):
            if task.expires and task.expires <= now:
                self.tasks.pop(tid, None)
        for key, up in list(self.uploads.items()):
            if up.expires <= now:
                self.uploads.pop(key, None)
                _unlink(up.path)
        for token, (_, expires) in list(self.results.items()):
            if expires <= now:
                self.results.pop(token, None)
        for sig, (_, _, expires) in list(self.policies.items()):
            if expires <= now:
                self.policies.pop(sig, None)

    def close(self) -> None:
        """Delete the upload folder (the server is stopping)."""
        self.uploads.clear()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def account_vocabularies(self, account: str) -> list[Vocabulary]:
        return [v for v in self.vocabularies.values() if v.account == account]

    def find_vocabulary(self, account: str, vocabulary_id: object) -> Vocabulary | None:
        v = self.vocabularies.get(vocabulary_id) if isinstance(vocabulary_id, str) else None
        return v if v is not None and v.account == account else None

    @staticmethod
    def new_vocabulary_id(prefix: str) -> str:
        return f"vocab-{prefix}-{uuid.uuid4().hex}"

    @staticmethod
    def new_task_id() -> str:
        return str(uuid.uuid4())

    @staticmethod
    def token() -> str:
        return secrets.token_hex(16)


def _unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
