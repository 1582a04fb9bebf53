"""Whether an answer is said in sentences at all.

Every English sentence leans on small words: "I", "the", "to", "and", "we", "would". Even a
clipped, spoken list of steps ("First: ask the tech lead why the estimate moved") is made of a
fifth of them or more. A run of rubric vocabulary with next to none of them is a word list,
and a word list shows no action, whatever terms it holds.
"""

from __future__ import annotations

from simulator.language.matching import STOPWORDS
from simulator.language.words import spellings

# Below this share of small words an answer is not sentences; about half of the share the
# tersest answers written as sentences have.
MIN_SMALL_WORDS = 0.1
# Shorter answers are judged as they are: a few words can be a fair fragment.
MIN_WORDS = 20


def is_word_list(text: str) -> bool:
    words = spellings(text)
    if len(words) < MIN_WORDS:
        return False
    return sum(w in STOPWORDS for w in words) / len(words) < MIN_SMALL_WORDS
