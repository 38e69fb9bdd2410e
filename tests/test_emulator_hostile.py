"""Hostile input against the emulator over real loopback sockets (issue 17): every case gets a
4xx or a `task-failed`, never a 500, a dropped socket, a leaked thread or unbounded memory.

The engine is the threaded fake from tests/emulators.py: it has the local engine's threading
(one worker per stream, blocked on a queue) without loading a model on a shared machine.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import http.server
import io
import json
import os
import threading
import time

import httpx
import numpy as np
import pytest
import soundfile as sf
from emulators import (
    LogWatch,
    ThreadedEngine,
    abort,
    loose_threads,
    raw_ws_open,
    rss_mb,
    serving,
    stream_threads,
    wav_header,
    ws_exchange,
    ws_frame,
    ws_run,
)
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from qwenasr_desktop.emulator import EmulatorServer
from qwenasr_desktop.emulator.sources import normalize_prefixes, url_allowed

KEY = "sk-hostile-0001"
AUTH = {"Authorization": f"Bearer {KEY}"}
DEEP = "[" * 1000 + "]" * 1000
POST_ROUTES = ["/api/v1/services/audio/asr/customization", "/api/v1/services/audio/asr/transcription",
               "/api/v1/services/aigc/multimodal-generation/generation", "/emulator/faults"]
ALL_ROUTES = [("POST", r) for r in POST_ROUTES] + [
    ("GET", "/api/v1/tasks/x"), ("POST", "/api/v1/tasks/x/cancel"),
    ("GET", "/api/v1/uploads?action=getPolicy&model=fun-asr"), ("GET", "/emulator/faults")]


@pytest.fixture(scope="module")
def emu():
    with serving(KEY, ThreadedEngine(), idle_timeout_s=2.0) as server:
        yield server


@pytest.fixture(autouse=True)
def _clean(emu):
    emu.faults.reset()
    yield
    emu.faults.reset()


def run_task(params=None, task_id="t1") -> str:
    return json.dumps({"header": {"action": "run-task", "task_id": task_id, "streaming": "duplex"},
                       "payload": {"task_group": "audio", "task": "asr", "function": "recognition",
                                   "model": "fun-asr-realtime", "input": {},
                                   "parameters": params or {"format": "pcm", "sample_rate": 16000}}})


async def exchange(url: str, *frames) -> list[dict]:
    return await ws_exchange(url, *frames, key=KEY, max_size=None)


def failed(events: list[dict], *words: str) -> dict:
    h = events[-1]["header"]
    assert h["event"] == "task-failed", events
    for w in words:
        assert w.lower() in h["error_message"].lower(), h
    return h


# --- keys ----------------------------------------------------------------------------------

@pytest.mark.parametrize("server_key", [KEY, None])
def test_non_ascii_key_is_401_on_every_route_and_the_handshake(server_key):
    bad = "Bearer sk-ключ-密钥".encode()
    with serving(server_key) as e:
        for method, path in ALL_ROUTES:
            r = httpx.request(method, e.base_url + path, headers={"Authorization": bad}, json={})
            assert r.status_code == 401 and r.json()["code"] == "InvalidApiKey", (path, r.text)
        s, head = raw_ws_open(e.base_url, bad)
        s.close()
        assert head.startswith(b"HTTP/1.1 401"), head[:80]


# --- deep JSON -------------------------------------------------------------------------------

@pytest.mark.parametrize("path", POST_ROUTES)
def test_deeply_nested_json_is_a_400(emu, path):
    for body in (DEEP, json.dumps({"model": "fun-asr", "input": {"x": json.loads("[" * 500 + "]" * 500)}})):
        r = httpx.post(emu.base_url + path, content=body, headers={**AUTH, "X-DashScope-Async": "enable"})
        assert r.status_code == 400, r.text
        assert "nested" in r.json()["message"]


def test_deeply_nested_ws_frame_is_task_failed(emu):
    failed(ws_run(exchange(emu.ws_url, DEEP)), "nested")
    events = ws_run(exchange(emu.ws_url, run_task(), DEEP))  # mid-task too
    assert events[0]["header"]["event"] == "task-started"
    assert failed(events, "nested")["task_id"] == "t1"


# --- lying audio headers -----------------------------------------------------------------------

@pytest.mark.parametrize("rate, channels, bits, word", [
    (0, 1, 16, "sample rate"), (1, 1, 16, "sample rate"), (16000, 0, 16, "channels"),
    (4_000_000_000, 1, 16, "sample rate"), (16000, 1, 8, "16-bit"), (16000, 60000, 16, "channels")])
def test_streamed_wav_header_is_checked_before_decoding(emu, rate, channels, bits, word):
    frame = wav_header(rate, channels, bits) + b"\x01\x02" * 4000
    rss = rss_mb()
    events = ws_run(exchange(emu.ws_url, run_task({"format": "wav", "sample_rate": 16000}), frame))
    assert events[0]["header"]["event"] == "task-started"
    failed(events, word)
    assert rss_mb() - rss < 50


@pytest.mark.parametrize("rate", [1, 1000, 400_000])
def test_run_task_sample_rate_outside_the_protocol_is_refused(emu, rate):
    failed(ws_run(exchange(emu.ws_url, run_task({"format": "pcm", "sample_rate": rate}))), "sample_rate")


def test_flash_and_file_audio_with_a_1_hz_header_are_refused_quickly(emu):
    data = wav_header(1, data_bytes=8000) + b"\x01\x02" * 4000
    rss, t0 = rss_mb(), time.monotonic()
    url = "data:audio/wav;base64," + base64.b64encode(data).decode()
    audio = {"type": "input_audio", "input_audio": {"data": url}}
    r = httpx.post(emu.http_base + "/services/aigc/multimodal-generation/generation", headers=AUTH,
                   json={"model": "fun-asr-flash-2026-06-15",
                         "input": {"messages": [{"role": "user", "content": [audio]}]}})
    assert r.status_code == 400 and r.json()["code"] == "InvalidFile.DecodeFailed", r.text
    assert "sample rate" in r.json()["message"]
    r = httpx.post(emu.http_base + "/services/audio/asr/transcription",
                   headers={**AUTH, "X-DashScope-Async": "enable"},
                   json={"model": "fun-asr", "input": {"file_urls": [url]}})
    out = wait_terminal(emu, r.json()["output"]["task_id"])
    assert out["results"][0]["code"] == "InvalidFile.DecodeFailed"
    assert time.monotonic() - t0 < 5 and rss_mb() - rss < 50


def wait_terminal(emu, task_id: str) -> dict:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        out = httpx.get(f"{emu.http_base}/tasks/{task_id}", headers=AUTH).json()["output"]
        if out["task_status"] in ("SUCCEEDED", "FAILED", "CANCELED", "UNKNOWN"):
            return out
        time.sleep(0.05)
    raise AssertionError("task did not end")


# --- fault switches --------------------------------------------------------------------------

@pytest.mark.parametrize("body, field", [
    ({"http_error_count": "x"}, "http_error_count"), ({"http_error_count": True}, "http_error_count"),
    ({"http_error_count": -1}, "http_error_count"), ({"http_error_status": 200}, "http_error_status"),
    ({"delay_s": "1"}, "delay_s"), ({"delay_s": 1e308}, "delay_s"),
    ({"hold_file_tasks": 1}, "hold_file_tasks"),
    ({"drop_ws_after_frames": [1]}, "drop_ws_after_frames"), ({"http_error_code": 5}, "http_error_code"),
    ({"reset": "yes"}, "reset"), ({"http_error_count": 2, "fail_file_tasks": "many"}, "fail_file_tasks")])
def test_fault_switches_take_only_their_type(emu, body, field):
    r = httpx.post(emu.base_url + "/emulator/faults", headers=AUTH, json=body)
    assert r.status_code == 400 and field in r.json()["message"], r.text
    assert emu.faults.http_error_count == 0  # all or nothing
    ok = httpx.get(emu.http_base + "/tasks/x", headers=AUTH)
    assert ok.status_code == 200


# --- uploads ---------------------------------------------------------------------------------

def upload(e: EmulatorServer, data: bytes, name: str = "a.wav") -> httpx.Response:
    d = httpx.get(e.http_base + "/uploads", params={"action": "getPolicy", "model": "fun-asr"},
                  headers=AUTH).json()["data"]
    return httpx.post(d["upload_host"], data={
        "OSSAccessKeyId": "emulator", "Signature": d["signature"], "policy": d["policy"],
        "key": f"{d['upload_dir']}/{name}", "success_action_status": "200"}, files={"file": (name, data)})


def clip_wav(seconds: float = 0.5) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, np.zeros(int(16000 * seconds), np.float32), 16000, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def submit(e: EmulatorServer, urls: list[str]) -> httpx.Response:
    return httpx.post(e.http_base + "/services/audio/asr/transcription",
                      headers={**AUTH, "X-DashScope-Async": "enable",
                               "X-DashScope-OssResourceResolve": "enable"},
                      json={"model": "fun-asr", "input": {"file_urls": urls}})


def test_uploads_live_on_disk_with_a_cap_and_an_expiry():
    with serving(KEY, ThreadedEngine(), upload_ttl_s=600, upload_max_bytes=64_000) as e:
        data = clip_wav(1.0)
        assert upload(e, data).status_code == 200
        (up,) = e.store.uploads.values()
        folder = os.path.dirname(up.path)
        assert not hasattr(up, "data") and open(up.path, "rb").read() == data  # noqa: SIM115
        first = submit(e, ["oss://" + up.key]).json()["output"]["task_id"]
        assert wait_terminal(e, first)["task_status"] == "SUCCEEDED"
        too_big = upload(e, b"\0" * 65_000, "big.wav")
        assert too_big.status_code == 400 and "EntityTooLarge" in too_big.text
        assert len(os.listdir(folder)) == 1  # the refused upload left no file behind
        e.store.clock = lambda: time.time() + 601  # ten minutes later
        out = wait_terminal(e, submit(e, ["oss://" + up.key]).json()["output"]["task_id"])
        assert out["results"][0]["code"] == "InvalidFile.DownloadFailed" and "expired" in out["message"]
        assert not os.path.exists(up.path) and e.store.uploads == {}
        assert e.store.results == {}  # the first task's result expired with the same limit
        assert wait_terminal(e, first)["task_status"] == "UNKNOWN"  # and so did the task
    assert not os.path.exists(folder)  # stop() removes the folder


# --- aborted and idle WebSockets -------------------------------------------------------------

def test_client_aborting_after_run_task_leaves_no_thread_and_no_traceback():
    with LogWatch() as logs, serving(KEY, ThreadedEngine(open_delay_s=0.05), idle_timeout_s=5) as e:
        time.sleep(0.2)
        threads, rss = loose_threads(), rss_mb()
        for i in range(40):
            s, head = raw_ws_open(e.base_url, f"Bearer {KEY}".encode())
            assert head.startswith(b"HTTP/1.1 101"), head[:60]
            s.sendall(ws_frame(run_task(task_id=f"a{i}")) + ws_frame(b"\0\1" * 1600))
            abort(s)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (stream_threads() or loose_threads() > threads + 1):
            time.sleep(0.05)
        assert stream_threads() == 0, "a recognizer thread was left blocked"
        assert loose_threads() <= threads + 1 and rss_mb() - rss < 30
    assert logs.tracebacks() == []


def test_socket_without_run_task_is_closed_when_idle():
    with serving(KEY, ThreadedEngine(), idle_timeout_s=0.4) as e:
        async def idle() -> tuple[int, float]:
            t0 = time.monotonic()
            async with connect(e.ws_url, additional_headers=AUTH) as ws:
                with pytest.raises(ConnectionClosed) as closed:
                    await ws.recv()
            return closed.value.rcvd.code, time.monotonic() - t0

        code, took = ws_run(idle())
        assert code == 1001 and took < 3


# --- file_urls and binds -----------------------------------------------------------------------

@pytest.fixture()
def audio_site(tmp_path):
    """A plain HTTP server on loopback serving tmp_path/audio/a.wav."""
    (tmp_path / "audio").mkdir()
    (tmp_path / "audio" / "a.wav").write_bytes(clip_wav())
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_http_file_urls_need_an_allowed_prefix(audio_site, emu):
    r = submit(emu, [audio_site + "/audio/a.wav"])  # the module's server allows nothing
    assert r.status_code == 400 and "--allow-url" in r.json()["message"]
    assert submit(emu, [emu.base_url + "/emulator/faults"]).status_code == 400  # itself included
    with serving(KEY, ThreadedEngine(), allow_urls=[audio_site + "/audio/"]) as e:
        out = wait_terminal(e, submit(e, [audio_site + "/audio/a.wav"]).json()["output"]["task_id"])
        assert out["task_status"] == "SUCCEEDED", out
        for other in (audio_site + "/a.wav", audio_site + "/audio-x/a.wav", audio_site + "/audio/../a.wav",
                      audio_site.replace("127.0.0.1", "127.0.0.1.nip.io") + "/audio/a.wav",
                      audio_site.replace("http://", "http://u@") + "/audio/a.wav", "ftp://x/a.wav"):
            assert submit(e, [other]).status_code == 400, other


def test_url_prefix_matching():
    p = normalize_prefixes(["https://media.example.com/audio"])
    assert url_allowed("https://media.example.com/audio/a.wav", p)
    assert url_allowed("https://MEDIA.example.com/audio", p)
    for bad in ("http://media.example.com/audio/a.wav", "https://media.example.com/audiox/a.wav",
                "https://media.example.com.evil/audio/a.wav", "https://x@media.example.com/audio/a",
                "https://media.example.com:8443/audio/a.wav", "https://[::1/audio",
                "https://media.example.com/audio/../secret", "https://media.example.com/audio/%2E%2E/x"):
        assert not url_allowed(bad, p), bad
    with pytest.raises(ValueError):
        normalize_prefixes(["file:///etc/"])


def test_non_loopback_bind_needs_an_explicit_flag(capsys):
    from qwenasr_desktop.cli import main

    for host in ("0.0.0.0", "::", "192.168.1.10", "example.com"):
        with pytest.raises(ValueError, match="allow_remote"):
            EmulatorServer(host=host)
    EmulatorServer(host="0.0.0.0", allow_remote=True)  # constructed, never started
    for host in ("127.0.0.1", "::1", "localhost", "127.1.2.3"):
        EmulatorServer(host=host)
    assert main(["emulator", "--host", "0.0.0.0", "--port", "1"]) == 2
    assert "--allow-remote" in capsys.readouterr().err


def test_flash_over_five_minutes_is_refused_before_decoding(emu):
    buf = io.BytesIO()
    sf.write(buf, np.zeros(8000 * 301, np.int16), 8000, format="WAV", subtype="PCM_16")
    url = "data:audio/wav;base64," + base64.b64encode(buf.getvalue()).decode()
    audio = {"type": "input_audio", "input_audio": {"data": url}}
    r = httpx.post(emu.http_base + "/services/aigc/multimodal-generation/generation", headers=AUTH,
                   json={"model": "fun-asr-flash-2026-06-15",
                         "input": {"messages": [{"role": "user", "content": [audio]}]}}, timeout=30)
    assert r.status_code == 400 and "at most 5 minutes" in r.json()["message"], r.text


def test_concurrent_streams_finish_and_leave_nothing_behind(emu):
    """Twelve streams at once, half of them abandoned mid-audio: the rest finish normally."""
    start_threads = loose_threads()
    finish = json.dumps({"header": {"action": "finish-task", "task_id": "t1"}, "payload": {"input": {}}})

    async def one(i: int) -> list[str]:
        async with connect(emu.ws_url, additional_headers=AUTH) as ws:
            await ws.send(run_task())
            for _ in range(5):
                await ws.send(b"\x10\x00" * 1600)
            if i % 2:
                ws.transport.abort()
                return []
            await ws.send(finish)
            names = []
            with contextlib.suppress(ConnectionClosed):
                while not names or names[-1] not in ("task-finished", "task-failed"):
                    names.append(json.loads(await ws.recv())["header"]["event"])
            return names

    async def all_of() -> list[list[str]]:
        return await asyncio.gather(*(one(i) for i in range(12)))

    results = ws_run(all_of())
    for i, names in enumerate(results):
        assert names[-1:] == ([] if i % 2 else ["task-finished"]), names
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (stream_threads() or loose_threads() > start_threads + 1):
        time.sleep(0.05)
    assert stream_threads() == 0 and loose_threads() <= start_threads + 1
