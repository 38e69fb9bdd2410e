"""Audio playback for transcription: QMediaPlayer with the transcriptionist's controls.

Speed changes keep the pitch through QMediaPlayer's pitch compensation (Qt >= 6.10, FFmpeg
backend); `pitch_kept` says whether the backend honours it, so the UI never claims it falsely.
Resuming after a pause rewinds a few seconds (configurable 0-5 s) so the listener picks up the
thread, as Express Scribe and oTranscribe do. With no audio output device QMediaPlayer "plays"
silently with its clock running, which looks like a broken file or a muted speaker: Play then
says there is no output device and does not start.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer

from ...storage.workbench_prefs import SPEEDS

NO_OUTPUT = ("No audio output device: connect speakers or headphones (or enable a sound device "
             "in the system settings), then press Play again.")


def output_device_available() -> bool:
    """Asked at each Play, so a device plugged in meanwhile is used at once."""
    return not QMediaDevices.defaultAudioOutput().isNull()


class Player(QObject):
    positionChanged = Signal(int)  # ms
    durationChanged = Signal(int)
    playingChanged = Signal(bool)
    speedChanged = Signal(float)
    error = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.media = QMediaPlayer(self)
        self.output = QAudioOutput(self)
        self.media.setAudioOutput(self.output)
        self.rewind_on_resume_ms = 1000
        self._paused_once = False  # rewind only on a resume, not on the first play
        self._pending_seek: int | None = None  # a seek asked for before the media was loaded
        if hasattr(self.media, "setPitchCompensation"):
            self.media.setPitchCompensation(True)
        self.media.positionChanged.connect(lambda ms: self.positionChanged.emit(int(ms)))
        self.media.durationChanged.connect(lambda ms: self.durationChanged.emit(int(ms)))
        self.media.playbackStateChanged.connect(
            lambda st: self.playingChanged.emit(st == QMediaPlayer.PlaybackState.PlayingState))
        self.media.mediaStatusChanged.connect(self._on_status)
        self.media.errorOccurred.connect(
            lambda _e, text: self.error.emit(text or "The audio cannot be played."))

    # ------------------------------------------------------------------ state
    @property
    def pitch_kept(self) -> bool:
        if not hasattr(self.media, "pitchCompensationAvailability"):
            return False
        avail = self.media.pitchCompensationAvailability()
        unavailable = QMediaPlayer.PitchCompensationAvailability.Unavailable
        return avail != unavailable and self.media.pitchCompensation()

    @property
    def playing(self) -> bool:
        return self.media.playbackState() == QMediaPlayer.PlaybackState.PlayingState

    @property
    def loaded(self) -> bool:
        return self.media.mediaStatus() in (QMediaPlayer.MediaStatus.LoadedMedia,
                                            QMediaPlayer.MediaStatus.BufferingMedia,
                                            QMediaPlayer.MediaStatus.BufferedMedia,
                                            QMediaPlayer.MediaStatus.EndOfMedia)

    @property
    def position(self) -> int:
        if self._pending_seek is not None:
            return self._pending_seek
        return int(self.media.position())

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if self._pending_seek is not None and self.loaded:
            ms, self._pending_seek = self._pending_seek, None
            self.seek(ms)

    @property
    def duration(self) -> int:
        return int(self.media.duration())

    @property
    def speed(self) -> float:
        return float(self.media.playbackRate())

    # ------------------------------------------------------------------ actions
    def load(self, path: str) -> None:
        self.media.stop()
        self._paused_once = False
        self._pending_seek = None
        self.media.setSource(QUrl.fromLocalFile(path) if path else QUrl())

    def play(self, replay: bool = True) -> None:
        """`replay=False`: start exactly here (an explicit place), without the resume rewind."""
        if self.playing:
            return
        if not output_device_available():
            self.error.emit(NO_OUTPUT)
            return
        device = QMediaDevices.defaultAudioOutput()
        if not device.isNull() and self.output.device() != device:
            self.output.setDevice(device)  # e.g. headphones plugged in since the player was made
        if not replay:
            self._paused_once = False
        if self._paused_once and self.rewind_on_resume_ms:
            self.seek(self.position - self.rewind_on_resume_ms)
        self.media.play()

    def pause(self) -> None:
        if self.playing:
            self.media.pause()
            self._paused_once = True

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def seek(self, ms: int) -> None:
        """Moves the audio; before the file has loaded, the move is kept and done on load."""
        if not self.loaded:
            self._pending_seek = max(0, int(ms))
            self.positionChanged.emit(self._pending_seek)
            return
        top = self.duration if self.duration > 0 else max(0, ms)
        self.media.setPosition(max(0, min(int(ms), top)))

    def skip(self, seconds: float) -> None:
        self.seek(self.position + round(seconds * 1000))

    def set_speed(self, speed: float) -> None:
        speed = min(SPEEDS, key=lambda s: abs(s - speed))
        if speed != self.speed:
            self.media.setPlaybackRate(speed)
        self.speedChanged.emit(speed)

    def step_speed(self, steps: int) -> None:
        here = min(range(len(SPEEDS)), key=lambda k: abs(SPEEDS[k] - self.speed))
        self.set_speed(SPEEDS[max(0, min(len(SPEEDS) - 1, here + steps))])

    def set_volume(self, percent: int) -> None:
        self.output.setVolume(max(0, min(100, percent)) / 100)

    @property
    def volume(self) -> int:
        return round(self.output.volume() * 100)
