"""The HTML report: one self-contained file with the interview's audio, transcript, delivery
and feedback. Every moment it names (a transcript line, a quoted piece of evidence, a filler, a
long pause) can be clicked to play the audio from there.

All text from the session is HTML-escaped: an answer is data, never markup.
"""

from __future__ import annotations

import base64
from html import escape

import numpy as np

from audio.encode import OPUS_RATE, to_ogg_opus
from audio.pcm import Audio, AudioError, read_audio
from simulator.language.delivery import Delivery, measure, summary_lines
from simulator.language.specificity import specificity_line
from simulator.language.words import spelling, spellings
from simulator.record.session import SessionRecord
from simulator.reports.export import document
from simulator.reports.timeline import Placed, clock, placed_turns

STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}
.player{position:sticky;top:0;background:#fff;padding:.5rem 0;border-bottom:1px solid #eee}
audio{width:100%}.seek{cursor:pointer;color:#0645ad;text-decoration:underline dotted}
.t{color:#888;font-variant-numeric:tabular-nums;margin-right:.5rem}
.Interviewer b{color:#036}.Candidate b{color:#060}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:.3rem .5rem;
vertical-align:top;text-align:left}.covered{color:#060}.partial{color:#a60}.missed{color:#a00}.vague{color:#a60}
.score{font-size:2rem;font-weight:bold}svg{background:#fafafa;border:1px solid #eee}
"""

SCRIPT = """
const player = document.getElementById('player');
document.querySelectorAll('[data-t]').forEach(el => el.addEventListener('click', () => {
  player.currentTime = parseFloat(el.dataset.t);
  player.play().catch(() => {});
}));
"""


def interview_audio(placed: list[Placed], record: SessionRecord) -> Audio:
    """Every file back to back on the interview's clock; a missing file is silence."""
    parts: list[np.ndarray] = []
    for p in placed:
        for name, seconds in ((p.turn.audio, p.said_for), (p.turn.answer_audio, p.answer_for)):
            if not seconds:
                continue
            path = record.audio(name)
            try:
                samples = read_audio(path, OPUS_RATE).samples if path else None
            except AudioError:
                samples = None
            want = int(round(seconds * OPUS_RATE))
            if samples is None:
                samples = np.zeros(want, dtype=np.float32)
            parts.append(np.pad(samples[:want], (0, max(0, want - len(samples)))))
    return Audio(np.concatenate(parts) if parts else np.zeros(OPUS_RATE, np.float32), OPUS_RATE)


def locate(placed: list[Placed], question_id: str, quote: str) -> float | None:
    """Where on the clock a quoted piece of an answer to `question_id` was said."""
    want = spellings(quote)[:3]
    if not want:
        return None
    for p in placed:
        if p.turn.question_id != question_id or p.turn.transcript is None:
            continue
        words = p.turn.transcript.words
        said = [spelling(w.word) for w in words]
        for i in range(len(said) - len(want) + 1):
            if said[i : i + len(want)] == want:
                return round(p.answer_at + words[i].start, 2)
    return None


def _seek(seconds: float | None, label: str) -> str:
    if seconds is None:
        return escape(label)
    return f'<span class="seek" data-t="{seconds:.2f}">{escape(label)}</span>'


def _turn_line(speaker: str, at: float, text: str) -> str:
    return (f'<p class="{speaker}"><span class="t seek" data-t="{at:.2f}">{clock(at)}</span>'
            f"<b>{speaker}:</b> {escape(text)}</p>")


def _pace_chart(spoken: list[tuple[float, Delivery]]) -> str:
    points = [(at + t0, wpm) for at, d in spoken for t0, wpm in d.pace]
    if not points:
        return "<p>No speech to chart.</p>"
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
    return (f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
            f'aria-label="Speaking pace over time, words per minute">'
            f'<text x="4" y="14" font-size="11">{w_max:.0f} wpm</text>'
            f'<text x="4" y="{height - 22}" font-size="11">0</text>'
            f'<polyline fill="none" stroke="#060" stroke-width="2" points="{poly}"/>{dots}</svg>')


def to_html(record: SessionRecord) -> str:
    doc = document(record)
    placed = placed_turns(record)
    ogg = base64.b64encode(to_ogg_opus(interview_audio(placed, record))).decode()
    critique = doc["critique"]
    out = ["<!doctype html><html lang=en><meta charset=utf-8>",
           f"<title>Mock interview {escape(record.id)}</title><style>{STYLE}</style>",
           f"<h1>Mock interview {escape(record.id)}</h1>",
           f"<p>{escape(record.started[:16].replace('T', ' '))} · {escape(record.status)} · "
           f"interviewer: {escape(str(doc['session']['interviewer']))}</p>"]
    if critique:
        out.append(f'<p class="score">{int(critique["overall_score"])}/100</p>')
    out.append('<div class="player"><audio id="player" controls preload="auto" '
               f'src="data:audio/ogg;codecs=opus;base64,{ogg}"></audio></div>')

    out.append("<h2>Transcript</h2>")
    for p in placed:
        out.append(_turn_line("Interviewer", p.said_at, p.turn.text))
        if p.answer_at is not None and p.turn.transcript is not None:
            words = p.turn.transcript.words
            start = p.answer_at + (words[0].start if words else 0.0)
            out.append(_turn_line("Candidate", start,
                                  p.turn.transcript.text or "(nothing was heard)"))
        elif p.turn.passed:
            out.append(_turn_line("Candidate", p.said_at + p.said_for, "(passed)"))

    out.append("<h2>Delivery</h2>")
    out.append("<ul>" + "".join(f"<li>{escape(x)}</li>" for x in
                                summary_lines(doc["delivery"]["session"])) + "</ul>")
    # Each answer's delivery, with where that answer starts on the interview's clock.
    spoken = [(p.answer_at, measure([p.turn.transcript])) for p in placed
              if p.turn.transcript is not None and p.answer_at is not None]
    out.append("<h3>Pace over time</h3>" + _pace_chart(spoken))
    markers = []
    for answer_at, d in spoken:
        for m in d.fillers + d.pauses:
            at = answer_at + m.start
            label = f'"{m.text}"' if m.kind == "filler" else f"pause of {m.text}"
            markers.append((at, f"{clock(at)} {m.kind}: {label}"))
    if markers:
        out.append("<h3>Fillers and long pauses</h3><ul>" + "".join(
            f"<li>{_seek(at, text)}</li>" for at, text in sorted(markers)) + "</ul>")

    if critique:
        out.append("<h2>Feedback</h2>")
        for title, items in (("Strengths", critique["strengths"]),
                             ("What to add", critique["to_add"]),
                             ("Practise next", critique["practice_next"])):
            if items:
                out.append(f"<h3>{title}</h3><ul>"
                           + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>")
        for q in critique["questions"]:
            out.append(f"<h3>{escape(q['question'])} — {int(q['score'])}/100</h3>")
            out.append("<table><tr><th>Rubric point</th><th>Status</th><th>Evidence</th></tr>")
            for point in q["points"]:
                evidence = ""
                if point["evidence"]:
                    at = locate(placed, q["question_id"], point["evidence"])
                    evidence = _seek(at, f"“{point['evidence']}”")
                status = escape(point["status"])
                out.append(f"<tr><td>{escape(point['strong'])}</td>"
                           f'<td class="{status}">{status}</td><td>{evidence}</td></tr>')
            out.append("</table>")
            spec = specificity_line(q)
            if spec:
                vague = q["specificity"].get("vague")
                out.append(f'<p class="{"vague" if vague else "specific"}">{escape(spec)}</p>')
            tries = doc["attempts"].get(q["question_id"], [])
            if len(tries) > 1:
                out.append("<p><i>Attempts at this question, side by side:</i></p><table><tr>"
                           "<th>Rubric point</th>" + "".join(
                               f"<th>{escape(a['started'][:16].replace('T', ' '))}"
                               f"{' (this one)' if a['session_id'] == record.id else ''}</th>"
                               for a in tries) + "</tr><tr><td>Score</td>" + "".join(
                               f"<td>{int(a['score'])}</td>" for a in tries) + "</tr>")
                for point in q["points"]:
                    cells = "".join(
                        f'<td class="{escape(a["points"].get(point["id"], ""))}">'
                        f'{escape(a["points"].get(point["id"], ""))}</td>' for a in tries)
                    out.append(f"<tr><td>{escape(point['id'])}</td>{cells}</tr>")
                out.append("</table>")
            if q.get("better_answer"):
                out.append(f"<p><i>A stronger answer:</i> {escape(q['better_answer'])}</p>")
            out.append(f"<p><i>Model answer direction:</i> {escape(q['model_answer'])}</p>")
            for note in q.get("notes", []):
                out.append(f"<p><i>Note:</i> {escape(note)}</p>")
    out.append(f"<script>{SCRIPT}</script></html>")
    return "\n".join(out)
