"""Does the answer so far read as unfinished? Cues in the transcript at a pause.

These only ever lengthen the wait before the turn ends: a candidate who stops on "and", "the"
or "um", or who has announced "two things" and given one, is still talking, whatever the
end-of-turn model makes of the sound. The opposite reading is never taken from the words: a
sentence that reads complete may be the first of several.
"""

from __future__ import annotations

import re

from simulator.language.delivery import SIMPLE_FILLERS
from simulator.language.words import spelling

# Words a sentence hardly ends on. Words that often do ("on", "up", "that", "it", "first",
# "this", "her", "both") are left out: a cue that fires on a finished answer costs the full
# wait every time.
CONJUNCTIONS = {"and", "but", "or", "nor", "so", "because", "cause", "since", "although",
                "though", "while", "if", "unless", "whereas", "than", "whether", "plus", "then",
                "which", "who", "whose", "where", "when", "as"}
DETERMINERS = {"the", "a", "an", "these", "those", "my", "our", "your", "their", "its", "every",
               "another", "such"}
PREPOSITIONS = {"to", "of", "for", "with", "from", "by", "at", "into", "onto", "about",
                "between", "towards", "toward", "during", "without", "within", "via", "per",
                "across", "against", "among", "like", "including", "regarding"}
# Auxiliaries and modals, and subject pronouns: "what I would do is", "and then I". "as we
# could" and "what the risk is" end sentences too; those cost a longer wait, never a cut-off.
# "do", "have" and "had" are left out: "that's what I would do" is how answers end.
VERBS = {"would", "will", "could", "should", "can", "might", "must", "shall", "is", "are",
         "was", "were", "am", "be", "been", "id", "wed", "ill", "youd", "theyd", "hed", "shed",
         "gonna", "wanna", "lets"}
SUBJECTS = {"i", "we", "they", "he", "she"}
# Not "well": "as well" ends sentences.
FILLERS = SIMPLE_FILLERS | {"uhm", "basically", "actually"}
TRAILING = CONJUNCTIONS | DETERMINERS | PREPOSITIONS | VERBS | SUBJECTS | FILLERS
# Two-word endings that trail off although their last word alone may not: "kind of", "is that".
TRAILING_PAIRS = {("kind", "of"), ("sort", "of"), ("you", "know"), ("i", "mean"),
                  ("is", "that"), ("was", "that"), ("so", "that"), ("such", "that"),
                  ("think", "that"), ("thought", "that"), ("said", "that"), ("so", "um"),
                  ("more", "than"), ("rather", "than")}

# Punctuation Whisper writes where speech trails off: "we decided to...", "and then, um,".
TRAILING_MARKS = re.compile(r"(?:,|\.\.\.|…|-|–|—|:|;)\s*$")

# A list is opened by "first"/"firstly" at the start of a clause, "the first thing/step",
# or a count of things, and closed by a later item. A count is also closed by "X and Y".
# Many answers open with "First I..." and carry on as a story without a "second": a list not
# continued within a couple of sentences counts as closed.
_ITEMS = (r"things?|ways?|steps?|reasons?|points?|options?|questions?|parts?|areas?|risks?|"
          r"ideas?|priorities|metrics?|goals?|problems?|phases?|stages?|lessons?|changes?")
_OPENER = re.compile(
    r"(?:^|[.!?,;:]\s*|\b(?:and|so|well|um|uh|okay|ok)\s+)(?:first(?:ly)?|first of all|"
    r"to (?:start|begin) with|number one)\b"
    r"|\b(?:the|my|our|a|one) first (?:" + _ITEMS + r")\b", re.I)
_COUNT = re.compile(r"\b(?:two|three|four|five|2|3|4|5|a few|a couple of|several) (?:main |key |"
                    r"big |important |different )?(?:" + _ITEMS + r")\b", re.I)
_NEXT_ITEM = re.compile(r"\b(?:second(?:ly)?|then|next|finally|lastly|last of all|third(?:ly)?|"
                        r"the other (?:one|thing)?|another (?:one|thing)|after that|"
                        r"number two|2nd)\b", re.I)
_AND = re.compile(r"\band\b", re.I)
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")
LIST_SENTENCES = 2  # sentences after the opener within which the next item must come


def open_list(text: str) -> bool:
    """An announced list whose next item has not come yet."""
    opened = None
    for match in _OPENER.finditer(text):
        opened = (match.end(), False)
    for match in _COUNT.finditer(text):
        if opened is None or match.end() > opened[0]:
            opened = (match.end(), True)
    if opened is None:
        return False
    rest = text[opened[0]:]
    if _NEXT_ITEM.search(rest) or len(_SENTENCE_END.findall(rest)) > LIST_SENTENCES:
        return False
    # "two things: the error rate and the queue" names both at once; "first" wants a second.
    return not (opened[1] and _AND.search(rest))


def unfinished(text: str) -> str | None:
    """Why the transcript so far reads as cut off mid-thought, or None if nothing says so."""
    stripped = text.strip()
    if not stripped:
        return None
    if TRAILING_MARKS.search(stripped):
        return "trails off"
    words = [w for w in (spelling(x) for x in stripped.split()) if w]
    if words and words[-1] in TRAILING:
        return f'ends on "{words[-1]}"'
    if len(words) >= 2 and (words[-2], words[-1]) in TRAILING_PAIRS:
        return f'ends on "{words[-2]} {words[-1]}"'
    if open_list(stripped):
        return "a list with one item so far"
    return None
