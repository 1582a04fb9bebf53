"""The whole interview on one clock: every audio file back to back, in the order played.

Captions and replay both read it, so a caption's time is where that moment is in a replay.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.record.session import SessionRecord
from simulator.record.turns import Turn, turns

MAX_CAPTION_WORDS = 10
# Cue text is one line: a blank line would end the cue early and a "-->" would start a new one.
# SRT has no escaping, and players read tags such as <b> in it, so angle brackets become
# look-alikes (which also breaks up any "-->"). WebVTT escapes them, and "&", as entities.
SRT_LOOK_ALIKES = str.maketrans({"<": "\u2039", ">": "\u203a"})
VTT_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


@dataclass
class Line:
    speaker: str  # "Interviewer" or "Candidate"
    text: str
    start: float  # seconds on the interview's clock
    end: float
    audio: str | None = None  # the file this line is heard in
    offset: float = 0.0  # where that file starts on the clock


def _split_evenly(text: str, start: float, end: float) -> list[tuple[str, float, float]]:
    words = text.split()
    if not words:
        return []
    chunks = [words[i : i + MAX_CAPTION_WORDS] for i in range(0, len(words), MAX_CAPTION_WORDS)]
    step = (end - start) / len(words)
    out, at = [], start
    for chunk in chunks:
        out.append((" ".join(chunk), at, at + step * len(chunk)))
        at += step * len(chunk)
    return out


@dataclass
class Placed:
    """A turn with where its two files start on the interview's clock."""

    turn: Turn
    said_at: float
    said_for: float
    answer_at: float | None
    answer_for: float


def placed_turns(record: SessionRecord) -> list[Placed]:
    durations = {e.get("audio"): float(e.get("duration") or 0) for e in record.events
                 if e.get("type") in ("interviewer_said", "answer_recorded")}
    out: list[Placed] = []
    clock = 0.0
    for t in turns(record):
        said = durations.get(t.audio, 0.0)
        heard = (t.answer_duration or durations.get(t.answer_audio, 0.0)) \
            if t.answer_audio else 0.0
        out.append(Placed(t, clock, said, clock + said if t.answer_audio else None, heard))
        clock += said + heard
    return out


def timeline(record: SessionRecord) -> list[Line]:
    lines: list[Line] = []
    for p in placed_turns(record):
        t = p.turn
        for text, a, b in _split_evenly(t.text, p.said_at, p.said_at + p.said_for):
            lines.append(Line("Interviewer", text, a, b, t.audio, p.said_at))
        if p.answer_at is None:
            continue
        words = t.transcript.words if t.transcript else []
        for i in range(0, len(words), MAX_CAPTION_WORDS):
            group = words[i : i + MAX_CAPTION_WORDS]
            lines.append(Line("Candidate", " ".join(w.word for w in group),
                              p.answer_at + group[0].start, p.answer_at + group[-1].end,
                              t.answer_audio, p.answer_at))
    return lines


def _stamp(seconds: float, sep: str) -> str:
    ms = round(seconds * 1000)
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _monotonic(lines: list[Line]) -> list[Line]:
    """Captions may not overlap or run backwards, even when word timestamps are rough."""
    out: list[Line] = []
    last = 0.0
    for line in lines:
        start = max(line.start, last)
        end = max(line.end, start + 0.2)
        out.append(Line(line.speaker, line.text, start, end, line.audio, line.offset))
        last = end
    return out


def _with_delivery(record: SessionRecord) -> list[Line]:
    """The captions, then one closing caption with the session's delivery figures."""
    from simulator.language.delivery import summary_lines
    from simulator.reports.export import delivery  # export renders captions through this module

    lines = _monotonic(timeline(record))
    end = lines[-1].end if lines else 0.0
    summary = " ".join(summary_lines(delivery(record, turns(record))["session"]))
    return [*lines, Line("Delivery", summary, end, end + 8.0)]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def srt_text(text: str) -> str:
    return _one_line(text).translate(SRT_LOOK_ALIKES)


def vtt_text(text: str) -> str:
    return _one_line(text).translate(VTT_ENTITIES)


def to_srt(record: SessionRecord) -> str:
    blocks = [f"{n}\n{_stamp(x.start, ',')} --> {_stamp(x.end, ',')}\n"
              f"{x.speaker}: {srt_text(x.text)}\n"
              for n, x in enumerate(_with_delivery(record), 1)]
    return "\n".join(blocks)


def to_vtt(record: SessionRecord) -> str:
    # The voice tag is ours and stays markup; the speaker names are fixed words.
    blocks = [f"{_stamp(x.start, '.')} --> {_stamp(x.end, '.')}\n"
              f"<v {x.speaker}>{vtt_text(x.text)}\n"
              for x in _with_delivery(record)]
    return "WEBVTT\n\n" + "\n".join(blocks)


def clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m:02d}:{s:02d}"
