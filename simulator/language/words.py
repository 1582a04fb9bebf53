"""One spelling of a word, for every place that compares words.

A quote the LLM check accepts must be found again for click-to-seek in the HTML report, a
closing phrase must be matched against Whisper's word list, and fillers counted in it: when
each place cleaned words its own way, they disagreed on "40%", "don’t" and "Done."
"""

from __future__ import annotations

import re

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
_NOT_KEPT = re.compile(r"[^a-z0-9%']")


def spelling(word: str, apostrophes: bool = False) -> str:
    """Lowercase letters, digits and "%"; apostrophes only when asked for ("we're" is not
    "were"), and then always the straight one."""
    kept = _NOT_KEPT.sub("", word.lower().translate(_APOSTROPHES))
    return kept if apostrophes else kept.replace("'", "")


def spellings(text: str) -> list[str]:
    """The spelling of every word in a text, leaving out what has none (a lone dash)."""
    return [s for s in map(spelling, text.split()) if s]
