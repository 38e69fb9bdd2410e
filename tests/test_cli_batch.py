"""`qwenasr transcribe` batches: real offline recognition of vendored clips into every output
format (each parsed back), a broken file among good ones, folders, piped stderr, Ctrl-C, and
`--engine dashscope` against the emulator over real sockets (one task for the batch, one file
of three failing)."""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from emulators import ThreadedEngine, serving  # tests/ is on sys.path

from qwenasr_desktop.cli import main
from qwenasr_desktop.cli_outputs import (
    InputError,
    OutputFormat,
    collect_inputs,
    output_paths,
)
from qwenasr_desktop.cli_progress import BatchProgress
from qwenasr_desktop.core.export import from_json
from qwenasr_desktop.core.models import LOCAL_TINY_EN
from qwenasr_desktop.core.transcript import Sentence, Transcript

REPO = Path(__file__).resolve().parent.parent
KEY = "sk-clibatch-0123456789ab"
SHORT, OTHER = "sh_en_ls_1089-134686-0001", "sh_en_lj001_0028"  # 3.3 s and 5.9 s of English
LONG = "dv_en_osr_us_000_0034_8k"  # 35 s: still running when the test presses Ctrl-C
SUMMARY = re.compile(r"^(\d+) files?: (\d+) written(?:, (\d+) failed: (.*))?$")



def interruptible() -> None:
    """Run in the child before exec: Ctrl-C back to its default. A test suite started in the
    background (`cmd &`, nohup) ignores SIGINT, and an ignored signal stays ignored across exec:
    the CLI would never see the Ctrl-C these tests send."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def ctrl_c_when(p: subprocess.Popen, ready) -> str:
    """Send Ctrl-C once `ready()` holds (or the CLI has ended); the CLI's stderr after it."""
    try:
        while not ready() and p.poll() is None:
            time.sleep(0.05)
        p.send_signal(signal.SIGINT)
        return p.communicate(timeout=60)[1]
    finally:
        p.kill()

def run_cli(*args: str, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "qwenasr_desktop.cli", *args], capture_output=True,
                          text=True, env=env, timeout=600, **kw)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def mostly_heard(hypothesis: str, reference: str) -> bool:
    """At least 60 % of the reference's words were recognized: real speech, not a stub."""
    ref, hyp = words(reference), set(words(hypothesis))
    return sum(w in hyp for w in ref) >= 0.6 * len(ref)


def parse_srt(text: str) -> list[tuple[str, str, str]]:
    cues = []
    for block in text.strip().split("\n\n"):
        lines = block.strip().split("\n")
        assert lines[0].isdigit() and int(lines[0]) == len(cues) + 1, block
        m = re.fullmatch(r"(\d\d:\d\d:\d\d,\d{3}) --> (\d\d:\d\d:\d\d,\d{3})", lines[1])
        assert m, block
        assert lines[2:], block
        cues.append((m[1], m[2], " ".join(lines[2:])))
    return cues


def parse_vtt(text: str) -> list[tuple[str, str, str]]:
    head, *blocks = text.strip().split("\n\n")
    assert head == "WEBVTT"
    cues = []
    for block in blocks:
        lines = block.strip().split("\n")
        m = re.fullmatch(r"(\d\d:\d\d:\d\d\.\d{3}) --> (\d\d:\d\d:\d\d\.\d{3})", lines[0])
        assert m and lines[1:], block
        cues.append((m[1], m[2], " ".join(lines[1:])))
    return cues


# --- inputs and output names (no recognition) -----------------------------------------------------

def test_a_folder_gives_its_audio_files_sorted_and_recursion_is_asked_for(tmp_path):
    (tmp_path / "b.wav").write_bytes(b"x")
    (tmp_path / "a.MP3").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("not audio")
    (tmp_path / "._a.wav").write_bytes(b"mac shadow")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.flac").write_bytes(b"x")
    assert [p.name for p in collect_inputs([str(tmp_path)])] == ["a.MP3", "b.wav"]
    assert [p.name for p in collect_inputs([str(tmp_path)], recursive=True)] == ["a.MP3", "b.wav", "c.flac"]
    # the same file twice (folder and by name) is recognized once
    assert len(collect_inputs([str(tmp_path), str(tmp_path / "b.wav")])) == 2
    with pytest.raises(InputError, match=r"no audio files in the folder .*--recursive"):
        collect_inputs([str(_empty(tmp_path))])
    with pytest.raises(InputError, match=r"no such file or folder: .*missing\.wav"):
        collect_inputs([str(tmp_path / "missing.wav")])


def _empty(tmp_path: Path) -> Path:
    d = tmp_path / "empty"
    d.mkdir()
    (d / "readme.txt").write_text("no audio here")
    return d


def test_output_names_are_distinct_and_never_an_input(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    inputs = [tmp_path / "a.wav", tmp_path / "a.mp3", tmp_path / "x" / "talk.wav",
              tmp_path / "y" / "talk.wav", tmp_path / "song.wav.txt"]  # a named file, any extension
    names = [p.name for p in output_paths(inputs, tmp_path, OutputFormat.TXT)]
    assert names == ["a.wav.txt", "a.mp3.txt", "talk.wav.txt", "talk.wav-2.txt", "song.wav-2.txt"]
    assert len(set(names)) == len(names)
    assert not {tmp_path / n for n in names} & set(inputs)


# --- usage errors (no recognition) ------------------------------------------------------------------

@pytest.mark.parametrize(("argv", "message"), [
    (["a.wav", "b.wav"], "need --output-dir"),
    (["a.wav", "--format", "srt"], "--format needs --output-dir"),
    (["a.wav", "--engine", "dashscope", "--vocabulary-id", "vocab-x-1", "--hotwords", "h.txt"],
     "cannot be used together"),
    (["a.wav", "--vocabulary-id", "vocab-x-1"], "needs --engine dashscope"),
    (["a.wav", "--engine", "dashscope", "--context", "hello"], "fun-asr does not take context"),
    (["a.wav", "--engine", "dashscope", "--model", "nope"], "Unknown model 'nope'"),
    (["a.wav", "--engine", "dashscope", "--model", "sensevoice-v1", "--vocabulary-id", "v"],
     "ignores hotwords"),
    (["a.wav", "--diarize"], "need --engine dashscope"),
])
def test_usage_errors_say_what_is_wrong(argv, message, capsys):
    assert main(["transcribe", *argv]) == 2
    assert message in capsys.readouterr().err


def test_a_missing_input_stops_the_batch_before_any_work(tmp_path, capsys):
    assert main(["transcribe", str(tmp_path / "gone.wav"), "--output-dir", str(tmp_path / "out")]) == 2
    assert f"no such file or folder: {tmp_path / 'gone.wav'}" in capsys.readouterr().err


def test_progress_bars_only_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    for stream, shown in ((Tty(), True), (io.StringIO(), False)):
        bars = BatchProgress(2, stream)
        bars.show(0, "clips/a.wav", 0.5, "00:05 / 00:10")
        bars.file_done("wrote out/a.txt")
        bars.close()
        text = stream.getvalue()
        assert ("50%|" in text and "a.wav" in text and "00:05 / 00:10" in text
                and "wrote out/a.txt" in text) is shown, text


# --- the offline engine on real clips -----------------------------------------------------------------

@pytest.fixture(scope="module")
def clips(manifest, tmp_path_factory) -> Path:
    """A folder with two real clips, a broken "WAV" and a text file (not taken from a folder)."""
    d = tmp_path_factory.mktemp("clips")
    for cid in (SHORT, OTHER):
        shutil.copy(manifest[cid]["audio_path"], d / f"{cid}.wav")
    (d / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEthis is not audio")
    (d / "notes.txt").write_text("not audio", encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def folder_run(clips, tmp_path_factory):
    """One real subprocess run over the folder, stderr piped: (result, output folder)."""
    out = tmp_path_factory.mktemp("out")
    return run_cli("transcribe", str(clips), "--model", "tiny.en", "--output-dir", str(out),
                   "--format", "json"), out


@pytest.mark.slow
def test_folder_batch_with_a_broken_file(folder_run, clips, manifest):
    r, out = folder_run
    assert r.returncode == 1, r.stderr
    assert r.stdout == ""
    assert sorted(p.name for p in out.iterdir()) == [f"{OTHER}.json", f"{SHORT}.json"]
    for cid in (SHORT, OTHER):
        t, _ = from_json((out / f"{cid}.json").read_text(encoding="utf-8"))
        assert t.model == LOCAL_TINY_EN and t.sentences and t.sentences[0].words
        assert mostly_heard(t.text, manifest[cid]["reference"]), t.text
    # piped: no bar, no carriage returns; exactly one line, the summary, naming the broken file
    assert "\r" not in r.stderr and "%|" not in r.stderr
    lines = r.stderr.strip().split("\n")
    assert len(lines) == 1, r.stderr
    m = SUMMARY.match(lines[0])
    assert m and m.groups()[:3] == ("3", "2", "1"), lines[0]
    assert m[4].startswith(f"{clips / 'broken.wav'}: ") and "audio" in m[4]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["txt", "srt", "vtt", "docx"])
def test_each_format_reads_back_as_the_same_transcript(fmt, folder_run, clips, tmp_path, capsys):
    _, json_out = folder_run
    expected, _ = from_json((json_out / f"{SHORT}.json").read_text(encoding="utf-8"))
    out = tmp_path / "out"
    assert main(["transcribe", str(clips / f"{SHORT}.wav"), "--model", "tiny.en", "--output-dir",
                 str(out), "--format", fmt]) == 0
    assert capsys.readouterr().err.strip() == "1 file: 1 written"
    [written] = list(out.iterdir())
    assert written.name == f"{SHORT}.{fmt}"
    if fmt == "docx":
        from docx import Document

        heading, *paras = Document(str(written)).paragraphs
        assert heading.text == SHORT  # the title; each paragraph starts with its time in bold
        assert all(re.fullmatch(r"\[\d\d:\d\d\.\d\] ", p.runs[0].text) and p.runs[0].bold for p in paras)
        text = " ".join(r.text for p in paras for r in p.runs[1:])
    else:
        raw = written.read_text(encoding="utf-8")
        text = {"txt": lambda: raw, "srt": lambda: " ".join(c[2] for c in parse_srt(raw)),
                "vtt": lambda: " ".join(c[2] for c in parse_vtt(raw))}[fmt]()
    assert words(text) == words(expected.text)


@pytest.mark.slow
def test_ctrl_c_stops_keeps_finished_files_and_exits_130(manifest, tmp_path):
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    p = subprocess.Popen([sys.executable, "-m", "qwenasr_desktop.cli", "transcribe",
                          str(manifest[SHORT]["audio_path"]), str(manifest[LONG]["audio_path"]),
                          "--model", "tiny.en", "--output-dir", str(out)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                         preexec_fn=interruptible)
    first = out / f"{SHORT}.txt"
    err = ctrl_c_when(p, first.exists)
    assert p.returncode == 130, err
    assert err.strip() == "cancelled: 2 files: 1 written, 1 not done"
    assert [f.name for f in out.iterdir()] == [first.name]  # no temporary file left behind
    assert words(first.read_text(encoding="utf-8"))


# --- DashScope through the emulator ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def emu():
    from qwenasr_desktop.engines.local.engine import LocalEngine

    with serving(KEY, LocalEngine) as server:
        server.recognizer.local_model = LOCAL_TINY_EN  # the fast model: two clips, seconds each
        yield server


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)


@pytest.mark.slow
def test_dashscope_batch_is_one_task_and_one_failure_spares_the_rest(emu, clips, manifest, tmp_path,
                                                                     capsys):
    hw = tmp_path / "hotwords.txt"
    hw.write_text("counselled\nbelly\n", encoding="utf-8")
    tasks_before = set(emu.store.tasks)
    out = tmp_path / "out"
    files = [clips / f"{SHORT}.wav", clips / "broken.wav", clips / f"{OTHER}.wav"]
    assert main(["transcribe", *map(str, files), "--engine", "dashscope", "--region", emu.base_url,
                 "--hotwords", str(hw), "--output-dir", str(out), "--format", "srt"]) == 1
    err = capsys.readouterr().err.strip().split("\n")
    assert re.fullmatch(r"created the cloud hotword list vocab-qwcli-\w+ for fun-asr from .*hotwords"
                        r"\.txt \(2 hotwords\)", err[0]), err
    m = SUMMARY.match(err[-1])
    assert m and m.groups()[:3] == ("3", "2", "1") and m[4].startswith(f"{files[1]}: "), err
    assert "DecodeFailed" in m[4]
    [task_id] = set(emu.store.tasks) - tasks_before  # one task for the three files
    task = emu.store.tasks[task_id]
    assert len(task.file_urls) == 3 and task.parameters["vocabulary_id"].startswith("vocab-qwcli-")
    assert sorted(p.name for p in out.iterdir()) == [f"{OTHER}.srt", f"{SHORT}.srt"]
    for cid in (SHORT, OTHER):
        cues = parse_srt((out / f"{cid}.srt").read_text(encoding="utf-8"))
        assert mostly_heard(" ".join(c[2] for c in cues), manifest[cid]["reference"]), cues


def test_hotwords_reuse_an_identical_cloud_list(emu):
    from qwenasr_desktop.core.hotwords import Hotword
    from qwenasr_desktop.engines.factory import make_engine

    engine = make_engine("dashscope", region=emu.base_url)
    try:
        k8s, api = Hotword("Kubernetes", 4), Hotword("FastAPI", 3)
        first, reused = engine.hotword_vocabulary([k8s, api], "fun-asr")
        assert not reused
        again, reused = engine.hotword_vocabulary([api, k8s], "fun-asr")
        assert (again, reused) == (first, True)
        other, reused = engine.hotword_vocabulary([Hotword("FastAPI", 5)], "fun-asr")
        assert other != first and not reused
    finally:
        engine.close()


class TwoSpeakers(ThreadedEngine):
    """The emulator's recognizer for the diarization test: the emulator has no speaker model,
    so this backend labels two speakers, as the cloud does when diarization is on."""

    name = "two-speakers"

    def recognize(self, audio, options, progress=None, cancel=None, *, on_chunk=None,
                  resume=None) -> Transcript:
        return Transcript([Sentence("Good morning.", 0, 1500, speaker=0),
                           Sentence("Hello there.", 1600, 3000, speaker=1)])


def test_diarization_is_asked_for_and_speakers_reach_the_subtitles(clips, tmp_path, capsys):
    with serving(KEY, TwoSpeakers()) as server:
        out = tmp_path / "out"
        assert main(["transcribe", str(clips / f"{SHORT}.wav"), "--engine", "dashscope", "--region",
                     server.base_url, "--diarize", "--speakers", "2", "--output-dir", str(out),
                     "--format", "srt"]) == 0
        [task] = server.store.tasks.values()
        assert task.parameters["diarization_enabled"] is True and task.parameters["speaker_count"] == 2
    cues = parse_srt((out / f"{SHORT}.srt").read_text(encoding="utf-8"))
    assert [c[2] for c in cues] == ["Speaker 1: Good morning.", "Speaker 2: Hello there."]
    assert capsys.readouterr().err.strip() == "1 file: 1 written"


def test_a_list_for_another_model_stops_the_batch_before_any_upload(emu, clips, tmp_path, capsys):
    from qwenasr_desktop.core.hotwords import Hotword
    from qwenasr_desktop.engines.factory import make_engine

    engine = make_engine("dashscope", region=emu.base_url)
    try:
        vid = engine.create_vocabulary("other", "paraformer-v2", [Hotword("Kubernetes", 4)])
    finally:
        engine.close()
    uploads_before = len(emu.store.uploads)
    out = tmp_path / "out"
    assert main(["transcribe", str(clips / f"{SHORT}.wav"), str(clips / f"{OTHER}.wav"),
                 "--engine", "dashscope", "--region", emu.base_url, "--vocabulary-id", vid,
                 "--output-dir", str(out)]) == 1
    summary = capsys.readouterr().err.strip()
    assert summary.startswith("2 files: 0 written, 2 not done; stopped: ") and "paraformer-v2" in summary
    assert list(out.iterdir()) == []
    assert len(emu.store.uploads) == uploads_before


@pytest.fixture()
def fake_cloud():
    """An emulator whose recognizer answers at once (these tests are about the batch, not speech)."""
    with serving(KEY, ThreadedEngine()) as server:
        yield server


def test_a_failed_task_fails_every_file_and_says_why(fake_cloud, clips, tmp_path, capsys):
    fake_cloud.faults.fail_file_tasks = 1
    out = tmp_path / "out"
    files = [str(clips / f"{SHORT}.wav"), str(clips / f"{OTHER}.wav")]
    assert main(["transcribe", *files, "--engine", "dashscope", "--region", fake_cloud.base_url,
                 "--output-dir", str(out)]) == 1
    m = SUMMARY.match(capsys.readouterr().err.strip())
    assert m and m.groups()[:3] == ("2", "0", "2"), m
    assert [part.split(": ")[0] for part in m[4].split("; ")] == files
    assert m[4].count("Fault injected: the task failed.") == 2
    assert list(out.iterdir()) == []


def test_ctrl_c_cancels_the_pending_cloud_task(fake_cloud, clips, tmp_path):
    fake_cloud.faults.hold_file_tasks = True  # the task stays PENDING until cancelled
    env = {**os.environ, "PYTHONPATH": str(REPO), "DASHSCOPE_API_KEY": KEY}
    p = subprocess.Popen([sys.executable, "-m", "qwenasr_desktop.cli", "transcribe", str(clips),
                          "--engine", "dashscope", "--region", fake_cloud.base_url,
                          "--output-dir", str(tmp_path / "out")],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                         preexec_fn=interruptible)
    err = ctrl_c_when(p, lambda: bool(fake_cloud.store.tasks))
    assert p.returncode == 130, err
    assert err.strip() == "cancelled: 3 files: 0 written, 3 not done"
    [task] = fake_cloud.store.tasks.values()
    assert task.status == "CANCELED"  # not left to run (and be billed) on the cloud


def test_batch_results_match_files_by_url_else_by_order():
    from qwenasr_desktop.engines.dashscope.transcription import _match_results

    urls = {0: "oss://a.wav", 2: "oss://c.wav", 3: "oss://d.wav"}  # file 1 failed to upload
    c, a = {"file_url": "oss://c.wav"}, {"file_url": "oss://a.wav"}
    rewritten = {"file_url": "https://bucket.example/d.wav?sig=1"}  # the service rewrote it
    assert _match_results(urls, [c, rewritten, a]) == {0: a, 2: c, 3: rewritten}
    assert _match_results(urls, [a]) == {0: a, 2: None, 3: None}
