"""The JSON export: the report as one versioned document (docs/export-json.md)."""

from __future__ import annotations

import json
from dataclasses import asdict

from simulator.core.untrusted_text import inert_json
from simulator.reports.model import Report, ReportTurn

EXPORT_SCHEMA = "mock-interview.export/1"


def document(report: Report) -> dict:
    """The report in the export's shape. Readers depend on it, keys' order included: a change
    of meaning changes the schema's version."""
    s = report.session
    return {
        "schema": EXPORT_SCHEMA,
        "session": {
            "id": s.id,
            "started": s.started,
            "status": s.status,
            "interviewer": s.interviewer,
            "stt_model": s.stt_model,
            "questions": s.questions,
        },
        "turns": [_turn(t) for t in report.turns],
        "delivery": {
            "session": report.delivery.session.to_dict(),
            "questions": {qid: d.to_dict() for qid, d in report.delivery.questions.items()},
        },
        "attempts": {qid: [asdict(a) for a in tries] for qid, tries in report.attempts.items()},
        "critique": report.critique_as_logged,
        "warnings": report.warnings,
    }


def _turn(t: ReportTurn) -> dict:
    return {
        "kind": t.kind,
        "question_id": t.question_id,
        "turn": t.turn,
        "interviewer": t.text,
        "interviewer_audio": t.audio,
        "answer_audio": t.answer_audio,
        "answer_duration": t.answer_duration,
        "passed": t.passed,
        "answer": _answer(t),
        "timing": asdict(t.timing) if t.timing is not None else None,
        "delivery": t.delivery.to_dict() if t.delivery is not None else None,
        "interviewer_requests": len(t.requests) if t.requests is not None else None,
    }


def _answer(t: ReportTurn) -> dict | None:
    if t.transcript is None:
        return None
    answer = t.transcript.to_dict()
    if t.timing is not None:
        answer["turn_end_to_reply_s"] = t.timing.turn_end_to_reply_s
        answer["speech_end_to_reply_s"] = t.timing.speech_end_to_reply_s
    return answer


def to_json(report: Report) -> str:
    return inert_json(json.dumps(document(report), indent=2, ensure_ascii=False)) + "\n"
