"""How well an interviewer grades: its verdicts on labelled answers against the labels.

The labelled answers live in tests/data/coaching/ (see the README there). The benchmark
`benchmarks/coaching_accuracy.py` prints these figures and the tests hold them above a floor.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from audio.stt import Transcript
from simulator.core.contracts import Exchange, Interviewer, QuestionRecord
from simulator.core.critique import QuestionCritique
from simulator.core.questions import Bank
from simulator.interviewers.rubric import assess
from simulator.language.concepts import split_sentences

# The five kinds the grader was first built for, then kinds it never saw while it was built:
# strong answers in other shapes, plans without a single detail, points done the opposite way
# without a negation word, a good answer to another question, a story told only with "we".
KINDS = ("strong-plain", "strong-story", "partial", "vague", "rambling")
NEW_KINDS = ("terse", "spoken", "spread", "plain-bare", "opposite", "other-question", "we-story")
STRONG = ("strong-plain", "strong-story")
STRONG_FORMS = (*STRONG, "terse", "spoken", "spread", "plain-bare")
LEVEL = {"missed": 0, "partial": 1, "covered": 2}


@dataclass(frozen=True)
class Labelled:
    question_id: str
    kind: str
    text: str
    labels: dict[str, str]  # rubric point id -> "covered", "partial" or "missed"
    vague: bool
    author: str = ""


def load_labelled(path: Path, bank: Bank) -> list[Labelled]:
    with open(path, "rb") as f:
        data = tomllib.load(f)
    out = []
    for i, a in enumerate(data["answers"]):
        q = bank.get(a["question"])
        if (set(a["labels"]) != {p.id for p in q.rubric} or a["kind"] not in KINDS + NEW_KINDS
                or not set(a["labels"].values()) <= set(LEVEL)):
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

    @property
    def label_score(self) -> float:
        """The score the labels give, weighted as the critique's own."""
        points = self.critique.points
        total = sum(p.weight for p in points)
        return 100 * sum(p.weight * LEVEL[self.answer.labels[p.id]] / 2 for p in points) / total


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
    qwk: float = 0.0  # quadratic weighted kappa over covered, partial, missed
    exact: float = 0.0  # share of points given the labels' own level
    false_praise: float = 0.0  # share of points labelled missed that were graded covered
    correlation: float = 0.0  # of answer scores with the labels' scores
    mae: float = 0.0  # mean absolute difference of answer score and labels' score
    label_mean: dict[str, float] = field(default_factory=dict)  # the labels' score per kind


def qwk(truth: list[int], got: list[int], levels: int = 3) -> float:
    """Quadratic weighted kappa: agreement on an ordered scale, beyond chance."""
    if not truth:
        return 0.0
    observed = [[0.0] * levels for _ in range(levels)]
    for t, g in zip(truth, got, strict=True):
        observed[t][g] += 1
    n = len(truth)
    rows = [sum(r) for r in observed]
    cols = [sum(observed[i][j] for i in range(levels)) for j in range(levels)]
    num = den = 0.0
    for i in range(levels):
        for j in range(levels):
            w = (i - j) ** 2 / (levels - 1) ** 2
            num += w * observed[i][j]
            den += w * rows[i] * cols[j] / n
    return 1.0 - num / den if den else 1.0


def _pearson(xs: list[float], ys: list[float]) -> float:
    n = len(xs)
    if n < 2:
        return 0.0
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sx = sum((x - mx) ** 2 for x in xs) ** 0.5
    sy = sum((y - my) ** 2 for y in ys) ** 0.5
    return sxy / (sx * sy) if sx and sy else 0.0


def kind_scores(graded: list[Graded]) -> dict[str, float]:
    """The mean score of each kind of answer present."""
    out: dict[str, float] = {}
    for kind in KINDS + NEW_KINDS:
        scores = [g.critique.score for g in graded if g.answer.kind == kind]
        if scores:
            out[kind] = sum(scores) / len(scores)
    return out


def report(graded: list[Graded]) -> Report:
    r = Report()
    tp = fp = fn = 0
    truth_levels: list[int] = []
    got_levels: list[int] = []
    praised = missed_total = 0
    for kind in KINDS + NEW_KINDS:
        of_kind = [g for g in graded if g.answer.kind == kind]
        points = [c for g in of_kind for c in g.credited.values()]
        r.credited_share[kind] = sum(points) / len(points) if points else 0.0
        r.mean_score[kind] = (sum(g.critique.score for g in of_kind) / len(of_kind)
                              if of_kind else 0.0)
        r.label_mean[kind] = (sum(g.label_score for g in of_kind) / len(of_kind)
                              if of_kind else 0.0)
    for g in graded:
        for p in g.critique.points:
            label = g.answer.labels[p.id]
            truth_levels.append(LEVEL[label])
            got_levels.append(LEVEL[p.status])
            missed_total += label == "missed"
            praised += label == "missed" and p.status == "covered"
            truth = label != "missed"
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
    r.qwk = qwk(truth_levels, got_levels)
    r.exact = (sum(t == g for t, g in zip(truth_levels, got_levels, strict=True))
               / len(truth_levels) if truth_levels else 0.0)
    r.false_praise = praised / missed_total if missed_total else 0.0
    scores = [float(g.critique.score) for g in graded]
    labels = [g.label_score for g in graded]
    r.correlation = _pearson(scores, labels)
    r.mae = sum(abs(a - b) for a, b in zip(scores, labels, strict=True)) / len(graded) \
        if graded else 0.0
    for qid in dict.fromkeys(g.answer.question_id for g in graded):
        scores = kind_scores([g for g in graded if g.answer.question_id == qid])
        strong = [scores[k] for k in STRONG if k in scores]
        if not strong:  # a file of the new kinds only: order by what its labels give
            continue
        worst = max(scores.get("vague", 0.0), scores.get("rambling", 0.0))
        r.ordered[qid] = bool(strong) and min(strong) > scores.get("partial", 0.0) > worst
    # Whether an off-topic story is "vague" is a matter of taste, so rambling is not judged.
    judged = [g for g in graded
              if g.critique.specificity is not None and g.answer.kind != "rambling"]
    if judged:
        right = sum(g.critique.specificity.vague == g.answer.vague for g in judged)
        r.vague_accuracy = right / len(judged)
    return r


@dataclass(frozen=True)
class Marked:
    """A rightly credited point of a tuning answer, with the sentences a reader marked as
    showing it best (each alone), or the adjacent pair that shows it together."""

    question_id: str
    point_id: str
    answer: str
    best: tuple[str, ...]
    pair: str | None


def load_marked(path: Path) -> list[Marked]:
    return [Marked(m["qid"], m["pid"], m["answer"], tuple(m["best_text"]), m.get("pair_text"))
            for m in json.loads(path.read_text(encoding="utf-8"))]


@dataclass
class QuoteReport:
    points: int = 0  # marked points the grader credited
    right: int = 0  # ...whose quote is a marked sentence or the marked pair
    opener: int = 0  # ...whose quote is the answer's first sentence, unmarked
    shared: int = 0  # ...whose quote is another point's quote too

    @property
    def share(self) -> float:
        return self.right / self.points if self.points else 0.0


def quote_report(marked: Iterable[Marked], bank: Bank) -> QuoteReport:
    """How the grader's quotes fall against marked evidence."""
    r = QuoteReport()
    for m in marked:
        points = assess(bank.get(m.question_id), m.answer)
        quote = next(p.evidence for p in points if p.id == m.point_id)
        if quote is None:
            continue
        r.points += 1
        good = [*m.best, *([m.pair] if m.pair else [])]
        # A marked sentence alone, or within a pair whose other half is marked too.
        r.right += quote in good or any(quote == f"{a} {b}" for a in good for b in good)
        sentences = split_sentences(m.answer)
        r.opener += bool(sentences) and quote.startswith(sentences[0].text) \
            and sentences[0].text not in good
        r.shared += any(p.evidence == quote for p in points if p.id != m.point_id)
    return r
