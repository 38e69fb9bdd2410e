"""Cloud sentence/word JSON -> core transcript types (shared by file, flash and real-time)."""

from __future__ import annotations

from ...core.transcript import Sentence, Transcript, Word


def word_from_cloud(w: dict) -> Word:
    return Word(text=str(w.get("text", "")), begin_ms=int(w.get("begin_time") or 0),
                end_ms=int(w.get("end_time") or 0), punctuation=str(w.get("punctuation") or ""))


def sentence_from_cloud(s: dict, offset_ms: int = 0, is_final: bool | None = None) -> Sentence:
    """`is_final`: prefer the explicit flag; else `sentence_end`; else the SDK's rule (end_time set)."""
    if is_final is None:
        is_final = bool(s["sentence_end"]) if "sentence_end" in s else s.get("end_time") is not None
    end = s.get("end_time")
    words = [word_from_cloud(w) for w in s.get("words") or [] if isinstance(w, dict)]
    for w in words:
        w.begin_ms += offset_ms
        w.end_ms += offset_ms
    begin = int(s.get("begin_time") or 0) + offset_ms
    end_ms = int(end) + offset_ms if end is not None else (words[-1].end_ms if words else begin)
    speaker = s.get("speaker_id")
    return Sentence(text=str(s.get("text", "")), begin_ms=begin, end_ms=end_ms, words=words,
                    sentence_id=int(s.get("sentence_id") or 0),
                    speaker=int(speaker) if speaker is not None else None, is_final=is_final)


def transcript_from_result(doc: dict, model: str, channel: int | None = None) -> Transcript:
    """A file-transcription result JSON (one file); the first (or the given) channel."""
    transcripts = [t for t in doc.get("transcripts") or [] if isinstance(t, dict)]
    if channel is not None:
        transcripts = [t for t in transcripts if t.get("channel_id") == channel] or transcripts
    t = transcripts[0] if transcripts else {}
    props = doc.get("properties") or {}
    sentences = [sentence_from_cloud(s, is_final=True) for s in t.get("sentences") or []
                 if isinstance(s, dict)]
    return Transcript(sentences=sentences,
                      duration_ms=int(props.get("original_duration_in_milliseconds") or 0),
                      engine="dashscope", model=model)
