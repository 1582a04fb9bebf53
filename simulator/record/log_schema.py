"""The shapes of the session log's events, checked once when a session is read.

Everything that reads a session (listing, progress, exports, replay, resume) can then take the
types for granted: a log damaged by hand or by a bug is refused at the boundary, as one damaged
session, instead of breaking every command that happens to read it. The format is described in
docs/session-log.md; keys and event types not named here are left alone, as readers ignore them.
"""

from __future__ import annotations

from jsonschema import Draft202012Validator

_STR = {"type": "string"}
_STR_OR_NULL = {"type": ["string", "null"]}
_NUM = {"type": "number"}
_NUM_OR_NULL = {"type": ["number", "null"]}
_TURN = {"type": ["integer", "null"]}
_STRINGS = {"type": "array", "items": _STR}

_POINT = {
    "type": "object",
    "required": ["id", "strong", "status", "evidence"],
    "properties": {"id": _STR, "strong": _STR, "evidence": _STR_OR_NULL, "weight": _NUM,
                   "status": {"enum": ["covered", "partial", "missed"]},
                   "missing": _STRINGS, "unsure": _STR_OR_NULL},
}
_QUESTION_CRITIQUE = {
    "type": "object",
    "required": ["question_id", "question", "score", "points", "strengths", "to_add",
                 "model_answer"],
    "properties": {
        "question_id": _STR, "category": _STR, "question": _STR, "score": _NUM,
        "points": {"type": "array", "items": _POINT}, "strengths": _STRINGS,
        "to_add": _STRINGS, "model_answer": _STR, "answered": {"type": "boolean"},
        "better_answer": _STR, "notes": _STRINGS,
        "specificity": {"type": ["object", "null"], "properties": {
            "details": {"type": "array", "items": {"type": "object", "properties": {
                "kind": _STR, "text": _STR}}},
            "platitudes": _STRINGS, "words": {"type": "integer"},
            "vague": {"type": "boolean"}}},
        "star": {"type": ["object", "null"], "properties": {
            "situation": _STR_OR_NULL, "task": _STR_OR_NULL, "action": _STR_OR_NULL,
            "result": _STR_OR_NULL, "measured": {"type": "boolean"}, "event": _STR,
            "own": _STR, "i_actions": {"type": "integer"}, "we_actions": {"type": "integer"},
            "advice": _STRINGS}},
    },
}
CRITIQUE = {
    "type": "object",
    "required": ["interviewer", "overall_score", "questions", "strengths", "to_add",
                 "practice_next"],
    "properties": {
        "interviewer": _STR, "overall_score": _NUM,
        "questions": {"type": "array", "items": _QUESTION_CRITIQUE},
        "strengths": _STRINGS, "to_add": _STRINGS, "practice_next": _STRINGS, "notes": _STRINGS,
    },
}
_WORD = {"type": "object", "required": ["word", "start", "end"],
         "properties": {"word": _STR, "start": _NUM, "end": _NUM, "probability": _NUM}}

EVENTS: dict[str, dict] = {
    "session_started": {"properties": {
        "interviewer": _STR, "question_ids": _STRINGS, "mode": _STR, "style": _STR,
        "stt_model": _STR_OR_NULL,
        "questions": {"type": "array", "items": {"type": "object", "properties": {
            "id": _STR, "category": _STR, "text": _STR, "target_seconds": _NUM_OR_NULL}}},
    }},
    "interviewer_said": {"properties": {
        "kind": _STR, "text": _STR, "audio": _STR_OR_NULL, "duration": _NUM_OR_NULL,
        "question_id": _STR_OR_NULL, "turn": _TURN, "point_id": _STR_OR_NULL}},
    "answer_recorded": {"properties": {
        "question_id": _STR_OR_NULL, "turn": _TURN, "audio": _STR_OR_NULL,
        "duration": _NUM_OR_NULL}},
    "answer_transcribed": {"required": ["transcript"], "properties": {
        "question_id": _STR_OR_NULL, "turn": _TURN,
        "transcript": {"type": "object", "properties": {
            "text": _STR, "duration": _NUM_OR_NULL,
            "words": {"type": "array", "items": _WORD}}}}},
    "answer_passed": {"properties": {"question_id": _STR_OR_NULL, "turn": _TURN}},
    "answer_timing": {"properties": {"question_id": _STR_OR_NULL, "turn": _TURN,
                                     "turn_end_to_reply_s": _NUM_OR_NULL,
                                     "speech_end_to_reply_s": _NUM_OR_NULL}},
    "interviewer_requests": {"required": ["requests"], "properties": {
        "question_id": _STR_OR_NULL, "turn": _TURN,
        "requests": {"type": "array", "items": {"type": "object", "properties": {
            "at": _STR, "during": _STR, "outcome": _STR}}}}},
    "critique": {"required": ["critique"], "properties": {"critique": CRITIQUE}},
    "session_resumed": {"properties": {"question_ids": _STRINGS}},
    "session_finished": {"properties": {"overall_score": _NUM_OR_NULL}},
}
_VALIDATORS = {kind: Draft202012Validator({"type": "object", **schema})
               for kind, schema in EVENTS.items()}


def problem(event: dict) -> str | None:
    """What is wrong with one event's shape, in a few words, or None when it is sound."""
    validator = _VALIDATORS.get(str(event.get("type")))
    if validator is None:
        return None
    error = next(iter(sorted(validator.iter_errors(event), key=lambda e: list(e.path))), None)
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "the event"
    return f"{where}: {error.message[:120]}"
