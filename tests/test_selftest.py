"""`qwenasr-desktop --self-test` from source, and the app starting with no network and no key.

Network isolation uses a fresh network namespace (`unshare -n`: only a loopback that is down)
when this runs as root, as on CI; otherwise proxies point at a dead port and a Python audit hook
fails any non-loopback connect, so the test still fails if start-up reaches out.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from qwenasr_desktop import selftest

REPO = Path(__file__).resolve().parent.parent
PLANTED = "sk-selftestplanted0123456789"


def can_unshare() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


def isolated_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DASHSCOPE_API_KEY"}
    dead = "http://127.0.0.1:9"
    env.update({
        "QT_QPA_PLATFORM": "offscreen",
        "HTTP_PROXY": dead, "HTTPS_PROXY": dead, "ALL_PROXY": dead,
        "http_proxy": dead, "https_proxy": dead, "all_proxy": dead, "NO_PROXY": "",
        "HF_HUB_OFFLINE": "1",
        # No key anywhere: keyring's own "fail" backend, as on a machine without a keyring.
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "home" / ".config"),
        "XDG_DATA_HOME": str(tmp_path / "home" / ".local" / "share"),
    })
    env.update(extra)
    return env


# Fails the process on any non-loopback connect or name lookup, whatever code path tries it.
GUARD = """
import sys
def _guard(event, args):
    if event == "socket.connect" and isinstance(args[1], tuple):
        host = str(args[1][0])
        if not (host.startswith("127.") or host in ("::1", "localhost")):
            raise SystemExit(f"NETWORK ACCESS: connect to {args[1]}")
    if event == "socket.getaddrinfo" and args[0] not in (None, "localhost", b"localhost") \\
            and not str(args[0]).startswith("127."):
        raise SystemExit(f"NETWORK ACCESS: lookup of {args[0]}")
sys.addaudithook(_guard)
"""


def run_isolated(code: str, tmp_path: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", GUARD + code]
    if can_unshare():
        cmd = ["unshare", "-n", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=REPO,
                          env=isolated_env(tmp_path))


def test_app_starts_with_no_network_and_no_key(tmp_path):
    data = tmp_path / "data"
    code = ("from qwenasr_desktop import app\n"
            f"raise SystemExit(app.main(['--quit-when-shown', '--data-dir', {str(data)!r}]))\n")
    result = run_isolated(code, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "window shown after" in result.stdout
    assert "NETWORK ACCESS" not in result.stdout + result.stderr
    # First run: the database, the settings file and the log are in the chosen folder.
    assert (data / "qwenasr.sqlite3").is_file()
    assert (data / "logs" / "qwenasr-desktop.log").is_file()


@pytest.mark.slow
def test_self_test_passes_from_source_offline(tmp_path):
    code = ("from qwenasr_desktop import app\n"
            f"raise SystemExit(app.main(['--self-test', '--data-dir', {str(tmp_path / 'd')!r}]))\n")
    result = run_isolated(code, tmp_path, timeout=600)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "ok   qt: PySide6" in out
    assert "main window rendered with pages: Hotword lists, Recognize & compare, History" in out
    assert "ok   portaudio:" in out
    assert "ok   chinese-script: 農業廣播 -> 农业广播, 农业广播 -> 農業廣播" in out
    assert "ok   recognition: local-whisper-base with 3 hotwords" in out
    assert "found FastAPI, Uvicorn" in out
    assert "ok   network: no connection attempted" in out
    assert out.rstrip().endswith("self-test passed")
    report = (tmp_path / "d" / selftest.REPORT_NAME).read_text(encoding="utf-8")
    assert "found FastAPI, Uvicorn" in report and report.rstrip().endswith("self-test passed")


def test_bundled_clip_is_the_documented_test_clip(manifest):
    spec = json.loads((selftest.resources_dir() / "selftest" / "selftest.json").read_text("utf-8"))
    clip = selftest.resources_dir() / "selftest" / spec["clip"]
    from conftest import load_manifest

    synthetic = {r["id"]: r for r in load_manifest("synthetic/manifest.jsonl")}
    record = synthetic["sh_syn_en_01"]
    assert hashlib.sha256(clip.read_bytes()).hexdigest() == record["sha256"]
    targets = {h["text"] for h in record["hotwords"] if not h["distractor"]}
    assert set(spec["must_contain"]) <= targets
    assert {h["text"] for h in spec["hotwords"]} <= targets  # no distractor in the self-test list


def test_network_guard_records_non_loopback_connects_only():
    guard = selftest.NetworkGuard().install()
    with socket.socket() as s:
        s.settimeout(0.05)
        with contextlib.suppress(OSError):
            s.connect(("127.0.0.1", 9))
    assert guard.attempts == []
    with socket.socket() as s:
        s.settimeout(0.05)
        with contextlib.suppress(OSError):
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed
    assert guard.attempts == ["connect to 192.0.2.1:9"]


def test_a_failing_check_fails_the_run_and_names_it(monkeypatch, tmp_path):
    monkeypatch.setattr(selftest, "resources_dir", lambda: tmp_path / "nowhere")
    monkeypatch.setattr(selftest, "check_qt", lambda folder: selftest.CheckResult("qt", True, "skipped"))
    lines: list[str] = []
    assert selftest.run(tmp_path / "d", out=lines.append) == 1
    assert any(line.startswith("FAIL recognition: FileNotFoundError") for line in lines)
    assert lines[-1] == "self-test FAILED"


def test_hotword_match_is_whole_word():
    assert selftest._contains_word("Start it with Uvicorn.", "uvicorn")
    assert not selftest._contains_word("Install Fast API now", "FastAPI")
    assert not selftest._contains_word("FastAPIs", "FastAPI")
