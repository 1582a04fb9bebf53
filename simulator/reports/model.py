"""The report of a saved session: one typed model that every renderer reads.

Built once from the session's log by `report()`; each format (terminal, Markdown, JSON, HTML,
SRT/VTT) only lays it out, so they always carry the same content and the same clock.

The interview's clock: every audio file back to back, in the order played. A caption's time,
a transcript line's time in the HTML report and a replay's position are all on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from audio.stt import Transcript
from simulator.core.critique import Critique
from simulator.language.delivery import Delivery, measure
from simulator.record import progress
from simulator.record.progress import Attempt
from simulator.record.session import SessionRecord, list_sessions
from simulator.record.turns import TIMING_KEYS, Turn, turns

MAX_CAPTION_WORDS = 10


@dataclass
class SessionInfo:
    id: str
    started: str  # ISO time
    status: str  # finished, interrupted or damaged
    interviewer: str | None
    stt_model: str | None
    # As the log lists them: the export carries them unchanged, keys we do not know included.
    questions: list[dict]


@dataclass
class Timing:
    """When a live answer's turn ended and the reply began (UTC times), and the gap."""

    speech_ended: str | None = None
    turn_end_detected: str | None = None
    transcript_ready: str | None = None
    reply_started: str | None = None
    turn_end_to_reply_s: float | None = None
    speech_end_to_reply_s: float | None = None  # from the last voiced audio: what was felt


@dataclass
class ReportTurn:
    """One thing the interviewer said, the answer to it, and where both sit on the clock."""

    kind: str  # greeting, question, follow_up, repeat, nudge, closing
    text: str  # what the interviewer said
    question_id: str | None
    turn: int | None  # 0 for the question itself, 1+ for follow-ups
    audio: str | None  # file names, as the log gives them
    answer_audio: str | None
    answer_duration: float | None
    passed: bool
    transcript: Transcript | None
    timing: Timing | None
    delivery: Delivery | None  # of this answer alone
    # Requests a remote interviewer was sent after this answer (None: none were logged).
    requests: list[dict] | None
    said_at: float  # seconds on the interview's clock
    said_for: float
    answer_at: float | None  # None when no answer was recorded
    answer_for: float
    # The files themselves when they are there: a missing file is a gap, not an error.
    audio_file: Path | None = None
    answer_file: Path | None = None


@dataclass
class Line:
    """One caption: a few words, on the interview's clock."""

    speaker: str  # "Interviewer" or "Candidate" ("Delivery" for the closing caption)
    text: str
    start: float  # seconds on the interview's clock
    end: float
    audio: str | None = None  # the file this line is heard in
    offset: float = 0.0  # where that file starts on the clock


@dataclass
class Deliveries:
    session: Delivery
    questions: dict[str, Delivery]  # all answers to a question, against its target length


@dataclass
class Report:
    session: SessionInfo
    turns: list[ReportTurn]
    delivery: Deliveries
    # Every graded attempt at this session's questions across the data folder, oldest first.
    attempts: dict[str, list[Attempt]]
    critique: Critique | None  # None until the session finished
    # The critique exactly as logged: the JSON export carries it unchanged, so a log written
    # by an older or newer version keeps the keys it had, no more and no fewer.
    critique_as_logged: dict | None
    warnings: list[str]
    lines: list[Line]  # the captions, on the interview's clock


def report(record: SessionRecord) -> Report:
    start = record.first("session_started") or {}
    placed = _placed(record)
    logged = record.critique
    return Report(
        session=SessionInfo(record.id, record.started, record.status, start.get("interviewer"),
                            start.get("stt_model"), start.get("questions", [])),
        turns=placed,
        delivery=_deliveries(start, placed),
        attempts=attempts_of(record),
        critique=Critique.from_dict(logged) if logged else None,
        critique_as_logged=logged,
        warnings=record.warnings,
        lines=_lines(placed),
    )


def deliveries(record: SessionRecord) -> Deliveries:
    """Delivery alone, for the terminal at the end of an interview."""
    return _deliveries(record.first("session_started") or {}, _placed(record))


def timeline(record: SessionRecord) -> list[Line]:
    """The captions alone, for replay: no need to read every other session for attempts."""
    return _lines(_placed(record))


def clock(seconds: float) -> str:
    """A moment on the interview's clock as mm:ss."""
    m, s = divmod(int(seconds), 60)
    return f"{m:02d}:{s:02d}"


def attempts_of(record: SessionRecord) -> dict[str, list[Attempt]]:
    """Every attempt at this session's questions, from all sessions in the same folder."""
    everyone = list_sessions(record.path.parent.parent)
    if not any(r.id == record.id for r in everyone):
        everyone.append(record)  # a session folder given by path, outside the data home
    found = progress.attempts(everyone)
    return {qid: [a for a in found if a.question_id == qid] for qid in record.question_ids}


def _deliveries(start: dict, placed: list[ReportTurn]) -> Deliveries:
    targets = {q.get("id"): q.get("target_seconds") for q in start.get("questions", [])}
    answered = [t.transcript for t in placed if t.transcript is not None]
    by_question: dict[str | None, list[Transcript]] = {}
    for t in placed:
        if t.transcript is not None:
            by_question.setdefault(t.question_id, []).append(t.transcript)
    return Deliveries(measure(answered),
                      {qid: measure(ts, targets.get(qid)) for qid, ts in by_question.items()})


def _timing(timing: dict | None) -> Timing | None:
    return Timing(**{k: timing.get(k) for k in TIMING_KEYS}) if timing is not None else None


def _placed(record: SessionRecord) -> list[ReportTurn]:
    """The turns, each file placed on the clock. A file plays for the duration the log gives
    it (an answer's own duration first), so the clock matches the audio as it was heard."""
    durations = {e.get("audio"): float(e.get("duration") or 0) for e in record.events
                 if e.get("type") in ("interviewer_said", "answer_recorded")}
    out: list[ReportTurn] = []
    clock_at = 0.0
    for t in turns(record):
        said = durations.get(t.audio, 0.0)
        heard = (t.answer_duration or durations.get(t.answer_audio, 0.0)) \
            if t.answer_audio else 0.0
        out.append(_report_turn(record, t, clock_at, said,
                                clock_at + said if t.answer_audio else None, heard))
        clock_at += said + heard
    return out


def _report_turn(record: SessionRecord, t: Turn, said_at: float, said_for: float,
                 answer_at: float | None, answer_for: float) -> ReportTurn:
    return ReportTurn(
        kind=t.kind, text=t.text, question_id=t.question_id, turn=t.turn, audio=t.audio,
        answer_audio=t.answer_audio, answer_duration=t.answer_duration, passed=t.passed,
        transcript=t.transcript, timing=_timing(t.timing),
        delivery=measure([t.transcript]) if t.transcript else None, requests=t.requests,
        said_at=said_at, said_for=said_for, answer_at=answer_at, answer_for=answer_for,
        audio_file=record.audio(t.audio), answer_file=record.audio(t.answer_audio))


def _split_evenly(text: str, start: float, end: float) -> list[tuple[str, float, float]]:
    """The interviewer's words have no timestamps (TTS gives none): spread them evenly."""
    words = text.split()
    if not words:
        return []
    chunks = [words[i : i + MAX_CAPTION_WORDS] for i in range(0, len(words), MAX_CAPTION_WORDS)]
    step = (end - start) / len(words)
    out, at = [], start
    for chunk in chunks:
        out.append((" ".join(chunk), at, at + step * len(chunk)))
        at += step * len(chunk)
    return out


def _lines(placed: list[ReportTurn]) -> list[Line]:
    lines: list[Line] = []
    for p in placed:
        for text, a, b in _split_evenly(p.text, p.said_at, p.said_at + p.said_for):
            lines.append(Line("Interviewer", text, a, b, p.audio, p.said_at))
        if p.answer_at is None:
            continue
        words = p.transcript.words if p.transcript else []
        for i in range(0, len(words), MAX_CAPTION_WORDS):
            group = words[i : i + MAX_CAPTION_WORDS]
            lines.append(Line("Candidate", " ".join(w.word for w in group),
                              p.answer_at + group[0].start, p.answer_at + group[-1].end,
                              p.answer_audio, p.answer_at))
    return lines
