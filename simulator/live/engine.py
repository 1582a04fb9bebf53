"""The turn loop. It knows only the interfaces in `simulator.core.contracts`: Speaker,
AnswerSource, Transcriber, Interviewer and Display."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from audio.pcm import Audio
from simulator.core.contracts import (
    Answer,
    AnswerRequest,
    AnswerSource,
    Display,
    Exchange,
    FollowUp,
    Interviewer,
    MoveOn,
    QuestionRecord,
    Speaker,
    Transcriber,
    Transcript,
)
from simulator.core.critique import Critique
from simulator.core.questions import Question
from simulator.language import phrases
from simulator.live.grading import BackgroundGrader
from simulator.record.session import Session


class QuietDisplay:
    def show(self, event: dict) -> None:
        pass

    @contextlib.contextmanager
    def working(self, text: str) -> Iterator[Callable[[str], None]]:
        yield lambda _text: None


def greeting(questions: list[Question]) -> str:
    n = len(questions)
    plural = "one question" if n == 1 else f"{n} questions"
    return (
        f"Hi, thanks for making the time. I'll ask you {plural} about how you get things done "
        "as a product manager, and I may follow up on your answers. Take a moment to think "
        "before you answer if you need it. Let's begin."
    )


WELCOME_BACK = "Welcome back. Let's pick up where we left off."
CLOSING = "That's all from me. Thank you, I'll put your feedback together now."
NUDGE = "Take your time. Whenever you're ready, go ahead."
WRAP_UP = "Let me stop you there, thank you."
SKIPPED = "No problem, let's move on."
# The soft limit on an answer, as a multiple of the question's target length.
TIME_LIMIT_FACTOR = 1.5
MAX_REPEATS = 2


def wall_time(mono: float) -> str:
    """A time.monotonic() mark as a UTC wall-clock time."""
    delta = timedelta(seconds=time.monotonic() - mono)
    return (datetime.now(UTC) - delta).isoformat(timespec="milliseconds")


class Speculation:
    """The next turn, prepared while the candidate's trailing silence runs.

    When the candidate pauses with the transcript up to date, the interviewer's decision (and
    a follow-up's audio) is worked out in the background; if they speak again it is thrown
    away. At the end of the turn it is used only if the final transcript is the one it saw.
    """

    def __init__(self, interview: Interview, record: QuestionRecord):
        self._interview = interview
        # A copy: the turn loop goes on adding to the record while a job may still read it.
        self._question = record.question
        self._exchanges = list(record.exchanges)
        self._lock = threading.Lock()
        self._generation = 0
        self._result: tuple[str, FollowUp | MoveOn, Audio | None] | None = None
        self._job: threading.Thread | None = None
        self._job_text: str | None = None  # the transcript the latest job works from

    def paused(self, transcript: Transcript) -> None:
        with self._lock:
            self._generation += 1
            generation = self._generation
            self._result = None
            job = threading.Thread(target=self._prepare, args=(generation, transcript),
                                   daemon=True)
            self._job, self._job_text = job, transcript.text
        job.start()

    def resumed(self) -> None:
        with self._lock:
            self._generation += 1
            self._result = None

    def _prepare(self, generation: int, transcript: Transcript) -> None:
        *earlier, last = self._exchanges
        draft = QuestionRecord(self._question, [*earlier, replace(last, transcript=transcript)])
        try:
            decision = self._interview.interviewer.next_turn(draft)
            audio = (self._interview.render(decision.text)
                     if isinstance(decision, FollowUp) else None)
        except Exception:
            return  # the turn is decided again the ordinary way
        with self._lock:
            if generation == self._generation:
                self._result = (transcript.text, decision, audio)

    def take(self, final_text: str, wait: float = 5.0) -> tuple[FollowUp | MoveOn,
                                                                Audio | None] | None:
        with self._lock:
            job, job_text = self._job, self._job_text
        # Wait only for a job that works from this very transcript; any other is of no use.
        if job is not None and job_text == final_text:
            job.join(timeout=wait)
        with self._lock:
            if self._result is not None and self._result[0] == final_text:
                return self._result[1], self._result[2]
        return None


class Prefetched:
    """Audio rendered ahead of time by one thread and taken by another."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._audio: dict[str, Audio] = {}

    def put(self, text: str, audio: Audio) -> None:
        with self._lock:
            self._audio.setdefault(text, audio)

    def take(self, text: str) -> Audio | None:
        with self._lock:
            return self._audio.pop(text, None)


@dataclass(frozen=True)
class TurnMarks:
    """time.monotonic() marks of one live answer, kept until the reply starts playing."""

    speech_ended: float | None
    turn_end: float
    transcript_ready: float


@dataclass(frozen=True)
class PendingTiming:
    question_id: str
    turn: int
    marks: TurnMarks


def clip_name(index: int, turn: int, what: str) -> str:
    """The file name of one piece of audio in a question's turn: q01-t0-interviewer.wav."""
    return f"q{index:02d}-t{turn}-{what}.wav"


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
    # Questions already finished in an earlier run of this session (see `resume`).
    done: list[QuestionRecord] = field(default_factory=list)
    audio_prefix: str = ""  # keeps a resumed run's files apart from the earlier ones
    _rendered: Prefetched = field(default_factory=lambda: Prefetched(), init=False)
    _pending_timing: PendingTiming | None = field(default=None, init=False)

    def emit(self, type_: str, **fields: object) -> dict:
        event = self.session.log(type_, **fields)
        self.display.show(event)
        return event

    def run(self) -> Critique:
        if self.done or self.audio_prefix:
            self.emit("session_resumed", interviewer=self.interviewer.name,
                      question_ids=[q.id for q in self.questions], **self.settings)
            if self.questions:
                self.say("greeting", WELCOME_BACK, "greeting.wav")
        else:
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
        grader = BackgroundGrader(self.interviewer)
        for record in self.done:
            grader.add(record)
        for i, q in enumerate(self.questions, len(self.done) + 1):
            following = i - len(self.done)
            upcoming = (self.questions[following].text if following < len(self.questions)
                        else CLOSING)
            self.prefetch(upcoming)
            grader.add(self.ask(i, q))
        self.say("closing", CLOSING, "closing.wav")
        with self.display.working("Writing your critique") as progress:
            critique = self.interviewer.summarize(grader.grades(progress))
        self.emit("critique", critique=critique.to_dict())
        self.emit("session_finished", overall_score=critique.overall_score)
        return critique

    # --- speaking ------------------------------------------------------------------------

    def render(self, text: str) -> Audio:
        cached = self._rendered.take(text)
        return cached if cached is not None else self.speaker.render(text)

    def prefetch(self, text: str) -> None:
        """Render what the interviewer will say next while the candidate talks."""

        def work() -> None:
            with contextlib.suppress(Exception):  # rendered again when needed
                self._rendered.put(text, self.speaker.render(text))

        threading.Thread(target=work, daemon=True).start()

    def say(self, kind: str, text: str, audio_name: str, audio: Audio | None = None,
            **fields: object) -> None:
        if audio is None:
            with self.display.working("Interviewer speaking"):
                audio = self.render(text)
        audio_name = self.audio_prefix + audio_name
        self.session.save_audio(audio_name, audio)
        self.emit("interviewer_said", kind=kind, text=text, audio=audio_name,
                  duration=round(audio.duration, 3), **fields)
        timing, self._pending_timing = self._pending_timing, None
        started = time.monotonic()  # the moment the reply's audio starts
        self.speaker.play(audio)
        if timing is not None:
            self._log_timing(timing, started)

    def _log_timing(self, timing: PendingTiming, started: float) -> None:
        """The first interviewer audio after an answer closes that answer's timing record."""
        marks = timing.marks
        self.emit("answer_timing", question_id=timing.question_id, turn=timing.turn,
                  speech_ended=wall_time(marks.speech_ended) if marks.speech_ended else None,
                  turn_end_detected=wall_time(marks.turn_end),
                  transcript_ready=wall_time(marks.transcript_ready),
                  reply_started=wall_time(started),
                  turn_end_to_reply_s=round(started - marks.turn_end, 4))

    # --- one question ------------------------------------------------------------------

    def ask(self, index: int, q: Question) -> QuestionRecord:
        record = QuestionRecord(q)
        prompt, kind, point_id = q.text, "question", None
        prepared: Audio | None = None
        for turn in range(self.max_follow_ups + 1):
            where = {"question_id": q.id, "turn": turn}
            self.say(kind, prompt, clip_name(index, turn, "interviewer"), audio=prepared,
                     point_id=point_id, **where)
            exchange = Exchange(prompt, kind, None, point_id)
            record.exchanges.append(exchange)
            speculation = Speculation(self, record)
            answer, passed = self.listen(index, turn, q, prompt, speculation)
            if answer is None:
                self.emit("answer_passed", reason=passed, **where)
                break
            exchange.transcript = answer.transcript

            if turn == self.max_follow_ups:
                break
            ready = speculation.take(answer.transcript.text) if answer.turn_end else None
            if ready is not None:
                decision, prepared = ready
            else:
                with self.display.working("Interviewer thinking"):
                    decision = self.interviewer.next_turn(record)
                prepared = None
            said = {**where, "fallback": decision.fallback} if decision.fallback else where
            if not isinstance(decision, FollowUp):
                self.emit("interviewer_decided", decision="move_on", reason=decision.reason,
                          **said)
                break
            self.emit("interviewer_decided", decision="follow_up", point_id=decision.point_id,
                      **said)
            prompt, kind, point_id = decision.text, "follow_up", decision.point_id
        return record

    def listen(self, index: int, turn: int, q: Question, prompt: str,
               speculation: Speculation) -> tuple[Answer | None, str]:
        """One answer, after any nudge or repeat; or None and why the candidate passed."""
        where = {"question_id": q.id, "turn": turn}
        nudged = False
        repeats = 0
        for attempt in range(MAX_REPEATS + 3):
            name = self.audio_prefix + clip_name(index, turn, f"candidate-{attempt}" if attempt
                                                 else "candidate")
            answer = self.answers.record_answer(AnswerRequest(
                q.id, self.session.audio_path(name),
                time_limit=q.target_seconds * TIME_LIMIT_FACTOR, listener=speculation))
            if answer is None or answer.audio.duration == 0:
                return None, "no answer"
            self.emit("answer_recorded", audio=name, duration=round(answer.audio.duration, 3),
                      ended_by=answer.ended_by, **where)
            if answer.ended_by == "grace":  # silence from start to end
                if nudged:
                    self.say("skip", SKIPPED, clip_name(index, turn, "skip"), **where)
                    return None, "silence"
                nudged = True
                self.say("nudge", NUDGE, clip_name(index, turn, "nudge"), **where)
                continue
            transcript = answer.transcript
            if transcript is None:
                with self.display.working("Transcribing your answer"):
                    transcript = self.transcriber.transcribe(answer.audio)
            request = phrases.request_in(transcript.text)
            if request == "repeat" and repeats < MAX_REPEATS:
                repeats += 1
                self.emit("candidate_request", request="repeat", text=transcript.text, **where)
                self.say("repeat", prompt, clip_name(index, turn, f"repeat{repeats}"), **where)
                continue
            if request == "skip":
                self.emit("candidate_request", request="skip", text=transcript.text, **where)
                self.say("skip", SKIPPED, clip_name(index, turn, "skip"), **where)
                return None, "skipped"
            answer.transcript = phrases.strip_closing(transcript)
            self.emit("answer_transcribed", transcript=answer.transcript.to_dict(), **where)
            if answer.turn_end is not None:
                self._pending_timing = PendingTiming(q.id, turn, TurnMarks(
                    answer.speech_ended, answer.turn_end,
                    answer.transcript_ready or time.monotonic()))
            if answer.ended_by == "time_limit":
                self.say("wrap_up", WRAP_UP, clip_name(index, turn, "wrap-up"), **where)
            return answer, ""
        return None, "no answer"
