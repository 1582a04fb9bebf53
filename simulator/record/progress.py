"""Progress across sessions: attempts at each question, scores by category and rubric point,
and which categories are weakest."""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.core.questions import Bank, Question
from simulator.record.session import SessionRecord


@dataclass
class Attempt:
    session_id: str
    started: str
    question_id: str
    category: str
    score: int
    points: dict[str, str] = field(default_factory=dict)  # rubric point -> status


def attempts(records: list[SessionRecord]) -> list[Attempt]:
    """Every graded answer in finished sessions, oldest first."""
    found = []
    for r in sorted(records, key=lambda r: r.started):
        critique = r.critique
        if not critique:
            continue
        for q in critique.get("questions", []):
            if not q.get("answered", True):
                continue
            found.append(Attempt(r.id, r.started, q["question_id"], q.get("category", ""),
                                 int(q.get("score", 0)),
                                 {p["id"]: p["status"] for p in q.get("points", [])}))
    return found


def by_category(found: list[Attempt]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for a in found:
        out.setdefault(a.category, []).append(a.score)
    return out


def by_point(found: list[Attempt]) -> dict[str, list[str]]:
    """'question/point' -> its status at each attempt, oldest first."""
    out: dict[str, list[str]] = {}
    for a in found:
        for pid, status in a.points.items():
            out.setdefault(f"{a.question_id}/{pid}", []).append(status)
    return out


def weakest_first(bank: Bank, found: list[Attempt]) -> list[Question]:
    """Questions ordered for practice: categories never tried, then the lowest-scoring
    categories (by their latest three scores); within one, the least practised question."""
    scores = by_category(found)
    tried = {a.question_id: 0 for a in found}
    for a in found:
        tried[a.question_id] += 1

    def category_rank(category: str) -> tuple[int, float]:
        recent = scores.get(category, [])[-3:]
        return (1, sum(recent) / len(recent)) if recent else (0, 0.0)

    # Only the bank being practised (the default one, or the ones --bank names).
    pool = bank.select()
    order = sorted(dict.fromkeys(q.category for q in pool), key=category_rank)
    picked: list[Question] = []
    for category in order:
        questions = [q for q in pool if q.category == category]
        picked += sorted(questions, key=lambda q: tried.get(q.id, 0))
    return picked
