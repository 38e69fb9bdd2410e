"""A bounded fuzz campaign over every emulator route and WebSocket event (issue 17's check):
hypothesis-generated bodies, headers, forms and frames over real loopback sockets, asserting no
5xx, no traceback in any log, and threads and memory back near where they started.

Bounded and seeded (derandomize): a few hundred HTTP requests and a few dozen WebSocket sessions,
some seconds in all. The engine is the threaded fake (tests/emulators.py), so streams really run.
EMULATOR_FUZZ_SCALE=N multiplies the example counts for a longer campaign by hand.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import time

import httpx
import pytest
from emulators import LogWatch, ThreadedEngine, loose_threads, rss_mb, serving, stream_threads, wav_header
from hypothesis import HealthCheck, Phase, given, reject, settings
from hypothesis import strategies as st
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

KEY = "sk-fuzz-0001"


SCALE = max(1, int(os.environ.get("EMULATOR_FUZZ_SCALE", "1")))


def fuzz(examples: int) -> settings:
    """Seeded, no example database, no shrinking (a failure reports its first example at once)."""
    return settings(max_examples=examples * SCALE, derandomize=True, deadline=None, database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])


EVENTS = {"task-started", "result-generated", "task-finished", "task-failed"}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 70000) | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=10)
deep = st.integers(30, 1500).map(lambda n: "[" * n + "]" * n)
wavs = st.builds(wav_header, st.sampled_from([0, 1, 8000, 16000, 44100, 4_000_000_000 % 2**32]),
                 st.sampled_from([0, 1, 2, 300]), st.sampled_from([8, 16, 24]),
                 st.integers(0, 64000)).map(lambda h: h + b"\x01\x02" * 800)
audio_refs = st.one_of(
    wavs.map(lambda w: "data:audio/wav;base64," + base64.b64encode(w).decode()),
    st.sampled_from(["oss://nope/a.wav", "http://127.0.0.1:1/a.wav", "file:///etc/passwd", "data:x,y"]),
    st.text(max_size=20))


def header_value(raw: bytes) -> bytes:
    """What HTTP lets a client send at all: no control characters, no outer whitespace."""
    return bytes(c for c in raw if c >= 0x20 and c != 0x7F).strip()


auth = st.one_of(st.just(f"Bearer {KEY}"), st.just(""), st.just("Basic abc"),
                 st.text(max_size=20).map(lambda t: "Bearer " + t),
                 st.binary(max_size=20).map(lambda b: "Bearer " + b.decode("latin-1"))
                 ).map(lambda t: header_value(t.encode("utf-8", "surrogatepass")))


@st.composite
def bodies(draw, path: str):
    """Plausible bodies for the route, with fuzzed fields, or junk of every kind."""
    if "customization" in path:
        inp = {"action": draw(st.sampled_from(["create_vocabulary", "list_vocabulary", "query_vocabulary",
                                               "update_vocabulary", "delete_vocabulary", "x"]))}
        inp.update(draw(st.dictionaries(st.sampled_from(["prefix", "target_model", "vocabulary",
                                                         "vocabulary_id", "page_index", "page_size"]),
                                        json_values, max_size=4)))
        plausible = {"model": "speech-biasing", "input": inp}
    elif "transcription" in path:
        plausible = {"model": draw(st.sampled_from(["fun-asr", "paraformer-v2", "x", 3])),
                     "input": {"file_urls": draw(st.lists(audio_refs, max_size=3) | json_values)},
                     "parameters": draw(st.fixed_dictionaries({}, optional={
                         "channel_id": json_values, "vocabulary_id": json_values}))}
    elif "generation" in path:
        part = draw(st.one_of(st.builds(lambda r: {"type": "input_audio", "input_audio": {"data": r}},
                                        audio_refs), json_values))
        plausible = {"model": "fun-asr-flash-2026-06-15",
                     "input": {"messages": [{"role": draw(st.sampled_from(["user", "system", 5])),
                                             "content": [part]}]}, "parameters": draw(json_values)}
    else:  # /emulator/faults
        switches = ["http_error_count", "http_error_status", "delay_s", "hold_file_tasks", "reset",
                    "drop_ws_after_frames", "fail_file_tasks", "undeployed_queries", "nope"]
        plausible = draw(st.dictionaries(st.sampled_from(switches), json_values, max_size=2))
    kind = draw(st.sampled_from(["plausible", "plausible", "json", "deep", "bytes"]))
    if kind == "plausible":
        return json.dumps(plausible).encode()
    if kind == "json":
        return json.dumps(draw(json_values)).encode()
    if kind == "deep":
        return draw(deep).encode()
    return draw(st.binary(max_size=200))


ROUTES = [("POST", "/api/v1/services/audio/asr/customization"),
          ("POST", "/api/v1/services/audio/asr/transcription"),
          ("POST", "/api/v1/services/aigc/multimodal-generation/generation"),
          ("POST", "/emulator/faults"), ("GET", "/emulator/faults"), ("DELETE", "/emulator/faults"),
          ("GET", "/api/v1/tasks/{id}"), ("POST", "/api/v1/tasks/{id}/cancel"),
          ("GET", "/api/v1/uploads"), ("POST", "/oss"), ("GET", "/results/{id}.json"),
          ("PUT", "/api/v1/services/audio/asr/customization"), ("GET", "/api/v1/nothing")]


@pytest.fixture(scope="module")
def campaign():
    """One server and one log watch for the module; the last test checks what the rest left."""
    with LogWatch() as logs, serving(KEY, ThreadedEngine(), idle_timeout_s=1.0) as server, \
            httpx.Client(timeout=10) as client:  # one client: a new one per request costs 50 ms
        time.sleep(0.1)
        yield server, logs, loose_threads(), rss_mb(), client


@fuzz(300)
@given(data=st.data())
def test_http_fuzz_never_5xx(campaign, data):
    emu, client = campaign[0], campaign[4]
    method, path = data.draw(st.sampled_from(ROUTES))
    path = path.replace("{id}", data.draw(st.sampled_from(["x", "0" * 36, "%00", "..%2F..", "a" * 300])))
    headers = {"Authorization": data.draw(auth)}
    for name in ("X-DashScope-Async", "X-DashScope-OssResourceResolve", "X-DashScope-SSE", "Content-Type"):
        if data.draw(st.booleans()):
            headers[name] = data.draw(st.sampled_from(["enable", "disable", "application/json",
                                                        "multipart/form-data; boundary=x", "ä"])).encode()
    kwargs: dict = {"headers": headers}
    if path == "/oss":
        kwargs["data"] = data.draw(st.dictionaries(st.sampled_from(
            ["OSSAccessKeyId", "Signature", "policy", "key", "success_action_status"]), st.text(max_size=30)))
        kwargs["files"] = {"file": ("a.wav", data.draw(st.binary(max_size=300)))}
        kwargs["headers"].pop("Content-Type", None)
    elif "uploads" in path:
        kwargs["params"] = data.draw(st.dictionaries(st.sampled_from(["action", "model"]),
                                                     st.sampled_from(["getPolicy", "fun-asr", "", "ü"])))
    elif method in ("POST", "PUT"):
        kwargs["content"] = data.draw(bodies(path))
    try:
        r = client.request(method, emu.base_url + path, **kwargs)
    except httpx.LocalProtocolError:  # the client itself refused to send it
        reject()
    finally:
        emu.faults.reset()
    assert r.status_code < 500, (method, path, r.status_code, r.text[:300])
    if path.startswith("/api/v1") and r.status_code >= 400:
        assert r.json()["code"]


run_params = st.fixed_dictionaries({"format": st.sampled_from(["pcm", "wav", "mp3", 7])}, optional={
    "sample_rate": st.sampled_from([16000, 8000, 1, 0, 44100, "16000", None]),
    "heartbeat": json_values, "vocabulary_id": json_values, "language_hints": json_values})


@st.composite
def frames(draw, task_id: str):
    header = {"action": draw(st.sampled_from(["run-task", "continue-task", "finish-task", "x"])),
              "task_id": draw(st.sampled_from([task_id, "", "other", 5])), "streaming": "duplex"}
    payload = {"model": draw(st.sampled_from(["fun-asr-realtime", "paraformer-realtime-v2", "fun-asr", "x"])),
               "input": draw(st.one_of(st.just({}), json_values)), "parameters": draw(run_params)}
    return draw(st.one_of(
        st.just(json.dumps({"header": header, "payload": payload})),
        json_values.map(json.dumps), deep, st.text(max_size=40),
        st.binary(max_size=3200), wavs))


async def ws_session(url: str, sent: list, abort: bool) -> list[str]:
    got: list[str] = []
    try:
        async with connect(url, additional_headers={"Authorization": f"Bearer {KEY}"}, max_size=None,
                           open_timeout=5, close_timeout=2) as ws:
            for f in sent:
                await ws.send(f)
            if abort:
                ws.transport.abort()
                return got
            with contextlib.suppress(TimeoutError, ConnectionClosed):
                while True:
                    got.append(await asyncio.wait_for(ws.recv(), 0.15))
    except (ConnectionClosed, InvalidStatus, OSError):
        pass
    return got


@fuzz(80)
@given(data=st.data())
def test_websocket_fuzz_is_protocol_faithful(campaign, data):
    emu = campaign[0]
    tid = "t1"
    if data.draw(st.booleans()):  # a stream: a run-task, audio of any shape, finish-task
        params = data.draw(st.just({"format": "pcm", "sample_rate": 16000}) | run_params)
        sent = [json.dumps({"header": {"action": "run-task", "task_id": tid, "streaming": "duplex"},
                            "payload": {"model": "fun-asr-realtime", "input": {}, "parameters": params}})]
        sent += data.draw(st.lists(st.binary(min_size=1, max_size=6400) | wavs | frames(tid), max_size=5))
        sent.append(json.dumps({"header": {"action": "finish-task", "task_id": tid},
                                "payload": {"input": {}}}))
    else:  # chaos: any frames at all
        sent = data.draw(st.lists(frames(tid), min_size=1, max_size=4))
    abort = data.draw(st.sampled_from([False, False, False, True]))
    got = asyncio.run(asyncio.wait_for(ws_session(emu.ws_url, sent, abort), 20))
    events = [json.loads(m) for m in got]
    names = [e["header"]["event"] for e in events]
    assert set(names) <= EVENTS, names
    assert "task-failed" not in names[:-1], names  # task-failed is always the last word
    for e in events:
        assert e["header"].get("error_code") != "InternalError", e


def test_campaign_left_no_traceback_thread_or_memory(campaign):
    emu, logs, threads, rss, _ = campaign
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (stream_threads() or loose_threads() > threads + 1):
        time.sleep(0.1)
    assert logs.tracebacks() == []
    assert stream_threads() == 0
    assert loose_threads() <= threads + 1
    assert rss_mb() - rss < 100
    alive = httpx.get(emu.http_base + "/tasks/x", headers={"Authorization": f"Bearer {KEY}"})
    assert alive.status_code == 200
