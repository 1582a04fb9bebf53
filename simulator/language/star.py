"""STAR feedback for a story answer: situation, task, action and result, found in the words.

A behavioural question asks about one specific past event, and a strong answer tells it as a
situation (when, where, what was going on), the candidate's task, what they themself did, and
how it turned out, best with a number. The answer is cut into clauses (at sentence ends and at
the joins a speaker runs sentences together with: ", so", ", and then", ", but"), and each
clause is given the one part it reads as, from its grammar more than its topic: "my job was
to" is a task, "I called" an action, "we ended up with" a result, "we were" a situation. The
answer as a whole is a specific event, a generalisation ("I usually...") or hypothetical
("I would...") by which of those kinds of clause it tells most.

Observations with quotes, never a score: the rubric grades the content.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace

from simulator.language.words import spellings

PARTS = ("situation", "task", "action", "result")
MAX_QUOTE_WORDS = 24

# Where a spoken run-on sentence starts a new clause.
_JOINS = re.compile(r"(?:[.!?;]+\s+|,\s+(?=(?:so|and then|and so|but|then|which meant|"
                    r"after that|in the end|eventually|by the end|as a result|and i|but i|"
                    r"so i)\b))", re.I)

_TASK = re.compile(
    r"\b(?:my (?:job|role|task|goal|mandate|responsibility|brief|mission|remit) (?:was|became|"
    r"is)|i was (?:responsible|accountable|in charge|tasked|asked|brought in|hired|supposed|"
    r"expected|on the hook|the one (?:who|responsible)|leading|owning|running)|"
    r"i (?:had|needed|wanted|got) to|it (?:was|fell) (?:on|to) me|(?:the|our) "
    r"(?:goal|task|target|mandate|challenge|job|ask)(?: \w+){0,3} was|i owned|i was owning|"
    r"as (?:the|a) (?:pm|product manager|product lead|lead|owner)\b|i had been asked|"
    r"we (?:had|needed) to|i was given|(?:they|leadership|my boss|my manager|"
    r"the ceo|the vp) (?:asked|wanted|needed|expected) me)", re.I)

# Words that say "this is how it turned out" wherever they stand in the story.
_OUTCOME = re.compile(
    r"\b(?:as a result|in the end|ended up|the result|the outcome|turned out|by the end|"
    r"which meant|that meant|at the end|end result|eventually|since then|afterwards|"
    r"(?:was|were|got|came|is|are) back (?:to|up|on|in))\b", re.I)
# "By Friday" tells when: how things stood by then ("by Friday the queue was empty"), or when
# the candidate did something ("I offered a workaround by Friday"), which is an action.
_BY_TIME = re.compile(r"\bby (?:the following|the next|monday|tuesday|wednesday|thursday|"
                      r"friday|the time|then)\b", re.I)
# A change or an ending: a result when it follows what the candidate did, but the situation
# when it opens the story ("conversion dropped after the redesign").
_CHANGE = re.compile(
    r"\b(?:we (?:shipped|launched|hit|made|recovered|got|kept|saved|won|closed|lost|missed|"
    r"cut|reduced|increased|grew|beat|reached)|(?:went|came) (?:from|back|down|up)|"
    r"(?:dropped|fell|rose|grew|climbed|jumped|shrank|improved|increased|decreased|doubled|"
    r"tripled|halved|recovered|declined) (?:from|to|by|back|down|up)|(?:up|down) (?:from|to|by) |"
    r"(?:shipped|launched|delivered|"
    r"released|went live|landed) (?:on|in|by|two|three|a|the|only|just|with)|"
    r"(?:churn|retention|conversion|revenue|nps|usage|adoption|signups|tickets|complaints|"
    r"the (?:number|rate|metric)s?) (?:\w+ )?(?:went|dropped|fell|rose|grew|improved|"
    r"increased|decreased|was|were|came|recovered|doubled|halved)|"
    r"(?:it|this|that) (?:worked|paid off|stuck|held|helped|saved|led to|got us|cost us)|"
    r"never (?:shipped|launched|happened)|we never|didn'?t (?:work|ship|launch)|after that|"
    r"picked up|started going|got (?:a lot |much |way )?(?:more|better|faster|easier)|"
    r"(?:finished|completed|wrapped up|relaunched)|\w+ (?:days|weeks|months) later|"
    r"because of (?:that|this|the|it)|thanks to|brought in|(?:got|was|were) (?:shelved|"
    r"cancelled|canceled|approved|dropped|adopted)|agreed to)", re.I)
# A number that changed ("from three weeks to four days") is a result wherever it is told:
# some candidates open with it.
_MOVED = re.compile(r"\bfrom (?:about |around |roughly |over |under )?\S*\d\S*|\bfrom "
                    r"(?:about |around )?(?:one|two|three|four|five|six|seven|eight|nine|ten|"
                    r"twenty|thirty|forty|fifty|a hundred)\b[^,.]* to ", re.I)

# What the candidate would do (a hypothetical answer), and what they usually do (a
# generalisation). "I'll" is either ("I'll have regular coffees with the leads").
_HYPOTHETICAL = re.compile(
    r"\b(?:i'd|i would|we would|i might|i'm going to|i am going to|what i'd|"
    r"if (?:i|we) (?:were|was|had to|had|got|ever|needed)|if (?:that|this|it) (?:happened|"
    r"happens|were|was)|i'd probably)\b", re.I)
_FUTURE = re.compile(r"\b(?:i'll|i will|we'll|we will)\b", re.I)
_HABITUAL = re.compile(
    r"\b(?:i'm (?:usually|always|generally|typically)|i (?:usually|always|generally|"
    r"typically|normally|tend to|often|like to|try to|make sure|make a point)|(?:my|our) "
    r"(?:approach|process|rule|habit|playbook|philosophy) (?:is|has always been)|"
    r"the way i (?:tend to|usually|like to|go about|approach|handle)|in general|as a rule|"
    r"what i do is|i've always|i have always|i used to)\b", re.I)
_HABITUAL_PRESENT = re.compile(r"\b(?:whenever|every time|usually|typically|generally)\b", re.I)

# Past-tense verbs the regular "-ed" ending misses.
_IRREGULAR_PAST = frozenset(spellings("""
    went told took made got sat set wrote ran met brought found built chose gave kept led spent
    thought saw said sent put paid sold knew drew held caught began fought hid hit cut let
    shut split spoke stood understood won woke drove flew grew threw broke rose fell felt left
    lost meant heard read became came did had was were bought taught dug forgot overcame rebuilt
    rewrote undid withdrew"""))
_NOT_PAST = frozenset(spellings("need seed feed speed bed red shed weed indeed exceed proceed "
                                "succeed breed greed hundred based interested tired"))
_SUBJECTS = {"i": "i", "we": "we"}
# Verbs that place the candidate in the story rather than act in it ("when I joined").
_ARRIVED = frozenset(spellings("joined moved arrived inherited transferred"))
_PAST_AUX = {"was", "were", "had", "did"}


def _past_verb(word: str) -> bool:
    return word in _IRREGULAR_PAST or (word.endswith("ed") and len(word) > 4
                                        and word not in _NOT_PAST)


def _first_person_past(words: list[str]) -> str | None:
    """"i" or "we" when the clause has that subject followed closely by a past-tense verb
    ("I called", "so we quickly rolled back"), else None."""
    for n, w in enumerate(words):
        if w not in _SUBJECTS or (n and words[n - 1] == "if"):  # "if we cut it" is not done
            continue
        for nxt in words[n + 1:n + 4]:
            if nxt in _SUBJECTS:
                break
            if _past_verb(nxt) and nxt not in _PAST_AUX and nxt not in _ARRIVED:
                return _SUBJECTS[w]
    return None


def _past(words: list[str]) -> bool:
    return any(_past_verb(w) for w in words)


_NUMBER = re.compile(r"\d|\b(?:two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|"
                     r"twenty|thirty|forty|fifty|hundred|thousand|million|half|double|doubled|"
                     r"tripled|halved|percent)\b", re.I)


@dataclass(frozen=True)
class Clause:
    text: str
    part: str | None  # one of PARTS, or None
    kind: str  # "past", "hypothetical", "habitual" or "other"
    agent: str | None  # "i" or "we" for an action


def _kind(text: str, words: list[str]) -> str:
    # A habit first: "I generally put both options on one page" is not a past "put".
    if _HABITUAL.search(text) or (_HABITUAL_PRESENT.search(text) and not _past(words)):
        return "habitual"
    if _first_person_past(words):  # "I called", even in "so it wouldn't happen again"
        return "past"
    if _HYPOTHETICAL.search(text):
        return "hypothetical"
    if _FUTURE.search(text):
        return "future"
    return "past" if _past(words) else "other"


def _part(text: str, words: list[str], kind: str, seen_action: bool,
          opening: bool) -> tuple[str | None, str | None]:
    agent = _first_person_past(words)
    if _TASK.search(text):
        return "task", None
    if (_OUTCOME.search(text) or (seen_action and _CHANGE.search(text))
            or (_MOVED.search(text) and _NUMBER.search(text))
            or (_BY_TIME.search(text) and agent != "i")):
        return "result", None
    # Opening the story, "the day we launched, sign-ups fell" sets the scene.
    if agent == "i" or (agent == "we" and not opening):
        return "action", agent
    if kind == "past" or agent:
        return "situation", None
    return None, None


def clauses(text: str) -> list[Clause]:
    out: list[Clause] = []
    seen_action = False
    for piece in _JOINS.split(text):
        piece = piece.strip(" ,")
        words = spellings(piece)
        if len(words) < 3:
            continue
        kind = _kind(piece, words)
        part, agent = _part(piece, words, kind, seen_action, opening=not out)
        seen_action = seen_action or part in ("action", "task")
        out.append(Clause(piece, part, kind, agent))
    return out


def _quote(text: str) -> str:
    words = text.split()
    return " ".join(words[:MAX_QUOTE_WORDS]) + ("…" if len(words) > MAX_QUOTE_WORDS else "")


@dataclass
class Star:
    situation: str | None  # a quote for each part found, else None
    task: str | None
    action: str | None
    result: str | None
    measured: bool  # the result is given with a number
    event: str  # "specific", "generalisation" or "hypothetical"
    own: str  # "i" when the actions are mostly the candidate's own, "we", or "none"
    i_actions: int = 0
    we_actions: int = 0
    advice: list[str] = field(default_factory=list)

    def found(self, part: str) -> bool:
        return getattr(self, part) is not None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Star:
        """As logged; a key missing (from a hand-edited or other version's log) is not found."""
        parts = {part: data.get(part) if isinstance(data.get(part), str) else None
                 for part in PARTS}
        return cls(**parts, measured=bool(data.get("measured")),
                   event=str(data.get("event", "specific")), own=str(data.get("own", "none")),
                   i_actions=int(data.get("i_actions") or 0),
                   we_actions=int(data.get("we_actions") or 0),
                   advice=[a for a in data.get("advice", []) if isinstance(a, str)])


def _event(found: list[Clause]) -> str:
    kinds = [c.kind for c in found]
    hypothetical, habitual = kinds.count("hypothetical"), kinds.count("habitual")
    if hypothetical + habitual + kinds.count("future") <= kinds.count("past"):
        return "specific"
    return "generalisation" if habitual >= hypothetical else "hypothetical"


def star(text: str) -> Star:
    found = clauses(text)
    event = _event(found)
    if event != "specific":
        # The parts of a story are parts of one real event: an answer about what one would
        # do or usually does has none, however well it is ordered.
        found = [replace(c, part=None, agent=None) for c in found]
    # The first clause of each part shows it best, but the last of the result: a story's
    # outcome comes at its end, after any change told in passing.
    first = {part: next((c for c in (reversed(found) if part == "result" else found)
                         if c.part == part), None) for part in PARTS}
    measured = any(_NUMBER.search(c.text) for c in found if c.part == "result")
    i_actions = sum(c.agent == "i" for c in found if c.part == "action")
    we_actions = sum(c.agent == "we" for c in found if c.part == "action")
    own = "none" if not i_actions + we_actions else "i" if i_actions >= we_actions else "we"
    result = Star(*(_quote(c.text) if c else None for c in first.values()), measured=measured,
                  event=event, own=own, i_actions=i_actions, we_actions=we_actions)
    result.advice = advice(result)
    return result


def advice(s: Star) -> list[str]:
    """What to change in the story, most important first."""
    out = []
    if s.event == "hypothetical":
        out.append("Tell one real time it happened, not what you would do: the question asks "
                   "about the past.")
    elif s.event == "generalisation":
        out.append('Pick one specific time instead of what you usually do ("Last spring, '
                   'when…").')
    if not s.action:
        out.append("Say what you did yourself, step by step: the action is most of a story.")
    elif s.own == "we":
        out.append(f'Say "I" for what you did: {s.we_actions} actions were told as "we" and '
                   f'{s.i_actions} as "I".')
    if not s.result:
        out.append("Finish with how it turned out.")
    elif not s.measured:
        out.append("Give the result a number (a metric, a date hit, customers kept).")
    if not s.situation:
        out.append("Set the scene in a sentence: when, where, and what was at stake.")
    if not s.task:
        out.append("Say what you were responsible for.")
    return out


def for_answer(kind: str, text: str) -> Star | None:
    """STAR feedback for an answer to a story question; None for other questions and for no
    answer."""
    return star(text) if kind == "story" and text.strip() else None


_EVENT = {"specific": "one specific event",
          "generalisation": "a generalisation, not one event",
          "hypothetical": "what you would do, not what you did"}


def star_lines(s: Star | None) -> list[str]:
    """The STAR feedback as lines of plain text, for every report format."""
    if s is None:
        return []
    lines = []
    for part in PARTS:
        quote = getattr(s, part)
        extra = (" (measured)" if s.measured else " (no number)") if part == "result" and quote \
            else ""
        lines.append(f"{part.capitalize()}: " + (f'"{quote}"{extra}' if quote else "not found"))
    lines.append(f"Told as {_EVENT.get(s.event, s.event)}; actions told with \"I\" "
                 f"{s.i_actions}, with \"we\" {s.we_actions}.")
    return lines + s.advice
