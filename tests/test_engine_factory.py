"""The engine factory and the capabilities engines declare: callers ask these instead of names."""

from __future__ import annotations

import pytest

from qwenasr_desktop.engines.base import EngineError
from qwenasr_desktop.engines.dashscope.engine import DashScopeEngine
from qwenasr_desktop.engines.factory import (
    DASHSCOPE,
    ENGINE_NAMES,
    LOCAL,
    EngineSetupError,
    capabilities_of,
    make_engine,
)
from qwenasr_desktop.engines.local.engine import LocalEngine


def test_every_engine_declares_its_capabilities():
    local, cloud = capabilities_of(LOCAL), capabilities_of(DASHSCOPE)
    assert local.inline_hotwords and not local.file_upload and not local.billed
    assert not cloud.inline_hotwords and cloud.file_upload and cloud.cloud_vocabularies and cloud.billed
    assert set(ENGINE_NAMES) == {LOCAL, DASHSCOPE}


def test_the_factory_builds_each_engine_without_loading_a_model():
    local = make_engine(LOCAL, cpu_threads=1)
    assert isinstance(local, LocalEngine) and local.cpu_threads == 1
    local.close()  # engines holding nothing still answer close()
    cloud = make_engine(DASHSCOPE, region="http://127.0.0.1:9", api_key="sk-test")
    try:
        assert isinstance(cloud, DashScopeEngine) and cloud.capabilities.billed
    finally:
        cloud.close()


@pytest.mark.parametrize("name, region", [("whisper", None), (DASHSCOPE, "mars")])
def test_setup_failures_are_engine_errors_with_a_message(name, region):
    with pytest.raises(EngineSetupError) as e:
        make_engine(name, region=region, api_key="sk-test")
    assert isinstance(e.value, EngineError) and str(e.value)


def test_engines_that_do_not_upload_say_so():
    with pytest.raises(EngineError, match="does not upload"):
        make_engine(LOCAL).upload("clip.wav", "base")
