"""The interview as a list of turns, rebuilt from a session's event log."""

from __future__ import annotations

from dataclasses import dataclass

from audio.stt import Transcript
from simulator.record.session import SessionRecord

TIMING_KEYS = ("speech_ended", "turn_end_detected", "transcript_ready", "reply_started",
               "turn_end_to_reply_s", "speech_end_to_reply_s")


# What the interviewer says that waits for an answer; a wrap-up or a skip does not.
ANSWERED_KINDS = ("question", "follow_up", "repeat", "nudge")


@dataclass
class Turn:
    kind: str  # greeting, question, follow_up, closing
    text: str  # what the interviewer said
    t: str  # when it was said (ISO time)
    audio: str | None = None
    question_id: str | None = None
    turn: int | None = None
    answer_audio: str | None = None
    answer_duration: float | None = None
    transcript: Transcript | None = None
    passed: bool = False
    timing: dict | None = None  # live answers: speech end, end of turn, transcript, reply
    point_id: str | None = None  # the rubric point a follow-up probed
    # Requests a remote interviewer was sent to decide what followed this answer.
    requests: list[dict] | None = None


def turns(record: SessionRecord) -> list[Turn]:
    out: list[Turn] = []
    by_key: dict[tuple, Turn] = {}
    for e in record.events:
        kind = e.get("type")
        key = (e.get("question_id"), e.get("turn"))
        if kind == "interviewer_said":
            turn = Turn(e.get("kind", ""), e.get("text", ""), e.get("t", ""), e.get("audio"),
                        e.get("question_id"), e.get("turn"), point_id=e.get("point_id"))
            out.append(turn)
            if turn.kind in ANSWERED_KINDS:
                by_key[key] = turn
        elif key in by_key:
            turn = by_key[key]
            if kind == "answer_recorded":
                turn.answer_audio = e.get("audio")
                turn.answer_duration = e.get("duration")
            elif kind == "answer_transcribed":
                turn.transcript = Transcript.from_dict(e.get("transcript", {}))
            elif kind == "answer_passed":
                turn.passed = True
            elif kind == "answer_timing":
                turn.timing = {k: e.get(k) for k in TIMING_KEYS}
            elif kind == "interviewer_requests":
                turn.requests = [r for r in e.get("requests", []) if isinstance(r, dict)]
    return out
