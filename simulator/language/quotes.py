"""Finding a quoted piece of an answer in its transcript, as the candidate's exact words.

A model quoting a transcript drops a filler, fixes punctuation or changes a word now and then.
Such a near-quote still points at something the candidate said, so it is accepted, and the
transcript's own words replace it. A quote that matches nothing closely is not evidence.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from simulator.language.words import spelling

FILLERS = frozenset({"um", "uh", "erm", "er", "ah", "hmm", "mm", "uhm"})
# Share of the quote's words that must line up with the transcript's, in order.
MIN_SIMILARITY = 0.8
# A quote this short must match exactly: a near-match of three words is a coincidence.
MIN_FUZZY_WORDS = 4
MAX_QUOTE_WORDS = 200

_WORD = re.compile(r"\S+")


def _words(text: str) -> list[tuple[str, int, int]]:
    out = []
    for m in _WORD.finditer(text):
        w = spelling(m.group(0))
        if w and w not in FILLERS:
            out.append((w, m.start(), m.end()))
    return out


def find_quote(quote: str, transcript: str) -> str | None:
    """The transcript's words that `quote` stands for, or None when it is not there."""
    want = [w for w, _, _ in _words(quote)]
    said = _words(transcript)
    if not want or not said or len(want) > MAX_QUOTE_WORDS:
        return None
    words = [w for w, _, _ in said]
    n = len(want)
    for i in range(len(words) - n + 1):
        if words[i: i + n] == want:
            return transcript[said[i][1]: said[i + n - 1][2]]
    if n < MIN_FUZZY_WORDS:
        return None
    anchors = set(want[:3]) | set(want[-3:])
    best: tuple[float, int, int] = (0.0, 0, 0)
    for i, w in enumerate(words):
        if w not in anchors:
            continue
        for length in range(max(1, n - 3), n + 4):
            for start in (i, i - n + 1 + (n - length)):
                if start < 0 or start + length > len(words):
                    continue
                ratio = SequenceMatcher(None, want, words[start: start + length],
                                        autojunk=False).ratio()
                if ratio > best[0]:
                    best = (ratio, start, start + length)
    ratio, start, end = best
    if ratio < MIN_SIMILARITY:
        return None
    # Trim unmatched words at either end, so the shown quote starts and ends on the quote.
    while start < end and words[start] not in want:
        start += 1
    while end > start and words[end - 1] not in want:
        end -= 1
    return transcript[said[start][1]: said[end - 1][2]] if end > start else None
