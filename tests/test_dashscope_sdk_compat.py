"""The official `dashscope` SDK, unchanged, pointed at the emulator (protocol paths that need no
recognition; the recognizing scenarios are in test_dashscope_recognition.py)."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from dashscope.audio.asr import Transcription, VocabularyService
from dashscope.audio.asr.vocabulary import VocabularyServiceException
from dashscope.utils.oss_utils import OssUtils
from emulators import serving  # tests/ is on sys.path

KEY = "sk-sdkcompat-0123456789"


@pytest.fixture(scope="module")
def emu():
    with serving(KEY, sdk=True) as server:
        yield server


def test_sdk_vocabulary_service_crud(emu):
    svc = VocabularyService(api_key=KEY)
    vid = svc.create_vocabulary(target_model="fun-asr-realtime", prefix="sdk",
                                vocabulary=[{"text": "Seediq Bale", "weight": 4, "lang": "en"},
                                            {"text": "赛德克巴莱", "weight": 4, "lang": "zh"}])
    assert vid.startswith("vocab-sdk-")
    assert [v["vocabulary_id"] for v in svc.list_vocabularies(prefix="sdk")] == [vid]
    q = svc.query_vocabulary(vid)
    assert q["status"] == "OK" and q["target_model"] == "fun-asr-realtime" and len(q["vocabulary"]) == 2
    svc.update_vocabulary(vid, [{"text": "语音实验室", "weight": 4}])
    assert svc.query_vocabulary(vid)["vocabulary"] == [{"text": "语音实验室", "weight": 4}]
    svc.delete_vocabulary(vid)
    assert svc.list_vocabularies() == []
    with pytest.raises(VocabularyServiceException) as e:
        svc.query_vocabulary(vid)
    assert "InvalidParameter" in str(e.value)


def test_sdk_sees_cloud_errors(emu):
    with pytest.raises(VocabularyServiceException) as e:
        VocabularyService(api_key="sk-not-the-key").list_vocabularies()
    assert "401" in str(e.value) and "InvalidApiKey" in str(e.value)
    with pytest.raises(VocabularyServiceException) as e:
        VocabularyService(api_key=KEY).create_vocabulary("fun-asr", "x", [{"text": "a", "weight": 7}])
    assert "weight" in str(e.value)


def test_sdk_upload_and_failed_task(emu, tmp_path):
    p = tmp_path / "clip.wav"
    sf.write(p, np.zeros(8000, np.float32), 16000, subtype="PCM_16")
    url, cert = OssUtils.upload(model="fun-asr", file_path=str(p), api_key=KEY)
    assert url.startswith("oss://") and cert["upload_host"].startswith(emu.base_url)
    emu.faults.fail_file_tasks = 1
    task = Transcription.async_call(model="fun-asr", file_urls=[url], api_key=KEY,
                                    headers={"X-DashScope-OssResourceResolve": "enable"})
    assert task.status_code == 200 and task.output.task_status == "PENDING"
    done = Transcription.wait(task=task.output.task_id, api_key=KEY)
    assert done.output.task_status == "FAILED"
    assert done.output["results"][0]["subtask_status"] == "FAILED"
    unknown = Transcription.fetch(task="no-such-task", api_key=KEY)
    assert unknown.output.task_status == "UNKNOWN"
