"""How the answers were spoken, measured from word timestamps: pace, fillers, pauses, length,
hedging, and "I" against "we". Observations with numbers, never guesses about the speaker.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from audio.stt import Transcript, Word
from simulator.language.words import spelling

LONG_PAUSE = 2.5  # seconds between words
PACE_WINDOW = 20.0  # seconds per point of the pace-over-time series

SIMPLE_FILLERS = {"um", "umm", "uh", "uhh", "uhm", "er", "erm", "hmm", "mm", "ah"}
PHRASE_FILLERS = (("you", "know"), ("sort", "of"), ("i", "mean"), ("basically",),
                  ("kind", "of"), ("actually",), ("literally",))
HEDGES = (("i", "think"), ("i", "guess"), ("i", "believe"), ("i", "feel", "like"), ("maybe",),
          ("probably",), ("perhaps",), ("might",), ("hopefully",), ("kind", "of"),
          ("sort", "of"), ("i", "suppose"))
FIRST_SINGULAR = {"i", "im", "id", "ive", "ill", "me", "my", "mine", "myself"}
FIRST_PLURAL = {"we", "were", "wed", "weve", "well", "us", "our", "ours", "ourselves"}
# "were" and "well" are usually not "we're"/"we'll" in a transcript; Whisper keeps the
# apostrophe, so only apostrophe forms count for them.
PLURAL_NEEDS_APOSTROPHE = {"were", "well", "wed"}


@dataclass
class Marker:
    """Something at a moment in an answer: a filler, a hedge or a long pause."""

    kind: str  # filler, hedge, pause
    text: str
    start: float  # seconds into the answer audio
    end: float


@dataclass
class Delivery:
    words: int = 0
    speaking_seconds: float = 0.0  # first word to last word, summed over answers
    wpm: float = 0.0
    pace: list[tuple[float, float]] = field(default_factory=list)  # (window start s, wpm)
    fillers: list[Marker] = field(default_factory=list)
    filler_counts: dict[str, int] = field(default_factory=dict)
    fillers_per_minute: float = 0.0
    pauses: list[Marker] = field(default_factory=list)
    hedges: list[Marker] = field(default_factory=list)
    i_count: int = 0
    we_count: int = 0
    target_seconds: float | None = None
    length_ratio: float | None = None  # speaking time against the target

    def to_dict(self) -> dict:
        return asdict(self)


def _phrase_at(words: list[str], i: int, phrases: tuple[tuple[str, ...], ...]) -> int:
    """Length of the phrase from `phrases` that starts at word i, or 0."""
    for phrase in phrases:
        if tuple(words[i : i + len(phrase)]) == phrase:
            return len(phrase)
    return 0


def _like_is_filler(raw: list[Word], i: int) -> bool:
    """'like' set off by pauses in punctuation ("it was, like, slow") is a filler; 'I'd like'
    or 'looks like this' is not."""
    here = raw[i].word.strip()
    before = raw[i - 1].word.strip() if i > 0 else ""
    return here.endswith(",") or before.endswith(",") or i == 0 or before.endswith(".")


def measure(transcripts: list[Transcript], target_seconds: float | None = None) -> Delivery:
    """Delivery over one or more answers (each with its own timeline)."""
    d = Delivery(target_seconds=target_seconds)
    counts: dict[str, int] = {}
    for t in transcripts:
        raw = [w for w in t.words if spelling(w.word, apostrophes=True)]
        if not raw:
            continue
        words = [spelling(w.word, apostrophes=True).replace("'", "") for w in raw]
        d.words += len(raw)
        d.speaking_seconds += max(0.0, raw[-1].end - raw[0].start)
        i = 0
        while i < len(raw):
            n = _phrase_at(words, i, tuple((f,) for f in SIMPLE_FILLERS)) or \
                _phrase_at(words, i, PHRASE_FILLERS)
            if not n and words[i] == "like" and _like_is_filler(raw, i):
                n = 1
            if n:
                text = " ".join(words[i : i + n])
                d.fillers.append(Marker("filler", text, raw[i].start, raw[i + n - 1].end))
                counts[text] = counts.get(text, 0) + 1
            h = _phrase_at(words, i, HEDGES)
            if h:
                d.hedges.append(Marker("hedge", " ".join(words[i : i + h]), raw[i].start,
                                       raw[i + h - 1].end))
            bare = spelling(raw[i].word, apostrophes=True)
            if words[i] in FIRST_SINGULAR:
                d.i_count += 1
            elif words[i] in FIRST_PLURAL and (words[i] not in PLURAL_NEEDS_APOSTROPHE
                                               or "'" in bare):
                d.we_count += 1
            if i and raw[i].start - raw[i - 1].end > LONG_PAUSE:
                d.pauses.append(Marker("pause", f"{raw[i].start - raw[i - 1].end:.1f} s",
                                       raw[i - 1].end, raw[i].start))
            i += max(1, n)
        end = raw[-1].end
        for w0 in range(0, int(end // PACE_WINDOW) + 1):
            lo, hi = w0 * PACE_WINDOW, min(end, (w0 + 1) * PACE_WINDOW)
            n_words = sum(1 for w in raw if lo <= w.start < hi)
            if hi - lo >= 5 and n_words:
                d.pace.append((round(lo, 1), round(n_words * 60 / (hi - lo), 1)))
    d.filler_counts = dict(sorted(counts.items(), key=lambda kv: -kv[1]))
    minutes = d.speaking_seconds / 60
    if minutes > 0:
        d.wpm = round(d.words / minutes, 1)
        d.fillers_per_minute = round(len(d.fillers) / minutes, 2)
    if target_seconds:
        d.length_ratio = round(d.speaking_seconds / target_seconds, 2)
    return d


def summary_lines(d: Delivery) -> list[str]:
    """A delivery as short factual lines, the same in every report format."""
    if not d.words:
        return ["No speech to measure."]
    lines = [f"Pace: {d.wpm:.0f} words per minute over {d.speaking_seconds:.0f} s of "
             f"speech ({d.words} words)."]
    if d.fillers:
        top = ", ".join(f'"{k}" x{v}' for k, v in d.filler_counts.items())
        lines.append(f"Fillers: {len(d.fillers)} ({d.fillers_per_minute:.1f} per "
                     f"minute): {top}.")
    else:
        lines.append("Fillers: none heard.")
    lines.append(f"Pauses over {LONG_PAUSE:g} s: {len(d.pauses)}.")
    if d.length_ratio is not None and d.target_seconds:
        lines.append(f"Length: {d.speaking_seconds:.0f} s against a target of "
                     f"{d.target_seconds:.0f} s ({d.length_ratio:.0%}).")
    if d.hedges:
        lines.append(f"Hedging phrases: {len(d.hedges)} ("
                     + ", ".join(sorted({h.text for h in d.hedges})) + ").")
    lines.append(f'"I" {d.i_count} times, "we" {d.we_count} times.')
    return lines
