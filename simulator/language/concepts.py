"""Credit for what an answer does, not for the words it uses.

A rubric point is a few concepts that must appear together, the way concept-based
short-answer scoring works. The first concept is the doing itself: an action or a judgement
("tell", "roll out a bit at a time", "check whether"). The others say to whom, what and when.
A sentence earns the point when it holds the action and every other concept, and part of it
when one of the others is missing.

A mention is not an action:
- a negated action does not count ("I wouldn't tell leadership yet");
- an action that is the subject of a platitude does not count ("talking to stakeholders early
  is key"), nor one said in buzzwords or as a principle ("a good PM always keeps stakeholders
  informed") in a sentence with no concrete detail;
- a point's contrary action, said and not negated, defeats the point ("I'd keep it inside the
  team until it's fixed").

Terms are matched word by word, in order, with a few other words allowed in between, and
each word matches its inflections ("tell", "tells", "told", "telling") but not its
nominalisations ("inform" does not match "information"). A word ending in `*` matches any word
that starts with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache

from simulator.language.matching import sentences
from simulator.language.specificity import EMPTY, has_detail

# Other words allowed between two words of a term: "let know" matches "let the sales VP know".
TERM_GAP = 3
# A run-on longer than this is cut, so that concepts have to stand close together.
MAX_SENTENCE_WORDS = 45
# Sentences after the action's own in which its other concepts may stand.
CONCEPT_REACH = 1
# How far back a negation reaches: "I wouldn't go and tell".
NEGATION_REACH = 5

NEGATORS = frozenset({
    "not", "no", "never", "dont", "doesnt", "didnt", "wont", "wouldnt", "shouldnt", "cant",
    "cannot", "couldnt", "isnt", "arent", "wasnt", "werent", "without", "instead", "avoid",
    "nor", "neither", "hardly", "rather", "stop", "refuse",
})
# "I wouldn't wait to tell them", "not only": the negation does not fall on the action.
NEGATION_RELEASED_BY = frozenset({"wait", "waiting", "hesitate", "delay", "only", "just",
                                  "hold", "sit"})

# Irregular verbs and plurals a spoken answer uses; regular inflections are generated.
IRREGULAR = {
    "tell": ("told",), "send": ("sent",), "write": ("wrote", "written"), "make": ("made",),
    "bring": ("brought",), "go": ("went", "gone"),
    "give": ("gave", "given"), "take": ("took", "taken"), "speak": ("spoke", "spoken"),
    "get": ("got", "gotten"), "choose": ("chose", "chosen"), "run": ("ran",),
    "find": ("found",), "hold": ("held",), "keep": ("kept",), "leave": ("left",),
    "meet": ("met",), "think": ("thought",), "know": ("knew", "known"),
    "break": ("broke", "broken"), "build": ("built",), "draw": ("drew", "drawn"),
    "lead": ("led",), "lose": ("lost",), "mean": ("meant",), "say": ("said",),
    "see": ("saw", "seen"), "show": ("shown",), "spend": ("spent",), "stand": ("stood",),
    "understand": ("understood",), "win": ("won",), "begin": ("began", "begun"),
    "hear": ("heard",), "pay": ("paid",), "sit": ("sat",), "fall": ("fell", "fallen"),
    "do": ("did", "done", "does"), "be": ("was", "were", "been", "is", "are"),
    "have": ("had", "has"), "buy": ("bought",), "seek": ("sought",), "catch": ("caught",),
    "feel": ("felt",), "ring": ("rang",), "person": ("people",), "child": ("children",),
    "rise": ("rose", "risen"), "forget": ("forgot", "forgotten"),
}

_TOKEN = re.compile(r"[a-z0-9]+|[,;:()\u2013\u2014]")
_CLAUSE_MARK = frozenset({",", ";", ":", "(", ")", "\u2013", "\u2014"})
_PLATITUDE = re.compile(
    r"\b(?:is|are|s|its|it s|was)\s+(?:so\s+|really\s+|very\s+|super\s+|absolutely\s+|just\s+|"
    r"always\s+|also\s+)?(?:the\s+)?(?:key|important|crucial|critical|essential|vital|"
    r"everything|paramount|huge|a must|non negotiable|fundamental|the name of the game)\b"
    r"(?!\s+(?:to|that|for me to)\b)"
    r"|\bits (?:all )?about\b|\bgoes a long way\b|\bis what matters\b",
)

# Words of a principle rather than a plan: "a good PM always...", "you need to...", "I'd make
# sure...". A sentence framed so, with no concrete detail in it, states a belief, not an action.
_GENERAL = re.compile(
    r"\b(?:i'?d make sure|i'?d want to|i'?d try to|think about|in terms of|where possible|"
    r"if needed|as needed|relevant|appropriate\w*|at the right|keep everyone|whole picture|"
    r"full stop|period|be (?:ready|careful|curious|transparent|honest|clear|open|willing)|"
    r"willing to|a good pm|you need to|you have to|you should|you want to|"
    r"it'?s (?:also )?important|i believe|believer|always|should|principles?|framework|"
    r"approach is|mindset|culture|philosophy|in general|generally|ideally|matters?|the key|"
    r"obviously|whatever|the right|lens|levers|pillars|(?:two|three|four|five) things|"
    r"in balance|approach it with|empathy|humility|curiosity|objectivity|genuine\w*|"
    r"meaningful|material|the fundamentals|good intent|where they'?re coming from)\b"
    # A label and its gloss: "Trust: assume good intent." "Diagnosis, getting to the cause."
    r"|^\w+: |^\w+(?:ion|ity|ness|ment|ship|ance|ence|ism|sis|ing)s?, ", re.I)


def canon(word: str) -> str:
    """One spelling for British and American forms, applied to answers and terms alike."""
    if len(word) >= 5:
        word = re.sub(r"is(e|es|ed|ing|ation|ations)$", r"iz\1", word)
    if len(word) >= 6 and word.endswith("our"):
        word = word[:-3] + "or"
    return word


@lru_cache(maxsize=8192)
def forms(word: str) -> frozenset[str]:
    """The inflections of one term word: plural, third person, past, participle."""
    w = canon(word)
    out = {w, w + "s", w + "es", w + "ed", w + "ing"}
    if w.endswith("e"):
        out |= {w + "d", w[:-1] + "ing"}
    if w.endswith("y") and len(w) > 2 and w[-2] not in "aeiou":
        out |= {w[:-1] + "ies", w[:-1] + "ied"}
    if (len(w) >= 3 and w[-1] not in "aeiouwxy" and w[-2] in "aeiou"
            and w[-3] not in "aeiou"):
        out |= {w + w[-1] + "ed", w + w[-1] + "ing"}
    out |= set(IRREGULAR.get(w, ()))
    return frozenset(out)


def tokens(text: str) -> list[str]:
    text = text.lower().replace("%", " percent ").replace("&", " and ")
    text = re.sub(r"['\u2019]", "", text)
    return [canon(t) for t in _TOKEN.findall(text.replace("-", " ").replace("/", " "))]


@dataclass(frozen=True)
class Term:
    """A phrase to look for: its words in order, each matching its inflections."""

    text: str
    words: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> Term:
        words: list[str] = []
        for raw in text.lower().split():
            words += [t for t in tokens(raw.rstrip("*")) if t not in _CLAUSE_MARK]
            if raw.endswith("*") and words:
                words[-1] += "*"
        return cls(text, tuple(words))

    def _word_at(self, word: str, toks: list[str], i: int) -> int:
        """How many tokens at `i` the word matches: 1, 2 for a split compound, or 0."""
        tok = toks[i]
        if word.endswith("*"):
            stem = word[:-1]
            if tok.startswith(stem):
                return 1
            joined = tok + toks[i + 1] if i + 1 < len(toks) else ""
            return 2 if joined.startswith(stem) and len(tok) < len(stem) else 0
        allowed = forms(word)
        if tok in allowed:
            return 1
        if i + 1 < len(toks) and tok + toks[i + 1] in allowed:  # "stake holders"
            return 2
        return 0

    def find(self, sentence: Sentence | list[str], first: bool = False) -> list[int]:
        """Start positions of every match in a sentence (or the first only). A term whose
        words are not all in the sentence is passed over at once, and the others are tried
        only where their first word stands, so the work follows the sentence, not the bank."""
        s = sentence if isinstance(sentence, Sentence) else Sentence("", list(sentence))
        if not self.words or not all(s.may_hold(w) for w in self.words):
            return []
        toks = s.toks
        starts: list[int] = []
        for i in s.where(self.words[0]):
            n = self._word_at(self.words[0], toks, i)
            if not n:
                continue
            pos = i + n
            for word in self.words[1:]:
                for j in range(pos, min(len(toks), pos + TERM_GAP + 1)):
                    m = self._word_at(word, toks, j)
                    if m and toks[j] not in _CLAUSE_MARK:
                        pos = j + m
                        break
                else:
                    break
            else:
                starts.append(i)
                if first:
                    break
        return starts


@dataclass(frozen=True)
class Sentence:
    text: str
    toks: list[str]

    @cached_property
    def _index(self) -> dict[str, list[int]]:
        """Where each token stands, and each pair of tokens written as one ("stake holders")."""
        out: dict[str, list[int]] = {}
        for i, tok in enumerate(self.toks):
            out.setdefault(tok, []).append(i)
            if i + 1 < len(self.toks):
                out.setdefault(tok + self.toks[i + 1], []).append(i)
        return out

    @cached_property
    def _prefixes(self) -> frozenset[str]:
        return frozenset(key[:n] for key in self._index for n in range(1, len(key) + 1))

    def may_hold(self, word: str) -> bool:
        """Whether a term word can match anywhere here (a quick test before the exact one)."""
        if word.endswith("*"):
            return word[:-1] in self._prefixes
        return not forms(word).isdisjoint(self._index)

    def where(self, word: str) -> list[int]:
        """The positions a term word may match at, in order."""
        if word.endswith("*"):
            stem = word[:-1]
            found = {i for key, at in self._index.items() if key.startswith(stem) for i in at}
        else:
            found = {i for f in forms(word) for i in self._index.get(f, ())}
        return sorted(found)

    def clause_start(self, i: int) -> int:
        while i > 0 and self.toks[i - 1] not in _CLAUSE_MARK:
            i -= 1
        return i

    def clause_end(self, i: int) -> int:
        while i < len(self.toks) and self.toks[i] not in _CLAUSE_MARK:
            i += 1
        return i

    def negated(self, i: int) -> bool:
        """Whether the action starting at token `i` is negated within its clause."""
        start = max(self.clause_start(i), i - NEGATION_REACH)
        for j in range(start, i):
            if self.toks[j] in NEGATORS:
                after = self.toks[j + 1] if j + 1 < len(self.toks) else ""
                # "wouldn't wait to tell" releases "tell", but "not wait" itself is negated.
                if after in NEGATION_RELEASED_BY and j + 1 < i:
                    continue
                if self.toks[j] == "rather" and after != "than":
                    continue
                if self.toks[j] == "instead" and after != "of":
                    continue
                return True
        return False

    def platitude(self, i: int) -> bool:
        """Whether the clause around token `i` only says that something matters, or says it
        in buzzwords."""
        return self._empty_clause(self.clause_start(i), self.clause_end(i)) or self._principle

    def _empty_clause(self, start: int, end: int) -> bool:
        if (start, end) not in self._clauses:
            clause = " ".join(self.toks[start:end])
            self._clauses[start, end] = bool(_PLATITUDE.search(clause) or EMPTY.search(clause))
        return self._clauses[start, end]

    @cached_property
    def _clauses(self) -> dict[tuple[int, int], bool]:
        return {}

    @cached_property
    def _principle(self) -> bool:
        """A buzzword or a principle in a sentence with nothing concrete in it empties it."""
        return (bool(EMPTY.search(self.text) or _GENERAL.search(self.text))
                and not has_detail(self.text))


def split_sentences(text: str) -> list[Sentence]:
    return [Sentence(chunk, tokens(chunk)) for chunk in sentences(text, MAX_SENTENCE_WORDS)]


@dataclass(frozen=True)
class Concept:
    name: str
    terms: tuple[Term, ...]

    @classmethod
    def of(cls, name: str, terms: tuple[str, ...]) -> Concept:
        # Two spellings of one phrase ("tell", "Tell") are one term: match it once.
        unique: dict[tuple[str, ...], Term] = {}
        for term in map(Term.of, terms):
            unique.setdefault(term.words, term)
        return cls(name, tuple(unique.values()))

    def said_in(self, sentence: Sentence, live: Callable[[int], bool]) -> bool | None:
        """None when no term is in the sentence, else whether one stands where `live` holds
        (the first such is enough: a long answer is not searched for every match)."""
        found = None
        for t in self.terms:
            for i in t.find(sentence):
                if live(i):
                    return True
                found = False
        return found

    def in_(self, sentence: Sentence) -> bool:
        return any(t.find(sentence, first=True) for t in self.terms)

    def term_at(self, sentence: Sentence) -> str | None:
        for t in self.terms:
            if t.find(sentence, first=True):
                return t.text
        return None


@dataclass(frozen=True)
class Finding:
    """How well an answer does one rubric point."""

    status: str  # covered, partial or missed
    evidence: str | None
    missing: tuple[str, ...]  # the concepts a thin treatment left out
    unsure: str | None  # why this verdict is a guess, when it is one
    # How much of the point the terms found, as signals for the scorer: the share of its
    # concepts beside a live action (0 with none), and whether a negation or a contrary
    # action defeated it.
    reach: float = 0.0
    defeated: bool = False
    contrary: bool = False  # defeated by a contrary action, not by a negation


@dataclass(frozen=True)
class ConceptPoint:
    action: Concept
    others: tuple[Concept, ...]
    contrary: tuple[Term, ...] = ()

    @classmethod
    def of(cls, action: tuple[str, ...], concepts: tuple[tuple[str, tuple[str, ...]], ...],
           contrary: tuple[str, ...] = ()) -> ConceptPoint:
        return cls(Concept.of("action", action),
                   tuple(Concept.of(name, terms) for name, terms in concepts),
                   tuple(Term.of(t) for t in contrary))

    def _contrary_in(self, sents: list[Sentence]) -> Sentence | None:
        for s in sents:
            for term in self.contrary:
                if any(not s.negated(i) for i in term.find(s)):
                    return s
        return None

    def judge(self, sents: list[Sentence]) -> Finding:
        best: tuple[int, int, Sentence | None, tuple[str, ...]] = (-1, 0, None, ())
        defeated: str | None = None
        for k, s in enumerate(sents):
            said = self.action.said_in(s, lambda i, s=s: not s.negated(i) and not s.platitude(i))
            if said is None:
                continue
            if not said:
                defeated = ("the action is negated or only said to matter"
                            if defeated is None else defeated)
                continue
            # Spoken answers often finish a thought in the next sentence: "I'd message the
            # sales VP. I'd do it that afternoon, with the new date."
            window = sents[k: k + 1 + CONCEPT_REACH]
            missing = tuple(c.name for c in self.others
                            if not any(c.in_(w) for w in window))
            found = len(self.others) - len(missing)
            if found > best[0]:
                best = (found, k, s, missing)
        found, _, sentence, missing = best
        reach = (found + 1) / (len(self.others) + 1) if sentence is not None else 0.0
        contrary = self._contrary_in(sents)
        if contrary is not None:
            return Finding("missed", None, (), f"says the opposite: \"{contrary.text}\"",
                           reach, True, True)
        if sentence is None:
            return Finding("missed", None, (), defeated, 0.0, defeated is not None)
        if not missing:
            return Finding("covered", sentence.text, (), None, reach)
        if len(missing) == 1 and len(self.others) >= 2:
            return Finding("partial", sentence.text, missing,
                           f"the action is there without {missing[0]}", reach)
        unsure = f"the action is there, but not {' or '.join(missing)}" if found else None
        return Finding("missed", None, missing, unsure, reach)
