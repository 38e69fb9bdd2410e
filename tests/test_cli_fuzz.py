"""Property tests for every reader of the command line (issue 17): any bytes in, a documented
exit code out, no traceback, and an existing output file untouched unless the command succeeded.

Most examples run `main()` in this process (a traceback there is an exception that fails the
test); a smaller sample runs `qwenasr` as a real subprocess, to check what a shell user sees.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qwenasr_desktop.audio.decode import MAX_PHASES, AudioError, _ratio, load_audio
from qwenasr_desktop.cli import main
from qwenasr_desktop.core.hotword_io import parse_hotwords

SENTINEL = b"the user's precious file\n"
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_chars = st.one_of(st.characters(), st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF))
_scalars = st.none() | st.booleans() | st.integers(-10, 10) | st.floats(allow_nan=False)
_json_values = st.recursive(
    _scalars | st.text(_chars, max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["text", "weight", "lang", "vocabulary", "meta", "x"]) | st.text(_chars, max_size=5),
        inner, max_size=4),
    max_leaves=20)


@st.composite
def _hostile_bytes(draw) -> bytes:
    """Raw bytes, JSON shaped like (or nearly like) a hotword list, deep nesting, CSV/TXT text."""
    kind = draw(st.sampled_from(["raw", "json", "deep", "text"]))
    if kind == "raw":
        return draw(st.binary(max_size=3000))
    if kind == "deep":
        n = draw(st.integers(1, 20_000))  # the recursion limit is 1,000
        opener, closer = draw(st.sampled_from([("[", "]"), ('{"vocabulary":', "}"), ('[{"text":', "}]")]))
        return (opener * n + "1" + closer * n).encode()
    if kind == "json":
        body = json.dumps(draw(_json_values), ensure_ascii=draw(st.booleans()))
        return body.encode("utf-8", "surrogatepass" if draw(st.booleans()) else "backslashreplace")
    text = draw(st.text(st.characters(codec="utf-8"), max_size=400))
    prefix = draw(st.sampled_from(["", "text,weight,lang\n", "text\tweight\n", "\ufeff"]))
    return (prefix + text).encode(draw(st.sampled_from(["utf-8", "utf-16"])))


hostile = _hostile_bytes()
names = st.sampled_from(["list.json", "list.csv", "list.tsv", "list.txt", "list"])


def run_in_process(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue() + err.getvalue()


@pytest.fixture(scope="module")
def vocab_env():
    """`vocab create` needs a key and a region; port 9 on loopback refuses at once (exit 3)."""
    old = os.environ.get("DASHSCOPE_API_KEY")
    os.environ["DASHSCOPE_API_KEY"] = "sk-fuzz-00000000000000001"
    yield
    if old is None:
        del os.environ["DASHSCOPE_API_KEY"]
    else:
        os.environ["DASHSCOPE_API_KEY"] = old


def _commands(d: Path, f: Path, out: Path) -> dict[str, tuple[list[str], set[int]]]:
    doc = d / "notes.txt"
    doc.write_text("Erlotinib and Gefitinib were discussed with Dr. Zhang.", encoding="utf-8")
    return {
        "validate": (["hotwords", "validate", str(f)], {0, 1, 2}),
        "convert": (["hotwords", "convert", str(f), str(out)], {0, 1, 2}),
        "suggest-list": (["hotwords", "suggest", str(doc), "--list", str(f), "--output", str(out)], {0, 2}),
        "transcribe": (["transcribe", str(d / "missing.wav"), "--hotwords", str(f)], {2}),
        "vocab": (["vocab", "create", str(f), "--model", "fun-asr", "--prefix", "fz",
                   "--region", "http://127.0.0.1:9", "--no-wait"], {1, 2, 3}),
    }


def _check(name: str, code: int, allowed: set[int], out: Path) -> None:
    assert code in allowed, (name, code)
    if code not in (0, 1):
        assert out.read_bytes() == SENTINEL, name  # a failed run never touches the output
    elif name == "convert":  # what was written reads back cleanly
        report = parse_hotwords(out.read_bytes(), out.name)
        assert not report.rejected
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == []  # no temp left


@pytest.mark.parametrize("command", ["validate", "convert", "suggest-list", "transcribe", "vocab"])
@FAST
@given(data=hostile, name=names)
def test_any_bytes_in_process(vocab_env, command, data, name):
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        f, out = d / name, d / "out.json"
        f.write_bytes(data)
        out.write_bytes(SENTINEL)
        argv, allowed = _commands(d, f, out)[command]
        code, _ = run_in_process(*argv)
        _check(command, code, allowed, out)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=hostile, name=names, command=st.sampled_from(["validate", "convert", "suggest-list", "vocab"]))
def test_any_bytes_subprocess(data, name, command):
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        f, out = d / name, d / "out.json"
        f.write_bytes(data)
        out.write_bytes(SENTINEL)
        argv, allowed = _commands(d, f, out)[command]
        r = subprocess.run([sys.executable, "-m", "qwenasr_desktop.cli", *argv], capture_output=True,
                           timeout=60, env={**os.environ, "DASHSCOPE_API_KEY": "sk-fuzz-00000000000000001"})
        assert b"Traceback" not in r.stderr, r.stderr.decode(errors="replace")
        _check(command, r.returncode, allowed, out)


@FAST
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".txt", ".md", ".docx", ".pdf"]))
def test_any_document_for_suggest(data, suffix):
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        doc, out = d / f"doc{suffix}", d / "new.csv"
        doc.write_bytes(data)
        out.write_bytes(SENTINEL)
        code, _ = run_in_process("hotwords", "suggest", str(doc), "--output", str(out))
        assert code in (0, 2)
        if code == 2:
            assert out.read_bytes() == SENTINEL


def _wav(rate: int, channels: int, bits: int, payload: bytes) -> bytes:
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", 1, channels, rate, (rate * block) & 0xFFFFFFFF, block & 0xFFFF, bits)
    return (b"RIFF" + struct.pack("<I", 36 + len(payload)) + b"WAVEfmt " + struct.pack("<I", 16) + fmt
            + b"data" + struct.pack("<I", len(payload)) + payload)


@FAST
@given(rate=st.integers(0, 2**32 - 1) | st.sampled_from([1, 999, 1000, 1001, 44101, 383_999, 384_001]),
       channels=st.integers(0, 8), bits=st.sampled_from([0, 8, 16, 24, 32, 7]),
       payload=st.binary(min_size=0, max_size=4000))
def test_any_wav_header_loads_or_is_refused_quickly(rate, channels, bits, payload):
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "clip.wav"
        p.write_bytes(_wav(rate, channels, bits, payload))
        started = time.monotonic()
        try:
            audio = load_audio(p)
        except AudioError:
            pass
        else:
            assert audio.dtype == np.float32 and len(audio) <= 16 * len(payload) + 64
        assert time.monotonic() - started < 10


def test_common_rates_resample_exactly_and_odd_ones_stay_small():
    for rate in (8000, 11025, 12000, 22050, 24000, 32000, 44100, 48000, 88200, 96000, 192000, 352800):
        up, down = _ratio(rate, 16000)
        assert up * rate == down * 16000
    for rate in (1001, 44101, 100_003, 383_999):
        up, down = _ratio(rate, 16000)
        assert max(up, down) <= MAX_PHASES and abs(up / down * rate / 16000 - 1) < 1e-3
