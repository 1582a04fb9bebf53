"""How far the critique can be trusted: an interviewer's verdicts on labelled answers.

    python benchmarks/coaching_accuracy.py                     # the offline rubric interviewer
    python benchmarks/coaching_accuracy.py --spoken 6   # and 6 strong answers through TTS, Whisper
    python benchmarks/coaching_accuracy.py --interviewer openai --model llama3.2
    python benchmarks/coaching_accuracy.py --data my-answers.toml

Prints, for the tuning half, the measured half and the unseen answers of each bundled bank in
tests/data/coaching/ (or the files given):
per kind of answer the share of rubric points credited and the mean score; point-level
precision, recall and F1; whether strong > partial > vague and rambling holds per question;
the vague-answer verdict's accuracy; and the worst misjudged points with the sentence that
misled the grader.
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
    Graded,
    Report,
    grade_all,
    kind_scores,
    load_labelled,
    report,
)

DATA = ROOT / "tests" / "data" / "coaching"


def print_report(name: str, graded: list[Graded], r: Report, worst: int) -> None:
    print(f"\n== {name}: {len(graded)} answers, "
          f"{sum(len(g.answer.labels) for g in graded)} labelled points")
    print(f"{'kind':<14} {'credited':>9} {'mean score':>11}")
    for kind in KINDS:
        print(f"{kind:<14} {r.credited_share[kind]:>8.0%} {r.mean_score[kind]:>11.1f}")
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
    p.add_argument("--data", nargs="+", type=Path,
                   default=[DATA / f"{bank}{half}.toml" for bank in ("", "behavioural-")
                            for half in ("tune", "measure", "unseen")
                            if (DATA / f"{bank}{half}.toml").exists()],
                   help="labelled answer files (default: the tuning answers, the measured "
                        "half and the unseen answers of each bundled bank)")
    p.add_argument("--interviewer", choices=("rubric", "openai"), default="rubric")
    p.add_argument("--model")
    p.add_argument("--prompts", type=Path)
    p.add_argument("--worst", type=int, default=8, help="misjudged points to list per file")
    p.add_argument("--spoken", type=int, default=0, metavar="N",
                   help="also speak N strong answers of the first file through TTS and Whisper")
    args = p.parse_args()
    args.bank = []
    bank = load_bank()
    interviewer, described = build_interviewer(args)
    print(f"interviewer: {described}")
    for path in args.data:
        answers = load_labelled(path, bank)
        started = time.perf_counter()
        graded = grade_all(interviewer, bank, answers)
        elapsed = time.perf_counter() - started
        print_report(f"{path.name} ({elapsed:.1f} s)", graded, report(graded), args.worst)
    if args.spoken:
        spoken_check(interviewer, bank, load_labelled(args.data[0], bank), args.spoken)
    return 0


if __name__ == "__main__":
    sys.exit(main())
