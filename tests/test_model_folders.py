"""Whisper models in the user's own folders: validation, the Hugging Face cache, shapes, recognition.

The folders are assembled from the packaged base and tiny.en files (the only real CTranslate2
Whisper models on a test machine), linked rather than copied where the test allows. The shape
tests write small CTranslate2 files with random weights in the real format.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from qwenasr_desktop.core.hotwords import Hotword
from qwenasr_desktop.core.models import Provider, model_info, models_for
from qwenasr_desktop.engines.base import ModelMissingError, RecognitionOptions
from qwenasr_desktop.engines.local import model_folders, packaged_models
from qwenasr_desktop.engines.local.ct2_weights import DequantizedVariables, read_ct2_variables
from qwenasr_desktop.engines.local.engine import LocalEngine
from qwenasr_desktop.engines.local.model_folders import (
    ModelFolderError,
    find_cached_models,
    hf_cache_dirs,
    inspect_folder,
    memory_problem,
)
from qwenasr_desktop.engines.local.ort_decoder import OrtWhisperDecoder

FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")


@pytest.fixture(scope="module")
def tiny_files() -> Path:
    return packaged_models.tiny_en_dir()


def _linked_folder(target: Path, source: Path, skip: str = "") -> Path:
    target.mkdir(parents=True)
    for name in FILES:
        if name != skip:
            (target / name).symlink_to(source / name)
    return target


@pytest.fixture(scope="module")
def base_folder(tmp_path_factory) -> Path:
    """The packaged base model written out as a user's folder (its model.bin only exists in memory)."""
    folder = tmp_path_factory.mktemp("whisper-base")
    for name, data in packaged_models.read_model_files("base").files.items():
        (folder / name).write_bytes(data)
    return folder


# ------------------------------------------------------------------ validation
def test_packaged_files_as_folders_are_validated_with_their_shapes(base_folder, tiny_files, tmp_path):
    base = inspect_folder(base_folder)
    assert (base.dims.n_mels, base.dims.n_vocab, base.dims.n_text_state, base.dims.n_text_layer,
            base.dims.n_text_head, base.dims.n_audio_layer) == (80, 51865, 512, 6, 8, 6)
    assert base.multilingual and base.languages_text == "multilingual"
    assert base.size_bytes == packaged_models.BASE_MODEL_BIN_SIZE
    tiny = inspect_folder(_linked_folder(tmp_path / "tiny.en", tiny_files))
    assert (tiny.dims.n_vocab, tiny.dims.n_text_state, tiny.dims.n_text_layer) == (51864, 384, 4)
    assert not tiny.multilingual and tiny.languages_text == "English only (.en)"
    model_id = packaged_models.resolve_name(str(tmp_path / "tiny.en"))
    assert model_id == f"folder:{tmp_path / 'tiny.en'}"
    info = model_info(model_id)
    assert info.provider is Provider.LOCAL and info.languages == ("en",) and info.supports_hotwords
    assert model_id in [m.name for m in models_for(Provider.LOCAL)]
    assert packaged_models.resolve_name(model_id) == model_id


@pytest.mark.parametrize("missing", FILES)
def test_a_folder_missing_a_required_file_says_which(tiny_files, tmp_path, missing):
    folder = _linked_folder(tmp_path / "m", tiny_files, skip=missing)
    expected = "no vocabulary.txt or vocabulary.json" if missing == "vocabulary.txt" else f"has no {missing}"
    with pytest.raises(ModelFolderError, match=expected):
        inspect_folder(folder)
    with pytest.raises(ModelMissingError, match=expected):  # the CLI and the engine take paths
        packaged_models.resolve_name(str(folder))


def test_unreadable_configs_and_weights_get_the_repair_message(tiny_files, tmp_path):
    folder = _linked_folder(tmp_path / "m", tiny_files, skip="config.json")
    (folder / "config.json").write_text("{not json")
    with pytest.raises(ModelFolderError, match=r"model config .*config.json cannot be read"):
        inspect_folder(folder)
    (folder / "config.json").write_text("{}")
    (folder / "model.bin").unlink()
    (folder / "model.bin").write_bytes((tiny_files / "model.bin").read_bytes()[:100_000])
    with pytest.raises(ModelFolderError, match=r"cannot be read \(the model file is truncated.*Copy or con"):
        inspect_folder(folder)
    (folder / "model.bin").write_bytes(b"")
    with pytest.raises(ModelFolderError, match=r"model\.bin is empty"):
        inspect_folder(folder)
    (folder / "model.bin").unlink()
    (folder / "model.bin").symlink_to(tiny_files / "model.bin")
    (folder / "preprocessor_config.json").write_text(json.dumps({"feature_size": 128}))
    with pytest.raises(ModelFolderError, match="feature_size 128, but the weights expect 80"):
        inspect_folder(folder)
    with pytest.raises(ModelFolderError, match="does not exist"):
        inspect_folder(tmp_path / "nowhere")
    with pytest.raises(ModelFolderError, match="is a file; choose the folder"):
        inspect_folder(folder / "config.json")
    with pytest.raises(ModelMissingError,
                       match=r"Unknown local model 'large'; use one of: base, tiny\.en, or the path"):
        packaged_models.resolve_name("large")


def test_hf_cache_snapshots_are_listed_with_their_problems(tiny_files, tmp_path, monkeypatch):
    cache = tmp_path / "hub"
    _linked_folder(cache / "models--Systran--faster-whisper-tiny.en" / "snapshots" / "abc123", tiny_files)
    _linked_folder(cache / "models--me--faster-whisper-broken" / "snapshots" / "def456", tiny_files,
                   skip="tokenizer.json")
    _linked_folder(cache / "models--openai--whisper-tiny" / "snapshots" / "0", tiny_files)  # not CT2's name
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    assert hf_cache_dirs()[0] == cache
    found = find_cached_models()
    assert [e.path.parent.parent.name for e in found] == ["models--Systran--faster-whisper-tiny.en",
                                                          "models--me--faster-whisper-broken"]
    good, broken = found
    assert good.model is not None and good.model.label == "Systran/faster-whisper-tiny.en"
    assert good.model.source == "Hugging Face cache" and not good.model.multilingual
    assert broken.model is None and "has no tokenizer.json" in broken.problem


def test_a_model_that_will_not_fit_is_refused_before_loading(tiny_files, tmp_path, monkeypatch):
    folder = _linked_folder(tmp_path / "tiny-too-big", tiny_files)
    monkeypatch.setattr(model_folders, "mem_available", lambda: 100 << 20)
    with pytest.raises(ModelMissingError, match=r"tiny-too-big needs about 0\.5 GB .* only 0\.1 GB is "
                                                r"available\. Close other programs"):
        packaged_models.load_model(str(folder))
    assert not packaged_models.is_loaded(str(folder))


def test_memory_check_speaks_before_loading(base_folder):
    folder = inspect_folder(base_folder)
    assert memory_problem(folder, available=64 << 30) == ""
    message = memory_problem(folder, available=100 << 20)
    assert message.startswith(f"{folder.label} needs about 0.7 GB of memory to load, but only 0.1 GB")
    meminfo = base_folder.parent / "meminfo"
    meminfo.write_text("MemTotal:       24683584 kB\nMemAvailable:    2048 kB\n")
    assert model_folders.mem_available(str(meminfo)) == 2048 * 1024
    assert model_folders.mem_available(str(base_folder / "none")) is None


# ------------------------------------------------------------------ shapes from the config
def _string(s: str) -> bytes:
    raw = s.encode() + b"\0"
    return struct.pack("<H", len(raw)) + raw


def write_ct2(path: Path, variables: dict[str, np.ndarray], aliases: dict[str, str]) -> None:
    """A CTranslate2 model.bin (format v6) as CTranslate2 writes it."""
    codes = {np.dtype(np.float32): 0, np.dtype(np.int8): 1, np.dtype(np.int16): 2, np.dtype(np.float16): 4}
    out = [struct.pack("<I", 6), _string("WhisperSpec"), struct.pack("<II", 3, len(variables))]
    for name, arr in variables.items():
        out += [_string(name), struct.pack("<B", arr.ndim), struct.pack(f"<{arr.ndim}I", *arr.shape),
                struct.pack("<BI", codes[arr.dtype], arr.nbytes), arr.tobytes()]
    out.append(struct.pack("<I", len(aliases)))
    out += [_string(a) + _string(t) for a, t in aliases.items()]
    path.write_bytes(b"".join(out))


def random_whisper(n_mels: int, n_vocab: int, d: int = 64, heads: int = 2, layers: int = 3,
                   seed: int = 0, int8: bool = False) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)

    def w(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.1).astype(np.float16)

    v = {"decoder/embeddings/weight": w(n_vocab, d), "decoder/position_encodings/encodings": w(32, d),
         "decoder/num_heads": np.array([heads], np.int16), "encoder/num_heads": np.array([heads], np.int16),
         "encoder/conv1/weight": w(d, n_mels, 3), "encoder/conv1/bias": w(d),
         "decoder/layer_norm/gamma": np.ones(d, np.float16), "decoder/layer_norm/beta": w(d)}
    for i in range(layers):
        p = f"decoder/layer_{i}/"
        v[f"encoder/layer_{i}/ffn/linear_0/weight"] = w(4 * d, d)
        for ln in ("self_attention", "attention", "ffn"):
            v[p + ln + "/layer_norm/gamma"], v[p + ln + "/layer_norm/beta"] = np.ones(d, np.float16), w(d)
        shapes = {"self_attention/linear_0": 3 * d, "self_attention/linear_1": d,
                  "attention/linear_0": d, "attention/linear_1": 2 * d, "attention/linear_2": d,
                  "ffn/linear_0": 4 * d, "ffn/linear_1": d}
        for name, rows in shapes.items():
            cols = 4 * d if name == "ffn/linear_1" else d
            weight = w(rows, cols).astype(np.float32)
            if int8:  # CTranslate2's int8: q = round(w * scale), one scale per output row
                scale = (127.0 / np.abs(weight).max(1)).astype(np.float32)
                v[p + name + "/weight"] = np.rint(weight * scale[:, None]).astype(np.int8)
                v[p + name + "/weight_scale"] = scale
            else:
                v[p + name + "/weight"] = weight.astype(np.float16)
            v[p + name + "/bias"] = w(rows)
    return v


@pytest.mark.parametrize(("n_mels", "n_vocab"), [(128, 51866), (80, 1000)])
def test_graph_builder_takes_every_shape_from_the_weights(tmp_path, n_mels, n_vocab):
    write_ct2(tmp_path / "model.bin", random_whisper(n_mels, n_vocab),
              {"decoder/projection/weight": "decoder/embeddings/weight"})
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "tokenizer.json").write_text("{}")
    (tmp_path / "vocabulary.json").write_text("[]")
    folder = inspect_folder(tmp_path)
    assert (folder.dims.n_mels, folder.dims.n_vocab, folder.dims.n_text_state, folder.dims.n_text_head,
            folder.dims.n_text_layer, folder.dims.n_text_ctx) == (n_mels, n_vocab, 64, 2, 3, 32)
    assert folder.multilingual is (n_vocab >= 51865)
    decoder = OrtWhisperDecoder.from_bytes(model_folders.map_model_bin(tmp_path / "model.bin"), threads=1)
    assert (decoder.V, decoder.D, decoder.H, decoder.dh, decoder.n_layers, decoder.n_ctx) == (
        n_vocab, 64, 2, 32, 3, 32)
    state = decoder.start(np.random.default_rng(1).standard_normal((10, 64)).astype(np.float32))
    scores = decoder.step(state, np.array([[1, 2, 3]]), np.zeros(n_vocab, np.float32), k=4)
    assert scores.logp.shape == (1, n_vocab) and scores.top.shape == (1, 4)
    assert np.isclose(np.exp(scores.logp).sum(), 1.0, atol=1e-3)
    assert state.cache["past_k0"].shape == (1, 2, 3, 32)


def test_int8_converted_weights_are_dequantized(tmp_path):
    """A folder converted with --quantization int8 decodes like its float weights."""
    variables = {"plain": random_whisper(80, 500, seed=3), "int8": random_whisper(80, 500, seed=3, int8=True)}
    decoders = {}
    for kind, v in variables.items():
        write_ct2(tmp_path / f"{kind}.bin", v, {})
        decoders[kind] = OrtWhisperDecoder.from_bytes((tmp_path / f"{kind}.bin").read_bytes(), threads=1,
                                                      quantize=False)
    name = "decoder/layer_1/ffn/linear_0/weight"
    _, raw = read_ct2_variables((tmp_path / "int8.bin").read_bytes())
    assert raw[name].dtype == np.int8 and DequantizedVariables(raw)[name].dtype == np.float32
    np.testing.assert_allclose(DequantizedVariables(raw)[name], variables["plain"][name], atol=2e-3)
    audio = np.random.default_rng(2).standard_normal((10, 64)).astype(np.float32)
    logp = [d.step(d.start(audio), np.array([[5, 6]]), np.zeros(500, np.float32), k=3).logp
            for d in decoders.values()]
    np.testing.assert_allclose(logp[0], logp[1], atol=0.05)


# ------------------------------------------------------------------ recognition
@pytest.fixture(scope="module")
def engine() -> LocalEngine:
    return LocalEngine()


@pytest.mark.slow
@pytest.mark.parametrize("packaged", ["tiny.en", "base"])
def test_folder_model_recognises_with_hotwords_like_the_packaged_one(engine, manifest, base_folder,
                                                                     tiny_files, tmp_path, packaged):
    rec = manifest["sh_en_lj001_0003"]
    folder = base_folder if packaged == "base" else _linked_folder(tmp_path / "tiny.en", tiny_files)
    hotwords = [Hotword(h["text"], h["weight"], h["lang"]) for h in rec["hotwords"]]
    results = {}
    for name in (packaged, str(folder)):
        options = RecognitionOptions(model=name, hotwords=hotwords, language_hints=["en"])
        results[name] = engine.recognize(rec["audio_path"], options)
    ours, theirs = results[packaged], results[str(folder)]
    assert theirs.model == f"folder:{folder}" and theirs.language == "en"
    assert theirs.text == ours.text and "Netherlands" in theirs.text
    assert [(s.begin_ms, s.end_ms, s.text) for s in theirs.sentences] == [
        (s.begin_ms, s.end_ms, s.text) for s in ours.sentences]
    assert theirs.verification == ours.verification


# ------------------------------------------------------------------ the CLI and the emulator
@pytest.mark.slow
def test_cli_transcribe_takes_a_model_folder(tiny_files, tmp_path, manifest, capsys):
    from qwenasr_desktop.cli import main

    rec = manifest["sh_en_lj001_0003"]
    folder = _linked_folder(tmp_path / "faster-whisper-tiny.en", tiny_files)
    assert main(["transcribe", str(rec["audio_path"]), "--model", str(folder), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["model"] == f"folder:{folder}" and "netherlands" in json.dumps(out).lower()
    (folder / "tokenizer.json").unlink()
    assert main(["transcribe", str(rec["audio_path"]), "--model", str(tmp_path / "nowhere/x")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_emulator_options_resolve_folders_before_serving(tiny_files, tmp_path):
    from qwenasr_desktop.cli import main
    from qwenasr_desktop.emulator.cli_commands import local_models

    folder = _linked_folder(tmp_path / "tiny", tiny_files)
    default, mapping = local_models("tiny.en", [f"fun-asr= {folder}"])
    assert default == "local-whisper-tiny.en" and mapping == {"fun-asr": f"folder:{folder}"}
    with pytest.raises(ValueError, match="write CLOUD_MODEL=LOCAL_MODEL"):
        local_models(None, [str(folder)])
    (folder / "config.json").unlink()
    with pytest.raises(ModelMissingError, match=r"has no config\.json"):
        local_models(None, [f"fun-asr={folder}"])
    assert main(["emulator", "--port", "0", "--local-model", str(folder)]) == 2  # never starts serving


@pytest.mark.slow
def test_emulator_serves_a_cloud_name_with_a_folder_model(engine, tiny_files, tmp_path, manifest):
    from emulators import serving  # tests/ is on sys.path

    from qwenasr_desktop.engines.dashscope import DashScopeEngine
    from qwenasr_desktop.engines.dashscope.config import resolve_region

    rec = manifest["sh_en_lj001_0003"]
    folder = _linked_folder(tmp_path / "tiny", tiny_files)
    flash = "fun-asr-flash-2026-06-15"
    with serving("sk-folder-0123456789", engine) as server:
        server.recognizer.model_map[flash] = packaged_models.resolve_name(str(folder))
        seen = []
        real = engine.recognize
        engine.recognize = lambda audio, options, *a, **kw: seen.append(options.model) or real(
            audio, options, *a, **kw)
        client = DashScopeEngine(resolve_region(server.base_url), "sk-folder-0123456789")
        try:
            tr = client.recognize(rec["audio_path"], RecognitionOptions(model=flash))
        finally:
            client.close()
            del engine.recognize
    assert seen == [f"folder:{folder}"] and "netherlands" in tr.text.lower()



def _resized(name: str, arr: np.ndarray, rng) -> np.ndarray:
    """tiny.en's variable, shrunk to width 64 and given large-v3's 128 mel bins and 51866 tokens."""
    sizes = {384: 64, 1536: 256, 1152: 192, 768: 128, 80: 128, 51864: 51866}
    if arr.dtype != np.float16:  # a flag or count: a rank-0 scalar in the file
        return np.array(2 if name.endswith("num_heads") else arr.reshape(-1)[0], arr.dtype)
    shape = tuple(sizes.get(n, n) for n in arr.shape)
    return (rng.standard_normal(shape) * 0.05).astype(np.float16)


@pytest.fixture(scope="module")
def large_v3_shaped(tiny_files, tmp_path_factory) -> Path:
    """A complete CTranslate2 Whisper folder shaped like large-v3 where it matters (128 mel bins,
    51866 tokens, no preprocessor_config.json as in older conversions), random small weights."""
    folder = tmp_path_factory.mktemp("large-v3-shaped")
    _, tiny = read_ct2_variables((tiny_files / "model.bin").read_bytes())
    rng = np.random.default_rng(7)
    variables = {k: _resized(k, a, rng) for k, a in tiny.items()
                 if k != "decoder/projection/weight" and not any(f"layer_{i}/" in k for i in (2, 3))}
    write_ct2(folder / "model.bin", variables, {"decoder/projection/weight": "decoder/embeddings/weight"})
    config = json.loads((tiny_files / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "alignment_heads": [[1, 0]]}))
    (folder / "tokenizer.json").symlink_to(tiny_files / "tokenizer.json")
    tokens = (tiny_files / "vocabulary.txt").read_text().splitlines()
    (folder / "vocabulary.txt").write_text("\n".join([*tokens, "<|extra1|>", "<|extra2|>"]) + "\n")
    return folder


def test_a_128_mel_model_loads_encodes_and_decodes_with_its_own_shapes(large_v3_shaped):
    import ctranslate2

    model_id = packaged_models.resolve_name(str(large_v3_shaped))
    folder = packaged_models.model_folder(model_id)
    assert folder is not None and folder.multilingual
    assert (folder.dims.n_mels, folder.dims.n_vocab, folder.dims.n_audio_layer) == (128, 51866, 2)
    model = packaged_models.load_model(model_id)
    assert packaged_models.is_loaded(str(large_v3_shaped)) and model.multilingual
    mel = model.whisper.feature_extractor(np.zeros(16000 * 2, np.float32))
    assert mel.shape[0] == 128  # no preprocessor_config.json: the weights' 128, not faster-whisper's 80
    window = np.zeros((1, 128, 3000), np.float32)
    window[0, :, : mel.shape[1]] = mel
    encoded = np.asarray(model.ct2.encode(ctranslate2.StorageView.from_array(window), to_cpu=True))
    assert encoded.shape == (1, 1500, 64)
    state = model.decoder.start(encoded[0])
    scores = model.decoder.step(state, np.array([[50258, 50259]]), np.zeros(51866, np.float32), k=5)
    assert scores.logp.shape == (1, 51866) and scores.top.shape == (1, 5)
