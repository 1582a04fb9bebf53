"""How well Whisper's word probabilities point at the words it mis-heard.

    .venv/bin/python benchmarks/unsure_words.py [--answers 12] [--words 70]

Speaks labelled answers whose words are known (tests/data/coaching/tune.toml, cut to
`--words` words at a sentence end) with several synthetic voices, transcribes them with the
bundled tiny.en model, and lines each transcript up with the words that were said. A
transcribed word is wrong when it is not the word said there (a substitution or an insertion).
For every probability threshold, a word below it is "flagged"; the benchmark prints, per voice,
the share of wrong words that are flagged (recall) and the share of flagged words that are
wrong (precision).

The threshold is chosen on the tuning voice only (espeak-ng en-us) as the one with the best F1,
then measured as it is on the other voices, which it never saw.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audio.stt import WhisperTranscriber  # noqa: E402
from audio.tts import LocalVoice, PiperVoice, bundled_piper_voices, local_voice  # noqa: E402

DATA = ROOT / "tests" / "data" / "coaching" / "tune.toml"
TUNE_VOICE = "espeak en-us"
THRESHOLDS = [round(0.05 * k, 2) for k in range(1, 19)]


@dataclass(frozen=True)
class Heard:
    probability: float
    wrong: bool


def norm(text: str) -> list[str]:
    """Lowercase words without punctuation, "18%" read as "18 percent", "pm's" as "pms"."""
    text = text.lower().replace("%", " percent").replace("'", "").replace("\u2019", "")
    return re.findall(r"[a-z0-9]+", text)


def heard(said: str, words: list) -> list[Heard]:
    """Each transcribed word, and whether it is not the word said at its place."""
    ref = norm(said)
    hyp = [(part, w.probability) for w in words for part in norm(w.word)]
    out = [Heard(p, True) for _, p in hyp]
    matcher = difflib.SequenceMatcher(a=ref, b=[h for h, _ in hyp], autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            out[block.b + k] = Heard(hyp[block.b + k][1], False)
    return out


def cut(text: str, words: int) -> str:
    """The answer's first sentences, up to about `words` words."""
    out: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if out and len(" ".join(out).split()) + len(sentence.split()) > words:
            break
        out.append(sentence)
    return " ".join(out)


def voices() -> dict[str, object]:
    found: dict[str, object] = {"espeak en-us": LocalVoice("en-us"),
                                "espeak en-gb-x-rp": LocalVoice("en-gb-x-rp"),
                                "espeak en-us+f3": LocalVoice("en-us+f3")}
    piper = local_voice(None)
    if isinstance(piper, PiperVoice) and bundled_piper_voices():
        found["piper joe"] = piper
    return found


def scores(rows: list[Heard], threshold: float) -> tuple[float, float, float, int]:
    flagged = [h for h in rows if h.probability < threshold]
    wrong = [h for h in rows if h.wrong]
    hits = sum(h.wrong for h in flagged)
    recall = hits / len(wrong) if wrong else 0.0
    precision = hits / len(flagged) if flagged else 0.0
    f1 = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
    return recall, precision, f1, len(flagged)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", type=int, default=12)
    parser.add_argument("--words", type=int, default=70)
    args = parser.parse_args()
    with open(DATA, "rb") as f:
        texts = [cut(a["text"], args.words) for a in tomllib.load(f)["answers"]
                 if a["kind"] in ("strong-plain", "strong-story", "partial")][:args.answers]
    whisper = WhisperTranscriber()
    whisper.load()
    by_voice: dict[str, list[Heard]] = {}
    for name, voice in voices().items():
        started = time.perf_counter()
        rows: list[Heard] = []
        for text in texts:
            rows += heard(text, whisper.transcribe(voice.synthesize(text)).words)
        by_voice[name] = rows
        wrong = sum(h.wrong for h in rows)
        print(f"{name:<20} {len(rows):>5} words heard, {wrong:>4} wrong "
              f"({wrong / max(len(rows), 1):.1%}), {time.perf_counter() - started:.0f} s")
    tune = by_voice.get(TUNE_VOICE, [])
    best = max(THRESHOLDS, key=lambda t: scores(tune, t)[2])
    print(f"\nthreshold chosen on {TUNE_VOICE}: probability < {best}")
    print(f"{'voice':<20} {'use':<9} {'flagged':>7} {'recall':>7} {'precision':>9} {'F1':>5}")
    for name, rows in by_voice.items():
        recall, precision, f1, flagged = scores(rows, best)
        use = "tuned on" if name == TUNE_VOICE else "measured"
        print(f"{name:<20} {use:<9} {flagged:>7} {recall:>7.0%} {precision:>9.0%} {f1:>5.2f}")
    print("\nother thresholds on the measured voices together (recall / precision):")
    measured = [h for name, rows in by_voice.items() if name != TUNE_VOICE for h in rows]
    for t in THRESHOLDS[::2]:
        recall, precision, _, flagged = scores(measured, t)
        print(f"  < {t:<5} {flagged:>5} flagged  {recall:>4.0%} / {precision:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
