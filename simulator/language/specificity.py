"""Specific or generic: the concrete details an answer gives, and the platitudes it leans on.

"Strong execution answers reference specific processes, not generic platitudes." This is
content feedback that needs no model: numbers, named roles and teams, time frames, named
processes and artefacts, names, and a real example count as details; stock phrases such as
"alignment is key" or "be data-driven" count as platitudes. An answer is called vague when it
gives too few details for its length.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

# Fewer details than this per 100 words reads as generic: checked against the "vague" labels
# of the tuning answers in tests/data/coaching/.
MIN_DETAILS_PER_100_WORDS = 2.0
MAX_QUOTES = 6  # per kind of finding, in reports

_NUMBER_WORDS = (r"(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
                 r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|"
                 r"million|billion|a dozen|dozens of|half an?)")
_UNITS = (r"(?:percent|per ?cent|%|x|ms|milliseconds?|seconds?|minutes?|hours?|days?|weeks?|"
          r"months?|quarters?|years?|sprints?|users?|customers?|people|engineers?|tickets?|"
          r"accounts?|teams?|points?|dollars?|k|grand|bugs?|crashes|errors|requests|orders|"
          r"sign ?ups|installs|sessions|stores?|merchants?|clinics?|hospitals?|calls?)")
_WEEKDAY_MONTH = (r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|"
                  r"february|march|april|june|july|august|september|october|november|"
                  r"december|q[1-4])")
_ROLE = (r"(?:(?:vp|head|director|lead|manager|owner) of [a-z]+|"
         r"(?:their|our|my|the) (?:tech |eng |engineering |design |qa |support |product )?"
         r"(?:lead|manager|boss|designer|director|vp|cto|ceo|em|tester|analyst)s?\b|"
         r"(?:sales|support|design|engineering|eng|marketing|legal|finance|data|platform|mobile|"
         r"billing|security|growth|ops|operations|qa|infra|infrastructure|payments|product|"
         r"customer success|cs|backend|frontend|ios|android|web|research|analytics|risk|"
         r"compliance|partner|account) (?:team|lead|vp|manager|folks|people|org|director|"
         r"squad|engineers?|crew|channel)|cto|ceo|cpo|coo|vp|tech lead|eng lead|design lead|"
         r"engineering manager|qa lead|support lead|product designer|data scientist|"
         r"on-?call engineer|account manager|solutions engineer)")
_ARTEFACT = (r"(?:feature flags?|kill switch|dashboards?|runbooks?|run books?|post[- ]?mortems?|"
             r"retros?|retrospectives?|jira|linear|asana|tickets?|specs?|prds?|one[- ]pager|"
             r"design docs?|api contracts?|apis?|schemas?|mocks?|stubs?|a/b tests?|ab tests?|"
             r"beta|canary|rollback plan|roll ?backs?|checklists?|acceptance criteria|given,? "
             r"when,? then|slack|status page|okrs?|stand-?ups?|sprint reviews?|sprint planning|"
             r"demos?|confluence|notion|figma|datadog|grafana|amplitude|mixpanel|looker|sentry|"
             r"spreadsheets?|changelog|wiki|release notes|load tests?|staging|prototypes?|"
             r"spikes?|proof of concept|error rates?|conversion rates?|p0|p1|sev ?[0-3]|"
             r"hotfix|war room|incident channel|decision log|roadmap)")
_TIME = (r"(?:that (?:same )?(?:afternoon|morning|evening|day|night)|same day|by (?:end of )?"
         r"(?:the )?(?:day|week|friday|monday|tomorrow|sprint)|end of (?:the )?(?:day|week|month|"
         r"quarter|sprint)|next (?:sprint|week|month|quarter)|within (?:an? |the |\d+ )?"
         r"(?:hour|day|week)s?|last (?:year|month|quarter|spring|summer|fall|autumn|winter|week)|"
         r"this (?:month|week|quarter|sprint|afternoon|morning|evening|year)|before lunch|"
         r"after lunch|month end|end of (?:the )?month|in 20\d\d|yesterday|tomorrow|overnight|"
         r"every (?:week|day|morning|monday|tuesday|"
         r"wednesday|thursday|friday|sprint))")
_EXAMPLE = (r"(?:at my (?:last|previous|old|current) (?:job|company|role|team|startup)|"
            r"when i was at|when i worked at|for example|for instance|one time|once we|"
            r"in my last role|at [A-Z][a-z]+ we)")

DETAIL_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("number", re.compile(rf"\b\d[\d,.]*(?:\s?{_UNITS})?\b|\b{_NUMBER_WORDS}\s+{_UNITS}\b"
                          rf"|\b{_NUMBER_WORDS}\s+(?!of\b|to\b|and\b|or\b|more\b|things\b|"
                          rf"ways\b|times\b|steps\b|phases\b|levers\b|pillars\b)[a-z]{{3,}}",
                          re.I)),
    ("time", re.compile(rf"\b(?:{_TIME}|{_WEEKDAY_MONTH})\b", re.I)),
    ("role", re.compile(rf"\b{_ROLE}\b", re.I)),
    ("artefact", re.compile(rf"\b{_ARTEFACT}\b", re.I)),
    ("example", re.compile(rf"\b{_EXAMPLE}", re.I)),
)
# A capitalised word inside a sentence is a name ("Priya", "Fernway"), unless it is one of
# these or a word a transcript capitalises anyway.
_NAME = re.compile(r"(?<=[a-z,;:] )[A-Z][a-zA-Z]+(?: [A-Z][a-zA-Z]+)*")
_NOT_NAMES = frozenset({"I", "I'd", "I'm", "I've", "I'll", "OK", "Okay", "So", "And", "But",
                        "The", "Then", "Um", "Uh", "Like", "Yeah", "Well", "Also", "Or", "MVP",
                        "INVEST", "PM", "PMs"})

# Phrases that say nothing an interviewer could check. An action said in the same clause as
# one of these is not credited either ("I'd leverage synergies to align stakeholders").
EMPTY_PHRASES = (
    r"(?:stakeholder |team |cross[- ]functional )?alignment is (?:key|everything|crucial|critical)"
    r"|communication is (?:key|everything|important|crucial|critical|king)"
    r"|transparency is (?:key|everything|important|crucial|critical)"
    r"|data[- ]driven|data[- ]informed|leverag\w+|synerg\w+|best practices?"
    r"|at the end of the day|move the needle|it (?:really )?depends(?: on the situation)?"
    r"|stakeholder alignment|be proactive|proactive(?:ly)? communicat\w+"
    r"|communicat\w+ proactively|over[- ]?communicat\w+"
    r"|think outside the box|win[- ]win|holistic\w*|ruthless(?:ly)? prioriti\w+"
    r"|prioriti\w+ ruthlessly|(?:customer|user)[- ]centric|customer[- ]obsess\w+|north star"
    r"|low[- ]hanging fruit|circle back|empower\w*|on the same page|touch base|deep dive"
    r"|value[- ]add|big(?:ger)? picture|agile mindset|fail fast|it'?s (?:all )?about"
    r"|strike (?:a|the right) balance|keep (?:everyone|everybody|people|all stakeholders) aligned"
    r"|align(?:ing)? (?:all )?(?:the )?(?:key )?stakeholders|bias (?:for|towards?) action"
    r"|(?:ownership|growth) mindset|continuous(?:ly)? (?:improv|learn)\w*|going forward"
    r"|user[- ]first|put the customer first|drive (?:impact|value|results)|trust the process"
    r"|open (?:dialogue|conversation)|(?:options|solutions),? not problems|feel(?:s)? heard"
    r"|(?:really|truly) matters|(?:are|is|be|being|stay|stays|get|keep|remain) (?:all )?aligned"
    r"|go[- ]to[- ]market strategy|open communication|common ground|rally around"
    r"|(?:put|keep|place) the (?:user|customer) at the cent(?:re|er)|challeng\w+ the status quo"
    r"|(?:is|are) (?:really |so |super )?(?:key|crucial|paramount)\b"
)
PLATITUDES = re.compile(
    r"\b(?:" + EMPTY_PHRASES
    + r"|in the loop|(?:set|setting|manage|managing) expectations|lessons learned"
    r"|key learnings?|focus on (?:the )?(?:customer|user|value|impact|outcomes?)"
    r"|deliver(?:ing)? value|add(?:ing)? value)",
    re.I,
)
EMPTY = re.compile(r"\b(?:" + EMPTY_PHRASES + r")", re.I)


@dataclass
class Detail:
    kind: str  # number, time, role, artefact, name or example
    text: str


@dataclass
class Specificity:
    details: list[Detail] = field(default_factory=list)
    platitudes: list[str] = field(default_factory=list)
    words: int = 0
    vague: bool = False

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Specificity:
        details = [Detail(str(d.get("kind", "")), str(d.get("text", "")))
                   for d in data.get("details", []) if isinstance(d, dict)]
        return cls(details, [str(p) for p in data.get("platitudes", [])],
                   int(data.get("words", 0)), bool(data.get("vague", False)))

    @property
    def per_100_words(self) -> float:
        return 100 * len(self.details) / self.words if self.words else 0.0


def _spans(text: str) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    for kind, pattern in DETAIL_PATTERNS:
        found += [(m.start(), m.end(), kind) for m in pattern.finditer(text)]
    found += [(m.start(), m.end(), "name") for m in _NAME.finditer(text)
              if m.group(0).split()[0] not in _NOT_NAMES]
    # Keep the longest of overlapping finds, so "head of support" is one detail, not two; and
    # none inside a platitude: "at the end of the day" names no day.
    stock = [(m.start(), m.end()) for m in PLATITUDES.finditer(text)]
    found.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, str]] = []
    for span in found:
        if kept and span[0] < kept[-1][1]:
            continue
        if any(a < span[1] and span[0] < b for a, b in stock):
            continue
        kept.append(span)
    return kept


def has_detail(text: str) -> bool:
    return bool(_spans(text))


def measure(text: str) -> Specificity:
    words = len(text.split())
    details = [Detail(kind, text[a:b]) for a, b, kind in _spans(text)]
    platitudes = [m.group(0) for m in PLATITUDES.finditer(text)]
    density = 100 * len(details) / words if words else 0.0
    vague = bool(words) and density < MIN_DETAILS_PER_100_WORDS
    return Specificity(details, platitudes, words, vague)


def summary(s: Specificity) -> str:
    """One plain sentence for every report format."""
    if not s.words:
        return ""

    def quoted(items: list[str]) -> str:
        return ", ".join(f'"{i}"' for i in list(dict.fromkeys(items))[:MAX_QUOTES])
    details = f"{len(s.details)} concrete detail{'s' if len(s.details) != 1 else ''}"
    if s.details:
        details += f" ({quoted([d.text for d in s.details])})"
    platitudes = ""
    if s.platitudes:
        platitudes = (f"; {len(s.platitudes)} generic phrase"
                      f"{'s' if len(s.platitudes) != 1 else ''} ({quoted(s.platitudes)})")
    if s.vague:
        return (f"Vague: {details} in {s.words} words{platitudes}. Say who does what, to whom "
                "and when: a number, a named role or team, a date, a named process.")
    return f"Specific: {details} in {s.words} words{platitudes}."


def specificity_line(s: Specificity | None) -> str:
    """The summary for one question of a critique; empty when it has none (unanswered)."""
    return summary(s) if s is not None else ""
