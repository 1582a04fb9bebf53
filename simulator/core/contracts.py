"""The types that cross layers: what the engine, the interviewers, the answer sources, the
displays and the record agree on, and the speech interfaces they take from `audio`.

It imports only `simulator.core` and `audio`, so every layer can import it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from audio.pcm import Audio
from audio.speaker import Speaker
from audio.stt import Transcriber, Transcript
from audio.tts import Synthesizer
from simulator.core.critique import Critique, QuestionCritique
from simulator.core.questions import Question

__all__ = ["Answer", "AnswerListener", "AnswerRequest", "AnswerSource", "Cancel", "Display",
           "Exchange",
           "FollowUp", "Interviewer", "MoveOn", "QuestionGrade", "QuestionRecord", "Speaker",
           "Synthesizer", "Transcriber", "Transcript", "critique_all"]


# --- the interview, question by question ---------------------------------------------------

@dataclass
class Exchange:
    """One thing the interviewer asked about a question, and what came back."""

    prompt: str
    kind: str  # "question" or "follow_up"
    transcript: Transcript | None = None  # None: the candidate passed
    point_id: str | None = None  # the rubric point a follow-up probed


@dataclass
class QuestionRecord:
    question: Question
    exchanges: list[Exchange] = field(default_factory=list)

    @property
    def answer_text(self) -> str:
        """Everything the candidate said on this question; follow-up answers count too."""
        return " ".join(
            e.transcript.text.strip() for e in self.exchanges if e.transcript and e.transcript.text
        ).strip()

    @property
    def probed(self) -> set[str]:
        return {e.point_id for e in self.exchanges if e.point_id}


@dataclass(frozen=True)
class FollowUp:
    text: str
    point_id: str | None = None
    fallback: str | None = None  # why a stand-in interviewer made this decision, if one did


@dataclass(frozen=True)
class MoveOn:
    reason: str = ""
    fallback: str | None = None


@dataclass
class QuestionGrade:
    """One question's critique, and the practice the interviewer would set for it."""

    critique: QuestionCritique
    practice: list[str] = field(default_factory=list)


class Cancel:
    """Lets one thread stop what another is waiting on: a request whose answer is no longer
    wanted (the candidate spoke again). `set` runs what the worker attached, such as closing
    the reply's stream, so the server stops generating for nobody."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._set = False
        self._on_set: list[Callable[[], object]] = []

    def set(self) -> None:
        with self._lock:
            self._set, hooks, self._on_set = True, self._on_set, []
        for hook in hooks:
            with contextlib.suppress(Exception):  # already closed, or closing as we speak
                hook()

    def is_set(self) -> bool:
        return self._set

    def on_set(self, hook: Callable[[], object]) -> None:
        """Run `hook` when this is set, or now when it already is."""
        with self._lock:
            if not self._set:
                self._on_set.append(hook)
                return
        with contextlib.suppress(Exception):
            hook()


class Interviewer(Protocol):
    name: str
    # True when a decision or a critique is a request to a server (paid, or slow to run):
    # the engine logs those and prepares no more of them than it must.
    remote: bool

    def next_turn(self, record: QuestionRecord, cancel: Cancel | None = None
                  ) -> FollowUp | MoveOn:
        """Probe or move on. `cancel` is set when the decision is no longer wanted."""
        ...

    def grade(self, record: QuestionRecord) -> QuestionGrade:
        """One finished question's critique.

        Called on a background thread as soon as the question ends, while the next one is
        asked, so it must be safe to run beside `next_turn`.
        """
        ...

    def summarize(self, grades: list[QuestionGrade]) -> Critique:
        """The session's critique from every question's, in the order they were asked."""
        ...


def critique_all(interviewer: Interviewer, records: list[QuestionRecord]) -> Critique:
    """Grade every question now, one after another, and sum up."""
    return interviewer.summarize([interviewer.grade(r) for r in records])


# --- answers ---------------------------------------------------------------------------

class AnswerListener(Protocol):
    """Told when the candidate falls silent with the transcript up to date, and when they go
    on, so that the next turn can be prepared during the trailing silence."""

    def paused(self, transcript: Transcript) -> None: ...

    def resumed(self) -> None: ...


@dataclass
class AnswerRequest:
    question_id: str
    dest: Path  # where the answer's WAV goes
    time_limit: float | None = None  # soft limit, in seconds
    listener: AnswerListener | None = None


@dataclass
class Answer:
    audio: Audio
    transcript: Transcript | None = None  # set when it was transcribed while recorded
    ended_by: str = "file"  # file, silence, grace, time_limit, enter, phrase, source_end
    # time.monotonic() marks, for answers recorded as a live turn:
    speech_ended: float | None = None
    turn_end: float | None = None
    transcript_ready: float | None = None


class AnswerSource(Protocol):
    def record_answer(self, request: AnswerRequest) -> Answer | None:
        """The answer, also written to `request.dest`; None when the candidate passes."""
        ...


# --- what the candidate sees -------------------------------------------------------------

class Display(Protocol):
    def show(self, event: dict) -> None:
        """Called with every event as it is logged."""
        ...

    def working(self, text: str) -> AbstractContextManager[Callable[[str], None]]:
        """Shown while something slow runs; the function it gives replaces the text."""
        ...
