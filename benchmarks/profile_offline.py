"""Where recognize() spends its time, per component, over the manifest (one process).

    .venv/bin/python -m benchmarks.profile_offline [base|tiny.en] [bias|prompt|none]

Wraps the pipeline stages with timers (encode, CT2 generate, decoder start/step (NumPy or ONNX Runtime), beam
search, alignment, VAD) so a speed change can be judged by component, not only by RTF.
"""
# ruff: noqa
import functools, os, sys, time
from benchmarks.hotwords import load_manifest, TESTDATA, MODELS
from qwenasr_desktop.audio.decode import load_audio
from qwenasr_desktop.core.hotwords import Hotword
from qwenasr_desktop.engines.base import RecognitionOptions
from qwenasr_desktop.engines.local.engine import LocalEngine
from qwenasr_desktop.engines.local import recognizer, search, ort_decoder as odec
from qwenasr_desktop.engines.local import vad

T = {}
def wrap(obj, name, key=None):
    f = getattr(obj, name)
    key = key or name
    @functools.wraps(f)
    def g(*a, **k):
        t = time.perf_counter()
        try:
            return f(*a, **k)
        finally:
            d = T.setdefault(key, [0.0, 0]); d[0] += time.perf_counter() - t; d[1] += 1
    setattr(obj, name, g)

for n in ("features", "encode", "detect_language", "_search", "_generate_ct2", "align"):
    wrap(recognizer.ChunkDecoder, n)
wrap(odec.OrtWhisperDecoder, "step"); wrap(odec.OrtWhisperDecoder, "start")
wrap(search, "beam_search")
wrap(vad, "speech_utterances")
import qwenasr_desktop.engines.local.engine as eng
eng.speech_utterances = vad.speech_utterances
model = sys.argv[1] if len(sys.argv) > 1 else "base"
mode = sys.argv[2] if len(sys.argv) > 2 else "bias"
engine = LocalEngine(); loaded = engine.model(model)
recs = load_manifest(TESTDATA / "manifest.jsonl")
if model == "tiny.en": recs = [r for r in recs if r["lang"] == "en"]
tot = 0; aud = 0
for r in recs:
    audio = load_audio(r["audio_path"])
    hws = [Hotword(h["text"], 4, h.get("lang")) for h in r["hotwords"]] if mode != "none" else []
    opts = RecognitionOptions(model=MODELS[model], hotwords=hws, extra={"biasing": mode == "bias"},
                              language_hints=[r["lang"]] if model == "base" else [])
    t = time.perf_counter(); text = engine.recognize(audio, opts).text; dt = time.perf_counter() - t
    tot += dt; aud += len(audio) / 16000
print(f"{model} {mode} RTF {tot/aud:.3f} total {tot:.1f}s audio {aud:.1f}s load {os.getloadavg()[0]:.1f}")
for k, (s, n) in sorted(T.items(), key=lambda kv: -kv[1][0]):
    print(f"  {k:20s} {s:7.2f}s  n={n:5d}  {1000*s/n:8.1f} ms/call")
