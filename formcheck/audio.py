"""Sound for a person on the floor who cannot read the screen: tones and spoken cues.

* Tones are synthesised here (numpy); speech comes from eSpeak NG, offline,
  through the library that the ``espeakng-loader`` wheel ships.
* :class:`CuePlanner` (pure) decides what to play for a frame's events: a tone
  on every counted rep and completed hold, spoken cues one at a time with a
  cooldown so a persisting fault does not chatter.
* Sound goes to the sound device (:class:`DevicePlayer`, mixing overlapping
  clips) or, headless, to a WAV file with a log of what played when
  (:class:`WavRecorder`). Without a sound device the session carries on
  silently and says so once.
"""

from __future__ import annotations

import ctypes
import json
import threading
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from formcheck.feedback import Event

RATE = 22050


def tone(*notes: tuple[float, float], volume: float = 0.35) -> np.ndarray:
    """A sequence of (frequency Hz, milliseconds) notes as float32 samples, with soft edges."""
    parts = []
    for freq, ms in notes:
        n = int(RATE * ms / 1000)
        t = np.arange(n) / RATE
        wave_ = np.sin(2 * np.pi * freq * t)
        ramp = min(n // 2, int(RATE * 0.01))
        env = np.ones(n)
        env[:ramp] = np.linspace(0, 1, ramp)
        env[n - ramp :] = np.linspace(1, 0, ramp)
        parts.append(volume * wave_ * env)
    return np.concatenate(parts).astype(np.float32)


TONES = {
    "rep": tone((880, 120)),
    "rep_fault": tone((440, 180)),
    "hold_target": tone((660, 140), (990, 220)),
    "countdown": tone((520, 120)),
    "go": tone((1040, 300)),
}


class SpeechUnavailable(RuntimeError):
    pass


class Speech:
    """Offline text-to-speech with eSpeak NG; clips are cached per text."""

    _lock = threading.Lock()  # the library is not re-entrant

    def __init__(self, voice: str = "en", words_per_minute: int = 150):
        try:
            import espeakng_loader

            self._lib = ctypes.CDLL(espeakng_loader.get_library_path())
            data = espeakng_loader.get_data_path()
        except (ImportError, OSError) as exc:
            raise SpeechUnavailable(f"speech engine not available ({exc})") from None
        self._chunks: list[np.ndarray] = []
        callback_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)

        def collect(samples, count, _events):
            if count > 0 and samples:
                self._chunks.append(np.ctypeslib.as_array(samples, shape=(count,)).copy())
            return 0

        self._callback = callback_type(collect)  # kept alive as long as the engine
        synchronous = 2
        if self._lib.espeak_Initialize(synchronous, 0, str(data).encode(), 0) <= 0:
            raise SpeechUnavailable("speech engine failed to start")
        self._lib.espeak_SetSynthCallback(self._callback)
        if self._lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise SpeechUnavailable(f"no speech voice {voice!r}")
        self._lib.espeak_SetParameter(1, words_per_minute, 0)  # espeakRATE
        self._cache: dict[str, np.ndarray] = {}

    def say(self, text: str) -> np.ndarray:
        if text not in self._cache:
            with self._lock:
                self._chunks = []
                data = text.encode("utf-8")
                self._lib.espeak_Synth(ctypes.c_char_p(data), len(data) + 1, 0, 1, 0, 1, None, None)
                self._lib.espeak_Synchronize()
                pcm = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)
            self._cache[text] = (pcm.astype(np.float32) / 32768.0) * 0.9
        return self._cache[text]


@dataclass(frozen=True)
class Sound:
    kind: str  # "tone" or "speech"
    name: str  # tone name, or the words spoken


@dataclass
class CuePlanner:
    """Which sounds a frame's events deserve.

    Tones always play. Speech is one utterance at a time: a new one waits
    until ``gap_s`` after the previous one ended (an utterance that cannot be
    said yet is dropped, not queued, so cues never lag behind the movement),
    and the same words are not repeated within ``repeat_s``.
    """

    gap_s: float = 1.0
    repeat_s: float = 8.0
    speak_counts: bool = True
    _busy_until_ms: float = -1e9
    _last_said: dict[str, float] = field(default_factory=dict)

    def plan(self, events: list[Event], t_ms: float, speech_ms: Callable[[str], float]) -> list[Sound]:
        sounds: list[Sound] = []
        words: list[str] = []
        for e in events:
            if e.kind == "rep" or e.kind == "hold_end":
                good = e.data.get("good", True)
                sounds.append(Sound("tone", "rep" if good else "rep_fault"))
                if self.speak_counts and e.kind == "rep" and e.message:
                    words.append(e.message.replace("Rep ", ""))
            elif e.kind == "hold_target":
                sounds.append(Sound("tone", "hold_target"))
            elif e.kind == "cue":
                words.insert(0, e.message)  # a correction matters more than a count
        for text in words:
            recently = t_ms - self._last_said.get(text, -1e9) < self.repeat_s * 1000
            if t_ms < self._busy_until_ms or recently:
                continue
            sounds.append(Sound("speech", text))
            self._last_said[text] = t_ms
            self._busy_until_ms = t_ms + speech_ms(text) + self.gap_s * 1000
            break
        return sounds


class Player(Protocol):
    def play(self, clip: np.ndarray, t_ms: float, label: Sound) -> None: ...

    def close(self) -> None: ...


class DevicePlayer:
    """Plays clips on the default sound device, mixing clips that overlap."""

    def __init__(self, report: Callable[[str], None]):
        self._report = report
        self._active: list[np.ndarray] = []
        self._lock = threading.Lock()
        self._stream = None
        try:
            import sounddevice

            self._stream = sounddevice.OutputStream(samplerate=RATE, channels=1, dtype="float32", callback=self._fill)
            self._stream.start()
        except Exception as exc:  # no device, no PortAudio, a busy device: all mean "be silent"
            self._stream = None
            self._report(
                f"No sound device ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}): "
                "carrying on without sound"
            )

    @property
    def available(self) -> bool:
        return self._stream is not None

    def _fill(self, out, frames, _time, _status):
        out.fill(0)
        with self._lock:
            keep = []
            for clip in self._active:
                n = min(frames, len(clip))
                out[:n, 0] += clip[:n]
                if len(clip) > n:
                    keep.append(clip[n:])
            self._active = keep
        np.clip(out, -1, 1, out=out)

    def play(self, clip: np.ndarray, t_ms: float, label: Sound) -> None:
        if self._stream is not None:
            with self._lock:
                self._active.append(clip)

    def close(self) -> None:
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()


class WavRecorder:
    """Headless sound: every clip placed at its time in one WAV, plus a JSON log of what played when."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._clips: list[tuple[float, np.ndarray]] = []
        self.log: list[dict] = []

    def play(self, clip: np.ndarray, t_ms: float, label: Sound) -> None:
        self._clips.append((t_ms, clip))
        self.log.append({"t_s": round(t_ms / 1000, 3), "kind": label.kind, "name": label.name})

    def close(self) -> None:
        end = max((int(t * RATE / 1000) + len(c) for t, c in self._clips), default=0)
        track = np.zeros(end, np.float32)
        for t, clip in self._clips:
            start = int(t * RATE / 1000)
            track[start : start + len(clip)] += clip
        pcm = (np.clip(track, -1, 1) * 32767).astype("<i2")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with wave.open(str(self.path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes(pcm.tobytes())
        self.path.with_suffix(".json").write_text(json.dumps(self.log, indent=1) + "\n")


class Coach:
    """Turns each frame's events into sound on a player."""

    def __init__(self, player: Player, speech: Speech | None, planner: CuePlanner | None = None):
        self.player, self.speech = player, speech
        self.planner = planner or CuePlanner()

    def _speech_ms(self, text: str) -> float:
        return 1000.0 * len(self.speech.say(text)) / RATE if self.speech else 0.0

    def handle(self, events: list[Event], t_ms: float) -> list[Sound]:
        sounds = self.planner.plan(events, t_ms, self._speech_ms)
        for s in sounds:
            if s.kind == "tone":
                self.player.play(TONES[s.name], t_ms, s)
            elif self.speech is not None:
                self.player.play(self.speech.say(s.name), t_ms, s)
        return sounds

    def sound(self, name: str, t_ms: float) -> None:
        """Play one of :data:`TONES` directly (countdown beeps)."""
        self.player.play(TONES[name], t_ms, Sound("tone", name))

    def say(self, text: str, t_ms: float) -> None:
        """Speak now, outside the cue cooldown (setup instructions, safety reminders)."""
        if self.speech is not None:
            self.player.play(self.speech.say(text), t_ms, Sound("speech", text))

    def close(self) -> None:
        self.player.close()


def make_coach(*, mute: bool, wav_path: Path | None, report: Callable[[str], None]) -> Coach | None:
    """The coach for a run: None when muted; a WAV recorder headless; the sound device otherwise."""
    if mute:
        return None
    try:
        speech = Speech()
    except SpeechUnavailable as exc:
        report(f"{exc}: tones only")
        speech = None
    player: Player = WavRecorder(wav_path) if wav_path else DevicePlayer(report)
    return Coach(player, speech)
