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
    Cancel,
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
from simulator.core.style import DEFAULT_STYLE, STYLES, Style
from simulator.language import phrases
from simulator.live.grading import BackgroundGrader
from simulator.record.session import Session


class QuietDisplay:
    def show(self, event: dict) -> None:
        pass

    @contextlib.contextmanager
    def working(self, text: str) -> Iterator[Callable[[str], None]]:
        yield lambda _text: None


def greeting(questions: list[Question], style: Style = STYLES[DEFAULT_STYLE]) -> str:
    n = len(questions)
    plural = "one question" if n == 1 else f"{n} questions"
    kinds = {q.kind for q in questions}
    about = ("about times you've handled things as a product manager" if kinds == {"story"}
             else "about how you work as a product manager and things you've done"
             if "story" in kinds else "about how you get things done as a product manager")
    return (
        f"{style.opening} I'll ask you {plural} {about}, and I may follow up on your answers. "
        "Take a moment to think before you answer if you need it. Let's begin."
    )


WELCOME_BACK = "Welcome back. Let's pick up where we left off."
MAX_REPEATS = 2


def wall_time(mono: float) -> str:
    """A time.monotonic() mark as a UTC wall-clock time."""
    delta = timedelta(seconds=time.monotonic() - mono)
    return (datetime.now(UTC) - delta).isoformat(timespec="milliseconds")


@dataclass
class Prepared:
    """One preparation of the next turn while the candidate paused, and what became of it."""

    at: str  # UTC time it started
    # used; superseded (a newer pause came while it ran); cancelled (they spoke again);
    # unused (ready, but the answer ended otherwise); failed
    outcome: str = "running"


class Speculation:
    """The next turn, prepared while the candidate's trailing silence runs.

    When the candidate pauses with the transcript up to date, the interviewer's decision (and
    a follow-up's audio) is worked out in the background. With an LLM each preparation is a
    request, so at most one is in flight: a pause with a newer transcript stops it and starts
    once it has stopped, and speaking again cancels it; either way its stream is closed, so
    the server stops generating. At the end of the turn the result is used only if the final
    transcript is the one it saw.
    """

    def __init__(self, interview: Interview, record: QuestionRecord):
        self._interview = interview
        # A copy: the turn loop goes on adding to the record while a job may still read it.
        self._question = record.question
        self._exchanges = list(record.exchanges)
        self._changed = threading.Condition()
        self._generation = 0
        self._result: tuple[str, FollowUp | MoveOn, Audio | None, Prepared] | None = None
        self._running: tuple[str, Cancel, Prepared] | None = None  # transcript, cancel, log
        self._waiting: tuple[int, Transcript] | None = None  # the newest pause, not started
        self.prepared: list[Prepared] = []

    def paused(self, transcript: Transcript) -> None:
        with self._changed:
            self._generation += 1
            self._result = None
            self._waiting = (self._generation, transcript)
            if self._running is None:
                self._start_waiting()
            else:
                # It works from an older transcript: stop it, and this one starts when it has.
                self._stop_running("superseded")
            self._changed.notify_all()

    def resumed(self) -> None:
        with self._changed:
            self._generation += 1
            self._result = None
            self._waiting = None
            self._stop_running("cancelled")
            self._changed.notify_all()

    def _stop_running(self, why: str) -> None:
        """The caller holds the lock."""
        if self._running is not None and not self._running[1].is_set():
            self._running[2].outcome = why
            self._running[1].set()

    def _start_waiting(self) -> None:
        """Start the newest pause's job; the caller holds the lock."""
        assert self._waiting is not None
        generation, transcript = self._waiting
        self._waiting = None
        cancel = Cancel()
        log = Prepared(wall_time(time.monotonic()))
        self.prepared.append(log)
        self._running = (transcript.text, cancel, log)
        threading.Thread(target=self._prepare, args=(generation, transcript, cancel, log),
                         daemon=True).start()

    def _prepare(self, generation: int, transcript: Transcript, cancel: Cancel,
                 log: Prepared) -> None:
        *earlier, last = self._exchanges
        draft = QuestionRecord(self._question, [*earlier, replace(last, transcript=transcript)])
        result = None
        try:
            decision = self._interview.interviewer.next_turn(draft, cancel)
            audio = (self._interview.render(decision.text)
                     if isinstance(decision, FollowUp) and not cancel.is_set() else None)
            result = (transcript.text, decision, audio, log)
        except Exception:
            pass  # the turn is decided again the ordinary way
        with self._changed:
            self._running = None
            if cancel.is_set():
                pass  # whoever stopped it said why
            elif result is None:
                log.outcome = "failed"
            elif generation == self._generation:
                self._result = result
            else:
                log.outcome = "superseded"
            if self._waiting is not None:
                self._start_waiting()
            self._changed.notify_all()

    def take(self, final_text: str, wait: float = 5.0) -> tuple[FollowUp | MoveOn,
                                                                Audio | None] | None:
        """The prepared turn for this final transcript, waiting a little for one on its way."""
        give_up = time.monotonic() + wait
        with self._changed:
            while self._result is None or self._result[0] != final_text:
                # Worth waiting only for a job that works, or is about to, from this text.
                on_its_way = ((self._running is not None and self._running[0] == final_text)
                              or (self._waiting is not None
                                  and self._waiting[1].text == final_text))
                left = give_up - time.monotonic()
                if not on_its_way or left <= 0:
                    return None
                self._changed.wait(left)
            self._result[3].outcome = "used"
            return self._result[1], self._result[2]

    def settle(self) -> list[Prepared]:
        """Every preparation of this answer; one still running is no longer wanted."""
        with self._changed:
            self._waiting = None
            self._stop_running("cancelled")
            for log in self.prepared:
                if log.outcome == "running":
                    log.outcome = "unused"
            return list(self.prepared)


class Prefetched:
    """Audio rendered ahead of time by one thread and taken by another.

    A line still being rendered is waited for, not rendered a second time; and nothing is
    left rendering when the interview ends: a voice's native code (Piper's onnxruntime) still
    running in a thread as the process exits aborts it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._audio: dict[str, Audio] = {}
        self._rendering: dict[str, threading.Thread] = {}

    def start(self, text: str, render: Callable[[str], Audio]) -> None:
        def work() -> None:
            with contextlib.suppress(Exception):  # rendered again when needed
                audio = render(text)
                with self._lock:
                    self._audio.setdefault(text, audio)

        thread = threading.Thread(target=work, name="prefetch", daemon=True)
        with self._lock:
            self._rendering[text] = thread
        thread.start()

    def take(self, text: str) -> Audio | None:
        with self._lock:
            thread = self._rendering.pop(text, None)
        if thread is not None:
            thread.join()
        with self._lock:
            return self._audio.pop(text, None)

    def settle(self, timeout: float = 5.0) -> None:
        """Wait for every render still going: a local one takes a second at most, and a
        remote one past the timeout is only waiting on the network, harmless at exit."""
        with self._lock:
            threads, self._rendering = list(self._rendering.values()), {}
        for thread in threads:
            thread.join(timeout)


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
    style: Style = STYLES[DEFAULT_STYLE]
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
            self.say("greeting", greeting(self.questions, self.style), "greeting.wav")
        grader = BackgroundGrader(self.interviewer)
        for record in self.done:
            grader.add(record)
        try:
            for i, q in enumerate(self.questions, len(self.done) + 1):
                following = i - len(self.done)
                upcoming = (self.questions[following].text if following < len(self.questions)
                            else self.style.closing)
                self.prefetch(upcoming)
                grader.add(self.ask(i, q))
            self.say("closing", self.style.closing, "closing.wav")
        finally:
            self._rendered.settle()
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
        self._rendered.start(text, self.speaker.render)

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
                  turn_end_to_reply_s=round(started - marks.turn_end, 4),
                  # What the candidate feels: from their last voiced audio to the reply.
                  speech_end_to_reply_s=(round(started - marks.speech_ended, 4)
                                         if marks.speech_ended else None))

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
                self._log_requests(speculation, where)
                self.emit("answer_passed", reason=passed, **where)
                break
            exchange.transcript = answer.transcript

            if turn == self.max_follow_ups:
                self._log_requests(speculation, where)
                break
            ready = speculation.take(answer.transcript.text) if answer.turn_end else None
            asked_at = None
            if ready is not None:
                decision, prepared = ready
            else:
                asked_at = time.monotonic()
                with self.display.working("Interviewer thinking"):
                    decision = self.interviewer.next_turn(record)
                prepared = None
            self._log_requests(speculation, where, asked_at)
            said = {**where, "fallback": decision.fallback} if decision.fallback else where
            if not isinstance(decision, FollowUp):
                self.emit("interviewer_decided", decision="move_on", reason=decision.reason,
                          **said)
                break
            self.emit("interviewer_decided", decision="follow_up", point_id=decision.point_id,
                      **said)
            prompt, kind, point_id = decision.text, "follow_up", decision.point_id
        return record

    def _log_requests(self, speculation: Speculation, where: dict,
                      asked_at: float | None = None) -> None:
        """What deciding this answer's next turn asked of a remote interviewer: each request
        made during a pause and what became of it, and the one made at the turn's end."""
        made = [{"at": p.at, "during": "pause", "outcome": p.outcome}
                for p in speculation.settle()]
        if asked_at is not None:
            made.append({"at": wall_time(asked_at), "during": "turn_end", "outcome": "used"})
        if self.interviewer.remote and made:
            self.emit("interviewer_requests", requests=made, **where)

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
                time_limit=self.style.time_limit(q.target_seconds), listener=speculation))
            if answer is None or answer.audio.duration == 0:
                return None, "no answer"
            self.emit("answer_recorded", audio=name, duration=round(answer.audio.duration, 3),
                      ended_by=answer.ended_by, **where)
            if answer.ended_by == "grace":  # silence from start to end
                if nudged:
                    self.say("skip", self.style.skipped, clip_name(index, turn, "skip"), **where)
                    return None, "silence"
                nudged = True
                self.say("nudge", self.style.nudge, clip_name(index, turn, "nudge"), **where)
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
                self.say("skip", self.style.skipped, clip_name(index, turn, "skip"), **where)
                return None, "skipped"
            answer.transcript = phrases.strip_closing(transcript)
            self.emit("answer_transcribed", transcript=answer.transcript.to_dict(), **where)
            if answer.turn_end is not None:
                self._pending_timing = PendingTiming(q.id, turn, TurnMarks(
                    answer.speech_ended, answer.turn_end,
                    answer.transcript_ready or time.monotonic()))
            if answer.ended_by == "time_limit":
                self.say("wrap_up", self.style.wrap_up, clip_name(index, turn, "wrap-up"), **where)
            return answer, ""
        return None, "no answer"
