"""Log files: rotation, and a planted API key or transcript never reaching them (unless debug)."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from qwenasr_desktop import logs
from qwenasr_desktop.engines.dashscope import auth

PLANTED = "sk-plantedkey0123456789abcdefXYZ"
ODD_SHAPED = "Zq9-not-key-shaped-but-secret-77"  # registered explicitly: masked although no sk- prefix
TRANSCRIPT = "the patient takes Xarelto twice daily"


@pytest.fixture()
def log_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHSCOPE_API_KEY", PLANTED)
    hook = sys.excepthook
    root = logging.getLogger()
    level = root.level
    yield tmp_path / "logs"
    for h in list(root.handlers):
        if getattr(h, "_qwenasr", False):
            root.removeHandler(h)
            h.close()
    root.setLevel(level)
    sys.excepthook = hook
    logs._show_private = False


def read_all(folder) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in logs.log_files(folder))


def emit_everything() -> None:
    # The DashScope client's loggers carry its own key-redacting filter, which formats the message
    # (args included) before our handler sees the record: the transcript must stay hidden anyway.
    app = auth.get_logger("qwenasr_desktop.engines.dashscope.http")
    assert any(isinstance(f, auth.RedactingFilter) for f in app.filters)
    app.info("request with key %s", PLANTED)
    app.info(f"headers: {{'Authorization': 'Bearer {PLANTED}'}}")
    app.warning("odd key %s", ODD_SHAPED)
    logging.getLogger("httpx").info("HTTP Request: GET http://x/?api_key=%s", PLANTED)  # a third party
    try:
        raise RuntimeError(f"server said: invalid key {PLANTED}")
    except RuntimeError:
        app.exception("call failed")
    app.info("final sentence: %s", logs.private(TRANSCRIPT))
    app.info("partial %(text)s", {"text": logs.private(TRANSCRIPT)})
    app.info("result " + TRANSCRIPT, extra={"private": True})
    app.debug("debug detail %s", TRANSCRIPT)


def test_planted_key_and_transcripts_never_reach_the_log(log_dir):
    path = logs.setup_logging(log_dir, debug=False)
    logs.register_secret(ODD_SHAPED)
    emit_everything()
    text = read_all(log_dir)
    assert path.is_file()
    assert PLANTED not in text and PLANTED[3:] not in text
    assert ODD_SHAPED not in text
    assert TRANSCRIPT not in text and "Xarelto" not in text
    # The lines themselves are still there, with the secret masked and the text measured.
    assert "request with key sk-…YZ" in text
    assert "Bearer ***" in text
    assert "call failed" in text and "RuntimeError: server said: invalid key sk-…YZ" in text
    assert f"final sentence: <private: {len(TRANSCRIPT)} chars>" in text
    assert "<private message:" in text


def test_debug_logging_shows_transcripts_but_still_masks_the_key(log_dir):
    logs.setup_logging(log_dir, debug=True)
    emit_everything()
    text = read_all(log_dir)
    assert TRANSCRIPT in text and "debug detail" in text
    assert PLANTED not in text and ODD_SHAPED not in text


def test_logs_rotate_and_keep_a_bounded_number_of_files(log_dir, monkeypatch):
    monkeypatch.setattr(logs, "MAX_BYTES", 2000)
    logs.setup_logging(log_dir)
    log = logging.getLogger("qwenasr_desktop.test")
    for i in range(400):
        log.info("line %04d %s", i, "x" * 60)
    files = logs.log_files(log_dir)
    assert len(files) == logs.BACKUP_COUNT + 1
    assert all(p.stat().st_size <= 2200 for p in files)
    assert "line 0399" in files[0].read_text(encoding="utf-8")


def test_setting_up_twice_keeps_one_handler(log_dir):
    logs.setup_logging(log_dir)
    logs.setup_logging(log_dir, debug=True)
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_qwenasr", False)]
    assert len(ours) == 1 and ours[0].level == logging.DEBUG


def test_uncaught_exception_is_logged_masked(log_dir, tmp_path):
    code = ("import sys\nfrom pathlib import Path\nfrom qwenasr_desktop import logs\n"
            f"logs.setup_logging(Path({str(log_dir)!r}))\n"
            f"raise ValueError('boom with {PLANTED}')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    text = read_all(log_dir)
    assert "Uncaught exception" in text and "ValueError: boom with sk-…YZ" in text
    assert PLANTED not in text
