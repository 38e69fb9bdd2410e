"""Real recognition through the emulator (backed by the offline LocalEngine), over loopback, with
our client and with the official SDK: real-time with and without a vocabulary, a dropped socket
resumed without losing audio, file transcription via the temporary upload, and flash with context.

The emulator maps every cloud model name (fun-asr-realtime, fun-asr, paraformer-v2,
fun-asr-flash-2026-06-15) onto the local Whisper base model. Accuracy is checked against the
clips' references with WER thresholds and hotword recall, never against one model's exact output.
"""

from __future__ import annotations

import json
import threading

import httpx
import numpy as np
import pytest
import soundfile as sf
from dashscope import MultiModalConversation
from dashscope.audio.asr import (
    Recognition,
    RecognitionCallback,
    RecognitionResult,
    Transcription,
    VocabularyService,
)
from dashscope.utils.oss_utils import OssUtils
from emulators import client_fixtures  # tests/ is on sys.path

from qwenasr_desktop.core.context import Context
from qwenasr_desktop.core.hotwords import Hotword
from qwenasr_desktop.core.metrics import error_counts, hotword_score
from qwenasr_desktop.engines.base import RecognitionOptions
from qwenasr_desktop.engines.dashscope.errors import ConnectionDroppedError
from qwenasr_desktop.engines.dashscope.resume import RESUMED, RESUMING, ResumingSession
from qwenasr_desktop.engines.local.engine import LocalEngine

pytestmark = pytest.mark.slow

KEY = "sk-recognition-0123456789"
FLASH = "fun-asr-flash-2026-06-15"
CITIES = "sh_en_lj001_0028"  # "... printers in Strasburg, Basle, Paris, Lubeck ..."
MAX_WER = 0.35


emu, engine, _clean = client_fixtures(KEY, LocalEngine, sdk=True)


def clip(manifest, cid: str):
    rec = manifest[cid]
    audio, rate = sf.read(rec["audio_path"], dtype="float32")
    assert rate == 16000 and audio.ndim == 1
    return rec, audio


def targets(rec) -> list[str]:
    return [h["text"] for h in rec["hotwords"] if not h["distractor"]]


def distractors(rec) -> list[str]:
    return [h["text"] for h in rec["hotwords"] if h["distractor"]]


def hotwords(rec) -> list[Hotword]:
    return [Hotword(h["text"], h["weight"], h["lang"]) for h in rec["hotwords"]]


def check_accuracy(rec, text: str):
    """WER under the threshold; returns the hotword score for comparisons."""
    wer = error_counts(rec["reference_normalized"], text, lang=rec["lang"]).wer
    assert wer <= MAX_WER, f"WER {wer:.2f} for {text!r}"
    return hotword_score(rec["reference_normalized"], text, targets(rec), distractors(rec), rec["lang"])


def stream(engine, audio, options, chunk=1600):
    events = []
    session = engine.start_stream(options, events.append)
    for i in range(0, len(audio), chunk):
        session.send_audio(audio[i:i + chunk])
    return session.finish(), events


def check_times(sentences, duration_ms: int):
    prev_end = 0
    for s in sentences:
        assert prev_end - 50 <= s.begin_ms <= s.end_ms <= duration_ms + 500, (s.begin_ms, s.end_ms)
        prev_end = s.end_ms
        for w in s.words:
            assert s.begin_ms - 50 <= w.begin_ms <= w.end_ms <= s.end_ms + 50


def test_client_realtime_with_and_without_vocabulary(engine, manifest):
    rec, audio = clip(manifest, CITIES)
    plain, events = stream(engine, audio, RecognitionOptions(model="fun-asr-realtime"))
    assert plain.sentences and all(e.sentence.is_final == e.is_final for e in events)
    assert [e.sentence.text for e in events if e.is_final] == [s.text for s in plain.sentences]
    check_times(plain.sentences, len(audio) * 1000 // 16000)
    base_score = check_accuracy(rec, plain.text)

    vid = engine.create_vocabulary("cities", "fun-asr-realtime", hotwords(rec))
    engine.vocabularies.wait_ok(vid)
    biased, _ = stream(engine, audio, RecognitionOptions(model="fun-asr-realtime", vocabulary_id=vid))
    score = check_accuracy(rec, biased.text)
    assert score.recall >= base_score.recall
    assert score.false_alarms == 0


def test_emulator_applies_vocabulary_like_the_cloud(emu, engine, manifest):
    """Which hotwords reach the engine: none for another model's list or an UNDEPLOYED list, and
    only the hinted language's (the cloud's silent-ignore rules)."""
    rec, _ = clip(manifest, CITIES)
    items = [*hotwords(rec), Hotword("赛德克巴莱", 4, "zh")]
    vid = engine.create_vocabulary("rules", "fun-asr-realtime", items)
    v = emu.store.vocabularies[vid]
    r = emu.recognizer
    assert len(r.options("fun-asr-realtime", {}, v).hotwords) == len(items)
    assert r.options("paraformer-realtime-v2", {}, v).hotwords == []
    zh = r.options("fun-asr-realtime", {"language_hints": ["zh", "en"]}, v)
    assert [h.text for h in zh.hotwords] == ["赛德克巴莱"] and zh.language_hints == ["zh"]
    v.undeployed_left = 1
    assert r.options("fun-asr-realtime", {}, v).hotwords == []


class Collect(RecognitionCallback):
    def __init__(self):
        self.finals, self.partials, self.errors, self.completed = [], [], [], False

    def on_event(self, result):
        s = result.get_sentence()
        (self.finals if RecognitionResult.is_sentence_end(s) else self.partials).append(s)

    def on_error(self, result):
        self.errors.append(result)

    def on_complete(self):
        self.completed = True


def test_sdk_recognition_with_and_without_vocabulary(emu, manifest):
    rec, audio = clip(manifest, CITIES)
    # synchronous call() on the WAV file: the SDK streams the file (header included) as format=wav
    plain = Recognition(model="fun-asr-realtime", format="wav", sample_rate=16000,
                        callback=None).call(str(rec["audio_path"]), api_key=KEY)
    assert plain.status_code == 200, plain.message
    sentences = plain.get_sentence()
    assert sentences and all(s["end_time"] is not None and s["words"] for s in sentences)
    base_score = check_accuracy(rec, "".join(s["text"] for s in sentences))

    vid = VocabularyService(api_key=KEY).create_vocabulary(
        target_model="fun-asr-realtime", prefix="sdk",
        vocabulary=[h.to_cloud() for h in hotwords(rec)])
    # streaming mode: start / 100 ms frames of PCM / stop, with vocabulary_id
    cb = Collect()
    r = Recognition(model="fun-asr-realtime", format="pcm", sample_rate=16000, callback=cb,
                    vocabulary_id=vid)
    r.start(api_key=KEY)
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()
    for i in range(0, len(pcm), 3200):
        r.send_audio_frame(pcm[i:i + 3200])
    r.stop()
    assert cb.errors == [] and cb.completed and cb.finals
    assert all(p["end_time"] is None for p in cb.partials)
    score = check_accuracy(rec, "".join(s["text"] for s in cb.finals))
    assert score.recall >= base_score.recall and score.false_alarms == 0


def test_dropped_stream_keeps_audio_and_resumes(emu, engine, manifest):
    rec, audio = clip(manifest, "sh_en_jfk_inaugural")  # "And so my fellow Americans, ask not ..."
    emu.faults.drop_ws_after_frames = 50  # the socket dies when the 6th second of audio arrives
    errors, events, first_final = [], [], threading.Event()

    def on_event(e):
        events.append(e)
        if e.is_final:
            first_final.set()

    session = engine.start_stream(RecognitionOptions(model="fun-asr-realtime"), on_event,
                                  on_error=errors.append)
    head = int(16000 * 4.5)
    for i in range(0, head, 1600):
        session.send_audio(audio[i:i + 1600])
    assert first_final.wait(120), "no final sentence for the first 4.5 s"
    for i in range(head, len(audio), 1600):
        session.send_audio(audio[i:i + 1600])
    with pytest.raises(ConnectionDroppedError, match="audio captured so far is kept"):
        session.finish()
    assert errors and isinstance(errors[0], ConnectionDroppedError)
    kept = session.captured_audio()
    assert len(kept) == len(audio) and np.allclose(kept, audio, atol=1 / 16000)
    finals_before = list(session.finals)
    resume_ms = session.resume_point_ms
    assert finals_before and resume_ms == finals_before[-1].end_ms > 0
    session.resume()
    transcript = session.finish()
    assert transcript.sentences[:len(finals_before)] == finals_before
    after = transcript.sentences[len(finals_before):]
    assert after and all(s.begin_ms >= resume_ms - 50 for s in after)  # one time axis
    check_times(transcript.sentences, len(audio) * 1000 // 16000)
    check_accuracy(rec, transcript.text)


def test_dropped_stream_resumes_by_itself_on_real_speech(emu, engine, manifest):
    """ResumingSession on real recognition: the same speech as above, dropped mid-stream, resumed
    with no word lost or repeated (tests/test_dashscope_resume.py checks this exactly on a ladder)."""
    rec, audio = clip(manifest, "sh_en_jfk_inaugural")
    plain = stream(engine, audio, RecognitionOptions(model="fun-asr-realtime"))[0]
    emu.faults.drop_ws_after_frames = 50
    notices, first_final = [], threading.Event()
    session = ResumingSession.start(engine, RecognitionOptions(model="fun-asr-realtime"),
                                    lambda e: first_final.set() if e.is_final else None, notices.append)
    head = int(16000 * 4.5)
    for i in range(0, len(audio), 1600):
        if i == head:
            assert first_final.wait(120), "no final sentence for the first 4.5 s"
        session.send_audio(audio[i:i + 1600])
    transcript = session.finish(timeout=300)
    assert [n.state for n in notices] == [RESUMING, RESUMED]
    check_times(transcript.sentences, len(audio) * 1000 // 16000)
    check_accuracy(rec, transcript.text)
    texts = [s.text for s in transcript.sentences]
    assert len(set(texts)) == len(texts), texts
    words_plain = len(plain.text.split())
    assert abs(len(transcript.text.split()) - words_plain) <= 2, (plain.text, transcript.text)


def test_sdk_file_transcription(emu, manifest):
    rec, _ = clip(manifest, "sh_en_ls_1272-128104-0000")
    url, _cert = OssUtils.upload(model="fun-asr", file_path=str(rec["audio_path"]), api_key=KEY)
    task = Transcription.async_call(model="fun-asr", file_urls=[url], api_key=KEY,
                                    headers={"X-DashScope-OssResourceResolve": "enable"})
    assert task.status_code == 200
    done = Transcription.wait(task=task.output.task_id, api_key=KEY)
    assert done.output.task_status == "SUCCEEDED", done.output
    result = done.output["results"][0]
    assert result["subtask_status"] == "SUCCEEDED" and result["file_url"] == url
    doc = httpx.get(result["transcription_url"]).json()  # pre-signed: no key needed
    assert doc["properties"]["original_sampling_rate"] == 16000
    t = doc["transcripts"][0]
    assert t["channel_id"] == 0 and [s["sentence_id"] for s in t["sentences"]] == list(
        range(1, len(t["sentences"]) + 1))
    check_accuracy(rec, t["text"])


def test_client_file_batch_with_progress(engine, manifest):
    en, _ = clip(manifest, "sh_en_ls_1272-128104-0000")
    zh, _ = clip(manifest, "sh_zh_aishell1_BAC009S0764W0121")
    seen = []
    results = engine.files.transcribe_files("paraformer-v2", [en["audio_path"], zh["audio_path"]],
                                            progress=lambda i, stage, f: seen.append((i, stage, f)))
    assert [r.error for r in results] == [None, None]
    check_accuracy(en, results[0].transcript.text)
    check_accuracy(zh, results[1].transcript.text)
    for i in (0, 1):
        stages = [s for j, s, _ in seen if j == i]
        assert stages[0] == "uploading" and stages[-1] == "done"
        fracs = [f for j, _, f in seen if j == i]
        assert fracs == sorted(fracs)


def test_client_flash_with_context(engine, manifest):
    rec, audio = clip(manifest, CITIES)
    ctx = Context.from_texts(["Printing history: Strasburg, Basle, Lubeck."])
    tr = engine.recognize(audio, RecognitionOptions(model=FLASH, context=ctx))
    assert tr.model == FLASH and tr.sentences
    score = check_accuracy(rec, tr.text)
    assert score.false_alarms == 0


def test_sdk_flash_multimodal_with_context(emu, manifest):
    """The SDK uploads the local file itself (oss:// + resolve header) and sends the context."""
    rec, _ = clip(manifest, "sh_en_ls_1272-128104-0000")
    messages = [{"role": "user", "content": [{"type": "input_text", "text": "Mister Quilter, apostle"}]},
                {"role": "assistant", "content": [{"type": "text", "text": "Noted."}]},
                {"role": "user", "content": [{"audio": str(rec["audio_path"])}]}]
    resp = MultiModalConversation.call(model=FLASH, messages=messages, api_key=KEY)
    assert resp.status_code == 200, resp.message
    assert resp.usage["duration"] >= 5
    check_accuracy(rec, resp.output.text)
    assert json.loads(json.dumps(resp.output["sentences"]))[0]["words"]


def test_client_recognize_file_with_realtime_model(engine, manifest):
    """A file given to a real-time model is streamed over the WebSocket (what the CLI does)."""
    rec, audio = clip(manifest, "sh_zh_aishell1_BAC009S0764W0121")
    progress = []
    tr = engine.recognize(rec["audio_path"], RecognitionOptions(model="fun-asr-realtime",
                                                                language_hints=["zh"]),
                          progress=progress.append)
    assert tr.engine == "dashscope" and tr.model == "fun-asr-realtime"
    assert tr.duration_ms == len(audio) * 1000 // 16000
    assert progress == sorted(progress) and progress[-1] == 1.0
    check_accuracy(rec, tr.text)
