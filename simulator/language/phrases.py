"""What the candidate says about the turn itself, rather than as part of the answer."""

from __future__ import annotations

import re
from dataclasses import replace

from audio.stt import Transcript
from simulator.language.words import spelling

_CLOSING = (
    r"that'?s (?:it|all|my answer)(?: for (?:this|that)(?: one)?)?",
    r"that is (?:it|all|my answer)",
    r"i'?m (?:done|finished)",
    r"i am (?:done|finished)",
    r"end of (?:my )?answer",
)
CLOSING = re.compile(r"(?:^|(?<=[.!?,])|\s)\s*(?:" + "|".join(_CLOSING) + r")[.!?]*\s*$", re.I)

REPEAT = re.compile(
    r"\b(?:repeat (?:the|that|your) question|repeat that|say that again|"
    r"could you repeat|can you repeat|come again|rephrase (?:that|the question))\b", re.I)
SKIP = re.compile(
    r"\b(?:skip (?:this|that|the question|it)|can we skip|pass on this|"
    r"next question|move on to the next)\b", re.I)
# A request is a short utterance; in a long answer these words are part of the answer.
MAX_REQUEST_WORDS = 14


def ends_with_closing(text: str) -> bool:
    return bool(CLOSING.search(text.strip()))


def request_in(text: str) -> str | None:
    """'repeat' or 'skip' when the whole utterance asks for that, else None."""
    if len(text.split()) > MAX_REQUEST_WORDS:
        return None
    if REPEAT.search(text):
        return "repeat"
    if SKIP.search(text):
        return "skip"
    return None


def strip_closing(t: Transcript) -> Transcript:
    """The transcript without a trailing "that's my answer", so it is not graded."""
    match = CLOSING.search(t.text.strip())
    if not match:
        return t
    text = t.text.strip()[: match.start()].rstrip(" ,")
    phrase_words = [w for w in (spelling(x) for x in match.group(0).split()) if w]
    words = list(t.words)
    # Drop the phrase's words from the end of the word list, matching them by spelling.
    for want in reversed(phrase_words):
        if words and spelling(words[-1].word) == want:
            words.pop()
    return replace(t, text=text, words=words)
