"""The custom-vocabulary (hotword list) API, with the documented limits checked before sending.

Checks done here first, so the user gets a precise message instead of an opaque 400: text rules,
weights, languages (core.hotwords.validate_items), the prefix, 500 entries per list and 10 lists
per account. When the cloud still disagrees, its own code and message are shown.
"""

from __future__ import annotations

import builtins
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ...core.hotwords import (
    MAX_LISTS_PER_ACCOUNT,
    Hotword,
    HotwordList,
    check_model_match,
    check_prefix,
    errors,
    validate_items,
)
from ..base import VocabularyInfo
from .auth import get_logger
from .errors import DashScopeError, ValidationError
from .http import HttpClient

log = get_logger(__name__)

PATH = "services/audio/asr/customization"
MODEL = "speech-biasing"


@dataclass
class VocabularyBinding:
    """Which cloud vocabulary a local list was synced to, and for which model.

    Stored by the caller (the app's database) next to the local list; holds no secret.
    """

    list_name: str
    vocabulary_id: str
    target_model: str


def _items_from_cloud(entries: object) -> list[Hotword]:
    out = []
    for e in entries if isinstance(entries, list) else []:
        if isinstance(e, dict) and "text" in e:
            out.append(Hotword(str(e["text"]), int(e.get("weight", 4)), e.get("lang")))
    return out


def _info(vid: str, d: dict) -> VocabularyInfo:
    return VocabularyInfo(vocabulary_id=vid, target_model=str(d.get("target_model", "")),
                          status=str(d.get("status", "")), items=_items_from_cloud(d.get("vocabulary")),
                          gmt_create=str(d.get("gmt_create", "")),
                          gmt_modified=str(d.get("gmt_modified", "")))


def _refuse_invalid(items: Sequence[Hotword], target_model: str) -> None:
    problems = errors(validate_items(list(items), target_model))
    if problems:
        lines = "\n".join(p.describe() for p in problems[:10])
        more = f"\n… and {len(problems) - 10} more" if len(problems) > 10 else ""
        raise ValidationError(f"The hotword list has {len(problems)} problem(s); fix them before "
                              f"uploading:\n{lines}{more}", problems)


class VocabularyClient:
    def __init__(self, http: HttpClient, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.http = http
        self._sleep = sleep
        self._clock = clock

    def _call(self, inp: dict, *, idempotent: bool, context: str) -> dict:
        body = {"model": MODEL, "input": inp, "parameters": {}}
        return self.http.call("POST", PATH, json=body, idempotent=idempotent, context=context).output

    def create(self, prefix: str, target_model: str, items: Sequence[Hotword],
               check_quota: bool = True) -> str:
        problems = check_prefix(prefix)
        if problems:
            raise ValidationError(problems[0].message, problems)
        _refuse_invalid(items, target_model)
        if check_quota:
            existing = self.list_all()
            if len(existing) >= MAX_LISTS_PER_ACCOUNT:
                raise ValidationError(
                    f"The account already has {len(existing)} hotword lists, the most the cloud "
                    f"allows ({MAX_LISTS_PER_ACCOUNT}). Delete one you no longer use first.")
        out = self._call({"action": "create_vocabulary", "target_model": target_model, "prefix": prefix,
                          "vocabulary": [h.to_cloud() for h in items]},
                         idempotent=False, context="Creating the hotword list")
        vid = out.get("vocabulary_id")
        if not isinstance(vid, str) or not vid:
            raise DashScopeError("Creating the hotword list: the cloud answered without a vocabulary_id.")
        log.info("created vocabulary %s for %s (%d entries)", vid, target_model, len(items))
        return vid

    def list(self, prefix: str | None = None, page_index: int = 0, page_size: int = 10
             ) -> list[VocabularyInfo]:
        inp: dict = {"action": "list_vocabulary", "page_index": page_index, "page_size": page_size}
        if prefix:
            inp["prefix"] = prefix
        out = self._call(inp, idempotent=True, context="Listing hotword lists")
        rows = out.get("vocabulary_list", out.get("vocabularies", []))
        return [_info(str(r.get("vocabulary_id", "")), r) for r in rows if isinstance(r, dict)]

    # builtins.list: inside this class `list` is the method above.
    def list_all(self, prefix: str | None = None, page_size: int = 10) -> builtins.list[VocabularyInfo]:
        """Every page (the cloud pages by 10 by default)."""
        out: builtins.list[VocabularyInfo] = []
        for page in range(1000):
            rows = self.list(prefix, page, page_size)
            out += rows
            if len(rows) < page_size:
                break
        return out

    def query(self, vocabulary_id: str) -> VocabularyInfo:
        out = self._call({"action": "query_vocabulary", "vocabulary_id": vocabulary_id},
                         idempotent=True, context=f"Reading hotword list {vocabulary_id}")
        return _info(vocabulary_id, out)

    def update(self, vocabulary_id: str, items: Sequence[Hotword], target_model: str | None = None) -> None:
        """Full replacement (the cloud does not merge). Idempotent, so retried on 5xx."""
        if target_model is None:
            target_model = self.query(vocabulary_id).target_model
        _refuse_invalid(items, target_model)
        self._call({"action": "update_vocabulary", "vocabulary_id": vocabulary_id,
                    "vocabulary": [h.to_cloud() for h in items]},
                   idempotent=True, context=f"Updating hotword list {vocabulary_id}")

    def delete(self, vocabulary_id: str) -> None:
        self._call({"action": "delete_vocabulary", "vocabulary_id": vocabulary_id},
                   idempotent=False, context=f"Deleting hotword list {vocabulary_id}")

    def wait_ok(self, vocabulary_id: str, timeout: float = 30.0, interval: float = 0.5) -> VocabularyInfo:
        """Poll until status is OK: a list is not used by recognition before that."""
        deadline = self._clock() + timeout
        while True:
            info = self.query(vocabulary_id)
            if info.status == "OK":
                return info
            if self._clock() >= deadline:
                raise DashScopeError(f"Hotword list {vocabulary_id} is still {info.status} after "
                                     f"{timeout:g} s; it cannot be used yet. Try again later.",
                                     code="VocabularyNotReady")
            self._sleep(interval)

    # --- sync ------------------------------------------------------------------------------
    def push(self, hotword_list: HotwordList, binding: VocabularyBinding | None = None,
             wait: bool = True, timeout: float = 30.0) -> VocabularyBinding:
        """Upload a local list: update its vocabulary if bound to the same model, else create one.

        A binding for another target model is not reused (the cloud cannot rebind a list); a new
        vocabulary is created and the old one deleted, so the 10-list quota is not eaten up.
        """
        model = hotword_list.target_model
        if binding is not None and binding.target_model == model:
            self.update(binding.vocabulary_id, hotword_list.items, model)
            vid = binding.vocabulary_id
        else:
            vid = self.create(hotword_list.prefix or "qwenasr", model, hotword_list.items)
            if binding is not None:
                try:
                    self.delete(binding.vocabulary_id)
                except DashScopeError as e:
                    log.warning("could not delete the old vocabulary %s: %s", binding.vocabulary_id, e)
        if wait:
            self.wait_ok(vid, timeout)
        return VocabularyBinding(hotword_list.name, vid, model)

    def pull(self, vocabulary_id: str, name: str | None = None) -> tuple[HotwordList, VocabularyBinding]:
        info = self.query(vocabulary_id)
        prefix = vocabulary_id.split("-")[1] if vocabulary_id.count("-") >= 2 else ""
        name = name or vocabulary_id
        return (HotwordList(name, info.target_model, info.items, prefix),
                VocabularyBinding(name, vocabulary_id, info.target_model))

    def check_use(self, vocabulary_id: str, model: str) -> VocabularyInfo:
        """Refuse a list whose target model differs from the model about to be used.

        The cloud would accept the request and silently ignore every hotword.
        """
        info = self.query(vocabulary_id)
        problem = check_model_match(info.target_model, model)
        if problem is not None:
            raise ValidationError(problem.message, [problem])
        if info.status != "OK":
            raise DashScopeError(f"Hotword list {vocabulary_id} is {info.status}; the cloud ignores it "
                                 "until it is OK.", code="VocabularyNotReady")
        return info
