"""Session exports: JSON (versioned, see docs/export-json.md) and Markdown.

Both are built from the same document, so they always carry the same content.
"""

from __future__ import annotations

import json
from pathlib import Path

from simulator.delivery import measure, summary_lines
from simulator.errors import UserError
from simulator.session import SessionRecord
from simulator.specificity import specificity_line
from simulator.turns import turns

EXPORT_SCHEMA = "mock-interview.export/1"
FORMATS = ("html", "md", "json", "srt", "vtt")
STATUS_MARK = {"covered": "covered", "partial": "partial", "missed": "missed"}


def delivery(record: SessionRecord, all_turns: list) -> dict:
    """Delivery for each answer, each question and the whole session."""
    start = record.first("session_started") or {}
    targets = {q.get("id"): q.get("target_seconds") for q in start.get("questions", [])}
    answered = [t for t in all_turns if t.transcript is not None]
    by_question: dict[str, list] = {}
    for t in answered:
        by_question.setdefault(t.question_id, []).append(t.transcript)
    return {
        "session": measure([t.transcript for t in answered]).to_dict(),
        "questions": {qid: measure(ts, targets.get(qid)).to_dict()
                      for qid, ts in by_question.items()},
    }


def attempts_of(record: SessionRecord) -> dict[str, list[dict]]:
    """Every attempt at this session's questions, from all sessions in the same folder."""
    from dataclasses import asdict

    from simulator import progress
    from simulator.session import list_sessions

    everyone = list_sessions(record.path.parent.parent)
    if not any(r.id == record.id for r in everyone):
        everyone.append(record)  # a session folder given by path, outside the data home
    found = progress.attempts(everyone)
    return {qid: [asdict(a) for a in found if a.question_id == qid]
            for qid in record.question_ids}


def document(record: SessionRecord) -> dict:
    start = record.first("session_started") or {}
    all_turns = turns(record)
    return {
        "schema": EXPORT_SCHEMA,
        "session": {
            "id": record.id,
            "started": record.started,
            "status": record.status,
            "interviewer": start.get("interviewer"),
            "stt_model": start.get("stt_model"),
            "questions": start.get("questions", []),
        },
        "turns": [
            {
                "kind": t.kind,
                "question_id": t.question_id,
                "turn": t.turn,
                "interviewer": t.text,
                "interviewer_audio": t.audio,
                "answer_audio": t.answer_audio,
                "answer_duration": t.answer_duration,
                "passed": t.passed,
                "answer": _answer(t),
                "timing": t.timing,
                "delivery": measure([t.transcript]).to_dict() if t.transcript else None,
            }
            for t in all_turns
        ],
        "delivery": delivery(record, all_turns),
        "attempts": attempts_of(record),
        "critique": record.critique,
        "warnings": record.warnings,
    }


def _answer(t) -> dict | None:
    if t.transcript is None:
        return None
    answer = t.transcript.to_dict()
    if t.timing:
        answer["turn_end_to_reply_s"] = t.timing["turn_end_to_reply_s"]
    return answer


def to_json(record: SessionRecord) -> str:
    return json.dumps(document(record), indent=2, ensure_ascii=False) + "\n"


def _cell(text: object) -> str:
    return str(text or "").replace("|", "\\|").replace("\n", " ")


def to_markdown(record: SessionRecord) -> str:
    doc = document(record)
    s = doc["session"]
    critique = doc["critique"]
    lines = [f"# Mock interview {s['id']}", ""]
    lines.append(f"- Started: {s['started']}")
    lines.append(f"- Status: {s['status']}")
    lines.append(f"- Interviewer: {s['interviewer']}")
    if critique:
        lines.append(f"- Overall score: **{critique['overall_score']}/100**")
    lines += ["", "## Transcript", ""]
    for t in doc["turns"]:
        label = {"follow_up": "Interviewer (follow-up)"}.get(t["kind"], "Interviewer")
        lines.append(f"**{label}:** {t['interviewer']}")
        lines.append("")
        if t["answer"] is not None:
            lines.append(f"**You:** {t['answer']['text'] or '(nothing was heard)'}")
            lines.append("")
        elif t["passed"]:
            lines += ["**You:** (passed)", ""]
    if not critique:
        lines += ["## Critique", "", "No critique: the session did not finish.", ""]
        return "\n".join(lines)
    lines += ["## Delivery", ""]
    lines += [f"- {line}" for line in summary_lines(doc["delivery"]["session"])] + [""]
    lines += ["## Critique", ""]
    for title, items in (("Strengths", critique["strengths"]), ("What to add", critique["to_add"]),
                         ("Practise next", critique["practice_next"])):
        if items:
            lines += [f"### {title}", ""] + [f"- {i}" for i in items] + [""]
    for q in critique["questions"]:
        lines += [f"### {q['question']}", "", f"Score: **{q['score']}/100**", ""]
        lines += ["| Rubric point | Status | Evidence |", "| --- | --- | --- |"]
        for p in q["points"]:
            evidence = f"\"{_cell(p['evidence'])}\"" if p["evidence"] else ""
            lines.append(f"| {_cell(p['strong'])} | {p['status']} | {evidence} |")
        lines.append("")
        if specificity_line(q):
            lines += [specificity_line(q), ""]
        if q["strengths"]:
            lines += ["Strengths:", ""] + [f"- {i}" for i in q["strengths"]] + [""]
        if q["to_add"]:
            lines += ["To add:", ""] + [f"- {i}" for i in q["to_add"]] + [""]
        spoken = doc["delivery"]["questions"].get(q["question_id"])
        if spoken:
            lines += ["Delivery:", ""] + [f"- {x}" for x in summary_lines(spoken)] + [""]
        tries = doc["attempts"].get(q["question_id"], [])
        if len(tries) > 1:
            lines += ["Attempts at this question, side by side:", ""]
            lines.append("| Rubric point | " + " | ".join(a["started"][:10] + (
                " (this one)" if a["session_id"] == s["id"] else "") for a in tries) + " |")
            lines.append("| --- |" + " --- |" * len(tries))
            lines.append("| Score | " + " | ".join(str(a["score"]) for a in tries) + " |")
            for p in q["points"]:
                lines.append(f"| {p['id']} | " + " | ".join(
                    a["points"].get(p["id"], "") for a in tries) + " |")
            lines.append("")
        if q.get("better_answer"):
            lines += [f"A stronger answer: {q['better_answer']}", ""]
        lines += [f"Model answer direction: {q['model_answer']}", ""]
        lines += [f"> Note: {n}" for n in q.get("notes", [])] + ([""] if q.get("notes") else [])
    return "\n".join(lines)


def export(record: SessionRecord, fmt: str) -> str:
    if fmt == "json":
        return to_json(record)
    if fmt == "md":
        return to_markdown(record)
    if fmt == "html":
        from simulator.html_report import to_html

        return to_html(record)
    if fmt in ("srt", "vtt"):
        from simulator.timeline import to_srt, to_vtt

        return to_srt(record) if fmt == "srt" else to_vtt(record)
    raise UserError(f"unknown export format {fmt!r} (use one of: {', '.join(FORMATS)})")


def write_export(text: str, out: Path) -> None:
    """Write via a temporary file so a failure never leaves half an export behind."""
    tmp = out.with_name(out.name + ".part")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"cannot write {out}: {exc.strerror}") from exc
