"""Captions (SRT and WebVTT) of the whole interview, on the report's one clock, so a caption's
time is where that moment is in a replay."""

from __future__ import annotations

from simulator.core.untrusted_text import inert
from simulator.language.delivery import summary_lines
from simulator.reports.model import Line, Report

# Cue text is made inert (simulator.core.untrusted_text), then put on one line: a blank line
# would end the cue early and a "-->" would start a new one.
# SRT has no escaping, and players read tags such as <b> in it, so angle brackets become
# look-alikes (which also breaks up any "-->"). WebVTT escapes them, and "&", as entities.
SRT_LOOK_ALIKES = str.maketrans({"<": "\u2039", ">": "\u203a"})
VTT_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
DELIVERY_SECONDS = 8.0  # how long the closing delivery caption stays up


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


def _with_delivery(report: Report) -> list[Line]:
    """The captions, then one closing caption with the session's delivery figures."""
    lines = _monotonic(report.lines)
    end = lines[-1].end if lines else 0.0
    summary = " ".join(summary_lines(report.delivery.session))
    return [*lines, Line("Delivery", summary, end, end + DELIVERY_SECONDS)]


def _one_line(text: str) -> str:
    return " ".join(inert(text).split())


def srt_text(text: str) -> str:
    return _one_line(text).translate(SRT_LOOK_ALIKES)


def vtt_text(text: str) -> str:
    return _one_line(text).translate(VTT_ENTITIES)


def to_srt(report: Report) -> str:
    blocks = [f"{n}\n{_stamp(x.start, ',')} --> {_stamp(x.end, ',')}\n"
              f"{x.speaker}: {srt_text(x.text)}\n"
              for n, x in enumerate(_with_delivery(report), 1)]
    return "\n".join(blocks)


def to_vtt(report: Report) -> str:
    # The voice tag is ours and stays markup; the speaker names are fixed words.
    blocks = [f"{_stamp(x.start, '.')} --> {_stamp(x.end, '.')}\n"
              f"<v {x.speaker}>{vtt_text(x.text)}\n"
              for x in _with_delivery(report)]
    return "WEBVTT\n\n" + "\n".join(blocks)
