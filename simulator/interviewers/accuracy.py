"""How well an interviewer grades: its verdicts on labelled answers against the labels.

The labelled answers live in tests/data/coaching/ (see the README there). The benchmark
`benchmarks/coaching_accuracy.py` prints these figures and the tests hold them above a floor.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from audio.stt import Transcript
from simulator.core.contracts import Exchange, Interviewer, QuestionRecord
from simulator.core.critique import QuestionCritique
from simulator.core.questions import Bank

KINDS = ("strong-plain", "strong-story", "partial", "vague", "rambling")
STRONG = ("strong-plain", "strong-story")


@dataclass(frozen=True)
class Labelled:
    question_id: str
    kind: str
    text: str
    labels: dict[str, str]  # rubric point id -> "covered" or "missed"
    vague: bool
    author: str = ""


def load_labelled(path: Path, bank: Bank) -> list[Labelled]:
    with open(path, "rb") as f:
        data = tomllib.load(f)
    out = []
    for i, a in enumerate(data["answers"]):
        q = bank.get(a["question"])
        if set(a["labels"]) != {p.id for p in q.rubric} or a["kind"] not in KINDS:
            raise ValueError(f"{path}: answers[{i}] does not label every point of {q.id}")
        out.append(Labelled(q.id, a["kind"], a["text"], dict(a["labels"]),
                            bool(a.get("vague", False)), a.get("author", "")))
    return out


@dataclass(frozen=True)
class Graded:
    answer: Labelled
    critique: QuestionCritique

    @property
    def credited(self) -> dict[str, bool]:
        return {p.id: p.status != "missed" for p in self.critique.points}


def grade_all(interviewer: Interviewer, bank: Bank, answers: Iterable[Labelled],
              transcript_of: Callable[[Labelled], Transcript] | None = None) -> list[Graded]:
    out = []
    for a in answers:
        q = bank.get(a.question_id)
        transcript = transcript_of(a) if transcript_of else Transcript(a.text)
        record = QuestionRecord(q, [Exchange(q.text, "question", transcript)])
        out.append(Graded(a, interviewer.grade(record).critique))
    return out


@dataclass
class Report:
    """The figures the issue asks for, from one set of graded answers."""

    credited_share: dict[str, float] = field(default_factory=dict)  # per kind
    mean_score: dict[str, float] = field(default_factory=dict)  # per kind
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    ordered: dict[str, bool] = field(default_factory=dict)  # question id -> ordering holds
    false_credit: list[tuple[Graded, str, str]] = field(default_factory=list)  # point, evidence
    missed_credit: list[tuple[Graded, str]] = field(default_factory=list)
    vague_accuracy: float = 0.0  # the "your answer is vague" verdict against the labels


def kind_scores(graded: list[Graded]) -> dict[str, float]:
    """The mean score of each kind of answer present."""
    out: dict[str, float] = {}
    for kind in KINDS:
        scores = [g.critique.score for g in graded if g.answer.kind == kind]
        if scores:
            out[kind] = sum(scores) / len(scores)
    return out


def report(graded: list[Graded]) -> Report:
    r = Report()
    tp = fp = fn = 0
    for kind in KINDS:
        of_kind = [g for g in graded if g.answer.kind == kind]
        points = [c for g in of_kind for c in g.credited.values()]
        r.credited_share[kind] = sum(points) / len(points) if points else 0.0
        r.mean_score[kind] = (sum(g.critique.score for g in of_kind) / len(of_kind)
                              if of_kind else 0.0)
    for g in graded:
        for p in g.critique.points:
            truth = g.answer.labels[p.id] == "covered"
            got = p.status != "missed"
            tp += truth and got
            fp += got and not truth
            fn += truth and not got
            if got and not truth:
                r.false_credit.append((g, p.id, p.evidence or ""))
            if truth and not got:
                r.missed_credit.append((g, p.id))
    r.precision = tp / (tp + fp) if tp + fp else 1.0
    r.recall = tp / (tp + fn) if tp + fn else 1.0
    r.f1 = (2 * r.precision * r.recall / (r.precision + r.recall)
            if r.precision + r.recall else 0.0)
    for qid in dict.fromkeys(g.answer.question_id for g in graded):
        scores = kind_scores([g for g in graded if g.answer.question_id == qid])
        strong = [scores[k] for k in STRONG if k in scores]
        worst = max(scores.get("vague", 0.0), scores.get("rambling", 0.0))
        r.ordered[qid] = bool(strong) and min(strong) > scores.get("partial", 0.0) > worst
    # Whether an off-topic story is "vague" is a matter of taste, so rambling is not judged.
    judged = [g for g in graded
              if g.critique.specificity is not None and g.answer.kind != "rambling"]
    if judged:
        right = sum(g.critique.specificity.vague == g.answer.vague for g in judged)
        r.vague_accuracy = right / len(judged)
    return r
