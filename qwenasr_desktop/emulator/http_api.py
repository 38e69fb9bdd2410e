"""The emulator's HTTP routes under /api/v1: vocabulary, file tasks, uploads, flash, results."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import json
import math
import time
from typing import TYPE_CHECKING

import httpx
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
from .audio import AudioFormatError, decode_file
from .errors import ApiError, invalid, request_id
from .store import FileTask, Store, Upload, Vocabulary, now_str

if TYPE_CHECKING:
    from .server import EmulatorServer

VOCAB_MODEL = "speech-biasing"
POLICY_TTL_S = 300


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
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
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


async def customization(request: web.Request) -> web.Response:
    """The five vocabulary actions.

    Uncertain in the notes (§7.1): the cloud's codes for rule violations and unknown ids are not
    documented; every such case answers HTTP 400 `InvalidParameter` with a message naming the
    problem, which the SDK surfaces as VocabularyServiceException. Lists only go UNDEPLOYED when
    the `undeployed_queries` fault asks for it (§7.2).
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
    if action == "list_vocabulary":
        prefix = inp.get("prefix")
        page_index, page_size = inp.get("page_index", 0), inp.get("page_size", 10)
        if not (isinstance(page_index, int) and isinstance(page_size, int)) or page_index < 0 \
                or not 1 <= page_size <= 100:
            raise invalid("page_index must be >= 0 and page_size from 1 to 100.")
        vs = [v for v in store.account_vocabularies(account)
              if not prefix or v.prefix == prefix]
        page = vs[page_index * page_size:(page_index + 1) * page_size]
        return ok({"vocabulary_list": [_vocab_listing(v) for v in page]}, {"count": 1})
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


# --- temporary upload (getPolicy + fake OSS form POST) ---------------------------------------

def _sign(secret: bytes, policy: str) -> str:
    return base64.b64encode(hmac.new(secret, policy.encode(), hashlib.sha1).digest()).decode()


async def uploads(request: web.Request) -> web.Response:
    srv: EmulatorServer = request.app[SERVER_KEY]
    account = srv.authenticate(request)
    if request.query.get("action") != "getPolicy":
        raise invalid("Unsupported uploads action; use action=getPolicy.")
    model = request.query.get("model")
    if not model:
        raise invalid("Required parameter 'model' missing.")
    expiry = time.time() + POLICY_TTL_S
    upload_dir = f"dashscope-instant/{hashlib.sha1(account.encode()).hexdigest()[:16]}/" \
                 f"{time.strftime('%Y-%m-%d')}/{Store.token()[:12]}"
    policy = base64.b64encode(json.dumps(
        {"expiration": expiry, "conditions": [["starts-with", "$key", upload_dir]]}).encode()).decode()
    sig = _sign(srv.secret, policy)
    srv.store.policies[sig] = (account, model, expiry)
    return ok({"policy": policy, "signature": sig, "upload_dir": upload_dir,
               "upload_host": f"{srv.base_url}/oss", "expire_in_seconds": POLICY_TTL_S,
               "max_file_size_mb": 100, "capacity_limit_mb": 999999,
               "oss_access_key_id": "emulator", "x_oss_object_acl": "private",
               "x_oss_forbid_overwrite": "true"}, key="data")


async def oss_upload(request: web.Request) -> web.Response:
    """The storage host's form upload. Errors are plain text, as the storage service's are XML."""
    srv: EmulatorServer = request.app[SERVER_KEY]
    try:
        form = await request.post()
    except Exception as e:
        return web.Response(status=400, text=f"Malformed form upload: {e}")
    need = ("OSSAccessKeyId", "Signature", "policy", "key", "file")
    missing = [k for k in need if k not in form]
    if missing:
        return web.Response(status=400, text=f"Missing form field(s): {', '.join(missing)}")
    policy, sig, key = str(form["policy"]), str(form["Signature"]), str(form["key"])
    if not hmac.compare_digest(_sign(srv.secret, policy), sig) or sig not in srv.store.policies:
        return web.Response(status=403, text="SignatureDoesNotMatch")
    account, model, expiry = srv.store.policies[sig]
    if time.time() > expiry:
        return web.Response(status=403, text="Policy expired")
    try:
        prefix = json.loads(base64.b64decode(policy))["conditions"][0][2]
    except (ValueError, KeyError, IndexError, binascii.Error):
        return web.Response(status=400, text="Malformed policy")
    if not key.startswith(prefix + "/"):
        return web.Response(status=403, text="The key is outside the policy's upload_dir")
    if key in srv.store.uploads and str(form.get("x-oss-forbid-overwrite", "")).lower() == "true":
        return web.Response(status=409, text="FileAlreadyExists")
    part = form["file"]
    if not hasattr(part, "file"):
        return web.Response(status=400, text="The 'file' field must be a file part")
    data = part.file.read()
    srv.store.uploads[key] = Upload(key, account, model, data,
                                    str(form.get("x-oss-content-type", "application/octet-stream")))
    sas = str(form.get("success_action_status", ""))
    return web.Response(status=int(sas) if sas in ("200", "201") else 204)


async def fetch_audio(srv: EmulatorServer, url: str, account: str, model: str,
                      oss_resolve: bool) -> bytes:
    """Bytes of an input URL: oss:// (needs the resolve header), data: URL, or http(s) download."""
    if url.startswith("oss://"):
        if not oss_resolve:
            raise ApiError(400, "InvalidParameter", "oss:// URLs need the header "
                           "X-DashScope-OssResourceResolve: enable.")
        up = srv.store.uploads.get(url[len("oss://"):])
        if up is None or up.account != account:
            raise ApiError(400, "InvalidFile.DownloadFailed", "The audio file cannot be downloaded.")
        if up.model != model:
            raise ApiError(400, "InvalidFile.DownloadFailed", f"The uploaded file is bound to model "
                           f"'{up.model}', not '{model}'.")
        return up.data
    if url.startswith("data:"):
        head, _, b64 = url.partition(",")
        if ";base64" not in head:
            raise invalid("data URLs must be base64 encoded (data:<mime>;base64,<data>).")
        try:
            return base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError):
            raise invalid("The data URL's base64 payload is malformed.") from None
    if url.startswith(("http://", "https://")):
        try:
            async with httpx.AsyncClient(timeout=20) as client:
                r = await client.get(url)
        except httpx.HTTPError:
            raise ApiError(400, "InvalidFile.DownloadFailed",
                           "The audio file cannot be downloaded.") from None
        if r.status_code != 200:
            raise ApiError(400, "InvalidFile.DownloadFailed",
                           f"The audio file cannot be downloaded (HTTP {r.status_code}).")
        return r.content
    raise ApiError(400, "InvalidURL", f"Unsupported URL {url[:80]!r}: use http(s)://, oss:// or a "
                   "data: URL.")


# --- file transcription ---------------------------------------------------------------------

async def transcription(request: web.Request) -> web.Response:
    """Async submit. Up to 100 file_urls are accepted (older Paraformer limit; Fun-ASR docs now say
    one per task, §7.9); the SDK's Transcription sends a list either way."""
    srv, account, body, model, info = await _recognition_request(request)
    if not info.supports(Mode.FILE):
        raise ApiError(403, "AccessDenied", "current user api does not support asynchronous calls")
    if request.headers.get("X-DashScope-Async", "").lower() != "enable":
        raise ApiError(403, "AccessDenied", "current user api does not support synchronous calls")
    inp = _input(body)
    urls = inp.get("file_urls")
    if not isinstance(urls, list) or not urls or not all(isinstance(u, str) and u for u in urls):
        raise invalid("'input.file_urls' must be a non-empty list of URLs.")
    if len(urls) > 100:
        raise invalid(f"At most 100 file_urls per task; got {len(urls)}.")
    params = _parameters(body)
    task = FileTask(Store.new_task_id(), account, model, urls, params,
                    request.headers.get("X-DashScope-OssResourceResolve", "").lower() == "enable")
    srv.store.tasks[task.task_id] = task
    srv.spawn(run_file_task(srv, task))
    return ok({"task_status": task.status, "task_id": task.task_id})


def _sentence_json(s, sid: int) -> dict:
    d = {"begin_time": s.begin_ms, "end_time": s.end_ms, "sentence_id": sid, "text": s.text,
         "words": [{"begin_time": w.begin_ms, "end_time": w.end_ms, "text": w.text,
                    "punctuation": w.punctuation} for w in s.words]}
    if s.speaker is not None:
        d["speaker_id"] = s.speaker
    return d


async def run_file_task(srv: EmulatorServer, task: FileTask) -> None:
    while srv.faults.hold_file_tasks and task.status == "PENDING":
        await asyncio.sleep(0.05)
    if task.status != "PENDING":  # cancelled while held
        return
    task.status, task.scheduled_time = "RUNNING", now_str(True)
    if srv.faults.take("fail_file_tasks"):
        task.status, task.end_time = "FAILED", now_str(True)
        task.code, task.message = "InternalError.Algo", "Fault injected: the task failed."
        task.results = [{"file_url": u, "code": task.code, "message": task.message,
                         "subtask_status": "FAILED"} for u in task.file_urls]
        return
    vocab = srv.store.find_vocabulary(task.account, task.parameters.get("vocabulary_id"))
    channels = task.parameters.get("channel_id") or [0]
    if not isinstance(channels, list) or not all(isinstance(c, int) and c >= 0 for c in channels):
        channels = [0]
    total_ms = 0
    for url in task.file_urls:
        try:
            data = await fetch_audio(srv, url, task.account, task.model, task.oss_resolve)
            transcripts, props = [], {}
            for ch in channels:
                samples, rate, _n_ch, dur_ms = decode_file(data, ch)
                props = {"audio_format": "pcm_s16le", "channels": channels,
                         "original_sampling_rate": rate, "original_duration_in_milliseconds": dur_ms}
                opts = srv.recognizer.options(task.model, task.parameters, vocab)
                tr: Transcript = await srv.run_engine(lambda s=samples, o=opts:
                                                      srv.recognizer.engine.recognize(s, o))
                sentences = [_sentence_json(s, i + 1) for i, s in enumerate(tr.sentences)]
                speech = sum(max(0, s.end_ms - s.begin_ms) for s in tr.sentences)
                transcripts.append({"channel_id": ch, "content_duration_in_milliseconds": speech,
                                    "text": tr.text, "sentences": sentences})
                total_ms += dur_ms
            doc = {"file_url": url, "properties": props, "transcripts": transcripts}
            token = Store.token()
            srv.store.results[token] = json.dumps(doc, ensure_ascii=False).encode()
            task.results.append({"file_url": url, "subtask_status": "SUCCEEDED",
                                 "transcription_url": f"{srv.base_url}/results/{token}.json"
                                                      f"?Expires={int(time.time()) + 86400}"})
        except ApiError as e:
            task.results.append({"file_url": url, "code": e.code, "message": e.message,
                                 "subtask_status": "FAILED"})
        except AudioFormatError as e:
            task.results.append({"file_url": url, "code": "InvalidFile.DecodeFailed", "message": str(e),
                                 "subtask_status": "FAILED"})
        except Exception as e:  # the engine failed: report, never crash the server
            srv.log.error("recognition failed: %s: %s", type(e).__name__, e)
            task.results.append({"file_url": url, "code": "InternalError",
                                 "message": f"Recognition failed: {type(e).__name__}",
                                 "subtask_status": "FAILED"})
    task.duration_s = math.ceil(total_ms / 1000)
    task.end_time = now_str(True)
    if any(r["subtask_status"] == "SUCCEEDED" for r in task.results):
        task.status = "SUCCEEDED"
    else:
        task.status = "FAILED"
        task.code = task.results[0].get("code", "InternalError")
        task.message = task.results[0].get("message", "")


def _task_output(task: FileTask) -> dict:
    out: dict = {"task_id": task.task_id, "task_status": task.status, "submit_time": task.submit_time}
    if task.scheduled_time:
        out["scheduled_time"] = task.scheduled_time
    if task.end_time:
        out["end_time"] = task.end_time
    if task.status in ("SUCCEEDED", "FAILED") and task.results:
        out["results"] = task.results
        ok_n = sum(r["subtask_status"] == "SUCCEEDED" for r in task.results)
        out["task_metrics"] = {"TOTAL": len(task.results), "SUCCEEDED": ok_n,
                               "FAILED": len(task.results) - ok_n}
    if task.status == "FAILED" and task.code:
        out["code"], out["message"] = task.code, task.message
    return out


async def task_get(request: web.Request) -> web.Response:
    srv: EmulatorServer = request.app[SERVER_KEY]
    account = srv.authenticate(request)
    task = srv.store.tasks.get(request.match_info["task_id"])
    if task is None or task.account != account:
        return ok({"task_id": request.match_info["task_id"], "task_status": "UNKNOWN"})
    usage = {"duration": task.duration_s} if task.status == "SUCCEEDED" else None
    return ok(_task_output(task), usage)


async def task_cancel(request: web.Request) -> web.Response:
    srv: EmulatorServer = request.app[SERVER_KEY]
    account = srv.authenticate(request)
    task = srv.store.tasks.get(request.match_info["task_id"])
    if task is None or task.account != account:
        raise invalid(f"Task '{request.match_info['task_id']}' does not exist.")
    if task.status != "PENDING":
        raise ApiError(400, "UnsupportedOperation", f"Only PENDING tasks can be cancelled; the task is "
                       f"{task.status}.")
    task.status, task.end_time = "CANCELED", now_str(True)
    return ok({})


async def result_file(request: web.Request) -> web.Response:
    """The pre-signed result URL: no Authorization, like the cloud's OSS link."""
    srv: EmulatorServer = request.app[SERVER_KEY]
    data = srv.store.results.get(request.match_info["token"])
    if data is None:
        return web.Response(status=404, text="NoSuchKey")
    return web.Response(body=data, content_type="application/json")


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
                ref = part.get("input_audio", {}).get("data") if kind == "input_audio" \
                    else part.get("audio")
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
    """Fun-ASR-Flash. Response shape is uncertain in the docs (§4.1, §7.4): the text is at
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
    try:
        samples, _rate, _n, dur_ms = decode_file(data)
    except AudioFormatError as e:
        raise ApiError(400, "InvalidFile.DecodeFailed", str(e)) from None
    if dur_ms > 5 * 60 * 1000:
        raise invalid(f"Audio is {dur_ms / 1000:.0f} s long; fun-asr-flash accepts at most 5 minutes.")
    vocab = srv.store.find_vocabulary(account, params.get("vocabulary_id"))
    opts = srv.recognizer.options(model, params, vocab, context if not context.is_empty() else None)
    tr: Transcript = await srv.run_engine(lambda: srv.recognizer.engine.recognize(samples, opts))
    return ok({"text": tr.text, "finish_reason": "stop",
               "sentences": [_sentence_json(s, i + 1) for i, s in enumerate(tr.sentences)]},
              {"duration": math.ceil(dur_ms / 1000)})
