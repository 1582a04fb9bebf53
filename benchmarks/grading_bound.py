"""How long the offline grader takes on the worst bank the loader accepts and a long answer.

    .venv/bin/python benchmarks/grading_bound.py [--words 3000]

Builds a question at every limit of the bank format (6 points, each an action and 4 concepts
of 200 different terms of up to 8 words, with the shortest wildcards allowed), made of the very
words the answers use, so that every term is worth trying everywhere. Then grades, with the
sentence model loaded beforehand, answers of `--words` words: one word said over and over, the
bank's vocabulary shuffled with no punctuation (a word list, which earns nothing at once), and
the same words with the small words of sentences between them. Prints the seconds each takes,
terms alone and in full. Goal: <= 2 s each.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.core.contracts import Exchange, QuestionRecord  # noqa: E402
from simulator.core.questions import (  # noqa: E402
    MAX_CONCEPTS,
    MAX_TERM_WORDS,
    MAX_TERMS,
    MIN_WILDCARD_STEM,
    parse_bank,
)
from simulator.interviewers.rubric import assess, critique_question, semantic_grader  # noqa: E402

VOCABULARY = ("tell", "team", "test", "stakeholders", "early", "launch", "metric", "users",
              "roll", "out", "data", "plan", "risk", "date", "ship")
POINTS = 6


def worst_terms(rng: random.Random, salt: int) -> list[str]:
    """MAX_TERMS different phrases of the vocabulary, long ones and wildcards among them."""
    out: set[str] = set()
    while len(out) < MAX_TERMS:
        n = rng.randint(1, MAX_TERM_WORDS)
        words = [rng.choice(VOCABULARY) for _ in range(n)]
        words = [w[:MIN_WILDCARD_STEM] + "*" if rng.random() < 0.3 else w for w in words]
        out.add(" ".join(words))
    return sorted(out, key=lambda t: (hash((t, salt)), t))


def worst_bank(rng: random.Random) -> str:
    def toml_list(terms: list[str]) -> str:
        return "[" + ", ".join(f'"{t}"' for t in terms) + "]"

    points = []
    for k in range(POINTS):
        concepts = "\n".join(f"c{j} = {toml_list(worst_terms(rng, k * 10 + j))}"
                             for j in range(MAX_CONCEPTS))
        points.append(f"""
[[questions.rubric]]
id = "p{k}"
strong = "Tells the stakeholders early about the launch date and the risk."
probe = "Who hears about it, and when?"
action = {toml_list(worst_terms(rng, k))}
[questions.rubric.concepts]
{concepts}
""")
    return ("schema = 2\nid = \"worst\"\n[[questions]]\nid = \"worst-case\"\ncategory = \"x\"\n"
            "text = \"How would you tell people about a launch?\"\ntarget_seconds = 600\n"
            "model_answer = \"Tell them early.\"\n" + "".join(points))


def answers(rng: random.Random, words: int) -> dict[str, str]:
    said = [rng.choice(VOCABULARY) for _ in range(words)]
    # The same vocabulary with the small words of a sentence between, so that it is graded
    # rather than set aside as a word list, and every term is tried.
    small = ("I", "would", "the", "to", "and", "we", "then")
    spoken = [w for pair in zip(said, (rng.choice(small) for _ in said), strict=True)
              for w in pair][:words]
    sentences = " ".join(" ".join(spoken[i:i + 12]).capitalize() + "."
                         for i in range(0, words, 12))
    return {"one word repeated": " ".join(["tell"] * words),
            "a word list": " ".join(said),
            "the words in sentences": sentences}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--words", type=int, default=3000)
    args = parser.parse_args()
    rng = random.Random(7)
    (question,) = parse_bank(worst_bank(rng), "worst.toml")
    terms = sum(len(p.action) + sum(len(t) for _, t in p.concepts) for p in question.rubric)
    print(f"bank: {len(question.rubric)} points, {terms} terms; answers of {args.words} words")
    started = time.perf_counter()
    if semantic_grader() is None:
        print("the sentence model is not installed: timing the term rules alone")
    else:
        assess(question, "I'd tell them early.")
        print(f"sentence model loaded in {time.perf_counter() - started:.1f} s (not counted)")
    for name, text in answers(rng, args.words).items():
        t0 = time.perf_counter()
        assess(question, text, grader=None)
        terms_only = time.perf_counter() - t0
        t0 = time.perf_counter()
        critique = critique_question(QuestionRecord(
            question, [Exchange(question.text, "question", _transcript(text))]))
        full = time.perf_counter() - t0
        print(f"  {name:<24} terms {terms_only:5.2f} s   full critique {full:5.2f} s   "
              f"score {critique.score}")
    return 0


def _transcript(text: str):
    from audio.stt import Transcript

    return Transcript(text)


if __name__ == "__main__":
    sys.exit(main())
