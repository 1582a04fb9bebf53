"""The offline interviewer: deterministic rubric matching, no model and no network.

Points written with an action and concepts (bank schema 2) are judged by
`simulator.language.concepts`: credit for what the answer does. Points with cues only (schema 1
banks) keep the older phrase matching.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from simulator.core.contracts import Cancel, FollowUp, MoveOn, QuestionGrade, QuestionRecord
from simulator.core.critique import Critique, PointResult, QuestionCritique, Status, weighted_score
from simulator.core.questions import Question, RubricPoint
from simulator.language.concepts import ConceptPoint, split_sentences
from simulator.language.matching import Sentence, match_cues, sentences
from simulator.language.specificity import Specificity, has_detail
from simulator.language.specificity import measure as measure_specificity
from simulator.language.star import Star
from simulator.language.star import for_answer as star_for_answer
from simulator.language.topic import about_work

# Cue strength needed for each status: two distinct cues (or one cue plus most of a long
# one) show a point; a single cue is a mention, not a treatment.
COVERED_AT = 2.0
PARTIAL_AT = 1.0


# What every offline critique says about itself: it is a guess from phrases, not a verdict.
OFFLINE_CAVEAT = ("Graded offline by matching what you said against phrases for each rubric "
                  "point, not by understanding it: check the evidence quoted for each point.")


@lru_cache(maxsize=512)
def _concept_point(point: RubricPoint) -> ConceptPoint:
    return ConceptPoint.of(point.action, point.concepts, point.contrary)


# An answer with fewer concrete details than this per 100 words (about none at all) is talking
# in generalities: a point it makes without a detail is thin, so covered counts as partial and
# partial as missed. Tuned on the tuning answers in tests/data/coaching/. A sentence or two is
# too short to judge so.
GENERIC_ANSWER_DETAILS = 0.5
GENERIC_ANSWER_MIN_WORDS = 50
NOT_ABOUT_WORK = ("the story does not seem to be about your work: tell one from your job, "
                  "with the product, the people and the company in it")
NOT_ONE_EVENT = {
    "hypothetical": "told as what you would do: tell what you did, the one time it happened",
    "generalisation": "told as what you usually do: tell what you did, the one time it happened",
}
GENERAL_TERMS_ONLY = ("said only in general terms: give a concrete detail (a name, a number, "
                      "a date, an example)")


def assess(question: Question, answer: str, spec: Specificity | None = None,
           story: Star | None = None) -> list[PointResult]:
    """Every rubric point's status; `spec` is the answer's specificity and `story` its STAR
    reading (story questions only), if already measured."""
    # Each matcher reads the answer its own way; read it only for the points that need it.
    concept_sents = split_sentences(answer) if any(p.action for p in question.rubric) else []
    cue_sents = ([Sentence.of(s) for s in sentences(answer)]
                 if not all(p.action for p in question.rubric) else [])
    spec = spec or measure_specificity(answer)
    generic = spec.words >= GENERIC_ANSWER_MIN_WORDS and spec.per_100_words < GENERIC_ANSWER_DETAILS
    # A story question asks about the candidate's work: the same deeds in a story about
    # something else earn nothing.
    elsewhere = (question.kind == "story" and spec.words >= GENERIC_ANSWER_MIN_WORDS
                 and not about_work(answer))
    # ...and about one time it happened: what the candidate would do, or usually does, is a
    # plan, worth half at most.
    story = story or star_for_answer(question.kind, answer)
    not_told = story.event if story is not None else "specific"
    results = []
    for point in question.rubric:
        if point.action:
            found = _concept_point(point).judge(concept_sents)
            if elsewhere and found.status != "missed":
                found = replace(found, status="missed", unsure=NOT_ABOUT_WORK)
            elif not_told != "specific" and found.status == "covered":
                found = replace(found, status="partial", unsure=NOT_ONE_EVENT[not_told])
            if generic and found.status != "missed" and not has_detail(found.evidence or ""):
                # Plain but bare, the point is thin (partial); amid platitudes, it is a mention.
                thinner = "partial" if found.status == "covered" and not spec.platitudes \
                    else "missed"
                found = replace(found, unsure=GENERAL_TERMS_ONLY, status=thinner)
            results.append(PointResult(point.id, point.strong, found.status,  # type: ignore[arg-type]
                                       found.evidence, point.weight, list(found.missing),
                                       found.unsure))
            continue
        match = match_cues(point.cues, cue_sents)
        status: Status = (
            "covered" if match.strength >= COVERED_AT
            else "partial" if match.strength >= PARTIAL_AT
            else "missed"
        )
        evidence = match.evidence if status != "missed" else None
        unsure = "one phrase matched, which may be a mention only" if status == "partial" else None
        results.append(PointResult(point.id, point.strong, status, evidence, point.weight,
                                   unsure=unsure))
    return results


def _least_sure(points: list[PointResult]) -> str | None:
    unsure = [p for p in points if p.unsure]
    if not unsure:
        return None
    named = "; ".join(f"{p.id} ({p.status}: {p.unsure})" for p in unsure[:3])
    return f"Least sure of: {named}."


def critique_question(record: QuestionRecord) -> QuestionCritique:
    q = record.question
    answer = record.answer_text
    spec = measure_specificity(answer) if answer else None
    story = star_for_answer(q.kind, answer or "")
    points = assess(q, answer, spec, story)
    notes = [OFFLINE_CAVEAT] if answer else []
    least_sure = _least_sure(points) if answer else None
    if least_sure:
        notes.append(least_sure)
    return QuestionCritique(
        question_id=q.id,
        category=q.category,
        question=q.text,
        score=weighted_score(points),
        points=points,
        strengths=[p.strong for p in points if p.status == "covered"],
        to_add=[_advice(p) for p in sorted(points, key=lambda p: -p.weight)
                if p.status != "covered"],
        model_answer=q.model_answer,
        answered=bool(answer),
        notes=notes,
        specificity=spec,
        star=story,
    )


def _advice(p: PointResult) -> str:
    if p.status != "partial":
        return p.strong
    if p.missing:
        return f"Go further: {p.strong} (say {' and '.join(p.missing)})"
    return f"Go further: {p.strong}"


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
    remote: bool = False

    def next_turn(self, record: QuestionRecord, cancel: Cancel | None = None
                  ) -> FollowUp | MoveOn:
        last = record.exchanges[-1] if record.exchanges else None
        if last is None or last.transcript is None or not last.transcript.text.strip():
            return MoveOn("no answer to follow up on")
        # A point the candidate made in general terms was made: asking for it again would
        # sound as if nobody listened. The critique asks for the detail instead.
        missed = [
            p for p in assess(record.question, record.answer_text)
            if p.status == "missed" and p.id not in record.probed
            and p.unsure != GENERAL_TERMS_ONLY
        ]
        if not missed:
            return MoveOn("the answer covers the rubric")
        top = max(missed, key=lambda p: p.weight)  # max() keeps bank order among equals
        return FollowUp(record.question.point(top.id).probe, top.id)

    def grade(self, record: QuestionRecord) -> QuestionGrade:
        return QuestionGrade(critique_question(record))

    def summarize(self, grades: list[QuestionGrade]) -> Critique:
        return summarize(self.name, [g.critique for g in grades])
