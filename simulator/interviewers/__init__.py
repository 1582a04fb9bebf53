"""Interviewers decide what to ask next and write the critique.

Every interviewer implements `Interviewer`; the engine and the reports know nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from audio.stt import Transcript
from simulator.critique import Critique, QuestionCritique
from simulator.questions import Question


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


class Interviewer(Protocol):
    name: str

    def next_turn(self, record: QuestionRecord) -> FollowUp | MoveOn: ...

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
