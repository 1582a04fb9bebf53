"""Text to speech, rendered to audio data rather than straight to the speakers.

Rendering first lets the caller decide whether and when to play, and keep the audio for replay.
The local voice is espeak-ng's command line on Linux, and pyttsx3 only where it drives the
platform's own voice (NSSpeechSynthesizer on macOS, SAPI 5 on Windows).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
import threading
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from audio.pcm import Audio, AudioError

# Where pyttsx3 wraps the platform's voice. Elsewhere it would only drive espeak-ng through a
# library binding, with none of the command line's plain errors.
_PYTTSX3_PLATFORMS = ("darwin", "win32")

_SEE_VOICES = "`mock-interview doctor --voices` lists the voices"


class Synthesizer(Protocol):
    def synthesize(self, text: str) -> Audio: ...


@dataclass
class LocalVoice:
    """Speech made on this machine: espeak-ng on Linux, the system voice on macOS and Windows."""

    voice: str | None = "en-us"  # None: the synthesizer's default voice
    rate: int = 165  # words per minute

    def synthesize(self, text: str) -> Audio:
        if not text.strip():
            raise AudioError("nothing to say: the text is empty")
        if sys.platform in _PYTTSX3_PLATFORMS:
            return _pyttsx3_render(text, self.voice, self.rate)
        return _espeak_render(text, self.voice, self.rate)


def list_voices() -> list[tuple[str, str]]:
    """(id, name) of each voice; the id is what `LocalVoice(voice=...)` is sure to accept."""
    if sys.platform in _PYTTSX3_PLATFORMS:
        return _pyttsx3_voices()
    result = _run_espeak(["--voices"])
    voices = []
    # Columns: Pty Language Age/Gender VoiceName File [Other Languages]; the name has its
    # spaces turned into underscores so that the columns split on whitespace (so one voice
    # whose real name has an underscore, Lang_Belta, is shown with a space). Ids are
    # lowercased as pyttsx3 listed them (espeak-ng matches voices case-insensitively).
    for line in result.stdout.splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 5:
            voices.append((fields[4].lower(), fields[3].replace("_", " ")))
    return voices


def _espeak_render(text: str, voice: str | None, rate: int) -> Audio:
    with tempfile.TemporaryDirectory(prefix="mock-interview-tts-") as tmp:
        out = Path(tmp) / "speech.wav"
        args = ["-v", voice] if voice else []
        # The text goes in on stdin, never as an argument: text starting with "-" is spoken,
        # not read as an option, and no length limit on arguments applies.
        _run_espeak([*args, "-s", str(rate), "-w", str(out), "--stdin"], text, voice)
        audio = _read_wav(out) if out.exists() else None
    if audio is None:
        raise AudioError(f"espeak-ng wrote no audio for {_quote(text)}")
    return audio


def _run_espeak(args: list[str], text: str = "",
                voice: str | None = None) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise AudioError("no speech synthesizer: install espeak-ng (apt-get install espeak-ng)")
    try:
        result = subprocess.run([exe, *args], input=text, capture_output=True,
                                encoding="utf-8", errors="replace")
    except OSError as exc:
        raise AudioError(f"espeak-ng could not start: {exc.strerror or exc}") from exc
    if result.returncode != 0:
        first = next((line.strip() for line in result.stderr.splitlines() if line.strip()),
                     f"exit status {result.returncode}")
        # espeak-ng resolves a voice leniently (by file, name or language prefix, "+variant"
        # allowed), so only a name it cannot resolve at all ends up here.
        if voice and "voice does not exist" in result.stderr:
            raise AudioError(f"unknown voice {voice!r}: {_SEE_VOICES}")
        raise AudioError(f"espeak-ng failed: {first}")
    return result


def _read_wav(source: Path | io.BytesIO) -> Audio | None:
    """The audio in a 16-bit WAV, or None when it holds none."""
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


def _quote(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


# --- macOS and Windows -------------------------------------------------------------------
# Untested on this machine: the project is developed and tested on Linux, where this path is
# never taken. Kept to the minimum pyttsx3 needs to render one utterance to a file.

# pyttsx3.init() hands back one shared engine per driver, and it is not thread-safe.
_PYTTSX3_LOCK = threading.Lock()


def _pyttsx3_render(text: str, voice: str | None, rate: int) -> Audio:
    import pyttsx3

    from audio.pcm import read_audio

    with _PYTTSX3_LOCK, tempfile.TemporaryDirectory(prefix="mock-interview-tts-") as tmp:
        engine = pyttsx3.init()
        if voice:
            engine.setProperty("voice", _find_voice(engine.getProperty("voices"), voice))
        engine.setProperty("rate", rate)
        # NSSpeechSynthesizer writes AIFF whatever the file is called; PyAV reads either.
        out = Path(tmp) / ("speech.aiff" if sys.platform == "darwin" else "speech.wav")
        engine.save_to_file(text, str(out))
        engine.runAndWait()
        if not out.exists() or out.stat().st_size == 0:
            raise AudioError(f"the system voice wrote no audio for {_quote(text)}")
        return read_audio(out, rate=22050)


def _pyttsx3_voices() -> list[tuple[str, str]]:
    import pyttsx3

    with _PYTTSX3_LOCK:
        return [(v.id, v.name) for v in pyttsx3.init().getProperty("voices")]


def _find_voice(voices: list, wanted: str) -> str:
    """Match by id, id suffix, name, language code, then a language tag inside the id.

    Language codes come as "en_US" from macOS, and SAPI ids read like "...TTS_MS_EN-US_ZIRA";
    both must match the default "en-us".
    """
    key = wanted.lower().replace("_", "-")

    def norm(s: object) -> str:
        return str(s or "").lower().replace("_", "-")

    for match in (
        lambda v: norm(v.id) == key,
        lambda v: norm(v.id).rsplit("/", 1)[-1].rsplit(".", 1)[-1] == key,
        lambda v: norm(v.name) == key,
        lambda v: any(norm(lang) == key for lang in (v.languages or [])),
        lambda v: f"-{key}-" in f"-{norm(v.id)}-",
    ):
        for v in voices:
            if match(v):
                return v.id
    raise AudioError(f"unknown voice {wanted!r}: {_SEE_VOICES}")


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
