"""The bridge from cloud requests to a real `Engine` (the offline engine by default).

The emulator recognizes for real: every cloud model name maps onto the local model, and the
cloud's hotword rules are applied first (a list bound to another model, an UNDEPLOYED list, or
hotwords excluded by `language_hints` are silently dropped, exactly like the cloud), so a
recognition through the emulator shows the same biasing effects the app would get from the cloud.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from ..core.context import Context
from ..core.hotwords import effective_hotwords
from ..core.models import LOCAL_BASE, UnknownModelError, model_info
from ..engines.base import Engine, RecognitionOptions
from .store import Vocabulary

log = logging.getLogger(__name__)


def _default_engine() -> Engine:
    from ..engines.local.engine import LocalEngine  # imported late: loads model code

    return LocalEngine()


class Recognizer:
    """Owns the engine (created on first use) and the one thread every engine call runs on.

    One worker thread: the engine is CPU bound and need not be thread safe; file tasks, flash
    calls and streams simply queue.
    """

    def __init__(self, engine: Engine | Callable[[], Engine] | None = None,
                 local_model: str = LOCAL_BASE) -> None:
        self._engine = engine if isinstance(engine, Engine) else None
        self._factory = engine if callable(engine) and not isinstance(engine, Engine) else _default_engine
        self.local_model = local_model
        self.model_map: dict[str, str] = {}  # cloud model name -> local model (a folder, say)
        self._lock = threading.Lock()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="emulator-engine")

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                log.info("loading the recognition engine")
                self._engine = self._factory()
            return self._engine

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)

    def options(self, model: str, parameters: dict, vocabulary: Vocabulary | None,
                context: Context | None = None) -> RecognitionOptions:
        hints = parameters.get("language_hints") or []
        hints = [h for h in hints if isinstance(h, str)] if isinstance(hints, list) else []
        hotwords = []
        if vocabulary is not None and vocabulary.target_model == model and vocabulary.status == "OK":
            try:
                info = model_info(model)
            except UnknownModelError:
                info = None
            hotwords = effective_hotwords(vocabulary.items, hints, info)
        # Fun-ASR honours only the first hint; the local engine gets the same single hint.
        return RecognitionOptions(model=self.model_map.get(model, self.local_model), hotwords=hotwords,
                                  language_hints=hints[:1], context=context,
                                  extra={"cloud_model": model})
