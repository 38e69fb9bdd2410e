"""`qwenasr hotwords tune|suggest` as real subprocesses: table, written list, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from test_candidates import BRIEF


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qwenasr_desktop.cli", *args], capture_output=True,
                          text=True, timeout=900, check=False, input=stdin)


@pytest.mark.slow
def test_tune_prints_the_table_and_writes_the_tuned_list(tmp_path, manifest):
    rec = manifest["sh_en_ls_1089-134686-0001"]
    lst = tmp_path / "list.json"
    lst.write_text(json.dumps([{"text": "counselled", "weight": 1}, {"text": "belly", "weight": 3},
                               {"text": "Stuffy", "weight": 5}]))
    ref = tmp_path / "ref.txt"
    ref.write_text(rec["reference"])
    out = tmp_path / "tuned.json"
    p = run("hotwords", "tune", "--audio", str(rec["audio_path"]), "--reference", str(ref),
            "--hotwords", str(lst), "--model", "tiny.en", "--option", "prompt_min_weight=9",
            "--option", "lam=0.75", "--option", "proposal_bonus=3.75",
            "--weights", "1,4,5", "--output", str(out))
    assert p.returncode == 0, p.stderr
    assert "cost: 3 to " in p.stderr  # told before the first recognition
    assert p.stderr.index("cost:") < p.stderr.index("[1/")
    rows = {line.split()[0]: line for line in p.stdout.splitlines()[2:] if line.split()}
    tuned = {h["text"]: h["weight"] for h in json.loads(out.read_text())}
    # The file holds what the table advises: counselled raised (missed at 1), Stuffy lowered
    # (inserted for "stuff it" at 5).
    for text, before in (("counselled", 1), ("belly", 3), ("Stuffy", 5)):
        advice = f"{before}->{tuned[text]}" if tuned[text] != before else f"keep {before}"
        assert advice in rows[text], rows[text]
    assert tuned["counselled"] in (4, 5) and tuned["Stuffy"] == 4
    assert "too high" in rows["Stuffy"] and "stuff -> Stuffy" in rows["Stuffy"]


def test_tune_refuses_bad_input(tmp_path, manifest):
    audio = str(manifest["sh_en_ls_1089-134686-0001"]["audio_path"])
    lst = tmp_path / "list.txt"
    lst.write_text("belly\n")
    p = run("hotwords", "tune", "--audio", audio, "--audio", audio, "--reference", str(lst),
            "--hotwords", str(lst))
    assert p.returncode == 2 and "one --reference per --audio" in p.stderr
    p = run("hotwords", "tune", "--audio", audio, "--reference", str(tmp_path / "nope.txt"),
            "--hotwords", str(lst))
    assert p.returncode == 2 and "nope.txt: file not found" in p.stderr
    p = run("hotwords", "tune", "--audio", audio, "--reference", str(lst), "--hotwords", str(lst),
            "--weights", "0,9")
    assert p.returncode == 2 and "--weights must be from 1 to 5" in p.stderr
    p = run("hotwords", "tune", "--audio", audio, "--reference", str(lst), "--hotwords", str(lst),
            "--option", "novalue")
    assert p.returncode == 2 and "KEY=VALUE" in p.stderr


def test_suggest_marks_duplicates_and_writes_new_candidates(tmp_path):
    doc = tmp_path / "brief.md"
    doc.write_text("# Brief\n\n" + BRIEF, encoding="utf-8")
    lst = tmp_path / "current.json"
    lst.write_text(json.dumps([{"text": "Entresto", "weight": 4}]))
    out = tmp_path / "new.txt"
    p = run("hotwords", "suggest", str(doc), "--list", str(lst), "--output", str(out))
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert any(line.startswith("= Entresto") and "already row 1" in line for line in lines)
    assert any(line.startswith("+ apixaban") for line in lines)
    assert "context suggestion:" in p.stdout
    written = out.read_text().split("\n")
    assert "apixaban" in written and "Entresto" not in written


def test_suggest_json_from_stdin_and_errors(tmp_path):
    p = run("hotwords", "suggest", "-", "--json", stdin="Dr. Nakamura prescribed Xarelto for the AFib.")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert {"Nakamura", "Xarelto"} <= {c["text"] for c in data["candidates"]}
    p = run("hotwords", "suggest", str(tmp_path / "deck.pptx"))
    assert p.returncode == 2 and 'unsupported file type ".pptx"' in p.stderr
