"""Whether the quote the critique shows is the evidence: the offline grader's quotes against
sentences that a reader marked as showing each point.

    python benchmarks/quote_accuracy.py                          # the marked tuning answers
    python benchmarks/quote_accuracy.py --sample 100 -o s.md     # a blind sample to judge

`tests/data/evidence/tune.json` holds rightly credited points of tuning answers with the
sentence (or adjacent pair) that a reader who never saw the grader marked as showing the point
best; the quote choice (`QUOTE_*` in `simulator/interviewers/point_model.py`) was tuned on
them. Prints the share of points whose quote is a marked sentence or the marked pair, the
share quoting the answer's opening sentence when it was not marked, and the share quoting a
sentence that another point quotes too.

`--sample N -o FILE` writes N rightly credited points of the measured files (never tuned on)
with their quotes, for a reader to judge blind. `tests/data/evidence/judged-measure.json` is
such a judgement and is summarised at the end.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.core.questions import load_bank  # noqa: E402
from simulator.interviewers.accuracy import (  # noqa: E402
    grade_all,
    load_labelled,
    load_marked,
    quote_report,
)
from simulator.interviewers.rubric import RubricInterviewer  # noqa: E402

EVIDENCE = ROOT / "tests" / "data" / "evidence"
NEW_BANK = ROOT / "tests" / "data" / "newbank" / "em_bank.toml"
MEASURED = [ROOT / "tests" / "data" / "coaching" / f"{name}.toml" for name in (
    "measure", "unseen", "new-kinds-measure", "behavioural-measure", "behavioural-unseen",
    "behavioural-new-kinds")] + [ROOT / "tests" / "data" / "newbank" / "answers.toml"]


def write_sample(bank, count: int, out: Path) -> None:
    items = []
    for path in MEASURED:
        for g in grade_all(RubricInterviewer(), bank, load_labelled(path, bank)):
            q = bank.get(g.answer.question_id)
            items += [{"question": q.text, "point": p.strong, "answer": g.answer.text,
                       "quote": p.evidence} for p in g.critique.points
                      if p.status != "missed" and g.answer.labels[p.id] != "missed"]
    random.Random(count).shuffle(items)
    lines = [f"## {i}\nQUESTION: {it['question']}\nPOINT: {it['point']}\n"
             f"ANSWER: {it['answer']}\nQUOTE: {it['quote']}\n"
             for i, it in enumerate(items[:count], 1)]
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {min(count, len(items))} of {len(items)} rightly credited points to {out}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sample", type=int, default=0, metavar="N")
    p.add_argument("-o", "--output", type=Path, metavar="FILE")
    args = p.parse_args()
    bank = load_bank([NEW_BANK])
    marked = load_marked(EVIDENCE / "tune.json")
    r = quote_report(marked, bank)
    n = r.points or 1
    print(f"tuning answers: {len(marked)} marked points, {r.points} credited")
    print(f"  quote is a marked sentence or pair   {r.share:.0%}")
    print(f"  quote is the unmarked opener         {r.opener / n:.0%}")
    print(f"  quote is another point's quote too   {r.shared / n:.0%}")
    if args.sample and args.output:
        write_sample(bank, args.sample, args.output)
    judged = EVIDENCE / "judged-measure.json"
    if judged.exists():
        verdicts = Counter(v["verdict"] for v in json.loads(judged.read_text("utf-8")))
        total = sum(verdicts.values()) or 1
        print(f"measured answers judged blind ({total} quotes): shows the point "
              f"{verdicts['shows'] / total:.0%}, part of it {verdicts['part'] / total:.0%}, "
              f"not it {verdicts['wrong'] / total:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
