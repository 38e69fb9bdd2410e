"""Fun-ASR-Flash (fun-asr-flash-2026-06-15): one synchronous call with context messages.

The cloud silently keeps only the newest 5 messages of each kind and cuts each round at 400
characters; we refuse such context up front (core.context.validate_context) so nothing the user
typed is dropped without a word.
"""

from __future__ import annotations

import base64
import io
import math
from pathlib import Path

import numpy as np
import soundfile as sf

from ...core.context import Context, validate_context
from ...core.hotwords import errors
from ...core.transcript import Transcript
from ..base import SAMPLE_RATE
from .errors import ValidationError
from .http import HttpClient
from .results import sentence_from_cloud

PATH = "services/aigc/multimodal-generation/generation"
MAX_INLINE_BYTES = 10 * 1024 * 1024
MAX_SECONDS = 5 * 60


def wav_bytes(samples: np.ndarray, rate: int = SAMPLE_RATE) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, np.asarray(samples, dtype=np.float32), rate, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def check_context(context: Context | None) -> None:
    if context is None:
        return
    problems = errors(validate_context(context))
    if problems:
        raise ValidationError("The context cannot be sent as it is: "
                              + " ".join(p.message for p in problems), problems)


def build_messages(audio_ref: str, context: Context | None) -> list[dict]:
    msgs = context.to_cloud() if context is not None else []
    msgs.append({"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": audio_ref}}]})
    return msgs


class FlashClient:
    def __init__(self, http: HttpClient) -> None:
        self.http = http

    def recognize(self, audio: np.ndarray | str | Path, model: str, *, context: Context | None = None,
                  vocabulary_id: str | None = None, language_hints: list[str] | None = None,
                  audio_url: str | None = None) -> Transcript:
        """`audio`: 16 kHz mono samples or a WAV/FLAC/OGG path, sent inline as a data URL; or
        `audio_url` (http(s):// or oss://) instead. Never retried on 5xx/timeouts (billed call)."""
        check_context(context)
        fmt, rate = "wav", SAMPLE_RATE
        if audio_url is None:
            if isinstance(audio, (str, Path)):
                data = Path(audio).read_bytes()
                info = sf.info(io.BytesIO(data))
                fmt, rate, seconds = info.format.lower(), info.samplerate, info.duration
            else:
                data = wav_bytes(audio)
                seconds = len(audio) / SAMPLE_RATE
            if seconds > MAX_SECONDS:
                raise ValidationError(f"The audio is {seconds:.0f} s long; {model} accepts at most "
                                      f"{MAX_SECONDS // 60} minutes. Use file transcription instead.")
            if len(data) * 4 / 3 > MAX_INLINE_BYTES:
                raise ValidationError(f"The audio is {len(data) / 1e6:.1f} MB; inline audio is limited to "
                                      "about 7 MB (10 MB after Base64). Use file transcription instead.")
            mime = {"wav": "audio/wav", "flac": "audio/flac", "ogg": "audio/ogg"}.get(fmt, "audio/wav")
            audio_url = f"data:{mime};base64,{base64.b64encode(data).decode()}"
        params: dict = {"format": fmt, "sample_rate": str(rate)}
        if language_hints:
            params["language_hints"] = list(language_hints)
        if vocabulary_id:
            params["vocabulary_id"] = vocabulary_id
        headers = {"X-DashScope-SSE": "disable"}
        if audio_url.startswith("oss://"):
            headers["X-DashScope-OssResourceResolve"] = "enable"
        body = {"model": model, "input": {"messages": build_messages(audio_url, context)},
                "parameters": params}
        resp = self.http.call("POST", PATH, json=body, headers=headers, idempotent=False,
                              context="Recognizing with context")
        return self._transcript(resp.body, model)

    @staticmethod
    def _transcript(body: dict, model: str) -> Transcript:
        """`output.text` is what is documented; sentences with times are used when present."""
        out = body.get("output") or {}
        sentences = [sentence_from_cloud(s, is_final=True) for s in out.get("sentences") or []
                     if isinstance(s, dict)]
        if not sentences:
            text = out.get("text")
            if text is None:  # a nested form seen in one mirror of the docs
                text = ((out.get("output") or {}).get("sentence") or {}).get("text", "")
            from ...core.transcript import Sentence

            sentences = [Sentence(text=str(text), begin_ms=0, end_ms=0)] if text else []
        usage = body.get("usage") or {}
        dur = usage.get("duration")
        return Transcript(sentences=sentences, engine="dashscope", model=model,
                          duration_ms=math.ceil(float(dur) * 1000) if dur else 0)
