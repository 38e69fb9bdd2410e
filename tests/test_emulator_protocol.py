"""The emulator's wire behaviour with raw HTTP and WebSocket clients: auth, envelopes, limits,
error bodies for bad input, file-task states, uploads and fault switches.

None of these paths reaches recognition: the engine factory fails loudly if one does.
"""

from __future__ import annotations

import asyncio
import io
import json

import httpx
import numpy as np
import pytest
import soundfile as sf
from emulators import clean_emulator_fixtures, serving, ws_exchange, ws_run  # tests/ is on sys.path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import InvalidStatus

KEY = "sk-emulatortest0001"


emu, _clean = clean_emulator_fixtures(KEY)


@pytest.fixture()
def api(emu):
    with httpx.Client(base_url=emu.http_base + "/", headers={"Authorization": f"Bearer {KEY}"},
                      timeout=10) as c:
        yield c


def vocab(api, inp: dict) -> httpx.Response:
    return api.post("services/audio/asr/customization",
                    json={"model": "speech-biasing", "input": inp, "parameters": {}})


def create(api, prefix="t", target="fun-asr", items=None) -> httpx.Response:
    return vocab(api, {"action": "create_vocabulary", "prefix": prefix, "target_model": target,
                       "vocabulary": items if items is not None else [{"text": "Kubernetes", "weight": 4}]})


def assert_error(r: httpx.Response, status: int, code: str, *words: str) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"request_id", "code", "message"}
    assert body["code"] == code
    for w in words:
        assert w.lower() in body["message"].lower(), body["message"]
    return body


# --- auth ----------------------------------------------------------------------------------

def test_missing_and_wrong_key_get_the_cloud_401(emu):
    url = emu.http_base + "/services/audio/asr/customization"
    body = {"model": "speech-biasing", "input": {"action": "list_vocabulary"}}
    assert_error(httpx.post(url, json=body), 401, "InvalidApiKey", "No API-key")
    assert_error(httpx.post(url, json=body, headers={"Authorization": "Bearer sk-other"}), 401,
                 "InvalidApiKey", "Invalid API-key")
    # the scheme is case-insensitive (official WS samples write "bearer")
    r = httpx.post(url, json=body, headers={"Authorization": f"bearer {KEY}"})
    assert r.status_code == 200 and "vocabulary_list" in r.json()["output"]


# --- vocabulary envelopes and limits -------------------------------------------------------

def test_vocabulary_lifecycle_envelopes(api):
    r = create(api, "abc1", "fun-asr-realtime", [{"text": "赛德克巴莱", "weight": 4, "lang": "zh"}])
    assert r.status_code == 200
    body = r.json()
    vid = body["output"]["vocabulary_id"]
    assert vid.startswith("vocab-abc1-") and len(vid.split("-")[-1]) == 32
    assert body["usage"] == {"count": 1} and body["request_id"]
    q = vocab(api, {"action": "query_vocabulary", "vocabulary_id": vid}).json()["output"]
    assert q["status"] == "OK" and q["target_model"] == "fun-asr-realtime"
    assert q["vocabulary"] == [{"text": "赛德克巴莱", "weight": 4, "lang": "zh"}]
    assert vocab(api, {"action": "update_vocabulary", "vocabulary_id": vid,
                       "vocabulary": [{"text": "Seediq Bale", "weight": 5}]}).status_code == 200
    q = vocab(api, {"action": "query_vocabulary", "vocabulary_id": vid}).json()["output"]
    assert q["vocabulary"] == [{"text": "Seediq Bale", "weight": 5}]  # full replacement
    listed = vocab(api, {"action": "list_vocabulary", "prefix": "abc1"}).json()["output"]["vocabulary_list"]
    assert [v["vocabulary_id"] for v in listed] == [vid]
    assert set(listed[0]) == {"vocabulary_id", "gmt_create", "gmt_modified", "status"}
    assert vocab(api, {"action": "delete_vocabulary", "vocabulary_id": vid}).status_code == 200
    assert_error(vocab(api, {"action": "query_vocabulary", "vocabulary_id": vid}), 400,
                 "InvalidParameter", vid)


def test_vocabulary_rules_are_enforced_with_named_problems(api):
    assert_error(create(api, prefix="Bad_Prefix"), 400, "InvalidParameter", "prefix")
    assert_error(create(api, items=[{"text": "x" * 3, "weight": 6}]), 400, "InvalidParameter",
                 "vocabulary[0]", "weight")
    assert_error(create(api, items=[{"text": "这是一个非常非常非常长的热词超过十五个字", "weight": 4}]),
                 400, "InvalidParameter", "15 characters")
    assert_error(create(api, items=[{"text": "one two three four five six seven eight", "weight": 4}]),
                 400, "InvalidParameter", "7")
    assert_error(create(api, items=[{"weight": 4}]), 400, "InvalidParameter", "text")
    assert_error(create(api, items=[{"text": f"w{i}", "weight": 4} for i in range(501)]), 400,
                 "InvalidParameter", "500")
    assert_error(create(api, target="no-such-model"), 400, "InvalidParameter", "no-such-model")
    assert create(api, items=[{"text": f"w{i}", "weight": 4} for i in range(500)]).status_code == 200


def test_ten_lists_per_account(api):
    for i in range(10):
        assert create(api, prefix=f"p{i}").status_code == 200
    assert_error(create(api, prefix="p10"), 400, "InvalidParameter", "at most 10")
    page = vocab(api, {"action": "list_vocabulary", "page_index": 1, "page_size": 4}).json()
    assert len(page["output"]["vocabulary_list"]) == 4


def test_lists_are_per_account():
    with serving(None) as open_emu:  # accepts any key; each key is an account
        url = open_emu.http_base + "/services/audio/asr/customization"
        mk = {"model": "speech-biasing", "input": {"action": "create_vocabulary", "prefix": "a",
                                                    "target_model": "fun-asr",
                                                    "vocabulary": [{"text": "x", "weight": 3}]}}
        ls = {"model": "speech-biasing", "input": {"action": "list_vocabulary"}}
        vid = httpx.post(url, json=mk, headers={"Authorization": "Bearer key-a"}).json()["output"][
            "vocabulary_id"]
        a = httpx.post(url, json=ls, headers={"Authorization": "Bearer key-a"}).json()
        b = httpx.post(url, json=ls, headers={"Authorization": "Bearer key-b"}).json()
        assert [v["vocabulary_id"] for v in a["output"]["vocabulary_list"]] == [vid]
        assert b["output"]["vocabulary_list"] == []


@pytest.mark.parametrize("content, code, word", [
    (b"{not json", "InvalidParameter", "json"),
    (b"[1, 2]", "InvalidParameter", "object"),
    (b"", "BadRequest.EmptyInput", "empty"),
    (json.dumps({"model": "speech-biasing", "input": {"action": "drop_tables"}}).encode(),
     "InvalidParameter", "unknown action"),
    (json.dumps({"model": "speech-biasing"}).encode(), "BadRequest.EmptyInput", "input"),
    (json.dumps({"input": {}}).encode(), "BadRequest.EmptyModel", "model"),
    (json.dumps({"model": "qwen-max", "input": {"action": "list_vocabulary"}}).encode(),
     "InvalidParameter", "speech-biasing"),
])
def test_malformed_requests_get_error_bodies(api, content, code, word):
    r = api.post("services/audio/asr/customization", content=content,
                 headers={"Content-Type": "application/json"})
    assert_error(r, 400, code, word)


def test_unknown_path_is_url_error(api):
    assert_error(api.post("services/audio/asr/nothing", json={}), 404, "InvalidParameter", "url error")


# --- file tasks and uploads ----------------------------------------------------------------

def wav_of(seconds: float = 0.5) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, np.zeros(int(16000 * seconds), np.float32), 16000, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def upload(api, emu, data: bytes, name="a.wav", model="fun-asr") -> str:
    pol = api.get("uploads", params={"action": "getPolicy", "model": model})
    assert pol.status_code == 200
    d = pol.json()["data"]
    assert d["upload_host"].startswith(emu.base_url)
    key = f"{d['upload_dir']}/{name}"
    r = httpx.post(d["upload_host"], data={
        "OSSAccessKeyId": d["oss_access_key_id"], "Signature": d["signature"], "policy": d["policy"],
        "key": key, "x-oss-object-acl": d["x_oss_object_acl"],
        "x-oss-forbid-overwrite": d["x_oss_forbid_overwrite"], "success_action_status": "200",
        "x-oss-content-type": "audio/wav"}, files={"file": (name, data)})
    assert r.status_code == 200, r.text
    return "oss://" + key


def submit(api, urls, model="fun-asr", oss=True, asynchronous=True) -> httpx.Response:
    headers = {}
    if asynchronous:
        headers["X-DashScope-Async"] = "enable"
    if oss:
        headers["X-DashScope-OssResourceResolve"] = "enable"
    return api.post("services/audio/asr/transcription", headers=headers,
                    json={"model": model, "input": {"file_urls": urls}, "parameters": {}})


def wait_terminal(api, task_id: str) -> dict:
    async def poll() -> dict:
        while True:
            out = api.get(f"tasks/{task_id}").json()["output"]
            if out["task_status"] in ("SUCCEEDED", "FAILED", "CANCELED", "UNKNOWN"):
                return out
            await asyncio.sleep(0.05)

    return asyncio.run(asyncio.wait_for(poll(), 30))


def test_submit_requires_async_header_and_file_model(api):
    assert_error(submit(api, ["https://example.com/a.wav"], asynchronous=False), 403, "AccessDenied",
                 "synchronous")
    assert_error(submit(api, ["https://example.com/a.wav"], model="fun-asr-flash-2026-06-15"), 403,
                 "AccessDenied", "asynchronous")
    assert_error(submit(api, []), 400, "InvalidParameter", "file_urls")


def test_unknown_task_is_200_unknown(api):
    r = api.get("tasks/00000000-0000-0000-0000-000000000000")
    assert r.status_code == 200 and r.json()["output"]["task_status"] == "UNKNOWN"


def test_injected_task_failure(api, emu):
    url = upload(api, emu, wav_of())
    emu.faults.fail_file_tasks = 1
    r = submit(api, [url])
    assert r.json()["output"]["task_status"] == "PENDING"
    out = wait_terminal(api, r.json()["output"]["task_id"])
    assert out["task_status"] == "FAILED"
    assert out["results"][0]["subtask_status"] == "FAILED" and out["task_metrics"]["FAILED"] == 1


def test_oss_url_without_resolve_header_fails_the_subtask(api, emu):
    url = upload(api, emu, wav_of())
    out = wait_terminal(api, submit(api, [url], oss=False).json()["output"]["task_id"])
    assert out["task_status"] == "FAILED"
    assert "X-DashScope-OssResourceResolve" in out["results"][0]["message"]


def test_upload_is_bound_to_its_model(api, emu):
    url = upload(api, emu, wav_of(), model="paraformer-v2")
    out = wait_terminal(api, submit(api, [url], model="fun-asr").json()["output"]["task_id"])
    assert out["results"][0]["code"] == "InvalidFile.DownloadFailed"
    assert "paraformer-v2" in out["results"][0]["message"]


def test_undecodable_audio_fails_with_decode_error(api, emu):
    url = upload(api, emu, b"this is not audio at all" * 50, name="x.mp3")
    out = wait_terminal(api, submit(api, [url]).json()["output"]["task_id"])
    assert out["task_status"] == "FAILED"
    assert out["results"][0]["code"] == "InvalidFile.DecodeFailed"


def test_upload_rejects_forged_signature_and_overwrite(api, emu):
    d = api.get("uploads", params={"action": "getPolicy", "model": "fun-asr"}).json()["data"]
    form = {"OSSAccessKeyId": "x", "Signature": "forged", "policy": d["policy"],
            "key": d["upload_dir"] + "/a.wav", "success_action_status": "200"}
    assert httpx.post(d["upload_host"], data=form, files={"file": ("a.wav", b"1")}).status_code == 403
    form["Signature"] = d["signature"]
    assert httpx.post(d["upload_host"], data={**form, "x-oss-forbid-overwrite": "true"},
                      files={"file": ("a.wav", b"1")}).status_code == 200
    assert httpx.post(d["upload_host"], data={**form, "x-oss-forbid-overwrite": "true"},
                      files={"file": ("a.wav", b"2")}).status_code == 409
    assert httpx.post(d["upload_host"], data={"policy": "x"}).status_code == 400


def test_cancel_only_pending(api, emu):
    emu.faults.hold_file_tasks = True
    tid = submit(api, ["data:audio/wav;base64,AAAA"]).json()["output"]["task_id"]
    assert api.get(f"tasks/{tid}").json()["output"]["task_status"] == "PENDING"
    assert api.post(f"tasks/{tid}/cancel").status_code == 200
    emu.faults.hold_file_tasks = False
    assert wait_terminal(api, tid)["task_status"] == "CANCELED"
    assert_error(api.post(f"tasks/{tid}/cancel"), 400, "UnsupportedOperation", "CANCELED")


# --- fault switches over HTTP ----------------------------------------------------------------

def test_http_error_and_fault_endpoint(api, emu):
    r = httpx.post(emu.base_url + "/emulator/faults", headers={"Authorization": f"Bearer {KEY}"},
                   json={"http_error_count": 2, "http_error_status": 500})
    assert r.status_code == 200 and r.json()["http_error_count"] == 2
    assert_error(vocab(api, {"action": "list_vocabulary"}), 500, "InternalError")
    assert_error(vocab(api, {"action": "list_vocabulary"}), 500, "InternalError")
    assert vocab(api, {"action": "list_vocabulary"}).status_code == 200
    emu.faults.update({"http_error_count": 1, "http_error_status": 429})
    assert_error(vocab(api, {"action": "list_vocabulary"}), 429, "Throttling", "throttling")
    bad = httpx.post(emu.base_url + "/emulator/faults", headers={"Authorization": f"Bearer {KEY}"},
                     json={"no_such_switch": 1})
    assert_error(bad, 400, "InvalidParameter", "no_such_switch")


# --- WebSocket protocol errors ---------------------------------------------------------------

def run_task(model="fun-asr-realtime", params=None, payload_input=True, task_id="t1") -> str:
    payload = {"task_group": "audio", "task": "asr", "function": "recognition", "model": model,
               "parameters": params if params is not None else {"format": "pcm", "sample_rate": 16000}}
    if payload_input:
        payload["input"] = {}
    return json.dumps({"header": {"action": "run-task", "task_id": task_id, "streaming": "duplex"},
                       "payload": payload})


async def exchange(url: str, *frames, key: str | None = KEY) -> list[dict]:
    return await ws_exchange(url, *frames, key=key)


@pytest.mark.parametrize("frames, code, word", [
    ((b"\x00\x01" * 1600,), "InvalidParameter", "before run-task"),
    ((run_task(payload_input=False),), "InvalidParameter", "payload.input"),
    ((run_task(model="no-such-model"),), "ModelNotFound", "no-such-model"),
    ((run_task(model="fun-asr"),), "InvalidParameter", "real-time"),
    ((run_task(params={"format": "mp3", "sample_rate": 16000}),), "InvalidParameter", "mp3"),
    ((run_task(params={"format": "pcm", "sample_rate": "fast"}),), "InvalidParameter", "sample_rate"),
    ((run_task(params={"format": "pcm", "sample_rate": 16000, "vocabulary_id": "vocab-x-1"}),),
     "InvalidParameter", "vocab-x-1"),
    (("{oops",), "InvalidParameter", "json"),
    ((json.dumps({"header": {"action": "dance", "task_id": "t1"}, "payload": {}}),),
     "InvalidParameter", "unknown action"),
    ((json.dumps({"header": {"action": "finish-task", "task_id": "t1"}, "payload": {"input": {}}}),),
     "InvalidParameter", "not running"),
])
def test_ws_bad_input_gets_task_failed_then_close(emu, frames, code, word):
    for path in ("", "/"):  # the SDK's URL and the docs' trailing-slash URL
        events = ws_run(exchange(emu.ws_url + path, *frames))
        assert len(events) == 1, events
        h = events[0]["header"]
        assert h["event"] == "task-failed" and h["error_code"] == code
        assert word.lower() in h["error_message"].lower()
    # the server is still serving
    alive = httpx.get(emu.http_base + "/tasks/x", headers={"Authorization": f"Bearer {KEY}"})
    assert alive.status_code == 200


def test_ws_auth_rejected_at_handshake(emu):
    with pytest.raises(InvalidStatus) as e:
        ws_run(exchange(emu.ws_url, run_task(), key="sk-wrong"))
    assert e.value.response.status_code == 401
    with pytest.raises(InvalidStatus):
        ws_run(exchange(emu.ws_url, run_task(), key=None))


def test_ws_auth_as_task_failed_mode():
    with serving(KEY, ws_auth_mode="task-failed") as e2:
        events = ws_run(exchange(e2.ws_url, run_task(task_id="abc"), key="sk-wrong"))
        assert events[0]["header"] == {"task_id": "abc", "event": "task-failed", "attributes": {},
                                       "error_code": "InvalidApiKey",
                                       "error_message": "Invalid API-key provided."}


def test_ws_idle_timeout_heartbeat_and_engine_failure_are_task_failed():
    """No audio for the idle timeout -> CLIENT_ERROR; heartbeats flow meanwhile when asked for;
    an engine that cannot start is reported as task-failed InternalError, never a crash."""
    with serving(KEY, idle_timeout_s=0.6, heartbeat_interval_s=0.1) as e2:
        params = {"format": "pcm", "sample_rate": 16000, "heartbeat": True}
        events = ws_run(exchange(e2.ws_url, run_task(params=params, task_id="idle")))
        kinds = [ev["header"]["event"] for ev in events]
        assert kinds[0] == "task-started" and kinds[-1] == "task-failed"
        beats = [ev["payload"]["output"]["sentence"] for ev in events[1:-1]]
        assert beats and all(b["heartbeat"] is True and b["sentence_id"] == 0 for b in beats)
        assert events[-1]["header"]["error_code"] == "CLIENT_ERROR"
        assert events[-1]["header"]["error_message"] == "request timeout after 0.6 seconds."

        finish = json.dumps({"header": {"action": "finish-task", "task_id": "f", "streaming": "duplex"},
                             "payload": {"input": {}}})
        events = ws_run(exchange(e2.ws_url, run_task(task_id="f"), b"\x00\x00" * 1600, finish))
        assert [ev["header"]["event"] for ev in events] == ["task-started", "task-failed"]
        assert events[-1]["header"]["error_code"] == "InternalError"
        alive = httpx.get(e2.http_base + "/tasks/x", headers={"Authorization": f"Bearer {KEY}"})
        assert alive.status_code == 200


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 600) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12)
actions = st.sampled_from(["create_vocabulary", "list_vocabulary", "query_vocabulary",
                           "update_vocabulary", "delete_vocabulary", "other"])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(action=actions, extra=st.dictionaries(
    st.sampled_from(["prefix", "target_model", "vocabulary", "vocabulary_id", "page_index", "page_size"]),
    json_values, max_size=5))
def test_arbitrary_vocabulary_input_never_breaks_the_server(api, action, extra):
    r = vocab(api, {"action": action, **extra})
    assert r.status_code in (200, 400), r.text
    body = r.json()
    assert ("output" in body) if r.status_code == 200 else (body["code"] and body["message"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=json_values)
def test_arbitrary_flash_and_transcription_bodies_get_error_bodies(api, payload):
    for path, headers in (("services/aigc/multimodal-generation/generation", {}),
                          ("services/audio/asr/transcription", {"X-DashScope-Async": "enable"})):
        body = {"model": "fun-asr-flash-2026-06-15" if "generation" in path else "fun-asr",
                "input": {"messages": payload} if "generation" in path else {"file_urls": payload}}
        r = api.post(path, json=body, headers=headers)
        # a valid-looking file list is accepted (the task fails later), everything else is a 4xx
        assert r.status_code in (200, 400, 404), r.text
        if r.status_code != 200:
            assert r.json()["code"]
