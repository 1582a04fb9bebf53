"""Text that did not come from us never takes over the terminal or a viewer (issue 21, items 1
and 11): whatever a bank, a model, a config or a transcript holds, no ESC, NUL, C1 control or
bidirectional control reaches the terminal or an export raw."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openai_server import FakeOpenAI, fair_model
from rich.console import Console
from test_output_safety import FIELDS, interviews_of, recorded, texts_of

from simulator.command import discovery
from simulator.command.cli import main
from simulator.command.console import ConsoleDisplay
from simulator.command.replay import print_lines
from simulator.core.bank_writer import toml_string
from simulator.core.untrusted_text import BIDI_CONTROLS, inert, inert_json
from simulator.reports.captions import to_srt, to_vtt
from simulator.reports.html import to_html
from simulator.reports.json_doc import to_json
from simulator.reports.markdown import to_markdown
from simulator.reports.model import report, timeline
from simulator.reports.terminal import show_critique, show_delivery

# Sequences a terminal obeys: retitle, clear, colour, cursor moves, the C1 forms of CSI and
# OSC, a device control string, a charset switch, a hyperlink; NUL, BEL, backspace, CR, DEL;
# and every bidirectional control.
ATTACKS = ["\x1b]0;owned\x07", "\x1b[2J", "\x1b[31m", "\x1b[10;10H", "\x9b2J", "\x9d0;x\x9c",
           "\x1bP1$r\x1b\\", "\x1b(0", "\x1b]8;;http://evil/\x1b\\", "\x00", "\x07", "\x08",
           "\r", "\x7f", "\x85", "\x1b", *map(chr, sorted(BIDI_CONTROLS))]
texts = texts_of(ATTACKS)
interviews = interviews_of(texts, 12)
PROPERTY = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])
BIDI = {chr(c) for c in BIDI_CONTROLS}


def assert_inert(out: str) -> None:
    assert "\x1b" not in out and "\x00" not in out
    assert not [ch for ch in out if 0x80 <= ord(ch) < 0xA0 or ch in BIDI], repr(out)
    assert not [ch for ch in out if ord(ch) < 0x20 and ch not in "\t\n"], repr(out)
    out.encode("utf-8")  # no lone surrogate either: it could not even be printed


def plain_console() -> tuple[Console, io.StringIO]:
    """A console that adds no escape sequences of its own: any in its output came in."""
    out = io.StringIO()
    return Console(file=out, force_terminal=False, color_system=None, width=100), out


# --- the sanitiser itself ---------------------------------------------------------------------


@given(st.text())
def test_inert_leaves_nothing_a_terminal_obeys(text):
    out = inert(text)
    assert_inert(out)
    assert inert(out) == out


@given(st.text(st.characters(blacklist_categories=("Cc", "Cs"))))
def test_ordinary_text_is_left_as_it_is(text):
    if not BIDI & set(text):
        assert inert(text) == text


def test_controls_are_shown_not_obeyed_and_bidi_controls_go():
    assert inert("a\x1b[2Jb\x00c") == "a\u241b[2Jb\u2400c"
    assert inert("line\r\nnext\rlast\ttab") == "line\nnext\nlast\ttab"
    assert inert("\x9b2J") == "\ufffd2J"
    assert inert("pay \u202eevil\u202c now") == "pay evil now"
    assert inert("x\ud800y") == "x\ufffdy"


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=10))
def test_json_keeps_the_data_and_nothing_raw(data):
    text = inert_json(json.dumps(data, ensure_ascii=False))
    assert json.loads(text) == data
    assert_inert(text.replace("\n", ""))


# --- every output -----------------------------------------------------------------------------


@PROPERTY
@given(interviews)
def test_any_session_text_is_inert_in_every_export(q):
    with recorded(q) as record:
        rep = report(record)
        for render in (to_markdown, to_srt, to_vtt, to_json):
            assert_inert(render(rep))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(interviews)
def test_any_session_text_is_inert_and_isolated_in_html(q):
    with recorded(q) as record:
        page = to_html(report(record))
    assert_inert(page)
    # Each piece of the session's text sits in its own <bdi>, so right-to-left text reorders
    # nothing around it.
    assert page.count("<bdi>") == page.count("</bdi>") >= 8


@PROPERTY
@given(interviews)
def test_any_session_text_is_inert_in_the_terminal(q):
    console, out = plain_console()
    with recorded(q) as record:
        rep = report(record)
        show_critique(console, rep.critique)
        show_delivery(console, rep.delivery.session)
        print_lines(console, timeline(record))
        display = ConsoleDisplay(console, live=True)
        for event in record.events:
            display.show(event)
        with display.working(q["question"]) as update:
            update(q["strong"])
    assert_inert(out.getvalue())


def bank_with(tmp_path: Path, text: str) -> Path:
    """A valid saved bank whose question, category title and point text all carry `text`."""
    points = "".join(f"""
  [[questions.rubric]]
  id = "p{n}"
  strong = {toml_string("Does " + text)}
  cues = ["thing {n}"]
  probe = "What about thing {n}?"
""" for n in range(3))
    path = tmp_path / "hostile.toml"
    path.write_text(f"""id = "hostile"
[categories]
odd = {toml_string("Odd " + text)}

[[questions]]
id = "hostile-q1"
category = "odd"
text = {toml_string("Why " + text + "?")}
target_seconds = 60
model_answer = {toml_string("Because " + text)}
{points}""", encoding="utf-8")
    return path


@PROPERTY
@given(texts)
def test_any_bank_text_is_inert_in_the_questions_listing(tmp_path_factory, text):
    path = bank_with(tmp_path_factory.mktemp("bank"), text)
    for argv in (["questions", "--bank", str(path)], ["questions", "--json", "--bank", str(path)]):
        out = io.StringIO()
        with pytest.MonkeyPatch.context() as m:
            m.setattr("sys.stdout", out)
            assert main(argv) == 0
        assert_inert(out.getvalue().replace("\n", " "))
        assert "hostile-q1" in out.getvalue()


def test_an_osc_sequence_in_a_saved_bank_is_shown_not_obeyed(tmp_path, capsys):
    path = bank_with(tmp_path, "\x1b]0;owned\x07\x1b[2Jevil")
    assert main(["questions", "--bank", str(path)]) == 0
    out = capsys.readouterr().out
    assert_inert(out)
    assert "\u241b]0;owned\u2407\u241b[2Jevil" in out  # visible, so the user sees it is odd


@pytest.mark.parametrize("name", ["\x1b]0;owned\x07\x1b[2Jevil", "\x9b2Jevil",
                                  "llama\u202e2.3\u202c", "mo\x00del\x1b[8m"])
def test_a_model_name_from_a_local_server_is_printed_inert(name, home, tmp_path, monkeypatch,
                                                          capsys):
    monkeypatch.delenv(discovery.SWITCH, raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    answer = tmp_path / "a.txt"
    answer.write_text("I'd cut scope with the PM and tell stakeholders the new date early.")
    with FakeOpenAI(responder=fair_model, models=(name,)) as fake:
        monkeypatch.setattr(discovery, "CANDIDATES", (("Ollama", fake._server.server_address[1]),))
        discovery.forget()
        try:
            code = main(["grade", "--question", "sprint-half-capacity", str(answer)])
        finally:
            discovery.forget()
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "found Ollama on this machine" in " ".join(captured.out.split())
    assert_inert(captured.out)
    assert_inert(captured.err)


@pytest.mark.parametrize("name", ["\x1b]0;owned\x07\u202eevil.txt", "two\nlines\r\x1b[2J.txt"])
def test_an_error_quoting_a_hostile_file_name_is_one_inert_line(home, capsys, name):
    assert main(["grade", "--question", "sprint-half-capacity", "--interviewer", "rubric",
                 name]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mock-interview: error: ") and err.count("\n") == 1
    assert_inert(err.replace("\n", ""))


def test_a_transcript_with_a_bidi_override_keeps_its_evidence_in_order(tmp_path):
    # U+202E would show "I told sales on Monday" backwards, and everything after it too.
    q = {**{f: "plain" for f in FIELDS}, "evidence": "I told \u202esales on Monday",
         "words": ["I", "told", "\u202esales", "on", "Monday"]}
    with recorded(q) as record:
        rep = report(record)
        outputs = [to_markdown(rep), to_srt(rep), to_vtt(rep), to_html(rep)]
    for out in outputs:
        assert "\u202e" not in out
        assert re.search(r"I told (<bdi>)?sales on Monday", out) or "sales on Monday" in out
