"""Where the candidate's answers come from: the microphone, or files standing in for it.

Every source writes the answer into the session folder itself, so a live answer is on disk
while it is being spoken, not only once it ends.
"""

from __future__ import annotations

import math
import select
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

import numpy as np

from audio.endpoint import TurnEndModel, find_model
from audio.feed import PacedAudio
from audio.pcm import Audio, AudioError, WavWriter, read_audio, write_wav
from audio.recorder import RATE, TurnControl, TurnPolicy, TurnStatus, record_turn
from audio.streaming import StreamingTranscript
from audio.stt import Transcriber, Transcript
from audio.tts import Synthesizer
from simulator.core.contracts import Answer, AnswerRequest
from simulator.core.errors import UserError
from simulator.core.textfile import read_text, regular_file
from simulator.language import phrases, turn_cues

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


def answer_text(path: Path) -> str:
    """A written answer; an empty one is a mistake, not an answer worth grading."""
    # A UTF-8 character is at most 4 bytes: a file within this bound is read whole before its
    # characters are counted.
    text = read_text(path, "answer text", 4 * MAX_ANSWER_CHARS,
                     limit=f"{MAX_ANSWER_CHARS} characters, about 20 minutes of speech")
    text = text.lstrip("\ufeff").strip()
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


class TurnEnd:
    """How long a pause must last to end the answer, decided as the pause begins.

    The transcript's cues only lengthen the wait: an answer that stops on "and", "the" or
    "um", or with a list half told, gets the longest (`--end-silence`), whatever the model
    says; so does a last word Whisper is unsure of. The end-of-turn model only shortens the
    longest wait: to the short one when the voice sounds finished, to a fixed one when it is
    unsure; when it hears an unfinished answer the wait stays the longest. Without the model
    (pipecat-ai is not installed, or it is still loading) every answer whose words do not
    trail off gets the fixed wait.
    """

    # Tuned on tune.toml's 21 answers (see tests/data/turns/README.md). The short wait must
    # outlast a pause between two complete points (1 s there once ten words are said; before
    # that the wait is the fixed one); the fixed one is the wait of old; the longest waits out
    # a pause mid-thought that Whisper misheard ("and" heard as "ad": only the model's
    # near-zero probability tells).
    SHORT = 1.3  # seconds of silence after an answer that sounds finished
    FIXED = 3.0  # ...when the model is unsure, or there is no model: the wait of old
    FINISHED_AT = 0.5  # the model's probability from which the answer sounds finished,
    UNFINISHED_BELOW = 0.05  # ...and below which it sounds unfinished: the longest wait
    UNSURE_WORD = 0.3  # Whisper's probability of the last word below which it may be wrong
    SHORT_FROM_WORDS = 10  # words said before the short wait can end the answer

    def __init__(self, model: TurnEndModel | None = None):
        self.model = model
        self._ready = threading.Event()
        self._loading = threading.Lock()
        self.error: str | None = None  # why the model could not be loaded
        self._last: tuple[Audio, float] | None = None

    @classmethod
    def installed(cls) -> TurnEnd:
        """With the Smart Turn model when pipecat-ai is installed, loaded in the background so
        that nothing waits for it; until it is ready, pauses get the fixed wait."""
        path = find_model()
        turn_end = cls(TurnEndModel(path) if path is not None else None)
        turn_end.load_in_background()
        return turn_end

    def load_in_background(self) -> None:
        if self.model is not None:
            threading.Thread(target=self.load, daemon=True).start()

    def load(self) -> bool:
        """Load the model now; False (and `error` says why) when it cannot be used."""
        if self.model is None:
            return False
        with self._loading:  # once, whether from the background or from here
            if not self._ready.is_set() and self.error is None:
                try:
                    self.model.load()
                    self._ready.set()
                except AudioError as exc:  # a damaged file: fixed waits, as without it
                    self.error = str(exc)
        return self._ready.is_set()

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def probability(self, audio: Audio) -> float | None:
        """The model's verdict on this audio, or None when no model is ready."""
        if self.model is None or not self._ready.is_set():
            return None
        if self._last is not None and self._last[0] is audio:  # the same pause, asked again
            return self._last[1]
        try:
            p = self.model.probability(audio)
        except Exception as exc:  # onnxruntime's own errors: answer with fixed waits from now
            self.error = f"the end-of-turn model failed ({type(exc).__name__})"
            self._ready.clear()
            return None
        self._last = (audio, p)
        return p

    def wait_for(self, audio: Audio, transcript: Transcript) -> float:
        """Seconds of silence after the voice that end the answer at this pause."""
        if turn_cues.unfinished(transcript.text):
            return math.inf  # the recorder caps it at the longest wait
        # A last word Whisper is unsure of is often a trailing "the" or "and" misheard ("not
        # the" came out as "not heard."): the words may trail off, for all we can tell.
        if transcript.words and transcript.words[-1].probability < self.UNSURE_WORD:
            return math.inf
        p = self.probability(audio)
        if p is None:
            return self.FIXED
        if p >= self.FINISHED_AT:
            # A sentence or so is rarely a whole interview answer, however finished it sounds
            # ("I would talk to the engineering lead." and then, 2.5 s on, the rest): an
            # interviewer waits longer before taking it as the answer.
            return self.SHORT if len(transcript.text.split()) >= self.SHORT_FROM_WORDS \
                else self.FIXED
        return self.FIXED if p >= self.UNFINISHED_BELOW else math.inf


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
    # How long each pause must last; None: `TurnEnd.installed()`, made at the first answer
    # (not before the first question is asked), its model loading in the background.
    turn_end: TurnEnd | None = None

    def record_answer(self, request: AnswerRequest) -> Answer | None:
        source = self.sources(request)
        if source is None:
            return None
        if self.turn_end is None:
            self.turn_end = TurnEnd.installed()
        turn_end = self.turn_end
        control = TurnControl()
        listener, view = request.listener, self.view

        def wait_for(audio: Audio, heard: Transcript) -> float:
            # Asked only in a pause that is still going on, so a closing phrase seen here
            # was not followed by more speech.
            if phrases.ends_with_closing(heard.text):
                control.end("phrase")
                return 0.0
            return turn_end.wait_for(audio, heard)

        policy = replace(self.policy, time_limit=request.time_limit or self.policy.time_limit,
                         wait_for=self.policy.wait_for or wait_for)
        started = time.monotonic()

        def updated(t: Transcript) -> None:
            if view is not None:
                view.transcript(t.text)

        def likely_end() -> None:
            # The turn will probably end at this pause: the next turn is worth preparing (with
            # an LLM interviewer, a paid request), from the transcript that is now complete.
            if listener is not None:
                listener.paused(stream.current())

        def resumed() -> None:
            if listener is not None:
                listener.resumed()

        stream = StreamingTranscript(self.transcriber, on_update=updated)
        if self.enter_ends:
            threading.Thread(target=_wait_for_enter, args=(control,), daemon=True).start()
        try:
            with WavWriter(request.dest, RATE) as sink:
                result = record_turn(
                    source.chunks(control), policy, control, sink=sink, segments=stream,
                    on_status=view.status if view is not None else None,
                    on_likely_end=likely_end, on_resumed=resumed,
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
