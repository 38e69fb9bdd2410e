"""File transcription and its inputs: temporary uploads (getPolicy + a fake OSS form POST), the
async task routes, result files, and fetching the audio a task or flash call names.

Uploads are kept on disk with a size cap and an expiry (see store.py).
"""

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

from aiohttp import web

from ..core.models import Mode
from ..core.transcript import Transcript
from .appkey import SERVER_KEY
from .audio import MAX_CHANNELS, AudioFormatError, decode_file
from .errors import ApiError, invalid
from .http_api import _input, _parameters, _recognition_request, ok, sentence_json
from .sources import check_url, fetch_audio
from .store import FileTask, Store, UploadTooLarge, now_str

if TYPE_CHECKING:
    from .server import EmulatorServer

POLICY_TTL_S = 300

# --- temporary upload (getPolicy + fake OSS form POST) ---------------------------------------

def _sign(secret: bytes, policy: str) -> str:
    return base64.b64encode(hmac.new(secret, policy.encode("utf-8", "surrogatepass"),
                                     hashlib.sha1).digest()).decode()


async def uploads(request: web.Request) -> web.Response:
    srv: EmulatorServer = request.app[SERVER_KEY]
    account = srv.authenticate(request)
    if request.query.get("action") != "getPolicy":
        raise invalid("Unsupported uploads action; use action=getPolicy.")
    model = request.query.get("model")
    if not model:
        raise invalid("Required parameter 'model' missing.")
    srv.store.sweep()
    expiry = srv.store.clock() + POLICY_TTL_S
    upload_dir = f"dashscope-instant/{hashlib.sha1(account.encode()).hexdigest()[:16]}/" \
                 f"{time.strftime('%Y-%m-%d')}/{Store.token()[:12]}"
    policy = base64.b64encode(json.dumps(
        {"expiration": expiry, "conditions": [["starts-with", "$key", upload_dir]]}).encode()).decode()
    sig = _sign(srv.secret, policy)
    srv.store.policies[sig] = (account, model, expiry)
    return ok({"policy": policy, "signature": sig, "upload_dir": upload_dir,
               "upload_host": f"{srv.base_url}/oss", "expire_in_seconds": POLICY_TTL_S,
               "max_file_size_mb": srv.store.upload_max_bytes >> 20, "capacity_limit_mb": 999999,
               "oss_access_key_id": "emulator", "x_oss_object_acl": "private",
               "x_oss_forbid_overwrite": "true"}, key="data")


async def oss_upload(request: web.Request) -> web.Response:
    """The storage host's form upload. Errors are plain text, as the storage service's are XML.
    aiohttp spools the file part to a temporary file; it is copied into the store's folder (with
    the size cap) and closed, so no upload is ever held in memory."""
    srv: EmulatorServer = request.app[SERVER_KEY]
    try:
        form = await request.post()
    except web.HTTPRequestEntityTooLarge:
        return web.Response(status=400, text="EntityTooLarge")
    except Exception as e:
        return web.Response(status=400, text=f"Malformed form upload: {type(e).__name__}")
    try:
        return await _store_form(srv, form)
    finally:
        for v in form.values():
            if isinstance(v, web.FileField):
                v.file.close()


async def _store_form(srv: EmulatorServer, form) -> web.Response:
    need = ("OSSAccessKeyId", "Signature", "policy", "key", "file")
    missing = [k for k in need if k not in form]
    if missing:
        return web.Response(status=400, text=f"Missing form field(s): {', '.join(missing)}")
    policy, sig, key = str(form["policy"]), str(form["Signature"]), str(form["key"])
    # bytes, not str: compare_digest raises TypeError on a non-ASCII str (a forged field)
    if not hmac.compare_digest(_sign(srv.secret, policy).encode(), sig.encode("utf-8", "surrogatepass")) \
            or sig not in srv.store.policies:
        return web.Response(status=403, text="SignatureDoesNotMatch")
    account, model, expiry = srv.store.policies[sig]
    if srv.store.clock() > expiry:
        return web.Response(status=403, text="Policy expired")
    try:
        prefix = json.loads(base64.b64decode(policy))["conditions"][0][2]
    except (ValueError, KeyError, IndexError, binascii.Error):
        return web.Response(status=400, text="Malformed policy")
    if not key.startswith(prefix + "/"):
        return web.Response(status=403, text="The key is outside the policy's upload_dir")
    if srv.store.find_upload(key) and str(form.get("x-oss-forbid-overwrite", "")).lower() == "true":
        return web.Response(status=409, text="FileAlreadyExists")
    part = form["file"]
    if not isinstance(part, web.FileField):
        return web.Response(status=400, text="The 'file' field must be a file part")
    ctype = str(form.get("x-oss-content-type", "application/octet-stream"))
    try:
        await asyncio.get_running_loop().run_in_executor(
            None, srv.store.save_upload, key, account, model, part.file, ctype)
    except UploadTooLarge:
        return web.Response(status=400, text=f"EntityTooLarge: at most "
                            f"{srv.store.upload_max_bytes} bytes per file here")
    sas = str(form.get("success_action_status", ""))
    return web.Response(status=int(sas) if sas in ("200", "201") else 204)


# --- file transcription ---------------------------------------------------------------------

async def transcription(request: web.Request) -> web.Response:
    """Async submit. Up to 100 file_urls are accepted (older Paraformer limit; Fun-ASR docs now say
    one per task); the SDK's Transcription sends a list either way."""
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
    for u in urls:
        check_url(srv, u)
    params = _parameters(body)
    task = FileTask(Store.new_task_id(), account, model, urls, params,
                    request.headers.get("X-DashScope-OssResourceResolve", "").lower() == "enable")
    srv.store.tasks[task.task_id] = task
    srv.spawn(run_file_task(srv, task))
    return ok({"task_status": task.status, "task_id": task.task_id})


async def run_file_task(srv: EmulatorServer, task: FileTask) -> None:
    while srv.faults.hold_file_tasks and task.status == "PENDING":
        await asyncio.sleep(0.05)
    if task.status != "PENDING":  # cancelled while held
        return
    task.status, task.scheduled_time = "RUNNING", now_str(True)
    if srv.faults.take("fail_file_tasks"):
        task.status, task.end_time = "FAILED", now_str(True)
        srv.store.ended(task)
        task.code, task.message = "InternalError.Algo", "Fault injected: the task failed."
        task.results = [{"file_url": u, "code": task.code, "message": task.message,
                         "subtask_status": "FAILED"} for u in task.file_urls]
        return
    vocab = srv.store.find_vocabulary(task.account, task.parameters.get("vocabulary_id"))
    channels = task.parameters.get("channel_id") or [0]
    if not isinstance(channels, list) or not all(type(c) is int and 0 <= c < MAX_CHANNELS
                                                 for c in channels):
        channels = [0]
    channels = list(dict.fromkeys(channels))  # each channel once: a long list cannot multiply work
    total_ms = 0
    for url in task.file_urls:
        try:
            result, ms = await _recognize_url(srv, task, url, channels, vocab)
            task.results.append(result)
            total_ms += ms
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
    srv.store.ended(task)
    if any(r["subtask_status"] == "SUCCEEDED" for r in task.results):
        task.status = "SUCCEEDED"
    else:
        task.status = "FAILED"
        task.code = task.results[0].get("code", "InternalError")
        task.message = task.results[0].get("message", "")


async def _recognize_url(srv: EmulatorServer, task: FileTask, url: str, channels: list[int],
                         vocab) -> tuple[dict, int]:
    """(the subtask's result entry, audio ms) for one file; decoding runs off the event loop."""
    data = await fetch_audio(srv, url, task.account, task.model, task.oss_resolve)
    loop = asyncio.get_running_loop()
    transcripts, props, total_ms = [], {}, 0
    for ch in channels:
        samples, rate, _n_ch, dur_ms = await loop.run_in_executor(None, decode_file, data, ch)
        props = {"audio_format": "pcm_s16le", "channels": channels,
                 "original_sampling_rate": rate, "original_duration_in_milliseconds": dur_ms}
        opts = srv.recognizer.options(task.model, task.parameters, vocab)
        tr: Transcript = await srv.run_engine(lambda s=samples, o=opts:
                                              srv.recognizer.engine.recognize(s, o))
        sentences = [sentence_json(s, i + 1) for i, s in enumerate(tr.sentences)]
        speech = sum(max(0, s.end_ms - s.begin_ms) for s in tr.sentences)
        transcripts.append({"channel_id": ch, "content_duration_in_milliseconds": speech,
                            "text": tr.text, "sentences": sentences})
        total_ms += dur_ms
    doc = {"file_url": url, "properties": props, "transcripts": transcripts}
    token = Store.token()
    expires = srv.store.add_result(token, json.dumps(doc, ensure_ascii=False).encode())
    return {"file_url": url, "subtask_status": "SUCCEEDED",
            "transcription_url": f"{srv.base_url}/results/{token}.json?Expires={int(expires)}"}, total_ms


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
    task = srv.store.find_task(request.match_info["task_id"])
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
    srv.store.ended(task)
    return ok({})


async def result_file(request: web.Request) -> web.Response:
    """The pre-signed result URL: no Authorization, like the cloud's OSS link."""
    srv: EmulatorServer = request.app[SERVER_KEY]
    data = srv.store.find_result(request.match_info["token"])
    if data is None:
        return web.Response(status=404, text="NoSuchKey")
    return web.Response(body=data, content_type="application/json")
