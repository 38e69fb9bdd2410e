"""The one interface every engine implements; the UI and CLI speak only this.

Audio crosses this boundary as 16 kHz mono float32 NumPy arrays (or a file path); results come
back as `core.transcript` types. Engines never touch Qt: progress and streaming events are
plain callbacks, which the UI turns into signals.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

import numpy as np

from ..core.context import Context
from ..core.hotwords import Hotword
from ..core.transcript import Checkpoint, Sentence, Transcript

SAMPLE_RATE = 16000
__all__ = ["Checkpoint"]  # re-exported: engines' callers resume with it


class EngineError(Exception):
    """A failure with a message fit to show the user as it is."""


class ModelMissingError(EngineError):
    pass


class EngineCancelledError(EngineError):
    """The user cancelled (CancelToken). Not called CancelledError: asyncio.CancelledError is another
    class (the emulator runs on asyncio), and two classes of one name hide which an `except` means."""

    def __init__(self, message: str = "Cancelled.") -> None:
        super().__init__(message)


@dataclass(frozen=True)
class EngineCapabilities:
    """What an engine can do, declared once on its class so callers ask instead of testing names.

    Code that branches on `engine.name` or probes attributes breaks silently when an engine is
    added or changes; these fields are the questions that code was asking. Per-model abilities
    (modes, context, languages) stay in core/models.py.
    """

    streaming: bool  # start_stream works (live recognition)
    context: bool  # some of its models take `options.context`
    inline_hotwords: bool  # uses `options.hotwords` as given; False: only through a vocabulary_id
    cloud_vocabularies: bool  # vocabularies live on a server (create/update/delete are remote calls)
    file_upload: bool  # `upload` turns a local file into a URL its file-transcription models read
    # 0.0: free. None: billed by audio duration at a price this app does not know (it depends on
    # the model, region and account: see the provider's price list).
    cost_per_audio_minute: float | None = 0.0
    resumable: bool = False  # recognize(resume=...) skips the audio a checkpoint already covers

    @property
    def billed(self) -> bool:
        """Each recognition costs money, so the user confirms a run that makes many."""
        return self.cost_per_audio_minute != 0.0


@dataclass
class RecognitionOptions:
    model: str
    hotwords: list[Hotword] = field(default_factory=list)  # inline list (local engine, or synced)
    vocabulary_id: str | None = None  # a cloud vocabulary (DashScope)
    language_hints: list[str] = field(default_factory=list)
    context: Context | None = None
    sample_rate: int = SAMPLE_RATE
    extra: dict[str, Any] = field(default_factory=dict)  # engine-specific parameters
    chinese_script: str = "simplified"  # Mandarin output: "simplified", "traditional", "as-decoded"


@dataclass
class StreamEvent:
    """A partial (is_final False) or final sentence from a streaming session."""

    sentence: Sentence

    @property
    def is_final(self) -> bool:
        return self.sentence.is_final


class CancelToken:
    """Set from any thread; long work checks it between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise EngineCancelledError()


ProgressCallback = Callable[[float], None]  # fraction done, 0..1
AudioInput = np.ndarray | Path | str


@dataclass
class ChunkDone:
    """One finished chunk of a file recognition, reported as it completes (on the worker thread)."""

    new_sentences: list[Sentence]  # this chunk's final sentences (empty for silence)
    checkpoint: Checkpoint  # the state after this chunk: store it to resume here


ChunkCallback = Callable[[ChunkDone], None]


@dataclass
class VocabularyInfo:
    vocabulary_id: str
    target_model: str = ""
    status: str = "OK"
    items: list[Hotword] = field(default_factory=list)
    gmt_create: str = ""
    gmt_modified: str = ""


class VocabularyStore(Protocol):
    """Where an engine's hotword vocabularies live (memory, or the cloud's vocabulary API)."""

    def create(self, prefix: str, target_model: str, items: Sequence[Hotword]) -> str: ...

    def list_all(self, prefix: str | None = None) -> list[VocabularyInfo]: ...

    def query(self, vocabulary_id: str) -> VocabularyInfo: ...

    def update(self, vocabulary_id: str, items: Sequence[Hotword]) -> None: ...

    def delete(self, vocabulary_id: str) -> None: ...


class StreamingSession(ABC):
    """Send audio as it arrives; events come back through the callback given at start."""

    @abstractmethod
    def send_audio(self, samples: np.ndarray) -> None:
        """Queue 16 kHz mono float32 samples. Must return quickly: called from the capture path."""

    @abstractmethod
    def finish(self, timeout: float | None = None) -> Transcript:
        """Flush, wait for the last finals, and return the whole transcript."""

    @abstractmethod
    def close(self) -> None:
        """Abort without waiting."""


class Engine(ABC):
    name: str = "engine"
    # Every concrete engine declares its own (no default: a guess would bill or skip silently).
    capabilities: ClassVar[EngineCapabilities]

    @abstractmethod
    def recognize(self, audio: AudioInput, options: RecognitionOptions,
                  progress: ProgressCallback | None = None,
                  cancel: CancelToken | None = None, *,
                  on_chunk: ChunkCallback | None = None,
                  resume: Checkpoint | None = None) -> Transcript:
        """Recognize a whole file or buffer (file transcription, or flash with context).

        `on_chunk` receives each finished chunk as it completes (engines that get the result in
        one piece report it once, at the end); `resume` continues a run from its last stored
        checkpoint (engines without `capabilities.resumable` start over)."""

    @abstractmethod
    def start_stream(self, options: RecognitionOptions,
                     on_event: Callable[[StreamEvent], None]) -> StreamingSession:
        """Open a real-time session."""

    # Vocabulary operations go to the engine's store: the local engine keeps lists in memory,
    # DashScope calls the cloud. Engines set `self.vocabularies`.
    vocabularies: VocabularyStore

    def create_vocabulary(self, prefix: str, target_model: str, items: Sequence[Hotword]) -> str:
        return self.vocabularies.create(prefix, target_model, items)

    def list_vocabularies(self, prefix: str | None = None) -> list[VocabularyInfo]:
        return self.vocabularies.list_all(prefix)

    def query_vocabulary(self, vocabulary_id: str) -> VocabularyInfo:
        return self.vocabularies.query(vocabulary_id)

    def update_vocabulary(self, vocabulary_id: str, items: Sequence[Hotword]) -> None:
        self.vocabularies.update(vocabulary_id, items)

    def delete_vocabulary(self, vocabulary_id: str) -> None:
        self.vocabularies.delete(vocabulary_id)

    def upload(self, path: str | Path, model: str) -> str:
        """A URL the engine's file-transcription `model` reads `path` from (capabilities.file_upload)."""
        raise EngineError(f"The {self.name} engine does not upload files.")

    def close(self) -> None:
        """Release connections; engines that hold none need not override it."""
        return None
