"""Input (microphone) devices, as PortAudio sees them through sounddevice.

Everything that can go wrong before a recording starts (no PortAudio library, no input device,
a device index that vanished) becomes an `AudioDeviceError` whose message says what to do, so the
UI can show it as is. sounddevice is imported lazily: the rest of the app (file recognition, the
CLI) must work on a machine without PortAudio.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType


class AudioDeviceError(RuntimeError):
    """A microphone problem the user can act on; the message is meant to be shown as is."""


_PORTAUDIO_MISSING = (
    "The PortAudio library was not found, so no microphone can be used ({detail}). "
    "Install it (Debian/Ubuntu: `apt install libportaudio2`; it ships inside the sounddevice "
    "wheel on Windows and macOS). Opening audio files still works."
)


def sounddevice() -> ModuleType:
    """Import sounddevice, turning a missing PortAudio into an `AudioDeviceError`."""
    try:
        import sounddevice as sd
    except OSError as exc:  # raised by sounddevice's import when libportaudio cannot be loaded
        raise AudioDeviceError(_PORTAUDIO_MISSING.format(detail=exc)) from exc
    return sd


@dataclass(frozen=True)
class InputDevice:
    """One capture device. `index` is PortAudio's and is only valid until the next rescan."""

    index: int
    name: str
    host_api: str
    channels: int  # max input channels
    default_samplerate: float
    is_default: bool = False

    @property
    def label(self) -> str:
        """What a device picker shows."""
        star = " (default)" if self.is_default else ""
        return f"{self.name} — {self.host_api}, {self.default_samplerate / 1000:g} kHz{star}"


def rescan() -> None:
    """Re-initialise PortAudio so devices that appeared since import (a USB headset plugged in, a
    PulseAudio server started) are listed. PortAudio snapshots its device list at initialisation,
    and sounddevice documents `_terminate()`/`_initialize()` as the way to refresh it. Must not be
    called while a stream is open (PortAudio closes every stream on terminate).
    """
    sd = sounddevice()
    sd._terminate()
    sd._initialize()


def _default_input_index(sd: ModuleType) -> int:
    try:
        idx = sd.default.device[0]
    except Exception:
        return -1
    if idx is None or idx < 0:
        try:
            idx = sd.query_hostapis(0)["default_input_device"]
        except Exception:
            return -1
    return int(idx) if idx is not None else -1


def list_input_devices() -> list[InputDevice]:
    """All devices with at least one input channel, default first flagged."""
    sd = sounddevice()
    default_idx = _default_input_index(sd)
    apis = [a["name"] for a in sd.query_hostapis()]
    devices = []
    for d in sd.query_devices():
        if d["max_input_channels"] < 1:
            continue
        devices.append(InputDevice(
            index=int(d["index"]), name=str(d["name"]), host_api=apis[d["hostapi"]],
            channels=int(d["max_input_channels"]), default_samplerate=float(d["default_samplerate"]),
            is_default=int(d["index"]) == default_idx,
        ))
    return devices


def default_input_device() -> InputDevice:
    """The system's default microphone, else the first input device; a clear error if none."""
    devices = list_input_devices()
    if not devices:
        raise AudioDeviceError(
            "No microphone (input device) was found. Connect one, check that the system sees it "
            "(and that this app may use it), then refresh the device list. Opening audio files "
            "still works.")
    for d in devices:
        if d.is_default:
            return d
    return devices[0]


def find_input_device(key: int | str | None) -> InputDevice:
    """Resolve a saved choice: None -> default, an int -> that index, a str -> exact then
    case-insensitive substring match on the name (indices change between sessions, names don't)."""
    if key is None:
        return default_input_device()
    devices = list_input_devices()
    if isinstance(key, int):
        for d in devices:
            if d.index == key:
                return d
        raise AudioDeviceError(f"Input device #{key} does not exist (any more). "
                               f"Available: {_names(devices)}.")
    for d in devices:
        if d.name == key:
            return d
    matches = [d for d in devices if key.lower() in d.name.lower()]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise AudioDeviceError(f"No input device is named {key!r}. Available: {_names(devices)}.")
    raise AudioDeviceError(f"{key!r} matches several input devices: {_names(matches)}; be more specific.")


def _names(devices: list[InputDevice]) -> str:
    return ", ".join(repr(d.name) for d in devices) or "none"
