"""The HTML report: one self-contained file with the interview's audio, transcript, delivery
and feedback. Every moment it names (a transcript line, a quoted piece of evidence, a filler, a
long pause) can be clicked to play the audio from there.

The page is the Jinja2 template templates/report.html.j2, autoescaped: an answer is data,
never markup. Every value is made inert first (simulator.core.untrusted_text), and text from
the session sits in <bdi>, so right-to-left text cannot reorder what is around it. The only
markup that reaches the page unescaped is the pace chart, which is built here from numbers
alone.
"""

from __future__ import annotations

import base64
from functools import cache

import numpy as np
from jinja2 import Environment, PackageLoader, StrictUndefined, Template
from markupsafe import Markup

from audio.encode import OPUS_RATE, to_ogg_opus
from audio.pcm import Audio, AudioError, read_audio
from simulator.core.untrusted_text import inert
from simulator.language.delivery import summary_lines
from simulator.language.specificity import specificity_line
from simulator.language.star import star_lines
from simulator.language.words import spelling, spellings
from simulator.reports.model import Report, ReportTurn, clock

TEMPLATE = "report.html.j2"


@cache
def _template() -> Template:
    # autoescape=True rather than by file extension: the template is .j2, and a page that
    # escaped nothing because of a file name would be the worst way to fail.
    env = Environment(loader=PackageLoader("simulator.reports", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      finalize=_inert)
    env.filters["clock"] = clock
    return env.get_template(TEMPLATE)


def _inert(value: object) -> object:
    """Every value the template prints, before it is escaped; our own markup is left."""
    return inert(value) if isinstance(value, str) and not isinstance(value, Markup) else value


def interview_audio(placed: list[ReportTurn]) -> Audio:
    """Every file back to back on the interview's clock; a missing file is silence."""
    parts: list[np.ndarray] = []
    for p in placed:
        for path, seconds in ((p.audio_file, p.said_for), (p.answer_file, p.answer_for)):
            if not seconds:
                continue
            try:
                samples = read_audio(path, OPUS_RATE).samples if path else None
            except AudioError:
                samples = None
            want = int(round(seconds * OPUS_RATE))
            if samples is None:
                samples = np.zeros(want, dtype=np.float32)
            parts.append(np.pad(samples[:want], (0, max(0, want - len(samples)))))
    return Audio(np.concatenate(parts) if parts else np.zeros(OPUS_RATE, np.float32), OPUS_RATE)


def locate(placed: list[ReportTurn], question_id: str, quote: str) -> float | None:
    """Where on the clock a quoted piece of an answer to `question_id` was said."""
    want = spellings(quote)[:3]
    if not want:
        return None
    for p in placed:
        if p.question_id != question_id or p.transcript is None or p.answer_at is None:
            continue
        words = p.transcript.words
        said = [spelling(w.word) for w in words]
        for i in range(len(said) - len(want) + 1):
            if said[i : i + len(want)] == want:
                return round(p.answer_at + words[i].start, 2)
    return None


def _spoken(report: Report) -> list[ReportTurn]:
    return [t for t in report.turns if t.delivery is not None and t.answer_at is not None]


def _moments(spoken: list[ReportTurn]) -> list[tuple[float, str]]:
    """Fillers and long pauses, on the clock, in the order they were heard."""
    found = []
    for t in spoken:
        for m in t.delivery.fillers + t.delivery.pauses:
            at = t.answer_at + m.start
            label = f'"{m.text}"' if m.kind == "filler" else f"pause of {m.text}"
            found.append((at, f"{clock(at)} {m.kind}: {label}"))
    return sorted(found)


def _pace_chart(spoken: list[ReportTurn]) -> Markup:
    """The pace of every answer on the interview's clock, as SVG. Marked safe deliberately:
    everything in it is a number we computed or a fixed word, no text from the session."""
    points = [(t.answer_at + t0, float(wpm)) for t in spoken for t0, wpm in t.delivery.pace]
    if not points:
        return Markup("<p>No speech to chart.</p>")
    width, height = 800, 160
    t_max = max(t for t, _ in points) or 1.0
    w_max = max(max(w for _, w in points), 200.0)
    xy = [(40 + (t / t_max) * (width - 60), height - 20 - (w / w_max) * (height - 40))
          for t, w in points]
    poly = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    dots = "".join(
        f'<circle class="seek" data-t="{t:.2f}" cx="{x:.1f}" cy="{y:.1f}" r="4">'
        f"<title>{clock(t)}: {w:.0f} wpm</title></circle>"
        for (t, w), (x, y) in zip(points, xy, strict=True))
    return Markup(f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
                  f'aria-label="Speaking pace over time, words per minute">'
                  f'<text x="4" y="14" font-size="11">{w_max:.0f} wpm</text>'
                  f'<text x="4" y="{height - 22}" font-size="11">0</text>'
                  f'<polyline fill="none" stroke="#060" stroke-width="2" points="{poly}"/>'
                  f"{dots}</svg>")


def to_html(report: Report) -> str:
    spoken = _spoken(report)
    ogg = base64.b64encode(to_ogg_opus(interview_audio(report.turns))).decode()
    return _template().render(
        report=report, s=report.session, critique=report.critique, ogg=ogg,
        delivery_lines=summary_lines(report.delivery.session),
        pace_chart=_pace_chart(spoken), moments=_moments(spoken),
        locate=lambda question_id, quote: locate(report.turns, question_id, quote),
        specificity_line=specificity_line, star_lines=star_lines)
