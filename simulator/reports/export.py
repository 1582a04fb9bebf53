"""Session exports: JSON (versioned, see docs/export-json.md) and Markdown.

Both are built from the same document, so they always carry the same content.
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import stat
import sys
from pathlib import Path

from simulator.core.errors import UserError
from simulator.language.delivery import measure, summary_lines
from simulator.language.specificity import specificity_line
from simulator.record.session import SessionRecord
from simulator.record.turns import turns

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

    from simulator.record import progress
    from simulator.record.session import list_sessions

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


# Markdown: text from the session (the bank, transcripts, the LLM, notes) is data, never markup.
# HTML is escaped as entities; backslashes, backticks and brackets (links, remote images) are
# backslash-escaped; text goes on one line, so it cannot start a block of its own, and a
# marker at its start ("#", "-", "1." ...) is escaped too, as it may follow our "- ". "*" and
# "_" inside a line are left: emphasis changes no structure, and transcripts stay readable.
MD_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\\": "\\\\",
                            "`": "\\`", "[": "\\[", "]": "\\]"})
MD_BLOCK_START = re.compile(r"^(#|[-*+]|\d+[.)])")


def _md(text: object) -> str:
    line = " ".join(str(text).split()).translate(MD_ESCAPES)
    return MD_BLOCK_START.sub(lambda m: m.group()[:-1] + "\\" + m.group()[-1], line, count=1)


def _cell(text: object) -> str:
    """Text for a table cell, where a "|" would start another column."""
    return _md(text or "").replace("|", "\\|")


def to_markdown(record: SessionRecord) -> str:
    doc = document(record)
    s = doc["session"]
    critique = doc["critique"]
    lines = [f"# Mock interview {_md(s['id'])}", ""]
    lines.append(f"- Started: {_md(s['started'])}")
    lines.append(f"- Status: {_md(s['status'])}")
    lines.append(f"- Interviewer: {_md(s['interviewer'])}")
    if critique:
        lines.append(f"- Overall score: **{_md(critique['overall_score'])}/100**")
    lines += ["", "## Transcript", ""]
    for t in doc["turns"]:
        label = {"follow_up": "Interviewer (follow-up)"}.get(t["kind"], "Interviewer")
        lines.append(f"**{label}:** {_md(t['interviewer'])}")
        lines.append("")
        if t["answer"] is not None:
            lines.append(f"**You:** {_md(t['answer']['text']) or '(nothing was heard)'}")
            lines.append("")
        elif t["passed"]:
            lines += ["**You:** (passed)", ""]
    if not critique:
        lines += ["## Critique", "", "No critique: the session did not finish.", ""]
        return "\n".join(lines)
    lines += ["## Delivery", ""]
    lines += _md_list(summary_lines(doc["delivery"]["session"]))
    lines += ["## Critique", ""]
    for title, items in (("Strengths", critique["strengths"]), ("What to add", critique["to_add"]),
                         ("Practise next", critique["practice_next"])):
        if items:
            lines += [f"### {title}", ""] + _md_list(items)
    for q in critique["questions"]:
        lines += _md_question(q, doc)
    return "\n".join(lines)


def _md_list(items: list) -> list[str]:
    return [f"- {_md(i)}" for i in items] + [""]


def _md_question(q: dict, doc: dict) -> list[str]:
    lines = [f"### {_md(q['question'])}", "", f"Score: **{_md(q['score'])}/100**", ""]
    lines += ["| Rubric point | Status | Evidence |", "| --- | --- | --- |"]
    for p in q["points"]:
        evidence = f"\"{_cell(p['evidence'])}\"" if p["evidence"] else ""
        lines.append(f"| {_cell(p['strong'])} | {_cell(p['status'])} | {evidence} |")
    lines.append("")
    spec = specificity_line(q)
    if spec:
        lines += [_md(spec), ""]
    if q["strengths"]:
        lines += ["Strengths:", ""] + _md_list(q["strengths"])
    if q["to_add"]:
        lines += ["To add:", ""] + _md_list(q["to_add"])
    spoken = doc["delivery"]["questions"].get(q["question_id"])
    if spoken:
        lines += ["Delivery:", ""] + _md_list(summary_lines(spoken))
    tries = doc["attempts"].get(q["question_id"], [])
    if len(tries) > 1:
        lines += ["Attempts at this question, side by side:", ""]
        lines += _md_attempts(q, tries, doc["session"]["id"])
    if q.get("better_answer"):
        lines += [f"A stronger answer: {_md(q['better_answer'])}", ""]
    lines += [f"Model answer direction: {_md(q['model_answer'])}", ""]
    lines += [f"> Note: {_md(n)}" for n in q.get("notes", [])] + ([""] if q.get("notes") else [])
    return lines


def _md_attempts(q: dict, tries: list[dict], this_id: str) -> list[str]:
    def row(first: object, cells: list) -> str:
        return f"| {_cell(first)} | " + " | ".join(_cell(c) for c in cells) + " |"

    dates = [a["started"][:10] + (" (this one)" if a["session_id"] == this_id else "")
             for a in tries]
    lines = [row("Rubric point", dates), "| --- |" + " --- |" * len(tries)]
    lines.append(row("Score", [str(a["score"]) for a in tries]))
    lines += [row(p["id"], [a["points"].get(p["id"], "") for a in tries]) for p in q["points"]]
    return lines + [""]


def export(record: SessionRecord, fmt: str) -> str:
    if fmt == "json":
        return to_json(record)
    if fmt == "md":
        return to_markdown(record)
    if fmt == "html":
        from simulator.reports.html import to_html

        return to_html(record)
    if fmt in ("srt", "vtt"):
        from simulator.reports.timeline import to_srt, to_vtt

        return to_srt(record) if fmt == "srt" else to_vtt(record)
    raise UserError(f"unknown export format {fmt!r} (use one of: {', '.join(FORMATS)})")


STDOUT = Path("-")


def write_export(text: str, out: Path) -> None:
    """Write an export to OUT as what stands there allows, or raise a one-line UserError.

    A regular file (or a new one) is replaced atomically, so a failure never leaves half an
    export behind; a symlink keeps being a link and its target gets the export; a device, a
    named pipe or standard output (`-`) cannot be renamed over, so it is written directly.
    """
    data = text.encode("utf-8")
    name = "standard output" if out == STDOUT else str(out)
    try:
        if out == STDOUT:
            try:
                _write_stdout(data)
            except BrokenPipeError:
                # The reader stopped early (`export ... | head`), as readers may: not an error.
                # Point stdout at /dev/null so Python's own flush at exit stays quiet too.
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return
        target = out.resolve() if out.is_symlink() else out
        if not target.exists() or target.is_file():
            _replace_file(target, data)
        elif target.is_dir():
            raise UserError(f"cannot write {name}: it is a folder, not a file")
        else:
            _write_to(target, data)
    except OSError as exc:
        raise UserError(f"cannot write {name}: {exc.strerror or exc}") from exc
    except RuntimeError as exc:  # a symlink loop, on Python before 3.13
        raise UserError(f"cannot write {name}: {exc}") from exc


def _write_all(fd: int, data: bytes) -> None:
    """os.write until done: a pipe may take part of it, and every error is raised, not lost
    in a buffer that is flushed (or not) at exit."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _write_stdout(data: bytes) -> None:
    sys.stdout.flush()
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, io.UnsupportedOperation):  # replaced, as by a test's capture
        sys.stdout.write(data.decode("utf-8"))
        return
    _write_all(fd, data)


def _write_to(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_NOCTTY)
    try:
        _write_all(fd, data)
    finally:
        os.close(fd)


def _replace_file(path: Path, data: bytes) -> None:
    # A fresh name that nobody else has (O_EXCL), in the same folder, so the rename is atomic.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        try:
            if path.is_file():  # a private report stays private
                os.fchmod(fd, stat.S_IMODE(path.stat().st_mode))
            _write_all(fd, data)
            os.fsync(fd)  # a full disk may only show here
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
