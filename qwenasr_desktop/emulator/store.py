"""In-memory state of the emulated account(s): vocabularies, file tasks, temporary uploads.

Each API key is its own account, as on the cloud: lists made with one key are invisible to
another, and the 10-list quota is per account.
"""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass, field

from ..core.hotwords import Hotword


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


@dataclass
class Upload:
    key: str
    account: str
    model: str
    data: bytes
    content_type: str


class Store:
    def __init__(self) -> None:
        self.vocabularies: dict[str, Vocabulary] = {}
        self.tasks: dict[str, FileTask] = {}
        self.uploads: dict[str, Upload] = {}
        self.results: dict[str, bytes] = {}  # result path token -> JSON bytes
        self.policies: dict[str, tuple[str, str, float]] = {}  # signature -> (account, model, expiry)

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
