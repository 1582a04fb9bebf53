"""Whether an answer does a rubric point: signals from terms and from sentence meaning, weighed
by a small trained model.

Term lists grade their authors' words, and sentence similarity alone ranks a fluent platitude
above a plain plan. Each is one signal here. For every point the answer is read in windows of
one sentence and of two adjacent sentences; the window most like the point's description and
example sentences is its candidate evidence. From it and from the whole answer come a few
signals that mean the same in any bank: how close the window is to the point, whether it is
closer to another point of the same question or to the point's opposite, how well the answer
fits the question at all, what the concept rules found and how rich the term lists behind them
are, whether they found a negation or a contrary action, whether someone does something with
a concrete detail, and whether the answer leans on platitudes. A logistic model, trained only on the
execution bank's tuning answers (`benchmarks/train_point_model.py`), turns them into a
probability, and two thresholds into covered, partial or missed. Its coefficients ship as
`point_model.json`.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from simulator.core.questions import Question, RubricPoint
from simulator.language.concepts import Sentence
from simulator.language.embedding import Encoder
from simulator.language.specificity import EMPTY, has_detail

FEATURES = (
    "similarity",       # the best window's closeness to the point's description and examples
    "own_margin",       # ...minus its closeness to the question's other points
    "fit",              # how much of the answer is about the question's points at all
    "topic",            # the answer's closeness to the question itself
    "opposite",         # the best window's closeness to the point's opposite, minus to itself
    "terms_rich",       # what the concept rules found (share of concepts beside a live
    "terms_thin",       # action), for a point with a rich term list and with a thin one
    "terms_whole",      # ...and whether they found all of it, in a rich list
    "richness",         # how rich: a thin list's silence says little
    "negated",          # the action was only found negated or said to matter
    "contrary",         # a contrary action was said
    "detail",           # the best window has a concrete detail
    "agent",            # the best window has someone doing something: "I'd", "we", "First:"
    "platitudes",       # share of the answer's sentences that are platitudes
)
# Terms in one list (the action, or one concept) at which it counts as rich. A point's
# matching is as narrow as its thinnest list.
RICH_LIST = 25
# A pair of sentences is quoted only when it shows the point clearly better than either alone.
PAIR_BONUS = 0.03
# The quote is the window that shows the point best: closest to it, and more so than to the
# question's other points (a topic-setting sentence is close to every point), where the term
# rules found the action, and not the answer's opening sentence, which usually sets the scene.
# Tuned on evidence sentences marked in tuning answers (benchmarks/quote_accuracy.py).
QUOTE_OWN = 1.0
QUOTE_TERMS = 0.2
QUOTE_OPENER = 0.1
QUOTE_PAIR = 0.1  # a pair must beat each sentence alone by this much to be quoted
MODEL_FILE = "point_model.json"


@dataclass(frozen=True)
class Model:
    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    covered_at: float
    partial_at: float

    def probability(self, x: np.ndarray) -> float:
        z = (x - np.array(self.mean)) / np.array(self.scale)
        return 1.0 / (1.0 + math.exp(-(float(z @ np.array(self.weights)) + self.bias)))

    def status(self, p: float) -> str:
        return "covered" if p >= self.covered_at else "partial" if p >= self.partial_at \
            else "missed"

    def to_dict(self) -> dict:
        return {"features": list(FEATURES), "weights": list(self.weights), "bias": self.bias,
                "mean": list(self.mean), "scale": list(self.scale),
                "covered_at": self.covered_at, "partial_at": self.partial_at}


@lru_cache(maxsize=1)
def shipped() -> Model | None:
    """The trained model inside the package, or None before one has been trained."""
    path = resources.files("simulator.interviewers").joinpath(MODEL_FILE)
    if not path.is_file():
        return None
    data = json.loads(path.read_text("utf-8"))
    if tuple(data["features"]) != FEATURES:
        return None
    return Model(tuple(data["weights"]), data["bias"], tuple(data["mean"]),
                 tuple(data["scale"]), data["covered_at"], data["partial_at"])


@dataclass(frozen=True)
class Lexical:
    """What the term rules made of one point."""

    reach: float  # 0..1
    defeated: bool  # by a negation, or by a contrary action
    richness: float  # 0..1: how many terms its thinnest list holds, against RICH_LIST
    evidence: str | None = None  # the sentence the term rules credited
    whole: bool = False  # the action with every concept
    contrary: bool = False  # a contrary action defeated it


def richness(point: RubricPoint) -> float:
    lists = ([point.action, *(t for _, t in point.concepts)] if point.action
             else [point.cues] if point.cues else [()])
    return min(min(1.0, len(terms) / RICH_LIST) for terms in lists)


# Someone doing something, not a view of how things should be: a first-person subject, or a
# step in a list said out loud ("First: ask engineering why").
_AGENT = re.compile(r"\b(?:i|i'd|i'll|i've|i'm|we|we'd|we'll|we've|let's|us)\b"
                    r"|^(?:first|second|third|then|next|after that|finally|step \w+)\b", re.I)


# What a speaker says while finding words: left out of what the sentence model reads.
_DISFLUENT = re.compile(r"\b(?:um+|uh+|er+m?|hmm+|you know|i mean|sort of|kind of)\b[,.]?\s*",
                        re.I)
_REPEAT = re.compile(r"\b(\w+(?:'\w+)?)(?:[,.]?\s+\1\b)+", re.I)


def fluent(text: str) -> str:
    """The sentence as meant: fillers and immediate repetitions ("I'd, I'd go") dropped."""
    out = _REPEAT.sub(r"\1", _DISFLUENT.sub("", text))
    return " ".join(out.split()) or text


@dataclass(frozen=True)
class Signals:
    values: np.ndarray  # in the order of FEATURES
    evidence: str | None  # the window that shows the point best: the quote


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-9)


def _is_platitude(text: str) -> bool:
    return bool(EMPTY.search(text)) and not has_detail(text)


def point_texts(point: RubricPoint) -> list[str]:
    return [point.strong, *point.examples]


def signals(question: Question, sents: list[Sentence], lexical: list[Lexical],
            encoder: Encoder) -> list[Signals]:
    """Every rubric point's signals in one answer (sentences as the concept rules split it)."""
    points = question.rubric
    texts = [s.text for s in sents]
    if not texts:
        return [Signals(np.zeros(len(FEATURES)), None) for _ in points]
    single = encoder.encode([fluent(t) for t in texts])
    windows = [(t, v, 0.0) for t, v in zip(texts, single, strict=True)]
    windows += [(f"{a} {b}", _unit(va + vb), PAIR_BONUS)
                for a, b, va, vb in zip(texts, texts[1:], single, single[1:], strict=False)]
    wv = np.stack([v for _, v, _ in windows])
    refs = [encoder.encode(point_texts(p)) for p in points]
    opps = [encoder.encode(list(p.opposites)) if p.opposites else None for p in points]
    # closeness of every window to every point: points x windows
    close = np.stack([(wv @ r.T).max(axis=1) for r in refs])
    answer_vec = _unit(single.mean(axis=0))
    topic = float(answer_vec @ encoder.encode([question.text])[0])
    # Each sentence's closeness to the nearest point, averaged: an answer to another question,
    # or a ramble, fits little; a short answer about one point fits as well as a long one.
    fit = float(close[:, :len(texts)].max(axis=0).mean())
    platitudes = sum(map(_is_platitude, texts)) / len(texts)
    out = []
    n = len(texts)
    owner = close[:, :n].argmax(axis=0)  # the point each sentence is most like
    bonuses = np.array([bonus for _, _, bonus in windows])
    for k in range(len(points)):
        # Prefer one sentence: a pair must beat it by a margin to be the quote, and may not
        # take in a sentence that shows another point better (a neighbour's evidence).
        ranked = close[k] - bonuses
        for j in range(n - 1):
            if owner[j] != k or owner[j + 1] != k:
                ranked[n + j] = -np.inf
        best = int(ranked.argmax())
        others = np.delete(close[:, best], k)
        own_margin = float(close[k, best] - (others.max() if len(others) else 0.0))
        opposite = (float((wv[best] @ opps[k].T).max() - close[k, best])
                    if opps[k] is not None else 0.0)
        lex = lexical[k]
        rich = lex.richness
        values = np.array([close[k, best], own_margin, fit, topic, opposite, lex.reach * rich,
                           lex.reach * (1 - rich), float(lex.whole) * rich, rich,
                           float(lex.defeated and not lex.contrary), float(lex.contrary),
                           float(has_detail(windows[best][0])),
                           float(bool(_AGENT.search(windows[best][0].replace("\u2019", "'")))),
                           platitudes])
        quote = _quote(k, close, ranked, windows, n, lex.evidence)
        out.append(Signals(values, windows[quote][0]))
    return out


def _quote(k: int, close: np.ndarray, ranked: np.ndarray, windows: list, n: int,
           term_evidence: str | None) -> int:
    others = np.delete(close, k, axis=0)
    margin = close[k] - (others.max(axis=0) if len(others) else 0.0)
    score = ranked + QUOTE_OWN * margin
    score[n:] -= QUOTE_PAIR - PAIR_BONUS
    for i, (text, _, _) in enumerate(windows):
        if term_evidence and term_evidence in text:
            score[i] += QUOTE_TERMS
    if n > 1:
        score[0] -= QUOTE_OPENER
        score[n] -= QUOTE_OPENER  # the pair that starts with the opener
    return int(score.argmax())
