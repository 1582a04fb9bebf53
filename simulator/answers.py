"""Where the candidate's answers come from: the microphone, or files standing in for it.

Every source writes the answer to the session folder itself, so a live answer is on disk
while it is being spoken, not only once it ends.
"""

from __future__ import annotations

import select
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from audio.devices import Microphone
from audio.pcm import Audio, WavWriter, read_audio, write_wav
from audio.recorder import RecordPolicy, record
from audio.tts import Synthesizer
from simulator.errors import UserError

AUDIO_SUFFIXES = {".wav", ".flac", ".mp3", ".ogg", ".opus", ".m4a"}
TEXT_SUFFIXES = {".txt"}


class AnswerSource(Protocol):
    def record_answer(self, question_id: str, dest: Path) -> Audio | None:
        """The answer, also written to `dest` as a WAV; None when the candidate passes."""
        ...


def check_answer_files(paths: list[Path]) -> list[Path]:
    """Fail before the interview starts, not halfway through it."""
    for p in paths:
        if p.suffix.lower() not in AUDIO_SUFFIXES | TEXT_SUFFIXES:
            raise UserError(
                f"{p}: unsupported answer file (use .txt, or audio: "
                f"{', '.join(sorted(AUDIO_SUFFIXES))})"
            )
        if not p.is_file():
            raise UserError(f"{p}: no such answer file")
    return paths


def answer_audio(path: Path, synth: Synthesizer) -> Audio:
    """Audio as it is; text spoken by the candidate's TTS voice."""
    if path.suffix.lower() in TEXT_SUFFIXES:
        try:
            text = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"{path}: cannot read the answer text ({exc})") from exc
        if not text:
            raise UserError(f"{path}: the answer text is empty")
        return synth.synthesize(text)
    return read_audio(path)


@dataclass
class ScriptedAnswers:
    """Each interviewer turn takes the next file; when they run out, the candidate passes."""

    files: list[Path]
    synth: Synthesizer
    _next: int = field(default=0, init=False)

    def record_answer(self, question_id: str, dest: Path) -> Audio | None:
        if self._next >= len(self.files):
            return None
        path = self.files[self._next]
        self._next += 1
        audio = answer_audio(path, self.synth)
        write_wav(dest, audio)
        return audio


@dataclass
class ScriptedByQuestion:
    """Answers keyed by question: the demo's bundled samples."""

    texts: dict[str, list[str]]
    synth: Synthesizer
    _used: dict[str, int] = field(default_factory=dict, init=False)

    def record_answer(self, question_id: str, dest: Path) -> Audio | None:
        n = self._used.get(question_id, 0)
        queue = self.texts.get(question_id, [])
        if n >= len(queue):
            return None
        self._used[question_id] = n + 1
        audio = self.synth.synthesize(queue[n])
        write_wav(dest, audio)
        return audio


def _wait_for_enter(stop: threading.Event) -> None:
    """Set `stop` when the user presses Enter; give up quietly once `stop` is set otherwise."""
    if not sys.stdin or not sys.stdin.isatty():
        return
    while not stop.is_set():
        ready, _, _ = select.select([sys.stdin], [], [], 0.2)
        if ready:
            sys.stdin.readline()
            stop.set()


@dataclass
class MicrophoneAnswers:
    """Live answers: recording ends on Enter, or when the candidate has gone quiet."""

    microphone: Microphone
    policy: RecordPolicy
    on_level: Callable[[float, float], None] | None = None

    def record_answer(self, question_id: str, dest: Path) -> Audio | None:
        stop = threading.Event()
        keys = threading.Thread(target=_wait_for_enter, args=(stop,), daemon=True)
        keys.start()
        try:
            with WavWriter(dest, self.microphone.rate) as sink:
                audio = record(
                    self.microphone.chunks(stop), self.microphone.rate, self.policy, stop,
                    sink=sink, on_level=self.on_level,
                )
        finally:
            stop.set()
            keys.join(timeout=1)
        return audio
