"""The bank questions that fit a job description best, by the words they share with it.

Used when no LLM can write questions for the job. Both sides are reduced to content words:
one spelling per word (`spellings`), common words and the boilerplate of job adverts left
out, inflections folded together (`stem`: "payments", "payment"). A question is scored by
the description's words it contains, each counting:

- by where the question has it: 3 in the question's text, 2 in its category title or in
  what a strong answer does (the rubric's `strong` lines), 1 in its model answer;
- less when many questions have it (inverse document frequency over the questions
  scored): "users" tells little, "rollout" a lot;
- more when the description says it often, though slowly (1 + log of the count), so that a
  word repeated ten times does not outweigh the rest.

The sum is divided by the square root of the question's number of distinct words, so that a
question with a long model answer does not win by length alone.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from simulator.core.questions import Question
from simulator.language.matching import STOPWORDS, stem
from simulator.language.words import spellings

# Where a question holds a word, and what that counts for (see the module docstring).
FIELD_WEIGHTS = {"text": 3.0, "category": 2.0, "strong": 2.0, "model_answer": 1.0}
# Words every job advert uses, which say nothing about the questions that fit the job
# (spelt as `spelling` leaves them: no apostrophes).
ADVERT_WORDS = frozenset({
    "ability", "able", "about", "across", "also", "apply", "based", "benefits", "bonus",
    "candidate", "candidates", "company", "day", "days", "demonstrated", "desired", "drive",
    "driving", "environment", "equal", "etc", "excellent", "experience", "experienced",
    "familiarity", "great", "handle", "help", "highly", "ideal", "including", "job", "join",
    "junior", "looking", "love", "manager", "managers", "must", "new", "nice", "one",
    "opportunity", "our", "own", "owning", "per", "plus", "pm", "pms", "position", "preferred",
    "principal", "product", "products", "proven", "qualifications", "related", "requirements",
    "responsibilities", "responsible", "role", "run", "salary", "senior", "skill", "skills",
    "staff", "strong", "such", "team", "teams", "their", "things", "using", "via", "want", "were",
    "whats", "who", "whose", "will", "within", "work", "working", "world", "year", "years",
    "youll", "your", "youre", "yourself"
})
MIN_WORD = 3  # letters; shorter words ("ux" aside) are mostly noise after stemming
KEPT_SHORT = frozenset({"ux", "ui", "ai", "ml", "qa", "b2b", "b2c", "api", "sql"})


def _words(text: str) -> list[tuple[str, str]]:
    """The words of `text` that say what it is about, each with its stem."""
    out = []
    for word in spellings(text.replace("/", " ").replace("-", " ")):
        word = word.strip("%")
        if word in STOPWORDS or word in ADVERT_WORDS or word.isdigit():
            continue
        if len(word) < MIN_WORD and word not in KEPT_SHORT:
            continue
        out.append((word, stem(word)))
    return out


def content_words(text: str) -> list[str]:
    """The stems of the words in `text` that say what it is about."""
    return [s for _, s in _words(text)]


@dataclass(frozen=True)
class Fit:
    question: Question
    score: float
    shared: tuple[str, ...]  # the description's words it holds (as written there), most
    # telling first


def _fields(q: Question) -> dict[str, str]:
    return {"text": q.text, "category": q.category_title or q.category,
            "strong": " ".join(p.strong for p in q.rubric), "model_answer": q.model_answer}


def _weights(q: Question) -> dict[str, float]:
    """Each of the question's words, with the weight of the best place it appears in."""
    best: dict[str, float] = {}
    for field, text in _fields(q).items():
        for word in content_words(text):
            best[word] = max(best.get(word, 0.0), FIELD_WEIGHTS[field])
    return best


def rank(questions: list[Question], description: str) -> list[Fit]:
    """Every question with its fit to `description`, best first; ties keep bank order."""
    said = _words(description)
    wanted = Counter(s for _, s in said)
    written: dict[str, str] = {}
    for word, s in said:
        written.setdefault(s, word)
    weights = [_weights(q) for q in questions]
    held = Counter(word for w in weights for word in w)
    n = len(questions)
    fits = []
    for q, w in zip(questions, weights, strict=True):
        found = {}
        for word in wanted.keys() & w.keys():
            idf = math.log(1 + n / held[word])
            found[word] = w[word] * idf * (1 + math.log(wanted[word]))
        score = sum(found.values()) / math.sqrt(len(w) or 1)
        shared = tuple(written[s] for s in sorted(found, key=lambda s: (-found[s], s)))
        fits.append(Fit(q, score, shared))
    order = sorted(range(n), key=lambda i: -fits[i].score)  # stable: ties keep bank order
    return [fits[i] for i in order]


def best_fit(questions: list[Question], description: str, count: int) -> list[Fit]:
    """The `count` questions that fit best; only those that share a word with it."""
    return [f for f in rank(questions, description)[:count] if f.score > 0]
