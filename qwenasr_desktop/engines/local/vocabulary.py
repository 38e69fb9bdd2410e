"""In-memory custom vocabularies for the local engine, with the cloud's ids and rules.

The same list object works with both engines, so ids look like the cloud's
(`vocab-<prefix>-<32 hex>`), items go through the same validation, and each list is bound to
one target model. Lists live as long as the engine object (the app persists them elsewhere).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from ...core.hotwords import Hotword, check_prefix, errors, validate_items
from ...core.models import UnknownModelError, model_info
from ..base import EngineError, VocabularyInfo

MAX_VOCABULARIES = 10  # as the cloud's per-account limit, so behaviour matches offline


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


class VocabularyStore:
    def __init__(self) -> None:
        self._items: dict[str, VocabularyInfo] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _check(items: Sequence[Hotword], target_model: str) -> list[Hotword]:
        problems = errors(validate_items(list(items), target_model))
        if problems:
            raise EngineError("The hotword list has errors: " + "; ".join(p.describe() for p in problems))
        return [Hotword(h.text.strip(), h.weight, h.lang) for h in items]

    def create(self, prefix: str, target_model: str, items: Sequence[Hotword]) -> str:
        bad = check_prefix(prefix)
        if bad:
            raise EngineError(bad[0].message)
        try:
            info = model_info(target_model)
        except UnknownModelError as e:
            raise EngineError(str(e)) from None
        if not info.is_local:
            raise EngineError(f"{target_model} is a cloud model; the offline engine keeps lists for "
                              "local models only (local-whisper-base, local-whisper-tiny.en).")
        checked = self._check(items, target_model)
        with self._lock:
            if len(self._items) >= MAX_VOCABULARIES:
                raise EngineError(f"At most {MAX_VOCABULARIES} hotword lists can exist; delete one first.")
            vid = f"vocab-{prefix}-{uuid.uuid4().hex}"
            now = _now()
            self._items[vid] = VocabularyInfo(vid, target_model, "OK", checked, now, now)
            return vid

    def get(self, vocabulary_id: str) -> VocabularyInfo:
        with self._lock:
            info = self._items.get(vocabulary_id)
        if info is None:
            raise EngineError(f"No hotword list with id {vocabulary_id} exists in the offline engine.")
        return info

    def list_all(self, prefix: str | None = None) -> list[VocabularyInfo]:
        with self._lock:
            infos = list(self._items.values())
        if prefix:
            infos = [i for i in infos if i.vocabulary_id.startswith(f"vocab-{prefix}-")]
        return [VocabularyInfo(i.vocabulary_id, i.target_model, i.status, [], i.gmt_create,
                               i.gmt_modified) for i in infos]

    def query(self, vocabulary_id: str) -> VocabularyInfo:
        i = self.get(vocabulary_id)
        return VocabularyInfo(i.vocabulary_id, i.target_model, i.status, list(i.items), i.gmt_create,
                              i.gmt_modified)

    def update(self, vocabulary_id: str, items: Sequence[Hotword]) -> None:
        info = self.get(vocabulary_id)
        checked = self._check(items, info.target_model)
        with self._lock:
            info.items = checked
            info.gmt_modified = _now()

    def delete(self, vocabulary_id: str) -> None:
        with self._lock:
            if self._items.pop(vocabulary_id, None) is None:
                raise EngineError(f"No hotword list with id {vocabulary_id} exists in the offline engine.")
