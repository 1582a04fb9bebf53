"""What `mock-interview check-bank` says of a bank: points too thin to grade, example sentences
that read like another point, and terms that match almost any sentence.

Everyday sentences to test terms against are the bundled banks' example sentences: what
candidates say about many different points. A term that matches a large share of them says
nothing about any one point.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from simulator.core.questions import Question, RubricPoint, builtin_banks
from simulator.interviewers.point_model import point_texts
from simulator.language.concepts import Term, tokens
from simulator.language.embedding import Encoder
from simulator.language.matching import STOPWORDS

MIN_EXAMPLES = 3
# A term matching more than this share of everyday answer sentences matches almost anything.
TOO_COMMON = 0.25
# An example is confusable when it is this much closer, on average, to another point's
# sentences than to its own point's.
CONFUSABLE_MARGIN = 0.10


@dataclass(frozen=True)
class Problem:
    question: str
    point: str
    says: str


@lru_cache(maxsize=1)
def _everyday() -> tuple[list[str], ...]:
    return tuple(tokens(e) for q in builtin_banks() for p in q.rubric for e in p.examples)


def _common_terms(point: RubricPoint) -> list[tuple[str, float]]:
    corpus = _everyday()
    if not corpus:
        return []
    out = []
    terms = [*point.action, *(t for _, ts in point.concepts for t in ts)]
    for text in dict.fromkeys(terms):
        term = Term.of(text)
        share = sum(bool(term.find(list(toks))) for toks in corpus) / len(corpus)
        if share > TOO_COMMON:
            out.append((text, share))
    return out


def function_word_terms(text: str) -> list[tuple[str, str, str]]:
    """(question, point, term) for every term that is a bare function word: the loader leaves
    them out, and the author should know."""
    data = tomllib.loads(text)
    found = []
    for q in data.get("questions", []):
        for p in q.get("rubric", []) if isinstance(q, dict) else []:
            if not isinstance(p, dict):
                continue
            lists = [p.get("action", []), p.get("contrary", []),
                     *(p.get("concepts", {}) or {}).values()]
            for terms in lists:
                for t in terms if isinstance(terms, list) else []:
                    if isinstance(t, str) and t.strip().lower() in STOPWORDS:
                        found.append((str(q.get("id")), str(p.get("id")), t))
    return found


def check(questions: list[Question], encoder: Encoder | None) -> list[Problem]:
    problems: list[Problem] = []
    for q in questions:
        for point in q.rubric:
            found: list[str] = []
            if len(point.examples) < MIN_EXAMPLES:
                found.append(f"{len(point.examples)} example sentences: write {MIN_EXAMPLES} "
                             "that a candidate might say doing it, in different words")
            if not point.action and not point.cues and not point.examples:
                found.append("nothing to grade it by: add examples (and terms)")
            found += [f"term {term!r} matches {share:.0%} of everyday answer sentences: it "
                      "says nothing about this point" for term, share in _common_terms(point)]
            problems += [Problem(q.id, point.id, text) for text in found]
        if encoder is not None:
            problems += _confusable(q, encoder)
    return problems


def _confusable(q: Question, encoder: Encoder) -> list[Problem]:
    """Examples that read more like another point of the question than their own."""
    refs = [encoder.encode(point_texts(p)) for p in q.rubric]
    out = []
    for k, point in enumerate(q.rubric):
        for i, example in enumerate(point.examples):
            vec = refs[k][i + 1]
            own = float((np.delete(refs[k], i + 1, axis=0) @ vec).mean())
            best_other, other_id = max(
                ((float((refs[j] @ vec).mean()), p.id) for j, p in enumerate(q.rubric) if j != k),
                default=(-1.0, ""))
            if best_other > own + CONFUSABLE_MARGIN:
                out.append(Problem(q.id, point.id,
                                   f"example {i + 1} reads more like point {other_id!r}: "
                                   f"\"{example[:60]}\""))
    return out
