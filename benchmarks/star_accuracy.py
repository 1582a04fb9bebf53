"""How well the STAR feedback reads a story: labelled stories in tests/data/star/.

    python benchmarks/star_accuracy.py [--wrong N]

For the tuning half, the measured half and the unseen stories, prints the share of components
found correctly (situation, task, action and result present or not, the result measured or
not, the kind of event, and whose actions), each component's accuracy, and how often the quote
shown for a part found holds the labelled quote. With --wrong, the first N misjudgements of
the tuning half (the only half to look into).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import star_stories  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wrong", type=int, default=0, metavar="N",
                        help="print the first N misjudged components of the tuning half")
    args = parser.parse_args()
    for half in star_stories.HALVES:
        if not (star_stories.STARS / f"{half}.toml").exists():
            continue
        s = star_stories.score(star_stories.load(half))
        parts = "  ".join(f"{name} {s.of(name):.0%}" for name in star_stories.JUDGED)
        quotes = f"{s.quotes_right / s.quotes:.0%}" if s.quotes else "n/a"
        print(f"{half:8} {s.stories:3} stories: {s.share:.0%} of components right  ({parts}); "
              f"quotes agree {quotes}")
        if half == "tune":
            for story_id, name, want, got in s.wrong[: args.wrong]:
                print(f"    {story_id}: {name} labelled {want!r}, found {got!r}")


if __name__ == "__main__":
    main()
