"""The offline interviewer: deterministic rubric matching, no model and no network."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.critique import Critique, PointResult, QuestionCritique, Status, weighted_score
from simulator.interviewers import FollowUp, MoveOn, QuestionRecord
from simulator.matching import Sentence, match_cues, sentences
from simulator.questions import Question

# Cue strength needed for each status: two distinct cues (or one cue plus most of a long
# one) show a point; a single cue is a mention, not a treatment.
COVERED_AT = 2.0
PARTIAL_AT = 1.0


def assess(question: Question, answer: str) -> list[PointResult]:
    sents = [Sentence.of(s) for s in sentences(answer)]
    results = []
    for point in question.rubric:
        match = match_cues(point.cues, sents)
        status: Status = (
            "covered" if match.strength >= COVERED_AT
            else "partial" if match.strength >= PARTIAL_AT
            else "missed"
        )
        evidence = match.evidence if status != "missed" else None
        results.append(PointResult(point.id, point.strong, status, evidence, point.weight))
    return results


def critique_question(record: QuestionRecord) -> QuestionCritique:
    q = record.question
    answer = record.answer_text
    points = assess(q, answer)
    return QuestionCritique(
        question_id=q.id,
        category=q.category,
        question=q.text,
        score=weighted_score(points),
        points=points,
        strengths=[p.strong for p in points if p.status == "covered"],
        to_add=[
            ("Go further: " if p.status == "partial" else "") + p.strong
            for p in sorted(points, key=lambda p: -p.weight)
            if p.status != "covered"
        ],
        model_answer=q.model_answer,
        answered=bool(answer),
    )


def summarize(interviewer: str, questions: list[QuestionCritique]) -> Critique:
    """Session-wide score and advice from the per-question critiques."""
    overall = round(sum(q.score for q in questions) / len(questions)) if questions else 0
    strengths = [s for q in sorted(questions, key=lambda q: -q.score) for s in q.strengths][:4]
    gaps = sorted(
        ((p, q) for q in questions for p in q.points if p.status != "covered"),
        key=lambda pq: (pq[0].status == "partial", -pq[0].weight),
    )
    to_add = [f"{q.question_id}: {p.strong}" for p, q in gaps[:6]]
    practice = []
    for p, _q in gaps:
        if p.strong not in practice:
            practice.append(p.strong)
        if len(practice) == 3:
            break
    return Critique(interviewer, overall, questions, strengths, to_add, practice)


@dataclass
class RubricInterviewer:
    name: str = "rubric"

    def next_turn(self, record: QuestionRecord) -> FollowUp | MoveOn:
        last = record.exchanges[-1] if record.exchanges else None
        if last is None or last.transcript is None or not last.transcript.text.strip():
            return MoveOn("no answer to follow up on")
        missed = [
            p for p in assess(record.question, record.answer_text)
            if p.status == "missed" and p.id not in record.probed
        ]
        if not missed:
            return MoveOn("the answer covers the rubric")
        top = max(missed, key=lambda p: p.weight)  # max() keeps bank order among equals
        return FollowUp(record.question.point(top.id).probe, top.id)

    def critique(self, records: list[QuestionRecord]) -> Critique:
        return summarize(self.name, [critique_question(r) for r in records])
