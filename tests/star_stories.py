"""The labelled stories in tests/data/star/, and how well the STAR feedback reads them.

Shared by tests/test_star.py and benchmarks/star_accuracy.py.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from simulator.language.star import PARTS, Star, star
from simulator.language.words import spellings

STARS = Path(__file__).parent / "data" / "star"
HALVES = ("tune", "measure", "unseen")
# What is judged for each story: the four parts, whether the result is measured, the kind of
# event, and whose actions they are.
JUDGED = (*PARTS, "measured", "event", "own")


def load(half: str) -> list[dict]:
    with open(STARS / f"{half}.toml", "rb") as f:
        return tomllib.load(f)["story"]


def _quote_agrees(found: str | None, labelled: str | None) -> bool:
    """The quote shown holds most of the words of the labelled one."""
    if not found or not labelled:
        return False
    want = spellings(labelled)
    have = set(spellings(found))
    return sum(w in have for w in want) >= 0.6 * len(want)


@dataclass
class Score:
    stories: int = 0
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(JUDGED, 0))
    quotes_right: int = 0
    quotes: int = 0
    wrong: list[tuple[str, str, object, object]] = field(default_factory=list)

    @property
    def share(self) -> float:
        """Share of judged components found correctly, over all stories."""
        return sum(self.right.values()) / (self.stories * len(JUDGED)) if self.stories else 0.0

    def of(self, name: str) -> float:
        return self.right[name] / self.stories if self.stories else 0.0


def found(s: Star, name: str) -> object:
    return s.found(name) if name in PARTS else getattr(s, name)


def score(stories: list[dict]) -> Score:
    out = Score()
    for story in stories:
        s = star(story["text"])
        out.stories += 1
        for name in JUDGED:
            want, got = story[name], found(s, name)
            if want == got:
                out.right[name] += 1
            else:
                out.wrong.append((story["id"], name, want, got))
        for part, quote in story.get("quotes", {}).items():
            if part in PARTS:
                out.quotes += 1
                out.quotes_right += _quote_agrees(getattr(s, part), quote)
    return out
