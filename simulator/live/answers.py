"""Where the candidate's answers come from: the microphone, or files standing in for it.

Every source writes the answer into the session folder itself, so a live answer is on disk
while it is being spoken, not only once it ends.
"""

from __future__ import annotations

import re
import select
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

import numpy as np

from audio.feed import PacedAudio
from audio.pcm import Audio, WavWriter, read_audio, write_wav
from audio.recorder import RATE, TurnControl, TurnPolicy, TurnStatus, record_turn
from audio.streaming import StreamingTranscript
from audio.stt import Transcriber, Transcript
from audio.tts import Synthesizer
from simulator.core.contracts import Answer, AnswerRequest
from simulator.core.errors import UserError
from simulator.language import phrases

AUDIO_SUFFIXES = {".wav", ".flac", ".mp3", ".ogg", ".opus", ".m4a"}
TEXT_SUFFIXES = {".txt"}


class ChunkSource(Protocol):
    def chunks(self, control: TurnControl) -> Iterator[np.ndarray]: ...


class TurnView(Protocol):
    """A live display of the answer in progress."""

    def status(self, status: TurnStatus) -> None: ...

    def transcript(self, text: str) -> None: ...

    def close(self) -> None:
        """The answer has ended."""
        ...


def check_answer_files(paths: list[Path]) -> list[Path]:
    """Fail before the interview starts, not halfway through it."""
    for p in paths:
        if p.suffix.lower() not in AUDIO_SUFFIXES | TEXT_SUFFIXES:
            raise UserError(
                f"{p}: unsupported answer file (use .txt, or audio: "
                f"{', '.join(sorted(AUDIO_SUFFIXES))})"
            )
        regular_file(p, "answer file")
        if p.suffix.lower() in TEXT_SUFFIXES:
            answer_text(p)
        else:
            read_audio(p)  # unreadable audio fails here, before any session folder exists
    return paths


# About 20 minutes of speech: longer is not an interview answer, and speaking it would keep
# the synthesizer busy for many minutes.
MAX_ANSWER_CHARS = 20_000
# Characters that show nothing: an answer of only these is empty.
_INVISIBLE = re.compile(r"[\s\ufeff\u200b\u200c\u200d\u2060\u00ad]+")


def regular_file(path: Path, what: str) -> Path:
    """`path` if it is a regular file; a pipe or a device would be read for ever."""
    try:
        ok = path.is_file()
    except OSError as exc:
        raise UserError(f"{path}: cannot read the {what} ({exc.strerror})") from exc
    if not ok:
        if not path.exists():
            raise UserError(f"{path}: no such {what}")
        raise UserError(f"{path}: not a regular file (the {what} cannot be a pipe, a device "
                        "or a folder)")
    return path


def answer_text(path: Path) -> str:
    """A written answer; an empty one is a mistake, not an answer worth grading."""
    regular_file(path, "answer text")
    try:
        if path.stat().st_size > 4 * MAX_ANSWER_CHARS:
            raise UserError(f"{path}: the answer text is too long (at most "
                            f"{MAX_ANSWER_CHARS} characters, about 20 minutes of speech)")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read the answer text ({exc})") from exc
    text = text.lstrip("\ufeff").strip()
    if not _INVISIBLE.sub("", text):
        raise UserError(f"{path}: the answer text is empty")
    if len(text) > MAX_ANSWER_CHARS:
        raise UserError(f"{path}: the answer text is too long ({len(text)} characters; at most "
                        f"{MAX_ANSWER_CHARS}, about 20 minutes of speech)")
    return text


def answer_audio(path: Path, synth: Synthesizer) -> Audio:
    """Audio as it is; text spoken by the candidate's TTS voice."""
    if path.suffix.lower() in TEXT_SUFFIXES:
        return synth.synthesize(answer_text(path))
    return read_audio(path)


def _wait_for_enter(control: TurnControl) -> None:
    """End the turn when the user presses Enter; give up once the turn has ended."""
    if not sys.stdin or not sys.stdin.isatty():
        return
    while not control.is_set():
        ready, _, _ = select.select([sys.stdin], [], [], 0.2)
        if ready:
            sys.stdin.readline()
            control.end("enter")


@dataclass
class LiveAnswers:
    """Answers taken as live turns: VAD turn-taking, streaming transcription, Enter to finish.

    `sources` gives the chunk source for each answer: the microphone, or a recording fed at
    its real pace; None means the candidate passes.
    """

    sources: Callable[[AnswerRequest], ChunkSource | None]
    transcriber: Transcriber
    policy: TurnPolicy = field(default_factory=TurnPolicy)
    view: TurnView | None = None
    enter_ends: bool = True

    def record_answer(self, request: AnswerRequest) -> Answer | None:
        source = self.sources(request)
        if source is None:
            return None
        control = TurnControl()
        policy = replace(self.policy, time_limit=request.time_limit or self.policy.time_limit)
        started = time.monotonic()
        silent = threading.Event()
        listener, view = request.listener, self.view

        def updated(t: Transcript) -> None:
            if view is not None:
                view.transcript(t.text)
            if phrases.ends_with_closing(t.text):
                control.end("phrase")
            elif listener is not None and silent.is_set() and stream.pending == 0:
                listener.paused(t)

        def went_silent() -> None:
            silent.set()

        def spoke_again() -> None:
            silent.clear()
            if listener is not None:
                listener.resumed()

        stream = StreamingTranscript(self.transcriber, on_update=updated)
        if self.enter_ends:
            threading.Thread(target=_wait_for_enter, args=(control,), daemon=True).start()
        try:
            with WavWriter(request.dest, RATE) as sink:
                result = record_turn(
                    source.chunks(control), policy, control, sink=sink, on_segment=stream.add,
                    on_status=view.status if view is not None else None,
                    on_silence=went_silent, on_speech=spoke_again,
                )
        finally:
            control.end("stopped")
            if view is not None:
                view.close()
        transcript = stream.finish(result.audio.duration)
        return Answer(
            audio=result.audio,
            transcript=transcript,
            ended_by=result.ended_by,
            speech_ended=None if result.speech_ended is None
            else started + result.speech_ended,
            turn_end=result.ended_at,
            transcript_ready=time.monotonic(),
        )


@dataclass
class ScriptedAnswers:
    """Each interviewer turn takes the next file; when they run out, the candidate passes.

    With `live` set, each file is fed at its real pace through the same turn-taking and
    streaming path a microphone uses (`--pace realtime`); otherwise it is taken at once.
    """

    files: list[Path]
    synth: Synthesizer
    live: LiveAnswers | None = None
    _next: int = field(default=0, init=False)

    def _next_audio(self) -> Audio | None:
        if self._next >= len(self.files):
            return None
        path = self.files[self._next]
        self._next += 1
        return answer_audio(path, self.synth)

    def record_answer(self, request: AnswerRequest) -> Answer | None:
        if self.live is not None:
            return self.live.record_answer(request)
        audio = self._next_audio()
        if audio is None:
            return None
        write_wav(request.dest, audio)
        return Answer(audio)

    def paced(self, transcriber: Transcriber, policy: TurnPolicy,
              view: TurnView | None = None) -> ScriptedAnswers:
        """Feed the files in real time through live turn-taking."""

        def source(_request: AnswerRequest) -> ChunkSource | None:
            audio = self._next_audio()
            return None if audio is None else PacedAudio(audio)

        self.live = LiveAnswers(source, transcriber, policy, view, enter_ends=False)
        return self


@dataclass
class ScriptedByQuestion:
    """Answers keyed by question: the demo's bundled samples."""

    texts: dict[str, list[str]]
    synth: Synthesizer
    _used: dict[str, int] = field(default_factory=dict, init=False)

    def record_answer(self, request: AnswerRequest) -> Answer | None:
        n = self._used.get(request.question_id, 0)
        queue = self.texts.get(request.question_id, [])
        if n >= len(queue):
            return None
        self._used[request.question_id] = n + 1
        audio = self.synth.synthesize(queue[n])
        write_wav(request.dest, audio)
        return Answer(audio)
