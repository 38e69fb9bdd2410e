"""`qwenasr hotwords validate|convert` run as a real subprocess: output lines and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qwenasr_desktop.cli", *args], capture_output=True,
                          text=True, timeout=60)


def test_validate_ok_file_exits_0(tmp_path):
    f = tmp_path / "ok.json"
    f.write_text(json.dumps([{"text": "厄洛替尼盐酸盐", "weight": 4, "lang": "zh"},
                             {"text": "Exothermic reaction", "weight": 3}]), encoding="utf-8")
    r = run("hotwords", "validate", str(f))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == ""
    assert "2 valid hotwords, 0 errors" in r.stderr


def test_validate_errors_print_row_code_sentence_and_exit_1(tmp_path):
    f = tmp_path / "bad.json"
    f.write_text(json.dumps([{"text": "Qwen", "weight": 4},
                             {"text": "Клофелин Белмедпрепараты", "weight": 4}], indent=0), encoding="utf-8")
    r = run("hotwords", "validate", str(f))
    assert r.returncode == 1
    assert r.stdout.startswith("row 2: text-too-long: ")
    assert r.stdout.strip().endswith("(line 6)")
    assert "at most 15 characters" in r.stdout


def test_validate_language_hints_warn_but_pass(tmp_path):
    f = tmp_path / "l.csv"
    f.write_text("text,weight,lang\n赛德克巴莱,4,zh\nSeediq Bale,4,en\n", encoding="utf-8")
    r = run("hotwords", "validate", str(f), "--language-hints", "zh")
    assert r.returncode == 0
    assert "row 2: lang-excluded-by-hints:" in r.stdout


def test_validate_paraformer_model(tmp_path):
    f = tmp_path / "p.txt"
    f.write_text("one two three four five six\n", encoding="utf-8")
    assert run("hotwords", "validate", str(f)).returncode == 0
    r = run("hotwords", "validate", str(f), "--model", "paraformer-v2")
    assert r.returncode == 1 and "text-too-many-words" in r.stdout


def test_unreadable_file_exits_2(tmp_path):
    assert run("hotwords", "validate", str(tmp_path / "missing.json")).returncode == 2
    f = tmp_path / "x.json"
    f.write_bytes(b"\x00\x01binary")
    r = run("hotwords", "validate", str(f))
    assert r.returncode == 2 and "binary" in r.stderr


def test_unknown_model_exits_2(tmp_path):
    f = tmp_path / "x.txt"
    f.write_text("Qwen\n")
    r = run("hotwords", "validate", str(f), "--model", "fun-asr-nonexistent")
    assert r.returncode == 2 and "Unknown model" in r.stderr


def test_convert_txt_to_json_and_csv(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("Xarelto\nEntresto\n", encoding="utf-8")
    out = tmp_path / "out.json"
    assert run("hotwords", "convert", str(src), str(out)).returncode == 0
    expected = [{"text": "Xarelto", "weight": 4}, {"text": "Entresto", "weight": 4}]
    assert json.loads(out.read_text()) == expected
    csv_out = tmp_path / "out.csv"
    assert run("hotwords", "convert", str(out), str(csv_out)).returncode == 0
    assert csv_out.read_text().splitlines() == ["text,weight,lang", "Xarelto,4,", "Entresto,4,"]
