"""Runs a weight-tuning plan (core/tuning_plan.py) over any Engine, with a cache, progress and cancel.

Engine outputs are cached by (audio content, effective options): a run whose options end up the
same as an earlier one (the confirmation run of a uniform recommendation, a hotword the language
hints switch off, a restart after cancelling) costs nothing. The cost is known before starting
(`estimate`), because on DashScope every recognition is billed by audio duration.

On engines that take hotwords only through a cloud vocabulary (DashScope) a temporary vocabulary
is created once, updated with each run's weights and deleted at the end. On engines that upload
local files for file transcription, each clip is uploaded once and its URL reused.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Generic, TypeVar

from ..core import tuning_plan as plan
from ..core.hotwords import Hotword, effective_hotwords
from ..core.models import Mode, UnknownModelError, model_info
from ..core.transcript import Transcript
from .base import CancelToken, Engine, EngineError, RecognitionOptions

TEMP_VOCABULARY_PREFIX = "tune"


@dataclass
class TuningClip:
    """One audio file with the transcript it should produce (the user's corrected text)."""

    audio: Path
    reference: str
    lang: str | None = None
    key: str = ""  # unique name in reports; the file name by default

    def __post_init__(self) -> None:
        self.audio = Path(self.audio)
        self.key = self.key or self.audio.name


@dataclass(frozen=True)
class TuningCost:
    """What the user is told before a run starts."""

    min_recognitions: int
    max_recognitions: int
    min_audio_seconds: float
    max_audio_seconds: float
    cached: int = 0  # sweep runs already in the cache (not counted above)

    def describe(self) -> str:
        def minutes(s: float) -> str:
            return f"{s / 60:.1f}"

        runs = (f"{self.min_recognitions}" if self.min_recognitions == self.max_recognitions
                else f"{self.min_recognitions} to {self.max_recognitions}")
        audio = (minutes(self.min_audio_seconds) if self.min_recognitions == self.max_recognitions
                 else f"{minutes(self.min_audio_seconds)} to {minutes(self.max_audio_seconds)}")
        note = f" ({self.cached} already cached)" if self.cached else ""
        return f"{runs} recognitions, {audio} audio minutes{note}"


@dataclass
class TuningProgress:
    done: int  # runs finished (recognized or cached)
    total: int  # runs planned so far (grows if hotwords are swept one at a time)
    recognitions: int  # engine calls made
    message: str

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0


ProgressFn = Callable[[TuningProgress], None]


def audio_fingerprint(path: Path) -> str:
    h = hashlib.sha256()
    with Path(path).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def audio_seconds(path: Path) -> float:
    import soundfile

    try:
        info = soundfile.info(str(path))
    except (RuntimeError, OSError) as e:  # soundfile raises RuntimeError for unreadable files
        raise EngineError(f"Cannot read the audio file {Path(path).name}: {e}") from None
    return float(info.frames) / float(info.samplerate or 1)


T = TypeVar("T")


class FileMemo(Generic[T]):
    """A value computed from a file's bytes, remembered by (path, size, modification time).

    Hashing a long recording takes a noticeable while and the tuning dialog estimates the cost
    again at every change (engine, clip, checkbox), each time with a new TuningRunner: without
    this, every refresh read every clip again. A file that changes on disk gets a new key, so a
    stale fingerprint is never served. Thread-safe: estimates run on pool threads.
    """

    def __init__(self, compute: Callable[[Path], T]) -> None:
        self._compute = compute
        self._values: dict[tuple[str, int, int], T] = {}
        self._lock = threading.Lock()
        self.computed = 0  # how often the file was actually read (the rest came from memory)

    def get(self, path: Path) -> T:
        """Raises OSError when the file cannot be found or read (the caller words the message)."""
        st = Path(path).stat()
        key = (str(Path(path).resolve()), st.st_size, st.st_mtime_ns)
        with self._lock:
            if key in self._values:
                return self._values[key]
        value = self._compute(Path(path))
        with self._lock:
            self._values[key] = value
            self.computed += 1
        return value


FINGERPRINTS: FileMemo[str] = FileMemo(audio_fingerprint)
DURATIONS: FileMemo[float] = FileMemo(audio_seconds)


def options_key(engine: Engine, options: RecognitionOptions) -> str:
    """Everything that can change the engine's output, with the hotwords as the engine will use
    them (effective_hotwords drops those the language hints switch off)."""
    try:
        info = model_info(options.model)
    except UnknownModelError:
        info = None
    hotwords = effective_hotwords(options.hotwords, options.language_hints, info)
    data = {
        "engine": engine.name, "model": options.model,
        "hotwords": [[h.text.strip(), h.weight, h.lang] for h in hotwords],
        "vocabulary_id": options.vocabulary_id,
        "hints": list(options.language_hints),
        "context": options.context.to_cloud() if options.context else None,
        "rate": options.sample_rate, "extra": options.extra,
    }
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)


class TranscriptCache:
    """Engine outputs by (audio fingerprint, options key); shared across tuning runs."""

    def __init__(self) -> None:
        self._data: dict[tuple[str, str], Transcript] = {}

    def get(self, key: tuple[str, str]) -> Transcript | None:
        return self._data.get(key)

    def put(self, key: tuple[str, str], transcript: Transcript) -> None:
        self._data[key] = transcript

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: tuple[str, str]) -> bool:
        return key in self._data


@dataclass
class _State:
    results: list[tuple[plan.Run, plan.RunAnalysis]] = field(default_factory=list)
    done: int = 0
    total: int = 0
    recognitions: int = 0
    cache_hits: int = 0
    audio_seconds: float = 0.0


class TuningRunner:
    """One tuning job: a list, some clips with references, an engine and base options."""

    def __init__(self, engine: Engine, clips: Sequence[TuningClip], items: Sequence[Hotword],
                 options: RecognitionOptions, *, weights: Sequence[int] = plan.WEIGHTS,
                 max_refine: int = plan.DEFAULT_MAX_REFINE, cache: TranscriptCache | None = None) -> None:
        if not clips:
            raise EngineError("Tuning needs at least one audio clip with a reference transcript.")
        if not plan.unique_texts(items):
            raise EngineError("The hotword list is empty: there is nothing to tune.")
        keys = [c.key for c in clips]
        if len(set(keys)) != len(keys):
            raise EngineError("Two clips have the same name; give each clip a unique key.")
        for c in clips:
            if not c.reference.strip():
                raise EngineError(f"The reference transcript of {c.key} is empty.")
        self.engine = engine
        self.clips = {c.key: c for c in clips}
        self.items = [Hotword(h.text, h.weight, h.lang) for h in items if plan.key_of(h.text)]
        self.texts = plan.unique_texts(self.items)
        self.options = options
        self.weights = tuple(weights)
        self.max_refine = max_refine
        self.cache = cache if cache is not None else TranscriptCache()
        self._durations: dict[str, float] = {}
        self._fingerprints: dict[str, str] = {}
        self._uploaded: dict[str, str] = {}
        self._vocabulary_id: str | None = None

    # --- cost ----------------------------------------------------------------------------------
    def duration(self, clip: TuningClip) -> float:
        if clip.key not in self._durations:
            self._durations[clip.key] = self._read(DURATIONS, clip)
        return self._durations[clip.key]

    def fingerprint(self, clip: TuningClip) -> str:
        if clip.key not in self._fingerprints:
            self._fingerprints[clip.key] = self._read(FINGERPRINTS, clip)
        return self._fingerprints[clip.key]

    @staticmethod
    def _read(memo: FileMemo[T], clip: TuningClip) -> T:
        try:
            return memo.get(clip.audio)
        except OSError as e:
            raise EngineError(f"Cannot read the audio file {clip.audio}: {e.strerror or e}") from None

    def estimate(self) -> TuningCost:
        """Recognitions and audio minutes, before anything is sent: the sweep (minimum) up to the
        ceiling with confirmation and `max_refine` one-at-a-time sweeps; cached runs are free.

        Reads every clip the first time (fingerprint and duration, remembered in FINGERPRINTS
        and DURATIONS), so a GUI calls it off the GUI thread."""
        bound = plan.cost_bound(len(self.texts), 1, self.weights, self.max_refine)
        sweep = plan.sweep_runs(self.items, list(self.clips), self.weights)
        cached = sum(1 for r in sweep if self._cache_key(r) in self.cache)
        lo = hi = 0
        lo_s = hi_s = 0.0
        for clip in self.clips.values():
            d = self.duration(clip)
            n_cached = sum(1 for r in sweep if r.clip == clip.key and self._cache_key(r) in self.cache)
            lo += bound.min_runs - n_cached
            hi += bound.max_runs - n_cached
            lo_s += (bound.min_runs - n_cached) * d
            hi_s += (bound.max_runs - n_cached) * d
        return TuningCost(lo, hi, lo_s, hi_s, cached)

    # --- running -------------------------------------------------------------------------------
    def run(self, progress: ProgressFn | None = None, cancel: CancelToken | None = None) -> plan.TuningReport:
        """Sweep, confirm, refine; raises EngineCancelledError when cancelled (finished runs stay cached)."""
        cancel = cancel or CancelToken()
        st = _State()
        clips = list(self.clips)
        sweep = plan.sweep_runs(self.items, clips, self.weights)
        st.total = len(sweep) + len(clips)
        try:
            self._execute(sweep, st, progress, cancel)
            evidence = plan.collect(st.results, self.texts, plan.Phase.SWEEP)
            current = {plan.key_of(h.text): h.weight for h in reversed(self.items)}
            recs = {t: plan.recommend(current[t], evidence[t]) for t in self.texts}
            sources = dict.fromkeys(self.texts, plan.Phase.SWEEP)

            chosen = {t: r.weight for t, r in recs.items()}
            confirm = plan.mixed_runs(chosen, self.items, clips)
            self._execute(confirm, st, progress, cancel)
            confirmed = self._confirmed(st)
            expected = self._expected(evidence, chosen)
            suspects = plan.interacting(expected, confirmed) if len(self.texts) > 1 else []
            for t in suspects[: self.max_refine]:
                runs = plan.refine_runs(t, chosen, self.items, clips, self.weights)
                st.total += len(runs)
                self._execute(runs, st, progress, cancel)
                ev = plan.collect(st.results, [t], plan.Phase.REFINE, focus=t)
                evidence[t] = ev[t]
                recs[t] = plan.recommend(current[t], ev[t])
                sources[t] = plan.Phase.REFINE
        finally:
            self._drop_vocabulary()
        hotwords = [plan.HotwordReport(t, current[t], evidence[t], recs[t], sources[t]) for t in self.texts]
        return plan.TuningReport(hotwords, st.total, st.recognitions, st.cache_hits, st.audio_seconds,
                                 confirmed)

    def _confirmed(self, st: _State) -> dict[str, plan.WeightStats]:
        out: dict[str, plan.WeightStats] = {t: plan.WeightStats() for t in self.texts}
        for run, analysis in st.results:
            if run.phase == plan.Phase.CONFIRM:
                for t in self.texts:
                    out[t].add(analysis.per_hotword[t], analysis)
        return out

    @staticmethod
    def _expected(evidence: plan.Evidence, chosen: dict[str, int]) -> dict[str, plan.WeightStats]:
        return {t: ev[chosen[t]] for t, ev in evidence.items() if chosen[t] in ev}

    def _execute(self, runs: Sequence[plan.Run], st: _State, progress: ProgressFn | None,
                 cancel: CancelToken) -> None:
        for run in runs:
            cancel.raise_if_cancelled()
            clip = self.clips[run.clip]
            tr = self._recognize(run, clip, st, cancel)
            st.results.append((run, plan.analyse(clip.reference, tr.text, self.texts, clip.lang)))
            st.done += 1
            if progress:
                label = f"{run.phase}: {clip.key}, " + (
                    f"{run.focus} at weight {run.weight_of(run.focus)}" if run.focus else
                    "weights " + ",".join(sorted({str(w) for _, w in run.weights})))
                progress(TuningProgress(st.done, st.total, st.recognitions, label))

    def _run_options(self, run: plan.Run) -> RecognitionOptions:
        return replace(self.options, hotwords=run.hotwords(self.items), vocabulary_id=None)

    def _cache_key(self, run: plan.Run) -> tuple[str, str]:
        return (self.fingerprint(self.clips[run.clip]), options_key(self.engine, self._run_options(run)))

    def _recognize(self, run: plan.Run, clip: TuningClip, st: _State, cancel: CancelToken) -> Transcript:
        key = self._cache_key(run)
        cached = self.cache.get(key)
        if cached is not None:
            st.cache_hits += 1
            return cached
        options = self._run_options(run)
        if self._uses_vocabulary():
            options = self._with_vocabulary(options)
        tr = self.engine.recognize(self._audio_source(clip), options, cancel=cancel)
        st.recognitions += 1
        st.audio_seconds += self.duration(clip)
        self.cache.put(key, tr)
        return tr

    # --- engine specifics (asked of engine.capabilities, so this module needs no engine imports)
    def _uses_vocabulary(self) -> bool:
        """Cloud engines take hotwords only through a vocabulary; the local one takes them inline."""
        return not self.engine.capabilities.inline_hotwords

    def _with_vocabulary(self, options: RecognitionOptions) -> RecognitionOptions:
        items = list(options.hotwords)
        if self._vocabulary_id is None:
            self._vocabulary_id = self.engine.create_vocabulary(TEMP_VOCABULARY_PREFIX, options.model, items)
        else:
            self.engine.update_vocabulary(self._vocabulary_id, items)
        return replace(options, hotwords=[], vocabulary_id=self._vocabulary_id)

    def _drop_vocabulary(self) -> None:
        if self._vocabulary_id is not None:
            vid, self._vocabulary_id = self._vocabulary_id, None
            # A leftover temporary list is harmless; the user can delete it in the app.
            with contextlib.suppress(EngineError):
                self.engine.delete_vocabulary(vid)

    def _audio_source(self, clip: TuningClip) -> str | Path:
        """The clip's upload URL when the engine uploads files for this model (uploaded once)."""
        if not self.engine.capabilities.file_upload:
            return clip.audio
        try:
            file_mode = model_info(self.options.model).supports(Mode.FILE)
            flash = model_info(self.options.model).supports(Mode.FLASH)
        except UnknownModelError:
            return clip.audio
        if not file_mode or flash:
            return clip.audio
        if clip.key not in self._uploaded:
            self._uploaded[clip.key] = self.engine.upload(clip.audio, self.options.model)
        return self._uploaded[clip.key]
