"""Device errors must say what to do. Each case runs in a fresh interpreter, because PortAudio's
device list is per process and the virtual-microphone tests change it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **env}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=full_env,
                          capture_output=True, text=True, timeout=60)


def test_missing_portaudio_gives_an_actionable_error():
    # The machine has PortAudio; hide it from ctypes exactly as a system without it would.
    res = _run("""
        import ctypes.util
        ctypes.util.find_library = lambda name: None
        from qwenasr_desktop.audio import devices
        try:
            devices.list_input_devices()
        except devices.AudioDeviceError as exc:
            print(exc)
        from qwenasr_desktop.audio.capture import MicCapture
        try:
            MicCapture().start()
        except devices.AudioDeviceError as exc:
            print(exc)
    """)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.strip().splitlines()
    assert len(lines) == 2
    for line in lines:
        assert "PortAudio library was not found" in line and "libportaudio2" in line
        assert "Opening audio files still works" in line


def test_no_input_device_gives_an_actionable_error():
    # Point PulseAudio clients at nothing; on a machine without a sound card (CI) PortAudio then
    # lists no input device at all.
    res = _run("""
        from qwenasr_desktop.audio import devices
        found = devices.list_input_devices()
        if found:
            print("HAS", found)
        else:
            for attempt in (devices.default_input_device, lambda: devices.find_input_device(None)):
                try:
                    attempt()
                except devices.AudioDeviceError as exc:
                    print(exc)
    """, PULSE_SERVER="unix:/nonexistent/pulse/native")
    assert res.returncode == 0, res.stderr
    if res.stdout.startswith("HAS"):
        pytest.skip(f"this machine has a real input device: {res.stdout.strip()}")
    lines = res.stdout.strip().splitlines()
    assert len(lines) == 2 and all("No microphone (input device) was found" in m for m in lines)
