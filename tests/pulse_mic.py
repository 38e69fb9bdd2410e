"""A real (virtual) microphone for tests: a private PulseAudio server whose default source is a
FIFO we feed with a WAV file in real time.

Path exercised: our capture code -> sounddevice -> PortAudio (ALSA host API) -> ALSA's `pulse`
plugin -> PulseAudio -> module-pipe-source <- FIFO <- `Feeder` thread. See
shared/design/virtual-mic.md.

Details that matter:
- `--exit-idle-time=120`: if the test run is killed before teardown, the daemon still exits
  two minutes after its last client left instead of lingering forever.
- The server runs with its own XDG_RUNTIME_DIR and HOME in a temp dir, so it never touches a user
  session (or the root's cookie); `pulseaudio -D` returns only once the daemon is ready (it
  reports start-up through a pipe), so no polling is needed, and its PID is in the pid file.
- The test process talks to it through PULSE_SERVER; PortAudio snapshots devices at
  initialisation, so `devices.rescan()` must run after the server is up.
- module-pipe-source delivers nothing while the FIFO is empty, so a recording stream stalls; the
  feeder therefore writes the clip and then silence until it is stopped. Its writes are
  non-blocking and wait on `select` with a timeout, so stopping never hangs on a full pipe.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import wave
from pathlib import Path

import numpy as np

RATE = 16_000
BLOCK = RATE // 10  # 100 ms


class PulseUnavailable(RuntimeError):
    pass


class Feeder(threading.Thread):
    """Write s16le mono 16 kHz PCM into the FIFO at real-time pace, then silence until stopped."""

    def __init__(self, fifo: Path, pcm: np.ndarray, *, lead_silence_s: float = 0.0) -> None:
        super().__init__(name="pulse-mic-feeder", daemon=True)
        self.fifo = fifo
        lead = np.zeros(int(lead_silence_s * RATE), np.int16)
        self.pcm = np.concatenate([lead, np.asarray(pcm, np.int16)])
        self.clip_done = threading.Event()  # the whole clip has been handed to the FIFO
        self._halt = threading.Event()
        self.error: BaseException | None = None
        self.frames_written = 0

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)

    def run(self) -> None:
        try:
            self._run()
        except BaseException as exc:  # surfaced by the fixture, never swallowed
            self.error = exc
        finally:
            self.clip_done.set()

    def _run(self) -> None:
        fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
        silence = np.zeros(BLOCK, np.int16).tobytes()
        try:
            t0 = time.monotonic()
            i = 0
            while not self._halt.is_set():
                if i < len(self.pcm):
                    chunk = self.pcm[i:i + BLOCK].tobytes()
                else:
                    self.clip_done.set()
                    chunk = silence
                self._write_all(fd, chunk)
                i += len(chunk) // 2
                self.frames_written = i
                # Real-time pacing: the pipe source reads as fast as we write, so pace to the
                # wall clock (this is a producer's clock, not a test waiting for a condition).
                self._halt.wait(max(0.0, t0 + i / RATE - time.monotonic()))
        finally:
            os.close(fd)

    def _write_all(self, fd: int, data: bytes) -> None:
        view = memoryview(data)
        while view and not self._halt.is_set():
            _, ready, _ = select.select([], [fd], [], 0.2)
            if not ready:
                continue
            try:
                n = os.write(fd, view)
            except BlockingIOError:
                continue
            view = view[n:]


class PulseMic:
    """Start/stop the private server; `play(pcm)` starts a feeder for one clip."""

    def __init__(self) -> None:
        self.dir: Path | None = None
        self.pid: int | None = None
        self.fifo: Path | None = None
        self.server: str | None = None
        self._feeders: list[Feeder] = []

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(XDG_RUNTIME_DIR=str(self.dir), HOME=str(self.dir), PULSE_SERVER=str(self.server))
        env.pop("PULSE_SINK", None)
        env.pop("PULSE_SOURCE", None)
        return env

    def _pactl(self, *args: str) -> str:
        res = subprocess.run(["pactl", *args], env=self._env(), capture_output=True, text=True,
                             timeout=15)
        if res.returncode:
            raise PulseUnavailable(f"pactl {' '.join(args)} failed: {res.stderr.strip()}")
        return res.stdout.strip()

    def start(self) -> None:
        if not shutil.which("pulseaudio") or not shutil.which("pactl"):
            raise PulseUnavailable("pulseaudio / pactl are not installed (run ./packaging/dev.sh setup)")
        self.dir = Path(tempfile.mkdtemp(prefix="qwenasr-pulse-"))
        self.dir.chmod(0o700)
        self.server = f"unix:{self.dir / 'pulse' / 'native'}"
        self.fifo = self.dir / "vmic.fifo"
        cmd = ["pulseaudio", "-D", "--exit-idle-time=120", "-n", "--use-pid-file=yes",
               f"--log-target=file:{self.dir / 'pulse.log'}",
               "--load=module-native-protocol-unix auth-anonymous=1",
               "--load=module-null-sink sink_name=vsink"]
        # Output goes to a file, not a pipe: the daemon inherits our descriptors, and a pipe
        # would keep subprocess.run waiting for the daemon to exit.
        with open(self.dir / "start.log", "wb") as log:
            res = subprocess.run(cmd, env=self._env(), stdout=log, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, timeout=30)
        pid_file = self.dir / "pulse" / "pid"
        if pid_file.exists():
            self.pid = int(pid_file.read_text().strip())
        if res.returncode:
            log = self.log()
            self.stop()
            raise PulseUnavailable(f"pulseaudio did not start (exit {res.returncode}): {log[-800:]}")
        self._pactl("load-module", "module-pipe-source", "source_name=vmic", f"file={self.fifo}",
                    "format=s16le", f"rate={RATE}", "channels=1")
        self._pactl("set-default-source", "vmic")

    def log(self) -> str:
        """The server's start-up and run logs, for failure messages."""
        if self.dir is None:
            return ""
        parts = [p.read_text(errors="replace") for p in (self.dir / "start.log", self.dir / "pulse.log")
                 if p.exists()]
        return "\n".join(parts)

    def play(self, pcm: np.ndarray, *, lead_silence_s: float = 0.0) -> Feeder:
        assert self.fifo is not None, "start() first"
        for old in self._feeders:  # one writer at a time, or the streams interleave
            old.stop()
        self._feeders.clear()
        f = Feeder(self.fifo, pcm, lead_silence_s=lead_silence_s)
        self._feeders.append(f)
        f.start()
        return f

    def stop(self) -> None:
        """Stop feeders and the server; safe to call twice and after a failed start."""
        for f in self._feeders:
            f.stop()
        self._feeders.clear()
        if self.dir is not None and self.server is not None:
            with contextlib.suppress(Exception):
                subprocess.run(["pactl", "exit"], env=self._env(), capture_output=True, timeout=10)
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, 0)  # still there after `pactl exit`?
                os.kill(self.pid, signal.SIGKILL)
            self.pid = None
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


@contextlib.contextmanager
def mic_for_this_process():
    """A started PulseMic that PortAudio in this process sees (PULSE_SERVER set, devices rescanned);
    undoes both and stops the server afterwards, also when a test failed."""
    import pytest

    from qwenasr_desktop.audio import devices

    mic = PulseMic()
    old = os.environ.get("PULSE_SERVER")
    try:
        mic.start()
    except PulseUnavailable as exc:
        mic.stop()
        pytest.fail(f"the virtual microphone could not start: {exc}")
    try:
        os.environ["PULSE_SERVER"] = str(mic.server)
        devices.rescan()
        yield mic
    finally:
        mic.stop()
        if old is None:
            os.environ.pop("PULSE_SERVER", None)
        else:
            os.environ["PULSE_SERVER"] = old
        devices.rescan()


def read_wav_int16(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            raise ValueError(f"{path.name}: expected 16-bit mono PCM")
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").copy(), w.getframerate()


def best_alignment(recorded: np.ndarray, source: np.ndarray) -> tuple[float, int]:
    """(normalised cross-correlation peak, lag) of `source` inside `recorded`.

    The NCC is computed over the overlapping part at the best lag: 1.0 for an exact (scaled) copy,
    near 0 for silence, noise or another clip.
    """
    a = np.asarray(recorded, np.float64)
    b = np.asarray(source, np.float64)
    if not a.any() or not b.any():
        return 0.0, 0
    n = 1 << int(np.ceil(np.log2(len(a) + len(b))))
    xc = np.fft.irfft(np.fft.rfft(a, n) * np.conj(np.fft.rfft(b, n)), n)
    # lags 0..len(a)-1 are at the start, negative lags wrap around to the end
    lags = np.concatenate([np.arange(0, len(a)), np.arange(-len(b) + 1, 0)])
    vals = np.concatenate([xc[:len(a)], xc[n - len(b) + 1:]])
    lag = int(lags[int(np.argmax(vals))])
    if lag >= 0:
        seg_a, seg_b = a[lag:lag + len(b)], b[:max(0, len(a) - lag)]
    else:
        seg_a, seg_b = a[:len(b) + lag], b[-lag:-lag + len(a)]
    m = min(len(seg_a), len(seg_b))
    seg_a, seg_b = seg_a[:m], seg_b[:m]
    denom = np.linalg.norm(seg_a) * np.linalg.norm(seg_b)
    return (float(seg_a @ seg_b / denom) if denom else 0.0), lag
