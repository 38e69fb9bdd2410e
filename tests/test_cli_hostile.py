"""Issue 17, command line: hostile input gets a message and a documented exit code, never a
traceback, a hang or a damaged output file. Every case runs `qwenasr` as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import wave

import pytest

from qwenasr_desktop.core import hotword_io

DEEP = "[" * 100_000 + "]" * 100_000  # RecursionError in json.loads before issue 17
SURROGATE = '[{"text":"\\ud800","weight":4}]'  # valid JSON, but not storable as UTF-8


def run(*args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qwenasr_desktop.cli", *args], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


def assert_clean(r: subprocess.CompletedProcess, code: int) -> None:
    assert "Traceback" not in r.stderr, r.stderr
    assert r.returncode == code, r.stdout + r.stderr


@pytest.fixture()
def deep(tmp_path):
    p = tmp_path / "deep.json"
    p.write_text(DEEP, encoding="utf-8")
    return p


def test_deep_json_is_unreadable_in_every_reader(tmp_path, deep):
    doc = tmp_path / "notes.txt"
    doc.write_text("Erlotinib and Gefitinib were discussed.", encoding="utf-8")
    out = tmp_path / "out.csv"
    runs = [run("hotwords", "validate", str(deep)),
            run("hotwords", "convert", str(deep), str(out)),
            run("hotwords", "suggest", str(doc), "--list", str(deep)),
            run("transcribe", str(tmp_path / "missing.wav"), "--hotwords", str(deep)),
            run("vocab", "create", str(deep), "--model", "fun-asr", "--prefix", "abc",
                "--region", "http://127.0.0.1:9", env={"DASHSCOPE_API_KEY": "sk-test-0000000000000001"})]
    for r in runs:
        assert_clean(r, 2)
        assert "nested too deeply" in r.stderr
    assert not out.exists()


def test_lone_surrogate_is_a_text_error_and_convert_keeps_the_old_output(tmp_path):
    src = tmp_path / "s.json"
    src.write_text(SURROGATE, encoding="utf-8")
    r = run("hotwords", "validate", str(src))
    assert_clean(r, 1)
    assert "row 1: text-surrogate:" in r.stdout and "U+D800" in r.stdout
    out = tmp_path / "out.json"
    out.write_text("the user's list\n", encoding="utf-8")
    r = run("hotwords", "convert", str(src), str(out))
    assert_clean(r, 1)  # the row is left out, like any other rule breach
    assert json.loads(out.read_text(encoding="utf-8")) == []
    assert sorted(os.listdir(tmp_path)) == ["out.json", "s.json"]


def test_surrogates_in_other_fields_are_printed_escaped(tmp_path):
    src = tmp_path / "s.json"
    src.write_text('[{"text":"ok","lang":"\\udc80"},{"text":"x","weight":"\\ud800","\\udfff":1}]',
                   encoding="utf-8")
    r = run("hotwords", "validate", str(src), "--model", "paraformer-v2")
    assert_clean(r, 1)
    assert "lang-invalid" in r.stdout and "\\ud800" in r.stdout and "\\udfff" in r.stdout


def test_vocabulary_word_inside_a_string_does_not_confuse_the_reader(tmp_path):
    src = tmp_path / "v.json"
    src.write_text('{"meta": {"vocabulary": "[x"},\n "vocabulary": [{"text": "Qwen", "weight": 4},\n'
                   ' {"text": "Bailian", "weight": 9}]}', encoding="utf-8")
    r = run("hotwords", "validate", str(src))
    assert_clean(r, 1)
    assert r.stdout.strip() == ("row 2: weight-range: The weight must be from 1 to 5; 9 is out of "
                                "range. (line 3)")


@pytest.mark.parametrize("bad", ["folder", "missing-parent"])
def test_bad_output_path_is_a_message_and_exit_2(tmp_path, bad):
    src = tmp_path / "in.txt"
    src.write_text("Qwen\n", encoding="utf-8")
    out = str(tmp_path) if bad == "folder" else str(tmp_path / "nope" / "out.json")
    why = "it is a folder" if bad == "folder" else "does not exist"
    runs = [run("hotwords", "convert", str(src), out),
            run("hotwords", "suggest", str(src), "--output", out),
            run("hotwords", "tune", "--audio", "a.wav", "--reference", "a.txt", "--hotwords", str(src),
                "--output", out)]
    for r in runs:
        assert_clean(r, 2)
        assert f"error: cannot write {out}: " in r.stderr and why in r.stderr


def test_an_unreadable_input_is_exit_2_with_the_reason(tmp_path):
    r = run("hotwords", "validate", str(tmp_path))
    assert_clean(r, 2)
    assert f"cannot read {tmp_path}" in r.stderr


@pytest.mark.parametrize("rate", [1, 999, 10_000_000])
def test_absurd_wav_rate_is_refused_quickly(tmp_path, rate):
    p = tmp_path / "odd.wav"
    with wave.open(str(p), "wb") as w:  # a 3 KB file; at 1 Hz it hung `transcribe` for 300+ s
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x01\x00" * 1500)
    started = time.monotonic()
    r = run("transcribe", str(p), timeout=60)
    assert_clean(r, 2)
    assert f"sample rate is {rate} Hz" in r.stderr
    assert time.monotonic() - started < 30


def _rows_json(n: int) -> bytes:
    return json.dumps([{"text": f"word{i}", "weight": 4} for i in range(n)], indent=1).encode()


def test_json_import_is_linear():
    """100k rows took 126 s when each row's line number was counted from the file's start."""
    small, big = _rows_json(10_000), _rows_json(100_000)
    t0 = time.perf_counter()
    report = hotword_io.parse_hotwords(small, "a.json")
    t1 = time.perf_counter()
    report_big = hotword_io.parse_hotwords(big, "b.json")
    t2 = time.perf_counter()
    assert len(report.items) == 10_000 and len(report_big.items) == 100_000
    assert report_big.lines[-1] == 2 + 4 * (100_000 - 1)  # "[", then 4 lines per row
    assert t2 - t1 < 30 * max(t1 - t0, 0.05)  # linear: 10x rows, not 100x time
    assert t2 - t1 < 20


@pytest.mark.parametrize("fmt", ["csv", "txt"])
def test_table_and_text_imports_are_fast(fmt):
    body = "".join(f"word{i},4\n" if fmt == "csv" else f"word{i}\n" for i in range(100_000))
    data = (("text,weight\n" if fmt == "csv" else "") + body).encode()
    started = time.perf_counter()
    report = hotword_io.parse_hotwords(data, f"x.{fmt}")
    assert len(report.items) == 100_000 and report.lines[-1] == 100_000 + (fmt == "csv")
    assert time.perf_counter() - started < 20


def test_suggest_reads_any_bytes_from_standard_input(tmp_path):
    r = subprocess.run([sys.executable, "-m", "qwenasr_desktop.cli", "hotwords", "suggest", "-"],
                       input=b"Erlotinib \xff\xfe and Erlotinib with Gefitinib.", capture_output=True,
                       timeout=60, env={**os.environ, "PYTHONIOENCODING": "ascii:strict"})
    assert r.returncode == 0 and b"Traceback" not in r.stderr, r.stderr
    assert b"Erlotinib" in r.stdout
