"""How far the critique can be trusted: an interviewer's verdicts on labelled answers.

    python benchmarks/coaching_accuracy.py                     # the offline rubric interviewer
    python benchmarks/coaching_accuracy.py --terms-only        # ...without the sentence model
    python benchmarks/coaching_accuracy.py --spoken 6   # and 6 strong answers through TTS, Whisper
    python benchmarks/coaching_accuracy.py --interviewer openai --model llama3.2
    python benchmarks/coaching_accuracy.py --data my-answers.toml --bank my-bank.toml

Prints, for every labelled file in tests/data/coaching/ and tests/data/newbank/ (or the files
given), and for the set it belongs to: agreement with the labels as quadratic weighted kappa
(QWK) over covered, partial and missed, exact agreement, point-level precision, recall and F1,
false praise (points labelled missed that were graded covered), the correlation of answer
scores with the labels' scores and their mean absolute error; per kind of answer the share of
points credited, the mean score and the labels' mean score; whether strong > partial > vague
and rambling holds per question; the vague-answer verdict's accuracy; and the worst misjudged
points with the sentence that misled the grader.

Only the execution bank's tuning files (`tune.toml`, `new-kinds-tune*.toml`) were ever tuned on.
The behavioural bank, every other file and the new bank written from the docs are measured
only.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.command.runner import build_interviewer  # noqa: E402
from simulator.core.questions import load_bank  # noqa: E402
from simulator.interviewers.accuracy import (  # noqa: E402
    KINDS,
    NEW_KINDS,
    STRONG_FORMS,
    Graded,
    Report,
    grade_all,
    kind_scores,
    load_labelled,
    report,
)
from simulator.interviewers.rubric import RubricInterviewer  # noqa: E402

DATA = ROOT / "tests" / "data" / "coaching"
NEW_BANK = ROOT / "tests" / "data" / "newbank"
# Every labelled file, the set it belongs to, and whether it was tuned on.
SETS = [
    ("tune.toml", "execution, familiar kinds", "tuned on"),
    ("measure.toml", "execution, familiar kinds", "measured"),
    ("unseen.toml", "execution, familiar kinds", "measured, never read"),
    ("new-kinds-tune.toml", "execution, new kinds", "tuned on"),
    ("new-kinds-tune-2.toml", "execution, new kinds", "tuned on"),
    ("new-kinds-tune-3.toml", "execution, new kinds", "tuned on"),
    ("new-kinds-measure.toml", "execution, new kinds", "measured"),
    ("behavioural-tune.toml", "behavioural bank (never tuned on)", "measured"),
    ("behavioural-measure.toml", "behavioural bank (never tuned on)", "measured"),
    ("behavioural-unseen.toml", "behavioural bank (never tuned on)", "measured"),
    ("behavioural-new-kinds.toml", "behavioural bank, new kinds", "measured"),
    ("answers.toml", "a bank written from the docs (em-practice)", "measured"),
]


def default_files() -> list[Path]:
    found = [DATA / name for name, _, _ in SETS if (DATA / name).exists()]
    return found + ([NEW_BANK / "answers.toml"] if (NEW_BANK / "answers.toml").exists() else [])


def set_of(path: Path) -> tuple[str, str]:
    for name, group, use in SETS:
        if path.name == name:
            return group, use
    return path.name, "measured"


def print_summary(name: str, r: Report, graded: list[Graded]) -> None:
    print(f"{name:<52} {len(graded):>4} {r.qwk:>5.2f} {r.exact:>6.0%} {r.f1:>5.2f} "
          f"{r.false_praise:>6.0%} {r.correlation:>5.2f} {r.mae:>5.1f}")


def print_report(name: str, graded: list[Graded], r: Report, worst: int) -> None:
    print(f"\n== {name}: {len(graded)} answers, "
          f"{sum(len(g.answer.labels) for g in graded)} labelled points")
    print(f"QWK {r.qwk:.2f}  exact {r.exact:.0%}  false praise {r.false_praise:.0%}  "
          f"score r {r.correlation:.2f}  MAE {r.mae:.1f}")
    print(f"{'kind':<14} {'answers':>8} {'credited':>9} {'mean score':>11} {'labels':>7}")
    for kind in KINDS + NEW_KINDS:
        n = sum(g.answer.kind == kind for g in graded)
        if n:
            print(f"{kind:<14} {n:>8} {r.credited_share[kind]:>8.0%} "
                  f"{r.mean_score[kind]:>11.1f} {r.label_mean[kind]:>7.1f}")
    print(f"point level: precision {r.precision:.2f}  recall {r.recall:.2f}  F1 {r.f1:.2f}")
    held = sum(r.ordered.values())
    print(f"strong > partial > vague and rambling: {held} of {len(r.ordered)} questions")
    for qid, ok in r.ordered.items():
        if not ok:
            scores = kind_scores([g for g in graded if g.answer.question_id == qid])
            print(f"  fails for {qid}: " + ", ".join(f"{k} {v:.0f}" for k, v in scores.items()))
    print(f"'vague' verdict agrees with the label on {r.vague_accuracy:.0%} of the answers "
          "that are not rambling")
    if worst:
        weight = {(g.answer.question_id, p.id): p.weight for g in graded
                  for p in g.critique.points}
        wrong = sorted(r.false_credit, key=lambda f: -weight[(f[0].answer.question_id, f[1])])
        print(f"worst credit given wrongly ({len(r.false_credit)} in all):")
        for g, point, evidence in wrong[:worst]:
            print(f"  {g.answer.question_id}/{point} [{g.answer.kind}]: \"{evidence}\"")
        print(f"credit withheld wrongly: {len(r.missed_credit)} points")
        for g, point in r.missed_credit[:worst]:
            print(f"  {g.answer.question_id}/{point} [{g.answer.kind}]")


def spoken_check(interviewer, bank, answers, count: int) -> None:
    """Strong answers spoken by espeak-ng and transcribed by Whisper, against their text."""
    from audio.stt import WhisperTranscriber
    from audio.tts import LocalVoice

    voice = LocalVoice("en-us")
    whisper = WhisperTranscriber()
    whisper.load()
    chosen = [a for a in answers if a.kind in ("strong-plain", "strong-story")][:count]
    text = grade_all(interviewer, bank, chosen)
    started = time.perf_counter()
    spoken = grade_all(interviewer, bank, chosen,
                       lambda a: whisper.transcribe(voice.synthesize(a.text)))
    gaps = [abs(t.critique.score - s.critique.score) for t, s in zip(text, spoken, strict=True)]
    print(f"\n== spoken (espeak-ng -> tiny.en), {len(chosen)} strong answers, "
          f"{time.perf_counter() - started:.0f} s")
    for t, s, gap in zip(text, spoken, gaps, strict=True):
        print(f"  {t.answer.question_id:<32} text {t.critique.score:>3}  spoken "
              f"{s.critique.score:>3}  gap {gap}")
    print(f"mean gap {sum(gaps) / len(gaps):.1f} points, largest {max(gaps)}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", nargs="+", type=Path, default=default_files(),
                   help="labelled answer files (default: every labelled file)")
    p.add_argument("--bank", nargs="*", type=Path, default=[NEW_BANK / "em_bank.toml"],
                   help="banks to load besides the bundled ones (default: the bank written "
                        "from the docs)")
    p.add_argument("--terms-only", action="store_true",
                   help="grade with the term rules alone, without the sentence model")
    p.add_argument("--interviewer", choices=("rubric", "openai"), default="rubric")
    p.add_argument("--model")
    p.add_argument("--prompts", type=Path)
    p.add_argument("--worst", type=int, default=8, help="misjudged points to list per file")
    p.add_argument("--spoken", type=int, default=0, metavar="N",
                   help="also speak N strong answers of the first file through TTS and Whisper")
    args = p.parse_args()
    bank = load_bank([b for b in args.bank if b.exists()])
    args.bank = []
    interviewer, described = build_interviewer(args)
    if args.terms_only:
        interviewer = RubricInterviewer(terms_only=True)
        described = "rubric, terms only"
    print(f"interviewer: {described}")
    results: list[tuple[Path, list[Graded], Report, float]] = []
    for path in args.data:
        answers = load_labelled(path, bank)
        started = time.perf_counter()
        graded = grade_all(interviewer, bank, answers)
        elapsed = time.perf_counter() - started
        results.append((path, graded, report(graded), elapsed / max(len(graded), 1)))
        print_report(f"{path.name} ({elapsed:.1f} s)", graded, results[-1][2], args.worst)
    print(f"\n== summary\n{'file (use)':<52} {'ans':>4} {'QWK':>5} {'exact':>6} {'F1':>5} "
          f"{'praise':>6} {'r':>5} {'MAE':>5}")
    for path, graded, r, _ in results:
        print_summary(f"{path.name} ({set_of(path)[1]})", r, graded)
    groups: dict[str, list[Graded]] = {}
    for path, graded, _, _ in results:
        if set_of(path)[1] != "tuned on":
            groups.setdefault(set_of(path)[0], []).extend(graded)
    print(f"\n{'measured set (files not tuned on, together)':<52}")
    for group, graded in groups.items():
        print_summary(group, report(graded), graded)
    strong = [g for path, graded, _, _ in results if set_of(path)[1] != "tuned on"
              for g in graded if g.answer.kind in STRONG_FORMS and g.label_score == 100]
    if strong:
        print(f"strong answers of any form (labels 100), measured: mean score "
              f"{sum(g.critique.score for g in strong) / len(strong):.1f} over {len(strong)}")
    per_answer = [t for *_, t in results]
    if per_answer:
        print(f"grading time per answer: mean {sum(per_answer) / len(per_answer) * 1000:.0f} ms")
    if args.spoken:
        spoken_check(interviewer, bank, load_labelled(args.data[0], bank), args.spoken)
    return 0


if __name__ == "__main__":
    sys.exit(main())
