"""The Markdown export: transcript, delivery and critique, as plain text that stays plain."""

from __future__ import annotations

import re

from simulator.core.critique import QuestionCritique
from simulator.core.untrusted_text import inert
from simulator.language.delivery import summary_lines
from simulator.language.specificity import specificity_line
from simulator.language.star import star_lines
from simulator.record.progress import Attempt
from simulator.reports.model import Report

# Text from the session (the bank, transcripts, the LLM, notes) is data, never markup, and is
# made inert first (no control characters, no bidirectional controls).
# HTML is escaped as entities; backslashes, backticks and brackets (links, remote images) are
# backslash-escaped; text goes on one line, so it cannot start a block of its own, and a
# marker at its start ("#", "-", "1." ...) is escaped too, as it may follow our "- ". "*" and
# "_" inside a line are left: emphasis changes no structure, and transcripts stay readable.
MD_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\\": "\\\\",
                            "`": "\\`", "[": "\\[", "]": "\\]"})
MD_BLOCK_START = re.compile(r"^(#|[-*+]|\d+[.)])")


def _md(text: object) -> str:
    line = " ".join(inert(text).split()).translate(MD_ESCAPES)
    return MD_BLOCK_START.sub(lambda m: m.group()[:-1] + "\\" + m.group()[-1], line, count=1)


def _cell(text: object) -> str:
    """Text for a table cell, where a "|" would start another column."""
    return _md(text or "").replace("|", "\\|")


def to_markdown(report: Report) -> str:
    s = report.session
    critique = report.critique
    lines = [f"# Mock interview {_md(s.id)}", ""]
    lines.append(f"- Started: {_md(s.started)}")
    lines.append(f"- Status: {_md(s.status)}")
    lines.append(f"- Interviewer: {_md(s.interviewer)}")
    if critique:
        lines.append(f"- Overall score: **{_md(critique.overall_score)}/100**")
    lines += ["", "## Transcript", ""]
    for t in report.turns:
        label = {"follow_up": "Interviewer (follow-up)"}.get(t.kind, "Interviewer")
        lines.append(f"**{label}:** {_md(t.text)}")
        lines.append("")
        if t.transcript is not None:
            lines.append(f"**You:** {_md(t.transcript.text) or '(nothing was heard)'}")
            lines.append("")
        elif t.passed:
            lines += ["**You:** (passed)", ""]
    if not critique:
        lines += ["## Critique", "", "No critique: the session did not finish.", ""]
        return "\n".join(lines)
    lines += ["## Delivery", ""]
    lines += _md_list(summary_lines(report.delivery.session))
    lines += ["## Critique", ""]
    for title, items in (("Strengths", critique.strengths), ("What to add", critique.to_add),
                         ("Practise next", critique.practice_next)):
        if items:
            lines += [f"### {title}", ""] + _md_list(items)
    for q in critique.questions:
        lines += _md_question(q, report)
    return "\n".join(lines)


def _md_list(items: list) -> list[str]:
    return [f"- {_md(i)}" for i in items] + [""]


def _md_question(q: QuestionCritique, report: Report) -> list[str]:
    lines = [f"### {_md(q.question)}", "", f"Score: **{_md(q.score)}/100**", ""]
    lines += ["| Rubric point | Status | Evidence |", "| --- | --- | --- |"]
    for p in q.points:
        evidence = f"\"{_cell(p.evidence)}\"" if p.evidence else ""
        lines.append(f"| {_cell(p.strong)} | {_cell(p.status)} | {evidence} |")
    lines.append("")
    spec = specificity_line(q.specificity)
    if spec:
        lines += [_md(spec), ""]
    star = star_lines(q.star)
    if star:
        lines += ["Story (STAR):", ""] + _md_list(star)
    if q.strengths:
        lines += ["Strengths:", ""] + _md_list(q.strengths)
    if q.to_add:
        lines += ["To add:", ""] + _md_list(q.to_add)
    spoken = report.delivery.questions.get(q.question_id)
    if spoken is not None:
        lines += ["Delivery:", ""] + _md_list(summary_lines(spoken))
    tries = report.attempts.get(q.question_id, [])
    if len(tries) > 1:
        lines += ["Attempts at this question, side by side:", ""]
        lines += _md_attempts(q, tries, report.session.id)
    if q.better_answer:
        lines += [f"A stronger answer: {_md(q.better_answer)}", ""]
    lines += [f"Model answer direction: {_md(q.model_answer)}", ""]
    lines += [f"> Note: {_md(n)}" for n in q.notes] + ([""] if q.notes else [])
    return lines


def _md_attempts(q: QuestionCritique, tries: list[Attempt], this_id: str) -> list[str]:
    def row(first: object, cells: list) -> str:
        return f"| {_cell(first)} | " + " | ".join(_cell(c) for c in cells) + " |"

    dates = [a.started[:10] + (" (this one)" if a.session_id == this_id else "") for a in tries]
    lines = [row("Rubric point", dates), "| --- |" + " --- |" * len(tries)]
    lines.append(row("Score", [str(a.score) for a in tries]))
    lines += [row(p.id, [a.points.get(p.id, "") for a in tries]) for p in q.points]
    return lines + [""]
