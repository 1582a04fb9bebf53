"""Finding rubric cues in spoken answers, tolerant of inflection and loose wording.

Cues are matched per sentence. A cue of two or more content words matches when all of them
appear in the sentence in any order ("communicate the revised scope" also matches "the revised
scope was communicated"); a shorter cue must appear as a phrase, allowing a couple of extra
words in between. Spoken transcripts split compounds unpredictably ("stake holders", "roll
back"), so adjacent words are also tried joined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STOPWORDS = frozenset({
    "a", "an", "the", "and", "or", "but", "if", "so", "to", "of", "in", "on", "at", "by",
    "for", "with", "from", "as", "is", "are", "was", "were", "be", "been", "being", "it",
    "its", "this", "that", "these", "those", "i", "we", "you", "he", "she", "they", "them",
    "our", "my", "your", "their", "his", "her", "me", "us", "do", "does", "did", "have", "has",
    "had", "will", "would", "should", "could", "can", "may", "might", "must", "just", "then",
    "than", "there", "here", "what", "which", "who", "whom", "how", "when", "where", "up",
    "out", "about", "into", "over", "also", "very", "really", "well", "some", "any", "all",
    "each",
})
# A cue with fewer than two content words must keep its word order ("must ship"); up to
# this many extra words may stand between its words ("must really ship").
PHRASE_SLACK = 2
MAX_SENTENCE_WORDS = 40

_WORD = re.compile(r"[a-z0-9]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def stem(word: str) -> str:
    """A small suffix-stripper: enough to equate inflections, not a full Porter stemmer."""
    w = word.lower()
    if len(w) <= 3:
        return w
    for suffix, repl in (("isation", "iz"), ("ization", "iz"), ("ational", "at"),
                         ("ation", "at"), ("ments", ""), ("ment", ""), ("ies", "y"),
                         ("ied", "y"), ("ing", ""), ("ed", ""), ("ly", ""), ("es", ""),
                         ("s", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            if suffix == "s" and w.endswith("ss"):
                break
            w = w[: len(w) - len(suffix)] + repl
            break
    if len(w) >= 4 and w[-1] == w[-2] and w[-1] not in "aeioulsz":  # stopped -> stopp -> stop
        w = w[:-1]
    if w.endswith("ise"):
        w = w[:-3] + "iz"
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w


def words(text: str) -> list[str]:
    text = text.lower().replace("%", " percent ").replace("'", "")
    return _WORD.findall(text)


def sentences(text: str, max_words: int = MAX_SENTENCE_WORDS) -> list[str]:
    """Split into sentences; very long run-ons are cut so that cues must stay close."""
    out: list[str] = []
    for part in _SENTENCE_END.split(text):
        ws = part.split()
        for i in range(0, len(ws), max_words):
            chunk = " ".join(ws[i : i + max_words]).strip()
            if chunk:
                out.append(chunk)
    return out


@dataclass(frozen=True)
class Sentence:
    text: str
    stems: tuple[str, ...]
    stem_set: frozenset[str]

    @classmethod
    def of(cls, text: str) -> Sentence:
        ws = words(text)
        stems = [stem(w) for w in ws]
        joined = {stem(a + b) for a, b in zip(ws, ws[1:], strict=False)}
        return cls(text, tuple(stems), frozenset(stems) | joined)


@dataclass(frozen=True)
class Cue:
    phrase: str
    stems: tuple[str, ...]
    content: frozenset[str]

    @classmethod
    def of(cls, phrase: str) -> Cue:
        ws = words(phrase)
        stems = tuple(stem(w) for w in ws)
        content = frozenset(stem(w) for w in ws if w not in STOPWORDS)
        return cls(phrase, stems, content)

    def score(self, sentence: Sentence) -> float:
        """1 for a match, 0.5 for most of a long cue, else 0."""
        if len(self.content) >= 2:
            found = len(self.content & sentence.stem_set)
            if found == len(self.content):
                return 1.0
            if len(self.content) >= 3 and found * 3 >= len(self.content) * 2:
                return 0.5
            return 0.0
        return 1.0 if _phrase_in(self.stems, sentence) else 0.0


def _phrase_in(cue: tuple[str, ...], sentence: Sentence) -> bool:
    if not cue:
        return False
    if len(cue) == 1:
        return cue[0] in sentence.stem_set
    toks = sentence.stems
    for start, tok in enumerate(toks):
        if tok != cue[0]:
            continue
        pos, window_end = start + 1, start + len(cue) + PHRASE_SLACK
        for want in cue[1:]:
            while pos < min(window_end, len(toks)) and toks[pos] != want:
                pos += 1
            if pos >= min(window_end, len(toks)):
                break
            pos += 1
        else:
            return True
    return False


@dataclass(frozen=True)
class PointMatch:
    strength: float  # sum over distinct cues of their best score in any sentence
    evidence: str | None  # the sentence that showed the point best
    cues: tuple[str, ...]  # the cues that matched


def match_cues(cues: tuple[str, ...], sents: list[Sentence]) -> PointMatch:
    strength = 0.0
    matched: list[str] = []
    per_sentence = [0.0] * len(sents)
    for phrase in cues:
        cue = Cue.of(phrase)
        scores = [cue.score(s) for s in sents]
        best = max(scores, default=0.0)
        if best > 0:
            strength += best
            matched.append(phrase)
            for i, sc in enumerate(scores):
                per_sentence[i] += sc
    evidence = None
    if strength > 0:
        evidence = sents[max(range(len(sents)), key=per_sentence.__getitem__)].text
    return PointMatch(strength, evidence, tuple(matched))
