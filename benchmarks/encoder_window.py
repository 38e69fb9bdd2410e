"""Experiment: WER, hotword recall and RTF when the CT2 encoder gets a window shorter than 30 s.

    .venv/bin/python -m benchmarks.encoder_window base none full,100+0,100+1000

A policy "PAD+MIN" encodes max(MIN, content frames + PAD) mel frames (100 frames = 1 s) instead of
Whisper's fixed 3000; "full" is the shipped behaviour. Not used by the app (docs/benchmarks.md).
"""
# ruff: noqa
import json, os, sys, time
import numpy as np
from benchmarks.hotwords import load_manifest, TESTDATA, MODELS
from qwenasr_desktop.audio.decode import load_audio
from qwenasr_desktop.core.hotwords import Hotword
from qwenasr_desktop.core.metrics import ErrorCounts, HotwordScore, error_counts, hotword_score
from qwenasr_desktop.engines.base import RecognitionOptions
from qwenasr_desktop.engines.local.engine import LocalEngine
from qwenasr_desktop.engines.local import recognizer
from faster_whisper.audio import pad_or_trim

model, mode, policies = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
import pathlib
man = pathlib.Path(sys.argv[4]) if len(sys.argv) > 4 else TESTDATA / "manifest.jsonl"
POLICY = ["full"]
orig = recognizer.ChunkDecoder.features
def features(self, audio):
    mel = self.model.whisper.feature_extractor(audio[: 30 * 16000])
    content = min(3000, mel.shape[-1] - 1)
    p = POLICY[0]
    if p == "full":
        n = 3000
    else:
        pad, mn = (int(x) for x in p.split("+"))
        n = min(3000, max(mn, content + pad)); n += n % 2
    return pad_or_trim(mel[:, :content], n), content
recognizer.ChunkDecoder.features = features
engine = LocalEngine(); loaded = engine.model(model)
recs = load_manifest(man)
if model == "tiny.en": recs = [r for r in recs if r["lang"] == "en"]
audios = {r["id"]: load_audio(r["audio_path"]) for r in recs}
for p in policies:
    POLICY[0] = p
    tot = aud = 0; ec, hs = ErrorCounts(), HotwordScore(); diffs = []
    for r in recs:
        audio = audios[r["id"]]
        hws = [Hotword(h["text"], 4, h.get("lang")) for h in r["hotwords"]] if mode != "none" else []
        opts = RecognitionOptions(model=MODELS[model], hotwords=hws, extra={"biasing": mode == "bias"},
                                  language_hints=[r["lang"]] if model == "base" else [])
        t = time.perf_counter(); text = engine.recognize(audio, opts).text; tot += time.perf_counter() - t
        aud += len(audio) / 16000
        targets = [h["text"] for h in r["hotwords"] if not h["distractor"]]
        dis = [h["text"] for h in r["hotwords"] if h["distractor"]]
        ec += error_counts(r["reference_normalized"], text, targets + dis, r["lang"])
        hs += hotword_score(r["reference_normalized"], text, targets, dis, r["lang"])
        diffs.append(text)
    print(json.dumps(dict(model=model, mode=mode, policy=p, rtf=round(tot/aud, 3), wer=round(100*ec.wer, 1),
                          u=round(100*ec.u_wer, 1), b=round(100*ec.b_wer, 1), recall=f"{hs.recalled}/{hs.targets}",
                          fa=hs.false_alarms, load=os.getloadavg()[0])), flush=True)
    if os.environ.get("SHOW"): print("\n".join(diffs))
