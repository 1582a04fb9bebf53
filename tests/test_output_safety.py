"""Exports stay what they say (issue 14): -o respects what stands at the path, and text from a
session is escaped for each format, so it can never change a file's structure."""

from __future__ import annotations

import html
import json
import os
import re
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.core.untrusted_text import inert
from simulator.record import session as sessions
from simulator.record.session import SessionRecord
from simulator.reports.captions import to_srt, to_vtt
from simulator.reports.markdown import to_markdown
from simulator.reports.model import report, timeline

# --- sessions written in the log format of docs/session-log.md -----------------------------


def critique_of(q: dict) -> dict:
    """A critique as the log stores it (docs/export-json.md), every text taken from `q`."""
    question = {
        "question_id": "q1", "category": "execution", "question": q["question"], "score": 70,
        "points": [{"id": q["point_id"], "strong": q["strong"], "status": "covered",
                    "evidence": q["evidence"], "weight": 1, "missing": [], "unsure": None}],
        "strengths": [q["strength"]], "to_add": [q["to_add"]], "model_answer": q["model"],
        "answered": True, "better_answer": q["better"], "notes": [q["note"]],
        "specificity": {"details": [{"kind": "number", "text": q["detail"]}], "platitudes": [],
                        "words": max(1, len(q["words"])), "vague": False},
    }
    return {"interviewer": "openai", "overall_score": 70, "strengths": [q["strength"]],
            "to_add": [q["to_add"]], "practice_next": [q["practise"]], "notes": [],
            "questions": [question]}


def log_events(q: dict, started: str) -> list[dict]:
    words = [{"word": w, "start": i * 0.5, "end": i * 0.5 + 0.4, "probability": 0.9}
             for i, w in enumerate(q["words"])]
    turn = {"question_id": "q1", "turn": 0}
    events = [
        {"type": "session_started", "interviewer": "openai", "interviewer_detail": "test",
         "max_follow_ups": 0, "question_ids": ["q1"], "mode": "practice", "stt_model": "tiny.en",
         "questions": [{"id": "q1", "category": "execution", "text": q["question"],
                        "target_seconds": 60}]},
        {"type": "interviewer_said", "kind": "greeting", "text": q["greeting"],
         "audio": "greeting.wav", "duration": 2.0},
        {"type": "interviewer_said", "kind": "question", "text": q["question"],
         "audio": "q01-t0-interviewer.wav", "duration": 4.0, "point_id": None, **turn},
        {"type": "answer_recorded", "audio": "q01-t0-candidate.wav",
         "duration": len(words) * 0.5 + 1, "ended_by": "file", **turn},
        {"type": "answer_transcribed", **turn, "transcript": {
            "text": " ".join(q["words"]), "duration": len(words) * 0.5 + 1, "words": words}},
        {"type": "interviewer_said", "kind": "closing", "text": "Thank you.",
         "audio": "closing.wav", "duration": 2.0},
        {"type": "critique", "critique": critique_of(q)},
        {"type": "session_finished", "overall_score": 70},
    ]
    return [{"v": 1, "seq": n, "t": started, **e} for n, e in enumerate(events, 1)]


def write_session(home: Path, sid: str, q: dict,
                  started: str = "2026-03-02T10:00:00.000+00:00") -> Path:
    folder = home / "sessions" / sid
    folder.mkdir(parents=True)
    # ASCII-escaped: the reader splits lines with str.splitlines, which a raw U+0085 or U+2028
    # in a text would cut (a bug of its own, outside what this file tests).
    lines = [json.dumps(e) for e in log_events(q, started)]
    (folder / "events.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


PLAIN = {"greeting": "Hi, thanks for making the time.", "question": "How do you run a Q&A?",
         "words": ["I", "collect", "questions", "first,", "then", "answer", "the", "top", "ten."],
         "point_id": "collect", "strong": "Collects questions", "evidence": "I collect",
         "strength": "Clear", "to_add": "A number", "practise": "Metrics", "model": "Collect.",
         "better": "Collect first.", "note": "Graded in a test.", "detail": "ten"}

# --- small readers for each format ---------------------------------------------------------

STAMP = r"\d\d:\d\d:\d\d[.,]\d\d\d"
TIMING = re.compile(f"{STAMP} --> {STAMP}")
SPEAKERS = ("Interviewer", "Candidate", "Delivery")


def vtt_cues(vtt: str) -> list[tuple[str, str]]:
    """(speaker, text) of every cue, read as a WebVTT parser does: cues are separated by blank
    lines, a line with "-->" starts a cue, and cue text has only our voice tag and entities."""
    assert vtt.startswith("WEBVTT\n\n") and "\r" not in vtt
    cues = []
    for block in vtt.removeprefix("WEBVTT\n\n").rstrip("\n").split("\n\n"):
        timing, *text = block.split("\n")
        assert TIMING.fullmatch(timing), block
        assert len(text) == 1 and "-->" not in text[0], block
        found = re.fullmatch(r"<v (\w+)>((?:[^<>&]|&(?:amp|lt|gt);)*)", text[0])
        assert found and found.group(1) in SPEAKERS, text[0]
        cues.append((found.group(1), html.unescape(found.group(2))))
    return cues


def srt_cues(srt: str) -> list[tuple[str, str]]:
    """(speaker, text) of every cue: number, timing, one line of text, blank line."""
    assert "\r" not in srt
    cues = []
    for n, block in enumerate(srt.rstrip("\n").split("\n\n"), 1):
        number, timing, *text = block.split("\n")
        assert number == str(n) and TIMING.fullmatch(timing), block
        assert len(text) == 1 and "-->" not in text[0] and "<" not in text[0], block
        speaker, _, said = text[0].partition(": ")
        assert speaker in SPEAKERS, text[0]
        cues.append((speaker, said))
    return cues


def one_line(text: str) -> str:
    """Text as a caption shows it: made inert (issue 21), then on one line."""
    return " ".join(inert(text).split())


SRT_LOOK_ALIKES = str.maketrans({"<": "\u2039", ">": "\u203a"})


def unescaped(line: str) -> list[str]:
    """The characters of a Markdown line that are not backslash-escaped, as GFM's table and
    inline parsers see them (a backslash and the character after it are one token)."""
    return [t for t in re.findall(r"\\.|.", line) if not t.startswith("\\")]


class Markup(HTMLParser):
    """Everything an HTML parser would take as markup rather than text."""

    def __init__(self, text: str):
        super().__init__()
        self.found: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.found.append(f"<{tag}>")

    def handle_endtag(self, tag):
        self.found.append(f"</{tag}>")

    def handle_comment(self, data):
        self.found.append("<!--")

    def handle_decl(self, decl):
        self.found.append("<!")

    def handle_pi(self, data):
        self.found.append("<?")

    def unknown_decl(self, data):
        self.found.append("<![")


def check_markdown(md: str) -> None:
    assert Markup(md).found == [] and "<" not in md
    assert re.findall(r"&(?!amp;|lt;|gt;)", md) == []  # every "&" is one of our entities
    lines = md.split("\n")
    for line in lines:
        assert "[" not in unescaped(line), line  # no links, no remote images
        assert not re.match(r"- (?:#|[-*+](?:\s|$)|\d+[.)](?:\s|$))", line), line
    headings = [x for x in lines if re.match(r" {0,3}#", x)]
    assert len(headings) == 8, headings  # title, 3 sections, 3 critique lists, the question
    assert [x for x in lines if x.startswith(">")] == [x for x in lines if
                                                        x.startswith("> Note: ")]
    tables = re.findall(r"(?m)(?:^\|.*\n)+", md)
    assert len(tables) == 2  # the rubric points, and the attempts side by side
    for table in tables:
        widths = {unescaped(row).count("|") for row in table.splitlines()}
        assert len(widths) == 1, table


# --- -o: what stands at the path -------------------------------------------------------------


@pytest.fixture
def sid(home) -> str:
    write_session(home, "20260302-100000-abcd", PLAIN)
    return "20260302-100000-abcd"


def test_export_through_a_symlink_keeps_the_link(cli, sid, tmp_path):
    target, link = tmp_path / "real.md", tmp_path / "link.md"
    target.write_text("old")
    link.symlink_to(target)
    cli("export", sid, "-o", link)
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert target.read_text() == cli("export", sid).stdout


def test_export_to_a_named_pipe_writes_into_it(cli, sid, tmp_path):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(pipe.read_text()), daemon=True)
    reader.start()
    result = cli("export", sid, "--format", "vtt", "-o", pipe, check=False)
    reader.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert got == [cli("export", sid, "--format", "vtt").stdout]
    assert stat.S_ISFIFO(pipe.lstat().st_mode)


@pytest.fixture
def full_device(tmp_path) -> Path:
    """/dev/full, or as root a node of the same device in tmp_path: an export that renamed a
    temporary file over the path, run as root, would replace the system's /dev/full."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    if os.geteuid() != 0:
        return Path("/dev/full")
    node = tmp_path / "full"
    os.mknod(node, 0o666 | stat.S_IFCHR, os.stat("/dev/full").st_rdev)
    return node


def test_export_to_a_full_device_is_an_error(cli, sid, full_device):
    result = cli("export", sid, "-o", full_device, check=False)
    assert result.returncode == 1 and "Wrote" not in result.stdout + result.stderr
    assert result.stderr == (f"mock-interview: error: cannot write {full_device}: "
                             "No space left on device\n")
    assert stat.S_ISCHR(full_device.stat().st_mode)


def test_standard_output_on_a_full_device_is_an_error(home, sid, full_device):
    command = [str(Path(sys.executable).with_name("mock-interview")), "export", sid]
    env = {**os.environ, "MOCK_INTERVIEW_HOME": str(home)}
    with open(full_device, "w") as out:
        result = subprocess.run(command, stdout=out, stderr=subprocess.PIPE, text=True, env=env,
                                timeout=120)
    assert result.returncode == 1
    assert result.stderr == ("mock-interview: error: cannot write standard output: "
                             "No space left on device\n")


def test_export_to_dash_is_standard_output(cli, sid, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("export", sid, "-o", "-")
    assert result.stdout == cli("export", sid).stdout and "Wrote" not in result.stderr
    assert not (tmp_path / "-").exists()


def test_empty_output_path_is_a_clear_error(cli, sid):
    result = cli("export", sid, "-o", "", check=False)
    assert result.returncode == 1 and len(result.stderr.splitlines()) == 1
    assert "-o needs a file name" in result.stderr


def test_export_to_a_regular_file_is_complete_and_keeps_its_mode(cli, sid, tmp_path):
    out = tmp_path / "report.md"
    out.write_text("an older, much longer export " * 1000)
    out.chmod(0o600)
    result = cli("export", sid, "-o", out)
    assert out.read_text() == cli("export", sid).stdout and "Wrote" in result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "report.md"]


# --- escaping by format ----------------------------------------------------------------------


def test_question_with_markup_in_every_format_through_the_command(cli, home):
    nasty = {**PLAIN, "question": "Q&A --> <b>now</b>\n\n# then?"}
    write_session(home, "20260302-100000-abcd", nasty)
    sid = "20260302-100000-abcd"
    vtt = vtt_cues(cli("export", sid, "--format", "vtt").stdout)
    assert ("Interviewer", "Q&A --> <b>now</b> # then?") in vtt
    srt = srt_cues(cli("export", sid, "--format", "srt").stdout)
    assert ("Interviewer", "Q&A --\u203a \u2039b\u203anow\u2039/b\u203a # then?") in srt
    md = cli("export", sid, "--format", "md").stdout
    assert Markup(md).found == [] and "Q&amp;A --&gt; &lt;b&gt;now&lt;/b&gt; # then?" in md


NASTY = ["-->", "<script>", "</v>", "<v Candidate>", "<b>", "&", "&amp;", "&lt;", "\n", "\n\n",
         "\r\n", "|", "\\", "\\|", "[x](y)", "![i](http://x/y.png)", "# ", "> ", "- ", "* ",
         "1. ", "`", "{\\an8}", "WEBVTT", "NOTE", " ", "00:00:01.000 --> 00:00:02.000"]
FIELDS = ("greeting", "question", "point_id", "strong", "evidence", "strength", "to_add",
          "practise", "model", "better", "note", "detail")


def texts_of(pieces: list[str]) -> st.SearchStrategy[str]:
    """Text made of `pieces` and arbitrary text."""
    return st.lists(st.one_of(st.sampled_from(pieces), st.text(max_size=6)), max_size=8).map(
        "".join)


def interviews_of(texts: st.SearchStrategy[str], max_words: int) -> st.SearchStrategy[dict]:
    """Every text field of a recorded interview (see `recorded`), with up to `max_words`
    transcribed words."""
    return st.fixed_dictionaries(
        {**{f: texts for f in FIELDS}, "words": st.lists(texts, min_size=1, max_size=max_words)})


interviews = interviews_of(texts_of(NASTY), 25)


PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextmanager
def recorded(q: dict) -> Iterator[SessionRecord]:
    """The session `q` as read back from its log, with an earlier attempt at the same question
    in the same folder, so the Markdown has its side-by-side table too."""
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        write_session(home, "20260301-100000-aaaa", q, "2026-03-01T10:00:00.000+00:00")
        yield sessions.load(write_session(home, "20260302-100000-bbbb", q))


def check_cues(cues: list[tuple[str, str]], record: SessionRecord, q: dict, escaped) -> None:
    """One cue for each line of the timeline, plus the delivery one, each with its text."""
    written = [(x.speaker, x.text) for x in timeline(record)]
    assert len(cues) == len(written) + 1 and cues[-1][0] == "Delivery"
    assert cues[:-1] == [(who, escaped(text)) for who, text in written]
    # And, however lines are cut into cues, every word is there, in order.
    said = {who: " ".join(t for w, t in cues if w == who).split() for who in SPEAKERS}
    assert said["Candidate"] == escaped(" ".join(q["words"])).split()
    assert said["Interviewer"] == escaped(f"{q['greeting']} {q['question']} Thank you.").split()


@PROPERTY
@given(interviews)
def test_any_text_keeps_webvtt_intact(q):
    with recorded(q) as record:
        check_cues(vtt_cues(to_vtt(report(record))), record, q, one_line)


@PROPERTY
@given(interviews)
def test_any_text_keeps_srt_intact(q):
    with recorded(q) as record:
        check_cues(srt_cues(to_srt(report(record))), record, q,
                   lambda text: one_line(text).translate(SRT_LOOK_ALIKES))


@PROPERTY
@given(interviews)
def test_any_text_keeps_markdown_intact(q):
    with recorded(q) as record:
        check_markdown(to_markdown(report(record)))
