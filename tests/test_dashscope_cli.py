"""`qwenasr vocab ...` against the emulator, and `qwenasr emulator` as a real subprocess."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import httpx
import pytest
from emulators import serving  # tests/ is on sys.path

from qwenasr_desktop.cli import main

KEY = "sk-clitest-0123456789ab"


@pytest.fixture(scope="module")
def emu():
    with serving(KEY) as server:
        yield server


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)


def test_vocab_commands_roundtrip(emu, tmp_path, capsys):
    f = tmp_path / "words.csv"
    f.write_text("text,weight,lang\nKubernetes,4,en\n赛德克巴莱,5,zh\n", encoding="utf-8")
    assert main(["vocab", "create", str(f), "--model", "fun-asr", "--prefix", "cli", "--region",
                 emu.base_url]) == 0
    vid = capsys.readouterr().out.strip()
    assert vid.startswith("vocab-cli-")
    assert main(["vocab", "list", "--region", emu.base_url]) == 0
    assert vid in capsys.readouterr().out
    assert main(["vocab", "show", vid, "--json", "--region", emu.base_url]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["target_model"] == "fun-asr" and shown["status"] == "OK"
    assert shown["vocabulary"][1] == {"text": "赛德克巴莱", "weight": 5, "lang": "zh"}
    f2 = tmp_path / "new.txt"
    f2.write_text("Bulge Bracket\n", encoding="utf-8")
    assert main(["vocab", "update", vid, str(f2), "--region", emu.base_url]) == 0
    assert main(["vocab", "show", vid, "--region", emu.base_url]) == 0
    out = capsys.readouterr().out
    assert "Bulge Bracket" in out and "Kubernetes" not in out
    assert main(["vocab", "delete", vid, "--region", emu.base_url]) == 0
    assert main(["vocab", "show", vid, "--region", emu.base_url]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_vocab_create_refuses_bad_rows_and_bad_setup(emu, tmp_path, capsys, monkeypatch):
    f = tmp_path / "bad.csv"
    f.write_text("text,weight\nok,4\nbad,9\n", encoding="utf-8")
    assert main(["vocab", "create", str(f), "--model", "fun-asr", "--prefix", "x", "--region",
                 emu.base_url]) == 1
    assert "not uploaded" in capsys.readouterr().err
    assert main(["vocab", "create", str(tmp_path / "missing.csv"), "--model", "fun-asr", "--prefix", "x",
                 "--region", emu.base_url]) == 2
    assert main(["vocab", "list", "--region", "mars"]) == 2
    assert "Unknown region" in capsys.readouterr().err
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-wrong-cli-key-000")
    assert main(["vocab", "list", "--region", emu.base_url]) == 3
    err = capsys.readouterr().err
    assert "API key was rejected" in err and "sk-wrong-cli-key-000" not in err


def test_emulator_command_serves_on_loopback(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "qwenasr_desktop.cli", "emulator", "--port", str(port),
                             "--api-key", "sk-sub-123456789"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        first = proc.stdout.readline()  # printed once the port is bound
        assert f"http://127.0.0.1:{port}" in first
        r = httpx.post(f"http://127.0.0.1:{port}/api/v1/services/audio/asr/customization",
                       headers={"Authorization": "Bearer sk-sub-123456789"},
                       json={"model": "speech-biasing", "input": {"action": "list_vocabulary"}})
        assert r.status_code == 200 and r.json()["output"]["vocabulary_list"] == []
        r = httpx.get(f"http://127.0.0.1:{port}/api/v1/tasks/x", headers={"Authorization": "Bearer other"})
        assert r.status_code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=10)
