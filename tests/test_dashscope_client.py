"""Our DashScope client against the emulator over loopback: vocabulary, limits, retries,
timeouts, uploads and file tasks, flash context caps, error mapping and key redaction.

Recognition itself is exercised in test_dashscope_recognition.py; these tests stop before it.
"""

from __future__ import annotations

import io
import logging
import socket
import threading

import numpy as np
import pytest
import soundfile as sf
from emulators import clean_emulator_fixtures, serving  # tests/ is on sys.path

from qwenasr_desktop.core.context import Context, ContextMessage, Role
from qwenasr_desktop.core.hotwords import Hotword, HotwordList
from qwenasr_desktop.engines.base import CancelToken, EngineCancelledError, RecognitionOptions
from qwenasr_desktop.engines.dashscope import DashScopeEngine, make_dashscope_engine
from qwenasr_desktop.engines.dashscope.auth import mask, redact
from qwenasr_desktop.engines.dashscope.config import resolve_region
from qwenasr_desktop.engines.dashscope.errors import (
    AuthError,
    BadRequestError,
    NetworkError,
    ServerError,
    TaskFailedError,
    ThrottledError,
    TimeoutError_,
    ValidationError,
)
from qwenasr_desktop.engines.dashscope.http import HttpClient, RetryPolicy
from qwenasr_desktop.engines.dashscope.transcription import TranscriptionClient
from qwenasr_desktop.engines.dashscope.vocabulary import VocabularyBinding, VocabularyClient

KEY = "sk-clienttest-4f9a8b7c6d5e"


emu, _clean = clean_emulator_fixtures(KEY)


class Sleeps(list):
    """Records the backoff delays instead of sleeping them."""

    def __call__(self, s: float) -> None:
        self.append(s)


@pytest.fixture()
def sleeps():
    return Sleeps()


@pytest.fixture()
def http(emu, sleeps):
    c = HttpClient(resolve_region(emu.base_url), KEY, timeout=5, sleep=sleeps)
    yield c
    c.close()


@pytest.fixture()
def vc(http, sleeps):
    return VocabularyClient(http, sleep=sleeps)


ITEMS = [Hotword("Kubernetes", 4, "en"), Hotword("赛德克巴莱", 3, "zh")]


def test_region_resolution():
    assert resolve_region().ws_url == "wss://dashscope-intl.aliyuncs.com/api-ws/v1/inference"
    assert resolve_region("cn").http_base == "https://dashscope.aliyuncs.com/api/v1"
    e = resolve_region("http://127.0.0.1:8765")
    assert (e.http_base, e.ws_url) == ("http://127.0.0.1:8765/api/v1", "ws://127.0.0.1:8765/api-ws/v1/inference")
    assert resolve_region("https://proxy.example/api/v1/").ws_url == "wss://proxy.example/api-ws/v1/inference"
    with pytest.raises(ValueError, match="Unknown region 'mars'"):
        resolve_region("mars")


def test_vocabulary_crud_and_paging(vc):
    vid = vc.create("crud", "fun-asr", ITEMS)
    info = vc.wait_ok(vid)
    assert info.target_model == "fun-asr" and [h.text for h in info.items] == ["Kubernetes", "赛德克巴莱"]
    vc.update(vid, [Hotword("Bulge Bracket", 5)])
    assert [(h.text, h.weight) for h in vc.query(vid).items] == [("Bulge Bracket", 5)]
    for i in range(6):
        vc.create(f"pg{i}", "fun-asr-realtime", ITEMS)
    assert len(vc.list(page_size=3)) == 3
    assert len(vc.list_all(page_size=3)) == 7
    assert [v.vocabulary_id for v in vc.list_all(prefix="crud")] == [vid]
    vc.delete(vid)
    with pytest.raises(BadRequestError, match=vid):
        vc.query(vid)


def test_invalid_list_is_refused_before_sending(vc, emu):
    emu.faults.update({"http_error_count": 1, "http_error_status": 500})  # would fail any request
    with pytest.raises(ValidationError) as e:
        vc.create("bad", "fun-asr", [Hotword("ok", 4), Hotword("x", 9), Hotword("", 4)])
    assert "row 2" in str(e.value) and "row 3" in str(e.value)
    with pytest.raises(ValidationError, match="prefix"):
        vc.create("Bad-Prefix", "fun-asr", ITEMS)
    with pytest.raises(ValidationError, match="500"):
        vc.create("big", "fun-asr", [Hotword(f"w{i}", 4) for i in range(501)])
    assert emu.faults.http_error_count == 1  # nothing reached the server


def test_eleventh_list_refused_locally_and_cloud_message_shown(vc):
    for i in range(10):
        vc.create(f"q{i}", "fun-asr", ITEMS)
    with pytest.raises(ValidationError, match="already has 10"):
        vc.create("q10", "fun-asr", ITEMS)
    # without the local check, the cloud's own error is shown
    with pytest.raises(BadRequestError) as e:
        vc.create("q10", "fun-asr", ITEMS, check_quota=False)
    assert e.value.code == "InvalidParameter" and "at most 10" in str(e.value)


def test_throttling_is_retried_with_backoff(vc, emu, sleeps):
    emu.faults.update({"http_error_count": 2, "http_error_status": 429})
    assert vc.list() == []
    assert len(sleeps) == 2 and 0 < sleeps[0] < sleeps[1]
    # 429 is retried even for a create: throttling rejects before doing anything
    emu.faults.update({"http_error_count": 1, "http_error_status": 429})
    vc.create("thr", "fun-asr", ITEMS, check_quota=False)
    assert len(vc.list_all()) == 1


def test_server_error_retried_only_when_idempotent(vc, emu, sleeps):
    emu.faults.update({"http_error_count": 2, "http_error_status": 500})
    assert vc.list() == []  # idempotent: retried through two 500s
    emu.faults.update({"http_error_count": 1, "http_error_status": 500})
    with pytest.raises(ServerError) as e:
        vc.create("srv", "fun-asr", ITEMS, check_quota=False)
    assert e.value.status == 500 and "internal error" in str(e.value)
    assert emu.faults.http_error_count == 0 and vc.list_all() == []  # one attempt, nothing created


def test_retries_give_up(vc, emu, sleeps):
    emu.faults.update({"http_error_count": 10, "http_error_status": 429})
    with pytest.raises(ThrottledError, match="slow down"):
        vc.list()
    assert len(sleeps) == 3  # four attempts in all


def test_timeouts(emu, sleeps):
    http = HttpClient(resolve_region(emu.base_url), KEY, timeout=0.2, sleep=sleeps,
                      retry=RetryPolicy(attempts=2))
    vc = VocabularyClient(http, sleep=sleeps)
    emu.faults.delay_s = 0.6
    with pytest.raises(TimeoutError_):
        vc.list()
    assert len(sleeps) == 1  # a read is retried once, then reported
    with pytest.raises(TimeoutError_, match="may still have been accepted"):
        vc.create("slow", "fun-asr", ITEMS, check_quota=False)
    assert len(sleeps) == 1  # a create is never retried
    http.close()


def test_wait_ok_polls_through_undeployed(vc, emu, sleeps):
    emu.faults.undeployed_queries = 3
    vid = vc.create("dep", "fun-asr", ITEMS)
    assert vc.wait_ok(vid, interval=0.25).status == "OK"
    assert sleeps == [0.25, 0.25, 0.25]
    emu.faults.undeployed_queries = 50
    vc.update(vid, ITEMS)
    clock = iter(range(100))
    slow = VocabularyClient(vc.http, sleep=sleeps, clock=lambda: next(clock))
    with pytest.raises(Exception, match="still UNDEPLOYED"):
        slow.wait_ok(vid, timeout=5)


def test_push_pull_and_model_binding(vc):
    local = HotwordList("Legal", "fun-asr", list(ITEMS), prefix="legal")
    b1 = vc.push(local)
    assert b1.target_model == "fun-asr" and b1.vocabulary_id.startswith("vocab-legal-")
    local.items.append(Hotword("Bulge Bracket", 4))
    b2 = vc.push(local, b1)
    assert b2 == b1  # same model: updated in place
    assert len(vc.query(b1.vocabulary_id).items) == 3
    local.target_model = "fun-asr-realtime"
    b3 = vc.push(local, b2)  # another model: a new list, the old one deleted
    assert b3.vocabulary_id != b1.vocabulary_id and b3.target_model == "fun-asr-realtime"
    assert [v.vocabulary_id for v in vc.list_all()] == [b3.vocabulary_id]
    pulled, binding = vc.pull(b3.vocabulary_id, "Legal")
    assert binding == VocabularyBinding("Legal", b3.vocabulary_id, "fun-asr-realtime")
    assert [h.text for h in pulled.items] == [h.text for h in local.items] and pulled.prefix == "legal"
    with pytest.raises(ValidationError, match="bound to fun-asr-realtime, but recognition uses fun-asr"):
        vc.check_use(b3.vocabulary_id, "fun-asr")


def test_engine_refuses_vocabulary_of_another_model(emu):
    eng = DashScopeEngine(resolve_region(emu.base_url), KEY)
    vid = eng.create_vocabulary("other", "fun-asr", ITEMS)
    opts = RecognitionOptions(model="fun-asr-realtime", vocabulary_id=vid)
    with pytest.raises(ValidationError, match="silently ignore"):
        eng.start_stream(opts, lambda e: None)
    with pytest.raises(ValidationError, match="silently ignore"):
        eng.recognize(np.zeros(1600, np.float32), RecognitionOptions(model="fun-asr-flash-2026-06-15",
                                                                     vocabulary_id=vid))
    eng.close()


def test_flash_context_caps_are_refused_with_clear_messages(emu):
    eng = DashScopeEngine(resolve_region(emu.base_url), KEY)
    audio = np.zeros(16000, np.float32)
    six = Context([ContextMessage(Role.USER, f"term {i}") for i in range(6)])
    with pytest.raises(ValidationError, match="At most 5 user"):
        eng.recognize(audio, RecognitionOptions(model="fun-asr-flash-2026-06-15", context=six))
    long_round = Context([ContextMessage(Role.USER, "a" * 300), ContextMessage(Role.ASSISTANT, "b" * 101)])
    with pytest.raises(ValidationError, match="401 characters"):
        eng.recognize(audio, RecognitionOptions(model="fun-asr-flash-2026-06-15", context=long_round))
    eng.close()


def wav_file(tmp_path, name="a.wav", seconds=0.5):
    p = tmp_path / name
    sf.write(p, np.zeros(int(16000 * seconds), np.float32), 16000, subtype="PCM_16")
    return p


def test_upload_submit_and_task_failure(emu, http, tmp_path, sleeps):
    tc = TranscriptionClient(http, sleep=sleeps, poll_initial=0.01, poll_max=0.05)
    url = tc.upload(wav_file(tmp_path), "fun-asr")
    assert url.startswith("oss://dashscope-instant/")
    emu.faults.fail_file_tasks = 1
    with pytest.raises(TaskFailedError, match="Fault injected"):
        tc.transcribe_url("fun-asr", url)


def test_batch_reports_progress_per_file_and_keeps_going(emu, http, tmp_path, sleeps):
    tc = TranscriptionClient(http, sleep=sleeps, poll_initial=0.01, poll_max=0.05)
    bad1 = tmp_path / "noise.mp3"
    bad1.write_bytes(b"not audio" * 100)
    bad2 = tmp_path / "noise2.ogg"
    bad2.write_bytes(b"also not audio" * 100)
    seen: list[tuple[int, str, float]] = []
    results = tc.transcribe_files("fun-asr", [bad1, bad2], progress=lambda i, s, f: seen.append((i, s, f)))
    assert [r.transcript for r in results] == [None, None]
    assert all(r.error is not None and r.error.code == "InvalidFile.DecodeFailed" for r in results)
    for i in (0, 1):
        stages = [s for j, s, _ in seen if j == i]
        assert stages[0] == "uploading" and "submitted" in stages and stages[-1] == "failed"


def test_same_file_uploads_twice_under_distinct_names(emu, http, tmp_path, sleeps):
    # issue 17: the cached policy forbids overwriting, so one object name per file failed the
    # second recognition of the same recording with FileAlreadyExists.
    tc = TranscriptionClient(http, sleep=sleeps, poll_initial=0.01, poll_max=0.05)
    wav = wav_file(tmp_path)
    first, second = tc.upload(wav, "fun-asr"), tc.upload(wav, "fun-asr")
    assert first != second and first.endswith("/a.wav") and second.endswith("/a.wav")
    noise = tmp_path / "noise.mp3"
    noise.write_bytes(b"not audio" * 100)
    results = tc.transcribe_files("fun-asr", [noise, noise])
    assert [r.error.code for r in results] == ["InvalidFile.DecodeFailed"] * 2  # not an upload error


def test_cancel_pending_task(emu, http, tmp_path):
    emu.faults.hold_file_tasks = True
    token = CancelToken()
    statuses = []

    def on_sleep(_s):  # the user presses Cancel while the task waits in the queue
        token.cancel()

    tc = TranscriptionClient(http, sleep=on_sleep, poll_initial=0.01)
    url = tc.upload(wav_file(tmp_path), "fun-asr")
    task_id = tc.submit("fun-asr", [url])
    with pytest.raises(EngineCancelledError):
        tc.wait(task_id, cancel=token, on_status=statuses.append)
    assert set(statuses) == {"PENDING"}  # cancelled before it ever ran
    assert tc.status(task_id).status == "CANCELED"


def test_auth_and_network_errors_are_clear(emu):
    eng = make_dashscope_engine(emu.base_url, "sk-wrongkey-000000000001")
    with pytest.raises(AuthError, match="API key was rejected"):
        eng.list_vocabularies()
    with pytest.raises(AuthError, match="API key was rejected"):
        eng.start_stream(RecognitionOptions(model="fun-asr-realtime"), lambda e: None)
    eng.close()
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    eng = make_dashscope_engine(f"http://127.0.0.1:{port}", KEY)
    with pytest.raises(NetworkError, match="refused"):
        eng.list_vocabularies()
    eng.close()
    eng = make_dashscope_engine(emu.base_url.replace("http://", "https://"), KEY)
    with pytest.raises(NetworkError, match="TLS"):
        eng.list_vocabularies()
    eng.close()
    eng = make_dashscope_engine("http://qwenasr-no-such-host.invalid", KEY)
    with pytest.raises(NetworkError, match="DNS"):
        eng.list_vocabularies()
    eng.close()


def test_api_key_never_logged_or_shown(emu, caplog, tmp_path):
    wrong = "sk-leakcheck-9a8b7c6d5e4f3210"
    caplog.set_level(logging.DEBUG)
    messages = []
    eng = make_dashscope_engine(emu.base_url, wrong)
    for call in (eng.list_vocabularies,
                 lambda: eng.start_stream(RecognitionOptions(model="fun-asr-realtime"), lambda e: None)):
        try:
            call()
        except Exception as e:
            messages.append(str(e))
    eng.close()
    good = make_dashscope_engine(emu.base_url, KEY)
    emu.faults.update({"http_error_count": 5, "http_error_status": 503})
    try:
        good.files.upload(wav_file(tmp_path), "fun-asr")
    except Exception as e:
        messages.append(str(e))
    emu.faults.reset()
    good.create_vocabulary("leak", "fun-asr", ITEMS)
    good.close()
    assert len(messages) == 3 and caplog.records
    for secret in (wrong, KEY):
        assert secret not in caplog.text
        assert all(secret not in m for m in messages)
    assert redact(f"Authorization: Bearer {wrong}") == "Authorization: Bearer ***"
    assert redact(f"key={KEY}") == f"key={mask(KEY)}" and KEY not in mask(KEY)


def test_flash_input_limits(emu):
    eng = DashScopeEngine(resolve_region(emu.base_url), KEY)
    with pytest.raises(ValidationError, match="at most 5 minutes"):
        eng.recognize(np.zeros(16000 * 301, np.float32), RecognitionOptions(model="fun-asr-flash-2026-06-15"))
    eng.close()


def test_inline_wav_helper_roundtrip():
    from qwenasr_desktop.engines.dashscope.flash import wav_bytes

    x = (np.sin(np.arange(1600) / 5) * 0.5).astype(np.float32)
    y, rate = sf.read(io.BytesIO(wav_bytes(x)), dtype="float32")
    assert rate == 16000 and np.allclose(x, y, atol=1e-4)


def test_realtime_task_failure_is_reported_to_the_session():
    with serving(KEY, idle_timeout_s=0.5) as e2:
        eng = DashScopeEngine(resolve_region(e2.base_url), KEY)
        errors, failed = [], threading.Event()

        def on_error(err):
            errors.append(err)
            failed.set()

        session = eng.start_stream(RecognitionOptions(model="fun-asr-realtime"), lambda e: None,
                                   on_error=on_error)
        assert failed.wait(10)  # no audio sent: the server's idle timeout fails the task
        with pytest.raises(BadRequestError, match=r"request timeout after 0\.5 seconds") as e:
            session.finish(timeout=10)
        assert e.value.code == "CLIENT_ERROR" and errors == [e.value]
        assert session.dropped is None  # a failure, not a drop: nothing to resume
        session.close()
        eng.close()


@pytest.mark.parametrize("status, code, cls, words", [
    (400, "Arrearage", "QuotaError", "out of credit"),
    (403, "AllocationQuota.FreeTierOnly", "QuotaError", "quota"),
    (403, "AccessDenied.Unpurchased", "QuotaError", "not enabled"),
    (404, "ModelNotFound", "NotFoundError", "does not exist"),
    (400, "InvalidParameter", "BadRequestError", "rejected"),
    (401, "InvalidApiKey", "AuthError", "region"),
    (504, "GatewayTimeout", "ServerError", "try again later"),
])
def test_cloud_error_codes_map_to_user_messages(vc, emu, status, code, cls, words):
    from qwenasr_desktop.engines.dashscope import errors as errs

    emu.faults.update({"http_error_count": 5, "http_error_status": status, "http_error_code": code})
    with pytest.raises(errs.DashScopeError) as e:
        vc.query("vocab-x-0")
    assert type(e.value).__name__ == cls
    assert e.value.code == code and e.value.status == status and e.value.request_id
    assert words.lower() in str(e.value).lower() and code in str(e.value)
