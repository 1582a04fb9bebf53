"""The critique: one data model, whichever interviewer wrote it. Reports read only this."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Literal

from simulator.language.specificity import Specificity
from simulator.language.star import Star

Status = Literal["covered", "partial", "missed"]
STATUS_CREDIT: dict[str, float] = {"covered": 1.0, "partial": 0.5, "missed": 0.0}


@dataclass
class PointResult:
    id: str
    strong: str  # what a strong answer does for this point
    status: Status
    evidence: str | None  # the transcript sentence that shows it
    weight: float = 1.0
    missing: list[str] = field(default_factory=list)  # what a partial treatment left out
    unsure: str | None = None  # why the grader may be wrong here, when it may be


@dataclass
class QuestionCritique:
    question_id: str
    category: str
    question: str
    score: int  # 0-100
    points: list[PointResult]
    strengths: list[str]
    to_add: list[str]
    model_answer: str
    answered: bool = True
    better_answer: str = ""  # a sketch of a stronger answer, where the interviewer wrote one
    notes: list[str] = field(default_factory=list)  # e.g. quotes dropped, fallbacks taken
    specificity: Specificity | None = None  # concrete details against platitudes
    star: Star | None = None  # situation, task, action, result: for story questions only


@dataclass
class Critique:
    interviewer: str
    overall_score: int  # 0-100
    questions: list[QuestionCritique]
    strengths: list[str] = field(default_factory=list)
    to_add: list[str] = field(default_factory=list)
    practice_next: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Critique:
        """A critique as logged. The log's checks let through keys we do not know (a newer
        version's) and leave out `category` (an older one's): neither may break a report."""
        questions = [
            QuestionCritique(**{
                **_known(QuestionCritique, q),
                "category": q.get("category", ""),
                "points": [PointResult(**_known(PointResult, p)) for p in q.get("points", [])],
                "specificity": (Specificity.from_dict(q["specificity"])
                                if isinstance(q.get("specificity"), dict) else None),
                "star": Star.from_dict(q["star"]) if isinstance(q.get("star"), dict) else None,
            })
            for q in data.get("questions", [])
        ]
        return cls(**{**_known(cls, data), "questions": questions})


def _known(cls: type, data: dict) -> dict:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def weighted_score(points: list[PointResult]) -> int:
    total = sum(p.weight for p in points)
    if not total:
        return 0
    return round(100 * sum(p.weight * STATUS_CREDIT[p.status] for p in points) / total)
