"""Text to speech, rendered to audio data rather than straight to the speakers.

Rendering first lets the caller decide whether and when to play, and keep the audio for replay.
"""

from __future__ import annotations

import atexit
import functools
import io
import itertools
import shutil
import subprocess
import tempfile
import threading
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from audio.pcm import Audio, AudioError


class Synthesizer(Protocol):
    def synthesize(self, text: str) -> Audio: ...


def _read_wav(source: Path | io.BytesIO) -> Audio | None:
    """The audio in a WAV that a TTS engine wrote, or None when it wrote nothing usable."""
    try:
        with wave.open(source if isinstance(source, io.BytesIO) else str(source), "rb") as w:
            frames = w.readframes(w.getnframes())
            rate, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
    except (OSError, EOFError, wave.Error):
        return None
    if width != 2 or not frames:
        return None
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return Audio(samples, rate)


@dataclass
class EspeakSynthesizer:
    """espeak-ng's command line; the fallback when pyttsx3 cannot render."""

    voice: str = "en-us"
    rate: int = 165  # words per minute

    def synthesize(self, text: str) -> Audio:
        exe = shutil.which("espeak-ng") or shutil.which("espeak")
        if exe is None:
            raise AudioError("no speech synthesizer: install espeak-ng (apt-get install espeak-ng)")
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "speech.wav"
            result = subprocess.run(
                [exe, "-v", self.voice, "-s", str(self.rate), "-w", str(out), "--", text],
                capture_output=True,
                text=True,
            )
            audio = _read_wav(out)
        if result.returncode != 0 or audio is None:
            detail = result.stderr.strip().splitlines()[-1:] or ["wrote no audio"]
            raise AudioError(f"espeak-ng could not speak: {detail[0]}")
        return audio


@dataclass
class Pyttsx3Synthesizer:
    """pyttsx3 (espeak-ng on Linux, NSSpeech on macOS, SAPI on Windows) rendered to a WAV.

    pyttsx3's `save_to_file` has been seen to return without writing anything, so the output
    is checked, the render retried once, and espeak-ng's own command line used as a last resort.
    """

    voice: str | None = "en-us"
    rate: int = 165

    def synthesize(self, text: str) -> Audio:
        if not text.strip():
            raise AudioError("nothing to say: the text is empty")
        for _ in range(2):
            audio = self._render(text)
            if audio is not None and audio.duration > 0:
                return audio
        return EspeakSynthesizer(voice=self.voice or "en-us", rate=self.rate).synthesize(text)

    def _render(self, text: str) -> Audio | None:
        try:
            with _PYTTSX3_LOCK:
                return self._render_locked(text)
        except Exception:  # any driver failure means: try again, then fall back
            return None

    def _render_locked(self, text: str) -> Audio | None:
        shared = _pyttsx3_engine()
        engine = shared.engine
        if self.voice:
            voice_id = find_voice(engine, self.voice)
            if voice_id:
                engine.setProperty("voice", voice_id)
        engine.setProperty("rate", self.rate)
        # A fresh name each time: a render that timed out may still write its file later.
        out = shared.folder / f"speech-{next(shared.renders)}.wav"
        shared.finished.clear()
        engine.save_to_file(text, str(out))
        engine.runAndWait()
        # The espeak driver renders on espeak's own thread and writes the file just before it
        # reports the utterance finished; runAndWait alone does not guarantee that happened.
        shared.finished.wait(_RENDER_TIMEOUT_S)
        audio = _read_wav(out)
        out.unlink(missing_ok=True)
        return audio


# The engine is shared and not thread-safe; the next question may render while an answer
# is being spoken by another voice.
_PYTTSX3_LOCK = threading.Lock()

# Rendering a long question takes well under a second; this only bounds a driver that
# never reports the end of an utterance.
_RENDER_TIMEOUT_S = 10.0


@dataclass
class _SharedEngine:
    engine: Any  # pyttsx3.Engine
    finished: threading.Event  # set by the driver when an utterance has been written
    folder: Path  # lives as long as the process, so a late write never meets a deleted folder
    renders: Iterator[int]


@functools.cache
def _pyttsx3_engine() -> _SharedEngine:
    """One engine for the whole process.

    The espeak driver registers a process-wide callback; engines created per call get
    garbage-collected while that callback still points at them, and late callbacks then fail.
    """
    import sys

    import pyttsx3

    engine = pyttsx3.init()
    finished = threading.Event()
    engine.connect("finished-utterance", lambda **_: finished.set())
    # A new engine starts out busy, so its first runAndWait returns before anything is
    # rendered and the speech arrives later. An empty run clears that state.
    engine.runAndWait()
    folder = Path(tempfile.mkdtemp(prefix="mock-interview-tts-"))
    # Let the engine go while the interpreter is still whole; its destructor fails at shutdown.
    atexit.register(_pyttsx3_engine.cache_clear)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    # The espeak driver prints "Audio saved to ..." for every file. Silence that one module's
    # print: swapping sys.stdout instead would also swallow what other threads print meanwhile.
    driver = sys.modules.get("pyttsx3.drivers.espeak")
    if driver is not None:
        driver.print = lambda *args, **kwargs: None  # type: ignore[attr-defined]
    return _SharedEngine(engine, finished, folder, itertools.count())


def find_voice(engine: object, wanted: str) -> str | None:
    """Match a voice by id, id suffix, name or language code, case-insensitively."""
    wanted = wanted.lower()
    voices = engine.getProperty("voices")  # type: ignore[attr-defined]
    for match in (
        lambda v: v.id.lower() == wanted,
        lambda v: v.id.lower().rsplit("/", 1)[-1] == wanted,
        lambda v: (v.name or "").lower() == wanted,
        lambda v: any(str(lang).lower() == wanted for lang in (v.languages or [])),
    ):
        for voice in voices:
            if match(voice):
                return voice.id
    return None


def list_voices() -> list[tuple[str, str]]:
    with _PYTTSX3_LOCK:
        return [(v.id, v.name) for v in _pyttsx3_engine().engine.getProperty("voices")]


@dataclass
class OpenAISynthesizer:
    """Speech from an OpenAI-compatible `audio.speech` endpoint, asked for as WAV."""

    client: object  # openai.OpenAI
    model: str = "tts-1"
    voice: str = "alloy"

    def synthesize(self, text: str) -> Audio:
        if not text.strip():
            raise AudioError("nothing to say: the text is empty")
        try:
            reply = self.client.audio.speech.create(  # type: ignore[attr-defined]
                model=self.model, voice=self.voice, input=text, response_format="wav"
            )
            data = reply.read() if hasattr(reply, "read") else bytes(reply.content)
        except Exception as exc:
            raise AudioError(f"the speech server failed: {type(exc).__name__}") from exc
        audio = _read_wav(io.BytesIO(data))
        if audio is None:
            raise AudioError("the speech server did not send 16-bit WAV audio")
        return audio
