"""The emulator's HTTP routes under /api/v1: vocabulary, file tasks, uploads, flash, results."""

from __future__ import annotations

import asyncio
import math
from typing import TYPE_CHECKING

from aiohttp import web

from ..core.context import MAX_CHARS_PER_ROUND, MAX_MESSAGES_PER_ROLE, Context, ContextMessage, Role
from ..core.hotwords import (
    MAX_HOTWORDS_PER_LIST,
    MAX_LISTS_PER_ACCOUNT,
    Hotword,
    check_prefix,
    errors,
    validate_items,
)
from ..core.models import Mode, UnknownModelError, model_info
from ..core.transcript import Transcript
from .appkey import SERVER_KEY
from .audio import AudioFormatError, AudioTooLong, decode_file
from .errors import ApiError, invalid, request_id
from .sources import fetch_audio
from .store import Store, Vocabulary, now_str
from .wire import JsonError, loads

if TYPE_CHECKING:
    from .server import EmulatorServer

VOCAB_MODEL = "speech-biasing"
FLASH_MAX_S = 5 * 60


def ok(output: dict | None = None, usage: dict | None = None, *, key: str = "output") -> web.Response:
    body: dict = {key: output if output is not None else {}, "request_id": request_id()}
    if usage is not None:
        body["usage"] = usage
    return web.json_response(body)


async def read_json(request: web.Request) -> dict:
    raw = await request.read()
    if not raw:
        raise ApiError(400, "BadRequest.EmptyInput", "The request body is empty; send a JSON object.")
    try:
        body = loads(raw)
    except JsonError as e:
        raise invalid(f"The request body is not valid JSON ({e}).") from None
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    return body


def _require_model(body: dict) -> str:
    model = body.get("model")
    if not model:
        raise ApiError(400, "BadRequest.EmptyModel", "Required parameter 'model' missing.")
    if not isinstance(model, str):
        raise invalid("'model' must be a string.")
    return model


async def _recognition_request(request: web.Request):
    """(server, account, body, model name, ModelInfo) of an authenticated recognition request;
    an unknown model is the cloud's 404 ModelNotFound."""
    srv: EmulatorServer = request.app[SERVER_KEY]
    account = srv.authenticate(request)
    body = await read_json(request)
    model = _require_model(body)
    try:
        info = model_info(model)
    except UnknownModelError:
        raise ApiError(404, "ModelNotFound", f"Model '{model}' not found.") from None
    return srv, account, body, model, info


def _input(body: dict) -> dict:
    inp = body.get("input")
    if inp is None:
        raise ApiError(400, "BadRequest.EmptyInput", "Required parameter 'input' missing.")
    if not isinstance(inp, dict):
        raise invalid("'input' must be an object.")
    return inp


def _parameters(body: dict) -> dict:
    params = body.get("parameters") or {}
    if not isinstance(params, dict):
        raise invalid("'parameters' must be an object.")
    return params


# --- vocabulary -----------------------------------------------------------------------------

def _parse_entries(raw: object, target_model: str) -> list[Hotword]:
    if not isinstance(raw, list):
        raise invalid("'vocabulary' must be a list of {text, weight, lang} objects.")
    if len(raw) > MAX_HOTWORDS_PER_LIST:
        raise invalid(f"Too many hotwords: {len(raw)}; a vocabulary may hold at most "
                      f"{MAX_HOTWORDS_PER_LIST}.")
    items = []
    for i, e in enumerate(raw):
        if not isinstance(e, dict):
            raise invalid(f"vocabulary[{i}] must be an object with 'text' and 'weight'.")
        if "text" not in e or "weight" not in e:
            raise invalid(f"vocabulary[{i}] is missing required field "
                          f"'{'text' if 'text' not in e else 'weight'}'.")
        items.append(Hotword(e["text"], e["weight"], e.get("lang")))
    problems = errors(validate_items(items, target_model))
    if problems:
        first = problems[0]
        more = f" ({len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        where = f"vocabulary[{first.row}]" if first.row is not None else "vocabulary"
        raise invalid(f"{where}: {first.message}{more}")
    for h in items:
        h.text = h.text.strip()
    return items


def _vocab_listing(v: Vocabulary) -> dict:
    return {"vocabulary_id": v.vocabulary_id, "gmt_create": v.gmt_create,
            "gmt_modified": v.gmt_modified, "status": v.status}


def _create_vocabulary(srv: EmulatorServer, account: str, inp: dict) -> web.Response:
    store = srv.store
    target = inp.get("target_model")
    prefix = inp.get("prefix")
    if not isinstance(target, str) or not target:
        raise invalid("Required parameter 'target_model' missing.")
    try:
        model_info(target)
    except UnknownModelError:
        raise invalid(f"target_model '{target}' is not a model that supports vocabularies.") from None
    if not isinstance(prefix, str) or check_prefix(prefix):
        raise invalid(f"Invalid prefix {prefix!r}: use 1 to 10 lowercase letters or digits.")
    items = _parse_entries(inp.get("vocabulary"), target)
    if len(store.account_vocabularies(account)) >= MAX_LISTS_PER_ACCOUNT:
        raise invalid(f"Vocabulary quota exceeded: an account may hold at most "
                      f"{MAX_LISTS_PER_ACCOUNT} vocabularies; delete one first.")
    v = Vocabulary(store.new_vocabulary_id(prefix), account, prefix, target, items,
                   undeployed_left=max(0, srv.faults.undeployed_queries))
    store.vocabularies[v.vocabulary_id] = v
    return ok({"vocabulary_id": v.vocabulary_id}, {"count": 1})


def _list_vocabularies(store: Store, account: str, inp: dict) -> web.Response:
    prefix = inp.get("prefix")
    page_index, page_size = inp.get("page_index", 0), inp.get("page_size", 10)
    if not (isinstance(page_index, int) and isinstance(page_size, int)) or page_index < 0 \
            or not 1 <= page_size <= 100:
        raise invalid("page_index must be >= 0 and page_size from 1 to 100.")
    vs = [v for v in store.account_vocabularies(account)
          if not prefix or v.prefix == prefix]
    page = vs[page_index * page_size:(page_index + 1) * page_size]
    return ok({"vocabulary_list": [_vocab_listing(v) for v in page]}, {"count": 1})


async def customization(request: web.Request) -> web.Response:
    """The five vocabulary actions.

    Uncertain in the cloud's documentation: the cloud's codes for rule violations and unknown ids are not
    documented; every such case answers HTTP 400 `InvalidParameter` with a message naming the
    problem, which the SDK surfaces as VocabularyServiceException. Lists only go UNDEPLOYED when
    the `undeployed_queries` fault asks for it.
    """
    srv: EmulatorServer = request.app[SERVER_KEY]
    account = srv.authenticate(request)
    body = await read_json(request)
    model = _require_model(body)
    if model != VOCAB_MODEL:
        raise invalid(f"Model '{model}' does not serve this endpoint; use '{VOCAB_MODEL}'.")
    inp = _input(body)
    action = inp.get("action")
    store = srv.store
    if action == "create_vocabulary":
        return _create_vocabulary(srv, account, inp)
    if action == "list_vocabulary":
        return _list_vocabularies(store, account, inp)
    if action in ("query_vocabulary", "update_vocabulary", "delete_vocabulary"):
        vid = inp.get("vocabulary_id")
        if not vid:
            raise invalid("Required parameter 'vocabulary_id' missing.")
        v = store.find_vocabulary(account, vid)
        if v is None:
            raise invalid(f"Vocabulary '{vid}' does not exist in this account.")
        if action == "query_vocabulary":
            status = v.status
            if v.undeployed_left > 0:
                v.undeployed_left -= 1
            return ok({"gmt_create": v.gmt_create, "gmt_modified": v.gmt_modified, "status": status,
                       "target_model": v.target_model, "vocabulary": v.entries()}, {"count": 1})
        if action == "update_vocabulary":
            v.items = _parse_entries(inp.get("vocabulary"), v.target_model)
            v.gmt_modified = now_str()
            v.undeployed_left = max(0, srv.faults.undeployed_queries)
            return ok({}, {"count": 1})
        del store.vocabularies[v.vocabulary_id]
        return ok({}, {"count": 1})
    raise invalid(f"Unknown action {action!r}; expected one of create_vocabulary, list_vocabulary, "
                  "query_vocabulary, update_vocabulary, delete_vocabulary.")


def sentence_json(s, sid: int) -> dict:
    d = {"begin_time": s.begin_ms, "end_time": s.end_ms, "sentence_id": sid, "text": s.text,
         "words": [{"begin_time": w.begin_ms, "end_time": w.end_ms, "text": w.text,
                    "punctuation": w.punctuation} for w in s.words]}
    if s.speaker is not None:
        d["speaker_id"] = s.speaker
    return d



# --- flash (multimodal-generation) ----------------------------------------------------------

def _context_from_messages(messages: list) -> tuple[Context, str]:
    """Context messages (cloud caps applied silently, as the cloud does) and the audio reference."""
    ctx: list[ContextMessage] = []
    audio = None
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or not isinstance(m.get("content"), list):
            raise invalid(f"messages[{i}] must be an object with a 'content' list.")
        role = m.get("role")
        for part in m["content"]:
            if not isinstance(part, dict):
                raise invalid(f"messages[{i}].content items must be objects.")
            kind = part.get("type")
            if kind == "input_audio" or "audio" in part:
                inner = part.get("input_audio")
                ref = (inner.get("data") if isinstance(inner, dict) else None) \
                    if kind == "input_audio" else part.get("audio")
                if not isinstance(ref, str) or not ref:
                    raise invalid(f"messages[{i}]: the audio item has no data.")
                audio = ref
            elif role in ("user", "system") and isinstance(part.get("text"), str):
                ctx.append(ContextMessage(Role.USER, part["text"]))
            elif role == "assistant" and isinstance(part.get("text"), str):
                ctx.append(ContextMessage(Role.ASSISTANT, part["text"]))
    if audio is None:
        raise invalid("No audio found: the last user message needs an input_audio item.")
    # Cloud behaviour: keep the newest 5 of each kind, truncate each round to 400 characters.
    kept: list[ContextMessage] = []
    counts = {Role.USER: 0, Role.ASSISTANT: 0}
    for m in reversed(ctx):
        if counts[m.role] < MAX_MESSAGES_PER_ROLE:
            counts[m.role] += 1
            kept.append(m)
    kept.reverse()
    out, budget = [], MAX_CHARS_PER_ROUND
    for m in kept:
        if m.role is Role.USER:
            budget = MAX_CHARS_PER_ROUND
        text = m.text[:budget]
        budget -= len(text)
        out.append(ContextMessage(m.role, text))
    return Context(out), audio


async def flash(request: web.Request) -> web.Response:
    """Fun-ASR-Flash. Response shape is uncertain in the cloud's docs: the text is at
    `output.text` (what known clients parse and what the SDK's MultiModalConversationOutput
    accepts), with `output.sentences` (file-result shape) added so timestamps are available."""
    srv, account, body, model, info = await _recognition_request(request)
    if not info.supports(Mode.FLASH):
        raise invalid(f"Model '{model}' is not served by multimodal-generation here; use "
                      "fun-asr-flash-2026-06-15.")
    if request.headers.get("X-DashScope-SSE", "").lower() == "enable":
        raise invalid("SSE streaming is not emulated; send X-DashScope-SSE: disable.")
    inp = _input(body)
    messages = inp.get("messages")
    if not isinstance(messages, list) or not messages:
        raise invalid("'input.messages' must be a non-empty list.")
    params = _parameters(body)
    context, ref = _context_from_messages(messages)
    oss = request.headers.get("X-DashScope-OssResourceResolve", "").lower() == "enable"
    data = await fetch_audio(srv, ref, account, model, oss)
    try:  # the header is checked and the length bounded before decoding, off the event loop
        samples, _rate, _n, dur_ms = await asyncio.get_running_loop().run_in_executor(
            None, decode_file, data, 0, FLASH_MAX_S)
    except AudioTooLong as e:
        raise invalid(f"Audio is {e.seconds:.0f} s long; fun-asr-flash accepts at most 5 minutes.") from None
    except AudioFormatError as e:
        raise ApiError(400, "InvalidFile.DecodeFailed", str(e)) from None
    vocab = srv.store.find_vocabulary(account, params.get("vocabulary_id"))
    opts = srv.recognizer.options(model, params, vocab, context if not context.is_empty() else None)
    tr: Transcript = await srv.run_engine(lambda: srv.recognizer.engine.recognize(samples, opts))
    return ok({"text": tr.text, "finish_reason": "stop",
               "sentences": [sentence_json(s, i + 1) for i, s in enumerate(tr.sentences)]},
              {"duration": math.ceil(dur_ms / 1000)})
