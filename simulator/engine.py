"""The turn loop. It knows only the interfaces: Speaker, AnswerSource, Transcriber, Interviewer."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

from audio.speaker import Speaker
from audio.stt import Transcriber
from simulator.answers import AnswerSource
from simulator.critique import Critique
from simulator.interviewers import Exchange, FollowUp, Interviewer, QuestionRecord
from simulator.questions import Question
from simulator.session import Session


class Display(Protocol):
    def show(self, event: dict) -> None:
        """Called with every event as it is logged."""
        ...

    def working(self, text: str) -> AbstractContextManager[None]:
        """Shown while something slow runs."""
        ...


class QuietDisplay:
    def show(self, event: dict) -> None:
        pass

    @contextlib.contextmanager
    def working(self, text: str) -> Iterator[None]:
        yield


def greeting(questions: list[Question]) -> str:
    n = len(questions)
    plural = "question" if n == 1 else f"{n} questions"
    return (
        f"Hi, thanks for making the time. I'll ask you {plural} about how you get things done "
        "as a product manager, and I may follow up on your answers. Take a moment to think "
        "before you answer if you need it. Let's begin."
    )


CLOSING = "That's all from me. Thank you, I'll put your feedback together now."


@dataclass
class Interview:
    questions: list[Question]
    speaker: Speaker
    answers: AnswerSource
    transcriber: Transcriber
    interviewer: Interviewer
    session: Session
    display: Display = field(default_factory=QuietDisplay)
    max_follow_ups: int = 2
    settings: dict = field(default_factory=dict)  # recorded in session_started

    def emit(self, type_: str, **fields: object) -> dict:
        event = self.session.log(type_, **fields)
        self.display.show(event)
        return event

    def run(self) -> Critique:
        self.emit(
            "session_started",
            interviewer=self.interviewer.name,
            max_follow_ups=self.max_follow_ups,
            question_ids=[q.id for q in self.questions],
            questions=[
                {"id": q.id, "category": q.category, "text": q.text,
                 "target_seconds": q.target_seconds}
                for q in self.questions
            ],
            **self.settings,
        )
        self.say("greeting", greeting(self.questions), "greeting.wav")
        records = [self.ask(i, q) for i, q in enumerate(self.questions, 1)]
        self.say("closing", CLOSING, "closing.wav")
        with self.display.working("Writing your critique"):
            critique = self.interviewer.critique(records)
        self.emit("critique", critique=critique.to_dict())
        self.emit("session_finished", overall_score=critique.overall_score)
        return critique

    def say(self, kind: str, text: str, audio_name: str, **fields: object) -> None:
        with self.display.working("Interviewer speaking"):
            audio = self.speaker.say(text)
        self.session.save_audio(audio_name, audio)
        self.emit("interviewer_said", kind=kind, text=text, audio=audio_name,
                  duration=round(audio.duration, 3), **fields)

    def ask(self, index: int, q: Question) -> QuestionRecord:
        record = QuestionRecord(q)
        prompt, kind, point_id = q.text, "question", None
        for turn in range(self.max_follow_ups + 1):
            stem = f"q{index:02d}-t{turn}"
            where = {"question_id": q.id, "turn": turn}
            self.say(kind, prompt, f"{stem}-interviewer.wav", point_id=point_id, **where)
            exchange = Exchange(prompt, kind, None, point_id)
            record.exchanges.append(exchange)

            answer_name = f"{stem}-candidate.wav"
            answer = self.answers.record_answer(q.id, self.session.audio_path(answer_name))
            if answer is None or answer.duration == 0:
                self.emit("answer_passed", **where)
                break
            self.emit("answer_recorded", audio=answer_name,
                      duration=round(answer.duration, 3), **where)
            with self.display.working("Transcribing your answer"):
                exchange.transcript = self.transcriber.transcribe(answer)
            self.emit("answer_transcribed", transcript=exchange.transcript.to_dict(), **where)

            if turn == self.max_follow_ups:
                break
            with self.display.working("Interviewer thinking"):
                decision = self.interviewer.next_turn(record)
            said = {**where, "fallback": decision.fallback} if decision.fallback else where
            if not isinstance(decision, FollowUp):
                self.emit("interviewer_decided", decision="move_on", reason=decision.reason,
                          **said)
                break
            self.emit("interviewer_decided", decision="follow_up", point_id=decision.point_id,
                      **said)
            prompt, kind, point_id = decision.text, "follow_up", decision.point_id
        return record
