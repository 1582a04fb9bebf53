"""Carrying on with an interrupted session, from the question it stopped in."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.core.contracts import Exchange, QuestionRecord
from simulator.core.errors import UserError
from simulator.core.questions import Bank, Question
from simulator.record.session import SessionRecord
from simulator.record.turns import turns


@dataclass
class ResumePoint:
    done: list[QuestionRecord]  # questions finished before the interruption
    remaining: list[Question]  # the interrupted question first, asked again from the start
    run: int  # 1 for the first resume, 2 for the next...


def resume_point(record: SessionRecord, bank: Bank) -> ResumePoint:
    if record.status == "finished":
        raise UserError(f"session {record.id} is already finished")
    ids = record.question_ids
    missing = [qid for qid in ids if qid not in {q.id for q in bank.questions}]
    if missing:
        raise UserError(f"session {record.id} asks {', '.join(missing)}, which no loaded bank "
                        "has (pass the bank it came from with --bank)")
    asked = turns(record)
    closed = any(t.kind == "closing" for t in asked)
    started = list(dict.fromkeys(t.question_id for t in asked
                                 if t.kind == "question" and t.question_id in ids))
    # A question is finished once the next one (or the closing) has been asked.
    finished = started if closed else started[:-1]
    done = []
    for qid in finished:
        rec = QuestionRecord(bank.get(qid))
        for t in asked:
            if t.question_id != qid:
                continue
            if t.kind in ("question", "follow_up"):
                rec.exchanges.append(Exchange(t.text, t.kind, t.transcript, t.point_id))
            elif t.kind in ("repeat", "nudge") and t.transcript is not None and rec.exchanges:
                rec.exchanges[-1].transcript = t.transcript  # answered after asking again
        done.append(rec)
    runs = sum(1 for e in record.events if e.get("type") == "session_resumed")
    remaining = [bank.get(qid) for qid in ids if qid not in finished]
    return ResumePoint(done, remaining, runs + 1)
